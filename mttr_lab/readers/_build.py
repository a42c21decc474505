"""What every reader shares: building the canonical ``incidents`` frame from raw fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import INCIDENT_COLUMNS, MILESTONES, TIMESTAMP_DTYPE, InputError, normalise_severity
from ..timeparse import collect_remarks, parse_timestamps, time_remarks, time_remarks_active

__all__ = [
    "DUPLICATE_REASON",
    "build_incidents",
    "hashable",
    "list_field",
    "mark_duplicates",
    "timestamp_notes",
    "whole_numbers",
]

DUPLICATE_REASON = "duplicate id: a later version of this incident is kept"

#: Timestamps before this are implausible for an incident export (epoch mix-ups land in 1970).
EARLIEST_PLAUSIBLE = pd.Timestamp("1990-01-01", tz="UTC")
#: A cluster of timestamps this far after the rest of the data is implausible.
FUTURE_GAP = pd.Timedelta(days=365)


def _as_series(values: Any, index: pd.RangeIndex) -> pd.Series:
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    if np.ndim(values) == 0:
        return pd.Series([values] * len(index), index=index)
    return pd.Series(values, index=index)


def _text(values: pd.Series) -> pd.Series:
    """Stripped text, NA where missing or blank; shares the input's memory where nothing changes."""
    out = values.astype("str")
    stripped = out.str.strip()
    if not stripped.str.len().ne(out.str.len()).any():
        stripped = out  # nothing to strip: keep the original buffers rather than a copy
    blank = values.isna() | stripped.eq("")
    return stripped.where(~blank) if blank.any() else stripped


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

    out: dict[str, pd.Series] = {}
    for name in ("incident_id", "title", "service", "team"):
        raw = fields.get(name)
        out[name] = (
            _text(_as_series(raw, index)) if raw is not None else pd.Series(pd.NA, index=index, dtype="str")
        )
    raw_sev = fields.get("severity")
    sev_raw = (
        _text(_as_series(raw_sev, index))
        if raw_sev is not None
        else pd.Series(pd.NA, index=index, dtype="str")
    )
    mapping = {**(default_severity_map or {}), **(severity_map or {})}
    out["severity"] = normalise_severity(sev_raw, mapping)
    out["severity_raw"] = sev_raw
    out["source"] = pd.Series(source, index=index, dtype="str")
    with collect_remarks():
        for name in MILESTONES:
            raw = fields.get(name)
            if raw is None:
                out[name] = pd.Series(pd.NaT, index=index, dtype=TIMESTAMP_DTYPE)
                continue
            out[name] = parse_timestamps(
                _as_series(raw, index),
                tz=tz,
                dayfirst=dayfirst,
                unit=epoch_unit,
                file=file,
                field=labels.get(name, name),
                records=record_names,
            )
        notes = timestamp_notes(pd.DataFrame({m: out[m] for m in MILESTONES}, index=index))
    out["record"] = record_no
    reason = (
        _text(_as_series(exclude_reason, index))
        if exclude_reason is not None
        else pd.Series(pd.NA, index=index, dtype="str")
    )
    reason = reason.where(reason.notna() | out["incident_id"].notna(), "no incident id")
    out["exclude_reason"] = reason
    frame = pd.DataFrame(out, index=index)
    frame = frame[list(INCIDENT_COLUMNS)]
    extra = dict(extra or {})
    keep_note = "note" in extra
    if keep_note:
        notes = _join_notes(_text(_as_series(extra.pop("note"), index)), notes)
    for name, values in extra.items():
        if name in INCIDENT_COLUMNS:
            raise ValueError(f"build_incidents: extra column {name!r} would overwrite a canonical column")
        frame[name] = _as_series(values, index)
    if keep_note or notes.notna().any():
        frame["note"] = notes
    return mark_duplicates(frame, version=None if version is None else _as_series(version, index))


_DAY_US = 86_400_000_000


