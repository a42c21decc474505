"""read_timeline: the events inside each export, and clear errors for unusable events."""

from __future__ import annotations

import csv
import gzip
import itertools
import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import HANDMADE

import mttr_lab as mttr
from mttr_lab.timeline import TIMELINE_COLUMNS


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_generic_log_with_columns(fixtures):
    tl = mttr.read_timeline(fixtures / "timeline" / "handmade.csv", source="csv", columns=HANDMADE)
    assert list(tl.columns) == list(TIMELINE_COLUMNS)
    assert len(tl) == 13
    assert str(tl["at"].dtype) == "datetime64[us, UTC]"
    assert tl["level"].dtype == "Int64"
    assert list(tl.loc[tl["incident_id"] == "A-1", "group"]) == [
        "ops",
        "ops",
        "ops",
        "db",
        "net",
        "db",
        "db",
        "db",
    ]
    assert tl["record"].tolist() == list(range(1, 14))


def test_volvo_like_preset(fixtures):
    tl = mttr.read_timeline(fixtures / "eventlog" / "volvo_like.csv")
    assert set(tl["kind"].astype(str)) <= set(mttr.timeline.KINDS)
    first = tl[tl["incident_id"] == "1-100"]
    assert first["at"].is_monotonic_increasing
    assert first["group"].iloc[0] == "N1"
    assert first["level"].iloc[0] == 1
    assert first["kind"].iloc[0] == "assign"  # Queued/Awaiting Assignment


def test_volvo_l2_l3_is_unknown_with_a_note(tmp_path, fixtures):
    text = (fixtures / "eventlog" / "volvo_like.csv").read_text(encoding="utf-8-sig").splitlines()
    header, row = text[0], text[1].replace(",L1,", ",L2/L3,")
    path = _write(tmp_path / "volvo.csv", "\n".join([header, row, *text[2:]]) + "\n")
    tl = mttr.read_timeline(path)
    hit = tl[tl["record"] == 1].iloc[0]
    assert pd.isna(hit["level"])
    assert "L2/L3" in hit["note"]
    findings = mttr.check_timeline(tl)
    assert ((findings["record"] == 1) & (findings["column"] == "level")).any()


def test_pagerduty_log_entries(fixtures):
    tl = mttr.read_timeline(fixtures / "pagerduty" / "incidents_log_entries.json")
    one = tl[tl["incident_id"] == "Q1ABCD1"]
    assert one["kind"].astype(str).tolist()[:3] == ["trigger", "notify", "acknowledge"]
    assert one["detail"].iloc[0] == "api"  # the trigger channel
    assert one["group"].iloc[0] == "Payments on-call"
    assert (one["level"] == 1).all()


def test_pagerduty_escalate_entries_raise_the_level(tmp_path):
    entries = [
        {"type": "trigger_log_entry", "created_at": "2024-01-01T00:00:00Z", "incident": {"id": "P1"}},
        {"type": "escalate_log_entry", "created_at": "2024-01-01T00:05:00Z", "incident": {"id": "P1"}},
        {"type": "escalate_log_entry", "created_at": "2024-01-01T00:15:00Z", "incident": {"id": "P1"}},
        {"type": "acknowledge_log_entry", "created_at": "2024-01-01T00:16:00Z", "incident": {"id": "P1"}},
        {"type": "snooze_log_entry", "created_at": "2024-01-01T00:17:00Z", "incident": {"id": "P1"}},
    ]
    path = _write(
        tmp_path / "log.json", json.dumps({"log_entries": entries, "limit": 5, "offset": 0, "more": False})
    )
    tl = mttr.read_timeline(path, source="pagerduty")
    assert tl["level"].tolist() == [1, 2, 3, 3, 3]
    assert tl["kind"].iloc[-1] == "status"
    assert "snooze_log_entry" in tl["note"].iloc[-1]
    process = mttr.response_process(tl)
    assert process.loc[0, "escalations"] == 2
    assert process.loc[0, "first_ack_level"] == 3


