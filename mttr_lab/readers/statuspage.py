"""Atlassian Statuspage v2 incidents, and status-page archives of the same shape.

Accepted layouts:

- the public API's ``incidents.json``: ``{"page": {..., "time_zone"}, "incidents": [...]}``
  (also ``scheduled-maintenances.json``, a single ``{"page", "incident"}``, and ``summary.json``:
  ``page``, ``components``, ``incidents``, ``scheduled_maintenances``, ``status``, whose
  maintenances are read as records and excluded);
- a bare JSON array of incident objects;
- JSON Lines: one incident per line, or one page envelope per line (repeated polling);
- the GitHub status archive parsed from the Atom feed: ``title``, ``started_at``,
  ``resolved_at``, ``impact``, ``components`` as a list of names, ``updates[]`` with
  ``at``/``status`` capitalised (``Investigating``, ``Update``, ``Resolved``) and sometimes a
  post-mortem ``impact_window``.

Milestones (updates are taken in time order, whatever order the file has):

- ``started_at`` <- ``started_at``;
- ``detected_at`` <- ``created_at``; where a record has none (the GitHub archive), the time
  of its earliest update, i.e. the first public post. The archive's ``published_at`` is the
  Atom entry's time, written when the incident was resolved, so it is not used;
- ``acknowledged_at`` <- first ``investigating`` update;
- ``diagnosed_at`` <- first ``identified`` update;
- ``recovered_at`` <- ``monitoring_at``, else first ``monitoring`` update;
- ``resolved_at`` <- the incident's ``resolved_at`` (null = still open, even after an earlier
  ``resolved`` update: the incident was reopened).

An update's time is its ``display_at`` (the time the page shows, which authors set when
back-filling), else ``created_at``, else ``at`` (archives); ``update_time="created_at"``
prefers the moment it was posted. Statuses are compared case-insensitively with spaces read
as underscores; the scraped ``update`` status and ``postmortem`` change no phase.

Exclusions (rows kept, ``exclude_reason`` set): scheduled maintenance (``impact`` is
``maintenance``; a maintenance status ``scheduled``/``in_progress``/``verifying``/``completed``
on the incident or any update; a ``scheduled_for``; or listed under an envelope's
``scheduled_maintenances``). Repeated ids are a polling history (the same incident saved at
each poll): the version with the latest ``updated_at`` is kept, the others are excluded as earlier
snapshots, which :func:`mttr_lab.check_incidents` sums up in one finding per export. Where page
envelopes say when they were taken (``fetched_at``, ``polled_at``, ``retrieved_at``,
``captured_at`` or ``snapshot_at`` beside ``page``, else the page's ``updated_at``), the latest
of those times is the export's ``as_of`` (see :func:`mttr_lab.frames.default_as_of`).

Offsets in the page's local zone (``-06:00``) are honoured; timestamps without an offset
are read in ``tz=``, else in the page's ``time_zone`` when the envelope gives one, else
they are an error.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

from ..frames import AS_OF_ATTR
from ..schema import InputError
from ..timeparse import parse_timestamps
from ._build import DUPLICATE_REASON, POLLED_REASON, hashable
from ._files import Sample, json_error, json_lines, loads, read_text, require_objects, sample_of
from ._plumbing import NameList, Reading, listed_names

__all__ = ["MAINTENANCE_STATUSES", "POLLED_REASON", "SEVERITY_MAP", "SOURCE", "read", "sniff"]

SOURCE = "statuspage"
#: What this export is, and the fields that only it has (said when another reader gets it).
SIGNATURE = (
    "a Statuspage export",
    "incidents with incident_updates, the incidents.json envelope or a status archive",
)

#: Statuspage ``impact`` -> normalised severity (``maintenance`` is not an incident: no severity).
SEVERITY_MAP: dict[str, str | None] = {
    "critical": "critical",
    "major": "high",
    "minor": "medium",
    "none": "low",
    "maintenance": None,
}

#: Lifecycle statuses of scheduled maintenances (lower case, spaces as underscores).
MAINTENANCE_STATUSES = frozenset({"scheduled", "in_progress", "verifying", "completed"})

_IMPACTS = frozenset(SEVERITY_MAP)
_MAINTENANCE_REASON = "scheduled maintenance, not an incident"
_UPDATE_TIME_FIELDS = {
    "display_at": ("display_at", "created_at", "at"),
    "created_at": ("created_at", "display_at", "at"),
}
_ENVELOPE_LISTS = ("incidents", "scheduled_maintenances")
#: Keys beside ``page`` that archivers use for the moment a snapshot was taken.
_POLL_KEYS = ("fetched_at", "polled_at", "retrieved_at", "captured_at", "snapshot_at")
#: Incident times read as they are (strings).
_TIMES = ("created_at", "started_at", "monitoring_at", "resolved_at", "updated_at", "scheduled_for")
#: Incident fields read as they are (strings); ``title`` and ``status`` are derived.
_SCALARS = ("id", "name", "title", "status", "impact", *_TIMES, "shortlink", "url")
#: The intermediate per-incident columns both loaders produce.
_COLUMNS = (
    "id",
    "title",
    "status",
    "impact",
    *_TIMES,
    "url",
    "service",
    "components",
    "impact_start",
    "impact_end",
)
_LABELS = {
    "incident_id": "id",
    "title": "name",
    "severity": "impact",
    "started_at": "started_at",
    "detected_at": "created_at",
    "acknowledged_at": "incident_updates[] (investigating)",
    "diagnosed_at": "incident_updates[] (identified)",
    "recovered_at": "monitoring_at",
    "resolved_at": "resolved_at",
}


# --------------------------------------------------------------------------- recognising
_COMPONENTS = NameList("components", "name", "a list of component objects or names")


def _looks_like_incident(record: Any) -> str | None:
    if not isinstance(record, dict):
        return None
    if isinstance(record.get("incident_updates"), list):
        return "Statuspage incidents (incident_updates)"
    impact = record.get("impact")
    if not isinstance(impact, str) or impact.strip().lower() not in _IMPACTS:
        return None
    if "shortlink" in record:
        return "Statuspage incidents (impact, shortlink)"
    if isinstance(record.get("status_sequence"), list) or isinstance(record.get("updates"), list):
        return "status-page archive (impact, updates)"
    return None


def sniff(sample: Sample) -> str | None:
    """Recognise a Statuspage ``incidents.json`` envelope, its incident records, or the GitHub archive.

    Returns
    -------
    str or None
        Why the file looks like a Statuspage export, or None.
    """
    if sample.kind == "csv":
        return None
    doc = sample.json()
    if isinstance(doc, dict) and isinstance(doc.get("page"), dict):
        if any(isinstance(doc.get(k), list) for k in _ENVELOPE_LISTS) or isinstance(
            doc.get("incident"), dict
        ):
            return "Statuspage page envelope (page, incidents)"
        return None
    first = doc[0] if isinstance(doc, list) and doc else doc
    if isinstance(first, dict) and isinstance(first.get("page"), dict):
        return (
            "Statuspage page envelopes (page, incidents)"
            if isinstance(first.get("incidents"), list)
            else None
        )
    return _looks_like_incident(first)


# --------------------------------------------------------------------------- loading with json


class _Envelopes:
    """What page envelopes say beside their records: time zones, snapshot times, maintenances."""

    def __init__(self) -> None:
        self.zones: list[str] = []
        self.polls: list[Any] = []
        self.maintenance: set[int] = set()  # id() of the records listed as maintenances


def _page_records(doc: dict, *, seen: _Envelopes) -> list[Any] | None:
    """The records of a page envelope: incidents, then scheduled maintenances (None when ``doc``
    is not an envelope). ``summary.json`` holds both lists."""
    if not isinstance(doc.get("page"), dict):
        return None
    lists = [key for key in _ENVELOPE_LISTS if isinstance(doc.get(key), list)]
    if lists:
        records = [r for key in lists for r in doc[key]]
        if "scheduled_maintenances" in lists:
            seen.maintenance.update(id(r) for r in doc["scheduled_maintenances"])
    elif isinstance(doc.get("incident"), dict):
        records = [doc["incident"]]
    else:
        return None
    zone = doc["page"].get("time_zone")
    if isinstance(zone, str) and zone.strip():
        seen.zones.append(zone.strip())
    taken = next((doc[k] for k in _POLL_KEYS if isinstance(doc.get(k), (str, int, float))), None)
    if taken is None:
        taken = doc["page"].get("updated_at")
    if isinstance(taken, (str, int, float)):
        seen.polls.append(taken)
    return records


def _load_records(path: Path) -> tuple[list[Any], _Envelopes]:
    """Incident records of any accepted layout, and what their page envelopes said."""
    file = str(path)
    text = read_text(path)
    stripped = text.lstrip()
    if not stripped:
        raise InputError("the file is empty", file=file, expected="Statuspage incidents.json or JSON Lines")
    seen = _Envelopes()
    try:
        doc = loads(text, file=file)
    except json.JSONDecodeError as exc:
        if not json_lines(text, exc):
            raise json_error(exc, text, file=file) from None
        return _load_lines(text, file=file, seen=seen), seen
    if isinstance(doc, dict):
        records = _page_records(doc, seen=seen)
        if records is None:
            if not (_looks_like_incident(doc) or "incident_updates" in doc or "updates" in doc):
                raise InputError(
                    "the document holds no Statuspage incidents",
                    file=file,
                    found=sorted(doc)[:10],
                    expected='{"page": {...}, "incidents": [...]}, a list of incidents, or JSON Lines',
                )
            records = [doc]
        return records, seen
    if isinstance(doc, list):
        if doc and all(isinstance(d, dict) and isinstance(d.get("page"), dict) for d in doc):
            out: list[Any] = []
            for page in doc:
                out.extend(_page_records(page, seen=seen) or [])
            return out, seen
        return doc, seen
    raise InputError("the document is not a JSON array or object", file=file, found=type(doc).__name__)


def _load_lines(text: str, *, file: str, seen: _Envelopes) -> list[Any]:
    out: list[Any] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        doc = loads(line, file=file, record=f"line {number}", expected="one JSON object per line")
        page = _page_records(doc, seen=seen) if isinstance(doc, dict) else None
        if page is None:
            out.append(doc)
        else:
            out.extend(page)
    return out


def _tables_from_records(
    records: list[Any], *, file: str, update_time: str, maintenance: set[int] = frozenset()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The per-incident and per-update tables of parsed JSON records (any layout).

    ``maintenance`` holds the ``id()`` of records an envelope lists as scheduled maintenances.
    """
    cols: dict[str, list] = {k: [] for k in (*_COLUMNS, "listed_maintenance")}
    upd_pos: list[int] = []
    upd_no: list[int] = []
    upd_status: list[Any] = []
    upd_time: list[Any] = []
    time_keys = _UPDATE_TIME_FIELDS[update_time]
    require_objects(records, file=file, expected="one object per incident")
    for pos, rec in enumerate(records):
        get = rec.get
        where = f"record {pos + 1} (id {get('id')})"
        field = "incident_updates"
        updates = get(field)
        if updates is None:
            field = "updates"
            updates = get(field)
        if updates is None:
            updates = ()
        elif not isinstance(updates, list):
            raise InputError(
                "the updates are not a list",
                file=file,
                record=where,
                field=field,
                found=updates,
                expected="a list of update objects",
            )
        for no, upd in enumerate(updates, start=1):
            if not isinstance(upd, dict):
                raise InputError(
                    "an update is not a JSON object",
                    file=file,
                    record=f"{where}, update {no}",
                    field=field,
                    found=upd,
                    expected="an object with status and created_at",
                )
            when = None
            for key in time_keys:
                when = upd.get(key)
                if when is not None:
                    break
            upd_pos.append(pos)
            upd_no.append(no)
            upd_status.append(upd.get("status"))
            upd_time.append(when)
        name = get("name")
        status = get("status")
        sequence = get("status_sequence")
        if status is None and isinstance(sequence, list) and sequence:
            status = sequence[-1]
        window = get("impact_window")
        window = window if isinstance(window, dict) else {}
        names = listed_names(get("components"), _COMPONENTS, file=file, record=where)
        cols["id"].append(get("id"))
        cols["title"].append(name if name is not None else get("title"))
        cols["status"].append(status)
        for key in ("impact", "created_at", "started_at", "monitoring_at", "resolved_at", "updated_at"):
            cols[key].append(get(key))
        cols["scheduled_for"].append(get("scheduled_for"))
        link = get("shortlink")
        cols["url"].append(link if link is not None else get("url"))
        cols["service"].append(names[0] if names else None)
        cols["components"].append(", ".join(names) if names else None)
        cols["impact_start"].append(window.get("start_at"))
        cols["impact_end"].append(window.get("end_at"))
        cols["listed_maintenance"].append(id(rec) in maintenance)
    listed = np.asarray(cols.pop("listed_maintenance"), dtype=bool)
    incidents = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in cols.items()})
    incidents["listed_maintenance"] = listed
    updates = pd.DataFrame(
        {
            "pos": np.asarray(upd_pos, dtype=np.int64),
            "no": np.asarray(upd_no, dtype=np.int64),
            "status": pd.Series(upd_status, dtype=object),
            "time": pd.Series(upd_time, dtype=object),
        }
    )
    return incidents, updates


