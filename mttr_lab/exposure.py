"""The span a calendar frame covers, and its hours of exposure per local hour and weekday.

What :mod:`mttr_lab.calendar` and :mod:`mttr_lab.uniformity` share: which rows of a frame from
:func:`~mttr_lab.with_calendar` are counted (analysed, with a local time, inside the span), and
how many real hours of each (local hour, weekday) cell the span holds (daylight-saving days add
or remove the hour the clocks repeat or skip).
"""

from __future__ import annotations

import zoneinfo

import numpy as np
import pandas as pd

from .periods import DateLike, local_naive
from .quality import analysed

__all__ = ["CALENDAR_COLUMNS", "calendar_parts", "cell_counts", "counted", "exposure_hours", "spanned"]

#: The columns :func:`~mttr_lab.with_calendar` adds.
CALENDAR_COLUMNS = ("local_start", "hour", "weekday", "date", "time_class")


def calendar_parts(frame: pd.DataFrame, caller: str) -> zoneinfo.ZoneInfo:
    """The timezone of a frame from :func:`~mttr_lab.with_calendar`; a clear error for any other."""
    missing = [c for c in CALENDAR_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(
            f"{caller}: the frame lacks {', '.join(missing)}; pass it through with_calendar(frame, tz=...) first"
        )
    dtype = frame["local_start"].dtype
    if not isinstance(dtype, pd.DatetimeTZDtype):
        raise ValueError(f"{caller}: local_start must be timezone-aware (from with_calendar), not {dtype}")
    return dtype.tz


def counted(frame: pd.DataFrame, start: DateLike, end: DateLike, caller: str):
    """Rows counted (analysed, with a local time, inside the span) and the span's first and last date.

    The span's ends are NaT when the data hold no local time and no ``start``/``end`` is given.
    """
    zone = calendar_parts(frame, caller)
    keep = frame["local_start"].notna()
    if {"incident_id", "started_at", "detected_at"} <= set(frame.columns):
        keep &= analysed(frame)
    rows = frame.loc[keep]
    first = local_naive(start, zone, "start").normalize() if start is not None else rows["date"].min()
    last = local_naive(end, zone, "end").normalize() if end is not None else rows["date"].max()
    if pd.notna(first) and pd.notna(last) and first > last:
        raise ValueError(f"{caller}: start ({first.date()}) must not be after end ({last.date()})")
    rows = rows.loc[(rows["date"] >= first) & (rows["date"] <= last)]
    return rows, first, last, zone


def spanned(frame: pd.DataFrame, start: DateLike, end: DateLike, caller: str):
    """As :func:`counted`, but a span is required."""
    rows, first, last, zone = counted(frame, start, end, caller)
    if pd.isna(first) or pd.isna(last):
        raise ValueError(f"{caller}: no incident has a local time; pass start= and end= to set the span")
    return rows, first, last, zone


def exposure_hours(first: pd.Timestamp, last: pd.Timestamp, zone) -> np.ndarray:
    """Real hours in the local dates [first, last] per (local hour, weekday): a 24 x 7 array."""
    begin = first.tz_localize(zone, ambiguous=True, nonexistent="shift_forward")
    stop = (last + pd.Timedelta(days=1)).tz_localize(zone, ambiguous=True, nonexistent="shift_forward")
    grid = pd.date_range(begin, stop, freq="h", inclusive="left")
    dates = grid.tz_localize(None).normalize()
    grid = grid[(dates >= first) & (dates <= last)]
    cells = np.asarray(grid.hour) * 7 + np.asarray(grid.day_of_week)
    return np.bincount(cells, minlength=24 * 7).reshape(24, 7).astype(float)


def cell_counts(rows: pd.DataFrame) -> np.ndarray:
    """Incidents per (local hour, weekday): a 24 x 7 array."""
    cells = rows["hour"].to_numpy(dtype=np.int64) * 7 + rows["weekday"].cat.codes.to_numpy(dtype=np.int64)
    return np.bincount(cells, minlength=24 * 7).reshape(24, 7)
