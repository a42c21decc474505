"""Playbook files: the guide's YAML format read into one row per playbook, errors with their line.

A playbook file is YAML in the format of the guide this project follows: one entry per incident
type, each a mapping with ``severity``, ``detection`` (alert texts, ``"Alert: ..."``),
``initial_response``, ``escalation_path`` (``"Primary on-call (5 min timeout)"``, ...; the last
level may have no timeout), ``diagnosis_tree``, ``recovery_actions``, ``validation`` and
``communication``, plus an optional ``services: [...]``. The file may also hold a list of such
mappings (each with a ``name``) or a single one. What playbooks are associated with is
:mod:`mttr_lab.playbooks`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from .readers._files import read_text
from .schema import InputError

__all__ = ["PLAYBOOK_KEYS", "read_playbooks"]

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

_TIMEOUT = re.compile(r"^(?P<who>.*?)\s*\(\s*(?P<body>[^()]*?)\s*timeout\s*\)\s*$", re.IGNORECASE)
_MINUTES = re.compile(r"^(?P<n>\d+(?:\.\d+)?)\s*(?:m|min|mins|minute|minutes)$", re.IGNORECASE)
_ALERT = re.compile(r"^\s*alert\s*:\s*(?P<text>.+?)\s*$", re.IGNORECASE)


class _Node:
    """A YAML value with the line it starts on."""

    def __init__(self, value: Any, line: int) -> None:
        self.value = value
        self.line = line


def _tree(node: yaml.Node, loader: yaml.SafeLoader, *, file: str, top: bool = True) -> _Node:
    """The YAML as :class:`_Node` values; a key repeated in one mapping is an error (YAML would
    silently keep the last one, losing a playbook)."""
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        out: dict[str, _Node] = {}
        lines: dict[str, int] = {}
        for k, v in node.value:
            key = str(loader.construct_object(k))
            if key in out:
                named = top and key not in PLAYBOOK_KEYS + _OPTIONAL
                raise InputError(
                    f"{'playbook' if named else 'key'} {key!r} appears twice (first at line {lines[key]}); "
                    "the second would replace the first",
                    file=file,
                    record=f"line {k.start_mark.line + 1}",
                    expected="each name once",
                )
            out[key], lines[key] = _tree(v, loader, file=file, top=False), k.start_mark.line + 1
        return _Node(out, line)
    if isinstance(node, yaml.SequenceNode):
        return _Node([_tree(v, loader, file=file, top=False) for v in node.value], line)
    return _Node(loader.construct_object(node), line)


def _plain(node: _Node) -> Any:
    if isinstance(node.value, dict):
        return {k: _plain(v) for k, v in node.value.items()}
    if isinstance(node.value, list):
        return [_plain(v) for v in node.value]
    return node.value


_PLAIN = object()


def _at(
    message: str,
    node: _Node,
    *,
    file: str,
    expected: str,
    field: str | None = None,
    found: object = _PLAIN,
) -> InputError:
    """The error for what is wrong at ``node``: its file and line, and what was found there
    (the node as plain data unless ``found`` is given; ``None`` for nothing)."""
    return InputError(
        message,
        file=file,
        record=f"line {node.line}",
        field=field,
        found=_plain(node) if found is _PLAIN else found,
        expected=expected,
    )


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
    return _tree(root, loader, file=file)


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
                raise _at(
                    "a playbook is not a mapping",
                    body,
                    file=file,
                    expected="a mapping with severity, detection, escalation_path, ...",
                )
            name = body.value.get("name") or body.value.get("title") or body.value.get("incident_type")
            out.append((str(name.value) if name else f"{stem} {i}", body))
        return out
    raise _at(
        "the file is not a mapping of playbooks",
        root,
        file=file,
        found=root.value,
        expected="playbook name: {severity: ..., escalation_path: [...], ...}",
    )


def _texts(node: _Node | None, *, file: str, name: str, key: str) -> list[str]:
    if node is None or node.value is None:
        return []
    if isinstance(node.value, (str, int, float)):
        return [str(node.value)]
    if not isinstance(node.value, list):
        raise _at(
            f"{key} of playbook {name!r} is a mapping where a list belongs",
            node,
            file=file,
            field=key,
            expected="a list of steps",
        )
    out = []
    for item in node.value:
        if isinstance(item.value, dict):  # {alert: "..."} or {step: ...}: its values as text
            out.append("; ".join(f"{k}: {_plain(v)}" for k, v in item.value.items()))
        elif isinstance(item.value, list):
            raise _at(
                f"{key} of playbook {name!r} holds a nested list",
                item,
                file=file,
                field=key,
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

    def wrong(message: str, at: _Node, expected: str, found: object = _PLAIN) -> InputError:
        """An error in this playbook's escalation path."""
        return _at(message, at, file=file, field="escalation_path", found=found, expected=expected)

    if not isinstance(node.value, list):
        example = "a list such as ['Primary on-call (5 min timeout)', 'Team lead']"
        raise wrong(f"escalation_path of playbook {name!r} is not a list", node, example)
    for item in node.value:
        value = item.value
        if isinstance(value, dict) and len(value) == 1:  # {"Primary on-call": "5 min"}
            ((label, inner),) = value.items()
            value = f"{label} ({_plain(inner)} timeout)"
        if not isinstance(value, str):
            raise wrong(
                f"a level of the escalation path of playbook {name!r} is not text",
                item,
                "'Who (N min timeout)'",
            )
        hit = _TIMEOUT.match(value)
        if hit is None:
            who.append(value.strip())
            minutes.append(np.nan)
            continue
        amount = _MINUTES.match(hit.group("body"))
        if amount is None or float(amount.group("n")) <= 0:
            raise wrong(
                f"a timeout in the escalation path of playbook {name!r} is not minutes",
                item,
                "'(N min timeout)' with N a positive number of minutes",
                found=value,
            )
        who.append(hit.group("who").strip())
        minutes.append(float(amount.group("n")))
    missing = [i for i, m in enumerate(minutes[:-1]) if np.isnan(m)]
    if missing:
        raise wrong(
            f"a level before the last of playbook {name!r} has no timeout",
            node.value[missing[0]],
            "'(N min timeout)' on every level but the last",
        )
    return who, minutes


