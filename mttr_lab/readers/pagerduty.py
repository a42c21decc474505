"""PagerDuty exports: REST v2 incidents (with log entries), Analytics raw incidents, web UI CSV.

Three shapes are read, recognised from the file itself:

- **REST v2** ``GET /incidents``: a page ``{"incidents": [...], "limit", "offset", "more"}``, a
  JSON list of pages, or JSON Lines of pages. Log entries (``GET /log_entries``) are used when
  present, either embedded per incident under ``log_entries`` or as a ``"log_entries"`` list
  (in the same file or given with ``log_entries=``) whose entries name ``incident.id``.
- **Analytics raw incidents** ``POST /analytics/raw/incidents``: ``{"data": [...]}`` pages, or
  the same records as CSV (``seconds_to_first_ack``, ``seconds_to_resolve``, ``auto_resolved``...).
- **Web UI incidents CSV**, read by its header: ``created_on``/``created_at``,
  ``resolved_on``/``resolved_at``, optional ``seconds_to_first_ack``/``seconds_to_resolve``,
  ``service_name``, ``urgency``, ``description``.

Milestones: detected = ``created_at``; acknowledged = the first ``acknowledge_log_entry`` (the
spec also spells it ``acknowledgement_log_entry``) or ``created_at + seconds_to_first_ack``;
resolved = the last ``resolve_log_entry``, else ``resolved_at``, else
``created_at + seconds_to_resolve``. An incident whose ``status`` is ``triggered`` or
``acknowledged`` is open (no resolution). One whose ``status`` is ``resolved`` but that carries
none of these resolution times has ended at an unknown time: REST incidents take
``last_status_change_at`` (the time of the change to resolved), else ``updated_at``, and
Analytics and CSV records ``updated_at``, as an upper bound, with a ``note``; without any of
them the record is excluded ("status says resolved but the export holds no resolution time"),
not analysed as open. Without log entries a REST export carries no acknowledgement time:
``acknowledgements[]`` lists only current acknowledgements, not the first.
Severity: ``priority.name``/``priority_name`` (P1 critical, P2 high, P3 medium, P4/P5 low), else
``urgency`` (high, low). Nested objects (``service``, ``teams``, ``priority``) are read as their
names (``summary``, else ``name``), never as an object's text.

Doubtful values are kept out or flagged in the ``note`` column, record by record, not by refusing
the file: a blank or missing ``id`` is replaced by ``incident_number`` (with a note); a negative or
unreadable ``seconds_to_first_ack``/``seconds_to_resolve`` is not used (with a note); where
``resolved_at − created_at`` and ``seconds_to_resolve`` disagree by more than a minute,
``resolved_at`` is used and the note says so.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..schema import INCIDENT_COLUMNS, TIMESTAMP_DTYPE, InputError
from ..timeparse import parse_timestamps
from ._build import build_incidents, hashable, join_notes, whole_numbers
from ._files import (
    Sample,
    json_error,
    json_lines,
    loads,
    read_csv_frame,
    read_text,
    require_objects,
    sample_of,
)
from ._plumbing import name_text, shown

__all__ = [
    "AUTO_RESOLVED_REASON",
    "MERGED_REASON",
    "NO_RESOLUTION_REASON",
    "SEVERITY_MAP",
    "SOURCE",
    "read",
    "sniff",
]

SOURCE = "pagerduty"
#: What this export is, and the fields that only it has (said when another reader gets it).
SIGNATURE = (
    "a PagerDuty export",
    "REST incidents (incident_number, created_at), analytics raw incidents or the web CSV",
)

#: Default severity of PagerDuty priority names and urgencies (a user's ``severity_map`` wins).
SEVERITY_MAP: dict[str, str] = {
    "P1": "critical",
    "P2": "high",
    "P3": "medium",
    "P4": "low",
    "P5": "low",
    "high": "high",
    "low": "low",
}

MERGED_REASON = "merged into another incident"
AUTO_RESOLVED_REASON = "auto-resolved (noise)"
NO_RESOLUTION_REASON = "status says resolved but the export holds no resolution time"

_ACK_TYPES = ("acknowledge_log_entry", "acknowledgement_log_entry")
_RESOLVE_TYPES = ("resolve_log_entry",)
_KEPT_TYPES = frozenset(_ACK_TYPES + _RESOLVE_TYPES)
_OPEN_STATUSES = ("triggered", "acknowledged")
#: Fields only Analytics raw incidents (and the CSV exports) carry.
_FLAT_KEYS = frozenset(
    {
        "seconds_to_first_ack",
        "seconds_to_resolve",
        "seconds_to_engage",
        "seconds_to_mobilize",
        "auto_resolved",
        "priority_name",
        "service_name",
        "team_name",
        "created_on",
    }
)
_PAGE_KEYS = frozenset({"limit", "offset", "more"})
_TRUE = ("true", "t", "1", "yes", "y")
#: Durations above this many seconds (100 years) are not durations.
_MAX_SECONDS = 100 * 365.25 * 86400
#: Two measures of one duration that differ by more than this are reported.
_AGREE = pd.Timedelta(minutes=1)


# --------------------------------------------------------------------------- recognising


def _first_record(doc: Any) -> tuple[str | None, Any]:
    """The list key of the first page (or None for a bare list) and its first record."""
    if isinstance(doc, list):
        if not doc or not isinstance(doc[0], dict):
            return None, None
        doc = doc[0]
        if not any(isinstance(doc.get(k), list) for k in ("incidents", "data")):
            return None, doc
    if isinstance(doc, dict):
        for key in ("incidents", "data"):
            if isinstance(doc.get(key), list):
                items = doc[key]
                return key, items[0] if items and isinstance(items[0], dict) else {}
        return None, doc
    return None, None


def sniff(sample: Sample) -> str | None:
    """Recognise a PagerDuty REST, Analytics or web UI export.

    Returns
    -------
    str or None
        Why the file looks like PagerDuty's, or None.
    """
    if sample.kind == "csv":
        cols = set(sample.csv_columns())
        if cols & {"seconds_to_first_ack", "seconds_to_resolve"}:
            return "PagerDuty incidents CSV (seconds_to_first_ack / seconds_to_resolve columns)"
        if {"incident_number", "urgency"} <= cols and cols & {"created_on", "created_at"}:
            return "PagerDuty incidents CSV (incident_number, urgency, created_on/created_at columns)"
        return None
    doc = sample.json()
    key, first = _first_record(doc)
    if not isinstance(first, dict):
        return None
    if first.keys() & {"seconds_to_first_ack", "seconds_to_resolve"}:
        return "PagerDuty Analytics raw incidents (seconds_to_first_ack / seconds_to_resolve)"
    if "incident_number" in first and first.keys() & {"urgency", "escalation_policy"}:
        return "PagerDuty incidents (incident_number, urgency)"
    page = doc[0] if isinstance(doc, list) and doc else doc
    if key == "incidents" and not first and isinstance(page, dict) and _PAGE_KEYS <= page.keys():
        return "PagerDuty REST page of incidents (incidents, limit, offset, more)"
    if isinstance(page, dict) and isinstance(page.get("log_entries"), list) and _PAGE_KEYS <= page.keys():
        return "PagerDuty log entries (log_entries, limit, offset, more)"
    return None


# --------------------------------------------------------------------------- loading


def _documents(path: str | Path) -> list[Any]:
    """The JSON documents of a file: one, or one per line of JSON Lines."""
    file = str(path)
    text = read_text(path)
    if not text.strip():
        raise InputError(
            "the file is empty", file=file, expected="PagerDuty incidents as JSON, JSON Lines or CSV"
        )
    try:
        return [loads(text, file=file)]
    except json.JSONDecodeError as exc:  # several documents: JSON Lines, or a cut-off document
        if not json_lines(text, exc):
            raise json_error(exc, text, file=file) from None
    docs: list[Any] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        docs.append(loads(line, file=file, record=f"line {number}", expected="one JSON object per line"))
    return docs


def _split(docs: list[Any], *, file: str) -> tuple[list[Any], list[Any], list[Any]]:
    """REST incidents, Analytics records and stand-alone log entries found in the documents."""
    rest: list[Any] = []
    flat: list[Any] = []
    logs: list[Any] = []
    items = [item for doc in docs for item in (doc if isinstance(doc, list) else [doc])]
    require_objects(items, file=file, expected="PagerDuty incidents or pages of them ({'incidents': [...]})")
    for item in items:
        page = False
        if isinstance(item.get("incidents"), list):
            rest.extend(item["incidents"])
            page = True
        if isinstance(item.get("data"), list):
            flat.extend(item["data"])
            page = True
        if isinstance(item.get("log_entries"), list) and "created_at" not in item:
            logs.extend(item["log_entries"])
            page = True
        if not page:
            (flat if item.keys() & _FLAT_KEYS else rest).append(item)
    return rest, flat, logs


def _log_entries_of(path: str | Path) -> list[Any]:
    """Log entries from a separate ``GET /log_entries`` dump (pages or a bare list)."""
    file = str(path)
    out: list[Any] = []
    for doc in _documents(path):
        for item in doc if isinstance(doc, list) else [doc]:
            if isinstance(item, dict) and isinstance(item.get("log_entries"), list):
                out.extend(item["log_entries"])
            elif isinstance(item, dict) and "type" in item and "created_at" in item:
                out.append(item)
            else:
                raise InputError(
                    "not a log entry or a page of log entries",
                    file=file,
                    found=item if not isinstance(item, dict) else sorted(item)[:8],
                    expected="{'log_entries': [...]} pages from GET /log_entries",
                )
    return out


# --------------------------------------------------------------------------- helpers


def _ref_text(ref: Any) -> Any:
    """The readable name of a PagerDuty reference object (``summary``, else ``name``)."""
    if isinstance(ref, dict):
        return ref.get("summary") or ref.get("name")
    return ref if isinstance(ref, str) else None


def _ref_id(ref: Any) -> Any:
    return ref.get("id") if isinstance(ref, dict) else None


def _truthy(values: pd.Series) -> pd.Series:
    """Booleans from a bool column or ``true``/``false`` text; missing is False."""
    if pd.api.types.is_bool_dtype(values):
        return values.fillna(False).astype(bool)
    return values.astype("str").str.strip().str.lower().isin(_TRUE) & values.notna()


def _seconds(values: pd.Series, *, field: str) -> tuple[pd.Series, pd.Series]:
    """Whole or fractional seconds as Timedelta (NaT where missing), and a note per record whose
    value is not a duration (text, negative, over 100 years): that value is not used."""
    numbers = pd.to_numeric(hashable(values), errors="coerce").astype("float64")
    present = values.notna() & (values.astype("str").str.strip() != "")
    with np.errstate(invalid="ignore"):
        bad = (numbers.isna() & present) | (numbers < 0) | (numbers > _MAX_SECONDS)
    note = pd.Series(pd.NA, index=values.index, dtype="str")
    if bad.any():
        as_shown = values.where(bad).map(shown, na_action="ignore").astype("str")
        note = (
            f"{field} " + as_shown + " is not a duration in seconds (a non-negative number): not used"
        ).where(bad)
    return pd.to_timedelta(numbers.mask(bad), unit="s"), note


def _lookup(table: pd.Series, keys: pd.Series) -> pd.Series:
    """``table[key]`` for each key (NA where absent), aligned on ``keys``' index."""
    return table.reindex(keys.to_numpy()).set_axis(keys.index)


