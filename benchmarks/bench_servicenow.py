"""Time the ServiceNow reader on an incident event log of about 120,000 update rows.

Usage::

    python benchmarks/bench_servicenow.py            # the real UCI log when present, else generated
    python benchmarks/bench_servicenow.py --synthetic  # always a generated log

Target: the 120k-row event log becomes incidents in under 3 s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from mttr_lab.io import read_export

REAL = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "real" / "servicenow_incident_event_log.csv.gz"
)
STATES = np.array(["New", "Active", "Awaiting User Info", "Active", "Resolved", "Closed"])


def synthetic_log(path: Path, *, incidents: int = 20_000, seed: int = 7) -> int:
    """Write a UCI-shaped event log (day-first dates, ``?`` for missing); returns its row count."""
    rng = np.random.default_rng(seed)
    per = rng.integers(2, 11, size=incidents)
    case = np.repeat(np.arange(incidents), per)
    step = np.concatenate([np.arange(k) for k in per])
    opened = pd.Timestamp("2016-02-29") + pd.to_timedelta(
        rng.integers(0, 90 * 24 * 60, incidents), unit="min"
    )
    gaps = pd.to_timedelta(rng.exponential(240, size=case.size).round(), unit="min")
    updated = opened[case] + pd.to_timedelta(pd.Series(gaps).groupby(case).cumsum().to_numpy())
    last = np.r_[case[1:] != case[:-1], True]
    state = STATES[np.minimum(step, 4)]
    state[last] = "Closed"
    resolved = pd.Series(updated).groupby(case).transform("max").to_numpy()
    fmt = "%d/%m/%Y %H:%M"
    frame = pd.DataFrame(
        {
            "number": pd.Series(case).map("INC{:07d}".format),
            "incident_state": state,
            "reopen_count": 0,
            "sys_mod_count": step,
            "opened_at": pd.DatetimeIndex(opened[case]).strftime(fmt),
            "sys_updated_at": pd.DatetimeIndex(updated).strftime(fmt),
            "cmdb_ci": "?",
            "priority": rng.choice(["1 - Critical", "2 - High", "3 - Moderate", "4 - Low"], size=case.size),
            "assignment_group": pd.Series(rng.integers(1, 80, size=case.size)).map("Group {}".format),
            "resolved_at": pd.DatetimeIndex(resolved).strftime(fmt),
            "closed_at": "?",
        }
    )
    frame.to_csv(path, index=False)
    return len(frame)


def best_of(path: Path, repeat: int) -> tuple[float, pd.DataFrame]:
    timings = []
    frame = pd.DataFrame()
    for _ in range(repeat):
        start = time.perf_counter()
        frame = read_export(path, source="servicenow", tz="UTC")
        timings.append(time.perf_counter() - start)
    return min(timings), frame


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--synthetic", action="store_true", help="time a generated log even when the real one exists"
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if REAL.exists() and not args.synthetic:
            path, label = REAL, "real UCI ServiceNow event log"
            rows = len(pd.read_csv(path, usecols=["number"]))
        else:
            path, label = Path(tmp) / "servicenow_events.csv", "generated ServiceNow event log"
            rows = synthetic_log(path, incidents=21_800)
        seconds, frame = best_of(path, args.repeat)
    print(
        f"{label}: {rows:,} event rows -> {len(frame):,} incidents in {seconds:.2f} s (best of {args.repeat})"
    )
    return 0 if seconds < 3.0 else 1


if __name__ == "__main__":
    sys.exit(main())
