"""The explorer's widget in a real browser, in each interface a user opens it in: JupyterLab 4,
Notebook 7 (what ``jupyter notebook`` opens) and the classic Notebook (nbclassic), all served by one
headless Jupyter server, each on its own notebook that calls ``explore``, driven with Playwright in
Debian's Chromium (skipped cleanly where it is absent): a filter chosen in the page changes the
caption, the table and the figure."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from conftest import CHROMIUM, CHROMIUM_ARGS, SAMPLE

import mttr_lab as mttr


@pytest.fixture(scope="module")
def durations() -> pd.DataFrame:
    return mttr.phase_durations(mttr.read_export(SAMPLE))


NOTEBOOK_SOURCE = """import mttr_lab as mttr
incidents = mttr.read_export({sample!r})
explorer = mttr.explore(mttr.phase_durations(incidents), incidents=incidents)
explorer"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


#: Each interface: the notebook's address under the server, the element that says the page is
#: drawn, and the cell's input to click before Shift+Enter.
INTERFACES = {
    "jupyterlab": ("lab/tree/{name}", ".jp-Notebook", ".jp-Cell .jp-InputArea-editor"),
    "notebook7": ("notebooks/{name}", ".jp-Notebook", ".jp-Cell .jp-InputArea-editor"),
    "nbclassic": ("nbclassic/notebooks/{name}", "#notebook-container", ".cell .input_area"),
}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """One headless Jupyter server (it serves the three interfaces) on a folder of notebooks."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium")
    pytest.importorskip("playwright.sync_api")
    tmp_path = tmp_path_factory.mktemp("jupyter")
    root = tmp_path / "notebooks"
    root.mkdir()
    # No "official Jupyter news?" notification over the picture.
    settings = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
    }
    lab = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--port={port}",
            "--ip=127.0.0.1",
            "--allow-root",
            "--IdentityProvider.token=",
            "--ServerApp.password=",
            "--ServerApp.disable_check_xsrf=True",
            f"--ServerApp.root_dir={root}",
            f"--LabApp.user_settings_dir={tmp_path / 'settings'}",
            "--LabServerApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        ],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}", root
    finally:
        lab.terminate()
        try:
            lab.wait(timeout=20)
        except subprocess.TimeoutExpired:
            lab.kill()
        shutil.rmtree(tmp_path / "config", ignore_errors=True)


def _wait_for_idle_kernel(url: str, name: str) -> None:
    """Until the notebook's kernel has started and is idle (the server's REST API, the same for
    every interface): a cell run before that is lost in the classic Notebook."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        with urllib.request.urlopen(f"{url}/api/sessions", timeout=10) as answer:
            sessions = json.load(answer)
        states = [s["kernel"].get("execution_state") for s in sessions if s.get("path", "").endswith(name)]
        if "idle" in states:
            return
        time.sleep(0.5)
    raise AssertionError(f"the kernel of {name} did not start within 90 s")


@pytest.fixture(scope="module")
def browser(server: tuple[str, Path]) -> Iterator[Any]:
    """One Chromium for the three interfaces (a page each)."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("interface", list(INTERFACES))
def test_in_a_real_browser(
    interface: str, server: tuple[str, Path], browser: Any, durations: pd.DataFrame
) -> None:
    url, root = server
    address, drawn, cell = INTERFACES[interface]
    name = f"explore_{interface}.ipynb"
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "id": "explore",
                "metadata": {},
                "outputs": [],
                "source": NOTEBOOK_SOURCE.format(sample=str(SAMPLE)),
            }
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (root / name).write_text(json.dumps(notebook))
    page = browser.new_page(viewport={"width": 1300, "height": 2000})
    try:
        page.goto(f"{url}/{address.format(name=name)}", timeout=90_000)
        page.wait_for_selector(drawn, timeout=90_000)
        _wait_for_idle_kernel(url, name)
        page.click(cell)
        page.keyboard.press("Shift+Enter")
        page.wait_for_selector(".mttr-explorer table", timeout=120_000)
        caption = page.locator(".mttr-explorer b").first
        before = caption.inner_text()
        table = page.locator(".mttr-explorer .widget-html table").first
        table_before = table.inner_text()
        image = page.locator(".mttr-explorer img").first
        image_before = image.get_attribute("src")
        assert "incidents selected" in before
        # Choose one severity in the multi-select: the caption and the table change.
        severity = page.locator(".mttr-explorer .widget-select-multiple select").first
        severity.select_option(index=0)
        page.wait_for_function(
            "b => document.querySelector('.mttr-explorer b').innerText !== b", arg=before, timeout=60_000
        )
        # The table changes too (it is sent after the caption: wait for it, then compare).
        page.wait_for_function(
            "t => document.querySelector('.mttr-explorer .widget-html table').innerText !== t",
            arg=table_before,
            timeout=60_000,
        )
        assert table.inner_text() != table_before
        # The figure follows the tables: a new image arrives for the new selection.
        page.wait_for_function(
            "s => document.querySelector('.mttr-explorer img').getAttribute('src') !== s",
            arg=image_before,
            timeout=60_000,
        )
        page.wait_for_timeout(500)  # the new image decoded and laid out before the screenshot
        first = sorted(durations["severity"].dropna().astype(str).unique())[0]
        assert f"{(durations['severity'] == first).sum():,}" in table.inner_text()
        screenshots = Path(os.environ.get("MTTR_SCREENSHOTS", root))
        screenshots.mkdir(parents=True, exist_ok=True)
        suffix = "" if interface == "jupyterlab" else f"_{interface}"
        page.screenshot(path=str(screenshots / f"explorer_browser{suffix}.png"), full_page=True)
        page.locator(".mttr-explorer").first.screenshot(
            path=str(screenshots / f"explorer_widget{suffix}.png")
        )
    finally:
        page.close()
