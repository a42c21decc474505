"""Property-based tests of every reader and of ``read_export(source="auto")`` on mutated exports.

Each example starts from a fixture under ``tests/fixtures/<source>/`` and damages it: truncated
or deeply nested JSON, values of the wrong type, missing and extra fields, an empty file, a
byte-order mark, ``;`` separators, spreadsheet date formats, NaN and huge numbers, bytes that are
not UTF-8, repeated headers, timestamps far in the past or future. The properties:

- ``read_export`` returns a frame or raises :class:`mttr_lab.InputError` naming the file, never
  another exception (warnings are errors under pytest, so a pandas warning counts too);
- records read = rows returned = analysed + excluded, and a mutation of one value inside a
  record keeps the number of rows of the undamaged export;
- phase durations are never negative, and every milestone out of order is a finding of
  :func:`mttr_lab.check_incidents`.

Examples per test come from a Hypothesis profile: ``mttr-ci`` (the default: few examples,
derandomized, so CI is reproducible and fast) or ``mttr-fuzz`` (``MTTR_FUZZ_PROFILE=mttr-fuzz``,
``MTTR_FUZZ_EXAMPLES`` examples per test, random), which ``benchmarks/fuzz.py`` runs.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import os
import re
import tempfile
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import DST_BERLIN, HAND
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mttr_lab as mttr
from mttr_lab.frames import EARLIEST_POSSIBLE, LATEST_POSSIBLE
from mttr_lab.io import _ReaderFailure
from mttr_lab.quality import exclusions
from mttr_lab.schema import INCIDENT_COLUMNS, MILESTONES, PHASES

FIXTURES = Path(__file__).parent / "fixtures"

_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "mttr-ci", derandomize=True, deadline=None, database=None, suppress_health_check=_HEALTH
)
settings.register_profile(
    "mttr-fuzz",
    max_examples=int(os.environ.get("MTTR_FUZZ_EXAMPLES", "20000")),
    deadline=None,
    database=None,
    suppress_health_check=_HEALTH,
    print_blob=True,
)
PROFILE = os.environ.get("MTTR_FUZZ_PROFILE", "mttr-ci")


def fuzz_settings(ci_examples: int) -> settings:
    """The profile's settings; under ``mttr-ci`` with ``ci_examples`` examples."""
    parent = settings.get_profile(PROFILE)
    if PROFILE == "mttr-ci":
        return settings(parent, max_examples=ci_examples)
    return settings(parent)


# --------------------------------------------------------------------------- the fixtures


@dataclass(frozen=True)
class Case:
    """A fixture and the options that read it."""

    source: str
    file: str
    options: dict[str, Any] = field(default_factory=dict)
    #: one row per record whatever a value holds (False for event logs: ids group the rows)
    per_record: bool = True


_CUSTOM_LOG = {
    "case": "ticket",
    "time": "ts",
    "status": "state",
    "milestones": {"open": "detected", "ACK": "acknowledged", "resolved": "resolved"},
    "severity": "prio",
    "service": "svc",
    "team": "grp",
    "title": "summary",
}
_JSONL_LOG = {
    "case": "incident",
    "time": "at",
    "status": "phase",
    "milestones": {"Triggered": "detected", "Acknowledged": "acknowledged", "Resolved": "resolved"},
}

