"""Plots of the statistics tables: they draw, they never compute a statistic themselves.

Every ``plot_*`` function takes a table made by the statistics functions (or the per-incident
minutes of :func:`mttr_lab.censored_minutes`), draws on ``ax`` (a new figure when None) and returns
the Axes. Severities keep one colour everywhere (:data:`SEVERITY_COLORS`); durations are labelled
in human units on log axes. This module draws distributions (ECDF, histogram, groups, the phase
profile) and holds what every plot shares; ``time_plots`` draws time (trend, hour of day),
``comparison_plots`` verdicts (before/after, tiers), ``dashboard`` composes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.container import ErrorbarContainer
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

from .frames import refuse, require_row, require_table
from .intervals import quantile_interval_sizes
from .schema import PHASES, SEVERITIES
from .stats import MIN_COUNT
from .units import format_minutes, format_span, interval_level

__all__ = [
    "PHASE_COLORS",
    "SEVERITY_COLORS",
    "format_minutes",
    "plot_ecdf",
    "plot_groups",
    "plot_histogram",
    "plot_phase_breakdown",
]

#: One colour per severity, lowest to highest (colour-blind safe, from the Okabe-Ito palette).
SEVERITY_COLORS: dict[str, str] = {
    "low": "#56B4E9",
    "medium": "#E69F00",
    "high": "#D55E00",
    "critical": "#882255",
}
#: One colour per phase.
PHASE_COLORS: dict[str, str] = {
    "detection": "#999999",
    "response": "#E69F00",
    "diagnosis": "#56B4E9",
    "repair": "#009E73",
    "followup": "#CC79A7",
}
_OTHER = "#7F7F7F"
_DAY = 1440
_TICKS = np.array(
    [1 / 6, 1, 2, 5, 10, 30, 60, 120, 240, 480, 720]
    + [_DAY * d for d in (1, 2, 3, 7, 14, 30, 60, 120, 240, 365)]
)
_DENSE_TICKS = np.array(
    [1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720]
    + [_DAY * d for d in (1, 2, 3, 5, 7, 10, 14, 21, 30, 45, 60, 90, 120, 180, 270, 365)]
)


#: The ticks of a duration axis by importance: 1 min, 10 min, 1 h, 1 d, 7 d, 30 d, 1 year first,
#: then 4 h, 12 h, 10 s, 5 min, 30 min, 2 d, 3 d, 14 d, ..., then the rest.
_FIRST = (1, 10, 60, _DAY, 7 * _DAY, 30 * _DAY, 365 * _DAY)
_SECOND = (240, 720, 1 / 6, 5, 30, 2 * _DAY, 3 * _DAY, 14 * _DAY, 120 * _DAY)
#: Side by side, ticks at least this factor apart: their labels ("5 min", "10 min") do not touch.
_APART = 2.5


#: The span of a log duration axis with nothing above zero to draw: a day of minutes.
_NO_DURATIONS = (1.0, float(_DAY))


def _spaced(ticks: np.ndarray, apart: float = _APART) -> np.ndarray:
    """The most telling of ``ticks`` that lie at least ``apart`` times from each other (closer,
    down to twice, where that would leave fewer than three)."""
    kept: list[float] = []
    rank = {t: 0 if t in _FIRST else 1 if t in _SECOND else 2 for t in ticks}
    for tick in sorted(ticks, key=lambda t: (rank[t], t)):
        if all(max(tick, k) / min(tick, k) >= apart for k in kept):
            kept.append(tick)
    if len(kept) < 3:
        return _spaced(ticks, 2.0) if apart > 2 else np.asarray(ticks, dtype=float)
    return np.array(sorted(kept), dtype=float)


def _log_minutes_axis(ax: Axes, axis: str = "x", lo: float | None = None, hi: float | None = None) -> None:
    """A log axis of minutes with ticks at human durations (side by side on an x axis, spaced so
    that their labels do not touch)."""
    scale = ax.set_xscale if axis == "x" else ax.set_yscale
    data = ax.dataLim.intervalx if axis == "x" else ax.dataLim.intervaly
    if not (np.isfinite(data).all() and max(data) > 0):
        # nothing above zero to draw (every duration 0 s, or none): a day of minutes, rather than
        # a log axis without limits (and matplotlib's warning about it)
        (ax.set_xlim if axis == "x" else ax.set_ylim)(*_NO_DURATIONS)
    scale("log")
    target = ax.xaxis if axis == "x" else ax.yaxis
    ticks = _TICKS
    if lo is not None and hi is not None and np.isfinite(lo) and np.isfinite(hi):
        ticks = _TICKS[(_TICKS >= lo / 1.5) & (_TICKS <= hi * 1.5)]
        if axis == "x" and len(ticks) > 3:
            ticks = _spaced(ticks)
        if len(ticks) < 3:
            # A narrow range: take human ticks around it and widen the view to show them.
            ticks = _DENSE_TICKS[(_DENSE_TICKS >= lo / 1.6) & (_DENSE_TICKS <= hi * 1.6)]
            if len(ticks):
                limits = ax.get_xlim if axis == "x" else ax.get_ylim
                setter = ax.set_xlim if axis == "x" else ax.set_ylim
                current = limits()
                setter(min(current[0], ticks[0] / 1.1), max(current[1], ticks[-1] * 1.1))
        if len(ticks) > 9:
            ticks = ticks[:: int(np.ceil(len(ticks) / 9))]
    target.set_major_locator(FixedLocator(ticks))
    target.set_major_formatter(FuncFormatter(format_minutes))
    target.set_minor_formatter(NullFormatter())


#: Steps of a linear axis of minutes: human durations.
_STEPS = np.array(
    [1 / 12, 1 / 6, 1 / 4, 1 / 2, 1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720]
    + [_DAY * d for d in (1, 2, 7, 14, 30, 90, 180, 365)]
)


def _linear_minutes_axis(ax: Axes, axis: str = "x", hi: float | None = None) -> None:
    """A linear axis of minutes from 0 to ``hi``, with ticks at a human step (5 s to a year; at
    most 9 of them). Without ``hi``, from 0 to where the axis ends."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    (ax.set_xscale if axis == "x" else ax.set_yscale)("linear")
    limits = ax.set_xlim if axis == "x" else ax.set_ylim
    if hi is not None and np.isfinite(hi) and hi > 0:
        step = _STEPS[min(int(np.searchsorted(_STEPS, hi / 8)), len(_STEPS) - 1)]
        limits(0, hi)
        target.set_major_locator(FixedLocator(np.arange(0, hi + step / 2, step)))
    else:
        limits(0, None)
    target.set_major_formatter(FuncFormatter(format_minutes))
    target.set_minor_formatter(NullFormatter())


