"""PagerDuty REST v2 incidents (JSON), with their log entries: the ``incidents`` frame.

See :mod:`mttr_lab.readers.pagerduty` for the rules; this module holds the REST shape only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..schema import TIMESTAMP_DTYPE, InputError
from ..timeparse import parse_timestamps
from ._build import join_notes, whole_numbers
from ._pagerduty_shared import (
    ACK_TYPES,
    KEPT_TYPES,
    MERGED_REASON,
    NO_RESOLUTION_REASON,
    OPEN_STATUSES,
    RESOLVE_TYPES,
    SEVERITY_MAP,
    SOURCE,
    ids_or_numbers,
    lookup,
    namer,
    ref_id,
    ref_text,
    upper_bound,
)
from ._plumbing import Reading, name_text

__all__ = ["rest_incidents"]

_COLUMNS = (
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


@dataclass
class _Log:
    """The log entries of a REST export: only acknowledgements and resolutions are kept; every
    entry is counted, and each incident's trigger channel remembered."""

    file: str
    incident_ids: list[Any]
    ids: list[Any] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    at: list[Any] = field(default_factory=list)
    #: (entry number, incident position or -1 for a stand-alone list)
    where: list[tuple[int, int]] = field(default_factory=list)
    count: dict[str, int] = field(default_factory=dict)
    trigger_channel: dict[str, Any] = field(default_factory=dict)

    def name(self, position: int) -> str:
        number, parent = self.where[position]
        if parent < 0:
            return f"log entry {number}"
        return f"log entry {number} of record {parent + 1} (id {self.incident_ids[parent]})"

    def add(self, incident_id: Any, entry: Any, number: int, parent: int) -> None:
        if not isinstance(entry, dict):
            self.where.append((number, parent))
            raise InputError(
                "a log entry is not a JSON object", file=self.file, record=self.name(-1), found=entry
            )
        key = None if incident_id is None else str(incident_id)
        self.count[key] = self.count.get(key, 0) + 1
        kind = entry.get("type")
        kind = kind.removesuffix("_reference") if isinstance(kind, str) else ""
        channel = entry.get("channel")
        if kind == "trigger_log_entry" and isinstance(channel, dict) and key not in self.trigger_channel:
            self.trigger_channel[key] = channel.get("type")
        if kind in KEPT_TYPES:
            self.ids.append(key)
            self.types.append(kind)
            self.at.append(entry.get("created_at"))
            self.where.append((number, parent))

    def entries(self, *, tz: str | None, dayfirst: bool | None) -> pd.DataFrame:
        """The kept entries: ``incident``, ``type`` and parsed ``at``."""
        at = parse_timestamps(
            pd.Series(self.at, dtype=object),
            tz=tz,
            dayfirst=dayfirst,
            file=self.file,
            field="log_entries[].created_at",
            records=self.name,
        )
        return pd.DataFrame(
            {
                "incident": pd.Series(self.ids, dtype="str"),
                "type": pd.Series(self.types, dtype="str"),
                "at": at,
            }
        )


def _incident_row(cols: dict[str, list[Any]], inc: dict) -> None:
    priority = inc.get("priority")
    teams = inc.get("teams")
    reason = inc.get("resolve_reason")
    cols["id"].append(inc.get("id"))
    cols["incident_number"].append(inc.get("incident_number"))
    cols["title"].append(inc.get("title") or inc.get("summary"))
    for key in ("created_at", "updated_at", "last_status_change_at", "resolved_at", "status", "urgency"):
        cols[key].append(inc.get(key))
    cols["priority"].append(
        (priority.get("name") or priority.get("summary")) if isinstance(priority, dict) else priority
    )
    cols["service"].append(ref_text(inc.get("service")))
    cols["team"].append(ref_text(teams[0]) if isinstance(teams, list) and teams else None)
    cols["resolve_reason"].append(reason.get("type") if isinstance(reason, dict) else reason)
    cols["merged_into"].append(ref_id(reason.get("incident")) if isinstance(reason, dict) else None)


