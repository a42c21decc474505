"""Text columns at Arrow speed: cleaning without a copy where nothing changes, and telling
whether ids repeat by hashing fixed-width strings in place."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..cells import STR_DTYPE, is_missing, only_text, short_cells, stripped

__all__ = [
    "as_text",
    "clean_text",
    "fixed_width_hashes",
    "has_control_bytes",
    "has_duplicates",
    "lowered_text",
    "missing_text",
    "repeated_text",
    "short_text",
    "text_cells",
    "text_series",
]


def text_series(cells: list | np.ndarray, index: pd.Index, *, name: object = None) -> pd.Series:
    """A ``str`` column of ``cells`` (Python strings, None where missing; a list or an object
    array), built in Arrow at once: what ``pd.Series(cells, dtype="str")`` gives, without its
    pass over the values."""
    array = pd.arrays.ArrowStringArray(pa.array(cells, type=pa.large_string()), dtype=STR_DTYPE)
    return pd.Series(array, index=index, name=name, copy=False)


def text_cells(values: pd.Series) -> np.ndarray:
    """A ``str`` column as an object array of Python strings, None where missing."""
    if hasattr(values.array, "__arrow_array__"):
        return values.array.__arrow_array__().to_numpy(zero_copy_only=False)
    return np.array([None if pd.isna(v) else v for v in values], dtype=object)


def as_text(values: pd.Series) -> pd.Series:
    """``values.astype("str")``: a short column of strings and missing values built in Arrow at
    once, without pandas' conversion of each value."""
    cells = short_cells(values)
    if cells is None or not only_text(cells):
        return values.astype("str")
    return text_series([None if is_missing(c) else c for c in cells], values.index, name=values.name)


def lowered_text(values: pd.Series) -> pd.Series:
    """``values.astype("str").str.strip().str.lower()``: a short column of ASCII strings and
    missing values lowered in Python (where Python and Arrow agree on both), without three
    passes of pandas."""
    cells = short_cells(values)
    kept = None if cells is None else stripped(cells, frozenset(), ascii_only=True)
    if kept is None:
        return values.astype("str").str.strip().str.lower()
    return text_series([c if c is None else c.lower() for c in kept], values.index, name=values.name)


def short_text(values: pd.Series, missing: frozenset[str] = frozenset({""})) -> pd.Series | None:
    """A short column of strings stripped, NA where missing or (lower-cased) in ``missing``, built
    in Python (see :func:`mttr_lab.cells.stripped`); None where the column-wise path is needed."""
    cells = short_cells(values)
    cleaned = None if cells is None else stripped(cells, missing)
    return None if cleaned is None else text_series(cleaned, values.index, name=values.name)


def clean_text(values: pd.Series) -> pd.Series:
    """Stripped text, NA where missing or blank; a long column shares the input's memory where
    nothing changes."""
    short = short_text(values)
    if short is not None:
        return short
    out = values.astype("str")
    if hasattr(out.array, "__arrow_array__") and _edges_clean(out.array.__arrow_array__()):
        return out  # nothing to strip and nothing blank: seen on the edge bytes, no string built
    stripped = out.str.strip()
    if _total_length(stripped) == _total_length(out):
        stripped = out  # nothing was stripped: keep the original buffers rather than a copy
    blank = stripped.eq("")
    return stripped.where(~blank) if blank.any() else stripped


def _edges_clean(arrow: pa.Array | pa.ChunkedArray) -> bool:
    """Whether no string is empty or begins or ends with a byte that a strip might remove.

    Read in place from each chunk's offsets and bytes; a multi-byte character at an edge counts
    as possibly white space (the full strip then decides).
    """
    if not (pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type)):
        return False
    for chunk in arrow.chunks if isinstance(arrow, pa.ChunkedArray) else [arrow]:
        n = len(chunk)
        if n == chunk.null_count:
            continue
        offset_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(chunk.buffers()[1], dtype=offset_type)[chunk.offset : chunk.offset + n + 1]
        begin, end = offsets[:-1], offsets[1:]
        if chunk.null_count:
            valid = chunk.is_valid().to_numpy(zero_copy_only=False)
            begin, end = begin[valid], end[valid]
        if (end <= begin).any():
            return False
        data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)
        if _EDGE[data[begin]].any() or _EDGE[data[end - 1]].any():
            return False
    return True


def has_control_bytes(values: pd.Series) -> bool:
    """Whether any string holds a control character (U+0000-U+001F or U+007F).

    In UTF-8 those characters are exactly the bytes below 0x20 and 0x7F (every byte of a longer
    character is 0x80 or above), so the Arrow bytes are read in place, without a string per row.
    True when the text is not in Arrow memory (the caller then looks row by row).
    """
    if not hasattr(values.array, "__arrow_array__"):
        return True
    arrow = values.array.__arrow_array__()
    if not (pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type)):
        return True
    for chunk in arrow.chunks if isinstance(arrow, pa.ChunkedArray) else [arrow]:
        n = len(chunk)
        if n == chunk.null_count:
            continue
        offset_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(chunk.buffers()[1], dtype=offset_type)[chunk.offset : chunk.offset + n + 1]
        data = np.frombuffer(chunk.buffers()[2], dtype=np.uint8)[int(offsets[0]) : int(offsets[-1])]
        if (data < 0x20).any() or (data == 0x7F).any():
            return True
    return False


