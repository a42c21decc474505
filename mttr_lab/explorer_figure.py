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

The selection's artists are kept across updates and given each selection's data; they are made
again, with the plots' own calls and styles, only when what is drawn changes shape (the marks,
the groups, the empty months). The axes of a view are worked out by the plots on spare Axes.
Text is drawn from glyphs rendered once (:class:`_Renderer`).
"""

from __future__ import annotations

import math
import pickle
import struct
import threading
import unicodedata
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager, get_font
from matplotlib.text import Text
from matplotlib.transforms import Affine2D, Bbox, IdentityTransform

from .plots import (
    _DENSE_TICKS,
    _draw_ecdf,
    _ecdf_marks,
    _km_label,
    _linear_minutes_axis,
    _log_minutes_axis,
    _share_label,
    plot_ecdf,
)
from .stats import censored_minutes, ecdf_table
from .time_plots import ALL_ZERO, COUNT_COLOR, COUNT_OFFSET, COUNT_SIZE, CROWDED_PERIODS, plot_trend
from .units import interval_level

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
        _no_values(ax, label)
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


def _group_lines(
    rows: pd.DataFrame, *, metric: str, by: str
) -> list[tuple[int, str, np.ndarray, np.ndarray]]:
    """The curve of each group with a value of the metric: its colour number (the group's place
    among all groups), legend name, minutes and share (Kaplan-Meier where the group has open
    incidents, else the ECDF; the rows that change what is drawn, from 0 at the first duration)."""
    grouped = rows.groupby(by, observed=True, sort=True, dropna=False)
    # the open incidents counted as censored, every group at once (not once more per group)
    censored = censored_minutes(rows, metric=metric)["censored"].to_numpy(dtype=float)
    open_counts = np.bincount(grouped.ngroup().to_numpy(), weights=censored, minlength=grouped.ngroups)
    lines = []
    for i, (group, part) in enumerate(grouped):  # ngroup numbers the groups in this order
        curves = _drawn(ecdf_table(part, metric=metric))
        if curves.empty:
            continue
        opened = int(open_counts[i])
        label = MISSING_GROUP if pd.isna(group) else str(group)
        name = f"{label} ({opened} open, Kaplan-Meier)" if opened else label
        share = curves["km" if opened else "ecdf"].to_numpy(dtype=float)
        minutes = curves["minutes"].to_numpy(dtype=float)
        # From 0 at the first duration: the curve's first rise is drawn, and a group of one
        # incident (one step, nothing after it) is a visible riser rather than no line at all.
        lines.append((i, name, np.concatenate((minutes[:1], minutes)), np.concatenate(([0.0], share))))
    return lines


def _group_curves(ax: Axes, rows: pd.DataFrame, *, metric: str, by: str, label: str) -> None:
    """One curve per group: Kaplan-Meier where the group has open incidents, else the ECDF."""
    colors = matplotlib.colormaps["tab10"]
    lines = _group_lines(rows, metric=metric, by=by)
    for i, name, x, y in lines:
        ax.step(x, y, where="post", color=colors(i % 10), lw=1.6, label=name)
    lo = min((float(np.nanmin(x)) for _i, _name, x, _y in lines), default=None)
    hi = max((float(np.nanmax(x)) for _i, _name, x, _y in lines), default=None)
    # ticks at human durations, as plot_ecdf has them (not decades: 1.7 h, 17 h, 6.9 d)
    _log_minutes_axis(ax, "x", lo, hi)
    ax.set_ylim(0, 1.02)
    ax.set_ylabel(_share_label(label))
    ax.set_xlabel(f"{label} (log scale)")
    ax.grid(True, which="major", alpha=0.3)
    if ax.lines:
        ax.legend(loc="lower right", fontsize="small", title=by)


# ---------------------------------------------------------------- the canvas: glyphs rendered once, bands as paths

#: Sub-pixel positions a glyph is rendered at, per axis: within 1/16 of a pixel of where Agg
#: renders it, the text looks the same (a pixel's coverage differs by 26/255 at most).
GLYPH_PHASES = 8
#: Glyph bitmaps and pen advances kept (a few hundred are used; past this they are all dropped).
GLYPHS_KEPT = 20_000
#: A "marker" of more vertices than this, drawn once, is a shape (a band), drawn as a path.
_LARGE_MARKER = 1000
_glyphs: dict[tuple, tuple[np.ndarray | None, int, int]] = {}
_advances: dict[tuple, float | None] = {}
_scratch: dict[tuple[int, float], RendererAgg] = {}
#: The kept glyphs are shared by every explorer of the process; one thread at a time renders one.
_rendering = threading.Lock()
#: Typographic characters drawn from kept glyphs beside Latin letters (the figure's own dashes).
_PUNCTUATION = frozenset("\u2013\u2014\u2018\u2019\u201c\u201d\u2026\u00b7\u2212")


def _simple(text: str) -> bool:
    """Whether ``text`` is laid out glyph after glyph, left to right: Latin letters, digits and
    punctuation without combining marks. Other scripts (Hebrew and Arabic are written right to
    left and joined, Indic scripts reordered) need the shaping that Agg's own layout does."""
    return all((" " <= c < "\u0250" or c in _PUNCTUATION) and not unicodedata.combining(c) for c in text)