def _collect(incidents: list[Any], logs: list[Any], *, file: str) -> tuple[pd.DataFrame, _Log]:
    """The incidents' fields, one row each, and their log entries (embedded or stand-alone)."""
    cols: dict[str, list[Any]] = {k: [] for k in _COLUMNS}
    log = _Log(file, cols["id"])
    for pos, inc in enumerate(incidents):
        if not isinstance(inc, dict):
            raise InputError(
                "an incident is not a JSON object",
                file=file,
                record=pos + 1,
                found=inc,
                expected="an incident object",
            )
        _incident_row(cols, inc)
        embedded = inc.get("log_entries")
        if isinstance(embedded, list):
            for j, entry in enumerate(embedded, start=1):
                log.add(inc.get("id"), entry, j, pos)
    for k, entry in enumerate(logs, start=1):
        ref = entry.get("incident") if isinstance(entry, dict) else None
        incident_id = ref_id(ref)
        if incident_id is None:
            raise InputError(
                "a log entry names no incident",
                file=file,
                record=f"log entry {k}",
                field="incident.id",
                found=entry if not isinstance(entry, dict) else ref,
                expected="{'incident': {'id': ...}} on every log entry",
            )
        log.add(incident_id, entry, k, -1)
    return pd.DataFrame(cols), log


def rest_incidents(
    incidents: list[Any],
    logs: list[Any],
    *,
    file: str,
    tz: str | None,
    dayfirst: bool | None,
    severity_map: Mapping[str, str] | None,
) -> pd.DataFrame:
    """The ``incidents`` frame of REST incident objects and their log entries."""
    raw, log = _collect(incidents, logs, file=file)
    name = namer("record", log.incident_ids)
    ids, id_note = ids_or_numbers(name_text(raw["id"].astype(object)), raw["incident_number"])

    def when(field: str, rows: pd.Series | None = None) -> pd.Series:
        values = raw[field] if rows is None else raw[field].where(rows)
        return parse_timestamps(values, tz=tz, dayfirst=dayfirst, file=file, field=field, records=name)

    created, updated, resolved_field = when("created_at"), when("updated_at"), when("resolved_at")
    entries = log.entries(tz=tz, dayfirst=dayfirst)
    first_ack = entries[entries["type"].isin(ACK_TYPES)].groupby("incident")["at"].min()
    last_resolve = entries[entries["type"].isin(RESOLVE_TYPES)].groupby("incident")["at"].max()
    counts = pd.Series(log.count, dtype="int64")

    acknowledged = lookup(first_ack, ids).astype(TIMESTAMP_DTYPE)
    resolved = lookup(last_resolve, ids).astype(TIMESTAMP_DTYPE)
    resolved = resolved.where(resolved.notna(), resolved_field)
    status = name_text(raw["status"].astype(object)).str.lower()
    resolved = resolved.mask(status.isin(OPEN_STATUSES))
    # Resolved without a resolution time: the change to resolved, else the last update, bounds it.
    resolved, note, unbounded = upper_bound(
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
    fields = {
        "incident_id": ids,
        "title": raw["title"].astype(object),
        "service": raw["service"].astype(object),
        "team": raw["team"].astype(object),
        "severity": priority.where(priority.notna(), urgency),
        "detection_channel": lookup(pd.Series(log.trigger_channel, dtype=object), ids),
        "detected_at": created,
        "acknowledged_at": acknowledged,
        "resolved_at": resolved,
    }
    extra = {
        "incident_number": whole_numbers(raw["incident_number"]),
        "status": status,
        "urgency": urgency,
        "merged_into": name_text(raw["merged_into"].astype(object)),
        "log_entry_count": lookup(counts, ids).fillna(0).astype("int64"),
        **({"note": join_notes(id_note, note)} if note.notna().any() or id_note.notna().any() else {}),
    }
    reading = Reading(SOURCE, file, severity_map=severity_map, default_severity_map=SEVERITY_MAP)
    return reading.incidents(
        fields, record_label="record", exclude_reason=exclude, version=updated, extra=extra
    )
