"""Opening export files: compression, byte-order marks, JSON and JSON Lines, CSV with clear errors."""

from __future__ import annotations

import codecs
import gzip
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
from pandas._libs.parsers import STR_NA_VALUES

from ..schema import InputError
from ._build import arrow_to_frame
from ._csv_chunks import convert_options, read_in_chunks

__all__ = [
    "Sample",
    "open_bytes",
    "read_csv_frame",
    "read_text",
    "sample_of",
    "separator",
    "utf16_encoding",
]

_HEAD_BYTES = 65_536
_CHUNK = 1 << 24


def utf16_encoding(data: bytes) -> str | None:
    """``"utf-16"`` (with a byte-order mark), ``"utf-16-le"`` or ``"utf-16-be"`` when ``data``,
    the first bytes of a file, is UTF-16 text (as spreadsheets and AWS Health save exports); None
    otherwise. Without a byte-order mark, ASCII text in UTF-16 has a NUL byte every other byte."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = data[:512]
    if len(head) >= 8 and len(head) % 2 == 0:
        if not head[1::2].strip(b"\x00") and head[0::2].strip(b"\x00"):
            return "utf-16-le"
        if not head[0::2].strip(b"\x00") and head[1::2].strip(b"\x00"):
            return "utf-16-be"
    return None


def separator(line: str) -> str:
    """The field separator of a CSV header line: ``,``, ``;`` or a tab, whichever it holds most."""
    counts = {sep: line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > counts[","] else ","


def open_bytes(path: str | Path) -> io.BufferedIOBase:
    """Open a file for reading bytes, transparently un-gzipping ``.gz`` files."""
    path = Path(path)
    if path.suffix == ".gz":
        return gzip.open(path, "rb")
    return open(path, "rb")


def _decode(data: bytes, *, file: str) -> str:
    encoding = utf16_encoding(data[:512])
    if encoding:  # UTF-16 text (AWS Health, spreadsheets' "Unicode text")
        try:
            return data.decode(encoding).removeprefix("\ufeff")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"the file starts as UTF-16 text but is not ({exc.reason} at byte {exc.start})",
                file=file,
                expected="UTF-16 or UTF-8 text throughout",
            ) from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            "the file is not UTF-8 text",
            file=file,
            record=f"line {line}",
            found=data[exc.start : exc.start + 4],
            expected="UTF-8 (re-save the export as UTF-8)",
        ) from None


def read_text(path: str | Path) -> str:
    """The whole file as text (UTF-8, byte-order mark dropped, ``.gz`` un-gzipped)."""
    try:
        with open_bytes(path) as fh:
            data = fh.read()
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise _unreadable(path, exc) from None
    return _decode(data, file=str(path))


def _unreadable(path: str | Path, exc: BaseException) -> InputError:
    return InputError(
        f"the file cannot be read ({type(exc).__name__}: {exc})",
        file=str(path),
        expected="a readable export (a .gz file must be complete gzip data)",
    )


def check_utf8(path: str | Path) -> None:
    """Raise an :class:`InputError` naming the first line that is not UTF-8 (read in chunks)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    try:
        with open_bytes(path) as fh:
            while chunk := fh.read(_CHUNK):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError as exc:
                    line += chunk[: exc.start].count(b"\n")
                    raise InputError(
                        "the file is not UTF-8 text",
                        file=str(path),
                        record=f"line {line}",
                        found=chunk[exc.start : exc.start + 4],
                        expected="UTF-8 (re-save the export as UTF-8)",
                    ) from None
                line += chunk.count(b"\n")
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        raise InputError(
            "the file ends inside a character: it is not UTF-8 text (or was cut short)",
            file=str(path),
            record=f"line {line}",
            expected="UTF-8 (re-save the export as UTF-8)",
        ) from None
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise _unreadable(path, exc) from None


@dataclass(frozen=True)
class Sample:
    """The first bytes of an export, for recognising its source."""

    path: Path
    name: str
    head: str
    _json: list = field(default_factory=list, repr=False)

    @property
    def kind(self) -> str:
        """``"json"``, ``"jsonl"`` or ``"csv"``, from the first characters."""
        text = self.head.lstrip()
        if text.startswith("[") or (text.startswith("{") and not _looks_like_jsonl(text)):
            return "json"
        if text.startswith("{"):
            return "jsonl"
        return "csv"

    def json(self) -> Any:
        """The parsed JSON document (JSON Lines: the first record); None when not JSON."""
        if not self._json:
            value = None
            try:
                if self.kind == "jsonl":
                    value = json.loads(self.head.lstrip().splitlines()[0])
                elif self.kind == "json":
                    value = json.loads(read_text(self.path))
            except (ValueError, InputError, RecursionError):
                value = None
            self._json.append(value)
        return self._json[0]

    def csv_columns(self) -> list[str]:
        """The header of a CSV export, stripped; empty when it is not CSV."""
        if self.kind != "csv" or not self.head.strip():
            return []
        first = self.head.splitlines()[0]
        sep = separator(first)
        return [c.strip().strip('"').strip() for c in first.split(sep)]