# --------------------------------------------------------------------------- loading with Arrow


class _NotForArrow(Exception):
    """The file needs the general json path (or its precise error messages)."""


def _arrow_schema(components_as_names: bool) -> pa.Schema:
    s = pa.string()
    update = pa.list_(pa.struct([("status", s), ("created_at", s), ("display_at", s), ("at", s)]))
    component = s if components_as_names else pa.struct([("name", s)])
    return pa.schema(
        [
            *[(name, s) for name in _SCALARS],
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


def _tables_from_arrow(path: Path, sample: Sample, *, update_time: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The per-incident and per-update tables of a JSON Lines file of incidents, read by Arrow.

    Raises ``_NotForArrow`` for anything but plain incident lines of the expected types.
    """
    options = pa_json.ParseOptions(
        explicit_schema=_arrow_schema(_components_are_names(sample)), unexpected_field_behavior="ignore"
    )
    try:
        with pa.input_stream(str(path), compression="detect") as stream:
            table = pa_json.read_json(stream, parse_options=options)
        table.validate(full=True)  # Arrow's JSON reader lets text that is not UTF-8 through
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _NotForArrow from exc
    if table.column("page").null_count != table.num_rows:
        raise _NotForArrow
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
    incidents = pd.DataFrame({k: out[k].reset_index(drop=True) for k in _COLUMNS})

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
        times = [pc.struct_field(values, key) for key in _UPDATE_TIME_FIELDS[update_time]]
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


# --------------------------------------------------------------------------- building


def _statuses(values: pd.Series) -> pd.Series:
    """Lifecycle words compared case-insensitively, spaces and hyphens read as underscores."""
    codes, uniques = pd.factorize(hashable(values), use_na_sentinel=True)
    words = np.array(["_".join(str(u).strip().lower().replace("-", " ").split()) for u in uniques] + [None])
    return pd.Series(words[codes], index=values.index, dtype="str")


def _first_update(updates: pd.DataFrame, status: str | None, n: int) -> pd.Series:
    """The raw time of the earliest update (of one status, or of any), by incident position."""
    hits = updates if status is None else updates.loc[updates["status"] == status]
    first = hits.drop_duplicates("pos")
    return pd.Series(first["time"].to_numpy(), index=first["pos"].to_numpy(), dtype=object).reindex(
        pd.RangeIndex(n)
    )


def _build(
    incidents: pd.DataFrame,
    updates: pd.DataFrame,
    *,
    file: str,
    tz: str | None,
    dayfirst: bool | None,
    severity_map: Mapping[str, str] | None,
) -> pd.DataFrame:
    n = len(incidents)
    ids = incidents["id"].to_numpy()
    pos = updates["pos"].to_numpy()
    no = updates["no"].to_numpy()

    def parse(name: str, field: str) -> pd.Series:
        return parse_timestamps(
            incidents[name],
            tz=tz,
            dayfirst=dayfirst,
            file=file,
            field=field,
            records=lambda p: f"record {p + 1} (id {ids[p]})",
        )

    # Updates are ordered by their parsed time (offsets may differ); the milestones keep the
    # raw text of the chosen update so that build_incidents parses every milestone alike.
    when = parse_timestamps(
        updates["time"],
        tz=tz,
        dayfirst=dayfirst,
        file=file,
        field="incident_updates[].created_at",
        records=lambda i: f"record {pos[i] + 1} (id {ids[pos[i]]}), update {no[i]}",
    )
    ordered = updates.assign(status=_statuses(updates["status"]), when=when)
    ordered = ordered.loc[ordered["when"].notna()].sort_values(["pos", "when"], kind="stable")

    status = _statuses(incidents["status"])
    impact = incidents["impact"].astype("str")
    maintenance = (
        impact.str.strip().str.lower().eq("maintenance").fillna(False).to_numpy(dtype=bool)
        | status.isin(MAINTENANCE_STATUSES).to_numpy(dtype=bool)
        | incidents["scheduled_for"].notna().to_numpy(dtype=bool)
        | (
            incidents["listed_maintenance"].to_numpy(dtype=bool)
            if "listed_maintenance" in incidents.columns
            else np.zeros(n, dtype=bool)
        )
        | np.isin(np.arange(n), ordered.loc[ordered["status"].isin(MAINTENANCE_STATUSES), "pos"].to_numpy())
    )
    exclude = pd.Series(np.where(maintenance, _MAINTENANCE_REASON, None), dtype="str")
    has_duplicates = incidents["id"].dropna().astype("str").duplicated().any()

    reading = Reading(
        SOURCE, file, tz=tz, dayfirst=dayfirst, severity_map=severity_map, default_severity_map=SEVERITY_MAP
    )
    return reading.incidents(
        {
            "incident_id": incidents["id"],
            "title": incidents["title"],
            "service": incidents["service"],
            "severity": impact,
            "started_at": incidents["started_at"],
            "detected_at": incidents["created_at"].fillna(_first_update(ordered, None, n)),
            "acknowledged_at": _first_update(ordered, "investigating", n),
            "diagnosed_at": _first_update(ordered, "identified", n),
            "recovered_at": incidents["monitoring_at"].fillna(_first_update(ordered, "monitoring", n)),
            "resolved_at": incidents["resolved_at"],
        },
        labels=_LABELS,
        exclude_reason=exclude,
        version=parse("updated_at", "updated_at") if has_duplicates else None,
        extra={
            "status": status,
            "components": incidents["components"].astype("str"),
            "url": incidents["url"].astype("str"),
            "impact_start": parse("impact_start", "impact_window.start_at"),
            "impact_end": parse("impact_end", "impact_window.end_at"),
        },
    )


def read(
    path: str | Path,
    *,
    tz: str | None = None,
    severity_map: Mapping[str, str] | None = None,
    update_time: str = "display_at",
    dayfirst: bool | None = None,
) -> pd.DataFrame:
    """Read a Statuspage v2 export (or the GitHub status archive) into the ``incidents`` frame.

    Parameters
    ----------
    path : path
        ``incidents.json`` (page envelope), a JSON array of incidents, or JSON Lines
        (optionally ``.gz``).
    tz : str, optional
        IANA zone of timestamps written without an offset; defaults to the page's
        ``time_zone`` when the envelope gives one. Offsets in the data always win.
    severity_map : mapping, optional
        ``impact`` label -> severity, overriding critical→critical, major→high,
        minor→medium, none→low.
    update_time : {"display_at", "created_at"}
        Which time of an update dates the phase it opens (the other is the fallback).
    dayfirst : bool, optional
        Passed to the timestamp parser (Statuspage itself writes ISO 8601).

    Returns
    -------
    DataFrame
        The canonical ``incidents`` columns, then ``status`` (the incident's last lifecycle
        status, lower case), ``components`` (all component names joined with ", "), ``url``
        (shortlink or page address), ``impact_start`` and ``impact_end`` (the post-mortem
        impact window where the archive has one, UTC).
    """
    path = Path(path)
    file = str(path)
    if update_time not in _UPDATE_TIME_FIELDS:
        raise InputError(
            f"unknown update_time {update_time!r}", file=file, expected="'display_at' or 'created_at'"
        )
    tables = None
    polls: list[Any] = []
    sample = sample_of(path)
    if sample.kind == "jsonl":
        try:
            tables = _tables_from_arrow(path, sample, update_time=update_time)
        except _NotForArrow:
            tables = None
    if tables is None:
        records, seen = _load_records(path)
        if tz is None and len(set(seen.zones)) == 1:
            tz = seen.zones[0]
        tables = _tables_from_records(
            records, file=file, update_time=update_time, maintenance=seen.maintenance
        )
        polls = seen.polls
    incidents, updates = tables
    frame = _build(incidents, updates, file=file, tz=tz, dayfirst=dayfirst, severity_map=severity_map)
    reason = frame["exclude_reason"]
    if reason.eq(DUPLICATE_REASON).any():  # a Statuspage id repeats only in a polling history
        frame["exclude_reason"] = reason.mask(reason.eq(DUPLICATE_REASON), POLLED_REASON)
    if polls:
        taken = parse_timestamps(
            pd.Series(polls, dtype=object), tz=tz, dayfirst=dayfirst, file=file, field="page.updated_at"
        )
        if taken.notna().any():
            frame.attrs[AS_OF_ATTR] = taken.max()
    return frame
