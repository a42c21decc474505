"""Large CSV files parsed by pyarrow a piece of whole lines at a time.

pyarrow's whole-file reader holds the file's text beside its parse, and its allocator keeps that
memory afterwards; its streaming reader holds one block at a time but parses the blocks one after
the other, about twice as slow on two cores. Here the file (memory-mapped, so never copied) is
cut after a line break every :data:`CHUNK_BYTES` and each piece gets the whole-file reader (every
core), with the column names and types of the first piece: memory close to the streaming
reader's, time close to the whole-file reader's. A line break ends a record only where no quote
character came before it, so each piece is looked through for one (at memory speed, in the same
mapping the parse reads) before it is parsed; from the first quote on, the rest of the file is
parsed in one go.
"""

from __future__ import annotations

import mmap
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv

__all__ = ["CHUNK_BYTES", "convert_options", "read_in_chunks"]

#: Bytes of the file parsed at a time.
CHUNK_BYTES = 16 * 2**20


def convert_options(types: dict[str, pa.DataType] | None = None) -> pa_csv.ConvertOptions:
    """pandas' reading of empty cells (missing) and of "NA" (text), with the types given."""
    return pa_csv.ConvertOptions(null_values=[""], strings_can_be_null=True, column_types=types)


def _microseconds(table: pa.Table) -> pa.Table:
    """Times to the second or millisecond as microseconds (the frame's unit): the later pieces
    are then parsed to it directly, not converted after."""
    for i, column in enumerate(table.schema):
        kind = column.type
        if pa.types.is_timestamp(kind) and kind.unit in ("s", "ms"):
            table = table.set_column(i, column.name, table.column(i).cast(pa.timestamp("us", tz=kind.tz)))
    return table


def read_in_chunks(
    path: str | Path, *, parse: pa_csv.ParseOptions, block: int | None = None
) -> pa.Table | None:
    """The uncompressed CSV at ``path`` as one Arrow table, parsed :data:`CHUNK_BYTES` at a time.

    A quote may open a value that holds line breaks, and where a quote opens one depends on every
    character before it (a quote inside an unquoted field, as in ``27" monitor``, is text), so the
    file is cut only before its first quote character. From the piece holding it on, the rest is
    parsed whole (pyarrow then checks that its blocks end between records); None when that is the
    first piece, or when the rest fails: the caller then reads the file whole, which says why.

    A column empty throughout the first piece takes its type from the pieces that have values.
    Raises what pyarrow raises: a piece that does not fit the types of the first (numbers at
    first, text further down) its "conversion error", pieces whose types for a column empty at
    first disagree (numbers in one, text in another) an ``ArrowTypeError``.
    """
    with open(path, "rb") as file:
        if os.fstat(file.fileno()).st_size == 0:
            return None
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    return _parse_pieces(mapped, parse=parse, block=block)


def _parse_pieces(mapped: mmap.mmap, *, parse: pa_csv.ParseOptions, block: int | None) -> pa.Table | None:
    # Arrow's slices of the mapping keep it open as long as any of them lives; it closes with the last.
    whole = pa.py_buffer(mapped)
    tables: list[pa.Table] = []
    read = pa_csv.ReadOptions(block_size=block) if block else pa_csv.ReadOptions()
    convert = convert_options()
    start, size = 0, len(mapped)
    while start < size:
        stop = min(start + CHUNK_BYTES, size)
        if stop < size:  # on to the next line break
            found = mapped.find(b"\n", stop)
            stop = size if found < 0 else found + 1
        quoted = mapped.find(b'"', start, stop) >= 0
        if quoted:
            if not tables:
                return None
            stop = size
        try:
            table = pa_csv.read_csv(
                pa.BufferReader(whole.slice(start, stop - start)),
                read_options=read,
                parse_options=parse,
                convert_options=convert,
            )
        except (pa.ArrowException, ValueError):
            if quoted:  # the rest, with its quotes, as the whole file is read
                return None
            raise
        if not tables:  # the next pieces have no header: the first one's names and types
            table = _microseconds(table)
            read = pa_csv.ReadOptions(column_names=table.column_names, block_size=read.block_size)
            convert = convert_options({f.name: f.type for f in table.schema if not pa.types.is_null(f.type)})
        tables.append(table)
        start = stop
    return pa.concat_tables(tables, promote_options="permissive")
