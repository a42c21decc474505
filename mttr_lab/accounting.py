"""How the records of an export were accounted for: read, analysed, excluded, open; findings counted.

The overview the review opens its data-quality section with, apart from the checks that make
the findings (:mod:`mttr_lab.quality`).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .frames import (
    DURATIONS,
    FINDINGS,
    INCIDENTS,
    as_utc,
    begun,
    default_as_of,
    late_times,
    milestone_ints,
    require,
    require_table,
    usable,
)
from .quality import exclusions
from .schema import MILESTONES
from .timeparse import check_timezone

__all__ = ["export_overview", "findings_overview", "source_name"]


def export_overview(
    incidents: pd.DataFrame,
    durations: pd.DataFrame,
    *,
    tz: str = "UTC",
    as_of: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """How the records of an export were accounted for.

    Parameters
    ----------
    tz : str
        The timezone the times are written in (named after them).
    as_of : timestamp, optional
        The review date the open incidents are counted at; by default the latest timestamp in the
        export, as :func:`mttr_lab.phase_durations` takes it.

    Returns
    -------
    DataFrame
        One column ``value`` (text) indexed by: ``records read``, ``analysed``, ``excluded``
        (with a reason, or not begun by ``as_of``: ``records read = analysed + excluded`` when
        the durations were computed with the same ``as_of``), ``open`` (analysed and unresolved at the
        review date), ``sources`` (the vendors' names), ``first incident``, ``last incident``
        (clock start) and ``review date``, the times in ``tz``.
    """
    require(incidents, INCIDENTS, function="export_overview")
    require(durations, DURATIONS, function="export_overview", columns=("clock_start", "is_open"))
    check_timezone(tz, function="export_overview")
    reason = exclusions(incidents)
    start = durations["clock_start"]
    at = default_as_of(incidents) if as_of is None else as_utc(as_of)
    later = int((_not_begun(incidents, at) & reason.isna().to_numpy()).sum())
    sources = (
        ", ".join(sorted(source_name(s) for s in incidents["source"].dropna().unique()))
        if "source" in incidents
        else ""
    )

    def local(value: pd.Timestamp) -> str:
        return "" if pd.isna(value) else f"{value.tz_convert(tz):%Y-%m-%d %H:%M} {tz}"

    rows = {
        "records read": len(incidents),
        "analysed": len(durations),
        "excluded": int(reason.notna().sum()) + later,
        "open": int(durations["is_open"].sum()),
        "sources": sources,
        "first incident": local(start.min()),
        "last incident": local(start.max()),
        "review date": local(at),
    }
    return pd.DataFrame({"value": [str(v) for v in rows.values()]}, index=pd.Index(list(rows), name=None))


def _not_begun(incidents: pd.DataFrame, as_of: pd.Timestamp) -> np.ndarray:
    """Records with every time more than a day after ``as_of``: not begun by then, left out."""
    if not all(name in incidents.columns for name in MILESTONES) or pd.isna(as_of):
        return np.zeros(len(incidents), dtype=bool)
    raw, unit = milestone_ints(incidents)
    _, absurd = usable(raw, unit, as_of)
    late = late_times(raw, absurd, unit)
    recorded = np.logical_or.reduce([raw[name] != np.iinfo(np.int64).min for name in MILESTONES])
    return recorded & ~begun(raw, late)


def source_name(source: str) -> str:
    """A source as people name it: ``firehydrant`` is FireHydrant, ``incidentio`` incident.io."""
    from .readers import GENERIC_FORMATS, available

    if source in GENERIC_FORMATS:
        return f"a {source.upper()} file"
    module = available().get(source)
    name = getattr(module, "SIGNATURE", (source,))[0]
    brand = re.sub(r"^an? (?=[A-Z]|incident\.io)", "", name)  # a vendor by its name, else "an event log"
    return re.sub(r" export$", "", brand) if brand != name else name


def findings_overview(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings counted by level, column and the action taken.

    Returns
    -------
    DataFrame
        Indexed by ``level``, ``column``, ``action``; one column ``findings`` (a count),
        errors first. Without findings, empty, with the same index names and column.
    """
    require_table(
        findings,
        function="findings_overview",
        columns=("level", "column", "action"),
        expected=FINDINGS,
    )
    # No findings (a clean export) count to an empty table with the same index as any other.
    order = pd.CategoricalDtype(["error", "warning", "info"], ordered=True)
    keyed = findings.assign(level=findings["level"].astype(order))
    return keyed.groupby(["level", "column", "action"], observed=True).size().to_frame("findings")
