"""Event timelines inside the exports: the only code that knows each vendor's event fields.

Each ``*_events`` function reads one source's events into :class:`Events` (columns not yet
ordered or checked); :func:`mttr_lab.timeline.read_timeline` orders them and builds the
canonical ``timeline`` frame. Kinds are the canonical ones of :data:`KINDS`.

- **PagerDuty** log entries (embedded under each REST incident's ``log_entries`` or a
  ``GET /log_entries`` dump): ``trigger``, ``notify``, ``escalate``, ``assign``/``delegate``
  (assign), ``acknowledge``, ``unacknowledge`` (status), ``resolve``, ``annotate`` (note); other
  entry types are kept as ``status`` with a note. The level is the entry's own
  ``escalation_level``/``level`` where it has one, else ``"level N"`` in its summary, else 1 at
  the trigger plus one per escalate entry before it. The group is the entry's escalation policy,
  else its first team, else the incident's. The trigger entry's ``channel.type`` (``api``,
  ``email``, ``web_trigger``...) is its detail.
- **ServiceNow** event logs: one event per update row; the kind is the state it moved to
  (New -> trigger, Active/In Progress -> acknowledge, Resolved/Closed -> resolve, back to
  active after a resolution -> reopen, others -> status); an update that keeps the state but
  changes ``assignment_group`` or ``assigned_to`` is ``assign``, one that changes neither ``note``.
  Group ``assignment_group``, actor ``assigned_to``, detail the state.
- **Event logs** (the Volvo IT log and logs read with ``case=``/``time=``/``status=``): one event
  per row, the kind from ``kinds=`` (status value -> kind) or, without it, from ``milestones=``
  (acknowledged -> acknowledge, resolved/closed -> resolve, others status). The Volvo IT log:
  group ``Involved ST``, level ``ST Level`` (``L1``..``L3``; ``L2/L3`` is kept unknown with a
  note), actor ``Resource``; ``Queued/Awaiting Assignment`` and ``Accepted/Assigned`` are
  ``assign``.
- **Google Cloud status** ``updates`` (AVAILABLE -> resolve, others status; the detail is the
  status and the first line of the text).
- **Statuspage** ``incident_updates``: investigating -> acknowledge, resolved -> resolve,
  postmortem -> note, others status; the detail is the status and the update's body.
- **FireHydrant** ``milestones`` (started/detected -> trigger, acknowledged -> acknowledge,
  resolved -> resolve, others status) and, where the export carries it, a ``timeline`` list of
  events (``type``, ``occurred_at``, ``team``, ``level``, ``actor``, ``detail``).
- **incident.io** ``incident_updates`` (``GET /v2/incident_updates``: ``incident_id``,
  ``created_at``, ``new_incident_status.category``, ``updater``) and, per incident, a
  ``timeline`` list in the FireHydrant event shape.
- **Generic** CSV/JSON with canonical names (``incident_id``, ``at``, ``kind``, ``group``,
  ``level``, ``actor``, ``detail``) or ``columns=`` mapping them to the export's names.

Detection channels are read by the vendor readers into the ``detection_channel`` column of
``incidents`` (ServiceNow ``contact_type``, the PagerDuty trigger entry's channel, Opsgenie
``source``); :data:`CHANNEL_GROUPS` sorts their values into monitoring, human and customer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..schema import InputError
from . import eventlog, pagerduty, servicenow, statuspage
from ._build import require_columns
from ._files import load_json_records, require_objects, sample_of
from .generic import read_frame

__all__ = [
    "CHANNEL_GROUPS",
    "KINDS",
    "SOURCE_CHANNEL_DEFAULTS",
    "TIMELINE_SOURCES",
    "Events",
    "NoTimelineError",
    "channel_kinds",
    "eventlog_reopens",
    "pagerduty_levels",
    "parse_levels",
    "read_events",
    "servicenow_kinds",
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


_LEVEL_TEXT = re.compile(r"^\s*(?:l(?:evel)?\s*)?(\d{1,3})\s*$", re.IGNORECASE)
_LEVEL_IN_SUMMARY = re.compile(r"\blevel\s+(\d{1,3})\b", re.IGNORECASE)


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


def _text(values: Any) -> pd.Series:
    """Stripped text, NA where missing, blank or ``?``."""
    values = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values
    values = values.reset_index(drop=True)
    if pd.api.types.is_float_dtype(values):
        whole = values.dropna()
        if len(whole) and ((whole == np.floor(whole)) & (whole.abs() < 2**53)).all():
            values = values.astype("Int64")
    codes, uniques = pd.factorize(values)  # distinct values once
    if not len(uniques):
        return _blank(len(values))
    if isinstance(uniques, pd.api.extensions.ExtensionArray) and pd.api.types.is_string_dtype(uniques.dtype):
        text = pd.Series(uniques).astype("str").str.strip()  # Arrow text stays Arrow
    else:
        text = pd.Series(uniques, dtype=object).astype("str").str.strip()
    text = text.where(~text.str.lower().isin(["", "?", "nan", "none", "null"]))
    # One more entry, NA, for the missing values (code -1); the take stays in Arrow.
    table = pd.concat([text, _blank(1)], ignore_index=True).astype("str")
    return table.take(np.where(codes < 0, len(text), codes)).reset_index(drop=True)


def _blank(n: int) -> pd.Series:
    return pd.Series(pd.NA, index=range(n), dtype="str")


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
    text = _text(values)
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
                "a level is not a number",
                file=file,
                record=f"{label} {records[row]}",
                field=field,
                found=value,
                expected="a whole number such as 2 or 'L2'",
            )
    if not len(uniques):
        return pd.Series(pd.NA, index=text.index, dtype="Int64"), _blank(len(text))
    levels = pd.Series(pd.array(parsed, dtype="Int64")).take(np.maximum(codes, 0)).reset_index(drop=True)
    levels = levels.mask(codes < 0)
    note = pd.Series(pd.array(notes, dtype="str")).take(np.maximum(codes, 0)).reset_index(drop=True)
    return levels.astype("Int64"), note.mask(codes < 0).astype("str")


def _kinds_from(values: pd.Series, mapping: Mapping[str, str], *, default: str = "status") -> pd.Series:
    """Each value's kind (compared ignoring case), ``default`` where unmapped; distinct values once."""
    table = {str(k).strip().casefold(): v for k, v in mapping.items()}
    codes, uniques = pd.factorize(values)
    kinds = np.array([table.get(str(u).casefold(), default) for u in uniques] + [default], dtype=object)
    return pd.Series(kinds[codes], index=values.index, dtype="str")


