"""ServiceNow incident event logs (one row per update): one incident per ``number``.

See :mod:`mttr_lab.readers.servicenow` for the rules; this module holds the event-log shape only.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ._build import whole_numbers
from ._event_order import final_resolution, first_times, order_events
from ._plumbing import cell_text
from ._servicenow_fields import (
    ACK_STATES,
    CANCELED_STATES,
    CLOSED_STATES,
    RESOLVED_STATES,
    Export,
    extras,
    fields_of,
    is_in,
    labels_of,
)

__all__ = ["read_events"]


def _resolutions(
    final: pd.DataFrame, field_resolved: pd.Series | None, field_closed: pd.Series | None, n: int
) -> tuple[pd.Series, pd.Series]:
    """Each incident's resolution time and what gave it: the latest event's ``resolved_at``, else
    the last Resolved update of the final run, else the latest ``closed_at``, else the final event."""
    blank = pd.Series(pd.NaT, index=range(n), dtype="datetime64[us, UTC]")
    field_resolved = blank if field_resolved is None else field_resolved
    field_closed = blank if field_closed is None else field_closed
    by_event = final["resolved_at"].where(final["resolved_by"].eq("resolved").fillna(False))
    ended = final["resolved_at"].notna()
    resolved = field_resolved.where(field_resolved.notna(), by_event)
    resolved = resolved.where(resolved.notna(), field_closed.where(ended))
    resolved = resolved.where(resolved.notna(), final["resolved_at"])
    resolved_from = pd.Series(pd.NA, index=range(n), dtype="str")
    resolved_from = (
        resolved_from.mask(ended, final["resolved_by"] + " event")
        .mask(ended & field_closed.notna(), "closed_at")
        .mask(by_event.notna(), "resolved event")
        .mask(field_resolved.notna(), "resolved_at")
    )
    return resolved, resolved_from


def read_events(export: Export, *, ack_states: Sequence[str] | None) -> pd.DataFrame:
    """The ``incidents`` frame of an event log, one row per incident in order of first appearance."""
    frame, cols, state = export.frame, export.cols, export.state
    assert state is not None
    updated = export.times(frame, cols["sys_updated_on"], numbers=np.arange(1, len(frame) + 1), label="row")
    assert updated is not None
    numbers = cell_text(frame[cols["number"]])
    tiebreak = []
    if "sys_mod_count" in cols:
        tiebreak.append(pd.to_numeric(frame[cols["sys_mod_count"]], errors="coerce").fillna(-1).to_numpy())
    order, codes, ids = order_events(
        numbers,
        updated,
        *tiebreak,
        file=export.file,
        case_field=cols["number"],
        time_field=cols["sys_updated_on"],
    )
    n = len(ids)
    times = updated.take(order).reset_index(drop=True)
    states = cell_text(frame[state]).take(order).reset_index(drop=True)
    boundaries = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1], True])
    latest = order[boundaries[1:] - 1]
    last = frame.take(latest).reset_index(drop=True)
    incident_rows = np.arange(1, n + 1)

    ack = first_times(codes, times, is_in(states, ack_states or ACK_STATES).to_numpy(), n)
    roles = pd.Series(pd.NA, index=states.index, dtype="str")
    roles = roles.mask(is_in(states, RESOLVED_STATES), "resolved").mask(
        is_in(states, CLOSED_STATES), "closed"
    )
    roles = roles.mask(is_in(states, CANCELED_STATES), "canceled")
    final = final_resolution(codes, times, roles, n)

    def when(column: str | None) -> pd.Series | None:
        return export.times(last, column, numbers=incident_rows, label="incident")

    resolved, resolved_from = _resolutions(
        final, when(cols.get("resolved_at")), when(cols.get("closed_at")), n
    )
    fields = fields_of(last, cols)
    fields["detected_at"] = when(cols["opened_at"])
    fields["acknowledged_at"] = ack
    fields["resolved_at"] = resolved
    last_state = cell_text(last[state])
    reason = pd.Series(pd.NA, index=range(n), dtype="str").mask(
        is_in(last_state, CANCELED_STATES), "canceled: state " + last_state.fillna("")
    )
    if "reopen_count" in cols:
        reopen = whole_numbers(last[cols["reopen_count"]])
    else:
        reopen = final["reopen_count"]
    extra = {"resolved_from": resolved_from, "events": np.diff(boundaries), "reopen_count": reopen}
    extra = extras(last, cols, extra)
    labels = labels_of(cols)
    labels["acknowledged_at"] = cols["sys_updated_on"]
    return export.reading().incidents(
        fields,
        labels=labels,
        records=incident_rows,
        record_label="incident",
        exclude_reason=reason,
        extra=extra,
    )
