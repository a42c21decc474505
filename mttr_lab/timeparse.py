"""Turn a column of timestamps from an export into timezone-aware UTC, or say why not.

Accepted: ISO 8601 with an offset, ``Z`` or a trailing ``UTC`` (``2023-07-25 13:34:49 UTC``); naive date-times with an explicit ``tz``;
epoch seconds or milliseconds (numbers, or strings of digits); day-first or month-first
dates such as ``29/2/2016 01:16`` (the order is read from the data where it can be, else
``dayfirst=`` must say). A naive column without ``tz`` is an error, never a guess.

Naive local times that a daylight-saving change makes ambiguous (the repeated hour in
autumn) are read as the first occurrence; times that do not exist (the skipped hour in
spring) are moved forward to the first valid instant. Neither happens silently: inside
:func:`collect_remarks` each such instant is remembered with a sentence, and
:func:`time_remarks` gives the sentence for each value of a parsed column (``read_export``
turns them into ``note`` findings).

Epoch numbers are seconds or milliseconds, told apart by magnitude (above 1e11 is
milliseconds, i.e. after 1973 in ms or after the year 5138 in seconds). A column that holds
both is an error naming the record, never read in one unit throughout. A column that mixes
date formats (ISO 8601 and day/month dates, say) is an error that says so.
"""

from __future__ import annotations

import datetime
import re

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from .cells import short_cells, stripped
from .schema import TIMESTAMP_DTYPE, InputError
from .timeremarks import collect_remarks, remember, time_remarks, time_remarks_active

__all__ = [
    "check_timezone",
    "collect_remarks",
    "parse_epoch",
    "parse_timestamps",
    "time_remarks",
    "time_remarks_active",
    "unknown_timezone",
]

#: Epoch microseconds of 0001-01-01 and of the end of 9999: the calendar every tool can print.
_US_MIN = -62_135_596_800_000_000
_US_END = 253_402_300_800_000_000
_NAT = np.iinfo(np.int64).min
#: Spreadsheet serial day numbers of 1954-10-03 and 2119-01-08: as epoch seconds, all of
#: 1 January 1970 between 05:33 and 22:13.
_SERIAL_FIRST, _SERIAL_LAST = 20_000, 80_000
_FORMATS = (
    ("ISO 8601", re.compile(r"^\s*[+-]?\d{4}-\d{1,2}-\d{1,2}")),
    ("day/month/year or month/day/year", re.compile(r"^\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b")),
    ("day/month-name/year", re.compile(r"^\s*\d{1,2}[/ -][^\W\d_]{3,9}[/ -]\d{2,4}\b")),
    ("year/month/day", re.compile(r"^\s*\d{4}/\d{1,2}/\d{1,2}")),
    ("an epoch number", re.compile(r"^\s*-?\d{9,14}(\.\d+)?\s*$")),
)


_MISSING = {"", "?", "-", "na", "n/a", "nan", "nat", "none", "null"}
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_EPOCH_DIGITS = re.compile(r"-?\d{9,14}(\.\d+)?")
_WITH_OFFSET = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$")
_SLASH_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})\b")
# An epoch in seconds passes 1e11 only after the year 5000; in milliseconds it passes 1e11 in 1973.
_MS_THRESHOLD = 1e11


def _where(records, position: int) -> int | str:
    """Name the record at ``position``: ``records`` is None, a sequence of labels or a callable."""
    if records is None:
        return position + 1
    if callable(records):
        return records(position)
    return records[position]


