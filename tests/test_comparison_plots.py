"""Verdict plots, tested by their artists: tier bands and intervals, both periods and the verdict."""

from __future__ import annotations

import pytest

import mttr_lab as mttr
from mttr_lab import comparison_plots

pytestmark = pytest.mark.usefixtures("close_figures")


def test_tiers_draw_bands_per_severity_and_the_interval(sample):
    summary = mttr.duration_summary(sample, by="severity")
    assignments = mttr.assign_tiers(summary)
    ax = comparison_plots.plot_tiers(assignments, mttr.seed_tiers())
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["low", "medium", "high", "critical", "no severity"]
    spanned = [t.get_text().strip() for t in ax.texts]
    assert spanned[0] == "not placed"  # the seed table has no low row
    assert spanned[3] == assignments.loc["critical", "tiers_spanned"]
    assert spanned[4] == "too few incidents to place"  # one incident: no interval
    faces = [line.get_markerfacecolor() for line in ax.lines if line.get_marker() == "D"]
    assert faces == ["black"] * 4 + ["white"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["elite", "high", "medium", "needs work"]


def test_comparison_draws_both_periods_and_the_verdict(sample):
    bounds = mttr.quarter_bounds(sample, tz="UTC")
    before = mttr.period_durations(sample, start=bounds["previous_start"], end=bounds["previous_end"])
    after = mttr.period_durations(sample, start=bounds["start"], end=bounds["end"])
    row = mttr.compare_periods(
        sample,
        before=(bounds["previous_start"], bounds["previous_end"]),
        after=(bounds["start"], bounds["end"]),
    ).iloc[0]
    ax = comparison_plots.plot_comparison(
        mttr.censored_minutes(before), mttr.censored_minutes(after), row, labels=("Q1", "Q2")
    )
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[0].startswith("Q1 (n=") and legend[1].startswith("Q2 (n=")
    assert row["verdict"] in ax.get_title(loc="left") and f"{row['median_ratio']:.2f}" in ax.get_title(
        loc="left"
    )
