"""The quarterly review renders to self-contained HTML without code."""

from __future__ import annotations

import json
import os
import re
import sys
from html import escape

import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, NOISE, SAMPLE, visible_text

from mttr_lab.report import render_report


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("report") / "review.html"
    render_report(SAMPLE, out=out, tz="Europe/Berlin")
    return out.read_text(encoding="utf-8")


def test_report_holds_the_review_sections(html):
    headings = (
        "Incident recovery review, 2026Q2",
        "Headline",
        "Incidents and severity mix",
        "Where the time goes",
        "Time of day",
        "Services",
        "Trend",
        "Benchmark tiers",
        "The slowest incidents",
        "Data quality",
        "Method",
    )
    for heading in headings:
        assert heading in html, heading
    assert "records read" in html and "excluded from analysis" in html
    assert "Verdict: <strong>" in html
    assert html.count("<img") >= 5  # phases, heatmap, services, trend, tiers
    assert "<title>Incident recovery review: sample_firehydrant.json</title>" in html


def test_the_closed_only_caveat_is_not_said_where_incidents_are_open(html):
    assert "No incident in the export is open at the review date" not in html  # 15 are open


def test_report_has_no_code_and_no_errors(html):
    assert "import mttr_lab" not in html
    # No warnings or errors printed by any cell (they render as stderr outputs).
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in html
    assert not re.search(r"Traceback \(most recent call last\)", html)


def test_every_figure_is_described(html):
    """A screen reader (or a mail client blocking images) gets what each figure shows, not
    nbconvert's "No description has been provided for this image"."""
    images = re.findall(r"<img[^>]*>", html)
    assert len(images) >= 4
    alts = [re.search(r'alt="([^"]*)"', img) for img in images]
    assert all(alt and len(alt.group(1)) > 40 for alt in alts), images
    assert "No description has been provided" not in html


def test_report_is_self_contained(html):
    """One file that opens offline: no script or style fetched from the network."""
    assert "<img" in html and "data:image/png;base64," in html
    assert not re.search(r"<(script|link)[^>]+(src|href)=\"https?:", html)
    assert "cdnjs" not in html and "mathjax" not in html.lower()


def test_report_escapes_text_from_the_export(tmp_path):
    export = tmp_path / "hostile.json"
    doc = json.loads(SAMPLE.read_text())
    doc["data"] = doc["data"][:40]
    doc["data"][3]["severity"] = "<script>alert(1)</script>"
    for record in doc["data"]:
        record["name"] = "<img src=x onerror=alert(2)>"  # shown among the slowest incidents
    export.write_text(json.dumps(doc))
    out = render_report(export, out=tmp_path / "r.html")
    text = out.read_text()
    assert "<script>alert(1)</script>" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(2)&gt;" in text
    assert "is not complete yet" in text  # 40 incidents: less than a quarter of history


def test_a_quarter_without_incidents_renders_and_says_so(tmp_path):
    out = render_report(SAMPLE, out=tmp_path / "empty.html", quarter="2024Q4")
    text = out.read_text()
    assert "Incident recovery review, 2024Q4" in text and "No incident in this quarter." in text
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in text


def test_the_review_runs_on_this_interpreter_whatever_python3_kernel_the_user_has(tmp_path, monkeypatch):
    # A user's own python3 kernel spec pointing at a Python without pandas must not be used.
    spec = tmp_path / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": ["/nonexistent/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3",
                "language": "python",
            }
        )
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter"))
    from jupyter_client.kernelspec import KernelSpecManager

    assert KernelSpecManager().get_kernel_spec("python3").argv[0] == "/nonexistent/python"
    # A two-cell review is enough to see which interpreter ran it (the whole review is tested above).
    import nbformat

    nb = nbformat.v4.new_notebook(metadata={"language_info": {"name": "python"}})
    parameters = nbformat.v4.new_code_cell("export = None")
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, nbformat.v4.new_code_cell("import sys, pandas\nprint(sys.executable)")]
    template = tmp_path / "which.ipynb"
    nbformat.write(nb, template)
    out = render_report(SAMPLE, out=tmp_path / "r.html", template=template)
    assert escape(sys.executable) in out.read_text()


