"""Google Cloud status ``incidents.json`` (https://status.cloud.google.com/incidents.json).

The export is a bare JSON array of incidents (JSON Lines of the same objects also read).

Milestones:

- ``started_at`` <- ``begin`` (impact start);
- ``detected_at`` <- ``created`` (the first public post);
- ``resolved_at`` <- ``end`` (absent or empty while the incident is open).

``acknowledged_at``, ``diagnosed_at`` and ``recovered_at`` are not in the data. The first
update whose ``status`` is ``AVAILABLE`` is kept in the extra column ``available_at`` but not
used as the recovery: it is when recovery was *announced*, which in Google's own feed falls
after ``end`` (the impact end) in about half of the incidents (82 of 155 in the 2022 snapshot,
by up to three days), so it would make recovery later than resolution.

``severity`` is ``high``/``medium``/``low``; ``service`` is ``service_name`` (Google writes
"Multiple Products" when several are affected), else the first ``affected_products`` title;
all product titles are joined in the extra column ``products``. Repeated ids keep the
version with the latest ``modified``. No record is excluded by the reader: the feed holds
incidents only.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from ..timeparse import parse_timestamps
from ._arrow_text import as_text, text_cells
from ._files import Sample
from ._json_docs import load_json_records, require_objects
from ._plumbing import (
    NameList,
    Reading,
    UpdateList,
    collect_updates,
    listed_names,
    stripped_text,
    update_times,
)

__all__ = ["SEVERITY_MAP", "SOURCE", "read", "sniff"]

SOURCE = "gcp_status"
#: What this export is, and the fields that only it has (said when another reader gets it).
SIGNATURE = ("a Google Cloud status export", "incidents with begin and external_desc or status_impact")

#: Google Cloud ``severity`` -> normalised severity.
SEVERITY_MAP: dict[str, str] = {"high": "high", "medium": "medium", "low": "low"}

#: Canonical field -> the Google Cloud field it is read from (``service`` falls back on the
#: first affected product).
_LABELS = {
    "incident_id": "id",
    "title": "external_desc",
    "service": "service_name",
    "severity": "severity",
    "started_at": "begin",
    "detected_at": "created",
    "resolved_at": "end",
}
#: Incident fields read as they are.
_SCALARS = (*_LABELS.values(), "status_impact", "modified")
_UPDATES = UpdateList("updates is not a list", "an object with when and status", ("when", "created"))
_PRODUCTS = NameList("affected_products", "title", "a list of {title, id} objects")


def sniff(sample: Sample) -> str | None:
    """Recognise Google Cloud status incidents (``begin`` with ``external_desc``/``status_impact``).

    Returns
    -------
    str or None
        Why the file looks like a Google Cloud status export, or None.
    """
    if sample.kind == "csv":
        return None
    doc = sample.json()
    first = doc[0] if isinstance(doc, list) and doc else doc
    if not isinstance(first, dict) or "begin" not in first:
        return None
    if "external_desc" in first or "status_impact" in first or "service_key" in first:
        return "Google Cloud status incidents (begin, external_desc, status_impact)"
    return None


def read(
    path: str | Path,
    *,
    tz: str | None = None,
    dayfirst: bool | None = None,
    severity_map: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read a Google Cloud status ``incidents.json`` into the canonical ``incidents`` frame.

    Parameters
    ----------
    path : path
        The JSON array (or JSON Lines), optionally ``.gz``.
    tz : str, optional
        Zone of timestamps without an offset (Google writes ``+00:00``, so none is needed).
    dayfirst : bool, optional
        Passed to the timestamp parser.
    severity_map : mapping, optional
        ``severity`` label -> normalised severity, overriding high/medium/low.

    Returns
    -------
    DataFrame
        The canonical ``incidents`` columns, then ``status_impact`` (SERVICE_INFORMATION,
        SERVICE_DISRUPTION or SERVICE_OUTAGE), ``products`` (affected product titles joined
        with ", "), ``available_at`` (UTC time of the first ``AVAILABLE`` update) and ``uri``.
    """
    path = Path(path)
    file = str(path)
    records = load_json_records(path, keys=("incidents",))
    require_objects(records, file=file, expected="one object per incident")
    frame, updates = _tables(records, file=file)
    ids = frame["id"].to_numpy()

    def name(p: int) -> str:
        return f"record {p + 1} (id {ids[p]})"

    pos, no = updates["pos"].to_numpy(), updates["no"].to_numpy()
    when = update_times(
        updates["when"], pos, no, ids, tz=tz, dayfirst=dayfirst, file=file, field="updates[].when"
    )
    available = (text_cells(updates["status"]) == "AVAILABLE") & when.notna().to_numpy()
    available_at = _earliest(when, pos, available, len(records))
    named = stripped_text(frame["service_name"]).notna()  # a name that is not blank
    service = frame["service_name"]
    if not named.all():
        service = service.where(named, frame["first_product"])
    has_duplicates = frame["id"].dropna().astype("str").duplicated().any()
    version = (
        parse_timestamps(
            frame["modified"], tz=tz, dayfirst=dayfirst, file=file, field="modified", records=name
        )
        if has_duplicates
        else None
    )
    fields = {canonical: frame[field] for canonical, field in _LABELS.items()}
    fields["service"] = service
    extra = {
        "status_impact": as_text(frame["status_impact"]),
        "products": as_text(frame["products"]),
        "available_at": available_at,
        "uri": as_text(frame["uri"]),
    }
    reading = Reading(
        SOURCE, file, tz=tz, dayfirst=dayfirst, severity_map=severity_map, default_severity_map=SEVERITY_MAP
    )
    return reading.incidents(fields, labels=_LABELS, version=version, extra=extra)


