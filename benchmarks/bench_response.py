"""Time read_timeline + response_process against read_export on the same event logs.

Usage::

    python benchmarks/bench_response.py              # the real logs where present, else generated
    python benchmarks/bench_response.py --synthetic  # always generated logs
    python benchmarks/bench_response.py --json --real-only   # what benchmarks/run.py reads

Each figure is the median of ``--repeat`` runs (3) after one untimed run, so that imports and
first-call costs are not counted on either side.

Target: on the ServiceNow incident event log (about 120,000 updates) and the Volvo IT event log
(about 65,000 events), reading the timeline and counting hand-overs, escalations and ping-pong
takes at most twice as long as reading the incidents.
"""

from __future__ import annotations

import argparse
import json
import statistics
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


def _median(fn: Callable[[], object], repeat: int) -> tuple[float, list[float]]:
    """The median and the list of ``repeat`` timings of ``fn``, after one untimed warm-up run."""
    fn()
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--synthetic", action="store_true", help="time generated logs even when the real ones exist"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print one JSON line (for benchmarks/run.py)")
    parser.add_argument(
        "--real-only", action="store_true", help="only the real logs; none at all where they are absent"
    )
    args = parser.parse_args(argv)
    failed = False
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        logs: list[tuple[str, Path, dict]] = []
        servicenow = REAL / "servicenow_incident_event_log.csv.gz"
        volvo = REAL / "volvo_it_incidents_bpic2013.csv.gz"
        if servicenow.exists() and not args.synthetic:
            logs.append(("real ServiceNow event log", servicenow, {"source": "servicenow", "tz": "UTC"}))
        elif not args.real_only:
            from bench_servicenow import synthetic_log

            path = Path(tmp) / "servicenow.csv"
            synthetic_log(path, incidents=21_800)
            logs.append(("generated ServiceNow event log", path, {"source": "servicenow", "tz": "UTC"}))
        if volvo.exists() and not args.synthetic:
            logs.append(("real Volvo IT event log", volvo, {"source": "eventlog"}))
        elif not args.real_only:
            path = Path(tmp) / "volvo.csv"
            _volvo_like(path)
            logs.append(("generated Volvo-like event log", path, {"source": "eventlog"}))
        for label, path, options in logs:
            events = len(read_timeline(path, **options))
            incidents, incident_times = _median(lambda p=path, o=options: read_export(p, **o), args.repeat)
            process, process_times = _median(
                lambda p=path, o=options: response_process(read_timeline(p, **o)), args.repeat
            )
            ratio = process / incidents
            failed |= ratio > TARGET
            results.append(
                {
                    "label": label,
                    "events": events,
                    "read_export": incident_times,
                    "timeline": process_times,
                    "ratio": ratio,
                    "target": TARGET,
                }
            )
            if not args.json:
                print(
                    f"{label}: {events:,} events; read_export {incidents:.2f} s, "
                    f"read_timeline + response_process {process:.2f} s ({ratio:.2f}x; target at most "
                    f"{TARGET:g}x; median of {args.repeat})"
                )
    if args.json:
        print(json.dumps({"logs": results}))
    return 1 if failed and not args.json else 0


if __name__ == "__main__":
    sys.exit(main())
