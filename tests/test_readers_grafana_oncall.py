"""The Grafana OnCall reader: alert groups, their states and pages."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import mttr_lab as mttr
from mttr_lab.io import detect_source, read_export
from mttr_lab.readers import grafana_oncall
from mttr_lab.readers._files import sample_of
from mttr_lab.schema import INCIDENT_COLUMNS, InputError


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text).tz_convert("UTC")


@pytest.fixture
def go_dir(fixtures: Path) -> Path:
    return fixtures / "grafana_oncall"


def test_single_page(go_dir: Path) -> None:
    path = go_dir / "alert_groups.json"
    results = json.loads(path.read_text())["results"]
    df = read_export(path, source="grafana_oncall")
    assert list(df.columns[: len(INCIDENT_COLUMNS)]) == list(INCIDENT_COLUMNS)
    assert len(df) == len(results) == 5
    assert (df["source"] == "grafana_oncall").all()
    assert df["severity"].isna().all() and df["severity_raw"].isna().all()
    assert df["exclude_reason"].isna().all()

    for rec, (_, row) in zip(results, df.iterrows(), strict=True):
        assert row["detected_at"] == pd.Timestamp(rec["created_at"])
        if rec["acknowledged_at"]:
            assert row["acknowledged_at"] == pd.Timestamp(rec["acknowledged_at"])
        else:
            assert pd.isna(row["acknowledged_at"])
        if rec["state"] == "resolved":
            assert row["resolved_at"] == pd.Timestamp(rec["resolved_at"])
        else:
            assert pd.isna(row["resolved_at"])

    rows = df.set_index("incident_id")
    assert rows.loc["IBQ8Y1N7XKJ3A", "detected_at"] == ts("2024-04-02T08:00:00.123456Z")  # microseconds kept
    assert rows.loc["IBQ8Y1N7XKJ3A", "title"] == "[FIRING:1] HighErrorRate checkout-api (prod)"
    # Acknowledged again after a resolution: open, whatever resolved_at still says.
    assert pd.isna(rows.loc["IP5N8R2S6V0XD", "resolved_at"])
    assert rows.loc["I7HJ2K9D4F1LM", "silenced_at"] == ts("2024-04-03T02:14:30Z")
    assert pd.isna(rows.loc["I7HJ2K9D4F1LM", "acknowledged_at"])  # silencing is not a response
    assert rows.loc["I7HJ2K9D4F1LM", "alerts_count"] == 12
    assert rows["service"].isna().all()  # no integration name in the API record
    assert rows.loc["IBQ8Y1N7XKJ3A", "integration_id"] == "CFRPV98RPR1U8"
    assert rows.loc["IBQ8Y1N7XKJ3A", "resolved_by"] == "U4DNY931HHJS5"
    assert str(df["silenced_at"].dtype) == "datetime64[us, UTC]"


def test_jsonl_pages_and_duplicates(go_dir: Path) -> None:
    path = go_dir / "alert_groups_pages.jsonl"
    pages = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    n = sum(len(p["results"]) for p in pages)
    df = read_export(path, source="grafana_oncall")
    assert len(df) == n == 4
    dup = df[df["incident_id"] == "IR7F8G9H0J1K2"]
    assert dup["exclude_reason"].notna().tolist() == [True, False]  # the later page wins
    live = df[df["exclude_reason"].isna()].set_index("incident_id")
    assert live.loc["IR7F8G9H0J1K2", "resolved_at"] == ts("2024-05-01T12:40:00Z")
    assert live.loc["IR1A2B3C4D5E6", "service"] == "Alertmanager prod"
    assert live.loc["IR1A2B3C4D5E6", "alert_group_number"] == 311
    assert live.loc["IR3L4M5N6P7Q8", "resolved_at"] == ts("2024-05-02T03:16:00Z")
    median_resolve = (live["resolved_at"] - live["detected_at"]).median()
    assert median_resolve == pd.Timedelta(minutes=40)


def test_list_with_integration_objects(go_dir: Path) -> None:
    df = read_export(go_dir / "alert_groups_list.json", source="grafana_oncall")
    assert df["service"].tolist() == ["Uptime webhook", "Uptime webhook"]
    assert (df["acknowledged_at"] - df["detected_at"]).tolist() == [
        pd.Timedelta(minutes=10),
        pd.Timedelta(minutes=20),
    ]


@pytest.mark.parametrize("name", ["alert_groups.json", "alert_groups_pages.jsonl", "alert_groups_list.json"])
def test_auto_detects_grafana_oncall(go_dir: Path, name: str) -> None:
    assert detect_source(go_dir / name)[0] == "grafana_oncall"
    pd.testing.assert_frame_equal(
        read_export(go_dir / name, source="auto"), read_export(go_dir / name, source="grafana_oncall")
    )


def test_sniff_leaves_other_vendors_alone(fixtures: Path) -> None:
    others = [p for p in fixtures.glob("*/*") if p.parent.name != "grafana_oncall" and p.is_file()]
    assert others
    assert [p.name for p in others if grafana_oncall.sniff(sample_of(p))] == []


def test_sniff_ignores_the_real_exports(real_data: Path) -> None:
    files = [p for p in real_data.iterdir() if p.is_file()]
    assert [p.name for p in files if grafana_oncall.sniff(sample_of(p))] == []


def group(**fields: object) -> dict:
    base = {
        "id": "IG1",
        "alerts_count": 1,
        "state": "resolved",
        "created_at": "2024-01-01T00:00:00Z",
        "acknowledged_at": None,
        "resolved_at": "2024-01-01T00:10:00Z",
        "title": "t",
    }
    return {**base, **fields}


def test_bad_timestamp_names_record_and_field(tmp_path: Path) -> None:
    path = tmp_path / "go.json"
    path.write_text(
        json.dumps({"results": [group(), group(id="IG2", acknowledged_at="soonish")], "next": None})
    )
    with pytest.raises(InputError, match=r"record 2 \(id IG2\).*'acknowledged_at'.*soonish"):
        read_export(path, source="grafana_oncall")


def test_naive_timestamps_need_tz(tmp_path: Path) -> None:
    path = tmp_path / "go.json"
    path.write_text(json.dumps([group(created_at="2024-01-01T00:00:00", resolved_at="2024-01-01T00:10:00")]))
    with pytest.raises(InputError, match="tz="):
        read_export(path, source="grafana_oncall")
    df = read_export(path, source="grafana_oncall", tz="America/New_York")
    assert df.loc[0, "detected_at"] == ts("2024-01-01T05:00:00Z")


def test_non_object_record(tmp_path: Path) -> None:
    path = tmp_path / "go.json"
    path.write_text(json.dumps({"results": [group(), 7]}))
    with pytest.raises(InputError, match="record 2"):
        read_export(path, source="grafana_oncall")


def test_empty_page(tmp_path: Path) -> None:
    path = tmp_path / "go.json"
    path.write_text(json.dumps({"count": 0, "next": None, "previous": None, "results": []}))
    df = read_export(path, source="grafana_oncall")
    assert len(df) == 0
    assert list(df.columns[: len(INCIDENT_COLUMNS)]) == list(INCIDENT_COLUMNS)


def test_resolved_without_resolved_at(tmp_path: Path) -> None:
    groups = [
        # Resolved, no resolved_at: nothing in an alert group bounds the resolution (silenced_at
        # and last_alert do not), so it is excluded rather than analysed as open.
        group(id="IG1", resolved_at=None),
        group(
            id="IG2",
            resolved_at=None,
            silenced_at="2024-01-01T00:05:00Z",
            last_alert={"id": "A1", "created_at": "2024-01-01T00:01:00Z"},
        ),
        # Ordinary open groups stay open.
        group(id="IG3", state="new", resolved_at=None),
        group(id="IG4", state="acknowledged", acknowledged_at="2024-01-01T00:02:00Z", resolved_at=None),
        group(id="IG5"),  # resolved with its time
    ]
    path = tmp_path / "go.json"
    path.write_text(json.dumps({"count": 5, "next": None, "previous": None, "results": groups}))
    df = mttr.read_export(path, source="grafana_oncall")
    rows = df.set_index("incident_id")
    for gone in ("IG1", "IG2"):
        assert (
            rows.loc[gone, "exclude_reason"] == "state says resolved but the export holds no resolution time"
        )
        assert pd.isna(rows.loc[gone, "resolved_at"])
    for open_id in ("IG3", "IG4"):
        assert pd.isna(rows.loc[open_id, "resolved_at"]) and pd.isna(rows.loc[open_id, "exclude_reason"])
    assert rows.loc["IG5", "resolved_at"] == ts("2024-01-01T00:10:00Z")
    assert pd.isna(rows.loc["IG5", "exclude_reason"])

    findings = mttr.check_incidents(df)
    excluded = findings[findings["action"] == "excluded from analysis"]
    assert sorted(excluded["incident_id"]) == ["IG1", "IG2"]
    durations = mttr.phase_durations(df).set_index("incident_id")
    assert durations.loc[["IG3", "IG4"], "is_open"].all() and not durations.loc["IG5", "is_open"]
    assert not {"IG1", "IG2"} & set(durations.index)
