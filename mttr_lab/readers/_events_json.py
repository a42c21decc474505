"""Event timelines inside JSON exports: PagerDuty log entries, Statuspage and Google Cloud status
updates, FireHydrant milestones and ``timeline`` lists, incident.io incident updates.

See :mod:`mttr_lab.readers.timelines` for what each source gives.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..schema import InputError
from . import pagerduty
from ._events import KINDS, EventRows, Events, NoTimelineError, kinds_from, parse_levels
from ._files import sample_of
from ._json_docs import load_json_records, require_objects
from ._plumbing import ref_name
from ._statuspage_json import load_records

__all__ = ["gcp_events", "nested_events", "pagerduty_events", "statuspage_events"]

_LEVEL_IN_SUMMARY = re.compile(r"\blevel\s+(\d{1,3})\b", re.IGNORECASE)
_FIELDS = ("id", "at", "kind", "group", "level", "actor", "detail")

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


def _log_entry(rows: EventRows, incident_id: Any, entry: Any, where: str, default_group: Any) -> None:
    """Add one PagerDuty log entry to ``rows``."""
    if not isinstance(entry, dict):
        raise InputError("a log entry is not a JSON object", file=rows.file, record=where, found=entry)
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
    group = ref_name(entry.get("escalation_policy")) or ref_name(entry.get("teams")) or default_group
    rows.add(
        where,
        id=incident_id,
        at=entry.get("created_at"),
        kind=kind,
        group=group,
        level=level,
        actor=ref_name(entry.get("agent")),
        detail=detail,
    )


def _pagerduty_rows(path: Path, *, file: str, log_entries: str | Path | None) -> EventRows:
    """The log entries of a PagerDuty export: embedded in its incidents, or stand-alone."""
    rest, _flat, logs = pagerduty._split(pagerduty._documents(path), file=file)
    if log_entries is not None:
        logs = [*logs, *pagerduty._log_entries_of(log_entries)]
    rows = EventRows(file, _FIELDS)
    teams: dict[Any, Any] = {}
    for pos, inc in enumerate(rest):
        if not isinstance(inc, dict):
            raise InputError("an incident is not a JSON object", file=file, record=pos + 1, found=inc)
        ident = inc.get("id")
        group = ref_name(inc.get("escalation_policy")) or ref_name(inc.get("teams"))
        teams[ident] = group
        embedded = inc.get("log_entries")
        if isinstance(embedded, list):
            for j, entry in enumerate(embedded, start=1):
                _log_entry(rows, ident, entry, f"log entry {j} of record {pos + 1} (id {ident})", group)
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
        _log_entry(rows, ident, entry, f"log entry {k}", teams.get(ident))
    return rows


def pagerduty_events(
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
    rows = _pagerduty_rows(path, file=file, log_entries=log_entries)
    if not len(rows):
        raise NoTimelineError(
            "the PagerDuty export holds no log entries: it has no timeline",
            file=file,
            field="log_entries",
            expected="incidents fetched with their log entries, or a GET /log_entries dump",
        )
    at = rows.times(tz=tz, dayfirst=dayfirst, field="log_entries[].created_at")
    types = rows.raw("kind")
    kind = types.map(_PD_KINDS).fillna("status").astype("str")
    unknown = types.notna() & ~types.isin(list(_PD_KINDS))
    note = pd.Series(pd.NA, index=range(len(rows)), dtype="str").mask(
        unknown, "log entry type " + types.astype("str") + " kept as a status event"
    )
    explicit, level_note = parse_levels(
        rows.raw("level"), file=file, field="escalation_level", records=rows.where, label=""
    )
    return rows.events(
        at=at,
        kind=kind,
        level=explicit,
        label="log entry",
        case_field="incident.id",
        time_field="log_entries[].created_at",
        note=note.where(note.notna(), level_note),
    )


# --------------------------------------------------------------------------- Statuspage, Google Cloud status


@dataclass(frozen=True)
class _Updates:
    """Where a status page's JSON keeps its updates, and what they mean."""

    updates_of: Callable[[dict], Any]
    field: str
    at_of: Callable[[dict], Any]
    text_of: Callable[[dict], Any]
    kinds: Mapping[str, str]
    time_field: str
    #: The message and expectation where no record has an update.
    empty: tuple[str, str]


def _update_events(
    records: list[Any], spec: _Updates, *, file: str, tz: str | None, dayfirst: bool | None
) -> Events:
    """Events of the status updates listed in each record: the status its kind, status and text
    its detail."""
    rows = EventRows(file, ("id", "at", "status", "text"))
    for pos, rec in enumerate(records):
        updates = spec.updates_of(rec)
        if not isinstance(updates, list):
            raise InputError(
                "the updates are not a list",
                file=file,
                record=f"record {pos + 1}",
                field=spec.field,
                found=updates,
                expected="a list of update objects",
            )
        for j, update in enumerate(updates, start=1):
            where = f"update {j} of record {pos + 1} (id {rec.get('id')})"
            if not isinstance(update, dict):
                raise InputError("an update is not a JSON object", file=file, record=where, found=update)
            rows.add(
                where,
                id=rec.get("id"),
                at=spec.at_of(update),
                status=update.get("status"),
                text=spec.text_of(update),
            )
    if not len(rows):
        raise NoTimelineError(spec.empty[0], file=file, field=spec.field, expected=spec.empty[1])
    at = rows.times(tz=tz, dayfirst=dayfirst, field=spec.time_field)
    status = rows.text("status")
    text = rows.text("text")
    return rows.events(
        at=at,
        kind=kinds_from(status.fillna(""), spec.kinds),
        detail=status.where(text.isna(), status.fillna("") + ": " + text.fillna("")),
        label="update",
        time_field=spec.time_field,
    )


