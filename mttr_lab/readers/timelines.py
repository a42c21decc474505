"""Event timelines inside the exports: what each vendor's event fields give, and the dispatch.

The fields themselves are read in :mod:`~mttr_lab.readers._events_json` (JSON exports) and
:mod:`~mttr_lab.readers._events_tables` (event logs, generic tables), into the
:class:`~mttr_lab.readers._events.Events` shape.

Each ``*_events`` function reads one source's events into :class:`Events` (columns not yet
ordered or checked); :func:`mttr_lab.timeline.read_timeline` orders them and builds the
canonical ``timeline`` frame. Kinds are the canonical ones of :data:`KINDS`.

- **PagerDuty** log entries (embedded under each REST incident's ``log_entries`` or a
  ``GET /log_entries`` dump): ``trigger``, ``notify``, ``escalate``, ``assign``/``delegate``
  (assign), ``acknowledge``, ``unacknowledge`` (status), ``resolve``, ``annotate`` (note); other
  entry types are kept as ``status`` with a note. The level is the entry's own
  ``escalation_level``/``level`` where it has one, else ``"level N"`` in its summary, else 1 at
  the trigger plus one per escalate entry before it. The group is the entry's escalation policy,
  else its first team, else the incident's. The trigger entry's ``channel.type`` (``api``,
  ``email``, ``web_trigger``...) is its detail.
- **ServiceNow** event logs: one event per update row; the kind is the state it moved to
  (New -> trigger, Active/In Progress -> acknowledge, Resolved/Closed -> resolve, back to
  active after a resolution -> reopen, others -> status); an update that keeps the state but
  changes ``assignment_group`` or ``assigned_to`` is ``assign``, one that changes neither ``note``.
  Group ``assignment_group``, actor ``assigned_to``, detail the state.
- **Event logs** (the Volvo IT log and logs read with ``case=``/``time=``/``status=``): one event
  per row, the kind from ``kinds=`` (status value -> kind) or, without it, from ``milestones=``
  (acknowledged -> acknowledge, resolved/closed -> resolve, others status). The Volvo IT log:
  group ``Involved ST``, level ``ST Level`` (``L1``..``L3``; ``L2/L3`` is kept unknown with a
  note), actor ``Resource``; ``Queued/Awaiting Assignment`` and ``Accepted/Assigned`` are
  ``assign``.
- **Google Cloud status** ``updates`` (AVAILABLE -> resolve, others status; the detail is the
  status and the first line of the text).
- **Statuspage** ``incident_updates``: investigating -> acknowledge, resolved -> resolve,
  postmortem -> note, others status; the detail is the status and the update's body.
- **FireHydrant** ``milestones`` (started/detected -> trigger, acknowledged -> acknowledge,
  resolved -> resolve, others status) and, where the export carries it, a ``timeline`` list of
  events (``type``, ``occurred_at``, ``team``, ``level``, ``actor``, ``detail``).
- **incident.io** ``incident_updates`` (``GET /v2/incident_updates``: ``incident_id``,
  ``created_at``, ``new_incident_status.category``, ``updater``) and, per incident, a
  ``timeline`` list in the FireHydrant event shape.
- **Generic** CSV/JSON with canonical names (``incident_id``, ``at``, ``kind``, ``group``,
  ``level``, ``actor``, ``detail``) or ``columns=`` mapping them to the export's names.

Detection channels are read by the vendor readers into the ``detection_channel`` column of
``incidents`` (ServiceNow ``contact_type``, the PagerDuty trigger entry's channel, Opsgenie
``source``); :data:`CHANNEL_GROUPS` sorts their values into monitoring, human and customer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..schema import InputError
from ._events import KINDS, TIMELINE_SOURCES, Events, NoTimelineError, parse_levels
from ._events_json import gcp_events, nested_events, pagerduty_events, statuspage_events
from ._events_tables import eventlog_events, generic_events, servicenow_events

__all__ = [
    "CHANNEL_GROUPS",
    "KINDS",
    "SOURCE_CHANNEL_DEFAULTS",
    "TIMELINE_SOURCES",
    "Events",
    "NoTimelineError",
    "channel_kinds",
    "eventlog_reopens",
    "pagerduty_levels",
    "parse_levels",
    "read_events",
    "servicenow_kinds",
]


def eventlog_reopens(codes: np.ndarray, kinds: pd.Series) -> pd.Series:
    """The first event after a resolution that is not itself a resolution becomes ``reopen``.

    ``codes`` and ``kinds`` are in time order within each incident.
    """
    kind = kinds.to_numpy(dtype=object)
    resolve = kind == "resolve"
    same = np.r_[False, codes[1:] == codes[:-1]]
    after = same & np.r_[False, resolve[:-1]] & ~resolve
    out = kind.copy()
    out[after] = "reopen"
    return pd.Series(out, index=kinds.index, dtype="str")


def servicenow_kinds(codes: np.ndarray, events: pd.DataFrame) -> pd.Series:
    """ServiceNow kinds in time order: unchanged states become ``assign`` or ``note``; reopens.

    ``events`` holds ``kind``, ``detail`` (the state), ``group`` and ``actor``, sorted.
    """
    same = np.r_[False, codes[1:] == codes[:-1]]

    def changed(column: str) -> np.ndarray:
        values = events[column].fillna("\x00").to_numpy(dtype=object)
        return np.r_[True, values[1:] != values[:-1]]

    state_same = same & ~changed("detail")
    moved = changed("group") | changed("actor")
    kind = events["kind"].to_numpy(dtype=object).copy()
    kind[state_same & moved] = "assign"
    kind[state_same & ~moved] = "note"
    out = pd.Series(kind, index=events.index, dtype="str")
    # a move from a resolved state back to an active one
    resolve = events["kind"].eq("resolve").to_numpy()
    back = same & np.r_[False, resolve[:-1]] & ~resolve
    out[back] = "reopen"
    return out


def pagerduty_levels(codes: np.ndarray, kinds: pd.Series, levels: pd.Series) -> pd.Series:
    """Levels of PagerDuty events in time order: 1 at the start, the entry's own level where it
    gives one, else one more at each escalate entry.

    Returns
    -------
    Series
        ``Int64``, aligned with ``kinds``.
    """
    out = np.empty(len(codes), dtype=np.int64)
    kind = kinds.to_numpy(dtype=object)
    given = levels.to_numpy(dtype=object, na_value=None)
    current = 1
    for i in range(len(codes)):
        if i == 0 or codes[i] != codes[i - 1]:
            current = 1
        if given[i] is not None:
            current = int(given[i])
        elif kind[i] == "escalate":
            current += 1
        out[i] = current
    return pd.Series(out, index=kinds.index, dtype="Int64")


# --------------------------------------------------------------------------- dispatch


def _check_options(
    path: Path, source: str, reader: Any, options: Mapping[str, Any], fixed: Sequence[str] = ()
) -> None:
    """An :class:`InputError` for an option the source's timeline reader does not take."""
    import inspect

    accepted = [n for n in inspect.signature(reader).parameters if n not in ("path", *fixed)]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise InputError(
            "option " + ", ".join(f"{n}=" for n in unknown) + f" does not apply to the {source} timeline",
            file=str(path),
            found=unknown[0],
            expected="options of that reader: " + ", ".join(f"{n}=" for n in accepted),
        )


