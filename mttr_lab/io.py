"""``read_export``: any supported export, or several, into the canonical ``incidents`` frame."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .readers import GENERIC_FORMATS, available
from .readers._build import mark_duplicates
from .readers._files import sample_of
from .schema import InputError

__all__ = ["detect_source", "read_export", "supported_sources"]

log = logging.getLogger("mttr_lab")


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
    sample = sample_of(path)
    for source, module in available().items():
        reason = module.sniff(sample)
        if reason:
            return source, reason
    if sample.kind == "csv":
        seen = "CSV columns " + ", ".join(sample.csv_columns()[:20])
    else:
        doc = sample.json()
        first = doc[0] if isinstance(doc, list) and doc else doc
        seen = (
            f"{sample.kind.upper()} keys " + ", ".join(list(first)[:20])
            if isinstance(first, dict)
            else f"{sample.kind.upper()} that could not be parsed as records"
        )
    raise InputError(
        "source='auto' does not recognise this export",
        file=str(path),
        found=seen,
        expected="one of the supported sources ("
        + ", ".join(supported_sources())
        + "), or source='csv'/'json' with columns={canonical: export column}",
    )


def _read_one(path: Path, source: str, options: dict[str, Any]) -> pd.DataFrame:
    if not path.exists():
        raise InputError("no such file", file=str(path), expected="a path to an export file or folder")
    readers = available()
    if source == "auto":
        source, reason = detect_source(path)
        log.info("read_export: %s read as source=%r (%s)", path, source, reason)
    if source in GENERIC_FORMATS:
        return readers["csv"].read(path, fmt=source, **options)
    if source not in readers:
        raise InputError(
            f"unknown source {source!r}",
            file=str(path),
            expected="'auto' or one of " + ", ".join(supported_sources()),
        )
    if options.get("columns"):
        raise InputError(
            f"columns= applies to the generic csv/json reader, not to source={source!r}",
            file=str(path),
        )
    options = {k: v for k, v in options.items() if k != "columns"}
    return readers[source].read(path, **options)


def read_export(
    path: str | Path | Sequence[str | Path],
    *,
    source: str = "csv",
    columns: Mapping[str, str] | None = None,
    tz: str | None = None,
    severity_map: Mapping[str, str] | None = None,
    dayfirst: bool | None = None,
    **options: Any,
) -> pd.DataFrame:
    """Read an incident export into the canonical ``incidents`` frame.

    Parameters
    ----------
    path : path, folder, or list of paths
        One export, or several (paged API dumps): a folder is read file by file in name order,
        and versions of one incident id are de-duplicated, the latest kept.
    source : str
        ``"csv"``, ``"json"``, ``"jsonl"`` (generic, with ``columns``), a vendor name from
        :func:`supported_sources`, or ``"auto"`` to recognise it (the ``source`` column of the
        result says which reader was used).
    columns : mapping, optional
        For the generic reader: canonical name -> the export's column name.
    tz : str, optional
        IANA timezone of timestamps written without an offset. Required for such exports.
    severity_map : mapping, optional
        Source label -> ``low``/``medium``/``high``/``critical``, overriding the defaults.
    dayfirst : bool, optional
        Order of slash dates; read from the data when it can tell.
    **options
        Passed to the source's reader (for example ``epoch_unit="ms"``).

    Returns
    -------
    DataFrame
        One row per record read: ``incident_id``, ``title``, ``service``, ``team``, ``severity``
        (ordered categorical), ``severity_raw``, ``source``, the milestones ``started_at``,
        ``detected_at``, ``acknowledged_at``, ``diagnosed_at``, ``recovered_at``, ``resolved_at``
        (``datetime64[us, UTC]``), ``record`` (1-based position in the export) and
        ``exclude_reason`` (why a record is not analysed, NA otherwise), then source columns.

    Raises
    ------
    InputError
        Naming the file, record and column of unusable input.
    """
    opts: dict[str, Any] = {**options, "tz": tz, "severity_map": severity_map, "dayfirst": dayfirst}
    opts = {k: v for k, v in opts.items() if v is not None}
    if columns is not None:
        opts["columns"] = columns
    if isinstance(path, (str, Path)) and Path(path).is_dir():
        files = sorted(p for p in Path(path).iterdir() if p.is_file() and not p.name.startswith("."))
        if not files:
            raise InputError("the folder holds no files", file=str(path))
        paths: list[Path] = files
    elif isinstance(path, (str, Path)):
        return _read_one(Path(path), source, opts)
    else:
        paths = [Path(p) for p in path]
        if not paths:
            raise InputError("no files given", expected="at least one export file")
    frames = [_read_one(p, source, dict(opts)).assign(file=p.name) for p in paths]
    combined = pd.concat(frames, ignore_index=True)
    return mark_duplicates(combined)
