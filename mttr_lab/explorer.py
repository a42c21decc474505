"""Explore a baseline interactively in JupyterLab: filters, a live curve, the summary and the slowest.

The explorer composes the package's statistics (:func:`~mttr_lab.duration_summary`,
:func:`~mttr_lab.ecdf_table`, :func:`~mttr_lab.duration_trend`, :func:`~mttr_lab.slowest_incidents`)
and plots (:func:`~mttr_lab.plot_ecdf`, :func:`~mttr_lab.plot_trend`); it computes nothing of its own
but the selection. Phases are computed once, when the explorer is made (both clock starts when the
incidents are given); a filter change only selects rows and recomputes what is shown.

In a static render (nbconvert, GitHub) the explorer shows its initial state as a table and a figure.
"""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .errors import InputError
from .explorer_figure import MISSING_GROUP, CurveSpec, ExplorerFigure
from .explorer_widget import CLOCKS, SCALES, STATUSES, WidgetView, _table_html
from .frames import DURATIONS, INCIDENTS, require
from .output import to_safe_csv
from .phases import AS_OF_ATTR, phase_durations
from .review import slowest_incidents
from .schema import METRICS
from .stats import censored_minutes, duration_summary
from .timeparse import check_timezone
from .trend import duration_trend

__all__ = ["Explorer", "explore"]

#: The columns a user can filter and group by, when the durations hold them.
GROUPS = ("severity", "service", "team")
#: The columns of the summary shown (with their intervals where duration_summary gives them).
SHOWN = (
    "count",
    "open",
    "median",
    "median_low",
    "median_high",
    "p90",
    "p90_low",
    "p90_high",
    "km_median",
    "km_median_low",
    "km_median_high",
    "within_60",
    "within_60_low",
    "within_60_high",
    "note",
)
#: How many of the slowest incidents are listed.
SLOWEST = 10
FILTERS = ("start", "end", *GROUPS, "status", "metric", "by", "clock", "scale")


# ---------------------------------------------------------------- the explorer

#: Statistics duration_summary notes about that the table does not show.
_UNSHOWN = ("p95", "p99", "mean", "geomean", "std", "within_30")


def _shown_notes(note: object) -> object:
    """The parts of a summary note about what the table shows (NA when none is left)."""
    if not isinstance(note, str):
        return pd.NA
    kept = [part for part in note.split("; ") if not part.startswith(_UNSHOWN)]
    return "; ".join(kept) if kept else pd.NA


def _as_of(durations: pd.DataFrame) -> pd.Timestamp | None:
    """The review date of a durations frame: the one it was computed at, else the censoring moment
    of its open incidents (clock start + time open; None without open ones)."""
    if AS_OF_ATTR in durations.attrs:
        return pd.Timestamp(durations.attrs[AS_OF_ATTR])
    open_rows = durations["is_open"] & durations["open_for"].notna()
    if not open_rows.any():
        return None
    return (durations.loc[open_rows, "clock_start"] + durations.loc[open_rows, "open_for"]).max()


def _other_clock(durations: pd.DataFrame, incidents: pd.DataFrame, *, clock_start: str) -> pd.DataFrame:
    """The durations of the same incidents from the other clock start, at the same review date.

    Only the incidents of ``durations`` are kept (a frame filtered to one severity stays filtered
    on the other clock); an incident of ``durations`` that ``incidents`` does not hold is an
    :class:`InputError` (the two frames are of different exports).
    """
    other = phase_durations(incidents, clock_start=clock_start, as_of=_as_of(durations))
    wanted = durations["incident_id"]
    missing = ~wanted.isin(other["incident_id"])
    if missing.any():
        raise InputError(
            f"explore: incidents= does not hold {int(missing.sum()):,} of the {len(wanted):,} incidents "
            "of the durations (they come from different exports, or different review dates)",
            found=wanted[missing].iloc[0],
            expected="the incidents the durations were computed from (phase_durations(incidents))",
        )
    kept = other["incident_id"].isin(wanted)
    return other if kept.all() else other.loc[kept].reset_index(drop=True)


def _clock_of(durations: pd.DataFrame) -> str:
    """Which clock start ``durations`` uses: "detection" when every clock starts at detection."""
    if "detected_at" not in durations or "started_at" not in durations:
        return "impact"
    differs = durations["started_at"].notna() & (durations["started_at"] != durations["detected_at"])
    at_detection = (durations["clock_start"] == durations["detected_at"]) | durations["detected_at"].isna()
    return "detection" if differs.any() and bool(at_detection.all()) else "impact"


