"""Hostile input: every unusable export is an InputError that says where and why, nothing is lost.

Covers the problems a user test found (epoch seconds mixed with milliseconds, one day-first date
in an ISO column, daylight-saving times resolved silently, implausible years, an unreadable
"found" in the auto-detection message), deeply nested JSON, options a reader does not take,
and the invariants of the statistics on generated exports.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mttr_lab as mttr
from mttr_lab.io import _ReaderFailure
from mttr_lab.readers import available
from mttr_lab.schema import InputError

#: ``mttr-ci`` (default): few examples, derandomized; ``mttr-fuzz``: the long campaign's numbers.
PROFILE = os.environ.get("MTTR_FUZZ_PROFILE", "mttr-ci")
STATS_SETTINGS = settings(
    max_examples=30 if PROFILE == "mttr-ci" else 2000,
    derandomize=PROFILE == "mttr-ci",
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def findings_of(incidents: pd.DataFrame) -> pd.DataFrame:
    return mttr.check_incidents(incidents)


# --------------------------------------------------------------------------- (a) epoch units


def test_epoch_seconds_mixed_with_milliseconds_is_an_error_naming_both_records(tmp_path):
    path = write(
        tmp_path,
        "mixed.csv",
        "incident_id,detected_at,resolved_at\nA,1700000000000,1700000600000\nB,1700003600,1700004200000\n",
    )
    with pytest.raises(InputError) as err:
        mttr.read_export(path)
    message = str(err.value)
    assert "mixed.csv" in message and "row 2" in message and "'detected_at'" in message
    assert "seconds and epoch milliseconds" in message and "1700003600" in message
    assert "row 1 holds 1700000000000" in message


def test_epoch_seconds_or_milliseconds_alone_are_read_by_magnitude(tmp_path):
    seconds = write(tmp_path, "s.csv", "incident_id,detected_at\nA,1700000000\nB,1700003600\n")
    millis = write(tmp_path, "ms.csv", "incident_id,detected_at\nA,1700000000000\nB,1700003600000\n")
    expected = [pd.Timestamp("2023-11-14 22:13:20", tz="UTC"), pd.Timestamp("2023-11-14 23:13:20", tz="UTC")]
    assert mttr.read_export(seconds)["detected_at"].tolist() == expected
    assert mttr.read_export(millis)["detected_at"].tolist() == expected


def test_epoch_out_of_range_is_an_error(tmp_path):
    path = write(tmp_path, "huge.jsonl", '{"incident_id": "A", "detected_at": 1e300}\n')
    with pytest.raises(InputError, match="out of range") as err:
        mttr.read_export(path, source="jsonl")
    assert "huge.jsonl" in str(err.value) and "record 1" in str(err.value)


@pytest.mark.parametrize(
    "value", ["-1.7976931348623157e+308", "1e308", "inf", "-inf", "99999999999999999999"]
)
def test_extreme_numbers_in_a_time_column_are_input_errors(tmp_path, value):
    """Found by the fuzzing campaign: an overflow in the epoch conversion warned instead of saying why."""
    path = write(tmp_path, "extreme.csv", f"incident_id,detected_at\nA,{value}\n")
    with pytest.raises(InputError) as err:
        mttr.read_export(path)
    assert not isinstance(err.value, _ReaderFailure)
    assert "row 1" in str(err.value) and "'detected_at'" in str(err.value)


def test_epoch_column_ending_in_year_10000_is_an_error():
    from mttr_lab.timeparse import parse_epoch

    assert parse_epoch(pd.Series([253402300799]), unit="s").iloc[0] == pd.Timestamp(
        "9999-12-31 23:59:59", tz="UTC"
    )
    with pytest.raises(InputError, match="years 1-9999"):
        parse_epoch(pd.Series([253402300800]), unit="s")


# --------------------------------------------------------------------------- (b) mixed formats


def test_one_day_first_date_in_an_iso_column_says_the_formats_are_mixed(tmp_path):
    path = write(
        tmp_path,
        "mixed_formats.csv",
        "incident_id,detected_at\nA,2025-10-25 09:00\nB,2025-10-25 10:00\nC,26/10/2025 01:00\n",
    )
    with pytest.raises(InputError) as err:
        mttr.read_export(path, tz="UTC")
    message = str(err.value)
    assert "mixes date formats" in message and "row 3" in message and "'26/10/2025 01:00'" in message
    assert "ISO 8601" in message and "29/2/2016" not in message


# --------------------------------------------------------------------------- (c) daylight saving


def test_daylight_saving_rules_leave_a_note_and_a_finding(tmp_path):
    path = write(
        tmp_path,
        "dst.csv",
        "incident_id,detected_at,resolved_at\n"
        "A,2025-10-26 02:30,2025-10-26 05:00\n"
        "B,2025-03-30 02:30,2025-03-30 06:00\n"
        "C,2025-06-01 10:00,2025-06-01 11:00\n",
    )
    incidents = mttr.read_export(path, tz="Europe/Berlin")
    # The rule itself is kept: first occurrence, and shifted forward to 03:00 CEST.
    assert incidents["detected_at"].tolist()[:2] == [
        pd.Timestamp("2025-10-26 00:30", tz="UTC"),
        pd.Timestamp("2025-03-30 01:00", tz="UTC"),
    ]
    notes = incidents["note"].tolist()
    assert "detected_at 2025-10-26 02:30 is ambiguous in Europe/Berlin (daylight saving)" in notes[0]
    assert "first occurrence" in notes[0]
    assert "detected_at 2025-03-30 02:30 does not exist in Europe/Berlin" in notes[1]
    assert "moved forward to 03:00" in notes[1]
    assert pd.isna(notes[2])
    findings = findings_of(incidents)
    noted = findings.loc[findings["column"] == "note"]
    assert noted["record"].tolist() == [1, 2]


def test_daylight_saving_note_reaches_pre_parsed_vendor_timestamps(fixtures, tmp_path):
    """Jira parses its own dates before the frame is built: the note must still reach the row."""
    text = (fixtures / "jira" / "jsm_incidents.csv").read_text(encoding="utf-8")
    assert ",24/Aug/23 3:15 PM," in text  # the first incident's Created
    path = write(tmp_path, "jira.csv", text.replace(",24/Aug/23 3:15 PM,", ",26/Oct/25 2:30 AM,", 1))
    incidents = mttr.read_export(path, source="jira", tz="Europe/Berlin")
    assert incidents.loc[0, "detected_at"] == pd.Timestamp("2025-10-26 00:30", tz="UTC")
    assert "ambiguous in Europe/Berlin" in incidents.loc[0, "note"]


def test_offsets_in_the_repeated_hour_need_no_note(tmp_path):
    path = write(
        tmp_path,
        "aware.csv",
        "incident_id,detected_at\nA,2025-10-26T02:30:00+02:00\nB,2025-10-26T02:30:00+01:00\n",
    )
    incidents = mttr.read_export(path)
    assert "note" not in incidents.columns


# --------------------------------------------------------------------------- (d) implausible years


def test_timestamps_before_1990_are_noted(tmp_path):
    path = write(
        tmp_path,
        "old.csv",
        "incident_id,detected_at,resolved_at\nA,2024-01-01T10:00:00Z,2024-01-01T11:00:00Z\n"
        "B,1970-01-20T16:13:20Z,2024-01-02T11:00:00Z\n",
    )
    incidents = mttr.read_export(path)
    assert pd.isna(incidents.loc[0, "note"])
    assert "detected_at 1970-01-20 16:13 UTC is before 1990" in incidents.loc[1, "note"]
    findings = findings_of(incidents)
    assert 2 in findings.loc[findings["column"] == "note", "record"].tolist()


def test_a_year_typo_far_after_the_rest_is_noted(tmp_path):
    rows = [f"I{i},2025-0{1 + i % 9}-10T10:00:00Z,2025-0{1 + i % 9}-10T11:00:00Z" for i in range(6)]
    rows.append("TYPO,2025-05-01T10:00:00Z,2052-05-01T11:00:00Z")
    path = write(tmp_path, "typo.csv", "incident_id,detected_at,resolved_at\n" + "\n".join(rows) + "\n")
    incidents = mttr.read_export(path)
    notes = incidents.set_index("incident_id")["note"]
    assert "resolved_at 2052-05-01 11:00 UTC is more than a year after the rest" in notes["TYPO"]
    assert notes.drop("TYPO").isna().all()


def test_missing_times_do_not_count_as_late_ones(tmp_path):
    # Three plausible starts, one far in the future, five missing: the far one is the minority
    # only if the missing ones are not counted with it.
    rows = [f"I{i},2025-03-1{i}T10:00:00Z" for i in range(3)]
    rows += ["TYPO,2052-03-10T10:00:00Z"] + [f"M{i}," for i in range(5)]
    path = write(tmp_path, "gaps.csv", "incident_id,detected_at\n" + "\n".join(rows) + "\n")
    notes = mttr.read_export(path).set_index("incident_id")["note"]
    assert "detected_at 2052-03-10 10:00 UTC is more than a year after the rest" in notes["TYPO"]
    assert notes.drop("TYPO").isna().all()


def test_two_years_of_data_are_not_implausible(tmp_path):
    rows = [f"I{i},202{3 + i % 2}-03-10T10:00:00Z,202{3 + i % 2}-03-10T11:00:00Z" for i in range(6)]
    path = write(tmp_path, "two.csv", "incident_id,detected_at,resolved_at\n" + "\n".join(rows) + "\n")
    assert "note" not in mttr.read_export(path).columns


# --------------------------------------------------------------------------- (e) auto detection


def test_auto_detection_message_is_readable(fixtures):
    with pytest.raises(InputError) as err:
        mttr.read_export(fixtures / "generic" / "hand_made.csv", source="auto")
    message = str(err.value)
    assert "does not recognise" in message and "'Number', 'Summary'" in message
    assert message.count("'") % 2 == 0  # every quote closed
    assert "found 'CSV" not in message


def test_auto_detection_of_a_long_header_says_how_many_more(tmp_path):
    header = ",".join(f"column_{i}" for i in range(40))
    path = write(tmp_path, "wide.csv", header + "\n" + ",".join("1" * 40) + "\n")
    with pytest.raises(InputError, match="and 28 more"):
        mttr.read_export(path, source="auto")


def test_found_values_stay_well_formed():
    long_text = InputError("bad", found="x" * 500)
    assert str(long_text).endswith("...'")
    nested: list = []
    for _ in range(10_000):
        nested = [nested]
    assert "[[[[...]]]]" in str(InputError("bad", found=nested))


# --------------------------------------------------------------------------- nesting and size


JSON_SOURCES = ["json", "auto", *[s for s in available() if s not in ("csv", "jira", "eventlog")]]


@pytest.mark.parametrize("source", JSON_SOURCES)
def test_deeply_nested_json_is_an_input_error_quickly(tmp_path, source):
    depth = 100_000
    path = write(tmp_path, "deep.json", "[" * depth + "]" * depth)
    started = time.perf_counter()
    with pytest.raises(InputError) as err:
        mttr.read_export(path, source=source)
    assert time.perf_counter() - started < 5
    assert not isinstance(err.value, _ReaderFailure), str(err.value)
    assert "deep.json" in str(err.value)


def test_deep_record_inside_an_export_is_an_input_error(tmp_path):
    inner: list = []
    for _ in range(5_000):
        inner = [inner]
    text = json.dumps([{"incident_id": "A", "detected_at": "2024-01-01T00:00:00Z"}])[:-1]
    path = write(tmp_path, "deep_record.json", text + ", " + "[" * 5000 + "]" * 5000 + "]")
    with pytest.raises(InputError, match="nested too deeply"):
        mttr.read_export(path, source="json")
    assert inner


@pytest.mark.parametrize("content", [b"", b"   \n\n", b"\xef\xbb\xbf"])
def test_empty_files_are_input_errors_for_every_reader(tmp_path, content):
    for source in ["auto", "csv", "json", *available()]:
        for suffix in (".csv", ".json"):
            path = write(tmp_path, f"empty{suffix}", content)
            with pytest.raises(InputError) as err:
                mttr.read_export(path, source=source)
            assert not isinstance(err.value, _ReaderFailure), (source, str(err.value))
            assert "empty" in str(err.value), (source, str(err.value))


def test_not_utf8_is_an_input_error_naming_the_line(fixtures, tmp_path):
    raw = (fixtures / "generic" / "three.csv").read_bytes().replace(b"P3", b"P\xe43")
    path = write(tmp_path, "latin.csv", raw)
    with pytest.raises(InputError) as err:
        mttr.read_export(
            path, columns={"incident_id": "Ticket", "detected_at": "Opened", "resolved_at": "Closed"}
        )
    assert "not UTF-8" in str(err.value) and "line 3" in str(err.value)


def test_jsonl_statuspage_with_bytes_that_are_not_utf8(fixtures, tmp_path):
    """Found by the fuzzing campaign: Arrow's JSON reader accepted the bytes, a later step choked."""
    raw = (fixtures / "statuspage" / "github_archive.jsonl").read_bytes()
    path = write(tmp_path, "latin.jsonl", raw.replace(b'"at": "', b'"at": "\xa1', 1))
    with pytest.raises(InputError) as err:
        mttr.read_export(path, source="statuspage")
    assert not isinstance(err.value, _ReaderFailure)
    assert "not UTF-8" in str(err.value) and "line 1" in str(err.value)


