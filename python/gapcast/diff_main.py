"""The ``gapcast diff`` command: ``gapcast-diff OLD_RESULTS NEW_RESULTS [options]``.

Installed with the package as the console script ``gapcast-diff``, which the ``gapcast``
command runs for ``gapcast diff`` (an external subcommand, like ``gapcast report``).

Exit statuses: 0 the results agree within the tolerance; 1 they differ (or something exists on
one side only); 2 bad usage or an unreadable results directory.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence

from ._atomic_dir import write_text_atomically
from ._cli_args import positive
from .results_diff import DEFAULT_ATOL, DEFAULT_RTOL, diff
from .errors import ResultsFileError

__all__ = ["main"]

PROG = "gapcast diff"


def _tolerance(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"must be a finite number >= 0, got {text}")
    return value


def parser(prog: str = PROG) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog,
        description="Compare two results directories (gapcast run/compare --out) cell by "
                    "cell: every statistic of every scenario, metric and month, and every "
                    "scalar metric. A cell agrees when |new - old| <= atol + rtol |old|; "
                    "scenarios, metrics, months or statistics on one side only are "
                    "differences too.",
        epilog="Prints the verdict, the metrics that moved most and the largest single "
               "changes. Exit status: 0 agree; 1 differ; 2 bad usage or unreadable results. "
               "Example: gapcast diff golden/ results/ --rtol 0.02",
    )
    p.add_argument("old", metavar="OLD_RESULTS", help="the reference results directory")
    p.add_argument("new", metavar="NEW_RESULTS", help="the results directory to check")
    p.add_argument("--rtol", type=_tolerance, default=DEFAULT_RTOL,
                   help=f"relative tolerance (default {DEFAULT_RTOL:g}: two quantile-sketch "
                        "bins at the default accuracy)")
    p.add_argument("--atol", type=_tolerance, default=DEFAULT_ATOL,
                   help=f"absolute tolerance, for values near zero (default {DEFAULT_ATOL:g})")
    p.add_argument("--top", type=positive, default=10,
                   help="how many metrics and single changes to list (default 10)")
    p.add_argument("--csv", metavar="FILE",
                   help="also write every cell beyond tolerance to FILE as CSV")
    return p


def main(argv: Sequence[str] | None = None, prog: str = PROG) -> int:
    args = parser(prog).parse_args(argv)
    try:
        result = diff(args.old, args.new, rtol=args.rtol, atol=args.atol)
    except ResultsFileError as e:
        sys.stderr.write(f"{prog}: {e}\n")
        return 2
    sys.stdout.write(result.summary(top=args.top))
    if args.csv:
        write_text_atomically(args.csv, result.beyond.to_csv(index=False))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
