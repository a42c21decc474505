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
    quarter: str | None = None,
    columns: dict[str, str] | None = None,
    severity_map: dict[str, str] | None = None,
    dayfirst: bool | None = None,
    template: str | Path | None = None,
) -> Path:
    """Execute the review notebook on ``export`` and write it as a self-contained HTML page.

    Parameters
    ----------
    export : path
        The incident export to review.
    out : path
        The HTML file to write (its folder is created).
    source, tz, columns, severity_map, dayfirst
        How to read the export (see :func:`mttr_lab.read_export`); ``tz`` is also the team's
        timezone for quarters and time of day (UTC when None).
    as_of : str, optional
        The review date (ISO 8601 with an offset); defaults to the latest timestamp in the data.
    quarter : str, optional
        ``"2026Q3"``; defaults to the latest quarter complete by ``as_of``.
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
    parameters: dict[str, Any] = {
        "export": str(export),
        "source": source,
        "tz": tz,
        "as_of": as_of,
        "quarter": quarter,
        "columns": columns,
        "severity_map": severity_map,
        "dayfirst": dayfirst,
    }
    with tempfile.TemporaryDirectory() as tmp:
        executed = Path(tmp) / "review.ipynb"
        papermill.execute_notebook(
            str(notebook),
            str(executed),
            parameters=parameters,
            cwd=tmp,
            progress_bar=False,
            kernel_name="python3",
            kernel_manager_class=_local_kernel_manager(),
        )
        nb = nbformat.read(executed, as_version=4)
    nb.metadata["title"] = f"Incident recovery review: {export.name}"
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.exclude_raw = True
    body, _ = exporter.from_notebook_node(nb)
    out.write_text(body, encoding="utf-8")
    return out


def _local_kernel_manager() -> type:
    """A kernel manager that talks to its kernel over local sockets (IPC) instead of TCP ports."""
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class LocalKernelManager(AsyncKernelManager):
        @default("transport")
        def _transport_default(self) -> str:
            return "ipc"

    return LocalKernelManager
