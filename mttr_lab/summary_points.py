"""The point estimates of a grouped summary, every group at once.

:func:`mttr_lab.duration_summary` reports, per group, counts and the mean, standard deviation,
extremes, geometric mean and quantiles of the observed durations. Here they are computed for all
groups together on the values gathered by group (each group a slice): sums by
``np.add.reduceat`` rather than a handful of NumPy calls per group, and quantiles by partitioning
each group at the few ranks they need (or from the group sorted, when its intervals need every
order statistic). The estimates are the same with or without intervals: the intervals are
computed afterwards, from these.
"""

from __future__ import annotations

import numpy as np

from .halves import in_halves

__all__ = ["MIN_COUNT", "QUANTILES", "point_estimates", "quantiles"]

#: The fewest observed durations for which each statistic is reported (statistics.md §4.2:
#: no estimator rescues p99 below about 100 incidents; p90 is unstable below 20-30).
MIN_COUNT = {"mean": 2, "std": 2, "median": 1, "p90": 20, "p95": 40, "p99": 100}

QUANTILES = {"p50": 0.5, "p90": 0.9, "p95": 0.95, "p99": 0.99}

_LEVELS = np.array(list(QUANTILES.values()))


def quantiles(
    values: np.ndarray, method: str, *, is_sorted: bool = True, in_place: bool = False
) -> np.ndarray:
    """``np.quantile(values, QUANTILES, method=method)`` of values (at least one).

    For ``"linear"``, numpy's own steps (virtual index, neighbours, its two-sided lerp) taken
    directly on the values, without its checks: the same numbers. Values not sorted are
    partitioned at the ranks the levels need (a few, cheaper than sorting them all): a copy of
    them, or the values themselves with ``in_place``.
    """
    if method != "linear":
        return np.quantile(values, _LEVELS, method=method)
    last = len(values) - 1
    virtual = last * _LEVELS
    below = np.floor(virtual)
    above = below + 1
    top = virtual >= last
    below[top] = above[top] = -1
    t = virtual - below
    ranks_below, ranks_above = below.astype(np.intp), above.astype(np.intp)
    if not is_sorted:  # the ranks read below in their places (-1: the largest)
        kth = np.unique(np.concatenate([ranks_below, ranks_above]) % len(values))
        if in_place:
            values.partition(kth)
        else:
            values = np.partition(values, kth)
    a, b = values[ranks_below], values[ranks_above]
    step = b - a
    out = a + step * t
    np.subtract(b, step * (1 - t), out=out, where=t >= 0.5)
    return out


def _reduce(ufunc: np.ufunc, values: np.ndarray, bounds: np.ndarray, empty: float, **kw) -> np.ndarray:
    """``ufunc`` reduced over each group's values, ``empty`` for an empty group; ``bounds`` as in
    :func:`point_estimates`, its last the values' end."""
    starts = bounds[:-1]
    filled = starts < bounds[1:]
    out = np.full(len(starts), empty, dtype=kw.get("dtype", values.dtype))
    if filled.any():  # the groups with values follow each other: each runs to the next one's start
        out[filled] = ufunc.reduceat(values, starts[filled], **kw)
    return out


