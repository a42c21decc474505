"""The canonical vocabulary: columns, milestones, phases, metrics and severities.

Every other module speaks in these names. Nothing here knows a vendor.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .cells import factorized, short_cells
from .errors import InputError

__all__ = [
    "DEFAULT_SEVERITY_MAP",
    "INCIDENT_COLUMNS",
    "METRICS",
    "MILESTONES",
    "PHASES",
    "SEVERITIES",
    "SEVERITY_DTYPE",
    "TIMESTAMP_DTYPE",
    "InputError",
    "normalise_severity",
    "severity_of_codes",
]

#: Milestone timestamp columns, in the order an incident lives through them.
MILESTONES: tuple[str, ...] = (
    "started_at",
    "detected_at",
    "acknowledged_at",
    "diagnosed_at",
    "recovered_at",
    "resolved_at",
)

#: Phase name -> (start milestone, end milestone): segments between consecutive milestones.
PHASES: dict[str, tuple[str, str]] = {
    "detection": ("started_at", "detected_at"),
    "response": ("detected_at", "acknowledged_at"),
    "diagnosis": ("acknowledged_at", "diagnosed_at"),
    "repair": ("diagnosed_at", "recovered_at"),
    "followup": ("recovered_at", "resolved_at"),
}

#: The cumulative metrics of the MTTx family.
METRICS: tuple[str, ...] = (
    "time_to_detect",
    "time_to_respond",
    "time_to_repair",
    "time_to_recover",
    "time_to_resolve",
)

#: Normalised severities, lowest first.
SEVERITIES: tuple[str, ...] = ("low", "medium", "high", "critical")
SEVERITY_DTYPE = pd.CategoricalDtype(list(SEVERITIES), ordered=True)

#: Timestamps are always timezone-aware UTC.
TIMESTAMP_DTYPE = pd.DatetimeTZDtype(unit="us", tz="UTC")

#: The canonical columns of an ``incidents`` frame, in order.
INCIDENT_COLUMNS: tuple[str, ...] = (
    "incident_id",
    "title",
    "service",
    "team",
    "severity",
    "severity_raw",
    "source",
    *MILESTONES,
    "record",
    "exclude_reason",
    "detection_channel",
)


#: Labels many tools use, lower-cased, mapped to the normalised severities.
DEFAULT_SEVERITY_MAP: dict[str, str] = {
    **dict.fromkeys(
        [
            "critical",
            "crit",
            "sev0",
            "sev1",
            "sev-0",
            "sev-1",
            "sev 0",
            "sev 1",
            "p0",
            "p1",
            "blocker",
            "emergency",
            "highest",
            "outage",
            "major outage",
        ],
        "critical",
    ),
    **dict.fromkeys(["high", "major", "sev2", "sev-2", "sev 2", "p2", "urgent", "partial outage"], "high"),
    **dict.fromkeys(
        ["medium", "moderate", "minor", "normal", "sev3", "sev-3", "sev 3", "p3", "degraded performance"],
        "medium",
    ),
    **dict.fromkeys(
        [
            "low",
            "lowest",
            "trivial",
            "none",
            "info",
            "informational",
            "planning",
            "sev4",
            "sev5",
            "sev-4",
            "sev-5",
            "sev 4",
            "sev 5",
            "p4",
            "p5",
        ],
        "low",
    ),
}


#: Severity -> its code in :data:`SEVERITY_DTYPE` (None: missing).
_SEVERITY_CODES: dict[str | None, int] = {None: -1, **{name: code for code, name in enumerate(SEVERITIES)}}


def normalise_severity(raw: pd.Series, mapping: dict[str, str] | None = None) -> pd.Series:
    """Map source severity labels onto the ordered ``low < medium < high < critical`` categorical.

    Labels are compared lower-cased and stripped; ``mapping`` (label -> severity) takes precedence
    over :data:`DEFAULT_SEVERITY_MAP`. A label such as ``"3 - Moderate"`` is also tried as
    ``"moderate"``. Unknown labels become NA (``check_incidents`` reports them).

    Returns
    -------
    Series
        Ordered categorical with the categories of :data:`SEVERITIES`.
    """
    raw = pd.Series(raw)
    cells = short_cells(raw)
    codes, uniques = (None if cells is None else factorized(cells)) or pd.factorize(raw, use_na_sentinel=True)
    return severity_of_codes(codes, uniques, mapping, index=raw.index)


def _severity_table(mapping: dict[str, str] | None) -> dict[str, str]:
    """Lower-cased label -> severity: the defaults, then ``mapping`` (checked)."""
    if not mapping:
        return DEFAULT_SEVERITY_MAP
    bad = {k: v for k, v in mapping.items() if v not in SEVERITIES and v is not None}
    if bad:
        label, value = next(iter(bad.items()))
        raise InputError(
            f"severity_map sends {label!r} to an unknown severity",
            found=value,
            expected=f"one of {', '.join(SEVERITIES)} (or None)",
        )
    return {**DEFAULT_SEVERITY_MAP, **{str(k).strip().lower(): v for k, v in mapping.items()}}


def _severity_code(label: Any, table: dict[str, str]) -> int:
    """The code in :data:`SEVERITY_DTYPE` of one label (-1 where it names no severity)."""
    key = str(label).strip().lower()
    value = table.get(key)
    if value is None and " - " in key:
        value = table.get(key.split(" - ", 1)[1].strip())
    return _SEVERITY_CODES[value]


def severity_of_codes(
    codes: np.ndarray, uniques: Any, mapping: dict[str, str] | None = None, *, index: pd.Index | None = None
) -> pd.Series:
    """:func:`normalise_severity` of labels given as factorized ``codes`` into ``uniques`` (-1 is NA)."""
    table = _severity_table(mapping)
    index = pd.RangeIndex(len(codes)) if index is None else index
    mapped = np.array([_severity_code(label, table) for label in uniques], dtype=np.int8)
    if not len(mapped):
        missing = pd.Categorical.from_codes(np.full(len(codes), -1, dtype=np.int8), dtype=SEVERITY_DTYPE)
        return pd.Series(missing, index=index)
    values = pd.Categorical.from_codes(
        np.where(codes >= 0, mapped[np.maximum(codes, 0)], -1), dtype=SEVERITY_DTYPE
    )
    return pd.Series(values, index=index, name="severity")
