"""The review's period and the one of the same length before it: a week, a month, a quarter or
any window of local days, as UTC instants of the team's local midnights."""

from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from .frames import DURATIONS, require
from .schema import InputError

__all__ = ["period_durations", "quarter_bounds", "review_bounds"]

_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)

#: Review cadences and their pandas period frequencies (weeks run Monday to Sunday).
CADENCES = {"week": "W-SUN", "month": "M", "quarter": "Q"}

#: Local midnight may not exist, or exist twice, on a day the clocks change.
_LOCAL = {"nonexistent": "shift_forward", "ambiguous": True}


def quarter_bounds(
    durations: pd.DataFrame,
    *,
    quarter: str | None = None,
    tz: str = "UTC",
    as_of: pd.Timestamp | str | None = None,
) -> pd.Series:
    """The review quarter and the one before it: :func:`review_bounds` with ``period="quarter"``.

    Parameters
    ----------
    quarter : str, optional
        ``"2026Q3"`` (or ``"2026-Q3"``); without it, the latest quarter that ended by ``as_of``
        (the current one when the data holds no complete quarter; ``complete`` says so).
    durations, tz, as_of
        As for :func:`review_bounds`.

    Returns
    -------
    Series
        As :func:`review_bounds` (``label`` is ``"2026Q3"``).
    """
    require(durations, DURATIONS, function="quarter_bounds")
    return review_bounds(durations, period="quarter", label=quarter, tz=tz, as_of=as_of)


def review_bounds(
    durations: pd.DataFrame,
    *,
    period: str = "quarter",
    label: str | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    tz: str = "UTC",
    as_of: pd.Timestamp | str | None = None,
) -> pd.Series:
    """The review period and the one of the same length before it, as UTC instants.

    Parameters
    ----------
    durations : DataFrame
        The output of :func:`mttr_lab.phase_durations`.
    period : {"week", "month", "quarter"}
        The cadence; without ``label``, ``start`` or ``end``, the latest one that ended by
        ``as_of`` (the current one when the data holds no complete one; ``complete`` says so).
    label : str, optional
        ``"2026Q3"``, ``"2026-07"`` or a day of the wanted week (``"2026-07-06"``).
    start, end : date, optional
        Any window instead: its first and last local day (both included), compared with the
        same number of days just before it.
    tz : str
        The team's timezone: periods start at local midnight.
    as_of : timestamp, optional
        The moment of the review; defaults to the latest timestamp in the durations.

    Returns
    -------
    Series
        ``period`` (the word: quarter, month, week or period), ``label``, ``start``, ``end``
        (exclusive), ``previous_label``, ``previous_start``, ``previous_end``, ``complete`` (the
        period ended by ``as_of``), ``future`` (it starts after ``as_of``), ``first_day``,
        ``last_day`` (its local dates), ``note`` (why another period than the latest complete one
        was chosen: without ``as_of``, when the export's incidents stop before it; and that the
        period before holds no incident, when the export's incidents start after it; empty
        otherwise).

    Notes
    -----
    A period counts as covered in full where the export's incidents start by its first local day
    and run to its last (or beyond). When the incidents stop before the default period and cover
    no period in full, the latest period they reach is reviewed, as with a history shorter than
    one period, and the note says so.
    """
    require(durations, DURATIONS, function="review_bounds")
    inferred = as_of is None
    if inferred:
        as_of = durations[["clock_start", "resolved_at"]].max(axis=None)
    as_of = pd.Timestamp(as_of)
    if pd.isna(as_of):
        raise InputError("the export holds no incident with a time: there is nothing to review")
    if as_of.tzinfo is None:
        raise ValueError(f"as_of={as_of!r} has no timezone")

    def utc(day: pd.Timestamp) -> pd.Timestamp:
        return day.tz_localize(tz, **_LOCAL).tz_convert("UTC")

    if start is not None or end is not None:
        row = _window_bounds(start, end, utc, as_of)
        row["note"] = _nothing_before(durations, row, tz)
        return row
    if period not in CADENCES:
        raise InputError("unknown review period", found=period, expected="week, month or quarter")
    chosen = _chosen(durations, period, label, tz, as_of)
    note = ""
    if label is None and inferred:
        chosen, note = _covered(durations, chosen, period, tz)
    first_day, last_day = chosen.start_time.normalize(), chosen.end_time.normalize()
    previous_first = (chosen - 1).start_time
    row = _bounds(
        period,
        _name(chosen, period),
        _name(chosen - 1, period),
        first_day,
        last_day,
        previous_first,
        utc,
        as_of,
    )
    row["note"] = " ".join(part for part in (note, _nothing_before(durations, row, tz)) if part)
    return row


def _covered(durations: pd.DataFrame, chosen: pd.Period, period: str, tz: str) -> tuple[pd.Period, str]:
    """The default period, or, where the export's incidents stop before it, the latest they cover.

    Incidents that stop long before the export's latest timestamp (a late resolution) would make
    the default window empty: the latest period they cover in full (from its first day to its
    last) is reviewed, and said why; where they cover none in full, the latest period they reach,
    and said so. A review date given on purpose is kept (the caller does not ask): a quiet period
    is the truth.
    """
    first, last = durations["clock_start"].min(), durations["clock_start"].max()
    if pd.isna(last):
        return chosen, ""
    first_day, last_day = (_local_day(stamp, tz) for stamp in (first, last))
    last_period = pd.Period(last_day, freq=CADENCES[period])
    if last_period >= chosen:
        return chosen, ""
    # Incidents that run to the last day of their period cover it at its end, as any period before.
    latest = last_period if last_day == last_period.end_time.normalize() else last_period - 1
    if first_day <= latest.start_time:  # and they had begun by its first day
        reviewed = latest
        stop = f"stop on {_said(last_day)}"
        how = f"the latest {period} they cover in full"
    else:  # no period covered in full: the latest they reach, as with a history shorter than one
        reviewed = last_period
        stop = f"run from {_said(first_day)} to {_said(last_day)}"
        how = f"the latest {period} they reach: they cover no {period} in full"
    note = (
        f"{_name(chosen, period)} holds no incident: the export's incidents {stop}, so the review "
        f"covers {_name(reviewed, period)}, {how}."
    )
    return reviewed, note


