"""Sentences that the data decides: notebooks and reports show these instead of hard-coded numbers."""

from __future__ import annotations

import pandas as pd

from .frames import FrameKindError, require_row, require_table
from .intervals import MEAN_INTERVAL_MIN, quantile_interval_sizes
from .stats import MIN_COUNT
from .units import format_minutes, format_p, format_ratio, format_span, interval_level

__all__ = [
    "Text",
    "comparison_text",
    "headline",
    "mean_vs_median",
    "method_text",
    "missing_column",
    "overview_text",
    "review_title",
]


#: What :func:`headline` and :func:`mean_vs_median` take, for their errors.
SUMMARY_ROW = 'one row of duration_summary(durations), such as duration_summary(durations).loc["all"]'
#: What :func:`comparison_text` takes.
COMPARISON_ROW = "one row of compare_periods(durations, before=..., after=...), such as its .iloc[0]"
#: The rows of :func:`mttr_lab.export_overview` that :func:`overview_text` reads.
OVERVIEW_ROWS = ("records read", "analysed", "excluded", "open", "sources", "first incident", "last incident")


class Text(str):
    """A string that notebooks render as Markdown and terminals print as it is."""

    def _repr_markdown_(self) -> str:
        return str(self)


_EXAMPLE_FIELD = {"service": "Component", "severity": "Priority", "team": "Assignment group"}


def missing_column(frame: pd.DataFrame, column: str, *, purpose: str) -> Text | None:
    """One sentence when ``frame`` has no value in ``column``; None when it has some.

    A section of the review that needs the column shows this sentence instead of an empty table
    or plot: ``missing_column(durations, "service", purpose="rank services") or table``.
    """
    require_table(
        frame, function="missing_column", expected="the incidents or durations frame", frames_too=True
    )
    if column in frame.columns and frame[column].notna().any():
        return None
    example = _EXAMPLE_FIELD.get(column, "Field")
    return Text(
        f"This export records no {column} for any incident, so the review cannot {purpose}. "
        f"Map the export's {column} field when reading it (for example `--columns {column}={example}` "
        "with the other columns on the command line) to see this section."
    )


def _dur(value: float) -> str:
    return format_minutes(value) if pd.notna(value) else "n/a"


def _interval(row: pd.Series, name: str) -> str:
    low, high = row.get(f"{name}_low"), row.get(f"{name}_high")
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return "no interval: too few incidents"
    return f"{interval_level(row)} interval {format_span(low, high)}"


def mean_vs_median(row: pd.Series) -> Text:
    """One sentence on how far the mean sits from the median, and why that matters.

    ``row`` is one row of :func:`mttr_lab.duration_summary` (a ``mean`` and a ``median``).
    """
    require_row(row, function="mean_vs_median", expected=SUMMARY_ROW, labels=("mean", "median"))
    return _mean_vs_median(row)


def _mean_vs_median(row: pd.Series) -> Text:
    mean, median = row.get("mean"), row.get("median")
    if pd.isna(mean) or pd.isna(median) or median <= 0:
        return Text("")
    ratio = mean / median
    if ratio >= 1.3:
        return Text(
            f"The mean ({_dur(mean)}) is {ratio:.1f}× the median: a few long incidents pull it up, so it "
            "describes almost no real incident and moves with every outlier. It is shown for comparison only."
        )
    return Text(f"The mean ({_dur(mean)}) is close to the median here ({ratio:.1f}×).")


def headline(row: pd.Series, *, metric: str = "time to recover") -> Text:
    """The headline of one ``duration_summary`` row: median and p90 with intervals, open incidents.

    Returns
    -------
    Text
        Markdown.
    """
    require_row(row, function="headline", expected=SUMMARY_ROW, labels=("observed", "median"))
    observed, opened = int(row.get("observed", 0)), int(row.get("open", 0))
    if observed == 0:
        still = f"; {opened} still open" if opened else ""
        return Text(f"**{metric.capitalize()}**: no closed incident to measure{still}.")
    parts = [
        f"**{metric.capitalize()}**: median **{_dur(row['median'])}** ({_interval(row, 'median')}) "
        f"over {observed:,} closed incident{'s' if observed != 1 else ''}."
    ]
    if pd.notna(row.get("p90")):
        parts.append(f"Nine in ten took at most **{_dur(row['p90'])}** ({_interval(row, 'p90')}).")
    else:
        parts.append(f"Too few incidents for a 90th percentile (it needs {MIN_COUNT['p90']}).")
    parts.append(_mean_vs_median(row))
    if opened:
        km = row.get("km_median")
        tail = (
            f"counting them as censored, the Kaplan–Meier median is {_dur(km)}."
            if pd.notna(km)
            else "more than half are still open, so no censoring-aware median exists yet."
        )
        parts.append(
            f"{opened} incident{'s are' if opened != 1 else ' is'} still open and not yet recovered: {tail}"
        )
    return Text(" ".join(p for p in parts if p))