def _keep(cache: dict, key: tuple, value: Any) -> Any:
    """``value``, kept in ``cache`` under ``key``; a full cache (:data:`GLYPHS_KEPT`) is emptied first."""
    if len(cache) >= GLYPHS_KEPT:
        cache.clear()
    cache[key] = value
    return value


def _glyph(
    key: tuple, prop: FontProperties, size: float, dpi: float, char: str, angle: float, fx: int, fy: int
) -> tuple[np.ndarray | None, int, int]:
    """The coverage bitmap of ``char`` drawn at sub-pixel phase (fx, fy), and its top-left corner
    relative to the pen's whole pixel; rendered by Agg once, then kept (``key``: the font)."""
    key = (*key, size, dpi, char, angle, fx, fy)
    hit = _glyphs.get(key)
    if hit is not None:
        return hit
    with _rendering:  # the scratch renderer is shared: drawn and read by one thread at a time
        return _render_glyph(key, prop, size, dpi, char, angle, fx, fy)


def _render_glyph(
    key: tuple, prop: FontProperties, size: float, dpi: float, char: str, angle: float, fx: int, fy: int
) -> tuple[np.ndarray | None, int, int]:
    side = int(4 * size * dpi / 72) + 8
    scratch = _scratch.get((side, dpi))
    if scratch is None:
        scratch = _scratch[(side, dpi)] = RendererAgg(side, side, dpi)
    scratch.clear()
    gc = scratch.new_gc()
    origin = side // 2
    RendererAgg.draw_text(
        scratch, gc, origin + fx / GLYPH_PHASES, origin + fy / GLYPH_PHASES, char, prop, angle
    )
    gc.restore()
    alpha = np.asarray(scratch.buffer_rgba())[..., 3]
    rows, cols = np.nonzero(alpha)
    if len(rows):
        top, left = int(rows.min()), int(cols.min())
        bitmap = np.ascontiguousarray(alpha[top : rows.max() + 1, left : cols.max() + 1])
        hit = (bitmap, left - origin, top - origin)
    else:  # a space
        hit = (None, 0, 0)
    return _keep(_glyphs, key, hit)


def _advance(path: str, hinting: Any, size: float, dpi: float, pair: str) -> float | None:
    """How far the pen moves from the first character of ``pair`` to the second (kerning
    included), in pixels; None where the pair is not two glyphs (a ligature)."""
    key = (path, hinting, size, dpi, pair)
    if key in _advances:
        return _advances[key]
    font = get_font(path)  # matplotlib keeps a font per thread
    font.set_size(size, dpi)
    xys = font.set_text(pair, 0.0, flags=hinting)
    step = float(xys[1][0] - xys[0][0]) / 64 if len(xys) == 2 else None
    return _keep(_advances, key, step)


