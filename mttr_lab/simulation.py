"""Monte Carlo "parallel universes": would a real improvement show in the statistic?

:func:`simulate_improvement` checks on the user's own durations, with no distributional
assumption: draw two groups from the durations, shorten one by the improvement, compare a
statistic, repeat. The analytic answer is :func:`mttr_lab.detectable_change`
(:mod:`mttr_lab.detectability`), which takes its durations the same way
(:func:`observed_minutes`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from .frames import DURATION_COLUMNS as _DURATION_COLUMNS
from .frames import DURATIONS, require

__all__ = ["STATISTICS", "join_notes", "observed_minutes", "simulate_improvement"]

STATISTICS: tuple[str, ...] = ("mean", "median", "geomean", "p95")
#: Resampled values held in memory at once by simulate_improvement (about 64 MB of float64).
_BATCH_VALUES = 8_000_000

#: The columns of simulate_improvement, in order.
_SIMULATED = (
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
)


def observed_minutes(data: object, metric: str) -> tuple[np.ndarray, str]:
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


def join_notes(*parts: str) -> str:
    """The non-empty parts, joined with "; "."""
    return "; ".join(p for p in parts if p)


def _statistic(values: np.ndarray, logs: np.ndarray | None, name: str, method: str) -> np.ndarray:
    """The statistic of each row of a (runs, n) block."""
    if name == "mean":
        return values.mean(axis=1)
    if name == "median":
        return np.median(values, axis=1)
    if name == "p95":
        return np.percentile(values, 95, axis=1, method=method)
    return np.exp(logs.mean(axis=1))  # geomean


def _simulate(
    pool: np.ndarray,
    log_pool: np.ndarray,
    wanted: list[str],
    *,
    n_total: int,
    factor: float,
    n_sims: int,
    seed: int,
    method: str,
    progress: Callable[[int, int], None] | None,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Per statistic, the gain (first half minus second) of each run with the second half's
    durations cut by ``factor``, and without (the null), resampled in batches."""
    n_before = n_total // 2
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
    return real, null


def _gains(real: np.ndarray, null: np.ndarray, observed: float, base: dict, *, interval: float) -> dict:
    """What the simulated gains of one statistic say, with and without the improvement."""
    tail = (1 - interval) / 2
    lo, mid, hi = np.quantile(real, [tail, 0.5, 1 - tail])
    nlo, nhi = np.quantile(null, [tail, 1 - tail])
    return {
        "observed": observed,
        "p_worse": float(np.mean(real < 0)),
        "p_gain": float(np.mean(real >= base["gain_minutes"])),
        "gain_low": lo,
        "gain_median": mid,
        "gain_high": hi,
        "null_p_gain": float(np.mean(null >= base["null_gain_minutes"])),
        "null_gain_low": nlo,
        "null_gain_high": nhi,
    }


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
    pool, note = observed_minutes(durations_or_minutes, metric)
    if len(pool) == 0:
        raise ValueError("no closed incident with an observed duration to resample from")
    if n_total is None:
        n_total = len(pool)
    if not isinstance(n_total, (int, np.integer)) or n_total < 2:
        raise ValueError(f"n_total must be an integer >= 2 (two groups), not {n_total!r}")
    if len(pool) < 20:
        note = join_notes(
            note, f"only {len(pool)} durations to resample from: the runs mirror those few values"
        )
    n_before = n_total // 2
    factor = 1.0 - improvement

    has_zero = bool((pool <= 0).any())
    with np.errstate(divide="ignore"):
        log_pool = np.log(pool)
    wanted = [s for s in names if not (s == "geomean" and has_zero)]
    real, null = _simulate(
        pool,
        log_pool,
        wanted,
        n_total=n_total,
        factor=factor,
        n_sims=n_sims,
        seed=seed,
        method=method,
        progress=progress,
    )

    base = {
        "incidents": len(pool),
        "n_total": int(n_total),
        "n_before": n_before,
        "n_after": int(n_total) - n_before,
        "improvement": improvement,
        "n_sims": int(n_sims),
        "gain_minutes": float(gain_minutes),
        "null_gain_minutes": float(null_gain_minutes),
    }
    rows = []
    for s in names:
        if s not in wanted:
            rows.append({**base, "note": join_notes(note, "geomean needs positive durations; some are zero")})
            continue
        observed = float(_statistic(pool[None, :], log_pool[None, :], s, method)[0])
        rows.append({**base, **_gains(real[s], null[s], observed, base, interval=interval), "note": note})
    out = pd.DataFrame(rows, index=pd.Index(names, name="statistic")).reindex(columns=_SIMULATED)
    float_cols = [
        c for c in _SIMULATED if c not in ("incidents", "n_total", "n_before", "n_after", "n_sims", "note")
    ]
    return out.astype({**dict.fromkeys(float_cols, "float64"), "note": "str"})
