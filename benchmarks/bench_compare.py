"""compare_periods on 2 x 5,000 incidents with 2,000 bootstrap resamples (target: under 3 s), and
the trend tables on two years of about 100 incidents a month.

Run: .venv/bin/python benchmarks/bench_compare.py
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from mttr_lab.compare import compare_periods
from mttr_lab.phases import phase_durations
from mttr_lab.stratified import compare_periods_stratified
from mttr_lab.trend import duration_trend, improvement_question, rolling_trend


def durations_frame(n: int, days: float, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    offsets = np.sort(rng.uniform(0, days * 86400, n)).round()
    start = (pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(offsets, unit="s")).as_unit("us")
    minutes = rng.lognormal(np.log(60), 1.25, n) * 0.95 ** (offsets / (30.44 * 86400))
    unobserved = pd.Series(pd.NaT, index=range(n), dtype="datetime64[us, UTC]")
    incidents = pd.DataFrame(
        {
            "incident_id": np.arange(n).astype(str),
            "severity": pd.Categorical(
                rng.choice(["low", "medium", "high", "critical"], n),
                categories=["low", "medium", "high", "critical"],
                ordered=True,
            ),
            "started_at": unobserved,
            "detected_at": start,
            "acknowledged_at": unobserved,
            "diagnosed_at": unobserved,
            "recovered_at": unobserved,
            "resolved_at": (start + pd.to_timedelta(minutes.round(2), unit="min")).as_unit("us"),
        }
    )
    return phase_durations(incidents)


def timed(label: str, call) -> float:
    t = time.perf_counter()
    call()
    took = time.perf_counter() - t
    print(f"{label:<72} {took:6.2f} s")
    return took


def main() -> None:
    big = durations_frame(10_000, 360)
    before = ("2024-01-01T00:00Z", "2024-06-28T00:00Z")
    after = ("2024-06-28T00:00Z", "2025-01-01T00:00Z")
    halves = compare_periods(big, before=before, after=after, n_resamples=200)  # warm up imports
    print(
        f"n_before {halves['n_before'].iloc[0]}, n_after {halves['n_after'].iloc[0]}: "
        f"verdict {halves['verdict'].iloc[0]!r}"
    )
    took = timed(
        "compare_periods, 2 x 5,000 incidents, 2,000 BCa resamples",
        lambda: compare_periods(big, before=before, after=after, n_resamples=2000),
    )
    timed(
        "compare_periods_stratified, 2 x 5,000 incidents, 4 severities",
        lambda: compare_periods_stratified(big, before=before, after=after),
    )
    two_years = durations_frame(2400, 730, seed=1)
    timed("duration_trend, 24 months x ~100 incidents", lambda: duration_trend(two_years))
    timed(
        "duration_trend by severity, 24 months x 4 severities",
        lambda: duration_trend(two_years, by="severity"),
    )
    timed("rolling_trend, 30-day window every 7 days over two years", lambda: rolling_trend(two_years))
    timed("improvement_question, 24 months", lambda: improvement_question(two_years))
    assert took < 3.0, f"compare_periods took {took:.2f} s (target: under 3 s)"


if __name__ == "__main__":
    main()