#: What an incident has done once a metric's clock stops ("time to respond": responded to).
_DONE = {
    "detect": "detected",
    "respond": "responded to",
    "repair": "repaired",
    "recover": "recovered",
    "resolve": "resolved",
}


def _share_label(metric: str) -> str:
    """The label of a curve's share axis for a metric's words ("time to respond", "repair")."""
    words = metric.replace("_", " ").removesuffix(" (log scale)")
    done = _DONE.get(words.removeprefix("time to ")) if words.startswith("time to ") else None
    return f"share of incidents {done}" if done else f"share of incidents past their {words}"


def _axes(ax: Axes | None, size: tuple[float, float] = (7, 4)) -> Axes:
    if ax is None:
        _fig, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _label(value: object) -> str:
    if isinstance(value, tuple):
        return " / ".join("—" if pd.isna(v) else str(v) for v in value)
    return "no severity" if pd.isna(value) else str(value)


#: What the plots take, for their errors: the table and the function that makes it.
ECDF = "the table of ecdf_table(durations)"
MINUTES = "the table of censored_minutes(durations)"
SUMMARY_ROW = 'one row of duration_summary(durations), such as duration_summary(durations).loc["all"]'


def _summary_row(summary: object, function: str) -> pd.Series | None:
    """``summary`` (None, or one row of :func:`mttr_lab.duration_summary`), checked for ``function``."""
    return None if summary is None else require_row(summary, function=function, expected=SUMMARY_ROW)


