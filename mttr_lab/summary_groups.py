"""The inputs of a grouped summary as plain arrays: one duration's minutes, and its groups.

:func:`mttr_lab.duration_summary` needs, per incident, the minutes of one duration and whether
they are censored, and, per group, the positions of its incidents. Both are computed here on
NumPy arrays once per call, without a temporary frame per step: the minutes with the same
operations as :func:`mttr_lab.frames.minutes_observed` (the same values, bit for bit), the groups
by factorising each key once and asking pandas' ``groupby`` only about the few distinct key
combinations (its index and its order, exactly as on the whole frame).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .frames import DURATIONS, STARTS, minutes_observed, require

__all__ = ["censored_arrays", "group_positions"]

_MINUTE = pd.Timedelta(minutes=1)


def _times(column: pd.Series) -> np.ndarray | None:
    """A datetime or timedelta column as its NumPy array (UTC for aware times), else None."""
    if isinstance(column.dtype, pd.DatetimeTZDtype):
        column = column.dt.tz_convert(None)
    elif not (isinstance(column.dtype, np.dtype) and column.dtype.kind in "mM"):
        return None
    return column.to_numpy()


def censored_arrays(durations: pd.DataFrame, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """Each incident's ``metric`` in minutes (float) and whether it is censored (bool).

    The values of :func:`mttr_lab.frames.minutes_observed`, computed on the columns' NumPy arrays
    (the same divisions and differences pandas makes), or by that function itself for columns
    that are not plain NumPy datetimes and timedeltas.
    """
    columns = (metric, STARTS[metric], "clock_start", "open_for", "is_open")
    require(durations, DURATIONS, function="minutes_observed", columns=columns)
    times = [_times(durations[c]) for c in columns[:4]]
    is_open = durations["is_open"].to_numpy()
    if any(t is None for t in times) or is_open.dtype != bool:
        found = minutes_observed(durations, metric=metric)
        return found["minutes"].to_numpy(dtype=float), found["censored"].to_numpy(dtype=bool)
    duration, start, clock_start, open_for = times
    observed = duration / _MINUTE
    waiting = (clock_start + open_for - start) / _MINUTE
    unknown = np.isnan(observed)
    with np.errstate(invalid="ignore"):
        censored = unknown & is_open & (waiting >= 0)
    minutes = np.where(unknown, np.where(censored, waiting, np.nan), observed)
    return minutes, censored


def _codes(column: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes of a key column, missing values included as one code; and how many codes."""
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    return codes.astype(np.int64) + 1, len(uniques) + 1


def group_positions(durations: pd.DataFrame, keys: list[str]) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """The groups of ``durations`` by ``keys`` as ``groupby(keys, observed=True, sort=True,
    dropna=False)`` orders them, and the positions of each group's rows.

    Returns
    -------
    tuple
        The groups' index (as ``groupby(...).size().index``), the row positions ordered by group
        (stable: rows keep their order within a group), and the bounds of each group in them
        (group ``i`` is ``positions[bounds[i]:bounds[i + 1]]``).
    """
    combined, size = np.zeros(len(durations), dtype=np.int64), 1
    for key in keys:
        codes, many = _codes(durations[key])
        combined, size = combined * many + codes, size * many
    if size <= max(4 * len(combined), 1 << 16):
        present = np.flatnonzero(np.bincount(combined, minlength=size))
        dense = np.zeros(size, dtype=np.int64)
        dense[present] = np.arange(len(present))
        combined, many = dense[combined], len(present)
    else:
        _, combined = np.unique(combined, return_inverse=True)
        many = int(combined.max()) + 1 if len(combined) else 0
    order = _stable_order(combined, many)
    first = order[np.searchsorted(combined[order], np.arange(many))]  # each combination's first row
    # groupby on one row per distinct combination: its index and order, as on the whole frame
    grouped = durations[keys].iloc[first].groupby(keys, observed=True, sort=True, dropna=False)
    rank = grouped.ngroup().to_numpy(dtype=np.int64)
    codes = rank[combined]
    positions = _stable_order(codes, len(rank))
    bounds = np.searchsorted(codes[positions], np.arange(len(rank) + 1))
    return grouped.size().index, positions, bounds


def _stable_order(codes: np.ndarray, many: int) -> np.ndarray:
    """Positions ordered by code, stable; a radix sort when the codes fit in 16 bits."""
    return np.argsort(codes.astype(np.int16) if many < 1 << 15 else codes, kind="stable")
