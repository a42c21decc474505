"""Intervals that cover at their stated level, or none: the machinery of the summaries.

Exact order-statistic intervals for quantiles (an end exists only from the size
:func:`quantile_interval_sizes` gives), a t interval for the mean only from
:data:`MEAN_INTERVAL_MIN` observed incidents, Kaplan–Meier with log-log bands when incidents are
open (scipy's ``ecdf`` estimate on censored data and its band, written out on the group's sorted
durations: the same numbers), within-target shares that count open incidents as censored, and the
bootstrap's method by size (:func:`bootstrap_methods`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from scipy import special, stats

__all__ = ["BCA_MAX_N", "MEAN_INTERVAL_MIN", "bootstrap_methods", "quantile_interval_sizes"]


def _quantile_ranks(
    sizes: np.ndarray, ps: Sequence[float], confidence: float
) -> tuple[np.ndarray, np.ndarray]:
    """The order statistics (0-based ranks) ending the intervals of :func:`_quantile_intervals`,
    for samples of each of ``sizes`` at once: arrays of shape (len(sizes), len(ps)); a lower end
    below 0 does not exist."""
    n = np.asarray(sizes, dtype=float)[:, None]
    ps = np.asarray(ps, dtype=float)[None, :]
    tail = (1 - confidence) / 2
    return stats.binom.ppf(tail, n, ps).astype(int) - 1, stats.binom.isf(tail, n, ps).astype(int)


def _quantile_intervals(
    values: np.ndarray,
    ps: Sequence[float],
    confidence: float,
    *,
    ranks: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Distribution-free intervals of p-quantiles from order statistics (exact binomial).

    ``values`` sorted. The same order statistics as ``scipy.stats.quantile_test(...)
    .confidence_interval`` (two-sided), for all ``ps`` in one binomial call (or the ``ranks``
    :func:`_quantile_ranks` gave for this size). An end that does not exist at this size (see
    :func:`quantile_interval_sizes`) is NaN. Returns shape (len(ps), 2).
    """
    n = len(values)
    if ranks is None:
        low_index, high_index = (r[0] for r in _quantile_ranks(np.array([n]), ps, confidence))
    else:
        low_index, high_index = ranks
    padded = np.append(values, np.nan)
    low = np.where(low_index >= 0, padded[np.clip(low_index, 0, n)], np.nan)
    high = padded[np.clip(high_index, 0, n)]
    return np.column_stack([low, high])


def quantile_interval_sizes(p: float, *, confidence: float = 0.95) -> tuple[int, int]:
    """The fewest observed durations for each end of the order-statistic interval of a quantile.

    The exact distribution-free interval of the p-quantile has an upper end only once the largest
    of n values lies above the quantile with probability at least (1 + confidence)/2, that is
    from ``p**n <= (1 - confidence)/2``; the lower end likewise from ``(1-p)**n <= (1 - confidence)/2``.
    At 95 %: the median's interval from 6 incidents at both ends; the upper end of p90 from 36,
    of p95 from 72 and of p99 from 368 (the lower ends from 2, 2 and 1).

    Returns
    -------
    tuple of int
        ``(lower, upper)``: the sizes from which each end exists.
    """
    if not 0 < p < 1:
        raise ValueError(f"p must be between 0 and 1, not {p!r}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}")
    tail = (1 - confidence) / 2

    def size(prob: float) -> int:
        n = max(1, int(np.floor(np.log(tail) / np.log(prob))))
        while prob**n > tail:  # the exact boundary, safe from rounding in the logarithms
            n += 1
        while n > 1 and prob ** (n - 1) <= tail:
            n -= 1
        return n

    return size(1 - p), size(p)


#: Above this many values BCa's jackknife (n evaluations of an O(n) statistic: O(n²) time) is
#: skipped for the percentile bootstrap, whose coverage error is then small anyway.
BCA_MAX_N = 2000
#: Values per bootstrap batch: bounds the resampling memory (about 8 bytes each).
BATCH_VALUES = 2**22


