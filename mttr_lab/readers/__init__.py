"""One module per export source: the only code in mttr_lab that knows vendor field names.

Each reader module defines

- ``SOURCE``: its name, as given to ``read_export(source=...)``;
- ``sniff(sample) -> str | None``: why a :class:`~mttr_lab.readers._files.Sample` looks like
  its export, or None;
- ``read(path, *, tz=None, severity_map=None, **options) -> DataFrame``: the canonical
  ``incidents`` frame (built with :func:`mttr_lab.readers._build.build_incidents`, through
  :class:`mttr_lab.readers._plumbing.Reading`).

A reader module keeps only its vendor's mapping. What they share lives in the underscored
modules: ``_plumbing`` (text cells, names of nested objects, first records, the end of
``read()``), ``_build`` (the canonical frame), ``_files`` and ``_json_docs`` (reading files),
``_detect`` (recognising a source, refusing the wrong one). Readers of several export shapes
keep each shape in its own module (``_pagerduty_rest``/``_pagerduty_flat``,
``_statuspage_json``/``_statuspage_arrow``, ``_servicenow_table``/``_servicenow_events``);
``timelines`` reads the event fields through ``_events_json`` and ``_events_tables``.

``REGISTRY`` lists them in the order ``source="auto"`` tries them: specific shapes first,
the generic canonical-name reader last. Modules not present are skipped.
"""

from __future__ import annotations

import functools
import importlib
from types import ModuleType

#: source name -> module name, in auto-detection order.
REGISTRY: dict[str, str] = {
    "firehydrant": "firehydrant",
    "pagerduty": "pagerduty",
    "statuspage": "statuspage",
    "opsgenie": "opsgenie",
    "servicenow": "servicenow",
    "jira": "jira",
    "incidentio": "incidentio",
    "grafana_oncall": "grafana_oncall",
    "gcp_status": "gcp_status",
    "eventlog": "eventlog",
    "csv": "generic",
}

#: Further names for the generic reader.
GENERIC_FORMATS = ("csv", "json", "jsonl")


def available() -> dict[str, ModuleType]:
    """The reader modules that exist, by source name, in auto-detection order."""
    return dict(_imported(tuple(REGISTRY.items())))


@functools.cache
def _imported(registry: tuple[tuple[str, str], ...]) -> tuple[tuple[str, ModuleType], ...]:
    """The modules of ``registry`` that exist, imported once (every read asks for them)."""
    out: list[tuple[str, ModuleType]] = []
    for source, module in registry:
        try:
            out.append((source, importlib.import_module(f"{__name__}.{module}")))
        except ModuleNotFoundError as exc:
            if exc.name != f"{__name__}.{module}":
                raise
    return tuple(out)
