"""The SQL baseline: the same grouped MTTx aggregates in DuckDB.

``read_csv_auto`` reads the export, epoch differences give minutes, ``quantile_cont`` (linear
interpolation, like numpy's default and ``statistics.quantiles(method="inclusive")``) gives the
median, p90 and p99 per severity x service. A negative difference (milestones out of order) is
NULL, like mttr_lab's NaT, and NULLs are left out of every aggregate.

Run: python benchmarks/baseline_duckdb.py EXPORT.csv   (prints the grouped table)
"""

from __future__ import annotations

import sys

import duckdb

METRICS = ("time_to_respond", "time_to_repair", "time_to_recover")

DURATIONS = """
SELECT
    CASE severity WHEN 'SEV1' THEN 'critical' WHEN 'SEV2' THEN 'high'
                  WHEN 'SEV3' THEN 'medium' WHEN 'SEV4' THEN 'low' ELSE severity END AS severity,
    service,
    (epoch(acknowledged_at) - epoch(detected_at)) / 60 AS time_to_respond,
    (epoch(coalesce(recovered_at, resolved_at)) - epoch(acknowledged_at)) / 60 AS time_to_repair,
    (epoch(coalesce(recovered_at, resolved_at)) - epoch(coalesce(started_at, detected_at))) / 60
        AS time_to_recover
FROM {source}
"""

AGGREGATE = """
WITH raw AS ({durations}),
durations AS (
    SELECT severity, service,
           CASE WHEN time_to_respond >= 0 THEN time_to_respond END AS time_to_respond,
           CASE WHEN time_to_repair >= 0 THEN time_to_repair END AS time_to_repair,
           CASE WHEN time_to_recover >= 0 THEN time_to_recover END AS time_to_recover
    FROM raw
)
SELECT severity, service,
{aggregates}
FROM durations
GROUP BY severity, service
ORDER BY severity, service
"""


def _query(source: str) -> str:
    aggregates = ",\n".join(
        f"    count({m}) AS {m}_n, quantile_cont({m}, [0.5, 0.9, 0.99]) AS {m}_q" for m in METRICS
    )
    return AGGREGATE.format(durations=DURATIONS.format(source=source), aggregates=aggregates)


def _rows(result: list[tuple]) -> list[tuple[str, str, str, int, float, float, float]]:
    rows = []
    for severity, service, *values in result:
        for i, metric in enumerate(METRICS):
            n, q = values[2 * i], values[2 * i + 1]
            median, p90, p99 = q if q is not None else (float("nan"),) * 3
            rows.append((severity, service, metric, n, median, p90, p99))
    return sorted(rows)


def _csv(path: str) -> str:
    return "read_csv_auto('{}')".format(str(path).replace("'", "''"))


def load(con: duckdb.DuckDBPyConnection, path: str) -> None:
    """Read the export into the table ``incidents``."""
    con.execute(f"CREATE OR REPLACE TABLE incidents AS SELECT * FROM {_csv(path)}")


def grouped_stats(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str, int, float, float, float]]:
    """Per severity x service x metric from the loaded table: (severity, service, metric, n, median, p90, p99)."""
    return _rows(con.execute(_query("incidents")).fetchall())


def end_to_end(path: str) -> list[tuple[str, str, str, int, float, float, float]]:
    """One query straight on the file (what a DuckDB user writes), in a fresh connection."""
    with duckdb.connect() as con:
        return _rows(con.execute(_query(_csv(path))).fetchall())


def main(path: str) -> None:
    print("severity  service          metric            n    median     p90      p99")
    for sev, svc, metric, n, median, p90, p99 in end_to_end(path):
        print(f"{sev:<9} {svc:<16} {metric:<16} {n:>6} {median:8.2f} {p90:8.2f} {p99:8.2f}")


if __name__ == "__main__":
    main(sys.argv[1])
