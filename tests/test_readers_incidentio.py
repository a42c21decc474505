"""The incident.io reader, through ``read_export``."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pandas as pd
import pytest

import mttr_lab as mttr
from mttr_lab.io import detect_source, read_export
from mttr_lab.readers import incidentio
from mttr_lab.readers._files import sample_of
from mttr_lab.schema import INCIDENT_COLUMNS, InputError


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


@pytest.fixture
def folder(fixtures: Path) -> Path:
    return fixtures / "incidentio"


@pytest.fixture
def page(folder: Path) -> pd.DataFrame:
    return read_export(folder / "incidents_page.json", source="auto").set_index("incident_id", drop=False)


def test_auto_detects_every_shape(folder: Path) -> None:
    for name in ("incidents_page.json", "incidents_pages.json", "incidents.jsonl", "custom_org.json"):
        assert detect_source(folder / name)[0] == "incidentio", name


def test_one_row_per_record_read(folder: Path) -> None:
    doc = json.loads((folder / "incidents_page.json").read_text())
    frame = read_export(folder / "incidents_page.json", source="incidentio")
    assert len(frame) == len(doc["incidents"]) == 10
    assert list(frame["incident_id"]) == [r["reference"] for r in doc["incidents"]]
    assert (frame["source"] == "incidentio").all()
    assert list(frame["record"]) == list(range(1, 11))


def test_full_lifecycle_maps_timestamps_by_name(page: pd.DataFrame) -> None:
    row = page.loc["INC-101"]
    assert row["started_at"] == ts("2024-03-04T08:55:00Z")
    assert row["detected_at"] == ts("2024-03-04T09:12:33.418221Z")
    assert row["acknowledged_at"] == ts("2024-03-04T09:15:10.200113Z")
    assert row["diagnosed_at"] == ts("2024-03-04T09:41:00Z")
    assert row["recovered_at"] == ts("2024-03-04T10:02:47.551203Z")
    assert row["resolved_at"] == ts("2024-03-04T10:30:00Z")
    # Closed is not the resolution when Resolved is set, but it is kept.
    assert row["timestamp_closed"] == ts("2024-03-06T16:40:01.998812Z")
    assert str(page["resolved_at"].dtype) == "datetime64[us, UTC]"


def test_duration_metrics_kept_in_minutes(page: pd.DataFrame) -> None:
    assert page.loc["INC-101", "duration_time_to_fix_min"] == pytest.approx(3014 / 60)
    assert page.loc["INC-101", "duration_lasted_min"] == pytest.approx(95.0)
    assert page.loc["INC-110", "duration_lasted_min"] == pytest.approx(5388 / 60)
    assert pd.isna(page.loc["INC-102", "duration_time_to_fix_min"])  # metric without a value


def test_custom_fields_give_service_and_team(page: pd.DataFrame) -> None:
    assert page.loc["INC-101", "service"] == "Checkout API, Payments Gateway"
    assert page.loc["INC-101", "team"] == "Payments"
    assert page.loc["INC-106", "service"] == "Pricing Service"
    assert page.loc["INC-109", "team"] == "Platform"
    assert pd.isna(page.loc["INC-102", "service"]) and pd.isna(page.loc["INC-102", "team"])


def test_service_field_option_names_another_custom_field(folder: Path) -> None:
    frame = read_export(folder / "incidents_page.json", source="incidentio", service_field="Customer impact")
    assert frame.set_index("incident_id").loc["INC-101", "service"] == "Card payments failed"


def test_exclusions_are_kept_with_reasons(page: pd.DataFrame) -> None:
    reasons = page["exclude_reason"]
    assert reasons["INC-103"].startswith("declined")
    assert reasons["INC-104"].startswith("merged")
    assert reasons["INC-108"].startswith("canceled")
    assert reasons["INC-105"].startswith("test incident")
    # A retrospective incident is real: kept.
    assert pd.isna(reasons["INC-106"])
    assert page.loc["INC-106", "started_at"] == ts("2024-03-07T22:10:00Z")
    assert int(reasons.notna().sum()) == 4


def test_open_incidents_have_no_resolution(page: pd.DataFrame) -> None:
    for ref in ("INC-102", "INC-107", "INC-109"):  # live, triage, live after a reopening
        assert pd.isna(page.loc[ref, "resolved_at"]), ref
    # The reopened incident keeps what it observed before.
    assert page.loc["INC-109", "recovered_at"] == ts("2024-03-10T13:40:00Z")


def test_closed_without_resolved_falls_back_to_closed_and_created_at(page: pd.DataFrame) -> None:
    row = page.loc["INC-110"]
    assert row["resolved_at"] == ts("2024-03-11T09:15:00Z")
    assert row["detected_at"] == ts("2024-03-11T07:45:12Z")  # no Reported: created_at


def test_severity_from_rank_ladder(page: pd.DataFrame) -> None:
    assert page.loc["INC-101", "severity"] == "critical"
    assert page.loc["INC-102", "severity"] == "high"
    assert page.loc["INC-103", "severity"] == "medium"
    assert page.loc["INC-101", "severity_raw"] == "Critical"
    assert pd.isna(page.loc["INC-107", "severity"])  # no severity set yet


def test_severity_map_overrides_the_ladder(folder: Path) -> None:
    frame = read_export(folder / "incidents_page.json", source="incidentio", severity_map={"Minor": "low"})
    sev = frame.set_index("incident_id")["severity"]
    assert sev["INC-103"] == "low"
    assert sev["INC-101"] == "critical"


def test_five_ranks_spread_over_four_levels(folder: Path) -> None:
    frame = read_export(folder / "custom_org.json", source="auto")
    assert list(frame["severity_raw"]) == ["SEV0", "SEV1", "SEV2", "SEV3", "SEV4"]
    assert list(frame["severity"].astype("str")) == ["critical", "critical", "high", "medium", "low"]


def test_org_timestamp_names(folder: Path) -> None:
    plain = read_export(folder / "custom_org.json", source="incidentio")
    # Defaults: "Declared at" -> detected, "Mitigated at" -> recovered, "Resolved at" -> resolved.
    assert plain.loc[0, "detected_at"] == ts("2024-05-01T10:06:00Z")
    assert plain.loc[0, "recovered_at"] == ts("2024-05-01T10:30:00Z")
    assert plain.loc[0, "resolved_at"] == ts("2024-05-01T11:00:00Z")
    assert plain["started_at"].isna().all()
    assert plain.loc[0, "timestamp_customer_impact_began"] == ts("2024-05-01T10:00:00Z")

    named = read_export(
        folder / "custom_org.json",
        source="incidentio",
        timestamp_names={"Customer impact began": "started_at", "Responder joined": "acknowledged"},
    )
    assert named.loc[0, "started_at"] == ts("2024-05-01T10:00:00Z")
    assert named.loc[0, "acknowledged_at"] == ts("2024-05-01T10:08:00Z")
    assert named["started_at"].notna().sum() == 2
    assert "timestamp_customer_impact_began" not in named.columns


def test_timestamp_names_can_ignore_a_default(folder: Path) -> None:
    frame = read_export(folder / "incidents_page.json", source="incidentio", timestamp_names={"Closed": None})
    assert pd.isna(frame.set_index("incident_id").loc["INC-110", "resolved_at"])


def test_unknown_milestone_in_timestamp_names(folder: Path) -> None:
    with pytest.raises(InputError, match="unknown milestone"):
        read_export(
            folder / "custom_org.json", source="incidentio", timestamp_names={"Declared at": "declared"}
        )


def test_pages_and_duplicate_versions(folder: Path) -> None:
    frame = read_export(folder / "incidents_pages.json", source="auto")
    doc = json.loads((folder / "incidents_pages.json").read_text())
    assert len(frame) == sum(len(p["incidents"]) for p in doc) == 7
    versions = frame[frame["incident_id"] == "INC-102"]
    assert len(versions) == 2
    kept = versions[versions["exclude_reason"].isna()]
    assert len(kept) == 1
    assert kept["resolved_at"].iloc[0] == ts("2024-03-05T15:10:00Z")
    assert versions["exclude_reason"].str.startswith("duplicate").sum() == 1


def test_json_lines(folder: Path) -> None:
    lines = (folder / "incidents.jsonl").read_text().splitlines()
    frame = read_export(folder / "incidents.jsonl", source="auto")
    assert len(frame) == len(lines) == 5
    assert list(frame["incident_id"]) == [json.loads(line)["reference"] for line in lines]


def test_gzipped_export(folder: Path, tmp_path: Path) -> None:
    target = tmp_path / "incidents.json.gz"
    target.write_bytes(gzip.compress((folder / "incidents_page.json").read_bytes()))
    assert len(read_export(target, source="auto")) == 10


def test_empty_export(tmp_path: Path) -> None:
    target = tmp_path / "empty.json"
    target.write_text('{"incidents": [], "pagination_meta": {"page_size": 25}}')
    frame = read_export(target, source="incidentio")
    assert len(frame) == 0
    assert "resolved_at" in frame.columns


#: The last page of a cursor that ends on nothing more, as incident.io sends it and fetch saves it.
EMPTY_PAGE = {"incidents": [], "pagination_meta": {"page_size": 250, "total_record_count": 10}}


def test_an_empty_last_page_is_zero_incident_io_records(folder: Path, tmp_path: Path) -> None:
    page = tmp_path / "incidentio-00000.json"
    page.write_bytes((folder / "incidents_page.json").read_bytes())
    empty = tmp_path / "incidentio-00001.json"
    empty.write_text(json.dumps(EMPTY_PAGE))
    assert detect_source(empty)[0] == "incidentio"
    incidents = read_export(tmp_path)
    assert set(incidents["file"]) == {page.name}
    pd.testing.assert_frame_equal(incidents.drop(columns="file"), read_export(page))


def test_a_folder_of_empty_pages_only_is_an_empty_frame(tmp_path: Path) -> None:
    for name in ("incidentio-00000.json", "incidentio-00001.json"):
        (tmp_path / name).write_text(json.dumps(EMPTY_PAGE))
    incidents = read_export(tmp_path)
    assert len(incidents) == 0
    assert list(incidents.columns[: len(INCIDENT_COLUMNS)]) == list(INCIDENT_COLUMNS)


def test_incidents_alone_without_pagination_meta_are_not_claimed(tmp_path: Path) -> None:
    path = tmp_path / "bare.json"
    path.write_text('{"incidents": []}')
    assert incidentio.sniff(sample_of(path)) is None


def _one(tmp_path: Path, record: dict) -> Path:
    target = tmp_path / "one.json"
    target.write_text(json.dumps({"incidents": [record]}))
    return target


def _base(folder: Path) -> dict:
    return json.loads((folder / "incidents_page.json").read_text())["incidents"][0]


def test_bad_timestamp_names_record_and_field(folder: Path, tmp_path: Path) -> None:
    record = _base(folder)
    record["incident_timestamp_values"][2]["value"]["value"] = "yesterday afternoon"
    with pytest.raises(InputError) as info:
        read_export(_one(tmp_path, record), source="incidentio")
    message = str(info.value)
    assert "record 1" in message and "Impact started" in message and "yesterday afternoon" in message


def test_bad_duration_metric(folder: Path, tmp_path: Path) -> None:
    record = _base(folder)
    record["duration_metrics"][0]["value_seconds"] = "a while"
    with pytest.raises(InputError, match="Time to fix"):
        read_export(_one(tmp_path, record), source="incidentio")


def test_record_that_is_not_an_object(tmp_path: Path) -> None:
    target = tmp_path / "bad.json"
    target.write_text(
        '{"incidents": [{"id": "x", "reference": "INC-1", "incident_timestamp_values": []}, 42]}'
    )
    with pytest.raises(InputError, match="record 2"):
        read_export(target, source="incidentio")


def test_sniff_leaves_other_sources_alone(tmp_path: Path, fixtures: Path) -> None:
    statuspage = tmp_path / "statuspage.json"
    statuspage.write_text(
        json.dumps(
            {
                "page": {"id": "x", "name": "Example", "time_zone": "Etc/UTC"},
                "incidents": [
                    {
                        "id": "p1",
                        "name": "Outage",
                        "status": "resolved",
                        "impact": "major",
                        "created_at": "2024-01-01T00:00:00Z",
                        "incident_updates": [],
                    }
                ],
            }
        )
    )
    canonical = tmp_path / "canonical.csv"
    canonical.write_text("incident_id,detected_at,resolved_at\nA,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z\n")
    for path in (statuspage, canonical, *sorted((fixtures / "jira").glob("*.csv"))):
        assert incidentio.sniff(sample_of(path)) is None, path


def test_sniff_leaves_real_exports_alone(real_data: Path) -> None:
    files = sorted(p for p in real_data.iterdir() if p.is_file())
    assert files
    for path in files:
        assert incidentio.sniff(sample_of(path)) is None, path.name


def test_sniff_leaves_other_fixtures_alone(fixtures: Path) -> None:
    others = [p for p in sorted(fixtures.rglob("*")) if p.is_file() and p.parent.name != "incidentio"]
    assert others
    claimed = [p.name for p in others if incidentio.sniff(sample_of(p))]
    assert claimed == []


def _with_severities(folder: Path, tmp_path: Path, severities: list[tuple[str, int]]) -> Path:
    """The JSON Lines fixture with its records' severities replaced, in turn, by ``severities``."""
    lines = [json.loads(line) for line in (folder / "incidents.jsonl").read_text().splitlines() if line]
    for i, record in enumerate(lines):
        name, rank = severities[i % len(severities)]
        record["severity"] = {"id": f"sev-{name}", "name": name, "rank": rank}
    path = tmp_path / "incidents.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in lines))
    return path


