"""The ``mttr-lab`` command: the quarterly review, summaries and checks in a terminal."""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from .errors import InputError
from .report import ReviewError

EPILOG = """examples:
  mttr-lab report data/sample_firehydrant.json --tz Europe/Berlin
  mttr-lab summary export.json --by severity,service
  mttr-lab check export.csv --columns incident_id=Ticket,detected_at=Opened,resolved_at=Closed --tz UTC
  mttr-lab postmortem export.json INC-42 --out INC-42.md
  mttr-lab synth --incidents 1500 --months 18 --seed 7 --out sample.json

exit status: 0 done; 1 the export has errors (check) or the command failed; 2 wrong arguments or an
unreadable export.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(2, f"mttr-lab: {message} (see mttr-lab --help)\n")


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


def _timezone(text: str) -> str:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(
            f"unknown IANA timezone {text!r} (e.g. Europe/Berlin, UTC)"
        ) from None
    return text


def _sources_help() -> str:
    from .readers import GENERIC_FORMATS, REGISTRY  # names only: no reader (nor pandas) is loaded

    return "auto (default) or one of: " + ", ".join([*(s for s in REGISTRY if s != "csv"), *GENERIC_FORMATS])


def _reading(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("export", help="the incident export: a file, or a folder of paged dumps")
    parser.add_argument("--source", default="auto", help=_sources_help())
    parser.add_argument(
        "--tz",
        default=None,
        type=_timezone,
        help="IANA timezone (e.g. Europe/Berlin): of timestamps written without an offset, "
        "and of the team (quarters, time of day); default UTC for the latter",
    )
    parser.add_argument(
        "--columns",
        default=None,
        help="for --source csv/json: canonical=export column pairs, e.g. incident_id=Ticket,detected_at=Opened",
    )
    parser.add_argument(
        "--severity-map", default=None, help="source label=severity pairs, e.g. 'Sev A=critical,Sev B=high'"
    )
    order = parser.add_mutually_exclusive_group()
    order.add_argument(
        "--dayfirst", dest="dayfirst", action="store_true", default=None, help="dates are 31/12/2025"
    )
    order.add_argument("--monthfirst", dest="dayfirst", action="store_false", help="dates are 12/31/2025")


def _parser() -> argparse.ArgumentParser:
    from . import __version__

    parser = _Parser(
        prog="mttr-lab",
        description="Incident-recovery analysis (MTTR and its family) from incident exports, with honest statistics.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"mttr-lab {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def command(name: str, help_text: str, example: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )

    report = command(
        "report",
        "render the quarterly review of an export to a self-contained HTML page",
        "mttr-lab report export.json --quarter 2026Q3 --tz Europe/Berlin --out reports/2026Q3.html\n"
        "  mttr-lab report export.json --period week --tz Europe/Berlin\n"
        "  mttr-lab report export.json --from 2026-06-01 --to 2026-06-30",
    )
    _reading(report)
    report.add_argument(
        "--quarter", default=None, help="e.g. 2026Q3; default: the latest complete quarter in the data"
    )
    report.add_argument(
        "--period",
        default="quarter",
        choices=["week", "month", "quarter"],
        help="the review's cadence: the latest complete week, month or quarter, against the one before",
    )
    report.add_argument(
        "--from", dest="start", default=None, help="first day of any review window, e.g. 2026-06-01"
    )
    report.add_argument(
        "--to", dest="end", default=None, help="last day of that window (included), e.g. 2026-06-30"
    )
    report.add_argument(
        "--as-of",
        default=None,
        help="review date, e.g. 2026-10-01 (in --tz); default: the latest timestamp in the data",
    )
    report.add_argument(
        "--out", default=None, help="HTML file to write (default: reports/<export>-review.html)"
    )

    summary = command(
        "summary",
        "print the summary table of one duration",
        "mttr-lab summary export.json --by severity,service",
    )
    _reading(summary)
    summary.add_argument("--by", default=None, help="grouping columns, e.g. severity,service")
    summary.add_argument(
        "--metric",
        default="time_to_recover",
        help="a metric (time_to_detect, time_to_respond, time_to_repair, time_to_recover, time_to_resolve) "
        "or a phase (detection, response, diagnosis, repair, followup); default time_to_recover",
    )
    summary.add_argument(
        "--format",
        dest="fmt",
        default="table",
        choices=["table", "csv", "json", "markdown"],
        help="how to print it: an aligned table (default), CSV, JSON records or a Markdown table",
    )
    summary.add_argument(
        "--csv", default=None, help="also write the full table to this CSV (spreadsheet-safe)"
    )

    check = command(
        "check",
        "list the data-quality findings; exit 1 when the export has errors",
        "mttr-lab check export.csv --tz UTC",
    )
    _reading(check)
    check.add_argument(
        "--all", action="store_true", help="also list informational findings (open incidents, ...)"
    )
    check.add_argument("--csv", default=None, help="also write every finding to this CSV (spreadsheet-safe)")

    postmortem = command(
        "postmortem",
        "write a Markdown post-mortem draft for one incident",
        "mttr-lab postmortem export.json INC-42",
    )
    _reading(postmortem)
    postmortem.add_argument("incident_id", help="the incident's id in the export")
    postmortem.add_argument("--out", default=None, help="Markdown file to write (default: print it)")

    fetch = command(
        "fetch",
        "fetch incidents from a vendor's API into a folder that report, summary and check read "
        "(tokens from PAGERDUTY_TOKEN, OPSGENIE_API_KEY or INCIDENTIO_API_KEY; a fetch that stopped resumes)",
        "PAGERDUTY_TOKEN=... mttr-lab fetch pagerduty --since 2026-01-01 --until 2026-07-01 --out exports/pd\n"
        "  mttr-lab fetch statuspage --base-url https://www.githubstatus.com --out exports/github",
    )
    fetch.add_argument("vendor", choices=["pagerduty", "statuspage", "opsgenie", "incidentio"])
    fetch.add_argument("--since", default=None, help="first day of incident creation, e.g. 2026-01-01 (UTC)")
    fetch.add_argument("--until", default=None, help="day after the last, e.g. 2026-07-01 (UTC)")
    fetch.add_argument("--out", required=True, help="folder for the pages (created)")
    fetch.add_argument(
        "--base-url",
        default=None,
        help="the status page for statuspage; another API host (EU, a test server)",
    )

    synth = command(
        "synth",
        "write a realistic synthetic export (seeded: the same arguments give the same bytes)",
        "mttr-lab synth --incidents 1500 --months 18 --seed 7 --out data/sample_firehydrant.json",
    )
    synth.add_argument("--incidents", type=int, default=1500)
    synth.add_argument("--months", type=int, default=18)
    synth.add_argument("--seed", type=int, default=7)
    synth.add_argument("--start", default="2025-04-01", help="first day (UTC)")
    synth.add_argument("--improvement", type=float, default=0.0, help="monthly shortening, e.g. 0.02")
    synth.add_argument("--shape", choices=["firehydrant", "csv"], default="firehydrant")
    synth.add_argument("--out", required=True, help="file to write")
    return parser


def _progress(message: str) -> None:
    print(f"mttr-lab: {message}", file=sys.stderr, flush=True)


def _read(args: argparse.Namespace):
    from .io import read_export

    incidents = read_export(
        args.export,
        source=args.source,
        columns=_pairs(args.columns, "--columns"),
        tz=args.tz,
        severity_map=_pairs(args.severity_map, "--severity-map"),
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


def _report(args: argparse.Namespace) -> int:
    from .report import ReviewKernel, render_report

    started = time.perf_counter()
    if (args.start is None) != (args.end is None):
        raise InputError(
            "--from and --to go together", expected="both, e.g. --from 2026-06-01 --to 2026-06-30"
        )
    if args.quarter and args.period != "quarter":
        raise InputError(f"--quarter names a quarter; it does not go with --period {args.period}")
    _progress(f"reading {args.export} ...")
    # The kernel loads pandas, scipy and matplotlib while the export is read and checked here;
    # a bad export stops it at once.
    with ReviewKernel() as kernel:
        _import_nbformat()
        from .phases import phase_durations
        from .review_periods import review_bounds

        incidents = _read(args)
        as_of = _as_of(args.as_of, args.tz)
        bounds = review_bounds(
            phase_durations(incidents, as_of=as_of),
            period=args.period,
            label=args.quarter,
            start=args.start,
            end=args.end,
            tz=args.tz or "UTC",
            as_of=as_of,
        )
        if bounds["future"]:
            raise InputError(
                f"{bounds['label']} starts after the latest record in the export: there is nothing to review yet",
                expected="an earlier --quarter, --from/--to, or --as-of",
            )
        out = (
            Path(args.out)
            if args.out
            else Path("reports") / f"{Path(args.export).name.split('.')[0]}-review.html"
        )
        _progress(f"{len(incidents):,} records read; rendering the review (a few seconds) ...")
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
            severity_map=_pairs(args.severity_map, "--severity-map"),
            dayfirst=args.dayfirst,
            kernel=kernel,
        )
    _progress(f"done in {time.perf_counter() - started:.1f} s")
    print(path)
    return 0


def _summary(args: argparse.Namespace) -> int:
    import pandas as pd

    from .output import spreadsheet_safe, to_safe_csv
    from .phases import phase_durations
    from .schema import METRICS, PHASES
    from .stats import duration_summary
    from .units import readable

    if args.metric not in (*METRICS, *PHASES):
        raise InputError(
            f"--metric {args.metric} is not a metric or a phase",
            expected="one of " + ", ".join((*METRICS, *PHASES)),
        )
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
        if args.fmt == "markdown":
            print(_markdown(shown.reset_index() if shown.index.name or shown.index.names[0] else shown))
        else:
            print(f"{args.metric.replace('_', ' ')} ({len(durations):,} incidents analysed)")
            with pd.option_context("display.width", 200, "display.max_colwidth", 70):
                print(shown.to_string())
    if args.csv:
        print(to_safe_csv(table, args.csv))
    return 0


def _markdown(table) -> str:
    """A Markdown table; only the pipes and backslashes of a cell are escaped."""

    def cell(value: object) -> str:
        return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")

    head = [cell(c) for c in table.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)


def _check(args: argparse.Namespace) -> int:
    import pandas as pd

    from .output import to_safe_csv
    from .quality import check_incidents

    findings = check_incidents(_read(args))
    shown = findings if args.all else findings[findings["level"] != "info"]
    counts = findings["level"].value_counts()
    summary = ", ".join(f"{counts.get(level, 0)} {level}" for level in ("error", "warning", "info"))
    if shown.empty:
        print(f"no findings to show ({summary})")
    else:
        with pd.option_context("display.width", 250, "display.max_colwidth", 120):
            print(
                shown[["level", "incident_id", "record", "column", "problem", "action"]].to_string(
                    index=False
                )
            )
        print(f"\n{summary}")
    if args.csv:
        print(to_safe_csv(findings, args.csv))
    return 1 if counts.get("error", 0) else 0


def _postmortem(args: argparse.Namespace) -> int:
    from .postmortem import postmortem_markdown

    text = postmortem_markdown(_read(args), args.incident_id)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(args.out)
    else:
        print(text)
    return 0


def _synth(args: argparse.Namespace) -> int:
    from .synth import synth_incidents, write_export

    if args.incidents < 20 or args.months < 1:
        raise InputError("--incidents must be at least 20 and --months at least 1")
    if not 0 <= args.improvement < 1:
        raise InputError(
            "--improvement is the share by which durations shorten each month",
            found=args.improvement,
            expected="a number from 0 up to (not including) 1, e.g. 0.02",
        )
    frame = synth_incidents(
        incidents=args.incidents,
        months=args.months,
        seed=args.seed,
        start=args.start,
        improvement=args.improvement,
    )
    print(write_export(frame, Path(args.out), shape=args.shape))
    return 0


def _fetch(args: argparse.Namespace) -> int:
    from .vendor_api import fetch

    pages = fetch(args.vendor, since=args.since, until=args.until, out=args.out, base_url=args.base_url)
    print(f"{len(pages):,} page(s) in {args.out}; read them with: mttr-lab report {args.out}")
    return 0


#: Keyword arguments of the Python API, as the command line spells them.
_OPTIONS = {
    "source": "--source",
    "columns": "--columns",
    "severity_map": "--severity-map",
    "tz": "--tz",
    "as_of": "--as-of",
    "metric": "--metric",
    "by": "--by",
    "period": "--period",
    "start": "--from",
    "end": "--to",
}
_KEYWORD = re.compile(r"\b(" + "|".join(_OPTIONS) + r"|dayfirst)=(?:'([^']*)'|\"([^\"]*)\"|(\w+))?")


def _in_cli_words(message: str) -> str:
    """An error of the Python API as the command line says it: ``source='auto'`` is ``--source auto``."""

    def option(match: re.Match[str]) -> str:
        name, value = match.group(1), next((g for g in match.groups()[1:] if g is not None), None)
        if name == "dayfirst":
            return "--monthfirst" if value == "False" else "--dayfirst"
        return _OPTIONS[name] + (f" {value}" if value else "")

    return _KEYWORD.sub(option, message)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)  # --help answers here, before pandas is loaded
    handlers = {
        "report": _report,
        "summary": _summary,
        "check": _check,
        "postmortem": _postmortem,
        "synth": _synth,
        "fetch": _fetch,
    }
    try:
        return handlers[args.command](args)
    except InputError as exc:
        print(f"mttr-lab: {_in_cli_words(str(exc))}", file=sys.stderr)
        return 2
    except ReviewError as exc:  # a cell failed: one line, and where the partly executed notebook is
        print(f"mttr-lab: the review failed: {exc}", file=sys.stderr)
        return 1
    except (ValueError, OSError) as exc:  # a bad argument value, or a path that cannot be written
        print(f"mttr-lab: {_in_cli_words(str(exc))}", file=sys.stderr)
        return 2
    except Exception as exc:  # anything else (a kernel that would not start): its cause in one line
        name = getattr(exc, "ename", type(exc).__name__)
        value = getattr(exc, "evalue", str(exc)).strip().splitlines()
        print(f"mttr-lab: {name}: {value[-1] if value else ''}", file=sys.stderr)
        return 2 if name in {"InputError", "ValueError"} else 1


if __name__ == "__main__":
    sys.exit(main())
