"""Detectability: the analytic minimum detectable change and Davidovič's Monte Carlo.

Known answers: the closed form n = 2 (z_{0.975} + z_{0.8})^2 sigma^2 / (ln r)^2 and its published
table; Benninghoff's simulated power of a t-test on log durations; Davidovič's Company-B results,
reproduced by a lognormal(median 67 min, sigma 1.25) reference population.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mttr_lab as mttr
import mttr_lab.simulation as simulation
from mttr_lab.detectability import detectable_change, simulate_improvement
from mttr_lab.synth import synth_incidents, write_export

MEDIAN, SIGMA = 67.0, 1.25


@pytest.fixture(scope="module")
def population() -> np.ndarray:
    """The user's durations: a large seeded sample of lognormal(median 67 min, sigma 1.25)."""
    rng = np.random.default_rng(2021)
    return MEDIAN * np.exp(SIGMA * rng.standard_normal(200_000))


@pytest.fixture(scope="module")
def durations(tmp_path_factory) -> pd.DataFrame:
    path = tmp_path_factory.mktemp("detect") / "incidents.csv"
    write_export(synth_incidents(incidents=300, months=6, seed=3, open_share=0.05), path, shape="csv")
    return mttr.phase_durations(mttr.read_export(path, source="csv"))


def exact_sigma_sample(sigma: float, n: int = 500) -> np.ndarray:
    """Minutes whose log-scale sample standard deviation is exactly ``sigma``."""
    z = np.random.default_rng(0).standard_normal(n)
    z = (z - z.mean()) / z.std(ddof=1)
    return MEDIAN * np.exp(sigma * z)


# ---- analytic ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sigma", "change", "needed"),
    [
        (1.25, 0.10, 2210),
        (1.25, 0.15, 929),
        (1.25, 0.25, 297),
        (1.25, 0.50, 52),
        (1.0, 0.10, 1415),
        (1.4, 0.15, 1165),
    ],
)
def test_incidents_needed_match_the_published_table(sigma, change, needed):
    out = detectable_change(exact_sigma_sample(sigma), change=change, n_per_group=20)
    assert out["sigma"].iloc[0] == pytest.approx(sigma)
    assert out["n_needed"].iloc[0] == needed


def test_minimum_detectable_change_table():
    ns = [10, 20, 50, 100, 300, 1000]
    published = {1.0: [0.29, 0.41, 0.57, 0.67, 0.80, 0.88], 1.25: [0.21, 0.33, 0.50, 0.61, 0.75, 0.86]}
    for sigma, ratios in published.items():
        out = detectable_change(None, sigma=sigma, n_per_group=ns)
        assert out["n_per_group"].tolist() == ns
        assert out["mdc_ratio"].round(2).tolist() == ratios
        assert out["mdc_change"].to_numpy() == pytest.approx(out["mdc_ratio"].to_numpy() - 1)
    # "Improving 10-15% per month" at 20 incidents per group: power 5-7 %, no better than alpha.
    for change in (0.10, 0.15):
        power = detectable_change(None, sigma=1.25, n_per_group=20, change=change)["power_at_n"].iloc[0]
        assert 0.05 < power < 0.07


def test_t_version_matches_simulated_power_of_a_t_test_on_logs():
    # Benninghoff 2025: Welch t on log durations, lognormal sigma 1.25, share of runs detecting a cut.
    cases = [
        (100, 0.10, 0.088),
        (1000, 0.10, 0.47),
        (2000, 0.10, 0.76),
        (4000, 0.10, 0.96),
        (100, 0.25, 0.375),
    ]
    for n, change, detected in cases:
        out = detectable_change(None, sigma=1.25, n_per_group=n, change=change, test="t")
        assert out["power_at_n"].iloc[0] == pytest.approx(detected, abs=0.02)
    t = detectable_change(None, sigma=1.25, n_per_group=[10, 20, 1000], test="t")
    z = detectable_change(None, sigma=1.25, n_per_group=[10, 20, 1000], test="z")
    # The t test is more conservative at small n and indistinguishable at large n.
    assert (t["mdc_ratio"] < z["mdc_ratio"]).iloc[:2].all()
    assert t["mdc_ratio"].iloc[2] == pytest.approx(z["mdc_ratio"].iloc[2], abs=0.001)
    assert t["mdc_ratio"].iloc[1] == pytest.approx(0.32, abs=0.005)
    assert t["n_needed"].iloc[0] in (2211, 2212)
    # Power at the detectable ratio is the requested power.
    back = detectable_change(None, sigma=1.25, n_per_group=20, change=1 - t["mdc_ratio"].iloc[1], test="t")
    assert back["power_at_n"].iloc[0] == pytest.approx(0.8, abs=1e-6)


