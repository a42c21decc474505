"""ServiceNow reader: table exports (CSV, Table API JSON) and incident event logs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from mttr_lab.io import detect_source, read_export
from mttr_lab.schema import InputError


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def by_id(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.set_index("incident_id")


@pytest.fixture
def sn(fixtures: Path) -> Path:
    return fixtures / "servicenow"


# --------------------------------------------------------------------------- table exports


def test_list_export_csv_maps_fields(sn: Path) -> None:
    df = read_export(sn / "incident_list_export.csv", source="servicenow", tz="Europe/Berlin")
    assert len(df) == 5  # one row per row read
    assert (df["source"] == "servicenow").all()
    assert df["record"].tolist() == [1, 2, 3, 4, 5]
    inc = by_id(df)
    # Day-first dates in the user's timezone (CET, +01:00 in March; CEST, +02:00 in April).
    assert inc.loc["INC0010001", "detected_at"] == ts("2024-03-14 08:00")
    assert inc.loc["INC0010001", "resolved_at"] == ts("2024-03-14 09:30")  # resolved_at, not closed_at
    assert inc.loc["INC0010004", "detected_at"] == ts("2024-04-28 14:45")
    assert inc.loc["INC0010001", "title"] == "Mail delivery delayed for EU mailboxes"
    assert inc.loc["INC0010002", "title"] == "VPN drops every 10 minutes, Munich office"
    assert inc.loc["INC0010001", "team"] == "Messaging"
    assert inc["severity"].astype("str").to_dict() == {
        "INC0010001": "critical",
        "INC0010002": "high",
        "INC0010003": "medium",
        "INC0010004": "low",
        "INC0010005": "low",
    }
    assert inc.loc["INC0010005", "severity_raw"] == "5 - Planning"


def test_list_export_service_team_and_missing_markers(sn: Path) -> None:
    inc = by_id(read_export(sn / "incident_list_export.csv", source="servicenow", tz="Europe/Berlin"))
    assert inc.loc["INC0010001", "service"] == "Email"  # business_service first
    assert inc.loc["INC0010002", "service"] == "vpn-gw-02"  # empty business_service -> cmdb_ci
    assert inc.loc["INC0010005", "service"] == "hr-portal-web"  # "?" business_service -> cmdb_ci
    assert pd.isna(inc.loc["INC0010005", "team"])  # "?" is missing
    assert inc.loc["INC0010001", "cmdb_ci"] == "EXCH-01"  # unmapped columns follow


def test_list_export_closed_without_resolution_resolves_at_closed(sn: Path) -> None:
    inc = by_id(read_export(sn / "incident_list_export.csv", source="servicenow", tz="Europe/Berlin"))
    assert inc.loc["INC0010002", "resolved_at"] == ts("2024-04-05 06:00")
    assert inc.loc["INC0010002", "resolved_from"] == "closed_at"
    assert inc.loc["INC0010001", "resolved_from"] == "resolved_at"
    assert pd.isna(inc.loc["INC0010004", "resolved_at"])  # in progress: open
    assert pd.isna(inc.loc["INC0010004", "resolved_from"])


def test_list_export_canceled_is_kept_and_excluded(sn: Path) -> None:
    inc = by_id(read_export(sn / "incident_list_export.csv", source="servicenow", tz="Europe/Berlin"))
    assert "canceled" in inc.loc["INC0010003", "exclude_reason"]
    assert inc["exclude_reason"].notna().sum() == 1


def test_table_export_needs_a_timezone(sn: Path) -> None:
    with pytest.raises(InputError) as info:
        read_export(sn / "incident_list_export.csv", source="servicenow")
    message = str(info.value)
    assert "incident_list_export.csv" in message
    assert "tz=" in message
    assert "opened_at" in message


def test_ui_labels_and_month_first_read_from_all_date_columns(sn: Path) -> None:
    df = read_export(sn / "incident_list_labels_us.csv", source="servicenow", tz="America/New_York")
    inc = by_id(df)
    assert len(df) == 3
    assert inc.loc["INC0020001", "detected_at"] == ts("2024-03-14 13:00")  # EDT, -04:00
    # "04/02/2024" alone is ambiguous; the other date columns say month-first: 2 April.
    assert inc.loc["INC0020001", "resolved_at"] == ts("2024-04-02 14:00")
    assert inc.loc["INC0020002", "resolved_at"] == ts("2024-03-21 05:00")  # Resolved, not Closed (28th)
    assert inc.loc["INC0020001", "service"] == "checkout-api"
    assert inc.loc["INC0020001", "team"] == "Payments SRE"
    assert inc.loc["INC0020001", "title"] == "Checkout API 5xx spike"
    assert pd.isna(inc.loc["INC0020003", "resolved_at"])


def test_wrong_dayfirst_names_the_row(sn: Path) -> None:
    with pytest.raises(InputError) as info:
        read_export(sn / "incident_list_labels_us.csv", source="servicenow", tz="UTC", dayfirst=True)
    message = str(info.value)
    assert "dayfirst=False" in message
    assert "row 1" in message and "Opened" in message and "03/14/2024" in message


def test_table_api_json_display_values_with_work_start(sn: Path) -> None:
    df = read_export(sn / "incident_table_api.json", source="servicenow", tz="UTC")
    inc = by_id(df)
    assert len(df) == 2
    row = inc.loc["INC0030001"]
    # The seed example: detected 14:00, acknowledged 14:03, resolved 14:18.
    assert (row["detected_at"], row["acknowledged_at"], row["resolved_at"]) == (
        ts("2024-06-03 14:00"),
        ts("2024-06-03 14:03"),
        ts("2024-06-03 14:18"),
    )
    assert row["service"] == "Order Service"
    assert inc.loc["INC0030002", "service"] == "redis-cache"
    assert pd.isna(inc.loc["INC0030002", "acknowledged_at"])
    assert pd.isna(inc.loc["INC0030002", "resolved_at"])


def test_table_api_json_needs_tz_for_plain_strings(sn: Path) -> None:
    with pytest.raises(InputError, match="tz="):
        read_export(sn / "incident_table_api.json", source="servicenow")


def test_table_api_display_value_all_uses_utc_values(sn: Path) -> None:
    df = read_export(sn / "incident_table_api_all.json", source="servicenow")  # no tz needed
    inc = by_id(df)
    assert inc.loc["INC0040001", "detected_at"] == ts("2024-06-14 07:00")  # value, not display 09:00
    assert inc.loc["INC0040001", "resolved_at"] == ts("2024-06-14 08:15")
    assert inc.loc["INC0040001", "team"] == "Messaging"  # display value, not the sys_id
    assert inc.loc["INC0040001", "severity"] == "high"
    assert "canceled" in inc.loc["INC0040002", "exclude_reason"]
    assert pd.isna(inc.loc["INC0040001", "exclude_reason"])


@pytest.mark.parametrize(
    "name",
    [
        "incident_list_export.csv",
        "incident_list_labels_us.csv",
        "incident_table_api.json",
        "incident_table_api_all.json",
        "incident_event_log.csv",
    ],
)
def test_auto_detects_servicenow(sn: Path, name: str) -> None:
    assert detect_source(sn / name)[0] == "servicenow"
    df = read_export(sn / name, source="auto", tz="UTC")
    assert (df["source"] == "servicenow").all()


def test_sniff_does_not_claim_other_logs(fixtures: Path, tmp_path: Path) -> None:
    canonical = tmp_path / "canonical.csv"
    canonical.write_text("incident_id,detected_at,resolved_at\nA,2024-01-01T00:00:00Z,2024-01-01T01:00:00Z\n")
    assert detect_source(canonical)[0] != "servicenow"
    assert detect_source(fixtures / "eventlog" / "volvo_like.csv")[0] != "servicenow"


def test_missing_opened_at_is_named(tmp_path: Path) -> None:
    path = tmp_path / "incidents.csv"
    path.write_text("number,state,priority\nINC1,New,1 - Critical\n")
    with pytest.raises(InputError) as info:
        read_export(path, source="servicenow", tz="UTC")
    assert "opened_at" in str(info.value) and "incidents.csv" in str(info.value)


def test_missing_number_lists_the_columns_present(tmp_path: Path) -> None:
    path = tmp_path / "incidents.csv"
    path.write_text("opened_at,state,note{x}\n2024-01-01 10:00:00,New,1\n")
    with pytest.raises(InputError) as info:
        read_export(path, source="servicenow", tz="UTC")
    assert str(info.value) == (
        f"{path}, column 'number': the ServiceNow export has no column 'number'; expected an incident "
        "export with number and opened_at; columns present: opened_at, state, note{x}"
    )


# --------------------------------------------------------------------------- event logs


@pytest.fixture
def events(sn: Path) -> pd.DataFrame:
    return read_export(sn / "incident_event_log.csv", source="servicenow", tz="Europe/Amsterdam")


def test_event_log_one_row_per_incident_in_first_appearance_order(sn: Path, events: pd.DataFrame) -> None:
    raw = pd.read_csv(sn / "incident_event_log.csv")
    assert events["incident_id"].tolist() == list(dict.fromkeys(raw["number"]))
    assert events["record"].tolist() == list(range(1, 9))
    assert events["events"].sum() == len(raw)
    assert by_id(events)["events"].to_dict() == raw.groupby("number").size().to_dict()


def test_event_log_acknowledged_at_first_active_update(events: pd.DataFrame) -> None:
    inc = by_id(events)
    # The Active row is written after the Awaiting one but happened first.
    assert inc.loc["INC0000047", "acknowledged_at"] == ts("2016-02-29 04:30")
    # Awaiting User Info (20:09 on 29/2) is not a pick-up; Active on 3/3 is.
    assert inc.loc["INC0000102", "acknowledged_at"] == ts("2016-03-03 16:29")
    assert pd.isna(inc.loc["INC0000045", "acknowledged_at"])  # never Active: not observed


def test_event_log_ack_states_option(sn: Path) -> None:
    df = read_export(
        sn / "incident_event_log.csv",
        source="servicenow",
        tz="Europe/Amsterdam",
        ack_states=["Active", "Awaiting User Info"],
    )
    assert by_id(df).loc["INC0000102", "acknowledged_at"] == ts("2016-02-29 19:09")


def test_event_log_reopened_incident_resolves_at_final_resolution(events: pd.DataFrame) -> None:
    row = by_id(events).loc["INC0000102"]
    assert row["resolved_at"] == ts("2016-03-17 15:28")  # not the first resolution on 14/3
    assert row["reopen_count"] == 1
    assert row["resolved_from"] == "resolved_at"


def test_event_log_resolution_fallbacks(events: pd.DataFrame) -> None:
    inc = by_id(events)
    # resolved_at "?" but Resolved updates: the last one of the final run.
    assert inc.loc["INC0000093", "resolved_at"] == ts("2016-02-29 08:10")
    assert inc.loc["INC0000093", "resolved_from"] == "resolved event"
    # Closed without a resolve step: closed_at.
    assert inc.loc["INC0000200", "resolved_at"] == ts("2016-03-03 11:00")
    assert inc.loc["INC0000200", "resolved_from"] == "closed_at"
    # Still active, no resolved_at: open.
    assert pd.isna(inc.loc["INC0000400", "resolved_at"])
    # Summer time (CEST, +02:00) in June.
    assert inc.loc["INC0000500", "resolved_at"] == ts("2016-06-16 11:02")
    assert inc.loc["INC0000045", "resolved_at"] == ts("2016-02-29 10:29")


def test_event_log_attributes_from_latest_event(events: pd.DataFrame) -> None:
    inc = by_id(events)
    assert inc.loc["INC0000047", "team"] == "Group 24"  # first events were Group 70
    # Two updates at the same minute: sys_mod_count 3 (1 - Critical) is the latest.
    assert inc.loc["INC0000400", "severity"] == "critical"
    assert inc.loc["INC0000400", "service"] == "Config Item 9"
    assert inc.loc["INC0000093", "severity"] == "low"
    assert pd.isna(inc.loc["INC0000045", "service"])  # "?"


def test_event_log_canceled_excluded(events: pd.DataFrame) -> None:
    inc = by_id(events)
    assert "canceled" in inc.loc["INC0000300", "exclude_reason"]
    assert pd.isna(inc.loc["INC0000500", "exclude_reason"])  # state -100 on the way is not a cancellation
    assert inc["exclude_reason"].notna().sum() == 1


def test_event_log_needs_tz(sn: Path) -> None:
    with pytest.raises(InputError) as info:
        read_export(sn / "incident_event_log.csv", source="servicenow")
    message = str(info.value)
    assert "tz=" in message and "incident_event_log.csv" in message


def test_event_log_read_as_table_marks_versions(sn: Path) -> None:
    df = read_export(sn / "incident_event_log.csv", source="servicenow", tz="UTC", shape="table")
    assert len(df) == 32  # one row per row read
    live = df[df["exclude_reason"].isna()]
    assert live["incident_id"].is_unique
    # Eight numbers, one of which was canceled in its latest version: its earlier versions are
    # superseded by the canceled one, so seven incidents are analysed.
    assert len(live) == 7
    assert df["exclude_reason"].str.startswith("duplicate").sum() == 32 - 7 - 1  # and one Canceled row
    kept = live.set_index("incident_id").loc["INC0000400"]
    assert kept["severity"] == "critical"  # the latest update (sys_updated_on, then file order) wins


def test_event_log_bad_timestamp_names_row_and_column(sn: Path, tmp_path: Path) -> None:
    text = (sn / "incident_event_log.csv").read_text().splitlines()
    text[3] = text[3].replace("29/2/2016 11:29,?", "31/2/2016 11:29,?", 1)
    path = tmp_path / "events.csv"
    path.write_text("\n".join(text) + "\n")
    with pytest.raises(InputError) as info:
        read_export(path, source="servicenow", tz="UTC")
    message = str(info.value)
    assert "row 3" in message and "sys_updated_at" in message and "31/2/2016" in message


# --------------------------------------------------------------------------- real data


def test_real_servicenow_event_log(real_data: Path) -> None:
    path = real_data / "servicenow_incident_event_log.csv.gz"
    df = read_export(path, source="auto", tz="UTC")
    raw = pd.read_csv(path, na_values=["?"], keep_default_na=False, low_memory=False)
    fmt = "%d/%m/%Y %H:%M"
    raw["updated"] = pd.to_datetime(raw["sys_updated_at"], format=fmt, utc=True)
    raw["opened"] = pd.to_datetime(raw["opened_at"], format=fmt, utc=True)
    raw["resolved"] = pd.to_datetime(raw["resolved_at"], format=fmt, utc=True)

    assert len(df) == raw["number"].nunique() == 20_769
    assert df["incident_id"].is_unique
    assert df["events"].sum() == len(raw)
    assert (df["source"] == "servicenow").all()
    assert df["detected_at"].min() == raw["opened"].min()
    assert df["detected_at"].max() == raw["opened"].max()

    # Latest event per incident, independently: sort by update time, then sys_mod_count.
    latest = raw.sort_values(["number", "updated", "sys_mod_count"], kind="stable").groupby("number").tail(1)
    latest = latest.set_index("number")
    inc = by_id(df)
    with_field = latest["resolved"].notna()
    expected = (latest["resolved"] - latest["opened"])[with_field].median()
    got = (inc["resolved_at"] - inc["detected_at"])[inc["resolved_from"] == "resolved_at"].median()
    assert got == expected
    assert (inc.loc[with_field[with_field].index, "resolved_at"] == latest.loc[with_field, "resolved"]).all()

    # Where resolved_at is "?", the last Resolved update resolves (1,415 such incidents in this copy).
    resolved_rows = raw[raw["incident_state"] == "Resolved"].groupby("number")["updated"].max()
    fallback = inc.index[inc["resolved_from"] == "resolved event"]
    assert len(fallback) == int((~with_field & latest.index.isin(resolved_rows.index)).sum())
    assert (inc.loc[fallback, "resolved_at"] == resolved_rows.loc[fallback]).all()

    # Acknowledged: the first Active update.
    active = raw[raw["incident_state"] == "Active"].groupby("number")["updated"].min()
    assert inc["acknowledged_at"].notna().sum() == len(active)
    assert (inc.loc[active.index, "acknowledged_at"] == active).all()

    # Reopened incidents resolve at their final resolution, after the first Resolved update.
    first_resolved = raw[raw["incident_state"] == "Resolved"].groupby("number")["updated"].min()
    reopened = latest.index[(latest["reopen_count"] > 0) & with_field]
    assert len(reopened) > 100
    later = inc.loc[reopened, "resolved_at"] > first_resolved.reindex(reopened)
    assert later.sum() > 0
    assert inc.loc["INC0000102", "resolved_at"] == ts("2016-03-17 16:28")
    assert inc.loc["INC0000102", "reopen_count"] == 1

    # Severity from priority of the latest event.
    expected_sev = latest["priority"].map(
        {"1 - Critical": "critical", "2 - High": "high", "3 - Moderate": "medium", "4 - Low": "low"}
    )
    assert (inc["severity"].astype("str") == expected_sev.reindex(inc.index)).all()
    assert np.isfinite(got / pd.Timedelta(minutes=1))


def test_a_table_export_with_one_repeated_number_stays_a_table(tmp_path):
    # A re-exported row must not turn a table export into an event log (which would take
    # INC2's last update for a pick-up time).
    path = tmp_path / "incidents.csv"
    path.write_text(
        '"Number","Opened","Short description","Priority","State","Updated","Resolved","Closed"\n'
        '"INC1","3/12/2025 9:05","a","1 - Critical","Closed","5/12/2025 10:00","3/12/2025 11:35","8/12/2025 11:35"\n'
        '"INC2","14/12/2025 8:00","b","2 - High","In Progress","14/12/2025 9:00","",""\n'
        '"INC1","3/12/2025 9:05","a","1 - Critical","Resolved","3/12/2025 11:40","3/12/2025 11:35",""\n'
    )
    inc = read_export(path, source="auto", tz="UTC")
    assert inc["incident_id"].tolist() == ["INC1", "INC2", "INC1"]
    assert inc["acknowledged_at"].isna().all()
    assert inc["exclude_reason"].notna().sum() == 1  # the older INC1 row, superseded
    assert "events" not in inc.columns
