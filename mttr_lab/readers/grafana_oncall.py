"""Grafana OnCall / Grafana IRM alert groups (``GET /api/v1/alert_groups/``).

Records come as pages ``{"count", "next", "previous", "results": [...]}`` (one, a JSON list of
pages, or JSON Lines of pages) or as a JSON list of alert groups.

Milestones: detected = ``created_at``; acknowledged = ``acknowledged_at``; resolved =
``resolved_at`` unless ``state`` says the group is ``new``, ``acknowledged`` or ``silenced``
(un-resolved since: open). A group whose ``state`` is ``resolved`` but whose ``resolved_at`` is
missing has ended at an unknown time: an alert group carries no other time that bounds its
resolution from above (no ``updated_at``; ``silenced_at`` and ``last_alert`` do not), so it is
excluded ("state says resolved but the export holds no resolution time"), not analysed as
open. OnCall has no severity (NA). Title = ``title``; service = the integration's name when
the export carries one (``integration_name``, ``integration.name`` or a text
``integration``), else NA. ``silenced_at`` is kept as an extra timestamp column: silencing is
not a response.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..timeparse import parse_timestamps
from ._build import whole_numbers
from ._files import Sample
from ._json_docs import load_json_records, require_objects
from ._plumbing import Reading, first_record, stripped_text

__all__ = ["NO_RESOLUTION_REASON", "SOURCE", "read", "sniff"]

SOURCE = "grafana_oncall"
#: What this export is, and the fields that only it has (said when another reader gets it).
SIGNATURE = ("a Grafana OnCall export", "alert groups with alerts_count and state")

#: States of a group that is not (or no longer) resolved.
_UNRESOLVED = ("new", "acknowledged", "silenced")
NO_RESOLUTION_REASON = "state says resolved but the export holds no resolution time"
_COLUMNS = (
    "id",
    "alert_group_number",
    "title",
    "state",
    "alerts_count",
    "created_at",
    "acknowledged_at",
    "resolved_at",
    "silenced_at",
    "integration_id",
    "integration",
    "route_id",
    "acknowledged_by",
    "resolved_by",
)


def sniff(sample: Sample) -> str | None:
    """Recognise Grafana OnCall alert groups (``alerts_count`` and ``state``).

    Returns
    -------
    str or None
        Why the file looks like an OnCall export, or None.
    """
    if sample.kind == "csv":
        return None
    first = first_record(sample.json(), "results")
    if isinstance(first, dict) and {"alerts_count", "state", "created_at"} <= first.keys():
        return "Grafana OnCall alert groups (alerts_count, state, created_at)"
    return None


def _integration_name(rec: dict) -> Any:
    name = rec.get("integration_name")
    integration = rec.get("integration")
    if name is None and isinstance(integration, dict):
        name = integration.get("verbal_name") or integration.get("name")
    elif name is None and isinstance(integration, str):
        name = integration
    return name


def _flatten(records: list[Any], *, file: str) -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    require_objects(records, file=file, expected="one alert group object per record")
    for rec in records:
        row = {name: rec.get(name) for name in _COLUMNS}
        row["integration"] = _integration_name(rec)
        rows.append(row)
    return pd.DataFrame(rows, columns=list(_COLUMNS))


def read(
    path: str | Path,
    *,
    tz: str | None = None,
    dayfirst: bool | None = None,
    severity_map: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read Grafana OnCall alert groups into the canonical ``incidents`` frame.

    Parameters
    ----------
    path : path
        Alert-group pages or a list of alert groups (JSON or JSON Lines, optionally ``.gz``).
    tz : str, optional
        IANA timezone for timestamps without an offset (OnCall's carry ``Z``).
    dayfirst : bool, optional
        Order of slash dates, were there any.
    severity_map : mapping, optional
        Accepted for a uniform interface; OnCall records carry no severity.

    Returns
    -------
    DataFrame
        The canonical columns (severity NA), then ``alert_group_number``, ``state``,
        ``alerts_count``, ``silenced_at`` (UTC), ``integration_id``, ``route_id``,
        ``acknowledged_by`` and ``resolved_by``.

    Raises
    ------
    InputError
        Naming the file, record and field of unusable input.
    """
    file = str(path)
    raw = _flatten(load_json_records(path, keys=("results",)), file=file)
    ids = raw["id"].tolist()

    def name(pos: int) -> str:
        return f"record {pos + 1}" + (f" (id {ids[pos]})" if isinstance(ids[pos], str) else "")

    def when(field: str) -> pd.Series:
        return parse_timestamps(raw[field], tz=tz, dayfirst=dayfirst, file=file, field=field, records=name)

    state = stripped_text(raw["state"]).str.lower()
    resolved = when("resolved_at")
    resolved = resolved.mask(state.isin(_UNRESOLVED))
    # Resolved by its state, with no time: excluded rather than counted as open.
    unresolvable = state.eq("resolved") & resolved.isna()
    exclude = pd.Series(pd.NA, index=raw.index, dtype="str").mask(unresolvable, NO_RESOLUTION_REASON)
    reading = Reading(SOURCE, file, severity_map=severity_map)
    return reading.incidents(
        {
            "incident_id": raw["id"],
            "title": raw["title"],
            "service": raw["integration"],
            "detected_at": when("created_at"),
            "acknowledged_at": when("acknowledged_at"),
            "resolved_at": resolved,
        },
        record_label="record",
        exclude_reason=exclude,
        extra={
            "alert_group_number": whole_numbers(raw["alert_group_number"]),
            "state": state,
            "alerts_count": whole_numbers(raw["alerts_count"]),
            "silenced_at": when("silenced_at"),
            "integration_id": stripped_text(raw["integration_id"]),
            "route_id": stripped_text(raw["route_id"]),
            "acknowledged_by": stripped_text(raw["acknowledged_by"]),
            "resolved_by": stripped_text(raw["resolved_by"]),
        },
    )
