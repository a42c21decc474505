"""Summaries of phase durations: numbers only, no drawing.

Every interval is one that covers at its stated level, or none is shown and ``note`` says why:
exact order-statistic intervals for the median and percentiles (an end exists only from the
size :func:`quantile_interval_sizes` gives), a t interval for the mean only from
:data:`MEAN_INTERVAL_MIN` observed incidents, Kaplan–Meier with log-log bands for open incidents,
and within-target shares that count open incidents as censored. The level travels with the table
in ``attrs["confidence"]``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from numbers import Real

import numpy as np
import pandas as pd
from scipy import stats

from .frames import DURATIONS, minutes_observed, observed_arrays, require, require_metric
from .frames import group_keys as _group_keys
from .intervals import (
    MEAN_INTERVAL_MIN,
    _km,
    _km_fit,
    _quantile_intervals,
    _quantile_ranks,
    _t_intervals,
    _within,
    quantile_interval_sizes,
)
from .schema import PHASES
from .summary_groups import group_positions
from .summary_points import _LEVELS, MIN_COUNT, point_estimates

__all__ = [
    "MIN_COUNT",
    "censored_minutes",
    "duration_summary",
    "ecdf_table",
    "phase_breakdown",
    "to_minutes",
]


def to_minutes(values: pd.Series) -> pd.Series:
    """Timedeltas as float minutes (NaN where NaT)."""
    return values / pd.Timedelta(minutes=1)


def censored_minutes(durations: pd.DataFrame, *, metric: str = "time_to_recover") -> pd.DataFrame:
    """Each incident's ``metric`` in minutes, with open incidents as right-censored values.

    A closed incident contributes its observed duration; an open one whose ``metric`` is not yet
    observed contributes the time from the metric's start milestone to ``as_of`` (recovered from
    ``clock_start + open_for``), flagged ``censored``. Incidents where the metric cannot be measured
    (a milestone absent or out of order) get NaN.

    Returns
    -------
    DataFrame
        Indexed like ``durations``: ``minutes`` (float), ``censored`` (bool).
    """
    require_metric(durations, metric, function="censored_minutes")
    return minutes_observed(durations, metric=metric)[["minutes", "censored"]]


def duration_summary(
    durations: pd.DataFrame,
    *,
    metric: str = "time_to_recover",
    by: str | Sequence[str] | None = None,
    method: str = "linear",
    confidence: float = 0.95,
    intervals: bool = True,
    n_resamples: int = 2000,
    seed: int = 0,
    targets: float | Sequence[float] = (30, 60),
) -> pd.DataFrame:
    """Distribution of one duration per group, with intervals and censoring-aware estimates, in minutes.

    Point statistics use the observed (closed) durations. Quantiles use numpy's ``method``
    (``"linear"`` by default; ``"median_unbiased"`` is better for tail quantiles of small samples)
    and are reported only from a minimum number of observed incidents (:data:`MIN_COUNT`: 20 for
    p90, 40 for p95, 100 for p99); a group below it gets NaN and a ``note``. Intervals:
    exact distribution-free order-statistic intervals for the median and quantiles
    (``scipy.stats.quantile_test``); a t interval for the mean from :data:`MEAN_INTERVAL_MIN`
    observed incidents (none below, where no interval of a long-tailed mean covers); a t interval on log durations for the geometric mean. Kaplan-Meier
    estimates (``scipy.stats.ecdf``) count open incidents as right-censored at ``as_of``, with
    log-log intervals. The share within each target is 1 - S(target) from Kaplan-Meier with its
    log-log band when any incident is open, and the plain share with a Wilson interval when none
    is (dropping incidents still open before the target would overstate it).

    Parameters
    ----------
    durations : DataFrame
        The output of :func:`mttr_lab.phase_durations`.
    metric : str
        A metric (``time_to_recover``, ...) or a phase (``repair``, ...).
    by : str or list of str, optional
        Grouping columns (``severity``, ``service``, ...). Without it, one row labelled ``all``.
    method : str
        numpy's quantile method (:data:`QUANTILE_METHODS`).
    confidence : float
        Confidence level of every interval.
    intervals : bool
        False skips intervals and Kaplan-Meier (fast point estimates only).
    n_resamples, seed : int
        Accepted for existing calls; the summary no longer resamples (its intervals are exact or
        analytic), so they change nothing.
    targets : float or sequence of float
        Minutes (positive) for the ``within_<target>`` shares.

    Returns
    -------
    DataFrame
        Indexed by the groups: ``count`` (all incidents, open included), ``open`` (open incidents whose
        ``metric`` is not yet observed: censored), ``observed``, ``missing`` (closed but not
        measurable); ``mean``, ``median``, ``geomean``, ``p50``, ``p90``, ``p95``, ``p99``, ``min``,
        ``max``, ``std``; with ``intervals``: ``<stat>_low``/``<stat>_high`` for mean, median,
        geomean, p90, p95, p99; ``km_median``, ``km_p90`` and their intervals; ``within_<target>``
        shares (0-1) with intervals; and ``note`` (why a value is missing, NA when nothing is).
    """
    goals = _check_summary(durations, metric, confidence, method, targets)
    keys = _group_keys(durations, by)
    options = {
        "method": method,
        "confidence": confidence,
        "intervals": intervals,
        "n_resamples": n_resamples,
        "seed": seed,
        "targets": goals,
    }
    return _group_rows(durations, metric, keys, options)


#: numpy's quantile methods (``np.quantile(..., method=)``), the ones ``method=`` accepts.
QUANTILE_METHODS = (
    "linear",
    "median_unbiased",
    "normal_unbiased",
    "inverted_cdf",
    "averaged_inverted_cdf",
    "closest_observation",
    "interpolated_inverted_cdf",
    "hazen",
    "weibull",
    "lower",
    "higher",
    "midpoint",
    "nearest",
)


def _check_summary(
    durations: pd.DataFrame, metric: str, confidence: float, method: object, targets: object
) -> tuple[float, ...]:
    """Check the frame (its ``metric`` column a duration) and the options; the targets as a tuple."""
    require_metric(durations, metric, function="duration_summary")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}")
    if not isinstance(method, str) or method not in QUANTILE_METHODS:
        raise ValueError(
            f"method must be one of numpy's quantile methods {', '.join(QUANTILE_METHODS)}, not {method!r}"
        )
    return _check_targets(targets)


def _check_targets(targets: object) -> tuple[float, ...]:
    """``targets=`` as a tuple of minutes: a number, or a sequence of numbers, each positive."""
    values = (targets,) if isinstance(targets, Real) else targets
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        values = None
    else:
        values = tuple(values)  # type: ignore[arg-type]
    if values is None or not all(
        isinstance(v, Real) and not isinstance(v, bool) and np.isfinite(v) and v > 0 for v in values
    ):
        raise ValueError(
            "targets must be minutes: a positive number or a sequence of them, such as 30 or "
            f"(30, 60), not {targets!r}"
        )
    return values


def _group_rows(
    durations: pd.DataFrame, metric: str, keys: list[str], options: dict[str, object]
) -> pd.DataFrame:
    """The summary's rows, one per group (``all`` without keys), indexed by the groups."""
    minutes, censored = observed_arrays(durations, metric)  # checked by duration_summary already
    is_open = durations["is_open"].to_numpy(dtype=bool)
    if keys:
        # Each group's row positions, from the keys factorised once (no sub-frame per group),
        # gathered by group once: each group is then a slice of the arrays.
        index, positions, bounds = group_positions(durations, keys)
        minutes, censored, is_open = minutes[positions], censored[positions], is_open[positions]
    else:
        index, bounds = pd.Index(["all"]), np.array([0, len(minutes)])
    intervals = bool(options["intervals"])
    columns, notes, values, at = point_estimates(
        minutes, censored, is_open, bounds, method=str(options["method"]), keep_sorted=intervals
    )
    logs = columns.pop("log_mean"), columns.pop("log_std"), columns.pop("log_n")
    if intervals:
        confidence = float(options["confidence"])  # type: ignore[arg-type]
        targets: Sequence[float] = options["targets"]  # type: ignore[assignment]
        low, high = _quantile_ranks(columns["observed"], _LEVELS, confidence)  # every group at once
        rows = [
            _group_intervals(
                values[at[i] : at[i + 1]],
                minutes[bounds[i] : bounds[i + 1]][censored[bounds[i] : bounds[i + 1]]],
                {name: columns[name][i] for name in ("observed", "median", "p90", "p95", "p99")},
                notes[i],
                confidence=confidence,
                targets=targets,
                ranks=(low[i], high[i]),
            )
            for i in range(len(index))
        ]
        # the interval columns' names (with no group at all, those of an empty group)
        empty = np.zeros(0)
        names = list(
            rows[0]
            if rows
            else _group_intervals(empty, empty, {}, [], confidence=confidence, targets=targets)
        )
        columns.update({name: np.array([row[name] for row in rows], dtype=float) for name in names})
        columns.update(_mean_intervals(columns, logs, confidence))
    return _table(columns, notes, index, float(options["confidence"]))  # type: ignore[arg-type]


