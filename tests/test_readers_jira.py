"""The Jira Service Management CSV reader, through ``read_export``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest

from mttr_lab.io import detect_source, read_export
from mttr_lab.readers import jira
from mttr_lab.readers._files import sample_of
from mttr_lab.schema import InputError

LONDON = "Europe/London"


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


@pytest.fixture
def folder(fixtures: Path) -> Path:
    return fixtures / "jira"


@pytest.fixture
def jsm(folder: Path) -> pd.DataFrame:
    return read_export(folder / "jsm_incidents.csv", source="auto", tz=LONDON).set_index(
        "incident_id", drop=False
    )


def _rows(path: Path) -> list[list[str]]:
    """The export's rows with the plain csv module (header first), BOM dropped."""
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def test_auto_detects_both_header_spellings(folder: Path) -> None:
    assert detect_source(folder / "jsm_incidents.csv")[0] == "jira"
    assert detect_source(folder / "jsm_work_items.csv")[0] == "jira"


def test_one_row_per_record(folder: Path, jsm: pd.DataFrame) -> None:
    rows = _rows(folder / "jsm_incidents.csv")
    key = rows[0].index("Issue key")
    assert len(jsm) == len(rows) - 1 == 9
    assert list(jsm["incident_id"]) == [r[key] for r in rows[1:]]
    assert (jsm["source"] == "jira").all()


def test_dates_in_jira_format_with_the_exporters_timezone(jsm: pd.DataFrame) -> None:
    row = jsm.loc["ITSM-101"]
    assert row["detected_at"] == ts("2023-08-24T14:15:00Z")  # 3:15 PM BST
    assert row["resolved_at"] == ts("2023-08-24T16:02:00Z")
    assert row["updated_at"] == ts("2023-08-25T08:40:00Z")
    assert str(jsm["detected_at"].dtype) == "datetime64[us, UTC]"


def test_clock_change_and_midnight_noon(jsm: pd.DataFrame) -> None:
    across = jsm.loc["ITSM-107"]  # created in BST, resolved in GMT
    assert across["resolved_at"] - across["detected_at"] == pd.Timedelta(hours=3, minutes=40)
    noon = jsm.loc["ITSM-108"]  # 12:05 AM and 12:40 PM
    assert noon["detected_at"] == ts("2023-11-05T00:05:00Z")
    assert noon["resolved_at"] == ts("2023-11-05T12:40:00Z")


def test_open_incident(jsm: pd.DataFrame) -> None:
    assert pd.isna(jsm.loc["ITSM-102", "resolved_at"])
    assert pd.isna(jsm.loc["ITSM-102", "exclude_reason"])


def test_repeated_columns_are_joined_not_lost(folder: Path, jsm: pd.DataFrame) -> None:
    rows = _rows(folder / "jsm_incidents.csv")
    header = rows[0]
    first = dict.fromkeys(header, "")
    for name, value in zip(header, rows[1], strict=True):
        first[name] = "; ".join(v for v in (first[name], value) if v)
    row = jsm.loc["ITSM-101"]
    assert row["service"] == first["Component/s"] == "Payments API; Checkout"
    assert row["Labels"] == first["Labels"] == "payments; sev1"
    assert row["Watchers"] == "Amara Okafor; Tom Reilly"
    assert row["Comment"].count(";557058:ab12;") == 2
    assert jsm.loc["ITSM-108", "service"] == "Email; Mail relay"
    assert jsm.loc["ITSM-102", "service"] == "VPN"  # the second Component/s is empty
    assert list(jsm.columns).count("Labels") == 1


def test_multiline_quoted_description(jsm: pd.DataFrame) -> None:
    text = jsm.loc["ITSM-108", "Description"]
    assert text.startswith('Outbound mail queued.\nBounces read: "451, try again later".')
    assert jsm.loc["ITSM-108", "title"] == 'Email delivery delayed, "quoted" bounce text'


