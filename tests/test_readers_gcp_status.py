"""The Google Cloud status reader (``incidents.json``)."""

from __future__ import annotations

import copy
import gzip
import json
import statistics
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from mttr_lab.io import detect_source, read_export
from mttr_lab.readers import gcp_status, statuspage
from mttr_lab.readers._files import sample_of
from mttr_lab.schema import INCIDENT_COLUMNS, InputError


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


@pytest.fixture
def path(fixtures: Path) -> Path:
    return fixtures / "gcp_status" / "incidents.json"


@pytest.fixture
def frame(path: Path) -> pd.DataFrame:
    return read_export(path, source="gcp_status")


def by_id(frame: pd.DataFrame, incident_id: str) -> pd.Series:
    hits = frame.loc[(frame["incident_id"] == incident_id) & frame["exclude_reason"].isna()]
    assert len(hits) == 1
    return hits.iloc[0]


def test_reads_every_record(frame):
    assert len(frame) == 5
    assert list(frame.columns[: len(INCIDENT_COLUMNS)]) == list(INCIDENT_COLUMNS)
    assert list(frame.columns[len(INCIDENT_COLUMNS) :]) == [
        "status_impact",
        "products",
        "available_at",
        "uri",
    ]
    assert (frame["source"] == "gcp_status").all()
    assert str(frame["available_at"].dtype) == "datetime64[us, UTC]"


def test_begin_created_end(frame):
    closed = by_id(frame, "Mlt3zS9CdEfGhIjKlM56")
    assert closed["started_at"] == utc("2022-06-28 14:05")
    assert closed["detected_at"] == utc("2022-06-28 14:52:30")
    assert closed["resolved_at"] == utc("2022-06-28 17:20")
    assert closed["title"] == "Multiple products impacted by a networking issue in europe-west1"
    for name in ("acknowledged_at", "diagnosed_at", "recovered_at"):
        assert frame[name].isna().all()


def test_absent_or_empty_end_is_open(frame):
    assert pd.isna(by_id(frame, "Opn1xQ7AbCdEfGhIjK12")["resolved_at"])  # no "end" key
    assert pd.isna(by_id(frame, "Emp2yR8BcDeFgHiJkL34")["resolved_at"])  # "end": ""


def test_available_at_is_the_first_available_update_not_the_report(frame):
    closed = by_id(frame, "Mlt3zS9CdEfGhIjKlM56")
    assert closed["available_at"] == utc("2022-06-28 17:41")  # not the incident report of 1 July
    assert pd.isna(by_id(frame, "Opn1xQ7AbCdEfGhIjK12")["available_at"])


def test_service_products_and_severity(frame):
    multi = by_id(frame, "Mlt3zS9CdEfGhIjKlM56")
    assert multi["service"] == "Multiple Products"
    assert multi["products"] == "Google Compute Engine, Cloud Load Balancing"
    assert multi["severity"] == "high" and multi["status_impact"] == "SERVICE_OUTAGE"
    no_name = by_id(frame, "Dup4aT0DeFgHiJkLmN78")  # no service_name: first product
    assert no_name["service"] == "Google BigQuery"
    assert frame.set_index("record")["severity"].astype("str").to_dict() == {
        1: "medium",
        2: "low",
        3: "high",
        4: "medium",
        5: "medium",
    }


def test_duplicates_keep_the_latest_modified(frame):
    dup = frame.loc[frame["incident_id"] == "Dup4aT0DeFgHiJkLmN78"]
    assert dup["record"].tolist() == [4, 5]
    assert dup["exclude_reason"].isna().tolist() == [True, False]  # the later line is the older version
    assert by_id(frame, "Dup4aT0DeFgHiJkLmN78")["resolved_at"] == utc("2022-06-20 12:00")


def test_severity_map_override(path):
    custom = read_export(path, source="gcp_status", severity_map={"low": "medium"})
    assert by_id(custom, "Emp2yR8BcDeFgHiJkL34")["severity"] == "medium"


