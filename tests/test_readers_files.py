"""Opening exports: lists of API pages (with an empty last page), and CSV quirks of real tools."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import mttr_lab as mttr


def oncall_group(i: int) -> dict:
    return {
        "id": f"I{i}",
        "integration_id": "C",
        "route_id": "R",
        "alerts_count": 1,
        "state": "resolved",
        "created_at": f"2026-01-0{i}T10:00:00Z",
        "acknowledged_at": None,
        "resolved_at": f"2026-01-0{i}T10:30:00Z",
        "title": "t",
    }


def firehydrant_incident(i: int) -> dict:
    return {
        "id": f"fh-{i}",
        "severity": "SEV2",
        "current_milestone": "resolved",
        "created_at": f"2025-07-0{i}T10:00:00Z",
        "milestones": [
            {"type": "detected", "occurred_at": f"2025-07-0{i}T10:00:00Z"},
            {"type": "resolved", "occurred_at": f"2025-07-0{i}T11:00:00Z"},
        ],
    }


def test_a_list_of_pages_whose_last_page_is_null_keeps_every_record(tmp_path):
    pages = [
        {"count": 4, "next": "p2", "results": [oncall_group(1), oncall_group(2)]},
        {"count": 4, "next": None, "results": [oncall_group(3), oncall_group(4)]},
        {"count": 0, "next": None, "results": None},
    ]
    path = tmp_path / "oncall.json"
    path.write_text(json.dumps(pages))
    incidents = mttr.read_export(path, source="grafana_oncall")
    assert incidents["incident_id"].tolist() == ["I1", "I2", "I3", "I4"]
    assert incidents["exclude_reason"].isna().all()


def test_firehydrant_pages_are_recognised_and_a_null_page_adds_nothing(tmp_path):
    path = tmp_path / "fh.json"
    path.write_text(
        json.dumps([{"data": [firehydrant_incident(1), firehydrant_incident(2)]}, {"data": None}])
    )
    assert mttr.read_export(path, source="firehydrant")["incident_id"].tolist() == ["fh-1", "fh-2"]
    path.write_text(json.dumps([{"data": [firehydrant_incident(1)]}, {"data": [firehydrant_incident(2)]}]))
    incidents = mttr.read_export(path, source="auto")
    assert incidents["incident_id"].tolist() == ["fh-1", "fh-2"]
    assert incidents["source"].unique().tolist() == ["firehydrant"]


def test_records_holding_a_null_field_named_like_a_page_key_stay_records(tmp_path):
    # Objects with "data": null and no list anywhere are records, not empty pages.
    rows = [{"incident_id": f"R{i}", "detected_at": "2025-01-01T10:00:00Z", "data": None} for i in range(3)]
    path = tmp_path / "records.json"
    path.write_text(json.dumps(rows))
    assert mttr.read_export(path, source="json")["incident_id"].tolist() == ["R0", "R1", "R2"]


def test_trailing_separators_of_a_spreadsheet_add_no_columns(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_text("incident_id;detected_at;resolved_at;;\nE1;2025-01-01T10:00:00Z;2025-01-01T11:00:00Z;;\n")
    incidents = mttr.read_export(path)
    assert "" not in incidents.columns
    assert incidents.loc[0, "resolved_at"] - incidents.loc[0, "detected_at"] == pd.Timedelta(hours=1)
    # An unnamed column that holds data is still a column (and two of them a repeated name).
    path.write_text("incident_id;detected_at;;\nE1;2025-01-01T10:00:00Z;x;y\n")
    with pytest.raises(mttr.InputError, match="names a column twice"):
        mttr.read_export(path)


def test_a_cell_larger_than_a_parse_block_is_read(tmp_path):
    path = tmp_path / "big_cell.csv"
    big = "B" * (3 * 2**20)
    path.write_text(
        f"incident_id,title,detected_at\nJ1,{big},2025-01-01T10:00:00Z\nJ2,t,2025-01-02T10:00:00Z\n"
    )
    incidents = mttr.read_export(path)
    assert incidents["incident_id"].tolist() == ["J1", "J2"]
    assert len(incidents.loc[0, "title"]) == len(big)


def test_errors_name_where_an_export_breaks(tmp_path):
    short = tmp_path / "short.csv"
    short.write_text(
        "incident_id,severity,detected_at,resolved_at\nD1,high,2025-01-01T10:00:00Z,\nD3,medium,2025-01-03\n"
    )
    with pytest.raises(mttr.InputError, match="a row has 3 fields, the header 4") as err:
        mttr.read_export(short)
    assert "line 3" in str(err.value)
    utf16 = tmp_path / "unicode.csv"
    utf16.write_bytes("incident_id\tdetected_at\nA\t2025-01-01T10:00:00Z\n".encode("utf-16"))
    for source in ("auto", "csv"):
        with pytest.raises(mttr.InputError, match="UTF-16"):
            mttr.read_export(utf16, source=source)
    truncated = tmp_path / "cut.json"
    truncated.write_text('[{"incident_id": "A", "detected_at": "2025-01-01T10:00:00Z"},\n {"incident_id": ')
    with pytest.raises(mttr.InputError, match="line 2, column") as err:
        mttr.read_export(truncated, source="auto")
    assert "cut short" in str(err.value)
    huge = tmp_path / "huge.json"
    huge.write_text('[{"incident_id": ' + "9" * 5000 + ', "detected_at": "2025-01-01T10:00:00Z"}]')
    with pytest.raises(mttr.InputError, match="a number in the JSON cannot be read"):
        mttr.read_export(huge, source="json")
