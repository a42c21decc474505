"""mttr_lab: incident-recovery analysis from real incident exports, with honest statistics.

The data flow::

    export --read_export--> incidents --phase_durations--> durations --stats--> tables --> plots, reports
                                 `--check_incidents--> findings (what was excluded or repaired, and why)
"""

from importlib import import_module
from typing import Any

#: Public names by the module that defines them. They are imported on first use, so that
#: ``import mttr_lab`` (and ``mttr-lab --help``) does not load pandas, scipy and matplotlib.
_MODULES: dict[str, tuple[str, ...]] = {
    "calendar": ("hour_uniformity_test", "hour_weekday_table", "time_class_summary", "with_calendar"),
    "compare": ("compare_groups", "compare_periods", "compare_periods_stratified"),
    "detectability": ("detectable_change", "simulate_improvement"),
    "vendor_api": ("fetch",),
    "explorer": ("Explorer", "explore"),
    "frames": ("FrameKindError", "Period", "minutes_observed"),
    "io": ("detect_source", "from_frame", "read_export", "supported_sources"),
    "narrative": (
        "Text",
        "comparison_text",
        "headline",
        "mean_vs_median",
        "missing_column",
        "overview_text",
        "review_title",
    ),
    "output": ("spreadsheet_safe", "to_safe_csv"),
    "phases": ("phase_durations",),
    "playbooks": ("coverage_table", "playbook_coverage", "playbook_effect", "read_playbooks"),
    "plots": (
        "PHASE_COLORS",
        "SEVERITY_COLORS",
        "mttr_dashboard",
        "plot_comparison",
        "plot_ecdf",
        "plot_groups",
        "plot_histogram",
        "plot_hour_weekday",
        "plot_phase_breakdown",
        "plot_tiers",
        "plot_time_classes",
        "plot_trend",
    ),
    "postmortem": ("postmortem_markdown",),
    "quality": ("check_incidents", "export_overview", "findings_overview"),
    "report": ("ReviewError",),
    "response": (
        "channel_summary",
        "escalation_adherence",
        "growth_by_count",
        "ping_pong_pairs",
        "process_overview",
        "response_process",
        "trigger_channels",
        "untracked_time",
    ),
    "response_plots": ("plot_adherence", "plot_channels", "plot_growth", "plot_ping_pong"),
    "review": (
        "detection_lag",
        "latest_incidents",
        "mean_sensitivity",
        "percentile_pitfall",
        "period_durations",
        "quarter_bounds",
        "review_bounds",
        "quarter_table",
        "severity_mix",
        "slowest_incidents",
        "tidy",
    ),
    "schema": ("INCIDENT_COLUMNS", "InputError", "METRICS", "MILESTONES", "PHASES", "SEVERITIES"),
    "stats": ("censored_minutes", "duration_summary", "ecdf_table", "phase_breakdown", "to_minutes"),
    "tiers": ("assign_tiers", "dora_tiers", "seed_tiers"),
    "timeline": ("check_timeline", "read_timeline"),
    "trend": ("duration_trend", "improvement_question", "rolling_trend", "trend_slope"),
    "units": ("format_minutes", "format_p", "readable", "show"),
}
_HOME = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _HOME.get(name)
    if module is None:
        raise AttributeError(f"module 'mttr_lab' has no attribute {name!r}")
    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__version__ = "0.1.0"

__all__ = [
    "INCIDENT_COLUMNS",
    "METRICS",
    "MILESTONES",
    "PHASES",
    "PHASE_COLORS",
    "SEVERITIES",
    "SEVERITY_COLORS",
    "Explorer",
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
    "explore",
    "export_overview",
    "fetch",
    "findings_overview",
    "format_minutes",
    "format_p",
    "from_frame",
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
    "review_bounds",
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