def _check_kinds(mapping: Mapping[str, str], *, file: str) -> None:
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


def eventlog_reopens(codes: np.ndarray, kinds: pd.Series) -> pd.Series:
    """The first event after a resolution that is not itself a resolution becomes ``reopen``.

    ``codes`` and ``kinds`` are in time order within each incident.
    """
    kind = kinds.to_numpy(dtype=object)
    resolve = kind == "resolve"
    same = np.r_[False, codes[1:] == codes[:-1]]
    after = same & np.r_[False, resolve[:-1]] & ~resolve
    out = kind.copy()
    out[after] = "reopen"
    return pd.Series(out, index=kinds.index, dtype="str")


# --------------------------------------------------------------------------- event logs

#: Timeline columns of the built-in event-log presets (see ``eventlog.PRESETS``).
EVENTLOG_TIMELINES: dict[str, dict[str, Any]] = {
    "volvo_it": {
        "group": "Involved ST",
        "level": "ST Level",
        "actor": "Resource",
        "unknown_levels": ("L2/L3",),
        "kinds": {
            "Queued/Awaiting Assignment": "assign",
            "Accepted/Assigned": "assign",
            "Accepted/In Progress": "acknowledge",
            "Completed/Resolved": "resolve",
            "Completed/In Call": "resolve",
            "Completed/Closed": "resolve",
        },
    },
}

_ROLE_KINDS = {"acknowledged": "acknowledge", "resolved": "resolve", "closed": "resolve"}


def _eventlog_events(
    path: Path,
    *,
    tz: str | None = None,
    dayfirst: bool | None = None,
    case: str | None = None,
    time: str | None = None,
    status: str | Sequence[str] | None = None,
    milestones: Mapping[str, str] | None = None,
    kinds: Mapping[str, str] | None = None,
    group: str | None = None,
    team: str | None = None,
    level: str | None = None,
    actor: str | None = None,
    detail: str | None = None,
    preset: str | None = None,
    status_sep: str = "/",
    fmt: str | None = None,
    unknown_levels: Sequence[str] = (),
) -> Events:
    file = str(path)
    frame, _ = read_frame(path, fmt=fmt)
    frame.columns = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    chosen = preset or (None if case and time else eventlog._preset_for(frame.columns))
    if preset is not None and preset not in eventlog.PRESETS:
        raise InputError(
            f"unknown event-log preset {preset!r}",
            file=file,
            expected="one of " + ", ".join(eventlog.PRESETS),
        )
    base = {**eventlog.PRESETS.get(chosen or "", {}), **EVENTLOG_TIMELINES.get(chosen or "", {})}
    given = {
        "case": case,
        "time": time,
        "status": status,
        "milestones": milestones,
        "kinds": kinds,
        "group": group or team,
        "level": level,
        "actor": actor,
        "detail": detail,
    }
    opts = {**base, **{k: v for k, v in given.items() if v is not None}}
    if not opts.get("case") or not opts.get("time"):
        shown = ", ".join(map(str, list(frame.columns)[:30]))
        raise InputError(
            "an event log needs case= and time= columns (no built-in preset matches its header)",
            file=file,
            expected=f"case=, time=, status= and kinds= naming columns among: {shown}",
        )
    status_cols = [opts["status"]] if isinstance(opts.get("status"), str) else list(opts.get("status") or [])
    wanted = {"case": opts["case"], "time": opts["time"]}
    wanted.update({f"status {i + 1}": c for i, c in enumerate(status_cols)})
    wanted.update({k: opts[k] for k in ("group", "level", "actor", "detail") if opts.get(k)})
    require_columns(frame.columns, wanted, file=file, what="event log")
    frame = frame.reset_index(drop=True)
    n = len(frame)
    rows = np.arange(1, n + 1)
    at = eventlog.parse_event_times(
        frame[opts["time"]], tz=tz, dayfirst=dayfirst, file=file, field=opts["time"]
    )
    statuses = eventlog._status_values(frame, status_cols, status_sep) if status_cols else _blank(n)
    mapping = dict(opts.get("kinds") or {})
    if not mapping and opts.get("milestones"):
        mapping = {
            k: _ROLE_KINDS[str(v).strip().lower().removesuffix("_at")]
            for k, v in dict(opts["milestones"]).items()
            if k != eventlog.ANY_EVENT and str(v).strip().lower().removesuffix("_at") in _ROLE_KINDS
        }
    _check_kinds(mapping, file=file)
    levels, notes = (
        parse_levels(
            frame[opts["level"]],
            file=file,
            field=opts["level"],
            records=rows,
            label="row",
            unknown=[*opts.get("unknown_levels", ()), *unknown_levels],
        )
        if opts.get("level")
        else (pd.Series(pd.NA, index=range(n), dtype="Int64"), None)
    )
    detail_values = _text(frame[opts["detail"]]) if opts.get("detail") else statuses
    return Events(
        incident_id=_text(frame[opts["case"]]),
        at=at,
        kind=_kinds_from(statuses, mapping),
        group=_text(frame[opts["group"]]) if opts.get("group") else _blank(n),
        level=levels,
        actor=_text(frame[opts["actor"]]) if opts.get("actor") else _blank(n),
        detail=detail_values,
        record=rows,
        label="row",
        case_field=opts["case"],
        time_field=opts["time"],
        note=notes,
    )


