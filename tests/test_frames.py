"""The frame rules: kinds, one clear error for the wrong frame, time order, absurd times, censoring."""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import pytest
from conftest import HAND, SAMPLE

import mttr_lab as mttr
from mttr_lab import frames

MIN = pd.Timedelta(minutes=1)
HEADER = "incident_id,started_at,detected_at,acknowledged_at,diagnosed_at,recovered_at,resolved_at\n"


def read_rows(tmp_path, *rows: str) -> pd.DataFrame:
    path = tmp_path / "rows.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows))
    return mttr.read_export(path, tz="UTC")


@pytest.fixture
def incidents(fixtures) -> pd.DataFrame:
    return mttr.read_export(fixtures / "generic" / "hand_made.csv", columns=HAND, tz="UTC")


@pytest.fixture
def durations(incidents) -> pd.DataFrame:
    return mttr.phase_durations(incidents)


# --------------------------------------------------------------------------- kinds


def test_kinds_are_tagged_and_survive_copies_filters_and_selections(incidents, durations):
    assert frames.kind_of(incidents) == "incidents"
    assert frames.kind_of(durations) == "durations"
    assert frames.kind_of(incidents.copy()) == "incidents"
    assert frames.kind_of(incidents[incidents["severity"].notna()]) == "incidents"
    # A durations frame cut down to incident columns is still a durations frame (by its tag).
    assert frames.kind_of(durations[["incident_id", "started_at", "resolved_at"]]) == "durations"


def test_kinds_are_recognised_by_columns_where_attrs_are_lost(incidents, durations):
    bare_incidents = pd.DataFrame({c: incidents[c] for c in incidents.columns})
    bare_durations = pd.DataFrame({c: durations[c] for c in durations.columns})
    assert not bare_incidents.attrs and not bare_durations.attrs
    assert frames.kind_of(bare_incidents) == "incidents"
    assert frames.kind_of(bare_durations) == "durations"
    assert frames.kind_of(pd.DataFrame({"x": [1]})) is None
    # A merge of the two loses the attrs; the durations columns decide.
    merged = durations.merge(incidents[["incident_id", "record"]], on="incident_id")
    assert frames.kind_of(merged) == "durations"
    assert mttr.duration_summary(merged).loc["all", "count"] == len(durations)


def test_the_wrong_kind_gets_one_clear_error_users_already_catch(incidents, durations):
    with pytest.raises(mttr.FrameKindError) as err:
        mttr.duration_summary(incidents)
    assert isinstance(err.value, ValueError) and isinstance(err.value, mttr.InputError)
    assert str(err.value) == "duration_summary: this is an incidents frame; pass phase_durations(incidents)"
    with pytest.raises(ValueError, match="check_incidents: this is a durations frame; pass the incidents"):
        mttr.check_incidents(durations)
    with pytest.raises(ValueError, match="phase_durations: this is a durations frame"):
        mttr.phase_durations(durations)
    with pytest.raises(ValueError, match=r"expected the durations frame.*found 'list'"):
        mttr.duration_summary([1, 2, 3])


#: First parameters that name a frame of a kind; every public function taking one is checked.
FRAME_PARAMETERS = {
    "incidents": "incidents",
    "durations": "durations",
    "durations_or_minutes": "durations",
    "durations_with_calendar": "durations",
}
#: Public functions whose first parameter is a frame of no fixed kind (tables, either kind).
OTHER_FRAMES = {
    "assign_tiers",
    "findings_overview",
    "serious_findings",
    "from_frame",
    "hour_uniformity_test",
    "hour_weekday_table",
    "missing_column",
    "overview_text",
    "plot_comparison",
    "plot_ecdf",
    "plot_groups",
    "plot_histogram",
    "plot_hour_weekday",
    "plot_phase_breakdown",
    "plot_tiers",
    "plot_time_classes",
    "plot_trend",
    "readable",
    "show",
    "spreadsheet_safe",
    "tidy",
    "to_safe_csv",
    "with_calendar",
    # The response process reads a third frame, the timeline (one row per event), and its tables.
    "check_timeline",
    "coverage_table",
    "escalation_adherence",
    "ping_pong_pairs",
    "plot_adherence",
    "plot_channels",
    "plot_growth",
    "plot_growth_panels",
    "plot_ping_pong",
    "process_overview",
    "response_process",
    "trigger_channels",
}


