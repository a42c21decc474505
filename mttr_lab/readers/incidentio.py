"""incident.io incidents from API v2 ``GET /v2/incidents``.

Accepted shapes: one response (``{"incidents": [...], "pagination_meta": {...}}``), a list of such
pages, a bare list of incidents, or JSON Lines (one incident or one page per line). An empty
page (``"incidents": []`` beside a ``pagination_meta`` holding ``page_size``, as a cursor's last
page is) is recognised as incident.io's and holds no records.

Milestones come from ``incident_timestamp_values[]``, matched by the timestamp's **name**, which
each organisation configures. Names are compared case-insensitively, with a trailing "at"
dropped ("Impact Started At" is "impact started"). The defaults, in order of preference within
a milestone:

- Impact started -> ``started_at``
- Reported, else Declared, else the incident's ``created_at`` -> ``detected_at``
- Accepted -> ``acknowledged_at``
- Identified -> ``diagnosed_at``
- Fixed, else Mitigated -> ``recovered_at``
- Resolved, else Closed -> ``resolved_at``

``timestamp_names={name: milestone}`` adds names or overrides these (a milestone of None ignores
a name); the names it gives are preferred to the defaults. Timestamps that feed no milestone
(Declined, Closed when Resolved is set, custom ones) are kept as ``timestamp_<name>`` columns in
UTC, and ``duration_metrics[]`` as ``duration_<name>_min`` columns in minutes.

An incident whose status category is ``triage``, ``live`` or ``paused`` is open: its
``resolved_at`` is NaT even if an earlier Resolved timestamp survives a reopening.

Severity: organisations define their own severities, each with a ``rank`` (higher is more
severe). Where every severity name in the export is a usual one (Critical, Major, Minor, Low,
SEV0..SEV4, P1..P5: the generic label table), severities are mapped by name, whatever ranks
the export happens to hold. Otherwise the distinct ranks seen are ordered from the highest down;
with four or fewer, they map in turn to critical, high, medium, low (three ranks give critical,
high, medium). With more, position ``i`` of ``k`` (0 = highest) maps to level
``floor(4 i / k)``, so five ranks give critical, critical, high, medium, low. Because that ladder
is read from the export, a file lacking the organisation's top severity shifts it: a ladder of
fewer than four ranks puts a ``note`` on each record it maps (and logs a warning); pin the labels
with ``severity_map={name: severity}``, which overrides the ladder by name. A severity without a
rank falls back to the generic label table.

Exclusions (kept as rows, with ``exclude_reason``): status category ``declined``, ``merged`` or
``canceled``; ``mode`` ``test`` or ``tutorial``. A ``retrospective`` incident is a real incident
declared after the fact and is kept.

``service`` and ``team`` come from custom fields named like "Affected services" and "Team"
(``service_field=`` / ``team_field=`` name others); several values are joined with ", ".
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..schema import DEFAULT_SEVERITY_MAP, MILESTONES, SEVERITIES, InputError
from ..timeparse import parse_timestamps
from ._arrow_text import as_text, lowered_text, missing_text
from ._files import Sample
from ._incidentio_records import ROW_COLUMNS, SERVICE_FIELDS, TEAM_FIELDS, flatten, names_or, norm, slug_of
from ._json_docs import load_json_records
from ._plumbing import Reading, empty_page

__all__ = ["DEFAULT_TIMESTAMP_NAMES", "SOURCE", "read", "severity_ladder", "sniff"]

SOURCE = "incidentio"
log = logging.getLogger("mttr_lab")
#: What this export is, and the fields that only it has (said when another reader gets it).
SIGNATURE = (
    "an incident.io export",
    "incidents with incident_status and reference, or incident_timestamp_values",
)

#: Timestamp name (normalised) -> milestone; earlier names win within a milestone.
DEFAULT_TIMESTAMP_NAMES: dict[str, str] = {
    "impact started": "started_at",
    "reported": "detected_at",
    "declared": "detected_at",
    "accepted": "acknowledged_at",
    "identified": "diagnosed_at",
    "fixed": "recovered_at",
    "mitigated": "recovered_at",
    "resolved": "resolved_at",
    "closed": "resolved_at",
}

#: Status categories of incidents still being worked on.
OPEN_CATEGORIES = frozenset({"triage", "live", "paused"})

#: Status category -> why the record is not an incident.
EXCLUDED_CATEGORIES: dict[str, str] = {
    "declined": "declined incident (status category declined)",
    "merged": "merged into another incident (status category merged)",
    "canceled": "canceled incident (status category canceled)",
    "cancelled": "canceled incident (status category canceled)",
}

#: Incident mode -> why the record is not an incident.
EXCLUDED_MODES: dict[str, str] = {
    "test": "test incident (mode test)",
    "tutorial": "test incident (mode tutorial)",
}

_PAGE_KEYS = ("incidents",)


def _envelope(page: dict) -> bool:
    """Whether a page carries incident.io's own ``pagination_meta`` (with ``page_size``)."""
    meta = page.get("pagination_meta")
    return isinstance(meta, dict) and "page_size" in meta


