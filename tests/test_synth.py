"""The synthetic generator: seeded, calibrated, realistic."""

from __future__ import annotations

import numpy as np
import pandas as pd

import mttr_lab as mttr
from mttr_lab.synth import synth_incidents, write_export


def test_same_seed_same_bytes(tmp_path):
    a = write_export(synth_incidents(incidents=300, months=6, seed=3), tmp_path / "a.json")
    b = write_export(synth_incidents(incidents=300, months=6, seed=3), tmp_path / "b.json")
    c = write_export(synth_incidents(incidents=300, months=6, seed=4), tmp_path / "c.json")
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_calibrated_to_the_published_anchors(tmp_path):
    path = write_export(synth_incidents(incidents=4000, months=24, seed=11), tmp_path / "big.json")
    durations = mttr.phase_durations(mttr.read_export(path, source="firehydrant"))
    recover = mttr.to_minutes(durations["time_to_recover"]).dropna()
    assert 45 < recover.median() < 80  # median around an hour
    assert 1.1 < np.log(recover).std() < 1.4  # log-sigma about 1.25
    by = mttr.duration_summary(durations, by="severity")
    assert by.loc["critical", "median"] < by.loc["low", "median"]
    shares = mttr.phase_breakdown(durations, by="service")
    assert shares.loc["data-pipeline", "detection"] > 2 * shares.loc["identity", "detection"]


def test_working_hours_and_weekdays_are_busier():
    frame = synth_incidents(incidents=3000, months=12, seed=5, defects=False)
    local = frame["started_at"].fillna(frame["detected_at"]).dt.tz_convert("Europe/Berlin")
    working = local.dt.hour.between(9, 17) & (local.dt.day_of_week < 5)
    assert working.mean() > 0.45  # 9-18 on weekdays is 27 % of the week's hours
    assert (local.dt.day_of_week < 5).mean() > 0.8


def test_trend_open_incidents_and_defects():
    frame = synth_incidents(incidents=2000, months=12, seed=9, improvement=0.1)
    start = frame["started_at"].fillna(frame["detected_at"])
    took = (frame["recovered_at"] - start).dt.total_seconds()
    early = took[start < start.min() + pd.Timedelta(days=60)].median()
    late = took[start > start.max() - pd.Timedelta(days=60)].median()
    assert late < 0.6 * early
    assert frame["resolved_at"].isna().sum() >= 20
    assert frame["incident_id"].duplicated().sum() == 1
    assert (frame["tags"] == "gameday").sum() == 1