class _Renderer(RendererAgg):
    """Agg, drawing text from glyphs rendered once (FreeType renders every glyph of every text at
    every draw: the monthly counts and the legends were a third of an update).

    A text is its glyphs at the pen positions FreeType lays out (pairs: advances and kerning),
    each rendered by Agg at that position to 1/:data:`GLYPH_PHASES` of a pixel and kept; the
    same pixels as Agg's, but for a coverage 4/255 off at most. Mathtext, ligatures, characters
    the font lacks and font features are drawn by Agg itself.
    """

    def __init__(self, width: float, height: float, dpi: float) -> None:
        super().__init__(width, height, dpi)
        # Agg binds draw_markers to its C renderer on each instance: this one looks at the shape first
        self.draw_markers = self._draw_markers  # type: ignore[method-assign]

    def _draw_markers(self, gc, marker_path, marker_trans, path, trans, rgbFace=None):  # type: ignore[no-untyped-def]
        """Agg's draw_markers, but for one large shape drawn once (a collection of one band:
        fill_between's), which Agg rasterises as a marker five times slower than as a path (3 ms
        for the 13k vertices of a Kaplan-Meier band at 100k incidents): drawn as that path."""
        if len(path.vertices) == 1 and len(marker_path.vertices) > _LARGE_MARKER:
            x, y = trans.transform(path.vertices)[0]
            return self.draw_path(gc, marker_path, marker_trans + Affine2D().translate(x, y), rgbFace)
        return self._renderer.draw_markers(gc, marker_path, marker_trans, path, trans, rgbFace)

    #: Where :meth:`draw_text` notes the pen's origin instead of drawing (see :func:`_pen_origin`).
    _noted: list[tuple[float, float]] | None = None

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):  # type: ignore[override]
        if self._noted is not None:
            self._noted.append((x, y))
            return None
        features = getattr(mtext, "get_fontfeatures", lambda: None)()
        language = getattr(mtext, "get_language", lambda: None)()
        if ismath or not s or not gc.get_antialiased() or features or language or not _simple(s):
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        path = fontManager.findfont(prop)
        font = get_font(path)
        if any(font.get_char_index(ord(c)) == 0 for c in s):
            return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
        size, hinting = prop.get_size_in_points(), get_hinting_flag()
        pen = [0.0]
        for i in range(len(s) - 1):
            step = _advance(path, hinting, size, self.dpi, s[i : i + 2])
            if step is None:
                return super().draw_text(gc, x, y, s, prop, angle, ismath, mtext)
            pen.append(pen[-1] + step)
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        for char, along in zip(s, pen, strict=True):
            # x, y: where the pen is, y downwards (as Agg draws text)
            px, py = x + along * cos, y - along * sin
            ix, iy = math.floor(px), math.floor(py)
            fx, fy = round((px - ix) * GLYPH_PHASES), round((py - iy) * GLYPH_PHASES)
            if fx == GLYPH_PHASES:
                ix, fx = ix + 1, 0
            if fy == GLYPH_PHASES:
                iy, fy = iy + 1, 0
            bitmap, left, top = _glyph((path, hinting), prop, size, self.dpi, char, angle, fx, fy)
            if bitmap is not None:  # y of draw_text_image: downwards, the bitmap's bottom row
                self._renderer.draw_text_image(bitmap, ix + left, iy + top + bitmap.shape[0], 0, gc)
        return None


_origins: dict[tuple, tuple[float, float]] = {}
_widths: dict[tuple, float] = {}


def _font_key(prop: FontProperties, dpi: float) -> tuple:
    """What a text's layout depends on: the font file its properties resolve to (a family name
    resolves to another file once ``rcParams`` change), its size, the hinting and the dpi."""
    return (fontManager.findfont(prop), prop.get_size_in_points(), get_hinting_flag(), dpi)


def _pen_origin(renderer: _Renderer, template: Text) -> tuple[float, float]:
    """Where ``template`` (a one-line Text at display (0, 0)) starts its pen, in display pixels:
    the offset from a text's anchor to its pen's origin, for any text of its alignment and
    rotation whose letters stay within the font's ascent and descent (digits)."""
    figure = template.get_figure(root=True)
    key = (
        *_font_key(template.get_fontproperties(), figure.dpi),
        template.get_rotation(),
        template.get_ha(),
        template.get_va(),
        template.get_text(),
    )
    if key in _origins:
        return _origins[key]
    renderer._noted = []
    try:
        template.draw(renderer)
        (x, y), *_ = renderer._noted
    finally:
        renderer._noted = None
    origin = (x, renderer.height - y)
    return _keep(_origins, key, origin)


def _width(renderer: RendererAgg, text: str, prop: FontProperties) -> float:
    """The width a Text lays ``text`` out on (pixels)."""
    key = (text, *_font_key(prop, renderer.dpi))
    if key in _widths:
        return _widths[key]
    width = renderer.get_text_width_height_descent(text, prop, ismath=False)[0]
    return _keep(_widths, key, width)


