"""Phase durations: the segments between milestones, and the cumulative MTTx metrics."""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from .frames import (
    DURATIONS,
    INCIDENTS,
    as_utc,
    begun,
    count,
    default_as_of,
    elapsed,
    late_times,
    milestone_ints,
    milestone_order,
    open_at,
    require,
    tag,
    usable,
)
from .halves import in_halves
from .quality import analysed_mask
from .schema import METRICS, MILESTONES, PHASES

__all__ = ["AS_OF_ATTR", "default_as_of", "phase_durations"]

#: Where a durations frame keeps the review date it was computed at (ISO text in ``attrs``).
AS_OF_ATTR = "mttr_lab.as_of"
_NAT = np.iinfo(np.int64).min  # NaT among int64 counts

_CARRIED = ("incident_id", "title", "severity", "service", "team", "source", "detection_channel")


def phase_durations(
    incidents: pd.DataFrame,
    *,
    clock_start: Literal["impact", "detection"] = "impact",
    as_of: pd.Timestamp | str | None = None,
) -> pd.DataFrame:
    """Durations of each phase and the MTTx metrics, one row per analysed incident.

    Phases are observed segments between consecutive milestones (NaT when either end is
    unknown): ``detection`` = detected − started, ``response`` = acknowledged − detected,
    ``diagnosis`` = diagnosed − acknowledged, ``repair`` = recovered − diagnosed,
    ``followup`` = resolved − recovered. Metrics are cumulative: ``time_to_detect`` =
    detected − started, ``time_to_respond`` = acknowledged − detected, ``time_to_repair`` =
    recovered − acknowledged, ``time_to_recover`` = recovered − clock start,
    ``time_to_resolve`` = resolved − clock start. Each metric is measured from its own two
    endpoints when they are in order, whatever the milestones between them say. Where
    ``recovered_at`` is unknown or earlier than the clock start, recovery is taken to be
    ``resolved_at`` for ``time_to_repair`` and ``time_to_recover``, and
    ``recovery_is_resolution`` says so. A phase is not measured where a milestone is recorded
    earlier than one before it in the sequence (every phase that starts or ends at it is NaT);
    milestones less than a second apart in that order are equal (the phase is 0). A time at
    pandas' limits is not used. A time more than a day after ``as_of`` had not happened by then
    and is not used either: an incident resolved after ``as_of`` is open (censored) at
    ``as_of``. :func:`mttr_lab.check_incidents` reports each of these.

    Records that are not analysed (``exclude_reason`` set, superseded duplicates, no start time)
    are left out, and so are incidents that had not begun by ``as_of`` (every time recorded more
    than a day after it); :func:`mttr_lab.check_incidents` lists each with its reason.

    Parameters
    ----------
    incidents : DataFrame
        The canonical ``incidents`` frame.
    clock_start : {"impact", "detection"}
        ``"impact"`` starts the clock at ``started_at`` when known, else ``detected_at``;
        ``"detection"`` always at ``detected_at``.
    as_of : timestamp, optional
        When open incidents are censored; defaults to the latest timestamp in the data.

    Returns
    -------
    DataFrame
        ``incident_id``, ``title``, ``severity``, ``service``, ``team``, ``source``,
        ``detection_channel``, the six
        milestones, ``clock_start``; phases ``detection``, ``response``, ``diagnosis``,
        ``repair``, ``followup``; metrics ``time_to_detect``, ``time_to_respond``,
        ``time_to_repair``, ``time_to_recover``, ``time_to_resolve`` (Timedelta);
        ``recovery_is_resolution`` (bool); ``is_open`` (bool: no ``resolved_at`` by ``as_of``); ``open_for``
        (Timedelta from clock start to ``as_of`` for open incidents, the censoring time; NaT
        for closed ones). ``attrs["mttr_lab.as_of"]`` keeps ``as_of`` (ISO text).
    """
    as_of = _check_phase_arguments(incidents, clock_start, as_of)
    keep = analysed_mask(incidents)
    kept = incidents if keep.all() else incidents.loc[keep]
    carried = [c for c in _CARRIED if c in kept.columns]
    base = kept[[*carried, *MILESTONES]].reset_index(drop=True)
    # The arithmetic runs on int64 counts of the timestamps' own unit, no temporary frames, each
    # row on its own: a large frame's two halves are done side by side, into arrays made here.
    raw, unit = milestone_ints(base)
    rows = len(base)
    start = np.empty(rows, dtype=np.int64)  # clock_start: no memory shared with the incidents
    own_recovery = np.empty(rows, dtype=bool)
    block = np.empty((len(PHASES) + len(METRICS), rows), dtype=np.int64)  # the ten durations
    waited = np.empty(rows, dtype=np.int64)
    resolved = np.empty(rows, dtype=bool)
    is_open = np.empty(rows, dtype=bool)
    started = np.empty(rows, dtype=bool)

    def part(rows: slice) -> None:
        some = {name: values[rows] for name, values in raw.items()}
        times, absurd = usable(some, unit, as_of)
        _durations(times, unit, clock_start, out=(start[rows], own_recovery[rows], block[:, rows]))
        np.not_equal(times["resolved_at"], _NAT, out=resolved[rows])
        if any(mask.any() for mask in absurd.values()):
            late = late_times(some, absurd, unit)
            is_open[rows], started[rows] = open_at(some, late), begun(some, late)
        else:  # every time usable (the usual case): every analysed incident had begun
            np.equal(some["resolved_at"], _NAT, out=is_open[rows])
            started[rows] = True
        elapsed(np.full(len(start[rows]), count(as_of, unit)), start[rows], unit, out=waited[rows])

    in_halves(part, rows)
    np.putmask(waited, ~is_open, _NAT)
    if not started.all():  # incidents that had not begun by as_of (an as_of before them)
        base = base.loc[started].reset_index(drop=True)
        start, own_recovery, block = start[started], own_recovery[started], block[:, started]
        waited, resolved, is_open = waited[started], resolved[started], is_open[started]
    tail = {
        "recovery_is_resolution": ~own_recovery & resolved,
        "is_open": is_open,
        "open_for": waited.view(f"m8[{unit}]"),
    }
    out = tag(_assemble(base, start, block, tail, unit), DURATIONS)
    out.attrs[AS_OF_ATTR] = as_of.isoformat()  # the review date, for a frame of the other clock start
    return out


