"""JSON exports: parsing with errors that say what is wrong, JSON Lines, and the records of
an API dump (a bare list, a page ``{"incidents": [...]}``, a list of pages, pages per line)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..schema import InputError
from ._files import read_text

__all__ = ["json_error", "json_lines", "load_json_records", "loads", "require_objects"]


def loads(text: str, *, file: str, record: str | None = None, expected: str | None = None) -> Any:
    """``json.loads`` with an :class:`InputError` for invalid or too deeply nested JSON.

    Lets ``json.JSONDecodeError`` through when the text holds several documents ("Extra data"),
    so that callers can fall back to JSON Lines.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg.startswith("Extra data") and record is None:
            raise
        raise json_error(exc, text, file=file, record=record, expected=expected) from None
    except ValueError as exc:  # a number of thousands of digits: Python's limit on int()
        raise InputError(
            f"a number in the JSON cannot be read ({str(exc).split(':')[0]})",
            file=file,
            record=record,
            expected="numbers of at most a few dozen digits",
        ) from None
    except RecursionError:
        raise InputError(
            "the JSON is nested too deeply to be an export",
            file=file,
            record=record,
            expected="incident records a few levels deep",
        ) from None


def json_error(
    exc: json.JSONDecodeError,
    text: str,
    *,
    file: str,
    record: str | None = None,
    expected: str | None = None,
) -> InputError:
    """The :class:`InputError` for text that is not valid JSON, saying what is wrong with it.

    Three cases are told apart: text that is not JSON at all (a CSV file is named as such), a
    document that stops before it is complete (cut short: where it stops), and a syntax error
    inside it (a trailing comma, a missing quote: where, and the text near it).
    """
    at = f"column {exc.colno}" if record else f"line {exc.lineno}, column {exc.colno}"
    start = len(text) - len(text.lstrip())
    if exc.pos <= start and text.lstrip()[:1] not in ("[", "{", '"'):
        first = text.lstrip().splitlines()[0] if text.strip() else ""
        if any(sep in first for sep in (",", ";", "\t")):
            message, hint = "this file holds CSV, not JSON", "source='auto', or source='csv' with columns="
        else:
            message, hint = "this file is not JSON", "a JSON document or JSON Lines"
        return InputError(message, file=file, record=record, found=first[:80], expected=hint)
    if exc.pos >= len(text.rstrip()) or _open_at_end(text):  # ends inside a value: cut short
        end = text.rstrip()
        line = end.count("\n") + 1
        column = len(end) - (end.rfind("\n") + 1)
        stop = f"column {column}" if record else f"line {line}, column {column}"
        return InputError(
            f"not valid JSON: it stops before it is complete, at {stop}",
            file=file,
            record=record,
            expected=expected or "a complete JSON document (was the download cut short?)",
        )
    before = text[: exc.pos].rstrip()
    near = " ".join(text[max(0, exc.pos - 30) : exc.pos + 10].split())
    if before.endswith(",") and text[exc.pos : exc.pos + 1] in ("]", "}"):
        problem = f"a trailing comma before {text[exc.pos]!r}"
    elif exc.msg.startswith("Extra data"):
        problem = "more text after the end of the document"
    else:
        problem = exc.msg[:1].lower() + exc.msg[1:]
    return InputError(
        f"not valid JSON: a syntax error ({problem}) at {at}",
        file=file,
        found=near,
        expected=expected or "valid JSON (no trailing commas; names and text in double quotes)",
    )


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def json_lines(text: str, exc: json.JSONDecodeError) -> bool:
    """Whether text that is not one JSON document is JSON Lines: several documents, the first
    line a whole object (else the error is the document's, reported by :func:`json_error`)."""
    if not exc.msg.startswith("Extra data") or not text.lstrip().startswith("{"):
        return False
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        json.loads(first)
    except (ValueError, RecursionError):
        return False
    return True


