"""Playbooks: read them, match incidents to them, and see what having one is associated with.

A playbook file is YAML in the format of the guide this project follows: one entry per incident
type, each a mapping with ``severity``, ``detection`` (alert texts, ``"Alert: ..."``),
``initial_response``, ``escalation_path`` (``"Primary on-call (5 min timeout)"``, ...; the last
level may have no timeout), ``diagnosis_tree``, ``recovery_actions``, ``validation`` and
``communication``, plus an optional ``services: [...]``. The file may also hold a list of such
mappings (each with a ``name``) or a single one.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from .compare import median_ratio_interval
from .frames import DURATIONS, INCIDENTS, require
from .readers._files import read_text
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

#: The keys of a playbook in the guide's format (``services`` and ``name`` are optional too).
PLAYBOOK_KEYS: tuple[str, ...] = (
    "severity",
    "detection",
    "initial_response",
    "escalation_path",
    "diagnosis_tree",
    "recovery_actions",
    "validation",
    "communication",
)
_OPTIONAL = ("services", "name", "title", "incident_type", "description")
_LIST_KEYS = (
    "detection",
    "initial_response",
    "escalation_path",
    "recovery_actions",
    "validation",
    "communication",
)

#: What the comparison with and without a playbook cannot say.
PLAYBOOK_CAVEAT = (
    "observational: playbooks are written for the incidents people already know, so incidents "
    "with one differ from the others in more than the playbook"
)

_TIMEOUT = re.compile(r"^(?P<who>.*?)\s*\(\s*(?P<body>[^()]*?)\s*timeout\s*\)\s*$", re.IGNORECASE)
_MINUTES = re.compile(r"^(?P<n>\d+(?:\.\d+)?)\s*(?:m|min|mins|minute|minutes)$", re.IGNORECASE)
_ALERT = re.compile(r"^\s*alert\s*:\s*(?P<text>.+?)\s*$", re.IGNORECASE)


class _Node:
    """A YAML value with the line it starts on."""

    def __init__(self, value: Any, line: int) -> None:
        self.value = value
        self.line = line


def _tree(node: yaml.Node, loader: yaml.SafeLoader) -> _Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        return _Node({str(loader.construct_object(k)): _tree(v, loader) for k, v in node.value}, line)
    if isinstance(node, yaml.SequenceNode):
        return _Node([_tree(v, loader) for v in node.value], line)
    return _Node(loader.construct_object(node), line)


def _plain(node: _Node) -> Any:
    if isinstance(node.value, dict):
        return {k: _plain(v) for k, v in node.value.items()}
    if isinstance(node.value, list):
        return [_plain(v) for v in node.value]
    return node.value


def _load(path: Path) -> _Node:
    file = str(path)
    text = read_text(path)
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            f"not valid YAML ({getattr(exc, 'problem', None) or exc})",
            file=file,
            record=f"line {mark.line + 1}" if mark else None,
            expected="a YAML playbook file",
        ) from None
    finally:
        loader.dispose()
    if root is None:
        raise InputError("the file is empty", file=file, expected="one or more playbooks")
    loader = yaml.SafeLoader("")
    return _tree(root, loader)


def _entries(root: _Node, *, file: str, stem: str) -> list[tuple[str, _Node]]:
    """(name, body) of each playbook, from a mapping of playbooks, a list, or a single one."""
    if isinstance(root.value, dict):
        if set(root.value) & set(PLAYBOOK_KEYS):
            name = root.value.get("name") or root.value.get("title") or root.value.get("incident_type")
            return [(str(name.value) if name else stem, root)]
        return [(name, body) for name, body in root.value.items()]
    if isinstance(root.value, list):
        out = []
        for i, body in enumerate(root.value, start=1):
            if not isinstance(body.value, dict):
                raise InputError(
                    "a playbook is not a mapping",
                    file=file,
                    record=f"line {body.line}",
                    found=_plain(body),
                    expected="a mapping with severity, detection, escalation_path, ...",
                )
            name = body.value.get("name") or body.value.get("title") or body.value.get("incident_type")
            out.append((str(name.value) if name else f"{stem} {i}", body))
        return out
    raise InputError(
        "the file is not a mapping of playbooks",
        file=file,
        record=f"line {root.line}",
        found=root.value,
        expected="playbook name: {severity: ..., escalation_path: [...], ...}",
    )


def _texts(node: _Node | None, *, file: str, name: str, key: str) -> list[str]:
    if node is None or node.value is None:
        return []
    if isinstance(node.value, (str, int, float)):
        return [str(node.value)]
    if not isinstance(node.value, list):
        raise InputError(
            f"{key} of playbook {name!r} is a mapping where a list belongs",
            file=file,
            record=f"line {node.line}",
            field=key,
            found=_plain(node),
            expected="a list of steps",
        )
    out = []
    for item in node.value:
        if isinstance(item.value, dict):  # {alert: "..."} or {step: ...}: its values as text
            out.append("; ".join(f"{k}: {_plain(v)}" for k, v in item.value.items()))
        elif isinstance(item.value, list):
            raise InputError(
                f"{key} of playbook {name!r} holds a nested list",
                file=file,
                record=f"line {item.line}",
                field=key,
                found=_plain(item),
                expected="one step per item",
            )
        elif item.value is not None:
            out.append(str(item.value))
    return out


def _levels(node: _Node | None, *, file: str, name: str) -> tuple[list[str], list[float]]:
    who: list[str] = []
    minutes: list[float] = []
    if node is None:
        return who, minutes
    if not isinstance(node.value, list):
        raise InputError(
            f"escalation_path of playbook {name!r} is not a list",
            file=file,
            record=f"line {node.line}",
            field="escalation_path",
            found=_plain(node),
            expected="a list such as ['Primary on-call (5 min timeout)', 'Team lead']",
        )
    for item in node.value:
        value = item.value
        if isinstance(value, dict) and len(value) == 1:  # {"Primary on-call": "5 min"}
            ((label, inner),) = value.items()
            value = f"{label} ({_plain(inner)} timeout)"
        if not isinstance(value, str):
            raise InputError(
                f"a level of the escalation path of playbook {name!r} is not text",
                file=file,
                record=f"line {item.line}",
                field="escalation_path",
                found=_plain(item),
                expected="'Who (N min timeout)'",
            )
        hit = _TIMEOUT.match(value)
        if hit is None:
            who.append(value.strip())
            minutes.append(np.nan)
            continue
        amount = _MINUTES.match(hit.group("body"))
        if amount is None or float(amount.group("n")) <= 0:
            raise InputError(
                f"a timeout in the escalation path of playbook {name!r} is not minutes",
                file=file,
                record=f"line {item.line}",
                field="escalation_path",
                found=value,
                expected="'(N min timeout)' with N a positive number of minutes",
            )
        who.append(hit.group("who").strip())
        minutes.append(float(amount.group("n")))
    missing = [i for i, m in enumerate(minutes[:-1]) if np.isnan(m)]
    if missing:
        item = node.value[missing[0]]
        raise InputError(
            f"a level before the last of playbook {name!r} has no timeout",
            file=file,
            record=f"line {item.line}",
            field="escalation_path",
            found=_plain(item),
            expected="'(N min timeout)' on every level but the last",
        )
    return who, minutes


def read_playbooks(path: str | Path) -> pd.DataFrame:
    """Read playbook YAML in the guide's format.

    Returns
    -------
    DataFrame
        One row per playbook: ``playbook`` (its name), ``severity``, ``services`` (list; empty
        when not given), ``alerts`` (the alert texts of ``detection``: the part after
        ``"Alert:"`` of the lines written so; other detection lines are signals, not alerts), ``levels`` (who each escalation
        level is), ``timeouts`` (minutes per level; NaN for a last level without one),
        ``path_minutes`` (sum of the timeouts), ``initial_response``, ``diagnosis_steps``,
        ``recovery_actions``, ``validation``, ``communication`` (number of items), ``line``.

    Raises
    ------
    InputError
        Naming the file, the line and the key when the YAML is not in the playbook shape: a
        list where a mapping belongs, a mapping where a list belongs, a timeout that is not
        minutes, an unknown key.
    """
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InputError("no such file", file=file, expected="a playbook YAML file")
    root = _load(path)
    rows = []
    for name, body in _entries(root, file=file, stem=path.stem):
        if not isinstance(body.value, dict):
            raise InputError(
                f"playbook {name!r} is not a mapping",
                file=file,
                record=f"line {body.line}",
                found=_plain(body),
                expected="a mapping with severity, detection, escalation_path, ...",
            )
        fields = body.value
        unknown = [k for k in fields if k not in PLAYBOOK_KEYS and k not in _OPTIONAL]
        if unknown:
            raise InputError(
                f"playbook {name!r} has an unknown key {unknown[0]!r}",
                file=file,
                record=f"line {fields[unknown[0]].line}",
                field=unknown[0],
                expected="keys among " + ", ".join((*PLAYBOOK_KEYS, "services")),
            )
        if not set(fields) & {"escalation_path", "detection", "services"}:
            raise InputError(
                f"playbook {name!r} has neither an escalation_path, a detection nor services",
                file=file,
                record=f"line {body.line}",
                expected="at least one of escalation_path, detection, services",
            )
        severity = fields.get("severity")
        if severity is not None and isinstance(severity.value, (dict, list)):
            raise InputError(
                f"severity of playbook {name!r} is not a single value",
                file=file,
                record=f"line {severity.line}",
                field="severity",
                found=_plain(severity),
                expected="a label such as P1 or SEV2",
            )
        alerts = []
        for line in _texts(fields.get("detection"), file=file, name=name, key="detection"):
            hit = _ALERT.match(line)
            if hit:
                alerts.append(hit.group("text"))
        levels, timeouts = _levels(fields.get("escalation_path"), file=file, name=name)
        tree = fields.get("diagnosis_tree")
        rows.append(
            {
                "playbook": str(name),
                "severity": None if severity is None or severity.value is None else str(severity.value),
                "services": _texts(fields.get("services"), file=file, name=name, key="services"),
                "alerts": alerts,
                "levels": levels,
                "timeouts": timeouts,
                "path_minutes": float(np.nansum(timeouts)) if timeouts else np.nan,
                "initial_response": len(
                    _texts(fields.get("initial_response"), file=file, name=name, key="initial_response")
                ),
                "diagnosis_steps": len(tree.value)
                if tree is not None and isinstance(tree.value, (list, dict))
                else 0,
                "recovery_actions": len(
                    _texts(fields.get("recovery_actions"), file=file, name=name, key="recovery_actions")
                ),
                "validation": len(_texts(fields.get("validation"), file=file, name=name, key="validation")),
                "communication": len(
                    _texts(fields.get("communication"), file=file, name=name, key="communication")
                ),
                "line": body.line,
            }
        )
    out = pd.DataFrame(rows)
    return out.astype({"playbook": "str", "severity": "str"})


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
    """
    _require(
        coverage, ("incident_id", "playbook"), "a coverage frame", "playbook_coverage(incidents, playbooks)"
    )
    keys = [by] if isinstance(by, str) else list(by)
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
        median without), ``ratio_low``, ``ratio_high`` (seeded bootstrap) and ``caveat``.
    """
    require(durations, DURATIONS, function="playbook_effect")
    _require(durations, ("incident_id", metric), "a durations frame", "phase_durations(incidents)")
    _require(
        coverage, ("incident_id", "playbook"), "a coverage frame", "playbook_coverage(incidents, playbooks)"
    )
    has = coverage.drop_duplicates("incident_id").set_index("incident_id")["playbook"].notna()
    label = durations["incident_id"].map(has).map({True: "with playbook", False: "without playbook"})
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
    return table.assign(ratio=ratio, ratio_low=low, ratio_high=high, caveat=PLAYBOOK_CAVEAT)