def repeated_text(value: str, index: pd.Index) -> pd.Series:
    """A ``str`` column holding ``value`` on every row (repeated in Arrow, no per-row objects)."""
    repeated = pa.repeat(pa.scalar(value, type=pa.large_string()), len(index))
    return pd.Series(pd.arrays.ArrowStringArray(repeated, dtype=STR_DTYPE), index=index, copy=False)


def missing_text(index: pd.Index) -> pd.Series:
    """An all-missing text column (built from Arrow nulls: no per-row work)."""
    array = pd.arrays.ArrowStringArray(pa.nulls(len(index), pa.large_string()), dtype=STR_DTYPE)
    return pd.Series(array, index=index, copy=False)


def _total_length(values: pd.Series) -> int:
    """Total length of the strings: stripping changed nothing exactly when it is unchanged."""
    if hasattr(values.array, "__arrow_array__"):  # one pass over the Arrow offsets, no copy
        return pc.sum(pc.binary_length(values.array.__arrow_array__())).as_py() or 0
    return int(values.str.len().sum())


def has_duplicates(ids: pd.Series, *, words: np.ndarray | None = None) -> bool:
    """Whether any id other than NA repeats.

    Ids of one width (UUIDs, ``INC0012345``) are first hashed as machine words without a copy
    (or ``words`` holds those hashes): distinct hashes prove distinct ids. Otherwise, or when
    two hashes meet, one exact hash pass (pyarrow's, where the data is Arrow).
    """
    cells = short_cells(ids) if words is None else None
    if cells is not None and only_text(cells):  # a few ids: a set
        present = [c for c in cells if type(c) is str]
        return len(set(present)) != len(present)
    try:
        # The chunked Arrow data as it is: pa.array() would first copy it into one chunk.
        arrow = ids.array.__arrow_array__() if hasattr(ids.array, "__arrow_array__") else pa.array(ids)
        words = fixed_width_hashes(arrow) if words is None else words
        if words is not None and pd.Index(words, copy=False).is_unique:
            return False
        distinct = len(pc.unique(arrow)) - (1 if arrow.null_count else 0)
        return distinct != len(ids) - arrow.null_count
    except (pa.ArrowException, TypeError, ValueError):
        return bool(ids.dropna().duplicated().any())


_MIX = np.uint64(0x9E3779B97F4A7C15)


#: Bytes that may begin or end a string that strip() would change: ASCII white space and
#: separators, and every byte of a multi-byte character (decided then by the full strip).
_EDGE = np.zeros(256, dtype=bool)
_EDGE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True
_EDGE[0x80:] = True


def _words(width: int) -> list[tuple[int, type]]:
    """Where each word of a string of ``width`` bytes begins, and its type: 8 bytes at a time,
    the last word ending at the last byte; 1 byte at a time below 8 bytes."""
    if width < 8:
        return [(j, np.uint8) for j in range(width)]
    return [(j, np.uint64) for j in range(0, width - 7, 8)] + ([(width - 8, np.uint64)] if width % 8 else [])


def fixed_width_hashes(arrow: pa.Array | pa.ChunkedArray, *, trimmed: bool = False) -> np.ndarray | None:
    """A 64-bit hash per string when every string has the same width (None otherwise).

    With ``trimmed``, also None unless every string begins and ends with a byte that no strip
    would remove (so the strings need no stripping and none is blank).
    """
    chunks = arrow.chunks if isinstance(arrow, pa.ChunkedArray) else [arrow]
    if not (pa.types.is_string(arrow.type) or pa.types.is_large_string(arrow.type)) or arrow.null_count:
        return None
    out = np.zeros(len(arrow), dtype=np.uint64)
    width, at = None, 0
    for chunk in chunks:
        n = len(chunk)
        if not n:
            continue
        offset_type = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
        offsets = np.frombuffer(chunk.buffers()[1], dtype=offset_type)[chunk.offset : chunk.offset + n + 1]
        start = int(offsets[0])
        width = int(offsets[1]) - start if width is None else width
        if width == 0 or int(offsets[-1]) - start != width * n or (np.diff(offsets) != width).any():
            return None
        data, h = chunk.buffers()[2], out[at : at + n]
        if trimmed:
            for edge in (start, start + width - 1):
                if _EDGE[np.ndarray((n,), dtype=np.uint8, buffer=data, offset=edge, strides=(width,))].any():
                    return None
        # Row i's bytes start at start + i * width: read them in place, 8 at a time, the last 8
        # overlapping the ones before where the width is not a multiple of 8 (every byte is read).
        for j, kind in _words(width):
            h ^= np.ndarray((n,), dtype=kind, buffer=data, offset=start + j, strides=(width,))
            h *= _MIX
            h ^= h >> np.uint64(29)
        at += n
    return out
