"""The review report: a parameterised notebook executed on this interpreter, converted to HTML.

``python -m mttr_lab.report -f <connection file>`` runs the review's kernel (see :class:`ReviewKernel`).
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

__all__ = ["TEMPLATE", "ReviewError", "ReviewKernel", "render_report"]

#: The review notebook shipped inside the package.
TEMPLATE = "quarterly_review.ipynb"


class ReviewError(RuntimeError):
    """A cell of the review notebook failed; ``notebook`` is the partly executed copy to debug."""

    def __init__(self, message: str, *, notebook: Path) -> None:
        super().__init__(f"{message} (the partly executed review is in {notebook})")
        self.notebook = notebook


class ReviewKernel:
    """A kernel on this interpreter for :func:`render_report`, started ahead of it.

    The kernel imports what the review uses (pandas, scipy, matplotlib, mttr_lab) before it
    answers, so starting it first lets that happen while the caller reads and checks the export.
    :func:`render_report` uses it once and stops it; :meth:`close` (or leaving a ``with`` block)
    stops it when the review does not run.
    """

    def __init__(self) -> None:
        from jupyter_core.utils import run_sync

        self._folder = tempfile.TemporaryDirectory(prefix="mttr-review-")
        #: The kernel's working directory (removed on close).
        self.cwd = Path(self._folder.name)
        # Sockets are files in that folder: an absolute path, whatever the caller's directory.
        self.manager = _local_kernel_manager()(ip=str(self.cwd / "kernel"))
        run_sync(self.manager.start_kernel)(cwd=str(self.cwd))

    def _connect(self) -> Any:
        """A client of the kernel, once the kernel answers (it has made its imports by then)."""
        from jupyter_core.utils import run_sync

        client = self.manager.client()
        client.start_channels()
        try:
            run_sync(client.wait_for_ready)(timeout=60)
        except RuntimeError:
            client.stop_channels()
            raise
        client.allow_stdin = False
        return client

    def _kill(self) -> None:
        """Send the kernel SIGKILL without waiting for it to exit (:meth:`close` waits)."""
        import signal

        from jupyter_core.utils import run_sync

        if self.manager.has_kernel and hasattr(signal, "SIGKILL"):
            run_sync(self.manager.signal_kernel)(signal.SIGKILL)

    def close(self) -> None:
        """Stop the kernel at once and remove its folder.

        The review's outputs are in hand by then, and the kernel keeps no history, so nothing is lost
        by not waiting for its orderly exit (which takes as long as writing the HTML).
        """
        from jupyter_core.utils import run_sync

        if self.manager.has_kernel:
            run_sync(self.manager.shutdown_kernel)(now=True)
        self._folder.cleanup()

    def __enter__(self) -> ReviewKernel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
    kernel: ReviewKernel | None = None,
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
    kernel : ReviewKernel, optional
        A kernel started ahead (it loads while the caller reads the export); used once and shut
        down. A new one is started when None.

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
    The parameters go into a cell tagged ``injected-parameters`` after the ``parameters`` cell.
    """
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
    _run_review(notebook, parameters, export=export, out=out, kernel=kernel)
    return out


