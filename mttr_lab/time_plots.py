"""Plots of time: the trend by period, and when incidents start (hour of day, time classes).

They draw tables of :mod:`mttr_lab.trend` and :mod:`mttr_lab.calendar`, on ``ax`` (a new figure
when None), and return the Axes.
"""

from __future__ import annotations

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from .calendar import WEEKDAYS
from .frames import refuse, require_table
from .plots import _axes, _log_minutes_axis
from .units import format_minutes, format_ratio, interval_level

__all__ = ["plot_hour_weekday", "plot_time_classes", "plot_trend"]


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
    require_table(
        table,
        function="plot_hour_weekday",
        expected="the table of hour_weekday_table(with_calendar(durations, tz=...))",
        columns=WEEKDAYS,
    )
    import seaborn as sns

    ax = _axes(ax, (7, 6))
    if not (table.fillna(0).to_numpy(dtype=float) > 0).any():
        # An all-zero grid would draw one flat colour against a scale of -0.1 to 0.1.
        ax.text(
            0.5, 0.5, "no incidents started in this window", ha="center", va="center", transform=ax.transAxes
        )
        ax.set_axis_off()
        ax.set_title(f"When incidents start ({tz})" if tz else "When incidents start", loc="left")
        return ax
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
    require_table(
        summary,
        function="plot_time_classes",
        expected="the table of time_class_summary(with_calendar(durations, tz=...))",
        columns=("count", "median"),
    )
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
        # two significant digits below 0.1: a class with an incident never reads 0.00 an hour
        text = f"  n={int(row['count'])}" + (f"\n  {format_ratio(rate)}/hour" if pd.notna(rate) else "")
        ax.annotate(text, (1.0, yi), xycoords=("axes fraction", "data"), va="center", fontsize="small")
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    finite = np.concatenate([med[np.isfinite(med)], low[ok], high[ok]])
    _log_minutes_axis(ax, "x", finite.min() if len(finite) else None, finite.max() if len(finite) else None)
    ax.set_xlabel(f"median {metric} (log scale)")
    ax.legend(fontsize="small", loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    return ax


#: Periods beyond which a trend's incident counts are written upright (side by side they collide).
CROWDED_PERIODS = 18
#: How a trend writes each period's incidents: points above its interval, font size, colour.
COUNT_OFFSET, COUNT_SIZE, COUNT_COLOR = 3, "x-small", "#666666"
#: What a trend on a log scale says when every value is 0 s (it has nothing it can place).
ALL_ZERO = "every {} is 0 s (a log scale has no 0)"


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
    expected = "the table of duration_trend(durations) or rolling_trend(durations)"
    columns = (statistic, f"{statistic}_low", f"{statistic}_high")
    require_table(trend, function="plot_trend", expected=expected, columns=columns)
    if "period_start" not in trend.columns and "window_end" not in trend.columns:
        refuse(trend, function="plot_trend", expected=expected, needs=("period_start",))
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
        # Side by side, counts of a few digits collide beyond ~18 periods: upright, they fit.
        upright = len(trend) > CROWDED_PERIODS
        for xi, yi, n in zip(x, high.fillna(value), trend["count"], strict=True):
            if pd.notna(yi) and n:
                ax.annotate(
                    f"{int(n)}",
                    (xi, yi),
                    textcoords="offset points",
                    xytext=(0, COUNT_OFFSET),
                    ha="center",
                    va="bottom",
                    rotation=90 if upright else 0,
                    fontsize=COUNT_SIZE,
                    color=COUNT_COLOR,
                )
    finite = pd.concat([value, low, high]).dropna()
    _log_minutes_axis(ax, "y", finite.min() if len(finite) else None, finite.max() if len(finite) else None)
    if len(finite) and not (finite > 0).any():  # nothing a log scale can place: say so
        ax.text(
            0.5,
            0.5,
            ALL_ZERO.format(statistic),
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
    if "count" in trend.columns and not rolling and len(finite):
        # Room above the highest interval for its count (an upright one is taller).
        bottom, top = ax.get_ylim()
        if 0 < bottom < top:
            ax.set_ylim(bottom, top * (top / bottom) ** (0.12 if upright else 0.06))
    if len(x) == 1 and pd.notna(x.iloc[0]):
        # One period: an axis of a period either side, not matplotlib's default of four years.
        width = max(ends.iloc[0] - x.iloc[0], pd.Timedelta(days=1))
        ax.set_xlim(x.iloc[0] - width, ends.iloc[0] + width)
    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_ylabel(f"{statistic} {metric} (log scale)")
    ax.set_xlabel("" if rolling else "small numbers: incidents in the period")
    # Above the axes: inside, it would hide the counts and the intervals of the latest periods.
    ax.legend(fontsize="small", loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=4, frameon=False)
    ax.grid(True, axis="y", alpha=0.3)
    return ax
