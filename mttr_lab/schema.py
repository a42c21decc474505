"""The canonical vocabulary: columns, milestones, phases, metrics and severities.

Every other module speaks in these names. Nothing here knows a vendor.
"""

from __future__ import annotations

import reprlib
from typing import Any

import numpy as np
import pandas as pd

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


class InputError(ValueError):
    """Unusable input: names the file, the record, the field, what was found and what was expected."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        record: str | int | None = None,
        field: str | None = None,
        found: object = None,
        expected: str | None = None,
    ) -> None:
        self.file = file
        self.record = record
        self.field = field
        self.found = found
        self.expected = expected
        parts = []
        if file is not None:
            parts.append(str(file))
        if record is not None:
            parts.append(f"record {record}" if isinstance(record, int) else str(record))
        if field is not None:
            parts.append(f"column {field!r}")
        where = ", ".join(parts)
        text = f"{where}: {message}" if where else message
        if found is not None:
            text += f"; found {_shown(found)}"
        if expected is not None:
            text += f"; expected {expected}"
        super().__init__(text)


_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 8
_REPR.maxstring = 100
_REPR.maxother = 100
_REPR.maxlong = 40


def _shown(found: object, limit: int = 120) -> str:
    """A short, well-formed rendering of an offending value: quotes and brackets stay closed."""
    if isinstance(found, str):
        return repr(found if len(found) <= limit else found[: limit - 3] + "...")
    if isinstance(found, np.generic):
        found = found.item()
    try:
        shown = _REPR.repr(found)
    except Exception:  # a value whose repr fails must not hide the error being reported
        shown = f"<{type(found).__name__}>"
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."


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
    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    return severity_of_codes(codes, uniques, mapping, index=raw.index)


def severity_of_codes(
    codes: np.ndarray, uniques: Any, mapping: dict[str, str] | None = None, *, index: pd.Index | None = None
) -> pd.Series:
    """:func:`normalise_severity` of labels given as factorized ``codes`` into ``uniques`` (-1 is NA)."""
    table = dict(DEFAULT_SEVERITY_MAP)
    if mapping:
        bad = {k: v for k, v in mapping.items() if v not in SEVERITIES and v is not None}
        if bad:
            label, value = next(iter(bad.items()))
            raise InputError(
                f"severity_map sends {label!r} to an unknown severity",
                found=value,
                expected=f"one of {', '.join(SEVERITIES)} (or None)",
            )
        table.update({str(k).strip().lower(): v for k, v in mapping.items()})
    index = pd.RangeIndex(len(codes)) if index is None else index
    mapped = []
    for label in uniques:
        key = str(label).strip().lower()
        value = table.get(key)
        if value is None and " - " in key:
            value = table.get(key.split(" - ", 1)[1].strip())
        mapped.append(value)
    categories = pd.Categorical([m for m in mapped], dtype=SEVERITY_DTYPE) if mapped else None
    if categories is None:
        return pd.Series(pd.Categorical([None] * len(codes), dtype=SEVERITY_DTYPE), index=index)
    values = pd.Categorical.from_codes(
        np.where(codes >= 0, categories.codes[np.maximum(codes, 0)], -1), dtype=SEVERITY_DTYPE
    )
    return pd.Series(values, index=index, name="severity")