def test_exclusions(jsm: pd.DataFrame) -> None:
    reasons = jsm["exclude_reason"]
    assert reasons["ITSM-103"] == "not an incident (resolution Won't Do)"
    assert reasons["ITSM-104"] == "not an incident (resolution Duplicate)"
    assert reasons["ITSM-105"] == "not an incident (issue type Service Request)"
    assert reasons["ITSM-106"] == "not an incident (resolution Declined)"
    assert pd.isna(reasons["ITSM-107"])  # "[System] Incident" is an incident
    assert int(reasons.notna().sum()) == 4


def test_issue_types_option(folder: Path) -> None:
    frame = read_export(
        folder / "jsm_incidents.csv", source="jira", tz=LONDON, issue_types=["Incident", "Service Request"]
    )
    assert pd.isna(frame.set_index("incident_id").loc["ITSM-105", "exclude_reason"])


def test_status_alone_can_exclude(folder: Path, tmp_path: Path) -> None:
    target = tmp_path / "status.csv"
    target.write_text(
        "Issue key,Summary,Issue Type,Status,Resolution,Created,Resolved\n"
        "IT-1,Outage,Incident,Cancelled,,01/Feb/24 9:00 AM,\n"
        "IT-2,Outage,Incident,Resolved,Done,01/Feb/24 9:00 AM,01/Feb/24 9:30 AM\n"
    )
    frame = read_export(target, source="jira", tz="UTC")
    assert list(frame["exclude_reason"].fillna("-")) == ["not an incident (status Cancelled)", "-"]


def test_severity_field_then_priority(jsm: pd.DataFrame) -> None:
    sev = jsm["severity"].astype("str")
    assert jsm.loc["ITSM-101", "severity_raw"] == "Sev-1" and sev["ITSM-101"] == "critical"
    assert jsm.loc["ITSM-102", "severity_raw"] == "High" and sev["ITSM-102"] == "high"
    assert sev["ITSM-107"] == "medium"  # Sev-3
    assert sev["ITSM-108"] == "low"  # Lowest
    assert sev["ITSM-109"] == "high"  # Sev-2
    # Both source fields stay available.
    assert jsm.loc["ITSM-101", "Priority"] == "Highest"
    assert jsm.loc["ITSM-101", "Custom field (Severity)"] == "Sev-1"


def test_severity_map_override(folder: Path) -> None:
    frame = read_export(
        folder / "jsm_incidents.csv", source="jira", tz=LONDON, severity_map={"Lowest": "medium"}
    )
    assert frame.set_index("incident_id").loc["ITSM-108", "severity"] == "medium"


def test_timezone_is_required(folder: Path) -> None:
    with pytest.raises(InputError) as info:
        read_export(folder / "jsm_incidents.csv", source="jira")
    message = str(info.value)
    assert "tz=" in message and "24/Aug/23 3:15 PM" in message and "row 1" in message and "Created" in message


def test_work_item_headers_iso_dates_and_affected_services(folder: Path) -> None:
    frame = read_export(folder / "jsm_work_items.csv", source="auto", tz="America/New_York")
    frame = frame.set_index("incident_id")
    assert frame.loc["OPS-7", "detected_at"] == ts("2024-03-09T19:02:00Z")  # EST
    assert frame.loc["OPS-8", "detected_at"] == ts("2024-03-10T07:30:00Z")  # EDT, after the change
    assert frame.loc["OPS-7", "service"] == "Orders API; Inventory"
    assert frame.loc["OPS-7", "Components"] == "Backend"
    assert frame.loc["OPS-7", "team"] == "Core Platform"
    assert frame.loc["OPS-9", "exclude_reason"] == "not an incident (issue type Task)"
    assert pd.isna(frame.loc["OPS-8", "resolved_at"])


def test_milestone_columns_option(folder: Path) -> None:
    frame = read_export(
        folder / "jsm_work_items.csv",
        source="jira",
        tz="UTC",
        milestone_columns={"started_at": "Custom field (Impact start)"},
    )
    assert frame.loc[0, "started_at"] == ts("2024-03-09T13:40:00Z")
    assert frame["started_at"].notna().sum() == 1
    with pytest.raises(InputError, match="no column 'Acknowledged'"):
        read_export(
            folder / "jsm_work_items.csv",
            source="jira",
            tz="UTC",
            milestone_columns={"acknowledged_at": "Acknowledged"},
        )


