"""Opsgenie exports: alerts (``GET /v2/alerts``) and incidents (``GET /v1/incidents``).

Records come as a ``{"data": [...]}`` page, a JSON list of records or of pages, or JSON Lines.
An empty page (``"data": []`` beside ``took`` and ``requestId``, Opsgenie's response envelope, as
the last page of a listing can be) is recognised as Opsgenie's and holds no records; ``{"data":
[]}`` alone could be any vendor's page and is not.
Alerts and incidents are told apart record by record (an incident has ``impactStartDate``,
``impactEndDate``, ``impactedServices`` or ``ownerTeam`` and no ``report``).

Alerts: detected = ``createdAt``; acknowledged = ``createdAt + report.ackTime``; resolved =
``createdAt + report.closeTime`` once ``status`` is ``closed``; a ``closed`` alert without
``report.closeTime`` takes ``updatedAt``, an upper bound, with a ``note``. The unit of the
``report`` offsets is not stated by Opsgenie's API description; it is ``offset_unit="ms"`` by
default (or ``"s"``). The reader never re-interprets offsets on its own: where they do not fit
the unit (the close lands after ``updatedAt``; ``closeTime`` equals ``updatedAt − createdAt``
counted in the other unit; ``ackTime`` after ``closeTime``; every offset in the file under one
second when read as milliseconds) the row gets a sentence in the ``note`` column and a warning
is logged.

Incidents: started = ``impactStartDate``; detected = ``createdAt``; resolved = ``impactEndDate``
once ``status`` is ``resolved`` or ``closed`` (when that field is absent, ``updatedAt``, an upper
bound, with a ``note``). Incidents carry no acknowledgement time.

A record whose status says it ended (``closed``; ``resolved`` or ``closed`` for incidents) but
that holds neither its own resolution time nor ``updatedAt`` is excluded ("status says closed
but the export holds no resolution time"), not analysed as open.

Severity: ``priority`` P1 critical, P2 high, P3 medium, P4/P5 low. Service: the alert's
``entity``, else a ``service:<name>`` tag, else (incidents) the first of ``impactedServices``.
Team: ``ownerTeam``, else the first team among ``responders`` (its ``name``, else its ``id``),
else ``ownerTeamId``. Nested objects elsewhere are read as their names.

Doubtful values are handled record by record, each with a sentence in ``note``: a blank or
missing ``id`` is replaced by ``tinyId``; a negative or unreadable ``report.ackTime`` or
``report.closeTime`` is not used; a close (``createdAt + report.closeTime``) more than a minute
away from ``updatedAt`` is reported (the close is used); an alert with ``acknowledged`` false but a
``report.ackTime`` keeps the ackTime; an open incident that carries ``impactEndDate`` stays open
(its status wins).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..schema import TIMESTAMP_DTYPE, InputError
from ..timeparse import parse_timestamps
from ._arrow_text import missing_text, text_cells, text_series
from ._build import hashable, whole_numbers
from ._files import Sample
from ._json_docs import load_json_records, require_objects
from ._notes import joined_cells, no_cells
from ._plumbing import Reading, empty_page, first_record, name_text, shown

__all__ = ["OFFSET_UNITS", "SEVERITY_MAP", "SOURCE", "read", "sniff"]

SOURCE = "opsgenie"
#: What this export is, and the fields that only it has (said when another reader gets it).
SIGNATURE = ("an Opsgenie export", "alerts or incidents with tinyId and createdAt")
log = logging.getLogger("mttr_lab")

#: Default severity of Opsgenie priorities (a user's ``severity_map`` wins).
SEVERITY_MAP: dict[str, str] = {"P1": "critical", "P2": "high", "P3": "medium", "P4": "low", "P5": "low"}
#: Accepted values of ``offset_unit``, and their length in seconds.
OFFSET_UNITS: dict[str, float] = {"ms": 1e-3, "s": 1.0}

_INCIDENT_KEYS = frozenset({"impactStartDate", "impactEndDate", "impactedServices", "ownerTeam"})
_SERVICE_TAG_PREFIXES = ("service:", "service=")
# Offsets are compared with updatedAt − createdAt within this slack (seconds), or 1 % of it.
_SLACK_S = 2.0
# Offsets above this many seconds (100 years) are not offsets.
_MAX_OFFSET_S = 100 * 365.25 * 86400
# Below this many seconds between createdAt and updatedAt, ms and s cannot be told apart.
_MIN_TELLING_S = 60.0


#: The fields of every Opsgenie API response, beside its ``data``.
_ENVELOPE = frozenset({"took", "requestId"})


def _envelope(page: dict) -> bool:
    """Whether a page carries Opsgenie's response envelope (``took`` and ``requestId``)."""
    return _ENVELOPE <= page.keys()


