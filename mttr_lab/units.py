"""Numbers as people read them: durations, p-values, shares, and whole tables made readable.

The ground floor of presentation: no plotting and no statistics here, so a Markdown post-mortem or
a terminal summary formats durations without loading matplotlib.
"""

from __future__ import annotations

import hashlib
import html
import re

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = ["format_minutes", "format_p", "format_ratio", "format_span", "readable", "show"]

#: Missing values in a readable table (the reason goes in a note, never ``NaN`` or ``<NA>``).
MISSING = "–"

#: Columns that hold minutes, shown as durations (41 min, 3.4 h, 1.1 d).
_DURATION = re.compile(
    r"^(median|mean|geomean|std|min|max|km_median|km_p\d\d|p\d\d|minutes|open_for|duration|median_\w+|mean_\w+"
    r"|geomean_(before|after)|(null_)?gain_(minutes|low|median|high)|\w+_minutes)$"
)
#: Columns that hold ratios (no unit, two decimals).
_RATIO = re.compile(r"^(\w+_)?ratio$")
#: Columns that hold shares in [0, 1], shown as percentages.
_SHARE = re.compile(r"^(share|within_\d+|.*[ _]share)$")
#: Columns that hold p-values.
_PVALUE = re.compile(r"^(p_value|p_\w+|\w+_p_value|\w+_p)$")

_LABELS = {
    "count": "incidents",
    "n": "incidents",
    "n_before": "incidents measured before",
    "n_after": "incidents measured after",
    "open": "still open",
    "km_median": "median counting open incidents",
    "geomean": "geometric mean",
    "geomean_ratio": "ratio of geometric means",
    "median_ratio": "ratio of medians",
    "p_value": "p-value",
    "mc_p_value": "Monte Carlo p-value",
    "p_value_holm": "p-value (Welch on log durations; groups Holm-corrected)",
    "incidents_per_hour": "incidents per hour",
    "time_class": "time of day",
    "stratum": "group",
    "tiers_spanned": "tiers its interval spans",
    "incident_id": "incident",
    "minutes": "duration",
    "is_open": "open",
}


_STATISTICS = re.compile(r"^(mean|median|geomean|p\d\d|km_\w+|within_\w+|std)\b")


def shown_notes(note: object, columns: pd.Index) -> object:
    """The parts of a ``note`` about statistics among ``columns`` (or about no statistic)."""
    if not isinstance(note, str):
        return note
    kept = []
    for part in note.split("; "):
        match = _STATISTICS.match(part)
        if match is None or match.group(1) in columns:
            kept.append(part)
    return "; ".join(kept) if kept else pd.NA


def format_minutes(minutes: float | None, _pos: object = None) -> str:
    """A duration in minutes as people say it: ``45 min``, ``2 h``, ``1.5 d``; "" when missing.

    The second argument lets matplotlib use it as a tick formatter.
    """
    if minutes is None or minutes is pd.NA or not np.isfinite(minutes):
        return ""
    # Each unit up to where its rounded value would read as the next one ("60 s" is "1 min").
    if round(minutes * 60) < 60:
        return f"{minutes * 60:.0f} s"
    if round(minutes) < 60:
        return f"{max(minutes, 1):.0f} min"
    if round(minutes / 60, 1 if minutes < 600 else 0) < 24:
        hours = max(minutes / 60, 1)
        return f"{hours:.0f} h" if hours >= 10 else f"{hours:.1f}".removesuffix(".0") + " h"
    days = max(minutes / 1440, 1)
    return f"{days:.0f} d" if days >= 10 else f"{days:.1f}".removesuffix(".0") + " d"


def format_span(low: float, high: float) -> str:
    """An interval of minutes as people say it (``41 min–1.2 h``), its two ends never alike.

    A narrow interval at large n whose ends round to the same words (``1 h–1 h``) is said in
    minutes, with as many decimals as it takes (up to two) to tell them apart.
    """
    a, b = format_minutes(low), format_minutes(high)
    for digits in (0, 1, 2):
        if a != b or low == high or not (np.isfinite(low) and np.isfinite(high)):
            break
        a, b = f"{low:.{digits}f} min", f"{high:.{digits}f} min"
    return f"{a}–{b}"


def interval_level(table: pd.DataFrame | pd.Series) -> str:
    """The level of a table's (or row's) intervals for a label ("95 %"), from ``attrs["confidence"]``."""
    return f"{100 * float(table.attrs.get('confidence', 0.95)):g} %"


