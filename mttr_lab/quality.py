"""Data-quality findings: what was excluded or looks wrong, and what was done about it.

Every record of an export is either analysed or listed here with its reason, so that
``len(incidents) == len(phase_durations(incidents)) + number of excluded records``.
"""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

from .frames import (
    INCIDENTS,
    as_utc,
    begun,
    count,
    default_as_of,
    fmt_time,
    ids_checked,
    late_times,
    milestone_ints,
    milestone_order,
    open_at,
    require,
    usable,
)
from .readers._arrow_text import has_control_bytes
from .readers._build import POLLED_REASON
from .schema import MILESTONES, InputError
from .timeparse import check_timezone
from .units import format_minutes

__all__ = [
    "FINDING_COLUMNS",
    "analysed",
    "check_incidents",
    "exclusions",
    "resolved_from",
]

FINDING_COLUMNS = ("incident_id", "record", "column", "problem", "action", "level")
EXCLUDED = "excluded from analysis"
_NAT = np.iinfo(np.int64).min
NOT_IN_ORDER = (
    "not used for the phases that start or end at it; each metric is measured from its own "
    "two endpoints when they are in order"
)


#: What is done with a status page's retroactive post (announced after the incident ended).
RETROACTIVE = (
    "the post is the detection, so the phases from detection are not measured; the time to "
    "recover runs from the incident's start where one is recorded"
)
#: Sources that are public status pages (their incidents are posts, often after the fact).
STATUS_PAGES = ("statuspage", "gcp_status")
#: A status page's milestones that are posts (the first, investigating, identified): an end
#: before one of them was posted after the incident ended.
_POSTS = ("detected_at", "acknowledged_at", "diagnosed_at")

NO_START = "no start time (neither started_at nor detected_at)"
DUPLICATE = "duplicate id: a later version of this incident is kept"
NO_ID = "no incident id"


def _repeated(incidents: pd.DataFrame, live: np.ndarray) -> np.ndarray | None:
    """Live rows whose id repeats later (the last is kept); None when no id repeats.

    Skipped for a reader's own frame, unedited: the reader has marked its repeated ids.
    """
    if "exclude_reason" in incidents.columns and ids_checked(incidents):
        return None
    ids = incidents["incident_id"]
    candidates = ids[live]
    if candidates.empty or pd.Index(candidates).is_unique:
        return None
    return (ids.where(live).duplicated(keep="last") & live).to_numpy(dtype=bool)


