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
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..schema import InputError
from ._files import Sample, read_csv_frame, read_text, sample_of
from ._json_docs import json_error, json_lines, loads, require_objects
from ._pagerduty_flat import flat_incidents
from ._pagerduty_rest import rest_incidents
from ._pagerduty_shared import AUTO_RESOLVED_REASON, MERGED_REASON, NO_RESOLUTION_REASON, SEVERITY_MAP, SOURCE

__all__ = [
    "AUTO_RESOLVED_REASON",
    "MERGED_REASON",
    "NO_RESOLUTION_REASON",
    "SEVERITY_MAP",
    "SOURCE",
    "read",
    "sniff",
]

#: What this export is, and the fields that only it has (said when another reader gets it).
SIGNATURE = (
    "a PagerDuty export",
    "REST incidents (incident_number, created_at), analytics raw incidents or the web CSV",
)

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

    def flat_of(frame: pd.DataFrame, record_label: str) -> pd.DataFrame:
        return flat_incidents(
            frame,
            file=file,
            record_label=record_label,
            tz=tz,
            dayfirst=dayfirst,
            severity_map=severity_map,
            exclude_auto_resolved=exclude_auto_resolved,
        )

    if sample_of(path).kind == "csv":
        if log_entries is not None:
            raise InputError(
                "log_entries= applies to REST incidents (JSON), not to a CSV export",
                file=file,
                field="log_entries",
            )
        return flat_of(read_csv_frame(path), "row")
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
        return flat_of(_records_frame(flat, file=file), "record")
    if not rest and logs:
        raise InputError(
            "the file holds log entries but no incidents",
            file=file,
            expected="the incidents export, with this file given as log_entries=",
        )
    return rest_incidents(rest, logs, file=file, tz=tz, dayfirst=dayfirst, severity_map=severity_map)
