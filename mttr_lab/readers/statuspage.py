"""Atlassian Statuspage v2 incidents, and status-page archives of the same shape.

Accepted layouts:

- the public API's ``incidents.json``: ``{"page": {..., "time_zone"}, "incidents": [...]}``
  (also ``scheduled-maintenances.json``, a single ``{"page", "incident"}``, and ``summary.json``:
  ``page``, ``components``, ``incidents``, ``scheduled_maintenances``, ``status``, whose
  maintenances are read as records and excluded);
- a bare JSON array of incident objects;
- JSON Lines: one incident per line, or one page envelope per line (repeated polling);
- the GitHub status archive parsed from the Atom feed: ``title``, ``started_at``,
  ``resolved_at``, ``impact``, ``components`` as a list of names, ``updates[]`` with
  ``at``/``status`` capitalised (``Investigating``, ``Update``, ``Resolved``) and sometimes a
  post-mortem ``impact_window``.

Milestones (updates are taken in time order, whatever order the file has):

- ``started_at`` <- ``impact_window.start_at`` (the post-mortem's impact start) where the record
  has a usable window, else ``started_at``;
- ``detected_at`` <- ``created_at``; where a record has none (the GitHub archive), the time
  of its earliest update, i.e. the first public post. The archive's ``published_at`` is the
  Atom entry's time, written when the incident was resolved, so it is not used;
- ``acknowledged_at`` <- first ``investigating`` update;
- ``diagnosed_at`` <- first ``identified`` update;
- ``recovered_at`` <- ``impact_window.end_at`` (the post-mortem's impact end) where the record has
  a usable window, else ``monitoring_at``, else first ``monitoring`` update;
- ``resolved_at`` <- the incident's ``resolved_at`` (null = still open, even after an earlier
  ``resolved`` update: the incident was reopened). The window never changes it: it is when the
  page said the incident was over.

The post-mortem impact window (GitHub's archive has one for about a fifth of its incidents) is the
considered record of when customers were affected; the posts are when the company communicated,
typically well after the impact began. So the clock starts at the window's start and recovery is
its end, and the window stays in the extra columns ``impact_start``/``impact_end``: where the
window was used, ``started_at`` equals ``impact_start`` and ``recovered_at`` equals
``impact_end``, which says per incident where the two came from. The edge cases, each said in the
record's ``note`` (a warning of :func:`mttr_lab.check_incidents`):

- *A window that does not fit the record is not used at all* (both milestones as posted, the
  window still kept in ``impact_start``/``impact_end``): its end before its start; an end more
  than :data:`PLAUSIBLE_WINDOW` (7 days, the bound :func:`mttr_lab.detection_lag` uses) before
  the recorded start or after ``resolved_at``; or a start after ``resolved_at`` (impact cannot
  begin after the page declared the incident over). Those are mis-dated post-mortems: the real
  archive has a wrong year, a wrong month and a time twelve hours off.
- *A start after the first post* is used all the same: the post-mortem is the considered record,
  and a post on early symptoms may well precede what it counts as impact. ``detected_at`` then
  comes before ``started_at``, which the milestone-order check reports as an error, and the time
  to detect is not measured (never negative); the time to recover runs from the window's start.
  Keeping the earlier post instead would mix two definitions of the start in one column.
- *An end after* ``resolved_at`` is used all the same, and ``resolved_at`` is kept: the page was
  resolved before the impact ended (waves of impact, a lingering degradation, a record posted
  and closed at once). Recovery then follows resolution, which the order check reports; the time
  to recover is the impact's length and the time to resolve still runs to ``resolved_at``.
- *An end before the first post* (the page posted the incident after the impact ended) is used:
  the time to recover is the impact's length; the order check reports the late post.
- *A window with one end* sets that milestone only; the other is as posted (a missing
  ``end_at`` leaves recovery to ``monitoring``, else the resolution stands in for it, flagged by
  ``recovery_is_resolution``). A window whose ends are both null is no window.
- *Times without an offset* in the window follow the rule below for every naive time (``tz=``,
  else the page's ``time_zone``, else an error naming ``impact_window.start_at``): the
  post-mortem's prose says "UTC" but its fields are not guessed.

An update's time is its ``display_at`` (the time the page shows, which authors set when
back-filling), else ``created_at``, else ``at`` (archives); ``update_time="created_at"``
prefers the moment it was posted. Statuses are compared case-insensitively with spaces read
as underscores; the scraped ``update`` status and ``postmortem`` change no phase.

Exclusions (rows kept, ``exclude_reason`` set): scheduled maintenance (``impact`` is
``maintenance``; a maintenance status ``scheduled``/``in_progress``/``verifying``/``completed``
on the incident or any update; a ``scheduled_for``; or listed under an envelope's
``scheduled_maintenances``). Repeated ids are a polling history (the same incident saved at
each poll): the version with the latest ``updated_at`` is kept, the others are excluded as earlier
snapshots, which :func:`mttr_lab.check_incidents` sums up in one finding per export. Where page
envelopes say when they were taken (``fetched_at``, ``polled_at``, ``retrieved_at``,
``captured_at`` or ``snapshot_at`` beside ``page``, else the page's ``updated_at``), the latest
of those times is the export's ``as_of`` (see :func:`mttr_lab.frames.default_as_of`).

Offsets in the page's local zone (``-06:00``) are honoured; timestamps without an offset
are read in ``tz=``, else in the page's ``time_zone`` when the envelope gives one, else
they are an error.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..frames import AS_OF_ATTR
from ..schema import InputError
from ..timeparse import parse_timestamps
from ._arrow_text import as_text, lowered_text, missing_text, text_cells
from ._build import DUPLICATE_REASON, POLLED_REASON, hashable, join_notes
from ._files import Sample, sample_of
from ._plumbing import Reading, update_times
from ._statuspage_arrow import NotForArrow, tables_from_arrow
from ._statuspage_json import (
    ENVELOPE_LISTS,
    SEVERITY_MAP,
    UPDATE_TIME_FIELDS,
    load_records,
    looks_like_incident,
    tables_from_records,
)

__all__ = ["MAINTENANCE_STATUSES", "POLLED_REASON", "SEVERITY_MAP", "SOURCE", "read", "sniff"]

SOURCE = "statuspage"
#: What this export is, and the fields that only it has (said when another reader gets it).
SIGNATURE = (
    "a Statuspage export",
    "incidents with incident_updates, the incidents.json envelope or a status archive",
)

#: Lifecycle statuses of scheduled maintenances (lower case, spaces as underscores).
MAINTENANCE_STATUSES = frozenset({"scheduled", "in_progress", "verifying", "completed"})

#: A post-mortem window further than this outside the status-page record is mis-dated (the bound
#: :func:`mttr_lab.detection_lag` uses for implausible lags).
PLAUSIBLE_WINDOW = pd.Timedelta(days=7)

_MAINTENANCE_REASON = "scheduled maintenance, not an incident"
_LABELS = {
    "incident_id": "id",
    "title": "name",
    "severity": "impact",
    "started_at": "started_at",
    "detected_at": "created_at",
    "acknowledged_at": "incident_updates[] (investigating)",
    "diagnosed_at": "incident_updates[] (identified)",
    "recovered_at": "monitoring_at",
    "resolved_at": "resolved_at",
}


# --------------------------------------------------------------------------- recognising


def sniff(sample: Sample) -> str | None:
    """Recognise a Statuspage ``incidents.json`` envelope, its incident records, or the GitHub archive.

    Returns
    -------
    str or None
        Why the file looks like a Statuspage export, or None.
    """
    if sample.kind == "csv":
        return None
    doc = sample.json()
    if isinstance(doc, dict) and isinstance(doc.get("page"), dict):
        if any(isinstance(doc.get(k), list) for k in ENVELOPE_LISTS) or isinstance(doc.get("incident"), dict):
            return "Statuspage page envelope (page, incidents)"
        return None
    first = doc[0] if isinstance(doc, list) and doc else doc
    if isinstance(first, dict) and isinstance(first.get("page"), dict):
        return (
            "Statuspage page envelopes (page, incidents)"
            if isinstance(first.get("incidents"), list)
            else None
        )
    return looks_like_incident(first)


# --------------------------------------------------------------------------- loading with json


# --------------------------------------------------------------------------- loading with Arrow


# --------------------------------------------------------------------------- building


def _statuses(values: pd.Series) -> pd.Series:
    """Lifecycle words compared case-insensitively, spaces and hyphens read as underscores."""
    codes, uniques = pd.factorize(hashable(values), use_na_sentinel=True)
    words = np.array(["_".join(str(u).strip().lower().replace("-", " ").split()) for u in uniques] + [None])
    return pd.Series(words[codes], index=values.index, dtype="str")


def _first_update(updates: pd.DataFrame, status: str | None, n: int) -> pd.Series:
    """The raw time of the earliest update (of one status, or of any), by incident position."""
    pos = updates["pos"].to_numpy()
    hits = np.arange(len(pos)) if status is None else np.flatnonzero(text_cells(updates["status"]) == status)
    positions, first = np.unique(pos[hits], return_index=True)
    times = np.full(n, np.nan, dtype=object)
    times[positions] = updates["time"].to_numpy()[hits[first]]
    return pd.Series(times, index=pd.RangeIndex(n), dtype=object)


def _shown(stamps: pd.Series) -> pd.Series:
    return stamps.dt.strftime("%Y-%m-%d %H:%M UTC")


def _impact_window(
    incidents: pd.DataFrame, ordered: pd.DataFrame, parse: Callable[[str, str], pd.Series]
) -> tuple[pd.Series, pd.Series, np.ndarray, np.ndarray, pd.Series | None]:
    """The post-mortem window parsed, where each end is used, and the notes on it.

    Returns ``(start, end, use_start, use_end, note)``; ``note`` is None where no record has one.
    """
    n = len(incidents)
    start = parse("impact_start", "impact_window.start_at")
    end = parse("impact_end", "impact_window.end_at")
    has_start, has_end = start.notna().to_numpy(), end.notna().to_numpy()
    if not (has_start.any() or has_end.any()):
        return start, end, has_start, has_end, None
    first = ordered.drop_duplicates("pos")
    first_post = pd.Series(first["when"].array, index=first["pos"].to_numpy()).reindex(pd.RangeIndex(n))
    posted = parse("created_at", "created_at").fillna(first_post)  # detected_at: the first post
    recorded = parse("started_at", "started_at").fillna(posted)  # the clock start without a window
    resolved = parse("resolved_at", "resolved_at")
    low, high = recorded - PLAUSIBLE_WINDOW, resolved + PLAUSIBLE_WINDOW
    inverted = (end < start).to_numpy()
    outside = ((start < low) | (end < low) | (start > high) | (end > high)).to_numpy()
    after_resolution = (start > resolved).to_numpy()
    unused = inverted | outside | after_resolution
    note = _unused_window(start, end, recorded, resolved, inverted, outside, after_resolution)
    use_start, use_end = has_start & ~unused, has_end & ~unused
    # Each remark's text is built only where a record needs it (the times shown cost a pass each).
    remarks = [
        (
            lambda: (
                "impact_window has no end_at: started_at taken from the post-mortem, recovered_at as posted"
            ),
            use_start & ~has_end,
        ),
        (
            lambda: (
                "impact_window has no start_at: recovered_at taken from the post-mortem, started_at as posted"
            ),
            use_end & ~has_start,
        ),
        (
            lambda: (
                "impact_window.start_at ("
                + _shown(start)
                + ") is after the first post ("
                + _shown(posted)
                + "): started_at taken from the post-mortem all the same; the time to detect is not measured"
            ),
            use_start & (start > posted).to_numpy(),
        ),
        (
            lambda: (
                "impact_window.end_at ("
                + _shown(end)
                + ") is before the first post ("
                + _shown(posted)
                + "): recovered_at taken from the post-mortem; the page posted the incident after the impact ended"
            ),
            use_end & (end < posted).to_numpy(),
        ),
        (
            lambda: (
                "impact_window.end_at ("
                + _shown(end)
                + ") is after resolved_at ("
                + _shown(resolved)
                + "): recovered_at taken from the post-mortem; the page was resolved before the impact ended"
            ),
            use_end & (end > resolved).to_numpy(),
        ),
    ]
    for make, where in remarks:
        if where.any():
            text = make()
            remark = pd.Series(text, index=pd.RangeIndex(n), dtype="str") if isinstance(text, str) else text
            note = join_notes(note, remark.where(where))
    return start, end, use_start, use_end, note if note.notna().any() else None


def _unused_window(
    start: pd.Series,
    end: pd.Series,
    recorded: pd.Series,
    resolved: pd.Series,
    inverted: np.ndarray,
    outside: np.ndarray,
    after_resolution: np.ndarray,
) -> pd.Series:
    """Why a record's window is not used (NA where it is): it ends before it starts, lies far
    outside the record, or starts after the resolution."""
    unused = inverted | outside | after_resolution
    if not unused.any():
        return missing_text(pd.RangeIndex(len(unused)))
    days = PLAUSIBLE_WINDOW.days
    reason = pd.Series(np.full(len(unused), None, dtype=object), dtype="str")
    reason = reason.mask(
        after_resolution, "it starts after the incident was resolved (" + _shown(resolved) + "): mis-dated"
    )
    reason = reason.mask(
        outside,
        f"it lies more than {days} days outside the incident's record (posted "
        + _shown(recorded)
        + ", resolved "
        + _shown(resolved).fillna("not yet")
        + "): mis-dated",
    )
    reason = reason.mask(inverted, "it ends before it starts")
    span = _shown(start).fillna("?") + " – " + _shown(end).fillna("?")
    return (
        "impact_window (" + span + ") not used: " + reason + "; started_at and recovered_at as posted"
    ).where(unused)


def _build(
    incidents: pd.DataFrame,
    updates: pd.DataFrame,
    *,
    file: str,
    tz: str | None,
    dayfirst: bool | None,
    severity_map: Mapping[str, str] | None,
) -> pd.DataFrame:
    n = len(incidents)
    ids = incidents["id"].to_numpy()
    pos = updates["pos"].to_numpy()
    no = updates["no"].to_numpy()

    def parse(name: str, field: str) -> pd.Series:
        return parse_timestamps(
            incidents[name],
            tz=tz,
            dayfirst=dayfirst,
            file=file,
            field=field,
            records=lambda p: f"record {p + 1} (id {ids[p]})",
        )

    # Updates are ordered by their parsed time (offsets may differ); the milestones keep the
    # raw text of the chosen update so that build_incidents parses every milestone alike.
    when = update_times(
        updates["time"],
        pos,
        no,
        ids,
        tz=tz,
        dayfirst=dayfirst,
        file=file,
        field="incident_updates[].created_at",
    )
    ordered = updates.assign(status=_statuses(updates["status"]), when=when)
    ordered = ordered.loc[ordered["when"].notna()].sort_values(["pos", "when"], kind="stable")

    status = _statuses(incidents["status"])
    impact = as_text(incidents["impact"])
    maintenance = (
        lowered_text(impact).eq("maintenance").fillna(False).to_numpy(dtype=bool)
        | status.isin(MAINTENANCE_STATUSES).to_numpy(dtype=bool)
        | incidents["scheduled_for"].notna().to_numpy(dtype=bool)
        | (
            incidents["listed_maintenance"].to_numpy(dtype=bool)
            if "listed_maintenance" in incidents.columns
            else np.zeros(n, dtype=bool)
        )
        | np.isin(np.arange(n), ordered.loc[ordered["status"].isin(MAINTENANCE_STATUSES), "pos"].to_numpy())
    )
    exclude = pd.Series(np.where(maintenance, _MAINTENANCE_REASON, None), dtype="str")
    has_duplicates = incidents["id"].dropna().astype("str").duplicated().any()

    # The post-mortem's window, where it fits the record, is the considered word on the impact.
    impact_start, impact_end, use_start, use_end, note = _impact_window(incidents, ordered, parse)
    monitoring = incidents["monitoring_at"].fillna(_first_update(ordered, "monitoring", n))
    extra = {
        "status": status,
        "components": as_text(incidents["components"]),
        "url": as_text(incidents["url"]),
        "impact_start": impact_start,
        "impact_end": impact_end,
    }
    if note is not None:
        extra["note"] = note

    reading = Reading(
        SOURCE, file, tz=tz, dayfirst=dayfirst, severity_map=severity_map, default_severity_map=SEVERITY_MAP
    )
    return reading.incidents(
        {
            "incident_id": incidents["id"],
            "title": incidents["title"],
            "service": incidents["service"],
            "severity": impact,
            "started_at": incidents["started_at"].mask(use_start, incidents["impact_start"]),
            "detected_at": incidents["created_at"].fillna(_first_update(ordered, None, n)),
            "acknowledged_at": _first_update(ordered, "investigating", n),
            "diagnosed_at": _first_update(ordered, "identified", n),
            "recovered_at": monitoring.mask(use_end, incidents["impact_end"]),
            "resolved_at": incidents["resolved_at"],
        },
        labels=_LABELS,
        exclude_reason=exclude,
        version=parse("updated_at", "updated_at") if has_duplicates else None,
        extra=extra,
    )


def read(
    path: str | Path,
    *,
    tz: str | None = None,
    severity_map: Mapping[str, str] | None = None,
    update_time: str = "display_at",
    dayfirst: bool | None = None,
) -> pd.DataFrame:
    """Read a Statuspage v2 export (or the GitHub status archive) into the ``incidents`` frame.

    Parameters
    ----------
    path : path
        ``incidents.json`` (page envelope), a JSON array of incidents, or JSON Lines
        (optionally ``.gz``).
    tz : str, optional
        IANA zone of timestamps written without an offset; defaults to the page's
        ``time_zone`` when the envelope gives one. Offsets in the data always win.
    severity_map : mapping, optional
        ``impact`` label -> severity, overriding critical→critical, major→high,
        minor→medium, none→low.
    update_time : {"display_at", "created_at"}
        Which time of an update dates the phase it opens (the other is the fallback).
    dayfirst : bool, optional
        Passed to the timestamp parser (Statuspage itself writes ISO 8601).

    Returns
    -------
    DataFrame
        The canonical ``incidents`` columns, then ``status`` (the incident's last lifecycle
        status, lower case), ``components`` (all component names joined with ", "), ``url``
        (shortlink or page address), ``impact_start`` and ``impact_end`` (the post-mortem
        impact window where the archive has one, UTC, whether used or not; where used they equal
        ``started_at`` and ``recovered_at``), and ``note`` where a record has a remark (a window
        not used, or used against the posts: see the module's notes).
    """
    path = Path(path)
    file = str(path)
    if update_time not in UPDATE_TIME_FIELDS:
        raise InputError(
            f"unknown update_time {update_time!r}", file=file, expected="'display_at' or 'created_at'"
        )
    tables = None
    polls: list[Any] = []
    sample = sample_of(path)
    if sample.kind == "jsonl":
        try:
            tables = tables_from_arrow(path, sample, update_time=update_time)
        except NotForArrow:
            tables = None
    if tables is None:
        records, seen = load_records(path)
        if tz is None and len(set(seen.zones)) == 1:
            tz = seen.zones[0]
        tables = tables_from_records(
            records, file=file, update_time=update_time, maintenance=seen.maintenance
        )
        polls = seen.polls
    incidents, updates = tables
    frame = _build(incidents, updates, file=file, tz=tz, dayfirst=dayfirst, severity_map=severity_map)
    reason = frame["exclude_reason"]
    if reason.eq(DUPLICATE_REASON).any():  # a Statuspage id repeats only in a polling history
        frame["exclude_reason"] = reason.mask(reason.eq(DUPLICATE_REASON), POLLED_REASON)
    if polls:
        taken = parse_timestamps(
            pd.Series(polls, dtype=object), tz=tz, dayfirst=dayfirst, file=file, field="page.updated_at"
        )
        if taken.notna().any():
            frame.attrs[AS_OF_ATTR] = taken.max()
    return frame