def test_usual_severity_names_are_mapped_by_name(folder: Path, tmp_path: Path) -> None:
    only_minor = read_export(_with_severities(folder, tmp_path, [("Minor", 1)]), source="incidentio")
    assert set(only_minor["severity"].astype("str")) == {"medium"}  # not critical for being the top rank
    assert "note" not in only_minor.columns or only_minor["note"].isna().all()
    odd_ranks = [("Critical", 1), ("Major", 7), ("Low", 9)]  # ranks that would reverse the ladder
    frame = read_export(_with_severities(folder, tmp_path, odd_ranks), source="incidentio")
    by_name = dict(zip(frame["severity_raw"], frame["severity"].astype("str"), strict=False))
    assert by_name == {"Critical": "critical", "Major": "high", "Low": "low"}


def test_a_short_ladder_of_unusual_names_is_mapped_by_rank_with_a_warning(
    folder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = _with_severities(folder, tmp_path, [("Red", 2), ("Amber", 1)])
    frame = read_export(path, source="incidentio")
    by_name = dict(zip(frame["severity_raw"], frame["severity"].astype("str"), strict=False))
    assert by_name == {"Red": "critical", "Amber": "high"}
    assert frame["note"].notna().all()
    assert frame["note"].iloc[0].startswith("severity Red mapped by rank: the export holds only 2 ranks")
    findings = mttr.check_incidents(frame)
    noted = findings[findings["column"] == "note"]
    assert len(noted) == int(frame["exclude_reason"].isna().sum()) and set(noted["level"]) == {"warning"}
    assert "ladder of 2 ranks" in caplog.text
    pinned = read_export(path, source="incidentio", severity_map={"Red": "high", "Amber": "low"})
    assert "note" not in pinned.columns or pinned["note"].isna().all()  # pinned: nothing to warn
    four = _with_severities(folder, tmp_path, [("Red", 4), ("Amber", 3), ("Yellow", 2), ("Blue", 1)])
    full = read_export(four, source="incidentio")
    assert "note" not in full.columns or full["note"].isna().all()
