"""What every reader shares: building the canonical ``incidents`` frame from raw fields."""

from __future__ import annotations

import contextvars
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import (
    INCIDENT_COLUMNS,
    MILESTONES,
    TIMESTAMP_DTYPE,
    InputError,
    normalise_severity,
    severity_of_codes,
)
from ..timeparse import collect_remarks, parse_timestamps, time_remarks, time_remarks_active

__all__ = [
    "DUPLICATE_REASON",
    "NAME_KEYS",
    "POLLED_REASON",
    "arrow_to_frame",
    "build_incidents",
    "hashable",
    "join_notes",
    "list_field",
    "mark_duplicates",
    "name_of",
    "names_of",
    "timestamp_notes",
    "whole_numbers",
]

DUPLICATE_REASON = "duplicate id: a later version of this incident is kept"
#: The reason of an earlier snapshot of an incident in a polling history (the same incident saved
#: at each poll): :func:`mttr_lab.check_incidents` sums these up in one finding per export.
POLLED_REASON = "an earlier snapshot of a polled incident: the latest is kept"

#: Threads that clean and parse the columns of one export side by side.
_THREADS = 2
#: Timestamps before this are implausible for an incident export (epoch mix-ups land in 1970).
EARLIEST_PLAUSIBLE = pd.Timestamp("1990-01-01", tz="UTC")
#: A cluster of timestamps this far after the rest of the data is implausible.
FUTURE_GAP = pd.Timedelta(days=365)


#: Arrow tables from this size on give their parse's freed memory back to the system once
#: converted (at 1M incidents, the peak of read + phases falls by about a quarter); smaller ones
#: keep it for the next read, which then needs no fresh pages.
RELEASE_BYTES = 64 * 2**20


def arrow_to_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as an ordinary, editable pandas frame, its Arrow memory freed as it goes.

    Arrow hands pandas a column of numbers or times that sits in one chunk without nulls as a
    read-only view of its own buffer, which ``.loc`` assignment then fails on. Those columns
    alone are copied, one at a time (a column in several chunks, or with nulls, is copied by the
    conversion anyway); text stays in Arrow memory, which pandas' string dtype never writes to.
    See :data:`RELEASE_BYTES` for when the memory freed goes back to the system.
    """
    shared = [
        name
        for name, column in zip(table.column_names, table.columns, strict=True)
        if column.num_chunks == 1
        and column.null_count == 0
        and (
            pa.types.is_integer(column.type)
            or pa.types.is_floating(column.type)
            or pa.types.is_temporal(column.type)
        )
    ]
    large = table.nbytes >= RELEASE_BYTES
    frame = table.to_pandas(self_destruct=True, split_blocks=True)
    del table
    for name in shared:
        frame[name] = frame[name].copy()  # a writable copy; the read-only view is dropped here
    if large:
        # The parse's buffers are freed by now, but Arrow's allocator keeps them for its next
        # parse: give them back, so that the work on the frame does not stack on top of them.
        pa.default_memory_pool().release_unused()
    return frame


#: Keys that hold the readable name of a nested object, in order of preference.
NAME_KEYS = ("summary", "name", "display_name", "label", "title", "value")


def name_of(value: Any) -> Any:
    """The name of a nested object (``{"id": "P1", "summary": "API"}`` -> ``"API"``).

    A list of objects gives their names joined with ", "; an object without a name gives its
    ``id`` (else None); anything else is returned as it is. A Python ``dict`` repr never
    reaches a column.
    """
    if isinstance(value, dict):
        for key in NAME_KEYS:
            name = value.get(key)
            if name not in (None, "") and not isinstance(name, (dict, list)):
                return name
        ident = value.get("id")
        return None if ident in (None, "") or isinstance(ident, (dict, list)) else ident
    if isinstance(value, (list, tuple)):
        names = [str(n) for n in map(name_of, value) if n not in (None, "")]
        return ", ".join(names) if names else None
    return value


def names_of(values: pd.Series) -> pd.Series:
    """``values`` with nested objects and lists replaced by their names (see :func:`name_of`).

    Columns of text or numbers are returned as they are, without a pass over their values.
    """
    if values.dtype != object or not len(values):
        return values
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("string", "empty", "integer", "floating", "boolean", "mixed-integer-float", "decimal"):
        return values
    return values.map(name_of, na_action="ignore").astype(object)


def _as_series(values: Any, index: pd.RangeIndex) -> pd.Series:
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    if np.ndim(values) == 0:
        return pd.Series([values] * len(index), index=index)
    return pd.Series(values, index=index)


def _text(values: pd.Series) -> pd.Series:
    """Stripped text, NA where missing or blank; shares the input's memory where nothing changes."""
    out = values.astype("str")
    if hasattr(out.array, "__arrow_array__") and _edges_clean(out.array.__arrow_array__()):
        return out  # nothing to strip and nothing blank: seen on the edge bytes, no string built
    stripped = out.str.strip()
    if _total_length(stripped) == _total_length(out):
        stripped = out  # nothing was stripped: keep the original buffers rather than a copy
    blank = stripped.eq("")
    return stripped.where(~blank) if blank.any() else stripped


