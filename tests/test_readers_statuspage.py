"""The Statuspage v2 reader: page envelopes, arrays, JSON Lines and the GitHub status archive."""

from __future__ import annotations

import gzip
import json
import statistics
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from mttr_lab import check_incidents, detection_lag, phase_durations
from mttr_lab.frames import AS_OF_ATTR, default_as_of
from mttr_lab.io import detect_source, read_export
from mttr_lab.postmortem import postmortem_markdown
from mttr_lab.readers import gcp_status, statuspage
from mttr_lab.readers._files import sample_of
from mttr_lab.schema import INCIDENT_COLUMNS, MILESTONES, InputError

MAINTENANCE = "scheduled maintenance, not an incident"


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def row(frame: pd.DataFrame, incident_id: str) -> pd.Series:
    hits = frame.loc[(frame["incident_id"] == incident_id) & frame["exclude_reason"].isna()]
    assert len(hits) == 1, f"{incident_id}: {len(hits)} live rows"
    return hits.iloc[0]


@pytest.fixture
def page(fixtures: Path) -> pd.DataFrame:
    return read_export(fixtures / "statuspage" / "incidents.json", source="statuspage")


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _write_list(tmp_path: Path, records: list, name: str = "incidents.json") -> Path:
    out = tmp_path / name
    out.write_text(json.dumps(records))
    return out


def _write_lines(tmp_path: Path, records: list, name: str = "incidents.jsonl") -> Path:
    out = tmp_path / name
    out.write_text("".join(json.dumps(r) + "\n" for r in records))
    return out


# ----------------------------------------------------------------------------- the page envelope


def test_envelope_reads_every_record_with_canonical_columns(page):
    assert len(page) == 5
    assert list(page.columns[: len(INCIDENT_COLUMNS)]) == list(INCIDENT_COLUMNS)
    assert list(page.columns[len(INCIDENT_COLUMNS) :]) == [
        "status",
        "components",
        "url",
        "impact_start",
        "impact_end",
    ]
    assert (page["source"] == "statuspage").all()
    assert page["record"].tolist() == [1, 2, 3, 4, 5]
    assert str(page["started_at"].dtype) == "datetime64[us, UTC]"


def test_milestones_honour_page_local_offsets_across_a_dst_change(page):
    # America/Chicago switched from -06:00 to -05:00 during this incident.
    p1 = row(page, "p1abc0apierr")
    assert p1["started_at"] == utc("2024-03-10 07:25:00")
    assert p1["detected_at"] == utc("2024-03-10 07:40:12.114")
    assert p1["acknowledged_at"] == utc("2024-03-10 07:40:12.114")
    assert p1["diagnosed_at"] == utc("2024-03-10 08:05:40.500")
    assert p1["recovered_at"] == utc("2024-03-10 08:31:02")
    assert p1["resolved_at"] == utc("2024-03-10 09:02:55.870")
    assert p1["title"] == "API errors and webhook delays"


def test_reopened_incident_is_open_even_after_a_resolved_update(page):
    p2 = row(page, "p2def0notif")
    assert pd.isna(p2["resolved_at"])
    assert p2["acknowledged_at"] == utc("2024-03-12 14:00")  # the first investigating, not the reopening
    assert p2["diagnosed_at"] == utc("2024-03-12 15:30")
    assert pd.isna(p2["recovered_at"])
    assert p2["status"] == "identified"


def test_maintenance_is_kept_with_a_reason(page):
    maint = page.loc[page["incident_id"] == "p3ghi0maint"].iloc[0]
    assert maint["exclude_reason"] == MAINTENANCE
    assert pd.isna(maint["severity"])
    assert maint["severity_raw"] == "maintenance"
    assert page["exclude_reason"].notna().sum() == 1


def test_impact_maps_to_severity_and_can_be_overridden(page, fixtures):
    by_id = page.set_index("incident_id")["severity"].astype("str").to_dict()
    assert by_id["p1abc0apierr"] == "high"
    assert by_id["p2def0notif"] == "medium"
    assert by_id["p4jkl0gitops"] == "low"
    assert by_id["p5mno0dash01"] == "critical"
    assert page["severity"].cat.ordered
    custom = read_export(
        fixtures / "statuspage" / "incidents.json", source="statuspage", severity_map={"none": "medium"}
    )
    assert row(custom, "p4jkl0gitops")["severity"] == "medium"


def test_update_time_prefers_display_at_and_can_use_created_at(page, fixtures):
    p5 = row(page, "p5mno0dash01")
    assert p5["acknowledged_at"] == utc("2024-03-20 15:58")  # display_at, back-dated by the author
    assert p5["detected_at"] == utc("2024-03-20 16:02")  # the incident's created_at
    assert p5["recovered_at"] == utc("2024-03-20 16:40")  # monitoring_at is null: first monitoring update
    posted = read_export(
        fixtures / "statuspage" / "incidents.json", source="statuspage", update_time="created_at"
    )
    assert row(posted, "p5mno0dash01")["acknowledged_at"] == utc("2024-03-20 16:02")
    with pytest.raises(InputError, match="update_time"):
        read_export(fixtures / "statuspage" / "incidents.json", source="statuspage", update_time="shown_at")