# --------------------------------------------------------------------------- ServiceNow

_SN_TRIGGER = ("new", "1")
_SN_ACTIVE = tuple(s.lower() for s in servicenow.ACK_STATES)
_SN_RESOLVE = (*servicenow._RESOLVED_STATES, *servicenow._CLOSED_STATES)


def _servicenow_events(
    path: Path,
    *,
    tz: str | None = None,
    dayfirst: bool | None = None,
    shape: str = "auto",
    level: str | None = None,
) -> Events:
    file = str(path)
    frame, utc = servicenow._load(path, file=file)
    frame = frame.reset_index(drop=True)
    cols = servicenow._columns_of(frame.columns)
    state = cols.get("incident_state", cols.get("state"))
    needed = {
        "number": cols.get("number", "number"),
        "update time": cols.get("sys_updated_on", "sys_updated_at"),
        "state": state or "incident_state",
    }
    require_columns(frame.columns, needed, file=file, what="ServiceNow event log")
    if shape == "auto":
        counts = frame[cols["number"]].value_counts()
        shape = (
            "events" if len(counts) and float((counts > 1).mean()) > servicenow._EVENT_LOG_SHARE else "table"
        )
    if shape != "events":
        raise NoTimelineError(
            "this ServiceNow export is a table (one row per incident): it holds no timeline",
            file=file,
            field=cols["number"],
            expected="an incident event log (one row per update), or shape='events' to read it as one",
        )
    dates = [cols[f] for f in servicenow._DATES if f in cols and cols[f] not in utc]
    dayfirst = servicenow._date_order(frame, dates, file=file, dayfirst=dayfirst)
    n = len(frame)
    rows = np.arange(1, n + 1)
    at = servicenow._times(
        frame, cols["sys_updated_on"], utc=utc, tz=tz, dayfirst=dayfirst, file=file, rows=rows, label="row"
    )
    assert at is not None
    states = _text(frame[state])
    group = _text(frame[cols["assignment_group"]]) if "assignment_group" in cols else _blank(n)
    actor_col = next(
        (c for c in frame.columns if str(c).strip().lower() in ("assigned_to", "assigned to")), None
    )
    actor = _text(frame[actor_col]) if actor_col else _blank(n)
    tiebreak = []
    if "sys_mod_count" in cols:
        tiebreak.append(pd.to_numeric(frame[cols["sys_mod_count"]], errors="coerce").fillna(-1).to_numpy())
    lowered = states.str.lower()
    kind = pd.Series("status", index=range(n), dtype="str")
    kind = kind.mask(lowered.isin(_SN_TRIGGER).fillna(False), "trigger")
    kind = kind.mask(lowered.isin(_SN_ACTIVE).fillna(False), "acknowledge")
    kind = kind.mask(lowered.isin(_SN_RESOLVE).fillna(False), "resolve")
    levels, notes = (
        parse_levels(frame[level], file=file, field=level, records=rows, label="row")
        if level
        else (pd.Series(pd.NA, index=range(n), dtype="Int64"), None)
    )
    return Events(
        incident_id=_text(frame[cols["number"]]),
        at=at,
        kind=kind,
        group=group,
        level=levels,
        actor=actor,
        detail=states,
        record=rows,
        label="row",
        case_field=cols["number"],
        time_field=cols["sys_updated_on"],
        note=notes,
        tiebreak=tiebreak,
    )


