"""Before/after comparisons: did recovery really change between two periods, or is it noise?

:func:`compare_periods` compares the incidents whose clock started in one period with those of
another: the ratio of medians with a seeded bootstrap interval, the ratio of geometric means with
a Welch t interval on log durations, a Mann–Whitney U test (and a log-rank test that counts open
incidents as censored), and a verdict that says "improved" or "worsened" only when the
geometric-mean-ratio interval lies on one side of 1 and the rank tests agree. That Welch test on
log durations is the one whose power :func:`detectable_ratio` and :func:`needed_per_group`
compute, so a change they call detectable at 80 % is called "improved" about that often. It also
says what these incident counts could have detected at all (statistics.md §4.3: durations are
about lognormal with log-σ ≈ 1.25, so a 10 % change needs about 2,200 incidents per group).

:func:`mttr_lab.compare_periods_stratified` (module ``stratified``) does the same per stratum;
:func:`mttr_lab.compare_groups` (module ``groups``) compares groups with each other.

Every table carries the level of its intervals in ``attrs["confidence"]``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import stats

from .frames import DURATIONS, Period, require, require_metric
from .intervals import BCA_MAX_N, bootstrap_methods
from .summary_groups import censored_arrays

__all__ = [
    "VERDICTS",
    "compare_periods",
    "detectable_ratio",
    "needed_per_group",
]


#: The only words a comparison's verdict may use.
VERDICTS: tuple[str, ...] = ("improved", "worsened", "no detectable change")

#: Observed durations each period needs for a bootstrap interval of the ratio of medians.
MIN_BOOTSTRAP = 5
#: Resampled values held in memory at once by the bootstrap (about 16 MB of float64).
_BATCH_VALUES = 2_000_000


# --------------------------------------------------------------------------- small pieces


def detectable_ratio(
    sigma: float | np.ndarray,
    n_before: float | np.ndarray,
    n_after: float | np.ndarray,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
) -> float | np.ndarray:
    """Smallest after/before ratio (below 1) a two-sided test on log durations detects with ``power``.

    ``exp(-(z_{1-alpha/2} + z_power) * sigma * sqrt(1/n_before + 1/n_after))``, the normal
    approximation of statistics.md §4.3 (σ = 1.25 and 20 per group give 0.33). A worsening is
    detectable from the reciprocal.
    """
    k = stats.norm.isf(alpha / 2) + stats.norm.ppf(power)
    return np.exp(-k * np.asarray(sigma) * np.sqrt(1 / np.asarray(n_before) + 1 / np.asarray(n_after)))


def needed_per_group(ratio: float, sigma: float, *, alpha: float = 0.05, power: float = 0.8) -> float:
    """Incidents per group for a two-sided test on log durations to detect ``ratio`` with ``power``.

    ``n = 2 (z_{1-alpha/2} + z_power)^2 sigma^2 / (ln ratio)^2`` (statistics.md §4.3: 2,210 for a
    10 % cut at σ = 1.25). NaN when the ratio is 1 or not finite.
    """
    if not (np.isfinite(ratio) and ratio > 0 and ratio != 1 and np.isfinite(sigma)):
        return np.nan
    k = stats.norm.isf(alpha / 2) + stats.norm.ppf(power)
    return float(np.ceil(2 * k**2 * sigma**2 / np.log(ratio) ** 2))


def _period(value, name: str) -> tuple[pd.Timestamp, pd.Timestamp]:
    return Period.of(value, name=name)


def _check(durations: pd.DataFrame, metric: str, confidence: float, alpha: float, power: float) -> None:
    require_metric(durations, metric, function="comparison")
    for label, value in (("confidence", confidence), ("alpha", alpha), ("power", power)):
        if not 0 < value < 1:
            raise ValueError(f"{label} must be between 0 and 1, not {value!r}")


class _Split(NamedTuple):
    """Per-incident minutes, censored and observed flags, and the masks of the two periods."""

    minutes: np.ndarray
    censored: np.ndarray
    observed: np.ndarray
    in_before: np.ndarray
    in_after: np.ndarray

    def period_values(
        self, in_before: np.ndarray, in_after: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, int, int]:
        """The observed minutes of each period and its open (censored) incidents."""
        b, a = self.minutes[in_before & self.observed], self.minutes[in_after & self.observed]
        return b, a, int((in_before & self.censored).sum()), int((in_after & self.censored).sum())


def _split(durations: pd.DataFrame, metric: str, before: Period, after: Period) -> _Split:
    """Per-incident minutes/censored/observed, and the masks of the two periods ([start, end))."""
    b0, b1 = _period(before, "before")
    a0, a1 = _period(after, "after")
    if b0 < a1 and a0 < b1:
        raise ValueError(f"before {before!r} and after {after!r} overlap; the periods must be disjoint")
    # censored_minutes' values, from the columns' arrays (no frame built for them)
    minutes, censored = censored_arrays(durations, metric)
    start = durations["clock_start"]
    return _Split(
        minutes=minutes,
        censored=censored,
        observed=~np.isnan(minutes) & ~censored,
        in_before=((start >= b0) & (start < b1)).to_numpy(dtype=bool),
        in_after=((start >= a0) & (start < a1)).to_numpy(dtype=bool),
    )


def _positive_logs(values: np.ndarray) -> np.ndarray:
    return np.log(values[values > 0])


def _geomean(values: np.ndarray) -> float:
    """Geometric mean of the positive values (NaN without one)."""
    logs = _positive_logs(values)
    return float(np.exp(logs.mean())) if len(logs) else np.nan


def _welch_logs(before: np.ndarray, after: np.ndarray, confidence: float) -> dict[str, float]:
    """Ratio of geometric means (after/before) with the Welch t interval and p-value on logs."""
    out = dict.fromkeys(("ratio", "low", "high", "p", "diff", "se", "df"), np.nan)
    lb, la = _positive_logs(before), _positive_logs(after)
    if len(lb) < 2 or len(la) < 2:
        return out
    out["diff"] = float(la.mean() - lb.mean())
    out["ratio"] = float(np.exp(out["diff"]))
    vb, va = lb.var(ddof=1) / len(lb), la.var(ddof=1) / len(la)
    if np.sqrt(vb + va) <= 1e-9 * max(1.0, abs(float(lb.mean())), abs(float(la.mean()))):
        return out  # no spread (rounding leaves ~1e-16): no test, rather than p ≈ 0 for equal durations
    res = stats.ttest_ind(la, lb, equal_var=False)
    ci = res.confidence_interval(confidence)
    out.update(
        low=float(np.exp(ci.low)),
        high=float(np.exp(ci.high)),
        p=float(res.pvalue),
        se=float(np.sqrt(vb + va)),
        df=float(res.df),
    )
    return out


def _pooled_sigma(before: np.ndarray, after: np.ndarray) -> float:
    """Within-group standard deviation of log durations (pooled over the two groups)."""
    lb, la = _positive_logs(before), _positive_logs(after)
    dof = len(lb) + len(la) - 2
    if len(lb) < 2 or len(la) < 2 or dof < 1:
        return np.nan
    return float(np.sqrt(((len(lb) - 1) * lb.var(ddof=1) + (len(la) - 1) * la.var(ddof=1)) / dof))


def _median_ratio(before, after, axis=-1):
    return np.median(after, axis=axis) / np.median(before, axis=axis)


def median_ratio_interval(
    before: np.ndarray, after: np.ndarray, *, confidence: float, n_resamples: int, seed: int
) -> tuple[float, float, str]:
    """Seeded two-sample bootstrap interval of median(after)/median(before).

    BCa (``scipy.stats.bootstrap``, vectorised, resampling each period independently), falling
    back to the percentile bootstrap where BCa degenerates; the percentile bootstrap alone above
    :data:`mttr_lab.stats.BCA_MAX_N` incidents, where BCa's jackknife costs O(n²). Returns ``(low, high, method)``;
    NaN and a reason when either period has fewer than :data:`MIN_BOOTSTRAP` durations.
    """
    if len(before) < MIN_BOOTSTRAP or len(after) < MIN_BOOTSTRAP:
        return np.nan, np.nan, f"ratio interval needs at least {MIN_BOOTSTRAP} observed incidents per period"
    if np.median(before) <= 0:
        return np.nan, np.nan, "median before is 0: no ratio"
    batch = max(50, _BATCH_VALUES // max(len(before), len(after)))
    for method in bootstrap_methods(len(before) + len(after)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # degenerate BCa and zero medians: handled below
            res = stats.bootstrap(
                (before, after),
                _median_ratio,
                n_resamples=n_resamples,
                batch=batch,
                vectorized=True,
                paired=False,
                confidence_level=confidence,
                method=method,
                rng=np.random.default_rng(seed),
            )
        low, high = res.confidence_interval
        if np.isfinite(low) and np.isfinite(high):
            return float(low), float(high), method
    return np.nan, np.nan, "bootstrap interval degenerate (too many equal or zero durations)"


def _percentile_note(n: int) -> str:
    """What happened when the median-ratio interval is a percentile bootstrap."""
    if "BCa" not in bootstrap_methods(n):
        return f"percentile bootstrap: BCa skipped above {BCA_MAX_N:,} incidents"
    return "percentile bootstrap: BCa undefined here (many equal or zero durations)"


def _verdict(low: float, high: float, p_values: Sequence[float], alpha: float) -> str:
    significant = all(np.isfinite(p) and p < alpha for p in p_values)
    if significant and high < 1:
        return "improved"
    if significant and low > 1:
        return "worsened"
    return "no detectable change"


def _join(notes: Sequence[str]) -> object:
    kept = [n for n in notes if n]
    return "; ".join(kept) if kept else pd.NA


def _finish(table: pd.DataFrame, confidence: float) -> pd.DataFrame:
    """``verdict`` and ``note`` as str (``note`` NA where nothing is missing), the level in attrs."""
    table["verdict"] = table["verdict"].astype("str")
    table["note"] = table["note"].astype("str").where(table["note"].notna())
    table.attrs["confidence"] = confidence
    return table


# --------------------------------------------------------------------------- compare_periods


def compare_periods(
    durations: pd.DataFrame,
    *,
    before: Period,
    after: Period,
    metric: str = "time_to_recover",
    confidence: float = 0.95,
    n_resamples: int = 2000,
    seed: int = 0,
    alpha: float = 0.05,
    power: float = 0.8,
) -> pd.DataFrame:
    """Compare one duration between two periods: ratio of medians, tests and an honest verdict.

    Incidents belong to a period by ``clock_start`` in ``[start, end)``. The statistics use the
    closed incidents whose ``metric`` was observed; open incidents are counted and enter the
    log-rank test as right-censored at ``as_of``. Intervals and tests:

    * ``median_ratio`` (after/before) with a seeded two-sample bootstrap interval
      (``scipy.stats.bootstrap``, BCa, percentile where BCa degenerates);
    * ``geomean_ratio`` with the Welch t interval on log durations (zero durations left out);
    * ``p_value``: two-sided Mann–Whitney U; ``p_value_logrank``: ``scipy.stats.logrank`` on the
      censored data (open incidents included).

    The ``verdict`` is "improved" only when the whole geometric-mean-ratio interval (Welch on log
    durations) lies below 1 *and* ``p_value < alpha`` (and, when any incident of either period
    is still open, also ``p_value_logrank < alpha``, because the closed incidents of a recent
    period are the short ones); "worsened" symmetrically; otherwise "no detectable change".
    Detectability (``detectable_ratio``, ``needed_per_group``) is the power of that same test on
    log durations, in the lognormal model of statistics.md §4.3 with ``sigma``, the pooled
    within-period standard deviation of log durations: a change it calls detectable at 80 % is
    called "improved" in about 80 % of samples of that size (simulated in the tests). The
    median ratio is reported beside it; its bootstrap interval is less efficient (about 2/π)
    and would make the verdict weaker than its own power figures promise.

    Parameters
    ----------
    durations : DataFrame
        The output of :func:`mttr_lab.phase_durations`.
    before, after : (start, end)
        Timezone-aware timestamps or strings with an offset; a naive one raises ValueError.
        The periods must not overlap.
    metric : str
        A metric (``time_to_recover``, ...) or a phase.
    confidence : float
        Level of both intervals.
    n_resamples, seed : int
        Bootstrap resamples and the seed of its numpy Generator.
    alpha, power : float
        Significance level of the verdict and power of the detectability figures.

    Returns
    -------
    DataFrame
        One row: ``n_before``, ``n_after`` (observed durations used), ``open_before``,
        ``open_after`` (open incidents, censored), ``median_before``, ``median_after``,
        ``median_ratio``, ``median_ratio_low``, ``median_ratio_high``, ``geomean_before``,
        ``geomean_after``, ``geomean_ratio``, ``geomean_ratio_low``, ``geomean_ratio_high``
        (minutes and after/before ratios), ``p_value``, ``p_value_logrank``, ``verdict`` (one of
        :data:`VERDICTS`), ``sigma`` (log scale), ``detectable_ratio`` (smallest ratio below 1 these
        counts detect with ``power``), ``needed_per_group`` (incidents per period needed to detect
        the observed ``geomean_ratio`` with ``power``; NA when it is 1) and ``note`` (what is
        missing and why; NA when nothing is).
    """
    _check_compare(durations, metric, confidence, alpha, power, n_resamples)
    split = _split(durations, metric, before, after)
    row = _comparison_row(
        split, metric, confidence=confidence, n_resamples=n_resamples, seed=seed, alpha=alpha, power=power
    )
    table = pd.DataFrame([row])
    table["needed_per_group"] = table["needed_per_group"].astype("Int64")
    return _finish(table, confidence)


def _check_compare(
    durations: pd.DataFrame, metric: str, confidence: float, alpha: float, power: float, n_resamples: int
) -> None:
    require(durations, DURATIONS, function="compare_periods")
    _check(durations, metric, confidence, alpha, power)
    if not isinstance(n_resamples, (int, np.integer)) or n_resamples < 100:
        raise ValueError(f"n_resamples must be an integer of at least 100, not {n_resamples!r}")


def _comparison_row(
    split: _Split,
    metric: str,
    *,
    confidence: float,
    n_resamples: int,
    seed: int,
    alpha: float,
    power: float,
) -> dict[str, object]:
    """The one row of :func:`compare_periods`, its columns in order; ``note`` says what is missing."""
    b, a, open_b, open_a = split.period_values(split.in_before, split.in_after)
    notes: list[str] = []
    unmeasured = int(((split.in_before | split.in_after) & ~split.observed & ~split.censored).sum())
    if unmeasured:
        notes.append(f"{unmeasured} closed incident(s) without a measurable {metric} left out")
    row: dict[str, object] = {
        "n_before": len(b),
        "n_after": len(a),
        "open_before": open_b,
        "open_after": open_a,
    }
    row.update(_median_columns(b, a, confidence=confidence, n_resamples=n_resamples, seed=seed, notes=notes))
    zeros = int((b <= 0).sum() + (a <= 0).sum())
    if zeros:
        notes.append(f"geomean leaves out {zeros} zero duration(s)")
    welch = _welch_logs(b, a, confidence)
    row.update(geomean_before=_geomean(b), geomean_after=_geomean(a), geomean_ratio=welch["ratio"])
    row.update(geomean_ratio_low=welch["low"], geomean_ratio_high=welch["high"])
    row.update(_rank_tests(split, b, a))
    tests = [row["p_value"]]
    if open_b or open_a:
        tests.append(row["p_value_logrank"])
        notes.append(
            f"{open_b + open_a} open incident(s) are not in the medians (closed ones understate a "
            "recent period); the verdict also needs the log-rank test"
        )
    row["verdict"] = _verdict(welch["low"], welch["high"], tests, alpha)
    row.update(_detectability_columns(b, a, welch["ratio"], alpha=alpha, power=power, notes=notes))
    row["note"] = _join(notes)
    return row


def _median_columns(
    b: np.ndarray, a: np.ndarray, *, confidence: float, n_resamples: int, seed: int, notes: list[str]
) -> dict[str, float]:
    """Medians of the two periods, their ratio and its bootstrap interval (``notes`` say what is missing)."""
    median_b = float(np.median(b)) if len(b) else np.nan
    median_a = float(np.median(a)) if len(a) else np.nan
    if not len(b) or not len(a):
        notes.append("a period has no observed durations")
    low, high, how = median_ratio_interval(b, a, confidence=confidence, n_resamples=n_resamples, seed=seed)
    if how == "percentile":
        notes.append(_percentile_note(len(b) + len(a)))
    elif how != "BCa":
        notes.append(how)
    return {
        "median_before": median_b,
        "median_after": median_a,
        "median_ratio": median_a / median_b if len(a) and len(b) and median_b > 0 else np.nan,
        "median_ratio_low": low,
        "median_ratio_high": high,
    }


def _rank_tests(split: _Split, b: np.ndarray, a: np.ndarray) -> dict[str, float]:
    """Two-sided Mann–Whitney U on the observed durations; log-rank with the open ones censored."""
    p_value = float(stats.mannwhitneyu(a, b, alternative="two-sided").pvalue) if len(a) and len(b) else np.nan
    minutes, censored = split.minutes, split.censored
    usable_b, usable_a = split.in_before & ~np.isnan(minutes), split.in_after & ~np.isnan(minutes)
    logrank = np.nan
    if split.observed[usable_b].any() and split.observed[usable_a].any():
        logrank = float(
            stats.logrank(
                stats.CensoredData.right_censored(minutes[usable_a], censored[usable_a]),
                stats.CensoredData.right_censored(minutes[usable_b], censored[usable_b]),
            ).pvalue
        )
    return {"p_value": p_value, "p_value_logrank": logrank}


def _detectability_columns(
    b: np.ndarray, a: np.ndarray, ratio: float, *, alpha: float, power: float, notes: list[str]
) -> dict[str, object]:
    """``sigma``, ``detectable_ratio`` and ``needed_per_group`` of the test on log durations."""
    sigma = _pooled_sigma(b, a)
    detectable = (
        float(detectable_ratio(sigma, int((b > 0).sum()), int((a > 0).sum()), alpha=alpha, power=power))
        if np.isfinite(sigma)
        else np.nan
    )
    needed = needed_per_group(ratio, sigma, alpha=alpha, power=power)
    if np.isnan(sigma):
        notes.append("detectability needs at least 2 positive durations per period")
    elif np.isnan(needed):
        notes.append("no observed change: needed_per_group undefined")
    return {
        "sigma": sigma,
        "detectable_ratio": detectable,
        "needed_per_group": pd.NA if np.isnan(needed) else int(needed),
    }


# --------------------------------------------------------------------------- stratified


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjustment of a family of p-values (NaN stays NaN, not counted)."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    tested = np.flatnonzero(np.isfinite(p))
    m = len(tested)
    order = tested[np.argsort(p[tested], kind="stable")]
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out