def overview_text(overview: pd.DataFrame) -> Text:
    """One paragraph from :func:`mttr_lab.export_overview`: what was read, analysed, left out, open.

    The open incidents it counts are those of the whole export still open at the review date; the
    tables' "still open" count, of their own period's or group's incidents, those still open then.
    """
    table = require_table(
        overview,
        function="overview_text",
        expected="the table of export_overview(incidents, durations)",
        columns=("value",),
    )
    value = table["value"]
    missing = [name for name in OVERVIEW_ROWS if name not in value.index]
    if missing:
        raise FrameKindError(
            f"overview_text: this is a table without the row{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}; pass the table of export_overview(incidents, durations)"
        )
    read, analysed = int(value["records read"]), int(value["analysed"])
    excluded, opened = int(value["excluded"]), int(value["open"])
    first, last = value["first incident"], value["last incident"]
    if analysed == 0 or not first:
        span = ". No incident has a start time to analyse"
    elif analysed == 1:
        span = f". It started at {first}"
    elif first == last:
        span = f". All of them started at {first}"
    else:
        span = f". Incidents run from {first} to {last}"
    text = (
        f"{_count(read, 'record')} read from {value['sources']}: {_count(analysed, 'incident')} analysed"
        + (f", {excluded:,} left out (each listed with its reason under data quality)" if excluded else "")
        + span
    )
    if "review date" in value.index and value["review date"]:
        if analysed == 1:
            still = "it is still open" if opened else "it is closed"
        else:
            still = (
                f"{opened:,} of them {'is' if opened == 1 else 'are'} still open"
                if opened
                else "none is open"
            )
        text += f"; at the review date, {value['review date']}, {still}."
    else:
        text += f"; {opened:,} {'is' if opened == 1 else 'are'} still open." if opened else "."
    return Text(text)


