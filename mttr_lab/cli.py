"""The ``mttr-lab`` command: the quarterly review, summaries and checks in a terminal."""

from __future__ import annotations

import argparse
import os
import re
import sys

from . import cli_commands
from .cli_commands import _import_nbformat  # noqa: F401  (imported from here by the report's tests)
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


#: The subcommands, in the order ``--help`` lists them: help text, example, whether the command
#: reads an export (the options of :func:`_reading`), its own options (flags, ``add_argument``
#: keywords) and what runs it.
_COMMANDS: dict[str, tuple[str, str, bool, tuple[tuple[tuple[str, ...], dict], ...], str]] = {
    "report": (
        "render the quarterly review of an export to a self-contained HTML page",
        "mttr-lab report export.json --quarter 2026Q3 --tz Europe/Berlin --out reports/2026Q3.html\n"
        "  mttr-lab report export.json --period week --tz Europe/Berlin\n"
        "  mttr-lab report export.json --from 2026-06-01 --to 2026-06-30",
        True,
        (
            (("--quarter",), {"help": "e.g. 2026Q3; default: the latest complete quarter in the data"}),
            (
                ("--period",),
                {
                    "default": "quarter",
                    "choices": ["week", "month", "quarter"],
                    "help": "the review's cadence: the latest complete week, month or quarter, against the one before",
                },
            ),
            (("--from",), {"dest": "start", "help": "first day of any review window, e.g. 2026-06-01"}),
            (("--to",), {"dest": "end", "help": "last day of that window (included), e.g. 2026-06-30"}),
            (
                ("--as-of",),
                {"help": "review date, e.g. 2026-10-01 (in --tz); default: the latest timestamp in the data"},
            ),
            (("--out",), {"help": "HTML file to write (default: reports/<export>-review.html)"}),
        ),
        "run_report",
    ),
    "summary": (
        "print the summary table of one duration",
        "mttr-lab summary export.json --by severity,service",
        True,
        (
            (("--by",), {"help": "grouping columns, e.g. severity,service"}),
            (
                ("--metric",),
                {
                    "default": "time_to_recover",
                    "help": "a metric (time_to_detect, time_to_respond, time_to_repair, time_to_recover, "
                    "time_to_resolve) or a phase (detection, response, diagnosis, repair, followup); "
                    "default time_to_recover",
                },
            ),
            (
                ("--format",),
                {
                    "dest": "fmt",
                    "default": "table",
                    "choices": ["table", "csv", "json", "markdown"],
                    "help": "how to print it: an aligned table (default), CSV, JSON records or a Markdown table",
                },
            ),
            (("--csv",), {"help": "also write the full table to this CSV (spreadsheet-safe)"}),
        ),
        "run_summary",
    ),
    "check": (
        "list the data-quality findings; exit 1 when the export has errors",
        "mttr-lab check export.csv --tz UTC",
        True,
        (
            (
                ("--all",),
                {"action": "store_true", "help": "also list informational findings (open incidents, ...)"},
            ),
            (("--csv",), {"help": "also write every finding to this CSV (spreadsheet-safe)"}),
        ),
        "run_check",
    ),
    "postmortem": (
        "write a Markdown post-mortem draft for one incident",
        "mttr-lab postmortem export.json INC-42",
        True,
        (
            (("incident_id",), {"help": "the incident's id in the export"}),
            (("--out",), {"help": "Markdown file to write (default: print it)"}),
        ),
        "run_postmortem",
    ),
    "fetch": (
        "fetch incidents from a vendor's API into a folder that report, summary and check read "
        "(tokens from PAGERDUTY_TOKEN, OPSGENIE_API_KEY or INCIDENTIO_API_KEY; a fetch that stopped resumes)",
        "PAGERDUTY_TOKEN=... mttr-lab fetch pagerduty --since 2026-01-01 --until 2026-07-01 --out exports/pd\n"
        "  mttr-lab fetch statuspage --base-url https://www.githubstatus.com --out exports/github",
        False,
        (
            (("vendor",), {"choices": ["pagerduty", "statuspage", "opsgenie", "incidentio"]}),
            (("--since",), {"help": "first day of incident creation, e.g. 2026-01-01 (UTC)"}),
            (("--until",), {"help": "day after the last, e.g. 2026-07-01 (UTC)"}),
            (("--out",), {"required": True, "help": "folder for the pages (created)"}),
            (
                ("--base-url",),
                {"help": "the status page for statuspage; another API host (EU, a test server)"},
            ),
        ),
        "run_fetch",
    ),
    "synth": (
        "write a realistic synthetic export (seeded: the same arguments give the same bytes)",
        "mttr-lab synth --incidents 1500 --months 18 --seed 7 --out data/sample_firehydrant.json",
        False,
        (
            (("--incidents",), {"type": int, "default": 1500}),
            (("--months",), {"type": int, "default": 18}),
            (("--seed",), {"type": int, "default": 7}),
            (("--start",), {"default": "2025-04-01", "help": "first day (UTC)"}),
            (("--improvement",), {"type": float, "default": 0.0, "help": "monthly shortening, e.g. 0.02"}),
            (("--shape",), {"choices": ["firehydrant", "csv"], "default": "firehydrant"}),
            (("--out",), {"required": True, "help": "file to write"}),
        ),
        "run_synth",
    ),
}


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
    for name, (help_text, example, reads, options, _run) in _COMMANDS.items():
        command = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=f"example:\n  {example}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        if reads:
            _reading(command)
        for flags, keywords in options:
            command.add_argument(*flags, **keywords)
    return parser


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
_NAMED = re.compile(r"\b(" + "|".join(name for name in _OPTIONS if "_" in name) + r")\b(?!=)")


def _in_cli_words(message: str) -> str:
    """An error of the Python API as the command line says it: ``source='auto'`` is ``--source auto``."""

    def option(match: re.Match[str]) -> str:
        name, value = match.group(1), next((g for g in match.groups()[1:] if g is not None), None)
        if name == "dayfirst":
            return "--monthfirst" if value == "False" else "--dayfirst"
        return _OPTIONS[name] + (f" {value}" if value else "")

    message = message.replace("source='csv'/'json'", "source=csv or json").replace(
        "columns={canonical: export column}", "columns=canonical=column,..."
    )
    message = _KEYWORD.sub(option, message)
    # the names alone, in a sentence ("severity_map sends 'P1' to ..."), and Python's None
    return _NAMED.sub(lambda match: _OPTIONS[match.group(1)], message).replace("(or None)", "(or none)")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)  # --help answers here, before pandas is loaded
    try:
        return getattr(cli_commands, _COMMANDS[args.command][-1])(args)
    except InputError as exc:
        print(f"mttr-lab: {_in_cli_words(str(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the output's reader stopped early (`| head`): stop as quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # nothing left to flush
        return 141  # as a shell reports a command stopped by SIGPIPE (128 + 13)
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
