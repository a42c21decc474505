"""Detectability: could a change in recovery time be seen at all with this many incidents?

The method of Davidovič, *Incident Metrics in SRE* (O'Reilly, 2021):

* :func:`detectable_change` is the analytic answer. Durations are taken as lognormal, so a
  multiplicative change ``r`` (0.9 = 10 % shorter) shifts the mean of the log durations by
  ``ln r``; a two-sample test on the logs at level ``alpha`` and power ``power`` then needs
  ``n = 2 (z_{1-alpha/2} + z_{power})^2 sigma^2 / (ln r)^2`` incidents per group (``test="z"``,
  the published form), or the exact noncentral-t equivalent (``test="t"``), with ``sigma`` the
  standard deviation of the log durations.
* :func:`simulate_improvement` is the Monte Carlo "parallel universes" check on the user's own
  durations, with no distributional assumption: draw two groups from the durations, shorten
  one by the improvement, compare a statistic, repeat.

Both accept a ``durations`` frame (of :func:`mttr_lab.phase_durations`; only closed incidents
with the metric observed are used, since an open incident's duration is not known) or plain
minutes (a Series or array; Timedelta values are converted).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import stats
from scipy.optimize import elementwise

from .compare import detectable_ratio, needed_per_group
from .frames import DURATION_COLUMNS as _DURATION_COLUMNS
from .frames import DURATIONS, require

__all__ = ["detectable_change", "simulate_improvement"]

STATISTICS: tuple[str, ...] = ("mean", "median", "geomean", "p95")
#: Resampled values held in memory at once by simulate_improvement (about 64 MB of float64).
_BATCH_VALUES = 8_000_000


def _minutes(data, metric: str) -> tuple[np.ndarray, str]:
    """Observed durations in minutes, and a note on the open incidents left out."""
    if isinstance(data, pd.DataFrame):
        if metric not in _DURATION_COLUMNS:
            raise ValueError(f"metric must be one of {', '.join(_DURATION_COLUMNS)}, not {metric!r}")
        if metric not in data.columns:
            raise ValueError(f"the durations frame has no column {metric!r}")
        values = data[metric]
        # An open incident whose metric is already observed (recovered, not yet resolved) counts;
        # one still waiting for it is left out, as duration_summary counts it under ``open``.
        waiting = values.isna().to_numpy() & (
            data["is_open"].to_numpy(dtype=bool) if "is_open" in data.columns else np.zeros(len(data), bool)
        )
        n_open = int(waiting.sum())
        values = values[~waiting]
        note = f"{n_open} open incident(s) left out (duration not yet known)" if n_open else ""
    elif isinstance(data, (pd.Series, np.ndarray, list, tuple)):
        values = pd.Series(data) if not isinstance(data, pd.Series) else data
        note = ""
    else:
        raise ValueError(
            f"expected a durations DataFrame or a Series/array of minutes, not {type(data).__name__}"
        )
    if pd.api.types.is_timedelta64_dtype(values.dtype):
        minutes = (values / pd.Timedelta(minutes=1)).to_numpy(dtype=float)
    elif pd.api.types.is_numeric_dtype(values.dtype) or values.dtype == object:
        minutes = pd.to_numeric(values, errors="raise").to_numpy(dtype=float)
    else:
        raise ValueError(f"durations must be Timedelta or numeric minutes, not {values.dtype}")
    minutes = minutes[~np.isnan(minutes)]
    if (minutes < 0).any():
        raise ValueError(f"durations must be non-negative minutes; found {(minutes < 0).sum()} negative")
    return minutes, note


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


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
    note = ""
    if sigma is not None:
        if not np.isfinite(sigma) or sigma <= 0:
            raise ValueError(f"sigma must be a positive log-scale standard deviation, not {sigma!r}")
        incidents = len(_minutes(durations_or_minutes, metric)[0]) if durations_or_minutes is not None else 0
        sd = float(sigma)
        note = "sigma given, not estimated"
    else:
        if durations_or_minutes is None:
            raise ValueError("give durations (a frame or minutes) or sigma=")
        minutes, note = _minutes(durations_or_minutes, metric)
        positive = minutes[minutes > 0]
        zeros = len(minutes) - len(positive)
        if zeros:
            note = _join(note, f"{zeros} zero duration(s) left out of the log-scale sigma")
        incidents = len(positive)
        if incidents < 3:
            sd = np.nan
            note = _join(note, f"too few incidents to estimate sigma ({incidents}; need at least 3)")
        else:
            sd = float(np.std(np.log(positive), ddof=1))
            if sd == 0:
                sd = np.nan
                note = _join(note, "all durations are equal: sigma is 0, no noise model")
            elif incidents < 30:
                note = _join(note, f"sigma from only {incidents} incidents: the answers are rough")
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
            needed = 2
        else:
            root = elementwise.find_root(gap, (lo, 1e12))
            needed = int(np.ceil(root.x))
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


def _statistic(values: np.ndarray, logs: np.ndarray | None, name: str, method: str) -> np.ndarray:
    """The statistic of each row of a (runs, n) block."""
    if name == "mean":
        return values.mean(axis=1)
    if name == "median":
        return np.median(values, axis=1)
    if name == "p95":
        return np.percentile(values, 95, axis=1, method=method)
    return np.exp(logs.mean(axis=1))  # geomean


def simulate_improvement(
    durations_or_minutes: pd.DataFrame | pd.Series | np.ndarray,
    *,
    improvement: float = 0.10,
    n_total: int | None = None,
    statistic: str | Sequence[str] = "mean",
    gain_minutes: float = 15.0,
    null_gain_minutes: float = 30.0,
    interval: float = 0.90,
    n_sims: int = 10_000,
    seed: int = 0,
    method: str = "linear",
    metric: str = "time_to_recover",
    progress: Callable[[int, int], None] | None = None,
) -> pd.DataFrame:
    """Monte Carlo "parallel universes": would a real improvement show in the statistic?

    Each run draws ``n_total`` incidents with replacement from the given durations, splits
    them 50/50 (the split that minimises noise), shortens every duration of the second group
    by ``improvement`` and takes the observed gain = statistic(first) − statistic(second).
    The same draws without the shortening give the null variant: how often an "improvement"
    of ``null_gain_minutes`` or more appears although nothing changed. Resampling is
    vectorised (one ``(runs, n_total)`` index array per batch of runs).

    Parameters
    ----------
    durations_or_minutes : DataFrame, Series or array
        A ``durations`` frame (closed incidents with ``metric`` observed are used) or minutes.
    improvement : float
        True multiplicative cut in [0, 1): 0.10 = every incident 10 % shorter; 0 = no change.
    n_total : int, optional
        Incidents in both groups together (default: as many as given, e.g. a year's worth).
    statistic : str or sequence of str
        ``"mean"`` (MTTR), ``"median"``, ``"geomean"``, ``"p95"``; one output row each, all
        computed on the same runs.
    gain_minutes : float
        Report the chance of observing at least this gain under the true improvement.
    null_gain_minutes : float
        Report the chance of observing at least this gain with no change at all.
    interval : float
        Central interval of the observed gain (default 90 %, as published).
    n_sims : int
        Number of simulated runs.
    seed : int
        Seed of the numpy Generator.
    method : str
        numpy quantile method for ``p95`` (and the interval ends use ``linear``).
    metric : str
        The duration to use when a ``durations`` frame is given.
    progress : callable, optional
        Called as ``progress(done, n_sims)`` after each batch of runs.

    Returns
    -------
    DataFrame
        One row per statistic, indexed by it: ``incidents`` (durations resampled from),
        ``n_total``, ``n_before``, ``n_after``, ``improvement``, ``n_sims``, ``observed``
        (the statistic of the given durations, minutes), ``p_worse`` (share of runs where the
        statistic came out worse despite the improvement), ``gain_minutes``, ``p_gain``,
        ``gain_low``, ``gain_median``, ``gain_high`` (minutes, the ``interval`` of the observed
        gain), ``null_gain_minutes``, ``null_p_gain``, ``null_gain_low``, ``null_gain_high``,
        ``note``. NA with a note where the statistic cannot be computed (geomean of a zero).
    """
    require(durations_or_minutes, DURATIONS, function="simulate_improvement", values_too=True)
    names = [statistic] if isinstance(statistic, str) else list(statistic)
    bad = [s for s in names if s not in STATISTICS]
    if bad or not names:
        raise ValueError(f"statistic must be one or more of {', '.join(STATISTICS)}, not {statistic!r}")
    if not 0 <= improvement < 1:
        raise ValueError(f"improvement must be in [0, 1), e.g. 0.10 for 10% shorter; got {improvement!r}")
    if not 0 < interval < 1:
        raise ValueError(f"interval must be in (0, 1), e.g. 0.90; got {interval!r}")
    if not isinstance(n_sims, (int, np.integer)) or n_sims < 1:
        raise ValueError(f"n_sims must be a positive integer, not {n_sims!r}")
    if progress is not None and not callable(progress):
        raise ValueError("progress must be a callable progress(done, total)")
    pool, note = _minutes(durations_or_minutes, metric)
    if len(pool) == 0:
        raise ValueError("no closed incident with an observed duration to resample from")
    if n_total is None:
        n_total = len(pool)
    if not isinstance(n_total, (int, np.integer)) or n_total < 2:
        raise ValueError(f"n_total must be an integer >= 2 (two groups), not {n_total!r}")
    if len(pool) < 20:
        note = _join(note, f"only {len(pool)} durations to resample from: the runs mirror those few values")
    n_before = n_total // 2
    factor = 1.0 - improvement

    has_zero = bool((pool <= 0).any())
    with np.errstate(divide="ignore"):
        log_pool = np.log(pool)
    wanted = [s for s in names if not (s == "geomean" and has_zero)]
    real = {s: np.empty(n_sims) for s in wanted}
    null = {s: np.empty(n_sims) for s in wanted}

    rng = np.random.default_rng(seed)
    batch = max(1, _BATCH_VALUES // n_total)
    done = 0
    while done < n_sims:
        runs = min(batch, n_sims - done)
        idx = rng.integers(0, len(pool), size=(runs, n_total))
        values = pool[idx]
        logs = log_pool[idx] if "geomean" in wanted else None
        first, second = values[:, :n_before], values[:, n_before:]
        lfirst = logs[:, :n_before] if logs is not None else None
        lsecond = logs[:, n_before:] if logs is not None else None
        for s in wanted:
            a = _statistic(first, lfirst, s, method)
            b = _statistic(second, lsecond, s, method)
            # Every statistic here is scale-equivariant: stat(factor * x) = factor * stat(x).
            real[s][done : done + runs] = a - factor * b
            null[s][done : done + runs] = a - b
        done += runs
        if progress is not None:
            progress(done, n_sims)

    tail = (1 - interval) / 2
    rows = []
    for s in names:
        row = {
            "incidents": len(pool),
            "n_total": int(n_total),
            "n_before": n_before,
            "n_after": int(n_total) - n_before,
            "improvement": improvement,
            "n_sims": int(n_sims),
            "gain_minutes": float(gain_minutes),
            "null_gain_minutes": float(null_gain_minutes),
        }
        if s not in wanted:
            row.update(note=_join(note, "geomean needs positive durations; some are zero"))
            rows.append(row)
            continue
        r, z = real[s], null[s]
        observed = _statistic(pool[None, :], log_pool[None, :], s, method)[0]
        lo, mid, hi = np.quantile(r, [tail, 0.5, 1 - tail])
        nlo, nhi = np.quantile(z, [tail, 1 - tail])
        row.update(
            observed=float(observed),
            p_worse=float(np.mean(r < 0)),
            p_gain=float(np.mean(r >= gain_minutes)),
            gain_low=lo,
            gain_median=mid,
            gain_high=hi,
            null_p_gain=float(np.mean(z >= null_gain_minutes)),
            null_gain_low=nlo,
            null_gain_high=nhi,
            note=note,
        )
        rows.append(row)
    columns = [
        "incidents",
        "n_total",
        "n_before",
        "n_after",
        "improvement",
        "n_sims",
        "observed",
        "p_worse",
        "gain_minutes",
        "p_gain",
        "gain_low",
        "gain_median",
        "gain_high",
        "null_gain_minutes",
        "null_p_gain",
        "null_gain_low",
        "null_gain_high",
        "note",
    ]
    out = pd.DataFrame(rows, index=pd.Index(names, name="statistic")).reindex(columns=columns)
    float_cols = [
        c for c in columns if c not in ("incidents", "n_total", "n_before", "n_after", "n_sims", "note")
    ]
    return out.astype({**dict.fromkeys(float_cols, "float64"), "note": "str"})