CASES: dict[str, list[Case]] = {
    "firehydrant": [Case("firehydrant", "firehydrant/incidents_page.json")],
    "pagerduty": [
        Case("pagerduty", "pagerduty/analytics_raw.csv"),
        Case("pagerduty", "pagerduty/analytics_raw.json"),
        Case("pagerduty", "pagerduty/incidents_log_entries.json"),
        Case("pagerduty", "pagerduty/incidents_page_list.json"),
        Case("pagerduty", "pagerduty/incidents_pages.jsonl"),
        Case("pagerduty", "pagerduty/incidents_ui.csv", {"tz": "Europe/Berlin"}),
    ],
    "statuspage": [
        Case("statuspage", "statuspage/incidents.json"),
        Case("statuspage", "statuspage/archive.jsonl"),
        Case("statuspage", "statuspage/github_archive.jsonl"),
        Case("statuspage", "statuspage/naive_list.json", {"tz": "America/New_York"}),
        Case("statuspage", "statuspage/naive_page.json"),
        Case("statuspage", "statuspage/pages.jsonl"),
    ],
    "opsgenie": [
        Case("opsgenie", "opsgenie/alerts.json"),
        Case("opsgenie", "opsgenie/alerts_seconds.jsonl", {"offset_unit": "s"}),
        Case("opsgenie", "opsgenie/alerts_tiny.json"),
        Case("opsgenie", "opsgenie/incidents.json"),
    ],
    "servicenow": [
        Case("servicenow", "servicenow/incident_list_export.csv", {"tz": "Europe/Berlin", "shape": "table"}),
        Case(
            "servicenow",
            "servicenow/incident_list_labels_us.csv",
            {"tz": "America/New_York", "shape": "table"},
        ),
        Case("servicenow", "servicenow/incident_table_api.json", {"tz": "UTC", "shape": "table"}),
        Case("servicenow", "servicenow/incident_table_api_all.json", {"shape": "table"}),
        Case("servicenow", "servicenow/incident_event_log.csv", {"tz": "Europe/Amsterdam"}, per_record=False),
    ],
    "jira": [
        Case("jira", "jira/jsm_incidents.csv", {"tz": "Europe/London"}),
        Case("jira", "jira/jsm_work_items.csv", {"tz": "America/New_York"}),
    ],
    "incidentio": [
        Case("incidentio", "incidentio/incidents.jsonl"),
        Case("incidentio", "incidentio/incidents_page.json"),
        Case("incidentio", "incidentio/incidents_pages.json"),
        Case("incidentio", "incidentio/custom_org.json"),
    ],
    "grafana_oncall": [
        Case("grafana_oncall", "grafana_oncall/alert_groups.json"),
        Case("grafana_oncall", "grafana_oncall/alert_groups_list.json"),
        Case("grafana_oncall", "grafana_oncall/alert_groups_pages.jsonl"),
    ],
    "gcp_status": [Case("gcp_status", "gcp_status/incidents.json")],
    "eventlog": [
        Case("eventlog", "eventlog/volvo_like.csv", per_record=False),
        Case("eventlog", "eventlog/custom_log.csv", {"tz": "UTC", **_CUSTOM_LOG}, per_record=False),
        Case("eventlog", "eventlog/custom_log.jsonl", _JSONL_LOG, per_record=False),
    ],
    "csv": [
        Case(
            "csv",
            "generic/hand_made.csv",
            {
                "tz": "UTC",
                "columns": HAND,
            },
        ),
        Case(
            "csv",
            "generic/three.csv",
            {"columns": {"incident_id": "Ticket", "detected_at": "Opened", "resolved_at": "Closed"}},
        ),
        Case("csv", "generic/naive.csv", {"tz": "America/New_York"}),
        Case(
            "csv",
            "generic/dst_berlin.csv",
            {
                "tz": "Europe/Berlin",
                "columns": DST_BERLIN,
            },
        ),
        Case(
            "jsonl",
            "generic/epochs.jsonl",
            {
                "columns": {
                    "incident_id": "key",
                    "detected_at": "t0",
                    "acknowledged_at": "t1",
                    "resolved_at": "t2",
                    "severity": "level",
                }
            },
        ),
        Case(
            "json",
            "generic/nested.json",
            {
                "columns": {
                    "incident_id": "id",
                    "detected_at": "times.opened",
                    "acknowledged_at": "times.ack",
                    "resolved_at": "times.closed",
                    "service": "meta.svc",
                }
            },
        ),
    ],
}


_BASELINE: dict[str, int] = {}


def baseline_rows(case: Case) -> int:
    """Rows read from the undamaged fixture (cached)."""
    if case.file not in _BASELINE:
        _BASELINE[case.file] = len(mttr.read_export(FIXTURES / case.file, source=case.source, **case.options))
    return _BASELINE[case.file]


