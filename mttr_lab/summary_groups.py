"""The inputs of a grouped summary as plain arrays: one duration's minutes, and its groups.

:func:`mttr_lab.duration_summary` needs, per incident, the minutes of one duration and whether
they are censored, and, per group, the positions of its incidents. Both are computed here on
NumPy arrays once per call, without a temporary frame per step: the minutes as
:func:`mttr_lab.frames.minutes_observed` computes them (its arrays, no frame built), the groups
by factorising each key once and asking pandas' ``groupby`` only about the few distinct key
combinations (its index and its order, exactly as on the whole frame).
"""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd
import pyarrow as pa
from pandas.arrays import ArrowExtensionArray

from .frames import DURATIONS, STARTS, observed_arrays, require

__all__ = ["censored_arrays", "group_positions"]


def censored_arrays(durations: pd.DataFrame, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """Each incident's ``metric`` in minutes (float) and whether it is censored (bool): the
    values of :func:`mttr_lab.frames.minutes_observed`, as arrays (no frame built for them)."""
    columns = (metric, STARTS[metric], "clock_start", "open_for", "is_open")
    require(durations, DURATIONS, function="minutes_observed", columns=columns)
    return observed_arrays(durations, metric)


#: The codes of Arrow-backed key columns already factorised, by their pyarrow array: Arrow text
#: never changes, so the summaries of several durations of one frame hash its text keys once. An
#: entry goes with its array (a weak reference).
_ARROW_CODES: dict[int, tuple[weakref.ref, np.ndarray, int]] = {}


def _arrow_text(column: pd.Series) -> pa.ChunkedArray | None:
    """The Arrow array of a column of Arrow-backed text, which nothing can change in place; None
    for anything else (Arrow numbers may share a NumPy buffer that someone still writes to)."""
    if not isinstance(column.array, ArrowExtensionArray):
        return None
    arrow = column.array.__arrow_array__()
    kind = arrow.type
    text = pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_string_view(kind)
    return arrow if text else None


def _codes(column: pd.Series) -> tuple[np.ndarray, int]:
    """Integer codes of a key column, missing values included as code 0; and how many codes."""
    if isinstance(column.dtype, pd.CategoricalDtype):  # its own codes: nothing to hash
        return np.add(column.cat.codes.to_numpy(), 1, dtype=np.int64), len(column.cat.categories) + 1
    arrow = _arrow_text(column)
    known = _ARROW_CODES.get(id(arrow)) if arrow is not None else None
    if known is not None and known[0]() is arrow:
        return known[1], known[2]
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    codes = np.add(codes, 1, dtype=np.int64)
    if arrow is not None:
        codes.flags.writeable = False
        key = id(arrow)
        _ARROW_CODES[key] = (
            weakref.ref(arrow, lambda _, key=key: _ARROW_CODES.pop(key, None)),
            codes,
            len(uniques) + 1,
        )
    return codes, len(uniques) + 1


#: Codes of key combinations are counted in an array up to this many times the rows (else sorted).
_SPARSE = 4


def _dense(codes: np.ndarray, size: int) -> tuple[np.ndarray, int]:
    """The codes renumbered 0, 1, ... over the values present (order kept); how many there are."""
    if size <= _SPARSE * max(len(codes), 1 << 14):
        present = np.flatnonzero(np.bincount(codes, minlength=size))
        if len(present) == size:
            return codes, size
        renumber = np.zeros(size, dtype=np.int64)
        renumber[present] = np.arange(len(present))
        return renumber[codes], len(present)
    _, inverse = np.unique(codes, return_inverse=True)
    return inverse.reshape(-1), int(inverse.max()) + 1 if len(inverse) else 0


def _categories(column: pd.Series) -> tuple[pd.CategoricalIndex, np.ndarray, int]:
    """One categorical key's groups as groupby orders them, without asking it: the categories
    present in their order, a missing value last; each row's group; how many groups."""
    many = len(column.cat.categories)
    codes = column.cat.codes.to_numpy()
    codes = np.where(codes < 0, many, codes).astype(np.int64)  # missing: after every category
    present = np.flatnonzero(np.bincount(codes, minlength=many + 1))
    renumber = np.zeros(many + 1, dtype=np.int64)
    renumber[present] = np.arange(len(present))
    labels = pd.Categorical.from_codes(np.where(present == many, -1, present), dtype=column.dtype)
    return pd.CategoricalIndex(labels, name=column.name), renumber[codes], len(present)


#: The last grouping computed: its frame (a weak reference: the entry goes with the frame), what
#: its keys were (:func:`_signature`) and the groups found.
_LAST: list[tuple[weakref.ref, tuple, tuple[pd.Index, np.ndarray, np.ndarray]]] = []


def _signature(durations: pd.DataFrame, keys: list[str]) -> tuple | None:
    """What identifies the groups of ``keys``: their names, and each key's Arrow array (which never
    changes) or categorical dtype and codes (a copy: a categorical is edited in place). None for
    keys of other types."""
    parts: list[object] = [len(durations), tuple(keys)]
    for key in keys:
        column = durations[key]
        arrow = _arrow_text(column)
        if arrow is not None:
            parts.append(weakref.ref(arrow))
        elif isinstance(column.dtype, pd.CategoricalDtype):
            parts.append((column.dtype, column.cat.codes.to_numpy().copy()))
        else:
            return None
    return tuple(parts)


def _same_categories(a: pd.CategoricalDtype, b: pd.CategoricalDtype) -> bool:
    """Whether two categorical dtypes name the same categories in the same order (``==`` does not
    look at the order of an unordered one: two labels swapped would compare equal)."""
    return (
        a.ordered == b.ordered
        and a.categories.dtype == b.categories.dtype
        and a.categories.equals(b.categories)
    )


def _same(saved: tuple, durations: pd.DataFrame, keys: list[str]) -> bool:
    """Whether ``durations`` keys are still those of a saved :func:`_signature`."""
    if saved[0] != len(durations) or saved[1] != tuple(keys):
        return False
    for part, key in zip(saved[2:], keys, strict=True):
        column = durations[key]
        if isinstance(part, weakref.ref):
            arrow = _arrow_text(column)
            if arrow is None or part() is not arrow:
                return False
        elif not (
            isinstance(column.dtype, pd.CategoricalDtype)
            and _same_categories(column.dtype, part[0])
            and np.array_equal(column.cat.codes.to_numpy(), part[1])
        ):
            return False
    return True


def group_positions(durations: pd.DataFrame, keys: list[str]) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """The groups of ``durations`` by ``keys`` as ``groupby(keys, observed=True, sort=True,
    dropna=False)`` orders them, and the positions of each group's rows.

    The last frame's grouping is kept while it lives and the same keys (by name) are the same
    arrays (several durations of one frame are summarised by the same groups): Arrow-backed text
    never changes; a categorical's categories, in order, and codes are compared with a copy of
    them. Keys of other types are grouped afresh each time.

    Returns
    -------
    tuple
        The groups' index (as ``groupby(...).size().index``), the row positions ordered by group
        (stable: rows keep their order within a group), and the bounds of each group in them
        (group ``i`` is ``positions[bounds[i]:bounds[i + 1]]``); the arrays are read-only.
    """
    last = next(iter(_LAST), None)  # (another thread may drop it meanwhile)
    if last is not None and last[0]() is durations and _same(last[1], durations, keys):
        found = last[2]
    else:
        signature = _signature(durations, keys)
        found = _group_positions(durations, keys)
        for array in found[1:]:
            array.flags.writeable = False
        if signature is not None:
            _LAST[:] = [(weakref.ref(durations, _forget), signature, found)]
    # the index is the caller's own (naming a table's index must not rename the saved one)
    return found[0].copy(), found[1], found[2]


def _forget(frame: weakref.ref) -> None:
    """Drop the saved grouping of a frame that is gone."""
    if _LAST and _LAST[0][0] is frame:
        _LAST.clear()


def _group_positions(durations: pd.DataFrame, keys: list[str]) -> tuple[pd.Index, np.ndarray, np.ndarray]:
    """:func:`group_positions`, computed."""
    if len(keys) == 1 and isinstance(durations[keys[0]].dtype, pd.CategoricalDtype):
        index, codes, size = _categories(durations[keys[0]])
        order = np.argsort(codes.astype(np.int16) if size < 1 << 15 else codes, kind="stable")
        return index, order, np.searchsorted(codes[order], np.arange(size + 1))
    combined, size = None, 1
    for key in keys:
        codes, many = _codes(durations[key])
        if combined is None:
            combined, size = codes, many
            continue
        if size * many > _SPARSE * max(len(codes), 1 << 14):  # renumber first: no overflow
            combined, size = _dense(combined, size)
        combined, size = combined * many + codes, size * many
    combined, size = _dense(combined, size)
    order = np.argsort(combined.astype(np.int16) if size < 1 << 15 else combined, kind="stable")
    starts = np.searchsorted(combined[order], np.arange(size + 1))
    # groupby on one row per key combination (its first row): the index and order it gives the
    # frame, and which combination each group is (the row it keeps)
    small = pd.DataFrame({k: durations[k].array.take(order[starts[:-1]]) for k in keys}, copy=False)
    row = "_row_" + "_".join(map(str, keys))  # a name that is not one of the keys
    small[row] = np.arange(size)
    found = small.groupby(keys, observed=True, sort=True, dropna=False)[row].min()
    rows = found.to_numpy(dtype=np.int64)
    if not np.array_equal(np.sort(rows), np.arange(size)):  # groupby joined combinations
        rank = small.groupby(keys, observed=True, sort=True, dropna=False).ngroup().to_numpy()
        order = np.argsort(rank[combined], kind="stable")
        return found.index, order, np.searchsorted(rank[combined][order], np.arange(len(found) + 1))
    lengths = np.diff(starts)[rows]
    positions = np.concatenate([order[starts[r] : starts[r + 1]] for r in rows]) if size else order
    return found.index, positions, np.concatenate([[0], np.cumsum(lengths)])
