"""check_incidents: findings, and every record accounted for."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import HAND, SAMPLE, export, spread

import mttr_lab as mttr
from mttr_lab.schema import MILESTONES
from mttr_lab.synth import synth_incidents, write_export


def read_hand(fixtures):
    return mttr.read_export(fixtures / "generic" / "hand_made.csv", columns=HAND, tz="UTC")


def test_findings_name_incident_column_problem_action(fixtures):
    findings = mttr.check_incidents(read_hand(fixtures))
    assert list(findings.columns) == ["incident_id", "record", "column", "problem", "action", "level"]
    order = findings[findings["column"] == "acknowledged_at"]
    assert order["incident_id"].tolist() == ["103"]
    assert "is before detected_at" in order["problem"].iloc[0]
    assert order["level"].iloc[0] == "error"
    no_start = findings[findings["incident_id"] == "105"]
    assert no_start["problem"].tolist() == ["no start time (neither started_at nor detected_at)"]
    assert no_start["action"].tolist() == ["excluded from analysis"]
    opened = findings[findings["problem"].str.startswith("open incident")]
    assert opened["incident_id"].tolist() == ["104"]


def test_counts_reconcile(fixtures):
    incidents = read_hand(fixtures)
    findings = mttr.check_incidents(incidents)
    durations = mttr.phase_durations(incidents)
    excluded = findings.loc[findings["action"] == "excluded from analysis", "record"].nunique()
    assert len(incidents) == len(durations) + excluded
    overview = mttr.export_overview(incidents, durations)["value"]
    assert overview["records read"] == "5"
    assert overview["analysed"] == "4"
    assert overview["excluded"] == "1"
    assert overview["open"] == "1"


def test_duplicates_in_a_hand_built_frame_are_found(fixtures):
    incidents = read_hand(fixtures)
    doubled = pd.concat([incidents, incidents.iloc[[0]]], ignore_index=True).drop(columns="exclude_reason")
    findings = mttr.check_incidents(doubled)
    dup = findings[findings["problem"].str.startswith("duplicate id")]
    assert dup["incident_id"].tolist() == ["101"]
    assert len(mttr.phase_durations(doubled)) == 4


def test_future_unknown_severity_and_long_durations(fixtures, tmp_path):
    export = tmp_path / "odd.csv"
    export.write_text(
        "incident_id,detected_at,resolved_at,severity\n"
        "a,2024-01-01T00:00:00Z,2024-01-20T00:00:00Z,Sev-Whatever\n"
        "b,2024-01-02T00:00:00Z,,\n"
        "c,2024-03-01T00:00:00Z,2024-03-01T01:00:00Z,low\n"
    )
    incidents = mttr.read_export(export)
    findings = mttr.check_incidents(incidents, as_of="2024-02-01T00:00:00Z", max_duration="7D")
    problems = dict(
        zip(findings["incident_id"] + ":" + findings["column"], findings["problem"], strict=False)
    )
    assert "not recognised" in problems["a:severity"]
    assert (
        "resolved 19 d after it started (more than 7 d)"
        in findings.loc[findings["incident_id"] == "a", "problem"].str.cat()
    )
    assert not findings["problem"].str.contains(r"days \d\d:\d\d").any()  # no Timedelta repr
    assert (
        "open for"
        in findings.loc[(findings["incident_id"] == "b") & (findings["level"] == "warning"), "problem"].iloc[
            0
        ]
    )
    assert "after the review date" in problems["c:detected_at"]


def test_a_clean_export_has_only_informational_findings(fixtures):
    cols = {"incident_id": "Ticket", "detected_at": "Opened", "resolved_at": "Closed", "severity": "Priority"}
    findings = mttr.check_incidents(mttr.read_export(fixtures / "generic" / "three.csv", columns=cols))
    assert findings.empty
    assert mttr.findings_overview(findings).empty


def test_reader_notes_become_findings(fixtures):
    incidents = read_hand(fixtures).assign(note=[None, "offsets look like seconds", None, None, None])
    findings = mttr.check_incidents(incidents)
    noted = findings[findings["column"] == "note"]
    assert noted["incident_id"].tolist() == ["102"]
    assert noted["problem"].tolist() == ["offsets look like seconds"]


def test_naive_as_of_and_empty_frames(fixtures):
    import pytest

    incidents = read_hand(fixtures)
    with pytest.raises(ValueError, match="no timezone"):
        mttr.check_incidents(incidents, as_of="2024-05-06 16:00")
    assert mttr.check_incidents(incidents.iloc[:0]).empty


def test_an_unknown_timezone_is_refused_in_read_exports_words(fixtures):
    incidents = read_hand(fixtures)
    durations = mttr.phase_durations(incidents)
    expected = "expected an IANA name such as 'Europe/Berlin' or 'UTC'"
    with pytest.raises(mttr.InputError) as err:
        mttr.check_incidents(incidents, tz="Berlin")
    assert str(err.value) == f"check_incidents: unknown timezone tz='Berlin'; {expected}"
    with pytest.raises(mttr.InputError) as err:
        mttr.export_overview(incidents, durations, tz="Berlin")
    assert str(err.value) == f"export_overview: unknown timezone tz='Berlin'; {expected}"
    with pytest.raises(mttr.InputError) as read:  # the reader's own words for the same mistake
        mttr.read_export(fixtures / "generic" / "hand_made.csv", columns=HAND, tz="Berlin")
    assert f"unknown timezone 'Berlin'; {expected}" in str(read.value)
    with pytest.raises(mttr.InputError, match="check_incidents: unknown timezone tz=None"):
        mttr.check_incidents(incidents.iloc[:0], tz=None)
    assert mttr.export_overview(incidents, durations, tz="Europe/Berlin")["value"]["records read"] == "5"


def test_max_duration_must_be_a_duration(fixtures):
    incidents = read_hand(fixtures)
    with pytest.raises(mttr.InputError) as err:
        mttr.check_incidents(incidents, max_duration="seven days")
    assert str(err.value) == (
        "check_incidents: max_duration is not a positive duration; found 'seven days'; "
        'expected a positive duration such as "7D", "12h" or pd.Timedelta(days=7)'
    )
    for bad in (7, "0h", "-1D", None):  # 7 would be 7 nanoseconds
        with pytest.raises(mttr.InputError, match="max_duration is not a positive duration"):
            mttr.check_incidents(incidents, max_duration=bad)
    findings = mttr.check_incidents(incidents, max_duration=pd.Timedelta(days=7))
    pd.testing.assert_frame_equal(findings, mttr.check_incidents(incidents, max_duration="7D"))


def test_findings_of_several_files_name_the_file(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "page1.csv").write_text("incident_id,detected_at\nA,2025-01-01T10:00:00Z\nB,\n")
    (folder / "page2.csv").write_text("incident_id,detected_at\nC,\nA,2025-01-02T10:00:00Z\n")
    findings = mttr.check_incidents(mttr.read_export(folder))
    assert list(findings.columns[:3]) == ["incident_id", "file", "record"]
    no_start = findings[findings["problem"].str.startswith("no start time")]
    assert no_start[["file", "record"]].values.tolist() == [["page1.csv", 2], ["page2.csv", 1]]
    superseded = findings[findings["problem"].str.contains("duplicate id")]
    assert superseded[["incident_id", "file", "record"]].values.tolist() == [["A", "page1.csv", 1]]
    single = mttr.check_incidents(mttr.read_export(folder / "page1.csv"))
    assert "file" not in single.columns


def test_overview_names_vendor_timezone_and_the_review_date():
    incidents = mttr.read_export(SAMPLE)
    durations = mttr.phase_durations(incidents)
    overview = mttr.export_overview(incidents, durations, tz="Europe/Berlin")["value"]
    assert overview["sources"] == "FireHydrant"
    first = durations["clock_start"].min().tz_convert("Europe/Berlin")
    assert overview["first incident"] == f"{first:%Y-%m-%d %H:%M} Europe/Berlin"
    times = incidents[[c for c in MILESTONES if c in incidents]]
    latest = times.max().max().tz_convert("Europe/Berlin")  # no open incident's time passes it
    assert overview["review date"] == f"{latest:%Y-%m-%d %H:%M} Europe/Berlin"
    text = mttr.overview_text(mttr.export_overview(incidents, durations, tz="Europe/Berlin"))
    assert f"at the review date, {overview['review date']}, {overview['open']} of them are still open" in text
    assert "UTC" not in text
    earlier = mttr.export_overview(incidents, durations, as_of="2026-10-01T00:00:00Z")["value"]
    assert earlier["review date"] == "2026-10-01 00:00 UTC"


def test_overview_says_none_is_open_and_names_generic_files(fixtures):
    incidents = read_hand(fixtures)
    closed = incidents[incidents["resolved_at"].notna()]
    text = mttr.overview_text(mttr.export_overview(closed, mttr.phase_durations(closed)))
    assert "none is open" in text and "a CSV file" in text


def test_an_incident_resolved_as_it_started_is_a_warning(tmp_path):
    """A retroactive record (0 s from start to resolution) is kept but said, since it pulls medians down."""
    durations = export(tmp_path, spread("2025-01-06", 10, 4), [0, 30, 0, 45])
    incidents = mttr.read_export(tmp_path / "incidents.csv")
    findings = mttr.check_incidents(incidents)
    instant = findings[findings["problem"].str.contains("resolved at the moment it started")]
    assert sorted(instant["incident_id"]) == ["i0", "i2"] and (instant["level"] == "warning").all()
    assert (
        durations.loc[durations["incident_id"].isin(["i0", "i2"]), "time_to_recover"] == pd.Timedelta(0)
    ).all()


def test_a_status_page_post_after_the_end_is_a_retroactive_post_not_an_error(fixtures):
    """Status pages often announce an incident after it ended; a vendor tool's record cannot be."""
    for folder, level in (
        ("gcp_status/incidents.json", "warning"),
        ("firehydrant/incidents_page.json", "error"),
    ):
        incidents = mttr.read_export(fixtures / folder)
        first = incidents.index[0]
        incidents.loc[first, "resolved_at"] = incidents.loc[first, "detected_at"] - pd.Timedelta(minutes=3)
        incidents.loc[first, "recovered_at"] = pd.NaT
        findings = mttr.check_incidents(incidents)
        row = findings[
            (findings["incident_id"] == incidents.loc[first, "incident_id"])
            & (findings["column"] == "resolved_at")
        ]
        assert row["level"].tolist() == [level], folder
        assert row["problem"].str.contains("posted it after it ended").all() == (level == "warning")
    # an impact that ended (a post-mortem's window) before the first "investigating" post
    incidents = mttr.read_export(fixtures / "gcp_status/incidents.json")
    first = incidents.index[0]
    incidents.loc[first, "acknowledged_at"] = incidents.loc[first, "detected_at"] + pd.Timedelta(minutes=30)
    incidents.loc[first, "recovered_at"] = incidents.loc[first, "detected_at"] + pd.Timedelta(minutes=10)
    findings = mttr.check_incidents(incidents)
    row = findings[
        (findings["incident_id"] == incidents.loc[first, "incident_id"])
        & (findings["column"] == "recovered_at")
    ]
    assert (
        row["level"].tolist() == ["warning"]
        and row["problem"].str.contains("is before acknowledged_at").all()
    )


