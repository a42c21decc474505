"""``read_timeline``: the events inside an export, one row per event, and their findings.

The ``timeline`` frame is what the response-process analyses (:mod:`mttr_lab.response`) read:
who was notified, who acknowledged, which group held the incident and at which level. The
vendor field names live in :mod:`mttr_lab.readers.timelines`; this module orders and checks.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .frames import TIMELINE_KEYS
from .io import detect_source
from .readers._event_order import order_events
from .readers._files import sample_of
from .readers.timelines import (
    KINDS,
    TIMELINE_SOURCES,
    NoTimelineError,
    eventlog_reopens,
    pagerduty_levels,
    read_events,
    servicenow_kinds,
)
from .schema import TIMESTAMP_DTYPE, InputError

__all__ = ["KINDS", "KIND_DTYPE", "TIMELINE_COLUMNS", "NoTimelineError", "check_timeline", "read_timeline"]

log = logging.getLogger("mttr_lab")

#: The columns of a ``timeline`` frame, in order.
TIMELINE_COLUMNS: tuple[str, ...] = (
    "incident_id",
    "at",
    "kind",
    "group",
    "level",
    "actor",
    "detail",
    "record",
)

#: Event kinds as an (unordered) categorical.
KIND_DTYPE = pd.CategoricalDtype(list(KINDS))


def _source_of(path: Path, source: str, *, columns: bool = False) -> str:
    if source != "auto":
        if source not in TIMELINE_SOURCES:
            raise InputError(
                f"source={source!r} has no timeline reader",
                file=str(path),
                expected="'auto' or one of " + ", ".join(TIMELINE_SOURCES),
            )
        return source
    sample = sample_of(path)
    if columns:  # a mapping: the generic reader of the format, as read_export does
        log.info("read_timeline: %s read as source=%r (columns= given)", path, sample.kind)
        return sample.kind
    if TIMELINE_KEYS <= set(sample.csv_columns() if sample.kind == "csv" else _json_keys(sample)):
        return sample.kind  # a generic event log in the timeline's own column names
    found, reason = detect_source(path)
    if found == "csv":
        found = sample_of(path).kind
    log.info("read_timeline: %s read as source=%r (%s)", path, found, reason)
    return found


def _json_keys(sample: Any) -> list[str]:
    doc = sample.json()
    first = doc[0] if isinstance(doc, list) and doc else doc
    return [str(k) for k in first] if isinstance(first, dict) else []


def _missing(values: pd.Series, events: Any, *, file: str, what: str, field: str, expected: str) -> None:
    gaps = values.isna().to_numpy()
    if gaps.any():
        pos = int(np.flatnonzero(gaps)[0])
        raise InputError(
            what,
            file=file,
            record=f"{events.label} {events.record[pos]}".strip(),
            field=field,
            expected=expected,
        )


def _read_one(path: Path, source: str, options: dict[str, Any]) -> pd.DataFrame:
    if not path.exists():
        raise InputError("no such file", file=str(path), expected="a path to an export file or folder")
    if not path.is_file():
        raise InputError("not a regular file", file=str(path), expected="a path to an export file")
    file = str(path)
    source = _source_of(path, source, columns=bool(options.get("columns")))
    events = read_events(path, source, **options)
    for values, what, field, expected in (
        (
            events.incident_id,
            "an event names no incident",
            events.case_field,
            "an incident id on every event",
        ),
        (events.at, "an event has no time", events.time_field, "a timestamp on every event"),
    ):
        _missing(values, events, file=file, what=what, field=field, expected=expected)
    order, codes, _ids = order_events(
        events.incident_id,
        events.at,
        *events.tiebreak,
        file=file,
        case_field=events.case_field,
        time_field=events.time_field,
    )

    def sorted_(values: pd.Series) -> pd.Series:
        return values.take(order).reset_index(drop=True)

    frame = pd.DataFrame(
        {
            "incident_id": sorted_(events.incident_id),
            "at": sorted_(events.at),
            "kind": sorted_(events.kind),
            "group": sorted_(events.group),
            "level": sorted_(events.level),
            "actor": sorted_(events.actor),
            "detail": sorted_(events.detail),
            "record": events.record[order],
        }
    )
    if source == "servicenow":
        frame["kind"] = servicenow_kinds(codes, frame)
    elif source == "pagerduty":
        frame["level"] = pagerduty_levels(codes, frame["kind"], frame["level"])
    elif source == "eventlog":
        frame["kind"] = eventlog_reopens(codes, frame["kind"])
    if events.note is not None:
        note = events.note.take(order).reset_index(drop=True)
        if note.notna().any():
            frame["note"] = note.astype("str")
    return _typed(frame)


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for name in ("incident_id", "group", "actor", "detail"):
        out[name] = out[name].astype("str")
    out["at"] = out["at"].astype(TIMESTAMP_DTYPE)
    out["kind"] = out["kind"].astype(KIND_DTYPE)
    out["level"] = out["level"].astype("Int64")
    out["record"] = out["record"].astype("int64")
    return out.reset_index(drop=True)


def read_timeline(
    path: str | Path | Sequence[str | Path],
    *,
    source: str = "auto",
    columns: Mapping[str, str] | None = None,
    tz: str | None = None,
    dayfirst: bool | None = None,
    severity_map: Mapping[str, str] | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Read the event timeline inside an export: one row per event.

    Parameters
    ----------
    path : path, folder, or list of paths
        An export with a timeline: PagerDuty incidents with log entries (or a ``GET
        /log_entries`` dump), a ServiceNow incident event log, an event log such as the Volvo IT
        log, Statuspage incidents with ``incident_updates``, FireHydrant incidents (milestones
        and any ``timeline`` list), incident.io incident updates, or a generic event log.
    source : str
        ``"auto"`` (recognised as :func:`mttr_lab.read_export` does), a vendor name,
        ``"eventlog"``, or ``"csv"``/``"json"``/``"jsonl"`` for a generic event log.
    columns : mapping, optional
        Generic event logs: ``incident_id``, ``at``, ``kind``, ``group``, ``level``, ``actor``,
        ``detail`` -> the export's column names (canonical names present are used as they are).
    tz, dayfirst
        As for :func:`mttr_lab.read_export`; ``tz`` is needed for times without an offset.
    severity_map
        Accepted so that the options of :func:`mttr_lab.read_export` can be passed on; a timeline
        has no severity.
    **options
        Source options: for event logs ``case=``, ``time=``, ``status=``, ``milestones=`` (as for
        ``read_export``), ``kinds=`` (status value -> kind), ``group=``/``team=``, ``level=``,
        ``actor=``, ``detail=``; for generic logs ``kinds=``; for PagerDuty ``log_entries=``; for
        ServiceNow ``shape=`` and ``level=``.

    Returns
    -------
    DataFrame
        One row per event, ordered by incident (in order of first appearance), then time, then
        file order: ``incident_id``, ``at`` (UTC), ``kind`` (``trigger``, ``notify``,
        ``escalate``, ``assign``, ``acknowledge``, ``status``, ``note``, ``resolve``,
        ``reopen``), ``group``, ``level`` (``Int64``), ``actor``, ``detail``, ``record`` (the
        event's 1-based position in the export), then ``note`` where a value was not used (a
        level that names two levels, a vendor entry type without a canonical kind) and ``file``
        when several files were read.

    Raises
    ------
    InputError
        Naming the file, record and field of an event without an incident id or time, a time
        that cannot be read, a level that is not a number, or an export without a timeline.
    """
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise InputError("dayfirst= must be True, False or None", found=dayfirst, expected="a bool")
    opts: dict[str, Any] = {**options, "tz": tz, "dayfirst": dayfirst}
    opts = {k: v for k, v in opts.items() if v is not None}
    if columns is not None:
        opts["columns"] = columns
    if isinstance(path, (str, Path)) and Path(path).is_dir():
        paths = sorted(p for p in Path(path).iterdir() if p.is_file() and not p.name.startswith("."))
        if not paths:
            raise InputError("the folder holds no files", file=str(path))
    elif isinstance(path, (str, Path)):
        return _read_one(Path(path), source, opts)
    else:
        paths = [Path(p) for p in path]
        if not paths:
            raise InputError("no files given", expected="at least one export file")
    frames = [_read_one(p, source, dict(opts)).assign(file=p.name) for p in paths]
    return pd.concat(frames, ignore_index=True)


