"""``make bench``: mttr_lab's targets, each measured beside its baseline in one run.

Writes synthetic CSV exports once (``synth_incidents`` + ``write_export(shape="csv")``), then runs
each contender in its own subprocess (``bench_scale.py``, ``bench_core.py``), so that each peak
memory is its own:

- loaded data: phases + grouped median/p90/p99 against per-object Python (``baseline_python.py``)
  and hand-written numpy on the same arrays (``baseline_numpy.py``, the limit);
- end to end from the CSV (read + check + phases + summary) against per-object Python, and
  against DuckDB SQL (``baseline_duckdb.py``) at the largest size;
- ``read_export`` against a bare ``pandas.read_csv(engine="pyarrow")`` of the same file;
- the summary with its default intervals against without (4 groups), and on 50 groups x 1,000;
- peak memory of read + phases against the incidents frame's own size;
- growth of phases + summary with size, and its log-log slope;
- ``mttr-lab report`` on the bundled sample (wall time of the command).
- ``read_timeline`` + ``response_process`` against ``read_export`` on the real ServiceNow and Volvo
  event logs (``bench_response.py``; skipped where ``../shared/data/real`` is absent).

Before any time is shown, the contenders' grouped medians, p90 and p99 must agree; the runner
stops with exit status 1 when they do not. The table of targets goes to stdout and to
``benchmarks/out/results.md``.

Run: .venv/bin/python benchmarks/run.py [--quick] [--10m] [--micro]
  --quick  small sizes and one or two repetitions: checks the harness in about a minute (the
           ratios are not the targets' sizes)
  --10m    also phases + summary on 10M incidents (minutes, about 6 GB of memory)
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
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out" / "results.md"
SAMPLE = ROOT / "data" / "sample_firehydrant.json"
#: Agreement: |a - b| <= ABS_TOL + REL_TOL * |b| minutes.
ABS_TOL, REL_TOL = 1e-6, 1e-9
STATS = ("median", "p90", "p99")
#: The fewest observed durations for which duration_summary reports each statistic.
MIN_COUNT = {"median": 1, "p90": 20, "p99": 100}
MICRO_SKIP = {"bench_scale.py", "bench_core.py"}
#: Address-space limit (GB) for workers, so that a runaway allocation fails instead of swapping.
GUARD_GB = 12


@dataclass(frozen=True)
class Plan:
    """Sizes and repetitions of one run."""

    sizes: tuple[int, ...]  # CSV exports written and timed end to end
    target: int  # the size of the 100k targets
    big: int  # the size of the 1M targets (DuckDB, memory)
    python_max: int  # per-object Python is not run above this (minutes at 1M, not a target)
    growth: tuple[int, ...]
    repeat: dict[int, int]
    report_runs: int
    quick: bool


FULL = Plan(
    sizes=(10_000, 100_000, 1_000_000),
    target=100_000,
    big=1_000_000,
    python_max=100_000,
    growth=(10_000, 100_000, 1_000_000),
    repeat={10_000: 5, 100_000: 5, 1_000_000: 3},
    report_runs=3,
    quick=False,
)
QUICK = Plan(
    sizes=(2_000, 10_000, 20_000),
    target=10_000,
    big=20_000,
    python_max=20_000,
    growth=(2_000, 10_000, 20_000),
    repeat={2_000: 2, 10_000: 2, 20_000: 2},
    report_runs=1,
    quick=True,
)
NAMES = {"mttr": "mttr_lab", "python": "Python per-object", "numpy": "numpy by hand", "duckdb": "DuckDB SQL"}


class Disagreement(RuntimeError):
    pass


def label(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:g}M"
    return f"{n / 1000:g}k" if n >= 1000 else str(n)


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
        "load": " ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "?",
        "python": platform.python_version(),
        "pandas": version("pandas"),
        "numpy": version("numpy"),
        "pyarrow": version("pyarrow"),
        "duckdb": version("duckdb"),
    }


def write_exports(folder: Path, sizes: tuple[int, ...]) -> dict[int, Path]:
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


def _run(cmd: list[str], what: str) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=HERE, check=False, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def scale(contender: str, path: Path, repeat: int) -> dict:
    cmd = [sys.executable, str(HERE / "bench_scale.py"), contender, str(path), "--repeat", str(repeat)]
    return _run([*cmd, "--max-memory-gb", str(GUARD_GB)], f"{contender} on {path.name}")


def core(mode: str, n: int, repeat: int) -> dict:
    cmd = [sys.executable, str(HERE / "bench_core.py"), mode, "--n", str(n), "--repeat", str(repeat)]
    return _run(cmd, f"{mode} at {label(n)}")


def report_wall(runs: int) -> list[float]:
    """Wall time of ``mttr-lab report`` on the bundled sample, as a user runs it."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    times = []
    with tempfile.TemporaryDirectory(prefix="mttr-bench-report-") as tmp:
        for _ in range(runs):
            cmd = [
                sys.executable,
                "-m",
                "mttr_lab.cli",
                "report",
                str(SAMPLE),
                "--tz",
                "Europe/Berlin",
                "--out",
                str(Path(tmp) / "review.html"),
            ]
            start = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp, env=env, check=False)
            elapsed = time.perf_counter() - start
            if proc.returncode != 0:
                raise RuntimeError(f"mttr-lab report failed:\n{proc.stderr[-3000:]}")
            times.append(elapsed)
    return times