def _group_intervals(
    values: np.ndarray,
    lost: np.ndarray,
    point: dict[str, float],
    notes: list[str],
    *,
    confidence: float,
    targets: Sequence[float],
    ranks: tuple[np.ndarray, np.ndarray] | None = None,
) -> dict[str, float]:
    """One group's quantile intervals, Kaplan-Meier estimates and shares within the targets.

    ``values`` are the group's observed durations, sorted; ``lost`` its censored ones; ``point``
    its observed count and quantiles; ``ranks`` the order statistics ending the quantiles'
    intervals at its size. Notes on what is missing are appended to ``notes``.
    """
    n = int(point.get("observed", 0))
    row: dict[str, float] = {}
    names = ("median", "p90", "p95", "p99")  # QUANTILES' order, p50 named as the median
    ends = _quantile_intervals(values, _LEVELS, confidence, ranks=ranks)
    for name, p, (low, high) in zip(names, _LEVELS, ends, strict=True):
        row[f"{name}_low"] = row[f"{name}_high"] = np.nan
        if not np.isnan(point.get(name, np.nan)):
            row[f"{name}_low"], row[f"{name}_high"] = float(low), float(high)
            need_low, need_high = quantile_interval_sizes(p, confidence=confidence)
            if n < need_low and n < need_high:
                notes.append(f"{name}: no interval below {max(need_low, need_high):,} observed incidents")
            elif n < need_high:
                notes.append(f"{name}: no upper bound below {need_high:,} observed incidents")
            elif n < need_low:
                notes.append(f"{name}: no lower bound below {need_low:,} observed incidents")
    if MIN_COUNT["mean"] <= n < MEAN_INTERVAL_MIN:
        notes.append(f"mean interval needs {MEAN_INTERVAL_MIN:,} observed incidents")
    fit = _km_fit(values, lost, confidence)
    km = _km(fit)
    if n + len(lost) < MIN_COUNT["p90"]:
        km.update(km_p90=np.nan, km_p90_low=np.nan, km_p90_high=np.nan)
    row.update(km)
    if len(lost) and np.isnan(km["km_median"]):
        notes.append("more than half still open: no Kaplan-Meier median")
    for target in targets:
        share, low, high, unknown = _within(values, lost, float(target), confidence, fit)
        tag = f"within_{target:g}"
        row[tag], row[f"{tag}_low"], row[f"{tag}_high"] = share, low, high
        if unknown:
            notes.append(f"{tag}: {unknown} open incident(s) counted as censored (Kaplan-Meier)")
    return row