def test_post_hoc_notice_has_no_response_milestones(page):
    p4 = row(page, "p4jkl0gitops")
    assert pd.isna(p4["acknowledged_at"]) and pd.isna(p4["diagnosed_at"]) and pd.isna(p4["recovered_at"])
    assert p4["started_at"] == utc("2024-03-15 20:50")
    assert p4["resolved_at"] == p4["detected_at"] == utc("2024-03-15 21:20")


def test_service_is_the_first_component_and_all_are_kept(page):
    p1 = row(page, "p1abc0apierr")
    assert p1["service"] == "API"
    assert p1["components"] == "API, Webhooks"
    p4 = row(page, "p4jkl0gitops")
    assert pd.isna(p4["service"]) and pd.isna(p4["components"])
    assert p1["url"] == "https://stspg.io/p1abc"


def test_empty_page_gives_an_empty_frame(tmp_path):
    path = tmp_path / "incidents.json"
    path.write_text(json.dumps({"page": {"id": "x", "time_zone": "Etc/UTC"}, "incidents": []}))
    frame = read_export(path, source="statuspage")
    assert frame.empty
    assert list(frame.columns[: len(INCIDENT_COLUMNS)]) == list(INCIDENT_COLUMNS)


# ----------------------------------------------------------------------------- maintenance signals


@pytest.mark.parametrize(
    ("change", "excluded"),
    [
        ({}, False),
        ({"status": "in_progress"}, True),
        ({"status": "Verifying"}, True),
        ({"scheduled_for": "2024-05-02T07:00:00.000Z"}, True),
        ({"impact": "Maintenance"}, True),
    ],
)
def test_each_maintenance_signal_excludes(tmp_path, fixtures, change, excluded):
    record = _records(fixtures / "statuspage" / "archive.jsonl")[0]
    record.update(change)
    frame = read_export(_write_list(tmp_path, [record]), source="statuspage")
    assert (frame["exclude_reason"].iloc[0] == MAINTENANCE) is excluded


def test_a_maintenance_update_status_excludes(tmp_path, fixtures):
    record = _records(fixtures / "statuspage" / "archive.jsonl")[0]
    record["incident_updates"][0]["status"] = "scheduled"
    frame = read_export(_write_list(tmp_path, [record]), source="statuspage")
    assert frame["exclude_reason"].iloc[0] == MAINTENANCE


# ----------------------------------------------------------------------------- JSON Lines


def test_jsonl_keeps_the_latest_updated_at_not_the_last_line(fixtures):
    frame = read_export(fixtures / "statuspage" / "archive.jsonl", source="statuspage")
    assert len(frame) == 4
    a1 = frame.loc[frame["incident_id"] == "a1"]
    assert a1["exclude_reason"].isna().tolist() == [True, False]  # line 1 is the later version
    live = row(frame, "a1")
    assert live["record"] == 1 and live["resolved_at"] == utc("2024-05-02 10:00")
    b2 = row(frame, "b2")  # +01:00 offsets
    assert b2["detected_at"] == utc("2024-05-03 11:00")
    assert b2["recovered_at"] == utc("2024-05-03 11:45")
    assert b2["resolved_at"] == utc("2024-05-03 12:10")
    assert frame.loc[frame["incident_id"] == "c3", "exclude_reason"].item() == MAINTENANCE


@pytest.mark.parametrize("name", ["archive.jsonl", "github_archive.jsonl"])
def test_json_lines_array_and_gzip_read_alike(tmp_path, fixtures, name):
    source = fixtures / "statuspage" / name
    expected = read_export(source, source="statuspage")
    records = _records(source)
    as_list = read_export(_write_list(tmp_path, records), source="statuspage")
    gz = tmp_path / (name + ".gz")
    gz.write_bytes(gzip.compress(source.read_bytes()))
    pd.testing.assert_frame_equal(as_list, expected)
    pd.testing.assert_frame_equal(read_export(gz, source="statuspage"), expected)


def test_jsonl_with_numeric_ids_and_blank_lines_still_reads(tmp_path, fixtures):
    records = _records(fixtures / "statuspage" / "archive.jsonl")
    records[1]["id"] = 4242
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records[:2]) + "\n\n" + json.dumps(records[3]) + "\n")
    frame = read_export(path, source="statuspage")
    assert frame["incident_id"].tolist() == ["a1", "4242", "c3"]
    assert row(frame, "4242")["recovered_at"] == utc("2024-05-03 11:45")


def test_polled_page_envelopes_in_json_lines(fixtures):
    frame = read_export(fixtures / "statuspage" / "pages.jsonl", source="statuspage")
    assert frame["incident_id"].tolist() == ["x1", "x2", "x1"]
    assert frame["exclude_reason"].notna().tolist() == [True, False, False]
    x1 = row(frame, "x1")
    assert x1["started_at"] == utc("2024-06-01 08:05")
    assert x1["recovered_at"] == utc("2024-06-01 09:20")
    assert x1["resolved_at"] == utc("2024-06-01 09:40")


