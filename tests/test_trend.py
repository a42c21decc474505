"""duration_trend, rolling_trend, trend_slope and improvement_question."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import mttr_lab as mttr
from mttr_lab.synth import synth_incidents, write_export
from mttr_lab.trend import duration_trend, improvement_question, rolling_trend, trend_slope


def export(tmp_path, starts, minutes, *, severity=None, name="incidents.csv"):
    """A generic CSV export (incident resolved ``minutes`` after its start), read back."""
    starts = pd.DatetimeIndex(pd.to_datetime(starts, utc=True))
    ends = starts + pd.to_timedelta(np.round(np.asarray(minutes, dtype=float) * 60), unit="s")
    frame = pd.DataFrame(
        {
            "incident_id": [f"i{i}" for i in range(len(starts))],
            "detected_at": starts.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "resolved_at": ends.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "severity": severity if severity is not None else "high",
        }
    )
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return mttr.phase_durations(mttr.read_export(path))


@pytest.fixture(scope="module")
def improving(tmp_path_factory):
    """Two years of synthetic incidents, about 100 a month, 5 % shorter every month."""
    incidents = synth_incidents(incidents=2400, months=24, start="2024-01-01", seed=3, improvement=0.05)
    path = write_export(incidents, tmp_path_factory.mktemp("trend") / "improving.json")
    return mttr.phase_durations(mttr.read_export(path, source="firehydrant"))


@pytest.fixture
def gap(tmp_path):
    """January 10/20/30 min, February 40/50/60, no incident in March, April 25."""
    starts = [
        "2025-01-05T10:00Z", "2025-01-12T10:00Z", "2025-01-20T10:00Z",
        "2025-02-03T10:00Z", "2025-02-10T10:00Z", "2025-02-17T10:00Z",
        "2025-04-08T10:00Z",
    ]  # fmt: skip
    return export(tmp_path, starts, [10, 20, 30, 40, 50, 60, 25])


# --------------------------------------------------------------------------- duration_trend


def test_a_gap_month_is_an_empty_row_not_a_zero(gap):
    table = duration_trend(gap)
    assert list(table["period"]) == ["2025-01", "2025-02", "2025-03", "2025-04"]
    march = table.set_index("period").loc["2025-03"]
    assert bool(march["empty"]) and march["count"] == 0 and march["observed"] == 0
    assert np.isnan(march["median"]) and np.isnan(march["geomean"]) and np.isnan(march["change"])
    assert march["note"] == "no incidents in this month"
    assert list(table["median"].iloc[[0, 1, 3]]) == [20, 50, 25]
    # The change is to the previous non-empty month: Feb/Jan = 2.5, Apr/Feb = 0.5.
    assert np.isnan(table["change"].iloc[0])
    assert table["change"].iloc[1] == pytest.approx(2.5)
    assert table["change"].iloc[3] == pytest.approx(0.5)
    # Three incidents are too few for an interval of the change: NA with a reason.
    assert table["change_low"].isna().all()
    assert "change interval needs at least 10" in table["note"].iloc[1]
    assert table["period_start"].iloc[2] == pd.Timestamp("2025-03-01", tz="UTC")
    assert table["period_end"].iloc[2] == pd.Timestamp("2025-04-01", tz="UTC")


def test_start_and_end_add_empty_periods_on_both_sides(gap):
    table = duration_trend(gap, start="2024-11-15", end="2025-06-30")
    assert list(table["period"]) == [f"{y}-{m:02d}" for y, m in
                                     [(2024, 11), (2024, 12), *[(2025, k) for k in range(1, 7)]]]  # fmt: skip
    assert list(table["empty"]) == [True, True, False, False, True, False, True, True]
    assert table["count"].sum() == 7
    quarters = duration_trend(gap, freq="QE")
    assert list(quarters["period"]) == ["2025Q1", "2025Q2"]
    assert list(quarters["count"]) == [6, 1]
    assert quarters["median"].iloc[0] == pytest.approx(35)


def test_periods_follow_the_local_calendar(tmp_path):
    # 23:30 UTC on 31 January is 00:30 on 1 February in Berlin.
    durations = export(tmp_path, ["2025-01-31T23:30Z", "2025-03-31T21:30Z"], [10, 20])
    utc = duration_trend(durations)
    berlin = duration_trend(durations, tz="Europe/Berlin")
    assert list(utc.loc[~utc["empty"], "period"]) == ["2025-01", "2025-03"]
    assert list(berlin.loc[~berlin["empty"], "period"]) == ["2025-02", "2025-03"]
    assert berlin["period_start"].iloc[0] == pd.Timestamp("2025-02-01", tz="Europe/Berlin")
    # March in Berlin ends at local midnight in summer time: 22:00 UTC.
    assert berlin["period_end"].iloc[-1] == pd.Timestamp("2025-03-31T22:00Z")


def test_groups_each_get_every_period(tmp_path):
    starts = ["2025-01-05T10:00Z", "2025-01-06T10:00Z", "2025-03-05T10:00Z", "2025-03-06T10:00Z"]
    durations = export(tmp_path, starts, [10, 20, 30, 40], severity=["low", "critical", "low", "low"])
    table = duration_trend(durations, by="severity")
    assert len(table) == 2 * 3
    critical = table.loc[table["severity"] == "critical"]
    assert list(critical["count"]) == [1, 0, 0]
    low = table.loc[table["severity"] == "low"].reset_index(drop=True)
    assert list(low["count"]) == [1, 0, 2]
    assert low["change"].iloc[2] == pytest.approx(35 / 10)  # against low's January, not critical's


def test_monthly_medians_and_intervals_come_from_duration_summary(improving):
    table = duration_trend(improving)
    assert len(table) == 24 and not table["empty"].any()
    assert table["count"].sum() == len(improving)
    # Reference: the median of each month's closed durations, grouped here independently.
    minutes = mttr.to_minutes(improving["time_to_recover"])
    month = improving["clock_start"].dt.strftime("%Y-%m")
    closed = minutes.notna()  # recovered, even if not yet resolved
    expected = minutes[closed].groupby(month[closed]).median()
    assert np.allclose(table.set_index("period")["median"], expected)
    assert (table["median_low"] <= table["median"]).all() and (table["median"] <= table["median_high"]).all()
    has = table["change_low"].notna()
    assert has.sum() == 23
    assert ((table.loc[has, "change_low"] <= table.loc[has, "change"])
            & (table.loc[has, "change"] <= table.loc[has, "change_high"])).all()  # fmt: skip
    last = table.iloc[-1]
    assert last["open"] > 0 and "open incident" in last["note"]


# --------------------------------------------------------------------------- slope and the question


def test_slope_recovers_a_five_percent_monthly_improvement(improving):
    row = trend_slope(improving).iloc[0]
    assert row["periods"] == 24
    assert row["change_low"] <= -0.05 <= row["change_high"]
    assert row["change_high"] < 0 and row["p_value"] < 0.001
    answer = improvement_question(improving, claimed=0.05).iloc[0]
    assert bool(answer["excludes_zero"]) and not bool(answer["excludes_claimed"])
    assert answer["verdict"].startswith("Consistent with a 5 % monthly improvement")
    assert answer["incidents_per_period"] == pytest.approx(100, abs=5)
    assert answer["sigma"] == pytest.approx(1.25, abs=0.1)  # synth's log-sigma, plus the mix
    fifteen = improvement_question(improving, claimed=0.15).iloc[0]
    assert bool(fifteen["excludes_claimed"])
    verdict = fifteen["verdict"]
    assert verdict.startswith("Improving, but by less than 15 % a month (estimated \u22125 % per month")
    assert "-" not in verdict.split("(", 1)[1] and verdict.endswith(").")  # true minus signs, a sentence


def test_slope_is_theil_sen_of_log_medians_with_gaps_counted(gap):
    row = trend_slope(gap).iloc[0]
    ref = stats.theilslopes(np.log([20, 50, 25]), [0, 1, 3], alpha=0.95)
    assert row["slope"] == pytest.approx(ref.slope)
    assert row["change_per_period"] == pytest.approx(np.expm1(ref.slope))
    assert (row["change_low"], row["change_high"]) == pytest.approx(
        (np.expm1(ref.low_slope), np.expm1(ref.high_slope))
    )
    assert row["p_value"] == pytest.approx(stats.kendalltau([0, 1, 3], np.log([20, 50, 25])).pvalue)
    assert "1 month(s) without a median" in row["note"]
    short = trend_slope(gap, end="2025-02-01").iloc[0]
    assert short["periods"] == 2 and np.isnan(short["slope"])
    assert "at least 3" in short["note"]


def test_twenty_a_month_cannot_see_ten_percent(tmp_path):
    # Six months x 20 incidents; within each month the log durations have SD exactly 1.25, and
    # the monthly level wanders as a 20-incident median does (SD 0.35 on the log scale; no trend).
    z = stats.norm.ppf((np.arange(20) + 0.5) / 20)
    z = (z - z.mean()) / z.std(ddof=1)
    levels = np.exp(np.random.default_rng(0).normal(0, 0.35, 6))
    minutes = np.concatenate([60 * lv * np.exp(1.25 * z) for lv in levels])
    starts = [pd.Timestamp(f"2025-{m + 1:02d}-01T00:00Z") + pd.Timedelta(hours=30 * i)
              for m in range(6) for i in range(20)]  # fmt: skip
    answer = improvement_question(export(tmp_path, starts, minutes), claimed=0.10).iloc[0]
    assert answer["incidents_per_period"] == 20
    assert answer["sigma"] == pytest.approx(1.25, abs=0.002)
    # statistics.md §4.3: minimum detectable ratio 0.33 at n = 20, sigma 1.25: a 67 % cut;
    # power 5-7 % for a 10 % cut; 2,210 per group needed.
    assert answer["detectable_change"] == pytest.approx(0.67, abs=0.005)
    assert 0.05 <= answer["power_at_claimed"] <= 0.07
    assert answer["needed_per_period"] == 2210
    assert not bool(answer["excludes_zero"]) and not bool(answer["excludes_claimed"])
    assert answer["verdict"].startswith("The data cannot tell a 10 % monthly improvement from noise")
    assert (
        "the smallest change detectable from one month to the next: 67 %, at 20 incidents a month"
        in (answer["verdict"])
    )


# --------------------------------------------------------------------------- rolling_trend


def test_rolling_windows_count_and_median_the_trailing_incidents(tmp_path):
    # One incident a day at noon for 90 days, lasting (day number + 1) minutes; days 40-64 empty.
    days = np.setdiff1d(np.arange(90), np.arange(40, 65))
    starts = pd.Timestamp("2025-01-01T12:00Z") + pd.to_timedelta(days, unit="D")
    durations = export(tmp_path, starts, days + 1.0)
    table = rolling_trend(durations, window="30D", step="7D", min_count=10)
    # The last window ends at midnight after the last incident; the first starts on or after day 0.
    ends = pd.date_range(end="2025-04-01", periods=9, freq="7D", tz="UTC")
    assert list(table["window_end"]) == list(ends)
    assert (table["window_end"] - table["window_start"] == pd.Timedelta(days=30)).all()
    for row in table.itertuples():  # the reference, window by window
        inside = days[(starts >= row.window_start) & (starts < row.window_end)]
        assert row.count == len(inside)
        assert row.median == (np.median(inside + 1.0) if len(inside) else pytest.approx(np.nan, nan_ok=True))
        assert row.too_few == (len(inside) < 10)
    thin = table.loc[table["too_few"]]
    assert len(thin) > 0 and thin["note"].str.contains("fewer than 10").all()


def test_rolling_windows_are_calendar_days_across_daylight_saving(tmp_path):
    durations = export(tmp_path, ["2025-03-20T12:00Z", "2025-04-10T12:00Z"], [10, 20])
    table = rolling_trend(durations, window="7D", step="7D", tz="Europe/Berlin", start="2025-03-24")
    assert len(table) == 2  # ending 11 April (midnight after the last incident) and 4 April
    # The window across the clock change (30 March) starts and ends at local midnight.
    row = table.iloc[0]
    assert row["window_start"] == pd.Timestamp("2025-03-28", tz="Europe/Berlin")
    assert row["window_end"] == pd.Timestamp("2025-04-04", tz="Europe/Berlin")
    assert row["window_end"] - row["window_start"] == pd.Timedelta(days=7) - pd.Timedelta(hours=1)
    assert list(table["count"]) == [0, 1]  # the incident of 20 March is before start
    assert bool(table["too_few"].iloc[0]) and np.isnan(table["median"].iloc[0])
    with pytest.raises(ValueError, match="shorter than one window"):
        rolling_trend(durations, window="60D")


# --------------------------------------------------------------------------- arguments


def test_bad_arguments(gap):
    with pytest.raises(ValueError, match="freq"):
        duration_trend(gap, freq="fortnight")
    with pytest.raises(ValueError, match="tz"):
        duration_trend(gap, tz="Mars/Olympus")
    with pytest.raises(ValueError, match="metric"):
        trend_slope(gap, metric="mttr")
    with pytest.raises(ValueError, match="not a column"):
        duration_trend(gap, by="region")
    with pytest.raises(ValueError, match="before start"):
        duration_trend(gap, start="2025-05-01", end="2025-01-01")
    with pytest.raises(ValueError, match="claimed"):
        improvement_question(gap, claimed=10)
    with pytest.raises(ValueError, match="window"):
        rolling_trend(gap, window="a month")


def _stationary_series(n_series, months, per, seed, *, jump=1.0):
    """``n_series`` services with ``per`` lognormal (sigma 1.25) incidents a month; from the
    middle month on, durations are multiplied by ``jump``."""
    rng = np.random.default_rng(seed)
    size = n_series * months * per
    month = np.tile(np.repeat(np.arange(months), per), n_series)
    firsts = pd.date_range("2024-01-01", periods=months, freq="MS", tz="UTC")
    starts = firsts[month] + pd.to_timedelta(rng.uniform(0, 27 * 24 * 60, size), unit="min")
    minutes = 60 * np.exp(rng.normal(0, 1.25, size)) * np.where(month >= months // 2, jump, 1.0)
    frame = pd.DataFrame(
        {
            "incident_id": np.arange(size).astype(str),
            "detected_at": starts,
            "resolved_at": starts + pd.to_timedelta(minutes, unit="min"),
            "service": np.repeat([f"s{i:03d}" for i in range(n_series)], months * per),
        }
    )
    return mttr.phase_durations(mttr.from_frame(frame), as_of=pd.Timestamp("2027-01-01T00:00Z"))


def test_period_to_period_changes_are_one_family_per_series():
    # Nothing changes: uncorrected, about 45 % of monthly series (12 months, 20 incidents each)
    # showed at least one change interval excluding 1; Holm within each series keeps the share
    # of series with any significant change near 5 % (100 series: Monte Carlo error about 0.02).
    durations = _stationary_series(100, 12, 20, seed=61)
    table = duration_trend(durations, by="service", freq="ME", n_resamples=100)
    excludes = (table["change_high"] < 1) | (table["change_low"] > 1)
    assert excludes.groupby(table["service"]).any().mean() > 0.25  # what the intervals alone say
    assert table["change_significant"].groupby(table["service"]).any().mean() <= 0.10
    tested = table["change_p_value"].notna()
    assert (table.loc[tested, "change_p_holm"] >= table.loc[tested, "change_p_value"]).all()
    assert "Holm" in table.attrs["multiple_comparisons"]
    flagged = table["note"].str.contains("corrected for the 11 changes of this series", na=False)
    assert flagged.any() and not table.loc[flagged, "change_significant"].any()
    # A real fivefold jump in the middle month is still found in most series.
    jumped = duration_trend(
        _stationary_series(20, 12, 20, seed=62, jump=5.0), by="service", freq="ME", n_resamples=100
    )
    middle = jumped[jumped["period"] == "2024-07"]
    assert middle["change_significant"].mean() >= 0.7


def test_the_plotted_level_follows_confidence(gap):
    # The band's legend reads the level the trend was computed at, not a fixed "95 %".
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    for confidence, label in ((0.9, "90 % interval"), (0.95, "95 % interval"), (0.995, "99.5 % interval")):
        trend = duration_trend(gap, confidence=confidence, n_resamples=100)
        ax = mttr.plot_trend(trend)
        assert label in [t.get_text() for t in ax.get_legend().get_texts()]
        plt.close(ax.figure)
    summary = mttr.duration_summary(gap, by="severity", confidence=0.8)
    ax = mttr.plot_tiers(mttr.assign_tiers(summary), mttr.seed_tiers())
    assert "80 % interval" in ax.get_xlabel()
    plt.close(ax.figure)


def test_without_changes_the_rest_of_the_table_is_the_same(improving):
    """changes=False runs no bootstrap or test: the change columns are left out, nothing else moves."""
    full = duration_trend(improving, by="severity", n_resamples=200)
    level = duration_trend(improving, by="severity", n_resamples=200, changes=False)
    change_columns = [c for c in full.columns if c.startswith("change")]
    assert change_columns and not any(c.startswith("change") for c in level.columns)
    assert "multiple_comparisons" not in level.attrs and level.attrs["confidence"] == 0.95
    kept = [c for c in full.columns if c not in change_columns and c != "note"]
    pd.testing.assert_frame_equal(level[kept], full[kept])
    # Notes about the changes go with them; the notes about the level stay.
    change_notes = ("change interval", "change not significant")

    def without_changes(note: object) -> object:
        if not isinstance(note, str):
            return None
        parts = [p for p in note.split("; ") if not p.startswith(change_notes)]
        return "; ".join(parts) or None

    assert [without_changes(n) for n in full["note"]] == [without_changes(n) for n in level["note"]]


def test_a_busy_month_is_counted_with_thousands_separators(tmp_path):
    # 1,200 incidents a month for six months: the verdict says "1,200 incidents a month"
    rng = np.random.default_rng(4)
    starts = [
        pd.Timestamp(f"2025-{m + 1:02d}-01T00:00Z") + pd.Timedelta(minutes=30 * i)
        for m in range(6)
        for i in range(1_200)
    ]
    minutes = np.exp(rng.normal(np.log(60), 1.0, len(starts)))
    answer = improvement_question(export(tmp_path, starts, minutes), claimed=0.10).iloc[0]
    assert answer["incidents_per_period"] == 1_200
    assert "at 1,200 incidents a month" in answer["verdict"]


def test_rolling_windows_of_no_incident_say_so_in_a_sentence():
    durations = mttr.phase_durations(synth_incidents(incidents=50, months=3, seed=3, defects=False))
    with pytest.raises(mttr.InputError, match="no incident has a clock start"):
        rolling_trend(durations.iloc[:0])
    empty = rolling_trend(durations.iloc[:0], start="2025-01-01", end="2025-03-01")  # a span given: windows
    assert len(empty) and (empty["count"] == 0).all()
