"""``read_export``: any supported export, or several, into the canonical ``incidents`` frame."""

from __future__ import annotations

import functools
import inspect
import logging
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import pandas as pd

from .frames import AS_OF_ATTR, INCIDENTS, KIND_ATTR, kind_of, tag
from .readers import GENERIC_FORMATS, available
from .readers._build import DUPLICATE_REASON, POLLED_REASON, mark_duplicates
from .readers._detect import (
    ReaderFailure,
    detect_source,
    failure,
    not_this_export,
    refuse_json_as_csv,
    require_one_source,
    require_signature,
    supported_sources,
)
from .readers._files import sample_of, utf16_encoding
from .readers._plumbing import Reading
from .readers.generic import mapped_incidents
from .schema import InputError
from .timeparse import collect_remarks

__all__ = ["detect_source", "from_frame", "read_export", "supported_sources"]


log = logging.getLogger("mttr_lab")
#: The last-resort error of a reader that failed inside (where callers have caught it).
_ReaderFailure = ReaderFailure


@functools.cache
def _parameters(read: Callable[..., Any]) -> Mapping[str, inspect.Parameter]:
    """The parameters of a reader's ``read`` (looked up once per reader)."""
    return inspect.signature(read).parameters


def _check_options(path: Path, source: str, module: ModuleType, options: dict[str, Any]) -> None:
    """Raise an :class:`InputError` for options that ``source``'s reader does not take."""
    params = _parameters(module.read)
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return
    unknown = sorted(set(options) - set(params))
    if unknown:
        accepted = sorted(n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY)
        raise InputError(
            "option " + ", ".join(f"{n}=" for n in unknown) + f" does not apply to source={source!r}",
            file=str(path),
            found=unknown[0],
            expected="options of that reader: " + ", ".join(f"{n}=" for n in accepted),
        )


def _run_reader(path: Path, source: str, module: ModuleType, options: dict[str, Any]) -> pd.DataFrame:
    """``module.read`` with its options checked and any failure turned into an :class:`InputError`."""
    _check_options(path, source, module, options)
    with collect_remarks():
        try:
            return module.read(path, **options)
        except (InputError, MemoryError):
            raise
        except Exception as exc:
            raise failure(path, source, module, exc, during="read") from exc


def _read_one(path: Path, source: str, options: dict[str, Any]) -> pd.DataFrame:
    if not path.exists():
        raise InputError("no such file", file=str(path), expected="a path to an export file or folder")
    if not path.is_file():  # a pipe or a device would block, or never end
        raise InputError("not a regular file", file=str(path), expected="a path to an export file or folder")
    container = _container(path)
    if container is not None:
        return _read_container(path, container, source, options)
    readers = available()
    if source == "auto" and options.get("columns"):  # a mapping: the generic reader of the format
        source = sample_of(path).kind
        log.info("read_export: %s read as source=%r (columns= given)", path, source)
    elif source == "auto":
        source, reason = detect_source(path)
        if source == "csv":  # canonical field names, in whichever generic format the file is
            source = sample_of(path).kind
        log.info("read_export: %s read as source=%r (%s)", path, source, reason)
    elif source == "csv":
        refuse_json_as_csv(path)
    if source in GENERIC_FORMATS:
        return _run_reader(path, "csv", readers["csv"], {**options, "fmt": source, "source": source})
    if source not in readers:
        raise InputError(
            f"unknown source {source!r}",
            file=str(path),
            expected="'auto' or one of " + ", ".join(supported_sources()),
        )
    if options.get("columns"):
        raise InputError(
            f"columns= applies to the generic csv/json reader, not to source={source!r}", file=str(path)
        )
    options = {k: v for k, v in options.items() if k != "columns"}
    recognised = require_signature(path, source, readers[source], options)
    frame = _run_reader(path, source, readers[source], options)
    if not recognised and len(frame) and frame[["started_at", "detected_at"]].isna().all(axis=None):
        # read, but nothing could be analysed (and no source recognises the file: recognised is False)
        raise not_this_export(path, source, readers[source], None)
    return frame


def _container(path: Path) -> str | None:
    """``"parquet"``, ``"zip"``, ``"gzip"`` (without a ``.gz`` name) or ``"utf-16"`` (UTF-16
    text, as AWS Health and spreadsheets save exports) by the file's first bytes."""
    with open(path, "rb") as fh:
        head = fh.read(512)
    magic = head[:4]
    if utf16_encoding(head) and path.suffix.lower() != ".gz":
        return "utf-16"
    if magic == b"PAR1":
        return "parquet"
    if magic == b"PK\x03\x04":
        return "zip"
    if magic[:2] == b"\x1f\x8b" and path.suffix.lower() != ".gz":
        return "gzip"
    return None


