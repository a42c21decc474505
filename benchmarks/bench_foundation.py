"""phase_durations on 1,000,000 incidents, and read_export against a bare pandas.read_csv.

Run: .venv/bin/python benchmarks/bench_foundation.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

import mttr_lab as mttr
from mttr_lab.synth import synth_incidents, write_export

TIMESTAMPS = ["started_at", "detected_at", "acknowledged_at", "diagnosed_at", "recovered_at", "resolved_at"]


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def bare_read(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, engine="pyarrow")
    for col in TIMESTAMPS:
        frame[col] = pd.to_datetime(frame[col], utc=True, format="ISO8601")
    return frame


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    frame = synth_incidents(incidents=args.rows, months=36, seed=1, defects=False)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_export(frame, Path(tmp) / "incidents.csv", shape="csv")
        size = path.stat().st_size / 1e6
        bare = best_of(lambda: bare_read(path))
        ours = best_of(lambda: mttr.read_export(path, source="csv"))
        incidents = mttr.read_export(path, source="csv")
    phases = best_of(lambda: mttr.phase_durations(incidents))
    print(f"rows: {args.rows:,} ({size:.0f} MB CSV)")
    print(f"pandas.read_csv(engine='pyarrow') + to_datetime of 6 columns: {bare:.3f} s")
    print(
        f"mttr.read_export(source='csv'):                               {ours:.3f} s  ({ours / bare:.2f}x bare)"
    )
    print(f"mttr.phase_durations:                                         {phases:.3f} s")


if __name__ == "__main__":
    main()
