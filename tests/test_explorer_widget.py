"""The explorer's widget in a real browser: JupyterLab 4 started headless on a notebook that calls
``explore``, driven with Playwright in Debian's Chromium (skipped cleanly where it is absent): a
filter chosen in the page changes the caption, the table and the figure."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

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


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not installed at /usr/bin/chromium")
def test_in_jupyterlab_with_a_real_browser(tmp_path: Path, durations: pd.DataFrame) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    notebook = {
        "cells": [
            {
                "cell_type": "code",
                "execution_count": None,
                "metadata": {},
                "outputs": [],
                "source": NOTEBOOK_SOURCE.format(sample=str(SAMPLE)),
            }
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    root = tmp_path / "notebooks"
    root.mkdir()
    (root / "explore.ipynb").write_text(json.dumps(notebook))
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
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=str(CHROMIUM),
                args=CHROMIUM_ARGS,
            )
            page = browser.new_page(viewport={"width": 1300, "height": 2000})
            page.goto(f"http://127.0.0.1:{port}/lab/tree/explore.ipynb", timeout=90_000)
            page.wait_for_selector(".jp-Notebook", timeout=90_000)
            page.wait_for_function("document.body.innerText.includes('| Idle')", timeout=90_000)
            page.click(".jp-Cell .jp-InputArea-editor")
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
            # The table changes too (it is sent after the figure: wait for it, then compare).
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
            screenshots = Path(os.environ.get("MTTR_SCREENSHOTS", tmp_path))
            screenshots.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshots / "explorer_browser.png"), full_page=True)
            page.locator(".jp-OutputArea-output .mttr-explorer").first.screenshot(
                path=str(screenshots / "explorer_widget.png")
            )
            browser.close()
    finally:
        lab.terminate()
        try:
            lab.wait(timeout=20)
        except subprocess.TimeoutExpired:
            lab.kill()
        shutil.rmtree(tmp_path / "config", ignore_errors=True)
