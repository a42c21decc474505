"""calendar: local time columns, hour x weekday rates, time classes and the uniformity test."""

from __future__ import annotations

import zoneinfo
from math import prod

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

import mttr_lab as mttr
from mttr_lab.calendar import (
    TIME_CLASSES,
    WEEKDAYS,
    hour_uniformity_test,
    hour_weekday_table,
    time_class_summary,
    with_calendar,
)
from mttr_lab.synth import synth_incidents, write_export

BERLIN = "Europe/Berlin"
OPENED = {"incident_id": "Ticket", "detected_at": "Opened", "resolved_at": "Closed"}
MONDAYS = {
    "incident_id": "Ticket",
    "started_at": "Impact began",
    "detected_at": "Paged at",
    "resolved_at": "Closed",
}


@pytest.fixture
def boundaries(fixtures):
    """Friday 6 and Saturday 7 June 2025 at 07:59, 08:00, 17:59, 18:00, 21:59, 22:00 in Berlin."""
    incidents = mttr.read_export(fixtures / "calendar" / "boundaries.csv", columns=OPENED)
    return mttr.phase_durations(incidents)


@pytest.fixture
def mondays_incidents(fixtures):
    """Five incidents at 14:xx local on the four Mondays of 6-27 January 2025 (plus a duplicate)."""
    return mttr.read_export(fixtures / "calendar" / "mondays.csv", columns=MONDAYS)


@pytest.fixture
def dst(fixtures):
    return mttr.phase_durations(mttr.read_export(fixtures / "calendar" / "dst.csv", columns=OPENED))


