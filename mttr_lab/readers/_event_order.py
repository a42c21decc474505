"""Events of any log, whatever its source: their times parsed (each distinct value once),
ordered per incident, and the first time of a status and the final resolution per incident.

Used by the event-log and ServiceNow readers and by the timelines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..cells import factorized, short_cells
from ..schema import TIMESTAMP_DTYPE, InputError
from ..timeparse import parse_timestamps
from ._arrow_text import text_cells, text_series
from ._build import hashable

__all__ = ["TERMINAL_ROLES", "final_resolution", "first_times", "order_events", "parse_event_times"]

#: Roles that end an incident's run of events (the final resolution is the last run's).
TERMINAL_ROLES = ("resolved", "closed", "canceled")


def parse_event_times(
    values: pd.Series,
    *,
    tz: str | None,
    dayfirst: bool | None,
    file: str | None,
    field: str,
    rows: np.ndarray | None = None,
    label: str = "row",
) -> pd.Series:
    """Parse a timestamp column of an event log, each distinct value once.

    ``rows`` gives each value's 1-based number for error messages (default 1..n).

    Returns
    -------
    Series
        ``datetime64[us, UTC]`` aligned with ``values`` (NaT where missing).
    """
    values = pd.Series(values).reset_index(drop=True)
    numbers = np.arange(1, len(values) + 1) if rows is None else np.asarray(rows)
    if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)):
        return parse_timestamps(
            values,
            tz=tz,
            dayfirst=dayfirst,
            file=file,
            field=field,
            records=lambda p: f"{label} {numbers[p]}",
        )
    cells = short_cells(values)
    codes, uniques = (None if cells is None else factorized(cells)) or pd.factorize(hashable(values))
    if not len(uniques):  # nothing but missing values
        return pd.Series(pd.NaT, index=values.index, dtype=TIMESTAMP_DTYPE)
    first = np.zeros(len(uniques), dtype=np.int64)
    present = np.flatnonzero(codes >= 0)
    first[codes[present[::-1]]] = present[::-1]
    parsed = parse_timestamps(
        pd.Series(np.asarray(uniques, dtype=object)),
        tz=tz,
        dayfirst=dayfirst,
        file=file,
        field=field,
        records=lambda p: f"{label} {numbers[first[p]]}",
    )
    out = parsed.take(np.maximum(codes, 0)).reset_index(drop=True)
    missing = codes < 0
    return out.mask(missing) if missing.any() else out


def order_events(
    cases: pd.Series,
    times: pd.Series,
    *tiebreaks: np.ndarray,
    file: str | None,
    case_field: str,
    time_field: str,
) -> tuple[np.ndarray, np.ndarray, pd.Index]:
    """Sort events by incident (in order of first appearance), then time, then ``tiebreaks``, then file order.

    Returns
    -------
    tuple
        ``order`` (row positions in sorted order), ``codes`` (the incident number of each
        sorted event, 0-based in order of first appearance) and the incident ids.
    """
    for missing, message, field, expected in (
        (cases.isna(), "an event names no incident", case_field, "an incident id on every event row"),
        (times.isna(), "an event has no timestamp", time_field, "a timestamp on every event row"),
    ):
        if missing.any():
            pos = int(np.flatnonzero(missing.to_numpy())[0])
            raise InputError(message, file=file, record=f"row {pos + 1}", field=field, expected=expected)
    codes, ids = pd.factorize(cases)
    stamp = times.astype("int64").to_numpy()
    keys = [np.arange(len(codes)), *reversed(tiebreaks), stamp, codes]
    order = np.lexsort(keys)
    return order, codes[order], pd.Index(ids)


def _first_at(codes: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Each incident's first event position where ``mask`` holds (-1 where none): what
    ``groupby(codes).first()`` picks, in one pass over the events."""
    first = np.full(n, len(codes), dtype=np.int64)
    np.minimum.at(first, codes[mask], np.flatnonzero(mask))
    return np.where(first < len(codes), first, -1)


def _last_at(codes: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    """Each incident's last event position where ``mask`` holds (-1 where none)."""
    last = np.full(n, -1, dtype=np.int64)
    np.maximum.at(last, codes[mask], np.flatnonzero(mask))
    return last


def _taken(values: pd.Series, positions: np.ndarray) -> pd.Series:
    """``values`` at ``positions`` (missing where a position is -1), indexed 0..n-1."""
    picked = values.array.take(positions, allow_fill=True)
    return pd.Series(picked, index=pd.RangeIndex(len(positions)), name=values.name, copy=False)


def final_resolution(codes: np.ndarray, times: pd.Series, roles: pd.Series, n: int) -> pd.DataFrame:
    """The final resolution of each incident from its sorted events.

    Parameters
    ----------
    codes : ndarray
        Incident number (0..n-1) of each event, events sorted by incident then time.
    times : Series
        Event times, in the same order.
    roles : Series
        ``"resolved"``, ``"closed"``, ``"canceled"`` or another value/NA (a non-terminal event).
    n : int
        Number of incidents.

    Returns
    -------
    DataFrame
        One row per incident (index 0..n-1) with ``resolved_at`` (NaT when the last event is
        not terminal), ``resolved_by`` (the role that gave it: ``"resolved"``, ``"closed"`` or
        ``"canceled"``; NA when open), ``canceled`` (a cancellation in the final run) and
        ``reopen_count`` (moves from a terminal event to a non-terminal one).
    """
    role = text_cells(pd.Series(roles.to_numpy(), dtype="str"))
    terminal = np.zeros(len(codes), dtype=bool)
    for name in TERMINAL_ROLES:
        terminal |= role == name
    position = np.arange(len(codes))
    # The final run of each incident: its events after its last non-terminal one.
    last_open = _last_at(codes, ~terminal, n)
    in_final = position > last_open[codes]
    has_time = times.notna().to_numpy()
    by_resolution = _last_at(codes, (role == "resolved") & in_final & has_time, n)
    run_start = _first_at(codes, in_final & has_time, n)
    first_role = _first_at(codes, in_final & np.not_equal(role, None), n)
    resolved_at = np.where(by_resolution >= 0, by_resolution, run_start)
    resolved_by = np.full(n, None, dtype=object)
    resolved_by[first_role >= 0] = role[first_role[first_role >= 0]]
    resolved_by[by_resolution >= 0] = "resolved"
    resolved_by[resolved_at < 0] = None
    canceled = np.zeros(n, dtype=bool)
    canceled[codes[(role == "canceled") & in_final]] = True
    same_case = np.r_[False, codes[1:] == codes[:-1]]
    reopened = same_case & ~terminal & np.r_[False, terminal[:-1]]
    index = pd.RangeIndex(n)
    return pd.DataFrame(
        {
            "resolved_at": _taken(times, resolved_at),
            "resolved_by": text_series(resolved_by, index),
            "canceled": canceled,
            "reopen_count": np.bincount(codes[reopened], minlength=n).astype("int64"),
        },
        index=index,
    )


def first_times(codes: np.ndarray, times: pd.Series, mask: np.ndarray, n: int) -> pd.Series:
    """The time of each incident's first event where ``mask`` holds (NaT where none), events sorted.

    Returns
    -------
    Series
        Indexed 0..n-1.
    """
    first = _taken(times, _first_at(codes, np.asarray(mask, dtype=bool) & times.notna().to_numpy(), n))
    return first if n else first.set_axis(pd.Index([], dtype="int64"))  # as groupby leaves none
