"""Exceptions and warnings raised by gapcast.

Scenario problems are reported the way the ``gapcast`` command reports them: every problem
found, each located by file, line and column where known, and always by the JSON pointer of the
offending value. For scenarios built from dicts the pointer is the path inside the dict, e.g.
``/world/parameters/densing_doubling_months/ci90``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["Diagnostic", "GapcastWarning", "ScenarioError", "SimulationError"]


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
