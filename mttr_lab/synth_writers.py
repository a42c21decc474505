"""Synthetic incidents and timelines written as files: a FireHydrant export or canonical CSV,
and a generic event log. The same frame gives the same bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .readers.firehydrant import MILESTONE_MAP

__all__ = ["write_export", "write_timeline"]

#: FireHydrant's milestone types, by the canonical milestone they record (the reader's map, turned round).
_FH_STONES = {milestone: slug for slug, milestone in MILESTONE_MAP.items()}


def _iso(value: pd.Timestamp) -> str | None:
    if pd.isna(value):
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _firehydrant_record(row: pd.Series) -> dict:
    stones = [
        {"type": slug, "occurred_at": _iso(row[col])}
        for col, slug in _FH_STONES.items()
        if pd.notna(row[col])
    ]
    current = stones[-1]["type"] if stones else "started"
    return {
        "id": row["incident_id"],
        "number": int(row["number"]),
        "name": row["title"],
        "severity": row["severity"],
        "current_milestone": current,
        "created_at": _iso(row["detected_at"]),
        "started_at": _iso(row["started_at"]) if pd.notna(row["started_at"]) else _iso(row["detected_at"]),
        "updated_at": _iso(row["updated_at"]),
        "milestones": stones,
        "impacts": [{"type": "service", "impact": {"name": row["service"]}}],
        "teams": [{"name": row["team"]}],
        "tag_list": [row["tags"]] if isinstance(row["tags"], str) else [],
    }


def write_export(incidents: pd.DataFrame, path: str | Path, *, shape: str = "firehydrant") -> Path:
    """Write synthetic incidents as a vendor export.

    Parameters
    ----------
    incidents : DataFrame
        The output of :func:`synth_incidents`.
    path : path
        Where to write.
    shape : {"firehydrant", "csv"}
        ``"firehydrant"``: a FireHydrant ``/v1/incidents`` page (JSON). ``"csv"``: one row per
        incident with the canonical column names (ISO 8601 UTC timestamps).

    Returns
    -------
    Path
        The file written.
    """
    path = Path(path)
    if shape == "firehydrant":
        data = [_firehydrant_record(row) for _, row in incidents.iterrows()]
        doc = {
            "data": data,
            "pagination": {
                "count": len(data),
                "page": 1,
                "items": len(data),
                "pages": 1,
                "last": 1,
                "prev": None,
                "next": None,
            },
        }
        path.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    elif shape == "csv":
        out = incidents.copy()
        for col in _FH_STONES:
            out[col] = out[col].dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")
        out = out.drop(columns=["updated_at"])
        out.to_csv(path, index=False, lineterminator="\n")
    else:
        raise ValueError(f"shape must be 'firehydrant' or 'csv', not {shape!r}")
    return path


def write_timeline(timeline: pd.DataFrame, path: str | Path) -> Path:
    """Write a timeline as a generic event log (canonical column names, ISO 8601 UTC times).

    ``read_timeline(path)`` reads it back. A ``.gz`` name is compressed (without a timestamp
    in the header, so the same timeline gives the same bytes).
    """
    path = Path(path)
    out = timeline.drop(columns=[c for c in ("record", "note", "file") if c in timeline.columns]).copy()
    out["at"] = out["at"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    text = out.to_csv(index=False, lineterminator="\n")
    if path.name.endswith(".gz"):
        import gzip

        with open(path, "wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as fh:
            fh.write(text.encode("utf-8"))
    else:
        path.write_text(text, encoding="utf-8")
    return path
