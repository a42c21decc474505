"""Opening exports: lists of API pages (with an empty last page), and CSV quirks of real tools."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import FIXTURES

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
    truncated = tmp_path / "cut.json"
    truncated.write_text('[{"incident_id": "A", "detected_at": "2025-01-01T10:00:00Z"},\n {"incident_id": ')
    with pytest.raises(mttr.InputError, match="stops before it is complete, at line 2, column 16") as err:
        mttr.read_export(truncated, source="auto")
    assert "cut short" in str(err.value)
    huge = tmp_path / "huge.json"
    huge.write_text('[{"incident_id": ' + "9" * 5000 + ', "detected_at": "2025-01-01T10:00:00Z"}]')
    with pytest.raises(mttr.InputError, match="a number in the JSON cannot be read"):
        mttr.read_export(huge, source="json")


# ----------------------------------------------------------------------------- what a refusal says


def test_utf16_exports_are_decoded(tmp_path):
    text = "incident_id\tdetected_at\tresolved_at\nA\t2025-01-01T10:00:00Z\t2025-01-01T11:00:00Z\n"
    expected = None
    for encoding in ("utf-16", "utf-16-le", "utf-16-be"):  # with a byte-order mark, and without
        path = tmp_path / f"unicode_{encoding}.csv"
        path.write_bytes(text.encode(encoding))
        for source in ("auto", "csv"):
            frame = mttr.read_export(path, source=source)
            assert frame["incident_id"].tolist() == ["A"]
            assert frame["resolved_at"].iloc[0] == pd.Timestamp("2025-01-01 11:00", tz="UTC")
            if expected is None:
                expected = frame
            pd.testing.assert_frame_equal(frame, expected)
    alerts = tmp_path / "alerts.json"  # a vendor JSON export saved as UTF-16
    alerts.write_bytes((FIXTURES / "opsgenie" / "alerts.json").read_text().encode("utf-16"))
    pd.testing.assert_frame_equal(
        mttr.read_export(alerts).drop(columns="note"),
        mttr.read_export(FIXTURES / "opsgenie" / "alerts.json").drop(columns="note"),
    )
    from mttr_lab.readers import opsgenie, statuspage

    assert len(opsgenie.read(alerts)) == 5  # a JSON reader called on its own decodes it too
    page = tmp_path / "page.json"
    page.write_bytes((FIXTURES / "statuspage" / "incidents.json").read_text().encode("utf-16"))
    assert len(mttr.read_export(page)) == len(mttr.read_export(FIXTURES / "statuspage" / "incidents.json"))
    with pytest.raises(mttr.InputError, match="UTF-16") as err:  # or names the encoding
        statuspage.read(page)
    assert str(page) in str(err.value)


def test_a_csv_given_to_a_json_reader_is_named_csv(tmp_path):
    naive = FIXTURES / "generic" / "naive.csv"
    other = tmp_path / "other.csv"
    other.write_text("when,what\n2025-01-01,x\n")
    for path, source in ((naive, "json"), (other, "json"), (other, "opsgenie"), (other, "statuspage")):
        with pytest.raises(mttr.InputError, match="this file holds CSV, not JSON") as err:
            mttr.read_export(path, source=source)
        assert str(path) in str(err.value)
        assert "cut short" not in str(err.value)


def test_broken_json_says_where_and_what(tmp_path):
    text = (FIXTURES / "opsgenie" / "alerts.json").read_text()
    cut = tmp_path / "cut.json"
    cut.write_text(text[: len(text) // 2])
    end = text[: len(text) // 2].rstrip()
    line, column = end.count("\n") + 1, len(end) - end.rfind("\n") - 1
    for source in ("auto", "opsgenie"):
        with pytest.raises(mttr.InputError) as err:
            mttr.read_export(cut, source=source)
        assert f"stops before it is complete, at line {line}, column {column}" in str(err.value)
    comma = tmp_path / "comma.json"
    comma.write_text('[{"incident_id": "A", "detected_at": "2025-01-01T10:00:00Z"},\n]')
    with pytest.raises(
        mttr.InputError, match=r"syntax error \(a trailing comma before '\]'\) at line 2, column 1"
    ) as err:
        mttr.read_export(comma, source="json")
    assert "cut short" not in str(err.value)
    extra = tmp_path / "extra.json"  # an object with a trailing comma after it: not JSON Lines
    extra.write_text(text.rstrip() + ",\n]")
    for source in ("auto", "opsgenie"):
        with pytest.raises(mttr.InputError, match="more text after the end of the document") as err:
            mttr.read_export(extra, source=source)
        assert "cut short" not in str(err.value)
    quote = tmp_path / "quote.json"
    quote.write_text(text.replace('"tinyId"', "'tinyId'", 1))
    with pytest.raises(mttr.InputError, match=r"syntax error .*double quotes.*at line") as err:
        mttr.read_export(quote, source="opsgenie")
    assert "tinyId" in str(err.value)
    lines = (FIXTURES / "statuspage" / "archive.jsonl").read_text().splitlines()
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join([lines[0], lines[1][:50], lines[2]]) + "\n")
    with pytest.raises(mttr.InputError, match="line 2: not valid JSON: it stops before it is complete"):
        mttr.read_export(broken, source="statuspage")
