"""Every number the package promises, checked by seeded Monte Carlo through the public API.

``make promises`` prints one row per promise: what is promised, what the simulation delivers, and
how many replicates (so the Monte Carlo error can be read off). The tests assert the same
promises with thresholds; this table gives the figures themselves. A few minutes on a laptop.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import mttr_lab as mttr

START = pd.Timestamp("2020-01-01T00:00Z")
SIGMA = 1.25  # log-SD of times to recover, as in the published anchors


def _frame(minutes: np.ndarray, detected: pd.DatetimeIndex, **columns: object) -> pd.DataFrame:
    resolved = pd.Series(detected + pd.to_timedelta(minutes, unit="min"))
    table = pd.DataFrame(
        {"incident_id": np.arange(len(minutes)).astype(str), "detected_at": detected, "resolved_at": resolved}
        | columns
    )
    return table


def verdicts(*, reps: int, n: int, cut: float, seed: int) -> pd.Series:
    """Shares of compare_periods' verdicts over ``reps`` pairs of periods of ``n`` incidents."""
    rng = np.random.default_rng(seed)
    out = []
    for r in range(reps):
        minutes = 60 * np.exp(rng.normal(0, SIGMA, 2 * n)) * np.repeat([1.0, cut], n)
        offset = np.repeat([0, 30], n) * 1440 + rng.uniform(0, 20 * 1440, 2 * n)
        detected = pd.DatetimeIndex(START + pd.to_timedelta(offset, unit="min"))
        durations = mttr.phase_durations(mttr.from_frame(_frame(minutes, detected)))
        row = mttr.compare_periods(
            durations,
            before=(START, START + pd.Timedelta(days=30)),
            after=(START + pd.Timedelta(days=30), START + pd.Timedelta(days=60)),
            n_resamples=100,
            seed=r,
        ).iloc[0]
        out.append(row["verdict"])
    return pd.Series(out).value_counts(normalize=True)


def groups(*, groups: int, n: int, seed: int, open_within: float | None) -> tuple[pd.DataFrame, np.ndarray]:
    """``groups`` replicates of ``n`` lognormal incidents (median 60 min); with ``open_within``,
    detected uniformly in that many minutes before the review date, so the slow ones are open."""
    rng = np.random.default_rng(seed)
    size = groups * n
    minutes = 60 * np.exp(rng.normal(0, SIGMA, size))
    as_of = pd.Timestamp("2026-01-01T00:00Z")
    age = rng.uniform(0, open_within if open_within else 1e8, size)
    detected = pd.DatetimeIndex(as_of - pd.to_timedelta(age, unit="min"))
    table = _frame(minutes, detected, service=np.repeat([f"r{i:04d}" for i in range(groups)], n))
    table["resolved_at"] = table["resolved_at"].where(minutes < age)
    return mttr.phase_durations(mttr.from_frame(table), as_of=as_of), minutes


def covered(table: pd.DataFrame, column: str, truth: float) -> float:
    shown = table[column + "_low"].notna() & table[column + "_high"].notna()
    inside = (table[column + "_low"] <= truth) & (truth <= table[column + "_high"])
    return float(inside[shown].mean())


