"""Jira Service Management incidents from a Jira CSV export ("Export CSV (all fields)").

Columns used (header names compared case-insensitively; the newer "Work item key"/"Work type"
spellings are accepted too):

- ``Issue key`` -> ``incident_id``; ``Summary`` -> ``title``
- ``Created`` -> ``detected_at``; ``Resolved`` -> ``resolved_at`` (Jira clears it when an issue
  is reopened, so a reopened incident is open until its final resolution)
- ``Custom field (Severity)`` where filled, else ``Priority`` -> ``severity`` (Highest ->
  critical, High -> high, Medium -> medium, Low and Lowest -> low; "Severity 1".."Severity 4"
  and the usual SEV/P labels are understood too)
- ``Custom field (Affected services)``, else ``Component/s`` -> ``service``;
  ``Custom field (Team)`` -> ``team``
- ``milestone_columns={milestone: column}`` adds others (for example an "Impact start" date field).

Jira repeats a column once per value (``Component/s``, ``Labels``, ``Watchers``, ``Comment``...).
Every repeated column is kept: its values are joined with "; " in one column of that name.
Columns not used for a milestone follow the canonical ones under their export names, with
``Updated`` parsed into ``updated_at`` (it orders versions of one issue key).

Dates are written in the exporting user's display format and timezone, with no offset, so
``tz=`` is required. Jira's default ``dd/MMM/yy h:mm a`` (``24/Aug/23 3:15 PM``, also with a
24-hour clock or a four-digit year) is parsed explicitly, English month names only; other formats
(``2023-08-24 15:15``, numeric day/month dates) go through the shared timestamp parser.

Exclusions (kept as rows, with ``exclude_reason``): an issue type other than Incident
(``[System] Incident`` counts as Incident; ``issue_types=`` widens the set; a file without an
issue-type column is taken as all incidents), and a Resolution or Status of Won't Do, Duplicate, Cancelled/Canceled or Declined.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..cells import short_cells
from ..schema import INCIDENT_COLUMNS, MILESTONES, InputError
from ..timeparse import parse_timestamps
from ._arrow_text import missing_text, short_text
from ._files import Sample, read_text
from ._plumbing import Reading

__all__ = ["SOURCE", "parse_jira_dates", "read", "read_table", "sniff"]

SOURCE = "jira"
#: What this export is, and the fields that only it has (said when another reader gets it).
SIGNATURE = ("a Jira Service Management export", "CSV with an issue key beside Summary and Created")

KEY_COLUMNS = ("Issue key", "Work item key")
TYPE_COLUMNS = ("Issue Type", "Work type")
SEVERITY_COLUMNS = ("Custom field (Severity)", "Severity")
SERVICE_COLUMNS = ("Custom field (Affected services)", "Affected services", "Component/s", "Components")
TEAM_COLUMNS = ("Custom field (Team)", "Team")

#: Resolutions and statuses of records that are not incidents (compared lower-cased).
EXCLUDED_OUTCOMES = frozenset({"won't do", "wont do", "duplicate", "cancelled", "canceled", "declined"})

#: Labels Jira sites use for severity, beyond the generic table (Priority names are in it).
SEVERITY_MAP: dict[str, str] = {
    "severity 1": "critical",
    "severity 2": "high",
    "severity 3": "medium",
    "severity 4": "low",
    "severity 5": "low",
    "s1": "critical",
    "s2": "high",
    "s3": "medium",
    "s4": "low",
}

JOIN = "; "

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1
    )
}
_JIRA_DATE = re.compile(
    r"(?P<day>\d{1,2})/(?P<month>[^\W\d_]{3,4})/(?P<year>\d{2}|\d{4})\s+"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?"
)
#: A whole value in Jira's date format (as ``str.extract`` of ``^...$`` matches it).
_WHOLE_DATE = re.compile(f"^{_JIRA_DATE.pattern}$")
_EPOCH = datetime.datetime(1970, 1, 1)
_MICROSECOND = datetime.timedelta(microseconds=1)
_NAT = np.iinfo(np.int64).min


def sniff(sample: Sample) -> str | None:
    """A Jira CSV export has an issue-key column beside ``Summary`` and ``Created``."""
    columns = {c.lower() for c in sample.csv_columns()}
    if columns & {k.lower() for k in KEY_COLUMNS} and {"summary", "created"} <= columns:
        return "CSV with Issue key, Summary and Created columns (Jira export)"
    return None


def read_table(path: str | Path) -> pd.DataFrame:
    """The export as text columns, a repeated header's values joined with "; " under one name.

    Returns
    -------
    DataFrame
        One column per distinct header name, in first-seen order, ``str`` dtype, NA where empty.
    """
    file = str(path)
    text = read_text(path)
    if not text.strip():
        raise InputError("the file is empty", file=file, expected="a Jira CSV export with a header line")
    first_line = text.lstrip().split("\n", 1)[0]
    sep = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        header = [h.strip() for h in next(csv.reader(io.StringIO(text), delimiter=sep))]
    except csv.Error as exc:
        raise InputError(f"malformed CSV header ({exc})", file=file, expected="a Jira CSV export") from None
    try:
        with warnings.catch_warnings():
            # index_col=False keeps a long first row from becoming an index; its warning is an error here.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            raw = pd.read_csv(
                io.StringIO(text),
                sep=sep,
                header=0,
                index_col=False,
                dtype="str",
                keep_default_na=False,
                na_values=[""],
                engine="c",
            )
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        row = _first_long_row(text, sep=sep, width=len(header))
        raise InputError(
            "malformed CSV: " + str(exc).split("C error: ")[-1].strip(),
            file=file,
            record=f"row {row}" if row else None,
            expected=f"at most {len(header)} fields per row, as in the header",
        ) from None
    if raw.shape[1] != len(header):
        raise InputError(
            "the CSV header could not be read",
            file=file,
            found=raw.shape[1],
            expected=f"{len(header)} columns as in the header line",
        )
    raw.columns = pd.RangeIndex(len(header))
    positions: dict[str, list[int]] = {}
    for i, name in enumerate(header):
        positions.setdefault(name, []).append(i)
    columns: dict[str, pd.Series] = {}
    for name, where in positions.items():
        joined = _text(raw[where[0]])
        for i in where[1:]:
            other = _text(raw[i])
            joined = (joined + JOIN + other).fillna(joined).fillna(other)
        columns[name] = joined
    return pd.DataFrame(columns, index=pd.RangeIndex(len(raw)))


def _first_long_row(text: str, *, sep: str, width: int) -> int | None:
    """The 1-based data row that has more fields than the header, if any."""
    try:
        for number, fields in enumerate(csv.reader(io.StringIO(text), delimiter=sep)):
            if len(fields) > width:
                return number
    except csv.Error:
        return None
    return None


def _text(values: pd.Series) -> pd.Series:
    short = short_text(values)
    if short is not None:
        return short
    out = values.astype("str").str.strip()
    return out.where(out != "")


def _find(columns: Iterable[str], candidates: Sequence[str]) -> str | None:
    lower = {c.lower(): c for c in columns}
    for name in candidates:
        if name.lower() in lower:
            return lower[name.lower()]
    return None


def _row_name(position: int) -> str:
    return f"row {position + 1}"


def parse_jira_dates(
    values: pd.Series, *, tz: str | None, dayfirst: bool | None = None, file: str, field: str
) -> pd.Series:
    """One Jira date column to ``datetime64[us, UTC]``.

    Values in Jira's ``dd/MMM/yy h:mm a`` family are read field by field; any other column goes
    to :func:`mttr_lab.timeparse.parse_timestamps`.

    Returns
    -------
    Series
        UTC timestamps, NaT where the export had none.
    """
    text = _text(values)
    cells = short_cells(text)
    if cells is not None:  # a short column: matched value by value
        found = [None if cell is None else _WHOLE_DATE.search(cell) for cell in cells]
        if not any(found):
            return parse_timestamps(text, tz=tz, dayfirst=dayfirst, file=file, field=field, records=_row_name)
        stamp = _plain_stamps(cells, found, text.index) if tz is not None else None
        if stamp is not None:
            return parse_timestamps(stamp, tz=tz, file=file, field=field, records=_row_name)
    present = text.notna()
    parts = text.str.extract(f"^{_JIRA_DATE.pattern}$")
    matched = parts["day"].notna()
    if not matched.any():
        return parse_timestamps(text, tz=tz, dayfirst=dayfirst, file=file, field=field, records=_row_name)
    _fail_at(present & ~matched, text, file=file, field=field, why="not a date in the export's format")
    month = parts["month"].str.lower().str[:3].map(_MONTHS)
    _fail_at(matched & month.isna(), text, file=file, field=field, why="unknown month name")
    year = pd.to_numeric(parts["year"])
    year = year.where(parts["year"].str.len() == 4, np.where(year < 69, 2000 + year, 1900 + year))
    hour = pd.to_numeric(parts["hour"])
    ampm = parts["ampm"].str.lower().str.replace(".", "", regex=False)
    twelve = ampm.notna()
    _fail_at(twelve & ~hour.between(1, 12), text, file=file, field=field, why="hour out of range")
    hour = hour.where(~twelve, hour % 12 + np.where(ampm == "pm", 12, 0))
    stamp = pd.to_datetime(
        pd.DataFrame(
            {
                "year": year,
                "month": month,
                "day": pd.to_numeric(parts["day"]),
                "hour": hour,
                "minute": pd.to_numeric(parts["minute"]),
                "second": pd.to_numeric(parts["second"]).fillna(0),
            }
        ),
        errors="coerce",
    )
    _fail_at(matched & stamp.isna(), text, file=file, field=field, why="not a valid date")
    if tz is None:
        pos = int(np.flatnonzero(matched.to_numpy())[0])
        raise InputError(
            "Jira dates carry no UTC offset and no timezone was given",
            file=file,
            record=_row_name(pos),
            field=field,
            found=text.iloc[pos],
            expected="tz='Area/City': the timezone of the user who exported (e.g. tz='Europe/London')",
        )
    return parse_timestamps(stamp, tz=tz, file=file, field=field, records=_row_name)


def _plain_stamps(cells: list, found: list, index: pd.Index) -> pd.Series | None:
    """The naive times of a short column of Jira dates (``found``: each cell's match), when every
    value present is a plain, valid date-time in Jira's format (an ASCII month name, a year from
    1900 to 2200, an hour, minute and second within the day); None otherwise, for the column-wise
    reading, which reports what is wrong or rolls an hour of 25 into the next day, as pandas does
    (and reads only ASCII text: ``int`` would read other digits, ``pd.to_numeric`` does not).
    """
    micro = []
    for cell, match in zip(cells, found, strict=True):
        if cell is None:
            micro.append(_NAT)
            continue
        if match is None or not cell.isascii():  # other digits and letters: the column-wise reading
            return None
        month = _MONTHS.get(match["month"].lower()[:3])
        year, hour = int(match["year"]), int(match["hour"])
        if len(match["year"]) != 4:
            year += 2000 if year < 69 else 1900
        if match["ampm"] is not None:
            if not 1 <= hour <= 12:
                return None
            hour = hour % 12 + (12 if match["ampm"].lower().replace(".", "") == "pm" else 0)
        minute, second = int(match["minute"]), int(match["second"] or 0)
        if month is None or not (1900 <= year <= 2200 and hour < 24 and minute < 60 and second < 60):
            return None
        try:
            stamp = datetime.datetime(year, month, int(match["day"]), hour, minute, second)
        except ValueError:
            return None
        micro.append((stamp - _EPOCH) // _MICROSECOND)
    return pd.Series(np.array(micro, dtype=np.int64).view("datetime64[us]"), index=index)


def _fail_at(bad: pd.Series, text: pd.Series, *, file: str, field: str, why: str) -> None:
    if not bad.any():
        return
    pos = int(np.flatnonzero(bad.to_numpy())[0])
    raise InputError(
        why,
        file=file,
        record=_row_name(pos),
        field=field,
        found=text.iloc[pos],
        expected="one date format throughout the column, such as 24/Aug/23 3:15 PM (English month names)",
    )


def _milestone_columns(
    columns: Sequence[str], created: str, milestone_columns: Mapping[str, str] | None, *, file: str
) -> dict[str, str]:
    """Milestone -> export column: Created, Resolved, then those given by ``milestone_columns``."""
    stones: dict[str, str] = {"detected_at": created}
    resolved = _find(columns, ("Resolved",))
    if resolved is not None:
        stones["resolved_at"] = resolved
    for milestone, column in (milestone_columns or {}).items():
        if milestone not in MILESTONES:
            raise InputError(
                f"milestone_columns names an unknown milestone {milestone!r}",
                file=file,
                expected="keys among " + ", ".join(MILESTONES),
            )
        found = _find(columns, (column,))
        if found is None:
            raise InputError(
                f"the Jira export has no column {column!r} (for {milestone})",
                file=file,
                field=column,
                expected="a column of the export",
            )
        stones[milestone] = found
    return stones


def _named_fields(table: pd.DataFrame, key: str, used: set[str]) -> dict[str, Any]:
    """The id, title, service, team and severity columns (severity, else priority); the columns
    read are added to ``used``."""
    columns = list(table.columns)
    fields: dict[str, Any] = {"incident_id": table[key]}
    summary = _find(columns, ("Summary",))
    if summary is not None:
        fields["title"] = table[summary]
        used.add(summary)
    for canonical, candidates in (("service", SERVICE_COLUMNS), ("team", TEAM_COLUMNS)):
        column = _find(columns, candidates)
        if column is not None:
            fields[canonical] = table[column]
            used.add(column)
    severity = _find(columns, SEVERITY_COLUMNS)
    priority = _find(columns, ("Priority",))
    if severity is not None and priority is not None:
        fields["severity"] = table[severity].where(table[severity].notna(), table[priority])
    elif severity is not None or priority is not None:
        fields["severity"] = table[severity or priority]
    return fields


def read(
    path: str | Path,
    *,
    tz: str | None = None,
    severity_map: Mapping[str, str] | None = None,
    dayfirst: bool | None = None,
    issue_types: Iterable[str] = ("Incident",),
    excluded_outcomes: Iterable[str] | None = None,
    milestone_columns: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read a Jira Service Management CSV export into the canonical ``incidents`` frame.

    Parameters
    ----------
    path : path
        The CSV export (optionally ``.gz``).
    tz : str
        IANA timezone of the exporting user: Jira writes dates without an offset.
    severity_map : mapping, optional
        Severity or priority label -> low/medium/high/critical.
    dayfirst : bool, optional
        Order of numeric day/month dates, when the site uses such a format.
    issue_types : iterable of str
        Issue types that are incidents; others are excluded with a reason.
    excluded_outcomes : iterable of str, optional
        Resolutions/statuses that mark a record as not an incident (default Won't Do,
        Duplicate, Cancelled/Canceled, Declined).
    milestone_columns : mapping, optional
        Milestone (``"started_at"``...) -> export column, added to or replacing the defaults.

    Returns
    -------
    DataFrame
        The canonical columns, then ``updated_at`` (UTC) and every other export column by its
        export name (repeated columns joined with "; ").
    """
    file = str(path)
    table = read_table(path)
    columns = list(table.columns)
    key = _find(columns, KEY_COLUMNS)
    created = _find(columns, ("Created",))
    if key is None or created is None:
        missing = "Issue key" if key is None else "Created"
        shown = ", ".join(columns[:30]) + (" ..." if len(columns) > 30 else "")
        raise InputError(
            f"the Jira export has no column {missing!r}",
            file=file,
            field=missing,
            expected=f"a Jira CSV export with Issue key and Created; columns present: {shown}",
        )
    stones = _milestone_columns(columns, created, milestone_columns, file=file)

    used = {key, *stones.values()}
    fields = _named_fields(table, key, used)
    for milestone, column in stones.items():
        fields[milestone] = parse_jira_dates(table[column], tz=tz, dayfirst=dayfirst, file=file, field=column)

    updated = _find(columns, ("Updated",))
    version = None
    extra: dict[str, Any] = {}
    if updated is not None:
        version = parse_jira_dates(table[updated], tz=tz, dayfirst=dayfirst, file=file, field=updated)
        extra["updated_at"] = version
        used.add(updated)
    reserved = {*INCIDENT_COLUMNS, "updated_at", "file"}
    extra.update({c: table[c] for c in columns if c not in used and c not in reserved})

    reading = Reading(
        SOURCE, file, tz=tz, dayfirst=dayfirst, severity_map=severity_map, default_severity_map=SEVERITY_MAP
    )
    return reading.incidents(
        fields,
        labels={m: c for m, c in stones.items()},
        record_label="row",
        exclude_reason=_exclusions(table, columns, issue_types, excluded_outcomes),
        version=version,
        extra=extra,
    )


