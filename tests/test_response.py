"""response_process and the response analyses."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import HANDMADE, fake_growth
from hypothesis import given, settings
from hypothesis import strategies as st

import mttr_lab as mttr
from mttr_lab.response import PROCESS_COLUMNS


@pytest.fixture
def handmade(fixtures) -> pd.DataFrame:
    return mttr.read_timeline(fixtures / "timeline" / "handmade.csv", source="csv", columns=HANDMADE)


def test_process_columns_and_counts(handmade):
    process = mttr.response_process(handmade).set_index("incident_id")
    assert ["incident_id", *process.columns] == list(PROCESS_COLUMNS)
    a, b, c = process.loc["A-1"], process.loc["B-2"], process.loc["C-3"]
    # ops -> db -> net -> db; levels 1, 2, 3
    assert (a["handovers"], a["groups"], a["ping_pong"]) == (3, 3, True)
    assert (a["escalations"], a["max_level"], a["first_ack_level"]) == (2, 3, 2)
    assert a["first_notify"] == pd.Timestamp("2024-05-01T10:02:00Z")
    assert a["assembly_time"] == pd.Timedelta(minutes=9)  # first acknowledgement by db, which resolved it
    assert (b["handovers"], b["escalations"], b["ping_pong"], b["assembly_time"]) == (
        0,
        0,
        False,
        pd.Timedelta(0),
    )
    assert pd.isna(b["first_notify"])
    assert (c["groups"], c["handovers"]) == (0, 0)
    assert pd.isna(c["max_level"]) and pd.isna(c["assembly_time"])


def test_process_does_not_depend_on_row_order(handmade):
    shuffled = handmade.sample(frac=1, random_state=3)
    a = mttr.response_process(handmade).set_index("incident_id").sort_index()
    b = mttr.response_process(shuffled).set_index("incident_id").sort_index()
    pd.testing.assert_frame_equal(a, b)


def test_process_leaves_the_timeline_alone(handmade):
    before = handmade.copy()
    mttr.response_process(handmade)
    pd.testing.assert_frame_equal(handmade, before)


def test_incidents_passed_where_a_timeline_belongs(fixtures):
    incidents = mttr.read_export(fixtures / "firehydrant" / "incidents_page.json", source="auto")
    with pytest.raises(mttr.InputError, match=r"not a timeline.*read_timeline"):
        mttr.response_process(incidents)
    with pytest.raises(mttr.InputError, match="timeline frame"):
        mttr.response_process([1, 2])


def test_escalation_adherence(handmade):
    table = mttr.escalation_adherence(handmade, [5, 10], names=["primary", "secondary"])
    assert table["step"].tolist() == [
        "acknowledged within primary",
        "reached secondary",
        "exhausted the path",
    ]
    first = table.iloc[0]
    # A-1 acknowledged after 9 min (late), B-2 at once; C-3 never, followed for 10 min (> 5)
    assert (first["incidents"], first["count"]) == (3, 1)
    assert table.iloc[1]["count"] == 2
    exhausted = table.iloc[2]
    assert exhausted["minutes"] == 15 and exhausted["incidents"] == 2  # C-3 not followed past 15 min
    assert exhausted["count"] == 0
    assert 0 <= first["share_low"] <= first["share"] <= first["share_high"] <= 1
    with pytest.raises(mttr.InputError, match="timeouts"):
        mttr.escalation_adherence(handmade, [5, -1])


def test_ping_pong_pairs(handmade):
    pairs = mttr.ping_pong_pairs(handmade)
    assert pairs[["from_group", "to_group", "incidents", "bounces"]].values.tolist() == [["db", "net", 1, 1]]
    assert pairs.loc[0, "median_minutes"] == 10  # handed to net at 10:20, back at db at 10:30


def test_growth_by_count_sees_a_real_growth_and_no_growth():
    durations, process = fake_growth(400, 1.5, seed=1)
    table = mttr.growth_by_count(durations, process, by="handovers")
    assert table.index.tolist() == ["0", "1", "2", "3+"]
    assert table["verdict"].iloc[0].startswith("grows")
    assert (table["median_low"] <= table["median"]).all() and (table["median"] <= table["median_high"]).all()
    flat_durations, flat_process = fake_growth(400, 1.0, seed=2)
    flat = mttr.growth_by_count(flat_durations, flat_process, by="handovers")
    assert flat["verdict"].iloc[0] == "not distinguishable from noise"


def test_growth_verdict_false_alarm_rate():
    """Seeded Monte Carlo: without any growth, 'grows' is said in at most about alpha of samples."""
    said = 0
    runs = 40
    for seed in range(runs):
        durations, process = fake_growth(120, 1.0, seed=100 + seed)
        verdict = mttr.growth_by_count(durations, process, by="handovers")["verdict"].iloc[0]
        said += verdict.startswith(("grows", "shrinks"))
    assert said / runs <= 0.1


def test_growth_by_count_refuses_swapped_frames(handmade):
    process = mttr.response_process(handmade)
    with pytest.raises(mttr.InputError, match="durations"):
        mttr.growth_by_count(handmade, process)


def test_untracked_time(fixtures):
    incidents = mttr.read_export(fixtures / "firehydrant" / "incidents_page.json", source="auto")
    durations = mttr.phase_durations(incidents)
    table = mttr.untracked_time(durations)
    row = table.iloc[0]
    assert row["with_impact_start"] >= 1
    assert row["median_untracked"] >= 0
    assert 0 <= row["share_of_outage"] < 1


def test_channel_summary_needs_the_column(fixtures):
    incidents = mttr.read_export(fixtures / "firehydrant" / "incidents_page.json", source="auto")
    durations = mttr.phase_durations(incidents)
    with pytest.raises(mttr.InputError, match="detection_channel"):
        mttr.channel_summary(durations)
    durations = durations.assign(
        detection_channel=["Phone", "api", "api"][: len(durations)] + ["api"] * (len(durations) - 3)
    )
    table = mttr.channel_summary(durations)
    assert table.loc["Phone", "customer_reported"]
    assert table["share"].sum() == pytest.approx(1)


def test_process_overview_and_trigger_channels(handmade):
    process = mttr.response_process(handmade)
    overview = mttr.process_overview(process)
    assert overview.loc["incidents", "value"] == 3
    assert overview.loc["went back to a group it had left", "value"] == 1
    assert overview.loc["handed over at least once", "share"] == pytest.approx(1 / 3)
    channels = mttr.trigger_channels(handmade)
    assert channels["incident_id"].tolist() == ["A-1", "B-2", "C-3"]
    assert channels["detection_channel"].iloc[0] == "alert fired"


def test_untracked_time_sentence(fixtures):
    incidents = mttr.read_export(fixtures / "firehydrant" / "incidents_page.json", source="auto")
    table = mttr.untracked_time(mttr.phase_durations(incidents))
    assert "per incident" in table["sentence"].iloc[0]
    durations = mttr.phase_durations(incidents)
    empty = mttr.untracked_time(
        durations.assign(started_at=durations["started_at"].mask(durations["started_at"].notna()))
    )
    assert empty["with_impact_start"].iloc[0] == 0 and "No incident" in empty["sentence"].iloc[0]


def test_edited_timeline_and_mismatched_frames(handmade):
    edited = handmade.assign(at=handmade["at"].astype("str"))
    with pytest.raises(mttr.InputError, match="timezone-aware"):
        mttr.response_process(edited)
    durations, _ = fake_growth(30, 1.0, seed=9)
    with pytest.raises(mttr.InputError, match="share no incident id"):
        mttr.growth_by_count(durations, mttr.response_process(handmade))


def test_adherence_interval_covers_the_true_share():
    """Seeded Monte Carlo through the public API: the 95 % interval of the share acknowledged
    within the first timeout covers the true share in about 95 % of samples."""
    rng = np.random.default_rng(20)
    true_share = 1 - np.exp(-5 / 8)  # acknowledgement after an exponential wait, mean 8 min
    covered, runs = 0, 300
    start = pd.Timestamp("2024-01-01", tz="UTC")
    for _ in range(runs):
        n = 60
        waits = rng.exponential(8.0, size=n)
        ids = [f"I{i}" for i in range(n)]
        timeline = pd.DataFrame(
            {
                "incident_id": ids * 2,
                "at": list(start + pd.to_timedelta(np.arange(n), unit="h"))
                + list(start + pd.to_timedelta(np.arange(n), unit="h") + pd.to_timedelta(waits, unit="min")),
                "kind": ["trigger"] * n + ["acknowledge"] * n,
                "group": "ops",
                "level": pd.array([1] * (2 * n), dtype="Int64"),
                "actor": None,
                "detail": None,
                "record": np.arange(1, 2 * n + 1),
            }
        )
        row = mttr.escalation_adherence(timeline, [5, 10]).iloc[0]
        covered += row["share_low"] <= true_share <= row["share_high"]
    assert 0.91 <= covered / runs <= 0.99


def _plain_counts(events: list[tuple]) -> dict[str, tuple]:
    """Hand-overs, escalations and ping-pong per incident, by a plain loop over sorted events."""
    out: dict[str, tuple] = {}
    by: dict[str, list] = {}
    for position, (incident, minute, kind, group, level) in enumerate(events):
        by.setdefault(incident, []).append((minute, position, kind, group, level))
    for incident, rows in by.items():
        rows.sort()
        groups = [g for *_, g, _ in rows if g is not None]
        runs = [g for i, g in enumerate(groups) if i == 0 or g != groups[i - 1]]
        escalations, last = 0, None
        for _, _, kind, _, level in rows:
            rose = level is not None and last is not None and level > last
            escalations += rose or kind == "escalate"
            last = level if level is not None else last
        out[incident] = (max(len(runs) - 1, 0), escalations, len(set(runs)) < len(runs), len(set(groups)))
    # a timeline that names no group (no level, no escalate event) cannot count them: unknown
    named_groups = any(group is not None for *_, group, _ in events)
    named_levels = any(level is not None or kind == "escalate" for _, _, kind, _, level in events)
    return {
        incident: (
            h if named_groups else None,
            e if named_levels else None,
            p if named_groups else None,
            g if named_groups else None,
        )
        for incident, (h, e, p, g) in out.items()
    }


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.integers(0, 5),
            st.sampled_from(["notify", "escalate", "assign", "acknowledge", "resolve"]),
            st.one_of(st.none(), st.sampled_from(["x", "y", "z"])),
            st.one_of(st.none(), st.integers(1, 3)),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_process_matches_a_plain_loop(events):
    start = pd.Timestamp("2024-01-01", tz="UTC")
    timeline = pd.DataFrame(
        {
            "incident_id": [e[0] for e in events],
            "at": [start + pd.Timedelta(minutes=e[1]) for e in events],
            "kind": [e[2] for e in events],
            "group": pd.array([e[3] for e in events], dtype="str"),
            "level": pd.array([e[4] for e in events], dtype="Int64"),
            "actor": None,
            "detail": None,
            "record": np.arange(1, len(events) + 1),
        }
    )
    process = mttr.response_process(timeline).set_index("incident_id")
    for incident, (handovers, escalations, ping_pong, groups) in _plain_counts(events).items():
        row = process.loc[incident, ["handovers", "escalations", "ping_pong", "groups"]]
        assert tuple(None if pd.isna(v) else v for v in row) == (
            handovers,
            escalations,
            ping_pong,
            groups,
        )


def test_channel_kinds_depend_on_the_source():
    from mttr_lab.readers.timelines import channel_kinds

    channels = pd.Series(["Email", "email", "Event", "api", None, "Alertmanager"], dtype="str")
    sources = pd.Series(["servicenow", "pagerduty", "servicenow", "pagerduty", "pagerduty", "opsgenie"])
    kinds = channel_kinds(channels, sources).tolist()
    assert kinds == ["customer", "human", "monitoring", "monitoring", "unknown", "other"]


def test_growth_by_ping_pong_compares_yes_with_no(handmade):
    durations, process = fake_growth(300, 1.0, seed=12)
    process = process.assign(ping_pong=process["handovers"] >= 3)
    table = mttr.growth_by_count(durations, process, by="ping_pong")
    assert table.index.tolist() == ["no", "yes"]
    assert table["verdict"].iloc[0] in ("not distinguishable from noise", "too few incidents to tell")
    slow, slow_process = fake_growth(300, 1.6, seed=13)
    slow_process = slow_process.assign(ping_pong=slow_process["handovers"] >= 3)
    table = mttr.growth_by_count(slow, slow_process, by="ping_pong")
    assert table["verdict"].iloc[0] == "longer with ping-pong: beyond noise"


def test_a_timeline_without_groups_or_levels_gives_unknown_not_zero(tmp_path):
    sample = mttr.read_timeline(Path(__file__).parents[1] / "data" / "sample_firehydrant.json")
    process = mttr.response_process(sample)
    for column in ("handovers", "escalations", "ping_pong", "groups"):
        assert process[column].isna().all(), column
    overview = mttr.process_overview(process)
    for measure in (
        "handed over at least once",
        "went back to a group it had left",
        "escalated at least once",
    ):
        assert pd.isna(overview.loc[measure, "value"]) and pd.isna(overview.loc[measure, "share"]), measure
    assert "names a group" in overview.loc["handed over at least once", "note"]
    assert "escalation level" in overview.loc["escalated at least once", "note"]
    assert overview.loc["incidents", "note"] == ""
    durations, _ = fake_growth(30, 1.0, seed=9)
    durations = durations.assign(incident_id=process["incident_id"].iloc[:30].to_numpy())
    with pytest.raises(mttr.InputError, match="records no groups, so hand-overs cannot be counted"):
        mttr.growth_by_count(durations, process, by="handovers")
    with pytest.raises(mttr.InputError, match="records no escalation levels, so escalations cannot"):
        mttr.growth_by_count(durations, process, by="escalations")


def test_a_timeline_with_groups_but_no_levels_counts_handovers_only(handmade):
    no_levels = handmade[handmade["kind"].astype("str") != "escalate"]
    process = mttr.response_process(no_levels.assign(level=pd.array([pd.NA] * len(no_levels), dtype="Int64")))
    assert process["escalations"].isna().all() and process["handovers"].notna().all()
    overview = mttr.process_overview(process)
    assert overview.loc["handed over at least once", "value"] == 1
    assert pd.isna(overview.loc["escalated at least once", "value"])


@pytest.mark.parametrize("by", ["assembly_time", "first_notify", "incident_id", "nonsense"])
def test_growth_by_count_refuses_what_is_not_a_count(by):
    durations, process = fake_growth(40, 1.0, seed=3)
    process = process.assign(
        assembly_time=pd.Timedelta(minutes=3), first_notify=pd.Timestamp("2024-01-01", tz="UTC")
    )
    with pytest.raises(
        mttr.InputError, match=r"not one of the process frame's counts.*handovers, escalations, groups"
    ):
        mttr.growth_by_count(durations, process, by=by)


def test_growth_by_a_count_without_zero_compares_against_the_smallest():
    durations, process = fake_growth(400, 1.5, seed=1)
    by_handovers = mttr.growth_by_count(durations, process, by="handovers")
    table = mttr.growth_by_count(durations, process.assign(groups=process["handovers"] + 1), by="groups")
    assert table.index.tolist() == ["1", "2", "3+"]
    assert (table["baseline"] == "1").all() and (by_handovers["baseline"] == "0").all()
    assert table["verdict"].iloc[0] == "grows with groups: beyond noise"
    assert table.loc["1", "ratio_to_none"] == 1
    assert table["ratio_low"].iloc[0] == pytest.approx(by_handovers["ratio_low"].iloc[0])


def test_an_unknown_kind_in_a_timeline_frame_is_refused(handmade):
    edited = handmade.assign(kind=handmade["kind"].astype("str").replace("acknowledge", "ack"))
    for call in (mttr.response_process, lambda t: mttr.escalation_adherence(t, [5, 10])):
        with pytest.raises(
            mttr.InputError, match="kind is not a timeline kind; found 'ack'; expected one of trigger"
        ):
            call(edited)


@pytest.mark.parametrize("timeouts", [5, "5", [5, "soon"]])
def test_adherence_timeouts_that_are_not_a_list_of_minutes(handmade, timeouts):
    with pytest.raises(mttr.InputError, match="timeouts must be"):
        mttr.escalation_adherence(handmade, timeouts)
