"""The explorer's widget: its controls, their debounced updates, and the HTML its outputs show.

:class:`WidgetView` is the part of :class:`mttr_lab.Explorer` that ipywidgets sees: it builds the
controls on first use, turns a control's change into one ``set`` call, and writes caption, tables
and figure (tables first: they reach the browser at once; the figure costs most of an update).
"""

from __future__ import annotations

import asyncio
import html
from typing import Any

import pandas as pd

from .units import show

__all__ = ["WidgetView"]

STATUSES = ("all", "open", "closed")
SCALES = ("log", "linear")
CLOCKS = ("impact", "detection")
#: The group-by control's "nothing" (a dropdown cannot hold None as a choice).
NO_GROUP = "-"
#: Seconds a control change waits for the next one (clicks in a list, a slider's key presses).
DEBOUNCE = 0.25


def _table_html(table: pd.DataFrame, *, tz: str = "UTC", name: str = "table") -> str:
    """A statistics table as people read it (the review's formatting), as HTML.

    ``name`` makes the table's HTML ids (stable, so a saved notebook does not change on a re-run).
    Figures never break over two lines; headers, notes and titles do (titles at least 12 letters
    wide, so a narrow output leaves them a line or two, not a word a line); the rules are one
    style sheet for the table rather than a style per cell (which costs more than the table's
    statistics).
    """
    styler = show(table, tz=tz).set_uuid(f"mttr-{name}")
    shown = styler.data.columns
    wrapped = [i for i, c in enumerate(shown) if c in ("note", "title")]
    rules = [
        f"#T_mttr-{name} td, #T_mttr-{name} th {{padding: 2px 8px; text-align: left; white-space: nowrap;}}",
        f"#T_mttr-{name} thead th {{white-space: normal; vertical-align: bottom;}}",
    ]
    rules += [f"#T_mttr-{name} td.col{i} {{white-space: normal; min-width: 12em;}}" for i in wrapped]
    return "<style>" + " ".join(rules) + "</style>" + styler.to_html()


