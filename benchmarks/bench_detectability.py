"""simulate_improvement: 10,000 Monte Carlo runs of a 200-incident comparison (target: under 5 s).

Run: .venv/bin/python benchmarks/bench_detectability.py [--sims 10000] [--incidents 200]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from mttr_lab.detectability import detectable_change, simulate_improvement


def best_of(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sims", type=int, default=10_000)
    parser.add_argument("--incidents", type=int, default=200)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    pool = 67.0 * np.exp(1.25 * rng.standard_normal(5_000))  # lognormal(median 67 min, sigma 1.25)

    print(f"{args.sims:,} runs of a {args.incidents}-incident comparison (50/50 split), best of 3:")
    for stats in (["mean"], ["median"], ["geomean"], ["p95"], ["mean", "median", "geomean", "p95"]):
        seconds = best_of(
            lambda stats=stats: simulate_improvement(
                pool, n_total=args.incidents, statistic=stats, n_sims=args.sims, seed=1
            )
        )
        flag = "ok" if seconds < 5 else "SLOW (target 5 s)"
        print(f"  statistic={'+'.join(stats):<28} {seconds:.3f} s  {flag}")
    seconds = best_of(lambda: detectable_change(pool, n_per_group=list(range(2, 2002)), test="t"))
    print(f"detectable_change(test='t') for 2,000 group sizes: {seconds:.3f} s")


if __name__ == "__main__":
    main()