# --------------------------------------------------------------------------- values


_EXCEL_LIKE = [
    "3/14/24 2:15 PM",
    "14.03.2024 14:15",
    "14/03/2024 14:15",
    "2024-03-14 14:15",
    "14-Mar-2024 14:15",
    "03/14/2024",
    "45365.59375",
    "26/10/2025 01:00",
    "2025-10-26 02:30:00",
    "2025-03-30 02:30:00",
    "2024-03-14T14:15:00",
    "2024-03-14T14:15:00Z",
    "2024-03-14T14:15:00+05:30",
    "2024-03-14T14:15:00.123456789Z",
    "0001-01-01T00:00:00Z",
    "1900-01-01T00:00:00Z",
    "1969-12-31T23:59:59Z",
    "9999-12-31T23:59:59Z",
    "10000-01-01T00:00:00Z",
    "2262-04-12T00:00:00Z",
    "1677-09-21T00:00:00Z",
    "24/Aug/23 3:15 PM",
    "31/Feb/23 3:15 PM",
    "soon",
    "",
    " ",
    "?",
    "null",
    "NaN",
    "NaT",
    "1700000000",
    "1700000000000",
    "-1",
]


def nasty_scalars() -> st.SearchStrategy[Any]:
    """Values a broken export holds where a reader expects a string or a timestamp."""
    return st.one_of(
        st.sampled_from(_EXCEL_LIKE),
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.sampled_from([0, 1, -1, 1_700_000_000, 1_700_000_000_000, 10**18, 10**25, 2**63, -(2**63)]),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=12),
        st.text(alphabet="0123456789/:.-TZ +", max_size=20),
    )


def nasty_values() -> st.SearchStrategy[Any]:
    """Scalars, or containers of the wrong shape (a record where a list was expected, ...)."""
    scalar = nasty_scalars()
    return st.one_of(
        scalar,
        st.lists(scalar, max_size=3),
        st.dictionaries(st.sampled_from(["name", "id", "value", "type", "slug", "x"]), scalar, max_size=3),
        st.lists(st.dictionaries(st.text(max_size=4), scalar, max_size=2), max_size=2),
        st.integers(min_value=2, max_value=600).map(_nested),
    )


def _nested(depth: int) -> Any:
    value: Any = []
    for _ in range(depth - 1):
        value = [value]
    return value


# --------------------------------------------------------------------------- JSON mutations


