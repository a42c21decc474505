"""What the ``mttr-lab`` subcommands do, once the command line has parsed their arguments.

Each ``run_<command>(args)`` returns the exit status; :mod:`mttr_lab.cli` parses the arguments
and turns the errors into one line. Nothing here imports pandas before a command runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from .errors import InputError

__all__ = ["run_check", "run_fetch", "run_postmortem", "run_report", "run_summary", "run_synth"]


def _pairs(text: str | None, what: str) -> dict[str, str] | None:
    if not text:
        return None
    out = {}
    for item in text.split(","):
        if "=" not in item:
            raise InputError(f"{what} takes name=value pairs separated by commas", found=item)
        key, value = item.split("=", 1)
        out[key.strip()] = value.strip()
    return out


def _severity_map(text: str | None) -> dict[str, str | None] | None:
    """``--severity-map`` as the Python API takes it: ``label=none`` leaves a label without severity."""
    pairs = _pairs(text, "--severity-map")
    return None if pairs is None else {k: None if v.lower() == "none" else v for k, v in pairs.items()}


def _count(n: int, noun: str) -> str:
    """``n`` things in words: "1 incident", "1,499 incidents"."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _writable(path: str | Path, option: str, *, folder: bool = False, makes_folders: bool = False) -> Path:
    """Where ``option`` (``--out``, ``--csv``) writes, checked before any work is done.

    ``folder``: the option names a folder (``fetch --out``), created with its parents; otherwise a
    file, whose missing folders are made only where the command makes them (``makes_folders``:
    ``report``). A file where a folder is wanted, or the reverse, is one line naming the option.
    """
    target = Path(path)
    if folder and target.exists() and not target.is_dir():
        raise InputError(f"{option} {path} is a file", expected="a folder for the pages (created if missing)")
    if not folder and target.is_dir():
        raise InputError(f"{option} {path} is a folder", expected="the name of a file to write")
    wanted = target if folder else target.parent
    existing = wanted
    while not existing.exists() and existing != existing.parent:  # the nearest part that exists
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        raise InputError(
            f"{option} {path} goes into {existing}, which is a file", expected=f"{existing} to be a folder"
        )
    if existing != wanted and not (folder or makes_folders):
        raise InputError(
            f"{option} {path} goes into the folder {wanted}, which does not exist",
            expected="an existing folder (create it first)",
        )
    return target


def _progress(message: str) -> None:
    print(f"mttr-lab: {message}", file=sys.stderr, flush=True)


def _read(args: argparse.Namespace):
    from .io import read_export

    incidents = read_export(
        args.export,
        source=args.source,
        columns=_pairs(args.columns, "--columns"),
        tz=args.tz,
        severity_map=_severity_map(args.severity_map),
        dayfirst=args.dayfirst,
    )
    if not len(incidents):
        raise InputError(
            "the export holds no incident records", file=args.export, expected="at least one incident"
        )
    return incidents


def _as_of(text: str | None, tz: str | None) -> str | None:
    if text is None:
        return None
    import pandas as pd

    try:
        stamp = pd.Timestamp(text)
    except ValueError:
        stamp = pd.NaT
    if pd.isna(stamp):
        raise InputError("--as-of is not a date", found=text, expected="e.g. 2026-10-01 or 2026-10-01T00:00Z")
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize(tz or "UTC")
    return stamp.tz_convert("UTC").isoformat()


def _import_nbformat() -> None:
    """Import nbformat without the IRI grammar that jsonschema builds when rfc3987_syntax is installed.

    jsonschema compiles dozens of parsers of that grammar on import (about 2 s) for its "iri"
    format, which notebook validation never checks (it runs without format checks). This command's
    process ends with the review; a process that imported jsonschema already is left as it is.
    """
    if "jsonschema" in sys.modules:
        return
    blocked = sys.modules.setdefault("rfc3987_syntax", None) is None  # type: ignore[arg-type]
    try:
        import nbformat  # noqa: F401
    finally:
        if blocked and sys.modules.get("rfc3987_syntax", True) is None:
            del sys.modules["rfc3987_syntax"]


