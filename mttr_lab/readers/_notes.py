"""Notes on doubtful milestone timestamps: a daylight-saving rule applied, a time before 1990,
a cluster more than a year after the rest of the data."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..schema import MILESTONES
from ..timeparse import time_remarks, time_remarks_active
from ._arrow_text import missing_text

__all__ = [
    "EARLIEST_PLAUSIBLE",
    "FUTURE_GAP",
    "day_counts",
    "doubtful_notes",
    "join_notes",
    "joined_cells",
    "no_cells",
    "timestamp_notes",
]

#: Timestamps before this are implausible for an incident export (epoch mix-ups land in 1970).
EARLIEST_PLAUSIBLE = pd.Timestamp("1990-01-01", tz="UTC")
#: A cluster of timestamps this far after the rest of the data is implausible.
FUTURE_GAP = pd.Timedelta(days=365)

_DAY_US = 86_400_000_000
_EARLIEST_DAY = (EARLIEST_PLAUSIBLE - pd.Timestamp(0, tz="UTC")).days
_NAT = np.iinfo(np.int64).min


def _units_a_day(unit: str) -> int:
    """How many of ``unit`` (``"s"``, ``"ms"``, ``"us"``, ``"ns"``) make a day."""
    return pd.Timedelta(days=1) // pd.Timedelta(1, unit=unit)


_UNITS_A_DAY = {unit: _units_a_day(unit) for unit in ("s", "ms", "us", "ns")}


def day_counts(stamps: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The distinct UTC days of a timestamp column (days since 1970-01-01) and their counts.

    One linear pass where the days span under a million (no sort), without copying the
    timestamps; NaT is not counted.
    """
    instants = stamps.array.asi8  # a view; NaT is the smallest int64
    missing = instants == _NAT
    if missing.all():
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    unit = np.datetime_data(stamps.dtype.base)[0]
    day = np.floor_divide(instants, _UNITS_A_DAY[unit] if unit in _UNITS_A_DAY else _units_a_day(unit))
    high = int(day.max())  # NaT is the smallest int64: never the maximum
    absent = int(missing.sum())
    if absent:  # NaT counted on the latest day, then taken off
        np.putmask(day, missing, high)
    low = int(day.min())
    if high - low < 1_000_000:
        count = np.bincount(day - low)
        count[-1] -= absent
        days = np.flatnonzero(count)
        return days + low, count[days]
    days, count = np.unique(day, return_counts=True)
    count[-1] -= absent
    return days[count > 0], count[count > 0]


def _future_cut(counts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Where a minority of timestamps begins more than a year after all earlier ones (day resolution).

    ``counts`` holds :func:`day_counts` of each column. Returns the first implausible instant
    and the last plausible day, or None.
    """
    if (
        not counts
        or max(int(d[-1]) for d, _ in counts) - min(int(d[0]) for d, _ in counts) <= FUTURE_GAP.days
    ):
        return None  # no gap of a year between any two days
    day, where = np.unique(np.concatenate([d for d, _ in counts]), return_inverse=True)
    count = np.bincount(where, weights=np.concatenate([c for _, c in counts]), minlength=len(day))
    jumps = np.flatnonzero(np.diff(day) > FUTURE_GAP.days)
    if not len(jumps):
        return None
    first = jumps[-1] + 1
    later = count[first:].sum()
    if later >= count[:first].sum():
        return None
    start = pd.Timestamp(int(day[first]) * _DAY_US, unit="us", tz="UTC")
    return start, pd.Timestamp(int(day[first - 1]) * _DAY_US, unit="us")


def no_cells(n: int) -> np.ndarray:
    """``n`` missing remarks, as an object array (None where a record has no remark)."""
    return np.full(n, None, dtype=object)


def joined_cells(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """:func:`join_notes` of two object arrays of remarks (None where a record has none): one
    pass of Python string joins where both hold one, none where either is empty."""
    has_first, has_second = np.not_equal(first, None), np.not_equal(second, None)
    if not has_second.any():
        return first
    out = np.where(has_first, first, second)
    both = has_first & has_second
    if both.any():
        out[both] = first[both] + "; " + second[both]
    return out


def join_notes(first: pd.Series | None, second: pd.Series | None) -> pd.Series | None:
    """Two columns of remarks as one: joined with "; " where both have one (None is no column)."""
    if first is None or second is None:
        return second if first is None else first
    joined = first + "; " + second
    return joined.fillna(first).fillna(second)


def timestamp_notes(stamps: pd.DataFrame) -> pd.Series:
    """A sentence per record on its doubtful milestone timestamps (NA where none is doubtful).

    Doubtful: a naive local time that daylight saving made ambiguous or skipped (the rule of
    :mod:`mttr_lab.timeparse` was applied, collected by :func:`~mttr_lab.timeparse.collect_remarks`);
    a time before 1990 (an epoch mix-up, a placeholder date); a time in a cluster that begins
    more than a year after the latest earlier timestamp and holds fewer timestamps than the rest
    (a typo in the year, a far-future placeholder).

    Returns
    -------
    Series of str
        Indexed like ``stamps``; sentences joined with "; ".
    """
    notes = doubtful_notes(stamps, {})
    return missing_text(stamps.index) if notes is None else notes


def doubtful_notes(
    stamps: pd.DataFrame | Mapping[str, pd.Series], counts: Mapping[str, tuple[np.ndarray, np.ndarray]]
) -> pd.Series | None:
    """:func:`timestamp_notes`, or None where no timestamp is doubtful.

    ``stamps`` is a frame or a mapping of its columns (of one length); ``counts`` holds the
    :func:`day_counts` of columns where they are already known.
    """
    notes = None
    columns = [c for c in MILESTONES if c in stamps]
    if not columns or not len(stamps[columns[0]]):
        return notes
    counts = {name: counts.get(name) or day_counts(stamps[name]) for name in columns}
    cut = _future_cut([c for c in counts.values() if len(c[0])])
    remarks = time_remarks_active()
    if cut is None and not remarks and all(not len(d) or d[0] >= _EARLIEST_DAY for d, _ in counts.values()):
        return notes  # nothing early, nothing late, no daylight-saving remark: no note
    for name in columns:
        values = stamps[name]
        days = counts[name][0]
        remark = time_remarks(values) if remarks and len(days) else None  # none on a column of NaT
        early = values < EARLIEST_PLAUSIBLE if len(days) and days[0] < _EARLIEST_DAY else None
        late = values >= cut[0] if cut is not None else None
        noted = remark is not None and remark.notna().any()
        if not (noted or (early is not None and early.any()) or (late is not None and late.any())):
            continue
        shown = values.dt.strftime("%Y-%m-%d %H:%M")
        if noted:
            notes = join_notes(notes, (name + " " + remark).where(remark.notna()))
        if early is not None and early.any():
            text = name + " " + shown + " UTC is before 1990: implausible for an incident; kept as recorded"
            notes = join_notes(notes, text.where(early))
        if late is not None and late.any():
            text = (
                name
                + " "
                + shown
                + f" UTC is more than a year after the rest of the data (which ends {cut[1]:%Y-%m-%d}): "
                + "implausible; kept as recorded"
            )
            notes = join_notes(notes, text.where(late))
    return notes
