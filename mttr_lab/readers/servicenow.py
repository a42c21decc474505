"""ServiceNow ``incident`` exports: table exports and incident event logs.

Two shapes are read (``shape="auto"`` tells them apart: an event log repeats most incident
``number`` values (more than half of them) and has a state and an update-time column; pass
``shape=`` where an export is in doubt):

**Table export** (UI "Export -> CSV", or Table API JSON, ``{"result": [...]}``), one row per
incident. Field names (``opened_at``) and the UI's column labels (``Opened``) are both accepted.

- detected = ``opened_at``; acknowledged = ``work_start`` when the export has it (a table
  holds no state history, so no first pick-up otherwise);
- resolved = ``resolved_at``, never ``closed_at`` (closure is often an auto-close job days
  later). A record with no ``resolved_at`` but a ``closed_at`` was closed without a resolve
  step; it resolves at ``closed_at``, as ServiceNow's own "Resolve time" (``calendar_stc``)
  does, and the ``resolved_from`` column says ``"closed_at"``;
- state Canceled (``8``) -> ``exclude_reason``; duplicates of one ``number`` keep the latest
  ``sys_updated_on``.

**Event log** (one row per update, such as the UCI "incident management process enriched
event log": ``number``, ``incident_state``, ``sys_updated_at``, ``opened_at``, ``resolved_at``,
``closed_at``, ...), one incident per ``number``; events are ordered by update time, then
``sys_mod_count``, then file order.

- detected = ``opened_at``;
- acknowledged = the first update whose state is ``Active`` / ``In Progress`` (``2``): the
  human pick-up. ``Awaiting ...`` / On Hold states do not count (they park an incident, often
  before anyone works on it); ``ack_states=`` changes the set;
- resolved = ``resolved_at`` of the incident's latest event, its final resolution (reopened
  incidents resolve at their last one). Where it is empty, the last ``Resolved`` update of
  the final resolved/closed run of events (``resolved_from="resolved event"``), else the
  ``closed_at`` of the latest event (``"closed_at"``). An incident whose last update is not
  Resolved/Closed/Canceled and has no ``resolved_at`` is open;
- severity, team and service from the latest event; ``reopen_count`` (the export's own, else
  counted from the states) and ``events`` (update rows) follow the canonical columns;
- latest state Canceled -> ``exclude_reason``.

Both shapes: severity from ``priority`` (``1 - Critical`` -> critical, ``2 - High`` -> high,
``3 - Moderate`` -> medium, ``4 - Low`` / ``5 - Planning`` -> low; bare codes ``1``..``5``
likewise), service = ``business_service`` else ``cmdb_ci``, team = ``assignment_group``, title =
``short_description``. ``?`` and empty cells are missing.

Timestamps: display values carry no offset (the exporting user's format and timezone), so
``tz=`` is required; the date order (day-first or month-first) is read from all date columns
together, or given with ``dayfirst=``. Table API JSON fetched with ``sysparm_display_value=all``
holds ``{"display_value", "value"}`` pairs: dates are then taken from ``value``, which the API
gives in UTC, and need no ``tz``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..schema import INCIDENT_COLUMNS, InputError
from ._build import require_columns, whole_numbers
from ._files import Sample, read_csv_frame
from ._json_docs import load_json_records, require_objects
from ._plumbing import Reading, cell_text
from .eventlog import final_resolution, first_times, order_events, parse_event_times

__all__ = ["ACK_STATES", "SEVERITY_MAP", "SOURCE", "read", "sniff"]

SOURCE = "servicenow"
#: What this export is, and the fields that only it has (said when another reader gets it).
SIGNATURE = ("a ServiceNow export", "a table export or event log with number, opened_at and a state column")

#: ServiceNow field -> the header names that stand for it (lower-cased field names, UI labels).
_ALIASES: dict[str, tuple[str, ...]] = {
    "number": ("number",),
    "opened_at": ("opened_at", "opened"),
    "state": ("state",),
    "incident_state": ("incident_state", "incident state"),
    "priority": ("priority",),
    "resolved_at": ("resolved_at", "resolved"),
    "closed_at": ("closed_at", "closed"),
    "work_start": ("work_start", "work start", "actual start"),
    "short_description": ("short_description", "short description"),
    "assignment_group": ("assignment_group", "assignment group"),
    "cmdb_ci": ("cmdb_ci", "configuration item"),
    "business_service": ("business_service", "service"),
    "sys_updated_on": ("sys_updated_on", "sys_updated_at", "updated"),
    "sys_mod_count": ("sys_mod_count", "updates"),
    "reopen_count": ("reopen_count", "reopen count"),
    "contact_type": ("contact_type", "contact type"),
}
_DATES = ("opened_at", "resolved_at", "closed_at", "work_start", "sys_updated_on")

#: Priority labels and codes -> severity.
SEVERITY_MAP: dict[str, str] = {
    "1 - critical": "critical",
    "2 - high": "high",
    "3 - moderate": "medium",
    "4 - low": "low",
    "5 - planning": "low",
    "1": "critical",
    "2": "high",
    "3": "medium",
    "4": "low",
    "5": "low",
}

#: ``shape="auto"`` reads an event log when more than this share of the numbers repeat.
_EVENT_LOG_SHARE = 0.5
#: States that mark the first human pick-up in an event log.
ACK_STATES: tuple[str, ...] = ("Active", "In Progress", "2")
_RESOLVED_STATES = ("resolved", "6")
_CLOSED_STATES = ("closed", "7")
_CANCELED_STATES = ("canceled", "cancelled", "8")
_SLASH_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})\b")


def _columns_of(names: Sequence[str]) -> dict[str, str]:
    """ServiceNow field -> the export's column, for the fields present."""
    lowered: dict[str, str] = {}
    for name in names:
        lowered.setdefault(str(name).strip().lstrip("\ufeff").lower(), name)
    out = {}
    for field, aliases in _ALIASES.items():
        hit = next((lowered[a] for a in aliases if a in lowered), None)
        if hit is not None:
            out[field] = hit
    return out


