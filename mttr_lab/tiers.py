"""Benchmark tiers: where a group's recovery time would sit in a published tier table.

Two tables, each tagged with what it is:

* ``seed_tiers()``: the MTTR table of a popular blog post (the "seed article"), by priority.
  It has **no primary source**: no DORA report year has a "< 30 min for critical incidents"
  tier, and DORA has no severity dimension at all. It is shown for comparison only.
* ``dora_tiers(year)``: the recovery-time clusters of the DORA / Accelerate State of DevOps
  reports 2019, 2021, 2022, 2023 and 2024. They are medians of self-reported answers to a
  survey question with six answer buckets, clustered across respondents, not measured
  durations; from 2023 they cover recovery from a *failed deployment* only.

:func:`assign_tiers` places each row of a :func:`mttr_lab.duration_summary` table: the point
estimate and both ends of its confidence interval, so a group whose interval spans several
tiers is reported as such instead of being given a badge it has not earned.

Boundary rule (both schemes): a value exactly on a boundary belongs to the **better** tier, i.e.
a tier holds ``lower < value <= upper``. The seed article published overlapping ranges
("elite < 30", "high 30–60", "medium 60–240", "needs work > 240"); this rule reads its
"< 30" as "at most 30" and matches its "> 240" literally. A month is taken as 30 days.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from .tier_tables import (
    DORA_YEARS,
    SEED_BOUNDS,
    SEED_DEFINITION,
    SEED_TIER_NAMES,
    dora_tiers,
    seed_tiers,
)
from .units import format_minutes

# seed_tiers and dora_tiers live in tier_tables; named here too (``from mttr_lab.tiers import seed_tiers``).
__all__ = ["assign_tiers", "dora_tiers", "seed_tiers"]


def _severities(summary: pd.DataFrame, level: str) -> list[str | None]:
    if level in summary.columns:
        values = summary[level]
    elif level in (summary.index.names or []):
        values = summary.index.get_level_values(level)
    else:
        raise ValueError(
            f"scheme='seed' picks the priority from each row's severity: expected an index level or "
            f"column {level!r} (pass severity_level= to name another)"
        )
    return [str(s).lower() if pd.notna(s) else None for s in values.to_numpy(dtype=object)]


def _tier_index(values: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Index of the tier holding each value (boundary -> better tier); -1 where NaN.

    ``bounds`` is (rows, k) upper bounds of all tiers but the last.
    """
    with np.errstate(invalid="ignore"):
        index = (bounds < values[:, None]).sum(axis=1)
    return np.where(np.isnan(values) | np.isnan(bounds).any(axis=1), -1, index)


def _labels(index: np.ndarray, names: np.ndarray) -> pd.Series:
    out = np.where(index >= 0, names[np.clip(index, 0, len(names) - 1)], None)
    return pd.Series(out, dtype="str")


class _Scheme(NamedTuple):
    """A benchmark for ``n`` rows: tier names, upper bounds of all tiers but the last (rows, k),
    every tier's published lower and upper bounds, which tiers can be assigned at all, the
    published buckets, the year's note, and the benchmark's name and definition per row."""

    names: np.ndarray
    table: np.ndarray
    lowers: np.ndarray
    uppers: np.ndarray
    assignable: np.ndarray
    buckets: np.ndarray
    year_note: str
    benchmark: list[str]
    definition: list[str]


def _seed_scheme(severity: list[str | None], notes: list[list[str]]) -> _Scheme:
    """The seed article's tiers, the priority picked by each row's severity."""
    n = len(severity)
    names = np.array(SEED_TIER_NAMES, dtype=object)
    table = np.array([SEED_BOUNDS.get(s, (np.nan,) * 3) for s in severity], dtype=float).reshape(n, 3)
    for i, s in enumerate(severity):
        if s == "low":
            notes[i].append("the blog table has no low-severity row")
        elif s is None:
            notes[i].append("no severity for this group: the blog table needs one")
        elif s not in SEED_BOUNDS:
            notes[i].append(f"severity {s!r} is not in the blog table (critical, high, medium)")
    return _Scheme(
        names=names,
        table=table,
        lowers=np.column_stack([np.zeros(n), table]),
        uppers=np.column_stack([table, np.full(n, np.inf)]),
        assignable=np.ones((n, 4), dtype=bool),
        buckets=names,  # the seed ranges are contiguous: a point never falls between them
        year_note="",
        benchmark=["seed article: " + s if s in SEED_BOUNDS else "seed article" for s in severity],
        definition=[SEED_DEFINITION] * n,
    )