def test_truncated_gzip_is_an_input_error(fixtures, tmp_path):
    import gzip

    data = gzip.compress((fixtures / "gcp_status" / "incidents.json").read_bytes())
    path = write(tmp_path, "cut.json.gz", data[: len(data) // 2])
    with pytest.raises(InputError) as err:
        mttr.read_export(path, source="gcp_status")
    assert not isinstance(err.value, _ReaderFailure) and "cut.json.gz" in str(err.value)


def test_event_log_whose_latest_event_lacks_every_closing_time(fixtures, tmp_path):
    """Found by the fuzzing campaign: a cut-off last row left a date column of one incident empty."""
    lines = (fixtures / "servicenow" / "incident_event_log.csv").read_text(encoding="utf-8").splitlines()
    header, rows = lines[0], [r for r in lines[1:] if r.startswith("INC0000045,")]
    cut = rows[-1].rsplit(",", 1)[0] + ","  # the latest event without its closed_at
    path = write(tmp_path, "cut.csv", "\n".join([header, *rows[:-1], cut]) + "\n")
    incidents = mttr.read_export(path, source="servicenow", tz="Europe/Amsterdam")
    assert incidents["incident_id"].tolist() == ["INC0000045"]
    assert incidents.loc[0, "resolved_at"] == pd.Timestamp("2016-02-29 10:29", tz="UTC")


# --------------------------------------------------------------------------- options


def test_an_option_of_another_reader_is_an_input_error(fixtures):
    with pytest.raises(InputError) as err:
        mttr.read_export(fixtures / "pagerduty" / "analytics_raw.csv", source="auto", offset_unit="s")
    message = str(err.value)
    assert (
        "offset_unit=" in message and "source='pagerduty'" in message and "exclude_auto_resolved=" in message
    )


def test_a_reader_failure_is_never_a_bare_exception(fixtures, monkeypatch):
    """The last-resort net: a reader bug surfaces as an InputError naming the file, cause kept."""
    module = available()["gcp_status"]

    def broken(path, **options):
        raise KeyError("begin")

    monkeypatch.setattr(module, "read", broken)
    with pytest.raises(InputError) as err:
        mttr.read_export(fixtures / "gcp_status" / "incidents.json", source="gcp_status")
    assert isinstance(err.value.__cause__, KeyError)
    assert "incidents.json" in str(err.value) and "KeyError" in str(err.value)


# --------------------------------------------------------------------------- wrong shapes per reader


WRONG_SHAPES = [
    ("firehydrant", "firehydrant/incidents_page.json", ("data", 0, "milestones"), None),
    ("firehydrant", "firehydrant/incidents_page.json", ("data", 0, "milestones"), 5),
    ("firehydrant", "firehydrant/incidents_page.json", ("data", 0, "milestones"), {"type": "started"}),
    ("firehydrant", "firehydrant/incidents_page.json", ("data", 0, "severity"), 3),
    ("firehydrant", "firehydrant/incidents_page.json", ("data", 0, "tag_list"), "test"),
    ("firehydrant", "firehydrant/incidents_page.json", ("data", 0, "impacts"), {"name": "x"}),
    ("gcp_status", "gcp_status/incidents.json", (0, "affected_products"), {"title": "x"}),
    ("gcp_status", "gcp_status/incidents.json", (0, "updates"), 7),
    ("gcp_status", "gcp_status/incidents.json", (0, "begin"), ["2024-01-01"]),
    ("grafana_oncall", "grafana_oncall/alert_groups.json", ("results", 0, "integration"), [1]),
    ("grafana_oncall", "grafana_oncall/alert_groups.json", ("results", 0, "state"), 5),
    ("opsgenie", "opsgenie/alerts.json", ("data", 0, "report"), [1, 2]),
    ("opsgenie", "opsgenie/alerts.json", ("data", 0, "tags"), "service:x"),
    ("opsgenie", "opsgenie/alerts.json", ("data", 0, "priority"), {"name": "P1"}),
    ("opsgenie", "opsgenie/incidents.json", ("data", 0, "impactedServices"), [{"id": None}]),
    ("statuspage", "statuspage/incidents.json", ("incidents", 0, "incident_updates"), {"status": "x"}),
    ("statuspage", "statuspage/incidents.json", ("incidents", 0, "components"), "api"),
    ("statuspage", "statuspage/incidents.json", ("incidents", 0, "impact"), 3),
    ("statuspage", "statuspage/incidents.json", ("page",), "x"),
    ("incidentio", "incidentio/incidents_page.json", ("incidents", 0, "incident_timestamp_values"), 5),
    ("incidentio", "incidentio/incidents_page.json", ("incidents", 0, "custom_field_entries"), {"a": 1}),
    ("incidentio", "incidentio/incidents_page.json", ("incidents", 0, "severity"), ["high"]),
    ("incidentio", "incidentio/incidents_page.json", ("incidents", 0, "duration_metrics"), 5),
    ("pagerduty", "pagerduty/incidents_log_entries.json", ("incidents", 0, "log_entries"), {"type": "x"}),
    ("pagerduty", "pagerduty/incidents_log_entries.json", ("incidents", 0, "priority"), ["P1"]),
    ("pagerduty", "pagerduty/incidents_log_entries.json", ("incidents", 0, "teams"), {"summary": "x"}),
    ("pagerduty", "pagerduty/analytics_raw.json", ("data", 0, "seconds_to_resolve"), [5]),
    ("servicenow", "servicenow/incident_table_api_all.json", ("result", 0, "opened_at"), {"value": [1]}),
    ("servicenow", "servicenow/incident_table_api.json", ("result", 0, "number"), {"x": 1}),
]


def _set_path(doc, path, value):
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return doc


@pytest.mark.parametrize(("source", "name", "path", "value"), WRONG_SHAPES)
def test_values_of_the_wrong_shape_are_read_or_named(fixtures, tmp_path, source, name, path, value):
    doc = json.loads((fixtures / name).read_text(encoding="utf-8"))
    target = write(tmp_path, Path(name).name, json.dumps(_set_path(doc, path, value)))
    original = mttr.read_export(fixtures / name, source=source, tz="UTC")
    try:
        incidents = mttr.read_export(target, source=source, tz="UTC")
    except InputError as err:
        assert not isinstance(err, _ReaderFailure), str(err)
        assert Path(name).name in str(err)
        assert "record 1" in str(err) or str(path[-1]) in str(err), str(err)
    else:
        assert len(incidents) == len(original)


# --------------------------------------------------------------------------- statistics invariants


SEVERITY_LABELS = ["P1", "P2", "P3", "P4", "critical", "minor", "", "weird"]


@st.composite
def duration_exports(draw) -> str:
    """A small canonical CSV: ids, severities, detection, acknowledgement and resolution (some open)."""
    n = draw(st.integers(1, 130))
    start = pd.Timestamp("2025-01-01", tz="UTC")
    minutes = draw(
        st.lists(
            st.one_of(st.integers(0, 5), st.integers(0, 600), st.integers(0, 20_000)), min_size=n, max_size=n
        )
    )
    acks = draw(st.lists(st.integers(0, 30), min_size=n, max_size=n))
    open_ = draw(st.lists(st.booleans() if draw(st.booleans()) else st.just(False), min_size=n, max_size=n))
    sev = draw(st.lists(st.sampled_from(SEVERITY_LABELS), min_size=n, max_size=n))
    lines = ["incident_id,severity,detected_at,acknowledged_at,resolved_at"]
    for i in range(n):
        detected = start + pd.Timedelta(hours=7 * i)
        ack = detected + pd.Timedelta(minutes=min(acks[i], minutes[i]))
        resolved = "" if open_[i] else f"{detected + pd.Timedelta(minutes=minutes[i]):%Y-%m-%dT%H:%M:%SZ}"
        lines.append(f"I{i},{sev[i]},{detected:%Y-%m-%dT%H:%M:%SZ},{ack:%Y-%m-%dT%H:%M:%SZ},{resolved}")
    return "\n".join(lines) + "\n"


def _le(a: pd.Series, b: pd.Series) -> pd.Series:
    """a <= b where both are known (a tiny tolerance for floating point)."""
    both = a.notna() & b.notna()
    return (a[both] <= b[both] + 1e-9 * (1 + b[both].abs())).all()


@STATS_SETTINGS
@given(text=duration_exports(), metric=st.sampled_from(["time_to_recover", "time_to_respond", "repair"]))
def test_summary_invariants_on_generated_exports(tmp_path_factory, text, metric):
    folder = tmp_path_factory.mktemp("stats")
    incidents = mttr.read_export(write(folder, "gen.csv", text))
    durations = mttr.phase_durations(incidents)
    total = mttr.duration_summary(durations, metric=metric, n_resamples=200)
    groups = mttr.duration_summary(durations, metric=metric, by="severity", n_resamples=200)
    for table in (total, groups):
        for stat in ("median", "p90", "p95", "p99", "mean", "km_median", "km_p90"):
            if stat in table.columns:
                assert _le(table[f"{stat}_low"], table[stat]), stat
                assert _le(table[stat], table[f"{stat}_high"]), stat
        assert _le(table["min"], table["median"]) and _le(table["median"], table["max"])
        assert _le(table["median"], table["p90"])
        assert _le(table["p90"], table["p95"])
        assert _le(table["p95"], table["p99"])
        assert (table["count"] == table["open"] + table["observed"] + table["missing"]).all()
    assert groups["count"].sum() == total.loc["all", "count"] == len(durations)
    assert groups["open"].sum() == total.loc["all", "open"]
    assert groups["observed"].sum() == total.loc["all", "observed"]
    assert np.isclose(total.loc["all", "max"], groups["max"].max(), equal_nan=True)


# --------------------------------------------------------------------------- large CSV files


CSV_FIXTURES = sorted(
    p for p in (Path(__file__).parent / "fixtures").rglob("*.csv") if "calendar" not in p.parts
)


@pytest.mark.parametrize("path", CSV_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_large_files_are_streamed_to_the_same_frame(path, monkeypatch):
    from mttr_lab.readers import _csv_chunks, _files

    try:
        whole = _files.read_csv_frame(path)
    except InputError as err:
        with pytest.raises(InputError) as again:
            monkeypatch.setattr(_files, "STREAM_BYTES", 0)
            _files.read_csv_frame(path)
        assert str(again.value) == str(err)
        return
    monkeypatch.setattr(_files, "STREAM_BYTES", 0)
    monkeypatch.setattr(_csv_chunks, "CHUNK_BYTES", 64)  # pieces of a few lines each
    pd.testing.assert_frame_equal(_files.read_csv_frame(path), whole)


@pytest.mark.parametrize("path", CSV_FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_csv_read_through_arrow_matches_pandas_reader(path):
    from mttr_lab.readers import _files

    first = _files.sample_of(path).head.splitlines()[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    try:
        ours = _files.read_csv_frame(path)
    except InputError as err:
        try:
            theirs = pd.read_csv(path, sep=sep, engine="pyarrow")
        except Exception:
            return  # pandas refuses it too, in its own words
        # pandas renames a repeated header name to "name.1"; mttr_lab refuses it.
        assert "names a column twice" in str(err) and any(str(c).endswith(".1") for c in theirs.columns)
        return
    theirs = pd.read_csv(path, sep=sep, engine="pyarrow")
    theirs.columns = [str(c).strip() for c in theirs.columns]
    for name in theirs.columns:
        if theirs[name].dtype.kind == "M":  # timestamps come in the canonical microseconds
            theirs[name] = theirs[name].dt.as_unit("us")
    pd.testing.assert_frame_equal(ours, theirs)


def test_streamed_file_whose_types_change_late_is_read_whole(tmp_path, monkeypatch):
    from mttr_lab.readers import _csv_chunks, _files

    rows = [f"I{i},{i},2024-01-01T00:00:00Z" for i in range(200)] + ["I200,not a number,2024-01-01T00:00:00Z"]
    path = write(tmp_path, "late.csv", "incident_id,count,detected_at\n" + "\n".join(rows) + "\n")
    monkeypatch.setattr(_files, "STREAM_BYTES", 0)
    monkeypatch.setattr(_csv_chunks, "CHUNK_BYTES", 256)
    frame = _files.read_csv_frame(path)
    assert len(frame) == 201 and frame["count"].iloc[-1] == "not a number"
    incidents = mttr.read_export(path)
    assert len(incidents) == 201


def test_streamed_file_with_a_repeated_header_is_an_input_error(tmp_path, monkeypatch):
    from mttr_lab.readers import _files

    path = write(tmp_path, "dup.csv", "incident_id,detected_at,detected_at\nA,2024-01-01T00:00:00Z,x\n")
    monkeypatch.setattr(_files, "STREAM_BYTES", 0)
    with pytest.raises(InputError, match="names a column twice") as err:
        mttr.read_export(path)
    assert "'detected_at'" in str(err.value)


def test_nested_objects_become_names_in_the_generic_reader(tmp_path):
    """A nested object's name, never its Python repr, in canonical and extra columns alike."""
    path = tmp_path / "nested.json"
    record = {
        "incident_id": "A",
        "detected_at": "2025-01-01T10:00:00Z",
        "resolved_at": "2025-01-01T11:00:00Z",
        "service": {"id": "S1", "name": "API"},
        "team": [{"id": "T1", "summary": "Core"}, {"id": "T2", "summary": "Edge"}],
        "severity": {"id": "SEV1", "name": "critical"},
        "owner": {"id": "U7"},
    }
    path.write_text(json.dumps([record]))
    frame = mttr.read_export(path)
    row = frame.iloc[0]
    assert (row["service"], row["team"], row["severity_raw"]) == ("API", "Core, Edge", "critical")
    assert row["owner.id"] == "U7"  # other objects are flattened to dotted columns
    for column in frame.columns:
        assert not frame[column].astype("str").str.contains("{'", regex=False).any(), column