def sniff(sample: Sample) -> str | None:
    """Recognise an Opsgenie alerts or incidents export (``tinyId`` and ``createdAt``).

    A page without records is recognised by its envelope (``took`` and ``requestId``) instead.

    Returns
    -------
    str or None
        Why the file looks like Opsgenie's, or None.
    """
    if sample.kind == "csv":
        return None
    if empty_page(sample.json(), "data", _envelope):
        return "an Opsgenie page with no records (data, took, requestId)"
    first = first_record(sample.json(), "data", empty={})
    if isinstance(first, dict) and "tinyId" in first and "createdAt" in first:
        kind = "incidents" if first.keys() & _INCIDENT_KEYS and "report" not in first else "alerts"
        return f"Opsgenie {kind} (tinyId, createdAt)"
    return None


def _service(rec: dict) -> Any:
    entity = rec.get("entity")
    if isinstance(entity, str) and entity.strip():
        return entity
    tags = rec.get("tags")
    for tag in tags if isinstance(tags, list) else []:
        if isinstance(tag, str) and tag.lower().startswith(_SERVICE_TAG_PREFIXES):
            return tag[len("service:") :].strip() or None
    services = rec.get("impactedServices")
    if isinstance(services, list) and services:
        first = services[0]
        return first.get("name") or first.get("id") if isinstance(first, dict) else first
    return None


def _team(rec: dict) -> Any:
    owner = rec.get("ownerTeam")
    if isinstance(owner, dict):
        owner = owner.get("name") or owner.get("id")
    if owner:
        return owner
    responders = rec.get("responders")
    for responder in responders if isinstance(responders, list) else []:
        if isinstance(responder, dict) and responder.get("type") == "team":
            return responder.get("name") or responder.get("id")
    return rec.get("ownerTeamId")


_COLUMNS = (
    "id",
    "tinyId",
    "alias",
    "message",
    "status",
    "priority",
    "createdAt",
    "updatedAt",
    "impactStartDate",
    "impactEndDate",
    "ackTime",
    "closeTime",
    "acknowledged",
    "count",
    "service",
    "team",
    "integration",
    "is_incident",
    "source",
)


def _flatten(records: list[Any], *, file: str) -> pd.DataFrame:
    """One row per record with the fields the reader uses (a loop over JSON objects)."""
    rows: list[dict[str, Any]] = []
    require_objects(records, file=file, expected="one Opsgenie alert or incident object per record")
    for rec in records:
        report = rec.get("report")
        report = report if isinstance(report, dict) else {}
        integration = rec.get("integration")
        rows.append(
            {
                "id": rec.get("id"),
                "tinyId": rec.get("tinyId"),
                "alias": rec.get("alias"),
                "message": rec.get("message"),
                "status": rec.get("status"),
                "priority": rec.get("priority"),
                "createdAt": rec.get("createdAt"),
                "updatedAt": rec.get("updatedAt"),
                "impactStartDate": rec.get("impactStartDate"),
                "impactEndDate": rec.get("impactEndDate"),
                "ackTime": report.get("ackTime"),
                "closeTime": report.get("closeTime"),
                "acknowledged": rec.get("acknowledged"),
                "count": rec.get("count"),
                "service": _service(rec),
                "team": _team(rec),
                "integration": integration.get("name") if isinstance(integration, dict) else None,
                "is_incident": bool(rec.keys() & _INCIDENT_KEYS) and "report" not in rec,
                "source": rec.get("source"),
            }
        )
    return pd.DataFrame(rows, columns=_COLUMNS)


