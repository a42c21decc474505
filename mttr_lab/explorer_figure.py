"""The explorer's figure: one Figure per explorer, its axes fixed per view, updates drawn by blitting.

A *view* is what fixes the axes: the clock, the metric, the group-by and the scale. Its axes are
those the plots (:func:`~mttr_lab.plot_ecdf`, :func:`~mttr_lab.plot_trend`) draw for every
incident of the clock, so a filter change leaves them where they are and curves stay comparable
across filters. A selection whose monthly intervals leave the trend's axis gets an axis that
holds both, its ends moved out to human durations; the axes depend on the view and the selection
alone, so the same filters always draw the same figure. The axes, ticks, labels and grid are drawn
once per such set of axes and kept as pixels (the last :data:`BACKGROUNDS`); an update restores
them and draws only what the selection decides (curves, bands, points, error bars, counts,
legends) on top. A full draw draws the data the same way, so both give the same pixels.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Annotation
from matplotlib.transforms import Bbox
from PIL import Image

from .plots import _DENSE_TICKS, _linear_minutes_axis, _log_minutes_axis, _share_label, plot_ecdf
from .stats import censored_minutes, ecdf_table
from .time_plots import plot_trend

__all__ = ["DPI", "DRAWN_LEVELS", "MISSING_GROUP", "ExplorerFigure", "draw_curves"]

#: The steps a drawn curve keeps: a rise under 1/1000 of the axis is below a pixel of the figure.
DRAWN_LEVELS = 1000
#: The figure's resolution and size (inches): the PNG is its pixels.
DPI = 90
SIZE = (8, 6.6)
#: What an incident without a group value is listed as (the review's wording).
MISSING_GROUP = "none recorded"
#: zlib level of the PNG: fast; lossless at any level, and the RGB file stays under ~100 kB.
PNG_COMPRESSION = 1
EMPTY = "no incident matches the filters"
#: Backgrounds kept (each the figure's pixels, ~1.7 MB): the views and axes looked at last.
BACKGROUNDS = 8

#: Draws a selection's curves on an Axes.
Curves = Callable[[Axes], None]


def _drawn(curves: pd.DataFrame) -> pd.DataFrame:
    """The rows of step curves that change what is drawn (each curve within 1/:data:`DRAWN_LEVELS`).

    A row is kept where any curve enters a new level, with the first and the last row; the rows in
    between rise the curve by less than a level, under a pixel. 100k incidents have ~25k distinct
    durations: drawing each step costs more than everything else in the figure.
    """
    if len(curves) <= DRAWN_LEVELS:
        return curves
    columns = [c for c in ("ecdf", "km", "km_low", "km_high") if c in curves]
    levels = np.nan_to_num(np.floor(curves[columns].to_numpy(dtype=float) * DRAWN_LEVELS), nan=-1.0)
    keep = np.ones(len(curves), dtype=bool)
    keep[1:] = (np.diff(levels, axis=0) != 0).any(axis=1)
    keep[-1] = True
    return curves.loc[keep]


def draw_curves(
    ax: Axes,
    rows: pd.DataFrame,
    *,
    metric: str,
    by: str | None,
    scale: str,
    summary: pd.Series | None,
    linear_end: float | None = None,
) -> None:
    """The curve of ``rows`` (one per group of ``by``) on ``ax``, on a log or linear duration axis.

    Without a group: :func:`~mttr_lab.plot_ecdf` of :func:`~mttr_lab.ecdf_table`, with the median
    and p90 of ``summary`` marked. With one: a curve per group, Kaplan-Meier where the group has
    open incidents, else the ECDF. A linear axis runs from 0 to ``linear_end`` minutes (the
    explorer gives the 99th percentile of every incident: durations are long-tailed, and an axis
    to the longest would squeeze the curve against its left edge).
    """
    label = metric.replace("_", " ")
    if by is None:
        plot_ecdf(_drawn(ecdf_table(rows, metric=metric)), summary=summary, metric=label, ax=ax)
    else:
        _group_curves(ax, rows, metric=metric, by=by, label=label)
    drawn = drew_durations(ax)
    if not drawn:  # nothing to draw (the log axis spans a day of minutes then): say so
        ax.text(0.5, 0.5, f"no {label} recorded", ha="center", va="center", transform=ax.transAxes)
    if scale == "linear":
        # to the given end (the view's 99th percentile), else to the longest drawn (a minute at least)
        end = linear_end if linear_end else max(drawn, default=0.0) or 1.0
        _linear_minutes_axis(ax, "x", end)
        ax.set_xlabel(
            f"{label} (the axis ends at the 99th percentile of all incidents)" if linear_end else label
        )


def drew_durations(ax: Axes) -> list[float]:
    """The longest duration of each curve drawn on ``ax`` (none when no curve has a value)."""
    longest = []
    for line in ax.lines:
        try:
            x = np.asarray(line.get_xdata(), dtype=float)
        except (TypeError, ValueError):  # not minutes
            continue
        finite = x[np.isfinite(x)]
        if finite.size:
            longest.append(float(finite.max()))
    return longest


def _group_curves(ax: Axes, rows: pd.DataFrame, *, metric: str, by: str, label: str) -> None:
    """One curve per group: Kaplan-Meier where the group has open incidents, else the ECDF."""
    colors = matplotlib.colormaps["tab10"]
    lo, hi = np.inf, -np.inf
    # the open incidents counted as censored, every group at once (not once more per group)
    grouped = rows.groupby(by, observed=True, sort=True, dropna=False)
    censored = censored_minutes(rows, metric=metric)["censored"].to_numpy(dtype=float)
    open_counts = np.bincount(grouped.ngroup().to_numpy(), weights=censored, minlength=grouped.ngroups)
    for i, (group, part) in enumerate(grouped):  # ngroup numbers the groups in this order
        curves = _drawn(ecdf_table(part, metric=metric))
        if curves.empty:
            continue
        lo, hi = min(lo, float(curves["minutes"].min())), max(hi, float(curves["minutes"].max()))
        opened = int(open_counts[i])
        column = "km" if opened else "ecdf"
        label_ = MISSING_GROUP if pd.isna(group) else str(group)
        name = f"{label_} ({opened} open, Kaplan-Meier)" if opened else label_
        ax.step(curves["minutes"], curves[column], where="post", color=colors(i % 10), lw=1.6, label=name)
    # ticks at human durations, as plot_ecdf has them (not decades: 1.7 h, 17 h, 6.9 d)
    _log_minutes_axis(ax, "x", lo if ax.lines else None, hi if ax.lines else None)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel(_share_label(label))
    ax.set_xlabel(f"{label} (log scale)")
    ax.grid(True, which="major", alpha=0.3)
    if ax.lines:
        ax.legend(loc="lower right", fontsize="small", title=by)


# ---------------------------------------------------------------- the axes of a view


def _digits(limits: tuple[float, float]) -> tuple[float, float]:
    """Axis limits to 12 significant digits (a billionth of a pixel on any axis drawn here)."""
    return (float(f"{limits[0]:.12g}"), float(f"{limits[1]:.12g}"))


@dataclass
class _Frame:
    """What fixes one Axes across the updates of a view: its limits, ticks and tick labels."""

    xlim: tuple[float, float]
    ylim: tuple[float, float]
    ticks: tuple[tuple[Any, Any, Any, Any], ...]

    @classmethod
    def of(cls, ax: Axes) -> _Frame:
        ticks = tuple(
            (a.get_major_locator(), a.get_minor_locator(), a.get_major_formatter(), a.get_minor_formatter())
            for a in (ax.xaxis, ax.yaxis)
        )
        # to 12 digits: the same axes computed along two paths differ in the last bits of a float
        return cls(_digits(ax.get_xlim()), _digits(ax.get_ylim()), ticks)

    def apply(self, ax: Axes) -> None:
        for axis, (major, minor, major_format, minor_format) in zip(
            (ax.xaxis, ax.yaxis), self.ticks, strict=True
        ):
            axis.set_major_locator(major)
            axis.set_minor_locator(minor)
            axis.set_major_formatter(major_format)
            axis.set_minor_formatter(minor_format)
        ax.set_xlim(self.xlim)
        ax.set_ylim(self.ylim)

    def holds(self, xlim: tuple[float, float], ylim: tuple[float, float]) -> bool:
        """Whether limits ``xlim`` and ``ylim`` lie within this frame's."""
        return all(
            min(mine) <= min(theirs) and max(theirs) <= max(mine)
            for mine, theirs in ((self.xlim, xlim), (self.ylim, ylim))
        )


