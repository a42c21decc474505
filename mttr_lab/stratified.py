"""Before/after by stratum: a change in the mix of incidents is not a change in the team.

:func:`compare_periods_stratified` compares two periods within each stratum (severity, by default)
with the Welch t test on log durations that :func:`mttr_lab.compare_periods` rests on, then
combines the per-stratum log ratios, weighted by the mix, so that a quarter with more slow
low-severity incidents does not look like a slower team. The per-stratum verdicts are one Holm
family (``p_value_holm``), and the per-stratum intervals are widened to match: with ``k`` tested
strata they are Bonferroni intervals at ``1 - (1 - confidence) / k``, at least as wide as Holm
needs, so a stratum Holm does not call changed has an interval containing 1 (when ``confidence``
is ``1 - alpha``). The note of each such row says so.

Every table carries the level of its intervals in ``attrs["confidence"]`` (the pooled rows) and
that of the per-stratum intervals in ``attrs["stratum_confidence"]``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .compare import _check, _finish, _geomean, _join, _Split, _split, _verdict, _welch_logs, holm
from .errors import InputError
from .frames import DURATIONS, Period, require

__all__ = ["compare_periods_stratified"]

#: The columns of the table, in order.
_COLUMNS = [
    "stratum",
    "n_before",
    "n_after",
    "open_before",
    "open_after",
    "share_before",
    "share_after",
    "geomean_before",
    "geomean_after",
    "geomean_ratio",
    "geomean_ratio_low",
    "geomean_ratio_high",
    "p_value",
    "p_value_holm",
    "weight",
    "verdict",
    "note",
]


def compare_periods_stratified(
    durations: pd.DataFrame,
    *,
    before: Period,
    after: Period,
    by: str = "severity",
    metric: str = "time_to_recover",
    weights: str = "mix",
    confidence: float = 0.95,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Mix-adjusted comparison: per-stratum ratios of geometric means, combined into one.

    Within each stratum (``by``: severity by default) the ratio of geometric means (after/before)
    gets a Welch t interval and p-value on log durations. The per-stratum log ratios are then
    averaged with ``weights``:

    * ``"mix"`` (default): each stratum's share of both periods together, i.e. the change at a
      fixed, pooled mix (direct standardisation);
    * ``"inverse_variance"``: 1/SE², the most precise combination when every stratum changed by
      the same factor (fixed effect).

    The combined standard error is ``sqrt(Σ w² SE²)`` with Welch–Satterthwaite degrees of
    freedom. Strata with fewer than 2 positive durations in either period are shown but left out
    of the combination (``weight`` 0, with a note). The verdict rule is the one of
    :func:`compare_periods`: "improved" only when the interval lies below 1 and ``p < alpha``.

    Parameters
    ----------
    durations : DataFrame
        The output of :func:`mttr_lab.phase_durations`.
    before, after : (start, end)
        Timezone-aware periods, ``[start, end)`` on ``clock_start``.
    by : str
        The stratifying column.
    metric : str
        A metric or a phase.
    weights : {"mix", "inverse_variance"}
        How the strata are combined.
    confidence, alpha : float
        Interval level and significance level.

    Returns
    -------
    DataFrame
        One row per stratum present in either period, then a row ``"unadjusted"`` (all strata
        pooled, the crude comparison) and a row ``"adjusted"`` (the weighted combination).
        Columns: ``stratum`` (str), ``n_before``, ``n_after`` (observed durations), ``open_before``,
        ``open_after``, ``share_before``, ``share_after`` (the stratum's share of each period's
        observed durations), ``geomean_before``, ``geomean_after`` (minutes; NA on the adjusted
        row), ``geomean_ratio``, ``geomean_ratio_low``, ``geomean_ratio_high``, ``p_value`` (Welch
        t on logs), ``weight`` (share of the combination; NA on the last two rows), ``verdict``
        ("improved", "worsened", "no detectable change"; "nothing measured before"/"after" for a
        stratum one period lacks, "too few incidents to test" with fewer than 2 on a side) and ``note``.
    """
    _check_stratified(durations, by=by, metric=metric, weights=weights, confidence=confidence, alpha=alpha)
    split = _split(durations, metric, before, after)
    keys = durations[by]
    either = split.in_before | split.in_after
    totals = (int((split.in_before & split.observed).sum()), int((split.in_after & split.observed).sum()))
    rows: list[dict[str, object]] = []
    for level in _levels(keys[either]):  # a handful of strata, not incidents
        mask = (keys == level).to_numpy(dtype=bool)
        rows.append(
            _stratum_row(
                str(level), split, split.in_before & mask, split.in_after & mask, totals, confidence, alpha
            )
        )
    crude = _stratum_row("unadjusted", split, split.in_before, split.in_after, totals, confidence, alpha)
    if keys[either].isna().any():
        crude["note"] = _add_note(crude["note"], f"incidents without {by} are in no stratum")

    strata = pd.DataFrame(rows) if rows else pd.DataFrame(columns=list(crude))
    _weigh(strata, weights)
    adjusted = _adjusted_row(strata, crude, weights=weights, confidence=confidence, alpha=alpha)
    adjusted["weight"] = crude["weight"] = np.nan
    _holm_verdicts(strata, alpha)
    level = _family_intervals(strata, confidence)
    crude["p_value_holm"], adjusted["p_value_holm"] = crude["p_value"], adjusted["p_value"]
    table = _stratified_table(strata, crude, adjusted, confidence)
    table.attrs["stratum_confidence"] = level
    return table


