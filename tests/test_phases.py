"""phase_durations: the seed examples, hand calculations, daylight saving, open incidents."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import DST_BERLIN, FIXTURES, HAND

import mttr_lab as mttr
from mttr_lab.synth import synth_incidents, write_export

MIN = pd.Timedelta(minutes=1)


def minutes(value) -> float:
    return value / MIN


def test_seed_example(fixtures):
    cols = {
        "incident_id": "Ticket",
        "detected_at": "Opened",
        "acknowledged_at": "First response",
        "resolved_at": "Closed",
        "severity": "Priority",
        "service": "Component",
    }
    durations = mttr.phase_durations(mttr.read_export(fixtures / "generic" / "seed.csv", columns=cols))
    row = durations.iloc[0]
    assert minutes(row["time_to_respond"]) == 3
    assert minutes(row["time_to_repair"]) == 15
    assert minutes(row["time_to_recover"]) == 18
    assert minutes(row["time_to_resolve"]) == 18
    assert bool(row["recovery_is_resolution"])
    assert not bool(row["is_open"])


@pytest.fixture
def hand(fixtures):
    incidents = mttr.read_export(fixtures / "generic" / "hand_made.csv", columns=HAND, tz="UTC")
    return mttr.phase_durations(incidents).set_index("incident_id")


def test_hand_calculation_of_every_phase_and_metric(hand):
    expected = {
        # detection, response, diagnosis, repair, followup, ttd, ttrespond, ttrepair, ttrecover, ttresolve
        "101": [6, 4, 31, 21, 88, 6, 4, 52, 62, 150],
        "102": [None, 16, None, None, 65, None, 16, 34, 50, 115],
        # 103's acknowledgement (06:35) is before its detection (06:40): no phase starts or ends
        # at it, and no time to respond; the time to repair (06:35 to the recovery at 07:20) has
        # its own two endpoints in order, so it is measured.
        "103": [40, None, None, 20, 10, 40, None, 45, 80, 90],
    }
    columns = [*mttr.PHASES, *mttr.METRICS]
    for incident, values in expected.items():
        got = [None if pd.isna(v) else minutes(v) for v in hand.loc[incident, columns]]
        assert got == values, incident


def test_excluded_and_open_rows(hand):
    assert "105" not in hand.index  # no start time at all: excluded, reported by check_incidents
    assert bool(hand.loc["104", "is_open"])
    assert pd.isna(hand.loc["104", "time_to_recover"])
    # as_of defaults to the latest timestamp in the data (104's acknowledgement at 14:20).
    assert minutes(hand.loc["104", "open_for"]) == 20
    assert pd.isna(hand.loc["101", "open_for"])
    assert not bool(hand.loc["101", "recovery_is_resolution"])


def test_as_of_moves_the_censoring_time(fixtures):
    incidents = mttr.read_export(fixtures / "generic" / "hand_made.csv", columns=HAND, tz="UTC")
    durations = mttr.phase_durations(incidents, as_of="2024-05-06T16:00:00Z").set_index("incident_id")
    assert minutes(durations.loc["104", "open_for"]) == 120
    with pytest.raises(ValueError, match="no timezone"):
        mttr.phase_durations(incidents, as_of="2024-05-06 16:00")


def test_clock_start_detection(fixtures):
    incidents = mttr.read_export(fixtures / "generic" / "hand_made.csv", columns=HAND, tz="UTC")
    durations = mttr.phase_durations(incidents, clock_start="detection").set_index("incident_id")
    assert minutes(durations.loc["101", "time_to_recover"]) == 56
    with pytest.raises(ValueError, match="clock_start"):
        mttr.phase_durations(incidents, clock_start="alert")


def test_daylight_saving_crossings(fixtures):
    incidents = mttr.read_export(
        fixtures / "generic" / "dst_berlin.csv", columns=DST_BERLIN, tz="Europe/Berlin"
    )
    durations = mttr.phase_durations(incidents).set_index("incident_id")
    # Spring: 01:55 CET to 03:01 CEST is 6 minutes of real time, not 66.
    assert minutes(durations.loc["spring", "response"]) == 6
    assert minutes(durations.loc["spring", "time_to_recover"]) == 20
    # Autumn: 01:50 CEST to 03:10 CET is 2 h 20 min of real time, not 80 minutes.
    assert minutes(durations.loc["autumn", "time_to_recover"]) == 140


def test_missing_columns_are_refused():
    with pytest.raises(ValueError, match="lack the column"):
        mttr.phase_durations(pd.DataFrame({"incident_id": ["a"]}))


@pytest.mark.parametrize("body", ["", "A,,\nB,,\n"], ids=["header only", "no timestamps"])
def test_exports_without_any_timestamp_are_analysed_as_empty(tmp_path, body):
    path = tmp_path / "bare.csv"
    path.write_text("incident_id,detected_at,resolved_at\n" + body)
    incidents = mttr.read_export(path, tz="UTC")
    durations = mttr.phase_durations(incidents)
    assert len(durations) == 0
    # Empty, but with the columns and dtypes of any durations frame (so later steps work).
    full = mttr.phase_durations(
        mttr.read_export(FIXTURES / "generic" / "hand_made.csv", columns=HAND, tz="UTC")
    )
    pd.testing.assert_series_equal(durations.dtypes, full.dtypes)
    findings = mttr.check_incidents(incidents)
    assert findings["problem"].str.startswith("no start time").sum() == len(incidents)
    assert findings.dtypes["record"] == "Int64" and findings.dtypes["problem"] == "str"
    assert mttr.duration_summary(durations).loc["all", "count"] == 0


@pytest.mark.parametrize("clock_start", ["impact", "detection"])
def test_durations_are_editable_without_touching_the_incidents(fixtures, clock_start):
    incidents = mttr.read_export(fixtures / "generic" / "hand_made.csv", columns=HAND, tz="UTC")
    before = incidents.copy()
    durations = mttr.phase_durations(incidents, clock_start=clock_start)
    for column in ("clock_start", "time_to_recover", "open_for", "is_open"):
        durations.loc[durations.index[0], column] = durations[column].iloc[-1]
    durations.loc[:, "detected_at"] = pd.NaT
    pd.testing.assert_frame_equal(incidents, before)


def reference_row(stamps: dict, clock_start: str, as_of: pd.Timestamp) -> dict:
    """The documented rules for one incident, written plainly (the vectorised code must agree)."""
    tol = pd.Timedelta(seconds=1)

    def gap(end, begin):
        if pd.isna(end) or pd.isna(begin) or end - begin < -tol:
            return pd.NaT
        return max(end - begin, pd.Timedelta(0))

    used, latest = {}, pd.NaT
    for name in mttr.MILESTONES:
        value = stamps[name]
        out = pd.notna(value) and pd.notna(latest) and latest - value > tol
        used[name] = pd.NaT if out else value
        if pd.notna(value) and not out and (pd.isna(latest) or value > latest):
            latest = value
    s, d, a = stamps["started_at"], stamps["detected_at"], stamps["acknowledged_at"]
    rec, res = stamps["recovered_at"], stamps["resolved_at"]
    start = (s if pd.notna(s) else d) if clock_start == "impact" else d
    own = pd.notna(rec) and pd.notna(gap(rec, start))
    recovery = rec if own else res
    row = {phase: gap(used[end], used[begin]) for phase, (begin, end) in mttr.PHASES.items()}
    row.update(
        time_to_detect=gap(d, s),
        time_to_respond=gap(a, d),
        time_to_repair=gap(recovery, a),
        time_to_recover=gap(recovery, start),
        time_to_resolve=gap(res, start),
        recovery_is_resolution=not own and pd.notna(res),
        is_open=pd.isna(res),
        open_for=gap(as_of, start) if pd.isna(res) else pd.NaT,
    )
    return row


@pytest.fixture(params=["one piece", "two halves"])
def pieces(request):
    """Rows done in one piece, or in two halves side by side (as from SPLIT_FROM rows on)."""
    if request.param == "two halves":
        request.getfixturevalue("split_from_two")
    return request.param


@pytest.mark.parametrize("clock_start", ["impact", "detection"])
def test_the_vectorised_rules_agree_with_a_plain_reading_of_them(clock_start, pieces):
    rng = np.random.default_rng(7)
    n = 400
    base = pd.Timestamp("2024-01-01", tz="UTC")
    # Steps mostly forward, some backward by minutes or by a fraction of a second; some missing.
    steps = rng.choice([600, 60, 0.4, -0.6, -300], size=(n, 6), p=[0.5, 0.2, 0.1, 0.1, 0.1])
    seconds = steps.cumsum(axis=1) + rng.integers(0, 86_400 * 30, n)[:, None]
    frame = {"incident_id": [f"i{i}" for i in range(n)]}
    for k, name in enumerate(mttr.MILESTONES):
        values = base + pd.to_timedelta(np.round(seconds[:, k] * 1e6), unit="us")
        frame[name] = values.where(rng.random(n) > 0.2)
    incidents = pd.DataFrame(frame)
    as_of = pd.Timestamp("2024-03-01", tz="UTC")
    got = mttr.phase_durations(incidents, clock_start=clock_start, as_of=as_of).set_index("incident_id")
    for i, record in incidents.set_index("incident_id").iterrows():
        if pd.isna(record["started_at"]) and pd.isna(record["detected_at"]):
            assert i not in got.index
            continue
        expected = reference_row(record.to_dict(), clock_start, as_of)
        actual = got.loc[i, list(expected)].to_dict()
        assert {k: (None if pd.isna(v) else v) for k, v in actual.items()} == {
            k: (None if pd.isna(v) else v) for k, v in expected.items()
        }, i


@pytest.mark.parametrize("as_of", [None, "2026-01-01T00:00Z"])
def test_halves_side_by_side_give_the_frame_of_one_piece(tmp_path, request, as_of):
    # every defect of real exports, an odd number of rows: the halves meet mid-way; with an
    # as_of amid the data, incidents still open then and some not begun yet
    export = tmp_path / "incidents.csv"
    write_export(synth_incidents(incidents=2_001, seed=3), export, shape="csv")
    incidents = mttr.read_export(export, source="csv")
    whole = mttr.phase_durations(incidents, as_of=as_of)
    request.getfixturevalue("split_from_two")
    in_two = mttr.phase_durations(incidents, as_of=as_of)
    pd.testing.assert_frame_equal(in_two, whole)
    assert whole["recovery_is_resolution"].any() and whole["is_open"].any()
    if as_of is not None:
        assert 200 < len(whole) < len(incidents) - 200
