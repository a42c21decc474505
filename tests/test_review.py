"""Tables for the periodic review: quarters, severity mix, slowest incidents, display tidying."""

from __future__ import annotations

import json
import os
import re

import numpy as np
import pandas as pd
import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, HAND, NOISE, SAMPLE, export, spread, visible_text

import mttr_lab as mttr


def test_latest_complete_quarter_in_the_team_timezone(sample):
    # The sample ends on 30 September 2026, before the third quarter is over in Berlin.
    bounds = mttr.quarter_bounds(sample, tz="Europe/Berlin")
    assert bounds["label"] == "2026Q2" and bounds["previous_label"] == "2026Q1"
    assert bounds["start"] == pd.Timestamp("2026-03-31 22:00", tz="UTC")  # local midnight, CEST
    assert bounds["end"] == pd.Timestamp("2026-06-30 22:00", tz="UTC")
    assert bounds["previous_start"] == pd.Timestamp("2025-12-31 23:00", tz="UTC")  # CET
    assert bool(bounds["complete"])
    later = mttr.quarter_bounds(sample, tz="Europe/Berlin", as_of="2026-10-02T00:00Z")
    assert later["label"] == "2026Q3"
    named = mttr.quarter_bounds(sample, quarter="2025-Q4", tz="UTC")
    assert named["start"] == pd.Timestamp("2025-10-01", tz="UTC") and named["end"] == pd.Timestamp(
        "2026-01-01", tz="UTC"
    )
    with pytest.raises(ValueError, match="2026Q3"):
        mttr.quarter_bounds(sample, quarter="third")


def test_a_history_shorter_than_a_quarter_reviews_the_current_one(sample):
    early = sample[sample["clock_start"] < pd.Timestamp("2025-04-20", tz="UTC")]
    bounds = mttr.quarter_bounds(early, tz="UTC")
    assert bounds["label"] == "2025Q2" and not bounds["complete"]


def test_quarter_table_matches_the_summary_of_each_quarter(sample):
    bounds = mttr.quarter_bounds(sample, tz="UTC")
    table = mttr.quarter_table(sample, bounds=bounds)
    assert list(table.index) == [bounds["previous_label"], bounds["label"]]
    this = mttr.period_durations(sample, start=bounds["start"], end=bounds["end"])
    assert table.loc[bounds["label"], "incidents"] == len(this)
    assert table.loc[bounds["label"], "median"] == pytest.approx(
        np.median(mttr.to_minutes(this["time_to_recover"]).dropna())
    )


def test_severity_mix_counts_and_shares(sample):
    periods = {"H1": (pd.Timestamp("2025-04-01", tz="UTC"), pd.Timestamp("2025-10-01", tz="UTC"))}
    mix = mttr.severity_mix(sample, periods=periods)
    inside = mttr.period_durations(sample, start=periods["H1"][0], end=periods["H1"][1])
    assert mix.loc["total", "H1"] == len(inside)
    assert mix.loc["critical", "H1"] == (inside["severity"] == "critical").sum()
    assert mix.loc[["low", "medium", "high", "critical"], "H1 share"].sum() == pytest.approx(
        1 - mix.loc["no severity", "H1 share"] if "no severity" in mix.index else 1
    )


def test_slowest_incidents_rank_open_ones_by_time_open(fixtures):
    durations = mttr.phase_durations(
        mttr.read_export(fixtures / "generic" / "hand_made.csv", columns=HAND, tz="UTC"),
        as_of="2024-05-07T14:00:00Z",
    )
    slow = mttr.slowest_incidents(durations, n=2)
    assert slow["incident_id"].tolist() == ["104", "103"]  # open for a day; then 80 minutes
    assert slow["open"].tolist() == [True, False]
    assert slow.loc[1, "minutes"] == 80


