"""Generic incident event logs: one row per status change of an incident.

An event log names, on every row, the incident (``case``), when the change happened (``time``)
and the status it moved to (``status``, one column or several joined with ``"/"``, such as
``Status`` + ``Sub Status`` -> ``"Accepted/In Progress"``). ``milestones`` maps status values
to what they mean:

- ``"started"``, ``"detected"``, ``"acknowledged"``, ``"diagnosed"``, ``"recovered"``: the
  milestone is the *first* event with such a status. The key ``"*"`` (:data:`ANY_EVENT`) stands
  for any event: ``{"*": "detected"}`` puts detection at the incident's first event, which is
  also the default when nothing is mapped to ``started`` or ``detected``.
- ``"resolved"``: a resolution. ``"closed"``: a closure, which ends the incident like a
  resolution but only gives the resolution time when no resolution precedes it.
  ``"canceled"``: the record is not an incident (kept, with an ``exclude_reason``).

Resolutions, closures and cancellations are *terminal*. Any other status after a terminal one
reopens the incident. An incident resolves in its *final* terminal run of events (those after
its last non-terminal event): at the last ``resolved`` event of that run, else at the run's
first event (a closure without a resolution). An incident whose last event is not terminal is
open (``resolved_at`` NaT).

Service, team, title and severity are read from the incident's latest event.

Built-in presets (:data:`PRESETS`) let known logs read with no options; they are recognised
from the header. The Volvo IT incident log (BPI Challenge 2013) is one:

- detected: the first event; acknowledged: the first ``Accepted/In Progress``;
- resolved: the last ``Completed/Resolved`` or ``Completed/In Call`` (solved during the
  service-desk call) of the final run; ``Completed/Closed`` without a resolution before it
  resolves at the closure; ``Completed/Cancelled`` is a canceled record;
- severity from ``SR Latest Impact`` (Major -> critical, High -> high, Medium -> medium,
  Low -> low), service from ``Product``, team from ``Involved ST`` (latest event).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..schema import INCIDENT_COLUMNS, MILESTONES, InputError
from ._arrow_text import missing_text, text_cells, text_series
from ._build import require_columns
from ._event_order import TERMINAL_ROLES, final_resolution, first_times, order_events, parse_event_times
from ._files import Sample
from ._plumbing import Reading, shown_columns, stripped_text
from .generic import read_frame

__all__ = [
    "ANY_EVENT",
    "PRESETS",
    "SOURCE",
    "final_resolution",
    "first_times",
    "log_frame",
    "log_options",
    "order_events",
    "parse_event_times",
    "read",
    "sniff",
]

log = logging.getLogger("mttr_lab")

SOURCE = "eventlog"
#: What this export is, and the fields that only it has (said when another reader gets it).
SIGNATURE = (
    "an event log",
    "one row per status change with a case id, a timestamp and a status (a built-in preset such as the Volvo IT log, or case=/time=/status= naming its columns)",
)

#: The ``milestones`` key that stands for any event of the incident.
ANY_EVENT = "*"

_FIRST_ROLES = ("started", "detected", "acknowledged", "diagnosed", "recovered")
_ROLES = (*_FIRST_ROLES, *TERMINAL_ROLES)

#: Built-in mappings for known event logs, recognised from their header (``signature``).
PRESETS: dict[str, dict[str, Any]] = {
    "volvo_it": {
        "description": "Volvo IT incident event log (BPI Challenge 2013)",
        "signature": ("SR Number", "Change Date+Time", "Status", "Sub Status"),
        "case": "SR Number",
        "time": "Change Date+Time",
        "status": ("Status", "Sub Status"),
        "milestones": {
            ANY_EVENT: "detected",
            "Accepted/In Progress": "acknowledged",
            "Completed/Resolved": "resolved",
            "Completed/In Call": "resolved",
            "Completed/Closed": "closed",
            "Completed/Cancelled": "canceled",
        },
        "severity": "SR Latest Impact",
        "service": "Product",
        "team": "Involved ST",
        "title": None,
        "severity_map": {"major": "critical", "high": "high", "medium": "medium", "low": "low"},
    },
}


def _preset_for(columns: Sequence[str]) -> str | None:
    have = {str(c).strip() for c in columns}
    for name, preset in PRESETS.items():
        if set(preset["signature"]) <= have:
            return name
    return None


def sniff(sample: Sample) -> str | None:
    """Recognise an event log that a built-in preset reads (by its header)."""
    if sample.kind != "csv":
        return None
    name = _preset_for(sample.csv_columns())
    if name is None:
        return None
    signature = ", ".join(PRESETS[name]["signature"][:2])
    return f"{PRESETS[name]['description']} ({signature} columns)"


# --------------------------------------------------------------------------- shared event helpers


# --------------------------------------------------------------------------- the reader


def _status_values(frame: pd.DataFrame, columns: Sequence[str], sep: str) -> pd.Series:
    out: pd.Series | None = None
    for name in columns:
        part = stripped_text(frame[name])
        if out is None:
            out = part
            continue
        first, second = text_cells(out), text_cells(part)
        has_first, has_second = np.not_equal(first, None), np.not_equal(second, None)
        joined = np.where(has_first, first, second)
        both = has_first & has_second
        joined[both] = first[both] + sep + second[both]
        out = text_series(joined, out.index, name=out.name if out.name == part.name else None)
    assert out is not None
    return out.reset_index(drop=True)


def _role_of(milestone: str, *, file: str, status: str) -> str:
    name = str(milestone).strip().lower().removesuffix("_at")
    if name not in _ROLES:
        raise InputError(
            f"milestones= maps {status!r} to an unknown milestone",
            file=file,
            found=milestone,
            expected="one of " + ", ".join(_ROLES),
        )
    return name


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


def _roles(mapping: Mapping[str, str], status_cols: Sequence[str], *, file: str) -> dict[str, str]:
    """Status value (case-folded) -> role, from ``milestones=``; checked against ``status=``."""
    if not mapping:
        raise InputError(
            "milestones= is needed: which status values mean acknowledged, resolved, ...",
            file=file,
            expected="a mapping such as {'In Progress': 'acknowledged', 'Resolved': 'resolved'}",
        )
    if set(mapping) - {ANY_EVENT} and not status_cols:
        raise InputError("milestones= maps status values but status= names no column", file=file)
    return {str(k).strip().casefold(): _role_of(v, file=file, status=k) for k, v in mapping.items()}


def _event_roles(
    statuses: pd.Series, mapping: Mapping[str, str], roles: Mapping[str, str], *, file: str
) -> pd.Series:
    """Each event's role (NA where its status maps to none); a warning names mapped statuses
    that never occur."""
    keys = [None if status is None else status.casefold() for status in text_cells(statuses)]
    present = set(keys)
    unused = [k for k in mapping if k != ANY_EVENT and str(k).strip().casefold() not in present]
    if unused:
        log.warning(
            "%s: milestones= names status values that never occur: %s", file, ", ".join(map(repr, unused))
        )
    role_of = {k: v for k, v in roles.items() if k != ANY_EVENT.casefold()}
    return text_series([None if key is None else role_of.get(key) for key in keys], statuses.index)


def _extra(
    last: pd.DataFrame, events: np.ndarray, final: pd.DataFrame, last_status: pd.Series, *, used: set[str]
) -> dict[str, Any]:
    """The columns after the canonical ones: ``events``, ``reopen_count``, ``last_status``, then
    the columns of each incident's latest event that no option used."""
    extra: dict[str, Any] = {
        "events": events,
        "reopen_count": final["reopen_count"],
        "last_status": last_status,
    }
    for column, values in last.items():  # by position: no look-up by name
        if column not in used and column not in extra and column not in INCIDENT_COLUMNS:
            extra[column] = values
    return extra