def check_timeline(timeline: pd.DataFrame) -> pd.DataFrame:
    """What in a timeline cannot be used as it is, one finding per event or incident.

    Returns
    -------
    DataFrame
        ``incident_id``, ``record``, ``column``, ``problem``, ``action``, ``level`` (as
        :func:`mttr_lab.check_incidents`): events with a note (a value kept unknown), incidents
        without any acknowledgement, and incidents whose events carry no group. Where no event
        of the whole timeline names a group (or records a level), one row without an incident
        says so instead: handovers (or escalations) are then unknown, not 0.
    """
    _require_timeline(timeline)
    rows: list[tuple[Any, int, str, str, str, str]] = []
    if "note" in timeline.columns:
        noted = timeline[timeline["note"].notna()]
        for incident_id, record, note in zip(
            noted["incident_id"], noted["record"], noted["note"], strict=True
        ):
            column = "level" if note.startswith("level") else "kind"
            rows.append(
                (
                    incident_id,
                    int(record),
                    column,
                    note,
                    "the event is kept; the value is not used",
                    "warning",
                )
            )
    by = timeline.groupby("incident_id", sort=False, observed=True)
    acked = by["kind"].agg(lambda k: bool((k == "acknowledge").any()))
    grouped = by["group"].agg(lambda g: bool(g.notna().any()))
    first = by["record"].first()
    unacked = [
        (
            incident_id,
            "kind",
            "no acknowledgement in the timeline",
            "time to acknowledge and assembly time unknown",
        )
        for incident_id in acked.index[~acked.to_numpy(dtype=bool)]
    ]
    ungrouped = [
        (incident_id, "group", "no event names a group", "handovers and ping-pong not counted")
        for incident_id in (grouped.index[~grouped.to_numpy(dtype=bool)] if grouped.any() else [])
    ]
    for incident_id, column, problem, action in [*unacked, *ungrouped]:
        rows.append((incident_id, int(first[incident_id]), column, problem, action, "info"))
    if len(timeline) and not grouped.any():  # said once, for the export: every incident lacks one
        rows.append(
            (
                pd.NA,
                pd.NA,
                "group",
                "no event names a group",
                "handovers and ping-pong are unknown (not 0) for every incident",
                "warning",
            )
        )
    if len(timeline) and not _names_levels(timeline):
        rows.append(
            (
                pd.NA,
                pd.NA,
                "level",
                "no event records an escalation level",
                "escalations are unknown (not 0) for every incident",
                "warning",
            )
        )
    columns = ["incident_id", "record", "column", "problem", "action", "level"]
    out = pd.DataFrame(rows, columns=columns)
    out["record"] = out["record"].astype("Int64")
    return out.astype(
        {"incident_id": "str", "column": "str", "problem": "str", "action": "str", "level": "str"}
    )


