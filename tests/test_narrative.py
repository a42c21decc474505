"""Sentences decided by the data."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import SAMPLE

import mttr_lab as mttr


def row(**values):
    base = {
        "observed": 40,
        "open": 0,
        "median": 60.0,
        "median_low": 45.0,
        "median_high": 80.0,
        "p90": 300.0,
        "p90_low": 200.0,
        "p90_high": 420.0,
        "mean": 150.0,
        "km_median": 62.0,
    }
    return pd.Series({**base, **values})


def test_headline_states_median_interval_p90_and_the_mean_warning():
    text = mttr.headline(row())
    assert "median **1 h** (95 % interval 45 min–1.3 h) over 40 closed incidents" in text
    assert "at most **5 h**" in text
    assert "2.5× the median" in text
    assert text._repr_markdown_() == str(text)


def test_headline_handles_small_groups_open_incidents_and_nothing_closed():
    small = mttr.headline(row(p90=float("nan"), median_low=float("nan"), open=3))
    assert "no interval: too few incidents" in small and "needs 20" in small
    assert "3 incidents are still open" in small and "Kaplan–Meier median is 1 h" in small
    assert "more than half" in mttr.headline(row(open=50, km_median=float("nan")))
    assert "no closed incident" in mttr.headline(row(observed=0))
    assert "close to the median" in mttr.mean_vs_median(row(mean=66.0))


def test_comparison_text_reports_the_verdict_and_what_could_be_detected():
    comparison = pd.Series(
        {
            "n_before": 100,
            "n_after": 90,
            "median_before": 60.0,
            "median_after": 54.0,
            "median_ratio": 0.9,
            "median_ratio_low": 0.7,
            "median_ratio_high": 1.15,
            "p_value": 0.41,
            "verdict": "no detectable change",
            "detectable_ratio": 0.6,
            "needed_per_group": 2210,
        }
    )
    text = mttr.comparison_text(comparison, before="Q1", after="Q2")
    assert "ratio of 0.90 (95 % interval 0.70–1.15)" in text
    assert "**no detectable change**" in text and "p = 0.41" in text
    assert "about 0.60×" in text and "2,210 incidents per quarter" in text
    assert "(3 still open)" in mttr.comparison_text(
        pd.Series({"n_before": 5, "n_after": 0, "open_after": 3}), before="Q1", after="Q2"
    )
    assert "has no closed incident to measure" in mttr.comparison_text(
        pd.Series({"n_before": 0, "n_after": 5}), before="Q1", after="Q2"
    )


def test_sentences_name_the_level_the_intervals_were_computed_at():
    durations = mttr.phase_durations(mttr.read_export(SAMPLE))
    headline = mttr.headline(mttr.duration_summary(durations, confidence=0.9).loc["all"])
    assert "(90 % interval " in headline and "95 %" not in headline
    middle = durations["clock_start"].sort_values().iloc[len(durations) // 2]
    first, last = durations["clock_start"].min(), durations["clock_start"].max() + pd.Timedelta(days=1)
    comparison = mttr.compare_periods(durations, before=(first, middle), after=(middle, last), confidence=0.8)
    text = mttr.comparison_text(comparison.iloc[0], before="then", after="now")
    assert "(80 % interval " in text and "95 %" not in text


def test_method_text_takes_its_numbers_from_the_code():
    from mttr_lab.intervals import MEAN_INTERVAL_MIN, quantile_interval_sizes

    text = mttr.method_text()
    assert "95 % intervals" in text and f"from {MEAN_INTERVAL_MIN:,} incidents" in text
    assert f"of the 99th's from {quantile_interval_sizes(0.99)[1]:,}" in text
    at_90 = mttr.method_text(confidence=0.9)
    assert "90 % intervals" in at_90
    assert f"of the 99th's from {quantile_interval_sizes(0.99, confidence=0.9)[1]:,}" in at_90
    assert "`" not in text and "_" not in text  # no code words in what a reader sees


def test_a_comparison_reaching_before_an_extract_by_resolution_date_says_its_verdict_does_not_hold():
    comparison = pd.Series(
        {
            "n_before": 900,
            "n_after": 5000,
            "median_before": 12960.0,
            "median_after": 53.0,
            "median_ratio": 0.0041,
        }
        | {"median_ratio_low": 0.0035, "median_ratio_high": 0.0048, "verdict": "improved", "p_value": 1e-9}
    )
    cut = pd.Timestamp("2012-04-30T23:05Z")
    words = {"before": "2012-W17", "after": "2012-W18", "resolved_from": cut}
    biased = mttr.comparison_text(comparison, before_start=pd.Timestamp("2012-04-23T00:00Z"), **words)
    assert "no incident of this export was resolved before 2012-04-30" in biased
    assert (
        "2012-W17 holds only the incidents still open then" in biased
        and "This verdict does not hold." in biased
    )
    later = mttr.comparison_text(comparison, before_start=pd.Timestamp("2012-05-07T00:00Z"), **words)
    assert "does not hold" not in later
    assert "does not hold" not in mttr.comparison_text(comparison, before="Q1", after="Q2")


def test_sentences_given_the_wrong_table_name_the_function_that_makes_the_right_one():
    incidents = mttr.read_export(SAMPLE)
    durations = mttr.phase_durations(incidents)
    summary = mttr.duration_summary(durations, intervals=False)
    row_of = 'pass one row of duration_summary(durations), such as duration_summary(durations).loc["all"]'
    cases = [
        # over a thousand closed incidents once read "no closed incident to measure"
        (lambda: mttr.headline(durations), f"headline: this is a durations frame; {row_of}"),
        # the whole table once raised a TypeError of int() on a Series
        (
            lambda: mttr.headline(summary),
            f"headline: this is the table of duration_summary(durations); {row_of}",
        ),
        (lambda: mttr.mean_vs_median(incidents), f"mean_vs_median: this is an incidents frame; {row_of}"),
        (
            lambda: mttr.overview_text(durations),
            "overview_text: this is a durations frame; pass the table of export_overview(incidents, durations)",
        ),
        (
            lambda: mttr.comparison_text(summary.loc["all"], before="Q1", after="Q2"),
            "comparison_text: this is one row of duration_summary(durations); pass one row of "
            "compare_periods(durations, before=..., after=...), such as its .iloc[0]",
        ),
        (
            lambda: mttr.review_title(durations, export="x.json", tz="UTC"),
            "review_title: this is a durations frame; pass the bounds of review_bounds(durations)",
        ),
        (
            lambda: mttr.missing_column(durations["service"], "service", purpose="rank services"),
            "missing_column: this is a Series named service; pass the incidents or durations frame",
        ),
    ]
    for call, message in cases:
        with pytest.raises(mttr.FrameKindError) as err:
            call()
        assert str(err.value) == message
    # the right ones still read as before
    closed = int(summary.loc["all", "observed"])
    assert closed > 1000 and f"over {closed:,} closed incidents" in mttr.headline(summary.loc["all"])
    assert "the median" in mttr.mean_vs_median(summary.loc["all"])


def test_one_record_and_one_incident_are_said_in_the_singular(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text(
        "incident_id,severity,detected_at,resolved_at\na,high,2025-01-06T10:00:00Z,2025-01-06T11:00:00Z\n"
    )
    incidents = mttr.read_export(path)
    text = mttr.overview_text(mttr.export_overview(incidents, mttr.phase_durations(incidents)))
    assert text.startswith(
        "1 record read from a CSV file: 1 incident analysed. It started at 2025-01-06 10:00 UTC"
    )
    assert "records" not in text and "incidents" not in text and "run from" not in text
    assert text.endswith("at the review date, 2025-01-06 11:00 UTC, it is closed.")
