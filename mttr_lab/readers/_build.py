"""What every reader shares: building the canonical ``incidents`` frame from raw fields."""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from ..cells import SMALL
from ..schema import (
    INCIDENT_COLUMNS,
    MILESTONES,
    TIMESTAMP_DTYPE,
    InputError,
    normalise_severity,
    severity_of_codes,
)
from ..timeparse import collect_remarks, parse_timestamps
from ._arrow_text import clean_text, fixed_width_hashes, has_duplicates, missing_text, repeated_text
from ._notes import day_counts, doubtful_notes, join_notes, timestamp_notes

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
#: Exports of fewer records are built in the calling thread: for them, starting the threads and
#: handing the work between them costs more than it saves (read_export, best of 7 to 11: 4
#: records 18.4 -> 15.9 ms, 20k 18.7 -> 15.6, 50k 28.6 -> 26.2; at 100k the two are even, 47 and
#: 48 ms; from there on the threads win: 250k 102 -> 95 ms, 1M 463 -> 436 ms).
_THREADS_FROM = 75_000

#: Arrow tables from this size on give their parse's freed memory back to the system once
#: converted (at 1M incidents, the peak of read + phases falls by about a quarter); smaller ones
#: keep it for the next read, which then needs no fresh pages.
RELEASE_BYTES = 64 * 2**20


def arrow_to_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as an ordinary, editable pandas frame, its Arrow memory freed as it goes.

    Arrow hands pandas a column of numbers or times that sits in one chunk without nulls as a
    read-only view of its own buffer, which ``.loc`` assignment then fails on. Those columns
    alone are copied, one at a time (a column in several chunks, or with nulls, is copied by the
    conversion anyway; a table of at most :data:`SMALL` rows is copied whole, at once); text
    stays in Arrow memory, which pandas' string dtype never writes to.
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
    few = table.num_rows <= SMALL
    frame = table.to_pandas(self_destruct=True, split_blocks=True)
    del table
    if few and shared:  # a few rows: every column copied at once costs less than one at a time
        frame = frame.copy()
    else:
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
        if isinstance(values.index, pd.RangeIndex) and values.index.equals(index):
            return values  # already indexed 0..n-1 (copy-on-write keeps the caller's apart)
        return values.reset_index(drop=True)
    if np.ndim(values) == 0:
        return pd.Series([values] * len(index), index=index)
    return pd.Series(values, index=index)


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
    lengths = {len(v) for v in fields.values() if np.ndim(v) > 0}
    n = lengths.pop() if lengths else 0
    if lengths:
        raise ValueError("build_incidents: fields of unequal length")
    index = pd.RangeIndex(n)
    if records is None:
        record_no = pd.Series(np.arange(1, n + 1, dtype=np.int64), index=index)
    else:
        record_no = _as_series(records, index).astype("int64")
    columns = _Columns(
        fields,
        index=index,
        file=file,
        labels=dict(labels or {}),
        parse={"tz": tz, "dayfirst": dayfirst, "unit": epoch_unit},
        record_names=lambda position: f"{record_label} {record_no.iloc[position]}",
        severities={**(default_severity_map or {}), **(severity_map or {})},
    )
    out, repeated, notes = columns.canonical(source, exclude_reason)
    out["record"] = record_no
    extra = dict(extra or {})
    if "note" in extra:
        notes = join_notes(columns.text(extra.pop("note")), notes)
    clash = next((name for name in extra if name in INCIDENT_COLUMNS), None)
    if clash is not None:
        raise ValueError(f"build_incidents: extra column {clash!r} would overwrite a canonical column")
    frame_columns = {name: out[name] for name in INCIDENT_COLUMNS}
    frame_columns.update((name, names_of(_as_series(values, index))) for name, values in extra.items())
    if notes is not None:
        frame_columns["note"] = notes
    frame = pd.DataFrame(frame_columns, index=index, copy=False)
    return mark_duplicates(
        frame, version=None if version is None else _as_series(version, index), repeated=repeated
    )