def _within(mask: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Where each group's rows begin and end among the rows ``mask`` keeps (bounds of the kept)."""
    kept = _reduce(np.add, mask.view(np.uint8), bounds, 0, dtype=np.int64)
    return np.concatenate([[0], np.cumsum(kept)])


def _sums(values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """The sum of each group's values (0 for an empty group); ``bounds`` as in :func:`point_estimates`."""
    return _reduce(np.add, values, bounds, 0.0)


def _extreme(ufunc: np.ufunc, values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Each group's minimum or maximum (NaN for an empty group)."""
    return _reduce(ufunc, values, bounds, np.nan)


def point_estimates(
    minutes: np.ndarray,
    censored: np.ndarray,
    is_open: np.ndarray,
    bounds: np.ndarray,
    *,
    method: str,
    keep_sorted: bool,
) -> tuple[dict[str, np.ndarray], list[list[str]], np.ndarray, np.ndarray]:
    """Counts and point estimates of every group; group ``i`` is rows ``bounds[i]:bounds[i + 1]``.

    Parameters
    ----------
    minutes, censored, is_open : ndarray
        Per incident, gathered by group: the duration in minutes (NaN when not measurable), whether
        it is censored, whether the incident is open.
    bounds : ndarray
        Where each group begins, and the end of the last.
    method : str
        numpy's quantile method.
    keep_sorted : bool
        Sort each group's observed values (the intervals then need them all in order) rather
        than partition them.

    Returns
    -------
    tuple
        The columns (``count``, ``open``, ``observed``, ``missing``, ``mean``, ``std``, ``min``,
        ``max``, ``geomean``, ``p50``, ``p90``, ``p95``, ``p99``, ``median``; and ``log_mean``,
        ``log_std``, ``log_n`` of the positive values, for the geometric mean's interval), each group's
        notes, the observed values by group (sorted within each group with ``keep_sorted``) and
        their bounds.
    """
    is_observed = ~censored & ~np.isnan(minutes)
    count = np.diff(bounds)
    at = _within(is_observed, bounds)  # the groups' bounds among the observed values
    n = np.diff(at)
    waiting = np.diff(_within(is_open & ~is_observed, bounds))
    columns: dict[str, np.ndarray] = {
        "count": count,
        "open": waiting,
        "observed": n,
        "missing": count - n - waiting,
    }
    values = minutes[is_observed]
    positive = values > 0
    at_positive = _within(positive, at)
    n_positive = np.diff(at_positive)
    logs = np.log(values[positive])
    with np.errstate(invalid="ignore", divide="ignore"):
        # sums in the export's order, before any sort: the same with or without intervals
        mean = _sums(values, at) / n
        log_mean = _sums(logs, at_positive) / n_positive
        spread = np.sqrt(_sums((values - np.repeat(mean, n)) ** 2, at) / (n - 1))
        log_spread = np.sqrt(
            _sums((logs - np.repeat(log_mean, n_positive)) ** 2, at_positive) / (n_positive - 1)
        )
    columns["mean"] = np.where(n >= MIN_COUNT["mean"], mean, np.nan)
    columns["std"] = np.where(n >= MIN_COUNT["std"], spread, np.nan)
    columns["min"] = _extreme(np.minimum, values, at)
    columns["max"] = _extreme(np.maximum, values, at)
    columns["geomean"] = np.where(n_positive > 0, np.exp(log_mean), np.nan)
    columns["log_mean"], columns["log_std"], columns["log_n"] = log_mean, log_spread, n_positive
    cuts = np.full((len(n), len(QUANTILES)), np.nan)

    def cut(rows: slice) -> None:  # the groups starting among these values
        for i in np.flatnonzero((n > 0) & (at[:-1] >= rows.start) & (at[:-1] < rows.stop)):
            group = values[at[i] : at[i + 1]]  # a view: sorted or partitioned in place
            if keep_sorted:
                group.sort()
            cuts[i] = quantiles(group, method, is_sorted=keep_sorted, in_place=True)

    # groups side by side in two threads, each with about half of the values
    in_halves(cut, len(values), middle=int(at[np.searchsorted(at, len(values) // 2)]))
    notes: list[list[str]] = [[] for _ in n]
    for i in np.flatnonzero(n_positive < n):
        notes[i].append(f"geomean leaves out {n[i] - n_positive[i]} zero duration(s)")
    for j, name in enumerate(QUANTILES):
        need = MIN_COUNT["median" if name == "p50" else name]
        columns[name] = np.where((n >= need) & (n > 0), cuts[:, j], np.nan)
        if name != "p50":
            for i in np.flatnonzero(n < need):
                notes[i].append(f"{name} needs at least {need} observed incidents")
    columns["median"] = columns["p50"]
    for i in np.flatnonzero(n == 0):
        notes[i].append("no observed durations")
    return columns, notes, values, at