def _check_stratified(
    durations: pd.DataFrame, *, by: str, metric: str, weights: str, confidence: float, alpha: float
) -> None:
    require(durations, DURATIONS, function="compare_periods_stratified")
    _check(durations, metric, confidence, alpha, 0.8)
    if weights not in ("mix", "inverse_variance"):
        raise ValueError(f"weights must be 'mix' or 'inverse_variance', not {weights!r}")
    if by not in durations.columns:
        raise InputError(
            f"cannot compare by {by!r}: the durations have no such column",
            expected="one of " + ", ".join(_groupable(durations)),
        )


def _groupable(durations: pd.DataFrame) -> list[str]:
    """The columns that can be strata: labels (text, categories, flags), not ids, titles or times."""

    def label(column: pd.Series) -> bool:
        types = pd.api.types
        if types.is_bool_dtype(column):
            return True
        return not (
            types.is_numeric_dtype(column)
            or types.is_datetime64_any_dtype(column)
            or types.is_timedelta64_dtype(column)
        )

    return [str(c) for c in durations.columns if c not in ("incident_id", "title") and label(durations[c])]


def _levels(present: pd.Series) -> list[object]:
    """The strata present in either period: in category order, else sorted as text."""
    if isinstance(present.dtype, pd.CategoricalDtype):
        return [c for c in present.cat.categories if (present == c).any()]
    return sorted(present.dropna().unique(), key=str)


def _add_note(note: object, said: str) -> object:
    """``said`` after an existing note (NA when there is none)."""
    return _join([str(note) if pd.notna(note) else "", said])


def _weigh(strata: pd.DataFrame, weights: str) -> None:
    """Each stratum's ``weight`` in the combination (0 and a note where it cannot enter), and
    ``_usable``, whether it enters."""
    if not len(strata):
        return
    usable = strata["_se"].notna() & (strata["_se"] > 0)
    raw = (
        (strata["n_before"] + strata["n_after"]).astype(float) if weights == "mix" else 1 / strata["_se"] ** 2
    )
    raw = raw.where(usable, 0.0)
    strata["weight"] = raw / raw.sum() if raw.sum() > 0 else 0.0
    for i in strata.index[~usable]:
        strata.loc[i, "note"] = _add_note(strata.loc[i, "note"], "left out of the adjusted ratio")
    strata["_usable"] = usable


def _adjusted_row(
    strata: pd.DataFrame,
    crude: dict[str, object],
    *,
    weights: str,
    confidence: float,
    alpha: float,
) -> dict[str, object]:
    """The weighted combination of the usable strata's log ratios (Welch–Satterthwaite), and its verdict."""
    usable = strata["_usable"] if "_usable" in strata else pd.Series(False, index=strata.index)
    adjusted: dict[str, object] = {"stratum": "adjusted"}
    adjusted.update({k: crude[k] for k in ("n_before", "n_after", "open_before", "open_after")})
    adjusted.update(share_before=np.nan, share_after=np.nan, geomean_before=np.nan, geomean_after=np.nan)
    if len(strata) and usable.any():
        w = strata.loc[usable, "weight"].to_numpy(dtype=float)
        d = strata.loc[usable, "_diff"].to_numpy(dtype=float)
        se = strata.loc[usable, "_se"].to_numpy(dtype=float)
        df = strata.loc[usable, "_df"].to_numpy(dtype=float)
        terms = (w * se) ** 2
        diff, var = float(w @ d), float(terms.sum())
        dof = var**2 / float((terms**2 / df).sum())  # Welch-Satterthwaite
        half = stats.t.isf((1 - confidence) / 2, dof) * np.sqrt(var)
        adjusted.update(
            geomean_ratio=float(np.exp(diff)),
            geomean_ratio_low=float(np.exp(diff - half)),
            geomean_ratio_high=float(np.exp(diff + half)),
            p_value=float(2 * stats.t.sf(abs(diff) / np.sqrt(var), dof)),
            note=_join(
                [f"{weights} weights over {int(usable.sum())} {'stratum' if usable.sum() == 1 else 'strata'}"]
            ),
        )
    else:
        adjusted.update(
            geomean_ratio=np.nan,
            geomean_ratio_low=np.nan,
            geomean_ratio_high=np.nan,
            p_value=np.nan,
            note="no stratum has 2 positive durations in both periods",
        )
    adjusted["verdict"] = _verdict(
        adjusted["geomean_ratio_low"], adjusted["geomean_ratio_high"], [adjusted["p_value"]], alpha
    )
    return adjusted


