"""The per-object baseline: MTTx the way the seed article computes it, in plain Python.

A dataclass per incident, the ``csv`` module, ``datetime.fromisoformat``, Python loops and the
``statistics`` module. Quantiles use ``statistics.quantiles(method="inclusive")``, the same linear
interpolation as numpy's default ``"linear"`` and DuckDB's ``quantile_cont``, so the three can be
compared number for number. No numpy, no pandas: this is what a user would write without them.

Run: python benchmarks/baseline_python.py EXPORT.csv   (prints the grouped table)
"""

from __future__ import annotations

import csv
import statistics
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

#: The export's severity labels, normalised as mttr_lab does (SEV1 is the most severe).
SEVERITY = {"SEV1": "critical", "SEV2": "high", "SEV3": "medium", "SEV4": "low"}
METRICS = ("time_to_respond", "time_to_repair", "time_to_recover")


@dataclass
class Incident:
    incident_id: str
    severity: str
    service: str
    started_at: datetime | None
    detected_at: datetime | None
    acknowledged_at: datetime | None
    diagnosed_at: datetime | None
    recovered_at: datetime | None
    resolved_at: datetime | None

    def minutes(self, start: datetime | None, end: datetime | None) -> float | None:
        """Minutes from start to end; None when either is unknown or they are out of order."""
        if start is None or end is None:
            return None
        value = (end - start).total_seconds() / 60
        return value if value >= 0 else None

    @property
    def time_to_respond(self) -> float | None:
        return self.minutes(self.detected_at, self.acknowledged_at)

    @property
    def time_to_repair(self) -> float | None:
        recovery = self.recovered_at or self.resolved_at
        return self.minutes(self.acknowledged_at, recovery)

    @property
    def time_to_recover(self) -> float | None:
        recovery = self.recovered_at or self.resolved_at
        return self.minutes(self.started_at or self.detected_at, recovery)


def _stamp(text: str) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def read_incidents(path: str) -> list[Incident]:
    """One Incident per CSV row."""
    incidents = []
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            incidents.append(
                Incident(
                    incident_id=row["incident_id"],
                    severity=SEVERITY.get(row["severity"], row["severity"]),
                    service=row["service"],
                    started_at=_stamp(row["started_at"]),
                    detected_at=_stamp(row["detected_at"]),
                    acknowledged_at=_stamp(row["acknowledged_at"]),
                    diagnosed_at=_stamp(row["diagnosed_at"]),
                    recovered_at=_stamp(row["recovered_at"]),
                    resolved_at=_stamp(row["resolved_at"]),
                )
            )
    return incidents


def grouped_stats(incidents: list[Incident]) -> list[tuple[str, str, str, int, float, float, float]]:
    """Per severity x service x metric: (severity, service, metric, n, median, p90, p99) in minutes."""
    groups: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for incident in incidents:
        for metric in METRICS:
            value = getattr(incident, metric)
            if value is not None:
                groups[(incident.severity, incident.service, metric)].append(value)
    rows = []
    for (severity, service, metric), values in sorted(groups.items()):
        median = statistics.median(values)
        if len(values) >= 2:
            cuts = statistics.quantiles(values, n=100, method="inclusive")
            p90, p99 = cuts[89], cuts[98]
        else:
            p90 = p99 = float("nan")
        rows.append((severity, service, metric, len(values), median, p90, p99))
    return rows


def main(path: str) -> None:
    print("severity  service          metric            n    median     p90      p99")
    for sev, svc, metric, n, median, p90, p99 in grouped_stats(read_incidents(path)):
        print(f"{sev:<9} {svc:<16} {metric:<16} {n:>6} {median:8.2f} {p90:8.2f} {p99:8.2f}")


if __name__ == "__main__":
    main(sys.argv[1])