class _Columns:
    """The raw fields of one export, cleaned and parsed column by column."""

    def __init__(
        self,
        fields: Mapping[str, Any],
        *,
        index: pd.RangeIndex,
        file: str | None,
        labels: dict[str, str],
        parse: dict[str, Any],
        record_names: Any,
        severities: Mapping[str, str],
    ) -> None:
        self.fields, self.index, self.file, self.labels = fields, index, file, labels
        self.parse, self.record_names, self.severities = parse, record_names, severities

    @functools.cached_property
    def _no_text(self) -> pd.Series:
        return missing_text(self.index)

    @functools.cached_property
    def _no_times(self) -> pd.Series:
        return pd.Series(pd.NaT, index=self.index, dtype=TIMESTAMP_DTYPE)

    def text(self, raw: Any) -> pd.Series:
        if raw is None:  # a copy of one empty column: cheaper than building each anew
            return self._no_text.copy()
        return clean_text(names_of(_as_series(raw, self.index)))

    def timestamps(self, name: str) -> tuple[pd.Series, tuple[np.ndarray, np.ndarray]]:
        raw = self.fields.get(name)
        if raw is None:
            parsed = self._no_times.copy()
        else:
            parsed = parse_timestamps(
                _as_series(raw, self.index),
                **self.parse,
                file=self.file,
                field=self.labels.get(name, name),
                records=self.record_names,
            )
        return parsed, day_counts(parsed)

    def severity(self, raw: Any) -> tuple[pd.Series, pd.Series]:
        index, mapping = self.index, self.severities
        if raw is None:  # no labels: what normalise_severity makes of an empty column
            return self.text(raw), severity_of_codes(
                np.full(len(index), -1, dtype=np.intp), [], mapping, index=index
            )
        values = names_of(_as_series(raw, index))
        if values.dtype != "str" or len(values) <= SMALL:
            labels = self.text(raw)
            return labels, normalise_severity(labels, mapping)
        # A handful of labels: clean the distinct ones, not every row.
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        distinct = pd.Series(uniques, dtype="str")
        cleaned = clean_text(distinct)
        if not cleaned.equals(distinct):
            labels = _as_series(cleaned.take(np.maximum(codes, 0)).where(codes >= 0), index)
            codes, uniques = pd.factorize(labels, use_na_sentinel=True)
            values = labels
        return values, severity_of_codes(codes, uniques, mapping, index=index)

    def identifiers(self, raw: Any) -> tuple[pd.Series, bool]:
        values = _as_series(raw, self.index) if raw is not None else None
        if (
            values is not None
            and len(values) > SMALL
            and values.dtype == "str"
            and hasattr(values.array, "__arrow_array__")
        ):
            words = fixed_width_hashes(values.array.__arrow_array__(), trimmed=True)
            if words is not None:  # ids of one width with nothing to strip: the text as it is
                return values, has_duplicates(values, words=words)
        ids = self.text(raw)
        return ids, has_duplicates(ids)

    def canonical(
        self, source: str, exclude_reason: Any
    ) -> tuple[dict[str, pd.Series], bool, pd.Series | None]:
        """The canonical columns but ``record``, whether any id repeats, and the timestamp notes."""
        fields, index, text = self.fields, self.index, self.text
        out: dict[str, pd.Series] = {}
        # Columns are cleaned and parsed side by side: the pandas, pyarrow and numpy work releases
        # the GIL. Results are taken in column order, so the first bad column is the one reported.
        threads = _THREADS if len(index) >= _THREADS_FROM else 0
        with collect_remarks(), ThreadPoolExecutor(max_workers=threads) if threads else _Here() as pool:

            def later(fn: Any, *args: Any) -> Future:
                task = contextvars.copy_context().run, fn, *args
                try:
                    return pool.submit(*task)
                except RuntimeError:  # a pool takes no work once the main thread has finished
                    return _Here().submit(*task)

            ids = later(self.identifiers, fields.get("incident_id"))
            texts = {name: later(text, fields.get(name)) for name in ("title", "service", "team")}
            severity = later(self.severity, fields.get("severity"))
            stamps = {name: later(self.timestamps, name) for name in MILESTONES}
            out["incident_id"], repeated = ids.result()
            for name in ("title", "service", "team"):
                out[name] = texts[name].result()
            out["detection_channel"] = text(fields.get("detection_channel"))
            out["severity_raw"], out["severity"] = severity.result()
            out["source"] = repeated_text(source, index)
            reason = text(exclude_reason)
            if _has_missing(out["incident_id"]):
                reason = reason.where(reason.notna() | out["incident_id"].notna(), "no incident id")
            out["exclude_reason"] = reason
            counts = {}
            for name in MILESTONES:
                out[name], counts[name] = stamps[name].result()
            notes = doubtful_notes({m: out[m] for m in MILESTONES}, counts)
        return out, repeated, notes


