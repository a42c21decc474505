"""The response process: where the people were while the clock ran.

``response_process`` turns a ``timeline`` (:func:`mttr_lab.read_timeline`) into one row per
incident (handovers, escalations, ping-pong, assembly time); the analyses below join it to
``durations`` and answer the questions MTTR alone cannot: does each handover cost time, do
acknowledgements keep to the escalation policy, which groups bounce incidents, which detection
channels are slow, and how much of the outage happens before the first record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from .compare import median_ratio_interval
from .frames import DURATIONS, require
from .readers.timelines import channel_kinds
from .schema import InputError
from .stats import censored_minutes, duration_summary, to_minutes
from .timeline import _require_timeline

__all__ = [
    "PROCESS_COLUMNS",
    "channel_summary",
    "escalation_adherence",
    "growth_by_count",
    "ping_pong_pairs",
    "process_overview",
    "response_process",
    "trigger_channels",
    "untracked_time",
]

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
        ``incident_id``; ``handovers`` (changes of group between consecutive events);
        ``escalations`` (rises of level over the previous known level, plus escalate events
        without one); ``ping_pong`` (the incident went back to a group it had left); ``groups``
        (distinct groups); ``max_level`` (``Int64``); ``first_notify`` (time of the first notify
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
    out = pd.DataFrame(
        {
            "incident_id": pd.Series(ids, dtype="str"),
            "handovers": handovers.astype("int64"),
            "escalations": escalations.astype("int64"),
            "ping_pong": runs > distinct,
            "groups": distinct.astype("int64"),
            "max_level": pd.Series(max_level.to_numpy()).astype("Float64").round().astype("Int64"),
            "first_notify": notify.reset_index(drop=True).astype(timeline["at"].dtype),
            "first_ack_level": first_ack_level,
            "assembly_time": (assembled - start).reset_index(drop=True),
        }
    )
    return out


# --------------------------------------------------------------------------- joined analyses


def _joined(durations: pd.DataFrame, process: pd.DataFrame, column: str) -> pd.DataFrame:
    for name, frame, needed in (
        ("durations", durations, "time_to_recover"),
        ("process", process, "handovers"),
    ):
        if not isinstance(frame, pd.DataFrame) or needed not in frame.columns:
            raise InputError(
                f"the {name} frame is not what it should be",
                field=needed,
                expected="phase_durations(incidents) and response_process(timeline)"
                if name == "process"
                else "phase_durations(read_export(...)) (not incidents or a timeline)",
            )
    if column not in process.columns:
        raise InputError(
            f"by={column!r} is not a column of the process frame", expected=", ".join(PROCESS_COLUMNS)
        )
    keys = process[["incident_id", column]].drop_duplicates("incident_id")
    joined = durations.merge(keys, on="incident_id", how="inner", validate="many_to_one")
    if joined.empty and len(durations) and len(process):
        raise InputError(
            "the durations and the process share no incident id",
            field="incident_id",
            found=f"{durations['incident_id'].iloc[0]!r} and {process['incident_id'].iloc[0]!r}",
            expected="read_export and read_timeline of the same export",
        )
    return joined


def growth_by_count(
    durations: pd.DataFrame,
    process: pd.DataFrame,
    *,
    by: str = "handovers",
    metric: str = "time_to_recover",
    cap: int = 3,
    confidence: float = 0.95,
    alpha: float = 0.05,
    seed: int = 0,
) -> pd.DataFrame:
    """How a duration grows with each handover (or escalation), with intervals and a verdict.

    Counts above ``cap`` are pooled as ``"cap+"``. Per count: the median with its exact
    interval (:func:`mttr_lab.duration_summary`). The verdict rests on two tests that must agree:
    Spearman's rank correlation between the count and the duration, and a seeded bootstrap
    interval of the median ratio of incidents with at least one versus none
    (:func:`mttr_lab.compare.median_ratio_interval`).

    Returns
    -------
    DataFrame
        One row per count (``0``, ``1``, ..., ``"3+"``): ``count``, ``observed``, ``median``,
        ``median_low``, ``median_high`` (minutes), ``ratio_to_none`` (median over the median of
        count 0); and the same on every row: ``rho``, ``p_value``, ``ratio_low``, ``ratio_high``,
        ``verdict``.
    """
    require(durations, DURATIONS, function="growth_by_count")
    frame = _joined(durations, process, by)
    values = frame[by]
    boolean = values.dtype == bool
    name = by.replace("_", "-" if boolean else " ")
    if boolean:
        label = values.map({True: "yes", False: "no"})
    else:
        numbers = values.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
        label = pd.Series(
            np.where(
                numbers >= cap,
                f"{cap}+",
                pd.Series(numbers).map(lambda v: "" if np.isnan(v) else str(int(v))),
            ),
            index=frame.index,
        ).replace("", pd.NA)
    frame = frame.assign(_count=label.astype("str"))
    summary = duration_summary(frame, metric=metric, by="_count", confidence=confidence, seed=seed)
    summary.index.name = by
    keep = ["count", "observed", "median", "median_low", "median_high"]
    table = summary[keep].copy()
    order = sorted(
        table.index,
        key=lambda v: (v in ("yes",), float(str(v).rstrip("+")) if str(v).rstrip("+").isdigit() else 0),
    )
    table = table.loc[order]
    base = (
        table.loc["0", "median"]
        if "0" in table.index
        else table.loc["no", "median"]
        if "no" in table.index
        else np.nan
    )
    table["ratio_to_none"] = table["median"] / base if base and np.isfinite(base) else np.nan
    minutes = censored_minutes(frame, metric=metric)
    closed = minutes["minutes"].notna() & ~minutes["censored"]
    x = frame[by].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    y = minutes["minutes"].to_numpy()
    use = closed.to_numpy() & np.isfinite(x)
    rho, p_value = (np.nan, np.nan)
    if use.sum() >= 10 and np.unique(x[use]).size > 1:
        res = stats.spearmanr(x[use], y[use])
        rho, p_value = float(res.statistic), float(res.pvalue)
    none, some = y[use & (x == 0)], y[use & (x > 0)]
    low, high, _method = median_ratio_interval(none, some, confidence=confidence, n_resamples=2000, seed=seed)
    if not np.isfinite(p_value) or min(len(none), len(some)) < 10:
        verdict = "too few incidents to tell"
    elif not np.isfinite(low):
        verdict = (
            "cannot tell: most incidents without any take no time at all"
            if np.median(none) <= 0
            else "cannot tell: too many equal durations for an interval"
        )
    elif p_value < alpha and rho > 0 and low > 1:
        verdict = f"{'longer with' if boolean else 'grows with'} {name}: beyond noise"
    elif p_value < alpha and rho < 0 and high < 1:
        verdict = f"{'shorter with' if boolean else 'shrinks with'} {name}: beyond noise"
    else:
        verdict = "not distinguishable from noise"
    table = table.assign(rho=rho, p_value=p_value, ratio_low=low, ratio_high=high, verdict=verdict)
    return table


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
    limits = [float(t) for t in timeouts]
    open_ended = bool(limits) and np.isnan(limits[-1])  # the last level has no timeout
    if open_ended:
        limits = limits[:-1]
    if not limits or any(not np.isfinite(t) or t <= 0 for t in limits):
        raise InputError(
            "timeouts must be positive minutes, one per level (the last may be NaN: no timeout)",
            found=list(timeouts),
        )
    names = list(names or [f"level {i + 1}" for i in range(len(limits) + open_ended)])
    if len(names) < len(limits) + open_ended:
        raise InputError(
            "names= needs one name per level", found=list(names), expected=f"{len(limits) + open_ended} names"
        )
    frame, codes, ids = _ordered(timeline)
    n = len(ids)
    at = frame["at"]
    start = at.groupby(codes).min().reindex(range(n))
    ack = (
        at.where(frame["kind"].astype("str").eq("acknowledge").to_numpy())
        .groupby(codes)
        .min()
        .reindex(range(n))
    )
    wait = to_minutes(ack - start).to_numpy()
    last = at.groupby(codes).max().reindex(range(n))
    seen = to_minutes(last - start).to_numpy()  # how long the timeline follows an incident without ack
    level = frame["level"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    reached = pd.Series(level).groupby(codes).max().reindex(range(n)).to_numpy()
    has_levels = np.isfinite(reached).any()
    cumulative = np.cumsum(limits)
    rows = []

    def row(step: str, who: str, minutes: float, hit: np.ndarray, known: np.ndarray, recorded: float) -> None:
        k, m = int(hit[known].sum()), int(known.sum())
        low = high = np.nan
        if m:
            ci = stats.binomtest(k, m).proportion_ci(confidence_level=confidence, method="wilson")
            low, high = float(ci.low), float(ci.high)
        rows.append(
            {
                "step": step,
                "who": who,
                "minutes": minutes,
                "incidents": m,
                "count": k,
                "share": k / m if m else np.nan,
                "share_low": low,
                "share_high": high,
                "recorded_share": recorded,
            }
        )

    acked = np.isfinite(wait)
    for i, limit in enumerate(cumulative):
        late = (acked & (wait > limit)) | (~acked)
        # an unacknowledged incident counts once the timeline follows it past the limit
        known = acked | (seen > limit)
        if i == 0:
            in_time = acked & (wait <= limit)
            rec = float(np.mean(reached[np.isfinite(reached)] <= 1)) if has_levels else np.nan
            row(
                f"acknowledged within {names[0]}",
                names[0],
                float(limit),
                in_time,
                acked | (seen > limit),
                rec,
            )
        if i + 1 < len(limits):
            rec = float(np.mean(reached[np.isfinite(reached)] >= i + 2)) if has_levels else np.nan
            row(f"reached {names[i + 1]}", names[i + 1], float(limit), late, known, rec)
        else:
            rec = float(np.mean(reached[np.isfinite(reached)] >= len(limits) + 1)) if has_levels else np.nan
            if open_ended:
                row(f"reached {names[len(limits)]}", names[len(limits)], float(limit), late, known, rec)
            else:
                row("exhausted the path", "nobody left", float(limit), late, known, rec)
    return pd.DataFrame(rows)


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


def channel_summary(
    durations: pd.DataFrame,
    *,
    metric: str = "time_to_recover",
    channel: str = "detection_channel",
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Time to recover and share of incidents by detection channel; customer-reported ones called out.

    Returns
    -------
    DataFrame
        One row per channel (``unknown`` where the export does not say): ``kind``
        (``monitoring``, ``human``, ``customer`` or ``other``; every ServiceNow contact type but
        event management is a caller's report, so ``customer``), ``count``, ``share`` (0-1),
        ``median``, ``median_low``, ``median_high`` (minutes), ``customer_reported`` (bool),
        largest first.
    """
    require(durations, DURATIONS, function="channel_summary")
    if channel not in durations.columns or durations[channel].isna().all():
        raise InputError(
            f"the durations hold no detection channel (column {channel!r} absent or empty)",
            field=channel,
            expected="an export whose reader gives the detection channel (ServiceNow contact_type, "
            "PagerDuty trigger channel, Opsgenie source...)",
        )
    kinds = channel_kinds(durations[channel], durations["source"] if "source" in durations.columns else None)
    frame = durations.assign(_channel=durations[channel].astype("str").fillna("unknown"))
    summary = duration_summary(frame, metric=metric, by="_channel", confidence=confidence)
    summary.index.name = channel
    table = summary[["count", "median", "median_low", "median_high"]].copy()
    kind = kinds.groupby(frame["_channel"]).agg(lambda k: k.mode().iloc[0] if len(k) else "unknown")
    table.insert(0, "kind", kind.reindex(table.index).fillna("unknown"))
    table.insert(2, "share", table["count"] / table["count"].sum())
    table["customer_reported"] = table["kind"].eq("customer")
    return table.sort_values("count", ascending=False)


