"""FireHydrant incidents with milestones (``GET /v1/incidents`` pages, a list, or JSON Lines).

Milestone slugs map one to one: ``started`` -> started_at, ``detected`` -> detected_at
(``created_at`` when absent), ``acknowledged`` -> acknowledged_at, ``identified`` ->
diagnosed_at, ``mitigated`` -> recovered_at, ``resolved`` -> resolved_at. An incident whose
``current_milestone`` is an active one (started ... mitigated) is open even if an earlier
``resolved`` milestone exists: it was reopened. ``milestones`` overrides the slug mapping.

An incident whose ``current_milestone`` is ``resolved`` or a later one (``postmortem_started``,
``postmortem_completed``, ``closed``) but that holds no ``resolved`` time has ended at an unknown
time. The lifecycle runs in that order, so the first of those later milestones with an
``occurred_at`` bounds the resolution from above: it becomes resolved_at, with a ``note``.
Without one the incident is excluded ("current milestone says resolved but the export holds
no resolution time"), not analysed as open: FireHydrant documents no other incident time that
bounds it (the ``updated_at`` some exports carry orders versions only).

Severity ``SEV1`` -> critical, ``SEV2`` -> high, ``SEV3`` -> medium, ``SEV4`` and below -> low.
The service is the first impacted service (``impacts[]`` of type service, or ``services[]``);
the team the first of ``teams[]``. Incidents tagged ``test``, ``gameday``/``game-day`` or
``drill``, and those whose status is canceled, are excluded with that reason.

An empty page (``"data": []`` beside FireHydrant's ``pagination`` object with ``count``,
``page``, ``items`` and ``pages``) is recognised as FireHydrant's and holds no records;
``{"data": []}`` alone could be any vendor's page and is not.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ._build import list_field
from ._files import Sample
from ._json_docs import load_json_records
from ._plumbing import Reading, empty_page

SOURCE = "firehydrant"
#: What this export is, and the fields that only it has (said when another reader gets it).
SIGNATURE = ("a FireHydrant export", "incidents with milestones (each with type and occurred_at)")

MILESTONE_MAP: dict[str, str] = {
    "started": "started_at",
    "detected": "detected_at",
    "acknowledged": "acknowledged_at",
    "identified": "diagnosed_at",
    "mitigated": "recovered_at",
    "resolved": "resolved_at",
}
ACTIVE = {"started", "detected", "acknowledged", "investigating", "identified", "mitigated"}
#: Milestones after ``resolved``, in lifecycle order: each occurred after the resolution.
AFTER_RESOLVED = ("postmortem_started", "postmortem_completed", "closed")
#: Current milestones that say the incident has ended.
ENDED = {"resolved", *AFTER_RESOLVED}
NO_RESOLUTION_REASON = "current milestone says resolved but the export holds no resolution time"
SEVERITY_MAP = {"sev0": "critical", "sev1": "critical", "sev2": "high", "sev3": "medium"}
TEST_TAGS = {"test", "testing", "gameday", "game-day", "game day", "drill", "exercise"}


#: The fields of FireHydrant's ``pagination`` object that, together, only its pages have.
_PAGINATION_KEYS = frozenset({"count", "page", "items", "pages"})


def _envelope(page: dict) -> bool:
    """Whether a page carries FireHydrant's ``pagination`` (``count``, ``page``, ``items``, ``pages``)."""
    pagination = page.get("pagination")
    return isinstance(pagination, dict) and _PAGINATION_KEYS <= pagination.keys()


def sniff(sample: Sample) -> str | None:
    """FireHydrant incidents carry ``milestones`` with ``type`` and ``occurred_at``.

    A page without incidents is recognised by its envelope (``pagination``) instead.
    """
    doc = sample.json()
    if empty_page(doc, "data", _envelope):
        return "a FireHydrant page with no incidents (data, pagination with count/page/items/pages)"
    if isinstance(doc, list) and doc and isinstance(doc[0], dict) and isinstance(doc[0].get("data"), list):
        doc = doc[0]  # a list of pages
    if isinstance(doc, dict):
        doc = doc.get("data", doc)
    first = doc[0] if isinstance(doc, list) and doc else doc
    if not isinstance(first, dict):
        return None
    stones = first.get("milestones")
    if isinstance(stones, list) and stones and isinstance(stones[0], dict) and "occurred_at" in stones[0]:
        return "incidents with milestones[].type/occurred_at (FireHydrant)"
    return None


def _first_name(items, *, kind: str | None = None) -> str | None:
    if not isinstance(items, list):
        return None
    for item in items:
        if not isinstance(item, dict):
            continue
        if kind is not None and item.get("type") not in (None, kind):
            continue
        inner = item.get("impact") if isinstance(item.get("impact"), dict) else item
        name = inner.get("name")
        if name:
            return str(name)
    return None