def bootstrap_methods(n: int) -> tuple[str, ...]:
    """BCa first (percentile where it degenerates) for small samples; percentile alone for large ones."""
    return ("BCa", "percentile") if n <= BCA_MAX_N else ("percentile",)


#: The fewest observed durations for an interval of the mean. Long-tailed durations make every
#: interval of the mean undercover below this (lognormal, sigma 1.25, 95 %: the BCa bootstrap
#: covered 79 % at n = 10, 86 % at 20, 92 % at 1,000; the t interval 92 % at 500, 94 % at 1,000,
#: 95 % at 5,000), so smaller groups show the mean without one.
MEAN_INTERVAL_MIN = 1000


def _t_intervals(
    center: np.ndarray, spread: np.ndarray, n: np.ndarray, confidence: float, *, least: int
) -> tuple[np.ndarray, np.ndarray]:
    """t intervals of means (``center``, sample standard deviation ``spread``, ``n`` values each,
    for several samples at once); NaN for a sample of fewer than ``least`` values."""
    n = np.asarray(n)
    with np.errstate(invalid="ignore", divide="ignore"):
        half = stats.t.ppf(0.5 + confidence / 2, n - 1) * spread / np.sqrt(n)
    enough = n >= least
    return np.where(enough, center - half, np.nan), np.where(enough, center + half, np.nan)


class _Curve(NamedTuple):
    """A Kaplan-Meier survival curve at its distinct event times, with its log-log band."""

    times: np.ndarray
    surv: np.ndarray
    low: np.ndarray
    high: np.ndarray


def _km_fit(deaths: np.ndarray, lost: np.ndarray, confidence: float) -> _Curve | None:
    """Kaplan-Meier survival curve and its log-log band; None without an observed duration.

    ``deaths`` are the observed durations, sorted; ``lost`` the censored ones. The values of
    ``scipy.stats.ecdf(CensoredData.right_censored(...)).sf`` and its
    ``confidence_interval(method="log-log")``, bit for bit (the same formulas on the same
    counts), computed from the sorted values without scipy's own sort and interpolants.
    """
    if len(deaths) == 0:
        return None
    if len(lost) == 0:  # scipy's uncensored estimate: 1 - the share at or below each time
        cut = np.diff(deaths, prepend=-np.inf, append=np.inf) > 0
        times, events = deaths[cut[:-1]], np.flatnonzero(cut[1:]) + 1
        size = len(deaths)
        surv = 1 - events / size
        at_risk = np.concatenate(([size], size - events[:-1]))
        died = np.diff(events, prepend=0)
    else:
        lost = np.sort(lost)
        where = np.searchsorted(deaths, lost)
        merged = np.insert(deaths, where, lost)  # sorted, as scipy's argsort orders them
        flags = np.insert(np.ones(len(deaths), dtype=np.int64), where, 0)
        cut = np.diff(merged, prepend=-np.inf, append=np.inf) > 0
        times = merged[cut[:-1]]
        at_risk = np.arange(len(merged), 0, -1)[cut[:-1]]
        died = np.diff(np.cumsum(flags)[cut[1:]], prepend=0)
        surv = np.cumprod((at_risk - died) / at_risk)
    with np.errstate(divide="ignore", invalid="ignore"):  # scipy's _loglog_ci; NaN where undefined
        se = np.sqrt(1 / np.log(surv) ** 2 * np.cumsum(died / (at_risk * (at_risk - died))))
        z = special.ndtri(1 / 2 + np.asarray(confidence)[()] / 2)
        points = np.log(-np.log(surv))
        z_se = z * se
        low = np.clip(np.exp(-np.exp(points + z_se)), 0, 1)
        high = np.clip(np.exp(-np.exp(points - z_se)), 0, 1)
    return _Curve(times, surv, low, high)