def _mean_intervals(
    columns: dict[str, np.ndarray], logs: tuple[np.ndarray, np.ndarray, np.ndarray], confidence: float
) -> dict[str, np.ndarray]:
    """t intervals of every group's mean (from :data:`MEAN_INTERVAL_MIN` observed durations) and
    geometric mean (a t interval on the logs of the positive durations, from two of them)."""
    log_mean, log_std, log_n = logs
    mean = _t_intervals(
        columns["mean"], columns["std"], columns["observed"], confidence, least=MEAN_INTERVAL_MIN
    )
    geomean = _t_intervals(log_mean, log_std, log_n, confidence, least=2)
    return {
        "mean_low": mean[0],
        "mean_high": mean[1],
        "geomean_low": np.exp(geomean[0]),
        "geomean_high": np.exp(geomean[1]),
    }


_SUMMARY_STATS = (
    "mean",
    "median",
    "geomean",
    "p50",
    "p90",
    "p95",
    "p99",
    "min",
    "max",
    "std",
    "km_median",
    "km_p90",
)
_COUNTS = ("count", "open", "observed", "missing")


def _column_order(names: Sequence[str]) -> list[str]:
    """Counts, then each statistic with its interval, the shares and ``note``."""
    order = list(_COUNTS)
    for stat in _SUMMARY_STATS:
        order += [c for c in (stat, f"{stat}_low", f"{stat}_high") if c in names]
    return order + [c for c in names if c.startswith("within_")] + ["note"]


