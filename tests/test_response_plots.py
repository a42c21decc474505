"""The response plots draw the tables they are given, on the Axes they are given."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from conftest import HANDMADE, fake_growth

import mttr_lab as mttr
from mttr_lab import response_plots


@pytest.fixture
def handmade(fixtures) -> pd.DataFrame:
    return mttr.read_timeline(fixtures / "timeline" / "handmade.csv", source="csv", columns=HANDMADE)


def test_plot_growth_draws_one_point_per_count():
    durations, process = fake_growth(200, 1.3, seed=4)
    table = mttr.growth_by_count(durations, process)
    fig, ax = plt.subplots()
    out = response_plots.plot_growth(table, ax=ax)
    assert out is ax
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2", "3+"]
    assert table["verdict"].iloc[0] in ax.get_title()
    plt.close(fig)


def test_plot_adherence_and_ping_pong(handmade):
    table = mttr.escalation_adherence(handmade, [5, 10, np.nan], names=["primary", "secondary", "lead"])
    ax = response_plots.plot_adherence(table)
    assert len(ax.get_yticklabels()) == len(table)
    assert ax.get_xlim() == (0, 1)
    plt.close(ax.figure)
    pairs = mttr.ping_pong_pairs(handmade)
    ax = response_plots.plot_ping_pong(pairs)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["db → net → db"]
    plt.close(ax.figure)


def test_plot_channels_marks_customer_reports(fixtures):
    durations, _ = fake_growth(60, 1.0, seed=5)
    durations["detection_channel"] = np.where(np.arange(60) % 3 == 0, "Phone", "api")
    table = mttr.channel_summary(durations)
    ax = response_plots.plot_channels(table)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert any(label.startswith("Phone") for label in labels)
    plt.close(ax.figure)


def test_plot_growth_panels_puts_each_count_beside_the_other():
    durations, process = fake_growth(200, 1.3, seed=4)
    tables = {
        "hand-overs": mttr.growth_by_count(durations, process, by="handovers"),
        "escalations": mttr.growth_by_count(
            durations, process.assign(escalations=process["handovers"] // 2), by="escalations"
        ),
    }
    axes = response_plots.plot_growth_panels(tables)
    assert len(axes) == 2 and axes[0].figure is axes[1].figure
    titles = [ax.get_title() for ax in axes]
    assert titles[0].startswith("Hand-overs: ") and titles[1].startswith("Escalations: ")
    assert "handovers" not in titles[0]  # the verdict does not repeat the name
    assert axes[0].get_xlabel().startswith("hand-overs")
    assert axes[1].get_ylabel() == ""  # one y label for the row
    plt.close(axes[0].figure)


@pytest.mark.parametrize(
    ("verdict", "short"),
    [
        ("grows with handovers: beyond noise", "incidents with any take longer, beyond noise"),
        ("shorter with ping-pong: beyond noise", "incidents with any are shorter, beyond noise"),
        ("not distinguishable from noise", "not distinguishable from noise"),
        (
            "cannot tell: too many equal durations for an interval",
            "cannot tell: too many equal durations for an interval",
        ),
    ],
)
def test_short_verdicts(verdict, short):
    assert response_plots._short_verdict(verdict) == short


def test_plot_channels_names_the_level_the_table_was_computed_at():
    durations, _ = fake_growth(60, 1.0, seed=5)
    durations["detection_channel"] = np.where(np.arange(60) % 3 == 0, "Phone", "api")
    ax = response_plots.plot_channels(mttr.channel_summary(durations, confidence=0.9))
    assert "90 % interval" in ax.get_xlabel() and "95" not in ax.get_xlabel()
    plt.close(ax.figure)


def test_plot_channels_whiskers_span_each_interval():
    durations, _ = fake_growth(60, 1.0, seed=5)
    durations["detection_channel"] = np.where(np.arange(60) % 3 == 0, "Phone", "api")
    table = mttr.channel_summary(durations)
    ax = response_plots.plot_channels(table)
    (bars,) = [c for c in ax.containers if isinstance(c, matplotlib.container.ErrorbarContainer)]
    ends = np.array([(seg[0][0], seg[1][0]) for seg in bars.lines[2][0].get_segments()])
    shown = table[table["median"].notna()]
    np.testing.assert_allclose(ends, shown[["median_low", "median_high"]].to_numpy(dtype=float))
    assert matplotlib.colors.to_hex(bars.lines[2][0].get_color()[0]) == "#000000"
    plt.close(ax.figure)


def test_growth_panel_titles_name_the_baseline_when_it_is_not_zero():
    durations, process = fake_growth(400, 1.5, seed=1)
    tables = {
        "groups": mttr.growth_by_count(
            durations, process.assign(groups=process["handovers"] + 1), by="groups"
        )
    }
    (ax,) = response_plots.plot_growth_panels(tables)
    assert "incidents with more than 1 take longer" in ax.get_title()
    plt.close(ax.figure)
