"""The long fuzzing campaign of the readers, a systematic wrong-shape sweep, and a 1 GB memory check.

Commands (run from the project folder):

``python benchmarks/fuzz.py campaign [--examples 20000] [--jobs 2]``
    Runs ``tests/test_fuzz_readers.py`` under the ``mttr-fuzz`` Hypothesis profile (random, the
    same strategies as CI) with ``--examples`` examples per test, in ``--jobs`` processes.
    Failures are collected instead of stopping the run; a summary of the outcomes and of each
    distinct failure (exception type and the line of mttr_lab it came from) is printed and
    written to ``reports/fuzz/``.
``python benchmarks/fuzz.py sweep [--sources NAME [NAME ...]] [--max-paths 400] [--part PART]``
    ``--part shapes`` (with ``all``, the default) replaces every value (the first ``--max-paths`` paths) of the first document of every JSON
    fixture of the chosen sources (the keys of ``CASES`` in ``tests/test_fuzz_readers.py``; all
    by default), one at a time, with each of a list of wrong shapes (null, number, text, list,
    object, nested list, huge float, ...), and reads the result: a frame or an InputError, never
    another exception and no warning (warnings are errors during the sweep). Prints one progress
    line per fixture (source, file, exports, seconds), then the number of exports, the time and
    each distinct failure (exception type and the line of mttr_lab it came from).
    ``--part scenarios`` (with ``all``) brings every fixture and every real export of
    ``../shared/data/real`` (when present) the wrong ways a user does: to every other vendor's
    reader (each must refuse), with blank ids, with ``NA``/``None``/``null``/``N/A`` in text
    fields, with fractions of a second dropped, with a date moved to 2099/2262/9999, and as
    folders mixing two sources (refused) or holding two files of one (read). The only outcomes
    allowed are a frame that passes the frame checks of ``tests/test_fuzz_readers.py`` (rows kept,
    analysed + excluded = read, no negative duration, every out-of-order milestone a finding) or
    one ``InputError`` line naming the file and what was expected. Prints per scenario the
    exports, frames, refusals (and how many name the record, the field, the value found) and
    each distinct failure.
``python benchmarks/fuzz.py memory [--size-mb 1024]``
    Writes a canonical CSV of about ``--size-mb`` MB to a temporary folder, reads it with
    ``read_export`` in a fresh process, and reports peak RSS against the file and frame sizes.
    The file is deleted afterwards.
"""

from __future__ import annotations

import argparse
import collections
import copy
import gzip
import itertools
import json
import os
import re
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


# --------------------------------------------------------------------------- scenarios

#: The real exports beside the project (``../shared/data/real``), the source that reads each, and
#: its options. Absent in a fresh clone: the scenarios then run on the fixtures alone.
REAL = ROOT.parent / "shared" / "data" / "real"
REAL_CASES = [
    ("gcp_status_incidents_2022-07-03.json.gz", "gcp_status", {}),
    (
        "github_status_downtime_windows.csv",
        "csv",
        {
            "columns": {
                "incident_id": "incident_id",
                "title": "title",
                "severity": "impact",
                "started_at": "downtime_start",
                "resolved_at": "downtime_end",
            }
        },
    ),
    ("github_status_incidents.jsonl.gz", "statuspage", {}),
    ("servicenow_incident_event_log.csv.gz", "servicenow", {"tz": "UTC"}),
    ("volvo_it_incidents_bpic2013.csv.gz", "eventlog", {}),
]
#: Lines (or JSON list items) of a real export kept for the mutations (the whole file is read too).
REAL_HEAD = 400
_ID_KEYS = {"id", "incident_id", "reference", "number", "tinyid", "issue key", "ticket", "key", "incident"}
_TEXT_KEYS = ("title", "name", "summary", "message", "description", "service", "team", "group")
_NA_WORDS = ("NA", "None", "null", "N/A")
_ISO_SECONDS = re.compile(r"(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d)\.\d+")
_ISO_YEAR = re.compile(r"(?<![\d-])(19|20)\d\d(?=-\d\d-\d\d[T ]\d)")


class _Outcome:
    """Counts of one scenario: exports tried, frames, refusals, failures (kept with an example)."""

    def __init__(self) -> None:
        self.tried = self.frames = self.refused = 0
        self.named = collections.Counter()  # how many refusals name a record, a field, found
        self.failures: dict[str, str] = {}

    def fail(self, kind: str, example: str) -> None:
        self.failures.setdefault(kind, example[:300])


def _one_line_error(err: Exception, shown: str, outcome: _Outcome, label: str) -> None:
    """An InputError must be one line naming the file and what was expected."""
    text = str(err)
    if "\n" in text:
        outcome.fail("InputError of several lines", f"{label}: {text}")
    if shown not in text:
        outcome.fail("InputError not naming the file", f"{label}: {text}")
    if getattr(err, "expected", None) is None:
        outcome.fail("InputError without expected", f"{label}: {text}")
    for part in ("record", "field", "found"):
        if getattr(err, part, None) is not None:
            outcome.named[part] += 1