def parse_epoch(
    values: pd.Series,
    *,
    unit: str | None = None,
    file: str | None = None,
    field: str | None = None,
    records: pd.Index | None = None,
) -> pd.Series:
    """Epoch numbers to UTC timestamps; ``unit`` is ``"s"``, ``"ms"`` or None to infer from magnitude.

    Inferred, each value above 1e11 is milliseconds and each other value seconds; a column that
    holds both is an :class:`InputError` naming a record of each.
    """
    numbers = _epoch_floats(values)
    bad = np.isnan(numbers) & values.notna().to_numpy()
    if bad.any():
        raise _first_bad(
            (file, field, records),
            bad,
            values,
            "not an epoch number",
            "seconds or milliseconds since 1970-01-01 UTC",
        )
    if unit not in (None, "s", "ms"):
        raise InputError(
            f"unknown epoch unit {unit!r}", file=file, field=field, expected="'s' or 'ms' (or None to infer)"
        )
    if unit is None:
        magnitude = np.abs(numbers)
        with np.errstate(invalid="ignore"):
            large, small = magnitude > _MS_THRESHOLD, magnitude <= _MS_THRESHOLD
        if large.any() and small.any():
            other = int(np.flatnonzero(large)[0])
            raise _first_bad(
                (file, field, records),
                small,
                values,
                "the column mixes epoch seconds and epoch milliseconds ("
                f"{_named(records, other)} holds {_plain(values.iloc[other])!r}, milliseconds; "
                "this value would be seconds)",
                "one unit throughout the column (pass epoch_unit='s' or 'ms' once it is consistent)",
            )
        unit = "ms" if large.any() else "s"
        present = numbers[~np.isnan(numbers)]
        if len(present) and ((present >= _SERIAL_FIRST) & (present <= _SERIAL_LAST)).all():
            raise _first_bad(
                (file, field, records),
                ~np.isnan(numbers),
                values,
                "these numbers look like spreadsheet serial dates (days since 1899-12-30), not "
                "epoch seconds: as seconds every one of them would fall on 1 January 1970",
                "dates written as text (format the column as a date or ISO 8601 before "
                "exporting), or epoch_unit='s' if these really are seconds since 1970",
            )
    with np.errstate(invalid="ignore", over="ignore"):
        micro = numbers * (1e6 if unit == "s" else 1e3)
        out_of_range = ~np.isfinite(micro) & ~np.isnan(micro) | (micro < _US_MIN) | (micro >= _US_END)
    if out_of_range.any():
        raise _first_bad(
            (file, field, records),
            out_of_range,
            values,
            "epoch number out of range",
            f"seconds or milliseconds since 1970-01-01 UTC, within the years 1-9999 (read as {unit})",
        )
    stamps = np.where(np.isnan(micro), _NAT, np.round(np.nan_to_num(micro)))
    utc = pd.array(stamps.astype(np.int64).view("datetime64[us]")).tz_localize("UTC")
    return pd.Series(utc, index=values.index, copy=False)


def _epoch_floats(values: pd.Series) -> np.ndarray:
    """Epoch numbers as floats, NaN where a value is no number."""
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "if":
        return values.to_numpy(dtype="float64")  # what the round trip below gives numbers
    numbers = pd.to_numeric(values, errors="coerce")
    try:
        return numbers.astype("Float64").to_numpy("float64", na_value=np.nan)
    except (TypeError, ValueError, OverflowError):
        return np.array(
            [float(v) if isinstance(v, (int, float)) else np.nan for v in numbers], dtype="float64"
        )


def _bad(where: tuple, pos: int, message: str, found, expected: str) -> InputError:
    """The error for the value at ``pos``; ``where`` is (file, field, records) as the parsers take them."""
    file, field, records = where
    return InputError(
        message, file=file, record=_where(records, pos), field=field, found=found, expected=expected
    )


def _first_bad(where: tuple, mask, values: pd.Series, message: str, expected: str) -> InputError:
    """The error for the first value of ``values`` where ``mask`` holds."""
    pos = int(np.flatnonzero(np.asarray(mask))[0])
    return _bad(where, pos, message, values.iloc[pos], expected)


def _named(records, position: int) -> str:
    where = _where(records, position)
    return f"record {where}" if isinstance(where, int) else str(where)


