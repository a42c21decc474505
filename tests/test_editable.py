"""Every frame mttr_lab returns is an ordinary pandas frame: ``.loc`` assignment works on it.

Arrow hands pandas read-only views of its buffers; a frame built on them refuses
``inc.loc[mask, "resolved_at"] = pd.NaT`` with pandas' internal "Something has gone wrong".
Each reader's output, and the output of every public function that returns a DataFrame, is
edited here column by column.
"""

from __future__ import annotations

import gzip
import inspect
import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import DST_BERLIN, FIXTURES, HAND, SAMPLE

import mttr_lab as mttr
from mttr_lab.synth import synth_incidents, write_export

DATA = SAMPLE.parent


def assert_editable(frame: pd.DataFrame) -> None:
    """Every column of ``frame`` takes a ``.loc`` assignment of one of its own values, in place."""
    assert isinstance(frame, pd.DataFrame)
    assert len(frame), "an empty frame proves nothing: give the call data"
    first = frame.index[:1]
    for position, column in enumerate(frame.columns):
        value = frame.iloc[-1, position]  # a scalar: no view of the column is held (that would copy on write)
        if isinstance(value, (list, dict, tuple, np.ndarray)):  # a cell that holds a list
            frame.loc[first, column] = pd.Series([value], index=first, dtype=object)
        else:
            frame.loc[first, column] = value
        after = frame.iloc[0, position]
        same = after is value or (np.ndim(after) == 0 and pd.isna(after) and pd.isna(value))
        assert same or np.all(after == value), column
    if "resolved_at" in frame.columns:  # the edit a user makes: reopen an incident
        mask = np.zeros(len(frame), dtype=bool)
        mask[-1] = True
        frame.loc[mask, "resolved_at"] = pd.NaT
        assert pd.isna(frame["resolved_at"].iloc[-1])


# --------------------------------------------------------------------------- readers

#: The columns of fixtures/generic/seed.csv.
SEED = {
    "incident_id": "Ticket",
    "detected_at": "Opened",
    "acknowledged_at": "First response",
    "resolved_at": "Closed",
    "severity": "Priority",
    "service": "Component",
}
#: Every fixture export a reader accepts, with the options it needs.
EXPORTS = [
    ("eventlog/volvo_like.csv", {}),
    (
        "eventlog/custom_log.jsonl",
        {
            "source": "eventlog",
            "case": "incident",
            "time": "at",
            "status": "phase",
            "milestones": {"triggered": "detected", "acknowledged": "acknowledged", "resolved": "resolved"},
            "severity": "level",
        },
    ),
    ("firehydrant/incidents_page.json", {}),
    ("gcp_status/incidents.json", {}),
    ("generic/hand_made.csv", {"columns": HAND, "tz": "UTC"}),
    ("generic/dst_berlin.csv", {"columns": DST_BERLIN, "tz": "Europe/Berlin"}),
    (
        "generic/three.csv",
        {"columns": {"incident_id": "Ticket", "detected_at": "Opened", "resolved_at": "Closed"}},
    ),
    ("generic/seed.csv", {"columns": SEED}),
    ("grafana_oncall/alert_groups.json", {}),
    ("grafana_oncall/alert_groups_pages.jsonl", {}),
    ("incidentio/incidents_page.json", {}),
    ("incidentio/incidents.jsonl", {}),
    ("opsgenie/alerts.json", {}),
    ("opsgenie/incidents.json", {}),
    ("pagerduty/analytics_raw.csv", {}),
    ("pagerduty/analytics_raw.json", {}),
    ("pagerduty/incidents_ui.csv", {}),
    ("pagerduty/incidents_page_list.json", {}),
    ("servicenow/incident_table_api_all.json", {}),
    ("servicenow/incident_list_export.csv", {"tz": "UTC"}),
    ("statuspage/incidents.json", {}),
    ("statuspage/archive.jsonl", {}),
]


@pytest.mark.parametrize(("name", "options"), EXPORTS, ids=[n for n, _ in EXPORTS])
def test_read_export_gives_an_editable_frame(name, options):
    assert_editable(mttr.read_export(FIXTURES / name, **options))


def _canonical_csv(path: Path, n: int) -> Path:
    frame = synth_incidents(incidents=n, months=12, seed=3, defects=False)
    return write_export(frame, path, shape="csv")


@pytest.mark.parametrize("n", [50, 40_000], ids=["one Arrow block", "many Arrow blocks"])
def test_a_csv_through_the_arrow_engine_is_editable(tmp_path, n):
    # Arrow hands over a column in one chunk without nulls as a view of its own read-only
    # buffer; a column in several chunks is copied. Both sizes must give a writable frame.
    incidents = mttr.read_export(_canonical_csv(tmp_path / "incidents.csv", n), source="csv")
    reopened = incidents["resolved_at"].notna() & incidents["severity"].eq("critical")
    incidents.loc[reopened, "resolved_at"] = pd.NaT
    assert incidents.loc[reopened, "resolved_at"].isna().all() and reopened.any()
    assert_editable(incidents)