def test_times_in_findings_are_written_in_the_teams_timezone(fixtures):
    incidents = mttr.read_export(SAMPLE)
    utc = mttr.check_incidents(incidents)
    berlin = mttr.check_incidents(incidents, tz="Europe/Berlin")
    order = utc["problem"].str.contains("is before")
    assert order.any() and utc.loc[order, "problem"].str.contains(r"\d\d:\d\d:\d\d UTC\)").all()
    assert berlin.loc[order, "problem"].str.contains(r"\d\d:\d\d:\d\d CES?T\)").all()  # CET or CEST
    assert berlin["action"].str.contains(r"\d\d:\d\d CES?T\)").any()  # the review date of open incidents
    assert len(utc) == len(berlin) and (utc["level"] == berlin["level"]).all()


def test_a_time_in_the_hour_clocks_go_back_names_its_offset():
    """02:40 CEST is before 02:10 CET: without the zone's abbreviation the message would read backwards."""
    frame = pd.DataFrame(
        {
            "incident_id": ["a"],
            "detected_at": [pd.Timestamp("2022-10-30T01:10Z")],
            "resolved_at": [pd.Timestamp("2022-10-30T00:40Z")],
        }
    )
    findings = mttr.check_incidents(mttr.from_frame(frame), tz="Europe/Berlin")
    problem = findings.loc[findings["column"] == "resolved_at", "problem"].iloc[0]
    assert problem == "resolved_at (2022-10-30 02:40:00 CEST) is before detected_at (2022-10-30 02:10:00 CET)"


