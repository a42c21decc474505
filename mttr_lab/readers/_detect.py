"""Recognising an export's source from its first bytes, and refusing a file read as the wrong
source with an error that names what it is and how to read it.

:func:`mttr_lab.io.read_export` calls these before a reader; each reader module says what it
recognises (``sniff``) and what its export holds (``SIGNATURE``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from ..schema import InputError
from . import GENERIC_FORMATS, available
from ._files import Sample, read_text, sample_of
from ._json_docs import json_error, loads

__all__ = [
    "ReaderFailure",
    "detect_source",
    "failure",
    "not_this_export",
    "refuse_json_as_csv",
    "require_one_source",
    "require_signature",
    "supported_sources",
]


class ReaderFailure(InputError):
    """A reader met input it does not handle and failed inside; reported as unusable input.

    Readers are meant to raise :class:`InputError` themselves, naming the record and field;
    this is the last resort, so that no bare ``KeyError``/``TypeError``/... reaches the caller.
    """


def failure(path: Path, source: str, module: ModuleType, exc: BaseException, *, during: str) -> ReaderFailure:
    detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
    return ReaderFailure(
        f"the {source} reader could not {during} this export ({type(exc).__name__}"
        + (f": {detail})" if detail else ")"),
        file=str(path),
        expected=f"an export of the shape the {source} reader documents (see help({module.__name__}))",
    )


def supported_sources() -> list[str]:
    """Names accepted by ``read_export(source=...)``, besides ``"auto"``."""
    names = [s for s in available() if s != "csv"]
    return [*names, *GENERIC_FORMATS]


def detect_source(path: str | Path) -> tuple[str, str]:
    """Recognise the source of an export from its first bytes.

    Returns
    -------
    tuple of str
        The source name and the reason it was chosen.

    Raises
    ------
    InputError
        When no reader recognises the file; the message lists the supported sources and what was seen.
    """
    path = Path(path)
    sample = sample_of(path)
    if not sample.head.strip():
        raise InputError("the file is empty", file=str(path), expected="an incident export")
    for source, module in available().items():
        try:
            reason = module.sniff(sample)
        except (InputError, MemoryError):
            raise
        except Exception as exc:
            raise failure(path, source, module, exc, during="recognise") from exc
        if reason:
            return source, reason
    seen = _holds(path, sample)
    raise InputError(
        f"source='auto' does not recognise this export: it holds {seen}",
        file=str(path),
        expected="one of the supported sources ("
        + ", ".join(supported_sources())
        + "), or source='csv'/'json' with columns={canonical: export column}",
    )


def _holds(path: Path, sample: Sample) -> str:
    """What a file holds, said for an error: its CSV columns or the keys of its first record."""
    if sample.kind == "csv":
        names = sample.csv_columns()
        return "CSV columns " + _listed(names)
    else:
        doc = sample.json()
        first = doc[0] if isinstance(doc, list) and doc else doc
        if isinstance(first, dict):
            return f"{sample.kind.upper()} records with keys " + _listed([str(k) for k in first])
        elif doc is None:
            if sample.kind == "json":  # say where it breaks
                text = read_text(path)
                try:
                    loads(text, file=str(path))
                except json.JSONDecodeError as exc:  # text after the document
                    raise json_error(exc, text, file=str(path)) from None
            return f"text that starts like {sample.kind.upper()} but is not valid {sample.kind.upper()}"
        else:
            return f"{sample.kind.upper()} whose first item is a {type(first).__name__}, not a record"


def _listed(names: Sequence[str], limit: int = 12) -> str:
    shown = ", ".join(repr(n) for n in names[:limit])
    more = len(names) - limit
    return (shown + (f" and {more} more" if more > 0 else "")) if names else "(none)"


#: Options of the event-log reader that name a log's own columns: then no preset is needed.
_LOG_MAPPING = ("case", "time", "status", "milestones")


def require_signature(path: Path, source: str, module: ModuleType, options: dict[str, Any]) -> bool:
    """Refuse a file that another source recognises, naming that source; True when ``source``'s does.

    A vendor reader given another vendor's export would otherwise find none of its fields and
    return every incident as open or unanalysable: plausible nonsense. A file that no source
    recognises (an empty page, a variant) is left to the reader, whose errors are specific; the
    caller refuses its result when no record has a time to analyse.
    """
    if source == "eventlog" and any(options.get(name) for name in _LOG_MAPPING):
        return True
    try:
        if module.sniff(sample_of(path)):
            return True
    except InputError:
        raise
    except Exception:  # a sniffer that cannot parse the sample: then it is not this export
        pass
    try:
        recognised = detect_source(path)
    except InputError:
        return False
    raise not_this_export(path, source, module, recognised)


def not_this_export(
    path: Path, source: str, module: ModuleType, recognised: tuple[str, str] | None
) -> InputError:
    """The error for a file that lacks ``source``'s signature: what it is, and how to read it.

    ``recognised`` is what :func:`detect_source` made of the file (source, reason), None when no
    source recognises it.
    """
    sample = sample_of(path)
    name, fields = getattr(module, "SIGNATURE", (f"a {source} export", "its own fields"))
    if recognised is None:
        return InputError(
            f"this is not {name}: it holds {_holds(path, sample)}",
            file=str(path),
            expected=f"{name}: {fields}; for another layout, source='csv' or source='json' with columns=",
        )
    found, reason = recognised
    if found in GENERIC_FORMATS:
        found_name, found_fields = "an export", "in canonical column names"
        hint = f"source={sample.kind!r} or source='auto'"
    else:
        found_name, found_fields = getattr(available()[found], "SIGNATURE", (found, reason))
        hint = f"source={found!r} or source='auto'"
    return InputError(
        f"this is {found_name} ({found_fields}), not {name}; read it with {hint}",
        file=str(path),
        expected=f"{name}: {fields}",
    )


def require_one_source(paths: Sequence[Path]) -> None:
    """Refuse files of several sources read as one export: they are never concatenated silently."""
    found = {}
    for p in paths:
        try:
            found[p] = detect_source(p)[0]
        except InputError:
            found[p] = "not recognised"
    if len(set(found.values())) > 1:
        listed = "; ".join(f"{p.name}: {source}" for p, source in found.items())
        raise InputError(
            f"these files are not one export: {listed}",
            file=str(paths[0].parent),
            expected="files of one source (read each source on its own, then combine the frames)",
        )


def refuse_json_as_csv(path: Path) -> None:
    """An :class:`InputError` for a JSON file read as CSV (the default source), naming what it is."""
    sample = sample_of(path)
    if sample.kind == "csv":
        return
    try:
        found, _ = detect_source(path)
    except InputError:
        found = None
    generic = f"source={sample.kind!r} with columns={{canonical: field}}"
    if found == "csv":  # canonical field names: the generic JSON reader reads it as it is
        expected = f"source={sample.kind!r}"
    elif found:
        expected = f"source={found!r} (or source='auto'), or {generic}"
    else:
        expected = f"source='auto' for a vendor export, or {generic}"
    raise InputError(
        f"this file holds {sample.kind.upper()}, not CSV (source='csv' is the default)",
        file=str(path),
        expected=expected,
    )