def test_containers_and_from_frame_give_editable_frames(tmp_path):
    csv = FIXTURES / "pagerduty" / "incidents_ui.csv"
    text = csv.read_bytes()
    gz = tmp_path / "incidents_ui.csv.gz"
    gz.write_bytes(gzip.compress(text))
    zipped = tmp_path / "export.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("incidents_ui.csv", text)
    parquet = tmp_path / "incidents.parquet"
    pd.read_csv(FIXTURES / "generic" / "seed.csv", dtype=str).to_parquet(parquet)
    for path, options in ((gz, {}), (zipped, {}), (parquet, {"columns": SEED})):
        assert_editable(mttr.read_export(path, **options))
    # Frames the user built with Arrow behind them: pandas' own pyarrow engine, and Parquet.
    assert_editable(mttr.from_frame(pd.read_csv(io.BytesIO(text), engine="pyarrow"), source="pagerduty"))
    assert_editable(mttr.from_frame(pd.read_parquet(parquet), columns=SEED))


# --------------------------------------------------------------------------- every public frame


@pytest.fixture(scope="module")
def sample() -> dict:
    incidents = mttr.read_export(SAMPLE)
    durations = mttr.phase_durations(incidents)
    timeline = mttr.read_timeline(DATA / "sample_timeline.csv.gz")
    process = mttr.response_process(timeline)
    playbooks = mttr.read_playbooks(DATA / "sample_playbooks.yaml")
    coverage = mttr.playbook_coverage(incidents, playbooks)
    bounds = mttr.review_bounds(durations, as_of=incidents.attrs.get("as_of"))
    first = durations["started_at"].min()
    middle = first + (durations["started_at"].max() - first) / 2
    return {
        "incidents": incidents,
        "durations": durations,
        "timeline": timeline,
        "process": process,
        "playbooks": playbooks,
        "coverage": coverage,
        "bounds": bounds,
        "before": mttr.Period(first, middle),
        "after": mttr.Period(middle, durations["started_at"].max() + pd.Timedelta(seconds=1)),
        "summary": mttr.duration_summary(durations, by="severity"),
        "calendar": mttr.with_calendar(durations, tz="Europe/Berlin"),
        "resolved": incidents["resolved_at"].notna().sum(),
    }


