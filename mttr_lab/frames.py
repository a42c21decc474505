"""The two frames and the rules every module applies to them.

``incidents`` (one row per record read, from :func:`mttr_lab.read_export`) and ``durations``
(one row per analysed incident, from :func:`mttr_lab.phase_durations`) are ordinary pandas
frames. This module holds their column sets; their kind (a tag in ``DataFrame.attrs``, or the
columns where the attrs are lost) and :func:`require`, the one check every public function makes
of the frame it is given; the time rules (:func:`as_utc`, :func:`default_as_of`,
:func:`usable_times`, :func:`milestone_order`, :class:`Period`) that
:func:`mttr_lab.phase_durations` and :func:`mttr_lab.check_incidents` share, written in
:mod:`mttr_lab.frame_times` and taken from here; and :func:`minutes_observed`, any metric as
minutes plus an observed flag, the statistics' one input. The tables the plots and sentences take
(the output of ``ecdf_table``, ``duration_summary``...) are told apart by their columns in the same
words (:func:`require_table`, :func:`require_row`), so a wrong table gets the one
:class:`FrameKindError` a wrong frame gets. It imports nothing of mttr_lab but
:mod:`mttr_lab.frame_times` and :mod:`mttr_lab.schema`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, NoReturn

import numpy as np
import pandas as pd

from . import frame_times
from .frame_times import *  # noqa: F403  (the time rules, handed on: see frame_times.__all__)
from .schema import METRICS, MILESTONES, PHASES, InputError

__all__ = [
    "DURATIONS",
    "DURATIONS_SIGNATURE",
    "DURATION_COLUMNS",
    "INCIDENTS",
    "TIMELINE_KEYS",
    "FrameKindError",
    "group_keys",
    "kind_of",
    "minutes_observed",
    "require",
    "require_metric",
    "require_row",
    "require_table",
    "tag",
    *frame_times.__all__,
]

Kind = Literal["incidents", "durations"]
INCIDENTS: Kind = "incidents"
DURATIONS: Kind = "durations"

#: The columns a statistic may be asked about: the cumulative metrics, then the phases.
DURATION_COLUMNS: tuple[str, ...] = (*METRICS, *PHASES)
#: Columns only :func:`mttr_lab.phase_durations` makes: a frame with them is a durations frame.
DURATIONS_SIGNATURE: tuple[str, ...] = ("clock_start", "is_open", "open_for")
_DURATIONS_ONLY = frozenset((*DURATIONS_SIGNATURE, *METRICS, "recovery_is_resolution"))

#: Where the kind is kept in ``DataFrame.attrs``.
KIND_ATTR = "mttr_lab.kind"
#: ``(rows, id buffers)`` of an incidents frame whose repeated ids the reader has marked.
_CHECKED_ATTR = "mttr_lab.ids_checked"

_HINT = {INCIDENTS: "pass the incidents frame of read_export", DURATIONS: "pass phase_durations(incidents)"}


class FrameKindError(InputError):
    """A frame of the wrong kind, or lacking the columns of its kind (a ``ValueError``)."""


# --------------------------------------------------------------------------- kinds


def tag(frame: pd.DataFrame, kind: Kind) -> pd.DataFrame:
    """Mark ``frame`` (in place) as an ``incidents`` or ``durations`` frame; returns it."""
    frame.attrs[KIND_ATTR] = kind
    if kind == INCIDENTS and "exclude_reason" in frame.columns:
        frame.attrs[_CHECKED_ATTR] = _id_fingerprint(frame)
    else:
        frame.attrs.pop(_CHECKED_ATTR, None)
    return frame


#: The columns that make a table a timeline (:func:`mttr_lab.read_timeline`): one event per row,
#: not an incident.
TIMELINE_KEYS = frozenset(("incident_id", "at", "kind"))


def kind_of(frame: pd.DataFrame) -> Kind | None:
    """``"incidents"``, ``"durations"``, or None when the frame is recognisably neither.

    Columns only :func:`mttr_lab.phase_durations` makes (``clock_start``, ``is_open``,
    ``open_for``, a metric) mean durations; otherwise the tag in ``attrs`` decides, and
    without one an ``incident_id`` with milestone columns means incidents.
    """
    columns = set(map(str, frame.columns))
    if columns & _DURATIONS_ONLY:
        return DURATIONS
    tagged = frame.attrs.get(KIND_ATTR)
    if tagged in (INCIDENTS, DURATIONS):
        return tagged
    if "incident_id" in columns and columns & set(MILESTONES):
        return INCIDENTS
    return None


def require(
    frame: object,
    kind: Kind,
    *,
    function: str,
    columns: tuple[str, ...] | list[str] = (),
    values_too: bool = False,
) -> pd.DataFrame:
    """Check that ``frame`` is a DataFrame of ``kind`` holding ``columns``; returns it.

    With ``values_too``, anything but a DataFrame (plain minutes, None) passes unchecked: the
    function takes those as well. Of a durations frame, the duration columns among ``columns``
    (the metrics, the phases, ``open_for``: those the function reads) must hold Timedeltas (their
    dtype says so) and none negative (one comparison), as :func:`mttr_lab.phase_durations` makes
    them.

    Raises
    ------
    FrameKindError
        (an :class:`~mttr_lab.InputError`, so a ``ValueError``) naming the function, the kind
        found and what to pass instead: "this is an incidents frame; pass
        phase_durations(incidents)".
    InputError
        Naming the function and a duration column holding something else than Timedeltas (float
        minutes, say), or negative durations (with the first few incidents holding them).
    """
    if not isinstance(frame, pd.DataFrame):
        if values_too:
            return frame
        raise FrameKindError(
            f"{function}: expected the {kind} frame; {_HINT[kind]}",
            found=type(frame).__name__,
        )
    found = kind_of(frame)
    if found is not None and found != kind:
        article = "an" if found == INCIDENTS else "a"
        raise FrameKindError(f"{function}: this is {article} {found} frame; {_HINT[kind]}")
    if found is None and TIMELINE_KEYS <= set(map(str, frame.columns)):
        raise FrameKindError(f"{function}: this is a timeline (of read_timeline); {_HINT[kind]}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise FrameKindError(
            f"{function}: the {kind} frame lacks the column(s) {', '.join(missing)}; {_HINT[kind]}"
        )
    if kind == DURATIONS:
        for column in columns:
            if column in _TIMEDELTAS:
                _check_durations(frame, column, function)
    return frame


#: The columns of a durations frame that hold Timedeltas, never negative ones.
_TIMEDELTAS = frozenset((*DURATION_COLUMNS, "open_for"))
_DURATION_EXPECTED = (
    "Timedelta durations (timedelta64) as phase_durations gives them, e.g. "
    'pd.to_timedelta(minutes, unit="min") for minutes as numbers'
)
_ZERO = pd.Timedelta(0)


def _check_durations(frame: pd.DataFrame, column: str, function: str) -> None:
    """Refuse a duration column that holds anything but Timedeltas (a dtype check), or a negative
    one (one comparison): :func:`mttr_lab.phase_durations` makes neither, and no statistic may
    count either."""
    values = frame[column]
    if isinstance(values, pd.DataFrame):  # two columns of that name
        raise InputError(f"{function}: the durations frame has two columns named {column!r}")
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "m":
        array = values.to_numpy()
        negative = array < np.timedelta64(0, "s")  # NaT compares False
    elif isinstance(dtype, pd.ArrowDtype) and dtype.kind == "m":  # Arrow durations
        negative = (values < _ZERO).fillna(False).to_numpy(dtype=bool)
    elif pd.api.types.is_object_dtype(dtype) and _timedelta_objects(
        values
    ):  # Timedeltas as objects: the slow path
        negative = (pd.to_timedelta(values) < _ZERO).to_numpy(dtype=bool)
    else:
        raise InputError(
            f"{function}: column {column!r} holds {_held(values)}, not durations",
            expected=_DURATION_EXPECTED,
        )
    if negative.any():
        first = values[negative].iloc[0] / pd.Timedelta(minutes=1)
        raise InputError(
            f"{function}: column {column!r} holds {int(negative.sum()):,} negative duration(s), "
            f"such as {first:g} minutes, at {_rows(frame, negative)}",
            expected="durations of zero or more, as phase_durations makes them (NaT where one "
            "cannot be measured); set the wrong ones to pd.NaT or recompute them with phase_durations",
        )


def _timedelta_objects(values: pd.Series) -> bool:
    """Whether a column of objects holds only Timedeltas and missing values."""
    return pd.api.types.infer_dtype(values, skipna=True) in ("timedelta", "empty") or bool(
        values.isna().all()
    )


def _held(values: pd.Series) -> str:
    """What a column holds, in words: "float numbers (float64)"."""
    dtype = values.dtype
    kind = getattr(dtype, "kind", "")
    words = {"f": "float numbers", "i": "integer numbers", "u": "integer numbers", "b": "booleans"}
    if isinstance(dtype, pd.StringDtype):
        return f"text ({dtype})"
    if kind in words:
        return f"{words[kind]} ({dtype})"
    if kind == "M":
        return f"timestamps ({dtype})"
    if pd.api.types.is_object_dtype(
        dtype
    ):  # what the objects are, as pandas infers it ("floating", "mixed", ...)
        return f"Python objects ({pd.api.types.infer_dtype(values, skipna=True)}, dtype object)"
    return f"values of dtype {dtype}"


def _rows(frame: pd.DataFrame, mask: np.ndarray, shown: int = 3) -> str:
    """The first few rows ``mask`` marks, by incident id where the frame has them."""
    at = np.flatnonzero(mask)
    if "incident_id" in frame.columns:
        names = [str(v) for v in frame["incident_id"].to_numpy()[at[:shown]]]
        text = "incident " + ", ".join(names)
    else:
        text = "row " + ", ".join(repr(v) for v in frame.index[at[:shown]])
    return text + (f" and {len(at) - shown:,} more" if len(at) > shown else "")


def require_metric(durations: object, metric: str, *, function: str) -> pd.DataFrame:
    """:func:`require` a durations frame holding ``metric`` (a phase or metric) and its censoring."""
    if metric not in DURATION_COLUMNS:
        raise ValueError(f"metric must be one of {', '.join(DURATION_COLUMNS)}, not {metric!r}")
    return require(durations, DURATIONS, function=function, columns=(*DURATIONS_SIGNATURE, metric))


def group_keys(frame: pd.DataFrame, by: str | Sequence[str] | None) -> list[str]:
    """The grouping columns ``by`` names (none for None); a name the frame lacks is refused."""
    if by is None:
        return []
    keys = [by] if isinstance(by, str) else list(by)
    missing = [k for k in keys if k not in frame.columns]
    if missing:
        raise ValueError(f"by={missing[0]!r} is not a column of the durations frame")
    return keys


def _id_fingerprint(frame: pd.DataFrame) -> str | None:
    """Rows and Arrow buffer addresses of the ids: any edit of the ids makes new buffers.

    A string, since pandas deep-copies ``attrs`` on every operation.
    """
    array = getattr(frame["incident_id"].array, "_pa_array", None)
    if array is None:
        return None
    try:
        buffers = [c.buffers()[1] for c in array.chunks]
        return f"{len(frame)}:" + ",".join(str(b.address) for b in buffers if b is not None)
    except (AttributeError, IndexError, TypeError):
        return None


def ids_checked(frame: pd.DataFrame) -> bool:
    """Whether the reader already marked the repeated ids of this very frame (unedited)."""
    known = frame.attrs.get(_CHECKED_ATTR)
    return known is not None and frame.attrs.get(KIND_ATTR) == INCIDENTS and known == _id_fingerprint(frame)


# --------------------------------------------------------------------------- censoring

#: Where each duration's clock starts, for the censoring time of open incidents.
STARTS: dict[str, str] = {
    "time_to_detect": "started_at",
    "time_to_respond": "detected_at",
    "time_to_repair": "acknowledged_at",
    "time_to_recover": "clock_start",
    "time_to_resolve": "clock_start",
    **{phase: begin for phase, (begin, _end) in PHASES.items()},
}


def minutes_observed(durations: pd.DataFrame, *, metric: str = "time_to_recover") -> pd.DataFrame:
    """Each incident's ``metric`` in minutes, and whether it is observed (lifelines' event flag).

    A closed incident, or an open one whose ``metric`` is already observed, contributes its
    duration (``observed`` True); an open one still waiting contributes the time from the
    metric's start milestone to ``as_of`` (recovered from ``clock_start + open_for``),
    ``observed`` False: right-censored. Where the metric cannot be measured (a milestone absent
    or out of order) ``minutes`` is NaN.

    Returns
    -------
    DataFrame
        Indexed like ``durations``: ``minutes`` (float), ``observed`` (bool), ``censored``
        (bool: open and waiting, the complement of ``observed`` where ``minutes`` is known).
    """
    if metric not in STARTS:
        raise ValueError(f"metric must be one of {', '.join(STARTS)}, not {metric!r}")
    require(
        durations,
        DURATIONS,
        function="minutes_observed",
        columns=(metric, STARTS[metric], "clock_start", "open_for", "is_open"),
    )
    minutes, censored = observed_arrays(durations, metric)
    return pd.DataFrame(
        {"minutes": minutes, "observed": ~np.isnan(minutes) & ~censored, "censored": censored},
        index=durations.index,
    )


_MINUTE = pd.Timedelta(minutes=1)


def _times(column: pd.Series) -> np.ndarray | None:
    """A datetime or timedelta column as its NumPy array (UTC for aware times), else None."""
    if isinstance(column.dtype, pd.DatetimeTZDtype):  # its UTC values, without a copy
        return column.to_numpy(dtype=f"datetime64[{column.dtype.unit}]")
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "mM":
        return column.to_numpy()
    return None


def observed_arrays(durations: pd.DataFrame, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """:func:`minutes_observed`'s ``minutes`` (float) and ``censored`` (bool) as NumPy arrays,
    for a durations frame already checked.

    Computed on the columns' NumPy arrays (the divisions and differences pandas makes, its
    overflow checks for the few waiting rows), or through pandas for columns that are not plain
    NumPy datetimes and timedeltas (a nullable ``is_open``, times as objects).
    """
    columns = (metric, STARTS[metric], "clock_start", "open_for")
    times = [_times(durations[c]) for c in columns]
    is_open = durations["is_open"].to_numpy()
    if any(t is None for t in times) or is_open.dtype != bool:
        observed = durations[metric] / _MINUTE
        waiting = (durations["clock_start"] + durations["open_for"] - durations[STARTS[metric]]) / _MINUTE
        censored = observed.isna() & durations["is_open"] & (waiting >= 0)
        minutes = observed.where(observed.notna(), waiting.where(censored))
        return minutes.to_numpy(dtype=float), censored.fillna(False).to_numpy(dtype=bool)
    duration, start, clock_start, open_for = times
    minutes = duration / _MINUTE
    # Only open incidents whose duration is unknown wait: their time to as_of, when not negative.
    waits = np.flatnonzero(np.isnan(minutes) & is_open)
    # pandas arrays for these few rows: its overflow checks
    at = [pd.array(t[waits]) for t in (clock_start, open_for, start)]
    waiting = np.asarray((at[0] + at[1] - at[2]) / _MINUTE, dtype=float)
    with np.errstate(invalid="ignore"):
        known = waiting >= 0
    censored = np.zeros(len(minutes), dtype=bool)
    censored[waits] = known
    minutes[waits] = np.where(known, waiting, np.nan)
    return minutes, censored


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