# ----------------------------------------------------------------------------- time zones


def test_naive_times_are_read_in_the_page_time_zone(fixtures):
    frame = read_export(fixtures / "statuspage" / "naive_page.json", source="statuspage")
    n1 = frame.iloc[0]
    assert n1["started_at"] == utc("2024-01-15 08:50")  # Europe/Berlin, UTC+1 in January
    assert n1["acknowledged_at"] == utc("2024-01-15 09:00")
    assert n1["resolved_at"] == utc("2024-01-15 10:30")


def test_naive_times_without_a_page_need_tz(fixtures):
    path = fixtures / "statuspage" / "naive_list.json"
    with pytest.raises(InputError, match="tz=") as err:
        read_export(path, source="statuspage")
    assert "naive_list.json" in str(err.value)
    frame = read_export(path, source="statuspage", tz="Europe/Berlin")
    assert frame["started_at"].iloc[0] == utc("2024-01-15 08:50")
    new_york = read_export(path, source="statuspage", tz="America/New_York")
    assert new_york["started_at"].iloc[0] == utc("2024-01-15 14:50")


# ----------------------------------------------------------------------------- the GitHub archive


def test_github_archive_shape(fixtures):
    frame = read_export(fixtures / "statuspage" / "github_archive.jsonl", source="statuspage")
    assert len(frame) == 4
    g1 = row(frame, "20001")
    assert g1["title"] == "Incident with Actions and Pages"
    assert g1["started_at"] == utc("2024-04-09 04:05")  # the post-mortem's impact window
    assert g1["detected_at"] == g1["acknowledged_at"] == utc("2024-04-09 04:32")
    assert pd.isna(g1["diagnosed_at"])  # "Update" is no phase change
    assert g1["recovered_at"] == utc("2024-04-09 05:48")  # its end, not the "Monitoring" post (05:30)
    assert g1["service"] == "Actions" and g1["components"] == "Actions, Pages"
    assert g1["impact_start"] == utc("2024-04-09 04:05") and g1["impact_end"] == utc("2024-04-09 05:48")
    assert frame.loc[frame["incident_id"] == "20002", "exclude_reason"].item() == MAINTENANCE
    g3 = row(frame, "20003")  # updates stored newest first
    assert g3["detected_at"] == g3["acknowledged_at"] == utc("2024-04-15 17:45")
    assert g3["severity"] == "critical"
    g4 = row(frame, "20004")
    assert pd.isna(g4["acknowledged_at"]) and g4["detected_at"] == utc("2024-04-20 11:12")
    assert pd.isna(g4["service"])
    assert frame["status"].tolist() == ["resolved", "completed", "resolved", "resolved"]


# ----------------------------------------------------------------------------- post-mortem impact window


def _github(ident: str, updates: list, *, resolved: str | None, window: dict | None = None) -> dict:
    """One record in the GitHub archive's shape: ``started_at`` is the first post."""
    return {
        "id": ident,
        "title": f"Incident {ident}",
        "started_at": min(at for at, _ in updates),
        "resolved_at": resolved,
        "impact": "minor",
        "components": ["Actions"],
        "impact_window": window,
        "updates": [{"at": at, "status": status, "message": "..."} for at, status in updates],
    }


def _window(start: str | None, end: str | None) -> dict:
    out = {"source": "postmortem", "context": "On a day, between two times UTC, Actions was degraded."}
    if start is not None:
        out["start_at"] = start
    if end is not None:
        out["end_at"] = end
    return out


def _read_github(tmp_path: Path, records: list, layout: str = "jsonl", **options) -> pd.DataFrame:
    if layout == "jsonl":  # read by Arrow
        path = _write_lines(tmp_path, records)
    else:  # read by json
        path = _write_list(tmp_path, records)
    return read_export(path, source="statuspage", **options)


_POSTED = [
    ("2024-04-09T04:32:00Z", "Investigating"),
    ("2024-04-09T05:30:00Z", "Monitoring"),
    ("2024-04-09T06:10:00Z", "Resolved"),
]


@pytest.mark.parametrize("layout", ["jsonl", "list"])
def test_impact_window_starts_the_clock_and_ends_the_recovery(tmp_path, layout):
    records = [
        _github(
            "w1",
            _POSTED,
            resolved="2024-04-09T06:10:00Z",
            window=_window("2024-04-09T04:05:00Z", "2024-04-09T05:48:00Z"),
        ),
        _github("w2", _POSTED, resolved="2024-04-09T06:10:00Z"),  # no post-mortem
    ]
    frame = _read_github(tmp_path, records, layout)
    w1 = row(frame, "w1")
    assert w1["started_at"] == utc("2024-04-09 04:05")  # impact_window.start_at, not the first post
    assert w1["detected_at"] == w1["acknowledged_at"] == utc("2024-04-09 04:32")
    assert w1["recovered_at"] == utc("2024-04-09 05:48")  # impact_window.end_at, not "Monitoring"
    assert w1["resolved_at"] == utc("2024-04-09 06:10")
    # Where the values came from: the window is kept beside them, equal to them where used.
    assert w1["impact_start"] == w1["started_at"] and w1["impact_end"] == w1["recovered_at"]
    w2 = row(frame, "w2")
    assert w2["started_at"] == w2["detected_at"] == utc("2024-04-09 04:32")
    assert w2["recovered_at"] == utc("2024-04-09 05:30")  # capitalised "Monitoring"
    assert pd.isna(w2["impact_start"]) and pd.isna(w2["impact_end"])
    assert "note" not in frame.columns  # a window used as it is needs no remark
    durations = phase_durations(frame).set_index("incident_id")
    assert durations.loc["w1", "time_to_recover"] == pd.Timedelta(minutes=103)
    assert durations.loc["w1", "time_to_detect"] == pd.Timedelta(minutes=27)
    assert not durations.loc["w1", "recovery_is_resolution"]
    assert durations.loc["w2", "time_to_recover"] == pd.Timedelta(minutes=58)
    assert check_incidents(frame).empty


