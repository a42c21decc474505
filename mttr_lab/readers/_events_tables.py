"""Event timelines of table exports: event logs (the Volvo IT log, ``case=``/``time=`` logs),
ServiceNow incident event logs, and generic CSV/JSON timelines in canonical names.

See :mod:`mttr_lab.readers.timelines` for what each source gives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..schema import InputError
from . import eventlog
from ._build import require_columns
from ._event_order import parse_event_times
from ._events import KINDS, Events, NoTimelineError, check_kinds, kinds_from, no_levels, parse_levels
from ._plumbing import Needed, blank, cell_text, check_names, require_fields
from ._servicenow_fields import (
    ACK_STATES,
    CLOSED_STATES,
    DATES,
    EVENT_LOG_SHARE,
    RESOLVED_STATES,
    columns_of,
    date_order,
    load,
    times,
)
from .generic import read_frame

__all__ = ["EVENTLOG_TIMELINES", "eventlog_events", "generic_events", "servicenow_events"]


def _table_events(
    frame: pd.DataFrame,
    columns: Mapping[str, str | None],
    *,
    at: pd.Series,
    kind: pd.Series,
    level: pd.Series,
    note: pd.Series | None,
    label: str = "row",
    detail: pd.Series | None = None,
    tiebreak: Sequence[np.ndarray] = (),
) -> Events:
    """The :class:`Events` of a table's rows: ``columns`` names the ``case``, ``time``,
    ``group``, ``actor`` and ``detail`` columns (None where the export has none)."""
    n = len(frame)

    def text(name: str) -> pd.Series:
        column = columns.get(name)
        return cell_text(frame[column]) if column is not None else blank(n)

    return Events(
        incident_id=text("case"),
        at=at,
        kind=kind,
        group=text("group"),
        level=level,
        actor=text("actor"),
        detail=text("detail") if detail is None else detail,
        record=np.arange(1, n + 1),
        label=label,
        case_field=columns["case"],
        time_field=columns["time"],
        note=note,
        tiebreak=list(tiebreak),
    )


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


def eventlog_events(
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
    frame, chosen = eventlog.log_frame(path, fmt=fmt, preset=preset, case=case, time=time)
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
    opts = eventlog.log_options(base, given, columns=frame.columns, file=file, mapped="kinds")
    status_cols = [opts["status"]] if isinstance(opts.get("status"), str) else list(opts.get("status") or [])
    wanted = {"case": opts["case"], "time": opts["time"]}
    wanted.update({f"status {i + 1}": c for i, c in enumerate(status_cols)})
    wanted.update({k: opts[k] for k in ("group", "level", "actor", "detail") if opts.get(k)})
    require_columns(frame.columns, wanted, file=file, what="event log")
    frame = frame.reset_index(drop=True)
    n = len(frame)
    rows = np.arange(1, n + 1)
    at = parse_event_times(frame[opts["time"]], tz=tz, dayfirst=dayfirst, file=file, field=opts["time"])
    statuses = eventlog._status_values(frame, status_cols, status_sep) if status_cols else blank(n)
    mapping = dict(opts.get("kinds") or {})
    if not mapping and opts.get("milestones"):
        mapping = {
            k: _ROLE_KINDS[str(v).strip().lower().removesuffix("_at")]
            for k, v in dict(opts["milestones"]).items()
            if k != eventlog.ANY_EVENT and str(v).strip().lower().removesuffix("_at") in _ROLE_KINDS
        }
    check_kinds(mapping, file=file)
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
        else (no_levels(n), None)
    )
    columns = {name: opts.get(name) or None for name in ("case", "time", "group", "actor", "detail")}
    return _table_events(
        frame,
        columns,
        at=at,
        kind=kinds_from(statuses, mapping),
        level=levels,
        note=notes,
        detail=None if opts.get("detail") else statuses,
    )


# --------------------------------------------------------------------------- ServiceNow

_SN_TRIGGER = ("new", "1")
_SN_ACTIVE = tuple(s.lower() for s in ACK_STATES)
_SN_RESOLVE = (*RESOLVED_STATES, *CLOSED_STATES)


def servicenow_events(
    path: Path,
    *,
    tz: str | None = None,
    dayfirst: bool | None = None,
    shape: str = "auto",
    level: str | None = None,
) -> Events:
    file = str(path)
    frame, utc = load(path, file=file)
    frame = frame.reset_index(drop=True)
    cols = columns_of(frame.columns)
    state = cols.get("incident_state", cols.get("state"))
    needed = {
        "number": cols.get("number", "number"),
        "update time": cols.get("sys_updated_on", "sys_updated_at"),
        "state": state or "incident_state",
    }
    require_columns(frame.columns, needed, file=file, what="ServiceNow event log")
    if shape == "auto":
        counts = frame[cols["number"]].value_counts()
        shape = "events" if len(counts) and float((counts > 1).mean()) > EVENT_LOG_SHARE else "table"
    if shape != "events":
        raise NoTimelineError(
            "this ServiceNow export is a table (one row per incident): it holds no timeline",
            file=file,
            field=cols["number"],
            expected="an incident event log (one row per update), or shape='events' to read it as one",
        )
    dates = [cols[f] for f in DATES if f in cols and cols[f] not in utc]
    dayfirst = date_order(frame, dates, file=file, dayfirst=dayfirst)
    n = len(frame)
    rows = np.arange(1, n + 1)
    at = times(
        frame, cols["sys_updated_on"], utc=utc, tz=tz, dayfirst=dayfirst, file=file, rows=rows, label="row"
    )
    assert at is not None
    states = cell_text(frame[state])
    actor_col = next(
        (c for c in frame.columns if str(c).strip().lower() in ("assigned_to", "assigned to")), None
    )
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
        else (no_levels(n), None)
    )
    columns = {
        "case": cols["number"],
        "time": cols["sys_updated_on"],
        "group": cols.get("assignment_group"),
        "actor": actor_col or None,
    }
    return _table_events(
        frame, columns, at=at, kind=kind, level=levels, note=notes, detail=states, tiebreak=tiebreak
    )


# --------------------------------------------------------------------------- generic

_GENERIC = ("incident_id", "at", "kind", "group", "level", "actor", "detail")
#: The columns a generic event log must have (found by name or mapped by ``columns=``).
_NEEDED = Needed(
    ("incident_id", "at", "kind"),
    "no {field} column for the timeline",
    "a column {field!r} or columns={{{field!r}: <one of: {shown}>}}",
)


def generic_events(
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
    check_names(mapping, _GENERIC, file=file, what="timeline")
    for name in _GENERIC:
        if name not in mapping and name in frame.columns:
            mapping[name] = name
    require_columns(frame.columns, mapping, file=file, what="event log")
    require_fields(mapping, _NEEDED, columns=frame.columns, file=file)
    frame = frame.reset_index(drop=True)
    n = len(frame)
    rows = np.arange(1, n + 1)
    at = parse_event_times(
        frame[mapping["at"]], tz=tz, dayfirst=dayfirst, file=file, field=mapping["at"], rows=rows, label=label
    )
    raw_kind = cell_text(frame[mapping["kind"]])
    table = {str(k).strip().casefold(): v for k, v in (kinds or {}).items()}
    check_kinds(table, file=file)
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
        else (no_levels(n), None)
    )

    columns = {
        "case": mapping["incident_id"],
        "time": mapping["at"],
        **{name: mapping.get(name) for name in ("group", "actor", "detail")},
    }
    return _table_events(
        frame, columns, at=at, kind=kind.astype("str"), level=levels, note=notes, label=label
    )
