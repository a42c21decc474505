"""duration_summary with bootstrap intervals: 50 groups of 1,000 incidents, 2,000 resamples.

Run: .venv/bin/python benchmarks/bench_stats.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

import mttr_lab as mttr


def durations_frame(groups: int, per_group: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = groups * per_group
    start = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(np.arange(n), unit="min")
    minutes = rng.lognormal(np.log(60), 1.25, n)
    resolved = start + pd.to_timedelta(minutes, unit="min")
    unobserved = pd.Series(pd.NaT, index=range(n), dtype="datetime64[us, UTC]")
    incidents = pd.DataFrame(
        {
            "incident_id": np.arange(n).astype(str),
            "service": np.repeat([f"svc{i:02d}" for i in range(groups)], per_group),
            "started_at": unobserved,
            "detected_at": start,
            "acknowledged_at": unobserved,
            "diagnosed_at": unobserved,
            "recovered_at": unobserved,
            "resolved_at": resolved,
        }
    )
    return mttr.phase_durations(incidents)


def main() -> None:
    durations = durations_frame(50, 1000)
    mttr.duration_summary(durations.head(2000), by="service")  # warm up imports
    t = time.perf_counter()
    table = mttr.duration_summary(durations, by="service", n_resamples=2000)
    took = time.perf_counter() - t
    t = time.perf_counter()
    mttr.duration_summary(durations, by="service", intervals=False)
    fast = time.perf_counter() - t
    print(
        f"duration_summary, 50 groups x 1,000, bootstrap 2,000 resamples + KM + exact intervals: {took:.2f} s"
    )
    print(f"duration_summary, same, intervals=False:                                          {fast:.2f} s")
    assert len(table) == 50


if __name__ == "__main__":
    main()