def _looks_like_jsonl(text: str) -> bool:
    lines = [line for line in text.splitlines()[:3] if line.strip()]
    if len(lines) < 2:
        return False
    try:
        json.loads(lines[0])
    except (ValueError, RecursionError):
        return False
    return lines[1].lstrip().startswith("{")


def sample_of(path: str | Path) -> Sample:
    """Read the first 64 KiB of ``path`` for source recognition."""
    path = Path(path)
    try:
        with open_bytes(path) as fh:
            data = fh.read(_HEAD_BYTES)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise _unreadable(path, exc) from None
    if utf16_encoding(data):  # read_export decodes it; a reader called on its own says so
        raise InputError(
            "the file is UTF-16 text (as spreadsheets save 'Unicode text')",
            file=str(path),
            expected="UTF-8 (re-save the export as CSV UTF-8, or read it with read_export)",
        )
    text = data.decode("utf-8-sig", errors="replace")
    name = path.name.lower().removesuffix(".gz")
    return Sample(path=path, name=name, head=text)


#: CSV files at least this large are parsed in pieces (:mod:`._csv_chunks`): the whole-file
#: reader holds the file's text and its parse at once, and Arrow's allocator keeps that memory
#: after it, so read + phases of a million incidents (about 230 MB) peaked at 2.8 times their
#: frame (``make bench``).
STREAM_BYTES = 64 * 2**20
_NA_STRINGS = sorted(STR_NA_VALUES)


def _size(path: str | Path) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0


def _arrow_table(path: str | Path, *, sep: str) -> pa.Table | None:
    """The CSV as an Arrow table (in pieces from :data:`STREAM_BYTES`), or None where pyarrow fails."""
    parse = pa_csv.ParseOptions(delimiter=sep)
    convert = convert_options()  # empty cells missing, "NA" text
    size = _size(path)
    pieces = size >= STREAM_BYTES and Path(path).suffix != ".gz"
    block = None
    for _attempt in range(5):
        try:
            if pieces:
                table = read_in_chunks(path, parse=parse, block=block)
                if table is not None:
                    return table
                pieces = False  # quotes from the first piece on: the file whole
            read = pa_csv.ReadOptions(block_size=block) if block else None
            return pa_csv.read_csv(str(path), read_options=read, parse_options=parse, convert_options=convert)
        except (pa.ArrowException, OSError, ValueError, EOFError) as exc:
            message = str(exc)
            if pieces:
                # A piece does not fit the types read from the first (numbers in the first rows,
                # text further down), or fails: the whole file at once, which says why.
                pieces = False
            elif "CSV parse" in message and not parse.newlines_in_values:
                # A row of the wrong length, or pyarrow out of step with its lines: values over
                # several lines (a pasted log, a long description) that one of its parse blocks
                # cut. Its slower parse keeps them whole; a row truly short fails again.
                parse = pa_csv.ParseOptions(delimiter=sep, newlines_in_values=True)
            elif "straddl" in message and (block or 0) <= size:
                # A cell larger than a parse block (a pasted log in a description): blocks as
                # large as the file (within pyarrow's limit).
                block = min(size + 1, 2**31 - 1)
            else:
                return None
    return None


def _read_csv_arrow(path: str | Path, *, sep: str, file: str) -> pd.DataFrame | None:
    """A CSV through pyarrow with the options pandas gives it, timestamps in microseconds.

    Files of :data:`STREAM_BYTES` or more are parsed in pieces (:mod:`._csv_chunks`): the
    whole-file parse holds the raw text and its parsed form at once (about twice the file), the
    pieces the parsed table and one piece. Arrow's columns are handed to pandas one by one, each
    freed once converted. A piece that does not fit the types inferred from the first is read
    again whole. Returns None when pyarrow cannot read the file (the caller then asks pandas,
    whose errors name the line).
    """
    table = _arrow_table(path, sep=sep)
    if table is None:
        return None
    # Spreadsheets save trailing separators as unnamed, empty columns: not part of the export.
    keep = [
        i
        for i, name in enumerate(table.column_names)
        if str(name).strip() or table.column(i).null_count < len(table)
    ]
    if len(keep) < table.num_columns:
        table = table.select(keep)
    names = [str(c).strip().lstrip("\ufeff") for c in table.column_names]
    repeated = next((c for i, c in enumerate(names) if c in names[:i]), None)
    if repeated is not None:
        raise InputError(
            "the header names a column twice", file=file, field=repeated, expected="unique column names"
        )
    if names != table.column_names:
        table = table.rename_columns(names)
    for i, column_field in enumerate(table.schema):
        kind = column_field.type
        if pa.types.is_timestamp(kind) and kind.unit != "us":  # to the canonical unit once, here
            column = pc.cast(table.column(i), pa.timestamp("us", tz=kind.tz), safe=kind.unit != "ns")
        elif pa.types.is_null(kind):  # an empty column: NaN, as pandas reads it
            column = pc.cast(table.column(i), pa.float64())
        else:
            continue
        table = table.set_column(i, column_field.name, column)  # the old column is freed here
        del column
    return arrow_to_frame(table)


