"""compare_periods, against known truths and scipy references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import AFTER, BEFORE, T0, export, quantiles, spread, two_periods, two_quarters
from scipy import stats

import mttr_lab as mttr
from mttr_lab.compare import VERDICTS, compare_periods, detectable_ratio, needed_per_group
from mttr_lab.stratified import compare_periods_stratified

# --------------------------------------------------------------------------- analytic anchors


def test_detectability_formulas_reproduce_statistics_md():
    # statistics.md §4.3: n per group for a 10 % / 15 % / 50 % cut at sigma 1.25.
    assert needed_per_group(0.9, 1.25) == 2210
    assert needed_per_group(0.85, 1.25) == 929
    assert needed_per_group(0.5, 1.25) == 52
    # Minimum detectable ratio table.
    assert detectable_ratio(1.25, 20, 20) == pytest.approx(0.33, abs=0.005)
    assert detectable_ratio(1.25, 50, 50) == pytest.approx(0.50, abs=0.005)
    assert detectable_ratio(1.0, 100, 100) == pytest.approx(0.67, abs=0.005)
    assert detectable_ratio(1.4, 1000, 1000) == pytest.approx(0.84, abs=0.005)
    assert np.isnan(needed_per_group(1.0, 1.25))


# --------------------------------------------------------------------------- known truths


def test_identical_distributions_rarely_give_a_verdict(tmp_path):
    # 200 replicates of 30 vs 30 incidents from the same lognormal, each pair in its own two days.
    rng = np.random.default_rng(2024)
    reps, n = 200, 30
    minutes = rng.lognormal(np.log(60), 1.25, size=reps * 2 * n)
    starts = T0 + pd.to_timedelta(np.arange(reps * 2 * n) * (86400 / n), unit="s")
    durations = export(tmp_path, starts, minutes)
    verdicts, rejected, covered = [], 0, 0
    for r in range(reps):  # replicates of a simulation, not a loop in the library
        day = T0 + pd.Timedelta(days=2 * r)
        row = compare_periods(
            durations,
            before=(day, day + pd.Timedelta(days=1)),
            after=(day + pd.Timedelta(days=1), day + pd.Timedelta(days=2)),
            n_resamples=500,
            seed=r,
        ).iloc[0]
        assert row["n_before"] == row["n_after"] == n
        verdicts.append(row["verdict"])
        rejected += row["p_value"] < 0.05
        covered += row["median_ratio_low"] <= 1 <= row["median_ratio_high"]
    verdicts = pd.Series(verdicts)
    assert set(verdicts) <= set(VERDICTS)
    # A false "improved" needs a one-sided error: expected about alpha/2 = 2.5 %.
    assert (verdicts == "improved").mean() <= 0.05
    assert (verdicts == "worsened").mean() <= 0.05
    # The test itself is calibrated (rejects about 5 % under the null), not just silent.
    assert 0.01 <= rejected / reps <= 0.10
    assert covered / reps >= 0.90


def test_a_true_halving_with_300_per_group_is_seen(tmp_path):
    rng = np.random.default_rng(11)
    before = rng.lognormal(np.log(60), 1.25, 300)
    after = rng.lognormal(np.log(30), 1.25, 300)
    durations = two_quarters(tmp_path, before, after)
    row = compare_periods(durations, before=BEFORE, after=AFTER).iloc[0]
    assert row["verdict"] == "improved"
    assert row["median_ratio_low"] <= 0.5 <= row["median_ratio_high"] < 1
    assert row["geomean_ratio_low"] <= 0.5 <= row["geomean_ratio_high"] < 1
    # References: the same minutes as read back, through scipy directly.
    b = mttr.to_minutes(durations["time_to_recover"]).to_numpy()[:300]
    a = mttr.to_minutes(durations["time_to_recover"]).to_numpy()[300:]
    assert row["median_ratio"] == pytest.approx(np.median(a) / np.median(b))
    assert row["p_value"] == pytest.approx(stats.mannwhitneyu(a, b).pvalue)
    ci = stats.ttest_ind(np.log(a), np.log(b), equal_var=False).confidence_interval(0.95)
    assert (row["geomean_ratio_low"], row["geomean_ratio_high"]) == pytest.approx(
        (np.exp(ci.low), np.exp(ci.high))
    )
    assert row["open_before"] == row["open_after"] == 0 and pd.isna(row["note"])


def test_a_ten_percent_cut_at_50_per_group_is_not_detectable(tmp_path):
    # Exactly sigma 1.25 on the log scale and exactly 10 % shorter: needs about 2,210 per group.
    before = quantiles(50, 60, 1.25)
    durations = two_quarters(tmp_path, before, 0.9 * before)
    row = compare_periods(durations, before=BEFORE, after=AFTER).iloc[0]
    assert row["verdict"] == "no detectable change"
    assert row["sigma"] == pytest.approx(1.25, abs=0.002)
    assert row["geomean_ratio"] == pytest.approx(0.9, abs=0.002)
    assert row["needed_per_group"] == pytest.approx(2210, rel=0.03)
    assert row["detectable_ratio"] == pytest.approx(0.50, abs=0.01)  # statistics.md §4.3, n = 50
    assert row["median_ratio_low"] < 0.9 < row["median_ratio_high"]


def test_twenty_per_group_can_only_see_a_threefold_change(tmp_path):
    before = quantiles(20, 60, 1.25)
    durations = two_quarters(tmp_path, before, before)
    row = compare_periods(durations, before=BEFORE, after=AFTER).iloc[0]
    assert row["detectable_ratio"] == pytest.approx(0.33, abs=0.005)
    assert row["median_ratio"] == pytest.approx(1.0)
    assert pd.isna(row["needed_per_group"])  # no observed change
    assert "needed_per_group undefined" in row["note"]


def test_open_incidents_do_not_fake_an_improvement(tmp_path):
    # Same distribution before and after, but the export is taken while the recent incidents
    # are in progress: the closed ones of the after period are the short ones.
    rng = np.random.default_rng(1)
    before = rng.lognormal(np.log(60), 1.25, 120)
    after = rng.lognormal(np.log(60), 1.25, 120)
    starts_b = spread(T0, 30, 120)
    starts_a = spread(pd.Timestamp("2025-03-01", tz="UTC"), 1 / 12, 120)  # all within 2 hours
    as_of = pd.Timestamp("2025-03-01T02:10Z")
    durations = export(tmp_path, starts_b.append(starts_a), np.concatenate([before, after]), as_of=as_of)
    row = compare_periods(
        durations,
        before=("2025-01-01T00:00Z", "2025-02-01T00:00Z"),
        after=("2025-03-01T00:00Z", "2025-03-03T00:00Z"),
    ).iloc[0]
    assert row["open_after"] > 10 and row["open_before"] == 0
    assert row["n_after"] + row["open_after"] == 120
    assert row["p_value"] < 1e-4 and row["median_ratio_high"] < 1  # closed ones alone say "faster"
    assert row["verdict"] == "no detectable change"
    assert "log-rank" in row["note"]
    # Reference: scipy's log-rank on the censored data built here.
    times_a = np.round(after * 60) / 60
    waited = ((as_of - starts_a) / pd.Timedelta(minutes=1)).to_numpy()
    censored = times_a > waited
    ref = stats.logrank(
        stats.CensoredData.right_censored(np.where(censored, waited, times_a), censored),
        stats.CensoredData.right_censored(np.round(before * 60) / 60, np.zeros(120, bool)),
    )
    assert row["p_value_logrank"] == pytest.approx(ref.pvalue)
    assert row["p_value_logrank"] > 0.05


def test_too_few_incidents_give_na_and_a_reason(tmp_path):
    durations = two_quarters(tmp_path, np.array([10.0, 20, 30]), np.array([5.0, 6]))
    row = compare_periods(durations, before=BEFORE, after=AFTER).iloc[0]
    assert np.isnan(row["median_ratio_low"]) and np.isnan(row["median_ratio_high"])
    assert row["median_ratio"] == pytest.approx(5.5 / 20)
    assert "at least 5" in row["note"]
    assert row["verdict"] == "no detectable change"
    empty = compare_periods(durations, before=BEFORE, after=("2025-08-01T00:00Z", "2025-09-01T00:00Z"))
    row = empty.iloc[0]
    assert row["n_after"] == 0 and np.isnan(row["median_after"]) and np.isnan(row["median_ratio"])
    assert row["verdict"] == "no detectable change"
    assert "no observed durations" in row["note"]


def test_seeded_and_reproducible(tmp_path):
    rng = np.random.default_rng(3)
    durations = two_quarters(tmp_path, rng.lognormal(4, 1.25, 60), rng.lognormal(4, 1.25, 60))
    a = compare_periods(durations, before=BEFORE, after=AFTER, seed=1)
    b = compare_periods(durations, before=BEFORE, after=AFTER, seed=1)
    c = compare_periods(durations, before=BEFORE, after=AFTER, seed=2)
    pd.testing.assert_frame_equal(a, b)
    assert a["median_ratio_low"].iloc[0] != c["median_ratio_low"].iloc[0]
    assert a["median_ratio"].iloc[0] == c["median_ratio"].iloc[0]


def test_periods_are_half_open_and_timezone_aware(tmp_path):
    starts = pd.DatetimeIndex(["2025-03-31T21:59:00Z", "2025-03-31T22:00:00Z", "2025-03-31T22:30:00Z"])
    durations = export(tmp_path, starts, [10.0, 20.0, 30.0])
    # Midnight in Berlin (summer time) is 22:00 UTC: the second incident belongs to "after".
    row = compare_periods(
        durations,
        before=("2025-03-01T00:00+02:00", "2025-04-01T00:00+02:00"),
        after=(
            pd.Timestamp("2025-04-01", tz="Europe/Berlin"),
            pd.Timestamp("2025-05-01", tz="Europe/Berlin"),
        ),
    ).iloc[0]
    assert (row["n_before"], row["n_after"]) == (1, 2)


def test_bad_arguments(tmp_path):
    durations = two_quarters(tmp_path, np.full(5, 10.0), np.full(5, 12.0))
    with pytest.raises(ValueError, match="no timezone"):
        compare_periods(durations, before=("2025-01-01", "2025-04-01"), after=AFTER)
    with pytest.raises(ValueError, match="must come before"):
        compare_periods(durations, before=(BEFORE[1], BEFORE[0]), after=AFTER)
    with pytest.raises(ValueError, match="overlap"):
        compare_periods(durations, before=BEFORE, after=("2025-03-01T00:00Z", "2025-05-01T00:00Z"))
    with pytest.raises(ValueError, match="start, end"):
        compare_periods(durations, before="2025-Q1", after=AFTER)
    with pytest.raises(ValueError, match="metric"):
        compare_periods(durations, before=BEFORE, after=AFTER, metric="mttr")
    with pytest.raises(ValueError, match="n_resamples"):
        compare_periods(durations, before=BEFORE, after=AFTER, n_resamples=10)


def _verdicts(durations: pd.DataFrame, reps: int) -> tuple[pd.Series, pd.DataFrame]:
    start = pd.Timestamp("2020-01-01T00:00Z")
    rows = []
    size = len(durations) // reps  # incidents are in period order: one replicate's two periods
    for r in range(reps):
        pair = durations.iloc[r * size : (r + 1) * size]
        before = (start + pd.Timedelta(days=60 * r), start + pd.Timedelta(days=60 * r + 30))
        after = (before[1], before[1] + pd.Timedelta(days=30))
        rows.append(mttr.compare_periods(pair, before=before, after=after, n_resamples=100, seed=r).iloc[0])
    table = pd.DataFrame(rows)
    return table["verdict"].value_counts(normalize=True), table


def test_the_verdict_has_the_power_that_detectability_promises():
    # The published anchor: a real 10 % cut at 2,210 incidents per period is detectable with 80 %
    # power by the test on log durations. The verdict rests on that test (and the rank test
    # agreeing), so it says "improved" about as often; on the median-ratio bootstrap it said so
    # in about 55 % of samples. 300 replicates: Monte Carlo error about 0.025.
    shares, table = _verdicts(two_periods(reps=300, n=2210, cut=0.9, seed=5), 300)
    assert table["detectable_ratio"].between(0.89, 0.91).all()
    assert shares.get("improved", 0) >= 0.75
    null, _ = _verdicts(two_periods(reps=200, n=2210, cut=1.0, seed=6), 200)
    assert 1 - null.get("no detectable change", 0) <= 0.05  # false alarms, either direction


def test_holm_matches_the_textbook_step_down():
    from mttr_lab.compare import holm

    assert np.allclose(holm([0.01, 0.04, 0.03, np.nan]), [0.03, 0.06, 0.06, np.nan], equal_nan=True)


def test_the_level_and_the_bootstrap_method_are_said(tmp_path):
    # The level of every interval travels with the table (attrs["confidence"]), and a percentile
    # bootstrap says why it is one: above the size where BCa is skipped, not "BCa degenerate".
    from mttr_lab.stats import BCA_MAX_N

    n = BCA_MAX_N // 2 + 100
    durations = two_quarters(tmp_path, quantiles(n, 60, 1.25), quantiles(n, 54, 1.25))
    table = compare_periods(durations, before=BEFORE, after=AFTER, confidence=0.9, n_resamples=200)
    assert table.attrs["confidence"] == 0.9
    assert f"percentile bootstrap: BCa skipped above {BCA_MAX_N:,} incidents" in table.loc[0, "note"]
    assert "degenerate" not in table.loc[0, "note"]
    small = two_quarters(tmp_path, quantiles(40, 60, 1.25), quantiles(40, 54, 1.25))
    table = compare_periods(small, before=BEFORE, after=AFTER, n_resamples=200)
    assert table.attrs["confidence"] == 0.95 and "bootstrap" not in str(table.loc[0, "note"])
    strata = compare_periods_stratified(small, before=BEFORE, after=AFTER, confidence=0.8)
    assert strata.attrs["confidence"] == 0.8
    assert mttr.duration_summary(small, confidence=0.8).attrs["confidence"] == 0.8
    assert mttr.ecdf_table(small, confidence=0.8).attrs["confidence"] == 0.8
    assert mttr.duration_trend(small, confidence=0.8, n_resamples=100).attrs["confidence"] == 0.8