class _Mark(NamedTuple):
    """A statistic :func:`plot_ecdf` marks: its value at its share, its interval, colour and legend."""

    name: str
    level: float
    color: str
    value: float
    low: float
    high: float
    interval: bool  # whether both ends of the interval are known (else the point alone)
    label: str


#: What plot_ecdf marks: the summary's median and p90, at their share, in their colours.
_MARKED = (("median", 0.5, "#D55E00"), ("p90", 0.9, "#882255"))


def _ecdf_marks(summary: pd.Series | None) -> list[_Mark]:
    """The marks of ``summary`` (a row of :func:`mttr_lab.duration_summary`) that have a value."""
    marks = []
    for name, level, color in _MARKED if summary is not None else ():
        value = summary.get(name)
        if value is None or pd.isna(value):
            continue
        low, high = summary.get(f"{name}_low", np.nan), summary.get(f"{name}_high", np.nan)
        interval = bool(pd.notna(low) and pd.notna(high))
        label = f"{name} {format_minutes(value)}" + (f" ({format_span(low, high)})" if interval else "")
        marks.append(_Mark(name, level, color, float(value), low, high, interval, label))
    return marks


def _km_label(summary: pd.Series | None) -> str:
    """The Kaplan-Meier curve's legend: with the open incidents of ``summary`` it counts as
    censored; with none, it lies on the closed-only curve, which the legend says (one line is
    seen where two are listed)."""
    if summary is None or "open" not in summary or pd.isna(summary["open"]):
        return "Kaplan-Meier"
    opened = int(summary["open"])
    return (
        f"Kaplan-Meier ({opened} open counted as censored)"
        if opened
        else "Kaplan-Meier (none open: the same curve)"
    )


class _EcdfArtists(NamedTuple):
    """What :func:`plot_ecdf` draws of its curves: the explorer keeps them and gives them new data."""

    ecdf: Line2D
    km: Line2D
    band: PolyCollection
    marks: dict[str, ErrorbarContainer]  # by the mark's name (median, p90)


def _draw_ecdf(ax: Axes, x: np.ndarray, curves: pd.DataFrame, summary: pd.Series | None) -> _EcdfArtists:
    """The closed-only ECDF, the Kaplan-Meier curve and its band, and the summary's marks."""
    (ecdf,) = ax.step(
        x, curves["ecdf"], where="post", color="#444444", lw=1.2, ls="--", label="closed incidents only"
    )
    (km,) = ax.step(x, curves["km"], where="post", color="#0072B2", lw=1.8, label=_km_label(summary))
    band = ax.fill_between(
        x, curves["km_low"], curves["km_high"], step="post", color="#0072B2", alpha=0.18, lw=0
    )
    marks = {
        mark.name: ax.errorbar(
            [mark.value],
            [mark.level],
            xerr=[[mark.value - mark.low], [mark.high - mark.value]] if mark.interval else None,
            fmt="o",
            color=mark.color,
            capsize=4,
            zorder=5,
            label=mark.label,
        )
        for mark in _ecdf_marks(summary)
    }
    return _EcdfArtists(ecdf, km, band, marks)


