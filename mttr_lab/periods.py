"""Calendar periods in a named timezone: which period an incident falls in, and where periods begin.

A month in Berlin starts at local midnight in Berlin. The helpers here turn the user's bounds
into naive local time, give each incident its period by ``clock_start`` in local time, and turn
local wall-clock boundaries back into aware timestamps (a skipped midnight moves forward, a
repeated one is the first). Used by :mod:`mttr_lab.trend`, :mod:`mttr_lab.rolling`,
:mod:`mttr_lab.improvement` and :mod:`mttr_lab.calendar`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re

import numpy as np
import pandas as pd

__all__ = ["DateLike", "local_naive", "localize", "period_bounds", "period_freq", "periods", "unit"]

DateLike = str | dt.date | pd.Timestamp | None

_UNITS = {"D": "day", "W": "week", "M": "month", "Q": "quarter", "Y": "year"}


def period_freq(freq: str) -> str:
    """The Period alias of an offset alias: "ME" -> "M", "QE-DEC" -> "Q-DEC", "W" stays "W"."""
    if not isinstance(freq, str):
        raise ValueError(f"freq must be a string such as 'ME', 'QE', 'W' or 'D', not {freq!r}")
    alias = re.sub(r"^(M|Q|Y)(E|S)(?=$|-)", r"\1", freq)
    try:
        pd.Period("2025-01-01", freq=alias)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"freq must be a period frequency such as 'ME', 'QE', 'W' or 'D', not {freq!r}"
        ) from exc
    return alias


def unit(pfreq: str) -> str:
    """The name of one period of a Period alias: "M" -> "month" ("period" when unnamed)."""
    return _UNITS.get(pfreq.split("-")[0], "period")


def local_naive(value: DateLike, tz: object, what: str) -> pd.Timestamp | None:
    """A bound as naive local time in ``tz`` (a naive value is read as local time there); None stays."""
    if value is None:
        return None
    stamp = pd.NaT
    with contextlib.suppress(TypeError, ValueError):
        stamp = pd.Timestamp(value)
    if stamp is pd.NaT:
        raise ValueError(f"{what} must be a date or timestamp such as '2025-01-31', not {value!r}")
    return stamp.tz_convert(tz).tz_localize(None) if stamp.tzinfo is not None else stamp


def localize(naive: pd.DatetimeIndex, tz: str) -> pd.DatetimeIndex:
    """Local wall-clock boundaries as aware timestamps (a skipped midnight moves forward)."""
    return naive.tz_localize(tz, nonexistent="shift_forward", ambiguous=np.ones(len(naive), dtype=bool))


def periods(
    durations: pd.DataFrame, pfreq: str, tz: str, start: DateLike, end: DateLike
) -> tuple[pd.Series, pd.PeriodIndex]:
    """Each incident's period (local time in ``tz``) and every period from start to end."""
    local = durations["clock_start"].dt.tz_convert(tz).dt.tz_localize(None)
    period = local.dt.to_period(pfreq)
    first, last = local_naive(start, tz, "start"), local_naive(end, tz, "end")
    lo = first.to_period(pfreq) if first is not None else period.min()
    hi = last.to_period(pfreq) if last is not None else period.max()
    if pd.isna(lo) or pd.isna(hi):
        raise ValueError("no incident has a clock start; give start= and end=")
    if hi < lo:
        raise ValueError(f"end {end!r} comes before start {start!r}")
    return period, pd.period_range(lo, hi, freq=pfreq)


def period_bounds(values: pd.Series, tz: str) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
    """The aware start and end (exclusive) of each period of ``values``, in ``tz``."""
    index = pd.PeriodIndex(values)
    return localize(index.start_time, tz), localize((index + 1).start_time, tz)
