"""What the PagerDuty readers of both export shapes (REST JSON, Analytics and web CSV) share:
the source's constants and the rules for references, durations, ids and missing resolutions.

See :mod:`mttr_lab.readers.pagerduty` for the shapes and the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ._arrow_text import lowered_text, missing_text
from ._build import hashable, whole_numbers
from ._plumbing import name_text, shown, stripped_text

__all__ = [
    "ACK_TYPES",
    "AGREE",
    "AUTO_RESOLVED_REASON",
    "KEPT_TYPES",
    "MERGED_REASON",
    "NO_RESOLUTION_REASON",
    "OPEN_STATUSES",
    "RESOLVE_TYPES",
    "SEVERITY_MAP",
    "SOURCE",
    "ids_or_numbers",
    "lookup",
    "namer",
    "ref_id",
    "ref_text",
    "seconds",
    "truthy",
    "upper_bound",
]

SOURCE = "pagerduty"

#: Default severity of PagerDuty priority names and urgencies (a user's ``severity_map`` wins).
SEVERITY_MAP: dict[str, str] = {
    "P1": "critical",
    "P2": "high",
    "P3": "medium",
    "P4": "low",
    "P5": "low",
    "high": "high",
    "low": "low",
}

MERGED_REASON = "merged into another incident"
AUTO_RESOLVED_REASON = "auto-resolved (noise)"
NO_RESOLUTION_REASON = "status says resolved but the export holds no resolution time"

ACK_TYPES = ("acknowledge_log_entry", "acknowledgement_log_entry")
RESOLVE_TYPES = ("resolve_log_entry",)
KEPT_TYPES = frozenset(ACK_TYPES + RESOLVE_TYPES)
OPEN_STATUSES = ("triggered", "acknowledged")
TRUE_TEXT = ("true", "t", "1", "yes", "y")
#: Durations above this many seconds (100 years) are not durations.
MAX_SECONDS = 100 * 365.25 * 86400
#: Two measures of one duration that differ by more than this are reported.
AGREE = pd.Timedelta(minutes=1)


def ref_text(ref: Any) -> Any:
    """The readable name of a PagerDuty reference object (``summary``, else ``name``)."""
    if isinstance(ref, dict):
        return ref.get("summary") or ref.get("name")
    return ref if isinstance(ref, str) else None


def ref_id(ref: Any) -> Any:
    return ref.get("id") if isinstance(ref, dict) else None


def truthy(values: pd.Series) -> pd.Series:
    """Booleans from a bool column or ``true``/``false`` text; missing is False."""
    if pd.api.types.is_bool_dtype(values):
        return values.fillna(False).astype(bool)
    return lowered_text(values).isin(TRUE_TEXT) & values.notna()


def seconds(values: pd.Series, *, field: str) -> tuple[pd.Series, pd.Series]:
    """Whole or fractional seconds as Timedelta (NaT where missing), and a note per record whose
    value is not a duration (text, negative, over 100 years): that value is not used."""
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "if":  # numbers as they are
        numbers = values.to_numpy(dtype="float64")
        present = ~np.isnan(numbers)
    else:
        numbers = pd.to_numeric(hashable(values), errors="coerce").astype("float64").to_numpy()
        present = stripped_text(values).notna().to_numpy()  # present and not blank
    with np.errstate(invalid="ignore"):
        bad = (np.isnan(numbers) & present) | (numbers < 0) | (numbers > MAX_SECONDS)
    note = missing_text(values.index)
    if bad.any():
        as_shown = values.where(bad).map(shown, na_action="ignore").astype("str")
        note = (
            f"{field} " + as_shown + " is not a duration in seconds (a non-negative number): not used"
        ).where(bad)
    used = pd.Series(np.where(bad, np.nan, numbers), index=values.index, name=values.name)
    return pd.to_timedelta(used, unit="s"), note


def lookup(table: pd.Series, keys: pd.Series) -> pd.Series:
    """``table[key]`` for each key (NA where absent), aligned on ``keys``' index."""
    return table.reindex(keys.to_numpy()).set_axis(keys.index)


def upper_bound(
    resolved: pd.Series,
    status: pd.Series | None,
    candidates: Sequence[tuple[str, Callable[[pd.Series], pd.Series]]],
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Resolution times for records whose status is resolved but that carry none.

    ``candidates`` are (field, parser) pairs, tried in order: the parser gets the mask of the
    records still without a time and returns timestamps (NaT elsewhere). Returns the completed
    ``resolved``, a note per record given an upper bound (NA elsewhere), and the mask of the
    records left without any time.
    """
    note = missing_text(resolved.index)
    if status is None:
        return resolved, note, pd.Series(False, index=resolved.index)
    gap = status.eq("resolved").fillna(False).astype(bool) & resolved.isna()
    for field, parse in candidates:
        if not gap.any():
            break
        bound = parse(gap).where(gap)
        found = gap & bound.notna()
        resolved = resolved.mask(found, bound)
        note = note.mask(
            found,
            f"status resolved without a resolution time: resolved_at taken from {field} (an upper bound)",
        )
        gap = gap & ~found
    return resolved, note, gap


def ids_or_numbers(ids: pd.Series, numbers: pd.Series | None) -> tuple[pd.Series, pd.Series]:
    """``ids`` with a blank or missing one replaced by the record's ``incident_number``, and a
    note on each record so named (NA elsewhere)."""
    note = missing_text(ids.index)
    if numbers is None or not ids.isna().any():
        return ids, note
    number = name_text(whole_numbers(numbers).astype(object))
    fill = ids.isna() & number.notna()
    if not fill.any():
        return ids, note
    out = ids.astype(object).mask(fill, number)
    note = ("no id: incident_number " + number + " used as the incident id").where(fill)
    return out, note


def namer(label: str, ids: Sequence[Any]) -> Callable[[int], str]:
    def name(pos: int) -> str:
        ident = ids[pos]
        return f"{label} {pos + 1}" + (f" (id {ident})" if ident is not None and ident == ident else "")

    return name
