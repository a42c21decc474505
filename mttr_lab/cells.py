"""A short column's cells in Python: what the readers and the time parser share for small exports.

Reading a small export is mostly fixed costs: a pandas string method costs about 0.1 ms a call
whatever the length, a Python loop about a microsecond a value. A column of at most
:data:`SMALL` values is therefore taken as a list of Python objects (:func:`short_cells`), and
factorised (:func:`factorized`) or cleaned (:func:`stripped`) value by value, to the values the
column-wise path gives. Any cell that is not a ``str`` or missing gives None: the column-wise
path then decides, and says why where it fails.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["SMALL", "STR_DTYPE", "factorized", "is_missing", "only_text", "short_cells", "stripped"]

#: Columns of at most this many values are worked value by value in Python.
SMALL = 2_000
#: pandas' ``"str"`` dtype: text in Arrow memory, NaN for a missing value.
STR_DTYPE = pd.api.types.pandas_dtype("str")


def is_missing(cell: Any) -> bool:
    """Whether a cell is a missing value: None, NA, NaT or a float NaN."""
    return cell is None or cell is pd.NA or cell is pd.NaT or (type(cell) is float and cell != cell)


def only_text(cells: list) -> bool:
    """Whether every cell is a ``str`` (not a subclass) or missing."""
    return all(type(cell) is str or is_missing(cell) for cell in cells)


def short_cells(values: pd.Series) -> list | None:
    """The cells of a column of at most :data:`SMALL` objects or ``str`` values as a Python list
    (Arrow's missing values as None); None for a longer column or another dtype."""
    if len(values) > SMALL:
        return None
    if values.dtype == object:
        return values.tolist()
    if values.dtype == STR_DTYPE and hasattr(values.array, "__arrow_array__"):
        return values.array.__arrow_array__().to_pylist()
    return None


def factorized(cells: list) -> tuple[np.ndarray, list[str]] | None:
    """``pd.factorize`` of text cells: each cell's code (-1 where missing) and the distinct strings
    in order of appearance; None unless every cell is a ``str`` or missing."""
    seen: dict[str, int] = {}
    codes = []
    for cell in cells:
        if type(cell) is str:
            codes.append(seen.setdefault(cell, len(seen)))
        elif is_missing(cell):
            codes.append(-1)
        else:
            return None
    return np.array(codes, dtype=np.intp), list(seen)


def stripped(
    cells: list, missing: frozenset[str] | set[str] = frozenset({""}), *, ascii_only: bool = False
) -> list[str | None] | None:
    """Each cell stripped, None where missing or (lower-cased) in ``missing``; None unless every
    cell is a ``str`` or missing, and with ``ascii_only`` unless every stripped one is ASCII.

    What ``astype("str").str.strip()`` and a look-up of the lower-cased text in Arrow give:
    Python's ``str.strip`` removes exactly the characters Arrow's ``utf8_trim_whitespace``
    removes, and the only characters whose lower case differs between the two (U+0130, U+212A)
    lower-case to ``i`` or ``k``, which no word of ``missing`` may hold.
    """
    out: list[str | None] = []
    for cell in cells:
        if type(cell) is str:
            text = cell.strip()
            if ascii_only and not text.isascii():
                return None
            out.append(None if text.lower() in missing else text)
        elif is_missing(cell):
            out.append(None)
        else:  # a number, a nested object, a str subclass: the column-wise path decides
            return None
    return out