def _table(
    columns: dict[str, np.ndarray], notes: list[list[str]], index: pd.Index, confidence: float
) -> pd.DataFrame:
    """The summary table from its columns: in order, counts int64, ``note`` text (NaN where
    nothing is noted), the level in attrs."""
    data: dict[str, object] = {
        col: np.asarray(columns[col], dtype=np.int64 if col in _COUNTS else float)
        for col in _column_order(list(columns))
        if col != "note"
    }
    data["note"] = pd.Series([("; ".join(n) if n else None) for n in notes], index=index, dtype="str")
    table = pd.DataFrame(data, index=index)
    table.attrs["confidence"] = confidence
    return table


def phase_breakdown(
    durations: pd.DataFrame,
    *,
    by: str | Sequence[str] | None = None,
    statistic: str = "median",
) -> pd.DataFrame:
    """Where the time goes: a statistic of each phase, per group, in minutes.

    Parameters
    ----------
    durations : DataFrame
        The output of :func:`mttr_lab.phase_durations`.
    by : str or list of str, optional
        Grouping columns; without it, one row labelled ``all``.
    statistic : {"median", "mean"}
        The statistic of each phase over the incidents where the phase was observed.

    Returns
    -------
    DataFrame
        Indexed by the groups: ``incidents`` (analysed incidents in the group), then
        ``detection``, ``response``, ``diagnosis``, ``repair``, ``followup`` (minutes) and
        ``<phase>_observed`` (how many incidents each phase was measured on).
    """
    require(durations, DURATIONS, function="phase_breakdown", columns=tuple(PHASES))
    if statistic not in ("median", "mean"):
        raise ValueError(f"statistic must be 'median' or 'mean', not {statistic!r}")
    keys = _group_keys(durations, by)
    phases = list(PHASES)
    frame = pd.DataFrame({p: to_minutes(durations[p]) for p in phases})
    for k in keys:
        frame[k] = durations[k]
    if keys:
        grouped = frame.groupby(keys, observed=True, sort=True, dropna=False)
        values = grouped[phases].agg(statistic)
        counts = grouped[phases].count().add_suffix("_observed")
        sizes = grouped.size().rename("incidents")
    else:
        values = frame[phases].agg(statistic).to_frame("all").T
        counts = frame[phases].count().add_suffix("_observed").to_frame("all").T
        sizes = pd.Series({"all": len(frame)}, name="incidents")
    return pd.concat([sizes, values, counts.astype("int64")], axis=1)


def ecdf_table(
    durations: pd.DataFrame,
    *,
    metric: str = "time_to_recover",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """The distribution of one duration as step curves: naive ECDF beside Kaplan-Meier.

    The naive ECDF uses closed incidents only (what most dashboards show); the Kaplan-Meier
    curve counts open incidents as right-censored, with a log-log confidence band.

    Returns
    -------
    DataFrame
        One row per distinct duration: ``minutes``; ``ecdf`` (share of closed incidents recovered
        by then, NaN when none is closed); ``km``, ``km_low``, ``km_high`` (Kaplan-Meier share
        recovered by then and its band).
    """
    require_metric(durations, metric, function="ecdf_table")
    values = censored_minutes(durations, metric=metric).dropna(subset=["minutes"])
    minutes = values["minutes"].to_numpy(dtype=float)
    censored = values["censored"].to_numpy(dtype=bool)
    grid = np.unique(minutes)
    closed = np.sort(minutes[~censored])
    out = pd.DataFrame({"minutes": grid})
    out["ecdf"] = np.searchsorted(closed, grid, side="right") / len(closed) if len(closed) else np.nan
    out["km"] = out["km_low"] = out["km_high"] = np.nan
    if len(closed):
        res = stats.ecdf(stats.CensoredData.right_censored(minutes, censored))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            band = res.cdf.confidence_interval(confidence, method="log-log")
        out["km"] = res.cdf.evaluate(grid)
        out["km_low"] = band.low.evaluate(grid)
        out["km_high"] = band.high.evaluate(grid)
    out.attrs["confidence"] = confidence
    return out