class _Counts(Artist):
    """The incidents of each period, written above its interval: what :func:`plot_trend` writes
    (its annotations' text, place, size and colour), drawn as one artist.

    On the explorer's canvas the numbers are drawn straight from kept glyphs (36 annotations cost
    more than the rest of the trend); elsewhere (``savefig`` of :meth:`ExplorerFigure.copy` to
    any format) as a Text each.
    """

    #: plot_trend's annotations: points above the interval, small and grey.
    OFFSET, SIZE, COLOR = COUNT_OFFSET, COUNT_SIZE, COUNT_COLOR

    def __init__(self, trend: pd.DataFrame) -> None:
        super().__init__()
        x = pd.to_datetime(trend["period_start"]).dt.tz_localize(None)
        y = trend["median_high"].astype(float).fillna(trend["median"].astype(float))
        n = trend["count"].to_numpy()
        shown = y.notna().to_numpy() & (n != 0)
        self._xy = np.column_stack([mdates.date2num(x[shown]), y[shown].to_numpy()])
        self._labels = [str(int(v)) for v in n[shown]]
        # Side by side, counts of a few digits collide beyond ~18 periods: upright, they fit.
        self._rotation = 90 if len(trend) > CROWDED_PERIODS else 0
        self._prop = FontProperties(size=self.SIZE)
        self.set_zorder(Text.zorder)  # drawn where the annotations were: over lines and bands

    def _template(self) -> Text:
        text = Text(
            0,
            0,
            "0",
            rotation=self._rotation,
            ha="center",
            va="bottom",
            color=self.COLOR,
            fontproperties=self._prop,
            transform=IdentityTransform(),
        )
        text.set_figure(self.get_figure(root=True))
        return text

    def draw(self, renderer: Any) -> None:
        if not self.get_visible() or not self._labels:
            return
        figure = self.get_figure(root=True)
        anchors = self.axes.transData.transform(self._xy)
        anchors[:, 1] += self.OFFSET * figure.dpi / 72
        template = self._template()
        if not isinstance(renderer, _Renderer):
            for (x, y), label in zip(anchors, self._labels, strict=True):
                template.set_text(label)
                template.set_position((x, y))
                template.draw(renderer)
            return
        dx, dy = _pen_origin(renderer, template)
        reference = _width(renderer, "0", self._prop)
        gc = renderer.new_gc()
        gc.set_foreground(self.COLOR)
        for (x, y), label in zip(anchors, self._labels, strict=True):
            # centred as a Text centres it: across its line (upright), along its width (side by side)
            shift = 0.0 if self._rotation else (reference - _width(renderer, label, self._prop)) / 2
            renderer.draw_text(
                gc, x + dx + shift, renderer.height - (y + dy), label, self._prop, self._rotation
            )
        gc.restore()


class _Canvas(FigureCanvasAgg):
    """An Agg canvas whose renderer keeps rendered glyphs (:class:`_Renderer`)."""

    def get_renderer(self) -> RendererAgg:
        w, h = self.get_width_height(physical=True)
        key = (w, h, self.figure.dpi)
        if getattr(self, "_renderer_key", None) != key:
            self.renderer = _Renderer(w, h, self.figure.dpi)
            self._renderer_key = key
        return self.renderer


# ---------------------------------------------------------------- the axes of a view


def _digits(limits: tuple[float, float]) -> tuple[float, float]:
    """Axis limits to 12 significant digits (a billionth of a pixel on any axis drawn here)."""
    return (float(f"{limits[0]:.12g}"), float(f"{limits[1]:.12g}"))


@dataclass
class _Frame:
    """What fixes one Axes across the updates of a view: its scales, limits, ticks, tick labels
    and axis labels."""

    xlim: tuple[float, float]
    ylim: tuple[float, float]
    ticks: tuple[tuple[Any, Any, Any, Any], ...]
    scales: tuple[str, str] = ("linear", "linear")
    labels: tuple[str, str] = ("", "")

    @classmethod
    def of(cls, ax: Axes) -> _Frame:
        ticks = tuple(
            (a.get_major_locator(), a.get_minor_locator(), a.get_major_formatter(), a.get_minor_formatter())
            for a in (ax.xaxis, ax.yaxis)
        )
        # to 12 digits: the same axes computed along two paths differ in the last bits of a float
        return cls(
            _digits(ax.get_xlim()),
            _digits(ax.get_ylim()),
            ticks,
            (ax.get_xscale(), ax.get_yscale()),
            (ax.get_xlabel(), ax.get_ylabel()),
        )

    def apply(self, ax: Axes) -> None:
        ax.set_autoscale_on(False)  # the limits are the frame's (not the data's, nor a warning's)
        if (ax.get_xscale(), ax.get_yscale()) != self.scales:  # (a scale resets the ticks)
            ax.set_xscale(self.scales[0])
            ax.set_yscale(self.scales[1])
        for axis, (major, minor, major_format, minor_format) in zip(
            (ax.xaxis, ax.yaxis), self.ticks, strict=True
        ):
            axis.set_major_locator(major)
            axis.set_minor_locator(minor)
            axis.set_major_formatter(major_format)
            axis.set_minor_formatter(minor_format)
        ax.set_xlim(self.xlim)
        ax.set_ylim(self.ylim)
        ax.set_xlabel(self.labels[0])
        ax.set_ylabel(self.labels[1])

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