def run_report(args: argparse.Namespace) -> int:
    """Render the review of an export to HTML (``mttr-lab report``)."""
    from .report import ReviewKernel, render_report

    started = time.perf_counter()
    if (args.start is None) != (args.end is None):
        raise InputError(
            "--from and --to go together", expected="both, e.g. --from 2026-06-01 --to 2026-06-30"
        )
    if args.quarter and args.period != "quarter":
        raise InputError(f"--quarter names a quarter; it does not go with --period {args.period}")
    out = _writable(
        args.out or Path("reports") / f"{Path(args.export).name.split('.')[0]}-review.html",
        "--out",
        makes_folders=True,  # render_report makes them
    )
    _progress(f"reading {args.export} ...")
    # The kernel loads pandas, scipy and matplotlib while the export is read and checked here;
    # a bad export stops it at once.
    with ReviewKernel() as kernel:
        _import_nbformat()
        import pandas as pd

        from .frames import fmt_time
        from .phases import phase_durations
        from .review_periods import _day, review_bounds

        as_of = _as_of(args.as_of, args.tz)
        if args.start is not None:  # the days as the user typed them, before the export is read
            first_day, last_day = _day(args.start, "--from"), _day(args.end, "--to")
            if last_day < first_day:
                raise InputError(
                    f"--to {args.end} is before --from {args.start}",
                    expected="a --to on or after the --from day",
                )
        incidents = _read(args)
        durations = phase_durations(incidents, as_of=as_of)
        if as_of is not None and durations["clock_start"].isna().all():
            first = phase_durations(incidents)["clock_start"].min()
            if pd.notna(first):  # the export has incidents, all begun after the review date
                raise InputError(
                    f"no incident had begun by --as-of {args.as_of}: the export's first starts {fmt_time(first)}",
                    expected="a later --as-of (or none: the export's latest time)",
                )
        bounds = review_bounds(
            durations,
            period=args.period,
            label=args.quarter,
            start=args.start,
            end=args.end,
            tz=args.tz or "UTC",
            as_of=as_of,
        )
        _refuse_outside(bounds, durations["clock_start"], args.tz or "UTC")
        _progress(f"{_count(len(incidents), 'record')} read; rendering the review (a few seconds) ...")
        path = render_report(
            args.export,
            out=out,
            source=args.source,
            tz=args.tz,
            as_of=as_of,
            quarter=args.quarter,
            period=args.period,
            start=args.start,
            end=args.end,
            columns=_pairs(args.columns, "--columns"),
            severity_map=_severity_map(args.severity_map),
            dayfirst=args.dayfirst,
            kernel=kernel,
        )
    _progress(f"done in {time.perf_counter() - started:.1f} s")
    print(path)
    return 0


def _refuse_outside(bounds, starts, tz: str) -> None:
    """One line, naming the span of the export's incidents, for a period wholly after or wholly
    before them: there is nothing to review either way."""
    starts = starts.dropna().dt.tz_convert(tz)
    first = starts.min() if len(starts) else None
    span = (
        f" (the export's incidents start from {first:%Y-%m-%d} to {starts.max():%Y-%m-%d})"
        if first is not None
        else ""
    )
    if bounds["future"]:
        raise InputError(
            f"{bounds['label']} starts after the latest record in the export: there is nothing to review yet{span}",
            expected="an earlier --quarter, --from/--to, or --as-of",
        )
    if first is not None and bounds["end"] <= first:
        raise InputError(
            f"{bounds['label']} ends before the export's first incident: there is nothing to review{span}",
            expected="a later --quarter or --from/--to",
        )


def run_summary(args: argparse.Namespace) -> int:
    """Print the summary table of one duration (``mttr-lab summary``)."""

    from .output import spreadsheet_safe, to_safe_csv
    from .phases import phase_durations
    from .schema import METRICS, PHASES
    from .stats import duration_summary
    from .units import readable, shared_notes

    if args.metric not in (*METRICS, *PHASES):
        raise InputError(
            f"--metric {args.metric} is not a metric or a phase",
            expected="one of " + ", ".join((*METRICS, *PHASES)),
        )
    if args.csv:
        _writable(args.csv, "--csv")
    durations = phase_durations(_read(args))
    by = [b.strip() for b in args.by.split(",")] if args.by else None
    table = duration_summary(durations, metric=args.metric, by=by)
    columns = ["count", "open", "median", "median_low", "median_high", "p90", "mean", "note"]
    if args.fmt in ("csv", "json"):  # numbers for machines: minutes, full precision, blanks for missing
        numbers = table[columns].reset_index()
        if args.fmt == "csv":
            print(spreadsheet_safe(numbers).to_csv(index=False), end="")
        else:
            print(numbers.to_json(orient="records", indent=2))
    else:
        shown = readable(table[columns])
        # A note that several rows share is said once, under the table (as in the review).
        shown["note"], footnotes = shared_notes(shown["note"].tolist())
        if args.fmt == "markdown":
            print(_markdown(shown.reset_index() if shown.index.name or shown.index.names[0] else shown))
        else:
            print(f"{args.metric.replace('_', ' ')} ({_count(len(durations), 'incident')} analysed)")
            print(_text_table(shown, left=["note"]))
        if footnotes:  # in Markdown, a paragraph each (lines of one paragraph run together)
            gap = "\n\n" if args.fmt == "markdown" else "\n"
            print("\n" + gap.join(f"{mark} {words}" for mark, words in footnotes))
    if args.csv:
        print(to_safe_csv(table, args.csv))
    return 0