def test_reference_population_needs_about_2200_per_group(population):
    out = detectable_change(population)
    assert out["incidents"].iloc[0] == len(population)
    assert out["n_per_group"].iloc[0] == len(population) // 2  # default: the data split in two
    assert 2150 <= out["n_needed"].iloc[0] <= 2270


def test_durations_frame_uses_observed_durations_only(durations):
    out = detectable_change(durations, metric="time_to_recover").iloc[0]
    # Observed: closed incidents, and open ones that have already recovered.
    observed = durations["time_to_recover"].dropna()
    minutes = mttr.to_minutes(observed)
    minutes = minutes[minutes > 0]
    waiting = int((durations["is_open"] & durations["time_to_recover"].isna()).sum())
    assert waiting > 0
    assert out["incidents"] == len(minutes)
    assert out["sigma"] == pytest.approx(np.log(minutes).std(ddof=1))
    assert f"{waiting} open incident(s) left out" in out["note"]
    # The same count duration_summary reports as open.
    assert waiting == mttr.duration_summary(durations, intervals=False).loc["all", "open"]
    closed = observed
    timedeltas = detectable_change(closed).iloc[0]  # a Series of Timedelta works too
    assert timedeltas["sigma"] == pytest.approx(out["sigma"])


def test_too_few_incidents_give_na_with_a_reason():
    out = detectable_change(np.array([10.0, 20.0]), n_per_group=20).iloc[0]
    assert pd.isna(out["sigma"]) and pd.isna(out["mdc_ratio"]) and pd.isna(out["n_needed"])
    assert "too few incidents" in out["note"]
    same = detectable_change(np.full(10, 30.0)).iloc[0]
    assert pd.isna(same["mdc_ratio"]) and "sigma is 0" in same["note"]
    zeros = detectable_change(np.r_[0.0, exact_sigma_sample(1.25)]).iloc[0]
    assert zeros["sigma"] == pytest.approx(1.25) and "1 zero duration(s)" in zeros["note"]


def test_detectable_change_bad_arguments():
    data = exact_sigma_sample(1.0)
    with pytest.raises(ValueError, match="change"):
        detectable_change(data, change=10)
    with pytest.raises(ValueError, match="test"):
        detectable_change(data, test="welch")
    with pytest.raises(ValueError, match="n_per_group"):
        detectable_change(data, n_per_group=1)
    with pytest.raises(ValueError, match="sigma"):
        detectable_change(data, sigma=-1)
    with pytest.raises(ValueError, match="metric"):
        detectable_change(pd.DataFrame({"x": [1]}), metric="mttr")
    with pytest.raises(ValueError, match="non-negative"):
        detectable_change(np.array([5.0, -1.0, 3.0, 4.0]))
    with pytest.raises(ValueError, match="Series/array"):
        detectable_change("durations.csv")


# ---- Monte Carlo ------------------------------------------------------------------------------


def test_davidovic_company_b_anchors(population):
    # 103 incidents split in two, every incident of one half 10 % shorter: MTTR still got worse
    # in ~38-40 % of the universes, showed >= 15 min gain in ~49 %; with no change at all, a
    # >= 30 min "gain" appeared in ~26 % (paper: 23 %).
    out = simulate_improvement(population, n_total=103, improvement=0.10, n_sims=20_000, seed=1).loc["mean"]
    assert (out["n_before"], out["n_after"]) == (51, 52)
    assert 0.35 <= out["p_worse"] <= 0.42
    assert out["p_gain"] == pytest.approx(0.49, abs=0.03)
    assert out["null_p_gain"] == pytest.approx(0.26, abs=0.03)
    null = simulate_improvement(
        population, n_total=103, improvement=0.0, gain_minutes=30, n_sims=20_000, seed=2
    ).loc["mean"]
    assert null["p_gain"] == pytest.approx(0.26, abs=0.03)
    assert null["p_worse"] == pytest.approx(0.5, abs=0.02)
    assert null["p_gain"] == pytest.approx(null["null_p_gain"])  # no change: both are the null


def test_interval_of_the_difference_matches_the_closed_forms(population):
    # 90 % interval of a difference of two MTTRs at N = 1000: +-z_0.95 sqrt(2/(N/2)) SD (Davidovič,
    # Table 2); of two geometric means: the delta method, +-z_0.95 gm sigma sqrt(2/(N/2)).
    out = simulate_improvement(
        population, n_total=1000, improvement=0.0, statistic=["mean", "geomean"], n_sims=10_000, seed=3
    )
    z = 1.6448536269514722
    mean_half = z * np.sqrt(2 / 500) * population.std()
    gm_half = z * MEDIAN * SIGMA * np.sqrt(2 / 500)
    assert out.loc["mean", "null_gain_high"] == pytest.approx(mean_half, rel=0.06)
    assert -out.loc["mean", "null_gain_low"] == pytest.approx(mean_half, rel=0.06)
    assert out.loc["geomean", "null_gain_high"] == pytest.approx(gm_half, rel=0.06)
    assert out.loc["mean", "observed"] == pytest.approx(population.mean())
    assert out.loc["geomean", "observed"] == pytest.approx(np.exp(np.log(population).mean()))


