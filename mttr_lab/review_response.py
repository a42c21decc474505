"""The review's response-process section: hand-overs, escalations, ping-pong, detection channels
and untracked time of the period's incidents, in sentences and small tables ready to show."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .frames import DURATIONS, require
from .schema import InputError

if TYPE_CHECKING:
    from .narrative import Text

__all__ = ["ResponseSection", "response_section"]

#: What the review says when an export has no timeline: which exports would give one.
_TIMELINE_EXPORTS = (
    "PagerDuty incidents fetched with their log entries, ServiceNow incident event logs and other "
    "event logs with a support group per event"
)


@dataclass(frozen=True)
class ResponseSection:
    """The review's response-process section, ready to show (see :func:`response_section`).

    ``summary`` is always set; the other parts are None (or empty) where the export does not
    tell, and the review then shows nothing for them.
    """

    summary: Text
    growth: dict[str, pd.DataFrame] = field(default_factory=dict)
    pairs: pd.DataFrame | None = None
    channels: pd.DataFrame | None = None
    untracked: Text | None = None


def _share_words(count: int, total: int) -> str:
    if not count:
        return "none"
    share = count / total if total else 0.0
    percent = "under 1 %" if 0 < share < 0.01 else f"{share:.0%}".replace("%", " %")
    return f"{count:,} ({percent})"


def _times(ratio: float) -> str:
    return f"{ratio:,.0f}" if ratio >= 10 else f"{ratio:.1f}"


def _verdict_words(table: pd.DataFrame, name: str) -> str:
    """One clause on how time to recover goes with ``name`` (a growth_by_count verdict, in words)."""
    row = table.iloc[0]
    verdict = str(row["verdict"])
    low, high = row["ratio_low"], row["ratio_high"]
    interval = (
        f" (incidents with any took {_times(low)}–{_times(high)}× the median of those without, 95 % interval)"
        if np.isfinite(low) and np.isfinite(high)
        else ""
    )
    if verdict.endswith("beyond noise"):
        direction = "longer" if verdict.startswith(("grows", "longer")) else "shorter"
        return f"incidents with {name} take {direction}, beyond noise{interval}"
    if verdict == "not distinguishable from noise":
        return f"the difference {name} make is not distinguishable from noise{interval}"
    return f"whether {name} cost time: {verdict}"


def response_section(
    durations: pd.DataFrame,
    export: str | Path,
    *,
    period: str = "period",
    source: str = "auto",
    tz: str | None = None,
    dayfirst: bool | None = None,
    columns: dict[str, str] | None = None,
    seed: int = 0,
) -> ResponseSection:
    """Hand-overs, escalations, ping-pong, detection channels and untracked time of a review period.

    Reads the timeline of ``export`` (:func:`mttr_lab.read_timeline`, with the options the
    incidents were read with), keeps the events of the period's incidents and runs the
    response-process analyses on them. An export without a timeline gives one sentence naming
    the exports that carry one; a timeline without groups or levels (milestones only) says that
    hand-overs and escalations cannot be counted. Detection channels and untracked time come
    from the incidents themselves and are shown wherever the export records them.

    Parameters
    ----------
    durations : DataFrame
        The period's durations (:func:`period_durations`).
    export : path
        The export the incidents were read from.
    period : str
        The word for the period in sentences (``bounds["period"]``).
    source, tz, dayfirst, columns
        As the incidents were read. With ``columns=`` (a generic export mapped by hand) the
        review does not look for a timeline: its event columns cannot be guessed.

    Returns
    -------
    ResponseSection
        ``summary`` (Markdown), ``growth`` (``"hand-overs"`` / ``"escalations"`` ->
        :func:`mttr_lab.growth_by_count` tables, only those the timeline can count),
        ``pairs`` (the group pairs that bounce incidents most: ``group``, ``handed to, then
        back``, ``incidents``, ``bounces``, ``median time away``, ``total time away``; None when
        no incident went back), ``channels`` (:func:`mttr_lab.channel_summary` columns to show;
        None without channels), ``untracked`` (Markdown; None where no incident records when
        its impact began).
    """
    require(durations, DURATIONS, function="response_section")
    if not isinstance(export, (str, Path)):
        raise InputError(
            "response_section reads the timeline from the export file itself",
            field="export",
            found=type(export).__name__,
            expected="the path the incidents were read from (not a frame)",
        )
    from .narrative import Text
    from .response import channel_summary, ping_pong_pairs, untracked_time

    channels = _channels(durations, channel_summary)
    untracked = _untracked(durations, untracked_time)
    events = _timeline_events(
        durations, export, period=period, source=source, tz=tz, dayfirst=dayfirst, columns=columns
    )
    if isinstance(events, str):
        return ResponseSection(Text(events), channels=channels, untracked=untracked)
    text, growth = _process_text(durations, events, period=period, seed=seed)
    pairs = _pairs(ping_pong_pairs(events, top=5)) if events["group"].notna().any() else None
    return ResponseSection(Text(text), growth=growth, pairs=pairs, channels=channels, untracked=untracked)


def _timeline_events(
    durations: pd.DataFrame,
    export: str | Path,
    *,
    period: str,
    source: str,
    tz: str | None,
    dayfirst: bool | None,
    columns: dict[str, str] | None,
) -> pd.DataFrame | str:
    """The timeline's events of the period's incidents, or the sentence that says why there are none."""
    from .timeline import NoTimelineError, read_timeline

    missing = (
        f"This export carries no timeline ({_TIMELINE_EXPORTS} do), so the review cannot show "
        "hand-overs, escalations or ping-pong."
    )
    if columns:
        return missing
    try:
        timeline = read_timeline(export, source=source, tz=tz, dayfirst=dayfirst)
    except NoTimelineError:
        return missing
    except InputError as exc:
        return (
            "The export's timeline could not be read, so the review does not show hand-overs, "
            f"escalations or ping-pong: {exc}."
        )
    if not len(durations):
        return f"No incident in this {period}."
    events = timeline[timeline["incident_id"].isin(set(durations["incident_id"].astype("str")))]
    followed = events["incident_id"].nunique()
    if not followed:
        return f"The export's timeline has no events for the incidents of this {period}."
    if not _has_groups(events) and not _has_levels(events):
        return (
            f"{_scope(events, durations, period)} ({len(events):,} events), but no event names a group or "
            "an escalation level, so hand-overs, escalations and ping-pong cannot be counted "
            f"({_TIMELINE_EXPORTS} name them)."
        )
    return events


def _has_groups(events: pd.DataFrame) -> bool:
    return bool(events["group"].notna().any())


def _has_levels(events: pd.DataFrame) -> bool:
    return bool(events["level"].notna().any() or events["kind"].astype("str").eq("escalate").any())


def _scope(events: pd.DataFrame, durations: pd.DataFrame, period: str) -> str:
    followed = events["incident_id"].nunique()
    return f"The timeline follows {followed:,} of the {len(durations):,} incidents of this {period}"


def _process_text(
    durations: pd.DataFrame, events: pd.DataFrame, *, period: str, seed: int
) -> tuple[str, dict[str, pd.DataFrame]]:
    """The section's sentence of counts and verdicts, and the growth tables worth drawing."""
    from .response import growth_by_count, response_process

    has_groups, has_levels = _has_groups(events), _has_levels(events)
    followed = events["incident_id"].nunique()
    process = response_process(events)
    parts, clauses, growth = [], [], {}

    def counted(mask: pd.Series) -> str:
        return _share_words(int(mask.sum()), followed)

    if has_groups:
        parts.append(f"{counted(process['handovers'] > 0)} were handed over at least once")
        growth["hand-overs"] = growth_by_count(durations, process, by="handovers", seed=seed)
        clauses.append(_verdict_words(growth["hand-overs"], "hand-overs"))
    if has_levels:
        parts.append(f"{counted(process['escalations'] > 0)} were escalated at least once")
        growth["escalations"] = growth_by_count(durations, process, by="escalations", seed=seed)
        clauses.append(_verdict_words(growth["escalations"], "escalations"))
    if has_groups:
        parts.append(f"{counted(process['ping_pong'])} went back to a group they had left")
    listed = f"{', '.join(parts[:-1])} and {parts[-1]}" if len(parts) > 1 else parts[0]
    text = f"{_scope(events, durations, period)}: {listed}."
    verdicts = "; ".join(clauses)
    text += f" {verdicts[:1].upper()}{verdicts[1:]}."
    if not has_groups:
        text += " No event names a group, so hand-overs and ping-pong cannot be counted."
    if not has_levels:
        text += " No event records an escalation level, so escalations cannot be counted."
    return text, {k: v for k, v in growth.items() if v["median"].notna().any()}


