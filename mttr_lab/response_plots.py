"""Plots of the response-process tables (:mod:`mttr_lab.response`): they draw, never compute.

Each function takes the table its statistics function made, draws on ``ax`` (a new figure when
None) and returns the Axes.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import PercentFormatter

from .plots import _axes, _log_minutes_axis
from .units import interval_level

__all__ = ["plot_adherence", "plot_channels", "plot_growth", "plot_growth_panels", "plot_ping_pong"]

_MAIN = "#0072B2"
_CUSTOMER = "#D55E00"
_MUTED = "#999999"


def _errors(table: pd.DataFrame, value: str, low: str, high: str) -> np.ndarray:
    mid = table[value].to_numpy(dtype=float)
    lo = np.clip(mid - table[low].to_numpy(dtype=float), 0, None)
    hi = np.clip(table[high].to_numpy(dtype=float) - mid, 0, None)
    return np.vstack([np.nan_to_num(lo), np.nan_to_num(hi)])


def _whiskers(
    ax: Axes,
    table: pd.DataFrame,
    value: str,
    at: np.ndarray,
    *,
    along: str = "y",
    fmt: str = "none",
    color: str = "black",
    capsize: float = 3,
) -> None:
    """``value`` with its interval (``{value}_low`` to ``{value}_high``) as error bars, the
    values along the ``along`` axis, drawn at the positions ``at`` on the other."""
    errors = _errors(table, value, f"{value}_low", f"{value}_high")
    if along == "x":
        ax.errorbar(table[value], at, xerr=errors, fmt=fmt, color=color, capsize=capsize)
    else:
        ax.errorbar(at, table[value], yerr=errors, fmt=fmt, color=color, capsize=capsize)


def _share(value: float) -> str:
    if value < 0.01:
        return "under 1 %"
    return f"{value:.0%}".replace("%", " %")


def plot_growth(table: pd.DataFrame, *, ax: Axes | None = None, metric: str = "time to recover") -> Axes:
    """Median (with its interval) per handover or escalation count, from :func:`growth_by_count`."""
    ax = _axes(ax)
    shown = table[table["median"].notna()]
    x = np.arange(len(shown))
    _whiskers(ax, shown, "median", x, fmt="o-", color=_MAIN, capsize=4)
    ax.set_xticks(x, [str(v) for v in shown.index])
    ax.margins(x=0.1)
    for xi, (count, median) in enumerate(zip(shown["count"], shown["median"], strict=True)):
        ax.annotate(f"{int(count):,}", (xi, median), textcoords="offset points", xytext=(6, 6), fontsize=8)
    values = shown[["median_low", "median", "median_high"]].to_numpy(dtype=float)
    finite = values[np.isfinite(values) & (values > 0)]
    if len(finite):
        _log_minutes_axis(ax, "y", float(finite.min()), float(finite.max()))
    name = str(table.index.name or "count").replace("_", " ")
    ax.set_xlabel(f"{name} (incidents beside each point)")
    ax.set_ylabel(f"median {metric}")
    verdict = str(table["verdict"].iloc[0]) if "verdict" in table.columns and len(table) else ""
    ax.set_title(f"{metric.capitalize()} by {name}: {verdict}", fontsize=10)
    ax.grid(axis="y", alpha=0.3)
    return ax


def _short_verdict(verdict: str, baseline: str = "0") -> str:
    """A :func:`growth_by_count` verdict without the name it repeats ("grows with handovers: ...").

    The verdict rests on the rank correlation and on incidents above the baseline count against
    those at it, so a growth reads "incidents with any take longer" (or "with more than 1" where
    the baseline is the smallest count present, 1), not "longer with each".
    """
    some = "any" if baseline in ("0", "no") else f"more than {baseline}"
    head, sep, tail = verdict.partition(": ")
    if sep and head.startswith(("grows with", "longer with")):
        return f"incidents with {some} take longer, {tail}"
    if sep and head.startswith(("shrinks with", "shorter with")):
        return f"incidents with {some} are shorter, {tail}"
    return verdict


def plot_growth_panels(tables: Mapping[str, pd.DataFrame], *, metric: str = "time to recover") -> list[Axes]:
    """:func:`plot_growth` of several counts side by side (hand-overs, escalations), one figure.

    ``tables`` maps what was counted (the x label) to its :func:`growth_by_count` table; the
    panels are side by side so that a reader sees both verdicts at once.
    """
    import matplotlib.pyplot as plt

    n = max(len(tables), 1)
    _fig, axes = plt.subplots(1, n, figsize=(5.2 * n, 3.8), layout="constrained", squeeze=False)
    drawn = []
    for ax, (name, table) in zip(axes[0], tables.items(), strict=False):
        table = table.rename_axis(name)
        plot_growth(table, ax=ax, metric=metric)
        if ax.get_yscale() == "log":  # room for the count written beside the highest point
            low, high = ax.get_ylim()
            ax.set_ylim(low, high * 1.3)
        verdict = str(table["verdict"].iloc[0]) if len(table) else ""
        baseline = str(table["baseline"].iloc[0]) if "baseline" in table.columns and len(table) else "0"
        ax.set_title(f"{name[:1].upper()}{name[1:]}: {_short_verdict(verdict, baseline)}", fontsize=10)
        drawn.append(ax)
    for ax in axes[0][len(drawn) :]:
        ax.set_visible(False)
    for ax in drawn[1:]:
        ax.set_ylabel("")
    return drawn


def plot_adherence(table: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Share of incidents at each step of an escalation policy, from :func:`escalation_adherence`."""
    ax = _axes(ax, (7, 0.6 * len(table) + 1.2))
    y = np.arange(len(table))[::-1]
    ax.barh(y, table["share"], color=_MAIN, alpha=0.8)
    _whiskers(ax, table, "share", y, along="x")
    if "recorded_share" in table.columns and table["recorded_share"].notna().any():
        ax.scatter(table["recorded_share"], y, marker="D", color=_CUSTOMER, zorder=3, label="recorded levels")
        ax.legend(loc="lower right", fontsize=8)
    labels = [
        f"{step} ({minutes:g} min)" for step, minutes in zip(table["step"], table["minutes"], strict=True)
    ]
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1))
    ax.set_xlabel("share of incidents")
    ax.set_title("Escalation policy: who acknowledged, and when", fontsize=10)
    return ax