def _uniform_durations(tmp_path, *, n: int, seed: int, tz: str = BERLIN) -> tuple[pd.DataFrame, tuple]:
    """``n`` incidents at uniformly random instants over 8 whole local weeks (a DST change inside)."""
    begin = pd.Timestamp("2025-03-03", tz=tz)  # a Monday; clocks go forward on 30 March
    stop = pd.Timestamp("2025-04-28", tz=tz)
    rng = np.random.default_rng(seed)
    seconds = rng.uniform(0, (stop - begin).total_seconds(), n)
    opened = (begin + pd.to_timedelta(np.sort(seconds), unit="s")).tz_convert("UTC").floor("s")
    frame = pd.DataFrame(
        {
            "Ticket": [f"U{i}" for i in range(n)],
            "Opened": opened.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Closed": (opened + pd.Timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
    )
    path = tmp_path / f"uniform_{seed}.csv"
    frame.to_csv(path, index=False)
    durations = mttr.phase_durations(mttr.read_export(path, columns=OPENED))
    return durations, ("2025-03-03", "2025-04-27")


# --------------------------------------------------------------------------- with_calendar


def test_time_classes_at_the_boundaries(boundaries):
    cal = with_calendar(boundaries, tz=BERLIN)
    got = dict(zip(cal["incident_id"], cal["time_class"].astype(str), strict=True))
    assert got == {
        "F0759": "sleep",
        "F0800": "business",
        "F1759": "business",
        "F1800": "off",
        "F2159": "off",
        "F2200": "sleep",
        "S0759": "sleep",
        "S0800": "off",
        "S1759": "off",
        "S1800": "off",
        "S2159": "off",
        "S2200": "sleep",
    }
    assert cal["hour"].tolist() == [7, 8, 17, 18, 21, 22] * 2
    assert cal["weekday"].astype(str).tolist() == ["Fri"] * 6 + ["Sat"] * 6
    assert cal["time_class"].cat.ordered and list(cal["time_class"].cat.categories) == list(TIME_CLASSES)
    assert cal["weekday"].cat.ordered and list(cal["weekday"].cat.categories) == list(WEEKDAYS)
    # The frame is the same, plus columns.
    assert list(cal.columns[: len(boundaries.columns)]) == list(boundaries.columns)
    assert cal.index.equals(boundaries.index)


def test_custom_business_hours_move_the_boundary(boundaries):
    cal = with_calendar(boundaries, tz=BERLIN, business_hours=(9, 18))
    classes = dict(zip(cal["incident_id"], cal["time_class"].astype(str), strict=True))
    assert classes["F0800"] == "off"  # a weekday, outside business and outside sleep hours
    assert classes["F1759"] == "business"
    no_sleep = with_calendar(boundaries, tz=BERLIN, sleep_hours=(0, 0))
    assert (no_sleep.set_index("incident_id")["time_class"].loc[["F2200", "S2200"]] == "off").all()


def test_daylight_saving_in_berlin(dst):
    cal = with_calendar(dst, tz=BERLIN).set_index("incident_id")
    # Winter (UTC+1) and summer (UTC+2) UTC times map to the same local Monday 14:00.
    assert cal.loc["winter-monday", "hour"] == cal.loc["summer-monday", "hour"] == 14
    assert cal.loc["winter-monday", "weekday"] == cal.loc["summer-monday", "weekday"] == "Mon"
    assert cal.loc["summer-night", "hour"] == 4  # 02:30 UTC is 04:30 in Berlin in summer
    assert str(cal.loc["summer-night", "local_start"]) == "2025-07-01 04:30:00+02:00"
    assert cal.loc["before-spring", "hour"] == 1 and cal.loc["after-spring", "hour"] == 3
    # The repeated autumn hour: both instants are 02:30 local, an hour apart.
    assert cal.loc["autumn-first", "hour"] == cal.loc["autumn-second", "hour"] == 2
    assert cal.loc["autumn-second", "local_start"] - cal.loc["autumn-first", "local_start"] == pd.Timedelta(
        "1h"
    )
    # New Year's Eve in UTC is already New Year's Day in Berlin.
    assert cal.loc["new-year", "date"] == pd.Timestamp("2025-01-01")
    assert cal.loc["new-year", "weekday"] == "Wed"
    assert str(cal["local_start"].dt.tz) == BERLIN


@pytest.mark.parametrize("tz", ["Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata"])
def test_local_fields_match_zoneinfo(tmp_path, tz):
    durations, _ = _uniform_durations(tmp_path, n=200, seed=11)
    rng = np.random.default_rng(5)
    # Spread the instants over ten years so that many DST rules apply.
    shifted = durations["clock_start"] + pd.to_timedelta(rng.integers(0, 3650, len(durations)), unit="D")
    cal = with_calendar(durations.assign(clock_start=shifted), tz=tz)
    zone = zoneinfo.ZoneInfo(tz)
    local = [stamp.to_pydatetime().astimezone(zone) for stamp in shifted]
    assert cal["hour"].tolist() == [t.hour for t in local]
    assert cal["weekday"].astype(str).tolist() == [WEEKDAYS[t.weekday()] for t in local]
    assert cal["date"].dt.date.tolist() == [t.date() for t in local]


def test_incidents_frame_clock_start_falls_back_to_detection(mondays_incidents):
    cal = with_calendar(mondays_incidents, tz=BERLIN)
    assert cal["hour"].tolist() == [14, 14, 14, 14, 14, 14]  # M4: impact at 14:00, paged 15:05
    paged = with_calendar(mondays_incidents, tz=BERLIN, at="detected_at")
    assert paged["hour"].tolist() == [14, 14, 14, 15, 14, 14]
    assert (cal["weekday"] == "Mon").all()
    assert (cal["time_class"] == "business").all()


def test_missing_moment_gives_na(boundaries):
    partly = boundaries.assign(acknowledged_at=boundaries["detected_at"].where(boundaries.index < 3))
    cal = with_calendar(partly, tz=BERLIN, at="acknowledged_at")
    assert cal["hour"].isna().sum() == 9 and str(cal["hour"].dtype) == "Int64"
    assert cal["time_class"].isna().sum() == 9 and cal["weekday"].isna().sum() == 9
    assert cal["date"].isna().sum() == 9


def test_bad_arguments(boundaries):
    with pytest.raises(ValueError, match="IANA"):
        with_calendar(boundaries, tz=None)
    with pytest.raises(ValueError, match="IANA"):
        with_calendar(boundaries, tz="Mars/Olympus_Mons")
    with pytest.raises(TypeError):
        with_calendar(boundaries)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="overlap"):
        with_calendar(boundaries, tz=BERLIN, business_hours=(7, 18))
    with pytest.raises(ValueError, match="whole hours"):
        with_calendar(boundaries, tz=BERLIN, business_hours=(8.5, 18))
    with pytest.raises(ValueError, match="pair"):
        with_calendar(boundaries, tz=BERLIN, sleep_hours=22)
    with pytest.raises(ValueError, match="not a column"):
        with_calendar(boundaries, tz=BERLIN, at="paged")
    naive = boundaries.assign(clock_start=boundaries["clock_start"].dt.tz_localize(None))
    with pytest.raises(ValueError, match="timezone-aware"):
        with_calendar(naive, tz=BERLIN)
    with pytest.raises(ValueError, match="with_calendar"):
        hour_weekday_table(boundaries)