def _names_groups(timeline: pd.DataFrame) -> bool:
    """Whether any event of ``timeline`` names a group (else handovers cannot be counted)."""
    return bool(timeline["group"].notna().any())


def _names_levels(timeline: pd.DataFrame) -> bool:
    """Whether any event records a level or is an escalation (else escalations cannot be counted)."""
    return bool(timeline["level"].notna().any() or timeline["kind"].astype("str").eq("escalate").any())


def _require_timeline(timeline: Any) -> None:
    """Raise an :class:`InputError` unless ``timeline`` is a timeline frame."""
    if not isinstance(timeline, pd.DataFrame):
        raise InputError(
            "expected a timeline frame", found=type(timeline).__name__, expected="read_timeline(...)"
        )
    missing = [c for c in TIMELINE_COLUMNS if c not in timeline.columns]
    if missing:
        hint = (
            " (this looks like incidents or durations: pass read_timeline(...) of the same export)"
            if "detected_at" in timeline.columns or "time_to_recover" in timeline.columns
            else ""
        )
        raise InputError(
            "the frame is not a timeline" + hint,
            field=missing[0],
            expected="the columns of read_timeline: " + ", ".join(TIMELINE_COLUMNS),
        )
    if not isinstance(timeline["at"].dtype, pd.DatetimeTZDtype):
        raise InputError(
            "the timeline's event times are not timezone-aware timestamps",
            field="at",
            found=str(timeline["at"].dtype),
            expected="datetime64[us, UTC] as read_timeline gives (pd.to_datetime(..., utc=True))",
        )
    kinds = timeline["kind"]
    if isinstance(kinds.dtype, pd.CategoricalDtype):
        stray = [c for c in kinds.cat.categories if c not in KINDS]
        bad = kinds.isna().to_numpy() | kinds.isin(stray).to_numpy() if stray else kinds.isna().to_numpy()
    else:
        bad = ~kinds.isin(list(KINDS)).to_numpy()
    if bad.any():
        pos = int(np.flatnonzero(bad)[0])
        record = timeline["record"].iloc[pos]
        raise InputError(
            "an event's kind is not a timeline kind",
            record=int(record) if pd.notna(record) else None,
            field="kind",
            found=kinds.iloc[pos],
            expected="one of " + ", ".join(KINDS),
        )
