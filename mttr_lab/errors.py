"""The one error users catch: unusable input, said with where it is and what was expected.

Kept apart from :mod:`mttr_lab.schema` so that the command line can report it without loading
pandas.
"""

from __future__ import annotations

import reprlib

__all__ = ["InputError"]


class InputError(ValueError):
    """Unusable input: names the file, the record, the field, what was found and what was expected."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        record: str | int | None = None,
        field: str | None = None,
        found: object = None,
        expected: str | None = None,
    ) -> None:
        self.file = file
        self.record = record
        self.field = field
        self.found = found
        self.expected = expected
        parts = []
        if file is not None:
            parts.append(str(file))
        if record is not None:
            parts.append(f"record {record}" if isinstance(record, int) else str(record))
        if field is not None:
            parts.append(f"column {field!r}")
        where = ", ".join(parts)
        text = f"{where}: {message}" if where else message
        if found is not None:
            text += f"; found {_shown(found)}"
        if expected is not None:
            text += f"; expected {expected}"
        super().__init__(text)


_REPR = reprlib.Repr()
_REPR.maxlevel = 3
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 8
_REPR.maxstring = 100
_REPR.maxother = 100
_REPR.maxlong = 40


def _shown(found: object, limit: int = 120) -> str:
    """A short, well-formed rendering of an offending value: quotes and brackets stay closed."""
    if isinstance(found, str):
        return repr(found if len(found) <= limit else found[: limit - 3] + "...")
    if type(found).__module__ == "numpy" and hasattr(found, "item"):  # a numpy scalar
        found = found.item()
    try:
        shown = _REPR.repr(found)
    except Exception:  # a value whose repr fails must not hide the error being reported
        shown = f"<{type(found).__name__}>"
    return shown if len(shown) <= limit else shown[: limit - 3] + "..."