def _span(trend: pd.DataFrame) -> tuple[float, float] | None:
    """The range of the medians and intervals of a trend (None when it has none)."""
    values = trend[["median", "median_low", "median_high"]].to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    return (float(values.min()), float(values.max())) if len(values) else None


#: Where a wider trend axis may end: human durations (minutes), from 5 s to a year; close
#: enough together that the axis wastes little room.
_ENDS = np.array([1 / 12, 1 / 6, 1 / 4, 1 / 2, *_DENSE_TICKS])


def _snapped(low: float, high: float) -> tuple[float, float]:
    """``low`` and ``high`` moved out to the nearest of :data:`_ENDS` (a positive ``low``)."""
    below = _ENDS[_ENDS <= low]
    above = _ENDS[_ENDS >= high]
    return (
        float(below[-1]) if len(below) else float(_ENDS[0]),
        float(above[0]) if len(above) else float(_ENDS[-1]),
    )


def _padded(months: pd.DataFrame, low: float, high: float) -> pd.DataFrame:
    """A trend's months with two more rows at ``low`` and ``high``, in its first month, without
    incidents: what plot_trend draws an axis from that holds both."""
    edge = months.iloc[[0, 0]].copy()
    for column in ("median", "median_low", "median_high"):
        edge[column] = [low, high]
    if "count" in edge:
        edge["count"] = 0  # no count is written for them
    if "empty" in edge:
        edge["empty"] = False
    return pd.concat([months, edge], ignore_index=True)