def _statuspage_updates(rec: dict) -> Any:
    updates = rec.get("incident_updates")
    return (rec.get("updates") or []) if updates is None else updates


def _first_line(text: Any) -> str | None:
    return text.strip().splitlines()[0] if isinstance(text, str) and text.strip() else None


_STATUSPAGE = _Updates(
    updates_of=_statuspage_updates,
    field="incident_updates",
    at_of=lambda update: update.get("created_at", update.get("display_at", update.get("at"))),
    text_of=lambda update: update.get("body"),
    kinds={"investigating": "acknowledge", "resolved": "resolve", "postmortem": "note"},
    time_field="incident_updates[].created_at",
    empty=(
        "the Statuspage export holds no incident_updates: it has no timeline",
        "incidents with their incident_updates",
    ),
)
_GCP = _Updates(
    updates_of=lambda rec: rec.get("updates") or [],
    field="updates",
    at_of=lambda update: update.get("when", update.get("created")),
    text_of=lambda update: _first_line(update.get("text")),
    kinds={"available": "resolve"},
    time_field="updates[].when",
    empty=(
        "the Google Cloud status export holds no updates: it has no timeline",
        "incidents with their updates",
    ),
)


def statuspage_events(path: Path, *, tz: str | None = None, dayfirst: bool | None = None) -> Events:
    file = str(path)
    records, _zones = load_records(path)
    require_objects(records, file=file, expected="one object per incident")
    return _update_events(records, _STATUSPAGE, file=file, tz=tz, dayfirst=dayfirst)


def gcp_events(path: Path, *, tz: str | None = None, dayfirst: bool | None = None) -> Events:
    file = str(path)
    records = load_json_records(path, keys=("incidents",))
    require_objects(records, file=file, expected="one Google Cloud status incident per record")
    return _update_events(records, _GCP, file=file, tz=tz, dayfirst=dayfirst)


# --------------------------------------------------------------------------- FireHydrant, incident.io

_MILESTONE_KINDS = {
    "started": "trigger",
    "detected": "trigger",
    "acknowledged": "acknowledge",
    "resolved": "resolve",
}


def _incident_update(rows: EventRows, rec: dict, pos: int) -> None:
    """An incident.io ``GET /v2/incident_updates`` record."""
    status = rec.get("new_incident_status") or {}
    category = status.get("category") if isinstance(status, dict) else None
    name = status.get("name") if isinstance(status, dict) else status
    kind = {"closed": "resolve", "live": "status", "triage": "status"}.get(str(category), "status")
    updater = rec.get("updater") or {}
    user = updater.get("user") if isinstance(updater, dict) else None
    rows.add(
        f"record {pos + 1}",
        id=rec.get("incident_id"),
        at=rec.get("created_at"),
        kind=kind,
        actor=ref_name(user) if user else None,
        detail=name or rec.get("message"),
    )


def _milestones(rows: EventRows, rec: dict, pos: int) -> None:
    ident = rec.get("id")
    for j, stone in enumerate(rec.get("milestones") or [], start=1):
        if not isinstance(stone, dict):
            raise InputError(
                "a milestone is not a JSON object",
                file=rows.file,
                record=f"milestone {j} of record {pos + 1}",
                found=stone,
            )
        slug = stone.get("type")
        rows.add(
            f"milestone {j} of record {pos + 1} (id {ident})",
            id=ident,
            at=stone.get("occurred_at"),
            kind=_MILESTONE_KINDS.get(str(slug), "status"),
            detail=slug,
        )


def _timeline(rows: EventRows, rec: dict, pos: int) -> None:
    ident = rec.get("id")
    timeline = rec.get("timeline")
    if timeline is None:
        return
    if not isinstance(timeline, list):
        raise InputError(
            "the timeline is not a list",
            file=rows.file,
            record=f"record {pos + 1}",
            field="timeline",
            found=timeline,
            expected="a list of event objects",
        )
    for j, event in enumerate(timeline, start=1):
        where = f"timeline event {j} of record {pos + 1} (id {ident})"
        if not isinstance(event, dict):
            raise InputError(
                "a timeline event is not a JSON object", file=rows.file, record=where, found=event
            )
        rows.add(
            where,
            id=ident,
            at=event.get("occurred_at", event.get("at")),
            kind=event.get("type", event.get("kind")),
            group=event.get("team", event.get("group")),
            level=event.get("level"),
            actor=event.get("actor"),
            detail=event.get("detail"),
        )


def nested_events(
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
    rows = EventRows(file, _FIELDS)
    for pos, rec in enumerate(records):
        if "new_incident_status" in rec and "incident_id" in rec:  # GET /v2/incident_updates
            _incident_update(rows, rec, pos)
            continue
        if milestones:
            _milestones(rows, rec, pos)
        _timeline(rows, rec, pos)
    if not len(rows):
        raise NoTimelineError(
            f"the {source} export holds no timeline",
            file=file,
            expected="incidents with milestones or a timeline list, or incident updates",
        )
    where = rows.where
    kinds = rows.text("kind")
    bad = kinds.isna() | ~kinds.isin(list(KINDS))
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            "an event's kind is not a timeline kind",
            file=file,
            record=where[pos],
            field="type",
            found=rows.columns["kind"][pos],
            expected="one of " + ", ".join(KINDS),
        )
    at = rows.times(tz=tz, dayfirst=dayfirst, field="occurred_at")
    levels, notes = parse_levels(rows.raw("level"), file=file, field="level", records=where, label="")
    return rows.events(at=at, kind=kinds, level=levels, label="event", time_field="occurred_at", note=notes)
