"""``gapcast run/compare ... --scheduler tcp://HOST:PORT``: the command on a Dask cluster.

The compiled ``gapcast`` hands a ``run`` or ``compare`` with ``--scheduler`` to this program
(the console script ``gapcast-cluster``), with the same arguments. It connects to the
scheduler, cuts the run into shards, has each worker run ``gapcast ... --shard START:STOP``
(so the workers need the ``gapcast`` program and the scenario files at the same paths: a
shared file system, as on most clusters), and merges the shards with ``gapcast merge``:
tables on the terminal and a results directory byte-identical to the run made locally
(docs/distributed.md).

Exit statuses: those of ``gapcast`` (0 success, 2 bad input or an unreachable scheduler,
1 internal failure, 130 interrupted).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from . import _core
from .distributed import default_shard_count, run_command_on_client
from .shards import split_samples

__all__ = ["main"]

# Options this driver reads and does not pass on to the workers' commands.
_OWN = {"--scheduler", "--shards", "--connect-timeout"}
# Options of the local command that a sharded run cannot take.
_REFUSED = {
    "--shard": "the cluster cuts the run into shards itself (--shards K sets how many)",
    "--out-shard": "the cluster cuts the run into shards itself",
    "--raw": "per-sample output does not travel in shards; use gapcast.run(..., client=..., "
             "ensemble=DIR) from Python",
    "--ensemble": "use gapcast.run(..., client=..., ensemble=DIR) from Python",
    "--central": "a central run is one sample; run it locally",
    "--observe": "a conditioned run's weighted sums are rounded in sample order and cannot be "
                 "merged exactly; run it locally",
}
# Options whose value the merge needs (the workers' commands do not write anything).
_FOR_MERGE = {"-o": "out", "--out": "out", "--years": "years"}
_FLAGS_FOR_MERGE = {"-q", "--quiet"}


class UsageError(Exception):
    """A command line this driver cannot run; the message says why."""


def _split(argv: Sequence[str]) -> tuple[list[str], dict[str, str], set[str]]:
    """(arguments for the workers' commands, this driver's options and the merge's values,
    the merge's flags)."""
    passed: list[str] = []
    values: dict[str, str] = {}
    flags: set[str] = set()
    i = 0
    while i < len(argv):
        arg = argv[i]
        name, eq, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if name in _REFUSED:
            raise UsageError(f"{name} cannot be used with --scheduler: {_REFUSED[name]}")
        takes_value = name in _OWN or name in _FOR_MERGE
        if takes_value:
            if eq:
                value = inline
            elif i + 1 < len(argv):
                value = argv[i + 1]
                i += 1
            else:
                raise UsageError(f"{name} needs a value")
            values[_FOR_MERGE.get(name, name)] = value
        elif arg in _FLAGS_FOR_MERGE:
            flags.add("--quiet")
        elif arg == "--no-progress":
            flags.add(arg)
        else:
            passed.append(arg)
        i += 1
    return passed, values, flags


def _samples(arguments: Sequence[str]) -> int:
    """The run's sample count as the command reads it (-n/--samples; 1e6 is a million), or
    the engine's default."""
    text = None
    for i, arg in enumerate(arguments):
        if arg in ("-n", "--samples") and i + 1 < len(arguments):
            text = arguments[i + 1]
        elif arg.startswith("--samples="):
            text = arg.partition("=")[2]
        elif arg.startswith("-n") and len(arg) > 2:
            text = arg[2:]
    if text is None:
        return int(_core.default_run_options()["samples"])
    try:
        number = float(text)
    except ValueError:
        raise UsageError(f"--samples: not a number: {text!r}") from None
    if not number.is_integer() or number < 1:
        raise UsageError(f"--samples: must be a whole number of at least 1, got {text!r}")
    return int(number)


def _program() -> str:
    """The gapcast program that handed over (GAPCAST_PROGRAM), else the one on the PATH."""
    found = os.environ.get("GAPCAST_PROGRAM") or shutil.which("gapcast")
    if not found:
        raise UsageError("the gapcast program was not found (GAPCAST_PROGRAM or PATH)")
    return found


def _positive(name: str, text: str, kind: type) -> float:
    try:
        value = kind(text)
    except ValueError:
        raise UsageError(f"{name}: not a number: {text!r}") from None
    if value <= 0:
        raise UsageError(f"{name}: must be positive, got {text!r}")
    return float(value)


def _connect(address: str, timeout: float) -> object:
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--scheduler needs Dask: pip install \"gapcast[dask]\"") from None
    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as e:
        raise UsageError(f"could not reach the Dask scheduler at {address} within "
                         f"{timeout:g} s: {e}") from None


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] not in ("run", "compare"):
        print("usage: gapcast run|compare SCENARIO... --scheduler tcp://HOST:PORT [--shards K] "
              "[--connect-timeout S] [other run options]", file=sys.stderr)
        return 2
    try:
        passed, values, flags = _split(args[1:])
        if "--scheduler" not in values:
            raise UsageError("--scheduler: give the scheduler's address, tcp://HOST:PORT")
        samples = _samples(passed)
        shards = None
        if "--shards" in values:
            shards = int(_positive("--shards", values["--shards"], int))
            split_samples(samples, shards)  # refuses more shards than samples
        timeout = _positive("--connect-timeout", values.get("--connect-timeout", "10"), float)
        program = _program()
        client = _connect(values["--scheduler"], timeout)
    except (UsageError, ValueError) as e:
        print(f"gapcast: {e}\nnothing was run or written", file=sys.stderr)
        return 2
    with client:  # type: ignore[attr-defined]
        count = shards or default_shard_count(client, samples)
        print(f"gapcast: {samples:,} samples in {count} shards on {values['--scheduler']}",
              file=sys.stderr)
        bar = None
        if "--no-progress" not in flags:
            from tqdm import tqdm

            bar = tqdm(total=samples, unit="sample", desc="gapcast", leave=False)
        try:
            with tempfile.TemporaryDirectory(prefix="gapcast-shards-") as scratch:
                files = run_command_on_client(
                    client, program, [args[0], *passed], samples, shards=count,
                    out_dir=Path(scratch), progress=None if bar is None else bar.update)
                if bar is not None:
                    bar.close()
                    bar = None
                merge = [program, "merge", *map(str, files)]
                if "out" in values:
                    merge += ["--out", values["out"]]
                if "years" in values:
                    merge += ["--years", values["years"]]
                merge += sorted(flags & {"--quiet"})
                return subprocess.run(merge, check=False).returncode
        except KeyboardInterrupt:
            print("gapcast: interrupted; the shards were cancelled and nothing was written",
                  file=sys.stderr)
            return 130
        except RuntimeError as e:
            print(f"gapcast: {e}\nnothing was written", file=sys.stderr)
            return 2
        finally:
            if bar is not None:
                bar.close()


if __name__ == "__main__":
    sys.exit(main())
