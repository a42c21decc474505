"""Summaries per calendar period or window: what :mod:`mttr_lab.trend`, :mod:`mttr_lab.rolling`
and :mod:`mttr_lab.improvement` share.

Each period (or window) is summarised by :func:`mttr_lab.duration_summary`; every period from the
first to the last gets a row (an empty one with zero counts and NA statistics, never zero
durations), and only the notes about the statistics these tables show are kept.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .frames import require_metric
from .periods import DateLike, periods, unit
from .stats import censored_minutes, duration_summary

__all__ = ["COUNTS", "STATS", "check_arguments", "relevant_notes", "summaries", "summary_by_period"]

#: The counts of a summary row (never NA: an empty period counts 0).
COUNTS = ("count", "open", "observed", "missing")
#: The statistics of a period or window shown.
STATS = ("median", "median_low", "median_high", "geomean", "geomean_low", "geomean_high", "p90", "km_median")


def check_arguments(durations: pd.DataFrame, metric: str, tz: str, confidence: float) -> None:
    """What every trend function checks: the metric is there, the timezone and the level are valid."""
    require_metric(durations, metric, function="trend")
    try:
        pd.DatetimeTZDtype(tz=tz)
    except (TypeError, ValueError, KeyError) as exc:
        raise ValueError(
            f"tz must be an IANA timezone name such as 'Europe/Berlin' or 'UTC', not {tz!r}"
        ) from exc
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, not {confidence!r}")


def summary_by_period(
    durations: pd.DataFrame,
    *,
    keys: list[str],
    metric: str,
    pfreq: str,
    tz: str,
    start: DateLike,
    end: DateLike,
    intervals: bool,
    confidence: float,
    n_resamples: int,
    seed: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """duration_summary per (group, period), reindexed to every period; and the per-incident values."""
    period, allp = periods(durations, pfreq, tz, start, end)
    inside = period.isin(allp)
    sub = durations.loc[inside].assign(_period=period[inside])
    if keys:
        groups = sub[keys].drop_duplicates().sort_values(keys).reset_index(drop=True)
        if groups.empty:
            groups = durations[keys].drop_duplicates().sort_values(keys).reset_index(drop=True)
    else:
        groups = pd.DataFrame(index=[0])
    full = groups.merge(pd.DataFrame({"_period": allp}), how="cross")
    table = summaries(
        sub,
        full,
        [*keys, "_period"],
        metric=metric,
        intervals=intervals,
        confidence=confidence,
        n_resamples=n_resamples,
        seed=seed,
    )
    table["empty"] = table["count"] == 0
    table.loc[table["empty"], "note"] = f"no incidents in this {unit(pfreq)}"
    values = censored_minutes(sub, metric=metric)
    values = values.assign(_period=sub["_period"], **{k: sub[k] for k in keys})
    return table, values


def relevant_notes(notes: pd.Series) -> pd.Series:
    """duration_summary's notes without those about statistics these tables do not show."""
    hidden = ("p95", "p99", "within_")

    def keep(note: object) -> object:
        if pd.isna(note):
            return pd.NA
        parts = [p for p in str(note).split("; ") if not p.startswith(hidden)]
        return "; ".join(parts) if parts else pd.NA

    kept = notes.astype(object).map(keep)
    return kept.astype("str").where(kept.notna())


def summaries(
    frame: pd.DataFrame,
    full: pd.DataFrame,
    on: list[str],
    *,
    metric: str,
    intervals: bool,
    confidence: float,
    n_resamples: int,
    seed: int,
) -> pd.DataFrame:
    """duration_summary of ``frame`` by the ``on`` columns, on every row of ``full`` (NA statistics
    and zero counts where ``frame`` has none), with only the notes about the statistics shown."""
    if len(frame):
        table = duration_summary(
            frame,
            metric=metric,
            by=on,
            confidence=confidence,
            intervals=intervals,
            n_resamples=n_resamples,
            seed=seed,
            targets=(),
        ).reset_index()
        table = full.merge(table, on=on, how="left")
    else:
        table = full.assign(**dict.fromkeys((*COUNTS, *STATS, "note"), np.nan))
    for col in COUNTS:
        table[col] = table[col].fillna(0).astype("int64")
    table["note"] = relevant_notes(table["note"])
    return table