def test_slowest_incidents_leave_out_what_the_export_does_not_record(tmp_path, fixtures):
    export = tmp_path / "bare.csv"
    export.write_text(
        "id,opened,closed\n"
        "A,2026-01-01T10:00:00Z,2026-01-01T11:00:00Z\n"
        "B,2026-01-02T10:00:00Z,2026-01-02T10:30:00Z\n"
        "C,2026-01-03T10:00:00Z,\n"
    )
    incidents = mttr.read_export(
        export, source="csv", columns={"incident_id": "id", "detected_at": "opened", "resolved_at": "closed"}
    )
    slow = mttr.slowest_incidents(mttr.phase_durations(incidents))
    assert slow.columns.tolist() == ["incident_id", "started", "minutes", "open"]
    assert slow["incident_id"].tolist() == ["A", "B", "C"]
    shown = mttr.readable(slow, tz="Europe/Berlin")
    assert not [c for c in shown.columns if shown[c].astype("str").eq("–").all()]

    # A column the export records is kept, even where some incidents have no value in it.
    full = mttr.phase_durations(
        mttr.read_export(fixtures / "generic" / "hand_made.csv", columns=HAND, tz="UTC")
    )
    assert {"title", "severity", "service"} <= set(mttr.slowest_incidents(full).columns)
    partly = full.assign(title=full["title"].where(full.index != full.index[0]))
    assert "title" in mttr.slowest_incidents(partly).columns


def test_tidy_rounds_names_missing_groups_and_keeps_relevant_notes(sample):
    table = mttr.duration_summary(sample.head(30), by="severity")
    shown = mttr.tidy(table[["count", "median", "median_low", "note"]])
    assert "no severity" in shown.index or table.index.notna().all()
    notes = " ".join(shown["note"].dropna())
    assert "p99" not in notes and "p95" not in notes  # about columns the table does not show
    assert (shown["median"] == shown["median"].round(1)).all()


def test_latest_incidents_and_the_percentile_pitfall(sample):
    recent = mttr.latest_incidents(sample, n=20)
    assert len(recent) == 20 and recent["clock_start"].is_monotonic_increasing
    assert recent["clock_start"].max() == sample["clock_start"].max()
    closed = mttr.latest_incidents(sample[~sample["is_open"]], n=40)
    table = mttr.percentile_pitfall(closed)
    values = np.sort(mttr.to_minutes(closed["time_to_recover"]).dropna())
    # Below 100 incidents the index rule returns the maximum as p99.
    assert table.loc["index rule", "p99"] == values[-1] == table.loc["maximum", "p99"]
    assert table.loc["linear (numpy's default)", "p99"] < values[-1]
    # For an even count it rounds the median up to the upper middle value.
    assert table.loc["index rule", "p50"] == values[20]
    # The methods are named in words, as the table is shown (no code, no snake_case).
    assert list(table.index) == ["index rule", "linear (numpy's default)", "median-unbiased", "maximum"]
    assert table.loc["linear (numpy's default)", "p50"] == pytest.approx((values[19] + values[20]) / 2)


def test_mean_moves_with_one_outlier_the_median_barely(tmp_path):
    rows = ["incident_id,detected_at,resolved_at"]
    for i, minutes in enumerate([10, 12, 15, 20, 25, 30, 40, 3000]):
        end = pd.Timestamp("2024-01-01T00:00Z") + pd.Timedelta(days=i, minutes=minutes)
        rows.append(f"i{i},2024-01-{i + 1:02d}T00:00:00Z,{end:%Y-%m-%dT%H:%M:%SZ}")
    path = tmp_path / "outlier.csv"
    path.write_text("\n".join(rows) + "\n")
    table = mttr.mean_sensitivity(mttr.phase_durations(mttr.read_export(path)))
    assert table.loc["mean", "all"] == pytest.approx(np.mean([10, 12, 15, 20, 25, 30, 40, 3000]))
    assert table.loc["mean", "change"] < -0.8
    assert abs(table.loc["median", "change"]) < 0.25


