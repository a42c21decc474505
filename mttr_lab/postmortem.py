"""A Markdown post-mortem draft for one incident: header, timeline, and sections for people to fill."""

from __future__ import annotations

import re

import pandas as pd

from .frames import INCIDENTS, require
from .schema import MILESTONES, InputError
from .units import format_minutes

__all__ = ["escape_markdown", "postmortem_markdown"]

_LABELS = {
    "started_at": "Impact started",
    "detected_at": "Detected",
    "acknowledged_at": "Acknowledged",
    "diagnosed_at": "Cause identified",
    "recovered_at": "Service recovered",
    "resolved_at": "Resolved",
}
#: What Markdown reads as markup inside a line (export text is never at a line's start: it follows
#: a heading's words or a table's pipe): backslash, code, emphasis, links, table pipes,
#: strikethrough. An underscore inside a word (``api_gateway``) is no emphasis and stays as it is.
_SPECIAL = re.compile(r"([\\`*\[\]|~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")


def escape_markdown(text: object) -> str:
    """Text from an export made inert in Markdown: HTML characters as entities, markup escaped."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return "—"
    value = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    value = _SPECIAL.sub(r"\\\1", value)
    value = re.sub(r"#+\s*$", lambda m: m.group(0).replace("#", "\\#"), value)  # no heading's closing #
    return " ".join(value.split())  # no line breaks inside a table cell or heading


def _stamp(value: pd.Timestamp) -> str:
    return "not recorded" if pd.isna(value) else value.strftime("%Y-%m-%d %H:%M UTC")


def postmortem_markdown(incidents: pd.DataFrame, incident_id: str) -> str:
    """A post-mortem draft in Markdown, from the incident's record.

    The header and the timeline come from the export (every text escaped, so a title such as
    ``<script>`` shows as text); root cause, contributing factors, what went well, what to
    improve and owners are left for people to write.

    Parameters
    ----------
    incidents : DataFrame
        The canonical ``incidents`` frame.
    incident_id : str
        The incident to write up.

    Returns
    -------
    str
        Markdown.

    Raises
    ------
    InputError
        When the id is not in the export.
    """
    require(incidents, INCIDENTS, function="postmortem_markdown")
    rows = incidents[incidents["incident_id"] == str(incident_id)]
    if rows.empty:
        raise InputError(
            f"no incident with id {incident_id!r} in the export",
            expected=f"one of {', '.join(map(str, incidents['incident_id'].dropna().head(5)))}, ...",
        )
    live = rows[rows["exclude_reason"].isna()] if "exclude_reason" in rows else rows
    row = (live if not live.empty else rows).iloc[-1]
    start = row["started_at"] if pd.notna(row["started_at"]) else row["detected_at"]
    end = row["recovered_at"] if pd.notna(row["recovered_at"]) else row["resolved_at"]
    impact = None
    if pd.notna(start) and pd.notna(end):
        impact = (
            format_minutes((end - start) / pd.Timedelta(minutes=1))
            if end >= start
            else "unknown (milestones out of order)"
        )
    lines = [
        f"# Post-mortem: {escape_markdown(row['title'])}",
        "",
        "| | |",
        "|---|---|",
        f"| Incident | {escape_markdown(row['incident_id'])} |",
        f"| Severity | {escape_markdown(row['severity'])} (source label: {escape_markdown(row.get('severity_raw'))}) |",
        f"| Service | {escape_markdown(row['service'])} |",
        f"| Team | {escape_markdown(row['team'])} |",
        f"| Status | {'resolved' if pd.notna(row['resolved_at']) else 'open'} |",
        f"| Customer impact | {impact or 'unknown (start or recovery not recorded)'} |",
        f"| Source | {escape_markdown(row['source'])} |",
        "",
        "## Timeline (UTC)",
        "",
        "| Milestone | Time | Since previous |",
        "|---|---|---|",
    ]
    previous = None
    for name in MILESTONES:
        value = row[name]
        gap = ""
        if pd.notna(value) and previous is not None:
            delta = (value - previous) / pd.Timedelta(minutes=1)
            gap = format_minutes(delta) if delta >= 0 else "before the previous milestone: check the record"
        lines.append(f"| {_LABELS[name]} | {_stamp(value)} | {gap} |")
        if pd.notna(value) and (previous is None or value >= previous):
            previous = value
    if pd.notna(row.get("exclude_reason")):
        lines += ["", f"> This record is not analysed: {escape_markdown(row['exclude_reason'])}."]
    for section in ("Summary", "Root cause", "Contributing factors", "What went well", "What we'll improve"):
        lines += ["", f"## {section}", "", "_To be written by the incident team._"]
    lines += ["", "## Action items", "", "| Action | Owner | Due |", "|---|---|---|", "| | | |", ""]
    return "\n".join(lines)
