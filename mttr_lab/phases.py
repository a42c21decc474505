"""Phase durations: the segments between milestones, and the cumulative MTTx metrics."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from .quality import analysed
from .schema import MILESTONES, PHASES

__all__ = ["default_as_of", "phase_durations"]

_CARRIED = ("incident_id", "title", "severity", "service", "team", "source", "detection_channel")


def default_as_of(incidents: pd.DataFrame) -> pd.Timestamp:
    """The latest timestamp in the data: the moment the export describes, never the wall clock.

    NaT when the incidents hold no timestamp at all: then none has a start, so none is open.
    """
    present = [c for c in MILESTONES if c in incidents.columns]
    latest = incidents[present].max(axis=None) if present and len(incidents) else pd.NaT
    return pd.NaT if pd.isna(latest) else pd.Timestamp(latest)


def _as_utc(value) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        raise ValueError(f"as_of={value!r} has no timezone; give one, e.g. '2026-07-01T00:00Z'")
    return stamp.tz_convert("UTC")


def _in_order(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Each milestone, left out (NaT) where it is earlier than a milestone recorded before it.

    The same rule as :func:`mttr_lab.check_incidents`, which reports each such milestone.
    """
    used: dict[str, pd.Series] = {}
    latest = pd.Series(pd.NaT, index=frame.index, dtype=frame["started_at"].dtype)
    for name in MILESTONES:
        value = frame[name].mask(frame[name] < latest)
        used[name] = value
        latest = latest.mask(value.notna() & (latest.isna() | (value >= latest)), value)
    return used


def _non_negative(delta: pd.Series) -> pd.Series:
    return delta.where(delta >= pd.Timedelta(0))


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
    ``time_to_resolve`` = resolved − clock start. Where ``recovered_at`` is unknown, recovery is
    taken to be ``resolved_at`` for ``time_to_repair`` and ``time_to_recover``, and
    ``recovery_is_resolution`` says so. A milestone recorded earlier than one before it in the
    sequence is not used (every duration that starts or ends at it is NaT);
    :func:`mttr_lab.check_incidents` reports it.

    Records that are not analysed (``exclude_reason`` set, superseded duplicates, no start time)
    are left out; :func:`mttr_lab.check_incidents` lists each with its reason.

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
        ``recovery_is_resolution`` (bool); ``is_open`` (bool: no ``resolved_at``); ``open_for``
        (Timedelta from clock start to ``as_of`` for open incidents, the censoring time; NaT
        for closed ones).
    """
    if clock_start not in ("impact", "detection"):
        raise ValueError(f"clock_start must be 'impact' or 'detection', not {clock_start!r}")
    missing = [c for c in ("incident_id", *MILESTONES) if c not in incidents.columns]
    if missing:
        raise ValueError(f"phase_durations: incidents lack the column(s) {', '.join(missing)}")
    as_of = default_as_of(incidents) if as_of is None else _as_utc(as_of)

    kept = incidents.loc[analysed(incidents)]
    carried = [c for c in _CARRIED if c in kept.columns]
    base = kept[[*carried, *MILESTONES]].reset_index(drop=True)
    used = _in_order(base)
    started, detected, acknowledged = used["started_at"], used["detected_at"], used["acknowledged_at"]
    recovered, resolved = used["recovered_at"], used["resolved_at"]
    # Columns are collected and joined once: inserting them one by one re-copies the column index.
    cols: dict[str, pd.Series] = {}
    start = started.fillna(detected) if clock_start == "impact" else detected
    cols["clock_start"] = start
    for phase, (begin, end) in PHASES.items():
        cols[phase] = _non_negative(used[end] - used[begin])
    recovery = recovered.fillna(resolved)
    cols["time_to_detect"] = _non_negative(detected - started)
    cols["time_to_respond"] = _non_negative(acknowledged - detected)
    cols["time_to_repair"] = _non_negative(recovery - acknowledged)
    cols["time_to_recover"] = _non_negative(recovery - start)
    cols["time_to_resolve"] = _non_negative(resolved - start)
    cols["recovery_is_resolution"] = base["recovered_at"].isna() & base["resolved_at"].notna()
    is_open = base["resolved_at"].isna()
    cols["is_open"] = is_open
    cols["open_for"] = _non_negative((as_of - start).where(is_open))
    return pd.concat([base, pd.DataFrame(cols)], axis=1)
