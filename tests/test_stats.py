"""duration_summary and phase_breakdown."""

from __future__ import annotations

import numpy as np
import pytest

import mttr_lab as mttr


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
    assert row["p90"] == pytest.approx(np.quantile([12, 8, 25], 0.9))
    assert row["p99"] < 25  # linear interpolation, never the maximum by construction


def test_grouped_summary_is_ordered_by_severity(three):
    table = mttr.duration_summary(three, by="severity")
    assert [str(s) for s in table.index] == ["medium", "high", "critical"]
    assert table.loc["critical", "median"] == pytest.approx(25)
    assert table["count"].sum() == 3


def test_open_and_missing_are_counted(fixtures):
    from test_io import HAND

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


def test_phase_breakdown_hand_values(fixtures):
    from test_io import HAND

    incidents = mttr.read_export(fixtures / "generic" / "hand_made.csv", columns=HAND, tz="UTC")
    table = mttr.phase_breakdown(mttr.phase_durations(incidents))
    row = table.loc["all"]
    assert row["incidents"] == 4
    assert row["response"] == pytest.approx(np.median([4, 16, 18]))
    assert row["response_observed"] == 3
    assert row["diagnosis"] == pytest.approx(np.median([31, 25]))
    mean = mttr.phase_breakdown(mttr.phase_durations(incidents), statistic="mean", by="team")
    assert mean.loc["core", "followup"] == pytest.approx(88)
