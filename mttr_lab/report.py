"""The review report: a parameterised notebook executed with papermill, converted to HTML."""

from __future__ import annotations

import tempfile
from importlib.resources import files
from pathlib import Path
from typing import Any

__all__ = ["TEMPLATE", "render_report"]

#: The review notebook shipped inside the package.
TEMPLATE = "quarterly_review.ipynb"


def render_report(
    export: str | Path,
    *,
    out: str | Path,
    source: str = "auto",
    tz: str | None = None,
    as_of: str | None = None,
    template: str | Path | None = None,
) -> Path:
    """Execute the review notebook on ``export`` and write it as a self-contained HTML page.

    Parameters
    ----------
    export : path
        The incident export to review.
    out : path
        The HTML file to write (its folder is created).
    source, tz, as_of
        Passed to the notebook's parameters (see :func:`mttr_lab.read_export`).
    template : path, optional
        Another notebook with a ``parameters`` cell; defaults to the packaged review.

    Returns
    -------
    Path
        The HTML file written.
    """
    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    export = Path(export).resolve()
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    notebook = Path(template) if template else Path(str(files("mttr_lab") / "templates" / TEMPLATE))
    parameters: dict[str, Any] = {"export": str(export), "source": source, "tz": tz, "as_of": as_of}
    with tempfile.TemporaryDirectory() as tmp:
        executed = Path(tmp) / "review.ipynb"
        papermill.execute_notebook(
            str(notebook),
            str(executed),
            parameters=parameters,
            cwd=tmp,
            progress_bar=False,
            kernel_name="python3",
        )
        nb = nbformat.read(executed, as_version=4)
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.exclude_raw = True
    body, _ = exporter.from_notebook_node(nb)
    out.write_text(body, encoding="utf-8")
    return out