@pytest.mark.parametrize(
    ("period", "label", "previous", "days"),
    [
        ("week", "2026-W39", "2026-W38", 7),
        ("month", "2026-09", "2026-08", 30),
        ("quarter", "2026Q3", "2026Q2", 92),
    ],
)
def test_review_bounds_for_each_cadence(sample, period, label, previous, days):
    as_of = "2026-10-02T12:00Z"
    bounds = mttr.review_bounds(sample, period=period, tz="Europe/Berlin", as_of=as_of)
    assert (bounds["period"], bounds["label"], bounds["previous_label"]) == (period, label, previous)
    assert bounds["complete"] and not bounds["future"]
    assert bounds["previous_end"] == bounds["start"]
    local = bounds["start"].tz_convert("Europe/Berlin")
    assert (local.hour, local.minute) == (0, 0)  # periods start at the team's midnight
    assert (bounds["last_day"] - bounds["first_day"]).days + 1 == days


def test_an_export_whose_incidents_stop_early_is_not_reviewed_on_an_empty_window(tmp_path):
    """One incident closed months after the others: the latest timestamp is no reason to review an empty month."""
    minutes = np.full(40, 90.0)
    minutes[-1] = 130 * 24 * 60  # the last one closed in September
    durations = export(tmp_path, spread("2026-01-05", 125, 40), minutes)  # starts end on 10 May
    bounds = mttr.review_bounds(durations, period="month", tz="UTC")
    assert (bounds["label"], bounds["previous_label"], bounds["complete"]) == ("2026-04", "2026-03", True)
    assert re.match(
        r"2026-08 holds no incident: the export.s incidents stop on [1-9]\d? May 2026, so", bounds["note"]
    )
    assert "covers 2026-04, the latest month they cover in full" in bounds["note"]
    assert bounds["note"] in mttr.review_title(bounds, export="x.csv", tz="UTC")
    chosen = mttr.review_bounds(durations, period="month", tz="UTC", as_of="2026-09-20T12:00Z")
    assert chosen["label"] == "2026-08" and chosen["note"] == ""  # a review date given on purpose is kept
    assert mttr.review_bounds(durations, period="quarter", tz="UTC")["note"] == ""  # 2026Q2 holds incidents


def test_incidents_that_run_to_the_end_of_a_period_have_it_reviewed(tmp_path):
    """The last incidents started on a Sunday: their week is complete, not skipped for the one before."""
    minutes = np.full(30, 90.0)
    minutes[-1] = 60 * 24 * 60  # closed two months later: the latest timestamp is in June
    starts = spread("2026-03-02", 60, 29).append(pd.DatetimeIndex(["2026-05-03T10:00"]))  # the last on Sunday
    durations = export(tmp_path, starts, minutes)
    last = durations["clock_start"].max()
    assert last.tz_convert("UTC").day_name() == "Sunday"
    bounds = mttr.review_bounds(durations, period="week", tz="UTC")
    assert bounds["label"] == "2026-W18"  # 27 April - 3 May, the week of the last incident
    assert "covers 2026-W18, the latest week they cover in full" in bounds["note"]


def test_a_custom_window_is_compared_with_as_many_days_before(sample):
    bounds = mttr.review_bounds(sample, start="2026-06-01", end="2026-06-30", tz="UTC")
    assert bounds["start"] == pd.Timestamp("2026-06-01T00:00Z") and bounds["end"] == pd.Timestamp(
        "2026-07-01T00:00Z"
    )
    assert bounds["previous_start"] == pd.Timestamp("2026-05-02T00:00Z")
    assert bounds["label"] == "01 Jun 2026 – 30 Jun 2026"  # the review's title (the CLI passes the window)
    with pytest.raises(mttr.InputError, match="ends before it starts"):
        mttr.review_bounds(sample, start="2026-06-30", end="2026-06-01")
    future = mttr.review_bounds(sample, period="quarter", label="2027Q1", tz="UTC")
    assert future["future"] and not future["complete"]