def format_ratio(ratio: float | None) -> str:
    """A ratio as people read it: two decimals (``0.78``), two significant digits below 0.1
    (``0.0051``, never ``0.00`` for a ratio that is not 0, nor an exponent); "–" when missing."""
    if ratio is None or ratio is pd.NA or not np.isfinite(ratio):
        return MISSING
    if ratio == 0 or abs(float(f"{ratio:.2g}")) >= 0.1:  # (0.0999 reads 0.10)
        return f"{ratio:.2f}"
    rounded = float(f"{ratio:.2g}")  # first rounded, so that 0.00699 keeps its two digits: 0.0070
    return np.format_float_positional(rounded, precision=2, unique=False, fractional=False, trim="k")


def format_p(p: float | None) -> str:
    """A p-value as a reader expects it: ``p < 0.001``, ``p = 0.04``, ``p = 0.32``; "–" when missing."""
    if p is None or p is pd.NA or not np.isfinite(p):
        return MISSING
    if p < 0.001:
        return "p < 0.001"
    if p < 0.01:
        return f"p = {p:.3f}"
    return f"p = {p:.2f}"


def _label(name: object, level: float) -> str:
    text = str(name)
    if text in _LABELS:
        return _LABELS[text]
    match = re.fullmatch(r"within_(\d+)", text)
    if match:
        return f"share within {format_minutes(float(match.group(1)))}"
    return text.replace("_", " ")


def _words(text: str) -> str:
    """Internal names inside a sentence (a note) said in words; "incident(s)" with its number."""
    text = re.sub(r"\bwithin_(\d+)\b", lambda m: f"share within {format_minutes(float(m.group(1)))}", text)
    text = re.sub(r"\bkm_(median|p\d\d)\b", r"\1 counting open incidents", text)
    text = re.sub(r"\b(started|detected|acknowledged|diagnosed|recovered|resolved)_at\b", r"\1", text)
    text = re.sub(r"\b(time|share)_(to|within)_(\w+)", lambda m: m.group(0).replace("_", " "), text)
    text = text.replace("incident_id", "incident id")
    text = re.sub(
        r"\b(\d+) ([a-z ]*?)(\w+)\(s\)",
        lambda m: f"{m.group(1)} {m.group(2)}{m.group(3)}{'' if m.group(1) == '1' else 's'}",
        text,
    )
    return text


def _cell(value: object, kind: str, tz: str | None) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return MISSING
    if isinstance(value, float) and not np.isfinite(value):
        return MISSING
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, pd.Timedelta):
        return format_minutes(value / pd.Timedelta(minutes=1))
    if isinstance(value, pd.Timestamp):
        stamp = value.tz_convert(tz) if (tz and value.tzinfo is not None) else value
        return stamp.strftime("%Y-%m-%d %H:%M")
    if kind == "year" and isinstance(value, (int, np.integer, float, np.floating)):
        return f"{int(value)}"
    if isinstance(value, (int, np.integer)) and kind not in ("duration", "share", "ratio", "p"):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        if kind == "duration":
            return format_minutes(float(value))
        if kind == "share":
            shown = f"{100 * value:.0f}"
            if shown == "0" and value > 0:  # never "0 %" for one incident, nor "100 %" short of all
                return "< 1 %"
            if shown == "100" and value < 1:
                return "> 99 %"
            return f"{shown} %"
        if kind == "ratio":
            return format_ratio(float(value))
        if kind == "p":
            return format_p(float(value))
        if float(value).is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        shown = f"{value:,.2f}"
        # never "0.00" for a value that is not 0 (a rate of incidents per hour): two digits of it
        return format_ratio(float(value)) if float(shown) == 0 and value != 0 else shown
    return _words(str(value))


def _kind(name: str) -> str:
    if name == "year" or name.endswith("_year"):  # 2022, never "2,022"
        return "year"
    if _PVALUE.match(name):
        return "p"
    if _SHARE.match(name):
        return "share"
    if _RATIO.match(name):
        return "ratio"
    if _DURATION.match(name):
        return "duration"
    return "other"


