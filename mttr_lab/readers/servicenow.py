"""ServiceNow ``incident`` exports: table exports and incident event logs.

Two shapes are read (``shape="auto"`` tells them apart: an event log repeats most incident
``number`` values (more than half of them) and has a state and an update-time column; pass
``shape=`` where an export is in doubt):

**Table export** (UI "Export -> CSV", or Table API JSON, ``{"result": [...]}``), one row per
incident. Field names (``opened_at``) and the UI's column labels (``Opened``) are both accepted.

- detected = ``opened_at``; acknowledged = ``work_start`` when the export has it (a table
  holds no state history, so no first pick-up otherwise);
- resolved = ``resolved_at``, never ``closed_at`` (closure is often an auto-close job days
  later). A record with no ``resolved_at`` but a ``closed_at`` was closed without a resolve
  step; it resolves at ``closed_at``, as ServiceNow's own "Resolve time" (``calendar_stc``)
  does, and the ``resolved_from`` column says ``"closed_at"``;
- state Canceled (``8``) -> ``exclude_reason``; duplicates of one ``number`` keep the latest
  ``sys_updated_on``.

**Event log** (one row per update, such as the UCI "incident management process enriched
event log": ``number``, ``incident_state``, ``sys_updated_at``, ``opened_at``, ``resolved_at``,
``closed_at``, ...), one incident per ``number``; events are ordered by update time, then
``sys_mod_count``, then file order.

- detected = ``opened_at``;
- acknowledged = the first update whose state is ``Active`` / ``In Progress`` (``2``): the
  human pick-up. ``Awaiting ...`` / On Hold states do not count (they park an incident, often
  before anyone works on it); ``ack_states=`` changes the set;
- resolved = ``resolved_at`` of the incident's latest event, its final resolution (reopened
  incidents resolve at their last one). Where it is empty, the last ``Resolved`` update of
  the final resolved/closed run of events (``resolved_from="resolved event"``), else the
  ``closed_at`` of the latest event (``"closed_at"``). An incident whose last update is not
  Resolved/Closed/Canceled and has no ``resolved_at`` is open;
- severity, team and service from the latest event; ``reopen_count`` (the export's own, else
  counted from the states) and ``events`` (update rows) follow the canonical columns;
- latest state Canceled -> ``exclude_reason``.

Both shapes: severity from ``priority`` (``1 - Critical`` -> critical, ``2 - High`` -> high,
``3 - Moderate`` -> medium, ``4 - Low`` / ``5 - Planning`` -> low; bare codes ``1``..``5``
likewise), service = ``business_service`` else ``cmdb_ci``, team = ``assignment_group``, title =
``short_description``. ``?`` and empty cells are missing.

Timestamps: display values carry no offset (the exporting user's format and timezone), so
``tz=`` is required; the date order (day-first or month-first) is read from all date columns
together, or given with ``dayfirst=``. Table API JSON fetched with ``sysparm_display_value=all``
holds ``{"display_value", "value"}`` pairs: dates are then taken from ``value``, which the API
gives in UTC, and need no ``tz``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from ..schema import InputError
from ._build import require_columns
from ._files import Sample
from ._plumbing import Needed, require_fields
from ._servicenow_events import read_events
from ._servicenow_fields import (
    ACK_STATES,
    DATES,
    EVENT_LOG_SHARE,
    SEVERITY_MAP,
    SOURCE,
    Export,
    columns_of,
    date_order,
    load,
)
from ._servicenow_table import read_table

__all__ = ["ACK_STATES", "SEVERITY_MAP", "SOURCE", "read", "sniff"]

#: What this export is, and the fields that only it has (said when another reader gets it).
SIGNATURE = ("a ServiceNow export", "a table export or event log with number, opened_at and a state column")
#: The columns every ServiceNow export has.
_NEEDED = Needed(
    ("number", "opened_at"),
    "the ServiceNow export has no column {field!r}",
    "an incident export with number and opened_at; columns present: {shown}",
)


def sniff(sample: Sample) -> str | None:
    """Recognise a ServiceNow incident table export or event log (``number``, ``opened_at``, a state)."""
    if sample.kind == "csv":
        names = sample.csv_columns()
    else:
        doc = sample.json()
        if isinstance(doc, dict) and isinstance(doc.get("result"), list):
            doc = doc["result"]
        first = doc[0] if isinstance(doc, list) and doc else doc
        names = list(first) if isinstance(first, dict) else []
    cols = columns_of(names)
    if {"number", "opened_at"} <= set(cols) and {"state", "incident_state"} & set(cols):
        kind = "event log" if "sys_updated_on" in cols and "incident_state" in cols else "incident export"
        return f"ServiceNow {kind} (number, opened_at, state columns)"
    return None


# --------------------------------------------------------------------------- the reader


def read(
    path: str | Path,
    *,
    tz: str | None = None,
    dayfirst: bool | None = None,
    severity_map: Mapping[str, str] | None = None,
    shape: str = "auto",
    ack_states: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Read a ServiceNow incident table export or incident event log.

    Parameters
    ----------
    path : path
        A CSV export (UI list export, field names or labels) or Table API JSON, optionally ``.gz``.
    tz : str
        IANA timezone of the export's date-times (the exporting user's timezone). Required
        unless the dates come as the Table API's UTC ``value``.
    dayfirst : bool, optional
        Date order of slash dates; read from the data when it can tell.
    severity_map : mapping, optional
        Priority label -> severity, over :data:`SEVERITY_MAP`.
    shape : {"auto", "table", "events"}
        A table export (one row per incident) or an event log (one row per update).
    ack_states : list of str, optional
        Event logs: states whose first update is the acknowledgement (default :data:`ACK_STATES`).

    Returns
    -------
    DataFrame
        The canonical ``incidents`` columns, then ``resolved_from`` (what gave ``resolved_at``:
        ``"resolved_at"``, ``"resolved event"``, ``"closed_at"``, ``"closed event"``,
        ``"canceled event"``; NA when open), for event logs ``events`` and ``reopen_count``,
        then the export's other columns (from an incident's latest event). Table exports: one
        row per row read. Event logs: one row per incident, ``record`` = its order of first
        appearance.

    Raises
    ------
    InputError
        When a needed column is missing, a timestamp cannot be read, or no ``tz`` is given.
    """
    file = str(path)
    path = Path(path)
    frame, utc = load(path, file=file)
    frame = frame.reset_index(drop=True)
    cols = columns_of(frame.columns)
    require_fields(cols, _NEEDED, columns=frame.columns, file=file)
    state = cols.get("state", cols.get("incident_state"))
    if shape not in ("auto", "table", "events"):
        raise InputError(f"unknown shape {shape!r}", file=file, expected="'auto', 'table' or 'events'")
    if shape == "auto":
        # An event log holds several updates of most incidents; a table export re-exported or
        # concatenated may repeat a few numbers (kept once: the latest update wins).
        counts = frame[cols["number"]].value_counts()
        repeated = bool(len(counts)) and float((counts > 1).mean()) > EVENT_LOG_SHARE
        shape = "events" if repeated and state is not None and "sys_updated_on" in cols else "table"
    if shape == "events":
        require_columns(
            frame.columns,
            {"state": state or "incident_state", "update time": cols.get("sys_updated_on", "sys_updated_at")},
            file=file,
            what="ServiceNow event log",
        )
    dates = [cols[f] for f in DATES if f in cols and cols[f] not in utc]
    dayfirst = date_order(frame, dates, file=file, dayfirst=dayfirst)
    export = Export(frame, cols, state, file, utc, tz, dayfirst, severity_map)
    if shape == "events":
        return read_events(export, ack_states=ack_states)
    return read_table(export)
