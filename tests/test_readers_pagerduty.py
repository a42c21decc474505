"""The PagerDuty reader: REST incidents with log entries, Analytics raw incidents, web UI CSV."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import mttr_lab as mttr
from mttr_lab.io import detect_source, read_export
from mttr_lab.readers import pagerduty
from mttr_lab.readers._files import sample_of
from mttr_lab.schema import INCIDENT_COLUMNS, InputError

ACK_TYPES = {"acknowledge_log_entry", "acknowledgement_log_entry"}


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_convert("UTC")


def by_id(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop_duplicates("incident_id", keep="last").set_index("incident_id")


@pytest.fixture
def pd_dir(fixtures: Path) -> Path:
    return fixtures / "pagerduty"


# ----------------------------------------------------------------------------- REST + log entries


def test_rest_page_with_embedded_log_entries(pd_dir: Path) -> None:
    path = pd_dir / "incidents_log_entries.json"
    raw = json.loads(path.read_text())["incidents"]
    df = read_export(path, source="pagerduty")
    assert list(df.columns[: len(INCIDENT_COLUMNS)]) == list(INCIDENT_COLUMNS)
    assert len(df) == len(raw) == 6
    assert (df["source"] == "pagerduty").all()
    assert str(df["detected_at"].dtype) == "datetime64[us, UTC]"

    # The first acknowledgement and the last resolution, computed here from the raw log entries.
    for inc in raw:
        entries = inc.get("log_entries") or []
        acks = [pd.Timestamp(e["created_at"]) for e in entries if e["type"] in ACK_TYPES]
        resolves = [pd.Timestamp(e["created_at"]) for e in entries if e["type"] == "resolve_log_entry"]
        row = df.set_index("incident_id").loc[inc["id"]]
        assert row["detected_at"] == pd.Timestamp(inc["created_at"])
        assert (row["acknowledged_at"] == min(acks)) if acks else pd.isna(row["acknowledged_at"])
        if inc["status"] != "resolved":
            assert pd.isna(row["resolved_at"])
        elif resolves:
            assert row["resolved_at"] == max(resolves)
        else:
            assert row["resolved_at"] == pd.Timestamp(inc["resolved_at"])

    rows = df.set_index("incident_id")
    # Re-acknowledged after an unacknowledge timeout: the first acknowledgement counts.
    assert rows.loc["Q1ABCD1", "acknowledged_at"] == ts("2024-03-04T09:15:40Z")
    assert rows.loc["Q1ABCD1", "resolved_at"] == ts("2024-03-04T10:03:11Z")
    # The spec's other spelling, and a -08:00 offset honoured.
    assert rows.loc["Q1ABCD2", "acknowledged_at"] == ts("2024-03-04T19:32:30Z")
    assert rows.loc["Q1ABCD2", "detected_at"] == ts("2024-03-04T19:20:00Z")
    # Open incidents: acknowledged (with an ack) and triggered.
    assert pd.isna(rows.loc["Q1ABCD4", "resolved_at"])
    assert rows.loc["Q1ABCD4", "acknowledged_at"] == ts("2024-03-04T14:02:00Z")
    assert pd.isna(rows.loc["Q1ABCD5", "acknowledged_at"]) and pd.isna(rows.loc["Q1ABCD5", "resolved_at"])
    # No log entries: resolved_at from the incident, no acknowledgement known.
    assert rows.loc["Q1ABCD6", "resolved_at"] == ts("2024-03-05T03:40:00Z")
    assert pd.isna(rows.loc["Q1ABCD6", "acknowledged_at"])
    assert rows.loc["Q1ABCD6", "log_entry_count"] == 0
    assert rows.loc["Q1ABCD1", "log_entry_count"] == 7


def test_rest_fields_severity_and_merge(pd_dir: Path) -> None:
    df = read_export(pd_dir / "incidents_log_entries.json", source="pagerduty").set_index("incident_id")
    assert df["severity"].astype("str").to_dict() == {
        "Q1ABCD1": "critical",
        "Q1ABCD2": "low",  # no priority: urgency low
        "Q1ABCD3": "medium",
        "Q1ABCD4": "high",
        "Q1ABCD5": "low",
        "Q1ABCD6": "low",
    }
    assert df.loc["Q1ABCD2", "severity_raw"] == "low"
    assert df.loc["Q1ABCD1", "severity_raw"] == "P1"
    assert df.loc["Q1ABCD1", "service"] == "Checkout API"
    assert df.loc["Q1ABCD1", "team"] == "Payments"  # the first of two teams
    assert pd.isna(df.loc["Q1ABCD2", "team"])
    assert df.loc["Q1ABCD1", "title"] == "Checkout API 5xx above 2%"
    assert df.loc["Q1ABCD1", "incident_number"] == 1201
    assert df.loc["Q1ABCD3", "exclude_reason"] == pagerduty.MERGED_REASON
    assert df.loc["Q1ABCD3", "merged_into"] == "Q1ABCD1"
    assert df["exclude_reason"].notna().sum() == 1
    assert df.loc["Q1ABCD4", "status"] == "acknowledged"


def test_jsonl_pages_with_top_level_log_entries(pd_dir: Path) -> None:
    path = pd_dir / "incidents_pages.jsonl"
    lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    n_incidents = sum(len(page.get("incidents", [])) for page in lines)
    df = read_export(path, source="pagerduty")
    assert len(df) == n_incidents == 4
    # PX2002B appears on both pages: the later update wins, the earlier row is kept but excluded.
    dup = df[df["incident_id"] == "PX2002B"]
    assert dup["exclude_reason"].notna().tolist() == [True, False]
    assert dup["exclude_reason"].iloc[0].startswith("duplicate id")
    live = df[df["exclude_reason"].isna()].set_index("incident_id")
    assert live.loc["PX2002B", "acknowledged_at"] == ts("2024-04-01T09:36:00Z")  # earliest of two acks
    assert live.loc["PX2002B", "resolved_at"] == ts("2024-04-01T11:30:00Z")
    assert live.loc["PX2001A", "acknowledged_at"] == ts("2024-04-01T08:04:00Z")
    assert pd.isna(live.loc["PX2003C", "acknowledged_at"]) and pd.isna(live.loc["PX2003C", "resolved_at"])
    assert "PXOTHER" not in set(df["incident_id"])  # a log entry of an incident not exported


def test_list_of_pages_and_separate_log_entries(pd_dir: Path) -> None:
    path = pd_dir / "incidents_page_list.json"
    without = read_export(path, source="pagerduty").set_index("incident_id")
    assert len(without) == 3
    assert without["acknowledged_at"].isna().all()
    assert without.loc["PL3001", "detected_at"] == ts("2024-06-10T12:00:00Z")  # +02:00 honoured
    assert without.loc["PL3002", "severity"] == "high"  # "SEV-2"
    assert without.loc["PL3003", "exclude_reason"] == "merged into another incident"

    withlog = read_export(path, source="pagerduty", log_entries=pd_dir / "log_entries.json").set_index(
        "incident_id"
    )
    assert withlog.loc["PL3001", "acknowledged_at"] == ts("2024-06-10T12:06:00Z")
    assert withlog.loc["PL3002", "acknowledged_at"] == ts("2024-06-11T07:12:00Z")
    assert withlog.loc["PL3001", "resolved_at"] == ts("2024-06-10T13:10:00Z")
    assert pd.isna(withlog.loc["PL3003", "acknowledged_at"])


def test_severity_map_overrides_defaults(pd_dir: Path) -> None:
    df = read_export(
        pd_dir / "incidents_page_list.json",
        source="pagerduty",
        severity_map={"SEV-2": "critical", "P1": "high"},
    ).set_index("incident_id")
    assert df.loc["PL3002", "severity"] == "critical"
    assert df.loc["PL3001", "severity"] == "high"


# ----------------------------------------------------------------------------- Analytics and CSV


def test_analytics_raw_json(pd_dir: Path) -> None:
    path = pd_dir / "analytics_raw.json"
    data = pd.DataFrame(json.loads(path.read_text())["data"])
    df = read_export(path, source="pagerduty")
    assert len(df) == len(data) == 6
    created = pd.to_datetime(data["created_at"], utc=True, format="ISO8601")
    expected_ack = created + pd.to_timedelta(data["seconds_to_first_ack"], unit="s")
    pd.testing.assert_series_equal(
        df["acknowledged_at"], expected_ack.astype("datetime64[us, UTC]"), check_names=False
    )
    rows = df.set_index("incident_id")
    # The seed example: detected 14:00, acknowledged 14:03, resolved 14:18.
    assert rows.loc["PA1001", "acknowledged_at"] - rows.loc["PA1001", "detected_at"] == pd.Timedelta(
        minutes=3
    )
    assert rows.loc["PA1001", "resolved_at"] - rows.loc["PA1001", "detected_at"] == pd.Timedelta(minutes=18)
    assert rows.loc["PA1002", "detected_at"] == ts("2024-05-06T20:30:00Z")
    # No resolved_at: created_at + seconds_to_resolve.
    assert rows.loc["PA1004", "resolved_at"] == ts("2024-05-07T11:00:00Z")
    assert pd.isna(rows.loc["PA1005", "resolved_at"])  # triggered
    assert pd.isna(rows.loc["PA1003", "acknowledged_at"])
    assert rows["severity"].astype("str").tolist() == ["critical", "high", "medium", "low", "low", "low"]
    assert rows.loc["PA1004", "severity_raw"] == "low"  # no priority: urgency
    assert rows.loc["PA1001", "service"] == "Card Gateway"
    assert rows.loc["PA1004", "team"] == "Risk"
    assert rows.loc["PA1001", "title"] == "Card authorisations failing"
    assert df["exclude_reason"].isna().all()  # auto-resolved kept by default
    assert {"major", "auto_resolved", "seconds_to_engage", "total_interruptions"} <= set(df.columns)


def test_exclude_auto_resolved(pd_dir: Path) -> None:
    for name in ("analytics_raw.json", "analytics_raw.csv", "incidents_ui.csv"):
        df = read_export(pd_dir / name, source="pagerduty", exclude_auto_resolved=True)
        auto = df["auto_resolved"].astype(bool)
        assert auto.sum() == 1, name
        assert (df.loc[auto, "exclude_reason"] == pagerduty.AUTO_RESOLVED_REASON).all()
        assert df.loc[~auto, "exclude_reason"].isna().all()


def test_analytics_csv(pd_dir: Path) -> None:
    path = pd_dir / "analytics_raw.csv"
    plain = pd.read_csv(path)
    df = read_export(path, source="pagerduty")
    assert len(df) == len(plain) == 5
    response = (df["acknowledged_at"] - df["detected_at"]).dt.total_seconds()
    pd.testing.assert_series_equal(
        response.reset_index(drop=True), plain["seconds_to_first_ack"].astype(float), check_names=False
    )
    rows = df.set_index("incident_id")
    assert rows.loc["PC5001", "title"] == "Kafka consumer lag, orders topic"
    assert rows.loc["PC5004", "title"] == 'ETL "daily_orders" late'
    assert rows.loc["PC5003", "severity"] == "low"  # empty priority_name: urgency low
    assert pd.isna(rows.loc["PC5005", "resolved_at"])
    assert rows.loc["PC5002", "team"] == "Data Platform"


def test_web_ui_csv(pd_dir: Path) -> None:
    path = pd_dir / "incidents_ui.csv"
    df = read_export(path, source="pagerduty")
    assert len(df) == 4
    rows = df.set_index("incident_id")
    assert rows.loc["PU6001", "detected_at"] == ts("2016-01-04T18:23:51Z")
    assert rows.loc["PU6001", "acknowledged_at"] == ts("2016-01-04T18:25:25Z")  # + 94 s
    assert rows.loc["PU6001", "resolved_at"] == ts("2016-01-04T18:51:02Z")
    assert pd.isna(rows.loc["PU6002", "acknowledged_at"])
    assert pd.isna(rows.loc["PU6004", "resolved_at"])
    assert rows.loc["PU6003", "title"] == 'New Relic: Apdex < 0.7 ("checkout")'
    assert rows.loc["PU6002", "service"] == "Database"
    assert rows["severity"].astype("str").tolist() == ["high", "low", "high", "high"]
    assert rows.loc["PU6003", "resolved_by_user_name"] == "Tom Berg"


def test_naive_csv_needs_tz(tmp_path: Path) -> None:
    path = tmp_path / "pd.csv"
    path.write_text(
        "id,incident_number,description,service_name,created_on,resolved_on,seconds_to_first_ack,urgency\n"
        "PN1,1,Queue backlog,Queue,2024-01-15 09:00:00,2024-01-15 09:30:00,120,high\n"
    )
    with pytest.raises(InputError, match="tz="):
        read_export(path, source="pagerduty")
    df = read_export(path, source="pagerduty", tz="Europe/Berlin")
    assert df.loc[0, "detected_at"] == ts("2024-01-15T08:00:00Z")
    assert df.loc[0, "acknowledged_at"] == ts("2024-01-15T08:02:00Z")


# ----------------------------------------------------------------------------- recognising


@pytest.mark.parametrize(
    "name",
    [
        "incidents_log_entries.json",
        "incidents_pages.jsonl",
        "incidents_page_list.json",
        "analytics_raw.json",
        "analytics_raw.csv",
        "incidents_ui.csv",
    ],
)
def test_auto_detects_pagerduty(pd_dir: Path, name: str) -> None:
    assert detect_source(pd_dir / name)[0] == "pagerduty"
    auto = read_export(pd_dir / name, source="auto")
    explicit = read_export(pd_dir / name, source="pagerduty")
    pd.testing.assert_frame_equal(auto, explicit)


def test_sniff_leaves_other_vendors_alone(fixtures: Path, tmp_path: Path) -> None:
    statuspage = tmp_path / "statuspage.json"
    statuspage.write_text(
        json.dumps(
            {
                "page": {"id": "x", "name": "Example", "time_zone": "Etc/UTC"},
                "incidents": [
                    {"id": "abc", "name": "Outage", "impact": "major", "created_at": "2024-01-01T00:00:00Z"}
                ],
            }
        )
    )
    assert pagerduty.sniff(sample_of(statuspage)) is None
    others = [p for p in fixtures.glob("*/*") if p.parent.name != "pagerduty" and p.is_file()]
    claimed = [p.name for p in others if pagerduty.sniff(sample_of(p))]
    assert claimed == []


def test_sniff_ignores_the_real_exports(real_data: Path) -> None:
    files = [p for p in real_data.iterdir() if p.is_file()]
    assert files
    assert [p.name for p in files if pagerduty.sniff(sample_of(p))] == []


# ----------------------------------------------------------------------------- bad input


def write_json(tmp_path: Path, doc: object, name: str = "pd.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def incident(**fields: object) -> dict:
    base = {
        "id": "PBAD1",
        "type": "incident",
        "incident_number": 9,
        "title": "t",
        "status": "resolved",
        "urgency": "high",
        "created_at": "2024-01-01T00:00:00Z",
        "resolved_at": "2024-01-01T01:00:00Z",
    }
    return {**base, **fields}


def test_bad_log_entry_timestamp_names_entry_and_field(tmp_path: Path) -> None:
    entry = {"type": "acknowledge_log_entry", "created_at": "yesterday", "incident": {"id": "PBAD1"}}
    path = write_json(
        tmp_path, {"incidents": [incident(log_entries=[entry])], "limit": 25, "offset": 0, "more": False}
    )
    with pytest.raises(InputError) as err:
        read_export(path, source="pagerduty")
    message = str(err.value)
    assert (
        "log entry 1 of record 1" in message
        and "log_entries[].created_at" in message
        and "yesterday" in message
    )


def test_bad_created_at_names_record(tmp_path: Path) -> None:
    path = write_json(
        tmp_path, {"incidents": [incident(), incident(id="PBAD2", created_at="31/31/2024 99:00")]}
    )
    with pytest.raises(InputError, match=r"record 2 \(id PBAD2\).*'created_at'"):
        read_export(path, source="pagerduty")


def test_log_entry_without_incident(tmp_path: Path) -> None:
    doc = {
        "incidents": [incident()],
        "log_entries": [{"type": "resolve_log_entry", "created_at": "2024-01-01T01:00:00Z"}],
    }
    with pytest.raises(InputError, match=r"incident\.id"):
        read_export(write_json(tmp_path, doc), source="pagerduty")


def test_log_entries_alone_is_an_error(pd_dir: Path) -> None:
    with pytest.raises(InputError, match="log entries but no incidents"):
        read_export(pd_dir / "log_entries.json", source="pagerduty")
    assert detect_source(pd_dir / "log_entries.json")[0] == "pagerduty"


def test_log_entries_option_on_csv_is_an_error(pd_dir: Path) -> None:
    with pytest.raises(InputError, match="log_entries="):
        read_export(pd_dir / "incidents_ui.csv", source="pagerduty", log_entries=pd_dir / "log_entries.json")


def test_truncated_json(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text('{"incidents": [{"id": "P1", "incident_number": 1, "urgency": "high"')
    with pytest.raises(InputError, match="not valid JSON"):
        read_export(path, source="pagerduty")


def test_mixed_rest_and_analytics(tmp_path: Path) -> None:
    doc = [
        {"incidents": [incident()]},
        {"data": [{"id": "PA", "created_at": "2024-01-01T00:00:00Z", "seconds_to_resolve": 5}]},
    ]
    with pytest.raises(InputError, match="mixes"):
        read_export(write_json(tmp_path, doc), source="pagerduty")


def test_non_numeric_seconds(tmp_path: Path) -> None:
    path = tmp_path / "pd.csv"
    path.write_text(
        "id,created_at,resolved_at,seconds_to_first_ack,urgency\n"
        "P1,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,60,high\n"
        "P2,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,soon,high\n"
    )
    df = by_id(read_export(path, source="pagerduty"))  # the file is read, that value is not used
    assert pd.isna(df.loc["P2", "acknowledged_at"])
    assert df.loc["P1", "acknowledged_at"] == ts("2024-01-01T00:01:00Z")
    assert df.loc["P2", "note"] == (
        "seconds_to_first_ack 'soon' is not a duration in seconds (a non-negative number): not used"
    )


def test_csv_without_created_column(tmp_path: Path) -> None:
    path = tmp_path / "pd.csv"
    path.write_text("id,incident_number,urgency,seconds_to_resolve\nP1,1,high,60\n")
    with pytest.raises(InputError, match="created_at"):
        read_export(path, source="pagerduty")


def test_empty_page_gives_an_empty_frame(tmp_path: Path) -> None:
    path = write_json(tmp_path, {"incidents": [], "limit": 25, "offset": 0, "more": False})
    assert detect_source(path)[0] == "pagerduty"
    df = read_export(path, source="pagerduty")
    assert len(df) == 0
    assert list(df.columns[: len(INCIDENT_COLUMNS)]) == list(INCIDENT_COLUMNS)


# ----------------------------------------------------------------------------- resolved without a time


def test_rest_resolved_without_resolution_time(tmp_path: Path) -> None:
    incidents = [
        # The change to resolved bounds the resolution from above.
        incident(id="Q1", resolved_at=None, last_status_change_at="2024-01-01T02:00:00Z"),
        # No last_status_change_at: the last update bounds it.
        incident(id="Q2", resolved_at=None, updated_at="2024-01-01T03:00:00Z"),
        # Nothing bounds it: excluded, not counted as open.
        incident(id="Q3", resolved_at=None),
        # Ordinary open incidents stay open.
        incident(id="Q4", status="triggered", resolved_at=None, last_status_change_at="2024-01-01T00:00:00Z"),
        incident(id="Q5", status="acknowledged", resolved_at=None, updated_at="2024-01-01T00:30:00Z"),
        incident(id="Q6"),  # resolved with a resolved_at: no note
    ]
    path = write_json(tmp_path, {"incidents": incidents, "limit": 25, "offset": 0, "more": False})
    df = read_export(path, source="pagerduty")
    rows = df.set_index("incident_id")
    assert rows.loc["Q1", "resolved_at"] == ts("2024-01-01T02:00:00Z")
    assert "last_status_change_at" in rows.loc["Q1", "note"] and "upper bound" in rows.loc["Q1", "note"]
    assert rows.loc["Q2", "resolved_at"] == ts("2024-01-01T03:00:00Z")
    assert "updated_at" in rows.loc["Q2", "note"] and "upper bound" in rows.loc["Q2", "note"]
    assert pd.isna(rows.loc["Q1", "exclude_reason"]) and pd.isna(rows.loc["Q2", "exclude_reason"])
    assert rows.loc["Q3", "exclude_reason"] == pagerduty.NO_RESOLUTION_REASON
    assert "status says resolved" in rows.loc["Q3", "exclude_reason"]
    for open_id in ("Q4", "Q5"):
        assert pd.isna(rows.loc[open_id, "resolved_at"]) and pd.isna(rows.loc[open_id, "exclude_reason"])
    assert rows.loc["Q6", "resolved_at"] == ts("2024-01-01T01:00:00Z") and pd.isna(rows.loc["Q6", "note"])

    findings = mttr.check_incidents(df).set_index("incident_id")
    assert "last_status_change_at" in findings.loc["Q1", "problem"]
    assert findings.loc["Q3", "action"] == "excluded from analysis"
    durations = mttr.phase_durations(df).set_index("incident_id")
    assert not durations.loc[["Q1", "Q2", "Q6"], "is_open"].any()
    assert durations.loc[["Q4", "Q5"], "is_open"].all()
    assert "Q3" not in durations.index


def test_analytics_resolved_without_resolution_time(tmp_path: Path) -> None:
    base = {"urgency": "high", "created_at": "2024-01-01T00:00:00Z", "seconds_to_first_ack": 60}
    data = [
        {
            **base,
            "id": "PA1",
            "status": "resolved",
            "resolved_at": None,
            "seconds_to_resolve": None,
            "updated_at": "2024-01-01T05:00:00Z",
        },
        {
            **base,
            "id": "PA2",
            "status": "resolved",
            "resolved_at": None,
            "seconds_to_resolve": None,
            "updated_at": None,
        },
        {
            **base,
            "id": "PA3",
            "status": "acknowledged",
            "resolved_at": None,
            "seconds_to_resolve": None,
            "updated_at": "2024-01-01T00:10:00Z",
        },
        {
            **base,
            "id": "PA4",
            "status": "resolved",
            "resolved_at": None,
            "seconds_to_resolve": 600,
            "updated_at": "2024-01-01T05:00:00Z",
        },
    ]
    df = read_export(write_json(tmp_path, {"data": data, "more": False}), source="pagerduty")
    rows = df.set_index("incident_id")
    assert rows.loc["PA1", "resolved_at"] == ts("2024-01-01T05:00:00Z")
    assert "updated_at" in rows.loc["PA1", "note"] and "upper bound" in rows.loc["PA1", "note"]
    assert rows.loc["PA2", "exclude_reason"] == pagerduty.NO_RESOLUTION_REASON
    assert pd.isna(rows.loc["PA3", "resolved_at"]) and pd.isna(rows.loc["PA3", "exclude_reason"])
    assert rows.loc["PA4", "resolved_at"] == ts("2024-01-01T00:10:00Z") and pd.isna(rows.loc["PA4", "note"])


def test_a_blank_id_falls_back_to_incident_number_with_a_note(tmp_path: Path) -> None:
    rest = [incident(), {**incident(), "id": "", "incident_number": 77}, incident()]
    del rest[2]["id"]
    rest[2]["incident_number"] = 78
    df = read_export(write_json(tmp_path, {"incidents": rest}), source="pagerduty")
    assert df["incident_id"].tolist()[1:] == ["77", "78"]
    assert df["note"].tolist()[1:] == [
        f"no id: incident_number {n} used as the incident id" for n in (77, 78)
    ]
    assert df["exclude_reason"].isna().all()
    path = tmp_path / "pd.csv"
    path.write_text(
        "id,incident_number,created_at,resolved_at,urgency\n"
        "P1,1,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,high\n"
        ",2,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,high\n"
    )
    df = read_export(path, source="pagerduty")
    assert df["incident_id"].tolist() == ["P1", "2"]
    assert df.loc[1, "note"] == "no id: incident_number 2 used as the incident id"
    findings = mttr.check_incidents(df)
    assert findings.loc[findings["column"] == "note", "incident_id"].tolist() == ["2"]


def test_negative_seconds_blank_that_value_and_disagreeing_measures_are_warned(tmp_path: Path) -> None:
    path = tmp_path / "pd.csv"
    path.write_text(
        "id,created_at,resolved_at,seconds_to_first_ack,seconds_to_resolve,urgency\n"
        "P1,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,60,3630,high\n"  # 30 s apart: agree
        "P2,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,-5,1800,high\n"
        "P3,2024-01-01T00:00:00Z,,120,1800,high\n"
    )
    df = by_id(read_export(path, source="pagerduty"))
    assert pd.isna(df.loc["P2", "acknowledged_at"])
    assert df.loc["P3", "acknowledged_at"] == ts("2024-01-01T00:02:00Z")
    assert df.loc["P2", "resolved_at"] == ts("2024-01-01T01:00:00Z")  # the recorded time is used
    assert df.loc["P3", "resolved_at"] == ts("2024-01-01T00:30:00Z")  # the only measure
    assert pd.isna(df.loc["P1", "note"]) and pd.isna(df.loc["P3", "note"])
    assert df.loc["P2", "note"] == (
        "seconds_to_first_ack -5 is not a duration in seconds (a non-negative number): not used; "
        "resolved_at − created_at is 60.0 min but seconds_to_resolve says 30.0 min "
        "(more than a minute apart): resolved_at used"
    )
    findings = mttr.check_incidents(df.reset_index())
    assert findings.loc[findings["column"] == "note", "level"].tolist() == ["warning"]


def test_nested_objects_become_their_names_in_every_shape(tmp_path: Path) -> None:
    service = {"id": "PSVC1", "type": "service_reference", "summary": "Checkout"}
    team = {"id": "PT1", "type": "team_reference", "summary": "Payments"}
    priority = {"id": "PP1", "type": "priority", "name": "P1"}
    rest = [{**incident(), "service": service, "teams": [team], "priority": priority}]
    flat = [
        {
            "id": "PA1",
            "created_at": "2024-01-01T00:00:00Z",
            "seconds_to_resolve": 60,
            "service": service,
            "teams": [team],
            "priority": priority,
            "escalation_policy": {"id": "PE1", "summary": "Default"},
        }
    ]
    for doc in ({"incidents": rest}, {"data": flat}):
        df = read_export(write_json(tmp_path, doc), source="pagerduty")
        row = df.iloc[0]
        assert (row["service"], row["team"], row["severity_raw"]) == ("Checkout", "Payments", "P1")
        assert row["severity"] == "critical"
        for column in df.columns:
            assert not df[column].astype("str").str.contains("{'", regex=False).any(), column