def _sorted_events(
    frame: pd.DataFrame,
    opts: Mapping[str, Any],
    status_cols: Sequence[str],
    *,
    status_sep: str,
    tz: str | None,
    dayfirst: bool | None,
    file: str,
) -> tuple[np.ndarray, np.ndarray, pd.Index, pd.Series, pd.Series]:
    """The events in incident, then time order: ``order``, ``codes`` and the ids (see
    :func:`order_events`), and the sorted times and statuses."""
    times = parse_event_times(frame[opts["time"]], tz=tz, dayfirst=dayfirst, file=file, field=opts["time"])
    cases = stripped_text(frame[opts["case"]])
    order, codes, ids = order_events(
        cases, times, file=file, case_field=opts["case"], time_field=opts["time"]
    )
    sorted_times = times.take(order).reset_index(drop=True)
    if status_cols:
        statuses = _status_values(frame, status_cols, status_sep).take(order).reset_index(drop=True)
    else:
        statuses = pd.Series(pd.NA, index=range(len(order)), dtype="str")
    return order, codes, ids, sorted_times, statuses


def _first_milestones(
    codes: np.ndarray, times: pd.Series, event_roles: pd.Series, roles: Mapping[str, str], n: int
) -> dict[str, pd.Series]:
    """The first time of each first-occurrence role (``started_at`` ... ``recovered_at``) per
    incident; without a start or detection, the incident's first event detects it."""
    milestone_times: dict[str, pd.Series] = {}
    any_role = roles.get(ANY_EVENT)
    role_of_event = event_roles.to_numpy(dtype=object)
    for role in _FIRST_ROLES:
        mask = np.equal(role_of_event, role)
        if any_role == role:
            mask = np.ones(len(codes), dtype=bool)
        if mask.any() or role in roles.values():
            milestone_times[f"{role}_at"] = first_times(codes, times, mask, n)
    if "started_at" not in milestone_times and "detected_at" not in milestone_times:
        milestone_times["detected_at"] = first_times(codes, times, np.ones(len(codes), dtype=bool), n)
    return milestone_times