# --------------------------------------------------------------------------- hour_weekday_table


def test_monday_afternoon_rate(mondays_incidents):
    cal = with_calendar(mondays_incidents, tz=BERLIN)
    raw = hour_weekday_table(cal, normalise=False)
    assert raw.shape == (24, 7)
    assert list(raw.index) == list(range(24)) and list(raw.columns) == list(WEEKDAYS)
    assert raw.loc[14, "Mon"] == 5  # the duplicate record is not counted
    assert raw.to_numpy().sum() == 5
    rate = hour_weekday_table(cal)
    # 6-27 January holds four Mondays: 5 incidents / 4 Mondays.
    assert rate.loc[14, "Mon"] == pytest.approx(1.25)
    assert (rate.drop(index=14).to_numpy() == 0).all() and (rate.loc[14].drop("Mon") == 0).all()
    assert hour_weekday_table(cal, end="2025-02-02").loc[14, "Mon"] == pytest.approx(1.25)
    assert hour_weekday_table(cal, end="2025-02-03").loc[14, "Mon"] == pytest.approx(1.0)
    assert hour_weekday_table(cal, weeks=2).loc[14, "Mon"] == pytest.approx(2.5)
    # A span that leaves out the first Monday also leaves out its incident.
    assert hour_weekday_table(cal, start="2025-01-07").loc[14, "Mon"] == pytest.approx(4 / 3)


def test_durations_give_the_same_table(mondays_incidents):
    from_incidents = hour_weekday_table(with_calendar(mondays_incidents, tz=BERLIN))
    from_durations = hour_weekday_table(with_calendar(mttr.phase_durations(mondays_incidents), tz=BERLIN))
    pd.testing.assert_frame_equal(from_incidents, from_durations)


def test_rates_count_the_hours_that_existed(dst):
    cal = with_calendar(dst, tz=BERLIN)
    # 24 March - 6 April 2025: two Sundays, but 02:00-03:00 did not exist on 30 March.
    spring = hour_weekday_table(cal, start="2025-03-24", end="2025-04-06", normalise=False)
    assert spring.loc[1, "Sun"] == 1 and spring.loc[2, "Sun"] == 1 and spring.loc[3, "Sun"] == 1
    rate = hour_weekday_table(cal, start="2025-03-24", end="2025-04-06")
    assert rate.loc[2, "Sun"] == pytest.approx(1.0)  # one 02:00 hour on two Sundays
    assert rate.loc[1, "Sun"] == pytest.approx(0.5) and rate.loc[3, "Sun"] == pytest.approx(0.5)
    # 20 October - 2 November 2025: 02:00-03:00 happened twice on 26 October: three such hours.
    autumn = hour_weekday_table(cal, start="2025-10-20", end="2025-11-02")
    assert autumn.loc[2, "Sun"] == pytest.approx(2 / 3)
    # A span shorter than a week has no Saturday: NaN, not zero.
    short = hour_weekday_table(cal, start="2025-07-14", end="2025-07-15")
    assert short["Sat"].isna().all() and short.loc[14, "Mon"] == pytest.approx(1.0)


def test_table_arguments(mondays_incidents):
    cal = with_calendar(mondays_incidents, tz=BERLIN)
    with pytest.raises(ValueError, match="weeks"):
        hour_weekday_table(cal, weeks=0)
    with pytest.raises(ValueError, match="after"):
        hour_weekday_table(cal, start="2025-02-01", end="2025-01-01")
    with pytest.raises(ValueError, match="start= and end="):
        hour_weekday_table(cal.iloc[:0])
    empty = hour_weekday_table(cal.iloc[:0], start="2025-01-06", end="2025-01-12")
    assert (empty.to_numpy() == 0).all()