def readable(
    table: pd.DataFrame,
    *,
    tz: str | None = None,
    confidence: float | None = None,
    missing_group: str | None = None,
) -> pd.DataFrame:
    """A table for people: human column names, units, intervals in one cell, no raw pandas.

    ``X`` with ``X_low`` and ``X_high`` become one column "X (95 % CI)" reading
    ``1.2 h (1.1 h–1.3 h)``; minutes are durations (41 min, 3.4 h, 1.1 d), shares percentages,
    p-values ``p < 0.001`` / ``p = 0.04``, booleans yes/no, counts with thousands separators,
    timestamps in ``tz`` (named in the column header), missing values "–".

    Parameters
    ----------
    table : DataFrame
        A statistics table (``duration_summary``, ``compare_*``, review tables...).
    tz : str, optional
        The team's timezone for timestamps; UTC when None.
    confidence : float, optional
        The level of the intervals; read from ``table.attrs["confidence"]`` when None, else 0.95.
    missing_group : str, optional
        What an empty group label reads as; "no <index name>" (as the plots say), else "none
        recorded".

    Returns
    -------
    DataFrame
        Text cells only, same rows (index labels made readable too).
    """
    level = confidence if confidence is not None else table.attrs.get("confidence", 0.95)
    ci = f"{100 * level:g} % CI"
    zone = tz or "UTC"
    out: dict[str, list[str]] = {}
    consumed: set[str] = set()
    columns = [str(c) for c in table.columns]
    notes = table["note"].map(lambda n: shown_notes(n, table.columns)) if "note" in table.columns else None
    for name in columns:
        if name in consumed:
            continue
        if name == "note" and notes is not None:
            out[_label(name, level)] = [_cell(v, "other", zone) for v in notes]
            continue
        kind = _kind(name)
        values = table[name]
        low, high = f"{name}_low", f"{name}_high"
        if low in columns and high in columns:
            consumed |= {low, high}
            cells = []
            for value, lo, hi in zip(values, table[low], table[high], strict=True):
                shown = _cell(value, kind, zone)
                if shown != MISSING and _cell(lo, kind, zone) != MISSING and _cell(hi, kind, zone) != MISSING:
                    span = (
                        format_span(float(lo), float(hi))
                        if kind == "duration" and isinstance(lo, (float, np.floating))
                        else f"{_cell(lo, kind, zone)}–{_cell(hi, kind, zone)}"
                    )
                    shown += f" ({span})"
                cells.append(shown)
            out[f"{_label(name, level)} ({ci})"] = cells
            continue
        header = _label(name, level)
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            header = f"{header} ({zone})"
        out[header] = [_cell(v, kind, zone) for v in values]
    frame = pd.DataFrame(out, index=_readable_index(table.index, missing_group))
    return frame


def _text_columns(shown: pd.DataFrame) -> list[str]:
    """Columns whose cells hold words (titles, notes, actions), left-aligned.

    Numbers, durations ("41 min", "3.4 h"), p-values and yes/no have no word of four letters, so
    they stay right-aligned.
    """
    word = re.compile(r"[A-Za-z]{4,}")
    return [c for c in shown.columns if any(word.search(v) for v in shown[c])]


#: Row labels that are this package's own names; any other label (a service "payments_api") is data.
_INTERNAL = re.compile(
    r"(time|share)_(to|within)_\w+|(started|detected|acknowledged|diagnosed|recovered|resolved)_at"
    r"|incident_id|(n|open|share|median|geomean)_(before|after)|(median|p\d\d|km_median|km_p\d\d)_(low|high)"
)


def _readable_index(index: pd.Index, missing_group: str | None) -> pd.Index:
    def name(value: object, level: object = index.name) -> str:
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            if missing_group is not None:
                return missing_group
            return f"no {str(level).replace('_', ' ')}" if level else "none recorded"
        if isinstance(value, str) and _INTERNAL.fullmatch(value):
            return value.replace("_", " ")  # a name of ours (time_to_recover), not the export's data
        return str(value)

    if isinstance(index, pd.MultiIndex):
        return pd.MultiIndex.from_tuples(
            [tuple(name(v, lvl) for v, lvl in zip(key, index.names, strict=True)) for key in index],
            names=[_label(n, 0.95) if n else None for n in index.names],
        )
    if isinstance(index, pd.RangeIndex):
        return pd.RangeIndex(len(index))
    return pd.Index([name(v) for v in index], name=_label(index.name, 0.95) if index.name else None)