class Explorer(WidgetView):
    """An interactive view of one durations frame; see :func:`explore`.

    Attributes
    ----------
    widget : ipywidgets.VBox
        The controls and the outputs (displaying the explorer shows it).
    selection : DataFrame
        The durations of the incidents the filters select (rows of the durations frame).
    summary : DataFrame
        The numbers of the table shown: :func:`~mttr_lab.duration_summary` of the selection,
        indexed by group (``all`` without a group-by): ``count``, ``open``, ``median``, ``p90``,
        ``km_median``, ``within_60`` with ``_low``/``_high`` intervals, and ``note``.
    slowest : DataFrame
        The slowest incidents of the selection (:func:`~mttr_lab.slowest_incidents`).
    trend : DataFrame
        The trend by month drawn below the curve (:func:`~mttr_lab.duration_trend` of the
        selection with ``changes=False``).
    """

    def __init__(
        self,
        durations: pd.DataFrame,
        *,
        incidents: pd.DataFrame | None = None,
        metric: str = "time_to_recover",
        by: str | None = None,
        tz: str = "UTC",
    ) -> None:
        require(durations, DURATIONS, function="explore", columns=("incident_id", "clock_start", "is_open"))
        check_timezone(tz, function="explore")
        self.tz = tz
        clock = _clock_of(durations)
        self._frames: dict[str, pd.DataFrame] = {clock: durations}
        if incidents is not None:
            require(incidents, INCIDENTS, function="explore(incidents=...)")
            other = CLOCKS[1 - CLOCKS.index(clock)]
            # Computed once, here: a filter change never recomputes phases.
            self._frames[other] = _other_clock(durations, incidents, clock_start=other)
        self.groups = tuple(g for g in GROUPS if g in durations.columns)
        self.metrics = tuple(
            m
            for m in (*METRICS, "detection", "response", "diagnosis", "repair", "followup")
            if m in durations
        )
        self._values = {g: tuple(sorted(str(v) for v in durations[g].dropna().unique())) for g in self.groups}
        stamps = durations["clock_start"].dropna()
        self._first = stamps.min().tz_convert(tz).date() if len(stamps) else None
        self._last = stamps.max().tz_convert(tz).date() if len(stamps) else None
        self._filters: dict[str, Any] = dict.fromkeys(FILTERS)
        self._defaults = {"status": "all", "metric": "time_to_recover", "clock": clock, "scale": "log"}
        self._filters.update(self._defaults)
        self._widget: Any = None
        self._plot: ExplorerFigure | None = None  # made on the first drawing, then reused
        self._whole_trends: dict[tuple[str, str], pd.DataFrame] = {}  # per clock and metric
        self._linear_ends: dict[tuple[str, str], float | None] = {}  # the same
        self._syncing = False
        self._pending: dict[str, Any] = {}
        self._timer: asyncio.TimerHandle | None = None
        self.set(metric=metric, by=by)

    # ------------------------------------------------------------ programmatic control

    def set(self, **filters: Any) -> Explorer:
        """Set filters as the controls do; ``None`` clears a filter (or restores its default).

        Parameters
        ----------
        start, end : date or str, optional
            The first and last day (inclusive, in ``tz``) of the clock start.
        severity, service, team : str or list of str, optional
            The values kept (any of them).
        status : {"all", "open", "closed"}
        metric : str
            A metric or phase of the durations frame.
        by : {"severity", "service", "team"}, optional
            Group the curve and the table.
        clock : {"impact", "detection"}
            When the clock starts (the other clock needs ``incidents=``).
        scale : {"log", "linear"}
            The duration axis of the curve.

        Returns
        -------
        Explorer
            Itself, updated.
        """
        unknown = [name for name in filters if name not in FILTERS]
        if unknown:
            raise InputError(
                f"explore: no filter named {unknown[0]!r}",
                expected="one of "
                + ", ".join(
                    n for n in FILTERS if n in ("start", "end") or n not in GROUPS or n in self.groups
                ),
            )
        new = dict(self._filters)
        for name, value in filters.items():
            new[name] = self._checked(name, value)
        start, end = new["start"], new["end"]
        if start is not None and end is not None and start > end:
            raise InputError(
                f"explore: the date range starts on {start:%d %b %Y}, after it ends ({end:%d %b %Y})",
                expected="a start on or before the end",
            )
        self._filters = new
        self._compute()
        if self._widget is not None:
            self._sync_controls()
            self._draw()
        return self

    def _checked(self, name: str, value: Any) -> Any:
        if value is None:
            return self._defaults.get(name)
        if name in ("start", "end"):
            try:
                stamp = pd.Timestamp(value)
            except (ValueError, TypeError) as error:
                raise InputError(
                    f"explore: {name} is not a date", found=value, expected="a date like 2025-04-01"
                ) from error
            return stamp.date()
        if name in GROUPS:
            if name not in self.groups:
                raise InputError(f"explore: the durations have no {name} column to filter", found=value)
            if isinstance(value, str) or not np.iterable(value):
                wanted: tuple[str, ...] = (str(value),)
            else:
                wanted = tuple(str(v) for v in value)
            absent = [v for v in wanted if v not in self._values[name]]
            if absent:
                raise InputError(
                    f"explore: no incident has {name} {absent[0]!r}",
                    expected="some of " + ", ".join(self._values[name]),
                )
            return wanted or None
        choices = {
            "status": STATUSES,
            "metric": self.metrics,
            "by": self.groups,
            "clock": tuple(self._frames),
            "scale": SCALES,
        }[name]
        if name == "by" and not choices:
            raise InputError(
                f"explore: cannot group by {value!r}: the durations have no severity, service or team column",
                expected="by=None",
            )
        if value not in choices:
            hint = (
                " (the other clock start needs explore(..., incidents=incidents))" if name == "clock" else ""
            )
            raise InputError(
                f"explore: {name} cannot be {value!r}{hint}", expected="one of " + ", ".join(choices)
            )
        return value

    @property
    def filters(self) -> dict[str, Any]:
        """The current filters (None where a filter is cleared)."""
        return dict(self._filters)

    # ------------------------------------------------------------ computing

    def _mask(self, frame: pd.DataFrame) -> np.ndarray:
        f = self._filters
        keep = np.ones(len(frame), dtype=bool)
        local = None
        if f["start"] is not None or f["end"] is not None:
            local = frame["clock_start"].dt.tz_convert(self.tz).dt.tz_localize(None)
        if f["start"] is not None:
            keep &= (local >= pd.Timestamp(f["start"])).to_numpy()
        if f["end"] is not None:
            keep &= (local < pd.Timestamp(f["end"]) + pd.Timedelta(days=1)).to_numpy()
        for g in self.groups:
            if f[g]:
                keep &= frame[g].astype("string").isin(f[g]).fillna(False).to_numpy(dtype=bool)
        if f["status"] != "all":
            keep &= frame["is_open"].to_numpy(dtype=bool) == (f["status"] == "open")
        return keep

    def _compute(self) -> None:
        frame = self._frames[self._filters["clock"]]
        self.selection = frame.loc[self._mask(frame)]
        metric, by = self._filters["metric"], self._filters["by"]
        full = duration_summary(self.selection, metric=metric, by=by, targets=(60,))  # the share shown
        summary = full[[c for c in SHOWN if c in full.columns]].copy()
        if "note" in summary:
            summary["note"] = summary["note"].map(_shown_notes).astype("string")
        self.summary = summary
        self.slowest = slowest_incidents(self.selection, metric=metric, n=SLOWEST)
        self._trend: pd.DataFrame | None = None  # computed when the figure is drawn, after the tables
        self._png: bytes | None = None  # the figure of this selection, drawn once

    @property
    def trend(self) -> pd.DataFrame:
        """The monthly trend drawn: :func:`~mttr_lab.duration_trend` of the selection, without changes.

        The figure draws the median per month with its exact interval, so the period-to-period
        changes (a bootstrap per month) are not computed (``changes=False``).
        """
        if self._trend is None:
            self._trend = duration_trend(
                self.selection, metric=self._filters["metric"], tz=self.tz, changes=False
            )
        return self._trend

    # ------------------------------------------------------------ drawing

    def figure(self) -> Figure:
        """The curve per group (Kaplan-Meier when incidents are open) above the trend by month.

        Returns
        -------
        Figure
            A new Figure each call, complete (``savefig`` draws all of it): a copy of the figure
            the explorer shows, which later updates redraw in place.
        """
        self.png()
        return self._figure().copy()

    def _figure(self) -> ExplorerFigure:
        if self._plot is None:
            self._plot = ExplorerFigure()
        return self._plot

    def _render(self) -> None:
        """Draw the selection into the explorer's figure: its axes are those of the view."""
        f = self._filters
        metric, by, clock, scale = f["metric"], f["by"], f["clock"], f["scale"]
        frame = self._frames[clock]
        key = (clock, metric, by, scale)
        if self.selection.empty:
            self._figure().update(key, curves=None, trend=None, metric=metric)
            return
        summary = self.summary.iloc[0] if by is None else None
        trend = self.trend
        everything = len(self.selection) == len(frame)
        if everything:
            self._whole_trends[(clock, metric)] = trend

        if (clock, metric) not in self._linear_ends:  # where a linear axis ends: every incident's p99
            known = censored_minutes(frame, metric=metric)["minutes"].dropna()
            end = float(known.quantile(0.99)) if len(known) else 0.0
            self._linear_ends[(clock, metric)] = end if end > 0 else None  # else to the longest
        end = self._linear_ends[(clock, metric)]

        curves = CurveSpec(self.selection, metric, by, scale, summary=summary, linear_end=end)

        def whole() -> tuple[CurveSpec, pd.DataFrame]:
            if (clock, metric) not in self._whole_trends:
                self._whole_trends[(clock, metric)] = duration_trend(
                    frame, metric=metric, tz=self.tz, changes=False
                )
            every = CurveSpec(frame, metric, by, scale, summary=None, linear_end=end)
            return every, self._whole_trends[(clock, metric)]

        self._figure().update(
            key, curves=curves, trend=trend, metric=metric, whole=None if everything else whole
        )

    def _caption(self) -> str:
        n, total = len(self.selection), len(self._frames[self._filters["clock"]])
        opened = int(self.selection["is_open"].sum())
        first = self._filters["start"] or self._first
        last = self._filters["end"] or self._last
        if first is None or last is None:
            window = ""
        elif first > last:  # one end of the range beyond the incidents: say the end that was set
            window = f" from {first:%d %b %Y} on" if self._filters["start"] else f" up to {last:%d %b %Y}"
        else:
            window = f" from {first:%d %b %Y} to {last:%d %b %Y}"
        return f"{n:,} of {total:,} incidents selected{window}, {opened:,} not resolved yet"

    def _slowest_table(self) -> pd.DataFrame:
        """The slowest incidents, what they were first and their id last."""
        table = self.slowest
        return table[[*(c for c in table.columns if c != "incident_id"), "incident_id"]]

    def png(self) -> bytes:
        """The figure of the current filters as PNG bytes (drawn once per update, then reused)."""
        if self._png is None:
            self._render()
            self._png = self._figure().png()
        return self._png

    def _html(self) -> str:
        image = base64.b64encode(self.png()).decode("ascii")
        return (
            f"<div class='mttr-explorer'><p>{self._caption()}</p>"
            f"<img src='data:image/png;base64,{image}' alt='the curve and the trend of the selection'/>"
            f"<h4>Summary</h4>{_table_html(self.summary, tz=self.tz, name='summary')}"
            f"<h4>Slowest incidents</h4>{_table_html(self._slowest_table(), tz=self.tz, name='slowest')}</div>"
        )

    # ------------------------------------------------------------ saving

    def save(self, directory: str | Path = ".", *, name: str = "explorer") -> tuple[Path, Path]:
        """Write the summary shown (CSV, numbers in minutes) and the figure (PNG) into ``directory``.

        Returns
        -------
        tuple of Path
            The CSV and the PNG written (``<name>_summary.csv``, ``<name>.png``).
        """
        folder = Path(directory)
        folder.mkdir(parents=True, exist_ok=True)
        key = self._filters["by"] or "group"
        table = self.summary.reset_index(names=key)
        table[key] = table[key].astype("string").fillna(MISSING_GROUP)  # as the table shown reads it
        csv = to_safe_csv(table, folder / f"{name}_summary.csv")
        png = folder / f"{name}.png"
        png.write_bytes(self.png())
        return csv, png

    # ------------------------------------------------------------ display

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """The live widget, with the table and figure as HTML for a static render (nbconvert, GitHub)."""
        bundle: dict[str, Any] = {}
        widget_bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        data = widget_bundle[0] if isinstance(widget_bundle, tuple) else widget_bundle
        if data and "application/vnd.jupyter.widget-view+json" in data:
            bundle["application/vnd.jupyter.widget-view+json"] = data[
                "application/vnd.jupyter.widget-view+json"
            ]
        bundle["text/html"] = self._html()
        bundle["text/plain"] = f"Explorer: {self._caption()}"
        return bundle

    def __repr__(self) -> str:
        return f"Explorer({self._caption()})"


def explore(
    durations: pd.DataFrame,
    *,
    incidents: pd.DataFrame | None = None,
    metric: str = "time_to_recover",
    by: str | None = None,
    tz: str = "UTC",
) -> Explorer:
    """An interactive explorer of a baseline: filters, the curve, the summary, the slowest incidents.

    Parameters
    ----------
    durations : DataFrame
        The output of :func:`mttr_lab.phase_durations`.
    incidents : DataFrame, optional
        The incidents ``durations`` came from; with them, the other clock start is offered too
        (computed once, now).
    metric : str
        The metric shown first (a metric or phase).
    by : str, optional
        The group-by shown first (``severity``, ``service`` or ``team``).
    tz : str
        The team's timezone: days of the date filter and timestamps of the tables.

    Returns
    -------
    Explorer
        Display it in a cell; ``.set(**filters)`` drives it, ``.selection`` and ``.summary`` hold
        what is shown, ``.save(directory)`` writes the table and the figure.
    """
    return Explorer(durations, incidents=incidents, metric=metric, by=by, tz=tz)