def _calls(s: dict) -> dict:
    """Public function -> a call with the sample's frames (fresh inputs each time)."""
    d, summary, calendar = s["durations"], s["summary"], s["calendar"]
    return {
        "assign_tiers": lambda: mttr.assign_tiers(summary),
        "censored_minutes": lambda: mttr.censored_minutes(d),
        "channel_summary": lambda: mttr.channel_summary(
            d.assign(detection_channel=np.where(np.arange(len(d)) % 3, "api", "Phone"))
        ),
        "check_incidents": lambda: mttr.check_incidents(s["incidents"]),
        "check_timeline": lambda: mttr.check_timeline(s["timeline"]),
        "compare_groups": lambda: mttr.compare_groups(d, by="severity"),
        "compare_periods": lambda: mttr.compare_periods(d, before=s["before"], after=s["after"]),
        "compare_periods_stratified": lambda: mttr.compare_periods_stratified(
            d, before=s["before"], after=s["after"]
        ),
        "coverage_table": lambda: mttr.coverage_table(s["coverage"]),
        "detectable_change": lambda: mttr.detectable_change(d),
        "detection_lag": lambda: mttr.detection_lag(
            mttr.read_export(FIXTURES / "statuspage" / "incidents.json")
        ),
        "dora_tiers": lambda: mttr.dora_tiers(),
        "duration_summary": lambda: mttr.duration_summary(d, by="severity"),
        "duration_trend": lambda: mttr.duration_trend(d),
        "ecdf_table": lambda: mttr.ecdf_table(d),
        "escalation_adherence": lambda: mttr.escalation_adherence(s["timeline"], [5, 15, 30]),
        "export_overview": lambda: mttr.export_overview(s["incidents"], d),
        "findings_overview": lambda: mttr.findings_overview(mttr.check_incidents(s["incidents"])),
        "from_frame": lambda: mttr.from_frame(
            pd.read_csv(FIXTURES / "generic" / "hand_made.csv", engine="pyarrow"), columns=HAND, tz="UTC"
        ),
        "growth_by_count": lambda: mttr.growth_by_count(d, s["process"]),
        "hour_uniformity_test": lambda: mttr.hour_uniformity_test(calendar, simulations=200),
        "hour_weekday_table": lambda: mttr.hour_weekday_table(calendar),
        "improvement_question": lambda: mttr.improvement_question(d),
        "latest_incidents": lambda: mttr.latest_incidents(d),
        "mean_sensitivity": lambda: mttr.mean_sensitivity(d),
        "minutes_observed": lambda: mttr.minutes_observed(d),
        "percentile_pitfall": lambda: mttr.percentile_pitfall(d),
        "period_durations": lambda: mttr.period_durations(d, start=s["before"].start, end=s["before"].end),
        "phase_breakdown": lambda: mttr.phase_breakdown(d, by="severity"),
        "phase_durations": lambda: mttr.phase_durations(s["incidents"]),
        "ping_pong_pairs": lambda: mttr.ping_pong_pairs(s["timeline"]),
        "playbook_coverage": lambda: mttr.playbook_coverage(s["incidents"], s["playbooks"]),
        "playbook_effect": lambda: mttr.playbook_effect(d, s["coverage"]),
        "process_overview": lambda: mttr.process_overview(s["process"]),
        "quarter_table": lambda: mttr.quarter_table(d, bounds=s["bounds"]),
        "read_export": lambda: mttr.read_export(SAMPLE),
        "read_playbooks": lambda: mttr.read_playbooks(DATA / "sample_playbooks.yaml"),
        "read_timeline": lambda: mttr.read_timeline(DATA / "sample_timeline.csv.gz"),
        "readable": lambda: mttr.readable(summary),
        "response_process": lambda: mttr.response_process(s["timeline"]),
        "rolling_trend": lambda: mttr.rolling_trend(d),
        "seed_tiers": lambda: mttr.seed_tiers(),
        "severity_mix": lambda: mttr.severity_mix(d, periods={"before": s["before"], "after": s["after"]}),
        "serious_findings": lambda: mttr.serious_findings(mttr.check_incidents(s["incidents"])),
        "simulate_improvement": lambda: mttr.simulate_improvement(d, n_sims=50),
        "slowest_incidents": lambda: mttr.slowest_incidents(d),
        "spreadsheet_safe": lambda: mttr.spreadsheet_safe(s["incidents"]),
        "tidy": lambda: mttr.tidy(summary),
        "time_class_summary": lambda: mttr.time_class_summary(calendar),
        "trend_slope": lambda: mttr.trend_slope(d),
        "trigger_channels": lambda: mttr.trigger_channels(s["timeline"]),
        "untracked_time": lambda: mttr.untracked_time(d),
        "with_calendar": lambda: mttr.with_calendar(d, tz="Europe/Berlin"),
    }


def _frame_returning() -> set[str]:
    """Public functions whose return annotation is a DataFrame."""
    out = set()
    for name in mttr.__all__:
        obj = getattr(mttr, name)
        if inspect.isfunction(obj) and "DataFrame" in str(inspect.signature(obj).return_annotation):
            out.add(name)
    return out


#: The functions of ``_calls``, named here so that a new public function returning a frame fails
#: ``test_every_public_function_returning_a_frame_is_edited_here`` until it is added.
NAMES = (
    "assign_tiers",
    "censored_minutes",
    "channel_summary",
    "check_incidents",
    "check_timeline",
    "compare_groups",
    "compare_periods",
    "compare_periods_stratified",
    "coverage_table",
    "detectable_change",
    "detection_lag",
    "dora_tiers",
    "duration_summary",
    "duration_trend",
    "ecdf_table",
    "escalation_adherence",
    "export_overview",
    "findings_overview",
    "from_frame",
    "growth_by_count",
    "hour_uniformity_test",
    "hour_weekday_table",
    "improvement_question",
    "latest_incidents",
    "mean_sensitivity",
    "minutes_observed",
    "percentile_pitfall",
    "period_durations",
    "phase_breakdown",
    "phase_durations",
    "ping_pong_pairs",
    "playbook_coverage",
    "playbook_effect",
    "process_overview",
    "quarter_table",
    "read_export",
    "read_playbooks",
    "read_timeline",
    "readable",
    "response_process",
    "rolling_trend",
    "seed_tiers",
    "serious_findings",
    "severity_mix",
    "simulate_improvement",
    "slowest_incidents",
    "spreadsheet_safe",
    "tidy",
    "time_class_summary",
    "trend_slope",
    "trigger_channels",
    "untracked_time",
    "with_calendar",
)


def test_every_public_function_returning_a_frame_is_edited_here(sample):
    assert set(NAMES) == set(_calls(sample))
    missing = _frame_returning() - set(_calls(sample))
    assert not missing, f"add a call of {sorted(missing)} to _calls in tests/test_editable.py"


@pytest.mark.parametrize("name", NAMES)
def test_every_public_frame_accepts_loc_assignment(sample, name):
    result = _calls(sample)[name]()
    assert_editable(result)
    # Editing the result leaves the frames it came from as they were.
    assert sample["incidents"]["resolved_at"].notna().sum() == sample["resolved"]