def _future_cut(stamps: pd.DataFrame, columns: list[str]) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Where a minority of timestamps begins more than a year after all earlier ones (day resolution).

    Returns the first implausible instant and the last plausible day, or None. Works on the
    distinct days of each column, so it needs no copy of all the timestamps at once.
    """
    days: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    for name in columns:
        values = stamps[name].dropna()
        if values.empty:
            continue
        micro = values.dt.tz_localize(None).to_numpy().astype("datetime64[us]").view(np.int64)
        whole = np.floor_divide(micro, _DAY_US)
        low, span = int(whole.min()), int(whole.max() - whole.min())
        if span < 10_000_000:  # count per day in one linear pass (no sort)
            tally = np.bincount(whole - low)
            day = np.flatnonzero(tally) + low
            count = tally[tally > 0]
        else:
            day, count = np.unique(whole, return_counts=True)
        days.append(day)
        counts.append(count)
    if not days:
        return None
    day, where = np.unique(np.concatenate(days), return_inverse=True)
    count = np.bincount(where, weights=np.concatenate(counts))
    jumps = np.flatnonzero(np.diff(day) > FUTURE_GAP.days)
    if not len(jumps):
        return None
    first = jumps[-1] + 1
    later = count[first:].sum()
    if later >= count[:first].sum():
        return None
    start = pd.Timestamp(int(day[first]) * _DAY_US, unit="us", tz="UTC")
    return start, pd.Timestamp(int(day[first - 1]) * _DAY_US, unit="us")


def _join_notes(first: pd.Series, second: pd.Series) -> pd.Series:
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
    notes = pd.Series(pd.NA, index=stamps.index, dtype="str")
    columns = [c for c in MILESTONES if c in stamps.columns]
    if not columns or stamps.empty:
        return notes
    cut = _future_cut(stamps, columns)
    remarks = time_remarks_active()
    for name in columns:
        values = stamps[name]
        remark = time_remarks(values) if remarks else None
        early = values < EARLIEST_PLAUSIBLE
        late = values >= cut[0] if cut is not None else None
        noted = remark is not None and remark.notna().any()
        if not (noted or early.any() or (late is not None and late.any())):
            continue
        shown = values.dt.strftime("%Y-%m-%d %H:%M")
        if noted:
            notes = _join_notes(notes, (name + " " + remark).where(remark.notna()))
        if early.any():
            text = name + " " + shown + " UTC is before 1990: implausible for an incident; kept as recorded"
            notes = _join_notes(notes, text.where(early))
        if late is not None and late.any():
            text = (
                name
                + " "
                + shown
                + f" UTC is more than a year after the rest of the data (which ends {cut[1]:%Y-%m-%d}): "
                + "implausible; kept as recorded"
            )
            notes = _join_notes(notes, text.where(late))
    return notes


def mark_duplicates(incidents: pd.DataFrame, *, version: pd.Series | None = None) -> pd.DataFrame:
    """Mark every version of a repeated ``incident_id`` but the latest as excluded.

    The latest is the highest ``version`` (for example an ``updated_at``), ties and a missing
    ``version`` going to the record read last. Rows already excluded are left as they are.

    Returns
    -------
    DataFrame
        ``incidents`` with ``exclude_reason`` filled for the superseded versions.
    """
    live = incidents["exclude_reason"].isna() & incidents["incident_id"].notna()
    ids = incidents["incident_id"]
    if not _has_duplicates(ids.dropna()):
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


def _has_duplicates(ids: pd.Series) -> bool:
    """Whether any value repeats: one hash pass (pyarrow's count_distinct where the data is Arrow)."""
    try:
        # The chunked Arrow data as it is: pa.array() would first copy it into one chunk.
        arrow = ids.array.__arrow_array__() if hasattr(ids.array, "__arrow_array__") else pa.array(ids)
        return pc.count_distinct(arrow, mode="all").as_py() != len(ids)
    except (pa.ArrowException, TypeError, ValueError):
        return bool(ids.duplicated().any())


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
    from ..schema import _shown

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
