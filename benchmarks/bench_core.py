"""The core on loaded data, side by side: mttr_lab, per-object Python and hand-written numpy.

Each contender gets the same incidents already in memory and computes time to recover (clock
start to recovery, resolution where recovery is missing) and its median and p90 per severity.
Their answers must agree before any time is printed. Then the cost of intervals in
``duration_summary`` and the growth of phases + summary with size.

Run: .venv/bin/python benchmarks/bench_core.py [--sizes 10000 100000 1000000] [--10m] [--repeat 5]
Prints a table of ratios with the targets beside them; appends it to benchmarks/out/core.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd

import mttr_lab as mttr
from mttr_lab.synth import synth_incidents

OUT = Path(__file__).resolve().parent / "out" / "core.md"
SEVERITIES = ("low", "medium", "high", "critical")


def best(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def incidents_of(n: int) -> pd.DataFrame:
    frame = synth_incidents(incidents=n, months=18, seed=7)
    return mttr.from_frame(frame.drop(columns=[c for c in ("record", "exclude_reason") if c in frame]))


def with_mttr(incidents: pd.DataFrame) -> dict[str, tuple[float, float]]:
    durations = mttr.phase_durations(incidents)
    table = mttr.duration_summary(durations, by="severity", intervals=False)
    return {str(k): (row["median"], row["p90"]) for k, row in table.iterrows() if row["observed"] >= 20}


@dataclass
class Incident:
    severity: str
    start: datetime
    end: datetime | None


def objects_of(incidents: pd.DataFrame) -> list[Incident]:
    start = incidents["started_at"].fillna(incidents["detected_at"])
    end = incidents["recovered_at"].fillna(incidents["resolved_at"])
    kept = incidents["exclude_reason"].isna()
    return [
        Incident(str(s), a.to_pydatetime(), None if pd.isna(b) else b.to_pydatetime())
        for s, a, b, k in zip(incidents["severity"], start, end, kept, strict=True)
        if k and pd.notna(a) and isinstance(s, str)
    ]


def with_objects(objects: list[Incident]) -> dict[str, tuple[float, float]]:
    groups: dict[str, list[float]] = {}
    for incident in objects:
        if incident.end is not None and incident.end >= incident.start:
            groups.setdefault(incident.severity, []).append(
                (incident.end - incident.start).total_seconds() / 60
            )
    out = {}
    for severity, values in groups.items():
        if len(values) >= 20:
            out[severity] = (
                statistics.median(values),
                statistics.quantiles(values, n=10, method="inclusive")[8],
            )
    return out


def arrays_of(incidents: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    def ns(column: str) -> np.ndarray:
        return incidents[column].to_numpy(dtype="datetime64[us]").astype("int64")

    nat = np.iinfo(np.int64).min
    start = np.where(ns("started_at") != nat, ns("started_at"), ns("detected_at"))
    end = np.where(ns("recovered_at") != nat, ns("recovered_at"), ns("resolved_at"))
    codes = incidents["severity"].cat.codes.to_numpy().copy()
    codes[incidents["exclude_reason"].notna().to_numpy()] = -1
    return codes, start, end


def with_numpy(codes: np.ndarray, start: np.ndarray, end: np.ndarray) -> dict[str, tuple[float, float]]:
    nat = np.iinfo(np.int64).min
    ok = (start != nat) & (end != nat) & (end >= start) & (codes >= 0)
    minutes = (end[ok] - start[ok]) / 6e7
    group = codes[ok]
    out = {}
    for k, name in enumerate(SEVERITIES):
        values = minutes[group == k]
        if len(values) >= 20:
            med, p90 = np.quantile(values, [0.5, 0.9])
            out[name] = (float(med), float(p90))
    return out


def agree(*answers: dict[str, tuple[float, float]]) -> None:
    first = answers[0]
    for other in answers[1:]:
        if first.keys() != other.keys() or any(
            not np.allclose(first[k], other[k], rtol=1e-9, atol=1e-6) for k in first
        ):
            raise SystemExit(f"the contenders disagree: {first} vs {other}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument(
        "--10m", dest="ten_million", action="store_true", help="also 10M incidents (minutes, ~6 GB)"
    )
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    lines = ["| measure | value | target |", "|---|---|---|"]

    incidents = incidents_of(100_000)
    objects = objects_of(incidents)
    arrays = arrays_of(incidents)
    t_mttr, a = best(lambda: with_mttr(incidents), args.repeat)
    t_obj, b = best(lambda: with_objects(objects), args.repeat)
    t_np, c = best(lambda: with_numpy(*arrays), args.repeat)
    agree(a, b, c)
    lines.append(
        f"| loaded 100k: phases + grouped median/p90, per-object Python ÷ mttr_lab | {t_obj / t_mttr:.1f}× faster ({t_mttr * 1e3:.0f} ms vs {t_obj * 1e3:.0f} ms) | ≥ 5× |"
    )
    lines.append(
        f"| same, mttr_lab ÷ hand-written numpy | {t_mttr / t_np:.1f}× slower ({t_np * 1e3:.0f} ms) | ≤ 2× |"
    )

    durations = mttr.phase_durations(incidents)
    t_plain, _ = best(lambda: mttr.duration_summary(durations, by="severity", intervals=False), args.repeat)
    t_full, _ = best(lambda: mttr.duration_summary(durations, by="severity"), max(1, args.repeat // 2))
    lines.append(
        f"| default duration_summary with intervals ÷ without, 100k, 4 groups | {t_full / t_plain:.1f}× ({t_full:.2f} s) | ≤ 5× |"
    )
    rng = np.random.default_rng(3)
    fifty = durations.sample(50_000, replace=True, random_state=3).reset_index(drop=True)
    fifty["service"] = np.repeat([f"s{i:02d}" for i in range(50)], 1000)
    rng.shuffle(fifty["service"].to_numpy())
    t_boot, _ = best(lambda: mttr.duration_summary(fifty, by="service"), 1)
    lines.append(f"| summary with intervals, 50 groups × 1,000 | {t_boot:.2f} s | < 1 s |")

    sizes = sorted(set(args.sizes) | ({10_000_000} if args.ten_million else set()))
    times = []
    for n in sizes:
        data = incidents if n == 100_000 else incidents_of(n)
        t, _ = best(
            lambda data=data: mttr.duration_summary(
                mttr.phase_durations(data), by="severity", intervals=False
            ),
            1 if n >= 10_000_000 else args.repeat,
        )
        times.append(t)
        lines.append(f"| phases + summary by severity, {n:,} incidents | {t:.3f} s | linear |")
        if data is not incidents:
            del data
    if len(sizes) > 1:
        slope = np.polyfit(np.log(sizes), np.log(times), 1)[0]
        lines.append(f"| growth exponent (log time vs log size) | {slope:.2f} | ≈ 1 |")
    text = "\n".join(lines)
    print(text)
    OUT.parent.mkdir(exist_ok=True)
    with OUT.open("a") as fh:
        fh.write(f"\n{time.strftime('%Y-%m-%d %H:%M')}\n\n{text}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
