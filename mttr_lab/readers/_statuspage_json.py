"""Statuspage JSON, read with :mod:`json`: the accepted layouts (page envelopes, bare lists,
JSON Lines of incidents or of envelopes), what envelopes say beside their records, and the
per-incident and per-update tables every layout gives.

See :mod:`mttr_lab.readers.statuspage` for the layouts and the rules.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..schema import InputError
from ._files import read_text
from ._json_docs import json_error, json_lines, loads, require_objects
from ._plumbing import NameList, UpdateList, collect_updates, listed_names

__all__ = [
    "COLUMNS",
    "ENVELOPE_LISTS",
    "SCALARS",
    "SEVERITY_MAP",
    "UPDATE_TIME_FIELDS",
    "Envelopes",
    "load_records",
    "looks_like_incident",
    "tables_from_records",
]

#: Statuspage ``impact`` -> normalised severity (``maintenance`` is not an incident: no severity).
SEVERITY_MAP: dict[str, str | None] = {
    "critical": "critical",
    "major": "high",
    "minor": "medium",
    "none": "low",
    "maintenance": None,
}

UPDATE_TIME_FIELDS = {
    "display_at": ("display_at", "created_at", "at"),
    "created_at": ("created_at", "display_at", "at"),
}
ENVELOPE_LISTS = ("incidents", "scheduled_maintenances")
#: Keys beside ``page`` that archivers use for the moment a snapshot was taken.
_POLL_KEYS = ("fetched_at", "polled_at", "retrieved_at", "captured_at", "snapshot_at")
#: Incident times read as they are (strings).
_TIMES = ("created_at", "started_at", "monitoring_at", "resolved_at", "updated_at", "scheduled_for")
#: Incident fields read as they are (strings); ``title`` and ``status`` are derived.
SCALARS = ("id", "name", "title", "status", "impact", *_TIMES, "shortlink", "url")
#: The intermediate per-incident columns both loaders produce.
COLUMNS = (
    "id",
    "title",
    "status",
    "impact",
    *_TIMES,
    "url",
    "service",
    "components",
    "impact_start",
    "impact_end",
)
_IMPACTS = frozenset(SEVERITY_MAP)
_COMPONENTS = NameList("components", "name", "a list of component objects or names")


def looks_like_incident(record: Any) -> str | None:
    if not isinstance(record, dict):
        return None
    if isinstance(record.get("incident_updates"), list):
        return "Statuspage incidents (incident_updates)"
    impact = record.get("impact")
    if not isinstance(impact, str) or impact.strip().lower() not in _IMPACTS:
        return None
    if "shortlink" in record:
        return "Statuspage incidents (impact, shortlink)"
    if isinstance(record.get("status_sequence"), list) or isinstance(record.get("updates"), list):
        return "status-page archive (impact, updates)"
    return None


class Envelopes:
    """What page envelopes say beside their records: time zones, snapshot times, maintenances."""

    def __init__(self) -> None:
        self.zones: list[str] = []
        self.polls: list[Any] = []
        self.maintenance: set[int] = set()  # id() of the records listed as maintenances


def _page_records(doc: dict, *, seen: Envelopes) -> list[Any] | None:
    """The records of a page envelope: incidents, then scheduled maintenances (None when ``doc``
    is not an envelope). ``summary.json`` holds both lists."""
    if not isinstance(doc.get("page"), dict):
        return None
    lists = [key for key in ENVELOPE_LISTS if isinstance(doc.get(key), list)]
    if lists:
        records = [r for key in lists for r in doc[key]]
        if "scheduled_maintenances" in lists:
            seen.maintenance.update(id(r) for r in doc["scheduled_maintenances"])
    elif isinstance(doc.get("incident"), dict):
        records = [doc["incident"]]
    else:
        return None
    zone = doc["page"].get("time_zone")
    if isinstance(zone, str) and zone.strip():
        seen.zones.append(zone.strip())
    taken = next((doc[k] for k in _POLL_KEYS if isinstance(doc.get(k), (str, int, float))), None)
    if taken is None:
        taken = doc["page"].get("updated_at")
    if isinstance(taken, (str, int, float)):
        seen.polls.append(taken)
    return records


def load_records(path: Path) -> tuple[list[Any], Envelopes]:
    """Incident records of any accepted layout, and what their page envelopes said."""
    file = str(path)
    text = read_text(path)
    stripped = text.lstrip()
    if not stripped:
        raise InputError("the file is empty", file=file, expected="Statuspage incidents.json or JSON Lines")
    seen = Envelopes()
    try:
        doc = loads(text, file=file)
    except json.JSONDecodeError as exc:
        if not json_lines(text, exc):
            raise json_error(exc, text, file=file) from None
        return _load_lines(text, file=file, seen=seen), seen
    if isinstance(doc, dict):
        records = _page_records(doc, seen=seen)
        if records is None:
            if not (looks_like_incident(doc) or "incident_updates" in doc or "updates" in doc):
                raise InputError(
                    "the document holds no Statuspage incidents",
                    file=file,
                    found=sorted(doc)[:10],
                    expected='{"page": {...}, "incidents": [...]}, a list of incidents, or JSON Lines',
                )
            records = [doc]
        return records, seen
    if isinstance(doc, list):
        if doc and all(isinstance(d, dict) and isinstance(d.get("page"), dict) for d in doc):
            out: list[Any] = []
            for page in doc:
                out.extend(_page_records(page, seen=seen) or [])
            return out, seen
        return doc, seen
    raise InputError("the document is not a JSON array or object", file=file, found=type(doc).__name__)


def _load_lines(text: str, *, file: str, seen: Envelopes) -> list[Any]:
    out: list[Any] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        doc = loads(line, file=file, record=f"line {number}", expected="one JSON object per line")
        page = _page_records(doc, seen=seen) if isinstance(doc, dict) else None
        if page is None:
            out.append(doc)
        else:
            out.extend(page)
    return out


_UPDATES = UpdateList(
    "the updates are not a list", "an object with status and created_at", ("display_at", "created_at", "at")
)


def _add_updates(
    upd: dict[str, list], rec: dict, pos: int, *, where: str, file: str, time_keys: tuple[str, ...]
) -> None:
    """Add the record's updates (``incident_updates``, else ``updates``) to the update columns."""
    field = "incident_updates"
    updates = rec.get(field)
    if updates is None:
        field = "updates"
        updates = rec.get(field)
    spec = _UPDATES._replace(time_keys=time_keys)
    collect_updates(upd, updates, pos, spec, field=field, where=where, file=file)