#: Control characters as their escapes: a line break in an id prints as ``\\n``, two characters wide.
_ESCAPES = {**{c: f"\\x{c:02x}" for c in (*range(32), 127)}, 9: "\\t", 10: "\\n", 13: "\\r"}


def _text_table(table, *, left: list[str], index: bool = True) -> str:
    """A table as plain text: the ``left`` columns (words) left-aligned under their headers, the
    others as pandas aligns them; a missing value as "–"; whole cells, no trailing blanks."""
    import pandas as pd

    from .units import MISSING

    shown = table.copy()
    for column in left:
        cells = [MISSING if pd.isna(v) else str(v).translate(_ESCAPES) for v in shown[column]]
        width = max([len(str(column)), *map(len, cells)])
        shown[column] = [cell.ljust(width) for cell in cells]
        shown = shown.rename(columns={column: str(column).ljust(width)})
    with pd.option_context("display.width", 100_000, "display.max_colwidth", None):
        text = shown.to_string(index=index, na_rep=MISSING)
    return "\n".join(line.rstrip() for line in text.splitlines())


def _markdown(table) -> str:
    """A Markdown table; only the pipes and backslashes of a cell are escaped."""

    def cell(value: object) -> str:
        return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")

    head = [cell(c) for c in table.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)


def run_check(args: argparse.Namespace) -> int:
    """Print the data-quality findings; 1 when the export has errors (``mttr-lab check``)."""

    from .output import to_safe_csv
    from .quality import check_incidents

    if args.csv:  # before the table: a path that cannot be written must not hide the exit status
        _writable(args.csv, "--csv")
    findings = check_incidents(_read(args), tz=args.tz or "UTC")  # times as the team reads them
    shown = findings if args.all else findings[findings["level"] != "info"]
    counts = findings["level"].value_counts()
    summary = ", ".join(
        f"{n} {level}{'' if n == 1 or level == 'info' else 's'}"
        for level in ("error", "warning", "info")
        for n in [int(counts.get(level, 0))]
    )
    if shown.empty:
        print(f"no findings to show ({summary})")
    else:
        columns = ["level", "incident_id", "record", "column", "problem", "action"]
        print(_text_table(shown[columns], left=[c for c in columns if c != "record"], index=False))
        print(f"\n{summary}")
    if args.csv:
        print(to_safe_csv(findings, args.csv))
    return 1 if counts.get("error", 0) else 0


def run_postmortem(args: argparse.Namespace) -> int:
    """Write or print a Markdown post-mortem draft (``mttr-lab postmortem``)."""
    from .postmortem import postmortem_markdown

    if args.out:
        _writable(args.out, "--out")
    text = postmortem_markdown(_read(args), args.incident_id)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(args.out)
    else:
        print(text)
    return 0


def run_synth(args: argparse.Namespace) -> int:
    """Write a synthetic export (``mttr-lab synth``)."""
    from .synth import synth_incidents, write_export

    if args.incidents < 20 or args.months < 1:
        raise InputError("--incidents must be at least 20 and --months at least 1")
    if not 0 <= args.improvement < 1:
        raise InputError(
            "--improvement is the share by which durations shorten each month",
            found=args.improvement,
            expected="a number from 0 up to (not including) 1, e.g. 0.02",
        )
    out = _writable(args.out, "--out")
    frame = synth_incidents(
        incidents=args.incidents,
        months=args.months,
        seed=args.seed,
        start=args.start,
        improvement=args.improvement,
    )
    print(write_export(frame, out, shape=args.shape))
    return 0


def run_fetch(args: argparse.Namespace) -> int:
    """Fetch an export from a vendor's API (``mttr-lab fetch``)."""
    from .vendor_api import fetch

    _writable(args.out, "--out", folder=True)  # fetch checks it too; here it is named as typed
    pages = fetch(args.vendor, since=args.since, until=args.until, out=args.out, base_url=args.base_url)
    print(f"{_count(len(pages), 'page')} in {args.out}; read them with: mttr-lab report {args.out}")
    return 0