class WidgetView:
    """The widget of an explorer (a mixin: the explorer holds the state and computes)."""

    _widget: Any
    _controls: dict[str, Any]

    @property
    def widget(self) -> Any:
        """The ipywidgets container: controls left, outputs right (made on first use)."""
        if self._widget is None:
            self._build()
        return self._widget

    def _build(self) -> None:
        import ipywidgets as w

        days = []
        if self._first is not None:
            days = [d.date() for d in pd.date_range(self._first, self._last, freq="D")]
        self._controls = self._make_controls(w, days)
        self._save_button = w.Button(
            description="save",
            icon="download",
            tooltip="write the table (CSV) and the figure (PNG) next to the notebook",
        )
        self._message = w.HTML()
        self._caption_out = w.HTML()
        self._image = w.Image(
            format="png", layout=w.Layout(max_width="100%", height="auto", min_width="0", flex="1 1 auto")
        )
        self._summary_out = w.HTML()
        self._slowest_out = w.HTML()
        for key, control in self._controls.items():
            control.observe(self._on_change, names="value")
            control._mttr_key = key
        self._save_button.on_click(self._on_save)
        self._sync_controls()
        controls = w.VBox(
            [c for k, c in self._controls.items() if k != "dates"] + [self._save_button, self._message],
            layout=w.Layout(min_width="270px"),
        )
        top = [self._controls["dates"]] if "dates" in self._controls else []
        tables = [
            w.HTML("<h4>Summary</h4>"),
            self._summary_out,
            w.HTML("<h4>Slowest incidents</h4>"),
            self._slowest_out,
        ]
        self._widget = w.VBox(
            [*top, self._caption_out, w.HBox([controls, self._image]), *tables],
            layout=w.Layout(overflow="auto"),
        )
        self._widget.add_class("mttr-explorer")
        self._draw()

    def _make_controls(self, w: Any, days: list) -> dict[str, Any]:
        """The filter controls by filter name ("dates" for the date range), in their order."""
        layout = w.Layout(width="250px")
        style = {"description_width": "70px"}
        controls: dict[str, Any] = {}
        if days:
            controls["dates"] = w.SelectionRangeSlider(
                options=[(d.isoformat(), d) for d in days],
                index=(0, len(days) - 1),
                description="dates",
                continuous_update=False,  # a drag updates once, on release
                readout=False,  # two dates do not fit its readout: the caption names the window
                layout=w.Layout(width="520px"),
                style=style,
            )
        for g in self.groups:
            controls[g] = w.SelectMultiple(
                options=self._values[g],
                rows=min(5, max(2, len(self._values[g]))),
                description=g,
                layout=layout,
                style=style,
            )
        controls["status"] = w.ToggleButtons(
            options=STATUSES, description="incidents", style={"button_width": "72px"}
        )
        controls["metric"] = w.Dropdown(
            options=[(m.replace("_", " "), m) for m in self.metrics],
            description="metric",
            layout=layout,
            style=style,
        )
        controls["by"] = w.Dropdown(
            options=[("nothing", NO_GROUP), *[(g, g) for g in self.groups]],
            description="group by",
            layout=layout,
            style=style,
        )
        controls["clock"] = w.Dropdown(
            options=list(self._frames),
            description="clock start",
            layout=layout,
            style=style,
            disabled=len(self._frames) == 1,
        )
        controls["scale"] = w.ToggleButtons(
            options=SCALES, description="axis", style={"button_width": "60px"}
        )
        return controls

    def _sync_controls(self) -> None:
        f, c = self._filters, self._controls
        self._syncing = True
        try:
            if "dates" in c:
                options = [v for _, v in c["dates"].options]
                lo = options[0] if f["start"] is None else min(max(f["start"], options[0]), options[-1])
                hi = options[-1] if f["end"] is None else max(min(f["end"], options[-1]), options[0])
                c["dates"].value = (lo, max(lo, hi))
            for g in self.groups:
                c[g].value = tuple(f[g] or ())
            for key in ("status", "metric", "clock", "scale"):
                c[key].value = f[key]
            c["by"].value = f["by"] or NO_GROUP
        finally:
            self._syncing = False

    def _on_change(self, change: dict) -> None:
        """A control moved: its filter waits :data:`DEBOUNCE` seconds for the next before one update."""
        if self._syncing:
            return
        key = change["owner"]._mttr_key
        value = change["new"]
        if key == "dates":
            options = [v for _, v in change["owner"].options]
            start, end = value
            pending = {
                "start": None if start == options[0] else start,
                "end": None if end == options[-1] else end,
            }
        elif key in self.groups:
            pending = {key: list(value) or None}
        elif key == "by":
            pending = {"by": None if value == NO_GROUP else value}
        else:
            pending = {key: value}
        self._pending.update(pending)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no event loop (a script, a test): update now
            self._flush()
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer = loop.call_later(DEBOUNCE, self._flush)

    def _flush(self) -> None:
        self._timer = None
        pending, self._pending = self._pending, {}
        if pending:
            self.set(**pending)

    def _on_save(self, _button: Any) -> None:
        try:
            csv, png = self.save(".")
        except OSError as error:  # a folder not writable, a disk full: said next to the button
            where = f" ({error.filename})" if error.filename else ""
            reason = error.strerror or str(error)
            self._message.value = f"<small>not saved: {html.escape(reason + where)}</small>"
            return
        self._message.value = f"<small>saved {csv.name} and {png.name}</small>"

    def _draw(self) -> None:
        """Caption and tables first (each assignment reaches the browser at once), the figure last."""
        self._caption_out.value = f"<b>{self._caption()}</b>"
        self._summary_out.value = _table_html(self.summary, tz=self.tz, name="summary")
        self._slowest_out.value = _table_html(self._slowest_table(), tz=self.tz, name="slowest")
        self._draw_figure()

    def _draw_figure(self) -> None:
        self._image.value = self.png()
