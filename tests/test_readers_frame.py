"""from_frame: incidents already in a DataFrame get exactly the checks of read_export."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import HAND

import mttr_lab as mttr

COLUMNS = {"incident_id": "id", "detected_at": "opened", "resolved_at": "closed", "service": "svc"}


def _table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["A", "B", "B", "C"],
            "opened": pd.to_datetime(
                ["2025-01-01T00:00Z", "2025-01-02T00:00Z", "2025-01-02T00:00Z", "2025-01-03T00:00Z"]
            ),
            "closed": pd.to_datetime(["2025-01-01T01:00Z", "2025-01-02T02:00Z", None, "2025-01-03T00:30Z"]),
            "svc": ["api", "NA", "NA", "web"],
        }
    )


def test_a_table_from_sql_reads_like_the_same_export_from_a_file(fixtures):
    table = pd.read_csv(fixtures / "generic" / "hand_made.csv", dtype=str, keep_default_na=False)
    framed = mttr.from_frame(table, columns=HAND, tz="UTC")
    filed = mttr.read_export(fixtures / "generic" / "hand_made.csv", columns=HAND, tz="UTC")
    assert framed["source"].unique().tolist() == ["dataframe"]
    same = [c for c in filed.columns if c not in ("source", "note")]
    pd.testing.assert_frame_equal(framed[same], filed[same])
    assert mttr.check_incidents(framed)["problem"].tolist() == mttr.check_incidents(filed)["problem"].tolist()


def test_datetime_columns_duplicates_and_text_named_na():
    incidents = mttr.from_frame(_table(), columns=COLUMNS)
    assert len(incidents) == 4 and incidents["record"].tolist() == [1, 2, 3, 4]
    assert incidents["service"].tolist() == ["api", "NA", "NA", "web"]  # a service named NA is kept
    assert incidents["exclude_reason"].notna().sum() == 1  # the earlier version of B
    durations = mttr.phase_durations(incidents)
    assert durations.set_index("incident_id").loc["A", "time_to_resolve"] == pd.Timedelta(hours=1)
    incidents.loc[incidents["incident_id"] == "C", "resolved_at"] = pd.NaT  # an ordinary, editable frame


def test_naive_datetimes_need_the_timezone():
    naive = _table().assign(opened=lambda t: t["opened"].dt.tz_localize(None))
    with pytest.raises(mttr.InputError, match=r"the DataFrame, row 1, column 'opened': .*no UTC offset"):
        mttr.from_frame(naive, columns=COLUMNS)
    berlin = mttr.from_frame(naive, columns=COLUMNS, tz="Europe/Berlin")
    assert berlin.loc[0, "detected_at"] == pd.Timestamp("2024-12-31T23:00Z")


def test_epoch_numbers_read_as_times():
    epochs = _table().assign(opened=[1735689600, 1735776000, 1735776000, 1735862400])
    assert mttr.from_frame(epochs, columns=COLUMNS).loc[0, "detected_at"] == pd.Timestamp("2025-01-01T00:00Z")


def test_the_wrong_ways_get_one_clear_error():
    incidents = mttr.from_frame(_table(), columns=COLUMNS)
    with pytest.raises(mttr.InputError, match="already mttr_lab's incidents frame"):
        mttr.from_frame(incidents)
    with pytest.raises(mttr.InputError, match="pass the incidents, not the durations"):
        mttr.from_frame(mttr.phase_durations(incidents))
    with pytest.raises(
        mttr.InputError, match=r"the DataFrame, column 'nope': the export has no column 'nope'"
    ):
        mttr.from_frame(_table(), columns={"incident_id": "id", "detected_at": "nope"})
    with pytest.raises(mttr.InputError, match="reads a DataFrame"):
        mttr.from_frame([{"id": 1}])
    mixed = _table().assign(opened=["2025-01-01T00:00Z", 5, "yesterday", None])
    with pytest.raises(mttr.InputError, match=r"the DataFrame, row \d, column 'opened'"):
        mttr.from_frame(mixed, columns=COLUMNS)


def test_a_vendors_flattened_table_is_read_by_that_vendors_reader(fixtures):
    path = fixtures / "pagerduty" / "incidents_ui.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    framed = mttr.from_frame(table, source="pagerduty", tz="UTC")
    filed = mttr.read_export(path, source="pagerduty", tz="UTC")
    same = [c for c in filed.columns if c != "note"]
    pd.testing.assert_frame_equal(framed[same], filed[same])
    with pytest.raises(mttr.InputError) as err:
        mttr.from_frame(table, source="servicenow", tz="UTC")
    assert "the DataFrame" in str(err.value) and "not a ServiceNow export" in str(err.value)
    assert "/tmp" not in str(err.value)