@dataclass
class _View:
    """The axes of one view: the curve's frame, the trend's, the months the trend's axis is
    drawn for (every incident's), and the wider trend axes by their snapped ends."""

    curve: _Frame
    trend: _Frame
    months: pd.DataFrame
    wider: dict[tuple[float, float], _Frame]


# ---------------------------------------------------------------- the figure


class ExplorerFigure:
    """The persistent figure of an explorer: a Figure and its Agg canvas, reused by every update.

    Attributes
    ----------
    figure : Figure
        The figure; its data artists are ``animated`` (drawn by :meth:`update`, not by the canvas).
    full_draws, blits : int
        How many updates drew everything, and how many restored the view's background.
    """

    def __init__(self) -> None:
        self.figure = Figure(figsize=SIZE, dpi=DPI)
        self.canvas = FigureCanvasAgg(self.figure)
        self.curve_ax, self.trend_ax = self.figure.subplots(2, 1, height_ratios=(1.25, 1))
        # Fixed margins: a layout engine would draw the whole figure once more on every update.
        self.figure.subplots_adjust(left=0.1, right=0.97, top=0.95, bottom=0.08, hspace=0.38)
        self._views: dict[tuple, _View] = {}
        # backgrounds by what they show (the view, its axes, the trend's legend), the latest last
        self._backgrounds: dict[tuple, Any] = {}
        self.full_draws = 0
        self.blits = 0

    @property
    def _axes(self) -> tuple[Axes, Axes]:
        return self.curve_ax, self.trend_ax

    def update(
        self,
        key: tuple,
        *,
        curves: Curves | None,
        trend: pd.DataFrame | None,
        metric: str,
        whole: Callable[[], tuple[Curves, pd.DataFrame]] | None = None,
    ) -> None:
        """Draw a selection into the canvas's buffer.

        Parameters
        ----------
        key : tuple
            The view (clock, metric, group-by, scale): updates with the same key share their axes.
        curves : callable or None
            Draws the selection's curves on an Axes; None when nothing is selected.
        trend : DataFrame or None
            The selection's :func:`~mttr_lab.duration_trend`.
        metric : str
            The metric, for the trend's label.
        whole : callable, optional
            The curves and trend of every incident of the view, asked once per view; None when
            the selection is every incident.
        """
        self._clear()
        if curves is None or trend is None:
            key = ("empty",)
            for ax in self._axes:
                ax.set_axis_off()
                ax.text(0.5, 0.5, EMPTY, ha="center", va="center", transform=ax.transAxes)
            self._show(key)
            return
        for ax in self._axes:
            ax.set_axis_on()
        label = metric.replace("_", " ")
        view = self._views.get(key)
        if view is None:
            base_curves, base_trend = whole() if whole is not None else (curves, trend)
            view = _View(
                curve=self._frame(self.curve_ax, base_curves),
                trend=self._frame(self.trend_ax, lambda ax: plot_trend(base_trend, metric=label, ax=ax)),
                months=base_trend,
                wider={},
            )
            self._views[key] = view
        # The axes depend on the view and this selection alone (never on the selections before):
        # the same filters draw the same figure, whatever was looked at first.
        trend_frame, seen, span = view.trend, _span(view.months), _span(trend)
        if span is not None and (seen is None or span[0] < seen[0] or span[1] > seen[1]):
            # The selection's intervals leave the view's trend axis: an axis that holds both,
            # its ends moved out to human durations (so that few such axes are ever drawn), as
            # plot_trend draws it (ticks, room for the counts).
            ends = _snapped(
                min(span[0], seen[0]) if seen else span[0], max(span[1], seen[1]) if seen else span[1]
            )
            if ends not in view.wider:
                padded = _padded(view.months, *ends)
                view.wider[ends] = self._frame(
                    self.trend_ax, lambda ax: plot_trend(padded, metric=label, ax=ax)
                )
            trend_frame = view.wider[ends]
        curves(self.curve_ax)
        plot_trend(trend, metric=label, ax=self.trend_ax)
        natural, curve_frame = _Frame.of(self.curve_ax), view.curve
        # a selection without a value of the metric draws no curve: it leaves the axes alone
        if drew_durations(self.curve_ax) and not curve_frame.holds(natural.xlim, natural.ylim):
            curve_frame = _Frame(  # for this selection only
                (min(*curve_frame.xlim, *natural.xlim), max(*curve_frame.xlim, *natural.xlim)),
                (min(*curve_frame.ylim, *natural.ylim), max(*curve_frame.ylim, *natural.ylim)),
                curve_frame.ticks,
            )
        curve_frame.apply(self.curve_ax)
        trend_frame.apply(self.trend_ax)
        self._show((key, curve_frame.xlim, curve_frame.ylim, trend_frame.xlim, trend_frame.ylim))

    def _frame(self, ax: Axes, draw: Curves) -> _Frame:
        """The frame ``draw`` gives ``ax`` (its data then removed)."""
        self._clear(ax)
        draw(ax)
        frame = _Frame.of(ax)
        self._clear(ax)
        return frame

    def _clear(self, *axes: Axes) -> None:
        """Remove the data artists, and let the next ones set the limits afresh."""
        for ax in axes or self._axes:
            for artist in (*ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.images):
                artist.remove()
            ax.containers.clear()
            if ax.legend_ is not None:
                ax.legend_.remove()
            ax.dataLim.set_points(Bbox.null().get_points())
            ax.ignore_existing_data_limits = True
            ax.set_autoscale_on(True)

    def _data(self, ax: Axes) -> list[Artist]:
        """The artists of ``ax`` that the selection decides, in drawing order.

        The trend's legend is not one of them: it names the band and the line, the same for
        every selection of a view, and is drawn with the background.
        """
        children = [*ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.images]
        if ax.legend_ is not None and ax is not self.trend_ax:
            children.append(ax.legend_)
        return sorted(children, key=lambda a: a.get_zorder())

    def _show(self, key: tuple) -> None:
        """Draw: the background ``key`` names (drawn once, then kept), then the data over it."""
        data = [(ax, self._data(ax)) for ax in self._axes]
        for _ax, artists in data:
            for artist in artists:
                artist.set_animated(True)
                if isinstance(artist, Annotation) and not isinstance(artist.xy[0], float | int):
                    # A count above its month: the same pixels from a date number, converted
                    # once here rather than at every draw (it lies inside the view's axes).
                    artist.xy = (mdates.date2num(artist.xy[0]), artist.xy[1])
                    artist.set_annotation_clip(False)
        legend = self.trend_ax.get_legend()  # drawn with the background: "no incidents" or not
        key = (key, tuple(t.get_text() for t in legend.get_texts()) if legend is not None else ())
        background = self._backgrounds.pop(key, None)
        if background is None:
            self.canvas.draw()  # everything but the animated artists
            background = self.canvas.copy_from_bbox(self.figure.bbox)
            self.full_draws += 1
            while len(self._backgrounds) >= BACKGROUNDS:  # the oldest goes
                self._backgrounds.pop(next(iter(self._backgrounds)))
        else:
            self.canvas.restore_region(background)
            self.blits += 1
        self._backgrounds[key] = background  # the latest last
        for ax, artists in data:
            for artist in artists:
                ax.draw_artist(artist)

    def png(self) -> bytes:
        """The canvas's pixels as PNG (opaque: RGB; zlib level :data:`PNG_COMPRESSION`)."""
        width, height = self.canvas.get_width_height(physical=True)
        image = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="png", compress_level=PNG_COMPRESSION)
        return buffer.getvalue()

    def copy(self) -> Figure:
        """A complete, independent copy of the figure (every artist drawn normally by ``savefig``)."""
        fig = pickle.loads(pickle.dumps(self.figure))
        for artist in fig.findobj(lambda a: a.get_animated()):
            artist.set_animated(False)
        return fig
