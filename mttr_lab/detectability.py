"""Detectability: could a change in recovery time be seen at all with this many incidents?

The method of Davidovič, *Incident Metrics in SRE* (O'Reilly, 2021):

* :func:`detectable_change` is the analytic answer. Durations are taken as lognormal, so a
  multiplicative change ``r`` (0.9 = 10 % shorter) shifts the mean of the log durations by
  ``ln r``; a two-sample test on the logs at level ``alpha`` and power ``power`` then needs
  ``n = 2 (z_{1-alpha/2} + z_{power})^2 sigma^2 / (ln r)^2`` incidents per group (``test="z"``,
  the published form), or the exact noncentral-t equivalent (``test="t"``), with ``sigma`` the
  standard deviation of the log durations.
* :func:`simulate_improvement` (in :mod:`mttr_lab.simulation`) is the Monte Carlo "parallel
  universes" check on the user's own durations, with no distributional assumption: draw two
  groups from the durations, shorten one by the improvement, compare a statistic, repeat.

Both accept a ``durations`` frame (of :func:`mttr_lab.phase_durations`; only closed incidents
with the metric observed are used, since an open incident's duration is not known) or plain
minutes (a Series or array; Timedelta values are converted).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import elementwise

from .compare import detectable_ratio, needed_per_group
from .frames import DURATIONS, require
from .simulation import join_notes, observed_minutes, simulate_improvement

# simulate_improvement lives in simulation; named here too (``from mttr_lab.detectability import ...``).
__all__ = ["detectable_change", "simulate_improvement"]


def _power_z(delta: np.ndarray, alpha: float) -> np.ndarray:
    crit = stats.norm.isf(alpha / 2)
    return stats.norm.sf(crit - delta) + stats.norm.cdf(-crit - delta)


def _power_t(delta: np.ndarray, n: np.ndarray, alpha: float) -> np.ndarray:
    df = 2 * n - 2
    crit = stats.t.isf(alpha / 2, df)
    upper = stats.nct.sf(crit, df, delta)
    # The opposite tail is ~0 for a large noncentrality, where scipy's nct.cdf can return NaN.
    lower = np.nan_to_num(stats.nct.cdf(-crit, df, delta), nan=0.0)
    return upper + lower


def _sigma(data: object, sigma: float | None, metric: str) -> tuple[int, float, str]:
    """The incidents counted, the log-scale SD (given, or estimated from ``data``; NaN when it
    cannot be) and a note on how it was had."""
    if sigma is not None:
        if not np.isfinite(sigma) or sigma <= 0:
            raise ValueError(f"sigma must be a positive log-scale standard deviation, not {sigma!r}")
        incidents = len(observed_minutes(data, metric)[0]) if data is not None else 0
        return incidents, float(sigma), "sigma given, not estimated"
    if data is None:
        raise ValueError("give durations (a frame or minutes) or sigma=")
    minutes, note = observed_minutes(data, metric)
    positive = minutes[minutes > 0]
    zeros = len(minutes) - len(positive)
    if zeros:
        note = join_notes(note, f"{zeros} zero duration(s) left out of the log-scale sigma")
    incidents = len(positive)
    if incidents < 3:
        return (
            incidents,
            np.nan,
            join_notes(note, f"too few incidents to estimate sigma ({incidents}; need at least 3)"),
        )
    sd = float(np.std(np.log(positive), ddof=1))
    if sd == 0:
        return incidents, np.nan, join_notes(note, "all durations are equal: sigma is 0, no noise model")
    if incidents < 30:
        note = join_notes(note, f"sigma from only {incidents} incidents: the answers are rough")
    return incidents, sd, note


def _t_answers(
    sd: float, ns: np.ndarray, d: float, *, alpha: float, power: float
) -> tuple[np.ndarray, np.ndarray, int]:
    """With the t test: the detectable ratio and the power for a cut of ``d`` (log scale) at each
    n per group, and the n per group that cut needs."""
    # Noncentrality that reaches the wanted power at each n; then the ratio it implies.
    hi = np.full(len(ns), 60.0)
    res = elementwise.find_root(
        lambda x, n: _power_t(x, n, alpha) - power, (np.zeros(len(ns)), hi), args=(ns,)
    )
    mdc = np.exp(-res.x * sd * np.sqrt(2 / ns))
    power_at = _power_t(d / (sd * np.sqrt(2 / ns)), ns, alpha)

    def gap(n: np.ndarray) -> np.ndarray:
        return _power_t(d / sd * np.sqrt(n / 2), n, alpha) - power

    lo = 2.0
    if gap(np.array(lo)) >= 0:
        return mdc, power_at, 2
    return mdc, power_at, int(np.ceil(elementwise.find_root(gap, (lo, 1e12)).x))


def detectable_change(
    durations_or_minutes: pd.DataFrame | pd.Series | np.ndarray,
    *,
    n_per_group: int | Sequence[int] | None = None,
    change: float = 0.10,
    alpha: float = 0.05,
    power: float = 0.8,
    test: str = "z",
    sigma: float | None = None,
    metric: str = "time_to_recover",
) -> pd.DataFrame:
    """Smallest change a before/after comparison could detect, and the incidents a change needs.

    From ``sigma``, the standard deviation of the log durations (estimated from the data, or
    given), for a two-sided test on log durations at level ``alpha``: the minimum detectable
    after/before ratio with probability ``power`` at ``n_per_group`` incidents per group, the
    power to detect a cut of ``change`` there, and the incidents per group that cut needs.
    Known answers at ``sigma=1.25`` (z): a 10 % cut needs 2,210 per group, 15 % needs 929, and
    20 per group can only detect a ratio of 0.33 (a 67 % cut).

    Parameters
    ----------
    durations_or_minutes : DataFrame, Series or array
        A ``durations`` frame (closed incidents with ``metric`` observed are used) or minutes.
    n_per_group : int or sequence of int, optional
        Incidents per group (one output row each); default half the incidents given (the data
        split in two), at least 2.
    change : float
        The cut to detect, as a fraction in (0, 1): 0.10 = durations 10 % shorter.
    alpha, power : float
        Two-sided significance level and the wanted power.
    test : {"z", "t"}
        ``"z"``: the normal approximation (the published figures). ``"t"``: the exact power of
        Student's t on the logs (noncentral t), slightly more conservative at small n.
    sigma : float, optional
        Log-scale standard deviation to use instead of estimating it (planning without data).
    metric : str
        The duration to use when a ``durations`` frame is given.

    Returns
    -------
    DataFrame
        One row per ``n_per_group``: ``incidents`` (durations used for ``sigma``), ``sigma``,
        ``n_per_group``, ``mdc_ratio`` (smallest detectable after/before ratio below 1),
        ``mdc_change`` (``mdc_ratio - 1``, e.g. -0.67), ``change``, ``power_at_n`` (power to
        detect ``change`` at ``n_per_group``), ``n_needed`` (incidents per group for
        ``change``), ``alpha``, ``power``, ``test``, ``note``. NA with a note where ``sigma``
        cannot be estimated.
    """
    require(durations_or_minutes, DURATIONS, function="detectable_change", values_too=True)
    if test not in ("z", "t"):
        raise ValueError(f"test must be 'z' or 't', not {test!r}")
    if not 0 < change < 1:
        raise ValueError(f"change must be a fraction in (0, 1), e.g. 0.10 for 10% shorter; got {change!r}")
    if not 0 < alpha < 1 or not 0 < power < 1:
        raise ValueError(f"alpha and power must be in (0, 1); got alpha={alpha!r}, power={power!r}")
    if power <= alpha / 2:
        raise ValueError(f"power={power!r} must exceed alpha/2={alpha / 2!r}")
    incidents, sd, note = _sigma(durations_or_minutes, sigma, metric)
    if n_per_group is None:
        ns = np.array([max(incidents // 2, 2)])
    else:
        ns = np.atleast_1d(np.asarray(n_per_group))
        if ns.ndim != 1 or not np.issubdtype(ns.dtype, np.integer) or (ns < 2).any():
            raise ValueError(
                f"n_per_group must be an integer >= 2 (or a sequence of them), not {n_per_group!r}"
            )
    ns = ns.astype(float)
    d = -np.log1p(-change)  # |ln r| for the wanted cut

    if np.isnan(sd):
        mdc = power_at = np.full(len(ns), np.nan)
        needed = pd.NA
    elif test == "z":
        mdc = detectable_ratio(sd, ns, ns, alpha=alpha, power=power)
        power_at = _power_z(d / (sd * np.sqrt(2 / ns)), alpha)
        needed = int(needed_per_group(np.exp(-d), sd, alpha=alpha, power=power))
    else:
        mdc, power_at, needed = _t_answers(sd, ns, d, alpha=alpha, power=power)
    return pd.DataFrame(
        {
            "incidents": incidents,
            "sigma": sd,
            "n_per_group": ns.astype("int64"),
            "mdc_ratio": mdc,
            "mdc_change": mdc - 1,
            "change": change,
            "power_at_n": power_at,
            "n_needed": pd.array([needed] * len(ns), dtype="Int64"),
            "alpha": alpha,
            "power": power,
            "test": test,
            "note": note,
        }
    ).astype({"test": "str", "note": "str"})
