"""Groups against each other: which services (or teams, severities) are really slower or faster.

:func:`compare_groups` tests each group against all the others and adjusts the p-values of the
family (Benjamini–Hochberg), so that among many services the one that merely looks slow is not
called slow.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from .compare import _check
from .frames import DURATIONS, require
from .schema import InputError
from .stats import censored_minutes

__all__ = ["compare_groups"]


def compare_groups(
    durations: pd.DataFrame,
    *,
    by: str = "service",
    metric: str = "time_to_recover",
    alpha: float = 0.05,
    min_count: int = 10,
) -> pd.DataFrame:
    """Each group against all the others: which are really slower or faster, and which only look it.

    A two-sided Mann–Whitney U test of the group's closed durations against the rest, with the
    p-values of all groups adjusted for testing many at once (Benjamini–Hochberg,
    ``scipy.stats.false_discovery_control``). A group is called ``slower`` or ``faster`` only when
    its adjusted p-value is below ``alpha``. "The rest" includes any outlying group: next to one
    very slow service, ordinary ones can test faster than the rest; read the verdicts together.

    Returns
    -------
    DataFrame
        Indexed by group: ``incidents``, ``median``, ``median_rest``, ``ratio`` (median over the
        median of the rest), ``p_value``, ``p_adjusted``, ``verdict`` (``slower than the rest``,
        ``faster than the rest``, ``no detectable difference``, or ``too few incidents``), ordered
        by ``ratio``, slowest first.
    """
    require(durations, DURATIONS, function="compare_groups")
    _check(durations, metric, 0.95, alpha, 0.8)
    if by not in durations.columns:
        raise InputError(
            f"compare_groups: the durations have no {by!r} column to group by",
            expected="one of "
            + ", ".join(c for c in ("service", "severity", "team") if c in durations.columns),
        )
    values = censored_minutes(durations, metric=metric)
    closed = values["minutes"].notna() & ~values["censored"]
    minutes = values["minutes"].where(closed)
    groups = (
        durations[by]
        .astype("str")
        .where(durations[by].notna(), "no severity" if by == "severity" else "none")
    )
    rows = []
    for name in sorted(groups.unique()):
        inside = (groups == name) & closed
        rest = (groups != name) & closed
        a, b = minutes[inside].to_numpy(), minutes[rest].to_numpy()
        row = {"group": name, "incidents": int(inside.sum()), "median": np.nan, "median_rest": np.nan}
        row.update(ratio=np.nan, p_value=np.nan, _larger=np.nan)
        if len(a):
            row["median"] = float(np.median(a))
        if len(b):
            row["median_rest"] = float(np.median(b))
        if len(a) >= min_count and len(b) >= min_count:
            row["ratio"] = row["median"] / row["median_rest"] if row["median_rest"] > 0 else np.nan
            res = stats.mannwhitneyu(a, b, alternative="two-sided")
            row["p_value"] = float(res.pvalue)
            row["_larger"] = float(res.statistic) / (len(a) * len(b)) > 0.5  # P(group > rest) > 1/2
        rows.append(row)
    table = pd.DataFrame(rows).set_index("group")
    table.index.name = by
    tested = table["p_value"].notna()
    table["p_adjusted"] = np.nan
    if tested.any():
        table.loc[tested, "p_adjusted"] = stats.false_discovery_control(
            table.loc[tested, "p_value"].to_numpy()
        )
    verdict = np.where(
        ~tested,
        f"too few incidents (under {min_count})",
        np.where(
            table["p_adjusted"] < alpha,
            np.where(
                table["_larger"].fillna(False).astype(bool), "slower than the rest", "faster than the rest"
            ),
            "no detectable difference",
        ),
    )
    table["verdict"] = verdict
    return table.drop(columns="_larger").sort_values("ratio", ascending=False, na_position="last")
