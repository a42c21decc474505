"""read_export: the generic reader, column mappings, formats, errors and multi-file exports."""

from __future__ import annotations

import os
import shutil

import pandas as pd
import pytest
from conftest import HAND

import mttr_lab as mttr
from mttr_lab.readers import available
from mttr_lab.schema import INCIDENT_COLUMNS


def test_columns_mapping_gives_the_canonical_frame(fixtures):
    incidents = mttr.read_export(fixtures / "generic" / "hand_made.csv", columns=HAND, tz="UTC")
    assert list(incidents.columns[: len(INCIDENT_COLUMNS)]) == list(INCIDENT_COLUMNS)
    assert len(incidents) == 5
    assert incidents["incident_id"].tolist() == ["101", "102", "103", "104", "105"]
    assert str(incidents["detected_at"].dtype) == "datetime64[us, UTC]"
    assert incidents["severity"].cat.ordered
    assert incidents["severity"].tolist()[:4] == ["critical", "high", "medium", "low"]
    assert incidents["severity_raw"].tolist()[:2] == ["Critical", "Major"]
    assert incidents["source"].unique().tolist() == ["csv"]
    assert incidents["record"].tolist() == [1, 2, 3, 4, 5]


def test_naive_timestamps_need_a_timezone(fixtures):
    with pytest.raises(mttr.InputError) as err:
        mttr.read_export(fixtures / "generic" / "hand_made.csv", columns=HAND)
    message = str(err.value)
    assert "hand_made.csv" in message and "'Impact began'" in message and "tz=" in message


def test_naive_timestamps_are_read_in_the_given_zone(fixtures):
    incidents = mttr.read_export(fixtures / "generic" / "naive.csv", tz="America/New_York")
    assert incidents.loc[0, "detected_at"] == pd.Timestamp("2024-03-01 15:00", tz="UTC")


def test_offsets_are_honoured(fixtures):
    cols = {"incident_id": "Ticket", "detected_at": "Opened", "resolved_at": "Closed", "severity": "Priority"}
    incidents = mttr.read_export(fixtures / "generic" / "three.csv", columns=cols)
    assert incidents["detected_at"].tolist() == [
        pd.Timestamp("2024-03-01 10:00", tz="UTC"),
        pd.Timestamp("2024-03-02 09:00", tz="UTC"),
        pd.Timestamp("2024-03-03 15:00", tz="UTC"),
    ]


def test_epoch_seconds_in_json_lines(fixtures):
    cols = {
        "incident_id": "key",
        "detected_at": "t0",
        "acknowledged_at": "t1",
        "resolved_at": "t2",
        "severity": "level",
    }
    incidents = mttr.read_export(fixtures / "generic" / "epochs.jsonl", source="jsonl", columns=cols)
    assert incidents.loc[0, "detected_at"] == pd.Timestamp("2024-03-01 10:00", tz="UTC")
    assert pd.isna(incidents.loc[1, "acknowledged_at"])
    assert incidents["severity"].tolist() == ["critical", "low"]


def test_epoch_milliseconds_in_nested_json(fixtures):
    cols = {
        "incident_id": "id",
        "detected_at": "times.opened",
        "acknowledged_at": "times.ack",
        "resolved_at": "times.closed",
        "service": "meta.svc",
    }
    incidents = mttr.read_export(fixtures / "generic" / "nested.json", source="json", columns=cols)
    assert incidents.loc[0, "resolved_at"] == pd.Timestamp("2024-03-01 10:18", tz="UTC")
    assert incidents["service"].tolist() == ["api", "web"]
    assert pd.isna(incidents.loc[1, "resolved_at"])


def test_day_first_dates_and_semicolons(fixtures):
    cols = {
        "incident_id": "id",
        "started_at": "impact start",
        "detected_at": "alert",
        "resolved_at": "closed",
    }
    incidents = mttr.read_export(fixtures / "generic" / "dst_berlin.csv", columns=cols, tz="Europe/Berlin")
    # 31/03/2024 01:50 in Berlin is CET (+01:00).
    assert incidents.loc[0, "started_at"] == pd.Timestamp("2024-03-31 00:50", tz="UTC")


def test_malformed_timestamp_names_row_and_column(fixtures):
    cols = {"incident_id": "id", "detected_at": "created", "resolved_at": "resolved"}
    with pytest.raises(mttr.InputError) as err:
        mttr.read_export(fixtures / "generic" / "malformed.csv", columns=cols)
    message = str(err.value)
    assert "malformed.csv" in message
    assert "row 2" in message
    assert "'resolved'" in message
    assert "not a date" in message