def test_a_period_is_covered_in_full_only_from_its_first_day_to_its_last(tmp_path):
    """Once 'covers 2016Q1, the latest quarter they cover in full' for incidents from 29 February,
    compared with an empty 2015Q4 (the ServiceNow log); the check looked only where they stop."""
    minutes = np.full(60, 90.0)
    minutes[-1] = 270 * 24 * 60  # the last closed in February 2017: the latest timestamp
    durations = export(tmp_path, spread("2016-02-29T10:00", 74, 60), minutes)  # starts stop on 12 May
    bounds = mttr.review_bounds(durations, period="quarter", tz="UTC")
    # No quarter is covered in full: the latest they reach, as with a history shorter than a quarter.
    assert (bounds["label"], bounds["previous_label"]) == ("2016Q2", "2016Q1")
    assert bounds["note"] == (
        "2016Q4 holds no incident: the export's incidents run from 29 February 2016 to 12 May 2016, so "
        "the review covers 2016Q2, the latest quarter they reach: they cover no quarter in full."
    )
    month = mttr.review_bounds(durations, period="month", tz="UTC")  # March and April are covered
    assert (month["label"], month["previous_label"]) == ("2016-04", "2016-03")
    assert "covers 2016-04, the latest month they cover in full." in month["note"]
    short = export(
        tmp_path, spread("2016-04-04", 30, 20).append(pd.DatetimeIndex(["2016-05-04"])), minutes[-21:]
    )
    within = mttr.review_bounds(short, period="quarter", tz="UTC")  # all in one quarter: nothing before it
    assert (within["label"], within["previous_label"]) == ("2016Q2", "2016Q1")
    assert within["note"] == (
        "2016Q4 holds no incident: the export's incidents run from 4 April 2016 to 4 May 2016, so the "
        "review covers 2016Q2, the latest quarter they reach: they cover no quarter in full. 2016Q1 holds "
        "no incident: the export's incidents start on 4 April 2016, so there is nothing to compare with."
    )


def test_the_servicenow_log_is_not_said_to_cover_a_quarter_in_full(real_data):
    path = real_data / "servicenow_incident_event_log.csv.gz"
    durations = mttr.phase_durations(mttr.read_export(path, tz="Europe/Lisbon"))
    bounds = mttr.review_bounds(durations, tz="Europe/Lisbon")
    assert (bounds["label"], bounds["previous_label"]) == ("2016Q2", "2016Q1")
    assert "run from 29 February 2016 to 13 May 2016" in bounds["note"]
    assert bounds["note"].endswith("the latest quarter they reach: they cover no quarter in full.")


def test_a_period_compared_with_one_before_the_data_says_so(sample):
    """Once 'against 2025Q1' and nothing more, for a quarter before the export's first incident."""
    named = mttr.quarter_bounds(sample, quarter="2025Q2", tz="Europe/Berlin")
    said = "2025Q1 holds no incident: the export's incidents start on 1 April 2025, so there is nothing to compare with."
    assert named["note"] == said
    assert said in str(mttr.review_title(named, export="x.json", tz="Europe/Berlin"))
    window = mttr.review_bounds(sample, start="2025-04-01", end="2025-04-30", tz="UTC")
    assert window["note"] == (
        "The 30 days before hold no incident: the export's incidents start on 1 April 2025, so there is "
        "nothing to compare with."
    )
    assert mttr.review_bounds(sample, start="2025-04-02", end="2025-04-30", tz="UTC")["note"] == ""
    assert mttr.quarter_bounds(sample, tz="Europe/Berlin")["note"] == ""


def test_a_window_day_that_is_not_a_date_is_quoted_once(sample):
    """Once found "'2026-06-31'": the value was quoted by the message and again by InputError."""
    with pytest.raises(mttr.InputError) as err:
        mttr.review_bounds(sample, start="2026-06-31", end="2026-07-10")
    assert str(err.value) == (
        "the review window's first day (start) is not a date; found '2026-06-31'; expected a day, e.g. 2026-06-01"
    )


