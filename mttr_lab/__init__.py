"""mttr_lab: incident-recovery analysis from real incident exports, with honest statistics.

The data flow::

    export --read_export--> incidents --phase_durations--> durations --stats--> tables --> plots, reports
                                 `--check_incidents--> findings (what was excluded or repaired, and why)
"""

from .io import detect_source, read_export, supported_sources
from .phases import phase_durations
from .quality import check_incidents, export_overview, findings_overview
from .schema import (
    INCIDENT_COLUMNS,
    METRICS,
    MILESTONES,
    PHASES,
    SEVERITIES,
    InputError,
)
from .stats import censored_minutes, duration_summary, ecdf_table, phase_breakdown, to_minutes

__version__ = "0.1.0"

__all__ = [
    "INCIDENT_COLUMNS",
    "METRICS",
    "MILESTONES",
    "PHASES",
    "SEVERITIES",
    "InputError",
    "__version__",
    "censored_minutes",
    "check_incidents",
    "detect_source",
    "duration_summary",
    "ecdf_table",
    "export_overview",
    "findings_overview",
    "phase_breakdown",
    "phase_durations",
    "read_export",
    "supported_sources",
    "to_minutes",
]