def test_an_api_record_with_a_window_and_the_detection_lag_from_the_first_post(tmp_path, fixtures):
    doc = json.loads((fixtures / "statuspage" / "incidents.json").read_text())
    p1 = next(r for r in doc["incidents"] if r["id"] == "p1abc0apierr")  # started_at back-dated to 07:25
    p1["impact_window"] = {"start_at": "2024-03-10T01:10:00.000-06:00", "end_at": "2024-03-10T03:20:00-05:00"}
    path = tmp_path / "incidents.json"
    path.write_text(json.dumps(doc))
    frame = read_export(path, source="statuspage")
    got = row(frame, "p1abc0apierr")
    assert got["started_at"] == utc("2024-03-10 07:10") and got["recovered_at"] == utc("2024-03-10 08:20")
    assert got["detected_at"] == utc("2024-03-10 07:40:12.114")  # created_at: the first post
    lag = detection_lag(frame).iloc[0]
    assert lag["with_window"] == 1 and lag["implausible"] == 0
    assert lag["median"] == pytest.approx(30 + 12.114 / 60)  # from the first post, not the back-dated start


@pytest.mark.parametrize("layout", ["jsonl", "list"])
def test_a_window_starting_after_the_first_post_is_used_and_the_order_check_says_so(tmp_path, layout):
    posted = [("2025-02-27T11:28:00Z", "Investigating"), ("2025-02-27T12:22:00Z", "Resolved")]
    window = _window("2025-02-27T11:30:00Z", "2025-02-27T12:22:00Z")
    frame = _read_github(
        tmp_path, [_github("late", posted, resolved="2025-02-27T12:22:00Z", window=window)], layout
    )
    late = row(frame, "late")
    assert late["started_at"] == utc("2025-02-27 11:30")  # the post-mortem, though the post came first
    assert late["detected_at"] == utc("2025-02-27 11:28")
    assert late["note"] == (
        "impact_window.start_at (2025-02-27 11:30 UTC) is after the first post (2025-02-27 11:28 UTC): "
        "started_at taken from the post-mortem all the same; the time to detect is not measured"
    )
    durations = phase_durations(frame).iloc[0]
    assert durations["time_to_recover"] == pd.Timedelta(minutes=52)  # the post-mortem's window
    assert pd.isna(durations["time_to_detect"])  # never negative
    findings = check_incidents(frame)
    order = findings.loc[findings["column"] == "detected_at"]
    assert order["level"].tolist() == ["error"]
    assert order["problem"].item().startswith("detected_at (2025-02-27 11:28:00 UTC) is before started_at")


@pytest.mark.parametrize("layout", ["jsonl", "list"])
def test_a_window_ending_after_the_resolution_keeps_both(tmp_path, layout):
    posted = [("2026-04-09T09:50:00Z", "Investigating"), ("2026-04-09T10:15:00Z", "Resolved")]
    window = _window("2026-04-09T09:05:00Z", "2026-04-09T19:05:00Z")
    frame = _read_github(
        tmp_path, [_github("waves", posted, resolved="2026-04-09T10:15:00Z", window=window)], layout
    )
    waves = row(frame, "waves")
    assert waves["started_at"] == utc("2026-04-09 09:05")
    assert waves["recovered_at"] == utc("2026-04-09 19:05")  # the impact's end, as the post-mortem says
    assert waves["resolved_at"] == utc("2026-04-09 10:15")  # the page's resolution, as recorded
    assert waves["note"] == (
        "impact_window.end_at (2026-04-09 19:05 UTC) is after resolved_at (2026-04-09 10:15 UTC): "
        "recovered_at taken from the post-mortem; the page was resolved before the impact ended"
    )
    durations = phase_durations(frame).iloc[0]
    assert durations["time_to_recover"] == pd.Timedelta(hours=10)
    assert durations["time_to_resolve"] == pd.Timedelta(minutes=70)
    assert pd.isna(durations["followup"])
    findings = check_incidents(frame)
    assert findings.loc[findings["column"] == "resolved_at", "level"].tolist() == ["error"]