def _edges_clean(arrow: pa.Array | pa.ChunkedArray) -> bool:
    """Whether no string is empty or begins or ends with a byte that a strip might remove.

    Read in place from each chunk's offsets and bytes; a multi-byte character at an edge counts
    as possibly white space (the full strip then decides).
    """
    if not (pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type)):
        return False
    for chunk in arrow.chunks if isinstance(arrow, pa.ChunkedArray) else [arrow]:
        n = len(chunk)
        if n == chunk.null_count:
            continue
        offset_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(chunk.buffers()[1], dtype=offset_type)[chunk.offset : chunk.offset + n + 1]
        begin, end = offsets[:-1], offsets[1:]
        if chunk.null_count:
            valid = chunk.is_valid().to_numpy(zero_copy_only=False)
            begin, end = begin[valid], end[valid]
        if (end <= begin).any():
            return False
        data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)
        if _EDGE[data[begin]].any() or _EDGE[data[end - 1]].any():
            return False
    return True


def _missing_text(index: pd.Index) -> pd.Series:
    """An all-missing text column (built from Arrow nulls: no per-row work)."""
    return pd.Series(pd.array(pa.nulls(len(index), pa.large_string()), dtype="str"), index=index)


def _total_length(values: pd.Series) -> int:
    """Total length of the strings: stripping changed nothing exactly when it is unchanged."""
    if hasattr(values.array, "__arrow_array__"):  # one pass over the Arrow offsets, no copy
        return pc.sum(pc.binary_length(values.array.__arrow_array__())).as_py() or 0
    return int(values.str.len().sum())