#: A zone written as a name at the end of a time: UTC (or GMT), after digits or after an offset.
_UTC_NAMED = re.compile(r"(?<=\d)\s*(?:UTC|GMT)$", re.IGNORECASE)
_UTC_AFTER_OFFSET = re.compile(r"([+-]\d\d:?\d\d)\s+(?:UTC|GMT)$", re.IGNORECASE)


def _named_utc(value: str) -> bool:
    return value[-3:].upper() in ("UTC", "GMT") and (value[-4:-3].isdigit() or value[-4:-3].isspace())


def _plain(value):
    return value.item() if isinstance(value, np.generic) else value


def _short_dayfirst(present: list[str], dayfirst: bool | None) -> bool | None:
    """:func:`_resolve_dayfirst` of a short column's values (ASCII text), or None where that
    raises (the column-wise path then says why)."""
    found = [match for match in map(_SLASH_DATE.search, present) if match is not None]
    if not found:
        return bool(dayfirst)
    day_first = any(int(match[1]) > 12 for match in found)
    month_first = any(int(match[2]) > 12 for match in found)
    if (day_first and month_first) or (dayfirst is True and month_first) or (dayfirst is False and day_first):
        return None
    if dayfirst is not None:
        return dayfirst
    return day_first if day_first or month_first else None


def _parse_short_text(
    values: pd.Series, tz: str | None, dayfirst: bool | None, *, file, field, records
) -> pd.Series | None:
    """:func:`parse_timestamps` of a short column of text, value by value in Python up to one
    ``pandas.to_datetime``; None wherever the column-wise path is needed (a long column, text
    that is not plain ASCII, epoch numbers, and every error, which that path then reports)."""
    cells = short_cells(values)
    text = None if cells is None else stripped(cells, _MISSING, ascii_only=True)
    if text is None:
        return None
    present = [t for t in text if t is not None]
    if not present:
        return pd.Series(pd.NaT, index=values.index, dtype=TIMESTAMP_DTYPE)
    if _named_utc(present[0]) or _named_utc(present[-1]):
        text = [t if t is None else _UTC_NAMED.sub("Z", _UTC_AFTER_OFFSET.sub(r"\1", t)) for t in text]
        present = [t for t in text if t is not None]
    if all(_NUMBER.fullmatch(t) for t in present) and any(_EPOCH_DIGITS.fullmatch(t) for t in present):
        return None  # epoch numbers written as text
    kwargs: dict = {"format": "ISO8601"}
    if not (present[0][:4].isdigit() and present[0][4:5] == "-"):
        order = _short_dayfirst(present, dayfirst)
        if order is None:
            return None
        kwargs = {"dayfirst": order}
    column = pd.Series(text, index=values.index, dtype=object, name=values.name)
    try:
        parsed, folded = _to_datetime(column, kwargs)
    except (ValueError, TypeError, OverflowError):
        return None
    if parsed.notna().sum() != len(present):
        return None
    if folded and not all(_WITH_OFFSET.search(t) for t in present):
        return None  # offsets folded into UTC beside a naive value: an error
    if tz is None and parsed.dt.tz is None:
        return None  # naive without a timezone: an error
    return _localize(parsed, tz, text=column, file=file, field=field, records=records)


def _clean_strings(values: pd.Series) -> pd.Series:
    text = values.astype("str").str.strip()
    missing = values.isna() | text.str.lower().isin(_MISSING)
    return text.where(~missing)


def _first_failure(text: pd.Series, parsed: pd.Series) -> int:
    bad = parsed.isna().to_numpy() & text.notna().to_numpy()
    hits = np.flatnonzero(bad)
    return int(hits[0]) if len(hits) else 0


