"""The published tier tables: the seed article's by priority and DORA's clusters by report year.

* ``seed_tiers()``: the MTTR table of a popular blog post (the "seed article"), by priority.
  It has **no primary source**: no DORA report year has a "< 30 min for critical incidents"
  tier, and DORA has no severity dimension at all. It is shown for comparison only.
* ``dora_tiers(year)``: the recovery-time clusters of the DORA / Accelerate State of DevOps
  reports 2019, 2021, 2022, 2023 and 2024. They are medians of self-reported answers to a
  survey question with six answer buckets, clustered across respondents, not measured
  durations; from 2023 they cover recovery from a *failed deployment* only.

:mod:`mttr_lab.tiers` places a summary in them. A month is taken as 30 days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "DORA_TIER_NAMES",
    "DORA_YEARS",
    "SEED_BOUNDS",
    "SEED_DEFINITION",
    "SEED_TIER_NAMES",
    "dora_tiers",
    "seed_tiers",
]

_HOUR = 60.0
_DAY = 24 * _HOUR
_WEEK = 7 * _DAY
_MONTH = 30 * _DAY
_INF = np.inf

SEED_TIER_NAMES: tuple[str, ...] = ("elite", "high", "medium", "needs work")
DORA_TIER_NAMES: tuple[str, ...] = ("elite", "high", "medium", "low")

#: Seed article: priority -> upper bounds (minutes) of elite, high and medium.
SEED_BOUNDS: dict[str, tuple[float, float, float]] = {
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
        "2022 had no elite cluster: values under an hour are labelled high (its bucket, '< 1 day', "
        "has no lower end)",
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
    for priority, (a, b, c) in SEED_BOUNDS.items():
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
        answer, e.g. ``"< 1 day"``), ``lower_minutes``, ``upper_minutes`` (the bucket's bounds;
        the best cluster of a year starts at 0, so in 2022, without an elite cluster, "high"
        holds values under an hour too),
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
            if rank == 0:  # the best cluster has no lower end: "< 1 day" in 2022 holds 49 min too
                lower = 0.0
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
