"""The FireHydrant reader, on a hand-written page and on the bundled sample."""

from __future__ import annotations

import json

import pandas as pd
from conftest import SAMPLE

import mttr_lab as mttr
from mttr_lab.readers import firehydrant
from mttr_lab.readers._files import sample_of
from mttr_lab.schema import INCIDENT_COLUMNS

#: A page past the last one, in FireHydrant's envelope.
EMPTY_PAGE = {
    "data": [],
    "pagination": {"count": 0, "page": 2, "items": 20, "pages": 1, "last": 1, "prev": 1, "next": None},
}


def test_milestones_map_one_to_one(fixtures):
    incidents = mttr.read_export(fixtures / "firehydrant" / "incidents_page.json", source="firehydrant")
    first = incidents.set_index("incident_id").loc["b1c9e0c2-5a39-4c55-9a57-2f5e0c5f0a11"]
    assert first["started_at"] == pd.Timestamp("2024-06-03 08:00", tz="UTC")
    assert first["detected_at"] == pd.Timestamp("2024-06-03 08:04", tz="UTC")
    assert first["acknowledged_at"] == pd.Timestamp("2024-06-03 08:06", tz="UTC")
    assert first["diagnosed_at"] == pd.Timestamp("2024-06-03 08:30", tz="UTC")
    assert first["recovered_at"] == pd.Timestamp("2024-06-03 08:45", tz="UTC")
    assert first["resolved_at"] == pd.Timestamp("2024-06-03 09:15", tz="UTC")
    assert first["severity"] == "critical" and first["service"] == "checkout" and first["team"] == "payments"


def test_reopened_test_and_canceled(fixtures):
    incidents = mttr.read_export(fixtures / "firehydrant" / "incidents_page.json", source="auto")
    by_id = incidents.set_index("incident_id")
    assert incidents["source"].unique().tolist() == ["firehydrant"]
    reopened = by_id.loc["0f3e1c77-1d8e-4d5c-8f0e-3c7c1e2d9b22"]
    assert pd.isna(reopened["resolved_at"])  # current milestone is mitigated again
    assert by_id.loc["7a5d2b10-9c1f-4e6b-b3a4-1e2f3a4b5c33", "exclude_reason"].startswith("test or game-day")
    assert by_id.loc["c3d4e5f6-0a1b-4c2d-8e3f-4a5b6c7d8e44", "exclude_reason"] == "canceled incident"
    assert by_id.loc["0f3e1c77-1d8e-4d5c-8f0e-3c7c1e2d9b22", "severity"] == "low"
    durations = mttr.phase_durations(incidents)
    assert len(durations) == 2


def test_bundled_sample_reads_completely():
    incidents = mttr.read_export(SAMPLE, source="auto")
    assert len(incidents) == 1501
    findings = mttr.check_incidents(incidents)
    durations = mttr.phase_durations(incidents)
    excluded = (findings["action"] == "excluded from analysis").sum()
    assert len(durations) + excluded == len(incidents)
    assert excluded == 2
    assert durations["is_open"].sum() >= 10


def _incident(ident: str, current: str, *stones: tuple[str, str | None]) -> dict:
    return {
        "id": ident,
        "name": ident,
        "severity": "SEV2",
        "current_milestone": current,
        "created_at": "2024-06-03T08:04:00Z",
        "milestones": [{"type": kind, "occurred_at": at} for kind, at in stones],
        "tag_list": [],
    }


