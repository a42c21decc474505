"""The Opsgenie reader: alerts (report offsets, their unit) and incidents (impact window)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd
import pytest

import mttr_lab as mttr
from mttr_lab.io import detect_source, read_export
from mttr_lab.readers import opsgenie
from mttr_lab.readers._files import sample_of
from mttr_lab.schema import INCIDENT_COLUMNS, InputError


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_convert("UTC")


@pytest.fixture
def og_dir(fixtures: Path) -> Path:
    return fixtures / "opsgenie"


def test_alerts_in_milliseconds(og_dir: Path) -> None:
    path = og_dir / "alerts.json"
    data = json.loads(path.read_text())["data"]
    df = read_export(path, source="opsgenie")
    assert list(df.columns[: len(INCIDENT_COLUMNS)]) == list(INCIDENT_COLUMNS)
    assert len(df) == len(data) == 5
    assert (df["source"] == "opsgenie").all()
    assert (df["record_type"] == "alert").all()

    # Milestones computed here from the raw records: createdAt + offset in ms, closed alerts only.
    for rec, (_, row) in zip(data, df.iterrows(), strict=True):
        created = pd.Timestamp(rec["createdAt"])
        ack = rec["report"].get("ackTime")
        close = rec["report"].get("closeTime")
        assert row["detected_at"] == created
        if ack:
            assert row["acknowledged_at"] == created + pd.Timedelta(milliseconds=ack)
        else:
            assert pd.isna(row["acknowledged_at"])
        if rec["status"] == "closed" and close is not None:
            assert row["resolved_at"] == created + pd.Timedelta(milliseconds=close)
        else:
            assert pd.isna(row["resolved_at"])

    rows = df.set_index("tinyId")
    assert rows.loc["10412", "acknowledged_at"] == ts("2024-02-12T08:03:00Z")
    assert rows.loc["10412", "resolved_at"] == ts("2024-02-12T08:18:00Z")
    assert rows.loc["10415", "resolved_at"] == ts("2024-02-13T05:35:23.5Z")
    assert rows["severity"].astype("str").tolist() == ["critical", "medium", "low", "high", "low"]
    assert rows["severity_raw"].tolist() == ["P1", "P3", "P5", "P2", "P4"]
    assert rows.loc["10412", "service"] == "checkout-api"  # entity
    assert rows.loc["10413", "service"] == "search"  # service: tag
    assert pd.isna(rows.loc["10414", "service"])
    assert rows.loc["10412", "team"] == "Payments"  # responder team name
    assert rows.loc["10413", "team"] == "77a0e2c1-9d3b-4f51-8a62-2b4c6d8e0f13"  # only its id exported
    assert rows.loc["10412", "title"] == "Checkout API 5xx rate above 2% for 5m"
    assert rows.loc["10412", "integration"] == "Alertmanager prod"
    assert rows.loc["10412", "count"] == 14
    # Closed at 05:35:23, last updated a day later: the two measures disagree, and it is said.
    assert rows["note"].notna().tolist() == [False, False, False, True, False]
    assert "more than a minute apart" in rows.loc["10415", "note"]
    assert df["exclude_reason"].isna().all()


def test_milliseconds_read_as_seconds_are_noted(og_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="mttr_lab"):
        df = read_export(og_dir / "alerts.json", source="opsgenie", offset_unit="s")
    flagged = df.set_index("tinyId")["note"].dropna()
    # Every alert with an offset is impossible in seconds: the ack or close lands after updatedAt.
    assert sorted(flagged.index) == ["10412", "10413", "10414", "10415"]
    assert flagged.str.contains("after updatedAt").all()
    assert flagged.str.contains("offset_unit").all()
    assert "carry a note" in caplog.text


def test_seconds_read_as_milliseconds_are_noted(og_dir: Path) -> None:
    path = og_dir / "alerts_seconds.jsonl"
    records = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    df = read_export(path, source="opsgenie")
    assert len(df) == len(records) == 3
    notes = df["note"]
    closed = [r["status"] == "closed" for r in records]
    assert notes.notna().tolist() == closed
    assert notes.dropna().str.contains("counted in s, not ms").all()

    fixed = read_export(path, source="opsgenie", offset_unit="s")
    assert fixed["note"].isna().all()
    rows = fixed.set_index("tinyId")
    assert rows.loc["2201", "acknowledged_at"] == ts("2024-02-20T10:04:00Z")
    assert rows.loc["2201", "resolved_at"] == ts("2024-02-20T10:30:00Z")
    assert rows.loc["2202", "service"] == "orders"
    assert pd.isna(rows.loc["2203", "resolved_at"])


def test_all_tiny_offsets_are_noted(og_dir: Path) -> None:
    df = read_export(og_dir / "alerts_tiny.json", source="opsgenie")
    assert len(df) == 3
    assert df["note"].str.contains("under 1 s").all()
    seconds = read_export(og_dir / "alerts_tiny.json", source="opsgenie", offset_unit="s")["note"]
    assert not seconds.str.contains("offset_unit").any()  # read in seconds, the unit fits
    # Closed after 15 minutes, updated two hours later: the measures disagree, and it is said.
    assert seconds.str.contains("more than a minute apart").all()


def test_incidents(og_dir: Path) -> None:
    path = og_dir / "incidents.json"
    data = json.loads(path.read_text())["data"]
    df = read_export(path, source="opsgenie")
    assert len(df) == len(data) == 3
    assert (df["record_type"] == "incident").all()
    assert df["acknowledged_at"].isna().all()
    rows = df.set_index("tinyId")
    assert rows.loc["87", "started_at"] == ts("2024-03-10T05:40:00Z")
    assert rows.loc["87", "detected_at"] == ts("2024-03-10T05:52:10.331Z")
    assert rows.loc["87", "resolved_at"] == ts("2024-03-10T07:05:00Z")
    assert pd.isna(rows.loc["87", "note"])
    # Closed without an impact end: updatedAt, said so.
    assert rows.loc["88", "resolved_at"] == ts("2024-03-11T10:00:00Z")
    assert "impactEndDate" in rows.loc["88", "note"]
    assert pd.isna(rows.loc["89", "resolved_at"])  # open
    assert rows.loc["87", "team"] == "4fbd2a5e-3c39-4a2c-9e0b-0c1d2e3f4a5b"  # ownerTeam
    assert rows.loc["87", "service"] == "c9a1e7d3-2b4f-4c6e-8a0d-1f3e5c7a9b11"  # impactedServices[0]
    assert rows["severity"].astype("str").tolist() == ["critical", "high", "medium"]


@pytest.mark.parametrize(
    "name", ["alerts.json", "alerts_seconds.jsonl", "alerts_tiny.json", "incidents.json"]
)
def test_auto_detects_opsgenie(og_dir: Path, name: str) -> None:
    assert detect_source(og_dir / name)[0] == "opsgenie"
    pd.testing.assert_frame_equal(
        read_export(og_dir / name, source="auto"), read_export(og_dir / name, source="opsgenie")
    )


def test_sniff_leaves_other_vendors_alone(fixtures: Path) -> None:
    others = [p for p in fixtures.glob("*/*") if p.parent.name != "opsgenie" and p.is_file()]
    assert others
    assert [p.name for p in others if opsgenie.sniff(sample_of(p))] == []


def test_sniff_ignores_the_real_exports(real_data: Path) -> None:
    files = [p for p in real_data.iterdir() if p.is_file()]
    assert [p.name for p in files if opsgenie.sniff(sample_of(p))] == []


def alert(**fields: object) -> dict:
    base = {
        "id": "og-1",
        "tinyId": "1",
        "message": "m",
        "status": "closed",
        "createdAt": "2024-01-01T00:00:00Z",
        "updatedAt": "2024-01-01T01:00:00Z",
        "priority": "P3",
        "report": {"ackTime": 60000, "closeTime": 3600000},
    }
    return {**base, **fields}


def test_unknown_offset_unit(og_dir: Path) -> None:
    with pytest.raises(InputError, match="offset_unit"):
        read_export(og_dir / "alerts.json", source="opsgenie", offset_unit="minutes")


@pytest.mark.parametrize("value", [-5, "fast"])
def test_a_bad_offset_blanks_that_value_with_a_finding(tmp_path: Path, value: object) -> None:
    path = tmp_path / "og.json"
    good = alert()
    bad = alert(id="og-2", report={"ackTime": value, "closeTime": 3600000})
    path.write_text(json.dumps({"data": [good, bad]}))
    df = read_export(path, source="opsgenie")  # the file is read, not refused
    assert len(df) == 2
    assert pd.isna(df.loc[1, "acknowledged_at"])
    assert df.loc[0, "acknowledged_at"] == ts(good["createdAt"]) + pd.Timedelta(
        milliseconds=good["report"]["ackTime"]
    )
    findings = mttr.check_incidents(df)
    hit = findings[findings["incident_id"] == "og-2"]
    assert len(hit) == 1
    assert (
        f"report.ackTime {value!r} is not an offset from createdAt in ms: not used" in hit["problem"].item()
    )


def test_bad_created_at(tmp_path: Path) -> None:
    path = tmp_path / "og.json"
    path.write_text(json.dumps([alert(createdAt="not a date")]))
    with pytest.raises(InputError, match=r"record 1 \(id og-1\).*'createdAt'.*not a date"):
        read_export(path, source="opsgenie")


def test_non_object_record(tmp_path: Path) -> None:
    path = tmp_path / "og.json"
    path.write_text(json.dumps({"data": [alert(), "oops"]}))
    with pytest.raises(InputError, match="record 2"):
        read_export(path, source="opsgenie")


def test_duplicate_alert_latest_update_wins(tmp_path: Path) -> None:
    path = tmp_path / "og.json"
    newer = alert(updatedAt="2024-01-01T02:00:00Z", report={"ackTime": 60000, "closeTime": 7200000})
    path.write_text(json.dumps([{"data": [newer]}, {"data": [alert()]}]))
    df = read_export(path, source="opsgenie")
    assert len(df) == 2
    live = df[df["exclude_reason"].isna()]
    assert len(live) == 1 and live["resolved_at"].iloc[0] == ts("2024-01-01T02:00:00Z")


def test_empty_page(tmp_path: Path) -> None:
    path = tmp_path / "og.json"
    path.write_text(json.dumps({"data": [], "took": 0.01, "requestId": "r"}))
    df = read_export(path, source="opsgenie")
    assert len(df) == 0
    assert list(df.columns[: len(INCIDENT_COLUMNS)]) == list(INCIDENT_COLUMNS)


#: The last page of an offset listing, in Opsgenie's response envelope, as fetch saves it.
EMPTY_PAGE = {
    "data": [],
    "paging": {"first": "https://api.opsgenie.com/v2/alerts?offset=0"},
    "took": 0.004,
    "requestId": "abc",
}


def test_an_empty_last_page_is_zero_opsgenie_records(og_dir: Path, tmp_path: Path) -> None:
    page = tmp_path / "opsgenie-00000.json"
    page.write_bytes((og_dir / "alerts.json").read_bytes())
    empty = tmp_path / "opsgenie-00100.json"
    empty.write_text(json.dumps(EMPTY_PAGE))
    assert detect_source(empty)[0] == "opsgenie"
    alerts = read_export(tmp_path)
    assert set(alerts["file"]) == {page.name}
    pd.testing.assert_frame_equal(alerts.drop(columns="file"), read_export(page))


def test_a_folder_of_empty_pages_only_is_an_empty_frame(tmp_path: Path) -> None:
    (tmp_path / "opsgenie-00000.json").write_text(json.dumps(EMPTY_PAGE))
    (tmp_path / "incidents-00000.json").write_text(json.dumps({**EMPTY_PAGE, "totalCount": 0}))
    alerts = read_export(tmp_path)
    assert len(alerts) == 0
    assert list(alerts.columns[: len(INCIDENT_COLUMNS)]) == list(INCIDENT_COLUMNS)


def test_a_bare_empty_data_page_is_not_guessed(og_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes((og_dir / "alerts.json").read_bytes())
    (tmp_path / "b.json").write_text('{"data": []}')
    assert opsgenie.sniff(sample_of(tmp_path / "b.json")) is None
    with pytest.raises(InputError, match=r"a\.json: opsgenie; b\.json: not recognised"):
        read_export(tmp_path)


def test_closed_without_close_time(tmp_path: Path) -> None:
    incident = {
        "id": "og-e",
        "tinyId": "e",
        "message": "m",
        "status": "resolved",
        "priority": "P2",
        "createdAt": "2024-01-01T00:00:00Z",
        "impactStartDate": "2024-01-01T00:00:00Z",
    }
    records = [
        # Closed, no report: updatedAt bounds the close from above.
        alert(id="og-a", tinyId="a", updatedAt="2024-01-01T02:00:00Z"),
        # Closed, a report without closeTime and no updatedAt: nothing bounds it.
        alert(id="og-b", tinyId="b", updatedAt=None, report={"ackTime": 60000}),
        # Open alerts stay open.
        alert(id="og-c", tinyId="c", status="open", report={"ackTime": 60000}),
        alert(id="og-d", tinyId="d", status="open"),
        # An incident resolved with neither impactEndDate nor updatedAt: excluded too.
        incident,
    ]
    for record in (records[0], records[3]):
        del record["report"]
    path = tmp_path / "og.json"
    path.write_text(json.dumps({"data": records}))
    df = mttr.read_export(path, source="opsgenie")
    rows = df.set_index("tinyId")
    assert rows.loc["a", "resolved_at"] == ts("2024-01-01T02:00:00Z")
    assert "updatedAt" in rows.loc["a", "note"] and "upper bound" in rows.loc["a", "note"]
    assert pd.isna(rows.loc["a", "exclude_reason"])
    assert rows.loc["b", "exclude_reason"] == "status says closed but the export holds no resolution time"
    assert rows.loc["e", "exclude_reason"] == "status says resolved but the export holds no resolution time"
    for open_id in ("c", "d"):
        assert pd.isna(rows.loc[open_id, "resolved_at"]) and pd.isna(rows.loc[open_id, "exclude_reason"])

    findings = mttr.check_incidents(df).set_index("incident_id")
    assert "updatedAt" in findings.loc["og-a", "problem"]
    durations = mttr.phase_durations(df).set_index("incident_id")
    assert not durations.loc["og-a", "is_open"] and durations.loc[["og-c", "og-d"], "is_open"].all()
    assert not {"og-b", "og-e"} & set(durations.index)


def test_a_blank_id_falls_back_to_tiny_id_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "og.json"
    records = [alert(), alert(id="", tinyId="77"), alert(tinyId="78")]
    del records[2]["id"]
    path.write_text(json.dumps({"data": records}))
    df = read_export(path, source="opsgenie")
    assert df["incident_id"].tolist() == ["og-1", "77", "78"]
    assert df["exclude_reason"].isna().all()
    assert df["note"].tolist()[1:] == [f"no id: tinyId {t} used as the incident id" for t in ("77", "78")]
    assert pd.isna(df.loc[0, "note"])


def test_close_and_updated_at_that_disagree_are_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "og.json"
    records = [
        alert(),  # closed after 60 min, updated at 60 min: they agree
        alert(id="og-2", updatedAt="2024-01-01T01:00:50Z"),  # 50 s apart: within a minute
        alert(id="og-3", updatedAt="2024-01-01T01:30:00Z"),  # 30 min apart
    ]
    path.write_text(json.dumps({"data": records}))
    df = read_export(path, source="opsgenie")
    assert df["resolved_at"].tolist() == [ts("2024-01-01T01:00:00Z")] * 3  # the close is used
    findings = mttr.check_incidents(df)
    assert findings.loc[findings["column"] == "note", "incident_id"].tolist() == ["og-3"]
    warning = findings.loc[findings["incident_id"] == "og-3"].iloc[0]
    assert warning["level"] == "warning"
    assert warning["problem"] == (
        "report.closeTime puts the close at 2024-01-01 01:00:00 UTC but updatedAt is 2024-01-01 "
        "01:30:00 UTC (more than a minute apart): the close from report.closeTime used"
    )


def test_nested_objects_become_their_names(tmp_path: Path) -> None:
    path = tmp_path / "og.json"
    record = alert(
        priority={"id": "p1", "name": "P1"},
        entity={"id": "e1"},
        tags=["service:payments"],
        ownerTeam={"id": "t1", "name": "Payments"},
    )
    path.write_text(json.dumps({"data": [record]}))
    df = read_export(path, source="opsgenie")
    assert df.loc[0, "severity_raw"] == "P1" and df.loc[0, "severity"] == "critical"
    assert df.loc[0, "service"] == "payments" and df.loc[0, "team"] == "Payments"
    for column in df.columns:
        assert not df[column].astype("str").str.contains("{'", regex=False).any(), column


def test_unacknowledged_alert_with_an_ack_time_and_open_incident_with_an_end_get_notes(
    og_dir: Path, tmp_path: Path
) -> None:
    path = tmp_path / "og.json"
    path.write_text(json.dumps({"data": [alert(acknowledged=False), alert(id="og-2", acknowledged=True)]}))
    df = read_export(path, source="opsgenie")
    assert df["acknowledged_at"].tolist() == [ts("2024-01-01T00:01:00Z")] * 2  # the ackTime is used
    assert df.loc[0, "note"] == (
        "acknowledged is false but report.ackTime is given: acknowledged_at taken from report.ackTime"
    )
    assert pd.isna(df.loc[1, "note"])
    incidents = json.loads((og_dir / "incidents.json").read_text())
    records = incidents["data"]
    opened = next(i for i, r in enumerate(records) if r["status"] == "resolved" and r.get("impactEndDate"))
    records[opened]["status"] = "open"
    path.write_text(json.dumps(incidents))
    df = read_export(path, source="opsgenie")
    assert pd.isna(df.loc[opened, "resolved_at"])  # the status wins: still open
    assert df.loc[opened, "note"] == (
        "status open but impactEndDate is given: kept open (the status wins), impactEndDate not used"
    )