def _resolve_dayfirst(text: pd.Series, dayfirst: bool | None, *, file, field, records) -> bool:
    parts = text.dropna().str.extract(_SLASH_DATE)
    if parts.empty or parts[0].isna().all():
        return bool(dayfirst)
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[1], errors="coerce")
    day_first = bool((first > 12).any())
    month_first = bool((second > 12).any())
    if (day_first and month_first) or (dayfirst is True and month_first) or (dayfirst is False and day_first):
        evidence = second > 12 if month_first else first > 12
        pos = int(text.index.get_loc(parts.index[evidence.to_numpy()][0]))
        raise _bad(
            (file, field, records),
            pos,
            "dates mix day-first and month-first order"
            if day_first and month_first
            else f"dayfirst={dayfirst} contradicts the data",
            text.iloc[pos],
            "one date order throughout the column, matching dayfirst=",
        )
    if dayfirst is not None:
        return dayfirst
    if day_first or month_first:
        return day_first
    raise _first_bad(
        (file, field, records),
        text.notna(),
        text,
        "date order is ambiguous (no day above 12 in any value)",
        "dayfirst=True or dayfirst=False",
    )


#: What a timezone must be, in every message that refuses one.
TIMEZONE_EXPECTED = "an IANA name such as 'Europe/Berlin' or 'UTC'"


def unknown_timezone(
    tz: object,
    *,
    function: str | None = None,
    argument: str | None = None,
    file: str | None = None,
    field: str | None = None,
) -> InputError:
    """The error for a timezone pandas does not know: "unknown timezone 'Berlin'; expected an
    IANA name such as 'Europe/Berlin' or 'UTC'", after the file and column it was given for, or
    naming the function and its argument ("check_incidents: unknown timezone tz='Berlin'; ...")."""
    shown = f"{argument}={tz!r}" if argument else repr(tz)
    text = f"unknown timezone {shown}"
    if function:
        text = f"{function}: {text}"
    return InputError(text, file=file, field=field, expected=TIMEZONE_EXPECTED)


def check_timezone(tz: object, *, function: str, argument: str = "tz") -> None:
    """Refuse a timezone argument pandas cannot convert times to, as :func:`mttr_lab.read_export`
    refuses it (:func:`unknown_timezone`): a name such as ``"Berlin"``, None, a number."""
    if isinstance(tz, (str, datetime.tzinfo)):
        try:
            pd.DatetimeTZDtype(tz=tz)
        except Exception as exc:  # zoneinfo's, pytz's or pandas' own error for an unknown name
            raise unknown_timezone(tz, function=function, argument=argument) from exc
        return
    raise unknown_timezone(tz, function=function, argument=argument)


def _as_utc(array: pd.arrays.DatetimeArray, like: pd.Series) -> pd.Series:
    """Aware times in ``datetime64[us, UTC]``, indexed and named like ``like``."""
    return pd.Series(
        array.tz_convert("UTC").astype(TIMESTAMP_DTYPE), index=like.index, name=like.name, copy=False
    )


def _localize(parsed: pd.Series, tz: str | None, *, text, file, field, records) -> pd.Series:
    """Parsed times (naive, or aware) in UTC: naive ones read in ``tz`` (an error without one), by
    the daylight-saving rule of the module where ambiguous or skipped (and remembered)."""
    array = parsed.array  # a DatetimeArray: the work is done on it, not through Series.dt
    if array.tz is TIMESTAMP_DTYPE.tz and array.unit == TIMESTAMP_DTYPE.unit:
        return parsed.copy()  # UTC in microseconds already (the very zone object: not a ZoneInfo("UTC"))
    if array.tz is not None:
        return _as_utc(array, parsed)
    if tz is None:
        pos = int(np.flatnonzero(parsed.notna().to_numpy())[0]) if parsed.notna().any() else 0
        raise _bad(
            (file, field, records),
            pos,
            "timestamps carry no UTC offset and no timezone was given",
            str(text.iloc[pos]) if len(text) else None,
            "an offset such as +02:00 or Z, or tz='Area/City' (e.g. tz='Europe/Berlin')",
        )
    try:
        local = array.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    except Exception as exc:  # an unknown timezone name
        raise unknown_timezone(tz, file=file, field=field) from exc
    odd = local.isna() & ~array.isna()
    if not odd.any():
        return _as_utc(local, parsed)
    # daylight saving: the documented rule, remembered for a note
    naive = parsed[odd]
    ruled = naive.dt.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
    skipped = naive.dt.tz_localize(tz, ambiguous=True, nonexistent="NaT").isna()
    remember(naive, ruled, skipped, str(tz))
    local = pd.Series(local, index=parsed.index, name=parsed.name)
    local[odd] = ruled
    return local.dt.tz_convert("UTC").astype(TIMESTAMP_DTYPE)