def test_tidy_views_keep_their_columns_in_order_for_every_table_kind(sample):
    from mttr_lab.review import VIEWS

    summary = mttr.duration_summary(sample, by="severity")
    headline = mttr.tidy(summary, view="headline")
    assert list(headline.columns) == [c for c in VIEWS["headline"] if c in summary.columns]
    assert "open" in headline.columns and "mean" not in headline.columns
    tiers = mttr.tidy(mttr.assign_tiers(summary), view="headline")
    assert list(tiers.columns) == [
        "count",
        "median",
        "median_low",
        "median_high",
        "tier",
        "tiers_spanned",
        "note",
    ]
    censoring = mttr.tidy(summary, view="censoring")
    assert {"km_median", "km_median_low", "km_median_high", "observed"} <= set(censoring.columns)
    assert mttr.tidy(summary, view="percentiles")["p99"].dtype == float
    with pytest.raises(
        mttr.InputError, match=r"no view named 'short'.*headline, percentiles, censoring, mean"
    ):
        mttr.tidy(summary, view="short")


# --------------------------------------------------------------------------- the response process

#: Timeline kinds -> PagerDuty log entry types, for an export built from the sample and its timeline.
_PD_ENTRY = {
    "trigger": "trigger_log_entry",
    "notify": "notify_log_entry",
    "escalate": "escalate_log_entry",
    "assign": "assign_log_entry",
    "acknowledge": "acknowledge_log_entry",
    "resolve": "resolve_log_entry",
}
_PD_PRIORITY = {"critical": "P1", "high": "P2", "medium": "P3", "low": "P4"}


def _pagerduty_export(path):
    """The sample's incidents as PagerDuty REST incidents with their log entries (the sample timeline)."""
    incidents = mttr.read_export(SAMPLE, source="firehydrant")
    incidents = incidents[incidents["exclude_reason"].isna()]
    events = dict(tuple(pd.read_csv(SAMPLE.parent / "sample_timeline.csv.gz").groupby("incident_id")))
    docs = []
    for n, inc in enumerate(incidents.itertuples(), start=1):
        log = []
        for j, e in enumerate(events[inc.incident_id].itertuples(), start=1):
            entry = {
                "id": f"R{n:05d}{j:02d}",
                "type": _PD_ENTRY[e.kind],
                "created_at": e.at,
                "escalation_policy": {"summary": e.group},
                "incident": {"id": f"P{n:05d}"},
                "channel": {"type": e.detail if e.kind == "trigger" else "auto"},
            }
            if e.kind == "escalate":
                entry["escalation_level"] = int(e.level)
            log.append(entry)
        resolved = inc.resolved_at.strftime("%Y-%m-%dT%H:%M:%SZ") if pd.notna(inc.resolved_at) else None
        docs.append(
            {
                "id": f"P{n:05d}",
                "incident_number": n,
                "title": inc.title,
                "created_at": inc.detected_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "status": "resolved" if resolved else "triggered",
                "resolved_at": resolved,
                "urgency": "high",
                "priority": {"name": _PD_PRIORITY.get(str(inc.severity), "P3")},
                "service": {"summary": inc.service},
                "escalation_policy": {"summary": events[inc.incident_id]["group"].iloc[0]},
                "log_entries": log,
            }
        )
    path.write_text(json.dumps({"incidents": docs}))
    return path


@pytest.fixture(scope="module")
def pagerduty(tmp_path_factory):
    return _pagerduty_export(tmp_path_factory.mktemp("pd") / "incidents.json")


def _period(export, **options):
    durations = mttr.phase_durations(mttr.read_export(export, **options))
    bounds = mttr.review_bounds(durations, tz="Europe/Berlin")
    return mttr.period_durations(durations, start=bounds["start"], end=bounds["end"]), bounds


def _plain_counts(export, ids):
    """Hand-overs, escalations and ping-pong per incident, counted in plain Python from the JSON."""
    handed = escalated = bounced = 0
    for inc in json.loads(export.read_text())["incidents"]:
        if inc["id"] not in ids:
            continue
        entries = sorted(inc["log_entries"], key=lambda e: e["created_at"])  # stable: file order on ties
        runs = []
        for entry in entries:
            group = entry["escalation_policy"]["summary"]
            if not runs or runs[-1] != group:
                runs.append(group)
        handed += len(runs) > 1
        bounced += len(runs) > len(set(runs))
        escalated += any(e["type"] == "escalate_log_entry" for e in entries)
    return handed, escalated, bounced


