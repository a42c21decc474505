"""Turn a column of timestamps from an export into timezone-aware UTC, or say why not.

Accepted: ISO 8601 with an offset or ``Z``; naive date-times with an explicit ``tz``;
epoch seconds or milliseconds (numbers, or strings of digits); day-first or month-first
dates such as ``29/2/2016 01:16`` (the order is read from the data where it can be, else
``dayfirst=`` must say). A naive column without ``tz`` is an error, never a guess.

Naive local times that a daylight-saving change makes ambiguous (the repeated hour in
autumn) are read as the first occurrence; times that do not exist (the skipped hour in
spring) are moved forward to the first valid instant.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd

from .schema import TIMESTAMP_DTYPE, InputError

__all__ = ["parse_epoch", "parse_timestamps"]

_MISSING = {"", "?", "-", "na", "n/a", "nan", "nat", "none", "null"}
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
    """Epoch numbers to UTC timestamps; ``unit`` is ``"s"``, ``"ms"`` or None to infer from magnitude."""
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() & values.notna()
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            "not an epoch number",
            file=file,
            record=_where(records, pos),
            field=field,
            found=values.iloc[pos],
            expected="seconds or milliseconds since 1970-01-01 UTC",
        )
    if unit is None:
        biggest = numbers.abs().max()
        unit = "ms" if pd.notna(biggest) and biggest > _MS_THRESHOLD else "s"
    out = pd.to_datetime(numbers, unit=unit, utc=True)
    return out.astype(TIMESTAMP_DTYPE)


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
        raise InputError(
            "dates mix day-first and month-first order"
            if day_first and month_first
            else f"dayfirst={dayfirst} contradicts the data",
            file=file,
            record=_where(records, pos),
            field=field,
            found=text.iloc[pos],
            expected="one date order throughout the column, matching dayfirst=",
        )
    if dayfirst is not None:
        return dayfirst
    if day_first or month_first:
        return day_first
    raise InputError(
        "date order is ambiguous (no day above 12 in any value)",
        file=file,
        field=field,
        found=parts.index.size and text.dropna().iloc[0],
        expected="dayfirst=True or dayfirst=False",
    )


def _localize(parsed: pd.Series, tz: str | None, *, text, file, field, records) -> pd.Series:
    if parsed.dt.tz is not None:
        return parsed.dt.tz_convert("UTC").astype(TIMESTAMP_DTYPE)
    if tz is None:
        pos = int(np.flatnonzero(parsed.notna().to_numpy())[0]) if parsed.notna().any() else 0
        raise InputError(
            "timestamps carry no UTC offset and no timezone was given",
            file=file,
            record=_where(records, pos),
            field=field,
            found=str(text.iloc[pos]) if len(text) else None,
            expected="an offset such as +02:00 or Z, or tz='Area/City' (e.g. tz='Europe/Berlin')",
        )
    try:
        local = parsed.dt.tz_localize(tz, ambiguous=True, nonexistent="shift_forward")
    except Exception as exc:  # an unknown timezone name
        raise InputError(
            f"unknown timezone {tz!r}",
            file=file,
            field=field,
            expected="an IANA name such as 'Europe/Berlin' or 'UTC'",
        ) from exc
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
    values = pd.Series(values)
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(values):
        return _localize(values, tz, text=values, file=file, field=field, records=records)
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        return parse_epoch(values, unit=unit, file=file, field=field, records=records)
    text = _clean_strings(values)
    present = text.dropna()
    if present.empty:
        return pd.Series(pd.NaT, index=values.index, dtype=TIMESTAMP_DTYPE)
    if present.str.fullmatch(r"-?\d{9,14}(\.\d+)?").all():
        return parse_epoch(text, unit=unit, file=file, field=field, records=records)

    kwargs: dict = {"format": "ISO8601"}
    if not present.iloc[0][:4].isdigit() or not present.iloc[0][4:5] == "-":
        kwargs = {"dayfirst": _resolve_dayfirst(text, dayfirst, file=file, field=field, records=records)}
    folded = False
    try:
        parsed, folded = _to_datetime(text, kwargs)
    except (ValueError, TypeError, OverflowError):
        parsed = None
    if parsed is None or parsed.notna().sum() != present.size:
        coerced, _ = _to_datetime(text, {**kwargs, "errors": "coerce"}, utc=True)
        pos = _first_failure(text, coerced)
        if coerced.notna().sum() == present.size:
            _raise_if_mixed(text, file=file, field=field, records=records)
        raise InputError(
            "not a timestamp",
            file=file,
            record=_where(records, pos),
            field=field,
            found=text.iloc[pos],
            expected="ISO 8601 (2024-05-01T14:03:00+02:00), a date such as 29/2/2016 01:16, or epoch seconds",
        )
    if folded:
        # Several offsets were folded into UTC; make sure no naive value was folded with them.
        _raise_if_mixed(text, file=file, field=field, records=records)
    return _localize(parsed, tz, text=text, file=file, field=field, records=records)


def _raise_if_mixed(text: pd.Series, *, file, field, records) -> None:
    aware = text.str.contains(r"(?:Z|[+-]\d\d:?\d\d)$", regex=True, na=False)
    naive = text.notna() & ~aware
    if aware.any() and naive.any():
        pos = int(np.flatnonzero(naive.to_numpy())[0])
        raise InputError(
            "column mixes timestamps with and without a UTC offset",
            file=file,
            record=_where(records, pos),
            field=field,
            found=text.iloc[pos],
            expected="every value with an offset, or none (and tz=)",
        )


def _to_datetime(text: pd.Series, kwargs: dict, *, utc: bool = False) -> tuple[pd.Series, bool]:
    """pandas.to_datetime, trying the mixed-offset form when one offset per column fails.

    Returns the parsed values and whether several offsets were folded into UTC.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "could not infer format": we fall back below
        try:
            return pd.to_datetime(text, utc=utc, **kwargs), False
        except ValueError as exc:
            if "errors" in kwargs:
                raise
            msg = str(exc).lower()
            if "mixed timezones" in msg or "utc=true" in msg:
                return pd.to_datetime(text, utc=True, **kwargs), True
            if "format" in kwargs or "time data" not in msg:
                raise
            return pd.to_datetime(text, utc=utc, format="mixed", **kwargs), False