def response_logs(repeat: int) -> list[dict]:
    """``bench_response.py`` on the real event logs: medians of ``repeat`` runs; [] without them."""
    cmd = [sys.executable, str(HERE / "bench_response.py"), "--json", "--real-only", "--repeat", str(repeat)]
    return _run(cmd, "read_timeline + response_process")["logs"]


# --------------------------------------------------------------------------- agreement


def check_agreement(results: dict[str, dict], n: int) -> str:
    """Raise Disagreement unless every contender gives mttr_lab's grouped numbers."""
    tables = {
        name: {tuple(r[:3]): r[3:] for r in res["rows"]} for name, res in results.items() if "rows" in res
    }
    keys = set(tables["mttr"])
    problems = []
    for name, table in tables.items():
        if set(table) != keys:
            problems.append(f"{name} has groups {sorted(set(table) ^ keys)[:5]} the others lack")
    worst, compared = 0.0, 0
    for key in sorted(keys):
        mine = tables["mttr"][key]
        for name, table in tables.items():
            other = table.get(key)
            if name == "mttr" or other is None:
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
    others = ", ".join(NAMES[c] for c in tables if c != "mttr")
    return (
        f"{label(n)}: mttr_lab against {others}: {len(keys)} group x metric cells, {compared} values "
        f"compared, max |diff| {worst:.1e} min"
    )


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
    if t < 0.01:
        return f"{t * 1000:.1f} ms"
    return f"{t * 1000:.0f} ms" if t < 1 else f"{t:.2f} s"


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    sep = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), sep, *map(line, rows)])


def verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("met" if ok else "NOT met")


def response_rows(logs: list[dict]) -> list[list[str]]:
    """The targets-table rows of :func:`response_logs`: one per real log, or one saying none ran."""
    rows = []
    for log in logs:
        mine, base = med(log["timeline"]), med(log["read_export"])
        r = mine / base
        rows.append(
            [
                f"read_timeline + response_process ÷ read_export, {log['label']} "
                f"({log['events']:,} events, median of {len(log['timeline'])})",
                fmt_s(mine),
                f"{fmt_s(base)} (read_export)",
                f"{r:.2f}×",
                f"≤ {log['target']:g}×",
                verdict(r <= log["target"]),
            ]
        )
    if not logs:
        rows.append(
            [
                "read_timeline + response_process ÷ read_export, real event logs",
                "not run (../shared/data/real absent)",
                "",
                "",
                "≤ 2×",
                "–",
            ]
        )
    return rows