def _fields(name: str, body: _Node, *, file: str) -> dict[str, _Node]:
    """The keys of one playbook, checked: a mapping, known keys, something to match, one severity."""
    if not isinstance(body.value, dict):
        raise _at(
            f"playbook {name!r} is not a mapping",
            body,
            file=file,
            expected="a mapping with severity, detection, escalation_path, ...",
        )
    fields = body.value
    unknown = [k for k in fields if k not in PLAYBOOK_KEYS and k not in _OPTIONAL]
    if unknown:
        raise _at(
            f"playbook {name!r} has an unknown key {unknown[0]!r}",
            fields[unknown[0]],
            file=file,
            field=unknown[0],
            found=None,
            expected="keys among " + ", ".join((*PLAYBOOK_KEYS, "services")),
        )
    if not set(fields) & {"escalation_path", "detection", "services"}:
        raise _at(
            f"playbook {name!r} has neither an escalation_path, a detection nor services",
            body,
            file=file,
            found=None,
            expected="at least one of escalation_path, detection, services",
        )
    severity = fields.get("severity")
    if severity is not None and isinstance(severity.value, (dict, list)):
        raise _at(
            f"severity of playbook {name!r} is not a single value",
            severity,
            file=file,
            field="severity",
            expected="a label such as P1 or SEV2",
        )
    return fields


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
        minutes, an unknown key, a playbook name (or a key of one playbook) given twice.
    """
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InputError("no such file", file=file, expected="a playbook YAML file")
    root = _load(path)
    rows = []
    for name, body in _entries(root, file=file, stem=path.stem):
        fields = _fields(name, body, file=file)
        severity = fields.get("severity")
        alerts = []
        for line in _texts(fields.get("detection"), file=file, name=name, key="detection"):
            hit = _ALERT.match(line)
            if hit:
                alerts.append(hit.group("text"))
        levels, timeouts = _levels(fields.get("escalation_path"), file=file, name=name)
        tree = fields.get("diagnosis_tree")
        services = _texts(fields.get("services"), file=file, name=name, key="services")
        steps = {
            key: len(_texts(fields.get(key), file=file, name=name, key=key))
            for key in ("initial_response", "recovery_actions", "validation", "communication")
        }
        rows.append(
            {
                "playbook": str(name),
                "severity": None if severity is None or severity.value is None else str(severity.value),
                "services": services,
                "alerts": alerts,
                "levels": levels,
                "timeouts": timeouts,
                "path_minutes": float(np.nansum(timeouts)) if timeouts else np.nan,
                "initial_response": steps["initial_response"],
                "diagnosis_steps": len(tree.value)
                if tree is not None and isinstance(tree.value, (list, dict))
                else 0,
                "recovery_actions": steps["recovery_actions"],
                "validation": steps["validation"],
                "communication": steps["communication"],
                "line": body.line,
            }
        )
    out = pd.DataFrame(rows)
    return out.astype({"playbook": "str", "severity": "str"})