def parse_timestamps(
    values: pd.Series,
    *,
    tz: str | None = None,
    dayfirst: bool | None = None,
    unit: str | None = None,
    file: str | None = None,
    field: str | None = None,
    records: pd.Index | None = None,
) -> pd.Series:
    """Parse one column of an export into ``datetime64[us, UTC]``.

    Parameters
    ----------
    values : Series
        Strings, numbers or datetimes as read from the export.
    tz : str, optional
        IANA timezone of naive values. Values with an offset ignore it.
    dayfirst : bool, optional
        Order of slash dates; None reads it from the data (a day above 12) or raises.
    unit : {"s", "ms"}, optional
        Unit of epoch numbers; None infers it from their magnitude.
    file, field, records
        Where the values came from, for error messages (``records`` labels each row:
        a sequence, or a callable from position to label).

    Returns
    -------
    Series
        ``datetime64[us, UTC]``, NaT where the export had no value.

    Raises
    ------
    InputError
        Naming the file, record and column of the first value that cannot be read.
    """
    values = values if isinstance(values, pd.Series) else pd.Series(values)
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(values):
        return _parse_datetimes(values, tz, file=file, field=field, records=records)
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return parse_epoch(values, unit=unit, file=file, field=field, records=records)
    quick = _parse_short_text(values, tz, dayfirst, file=file, field=field, records=records)
    if quick is not None:
        return quick
    text = _clean_strings(values)
    present = text.dropna()
    if present.empty:
        return pd.Series(pd.NaT, index=values.index, dtype=TIMESTAMP_DTYPE)
    if _named_utc(present.iloc[0]) or _named_utc(present.iloc[-1]):
        # "2023-07-25 13:34:49 UTC" (FireHydrant's webhooks and API, Go's time format): UTC.
        text = text.str.replace(_UTC_AFTER_OFFSET, r"\1", regex=True).str.replace(_UTC_NAMED, "Z", regex=True)
        present = text.dropna()
    # Epoch numbers written as text: every value a number and at least one of epoch size (a
    # column of short numbers alone may be dates such as 20250301).
    if present.str.fullmatch(r"-?\d+(\.\d+)?").all() and present.str.fullmatch(r"-?\d{9,14}(\.\d+)?").any():
        return parse_epoch(text, unit=unit, file=file, field=field, records=records)

    return _parse_text(text, present, tz, dayfirst, file=file, field=field, records=records)


def _parse_datetimes(values: pd.Series, tz: str | None, *, file, field, records) -> pd.Series:
    """A column already of datetimes: localized or converted to UTC, within the years 1-9999."""
    out = _localize(values, tz, text=values, file=file, field=field, records=records)
    micro = out.array.asi8  # microseconds since the epoch, a view; NaT is the smallest int64
    beyond = ((micro < _US_MIN) & (micro != _NAT)) | (micro >= _US_END)
    if beyond.any():
        pos = int(np.flatnonzero(beyond)[0])
        raise _bad(
            (file, field, records),
            pos,
            "timestamp out of range",
            f"year {out.iloc[pos].year}",
            "a time within the years 1-9999",
        )
    return out