def servicenow_kinds(codes: np.ndarray, events: pd.DataFrame) -> pd.Series:
    """ServiceNow kinds in time order: unchanged states become ``assign`` or ``note``; reopens.

    ``events`` holds ``kind``, ``detail`` (the state), ``group`` and ``actor``, sorted.
    """
    same = np.r_[False, codes[1:] == codes[:-1]]

    def changed(column: str) -> np.ndarray:
        values = events[column].fillna("\x00").to_numpy(dtype=object)
        return np.r_[True, values[1:] != values[:-1]]

    state_same = same & ~changed("detail")
    moved = changed("group") | changed("actor")
    kind = events["kind"].to_numpy(dtype=object).copy()
    kind[state_same & moved] = "assign"
    kind[state_same & ~moved] = "note"
    out = pd.Series(kind, index=events.index, dtype="str")
    # a move from a resolved state back to an active one
    resolve = events["kind"].eq("resolve").to_numpy()
    back = same & np.r_[False, resolve[:-1]] & ~resolve
    out[back] = "reopen"
    return out


# --------------------------------------------------------------------------- PagerDuty

_PD_KINDS = {
    "trigger_log_entry": "trigger",
    "notify_log_entry": "notify",
    "escalate_log_entry": "escalate",
    "assign_log_entry": "assign",
    "delegate_log_entry": "assign",
    "acknowledge_log_entry": "acknowledge",
    "acknowledgement_log_entry": "acknowledge",
    "unacknowledge_log_entry": "status",
    "resolve_log_entry": "resolve",
    "annotate_log_entry": "note",
}


def _ref_name(ref: Any) -> Any:
    if isinstance(ref, dict):
        return ref.get("summary") or ref.get("name")
    if isinstance(ref, list) and ref:
        return _ref_name(ref[0])
    return ref if isinstance(ref, str) else None


def _pagerduty_events(
    path: Path,
    *,
    tz: str | None = None,
    dayfirst: bool | None = None,
    log_entries: str | Path | None = None,
) -> Events:
    file = str(path)
    if sample_of(path).kind == "csv" and log_entries is None:
        raise NoTimelineError(
            "the PagerDuty web CSV holds no log entries: it has no timeline",
            file=file,
            expected="incidents fetched with their log entries (JSON), or a GET /log_entries dump",
        )
    rest, _flat, logs = pagerduty._split(pagerduty._documents(path), file=file)
    if log_entries is not None:
        logs = [*logs, *pagerduty._log_entries_of(log_entries)]
    cols: dict[str, list[Any]] = {
        k: [] for k in ("id", "at", "type", "group", "level", "actor", "detail", "where")
    }
    teams: dict[Any, Any] = {}

    def add(incident_id: Any, entry: Any, where: str, default_group: Any) -> None:
        if not isinstance(entry, dict):
            raise InputError("a log entry is not a JSON object", file=file, record=where, found=entry)
        kind = entry.get("type")
        kind = kind.removesuffix("_reference") if isinstance(kind, str) else None
        channel = entry.get("channel") if isinstance(entry.get("channel"), dict) else {}
        level = entry.get("escalation_level", entry.get("level"))
        if level is None and isinstance(entry.get("summary"), str) and kind == "escalate_log_entry":
            hit = _LEVEL_IN_SUMMARY.search(entry["summary"])
            level = int(hit.group(1)) if hit else None
        if kind == "trigger_log_entry":
            detail = channel.get("type")
        elif kind == "annotate_log_entry":
            detail = channel.get("summary") or entry.get("note") or entry.get("summary")
        else:
            detail = entry.get("summary") or channel.get("type")
        group = _ref_name(entry.get("escalation_policy")) or _ref_name(entry.get("teams")) or default_group
        cols["id"].append(incident_id)
        cols["at"].append(entry.get("created_at"))
        cols["type"].append(kind)
        cols["group"].append(group)
        cols["level"].append(level)
        cols["actor"].append(_ref_name(entry.get("agent")))
        cols["detail"].append(detail)
        cols["where"].append(where)

    for pos, inc in enumerate(rest):
        if not isinstance(inc, dict):
            raise InputError("an incident is not a JSON object", file=file, record=pos + 1, found=inc)
        ident = inc.get("id")
        group = _ref_name(inc.get("escalation_policy")) or _ref_name(inc.get("teams"))
        teams[ident] = group
        embedded = inc.get("log_entries")
        if isinstance(embedded, list):
            for j, entry in enumerate(embedded, start=1):
                add(ident, entry, f"log entry {j} of record {pos + 1} (id {ident})", group)
    for k, entry in enumerate(logs, start=1):
        ref = entry.get("incident") if isinstance(entry, dict) else None
        ident = ref.get("id") if isinstance(ref, dict) else None
        if ident is None:
            raise InputError(
                "a log entry names no incident",
                file=file,
                record=f"log entry {k}",
                field="incident.id",
                found=ref,
                expected="{'incident': {'id': ...}} on every log entry",
            )
        add(ident, entry, f"log entry {k}", teams.get(ident))
    if not cols["id"]:
        raise NoTimelineError(
            "the PagerDuty export holds no log entries: it has no timeline",
            file=file,
            field="log_entries",
            expected="incidents fetched with their log entries, or a GET /log_entries dump",
        )
    n = len(cols["id"])
    where = np.array(cols["where"], dtype=object)
    numbers = np.arange(1, n + 1)
    at = eventlog.parse_event_times(
        pd.Series(cols["at"], dtype=object),
        tz=tz,
        dayfirst=dayfirst,
        file=file,
        field="log_entries[].created_at",
        rows=where,
        label="",
    )
    types = pd.Series(cols["type"], dtype=object)
    kind = types.map(_PD_KINDS).fillna("status").astype("str")
    unknown = types.notna() & ~types.isin(list(_PD_KINDS))
    note = pd.Series(pd.NA, index=range(n), dtype="str").mask(
        unknown, "log entry type " + types.astype("str") + " kept as a status event"
    )
    explicit, level_note = parse_levels(
        pd.Series(cols["level"], dtype=object),
        file=file,
        field="escalation_level",
        records=where,
        label="",
    )
    return Events(
        incident_id=_text(pd.Series(cols["id"], dtype=object)),
        at=at,
        kind=kind,
        group=_text(pd.Series(cols["group"], dtype=object)),
        level=explicit,
        actor=_text(pd.Series(cols["actor"], dtype=object)),
        detail=_text(pd.Series(cols["detail"], dtype=object)),
        record=numbers,
        label="log entry",
        case_field="incident.id",
        time_field="log_entries[].created_at",
        note=note.where(note.notna(), level_note),
    )