def _stratified_table(
    strata: pd.DataFrame, crude: dict[str, object], adjusted: dict[str, object], confidence: float
) -> pd.DataFrame:
    """The strata, then the unadjusted and adjusted rows, in the documented columns and dtypes."""
    table = pd.concat([strata, pd.DataFrame([crude, adjusted])], ignore_index=True)
    table = table[_COLUMNS]
    for i in table.index[-2:]:  # the pooled rows: an empty period is said the way a stratum says it
        table.loc[i, "verdict"] = _nothing_measured(table.loc[i]) or table.loc[i, "verdict"]
    for col in ("n_before", "n_after", "open_before", "open_after"):
        table[col] = table[col].astype("int64")
    for col in _COLUMNS[5:15]:
        table[col] = table[col].astype(float)
    table["stratum"] = table["stratum"].astype("str")
    return _finish(table, confidence)


def _nothing_measured(row: pd.Series) -> str:
    """ "nothing measured before" (or after) where a period has no measured incident, else ""."""
    if row["n_before"] == 0:
        return "nothing measured before"
    return "nothing measured after" if row["n_after"] == 0 else ""


def _holm_verdicts(strata: pd.DataFrame, alpha: float) -> None:
    """Per-stratum verdicts as one family: Holm-adjusted p-values decide, and the note says so."""
    if strata.empty:
        strata["p_value_holm"] = pd.Series(dtype=float)
        return
    strata["p_value_holm"] = holm(strata["p_value"].to_numpy(dtype=float))
    tested = int(strata["p_value"].notna().sum())
    for i, row in strata.iterrows():
        empty = _nothing_measured(row)
        if empty:  # nothing to compare, so no verdict about a change
            strata.loc[i, "verdict"] = empty
            continue
        if min(row["n_before"], row["n_after"]) < 2:  # too few on a side for the test: no verdict either way
            strata.loc[i, "verdict"] = "too few incidents to test"
            continue
        significant = np.isfinite(row["p_value_holm"]) and row["p_value_holm"] < alpha
        ratio = row["geomean_ratio"]
        strata.loc[i, "verdict"] = (
            ("improved" if ratio < 1 else "worsened")
            if significant and np.isfinite(ratio)
            else "no detectable change"
        )
        if tested > 1:
            said = f"Holm-corrected over {tested} tested strata"
            strata.loc[i, "note"] = _add_note(row["note"], said)


def _family_intervals(strata: pd.DataFrame, confidence: float) -> float:
    """Widen the per-stratum intervals to Bonferroni level for the ``k`` tested strata, so that
    they agree with the Holm verdicts (Bonferroni is the more conservative of the two); the
    level used, ``confidence`` itself when fewer than 2 strata were tested."""
    tested = int(strata["p_value"].notna().sum()) if len(strata) else 0
    if tested < 2:
        return confidence
    level = 1 - (1 - confidence) / tested
    has = strata["p_value"].notna()
    half = stats.t.isf((1 - level) / 2, strata.loc[has, "_df"].to_numpy(dtype=float)) * strata.loc[
        has, "_se"
    ].to_numpy(dtype=float)
    diff = strata.loc[has, "_diff"].to_numpy(dtype=float)
    strata.loc[has, "geomean_ratio_low"] = np.exp(diff - half)
    strata.loc[has, "geomean_ratio_high"] = np.exp(diff + half)
    said = f"{100 * level:g} % interval (Bonferroni over {tested} strata, at least as wide as Holm needs)"
    for i in strata.index[has]:
        strata.loc[i, "note"] = _add_note(strata.loc[i, "note"], said)
    return level


def _stratum_row(
    label: str,
    split: _Split,
    in_before: np.ndarray,
    in_after: np.ndarray,
    totals: tuple[int, int],
    confidence: float,
    alpha: float,
) -> dict[str, object]:
    """One stratum's comparison (Welch on log durations), with the ``_diff``/``_se``/``_df`` it enters with."""
    b, a, open_b, open_a = split.period_values(in_before, in_after)
    welch = _welch_logs(b, a, confidence)
    notes = []
    if np.isnan(welch["p"]):
        notes.append("needs at least 2 positive durations with some spread in each period")
    return {
        "stratum": label,
        "n_before": len(b),
        "n_after": len(a),
        "open_before": open_b,
        "open_after": open_a,
        "share_before": len(b) / totals[0] if totals[0] else np.nan,
        "share_after": len(a) / totals[1] if totals[1] else np.nan,
        "geomean_before": _geomean(b),
        "geomean_after": _geomean(a),
        "geomean_ratio": welch["ratio"],
        "geomean_ratio_low": welch["low"],
        "geomean_ratio_high": welch["high"],
        "p_value": welch["p"],
        "verdict": _verdict(welch["low"], welch["high"], [welch["p"]], alpha),
        "note": _join(notes),
        "_diff": welch["diff"],
        "_se": welch["se"],
        "_df": welch["df"],
    }