def _attempt(
    outcome: _Outcome,
    label: str,
    path: Path,
    source: str,
    options: dict,
    *,
    refuse: bool = False,
    rows: int | None = None,
    check=None,
) -> None:
    """Read ``path``; a frame must pass the frame checks (and ``check``), a refusal be one line."""
    import test_fuzz_readers as fz

    import mttr_lab as mttr

    outcome.tried += 1
    try:
        frame = mttr.read_export(path, source=source, **options)
    except mttr.InputError as err:
        outcome.refused += 1
        _one_line_error(err, str(path), outcome, label)
        return
    except Exception as exc:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if "mttr_lab" in f.filename]
        where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
        outcome.fail(f"{type(exc).__name__} at {where}", f"{label}: {exc}")
        return
    outcome.frames += 1
    if check is not None and check(frame):
        outcome.named["kept as text"] += 1
    if refuse:
        outcome.fail("a frame where a refusal was due", f"{label}: {len(frame)} rows")
        return
    try:
        fz.check_frame(frame, expected_rows=rows)
    except AssertionError as exc:
        outcome.fail("a frame that breaks the frame checks", f"{label}: {exc}")
    except Exception as exc:
        outcome.fail(f"{type(exc).__name__} in the frame checks", f"{label}: {exc}")


def _text_of(path: Path) -> str:
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8-sig")