def test_statistics_rank_as_published(population):
    # Davidovič: the geometric mean is the least noisy summary, the median next, p95 the worst.
    out = simulate_improvement(
        population,
        n_total=1000,
        improvement=0.10,
        statistic=["mean", "median", "geomean", "p95"],
        n_sims=4000,
    )
    width = out["gain_high"] - out["gain_low"]
    relative = width / out["observed"]
    assert relative["geomean"] < relative["median"] < relative["mean"] < relative["p95"]
    assert out.loc["p95", "observed"] == pytest.approx(np.percentile(population, 95))
    # The median gain is near the true 10 % of the statistic.
    assert out.loc["mean", "gain_median"] == pytest.approx(0.1 * population.mean(), rel=0.15)


def test_seeded_batched_and_reporting_progress(monkeypatch):
    pool = np.arange(1.0, 60.0)
    one = simulate_improvement(pool, n_total=80, n_sims=500, seed=4, statistic=["mean", "p95"])
    again = simulate_improvement(pool, n_total=80, n_sims=500, seed=4, statistic=["mean", "p95"])
    other = simulate_improvement(pool, n_total=80, n_sims=500, seed=5, statistic=["mean", "p95"])
    pd.testing.assert_frame_equal(one, again)
    assert not one["p_worse"].equals(other["p_worse"])
    monkeypatch.setattr(simulation, "_BATCH_VALUES", 80 * 64)  # the batches of simulate_improvement
    calls: list[tuple[int, int]] = []
    batched = simulate_improvement(
        pool,
        n_total=80,
        n_sims=500,
        seed=4,
        statistic=["mean", "p95"],
        progress=lambda d, t: calls.append((d, t)),
    )
    pd.testing.assert_frame_equal(one, batched)  # batches draw the same stream
    assert calls[-1] == (500, 500) and len(calls) == 8
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_durations_frame_and_small_pools(durations):
    out = simulate_improvement(durations, n_sims=200).loc["mean"]
    closed = mttr.to_minutes(durations["time_to_recover"]).dropna()
    assert out["incidents"] == len(closed) == out["n_total"]
    assert out["observed"] == pytest.approx(closed.mean())
    assert "open incident(s) left out" in out["note"]
    small = simulate_improvement(
        np.array([5.0, 0.0, 20.0]), n_total=10, statistic=["mean", "geomean"], n_sims=50
    )
    assert pd.isna(small.loc["geomean", "p_worse"]) and "positive" in small.loc["geomean", "note"]
    assert "only 3 durations" in small.loc["mean", "note"]


def test_simulate_bad_arguments(population):
    with pytest.raises(ValueError, match="statistic"):
        simulate_improvement(population, statistic="p99")
    with pytest.raises(ValueError, match="improvement"):
        simulate_improvement(population, improvement=1.5)
    with pytest.raises(ValueError, match="n_total"):
        simulate_improvement(population, n_total=1)
    with pytest.raises(ValueError, match="n_sims"):
        simulate_improvement(population, n_sims=0)
    with pytest.raises(ValueError, match="no closed incident"):
        simulate_improvement(np.array([np.nan]))


def test_hand_made_export_through_the_reader(tmp_path: Path):
    # A hand-made export through the real reader: 4 closed incidents of 10, 20, 40, 80 min, one open.
    (tmp_path / "tiny.csv").write_text(
        "id,opened,closed\n"
        "a,2025-01-01T10:00:00Z,2025-01-01T10:10:00Z\n"
        "b,2025-01-02T10:00:00Z,2025-01-02T10:20:00Z\n"
        "c,2025-01-03T10:00:00Z,2025-01-03T10:40:00Z\n"
        "d,2025-01-04T10:00:00Z,2025-01-04T11:20:00Z\n"
        "e,2025-01-05T10:00:00Z,\n"
    )
    incidents = mttr.read_export(
        tmp_path / "tiny.csv", columns={"incident_id": "id", "detected_at": "opened", "resolved_at": "closed"}
    )
    out = detectable_change(mttr.phase_durations(incidents), n_per_group=10).iloc[0]
    assert out["incidents"] == 4
    # log durations ln10 + ln2 * (0, 1, 2, 3): sample sd = ln 2 * sd(0..3)
    assert out["sigma"] == pytest.approx(np.log(2) * np.std([0, 1, 2, 3], ddof=1))
    assert "1 open incident(s) left out" in out["note"]
