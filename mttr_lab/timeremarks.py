"""Daylight-saving remarks: what :mod:`mttr_lab.timeparse` decided for ambiguous or skipped local times.

Inside :func:`collect_remarks` each instant a daylight-saving rule decided is remembered with a
sentence; :func:`time_remarks` gives the sentence for each value of a parsed column
(``read_export`` turns them into ``note`` findings).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import pandas as pd

__all__ = ["collect_remarks", "remember", "time_remarks", "time_remarks_active"]

#: UTC instant (microseconds since the epoch) -> what was assumed to get it; None when not collecting.
_REMARKS: ContextVar[dict[int, str] | None] = ContextVar("mttr_lab_time_remarks", default=None)


@contextmanager
def collect_remarks() -> Iterator[dict[int, str]]:
    """Remember, while the block runs, every instant that a daylight-saving rule decided.

    Nested uses share the outer collection. Yields the dict (UTC microseconds -> sentence)
    that :func:`time_remarks` reads.
    """
    current = _REMARKS.get()
    if current is not None:
        yield current
        return
    token = _REMARKS.set({})
    try:
        yield _REMARKS.get()  # type: ignore[misc]
    finally:
        _REMARKS.reset(token)


def time_remarks_active() -> bool:
    """Whether any daylight-saving remark has been collected in the current :func:`collect_remarks`."""
    return bool(_REMARKS.get())


def time_remarks(stamps: pd.Series) -> pd.Series:
    """The remark collected for each timestamp of a parsed column (NA where there is none).

    Returns
    -------
    Series of str
        Indexed like ``stamps``; e.g. "2025-10-26 02:30 is ambiguous in Europe/Berlin
        (daylight saving); read as the first occurrence (00:30 UTC)".
    """
    remarks = _REMARKS.get()
    out = pd.Series(pd.NA, index=stamps.index, dtype="str")
    if not remarks or not len(stamps):
        return out
    keys = np.fromiter(remarks, dtype=np.int64, count=len(remarks))
    values = stamps.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().astype("datetime64[us]")
    ints = values.astype(np.int64)
    hit = np.isin(ints, keys) & ~np.isnat(values)
    if hit.any():
        out[hit] = [remarks[int(k)] for k in ints[hit]]
    return out


def remember(naive: pd.Series, local: pd.Series, shifted: pd.Series, tz: str) -> None:
    """Collect a sentence for each naive time that daylight saving made ambiguous or skipped."""
    remarks = _REMARKS.get()
    if remarks is None or naive.empty:
        return
    utc = local.dt.tz_convert("UTC")
    wall = naive.dt.strftime("%Y-%m-%d %H:%M:%S").str.removesuffix(":00")
    moved = local.dt.strftime("%H:%M")
    at = utc.dt.strftime("%H:%M")
    keys = utc.dt.tz_localize(None).to_numpy().astype("datetime64[us]").astype(np.int64)
    for key, text, skip, to, when in zip(keys, wall, shifted, moved, at, strict=True):
        if skip:
            remarks[int(key)] = (
                f"{text} does not exist in {tz} (daylight saving skips it); "
                f"moved forward to {to} ({when} UTC)"
            )
        else:
            remarks[int(key)] = (
                f"{text} is ambiguous in {tz} (daylight saving); read as the first occurrence ({when} UTC)"
            )