def _paths(doc: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out.extend(_paths(value, (*prefix, key)))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            out.extend(_paths(value, (*prefix, i)))
    return out


def _get(doc: Any, path: tuple) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def _set(doc: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    _get(doc, path[:-1])[path[-1]] = value
    return doc


def _load_json_docs(text: str) -> tuple[list[Any], bool]:
    try:
        return [json.loads(text)], False
    except ValueError:
        return [json.loads(line) for line in text.splitlines() if line.strip()], True


def _dump_json_docs(docs: list[Any], lines: bool) -> str:
    if lines:
        return "\n".join(json.dumps(d) for d in docs) + "\n"
    return json.dumps(docs[0], indent=1)


@st.composite
def json_mutation(draw, text: str) -> tuple[str, bool]:
    """A JSON export with some values replaced, removed or added; whether it keeps the record count."""
    docs, lines = _load_json_docs(text)
    keeps = True
    for _ in range(draw(st.integers(1, 3))):
        paths = [(i, *p) for i, d in enumerate(docs) for p in _paths(d)]
        inner = [p for p in paths if len(p) > 1]
        containers = [p for p in inner if isinstance(_get(docs, p), (dict, list))]
        leaves = [p for p in inner if not isinstance(_get(docs, p), (dict, list))]
        action = draw(st.sampled_from(["scalar", "null", "container", "leaf", "drop", "extra"]))
        if action in ("scalar", "null") and leaves:
            value = None if action == "null" else draw(nasty_scalars())
            _set(docs, draw(st.sampled_from(leaves)), value)
        elif action == "container" and containers:
            _set(docs, draw(st.sampled_from(containers)), draw(nasty_values()))
            keeps = False
        elif action == "leaf" and leaves:
            _set(docs, draw(st.sampled_from(leaves)), draw(nasty_values()))
            keeps = False
        elif action in ("drop", "extra"):
            dicts = [p for p in paths if isinstance(_get(docs, p), dict) and len(p) >= 1]
            if not dicts:
                continue
            target = _get(docs, draw(st.sampled_from(dicts)))
            if action == "drop" and target:
                del target[draw(st.sampled_from(sorted(target)))]
            elif action == "extra":
                target[draw(st.text(min_size=1, max_size=8))] = draw(nasty_values())
            keeps = False
    return _dump_json_docs(docs, lines), keeps


# --------------------------------------------------------------------------- CSV mutations


@st.composite
def csv_mutation(draw, text: str) -> tuple[str, bool]:
    """A CSV export with cells replaced, a header repeated or a column dropped; ``;`` sometimes."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    sep = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=sep))
    keeps = True
    for _ in range(draw(st.integers(1, 3))):
        action = draw(st.sampled_from(["cell", "cell", "cell", "header", "drop_column", "swap_sep"]))
        width = len(rows[0])
        if action == "cell" and len(rows) > 1:
            r = draw(st.integers(1, len(rows) - 1))
            c = draw(st.integers(0, max(0, len(rows[r]) - 1)))
            if rows[r]:
                value = draw(nasty_scalars())
                rows[r][c] = "" if value is None else str(value)
        elif action == "header" and width > 1:
            c, d = draw(st.integers(0, width - 1)), draw(st.integers(0, width - 1))
            rows[0][c] = rows[0][d]
            keeps = False
        elif action == "drop_column" and width > 1:
            c = draw(st.integers(0, width - 1))
            rows = [row[:c] + row[c + 1 :] for row in rows]
            keeps = False
        elif action == "swap_sep":
            sep = ";" if sep == "," else ","
    out = io.StringIO()
    # "\r\n" rows make the writer quote a cell holding a bare "\r", which readers take as a line break.
    csv.writer(out, delimiter=sep, lineterminator="\r\n").writerows(rows)
    return out.getvalue(), keeps


# --------------------------------------------------------------------------- byte mutations


@st.composite
def byte_mutation(draw, data: bytes) -> bytes:
    """The raw bytes damaged: truncated, spliced, re-encoded, or emptied."""
    action = draw(
        st.sampled_from(
            ["truncate", "insert", "bom", "latin1", "crlf", "delete", "empty", "blank", "deep", "dup_line"]
        )
    )
    if action == "truncate":
        return data[: draw(st.integers(0, max(0, len(data) - 1)))]
    if action == "insert":
        at = draw(st.integers(0, len(data)))
        return data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    if action == "bom":
        return b"\xef\xbb\xbf" + data
    if action == "latin1":
        return data.decode("utf-8", errors="replace").replace("e", "\u00e9", 1).encode("latin-1", "replace")
    if action == "crlf":
        return data.replace(b"\n", b"\r\n")
    if action == "delete":
        a = draw(st.integers(0, len(data)))
        b = draw(st.integers(a, min(len(data), a + 200)))
        return data[:a] + data[b:]
    if action == "empty":
        return b""
    if action == "blank":
        return b" \n\n  \n"
    if action == "deep":
        depth = draw(st.sampled_from([10, 900, 5000, 100_000]))
        return b"[" * depth + b"]" * draw(st.sampled_from([0, depth]))
    lines = data.split(b"\n")
    i = draw(st.integers(0, max(0, len(lines) - 1)))
    return b"\n".join([*lines[: i + 1], lines[i], *lines[i + 1 :]])


@dataclass
class Export:
    """A damaged export and what it promises."""

    data: bytes
    suffix: str
    keeps_count: bool
    how: str

    def __repr__(self) -> str:
        data = gzip.decompress(self.data) if self.suffix.endswith(".gz") else self.data
        shown = data if len(data) <= 3000 else data[:1500] + b" ... " + data[-1500:]
        return f"Export(suffix={self.suffix!r}, keeps_count={self.keeps_count}, how={self.how!r}, data={shown!r})"


@st.composite
def exports(draw, case: Case) -> Export:
    """A damaged version of ``case``'s fixture."""
    path = FIXTURES / case.file
    raw = path.read_bytes()
    text = raw.decode("utf-8-sig")
    suffix = path.suffix
    kind = draw(st.sampled_from(["structure", "structure", "bytes", "both"]))
    keeps = True
    how = kind
    if kind in ("structure", "both"):
        if suffix == ".csv":
            text, keeps = draw(csv_mutation(text))
        else:
            text, keeps = draw(json_mutation(text))
        raw = text.encode("utf-8")
    if kind in ("bytes", "both"):
        raw = draw(byte_mutation(raw))
        keeps = False
    if draw(st.integers(0, 9)) == 0:
        raw, suffix = gzip.compress(raw, mtime=0), suffix + ".gz"
    return Export(raw, suffix, keeps, how)


# --------------------------------------------------------------------------- the properties


def _as_of(incidents: pd.DataFrame) -> pd.Timestamp:
    latest = incidents[list(MILESTONES)].max(axis=None)
    return pd.Timestamp("2100-01-01", tz="UTC") if pd.isna(latest) else pd.Timestamp(latest)


def check_frame(incidents: pd.DataFrame, *, expected_rows: int | None = None) -> None:
    """The properties every frame a reader returns must have."""
    assert list(incidents.columns[: len(INCIDENT_COLUMNS)]) == list(INCIDENT_COLUMNS)
    for name in MILESTONES:
        assert str(incidents[name].dtype) == "datetime64[us, UTC]", name
    if expected_rows is not None:
        assert len(incidents) == expected_rows
    as_of = _as_of(incidents)
    durations = mttr.phase_durations(incidents, as_of=as_of)
    excluded = int(exclusions(incidents).notna().sum())
    assert len(durations) + excluded == len(incidents)
    for column in [*PHASES, *mttr.METRICS, "open_for"]:
        values = durations[column].dropna()
        assert (values >= pd.Timedelta(0)).all(), column

    # Every milestone before the latest observed one ahead of it is a finding; a time at pandas'
    # limits is not used (an error finding of its own), so nothing is out of order against it.
    live = incidents.loc[exclusions(incidents).isna()]
    stamps = np.column_stack(
        [
            np.where(
                live[m].isna() | (live[m] <= EARLIEST_POSSIBLE) | (live[m] >= LATEST_POSSIBLE),
                np.nan,
                live[m].dt.tz_localize(None).to_numpy().astype("int64"),
            )
            for m in MILESTONES
        ]
    ).astype("float64")  # float rounding is monotone: what it finds out of order, pandas does too
    seen = np.fmax.accumulate(stamps, axis=1)
    latest_before = np.column_stack([np.full(len(live), np.nan), seen[:, :-1]])
    with np.errstate(invalid="ignore"):
        out_of_order = stamps < latest_before
    if PROFILE != "mttr-ci" and not out_of_order.any() and "note" not in incidents.columns:
        return  # the long campaign saves the findings pass where there is nothing to look for
    findings = mttr.check_incidents(incidents, as_of=as_of)
    errors = findings.loc[findings["level"] == "error"]
    reported = set(zip(errors["record"], errors["column"], strict=True))
    for row, column in zip(*np.nonzero(out_of_order), strict=True):
        record = int(live["record"].iloc[row])
        assert (record, MILESTONES[column]) in reported, (record, MILESTONES[column])
    if "note" in incidents.columns:
        noted = set(findings.loc[findings["column"] == "note", "record"])
        assert set(live.loc[live["note"].notna(), "record"]) <= noted


COLLECT = os.environ.get("MTTR_FUZZ_COLLECT")


def read_damaged(export: Export, source: str, options: dict[str, Any], *, expected_rows: int | None) -> None:
    """Read a damaged export: a frame with the properties, or an InputError naming the file.

    With ``MTTR_FUZZ_COLLECT=<file>`` (the long campaign) a failure is appended to that file as
    a JSON line instead of failing the test, so that one run finds every distinct failure.
    """
    if COLLECT is None:
        _read_damaged(export, source, options, expected_rows=expected_rows)
        return
    try:
        outcome = _read_damaged(export, source, options, expected_rows=expected_rows)
        with open(COLLECT + ".outcomes", "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"source": source, "outcome": outcome}) + "\n")
    except Exception as exc:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if "mttr_lab" in f.filename]
        where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "test"
        with open(COLLECT, "a", encoding="utf-8") as fh:
            fh.write(
                json.dumps(
                    {
                        "source": source,
                        "error": type(exc).__name__,
                        "where": where,
                        "message": str(exc)[:300],
                        "example": repr(export)[:4000],
                        "options": repr(options)[:300],
                    }
                )
                + "\n"
            )


def _read_damaged(export: Export, source: str, options: dict[str, Any], *, expected_rows: int | None) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export{export.suffix}"
        path.write_bytes(export.data)
        try:
            incidents = mttr.read_export(path, source=source, **options)
        except _ReaderFailure as err:  # the last-resort net of read_export: a reader bug
            raise err.__cause__ from None
        except mttr.InputError as err:
            assert str(path) in str(err) or path.name in str(err), str(err)
            return "InputError: " + str(err).replace(str(path), "<file>")[:160]
    check_frame(incidents, expected_rows=expected_rows)
    return f"read {len(incidents)} rows"


_SOURCES = sorted(CASES)


@pytest.mark.parametrize("source", _SOURCES)
@fuzz_settings(ci_examples=50)
@given(data=st.data())
def test_reader_survives_damaged_exports(source, data):
    case = data.draw(st.sampled_from(CASES[source]))
    export = data.draw(exports(case))
    expected = baseline_rows(case) if export.keeps_count and case.per_record else None
    read_damaged(export, case.source, case.options, expected_rows=expected)


@fuzz_settings(ci_examples=80)
@given(data=st.data())
def test_auto_detection_survives_damaged_exports(data):
    case = data.draw(st.sampled_from([c for cases in CASES.values() for c in cases]))
    export = data.draw(exports(case))
    options = {"tz": case.options["tz"]} if "tz" in case.options else {}
    read_damaged(export, "auto", options, expected_rows=None)


@pytest.mark.parametrize("source", _SOURCES)
@fuzz_settings(ci_examples=5)
@given(data=st.data())
def test_undamaged_fixtures_keep_their_rows(source, data):
    """The harness itself: an export rewritten without damage reads as the original."""
    case = data.draw(st.sampled_from(CASES[source]))
    raw = (FIXTURES / case.file).read_bytes()
    export = Export(raw, Path(case.file).suffix, True, "none")
    read_damaged(export, case.source, case.options, expected_rows=baseline_rows(case))


def test_nan_and_infinity_tokens_are_json_that_python_reads():
    """The mutations may write NaN/Infinity: Python's json reads them, so readers must cope."""
    assert math.isnan(json.loads("NaN")) and json.loads("Infinity") == float("inf")


def test_the_scenario_sweep_runs_clean_on_one_source(capsys):
    """``benchmarks/fuzz.py sweep --part scenarios`` on one source: wrong vendors all refused,
    every mutation a frame that passes the checks or one InputError line."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("fuzz", FIXTURES.parents[1] / "benchmarks" / "fuzz.py")
    fuzz = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fuzz)
    assert fuzz.scenarios(real=False, sources=["gcp_status"]) == 0
    out = capsys.readouterr().out
    wrong = re.search(r"wrong vendor: (\d+) exports, (\d+) frames, (\d+) InputError", out)
    assert wrong is not None and int(wrong[1]) >= 8  # every other vendor's reader
    assert wrong[2] == "0" and wrong[3] == wrong[1]
    assert "0 distinct failures" in out and "a frame where a refusal was due" not in out