def sniff(sample: Sample) -> str | None:
    """Recognise a ServiceNow incident table export or event log (``number``, ``opened_at``, a state)."""
    if sample.kind == "csv":
        names = sample.csv_columns()
    else:
        doc = sample.json()
        if isinstance(doc, dict) and isinstance(doc.get("result"), list):
            doc = doc["result"]
        first = doc[0] if isinstance(doc, list) and doc else doc
        names = list(first) if isinstance(first, dict) else []
    cols = _columns_of(names)
    if {"number", "opened_at"} <= set(cols) and {"state", "incident_state"} & set(cols):
        kind = "event log" if "sys_updated_on" in cols and "incident_state" in cols else "incident export"
        return f"ServiceNow {kind} (number, opened_at, state columns)"
    return None


# --------------------------------------------------------------------------- loading


def _cell(value: Any, *, date: bool) -> Any:
    if isinstance(value, dict):
        if date and "value" in value:
            return value["value"]
        return value.get("display_value", value.get("value"))
    return value


def _load(path: Path, *, file: str) -> tuple[pd.DataFrame, set[str]]:
    """The export as a frame of cells, and the columns holding the API's UTC values."""
    name = path.name.lower().removesuffix(".gz")
    if not name.endswith((".json", ".jsonl", ".ndjson")):
        return read_csv_frame(path), set()
    records = load_json_records(path, keys=("result", "records"))
    require_objects(records, file=file, expected="one object per incident (the Table API's result list)")
    keys: dict[str, None] = {}
    for record in records:
        keys.update(dict.fromkeys(record))
    fields = _columns_of(list(keys))
    dates = {fields[f] for f in _DATES if f in fields}
    utc = {k for k in dates if any(isinstance(r.get(k), dict) and "value" in r[k] for r in records)}
    data = {k: [_cell(r.get(k), date=k in dates) for r in records] for k in keys}
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(records)))
    for column in frame.columns:
        if frame[column].map(lambda v: isinstance(v, (dict, list))).any():
            frame[column] = frame[column].map(lambda v: None if v is None else str(v))
    return frame, utc


