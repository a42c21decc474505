"""Core benchmark worker: the summary's intervals and the growth of phases + summary, as JSON.

``benchmarks/run.py`` runs each mode in its own process (so that each peak memory is its own)
and puts the results in its table of targets. The incidents are synthetic
(``synth_incidents(months=18, seed=7)``) taken in through :func:`mttr_lab.from_frame`, so no file
is read.

Modes:
  intervals  duration_summary by severity (4 groups) with its default intervals, and without,
             on N incidents; then with intervals on 50 groups x 1,000 incidents
  growth     phase_durations + duration_summary(by="severity", intervals=False) on N incidents:
             seconds (best of --repeat) and the peak resident memory during them

Run: .venv/bin/python benchmarks/bench_core.py intervals|growth --n 100000 [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from bench_scale import _reset_peak, memory_mb

import mttr_lab as mttr
from mttr_lab.synth import synth_incidents


def best(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(max(1, repeat)):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def incidents_of(n: int) -> pd.DataFrame:
    frame = synth_incidents(incidents=n, months=18, seed=7)
    incidents = mttr.from_frame(frame.drop(columns=[c for c in ("record", "exclude_reason") if c in frame]))
    del frame
    gc.collect()
    return incidents


def run_intervals(n: int, repeat: int) -> dict[str, Any]:
    durations = mttr.phase_durations(incidents_of(n))
    groups = int(durations["severity"].nunique())
    mttr.duration_summary(durations.head(1000), by="severity")  # warm: lazy imports (scipy) not timed
    plain = best(lambda: mttr.duration_summary(durations, by="severity", intervals=False), repeat)
    full = best(lambda: mttr.duration_summary(durations, by="severity"), repeat)
    # 50 groups of 1,000 incidents each, drawn from the same durations.
    fifty = durations.sample(50_000, replace=True, random_state=3).reset_index(drop=True)
    services = np.repeat([f"s{i:02d}" for i in range(50)], 1000)
    np.random.default_rng(3).shuffle(services)
    fifty["service"] = services
    grouped = best(lambda: mttr.duration_summary(fifty, by="service"), repeat)
    return {"n": n, "groups": groups, "without": plain, "with": full, "fifty_groups": grouped}


def run_growth(n: int, repeat: int) -> dict[str, Any]:
    incidents = incidents_of(n)
    frame_mb = float(incidents.memory_usage(deep=True).sum()) / 2**20
    _ = (mttr.phase_durations, mttr.duration_summary)  # the lazy imports first
    gc.collect()
    reset = _reset_peak()
    base = memory_mb()["rss"]

    def core() -> None:
        mttr.duration_summary(mttr.phase_durations(incidents), by="severity", intervals=False)

    seconds = best(core, repeat)
    peak = memory_mb()["peak"]
    return {
        "n": n,
        "seconds": seconds,
        "peak_mb": peak,
        "base_mb": base,
        "frame_mb": frame_mb,
        "peak_is_of_this_step": reset,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("intervals", "growth"))
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    run = run_intervals if args.mode == "intervals" else run_growth
    print(json.dumps(run(args.n, args.repeat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