def _in_words(minutes: float) -> str:
    if minutes < 1:
        return f"{minutes * 60:.0f} s"
    if minutes < 120:
        return f"{minutes:.0f} min"
    if minutes < 2880:
        return f"{minutes / 60:.1f} h".replace(".0 h", " h")
    return f"{minutes / 1440:.1f} days".replace(".0 days", " days")


def untracked_time(durations: pd.DataFrame) -> pd.DataFrame:
    """How much of the customer's outage precedes the first record, where the export says when impact began.

    Uses incidents with both an impact start (``started_at``) and a detection (``detected_at``)
    and an observed time to recover counted from the impact start.

    Returns
    -------
    DataFrame
        One row: ``incidents``, ``with_impact_start``, ``median_untracked`` and
        ``mean_untracked`` (minutes from impact to the first record), ``share_of_outage`` (the
        untracked minutes over all minutes from impact to recovery, 0-1), ``measured_mean``
        (mean time to recover counted from detection, minutes), ``sentence`` (what it means, in
        words).
    """
    require(durations, DURATIONS, function="untracked_time")
    for name in ("started_at", "detected_at", "recovered_at"):
        if name not in durations.columns:
            raise InputError(
                f"the durations have no {name!r} column",
                field=name,
                expected="phase_durations(read_export(...))",
            )
    start, detect = durations["started_at"], durations["detected_at"]
    recovered = durations["recovered_at"]
    if "resolved_at" in durations.columns:
        recovered = recovered.where(recovered.notna(), durations["resolved_at"])
    use = start.notna() & detect.notna() & recovered.notna() & (detect >= start) & (recovered >= detect)
    lag = to_minutes(detect[use] - start[use])
    total = to_minutes(recovered[use] - start[use])
    measured = to_minutes(recovered[use] - detect[use])
    share = float(lag.sum() / total.sum()) if len(lag) and total.sum() > 0 else np.nan
    sentence = (
        "No incident records both when the impact began and when it was detected."
        if not len(lag)
        else f"Measured time to recover misses {_in_words(float(lag.mean()))} per incident on average: "
        f"{share:.0%} of the outage customers saw came before the first record."
    )
    return pd.DataFrame(
        {
            "incidents": [len(durations)],
            "with_impact_start": [int(use.sum())],
            "median_untracked": [float(lag.median()) if len(lag) else np.nan],
            "mean_untracked": [float(lag.mean()) if len(lag) else np.nan],
            "share_of_outage": [share],
            "measured_mean": [float(measured.mean()) if len(lag) else np.nan],
            "sentence": [sentence.replace("%", " %")],
        }
    )


