"""What every reader shares: building the canonical ``incidents`` frame from raw fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..schema import INCIDENT_COLUMNS, MILESTONES, TIMESTAMP_DTYPE, InputError, normalise_severity
from ..timeparse import parse_timestamps

__all__ = ["DUPLICATE_REASON", "build_incidents", "mark_duplicates"]

DUPLICATE_REASON = "duplicate id: a later version of this incident is kept"


def _as_series(values: Any, index: pd.RangeIndex) -> pd.Series:
    if isinstance(values, pd.Series):
        return values.reset_index(drop=True)
    if np.ndim(values) == 0:
        return pd.Series([values] * len(index), index=index)
    return pd.Series(values, index=index)


def _text(values: pd.Series) -> pd.Series:
    out = values.astype("str")
    out = out.str.strip()
    return out.where(values.notna() & (out != ""))


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
        Further columns appended after the canonical ones.

    Returns
    -------
    DataFrame
        The canonical columns of ``mttr_lab.INCIDENT_COLUMNS`` then ``extra``.
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
    for name, values in (extra or {}).items():
        if name in INCIDENT_COLUMNS:
            raise ValueError(f"build_incidents: extra column {name!r} would overwrite a canonical column")
        frame[name] = _as_series(values, index)
    return mark_duplicates(frame, version=None if version is None else _as_series(version, index))


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
        return pc.count_distinct(pa.array(ids), mode="all").as_py() != len(ids)
    except (pa.ArrowException, TypeError, ValueError):
        return bool(ids.duplicated().any())


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