def _frame_functions() -> list[tuple[str, str]]:
    out = []
    for name in mttr.__all__:
        obj = getattr(mttr, name)
        if not inspect.isfunction(obj):
            continue
        params = list(inspect.signature(obj).parameters.values())
        if params and params[0].name in FRAME_PARAMETERS:
            out.append((name, FRAME_PARAMETERS[params[0].name]))
    return out


def test_every_public_function_taking_a_frame_is_classified():
    checked = {name for name, _kind in _frame_functions()}
    assert len(checked) >= 25
    for name in mttr.__all__:
        obj = getattr(mttr, name)
        if not inspect.isfunction(obj) or name in checked:
            continue
        first = next(iter(inspect.signature(obj).parameters.values()), None)
        if (
            first is not None
            and "DataFrame" in str(first.annotation)
            and "Series" not in str(first.annotation)
        ):
            assert name in OTHER_FRAMES, (
                f"{name} takes a frame: name its first parameter incidents or durations (and start it with "
                "frames.require), or list it in OTHER_FRAMES of tests/test_frames.py"
            )


@pytest.mark.parametrize(("name", "kind"), _frame_functions(), ids=[n for n, _k in _frame_functions()])
def test_every_public_function_refuses_the_wrong_kind_of_frame(name, kind, incidents, durations):
    function = getattr(mttr, name)
    wrong, found = (durations, "durations") if kind == "incidents" else (incidents, "incidents")
    required = [
        p
        for p in list(inspect.signature(function).parameters.values())[1:]
        if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    ]
    args = [None for p in required if p.kind != p.KEYWORD_ONLY]
    kwargs = {p.name: None for p in required if p.kind == p.KEYWORD_ONLY}
    with pytest.raises(mttr.FrameKindError) as err:
        function(wrong, *args, **kwargs)
    hint = (
        "pass phase_durations(incidents)"
        if kind == "durations"
        else "pass the incidents frame of read_export"
    )
    assert str(err.value) == f"{name}: this is {'an' if found == 'incidents' else 'a'} {found} frame; {hint}"


@pytest.fixture(scope="module")
def timeline():
    return mttr.read_timeline(SAMPLE.parent / "sample_timeline.csv.gz")


@pytest.mark.parametrize(("name", "kind"), _frame_functions(), ids=[n for n, _k in _frame_functions()])
def test_every_public_function_refuses_a_timeline_where_its_frame_belongs(name, kind, timeline):
    # A timeline (one event per row) is neither kind: it was a KeyError 'started_at' deep inside.
    function = getattr(mttr, name)
    required = [
        p
        for p in list(inspect.signature(function).parameters.values())[1:]
        if p.default is inspect.Parameter.empty and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
    ]
    args = [None for p in required if p.kind != p.KEYWORD_ONLY]
    kwargs = {p.name: None for p in required if p.kind == p.KEYWORD_ONLY}
    with pytest.raises(
        mttr.FrameKindError, match=rf"^{name}: this is a timeline \(of read_timeline\); pass "
    ):
        function(timeline, *args, **kwargs)


def test_repeated_ids_are_found_again_after_any_edit_of_the_ids(incidents):
    analysed = len(mttr.phase_durations(incidents))
    doubled = pd.concat([incidents, incidents.iloc[[0]]], ignore_index=True)
    assert doubled.attrs == incidents.attrs  # pandas keeps equal attrs through concat
    assert len(mttr.phase_durations(doubled)) == analysed
    edited = incidents.copy()
    edited.loc[1, "incident_id"] = "101"  # in place: now two records say 101
    assert len(mttr.phase_durations(edited)) == analysed - 1
    assert "duplicate id" in mttr.check_incidents(edited).query("incident_id == '101'")["problem"].str.cat()


# --------------------------------------------------------------------------- times