def process_overview(process: pd.DataFrame) -> pd.DataFrame:
    """The response process in a few numbers.

    Returns
    -------
    DataFrame
        Indexed by measure (``incidents``, ``handed over at least once``, ``went back to a group
        it had left``, ``escalated at least once``, ``median handovers``, ``median assembly time
        (min)``): ``value`` (whole numbers for counts, rounded to one decimal for medians) and
        ``share`` (0-1, of all incidents; NaN for medians).
    """
    if not isinstance(process, pd.DataFrame) or "handovers" not in process.columns:
        raise InputError(
            "expected the output of response_process(timeline)", expected=", ".join(PROCESS_COLUMNS)
        )
    n = len(process)
    assembly = to_minutes(process["assembly_time"]).dropna()
    counts = {
        "incidents": n,
        "handed over at least once": int((process["handovers"] > 0).sum()),
        "went back to a group it had left": int(process["ping_pong"].sum()),
        "escalated at least once": int((process["escalations"] > 0).sum()),
    }
    medians = {
        "median handovers": float(process["handovers"].median()) if n else np.nan,
        "median assembly time (min)": float(assembly.median()) if len(assembly) else np.nan,
    }
    values = [*counts.values(), *(round(v, 1) for v in medians.values())]
    shares = [np.nan, *(v / n if n else np.nan for v in list(counts.values())[1:]), np.nan, np.nan]
    table = pd.DataFrame(
        {"value": np.array(values, dtype=object), "share": shares},
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