def _earliest(when: pd.Series, pos: np.ndarray, hit: np.ndarray, n: int) -> pd.Series:
    """The earliest ``when`` of each incident position (0..n-1) among the updates ``hit``
    selects, NaT where it has none (what a group-by minimum over ``pos`` gives)."""
    rows = np.flatnonzero(hit)
    rows = rows[np.lexsort((when.array.asi8[rows], pos[rows]))]  # by position, then time
    positions, first = np.unique(pos[rows], return_index=True)
    earliest = np.full(n, -1, dtype=np.int64)
    earliest[positions] = rows[first]
    return pd.Series(when.array.take(earliest, allow_fill=True), index=pd.RangeIndex(n), name="when")


def _tables(records: list[dict], *, file: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per incident (its fields and products), one per update (``pos``, ``no``,
    ``status``, ``when`` as written)."""
    cols: dict[str, list] = {k: [] for k in (*_SCALARS, "first_product", "products", "uri")}
    upd: dict[str, list] = {k: [] for k in ("pos", "no", "status", "time")}
    for pos, rec in enumerate(records):
        where = f"record {pos + 1} (id {rec.get('id')})"
        for key in _SCALARS:
            cols[key].append(rec.get(key))
        titles = listed_names(rec.get("affected_products"), _PRODUCTS, file=file, record=where)
        cols["first_product"].append(titles[0] if titles else None)
        cols["products"].append(", ".join(titles) if titles else None)
        cols["uri"].append(rec.get("uri"))
        collect_updates(upd, rec.get("updates") or [], pos, _UPDATES, field="updates", where=where, file=file)
    frame = pd.DataFrame(cols, dtype=object)
    updates = pd.DataFrame(
        {
            "pos": np.asarray(upd["pos"], dtype=np.int64),
            "no": np.asarray(upd["no"], dtype=np.int64),
            "status": pd.Series(upd["status"], dtype="str").str.strip().str.upper(),
            "when": pd.Series(upd["time"], dtype=object),
        }
    )
    return frame, updates
