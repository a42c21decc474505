"""The MTTR dashboard: one figure composed of the statistics and the plots, each with its uncertainty."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from .errors import InputError
from .frames import DURATIONS, require
from .plots import SEVERITY_COLORS, _label, _log_minutes_axis, plot_phase_breakdown
from .stats import duration_summary, phase_breakdown
from .time_plots import plot_trend
from .trend import duration_trend
from .units import format_minutes, interval_level

__all__ = ["mttr_dashboard"]

#: The "by service" panel shows at most this many services, those with the most incidents.
TOP_SERVICES = 15


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
    target, and the phase breakdown. The service panel shows the 15 services with the most
    incidents (``TOP_SERVICES``) and says so in its title when there are more. The caller saves it (``fig.savefig("dash.png")`` or ``.svg``).

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

    Raises
    ------
    InputError
        When no incident has a start time (an empty frame): there is nothing to draw.
    """
    require(durations, DURATIONS, function="mttr_dashboard")
    if not durations["clock_start"].notna().any():
        raise InputError(
            f"the dashboard has nothing to draw: {len(durations)} incidents, none with a start time",
            expected="the durations of an export with at least one dated incident",
        )

    fig = plt.figure(figsize=(13, 9), layout="constrained")
    grid = fig.add_gridspec(2, 2, height_ratios=[1, 1])
    name = metric.replace("_", " ")
    by_service, title = _top_services(durations, metric=metric, seed=seed)
    _median_panel(fig.add_subplot(grid[0, 0]), by_service, title=f"{name} by service{title}", metric=name)
    by_severity = duration_summary(durations, metric=metric, by="severity", seed=seed)
    _median_panel(fig.add_subplot(grid[0, 1]), by_severity, title=f"{name} by severity", metric=name)
    trend = duration_trend(durations, metric=metric, freq=freq, tz=tz, seed=seed)
    if target is None:
        latest = trend.loc[~trend["empty"], "median"].dropna()
        target = float(latest.iloc[-1]) * 0.9 if len(latest) else None
    ax = plot_trend(trend, target=target, metric=name, ax=fig.add_subplot(grid[1, 0]))
    # The trend's legend sits just above the axes: the title goes above it, clear of it.
    ax.set_title(
        f"trend ({tz}); next target {format_minutes(target)}" if target else f"trend ({tz})",
        loc="left",
        pad=26,
    )
    ax = plot_phase_breakdown(phase_breakdown(durations, by="severity"), ax=fig.add_subplot(grid[1, 1]))
    reason = ax.get_title()  # set (centred) when no group has time to show: said in the panel title
    ax.set_title("")
    if not reason:
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small", frameon=False)
    if reason:
        head, _, why = reason.partition(": ")
        title = f"where the time goes: {head[:1].lower()}{head[1:]}" + (f"\n({why})" if why else "")
    else:
        title = "where the time goes (median per phase)"
    ax.set_title(title, loc="left")
    fig.suptitle(f"MTTR dashboard: {len(durations):,} incidents", x=0.01, ha="left", fontsize="large")
    return fig


def _top_services(durations: pd.DataFrame, *, metric: str, seed: int) -> tuple[pd.DataFrame, str]:
    """The summary of the services with the most incidents (at most ``TOP_SERVICES``), by median,
    and what the panel title adds when some are left out."""
    summary = duration_summary(durations, metric=metric, by="service", seed=seed)
    if len(summary) <= TOP_SERVICES:
        return summary.sort_values("median"), ""
    top = summary.sort_values("count", ascending=False, kind="stable").head(TOP_SERVICES)
    return top.sort_values("median"), f": the {TOP_SERVICES} with most incidents, of {len(summary):,}"


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