@pytest.mark.parametrize("layout", ["jsonl", "list"])
def test_a_window_ending_before_the_first_post_is_a_late_post(tmp_path, layout):
    # Posted the day after the impact ended (as GitHub did for 27843035).
    posted = [("2026-01-01T21:24:00Z", "Investigating"), ("2026-01-01T22:31:00Z", "Resolved")]
    window = _window("2025-12-31T04:00:00Z", "2025-12-31T22:31:00Z")
    frame = _read_github(
        tmp_path, [_github("late", posted, resolved="2026-01-01T22:31:00Z", window=window)], layout
    )
    late = row(frame, "late")
    assert late["started_at"] == utc("2025-12-31 04:00") and late["recovered_at"] == utc("2025-12-31 22:31")
    assert late["detected_at"] == utc("2026-01-01 21:24")
    assert late["note"] == (
        "impact_window.end_at (2025-12-31 22:31 UTC) is before the first post (2026-01-01 21:24 UTC): "
        "recovered_at taken from the post-mortem; the page posted the incident after the impact ended"
    )
    durations = phase_durations(frame).iloc[0]
    assert durations["time_to_recover"] == pd.Timedelta(hours=18, minutes=31)  # the impact, not the posts
    assert not durations["recovery_is_resolution"]
    assert durations["time_to_detect"] == pd.Timedelta(hours=41, minutes=24)
    findings = check_incidents(frame)
    assert (findings["column"] == "recovered_at").sum() == 1  # the order check says it too


@pytest.mark.parametrize("layout", ["jsonl", "list"])
def test_a_window_with_one_end_sets_that_milestone_only(tmp_path, layout):
    resolved = "2024-04-09T06:10:00Z"
    records = [
        _github("start", _POSTED, resolved=resolved, window=_window("2024-04-09T04:05:00Z", None)),
        _github("end", _POSTED, resolved=resolved, window=_window(None, "2024-04-09T05:48:00Z")),
        _github("nulls", _POSTED, resolved=resolved, window={"start_at": None, "end_at": None}),
    ]
    frame = _read_github(tmp_path, records, layout)
    start = row(frame, "start")
    assert start["started_at"] == utc("2024-04-09 04:05")
    assert start["recovered_at"] == utc("2024-04-09 05:30")  # as posted: Monitoring
    assert start["note"] == (
        "impact_window has no end_at: started_at taken from the post-mortem, recovered_at as posted"
    )
    end = row(frame, "end")
    assert end["started_at"] == utc("2024-04-09 04:32")  # as posted: the first post
    assert end["recovered_at"] == utc("2024-04-09 05:48")
    assert end["note"] == (
        "impact_window has no start_at: recovered_at taken from the post-mortem, started_at as posted"
    )
    nulls = row(frame, "nulls")  # an empty window is no window
    assert nulls["started_at"] == utc("2024-04-09 04:32") and nulls["recovered_at"] == utc("2024-04-09 05:30")
    assert pd.isna(nulls["note"])


@pytest.mark.parametrize(
    ("window", "reason"),
    [
        (
            ("2024-04-09T05:48:00Z", "2024-04-09T04:05:00Z"),
            "it ends before it starts",
        ),
        (  # the post-mortem's year is wrong (seen in the real archive)
            ("2023-04-09T04:05:00Z", "2023-04-09T05:48:00Z"),
            "it lies more than 7 days outside the incident's record (posted 2024-04-09 04:32 UTC, "
            "resolved 2024-04-09 06:10 UTC): mis-dated",
        ),
        (  # twelve hours off (seen in the real archive: 12:53 written for 00:53)
            ("2024-04-09T16:05:00Z", "2024-04-09T17:48:00Z"),
            "it starts after the incident was resolved (2024-04-09 06:10 UTC): mis-dated",
        ),
    ],
)
def test_a_window_that_does_not_fit_the_record_is_not_used(tmp_path, window, reason):
    frame = _read_github(
        tmp_path, [_github("odd", _POSTED, resolved="2024-04-09T06:10:00Z", window=_window(*window))]
    )
    odd = row(frame, "odd")
    assert odd["started_at"] == utc("2024-04-09 04:32") and odd["recovered_at"] == utc("2024-04-09 05:30")
    assert odd["impact_start"] == utc(window[0]) and odd["impact_end"] == utc(window[1])  # kept, not used
    shown = " – ".join(pd.Timestamp(t).strftime("%Y-%m-%d %H:%M UTC") for t in window)
    assert odd["note"] == f"impact_window ({shown}) not used: {reason}; started_at and recovered_at as posted"


@pytest.mark.parametrize("layout", ["jsonl", "list"])
def test_a_window_without_offsets_is_read_like_every_other_naive_time(tmp_path, layout):
    window = _window("2024-04-09T06:05:00", "2024-04-09T07:48:00")  # no offset, the rest in Z
    records = [_github("naive", _POSTED, resolved="2024-04-09T06:10:00Z", window=window)]
    with pytest.raises(InputError, match="tz=") as err:
        _read_github(tmp_path, records, layout)
    assert "impact_window.start_at" in str(err.value)
    frame = _read_github(tmp_path, records, layout, tz="Europe/Berlin")  # CEST, UTC+2
    naive = row(frame, "naive")
    assert naive["started_at"] == utc("2024-04-09 04:05") and naive["recovered_at"] == utc("2024-04-09 05:48")
    assert naive["detected_at"] == utc("2024-04-09 04:32")  # offsets in the data win over tz=