def _plain_type(name: str) -> str:
    """An issue type lower-cased, without the ``[System]`` prefix of JSM's built-in types."""
    return re.sub(r"^\[system\]\s*", "", name.strip().lower())


def _exclusions(
    table: pd.DataFrame,
    columns: list[str],
    issue_types: Iterable[str],
    excluded_outcomes: Iterable[str] | None,
) -> pd.Series:
    """Why each row is not an incident (NA where it is one)."""
    reason = missing_text(table.index)
    outcomes = {
        o.strip().lower() for o in (EXCLUDED_OUTCOMES if excluded_outcomes is None else excluded_outcomes)
    }
    for label, candidates in (("status", ("Status",)), ("resolution", ("Resolution",))):
        column = _find(columns, candidates)
        if column is None:
            continue
        value = table[column]
        hit = value.str.lower().isin(outcomes)
        if hit.any():
            reason = reason.mask(hit, "not an incident (" + label + " " + value + ")")
    kind = _find(columns, TYPE_COLUMNS)
    if kind is not None:
        wanted = {_plain_type(t) for t in issue_types}
        value = table[kind]
        plain = value.str.lower().str.replace(r"^\[system\]\s*", "", regex=True)
        other = value.notna() & ~plain.isin(wanted)
        if other.any():
            reason = reason.mask(other, "not an incident (issue type " + value + ")")
    return reason
