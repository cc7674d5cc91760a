"""Reproducing a recorded result: :func:`reproduce`, the Python side of ``gapcast reproduce``."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from . import _core

__all__ = ["Reproduction", "reproduce"]


@dataclass(frozen=True)
class Reproduction:
    """The outcome of :func:`reproduce`.

    ``reproduced`` is True when every recorded result file came out byte for byte.
    ``files`` has one row per result file: its SHA-256 in the manifest, from the rerun and
    on disk beside the manifest, and a status. ``input_changes`` lists input files whose
    content differs from the manifest (when there are any and ``force`` was not given,
    nothing was rerun: ``rerun`` is False).
    """

    reproduced: bool
    rerun: bool
    files: pd.DataFrame
    input_changes: pd.DataFrame
    details: dict[str, Any]

    def __bool__(self) -> bool:
        return self.reproduced


def reproduce(
    manifest: str | os.PathLike[str],
    *,
    directory: str | os.PathLike[str] | None = None,
    keep: str | os.PathLike[str] | None = None,
    threads: int = 0,
    force: bool = False,
    progress: Callable[[int, int], Any] | None = None,
) -> Reproduction:
    """Reruns the result recorded in ``manifest`` (a results directory's manifest.json, or the
    directory) with the inputs and options it records, and compares every result file.

    Args:
        manifest: the manifest or its results directory.
        directory: where the run's relative scenario paths resolve (default: the recorded
            working directory if it exists, else the current one).
        keep: write the rerun's files into this directory (replaced whole; not inside the
            results directory). Default: nothing is written.
        threads: worker threads (0: all cores); results do not depend on it.
        force: rerun even if input files changed since the run.
        progress: ``progress(done, total)`` while the rerun goes.

    Raises:
        ValueError: the manifest is unusable (not a regular file, malformed, options out of
            range, unknown result files) or ``keep`` lies inside the results directory.
        gapcast.ScenarioError: the recorded inputs no longer load.
        KeyboardInterrupt: Ctrl-C.
    """
    if isinstance(threads, bool) or not isinstance(threads, int):
        raise TypeError(f"threads must be a whole number, got {threads!r}")
    report = _core.reproduce(
        os.fspath(manifest),
        directory="" if directory is None else os.fspath(directory),
        keep="" if keep is None else os.fspath(keep),
        threads=threads,
        force=bool(force),
        progress=progress,
    )
    files = pd.DataFrame(report["files"],
                         columns=["file", "manifest_sha256", "rerun_sha256", "on_disk_sha256",
                                  "status", "ok", "description"])
    changes = pd.DataFrame(report["input_changes"], columns=["path", "role", "what"])
    return Reproduction(reproduced=bool(report["reproduced"]), rerun=bool(report["rerun"]),
                        files=files, input_changes=changes, details=report)