def build_incidents(
    fields: Mapping[str, Any],
    *,
    source: str,
    file: str | None = None,
    labels: Mapping[str, str] | None = None,
    tz: str | None = None,
    dayfirst: bool | None = None,
    epoch_unit: str | None = None,
    severity_map: Mapping[str, str] | None = None,
    default_severity_map: Mapping[str, str] | None = None,
    records: Any = None,
    record_label: str = "record",
    exclude_reason: Any = None,
    version: Any = None,
    extra: Mapping[str, Any] | None = None,
) -> pd.DataFrame:
    """Assemble the canonical ``incidents`` frame from raw per-record fields.

    Parameters
    ----------
    fields : mapping
        Canonical column name -> raw values (strings, numbers or datetimes), one per record.
        Milestones are parsed with :func:`mttr_lab.timeparse.parse_timestamps`; ``severity`` is
        the raw label, normalised here. Missing canonical columns become NA.
    source : str
        The reader's name, stored in the ``source`` column.
    file : str, optional
        Path shown in error messages.
    labels : mapping, optional
        Canonical name -> the export's own field name, for error messages.
    tz, dayfirst, epoch_unit
        Passed to the timestamp parser.
    severity_map, default_severity_map : mapping, optional
        Label -> severity. The reader's defaults, then the user's overrides, then the generic table.
    records : array-like, optional
        1-based position of each record in the export (defaults to 1..n).
    record_label : str
        How error messages name a record ("row" for CSV lines, "record" for JSON objects).
    exclude_reason : array-like, optional
        Why a record is not an incident (NA where it is one).
    version : array-like, optional
        Orders versions of one id (e.g. ``updated_at``); the highest wins, ties go to the later record.
    extra : mapping, optional
        Further columns appended after the canonical ones. An extra ``note`` (a reader's
        remark on a record) is merged with the notes on timestamps (see below).

    Returns
    -------
    DataFrame
        The canonical columns of ``mttr_lab.INCIDENT_COLUMNS`` then ``extra``, then ``note``
        where any record has one: a sentence per doubtful timestamp (a daylight-saving rule
        applied, before 1990, or more than a year after the rest of the data; see
        :func:`timestamp_notes`), which :func:`mttr_lab.check_incidents` reports as findings.
    """
    labels = dict(labels or {})
    lengths = {len(v) for v in fields.values() if np.ndim(v) > 0}
    n = lengths.pop() if lengths else 0
    if lengths:
        raise ValueError("build_incidents: fields of unequal length")
    index = pd.RangeIndex(n)
    record_no = _as_series(records if records is not None else np.arange(1, n + 1), index).astype("int64")

    def record_names(position: int) -> str:
        return f"{record_label} {record_no.iloc[position]}"

    def text(raw: Any) -> pd.Series:
        if raw is None:
            return _missing_text(index)
        return _text(names_of(_as_series(raw, index)))

    def timestamps(name: str) -> tuple[pd.Series, tuple[np.ndarray, np.ndarray]]:
        raw = fields.get(name)
        if raw is None:
            parsed = pd.Series(pd.NaT, index=index, dtype=TIMESTAMP_DTYPE)
        else:
            parsed = parse_timestamps(
                _as_series(raw, index),
                tz=tz,
                dayfirst=dayfirst,
                unit=epoch_unit,
                file=file,
                field=labels.get(name, name),
                records=record_names,
            )
        return parsed, day_counts(parsed)

    def severities(raw: Any) -> tuple[pd.Series, pd.Series]:
        values = names_of(_as_series(raw, index)) if raw is not None else None
        if values is None or values.dtype != "str":
            labels = text(raw)
            return labels, normalise_severity(labels, mapping)
        # A handful of labels: clean the distinct ones, not every row.
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        distinct = pd.Series(uniques, dtype="str")
        cleaned = _text(distinct)
        if not cleaned.equals(distinct):
            labels = _as_series(cleaned.take(np.maximum(codes, 0)).where(codes >= 0), index)
            codes, uniques = pd.factorize(labels, use_na_sentinel=True)
            values = labels
        return values, severity_of_codes(codes, uniques, mapping, index=index)

    def identifiers(raw: Any) -> tuple[pd.Series, bool]:
        values = _as_series(raw, index) if raw is not None else None
        if values is not None and values.dtype == "str" and hasattr(values.array, "__arrow_array__"):
            words = _fixed_width_hashes(values.array.__arrow_array__(), trimmed=True)
            if words is not None:  # ids of one width with nothing to strip: the text as it is
                return values, _has_duplicates(values, words=words)
        ids = text(raw)
        return ids, _has_duplicates(ids)

    mapping = {**(default_severity_map or {}), **(severity_map or {})}
    out: dict[str, pd.Series] = {}
    # Columns are cleaned and parsed side by side: the pandas, pyarrow and numpy work releases
    # the GIL. Results are taken in column order, so the first bad column is the one reported.
    with collect_remarks(), ThreadPoolExecutor(max_workers=_THREADS) as pool:

        def later(fn: Any, *args: Any) -> Future:
            return pool.submit(contextvars.copy_context().run, fn, *args)

        ids = later(identifiers, fields.get("incident_id"))
        texts = {name: later(text, fields.get(name)) for name in ("title", "service", "team")}
        severity = later(severities, fields.get("severity"))
        stamps = {name: later(timestamps, name) for name in MILESTONES}
        out["incident_id"], repeated = ids.result()
        for name in ("title", "service", "team"):
            out[name] = texts[name].result()
        out["detection_channel"] = text(fields.get("detection_channel"))
        out["severity_raw"], out["severity"] = severity.result()
        out["source"] = pd.Series(source, index=index, dtype="str")
        reason = text(exclude_reason)
        out["exclude_reason"] = reason.where(reason.notna() | out["incident_id"].notna(), "no incident id")
        counts = {}
        for name in MILESTONES:
            out[name], counts[name] = stamps[name].result()
        notes = _timestamp_notes(pd.DataFrame({m: out[m] for m in MILESTONES}, copy=False), counts)
    out["record"] = record_no
    extra = dict(extra or {})
    if "note" in extra:
        notes = join_notes(text(extra.pop("note")), notes)
    clash = next((name for name in extra if name in INCIDENT_COLUMNS), None)
    if clash is not None:
        raise ValueError(f"build_incidents: extra column {clash!r} would overwrite a canonical column")
    columns = {name: out[name] for name in INCIDENT_COLUMNS}
    columns.update((name, names_of(_as_series(values, index))) for name, values in extra.items())
    if notes is not None:
        columns["note"] = notes
    frame = pd.DataFrame(columns, index=index, copy=False)
    return mark_duplicates(
        frame, version=None if version is None else _as_series(version, index), repeated=repeated
    )


