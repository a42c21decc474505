"""Statuspage JSON Lines of plain incident records, read by Arrow (the fast path for large
archives): the same per-incident and per-update tables as :mod:`._statuspage_json` gives.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from ._files import Sample
from ._statuspage_json import COLUMNS, SCALARS, UPDATE_TIME_FIELDS

__all__ = ["NotForArrow", "tables_from_arrow"]


class NotForArrow(Exception):
    """The file needs the general json path (or its precise error messages)."""


def _arrow_schema(components_as_names: bool) -> pa.Schema:
    s = pa.string()
    update = pa.list_(pa.struct([("status", s), ("created_at", s), ("display_at", s), ("at", s)]))
    component = s if components_as_names else pa.struct([("name", s)])
    return pa.schema(
        [
            *[(name, s) for name in SCALARS],
            ("status_sequence", pa.list_(s)),
            ("incident_updates", update),
            ("updates", update),
            ("components", pa.list_(component)),
            ("impact_window", pa.struct([("start_at", s), ("end_at", s)])),
            ("page", pa.struct([("time_zone", s)])),
        ]
    )


def _components_are_names(sample: Sample) -> bool:
    for line in sample.head.splitlines()[:-1]:  # the last line of the head may be cut
        try:
            doc = json.loads(line)
        except (ValueError, RecursionError):
            continue
        comps = doc.get("components") if isinstance(doc, dict) else None
        if isinstance(comps, list) and comps:
            return isinstance(comps[0], str)
    return False


def _flat(column: pa.ChunkedArray) -> tuple[np.ndarray, pa.Array]:
    """Parent positions and values of a list column."""
    arr = column.combine_chunks()
    return pc.list_parent_indices(arr).to_numpy(), pc.list_flatten(arr)


def tables_from_arrow(path: Path, sample: Sample, *, update_time: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The per-incident and per-update tables of a JSON Lines file of incidents, read by Arrow.

    Raises ``NotForArrow`` for anything but plain incident lines of the expected types.
    """
    options = pa_json.ParseOptions(
        explicit_schema=_arrow_schema(_components_are_names(sample)), unexpected_field_behavior="ignore"
    )
    try:
        with pa.input_stream(str(path), compression="detect") as stream:
            table = pa_json.read_json(stream, parse_options=options)
        table.validate(full=True)  # Arrow's JSON reader lets text that is not UTF-8 through
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise NotForArrow from exc
    if table.column("page").null_count != table.num_rows:
        raise NotForArrow
    n = table.num_rows

    def text(name: str) -> pd.Series:
        return table.column(name).to_pandas()

    out = {name: text(name) for name in ("id", "impact", "created_at", "started_at", "monitoring_at")}
    out["title"] = pc.coalesce(table.column("name"), table.column("title")).to_pandas()
    status = text("status")
    seq_pos, seq = _flat(table.column("status_sequence"))
    if len(seq):
        last = pd.Series(seq.to_pandas().to_numpy(), index=seq_pos).groupby(level=0).last()
        status = status.fillna(last.reindex(pd.RangeIndex(n)).astype(object))
    out["status"] = status
    for name in ("resolved_at", "updated_at", "scheduled_for"):
        out[name] = text(name)
    out["url"] = pc.coalesce(table.column("shortlink"), table.column("url")).to_pandas()

    comp_pos, comps = _flat(table.column("components"))
    if pa.types.is_struct(comps.type):
        comps = pc.struct_field(comps, "name")
    names = pd.Series(comps.to_pandas().to_numpy(), index=comp_pos, dtype=object).str.strip()
    names = names[names.notna() & (names != "")]
    grouped = names.groupby(level=0, sort=True)
    sizes = grouped.size()
    first = grouped.first()
    joined = first.copy()
    multi = sizes.index[sizes > 1]
    if len(multi):
        joined.loc[multi] = names.loc[multi].groupby(level=0).agg(", ".join)
    out["service"] = first.reindex(pd.RangeIndex(n)).astype(object)
    out["components"] = joined.reindex(pd.RangeIndex(n)).astype(object)
    window = table.column("impact_window").combine_chunks()
    out["impact_start"] = pc.struct_field(window, "start_at").to_pandas()
    out["impact_end"] = pc.struct_field(window, "end_at").to_pandas()
    incidents = pd.DataFrame({k: out[k].reset_index(drop=True) for k in COLUMNS})

    # A record's ``incident_updates`` win over its ``updates`` (as in the json path).
    has_api_updates = table.column("incident_updates").is_valid().to_numpy(zero_copy_only=False)
    parts = []
    for name in ("incident_updates", "updates"):
        pos, values = _flat(table.column(name))
        if name == "updates" and len(values):
            keep = ~has_api_updates[pos]
            pos, values = pos[keep], values.filter(pa.array(keep))
        if not len(values):
            continue
        times = [pc.struct_field(values, key) for key in UPDATE_TIME_FIELDS[update_time]]
        parts.append(
            pd.DataFrame(
                {
                    "pos": pos.astype(np.int64),
                    "status": pc.struct_field(values, "status").to_pandas(),
                    "time": pc.coalesce(*times).to_pandas(),
                }
            )
        )
    if parts:
        updates = pd.concat(parts, ignore_index=True)
        updates = updates.sort_values("pos", kind="stable", ignore_index=True)
    else:
        updates = pd.DataFrame(
            {
                "pos": np.array([], dtype=np.int64),
                "status": pd.Series([], dtype=object),
                "time": pd.Series([], dtype=object),
            }
        )
    updates.insert(1, "no", updates.groupby("pos").cumcount().to_numpy(dtype=np.int64) + 1)
    return incidents, updates
