"""Local time: hour-of-day and weekday patterns of incidents in the team's timezone.

Every function works in one explicitly named IANA timezone (there is no default: an incident at
02:30 UTC is 04:30 in Berlin in summer and 03:30 in winter). :func:`with_calendar` adds the local
time columns; the other functions count, normalise and test them.

Time classes follow PagerDuty's analytics definitions (``business_hour_interruptions`` and
friends): **business** 08:00–18:00 Monday–Friday, **off** 18:00–22:00 Monday–Friday and
08:00–22:00 on weekends, **sleep** 22:00–08:00 every day. Public holidays are not known here and
count as ordinary weekdays.

Rates are per hour of *exposure*: the real hours, in the observed span, whose local wall-clock
time falls in a cell. For an ordinary hour this is the number of days of that weekday in the
span (the number of Mondays, ...); daylight-saving days add or remove the hour that the clocks
repeat or skip, so an hour that did not exist is not counted as observed.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

import numpy as np
import pandas as pd

from .exposure import calendar_parts, cell_counts, exposure_hours, spanned
from .frames import DURATIONS, require
from .periods import DateLike
from .stats import duration_summary
from .uniformity import hour_uniformity_test

__all__ = [
    "TIME_CLASSES",
    "TIME_CLASS_DTYPE",
    "WEEKDAYS",
    "WEEKDAY_DTYPE",
    "hour_uniformity_test",
    "hour_weekday_table",
    "time_class_summary",
    "with_calendar",
]

#: Weekday labels, Monday first (ISO order).
WEEKDAYS: tuple[str, ...] = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
WEEKDAY_DTYPE = pd.CategoricalDtype(list(WEEKDAYS), ordered=True)

#: Time classes (PagerDuty analytics: business, off-hours, sleep hours).
TIME_CLASSES: tuple[str, ...] = ("business", "off", "sleep")
TIME_CLASS_DTYPE = pd.CategoricalDtype(list(TIME_CLASSES), ordered=True)

#: PagerDuty analytics: business 8am-6pm Mon-Fri, sleep 10pm-8am (every day).
BUSINESS_HOURS: tuple[int, int] = (8, 18)
SLEEP_HOURS: tuple[int, int] = (22, 8)


# --------------------------------------------------------------------------- validation


def _check_tz(tz: object) -> zoneinfo.ZoneInfo:
    if tz is None or not isinstance(tz, str) or not tz:
        raise ValueError(f"tz must be an IANA timezone name such as 'Europe/Berlin', not {tz!r}")
    try:
        return zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as err:
        raise ValueError(f"tz={tz!r} is not a known IANA timezone (e.g. 'Europe/Berlin', 'UTC')") from err


def _check_window(name: str, window: object) -> tuple[int, int]:
    try:
        first, last = window  # type: ignore[misc]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair of whole hours (start, end), not {window!r}") from None
    for value in (first, last):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value <= 24:
            raise ValueError(f"{name} must be whole hours between 0 and 24, such as (8, 18), not {window!r}")
    return int(first), int(last)


def _in_window(hour: np.ndarray, window: tuple[int, int]) -> np.ndarray:
    """Hours in [start, end), wrapping past midnight when start > end; empty when start == end."""
    first, last = window
    if first <= last:
        return (hour >= first) & (hour < last)
    return (hour >= first) | (hour < last)


def _check_hours(business_hours: object, sleep_hours: object) -> tuple[tuple[int, int], tuple[int, int]]:
    business = _check_window("business_hours", business_hours)
    sleep = _check_window("sleep_hours", sleep_hours)
    clash = _in_window(np.arange(24), business) & _in_window(np.arange(24), sleep)
    if clash.any():
        raise ValueError(
            f"business_hours={business} and sleep_hours={sleep} overlap at hour(s) "
            f"{', '.join(map(str, np.flatnonzero(clash)))}; give windows that do not overlap"
        )
    return business, sleep


def _classify(
    hour: np.ndarray, weekday: np.ndarray, business: tuple[int, int], sleep: tuple[int, int]
) -> np.ndarray:
    """Time-class codes (0 business, 1 off, 2 sleep) of local hours and weekdays (0 = Monday)."""
    codes = np.ones(len(hour), dtype=np.int8)
    codes[_in_window(hour, business) & (weekday < 5)] = 0
    codes[_in_window(hour, sleep)] = 2
    return codes


# --------------------------------------------------------------------------- with_calendar


def _moment(frame: pd.DataFrame, at: str) -> pd.Series:
    if at in frame.columns:
        stamps = frame[at]
    elif at == "clock_start" and {"started_at", "detected_at"} <= set(frame.columns):
        stamps = frame["started_at"].fillna(frame["detected_at"])
    else:
        raise ValueError(
            f"at={at!r} is not a column of the frame; give a timestamp column such as 'clock_start' "
            "(durations), 'detected_at' or 'resolved_at'"
        )
    if not isinstance(stamps.dtype, pd.DatetimeTZDtype):
        raise ValueError(
            f"column {at!r} must hold timezone-aware timestamps (datetime64[.., UTC]), not {stamps.dtype}"
        )
    return stamps


def with_calendar(
    incidents_or_durations: pd.DataFrame,
    *,
    tz: str,
    business_hours: tuple[int, int] = BUSINESS_HOURS,
    sleep_hours: tuple[int, int] = SLEEP_HOURS,
    at: str = "clock_start",
) -> pd.DataFrame:
    """Add the local time of each incident, in the team's timezone, and its time class.

    Parameters
    ----------
    incidents_or_durations : DataFrame
        The ``durations`` frame (:func:`mttr_lab.phase_durations`) or the ``incidents`` frame.
    tz : str
        IANA timezone of the team (``"Europe/Berlin"``). Required: there is no default.
    business_hours : (int, int)
        Local whole hours [start, end) of business time, Monday to Friday. Default (8, 18).
    sleep_hours : (int, int)
        Local whole hours [start, end) of sleep time, every day; may wrap past midnight.
        Default (22, 8). The defaults are PagerDuty's analytics definitions; the windows must
        not overlap.
    at : str
        The timestamp column that places an incident in time. ``"clock_start"`` (default) is
        the durations' clock start; on an ``incidents`` frame, which has no such column, it is
        ``started_at`` where known, else ``detected_at``. Any milestone (``"detected_at"``, ...)
        may be named instead.

    Returns
    -------
    DataFrame
        The same frame (same rows and index) plus ``local_start`` (timestamps in ``tz`` of the
        ``at`` moment), ``hour`` (local hour 0–23, nullable ``Int64``), ``weekday`` (ordered
        categorical ``Mon`` < ... < ``Sun``), ``date`` (local calendar date, a naive midnight
        timestamp) and ``time_class`` (ordered categorical ``business`` < ``off`` < ``sleep``:
        business = weekday within business hours; off = the rest of weekdays and weekends
        outside sleep hours; sleep = sleep hours on any day). All are NA where ``at`` is NaT.
    """
    zone = _check_tz(tz)
    business, sleep = _check_hours(business_hours, sleep_hours)
    if not isinstance(at, str):
        raise ValueError(f"at must be a column name such as 'clock_start', not {at!r}")
    local = _moment(incidents_or_durations, at).dt.tz_convert(zone)
    known = local.notna().to_numpy()
    hour = local.dt.hour.fillna(-1).to_numpy(dtype=np.int64)
    weekday = local.dt.day_of_week.fillna(-1).to_numpy(dtype=np.int64)
    classes = np.where(known, _classify(hour, weekday, business, sleep), -1)

    out = incidents_or_durations.copy()
    out["local_start"] = local
    out["hour"] = pd.Series(hour, index=out.index).astype("Int64").mask(~known)
    out["weekday"] = pd.Categorical.from_codes(np.where(known, weekday, -1), dtype=WEEKDAY_DTYPE)
    out["date"] = local.dt.tz_localize(None).dt.normalize()
    out["time_class"] = pd.Categorical.from_codes(classes, dtype=TIME_CLASS_DTYPE)
    return out


# --------------------------------------------------------------------------- hour x weekday


def hour_weekday_table(
    calendar_frame: pd.DataFrame,
    *,
    weeks: float | None = None,
    normalise: bool = True,
    start: DateLike = None,
    end: DateLike = None,
) -> pd.DataFrame:
    """Incidents per local hour and weekday, as counts or as a rate per occurrence of that hour.

    Parameters
    ----------
    calendar_frame : DataFrame
        The output of :func:`with_calendar`. Records that are not analysed (see
        :func:`mttr_lab.check_incidents`) and rows without a local time are not counted.
    weeks : float, optional
        Divide every cell by this number of weeks instead of by its own exposure.
    normalise : bool
        ``True`` (default): incidents per occurrence of that hour, "incidents per Monday 14:00
        hour": each cell is divided by the real hours in the span whose local time falls in it
        (the number of Mondays in the span, corrected on daylight-saving days); NaN where the
        span holds no such hour (a span shorter than a week). ``False``: raw counts.
    start, end : date, optional
        Local dates of the observed span (inclusive); default the first and last local date of
        the data. Incidents outside the span are not counted.

    Returns
    -------
    DataFrame
        Indexed by ``hour`` 0..23, one column per weekday ``Mon`` .. ``Sun`` (a categorical
        column index named ``weekday``); int64 counts or float rates.
    """
    if weeks is not None and (isinstance(weeks, bool) or not np.isfinite(weeks) or weeks <= 0):
        raise ValueError(f"weeks must be a positive number of weeks, not {weeks!r}")
    rows, first, last, zone = spanned(calendar_frame, start, end, "hour_weekday_table")
    values = cell_counts(rows)
    if normalise:
        if weeks is not None:
            values = values / float(weeks)
        else:
            exposure = exposure_hours(first, last, zone)
            with np.errstate(invalid="ignore", divide="ignore"):
                values = np.where(exposure > 0, values / exposure, np.nan)
    return pd.DataFrame(
        values,
        index=pd.RangeIndex(24, name="hour"),
        columns=pd.CategoricalIndex(WEEKDAYS, dtype=WEEKDAY_DTYPE, name="weekday"),
    )


# --------------------------------------------------------------------------- time classes


def time_class_summary(
    durations_with_calendar: pd.DataFrame,
    *,
    metric: str = "time_to_recover",
    business_hours: tuple[int, int] = BUSINESS_HOURS,
    sleep_hours: tuple[int, int] = SLEEP_HOURS,
    start: DateLike = None,
    end: DateLike = None,
    **summary_options: Any,
) -> pd.DataFrame:
    """Durations by time class, with each class's share of incidents and its rate per exposed hour.

    The duration columns are :func:`mttr_lab.duration_summary` ``(frame, metric=metric,
    by="time_class")``. Counts are made comparable by the exposure: business time is 50 hours
    of the default week, off time 48 and sleep time 70.

    Parameters
    ----------
    durations_with_calendar : DataFrame
        The ``durations`` frame passed through :func:`with_calendar`.
    metric : str
        A metric or phase of the durations frame.
    business_hours, sleep_hours : (int, int)
        The windows given to :func:`with_calendar`; checked against its ``time_class`` column.
    start, end : date, optional
        Local dates of the observed span (inclusive); default the first and last local date of
        the data. Incidents outside the span are not counted.
    **summary_options
        Passed to :func:`mttr_lab.duration_summary` (``method=``, ``seed=``, ``intervals=``, ...).

    Returns
    -------
    DataFrame
        Indexed by ``time_class`` (``business``, ``off``, ``sleep``, every class present):
        the columns of :func:`mttr_lab.duration_summary` (``count``, ``open``, ``observed``,
        ``missing``, ``mean``, ``median``, ``p90``, ``p99`` in minutes, ...; a class without
        incidents has count 0 and NaN statistics), then ``share``
        (of the counted incidents), ``hours_per_week`` (hours of the class in a week),
        ``exposure_hours`` (real hours of the class in the span), ``incidents_per_hour``
        (count / exposure_hours) and ``rate_ratio`` (that rate over the rate of all hours).
    """
    require(durations_with_calendar, DURATIONS, function="time_class_summary")
    caller = "time_class_summary"
    business, sleep = _check_hours(business_hours, sleep_hours)
    calendar_parts(durations_with_calendar, caller)
    needed = [c for c in (metric, "is_open") if c not in durations_with_calendar.columns]
    if needed:
        raise ValueError(
            f"{caller}: the frame lacks {', '.join(needed)}; it needs the durations frame "
            "(mttr_lab.phase_durations) passed through with_calendar"
        )
    rows, first, last, zone = spanned(durations_with_calendar, start, end, caller)
    hour = rows["hour"].to_numpy(dtype=np.int64)
    weekday = rows["weekday"].cat.codes.to_numpy(dtype=np.int64)
    if not np.array_equal(_classify(hour, weekday, business, sleep), rows["time_class"].cat.codes.to_numpy()):
        raise ValueError(
            f"{caller}: the frame's time_class does not follow business_hours={business}, "
            f"sleep_hours={sleep}; pass the windows that were given to with_calendar"
        )

    table = duration_summary(rows, metric=metric, by="time_class", **summary_options)
    table = table.reindex(pd.CategoricalIndex(TIME_CLASSES, dtype=TIME_CLASS_DTYPE, name="time_class"))
    for col in ("count", "open", "observed", "missing"):
        if col in table.columns:
            table[col] = table[col].fillna(0).astype("int64")
    if "note" in table.columns:
        table["note"] = table["note"].mask(
            table["count"].eq(0) & table["note"].isna(), "no incidents in this class"
        )

    hours = np.repeat(np.arange(24), 7)
    days = np.tile(np.arange(7), 24)
    week = np.bincount(_classify(hours, days, business, sleep), minlength=3)
    exposure = np.bincount(
        _classify(hours, days, business, sleep),
        weights=exposure_hours(first, last, zone).ravel(),
        minlength=3,
    )
    count = table["count"].to_numpy(dtype=float)
    total = count.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(exposure > 0, count / exposure, np.nan)
        overall = total / exposure.sum()
        table["share"] = count / total if total else np.nan
        table["hours_per_week"] = week.astype("int64")
        table["exposure_hours"] = exposure
        table["incidents_per_hour"] = rate
        table["rate_ratio"] = rate / overall if total else np.nan
    return table