def _dora_scheme(year: int, notes: list[list[str]]) -> _Scheme:
    """The DORA clusters of ``year``, the same for every row."""
    n = len(notes)
    tiers = dora_tiers(year)
    up = tiers["upper_minutes"].to_numpy(dtype=float)
    # A tier is assignable when its threshold exceeds the previous one (2019/2024 high = medium).
    cut = np.concatenate([[-np.inf], up[:-1], [np.inf]])
    assignable = np.tile(cut[1:] > cut[:-1], (n, 1))
    assignable[:, -1] = True
    if year >= 2023:
        for i in range(n):
            notes[i].append(
                "DORA tiers are for failed-deployment recovery since 2023: comparable only with "
                "incidents caused by a change"
            )
    return _Scheme(
        names=tiers["tier"].to_numpy(dtype=object),
        table=np.tile(up[:-1], (n, 1)),
        lowers=np.tile(tiers["lower_minutes"].to_numpy(dtype=float), (n, 1)),
        uppers=np.tile(up, (n, 1)),
        assignable=assignable,
        buckets=tiers["bucket"].to_numpy(dtype=object),
        year_note=tiers["year_note"].iloc[0],
        benchmark=[f"DORA {year}"] * n,
        definition=[tiers["definition"].iloc[0]] * n,
    )


def _notes(
    i: int,
    *,
    statistic: str,
    point: float,
    interval: tuple[float, float] | None,
    in_bucket: bool,
    n_tiers: int,
    placed: list[str],
    count: object,
    opened: object,
    bucket: str,
    year_note: str,
) -> list[str]:
    """Why the tier of one placeable row is missing or uncertain."""
    if np.isnan(point):
        return [f"no {statistic} for this group"]
    notes = []
    if not in_bucket:
        notes.append(
            f"{format_minutes(point)} lies between published buckets: nearest tier by upper bounds {bucket}"
        )
    if interval is None:
        notes.append(f"no interval: the summary has no {statistic}_low/{statistic}_high")
    elif np.isnan(interval[0]) or np.isnan(interval[1]):
        size = (
            f": {int(count)} incident{'' if int(count) == 1 else 's'}"
            if count is not None and pd.notna(count)
            else ""
        )
        notes.append(f"no interval (too few incidents{size})")
    elif n_tiers >= 3:
        notes.append(f"interval spans {n_tiers} tiers: the data cannot place this group")
    elif n_tiers == 2:
        notes.append("interval spans 2 tiers: the tier is uncertain")
    if year_note and "high" in placed:
        notes.append(year_note)
    if opened is not None and not statistic.startswith("km_") and pd.notna(opened) and opened > 0:
        notes.append(f"{int(opened)} open incident(s) not in {statistic}; km_median includes them")
    return notes


def _values(summary: pd.DataFrame, statistic: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, bool]:
    """The point estimates, the interval ends (NaN without them) and whether the summary has them."""

    def column(name: str) -> np.ndarray:
        return pd.to_numeric(summary[name], errors="coerce").to_numpy(dtype=float)

    has_interval = f"{statistic}_low" in summary.columns and f"{statistic}_high" in summary.columns
    if not has_interval:
        nothing = np.full(len(summary), np.nan)
        return column(statistic), nothing, nothing, False
    return column(statistic), column(f"{statistic}_low"), column(f"{statistic}_high"), True


