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

import numpy as np
import pandas as pd

from .units import format_minutes

__all__ = ["assign_tiers", "dora_tiers", "seed_tiers"]

_HOUR = 60.0
_DAY = 24 * _HOUR
_WEEK = 7 * _DAY
_MONTH = 30 * _DAY
_INF = np.inf

SEED_TIER_NAMES: tuple[str, ...] = ("elite", "high", "medium", "needs work")
DORA_TIER_NAMES: tuple[str, ...] = ("elite", "high", "medium", "low")

#: Seed article: priority -> upper bounds (minutes) of elite, high and medium.
_SEED_BOUNDS: dict[str, tuple[float, float, float]] = {
    "critical": (30.0, 60.0, 240.0),
    "high": (60.0, 240.0, 480.0),
    "medium": (240.0, 480.0, 1440.0),
}

SEED_DEFINITION = (
    "seed article's own MTTR table (a popular blog post), not DORA: no primary source; no DORA "
    "year has a '< 30 min for critical incidents' tier and DORA has no severity dimension; "
    "shown for comparison only"
)

_SURVEY_CAVEAT = (
    "medians of self-reported survey buckets (six answer buckets), clustered across respondents; "
    "not measured durations"
)
_RESTORE = (
    "time to restore service: how long it generally takes to restore service when a service "
    "incident or a defect that impacts users occurs"
)
_FDRT = (
    "failed deployment recovery time: recovery after a change to production or a release to users "
    "results in degraded service and requires remediation"
)

#: Survey answer buckets: label -> (lower, upper) in minutes.
_BUCKETS: dict[str, tuple[float, float]] = {
    "< 1 hour": (0.0, _HOUR),
    "< 1 day": (_HOUR, _DAY),
    "1 day – 1 week": (_DAY, _WEEK),
    "1 week – 1 month": (_WEEK, _MONTH),
    "1 month – 6 months": (_MONTH, 6 * _MONTH),
    "> 6 months": (6 * _MONTH, _INF),
}

# year -> (metric name, definition, source, [(tier, bucket, share), ...] best first, year note)
_DORA: dict[int, tuple[str, str, str, list[tuple[str, str, float]], str]] = {
    2019: (
        "time to restore service",
        _RESTORE,
        "2019 Accelerate State of DevOps report, p. 18 (primary)",
        [
            ("elite", "< 1 hour", 0.20),
            ("high", "< 1 day", 0.23),
            ("medium", "< 1 day", 0.44),
            ("low", "1 week – 1 month", 0.12),
        ],
        "high and medium share the '< 1 day' bucket: values under a day are labelled high",
    ),
    2021: (
        "time to restore service",
        _RESTORE,
        "2021 Accelerate State of DevOps report, p. 9 (primary)",
        [
            ("elite", "< 1 hour", 0.26),
            ("high", "< 1 day", 0.40),
            ("medium", "1 day – 1 week", 0.28),
            ("low", "> 6 months", 0.07),
        ],
        "",
    ),
    2022: (
        "time to restore service",
        _RESTORE,
        "2022 report via Octopus Deploy's tables (secondary)",
        [("high", "< 1 day", 0.11), ("medium", "1 day – 1 week", 0.69), ("low", "1 week – 1 month", 0.19)],
        "2022 had no elite cluster",
    ),
    2023: (
        "failed deployment recovery time",
        _FDRT,
        "2023 report: elite row from the official infographic (primary), others via Octopus Deploy "
        "(secondary); the low share is 18% per Octopus, possibly 17%",
        [
            ("elite", "< 1 hour", 0.18),
            ("high", "< 1 day", 0.31),
            ("medium", "1 day – 1 week", 0.33),
            ("low", "1 month – 6 months", 0.18),
        ],
        "",
    ),
    2024: (
        "failed deployment recovery time",
        _FDRT,
        "2024 report via Octopus Deploy's tables (secondary); shares sum to 101% by rounding",
        [
            ("elite", "< 1 hour", 0.19),
            ("high", "< 1 day", 0.22),
            ("medium", "< 1 day", 0.35),
            ("low", "1 week – 1 month", 0.25),
        ],
        "high and medium share the '< 1 day' bucket: values under a day are labelled high",
    ),
}
DORA_YEARS: tuple[int, ...] = tuple(_DORA)