def test_an_id_with_a_control_character_is_kept_and_said(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_bytes(
        b"incident_id,detected_at,resolved_at\n"
        b"A\x01B,2025-01-01T00:00:00Z,2025-01-01T01:00:00Z\n"
        b"C\x00D,2025-01-01T00:00:00Z,2025-01-01T01:00:00Z\n"
        b"E,2025-01-01T00:00:00Z,2025-01-01T01:00:00Z\n"
    )
    incidents = mttr.read_export(path)
    assert incidents["incident_id"].tolist() == ["A\x01B", "C\x00D", "E"]  # kept as written
    findings = mttr.check_incidents(incidents)
    said = findings[findings["problem"].str.startswith("incident id holds a control character")]
    assert said["problem"].tolist() == [
        "incident id holds a control character (A\\x01B)",
        "incident id holds a control character (C\\x00D)",
    ]
    assert (said["level"] == "warning").all()


@pytest.mark.parametrize(("after", "said"), [("0ns", False), ("500ns", True), ("1us", True)])
def test_open_longer_than_the_limit_by_less_than_the_frames_unit_is_said(tmp_path, after, said):
    # The frame holds microseconds; as_of may be finer: open for 7 days and 500 ns is more than 7 days.
    (tmp_path / "open.csv").write_text(
        "incident_id,detected_at,resolved_at\nI1,2025-01-01T00:00:00Z,\nI2,2025-01-01T00:00:00Z,2025-01-01T01:00:00Z\n"
    )
    incidents = mttr.read_export(tmp_path / "open.csv")
    as_of = pd.Timestamp("2025-01-08", tz="UTC") + pd.Timedelta(after)
    findings = mttr.check_incidents(incidents, as_of=as_of, max_duration="7D")
    assert findings["problem"].str.startswith("open for").any() == said


def test_halves_side_by_side_give_the_findings_of_one_piece(tmp_path, request):
    # every defect of real exports, and milestones out of order all through the rows
    export = tmp_path / "incidents.csv"
    write_export(synth_incidents(incidents=2_001, seed=3), export, shape="csv")
    incidents = mttr.read_export(export, source="csv")
    every_seventh = incidents.index[::7]
    incidents.loc[every_seventh, "recovered_at"] = incidents.loc[every_seventh, "detected_at"] - pd.Timedelta(
        minutes=5
    )
    whole = mttr.check_incidents(incidents)
    request.getfixturevalue("split_from_two")
    pd.testing.assert_frame_equal(mttr.check_incidents(incidents), whole)
    late = whole.loc[whole["problem"].str.contains("recovered_at .* is before", regex=True), "record"]
    assert late.min() < len(incidents) // 4 and late.max() > 3 * len(incidents) // 4


def test_a_duration_just_over_the_limit_never_reads_as_the_limit(tmp_path):
    starts = [pd.Timestamp("2025-01-01T00:00Z"), pd.Timestamp("2025-01-02T00:00Z")]
    export(tmp_path, starts, [7.04 * 1440, 30 * 1440])  # written as incidents.csv
    incidents = mttr.read_export(tmp_path / "incidents.csv")
    problems = mttr.check_incidents(incidents).query("column == 'resolved_at'")["problem"].tolist()
    assert problems == [
        "resolved 7.04 d after it started (more than 7 d)",
        "resolved 30 d after it started (more than 7 d)",
    ]


def test_an_export_chosen_by_resolution_date_is_said_once(tmp_path):
    # incidents beginning over two years, lognormal durations (median 10 h, some of months); the
    # export keeps those resolved in its last month, as an extract by resolution date does
    rng = np.random.default_rng(11)
    starts = pd.Timestamp("2024-01-01T00:00Z") + pd.to_timedelta(rng.uniform(0, 730, 20_000), unit="D")
    minutes = np.minimum(np.exp(rng.normal(np.log(600), 3.0, starts.size)), 400 * 1440)
    ends = starts + pd.to_timedelta(minutes, unit="min")
    kept = (ends >= pd.Timestamp("2025-12-01T00:00Z")) & (ends < pd.Timestamp("2026-01-01T00:00Z"))
    export(tmp_path, starts[kept], minutes[kept], name="cut.csv")
    findings = mttr.check_incidents(mttr.read_export(tmp_path / "cut.csv"))
    chosen = findings[findings["problem"].str.contains("chosen by when incidents were resolved")]
    assert len(chosen) == 1 and chosen["level"].tolist() == ["warning"]
    assert chosen["problem"].iloc[0].startswith("no incident was resolved before 2025-12-01, yet ")
    assert (
        chosen["action"].iloc[0]
        == "kept; periods before 2025-12-01 look slower than they were: compare periods after it"
    )
    first = mttr.resolved_from(mttr.read_export(tmp_path / "cut.csv"))
    assert first.strftime("%Y-%m-%d") == "2025-12-01" and first >= pd.Timestamp("2025-12-01T00:00Z")
    # the same incidents, every one kept whenever it was resolved: nothing to say
    export(tmp_path, starts, minutes, name="whole.csv")
    whole = mttr.read_export(tmp_path / "whole.csv")
    assert not mttr.check_incidents(whole)["problem"].str.contains("chosen by when").any()
    assert mttr.resolved_from(whole) is None