def _has_missing(values: pd.Series) -> bool:
    """Whether a column holds a missing value (for Arrow text: its null count, no pass)."""
    if hasattr(values.array, "__arrow_array__"):
        return values.array.__arrow_array__().null_count > 0
    return values.hasnans


class _Here:
    """A stand-in for a thread pool that runs each task at once, in the calling thread."""

    def __enter__(self) -> _Here:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, fn: Any, *args: Any) -> Future:
        done: Future = Future()
        try:
            done.set_result(fn(*args))
        except Exception as exc:  # raised where the result is taken, as from a thread
            done.set_exception(exc)
        return done


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
    if repeated is False:
        return incidents
    ids = incidents["incident_id"]
    if not (has_duplicates(ids) if repeated is None else repeated):
        return incidents
    live = (incidents["exclude_reason"].isna() & ids.notna()).to_numpy()
    order = np.arange(len(incidents)) if version is None else _version_order(version)
    codes = pd.factorize(ids)[0][order]  # each row's id, -1 where missing, in version order
    known = np.flatnonzero(codes >= 0)
    latest = np.full(len(incidents), -1, dtype=np.int64)
    np.maximum.at(latest, codes[known], known)
    # A version is superseded by any later one, even an excluded one (a canceled latest version
    # leaves no earlier version counted as an incident).
    superseded = np.zeros(len(incidents), dtype=bool)
    superseded[order[known]] = latest[codes[known]] != known
    out = incidents.copy(deep=False)  # copy-on-write: the new column alone is new
    out["exclude_reason"] = out["exclude_reason"].mask(superseded & live, DUPLICATE_REASON)
    return out


def _version_order(version: pd.Series) -> np.ndarray:
    """Row positions by ``version``, ties in row order: what sorting a frame by version, then
    position (missing versions first) gives."""
    if isinstance(version.array, pd.arrays.DatetimeArray):
        key = version.array.asi8  # NaT is the smallest int64: first
    elif isinstance(version.dtype, np.dtype) and version.dtype.kind in "biuf":
        key = version.to_numpy()
        if version.dtype.kind == "f":  # NaN first, as pandas' sort places it: beside -inf
            key = np.where(np.isnan(key), -np.inf, key)
    else:
        order = pd.DataFrame({"version": version.to_numpy(), "pos": np.arange(len(version))})
        return order.sort_values(["version", "pos"], na_position="first", kind="stable")["pos"].to_numpy()
    return np.argsort(key, kind="stable")


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
    if isinstance(numbers.dtype, np.dtype) and numbers.dtype.kind in "if":
        floats = numbers.to_numpy(dtype="float64")  # what the round trip through Float64 gives
    elif len(numbers):
        floats = pd.array(numbers, dtype="Float64").to_numpy("float64", na_value=np.nan)
    else:
        floats = np.array([], dtype="float64")
    with np.errstate(invalid="ignore"):
        whole = np.isfinite(floats) & (floats == np.floor(floats)) & (np.abs(floats) < 2**63 - 1024)
    integers = pd.arrays.IntegerArray(np.where(whole, floats, 0).astype(np.int64), ~whole)
    return pd.Series(integers, index=numbers.index, copy=False)


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
