"""What every reader does the same way: text cells, the names of nested objects, the first record
of a document, the end of ``read()``.

A reader module keeps only its vendor's mapping; the cleaning rules here are the one place each
rule is written:

- :func:`cell_text`: a table cell as text (``?``, ``null`` and blanks are missing; whole floats
  lose their ``.0``), for CSV exports and event fields;
- :func:`name_text`: a JSON field as text, a nested object by its name (see
  :func:`mttr_lab.readers._build.name_of`);
- :func:`ref_name`: the readable name of a reference object (``summary``, else ``name``);
- :func:`first_record`: the first record of a page such as ``{"data": [...]}``;
- :func:`empty_page`: whether a page holds no records in a vendor's own envelope;
- :func:`listed_names`: the names in a list of objects or strings (components, products);
- :func:`require_fields`: the error for the first needed column an export lacks;
- :class:`Reading`: what a reader's ``read()`` passes on to
  :func:`~mttr_lab.readers._build.build_incidents` at its end.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ..cells import short_cells, stripped
from ..schema import InputError
from ..timeparse import parse_timestamps
from ._arrow_text import missing_text, short_text, text_series
from ._build import build_incidents, names_of

__all__ = [
    "NameList",
    "Needed",
    "Reading",
    "UpdateList",
    "blank",
    "cell_text",
    "check_names",
    "collect_updates",
    "empty_page",
    "first_record",
    "listed_names",
    "name_text",
    "plain",
    "ref_name",
    "require_fields",
    "shown",
    "shown_columns",
    "stripped_text",
    "update_times",
]

#: Cell values that mean "no value" in a table export (compared lowercased, after stripping).
MISSING_CELLS = ("", "?", "nan", "none", "null")
_MISSING_CELLS = frozenset(MISSING_CELLS)


def blank(n: int) -> pd.Series:
    """``n`` missing text values."""
    return missing_text(pd.RangeIndex(n))


def cell_text(values: Any) -> pd.Series:
    """Stripped text, NA where missing, blank or ``?``; whole floats lose their ``.0``.

    Returns
    -------
    Series of str
        With a fresh ``RangeIndex``; each distinct value is cleaned once.
    """
    values = pd.Series(values, dtype=object) if not isinstance(values, pd.Series) else values
    cells = short_cells(values)
    cleaned = None if cells is None else stripped(cells, _MISSING_CELLS)
    if cleaned is not None:  # a short column of strings: cleaned value by value
        return text_series(cleaned, pd.RangeIndex(len(cleaned)))
    values = values.reset_index(drop=True)
    if pd.api.types.is_float_dtype(values):
        whole = values.dropna()
        if len(whole) and ((whole == np.floor(whole)) & (whole.abs() < 2**53)).all():
            values = values.astype("Int64")
    codes, uniques = pd.factorize(values)  # distinct values once
    if not len(uniques):
        return blank(len(values))
    if isinstance(uniques, pd.api.extensions.ExtensionArray) and pd.api.types.is_string_dtype(uniques.dtype):
        text = pd.Series(uniques).astype("str").str.strip()  # Arrow text stays Arrow
    else:
        text = pd.Series(uniques, dtype=object).astype("str").str.strip()
    text = text.where(~text.str.lower().isin(list(MISSING_CELLS)))
    # One more entry, NA, for the missing values (code -1); the take stays in Arrow.
    table = pd.concat([text, blank(1)], ignore_index=True).astype("str")
    return table.take(np.where(codes < 0, len(text), codes)).reset_index(drop=True)


def stripped_text(values: pd.Series) -> pd.Series:
    """Strings, NA where missing or blank."""
    short = short_text(values)
    if short is not None:
        return short
    out = values.astype("str").str.strip()
    return out.where(values.notna() & (out != ""))


def shown_columns(columns: Any) -> str:
    """The first 30 column names, for a message that lists what an export holds."""
    return ", ".join(map(str, list(columns)[:30]))


def check_names(mapping: Mapping[str, Any], allowed: tuple[str, ...], *, file: str, what: str) -> None:
    """Raise an :class:`InputError` for the first key of a ``columns=`` mapping not in ``allowed``."""
    unknown = [k for k in mapping if k not in allowed]
    if unknown:
        raise InputError(
            f"columns= maps an unknown {what} name {unknown[0]!r}",
            file=file,
            expected="keys among " + ", ".join(allowed),
        )


class Needed(NamedTuple):
    """Columns an export must have, and what their absence is told: ``message`` and ``expected``
    are format strings given ``field`` (the missing name) and, in ``expected``, ``shown`` (the
    columns present, as :func:`shown_columns` lists them)."""

    fields: tuple[str, ...]
    message: str
    expected: str


def require_fields(present: Container[str], spec: Needed, *, columns: Any, file: str) -> None:
    """Raise an :class:`InputError` for the first of ``spec.fields`` not in ``present``."""
    for field in spec.fields:
        if field not in present:
            raise InputError(
                spec.message.format(field=field),
                file=file,
                field=field,
                expected=spec.expected.format(field=field, shown=shown_columns(columns)),
            )


def name_text(values: pd.Series) -> pd.Series:
    """Strings (a nested object's name), NA where missing or blank."""
    return stripped_text(names_of(values))


def plain(value: Any) -> Any:
    """A numpy scalar as the Python value it holds (for readable messages)."""
    return value.item() if isinstance(value, np.generic) else value


def shown(value: Any) -> str:
    """A value as a message shows it: ``-5`` (not ``-5.0``), ``'soon'``, at most 40 characters."""
    value = plain(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return repr(value)[:40]


def ref_name(ref: Any) -> Any:
    """The readable name of a reference object (``summary``, else ``name``); a list by its first."""
    if isinstance(ref, dict):
        return ref.get("summary") or ref.get("name")
    if isinstance(ref, list) and ref:
        return ref_name(ref[0])
    return ref if isinstance(ref, str) else None


def first_record(doc: Any, key: str, *, empty: Any = None) -> Any:
    """The first record of a document: a bare list, or a page holding its list under ``key``.

    ``empty`` is what an empty page gives (an empty bare list gives None).
    """
    if isinstance(doc, list):
        doc = doc[0] if doc else None
    if isinstance(doc, dict) and isinstance(doc.get(key), list):
        return doc[key][0] if doc[key] else empty
    return doc


def empty_page(doc: Any, key: str, envelope: Callable[[dict], bool]) -> bool:
    """Whether ``doc`` is a page with no records under ``key``, in a vendor's own envelope.

    A paged API can end a listing on an empty page. ``{key: []}`` alone could be any vendor's
    page, so the fields beside the list decide: ``envelope(page)`` is True only for the
    vendor's own (incident.io's ``pagination_meta``, Opsgenie's ``took`` and ``requestId``...).

    Parameters
    ----------
    doc : Any
        A parsed document: one page, or a list of pages (judged by its first page).
    key : str
        The field holding the page's records (``"incidents"``, ``"data"``).
    envelope : callable
        Whether a page (a dict) carries the vendor's own envelope fields.

    Returns
    -------
    bool
        True for an empty list under ``key`` in the vendor's envelope.
    """
    if isinstance(doc, list):
        doc = doc[0] if doc else None
    return isinstance(doc, dict) and doc.get(key) == [] and bool(envelope(doc))


class NameList(NamedTuple):
    """A field holding a list of objects (named by ``key``) or strings, and what it should hold."""

    field: str
    key: str
    expected: str


def listed_names(value: Any, spec: NameList, *, file: str, record: str) -> list[str]:
    """The stripped, non-blank names in a list of objects (by ``spec.key``) or strings.

    Raises
    ------
    InputError
        Where ``value`` is present but not a list.
    """
    if value is None:
        return []
    if not isinstance(value, list):
        raise InputError(
            f"{spec.field} is not a list",
            file=file,
            record=record,
            field=spec.field,
            found=value,
            expected=spec.expected,
        )
    names = []
    for item in value:
        name = item.get(spec.key) if isinstance(item, dict) else item
        if isinstance(name, str) and name.strip():
            names.append(name.strip())
    return names


class UpdateList(NamedTuple):
    """A status page's list of updates: what a non-list and a non-object are told, and where an
    update's time is (the first of ``time_keys`` that is set)."""

    not_list: str
    item_expected: str
    time_keys: tuple[str, ...]


def collect_updates(
    columns: dict[str, list], updates: Any, pos: int, spec: UpdateList, *, field: str, where: str, file: str
) -> None:
    """Append each update of record ``pos`` to ``columns`` (``pos``, ``no``, ``status`` and
    ``time``, as written); ``updates`` must be a list of objects (None is none)."""
    if updates is None:
        updates = ()
    elif not isinstance(updates, list):
        raise InputError(
            spec.not_list,
            file=file,
            record=where,
            field=field,
            found=updates,
            expected="a list of update objects",
        )
    for no, item in enumerate(updates, start=1):
        if not isinstance(item, dict):
            raise InputError(
                "an update is not a JSON object",
                file=file,
                record=f"{where}, update {no}",
                field=field,
                found=item,
                expected=spec.item_expected,
            )
        when = None
        for key in spec.time_keys:
            when = item.get(key)
            if when is not None:
                break
        columns["pos"].append(pos)
        columns["no"].append(no)
        columns["status"].append(item.get("status"))
        columns["time"].append(when)


def update_times(
    values: pd.Series,
    pos: np.ndarray,
    no: np.ndarray,
    ids: np.ndarray,
    *,
    tz: str | None,
    dayfirst: bool | None,
    file: str,
    field: str,
) -> pd.Series:
    """The updates' times parsed, each named "record N (id X), update M" in messages."""

    def name(i: int) -> str:
        return f"record {pos[i] + 1} (id {ids[pos[i]]}), update {no[i]}"

    return parse_timestamps(values, tz=tz, dayfirst=dayfirst, file=file, field=field, records=name)


@dataclass(frozen=True)
class Reading:
    """What a reader's ``read()`` was given, passed on to ``build_incidents`` at its end."""

    source: str
    file: str
    tz: str | None = None
    dayfirst: bool | None = None
    severity_map: Mapping[str, str] | None = None
    default_severity_map: Mapping[str, str] | None = None

    def incidents(self, fields: Mapping[str, Any], **options: Any) -> pd.DataFrame:
        """The canonical ``incidents`` frame of ``fields`` (see ``build_incidents`` for ``options``)."""
        given = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return build_incidents(fields, **given, **options)