def _pairs(pairs: pd.DataFrame) -> pd.DataFrame | None:
    if pairs.empty:
        return None
    return pd.DataFrame(
        {
            "group": pairs["from_group"],
            "handed to, then back": pairs["to_group"],
            "incidents": pairs["incidents"].astype("int64"),
            "bounces": pairs["bounces"].astype("int64"),
            "median time away": pd.to_timedelta(pairs["median_minutes"], unit="min"),
            "total time away": pd.to_timedelta(pairs["total_hours"], unit="h"),
        }
    )


def _channels(durations: pd.DataFrame, channel_summary: Callable[..., pd.DataFrame]) -> pd.DataFrame | None:
    if "detection_channel" not in durations.columns or durations["detection_channel"].isna().all():
        return None
    table = channel_summary(durations)
    shown = table[["kind", "count", "share", "median", "median_low", "median_high"]]
    # Channels are the vendors' codes (web_ui, email): said in words, unlike a service's name.
    shown = shown.rename(index=lambda code: code.replace("_", " ") if isinstance(code, str) else code)
    return shown.rename(columns={"kind": "noticed by"})


def _untracked(durations: pd.DataFrame, untracked_time: Callable[..., pd.DataFrame]) -> Text | None:
    from .narrative import Text
    from .units import format_minutes

    if not {"started_at", "detected_at", "recovered_at"} <= set(durations.columns):
        return None
    row = untracked_time(durations).iloc[0]
    if not row["with_impact_start"] or not np.isfinite(row["share_of_outage"]):
        return None
    recorded, measured = int(row["impact_recorded"]), int(row["with_impact_start"])
    # which incidents the figures are of: those whose impact start, detection and recovery are in order
    which = f"{recorded:,} of {row['incidents']:,} incidents record when the customer impact began" + (
        "; in them"
        if measured == recorded
        else f"; in the {measured:,} whose impact start, detection and recovery come in that order"
    )
    if row["mean_untracked"] <= 0:  # the impact start is the first record (a status page's first post)
        return Text(
            f"Untracked time: {which}, it is the moment of detection, so no outage time precedes the "
            "first record; whether the impact truly began then, the export cannot say."
        )
    share = f"{row['share_of_outage']:.0%}".replace("%", " %")
    return Text(
        f"Untracked time: {which}, it began "
        f"{format_minutes(row['mean_untracked'])} before detection on average (median "
        f"{format_minutes(row['median_untracked'])}), {share} of the outage customers saw. The times "
        "to recover in this review count from the impact start, so they include it; a time to "
        "recover counted from the first record, as most tools report it, leaves it out."
    )