def test_ragged_csv_names_the_line(fixtures):
    cols = {"incident_id": "id", "detected_at": "created"}
    with pytest.raises(mttr.InputError) as err:
        mttr.read_export(fixtures / "generic" / "ragged.csv", columns=cols)
    assert "ragged.csv" in str(err.value) and "line 3" in str(err.value)


def test_mapping_to_a_missing_column_lists_what_is_there(fixtures):
    with pytest.raises(mttr.InputError) as err:
        mttr.read_export(
            fixtures / "generic" / "three.csv", columns={"incident_id": "Ticket", "detected_at": "Created"}
        )
    assert "'Created'" in str(err.value) and "Opened" in str(err.value)


def test_unknown_canonical_name_is_refused(fixtures):
    with pytest.raises(mttr.InputError, match="unknown canonical name 'opened'"):
        mttr.read_export(fixtures / "generic" / "three.csv", columns={"opened": "Opened"})


def test_missing_file_and_unknown_source(fixtures, tmp_path):
    with pytest.raises(mttr.InputError, match="no such file"):
        mttr.read_export(tmp_path / "nope.csv")
    with pytest.raises(mttr.InputError, match="unknown source 'splunk'"):
        mttr.read_export(fixtures / "generic" / "three.csv", source="splunk")


def test_empty_file(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(mttr.InputError, match="empty"):
        mttr.read_export(empty)


def test_auto_recognises_canonical_csv_and_refuses_unknown(fixtures):
    incidents = mttr.read_export(fixtures / "generic" / "naive.csv", source="auto", tz="UTC")
    assert incidents["source"].unique().tolist() == ["csv"]
    with pytest.raises(mttr.InputError) as err:
        mttr.read_export(fixtures / "generic" / "three.csv", source="auto")
    message = str(err.value)
    assert "Ticket" in message and "firehydrant" in message and "csv" in message


def test_a_folder_is_one_export_deduplicated(fixtures, tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(fixtures / "generic" / "three.csv", pages / "page1.csv")
    shutil.copy(fixtures / "generic" / "three.csv", pages / "page2.csv")
    cols = {"incident_id": "Ticket", "detected_at": "Opened", "resolved_at": "Closed"}
    incidents = mttr.read_export(pages, columns=cols)
    assert len(incidents) == 6
    assert incidents["exclude_reason"].notna().sum() == 3
    assert incidents.loc[incidents["exclude_reason"].isna(), "file"].unique().tolist() == ["page2.csv"]
    durations = mttr.phase_durations(incidents)
    assert len(durations) == 3


def test_an_export_column_named_like_a_canonical_one_is_kept_apart(tmp_path):
    export = tmp_path / "windows.csv"
    export.write_text("id,start,end,source\nw1,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,postmortem\n")
    incidents = mttr.read_export(
        export, columns={"incident_id": "id", "started_at": "start", "resolved_at": "end"}
    )
    assert incidents.loc[0, "source"] == "csv"
    assert incidents.loc[0, "export_source"] == "postmortem"


def test_the_default_source_recognises_the_export(fixtures):
    incidents = mttr.read_export(fixtures / "firehydrant" / "incidents_page.json")
    assert incidents["source"].unique().tolist() == ["firehydrant"]
    assert incidents.equals(mttr.read_export(fixtures / "firehydrant" / "incidents_page.json", source="auto"))


def test_auto_with_columns_reads_with_the_generic_reader_of_the_format(fixtures):
    mapped = mttr.read_export(fixtures / "generic" / "hand_made.csv", columns=HAND, tz="UTC")
    assert mapped["source"].unique().tolist() == ["csv"]
    explicit = mttr.read_export(fixtures / "generic" / "hand_made.csv", source="csv", columns=HAND, tz="UTC")
    assert mapped.equals(explicit)


def test_json_read_as_csv_says_which_source_to_use(fixtures, tmp_path):
    with pytest.raises(mttr.InputError) as err:
        mttr.read_export(fixtures / "firehydrant" / "incidents_page.json", source="csv")
    message = str(err.value)
    assert "holds JSON, not CSV" in message and "source='firehydrant'" in message
    assert "malformed CSV" not in message
    canonical = tmp_path / "canonical.json"
    canonical.write_text('[{"incident_id": "A", "detected_at": "2025-01-01T00:00:00Z"}]')
    with pytest.raises(mttr.InputError, match="expected source='json'"):
        mttr.read_export(canonical, source="csv")
    assert mttr.read_export(canonical, source="json")["incident_id"].tolist() == ["A"]
    assert mttr.read_export(canonical)["incident_id"].tolist() == ["A"]
    with pytest.raises(mttr.InputError, match="source='jsonl' with columns="):
        mttr.read_export(fixtures / "generic" / "epochs.jsonl", source="csv")


@pytest.mark.parametrize("suffix", [".json", ".jsonl"])
def test_auto_reads_json_in_canonical_names_and_says_so(tmp_path, suffix):
    record = (
        '{"incident_id": "L1", "detected_at": "2025-02-01T10:00:00Z", "resolved_at": "2025-02-01T11:30:00Z"}'
    )
    path = tmp_path / f"canonical{suffix}"
    path.write_text(f"[{record}]" if suffix == ".json" else f"{record}\n{record.replace('L1', 'L2')}\n")
    incidents = mttr.read_export(path, source="auto")
    assert incidents["incident_id"].tolist()[:1] == ["L1"]
    assert incidents["source"].unique().tolist() == [suffix[1:]]
    assert incidents.loc[0, "resolved_at"] - incidents.loc[0, "detected_at"] == pd.Timedelta(minutes=90)


def test_options_pipes_and_empty_lists_get_clear_errors(tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("incident_id,detected_at\nH1,3/4/2025 14:03\n")
    with pytest.raises(mttr.InputError, match="dayfirst= must be True, False or None"):
        mttr.read_export(path, tz="UTC", dayfirst="false")
    assert mttr.read_export(path, tz="UTC", dayfirst=True).loc[0, "detected_at"].month == 4
    empty = tmp_path / "empty.json"
    empty.write_text("[]")
    with pytest.raises(mttr.InputError, match="holds no records"):
        mttr.read_export(empty, source="json")
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    with pytest.raises(mttr.InputError, match="not a regular file"):
        mttr.read_export(fifo, source="auto")


#: Every vendor fixture, by the source that must read it (options it needs beside the file).
VENDOR_FIXTURES = {
    "firehydrant/incidents_page.json": "firehydrant",
    "gcp_status/incidents.json": "gcp_status",
    "grafana_oncall/alert_groups.json": "grafana_oncall",
    "grafana_oncall/alert_groups_pages.jsonl": "grafana_oncall",
    "incidentio/incidents_page.json": "incidentio",
    "incidentio/incidents.jsonl": "incidentio",
    "jira/jsm_incidents.csv": "jira",
    "opsgenie/alerts.json": "opsgenie",
    "opsgenie/incidents.json": "opsgenie",
    "pagerduty/analytics_raw.csv": "pagerduty",
    "pagerduty/incidents_log_entries.json": "pagerduty",
    "pagerduty/incidents_ui.csv": "pagerduty",
    "servicenow/incident_event_log.csv": "servicenow",
    "servicenow/incident_list_export.csv": "servicenow",
    "servicenow/incident_table_api.json": "servicenow",
    "statuspage/incidents.json": "statuspage",
    "statuspage/github_archive.jsonl": "statuspage",
    "eventlog/volvo_like.csv": "eventlog",
}
VENDORS = sorted(set(VENDOR_FIXTURES.values()))


@pytest.mark.parametrize("fixture", sorted(VENDOR_FIXTURES))
def test_exactly_the_right_reader_and_auto_accept_each_vendor_export(fixtures, fixture):
    right = VENDOR_FIXTURES[fixture]
    path = fixtures / fixture
    assert mttr.detect_source(path)[0] == right
    tz = {"tz": "UTC"}
    try:
        expected = mttr.read_export(path, source=right)
    except mttr.InputError:  # exports written without offsets need the team's timezone
        expected = mttr.read_export(path, source=right, **tz)
        assert mttr.read_export(path, **tz).equals(expected)
    else:
        assert mttr.read_export(path).equals(expected)
    assert len(expected) and expected[["started_at", "detected_at"]].notna().any(axis=None)
    right_name = available()[right].SIGNATURE[0]
    for wrong in VENDORS:
        if wrong == right:
            continue
        with pytest.raises(mttr.InputError) as err:
            mttr.read_export(path, source=wrong, **tz)
        message = str(err.value)
        assert str(path) in message
        assert (
            f"this is {right_name}" in message
            and f"read it with source={right!r} or source='auto'" in message
        )


def test_a_canonical_export_read_by_a_vendor_reader_names_the_generic_reader(tmp_path):
    path = tmp_path / "canonical.csv"
    path.write_text("incident_id,detected_at,resolved_at\nA,2025-01-01T00:00:00Z,2025-01-01T01:00:00Z\n")
    with pytest.raises(
        mttr.InputError,
        match=r"in canonical column names\), not a PagerDuty export; read it with source='csv'",
    ):
        mttr.read_export(path, source="pagerduty")


def test_a_file_no_reader_recognises_is_refused_when_nothing_in_it_can_be_analysed(tmp_path):
    path = tmp_path / "other.json"
    path.write_text('[{"ticket": "A", "opened": "2025-01-01T00:00:00Z"}]')
    with pytest.raises(
        mttr.InputError, match=r"this is not an incident\.io export: it holds JSON records with keys 'ticket'"
    ):
        mttr.read_export(path, source="incidentio")


def test_a_folder_of_different_sources_is_refused_listing_each_file(fixtures, tmp_path):
    shutil.copy(fixtures / "firehydrant" / "incidents_page.json", tmp_path / "a.json")
    shutil.copy(fixtures / "pagerduty" / "incidents_log_entries.json", tmp_path / "b.json")
    with pytest.raises(mttr.InputError) as err:
        mttr.read_export(tmp_path)
    message = str(err.value)
    assert "these files are not one export: a.json: firehydrant; b.json: pagerduty" in message
    with pytest.raises(mttr.InputError, match="not one export"):
        mttr.read_export([tmp_path / "a.json", tmp_path / "b.json"])
    (tmp_path / "b.json").unlink()
    shutil.copy(fixtures / "firehydrant" / "incidents_page.json", tmp_path / "c.json")
    assert set(mttr.read_export(tmp_path)["file"]) == {"a.json", "c.json"}


def test_an_empty_page_of_another_vendor_is_refused_in_a_folder_naming_its_vendor(fixtures, tmp_path):
    shutil.copy(fixtures / "opsgenie" / "alerts.json", tmp_path / "a.json")
    (tmp_path / "b.json").write_text('{"incidents": [], "pagination_meta": {"page_size": 250}}')
    with pytest.raises(mttr.InputError, match=r"not one export: a\.json: opsgenie; b\.json: incidentio"):
        mttr.read_export(tmp_path)


def test_csv_text_is_text_only_empty_cells_are_missing(tmp_path):
    path = tmp_path / "na.csv"
    path.write_text(
        "incident_id,detected_at,resolved_at,service,title\n"
        "NA,2025-01-01T00:00:00Z,2025-01-01T01:00:00Z,NA,None\n"
        "null,2025-01-02T00:00:00Z,NULL,N/A,null\n"
        "X,2025-01-03T00:00:00Z,,,\n"
    )
    incidents = mttr.read_export(path)
    assert incidents["incident_id"].tolist() == ["NA", "null", "X"]
    assert incidents["exclude_reason"].isna().all()
    assert incidents["service"].tolist()[:2] == ["NA", "N/A"] and pd.isna(incidents["service"].iloc[2])
    assert incidents["title"].tolist()[:2] == ["None", "null"]
    assert incidents["resolved_at"].isna().tolist() == [False, True, True]  # a time written NULL is no time


def test_parquet_zip_and_gzip_are_read_by_content(fixtures, tmp_path):
    import gzip
    import zipfile

    page = fixtures / "firehydrant" / "incidents_page.json"
    expected = mttr.read_export(page)
    with zipfile.ZipFile(tmp_path / "export.zip", "w") as archive:
        archive.write(page, "incidents_page.json")
    (tmp_path / "export.download").write_bytes(gzip.compress(page.read_bytes()))
    for container in ("export.zip", "export.download"):
        assert (
            mttr.read_export(tmp_path / container)["incident_id"].tolist() == expected["incident_id"].tolist()
        )
    table = pd.read_csv(fixtures / "generic" / "hand_made.csv", dtype=str, keep_default_na=False)
    table.to_parquet(tmp_path / "warehouse.parquet")
    from_parquet = mttr.read_export(tmp_path / "warehouse.parquet", columns=HAND, tz="UTC")
    from_csv = mttr.read_export(fixtures / "generic" / "hand_made.csv", columns=HAND, tz="UTC")
    assert from_parquet["detected_at"].equals(from_csv["detected_at"])
    with pytest.raises(mttr.InputError, match=r"warehouse\.parquet, column 'Nope'"):
        mttr.read_export(
            tmp_path / "warehouse.parquet", columns={"incident_id": "Number", "detected_at": "Nope"}
        )


def test_a_zip_of_several_files_and_errors_inside_a_zip_name_the_users_file(fixtures, tmp_path):
    import zipfile

    with zipfile.ZipFile(tmp_path / "two.zip", "w") as archive:
        archive.writestr("a.json", "[]")
        archive.writestr("b.json", "[]")
    with pytest.raises(mttr.InputError, match=r"two\.zip: the zip holds 2 files"):
        mttr.read_export(tmp_path / "two.zip")
    with zipfile.ZipFile(tmp_path / "bad.zip", "w") as archive:
        archive.writestr("bad.csv", "Ticket,Opened\nT1,2025-01-01 10:00\n")
    with pytest.raises(mttr.InputError) as err:
        mttr.read_export(tmp_path / "bad.zip", columns={"incident_id": "Ticket", "detected_at": "Opened"})
    assert f"{tmp_path / 'bad.zip'}:bad.csv" in str(err.value) and "no UTC offset" in str(err.value)
