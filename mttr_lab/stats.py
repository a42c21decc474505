"""Summaries of phase durations: numbers only, no drawing."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from .schema import METRICS, PHASES

__all__ = ["duration_summary", "phase_breakdown", "to_minutes"]

_DURATION_COLUMNS = (*METRICS, *PHASES)


def to_minutes(values: pd.Series) -> pd.Series:
    """Timedeltas as float minutes (NaN where NaT)."""
    return values / pd.Timedelta(minutes=1)


def _group_keys(durations: pd.DataFrame, by: str | Sequence[str] | None) -> list[str]:
    if by is None:
        return []
    keys = [by] if isinstance(by, str) else list(by)
    missing = [k for k in keys if k not in durations.columns]
    if missing:
        raise ValueError(f"duration_summary: by={missing[0]!r} is not a column of durations")
    return keys


def duration_summary(
    durations: pd.DataFrame,
    *,
    metric: str = "time_to_recover",
    by: str | Sequence[str] | None = None,
    method: str = "linear",
) -> pd.DataFrame:
    """Count, open incidents and location statistics of one duration, per group, in minutes.

    Parameters
    ----------
    durations : DataFrame
        The output of :func:`mttr_lab.phase_durations`.
    metric : str
        A metric (``time_to_recover``, ...) or a phase (``repair``, ...).
    by : str or list of str, optional
        Grouping columns (``severity``, ``service``, ...). Without it, one row labelled ``all``.
    method : str
        numpy's quantile method for ``median``, ``p90`` and ``p99`` (default ``"linear"``).

    Returns
    -------
    DataFrame
        Indexed by the groups: ``count`` (all incidents, open included), ``open`` (open
        incidents whose ``metric`` is not yet observed), ``observed``, ``missing`` (closed but not
        measurable, e.g. a milestone absent or out of order), then over the observed values
        ``mean``, ``median``, ``p90``, ``p99`` in minutes (NaN for an empty group).
    """
    if metric not in _DURATION_COLUMNS:
        raise ValueError(f"metric must be one of {', '.join(_DURATION_COLUMNS)}, not {metric!r}")
    keys = _group_keys(durations, by)
    minutes = to_minutes(durations[metric])
    observed = minutes.notna()
    is_open = durations["is_open"] & ~observed
    frame = pd.DataFrame(
        {
            "minutes": minutes,
            "observed": observed,
            "open": is_open,
            "missing": ~observed & ~is_open,
            **{k: durations[k] for k in keys},
        }
    )

    def summarise(group: pd.DataFrame) -> pd.Series:
        values = group["minutes"].dropna().to_numpy()
        if len(values):
            median, p90, p99 = np.quantile(values, [0.5, 0.9, 0.99], method=method)
            mean = values.mean()
        else:
            mean = median = p90 = p99 = np.nan
        return pd.Series(
            {
                "count": len(group),
                "open": int(group["open"].sum()),
                "observed": int(group["observed"].sum()),
                "missing": int(group["missing"].sum()),
                "mean": mean,
                "median": median,
                "p90": p90,
                "p99": p99,
            }
        )

    if keys:
        grouped = frame.groupby(keys, observed=True, sort=True, dropna=False)
        table = grouped[["minutes", "observed", "open", "missing"]].apply(summarise)
    else:
        table = summarise(frame).to_frame("all").T
    for col in ("count", "open", "observed", "missing"):
        table[col] = table[col].astype("int64")
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