def test_response_section_counts_what_a_plain_count_of_the_log_entries_gives(pagerduty):
    this, bounds = _period(pagerduty)
    section = mttr.response_section(this, pagerduty, period=bounds["period"])
    n = len(this)
    assert section.summary.startswith(f"The timeline follows {n:,} of the {n:,} incidents of this quarter: ")
    handed, escalated, bounced = _plain_counts(pagerduty, set(this["incident_id"]))
    assert 0 < bounced < handed < n and 0 < escalated < n
    assert (
        f"{handed:,} ({handed / n:.0%}) were handed over at least once".replace("%", " %") in section.summary
    )
    assert (
        f"{escalated:,} ({escalated / n:.0%}) were escalated at least once".replace("%", " %")
        in section.summary
    )
    assert (
        f"{bounced:,} ({bounced / n:.0%}) went back to a group they had left".replace("%", " %")
        in section.summary
    )
    # The sample's timeline hands longer incidents to another team more often: the verdict sees it.
    assert "incidents with hand-overs take longer, beyond noise" in section.summary.lower()
    assert list(section.growth) == ["hand-overs", "escalations"]
    assert section.growth["hand-overs"]["observed"].sum() == this["time_to_recover"].notna().sum()
    assert list(section.pairs.columns) == [
        "group",
        "handed to, then back",
        "incidents",
        "bounces",
        "median time away",
        "total time away",
    ]
    assert section.pairs["incidents"].sum() >= 1 and len(section.pairs) <= 5
    assert section.channels.loc["phone", "noticed by"] == "customer"
    assert section.channels["count"].sum() == n
    assert section.untracked is None  # PagerDuty records no impact start


def test_response_section_without_a_timeline_names_what_would_give_one(fixtures):
    this, bounds = _period(fixtures / "opsgenie" / "alerts.json")
    section = mttr.response_section(this, fixtures / "opsgenie" / "alerts.json", period=bounds["period"])
    assert section.summary.startswith("This export carries no timeline (PagerDuty incidents")
    assert "ServiceNow incident event logs" in section.summary and section.summary.count(". ") == 0
    assert section.growth == {} and section.pairs is None
    assert section.channels is not None  # the alerts' source is the detection channel


def test_response_section_of_a_generic_export_mapped_by_hand(fixtures):
    export = fixtures / "generic" / "hand_made.csv"
    durations = mttr.phase_durations(mttr.read_export(export, columns=HAND, tz="UTC"))
    section = mttr.response_section(durations, export, columns=HAND, tz="UTC")
    assert section.summary.startswith("This export carries no timeline")
    assert section.untracked is not None and "Untracked time" in section.untracked  # impact began is mapped


def test_response_section_of_milestones_without_groups(sample):
    bounds = mttr.review_bounds(sample, tz="Europe/Berlin")
    this = mttr.period_durations(sample, start=bounds["start"], end=bounds["end"])
    section = mttr.response_section(this, SAMPLE, period=bounds["period"], source="firehydrant")
    assert "no event names a group or an escalation level" in section.summary
    assert f"follows {len(this):,} of the {len(this):,} incidents" in section.summary
    assert section.growth == {} and section.pairs is None and section.channels is None
    untracked = mttr.untracked_time(this).iloc[0]
    assert untracked["with_impact_start"] > 0
    recorded = int(this["started_at"].notna().sum())
    assert untracked["impact_recorded"] == recorded >= untracked["with_impact_start"]
    assert (
        f"{recorded:,} of {len(this):,} incidents record when the customer impact began" in section.untracked
    )
    if untracked["with_impact_start"] < recorded:  # the figures say which incidents they are of
        assert f"in the {untracked['with_impact_start']:,} whose impact start" in section.untracked


def test_response_section_of_an_empty_period_and_of_the_wrong_frame(pagerduty):
    durations = mttr.phase_durations(mttr.read_export(pagerduty))
    empty = durations.iloc[:0]
    assert mttr.response_section(empty, pagerduty, period="week").summary == "No incident in this week."
    with pytest.raises(mttr.InputError, match="response_section"):
        mttr.response_section(mttr.read_export(pagerduty), pagerduty)  # incidents, not durations
    with pytest.raises(mttr.InputError, match="the path the incidents were read from"):
        mttr.response_section(durations, mttr.read_timeline(pagerduty))  # a timeline, not the file