def seed_tiers() -> pd.DataFrame:
    """The seed article's MTTR tiers by priority (no primary source; for comparison only).

    A tier holds ``lower_minutes < value <= upper_minutes`` (a value on a boundary belongs to
    the better tier); ``elite`` starts at 0 inclusive. The table has no row for low severity.

    Returns
    -------
    DataFrame
        One row per priority and tier: ``priority`` (critical, high, medium), ``tier`` (elite,
        high, medium, needs work), ``rank`` (0 = best), ``published`` (the range as published),
        ``lower_minutes``, ``upper_minutes`` (float, ``inf`` for needs work), ``definition``.
    """
    rows = []
    for priority, (a, b, c) in _SEED_BOUNDS.items():
        lowers = (0.0, a, b, c)
        uppers = (a, b, c, _INF)
        published = (f"< {a:g}", f"{a:g}–{b:g}", f"{b:g}–{c:g}", f"> {c:g}")
        for rank, tier in enumerate(SEED_TIER_NAMES):
            rows.append(
                {
                    "priority": priority,
                    "tier": tier,
                    "rank": rank,
                    "published": published[rank] + " min",
                    "lower_minutes": lowers[rank],
                    "upper_minutes": uppers[rank],
                    "definition": SEED_DEFINITION,
                }
            )
    return pd.DataFrame(rows)


