"""The limit: the same grouped MTTx aggregates written by hand in numpy on the loaded arrays.

Given the incidents already in memory as plain arrays (int64 microseconds per milestone, NaT as
the smallest int64, one integer code per severity x service group), compute per group and metric
the count, median, p90 and p99 in minutes with linear interpolation (numpy's default, DuckDB's
``quantile_cont``, ``statistics.quantiles(method="inclusive")``). One stable sort per metric on a
combined (group, value) key, then every quantile of every group by index arithmetic: no Python
loop over groups or rows. A negative difference (milestones out of order) is left out, as a
missing one is.

Run: python benchmarks/baseline_numpy.py EXPORT.csv   (prints the grouped table)
"""

from __future__ import annotations

import sys

import numpy as np

METRICS = ("time_to_respond", "time_to_repair", "time_to_recover")
NAT = np.iinfo(np.int64).min
QUANTILES = np.array([0.5, 0.9, 0.99])
#: Differences below this many microseconds (about 12.7 days) fit the combined sort key below.
_KEY_BITS = 40


def arrays_of(incidents) -> dict[str, np.ndarray | list]:
    """The plain arrays of a loaded ``incidents`` frame (not timed: the contenders share them)."""
    import pandas as pd

    def micros(column: str) -> np.ndarray:
        values = incidents[column].dt.as_unit("us").array.asi8
        return np.asarray(values, dtype=np.int64).copy()

    def first(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.where(a != NAT, a, b)

    kept = incidents["exclude_reason"].isna().to_numpy()
    keys = pd.MultiIndex.from_arrays(
        [incidents["severity"].astype("str"), incidents["service"].astype("str")]
    )
    codes, names = pd.factorize(keys)
    codes = np.where(kept & incidents["severity"].notna().to_numpy(), codes, -1)
    recovery = first(micros("recovered_at"), micros("resolved_at"))
    return {
        "group": codes.astype(np.int64),
        "names": [tuple(map(str, n)) for n in names],
        "time_to_respond": (micros("detected_at"), micros("acknowledged_at")),
        "time_to_repair": (micros("acknowledged_at"), recovery),
        "time_to_recover": (first(micros("started_at"), micros("detected_at")), recovery),
    }


def grouped_stats(arrays: dict) -> list[tuple[str, str, str, int, float, float, float]]:
    """Per severity x service x metric: (severity, service, metric, n, median, p90, p99) in minutes."""
    groups, names = arrays["group"], arrays["names"]
    n_groups = len(names)
    rows = []
    for metric in METRICS:
        start, end = arrays[metric]
        ok = (start != NAT) & (end != NAT) & (groups >= 0)
        diff = end[ok] - start[ok]
        g = groups[ok]
        keep = diff >= 0
        diff, g = diff[keep], g[keep]
        if len(diff) and diff.max() < (1 << _KEY_BITS) and n_groups < (1 << (62 - _KEY_BITS)):
            values = np.sort((g << _KEY_BITS) | diff) & ((1 << _KEY_BITS) - 1)  # by group, then value
        else:
            order = np.lexsort((diff, g))
            values = diff[order]
        minutes = values / 6e7
        counts = np.bincount(g, minlength=n_groups)
        offsets = np.concatenate(([0], np.cumsum(counts)[:-1]))
        present = np.flatnonzero(counts)
        n = counts[present]
        h = (n[:, None] - 1) * QUANTILES  # linear interpolation between order statistics
        low = np.floor(h).astype(np.int64)
        high = np.minimum(low + 1, n[:, None] - 1)
        base = offsets[present][:, None]
        a, b = minutes[base + low], minutes[base + high]
        q = a + (h - low) * (b - a)
        for i, k in enumerate(present):
            median, p90, p99 = q[i]
            if n[i] < 2:
                p90 = p99 = float("nan")
            severity, service = names[k]
            rows.append((severity, service, metric, int(n[i]), float(median), float(p90), float(p99)))
    return sorted(rows)


def main(path: str) -> None:
    import mttr_lab as mttr

    print("severity  service          metric            n    median     p90      p99")
    rows = grouped_stats(arrays_of(mttr.read_export(path, source="csv")))
    for sev, svc, metric, n, median, p90, p99 in rows:
        print(f"{sev:<9} {svc:<16} {metric:<16} {n:>6} {median:8.2f} {p90:8.2f} {p99:8.2f}")


if __name__ == "__main__":
    main(sys.argv[1])