def _upper_bound(
    resolved: pd.Series,
    status: pd.Series | None,
    candidates: Sequence[tuple[str, Callable[[pd.Series], pd.Series]]],
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Resolution times for records whose status is resolved but that carry none.

    ``candidates`` are (field, parser) pairs, tried in order: the parser gets the mask of the
    records still without a time and returns timestamps (NaT elsewhere). Returns the completed
    ``resolved``, a note per record given an upper bound (NA elsewhere), and the mask of the
    records left without any time.
    """
    note = pd.Series(pd.NA, index=resolved.index, dtype="str")
    if status is None:
        return resolved, note, pd.Series(False, index=resolved.index)
    gap = status.eq("resolved").fillna(False).astype(bool) & resolved.isna()
    for field, parse in candidates:
        if not gap.any():
            break
        bound = parse(gap).where(gap)
        found = gap & bound.notna()
        resolved = resolved.mask(found, bound)
        note = note.mask(
            found,
            f"status resolved without a resolution time: resolved_at taken from {field} (an upper bound)",
        )
        gap = gap & ~found
    return resolved, note, gap


def _ids_or_numbers(ids: pd.Series, numbers: pd.Series | None) -> tuple[pd.Series, pd.Series]:
    """``ids`` with a blank or missing one replaced by the record's ``incident_number``, and a
    note on each record so named (NA elsewhere)."""
    note = pd.Series(pd.NA, index=ids.index, dtype="str")
    if numbers is None:
        return ids, note
    number = name_text(whole_numbers(numbers).astype(object))
    fill = ids.isna() & number.notna()
    if not fill.any():
        return ids, note
    out = ids.astype(object).mask(fill, number)
    note = ("no id: incident_number " + number + " used as the incident id").where(fill)
    return out, note


def _namer(label: str, ids: Sequence[Any]) -> Callable[[int], str]:
    def name(pos: int) -> str:
        ident = ids[pos]
        return f"{label} {pos + 1}" + (f" (id {ident})" if ident is not None and ident == ident else "")

    return name


# --------------------------------------------------------------------------- REST


def _rest_incidents(
    incidents: list[Any],
    logs: list[Any],
    *,
    file: str,
    tz: str | None,
    dayfirst: bool | None,
    severity_map: Mapping[str, str] | None,
) -> pd.DataFrame:
    cols: dict[str, list[Any]] = {
        k: []
        for k in (
            "id",
            "incident_number",
            "title",
            "created_at",
            "updated_at",
            "last_status_change_at",
            "resolved_at",
            "status",
            "urgency",
            "priority",
            "service",
            "team",
            "resolve_reason",
            "merged_into",
        )
    }
    # Only acknowledgements and resolutions are kept; every entry is counted.
    log_id: list[Any] = []
    log_type: list[str] = []
    log_at: list[Any] = []
    log_where: list[tuple[int, int]] = []  # (entry number, incident position or -1 for a stand-alone list)
    log_count: dict[str, int] = {}
    trigger_channel: dict[str, Any] = {}  # the channel of each incident's trigger log entry

    def where(position: int) -> str:
        number, parent = log_where[position]
        if parent < 0:
            return f"log entry {number}"
        return f"log entry {number} of record {parent + 1} (id {cols['id'][parent]})"

    def add_entry(incident_id: Any, entry: Any, number: int, parent: int) -> None:
        if not isinstance(entry, dict):
            log_where.append((number, parent))
            raise InputError("a log entry is not a JSON object", file=file, record=where(-1), found=entry)
        key = None if incident_id is None else str(incident_id)
        log_count[key] = log_count.get(key, 0) + 1
        kind = entry.get("type")
        kind = kind.removesuffix("_reference") if isinstance(kind, str) else ""
        channel = entry.get("channel")
        if kind == "trigger_log_entry" and isinstance(channel, dict) and key not in trigger_channel:
            trigger_channel[key] = channel.get("type")
        if kind in _KEPT_TYPES:
            log_id.append(key)
            log_type.append(kind)
            log_at.append(entry.get("created_at"))
            log_where.append((number, parent))

    for pos, inc in enumerate(incidents):
        if not isinstance(inc, dict):
            raise InputError(
                "an incident is not a JSON object",
                file=file,
                record=pos + 1,
                found=inc,
                expected="an incident object",
            )
        ident = inc.get("id")
        priority = inc.get("priority")
        teams = inc.get("teams")
        reason = inc.get("resolve_reason")
        cols["id"].append(ident)
        cols["incident_number"].append(inc.get("incident_number"))
        cols["title"].append(inc.get("title") or inc.get("summary"))
        cols["created_at"].append(inc.get("created_at"))
        cols["updated_at"].append(inc.get("updated_at"))
        cols["last_status_change_at"].append(inc.get("last_status_change_at"))
        cols["resolved_at"].append(inc.get("resolved_at"))
        cols["status"].append(inc.get("status"))
        cols["urgency"].append(inc.get("urgency"))
        cols["priority"].append(
            (priority.get("name") or priority.get("summary")) if isinstance(priority, dict) else priority
        )
        cols["service"].append(_ref_text(inc.get("service")))
        cols["team"].append(_ref_text(teams[0]) if isinstance(teams, list) and teams else None)
        cols["resolve_reason"].append(reason.get("type") if isinstance(reason, dict) else reason)
        cols["merged_into"].append(_ref_id(reason.get("incident")) if isinstance(reason, dict) else None)
        embedded = inc.get("log_entries")
        if isinstance(embedded, list):
            for j, entry in enumerate(embedded, start=1):
                add_entry(ident, entry, j, pos)
    for k, entry in enumerate(logs, start=1):
        ref = entry.get("incident") if isinstance(entry, dict) else None
        incident_id = _ref_id(ref)
        if incident_id is None:
            raise InputError(
                "a log entry names no incident",
                file=file,
                record=f"log entry {k}",
                field="incident.id",
                found=entry if not isinstance(entry, dict) else ref,
                expected="{'incident': {'id': ...}} on every log entry",
            )
        add_entry(incident_id, entry, k, -1)

    raw = pd.DataFrame(cols)
    name = _namer("record", cols["id"])
    ids, id_note = _ids_or_numbers(name_text(raw["id"].astype(object)), raw["incident_number"])

    def when(field: str, rows: pd.Series | None = None) -> pd.Series:
        values = raw[field] if rows is None else raw[field].where(rows)
        return parse_timestamps(values, tz=tz, dayfirst=dayfirst, file=file, field=field, records=name)

    created, updated, resolved_field = when("created_at"), when("updated_at"), when("resolved_at")

    entries = pd.DataFrame(
        {
            "incident": pd.Series(log_id, dtype="str"),
            "type": pd.Series(log_type, dtype="str"),
            "at": parse_timestamps(
                pd.Series(log_at, dtype=object),
                tz=tz,
                dayfirst=dayfirst,
                file=file,
                field="log_entries[].created_at",
                records=where,
            ),
        }
    )
    first_ack = entries[entries["type"].isin(_ACK_TYPES)].groupby("incident")["at"].min()
    last_resolve = entries[entries["type"].isin(_RESOLVE_TYPES)].groupby("incident")["at"].max()
    counts = pd.Series(log_count, dtype="int64")

    acknowledged = _lookup(first_ack, ids).astype(TIMESTAMP_DTYPE)
    resolved = _lookup(last_resolve, ids).astype(TIMESTAMP_DTYPE)
    resolved = resolved.where(resolved.notna(), resolved_field)
    status = name_text(raw["status"].astype(object)).str.lower()
    resolved = resolved.mask(status.isin(_OPEN_STATUSES))
    # Resolved without a resolution time: the change to resolved, else the last update, bounds it.
    resolved, note, unbounded = _upper_bound(
        resolved,
        status,
        [
            ("last_status_change_at", lambda rows: when("last_status_change_at", rows)),
            ("updated_at", lambda rows: updated),
        ],
    )

    merged = name_text(raw["resolve_reason"].astype(object)) == "merge_resolve_reason"
    exclude = pd.Series(pd.NA, index=raw.index, dtype="str").mask(merged.fillna(False), MERGED_REASON)
    exclude = exclude.mask(unbounded & exclude.isna(), NO_RESOLUTION_REASON)
    priority = name_text(raw["priority"].astype(object))
    urgency = name_text(raw["urgency"].astype(object))
    number = whole_numbers(raw["incident_number"])
    return build_incidents(
        {
            "incident_id": ids,
            "title": raw["title"].astype(object),
            "service": raw["service"].astype(object),
            "team": raw["team"].astype(object),
            "severity": priority.where(priority.notna(), urgency),
            "detection_channel": _lookup(pd.Series(trigger_channel, dtype=object), ids),
            "detected_at": created,
            "acknowledged_at": acknowledged,
            "resolved_at": resolved,
        },
        source=SOURCE,
        file=file,
        default_severity_map=SEVERITY_MAP,
        severity_map=severity_map,
        record_label="record",
        exclude_reason=exclude,
        version=updated,
        extra={
            "incident_number": number,
            "status": status,
            "urgency": urgency,
            "merged_into": name_text(raw["merged_into"].astype(object)),
            "log_entry_count": _lookup(counts, ids).fillna(0).astype("int64"),
            **({"note": join_notes(id_note, note)} if note.notna().any() or id_note.notna().any() else {}),
        },
    )


# --------------------------------------------------------------------------- Analytics and CSV


def _pick(columns: Sequence[str], *names: str) -> str | None:
    return next((n for n in names if n in columns), None)


def _flat_incidents(
    frame: pd.DataFrame,
    *,
    file: str,
    record_label: str,
    tz: str | None,
    dayfirst: bool | None,
    severity_map: Mapping[str, str] | None,
    exclude_auto_resolved: bool,
) -> pd.DataFrame:
    columns = list(frame.columns)
    created_col = _pick(columns, "created_at", "created_on")
    id_col = _pick(columns, "id", "incident_id", "incident_number")
    if created_col is None or id_col is None:
        missing = "created_at (or created_on)" if created_col is None else "id (or incident_number)"
        shown = ", ".join(map(str, columns[:30]))
        raise InputError(
            f"the PagerDuty export has no {missing} column",
            file=file,
            field=missing.split(" ")[0],
            found=shown,
            expected="a PagerDuty Analytics raw-incidents or incidents CSV export",
        )
    resolved_col = _pick(columns, "resolved_at", "resolved_on")
    title_col = _pick(columns, "description", "title", "summary")
    service_col = _pick(columns, "service_name", "service")
    team_col = _pick(columns, "team_name", "team", "teams")
    priority_col = _pick(columns, "priority_name", "priority")
    n = len(frame)
    frame = frame.reset_index(drop=True)
    name = _namer(record_label, frame[id_col].tolist())
    none = pd.Series([None] * n, dtype=object)

    def when(col: str | None, rows: pd.Series | None = None) -> pd.Series:
        if col is None:
            return pd.Series(pd.NaT, index=frame.index, dtype=TIMESTAMP_DTYPE)
        values = frame[col] if rows is None else frame[col].where(rows)
        return parse_timestamps(values, tz=tz, dayfirst=dayfirst, file=file, field=col, records=name)

    notes: list[pd.Series] = []

    def span(col: str) -> pd.Series:
        if col not in columns:
            return pd.Series(pd.NaT, index=frame.index, dtype="timedelta64[us]")
        seconds, note = _seconds(frame[col], field=col)
        notes.append(note)
        return seconds

    created = when(created_col)
    acknowledged = created + span("seconds_to_first_ack")
    resolved = when(resolved_col)
    to_resolve = span("seconds_to_resolve")
    # Two measures of one duration: the recorded resolution wins; a disagreement is reported.
    measured = resolved - created
    apart = (measured - to_resolve).abs() > _AGREE
    if apart.any():
        minutes = (measured.dt.total_seconds() / 60).round(1).astype("str")
        stated = (to_resolve.dt.total_seconds() / 60).round(1).astype("str")
        notes.append(
            (
                f"{resolved_col} − {created_col} is "
                + minutes
                + " min but seconds_to_resolve says "
                + stated
                + " min (more than a minute apart): "
                + str(resolved_col)
                + " used"
            ).where(apart.fillna(False).astype(bool))
        )
    resolved = resolved.where(resolved.notna(), created + to_resolve)
    status = name_text(frame["status"]).str.lower() if "status" in columns else None
    if status is not None:
        resolved = resolved.mask(status.isin(_OPEN_STATUSES))
    # Resolved without a resolution time: the record's last update bounds it.
    updated = "updated_at" if "updated_at" in columns else None
    resolved, note, unbounded = _upper_bound(
        resolved, status, [(updated, lambda rows: when(updated, rows))] if updated else []
    )

    priority = name_text(frame[priority_col]) if priority_col else none
    urgency = name_text(frame["urgency"]) if "urgency" in columns else none
    exclude = pd.Series(pd.NA, index=frame.index, dtype="str")
    if exclude_auto_resolved and "auto_resolved" in columns:
        exclude = exclude.mask(_truthy(frame["auto_resolved"]), AUTO_RESOLVED_REASON)
    exclude = exclude.mask(unbounded & exclude.isna(), NO_RESOLUTION_REASON)
    used = {
        c for c in (id_col, created_col, resolved_col, title_col, service_col, team_col, priority_col) if c
    }
    extra = {c: frame[c] for c in columns if c not in used and c not in INCIDENT_COLUMNS}
    ident = frame[id_col]
    if id_col != "incident_number" and "incident_number" in columns:
        filled, id_note = _ids_or_numbers(name_text(ident.astype(object)), frame["incident_number"])
        if id_note.notna().any():
            ident = filled
            notes.append(id_note)
    for remark in notes:
        note = join_notes(note, remark)
    if note.notna().any():
        if "note" in extra:  # the export's own note column, then the reader's
            own = name_text(extra["note"].astype(object))
            note = join_notes(own, note)
        extra["note"] = note
    if pd.api.types.is_float_dtype(ident):
        known = ident.dropna()
        if ((known % 1 == 0) & (known.abs() < 2**53)).all():
            ident = ident.astype("Int64")
    return build_incidents(
        {
            "incident_id": ident,
            "title": frame[title_col] if title_col else none,
            "service": frame[service_col] if service_col else none,
            "team": frame[team_col] if team_col else none,
            "severity": priority.where(priority.notna(), urgency),
            "detected_at": created,
            "acknowledged_at": acknowledged.astype(TIMESTAMP_DTYPE),
            "resolved_at": resolved.astype(TIMESTAMP_DTYPE),
        },
        source=SOURCE,
        file=file,
        default_severity_map=SEVERITY_MAP,
        severity_map=severity_map,
        record_label=record_label,
        exclude_reason=exclude,
        version=when("updated_at") if "updated_at" in columns else None,
        extra=extra,
    )


def _records_frame(records: list[Any], *, file: str) -> pd.DataFrame:
    require_objects(records, file=file, expected="one object per incident")
    return pd.DataFrame.from_records(records) if records else pd.DataFrame({"id": [], "created_at": []})


# --------------------------------------------------------------------------- entry point


def read(
    path: str | Path,
    *,
    tz: str | None = None,
    dayfirst: bool | None = None,
    severity_map: Mapping[str, str] | None = None,
    exclude_auto_resolved: bool = False,
    log_entries: str | Path | None = None,
) -> pd.DataFrame:
    """Read a PagerDuty export into the canonical ``incidents`` frame.

    Parameters
    ----------
    path : path
        REST v2 incidents (JSON page, list of pages, or JSON Lines of pages), Analytics raw
        incidents (``{"data": [...]}`` JSON or CSV), or the web UI's incidents CSV.
    tz : str, optional
        IANA timezone for timestamps without an offset (CSV exports made in a local zone).
    dayfirst : bool, optional
        Order of slash dates in CSV exports.
    severity_map : mapping, optional
        Priority name or urgency -> severity, over :data:`SEVERITY_MAP`.
    exclude_auto_resolved : bool
        Mark incidents with ``auto_resolved`` true as excluded (``"auto-resolved (noise)"``).
    log_entries : path, optional
        A ``GET /log_entries`` dump to take acknowledgements and resolutions from (REST only).

    Returns
    -------
    DataFrame
        The canonical columns (``incident_id``, ``title``, ``service``, ``team``, ``severity``,
        ``severity_raw``, ``source``, the milestones, ``record``, ``exclude_reason``), then for
        REST exports ``incident_number``, ``status``, ``urgency``, ``merged_into`` and
        ``log_entry_count``; for Analytics and CSV exports their remaining columns.

    Raises
    ------
    InputError
        Naming the file, record and field of unusable input.
    """
    file = str(path)
    if sample_of(path).kind == "csv":
        if log_entries is not None:
            raise InputError(
                "log_entries= applies to REST incidents (JSON), not to a CSV export",
                file=file,
                field="log_entries",
            )
        return _flat_incidents(
            read_csv_frame(path),
            file=file,
            record_label="row",
            tz=tz,
            dayfirst=dayfirst,
            severity_map=severity_map,
            exclude_auto_resolved=exclude_auto_resolved,
        )
    rest, flat, logs = _split(_documents(path), file=file)
    if log_entries is not None:
        logs = [*logs, *_log_entries_of(log_entries)]
    if rest and flat:
        raise InputError(
            "the file mixes REST incidents and Analytics raw incidents",
            file=file,
            expected="one kind of PagerDuty export per file",
        )
    if flat:
        return _flat_incidents(
            _records_frame(flat, file=file),
            file=file,
            record_label="record",
            tz=tz,
            dayfirst=dayfirst,
            severity_map=severity_map,
            exclude_auto_resolved=exclude_auto_resolved,
        )
    if not rest and logs:
        raise InputError(
            "the file holds log entries but no incidents",
            file=file,
            expected="the incidents export, with this file given as log_entries=",
        )
    return _rest_incidents(rest, logs, file=file, tz=tz, dayfirst=dayfirst, severity_map=severity_map)