# ----------------------------------------------------------------------------- recognising


@pytest.mark.parametrize(
    "name",
    [
        "incidents.json",
        "archive.jsonl",
        "pages.jsonl",
        "naive_page.json",
        "naive_list.json",
        "github_archive.jsonl",
    ],
)
def test_auto_detects_statuspage(fixtures, name):
    path = fixtures / "statuspage" / name
    assert detect_source(path)[0] == "statuspage"
    options = {"tz": "UTC"} if name == "naive_list.json" else {}
    assert (read_export(path, source="auto", **options)["source"] == "statuspage").all()


def test_sniff_leaves_other_exports_alone(tmp_path, fixtures):
    assert statuspage.sniff(sample_of(fixtures / "gcp_status" / "incidents.json")) is None
    assert gcp_status.sniff(sample_of(fixtures / "statuspage" / "incidents.json")) is None
    csv = tmp_path / "downtime.csv"
    csv.write_text(
        "incident_id,downtime_start,downtime_end,impact\n1,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z,minor\n"
    )
    assert statuspage.sniff(sample_of(csv)) is None
    pagerduty_like = _write_list(
        tmp_path,
        [{"id": "Q1", "created_at": "2024-01-01T00:00:00Z", "urgency": "high", "status": "resolved"}],
    )
    assert statuspage.sniff(sample_of(pagerduty_like)) is None
    odd_impact = _write_list(tmp_path, [{"id": "1", "impact": "huge", "updates": []}], "odd.json")
    assert statuspage.sniff(sample_of(odd_impact)) is None


# ----------------------------------------------------------------------------- errors


def test_bad_update_time_names_record_update_and_field(tmp_path, fixtures):
    records = _records(fixtures / "statuspage" / "archive.jsonl")
    records[1]["incident_updates"][1]["display_at"] = "yesterday afternoon"
    for path in (_write_list(tmp_path, records), _write_lines(tmp_path, records)):
        with pytest.raises(InputError) as err:
            read_export(path, source="statuspage")
        message = str(err.value)
        assert path.name in message
        assert "record 2 (id b2), update 2" in message
        assert "incident_updates" in message and "yesterday afternoon" in message


def test_bad_incident_time_names_the_field(tmp_path, fixtures):
    records = _records(fixtures / "statuspage" / "archive.jsonl")
    records[2]["resolved_at"] = "2024-13-45"
    with pytest.raises(InputError, match=r"record 3.*'resolved_at'.*2024-13-45"):
        read_export(_write_lines(tmp_path, records), source="statuspage")


@pytest.mark.parametrize(
    ("mutate", "pattern"),
    [
        (lambda r: r[0]["incident_updates"].__setitem__(1, "identified"), r"record 1 \(id a1\), update 2"),
        (lambda r: r[0].__setitem__("incident_updates", "none"), r"record 1 \(id a1\).*'incident_updates'"),
        (lambda r: r[1].__setitem__("components", "Web"), r"record 2 \(id b2\).*'components'"),
        (lambda r: r.__setitem__(2, ["not", "an", "object"]), r"record 3.*not a JSON object"),
    ],
)
def test_malformed_records_raise_input_errors(tmp_path, fixtures, mutate, pattern):
    records = _records(fixtures / "statuspage" / "archive.jsonl")
    mutate(records)
    for path in (_write_list(tmp_path, records), _write_lines(tmp_path, records)):
        with pytest.raises(InputError, match=pattern):
            read_export(path, source="statuspage")


def test_truncated_and_foreign_documents(tmp_path, fixtures):
    text = (fixtures / "statuspage" / "incidents.json").read_text()
    cut = tmp_path / "cut.json"
    cut.write_text(text[: len(text) // 2])
    with pytest.raises(InputError, match="not valid JSON"):
        read_export(cut, source="statuspage")
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"data": {"total": 3}}))
    with pytest.raises(InputError, match="no Statuspage incidents"):
        read_export(other, source="statuspage")
    empty = tmp_path / "empty.json"
    empty.write_text("  \n")
    with pytest.raises(InputError, match="empty"):
        read_export(empty, source="statuspage")


# ----------------------------------------------------------------------------- real data


def _minutes(later: str, earlier: str) -> float:
    parse = datetime.fromisoformat
    return (parse(later.replace("Z", "+00:00")) - parse(earlier.replace("Z", "+00:00"))).total_seconds() / 60