# ---------------------------------------------------------------- a selection's artists: kept


@dataclass(frozen=True)
class CurveSpec:
    """What the curve of a selection is drawn from (see :func:`draw_curves`)."""

    rows: pd.DataFrame
    metric: str
    by: str | None
    scale: str
    summary: pd.Series | None = None
    linear_end: float | None = None

    def draw(self, ax: Axes) -> None:
        """:func:`draw_curves` of it on ``ax``: the plots' own drawing (the view's axes come from it)."""
        draw_curves(
            ax,
            self.rows,
            metric=self.metric,
            by=self.by,
            scale=self.scale,
            summary=self.summary,
            linear_end=self.linear_end,
        )


#: plot_trend's colour.
_TREND = "#0072B2"


class _Kept:
    """The artists of one Axes that the selection decides, kept across updates.

    They are made when the *shape* of what is drawn changes (which marks, which groups, which
    months are empty: what :func:`plot_ecdf`, :func:`draw_curves` and :func:`plot_trend` would
    make), with the plots' own calls and styles; every update, the first included, then gives
    them the selection's data (``set_data``, ``set_segments``, the legend's texts). An update
    therefore draws what a fresh drawing of the same selection draws, without making ~20
    artists, a legend and three error bars anew (a sixth of an update at 100k incidents).
    """

    def __init__(self) -> None:
        self.shape: tuple | None = None
        self.parts: dict[str, Any] = {}

    def _attached(self, ax: Axes) -> bool:
        artists = [a for a in self.parts.values() if isinstance(a, Artist)]
        return bool(artists) and all(a.axes is ax for a in artists)

    def reshape(self, ax: Axes, shape: tuple) -> bool:
        """Whether the artists must be made for ``shape`` (then the old ones are gone)."""
        if shape == self.shape and self._attached(ax):
            return False
        for part in self.parts.values():
            for artist in part if isinstance(part, list) else [part]:
                if artist is not None and getattr(artist, "axes", None) is not None:
                    artist.remove()
                elif artist is not None and hasattr(artist, "remove") and artist in ax.containers:
                    artist.remove()
        self.parts = {}
        self.shape = shape
        return True


def _set_errorbar(container: Any, x: Any, y: Any, low: Any, high: Any, *, axis: str, xs: Any = None) -> None:
    """An error bar's marker, caps and bars at ``y`` (x) from ``low`` to ``high``, as errorbar
    places them (``axis``: which way the bars run; ``xs``: x in the axis's numbers; a missing
    end is NaN, and its bar is not drawn)."""
    data_line, caps, bars = container.lines
    if data_line is not None:
        data_line.set_data(x, y)
    for cap, end in zip(caps, (low, high), strict=True):
        cap.set_data(end, y) if axis == "x" else cap.set_data(x, end)
    across = np.asarray(y if axis == "x" else xs, dtype=float)
    low, high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
    if axis == "x":
        segments = np.stack([np.column_stack([low, across]), np.column_stack([high, across])], axis=1)
    else:
        segments = np.stack([np.column_stack([across, low]), np.column_stack([across, high])], axis=1)
    bars[0].set_segments(segments)