def _date_order(
    frame: pd.DataFrame, columns: Sequence[str], *, file: str, dayfirst: bool | None
) -> bool | None:
    """Day-first (True) or month-first (False), read from all date columns together.

    Returns ``dayfirst`` when given (after checking the data does not contradict it), else the
    order the data shows, or None when no value tells.
    """
    witness: dict[bool, tuple[str, Any]] = {}
    for column in columns:
        values = frame[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
            continue
        distinct = pd.Series(values.dropna().unique(), dtype="str")
        parts = distinct.str.extract(_SLASH_DATE)
        for order, part in ((True, 0), (False, 1)):
            over = pd.to_numeric(parts[part], errors="coerce") > 12
            if order not in witness and over.any():
                witness[order] = (column, distinct[over.to_numpy()].iloc[0])
    if True in witness and False in witness:
        column, value = witness[False]
        raise InputError(
            "date columns mix day-first and month-first order",
            file=file,
            field=column,
            found=value,
            expected=f"one date order throughout the export (day-first elsewhere, e.g. {witness[True][1]!r})",
        )
    shown = next(iter(witness), None)
    if dayfirst is not None and shown is not None and shown != dayfirst:
        column, value = witness[shown]
        row = int(np.flatnonzero((frame[column] == value).to_numpy())[0]) + 1
        raise InputError(
            f"dayfirst={dayfirst} but the dates are {'day' if shown else 'month'}-first",
            file=file,
            record=f"row {row}",
            field=column,
            found=value,
            expected=f"dayfirst={shown} (or leave it out: the order is read from the data)",
        )
    return dayfirst if dayfirst is not None else shown


def _times(
    frame: pd.DataFrame,
    column: str | None,
    *,
    utc: set[str],
    tz: str | None,
    dayfirst: bool | None,
    file: str,
    rows: np.ndarray,
    label: str,
) -> pd.Series | None:
    if column is None:
        return None
    return parse_event_times(
        frame[column].reset_index(drop=True),
        tz="UTC" if column in utc else tz,
        dayfirst=dayfirst,
        file=file,
        field=column,
        rows=rows,
        label=label,
    )


def _in(values: pd.Series, choices: Sequence[str]) -> pd.Series:
    return values.str.lower().isin([c.lower() for c in choices]).fillna(False).astype(bool)


# --------------------------------------------------------------------------- the reader


def read(
    path: str | Path,
    *,
    tz: str | None = None,
    dayfirst: bool | None = None,
    severity_map: Mapping[str, str] | None = None,
    shape: str = "auto",
    ack_states: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read a ServiceNow incident table export or incident event log.

    Parameters
    ----------
    path : path
        A CSV export (UI list export, field names or labels) or Table API JSON, optionally ``.gz``.
    tz : str
        IANA timezone of the export's date-times (the exporting user's timezone). Required
        unless the dates come as the Table API's UTC ``value``.
    dayfirst : bool, optional
        Date order of slash dates; read from the data when it can tell.
    severity_map : mapping, optional
        Priority label -> severity, over :data:`SEVERITY_MAP`.
    shape : {"auto", "table", "events"}
        A table export (one row per incident) or an event log (one row per update).
    ack_states : list of str, optional
        Event logs: states whose first update is the acknowledgement (default :data:`ACK_STATES`).

    Returns
    -------
    DataFrame
        The canonical ``incidents`` columns, then ``resolved_from`` (what gave ``resolved_at``:
        ``"resolved_at"``, ``"resolved event"``, ``"closed_at"``, ``"closed event"``,
        ``"canceled event"``; NA when open), for event logs ``events`` and ``reopen_count``,
        then the export's other columns (from an incident's latest event). Table exports: one
        row per row read. Event logs: one row per incident, ``record`` = its order of first
        appearance.

    Raises
    ------
    InputError
        When a needed column is missing, a timestamp cannot be read, or no ``tz`` is given.
    """
    file = str(path)
    path = Path(path)
    frame, utc = _load(path, file=file)
    frame = frame.reset_index(drop=True)
    cols = _columns_of(frame.columns)
    for needed in ("number", "opened_at"):
        if needed not in cols:
            shown = ", ".join(map(str, list(frame.columns)[:30]))
            raise InputError(
                f"the ServiceNow export has no column {needed!r}",
                file=file,
                field=needed,
                expected=f"an incident export with number and opened_at; columns present: {shown}",
            )
    state = cols.get("state", cols.get("incident_state"))
    if shape not in ("auto", "table", "events"):
        raise InputError(f"unknown shape {shape!r}", file=file, expected="'auto', 'table' or 'events'")
    if shape == "auto":
        # An event log holds several updates of most incidents; a table export re-exported or
        # concatenated may repeat a few numbers (kept once: the latest update wins).
        counts = frame[cols["number"]].value_counts()
        repeated = bool(len(counts)) and float((counts > 1).mean()) > _EVENT_LOG_SHARE
        shape = "events" if repeated and state is not None and "sys_updated_on" in cols else "table"
    if shape == "events":
        require_columns(
            frame.columns,
            {"state": state or "incident_state", "update time": cols.get("sys_updated_on", "sys_updated_at")},
            file=file,
            what="ServiceNow event log",
        )
    dates = [cols[f] for f in _DATES if f in cols and cols[f] not in utc]
    dayfirst = _date_order(frame, dates, file=file, dayfirst=dayfirst)
    options = {"tz": tz, "dayfirst": dayfirst, "file": file, "utc": utc}
    if shape == "events":
        return _read_events(
            frame, cols, state=state, severity_map=severity_map, ack_states=ack_states, **options
        )
    return _read_table(frame, cols, state=state, severity_map=severity_map, **options)


def _service(rows: pd.DataFrame, cols: Mapping[str, str]) -> pd.Series | None:
    service = cell_text(rows[cols["business_service"]]) if "business_service" in cols else None
    ci = cell_text(rows[cols["cmdb_ci"]]) if "cmdb_ci" in cols else None
    if service is None:
        return ci
    return service if ci is None else service.where(service.notna(), ci)


def _fields(rows: pd.DataFrame, cols: Mapping[str, str]) -> dict[str, Any]:
    fields: dict[str, Any] = {"incident_id": cell_text(rows[cols["number"]])}
    for canonical, field in (
        ("title", "short_description"),
        ("team", "assignment_group"),
        ("severity", "priority"),
        ("detection_channel", "contact_type"),
    ):
        if field in cols:
            fields[canonical] = cell_text(rows[cols[field]])
    service = _service(rows, cols)
    if service is not None:
        fields["service"] = service
    return fields


def _extras(rows: pd.DataFrame, cols: Mapping[str, str], extra: dict[str, Any]) -> dict[str, Any]:
    mapped = (
        "number",
        "opened_at",
        "resolved_at",
        "short_description",
        "assignment_group",
        "priority",
        "work_start",
        "contact_type",
    )
    used = {cols[f] for f in mapped if f in cols}
    for column in rows.columns:
        if column in used or column in extra:
            continue
        name = column if column not in INCIDENT_COLUMNS else f"servicenow_{column}"
        extra[name] = rows[column].reset_index(drop=True)
    return extra


def _labels(cols: Mapping[str, str]) -> dict[str, str]:
    labels = {"incident_id": cols["number"], "detected_at": cols["opened_at"]}
    for canonical, field in (
        ("title", "short_description"),
        ("team", "assignment_group"),
        ("severity", "priority"),
        ("acknowledged_at", "work_start"),
        ("resolved_at", "resolved_at"),
    ):
        if field in cols:
            labels[canonical] = cols[field]
    return labels


def _version(frame: pd.DataFrame, cols: Mapping[str, str], updated: pd.Series | None) -> np.ndarray | None:
    """Rank of each row by ``sys_updated_on`` then ``sys_mod_count`` (the later version ranks higher)."""
    keys = []
    if "sys_mod_count" in cols:
        keys.append(pd.to_numeric(frame[cols["sys_mod_count"]], errors="coerce").fillna(-1).to_numpy())
    if updated is not None:
        keys.append(updated.astype("int64").to_numpy())  # NaT is the smallest int64: oldest
    if not keys:
        return None
    rank = np.empty(len(frame), dtype=np.int64)
    rank[np.lexsort(keys)] = np.arange(len(frame))
    return rank


def _read_table(
    frame: pd.DataFrame,
    cols: Mapping[str, str],
    *,
    state: str | None,
    tz: str | None,
    dayfirst: bool | None,
    file: str,
    utc: set[str],
    severity_map: Mapping[str, str] | None,
) -> pd.DataFrame:
    rows = np.arange(1, len(frame) + 1)
    stamp = {"utc": utc, "tz": tz, "dayfirst": dayfirst, "file": file, "rows": rows, "label": "row"}
    fields = _fields(frame, cols)
    fields["detected_at"] = _times(frame, cols["opened_at"], **stamp)
    acknowledged = _times(frame, cols.get("work_start"), **stamp)
    if acknowledged is not None:
        fields["acknowledged_at"] = acknowledged
    resolved = _times(frame, cols.get("resolved_at"), **stamp)
    closed = _times(frame, cols.get("closed_at"), **stamp)
    blank = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us, UTC]")
    resolved = blank if resolved is None else resolved
    closed = blank if closed is None else closed
    fields["resolved_at"] = resolved.where(resolved.notna(), closed)
    resolved_from = pd.Series(pd.NA, index=frame.index, dtype="str")
    resolved_from = resolved_from.mask(closed.notna(), "closed_at").mask(resolved.notna(), "resolved_at")
    reason = None
    if state is not None:
        states = cell_text(frame[state])
        reason = pd.Series(pd.NA, index=frame.index, dtype="str").mask(
            _in(states, _CANCELED_STATES), "canceled: state " + states.fillna("")
        )
    version = _version(frame, cols, _times(frame, cols.get("sys_updated_on"), **stamp))
    extra = _extras(frame, cols, {"resolved_from": resolved_from})
    reading = Reading(
        SOURCE, file, tz=tz, dayfirst=dayfirst, severity_map=severity_map, default_severity_map=SEVERITY_MAP
    )
    return reading.incidents(
        fields, labels=_labels(cols), record_label="row", exclude_reason=reason, version=version, extra=extra
    )


def _read_events(
    frame: pd.DataFrame,
    cols: Mapping[str, str],
    *,
    state: str | None,
    tz: str | None,
    dayfirst: bool | None,
    file: str,
    utc: set[str],
    severity_map: Mapping[str, str] | None,
    ack_states: Sequence[str] | None,
) -> pd.DataFrame:
    assert state is not None
    stamp = {"utc": utc, "tz": tz, "dayfirst": dayfirst, "file": file}
    rows = np.arange(1, len(frame) + 1)
    updated = _times(frame, cols["sys_updated_on"], rows=rows, label="row", **stamp)
    assert updated is not None
    numbers = cell_text(frame[cols["number"]])
    tiebreak = []
    if "sys_mod_count" in cols:
        tiebreak.append(pd.to_numeric(frame[cols["sys_mod_count"]], errors="coerce").fillna(-1).to_numpy())
    order, codes, ids = order_events(
        numbers, updated, *tiebreak, file=file, case_field=cols["number"], time_field=cols["sys_updated_on"]
    )
    n = len(ids)
    times = updated.take(order).reset_index(drop=True)
    states = cell_text(frame[state]).take(order).reset_index(drop=True)
    boundaries = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1], True])
    latest = order[boundaries[1:] - 1]
    last = frame.take(latest).reset_index(drop=True)
    incident_rows = np.arange(1, n + 1)

    ack = first_times(codes, times, _in(states, ack_states or ACK_STATES).to_numpy(), n)
    roles = pd.Series(pd.NA, index=states.index, dtype="str")
    roles = roles.mask(_in(states, _RESOLVED_STATES), "resolved").mask(_in(states, _CLOSED_STATES), "closed")
    roles = roles.mask(_in(states, _CANCELED_STATES), "canceled")
    final = final_resolution(codes, times, roles, n)

    istamp = {**stamp, "rows": incident_rows, "label": "incident"}
    blank = pd.Series(pd.NaT, index=range(n), dtype="datetime64[us, UTC]")
    field_resolved = _times(last, cols.get("resolved_at"), **istamp)
    field_closed = _times(last, cols.get("closed_at"), **istamp)
    field_resolved = blank if field_resolved is None else field_resolved
    field_closed = blank if field_closed is None else field_closed
    by_event = final["resolved_at"].where(final["resolved_by"].eq("resolved").fillna(False))
    ended = final["resolved_at"].notna()
    resolved = field_resolved.where(field_resolved.notna(), by_event)
    resolved = resolved.where(resolved.notna(), field_closed.where(ended))
    resolved = resolved.where(resolved.notna(), final["resolved_at"])
    resolved_from = pd.Series(pd.NA, index=range(n), dtype="str")
    resolved_from = (
        resolved_from.mask(ended, final["resolved_by"] + " event")
        .mask(ended & field_closed.notna(), "closed_at")
        .mask(by_event.notna(), "resolved event")
        .mask(field_resolved.notna(), "resolved_at")
    )

    fields = _fields(last, cols)
    fields["detected_at"] = _times(last, cols["opened_at"], **istamp)
    fields["acknowledged_at"] = ack
    fields["resolved_at"] = resolved
    last_state = cell_text(last[state])
    reason = pd.Series(pd.NA, index=range(n), dtype="str").mask(
        _in(last_state, _CANCELED_STATES), "canceled: state " + last_state.fillna("")
    )
    if "reopen_count" in cols:
        reopen = whole_numbers(last[cols["reopen_count"]])
    else:
        reopen = final["reopen_count"]
    extra = {"resolved_from": resolved_from, "events": np.diff(boundaries), "reopen_count": reopen}
    extra = _extras(last, cols, extra)
    labels = _labels(cols)
    labels["acknowledged_at"] = cols["sys_updated_on"]
    reading = Reading(
        SOURCE, file, tz=tz, dayfirst=dayfirst, severity_map=severity_map, default_severity_map=SEVERITY_MAP
    )
    return reading.incidents(
        fields,
        labels=labels,
        records=incident_rows,
        record_label="incident",
        exclude_reason=reason,
        extra=extra,
    )