def targets_table(plan: Plan, res: dict) -> str:
    """The targets, each as mttr_lab's figure, the baseline's, the ratio and the target."""
    n, big = plan.target, plan.big

    def t(size: int, contender: str, key: str) -> float:
        return med(res["scale"].get(size, {}).get(contender, {}).get("times", {}).get(key, []))

    rows = []
    mine, obj, lim = t(n, "mttr", "aggregate"), t(n, "python", "aggregate"), t(n, "numpy", "aggregate")
    r = obj / mine
    rows.append(
        [
            f"loaded {label(n)}: phases + grouped median/p90/p99, per-object Python ÷ mttr_lab",
            fmt_s(mine),
            f"{fmt_s(obj)} (Python)",
            f"{r:.1f}×",
            "≥ 5×",
            verdict(r >= 5),
        ]
    )
    r = mine / lim
    rows.append(
        [
            "same, mttr_lab ÷ hand-written numpy on the same arrays (the limit)",
            fmt_s(mine),
            f"{fmt_s(lim)} (numpy)",
            f"{r:.1f}×",
            "≤ 2×",
            verdict(r <= 2),
        ]
    )
    mine, obj = t(n, "mttr", "end_to_end"), t(n, "python", "end_to_end")
    r = obj / mine
    rows.append(
        [
            f"end to end {label(n)} CSV (read + check + phases + summary), per-object ÷ mttr_lab",
            fmt_s(mine),
            f"{fmt_s(obj)} (Python)",
            f"{r:.1f}×",
            "≥ 6×",
            verdict(r >= 6),
        ]
    )
    mine, duck = t(big, "mttr", "end_to_end"), t(big, "duckdb", "end_to_end")
    r = mine / duck
    rows.append(
        [
            f"end to end {label(big)}, mttr_lab ÷ DuckDB SQL",
            fmt_s(mine),
            f"{fmt_s(duck)} (DuckDB)",
            f"{r:.2f}×",
            "≤ 1.5×",
            verdict(r <= 1.5),
        ]
    )
    for size in sorted({n, big}):
        read = res["read"][size]["times"]
        mine, bare = min(read["read_export"]), min(read["pandas"])
        parse = min(read["parse"]) if read.get("parse") else float("nan")
        r = mine / bare
        rows.append(
            [
                f'read_export ÷ pandas.read_csv(engine="pyarrow"), same {label(size)} file (best of {len(read["pandas"])})',
                f"{fmt_s(mine)} (its parse {fmt_s(parse)})",
                f"{fmt_s(bare)} (pandas)",
                f"{r:.2f}×",
                "≤ 1.2×",
                verdict(r <= 1.2),
            ]
        )
    iv = res["intervals"]
    r = iv["with"] / iv["without"]
    rows.append(
        [
            f"default duration_summary with intervals ÷ without, {label(iv['n'])}, {iv['groups']} groups",
            fmt_s(iv["with"]),
            f"{fmt_s(iv['without'])} (without)",
            f"{r:.1f}×",
            "≤ 5×",
            verdict(r <= 5),
        ]
    )
    rows.append(
        [
            "duration_summary with intervals, 50 groups × 1,000 incidents",
            fmt_s(iv["fifty_groups"]),
            "",
            "",
            "< 1 s",
            verdict(iv["fifty_groups"] < 1),
        ]
    )
    m = res["memory"]
    grown = m["peak_mb"] - m["base_mb"]
    r = grown / m["frame_mb"]
    rows.append(
        [
            f"peak memory of read + phases ÷ the incidents frame, {label(big)}",
            f"{grown:.0f} MB above imports",
            f"{m['frame_mb']:.0f} MB frame",
            f"{r:.2f}×",
            "≤ 2.5×",
            verdict(r <= 2.5),
        ]
    )
    growth = res["growth"]
    sizes = [g["n"] for g in growth if g["n"] < 10_000_000]
    secs = [g["seconds"] for g in growth if g["n"] < 10_000_000]
    s = slope(sizes, secs)
    rows.append(
        [
            "growth of phases + summary by severity: "
            + ", ".join(f"{label(a)} {fmt_s(b)}" for a, b in zip(sizes, secs, strict=True)),
            f"slope {s:.2f}",
            "",
            "",
            "linear (slope ≤ 1.15)",
            verdict(s <= 1.15),
        ]
    )
    ten = next((g for g in growth if g["n"] >= 10_000_000), None)
    if ten is None:
        rows.append(
            [
                "10M incidents: phases + summary by severity",
                "not run (add --10m)",
                "",
                "",
                "< 30 s, < 6 GB",
                "–",
            ]
        )
    else:
        rows.append(
            [
                "10M incidents: phases + summary by severity",
                f"{fmt_s(ten['seconds'])}, peak {ten['peak_mb'] / 1024:.1f} GB",
                f"{ten['frame_mb'] / 1024:.1f} GB frame",
                "",
                "< 30 s, < 6 GB",
                verdict(ten["seconds"] < 30 and ten["peak_mb"] < 6 * 1024),
            ]
        )
    rows += response_rows(res.get("response", []))
    rep = res["report"]
    rows.append(
        [
            f"mttr-lab report on the sample (wall, median of {len(rep)})",
            fmt_s(med(rep)),
            "",
            "",
            "< 6 s",
            verdict(med(rep) < 6),
        ]
    )
    return table(["measure", "mttr_lab", "baseline", "ratio", "target", "verdict"], rows)


