"""Time the Statuspage reader on a generated JSON Lines archive of Statuspage v2 incidents.

Usage::

    python benchmarks/bench_statuspage.py [--incidents 100000] [--repeat 3] [--keep PATH]

Each generated incident has the public API's fields and 2-7 ``incident_updates`` (newest
first, as the API writes them) with bodies, ``affected_components`` and page-local offsets;
about 2% are scheduled maintenances and 1% are repeated versions of an earlier id.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np

from mttr_lab.io import read_export

_COMPONENTS = ["API", "Web", "Git Operations", "Webhooks", "Actions", "Pages", "Packages", "Codespaces"]
_BODIES = {
    "investigating": "We are investigating reports of degraded performance for {c}.",
    "identified": "The issue has been identified and a fix is being implemented for {c}.",
    "monitoring": "A fix has been implemented and we are monitoring the results.",
    "resolved": "This incident has been resolved.",
    "postmortem": "A postmortem has been published describing the cause and the follow-up work.",
}


def _iso(t: datetime, tz: timezone) -> str:
    return t.astimezone(tz).isoformat(timespec="milliseconds")


def generate(path: Path, n: int, *, seed: int = 7) -> None:
    """Write ``n`` Statuspage incidents, one JSON object a line."""
    rng = np.random.default_rng(seed)
    zones = [UTC, timezone(timedelta(hours=-6)), timezone(timedelta(hours=-5)), timezone(timedelta(hours=1))]
    base = datetime(2020, 1, 1, tzinfo=UTC)
    starts = rng.uniform(0, 5 * 365 * 86400, n)
    impacts = rng.choice(["none", "minor", "major", "critical"], n, p=[0.1, 0.6, 0.25, 0.05])
    maintenance = rng.random(n) < 0.02
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            tz = zones[i % len(zones)]
            comp = _COMPONENTS[int(rng.integers(len(_COMPONENTS)))]
            created = base + timedelta(seconds=float(starts[i]))
            rid = f"inc{i:08d}" if rng.random() > 0.01 or i == 0 else f"inc{i - 1:08d}"
            if maintenance[i]:
                steps = ["scheduled", "in_progress", "completed"]
            else:
                steps = ["investigating"]
                if rng.random() < 0.4:
                    steps.append("identified")
                if rng.random() < 0.5:
                    steps.append("monitoring")
                steps.append("resolved")
                if rng.random() < 0.05:
                    steps.append("postmortem")
            gaps = np.cumsum(rng.exponential(25 * 60, len(steps)))
            gaps[0] = 0.0
            times = [created + timedelta(seconds=float(g)) for g in gaps]
            updates = []
            for k, (status, at) in enumerate(zip(steps, times, strict=True)):
                stamp = _iso(at, tz)
                updates.append(
                    {
                        "id": f"upd{i:08d}{k}",
                        "status": status,
                        "body": _BODIES.get(status, "Maintenance {c}.").format(c=comp),
                        "incident_id": rid,
                        "created_at": stamp,
                        "updated_at": stamp,
                        "display_at": stamp,
                        "affected_components": (
                            [
                                {
                                    "code": f"c{comp[:3].lower()}",
                                    "name": comp,
                                    "old_status": "operational",
                                    "new_status": "degraded_performance",
                                }
                            ]
                            if k == 0
                            else None
                        ),
                        "deliver_notifications": True,
                        "custom_tweet": None,
                        "tweet_id": None,
                    }
                )
            resolved = times[-1] if steps[-1] != "postmortem" else times[-2]
            monitoring = times[steps.index("monitoring")] if "monitoring" in steps else None
            incident = {
                "id": rid,
                "name": f"Degraded performance for {comp}",
                "status": steps[-1],
                "created_at": _iso(created, tz),
                "updated_at": _iso(times[-1], tz),
                "monitoring_at": _iso(monitoring, tz) if monitoring else None,
                "resolved_at": _iso(resolved, tz),
                "impact": "maintenance" if maintenance[i] else str(impacts[i]),
                "shortlink": f"https://stspg.io/{i:x}",
                "started_at": _iso(created, tz),
                "page_id": "kctbh9vrtdwd",
                "incident_updates": updates[::-1],
                "components": [
                    {
                        "id": f"c{comp[:3].lower()}",
                        "name": comp,
                        "status": "operational",
                        "created_at": "2017-01-31T20:05:05.370Z",
                        "updated_at": _iso(times[-1], tz),
                        "position": 1,
                        "description": None,
                        "showcase": False,
                        "start_date": None,
                        "group_id": None,
                        "page_id": "kctbh9vrtdwd",
                        "group": False,
                        "only_show_if_degraded": False,
                    }
                ],
            }
            fh.write(json.dumps(incident) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, default=None, help="write the archive here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "statuspage_incidents.jsonl"
        t0 = time.perf_counter()
        generate(path, args.incidents)
        size = path.stat().st_size / 1e6
        print(f"generated {args.incidents:,} incidents ({size:.0f} MB) in {time.perf_counter() - t0:.1f} s")
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            frame = read_export(path, source="statuspage")
            best = min(best, time.perf_counter() - t0)
        excluded = frame["exclude_reason"].value_counts().to_dict()
        print(f"read {len(frame):,} rows; excluded: {excluded}")
        print(f"best of {args.repeat}: {best:.2f} s  (target < 5 s)")


if __name__ == "__main__":
    main()
