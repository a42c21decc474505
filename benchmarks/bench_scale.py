"""Scale benchmark worker: time one contender on one export in this process, print JSON.

``benchmarks/run.py`` starts one worker per contender and size, so that each peak memory
(``VmHWM``) belongs to that contender alone. Every repetition reads the export again and times
each step; results are dropped between repetitions.

Contenders:
  mttr        read_export -> check_incidents -> phase_durations -> duration_summary(by=[severity,
              service], intervals=False) for time_to_respond, time_to_repair, time_to_recover
  python      baseline_python.py (dataclass per incident, csv, statistics)
  numpy       baseline_numpy.py on the arrays of the loaded incidents (the limit; reading untimed)
  duckdb      baseline_duckdb.py (read_csv_auto, epoch differences, quantile_cont)
  read        read_export beside a bare pandas.read_csv(engine="pyarrow") of the same file, and its own parse
  memory      read_export -> phase_durations once: peak memory beside the incidents frame's size

Run: .venv/bin/python benchmarks/bench_scale.py CONTENDER EXPORT.csv [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

METRICS = ("time_to_respond", "time_to_repair", "time_to_recover")
BY = ["severity", "service"]


def memory_mb() -> dict[str, float]:
    """This process's resident memory now and its peak so far (MB), from /proc/self/status."""
    found = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) / 1024
    except OSError:
        pass
    if "VmHWM" not in found:  # not Linux: ru_maxrss (kB on Linux, bytes on macOS)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        found["VmHWM"] = peak / (1024 * 1024 if sys.platform == "darwin" else 1024)
        found.setdefault("VmRSS", found["VmHWM"])
    return {"rss": found["VmRSS"], "peak": found["VmHWM"]}


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


# --------------------------------------------------------------------------- contenders


def _mttr_rows(tables: dict[str, Any]) -> list[list]:
    rows = []
    for metric, table in tables.items():
        for (severity, service), row in table.iterrows():
            rows.append(
                [str(severity), str(service), metric, int(row["observed"])]
                + [float(row[c]) for c in ("median", "p90", "p99")]
            )
    return sorted(rows)


def run_mttr(path: str, repeat: int) -> dict[str, Any]:
    import mttr_lab as mttr

    def aggregate(durations):
        return {m: mttr.duration_summary(durations, metric=m, by=BY, intervals=False) for m in METRICS}

    _ = (mttr.read_export, mttr.check_incidents, mttr.phase_durations, mttr.duration_summary)  # lazy imports
    base = memory_mb()
    times: dict[str, list[float]] = {
        "read": [],
        "check": [],
        "phases": [],
        "summary": [],
        "aggregate": [],
        "end_to_end": [],
    }
    rows, frame_mb, n = [], 0.0, 0
    for i in range(repeat):
        t_read, incidents = timed(lambda: mttr.read_export(path, source="csv"))
        t_check, _findings = timed(lambda incidents=incidents: mttr.check_incidents(incidents))
        t_phases, durations = timed(lambda incidents=incidents: mttr.phase_durations(incidents))
        t_summary, tables = timed(lambda durations=durations: aggregate(durations))
        times["read"].append(t_read)
        times["check"].append(t_check)
        times["phases"].append(t_phases)
        times["summary"].append(t_summary)
        times["aggregate"].append(t_phases + t_summary)
        times["end_to_end"].append(t_read + t_check + t_phases + t_summary)
        if i == 0:
            rows = _mttr_rows(tables)
            n = len(incidents)
            frame_mb = float(incidents.memory_usage(deep=True).sum()) / 2**20
        del incidents, durations, tables, _findings
        gc.collect()
    peak = memory_mb()["peak"]
    return {
        "times": times,
        "rows": rows,
        "incidents": n,
        "base_mb": base["rss"],
        "peak_mb": peak,
        "frame_mb": frame_mb,
    }


def run_python(path: str, repeat: int) -> dict[str, Any]:
    import baseline_python as bp

    base = memory_mb()
    times: dict[str, list[float]] = {"read": [], "aggregate": [], "end_to_end": []}
    rows, n = [], 0
    for i in range(repeat):
        t_read, incidents = timed(lambda: bp.read_incidents(path))
        t_agg, result = timed(lambda incidents=incidents: bp.grouped_stats(incidents))
        times["read"].append(t_read)
        times["aggregate"].append(t_agg)
        times["end_to_end"].append(t_read + t_agg)
        if i == 0:
            rows, n = [list(r) for r in result], len(incidents)
        del incidents, result
        gc.collect()
    return {
        "times": times,
        "rows": rows,
        "incidents": n,
        "base_mb": base["rss"],
        "peak_mb": memory_mb()["peak"],
    }


