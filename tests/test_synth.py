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


def test_timeline_leaves_the_incidents_unchanged_and_follows_the_policy(tmp_path):
    from mttr_lab.synth import POLICY, synth_timeline, write_timeline

    frame = synth_incidents(incidents=400, months=6, seed=3)
    before = frame.copy()
    timeline = synth_timeline(frame, seed=3)
    pd.testing.assert_frame_equal(frame, before)
    pd.testing.assert_frame_equal(synth_incidents(incidents=400, months=6, seed=3), before)
    process = mttr.response_process(timeline).set_index("incident_id")
    kept = frame.drop_duplicates("incident_id")
    assert set(process.index) == set(kept["incident_id"])
    # escalated exactly when the acknowledgement came after the first timeout
    ack = kept.set_index("incident_id")
    wait = (ack["acknowledged_at"] - ack["detected_at"]).dt.total_seconds() / 60
    first_timeout = POLICY[0][1]
    late = wait[wait.notna() & (wait >= 0)] > first_timeout
    assert (process.loc[late.index, "escalations"] > 0).eq(late).all()
    assert process["ping_pong"].any() and (process["handovers"] > 0).mean() < 0.6
    # written and read back
    path = write_timeline(timeline, tmp_path / "t.csv.gz")
    again = mttr.read_timeline(path)
    assert len(again) == len(timeline)
    assert (again["at"] == timeline["at"]).all()
    assert write_timeline(timeline, tmp_path / "u.csv.gz").read_bytes() == path.read_bytes()


def test_channels_and_playbooks(tmp_path):
    from mttr_lab.synth import CHANNELS, synth_timeline, write_playbooks

    frame = synth_incidents(incidents=600, months=6, seed=8)
    channels = mttr.trigger_channels(synth_timeline(frame, seed=8))
    assert set(channels["detection_channel"]) <= set(CHANNELS)
    books = mttr.read_playbooks(write_playbooks(tmp_path / "p.yaml"))
    assert books["timeouts"].map(lambda t: t[:2]).tolist() == [[5.0, 10.0]] * len(books)
    coverage = mttr.playbook_coverage(
        mttr.read_export(write_export(frame, tmp_path / "s.json"), source="auto"), books
    )
    assert set(coverage["matched_by"].dropna()) == {"service", "alert"}


def test_bundled_timeline_matches_the_generator(tmp_path):
    from pathlib import Path

    from mttr_lab.synth import synth_timeline, write_playbooks, write_timeline

    data = Path(__file__).resolve().parents[1] / "data"
    incidents = mttr.read_export(data / "sample_firehydrant.json", source="auto")
    written = write_timeline(synth_timeline(incidents, seed=7), tmp_path / "t.csv.gz")
    assert written.read_bytes() == (data / "sample_timeline.csv.gz").read_bytes()
    assert write_playbooks(tmp_path / "p.yaml").read_bytes() == (data / "sample_playbooks.yaml").read_bytes()