def read_events(path: str | Path, source: str, **options: Any) -> Events:
    """One source's events (see the module docstring for what each source gives)."""
    path = Path(path)
    if source in ("csv", "json", "jsonl"):
        options = {k: v for k, v in options.items() if k != "severity_map"}
        _check_options(path, source, generic_events, options, fixed=("fmt",))
        return generic_events(path, fmt=source, **options)
    if options.get("columns"):
        raise InputError(
            f"columns= applies to the generic csv/json timeline reader, not to source={source!r}",
            file=str(path),
        )
    options = {k: v for k, v in options.items() if k not in ("columns", "severity_map")}
    readers = {
        "eventlog": eventlog_events,
        "servicenow": servicenow_events,
        "pagerduty": pagerduty_events,
        "statuspage": statuspage_events,
        "gcp_status": gcp_events,
    }
    if source in readers:
        _check_options(path, source, readers[source], options)
        return readers[source](path, **options)
    if source in ("firehydrant", "incidentio"):
        _check_options(path, source, statuspage_events, options)  # tz= and dayfirst= only
    if source == "firehydrant":
        return nested_events(
            path,
            tz=options.get("tz"),
            dayfirst=options.get("dayfirst"),
            keys=("data", "incidents"),
            milestones=True,
            source="FireHydrant",
        )
    if source == "incidentio":
        return nested_events(
            path,
            tz=options.get("tz"),
            dayfirst=options.get("dayfirst"),
            keys=("incidents", "incident_updates", "data"),
            milestones=False,
            source="incident.io",
        )
    raise NoTimelineError(
        f"the {source} export carries no event timeline",
        file=str(path),
        expected="an export of one of " + ", ".join(TIMELINE_SOURCES),
    )


# --------------------------------------------------------------------------- detection channels

#: Vendor channel values -> the broad group: ``monitoring`` (an integration or API), ``human``
#: (a person opened it: web, email, phone), ``customer`` (a customer reported it).
CHANNEL_GROUPS: dict[str, str] = {
    "api": "monitoring",
    "integration": "monitoring",
    "events_api_v2": "monitoring",
    "nagios": "monitoring",
    "monitoring": "monitoring",
    "alert": "monitoring",
    "web_trigger": "human",
    "web_ui": "human",
    "web": "human",
    "email": "human",
    "mobile": "human",
    "slack": "human",
    "chat": "human",
    "phone": "customer",
    "self service": "customer",
    "self-service": "customer",
    "customer": "customer",
    "customer report": "customer",
    "support": "customer",
    "iva": "customer",
}

#: The kind of a channel value a source does not list above: every ServiceNow contact type is
#: how a caller reached the service desk (phone, email, self-service, walk-in, chat), so a
#: person reported it, unless it came from event management.
SOURCE_CHANNEL_DEFAULTS: dict[str, str] = {"servicenow": "customer"}
_SERVICENOW_MONITORING = {"event", "monitoring", "alert", "integration"}


def channel_kinds(channels: pd.Series, sources: pd.Series | None = None) -> pd.Series:
    """``monitoring``, ``human``, ``customer`` or ``other`` for each detection channel value.

    Returns
    -------
    Series
        Aligned with ``channels``; ``unknown`` where the channel is missing.
    """
    key = channels.astype("str").str.strip().str.lower()
    kind = key.map(CHANNEL_GROUPS)
    if sources is not None:
        source = sources.astype("str").reindex(channels.index)
        servicenow = source.eq("servicenow").fillna(False).astype(bool)
        override = servicenow & ~key.isin(_SERVICENOW_MONITORING).fillna(False).astype(bool)
        kind = kind.mask(override, SOURCE_CHANNEL_DEFAULTS["servicenow"])
        kind = kind.mask(
            servicenow & key.isin(_SERVICENOW_MONITORING).fillna(False).astype(bool), "monitoring"
        )
    return kind.fillna("other").mask(channels.isna(), "unknown").astype("str")
