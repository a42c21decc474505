"""Writing tables for people: CSV that spreadsheets open without executing anything."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["spreadsheet_safe", "to_safe_csv"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula, prefixed with ``'`` so they stay text.

    Cells beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return are neutralised
    (the OWASP advice for CSV injection); numbers are left as they are.

    Returns
    -------
    DataFrame
        A copy of ``frame``; an index other than the default range becomes leading columns.
    """
    out = frame.copy() if isinstance(frame.index, pd.RangeIndex) else frame.reset_index()
    for col in out.columns:
        values = out[col].astype(object) if isinstance(out[col].dtype, pd.CategoricalDtype) else out[col]
        if pd.api.types.is_string_dtype(values) or values.dtype == object:
            text = values.astype("str")
            risky = values.notna() & text.str.startswith(_FORMULA_START)
            out[col] = values.where(~risky, "'" + text)
    return out


def to_safe_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write ``frame`` as a spreadsheet-safe UTF-8 CSV; returns the path written."""
    path = Path(path)
    spreadsheet_safe(frame).to_csv(path, index=False, lineterminator="\n")
    return path