def test_auto_detection_and_gzip(tmp_path, path, frame):
    assert detect_source(path)[0] == "gcp_status"
    gz = tmp_path / "incidents.json.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    pd.testing.assert_frame_equal(read_export(gz, source="auto"), frame)
    assert statuspage.sniff(sample_of(path)) is None


def test_sniff_does_not_claim_other_exports(tmp_path, fixtures):
    for name in ("incidents.json", "archive.jsonl", "github_archive.jsonl"):
        assert gcp_status.sniff(sample_of(fixtures / "statuspage" / name)) is None
    other = tmp_path / "other.json"
    other.write_text(json.dumps([{"id": "1", "begin": "2022-01-01T00:00:00+00:00", "title": "x"}]))
    assert gcp_status.sniff(sample_of(other)) is None


@pytest.mark.parametrize(
    ("mutate", "pattern"),
    [
        (lambda r: r[2].__setitem__("begin", "June 28"), r"record 3.*'begin'.*June 28"),
        (
            lambda r: r[2]["updates"][1].__setitem__("when", "later"),
            r"record 3 \(id Mlt3zS9CdEfGhIjKlM56\), update 2",
        ),
        (lambda r: r[0]["updates"].__setitem__(0, "AVAILABLE"), r"record 1 .*update 1.*not a JSON object"),
        (lambda r: r[1].__setitem__("affected_products", "Pub/Sub"), r"record 2 .*'affected_products'"),
        (lambda r: r.__setitem__(3, "incident"), r"record 4.*not a JSON object"),
    ],
)
def test_malformed_input_raises_input_error(tmp_path, path, mutate, pattern):
    records = copy.deepcopy(json.loads(path.read_text()))
    mutate(records)
    bad = tmp_path / "incidents.json"
    bad.write_text(json.dumps(records))
    with pytest.raises(InputError, match=pattern):
        read_export(bad, source="gcp_status")


def test_truncated_file(tmp_path, path):
    cut = tmp_path / "incidents.json"
    cut.write_text(path.read_text()[:500])
    with pytest.raises(InputError, match="not valid JSON"):
        read_export(cut, source="gcp_status")


def test_real_gcp_snapshot(real_data):
    path = real_data / "gcp_status_incidents_2022-07-03.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        raw = json.load(fh)
    assert len(raw) == 157
    frame = read_export(path, source="auto")
    assert len(frame) == 157
    assert (frame["source"] == "gcp_status").all()
    assert frame["exclude_reason"].isna().all()
    assert frame["incident_id"].tolist() == [r["id"] for r in raw]

    def minutes(later: str, earlier: str) -> float:
        return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds() / 60

    closed = [r for r in raw if r.get("end")]
    expected = statistics.median(minutes(r["end"], r["begin"]) for r in closed)
    got = ((frame["resolved_at"] - frame["started_at"]).dt.total_seconds() / 60).median()
    assert got == pytest.approx(expected)
    detect = statistics.median(minutes(r["created"], r["begin"]) for r in raw)
    assert ((frame["detected_at"] - frame["started_at"]).dt.total_seconds() / 60).median() == pytest.approx(
        detect
    )

    begins = sorted(datetime.fromisoformat(r["begin"]) for r in raw)
    assert frame["started_at"].min() == pd.Timestamp(begins[0])
    assert frame["started_at"].max() == pd.Timestamp(begins[-1])
    assert frame["resolved_at"].notna().sum() == len(closed)

    counts = pd.Series([r["severity"] for r in raw]).value_counts().to_dict()
    assert frame["severity"].astype("str").value_counts().to_dict() == counts
    with_available = sum(1 for r in raw if any(u["status"] == "AVAILABLE" for u in r["updates"]))
    assert frame["available_at"].notna().sum() == with_available
    assert frame["recovered_at"].isna().all()