def test_servicenow_event_log(fixtures):
    tl = mttr.read_timeline(fixtures / "servicenow" / "incident_event_log.csv", tz="UTC")
    assert tl.loc[0, "kind"] == "trigger"
    assert tl["group"].notna().all()
    incidents = mttr.read_export(
        fixtures / "servicenow" / "incident_event_log.csv", source="servicenow", tz="UTC"
    )
    assert set(tl["incident_id"]) == set(incidents["incident_id"])


def test_servicenow_needs_tz(fixtures):
    with pytest.raises(mttr.InputError, match="sys_updated_at"):
        mttr.read_timeline(fixtures / "servicenow" / "incident_event_log.csv")


def test_servicenow_table_export_has_no_timeline(fixtures):
    with pytest.raises(mttr.InputError, match="no timeline"):
        mttr.read_timeline(
            fixtures / "servicenow" / "incident_list_export.csv", source="servicenow", tz="UTC"
        )


def test_statuspage_updates(fixtures):
    tl = mttr.read_timeline(fixtures / "statuspage" / "incidents.json")
    assert {"acknowledge", "resolve"} <= set(tl["kind"].astype(str))
    assert tl.groupby("incident_id")["at"].apply(lambda s: s.is_monotonic_increasing).all()


def test_firehydrant_milestones(fixtures):
    tl = mttr.read_timeline(fixtures / "firehydrant" / "incidents_page.json")
    assert tl["kind"].iloc[0] == "trigger"
    assert "acknowledge" in set(tl["kind"].astype(str))


def test_source_without_timeline(fixtures):
    with pytest.raises(mttr.InputError, match="no event timeline"):
        mttr.read_timeline(fixtures / "opsgenie" / "alerts.json")


def test_event_without_incident_id(tmp_path):
    path = _write(
        tmp_path / "t.csv",
        "incident_id,at,kind\nX,2024-01-01T00:00:00Z,trigger\n,2024-01-01T00:01:00Z,note\n",
    )
    with pytest.raises(mttr.InputError) as err:
        mttr.read_timeline(path, source="csv")
    assert "row 2" in str(err.value) and "'incident_id'" in str(err.value) and "t.csv" in str(err.value)


def test_a_missing_column_is_named_with_the_columns_present(tmp_path):
    path = _write(tmp_path / "t.csv", "incident_id,at,what\nX,2024-01-01T00:00:00Z,trigger\n")
    with pytest.raises(mttr.InputError) as err:
        mttr.read_timeline(path, source="csv")
    assert str(err.value) == (
        f"{path}, column 'kind': no kind column for the timeline; "
        "expected a column 'kind' or columns={'kind': <one of: incident_id, at, what>}"
    )


def test_unparsable_time(tmp_path):
    path = _write(
        tmp_path / "t.csv", "incident_id,at,kind\nX,2024-01-01T00:00:00Z,trigger\nX,yesterday,note\n"
    )
    with pytest.raises(mttr.InputError) as err:
        mttr.read_timeline(path, source="csv")
    assert "row 2" in str(err.value) and "'at'" in str(err.value)


def test_level_not_a_number(tmp_path):
    path = _write(
        tmp_path / "t.csv",
        "incident_id,at,kind,level\nX,2024-01-01T00:00:00Z,trigger,1\nX,2024-01-01T00:01:00Z,note,high\n",
    )
    with pytest.raises(mttr.InputError) as err:
        mttr.read_timeline(path, source="csv")
    assert "row 2" in str(err.value) and "'level'" in str(err.value) and "'high'" in str(err.value)


def test_unknown_kind_and_kinds_mapping(tmp_path):
    path = _write(tmp_path / "t.csv", "incident_id,at,kind\nX,2024-01-01T00:00:00Z,paged\n")
    with pytest.raises(mttr.InputError, match=r"row 1.*'kind'.*'paged'"):
        mttr.read_timeline(path, source="csv")
    tl = mttr.read_timeline(path, source="csv", kinds={"Paged": "notify"})
    assert tl["kind"].tolist() == ["notify"]


