"""The ``mttr-lab`` command."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .schema import InputError

EPILOG = """examples:
  mttr-lab report data/sample_firehydrant.json --out reports/review.html
  mttr-lab synth --incidents 1500 --months 18 --seed 7 --out sample.json
"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mttr-lab",
        description="Incident-recovery analysis from incident exports.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True)

    report = sub.add_parser(
        "report",
        help="render the review of an export to HTML",
        epilog="example:\n  mttr-lab report export.json --source auto --tz Europe/Berlin --out reports/review.html",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.add_argument("export", help="the incident export (file or folder)")
    report.add_argument("--source", default="auto", help="reader to use (default: recognise it)")
    report.add_argument("--tz", default=None, help="IANA timezone of timestamps without an offset")
    report.add_argument(
        "--as-of", default=None, help="review date (default: the latest timestamp in the data)"
    )
    report.add_argument("--out", default="reports/review.html", help="HTML file to write")

    synth = sub.add_parser(
        "synth",
        help="write a realistic synthetic export",
        epilog="example:\n  mttr-lab synth --incidents 1500 --months 18 --seed 7 --out data/sample_firehydrant.json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    synth.add_argument("--incidents", type=int, default=1500)
    synth.add_argument("--months", type=int, default=18)
    synth.add_argument("--seed", type=int, default=7)
    synth.add_argument("--start", default="2025-04-01", help="first day (UTC)")
    synth.add_argument("--improvement", type=float, default=0.0, help="monthly shortening, e.g. 0.05")
    synth.add_argument("--shape", choices=["firehydrant", "csv"], default="firehydrant")
    synth.add_argument("--out", required=True, help="file to write")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "report":
            from .report import render_report

            print(f"mttr-lab: rendering the review of {args.export} ...", file=sys.stderr)
            path = render_report(args.export, out=args.out, source=args.source, tz=args.tz, as_of=args.as_of)
            print(path)
        elif args.command == "synth":
            from .synth import synth_incidents, write_export

            if args.incidents < 1 or args.months < 1:
                raise InputError("--incidents and --months must be at least 1")
            frame = synth_incidents(
                incidents=args.incidents,
                months=args.months,
                seed=args.seed,
                start=args.start,
                improvement=args.improvement,
            )
            print(write_export(frame, Path(args.out), shape=args.shape))
    except InputError as exc:
        print(f"mttr-lab: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # papermill wraps notebook errors; show the cause in one line
        name = type(exc).__name__
        message = str(exc).strip().splitlines()
        shown = next((line for line in reversed(message) if "Error" in line), message[-1] if message else "")
        print(f"mttr-lab: {name}: {shown}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