def test_response_section_of_a_timeline_that_cannot_be_read(tmp_path):
    log = tmp_path / "log.csv"
    log.write_text(
        "incident_id,at,kind,group\nA,2026-01-01T10:00:00Z,trigger,ops\nA,2026-01-01T11:00:00Z,resolve,ops\n"
    )
    durations = mttr.phase_durations(
        mttr.from_frame(
            pd.DataFrame(
                {"id": ["A"], "opened": ["2026-01-01T10:00:00Z"], "closed": ["2026-01-01T11:00:00Z"]}
            ),
            columns={"incident_id": "id", "detected_at": "opened", "resolved_at": "closed"},
        )
    )
    section = mttr.response_section(durations, log, source="eventlog")
    assert section.summary.startswith("The export's timeline could not be read")
    assert section.growth == {}


@pytest.fixture(scope="module")
def pagerduty_review(pagerduty, tmp_path_factory):
    from mttr_lab.report import render_report

    out = tmp_path_factory.mktemp("review") / "review.html"
    return render_report(pagerduty, out=out, tz="Europe/Berlin").read_text(encoding="utf-8")


def _section(html):
    start, end = html.index(">Response process<"), html.index(">Data quality<")
    assert html.index(">The slowest incidents<") < start < end
    return html[start:end]


def test_the_review_of_an_export_with_a_timeline_shows_the_response_process(pagerduty_review):
    section = _section(pagerduty_review)
    text = visible_text(section)
    assert "were handed over at least once" in text and "went back to a group they had left" in text
    assert "Ping-pong: the group pairs" in text and "handed to, then back" in text
    assert "Detection channels:" in text and "noticed by" in text and "customer" in text
    assert section.count("<img") == 1  # hand-overs and escalations, side by side
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in pagerduty_review
    found = sorted({m.group(0) for m in NOISE.finditer(text)})
    assert not found, found
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text), re.findall(r"\b[a-z]+_[a-z_]+\b", text)


def test_the_review_of_an_export_without_a_timeline_says_so_in_one_sentence(fixtures, tmp_path):
    from mttr_lab.report import render_report

    export = fixtures / "generic" / "hand_made.csv"
    html = render_report(export, out=tmp_path / "r.html", columns=HAND, tz="UTC").read_text()
    text = visible_text(_section(html))
    assert "This export carries no timeline (PagerDuty incidents fetched with their log entries" in text
    assert "<img" not in _section(html) and "Ping-pong" not in text
    assert not sorted({m.group(0) for m in NOISE.finditer(text)})


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium")
def test_the_response_process_section_in_a_real_browser(pagerduty_review, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    page_file = tmp_path / "review.html"
    page_file.write_text(pagerduty_review, encoding="utf-8")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        page.goto(page_file.as_uri())
        heading = page.locator("h2", has_text="Response process")
        box = heading.bounding_box()
        end = page.locator("h2", has_text="Data quality").bounding_box()
        page.screenshot(
            path=str(os.environ.get("MTTR_SCREENSHOTS", tmp_path)) + "/response_process.png",
            full_page=True,
            clip={"x": 0, "y": box["y"], "width": 1200, "height": end["y"] - box["y"]},
        )
        text = page.evaluate(
            """() => { const all = document.body.innerText;
                       return all.slice(all.indexOf('Response process'), all.indexOf('Data quality')); }"""
        )
        images = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.complete, i.naturalWidth])")
        browser.close()
    assert all(done and width > 0 for done, width in images)
    assert "were escalated at least once" in text and "handed to, then back" in text
    assert not sorted({m.group(0) for m in NOISE.finditer(text)})