def test_events_sorted_by_time_then_file_order(tmp_path):
    path = _write(
        tmp_path / "t.csv",
        "incident_id,at,kind,group\nX,2024-01-01T00:05:00Z,note,b\nX,2024-01-01T00:00:00Z,trigger,a\n"
        "X,2024-01-01T00:05:00Z,note,c\n",
    )
    tl = mttr.read_timeline(path, source="csv")
    assert tl["group"].tolist() == ["a", "b", "c"]
    assert tl["record"].tolist() == [2, 1, 3]


def test_several_files_get_a_file_column(tmp_path, fixtures):
    src = fixtures / "timeline" / "handmade.csv"
    a = _write(tmp_path / "a.csv", src.read_text())
    tl = mttr.read_timeline([src, a], source="csv", columns=HANDMADE)
    assert len(tl) == 26 and set(tl["file"]) == {"handmade.csv", "a.csv"}


def test_volvo_real_log_counts(real_data):
    """Per incident, against a plain-Python count over the CSV rows in file order."""
    path = real_data / "volvo_it_incidents_bpic2013.csv.gz"
    tl = mttr.read_timeline(path)
    process = mttr.response_process(tl).set_index("incident_id")
    sequences: dict[str, list[tuple[str, str]]] = {}
    with gzip.open(path, "rt", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            sequences.setdefault(row["SR Number"], []).append((row["Involved ST"], row["ST Level"]))
    assert len(process) == len(sequences) == 7554
    ping_pong = 0
    for incident, events in sequences.items():
        groups = [g for g, _ in events]
        runs = [g for i, g in enumerate(groups) if i == 0 or g != groups[i - 1]]
        levels = [int(lv[1:]) for _, lv in events if lv in ("L1", "L2", "L3")]
        rises = sum(1 for a, b in itertools.pairwise(levels) if b > a)
        bounced = len(set(runs)) < len(runs)
        ping_pong += bounced
        row = process.loc[incident]
        assert row["handovers"] == len(runs) - 1, incident
        assert row["escalations"] == rises, incident
        assert row["ping_pong"] == bounced, incident
        assert row["groups"] == len(set(groups)), incident
    assert process["ping_pong"].sum() == ping_pong
    assert 1200 <= ping_pong <= 1300  # the classic figure: about 1,250 of 7,554


def test_detection_channel_from_the_vendors_fields(fixtures, tmp_path):
    pagerduty = mttr.read_export(fixtures / "pagerduty" / "incidents_log_entries.json", source="auto")
    assert pagerduty.set_index("incident_id").loc["Q1ABCD1", "detection_channel"] == "api"
    opsgenie = mttr.read_export(fixtures / "opsgenie" / "alerts.json", source="auto")
    assert opsgenie["detection_channel"].iloc[0] == "Alertmanager"
    log = (fixtures / "servicenow" / "incident_event_log.csv").read_text().splitlines()
    with_contact = [log[0] + ",contact_type"] + [
        row + (",Phone" if i % 2 else ",Self service") for i, row in enumerate(log[1:])
    ]
    path = _write(tmp_path / "sn.csv", "\n".join(with_contact) + "\n")
    servicenow = mttr.read_export(path, source="servicenow", tz="UTC")
    assert set(servicenow["detection_channel"]) <= {"Phone", "Self service"}
    assert "contact_type" not in servicenow.columns
    durations = mttr.phase_durations(servicenow)
    assert durations["detection_channel"].notna().all()
    firehydrant = mttr.read_export(fixtures / "firehydrant" / "incidents_page.json", source="auto")
    assert firehydrant["detection_channel"].isna().all()


def test_incidentio_updates_and_firehydrant_timeline_lists(tmp_path):
    updates = [
        {
            "id": "u1",
            "incident_id": "INC-1",
            "created_at": "2024-02-01T10:00:00Z",
            "new_incident_status": {"category": "triage", "name": "Investigating"},
            "updater": {"user": {"name": "Ada"}},
        },
        {
            "id": "u2",
            "incident_id": "INC-1",
            "created_at": "2024-02-01T11:00:00Z",
            "new_incident_status": {"category": "closed", "name": "Closed"},
        },
    ]
    path = _write(tmp_path / "updates.json", json.dumps({"incident_updates": updates}))
    tl = mttr.read_timeline(path, source="incidentio")
    assert tl["kind"].astype(str).tolist() == ["status", "resolve"]
    assert tl["actor"].iloc[0] == "Ada"
    page = {
        "data": [
            {
                "id": "fh-1",
                "milestones": [{"type": "detected", "occurred_at": "2024-03-01T09:00:00Z"}],
                "timeline": [
                    {"type": "notify", "occurred_at": "2024-03-01T09:01:00Z", "team": "sre", "level": 1},
                    {"type": "escalate", "occurred_at": "2024-03-01T09:06:00Z", "team": "sre", "level": 2},
                    {
                        "type": "acknowledge",
                        "occurred_at": "2024-03-01T09:07:00Z",
                        "team": "sre",
                        "level": "L2",
                    },
                ],
            }
        ]
    }
    path = _write(tmp_path / "fh.json", json.dumps(page))
    tl = mttr.read_timeline(path, source="firehydrant")
    assert tl["kind"].astype(str).tolist() == ["trigger", "notify", "escalate", "acknowledge"]
    assert tl["level"].tolist()[1:] == [1, 2, 2]
    page["data"][0]["timeline"][1]["type"] = "paged"
    _write(tmp_path / "fh.json", json.dumps(page))
    with pytest.raises(mttr.InputError, match="timeline event 2 of record 1"):
        mttr.read_timeline(tmp_path / "fh.json", source="firehydrant")


def test_pagerduty_log_entry_without_incident(tmp_path):
    entries = [{"type": "trigger_log_entry", "created_at": "2024-01-01T00:00:00Z"}]
    path = _write(
        tmp_path / "log.json", json.dumps({"log_entries": entries, "limit": 1, "offset": 0, "more": False})
    )
    with pytest.raises(mttr.InputError, match=r"log entry 1.*incident\.id"):
        mttr.read_timeline(path, source="pagerduty")


def test_servicenow_handovers_never_exceed_the_exports_reassignment_count(real_data):
    """The log holds snapshots: a hand-over between two updates can be missed, never invented."""
    path = real_data / "servicenow_incident_event_log.csv.gz"
    process = mttr.response_process(mttr.read_timeline(path, tz="UTC")).set_index("incident_id")
    incidents = mttr.read_export(path, source="servicenow", tz="UTC").set_index("incident_id")
    reassigned = pd.to_numeric(incidents["reassignment_count"], errors="coerce").reindex(process.index)
    assert (process["handovers"] <= reassigned).all()
    assert (process["handovers"] == reassigned).mean() > 0.75


def test_an_option_the_source_does_not_take(fixtures):
    with pytest.raises(mttr.InputError, match=r"option cas= does not apply.*case="):
        mttr.read_timeline(fixtures / "eventlog" / "volvo_like.csv", cas="SR Number")
    with pytest.raises(mttr.InputError, match="shape="):
        mttr.read_timeline(fixtures / "firehydrant" / "incidents_page.json", shape="events")


def test_gcp_status_updates(fixtures):
    tl = mttr.read_timeline(fixtures / "gcp_status" / "incidents.json")
    assert "resolve" in set(tl["kind"].astype(str))
    assert tl.groupby("incident_id")["at"].apply(lambda s: s.is_monotonic_increasing).all()


@pytest.mark.parametrize(
    ("folder", "name"),
    [
        ("pagerduty", "incidents_ui.csv"),
        ("pagerduty", "incidents_page_list.json"),
        ("opsgenie", "alerts.json"),
        ("servicenow", "incident_list_export.csv"),
    ],
)
def test_an_export_without_a_timeline_says_so_with_its_own_error(fixtures, folder, name):
    from mttr_lab.timeline import NoTimelineError

    with pytest.raises(NoTimelineError, match="timeline") as err:
        mttr.read_timeline(fixtures / folder / name, tz="UTC")
    assert isinstance(err.value, mttr.InputError) and str(fixtures / folder / name) in str(err.value)


def test_a_broken_timeline_is_not_taken_for_a_missing_one(tmp_path):
    from mttr_lab.timeline import NoTimelineError

    log = tmp_path / "log.csv"
    log.write_text("incident_id,at,kind\nA,2026-01-01T10:00:00Z,trigger\nA,yesterday,resolve\n")
    with pytest.raises(mttr.InputError) as err:
        mttr.read_timeline(log)
    assert not isinstance(err.value, NoTimelineError)


def test_check_timeline_says_once_that_no_event_names_a_group():
    timeline = mttr.read_timeline(Path(__file__).parents[1] / "data" / "sample_firehydrant.json")
    findings = mttr.check_timeline(timeline)
    export_wide = findings[findings["incident_id"].isna()]
    assert export_wide["problem"].tolist() == [
        "no event names a group",
        "no event records an escalation level",
    ]
    assert export_wide["record"].isna().all() and (export_wide["level"] == "warning").all()
    assert "unknown (not 0)" in export_wide["action"].iloc[0]


def test_check_timeline_of_a_timeline_with_groups_has_no_export_wide_finding(fixtures):
    timeline = mttr.read_timeline(fixtures / "timeline" / "handmade.csv", source="csv", columns=HANDMADE)
    assert mttr.check_timeline(timeline)["incident_id"].notna().all()


def test_header_only_timeline_has_no_findings(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text("incident_id,at,kind,group\n")
    timeline = mttr.read_timeline(log)
    findings = mttr.check_timeline(timeline)
    assert findings.empty and list(findings.columns) == [
        "incident_id",
        "record",
        "column",
        "problem",
        "action",
        "level",
    ]


def test_columns_under_auto_read_the_generic_log(tmp_path):
    log = tmp_path / "tickets.csv"
    log.write_text(
        "ticket,time,event,team\n"
        "T1,2024-01-01T10:00:00Z,trigger,ops\n"
        "T1,2024-01-01T10:05:00Z,acknowledge,ops\n"
        "T1,2024-01-01T10:30:00Z,resolve,db\n"
    )
    columns = {"incident_id": "ticket", "at": "time", "kind": "event", "group": "team"}
    timeline = mttr.read_timeline(log, columns=columns)
    assert timeline["kind"].astype("str").tolist() == ["trigger", "acknowledge", "resolve"]
    assert timeline["group"].tolist() == ["ops", "ops", "db"]
    pd.testing.assert_frame_equal(timeline, mttr.read_timeline(log, source="csv", columns=columns))


def test_a_timeline_frame_with_a_stray_kind_category_is_refused(fixtures):
    timeline = mttr.read_timeline(fixtures / "timeline" / "handmade.csv", source="csv", columns=HANDMADE)
    edited = timeline.assign(kind=timeline["kind"].cat.add_categories(["ack"]))
    edited.loc[1, "kind"] = "ack"
    with pytest.raises(
        mttr.InputError, match=r"record \d+, column 'kind': an event's kind is not a timeline kind"
    ):
        mttr.check_timeline(edited)


def test_a_level_that_is_not_whole_is_the_one_named(tmp_path):
    # Levels read as decimals (one of them is 1.5): 0.0 and 2.0 are levels, 1.5 is the culprit.
    path = tmp_path / "levels.csv"
    path.write_text(
        "incident_id,at,kind,group,level\n"
        "I1,2026-01-01T00:00:00Z,trigger,a,0\n"
        "I1,2026-01-01T00:05:00Z,escalate,b,1.5\n"
        "I1,2026-01-01T00:09:00Z,resolve,b,2\n"
    )
    with pytest.raises(
        mttr.InputError, match=r"row 2, column 'level': a level is not a whole number; found '1.5'"
    ):
        mttr.read_timeline(path)
    path.write_text(path.read_text().replace("1.5", "1.0"))
    assert mttr.read_timeline(path)["level"].tolist() == [0, 1, 2]