STEPS = [
    # (label, contender, time key)
    ("read export", "mttr", "read"),
    ("read export", "python", "read"),
    ("read export", "duckdb", "read"),
    ("check_incidents", "mttr", "check"),
    ("phase_durations", "mttr", "phases"),
    ("duration_summary ×3 metrics, intervals=False", "mttr", "summary"),
    ("phases + grouped median/p90/p99 (loaded)", "mttr", "aggregate"),
    ("phases + grouped median/p90/p99 (loaded)", "python", "aggregate"),
    ("phases + grouped median/p90/p99 (loaded)", "numpy", "aggregate"),
    ("phases + grouped median/p90/p99 (loaded)", "duckdb", "aggregate"),
    ("end to end (read + check + phases + grouped)", "mttr", "end_to_end"),
    ("end to end (read + phases + grouped)", "python", "end_to_end"),
    ("end to end (one query on the file)", "duckdb", "end_to_end"),
]


def steps_table(plan: Plan, res: dict) -> str:
    sizes = list(plan.sizes)

    def t(size: int, contender: str, key: str) -> float:
        return med(res["scale"].get(size, {}).get(contender, {}).get("times", {}).get(key, []))

    rows = []
    for step, contender, key in STEPS:
        values = [t(n, contender, key) for n in sizes]
        if all(v != v for v in values):
            continue
        rows.append([step, NAMES[contender], *map(fmt_s, values), f"{slope(sizes, values):.2f}"])
    return table(["step", "contender", *map(label, sizes), "slope"], rows)


