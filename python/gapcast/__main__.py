"""``python -m gapcast SUBCOMMAND ...``: the subcommands this package provides.

``report``, ``diff``, ``check`` and ``discover`` (the same as the ``gapcast-NAME`` scripts and
``gapcast NAME``). The
simulation itself (``run``, ``compare``, ``validate``, ``reproduce``) is the compiled
``gapcast`` command.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from . import check_main, diff_main, discover_main, report_main

#: Subcommand name -> its entry point, main(argv) -> exit status.
SUBCOMMANDS: dict[str, Callable[[Sequence[str]], int]] = {"report": report_main.main,
                                                          "diff": diff_main.main,
                                                          "check": check_main.main,
                                                          "discover": discover_main.main}

_USAGE = ("usage: python -m gapcast {" + ",".join(SUBCOMMANDS) + "} ...\n"
          "  report   build a report from a results directory (python -m gapcast report -h)\n"
          "  diff     compare two results directories (python -m gapcast diff -h)\n"
          "  check    check outputs against a checks file (python -m gapcast check -h)\n"
          "  discover scenario discovery on an ensemble (python -m gapcast discover -h)\n"
          "run, compare, validate and reproduce are the `gapcast` command's.\n")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        sys.stderr.write(_USAGE)
        return 2
    if args[0] in ("-h", "--help"):
        sys.stdout.write(_USAGE)
        return 0
    command = SUBCOMMANDS.get(args[0])
    if command is None:
        sys.stderr.write(f"python -m gapcast: unknown subcommand {args[0]!r}\n{_USAGE}")
        return 2
    return command(args[1:])


if __name__ == "__main__":
    sys.exit(main())
