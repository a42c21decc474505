"""parse_timestamps: every accepted form, and clear errors for the rest."""

from __future__ import annotations

import pandas as pd
import pytest

import mttr_lab as mttr
from mttr_lab.schema import InputError
from mttr_lab.timeparse import parse_timestamps


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_offsets_and_z_mixed_in_one_column():
    out = parse_timestamps(pd.Series(["2024-01-01T10:00:00Z", "2024-07-01T12:00:00+02:00", None]))
    assert out.tolist()[:2] == [utc("2024-01-01 10:00"), utc("2024-07-01 10:00")]
    assert pd.isna(out.iloc[2])
    assert str(out.dtype) == "datetime64[us, UTC]"


def test_naive_without_tz_is_an_error_not_a_guess():
    with pytest.raises(InputError, match="no UTC offset"):
        parse_timestamps(pd.Series(["2024-01-01 10:00"]), file="x.csv", field="opened")


def test_naive_mixed_with_aware_is_an_error_naming_the_record():
    with pytest.raises(InputError) as err:
        parse_timestamps(pd.Series(["2024-01-01T10:00:00Z", "2024-01-01 12:00"]), tz="UTC", field="f")
    assert "record 2" in str(err.value) and "mixes" in str(err.value)


def test_epochs_seconds_and_milliseconds():
    assert parse_timestamps(pd.Series([1700000000])).iloc[0] == utc("2023-11-14 22:13:20")
    assert parse_timestamps(pd.Series([1700000000000])).iloc[0] == utc("2023-11-14 22:13:20")
    assert parse_timestamps(pd.Series(["1700000000"])).iloc[0] == utc("2023-11-14 22:13:20")
    assert parse_timestamps(pd.Series([1700000000]), unit="ms").iloc[0] == utc("1970-01-20 16:13:20")


def test_day_first_read_from_the_data_or_asked_for():
    out = parse_timestamps(pd.Series(["29/2/2016 01:16", "1/3/2016 10:05", "?"]), tz="UTC")
    assert out.tolist()[:2] == [utc("2016-02-29 01:16"), utc("2016-03-01 10:05")]
    with pytest.raises(InputError, match="ambiguous"):
        parse_timestamps(pd.Series(["2/3/2016 01:16"]), tz="UTC")
    assert parse_timestamps(pd.Series(["2/3/2016 01:16"]), tz="UTC", dayfirst=False).iloc[0] == utc(
        "2016-02-03 01:16"
    )
    with pytest.raises(InputError, match="day-first and month-first"):
        parse_timestamps(pd.Series(["29/2/2016 01:16", "2/29/2016 01:16"]), tz="UTC")


def test_garbage_names_the_value():
    with pytest.raises(InputError) as err:
        parse_timestamps(pd.Series(["2024-01-01T10:00:00Z", "soon"]), file="f.csv", field="closed")
    assert "f.csv" in str(err.value) and "record 2" in str(err.value) and "'soon'" in str(err.value)


def test_unknown_timezone():
    with pytest.raises(InputError, match="unknown timezone"):
        parse_timestamps(pd.Series(["2024-01-01 10:00"]), tz="Mars/Olympus")


def test_datetimes_pass_through():
    aware = pd.Series(pd.to_datetime(["2024-01-01 10:00"]).tz_localize("Europe/Berlin"))
    assert parse_timestamps(aware).iloc[0] == utc("2024-01-01 09:00")
    assert parse_timestamps(pd.Series([None, None])).isna().all()


def test_formats_pandas_cannot_guess_are_read_without_warnings(tmp_path):
    # Columns are parsed side by side in threads, where warnings.catch_warnings() (which
    # swaps the process-wide filters) is not safe: the parser must not need to silence
    # pandas' "could not infer format" warning, and must leave the filters as they were.
    import warnings

    path = tmp_path / "ordinal.csv"
    path.write_text(
        "incident_id,detected_at,acknowledged_at,resolved_at\n"
        "A,13/03/2025 10:00,March 13th 2025 10:05,13/03/2025 11:00\n"
        "B,01/04/2025 09:00,April 1st 2025 09:30,01/04/2025 10:00\n"
    )
    before = list(warnings.filters)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        incidents = mttr.read_export(path, tz="Europe/Berlin")
    assert [str(w.message) for w in caught] == []
    assert list(warnings.filters) == before
    assert incidents["acknowledged_at"].tolist() == [
        pd.Timestamp("2025-03-13 09:05", tz="UTC"),
        pd.Timestamp("2025-04-01 07:30", tz="UTC"),
    ]
    assert incidents["detected_at"].iloc[1] == pd.Timestamp("2025-04-01 07:00", tz="UTC")


def test_spreadsheet_serial_dates_are_refused_not_read_as_1970(tmp_path):
    path = tmp_path / "serial.csv"
    path.write_text("incident_id,detected_at,resolved_at\nXS-1,45750.5854166667,45750.6270833333\n")
    with pytest.raises(InputError, match="spreadsheet serial dates") as err:
        mttr.read_export(path)
    assert "row 1" in str(err.value) and "'detected_at'" in str(err.value)
    # Told that they are seconds, they are read as such (and noted as implausible).
    incidents = mttr.read_export(path, epoch_unit="s")
    assert incidents.loc[0, "detected_at"].year == 1970 and "before 1990" in incidents.loc[0, "note"]


def test_epoch_numbers_as_text_with_a_short_one_are_read_as_epochs():
    values = pd.Series(["1735725600", "-86400", None], dtype=object)
    parsed = parse_timestamps(values, field="detected_at")
    assert parsed.tolist()[:2] == [
        pd.Timestamp("2025-01-01 10:00", tz="UTC"),
        pd.Timestamp("1969-12-31", tz="UTC"),
    ]
    # Short numbers alone are not taken for epochs.
    with pytest.raises(InputError, match="not a timestamp"):
        parse_timestamps(pd.Series(["12", "13"], dtype=object), field="detected_at")
