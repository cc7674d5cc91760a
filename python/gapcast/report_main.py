"""The ``gapcast report`` command: ``gapcast-report RESULTS_DIR -o REPORT_DIR [options]``.

Installed with the package as the console script ``gapcast-report``, which the C++ ``gapcast``
command runs for ``gapcast report`` (an external subcommand, found beside ``gapcast`` or on
the PATH, as git does), and runnable as ``python -m gapcast report``. The report is drawn by
this package (matplotlib), so the command lives here: the C++ command does not need Python,
and this package does not need the C++ command.

Exit statuses: 0 success; 2 bad usage, unusable results or an unusable output directory
(nothing is written); 1 internal failure; 130 interrupted (Ctrl-C); 143 terminated (SIGTERM).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._atomic_dir import Terminated
from .errors import OutputDirError, ReportInputError, ResultsFileError
from .report_build import build_report

__all__ = ["main"]

PROG = "gapcast report"


def _list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _years(text: str) -> list[int]:
    try:
        return [int(item) for item in _list(text)]
    except ValueError:
        raise argparse.ArgumentTypeError(f"years must be whole numbers, e.g. 2027,2030 "
                                         f"(got {text!r})") from None


def _dpi(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 50 <= value <= 1200:
        raise argparse.ArgumentTypeError(f"{value} is not between 50 and 1200")
    return value


def parser(prog: str = PROG) -> argparse.ArgumentParser:
    """The command's options (the same as the C++ ``gapcast report`` had)."""
    p = argparse.ArgumentParser(
        prog=prog,
        description="Build a report from a results directory: figures (SVG, PDF, 300-dpi "
                    "PNG), tables (CSV, Markdown, LaTeX), the assumptions appendix and "
                    "index.html, each with its provenance.",
        epilog="Regenerating from the same results gives identical files. REPORT_DIR is "
               "replaced whole (an earlier report's files do not survive); a file or a "
               "directory that is not a report is refused. See docs/reports.md. Exit status: "
               "0 success; 2 bad usage, unreadable results or an unusable REPORT_DIR "
               "(nothing is written); 1 internal failure; 130 interrupted; 143 terminated.")
    p.add_argument("results", metavar="RESULTS_DIR",
                   help="results directory written by `gapcast run/compare --out` "
                        "(results.json, manifest.json, assumptions.json; samples.csv if run "
                        "with --raw)")
    p.add_argument("-o", "--out", required=True, metavar="REPORT_DIR",
                   help="report directory (created, or replaced whole if it holds a report)")
    p.add_argument("--years", type=_years, default=None,
                   help="years whose December the tables and effect figures show (default: "
                        "two years in, mid-range, last month)")
    p.add_argument("--scenarios", type=_list, default=None,
                   help="scenarios to show, in this order (default: all in the results)")
    p.add_argument("--metrics", type=_list, default=None,
                   help="time-series metrics for fan charts and the key-metrics table "
                        "(default: target_training_effective, gap_training, "
                        "gap_training_months, gap_inference)")
    p.add_argument("--formats", type=_list, default=None,
                   help="figure formats among svg, pdf, png (default: all)")
    p.add_argument("--dpi", type=_dpi, default=300,
                   help="resolution of the PNG figures (default: 300)")
    p.add_argument("--discovery", action="append", default=[], metavar="DIR",
                   help="add a scenario-discovery section from `gapcast discover --out DIR` "
                        "(made from these results' ensemble); may be repeated")
    p.add_argument("--sensitivity", action="append", default=[], metavar="DIR",
                   help="add a sensitivity section from `gapcast sensitivity --out DIR` (run "
                        "with these results' seed on scenarios of these results); may be "
                        "repeated")
    p.add_argument("-q", "--quiet", action="store_true", help="do not list the files written")
    return p


def main(argv: Sequence[str] | None = None, prog: str = PROG) -> int:
    """Runs the command with ``argv`` (default: the process's arguments); returns the exit
    status."""
    args = parser(prog).parse_args(argv)

    def log(line: str) -> None:
        print(f"  {line}", file=sys.stderr)

    try:
        output = build_report(
            args.results, args.out, years=args.years, scenarios=args.scenarios,
            metrics=args.metrics, formats=args.formats, dpi=args.dpi,
            discoveries=args.discovery, sensitivities=args.sensitivity,
            log=None if args.quiet else log)
    except (ResultsFileError, ReportInputError, OutputDirError) as error:
        print(f"{prog}: {error}; nothing was written", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; nothing was written", file=sys.stderr)
        return 130
    except Terminated as stop:
        print(f"{prog}: terminated; nothing was written", file=sys.stderr)
        return int(stop.code)
    except Exception as error:  # noqa: BLE001 - the exit status is the contract here
        print(f"{prog}: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"wrote {len(output.figures)} figures and {len(output.tables)} tables to "
              f"{output.directory} (open {output.index})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