def _spans(
    bench: _Scheme, point: np.ndarray, tier_i: np.ndarray, best_i: np.ndarray, worst_i: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which rows have an interval placed, how many assignable tiers it spans, and whether the
    point lies inside its tier's published range (DORA buckets can leave gaps)."""
    rows = np.arange(len(point))
    steps = np.cumsum(bench.assignable, axis=1)
    ok = (best_i >= 0) & (worst_i >= 0)
    n_tiers = np.where(
        ok,
        steps[rows, np.clip(worst_i, 0, None)] - steps[rows, np.clip(best_i, 0, None)] + 1,
        0,
    )
    in_bucket = np.ones(len(point), dtype=bool)
    has_point = tier_i >= 0
    ti = np.clip(tier_i, 0, None)
    with np.errstate(invalid="ignore"):
        lo_b, hi_b = bench.lowers[rows, ti], bench.uppers[rows, ti]
        inside = ((point > lo_b) | (lo_b == 0)) & (point <= hi_b)
    in_bucket[has_point] = inside[has_point]
    return ok, n_tiers, in_bucket


def assign_tiers(
    summary: pd.DataFrame,
    *,
    scheme: str = "seed",
    year: int | None = None,
    statistic: str = "median",
    severity_level: str | None = None,
) -> pd.DataFrame:
    """Place each group of a duration summary in a benchmark tier, interval ends included.

    The point estimate ``<statistic>`` gives ``tier``; the interval ends ``<statistic>_low`` and
    ``<statistic>_high`` give ``tier_best`` and ``tier_worst``. A value on a boundary belongs to
    the better tier. The summary is not recomputed: pass any table with those columns in
    minutes (e.g. :func:`mttr_lab.duration_summary` output).

    Parameters
    ----------
    summary : DataFrame
        One row per group with ``<statistic>`` (minutes) and, ideally, ``<statistic>_low`` and
        ``<statistic>_high``; ``count`` and ``open`` are used for notes when present.
    scheme : {"seed", "dora"}
        ``"seed"``: the seed article's table (no primary source), the row's severity picking
        the priority; low severity gets no tier. ``"dora"``: the DORA clusters of ``year``.
    year : int, optional
        DORA report year (2019, 2021, 2022, 2023, 2024); the latest, 2024, when omitted.
        Only for ``scheme="dora"``.
    statistic : str
        Column to place: ``median`` (default), ``km_median``, ``p90``, ``geomean``, ``mean``, ...
    severity_level : str, optional
        Index level or column holding the severity (default ``"severity"``); seed scheme only.

    Returns
    -------
    DataFrame
        Indexed like ``summary``: ``count`` (when present), ``<statistic>``,
        ``<statistic>_low``, ``<statistic>_high`` (minutes), ``benchmark`` (e.g.
        ``"seed article: critical"``, ``"DORA 2024"``), ``tier``, ``tier_best``,
        ``tier_worst``, ``tiers_spanned`` (e.g. ``"elite–medium"``), ``n_tiers`` (tiers the
        interval spans), ``definition`` and ``note`` (why a tier is missing or uncertain).
    """
    if not isinstance(summary, pd.DataFrame):
        raise ValueError(f"summary must be a DataFrame, not {type(summary).__name__}")
    if scheme not in ("seed", "dora"):
        raise ValueError(f"scheme must be 'seed' or 'dora', not {scheme!r}")
    if statistic not in summary.columns:
        raise ValueError(
            f"statistic={statistic!r} is not a column of the summary; expected one of "
            f"{', '.join(c for c in summary.columns if f'{c}_low' in summary.columns) or 'median, p90, ...'}"
        )
    n = len(summary)
    point, low, high, has_interval = _values(summary, statistic)
    notes: list[list[str]] = [[] for _ in range(n)]

    if scheme == "seed":
        if year is not None:
            raise ValueError("year= applies to scheme='dora' only; the seed table has no year")
        bench = _seed_scheme(_severities(summary, severity_level or "severity"), notes)
    else:
        bench = _dora_scheme(DORA_YEARS[-1] if year is None else year, notes)
    names, table = np.asarray(bench.names, dtype=object), bench.table

    tier_i = _tier_index(point, table)
    best_i = _tier_index(low, table)
    worst_i = _tier_index(high, table)

    ok, n_tiers, in_bucket = _spans(bench, point, tier_i, best_i, worst_i)

    counts = summary["count"].to_numpy() if "count" in summary.columns else None
    opens = summary["open"].to_numpy() if "open" in summary.columns else None
    placeable = ~np.isnan(table).any(axis=1)  # False for a seed row without a priority
    for i in np.flatnonzero(placeable):  # notes only: the tiers themselves are computed above, vectorised
        notes[i].extend(
            _notes(
                i,
                statistic=statistic,
                point=point[i],
                interval=(low[i], high[i]) if has_interval else None,
                in_bucket=bool(in_bucket[i]),
                n_tiers=int(n_tiers[i]),
                placed=[names[j] for j in (tier_i[i], best_i[i], worst_i[i]) if j >= 0],
                count=counts[i] if counts is not None else None,
                opened=opens[i] if opens is not None else None,
                bucket=f"({names[tier_i[i]]} is '{bench.buckets[tier_i[i]]}')",
                year_note=bench.year_note,
            )
        )

    return _tier_frame(
        summary,
        statistic,
        (point, low, high),
        bench,
        [_labels(i, names) for i in (tier_i, best_i, worst_i)],
        ok=ok,
        n_tiers=n_tiers,
        notes=notes,
    )


def _tier_frame(
    summary: pd.DataFrame,
    statistic: str,
    values: tuple[np.ndarray, np.ndarray, np.ndarray],
    bench: _Scheme,
    labels: list[pd.Series],
    *,
    ok: np.ndarray,
    n_tiers: np.ndarray,
    notes: list[list[str]],
) -> pd.DataFrame:
    """The table :func:`assign_tiers` returns, indexed like ``summary``."""
    point, low, high = values
    tier, best, worst = labels
    spanned = np.where(
        ok,
        np.where(best.to_numpy() == worst.to_numpy(), best.to_numpy(dtype=object), best + "–" + worst),
        None,
    )
    out = pd.DataFrame(index=summary.index)
    if "count" in summary.columns:
        out["count"] = summary["count"]
    out[statistic] = point
    out[f"{statistic}_low"] = low
    out[f"{statistic}_high"] = high
    out["benchmark"] = pd.Series(bench.benchmark, index=summary.index, dtype="str")
    out["tier"] = tier.to_numpy()
    out["tier_best"] = best.to_numpy()
    out["tier_worst"] = worst.to_numpy()
    out["tiers_spanned"] = pd.Series(spanned, index=summary.index, dtype="str")
    out["n_tiers"] = pd.array(np.where(ok, n_tiers, 0), dtype="Int64")
    out.loc[~ok, "n_tiers"] = pd.NA
    out["definition"] = pd.Series(bench.definition, index=summary.index, dtype="str")
    out["note"] = pd.Series(["; ".join(x) for x in notes], index=summary.index, dtype="str")
    if "confidence" in summary.attrs:  # the level of the intervals placed, for labels
        out.attrs["confidence"] = summary.attrs["confidence"]
    return out
