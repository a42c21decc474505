"""Tables for a periodic review: its severity mix, its slowest incidents, tables ready to show.

The review's period is :mod:`mttr_lab.review_periods`, its response-process section
:mod:`mttr_lab.review_response`; their public names are importable from here too.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .frames import DURATIONS, FINDINGS, INCIDENTS, require, require_row, require_table
from .review_periods import period_durations, quarter_bounds, review_bounds
from .review_response import ResponseSection, response_section
from .schema import SEVERITIES, InputError
from .units import VIEWS, shown_notes

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
    "serious_findings",
    "severity_mix",
    "slowest_incidents",
    "tidy",
]


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
    require_row(
        bounds,
        function="quarter_table",
        expected="the bounds of review_bounds(durations)",
        labels=("label", "start", "end", "previous_label", "previous_start", "previous_end"),
    )
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
        significant digits), NA index labels shown as ``no severity``, ``no service``... (after
        the index's name; ``none`` without one), and ``note`` keeping only the remarks about
        columns the table shows ("" where there is none).
    """
    require_table(table, function="tidy", expected="a table (a DataFrame)", frames_too=True)
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
    if "note" in out.columns:  # nothing noted reads as nothing, never <NA>
        notes = [shown_notes(note, out.columns) for note in out["note"]]
        out["note"] = pd.Series(
            [note if isinstance(note, str) else "" for note in notes], index=out.index, dtype="str"
        )

    def name(value: object, level: str | None) -> object:
        if (isinstance(value, float) and pd.isna(value)) or value is None or value is pd.NA:
            return f"no {str(level).replace('_', ' ')}" if level else "none"  # as readable() says it
        return value

    if isinstance(out.index, pd.MultiIndex):
        out.index = pd.MultiIndex.from_tuples(
            [tuple(name(v, lvl) for v, lvl in zip(key, out.index.names, strict=True)) for key in out.index],
            names=out.index.names,
        )
    else:
        out.index = pd.Index([name(v, out.index.name) for v in out.index], name=out.index.name)
    return out


def serious_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings a reader must see: errors first, then what is said of the whole export (a
    finding without an incident, such as an export chosen by resolution date), then record by
    record, each group in the order :func:`mttr_lab.check_incidents` gives.

    Returns
    -------
    DataFrame
        The ``warning`` and ``error`` rows: ``level``, ``incident_id``, ``record``, ``column``,
        ``problem``, ``action``; a fresh index.
    """
    require_table(
        findings,
        function="serious_findings",
        expected=FINDINGS,
        columns=("level", "incident_id", "record", "column", "problem", "action"),
    )
    shown = findings.loc[
        findings["level"] != "info", ["level", "incident_id", "record", "column", "problem", "action"]
    ]
    return shown.sort_values(
        ["level", "incident_id"],
        key=lambda column: column != "error" if column.name == "level" else column.notna(),
        kind="stable",
    ).reset_index(drop=True)


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
        Indexed by method, in words a reader of the table understands: ``index rule`` (the
        seed article's ``sorted(values)[int(n * p / 100)]``), ``linear (numpy's default)``,
        ``median-unbiased`` (numpy's ``method="median_unbiased"``) and ``maximum``; one column
        per percentile (``p50``, ...), minutes; ``incidents``.
    """
    from .stats import to_minutes  # not at the top: review_bounds goes without scipy

    require(durations, DURATIONS, function="percentile_pitfall")
    import numpy as np

    values = np.sort(to_minutes(durations[metric]).dropna().to_numpy())
    n = len(values)
    if n == 0:
        raise ValueError("no observed durations")
    rows = {
        "index rule": {f"p{p}": values[min(int(n * p / 100), n - 1)] for p in percentiles},
        "linear (numpy's default)": {f"p{p}": float(np.percentile(values, p)) for p in percentiles},
        "median-unbiased": {
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
    posted: str = "detected_at",
    plausible: pd.Timedelta | str = "7D",
) -> pd.DataFrame:
    """How long before the first public post the impact really began, where a post-mortem says.

    Status pages record when a company *posted*; some post-mortems give the impact window
    (the Statuspage reader keeps it as ``impact_start``, and starts the clock there). The lag
    is ``posted − impact``, ``posted`` being the first post (``detected_at``).
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
