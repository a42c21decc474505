"""Generic event-log reader: status-change logs, milestone mappings and the Volvo IT preset."""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd
import pytest

from mttr_lab.io import detect_source, read_export
from mttr_lab.schema import InputError

MAPPING = {
    "open": "detected",
    "ack": "acknowledged",
    "identified": "diagnosed",
    "mitigated": "recovered",
    "resolved": "resolved",
    "closed": "closed",
}
CUSTOM = {
    "case": "ticket",
    "time": "ts",
    "status": "state",
    "milestones": MAPPING,
    "severity": "prio",
    "service": "svc",
    "team": "grp",
    "title": "summary",
}


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def by_id(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("incident_id")


@pytest.fixture
def el(fixtures: Path) -> Path:
    return fixtures / "eventlog"


@pytest.fixture
def volvo(el: Path) -> pd.DataFrame:
    return read_export(el / "volvo_like.csv", source="eventlog")


# --------------------------------------------------------------------------- the Volvo preset


def test_preset_reads_with_no_options(volvo: pd.DataFrame, el: Path) -> None:
    raw = pd.read_csv(el / "volvo_like.csv", encoding="utf-8-sig")
    assert volvo["incident_id"].tolist() == list(dict.fromkeys(raw["SR Number"]))
    assert volvo["record"].tolist() == list(range(1, 7))
    assert volvo["events"].sum() == len(raw) == 29
    assert (volvo["source"] == "eventlog").all()


def test_preset_milestones(volvo: pd.DataFrame) -> None:
    inc = by_id(volvo)
    row = inc.loc["1-100"]
    # detected = first event (queued), acknowledged = first Accepted/In Progress; +02:00 honoured.
    assert row["detected_at"] == ts("2012-04-02 07:00")
    assert row["acknowledged_at"] == ts("2012-04-02 07:20")
    assert row["resolved_at"] == ts("2012-04-03 09:30")  # Completed/Resolved, not the closure a week later
    assert row["reopen_count"] == 0
    assert inc.loc["1-600", "acknowledged_at"] == ts("2012-05-07 00:10")  # Accepted/Assigned is not a pick-up


def test_preset_reopened_resolves_at_final_resolution(volvo: pd.DataFrame) -> None:
    row = by_id(volvo).loc["1-200"]
    # In Call (5 Mar) and In Call again (9 Mar), reopened, then Resolved 12:00 and 16:00 (+01:00).
    assert row["resolved_at"] == ts("2012-03-12 15:00")
    assert row["reopen_count"] == 1
    assert row["events"] == 9


def test_preset_closed_without_resolution_after_reopening(volvo: pd.DataFrame) -> None:
    row = by_id(volvo).loc["1-300"]
    # Resolved, Unmatched (reopens), In Progress, Closed: the closure ends it, not the old resolution.
    assert row["resolved_at"] == ts("2012-05-10 22:00")
    assert row["reopen_count"] == 1


def test_preset_open_and_canceled(volvo: pd.DataFrame) -> None:
    inc = by_id(volvo)
    assert pd.isna(inc.loc["1-400", "resolved_at"])  # last event is not a resolution: open
    assert inc.loc["1-400", "last_status"] == "Accepted/Wait - User"
    assert "canceled" in inc.loc["1-500", "exclude_reason"]
    assert inc["exclude_reason"].notna().sum() == 1


def test_preset_severity_service_team(volvo: pd.DataFrame) -> None:
    inc = by_id(volvo)
    assert inc["severity"].astype("str").to_dict() == {
        "1-100": "medium",
        "1-200": "low",
        "1-300": "high",
        "1-400": "medium",
        "1-500": "low",
        "1-600": "critical",  # Major
    }
    assert inc.loc["1-600", "severity_raw"] == "Major"
    assert inc.loc["1-600", "service"] == "PROD601"  # from the latest event
    assert inc.loc["1-600", "team"] == "G97 2nd"
    assert inc.loc["1-100", "ST Level"] == "L3"  # other columns of the latest event follow


def test_preset_auto_detected(el: Path) -> None:
    assert detect_source(el / "volvo_like.csv")[0] == "eventlog"
    df = read_export(el / "volvo_like.csv", source="auto")
    assert (df["source"] == "eventlog").all() and len(df) == 6


def test_user_severity_map_overrides_preset(el: Path) -> None:
    df = read_export(el / "volvo_like.csv", source="eventlog", severity_map={"Major": "high"})
    assert by_id(df).loc["1-600", "severity"] == "high"


# --------------------------------------------------------------------------- a mapped log


def test_custom_log_with_mapping(el: Path) -> None:
    df = read_export(el / "custom_log.csv", source="eventlog", tz="Europe/Berlin", **CUSTOM)
    inc = by_id(df)
    assert list(inc.index) == ["T-1", "T-2", "T-3"]
    row = inc.loc["T-1"]
    assert row["detected_at"] == ts("2024-05-01 12:00")
    assert row["acknowledged_at"] == ts("2024-05-01 12:03")  # "ACK" matches "ack"
    assert row["diagnosed_at"] == ts("2024-05-01 12:10")
    assert row["recovered_at"] == ts("2024-05-01 12:15")
    assert row["resolved_at"] == ts("2024-05-01 12:18")
    assert row["title"] == "Checkout returns 502" and row["team"] == "payments"
    assert row["severity"] == "critical"
    t2 = inc.loc["T-2"]
    assert t2["resolved_at"] == ts("2024-05-02 10:00")  # the resolution after "reopened"
    assert t2["reopen_count"] == 1
    assert t2["severity"] == "high"  # P2 on the latest event
    assert pd.isna(inc.loc["T-3", "resolved_at"])
    assert inc["events"].tolist() == [5, 6, 1]


def test_custom_log_needs_tz(el: Path) -> None:
    with pytest.raises(InputError) as info:
        read_export(el / "custom_log.csv", source="eventlog", **CUSTOM)
    message = str(info.value)
    assert "tz=" in message and "custom_log.csv" in message and "'ts'" in message


def test_json_lines_log(el: Path) -> None:
    df = read_export(
        el / "custom_log.jsonl",
        source="eventlog",
        case="incident",
        time="at",
        status="phase",
        milestones={"triggered": "detected", "acknowledged": "acknowledged", "resolved": "resolved"},
        severity="level",
    )
    row = df.iloc[0]
    assert (row["detected_at"], row["acknowledged_at"], row["resolved_at"]) == (
        ts("2024-07-01 10:00"),
        ts("2024-07-01 10:04"),
        ts("2024-07-01 10:40"),
    )
    assert row["severity"] == "critical"  # SEV1 on the latest event


def test_any_event_key_and_status_columns_joined(el: Path) -> None:
    df = read_export(
        el / "volvo_like.csv",
        source="eventlog",
        case="SR Number",
        time="Change Date+Time",
        status=["Status", "Sub Status"],
        milestones={"*": "started", "accepted/assigned": "acknowledged", "Completed/Resolved": "resolved"},
    )
    inc = by_id(df)
    assert inc.loc["1-600", "started_at"] == ts("2012-05-07 00:00")
    assert inc.loc["1-600", "acknowledged_at"] == ts("2012-05-07 00:00")
    assert pd.isna(inc.loc["1-600", "detected_at"])  # started is mapped: no default detection
    assert pd.isna(inc.loc["1-100", "resolved_at"])  # Completed/Closed unmapped: it reopens, so open
    assert inc["severity"].isna().all()  # no severity column named, no preset used


def test_unused_status_value_is_logged(el: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="mttr_lab"):
        read_export(
            el / "custom_log.csv",
            source="eventlog",
            tz="UTC",
            **{**CUSTOM, "milestones": {"Fixed": "resolved"}},
        )
    assert "'Fixed'" in caplog.text


# --------------------------------------------------------------------------- errors


def test_no_options_and_no_preset(el: Path) -> None:
    with pytest.raises(InputError) as info:
        read_export(el / "custom_log.csv", source="eventlog", tz="UTC")
    message = str(info.value)
    assert "case=" in message and "ticket" in message


def test_missing_column_is_named(el: Path) -> None:
    with pytest.raises(InputError) as info:
        read_export(el / "custom_log.csv", source="eventlog", tz="UTC", **{**CUSTOM, "team": "owner"})
    assert "'owner'" in str(info.value)


def test_unknown_milestone_is_named(el: Path) -> None:
    with pytest.raises(InputError) as info:
        read_export(
            el / "custom_log.csv", source="eventlog", tz="UTC", **{**CUSTOM, "milestones": {"ack": "triaged"}}
        )
    assert "triaged" in str(info.value)


def test_event_without_time_names_the_row(el: Path, tmp_path: Path) -> None:
    lines = (el / "custom_log.csv").read_text().splitlines()
    lines[4] = lines[4].replace("2024-05-01 14:10:00", "")
    path = tmp_path / "log.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as info:
        read_export(path, source="eventlog", tz="UTC", **CUSTOM)
    message = str(info.value)
    assert "row 4" in message and "'ts'" in message


def test_bad_timestamp_names_the_row(el: Path, tmp_path: Path) -> None:
    lines = (el / "custom_log.csv").read_text().splitlines()
    lines[6] = lines[6].replace("2024-05-01 14:18:00", "yesterday")
    path = tmp_path / "log.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as info:
        read_export(path, source="eventlog", tz="UTC", **CUSTOM)
    message = str(info.value)
    assert "row 6" in message and "yesterday" in message


def test_custom_log_not_claimed_by_sniff(el: Path) -> None:
    try:
        source, _ = detect_source(el / "custom_log.csv")
    except InputError:
        return
    assert source != "eventlog"


# --------------------------------------------------------------------------- real data


def _final_resolution(events: pd.DataFrame) -> pd.Timestamp:
    """The Volvo rule, written as a plain loop over one incident's events in time order."""
    resolved = {"Completed/Resolved", "Completed/In Call"}
    terminal = resolved | {"Completed/Closed", "Completed/Cancelled"}
    run: list[tuple[pd.Timestamp, str]] = []
    for time, status in zip(events["t"], events["s"], strict=True):
        if status in terminal:
            run.append((time, status))
        else:
            run = []
    if not run:
        return pd.NaT
    resolutions = [t for t, s in run if s in resolved]
    return resolutions[-1] if resolutions else run[0][0]


def test_real_volvo_event_log(real_data: Path) -> None:
    path = real_data / "volvo_it_incidents_bpic2013.csv.gz"
    df = read_export(path, source="auto")
    raw = pd.read_csv(path, encoding="utf-8-sig")
    raw["t"] = pd.to_datetime(raw["Change Date+Time"], format="%Y-%m-%dT%H:%M:%S%z", utc=True)
    raw["s"] = raw["Status"] + "/" + raw["Sub Status"]

    assert raw["SR Number"].nunique() == 7_554
    assert len(df) == 7_554 and df["incident_id"].is_unique
    assert df["events"].sum() == len(raw) == 65_533
    assert (df["source"] == "eventlog").all()
    assert df["detected_at"].min() == raw["t"].min()
    assert df["resolved_at"].max() <= raw["t"].max()

    ordered = raw.sort_values(["SR Number", "t"], kind="stable")
    expected = pd.Series({case: _final_resolution(g) for case, g in ordered.groupby("SR Number", sort=False)})
    first = ordered.groupby("SR Number")["t"].min()
    inc = by_id(df)
    assert (inc["resolved_at"].isna() == expected.reindex(inc.index).isna()).all()
    duration = (expected - first).dropna()
    got = (inc["resolved_at"] - inc["detected_at"]).dropna()
    assert len(got) == len(duration)
    assert got.median() == duration.median()

    ack = ordered[ordered["s"] == "Accepted/In Progress"].groupby("SR Number")["t"].min()
    assert inc["acknowledged_at"].notna().sum() == len(ack)
    assert (inc.loc[ack.index, "acknowledged_at"] == ack).all()

    majors = raw.loc[raw["SR Latest Impact"] == "Major", "SR Number"].nunique()
    assert (df["severity"] == "critical").sum() == majors
    canceled = raw.groupby("SR Number")["s"].last().eq("Completed/Cancelled").sum()
    assert df["exclude_reason"].notna().sum() == canceled