def test_a_failing_cell_is_one_line_and_keeps_the_partly_executed_notebook(tmp_path):
    import nbformat

    from mttr_lab.report import ReviewError, ReviewKernel

    nb = nbformat.v4.new_notebook(metadata={"language_info": {"name": "python"}})
    parameters = nbformat.v4.new_code_cell("export = None")
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, nbformat.v4.new_code_cell("print('ran')"), nbformat.v4.new_code_cell("1 / 0")]
    template = tmp_path / "broken.ipynb"
    nbformat.write(nb, template)
    kernel = ReviewKernel()
    with pytest.raises(ReviewError) as err:
        render_report(SAMPLE, out=tmp_path / "out" / "r.html", template=template, kernel=kernel)
    assert not kernel.manager.has_kernel and not kernel.cwd.exists()  # stopped all the same
    message = str(err.value)
    assert message.startswith("ZeroDivisionError: division by zero") and "\n" not in message
    assert err.value.notebook == tmp_path / "out" / "r.failed.ipynb"
    kept = nbformat.read(err.value.notebook, as_version=4)
    ran = next(cell for cell in kept.cells if cell.source == "print('ran')")
    assert ran.outputs[0]["text"] == "ran\n"
    assert not (tmp_path / "out" / "r.html").exists()


def test_an_export_with_only_an_id_and_two_times_renders_a_complete_review(tmp_path):
    export = tmp_path / "minimal.csv"
    export.write_text(
        "Ticket,Opened,Closed\n"
        + "".join(
            f"T{i},2025-0{1 + i % 6}-{10 + i % 15}T0{i % 10}:00:00Z,2025-0{1 + i % 6}-{10 + i % 15}T0{i % 10}:{10 + i % 40}:00Z\n"
            for i in range(100)
        )
    )
    columns = {"incident_id": "Ticket", "detected_at": "Opened", "resolved_at": "Closed"}
    text = render_report(export, out=tmp_path / "r.html", columns=columns).read_text()
    # 100 incidents over 24 hours: expected counts under 5, so the verdict on the hour of day
    # uses the Monte Carlo p-value, which the table shows beside the chi-square one, with its note.
    seen = visible_text(text)
    assert "Monte Carlo p-value" in seen and "the verdict uses the Monte Carlo p-value" in seen
    assert not NOISE.search(seen), NOISE.search(seen)
    assert "Traceback" not in text and 'data-mime-type="application/vnd.jupyter.stderr"' not in text
    assert "records no service for any incident, so the review cannot rank services" in text
    assert "records no severity for any incident, so the review cannot compare severities" in text
    for heading in ("Headline", "Time of day", "Trend", "The slowest incidents", "Data quality"):
        assert heading in text, heading
    # Every incident closed: the trend warns that an export of closed incidents reads fast at its end.
    assert "No incident in the export is open at the review date" in text


def _template(tmp_path, *cells: str):
    import nbformat

    nb = nbformat.v4.new_notebook(metadata={"language_info": {"name": "python"}})
    parameters = nbformat.v4.new_code_cell("export = None\ncolumns = None")
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [parameters, *(nbformat.v4.new_code_cell(cell) for cell in cells)]
    template = tmp_path / "template.ipynb"
    nbformat.write(nb, template)
    return template


def test_a_kernel_started_ahead_runs_on_this_interpreter_with_the_parameters(tmp_path):
    import html
    import sys

    from mttr_lab.report import ReviewKernel

    template = _template(
        tmp_path,
        "import sys\nprint('python', sys.executable)\nprint('export', export)\nprint('columns', columns)",
        "print('loaded ahead', all(m in sys.modules for m in ('pandas', 'mttr_lab.stats', 'mttr_lab.plots')))",
    )
    kernel = ReviewKernel()  # as the command does: before the export is read
    pid = kernel.manager.provisioner.process.pid
    export = tmp_path / 'it\'s "quoted"' / "export.json"  # a path that needs escaping in Python
    columns = {"incident_id": "Ticket 'A'", "detected_at": 'Opened "at"'}
    out = render_report(export, out=tmp_path / "r.html", template=template, columns=columns, kernel=kernel)
    text = html.unescape(visible_text(out.read_text()))
    assert f"python {sys.executable}" in text
    assert f"export {export.resolve()}" in text and f"columns {columns}" in text
    assert "loaded ahead True" in text
    assert not kernel.manager.has_kernel and not kernel.cwd.exists()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the kernel process is gone, not left behind


def test_what_is_prepared_in_a_thread_is_made_again_here_when_it_failed():
    from mttr_lab.report import _Prepared

    calls = []

    def make() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise OSError("first try fails")
        return 42

    assert _Prepared(make).result() == 42 and len(calls) == 2
    assert _Prepared(lambda: "made once").result() == "made once"
    with pytest.raises(ZeroDivisionError):  # the error reaches the caller, not a thread
        _Prepared(lambda: 1 / 0).result()


