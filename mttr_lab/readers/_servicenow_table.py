"""ServiceNow table exports (UI list export or Table API JSON): one row per incident.

See :mod:`mttr_lab.readers.servicenow` for the rules; this module holds the table shape only.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from ._arrow_text import missing_text, text_series
from ._plumbing import cell_text
from ._servicenow_fields import CANCELED_STATES, Export, extras, fields_of, is_in, labels_of

__all__ = ["read_table"]


def _version(frame: pd.DataFrame, cols: Mapping[str, str], updated: pd.Series | None) -> np.ndarray | None:
    """Rank of each row by ``sys_updated_on`` then ``sys_mod_count`` (the later version ranks higher)."""
    keys = []
    if "sys_mod_count" in cols:
        keys.append(pd.to_numeric(frame[cols["sys_mod_count"]], errors="coerce").fillna(-1).to_numpy())
    if updated is not None:
        keys.append(updated.astype("int64").to_numpy())  # NaT is the smallest int64: oldest
    if not keys:
        return None
    rank = np.empty(len(frame), dtype=np.int64)
    rank[np.lexsort(keys)] = np.arange(len(frame))
    return rank


def read_table(export: Export) -> pd.DataFrame:
    """The ``incidents`` frame of a table export, one row per row read."""
    frame, cols, state = export.frame, export.cols, export.state
    rows = np.arange(1, len(frame) + 1)

    def when(column: str | None) -> pd.Series | None:
        return export.times(frame, column, numbers=rows, label="row")

    fields = fields_of(frame, cols)
    fields["detected_at"] = when(cols["opened_at"])
    acknowledged = when(cols.get("work_start"))
    if acknowledged is not None:
        fields["acknowledged_at"] = acknowledged
    resolved = when(cols.get("resolved_at"))
    closed = when(cols.get("closed_at"))
    blank = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[us, UTC]")
    resolved = blank if resolved is None else resolved
    closed = blank if closed is None else closed
    fields["resolved_at"] = resolved.where(resolved.notna(), closed)
    source = np.where(resolved.notna(), "resolved_at", np.where(closed.notna(), "closed_at", None))
    resolved_from = text_series(source, frame.index)
    reason = None
    if state is not None:
        states = cell_text(frame[state])
        reason = missing_text(frame.index)
        canceled = is_in(states, CANCELED_STATES)
        if canceled.any():
            reason = reason.mask(canceled, "canceled: state " + states.fillna(""))
    version = _version(frame, cols, when(cols.get("sys_updated_on")))
    extra = extras(frame, cols, {"resolved_from": resolved_from})
    return export.reading().incidents(
        fields,
        labels=labels_of(cols),
        record_label="row",
        exclude_reason=reason,
        version=version,
        extra=extra,
    )