def _paint_ecdf(kept: _Kept, ax: Axes, spec: CurveSpec) -> list[float]:
    """:func:`plot_ecdf` of the selection (its curves, band, marks and legend), kept."""
    label = spec.metric.replace("_", " ")
    table = _drawn(ecdf_table(spec.rows, metric=spec.metric))
    x = table["minutes"].to_numpy(dtype=float)
    marks = _ecdf_marks(spec.summary)
    drawn = bool(np.isfinite(x).any())
    if kept.reshape(ax, ("ecdf", tuple((m.name, m.interval) for m in marks), drawn)):
        artists = _draw_ecdf(ax, x, table, spec.summary)
        kept.parts.update(ecdf=artists.ecdf, km=artists.km, band=artists.band, **artists.marks)
        kept.parts["legend"] = ax.legend(loc="lower right", fontsize="small")
        if not drawn:
            kept.parts["message"] = _no_values(ax, label)
    kept.parts["ecdf"].set_data(x, table["ecdf"].to_numpy(dtype=float))
    kept.parts["km"].set_data(x, table["km"].to_numpy(dtype=float))
    kept.parts["band"].set_data(
        x, table["km_low"].to_numpy(dtype=float), table["km_high"].to_numpy(dtype=float)
    )
    labels = ["closed incidents only", _km_label(spec.summary)]
    for name, level, _color, value, low, high, interval, label in marks:
        if interval:  # where errorbar puts the ends: the value less and plus its distances to them
            ends = ([value - (value - low)], [value + (high - value)])
            _set_errorbar(kept.parts[name], [value], [level], *ends, axis="x")
        else:
            kept.parts[name].lines[0].set_data([value], [level])
        labels.append(label)
    for text, shown in zip(kept.parts["legend"].texts, labels, strict=True):
        text.set_text(shown)
    return [float(np.nanmax(x))] if drawn else []


def _no_values(ax: Axes, label: str) -> Text:
    """What a selection without a value of the metric says on the curve's axes (the axes stay)."""
    return ax.text(0.5, 0.5, f"no {label} recorded", ha="center", va="center", transform=ax.transAxes)


def _paint_groups(kept: _Kept, ax: Axes, spec: CurveSpec) -> list[float]:
    """:func:`draw_curves`'s curve per group (Kaplan-Meier where a group has open incidents, else
    the ECDF) and its legend, kept."""
    by = spec.by
    assert by is not None
    drawn = _group_lines(spec.rows, metric=spec.metric, by=by)  # (colour number, name, minutes, share)
    if kept.reshape(ax, ("groups", by, tuple(i for i, *_ in drawn))):
        colors = matplotlib.colormaps["tab10"]
        kept.parts["lines"] = [
            ax.step(x, y, where="post", color=colors(i % 10), lw=1.6, label=name)[0]
            for i, name, x, y in drawn
        ]
        if drawn:
            kept.parts["legend"] = ax.legend(loc="lower right", fontsize="small", title=by)
        else:
            kept.parts["message"] = _no_values(ax, spec.metric.replace("_", " "))
    for line, (_i, _name, x, y) in zip(kept.parts["lines"], drawn, strict=True):
        line.set_data(x, y)
    if drawn:
        for text, (_i, name, _x, _y) in zip(kept.parts["legend"].texts, drawn, strict=True):
            text.set_text(name)
    return [float(np.nanmax(x)) for _i, _name, x, _y in drawn]


def _paint_trend(kept: _Kept, ax: Axes, trend: pd.DataFrame) -> None:
    """:func:`plot_trend` of a :func:`duration_trend` (its band, error bars, medians, empty months
    and legend; the counts as one :class:`_Counts`), kept."""
    x = pd.to_datetime(trend["period_start"]).dt.tz_localize(None).to_numpy()
    value = trend["median"].to_numpy(dtype=float)
    low = trend["median_low"].to_numpy(dtype=float)
    high = trend["median_high"].to_numpy(dtype=float)
    empty = trend["empty"].to_numpy(dtype=bool) if "empty" in trend else np.zeros(len(trend), bool)
    ends = pd.to_datetime(trend["period_end"]).dt.tz_localize(None).to_numpy()
    finite = np.concatenate([value, low, high])
    finite = finite[np.isfinite(finite)]
    zero = bool(len(finite)) and not (finite > 0).any()
    shape = ("trend", interval_level(trend), tuple(x[empty]), tuple(ends[empty]), zero)
    if kept.reshape(ax, shape):
        # NaN breaks the line and the band: an empty period is drawn as a gap.
        kept.parts["band"] = ax.fill_between(
            x, low, high, color=_TREND, alpha=0.18, lw=0, label=f"{interval_level(trend)} interval"
        )
        kept.parts["bars"] = ax.errorbar(
            x, value, yerr=[value - low, high - value], fmt="none", ecolor=_TREND, alpha=0.5, capsize=2
        )
        (kept.parts["median"],) = ax.plot(x, value, "o-", color=_TREND, ms=4, label="median")
        kept.parts["empty"] = [
            ax.axvspan(start, end, color="#BBBBBB", alpha=0.35, lw=0)
            for start, end in zip(x[empty], ends[empty], strict=True)
        ]
        if empty.any():
            (kept.parts["no incidents"],) = ax.plot(
                [], [], "s", color="#BBBBBB", alpha=0.6, label="no incidents"
            )
        if zero:  # nothing a log scale can place: say so
            kept.parts["zero"] = ax.text(
                0.5,
                0.5,
                ALL_ZERO.format("median"),
                ha="center",
                va="center",
                transform=ax.transAxes,
            )
        # Above the axes: inside, it would hide the counts and the intervals of the latest periods.
        kept.parts["legend"] = ax.legend(
            fontsize="small", loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=4, frameon=False
        )
    kept.parts["band"].set_data(x, low, high)
    ends_ = (value - (value - low), value + (high - value))
    _set_errorbar(kept.parts["bars"], x, value, *ends_, axis="y", xs=ax.xaxis.convert_units(x))
    kept.parts["median"].set_data(x, value)
    if "counts" in kept.parts and kept.parts["counts"].axes is not None:
        kept.parts["counts"].remove()
    kept.parts["counts"] = ax.add_artist(_Counts(trend))  # plot_trend's counts, drawn at once


