"""The long fuzzing campaign of the readers, a systematic wrong-shape sweep, and a 1 GB memory check.

Commands (run from the project folder):

``python benchmarks/fuzz.py campaign [--examples 20000] [--jobs 2]``
    Runs ``tests/test_fuzz_readers.py`` under the ``mttr-fuzz`` Hypothesis profile (random, the
    same strategies as CI) with ``--examples`` examples per test, in ``--jobs`` processes.
    Failures are collected instead of stopping the run; a summary of the outcomes and of each
    distinct failure (exception type and the line of mttr_lab it came from) is printed and
    written to ``reports/fuzz/``.
``python benchmarks/fuzz.py sweep [--sources NAME [NAME ...]] [--max-paths 400]``
    Replaces every value (the first ``--max-paths`` paths) of the first document of every JSON
    fixture of the chosen sources (the keys of ``CASES`` in ``tests/test_fuzz_readers.py``; all
    by default), one at a time, with each of a list of wrong shapes (null, number, text, list,
    object, nested list, huge float, ...), and reads the result: a frame or an InputError, never
    another exception and no warning (warnings are errors during the sweep). Prints one progress
    line per fixture (source, file, exports, seconds), then the number of exports, the time and
    each distinct failure (exception type and the line of mttr_lab it came from).
``python benchmarks/fuzz.py memory [--size-mb 1024]``
    Writes a canonical CSV of about ``--size-mb`` MB to a temporary folder, reads it with
    ``read_export`` in a fresh process, and reports peak RSS against the file and frame sizes.
    The file is deleted afterwards.
"""

from __future__ import annotations

import argparse
import collections
import copy
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = ROOT / "tests"
OUT = ROOT / "reports" / "fuzz"


# --------------------------------------------------------------------------- campaign


def _sources() -> list[str]:
    sys.path.insert(0, str(TESTS))
    import test_fuzz_readers

    return sorted(test_fuzz_readers.CASES)


def campaign(examples: int, jobs: int) -> int:
    """Run the property tests with many random examples; summarise what they found."""
    OUT.mkdir(parents=True, exist_ok=True)
    failures = OUT / "failures.jsonl"
    for stale in (failures, Path(str(failures) + ".outcomes")):
        stale.unlink(missing_ok=True)
    env = {
        **os.environ,
        "MTTR_FUZZ_PROFILE": "mttr-fuzz",
        "MTTR_FUZZ_EXAMPLES": str(examples),
        "MTTR_FUZZ_COLLECT": str(failures),
    }
    selections = [f"test_reader_survives_damaged_exports[{s}]" for s in _sources()]
    selections += ["test_auto_detection_survives_damaged_exports"]
    buckets = [selections[i::jobs] for i in range(jobs)]
    started = time.perf_counter()
    procs = []
    for i, bucket in enumerate(buckets):
        ids = [f"tests/test_fuzz_readers.py::{name}" for name in bucket]
        log = open(OUT / f"pytest_{i}.log", "w", encoding="utf-8")
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-o", "addopts=", *ids]
        procs.append((subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT), log))
    codes = []
    for proc, log in procs:
        codes.append(proc.wait())
        log.close()
    elapsed = time.perf_counter() - started
    return _summarise(failures, elapsed, codes)


