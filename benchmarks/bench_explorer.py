"""The explorer's update on 10k and 100k incidents, beside the summary it shows computed directly.

An update is what a moved control costs: filter the durations, summarise the selection, write the
caption and the two tables (the browser shows them at once), then draw and encode the figure (the
curve per group and the monthly trend). Printed per size, median of five updates, each with a
different severity selected, after one pass over the severities (as a user clicking through
them once): the figure's axes are fixed per view, a selection whose monthly intervals leave the
trend's axis gets a wider one, and axes drawn before are blitted. ``first draw`` is the update
of that first pass (median: mostly full draws of the figure):

- ``summary``: ``duration_summary`` of the same selection (a fresh copy of it), called directly;
- ``statistics shown``: every number the update shows, computed directly: the summary, the
  slowest incidents, the curve (``ecdf_table``) and the monthly trend (``duration_trend``);
- ``summary + figure``: the same done by hand with the package's public functions: the summary,
  the curve (``ecdf_table`` + ``plot_ecdf``) and the monthly trend (``duration_trend`` +
  ``plot_trend``) in one figure of the same size, written as PNG;
- ``tables``: from the control's change to the tables in the widget;
- ``update``: the whole update, figure included;
- ``no filter``: the whole update with every incident selected (the largest selection).

Run: .venv/bin/python benchmarks/bench_explorer.py (from a git worktree, with PYTHONPATH set to
it: the script's own folder, not the working directory, comes first on sys.path).
"""

from __future__ import annotations

import io
import statistics
import time

import pandas as pd
from matplotlib.figure import Figure

import mttr_lab as mttr
from mttr_lab.explorer_figure import DPI
from mttr_lab.synth import synth_incidents

SIZES = (10_000, 100_000)
REPEAT = 5


def _median_ms(times: list[float]) -> str:
    return f"{1000 * statistics.median(times):,.0f} ms"


def by_hand(selection: pd.DataFrame) -> None:
    """The summary and the figure the explorer shows, made directly from the public functions."""
    summary = mttr.duration_summary(selection, targets=(60,))
    fig = Figure(figsize=(8, 6.6), dpi=DPI)
    curve_ax, trend_ax = fig.subplots(2, 1, height_ratios=(1.25, 1))
    mttr.plot_ecdf(mttr.ecdf_table(selection), summary=summary.iloc[0], ax=curve_ax)
    mttr.plot_trend(mttr.duration_trend(selection, changes=False), ax=trend_ax)
    fig.savefig(io.BytesIO(), format="png")


def statistics_shown(selection: pd.DataFrame) -> None:
    """Every number an update shows, computed directly from the public functions (nothing drawn)."""
    mttr.duration_summary(selection, targets=(60,))
    mttr.slowest_incidents(selection, n=10)
    mttr.ecdf_table(selection)
    mttr.duration_trend(selection, changes=False)


def main() -> None:
    print(
        "| incidents | summary (direct) | statistics shown (direct) | summary + figure (direct) "
        "| tables shown | whole update (with figure) | no filter | first draw |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for n in SIZES:
        durations = mttr.phase_durations(synth_incidents(incidents=n, months=36, seed=1, defects=False))
        explorer = mttr.explore(durations)
        _widget = explorer.widget  # built once, as displaying it in a notebook does
        severities = sorted(durations["severity"].dropna().astype(str).unique())
        direct, numbers, by_hand_times, tables, whole, first = [], [], [], [], [], []
        for severity in severities:  # the first visits: each severity's axes drawn once
            start = time.perf_counter()
            explorer.set(severity=[severity])
            first.append(time.perf_counter() - start)
        draw_figure = explorer._draw_figure
        for i in range(REPEAT):
            chosen = [severities[i % len(severities)]]
            shown: list[float] = []
            explorer._draw_figure = lambda shown=shown, draw=draw_figure: (
                shown.append(time.perf_counter()),
                draw(),
            )
            start = time.perf_counter()
            explorer.set(severity=chosen)
            end = time.perf_counter()
            tables.append(shown[0] - start)
            whole.append(end - start)
            selection = explorer.selection.copy()  # not the explorer's own frame, nothing cached
            start = time.perf_counter()
            mttr.duration_summary(selection, targets=(60,))
            direct.append(time.perf_counter() - start)
            selection = explorer.selection.copy()
            start = time.perf_counter()
            statistics_shown(selection)
            numbers.append(time.perf_counter() - start)
            selection = explorer.selection.copy()
            start = time.perf_counter()
            by_hand(selection)
            by_hand_times.append(time.perf_counter() - start)
        explorer._draw_figure = draw_figure
        unfiltered = []
        for _ in range(REPEAT):
            start = time.perf_counter()
            explorer.set(severity=None)
            unfiltered.append(time.perf_counter() - start)
        cells = (direct, numbers, by_hand_times, tables, whole, unfiltered, first)
        print(f"| {n:,} | " + " | ".join(_median_ms(c) for c in cells) + " |")


if __name__ == "__main__":
    main()
