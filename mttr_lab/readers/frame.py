"""Incidents already in a DataFrame: a warehouse table, ``pd.read_sql``, a Parquet file.

The frame goes through exactly the checks of :func:`mttr_lab.read_export`: the generic mapping
(``columns=``) for any table, or a vendor's own reader for a table that holds that vendor's
flattened CSV export (a warehouse table synced from PagerDuty, ServiceNow or Jira).
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..frames import INCIDENTS, kind_of, tag
from .generic import mapped_incidents

__all__ = ["from_frame"]

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
        incidents = mapped_incidents(
            frame, columns=columns, file=name, record_label="row", source="dataframe", **options
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
    from ..io import read_export

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
