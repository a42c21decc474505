"""PagerDuty Analytics raw incidents (JSON or CSV) and the web UI's incidents CSV: the
``incidents`` frame of one flat record per incident.

See :mod:`mttr_lab.readers.pagerduty` for the rules; this module holds the flat shape only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..schema import INCIDENT_COLUMNS, TIMESTAMP_DTYPE, InputError
from ..timeparse import parse_timestamps
from ._arrow_text import missing_text, text_cells, text_series
from ._build import join_notes
from ._notes import joined_cells
from ._pagerduty_shared import (
    AGREE,
    AUTO_RESOLVED_REASON,
    NO_RESOLUTION_REASON,
    OPEN_STATUSES,
    SEVERITY_MAP,
    SOURCE,
    ids_or_numbers,
    namer,
    seconds,
    truthy,
    upper_bound,
)
from ._plumbing import Reading, name_text, shown_columns

__all__ = ["flat_incidents"]


def _pick(columns: Sequence[str], *names: str) -> str | None:
    return next((n for n in names if n in columns), None)


@dataclass(frozen=True)
class _Columns:
    """The export's names for the fields read (None where it has none)."""

    created: str
    ident: str
    resolved: str | None
    title: str | None
    service: str | None
    team: str | None
    priority: str | None

    @classmethod
    def of(cls, columns: Sequence[str], *, file: str) -> _Columns:
        created_col = _pick(columns, "created_at", "created_on")
        id_col = _pick(columns, "id", "incident_id", "incident_number")
        if created_col is None or id_col is None:
            missing = "created_at (or created_on)" if created_col is None else "id (or incident_number)"
            shown = shown_columns(columns)
            raise InputError(
                f"the PagerDuty export has no {missing} column",
                file=file,
                field=missing.split(" ")[0],
                found=shown,
                expected="a PagerDuty Analytics raw-incidents or incidents CSV export",
            )
        return cls(
            created=created_col,
            ident=id_col,
            resolved=_pick(columns, "resolved_at", "resolved_on"),
            title=_pick(columns, "description", "title", "summary"),
            service=_pick(columns, "service_name", "service"),
            team=_pick(columns, "team_name", "team", "teams"),
            priority=_pick(columns, "priority_name", "priority"),
        )


def _disagreement(measured: pd.Series, to_resolve: pd.Series, names: _Columns) -> pd.Series | None:
    """A note where ``resolved - created`` and ``seconds_to_resolve`` are more than a minute apart."""
    apart = (measured - to_resolve).abs() > AGREE
    if not apart.any():
        return None
    minutes = (measured.dt.total_seconds() / 60).round(1).astype("str")
    stated = (to_resolve.dt.total_seconds() / 60).round(1).astype("str")
    return (
        f"{names.resolved} − {names.created} is "
        + minutes
        + " min but seconds_to_resolve says "
        + stated
        + " min (more than a minute apart): "
        + str(names.resolved)
        + " used"
    ).where(apart.fillna(False).astype(bool))


def _milestones(
    frame: pd.DataFrame, names: _Columns, when: Callable[..., pd.Series], notes: list[pd.Series]
) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """Created, acknowledged, resolved, and the records without any resolution time;
    notes on doubtful durations are added to ``notes``."""
    columns = list(frame.columns)

    def span(col: str) -> pd.Series:
        if col not in columns:
            return pd.Series(pd.NaT, index=frame.index, dtype="timedelta64[us]")
        values, note = seconds(frame[col], field=col)
        notes.append(note)
        return values

    created = when(names.created)
    acknowledged = created + span("seconds_to_first_ack")
    resolved = when(names.resolved)
    to_resolve = span("seconds_to_resolve")
    # Two measures of one duration: the recorded resolution wins; a disagreement is reported.
    apart = _disagreement(resolved - created, to_resolve, names)
    if apart is not None:
        notes.append(apart)
    resolved = resolved.where(resolved.notna(), created + to_resolve)
    status = name_text(frame["status"]).str.lower() if "status" in columns else None
    if status is not None:
        resolved = resolved.mask(status.isin(OPEN_STATUSES))
    # Resolved without a resolution time: the record's last update bounds it.
    updated = "updated_at" if "updated_at" in columns else None
    resolved, note, unbounded = upper_bound(
        resolved, status, [(updated, lambda rows: when(updated, rows))] if updated else []
    )
    notes.insert(0, note)
    return created, acknowledged, resolved, unbounded