def log_frame(
    path: str | Path, *, fmt: str | None, preset: str | None, case: str | None, time: str | None
) -> tuple[pd.DataFrame, str | None]:
    """An event log's rows (header names stripped) and the preset that applies: the one given,
    else the one its header matches unless ``case`` and ``time`` name its columns."""
    frame, _ = read_frame(path, fmt=fmt)
    names = [str(c).strip().lstrip("\ufeff") for c in frame.columns]
    if frame.columns.dtype != "str" or names != list(frame.columns):
        frame.columns = names
    chosen = preset or (None if case and time else _preset_for(frame.columns))
    if preset is not None and preset not in PRESETS:
        raise InputError(
            f"unknown event-log preset {preset!r}", file=str(path), expected="one of " + ", ".join(PRESETS)
        )
    return frame, chosen


def log_options(
    base: Mapping[str, Any], given: Mapping[str, Any], *, columns: Sequence[str], file: str, mapped: str
) -> dict[str, Any]:
    """The preset's options overridden by those given; ``case`` and ``time`` are required
    (``mapped`` names the option that maps statuses, for the message)."""
    opts = {**base, **{k: v for k, v in given.items() if v is not None}}
    if not opts.get("case") or not opts.get("time"):
        shown = shown_columns(columns)
        raise InputError(
            "an event log needs case= and time= columns (no built-in preset matches its header)",
            file=file,
            expected=f"case=, time=, status= and {mapped}= naming columns among: {shown}",
        )
    return opts