def test_as_utc_refuses_naive_and_unreadable_times():
    assert frames.as_utc("2024-01-01T01:00+01:00") == pd.Timestamp("2024-01-01T00:00Z")
    with pytest.raises(ValueError, match="no timezone"):
        frames.as_utc("2024-01-01")
    with pytest.raises(ValueError, match="expected a timezone-aware timestamp"):
        frames.as_utc("soon")


def test_sub_second_reversals_are_equal_not_out_of_order(tmp_path):
    # Detection 0.2 s before the start (a second-rounded copy of the same moment).
    incidents = read_rows(
        tmp_path,
        "a,2024-01-01T10:00:00.200Z,2024-01-01T10:00:00Z,2024-01-01T10:05:00Z,,2024-01-01T10:30:00Z,2024-01-01T11:00:00Z",
    )
    row = mttr.phase_durations(incidents).iloc[0]
    assert row["detection"] == pd.Timedelta(0) and row["time_to_detect"] == pd.Timedelta(0)
    assert row["response"] / MIN == pytest.approx(5)
    assert row["time_to_recover"] / MIN == pytest.approx(29.9966667)
    assert not (mttr.check_incidents(incidents)["level"] == "error").any()


def test_order_messages_show_both_times_to_the_second_with_zone(tmp_path):
    incidents = read_rows(tmp_path, "a,,2024-01-01T10:58:40Z,2024-01-01T10:58:05Z,,,2024-01-01T11:00:00Z")
    findings = mttr.check_incidents(incidents)
    error = findings.loc[findings["level"] == "error", "problem"].tolist()
    assert error == [
        "acknowledged_at (2024-01-01 10:58:05 UTC) is before detected_at (2024-01-01 10:58:40 UTC)"
    ]


# --------------------------------------------------------------------------- each metric's own endpoints


def test_each_metric_is_measured_from_its_own_endpoints(tmp_path):
    # b: diagnosed (10:30) after recovered (10:20): the recovery is still 20 minutes after detection.
    incidents = read_rows(
        tmp_path,
        "a,2024-01-01T09:50:00Z,2024-01-01T10:00:00Z,2024-01-01T10:05:00Z,2024-01-01T10:10:00Z,2024-01-01T10:20:00Z,2024-01-01T11:00:00Z",
        "b,,2024-01-01T10:00:00Z,2024-01-01T10:05:00Z,2024-01-01T10:30:00Z,2024-01-01T10:20:00Z,2024-01-01T11:00:00Z",
        # c: acknowledged before detection; detection still counts from the start.
        "c,2024-01-01T09:50:00Z,2024-01-01T10:00:00Z,2024-01-01T09:55:00Z,,2024-01-01T10:20:00Z,2024-01-01T11:00:00Z",
        # d: recovered before the start: the recovery falls back to the resolution, flagged.
        "d,2024-01-01T10:00:00Z,2024-01-01T10:10:00Z,,,2024-01-01T09:00:00Z,2024-01-01T11:00:00Z",
    )
    got = mttr.phase_durations(incidents).set_index("incident_id")
    minutes = got[list(mttr.METRICS)].apply(lambda c: c / MIN)
    assert minutes.loc["a"].tolist() == [10, 5, 15, 30, 70]
    assert minutes.loc["b"].tolist()[1:] == [5, 15, 20, 60]
    assert np.isnan(minutes.loc["c", "time_to_respond"])
    assert minutes.loc["c"].drop("time_to_respond").tolist() == [10, 25, 30, 70]
    assert minutes.loc["d", "time_to_recover"] == minutes.loc["d", "time_to_resolve"] == 60
    assert got["recovery_is_resolution"].tolist() == [False, False, False, True]
    # A phase that starts or ends at an out-of-order milestone is not measured.
    assert pd.isna(got.loc["b", "repair"]) and pd.isna(got.loc["b", "followup"])
    action = mttr.check_incidents(incidents).query("incident_id == 'b' and level == 'error'")["action"]
    assert action.str.contains("each metric is measured from its own two endpoints").all()