#: Named column views of the statistics tables for :func:`mttr_lab.tidy` and :func:`show`: each keeps, in this order, those
#: of its columns the table has (so one view serves ``duration_summary``, ``assign_tiers``,
#: ``growth_by_count``...).
VIEWS: dict[str, tuple[str, ...]] = {
    "headline": (
        *("count", "open", "median", "median_low", "median_high", "p90", "p90_low", "p90_high"),
        *("km_median", "ratio_to_none", "tier", "tiers_spanned", "verdict", "note"),
    ),
    "percentiles": (
        *("count", "observed", "median", "median_low", "median_high", "p90", "p90_low", "p90_high"),
        *("p95", "p95_low", "p95_high", "p99", "p99_low", "p99_high", "note"),
    ),
    "censoring": (
        *("count", "open", "observed", "median", "median_low", "median_high", "km_median"),
        *("km_median_low", "km_median_high", "note"),
    ),
    "mean": (
        *("count", "observed", "median", "mean", "mean_low", "mean_high", "geomean", "geomean_low"),
        *("geomean_high", "std", "note"),
    ),
}


def show(table: pd.DataFrame, *, view: str | None = None, **options: object) -> object:
    """:func:`readable`, styled for a notebook or report: a meaningless row number is hidden.

    ``view`` keeps the columns of one of :data:`VIEWS` (``"headline"``, ``"percentiles"``,
    ``"censoring"``, ``"mean"``) that the table has, in the view's order.

    Returns a pandas ``Styler`` (renders as HTML); ``options`` go to :func:`readable`.
    """
    if view is not None:
        if view not in VIEWS:
            raise InputError(f"show: no view named {view!r}", expected="one of " + ", ".join(VIEWS))
        table = table[[c for c in VIEWS[view] if c in table.columns]]
    shown = readable(table, **options)  # type: ignore[arg-type]
    note = _label("note", 0.95)
    footnotes: list[tuple[str, str]] = []
    if note in shown.columns:
        cells, footnotes = shared_notes(shown[note].tolist())
        shown[note] = cells
    # Text from the export (titles, labels) is escaped: a title is never markup.
    styler = (
        shown.style.format(escape="html")
        .format_index(escape="html", axis=0)
        .format_index(escape="html", axis=1)
        # The table's HTML id from its content, not at random: a notebook run twice is the same.
        .set_uuid(hashlib.sha1(shown.to_csv().encode()).hexdigest()[:8])
    )
    if isinstance(shown.index, pd.RangeIndex):
        styler = styler.hide(axis="index")
    # One rule per column (``td.col1``), not a style per cell: a table's HTML stays small and
    # renders in a third of the time. Words sit left under a left header; a time, a duration or
    # a count never breaks over two lines; an incident id is a label of one word, both
    # (``INC0012345`` or a UUID has no word of four letters, yet is no figure).
    text = _text_columns(shown)
    # The rules name each column by its position (``td.col3``), as pandas makes them from a dict
    # by column label, without looking each label up (a third of a small table's rendering).
    rules = []
    for i, column in enumerate(shown.columns):
        label = column == _LABELS["incident_id"]
        left, unbroken = label or column in text, label or column not in text
        cell = ("text-align: left; " if left else "") + ("white-space: nowrap;" if unbroken else "")
        rules.append({"selector": f"td.col{i}", "props": cell})
        if left:
            rules.append({"selector": f"th.col{i}", "props": "text-align: left;"})
    if rules:
        styler = styler.set_table_styles(rules, overwrite=False)
    if footnotes:  # said once, under the table
        lines = "<br>".join(html.escape(f"{mark} {words}") for mark, words in footnotes)
        styler = styler.set_caption(lines).set_table_styles(
            [{"selector": "caption", "props": "caption-side: bottom; text-align: left; padding-top: 0.4em;"}],
            overwrite=False,
        )
    return styler


#: Marks of notes said once under a table.
_MARKS = "¹²³⁴⁵⁶⁷⁸⁹"


def shared_notes(notes: list[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Notes said once: a part ("; "-separated) that two or more rows share becomes a footnote.

    Returns the cells, each with its own parts and the marks of its shared ones, and the
    footnotes as (mark, text) in order of first appearance. Parts beyond the ninth shared one
    stay in their rows.
    """
    parts = [[] if n == MISSING else [p for p in n.split("; ") if p.strip()] for n in notes]
    counts: dict[str, int] = {}
    for row in parts:
        for part in dict.fromkeys(row):
            counts[part] = counts.get(part, 0) + 1
    shared = [p for p in counts if counts[p] >= 2][: len(_MARKS)]
    if not shared:
        return list(notes), []
    mark = dict(zip(shared, _MARKS, strict=False))
    cells = []
    for row in parts:
        own = [p for p in row if p not in mark]
        marks = "".join(sorted((mark[p] for p in row if p in mark), key=_MARKS.index))
        cell = "; ".join(own) + (f" {marks}" if own and marks else marks)
        cells.append(cell or MISSING)
    return cells, [(mark[p], p) for p in shared]