def build_report(info: dict, plan: Plan, res: dict, agreement: list[str], began: float) -> str:
    m = res["memory"]
    out = []
    if plan.quick:
        out += [
            "**Quick run** (`--quick`): small sizes to check the harness; the sizes differ from the "
            "targets', so the verdicts are not theirs.",
            "",
        ]
    out += [
        "## Targets",
        "",
        targets_table(plan, res),
        "",
        "## Every step, by size",
        "",
        f"Median of {', '.join(f'{plan.repeat[n]} ({label(n)})' for n in plan.sizes)} runs; "
        f"per-object Python is not run above {label(plan.python_max)}. Slope: log-log fit of time "
        "against size (1 is linear).",
        "",
        steps_table(plan, res),
        "",
        f"Memory at {label(plan.big)}: read_export + phase_durations peaked at {m['peak_mb']:.0f} MB "
        f"resident, {m['base_mb']:.0f} MB after imports; the incidents frame is {m['frame_mb']:.0f} MB "
        f"(memory_usage(deep=True)), its durations frame {m['durations_mb']:.0f} MB.",
        "",
        "Agreement (checked before any time was reported):",
        *[f"- {a}" for a in agreement],
        "",
        f"Machine: {info['cpus']} CPUs ({info['cpu']}), {info['ram']} RAM, load average at the start "
        f"{info['load']}; Python {info['python']}, pandas {info['pandas']}, numpy {info['numpy']}, "
        f"pyarrow {info['pyarrow']}, duckdb {info['duckdb']} (DuckDB uses every core; pandas, numpy "
        "and Python one, pyarrow's CSV reader several).",
        "Data: synth_incidents(incidents=N, months=36, seed=1, defects=False) written with "
        "write_export(shape='csv') for the files; synth_incidents(months=18, seed=7) through "
        "from_frame for the intervals and growth rows.",
        f"Command: make bench  (= .venv/bin/python benchmarks/run.py{' --quick' if plan.quick else ''}); "
        f"total wall time {time.perf_counter() - began:.0f} s.",
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
    parser.add_argument(
        "--quick", action="store_true", help="small sizes: check the harness in about a minute"
    )
    parser.add_argument(
        "--10m", dest="ten_million", action="store_true", help="also 10M incidents (minutes, about 6 GB)"
    )
    parser.add_argument("--micro", action="store_true", help="also run the per-module bench_*.py scripts")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    began = time.perf_counter()
    info = machine()
    print(f"mttr_lab benchmark on {info['cpus']} CPUs ({info['cpu']}), load {info['load']}", flush=True)
    res: dict = {"scale": {}, "read": {}}
    agreement: list[str] = []
    with tempfile.TemporaryDirectory(prefix="mttr-bench-") as tmp:
        paths = write_exports(Path(tmp), plan.sizes)
        for n in plan.sizes:
            res["scale"][n] = {}
            contenders = ["mttr", "numpy", "duckdb"] + (["python"] if n <= plan.python_max else [])
            for contender in contenders:
                res["scale"][n][contender] = scale(contender, paths[n], plan.repeat[n])
                print(f"  {label(n):>4} {NAMES[contender]:<18} done", flush=True)
            try:
                agreement.append(check_agreement(res["scale"][n], n))
            except Disagreement as exc:
                message = f"AGREEMENT CHECK FAILED: no time is reported.\n{exc}"
                print("\n" + message, file=sys.stderr)
                OUT.parent.mkdir(parents=True, exist_ok=True)
                OUT.write_text(f"# mttr_lab benchmark\n\n{message}\n", encoding="utf-8")
                return 1
            print(f"  {label(n):>4} agreement ok", flush=True)
        for n in sorted({plan.target, plan.big}):
            res["read"][n] = scale("read", paths[n], max(3, plan.repeat[n]))
        print("  read_export beside pandas.read_csv done", flush=True)
        res["memory"] = scale("memory", paths[plan.big], 1)
        print("  memory done", flush=True)
    res["intervals"] = core("intervals", plan.target, 3 if not plan.quick else 1)
    print("  intervals done", flush=True)
    growth_sizes = list(plan.growth) + ([10_000_000] if args.ten_million else [])
    res["growth"] = []
    for n in growth_sizes:
        res["growth"].append(core("growth", n, 1 if n >= 10_000_000 else plan.repeat.get(n, 3)))
        print(f"  growth {label(n)} done", flush=True)
    res["response"] = response_logs(1 if plan.quick else 3)
    print("  read_timeline + response_process done", flush=True)
    res["report"] = report_wall(plan.report_runs)
    print("  mttr-lab report done", flush=True)
    text = build_report(info, plan, res, agreement, began)
    print()
    print(text)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text("# mttr_lab benchmark\n\n" + text + "\n", encoding="utf-8")
    print(f"\n(written to {OUT.relative_to(ROOT)})")
    if args.micro:
        print("\nPer-module micro-benchmarks:", flush=True)
        run_micro()  # informational: their own targets are reported in their output
    return 0


if __name__ == "__main__":
    sys.exit(main())
