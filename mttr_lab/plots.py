"""Plots of the statistics tables: they draw, they never compute a statistic themselves.

Every ``plot_*`` function takes a table made by the statistics functions (or the per-incident
minutes of :func:`mttr_lab.censored_minutes`), draws on ``ax`` (a new figure when None) and returns
the Axes. Severities keep one colour everywhere (:data:`SEVERITY_COLORS`); durations are labelled
in human units on log axes.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

from .frames import DURATIONS, require
from .schema import PHASES, SEVERITIES
from .stats import MIN_COUNT, quantile_interval_sizes
from .units import format_minutes, interval_level

__all__ = [
    "PHASE_COLORS",
    "SEVERITY_COLORS",
    "format_minutes",
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
_TICKS = np.array([1, 2, 5, 10, 30, 60, 120, 240, 480, 720, 1440, 2880, 4320, 10080, 20160, 43200])
_DENSE_TICKS = np.array(
    [1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 360, 480, 720, 1440, 2880, 4320]
)


def _log_minutes_axis(ax: Axes, axis: str = "x", lo: float | None = None, hi: float | None = None) -> None:
    """A log axis of minutes with ticks at human durations."""
    scale = ax.set_xscale if axis == "x" else ax.set_yscale
    scale("log")
    target = ax.xaxis if axis == "x" else ax.yaxis
    ticks = _TICKS
    if lo is not None and hi is not None and np.isfinite(lo) and np.isfinite(hi):
        ticks = _TICKS[(_TICKS >= lo / 1.5) & (_TICKS <= hi * 1.5)]
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


def _axes(ax: Axes | None, size: tuple[float, float] = (7, 4)) -> Axes:
    if ax is None:
        _fig, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _label(value: object) -> str:
    if isinstance(value, tuple):
        return " / ".join("—" if pd.isna(v) else str(v) for v in value)
    return "no severity" if pd.isna(value) else str(value)


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
    ax = _axes(ax)
    x = curves["minutes"].to_numpy()
    ax.step(x, curves["ecdf"], where="post", color="#444444", lw=1.2, ls="--", label="closed incidents only")
    opened = int(summary["open"]) if summary is not None and "open" in summary else 0
    km_label = f"Kaplan-Meier ({opened} open counted as censored)" if opened else "Kaplan-Meier"
    ax.step(x, curves["km"], where="post", color="#0072B2", lw=1.8, label=km_label)
    ax.fill_between(x, curves["km_low"], curves["km_high"], step="post", color="#0072B2", alpha=0.18, lw=0)
    if summary is not None:
        for name, level, color in (("median", 0.5, "#D55E00"), ("p90", 0.9, "#882255")):
            value = summary.get(name)
            if value is None or pd.isna(value):
                continue
            low, high = summary.get(f"{name}_low", np.nan), summary.get(f"{name}_high", np.nan)
            err = [[value - low], [high - value]] if pd.notna(low) and pd.notna(high) else None
            ax.errorbar(
                [value],
                [level],
                xerr=err,
                fmt="o",
                color=color,
                capsize=4,
                zorder=5,
                label=f"{name} {format_minutes(value)}"
                + (f" ({format_minutes(low)}–{format_minutes(high)})" if err is not None else ""),
            )
    _log_minutes_axis(
        ax, "x", float(np.nanmin(x)) if len(x) else None, float(np.nanmax(x)) if len(x) else None
    )
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("share of incidents recovered")
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
    left = np.zeros(len(breakdown))
    for phase in phases:
        widths = np.where(few, 0.0, breakdown[phase].fillna(0).to_numpy(dtype=float))
        ax.barh(labels, widths, left=left, color=PHASE_COLORS[phase], label=phase, edgecolor="white", lw=0.5)
        left += widths
    if "incidents" in breakdown.columns:
        for y, (total, n, small) in enumerate(zip(left, breakdown["incidents"], few, strict=True)):
            text = f"  too few incidents to profile (n={n})" if small else f"  n={n}"
            ax.text(total, y, text, va="center", fontsize="small", color="#444444")
    ax.invert_yaxis()
    ax.set_xlabel(f"{statistic} minutes in each phase (stacked; a {statistic} per phase, not a timeline)")
    ax.set_xlim(0, max(left.max(initial=0.0) * 1.18, 1))
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
    everything = minutes.dropna(subset=["minutes"])
    zeros = (
        everything.loc[(everything["minutes"] <= 0) & ~everything["censored"], by].astype(str).value_counts()
    )
    data = everything[everything["minutes"] > 0]  # a log axis cannot show zero: counted in the label
    if order is None:
        if by == "severity":
            order = [s for s in SEVERITIES if s in set(everything[by].dropna().astype(str))]
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
        small = n < MIN_COUNT["p90"]
        ax.text(
            1.01,
            y,
            f"n={n}" + (" (few)" if small else "") + (f"\n{at_zero} at 0, not drawn" if at_zero else ""),
            transform=ax.get_yaxis_transform(),
            va="center",
            fontsize="small",
            color="#B00020" if small else "#444444",
        )
    if summary is not None and "median" in summary.columns:
        table = summary.copy()
        table.index = [_label(i) for i in table.index]
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
                label=f"median ({interval_level(summary)} interval)" if y == 1 else None,
            )
    every = data["minutes"]
    _log_minutes_axis(ax, "x", every.min() if len(every) else None, every.max() if len(every) else None)
    ax.set_xlabel(f"{metric} (log scale)")
    ax.set_ylabel(by)
    handles, _labels = ax.get_legend_handles_labels()
    if handles:
        ax.legend(fontsize="small", loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False)
    return ax


def plot_hour_weekday(
    table: pd.DataFrame,
    *,
    tz: str | None = None,
    normalised: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """Heatmap of incidents per hour of day x weekday, in the team's timezone.

    Parameters
    ----------
    table : DataFrame
        From :func:`mttr_lab.hour_weekday_table` (24 hours x 7 weekdays).
    tz : str, optional
        The timezone the table was made in, for the title.
    normalised : bool
        Whether the table holds rates per week (True) or raw counts.
    """
    import seaborn as sns

    ax = _axes(ax, (7, 6))
    label = "incidents per hour, averaged over the weeks observed" if normalised else "incidents"
    sns.heatmap(
        table.astype(float),
        ax=ax,
        cmap="rocket_r",
        cbar_kws={"label": label},
        linewidths=0.3,
        linecolor="white",
        mask=table.isna(),
    )
    ax.set_ylabel(f"hour of day ({tz})" if tz else "hour of day")
    ax.set_xlabel("")
    ax.set_yticks(np.arange(0, 24, 3) + 0.5, [f"{h:02d}:00" for h in range(0, 24, 3)], rotation=0)
    ax.set_title(f"When incidents start ({tz})" if tz else "When incidents start", loc="left")
    return ax


def plot_time_classes(
    summary: pd.DataFrame, *, metric: str = "time to recover", ax: Axes | None = None
) -> Axes:
    """Median duration per time class (business, off and sleep hours) with intervals and rates.

    Parameters
    ----------
    summary : DataFrame
        From :func:`mttr_lab.time_class_summary`.
    """
    ax = _axes(ax, (7, 2.6))
    labels = [str(i) for i in summary.index]
    y = np.arange(len(summary))
    med = summary["median"].to_numpy(dtype=float)
    low = summary.get("median_low", pd.Series(np.nan, index=summary.index)).to_numpy(dtype=float)
    high = summary.get("median_high", pd.Series(np.nan, index=summary.index)).to_numpy(dtype=float)
    ok = np.isfinite(low) & np.isfinite(high)
    ax.errorbar(
        med[ok],
        y[ok],
        xerr=[med[ok] - low[ok], high[ok] - med[ok]],
        fmt="o",
        color="#0072B2",
        capsize=4,
        label=f"median ({interval_level(summary)} interval)",
    )
    ax.plot(med[~ok], y[~ok], "o", color="#0072B2", mfc="white")
    for yi, (_, row) in zip(y, summary.iterrows(), strict=True):
        rate = row.get("incidents_per_hour", np.nan)
        text = f"  n={int(row['count'])}" + (f"\n  {rate:.2f}/hour" if pd.notna(rate) else "")
        ax.annotate(text, (1.0, yi), xycoords=("axes fraction", "data"), va="center", fontsize="small")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    finite = np.concatenate([med[np.isfinite(med)], low[ok], high[ok]])
    _log_minutes_axis(ax, "x", finite.min() if len(finite) else None, finite.max() if len(finite) else None)
    ax.set_xlabel(f"median {metric} (log scale)")
    ax.legend(fontsize="small", loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    return ax


_TIER_COLORS = {
    "elite": "#1B9E77",
    "high": "#A6D96A",
    "medium": "#FDAE61",
    "needs work": "#D7191C",
    "low": "#D7191C",
}


def plot_tiers(
    assignments: pd.DataFrame,
    tiers: pd.DataFrame,
    *,
    statistic: str = "median",
    ax: Axes | None = None,
) -> Axes:
    """Where each group sits against benchmark tiers, with its interval.

    Parameters
    ----------
    assignments : DataFrame
        From :func:`mttr_lab.assign_tiers` (one row per group).
    tiers : DataFrame
        The tier table used: :func:`mttr_lab.seed_tiers` (thresholds per ``priority``, matched to the
        group's severity) or :func:`mttr_lab.dora_tiers` for one year (the same thresholds for all).
    """
    rows = assignments[assignments[statistic].notna()]
    ax = _axes(ax, (7, 0.9 + 0.55 * len(rows)))
    values = rows[statistic].to_numpy(dtype=float)
    lo_all = np.nanmin(np.r_[values, rows[f"{statistic}_low"].to_numpy(dtype=float)]) if len(rows) else 1
    hi_all = np.nanmax(np.r_[values, rows[f"{statistic}_high"].to_numpy(dtype=float)]) if len(rows) else 100
    left, right = max(lo_all / 3, 0.5), hi_all * 3
    seen: set[str] = set()
    for y, (key, row) in enumerate(rows.iterrows()):
        group = key[-1] if isinstance(key, tuple) else key
        band = tiers[tiers["priority"] == str(group)] if "priority" in tiers.columns else tiers
        # Tiers sharing a bucket (DORA 2019 and 2024: high and medium are both "< 1 day") are drawn
        # once, as the better tier, so that bands do not blend into a colour the legend lacks.
        band = band.sort_values("rank").drop_duplicates(["lower_minutes", "upper_minutes"], keep="first")
        for _, tier in band.iterrows():
            start, end = max(tier["lower_minutes"], left), min(tier["upper_minutes"], right)
            if end <= start:
                continue
            name = str(tier["tier"])
            ax.barh(
                y,
                end - start,
                left=start,
                height=0.8,
                color=_TIER_COLORS.get(name, _OTHER),
                alpha=0.35,
                lw=0,
                label=name if name not in seen else None,
            )
            seen.add(name)
        low, high = row[f"{statistic}_low"], row[f"{statistic}_high"]
        placed = pd.notna(low) and pd.notna(high)
        err = [[row[statistic] - low], [high - row[statistic]]] if placed else None
        # Without an interval the group is too small to place: drawn hollow, and said so.
        face = "black" if placed else "white"
        ax.errorbar(
            [row[statistic]], [y], xerr=err, fmt="D", color="black", mfc=face, capsize=4, ms=5, zorder=5
        )
        spanned = row["tiers_spanned"] if pd.notna(row["tiers_spanned"]) else "not placed"
        spanned = spanned if placed else "too few incidents to place"
        ax.annotate(
            f"  {spanned}", (1.0, y), xycoords=("axes fraction", "data"), va="center", fontsize="small"
        )
    ax.set_yticks(range(len(rows)), [_label(k) for k in rows.index])
    ax.invert_yaxis()
    ax.set_xlim(left, right)
    _log_minutes_axis(ax, "x", left, right)
    ax.set_xlabel(f"{statistic} time to recover with {interval_level(assignments)} interval (log scale)")
    ax.legend(ncols=4, fontsize="small", loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    return ax


def plot_trend(
    trend: pd.DataFrame,
    *,
    target: float | None = None,
    statistic: str = "median",
    metric: str = "time to recover",
    ax: Axes | None = None,
) -> Axes:
    """Per-period statistic with its interval band; empty periods are gaps, never zeros.

    Parameters
    ----------
    trend : DataFrame
        From :func:`mttr_lab.duration_trend` (one group: filter a ``by`` table first), or from
        :func:`mttr_lab.rolling_trend` (drawn at each window's end; windows with too few
        incidents hollow).
    target : float, optional
        A target in minutes, drawn as a horizontal line.
    statistic : str
        ``median`` or ``geomean`` (a column with ``_low``/``_high``).
    """
    ax = _axes(ax, (8, 3.8))
    rolling = "period_start" not in trend.columns and "window_end" in trend.columns
    x = pd.to_datetime(trend["window_end" if rolling else "period_start"]).dt.tz_localize(None)
    value = trend[statistic].astype(float)
    low = trend[f"{statistic}_low"].astype(float)
    high = trend[f"{statistic}_high"].astype(float)
    # NaN breaks the line and the band: an empty period is drawn as a gap.
    ax.fill_between(
        x, low, high, color="#0072B2", alpha=0.18, lw=0, label=f"{interval_level(trend)} interval"
    )
    if not rolling:  # a period whose neighbours have no interval gets no band: draw its bar
        ax.errorbar(
            x, value, yerr=[value - low, high - value], fmt="none", ecolor="#0072B2", alpha=0.5, capsize=2
        )
    ax.plot(x, value, "o-", color="#0072B2", ms=4, label=statistic)
    empty = trend["empty"].to_numpy(dtype=bool) if "empty" in trend.columns else np.zeros(len(trend), bool)
    ends = (
        pd.to_datetime(trend["period_end"]).dt.tz_localize(None)
        if "period_end" in trend.columns
        else x + pd.Timedelta(days=27)
    )
    for start, end in zip(x[empty], ends[empty], strict=True):
        ax.axvspan(start, end, color="#BBBBBB", alpha=0.35, lw=0)
    if empty.any():
        ax.plot([], [], "s", color="#BBBBBB", alpha=0.6, label="no incidents")
    if rolling and "too_few" in trend.columns:
        few = trend["too_few"].to_numpy(dtype=bool)
        ax.plot(x[few], value[few], "o", mfc="white", color="#0072B2", ms=5, label="too few incidents")
    if target is not None:
        ax.axhline(target, color="#D55E00", ls="--", lw=1.2, label=f"target {format_minutes(target)}")
    if "count" in trend.columns and not rolling:
        for xi, yi, n in zip(x, high.fillna(value), trend["count"], strict=True):
            if pd.notna(yi) and n:
                ax.annotate(
                    f"{int(n)}",
                    (xi, yi),
                    textcoords="offset points",
                    xytext=(0, 3),
                    ha="center",
                    fontsize="x-small",
                    color="#666666",
                )
    finite = pd.concat([value, low, high]).dropna()
    _log_minutes_axis(ax, "y", finite.min() if len(finite) else None, finite.max() if len(finite) else None)
    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_ylabel(f"{statistic} {metric} (log scale)")
    ax.set_xlabel("" if rolling else "small numbers: incidents in the period")
    ax.legend(fontsize="small", loc="upper right", ncols=2, framealpha=0.85)
    ax.grid(True, axis="y", alpha=0.3)
    return ax


def plot_comparison(
    minutes_before: pd.DataFrame,
    minutes_after: pd.DataFrame,
    comparison: pd.Series,
    *,
    labels: tuple[str, str] = ("before", "after"),
    metric: str = "time to recover",
    ax: Axes | None = None,
) -> Axes:
    """Both periods' distributions (ECDFs on a log axis) and the ratio of medians with its verdict.

    Parameters
    ----------
    minutes_before, minutes_after : DataFrame
        :func:`mttr_lab.censored_minutes` of each period's incidents.
    comparison : Series
        The row of :func:`mttr_lab.compare_periods`.
    """
    ax = _axes(ax, (7, 4))
    for frame, label, color in (
        (minutes_before, labels[0], "#999999"),
        (minutes_after, labels[1], "#0072B2"),
    ):
        closed = np.sort(frame.loc[~frame["censored"], "minutes"].dropna().to_numpy())
        closed = closed[closed > 0]
        if len(closed):
            ax.step(
                closed,
                np.arange(1, len(closed) + 1) / len(closed),
                where="post",
                color=color,
                lw=1.8,
                label=f"{label} (n={len(closed)})",
            )
    for name, color in (("median_before", "#999999"), ("median_after", "#0072B2")):
        if pd.notna(comparison.get(name)):
            ax.axvline(comparison[name], color=color, ls=":", lw=1)
    ratio, low, high = (
        comparison.get("median_ratio"),
        comparison.get("median_ratio_low"),
        comparison.get("median_ratio_high"),
    )
    interval = f" ({low:.2f}–{high:.2f})" if pd.notna(low) and pd.notna(high) else ""
    ratio_text = f"{ratio:.2f}" if pd.notna(ratio) else "n/a"
    ax.set_title(
        f"median ratio {labels[1]}/{labels[0]}: {ratio_text}{interval} — {comparison.get('verdict')}",
        loc="left",
        fontsize="medium",
    )
    everything = pd.concat([minutes_before["minutes"], minutes_after["minutes"]]).dropna()
    everything = everything[everything > 0]
    _log_minutes_axis(
        ax, "x", everything.min() if len(everything) else None, everything.max() if len(everything) else None
    )
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("share of closed incidents recovered")
    ax.set_xlabel(f"{metric} (log scale)")
    ax.legend(fontsize="small", loc="lower right")
    ax.grid(True, alpha=0.3)
    return ax


def mttr_dashboard(
    durations: pd.DataFrame,
    *,
    metric: str = "time_to_recover",
    tz: str = "UTC",
    target: float | None = None,
    freq: str = "ME",
    seed: int = 0,
) -> plt.Figure:
    """One figure with the panels of an MTTR dashboard, each with its uncertainty.

    Current status by service and by severity (median with interval), the trend with the next
    target, and the phase breakdown. The caller saves it (``fig.savefig("dash.png")`` or ``.svg``).

    Parameters
    ----------
    durations : DataFrame
        The output of :func:`mttr_lab.phase_durations`.
    target : float, optional
        Target in minutes for the trend panel; by default the latest period's median less 10 %.
    tz : str
        The team's timezone for the trend's periods.

    Returns
    -------
    Figure
    """
    require(durations, DURATIONS, function="mttr_dashboard")
    from .stats import duration_summary, phase_breakdown
    from .trend import duration_trend

    fig = plt.figure(figsize=(13, 9), layout="constrained")
    grid = fig.add_gridspec(2, 2, height_ratios=[1, 1])
    name = metric.replace("_", " ")
    by_service = duration_summary(durations, metric=metric, by="service", seed=seed).sort_values("median")
    _median_panel(fig.add_subplot(grid[0, 0]), by_service, title=f"{name} by service", metric=name)
    by_severity = duration_summary(durations, metric=metric, by="severity", seed=seed)
    _median_panel(fig.add_subplot(grid[0, 1]), by_severity, title=f"{name} by severity", metric=name)
    trend = duration_trend(durations, metric=metric, freq=freq, tz=tz, seed=seed)
    if target is None:
        latest = trend.loc[~trend["empty"], "median"].dropna()
        target = float(latest.iloc[-1]) * 0.9 if len(latest) else None
    ax = plot_trend(trend, target=target, metric=name, ax=fig.add_subplot(grid[1, 0]))
    ax.set_title(
        f"trend ({tz}); next target {format_minutes(target)}" if target else f"trend ({tz})", loc="left"
    )
    ax = plot_phase_breakdown(phase_breakdown(durations, by="severity"), ax=fig.add_subplot(grid[1, 1]))
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
    ax.set_title("where the time goes (median per phase)", loc="left")
    fig.suptitle(f"MTTR dashboard: {len(durations):,} incidents", x=0.01, ha="left", fontsize="large")
    return fig


def _median_panel(ax: Axes, summary: pd.DataFrame, *, title: str, metric: str) -> Axes:
    labels = [_label(i) for i in summary.index]
    y = np.arange(len(summary))
    med = summary["median"].to_numpy(dtype=float)
    low = summary["median_low"].to_numpy(dtype=float)
    high = summary["median_high"].to_numpy(dtype=float)
    colors = [SEVERITY_COLORS.get(label, "#0072B2") for label in labels]
    for yi, m, lo, hi, c in zip(y, med, low, high, colors, strict=True):
        if not np.isfinite(m):
            continue
        err = [[m - lo], [hi - m]] if np.isfinite(lo) and np.isfinite(hi) else None
        ax.errorbar([m], [yi], xerr=err, fmt="o", color=c, capsize=4, mfc=c if err is not None else "white")
    for yi, n in zip(y, summary["count"], strict=True):
        ax.annotate(
            f"  n={int(n)}", (1.0, yi), xycoords=("axes fraction", "data"), va="center", fontsize="small"
        )
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    finite = np.concatenate([med[np.isfinite(med)], low[np.isfinite(low)], high[np.isfinite(high)]])
    _log_minutes_axis(ax, "x", finite.min() if len(finite) else None, finite.max() if len(finite) else None)
    ax.set_xlabel(f"median {metric}, {interval_level(summary)} interval (hollow: too few for one)")
    ax.set_title(title, loc="left")
    ax.grid(True, axis="x", alpha=0.3)
    return ax
