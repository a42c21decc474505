"""Shared test helpers: the real exports beside the project, when present."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")  # tests draw off-screen, whatever the machine has

FIXTURES = Path(__file__).parent / "fixtures"
REAL_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
#: The bundled sample export (FireHydrant shape) that the notebooks read.
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample_firehydrant.json"

#: The columns of fixtures/generic/hand_made.csv.
HAND = {
    "incident_id": "Number",
    "title": "Summary",
    "service": "Service",
    "team": "Team",
    "severity": "Sev",
    "started_at": "Impact began",
    "detected_at": "Paged at",
    "acknowledged_at": "Acked at",
    "diagnosed_at": "Root cause found",
    "recovered_at": "Mitigated",
    "resolved_at": "Closed",
}
#: The columns of fixtures/generic/dst_berlin.csv.
DST_BERLIN = {
    "incident_id": "id",
    "started_at": "impact start",
    "detected_at": "alert",
    "acknowledged_at": "ack",
    "recovered_at": "restored",
    "resolved_at": "closed",
    "severity": "sev",
}


@pytest.fixture
def fixtures() -> Path:
    """The folder of small hand-written exports."""
    return FIXTURES


@pytest.fixture
def real_data() -> Path:
    """``../shared/data/real``; the test is skipped where it is absent (a user's clone)."""
    if not REAL_DATA.is_dir():
        pytest.skip("../shared/data/real is not present")
    return REAL_DATA


#: Debian's Chromium, for the tests that look at pages in a real browser (skipped without it).
CHROMIUM = Path("/usr/bin/chromium")
#: How those tests start it: headless, as root, and without reaching for the network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Notebooks that analyse ``../shared/data/real`` are skipped where it is absent.

    Their stored outputs come from those exports; a clone without them (a user's) would otherwise
    compare them with the bundled sample's figures and fail.
    """
    if REAL_DATA.is_dir():
        return
    for item in items:
        path = Path(str(item.fspath))
        if path.suffix == ".ipynb" and "shared/data/real" in path.read_text(encoding="utf-8"):
            item.add_marker(pytest.mark.skip(reason="../shared/data/real is not present"))
