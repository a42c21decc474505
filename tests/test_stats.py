"""duration_summary and phase_breakdown."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import HAND

import mttr_lab as mttr
from mttr_lab.synth import synth_incidents, write_export


@pytest.fixture
def three(fixtures):
    cols = {"incident_id": "Ticket", "detected_at": "Opened", "resolved_at": "Closed", "severity": "Priority"}
    return mttr.phase_durations(mttr.read_export(fixtures / "generic" / "three.csv", columns=cols))


def test_seed_mttr_and_median(three):
    # Incidents of 12, 8 and 25 minutes: MTTR 15, median 12.
    table = mttr.duration_summary(three)
    row = table.loc["all"]
    assert row["count"] == 3 and row["open"] == 0 and row["observed"] == 3
    assert row["mean"] == pytest.approx(15)
    assert row["median"] == pytest.approx(12)
    # Three incidents are too few for tail quantiles: NaN with a reason, not a made-up number.
    assert np.isnan(row["p90"]) and np.isnan(row["p99"])
    assert "p90 needs at least 20" in row["note"] and "p99 needs at least 100" in row["note"]


def test_grouped_summary_is_ordered_by_severity(three):
    table = mttr.duration_summary(three, by="severity")
    assert [str(s) for s in table.index] == ["medium", "high", "critical"]
    assert table.loc["critical", "median"] == pytest.approx(25)
    assert table["count"].sum() == 3


def test_open_and_missing_are_counted(fixtures):
    incidents = mttr.read_export(fixtures / "generic" / "hand_made.csv", columns=HAND, tz="UTC")
    durations = mttr.phase_durations(incidents)
    table = mttr.duration_summary(durations, metric="time_to_respond")
    row = table.loc["all"]
    assert row["count"] == 4
    assert row["observed"] == 3  # 103's acknowledgement is out of order
    assert row["missing"] == 1
    assert row["observed"] + row["open"] + row["missing"] == row["count"]
    recover = mttr.duration_summary(durations).loc["all"]
    assert recover["open"] == 1
    assert recover["median"] == pytest.approx(62)  # of 62, 50, 80


def test_bad_arguments(three):
    with pytest.raises(ValueError, match="metric"):
        mttr.duration_summary(three, metric="mttr")
    with pytest.raises(ValueError, match="not a column"):
        mttr.duration_summary(three, by="region")


def test_targets_must_be_positive_minutes(sample):
    with pytest.raises(ValueError) as err:
        mttr.duration_summary(sample, targets="30")
    assert str(err.value) == (
        "targets must be minutes: a positive number or a sequence of them, such as 30 or (30, 60), not '30'"
    )
    for bad in ((-5,), (30, "60"), (0,), None, (float("nan"),)):
        with pytest.raises(ValueError, match=r"^targets must be minutes: a positive number"):
            mttr.duration_summary(sample, targets=bad)
    one = mttr.duration_summary(sample, targets=30)  # a single number is one target
    pd.testing.assert_series_equal(
        one["within_30"], mttr.duration_summary(sample, targets=(30,))["within_30"]
    )


def test_an_unknown_quantile_method_gets_the_list_of_methods(sample):
    with pytest.raises(ValueError) as err:
        mttr.duration_summary(sample, method="nearestt")
    text = str(err.value)
    assert text.startswith("method must be one of numpy's quantile methods linear, median_unbiased,")
    assert text.endswith("nearest, not 'nearestt'") and "dict_keys" not in text
    with pytest.raises(ValueError, match="method must be one of"):
        mttr.duration_summary(sample.iloc[:0], method="nearestt")  # refused before any quantile


def test_phase_breakdown_hand_values(fixtures):
    incidents = mttr.read_export(fixtures / "generic" / "hand_made.csv", columns=HAND, tz="UTC")
    table = mttr.phase_breakdown(mttr.phase_durations(incidents))
    row = table.loc["all"]
    assert row["incidents"] == 4
    assert row["response"] == pytest.approx(np.median([4, 16, 18]))
    assert row["response_observed"] == 3
    assert row["diagnosis"] == pytest.approx(31)  # 103's diagnosis starts at an unusable acknowledgement
    mean = mttr.phase_breakdown(mttr.phase_durations(incidents), statistic="mean", by="team")
    assert mean.loc["core", "followup"] == pytest.approx(88)


def write_durations(tmp_path, minutes, *, as_of=None, groups=None, every=37):
    """A generic CSV export with one incident per duration (one every ``every`` minutes), read back
    through the real reader; incidents not resolved by ``as_of`` are written as open."""
    start = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(
        np.arange(len(minutes)) * every, unit="min"
    )
    end = start + pd.to_timedelta(np.round(np.asarray(minutes) * 60), unit="s")
    resolved = end.where(end <= as_of) if as_of is not None else end
    frame = pd.DataFrame(
        {
            "incident_id": [f"i{i}" for i in range(len(minutes))],
            "detected_at": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "resolved_at": pd.Series(resolved).dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "team": groups if groups is not None else "t",
        }
    )
    path = tmp_path / "durations.csv"
    frame.to_csv(path, index=False)
    return mttr.phase_durations(mttr.read_export(path), as_of=as_of)


def test_median_interval_is_the_exact_order_statistic_interval(tmp_path):
    # n = 10, values 1..10: P(Binomial(10, 1/2) <= 1) = 11/1024 < 0.025 < P(<= 2), so the 95 %
    # interval runs from the 2nd to the 9th order statistic.
    durations = write_durations(tmp_path, np.arange(1, 11) * 10.0)
    row = mttr.duration_summary(durations).loc["all"]
    assert (row["median_low"], row["median"], row["median_high"]) == (20.0, 55.0, 90.0)
    assert row["within_30"] == pytest.approx(0.3)
    ci = __import__("scipy.stats").stats.binomtest(3, 10).proportion_ci(0.95, method="wilson")
    assert (row["within_30_low"], row["within_30_high"]) == pytest.approx((ci.low, ci.high))


def test_intervals_cover_the_truth_at_about_the_nominal_rate(tmp_path):
    rng = np.random.default_rng(42)
    reps, n, median, sigma = 200, 40, 60.0, 1.25
    minutes = rng.lognormal(np.log(median), sigma, size=reps * n)
    groups = np.repeat([f"g{i:03d}" for i in range(reps)], n)
    durations = write_durations(tmp_path, minutes, groups=groups)
    table = mttr.duration_summary(durations, by="team", n_resamples=500)
    assert len(table) == reps
    true_mean = median * np.exp(sigma**2 / 2)
    seconds = 1 / 60  # timestamps are written to the second
    cover = {
        "median": (
            (table["median_low"] <= median + seconds) & (median - seconds <= table["median_high"])
        ).mean(),
        "geomean": ((table["geomean_low"] <= median) & (median <= table["geomean_high"])).mean(),
        "mean": ((table["mean_low"] <= true_mean) & (true_mean <= table["mean_high"])).mean(),
    }
    assert cover["median"] >= 0.92  # exact intervals are conservative
    assert 0.91 <= cover["geomean"] <= 0.99  # t on logs is exact for lognormal data
    # No interval of a long-tailed mean covers at n = 40 (the bootstrap covered about 84 %): none is shown.
    assert table["mean"].notna().all() and table["mean_low"].isna().all()
    assert table["note"].str.contains("mean interval needs 1,000 observed incidents").all()
    assert (table["median_low"] <= table["median"]).all() and (table["median"] <= table["median_high"]).all()


def test_kaplan_meier_corrects_the_bias_of_dropping_open_incidents(tmp_path):
    rng = np.random.default_rng(7)
    n, median = 600, 60.0
    minutes = rng.lognormal(np.log(median), 1.25, size=n)
    # Incidents arrive every 2 minutes; the export is taken while many are still open.
    as_of = pd.Timestamp("2024-01-01", tz="UTC") + pd.Timedelta(minutes=2 * (n - 1) + 5)
    durations = write_durations(tmp_path, minutes, as_of=as_of, every=2)
    row = mttr.duration_summary(durations).loc["all"]
    assert row["open"] > 30
    truth = np.median(minutes)  # what the median would be with every incident closed
    assert row["median"] < row["km_median"]  # the naive median of closed incidents is biased low
    assert abs(row["km_median"] - truth) < abs(row["median"] - truth) / 2
    assert row["km_median_low"] <= truth <= row["km_median_high"]
    assert row["km_median_low"] <= row["km_median"] <= row["km_median_high"]
    censored = mttr.censored_minutes(durations)
    assert censored["censored"].sum() == row["open"]
    # A censored value is how long the incident had been open at as_of.
    opened = durations.loc[durations["is_open"]]
    assert (censored.loc[opened.index, "minutes"] == opened["open_for"] / pd.Timedelta(minutes=1)).all()


def test_open_incidents_count_in_the_within_target_share_when_their_outcome_is_known(tmp_path):
    as_of = pd.Timestamp("2024-01-01 03:00", tz="UTC")
    # Three closed (10, 20, 40 min), one open since 00:37 (censored at 143 min: known to exceed 30).
    durations = write_durations(tmp_path, [10, 20, 40, 500], as_of=as_of)
    row = mttr.duration_summary(durations, targets=(30,)).loc["all"]
    assert row["within_30"] == pytest.approx(2 / 4)


def test_quantile_method_is_explicit(tmp_path):
    durations = write_durations(tmp_path, np.arange(1, 31) * 5.0)
    linear = mttr.duration_summary(durations, intervals=False).loc["all", "p90"]
    unbiased = mttr.duration_summary(durations, method="median_unbiased", intervals=False).loc["all", "p90"]
    values = np.arange(1, 31) * 5.0
    assert linear == pytest.approx(np.quantile(values, 0.9))
    assert unbiased == pytest.approx(np.quantile(values, 0.9, method="median_unbiased"))
    assert unbiased > linear
    assert "median_low" not in mttr.duration_summary(durations, intervals=False).columns


def test_point_estimates_are_the_same_with_and_without_intervals(tmp_path):
    # Without intervals the quantiles come from a partition, not a sort: the same order
    # statistics, ties and tiny groups included, and numpy's own numbers.
    rng = np.random.default_rng(11)
    minutes = np.round(rng.lognormal(4, 1.2, 400), rng.integers(0, 2))  # ties at whole minutes
    minutes[:7] = 0.0
    durations = write_durations(tmp_path, minutes)
    durations["service"] = np.where(np.arange(len(durations)) < 3, "tiny", "big")
    points = ["count", "observed", "mean", "std", "min", "max", "geomean", "median", "p90", "p95", "p99"]
    for by in (None, "service"):
        plain = mttr.duration_summary(durations, by=by, intervals=False)[points]
        full = mttr.duration_summary(durations, by=by)[points]
        pd.testing.assert_frame_equal(plain, full, check_exact=True)
    closed = durations.loc[~durations["is_open"], "time_to_recover"] / pd.Timedelta(minutes=1)
    plain = mttr.duration_summary(durations, intervals=False).loc["all"]
    assert plain["p99"] == np.quantile(closed, 0.99) and plain["median"] == np.median(closed)


def test_unmeasurable_rows_do_not_blank_the_statistics(fixtures):
    durations = mttr.phase_durations(
        mttr.read_export(fixtures / "generic" / "hand_made.csv", columns=HAND, tz="UTC")
    )
    row = mttr.duration_summary(durations, metric="time_to_respond").loc["all"]
    assert row["missing"] == 1  # 103's acknowledgement is out of order
    assert row["mean"] == pytest.approx(np.mean([4, 16, 18]))
    assert row["median"] == pytest.approx(16) and row["max"] == pytest.approx(18)


def test_an_empty_frame_gives_an_empty_table(fixtures):
    durations = mttr.phase_durations(
        mttr.read_export(fixtures / "generic" / "hand_made.csv", columns=HAND, tz="UTC")
    ).iloc[:0]
    table = mttr.duration_summary(durations, by="service")
    assert table.empty and {"median", "median_low", "note"} <= set(table.columns)


def _censored_groups(*, groups: int, n: int, seed: int, open_share_scale: float) -> pd.DataFrame:
    """Lognormal times to recover (median 60 min, sigma 1.25), each group a Monte Carlo replicate,
    incidents detected uniformly before ``as_of`` so that the slow ones are still open."""
    rng = np.random.default_rng(seed)
    size = groups * n
    minutes = 60 * np.exp(rng.normal(0, 1.25, size))
    age = rng.uniform(0, open_share_scale, size)  # minutes between detection and as_of
    as_of = pd.Timestamp("2026-01-01T00:00Z")
    detected = as_of - pd.to_timedelta(age, unit="min")
    resolved = pd.Series(detected + pd.to_timedelta(minutes, unit="min")).where(minutes < age)
    table = pd.DataFrame(
        {
            "incident_id": np.arange(size).astype(str),
            "detected_at": detected,
            "resolved_at": resolved,
            "service": np.repeat([f"r{i:03d}" for i in range(groups)], n),
        }
    )
    return mttr.phase_durations(mttr.from_frame(table), as_of=as_of)


def test_share_within_a_target_counts_open_incidents_as_censored():
    # Half the incidents still open: the truth within 60 min is 0.50; dropping the open ones
    # before the target read about 0.60 with a Wilson coverage near a third.
    durations = _censored_groups(groups=200, n=200, seed=11, open_share_scale=150)
    assert 0.4 < durations["is_open"].mean() < 0.6
    table = mttr.duration_summary(durations, by="service", targets=(60,))
    share = table["within_60"]
    assert abs(share.mean() - 0.5) < 0.01  # Monte Carlo error of the mean about 0.003
    covered = ((table["within_60_low"] <= 0.5) & (table["within_60_high"] >= 0.5)).mean()
    assert covered >= 0.92  # 200 replicates: Monte Carlo error about 0.015 around 0.95
    assert table["note"].str.contains("counted as censored").all()


def test_the_mean_interval_covers_where_it_is_shown():
    # From 1,000 observed incidents the t interval of the mean covers about 94 % of lognormal
    # (sigma 1.25) samples; 400 replicates, Monte Carlo error about 0.012.
    durations = _censored_groups(groups=400, n=1000, seed=31, open_share_scale=1e8)
    table = mttr.duration_summary(durations, by="service", targets=())
    shown = table[table["observed"] >= 1000]
    assert len(shown) >= 390 and table.loc[table["observed"] < 1000, "mean_low"].isna().all()
    true_mean = 60 * np.exp(1.25**2 / 2)
    covered = ((shown["mean_low"] <= true_mean) & (true_mean <= shown["mean_high"])).mean()
    assert covered >= 0.91


def test_kaplan_meier_median_equals_the_median_when_nothing_is_open():
    # Even n, nothing censored: the plain median averages the middle pair, and so must the
    # Kaplan-Meier median; they differed by up to 29 % at n = 30 on lognormal samples.
    durations = _censored_groups(groups=300, n=30, seed=41, open_share_scale=1e8)
    table = mttr.duration_summary(durations, by="service", targets=())
    complete = table[table["open"] == 0]
    assert len(complete) >= 290
    assert np.allclose(complete["km_median"], complete["median"], rtol=1e-12)
    odd = _censored_groups(groups=50, n=31, seed=42, open_share_scale=1e8)
    table = mttr.duration_summary(odd, by="service", targets=())
    complete = table[table["open"] == 0]
    assert np.allclose(complete["km_median"], complete["median"], rtol=1e-12)


def test_kaplan_meier_median_on_a_flat_half_is_not_moved_by_the_open_incidents_ages() -> None:
    t0 = pd.Timestamp("2026-03-01T00:00Z")

    def incidents(*minutes: float | None) -> pd.DataFrame:
        """One incident a day from t0, resolved after these minutes (None: still open)."""
        detected = [t0 + pd.Timedelta(days=i) for i in range(len(minutes))]
        frame = pd.DataFrame(
            {
                "incident_id": [f"I{i}" for i in range(len(minutes))],
                "detected_at": detected,
                "resolved_at": [
                    pd.NaT if m is None else d + pd.Timedelta(minutes=m)
                    for d, m in zip(detected, minutes, strict=True)
                ],
            }
        )
        return mttr.from_frame(frame, columns={c: c for c in frame})

    # Two closed (10 and 40 min), two still open: the curve rests at 0.5 from 40 min on and never
    # falls again. The median is where it reached 0.5 (R's survival rule), not a midpoint to an
    # open incident's age, which grows with the review date (it read 1,020 min, then 22,620).
    two_open = incidents(10, 40, None, None)
    medians = set()
    for later in (0, 30):
        as_of = t0 + pd.Timedelta(days=3 + later, minutes=2000)
        row = mttr.duration_summary(mttr.phase_durations(two_open, as_of=as_of), targets=()).iloc[0]
        assert row["open"] == 2
        medians.add(row["km_median"])
    assert medians == {40.0}
    # A later recovery on the flat part still gives the midpoint to it: 10, 40, 100 closed and
    # one open at 60 min: S = 3/4, 1/2 (40 min), then 1/2 * (1 - 1/1) = 0 at 100 min.
    as_of = t0 + pd.Timedelta(days=3, minutes=60)
    durations = mttr.phase_durations(incidents(10, 40, 100, None), as_of=as_of)
    assert mttr.duration_summary(durations, targets=()).iloc[0]["km_median"] == 70.0


def test_a_percentile_interval_has_an_upper_bound_only_from_the_size_where_it_exists():
    # The exact interval of p99 has an upper end only from 368 observed incidents (p90 from 36,
    # p95 from 72): below, the point estimate is shown with its lower bound and the note says so.
    assert mttr.quantile_interval_sizes(0.99) == (1, 368)
    assert mttr.quantile_interval_sizes(0.95)[1] == 72 and mttr.quantile_interval_sizes(0.9)[1] == 36
    assert mttr.quantile_interval_sizes(0.5) == (6, 6)
    sizes = {"a": 367, "b": 368, "c": 71, "d": 72}
    groups = np.concatenate([np.repeat(k, n) for k, n in sizes.items()])
    durations = _censored_groups(groups=1, n=len(groups), seed=51, open_share_scale=1e8)
    durations["service"] = groups
    table = mttr.duration_summary(durations, by="service", targets=())
    assert np.isnan(table.loc["a", "p99_high"]) and np.isfinite(table.loc["a", "p99_low"])
    assert "p99: no upper bound below 368 observed incidents" in table.loc["a", "note"]
    assert np.isfinite(table.loc["b", "p99_high"]) and "p99:" not in str(table.loc["b", "note"])
    assert np.isnan(table.loc["c", "p95_high"]) and "p95: no upper bound below 72" in table.loc["c", "note"]
    assert np.isfinite(table.loc["d", "p95_high"]) and "p95:" not in str(table.loc["d", "note"])
    # At 90 % the bound exists earlier, and the note follows the level.
    table90 = mttr.duration_summary(durations, by="service", targets=(), confidence=0.9)
    assert np.isfinite(table90.loc["a", "p99_high"])
    # Where it is shown, the p99 interval covers the true p99 at least at the nominal rate
    # (exact order-statistic interval; 400 samples of 400, Monte Carlo error about 0.011).
    reps, n = 400, 400
    truth = 60 * np.exp(1.25 * 2.3263478740408408)
    many = _censored_groups(groups=reps, n=n, seed=53, open_share_scale=1e8)
    table = mttr.duration_summary(many, by="service", targets=())
    covered = ((table["p99_low"] <= truth) & (truth <= table["p99_high"])).mean()
    assert covered >= 0.93


def test_quantile_intervals_are_scipys_order_statistic_intervals():
    # The summary computes the four intervals in one binomial call; they are the order statistics
    # scipy.stats.quantile_test gives, at any size and level.
    from scipy import stats

    for n, confidence in ((7, 0.95), (36, 0.95), (120, 0.9), (400, 0.99), (1001, 0.8)):
        durations = _censored_groups(groups=1, n=n, seed=n, open_share_scale=1e8)
        row = mttr.duration_summary(durations, targets=(), confidence=confidence).loc["all"]
        values = np.sort(mttr.censored_minutes(durations)["minutes"].to_numpy())
        for name, p in (("median", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99)):
            if np.isnan(row[name]):
                continue
            ci = stats.quantile_test(values, q=row[name], p=p).confidence_interval(confidence)
            got = (row[f"{name}_low"], row[f"{name}_high"])
            assert np.allclose(got, (ci.low, ci.high), equal_nan=True), (n, confidence, name)


def _same_bits(a, b) -> bool:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return a.shape == b.shape and np.array_equal(a.view(np.int64), b.view(np.int64))


@pytest.mark.parametrize("n", [1, 2, 3, 10, 19, 20, 41, 100, 101, 3517])
def test_linear_quantiles_of_sorted_values_are_numpys(n):
    from mttr_lab.summary_points import _LEVELS
    from mttr_lab.summary_points import quantiles as _quantiles

    rng = np.random.default_rng(n)
    for values in (
        rng.lognormal(3, 1.3, n),
        rng.integers(0, 4, n).astype(float),
        rng.integers(0, 10**9, n) / 6e7,
    ):
        values = np.sort(values)
        for method in ("linear", "median_unbiased", "nearest"):
            assert _same_bits(_quantiles(values, method), np.quantile(values, _LEVELS, method=method))


@pytest.fixture(scope="module")
def varied():
    """Durations with open incidents, missing keys, an unused category and integer keys."""
    from mttr_lab.synth import synth_incidents

    durations = mttr.phase_durations(synth_incidents(incidents=700, seed=4, open_share=0.2))
    rows = np.arange(len(durations))
    levels = pd.CategoricalDtype([*sorted(durations["severity"].unique()), "unused"], ordered=True)
    durations["severity"] = durations["severity"].astype(levels).where(rows % 9 != 0)
    durations["service"] = durations["service"].where(rows % 7 != 0)
    durations["team"] = rows % 40
    return durations


@pytest.mark.parametrize(
    "by", [["severity"], ["service"], ["severity", "service"], ["team"], ["service", "team"]]
)
def test_group_positions_are_groupbys_groups(varied, by):
    from mttr_lab.summary_groups import group_positions

    unordered = varied.assign(severity=varied["severity"].cat.as_unordered())
    complete = varied.assign(severity=varied["severity"].cat.remove_unused_categories().fillna("SEV1"))
    for frame in (varied, varied.iloc[:0], varied.iloc[:5], unordered, complete):
        grouped = frame.groupby(by, observed=True, sort=True, dropna=False)
        index, positions, bounds = group_positions(frame, by)
        pd.testing.assert_index_equal(index, grouped.size().index, exact=True)
        expected = np.argsort(grouped.ngroup().to_numpy(), kind="stable")
        assert np.array_equal(positions, expected)
        assert np.array_equal(np.diff(bounds), grouped.size().to_numpy())


@pytest.mark.parametrize("metric", ["time_to_recover", "time_to_respond", "repair", "time_to_resolve"])
def test_censored_arrays_are_minutes_observed(varied, metric):
    from mttr_lab.frames import minutes_observed
    from mttr_lab.summary_groups import censored_arrays

    minutes, censored = censored_arrays(varied, metric)
    expected = minutes_observed(varied, metric=metric)
    assert _same_bits(minutes, expected["minutes"])
    assert censored.any() or metric != "time_to_recover"  # open incidents wait to recover
    assert np.array_equal(censored, expected["censored"].to_numpy())
    # columns that are not plain NumPy times go through minutes_observed itself
    as_objects = varied.astype({metric: object})
    assert _same_bits(censored_arrays(as_objects, metric)[0], minutes)


def test_a_key_column_edited_after_a_summary_is_grouped_afresh(varied):
    durations = varied.copy()
    before = mttr.duration_summary(durations, by="service", intervals=False)
    durations.loc[durations.index[:50], "service"] = "renamed"
    after = mttr.duration_summary(durations, by="service", intervals=False)
    assert "renamed" in after.index and "renamed" not in before.index
    assert after.loc["renamed", "count"] == 50 - durations["service"].iloc[:50].isna().sum()
    fresh = durations.copy()
    fresh["service"] = pd.Series(list(durations["service"]), index=durations.index, dtype="str")
    pd.testing.assert_frame_equal(after, mttr.duration_summary(fresh, by="service", intervals=False))


def test_a_saved_grouping_follows_its_frame(varied):
    import gc

    from mttr_lab import summary_groups

    durations = varied.copy()
    by = ["severity", "service"]
    first = summary_groups.group_positions(durations, by)
    again = summary_groups.group_positions(durations, by)
    assert again[1] is first[1]  # the same frame and keys: the grouping is not computed again
    assert not again[1].flags.writeable
    # naming one table's index leaves the next table's alone
    table = mttr.duration_summary(durations, by=by, intervals=False)
    table.index.names = ["a", "b"]
    assert list(mttr.duration_summary(durations, by=by, intervals=False).index.names) == by
    # a categorical key edited in place, its categories renamed: grouped afresh, as groupby does
    durations.loc[durations.index[:40], "severity"] = durations["severity"].cat.categories[0]
    renamed = durations.assign(severity=durations["severity"].cat.rename_categories(str.lower))
    for frame in (durations, renamed):
        index, positions, bounds = summary_groups.group_positions(frame, by)
        grouped = frame.groupby(by, observed=True, sort=True, dropna=False)
        pd.testing.assert_index_equal(index, grouped.size().index, exact=True)
        assert np.array_equal(positions, np.argsort(grouped.ngroup().to_numpy(), kind="stable"))
        assert np.array_equal(np.diff(bounds), grouped.size().to_numpy())
    # the grouping goes with its frame
    del durations, renamed, frame, grouped
    gc.collect()
    assert not summary_groups._LAST


def test_a_saved_grouping_is_not_reused_for_other_labels_or_names(varied):
    from mttr_lab import summary_groups

    def check(frame, by):
        index, positions, bounds = summary_groups.group_positions(frame, by)
        grouped = frame.groupby(by, observed=True, sort=True, dropna=False)
        pd.testing.assert_index_equal(index, grouped.size().index, exact=True)
        assert np.array_equal(positions, np.argsort(grouped.ngroup().to_numpy(), kind="stable"))
        assert np.array_equal(np.diff(bounds), grouped.size().to_numpy())

    durations = varied.copy()
    durations["service"] = durations["service"].astype("category")  # unordered
    check(durations, ["service"])
    first, second = durations["service"].cat.categories[:2]
    # two labels swapped in place: the same codes, a dtype that == calls equal
    durations["service"] = durations["service"].cat.rename_categories({first: second, second: first})
    check(durations, ["service"])
    check(durations, ["service", "team"])
    # the same arrays under another name, in the same frame
    durations.columns = ["level" if c == "severity" else c for c in durations.columns]
    check(durations, ["level"])
    durations["level2"] = durations["level"]
    check(durations, ["level2"])
    assert mttr.duration_summary(durations, by="level2", intervals=False).index.name == "level2"


def test_arrow_numbers_on_a_numpy_buffer_are_grouped_afresh(varied):
    import pyarrow as pa

    from mttr_lab import summary_groups

    durations = varied.copy()
    buffer = (np.arange(len(durations)) % 3).astype(np.int64)
    # Arrow numbers may share the NumPy buffer they were made from: writing to it changes them
    durations["shift"] = pd.Series(pd.arrays.ArrowExtensionArray(pa.array(buffer)), index=durations.index)
    before = summary_groups.group_positions(durations, ["shift"])
    buffer[:50] = 7
    index, _positions, bounds = summary_groups.group_positions(durations, ["shift"])
    grouped = durations.groupby("shift", observed=True, sort=True, dropna=False)
    pd.testing.assert_index_equal(index, grouped.size().index, exact=True)
    assert np.array_equal(np.diff(bounds), grouped.size().to_numpy()) and len(index) == len(before[0]) + 1


def test_censored_arrays_overflow_as_minutes_observed_does(varied):
    from mttr_lab.frames import minutes_observed
    from mttr_lab.summary_groups import censored_arrays

    # An open incident waiting since 1680, in nanoseconds: as_of minus it does not fit in int64.
    durations = varied.astype({"detected_at": "datetime64[ns, UTC]", "time_to_respond": "m8[ns]"})
    row = durations.index[durations["is_open"]][0]
    durations.loc[row, "time_to_respond"] = pd.NaT
    durations.loc[row, "detected_at"] = pd.Timestamp("1680-01-01", tz="UTC")
    durations = durations.astype({"clock_start": "datetime64[ns, UTC]", "open_for": "m8[ns]"})
    for compute in (minutes_observed, lambda d, metric: censored_arrays(d, metric)):
        with pytest.raises(OverflowError):
            compute(durations, metric="time_to_respond")


@pytest.mark.parametrize("intervals", [False, True])
def test_groups_summarised_side_by_side_give_the_table_of_one_piece(tmp_path, request, intervals):
    # every defect of real exports; groups of very different sizes, some open incidents
    export = tmp_path / "incidents.csv"
    write_export(synth_incidents(incidents=3_001, seed=5), export, shape="csv")
    durations = mttr.phase_durations(mttr.read_export(export, source="csv"))
    options = {"by": ["severity", "service"], "intervals": intervals}
    whole = {m: mttr.duration_summary(durations, metric=m, **options) for m in mttr.METRICS}
    request.getfixturevalue("split_from_two")
    for metric, table in whole.items():
        in_two = mttr.duration_summary(durations, metric=metric, **options)
        pd.testing.assert_frame_equal(in_two, table, check_exact=True)
        assert table["p90"].notna().any() and len(table) > 4
