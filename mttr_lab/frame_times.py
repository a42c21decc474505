"""The time rules of the two frames: UTC coercion, the moment an export describes, the times
that can be used, the milestone order, and :class:`Period` for time windows.

:func:`mttr_lab.phase_durations` and :func:`mttr_lab.check_incidents` share these rules; the
other modules take them from :mod:`mttr_lab.frames`, which holds the rest of the frames' rules.
Milestones are handled as int64 counts of one unit (NaT as int64 min), without copies where it can.
It imports nothing of mttr_lab but :mod:`mttr_lab.schema` and :mod:`mttr_lab.halves`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd

from .halves import in_halves
from .schema import MILESTONES, InputError

__all__ = [
    "AS_OF_ATTR",
    "EARLIEST_POSSIBLE",
    "LATEST_POSSIBLE",
    "ORDER_TOLERANCE",
    "MilestoneOrder",
    "Period",
    "as_utc",
    "begun",
    "count",
    "default_as_of",
    "elapsed",
    "fmt_time",
    "late_times",
    "milestone_ints",
    "milestone_order",
    "open_at",
    "usable",
    "usable_times",
]

#: Where a reader keeps the moment an export was taken when the file says it (the poll time of
#: a status-page snapshot): :func:`default_as_of` is never earlier.
AS_OF_ATTR = "mttr_lab.as_of"

#: Two milestones closer than this in the "wrong" order are equal (sources round to the second).
ORDER_TOLERANCE = pd.Timedelta(seconds=1)
#: Times at or beyond pandas' nanosecond limits are placeholders (9999-12-31), never used.
EARLIEST_POSSIBLE = pd.Timestamp("1677-09-22", tz="UTC")
LATEST_POSSIBLE = pd.Timestamp("2262-04-11", tz="UTC")
#: A time later than ``as_of`` by more than this is an error, never used.
FUTURE_SLACK = pd.Timedelta(days=1)

_NAT = np.iinfo(np.int64).min


def as_utc(value: object, *, name: str = "as_of") -> pd.Timestamp:
    """A timezone-aware timestamp given by the user, in UTC; naive or unreadable ones are refused."""
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: expected a timezone-aware timestamp, not {value!r}") from exc
    if stamp is pd.NaT:
        raise ValueError(f"{name}: expected a timezone-aware timestamp, not {value!r}")
    if stamp.tzinfo is None:
        raise ValueError(
            f"{name}={value!r} has no timezone; give one, e.g. '2026-07-01T00:00Z' or "
            "pd.Timestamp('2026-07-01', tz='Europe/Berlin')"
        )
    return stamp.tz_convert("UTC")


class _Window(NamedTuple):
    start: pd.Timestamp
    end: pd.Timestamp


class Period(_Window):
    """A time window ``[start, end)`` in UTC, both ends given with a zone, start before end.

    A pair, so it goes wherever a ``(start, end)`` pair went (``before=``, ``periods=`` values).
    """

    __slots__ = ()

    def __new__(cls, start: object, end: object, *, name: str = "period") -> Period:
        begin, stop = as_utc(start, name=f"{name} start"), as_utc(end, name=f"{name} end")
        if not begin < stop:
            raise ValueError(f"{name}: start {fmt_time(begin)} must come before end {fmt_time(stop)}")
        return super().__new__(cls, begin, stop)

    @classmethod
    def of(cls, value: object, *, name: str = "period") -> Period:
        """A Period from a Period or a ``(start, end)`` pair; anything else is refused."""
        if isinstance(value, cls):
            return value
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            raise ValueError(
                f"{name} must be a Period or a (start, end) pair of timezone-aware timestamps, not {value!r}"
            )
        return cls(value[0], value[1], name=name)

    @classmethod
    def dates(cls, first: object, last: object, *, tz: str) -> Period:
        """Local calendar days ``first`` to ``last`` (both included) in ``tz``."""

        def day(value: object) -> pd.Timestamp:
            stamp = pd.Timestamp(value)
            return (stamp.tz_convert(tz).tz_localize(None) if stamp.tzinfo else stamp).normalize()

        local = {"nonexistent": "shift_forward", "ambiguous": True}
        return cls(
            day(first).tz_localize(tz, **local), (day(last) + pd.Timedelta(days=1)).tz_localize(tz, **local)
        )

    @classmethod
    def quarter(cls, quarter: str, *, tz: str) -> Period:
        """A calendar quarter such as ``"2026Q3"`` in ``tz``."""
        try:
            q = pd.Period(quarter, freq="Q")
        except (TypeError, ValueError) as exc:
            raise ValueError(f"quarter must look like 2026Q3, not {quarter!r}") from exc
        return cls.dates(q.start_time, q.end_time, tz=tz)

    def __repr__(self) -> str:
        return f"Period({fmt_time(self.start)} to {fmt_time(self.end)})"


def fmt_time(stamp: pd.Timestamp) -> str:
    """A time as a person reads it in a message: to the second, with its zone."""
    return f"{stamp:%Y-%m-%d %H:%M:%S} UTC" if pd.notna(stamp) else "unknown"


def _unit(frame: pd.DataFrame) -> str:
    present = [c for c in MILESTONES if c in frame.columns and isinstance(frame[c].dtype, pd.DatetimeTZDtype)]
    units = {frame[c].dtype.unit for c in present}
    # Mixed units meet at the coarsest: a finer one could not hold a far date (9999-12-31).
    return min(units, key=["s", "ms", "us", "ns"].index) if units else "us"


def _ints(column: pd.Series, unit: str) -> np.ndarray:
    """A timestamp column as int64 counts of ``unit`` (NaT as int64 min), without a copy if it can.

    Only timezone-aware timestamps are read (a column with no value at all is NaT, whatever its
    dtype): a naive time or a string would be a guess at its zone.
    """
    if not isinstance(column.dtype, pd.DatetimeTZDtype):
        if column.isna().all():
            return np.full(len(column), _NAT, dtype=np.int64)
        raise InputError(
            "the milestone holds values without a timezone",
            field=str(column.name),
            found=str(column.dtype),
            expected="timezone-aware timestamps as read_export gives them (or pd.to_datetime(..., utc=True))",
        )
    if column.dtype.unit != unit:
        column = column.dt.as_unit(unit)
    return column.array.asi8


def count(moment: pd.Timestamp | pd.Timedelta, unit: str) -> int:
    """A timestamp (since 1970, UTC) or a duration as an integer count of ``unit``; NaT as int64 min."""
    if pd.isna(moment):
        return _NAT
    return int(moment.as_unit(unit).asm8.view("i8"))


def _limits(unit: str) -> tuple[int, int]:
    return count(EARLIEST_POSSIBLE, unit), count(LATEST_POSSIBLE, unit)


def default_as_of(incidents: pd.DataFrame) -> pd.Timestamp:
    """The latest timestamp in the data: the moment the export describes, never the wall clock.

    Placeholders at pandas' limits (9999-12-31) do not count. NaT when the incidents hold no
    timestamp at all: then none has a start, so none is open. Where the reader found the moment
    the export was taken (``attrs[AS_OF_ATTR]``, a polled snapshot's time), it is that moment when
    later than every timestamp.
    """
    taken = incidents.attrs.get(AS_OF_ATTR)
    latest = _latest(incidents)
    if isinstance(taken, pd.Timestamp) and taken.tzinfo is not None and not pd.isna(latest):
        return max(latest, taken.tz_convert("UTC"))
    return latest


def _latest(incidents: pd.DataFrame) -> pd.Timestamp:
    """The latest timestamp of the milestones (placeholders at pandas' limits left out), or NaT."""
    present = [c for c in MILESTONES if c in incidents.columns]
    if not present or not len(incidents):
        return pd.NaT
    unit = _unit(incidents)
    low, high = _limits(unit)
    latest = _NAT
    for name in present:
        values = _ints(incidents[name], unit)
        top = int(values.max())
        if top >= high:  # a placeholder at the limit: the latest below it
            inside = values[(values > low) & (values < high)]
            top = int(inside.max()) if len(inside) else _NAT
        latest = max(latest, top if top > low else _NAT)
    return pd.NaT if latest == _NAT else pd.Timestamp(latest, unit=unit, tz="UTC")


def milestone_ints(frame: pd.DataFrame) -> tuple[dict[str, np.ndarray], str]:
    """Each milestone as int64 counts of one unit (NaT as int64 min), without copies where it
    can; and the unit."""
    unit = _unit(frame)
    return {name: _ints(frame[name], unit) for name in MILESTONES}, unit


def usable(
    raw: dict[str, np.ndarray], unit: str, as_of: pd.Timestamp
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The milestones of :func:`milestone_ints` (or rows of them) with a time at pandas' limits or
    more than a day after ``as_of`` taken out (NaT); also the masks of the times taken out."""
    low, high = _limits(unit)
    cap = high if pd.isna(as_of) else min(high, count(as_of + FUTURE_SLACK, unit) + 1)
    values, absurd = {}, {}
    shifted = np.empty(len(next(iter(raw.values()))), dtype=np.int64)  # one scratch array for all
    for name, times in raw.items():
        # low < times < cap in one comparison: times - (low + 1) as unsigned is below cap - low - 1.
        outside = np.subtract(times, low + 1, out=shifted).view(np.uint64) >= np.uint64(cap - low - 1)
        bad = outside & (times != _NAT) if outside.any() else outside
        absurd[name] = bad
        values[name] = np.where(bad, _NAT, times) if bad.any() else times
    return values, absurd


def late_times(raw: dict[str, np.ndarray], absurd: dict[str, np.ndarray], unit: str) -> dict[str, np.ndarray]:
    """Of the times :func:`usable` took out (``absurd``), those more than a day after ``as_of``:
    not at pandas' limits, but not yet happened at ``as_of``."""
    low, high = _limits(unit)
    return {name: absurd[name] & (raw[name] > low) & (raw[name] < high) for name in raw}


def begun(raw: dict[str, np.ndarray], late: dict[str, np.ndarray]) -> np.ndarray:
    """Which incidents had begun by ``as_of``: a milestone recorded and not after it."""
    some = np.zeros(len(raw["resolved_at"]), dtype=bool)
    for name in MILESTONES:
        some |= (raw[name] != _NAT) & ~late[name]
    return some


def open_at(raw: dict[str, np.ndarray], late: dict[str, np.ndarray]) -> np.ndarray:
    """Which incidents were open at ``as_of``, from :func:`milestone_ints` and :func:`late_times`
    (or rows of them).

    Open: no resolution recorded by ``as_of`` (none at all, or one more than a day after it,
    which had not happened yet), in an incident that had begun by then (:func:`begun`). A
    resolution at pandas' limits (a placeholder) never makes an incident open.
    """
    return ((raw["resolved_at"] == _NAT) | late["resolved_at"]) & begun(raw, late)


def usable_times(
    frame: pd.DataFrame, as_of: pd.Timestamp
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], str]:
    """Each milestone as int64 counts of ``unit``, a time at pandas' limits or more than a day
    after ``as_of`` taken out (NaT); also the masks of the times taken out, and the unit."""
    raw, unit = milestone_ints(frame)
    values, absurd = usable(raw, unit, as_of)
    return values, absurd, unit


@dataclass(frozen=True)
class MilestoneOrder:
    """Per milestone: out of order (bool); for the rows out of order only, the latest earlier
    time (int64) and its index in MILESTONES."""

    out_of_order: dict[str, np.ndarray]
    previous: dict[str, np.ndarray]
    previous_name: dict[str, np.ndarray]

    def used(self, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """The milestones with the out-of-order ones left out (NaT)."""
        return {
            n: np.where(self.out_of_order[n], _NAT, v) if self.out_of_order[n].any() else v
            for n, v in values.items()
        }


def milestone_order(
    values: dict[str, np.ndarray], unit: str, *, names: bool = True, split: bool = True
) -> MilestoneOrder:
    """The milestone-order rule: each milestone against the latest one recorded before it.

    A milestone earlier than that by more than :data:`ORDER_TOLERANCE` is out of order and not
    used for the phases; closer than that, the two are equal (a second-rounded copy of a time).
    ``previous`` and ``previous_name`` hold the rows out of order only (``values[name][out]``'s
    rows); ``names=False`` skips ``previous_name`` (all -1), which only messages need. Each row
    is on its own: a large frame's two halves are done side by side, unless ``split`` is False
    (the caller's own half).
    """
    if not split:
        return _order(values, unit, names)
    rows = len(next(iter(values.values()))) if values else 0
    pieces = in_halves(lambda part: _order({n: v[part] for n, v in values.items()}, unit, names), rows)
    if len(pieces) == 1:
        return pieces[0]
    first, second = pieces
    return MilestoneOrder(
        *(
            {
                name: np.concatenate([getattr(first, field)[name], getattr(second, field)[name]])
                for name in MILESTONES
            }
            for field in ("out_of_order", "previous", "previous_name")
        )
    )


def _order(values: dict[str, np.ndarray], unit: str, names: bool) -> MilestoneOrder:
    """:func:`milestone_order` on these rows, in the calling thread."""
    tolerance = count(ORDER_TOLERANCE, unit)
    n = len(next(iter(values.values()))) if values else 0
    latest = np.full(n, _NAT, dtype=np.int64)  # NaT is the smallest int64: max() skips it
    latest_name = np.full(n, -1, dtype=np.int8)
    bad, previous, previous_name = {}, {}, {}
    for i, name in enumerate(MILESTONES):
        value = values[name]
        out = value + tolerance < latest  # never where latest is NaT; also true where value is NaT
        if out.any():
            out &= value != _NAT
        bad[name], previous[name], previous_name[name] = out, latest[out], latest_name[out]
        candidate = np.where(out, _NAT, value) if out.any() else value
        if names:
            later = (candidate >= latest) & (candidate != _NAT)
            np.putmask(latest_name, later, np.int8(i))
        np.maximum(latest, candidate, out=latest)
    return MilestoneOrder(bad, previous, previous_name)


def elapsed(end: np.ndarray, begin: np.ndarray, unit: str, *, out: np.ndarray | None = None) -> np.ndarray:
    """``end - begin`` as int64, NaT where either is unknown or the end is before the begin.

    An end less than :data:`ORDER_TOLERANCE` before the begin counts as zero. ``out``, when
    given, receives the result.
    """
    tolerance = count(ORDER_TOLERANCE, unit)
    delta = np.subtract(end, begin, out=out)  # wraps where either is NaT; those rows are NaT below
    unmeasured = delta < -tolerance
    unmeasured |= end == _NAT
    unmeasured |= begin == _NAT
    np.maximum(delta, 0, out=delta)
    np.putmask(delta, unmeasured, _NAT)
    return delta
