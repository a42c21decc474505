"""Is the hour-of-day (or hour-of-week) pattern of incidents more than noise? :func:`hour_uniformity_test`.

Counts per local hour (or hour of the week) of a frame from :func:`~mttr_lab.with_calendar`
against counts proportional to each cell's exposure in the observed span
(:mod:`mttr_lab.exposure`), with a Monte Carlo p-value where the chi-square one is unreliable.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats as sps

from .exposure import cell_counts, counted, exposure_hours
from .periods import DateLike

__all__ = ["hour_uniformity_test"]

_BY = ("hour", "hour_of_week")


def hour_uniformity_test(
    calendar_frame: pd.DataFrame,
    *,
    by: Literal["hour", "hour_of_week"] = "hour",
    alpha: float = 0.05,
    start: DateLike = None,
    end: DateLike = None,
    simulations: int = 20_000,
    seed: int = 0,
) -> pd.DataFrame:
    """Is the hour-of-day (or hour-of-week) pattern distinguishable from a constant rate?

    A chi-square goodness-of-fit test (:func:`scipy.stats.chisquare`) of the incident counts
    per local hour (24 cells) or per hour of the week (168 cells) against counts proportional
    to each cell's exposure in the observed span (equal cells, apart from daylight-saving days
    and, for ``hour_of_week``, weekdays that occur more often in a span of partial weeks).
    When an expected count is under 5 the chi-square approximation is unreliable: a Monte Carlo
    p-value from ``simulations`` multinomial draws under the null (seeded) is reported as well,
    and the verdict uses it.

    Parameters
    ----------
    calendar_frame : DataFrame
        The output of :func:`with_calendar`.
    by : {"hour", "hour_of_week"}
        The cells: hours of the day, or hours of the week.
    alpha : float
        Significance level of the verdict.
    start, end : date, optional
        Local dates of the observed span (inclusive); default the first and last local date of
        the data. Incidents outside the span are not counted.
    simulations : int
        Multinomial draws for the Monte Carlo p-value.
    seed : int
        Seed of the Monte Carlo draws.

    Returns
    -------
    DataFrame
        One row: ``test``, ``statistic``, ``dof``, ``p_value`` (chi-square), ``mc_p_value``
        (Monte Carlo, NaN when every expected count is at least 5), ``n`` (incidents counted),
        ``cells``, ``min_expected``, ``verdict`` (``"hour pattern distinguishable from uniform"``
        or ``"not distinguishable from uniform at the 5 % level"``; NA without incidents) and
        ``note`` (why a p-value is Monte Carlo or missing; NA otherwise).
    """
    if by not in _BY:
        raise ValueError(f"by must be 'hour' or 'hour_of_week', not {by!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, not {alpha!r}")
    if isinstance(simulations, bool) or not isinstance(simulations, (int, np.integer)) or simulations < 100:
        raise ValueError(f"simulations must be an integer of at least 100, not {simulations!r}")
    caller = "hour_uniformity_test"
    label = "hour of day" if by == "hour" else "hour of week"
    rows, first, last, zone = counted(calendar_frame, start, end, caller)
    row = {"test": f"chi-square goodness of fit, {label}", "statistic": np.nan, "dof": pd.NA}
    row.update(p_value=np.nan, mc_p_value=np.nan, n=0, cells=24 if by == "hour" else 168)
    row.update(min_expected=np.nan, verdict=pd.NA)
    if rows.empty:
        return _one_row({**row, "note": "no incidents with a local time in the span: nothing to test"})

    observed, exposure = _cells(cell_counts(rows).astype(float), exposure_hours(first, last, zone), by)
    n = int(observed.sum())
    probs = exposure / exposure.sum()
    expected = n * probs
    result = sps.chisquare(observed, expected)
    statistic, p_value = float(result.statistic), float(result.pvalue)
    min_expected = float(expected.min())

    mc_p_value, note = np.nan, pd.NA
    if min_expected < 5:
        mc_p_value = _monte_carlo_p(statistic, n, probs, simulations=simulations, seed=seed)
        note = (
            f"expected counts under 5 in {int((expected < 5).sum())} of {len(expected)} cells "
            f"(min {min_expected:.2g}): the chi-square p-value is unreliable; the verdict uses the "
            f"Monte Carlo p-value ({simulations:,} multinomial draws, seed {seed})"
        )
    decisive = p_value if np.isnan(mc_p_value) else mc_p_value
    pattern = "hour pattern" if by == "hour" else "hour-of-week pattern"
    verdict = (
        f"{pattern} distinguishable from uniform"
        if decisive < alpha
        else f"not distinguishable from uniform at the {100 * alpha:g} % level"
    )
    row.update(statistic=statistic, dof=len(expected) - 1, p_value=p_value, mc_p_value=mc_p_value, n=n)
    row.update(cells=len(expected), min_expected=min_expected, verdict=verdict, note=note)
    return _one_row(row)


def _one_row(values: dict) -> pd.DataFrame:
    out = pd.DataFrame([values])
    out["dof"] = out["dof"].astype("Int64")
    out["n"] = out["n"].astype("int64")
    out["cells"] = out["cells"].astype("int64")
    for col in ("test", "verdict", "note"):
        out[col] = out[col].astype("str")
    return out


def _cells(observed: np.ndarray, exposure: np.ndarray, by: str) -> tuple[np.ndarray, np.ndarray]:
    """Counts and exposure per cell of ``by`` (24 x 7 arrays summed to hours, or flattened),
    without the cells the span never had."""
    if by == "hour":
        observed, exposure = observed.sum(axis=1), exposure.sum(axis=1)
    else:
        observed, exposure = observed.ravel(), exposure.ravel()
    used = exposure > 0
    return observed[used], exposure[used]


def _monte_carlo_p(statistic: float, n: int, probs: np.ndarray, *, simulations: int, seed: int) -> float:
    """The chi-square statistic's p-value from ``simulations`` seeded multinomial draws under the null."""
    expected = n * probs
    draws = np.random.default_rng(seed).multinomial(n, probs, size=simulations)
    simulated = ((draws - expected) ** 2 / expected).sum(axis=1)
    exceed = np.count_nonzero(simulated >= statistic * (1 - 1e-12))
    return (exceed + 1) / (simulations + 1)