def read(
    path: str | Path,
    *,
    case: str | None = None,
    time: str | None = None,
    status: str | Sequence[str] | None = None,
    milestones: Mapping[str, str] | None = None,
    severity: str | None = None,
    service: str | None = None,
    team: str | None = None,
    title: str | None = None,
    tz: str | None = None,
    dayfirst: bool | None = None,
    severity_map: Mapping[str, str] | None = None,
    preset: str | None = None,
    status_sep: str = "/",
    fmt: str | None = None,
) -> pd.DataFrame:
    """Read an event log (one row per status change) into the canonical ``incidents`` frame.

    Parameters
    ----------
    path : path
        A CSV, JSON or JSON Lines event log (optionally ``.gz``).
    case, time : str
        The incident-id and event-time columns.
    status : str or list of str
        The status column, or several joined with ``status_sep`` (``("Status", "Sub Status")``
        gives ``"Accepted/In Progress"``).
    milestones : mapping
        Status value -> ``started``/``detected``/``acknowledged``/``diagnosed``/``recovered``
        (first occurrence), ``resolved`` (final resolution), ``closed`` or ``canceled``; the key
        ``"*"`` stands for any event. Status values are compared case-insensitively.
    severity, service, team, title : str, optional
        Columns read from each incident's latest event.
    tz, dayfirst, severity_map
        See :func:`mttr_lab.read_export`. ``tz`` is needed when the times carry no offset.
    preset : str, optional
        A name from :data:`PRESETS`; chosen from the header when ``case``/``time`` are not given.
        Explicit options override the preset's.
    status_sep : str
        Joins several status columns.
    fmt : {"csv", "json", "jsonl"}, optional
        Format; read from the file name when omitted.

    Returns
    -------
    DataFrame
        One row per incident, in order of first appearance (``record`` = that order): the
        canonical columns, then ``events`` (event rows of the incident), ``reopen_count``,
        ``last_status``, and the other columns of the incident's latest event.

    Raises
    ------
    InputError
        When a column is missing, an event has no incident or time, or a mapping is unusable.
    """
    file = str(path)
    frame, chosen = log_frame(path, fmt=fmt, preset=preset, case=case, time=time)
    base: dict[str, Any] = dict(PRESETS[chosen]) if chosen else {}
    given = {
        "case": case,
        "time": time,
        "status": status,
        "milestones": milestones,
        "severity": severity,
        "service": service,
        "team": team,
        "title": title,
    }
    opts = log_options(base, given, columns=frame.columns, file=file, mapped="milestones")
    mapping = dict(opts.get("milestones") or {})
    status_cols = _as_list(opts.get("status"))
    roles = _roles(mapping, status_cols, file=file)

    wanted = {"case": opts["case"], "time": opts["time"]}
    wanted.update({f"status {i + 1}": c for i, c in enumerate(status_cols)})
    attributes = {name: opts[name] for name in ("severity", "service", "team", "title") if opts.get(name)}
    wanted.update(attributes)
    require_columns(frame.columns, wanted, file=file, what="event log")
    frame = frame.reset_index(drop=True)

    order, codes, ids, sorted_times, statuses = _sorted_events(
        frame, opts, status_cols, status_sep=status_sep, tz=tz, dayfirst=dayfirst, file=file
    )
    n = len(ids)
    event_roles = _event_roles(statuses, mapping, roles, file=file)

    milestone_times = _first_milestones(codes, sorted_times, event_roles, roles, n)
    final = final_resolution(codes, sorted_times, event_roles, n)
    milestone_times["resolved_at"] = final["resolved_at"]

    boundaries = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1], True])
    last = frame.take(order[boundaries[1:] - 1]).reset_index(drop=True)
    last_status = statuses.take(boundaries[1:] - 1).reset_index(drop=True)
    fields: dict[str, Any] = {"incident_id": pd.Series(ids, dtype="str")}
    fields.update({name: last[column] for name, column in attributes.items()})
    fields.update(milestone_times)
    reason = missing_text(pd.RangeIndex(n))
    if final["canceled"].any():
        reason = reason.mask(
            final["canceled"], "canceled: last status " + last_status.fillna("").astype("str")
        )
    extra = _extra(last, np.diff(boundaries), final, last_status, used=set(wanted.values()))
    labels = {"incident_id": opts["case"], **attributes}
    labels.update({m: opts["time"] for m in MILESTONES})
    reading = Reading(
        SOURCE,
        file,
        tz=tz,
        severity_map=severity_map,
        default_severity_map=opts.get("severity_map") if chosen else None,
    )
    return reading.incidents(
        fields, labels=labels, record_label="incident", exclude_reason=reason, extra=extra
    )