# --------------------------------------------------------------------------- time classes


def test_time_class_summary_known_values(boundaries):
    cal = with_calendar(boundaries, tz=BERLIN)
    table = time_class_summary(cal, intervals=False)
    assert list(table.index.astype(str)) == ["business", "off", "sleep"]
    assert table["count"].tolist() == [2, 6, 4]
    assert table["share"].tolist() == pytest.approx([2 / 12, 6 / 12, 4 / 12])
    # Durations (minutes): business 20, 40; off 5, 15, 25, 35, 45, 65; sleep 10, 60, 30, 90.
    assert table["median"].tolist() == pytest.approx([30, 30, 45])
    assert table["mean"].tolist() == pytest.approx([30, 190 / 6, 47.5])
    assert table["hours_per_week"].tolist() == [50, 48, 70]
    # Friday + Saturday: business 10 h; off 4 h (Fri 18-22) + 14 h (Sat 8-22); sleep 2 x 10 h.
    assert table["exposure_hours"].tolist() == pytest.approx([10, 18, 20])
    assert table["incidents_per_hour"].tolist() == pytest.approx([0.2, 6 / 18, 0.2])
    assert table["rate_ratio"].tolist() == pytest.approx([0.2 * 4, 6 / 18 * 4, 0.2 * 4])  # all: 12/48
    week = time_class_summary(cal, start="2025-06-02", end="2025-06-08", intervals=False)
    assert week["exposure_hours"].tolist() == pytest.approx([50, 48, 70])


def test_time_class_summary_empty_class_and_checks(boundaries):
    cal = with_calendar(boundaries, tz=BERLIN)
    saturday = cal.loc[cal["weekday"] == "Sat"]
    table = time_class_summary(saturday, intervals=False)
    assert table.loc["business", "count"] == 0 and np.isnan(table.loc["business", "median"])
    assert table.loc["business", "exposure_hours"] == 0 and np.isnan(
        table.loc["business", "incidents_per_hour"]
    )
    with pytest.raises(ValueError, match="business_hours"):
        time_class_summary(cal, business_hours=(9, 18))
    with pytest.raises(ValueError, match="durations"):
        time_class_summary(cal.drop(columns=["is_open"]))


# --------------------------------------------------------------------------- uniformity


def test_uniform_sample_is_not_distinguishable(tmp_path):
    durations, (start, end) = _uniform_durations(tmp_path, n=3000, seed=2)
    cal = with_calendar(durations, tz=BERLIN)
    row = hour_uniformity_test(cal, start=start, end=end).iloc[0]
    assert row["n"] == 3000 and row["dof"] == 23 and row["cells"] == 24
    assert row["p_value"] > 0.2
    assert row["verdict"] == "not distinguishable from uniform at the 5 % level"
    assert pd.isna(row["note"]) and np.isnan(row["mc_p_value"])
    # Reference: scipy on counts made here, with the hours that existed (30 March lacks 02:00).
    counts = np.bincount(cal["hour"].to_numpy(dtype=int), minlength=24)
    days = np.full(24, 56.0)
    days[2] -= 1
    reference = sps.chisquare(counts, 3000 * days / days.sum())
    assert row["statistic"] == pytest.approx(reference.statistic)
    assert row["p_value"] == pytest.approx(reference.pvalue)


def test_uniform_p_values_are_calibrated(tmp_path):
    durations, (start, end) = _uniform_durations(tmp_path, n=1000, seed=1)
    begin, stop = pd.Timestamp(start, tz=BERLIN), pd.Timestamp("2025-04-28", tz=BERLIN)
    rng = np.random.default_rng(2024)
    p_values = []
    for _ in range(150):
        stamps = begin + pd.to_timedelta(rng.uniform(0, (stop - begin).total_seconds(), 1000), unit="s")
        cal = with_calendar(durations.assign(clock_start=stamps.tz_convert("UTC")), tz=BERLIN)
        row = hour_uniformity_test(cal, by="hour_of_week", start=start, end=end).iloc[0]
        assert np.isnan(row["mc_p_value"])  # expected counts of 5 or more: chi-square alone
        p_values.append(row["p_value"])
    p_values = np.array(p_values)
    # Under the null the p-values are uniform: about 5 % fall below 0.05.
    assert sps.kstest(p_values, "uniform").pvalue > 0.01
    assert 0 < np.mean(p_values < 0.05) < 0.13


