"""The explorer's update on 10k and 100k incidents, beside the summary it shows computed directly.

An update is what a moved control costs: filter the durations, summarise the selection, write the
caption and the two tables (the browser shows them at once), then draw and encode the figure (the
curve per group and the monthly trend). Printed per size, median of five updates, each with a
different severity selected:

- ``summary``: ``duration_summary`` of the same selection, called directly;
- ``tables``: from the control's change to the tables in the widget;
- ``update``: the whole update, figure included;
- ``no filter``: the whole update with every incident selected (the largest selection).

Run: .venv/bin/python benchmarks/bench_explorer.py (from a git worktree, with PYTHONPATH set to
it: the script's own folder, not the working directory, comes first on sys.path).
"""

from __future__ import annotations

import statistics
import time

import mttr_lab as mttr
from mttr_lab.synth import synth_incidents

SIZES = (10_000, 100_000)
REPEAT = 5


def _median_ms(times: list[float]) -> str:
    return f"{1000 * statistics.median(times):,.0f} ms"


def main() -> None:
    print("| incidents | summary (direct) | tables shown | whole update (with figure) | no filter |")
    print("|---|---|---|---|---|")
    for n in SIZES:
        durations = mttr.phase_durations(synth_incidents(incidents=n, months=36, seed=1, defects=False))
        explorer = mttr.explore(durations)
        _widget = explorer.widget  # built once, as displaying it in a notebook does
        severities = sorted(durations["severity"].dropna().astype(str).unique())
        direct, tables, whole = [], [], []
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
            start = time.perf_counter()
            mttr.duration_summary(explorer.selection, targets=(60,))
            direct.append(time.perf_counter() - start)
        explorer._draw_figure = draw_figure
        unfiltered = []
        for _ in range(REPEAT):
            start = time.perf_counter()
            explorer.set(severity=None)
            unfiltered.append(time.perf_counter() - start)
        cells = (direct, tables, whole, unfiltered)
        print(f"| {n:,} | " + " | ".join(_median_ms(c) for c in cells) + " |")


if __name__ == "__main__":
    main()