def _read_container(path: Path, container: str, source: str, options: dict[str, Any]) -> pd.DataFrame:
    """A Parquet table, a zip of one export, or a gzip file named without ``.gz``, read by content."""
    import shutil
    import zipfile

    if container == "parquet":
        try:
            table = pd.read_parquet(path)
        except Exception as exc:
            raise InputError(f"cannot read the Parquet file ({exc})", file=str(path)) from None
        vendor = None if source in ("auto", *GENERIC_FORMATS) else source
        return from_frame(table, source=vendor, name=str(path), **options)
    with tempfile.TemporaryDirectory() as tmp:
        if container == "utf-16":  # decoded to UTF-8 under its own name, then read as any file
            inner = Path(tmp) / path.name
            raw = path.read_bytes()
            encoding = utf16_encoding(raw[:512]) or "utf-16"
            try:
                inner.write_text(raw.decode(encoding), encoding="utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"the file starts as UTF-16 text but is not ({exc.reason} at byte {exc.start})",
                    file=str(path),
                    expected="UTF-16 or UTF-8 text throughout",
                ) from None
            shown = str(path)
        elif container == "gzip":
            inner = Path(tmp) / (path.name + ".gz")
            shutil.copyfile(path, inner)
            shown = str(path)
        else:
            try:
                with zipfile.ZipFile(path) as archive:
                    members = [
                        m
                        for m in archive.infolist()
                        if not m.is_dir() and not m.filename.startswith("__MACOSX")
                    ]
                    if len(members) != 1:
                        raise InputError(
                            f"the zip holds {len(members)} files",
                            file=str(path),
                            found=[m.filename for m in members][:5],
                            expected="a zip of one export (unzip several into a folder and read the folder)",
                        )
                    inner = Path(tmp) / Path(members[0].filename).name
                    inner.write_bytes(archive.read(members[0]))
            except zipfile.BadZipFile as exc:
                raise InputError(f"the zip cannot be opened ({exc})", file=str(path)) from None
            shown = f"{path}:{members[0].filename}"
        try:
            return _read_one(inner, source, options)
        except InputError as exc:  # name the user's file, not the scratch copy
            raise InputError(str(exc).replace(str(inner), shown)) from None


