"""What both ServiceNow export shapes (table export, incident event log) share: the field
names and their UI labels, loading CSV or Table API JSON, the date order, and the canonical
fields of a row.

See :mod:`mttr_lab.readers.servicenow` for the shapes and the rules.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..cells import factorized, short_cells
from ..schema import INCIDENT_COLUMNS, InputError
from ._event_order import parse_event_times
from ._files import read_csv_frame
from ._json_docs import load_json_records, require_objects
from ._plumbing import Reading, cell_text

__all__ = [
    "ACK_STATES",
    "CANCELED_STATES",
    "CLOSED_STATES",
    "DATES",
    "EVENT_LOG_SHARE",
    "RESOLVED_STATES",
    "SEVERITY_MAP",
    "SOURCE",
    "Export",
    "columns_of",
    "date_order",
    "extras",
    "fields_of",
    "is_in",
    "labels_of",
    "load",
    "times",
]

SOURCE = "servicenow"

#: ServiceNow field -> the header names that stand for it (lower-cased field names, UI labels).
ALIASES: dict[str, tuple[str, ...]] = {
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
DATES = ("opened_at", "resolved_at", "closed_at", "work_start", "sys_updated_on")

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
EVENT_LOG_SHARE = 0.5
#: States that mark the first human pick-up in an event log.
ACK_STATES: tuple[str, ...] = ("Active", "In Progress", "2")
RESOLVED_STATES = ("resolved", "6")
CLOSED_STATES = ("closed", "7")
CANCELED_STATES = ("canceled", "cancelled", "8")
SLASH_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})\b")


def columns_of(names: Sequence[str]) -> dict[str, str]:
    """ServiceNow field -> the export's column, for the fields present."""
    lowered: dict[str, str] = {}
    for name in names:
        lowered.setdefault(str(name).strip().lstrip("\ufeff").lower(), name)
    out = {}
    for field, aliases in ALIASES.items():
        hit = next((lowered[a] for a in aliases if a in lowered), None)
        if hit is not None:
            out[field] = hit
    return out


def _cell(value: Any, *, date: bool) -> Any:
    if isinstance(value, dict):
        if date and "value" in value:
            return value["value"]
        return value.get("display_value", value.get("value"))
    return value


def load(path: Path, *, file: str) -> tuple[pd.DataFrame, set[str]]:
    """The export as a frame of cells, and the columns holding the API's UTC values."""
    name = path.name.lower().removesuffix(".gz")
    if not name.endswith((".json", ".jsonl", ".ndjson")):
        return read_csv_frame(path), set()
    records = load_json_records(path, keys=("result", "records"))
    require_objects(records, file=file, expected="one object per incident (the Table API's result list)")
    keys: dict[str, None] = {}
    for record in records:
        keys.update(dict.fromkeys(record))
    fields = columns_of(list(keys))
    dates = {fields[f] for f in DATES if f in fields}
    utc = {k for k in dates if any(isinstance(r.get(k), dict) and "value" in r[k] for r in records)}
    data = {k: [_cell(r.get(k), date=k in dates) for r in records] for k in keys}
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(records)))
    for column in frame.columns:
        if frame[column].map(lambda v: isinstance(v, (dict, list))).any():
            frame[column] = frame[column].map(lambda v: None if v is None else str(v))
    return frame, utc


def _over_twelve(match: re.Match | None, group: int) -> bool:
    """Whether a date's ``group`` is a number above 12 (as ``pd.to_numeric`` reads it: digits
    other than ASCII are no number)."""
    return match is not None and match[group].isascii() and int(match[group]) > 12


def date_order(
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
        cells = short_cells(values)
        coded = None if cells is None else factorized(cells)
        if coded is not None:  # a short column of text: its distinct values, in Python
            for order, group in ((True, 1), (False, 2)):
                over = next((v for v in coded[1] if _over_twelve(SLASH_DATE.search(v), group)), None)
                if order not in witness and over is not None:
                    witness[order] = (column, over)
            continue
        distinct = pd.Series(values.dropna().unique(), dtype="str")
        parts = distinct.str.extract(SLASH_DATE)
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


def times(
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


def is_in(values: pd.Series, choices: Sequence[str]) -> pd.Series:
    return values.str.lower().isin([c.lower() for c in choices]).fillna(False).astype(bool)


def service_of(rows: pd.DataFrame, cols: Mapping[str, str]) -> pd.Series | None:
    service = cell_text(rows[cols["business_service"]]) if "business_service" in cols else None
    ci = cell_text(rows[cols["cmdb_ci"]]) if "cmdb_ci" in cols else None
    if service is None:
        return ci
    return service if ci is None else service.where(service.notna(), ci)


def fields_of(rows: pd.DataFrame, cols: Mapping[str, str]) -> dict[str, Any]:
    fields: dict[str, Any] = {"incident_id": cell_text(rows[cols["number"]])}
    for canonical, field in (
        ("title", "short_description"),
        ("team", "assignment_group"),
        ("severity", "priority"),
        ("detection_channel", "contact_type"),
    ):
        if field in cols:
            fields[canonical] = cell_text(rows[cols[field]])
    service = service_of(rows, cols)
    if service is not None:
        fields["service"] = service
    return fields


def extras(rows: pd.DataFrame, cols: Mapping[str, str], extra: dict[str, Any]) -> dict[str, Any]:
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


def labels_of(cols: Mapping[str, str]) -> dict[str, str]:
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


@dataclass(frozen=True)
class Export:
    """A ServiceNow export as loaded: its cells, its columns by field, and how to read its times."""

    frame: pd.DataFrame
    cols: Mapping[str, str]
    state: str | None
    file: str
    utc: set[str]
    tz: str | None
    dayfirst: bool | None
    severity_map: Mapping[str, str] | None

    def times(
        self, rows: pd.DataFrame, column: str | None, *, numbers: np.ndarray, label: str
    ) -> pd.Series | None:
        """``column`` of ``rows`` parsed (None when the export has no such column)."""
        return times(
            rows,
            column,
            utc=self.utc,
            tz=self.tz,
            dayfirst=self.dayfirst,
            file=self.file,
            rows=numbers,
            label=label,
        )

    def reading(self) -> Reading:
        """What ``read()`` was given, for the end of either shape's reader."""
        return Reading(
            SOURCE,
            self.file,
            tz=self.tz,
            dayfirst=self.dayfirst,
            severity_map=self.severity_map,
            default_severity_map=SEVERITY_MAP,
        )