def plot_ping_pong(pairs: pd.DataFrame, *, ax: Axes | None = None) -> Axes:
    """Group pairs that bounce incidents most, from :func:`ping_pong_pairs`."""
    ax = _axes(ax, (7, 0.4 * max(len(pairs), 1) + 1.2))
    y = np.arange(len(pairs))[::-1]
    ax.barh(y, pairs["incidents"], color=_MAIN, alpha=0.8)
    labels = [f"{a} → {b} → {a}" for a, b in zip(pairs["from_group"], pairs["to_group"], strict=True)]
    ax.set_yticks(y, labels)
    for yi, hours in zip(y, pairs["total_hours"], strict=True):
        ax.annotate(
            f"{hours:,.0f} h away",
            (0, yi),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color="white",
        )
    ax.set_xlabel("incidents bounced (in the bar: total time away)")
    ax.set_title("Ping-pong: incidents handed back to a group", fontsize=10)
    return ax


def plot_channels(table: pd.DataFrame, *, ax: Axes | None = None, metric: str = "time to recover") -> Axes:
    """Median time to recover per detection channel, customer-reported ones highlighted (:func:`channel_summary`)."""
    ax = _axes(ax, (7, 0.45 * max(len(table), 1) + 1.2))
    shown = table[table["median"].notna()]
    y = np.arange(len(shown))[::-1]
    colors = [
        _CUSTOMER if c else (_MUTED if k == "unknown" else _MAIN)
        for c, k in zip(shown["customer_reported"], shown["kind"], strict=True)
    ]
    ax.scatter(shown["median"], y, color=colors, zorder=3)
    _whiskers(ax, shown, "median", y, along="x")
    labels = [f"{name} ({_share(share)})" for name, share in zip(shown.index, shown["share"], strict=True)]
    ax.set_yticks(y, labels)
    values = shown[["median_low", "median", "median_high"]].to_numpy(dtype=float)
    finite = values[np.isfinite(values) & (values > 0)]
    if len(finite):
        _log_minutes_axis(ax, "x", float(finite.min()), float(finite.max()))
    ax.set_xlabel(f"median {metric} (bars: {interval_level(table)} interval; orange: reported by customers)")
    ax.set_title("Detection channels: share of incidents and time to recover", fontsize=10)
    return ax