def assert_flags_agree_with_numbers(durations: pd.DataFrame) -> None:
    flagged = durations["recovery_is_resolution"]
    own = (durations["recovered_at"] - durations["clock_start"]).clip(lower=pd.Timedelta(0))
    fallback = (durations["resolved_at"] - durations["clock_start"]).clip(lower=pd.Timedelta(0))
    measured = durations["time_to_recover"].notna()
    assert (durations.loc[measured & ~flagged, "time_to_recover"] == own[measured & ~flagged]).all()
    assert (durations.loc[measured & flagged, "time_to_recover"] == fallback[measured & flagged]).all()
    # Where the recorded recovery is usable, it is the one used.
    usable = (
        durations["recovered_at"].notna()
        & (own.notna())
        & (durations["recovered_at"] >= durations["clock_start"])
    )
    assert not (usable & flagged).any()


def test_a_flag_never_contradicts_a_number(durations):
    assert_flags_agree_with_numbers(durations)


@pytest.mark.parametrize(
    "name", ["gcp_status_incidents_2022-07-03.json.gz", "github_status_incidents.jsonl.gz"]
)
def test_a_flag_never_contradicts_a_number_on_real_exports(real_data, name):
    assert_flags_agree_with_numbers(mttr.phase_durations(mttr.read_export(real_data / name, source="auto")))


# --------------------------------------------------------------------------- absurd times


def test_times_at_pandas_limits_are_errors_and_never_used(tmp_path):
    incidents = read_rows(
        tmp_path,
        "a,,2024-01-01T10:00:00Z,,,,9999-12-31T00:00:00Z",
        "b,,2024-01-02T10:00:00Z,,,,2024-01-02T11:00:00Z",
    )
    assert frames.default_as_of(incidents) == pd.Timestamp("2024-01-02T11:00Z")
    got = mttr.phase_durations(incidents).set_index("incident_id")
    assert not got.loc["a", "is_open"]  # it has a resolution, just not a usable one
    assert pd.isna(got.loc["a", "time_to_resolve"]) and pd.isna(got.loc["a", "open_for"])
    findings = mttr.check_incidents(incidents)
    error = findings[(findings["incident_id"] == "a") & (findings["level"] == "error")]
    assert error["problem"].tolist() == [
        "resolved_at (9999-12-31 00:00:00 UTC) is at the limit of what pandas can hold"
    ]
    assert error["action"].tolist() == ["not used: the time is impossible"]


def test_times_more_than_a_day_after_as_of_had_not_happened_by_then(tmp_path):
    incidents = read_rows(
        tmp_path,
        "a,,2024-01-01T10:00:00Z,,,,2024-03-01T00:00:00Z",  # resolved two months after as_of
        "b,,2024-01-01T10:00:00Z,,,,2024-01-01T12:00:00Z",  # within a day of as_of
        "c,,2024-01-05T10:00:00Z,,,,2024-01-06T00:00:00Z",  # begun days after as_of
    )
    as_of = "2024-01-01T11:00:00Z"
    got = mttr.phase_durations(incidents, as_of=as_of).set_index("incident_id")
    # a was still open at as_of: censored there, an hour after its clock started
    assert pd.isna(got.loc["a", "time_to_resolve"]) and got.loc["a", "is_open"]
    assert got.loc["a", "open_for"] / MIN == 60
    assert got.loc["b", "time_to_resolve"] / MIN == 120 and not got.loc["b", "is_open"]  # kept as recorded
    # c had not begun: left out, and accounted for
    assert "c" not in got.index
    summary = mttr.duration_summary(got.reset_index(), metric="time_to_resolve")
    assert summary.loc["all", ["count", "open", "observed", "missing"]].tolist() == [2, 1, 1, 0]
    overview = mttr.export_overview(incidents, got.reset_index(), as_of=as_of)["value"]
    assert overview[["records read", "analysed", "excluded", "open"]].tolist() == ["3", "2", "1", "1"]
    findings = mttr.check_incidents(incidents, as_of=as_of).set_index(["incident_id", "column"])
    assert findings.loc[("a", "resolved_at"), "level"].tolist() == ["warning", "info"]
    assert (
        "more than a day after the review date (2024-01-01 11:00:00 UTC)"
        in findings.loc[("a", "resolved_at"), "problem"].iloc[0]
    )
    assert (
        findings.loc[("a", "resolved_at"), "action"].iloc[0]
        == "not used: the incident was still open at the review date (censored there)"
    )
    assert findings.loc[("a", "resolved_at"), "problem"].iloc[1] == "open incident (no resolved_at)"
    assert findings.loc[[("b", "resolved_at")], "action"].tolist() == ["kept as recorded"]
    assert findings.loc[[("c", "detected_at")], "action"].tolist() == [
        "excluded from analysis: it had not begun by the review date"
    ]
    assert findings.loc[[("c", "detected_at")], "problem"].tolist() == [
        "begins after the review date: detected_at (2024-01-05 10:00:00 UTC) is more than a day after it (2024-01-01 11:00:00 UTC)"
    ]
    assert ("c", "resolved_at") not in findings.index  # one finding for an incident left out
    assert "error" not in set(findings["level"])