def run_duckdb(path: str, repeat: int) -> dict[str, Any]:
    import baseline_duckdb as bd
    import duckdb

    base = memory_mb()
    times: dict[str, list[float]] = {"read": [], "aggregate": [], "end_to_end": []}
    rows = []
    for i in range(repeat):
        # End to end: one query on the file, in a fresh connection.
        t_e2e, result = timed(lambda: bd.end_to_end(path))
        times["end_to_end"].append(t_e2e)
        # The same in two steps, for the "data already loaded" comparison.
        with duckdb.connect() as con:
            t_read, _ = timed(lambda con=con: bd.load(con, path))
            t_agg, loaded = timed(lambda con=con: bd.grouped_stats(con))
        times["read"].append(t_read)
        times["aggregate"].append(t_agg)
        if loaded != result:
            raise AssertionError("duckdb: the loaded-table query and the file query disagree")
        if i == 0:
            rows = [list(r) for r in result]
        del result, loaded
        gc.collect()
    threads = duckdb.connect().execute("SELECT current_setting('threads')").fetchone()[0]
    return {
        "times": times,
        "rows": rows,
        "base_mb": base["rss"],
        "peak_mb": memory_mb()["peak"],
        "threads": int(threads),
    }


def run_numpy(path: str, repeat: int) -> dict[str, Any]:
    import baseline_numpy as bn

    import mttr_lab as mttr

    arrays = bn.arrays_of(mttr.read_export(path, source="csv"))  # the same arrays, not timed
    times: dict[str, list[float]] = {"aggregate": []}
    rows = []
    for i in range(repeat):
        t_agg, result = timed(lambda: bn.grouped_stats(arrays))
        times["aggregate"].append(t_agg)
        if i == 0:
            rows = [list(r) for r in result]
    return {"times": times, "rows": rows}


def run_read(path: str, repeat: int) -> dict[str, Any]:
    """read_export and a bare pandas.read_csv(engine="pyarrow") of the same file, taking turns."""
    import pandas as pd

    import mttr_lab as mttr
    from mttr_lab.readers._files import read_csv_frame  # read_export's parse, before the canonical frame

    mttr.read_export(path, source="csv")  # warm: imports, page cache
    pd.read_csv(path, engine="pyarrow")
    times: dict[str, list[float]] = {"read_export": [], "pandas": [], "parse": []}
    for _ in range(repeat):
        t, frame = timed(lambda: pd.read_csv(path, engine="pyarrow"))
        times["pandas"].append(t)
        del frame
        t, frame = timed(lambda: mttr.read_export(path, source="csv"))
        times["read_export"].append(t)
        del frame
        t, frame = timed(lambda: read_csv_frame(path))
        times["parse"].append(t)
        del frame
        gc.collect()
    return {"times": times}


def _reset_peak() -> bool:
    """Reset this process's peak resident size (Linux: /proc/self/clear_refs); False where unsupported."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def run_memory(path: str, repeat: int) -> dict[str, Any]:
    """Peak memory of read_export + phase_durations, and the incidents frame's own size."""
    import mttr_lab as mttr

    _ = (mttr.read_export, mttr.phase_durations)  # the lazy imports first
    gc.collect()
    _reset_peak()
    base = memory_mb()
    incidents = mttr.read_export(path, source="csv")
    durations = mttr.phase_durations(incidents)
    peak = memory_mb()["peak"]
    frame_mb = float(incidents.memory_usage(deep=True).sum()) / 2**20
    durations_mb = float(durations.memory_usage(deep=True).sum()) / 2**20
    return {
        "base_mb": base["rss"],
        "peak_mb": peak,
        "frame_mb": frame_mb,
        "durations_mb": durations_mb,
        "incidents": len(incidents),
    }


CONTENDERS = {
    "mttr": run_mttr,
    "python": run_python,
    "numpy": run_numpy,
    "duckdb": run_duckdb,
    "read": run_read,
    "memory": run_memory,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("contender", choices=sorted(CONTENDERS))
    parser.add_argument("path")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--max-memory-gb",
        type=float,
        default=0,
        help="address-space limit (RLIMIT_AS) so that a runaway allocation fails instead of swapping",
    )
    args = parser.parse_args(argv)
    if args.max_memory_gb:
        limit = int(args.max_memory_gb * 2**30)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    result = CONTENDERS[args.contender](args.path, args.repeat)
    result["contender"] = args.contender
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