def plot_ecdf(
    curves: pd.DataFrame,
    *,
    summary: pd.Series | None = None,
    metric: str = "time to recover",
    ax: Axes | None = None,
) -> Axes:
    """Share of incidents recovered by each duration: naive ECDF beside the Kaplan-Meier curve.

    Parameters
    ----------
    curves : DataFrame
        From :func:`mttr_lab.stats.ecdf_table` (``minutes``, ``ecdf``, ``km``, ``km_low``, ``km_high``).
    summary : Series, optional
        One row of :func:`mttr_lab.duration_summary`; its median and p90 are marked with their
        intervals, and ``open`` incidents are mentioned in the legend.
    metric : str
        Axis label.
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    require_table(
        curves, function="plot_ecdf", expected=ECDF, columns=("minutes", "ecdf", "km", "km_low", "km_high")
    )
    _summary_row(summary, "plot_ecdf")
    ax = _axes(ax)
    x = curves["minutes"].to_numpy()
    _draw_ecdf(ax, x, curves, summary)
    _log_minutes_axis(
        ax, "x", float(np.nanmin(x)) if len(x) else None, float(np.nanmax(x)) if len(x) else None
    )
    ax.set_ylim(0, 1.02)
    ax.set_ylabel(_share_label(metric))
    ax.set_xlabel(f"{metric} (log scale)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    return ax


def plot_histogram(
    minutes: pd.DataFrame,
    *,
    summary: pd.Series | None = None,
    metric: str = "time to recover",
    bins: int = 30,
    ax: Axes | None = None,
) -> Axes:
    """Histogram of durations on a log axis; open incidents stacked apart as "at least this long".

    Parameters
    ----------
    minutes : DataFrame
        From :func:`mttr_lab.censored_minutes` (``minutes``, ``censored``).
    summary : Series, optional
        One row of :func:`mttr_lab.duration_summary`: mean and median are drawn as lines.
    """
    require_table(minutes, function="plot_histogram", expected=MINUTES, columns=("minutes", "censored"))
    _summary_row(summary, "plot_histogram")
    ax = _axes(ax)
    values = minutes.dropna(subset=["minutes"])
    values = values[values["minutes"] > 0]
    closed = values.loc[~values["censored"], "minutes"].to_numpy()
    still_open = values.loc[values["censored"], "minutes"].to_numpy()
    every = values["minutes"].to_numpy()
    if len(every) == 0:
        ax.text(0.5, 0.5, "no durations", ha="center", va="center", transform=ax.transAxes)
        return ax
    edges = np.geomspace(every.min() * 0.95, every.max() * 1.05, bins + 1)
    ax.hist(
        [closed, still_open],
        bins=edges,
        stacked=True,
        color=["#0072B2", "#BBBBBB"],
        label=["closed", f"open ({len(still_open)}): at least this long"],
    )
    if summary is not None:
        for name, style in (("median", "-"), ("mean", ":")):
            value = summary.get(name)
            if value is not None and pd.notna(value):
                ax.axvline(value, color="#D55E00", ls=style, lw=1.5, label=f"{name} {format_minutes(value)}")
    _log_minutes_axis(ax, "x", every.min(), every.max())
    ax.set_xlabel(f"{metric} (log scale)")
    ax.set_ylabel("incidents")
    ax.legend(fontsize="small")
    return ax


def plot_phase_breakdown(
    breakdown: pd.DataFrame,
    *,
    statistic: str = "median",
    phases: Sequence[str] = ("detection", "response", "diagnosis", "repair"),
    ax: Axes | None = None,
) -> Axes:
    """Where the time goes: stacked horizontal bars of each phase per group.

    Parameters
    ----------
    breakdown : DataFrame
        From :func:`mttr_lab.phase_breakdown`.
    statistic : str
        What the table holds (``median`` or ``mean``), for the axis label.
    phases : sequence of str
        Phases to stack; by default those before recovery (add ``"followup"`` for the time to close).
    """
    require_table(
        breakdown, function="plot_phase_breakdown", expected="the table of phase_breakdown(durations)"
    )
    if not any(phase in breakdown.columns for phase in PHASES):
        refuse(
            breakdown,
            function="plot_phase_breakdown",
            expected="the table of phase_breakdown(durations)",
            needs=tuple(PHASES),
        )
    ax = _axes(ax, (7, 0.9 + 0.45 * len(breakdown)))
    if breakdown.empty:
        ax.text(0.5, 0.5, "no incidents", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    phases = [p for p in PHASES if p in phases and p in breakdown.columns]
    labels = [_label(i) for i in breakdown.index]
    counts = (
        breakdown["incidents"].to_numpy(dtype=float)
        if "incidents" in breakdown.columns
        else np.full(len(breakdown), np.inf)
    )
    # A group too small for an interval of its median is not profiled as if it were like the others.
    few = counts < quantile_interval_sizes(0.5)[1]
    # A group whose export records no two milestones around any phase has nothing to stack.
    unmeasured = (
        ~breakdown[phases].notna().any(axis=1).to_numpy() if phases else np.ones(len(breakdown), bool)
    )
    # Measured but all zero: milestones recorded at the same moment (a status page's first post).
    flat = (
        ~(breakdown[phases].fillna(0) > 0).any(axis=1).to_numpy() if phases else np.ones(len(breakdown), bool)
    )
    left = np.zeros(len(breakdown))
    for phase in phases:
        widths = np.where(few, 0.0, breakdown[phase].fillna(0).to_numpy(dtype=float))
        ax.barh(labels, widths, left=left, color=PHASE_COLORS[phase], label=phase, edgecolor="white", lw=0.5)
        left += widths
    if "incidents" in breakdown.columns:
        for y, (total, n, small, none, zero) in enumerate(
            zip(left, breakdown["incidents"], few, unmeasured, flat, strict=True)
        ):
            text = f"  n={n}"
            if small:
                text = f"  too few incidents to profile (n={n})"
            elif none:
                text = f"  no phase can be measured (n={n})"
            elif zero:
                text = f"  every phase measured takes 0 (n={n})"
            ax.text(total, y, text, va="center", fontsize="small", color="#444444")
    ax.invert_yaxis()
    ax.set_xlabel(f"{statistic} minutes in each phase (stacked; a {statistic} per phase, not a timeline)")
    ax.set_xlim(0, max(left.max(initial=0.0) * 1.18, 1))
    if (flat | few).all():  # no bar to see: the reason instead of a legend of empty colours
        if few.all():
            reason = "every group has too few incidents to profile"
        elif (unmeasured | few).all():
            reason = "the export does not record the milestones around them"
        else:
            reason = "the milestones it records fall at the same moment"
        ax.set_title(f"No time to show in any phase: {reason}", fontsize="small")
        ax.set_xticks([])
        return ax
    ax.legend(
        ncols=len(phases), loc="lower center", bbox_to_anchor=(0.5, 1.0), fontsize="small", frameon=False
    )
    return ax


def plot_groups(
    minutes: pd.DataFrame,
    *,
    by: str,
    summary: pd.DataFrame | None = None,
    metric: str = "time to recover",
    order: Sequence | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Box and strip of durations per group (severity, service, ...), small groups visibly marked.

    Parameters
    ----------
    minutes : DataFrame
        :func:`mttr_lab.censored_minutes` joined with the ``by`` column (``minutes``, ``censored``, ``by``).
    by : str
        The grouping column.
    summary : DataFrame, optional
        :func:`mttr_lab.duration_summary` by the same column: medians with intervals are overlaid.
    order : sequence, optional
        Group order; severities are ordered lowest to highest, others by median.
    """
    require_table(
        minutes,
        function="plot_groups",
        expected=f"{MINUTES} joined with the {by} column of the durations",
        columns=("minutes", "censored", by),
        frames_too=True,  # censored_minutes(durations).join(durations): a durations frame too
    )
    if summary is not None:
        require_table(
            summary,
            function="plot_groups",
            expected=f"the table of duration_summary(durations, by={by!r})",
            columns=("median",),
        )
    missing = f"no {by}"  # incidents without a group are a group of their own, never left out
    everything = minutes.dropna(subset=["minutes"])
    everything = everything.assign(**{by: everything[by].astype("string").fillna(missing)})
    zeros = (
        everything.loc[(everything["minutes"] <= 0) & ~everything["censored"], by].astype(str).value_counts()
    )
    data = everything[everything["minutes"] > 0]  # a log axis cannot show zero: counted in the label
    if order is None:
        if by == "severity":
            present = set(everything[by])
            order = [s for s in (*SEVERITIES, missing) if s in present]
        else:
            closed = everything.loc[~everything["censored"]]
            order = closed.groupby(by, observed=True)["minutes"].median().sort_values().index
    order = [str(o) for o in order]
    ax = _axes(ax, (7, 0.8 + 0.5 * len(order)))
    groups = [data.loc[(data[by].astype(str) == g) & ~data["censored"], "minutes"].to_numpy() for g in order]
    colors = [SEVERITY_COLORS.get(g, _OTHER) for g in order]
    boxes = ax.boxplot(
        groups,
        orientation="horizontal",
        tick_labels=order,
        showfliers=False,
        patch_artist=True,
        widths=0.55,
        medianprops={"color": "#333333", "lw": 1},
    )
    for patch, color in zip(boxes["boxes"], colors, strict=True):
        patch.set_facecolor(color)
        patch.set_alpha(0.35)
    _group_points(ax, data, by=by, order=order, colors=colors, zeros=zeros)
    if summary is not None and "median" in summary.columns:
        _group_medians(ax, summary, order=order, missing=missing)
    every = data["minutes"]
    _log_minutes_axis(ax, "x", every.min() if len(every) else None, every.max() if len(every) else None)
    ax.set_xlabel(f"{metric} (log scale)")
    ax.set_ylabel(by)
    handles, _labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(fontsize="small", loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False)
    return ax


