"""Recovery time over a trailing window: :func:`rolling_trend`.

A window is a span of local wall-clock time in a named timezone (30 days are 30 calendar days
across a daylight-saving change); each incident enters every window its ``clock_start`` falls in,
and each window is summarised by :func:`mttr_lab.duration_summary` as
:func:`mttr_lab.duration_trend` summarises a calendar period.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import InputError
from .frames import DURATIONS, require
from .period_summaries import STATS, check_arguments, summaries
from .periods import DateLike, local_naive, localize

__all__ = ["rolling_trend"]


def rolling_trend(
    durations: pd.DataFrame,
    *,
    window: str = "30D",
    step: str = "7D",
    metric: str = "time_to_recover",
    tz: str = "UTC",
    start: DateLike = None,
    end: DateLike = None,
    min_count: int = 10,
    confidence: float = 0.95,
    n_resamples: int = 1000,
    seed: int = 0,
) -> pd.DataFrame:
    """Median recovery time over a trailing window, evaluated every ``step``.

    Windows are ``[window_end - window, window_end)`` in local wall-clock time of ``tz`` (so a
    30-day window is 30 calendar days across a daylight-saving change). The last window ends at
    ``end`` (default: local midnight after the last incident's day), the others every ``step``
    before it, back to the earliest one that starts at or after ``start`` (default: local
    midnight of the first incident's day). Each incident enters every window its
    ``clock_start`` falls in; statistics come from :func:`mttr_lab.duration_summary`.

    Parameters
    ----------
    durations : DataFrame
        The output of :func:`mttr_lab.phase_durations`.
    window, step : str
        Timedelta strings (``"30D"``, ``"7D"``, ``"12h"``).
    metric : str
        A metric or a phase.
    tz : str
        IANA timezone of the window boundaries.
    start, end : str or Timestamp, optional
        Span of the windows; a naive value is local time in ``tz``.
    min_count : int
        Windows with fewer observed durations are flagged ``too_few``.
    confidence : float
        Level of the intervals.
    n_resamples, seed : int
        Passed to duration_summary (which no longer resamples: its intervals are exact or t).

    Returns
    -------
    DataFrame
        One row per window: ``window_start``, ``window_end`` (aware, in ``tz``), ``count``,
        ``open``, ``observed``, ``median``, ``median_low``, ``median_high``, ``geomean``,
        ``geomean_low``, ``geomean_high``, ``p90``, ``km_median`` (minutes), ``too_few`` (bool:
        fewer than ``min_count`` observed; the values are shown but unreliable) and ``note``.
    """
    require(durations, DURATIONS, function="rolling_trend")
    check_arguments(durations, metric, tz, confidence)
    try:
        span, stride = pd.Timedelta(window), pd.Timedelta(step)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"window and step must be Timedelta strings such as '30D', not {window!r}, {step!r}"
        ) from exc
    if span <= pd.Timedelta(0) or stride <= pd.Timedelta(0):
        raise ValueError(f"window and step must be positive, not {window!r}, {step!r}")
    if not isinstance(min_count, (int, np.integer)) or min_count < 1:
        raise ValueError(f"min_count must be a positive integer, not {min_count!r}")
    local = durations["clock_start"].dt.tz_convert(tz).dt.tz_localize(None)
    first, last = local_naive(start, tz, "start"), local_naive(end, tz, "end")
    if first is None and local.notna().any():
        first = local.min().normalize()
    if last is None and local.notna().any():
        last = local.max().normalize() + pd.Timedelta(days=1)
    if first is None or last is None or pd.isna(first) or pd.isna(last):
        raise InputError(
            f"rolling_trend: no incident has a clock start ({len(durations):,} incidents), so the "
            "windows have nowhere to begin or end",
            expected="durations with incidents, or start= and end= for the span of the windows",
        )
    if last < first + span:
        raise ValueError(f"the span {first} to {last} is shorter than one window of {window}")
    ends, expanded = _windows(durations, local, first, last, span=span, stride=stride)
    table = summaries(
        expanded,
        pd.DataFrame({"_window": np.arange(len(ends))}),
        ["_window"],
        metric=metric,
        intervals=True,
        confidence=confidence,
        n_resamples=n_resamples,
        seed=seed,
    )
    table["too_few"] = table["observed"] < min_count
    note = table["note"]
    few = f"fewer than {min_count} observed incidents: unreliable"
    note = note.where(~table["too_few"], note.radd(few + "; ").fillna(few))
    table["note"] = note
    table["window_start"] = localize(ends - span, tz)
    table["window_end"] = localize(ends, tz)
    columns = ["window_start", "window_end", "count", "open", "observed", *STATS, "too_few", "note"]
    out = table[columns].copy()
    for col in STATS:
        out[col] = out[col].astype(float)
    out.attrs["confidence"] = confidence
    return out


def _windows(
    durations: pd.DataFrame,
    local: pd.Series,
    first: pd.Timestamp,
    last: pd.Timestamp,
    *,
    span: pd.Timedelta,
    stride: pd.Timedelta,
) -> tuple[pd.DatetimeIndex, pd.DataFrame]:
    """The windows' local ends, and each incident repeated once per window its local start is in
    (column ``_window``: the window's position)."""
    count = int((last - first - span) // stride) + 1
    ends = pd.DatetimeIndex(last - stride * np.arange(count)[::-1])
    times = local.to_numpy()
    lo = np.searchsorted(ends.to_numpy(), times, side="right")  # first window ending after t
    hi = np.searchsorted(ends.to_numpy(), (local + span).to_numpy(), side="right")  # ends <= t + span
    inside = times >= np.datetime64(first)
    counts = np.where(inside, np.maximum(hi - lo, 0), 0)
    rows = np.repeat(np.arange(len(durations)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    which = np.repeat(lo, counts) + offsets
    return ends, durations.iloc[rows].assign(_window=which).reset_index(drop=True)
