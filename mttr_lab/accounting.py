"""How the records of an export were accounted for: read, analysed, excluded, open; findings counted.

The overview the review opens its data-quality section with, apart from the checks that make
the findings (:mod:`mttr_lab.quality`). Also what every table the plots and sentences take is,
told by its columns (:func:`require_table`, :func:`require_row`): the lowest floor they all
import, so that a wrong table gets the one :class:`~mttr_lab.FrameKindError` a wrong frame gets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NoReturn

import numpy as np
import pandas as pd

from .frames import (
    DURATIONS,
    INCIDENTS,
    FrameKindError,
    as_utc,
    begun,
    default_as_of,
    kind_of,
    late_times,
    milestone_ints,
    require,
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


# --------------------------------------------------------------------------- tables

#: What the findings functions take, for their errors.
FINDINGS = "the findings of check_incidents(incidents)"

#: The tables the plots and sentences take, by what makes them: ``(function, noun, columns)``,
#: each told apart by columns (a row: index labels) that it alone holds, the most specific first.
TABLES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("check_incidents(incidents)", "findings", ("problem", "action", "level")),
    ("findings_overview(findings)", "table", ("findings",)),
    ("export_overview(incidents, durations)", "table", ("value",)),
    ("ecdf_table(durations)", "table", ("minutes", "ecdf", "km")),
    ("censored_minutes(durations)", "table", ("minutes", "censored")),
    ("phase_breakdown(durations)", "table", ("incidents", "detection", "detection_observed")),
    ("duration_trend(durations)", "table", ("period_start", "period_end")),
    ("rolling_trend(durations)", "table", ("window_start", "window_end")),
    ("time_class_summary(with_calendar(durations, tz=...))", "table", ("incidents_per_hour",)),
    ("compare_periods(durations, before=..., after=...)", "table", ("n_before", "n_after")),
    ("duration_summary(durations)", "table", ("count", "observed", "median")),
    ("review_bounds(durations)", "bounds", ("previous_label", "previous_start")),
)
_HOUR_WEEKDAY = "hour_weekday_table(with_calendar(durations, tz=...))"


def table_name(given: object) -> str:
    """What ``given`` is, in the words of an error: "a durations frame", "the table of
    ecdf_table(durations)", "one row of duration_summary(durations)", "a list"."""
    if isinstance(given, pd.DataFrame):
        kind = kind_of(given)
        if kind is not None:
            return f"{'an' if kind == INCIDENTS else 'a'} {kind} frame"
        if given.columns.name == "weekday" and given.index.name == "hour":
            return f"the table of {_HOUR_WEEKDAY}"
        for maker, noun, columns in TABLES:
            if all(c in given.columns for c in columns):
                return f"the {noun} of {maker}"
        names = [str(c) for c in given.columns]
        if not names:
            return "a table without columns"
        return "a table with the columns " + ", ".join(names[:6]) + (", ..." if len(names) > 6 else "")
    if isinstance(given, pd.Series):
        labels = {str(label) for label in given.index}
        for maker, noun, columns in TABLES:
            if labels.issuperset(columns):
                return f"the bounds of {maker}" if noun == "bounds" else f"one row of {maker}"
        kind = _row_kind(given)
        if kind is not None:
            return f"one row of {'an' if kind == INCIDENTS else 'a'} {kind} frame"
        return "a Series" if given.name is None else f"a Series named {given.name}"
    return "None" if given is None else f"a {type(given).__name__}"


def _row_kind(row: pd.Series) -> str | None:
    """The kind of frame ``row`` is a row of (its labels tell), None for another row."""
    return kind_of(pd.DataFrame(columns=row.index))


def refuse(given: object, *, function: str, expected: str, needs: Sequence[str] = ()) -> NoReturn:
    """Raise the :class:`~mttr_lab.FrameKindError` of ``function`` given ``given``: what it is
    (with the columns it lacks, for a table of no kind), and what to pass instead."""
    what = table_name(given)
    # What it lacks, where that is the news: a table of no known kind, or of the kind expected.
    telling = what.startswith(("a table", "a Series")) or any(
        maker in expected and maker in what for maker, _noun, _columns in TABLES
    )
    if isinstance(given, pd.DataFrame) and telling:
        missing = [str(c) for c in needs if c not in given.columns]
        if missing:
            what += f" (without the column{'s' if len(missing) > 1 else ''} {', '.join(missing)})"
    elif isinstance(given, pd.Series) and telling:
        missing = [str(c) for c in needs if c not in given.index]
        if missing:
            what += f" (without {', '.join(missing)})"
    raise FrameKindError(f"{function}: this is {what}; pass {expected}")


def require_table(
    table: object,
    *,
    function: str,
    expected: str,
    columns: Sequence[str] = (),
    frames_too: bool = False,
) -> pd.DataFrame:
    """Check that ``table`` is a table holding ``columns``, not an incidents or durations frame
    (unless ``frames_too``: a durations frame joined with the table is one); returns it.

    Raises
    ------
    FrameKindError
        Naming ``function``, what ``table`` is and ``expected`` (what to pass, and the function
        that makes it): "plot_ecdf: this is a durations frame; pass the table of
        ecdf_table(durations)".
    """
    if (
        isinstance(table, pd.DataFrame)
        and (frames_too or kind_of(table) is None)
        and all(c in table.columns for c in columns)
    ):
        return table
    refuse(table, function=function, expected=expected, needs=columns)


def require_row(row: object, *, function: str, expected: str, labels: Sequence[str] = ()) -> pd.Series:
    """Check that ``row`` is one row (a Series) holding ``labels``; returns it.

    Raises
    ------
    FrameKindError
        As :func:`require_table`: "headline: this is the table of duration_summary(durations);
        pass one row of duration_summary(durations), such as duration_summary(durations).loc["all"]".
    """
    if isinstance(row, pd.Series) and all(label in row.index for label in labels):
        return row
    refuse(row, function=function, expected=expected, needs=labels)