def dora_tiers(year: int | None = None) -> pd.DataFrame:
    """DORA recovery-time clusters per report year (survey medians, not measured MTTRs).

    Parameters
    ----------
    year : int, optional
        One of 2019, 2021, 2022, 2023, 2024; all years when omitted. (2020 had no report; 2025
        replaced the tiers by team profiles.)

    Returns
    -------
    DataFrame
        One row per year and cluster, best first: ``year``, ``tier`` (elite, high, medium, low;
        2022 has no elite), ``rank`` (0 = best within the year), ``bucket`` (the median survey
        answer, e.g. ``"< 1 day"``), ``lower_minutes``, ``upper_minutes`` (the bucket's bounds),
        ``share`` (fraction of respondents in the cluster), ``metric_name`` ("time to restore
        service" to 2022, "failed deployment recovery time" from 2023), ``definition``,
        ``caveat`` (survey buckets, not measurements), ``source``, ``year_note``.
    """
    if year is None:
        years = list(DORA_YEARS)
    elif year in _DORA:
        years = [int(year)]
    else:
        raise ValueError(f"year must be one of {', '.join(map(str, DORA_YEARS))} (or None), not {year!r}")
    rows = []
    for y in years:
        name, definition, source, clusters, note = _DORA[y]
        for rank, (tier, bucket, share) in enumerate(clusters):
            lower, upper = _BUCKETS[bucket]
            rows.append(
                {
                    "year": y,
                    "tier": tier,
                    "rank": rank,
                    "bucket": bucket,
                    "lower_minutes": lower,
                    "upper_minutes": upper,
                    "share": share,
                    "metric_name": name,
                    "definition": f"DORA {y} '{name}' ({definition}): {_SURVEY_CAVEAT}",
                    "caveat": _SURVEY_CAVEAT,
                    "source": source,
                    "year_note": note,
                }
            )
    return pd.DataFrame(rows)


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
    point = pd.to_numeric(summary[statistic], errors="coerce").to_numpy(dtype=float)
    has_interval = f"{statistic}_low" in summary.columns and f"{statistic}_high" in summary.columns
    if has_interval:
        low = pd.to_numeric(summary[f"{statistic}_low"], errors="coerce").to_numpy(dtype=float)
        high = pd.to_numeric(summary[f"{statistic}_high"], errors="coerce").to_numpy(dtype=float)
    else:
        low = high = np.full(n, np.nan)
    notes: list[list[str]] = [[] for _ in range(n)]

    if scheme == "seed":
        if year is not None:
            raise ValueError("year= applies to scheme='dora' only; the seed table has no year")
        severity = _severities(summary, severity_level or "severity")
        names = np.array(SEED_TIER_NAMES, dtype=object)
        table = np.array([_SEED_BOUNDS.get(s, (np.nan,) * 3) for s in severity], dtype=float).reshape(n, 3)
        lowers = np.column_stack([np.zeros(n), table])
        uppers = np.column_stack([table, np.full(n, _INF)])
        assignable = np.ones((n, 4), dtype=bool)
        buckets = names  # the seed ranges are contiguous: a point never falls between them
        year_note = ""
        benchmark = ["seed article: " + s if s in _SEED_BOUNDS else "seed article" for s in severity]
        definition = [SEED_DEFINITION] * n
        for i, s in enumerate(severity):
            if s == "low":
                notes[i].append("the blog table has no low-severity row")
            elif s is None:
                notes[i].append("no severity for this group: the blog table needs one")
            elif s not in _SEED_BOUNDS:
                notes[i].append(f"severity {s!r} is not in the blog table (critical, high, medium)")
    else:
        if year is None:
            year = DORA_YEARS[-1]
        tiers = dora_tiers(year)
        names = tiers["tier"].to_numpy(dtype=object)
        up = tiers["upper_minutes"].to_numpy(dtype=float)
        table = np.tile(up[:-1], (n, 1))
        lowers = np.tile(tiers["lower_minutes"].to_numpy(dtype=float), (n, 1))
        uppers = np.tile(up, (n, 1))
        # A tier is assignable when its threshold exceeds the previous one (2019/2024 high = medium).
        cut = np.concatenate([[-_INF], up[:-1], [_INF]])
        assignable = np.tile(cut[1:] > cut[:-1], (n, 1))
        assignable[:, -1] = True
        benchmark = [f"DORA {year}"] * n
        definition = [tiers["definition"].iloc[0]] * n
        buckets = tiers["bucket"].to_numpy(dtype=object)
        year_note = tiers["year_note"].iloc[0]
        if year >= 2023:
            for i in range(n):
                notes[i].append(
                    "DORA tiers are for failed-deployment recovery since 2023: comparable only with "
                    "incidents caused by a change"
                )

    tier_i = _tier_index(point, table)
    best_i = _tier_index(low, table)
    worst_i = _tier_index(high, table)
    names = np.asarray(names, dtype=object)

    # Tiers spanned by the interval, counting only tiers that can be assigned at all.
    rows = np.arange(n)
    steps = np.cumsum(assignable, axis=1)
    ok = (best_i >= 0) & (worst_i >= 0)
    n_tiers = np.where(
        ok,
        steps[rows, np.clip(worst_i, 0, None)] - steps[rows, np.clip(best_i, 0, None)] + 1,
        0,
    )
    # Is the point inside its tier's published range (DORA buckets can leave gaps)?
    in_bucket = np.ones(n, dtype=bool)
    has_point = tier_i >= 0
    ti = np.clip(tier_i, 0, None)
    with np.errstate(invalid="ignore"):
        lo_b, hi_b = lowers[rows, ti], uppers[rows, ti]
        inside = ((point > lo_b) | (lo_b == 0)) & (point <= hi_b)
    in_bucket[has_point] = inside[has_point]

    counts = summary["count"].to_numpy() if "count" in summary.columns else None
    opens = summary["open"].to_numpy() if "open" in summary.columns else None
    placeable = ~np.isnan(table).any(axis=1)  # False for a seed row without a priority
    for i in range(n):  # notes only: the tiers themselves are computed above, vectorised
        if not placeable[i]:
            continue
        if np.isnan(point[i]):
            notes[i].append(f"no {statistic} for this group")
            continue
        if not in_bucket[i]:
            notes[i].append(
                f"{format_minutes(point[i])} lies between published buckets: nearest tier by upper bounds "
                f"({names[tier_i[i]]} is '{buckets[tier_i[i]]}')"
            )
        if not has_interval:
            notes[i].append(f"no interval: the summary has no {statistic}_low/{statistic}_high")
        elif np.isnan(low[i]) or np.isnan(high[i]):
            size = (
                f": {int(counts[i])} incident{'' if int(counts[i]) == 1 else 's'}"
                if counts is not None and pd.notna(counts[i])
                else ""
            )
            notes[i].append(f"no interval (too few incidents{size})")
        elif n_tiers[i] >= 3:
            notes[i].append(f"interval spans {n_tiers[i]} tiers: the data cannot place this group")
        elif n_tiers[i] == 2:
            notes[i].append("interval spans 2 tiers: the tier is uncertain")
        if year_note and "high" in {names[j] for j in (tier_i[i], best_i[i], worst_i[i]) if j >= 0}:
            notes[i].append(year_note)
        if opens is not None and not statistic.startswith("km_") and pd.notna(opens[i]) and opens[i] > 0:
            notes[i].append(f"{int(opens[i])} open incident(s) not in {statistic}; km_median includes them")

    tier = _labels(tier_i, names)
    best = _labels(best_i, names)
    worst = _labels(worst_i, names)
    spanned = np.where(ok, np.where(best_i == worst_i, best.to_numpy(dtype=object), best + "–" + worst), None)
    out = pd.DataFrame(index=summary.index)
    if counts is not None:
        out["count"] = summary["count"]
    out[statistic] = point
    out[f"{statistic}_low"] = low
    out[f"{statistic}_high"] = high
    out["benchmark"] = pd.Series(benchmark, index=summary.index, dtype="str")
    out["tier"] = tier.to_numpy()
    out["tier_best"] = best.to_numpy()
    out["tier_worst"] = worst.to_numpy()
    out["tiers_spanned"] = pd.Series(spanned, index=summary.index, dtype="str")
    out["n_tiers"] = pd.array(np.where(ok, n_tiers, 0), dtype="Int64")
    out.loc[~ok, "n_tiers"] = pd.NA
    out["definition"] = pd.Series(definition, index=summary.index, dtype="str")
    out["note"] = pd.Series(["; ".join(x) for x in notes], index=summary.index, dtype="str")
    if "confidence" in summary.attrs:  # the level of the intervals placed, for labels
        out.attrs["confidence"] = summary.attrs["confidence"]
    return out
