"""mttr_lab: incident-recovery analysis from real incident exports, with honest statistics.

The data flow::

    export --read_export--> incidents --phase_durations--> durations --stats--> tables --> plots, reports
                                 `--check_incidents--> findings (what was excluded or repaired, and why)
"""

from .calendar import hour_uniformity_test, hour_weekday_table, time_class_summary, with_calendar
from .detectability import detectable_change, simulate_improvement
from .io import detect_source, read_export, supported_sources
from .narrative import Text, headline, mean_vs_median, overview_text
from .phases import phase_durations
from .plots import (
    PHASE_COLORS,
    SEVERITY_COLORS,
    format_minutes,
    plot_ecdf,
    plot_groups,
    plot_histogram,
    plot_hour_weekday,
    plot_phase_breakdown,
    plot_tiers,
    plot_time_classes,
)
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
from .tiers import assign_tiers, dora_tiers, seed_tiers

__version__ = "0.1.0"

__all__ = [
    "INCIDENT_COLUMNS",
    "METRICS",
    "MILESTONES",
    "PHASES",
    "PHASE_COLORS",
    "SEVERITIES",
    "SEVERITY_COLORS",
    "InputError",
    "Text",
    "__version__",
    "assign_tiers",
    "censored_minutes",
    "check_incidents",
    "detect_source",
    "detectable_change",
    "dora_tiers",
    "duration_summary",
    "ecdf_table",
    "export_overview",
    "findings_overview",
    "format_minutes",
    "headline",
    "hour_uniformity_test",
    "hour_weekday_table",
    "mean_vs_median",
    "overview_text",
    "phase_breakdown",
    "phase_durations",
    "plot_ecdf",
    "plot_groups",
    "plot_histogram",
    "plot_hour_weekday",
    "plot_phase_breakdown",
    "plot_tiers",
    "plot_time_classes",
    "read_export",
    "seed_tiers",
    "simulate_improvement",
    "supported_sources",
    "time_class_summary",
    "to_minutes",
    "with_calendar",
]