# ---------------------------------------------------------------- the figure


def _chunk(kind: bytes, data: bytes) -> bytes:
    """A PNG chunk: its length, kind, data and CRC."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


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
        self.canvas = _Canvas(self.figure)
        self.curve_ax, self.trend_ax = self.figure.subplots(2, 1, height_ratios=(1.25, 1))
        # Fixed margins: a layout engine would draw the whole figure once more on every update.
        self.figure.subplots_adjust(left=0.1, right=0.97, top=0.95, bottom=0.08, hspace=0.38)
        self._views: dict[tuple, _View] = {}
        # backgrounds by what they show (the view, its axes, the trend's legend), the latest last
        self._backgrounds: dict[tuple, Any] = {}
        self.full_draws = 0
        self.blits = 0
        # the artists of the selection, kept across updates; the empty selection's messages
        self._curve_kept, self._trend_kept = _Kept(), _Kept()
        self._blank = False
        # where the axes of a view (and of a selection's curve on its own) are worked out, by
        # drawing with the plots, away from the kept artists: a spare Axes for each of the two
        self._spares = dict(zip(self._axes, Figure(figsize=SIZE, dpi=DPI).subplots(2, 1), strict=True))
        # the plots' grids, the same in every view: draw_curves' (plot_ecdf's) and plot_trend's
        self.curve_ax.grid(True, which="major", alpha=0.3)
        self.trend_ax.grid(True, axis="y", alpha=0.3)

    @property
    def _axes(self) -> tuple[Axes, Axes]:
        return self.curve_ax, self.trend_ax

    def update(
        self,
        key: tuple,
        *,
        curves: CurveSpec | None,
        trend: pd.DataFrame | None,
        metric: str,
        whole: Callable[[], tuple[CurveSpec, pd.DataFrame]] | None = None,
    ) -> None:
        """Draw a selection into the canvas's buffer.

        Parameters
        ----------
        key : tuple
            The view (clock, metric, group-by, scale): updates with the same key share their axes.
        curves : CurveSpec or None
            What the selection's curves are drawn from; None when nothing is selected.
        trend : DataFrame or None
            The selection's :func:`~mttr_lab.duration_trend`.
        metric : str
            The metric, for the trend's label.
        whole : callable, optional
            The curves and trend of every incident of the view, asked once per view; None when
            the selection is every incident.
        """
        if curves is None or trend is None:
            self._clear()
            key = ("empty",)
            for ax in self._axes:
                ax.set_axis_off()
                ax.text(0.5, 0.5, EMPTY, ha="center", va="center", transform=ax.transAxes)
            self._blank = True
            self._show(key)
            return
        if self._blank:  # the empty selection's messages go
            self._clear()
            self._blank = False
        for ax in self._axes:
            ax.set_axis_on()
        label = metric.replace("_", " ")
        view = self._views.get(key)
        if view is None:
            base_curves, base_trend = whole() if whole is not None else (curves, trend)
            view = _View(
                curve=self._frame(self.curve_ax, base_curves.draw),
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
        paint = _paint_ecdf if curves.by is None else _paint_groups
        drawn = paint(self._curve_kept, self.curve_ax, curves)
        _paint_trend(self._trend_kept, self.trend_ax, trend)
        curve_frame = view.curve
        # a selection without a value of the metric draws no curve: it leaves the axes alone
        if drawn:
            natural = self._natural(curves, drawn)
            if not curve_frame.holds(*natural):
                curve_frame = replace(  # for this selection only
                    curve_frame,
                    xlim=(min(*curve_frame.xlim, *natural[0]), max(*curve_frame.xlim, *natural[0])),
                    ylim=(min(*curve_frame.ylim, *natural[1]), max(*curve_frame.ylim, *natural[1])),
                )
        curve_frame.apply(self.curve_ax)
        trend_frame.apply(self.trend_ax)
        self._show((key, curve_frame.xlim, curve_frame.ylim, trend_frame.xlim, trend_frame.ylim))

    def _natural(
        self, curves: CurveSpec, longest: list[float]
    ) -> tuple[tuple[float, float], tuple[float, float]]:
        """The limits :meth:`CurveSpec.draw` gives the selection's curve on its own: a linear axis
        from 0 to the given end (else to the longest drawn); a log one as :func:`_log_minutes_axis`
        sets it from the curve's durations (worked out on a spare Axes)."""
        if curves.scale == "linear":
            return _digits((0.0, curves.linear_end or max(longest, default=0.0) or 1.0)), (0.0, 1.02)
        ax = self._spares[self.curve_ax]
        self._clear(ax)
        minutes = [line.get_xdata() for line in self.curve_ax.lines if len(line.get_xdata())]
        x = np.concatenate(minutes) if minutes else np.array([], dtype=float)
        x = x[np.isfinite(x)]
        positive = x[x > 0]
        # the data limits the curves give (with the least positive duration, for a log scale)
        least = [positive.min()] if len(positive) else []
        ax.update_datalim([(p, 0.5) for p in (x.min(), x.max(), *least)])
        _log_minutes_axis(ax, "x", float(x.min()), float(x.max()))
        ax.set_ylim(0, 1.02)
        return _digits(ax.get_xlim()), _digits(ax.get_ylim())

    def _frame(self, ax: Axes, draw: Curves) -> _Frame:
        """The frame ``draw`` gives ``ax`` (drawn on its spare, then removed)."""
        spare = self._spares[ax]
        self._clear(spare)
        draw(spare)
        frame = _Frame.of(spare)
        self._clear(spare)
        return frame

    def _clear(self, *axes: Axes) -> None:
        """Remove the data artists, and let the next ones set the limits afresh."""
        for ax in axes or self._axes:
            for artist in (*ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.images, *ax.artists):
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
        children = [*ax.lines, *ax.collections, *ax.patches, *ax.texts, *ax.images, *ax.artists]
        if ax.legend_ is not None and ax is not self.trend_ax:
            children.append(ax.legend_)
        return sorted(children, key=lambda a: a.get_zorder())

    def _show(self, key: tuple) -> None:
        """Draw: the background ``key`` names (drawn once, then kept), then the data over it."""
        data = [(ax, self._data(ax)) for ax in self._axes]
        for _ax, artists in data:
            for artist in artists:
                artist.set_animated(True)
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
        """The canvas's pixels as PNG (opaque: RGB; zlib level :data:`PNG_COMPRESSION`).

        Written here rather than by Pillow, whose encoder tries every row filter: rows left
        unfiltered compress as well for a plot's flat colours (~77 kB), in 5.5 ms rather than 9.
        """
        rgba = np.asarray(self.canvas.buffer_rgba())
        height, width = rgba.shape[:2]
        rows = np.zeros((height, 1 + 3 * width), dtype=np.uint8)  # each row: filter 0, then RGB
        rows[:, 1:].reshape(height, width, 3)[...] = rgba[..., :3]
        pixels = zlib.compressobj(PNG_COMPRESSION, zlib.DEFLATED, 15, 9)
        header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8 bits, RGB
        return b"".join(
            (
                b"\x89PNG\r\n\x1a\n",
                _chunk(b"IHDR", header),
                _chunk(b"IDAT", pixels.compress(rows.data) + pixels.flush()),
                _chunk(b"IEND", b""),
            )
        )

    def copy(self) -> Figure:
        """A complete, independent copy of the figure (every artist drawn normally by ``savefig``)."""
        fig = pickle.loads(pickle.dumps(self.figure))
        for artist in fig.findobj(lambda a: a.get_animated()):
            artist.set_animated(False)
        return fig
