"""The ``gapcast check`` command: ``gapcast-check CHECKS.json (--results DIR | SCENARIO...)``.

Installed with the package as the console script ``gapcast-check``, which the ``gapcast``
command runs for ``gapcast check`` (an external subcommand, like ``gapcast report``).

Exit statuses: 0 every check held; 1 a check failed; 2 bad usage, a bad checks file (located
messages), unreadable results or a scenario that does not load.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._atomic_dir import write_text_atomically
from ._cli_args import positive, whole_number
from .checks import CheckFileError, check, read_checks, table
from .errors import ResultsFileError, ScenarioError
from .run import run
from .scenario import load

__all__ = ["main"]

PROG = "gapcast check"


def _seed(text: str) -> int:
    try:
        return whole_number(text, 0, 2**64 - 1)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"must be a whole number from 0 to 2^64 - 1, got {text}") from None


def parser(prog: str = PROG) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=prog,
        description="Check ensemble outputs against stated expectations: each check names a "
                    "scenario (or all), a metric and a month (or a scalar metric), a statistic "
                    "and a condition (between, below, above, interval_contains), with its "
                    "source. Prints a table of checks held and failed with the measured value.",
        epilog="Either give a results directory (--results, from gapcast run/compare --out) or "
               "scenario files to run now. The checks file format: docs/checks.md and "
               "checks/checks.schema.json. Exit status: 0 all held; 1 a check failed; 2 bad "
               "usage, a bad checks file or unusable results. Example: gapcast check "
               "checks/published.json scenarios/*.json --samples 10000",
    )
    p.add_argument("checks", metavar="CHECKS.json", help="the checks file")
    p.add_argument("scenarios", metavar="SCENARIO", nargs="*",
                   help="scenario files (or shipped names) to run and check")
    p.add_argument("--results", metavar="DIR", help="check this results directory instead")
    p.add_argument("-n", "--samples", type=positive, default=10000,
                   help="samples when running scenarios (default 10000)")
    p.add_argument("--seed", type=_seed, default=1, help="seed when running scenarios "
                                                        "(default 1)")
    p.add_argument("--csv", metavar="FILE", help="also write the table as CSV to FILE")
    return p


def main(argv: Sequence[str] | None = None, prog: str = PROG) -> int:
    p = parser(prog)
    args = p.parse_args(argv)
    if bool(args.results) == bool(args.scenarios):
        p.error("give either --results DIR or scenario files, not both and not neither")
    try:
        read_checks(args.checks)  # a bad file is reported before anything is run
        if args.results:
            results = args.results
        else:
            loaded = [load(s) for s in args.scenarios]
            results = run(loaded, samples=args.samples, seed=args.seed)
        frame = check(args.checks, results)
    except CheckFileError as e:
        sys.stderr.write("\n".join(e.problems) + f"\n{prog}: nothing was checked\n")
        return 2
    except (ResultsFileError, ScenarioError) as e:
        sys.stderr.write(f"{prog}: {e}\n")
        return 2
    sys.stdout.write(table(frame))
    if args.csv:
        write_text_atomically(args.csv, frame.to_csv(index=False))
    return 0 if bool(frame["held"].all()) else 1


if __name__ == "__main__":
    sys.exit(main())