def _run_review(
    notebook: Path, parameters: dict[str, Any], *, export: Path, out: Path, kernel: ReviewKernel | None
) -> None:
    """Execute ``notebook`` with ``parameters`` on the kernel (used once, then stopped); HTML to ``out``.

    nbconvert's exporter is prepared in a thread while the cells run. A failing cell writes the
    partly executed notebook beside ``out`` and raises :class:`ReviewError`.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    html = _Prepared(_html_exporter)  # nbconvert loads while the cells run
    with kernel or ReviewKernel() as running:
        nb = nbformat.read(notebook, as_version=4)
        _inject_parameters(nb, parameters)
        client = NotebookClient(
            nb,
            km=running.manager,
            timeout=None,
            kernel_name="python3",
            resources={"metadata": {"path": str(running.cwd)}},
        )
        client.kc = running._connect()
        try:
            client.execute()
        except CellExecutionError as exc:
            failed = out.with_name(out.stem + ".failed.ipynb")
            nbformat.write(nb, failed)
            lines = str(exc.evalue).strip().splitlines()
            raise ReviewError(f"{exc.ename}: {lines[-1] if lines else ''}", notebook=failed) from exc
        finally:
            client.kc.stop_channels()
            running._kill()  # its outputs are in hand; it exits while the HTML is written
            html.wait()
        nb.metadata["title"] = f"Incident recovery review: {export.name}"
        body, _ = html.result().from_notebook_node(nb)
        out.write_text(body, encoding="utf-8")


class _Prepared:
    """``make()`` run in a thread; :meth:`result` waits for it, or runs it here if it failed."""

    def __init__(self, make: Callable[[], Any]) -> None:
        import threading

        self._make = make
        self._value: Any = None
        self._thread = threading.Thread(target=self._run, name="mttr-review-prepare", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._make()
        except Exception:  # made again in result(), where the error is raised to the caller
            self._value = None

    def wait(self) -> None:
        self._thread.join()

    def result(self) -> Any:
        self.wait()
        return self._make() if self._value is None else self._value


def _html_exporter() -> Any:
    """The HTML exporter of the review (no code, no prompts), its templates compiled.

    Converting a two-cell notebook compiles the page's templates and CSS selectors, which takes
    longer than converting the review itself; done while the kernel runs the cells, it is free.
    """
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="review_html",  # JupyterLab's page without the scripts it fetches from the network
        extra_template_basedirs=[str(files("mttr_lab") / "templates")],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.exclude_raw = True
    v4 = nbformat.v4
    table = v4.new_output("execute_result", data={"text/html": "<table></table>"}, execution_count=1)
    exporter.from_notebook_node(
        v4.new_notebook(cells=[v4.new_markdown_cell("# Review"), v4.new_code_cell("t", outputs=[table])])
    )
    return exporter


def _inject_parameters(nb: Any, parameters: dict[str, Any]) -> None:
    """Put ``name = value`` lines in a cell tagged ``injected-parameters`` after the ``parameters`` cell."""
    import nbformat

    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    cell = nbformat.v4.new_code_cell(
        "# Parameters\n" + "\n".join(f"{name} = {value!r}" for name, value in parameters.items()) + "\n"
    )
    cell.metadata["tags"] = ["injected-parameters"]
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    nb.cells.insert(tagged[0] + 1 if tagged else 0, cell)


def kernel_argv() -> list[str]:
    """The command that starts the review's kernel: ipykernel on this very interpreter.

    ``python -m mttr_lab.report`` runs ipykernel as ``ipykernel_launcher`` does, after importing
    what the review uses.
    """
    return [
        sys.executable,
        "-m",
        "mttr_lab.report",
        "-f",
        "{connection_file}",
        "--HistoryManager.enabled=False",  # the review's cells stay out of the user's IPython history
    ]


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


def _preload() -> None:
    """Import the mttr_lab functions the packaged review calls (and with them pandas, scipy, matplotlib).

    The same imports the cells make, made before the kernel answers. A failing import is left to
    the cell that needs it, which reports it.
    """
    try:
        import mttr_lab

        text = Path(str(files("mttr_lab") / "templates" / TEMPLATE)).read_text(encoding="utf-8")
        for name in sorted(set(re.findall(r"\bmttr\.([A-Za-z_]\w*)", text))):
            getattr(mttr_lab, name, None)
    except Exception:  # the cell that needs it reports it
        pass


def _serve_kernel() -> None:
    """Run ipykernel as ``ipykernel_launcher`` does, with the review's imports made before it answers."""
    if sys.path and sys.path[0] == "":
        del sys.path[0]
    # Nobody debugs the review's kernel: without debugpy (0.1-0.2 s to import) ipykernel runs
    # without its debugger, as it does where debugpy is not installed.
    sys.modules.setdefault("debugpy", None)  # type: ignore[arg-type]
    from ipykernel.kernelapp import IPKernelApp

    app = IPKernelApp.instance()
    app.initialize()
    _preload()
    app.start()


if __name__ == "__main__":
    _serve_kernel()