def _offsets(values: pd.Series, *, field: str, unit: str) -> tuple[np.ndarray, np.ndarray]:
    """The raw offsets as floats, and a note per record whose offset is not one (text, a
    negative number, more than 100 years; None elsewhere): that value is not used (NaN)."""
    limit = _MAX_OFFSET_S / OFFSET_UNITS[unit]
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "if":
        numbers = values.to_numpy(dtype="float64")  # what to_numeric would leave them
    else:
        numbers = pd.to_numeric(hashable(values), errors="coerce").astype("float64").to_numpy()
    with np.errstate(invalid="ignore"):
        bad = (np.isnan(numbers) & values.notna().to_numpy()) | (numbers < 0) | (numbers > limit)
    note = no_cells(len(values))
    if bad.any():
        as_shown = values.where(bad).map(shown, na_action="ignore").astype("str")
        text = f"{field} " + as_shown + f" is not an offset from createdAt in {unit}: not used"
        note[bad] = text_cells(text)[bad]
    return np.where(bad, np.nan, numbers), note


def _offset_notes(
    ack: np.ndarray, close: np.ndarray, elapsed_s: np.ndarray, closed: np.ndarray, unit: str
) -> np.ndarray:
    """A sentence per alert whose report offsets do not fit ``unit`` (None where they do)."""
    scale = OFFSET_UNITS[unit]
    other = "s" if unit == "ms" else "ms"
    other_scale = OFFSET_UNITS[other]
    has_ack, has_close, has_elapsed = ~np.isnan(ack), ~np.isnan(close), ~np.isnan(elapsed_s)
    with np.errstate(invalid="ignore"):
        slack = np.maximum(_SLACK_S, 0.01 * elapsed_s)
        late = (has_close & closed & (close * scale > elapsed_s + slack)) | (ack * scale > elapsed_s + slack)
        after_update = has_elapsed & late
        telling = has_elapsed & closed & has_close & (elapsed_s >= _MIN_TELLING_S)
        other_fits = telling & (np.abs(close * other_scale - elapsed_s) <= slack) & ~after_update
        ack_after_close = has_ack & has_close & closed & (ack > close)
        positive = np.concatenate([ack[ack > 0], close[close > 0]])
    all_tiny = unit == "ms" and len(positive) >= 3 and bool((positive < 1000).all())

    checks = (
        (
            after_update,
            f"report offsets read in {unit} put the acknowledgement or close after updatedAt, which cannot be",
        ),
        (other_fits, f"report.closeTime equals updatedAt − createdAt counted in {other}, not {unit}"),
        (ack_after_close, "report.ackTime is later than report.closeTime"),
        ((has_ack | has_close) & all_tiny, "every report offset in the file is under 1 s when read as ms"),
    )
    text = no_cells(len(ack))
    for mask, sentence in checks:
        text = joined_cells(text, np.where(mask, sentence, None))
    noted = np.not_equal(text, None)
    if noted.any():
        text[noted] = text[noted] + f" (check offset_unit, now {unit!r})"
    return text


def _alert_offsets(
    raw: pd.DataFrame, alert: np.ndarray, status: pd.Series, created: pd.Series, unit: str
) -> dict[str, Any]:
    """The alerts' report offsets read in ``unit``: ``ack`` and ``close`` (floats, with their
    notes), the times they give, and which alerts are closed (``closed_alert``: by status or
    without one; ``said_closed``: by status) or acknowledged against their flag (``ack_anyway``)."""
    ack, ack_note = _offsets(raw["ackTime"], field="report.ackTime", unit=unit)
    ack = np.where(alert, ack, np.nan)
    close, close_note = _offsets(raw["closeTime"], field="report.closeTime", unit=unit)
    close = np.where(alert, close, np.nan)
    flag = raw["acknowledged"]
    said_unacknowledged = alert & flag.eq(False).to_numpy()
    ack = np.where((ack == 0) & ~flag.eq(True).to_numpy(), np.nan, ack)
    said_closed = (status == "closed").to_numpy()
    closed_alert = alert & (status.isna().to_numpy() | said_closed)
    close = np.where((close == 0) & ~closed_alert, np.nan, close)
    step = pd.Timedelta(seconds=OFFSET_UNITS[unit])
    close_at = created + pd.Series(close, index=raw.index) * step
    return {
        "ack": ack,
        "ack_note": ack_note,
        "close": close,
        "close_note": close_note,
        "ack_anyway": said_unacknowledged & ~np.isnan(ack),
        "closed_alert": closed_alert,
        "said_closed": alert & said_closed,
        "acknowledged": created + pd.Series(ack, index=raw.index) * step,
        "resolved": close_at.where(closed_alert),
        "close_at": close_at,
    }


