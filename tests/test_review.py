"""Tables for the periodic review: quarters, severity mix, slowest incidents, display tidying."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mttr_lab as mttr


def test_latest_complete_quarter_in_the_team_timezone(sample):
    # The sample ends on 30 September 2026, before the third quarter is over in Berlin.
    bounds = mttr.quarter_bounds(sample, tz="Europe/Berlin")
    assert bounds["label"] == "2026Q2" and bounds["previous_label"] == "2026Q1"
    assert bounds["start"] == pd.Timestamp("2026-03-31 22:00", tz="UTC")  # local midnight, CEST
    assert bounds["end"] == pd.Timestamp("2026-06-30 22:00", tz="UTC")
    assert bounds["previous_start"] == pd.Timestamp("2025-12-31 23:00", tz="UTC")  # CET
    assert bool(bounds["complete"])
    later = mttr.quarter_bounds(sample, tz="Europe/Berlin", as_of="2026-10-02T00:00Z")
    assert later["label"] == "2026Q3"
    named = mttr.quarter_bounds(sample, quarter="2025-Q4", tz="UTC")
    assert named["start"] == pd.Timestamp("2025-10-01", tz="UTC") and named["end"] == pd.Timestamp(
        "2026-01-01", tz="UTC"
    )
    with pytest.raises(ValueError, match="2026Q3"):
        mttr.quarter_bounds(sample, quarter="third")


def test_a_history_shorter_than_a_quarter_reviews_the_current_one(sample):
    early = sample[sample["clock_start"] < pd.Timestamp("2025-04-20", tz="UTC")]
    bounds = mttr.quarter_bounds(early, tz="UTC")
    assert bounds["label"] == "2025Q2" and not bounds["complete"]


def test_quarter_table_matches_the_summary_of_each_quarter(sample):
    bounds = mttr.quarter_bounds(sample, tz="UTC")
    table = mttr.quarter_table(sample, bounds=bounds)
    assert list(table.index) == [bounds["previous_label"], bounds["label"]]
    this = mttr.period_durations(sample, start=bounds["start"], end=bounds["end"])
    assert table.loc[bounds["label"], "incidents"] == len(this)
    assert table.loc[bounds["label"], "median"] == pytest.approx(
        np.median(mttr.to_minutes(this["time_to_recover"]).dropna())
    )


def test_severity_mix_counts_and_shares(sample):
    periods = {"H1": (pd.Timestamp("2025-04-01", tz="UTC"), pd.Timestamp("2025-10-01", tz="UTC"))}
    mix = mttr.severity_mix(sample, periods=periods)
    inside = mttr.period_durations(sample, start=periods["H1"][0], end=periods["H1"][1])
    assert mix.loc["total", "H1"] == len(inside)
    assert mix.loc["critical", "H1"] == (inside["severity"] == "critical").sum()
    assert mix.loc[["low", "medium", "high", "critical"], "H1 share"].sum() == pytest.approx(
        1 - mix.loc["no severity", "H1 share"] if "no severity" in mix.index else 1
    )


def test_slowest_incidents_rank_open_ones_by_time_open(fixtures):
    from test_io import HAND

    durations = mttr.phase_durations(
        mttr.read_export(fixtures / "generic" / "hand_made.csv", columns=HAND, tz="UTC"),
        as_of="2024-05-07T14:00:00Z",
    )
    slow = mttr.slowest_incidents(durations, n=2)
    assert slow["incident_id"].tolist() == ["104", "103"]  # open for a day; then 80 minutes
    assert slow["open"].tolist() == [True, False]
    assert slow.loc[1, "minutes"] == 80


def test_tidy_rounds_names_missing_groups_and_keeps_relevant_notes(sample):
    table = mttr.duration_summary(sample.head(30), by="severity")
    shown = mttr.tidy(table[["count", "median", "median_low", "note"]])
    assert "no severity" in shown.index or table.index.notna().all()
    notes = " ".join(shown["note"].dropna())
    assert "p99" not in notes and "p95" not in notes  # about columns the table does not show
    assert (shown["median"] == shown["median"].round(1)).all()


def test_latest_incidents_and_the_percentile_pitfall(sample):
    recent = mttr.latest_incidents(sample, n=20)
    assert len(recent) == 20 and recent["clock_start"].is_monotonic_increasing
    assert recent["clock_start"].max() == sample["clock_start"].max()
    closed = mttr.latest_incidents(sample[~sample["is_open"]], n=40)
    table = mttr.percentile_pitfall(closed)
    values = np.sort(mttr.to_minutes(closed["time_to_recover"]).dropna())
    # Below 100 incidents the index rule returns the maximum as p99.
    assert table.loc["int(n*p/100) index", "p99"] == values[-1] == table.loc["maximum", "p99"]
    assert table.loc["numpy linear", "p99"] < values[-1]
    # For an even count it rounds the median up to the upper middle value.
    assert table.loc["int(n*p/100) index", "p50"] == values[20]
    assert table.loc["numpy linear", "p50"] == pytest.approx((values[19] + values[20]) / 2)


def test_mean_moves_with_one_outlier_the_median_barely(tmp_path):
    rows = ["incident_id,detected_at,resolved_at"]
    for i, minutes in enumerate([10, 12, 15, 20, 25, 30, 40, 3000]):
        end = pd.Timestamp("2024-01-01T00:00Z") + pd.Timedelta(days=i, minutes=minutes)
        rows.append(f"i{i},2024-01-{i + 1:02d}T00:00:00Z,{end:%Y-%m-%dT%H:%M:%SZ}")
    path = tmp_path / "outlier.csv"
    path.write_text("\n".join(rows) + "\n")
    table = mttr.mean_sensitivity(mttr.phase_durations(mttr.read_export(path)))
    assert table.loc["mean", "all"] == pytest.approx(np.mean([10, 12, 15, 20, 25, 30, 40, 3000]))
    assert table.loc["mean", "change"] < -0.8
    assert abs(table.loc["median", "change"]) < 0.25


@pytest.mark.parametrize(
    ("period", "label", "previous", "days"),
    [
        ("week", "2026-W39", "2026-W38", 7),
        ("month", "2026-09", "2026-08", 30),
        ("quarter", "2026Q3", "2026Q2", 92),
    ],
)
def test_review_bounds_for_each_cadence(sample, period, label, previous, days):
    as_of = "2026-10-02T12:00Z"
    bounds = mttr.review_bounds(sample, period=period, tz="Europe/Berlin", as_of=as_of)
    assert (bounds["period"], bounds["label"], bounds["previous_label"]) == (period, label, previous)
    assert bounds["complete"] and not bounds["future"]
    assert bounds["previous_end"] == bounds["start"]
    local = bounds["start"].tz_convert("Europe/Berlin")
    assert (local.hour, local.minute) == (0, 0)  # periods start at the team's midnight
    assert (bounds["last_day"] - bounds["first_day"]).days + 1 == days


def test_a_custom_window_is_compared_with_as_many_days_before(sample):
    bounds = mttr.review_bounds(sample, start="2026-06-01", end="2026-06-30", tz="UTC")
    assert bounds["start"] == pd.Timestamp("2026-06-01T00:00Z") and bounds["end"] == pd.Timestamp(
        "2026-07-01T00:00Z"
    )
    assert bounds["previous_start"] == pd.Timestamp("2026-05-02T00:00Z")
    with pytest.raises(mttr.InputError, match="ends before it starts"):
        mttr.review_bounds(sample, start="2026-06-30", end="2026-06-01")
    future = mttr.review_bounds(sample, period="quarter", label="2027Q1", tz="UTC")
    assert future["future"] and not future["complete"]


def test_tidy_views_keep_their_columns_in_order_for_every_table_kind(sample):
    from mttr_lab.review import VIEWS

    summary = mttr.duration_summary(sample, by="severity")
    headline = mttr.tidy(summary, view="headline")
    assert list(headline.columns) == [c for c in VIEWS["headline"] if c in summary.columns]
    assert "open" in headline.columns and "mean" not in headline.columns
    tiers = mttr.tidy(mttr.assign_tiers(summary), view="headline")
    assert list(tiers.columns) == [
        "count",
        "median",
        "median_low",
        "median_high",
        "tier",
        "tiers_spanned",
        "note",
    ]
    censoring = mttr.tidy(summary, view="censoring")
    assert {"km_median", "km_median_low", "km_median_high", "observed"} <= set(censoring.columns)
    assert mttr.tidy(summary, view="percentiles")["p99"].dtype == float
    with pytest.raises(
        mttr.InputError, match=r"no view named 'short'.*headline, percentiles, censoring, mean"
    ):
        mttr.tidy(summary, view="short")
