"""incident.io API v2 incident records, flattened: fields, custom fields (service, team),
timestamp values and duration metrics, one row each.

See :mod:`mttr_lab.readers.incidentio` for the rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ._build import list_field
from ._json_docs import require_objects

__all__ = ["ROW_COLUMNS", "SERVICE_FIELDS", "TEAM_FIELDS", "flatten", "names_or", "norm", "slug_of"]

SERVICE_FIELDS = (
    "affected services",
    "affected service",
    "services",
    "service",
    "affected systems",
    "affected system",
)
TEAM_FIELDS = ("team", "teams", "affected team", "affected teams", "owning team", "responsible team")

ROW_COLUMNS = [
    "incident_id",
    "title",
    "severity",
    "service",
    "team",
    "created_at",
    "updated_at",
    "incident_io_id",
    "status",
    "status_category",
    "mode",
    "incident_type",
    "permalink",
]


def norm(name: Any) -> str:
    """A timestamp or custom-field name for comparison: lower case, single spaces, no trailing "at"."""
    text = " ".join(str(name).strip().lower().replace("_", " ").split())
    return text[:-3].rstrip() if text.endswith(" at") else text


def slug_of(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(name).lower()).strip("_") or "unnamed"


def _custom_values(entry: dict) -> list[str]:
    out: list[str] = []
    values = entry.get("values")
    for value in values if isinstance(values, list) else []:
        if not isinstance(value, dict):
            continue
        option = value.get("value_option")
        catalog = value.get("value_catalog_entry")
        if isinstance(option, dict) and option.get("value"):
            out.append(str(option["value"]))
        elif isinstance(catalog, dict) and catalog.get("name"):
            out.append(str(catalog["name"]))
        else:
            for key in ("value_text", "value_numeric", "value_link"):
                if value.get(key) not in (None, ""):
                    out.append(str(value[key]))
                    break
    return out


def _custom_field(entries: Any, wanted: Sequence[str]) -> str | None:
    if not isinstance(entries, list):
        return None
    found: dict[str, list[str]] = {}
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("custom_field"), dict):
            continue
        name = norm(entry["custom_field"].get("name", ""))
        if name in wanted:
            found.setdefault(name, []).extend(_custom_values(entry))
    for name in wanted:  # the first wanted name that has values
        if found.get(name):
            return ", ".join(found[name])
    return None


def names_or(value: str | Iterable[str] | None, default: Sequence[str]) -> tuple[str, ...]:
    if value is None:
        return tuple(default)
    if isinstance(value, str):
        value = [value]
    return tuple(norm(v) for v in value)


def flatten(
    records: list, *, file: str, service_names: Sequence[str], team_names: Sequence[str]
) -> tuple[list[dict], list[dict], list[dict], dict[str, str], dict[str, str], dict[str, Any]]:
    """Per-record fields, timestamps (normalised name -> value) and duration metrics (seconds)."""
    rows: list[dict] = []
    stamps: list[dict] = []
    durations: list[dict] = []
    stamp_labels: dict[str, str] = {}
    duration_labels: dict[str, str] = {}
    ranks: dict[str, Any] = {}
    require_objects(records, file=file, expected="one incident object per record (incident.io API v2)")
    for number, record in enumerate(records, start=1):
        status = record.get("incident_status") if isinstance(record.get("incident_status"), dict) else {}
        severity = record.get("severity") if isinstance(record.get("severity"), dict) else {}
        kind = record.get("incident_type") if isinstance(record.get("incident_type"), dict) else {}
        if severity.get("name") is not None and "rank" in severity:
            ranks[str(severity["name"])] = severity.get("rank")
        rows.append(
            {
                "incident_id": record.get("reference") or record.get("id"),
                "title": record.get("name"),
                "severity": severity.get("name") if severity else record.get("severity"),
                "service": _custom_field(record.get("custom_field_entries"), service_names),
                "team": _custom_field(record.get("custom_field_entries"), team_names),
                "created_at": record.get("created_at"),
                "updated_at": record.get("updated_at"),
                "incident_io_id": record.get("id"),
                "status": status.get("name"),
                "status_category": status.get("category"),
                "mode": record.get("mode"),
                "incident_type": kind.get("name"),
                "permalink": record.get("permalink"),
            }
        )
        stamp: dict[str, Any] = {}
        where = f"record {number}"
        for raw_name, item in _named_items(
            record, "incident_timestamp_values", "incident_timestamp", file=file, where=where, what="value"
        ):
            value = item.get("value")
            if isinstance(value, dict):
                value = value.get("value")
            name = norm(raw_name)
            stamp_labels.setdefault(name, str(raw_name))
            if value not in (None, "") and stamp.get(name) is None:
                stamp[name] = value
        stamps.append(stamp)
        metric: dict[str, Any] = {}
        for raw_name, item in _named_items(
            record, "duration_metrics", "duration_metric", file=file, where=where, what="value_seconds"
        ):
            slug = slug_of(raw_name)
            duration_labels.setdefault(slug, str(raw_name))
            metric[slug] = item.get("value_seconds")
        durations.append(metric)
    return rows, stamps, durations, stamp_labels, duration_labels, ranks


def _named_items(
    record: dict, field: str, kind: str, *, file: str, where: str, what: str
) -> Iterator[tuple[Any, dict]]:
    """The items of a list of ``{kind: {name}, what: ...}`` objects, with their names.

    Items that are not objects, or whose ``kind`` is not an object with a name, are skipped.
    """
    for item in list_field(
        record.get(field),
        file=file,
        record=where,
        field=field,
        expected=f"a list of {{{kind}, {what}}} objects",
    ):
        if isinstance(item, dict) and isinstance(item.get(kind), dict) and item[kind].get("name") is not None:
            yield item[kind]["name"], item