def _nothing_before(durations: pd.DataFrame, row: pd.Series, tz: str) -> str:
    """A sentence when the period compared with ends before the export's first incident."""
    first = durations["clock_start"].min()
    if pd.isna(first) or row["previous_end"] > first:
        return ""
    label = str(row["previous_label"])
    verb = "hold" if row["period"] == "period" else "holds"  # "the 30 days before hold"
    return (
        f"{label[:1].upper()}{label[1:]} {verb} no incident: the export's incidents start on "
        f"{_said(_local_day(first, tz))}, so there is nothing to compare with."
    )


def _local_day(stamp: pd.Timestamp, tz: str) -> pd.Timestamp:
    """The team's local date of an instant, as a naive midnight."""
    return stamp.tz_convert(tz).tz_localize(None).normalize()


def _said(day: pd.Timestamp) -> str:
    """A day as a sentence says it: 29 February 2016."""
    return f"{day.day} {day:%B %Y}"


def _name(p: pd.Period, period: str) -> str:
    """A period as the review names it: 2026Q3, 2026-07, 2026-W27."""
    if period == "week":
        iso = p.start_time.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    return str(p)


def _first_period(durations: pd.DataFrame, period: str, tz: str) -> pd.Period | None:
    """The period of the first incident's start, or None without one."""
    first = durations["clock_start"].min()
    return (
        pd.Period(first.tz_convert(tz).tz_localize(None), freq=CADENCES[period]) if pd.notna(first) else None
    )


def _chosen(
    durations: pd.DataFrame, period: str, label: str | None, tz: str, as_of: pd.Timestamp
) -> pd.Period:
    """The period named by ``label``; without one, the latest complete one (else the current)."""
    freq = CADENCES[period]
    if label is None:
        current = pd.Period(as_of.tz_convert(tz).tz_localize(None), freq=freq)
        first_period = _first_period(durations, period, tz) or current
        # The latest complete period, unless the data has none: then the current, incomplete one.
        return current - 1 if current - 1 >= first_period else current
    match = _QUARTER.match(str(label)) if period == "quarter" else None
    if period == "quarter" and not match:
        raise ValueError(f"quarter must look like 2026Q3, not {label!r}")
    try:
        return (
            pd.Period(year=int(match.group(1)), quarter=int(match.group(2)), freq="Q")
            if match
            else pd.Period(pd.Timestamp(str(label)), freq=freq)
        )
    except ValueError:
        raise InputError(
            f"not a {period}", found=label, expected="2026-07 for a month, a day of the week for a week"
        ) from None


def _window_bounds(
    start: object, end: object, utc: Callable[[pd.Timestamp], pd.Timestamp], as_of: pd.Timestamp
) -> pd.Series:
    """The bounds of a window of local days, compared with as many days just before it."""
    if start is None or end is None:
        raise InputError("a custom review window needs both its first and its last day")
    first_day = _day(start, "the review window's first day (start)")
    last_day = _day(end, "the review window's last day (end)")
    if first_day.tzinfo is not None or last_day.tzinfo is not None:
        first_day, last_day = first_day.tz_localize(None), last_day.tz_localize(None)
    if last_day < first_day:
        raise InputError("the review window ends before it starts", found=f"{start} to {end}")
    days = (last_day - first_day).days + 1
    label = f"{first_day:%d %b %Y} – {last_day:%d %b %Y}"  # "in 01 Jun 2026 – 30 Jun 2026"
    previous_first = first_day - pd.Timedelta(days=days)
    return _bounds(
        "period", label, f"the {days} days before", first_day, last_day, previous_first, utc, as_of
    )


def _day(value: object, name: str) -> pd.Timestamp:
    """A day of a custom review window, or one clear error naming it (``name``: the window's first
    day, or the option that gave it) and what was found."""
    try:
        day = pd.Timestamp(value)
    except (ValueError, TypeError):
        day = pd.NaT
    if pd.isna(day):
        raise InputError(f"{name} is not a date", found=value, expected="a day, e.g. 2026-06-01")
    return day.normalize()


def _bounds(
    word: str,
    label: str,
    previous_label: str,
    first_day: pd.Timestamp,
    last_day: pd.Timestamp,
    previous_first: pd.Timestamp,
    utc: Callable[[pd.Timestamp], pd.Timestamp],
    as_of: pd.Timestamp,
) -> pd.Series:
    """The row :func:`review_bounds` returns, from local days (``last_day`` included)."""
    begin, stop = utc(first_day), utc(last_day + pd.Timedelta(days=1))
    return pd.Series(
        {
            "period": word,
            "label": label,
            "start": begin,
            "end": stop,
            "previous_label": previous_label,
            "previous_start": utc(previous_first),
            "previous_end": begin,
            "complete": bool(stop <= as_of),
            "future": bool(begin > as_of),
            "first_day": first_day,
            "last_day": last_day,
            "note": "",
        }
    )


def period_durations(durations: pd.DataFrame, *, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """The incidents whose clock started in ``[start, end)``.

    Returns
    -------
    DataFrame
        The matching rows of ``durations``, columns unchanged.
    """
    require(durations, DURATIONS, function="period_durations")
    inside = (durations["clock_start"] >= start) & (durations["clock_start"] < end)
    return durations.loc[inside]
