"""The MTTR dashboard: one figure composed of the statistics and the plots, each with its uncertainty."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from .frames import DURATIONS, require
from .plots import SEVERITY_COLORS, _label, _log_minutes_axis, plot_phase_breakdown
from .stats import duration_summary, phase_breakdown
from .time_plots import plot_trend
from .trend import duration_trend
from .units import format_minutes, interval_level

__all__ = ["mttr_dashboard"]


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
