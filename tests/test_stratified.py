"""compare_periods_stratified: a change of mix is not a change of the team; one Holm family."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import AFTER, BEFORE, quantiles, two_periods, two_quarters
from scipy import stats

import mttr_lab as mttr
from mttr_lab.compare import compare_periods
from mttr_lab.stratified import compare_periods_stratified


def test_bad_arguments(tmp_path):
    durations = two_quarters(tmp_path, np.full(5, 10.0), np.full(5, 12.0))
    with pytest.raises(ValueError, match="weights"):
        compare_periods_stratified(durations, before=BEFORE, after=AFTER, weights="equal")
    with pytest.raises(mttr.InputError, match="no such column"):
        compare_periods_stratified(durations, before=BEFORE, after=AFTER, by="region")


def mixed_quarters(tmp_path):
    """Identical within-severity durations in both quarters; only the severity mix changes.

    Low-severity incidents take a median 120 min, critical ones 15 min. Before: 60 of each.
    After: 120 low and 30 critical (the same 30 values per severity, repeated)."""
    low, crit = quantiles(30, 120, 0.8), quantiles(30, 15, 0.8)
    before = np.concatenate([np.tile(low, 2), np.tile(crit, 2)])
    after = np.concatenate([np.tile(low, 4), crit])
    severity = ["low"] * 60 + ["critical"] * 60 + ["low"] * 120 + ["critical"] * 30
    return two_quarters(tmp_path, before, after, severity=severity)


def test_a_mix_shift_looks_slower_unadjusted_but_not_adjusted(tmp_path):
    durations = mixed_quarters(tmp_path)
    crude = compare_periods(durations, before=BEFORE, after=AFTER).iloc[0]
    assert crude["verdict"] == "worsened"
    for weights in ("mix", "inverse_variance"):
        table = compare_periods_stratified(durations, before=BEFORE, after=AFTER, weights=weights)
        table = table.set_index("stratum")
        assert list(table.index) == ["low", "critical", "unadjusted", "adjusted"]
        assert table.loc["unadjusted", "verdict"] == "worsened"
        assert table.loc["unadjusted", "geomean_ratio"] == pytest.approx(8**0.3, rel=0.01)
        assert table.loc["adjusted", "geomean_ratio"] == pytest.approx(1.0, abs=1e-3)
        assert table.loc["adjusted", "verdict"] == "no detectable change"
        assert table.loc["low", "geomean_ratio"] == pytest.approx(1.0, abs=1e-3)
        assert table.loc[["low", "critical"], "weight"].sum() == pytest.approx(1.0)
        assert (table.loc["low", "share_before"], table.loc["low", "share_after"]) == (0.5, 0.8)
        assert table.loc["adjusted", "geomean_ratio_low"] < 1 < table.loc["adjusted", "geomean_ratio_high"]
    mix = compare_periods_stratified(durations, before=BEFORE, after=AFTER).set_index("stratum")
    assert mix.loc["low", "weight"] == pytest.approx(180 / 270)  # the pooled mix


def test_stratified_with_one_stratum_is_the_welch_interval(tmp_path):
    rng = np.random.default_rng(8)
    b, a = rng.lognormal(4, 1.2, 40), rng.lognormal(3.5, 1.2, 50)
    durations = two_quarters(tmp_path, b, a)
    table = compare_periods_stratified(durations, before=BEFORE, after=AFTER).set_index("stratum")
    mins = mttr.to_minutes(durations["time_to_recover"]).to_numpy()
    ref = stats.ttest_ind(np.log(mins[40:]), np.log(mins[:40]), equal_var=False)
    ci = ref.confidence_interval(0.95)
    for label in ("high", "adjusted"):
        assert table.loc[label, "geomean_ratio_low"] == pytest.approx(np.exp(ci.low))
        assert table.loc[label, "geomean_ratio_high"] == pytest.approx(np.exp(ci.high))
        assert table.loc[label, "p_value"] == pytest.approx(ref.pvalue)


def test_stratified_sees_a_real_cut_in_every_stratum(tmp_path):
    rng = np.random.default_rng(21)
    medians = {"low": 120.0, "medium": 60.0, "critical": 20.0}
    n_b = {"low": 40, "medium": 80, "critical": 60}
    n_a = {"low": 100, "medium": 60, "critical": 20}
    before = np.concatenate([rng.lognormal(np.log(medians[s]), 1.0, n_b[s]) for s in medians])
    after = np.concatenate([rng.lognormal(np.log(medians[s] / 2), 1.0, n_a[s]) for s in medians])
    severity = [s for s in medians for _ in range(n_b[s])] + [s for s in medians for _ in range(n_a[s])]
    durations = two_quarters(tmp_path, before, after, severity=severity)
    table = compare_periods_stratified(durations, before=BEFORE, after=AFTER).set_index("stratum")
    assert table.loc["adjusted", "verdict"] == "improved"
    assert table.loc["adjusted", "geomean_ratio_low"] <= 0.5 <= table.loc["adjusted", "geomean_ratio_high"]
    # The after quarter has more slow low-severity incidents: the crude ratio understates the cut.
    assert table.loc["unadjusted", "geomean_ratio"] > table.loc["adjusted", "geomean_ratio"]


def test_a_thin_stratum_is_shown_but_left_out(tmp_path):
    rng = np.random.default_rng(4)
    before, after = rng.lognormal(4, 1, 31), rng.lognormal(4, 1, 30)
    severity = ["low"] * 30 + ["critical"] + ["low"] * 30
    durations = two_quarters(tmp_path, before, after, severity=severity)
    table = compare_periods_stratified(durations, before=BEFORE, after=AFTER).set_index("stratum")
    assert table.loc["critical", "n_before"] == 1 and table.loc["critical", "n_after"] == 0
    assert table.loc["critical", "weight"] == 0
    assert "left out" in table.loc["critical", "note"]
    assert np.isnan(table.loc["critical", "geomean_ratio"])
    assert table.loc["low", "weight"] == pytest.approx(1.0)


def test_per_severity_verdicts_are_one_family_holm_corrected():
    # No change anywhere, four severities: uncorrected, about 18 % of runs flagged at least one
    # severity; as one Holm family the share of runs with any false alarm stays under 5 %.
    reps, n = 300, 200
    durations = two_periods(reps=reps, n=n, cut=1.0, seed=21)
    levels = np.array(["low", "medium", "high", "critical"])
    durations["severity"] = pd.Categorical(
        levels[np.random.default_rng(22).integers(0, 4, len(durations))], categories=levels, ordered=True
    )
    start = pd.Timestamp("2020-01-01T00:00Z")
    size = len(durations) // reps
    flagged = raw = 0
    for r in range(reps):
        pair = durations.iloc[r * size : (r + 1) * size]
        before = (start + pd.Timedelta(days=60 * r), start + pd.Timedelta(days=60 * r + 30))
        after = (before[1], before[1] + pd.Timedelta(days=30))
        table = mttr.compare_periods_stratified(pair, before=before, after=after).iloc[:4]
        flagged += (table["verdict"] != "no detectable change").any()
        raw += (table["p_value"] < 0.05).any()
        assert (table["p_value_holm"] >= table["p_value"]).all()
    assert raw / reps > 0.1  # the family problem is real in this simulation
    assert flagged / reps <= 0.065  # Holm keeps it at most 0.05; 300 replicates: error about 0.013
    assert table["note"].str.contains("Holm-corrected over 4 tested strata").all()


def test_a_stratum_one_period_lacks_has_nothing_to_compare(tmp_path):
    """A severity seen only after the change gets no verdict about a change, not "no detectable change"."""
    before = quantiles(40, 60, 1.0)
    after = quantiles(40, 50, 1.0)
    durations = two_quarters(tmp_path, before, after)
    later = durations["clock_start"] >= AFTER[0]
    durations.loc[later & (np.arange(len(durations)) % 4 == 0), "severity"] = "critical"
    durations.loc[~later & (durations["severity"] == "critical"), "severity"] = "high"
    table = compare_periods_stratified(durations, before=BEFORE, after=AFTER).set_index("stratum")
    assert table.loc["critical", "n_before"] == 0 and table.loc["critical", "n_after"] > 0
    assert table.loc["critical", "verdict"] == "nothing measured before"
    # One low-severity incident on each side: measured, but too few for the test.
    durations.loc[durations.index[[1, -2]], "severity"] = "low"
    few = compare_periods_stratified(durations, before=BEFORE, after=AFTER).set_index("stratum")
    assert (few.loc["low", "n_before"], few.loc["low", "n_after"]) == (1, 1)
    assert np.isnan(few.loc["low", "p_value"]) and few.loc["low", "verdict"] == "too few incidents to test"


def test_an_empty_period_is_said_on_the_pooled_rows_too(tmp_path):
    durations = two_quarters(tmp_path, quantiles(30, 60, 1.0), quantiles(30, 50, 1.0))
    empty_before = ("2024-07-01T00:00Z", "2024-10-01T00:00Z")  # a quarter before the export began
    table = compare_periods_stratified(durations, before=empty_before, after=AFTER).set_index("stratum")
    assert (table["verdict"] == "nothing measured before").all()
    same = durations.assign(time_to_recover=pd.Timedelta(minutes=60))  # no spread at all
    flat = compare_periods_stratified(same, before=BEFORE, after=AFTER).set_index("stratum")
    assert (flat["verdict"] == "no detectable change").all() and flat["p_value"].isna().all()


def sample_quarters():
    incidents = mttr.read_export(Path(__file__).parents[1] / "data" / "sample_firehydrant.json")
    durations = mttr.phase_durations(incidents)
    before = ("2026-01-01T00:00Z", "2026-04-01T00:00Z")
    after = ("2026-04-01T00:00Z", "2026-07-01T00:00Z")
    return durations, before, after


def test_per_stratum_intervals_agree_with_the_holm_verdicts():
    """The review's per-severity table: a stratum Holm does not call changed has an interval holding 1."""
    durations, before, after = sample_quarters()
    table = compare_periods_stratified(durations, before=before, after=after, by="severity")
    strata = table.iloc[:-2]
    tested = strata[strata["p_value"].notna()]
    assert len(tested) == 4 and table.attrs["stratum_confidence"] == pytest.approx(1 - 0.05 / 4)
    unchanged = tested[tested["p_value_holm"] >= 0.05]
    assert (unchanged["verdict"] == "no detectable change").all() and len(unchanged) >= 1
    assert (unchanged["geomean_ratio_low"] <= 1).all() and (unchanged["geomean_ratio_high"] >= 1).all()
    assert tested["note"].str.contains("98.75 % interval").all()
    assert table.attrs["confidence"] == 0.95  # the pooled rows keep the nominal level
    assert "weights over 4 strata" in table.iloc[-1]["note"]  # not "4 stratum/strata"


def test_an_unknown_stratum_column_names_the_ones_available():
    durations, before, after = sample_quarters()
    with pytest.raises(mttr.InputError, match="expected one of severity, service, team") as err:
        compare_periods_stratified(durations, before=before, after=after, by="nope")
    assert "\n" not in str(err.value) and "'nope'" in str(err.value)
