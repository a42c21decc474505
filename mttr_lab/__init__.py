"""mttr_lab: incident-recovery analysis from real incident exports, with honest statistics.

The data flow::

    export --read_export--> incidents --phase_durations--> durations --stats--> tables --> plots, reports
                                 `--check_incidents--> findings (what was excluded or repaired, and why)
"""

from importlib import import_module
from typing import Any

#: Every name in the module's ``__all__``: :data:`_MODULES` does not list them again.
_ALL = "__all__"

#: Public names by the module that defines them (:data:`_ALL`: those of its ``__all__``). They are
#: imported on first use, so that ``import mttr_lab`` (and ``mttr-lab --help``) does not load
#: pandas, scipy and matplotlib.
_MODULES: dict[str, tuple[str, ...] | str] = {
    "calendar": ("hour_weekday_table", "time_class_summary", "with_calendar"),
    "uniformity": ("hour_uniformity_test",),
    "compare": ("compare_periods",),
    "groups": ("compare_groups",),
    "stratified": ("compare_periods_stratified",),
    "detectability": ("detectable_change",),
    "simulation": ("simulate_improvement",),
    "vendor_api": ("fetch",),
    "explorer": ("Explorer", "explore"),
    "frames": ("FrameKindError", "Period", "minutes_observed"),
    "io": ("detect_source", "from_frame", "read_export", "supported_sources"),
    "narrative": _ALL,
    "output": ("spreadsheet_safe", "to_safe_csv"),
    "phases": ("phase_durations",),
    "playbooks": ("coverage_table", "playbook_coverage", "playbook_effect"),
    "playbook_files": ("read_playbooks",),
    "plots": (
        "PHASE_COLORS",
        "SEVERITY_COLORS",
        "plot_ecdf",
        "plot_groups",
        "plot_histogram",
        "plot_phase_breakdown",
    ),
    "time_plots": ("plot_hour_weekday", "plot_time_classes", "plot_trend"),
    "comparison_plots": ("plot_comparison", "plot_tiers"),
    "dashboard": ("mttr_dashboard",),
    "postmortem": ("postmortem_markdown",),
    "quality": ("check_incidents", "resolved_from"),
    "accounting": ("export_overview", "findings_overview"),
    "report": ("ReviewError",),
    "response": _ALL,
    "response_plots": _ALL,
    "review": _ALL,
    "schema": ("INCIDENT_COLUMNS", "InputError", "METRICS", "MILESTONES", "PHASES", "SEVERITIES"),
    "stats": (
        "censored_minutes",
        "duration_summary",
        "ecdf_table",
        "phase_breakdown",
        "to_minutes",
    ),
    "intervals": ("quantile_interval_sizes",),
    "tiers": ("assign_tiers",),
    "tier_tables": ("dora_tiers", "seed_tiers"),
    "timeline": ("check_timeline", "read_timeline"),
    "trend": ("duration_trend",),
    "rolling": ("rolling_trend",),
    "improvement": ("improvement_question", "trend_slope"),
    "units": ("format_minutes", "format_p", "format_span", "readable", "show"),
}
_HOME: dict[str, str] = {}  # public name -> its module, filled on first use


def _module_all(module: str) -> tuple[str, ...]:
    """The ``__all__`` of a package module, read from its source: importing it would load pandas."""
    import re
    from pathlib import Path

    text = Path(__file__).with_name(f"{module}.py").read_text(encoding="utf-8")
    found = re.search(r"^__all__ = \[([^\]]*)\]", text, re.MULTILINE)
    if found is None:  # not a plain list: ask the module itself
        return tuple(import_module(f".{module}", __name__).__all__)
    return tuple(re.findall(r'"(\w+)"', found.group(1)))


def _home() -> dict[str, str]:
    """Public name -> the module that holds it."""
    if not _HOME:
        home = {}
        for module, names in _MODULES.items():
            home.update(dict.fromkeys(_module_all(module) if names == _ALL else names, module))
        _HOME.update(home)
    return _HOME


def _public() -> list[str]:
    """The package's ``__all__``: constants, then classes, then functions (as ruff sorts it)."""
    names = [*_home(), "__version__"]
    return sorted(names, key=lambda name: (not name.isupper(), not name[:1].isupper(), name))


def __getattr__(name: str) -> Any:
    if name == "__all__":  # computed on first use, like the names themselves
        value = _public()
    else:
        module = _home().get(name)
        if module is None:
            raise AttributeError(f"module 'mttr_lab' has no attribute {name!r}")
        value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__getattr__("__all__")})


__version__ = "0.1.0"