def _write(tmp_path: Path, body: str) -> Path:
    target = tmp_path / "export.csv"
    target.write_text("Issue key,Summary,Issue Type,Created,Resolved\n" + body)
    return target


def test_four_digit_year_24_hour_and_seconds(tmp_path: Path) -> None:
    target = _write(tmp_path, "IT-1,A,Incident,24/Aug/2023 15:15,24/Aug/2023 16:20:30\n")
    frame = read_export(target, source="jira", tz="UTC")
    assert frame.loc[0, "detected_at"] == ts("2023-08-24T15:15:00Z")
    assert frame.loc[0, "resolved_at"] == ts("2023-08-24T16:20:30Z")


def test_bad_date_names_the_row(tmp_path: Path) -> None:
    target = _write(tmp_path, "IT-1,A,Incident,24/Aug/23 3:15 PM,\nIT-2,B,Incident,31/Feb/23 3:15 PM,\n")
    with pytest.raises(InputError) as info:
        read_export(target, source="jira", tz="UTC")
    assert "row 2" in str(info.value) and "31/Feb/23" in str(info.value)


def test_localised_month_name_is_refused(tmp_path: Path) -> None:
    target = _write(tmp_path, "IT-1,A,Incident,24/Okt/23 3:15 PM,\n")
    with pytest.raises(InputError, match="unknown month"):
        read_export(target, source="jira", tz="Europe/Berlin")


def test_mixed_formats_are_refused(tmp_path: Path) -> None:
    target = _write(tmp_path, "IT-1,A,Incident,24/Aug/23 3:15 PM,\nIT-2,B,Incident,2023-08-25 10:00,\n")
    with pytest.raises(InputError, match="row 2"):
        read_export(target, source="jira", tz="UTC")


def test_malformed_csv(tmp_path: Path) -> None:
    target = _write(tmp_path, "IT-1,A,Incident,24/Aug/23 3:15 PM,,extra,cells\n")
    with pytest.raises(InputError, match="row 1: malformed CSV"):
        read_export(target, source="jira", tz="UTC")


def test_missing_key_column(tmp_path: Path) -> None:
    target = tmp_path / "export.csv"
    target.write_text("Summary,Created\nA,24/Aug/23 3:15 PM\n")
    with pytest.raises(InputError, match="Issue key"):
        read_export(target, source="jira", tz="UTC")


def test_sniff_leaves_other_sources_alone(tmp_path: Path, fixtures: Path) -> None:
    canonical = tmp_path / "canonical.csv"
    canonical.write_text("incident_id,summary,created,detected_at\nA,x,y,2024-01-01T00:00:00Z\n")
    servicenow = tmp_path / "servicenow.csv"
    servicenow.write_text(
        "number,short_description,opened_at,resolved_at,priority\nINC001,x,1/2/2024 10:00,,1 - Critical\n"
    )
    others = [canonical, servicenow, *sorted((fixtures / "incidentio").glob("*.json*"))]
    for path in others:
        assert jira.sniff(sample_of(path)) is None, path


def test_sniff_leaves_real_exports_alone(real_data: Path) -> None:
    files = sorted(p for p in real_data.iterdir() if p.is_file())
    assert files
    for path in files:
        assert jira.sniff(sample_of(path)) is None, path.name


def test_long_row_after_the_first(tmp_path: Path) -> None:
    target = _write(tmp_path, "IT-1,A,Incident,24/Aug/23 3:15 PM,\nIT-2,B,Incident,24/Aug/23 3:15 PM,,x\n")
    with pytest.raises(InputError, match="row 2"):
        read_export(target, source="jira", tz="UTC")


def test_sniff_leaves_other_fixtures_alone(fixtures: Path) -> None:
    others = [p for p in sorted(fixtures.rglob("*")) if p.is_file() and p.parent.name != "jira"]
    assert others
    claimed = [p.name for p in others if jira.sniff(sample_of(p))]
    assert claimed == []
