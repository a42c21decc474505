"""Time read_timeline + response_process against read_export on the same event logs.

Usage::

    python benchmarks/bench_response.py              # the real logs where present, else generated
    python benchmarks/bench_response.py --synthetic  # always generated logs

Target: on the ServiceNow incident event log (about 120,000 updates) and the Volvo IT event log
(about 65,000 events), reading the timeline and counting hand-overs, escalations and ping-pong
takes at most twice as long as reading the incidents.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from mttr_lab import read_export, read_timeline, response_process

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
TARGET = 2.0


def _volvo_like(path: Path, *, incidents: int = 7_500, seed: int = 7) -> None:
    """A log in the Volvo IT shape: groups, levels L1-L3, about nine events per incident."""
    rng = np.random.default_rng(seed)
    per = rng.integers(2, 16, size=incidents)
    case = np.repeat(np.arange(incidents), per)
    opened = pd.Timestamp("2012-01-01", tz="UTC") + pd.to_timedelta(
        rng.integers(0, 500_000, incidents), unit="min"
    )
    gaps = pd.to_timedelta(rng.exponential(300, size=case.size).round(), unit="min")
    when = opened[case] + pd.to_timedelta(pd.Series(gaps).groupby(case).cumsum().to_numpy())
    statuses = np.array(
        [
            "Queued/Awaiting Assignment",
            "Accepted/In Progress",
            "Accepted/Wait",
            "Completed/Resolved",
            "Completed/In Call",
            "Completed/Closed",
            "Completed/Cancelled",
        ]
    )
    status = statuses[
        rng.choice(len(statuses), size=case.size, p=[0.2, 0.4, 0.1, 0.15, 0.05, 0.0999, 0.0001])
    ]
    status_col, sub = zip(*(s.split("/") for s in status), strict=True)
    pd.DataFrame(
        {
            "SR Number": pd.Series(case).map("1-{:09d}".format),
            "Change Date+Time": pd.DatetimeIndex(when).strftime("%Y-%m-%dT%H:%M:%S+00:00"),
            "Status": status_col,
            "Sub Status": sub,
            "Involved ST": pd.Series(rng.integers(1, 60, size=case.size)).map("G{}".format),
            "ST Level": np.array(["L1", "L2", "L3"])[rng.integers(0, 3, size=case.size)],
            "SR Latest Impact": "Medium",
            "Product": "PROD1",
            "Resource": "someone",
        }
    ).to_csv(path, index=False)


def _best(fn: Callable[[], object], repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - start)
    return min(timings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--synthetic", action="store_true", help="time generated logs even when the real ones exist"
    )
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        logs: list[tuple[str, Path, dict]] = []
        servicenow = REAL / "servicenow_incident_event_log.csv.gz"
        volvo = REAL / "volvo_it_incidents_bpic2013.csv.gz"
        if servicenow.exists() and not args.synthetic:
            logs.append(("real ServiceNow event log", servicenow, {"source": "servicenow", "tz": "UTC"}))
        else:
            from bench_servicenow import synthetic_log

            path = Path(tmp) / "servicenow.csv"
            synthetic_log(path, incidents=21_800)
            logs.append(("generated ServiceNow event log", path, {"source": "servicenow", "tz": "UTC"}))
        if volvo.exists() and not args.synthetic:
            logs.append(("real Volvo IT event log", volvo, {"source": "eventlog"}))
        else:
            path = Path(tmp) / "volvo.csv"
            _volvo_like(path)
            logs.append(("generated Volvo-like event log", path, {"source": "eventlog"}))
        for label, path, options in logs:
            events = len(read_timeline(path, **options))
            incidents = _best(lambda p=path, o=options: read_export(p, **o), args.repeat)
            process = _best(lambda p=path, o=options: response_process(read_timeline(p, **o)), args.repeat)
            ratio = process / incidents
            failed |= ratio > TARGET
            print(
                f"{label}: {events:,} events; read_export {incidents:.2f} s, "
                f"read_timeline + response_process {process:.2f} s ({ratio:.1f}x; target at most {TARGET:g}x)"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