def pagerduty_levels(codes: np.ndarray, kinds: pd.Series, levels: pd.Series) -> pd.Series:
    """Levels of PagerDuty events in time order: 1 at the start, the entry's own level where it
    gives one, else one more at each escalate entry.

    Returns
    -------
    Series
        ``Int64``, aligned with ``kinds``.
    """
    out = np.empty(len(codes), dtype=np.int64)
    kind = kinds.to_numpy(dtype=object)
    given = levels.to_numpy(dtype=object, na_value=None)
    current = 1
    for i in range(len(codes)):
        if i == 0 or codes[i] != codes[i - 1]:
            current = 1
        if given[i] is not None:
            current = int(given[i])
        elif kind[i] == "escalate":
            current += 1
        out[i] = current
    return pd.Series(out, index=kinds.index, dtype="Int64")


# --------------------------------------------------------------------------- Statuspage

_SP_KINDS = {"investigating": "acknowledge", "resolved": "resolve", "postmortem": "note"}


def _statuspage_events(path: Path, *, tz: str | None = None, dayfirst: bool | None = None) -> Events:
    file = str(path)
    records, _zones = statuspage._load_records(path)
    require_objects(records, file=file, expected="one object per incident")
    cols: dict[str, list[Any]] = {k: [] for k in ("id", "at", "status", "body", "where")}
    for pos, rec in enumerate(records):
        updates = rec.get("incident_updates")
        if updates is None:
            updates = rec.get("updates") or []
        if not isinstance(updates, list):
            raise InputError(
                "the updates are not a list",
                file=file,
                record=f"record {pos + 1}",
                field="incident_updates",
                found=updates,
                expected="a list of update objects",
            )
        for j, update in enumerate(updates, start=1):
            where = f"update {j} of record {pos + 1} (id {rec.get('id')})"
            if not isinstance(update, dict):
                raise InputError("an update is not a JSON object", file=file, record=where, found=update)
            cols["id"].append(rec.get("id"))
            cols["at"].append(update.get("created_at", update.get("display_at", update.get("at"))))
            cols["status"].append(update.get("status"))
            cols["body"].append(update.get("body"))
            cols["where"].append(where)
    if not cols["id"]:
        raise NoTimelineError(
            "the Statuspage export holds no incident_updates: it has no timeline",
            file=file,
            field="incident_updates",
            expected="incidents with their incident_updates",
        )
    n = len(cols["id"])
    where = np.array(cols["where"], dtype=object)
    at = eventlog.parse_event_times(
        pd.Series(cols["at"], dtype=object),
        tz=tz,
        dayfirst=dayfirst,
        file=file,
        field="incident_updates[].created_at",
        rows=where,
        label="",
    )
    status = _text(pd.Series(cols["status"], dtype=object))
    body = _text(pd.Series(cols["body"], dtype=object))
    detail = status.where(body.isna(), status.fillna("") + ": " + body.fillna(""))
    return Events(
        incident_id=_text(pd.Series(cols["id"], dtype=object)),
        at=at,
        kind=_kinds_from(status.fillna(""), _SP_KINDS),
        group=_blank(n),
        level=pd.Series(pd.NA, index=range(n), dtype="Int64"),
        actor=_blank(n),
        detail=detail,
        record=np.arange(1, n + 1),
        label="update",
        case_field="id",
        time_field="incident_updates[].created_at",
    )