def _parse_text(
    text: pd.Series, present: pd.Series, tz: str | None, dayfirst: bool | None, *, file, field, records
) -> pd.Series:
    """Cleaned date-time text (``present``: its values that are not missing) to UTC, or the error
    that names the first value that cannot be read."""
    kwargs: dict = {"format": "ISO8601"}
    if not present.iloc[0][:4].isdigit() or not present.iloc[0][4:5] == "-":
        kwargs = {"dayfirst": _resolve_dayfirst(text, dayfirst, file=file, field=field, records=records)}
    folded = False
    try:
        parsed, folded = _to_datetime(text, kwargs)
    except (ValueError, TypeError, OverflowError):
        parsed = None
    if parsed is None or parsed.notna().sum() != present.size:
        try:
            coerced, _ = _to_datetime(text, {**kwargs, "errors": "coerce"}, utc=True)
        except (ValueError, TypeError, OverflowError):
            coerced = pd.Series(pd.NaT, index=text.index, dtype=TIMESTAMP_DTYPE)
        pos = _first_failure(text, coerced)
        if coerced.notna().sum() == present.size:
            _raise_if_mixed(text, file=file, field=field, records=records)
        _raise_if_mixed_formats(text, pos, file=file, field=field, records=records)
        raise _bad(
            (file, field, records),
            pos,
            "not a timestamp",
            text.iloc[pos],
            "ISO 8601 (2024-05-01T14:03:00+02:00), a date such as 29/2/2016 01:16, or epoch seconds",
        )
    if folded:
        # Several offsets were folded into UTC; make sure no naive value was folded with them.
        _raise_if_mixed(text, file=file, field=field, records=records)
    return _localize(parsed, tz, text=text, file=file, field=field, records=records)


def _format_of(value: str) -> str | None:
    return next((name for name, pattern in _FORMATS if pattern.match(value)), None)


def _raise_if_mixed_formats(text: pd.Series, pos: int, *, file, field, records) -> None:
    """Raise when the value at ``pos`` is a date of another format than the column's first value."""
    value = text.iloc[pos]
    mine = _format_of(value)
    first = int(np.flatnonzero(text.notna().to_numpy())[0])
    theirs = _format_of(text.iloc[first])
    if mine is None or theirs is None or mine == theirs:
        return
    raise _bad(
        (file, field, records),
        pos,
        f"the column mixes date formats: this value is {mine}, while {_named(records, first)} "
        f"holds {text.iloc[first]!r} ({theirs})",
        value,
        f"one date format throughout the column ({theirs}, as in its first value)",
    )


def _raise_if_mixed(text: pd.Series, *, file, field, records) -> None:
    aware = text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True, na=False)
    naive = text.notna() & ~aware
    if aware.any() and naive.any():
        raise _first_bad(
            (file, field, records),
            naive,
            text,
            "column mixes timestamps with and without a UTC offset",
            "every value with an offset, or none (and tz=)",
        )


def _to_datetime(text: pd.Series, kwargs: dict, *, utc: bool = False) -> tuple[pd.Series, bool]:
    """pandas.to_datetime, trying the mixed-offset form when one offset per column fails.

    Without a ``format`` in ``kwargs``, the format is guessed from the first value as pandas
    would, or each value is parsed on its own ("mixed") where none can be guessed: pandas'
    own behaviour, without the warning it gives then (silencing it would change the
    process-wide warning filters, which is not safe while columns are parsed in threads).
    Returns the parsed values and whether several offsets were folded into UTC.
    """
    guessed = "format" not in kwargs
    if guessed:
        present = text.dropna()
        first = present.iloc[0] if len(present) else None
        found = (
            guess_datetime_format(first, dayfirst=bool(kwargs.get("dayfirst")))
            if isinstance(first, str)
            else None
        )
        kwargs = {**kwargs, "format": found or "mixed"}
    try:
        return pd.to_datetime(text, utc=utc, **kwargs), False
    except ValueError as exc:
        if "errors" in kwargs:
            raise
        msg = str(exc).lower()
        if "mixed timezones" in msg or "utc=true" in msg:
            return pd.to_datetime(text, utc=True, **kwargs), True
        if not guessed or kwargs["format"] == "mixed" or "time data" not in msg:
            raise
        return pd.to_datetime(text, utc=utc, **{**kwargs, "format": "mixed"}), False