def test_the_parameters_go_after_the_parameters_cell_once(tmp_path):
    import nbformat

    from mttr_lab.report import _inject_parameters

    nb = nbformat.read(_template(tmp_path, "print(export)"), as_version=4)
    _inject_parameters(nb, {"export": "a.json", "columns": None})
    _inject_parameters(nb, {"export": "b.json", "columns": {"incident_id": "Ticket"}})  # an executed copy
    tags = [cell.metadata.get("tags", []) for cell in nb.cells]
    assert tags == [["parameters"], ["injected-parameters"], []]
    assert nb.cells[1].source == "# Parameters\nexport = 'b.json'\ncolumns = {'incident_id': 'Ticket'}\n"
    bare = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(export)")])
    _inject_parameters(bare, {"export": "a.json"})
    assert bare.cells[0].metadata["tags"] == ["injected-parameters"]  # no parameters cell: first


def test_the_command_stops_its_kernel_when_the_export_is_bad(tmp_path, monkeypatch, capsys):
    from mttr_lab import report
    from mttr_lab.cli import main

    started = []

    class Recorded(report.ReviewKernel):
        def __init__(self) -> None:
            super().__init__()
            started.append(self)

    monkeypatch.setattr(report, "ReviewKernel", Recorded)
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    assert main(["report", str(bad), "--out", str(tmp_path / "r.html")]) == 2
    assert "does not recognise" in capsys.readouterr().err
    assert len(started) == 1 and not started[0].manager.has_kernel and not started[0].cwd.exists()
    assert not (tmp_path / "r.html").exists()


def test_the_command_says_in_one_line_which_cell_failed_and_where_the_notebook_is(
    tmp_path, monkeypatch, capsys
):
    from mttr_lab import report
    from mttr_lab.cli import main

    (tmp_path / "templates").mkdir()
    _template(tmp_path, "print('ran')", "{}['no such key']").rename(tmp_path / "templates" / report.TEMPLATE)
    monkeypatch.setattr(report, "files", lambda package: tmp_path)  # the packaged review, broken
    assert main(["report", str(SAMPLE), "--out", str(tmp_path / "out" / "r.html")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    failed = tmp_path / "out" / "r.failed.ipynb"
    assert (
        err[-1]
        == f"mttr-lab: the review failed: KeyError: 'no such key' (the partly executed review is in {failed})"
    )
    assert failed.exists() and not (tmp_path / "out" / "r.html").exists()


def test_the_command_imports_nbformat_without_the_iri_grammar():
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from mttr_lab.cli import _import_nbformat\n"
        "_import_nbformat()\n"
        "import nbformat\n"
        "nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')]))\n"
        "print('rfc3987_syntax' in sys.modules, 'jsonschema' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"], out.stderr


def test_the_command_checks_the_export_without_scipy_or_matplotlib():
    # The kernel imports those while the command reads the export and finds the review period.
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from mttr_lab.io import read_export\n"
        "from mttr_lab.phases import phase_durations\n"
        "from mttr_lab.review import review_bounds\n"
        f"durations = phase_durations(read_export({str(SAMPLE)!r}))\n"
        "print(review_bounds(durations, tz='Europe/Berlin')['label'])\n"
        "print(sorted(m for m in ('scipy', 'matplotlib', 'nbconvert') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["2026Q2", "[]"], out.stdout + out.stderr


#: What must never reach a reader of the review: raw pandas, internal names, Python syntax.


def test_no_raw_pandas_or_internal_names_in_what_a_reader_sees(html):
    text = visible_text(html)
    found = sorted({m.group(0) for m in NOISE.finditer(text)})
    assert not found, found
    assert "(Europe/Berlin)" in text  # incident times are in the team's timezone, named


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium")
def test_the_review_in_a_real_browser(html, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    page_file = tmp_path / "review.html"
    page_file.write_text(html, encoding="utf-8")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1000})
        page.goto(page_file.as_uri())
        images = page.eval_on_selector_all("img", "imgs => imgs.map(i => [i.complete, i.naturalWidth])")
        text = page.inner_text("body")
        page.screenshot(
            path=str(os.environ.get("MTTR_SCREENSHOTS", tmp_path)) + "/review.png", full_page=True
        )
        browser.close()
    assert len(images) >= 5 and all(done and width > 0 for done, width in images)  # every figure loads
    found = sorted({m.group(0) for m in NOISE.finditer(text)})
    assert not found, found
    assert "Incident recovery review, 2026Q2" in text and "(Europe/Berlin)" in text