# --------------------------------------------------------------------------- Google Cloud status

_GCP_KINDS = {"available": "resolve"}


def _gcp_events(path: Path, *, tz: str | None = None, dayfirst: bool | None = None) -> Events:
    file = str(path)
    records = load_json_records(path, keys=("incidents",))
    require_objects(records, file=file, expected="one Google Cloud status incident per record")
    cols: dict[str, list[Any]] = {k: [] for k in ("id", "at", "status", "text", "where")}
    for pos, rec in enumerate(records):
        updates = rec.get("updates") or []
        if not isinstance(updates, list):
            raise InputError(
                "the updates are not a list",
                file=file,
                record=f"record {pos + 1}",
                field="updates",
                found=updates,
                expected="a list of update objects",
            )
        for j, update in enumerate(updates, start=1):
            where = f"update {j} of record {pos + 1} (id {rec.get('id')})"
            if not isinstance(update, dict):
                raise InputError("an update is not a JSON object", file=file, record=where, found=update)
            cols["id"].append(rec.get("id"))
            cols["at"].append(update.get("when", update.get("created")))
            cols["status"].append(update.get("status"))
            text = update.get("text")
            cols["text"].append(
                text.strip().splitlines()[0] if isinstance(text, str) and text.strip() else None
            )
            cols["where"].append(where)
    if not cols["id"]:
        raise NoTimelineError(
            "the Google Cloud status export holds no updates: it has no timeline",
            file=file,
            field="updates",
            expected="incidents with their updates",
        )
    n = len(cols["id"])
    where = np.array(cols["where"], dtype=object)
    at = eventlog.parse_event_times(
        pd.Series(cols["at"], dtype=object),
        tz=tz,
        dayfirst=dayfirst,
        file=file,
        field="updates[].when",
        rows=where,
        label="",
    )
    status = _text(pd.Series(cols["status"], dtype=object))
    text = _text(pd.Series(cols["text"], dtype=object))
    return Events(
        incident_id=_text(pd.Series(cols["id"], dtype=object)),
        at=at,
        kind=_kinds_from(status.fillna(""), _GCP_KINDS),
        group=_blank(n),
        level=pd.Series(pd.NA, index=range(n), dtype="Int64"),
        actor=_blank(n),
        detail=status.where(text.isna(), status.fillna("") + ": " + text.fillna("")),
        record=np.arange(1, n + 1),
        label="update",
        case_field="id",
        time_field="updates[].when",
    )


# --------------------------------------------------------------------------- FireHydrant, incident.io

_MILESTONE_KINDS = {
    "started": "trigger",
    "detected": "trigger",
    "acknowledged": "acknowledge",
    "resolved": "resolve",
}


