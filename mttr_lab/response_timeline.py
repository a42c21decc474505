"""The response process as a timeline tells it, before any duration is joined to it.

``response_process`` turns a ``timeline`` (:func:`mttr_lab.read_timeline`) into one row per
incident (handovers, escalations, ping-pong, assembly time); ``escalation_adherence``,
``ping_pong_pairs``, ``process_overview`` and ``trigger_channels`` read the same timeline (or
that row per incident). What the process costs in time to recover is :mod:`mttr_lab.response`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .schema import InputError
from .stats import to_minutes
from .timeline import _names_groups, _names_levels, _require_timeline

__all__ = [
    "PROCESS_COLUMNS",
    "escalation_adherence",
    "ping_pong_pairs",
    "process_overview",
    "response_process",
    "trigger_channels",
]

#: The unit of the waits.
_MINUTE = pd.Timedelta(minutes=1)

#: The columns of :func:`response_process`, in order.
PROCESS_COLUMNS: tuple[str, ...] = (
    "incident_id",
    "handovers",
    "escalations",
    "ping_pong",
    "groups",
    "max_level",
    "first_notify",
    "first_ack_level",
    "assembly_time",
)


def _ordered(timeline: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray, pd.Index]:
    """The timeline in incident (first appearance), time, file order; incident codes and ids."""
    codes, ids = pd.factorize(timeline["incident_id"].astype("str"), sort=False)
    stamp = timeline["at"].astype("int64").to_numpy()
    order = np.lexsort((np.arange(len(codes)), stamp, codes))
    if np.array_equal(order, np.arange(len(order))):  # read_timeline's own order: no copy
        return timeline.reset_index(drop=True), codes, pd.Index(ids)
    return timeline.take(order).reset_index(drop=True), codes[order], pd.Index(ids)


def _value_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of ``values`` (-1 where missing) and the values they stand for."""
    codes, uniques = pd.factorize(values, sort=False)
    return codes, np.asarray(uniques, dtype=object)


def _kind_is(kinds: pd.Series) -> Callable[[str], np.ndarray]:
    """A test ``kind -> bool array`` on the events' kinds, on the categorical codes where it can."""
    if isinstance(kinds.dtype, pd.CategoricalDtype):
        codes = kinds.cat.codes.to_numpy()
        categories = [str(c) for c in kinds.cat.categories]
        return lambda kind: (
            codes == categories.index(kind) if kind in categories else np.zeros(len(codes), dtype=bool)
        )
    values = kinds.astype("str").to_numpy(dtype=object)
    return lambda kind: values == kind


