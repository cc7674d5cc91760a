"""Exceptions and warnings raised by gapcast.

Scenario problems are reported the way the ``gapcast`` command reports them: every problem
found, each located by file, line and column where known, and always by the JSON pointer of the
offending value. For scenarios built from dicts the pointer is the path inside the dict, e.g.
``/world/parameters/densing_doubling_months/ci90``.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "Diagnostic",
    "GapcastWarning",
    "OutputDirError",
    "ReportInputError",
    "ResultsFileError",
    "ScenarioError",
    "SimulationError",
]


@dataclasses.dataclass(frozen=True)
class Diagnostic:
    """One located problem in a scenario, world or policy.

    Attributes:
        severity: ``"error"`` or ``"warning"``.
        file: the file as named, or the label of an in-memory scenario.
        line, column: 1-based position in the file; 0 when unknown (always for dicts).
        pointer: RFC 6901 JSON pointer of the offending value ("" for whole-file problems).
        message: what is wrong and what was expected.
        text: the whole line as the ``gapcast`` command prints it.
    """

    severity: str
    file: str
    line: int
    column: int
    pointer: str
    message: str
    text: str

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Diagnostic:
        return cls(**{f.name: d[f.name] for f in dataclasses.fields(cls)})

    def __str__(self) -> str:
        return self.text


class ScenarioError(ValueError):
    """A scenario (file or dict) cannot be used.

    ``str(error)`` lists every problem, one per line; ``error.diagnostics`` holds them as
    :class:`Diagnostic` objects, and ``error.pointers`` just their JSON pointers.
    """

    def __init__(self, message: str, diagnostics: Iterable[Diagnostic] = ()) -> None:
        super().__init__(message)
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)

    @property
    def pointers(self) -> list[str]:
        """The JSON pointer of each problem, in the order found."""
        return [d.pointer for d in self.diagnostics]

    @classmethod
    def _from_core(cls, message: str, diagnostics: Iterable[Mapping[str, Any]]) -> ScenarioError:
        # Called by the compiled module's exception translator.
        return cls(message, [Diagnostic.from_dict(d) for d in diagnostics])

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle their args only; keep the diagnostics (multiprocessing, dask).
        return (type(self), (str(self), self.diagnostics))


class SimulationError(RuntimeError):
    """A sampled world made the dynamics fail.

    The message names the scenario, the sample and the drawn parameter values, so the
    offending combination can be inspected (``gapcast`` exits with status 2 for the same).
    """


class GapcastWarning(UserWarning):
    """A problem in a scenario that does not stop it from running (e.g. repaired correlations)."""


class ResultsFileError(ValueError):
    """A results directory, or one of its files, is not what ``gapcast run --out`` or
    :meth:`gapcast.Results.write` writes (``gapcast report`` exits with status 2).

    ``str(error)`` names the file and, for a value of the wrong kind inside a JSON file, the
    JSON pointer of that value, e.g. ``results/results.json: /series/baseline: expected an
    object``. The same are in ``error.path`` and ``error.pointer`` ("" for whole-file
    problems).
    """

    def __init__(self, message: str, path: str | os.PathLike[str] | None = None,
                 pointer: str = "") -> None:
        where = "" if path is None else f"{os.fspath(path)}: "
        super().__init__(where + (f"{pointer}: " if pointer else "") + message)
        self.path = None if path is None else os.fspath(path)
        self.pointer = pointer
        self._message = message

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self._message, self.path, self.pointer))


class OutputDirError(ValueError):
    """An output directory cannot be written: it is a file, a directory this command did
    not make, the input itself, or another gapcast process is writing it (``gapcast
    report`` exits with status 2, before any work)."""


class ReportInputError(ValueError):
    """A report option names something the results do not have (a year, scenario, metric,
    format or quantile level); ``gapcast report`` exits with status 2."""
