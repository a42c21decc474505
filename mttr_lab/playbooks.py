"""Playbooks: read them, match incidents to them, and see what having one is associated with.

A playbook file is YAML in the format of the guide this project follows: one entry per incident
type, each a mapping with ``severity``, ``detection`` (alert texts, ``"Alert: ..."``),
``initial_response``, ``escalation_path`` (``"Primary on-call (5 min timeout)"``, ...; the last
level may have no timeout), ``diagnosis_tree``, ``recovery_actions``, ``validation`` and
``communication``, plus an optional ``services: [...]``. The file may also hold a list of such
mappings (each with a ``name``) or a single one; :mod:`mttr_lab.playbook_files` reads it
(``read_playbooks`` and ``PLAYBOOK_KEYS`` are named here too).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .compare import median_ratio_interval
from .frames import DURATIONS, INCIDENTS, require
from .playbook_files import PLAYBOOK_KEYS, read_playbooks
from .schema import InputError
from .stats import censored_minutes, duration_summary

__all__ = [
    "PLAYBOOK_CAVEAT",
    "PLAYBOOK_KEYS",
    "coverage_table",
    "playbook_coverage",
    "playbook_effect",
    "read_playbooks",
]

#: What the comparison with and without a playbook cannot say.
PLAYBOOK_CAVEAT = (
    "observational: playbooks are written for the incidents people already know, so incidents "
    "with one differ from the others in more than the playbook"
)


def _require(frame: Any, columns: tuple[str, ...], what: str, hint: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"expected {what}", found=type(frame).__name__, expected=hint)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"the frame is not {what}", field=missing[0], expected=hint)


def playbook_coverage(incidents: pd.DataFrame, playbooks: pd.DataFrame) -> pd.DataFrame:
    """Which playbook, if any, covers each incident.

    An incident is matched by its ``service`` (exactly, ignoring case) to a playbook's
    ``services``; failing that, by a playbook's alert text found in the incident's title (the
    text after ``"Alert:"``, ignoring case). The first playbook in file order wins. What this
    cannot know: whether anyone opened the playbook, and incidents whose title does not repeat
    the alert's wording.

    Returns
    -------
    DataFrame
        One row per incident of ``incidents`` (including excluded records): ``incident_id``,
        ``service``, ``severity``, ``playbook`` (name, NA where none), ``matched_by``
        (``service``, ``alert``, NA).
    """
    require(incidents, INCIDENTS, function="playbook_coverage")
    _require(incidents, ("incident_id", "title", "service"), "an incidents frame", "read_export(...)")
    _require(playbooks, ("playbook", "services", "alerts"), "a playbooks frame", "read_playbooks(...)")
    by_service: dict[str, str] = {}
    alerts: list[tuple[str, str]] = []
    for name, services, texts in zip(
        playbooks["playbook"], playbooks["services"], playbooks["alerts"], strict=True
    ):
        for service in services:
            by_service.setdefault(str(service).strip().casefold(), name)
        alerts.extend((str(t).strip().casefold(), name) for t in texts if str(t).strip())
    service = incidents["service"].astype("str")
    title = incidents["title"].astype("str").str.casefold()
    matched = service.str.strip().str.casefold().map(by_service)
    how = pd.Series(pd.NA, index=incidents.index, dtype="str").mask(matched.notna(), "service")
    for text, name in alerts:
        hit = matched.isna() & title.str.contains(text, regex=False).fillna(False).astype(bool)
        matched = matched.mask(hit, name)
        how = how.mask(hit, "alert")
    out = pd.DataFrame(
        {
            "incident_id": incidents["incident_id"].astype("str"),
            "service": service,
            "severity": incidents["severity"] if "severity" in incidents.columns else pd.NA,
            "playbook": matched.astype("str"),
            "matched_by": how,
        }
    )
    return out.reset_index(drop=True)


def coverage_table(coverage: pd.DataFrame, *, by: str | list[str] = "service") -> pd.DataFrame:
    """Share of incidents with a playbook, per service (or severity, or both).

    Returns
    -------
    DataFrame
        Indexed by ``by``: ``incidents``, ``with_playbook``, ``share`` (0-1), most incidents first.

    Raises
    ------
    InputError
        When ``by`` names a column the coverage does not have (it has ``service`` and ``severity``).
    """
    _require(
        coverage, ("incident_id", "playbook"), "a coverage frame", "playbook_coverage(incidents, playbooks)"
    )
    keys = [by] if isinstance(by, str) else list(by)
    groupable = [c for c in coverage.columns if c not in ("incident_id", "playbook", "matched_by")]
    absent = [k for k in keys if k not in coverage.columns]
    if absent:
        raise InputError(
            f"cannot group the coverage by {absent[0]!r}: it has no such column",
            expected="one of " + (", ".join(map(str, groupable)) or "service, severity"),
        )
    frame = coverage.assign(_has=coverage["playbook"].notna())
    for key in keys:
        frame[key] = frame[key].astype("str").fillna("unknown")
    table = frame.groupby(keys, observed=True, sort=True).agg(
        incidents=("_has", "size"), with_playbook=("_has", "sum")
    )
    table["share"] = table["with_playbook"] / table["incidents"]
    return table.sort_values("incidents", ascending=False, kind="stable")


def playbook_effect(
    durations: pd.DataFrame,
    coverage: pd.DataFrame,
    *,
    metric: str = "time_to_recover",
    confidence: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """Time to recover with and without a playbook, with intervals and the caveat.

    Returns
    -------
    DataFrame
        Indexed ``with playbook`` / ``without playbook``: ``count``, ``observed``, ``median``,
        ``median_low``, ``median_high`` (minutes); on both rows ``ratio`` (median with over
        median without), ``ratio_low``, ``ratio_high`` (seeded bootstrap) and ``caveat`` (which
        also says how many incidents the coverage matched when it did not match them all).

    Raises
    ------
    InputError
        When the coverage and the durations share no incident id (coverage of another export).
    """
    require(durations, DURATIONS, function="playbook_effect")
    _require(durations, ("incident_id", metric), "a durations frame", "phase_durations(incidents)")
    _require(
        coverage, ("incident_id", "playbook"), "a coverage frame", "playbook_coverage(incidents, playbooks)"
    )
    has = coverage.drop_duplicates("incident_id").set_index("incident_id")["playbook"].notna()
    has.index = has.index.astype("str")
    ids = durations["incident_id"].astype("str")
    matched = int(ids.isin(has.index).sum())
    if matched == 0 and len(durations) and len(coverage):
        raise InputError(
            "the durations and the coverage share no incident id",
            field="incident_id",
            found=f"{ids.iloc[0]!r} and {has.index[0]!r}",
            expected="phase_durations and playbook_coverage of the same export",
        )
    caveat = PLAYBOOK_CAVEAT
    if matched < len(durations):
        caveat += (
            f"; the coverage matched {matched} of {len(durations)} incidents: the other "
            f"{len(durations) - matched} are counted without a playbook"
        )
    label = ids.map(has).map({True: "with playbook", False: "without playbook"})
    frame = durations.assign(_playbook=label.fillna("without playbook").astype("str"))
    summary = duration_summary(frame, metric=metric, by="_playbook", confidence=confidence, seed=seed)
    summary.index.name = "playbook"
    table = summary[["count", "observed", "median", "median_low", "median_high"]].copy()
    minutes = censored_minutes(frame, metric=metric)
    closed = (minutes["minutes"].notna() & ~minutes["censored"]).to_numpy()
    values = minutes["minutes"].to_numpy()
    with_ = values[closed & (frame["_playbook"] == "with playbook").to_numpy()]
    without = values[closed & (frame["_playbook"] == "without playbook").to_numpy()]
    low, high, _ = median_ratio_interval(without, with_, confidence=confidence, n_resamples=2000, seed=seed)
    ratio = (
        float(np.median(with_) / np.median(without))
        if len(with_) and len(without) and np.median(without) > 0
        else np.nan
    )
    return table.assign(ratio=ratio, ratio_low=low, ratio_high=high, caveat=caveat)