def _row(record: dict, number: int, stone_map: Mapping[str, str], *, file: str) -> dict:
    """One incident's fields: milestones by the map, an upper bound for a resolution without a
    time (with a note), tags, and why it is excluded."""
    where = f"record {number}" + (f" (id {record['id']})" if isinstance(record.get("id"), str) else "")
    row: dict = {
        "incident_id": record.get("id"),
        "title": record.get("name"),
        "severity": _label(record.get("severity")),
        "service": _first_name(record.get("impacts"), kind="service") or _first_name(record.get("services")),
        "team": _first_name(record.get("teams")),
        "number": record.get("number"),
        "current_milestone": record.get("current_milestone"),
        "updated_at": record.get("updated_at"),
    }
    stones = list_field(
        record.get("milestones"),
        file=file,
        record=where,
        field="milestones",
        expected="a list of {type, occurred_at} objects",
    )
    later: dict[str, object] = {}
    for stone in stones:
        if not isinstance(stone, dict):
            continue
        slug = str(stone.get("type", "")).lower()
        target = stone_map.get(slug)
        if target and stone.get("occurred_at"):
            row[target] = stone["occurred_at"]
        if slug in AFTER_RESOLVED and stone.get("occurred_at"):
            later.setdefault(slug, stone["occurred_at"])
    row.setdefault("detected_at", record.get("created_at"))
    if row.get("started_at") is None and record.get("started_at"):
        row["started_at"] = record.get("started_at")
    current = str(row["current_milestone"] or "").lower()
    unresolvable = False
    if current in ACTIVE:
        row["resolved_at"] = None  # reopened, or never resolved: open
    elif current in ENDED and not row.get("resolved_at"):
        bound = next((slug for slug in AFTER_RESOLVED if slug in later), None)
        if bound is None:
            unresolvable = True
        else:
            row["resolved_at"] = later[bound]
            row["note"] = (
                f"current milestone {current} without a resolved time: resolved_at taken from "
                f"milestones[{bound}].occurred_at (an upper bound)"
            )
    raw_tags = record.get("tag_list") or record.get("tags") or []
    raw_tags = [raw_tags] if isinstance(raw_tags, str) else raw_tags
    raw_tags = raw_tags if isinstance(raw_tags, list) else []
    tags = [str(t).strip().lower() for t in raw_tags if isinstance(t, (str, int, float))]
    row["tags"] = ", ".join(tags) if tags else None
    status = str(record.get("status") or "").lower()
    if status in {"canceled", "cancelled"}:
        row["exclude_reason"] = "canceled incident"
    elif TEST_TAGS & set(tags):
        row["exclude_reason"] = (
            "test or game-day incident (tag " + ", ".join(sorted(TEST_TAGS & set(tags))) + ")"
        )
    elif unresolvable:
        row["exclude_reason"] = NO_RESOLUTION_REASON
    return row


def read(
    path: str | Path,
    *,
    tz: str | None = None,
    severity_map: Mapping[str, str] | None = None,
    milestones: Mapping[str, str] | None = None,
    dayfirst: bool | None = None,
) -> pd.DataFrame:
    """Read a FireHydrant incidents export into the canonical ``incidents`` frame.

    Returns
    -------
    DataFrame
        The canonical columns, then ``number``, ``current_milestone``, ``tags``.
    """
    file = str(path)
    stone_map = {**MILESTONE_MAP, **(milestones or {})}
    records = load_json_records(path, keys=("data", "incidents"))
    rows: list[dict] = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            rows.append({"exclude_reason": "not an incident object"})
            continue
        rows.append(_row(record, number, stone_map, file=file))
    frame = pd.DataFrame.from_records(rows)
    columns = ["incident_id", "title", "severity", "service", "team", *MILESTONE_MAP.values()]
    fields = {c: frame[c] if c in frame.columns else None for c in columns}
    fields = {k: v for k, v in fields.items() if v is not None}
    labels = {v: f"milestones[{k}].occurred_at" for k, v in stone_map.items()}
    labels["detected_at"] = "milestones[detected].occurred_at / created_at"
    if "note" in frame.columns:
        labels["resolved_at"] = (
            labels.get("resolved_at", "resolved_at") + " / a later milestone's occurred_at"
        )
    reading = Reading(
        SOURCE, file, tz=tz, dayfirst=dayfirst, severity_map=severity_map, default_severity_map=SEVERITY_MAP
    )
    return reading.incidents(
        fields,
        labels=labels,
        exclude_reason=frame["exclude_reason"] if "exclude_reason" in frame.columns else None,
        version=_versions(frame),
        extra={c: frame[c] for c in ("number", "current_milestone", "tags", "note") if c in frame.columns},
    )


def _label(value) -> str | None:
    if isinstance(value, dict):
        value = value.get("slug") or value.get("name")
    return None if value in (None, "") else str(value)


def _versions(frame: pd.DataFrame) -> pd.Series | None:
    if "updated_at" not in frame.columns or frame["updated_at"].isna().all():
        return None
    values = frame["updated_at"]
    text = values.where(values.map(lambda v: isinstance(v, str)).astype(bool)).astype("str")
    return pd.to_datetime(text, utc=True, format="ISO8601", errors="coerce")
