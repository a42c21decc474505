"""Work on a large frame's rows done in two halves side by side, in two threads.

NumPy lets go of the GIL inside its loops over large arrays, so arithmetic that treats each row
on its own (phases from milestones, the checks of their order) runs on the two halves of the rows
in two threads at once, each writing its half of arrays made beforehand; a summary's quantiles
are split the same way, by groups, each half holding about half of the observed values. Small
frames are done in one piece, in the calling thread.
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Callable
from typing import TypeVar

__all__ = ["SPLIT_FROM", "in_halves"]

#: Fewer rows (or values) than this are done in one piece: below it, handing half of the work to
#: a thread costs about what it saves.
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
    # A thread of its own rather than a pool: a pool takes no work once the main thread has
    # finished, while a thread the interpreter still waits for may be the one calling.
    second: list[_T] = []
    failed: list[BaseException] = []
    context = contextvars.copy_context()

    def run() -> None:
        try:
            second.append(context.run(work, slice(middle, rows)))
        except BaseException as error:  # raised in the caller's thread below
            failed.append(error)

    thread = threading.Thread(target=run, name="mttr_lab second half", daemon=True)
    thread.start()
    try:
        first = work(slice(0, middle))  # an error here still waits for the other half
    finally:
        thread.join()
    if failed:
        raise failed[0]
    return [first, second[0]]