def trend_family(*, series: int, months: int, n: int, seed: int) -> tuple[float, float]:
    """Share of stationary monthly series with any change flagged: intervals alone, and Holm."""
    rng = np.random.default_rng(seed)
    size = series * months * n
    month = np.tile(np.repeat(np.arange(months), n), series)
    offset = pd.to_timedelta(month * 30.4 * 1440 + rng.uniform(0, 25 * 1440, size), unit="min")
    detected = pd.DatetimeIndex(pd.Timestamp("2024-01-01T00:00Z") + offset)
    minutes = 60 * np.exp(rng.normal(0, SIGMA, size))
    table = _frame(minutes, detected, service=np.repeat([f"s{i:03d}" for i in range(series)], months * n))
    trend = mttr.duration_trend(
        mttr.phase_durations(mttr.from_frame(table)), by="service", freq="ME", n_resamples=100
    )
    excludes = (trend["change_high"] < 1) | (trend["change_low"] > 1)
    return (
        float(excludes.groupby(trend["service"]).any().mean()),
        float(trend["change_significant"].groupby(trend["service"]).any().mean()),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer replicates (a larger Monte Carlo error)")
    args = parser.parse_args(argv)
    k = 0.25 if args.quick else 1.0
    rows: list[tuple[str, str, str, int]] = []
    began = time.perf_counter()

    reps = int(300 * k)
    power = verdicts(reps=reps, n=2210, cut=0.9, seed=5).get("improved", 0.0)
    rows.append(("verdict: a real 10 % cut at 2,210 incidents a period", "80 % power", f"{power:.0%}", reps))
    reps = int(200 * k)
    null = verdicts(reps=reps, n=2210, cut=1.0, seed=6)
    rows.append(
        (
            "verdict: no change, either direction",
            "≤ 5 % false alarms",
            f"{1 - null.get('no detectable change', 0):.1%}",
            reps,
        )
    )

    table_groups = int(300 * k)
    durations, _ = groups(groups=table_groups, n=40, seed=42, open_within=None)
    summary = mttr.duration_summary(durations, by="service", targets=())
    rows.append(
        (
            "median, 95 % interval (n = 40)",
            "≥ 95 % (exact, conservative)",
            f"{covered(summary, 'median', 60.0):.1%}",
            table_groups,
        )
    )
    rows.append(
        (
            "geometric mean, 95 % interval (n = 40)",
            "95 %",
            f"{covered(summary, 'geomean', 60.0):.1%}",
            table_groups,
        )
    )
    p90 = 60 * float(np.exp(SIGMA * 1.2815515655446004))
    big, _ = groups(groups=int(200 * k), n=400, seed=43, open_within=None)
    summary = mttr.duration_summary(big, by="service", targets=())
    rows.append(
        ("p90, 95 % interval (n = 400)", "≥ 95 %", f"{covered(summary, 'p90', p90):.1%}", int(200 * k))
    )
    true_mean = 60 * float(np.exp(SIGMA**2 / 2))
    many, _ = groups(groups=int(200 * k), n=1000, seed=31, open_within=None)
    summary = mttr.duration_summary(many, by="service", targets=())
    rows.append(
        (
            "mean, 95 % t interval (n = 1,000; none shown below)",
            "93 % (nominal 95 %; design.md)",
            f"{covered(summary, 'mean', true_mean):.1%}",
            int(200 * k),
        )
    )

    half_open, _ = groups(groups=int(200 * k), n=200, seed=11, open_within=150)
    summary = mttr.duration_summary(half_open, by="service", targets=(60,))
    rows.append(
        (
            "share within 1 h, half the incidents open (truth 0.50)",
            "0.50",
            f"{summary['within_60'].mean():.3f}",
            int(200 * k),
        )
    )
    rows.append(("its 95 % interval", "95 %", f"{covered(summary, 'within_60', 0.5):.1%}", int(200 * k)))
    rows.append(
        (
            "median counting open incidents (truth 60 min)",
            "60 min",
            f"{summary['km_median'].mean():.1f} min (closed only: {summary['median'].mean():.1f})",
            int(200 * k),
        )
    )

    series = int(100 * k)
    raw, holm = trend_family(series=series, months=12, n=20, seed=61)
    rows.append(
        (
            "trend: stationary series with any change flagged",
            "≤ 5 % (Holm per series)",
            f"{holm:.0%} (intervals alone: {raw:.0%})",
            series,
        )
    )

    table = pd.DataFrame(rows, columns=["promise", "promised", "delivered", "replicates"])
    with pd.option_context("display.max_colwidth", 80, "display.width", 200):
        print(table.to_string(index=False))
    print(f"\n{time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
