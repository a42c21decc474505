"""phase_durations on 1,000,000 incidents, and read_export against a bare pandas.read_csv.

Run: .venv/bin/python benchmarks/bench_foundation.py [--rows 1000000] [--repeat 7]
"""

from __future__ import annotations

import argparse
import statistics
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


def interleaved(first, second, repeat: int) -> tuple[list[float], list[float]]:
    """Seconds of ``repeat`` runs of each, alternating, so both meet the same machine load."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for fn, out in zip((first, second), times, strict=True):
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
    return times


def bare_read(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, engine="pyarrow")
    for col in TIMESTAMPS:
        frame[col] = pd.to_datetime(frame[col], utc=True, format="ISO8601")
    return frame


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    frame = synth_incidents(incidents=args.rows, months=36, seed=1, defects=False)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_export(frame, Path(tmp) / "incidents.csv", shape="csv")
        size = path.stat().st_size / 1e6
        bare_times, our_times = interleaved(
            lambda: bare_read(path), lambda: mttr.read_export(path, source="csv"), args.repeat
        )
        incidents = mttr.read_export(path, source="csv")
    phases = best_of(lambda: mttr.phase_durations(incidents))
    print(f"rows: {args.rows:,} ({size:.0f} MB CSV)")
    bare, ours = min(bare_times), min(our_times)
    bare_mid, ours_mid = statistics.median(bare_times), statistics.median(our_times)
    print(f"best (median) of {args.repeat} interleaved runs each:")
    print(f"pandas.read_csv(engine='pyarrow') + to_datetime of 6 columns: {bare:.3f} s ({bare_mid:.3f} s)")
    print(
        f"mttr.read_export(source='csv'):                               {ours:.3f} s ({ours_mid:.3f} s)"
        f"  {ours / bare:.2f}x bare ({ours_mid / bare_mid:.2f}x by medians)"
    )
    print(f"mttr.phase_durations:                                         {phases:.3f} s")


if __name__ == "__main__":
    main()