def _count(n: int, noun: str) -> str:
    """``n`` things in words: "1 record", "1,501 records"."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def method_text(*, confidence: float = 0.95) -> Text:
    """The review's method, as bullets whose numbers come from the code that applies them.

    Returns
    -------
    Text
        Markdown: one bullet each on intervals, censoring, percentiles, the change verdict and
        timezones.
    """
    level = f"{100 * confidence:g} %"
    median = quantile_interval_sizes(0.5, confidence=confidence)[1]
    p90, p99 = (quantile_interval_sizes(p, confidence=confidence)[1] for p in (0.9, 0.99))
    bullets = [
        "Durations are long-tailed and incidents are few, so medians and percentiles come with "
        f"{level} intervals: exact order-statistic intervals for the median and percentiles (the "
        f"median's from {median} incidents; the upper end of the 90th percentile's from {p90:,}, of "
        f"the 99th's from {p99:,}: below that, the tables say there is no upper bound), a t interval "
        f"for the mean from {MEAN_INTERVAL_MIN:,} incidents (none below, where no interval of a "
        "long-tailed mean covers), a t interval on log durations for the geometric mean.",
        "Open incidents are right-censored at the review date: the Kaplan–Meier estimates include "
        "them; the plain statistics use closed incidents and say how many are open.",
        "Percentiles interpolate linearly between neighbouring incidents (as numpy and pandas do by "
        f"default) and are shown from {MIN_COUNT['p90']} incidents (90th) and {MIN_COUNT['p99']} "
        "incidents (99th).",
        "A change is called *improved* or *worsened* only when the interval of the ratio of "
        "geometric means (Welch, on log durations) excludes 1 and the rank test agrees, so that its "
        "power is the one the detectability figures promise; otherwise *no detectable change*, with "
        "the incident counts it would take to tell. Verdicts per severity are one family, "
        "Holm-corrected.",
        "Timestamps are UTC internally; review periods, months, time of day and incident times are "
        "in the team's timezone.",
    ]
    return Text("\n".join(f"- {b}" for b in bullets))


def review_title(bounds: pd.Series, *, export: str, tz: str) -> Text:
    """The review's heading: the period, its dates in the team's timezone, the export."""
    require_row(
        bounds,
        function="review_title",
        expected="the bounds of review_bounds(durations)",
        labels=("start", "end", "label", "previous_label", "complete"),
    )
    start = bounds["start"].tz_convert(tz)
    end = (bounds["end"] - pd.Timedelta(seconds=1)).tz_convert(tz)
    word = bounds.get("period", "quarter")
    if bounds.get("future", False):
        note = f" This {word} starts after the latest record in the export: there is nothing to review yet."
    else:
        note = "" if bounds["complete"] else f" The {word} is not complete yet: figures will move."
    return Text(
        f"# Incident recovery review, {bounds['label']}\n\n"
        f"{start.day} {start:%B %Y} to {end.day} {end:%B %Y} ({tz}), against {bounds['previous_label']}. "
        f"Export: `{export}`.{note}" + (f" {bounds['note']}" if bounds.get("note") else "")
    )


def comparison_text(
    row: pd.Series,
    *,
    before: str,
    after: str,
    metric: str = "time to recover",
    period: str = "quarter",
    before_start: pd.Timestamp | None = None,
    resolved_from: pd.Timestamp | None = None,
) -> Text:
    """One paragraph from a :func:`mttr_lab.compare.compare_periods` row: the change and the verdict.

    With ``resolved_from`` (:func:`mttr_lab.resolved_from`: the export looks chosen by when its
    incidents were resolved) later than ``before_start``, it says that the earlier period holds
    only its long incidents and the verdict does not hold.
    """
    require_row(row, function="comparison_text", expected=COMPARISON_ROW, labels=("n_before", "n_after"))
    if row.get("n_before", 0) == 0 or row.get("n_after", 0) == 0:
        empty, opened = (
            (before, row.get("open_before", 0))
            if row.get("n_before", 0) == 0
            else (after, row.get("open_after", 0))
        )
        still = f" ({int(opened)} still open)" if pd.notna(opened) and opened else ""
        return Text(f"No comparison: {empty} has no closed incident to measure{still}.")
    ratio = row.get("median_ratio")
    low, high = row.get("median_ratio_low"), row.get("median_ratio_high")
    interval = (
        f" ({interval_level(row)} interval {format_ratio(low)}–{format_ratio(high)})"
        if pd.notna(low) and pd.notna(high)
        else " (no interval: too few incidents)"
    )
    verdict = row.get("verdict", "no detectable change")
    text = (
        f"Median {metric} {_dur(row.get('median_after'))} in {after} against {_dur(row.get('median_before'))} "
        f"in {before} ({int(row['n_after']):,} and {int(row['n_before']):,} incidents measured): a ratio of "
        f"{format_ratio(ratio)}{interval}."
    )
    g, g_low, g_high = row.get("geomean_ratio"), row.get("geomean_ratio_low"), row.get("geomean_ratio_high")
    if pd.notna(g) and pd.notna(g_low) and pd.notna(g_high):
        text += (
            f" The verdict rests on the typical incident (the geometric mean, which weighs every incident"
            f" where the median reads the middle one): {format_ratio(g)}× as long"
            f" ({interval_level(row)} interval {format_ratio(g_low)}–{format_ratio(g_high)})."
        )
    text += f" Verdict: **{verdict}**"
    p = row.get("p_value")
    text += f" (Mann–Whitney {format_p(p)})." if pd.notna(p) else "."
    detectable = row.get("detectable_ratio")
    if pd.notna(detectable):
        text += (
            f" With these counts, only a change to about {format_ratio(detectable)}× (or its inverse) would be detected "
            "reliably (80 % power)"
        )
        needed = row.get("needed_per_group")
        if verdict == "no detectable change" and pd.notna(needed) and pd.notna(ratio) and ratio != 1:
            text += (
                f"; telling a change the size of the one seen (in geometric means) from noise would take about "
                f"{int(needed):,} incidents per {period}"
            )
        text += "."
    if resolved_from is not None and before_start is not None and pd.Timestamp(before_start) < resolved_from:
        text += (
            f" But no incident of this export was resolved before {resolved_from:%Y-%m-%d}: it looks chosen by"
            f" when incidents were resolved, so {before} holds only the incidents still open then, the long"
            " ones, and looks slower than it was. This verdict does not hold."
        )
    return Text(text)
