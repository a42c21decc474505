"""The shape every timeline reader fills: :class:`Events`, the kinds, levels, and the rows of
events gathered from JSON records (:class:`EventRows`).

The vendor event fields live in :mod:`~mttr_lab.readers._events_tables` (CSV event logs) and
:mod:`~mttr_lab.readers._events_json` (JSON exports); :mod:`~mttr_lab.readers.timelines`
dispatches to them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..schema import InputError
from ._event_order import parse_event_times
from ._plumbing import blank, cell_text

__all__ = [
    "KINDS",
    "TIMELINE_SOURCES",
    "EventRows",
    "Events",
    "NoTimelineError",
    "check_kinds",
    "kinds_from",
    "no_levels",
    "parse_levels",
]

#: The canonical event kinds.
KINDS: tuple[str, ...] = (
    "trigger",
    "notify",
    "escalate",
    "assign",
    "acknowledge",
    "status",
    "note",
    "resolve",
    "reopen",
)

#: Sources whose exports carry a timeline.
TIMELINE_SOURCES: tuple[str, ...] = (
    "pagerduty",
    "statuspage",
    "gcp_status",
    "servicenow",
    "eventlog",
    "firehydrant",
    "incidentio",
    "csv",
    "json",
    "jsonl",
)


class NoTimelineError(InputError):
    """The export was read, but it carries no event timeline (a table of incidents, an alert list).

    A subclass of :class:`mttr_lab.InputError`, so that a caller who only wants to know whether
    an export has a timeline (the review) can tell this apart from a timeline that is broken.
    """


#: A level as written: 2, "L2", "level 2", or 2.0 (a column of numbers read as decimals).
_LEVEL_TEXT = re.compile(r"^\s*(?:l(?:evel)?\s*)?(\d{1,3})(?:\.0+)?\s*$", re.IGNORECASE)


@dataclass
class Events:
    """One source's events, in file order, before ordering and checks.

    ``record`` holds each event's 1-based position in the export (row, log entry or update),
    ``label`` how a record is named in messages (``"row"``, ``"log entry"``...). ``tiebreak``
    orders events of equal time before file order (ServiceNow's ``sys_mod_count``).
    """

    incident_id: pd.Series
    at: pd.Series
    kind: pd.Series
    group: pd.Series
    level: pd.Series
    actor: pd.Series
    detail: pd.Series
    record: np.ndarray
    label: str
    case_field: str
    time_field: str
    note: pd.Series | None = None
    tiebreak: list[np.ndarray] = field(default_factory=list)


def parse_levels(
    values: pd.Series,
    *,
    file: str | None,
    field: str,
    records: np.ndarray,
    label: str,
    unknown: Sequence[str] = (),
) -> tuple[pd.Series, pd.Series]:
    """Escalation or support levels as integers: ``2``, ``"2"``, ``"L2"``, ``"level 2"``.

    Values listed in ``unknown`` (such as ``"L2/L3"``) stay NA with a note; any other value that
    is not a level raises an :class:`InputError` naming the record.

    Returns
    -------
    tuple of Series
        ``Int64`` levels and notes (NA where nothing was substituted).
    """
    text = cell_text(values)
    codes, uniques = pd.factorize(text)
    parsed: list[Any] = []
    notes: list[Any] = []
    skip = {u.strip().casefold() for u in unknown}
    for pos, value in enumerate(uniques):
        hit = _LEVEL_TEXT.match(str(value))
        if hit:
            parsed.append(int(hit.group(1)))
            notes.append(pd.NA)
        elif str(value).strip().casefold() in skip:
            parsed.append(pd.NA)
            notes.append(f"level {value!r} names more than one level: kept unknown")
        else:
            row = int(np.flatnonzero(codes == pos)[0])
            raise InputError(
                "a level is not a whole number",
                file=file,
                record=f"{label} {records[row]}",
                field=field,
                found=value,
                expected="a whole number such as 2 or 'L2'",
            )
    if not len(uniques):
        return pd.Series(pd.NA, index=text.index, dtype="Int64"), blank(len(text))
    levels = pd.Series(pd.array(parsed, dtype="Int64")).take(np.maximum(codes, 0)).reset_index(drop=True)
    levels = levels.mask(codes < 0)
    note = pd.Series(pd.array(notes, dtype="str")).take(np.maximum(codes, 0)).reset_index(drop=True)
    return levels.astype("Int64"), note.mask(codes < 0).astype("str")


def kinds_from(values: pd.Series, mapping: Mapping[str, str], *, default: str = "status") -> pd.Series:
    """Each value's kind (compared ignoring case), ``default`` where unmapped; distinct values once."""
    table = {str(k).strip().casefold(): v for k, v in mapping.items()}
    codes, uniques = pd.factorize(values)
    kinds = np.array([table.get(str(u).casefold(), default) for u in uniques] + [default], dtype=object)
    return pd.Series(kinds[codes], index=values.index, dtype="str")


def check_kinds(mapping: Mapping[str, str], *, file: str) -> None:
    bad = {k: v for k, v in mapping.items() if v not in KINDS}
    if bad:
        label, value = next(iter(bad.items()))
        raise InputError(
            f"kinds= maps {label!r} to an unknown kind",
            file=file,
            field="kinds",
            found=value,
            expected="one of " + ", ".join(KINDS),
        )


def no_levels(n: int) -> pd.Series:
    """``n`` unknown levels."""
    return pd.Series(pd.NA, index=range(n), dtype="Int64")


class EventRows:
    """Events gathered one by one from JSON records, then read as columns.

    Each event has the values of ``names`` (missing ones None) and ``where``: how messages name
    it (``"update 2 of record 5 (id X)"``).
    """

    def __init__(self, file: str, names: Sequence[str]) -> None:
        self.file = file
        self.columns: dict[str, list[Any]] = {k: [] for k in (*names, "where")}

    def add(self, where: str, **values: Any) -> None:
        for name, column in self.columns.items():
            column.append(where if name == "where" else values.get(name))

    def __len__(self) -> int:
        return len(self.columns["where"])

    def raw(self, name: str) -> pd.Series:
        """One column as the export held it (all None for a name not gathered)."""
        return pd.Series(self.columns.get(name, [None] * len(self)), dtype=object)

    def text(self, name: str) -> pd.Series:
        """One column as text (see :func:`~mttr_lab.readers._plumbing.cell_text`)."""
        return cell_text(self.raw(name))

    @property
    def where(self) -> np.ndarray:
        return np.array(self.columns["where"], dtype=object)

    def times(self, *, tz: str | None, dayfirst: bool | None, field: str) -> pd.Series:
        """The ``at`` column parsed, each event named by its ``where`` in messages."""
        return parse_event_times(
            self.raw("at"), tz=tz, dayfirst=dayfirst, file=self.file, field=field, rows=self.where, label=""
        )

    def events(
        self,
        *,
        at: pd.Series,
        kind: pd.Series,
        label: str,
        time_field: str,
        level: pd.Series | None = None,
        detail: pd.Series | None = None,
        note: pd.Series | None = None,
        case_field: str = "id",
    ) -> Events:
        """The :class:`Events`: ``id``, ``group``, ``actor`` and ``detail`` as text, one record each."""
        n = len(self)
        return Events(
            incident_id=self.text("id"),
            at=at,
            kind=kind,
            group=self.text("group"),
            level=no_levels(n) if level is None else level,
            actor=self.text("actor"),
            detail=self.text("detail") if detail is None else detail,
            record=np.arange(1, n + 1),
            label=label,
            case_field=case_field,
            time_field=time_field,
            note=note,
        )