def _runs(codes: np.ndarray, values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Positions (into the known values), codes and values of runs of equal known values."""
    value_codes, uniques = _value_codes(values)
    pos = np.flatnonzero(value_codes >= 0)
    c = codes[pos]
    v = value_codes[pos]
    start = np.r_[True, (c[1:] != c[:-1]) | (v[1:] != v[:-1])] if len(pos) else np.array([], dtype=bool)
    return pos[start], c[start], uniques[v[start]]


def response_process(timeline: pd.DataFrame) -> pd.DataFrame:
    """One row per incident: how many groups and levels it went through, and how long assembling took.

    Events are taken in time order, file order for ties; events without a group (or level) do
    not interrupt the sequence of those with one.

    Returns
    -------
    DataFrame
        ``incident_id``; ``handovers`` (``Int64``: changes of group between consecutive
        events); ``escalations`` (``Int64``: rises of level over the previous known level, plus
        escalate events without one); ``ping_pong`` (``boolean``: the incident went back to a
        group it had left); ``groups`` (``Int64``: distinct groups); ``max_level`` (``Int64``).
        Where no event of the whole timeline names a group, ``handovers``, ``ping_pong`` and
        ``groups`` are NA (unknown, not 0) for every incident; where none records a level or is
        an escalation, ``escalations`` is NA (FireHydrant milestones, a ServiceNow log without
        support levels). ``first_notify`` (time of the first notify
        event, NaT where none); ``first_ack_level`` (level at the first acknowledgement);
        ``assembly_time`` (from the first event to the first acknowledgement by the group of the
        last resolve event; NaT where the timeline does not say).
    """
    _require_timeline(timeline)
    frame, codes, ids = _ordered(timeline)
    n = len(ids)
    # groups: runs of equal groups, ignoring events without one
    group_codes, _groups = _value_codes(frame["group"])
    known = group_codes >= 0
    c, g = codes[known], group_codes[known]
    starts = np.r_[True, (c[1:] != c[:-1]) | (g[1:] != g[:-1])] if len(c) else np.array([], dtype=bool)
    runs = np.bincount(c[starts], minlength=n)
    pairs = pd.DataFrame({"c": c, "g": g}).drop_duplicates()  # incident x group
    distinct = np.bincount(pairs["c"].to_numpy(dtype=np.int64), minlength=n)
    handovers = np.maximum(runs - 1, 0) * (runs > 0)
    # levels
    kind_is = _kind_is(frame["kind"])
    level = frame["level"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    grouped = pd.Series(level).groupby(codes)
    previous = grouped.shift(1).groupby(codes).ffill().to_numpy()
    with np.errstate(invalid="ignore"):
        rise = np.nan_to_num(level, nan=-np.inf) > np.nan_to_num(previous, nan=np.inf)
    escalations = np.bincount(codes[rise | kind_is("escalate")], minlength=n)
    max_level = pd.Series(level).groupby(codes).max().reindex(range(n))
    at = frame["at"]
    notify = at.where(kind_is("notify")).groupby(codes).min().reindex(range(n))
    ack = kind_is("acknowledge")
    events = len(ack)
    first_ack_pos = pd.Series(np.where(ack, np.arange(events), events)).groupby(codes).min()
    first_ack_pos = first_ack_pos.reindex(range(n), fill_value=events).to_numpy()
    padded = np.r_[level, np.nan]
    first_ack_level = pd.Series(padded[first_ack_pos]).astype("Float64").round().astype("Int64")
    # assembly: first event -> first acknowledgement by the group that resolved it
    start = at.groupby(codes).min().reindex(range(n))
    resolving = pd.Series(np.where(kind_is("resolve") & known, group_codes, np.nan))
    resolver = resolving.groupby(codes).last().reindex(range(n)).to_numpy()
    by_resolver = ack & known & (group_codes == resolver[codes])
    assembled = at.where(by_resolver).groupby(codes).min().reindex(range(n))
    # where no event of the timeline names a group (or a level), the counts are unknown, not 0
    grouped_export, levelled_export = _names_groups(frame), _names_levels(frame)

    def known_or_na(values: np.ndarray, known: bool, dtype: str) -> pd.Series:
        out = pd.Series(values).astype(dtype)
        return out if known else pd.Series(pd.NA, index=out.index, dtype=dtype)

    out = pd.DataFrame(
        {
            "incident_id": pd.Series(ids, dtype="str"),
            "handovers": known_or_na(handovers, grouped_export, "Int64"),
            "escalations": known_or_na(escalations, levelled_export, "Int64"),
            "ping_pong": known_or_na(runs > distinct, grouped_export, "boolean"),
            "groups": known_or_na(distinct, grouped_export, "Int64"),
            "max_level": pd.Series(max_level.to_numpy()).astype("Float64").round().astype("Int64"),
            "first_notify": notify.reset_index(drop=True).astype(timeline["at"].dtype),
            "first_ack_level": first_ack_level,
            "assembly_time": (assembled - start).reset_index(drop=True),
        }
    )
    return out


def escalation_adherence(
    timeline: pd.DataFrame,
    timeouts: Sequence[float],
    *,
    names: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """How incidents kept to an escalation policy: acknowledged in time, levels reached, path exhausted.

    Under the policy, an incident not acknowledged within the first ``timeouts[0]`` minutes of
    its first event goes to level 2, and so on: it *reached* level k when its first
    acknowledgement came after the sum of the first k-1 timeouts (or never came), and
    *exhausted* the path when it came after all of them. Where the timeline records levels, the
    share of incidents whose events reached each level is given beside it.

    Parameters
    ----------
    timeline : DataFrame
        From :func:`mttr_lab.read_timeline`.
    timeouts : list of float
        Minutes per level, in order (a playbook's ``timeouts``); a last NaN is a final level
        without a timeout (the path cannot be exhausted, only reach that level).
    names : list of str, optional
        Who each level is (a playbook's ``levels``).

    Returns
    -------
    DataFrame
        One row per step (``acknowledged within level 1``, ``reached level 2``, ...,
        ``exhausted the path`` or ``reached <the last level>``): ``who``, ``minutes`` (the cumulative timeout), ``incidents``
        (with a known outcome), ``count``, ``share``, ``share_low``, ``share_high`` (Wilson),
        ``recorded_share`` (from the timeline's own levels, NaN where it has none).
    """
    _require_timeline(timeline)
    limits, open_ended, names = _policy(timeouts, names)
    wait, seen, reached = _waits(timeline)
    known_levels = reached[np.isfinite(reached)]

    def recorded(share: Callable[[np.ndarray], np.ndarray]) -> float:
        return float(np.mean(share(known_levels))) if len(known_levels) else np.nan

    acked = np.isfinite(wait)
    rows = []
    for i, limit in enumerate(np.cumsum(limits)):
        late = (acked & (wait > limit)) | (~acked)
        # an unacknowledged incident counts once the timeline follows it past the limit
        known = acked | (seen > limit)
        if i == 0:
            in_time = acked & (wait <= limit)
            first = recorded(lambda levels: levels <= 1)
            rows.append(
                _step(f"acknowledged within {names[0]}", names[0], limit, in_time, known, first, confidence)
            )
        reach = recorded(lambda levels, at_least=i + 2: levels >= at_least)
        if i + 1 < len(limits) or open_ended:
            rows.append(_step(f"reached {names[i + 1]}", names[i + 1], limit, late, known, reach, confidence))
        else:
            rows.append(_step("exhausted the path", "nobody left", limit, late, known, reach, confidence))
    return pd.DataFrame(rows)


def _policy(timeouts: Sequence[float], names: Sequence[str] | None) -> tuple[list[float], bool, list[str]]:
    """The timeouts with a last NaN taken off (whether it was there), and one name per level."""
    if isinstance(timeouts, (str, bytes)) or not isinstance(timeouts, (Sequence, np.ndarray, pd.Series)):
        raise InputError(
            "timeouts must be a list of minutes, one per level",
            found=timeouts,
            expected="a list such as [5, 15] (a single timeout is [5])",
        )
    try:
        limits = [float(t) for t in timeouts]
    except (TypeError, ValueError):
        raise InputError(
            "timeouts must be minutes, one per level",
            found=list(timeouts),
            expected="numbers such as [5, 15]",
        ) from None
    open_ended = bool(limits) and np.isnan(limits[-1])  # the last level has no timeout
    if open_ended:
        limits = limits[:-1]
    if not limits or any(not np.isfinite(t) or t <= 0 for t in limits):
        raise InputError(
            "timeouts must be positive minutes, one per level (the last may be NaN: no timeout)",
            found=list(timeouts),
        )
    levels = len(limits) + open_ended
    names = list(names or [f"level {i + 1}" for i in range(levels)])
    if len(names) < levels:
        raise InputError("names= needs one name per level", found=list(names), expected=f"{levels} names")
    return limits, open_ended, names


def _waits(timeline: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per incident: minutes to the first acknowledgement (NaN: none), minutes the timeline
    follows it, and the highest level its events record (NaN: none).

    The events come in incident, then time order, so an incident's first and last events
    bound its run of rows and its first acknowledgement is the first one in that run.
    """
    frame, codes, ids = _ordered(timeline)
    incidents = np.arange(len(ids))
    first = np.searchsorted(codes, incidents)
    last = np.searchsorted(codes, incidents, side="right") - 1
    events = len(codes)
    acks = np.where(_kind_is(frame["kind"])("acknowledge"), np.arange(events), events)
    first_ack = np.minimum.reduceat(acks, first)
    at = frame["at"].array
    start = at.take(first)
    ack = at.take(np.where(first_ack < events, first_ack, -1), allow_fill=True)  # NaT: never acknowledged
    wait = np.asarray((ack - start) / _MINUTE)
    # how long the timeline follows an incident without ack
    seen = np.asarray((at.take(last) - start) / _MINUTE)
    level = frame["level"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    reached = np.fmax.reduceat(level, first)  # NaN only where no event records a level
    return wait, seen, reached


def _step(
    step: str,
    who: str,
    minutes: float,
    hit: np.ndarray,
    known: np.ndarray,
    recorded: float,
    confidence: float,
) -> dict[str, object]:
    """One row of :func:`escalation_adherence`: the share of ``known`` incidents that ``hit``."""
    k, m = int(hit[known].sum()), int(known.sum())
    low = high = np.nan
    if m:
        ci = stats.binomtest(k, m).proportion_ci(confidence_level=confidence, method="wilson")
        low, high = float(ci.low), float(ci.high)
    return {
        "step": step,
        "who": who,
        "minutes": float(minutes),
        "incidents": m,
        "count": k,
        "share": k / m if m else np.nan,
        "share_low": low,
        "share_high": high,
        "recorded_share": recorded,
    }


def ping_pong_pairs(timeline: pd.DataFrame, *, top: int | None = 10) -> pd.DataFrame:
    """Which groups bounce incidents between them (A hands to B, B hands back to A), and the cost.

    Returns
    -------
    DataFrame
        One row per ordered pair, most incidents first: ``from_group`` (A), ``to_group`` (B),
        ``incidents`` (with at least one A -> B -> A bounce), ``bounces``, ``median_minutes``
        and ``total_hours`` (time from the hand-over to B until the incident was back at A).
    """
    _require_timeline(timeline)
    frame, codes, _ids = _ordered(timeline)
    pos, c, g = _runs(codes, frame["group"])
    columns = ["from_group", "to_group", "incidents", "bounces", "median_minutes", "total_hours"]
    if len(pos) < 3:
        return pd.DataFrame(columns=columns)
    at = frame["at"].to_numpy()
    bounce = (c[2:] == c[:-2]) & (g[2:] == g[:-2])
    idx = np.flatnonzero(bounce)
    cost = (at[pos[idx + 2]] - at[pos[idx + 1]]) / np.timedelta64(1, "m")
    table = pd.DataFrame(
        {"from_group": g[idx], "to_group": g[idx + 1], "incident": c[idx], "minutes": cost.astype(float)}
    )
    if table.empty:
        return pd.DataFrame(columns=columns)
    out = table.groupby(["from_group", "to_group"], sort=False).agg(
        incidents=("incident", "nunique"),
        bounces=("incident", "size"),
        median_minutes=("minutes", "median"),
        total_hours=("minutes", lambda m: float(m.sum()) / 60),
    )
    out = out.reset_index().sort_values(
        ["incidents", "bounces", "from_group"], ascending=[False, False, True]
    )
    out = out.astype({"from_group": "str", "to_group": "str"}).reset_index(drop=True)
    return out.head(top) if top else out


def process_overview(process: pd.DataFrame) -> pd.DataFrame:
    """The response process in a few numbers.

    Returns
    -------
    DataFrame
        Indexed by measure (``incidents``, ``handed over at least once``, ``went back to a group
        it had left``, ``escalated at least once``, ``median handovers``, ``median assembly time
        (min)``): ``value`` (whole numbers for counts, rounded to one decimal for medians),
        ``share`` (0-1, of all incidents; NaN for medians) and ``note``. Where the timeline names
        no group (or records no level), the measures it cannot give are missing (NA) and
        ``note`` says why; elsewhere ``note`` is empty.
    """
    if not isinstance(process, pd.DataFrame) or "handovers" not in process.columns:
        raise InputError(
            "expected the output of response_process(timeline)", expected=", ".join(PROCESS_COLUMNS)
        )
    n = len(process)
    assembly = to_minutes(process["assembly_time"]).dropna()
    no_groups = bool(n) and process["handovers"].isna().all()
    no_levels = bool(n) and process["escalations"].isna().all()
    why_groups = "unknown: no event of the timeline names a group"
    why_levels = "unknown: no event of the timeline records an escalation level"

    def count(mask: pd.Series, unknown: bool) -> object:
        return pd.NA if unknown else int(mask.fillna(False).astype(bool).sum())

    counts = {
        "incidents": n,
        "handed over at least once": count(process["handovers"] > 0, no_groups),
        "went back to a group it had left": count(process["ping_pong"], no_groups),
        "escalated at least once": count(process["escalations"] > 0, no_levels),
    }
    median_handovers = process["handovers"].astype("Float64").median()
    medians = {
        "median handovers": float(median_handovers) if n and pd.notna(median_handovers) else np.nan,
        "median assembly time (min)": float(assembly.median()) if len(assembly) else np.nan,
    }
    notes = ["", why_groups if no_groups else "", why_groups if no_groups else ""]
    notes += [why_levels if no_levels else "", why_groups if no_groups else "", ""]
    values = [*counts.values(), *(round(v, 1) for v in medians.values())]
    shares = [
        np.nan,
        *(v / n if n and not pd.isna(v) else np.nan for v in list(counts.values())[1:]),
        np.nan,
        np.nan,
    ]
    table = pd.DataFrame(
        {
            "value": np.array(values, dtype=object),
            "share": shares,
            "note": pd.Series(notes, dtype="str").to_numpy(),
        },
        index=pd.Index([*counts, *medians], name="measure"),
    )
    return table


def trigger_channels(timeline: pd.DataFrame) -> pd.DataFrame:
    """The detection channel named by each incident's first trigger event.

    For timelines whose trigger names its channel: PagerDuty log entries (the trigger entry's
    ``channel.type``) and the synthetic sample. Other sources put something else in the
    trigger's detail (a ServiceNow state, a milestone name): use their incidents'
    ``detection_channel`` instead.

    Returns
    -------
    DataFrame
        ``incident_id``, ``detection_channel`` (one row per incident with a trigger event).
    """
    _require_timeline(timeline)
    frame, _codes, _ids = _ordered(timeline)
    triggers = frame[frame["kind"].astype("str").eq("trigger")]
    first = triggers.drop_duplicates("incident_id")
    return pd.DataFrame(
        {
            "incident_id": first["incident_id"].astype("str").to_numpy(),
            "detection_channel": first["detail"].astype("str").to_numpy(),
        }
    )