def _group_points(
    ax: Axes, data: pd.DataFrame, *, by: str, order: list[str], colors: list[str], zeros: pd.Series
) -> None:
    """Each group's incidents as jittered points (open ones as hollow arrows) and its count."""
    rng = np.random.default_rng(0)  # jitter only: the same picture every time
    open_label = "open (at least this long)"
    for y, (g, color) in enumerate(zip(order, colors, strict=True), start=1):
        rows = data[data[by].astype(str) == g]
        jitter = rng.uniform(-0.18, 0.18, len(rows))
        closed = ~rows["censored"].to_numpy()
        ax.scatter(rows["minutes"][closed], y + jitter[closed], s=6, color=color, alpha=0.6, lw=0)
        if (~closed).any():
            ax.scatter(
                rows["minutes"][~closed],
                y + jitter[~closed],
                s=18,
                marker=">",
                facecolor="none",
                edgecolor="#333333",
                lw=0.8,
                label=open_label,
            )
            open_label = None
        at_zero = int(zeros.get(g, 0))
        n = int(closed.sum()) + at_zero
        opened = int((~closed).sum())
        small = n < MIN_COUNT["p90"]
        ax.text(
            1.01,
            y,
            f"n={n}"
            + (f" + {opened} open" if opened else "")  # as many as the table's incidents
            + (" (few)" if small else "")
            + (f"\n{at_zero} at 0, not drawn" if at_zero else ""),
            transform=ax.get_yaxis_transform(),
            va="center",
            fontsize="small",
            color="#B00020" if small else "#444444",
        )


def _group_medians(ax: Axes, summary: pd.DataFrame, *, order: list[str], missing: str) -> None:
    """Each group's median with its interval, from the summary by the same column."""
    table = summary.copy()
    table.index = [missing if pd.isna(i) else str(i) for i in table.index]
    label = f"median ({interval_level(summary)} interval)"  # on the first median drawn
    for y, g in enumerate(order, start=1):
        if g not in table.index or pd.isna(table.loc[g, "median"]):
            continue
        med = table.loc[g, "median"]
        low, high = table.loc[g].get("median_low", np.nan), table.loc[g].get("median_high", np.nan)
        err = [[med - low], [high - med]] if pd.notna(low) and pd.notna(high) else None
        ax.errorbar(
            [med],
            [y],
            xerr=err,
            fmt="D",
            color="black",
            ms=5,
            capsize=3,
            zorder=6,
            label=label,
        )
        label = None