def test_ended_without_resolved_time(tmp_path):
    started = ("started", "2024-06-03T08:00:00Z")
    records = [
        # Past resolved, resolved time null: the postmortem's start bounds the resolution.
        _incident(
            "fh-bound",
            "postmortem_completed",
            started,
            ("resolved", None),
            ("postmortem_started", "2024-06-03T12:00:00Z"),
            ("postmortem_completed", "2024-06-04T12:00:00Z"),
        ),
        # Resolved, no resolved milestone and nothing later: excluded, not open.
        _incident("fh-none", "resolved", started, ("mitigated", "2024-06-03T09:00:00Z")),
        # Ordinary open incidents stay open.
        _incident("fh-open", "acknowledged", started, ("acknowledged", "2024-06-03T08:10:00Z")),
        _incident("fh-started", "started", started),
    ]
    path = tmp_path / "fh.json"
    path.write_text(json.dumps({"data": records, "pagination": {"count": 4}}))
    incidents = mttr.read_export(path, source="firehydrant")
    by_id = incidents.set_index("incident_id")
    assert by_id.loc["fh-bound", "resolved_at"] == pd.Timestamp("2024-06-03 12:00", tz="UTC")
    note = by_id.loc["fh-bound", "note"]
    assert "milestones[postmortem_started].occurred_at" in note and "upper bound" in note
    assert pd.isna(by_id.loc["fh-bound", "exclude_reason"])
    assert by_id.loc["fh-none", "exclude_reason"] == (
        "current milestone says resolved but the export holds no resolution time"
    )
    for open_id in ("fh-open", "fh-started"):
        assert pd.isna(by_id.loc[open_id, "resolved_at"]) and pd.isna(by_id.loc[open_id, "exclude_reason"])

    findings = mttr.check_incidents(incidents).set_index("incident_id")
    assert "postmortem_started" in findings.loc["fh-bound", "problem"]
    durations = mttr.phase_durations(incidents).set_index("incident_id")
    assert not durations.loc["fh-bound", "is_open"]
    assert durations.loc[["fh-open", "fh-started"], "is_open"].all()
    assert "fh-none" not in durations.index


def test_webhook_timestamps_written_with_utc_read_as_utc(tmp_path, fixtures):
    """FireHydrant's webhooks and some API answers write ``2023-07-25 13:34:49 UTC``."""
    doc = json.loads((fixtures / "firehydrant" / "incidents_page.json").read_text())
    iso = mttr.read_export(fixtures / "firehydrant" / "incidents_page.json", source="firehydrant")
    for record in doc["data"]:
        for stone in record["milestones"]:
            if stone.get("occurred_at"):
                when = pd.Timestamp(stone["occurred_at"]).tz_convert("UTC")
                stone["occurred_at"] = (
                    when.strftime("%Y-%m-%d %H:%M:%S")
                    + (f".{when.microsecond:06d}" if when.microsecond else "")
                    + " UTC"
                )
        record["created_at"] = pd.Timestamp(record["created_at"]).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    path = tmp_path / "webhook.json"
    path.write_text(json.dumps(doc))
    frame = mttr.read_export(path, source="firehydrant")  # no tz= needed: UTC is written
    pd.testing.assert_frame_equal(frame, iso)


def test_an_empty_page_is_zero_firehydrant_records(fixtures, tmp_path):
    page = tmp_path / "page-1.json"
    page.write_bytes((fixtures / "firehydrant" / "incidents_page.json").read_bytes())
    empty = tmp_path / "page-2.json"
    empty.write_text(json.dumps(EMPTY_PAGE))
    assert mttr.detect_source(empty)[0] == "firehydrant"
    incidents = mttr.read_export(tmp_path)
    alone = mttr.read_export(page)
    assert set(incidents["file"]) == {page.name}
    # the same frame as the page read alone, the export's own columns (number) of the same type
    pd.testing.assert_frame_equal(incidents.drop(columns="file"), alone)


def test_a_folder_of_empty_pages_only_is_an_empty_frame(tmp_path):
    (tmp_path / "page-1.json").write_text(
        json.dumps({**EMPTY_PAGE, "pagination": {**EMPTY_PAGE["pagination"], "page": 1}})
    )
    (tmp_path / "page-2.json").write_text(json.dumps(EMPTY_PAGE))
    incidents = mttr.read_export(tmp_path)
    assert len(incidents) == 0
    assert list(incidents.columns[: len(INCIDENT_COLUMNS)]) == list(INCIDENT_COLUMNS)


def test_empty_data_with_another_pagination_is_not_claimed(tmp_path):
    for n, doc in enumerate(({"data": []}, {"data": [], "pagination": {"count": 0, "page": 1}})):
        path = tmp_path / f"{n}.json"
        path.write_text(json.dumps(doc))
        assert firehydrant.sniff(sample_of(path)) is None, doc