_DAY_US = 86_400_000_000
_EARLIEST_DAY = (EARLIEST_PLAUSIBLE - pd.Timestamp(0, tz="UTC")).days


def day_counts(stamps: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """The distinct UTC days of a timestamp column (days since 1970-01-01) and their counts.

    One linear pass where the days span under a million (no sort), without copying the
    timestamps; NaT is not counted.
    """
    missing = stamps.isna().to_numpy()
    if missing.all():
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    unit = np.datetime_data(stamps.dtype.base)[0]
    day = np.floor_divide(stamps.array.asi8, pd.Timedelta(days=1) // pd.Timedelta(1, unit=unit))
    high = int(day.max())  # NaT is the smallest int64: never the maximum
    absent = int(missing.sum())
    if absent:  # NaT counted on the latest day, then taken off
        np.putmask(day, missing, high)
    low = int(day.min())
    if high - low < 1_000_000:
        count = np.bincount(day - low)
        count[-1] -= absent
        days = np.flatnonzero(count)
        return days + low, count[days]
    days, count = np.unique(day, return_counts=True)
    count[-1] -= absent
    return days[count > 0], count[count > 0]


def _future_cut(counts: list[tuple[np.ndarray, np.ndarray]]) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Where a minority of timestamps begins more than a year after all earlier ones (day resolution).

    ``counts`` holds :func:`day_counts` of each column. Returns the first implausible instant
    and the last plausible day, or None.
    """
    if not counts:
        return None
    day, where = np.unique(np.concatenate([d for d, _ in counts]), return_inverse=True)
    count = np.bincount(where, weights=np.concatenate([c for _, c in counts]), minlength=len(day))
    jumps = np.flatnonzero(np.diff(day) > FUTURE_GAP.days)
    if not len(jumps):
        return None
    first = jumps[-1] + 1
    later = count[first:].sum()
    if later >= count[:first].sum():
        return None
    start = pd.Timestamp(int(day[first]) * _DAY_US, unit="us", tz="UTC")
    return start, pd.Timestamp(int(day[first - 1]) * _DAY_US, unit="us")


def join_notes(first: pd.Series | None, second: pd.Series | None) -> pd.Series | None:
    """Two columns of remarks as one: joined with "; " where both have one (None is no column)."""
    if first is None or second is None:
        return second if first is None else first
    joined = first + "; " + second
    return joined.fillna(first).fillna(second)


def timestamp_notes(stamps: pd.DataFrame) -> pd.Series:
    """A sentence per record on its doubtful milestone timestamps (NA where none is doubtful).

    Doubtful: a naive local time that daylight saving made ambiguous or skipped (the rule of
    :mod:`mttr_lab.timeparse` was applied, collected by :func:`~mttr_lab.timeparse.collect_remarks`);
    a time before 1990 (an epoch mix-up, a placeholder date); a time in a cluster that begins
    more than a year after the latest earlier timestamp and holds fewer timestamps than the rest
    (a typo in the year, a far-future placeholder).

    Returns
    -------
    Series of str
        Indexed like ``stamps``; sentences joined with "; ".
    """
    notes = _timestamp_notes(stamps, {})
    return _missing_text(stamps.index) if notes is None else notes


def _timestamp_notes(
    stamps: pd.DataFrame, counts: Mapping[str, tuple[np.ndarray, np.ndarray]]
) -> pd.Series | None:
    """:func:`timestamp_notes`, or None where no timestamp is doubtful.

    ``counts`` holds the :func:`day_counts` of columns where they are already known.
    """
    notes = None
    columns = [c for c in MILESTONES if c in stamps.columns]
    if not columns or stamps.empty:
        return notes
    counts = {name: counts.get(name) or day_counts(stamps[name]) for name in columns}
    cut = _future_cut([c for c in counts.values() if len(c[0])])
    remarks = time_remarks_active()
    for name in columns:
        values = stamps[name]
        remark = time_remarks(values) if remarks else None
        days = counts[name][0]
        early = values < EARLIEST_PLAUSIBLE if len(days) and days[0] < _EARLIEST_DAY else None
        late = values >= cut[0] if cut is not None else None
        noted = remark is not None and remark.notna().any()
        if not (noted or (early is not None and early.any()) or (late is not None and late.any())):
            continue
        shown = values.dt.strftime("%Y-%m-%d %H:%M")
        if noted:
            notes = join_notes(notes, (name + " " + remark).where(remark.notna()))
        if early is not None and early.any():
            text = name + " " + shown + " UTC is before 1990: implausible for an incident; kept as recorded"
            notes = join_notes(notes, text.where(early))
        if late is not None and late.any():
            text = (
                name
                + " "
                + shown
                + f" UTC is more than a year after the rest of the data (which ends {cut[1]:%Y-%m-%d}): "
                + "implausible; kept as recorded"
            )
            notes = join_notes(notes, text.where(late))
    return notes


def mark_duplicates(
    incidents: pd.DataFrame, *, version: pd.Series | None = None, repeated: bool | None = None
) -> pd.DataFrame:
    """Mark every version of a repeated ``incident_id`` but the latest as excluded.

    The latest is the highest ``version`` (for example an ``updated_at``), ties and a missing
    ``version`` going to the record read last. Rows already excluded are left as they are.
    ``repeated`` says whether any id repeats, when that is already known.

    Returns
    -------
    DataFrame
        ``incidents`` with ``exclude_reason`` filled for the superseded versions.
    """
    live = incidents["exclude_reason"].isna() & incidents["incident_id"].notna()
    ids = incidents["incident_id"]
    if not (_has_duplicates(ids) if repeated is None else repeated):
        return incidents
    order = pd.DataFrame({"id": ids, "pos": np.arange(len(incidents))})
    if version is not None:
        order["version"] = pd.Series(version.to_numpy(), index=incidents.index)
        order = order.sort_values(["version", "pos"], na_position="first", kind="stable")
    superseded = order["id"].notna() & order["id"].duplicated(keep="last")
    # A version is superseded by any later one, even an excluded one (a canceled latest version
    # leaves no earlier version counted as an incident).
    superseded = superseded.reindex(incidents.index) & live
    out = incidents.copy()
    out["exclude_reason"] = out["exclude_reason"].mask(superseded, DUPLICATE_REASON)
    return out


def _has_duplicates(ids: pd.Series, *, words: np.ndarray | None = None) -> bool:
    """Whether any id other than NA repeats.

    Ids of one width (UUIDs, ``INC0012345``) are first hashed as machine words without a copy
    (or ``words`` holds those hashes): distinct hashes prove distinct ids. Otherwise, or when
    two hashes meet, one exact hash pass (pyarrow's, where the data is Arrow).
    """
    try:
        # The chunked Arrow data as it is: pa.array() would first copy it into one chunk.
        arrow = ids.array.__arrow_array__() if hasattr(ids.array, "__arrow_array__") else pa.array(ids)
        words = _fixed_width_hashes(arrow) if words is None else words
        if words is not None and pd.Index(words, copy=False).is_unique:
            return False
        distinct = len(pc.unique(arrow)) - (1 if arrow.null_count else 0)
        return distinct != len(ids) - arrow.null_count
    except (pa.ArrowException, TypeError, ValueError):
        return bool(ids.dropna().duplicated().any())


_MIX = np.uint64(0x9E3779B97F4A7C15)


#: Bytes that may begin or end a string that strip() would change: ASCII white space and
#: separators, and every byte of a multi-byte character (decided then by the full strip).
_EDGE = np.zeros(256, dtype=bool)
_EDGE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_EDGE[0x80:] = True


def _fixed_width_hashes(arrow: pa.Array | pa.ChunkedArray, *, trimmed: bool = False) -> np.ndarray | None:
    """A 64-bit hash per string when every string has the same width (None otherwise).

    With ``trimmed``, also None unless every string begins and ends with a byte that no strip
    would remove (so the strings need no stripping and none is blank).
    """
    chunks = arrow.chunks if isinstance(arrow, pa.ChunkedArray) else [arrow]
    if not (pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type)) or arrow.null_count:
        return None
    out = np.zeros(len(arrow), dtype=np.uint64)
    width, at = None, 0
    for chunk in chunks:
        n = len(chunk)
        if not n:
            continue
        offset_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(chunk.buffers()[1], dtype=offset_type)[chunk.offset : chunk.offset + n + 1]
        start = int(offsets[0])
        width = int(offsets[1]) - start if width is None else width
        if width == 0 or int(offsets[-1]) - start != width * n or (np.diff(offsets) != width).any():
            return None
        data, h = chunk.buffers()[2], out[at : at + n]
        if trimmed:
            for edge in (start, start + width - 1):
                if _EDGE[np.ndarray((n,), dtype=np.uint8, buffer=data, offset=edge, strides=(width,))].any():
                    return None
        # Row i's bytes start at start + i * width: read them in place, 8 bytes then 1 at a time.
        whole = width - width % 8
        for j in [*range(0, whole, 8), *range(whole, width)]:
            kind = np.uint64 if j < whole else np.uint8
            h ^= np.ndarray((n,), dtype=kind, buffer=data, offset=start + j, strides=(width,))
            h *= _MIX
            h ^= h >> np.uint64(29)
        at += n
    return out


def hashable(values: pd.Series) -> pd.Series:
    """Values with JSON lists and objects replaced by their text, so they can be grouped and compared."""
    values = pd.Series(values)
    if values.dtype != object:
        return values
    nested = values.map(lambda v: isinstance(v, (list, dict, set))).to_numpy(dtype=bool)
    if not nested.any():
        return values
    out = values.copy()
    out[nested] = values[nested].map(_short_text)
    return out


def _short_text(value: Any) -> str:
    from ..errors import _shown

    return _shown(value, limit=200)


def whole_numbers(values: Any) -> pd.Series:
    """Integers as ``Int64``: NA where a value is missing, not a whole number, or beyond int64."""
    numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
    floats = pd.Series(
        pd.array(numbers, dtype="Float64").to_numpy("float64", na_value=np.nan)
        if len(numbers)
        else np.array([], dtype="float64"),
        index=numbers.index,
    )
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(floats) & (floats == np.floor(floats)) & (floats.abs() < 2**63 - 1024)
    return floats.where(whole).astype("Int64")


def list_field(
    value: Any, *, file: str | None, record: str | int, field: str, expected: str = "a list"
) -> list:
    """A JSON field that must be a list: ``[]`` for null, the list itself, else an :class:`InputError`."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    raise InputError(
        f"{field} is not a list", file=file, record=record, field=field, found=value, expected=expected
    )


def require_columns(available, wanted: Mapping[str, str], *, file: str | None, what: str) -> None:
    """Raise an :class:`InputError` naming the first wanted export column that is absent."""
    have = list(available)
    for canonical, name in wanted.items():
        if name not in have:
            shown = ", ".join(map(str, have[:30])) + (" ..." if len(have) > 30 else "")
            raise InputError(
                f"the {what} has no column {name!r} (for {canonical})",
                file=file,
                field=name,
                expected=f"one of the columns present: {shown}",
            )
