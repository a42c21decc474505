"""Plots of verdicts: a before/after comparison, and where groups sit against benchmark tiers.

They draw tables of :mod:`mttr_lab.compare` and :mod:`mttr_lab.tiers`, on ``ax`` (a new figure
when None), and return the Axes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from .plots import _OTHER, _axes, _label, _log_minutes_axis
from .units import interval_level

__all__ = ["plot_comparison", "plot_tiers"]


_TIER_COLORS = {
    "elite": "#1B9E77",
    "high": "#A6D96A",
    "medium": "#FDAE61",
    "needs work": "#D7191C",
    "low": "#D7191C",
}


def plot_tiers(
    assignments: pd.DataFrame,
    tiers: pd.DataFrame,
    *,
    statistic: str = "median",
    ax: Axes | None = None,
) -> Axes:
    """Where each group sits against benchmark tiers, with its interval.

    Parameters
    ----------
    assignments : DataFrame
        From :func:`mttr_lab.assign_tiers` (one row per group).
    tiers : DataFrame
        The tier table used: :func:`mttr_lab.seed_tiers` (thresholds per ``priority``, matched to the
        group's severity) or :func:`mttr_lab.dora_tiers` for one year (the same thresholds for all).
    """
    rows = assignments[assignments[statistic].notna()]
    ax = _axes(ax, (7, 0.9 + 0.55 * len(rows)))
    values = rows[statistic].to_numpy(dtype=float)
    lo_all = np.nanmin(np.r_[values, rows[f"{statistic}_low"].to_numpy(dtype=float)]) if len(rows) else 1
    hi_all = np.nanmax(np.r_[values, rows[f"{statistic}_high"].to_numpy(dtype=float)]) if len(rows) else 100
    left, right = max(lo_all / 3, 0.5), hi_all * 3
    seen: set[str] = set()
    for y, (key, row) in enumerate(rows.iterrows()):
        group = key[-1] if isinstance(key, tuple) else key
        band = tiers[tiers["priority"] == str(group)] if "priority" in tiers.columns else tiers
        # Tiers sharing a bucket (DORA 2019 and 2024: high and medium are both "< 1 day") are drawn
        # once, as the better tier, so that bands do not blend into a colour the legend lacks.
        band = band.sort_values("rank").drop_duplicates(["lower_minutes", "upper_minutes"], keep="first")
        for _, tier in band.iterrows():
            start, end = max(tier["lower_minutes"], left), min(tier["upper_minutes"], right)
            if end <= start:
                continue
            name = str(tier["tier"])
            ax.barh(
                y,
                end - start,
                left=start,
                height=0.8,
                color=_TIER_COLORS.get(name, _OTHER),
                alpha=0.35,
                lw=0,
                label=name if name not in seen else None,
            )
            seen.add(name)
        low, high = row[f"{statistic}_low"], row[f"{statistic}_high"]
        placed = pd.notna(low) and pd.notna(high)
        err = [[row[statistic] - low], [high - row[statistic]]] if placed else None
        # Without an interval the group is too small to place: drawn hollow, and said so.
        face = "black" if placed else "white"
        ax.errorbar(
            [row[statistic]], [y], xerr=err, fmt="D", color="black", mfc=face, capsize=4, ms=5, zorder=5
        )
        spanned = row["tiers_spanned"] if pd.notna(row["tiers_spanned"]) else "not placed"
        spanned = spanned if placed else "too few incidents to place"
        ax.annotate(
            f"  {spanned}", (1.0, y), xycoords=("axes fraction", "data"), va="center", fontsize="small"
        )
    ax.set_yticks(range(len(rows)), [_label(k) for k in rows.index])
    ax.invert_yaxis()
    ax.set_xlim(left, right)
    _log_minutes_axis(ax, "x", left, right)
    ax.set_xlabel(f"{statistic} time to recover with {interval_level(assignments)} interval (log scale)")
    ax.legend(ncols=4, fontsize="small", loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    return ax


def plot_comparison(
    minutes_before: pd.DataFrame,
    minutes_after: pd.DataFrame,
    comparison: pd.Series,
    *,
    labels: tuple[str, str] = ("before", "after"),
    metric: str = "time to recover",
    ax: Axes | None = None,
) -> Axes:
    """Both periods' distributions (ECDFs on a log axis) and the ratio of medians with its verdict.

    Parameters
    ----------
    minutes_before, minutes_after : DataFrame
        :func:`mttr_lab.censored_minutes` of each period's incidents.
    comparison : Series
        The row of :func:`mttr_lab.compare_periods`.
    """
    ax = _axes(ax, (7, 4))
    for frame, label, color in (
        (minutes_before, labels[0], "#999999"),
        (minutes_after, labels[1], "#0072B2"),
    ):
        closed = np.sort(frame.loc[~frame["censored"], "minutes"].dropna().to_numpy())
        closed = closed[closed > 0]
        if len(closed):
            ax.step(
                closed,
                np.arange(1, len(closed) + 1) / len(closed),
                where="post",
                color=color,
                lw=1.8,
                label=f"{label} (n={len(closed)})",
            )
    for name, color in (("median_before", "#999999"), ("median_after", "#0072B2")):
        if pd.notna(comparison.get(name)):
            ax.axvline(comparison[name], color=color, ls=":", lw=1)
    ratio, low, high = (
        comparison.get("median_ratio"),
        comparison.get("median_ratio_low"),
        comparison.get("median_ratio_high"),
    )
    interval = f" ({low:.2f}–{high:.2f})" if pd.notna(low) and pd.notna(high) else ""
    ratio_text = f"{ratio:.2f}" if pd.notna(ratio) else "n/a"
    ax.set_title(
        f"median ratio {labels[1]}/{labels[0]}: {ratio_text}{interval} — {comparison.get('verdict')}",
        loc="left",
        fontsize="medium",
    )
    everything = pd.concat([minutes_before["minutes"], minutes_after["minutes"]]).dropna()
    everything = everything[everything > 0]
    _log_minutes_axis(
        ax, "x", everything.min() if len(everything) else None, everything.max() if len(everything) else None
    )
    ax.set_ylim(0, 1.02)
    ax.set_ylabel("share of closed incidents recovered")
    ax.set_xlabel(f"{metric} (log scale)")
    ax.legend(fontsize="small", loc="lower right")
    ax.grid(True, alpha=0.3)
    return ax
