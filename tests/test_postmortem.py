"""The post-mortem draft: export text shows as written, whatever Markdown would make of it."""

from __future__ import annotations

import html
import re

import mistune
import pytest
from conftest import SAMPLE

import mttr_lab as mttr
from mttr_lab.postmortem import escape_markdown

TITLES = [
    "payments-api 5xx (EU) #3",
    "api_gateway + cache: 2.0 rollout!",
    "<script>alert(1)</script> | *bold* _under_ `code` ~~gone~~ [link](http://x)",
    "back\\slash and trailing #",
    "1. looks like a list",
]


def _cell_text(markdown: str) -> str:
    """The text of the one table cell a Markdown renderer makes of ``markdown``."""
    rendered = mistune.html(f"| a |\n|---|\n| {markdown} |\n")
    cell = re.search(r"<td>(.*)</td>", rendered, re.S)
    assert cell is not None, rendered
    return html.unescape(cell.group(1))


@pytest.mark.parametrize("title", TITLES)
def test_export_text_renders_as_written_in_a_table_cell(title):
    assert _cell_text(escape_markdown(title)) == title


@pytest.mark.parametrize("title", TITLES)
def test_export_text_renders_as_written_in_the_heading(title):
    rendered = mistune.html(f"# Post-mortem: {escape_markdown(title)}\n")
    heading = re.search(r"<h1>(.*)</h1>", rendered, re.S)
    assert heading is not None and html.unescape(heading.group(1)) == f"Post-mortem: {title}"


def test_only_what_markdown_needs_is_escaped():
    assert escape_markdown("payments-api (EU) #3 + 2.0!") == "payments-api (EU) #3 + 2.0!"
    assert escape_markdown("api_gateway") == "api_gateway"
    assert escape_markdown("_x_ *y* a|b") == "\\_x\\_ \\*y\\* a\\|b"
    assert escape_markdown(None) == "—"


def test_the_draft_of_a_sample_incident_has_its_sections():
    incidents = mttr.read_export(SAMPLE)
    incident_id = incidents["incident_id"].iloc[0]
    text = mttr.postmortem_markdown(incidents, incident_id)
    assert text.startswith("# Post-mortem: ")
    assert "## Root cause" in text and "| Incident |" in text