def _nested_events(
    path: Path,
    *,
    tz: str | None,
    dayfirst: bool | None,
    keys: tuple[str, ...],
    milestones: bool,
    source: str,
) -> Events:
    """Events of JSON incident records: their ``milestones`` (FireHydrant), ``timeline`` lists,
    and stand-alone ``incident_updates`` records (incident.io)."""
    file = str(path)
    records = load_json_records(path, keys=keys)
    require_objects(records, file=file, expected="one object per incident")
    cols: dict[str, list[Any]] = {
        k: [] for k in ("id", "at", "kind", "group", "level", "actor", "detail", "where")
    }

    def add(
        ident: Any,
        at: Any,
        kind: Any,
        where: str,
        *,
        group: Any = None,
        level: Any = None,
        actor: Any = None,
        detail: Any = None,
    ) -> None:
        cols["id"].append(ident)
        cols["at"].append(at)
        cols["kind"].append(kind)
        cols["group"].append(group)
        cols["level"].append(level)
        cols["actor"].append(actor)
        cols["detail"].append(detail)
        cols["where"].append(where)

    for pos, rec in enumerate(records):
        ident = rec.get("id")
        if "new_incident_status" in rec and "incident_id" in rec:  # GET /v2/incident_updates
            status = rec.get("new_incident_status") or {}
            category = status.get("category") if isinstance(status, dict) else None
            name = status.get("name") if isinstance(status, dict) else status
            kind = {"closed": "resolve", "live": "status", "triage": "status"}.get(str(category), "status")
            updater = rec.get("updater") or {}
            user = updater.get("user") if isinstance(updater, dict) else None
            add(
                rec.get("incident_id"),
                rec.get("created_at"),
                kind,
                f"record {pos + 1}",
                actor=_ref_name(user) if user else None,
                detail=name or rec.get("message"),
            )
            continue
        if milestones:
            for j, stone in enumerate(rec.get("milestones") or [], start=1):
                if not isinstance(stone, dict):
                    raise InputError(
                        "a milestone is not a JSON object",
                        file=file,
                        record=f"milestone {j} of record {pos + 1}",
                        found=stone,
                    )
                slug = stone.get("type")
                add(
                    ident,
                    stone.get("occurred_at"),
                    _MILESTONE_KINDS.get(str(slug), "status"),
                    f"milestone {j} of record {pos + 1} (id {ident})",
                    detail=slug,
                )
        timeline = rec.get("timeline")
        if timeline is None:
            continue
        if not isinstance(timeline, list):
            raise InputError(
                "the timeline is not a list",
                file=file,
                record=f"record {pos + 1}",
                field="timeline",
                found=timeline,
                expected="a list of event objects",
            )
        for j, event in enumerate(timeline, start=1):
            where = f"timeline event {j} of record {pos + 1} (id {ident})"
            if not isinstance(event, dict):
                raise InputError(
                    "a timeline event is not a JSON object", file=file, record=where, found=event
                )
            add(
                ident,
                event.get("occurred_at", event.get("at")),
                event.get("type", event.get("kind")),
                where,
                group=event.get("team", event.get("group")),
                level=event.get("level"),
                actor=event.get("actor"),
                detail=event.get("detail"),
            )
    if not cols["id"]:
        raise NoTimelineError(
            f"the {source} export holds no timeline",
            file=file,
            expected="incidents with milestones or a timeline list, or incident updates",
        )
    n = len(cols["id"])
    where = np.array(cols["where"], dtype=object)
    kinds = _text(pd.Series(cols["kind"], dtype=object))
    bad = kinds.isna() | ~kinds.isin(list(KINDS))
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            "an event's kind is not a timeline kind",
            file=file,
            record=where[pos],
            field="type",
            found=cols["kind"][pos],
            expected="one of " + ", ".join(KINDS),
        )
    at = eventlog.parse_event_times(
        pd.Series(cols["at"], dtype=object),
        tz=tz,
        dayfirst=dayfirst,
        file=file,
        field="occurred_at",
        rows=where,
        label="",
    )
    levels, notes = parse_levels(
        pd.Series(cols["level"], dtype=object), file=file, field="level", records=where, label=""
    )
    return Events(
        incident_id=_text(pd.Series(cols["id"], dtype=object)),
        at=at,
        kind=kinds,
        group=_text(pd.Series(cols["group"], dtype=object)),
        level=levels,
        actor=_text(pd.Series(cols["actor"], dtype=object)),
        detail=_text(pd.Series(cols["detail"], dtype=object)),
        record=np.arange(1, n + 1),
        label="event",
        case_field="id",
        time_field="occurred_at",
        note=notes,
    )


# --------------------------------------------------------------------------- generic

_GENERIC = ("incident_id", "at", "kind", "group", "level", "actor", "detail")


def _generic_events(
    path: Path,
    *,
    fmt: str | None = None,
    columns: Mapping[str, str] | None = None,
    kinds: Mapping[str, str] | None = None,
    tz: str | None = None,
    dayfirst: bool | None = None,
) -> Events:
    file = str(path)
    frame, label = read_frame(path, fmt=fmt)
    mapping = dict(columns or {})
    unknown = [k for k in mapping if k not in _GENERIC]
    if unknown:
        raise InputError(
            f"columns= maps an unknown timeline name {unknown[0]!r}",
            file=file,
            expected="keys among " + ", ".join(_GENERIC),
        )
    for name in _GENERIC:
        if name not in mapping and name in frame.columns:
            mapping[name] = name
    require_columns(frame.columns, mapping, file=file, what="event log")
    for needed in ("incident_id", "at", "kind"):
        if needed not in mapping:
            shown = ", ".join(map(str, list(frame.columns)[:30]))
            raise InputError(
                f"no {needed} column for the timeline",
                file=file,
                field=needed,
                expected=f"a column {needed!r} or columns={{{needed!r}: <one of: {shown}>}}",
            )
    frame = frame.reset_index(drop=True)
    n = len(frame)
    rows = np.arange(1, n + 1)
    at = eventlog.parse_event_times(
        frame[mapping["at"]], tz=tz, dayfirst=dayfirst, file=file, field=mapping["at"], rows=rows, label=label
    )
    raw_kind = _text(frame[mapping["kind"]])
    table = {str(k).strip().casefold(): v for k, v in (kinds or {}).items()}
    _check_kinds(table, file=file)
    kind = raw_kind.str.casefold().map(lambda v: table.get(v, v) if isinstance(v, str) else v)
    bad = kind.isna() | ~kind.isin(list(KINDS))
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            "an event's kind is not a timeline kind",
            file=file,
            record=f"{label} {pos + 1}",
            field=mapping["kind"],
            found=frame[mapping["kind"]].iloc[pos],
            expected="one of " + ", ".join(KINDS) + " (or kinds= mapping the export's values to them)",
        )
    levels, notes = (
        parse_levels(frame[mapping["level"]], file=file, field=mapping["level"], records=rows, label=label)
        if "level" in mapping
        else (pd.Series(pd.NA, index=range(n), dtype="Int64"), None)
    )

    def optional(name: str) -> pd.Series:
        return _text(frame[mapping[name]]) if name in mapping else _blank(n)

    return Events(
        incident_id=_text(frame[mapping["incident_id"]]),
        at=at,
        kind=kind.astype("str"),
        group=optional("group"),
        level=levels,
        actor=optional("actor"),
        detail=optional("detail"),
        record=rows,
        label=label,
        case_field=mapping["incident_id"],
        time_field=mapping["at"],
        note=notes,
    )