def _at(curve: _Curve, values: np.ndarray, t: float) -> float:
    """A step function of the curve (``surv``, ``low`` or ``high``) at ``t``: 1 before the first time."""
    k = int(np.searchsorted(curve.times, t, side="right"))
    return float(values[k - 1]) if k else 1.0


def _km(fit: _Curve | None) -> dict[str, float]:
    """Kaplan-Meier median and p90 with log-log intervals, from :func:`_km_fit`.

    A quantile is the first time where the survival curve falls to its level. Where the curve
    rests exactly on the level, it is the midpoint to the next time the curve falls below it (an
    incident recovering, not one still open); where it never does (every later incident still
    open), the time it reached the level: R's ``survival`` rule, which the open incidents' ages
    (they grow with the review date) never move.
    """
    out = dict.fromkeys(
        ("km_median", "km_median_low", "km_median_high", "km_p90", "km_p90_low", "km_p90_high"), np.nan
    )
    if fit is None:
        return out
    times, surv, low, high = fit

    def first(below: np.ndarray) -> float:
        hits = np.flatnonzero(below)
        return float(times[hits[0]]) if len(hits) else np.nan

    def point(level: float) -> float:
        # Where the curve rests exactly on the level (complete data at even n for the median),
        # the midpoint to the next time it falls, as the plain median averages its middle pair:
        # without censoring, km_median equals the median, so a gap between them is censoring.
        # The times of open incidents on the flat part are not falls: they are skipped.
        hits = np.flatnonzero(surv <= level + 1e-12)
        if not len(hits):
            return np.nan
        i = hits[0]
        if abs(surv[i] - level) < 1e-12:
            falls = np.flatnonzero(surv[i + 1 :] < level - 1e-12)
            if len(falls):
                return float((times[i] + times[i + 1 + falls[0]]) / 2)
        return float(times[i])

    for name, level in (("km_median", 0.5), ("km_p90", 0.1)):
        out[name] = point(level)
        # where the band is undefined (NaN) it has not fallen to the level: NaN <= level is False
        out[f"{name}_low"] = first(low <= level)
        out[f"{name}_high"] = first(high <= level)
    return out


def _wilson(k: int, n: int, confidence: float) -> tuple[float, float]:
    """Wilson interval of k successes in n: ``scipy.stats.binomtest(k, n).proportion_ci(confidence,
    method="wilson")`` in scipy's own steps, without the test's p-value (a search per call)."""
    p = k / n
    z = special.ndtri(0.5 + 0.5 * confidence)
    denom = 2 * (n + z**2)
    center = (2 * n * p + z**2) / denom
    delta = z / denom * math.sqrt(4 * n * p * (1 - p) + z**2)
    return 0.0 if k == 0 else float(center - delta), 1.0 if k == n else float(center + delta)


def _within(
    deaths: np.ndarray,
    lost: np.ndarray,
    target: float,
    confidence: float,
    fit: _Curve | None,
) -> tuple[float, float, float, int]:
    """Share recovered within ``target``: Kaplan-Meier 1 - S(target) with its log-log band when
    any incident is open (censored), the plain share with a Wilson interval when none is.

    ``deaths`` are the observed durations (sorted), ``lost`` the censored ones. Dropping
    incidents still open before the target would overstate the share (they are the slow ones).
    Returns the share, its interval, and how many open incidents are counted as censored
    before the target.
    """
    if not len(lost):
        n, k = len(deaths), int(np.searchsorted(deaths, target, side="right"))
        if n == 0:
            return np.nan, np.nan, np.nan, 0
        low, high = _wilson(k, n, confidence)
        return k / n, low, high, 0
    early = int((lost <= target).sum())
    if fit is None:
        return np.nan, np.nan, np.nan, early
    # the band of S(t): the share's band is its mirror image
    share = 1 - _at(fit, fit.surv, target)
    low, high = 1 - _at(fit, fit.high, target), 1 - _at(fit, fit.low, target)
    low = 0.0 if np.isnan(low) and share == 0 else low
    high = 1.0 if np.isnan(high) and share == 1 else high
    return share, low, high, early