def sniff(sample: Sample) -> str | None:
    """incident.io incidents carry ``incident_status`` and ``reference``, or ``incident_timestamp_values``.

    A page without incidents is recognised by its envelope (``pagination_meta``) instead.
    """
    doc = sample.json()
    if empty_page(doc, "incidents", _envelope):
        return "a page with no incidents (incidents, pagination_meta: incident.io API v2)"
    if (
        isinstance(doc, list)
        and doc
        and isinstance(doc[0], dict)
        and isinstance(doc[0].get("incidents"), list)
    ):
        doc = doc[0]
    if isinstance(doc, dict) and isinstance(doc.get("incidents"), list):
        doc = doc["incidents"]
    first = doc[0] if isinstance(doc, list) and doc else doc
    if not isinstance(first, dict):
        return None
    if isinstance(first.get("incident_timestamp_values"), list):
        return "incidents with incident_timestamp_values[] (incident.io API v2)"
    if isinstance(first.get("incident_status"), dict) and "reference" in first and "mode" in first:
        return "incidents with incident_status, reference and mode (incident.io API v2)"
    return None


def _milestone_order(
    timestamp_names: Mapping[str, str | None] | None, *, file: str
) -> list[tuple[str, str | None]]:
    """(normalised timestamp name, milestone or None) in order of preference."""
    user: list[tuple[str, str | None]] = []
    for name, target in (timestamp_names or {}).items():
        if target is not None:
            target = str(target)
            if target not in MILESTONES and f"{target}_at" in MILESTONES:
                target = f"{target}_at"
            if target not in MILESTONES:
                raise InputError(
                    f"timestamp_names sends {name!r} to an unknown milestone",
                    file=file,
                    found=target,
                    expected="one of " + ", ".join(MILESTONES) + " (or None to ignore it)",
                )
        user.append((norm(name), target))
    named = {name for name, _ in user}
    return user + [(n, m) for n, m in DEFAULT_TIMESTAMP_NAMES.items() if n not in named]