def _live(incidents: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    given = (
        incidents["exclude_reason"].notna().to_numpy(dtype=bool)
        if "exclude_reason" in incidents.columns
        else np.zeros(len(incidents), dtype=bool)
    )
    no_id = incidents["incident_id"].isna().to_numpy(dtype=bool)
    no_start = (incidents["started_at"].isna() & incidents["detected_at"].isna()).to_numpy(dtype=bool)
    return given, no_id, no_start


def exclusions(incidents: pd.DataFrame) -> pd.Series:
    """Why each record is not analysed (NA for the analysed ones).

    Reasons: the reader's ``exclude_reason`` (not an incident, superseded version, no id),
    a repeated ``incident_id`` (when the frame was not built by a reader, or was edited since;
    the last is kept), or no start time at all.

    Returns
    -------
    Series of str
        Indexed like ``incidents``.
    """
    given, no_id, no_start = _live(incidents)
    if given.any():
        reason = incidents["exclude_reason"].astype("str")
        if (reason.notna().to_numpy() & ~given).any():  # text made of a value that was missing
            reason = reason.where(pd.Series(given, index=incidents.index))
    else:
        name = "exclude_reason" if "exclude_reason" in incidents.columns else None
        reason = pd.Series(pd.NA, index=incidents.index, dtype="str", name=name)
    repeated = _repeated(incidents, ~given & ~no_id)
    if repeated is not None:
        reason = reason.mask(repeated, DUPLICATE)
    # (each reason only where there is one to give: a mask on text rewrites the whole column)
    if no_id.any():
        reason = reason.mask(reason.isna() & no_id, NO_ID)
    if no_start.any():
        reason = reason.mask(reason.isna() & no_start, NO_START)
    return reason


def analysed(incidents: pd.DataFrame) -> pd.Series:
    """Boolean mask of the records that the analysis uses (``exclusions(incidents).isna()``)."""
    return pd.Series(analysed_mask(incidents), index=incidents.index)


def analysed_mask(incidents: pd.DataFrame) -> np.ndarray:
    """:func:`analysed` as a NumPy array."""
    given, no_id, no_start = _live(incidents)
    keep = ~given & ~no_id
    repeated = _repeated(incidents, keep)
    if repeated is not None:
        keep &= ~repeated
    return keep & ~no_start


def _status_page(frame: pd.DataFrame) -> np.ndarray:
    """Which rows come from a public status page."""
    if "source" not in frame.columns:
        return np.zeros(len(frame), dtype=bool)
    return frame["source"].isin(STATUS_PAGES).to_numpy(dtype=bool)


#: The columns the checks read; the rest (titles, an export's own columns) is never copied.
_CHECKED = ("incident_id", "record", "file", "source", "severity", "severity_raw", "note", *MILESTONES)


#: What a check that finds nothing gives (left out before the findings are joined; never changed).
_NONE = pd.DataFrame(columns=list(FINDING_COLUMNS))


def _finding(frame: pd.DataFrame, mask, column: str, problem, action: str, level: str) -> pd.DataFrame:
    if not np.any(mask):
        return _NONE
    # Column by column with the mask: a frame's row selection takes every column by position,
    # and pyarrow takes from a text column of many chunks by joining them first (a copy of it).
    mask = np.asarray(mask, dtype=bool)
    rows = pd.DataFrame({c: frame[c][mask] for c in ("incident_id", "record", "file") if c in frame.columns})
    if rows.empty:
        return _NONE
    # A message may be given for the flagged rows only: text is made for those, not for all (or
    # made only when a row is flagged: a function giving it).
    problem = problem() if callable(problem) else problem
    problems = problem if isinstance(problem, str) else problem.reindex(rows.index)
    out = pd.DataFrame(
        {
            "incident_id": rows["incident_id"],
            "record": rows["record"] if "record" in rows.columns else pd.Series(np.nan, index=rows.index),
            "column": column,
            "problem": problems,
            "action": action,
            "level": level,
        }
    )
    if "file" in rows.columns:  # several files read as one export: records are numbered per file
        out.insert(1, "file", rows["file"])
    return out


def _fmt(stamps: pd.Series, tz: str = "UTC") -> pd.Series:
    """Times in a message: to the second, with their zone (never "10:58 is before 10:58"), in ``tz``."""
    # The zone's abbreviation (CET, CEST) tells the two 02:40 of a night when clocks go back apart.
    if tz != "UTC":
        try:
            return stamps.dt.tz_convert(tz).dt.strftime("%Y-%m-%d %H:%M:%S %Z")
        except (OverflowError, ValueError):  # a time at pandas' limits has no local wall time
            pass
    return stamps.dt.strftime("%Y-%m-%d %H:%M:%S UTC")


def _stamps(values: np.ndarray, unit: str, index: pd.Index) -> pd.Series:
    """Times given as int64 counts of ``unit`` (a few rows: the ones a message quotes)."""
    return pd.Series(values.view(f"M8[{unit}]"), index=index).dt.tz_localize("UTC")


def check_incidents(
    incidents: pd.DataFrame,
    *,
    as_of: pd.Timestamp | str | None = None,
    max_duration: pd.Timedelta | str = "7D",
    tz: str = "UTC",
) -> pd.DataFrame:
    """Data-quality findings, one row per finding.

    Checks: records not analysed (with the reason), milestones out of order, missing start
    or severity, unrecognised severity labels, timestamps later than ``as_of``, open
    incidents (censored, not dropped), incidents open or resolved after more than
    ``max_duration``, an export that looks chosen by when its incidents were resolved (one
    finding: earlier periods look slower than they were), and any remark a reader left in a
    ``note`` column.

    Parameters
    ----------
    incidents : DataFrame
        The canonical ``incidents`` frame.
    as_of : timestamp, optional
        The review date, the moment the analysis looks from; defaults to the export's latest
        timestamp. Given earlier, times more than a day after it had not happened by then (see
        :func:`mttr_lab.phase_durations`).
    max_duration : Timedelta or str
        Durations longer than this (positive: "7D", "12h", a Timedelta) are flagged as
        suspicious (kept as recorded).
    tz : str
        The team's timezone: the times quoted in ``problem`` and ``action`` are written in it.

    Returns
    -------
    DataFrame
        ``incident_id``, ``file`` (only where several files were read as one export),
        ``record`` (1-based position in its file), ``column``, ``problem``, ``action``,
        ``level`` (``"error"``: the value is wrong and was not used; ``"warning"``: excluded
        or doubtful; ``"info"``: handled as documented). Sorted by file and record.
    """
    require(incidents, INCIDENTS, function="check_incidents")
    longest = _max_duration(max_duration)
    check_timezone(tz, function="check_incidents")
    frame = incidents.reset_index(drop=True)
    if frame.empty:
        return _no_findings()
    as_of = default_as_of(frame) if as_of is None else as_utc(as_of)
    reason = exclusions(frame)
    excluded = reason.notna()
    checked = frame[[c for c in _CHECKED if c in frame.columns]]
    live = checked.loc[~excluded] if excluded.any() else checked
    times, usable_times, unit, opened = _time_findings(live, as_of, tz)
    polled = reason.eq(POLLED_REASON).fillna(False).astype(bool) if excluded.any() else excluded
    parts = [
        _finding(frame, excluded & ~polled, "incident_id", reason, EXCLUDED, "warning"),
        *_polled_findings(frame, polled),
        *times,
        *_severity_findings(live),
        *_control_findings(live),
        *_duration_findings(live, usable_times, opened, unit, as_of, longest, tz),
        *_selection_findings(live, usable_times, unit, longest, tz),
    ]
    if "note" in live.columns:  # a reader's remark on a record (e.g. a doubtful unit or a bound)
        noted = live["note"].notna()
        parts.append(
            _finding(live, noted, "note", live["note"].astype("str"), "kept; see the note", "warning")
        )

    parts = [p for p in parts if not p.empty]
    if not parts:
        return _no_findings()
    findings = pd.concat(parts, ignore_index=True)
    findings["record"] = findings["record"].astype("Int64")
    for c in ("incident_id", "column", "problem", "action", "level"):
        findings[c] = findings[c].astype("str").where(findings[c].notna())
    order = ["file", "record", "column"] if "file" in findings.columns else ["record", "column"]
    return findings.sort_values(order, kind="stable", na_position="last").reset_index(drop=True)


#: What ``max_duration`` must be, in the error that refuses anything else.
MAX_DURATION_EXPECTED = 'a positive duration such as "7D", "12h" or pd.Timedelta(days=7)'


def _max_duration(value: object) -> pd.Timedelta:
    """``max_duration`` as a Timedelta: text pandas reads as one, or a timedelta; anything else
    (words, a bare number pandas would read as nanoseconds, zero or less) is refused."""
    if isinstance(value, (str, datetime.timedelta, np.timedelta64)):
        try:
            span = pd.Timedelta(value)
        except (ValueError, TypeError, OverflowError):
            span = None
        if isinstance(span, pd.Timedelta) and span > pd.Timedelta(0):
            return span
    raise InputError(
        "check_incidents: max_duration is not a positive duration",
        found=value,
        expected=MAX_DURATION_EXPECTED,
    )


def _polled_findings(frame: pd.DataFrame, polled: pd.Series) -> list[pd.DataFrame]:
    """One finding for the earlier snapshots of a polling history, not one per copy."""
    if not polled.any():
        return []
    rows = frame.loc[polled]
    copies, incidents = len(rows), rows["incident_id"].nunique()
    files = rows["file"].nunique() if "file" in rows.columns else 1
    problem = (
        f"{copies:,} repeated record{'s' if copies != 1 else ''} of {incidents:,} "
        f"incident{'s' if incidents != 1 else ''} merged, latest kept (a polling history"
        + (f" in {files} files)" if files > 1 else ")")
    )
    file = [rows["file"].iloc[0] if files == 1 else pd.NA] if "file" in rows.columns else None
    return [_export_finding([pd.NA], "incident_id", problem, EXCLUDED, "info", file=file)]


def _export_finding(
    incident_id: object, column: str, problem: str, action: str, level: str, *, file: object = None
) -> pd.DataFrame:
    """One finding about the whole export: no record; ``incident_id`` and ``file`` (where the
    findings have a file column; None where they have none) given as the column's one value."""
    finding = {"incident_id": incident_id}
    if file is not None:
        finding["file"] = file
    finding.update(record=[np.nan], column=[column], problem=[problem], action=[action], level=[level])
    return pd.DataFrame(finding)


#: Incidents that began more than ``max_duration`` before the export's first resolution, of those
#: closed, from which the export looks chosen by when its incidents were resolved (and at least
#: :data:`SELECTED_LEAST` of them).
SELECTED_SHARE = 0.05
SELECTED_LEAST = 10


def resolved_from(
    incidents: pd.DataFrame,
    *,
    as_of: pd.Timestamp | str | None = None,
    max_duration: pd.Timedelta | str = "7D",
) -> pd.Timestamp | None:
    """The first resolution of an export that looks chosen by when its incidents were resolved;
    None for any other export.

    Chosen so: no incident was resolved before that moment, yet at least :data:`SELECTED_SHARE`
    of the closed incidents (and :data:`SELECTED_LEAST`) began more than ``max_duration`` before
    it. Of the incidents that began before such an extract's window it holds only the long ones,
    so a period before this moment looks slower than it was (:func:`check_incidents` says so in
    one finding; :func:`mttr_lab.comparison_text` with a comparison that reaches before it).
    """
    require(incidents, INCIDENTS, function="resolved_from")
    frame = incidents.loc[analysed_mask(incidents)]
    if frame.empty:
        return None
    at = default_as_of(frame) if as_of is None else as_utc(as_of)
    raw, unit = milestone_ints(frame)
    times, _ = usable(raw, unit, at)
    found = _chosen(times, unit, _max_duration(max_duration))
    return None if found is None else pd.Timestamp(found[0], unit=unit, tz="UTC")


def _chosen(
    usable: dict[str, np.ndarray], unit: str, limit: pd.Timedelta
) -> tuple[int, np.ndarray, np.ndarray, np.ndarray] | None:
    """:func:`resolved_from` on usable times: the first resolution, the starts, which incidents are
    closed, and which of them began more than ``limit`` before it; None for an export not so chosen."""
    started, resolved = usable["started_at"], usable["resolved_at"]
    start = np.where(started != _NAT, started, usable["detected_at"])
    closed = (start != _NAT) & (resolved != _NAT)
    if closed.sum() < SELECTED_LEAST:
        return None
    first = int(resolved[closed].min())
    early = closed & (start < first - count(limit, unit))
    if early.sum() < max(SELECTED_LEAST, SELECTED_SHARE * closed.sum()):
        return None
    return first, start, closed, early


def _selection_findings(
    live: pd.DataFrame, usable: dict[str, np.ndarray], unit: str, limit: pd.Timedelta, tz: str
) -> list[pd.DataFrame]:
    """One finding where the export holds incidents by when they were resolved, not when they
    began (:func:`resolved_from`): earlier periods look slower than they were."""
    found = _chosen(usable, unit, limit)
    if found is None:
        return []
    first, start, closed, early = found

    def day(value: int) -> str:
        return f"{pd.Timestamp(value, unit=unit, tz='UTC').tz_convert(tz):%Y-%m-%d}"

    share = f"{early.sum() / closed.sum():.0%}".replace("%", " %")
    problem = (
        f"no incident was resolved before {day(first)}, yet {int(early.sum()):,} of the "
        f"{int(closed.sum()):,} closed ({share}) began more than {_in_words(limit)} earlier, from "
        f"{day(int(start[closed].min()))}: the export looks chosen by when incidents were resolved, "
        "so of the incidents that began earlier it holds only the long ones"
    )
    action = f"kept; periods before {day(first)} look slower than they were: compare periods after it"
    file = pd.Series([pd.NA], dtype="str") if "file" in live.columns else None
    return [
        _export_finding(pd.Series([pd.NA], dtype="str"), "resolved_at", problem, action, "warning", file=file)
    ]


def _no_findings() -> pd.DataFrame:
    """An empty findings table (a copy of one made once: building it costs 2 ms)."""
    if not _EMPTY:
        _EMPTY.append(
            pd.DataFrame({c: pd.Series(dtype="str") for c in FINDING_COLUMNS}).astype({"record": "Int64"})
        )
    return _EMPTY[0].copy()


_EMPTY: list[pd.DataFrame] = []


def _time_findings(
    live: pd.DataFrame, as_of: pd.Timestamp, tz: str = "UTC"
) -> tuple[list[pd.DataFrame], dict[str, np.ndarray], str, np.ndarray]:
    """Impossible times, times that had not happened by ``as_of``, milestones out of order and
    times just after ``as_of``; and the usable times (int64 counts of the unit, NaT as int64 min)
    with their unit, and which incidents were open at ``as_of``."""
    parts = []
    raw, unit = milestone_ints(live)
    times, absurd = usable(raw, unit, as_of)
    late = late_times(raw, absurd, unit)
    started, opened = begun(raw, late), open_at(raw, late)
    shown_as_of = fmt_time(as_of) if tz == "UTC" else _fmt(pd.Series([as_of]), tz).iloc[0]
    for name in MILESTONES:  # at pandas' limits: not used at all
        at_limit = absurd[name] & ~late[name]
        if at_limit.any():
            problem = (
                name + " (" + _fmt(live.loc[at_limit, name], tz) + ") is at the limit of what pandas can hold"
            )
            parts.append(_finding(live, at_limit, name, problem, "not used: the time is impossible", "error"))
    for name in MILESTONES:  # more than a day after as_of: it had not happened by then
        if (late[name] & started).any():
            problem = (
                name
                + " ("
                + _fmt(live.loc[late[name], name], tz)
                + f") is more than a day after the review date ({shown_as_of})"
            )
            if name == "resolved_at":
                action = "not used: the incident was still open at the review date (censored there)"
            else:
                action = "not used: it had not happened by the review date"
            parts.append(_finding(live, late[name] & started, name, problem, action, "warning"))
    if not started.all():  # every time after as_of: one finding on the time its clock starts at
        with_start = raw["started_at"] != _NAT
        for name, which in (("started_at", with_start), ("detected_at", ~with_start)):
            later = ~started & which & late[name]
            if later.any():
                problem = (
                    "begins after the review date: "
                    + name
                    + " ("
                    + _fmt(live.loc[later, name], tz)
                    + f") is more than a day after it ({shown_as_of})"
                )
                parts.append(
                    _finding(
                        live,
                        later,
                        name,
                        problem,
                        EXCLUDED + ": it had not begun by the review date",
                        "warning",
                    )
                )

    order = milestone_order(times, unit)  # each usable milestone against the latest one before it
    names = np.asarray((*MILESTONES, ""))  # the name of a previous milestone by its position
    # A status page often posts an incident after it ended: a retroactive post, not a wrong time.
    status_page = None  # which rows come from one: looked up once, when a milestone is out of order
    for name in MILESTONES:
        mask = order.out_of_order[name]
        if mask.any():
            status_page = _status_page(live) if status_page is None else status_page
            rows = live.index[mask]
            before = names[order.previous_name[name]]  # the rows out of order only
            previous = _fmt(_stamps(order.previous[name], unit, rows), tz)
            problem = (
                name
                + " ("
                + _fmt(live.loc[mask, name], tz)
                + ") is before "
                + pd.Series(before, index=rows)
                + " ("
                + previous
                + ")"
            )
            ends = name in ("recovered_at", "resolved_at")
            late_post = np.zeros(len(live), dtype=bool)
            # on a status page every milestone but the impact start is a post
            late_post[mask] = ends & np.isin(before, _POSTS) & status_page[mask]
            posted_late = pd.Series(late_post, index=live.index)
            wrong = pd.Series(mask, index=live.index) & ~posted_late
            parts.append(_finding(live, wrong, name, problem, NOT_IN_ORDER, "error"))
            retroactive = problem + ": the status page posted it after it ended"
            parts.append(_finding(live, posted_late, name, retroactive, RETROACTIVE, "warning"))

    if pd.notna(as_of):
        now = count(as_of, unit)  # to the unit below: a time is after as_of when it is after this
        for name in MILESTONES:
            future = times[name] > now  # never where NaT (int64 min)
            if future.any():
                problem = (
                    name
                    + " ("
                    + _fmt(live.loc[future, name], tz)
                    + f") is after the review date ({shown_as_of})"
                )
                parts.append(_finding(live, future, name, problem, "kept as recorded", "warning"))
    return parts, times, unit, opened


def _control_findings(live: pd.DataFrame) -> list[pd.DataFrame]:
    """Ids holding a control character (a NUL, a tab): kept as written, but said, shown escaped."""
    if not has_control_bytes(live["incident_id"]):  # the usual case, seen in the bytes at once
        return []
    ids = live["incident_id"].astype("string")
    odd = ids.str.contains(r"[\x00-\x1f\x7f]", regex=True).fillna(False).astype(bool)
    if not odd.any():
        return []
    shown = ids[odd].map(lambda text: repr(str(text))[1:-1])
    problem = "incident id holds a control character (" + shown + ")"
    return [
        _finding(live, odd, "incident_id", problem, "kept as written; check the export's encoding", "warning")
    ]


def _severity_findings(live: pd.DataFrame) -> list[pd.DataFrame]:
    if "severity" not in live.columns:
        return []
    raw = live["severity_raw"] if "severity_raw" in live.columns else pd.Series(pd.NA, index=live.index)
    unknown = live["severity"].isna() & raw.notna()
    problem = "severity label '" + raw[unknown].astype("str") + "' not recognised"
    return [
        _finding(
            live,
            unknown,
            "severity",
            problem,
            "severity left empty; map the label to a severity (a severity map) to count it",
            "warning",
        ),
        _finding(live, live["severity"].isna() & raw.isna(), "severity", "no severity", "kept", "info"),
    ]


def _duration_findings(
    live: pd.DataFrame,
    usable: dict[str, np.ndarray],
    is_open: np.ndarray,
    unit: str,
    as_of: pd.Timestamp,
    limit: pd.Timedelta,
    tz: str = "UTC",
) -> list[pd.DataFrame]:
    """Open incidents (censored), durations longer than ``limit``, and incidents resolved as they started."""
    started, resolved = usable["started_at"], usable["resolved_at"]
    start = np.where(started != _NAT, started, usable["detected_at"])
    censored_at = f" ({as_of.tz_convert(tz):%Y-%m-%d %H:%M %Z})" if pd.notna(as_of) else ""
    known = (start != _NAT) & (resolved != _NAT)
    took = np.subtract(resolved, start)  # int64 counts of unit; meaningful where known
    long_closed = known & (took > count(limit, unit))
    # Resolved the moment it started: a record written after the fact (a status page's
    # retroactive post), whose 0 s pulls medians and shares down.
    instant = known & (took == 0)
    open_for = np.subtract(count(as_of, unit), start)  # to the unit below: for the words only
    long_open = np.zeros(len(live), dtype=bool)
    if pd.notna(as_of):
        # Open for more than limit: started before as_of - limit, which may fall between two
        # counts of the unit (as_of finer than the frame): the count above it, then.
        latest = as_of - limit
        first_late = count(latest, unit)
        first_late += int(latest != pd.Timestamp(first_late, unit=unit, tz="UTC"))
        long_open = is_open & (start != _NAT) & (start < first_late)

    def span(values: np.ndarray, mask: np.ndarray) -> pd.Series:
        return pd.Series(values[mask].view(f"m8[{unit}]"), index=live.index[mask])

    return [
        _finding(
            live,
            is_open,
            "resolved_at",
            "open incident (no resolved_at)",
            "kept as still open (right-censored) at the review date" + censored_at,
            "info",
        ),
        _finding(
            live,
            long_closed,
            "resolved_at",
            lambda: (
                "resolved "
                + _beyond(span(took, long_closed), limit)
                + f" after it started (more than {_in_words(limit)})"
            ),
            "kept as recorded; check whether it was closed late",
            "warning",
        ),
        _finding(
            live,
            instant,
            "resolved_at",
            "resolved at the moment it started: a record written after the fact?",
            "kept as 0 s; a retroactive record measures no recovery",
            "warning",
        ),
        _finding(
            live,
            long_open,
            "resolved_at",
            lambda: (
                "open for " + _beyond(span(open_for, long_open), limit) + f" (more than {_in_words(limit)})"
            ),
            "kept as right-censored; check whether it was resolved without a record",
            "warning",
        ),
    ]


def _in_words(span: pd.Series | pd.Timedelta) -> pd.Series | str:
    """Durations as the review writes them (41 min, 3.4 h, 220 d), never "219 days 18:29:00"."""
    if isinstance(span, pd.Series):
        return (span / pd.Timedelta(minutes=1)).map(format_minutes).astype("str")
    return format_minutes(span / pd.Timedelta(minutes=1))


_UNITS = {" s": 1 / 60, " min": 1, " h": 60, " d": 1440}


def _beyond(span: pd.Series, limit: pd.Timedelta) -> pd.Series:
    """Durations longer than ``limit`` in words that never read as the limit's own: 7.04 d
    beside a limit of 7 d is "7.04 d", not "7 d" (more decimals, in the limit's unit)."""
    bound = _in_words(limit)
    words = _in_words(span)
    same = words == bound
    if not same.any():
        return words
    unit = next(u for u in _UNITS if bound.endswith(u))
    edge = limit / pd.Timedelta(minutes=1) / _UNITS[unit]

    def apart(value: float) -> str:  # the fewest decimals that tell it from the limit
        for digits in (1, 2, 3):
            if f"{value:.{digits}f}" != f"{edge:.{digits}f}":
                break
        return f"{value:.{digits}f}{unit}"

    return words.where(~same, (span[same] / pd.Timedelta(minutes=1) / _UNITS[unit]).map(apart))