def test_untracked_time_of_nothing_is_said_in_words_not_as_zero_seconds():
    from mttr_lab.response import untracked_time
    from mttr_lab.review_response import _untracked

    start = pd.Timestamp("2025-01-06T10:00Z")
    frame = pd.DataFrame(
        {
            "incident_id": ["a", "b", "c"],
            "started_at": [start] * 3,
            "detected_at": [start] * 3,
            "recovered_at": [start + pd.Timedelta(minutes=m) for m in (20, 40, 60)],
            "resolved_at": [start + pd.Timedelta(minutes=m) for m in (30, 50, 70)],
        }
    )
    text = str(_untracked(mttr.phase_durations(mttr.from_frame(frame)), untracked_time))
    assert (
        "3 of 3 incidents record when the customer impact began; in them, it is the moment of detection"
        in text
    )
    assert "0 s" not in text and "0 %" not in text


def test_tidy_names_a_missing_group_after_its_column_and_shows_no_missing_note(sample):
    table = mttr.duration_summary(
        sample.assign(service=sample["service"].where(sample.index % 7 != 0)), by="service"
    )
    shown = mttr.tidy(table, view="headline")
    assert "no service" in shown.index and "none" not in shown.index
    assert shown["note"].notna().all() and (shown["note"] == "").any()
    assert "<NA>" not in shown.to_string() and "NaN" not in shown["note"].to_string()


def test_serious_findings_put_errors_then_the_whole_export_first():
    findings = pd.DataFrame(
        {
            "incident_id": ["a", "b", pd.NA, "c", pd.NA],
            "record": pd.array([1, 2, pd.NA, 3, pd.NA], dtype="Int64"),
            "column": ["resolved_at", "detected_at", "resolved_at", "resolved_at", "incident_id"],
            "problem": ["late", "out of order", "chosen by resolution date", "open", "polled"],
            "action": ["kept"] * 5,
            "level": ["warning", "error", "warning", "info", "info"],
        }
    )
    shown = mttr.serious_findings(findings)
    assert shown["problem"].tolist() == ["out of order", "chosen by resolution date", "late"]
    assert list(shown.columns) == ["level", "incident_id", "record", "column", "problem", "action"]


def test_the_findings_tables_given_the_incidents_name_check_incidents(sample):
    """Once a KeyError 'level': they take the findings, not the frame they were found in."""
    incidents = mttr.read_export(SAMPLE)
    for name in ("serious_findings", "findings_overview"):
        with pytest.raises(mttr.FrameKindError) as err:
            getattr(mttr, name)(incidents)
        assert (
            str(err.value)
            == f"{name}: this is an incidents frame; pass the findings of check_incidents(incidents)"
        )
    with pytest.raises(
        mttr.FrameKindError, match=r"^quarter_table: this is a durations frame; pass the bounds of "
    ):
        mttr.quarter_table(sample, bounds=sample)
    with pytest.raises(
        mttr.FrameKindError, match=r"^tidy: this is one row of duration_summary\(durations\); pass a"
    ):
        mttr.tidy(mttr.duration_summary(sample, intervals=False).loc["all"])


def test_the_findings_of_a_clean_export_count_to_an_empty_table_shaped_like_any_other(tmp_path):
    """Once a frame without index levels: the review showed an empty table headed 'index | findings'."""
    path = tmp_path / "clean.csv"
    path.write_text(
        "incident_id,severity,detected_at,resolved_at\n"
        "a,high,2025-01-06T10:00:00Z,2025-01-06T11:00:00Z\n"
        "b,low,2025-02-03T10:00:00Z,2025-02-03T10:30:00Z\n"
    )
    findings = mttr.check_incidents(mttr.read_export(path))
    assert findings.empty
    overview = mttr.findings_overview(findings)
    some = mttr.findings_overview(mttr.check_incidents(mttr.read_export(SAMPLE)))
    assert overview.empty and len(some)
    assert overview.index.names == some.index.names == ["level", "column", "action"]
    assert list(overview.columns) == list(some.columns) == ["findings"]
    assert list(overview.reset_index().columns) == ["level", "column", "action", "findings"]
    assert overview["findings"].dtype == some["findings"].dtype
    assert len(mttr.serious_findings(findings)) == 0
