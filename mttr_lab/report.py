"""The review report: a parameterised notebook executed with papermill, converted to HTML."""

from __future__ import annotations

import sys
import tempfile
from importlib.resources import files
from pathlib import Path
from typing import Any

__all__ = ["TEMPLATE", "ReviewError", "render_report"]

#: The review notebook shipped inside the package.
TEMPLATE = "quarterly_review.ipynb"


class ReviewError(RuntimeError):
    """A cell of the review notebook failed; ``notebook`` is the partly executed copy to debug."""

    def __init__(self, message: str, *, notebook: Path) -> None:
        super().__init__(f"{message} (the partly executed review is in {notebook})")
        self.notebook = notebook


def render_report(
    export: str | Path,
    *,
    out: str | Path,
    source: str = "auto",
    tz: str | None = None,
    as_of: str | None = None,
    quarter: str | None = None,
    period: str = "quarter",
    start: str | None = None,
    end: str | None = None,
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
    period : {"quarter", "month", "week"}
        The cadence of the review; the latest complete one by ``as_of`` is reviewed (``quarter``
        names a quarter), compared with the one before it.
    start, end : str, optional
        Any window instead (its first and last local day, ISO dates), compared with the same
        number of days before it.
    template : path, optional
        Another notebook with a ``parameters`` cell; defaults to the packaged review.

    Returns
    -------
    Path
        The HTML file written.

    Raises
    ------
    ReviewError
        When a cell fails: one line naming the error, with the path of the partly executed
        notebook (beside ``out``, ending ``.failed.ipynb``).

    Notes
    -----
    The notebook runs in a kernel on this interpreter (``sys.executable``), whatever the
    ``python3`` kernel of the user's Jupyter points at, so it sees the same mttr_lab and pandas.
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
        "period": period,
        "start": start,
        "end": end,
        "columns": columns,
        "severity_map": severity_map,
        "dayfirst": dayfirst,
    }
    with tempfile.TemporaryDirectory() as tmp:
        executed = Path(tmp) / "review.ipynb"
        try:
            papermill.execute_notebook(
                str(notebook),
                str(executed),
                parameters=parameters,
                cwd=tmp,
                progress_bar=False,
                kernel_name="python3",
                kernel_manager_class=_local_kernel_manager(),
            )
        except papermill.PapermillExecutionError as exc:
            failed = out.with_name(out.stem + ".failed.ipynb")
            if executed.exists():
                failed.write_bytes(executed.read_bytes())
            lines = str(exc.evalue).strip().splitlines()
            raise ReviewError(f"{exc.ename}: {lines[-1] if lines else ''}", notebook=failed) from exc
        nb = nbformat.read(executed, as_version=4)
    nb.metadata["title"] = f"Incident recovery review: {export.name}"
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    exporter.exclude_raw = True
    body, _ = exporter.from_notebook_node(nb)
    out.write_text(body, encoding="utf-8")
    return out


def kernel_argv() -> list[str]:
    """The command that starts the review's kernel: ipykernel on this very interpreter."""
    return [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]


def _local_kernel_manager() -> type:
    """A kernel manager for this interpreter, over local sockets (IPC) instead of TCP ports.

    The kernel spec is made here rather than looked up by name: a user's own ``python3``
    kernel often points at another Python, without pandas or mttr_lab.
    """
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default

    class LocalKernelManager(AsyncKernelManager):
        @default("transport")
        def _transport_default(self) -> str:
            return "ipc"

        @property
        def kernel_spec(self) -> KernelSpec:
            return KernelSpec(argv=kernel_argv(), display_name="mttr_lab", language="python")

    return LocalKernelManager