def _close_apart(
    close_at: pd.Series, updated: pd.Series, closed: np.ndarray, offset_note: np.ndarray
) -> np.ndarray:
    """A note where the close from report.closeTime and updatedAt are more than a minute apart
    (not where the offsets' unit is doubted already)."""
    out = no_cells(len(closed))
    # a doubtful unit is said already
    candidates = closed & updated.notna().to_numpy() & np.equal(offset_note, None)
    if not candidates.any():
        return out
    apart = candidates & ((close_at - updated).abs() > pd.Timedelta(minutes=1)).to_numpy()
    if apart.any():
        text = (
            "report.closeTime puts the close at "
            + close_at.dt.strftime("%Y-%m-%d %H:%M:%S UTC")
            + " but updatedAt is "
            + updated.dt.strftime("%Y-%m-%d %H:%M:%S UTC")
            + " (more than a minute apart): the close from report.closeTime used"
        )
        out[apart] = text_cells(text)[apart]
    return out


def _resolutions(
    offsets: dict[str, Any],
    incident: np.ndarray,
    status: pd.Series,
    impact_end: pd.Series,
    updated: pd.Series,
) -> tuple[pd.Series, pd.Series, dict[str, np.ndarray]]:
    """Resolution times (alerts: the close offset; incidents: impactEndDate once resolved or
    closed; updatedAt as an upper bound where either is missing), the exclusion of records ended
    without any time, and the masks the notes speak of (``no_end``, ``no_close``,
    ``open_with_end``)."""
    said_closed, close = offsets["said_closed"], offsets["close"]
    done = incident & status.isin(["resolved", "closed"]).to_numpy()
    has_end, has_update = impact_end.notna().to_numpy(), updated.notna().to_numpy()
    open_with_end = incident & ~done & status.notna().to_numpy() & has_end
    resolved = offsets["resolved"]
    if incident.any():
        resolved = resolved.where(~incident, impact_end.where(done))
    no_end = done & ~has_end & has_update
    # A closed alert without a close offset: updatedAt bounds the close from above.
    no_close = said_closed & np.isnan(close) & has_update
    for bounded in (no_end, no_close):
        if bounded.any():
            resolved = resolved.mask(bounded, updated)
    # Ended by its status, with no time at all: excluded rather than counted as open.
    unbounded = ((said_closed & np.isnan(close)) | (done & ~has_end)) & ~has_update
    exclude = missing_text(status.index)
    if unbounded.any():
        exclude = ("status says " + status + " but the export holds no resolution time").where(unbounded)
    return resolved, exclude, {"no_end": no_end, "no_close": no_close, "open_with_end": open_with_end}


def _notes(
    offsets: dict[str, Any],
    alert: np.ndarray,
    status: pd.Series,
    created: pd.Series,
    updated: pd.Series,
    bounds: dict[str, np.ndarray],
    ids_note: np.ndarray,
    unit: str,
) -> np.ndarray:
    """The ``note`` of each record (None where it has none): doubtful offsets, upper bounds used,
    an id taken from tinyId, a close that disagrees with updatedAt, flags contradicted by the data."""
    elapsed = (updated - created).dt.total_seconds().to_numpy()
    offset_note = _offset_notes(offsets["ack"], offsets["close"], elapsed, offsets["closed_alert"], unit)
    offset_note = np.where(alert, offset_note, None)
    note = offset_note.copy()
    note[bounds["no_end"]] = (
        "resolved without impactEndDate: resolution taken from updatedAt (an upper bound)"
    )
    bound = "closed without report.closeTime: resolution taken from updatedAt (an upper bound)"
    note = joined_cells(note, np.where(bounds["no_close"], bound, None))
    open_with_end = bounds["open_with_end"]
    remarks = [
        ids_note,
        np.where(alert, offsets["ack_note"], None),
        np.where(alert, offsets["close_note"], None),
        _close_apart(
            offsets["close_at"], updated, offsets["closed_alert"] & ~np.isnan(offsets["close"]), offset_note
        ),
        np.where(
            offsets["ack_anyway"],
            "acknowledged is false but report.ackTime is given: acknowledged_at taken from report.ackTime",
            None,
        ),
        no_cells(len(alert))
        if not open_with_end.any()
        else np.where(
            open_with_end,
            text_cells(
                "status "
                + status
                + " but impactEndDate is given: kept open (the status wins), impactEndDate not used"
            ),
            None,
        ),
    ]
    for remark in remarks:
        note = joined_cells(note, remark)
    return note


