"""Is recovery getting faster? :func:`trend_slope` and :func:`improvement_question`.

:func:`trend_slope` fits a Theil–Sen line to the log medians per calendar period (those of
:func:`mttr_lab.duration_trend`), and :func:`improvement_question` answers "are we improving X %
a month?" with what the data could detect at all (statistics.md §4.3: at 20 incidents a month
and log-σ 1.25 a month-over-month comparison only sees a 67 % change).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .compare import detectable_ratio
from .frames import DURATIONS, require
from .period_summaries import check_arguments, summary_by_period
from .periods import DateLike, period_freq, unit

__all__ = ["improvement_question", "trend_slope"]

#: Non-empty periods a trend line needs.
MIN_PERIODS = 3
#: The minus sign of a negative number in text (U+2212), not the hyphen-minus.
MINUS = "\u2212"


def _slope(table: pd.DataFrame, confidence: float, unit: str) -> dict[str, object]:
    """Theil–Sen slope of log median against period position, with Kendall's tau."""
    position = np.arange(len(table), dtype=float)
    usable = (table["median"] > 0).to_numpy()
    x, y = position[usable], np.log(table.loc[usable, "median"].to_numpy(dtype=float))
    out: dict[str, object] = {
        "periods": int(usable.sum()),
        "first_period": table["period"].iloc[0] if len(table) else pd.NA,
        "last_period": table["period"].iloc[-1] if len(table) else pd.NA,
    }
    notes = []
    if usable.sum() < MIN_PERIODS:
        out.update(
            slope=np.nan,
            change_per_period=np.nan,
            change_low=np.nan,
            change_high=np.nan,
            kendall_tau=np.nan,
            p_value=np.nan,
        )
        notes.append(f"a trend needs at least {MIN_PERIODS} {unit}s with a median (have {int(usable.sum())})")
    else:
        res = stats.theilslopes(y, x, alpha=confidence)
        tau = stats.kendalltau(x, y)
        out.update(
            slope=float(res.slope),
            change_per_period=float(np.expm1(res.slope)),
            change_low=float(np.expm1(res.low_slope)),
            change_high=float(np.expm1(res.high_slope)),
            kendall_tau=float(tau.statistic),
            p_value=float(tau.pvalue),
        )
    skipped = int((~usable).sum())
    if skipped:
        notes.append(f"{skipped} {unit}(s) without a median left out")
    if table["open"].sum():
        notes.append(
            f"{int(table['open'].sum())} open incident(s) are not in the medians; the latest {unit}s may look faster"
        )
    out["note"] = "; ".join(notes) if notes else pd.NA
    return out


def _period_slope(
    durations: pd.DataFrame, *, freq: str, metric: str, tz: str, start, end, confidence: float
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, object], str]:
    """Per-period medians (no intervals) and their Theil-Sen slope: the table, the per-incident
    values, the slope row and the period's unit name."""
    pfreq = period_freq(freq)
    table, values = summary_by_period(
        durations,
        keys=[],
        metric=metric,
        pfreq=pfreq,
        tz=tz,
        start=start,
        end=end,
        intervals=False,
        confidence=confidence,
        n_resamples=0,
        seed=0,
    )
    table["period"] = table["_period"].astype("str")
    name = unit(pfreq)
    return table, values, _slope(table, confidence, name), name


