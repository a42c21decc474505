"""Row-by-row NumPy work on a large frame, done in two halves side by side.

NumPy lets go of the GIL inside its loops over large arrays, so arithmetic that treats each row
on its own (phases from milestones, the checks of their order) runs on the two halves of the rows
in two threads at once, each writing its half of arrays made beforehand. Small frames are done in
one piece, in the calling thread.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

__all__ = ["SPLIT_FROM", "in_halves"]

#: Frames of fewer rows are done in one piece: below this, handing half of the work to a thread
#: costs about what it saves.
SPLIT_FROM = 100_000

_T = TypeVar("_T")


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def in_halves(work: Callable[[slice], _T], rows: int, *, middle: int | None = None) -> list[_T]:
    """``work`` on the rows' two halves, the second in another thread; on them all at once below
    :data:`SPLIT_FROM` rows or on a single processor. The first half ends at ``middle`` (the
    middle row when not given); a ``middle`` at either end leaves one piece.

    Returns
    -------
    list
        What ``work`` returned for each piece, in the rows' order (one or two items).
    """
    middle = rows // 2 if middle is None else middle
    if rows < SPLIT_FROM or _cpus() < 2 or not 0 < middle < rows:
        return [work(slice(0, rows))]
    with ThreadPoolExecutor(max_workers=1) as pool:
        second = pool.submit(contextvars.copy_context().run, work, slice(middle, rows))
        first = work(slice(0, middle))  # an error here still waits for the other half
        return [first, second.result()]
