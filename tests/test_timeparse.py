"""parse_timestamps: every accepted form, and clear errors for the rest."""

from __future__ import annotations

import pandas as pd
import pytest

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