def _head(text: str, name: str) -> str:
    """The first records of a real export: lines of CSV/JSON Lines, items of a JSON list."""
    if name.endswith((".jsonl", ".jsonl.gz", ".csv", ".csv.gz")):
        return "".join(text.splitlines(keepends=True)[:REAL_HEAD])
    doc = json.loads(text)
    if isinstance(doc, list):
        return json.dumps(doc[: REAL_HEAD // 10])
    return text


def _csv_rows(text: str) -> tuple[list[str], list[list[str]], str]:
    import csv
    import io

    first = text.splitlines()[0] if text.strip() else ""
    sep = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    return rows[0], rows[1:], sep


def _csv_text(header: list[str], rows: list[list[str]], sep: str) -> str:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, delimiter=sep, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def _value_variants(
    text: str, suffix: str, keys: set[str] | tuple[str, ...], values: tuple
) -> list[tuple[str, str]]:
    """``text`` with the first record's value under each key in ``keys`` replaced by each of
    ``values`` (a CSV: the first row's cell of each such column); (what changed, new text)."""
    import test_fuzz_readers as fz

    wanted = {k.lower() for k in keys}
    out = []
    if suffix == ".csv":
        header, rows, sep = _csv_rows(text)
        if not rows:
            return out
        for i, name in enumerate(header):
            low = name.strip().lower()
            if low in wanted or (isinstance(keys, tuple) and any(k in low for k in wanted)):
                for value in values:
                    changed = [list(r) for r in rows]
                    if i < len(changed[0]):
                        changed[0][i] = value
                        out.append((f"{name}={value!r}", _csv_text(header, changed, sep)))
        return out
    docs, lines = fz._load_json_docs(text)
    for path in fz._paths(docs[0]):
        if not path or not isinstance(path[-1], str):
            continue
        low = path[-1].lower()
        hit = low in wanted if isinstance(keys, set) else any(k in low for k in wanted)
        if not hit or isinstance(fz._get(docs[0], path), (dict, list)):
            continue
        for value in values:
            doc = json.loads(json.dumps(docs))
            fz._set(doc, (0, *path), value)
            out.append((f"{'.'.join(map(str, path))}={value!r}", fz._dump_json_docs(doc, lines)))
        if len(out) >= 24:
            break
    return out


def _mutations(text: str, suffix: str) -> dict[str, list[tuple[str, str]]]:
    """The scenario mutations of one export's text, by scenario name."""
    rounded = _ISO_SECONDS.sub(r"\1", text)
    future = []
    for year in ("2099", "2262", "9999"):
        changed = _ISO_YEAR.sub(year, text, count=1)
        if changed != text:
            future.append((f"first date in {year}", changed))
    return {
        "blank ids": _value_variants(text, suffix, _ID_KEYS, ("", " ", None)),
        "NA strings": _value_variants(text, suffix, _TEXT_KEYS, _NA_WORDS),
        "rounded seconds": [("fractions of a second dropped", rounded)] if rounded != text else [],
        "future dates": future,
    }


def _kept_na_word(frame) -> bool:
    """Whether an NA word written into the export is text in some column of the frame."""
    for column in frame.columns:
        if frame[column].dtype in (object, "str") and frame[column].isin(_NA_WORDS).any():
            return True
    return False


def scenarios(real: bool = True, sources: list[str] | None = None) -> int:
    """The wrong ways a user brings an export, on the fixtures (of ``sources``, keys of ``CASES``;
    all by default) and, with ``real`` and no ``sources``, the real exports. Returns 1 on any
    failure, else 0."""
    import warnings

    import mttr_lab as mttr
    from mttr_lab.io import detect_source, supported_sources

    sys.path.insert(0, str(TESTS))
    import test_fuzz_readers as fz

    warnings.simplefilter("error")
    vendors = [s for s in supported_sources() if s not in ("csv", "json", "jsonl")]
    results: dict[str, _Outcome] = collections.defaultdict(_Outcome)
    started = time.perf_counter()
    cases = [
        (c.file, fz.FIXTURES / c.file, c.source, c.options, c.per_record)
        for name, cs in fz.CASES.items()
        if sources is None or name in sources
        for c in cs
    ]
    if real and sources is None and REAL.is_dir():
        cases += [
            (f"real/{n}", REAL / n, s, o, s not in ("eventlog", "servicenow") or "shape" in o)
            for n, s, o in REAL_CASES
            if (REAL / n).exists()
        ]
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        for label, path, source, options, per_record in cases:
            tz = {"tz": options["tz"]} if "tz" in options else {}
            # The export as it is, with its reader and with auto-detection.
            _attempt(results["as exported"], label, path, source, options)
            # Wrong vendor: every other vendor's reader refuses it.
            try:
                found = detect_source(path)[0]
            except mttr.InputError:
                found = None
            for vendor in vendors:
                if vendor in (source, found):
                    continue
                _attempt(results["wrong vendor"], f"{label} as {vendor}", path, vendor, tz, refuse=True)
            # Mutations of the text, read by the export's own reader.
            name = path.name.removesuffix(".gz")
            suffix = Path(name).suffix
            text = _text_of(path)
            if label.startswith("real/"):
                text = _head(text, path.name)
            base = scratch / f"base_{name}"
            base.write_text(text, encoding="utf-8")
            try:  # a value changed in one record keeps the number of rows
                rows = len(mttr.read_export(base, source=source, **options)) if per_record else None
            except mttr.InputError:
                rows = None
            for scenario, variants in _mutations(text, suffix).items():
                for i, (how, changed) in enumerate(variants):
                    target = scratch / f"{i}_{name}"
                    target.write_text(changed, encoding="utf-8")
                    check = _kept_na_word if scenario == "NA strings" else None
                    _attempt(
                        results[scenario], f"{label} ({how})", target, source, options, rows=rows, check=check
                    )
                    target.unlink()
            print(f"{label}: done ({time.perf_counter() - started:.0f} s)", flush=True)
        # Mixed folders: two exports of different sources are refused; two of one source are read.
        by_source: dict[str, list[Path]] = collections.defaultdict(list)
        for label, path, source, options, _ in cases:
            if not options and not label.startswith("real/"):
                by_source[source].append(path)
        names = sorted(by_source)
        for a, b in itertools.pairwise(names):
            mixed = scratch / f"mixed_{a}_{b}"
            mixed.mkdir()
            for p in (by_source[a][0], by_source[b][0]):
                (mixed / p.name).write_bytes(p.read_bytes())
            _attempt(results["mixed folders"], f"{a} + {b}", mixed, "auto", {}, refuse=True)
        for source, paths in by_source.items():
            if len(paths) > 1 and source not in ("pagerduty",):
                same = scratch / f"same_{source}"
                same.mkdir()
                for p in paths[:2]:
                    (same / p.name).write_bytes(p.read_bytes())
                _attempt(results["one-source folders"], source, same, "auto", {})
    failed = 0
    print(
        f"\nscenarios: {sum(o.tried for o in results.values())} exports in {time.perf_counter() - started:.0f} s"
    )
    for scenario, o in results.items():
        failed += len(o.failures)
        named = ", ".join(f"{o.named[k]} name the {k}" for k in ("record", "field", "found"))
        if o.named["kept as text"]:
            named += f"; the NA word kept as text in {o.named['kept as text']} frames"
        print(
            f"  {scenario}: {o.tried} exports, {o.frames} frames, {o.refused} InputError ({named}), "
            f"{len(o.failures)} distinct failures"
        )
        for kind, example in o.failures.items():
            print(f"    {kind}: {example}")
    return 1 if failed else 0


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
    sw.add_argument("--part", choices=["all", "shapes", "scenarios"], default="all")
    sw.add_argument("--no-real", action="store_true", help="scenarios on the fixtures alone")
    mem = sub.add_parser("memory")
    mem.add_argument("--size-mb", type=int, default=1024)
    args = parser.parse_args(argv)
    if args.command == "campaign":
        return campaign(args.examples, args.jobs)
    if args.command == "sweep":
        code = sweep(args.max_paths, args.sources) if args.part in ("all", "shapes") else 0
        if args.part in ("all", "scenarios"):
            code = max(code, scenarios(real=not args.no_real, sources=args.sources))
        return code
    return memory(args.size_mb)


if __name__ == "__main__":
    raise SystemExit(main())