def _summarise(failures: Path, elapsed: float, codes: list[int]) -> int:
    outcomes_file = Path(str(failures) + ".outcomes")
    outcomes = [json.loads(line) for line in outcomes_file.open()] if outcomes_file.exists() else []
    found = [json.loads(line) for line in failures.open()] if failures.exists() else []
    by_source = collections.Counter(o["source"] for o in outcomes)
    for f in found:
        by_source[f["source"]] += 1
    read = sum(o["outcome"].startswith("read") for o in outcomes)
    lines = [
        f"examples: {len(outcomes) + len(found)} in {elapsed:.0f} s "
        f"({read} read into a frame, {len(outcomes) - read} InputError, {len(found)} failures)",
        "per source: " + ", ".join(f"{k} {v}" for k, v in sorted(by_source.items())),
        f"pytest exit codes: {codes}",
    ]
    distinct = collections.OrderedDict()
    for f in found:
        distinct.setdefault((f["error"], f["where"]), []).append(f)
    for (error, where), items in distinct.items():
        first = items[0]
        lines.append(f"\n{len(items)} x {error} at {where} ({first['source']}): {first['message'][:200]}")
        lines.append("  example: " + first["example"][:600])
    messages = collections.Counter(
        o["outcome"].split(":", 2)[-1].split(";")[0].strip()[:70]
        for o in outcomes
        if o["outcome"].startswith("InputError")
    )
    lines.append("\nmost common InputError messages:")
    lines += [f"  {n:6d}  {m}" for m, n in messages.most_common(15)]
    text = "\n".join(lines)
    (OUT / "summary.txt").write_text(text + "\n", encoding="utf-8")
    print(text)
    return 1 if found else 0


# --------------------------------------------------------------------------- sweep


WRONG = [
    None,
    5,
    -1,
    "x",
    "",
    True,
    1.5e300,
    [],
    {},
    [5],
    {"a": 5},
    [{"a": None}],
    {"name": 5, "id": [1]},
    "2025-10-26 02:30",
    "26/10/2025 01:00",
    1_700_000_000,
]


def sweep(max_paths: int, sources: list[str] | None = None) -> int:
    """Every value of each JSON fixture's first document, replaced by each wrong shape.

    ``sources`` are keys of ``CASES`` (all of them when None); a fixture that is not JSON is skipped.
    """
    import warnings

    sys.path.insert(0, str(TESTS))
    import test_fuzz_readers as fz

    unknown = sorted(set(sources or ()) - set(fz.CASES))
    if unknown:
        print(f"unknown sources {unknown}; known: {', '.join(sorted(fz.CASES))}", file=sys.stderr)
        return 2
    warnings.simplefilter("error")
    found: dict[tuple[str, str], tuple] = {}
    count = 0
    started = time.perf_counter()
    for name in sources or list(fz.CASES):
        if all(case.file.endswith(".csv") for case in fz.CASES[name]):
            print(f"{name}: no JSON fixture, nothing to sweep", flush=True)
            continue
        for case in fz.CASES[name]:
            if case.file.endswith(".csv"):
                continue
            case_started, case_count = time.perf_counter(), 0
            docs, lines = fz._load_json_docs((fz.FIXTURES / case.file).read_text(encoding="utf-8"))
            paths = [(0, *p) for p in fz._paths(docs[0]) if p][:max_paths]
            for path in paths:
                for value in WRONG:
                    doc = copy.deepcopy(docs)
                    fz._set(doc, path, copy.deepcopy(value))
                    export = fz.Export(
                        fz._dump_json_docs(doc, lines).encode(), Path(case.file).suffix, False, "sweep"
                    )
                    case_count += 1
                    try:
                        fz._read_damaged(export, case.source, case.options, expected_rows=None)
                    except Exception as exc:
                        frames = [
                            f for f in traceback.extract_tb(exc.__traceback__) if "mttr_lab" in f.filename
                        ]
                        where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "test"
                        found.setdefault(
                            (type(exc).__name__, where), (case.file, path, value, str(exc)[:200])
                        )
            count += case_count
            print(
                f"{name} {case.file}: {case_count} exports in {time.perf_counter() - case_started:.0f} s "
                f"({count} done, {len(found)} distinct failures so far)",
                flush=True,
            )
    print(f"sweep: {count} exports in {time.perf_counter() - started:.0f} s, {len(found)} distinct failures")
    for key, value in found.items():
        print(key, value)
    return 1 if found else 0


# --------------------------------------------------------------------------- memory


