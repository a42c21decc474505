"""Time plots, tested by their artists: every hour cell, the median per time class, gaps in the trend."""

from __future__ import annotations

import numpy as np
import pytest

import mttr_lab as mttr
from mttr_lab import time_plots
from mttr_lab.synth import synth_incidents

pytestmark = pytest.mark.usefixtures("close_figures")


def test_hour_weekday_heatmap_has_every_cell(sample):
    table = mttr.hour_weekday_table(mttr.with_calendar(sample, tz="Europe/Berlin"))
    ax = time_plots.plot_hour_weekday(table, tz="Europe/Berlin")
    mesh = ax.collections[0]
    assert mesh.get_array().size == 24 * 7
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    assert "Europe/Berlin" in ax.get_ylabel() and "Europe/Berlin" in ax.get_title(loc="left")


def test_hour_weekday_of_an_empty_window_says_so_instead_of_a_flat_grid(sample):
    calendar = mttr.with_calendar(sample, tz="Europe/Berlin")
    table = mttr.hour_weekday_table(calendar, start="2030-01-01", end="2030-03-31")
    assert table.fillna(0).to_numpy().sum() == 0
    ax = time_plots.plot_hour_weekday(table, tz="Europe/Berlin")
    assert not ax.collections and not ax.axison
    assert [t.get_text() for t in ax.texts] == ["no incidents started in this window"]


def test_time_classes_show_median_interval_and_rate(sample):
    summary = mttr.time_class_summary(mttr.with_calendar(sample, tz="Europe/Berlin"))
    ax = time_plots.plot_time_classes(summary)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["business", "off", "sleep"]
    texts = [t.get_text() for t in ax.texts]
    assert texts[0].startswith(f"  n={summary.loc['business', 'count']}")
    assert "/hour" in texts[0]
    assert ax.get_xscale() == "log" and len(ax.get_xticks()) >= 3


def test_trend_leaves_empty_periods_as_gaps(tmp_path):
    rows = ["incident_id,detected_at,resolved_at"]
    for month in (1, 2, 4):  # March has no incident
        for day in range(1, 11):
            rows.append(
                f"m{month}d{day},2024-{month:02d}-{day:02d}T10:00:00Z,2024-{month:02d}-{day:02d}T1{day % 10}:30:00Z"
            )
    export = tmp_path / "gap.csv"
    export.write_text("\n".join(rows) + "\n")
    trend = mttr.duration_trend(mttr.phase_durations(mttr.read_export(export)), freq="ME")
    ax = time_plots.plot_trend(trend, target=60)
    line = ax.get_lines()[0]
    y = np.asarray(line.get_ydata(), dtype=float)
    assert len(y) == 4 and np.isnan(y[2])  # a gap, not a zero
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "no incidents" in labels and "target 1 h" in labels
    assert ax.get_yscale() == "log"


def test_a_trend_of_zero_durations_says_why_it_is_empty(tmp_path):
    rows = ["incident_id,started_at,detected_at,resolved_at"]
    for month in (1, 2, 3):  # detected the moment they started: every time to detect is 0 s
        for day in range(1, 8):
            stamp = f"2024-{month:02d}-{day:02d}T10:00:00Z"
            rows.append(f"m{month}d{day},{stamp},{stamp},2024-{month:02d}-{day:02d}T12:00:00Z")
    export = tmp_path / "zero.csv"
    export.write_text("\n".join(rows) + "\n")
    durations = mttr.phase_durations(mttr.read_export(export))
    trend = mttr.duration_trend(durations, metric="time_to_detect", freq="ME", changes=False)
    assert (trend["median"] == 0).all()
    ax = time_plots.plot_trend(trend, metric="time to detect")  # no warning: tests turn them into errors
    assert "every median is 0 s (a log scale has no 0)" in [t.get_text() for t in ax.texts]
    assert ax.get_ylim()[0] > 0


@pytest.mark.parametrize(("months", "angle"), [(6, 0), (36, 90)])
def test_trend_counts_stand_upright_when_periods_crowd(months, angle):
    frame = synth_incidents(incidents=40 * months, months=months, seed=3, defects=False)
    trend = mttr.duration_trend(mttr.phase_durations(frame), freq="ME", changes=False)
    ax = time_plots.plot_trend(trend)
    counts = [t for t in ax.texts if t.get_text().isdigit()]
    assert len(counts) == int((trend["count"] > 0).sum()) >= months - 1
    assert {t.get_rotation() for t in counts} == {angle}


@pytest.mark.parametrize(
    ("name", "maker"),
    [
        ("plot_trend", "the table of duration_trend(durations) or rolling_trend(durations)"),
        ("plot_hour_weekday", "the table of hour_weekday_table(with_calendar(durations, tz=...))"),
        ("plot_time_classes", "the table of time_class_summary(with_calendar(durations, tz=...))"),
    ],
)
def test_a_time_plot_given_the_durations_names_the_function_that_makes_its_table(sample, name, maker):
    """Once a KeyError 'period_start', or a TypeError of a Categorical."""
    for given in (sample, mttr.with_calendar(sample, tz="UTC")):
        with pytest.raises(mttr.FrameKindError) as err:
            getattr(time_plots, name)(given)
        assert str(err.value) == f"{name}: this is a durations frame; pass {maker}"


def test_a_trend_without_the_statistic_asked_for_says_what_it_lacks(sample):
    trend = mttr.duration_trend(sample, freq="ME", changes=False)
    with pytest.raises(mttr.FrameKindError) as err:
        time_plots.plot_trend(trend, statistic="mean")
    assert str(err.value).startswith(
        "plot_trend: this is the table of duration_trend(durations) (without the columns mean, mean_low, "
        "mean_high); pass"
    )


def test_a_time_class_with_an_incident_never_reads_zero_an_hour(tmp_path):
    """Two incidents in three months: a rate of about 0.002 an hour once read '0.00/hour'."""
    path = tmp_path / "two.csv"
    path.write_text(
        "incident_id,severity,detected_at,resolved_at\n"
        "a,high,2025-01-06T10:00:00Z,2025-01-06T11:00:00Z\n"
        "b,low,2025-03-26T03:00:00Z,2025-03-26T04:00:00Z\n"
    )
    durations = mttr.phase_durations(mttr.read_export(path))
    summary = mttr.time_class_summary(mttr.with_calendar(durations, tz="UTC"))
    rate = summary.loc["business", "incidents_per_hour"]
    assert 0 < rate < 0.005 and summary.loc["business", "count"] == 1
    ax = time_plots.plot_time_classes(summary)
    texts = {label: t.get_text() for label, t in zip(summary.index, ax.texts, strict=True)}
    assert (
        texts["business"] == f"  n=1\n  {float(f'{rate:.2g}'):g}/hour"
        and "0.00/hour" not in texts["business"]
    )
    assert texts["off"].endswith("\n  0.00/hour")  # none there: zero, as it is


def test_a_trend_of_one_period_spans_a_period_either_side_not_years(tmp_path):
    export = tmp_path / "one.csv"
    export.write_text("incident_id,detected_at,resolved_at\nI1,2025-03-10T09:00:00Z,2025-03-10T09:40:00Z\n")
    trend = mttr.duration_trend(mttr.phase_durations(mttr.read_export(export)), freq="ME")
    assert len(trend) == 1
    ax = time_plots.plot_trend(trend)
    left, right = ax.get_xlim()
    assert 60 <= right - left <= 100  # February to April, in days (matplotlib alone gave four years)