def test_real_github_status_archive(real_data):
    path = real_data / "github_status_incidents.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        raw = [json.loads(line) for line in fh if line.strip()]
    maintenance = [r for r in raw if r["impact"] == "maintenance"]
    incidents = [r for r in raw if r["impact"] != "maintenance"]
    assert (len(raw), len(maintenance)) == (819, 18)

    frame = read_export(path, source="auto")
    assert len(frame) == len(raw)
    assert (frame["source"] == "statuspage").all()
    assert frame["incident_id"].tolist() == [r["id"] for r in raw]
    excluded = frame.loc[frame["exclude_reason"].notna(), "incident_id"]
    assert sorted(excluded) == sorted(r["id"] for r in maintenance)
    assert (frame["exclude_reason"].dropna() == MAINTENANCE).all()

    starts = sorted(datetime.fromisoformat(r["started_at"].replace("Z", "+00:00")) for r in raw)
    assert frame["started_at"].min() == pd.Timestamp(starts[0])
    assert frame["started_at"].max() == pd.Timestamp(starts[-1])
    assert frame["started_at"].min().year == 2022 and frame["started_at"].max().year == 2026

    live = frame.loc[frame["exclude_reason"].isna()]
    posted = live["impact_start"].isna()  # no post-mortem window: the clock starts at the first post
    expected = statistics.median(
        _minutes(r["resolved_at"], r["started_at"]) for r in incidents if not r.get("impact_window")
    )
    got = ((live["resolved_at"] - live["started_at"])[posted].dt.total_seconds() / 60).median()
    assert got == pytest.approx(expected)

    with_investigating = {
        r["id"] for r in incidents if any(u["status"] == "Investigating" for u in r["updates"])
    }
    assert set(live.loc[live["acknowledged_at"].notna(), "incident_id"]) == with_investigating
    first_post = {r["id"]: min(u["at"] for u in r["updates"]) for r in raw}
    assert (frame["detected_at"] == pd.to_datetime(frame["incident_id"].map(first_post), utc=True)).all()
    severities = live["severity"].astype("str").value_counts().to_dict()
    impacts = pd.Series([r["impact"] for r in incidents]).value_counts().to_dict()
    assert severities == {
        "medium": impacts["minor"],
        "high": impacts["major"],
        "low": impacts["none"],
        "critical": impacts["critical"],
    }
    assert frame["impact_start"].notna().sum() == sum(1 for r in raw if r.get("impact_window"))


def test_real_github_archive_clock_starts_at_the_post_mortem_window(real_data):
    path = real_data / "github_status_incidents.jsonl.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        windows = {r["id"]: r["impact_window"] for r in map(json.loads, fh) if r.get("impact_window")}
    frame = read_export(path, source="auto")
    live = frame.loc[frame["exclude_reason"].isna()].set_index("incident_id")
    with_window = live.loc[live["impact_start"].notna()]
    assert set(with_window.index) == set(windows)
    unused = with_window["note"].str.contains("not used", na=False)
    assert 0 < unused.sum() <= 5  # mis-dated post-mortems (a wrong year, month or half-day)
    used = with_window.loc[~unused]
    assert (used["started_at"] == used["impact_start"]).all()
    assert (used["recovered_at"] == used["impact_end"]).all()
    assert (with_window.loc[unused, "started_at"] != with_window.loc[unused, "impact_start"]).all()

    durations = phase_durations(frame).set_index("incident_id")
    took = durations.loc[used.index, "time_to_recover"]
    assert (took == used["impact_end"] - used["impact_start"]).all()  # the customer impact
    assert not durations.loc[used.index, "recovery_is_resolution"].any()

    one = live.loc["19850844"]  # "between 01:00 UTC and 14:00 UTC the Avatars service was degraded"
    assert one["started_at"] == utc("2024-01-28 01:00") and one["recovered_at"] == utc("2024-01-28 14:00")
    assert one["detected_at"] == utc("2024-01-28 13:20")  # the first post
    assert "| Customer impact | 13 h |" in postmortem_markdown(frame, "19850844")

    lag = detection_lag(frame).iloc[0]  # measured from the first post, so not 0
    assert lag["with_window"] == len(windows) and lag["median"] > 30


def test_real_downtime_csv_is_not_claimed(real_data):
    sample = sample_of(real_data / "github_status_downtime_windows.csv")
    assert statuspage.sniff(sample) is None
    assert gcp_status.sniff(sample) is None


# ----------------------------------------------------------------------------- summary.json and polling


def _summary(fixtures: Path) -> dict:
    """A ``summary.json`` built from the fixture page: open incidents, maintenances, components."""
    doc = json.loads((fixtures / "statuspage" / "incidents.json").read_text())
    maintenances = [r for r in doc["incidents"] if r["impact"] == "maintenance"]
    upcoming = {
        **maintenances[0],
        "id": "m2upcoming",
        "status": "scheduled",
        "impact": "none",  # upcoming maintenances carry an impact like incidents
        "incident_updates": [],
    }
    return {
        "page": doc["page"],
        "components": [{"id": "c1", "name": "API", "status": "operational"}],
        "incidents": [r for r in doc["incidents"] if r["impact"] != "maintenance"],
        "scheduled_maintenances": [
            *maintenances,
            {k: v for k, v in upcoming.items() if k != "scheduled_for"},
        ],
        "status": {"indicator": "minor", "description": "Minor Service Outage"},
    }