# --------------------------------------------------------------------------- dispatch


def _check_options(
    path: Path, source: str, reader: Any, options: Mapping[str, Any], fixed: Sequence[str] = ()
) -> None:
    """An :class:`InputError` for an option the source's timeline reader does not take."""
    import inspect

    accepted = [n for n in inspect.signature(reader).parameters if n not in ("path", *fixed)]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise InputError(
            "option " + ", ".join(f"{n}=" for n in unknown) + f" does not apply to the {source} timeline",
            file=str(path),
            found=unknown[0],
            expected="options of that reader: " + ", ".join(f"{n}=" for n in accepted),
        )


def read_events(path: str | Path, source: str, **options: Any) -> Events:
    """One source's events (see the module docstring for what each source gives)."""
    path = Path(path)
    if source in ("csv", "json", "jsonl"):
        options = {k: v for k, v in options.items() if k != "severity_map"}
        _check_options(path, source, _generic_events, options, fixed=("fmt",))
        return _generic_events(path, fmt=source, **options)
    if options.get("columns"):
        raise InputError(
            f"columns= applies to the generic csv/json timeline reader, not to source={source!r}",
            file=str(path),
        )
    options = {k: v for k, v in options.items() if k not in ("columns", "severity_map")}
    readers = {
        "eventlog": _eventlog_events,
        "servicenow": _servicenow_events,
        "pagerduty": _pagerduty_events,
        "statuspage": _statuspage_events,
        "gcp_status": _gcp_events,
    }
    if source in readers:
        _check_options(path, source, readers[source], options)
        return readers[source](path, **options)
    if source in ("firehydrant", "incidentio"):
        _check_options(path, source, _statuspage_events, options)  # tz= and dayfirst= only
    if source == "firehydrant":
        return _nested_events(
            path,
            tz=options.get("tz"),
            dayfirst=options.get("dayfirst"),
            keys=("data", "incidents"),
            milestones=True,
            source="FireHydrant",
        )
    if source == "incidentio":
        return _nested_events(
            path,
            tz=options.get("tz"),
            dayfirst=options.get("dayfirst"),
            keys=("incidents", "incident_updates", "data"),
            milestones=False,
            source="incident.io",
        )
    raise NoTimelineError(
        f"the {source} export carries no event timeline",
        file=str(path),
        expected="an export of one of " + ", ".join(TIMELINE_SOURCES),
    )


# --------------------------------------------------------------------------- detection channels

#: Vendor channel values -> the broad group: ``monitoring`` (an integration or API), ``human``
#: (a person opened it: web, email, phone), ``customer`` (a customer reported it).
CHANNEL_GROUPS: dict[str, str] = {
    "api": "monitoring",
    "integration": "monitoring",
    "events_api_v2": "monitoring",
    "nagios": "monitoring",
    "monitoring": "monitoring",
    "alert": "monitoring",
    "web_trigger": "human",
    "web_ui": "human",
    "web": "human",
    "email": "human",
    "mobile": "human",
    "slack": "human",
    "chat": "human",
    "phone": "customer",
    "self service": "customer",
    "self-service": "customer",
    "customer": "customer",
    "customer report": "customer",
    "support": "customer",
    "iva": "customer",
}

#: The kind of a channel value a source does not list above: every ServiceNow contact type is
#: how a caller reached the service desk (phone, email, self-service, walk-in, chat), so a
#: person reported it, unless it came from event management.
SOURCE_CHANNEL_DEFAULTS: dict[str, str] = {"servicenow": "customer"}
_SERVICENOW_MONITORING = {"event", "monitoring", "alert", "integration"}


def channel_kinds(channels: pd.Series, sources: pd.Series | None = None) -> pd.Series:
    """``monitoring``, ``human``, ``customer`` or ``other`` for each detection channel value.

    Returns
    -------
    Series
        Aligned with ``channels``; ``unknown`` where the channel is missing.
    """
    key = channels.astype("str").str.strip().str.lower()
    kind = key.map(CHANNEL_GROUPS)
    if sources is not None:
        source = sources.astype("str").reindex(channels.index)
        servicenow = source.eq("servicenow").fillna(False).astype(bool)
        override = servicenow & ~key.isin(_SERVICENOW_MONITORING).fillna(False).astype(bool)
        kind = kind.mask(override, SOURCE_CHANNEL_DEFAULTS["servicenow"])
        kind = kind.mask(
            servicenow & key.isin(_SERVICENOW_MONITORING).fillna(False).astype(bool), "monitoring"
        )
    return kind.fillna("other").mask(channels.isna(), "unknown").astype("str")