def test_synthetic_working_hours_pattern_is_detected(tmp_path):
    path = write_export(synth_incidents(incidents=300, months=6, seed=3, tz=BERLIN), tmp_path / "fh.json")
    durations = mttr.phase_durations(mttr.read_export(path, source="firehydrant"))
    cal = with_calendar(durations, tz=BERLIN)
    row = hour_uniformity_test(cal).iloc[0]
    assert row["p_value"] < 1e-6
    assert row["verdict"] == "hour pattern distinguishable from uniform"
    week = hour_uniformity_test(cal, by="hour_of_week").iloc[0]
    assert week["cells"] == 168 and week["min_expected"] < 5 and isinstance(week["note"], str)
    assert week["mc_p_value"] < 0.001
    table = time_class_summary(cal, intervals=False)
    assert table.loc["business", "rate_ratio"] > 1.5 > 0.7 > table.loc["sleep", "rate_ratio"]


def test_monte_carlo_p_value_matches_the_exact_answer(fixtures):
    # Four incidents on one ordinary day at 10, 10, 11 and 12 o'clock: occupancy {2, 1, 1}.
    incidents = mttr.read_export(fixtures / "calendar" / "four.csv", columns=OPENED)
    cal = with_calendar(mttr.phase_durations(incidents), tz=BERLIN)
    assert cal["hour"].tolist() == [10, 10, 11, 12]
    row = hour_uniformity_test(cal, simulations=40_000, seed=1).iloc[0]
    # Statistic = 24/n * sum(o^2) - n = 6 * 6 - 4 = 32; every occupancy but four singles is as extreme.
    assert row["statistic"] == pytest.approx(32)
    assert row["p_value"] == pytest.approx(sps.chi2.sf(32, 23))
    exact = 1 - prod(range(21, 25)) / 24**4
    assert row["mc_p_value"] == pytest.approx(exact, abs=0.01)
    assert row["min_expected"] == pytest.approx(4 / 24)
    assert "Monte Carlo" in row["note"]
    assert row["verdict"] == "not distinguishable from uniform at the 5 % level"
    again = hour_uniformity_test(cal, simulations=40_000, seed=1).iloc[0]
    assert again["mc_p_value"] == row["mc_p_value"]  # seeded
    # Three incidents at 10, 10 and 11: the chi-square approximation says p = 0.03, the exact
    # answer is 1 - 24*23*22/24^3 = 0.12, and the verdict follows the Monte Carlo p-value.
    three = hour_uniformity_test(cal.iloc[:3], simulations=40_000, seed=1).iloc[0]
    assert three["statistic"] == pytest.approx(37)
    assert three["p_value"] == pytest.approx(sps.chi2.sf(37, 23)) and three["p_value"] < 0.05
    assert three["mc_p_value"] == pytest.approx(1 - 24 * 23 * 22 / 24**3, abs=0.01)
    assert three["verdict"] == "not distinguishable from uniform at the 5 % level"


def test_all_in_one_cell_is_extreme(mondays_incidents):
    cal = with_calendar(mondays_incidents, tz=BERLIN)
    row = hour_uniformity_test(cal, by="hour_of_week", simulations=1000).iloc[0]
    assert row["n"] == 5 and row["cells"] == 168 and row["dof"] == 167
    assert row["mc_p_value"] == pytest.approx(1 / 1001)
    assert row["verdict"] == "hour-of-week pattern distinguishable from uniform"


def test_uniformity_without_incidents_and_bad_arguments(mondays_incidents):
    cal = with_calendar(mondays_incidents, tz=BERLIN)
    row = hour_uniformity_test(cal.iloc[:0]).iloc[0]
    assert row["n"] == 0 and np.isnan(row["statistic"]) and pd.isna(row["verdict"])
    assert "no incidents" in row["note"]
    with pytest.raises(ValueError, match="by"):
        hour_uniformity_test(cal, by="weekday")
    with pytest.raises(ValueError, match="alpha"):
        hour_uniformity_test(cal, alpha=5)
    with pytest.raises(ValueError, match="simulations"):
        hour_uniformity_test(cal, simulations=10)