def test_summary_json_reads_maintenances_as_excluded_records(tmp_path, fixtures):
    summary = _summary(fixtures)
    path = tmp_path / "summary.json"
    path.write_text(json.dumps(summary))
    assert detect_source(path)[0] == "statuspage"
    frame = read_export(path)
    incidents, maintenances = summary["incidents"], summary["scheduled_maintenances"]
    assert len(frame) == len(incidents) + len(maintenances)  # read = kept + excluded
    excluded = frame.loc[frame["exclude_reason"].notna()]
    assert sorted(excluded["incident_id"]) == sorted(m["id"] for m in maintenances)
    assert set(excluded["exclude_reason"]) == {MAINTENANCE}  # even one without scheduled_for
    assert sorted(frame.loc[frame["exclude_reason"].isna(), "incident_id"]) == sorted(
        i["id"] for i in incidents
    )
    findings = check_incidents(frame)
    assert (findings["problem"] == MAINTENANCE).sum() == len(maintenances)


def _polls(fixtures: Path, count: int) -> list[dict]:
    """``count`` snapshots of the fixture page, taken 10 minutes apart, each saying when."""
    doc = json.loads((fixtures / "statuspage" / "incidents.json").read_text())
    start = pd.Timestamp("2024-03-20 18:00", tz="UTC")
    snapshots = []
    for i in range(count):
        taken = start + pd.Timedelta(minutes=10 * i)
        incidents = []
        for record in doc["incidents"]:
            copy = json.loads(json.dumps(record))
            copy["updated_at"] = (taken - pd.Timedelta(minutes=1)).isoformat()
            incidents.append(copy)
        snapshots.append({"fetched_at": taken.isoformat(), "page": doc["page"], "incidents": incidents})
    return snapshots


def test_a_polling_history_is_one_finding_and_the_poll_time_is_as_of(tmp_path, fixtures):
    snapshots = _polls(fixtures, 12)
    path = _write_lines(tmp_path, snapshots, "polls.jsonl")
    frame = read_export(path)
    records = snapshots[0]["incidents"]
    distinct = sum(r["impact"] != "maintenance" for r in records)
    assert len(frame) == 12 * len(records)  # every copy is a row: read = kept + excluded
    reasons = frame["exclude_reason"]
    copies = int(reasons.eq(statuspage.POLLED_REASON).sum())
    assert copies == 11 * distinct  # a maintenance's copies keep their own reason
    assert reasons.isna().sum() == distinct
    assert (reasons == MAINTENANCE).sum() == 12 * (len(records) - distinct)
    findings = check_incidents(frame)
    merged = findings[findings["problem"].str.contains("merged, latest kept")]
    assert merged["problem"].tolist() == [
        f"{copies} repeated records of {distinct} incidents merged, latest kept (a polling history)"
    ]
    assert not findings["problem"].str.startswith("an earlier snapshot").any()  # not one per copy
    last_poll = pd.Timestamp(snapshots[-1]["fetched_at"])
    assert default_as_of(frame) == last_poll
    durations = phase_durations(frame)
    still_open = durations.loc[durations["is_open"]]
    assert len(still_open) == 1
    detected = frame.loc[frame["exclude_reason"].isna() & frame["resolved_at"].isna(), "detected_at"].item()
    assert still_open["open_for"].item() == last_poll - detected  # censored at the last poll


def test_without_a_poll_time_the_page_update_bounds_as_of(tmp_path, fixtures):
    snapshots = _polls(fixtures, 2)
    for snapshot in snapshots:
        del snapshot["fetched_at"]
    frame = read_export(_write_lines(tmp_path, snapshots, "polls.jsonl"))
    page_updated = pd.Timestamp(snapshots[0]["page"]["updated_at"]).tz_convert("UTC")
    assert frame.attrs[AS_OF_ATTR] == page_updated
    assert default_as_of(frame) == max(page_updated, frame[list(MILESTONES)].max().max())
    archive = read_export(fixtures / "statuspage" / "archive.jsonl")  # no envelope: the data's latest
    assert AS_OF_ATTR not in archive.attrs


def test_snapshots_saved_file_by_file_are_one_polling_history(tmp_path, fixtures):
    snapshots = _polls(fixtures, 3)
    folder = tmp_path / "polls"
    folder.mkdir()
    for i, snapshot in enumerate(snapshots):
        (folder / f"summary_{i}.json").write_text(json.dumps(snapshot))
    frame = read_export(folder)
    records = snapshots[0]["incidents"]
    distinct = sum(r["impact"] != "maintenance" for r in records)
    assert len(frame) == 3 * len(records)
    assert int(frame["exclude_reason"].eq(statuspage.POLLED_REASON).sum()) == 2 * distinct
    findings = check_incidents(frame)
    merged = findings[findings["problem"].str.contains("merged, latest kept")]
    assert merged["problem"].tolist() == [  # one for the export, not one per copy or per file
        f"{2 * distinct} repeated records of {distinct} incidents merged, latest kept "
        "(a polling history in 2 files)"
    ]
    assert default_as_of(frame) == pd.Timestamp(snapshots[-1]["fetched_at"])