_CHILD = r"""
import resource, sys, time
import mttr_lab as mttr
started = time.perf_counter()
frame = mttr.read_export(sys.argv[1])
seconds = time.perf_counter() - started
frame_bytes = int(frame.memory_usage(deep=True).sum())
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(len(frame), frame_bytes, peak_kb * 1024, seconds)
"""

_BASELINE = r"""
import resource
import mttr_lab
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def _write_csv(path: Path, size_mb: int) -> int:
    """A canonical export of about ``size_mb`` MB, written in blocks; returns its number of rows."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(7)
    target = size_mb * 1024 * 1024
    rows = 0
    block = 200_000
    services = np.array(["checkout", "search", "payments", "auth", "storage", "network"])
    severities = np.array(["P1", "P2", "P3", "P4"])
    with path.open("w", encoding="utf-8") as fh:
        fh.write("incident_id,title,service,severity,detected_at,acknowledged_at,resolved_at\n")
        while fh.tell() < target:
            start = pd.Timestamp("2020-01-01", tz="UTC") + pd.to_timedelta(
                rng.integers(0, 5 * 365 * 86400, block), unit="s"
            )
            ack = start + pd.to_timedelta(rng.exponential(600, block).astype(int), unit="s")
            res = ack + pd.to_timedelta(rng.lognormal(8, 1.2, block).astype(int), unit="s")
            frame = pd.DataFrame(
                {
                    "incident_id": [f"INC{rows + i:09d}" for i in range(block)],
                    "title": "Elevated error rate on " + pd.Series(services[rng.integers(0, 6, block)]),
                    "service": services[rng.integers(0, 6, block)],
                    "severity": severities[rng.integers(0, 4, block)],
                    "detected_at": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "acknowledged_at": ack.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "resolved_at": res.strftime("%Y-%m-%dT%H:%M:%SZ"),
                }
            )
            frame.to_csv(fh, header=False, index=False)
            rows += block
    return rows


def memory(size_mb: int) -> int:
    """Peak RSS of reading a generated CSV of ``size_mb`` MB, against the file and frame sizes."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.csv"
        started = time.perf_counter()
        rows = _write_csv(path, size_mb)
        size = path.stat().st_size
        print(f"wrote {rows:,} rows, {size / 2**20:,.0f} MiB in {time.perf_counter() - started:.0f} s")
        base = int(subprocess.run([sys.executable, "-c", _BASELINE], capture_output=True, text=True).stdout)
        result = subprocess.run([sys.executable, "-c", _CHILD, str(path)], capture_output=True, text=True)
        if result.returncode:
            print(result.stderr)
            return 1
        n, frame_bytes, peak, seconds = result.stdout.split()
        frame_bytes, peak = int(frame_bytes), int(peak)
        mib = 2**20
        print(
            f"read {int(n):,} rows in {float(seconds):.1f} s\n"
            f"file {size / mib:,.0f} MiB; frame {frame_bytes / mib:,.0f} MiB; "
            f"peak RSS {peak / mib:,.0f} MiB (interpreter and imports alone: {base / mib:,.0f} MiB)\n"
            f"peak beyond imports and the frame: {(peak - base - frame_bytes) / mib:,.0f} MiB "
            f"= {(peak - base - frame_bytes) / size:.2f} x the file"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("campaign")
    run.add_argument("--examples", type=int, default=20_000)
    run.add_argument("--jobs", type=int, default=2)
    sw = sub.add_parser("sweep")
    sw.add_argument("--max-paths", type=int, default=400)
    sw.add_argument("--sources", nargs="+", metavar="NAME", help="keys of CASES to sweep (default: all)")
    mem = sub.add_parser("memory")
    mem.add_argument("--size-mb", type=int, default=1024)
    args = parser.parse_args(argv)
    if args.command == "campaign":
        return campaign(args.examples, args.jobs)
    if args.command == "sweep":
        return sweep(args.max_paths, args.sources)
    return memory(args.size_mb)


if __name__ == "__main__":
    raise SystemExit(main())
