"""``make bench``: mttr_lab at 10k, 100k and 1M incidents, beside plain Python and DuckDB.

Writes synthetic CSV exports once (``synth_incidents`` + ``write_export(shape="csv")``), then runs
each contender on each size in its own subprocess (``bench_scale.py``), so that each peak memory
is its own. Before any time is shown, the three contenders' grouped medians, p90 and p99 must
agree; the runner stops with exit status 1 when they do not. The table goes to stdout and to
``benchmarks/out/results.md``.

Run: .venv/bin/python benchmarks/run.py [--sizes 10000 100000 1000000] [--micro]
  --micro  also run the per-module micro-benchmarks (bench_*.py) after the table
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
OUT = HERE / "out" / "results.md"
SIZES = (10_000, 100_000, 1_000_000)
#: Repetitions per size (the median is reported): modest at 1M to stay within the 10-minute budget.
REPEAT = {10_000: 5, 100_000: 5, 1_000_000: 3}
#: The library-only rows that are not run at 1M, and the report, which is only asked for up to 100k.
EXTRAS_MAX = 100_000
REPORT_REPEAT = 3
#: Address-space limit for the workers that may allocate without bound (bootstrap jackknife).
GUARD_GB = 8
#: Agreement: |a - b| <= ABS_TOL + REL_TOL * |b| minutes.
ABS_TOL, REL_TOL = 1e-6, 1e-9
STATS = ("median", "p90", "p99")
#: The fewest observed durations for which duration_summary reports each statistic.
MIN_COUNT = {"median": 1, "p90": 20, "p99": 100}
MICRO_SKIP = {"bench_scale.py"}


class Disagreement(RuntimeError):
    pass


def label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"


def machine() -> dict[str, str]:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = next(
            int(line.split()[1]) / 2**20
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f"{mem:.0f} GB"
    except (OSError, StopIteration):
        ram = "unknown"

    def version(pkg: str) -> str:
        try:
            return metadata.version(pkg)
        except metadata.PackageNotFoundError:
            return "not installed"

    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu,
        "ram": ram,
        "python": platform.python_version(),
        "pandas": version("pandas"),
        "numpy": version("numpy"),
        "pyarrow": version("pyarrow"),
        "duckdb": version("duckdb"),
        "mttr_lab": version("mttr_lab"),
    }


def write_exports(folder: Path, sizes: list[int]) -> dict[int, Path]:
    from mttr_lab.synth import synth_incidents, write_export

    paths = {}
    for n in sizes:
        start = time.perf_counter()
        frame = synth_incidents(incidents=n, months=36, seed=1, defects=False)
        paths[n] = write_export(frame, folder / f"incidents_{label(n)}.csv", shape="csv")
        del frame
        mb = paths[n].stat().st_size / 1e6
        print(
            f"  wrote {label(n):>4} incidents: {mb:6.1f} MB CSV in {time.perf_counter() - start:.1f} s",
            flush=True,
        )
    return paths


def worker(contender: str, path: Path, repeat: int, *, guard: bool = False) -> dict:
    cmd = [sys.executable, str(HERE / "bench_scale.py"), contender, str(path), "--repeat", str(repeat)]
    if guard:
        cmd += ["--max-memory-gb", str(GUARD_GB)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{contender} on {path.name} failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - start
    return result


# --------------------------------------------------------------------------- agreement


def check_agreement(results: dict[str, dict], n: int) -> str:
    """Raise Disagreement unless the three contenders give the same grouped numbers."""
    tables = {name: {tuple(r[:3]): r[3:] for r in res["rows"]} for name, res in results.items()}
    keys = set(tables["mttr"])
    problems = []
    for name, table in tables.items():
        if set(table) != keys:
            problems.append(f"{name} has groups {sorted(set(table) ^ keys)[:5]} the others lack")
    worst, compared = 0.0, 0
    for key in sorted(keys):
        mine = tables["mttr"][key]
        for name in ("python", "duckdb"):
            other = tables[name].get(key)
            if other is None:
                continue
            if other[0] != mine[0]:
                problems.append(f"{key}: {name} counts {other[0]} durations, mttr_lab {mine[0]}")
            for i, stat in enumerate(STATS, start=1):
                a, b = mine[i], other[i]
                if math.isnan(a):
                    if mine[0] >= MIN_COUNT[stat]:
                        problems.append(f"{key} {stat}: mttr_lab NaN with {mine[0]} observed, {name} {b!r}")
                    continue
                compared += 1
                diff = abs(a - b) if not math.isnan(b) else math.inf
                worst = max(worst, diff)
                if not diff <= ABS_TOL + REL_TOL * abs(b):
                    problems.append(f"{key} {stat}: mttr_lab {a!r}, {name} {b!r}")
    if problems:
        raise Disagreement(f"contenders disagree at {label(n)} incidents:\n  " + "\n  ".join(problems[:20]))
    return f"{label(n)}: {len(keys)} group x metric cells, {compared} values compared, max |diff| {worst:.1e} min"


# --------------------------------------------------------------------------- reporting


def med(values: list[float]) -> float:
    return float(np.median(values)) if values else math.nan


def slope(sizes: list[int], seconds: list[float]) -> float:
    pts = [(s, t) for s, t in zip(sizes, seconds, strict=True) if t == t and t > 0]
    if len(pts) < 2:
        return math.nan
    x, y = np.log10([p[0] for p in pts]), np.log10([p[1] for p in pts])
    return float(np.polyfit(x, y, 1)[0])


def fmt_s(t: float) -> str:
    if t != t:
        return "–"
    return f"{t * 1000:.0f} ms" if t < 1 else f"{t:.2f} s"


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), sep, *map(line, rows)])


STEPS = [
    # (label, contender, time key)
    ("read export", "mttr", "read"),
    ("read export", "python", "read"),
    ("read export", "duckdb", "read"),
    ("phase_durations", "mttr", "phases"),
    ("duration_summary ×3 metrics, intervals=False", "mttr", "summary"),
    ("phases + grouped median/p90/p99 (loaded)", "mttr", "aggregate"),
    ("phases + grouped median/p90/p99 (loaded)", "python", "aggregate"),
    ("phases + grouped median/p90/p99 (loaded)", "duckdb", "aggregate"),
    ("end to end (read + phases + grouped)", "mttr", "end_to_end"),
    ("end to end (read + phases + grouped)", "python", "end_to_end"),
    ("end to end (read + phases + grouped)", "duckdb", "end_to_end"),
    ("duration_summary with intervals (time_to_recover)", "mttr-extras", "summary_intervals"),
    ("duration_trend (monthly, time_to_recover)", "mttr-extras", "trend"),
    ("render_report (HTML)", "report", "report"),
]
NAMES = {
    "mttr": "mttr_lab",
    "python": "Python per-object",
    "duckdb": "DuckDB SQL",
    "mttr-extras": "mttr_lab",
    "report": "mttr_lab",
}


def build_report(info: dict, sizes: list[int], res: dict, agreement: list[str], notes: list[str]) -> str:
    def t(n: int, contender: str, key: str) -> float:
        return med(res.get(n, {}).get(contender, {}).get("times", {}).get(key, []))

    header = ["step", "contender", *[label(n) for n in sizes], "slope"]
    rows = []
    for step, contender, key in STEPS:
        values = [t(n, contender, key) for n in sizes]
        if all(v != v for v in values):
            continue
        rows.append([step, NAMES[contender], *map(fmt_s, values), f"{slope(sizes, values):.2f}"])
    out = [
        f"Median of {', '.join(f'{REPEAT[n]} ({label(n)})' for n in sizes)} runs; "
        f"report and intervals rows: median of {REPORT_REPEAT}. Slope: log-log fit of time vs size.",
        "",
        table(header, rows),
        "",
    ]

    # Ratios.
    ratio_rows = []
    for n in sizes:
        mttr_agg, mttr_e2e = t(n, "mttr", "aggregate"), t(n, "mttr", "end_to_end")
        ratio_rows.append(
            [
                label(n),
                f"{t(n, 'python', 'aggregate') / mttr_agg:.2f}×",
                f"{t(n, 'python', 'end_to_end') / mttr_e2e:.2f}×",
                f"{mttr_agg / t(n, 'duckdb', 'aggregate'):.2f}×",
                f"{mttr_e2e / t(n, 'duckdb', 'end_to_end'):.2f}×",
            ]
        )
    out += [
        table(
            [
                "size",
                "Python ÷ mttr_lab (loaded)",
                "Python ÷ mttr_lab (end to end)",
                "mttr_lab ÷ DuckDB (loaded)",
                "mttr_lab ÷ DuckDB (end to end)",
            ],
            ratio_rows,
        ),
        "",
    ]

    # Memory.
    mem_rows = []
    for n in sizes:
        frame = res[n]["mttr"]["frame_mb"]
        for contender in ("mttr", "python", "duckdb"):
            r = res[n][contender]
            grown = r["peak_mb"] - r["base_mb"]
            mem_rows.append(
                [
                    label(n),
                    NAMES[contender],
                    f"{r['peak_mb']:.0f}",
                    f"{r['base_mb']:.0f}",
                    f"{grown:.0f}",
                    f"{grown / frame:.2f}×",
                ]
            )
    out += [
        "Peak memory (VmHWM of the contender's own process, MB) over its end-to-end runs; "
        "'after imports' is its resident size before reading; frame = the incidents frame's "
        "memory_usage(deep=True): "
        + ", ".join(f"{label(n)} {res[n]['mttr']['frame_mb']:.1f} MB" for n in sizes),
        "",
        table(["size", "contender", "peak", "after imports", "peak − imports", "÷ frame"], mem_rows),
        "",
    ]

    # Targets.
    def verdict(ok: bool) -> str:
        return "met" if ok else "NOT met"

    targets = []
    if 100_000 in sizes:
        n = 100_000
        r1 = t(n, "python", "aggregate") / t(n, "mttr", "aggregate")
        r2 = t(n, "python", "end_to_end") / t(n, "mttr", "end_to_end")
        targets.append(
            ["≥ 3× Python per-object, phases + grouped, loaded, 100k", f"{r1:.2f}×", verdict(r1 >= 3)]
        )
        targets.append(["≥ 5× Python per-object, end to end, 100k", f"{r2:.2f}×", verdict(r2 >= 5)])
    big = max(sizes)
    r3 = t(big, "mttr", "end_to_end") / t(big, "duckdb", "end_to_end")
    targets.append([f"within 2× of DuckDB end to end, {label(big)}", f"{r3:.2f}×", verdict(r3 <= 2)])
    r = res[big]["mttr"]
    grown = r["peak_mb"] - r["base_mb"]
    targets.append(
        [
            f"peak memory ≤ 3× incidents frame, {label(big)} (peak − imports)",
            f"{grown:.0f} MB = {grown / r['frame_mb']:.2f}× of {r['frame_mb']:.0f} MB "
            f"(whole process {r['peak_mb']:.0f} MB = {r['peak_mb'] / r['frame_mb']:.2f}×)",
            verdict(grown <= 3 * r["frame_mb"]),
        ]
    )
    e2e = [t(n, "mttr", "end_to_end") for n in sizes]
    s_all = slope(sizes, e2e)
    tail = slope(sizes[-2:], e2e[-2:]) if len(sizes) >= 2 else math.nan
    targets.append(
        [
            "time roughly linear in size (mttr_lab end to end, slope ≤ 1.15)",
            f"slope {s_all:.2f} (last decade {tail:.2f})",
            verdict(s_all <= 1.15 and tail <= 1.15),
        ]
    )
    if 100_000 in sizes:
        rep = t(100_000, "report", "report")
        shown = fmt_s(rep) if rep == rep else "failed"
        targets.append(["render_report on 100k under 30 s", shown, verdict(rep == rep and rep < 30)])
    out += [table(["target", "measured", "verdict"], targets), ""]

    out += ["Agreement (checked before any time was reported):", *[f"- {a}" for a in agreement], ""]
    if notes:
        out += ["Notes:", *[f"- {x}" for x in notes], ""]
    threads = res[big]["duckdb"].get("threads")
    out += [
        f"Machine: {info['cpus']} CPUs ({info['cpu']}), {info['ram']} RAM; Python {info['python']}, "
        f"pandas {info['pandas']}, numpy {info['numpy']}, pyarrow {info['pyarrow']}, "
        f"duckdb {info['duckdb']} (threads={threads}; pandas and Python use one core), "
        f"mttr_lab {info['mttr_lab']}.",
        "Data: synth_incidents(incidents=N, months=36, seed=1, defects=False) written with "
        "write_export(shape='csv'); ~1% open incidents, milestones partly unobserved.",
        "Command: make bench  (= .venv/bin/python benchmarks/run.py)",
    ]
    return "\n".join(out)


def run_micro() -> int:
    failed = 0
    for script in sorted(HERE.glob("bench_*.py")):
        if script.name in MICRO_SKIP:
            continue
        print(f"== {script.name}", flush=True)
        failed |= subprocess.call([sys.executable, str(script)]) != 0
    return int(failed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--micro", action="store_true", help="also run the per-module bench_*.py scripts")
    args = parser.parse_args(argv)
    sizes = sorted(args.sizes)
    for n in sizes:
        REPEAT.setdefault(n, 3)
    began = time.perf_counter()
    info = machine()
    print(f"mttr_lab scale benchmark on {info['cpus']} CPUs ({info['cpu']})", flush=True)
    results: dict[int, dict[str, dict]] = {}
    agreement: list[str] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="mttr-bench-") as tmp:
        paths = write_exports(Path(tmp), sizes)
        for n in sizes:
            results[n] = {}
            for contender in ("mttr", "python", "duckdb"):
                results[n][contender] = worker(contender, paths[n], REPEAT[n])
                print(f"  {label(n):>4} {NAMES[contender]:<18} done", flush=True)
            try:
                agreement.append(check_agreement(results[n], n))
            except Disagreement as exc:
                message = f"AGREEMENT CHECK FAILED: no time is reported.\n{exc}"
                print("\n" + message, file=sys.stderr)
                OUT.parent.mkdir(parents=True, exist_ok=True)
                OUT.write_text(f"# mttr_lab scale benchmark\n\n{message}\n", encoding="utf-8")
                return 1
            print(f"  {label(n):>4} agreement ok", flush=True)
            if n <= EXTRAS_MAX:
                extras = worker("mttr-extras", paths[n], REPORT_REPEAT, guard=True)
                results[n]["mttr-extras"] = extras
                for note in extras.get("notes", {}).values():
                    if note not in notes:
                        notes.append(note)
                report = worker("report", paths[n], REPORT_REPEAT, guard=True)
                results[n]["report"] = report
                notes += [f"{label(n)}: {v}" for v in report.get("notes", {}).values()]
                print(f"  {label(n):>4} duration_summary with intervals, trend, report done", flush=True)
    skipped = [label(n) for n in sizes if n > EXTRAS_MAX]
    if skipped:
        notes.append(
            f"duration_summary with intervals, duration_trend and the report are not run at {', '.join(skipped)} "
            "(the report target is 100k; the BCa bootstrap's jackknife grows as n² per group)."
        )
    text = build_report(info, sizes, results, agreement, notes)
    text += f"\nTotal benchmark wall time: {time.perf_counter() - began:.0f} s."
    print()
    print(text)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("# mttr_lab scale benchmark\n\n" + text + "\n", encoding="utf-8")
    print(f"\n(written to {OUT.relative_to(HERE.parent)})")
    if args.micro:
        print("\nPer-module micro-benchmarks:", flush=True)
        run_micro()  # informational: their own targets are reported in their output
    return 0


if __name__ == "__main__":
    sys.exit(main())