def _identifiers(frame: pd.DataFrame, names: _Columns, notes: list[pd.Series]) -> pd.Series:
    """The ids, a missing one filled from ``incident_number`` (with a note); whole floats as integers."""
    ident = frame[names.ident]
    if names.ident != "incident_number" and "incident_number" in frame.columns:
        filled, id_note = ids_or_numbers(name_text(ident.astype(object)), frame["incident_number"])
        if id_note.notna().any():
            ident = filled
            notes.append(id_note)
    return ident


def flat_incidents(
    frame: pd.DataFrame,
    *,
    file: str,
    record_label: str,
    tz: str | None,
    dayfirst: bool | None,
    severity_map: Mapping[str, str] | None,
    exclude_auto_resolved: bool,
) -> pd.DataFrame:
    """The ``incidents`` frame of Analytics records or web CSV rows (one per incident)."""
    columns = list(frame.columns)
    names = _Columns.of(columns, file=file)
    n = len(frame)
    frame = frame.reset_index(drop=True)
    name = namer(record_label, frame[names.ident].tolist())
    none = pd.Series([None] * n, dtype=object)

    def when(col: str | None, rows: pd.Series | None = None) -> pd.Series:
        if col is None:
            return pd.Series(pd.NaT, index=frame.index, dtype=TIMESTAMP_DTYPE)
        values = frame[col] if rows is None else frame[col].where(rows)
        return parse_timestamps(values, tz=tz, dayfirst=dayfirst, file=file, field=col, records=name)

    notes: list[pd.Series] = []
    created, acknowledged, resolved, unbounded = _milestones(frame, names, when, notes)
    priority = name_text(frame[names.priority]) if names.priority else none
    urgency = name_text(frame["urgency"]) if "urgency" in columns else none
    exclude = missing_text(frame.index)
    if exclude_auto_resolved and "auto_resolved" in columns:
        auto = truthy(frame["auto_resolved"])
        if auto.any():
            exclude = exclude.mask(auto, AUTO_RESOLVED_REASON)
    if unbounded.any():
        exclude = exclude.mask(unbounded & exclude.isna(), NO_RESOLUTION_REASON)
    used = {c for c in vars(names).values() if c}
    extra = {c: frame[c] for c in columns if c not in used and c not in INCIDENT_COLUMNS}
    ident = _identifiers(frame, names, notes)
    cells = text_cells(notes[0])
    for remark in notes[1:]:
        cells = joined_cells(cells, text_cells(remark))
    note = text_series(cells, frame.index)
    if np.not_equal(cells, None).any():
        if "note" in extra:  # the export's own note column, then the reader's
            own = name_text(extra["note"].astype(object))
            note = join_notes(own, note)
        extra["note"] = note
    if pd.api.types.is_float_dtype(ident):
        known = ident.dropna()
        if ((known % 1 == 0) & (known.abs() < 2**53)).all():
            ident = ident.astype("Int64")
    fields = {
        "incident_id": ident,
        "title": frame[names.title] if names.title else none,
        "service": frame[names.service] if names.service else none,
        "team": frame[names.team] if names.team else none,
        "severity": priority.where(priority.notna(), urgency),
        "detected_at": created,
        "acknowledged_at": acknowledged.astype(TIMESTAMP_DTYPE),
        "resolved_at": resolved.astype(TIMESTAMP_DTYPE),
    }
    reading = Reading(SOURCE, file, severity_map=severity_map, default_severity_map=SEVERITY_MAP)
    return reading.incidents(
        fields,
        record_label=record_label,
        exclude_reason=exclude,
        version=when("updated_at") if "updated_at" in columns else None,
        extra=extra,
    )