def _raise_short_row(path: str | Path, message: str, *, sep: str, file: str) -> None:
    """Name the line of a row with fewer fields than the header (pyarrow quotes only the row)."""
    found = re.search(r"Expected (\d+) columns, got (\d+): (.*)", message)
    if not found:
        return
    row = found.group(3).strip()
    line = None
    try:
        with io.TextIOWrapper(open_bytes(path), encoding="utf-8-sig", errors="replace") as lines:
            for number, raw in enumerate(lines, 1):
                if raw.rstrip("\r\n") == row:
                    line = number
                    break
    except (OSError, EOFError):
        pass
    raise InputError(
        f"malformed CSV: a row has {found.group(2)} fields, the header {found.group(1)}",
        file=file,
        record=f"line {line}" if line else None,
        found=row,
        expected=f"the same number of {sep!r}-separated fields as the header on every line",
    )


def read_csv_frame(path: str | Path, *, sep: str | None = None, **kwargs: Any) -> pd.DataFrame:
    """Read a CSV export with pyarrow's engine, turning parser failures into :class:`InputError`.

    The separator (``,`` or ``;``) is read from the header when not given.
    """
    file = str(path)
    if sep is None:
        sample = sample_of(path)
        if not sample.head.strip():
            raise InputError("the file is empty", file=file, expected="a header line and rows")
        sep = separator(sample.head.splitlines()[0])
    try:
        frame = None if kwargs else _read_csv_arrow(path, sep=sep, file=file)
        if frame is None:
            text_is_text = {"keep_default_na": False, "na_values": [""]}  # only empty cells are missing
            frame = pd.read_csv(path, sep=sep, engine="pyarrow", **{**text_is_text, **kwargs})
    except pd.errors.EmptyDataError:
        raise InputError("the file is empty", file=file, expected="a header line and rows") from None
    except InputError:
        raise
    except Exception as first_error:  # pyarrow's messages lack line numbers: ask the C parser
        try:
            pd.read_csv(path, sep=sep, engine="c", **kwargs)
        except pd.errors.ParserError as exc:
            message = str(exc)
            line = message.split(" in line ")[-1].split(",")[0] if " in line " in message else None
            raise InputError(
                "malformed CSV: " + message.split("C error: ")[-1].strip(),
                file=file,
                record=f"line {line}" if line else None,
                expected="the same number of fields as the header on every line",
            ) from None
        except UnicodeDecodeError:
            check_utf8(path)  # raises an InputError naming the line
        except Exception:
            pass
        _raise_short_row(path, str(first_error), sep=sep, file=file)
        shown = (
            str(first_error).strip().splitlines()[0]
            if str(first_error).strip()
            else type(first_error).__name__
        )
        raise InputError(
            f"cannot read the CSV ({shown})",
            file=file,
            expected=f"a {sep!r}-separated export with a header line",
        ) from None
    binary = [
        c
        for c, kind in frame.dtypes.items()
        if pd.api.types.is_object_dtype(kind) and frame[c].map(type).eq(bytes).any()
    ]
    if binary:  # pyarrow keeps cells that are not UTF-8 as bytes
        check_utf8(path)
        raise InputError("the file is not UTF-8 text", file=file, field=str(binary[0]), expected="UTF-8")
    duplicated = [c for c in frame.columns if "." in str(c) and str(c).rsplit(".", 1)[0] in frame.columns]
    if duplicated:
        raise InputError(
            "the header names a column twice",
            file=file,
            field=duplicated[0].rsplit(".", 1)[0],
            expected="unique column names",
        )
    names = [str(c).strip() for c in frame.columns]
    if frame.columns.dtype != "str" or names != list(frame.columns):  # pyarrow's are stripped already
        frame.columns = names
    return frame
