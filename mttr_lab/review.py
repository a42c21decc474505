"""Tables for a periodic review: which quarter, its severity mix, its slowest incidents."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .frames import DURATIONS, INCIDENTS, require
from .schema import SEVERITIES, InputError
from .units import shown_notes

if TYPE_CHECKING:
    from .narrative import Text

__all__ = [
    "ResponseSection",
    "detection_lag",
    "latest_incidents",
    "mean_sensitivity",
    "percentile_pitfall",
    "period_durations",
    "quarter_bounds",
    "quarter_table",
    "response_section",
    "review_bounds",
    "severity_mix",
    "slowest_incidents",
    "tidy",
]

_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*Q([1-4])\s*$", re.IGNORECASE)


def quarter_bounds(
    durations: pd.DataFrame,
    *,
    quarter: str | None = None,
    tz: str = "UTC",
    as_of: pd.Timestamp | str | None = None,
) -> pd.Series:
    """The review quarter and the one before it, as UTC instants of their local boundaries.

    Parameters
    ----------
    durations : DataFrame
        The output of :func:`mttr_lab.phase_durations`.
    quarter : str, optional
        ``"2026Q3"`` (or ``"2026-Q3"``); without it, the latest quarter that ended by ``as_of``
        (the current one when the data holds no complete quarter; ``complete`` says so).
    tz : str
        The team's timezone: quarters start at local midnight.
    as_of : timestamp, optional
        The moment of the review; defaults to the latest timestamp in the durations.

    Returns
    -------
    Series
        ``label`` (``"2026Q3"``), ``start``, ``end`` (exclusive), ``previous_label``,
        ``previous_start``, ``previous_end``, ``complete`` (bool: the quarter ended by ``as_of``),
        ``first_day``, ``last_day`` (the quarter's local dates, for spans in the team's timezone).
    """
    require(durations, DURATIONS, function="quarter_bounds")
    return review_bounds(durations, period="quarter", label=quarter, tz=tz, as_of=as_of)


#: Review cadences and their pandas period frequencies (weeks run Monday to Sunday).
CADENCES = {"week": "W-SUN", "month": "M", "quarter": "Q"}


def review_bounds(
    durations: pd.DataFrame,
    *,
    period: str = "quarter",
    label: str | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    tz: str = "UTC",
    as_of: pd.Timestamp | str | None = None,
) -> pd.Series:
    """The review period and the one of the same length before it, as UTC instants.

    Parameters
    ----------
    durations : DataFrame
        The output of :func:`mttr_lab.phase_durations`.
    period : {"week", "month", "quarter"}
        The cadence; without ``label``, ``start`` or ``end``, the latest one that ended by
        ``as_of`` (the current one when the data holds no complete one; ``complete`` says so).
    label : str, optional
        ``"2026Q3"``, ``"2026-07"`` or a day of the wanted week (``"2026-07-06"``).
    start, end : date, optional
        Any window instead: its first and last local day (both included), compared with the
        same number of days just before it.
    tz : str
        The team's timezone: periods start at local midnight.
    as_of : timestamp, optional
        The moment of the review; defaults to the latest timestamp in the durations.

    Returns
    -------
    Series
        ``period`` (the word: quarter, month, week or period), ``label``, ``start``, ``end``
        (exclusive), ``previous_label``, ``previous_start``, ``previous_end``, ``complete`` (the
        period ended by ``as_of``), ``future`` (it starts after ``as_of``), ``first_day``,
        ``last_day`` (its local dates).
    """
    require(durations, DURATIONS, function="review_bounds")
    if as_of is None:
        as_of = durations[["clock_start", "resolved_at"]].max(axis=None)
    as_of = pd.Timestamp(as_of)
    if pd.isna(as_of):
        raise InputError("the export holds no incident with a time: there is nothing to review")
    if as_of.tzinfo is None:
        raise ValueError(f"as_of={as_of!r} has no timezone")
    local = {"nonexistent": "shift_forward", "ambiguous": True}  # midnight may not exist (DST)

    def utc(day: pd.Timestamp) -> pd.Timestamp:
        return day.tz_localize(tz, **local).tz_convert("UTC")

    if start is not None or end is not None:
        if start is None or end is None:
            raise InputError("a custom review window needs both its first and its last day")
        first_day, last_day = (_day(start, "first"), _day(end, "last"))
        if first_day.tzinfo is not None or last_day.tzinfo is not None:
            first_day, last_day = first_day.tz_localize(None), last_day.tz_localize(None)
        if last_day < first_day:
            raise InputError("the review window ends before it starts", found=f"{start} to {end}")
        days = (last_day - first_day).days + 1
        label = f"{first_day:%d %b %Y} to {last_day:%d %b %Y}"
        previous_first = first_day - pd.Timedelta(days=days)
        return _bounds(
            "period", label, f"the {days} days before", first_day, last_day, previous_first, utc, as_of
        )
    if period not in CADENCES:
        raise InputError("unknown review period", found=period, expected="week, month or quarter")
    freq = CADENCES[period]
    if label is None:
        current = pd.Period(as_of.tz_convert(tz).tz_localize(None), freq=freq)
        first = durations["clock_start"].min()
        first_period = (
            pd.Period(first.tz_convert(tz).tz_localize(None), freq=freq) if pd.notna(first) else current
        )
        # The latest complete period, unless the data has none: then the current, incomplete one.
        chosen = current - 1 if current - 1 >= first_period else current
    else:
        match = _QUARTER.match(str(label)) if period == "quarter" else None
        if period == "quarter" and not match:
            raise ValueError(f"quarter must look like 2026Q3, not {label!r}")
        try:
            chosen = (
                pd.Period(year=int(match.group(1)), quarter=int(match.group(2)), freq="Q")
                if match
                else pd.Period(pd.Timestamp(str(label)), freq=freq)
            )
        except ValueError:
            raise InputError(
                f"not a {period}", found=label, expected="2026-07 for a month, a day of the week for a week"
            ) from None

    def name(p: pd.Period) -> str:
        if period == "week":
            iso = p.start_time.isocalendar()
            return f"{iso.year}-W{iso.week:02d}"
        return str(p)

    first_day, last_day = chosen.start_time.normalize(), chosen.end_time.normalize()
    previous_first = (chosen - 1).start_time
    return _bounds(period, name(chosen), name(chosen - 1), first_day, last_day, previous_first, utc, as_of)


def _day(value: object, which: str) -> pd.Timestamp:
    """A day of a custom review window, or one clear error naming which day and what was found."""
    try:
        day = pd.Timestamp(value)
    except (ValueError, TypeError):
        day = pd.NaT
    if pd.isna(day):
        raise InputError(
            f"the review window's {which} day is not a date", found=repr(value), expected="e.g. 2026-06-01"
        )
    return day.normalize()


def _bounds(
    word: str,
    label: str,
    previous_label: str,
    first_day: pd.Timestamp,
    last_day: pd.Timestamp,
    previous_first: pd.Timestamp,
    utc: Callable[[pd.Timestamp], pd.Timestamp],
    as_of: pd.Timestamp,
) -> pd.Series:
    """The row :func:`review_bounds` returns, from local days (``last_day`` included)."""
    begin, stop = utc(first_day), utc(last_day + pd.Timedelta(days=1))
    return pd.Series(
        {
            "period": word,
            "label": label,
            "start": begin,
            "end": stop,
            "previous_label": previous_label,
            "previous_start": utc(previous_first),
            "previous_end": begin,
            "complete": bool(stop <= as_of),
            "future": bool(begin > as_of),
            "first_day": first_day,
            "last_day": last_day,
        }
    )


def period_durations(durations: pd.DataFrame, *, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """The incidents whose clock started in ``[start, end)``.

    Returns
    -------
    DataFrame
        The matching rows of ``durations``, columns unchanged.
    """
    require(durations, DURATIONS, function="period_durations")
    inside = (durations["clock_start"] >= start) & (durations["clock_start"] < end)
    return durations.loc[inside]


def severity_mix(
    durations: pd.DataFrame, *, periods: dict[str, tuple[pd.Timestamp, pd.Timestamp]]
) -> pd.DataFrame:
    """Incidents per severity in each period, with the share of the period's incidents.

    Parameters
    ----------
    periods : dict
        Label -> (start, end) on ``clock_start``.

    Returns
    -------
    DataFrame
        Indexed by severity (lowest first, then ``no severity``): per period ``<label>`` (count)
        and ``<label> share`` (0-1); a ``total`` row.
    """
    require(durations, DURATIONS, function="severity_mix")
    columns = {}
    labels = [*SEVERITIES, "no severity"]
    for label, (start, end) in periods.items():
        rows = period_durations(durations, start=start, end=end)
        sev = rows["severity"].astype("str").where(rows["severity"].notna(), "no severity")
        counts = sev.value_counts().reindex(labels, fill_value=0)
        columns[label] = counts
        columns[f"{label} share"] = counts / counts.sum() if counts.sum() else counts * 0.0
    table = pd.DataFrame(columns)
    table = table.loc[(table[[c for c in periods]] > 0).any(axis=1)]
    total = table.sum()
    table.loc["total"] = total
    for label in periods:
        table[label] = table[label].astype("int64")
    return table


def slowest_incidents(
    durations: pd.DataFrame,
    *,
    metric: str = "time_to_recover",
    n: int = 10,
) -> pd.DataFrame:
    """The ``n`` longest incidents by ``metric`` (open incidents ranked by how long they have been open).

    Returns
    -------
    DataFrame
        ``incident_id``, ``title``, ``severity``, ``service``, ``started`` (clock start, a UTC
        timestamp; :func:`mttr_lab.readable` shows it in the team's timezone), ``minutes`` (the
        duration, or the time open so far), ``open`` (bool). ``title``, ``severity`` and
        ``service`` only where ``durations`` has a value in them: a column the export does not
        record would be a column of dashes.
    """
    from .stats import to_minutes  # not at the top: review_bounds goes without scipy

    require(durations, DURATIONS, function="slowest_incidents")
    minutes = to_minutes(durations[metric])
    still_open = minutes.isna() & durations["is_open"]
    minutes = minutes.fillna(to_minutes(durations["open_for"]).where(still_open))
    recorded = {
        name: durations[name]
        for name in ("title", "severity", "service")
        if name in durations.columns and durations[name].notna().any()
    }
    table = pd.DataFrame(
        {
            "incident_id": durations["incident_id"],
            **recorded,
            "started": durations["clock_start"],
            "minutes": minutes.round(1),
            "open": still_open,
        }
    )
    return table.dropna(subset=["minutes"]).nlargest(n, "minutes").reset_index(drop=True)


def quarter_table(
    durations: pd.DataFrame, *, bounds: pd.Series, metric: str = "time_to_recover"
) -> pd.DataFrame:
    """The review quarter beside the previous one: counts and the main statistics with intervals.

    Returns
    -------
    DataFrame
        Indexed by quarter label (previous first): ``incidents``, ``open``, ``median``,
        ``median_low``, ``median_high``, ``p90``, ``p90_low``, ``p90_high``, ``km_median``,
        ``mean``, ``within_60`` (minutes; share 0-1).
    """
    require(durations, DURATIONS, function="quarter_table")
    from .stats import duration_summary

    rows = {}
    for label, start, end in (
        (bounds["previous_label"], bounds["previous_start"], bounds["previous_end"]),
        (bounds["label"], bounds["start"], bounds["end"]),
    ):
        part = period_durations(durations, start=start, end=end)
        if part.empty:
            rows[label] = pd.Series({"count": 0, "open": 0}, dtype=float)
            continue
        rows[label] = duration_summary(part, metric=metric).loc["all"]
    table = pd.DataFrame(rows).T
    columns = ["count", "open", "median", "median_low", "median_high", "p90", "p90_low", "p90_high"]
    columns += ["km_median", "mean", "within_60"]
    table = table.reindex(columns=columns).apply(pd.to_numeric).rename(columns={"count": "incidents"})
    for col in ("incidents", "open"):
        table[col] = table[col].astype("int64")
    return table


#: Named column views of the statistics tables for :func:`tidy`: each keeps, in this order, those
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


def tidy(table: pd.DataFrame, *, view: str | None = None, digits: int = 1) -> pd.DataFrame:
    """A table ready to show: the columns of a view, floats rounded, missing group labels named.

    Parameters
    ----------
    view : {"headline", "percentiles", "censoring", "mean"}, optional
        Keep only the columns of this view (:data:`VIEWS`) that the table has, in the view's
        order; all columns when None.
    digits : int
        Decimals of the float columns.

    Returns
    -------
    DataFrame
        ``table`` (or its view) with float columns rounded to ``digits`` (p-values to two
        significant digits), NA index labels shown as ``no severity`` (for a severity index) or
        ``none``, and ``note`` keeping only the remarks about columns the table shows.
    """
    if view is not None:
        if view not in VIEWS:
            raise InputError(f"tidy: no view named {view!r}", expected="one of " + ", ".join(VIEWS))
        table = table[[c for c in VIEWS[view] if c in table.columns]]
    out = table.copy()
    floats = out.select_dtypes("float").columns
    # p-values keep two significant digits: 3e-6 rounded to 0.0 would read as "p = 0".
    pvalues = [c for c in floats if c.startswith("p_") or c.endswith("p_value")]
    plain = floats.difference(pvalues, sort=False)
    out[plain] = out[plain].round(digits)
    if pvalues:
        values = out[pvalues].to_numpy(dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = 10.0 ** (1 - np.floor(np.log10(np.abs(values))))
            out[pvalues] = np.where(values > 0, np.round(values * scale) / scale, values)
    if "note" in out.columns:
        out["note"] = [shown_notes(note, out.columns) for note in out["note"]]

    def name(value: object, level: str | None) -> object:
        if (isinstance(value, float) and pd.isna(value)) or value is None or value is pd.NA:
            return "no severity" if level == "severity" else "none"
        return value

    if isinstance(out.index, pd.MultiIndex):
        out.index = pd.MultiIndex.from_tuples(
            [tuple(name(v, lvl) for v, lvl in zip(key, out.index.names, strict=True)) for key in out.index],
            names=out.index.names,
        )
    else:
        out.index = pd.Index([name(v, out.index.name) for v in out.index], name=out.index.name)
    return out


def latest_incidents(durations: pd.DataFrame, *, n: int = 20) -> pd.DataFrame:
    """The ``n`` most recent incidents by clock start (the seed article's "last 20").

    Returns
    -------
    DataFrame
        The matching rows of ``durations``, oldest first.
    """
    require(durations, DURATIONS, function="latest_incidents")
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    return durations.sort_values("clock_start", kind="stable").tail(n)


def mean_sensitivity(
    durations: pd.DataFrame, *, metric: str = "time_to_recover", drop: int = 1
) -> pd.DataFrame:
    """How much the mean, the median and the p90 move when the ``drop`` longest incidents are left out.

    Returns
    -------
    DataFrame
        Indexed by ``mean``, ``median``, ``p90``: ``all`` and ``without longest`` (minutes) and
        ``change`` (share, e.g. -0.12 for 12 % lower).
    """
    from .stats import to_minutes  # not at the top: review_bounds goes without scipy

    require(durations, DURATIONS, function="mean_sensitivity")
    import numpy as np

    values = np.sort(to_minutes(durations[metric]).dropna().to_numpy())
    if len(values) <= drop:
        raise ValueError(f"need more than {drop} observed durations, have {len(values)}")
    kept = values[:-drop] if drop else values

    def stats(v: np.ndarray) -> dict[str, float]:
        return {"mean": v.mean(), "median": float(np.median(v)), "p90": float(np.quantile(v, 0.9))}

    table = pd.DataFrame({"all": stats(values), "without longest": stats(kept)})
    table["change"] = table["without longest"] / table["all"] - 1
    return table


def percentile_pitfall(
    durations: pd.DataFrame, *, metric: str = "time_to_recover", percentiles: tuple[int, ...] = (50, 90, 99)
) -> pd.DataFrame:
    """Percentiles by the seed article's index rule beside proper estimators, and the maximum.

    The rule ``sorted(values)[int(len(values) * p / 100)]`` returns the maximum as p99 for any
    sample of 100 or fewer incidents and rounds the median up (statistics.md §4.2).

    Returns
    -------
    DataFrame
        Indexed by method (``int(n*p/100) index``, ``numpy linear``, ``median_unbiased``,
        ``maximum``): one column per percentile (``p50``, ...), minutes; ``incidents``.
    """
    from .stats import to_minutes  # not at the top: review_bounds goes without scipy

    require(durations, DURATIONS, function="percentile_pitfall")
    import numpy as np

    values = np.sort(to_minutes(durations[metric]).dropna().to_numpy())
    n = len(values)
    if n == 0:
        raise ValueError("no observed durations")
    rows = {
        "int(n*p/100) index": {f"p{p}": values[min(int(n * p / 100), n - 1)] for p in percentiles},
        "numpy linear": {f"p{p}": float(np.percentile(values, p)) for p in percentiles},
        "median_unbiased": {
            f"p{p}": float(np.percentile(values, p, method="median_unbiased")) for p in percentiles
        },
        "maximum": dict.fromkeys((f"p{p}" for p in percentiles), values[-1]),
    }
    table = pd.DataFrame(rows).T
    table["incidents"] = n
    return table


def detection_lag(
    incidents: pd.DataFrame,
    *,
    impact: str = "impact_start",
    posted: str = "started_at",
    plausible: pd.Timedelta | str = "7D",
) -> pd.DataFrame:
    """How long before the first public post the impact really began, where a post-mortem says.

    Status pages record when a company *posted*; some post-mortems give the impact window
    (the Statuspage reader keeps it as ``impact_start``). The lag is ``posted − impact``.
    Lags below zero or above ``plausible`` are counted apart as implausible (mis-dated windows).

    Returns
    -------
    DataFrame
        One row: ``incidents``, ``with_window``, ``implausible``, ``median``, ``p25``, ``p75``,
        ``p90`` (minutes, over the plausible lags), ``share_over_30`` (0-1).
    """
    from .stats import to_minutes  # not at the top: review_bounds goes without scipy

    require(incidents, INCIDENTS, function="detection_lag")
    import numpy as np

    if impact not in incidents.columns:
        raise ValueError(f"the incidents have no {impact!r} column (no impact windows in this export)")
    start = pd.to_datetime(incidents[impact], utc=True, errors="coerce")
    lag = to_minutes(incidents[posted] - start).dropna()
    limit = pd.Timedelta(plausible) / pd.Timedelta(minutes=1)
    ok = lag[(lag >= 0) & (lag <= limit)].to_numpy()
    quant = np.quantile(ok, [0.5, 0.25, 0.75, 0.9]) if len(ok) else [np.nan] * 4
    return pd.DataFrame(
        {
            "incidents": [len(incidents)],
            "with_window": [len(lag)],
            "implausible": [len(lag) - len(ok)],
            "median": [quant[0]],
            "p25": [quant[1]],
            "p75": [quant[2]],
            "p90": [quant[3]],
            "share_over_30": [float((ok > 30).mean()) if len(ok) else np.nan],
        }
    )


#: What the review says when an export has no timeline: which exports would give one.
_TIMELINE_EXPORTS = (
    "PagerDuty incidents fetched with their log entries, ServiceNow incident event logs and other "
    "event logs with a support group per event"
)


@dataclass(frozen=True)
class ResponseSection:
    """The review's response-process section, ready to show (see :func:`response_section`).

    ``summary`` is always set; the other parts are None (or empty) where the export does not
    tell, and the review then shows nothing for them.
    """

    summary: Text
    growth: dict[str, pd.DataFrame] = field(default_factory=dict)
    pairs: pd.DataFrame | None = None
    channels: pd.DataFrame | None = None
    untracked: Text | None = None


def _share_words(count: int, total: int) -> str:
    if not count:
        return "none"
    share = count / total if total else 0.0
    percent = "under 1 %" if 0 < share < 0.01 else f"{share:.0%}".replace("%", " %")
    return f"{count:,} ({percent})"


def _times(ratio: float) -> str:
    return f"{ratio:,.0f}" if ratio >= 10 else f"{ratio:.1f}"


def _verdict_words(table: pd.DataFrame, name: str) -> str:
    """One clause on how time to recover goes with ``name`` (a growth_by_count verdict, in words)."""
    row = table.iloc[0]
    verdict = str(row["verdict"])
    low, high = row["ratio_low"], row["ratio_high"]
    interval = (
        f" (incidents with any took {_times(low)}–{_times(high)}× the median of those without, 95 % interval)"
        if np.isfinite(low) and np.isfinite(high)
        else ""
    )
    if verdict.endswith("beyond noise"):
        direction = "longer" if verdict.startswith(("grows", "longer")) else "shorter"
        return f"incidents with {name} take {direction}, beyond noise{interval}"
    if verdict == "not distinguishable from noise":
        return f"the difference {name} make is not distinguishable from noise{interval}"
    return f"whether {name} cost time: {verdict}"


def response_section(
    durations: pd.DataFrame,
    export: str | Path,
    *,
    period: str = "period",
    source: str = "auto",
    tz: str | None = None,
    dayfirst: bool | None = None,
    columns: dict[str, str] | None = None,
    seed: int = 0,
) -> ResponseSection:
    """Hand-overs, escalations, ping-pong, detection channels and untracked time of a review period.

    Reads the timeline of ``export`` (:func:`mttr_lab.read_timeline`, with the options the
    incidents were read with), keeps the events of the period's incidents and runs the
    response-process analyses on them. An export without a timeline gives one sentence naming
    the exports that carry one; a timeline without groups or levels (milestones only) says that
    hand-overs and escalations cannot be counted. Detection channels and untracked time come
    from the incidents themselves and are shown wherever the export records them.

    Parameters
    ----------
    durations : DataFrame
        The period's durations (:func:`period_durations`).
    export : path
        The export the incidents were read from.
    period : str
        The word for the period in sentences (``bounds["period"]``).
    source, tz, dayfirst, columns
        As the incidents were read. With ``columns=`` (a generic export mapped by hand) the
        review does not look for a timeline: its event columns cannot be guessed.

    Returns
    -------
    ResponseSection
        ``summary`` (Markdown), ``growth`` (``"hand-overs"`` / ``"escalations"`` ->
        :func:`mttr_lab.growth_by_count` tables, only those the timeline can count),
        ``pairs`` (the group pairs that bounce incidents most: ``group``, ``handed to, then
        back``, ``incidents``, ``bounces``, ``median time away``, ``total time away``; None when
        no incident went back), ``channels`` (:func:`mttr_lab.channel_summary` columns to show;
        None without channels), ``untracked`` (Markdown; None where no incident records when
        its impact began).
    """
    require(durations, DURATIONS, function="response_section")
    if not isinstance(export, (str, Path)):
        raise InputError(
            "response_section reads the timeline from the export file itself",
            field="export",
            found=type(export).__name__,
            expected="the path the incidents were read from (not a frame)",
        )
    from .narrative import Text
    from .response import channel_summary, growth_by_count, ping_pong_pairs, response_process, untracked_time
    from .timeline import NoTimelineError, read_timeline

    total = len(durations)
    channels = _channels(durations, channel_summary)
    untracked = _untracked(durations, untracked_time)
    missing = (
        f"This export carries no timeline ({_TIMELINE_EXPORTS} do), so the review cannot show "
        "hand-overs, escalations or ping-pong."
    )
    if columns:
        return ResponseSection(Text(missing), channels=channels, untracked=untracked)
    try:
        timeline = read_timeline(export, source=source, tz=tz, dayfirst=dayfirst)
    except NoTimelineError:
        return ResponseSection(Text(missing), channels=channels, untracked=untracked)
    except InputError as exc:
        text = (
            "The export's timeline could not be read, so the review does not show hand-overs, "
            f"escalations or ping-pong: {exc}."
        )
        return ResponseSection(Text(text), channels=channels, untracked=untracked)
    if not total:
        return ResponseSection(Text(f"No incident in this {period}."))
    ids = durations["incident_id"].astype("str")
    events = timeline[timeline["incident_id"].isin(set(ids))]
    followed = events["incident_id"].nunique()
    if not followed:
        text = f"The export's timeline has no events for the incidents of this {period}."
        return ResponseSection(Text(text), channels=channels, untracked=untracked)
    scope = f"The timeline follows {followed:,} of the {total:,} incidents of this {period}"
    has_groups = bool(events["group"].notna().any())
    has_levels = bool(events["level"].notna().any() or events["kind"].astype("str").eq("escalate").any())
    if not has_groups and not has_levels:
        text = (
            f"{scope} ({len(events):,} events), but no event names a group or an escalation level, so "
            f"hand-overs, escalations and ping-pong cannot be counted ({_TIMELINE_EXPORTS} name them)."
        )
        return ResponseSection(Text(text), channels=channels, untracked=untracked)
    process = response_process(events)
    parts, clauses, growth = [], [], {}

    def counted(mask: pd.Series) -> str:
        return _share_words(int(mask.sum()), followed)

    if has_groups:
        parts.append(f"{counted(process['handovers'] > 0)} were handed over at least once")
        growth["hand-overs"] = growth_by_count(durations, process, by="handovers", seed=seed)
        clauses.append(_verdict_words(growth["hand-overs"], "hand-overs"))
    if has_levels:
        parts.append(f"{counted(process['escalations'] > 0)} were escalated at least once")
        growth["escalations"] = growth_by_count(durations, process, by="escalations", seed=seed)
        clauses.append(_verdict_words(growth["escalations"], "escalations"))
    if has_groups:
        parts.append(f"{counted(process['ping_pong'])} went back to a group they had left")
    listed = f"{', '.join(parts[:-1])} and {parts[-1]}" if len(parts) > 1 else parts[0]
    text = f"{scope}: {listed}."
    verdicts = "; ".join(clauses)
    text += f" {verdicts[:1].upper()}{verdicts[1:]}."
    if not has_groups:
        text += " No event names a group, so hand-overs and ping-pong cannot be counted."
    if not has_levels:
        text += " No event records an escalation level, so escalations cannot be counted."
    growth = {k: v for k, v in growth.items() if v["median"].notna().any()}
    pairs = _pairs(ping_pong_pairs(events, top=5)) if has_groups else None
    return ResponseSection(Text(text), growth=growth, pairs=pairs, channels=channels, untracked=untracked)


def _pairs(pairs: pd.DataFrame) -> pd.DataFrame | None:
    if pairs.empty:
        return None
    return pd.DataFrame(
        {
            "group": pairs["from_group"],
            "handed to, then back": pairs["to_group"],
            "incidents": pairs["incidents"].astype("int64"),
            "bounces": pairs["bounces"].astype("int64"),
            "median time away": pd.to_timedelta(pairs["median_minutes"], unit="min"),
            "total time away": pd.to_timedelta(pairs["total_hours"], unit="h"),
        }
    )


def _channels(durations: pd.DataFrame, channel_summary: Callable[..., pd.DataFrame]) -> pd.DataFrame | None:
    if "detection_channel" not in durations.columns or durations["detection_channel"].isna().all():
        return None
    table = channel_summary(durations)
    shown = table[["kind", "count", "share", "median", "median_low", "median_high"]]
    return shown.rename(columns={"kind": "noticed by"})


def _untracked(durations: pd.DataFrame, untracked_time: Callable[..., pd.DataFrame]) -> Text | None:
    from .narrative import Text
    from .units import format_minutes

    if not {"started_at", "detected_at", "recovered_at"} <= set(durations.columns):
        return None
    row = untracked_time(durations).iloc[0]
    if not row["with_impact_start"] or not np.isfinite(row["share_of_outage"]):
        return None
    share = f"{row['share_of_outage']:.0%}".replace("%", " %")
    return Text(
        f"Untracked time: where an incident records when the customer impact began "
        f"({row['with_impact_start']:,} of {row['incidents']:,}), it began "
        f"{format_minutes(row['mean_untracked'])} before detection on average (median "
        f"{format_minutes(row['median_untracked'])}), {share} of the outage customers saw. The times "
        "to recover in this review count from the impact start, so they include it; a time to "
        "recover counted from the first record, as most tools report it, leaves it out."
    )
