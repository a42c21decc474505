"""Benchmark tiers: the seed article's table, DORA clusters per year, and tier assignment."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import mttr_lab as mttr
from mttr_lab.synth import synth_incidents, write_export
from mttr_lab.tiers import assign_tiers, dora_tiers, seed_tiers

SEVERITY = pd.CategoricalDtype(["low", "medium", "high", "critical"], ordered=True)


def table(rows: dict[str, tuple], *, stat: str = "median") -> pd.DataFrame:
    """A hand-made summary: severity -> (count, point, low, high) in minutes."""
    frame = pd.DataFrame.from_dict(
        rows, orient="index", columns=["count", stat, f"{stat}_low", f"{stat}_high"], dtype=float
    )
    frame["count"] = frame["count"].astype("int64")
    frame.index = pd.CategoricalIndex(frame.index, dtype=SEVERITY, name="severity")
    return frame


def test_seed_table_holds_the_published_thresholds():
    tiers = seed_tiers()
    got = {p: g.sort_values("rank")["upper_minutes"].tolist() for p, g in tiers.groupby("priority")}
    assert got == {
        "critical": [30, 60, 240, np.inf],
        "high": [60, 240, 480, np.inf],
        "medium": [240, 480, 1440, np.inf],
    }
    assert "low" not in set(tiers["priority"])
    assert tiers.groupby("priority")["tier"].apply(list).iloc[0] == ["elite", "high", "medium", "needs work"]
    definition = tiers["definition"].iloc[0]
    assert "no primary source" in definition and "< 30 min for critical incidents" in definition
    assert "not DORA" in definition
    # Contiguous: each tier starts where the better one ends.
    for _, g in tiers.groupby("priority"):
        assert g["lower_minutes"].iloc[1:].tolist() == g["upper_minutes"].iloc[:-1].tolist()


@pytest.mark.parametrize(
    ("severity", "minutes", "tier"),
    [
        ("critical", 0.0, "elite"),
        ("critical", 30.0, "elite"),  # on a boundary: the better tier
        ("critical", 30.01, "high"),
        ("critical", 60.0, "high"),
        ("critical", 240.0, "medium"),
        ("critical", 240.5, "needs work"),
        ("high", 59.0, "elite"),
        ("high", 480.0, "medium"),
        ("high", 481.0, "needs work"),
        ("medium", 241.0, "high"),
        ("medium", 1440.0, "medium"),
        ("medium", 1441.0, "needs work"),
    ],
)
def test_seed_boundaries(severity, minutes, tier):
    summary = table({severity: (50, minutes, minutes, minutes)})
    out = assign_tiers(summary)
    assert out.loc[severity, "tier"] == tier
    assert out.loc[severity, "tiers_spanned"] == tier
    assert out.loc[severity, "benchmark"] == f"seed article: {severity}"


def test_interval_ends_give_best_and_worst_tier():
    summary = table(
        {
            "critical": (40, 45.0, 20.0, 200.0),  # elite .. medium
            "high": (80, 100.0, 70.0, 230.0),  # all high
            "medium": (60, 300.0, 200.0, 600.0),  # elite .. medium
        }
    )
    out = assign_tiers(summary)
    assert out.loc["critical", ["tier", "tier_best", "tier_worst"]].tolist() == ["high", "elite", "medium"]
    assert out.loc["critical", "tiers_spanned"] == "elite–medium"
    assert out.loc["critical", "n_tiers"] == 3
    assert "interval spans 3 tiers: the data cannot place this group" in out.loc["critical", "note"]
    assert out.loc["high", "tiers_spanned"] == "high" and out.loc["high", "n_tiers"] == 1
    assert out.loc["high", "note"] == ""
    assert out.loc["medium", ["tier_best", "tier_worst"]].tolist() == ["elite", "medium"]
    assert out.index.equals(summary.index)
    assert (out["definition"].str.contains("no primary source")).all()


def test_missing_interval_and_low_severity_and_open_incidents():
    summary = table(
        {
            "critical": (3, 25.0, np.nan, np.nan),
            "low": (30, 90.0, 50.0, 200.0),
            "high": (20, np.nan, np.nan, np.nan),
        }
    )
    summary["open"] = [0, 4, 0]
    out = assign_tiers(summary)
    crit = out.loc["critical"]
    assert crit["tier"] == "elite" and pd.isna(crit["tier_best"]) and pd.isna(crit["tiers_spanned"])
    assert pd.isna(crit["n_tiers"])
    assert "no interval (too few incidents" in crit["note"]
    low = out.loc["low"]
    assert pd.isna(low["tier"]) and pd.isna(low["tier_worst"])
    assert "no low-severity row" in low["note"]
    assert pd.isna(out.loc["high", "tier"]) and "no median" in out.loc["high", "note"]
    # Open incidents are mentioned where the median leaves them out...
    with_open = table({"critical": (30, 25.0, 20.0, 28.0)})
    with_open["open"] = 2
    assert "2 open incident(s) not in median" in assign_tiers(with_open).loc["critical", "note"]
    # ... and not for the Kaplan-Meier median, which includes them; an open-ended interval
    # (KM upper bound undefined) is the worst tier.
    km = table({"critical": (30, 50.0, 20.0, np.inf)}, stat="km_median")
    km["open"] = 2
    row = assign_tiers(km, statistic="km_median").loc["critical"]
    assert row["tier_worst"] == "needs work" and "open" not in row["note"]


def test_severity_from_a_column_a_multiindex_level_or_a_named_level():
    column = pd.DataFrame({"severity": ["critical", "medium", None], "median": [70.0, 70.0, 70.0]})
    out = assign_tiers(column)
    assert out["tier"].iloc[:2].tolist() == ["medium", "elite"]
    assert pd.isna(out["tier"].iloc[2]) and "no severity" in out["note"].iloc[2]
    assert "no interval: the summary has no median_low" in out["note"].iloc[0]
    index = pd.MultiIndex.from_tuples([("api", "critical"), ("api", "high")], names=["service", "severity"])
    multi = pd.DataFrame(
        {"p90": [100.0, 100.0], "p90_low": [50, 50.0], "p90_high": [500, 500.0]}, index=index
    )
    out = assign_tiers(multi, statistic="p90")
    assert out["tier"].tolist() == ["medium", "high"]
    assert out["tiers_spanned"].tolist() == ["high–needs work", "elite–needs work"]
    renamed = pd.DataFrame({"median": [10.0]}, index=pd.Index(["critical"], name="priority"))
    assert assign_tiers(renamed, severity_level="priority")["tier"].iloc[0] == "elite"


DORA_PUBLISHED = {
    2019: [("elite", "< 1 hour", 0.20), ("high", "< 1 day", 0.23), ("medium", "< 1 day", 0.44), ("low", "1 week – 1 month", 0.12)],
    2021: [("elite", "< 1 hour", 0.26), ("high", "< 1 day", 0.40), ("medium", "1 day – 1 week", 0.28), ("low", "> 6 months", 0.07)],
    2022: [("high", "< 1 day", 0.11), ("medium", "1 day – 1 week", 0.69), ("low", "1 week – 1 month", 0.19)],
    2023: [("elite", "< 1 hour", 0.18), ("high", "< 1 day", 0.31), ("medium", "1 day – 1 week", 0.33), ("low", "1 month – 6 months", 0.18)],
    2024: [("elite", "< 1 hour", 0.19), ("high", "< 1 day", 0.22), ("medium", "< 1 day", 0.35), ("low", "1 week – 1 month", 0.25)],
}  # fmt: skip


def test_dora_table_per_year():
    tiers = dora_tiers()
    assert sorted(tiers["year"].unique()) == [2019, 2021, 2022, 2023, 2024]
    for year, rows in DORA_PUBLISHED.items():
        got = dora_tiers(year)
        assert list(zip(got["tier"], got["bucket"], got["share"], strict=True)) == rows
        assert abs(got["share"].sum() - 1) <= 0.011  # published shares, rounded
        expected = "failed deployment recovery time" if year >= 2023 else "time to restore service"
        assert (got["metric_name"] == expected).all()
        assert got["caveat"].str.contains("self-reported survey buckets").all()
        assert got["definition"].str.contains("not measured durations").all()
    hour, day, week, month = 60, 1440, 7 * 1440, 30 * 1440
    bounds = dora_tiers(2021).set_index("tier")[["lower_minutes", "upper_minutes"]]
    assert bounds.loc["elite"].tolist() == [0, hour]
    assert bounds.loc["high"].tolist() == [hour, day]
    assert bounds.loc["medium"].tolist() == [day, week]
    assert bounds.loc["low"].tolist() == [6 * month, np.inf]
    assert "elite" not in set(dora_tiers(2022)["tier"])
    with pytest.raises(ValueError, match="2019, 2021, 2022, 2023, 2024"):
        dora_tiers(2020)


def test_dora_assignment():
    minutes = {"critical": 45.0, "high": 100.0, "medium": 2 * 1440.0, "low": 14 * 1440.0}
    summary = table({s: (50, m, m, m) for s, m in minutes.items()})
    y2019 = assign_tiers(summary, scheme="dora", year=2019)
    assert y2019["tier"].to_dict() == {"low": "low", "medium": "low", "high": "high", "critical": "elite"}
    assert "share the '< 1 day' bucket" in y2019.loc["high", "note"]
    assert "between published buckets" in y2019.loc["medium", "note"]  # 2 days: no 2019 cluster
    assert "between published buckets" not in y2019.loc["low", "note"]  # 2 weeks: inside 1 week – 1 month
    y2021 = assign_tiers(summary, scheme="dora", year=2021)
    assert y2021["tier"].to_dict() == {"low": "low", "medium": "medium", "high": "high", "critical": "elite"}
    assert "between published buckets" in y2021.loc["low", "note"]  # low's median answer was > 6 months
    y2022 = assign_tiers(summary, scheme="dora", year=2022)
    assert y2022.loc["critical", "tier"] == "high"  # no elite cluster in 2022
    latest = assign_tiers(summary, scheme="dora")
    assert (latest["benchmark"] == "DORA 2024").all()
    assert latest["note"].str.contains("failed-deployment recovery since 2023").all()
    assert latest["definition"].str.contains("failed deployment recovery time").all()
    assert not y2021["note"].str.contains("failed-deployment").any()
    # 2019: high and medium share a bucket, so an interval from 30 min to 33 hours spans 3 tiers, not 4.
    wide = table({"high": (50, 100.0, 30.0, 2000.0)})
    row = assign_tiers(wide, scheme="dora", year=2019).loc["high"]
    assert row["tiers_spanned"] == "elite–low" and row["n_tiers"] == 3  # elite, high, low
    assert "spans 3 tiers" in row["note"]


def test_bad_arguments():
    summary = table({"critical": (10, 20.0, 10.0, 30.0)})
    with pytest.raises(ValueError, match="scheme"):
        assign_tiers(summary, scheme="gold")
    with pytest.raises(ValueError, match="not a column"):
        assign_tiers(summary, statistic="p75")
    with pytest.raises(ValueError, match="year"):
        assign_tiers(summary, year=2024)
    with pytest.raises(ValueError, match="year must be one of"):
        assign_tiers(summary, scheme="dora", year=2018)
    with pytest.raises(ValueError, match="severity"):
        assign_tiers(pd.DataFrame({"median": [10.0]}, index=["all"]))
    with pytest.raises(ValueError, match="DataFrame"):
        assign_tiers([1, 2, 3])


def test_on_a_real_summary(tmp_path: Path):
    """The tiers of duration_summary's own output agree with a lookup in seed_tiers()."""
    path = write_export(synth_incidents(incidents=400, months=6, seed=11), tmp_path / "x.csv", shape="csv")
    durations = mttr.phase_durations(mttr.read_export(path, source="csv"))
    summary = mttr.duration_summary(durations, by="severity")
    out = assign_tiers(summary)
    tiers = seed_tiers()
    for severity in ("critical", "high", "medium"):
        median = np.median(
            mttr.to_minutes(durations.loc[durations["severity"] == severity, "time_to_recover"]).dropna()
        )
        rows = tiers[(tiers["priority"] == severity) & (tiers["upper_minutes"] >= median)]
        assert out.loc[severity, "median"] == pytest.approx(median)
        assert out.loc[severity, "tier"] == rows.sort_values("rank")["tier"].iloc[0]
    assert pd.isna(out.loc["low", "tier"])


def test_dora_2022_high_holds_values_under_an_hour():
    """2022 had no elite cluster: 49 min is under the high bucket '< 1 day', not between buckets."""
    assert dora_tiers(2022).iloc[0][["tier", "lower_minutes"]].tolist() == ["high", 0.0]
    row = assign_tiers(table({"critical": (50, 49.0, 45.0, 55.0)}), scheme="dora", year=2022).loc["critical"]
    assert row["tier"] == "high" and row["tiers_spanned"] == "high"
    assert "between published buckets" not in row["note"]
    assert "values under an hour are labelled high" in row["note"]