def tables_from_records(
    records: list[Any], *, file: str, update_time: str, maintenance: set[int] = frozenset()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The per-incident and per-update tables of parsed JSON records (any layout).

    ``maintenance`` holds the ``id()`` of records an envelope lists as scheduled maintenances.
    """
    cols: dict[str, list] = {k: [] for k in (*COLUMNS, "listed_maintenance")}
    upd: dict[str, list] = {k: [] for k in ("pos", "no", "status", "time")}
    time_keys = UPDATE_TIME_FIELDS[update_time]
    require_objects(records, file=file, expected="one object per incident")
    for pos, rec in enumerate(records):
        get = rec.get
        where = f"record {pos + 1} (id {get('id')})"
        _add_updates(upd, rec, pos, where=where, file=file, time_keys=time_keys)
        name = get("name")
        status = get("status")
        sequence = get("status_sequence")
        if status is None and isinstance(sequence, list) and sequence:
            status = sequence[-1]
        window = get("impact_window")
        window = window if isinstance(window, dict) else {}
        names = listed_names(get("components"), _COMPONENTS, file=file, record=where)
        cols["id"].append(get("id"))
        cols["title"].append(name if name is not None else get("title"))
        cols["status"].append(status)
        for key in ("impact", "created_at", "started_at", "monitoring_at", "resolved_at", "updated_at"):
            cols[key].append(get(key))
        cols["scheduled_for"].append(get("scheduled_for"))
        link = get("shortlink")
        cols["url"].append(link if link is not None else get("url"))
        cols["service"].append(names[0] if names else None)
        cols["components"].append(", ".join(names) if names else None)
        cols["impact_start"].append(window.get("start_at"))
        cols["impact_end"].append(window.get("end_at"))
        cols["listed_maintenance"].append(id(rec) in maintenance)
    listed = np.asarray(cols.pop("listed_maintenance"), dtype=bool)
    incidents = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in cols.items()})
    incidents["listed_maintenance"] = listed
    updates = pd.DataFrame(
        {
            "pos": np.asarray(upd["pos"], dtype=np.int64),
            "no": np.asarray(upd["no"], dtype=np.int64),
            "status": pd.Series(upd["status"], dtype=object),
            "time": pd.Series(upd["time"], dtype=object),
        }
    )
    return incidents, updates
