"""Plots are tested by their artists: labels, number of bars and lines, ordering."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from test_io import HAND

import mttr_lab as mttr
from mttr_lab import plots
from mttr_lab.stats import ecdf_table

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample_firehydrant.json"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def sample():
    return mttr.phase_durations(mttr.read_export(SAMPLE, source="firehydrant"))


@pytest.fixture
def hand(fixtures):
    return mttr.phase_durations(
        mttr.read_export(fixtures / "generic" / "hand_made.csv", columns=HAND, tz="UTC")
    )


def test_format_minutes_in_human_units():
    assert [plots.format_minutes(v) for v in (0.5, 5, 59, 60, 90, 600, 1440, 2160, 20160)] == [
        "30 s",
        "5 min",
        "59 min",
        "1 h",
        "1.5 h",
        "10 h",
        "1 d",
        "1.5 d",
        "14 d",
    ]


def test_ecdf_draws_both_curves_and_marks_median_and_p90(sample):
    summary = mttr.duration_summary(sample).loc["all"]
    ax = plots.plot_ecdf(ecdf_table(sample), summary=summary)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0] == "closed incidents only"
    assert labels[1].startswith(f"Kaplan-Meier ({summary['open']} open")
    assert any(label.startswith(f"median {plots.format_minutes(summary['median'])} (") for label in labels)
    assert any(label.startswith("p90") for label in labels)
    assert ax.get_xscale() == "log"
    assert "min" in " ".join(t.get_text() for t in ax.get_xticklabels())


def test_histogram_stacks_open_incidents_apart(hand):
    minutes = mttr.censored_minutes(hand)
    ax = plots.plot_histogram(minutes, bins=5)
    closed, still_open = ax.containers
    assert sum(p.get_height() for p in closed) == 3  # 62, 50, 80 minutes
    assert sum(p.get_height() for p in still_open) == 1  # 104, open for 20 minutes at as_of
    assert ax.get_legend().get_texts()[1].get_text().startswith("open (1)")


def test_phase_breakdown_stacks_one_bar_per_group_per_phase(sample):
    table = mttr.phase_breakdown(sample, by="severity")
    ax = plots.plot_phase_breakdown(table)
    assert len(ax.patches) == 4 * len(table)  # detection, response, diagnosis, repair
    assert [t.get_text() for t in ax.get_yticklabels()] == [*map(str, table.index[:4]), "no severity"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["detection", "response", "diagnosis", "repair"]
    widths = [p.get_width() for p in ax.patches[: len(table)]]  # detection bars
    assert widths == pytest.approx(table["detection"].tolist())


def test_groups_are_ordered_by_severity_and_small_groups_marked(sample):
    minutes = mttr.censored_minutes(sample).join(sample[["severity", "service"]])
    ax = plots.plot_groups(minutes, by="severity", summary=mttr.duration_summary(sample, by="severity"))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["low", "medium", "high", "critical"]
    counts = [t.get_text() for t in ax.texts]
    observed = mttr.duration_summary(sample, by="severity", intervals=False)["observed"]
    assert counts == [f"n={observed[s]}" for s in ["low", "medium", "high", "critical"]]
    small = minutes.iloc[:60].copy()
    ax2 = plots.plot_groups(small, by="service")
    assert any("(few)" in t.get_text() for t in ax2.texts)
    assert ax2.get_xscale() == "log"


def test_colours_are_consistent_per_severity(sample):
    minutes = mttr.censored_minutes(sample).join(sample[["severity"]])
    ax = plots.plot_groups(minutes, by="severity")
    faces = [tuple(np.round(p.get_facecolor()[:3], 3)) for p in ax.patches]
    expected = [
        tuple(np.round(matplotlib.colors.to_rgb(plots.SEVERITY_COLORS[s]), 3)) for s in mttr.SEVERITIES
    ]
    assert faces == expected


def test_hour_weekday_heatmap_has_every_cell(sample):
    table = mttr.hour_weekday_table(mttr.with_calendar(sample, tz="Europe/Berlin"))
    ax = plots.plot_hour_weekday(table, tz="Europe/Berlin")
    mesh = ax.collections[0]
    assert mesh.get_array().size == 24 * 7
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert "Europe/Berlin" in ax.get_ylabel() and "Europe/Berlin" in ax.get_title(loc="left")


def test_time_classes_show_median_interval_and_rate(sample):
    summary = mttr.time_class_summary(mttr.with_calendar(sample, tz="Europe/Berlin"))
    ax = plots.plot_time_classes(summary)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["business", "off", "sleep"]
    texts = [t.get_text() for t in ax.texts]
    assert texts[0].startswith(f"  n={summary.loc['business', 'count']}")
    assert "/hour" in texts[0]
    assert ax.get_xscale() == "log" and len(ax.get_xticks()) >= 3


def test_tiers_draw_bands_per_severity_and_the_interval(sample):
    summary = mttr.duration_summary(sample, by="severity")
    assignments = mttr.assign_tiers(summary)
    ax = plots.plot_tiers(assignments, mttr.seed_tiers())
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["low", "medium", "high", "critical", "no severity"]
    spanned = [t.get_text().strip() for t in ax.texts]
    assert spanned[0] == "not placed"  # the seed table has no low row
    assert spanned[3] == assignments.loc["critical", "tiers_spanned"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["elite", "high", "medium", "needs work"]