def read(
    path: str | Path,
    *,
    tz: str | None = None,
    dayfirst: bool | None = None,
    severity_map: Mapping[str, str] | None = None,
    offset_unit: str = "ms",
) -> pd.DataFrame:
    """Read an Opsgenie alerts or incidents export into the canonical ``incidents`` frame.

    Parameters
    ----------
    path : path
        ``{"data": [...]}`` JSON (one page, a list of pages, or JSON Lines), or a JSON list.
    tz : str, optional
        IANA timezone for timestamps without an offset (Opsgenie's carry ``Z``).
    dayfirst : bool, optional
        Order of slash dates, were there any.
    severity_map : mapping, optional
        Priority -> severity, over :data:`SEVERITY_MAP`.
    offset_unit : {"ms", "s"}
        Unit of the alerts' ``report.ackTime`` and ``report.closeTime``.

    Returns
    -------
    DataFrame
        The canonical columns, then ``tinyId``, ``alias``, ``status``, ``count``, ``integration``,
        ``record_type`` (``"alert"`` or ``"incident"``) and ``note`` (why a row's offsets or
        resolution are doubtful, NA otherwise).

    Raises
    ------
    InputError
        Naming the file, record and field of unusable input, or an unknown ``offset_unit``.
    """
    file = str(path)
    if offset_unit not in OFFSET_UNITS:
        raise InputError(
            "unknown offset_unit",
            file=file,
            found=offset_unit,
            expected="'ms' (milliseconds) or 's' (seconds)",
        )
    raw = _flatten(load_json_records(path, keys=("data",)), file=file)
    own_ids, tiny = name_text(raw["id"]), name_text(raw["tinyId"])
    no_id = (own_ids.isna() & tiny.notna()).to_numpy()
    if no_id.any():
        raw["id"] = raw["id"].mask(no_id, tiny)
    ids = raw["id"].tolist()

    def name(pos: int) -> str:
        return f"record {pos + 1}" + (f" (id {ids[pos]})" if isinstance(ids[pos], str) else "")

    def when(field: str) -> pd.Series:
        return parse_timestamps(raw[field], tz=tz, dayfirst=dayfirst, file=file, field=field, records=name)

    incident = raw["is_incident"].to_numpy(dtype=bool)
    alert = ~incident
    status = name_text(raw["status"]).str.lower()
    created, updated = when("createdAt"), when("updatedAt")
    offsets = _alert_offsets(raw, alert, status, created, offset_unit)
    acknowledged = offsets["acknowledged"]

    impact_start, impact_end = when("impactStartDate"), when("impactEndDate")
    resolved, exclude, bounds = _resolutions(offsets, incident, status, impact_end, updated)

    ids_note = no_cells(len(raw))
    if no_id.any():
        ids_note[no_id] = text_cells("no id: tinyId " + tiny + " used as the incident id")[no_id]
    note = _notes(offsets, alert, status, created, updated, bounds, ids_note, offset_unit)
    flagged = int(np.not_equal(note, None).sum())
    if flagged:
        records = "record carries a note" if flagged == 1 else "records carry a note"
        log.warning("%s: %d Opsgenie %s (see the 'note' column)", file, flagged, records)

    reading = Reading(SOURCE, file, severity_map=severity_map, default_severity_map=SEVERITY_MAP)
    return reading.incidents(
        {
            "incident_id": raw["id"],
            "title": raw["message"],
            "service": raw["service"],
            "team": raw["team"],
            "severity": raw["priority"],
            "detection_channel": raw["source"],
            "started_at": impact_start,
            "detected_at": created,
            "acknowledged_at": acknowledged.astype(TIMESTAMP_DTYPE),
            "resolved_at": resolved.astype(TIMESTAMP_DTYPE),
        },
        record_label="record",
        exclude_reason=exclude,
        version=updated,
        extra={
            "tinyId": tiny,
            "alias": name_text(raw["alias"]),
            "status": status,
            "count": whole_numbers(raw["count"]),
            "integration": name_text(raw["integration"]),
            "record_type": text_series(np.where(incident, "incident", "alert"), raw.index),
            "note": text_series(note, raw.index),
        },
    )
