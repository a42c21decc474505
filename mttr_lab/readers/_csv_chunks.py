"""Large CSV files parsed by pyarrow a piece of whole lines at a time.

pyarrow's whole-file reader holds the file's text beside its parse, and its allocator keeps that
memory afterwards; its streaming reader holds one block at a time but parses the blocks one after
the other, about twice as slow on two cores. Here the file (memory-mapped, so never copied) is
cut after a line break every :data:`CHUNK_BYTES` and each piece gets the whole-file reader (every
core), with the column names and types of the first piece: memory close to the streaming
reader's, time close to the whole-file reader's. Only a file without quote characters is cut
(:func:`can_cut`): there every line break ends a record.
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pa_csv

__all__ = ["CHUNK_BYTES", "can_cut", "convert_options", "read_in_chunks"]

#: Bytes of the file parsed at a time.
CHUNK_BYTES = 16 * 2**20
#: Bytes looked through at a time for the line break that ends a piece.
_LOOK = 1 << 16


def convert_options(types: dict[str, pa.DataType] | None = None) -> pa_csv.ConvertOptions:
    """pandas' reading of empty cells (missing) and of "NA" (text), with the types given."""
    return pa_csv.ConvertOptions(null_values=[""], strings_can_be_null=True, column_types=types)


def can_cut(path: str | Path) -> bool:
    """Whether the file can be cut at any line break: uncompressed, and without a quote character.

    A quoted value may hold line breaks, and where a quote opens one depends on every character
    before it (a quote inside an unquoted field, as in ``27" monitor``, is text), so a file with
    quotes is parsed whole, with pyarrow's own check that its blocks end between records. The
    search runs at memory speed on the mapped file, nothing copied.
    """
    path = Path(path)
    if path.suffix == ".gz":
        return False
    with open(path, "rb") as file:
        if os.fstat(file.fileno()).st_size == 0:
            return True
        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return mapped.find(b'"') < 0


def _pieces(path: str | Path) -> Iterator[pa.Buffer]:
    """The file's bytes, :data:`CHUNK_BYTES` at a time, each ending after a line break (slices
    of the memory-mapped file, no copy)."""
    with pa.memory_map(str(path)) as source:
        whole = source.read_buffer()
        start, size = 0, whole.size
        while start < size:
            stop = min(start + CHUNK_BYTES, size)
            while stop < size:  # on to the next line break
                found = whole.slice(stop, min(_LOOK, size - stop)).to_pybytes().find(b"\n")
                if found >= 0:
                    stop += found + 1
                    break
                stop = min(stop + _LOOK, size)
            yield whole.slice(start, stop - start)
            start = stop


def _microseconds(table: pa.Table) -> pa.Table:
    """Times to the second or millisecond as microseconds (the frame's unit): the later pieces
    are then parsed to it directly, not converted after."""
    for i, column in enumerate(table.schema):
        kind = column.type
        if pa.types.is_timestamp(kind) and kind.unit in ("s", "ms"):
            table = table.set_column(i, column.name, table.column(i).cast(pa.timestamp("us", tz=kind.tz)))
    return table


def read_in_chunks(path: str | Path, *, parse: pa_csv.ParseOptions, block: int | None = None) -> pa.Table:
    """The CSV at ``path`` (one that :func:`can_cut`) as one Arrow table, parsed
    :data:`CHUNK_BYTES` at a time.

    A column empty throughout the first piece takes its type from the pieces that have values.
    Raises what pyarrow raises: a piece that does not fit the types of the first (numbers at
    first, text further down) its "conversion error", pieces whose types for a column empty at
    first disagree (numbers in one, text in another) an ``ArrowTypeError``.
    """
    tables: list[pa.Table] = []
    read = pa_csv.ReadOptions(block_size=block) if block else pa_csv.ReadOptions()
    convert = convert_options()
    for piece in _pieces(path):
        table = pa_csv.read_csv(
            pa.BufferReader(piece), read_options=read, parse_options=parse, convert_options=convert
        )
        del piece
        if not tables:  # the next pieces have no header: the first one's names and types
            table = _microseconds(table)
            read = pa_csv.ReadOptions(column_names=table.column_names, block_size=read.block_size)
            convert = convert_options({f.name: f.type for f in table.schema if not pa.types.is_null(f.type)})
        tables.append(table)
    return pa.concat_tables(tables, promote_options="permissive")
