"""Shared test helpers: the real exports beside the project, when present."""

from __future__ import annotations

import re
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import mttr_lab as mttr
from mttr_lab import halves

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


#: The test files that take longest (about 10-30 s each on two cores, measured with
#: ``--durations=0``), run first: with ``--no-loadscope-reorder`` pytest-xdist hands out whole
#: files in collection order (by default it reorders them by their number of tests), so the
#: workers end together rather than one of them starting a long file as the other runs out of work.
LONGEST_FIRST = (
    "test_fuzz_readers.py",
    "test_report.py",
    "test_explorer_widget.py",
    "test_explorer.py",
    "test_review.py",
    "test_cli.py",
    "test_compare.py",
    "08_response_process.ipynb",
    "test_stratified.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The longest test files first (:data:`LONGEST_FIRST`); notebooks that analyse
    ``../shared/data/real`` skipped where it is absent.

    Their stored outputs come from those exports; a clone without them (a user's) would otherwise
    compare them with the bundled sample's figures and fail.
    """
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(Path(str(item.fspath)).name, len(rank)))  # stable: order kept within
    if REAL_DATA.is_dir():
        return
    for item in items:
        path = Path(str(item.fspath))
        if path.suffix == ".ipynb" and "shared/data/real" in path.read_text(encoding="utf-8"):
            item.add_marker(pytest.mark.skip(reason="../shared/data/real is not present"))


@pytest.fixture(scope="session")
def sample() -> pd.DataFrame:
    """The durations of the bundled sample, read through the real reader."""
    return mttr.phase_durations(mttr.read_export(SAMPLE, source="firehydrant"))


@pytest.fixture
def split_from_two(monkeypatch):
    """Row-by-row work split in two halves side by side from two rows on, on any machine."""
    monkeypatch.setattr(halves, "SPLIT_FROM", 2)
    monkeypatch.setattr(halves, "_cpus", lambda: 2)


@pytest.fixture
def close_figures():
    """Close the figures a plot test made (``pytestmark = pytest.mark.usefixtures("close_figures")``)."""
    import matplotlib.pyplot as plt

    yield
    plt.close("all")


# --------------------------------------------------------------------------- comparison exports
# Shared by test_compare, test_stratified and test_groups: exports built through the real readers.

T0 = pd.Timestamp("2025-01-01", tz="UTC")


def export(tmp_path, starts, minutes, *, severity=None, as_of=None, name="incidents.csv"):
    """A generic CSV export (one incident per start, resolved ``minutes`` later, open when NaN or
    later than ``as_of``), read back through the real reader."""
    starts = pd.DatetimeIndex(starts)
    ends = starts + pd.to_timedelta(np.round(np.asarray(minutes, dtype=float) * 60), unit="s")
    if as_of is not None:
        ends = ends.where(ends <= as_of)
    frame = pd.DataFrame(
        {
            "incident_id": [f"i{i}" for i in range(len(starts))],
            "detected_at": starts.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "resolved_at": pd.Series(ends).dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "severity": severity if severity is not None else "high",
        }
    )
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return mttr.phase_durations(mttr.read_export(path), as_of=as_of)


def quantiles(n, median, sigma):
    """n lognormal quantiles whose logs have exactly the given median and sample SD."""
    z = stats.norm.ppf((np.arange(n) + 0.5) / n)
    return median * np.exp(sigma * (z - z.mean()) / z.std(ddof=1))


def spread(start, days, n):
    """n start times evenly spread over ``days`` days from ``start``."""
    return pd.Timestamp(start) + pd.to_timedelta(np.arange(n) * days * 86400 / n, unit="s")


BEFORE = ("2025-01-01T00:00Z", "2025-04-01T00:00Z")
AFTER = ("2025-04-01T00:00Z", "2025-07-01T00:00Z")


def two_quarters(tmp_path, before_minutes, after_minutes, **kw):
    starts = spread(T0, 90, len(before_minutes)).append(
        spread(pd.Timestamp("2025-04-01", tz="UTC"), 90, len(after_minutes))
    )
    return export(tmp_path, starts, np.concatenate([before_minutes, after_minutes]), **kw)


def two_periods(*, reps: int, n: int, cut: float, seed: int) -> pd.DataFrame:
    """``reps`` pairs of 30-day periods, ``n`` lognormal incidents each (sigma 1.25), the second
    of each pair ``cut`` times as long."""
    rng = np.random.default_rng(seed)
    size = reps * 2 * n
    period = np.repeat(np.arange(reps * 2), n)
    minutes = 60 * np.exp(rng.normal(0, 1.25, size)) * np.where(period % 2 == 1, cut, 1.0)
    start = pd.Timestamp("2020-01-01T00:00Z")
    detected = (
        start
        + pd.to_timedelta(period * 30, unit="D")
        + pd.to_timedelta(rng.uniform(0, 20 * 1440, size), unit="min")
    )
    table = pd.DataFrame(
        {
            "incident_id": np.arange(size).astype(str),
            "detected_at": detected,
            "resolved_at": detected + pd.to_timedelta(minutes, unit="min"),
        }
    )
    return mttr.phase_durations(mttr.from_frame(table))


#: Raw pandas and internal names that must never reach a reader of the review.
NOISE = re.compile(
    r"<NA>|\bNaN\b|\bNaT\b|\bNone\b|\d\.\d+e[-+]\d\d|\bmedian_(low|high)\b|\bwithin_\d+\b|"
    r"\bkm_median\b|seed article|severity_map=|\bp_value\b|\bn_(before|after)\b|\b(alpha|seed)=|\bmc p value\b"
)


def visible_text(html: str) -> str:
    """The text a reader of an HTML page sees: no style, script or tags, spaces folded."""
    body = re.sub(r"(?s)<(style|script)\b.*?</\1>", " ", html)
    body = re.sub(r"(?s)<[^>]+>", " ", body)
    return re.sub(r"\s+", " ", body)


#: The columns of the hand-made event log, fixtures/timeline/handmade.csv.
HANDMADE = {
    "incident_id": "ticket",
    "at": "when",
    "kind": "what",
    "group": "team",
    "level": "tier",
    "actor": "who",
    "detail": "text",
}


def fake_growth(n: int, slope: float, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Durations whose time to recover grows by ``slope`` (a factor) per handover."""
    rng = np.random.default_rng(seed)
    handovers = rng.integers(0, 5, size=n)
    minutes = np.exp(rng.normal(np.log(60), 1.0, size=n)) * slope**handovers
    detected = pd.Timestamp("2024-01-01", tz="UTC") + pd.to_timedelta(np.arange(n), unit="h")
    incidents = pd.DataFrame(
        {
            "incident_id": [f"I{i}" for i in range(n)],
            "detected_at": detected,
            "resolved_at": detected + pd.to_timedelta(minutes, unit="min"),
        }
    )
    durations = mttr.phase_durations(as_incidents(incidents))
    process = pd.DataFrame({"incident_id": incidents["incident_id"], "handovers": handovers})
    return durations, process


def as_incidents(frame: pd.DataFrame) -> pd.DataFrame:
    """A hand-built incidents frame in the canonical columns (milestones UTC, no severity)."""
    out = frame.copy()
    for name in mttr.INCIDENT_COLUMNS:
        if name not in out.columns:
            out[name] = pd.NA
    out["record"] = np.arange(1, len(out) + 1)
    for name in mttr.MILESTONES:
        out[name] = pd.to_datetime(out[name], utc=True).astype("datetime64[us, UTC]")
    out["severity"] = pd.Categorical([None] * len(out), categories=list(mttr.SEVERITIES), ordered=True)
    return out[list(mttr.INCIDENT_COLUMNS)]
