"""The curated notebooks: thin, committed executed, no warnings or errors in their outputs.

nbval (``pytest --nbval``, configured in pyproject.toml) re-runs them and compares outputs;
these checks catch what nbval lets pass: a cell never executed or stored without outputs.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
TEMPLATES = sorted((Path(__file__).resolve().parents[1] / "mttr_lab" / "templates").glob("*.ipynb"))


def test_there_are_notebooks():
    assert {f"0{i}" for i in range(1, 8)} <= {p.name[:2] for p in NOTEBOOKS}  # the curated 01-07, at least


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_code_cell_was_executed_without_warnings(path):
    nb = nbformat.read(path, as_version=4)
    for number, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        assert cell.execution_count is not None, f"{path.name} cell {number} was never executed"
        for output in cell.outputs:
            assert output.output_type != "error", f"{path.name} cell {number} stored an error"
            assert not (output.output_type == "stream" and output.name == "stderr"), (
                f"{path.name} cell {number} printed to stderr: {output.text[:200]}"
            )


@pytest.mark.parametrize("path", NOTEBOOKS + TEMPLATES, ids=lambda p: p.stem)
def test_notebooks_are_thin(path):
    nb = nbformat.read(path, as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    assert any("parameters" in c.metadata.get("tags", []) for c in nb.cells if c.cell_type == "code")
    assert any("import mttr_lab as mttr" in src for src in code)
    for src in code:
        assert not re.search(r"^\s*(def|class|for|while)\b", src, flags=re.M), src
        assert "sys.path" not in src


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_prose_hard_codes_no_number(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        # Numbers in prose may name notebooks (02_baseline), percentiles (p90), or method constants
        # written with a unit of the method ("95 %"); a measured figure must come from a cell.
        text = re.sub(r"`[^`]*`|\bp\d\d\b|\d\d_\w+|\b\d+ ?%|\b(19|20)\d\d\b", "", cell.source)
        assert not re.search(r"\b\d+([.,]\d+)?\s*(min|minutes|h|hours|days|incidents)\b", text), cell.source