def test_a_placeholder_resolution_never_opens_an_incident(tmp_path):
    incidents = read_rows(tmp_path, "a,,2024-01-01T10:00:00Z,,,,9999-12-31T00:00:00Z")
    got = mttr.phase_durations(incidents, as_of="2024-01-02T00:00:00Z")
    assert not got.loc[0, "is_open"] and pd.isna(got.loc[0, "time_to_resolve"])


# --------------------------------------------------------------------------- censoring as one input


def test_minutes_observed_gives_minutes_and_the_event_flag(durations):
    table = mttr.minutes_observed(durations, metric="time_to_recover")
    assert list(table.columns) == ["minutes", "observed", "censored"]
    by_id = table.set_axis(durations["incident_id"])
    assert not by_id.loc["104", "observed"] and by_id.loc["104", "censored"]
    assert by_id.loc["104", "minutes"] == 20  # open: censored at as_of
    assert by_id.loc["101", "observed"] and by_id.loc["101", "minutes"] == 62
    assert (table["observed"] & table["censored"]).sum() == 0
    pd.testing.assert_frame_equal(mttr.censored_minutes(durations), table[["minutes", "censored"]])
    with pytest.raises(ValueError, match="metric must be one of"):
        mttr.minutes_observed(durations, metric="time_to_lunch")


def test_a_duration_column_of_numbers_is_refused_naming_it(sample):
    minutes = sample.assign(time_to_recover=sample["time_to_recover"].dt.total_seconds() / 60)
    with pytest.raises(mttr.InputError) as err:
        mttr.duration_summary(minutes)
    assert str(err.value) == (
        "duration_summary: column 'time_to_recover' holds float numbers (float64), not durations; "
        "expected Timedelta durations (timedelta64) as phase_durations gives them, e.g. "
        'pd.to_timedelta(minutes, unit="min") for minutes as numbers'
    )
    with pytest.raises(mttr.InputError, match="ecdf_table: column 'time_to_recover' holds float numbers"):
        mttr.ecdf_table(minutes)
    with pytest.raises(mttr.InputError, match="column 'time_to_recover' holds float numbers"):
        mttr.compare_periods(
            minutes,
            before=("2025-10-01T00:00Z", "2026-01-01T00:00Z"),
            after=("2026-01-01T00:00Z", "2026-04-01T00:00Z"),
        )
    repair = sample.assign(repair=sample["repair"].dt.total_seconds().astype("object"))
    with pytest.raises(
        mttr.InputError, match=r"phase_breakdown: column 'repair' holds Python objects \(floating"
    ):
        mttr.phase_breakdown(repair)
    # a column the function does not read is not its concern; Timedeltas as objects still pass
    assert mttr.duration_summary(minutes, metric="time_to_resolve").loc["all", "count"] == len(sample)
    as_objects = sample.astype({"time_to_recover": object})
    pd.testing.assert_frame_equal(mttr.duration_summary(as_objects), mttr.duration_summary(sample))