def _open_at_end(text: str) -> bool:
    """Whether ``text`` ends inside a string, an array or an object (a document cut short)."""
    if len(text) > 64 * 2**20:  # too large to scan on an error path: judge by its last bytes
        return text.rstrip()[-1:] not in ("]", "}")
    bare = _JSON_STRING.sub("", text)
    if '"' in bare:  # an opening quote without its closing one
        return True
    return bare.count("[") + bare.count("{") > bare.count("]") + bare.count("}")


def require_objects(records: list[Any], *, file: str, expected: str = "one object per incident") -> None:
    """Raise an :class:`InputError` naming the first record that is not a JSON object."""
    bad = next((i for i, r in enumerate(records) if not isinstance(r, dict)), None)
    if bad is not None:
        raise InputError(
            "a record is not a JSON object", file=file, record=bad + 1, found=records[bad], expected=expected
        )


def load_json_records(path: str | Path, *, keys: tuple[str, ...] = ()) -> list[Any]:
    """Parse a JSON array, an object holding one (under one of ``keys`` or its only list), or JSON Lines.

    A JSON Lines file whose lines are themselves pages (objects holding a list under ``keys``)
    is flattened into one list of records.
    """
    file = str(path)
    text = read_text(path)
    stripped = text.lstrip()
    if not stripped:
        raise InputError("the file is empty", file=file, expected="a JSON array or JSON Lines")
    try:
        doc = loads(text, file=file)
    except json.JSONDecodeError as exc:
        if json_lines(text, exc):
            return _json_lines(text, file=file, keys=keys)
        raise json_error(exc, text, file=file) from None
    name = Path(path).name.lower().removesuffix(".gz")
    if isinstance(doc, dict) and name.endswith((".jsonl", ".ndjson")) and not any(k in doc for k in keys):
        return [doc]  # JSON Lines holding a single record
    return _records_of(doc, file=file, keys=keys, where="the document")


def _records_of(doc: Any, *, file: str, keys: tuple[str, ...], where: str) -> list[Any]:
    if isinstance(doc, list):
        # A list of pages (each an object holding its records under one of ``keys``); an
        # empty last page may hold null there instead of a list.
        pages = [d for d in doc if _is_page(d, keys)]
        if doc and len(pages) == len(doc) and any(_page_list(d, keys) is not None for d in pages):
            out: list[Any] = []
            for page in pages:
                if _page_list(page, keys) is not None:
                    out.extend(_records_of(page, file=file, keys=keys, where=where))
            return out
        return doc
    if isinstance(doc, dict):
        for key in keys:
            if isinstance(doc.get(key), list):
                return doc[key]
        lists = [k for k, v in doc.items() if isinstance(v, list) and v and isinstance(v[0], dict)]
        if len(lists) == 1:
            return doc[lists[0]]
        if not keys:
            return [doc]
        raise InputError(
            f"{where} holds no list of records",
            file=file,
            found=sorted(doc)[:10],
            expected="a list under one of " + ", ".join(repr(k) for k in keys),
        )
    raise InputError(f"{where} is not a JSON array or object", file=file, found=type(doc).__name__)


def _page_list(doc: Any, keys: tuple[str, ...]) -> list | None:
    return next((doc[k] for k in keys if isinstance(doc.get(k), list)), None)


def _is_page(doc: Any, keys: tuple[str, ...]) -> bool:
    """An object holding a list, or null, under one of ``keys`` (a page of an API dump)."""
    return (
        isinstance(doc, dict)
        and any(k in doc for k in keys)
        and all(isinstance(doc[k], list) or doc[k] is None for k in keys if k in doc)
    )


def _json_lines(text: str, *, file: str, keys: tuple[str, ...]) -> list[Any]:
    out: list[Any] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        doc = loads(line, file=file, record=f"line {number}", expected="one JSON object per line")
        if isinstance(doc, dict) and _page_list(doc, keys) is not None:
            out.extend(_records_of(doc, file=file, keys=keys, where=f"line {number}"))
        else:
            out.append(doc)
    return out