def _check_phase_arguments(
    incidents: pd.DataFrame, clock_start: str, as_of: pd.Timestamp | str | None
) -> pd.Timestamp:
    """Check the frame and ``clock_start``; ``as_of`` in UTC (the latest timestamp when None)."""
    require(incidents, INCIDENTS, function="phase_durations")
    if clock_start not in ("impact", "detection"):
        raise ValueError(f"clock_start must be 'impact' or 'detection', not {clock_start!r}")
    missing = [c for c in ("incident_id", *MILESTONES) if c not in incidents.columns]
    if missing:
        raise ValueError(f"phase_durations: incidents lack the column(s) {', '.join(missing)}")
    return default_as_of(incidents) if as_of is None else as_utc(as_of)


def _durations(
    times: dict[str, np.ndarray],
    unit: str,
    clock_start: str,
    *,
    out: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    """Into ``out``: the clock start, whether recovery is its own milestone, and the ten
    durations (the rows of a 2-D int64 array)."""
    start, own_recovery, block = out
    used = milestone_order(times, unit, names=False, split=False).used(times)  # a half already
    started, detected, acknowledged = times["started_at"], times["detected_at"], times["acknowledged_at"]
    recovered, resolved = times["recovered_at"], times["resolved_at"]
    start[:] = detected
    if clock_start == "impact":
        np.copyto(start, started, where=started != _NAT)
    # Each cumulative metric is measured from its own two endpoints when they are in order; a
    # recovery before the clock start (or unknown) falls back to the resolution, flagged.
    np.logical_and(recovered != _NAT, elapsed(recovered, start, unit) != _NAT, out=own_recovery)
    recovery = np.where(own_recovery, recovered, resolved)
    ends = [(used[end], used[begin]) for begin, end in PHASES.values()]
    ends += [
        (detected, started),
        (acknowledged, detected),
        (recovery, acknowledged),
        (recovery, start),
        (resolved, start),
    ]
    for row, (end, begin) in zip(block, ends, strict=True):
        elapsed(end, begin, unit, out=row)


def _assemble(
    base: pd.DataFrame, start: np.ndarray, block: np.ndarray, tail: dict[str, np.ndarray], unit: str
) -> pd.DataFrame:
    """The carried columns and milestones, ``clock_start``, the ten durations and the tail, side by side."""
    index = base.index
    stamps = pd.Series(start.view(f"M8[{unit}]"), index=index, copy=False).dt.tz_localize("UTC")
    return pd.concat(
        [
            base,
            stamps.to_frame("clock_start"),
            pd.DataFrame(block.T.view(f"m8[{unit}]"), index=index, columns=[*PHASES, *METRICS], copy=False),
            pd.DataFrame(tail, index=index, copy=False),
        ],
        axis=1,
    )
