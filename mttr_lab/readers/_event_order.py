"""Events of any log, whatever its source: their times parsed (each distinct value once),
ordered per incident, and the first time of a status and the final resolution per incident.

Used by the event-log and ServiceNow readers and by the timelines.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..schema import TIMESTAMP_DTYPE, InputError
from ..timeparse import parse_timestamps
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
    codes, uniques = pd.factorize(hashable(values))
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
    return out.mask(codes < 0)


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
    roles = pd.Series(roles.to_numpy(), dtype="str")
    times = times.reset_index(drop=True)
    group = pd.Series(codes)
    terminal = roles.isin(TERMINAL_ROLES).to_numpy()
    position = np.arange(len(codes))
    last_open = (
        pd.Series(np.where(terminal, -1, position))
        .groupby(codes)
        .max()
        .reindex(range(n), fill_value=-1)
        .to_numpy()
    )
    in_final = position > last_open[codes]
    resolved = roles.eq("resolved").to_numpy() & in_final
    by_resolution = times.where(resolved).groupby(group).last().reindex(range(n))
    run_start = times.where(in_final).groupby(group).first().reindex(range(n))
    first_role = roles.where(in_final).groupby(group).first().reindex(range(n))
    resolved_at = by_resolution.where(by_resolution.notna(), run_start)
    resolved_by = first_role.where(by_resolution.isna(), "resolved").where(resolved_at.notna())
    canceled = pd.Series(roles.eq("canceled").to_numpy() & in_final).groupby(group).any().reindex(range(n))
    same_case = np.r_[False, codes[1:] == codes[:-1]]
    reopened = same_case & ~terminal & np.r_[False, terminal[:-1]]
    reopen_count = pd.Series(reopened).groupby(group).sum().reindex(range(n), fill_value=0)
    return pd.DataFrame(
        {
            "resolved_at": resolved_at,
            "resolved_by": resolved_by.astype("str"),
            "canceled": canceled.fillna(False).astype(bool),
            "reopen_count": reopen_count.astype("int64"),
        },
        index=pd.RangeIndex(n),
    )


def first_times(codes: np.ndarray, times: pd.Series, mask: np.ndarray, n: int) -> pd.Series:
    """The time of each incident's first event where ``mask`` holds (NaT where none), events sorted.

    Returns
    -------
    Series
        Indexed 0..n-1.
    """
    values = times.reset_index(drop=True).where(mask)
    return values.groupby(codes).first().reindex(range(n))
