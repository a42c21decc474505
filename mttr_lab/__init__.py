"""mttr_lab: incident-recovery analysis from real incident exports, with honest statistics.

The data flow::

    export --read_export--> incidents --phase_durations--> durations --stats--> tables --> plots, reports
                                 `--check_incidents--> findings (what was excluded or repaired, and why)
"""

from .calendar import hour_uniformity_test, hour_weekday_table, time_class_summary, with_calendar
from .compare import compare_groups, compare_periods, compare_periods_stratified
from .detectability import detectable_change, simulate_improvement
from .frames import FrameKindError, Period, minutes_observed
from .io import detect_source, read_export, supported_sources
from .narrative import (
    Text,
    comparison_text,
    headline,
    mean_vs_median,
    missing_column,
    overview_text,
    review_title,
)
from .output import spreadsheet_safe, to_safe_csv
from .phases import phase_durations
from .playbooks import coverage_table, playbook_coverage, playbook_effect, read_playbooks
from .plots import (
    PHASE_COLORS,
    SEVERITY_COLORS,
    mttr_dashboard,
    plot_comparison,
    plot_ecdf,
    plot_groups,
    plot_histogram,
    plot_hour_weekday,
    plot_phase_breakdown,
    plot_tiers,
    plot_time_classes,
    plot_trend,
)
from .postmortem import postmortem_markdown
from .quality import check_incidents, export_overview, findings_overview
from .report import ReviewError
from .response import (
    channel_summary,
    escalation_adherence,
    growth_by_count,
    ping_pong_pairs,
    process_overview,
    response_process,
    trigger_channels,
    untracked_time,
)
from .response_plots import plot_adherence, plot_channels, plot_growth, plot_ping_pong
from .review import (
    detection_lag,
    latest_incidents,
    mean_sensitivity,
    percentile_pitfall,
    period_durations,
    quarter_bounds,
    quarter_table,
    severity_mix,
    slowest_incidents,
    tidy,
)
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
from .timeline import check_timeline, read_timeline
from .trend import duration_trend, improvement_question, rolling_trend, trend_slope
from .units import format_minutes, format_p, readable, show

__version__ = "0.1.0"

__all__ = [
    "INCIDENT_COLUMNS",
    "METRICS",
    "MILESTONES",
    "PHASES",
    "PHASE_COLORS",
    "SEVERITIES",
    "SEVERITY_COLORS",
    "FrameKindError",
    "InputError",
    "Period",
    "ReviewError",
    "Text",
    "__version__",
    "assign_tiers",
    "censored_minutes",
    "channel_summary",
    "check_incidents",
    "check_timeline",
    "compare_groups",
    "compare_periods",
    "compare_periods_stratified",
    "comparison_text",
    "coverage_table",
    "detect_source",
    "detectable_change",
    "detection_lag",
    "dora_tiers",
    "duration_summary",
    "duration_trend",
    "ecdf_table",
    "escalation_adherence",
    "export_overview",
    "findings_overview",
    "format_minutes",
    "format_p",
    "growth_by_count",
    "headline",
    "hour_uniformity_test",
    "hour_weekday_table",
    "improvement_question",
    "latest_incidents",
    "mean_sensitivity",
    "mean_vs_median",
    "minutes_observed",
    "missing_column",
    "mttr_dashboard",
    "overview_text",
    "percentile_pitfall",
    "period_durations",
    "phase_breakdown",
    "phase_durations",
    "ping_pong_pairs",
    "playbook_coverage",
    "playbook_effect",
    "plot_adherence",
    "plot_channels",
    "plot_comparison",
    "plot_ecdf",
    "plot_groups",
    "plot_growth",
    "plot_histogram",
    "plot_hour_weekday",
    "plot_phase_breakdown",
    "plot_ping_pong",
    "plot_tiers",
    "plot_time_classes",
    "plot_trend",
    "postmortem_markdown",
    "process_overview",
    "quarter_bounds",
    "quarter_table",
    "read_export",
    "read_playbooks",
    "read_timeline",
    "readable",
    "response_process",
    "review_title",
    "rolling_trend",
    "seed_tiers",
    "severity_mix",
    "show",
    "simulate_improvement",
    "slowest_incidents",
    "spreadsheet_safe",
    "supported_sources",
    "tidy",
    "time_class_summary",
    "to_minutes",
    "to_safe_csv",
    "trend_slope",
    "trigger_channels",
    "untracked_time",
    "with_calendar",
]