def severity_ladder(ranks: Mapping[str, Any]) -> dict[str, str]:
    """Severity name -> normalised severity, from the organisation's ranks (higher is more severe).

    Returns
    -------
    dict
        Each name whose rank is a number, mapped by the rule in the module docstring.
    """
    numeric: dict[str, float] = {}
    for name, rank in ranks.items():
        try:
            value = float(rank)
        except (TypeError, ValueError):
            continue
        if not math.isnan(value):
            numeric[name] = value
    distinct = sorted(set(numeric.values()), reverse=True)
    k = len(distinct)
    top_down = list(reversed(SEVERITIES))  # critical, high, medium, low
    level = {
        rank: top_down[i] if k <= len(top_down) else top_down[(i * len(top_down)) // k]
        for i, rank in enumerate(distinct)
    }
    return {name: level[value] for name, value in numeric.items()}


def _seconds_to_minutes(values: pd.Series, *, file: str, name: str) -> pd.Series:
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() & values.notna()
    if bad.any():
        pos = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(
            "a duration metric is not a number of seconds",
            file=file,
            record=pos + 1,
            field=f"duration_metrics[{name}].value_seconds",
            found=values.iloc[pos],
            expected="an integer number of seconds",
        )
    return (numbers / 60.0).astype("float64")


def read(
    path: str | Path,
    *,
    tz: str | None = None,
    severity_map: Mapping[str, str] | None = None,
    dayfirst: bool | None = None,
    timestamp_names: Mapping[str, str | None] | None = None,
    service_field: str | Iterable[str] | None = None,
    team_field: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """Read an incident.io API v2 incidents export into the canonical ``incidents`` frame.

    Parameters
    ----------
    path : path
        JSON (a response, a list of pages or of incidents) or JSON Lines, optionally ``.gz``.
    tz, dayfirst
        Only needed for hand-edited timestamps without an offset (the API writes ``Z``).
    severity_map : mapping, optional
        Severity name -> low/medium/high/critical, overriding the rank ladder.
    timestamp_names : mapping, optional
        Timestamp name -> milestone (``"started_at"`` or ``"started"``; None ignores the name).
    service_field, team_field : str or list of str, optional
        Custom-field names holding the service and the team.

    Returns
    -------
    DataFrame
        The canonical columns, then ``incident_io_id``, ``status``, ``status_category``,
        ``mode``, ``incident_type``, ``permalink``, ``updated_at`` (UTC), one
        ``timestamp_<name>`` column (UTC) per timestamp that feeds no milestone, and one
        ``duration_<name>_min`` column (float minutes) per duration metric.
    """
    file = str(path)
    order = _milestone_order(timestamp_names, file=file)
    records = load_json_records(path, keys=_PAGE_KEYS)
    rows, stamps, durations, stamp_labels, duration_labels, ranks = flatten(
        records,
        file=file,
        service_names=names_or(service_field, SERVICE_FIELDS),
        team_names=names_or(team_field, TEAM_FIELDS),
    )
    n = len(rows)
    index = pd.RangeIndex(n)
    frame = pd.DataFrame.from_records(rows, index=index, columns=ROW_COLUMNS)
    stamp_frame = pd.DataFrame.from_records(stamps, index=index) if n else pd.DataFrame(index=index)

    fields, labels, used = _milestone_fields(frame, stamp_frame, order, stamp_labels)

    category, mode = lowered_text(frame["status_category"]), lowered_text(frame["mode"])
    still_open = category.isin(OPEN_CATEGORIES)
    if "resolved_at" in fields and still_open.any():
        fields["resolved_at"] = fields["resolved_at"].where(~still_open)
    reason = _exclusions(category, mode)

    extra: dict[str, Any] = {
        c: as_text(frame[c])
        for c in ("incident_io_id", "status", "status_category", "mode", "incident_type", "permalink")
    }
    updated = parse_timestamps(
        frame["updated_at"], tz=tz, dayfirst=dayfirst, file=file, field="updated_at", records=_record_name
    )
    extra["updated_at"] = updated
    for name in stamp_frame.columns:
        if name in used:
            continue
        raw = stamp_labels.get(name, name)
        extra[f"timestamp_{slug_of(name)}"] = parse_timestamps(
            stamp_frame[name],
            tz=tz,
            dayfirst=dayfirst,
            file=file,
            field=f"incident_timestamp_values[{raw!r}]",
            records=_record_name,
        )
    metrics = pd.DataFrame.from_records(durations, index=index) if n else pd.DataFrame(index=index)
    for slug in metrics.columns:
        extra[f"duration_{slug}_min"] = _seconds_to_minutes(
            metrics[slug], file=file, name=duration_labels.get(slug, slug)
        )

    ladder, note = _severities(frame["severity"], ranks, severity_map, file=file)
    if note is not None:
        extra["note"] = note
    reading = Reading(
        SOURCE, file, tz=tz, dayfirst=dayfirst, severity_map=severity_map, default_severity_map=ladder
    )
    return reading.incidents(
        {k: v for k, v in fields.items() if v is not None},
        labels=labels,
        record_label="record",
        exclude_reason=reason,
        version=updated,
        extra=extra,
    )


def _exclusions(category: pd.Series, mode: pd.Series) -> pd.Series:
    """Why each record is not an incident, by its mode, else its status category (NA where it is one)."""
    by_category, by_mode = category.isin(EXCLUDED_CATEGORIES), mode.isin(EXCLUDED_MODES)
    if not (by_category.any() or by_mode.any()):
        return missing_text(category.index)
    reason = category.map(EXCLUDED_CATEGORIES).astype("str").where(by_category)
    return mode.map(EXCLUDED_MODES).astype("str").where(by_mode, reason)


def _first_present(columns: list[pd.Series], index: pd.Index) -> pd.Series:
    """Each record's value from the first of ``columns`` that holds one (None where none does),
    as objects."""
    value = np.full(len(index), None, dtype=object)
    for column in columns:
        value = np.where(pd.isna(value), column.to_numpy(dtype=object), value)
    return pd.Series(value, index=index, dtype="object")


def _milestone_fields(
    frame: pd.DataFrame,
    stamp_frame: pd.DataFrame,
    order: list[tuple[str, str | None]],
    stamp_labels: dict[str, str],
) -> tuple[dict[str, Any], dict[str, str], set[str]]:
    """The canonical fields, their labels for messages, and the timestamp names that fed a milestone."""
    index = frame.index
    fields: dict[str, Any] = {c: frame[c] for c in ("incident_id", "title", "severity", "service", "team")}
    labels: dict[str, str] = {}
    used: set[str] = set()
    for milestone in MILESTONES:
        names = [name for name, target in order if target == milestone]
        present = [name for name in names if name in stamp_frame.columns]
        sources = [stamp_frame[name] for name in present]
        if present:
            used.add(present[0])
        if milestone == "detected_at" and "created_at" in frame.columns:
            sources.append(frame["created_at"])
        value = _first_present(sources, index)
        shown = " / ".join(f"incident_timestamp_values[{stamp_labels.get(s, s)!r}]" for s in names[:2])
        labels[milestone] = shown + (" / created_at" if milestone == "detected_at" else "")
        if present or milestone == "detected_at":
            fields[milestone] = value
    return fields, labels, used


def _severities(
    names: pd.Series, ranks: Mapping[str, Any], severity_map: Mapping[str, str] | None, *, file: str
) -> tuple[dict[str, str], pd.Series | None]:
    """The severity mapping (by name where every name is a usual one, else the rank ladder) and
    a note on each record mapped by a ladder of fewer than four ranks (None when there is none)."""
    if all(str(name).strip().lower() in DEFAULT_SEVERITY_MAP for name in ranks):
        return {}, None  # the generic label table maps them by name
    ladder = severity_ladder(ranks)
    pinned = set(severity_map or ())
    steps = sorted({ladder[name] for name in ladder if name not in pinned}, key=SEVERITIES.index)
    distinct = len({float(ranks[name]) for name in ladder})
    if not steps or distinct >= len(SEVERITIES):
        return ladder, None
    shown = names.astype("str")
    mapped = shown.isin([name for name in ladder if name not in pinned])
    log.warning(
        "%s: incident.io severities mapped by rank from a ladder of %d %s only (pin them with a severity map)",
        file,
        distinct,
        "rank" if distinct == 1 else "ranks",
    )
    note = (
        "severity "
        + shown
        + " mapped by rank: the export holds only "
        + (f"{distinct} rank" if distinct == 1 else f"{distinct} ranks")
        + ", so its highest is taken as critical (pin it with a severity map)"
    )
    return ladder, note.where(mapped)


def _record_name(position: int) -> str:
    return f"record {position + 1}"