def test_a_negative_duration_is_refused_naming_the_column_and_incidents(sample):
    edited = sample.copy()
    edited.loc[edited.index[:5], "time_to_recover"] = pd.Timedelta(minutes=-30)
    first = ", ".join(edited["incident_id"].iloc[:3])
    with pytest.raises(mttr.InputError) as err:
        mttr.duration_summary(edited)
    assert str(err.value) == (
        "duration_summary: column 'time_to_recover' holds 5 negative duration(s), such as -30 minutes, "
        f"at incident {first} and 2 more; expected durations of zero or more, as phase_durations makes "
        "them (NaT where one cannot be measured); set the wrong ones to pd.NaT or recompute them with "
        "phase_durations"
    )
    with pytest.raises(mttr.InputError, match="minutes_observed: column 'time_to_recover' holds 5 negative"):
        mttr.minutes_observed(edited)
    phase = sample.copy()
    phase.loc[phase.index[7], "repair"] = pd.Timedelta(seconds=-1)
    with pytest.raises(mttr.InputError, match="phase_breakdown: column 'repair' holds 1 negative"):
        mttr.phase_breakdown(phase)
    # what phase_durations makes passes: zero durations, and NaT where a phase is not measured
    assert (sample["time_to_detect"] == pd.Timedelta(0)).any() and sample["repair"].isna().any()
    zero = sample.copy()
    zero.loc[zero.index[:5], "time_to_recover"] = pd.Timedelta(0)
    assert mttr.duration_summary(zero).loc["all", "min"] == 0
    assert mttr.phase_breakdown(sample).loc["all", "incidents"] == len(sample)


# --------------------------------------------------------------------------- periods


def test_a_period_is_a_checked_utc_pair():
    period = mttr.Period("2025-01-01T01:00+01:00", "2025-04-01T00:00Z")
    assert tuple(period) == (pd.Timestamp("2025-01-01T00:00Z"), pd.Timestamp("2025-04-01T00:00Z"))
    assert repr(period) == "Period(2025-01-01 00:00:00 UTC to 2025-04-01 00:00:00 UTC)"
    assert mttr.Period.quarter("2026Q3", tz="Europe/Berlin") == (
        pd.Timestamp("2026-06-30T22:00Z"),
        pd.Timestamp("2026-09-30T22:00Z"),
    )
    with pytest.raises(ValueError, match="no timezone"):
        mttr.Period("2025-01-01", "2025-02-01")
    with pytest.raises(ValueError, match="must come before end"):
        mttr.Period("2025-02-01T00:00Z", "2025-01-01T00:00Z")


def test_a_period_goes_wherever_a_pair_went():
    durations = mttr.phase_durations(mttr.read_export(SAMPLE, source="auto"))
    before = mttr.Period("2025-01-01T00:00Z", "2025-07-01T00:00Z")
    after = mttr.Period("2025-07-01T00:00Z", "2026-01-01T00:00Z")
    as_pairs = mttr.compare_periods(durations, before=tuple(map(str, before)), after=tuple(map(str, after)))
    pd.testing.assert_frame_equal(mttr.compare_periods(durations, before=before, after=after), as_pairs)
    mix = mttr.severity_mix(durations, periods={"first": before, "second": after})
    assert list(mix.columns) == ["first", "first share", "second", "second share"]


def test_naive_or_text_milestones_are_refused_and_empty_ones_accepted(incidents):
    naive = incidents.assign(detected_at=incidents["detected_at"].dt.tz_localize(None))
    with pytest.raises(
        mttr.InputError, match="column 'detected_at': the milestone holds values without a timezone"
    ):
        mttr.phase_durations(naive)
    with pytest.raises(mttr.InputError, match="without a timezone"):
        mttr.check_incidents(incidents.assign(resolved_at=incidents["resolved_at"].astype("str")))
    blank = incidents.assign(diagnosed_at=None)  # an object column with no value at all
    assert mttr.phase_durations(blank)["diagnosis"].isna().all()
    coarse = incidents.assign(started_at=incidents["started_at"].dt.as_unit("s"))
    pd.testing.assert_series_equal(
        mttr.phase_durations(coarse)["time_to_resolve"],
        mttr.phase_durations(incidents)["time_to_resolve"].dt.as_unit("s"),
    )