def read_export(
    path: str | Path | Sequence[str | Path],
    *,
    source: str = "auto",
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
        ``"auto"`` (the default) recognises the export, and reads it with the generic reader of
        its format (CSV, JSON or JSON Lines) when ``columns`` is given; ``"csv"``, ``"json"``,
        ``"jsonl"`` name the generic reader, anything else a vendor from
        :func:`supported_sources`. The ``source`` column of the result says which reader was
        used. A JSON file read with ``source="csv"`` gets an error naming the source that reads it.
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
        (``datetime64[us, UTC]``), ``record`` (1-based position in the export),
        ``exclude_reason`` (why a record is not analysed, NA otherwise) and ``detection_channel``
        (how the incident reached the team, in the vendor's words; NA where the export does not
        say), then source columns,
        then ``note`` where a record holds a doubtful value (a daylight-saving rule applied to a
        local time, a timestamp before 1990 or a year after the rest of the data, a reader's
        remark); :func:`mttr_lab.check_incidents` lists each note as a finding.

    Raises
    ------
    InputError
        Naming the file, record and column of unusable input, or an option the source's reader
        does not take. Unusable input never escapes as another exception: a reader that fails
        inside is reported as an ``InputError`` naming the file, with the original exception
        as its ``__cause__``.
    """
    if dayfirst is not None and not isinstance(dayfirst, bool):
        raise InputError("dayfirst= must be True, False or None", found=dayfirst, expected="a bool")
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
        return tag(_read_one(Path(path), source, opts), INCIDENTS)
    else:
        paths = [Path(p) for p in path]
        if not paths:
            raise InputError("no files given", expected="at least one export file")
    if source == "auto" and not opts.get("columns") and len(paths) > 1:
        require_one_source(paths)
    frames = [_read_one(p, source, dict(opts)).assign(file=p.name) for p in paths]
    # an empty page (a listing's last) joins nothing: its missing columns would make others float
    combined = mark_duplicates(pd.concat([f for f in frames if len(f)] or frames[:1], ignore_index=True))
    if set(combined["source"].dropna().unique()) == {"statuspage"}:  # snapshots saved file by file
        reason = combined["exclude_reason"]
        combined["exclude_reason"] = reason.mask(reason.eq(DUPLICATE_REASON), POLLED_REASON)
    taken = [f.attrs[AS_OF_ATTR] for f in frames if AS_OF_ATTR in f.attrs]
    if taken:
        combined.attrs[AS_OF_ATTR] = max(taken)
    return tag(combined, INCIDENTS)


#: How the frame is named in messages (where a file's path would be).
WHERE = "the DataFrame"


def from_frame(
    df: pd.DataFrame,
    *,
    columns: Mapping[str, str] | None = None,
    source: str | None = None,
    tz: str | None = None,
    severity_map: Mapping[str, str] | None = None,
    dayfirst: bool | None = None,
    epoch_unit: str | None = None,
    name: str = WHERE,
) -> pd.DataFrame:
    """Read incidents held in a DataFrame into the canonical ``incidents`` frame.

    Parameters
    ----------
    df : DataFrame
        One row per incident. Time columns may be ``datetime64`` (with a timezone, or naive with
        ``tz=``), text, or epoch numbers.
    columns : mapping, optional
        Canonical name -> the frame's column name, as for :func:`mttr_lab.read_export`;
        canonical names present in the frame are used as they are.
    source : str, optional
        A vendor whose flattened CSV export the frame holds (``"pagerduty"``, ``"servicenow"``,
        ``"jira"``, ``"eventlog"``...): that vendor's reader reads it. None for the generic mapping.
    tz, severity_map, dayfirst, epoch_unit
        As for :func:`mttr_lab.read_export`.
    name : str
        How messages name the frame ("the DataFrame"; a Parquet reader passes its file).

    Returns
    -------
    DataFrame
        The canonical ``incidents`` frame (see :func:`mttr_lab.read_export`), ``record`` being the
        1-based row of ``df``; ``source`` is ``"dataframe"`` for the generic mapping.

    Raises
    ------
    InputError
        Naming the frame, the row and the column of unusable input, as for an export file.
    """
    if not isinstance(df, pd.DataFrame):
        raise InputError(
            "from_frame reads a DataFrame", found=type(df).__name__, expected="a pandas DataFrame"
        )
    kind = kind_of(df)
    if kind == INCIDENTS and not (
        df.attrs.get(KIND_ATTR) == INCIDENTS or {"record", "exclude_reason"} <= set(df)
    ):
        kind = None  # a table in canonical column names: what from_frame reads
    if kind is not None:
        raise InputError(
            f"{name} is already mttr_lab's {kind} frame",
            expected="an export's own table (one row per incident, its own column names); "
            + ("use it as it is" if kind == INCIDENTS else "pass the incidents, not the durations"),
        )
    if df.columns.duplicated().any():
        twice = df.columns[df.columns.duplicated()][0]
        raise InputError(f"{name} has two columns named {twice!r}", expected="one column per name")
    frame = df.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    options = {"tz": tz, "severity_map": severity_map, "dayfirst": dayfirst, "epoch_unit": epoch_unit}
    if source in (None, "csv", "json", "jsonl", "dataframe"):
        reading = Reading("dataframe", name, tz=tz, dayfirst=dayfirst, severity_map=severity_map)
        incidents = mapped_incidents(
            frame, reading, columns=columns, record_label="row", epoch_unit=epoch_unit
        )
        return tag(incidents, INCIDENTS)
    if columns:
        raise InputError(
            f"columns= applies to the generic mapping, not to source={source!r}",
            expected="either source= (a vendor's own columns) or columns=",
        )
    return _through_vendor_reader(frame, source=source, name=name, **options)


def _through_vendor_reader(frame: pd.DataFrame, *, source: str, name: str, **options: object) -> pd.DataFrame:
    """A vendor's flattened table, read by that vendor's CSV reader (every check included)."""
    table = frame.copy()
    for column in table.columns:  # aware times keep their offset in the text
        if isinstance(table[column].dtype, pd.DatetimeTZDtype):
            table[column] = table[column].map(lambda t: t.isoformat() if pd.notna(t) else "")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "table.csv"
        table.to_csv(path, index=False)
        try:
            incidents = read_export(
                path, source=source, **{k: v for k, v in options.items() if v is not None}
            )
        except InputError as exc:  # the same message, naming the frame rather than a scratch file
            raise InputError(str(exc).replace(str(path), name).replace("CSV columns", "columns")) from None
    if "file" in incidents.columns:
        incidents = incidents.drop(columns="file")
    return incidents
