"""Generic CSV, JSON and JSON Lines exports, read with a column mapping.

``columns`` maps canonical names (``incident_id``, ``detected_at``, ...) to the export's own
column names; canonical names present in the export are used as they are. Nested JSON fields
are addressed with dots (``"report.ackTime"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..schema import INCIDENT_COLUMNS, MILESTONES, InputError
from ._build import NAME_KEYS, require_columns
from ._files import Sample, read_csv_frame
from ._json_docs import load_json_records, require_objects
from ._plumbing import Reading, check_names, shown_columns

SOURCE = "csv"
#: What this export is, and the fields that only it has (said when another reader gets it).
SIGNATURE = ("a generic export", "CSV or JSON columns in canonical names, or a columns= mapping")

#: Nested objects deeper than this stay whole (as a value) rather than becoming dotted columns.
_MAX_LEVEL = 16

_CANONICAL = (
    "incident_id",
    "title",
    "service",
    "team",
    "severity",
    *MILESTONES,
    "exclude_reason",
    "detection_channel",
)


def sniff(sample: Sample) -> str | None:
    """Recognise a CSV or JSON export already in canonical column names."""
    if sample.kind == "csv":
        cols = set(sample.csv_columns())
    else:
        doc = sample.json()
        first = doc[0] if isinstance(doc, list) and doc else doc
        cols = set(first) if isinstance(first, dict) else set()
    if "incident_id" in cols and cols & {"started_at", "detected_at"}:
        return "canonical column names (incident_id, started_at/detected_at)"
    return None


def read_frame(path: str | Path, *, fmt: str | None = None) -> tuple[pd.DataFrame, str]:
    """The export as a flat DataFrame, and how its records are named in messages."""
    path = Path(path)
    if fmt is None:
        name = path.name.lower().removesuffix(".gz")
        fmt = "jsonl" if name.endswith((".jsonl", ".ndjson")) else "json" if name.endswith(".json") else "csv"
    if fmt == "csv":
        return read_csv_frame(path), "row"
    records = load_json_records(path, keys=("incidents", "data", "results", "items", "records"))
    if not records:
        raise InputError("the export holds no records", file=str(path), expected="at least one incident")
    require_objects(records, file=str(path), expected="one object per incident")
    try:
        return pd.json_normalize(records, max_level=_MAX_LEVEL), "record"
    except RecursionError:
        raise InputError(
            "a record is nested too deeply", file=str(path), expected="incident records a few levels deep"
        ) from None


def read(
    path: str | Path,
    *,
    fmt: str | None = None,
    columns: Mapping[str, str] | None = None,
    tz: str | None = None,
    dayfirst: bool | None = None,
    epoch_unit: str | None = None,
    severity_map: Mapping[str, str] | None = None,
    source: str = SOURCE,
) -> pd.DataFrame:
    """Read a generic export into the canonical ``incidents`` frame.

    Parameters
    ----------
    path : path
        A ``.csv``, ``.json`` or ``.jsonl`` file (optionally ``.gz``).
    fmt : {"csv", "json", "jsonl"}, optional
        Format; read from the file name when omitted.
    columns : mapping, optional
        Canonical name -> export column name.
    tz, dayfirst, epoch_unit, severity_map
        See :func:`mttr_lab.read_export`.

    Returns
    -------
    DataFrame
        The canonical ``incidents`` frame; export columns not mapped follow the canonical ones.
    """
    frame, record_label = read_frame(path, fmt=fmt)
    reading = Reading(source, str(path), tz=tz, dayfirst=dayfirst, severity_map=severity_map)
    return mapped_incidents(frame, reading, columns=columns, record_label=record_label, epoch_unit=epoch_unit)


def mapped_incidents(
    frame: pd.DataFrame,
    reading: Reading,
    *,
    columns: Mapping[str, str] | None,
    record_label: str,
    epoch_unit: str | None = None,
) -> pd.DataFrame:
    """The canonical ``incidents`` frame from a flat table and a mapping (canonical -> its column).

    Shared by the generic file reader and :func:`mttr_lab.from_frame`: the same validation,
    findings and exclusions whichever way the table arrived. ``reading`` holds the source, the
    name of the table in messages (its ``file``), and the ``tz``, ``dayfirst`` and
    ``severity_map`` given.
    """
    file = reading.file
    mapping = dict(columns or {})
    check_names(mapping, _CANONICAL, file=file, what="canonical")
    require_columns(frame.columns, mapping, file=file, what="export")
    present = set(frame.columns)  # one hash set for the look-ups below, not an Index each time
    for name in _CANONICAL:
        if name not in mapping and name in present:
            mapping[name] = name
    for name in ("title", "service", "team", "severity", "detection_channel"):
        # A nested object flattened to dotted columns ("service.id", "service.name"): its name.
        named = next((f"{name}.{key}" for key in NAME_KEYS if f"{name}.{key}" in present), None)
        if name not in mapping and named is not None:
            mapping[name] = named
    if not ({"started_at", "detected_at"} & set(mapping)):
        shown = shown_columns(frame.columns)
        raise InputError(
            "no start time: neither started_at nor detected_at is mapped",
            file=file,
            expected=f"columns={{'detected_at': <one of: {shown}>}}",
        )
    if "incident_id" not in mapping:
        raise InputError(
            "no incident id column",
            file=file,
            expected="a column 'incident_id' or columns={'incident_id': <the export's id column>}",
        )
    # Each column once, by position (no look-up by name), where the names are unique.
    column = dict(frame.items()) if len(present) == frame.shape[1] else frame
    fields = {canonical: column[name] for canonical, name in mapping.items() if canonical != "exclude_reason"}
    used = set(mapping.values())
    # Export columns that are not mapped are kept; one named like a canonical column (say a
    # "source" column) is renamed rather than allowed to overwrite it.
    extra = {
        (f"export_{c}" if c in INCIDENT_COLUMNS else c): column[c]
        for c in frame.columns
        if c not in used and c not in _CANONICAL
    }
    return reading.incidents(
        fields,
        labels=mapping,
        epoch_unit=epoch_unit,
        record_label=record_label,
        exclude_reason=column[mapping["exclude_reason"]] if "exclude_reason" in mapping else None,
        extra=extra,
    )
