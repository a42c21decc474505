"""The response process: where the people were while the clock ran, and what it cost.

``response_process`` (in :mod:`mttr_lab.response_timeline`, with the other analyses of the
timeline alone) turns a ``timeline`` (:func:`mttr_lab.read_timeline`) into one row per incident
(handovers, escalations, ping-pong, assembly time). The analyses here join it, or the incidents'
own fields, to ``durations`` and answer the questions MTTR alone cannot: does each handover cost
time, which detection channels are slow, and how much of the outage happens before the first
record. Every public name of both modules is importable from here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .compare import median_ratio_interval
from .frames import DURATIONS, require
from .readers.timelines import channel_kinds
from .response_timeline import (
    PROCESS_COLUMNS,
    escalation_adherence,
    ping_pong_pairs,
    process_overview,
    response_process,
    trigger_channels,
)
from .schema import InputError
from .stats import censored_minutes, duration_summary, to_minutes

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

# --------------------------------------------------------------------------- joined analyses

#: The columns of :func:`response_process` that :func:`growth_by_count` can compare by: counts
#: (and levels), and the ping-pong flag.
_COUNTS: tuple[str, ...] = ("handovers", "escalations", "groups", "max_level", "first_ack_level", "ping_pong")
_GROUP_COUNTS = ("handovers", "groups", "ping_pong")


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
    if column not in _COUNTS:
        raise InputError(
            "the count to compare by is not one of the process frame's counts",
            found=column,
            expected="one of " + ", ".join(_COUNTS) + " (ping_pong compares yes with no)",
        )
    if column not in process.columns:
        raise InputError(
            "the process frame has no such count", found=column, expected="response_process(timeline)"
        )
    values = process[column]
    if len(process) and values.isna().all():
        what = {
            "handovers": "hand-overs",
            "groups": "groups per incident",
            "ping_pong": "ping-pong",
            "escalations": "escalations",
            "max_level": "the highest level",
            "first_ack_level": "the level at the first acknowledgement",
        }[column]
        recorded = "groups" if column in _GROUP_COUNTS else "escalation levels"
        raise InputError(
            f"the timeline records no {recorded}, so {what} cannot be counted",
            field=column,
            expected="events that name a group"
            if column in _GROUP_COUNTS
            else "events that record a level (a level column, or escalate events)",
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

    ``by`` is a count of :func:`response_process`: ``handovers``, ``escalations``, ``groups``,
    ``max_level``, ``first_ack_level``, or the flag ``ping_pong`` (yes against no); any other
    column is refused, and so is a count the timeline cannot give (all NA: no event names a
    group, or records a level). Counts above ``cap`` are pooled as ``"cap+"``. Per count: the
    median with its exact interval (:func:`mttr_lab.duration_summary`). The verdict rests on two
    tests that must agree: Spearman's rank correlation between the count and the duration, and a
    seeded bootstrap interval of the median ratio of incidents above the baseline versus at it
    (:func:`mttr_lab.compare.median_ratio_interval`). The baseline is count 0 where it occurs,
    else the smallest count present (``groups`` and ``max_level`` start at 1): the ``baseline``
    column says which.

    Returns
    -------
    DataFrame
        One row per count (``0``, ``1``, ..., ``"3+"``): ``count``, ``observed``, ``median``,
        ``median_low``, ``median_high`` (minutes), ``ratio_to_none`` (median over the median of
        the baseline count); and the same on every row: ``rho``, ``p_value``, ``ratio_low``,
        ``ratio_high``, ``verdict``, ``baseline`` (the count compared against: ``"0"``, the
        smallest count present, or ``"no"``).
    """
    require(durations, DURATIONS, function="growth_by_count")
    frame = _joined(durations, process, by)
    boolean = pd.api.types.is_bool_dtype(frame[by].dtype)
    name = by.replace("_", "-" if boolean else " ")
    labels = _count_labels(frame[by], cap)
    frame = frame[labels.notna().to_numpy()].assign(_count=labels.dropna().astype("str"))
    summary = duration_summary(frame, metric=metric, by="_count", confidence=confidence, seed=seed)
    summary.index.name = by
    keep = ["count", "observed", "median", "median_low", "median_high"]
    table = summary[keep].copy()
    order = sorted(
        table.index,
        key=lambda v: (v in ("yes",), float(str(v).rstrip("+")) if str(v).rstrip("+").isdigit() else 0),
    )
    table = table.loc[order]
    x = frame[by].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    present = x[np.isfinite(x)]
    lowest = float(present.min()) if len(present) else 0.0  # 0, else the smallest count present
    label = "no" if boolean else f"{cap}+" if lowest >= cap else str(int(lowest))
    base = table.loc[label, "median"] if label in table.index else np.nan
    table["ratio_to_none"] = table["median"] / base if base and np.isfinite(base) else np.nan
    minutes = censored_minutes(frame, metric=metric)
    closed = minutes["minutes"].notna() & ~minutes["censored"]
    y = minutes["minutes"].to_numpy()
    use = closed.to_numpy() & np.isfinite(x)
    if not boolean and lowest > 0:
        x = x - lowest  # the baseline count becomes 0 for the comparison
    return table.assign(
        **_growth_verdict(
            x, y, use, name=name, boolean=boolean, confidence=confidence, alpha=alpha, seed=seed
        ),
        baseline=label,
    )


def _count_labels(values: pd.Series, cap: int) -> pd.Series:
    """``yes``/``no`` for a flag; else the count as text, ``"<cap>+"`` from ``cap`` on, NA where unknown."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.map({True: "yes", False: "no"}).astype("object")
    numbers = values.astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    return pd.Series(
        np.where(
            numbers >= cap,
            f"{cap}+",
            pd.Series(numbers).map(lambda v: "" if np.isnan(v) else str(int(v))),
        ),
        index=values.index,
    ).replace("", pd.NA)


def _growth_verdict(
    x: np.ndarray,
    y: np.ndarray,
    use: np.ndarray,
    *,
    name: str,
    boolean: bool,
    confidence: float,
    alpha: float,
    seed: int,
) -> dict[str, object]:
    """Spearman's rho and p-value of count ``x`` and minutes ``y``, the median-ratio interval of
    some against none, and the verdict the two give together."""
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
    return {"rho": rho, "p_value": p_value, "ratio_low": low, "ratio_high": high, "verdict": verdict}


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
        One row: ``incidents``, ``impact_recorded`` (incidents that record when the impact
        began), ``with_impact_start`` (those whose impact start, detection and recovery are all
        known and in that order: the ones measured), ``median_untracked`` and
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
            "impact_recorded": [int(start.notna().sum())],
            "with_impact_start": [int(use.sum())],
            "median_untracked": [float(lag.median()) if len(lag) else np.nan],
            "mean_untracked": [float(lag.mean()) if len(lag) else np.nan],
            "share_of_outage": [share],
            "measured_mean": [float(measured.mean()) if len(lag) else np.nan],
            "sentence": [sentence.replace("%", " %")],
        }
    )
