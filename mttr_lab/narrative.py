"""Sentences that the data decides: notebooks and reports show these instead of hard-coded numbers."""

from __future__ import annotations

import pandas as pd

from .plots import format_minutes
from .stats import MIN_COUNT

__all__ = ["Text", "headline", "mean_vs_median", "overview_text"]


class Text(str):
    """A string that notebooks render as Markdown and terminals print as it is."""

    def _repr_markdown_(self) -> str:
        return str(self)


def _dur(value: float) -> str:
    return format_minutes(value) if pd.notna(value) else "n/a"


def _interval(row: pd.Series, name: str) -> str:
    low, high = row.get(f"{name}_low"), row.get(f"{name}_high")
    if low is None or high is None or pd.isna(low) or pd.isna(high):
        return "no interval: too few incidents"
    return f"95 % interval {_dur(low)}–{_dur(high)}"


def mean_vs_median(row: pd.Series) -> Text:
    """One sentence on how far the mean sits from the median, and why that matters."""
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
    observed, opened = int(row.get("observed", 0)), int(row.get("open", 0))
    if observed == 0:
        return Text(f"**{metric.capitalize()}**: no closed incident to measure.")
    parts = [
        f"**{metric.capitalize()}**: median **{_dur(row['median'])}** ({_interval(row, 'median')}) "
        f"over {observed:,} closed incident{'s' if observed != 1 else ''}."
    ]
    if pd.notna(row.get("p90")):
        parts.append(f"Nine in ten recovered within **{_dur(row['p90'])}** ({_interval(row, 'p90')}).")
    else:
        parts.append(f"Too few incidents for a 90th percentile (it needs {MIN_COUNT['p90']}).")
    parts.append(mean_vs_median(row))
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
    """One paragraph from :func:`mttr_lab.export_overview`: what was read, analysed, left out."""
    value = overview["value"]
    excluded = int(value["excluded"])
    text = (
        f"{int(value['records read']):,} records read from {value['sources']}: "
        f"{int(value['analysed']):,} incidents analysed"
        + (f", {excluded:,} left out (each listed with its reason under data quality)" if excluded else "")
        + f". Incidents run from {value['first incident']} to {value['last incident']}"
        + (f"; {int(value['open'])} are still open." if int(value["open"]) else ".")
    )
    return Text(text)