def trend_slope(
    durations: pd.DataFrame,
    *,
    freq: str = "ME",
    metric: str = "time_to_recover",
    tz: str = "UTC",
    start: DateLike = None,
    end: DateLike = None,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Theil–Sen trend of the per-period median, as a percentage change per period.

    The slope of log(median) against the period's position (gaps count: an empty month still
    moves time forward) by ``scipy.stats.theilslopes``, with its distribution-free interval, and
    Kendall's tau with its p-value. ``change_per_period = exp(slope) - 1`` (−0.05 = 5 % shorter
    each period).

    Parameters
    ----------
    durations : DataFrame
        The output of :func:`mttr_lab.phase_durations`.
    freq, metric, tz, start, end
        As in :func:`duration_trend`.
    confidence : float
        Level of the slope interval.

    Returns
    -------
    DataFrame
        One row: ``periods`` (periods with a median, used), ``first_period``, ``last_period``,
        ``slope`` (log scale per period), ``change_per_period``, ``change_low``, ``change_high``,
        ``kendall_tau``, ``p_value`` (Kendall) and ``note``; NA with a note below
        :data:`MIN_PERIODS` periods.
    """
    require(durations, DURATIONS, function="trend_slope")
    check_arguments(durations, metric, tz, confidence)
    _, _, row, _ = _period_slope(
        durations, freq=freq, metric=metric, tz=tz, start=start, end=end, confidence=confidence
    )
    out = pd.DataFrame([row])
    out["periods"] = out["periods"].astype("int64")
    for col in ("first_period", "last_period", "note"):
        out[col] = out[col].astype("str").where(out[col].notna())
    out.attrs["confidence"] = confidence
    return out


def _adverb(unit: str) -> str:
    return {"day": "daily"}.get(unit, f"{unit}ly")


def _pct(value: float) -> str:
    """A signed percentage as text: ``+3 %``, ``−2 %`` (a true minus sign), ``0 %``."""
    text = f"{value * 100:+.0f} %"
    return text.replace("-", MINUS).replace("+0 %", "0 %").replace(f"{MINUS}0 %", "0 %")


def improvement_question(
    durations: pd.DataFrame,
    *,
    claimed: float = 0.10,
    freq: str = "ME",
    metric: str = "time_to_recover",
    tz: str = "UTC",
    start: DateLike = None,
    end: DateLike = None,
    confidence: float = 0.95,
    alpha: float = 0.05,
    power: float = 0.8,
) -> pd.DataFrame:
    """Answer "are we improving ``claimed`` (e.g. 10 %) a period?" with what the data can tell.

    Combines the Theil–Sen trend (:func:`trend_slope`) with detectability: ``sigma`` is the
    pooled within-period standard deviation of log durations (so a trend does not inflate it),
    ``incidents_per_period`` the mean observed durations per period over the span, and the
    month-over-month minimum detectable change is ``1 - exp(-(z_{1-alpha/2} + z_power) σ
    sqrt(2/n))`` (statistics.md §4.3: σ = 1.25 and 20 a month give 67 %).

    Parameters
    ----------
    durations : DataFrame
        The output of :func:`mttr_lab.phase_durations`.
    claimed : float
        The claimed improvement per period as a fraction in (0, 1): 0.10 = 10 % shorter each period.
    freq, metric, tz, start, end
        As in :func:`duration_trend`.
    confidence : float
        Level of the slope interval.
    alpha, power : float
        Test level and power of the detectability figures.

    Returns
    -------
    DataFrame
        One row: ``periods``, ``incidents_per_period``, ``sigma``, ``change_per_period``,
        ``change_low``, ``change_high`` (Theil–Sen, fractions per period), ``excludes_zero``,
        ``excludes_claimed`` (bool: the interval rules out no trend / the claimed rate; NA without a
        slope), ``claimed``, ``detectable_change`` (smallest period-over-period cut detectable with
        ``power`` at ``incidents_per_period``, e.g. 0.67), ``power_at_claimed`` (power of a
        period-over-period comparison to see the claimed cut), ``needed_per_period`` (incidents per
        period that comparison needs), ``verdict`` (one sentence as people read it: a capital first
        letter, negative numbers with a true minus sign "−", a full stop) and ``note``.
    """
    require(durations, DURATIONS, function="improvement_question")
    check_arguments(durations, metric, tz, confidence)
    if not 0 < claimed < 1:
        raise ValueError(f"claimed must be a fraction in (0, 1), e.g. 0.10 for 10 % a month; got {claimed!r}")
    for label, value in (("alpha", alpha), ("power", power)):
        if not 0 < value < 1:
            raise ValueError(f"{label} must be between 0 and 1, not {value!r}")
    table, values, row, unit = _period_slope(
        durations, freq=freq, metric=metric, tz=tz, start=start, end=end, confidence=confidence
    )

    sigma, per_period = _spread_and_rate(values, table)
    mdc, power_at, needed = _detectability(sigma, per_period, claimed=claimed, alpha=alpha, power=power)
    low, high, est = row["change_low"], row["change_high"], row["change_per_period"]
    if np.isfinite(est):
        excludes_zero = bool(high < 0 or low > 0)
        excludes_claimed = bool(-claimed < low or -claimed > high)
    else:
        excludes_zero = excludes_claimed = pd.NA
    if np.isfinite(mdc):
        detect = (
            f"the smallest change detectable from one {unit} to the next: {mdc * 100:.0f} %, "
            f"at {per_period:,.0f} incidents a {unit}"
        )
    else:
        detect = "too few incidents to say what is detectable"
    verdict = _verdict(row, claimed=claimed, confidence=confidence, unit=unit, detect=detect)

    out = pd.DataFrame(
        [
            {
                "periods": row["periods"],
                "incidents_per_period": per_period,
                "sigma": sigma,
                "change_per_period": est,
                "change_low": low,
                "change_high": high,
                "excludes_zero": excludes_zero,
                "excludes_claimed": excludes_claimed,
                "claimed": claimed,
                "detectable_change": mdc,
                "power_at_claimed": power_at,
                "needed_per_period": needed,
                "verdict": verdict,
                "note": row["note"],
            }
        ]
    )
    out["periods"] = out["periods"].astype("int64")
    out["excludes_zero"] = out["excludes_zero"].astype("boolean")
    out["excludes_claimed"] = out["excludes_claimed"].astype("boolean")
    out["needed_per_period"] = out["needed_per_period"].astype("Int64")
    out["verdict"] = out["verdict"].astype("str")
    out["note"] = out["note"].astype("str").where(out["note"].notna())
    out.attrs["confidence"] = confidence
    return out


def _spread_and_rate(values: pd.DataFrame, table: pd.DataFrame) -> tuple[float, float]:
    """The pooled within-period SD of log durations, and the mean observed incidents per period."""
    usable = values["minutes"].notna() & ~values["censored"] & (values["minutes"] > 0)
    logs = np.log(values.loc[usable, "minutes"]).groupby(values.loc[usable, "_period"], observed=True)
    n_i, var_i = logs.count(), logs.var(ddof=1)
    dof = float((n_i - 1).clip(lower=0).sum())
    sigma = float(np.sqrt(((n_i - 1) * var_i).sum() / dof)) if dof >= 2 else np.nan
    per_period = float(table["observed"].mean()) if len(table) else np.nan
    return sigma, per_period


def _detectability(
    sigma: float, per_period: float, *, claimed: float, alpha: float, power: float
) -> tuple[float, float, object]:
    """A period-over-period comparison at ``per_period`` incidents a side: the smallest cut it
    detects with ``power``, its power to see the ``claimed`` cut, and the incidents it needs."""
    if not (np.isfinite(sigma) and sigma > 0 and per_period >= 2):
        return np.nan, np.nan, pd.NA
    k = stats.norm.isf(alpha / 2) + stats.norm.ppf(power)
    d = -np.log1p(-claimed)
    mdc = float(1 - detectable_ratio(sigma, per_period, per_period, alpha=alpha, power=power))
    shift = d / (sigma * np.sqrt(2 / per_period))
    crit = stats.norm.isf(alpha / 2)
    power_at = float(stats.norm.sf(crit - shift) + stats.norm.cdf(-crit - shift))
    return mdc, power_at, int(np.ceil(2 * k**2 * sigma**2 / d**2))


def _verdict(row: dict[str, object], *, claimed: float, confidence: float, unit: str, detect: str) -> str:
    """The answer in one sentence as people read it (capitalised, true minus signs, a full stop)."""
    low, high, est = row["change_low"], row["change_high"], row["change_per_period"]
    c, often = f"{claimed * 100:.0f} %", _adverb(unit)
    where = f"estimated {_pct(est)} per {unit}, {confidence * 100:.0f} % interval {_pct(low)} to {_pct(high)}"
    if not np.isfinite(est):
        verdict = f"too few {unit}s to estimate a trend ({row['periods']}; need {MIN_PERIODS}); {detect}"
    elif not (high < 0 or low > 0):  # no trend is possible
        if -claimed < low or -claimed > high:
            verdict = f"no detectable trend, and a {c} {often} improvement is ruled out ({where}; {detect})"
        else:
            verdict = f"the data cannot tell a {c} {often} improvement from noise ({where}; {detect})"
    elif not (-claimed < low or -claimed > high):
        verdict = f"consistent with a {c} {often} improvement ({where}; {detect})"
    elif high < -claimed:
        verdict = f"improving by more than {c} a {unit} ({where}; {detect})"
    elif high < 0:
        verdict = f"improving, but by less than {c} a {unit} ({where}; {detect})"
    else:
        verdict = f"worsening, not improving by {c} a {unit} ({where}; {detect})"
    return f"{verdict[0].upper()}{verdict[1:]}."
