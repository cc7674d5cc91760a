"""Scenarios: load, inspect and change assumptions and policy levers.

A scenario is a *world* (uncertain assumptions, each with a distribution and a source) plus a
*policy* (dated lever schedules). :class:`Scenario` objects are immutable: every change
returns a new scenario. Changes are made on the scenario's JSON form (the same format as the
files in ``scenarios/``) and loaded again by the engine's C++ loader, so a value that the
``gapcast validate`` command would reject is rejected here too, with the same message and the
JSON pointer of the offending value.
"""

from __future__ import annotations

import copy
import difflib
import json
import math
import os
import sys
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Union

import pandas as pd

from . import _core
from ._repr import scenario_html
from .errors import Diagnostic, GapcastWarning

__all__ = [
    "EXPORT_STATUS",
    "Lever",
    "Parameter",
    "Scenario",
    "ScenarioLike",
    "load",
    "load_all",
    "scenario_path",
    "shipped_scenarios",
]

#: Export-status lever codes as the engine stores them.
EXPORT_STATUS = {0.0: "banned", 1.0: "licensed", 2.0: "unrestricted"}

PathLike = Union[str, "os.PathLike[str]"]
#: Anything :func:`load` accepts: a Scenario, a file path, a shipped scenario's name, a dict.
ScenarioLike = Union["Scenario", PathLike, Mapping[str, Any]]


def _data_dir() -> Path:
    return Path(str(resources.files("gapcast"))) / "data" / "scenarios"


def shipped_scenarios() -> dict[str, Path]:
    """The scenario files shipped with gapcast, by name (``"baseline"``, ...)."""
    folder = _data_dir()
    return {p.stem: p for p in sorted(folder.glob("*.json"))}


def scenario_path(name: str) -> Path:
    """Path of a shipped scenario file. Raises KeyError naming the shipped ones."""
    shipped = shipped_scenarios()
    if name not in shipped:
        hint = difflib.get_close_matches(name, shipped, n=1)
        raise KeyError(
            f"no shipped scenario named {name!r}"
            + (f"; did you mean {hint[0]!r}?" if hint else "")
            + f" (shipped: {', '.join(shipped)})"
        )
    return shipped[name]


def _warn(diagnostics: Iterable[Mapping[str, Any]]) -> tuple[Diagnostic, ...]:
    """Issues the loader's warnings, attributed to the user's line that caused them."""
    found = tuple(Diagnostic.from_dict(d) for d in diagnostics)
    if found:
        package = os.path.dirname(os.path.abspath(__file__))
        frame, level = sys._getframe(0), 1
        while frame is not None and frame.f_code.co_filename.startswith(package):
            frame, level = frame.f_back, level + 1
        for d in found:
            warnings.warn(d.text, GapcastWarning, stacklevel=level)
    return found


@dataclass(frozen=True)
class Parameter:
    """One world parameter as the engine understood it.

    ``distribution`` is the engine's :class:`gapcast.Distribution` (in the canonical unit);
    ``spec`` is the specification as written in the file; ``source`` and ``note`` carry its
    provenance; ``file``/``pointer``/``line`` say where it was defined.
    """

    name: str
    distribution: _core.Distribution
    unit: str
    source: str
    note: str
    description: str
    valid_min: float
    valid_max: float
    spec: Any
    file: str
    pointer: str
    line: int

    @property
    def median(self) -> float:
        return self.distribution.median

    def interval(self, level: float = 0.90) -> tuple[float, float]:
        """The central ``level`` interval, e.g. (p5, p95) for 0.90."""
        tail = (1.0 - level) / 2.0
        return (
            float(self.distribution.quantile(tail)),
            float(self.distribution.quantile(1.0 - tail)),
        )


@dataclass(frozen=True)
class Lever:
    """One policy lever of a scenario: for a chip class (``chip``) or for the whole target.

    ``changes`` lists ``(month, value)`` at each date where the value or its slope changes;
    ``initial`` is the value before the first change. Export statuses are shown as names
    and an absent licence cap as None.
    """

    name: str
    lever: str
    chip: str | None
    kind: str
    unit: str
    description: str
    initial: Any
    changes: tuple[tuple[str, Any], ...]

    @property
    def constant(self) -> bool:
        return not self.changes


def _lever_value(kind: str, value: float) -> Any:
    if kind == "export_status":
        return EXPORT_STATUS.get(float(value), value)
    if kind == "optional_cap" and math.isinf(value):
        return None
    return value


class Scenario:
    """A loaded and validated scenario.

    Create one with :func:`gapcast.load` (a file, a shipped scenario's name or a dict),
    :meth:`from_file` or :meth:`from_dict`. Change it with :meth:`with_parameters`,
    :meth:`with_levers`, :meth:`with_policy`, :meth:`with_world` and :meth:`renamed`; each
    returns a new, re-validated scenario.
    """

    def __init__(
        self,
        core: _core.Scenario,
        document: Mapping[str, Any],
        *,
        base_dir: Path,
        label: str,
        path: Path | None = None,
        warnings: Sequence[Diagnostic] = (),
    ) -> None:
        # Use the constructors below; this one trusts that `core` was loaded from `document`.
        self._core = core
        self._document = copy.deepcopy(dict(document))
        self._base_dir = Path(base_dir)
        self._label = label
        self._path = path
        self._warnings = tuple(warnings)

    # ---- construction -----------------------------------------------------------------

    @classmethod
    def from_file(cls, path: PathLike, *, strict: bool = False) -> Scenario:
        """Loads a scenario file (and the world and policy files it names).

        ``strict=True`` also requires a ``source`` on every parameter, like
        ``gapcast validate --strict``. Raises :class:`gapcast.ScenarioError`.
        """
        return load_all([path], strict=strict)[0]

    @classmethod
    def from_dict(
        cls,
        document: Mapping[str, Any],
        *,
        base_dir: PathLike = ".",
        label: str = "<dict>",
        strict: bool = False,
    ) -> Scenario:
        """Builds a scenario from a dict in the scenario-file format.

        ``world`` and ``policy`` may be inline dicts or paths relative to ``base_dir``.
        ``label`` names the dict in error messages. Raises :class:`gapcast.ScenarioError`
        whose diagnostics carry the JSON pointer of each problem inside the dict.
        """
        base = Path(base_dir).resolve()
        cores, found = _core.load_scenario_json(document, label, base, strict)
        return cls(cores[0], document, base_dir=base, label=label, warnings=_warn(found))

    # ---- identity ---------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self._core.name

    @property
    def title(self) -> str:
        return self._core.title

    @property
    def description(self) -> str:
        return self._core.description

    @property
    def fingerprint(self) -> str:
        """SHA-256 over the resolved world and policy: equal fingerprints, equal runs."""
        return self._core.fingerprint

    @property
    def start(self) -> str:
        """The world's start month, ``"YYYY-MM"``."""
        return self._core.start

    @property
    def world(self) -> dict[str, Any]:
        """The world's name, title, description, start, fingerprint, chips and lines."""
        return self._core.world

    @property
    def policy(self) -> dict[str, Any]:
        """The policy's name, title, description and fingerprint."""
        return self._core.policy

    @property
    def files(self) -> list[dict[str, str]]:
        """Files read for this scenario, with their SHA-256 (empty parts for inline dicts)."""
        return self._core.files

    @property
    def path(self) -> Path | None:
        """The scenario file, for a scenario loaded from one and not changed since."""
        return self._path

    @property
    def label(self) -> str:
        """How messages name this scenario: its file, or a label for dicts."""
        return self._label

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        """Warnings the loader reported (also issued as :class:`GapcastWarning`)."""
        return self._warnings

    # ---- inspection -------------------------------------------------------------------

    def parameter(self, name: str) -> Parameter:
        """One world parameter by name (e.g. ``"chips.h200.tpp"``). KeyError if unknown."""
        for p in self._core.parameters():
            if p["name"] == name:
                return Parameter(**{k: p[k] for k in Parameter.__dataclass_fields__})
        raise KeyError(_unknown("parameter", name, self.parameter_names))

    @property
    def parameter_names(self) -> list[str]:
        return [p["name"] for p in self._core.parameters()]

    @property
    def parameters(self) -> pd.DataFrame:
        """Every world parameter: distribution, median, 90% interval, unit, source and note,
        and the file and JSON pointer where its value was written."""
        rows = self._core.parameters()
        frame = pd.DataFrame(
            {
                "distribution": [p["describe"] for p in rows],
                "kind": [p["kind"] for p in rows],
                "median": [p["median"] for p in rows],
                "p5": [p["p5"] for p in rows],
                "p95": [p["p95"] for p in rows],
                "unit": [p["unit"] for p in rows],
                "source": [p["source"] for p in rows],
                "note": [p["note"] for p in rows],
                "description": [p["description"] for p in rows],
                "file": [p["file"] for p in rows],
                "pointer": [p["pointer"] for p in rows],
            },
            index=pd.Index([p["name"] for p in rows], name="parameter"),
        )
        return frame

    def lever(self, name: str) -> Lever:
        """One lever by name: ``"chips.h200.fee"`` or a global one like
        ``"enforcement_intensity"``. KeyError if unknown."""
        for entry in self._core.levers():
            if entry["name"] == name:
                return _make_lever(entry)
        raise KeyError(_unknown("lever", name, self.lever_names))

    @property
    def lever_names(self) -> list[str]:
        return [entry["name"] for entry in self._core.levers()]

    @property
    def levers(self) -> pd.DataFrame:
        """Every lever's schedule: per foreign chip class, then the global levers."""
        levers = [_make_lever(entry) for entry in self._core.levers()]
        return pd.DataFrame(
            {
                "chip": [lv.chip for lv in levers],
                "lever": [lv.lever for lv in levers],
                "initial": [lv.initial for lv in levers],
                "changes": [
                    "; ".join(f"{month}: {value}" for month, value in lv.changes)
                    for lv in levers
                ],
                "kind": [lv.kind for lv in levers],
                "unit": [lv.unit for lv in levers],
                "description": [lv.description for lv in levers],
            },
            index=pd.Index([lv.name for lv in levers], name="lever"),
        )

    def lever_values(self, start: str | None = None, end: str = "2035-12") -> pd.DataFrame:
        """Each lever's value (rows) on the first day of every month from ``start`` (default:
        the world's start) to ``end`` (columns). Export status: 0 banned, 1 licensed,
        2 unrestricted; an absent cap is +inf."""
        months = pd.period_range(start or self.start, end, freq="M")
        labels = [str(m) for m in months]
        values = self._core.lever_values(labels)
        return pd.DataFrame(
            values,
            index=pd.Index(self.lever_names, name="lever"),
            columns=pd.DatetimeIndex(months.to_timestamp(), name="date"),
        )

    @property
    def correlation(self) -> dict[str, Any] | None:
        """Rank-correlated parameters with the requested and achieved Spearman matrices."""
        return self._core.correlation()

    def to_dict(self, *, inline: bool = True) -> dict[str, Any]:
        """The scenario in the scenario-file format (a deep copy), with the changes made in
        Python under ``"overrides"``.

        With ``inline=True`` a world or policy named by a file path is included as a dict,
        so that ``Scenario.from_dict(s.to_dict())`` has the same fingerprint as ``s``
        anywhere (a scenario file that ``"extends"`` another still refers to it).
        """
        document = copy.deepcopy(self._document)
        if inline:
            for part in ("world", "policy"):
                value = document.get(part)
                if isinstance(value, str):
                    with open(self._base_dir / value, encoding="utf-8") as f:
                        document[part] = json.load(f)
        return document

    # ---- changes ----------------------------------------------------------------------
    #
    # Every change is written into the scenario document's "overrides" (JSON pointer ->
    # value), the mechanism scenario files use to adjust the world and policy they name, and
    # the document is loaded again by the C++ loader. So the world and policy files stay the
    # files (their SHA-256 stays in the provenance), a misspelt name gets the loader's "did you
    # mean", and a bad value is reported at "/overrides/<pointer>/...".

    def with_parameters(
        self,
        values: Mapping[str, Any] | None = None,
        /,
        *,
        source: str | None = None,
        note: str | None = None,
        **parameters: Any,
    ) -> Scenario:
        """A copy with world parameters replaced.

        Each value is a number (a fixed value) or a specification dict as written in world
        files, e.g. ``{"ci90": [3, 6]}``, ``{"dist": "uniform", "low": 2, "high": 4}`` or
        ``{"p5": 1, "p50": 2, "p95": 5}``. Dotted names reach chip classes and production
        lines: ``"chips.h200.tpp"``, ``"chips.h20.initial_stock.licensed"``,
        ``"domestic_lines.huawei.packages_per_year_2026"``. ``source``/``note`` are attached
        to every value given here that has none (``validate(strict=True)`` requires a source
        for published scenarios). The parameters table shows where each value was defined:
        a changed one at ``/overrides/...`` of the edited scenario. Raises
        :class:`gapcast.ScenarioError` for names or values the loader rejects.
        """
        changes = {**(values or {}), **parameters}
        overrides = {}
        for name, value in changes.items():
            spec = _parameter_spec(value, source, note)
            tokens = ["parameters", name] if "." not in name else name.split(".")
            overrides[_pointer("world", tokens)] = spec
        return self._with_overrides(overrides)

    def with_levers(
        self,
        values: Mapping[str, Any] | None = None,
        /,
        *,
        source: str | None = None,
        note: str | None = None,
        **levers: Any,
    ) -> Scenario:
        """A copy with policy levers replaced.

        Names are global levers (``"enforcement_intensity"``) or ``"chips.<class>.<lever>"``
        (``"chips.h200.fee"``). Values are written as in policy files: a constant (``0.5``,
        ``"banned"``, ``None`` for no cap) or a list of dated changes, e.g.
        ``[{"from": "2026-07", "value": 1.0}]`` (a step) or
        ``[{"from": "2026-07", "to": "2027-07", "value": 1.0}]`` (a ramp).
        ``source``/``note`` are attached to constants given here.
        Raises :class:`gapcast.ScenarioError` for names or values the loader rejects.
        """
        changes = {**(values or {}), **levers}
        overrides = {}
        for name, value in changes.items():
            spec: Any = copy.deepcopy(value)
            if (source or note) and not isinstance(value, (list, tuple, Mapping)):
                spec = {"value": value}
                if source:
                    spec["source"] = source
                if note:
                    spec["note"] = note
            overrides[_pointer("policy", ["levers", *name.split(".")])] = spec
        return self._with_overrides(overrides)

    def with_policy(self, policy: ScenarioLike) -> Scenario:
        """A copy with another policy, replacing the policy and any lever changes made so
        far: a policy dict, a policy file, or another :class:`Scenario`'s policy."""
        return self._with_part("policy", policy)

    def with_world(self, world: ScenarioLike) -> Scenario:
        """A copy with another world, replacing the world and any parameter changes made so
        far: a world dict, a world file, or another :class:`Scenario`'s world."""
        return self._with_part("world", world)

    def renamed(
        self, name: str, title: str | None = None, description: str | None = None
    ) -> Scenario:
        """A copy with a new name (scenarios run together need distinct names)."""
        document = self.to_dict(inline=False)
        document["name"] = name
        document["title"] = title if title is not None else name
        if description is not None:
            document["description"] = description
        return self._reloaded(document)

    def validate(self, *, strict: bool = True) -> tuple[Diagnostic, ...]:
        """Re-checks the scenario; ``strict`` (default) also requires every parameter's
        source, as ``gapcast validate --strict`` does. Returns the warnings, raises
        :class:`gapcast.ScenarioError`."""
        if self._path is not None:
            return load_all([self._path], strict=strict)[0].warnings
        return Scenario.from_dict(
            self._document, base_dir=self._base_dir, label=self._label, strict=strict
        ).warnings

    # ---- helpers ----------------------------------------------------------------------

    def _with_overrides(self, overrides: Mapping[str, Any]) -> Scenario:
        document = copy.deepcopy(self._document)
        existing = dict(document.get("overrides") or {})
        for pointer, value in overrides.items():
            # A new value replaces the whole member, so earlier overrides inside it (or around
            # it) go: the loader rejects overlapping overrides as ambiguous.
            existing = {p: v for p, v in existing.items()
                        if not (_within(p, pointer) or _within(pointer, p))}
            existing[pointer] = value
        document["overrides"] = existing
        return self._reloaded(document)

    def _with_part(self, part: str, replacement: ScenarioLike) -> Scenario:
        document = copy.deepcopy(self._document)
        extra: dict[str, Any] = {}
        if isinstance(replacement, Scenario):
            other = replacement._document
            if part not in other:
                raise ValueError(f"{replacement.label} inherits its {part} through "
                                 f"\"extends\"; pass the {part} file or dict instead")
            value = other[part]
            document[part] = (str(replacement._base_dir / value) if isinstance(value, str)
                              else copy.deepcopy(value))
            extra = {p: v for p, v in (other.get("overrides") or {}).items()
                     if _within(p, "/" + part)}
        elif isinstance(replacement, Mapping):
            document[part] = copy.deepcopy(dict(replacement))
        else:
            document[part] = str(Path(replacement).resolve())
        kept = {p: v for p, v in (document.get("overrides") or {}).items()
                if not _within(p, "/" + part)}
        kept.update(extra)
        if kept:
            document["overrides"] = kept
        else:
            document.pop("overrides", None)
        return self._reloaded(document)

    def _reloaded(self, document: Mapping[str, Any]) -> Scenario:
        # The edited scenario no longer matches its file, so it keeps the file's name in
        # messages (marked as edited) but not the path.
        label = self._label if self._label.endswith("(edited)") else f"{self._label} (edited)"
        cores, found = _core.load_scenario_json(document, label, self._base_dir, False)
        return Scenario(
            cores[0], document, base_dir=self._base_dir, label=label, warnings=_warn(found)
        )

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as its self-contained JSON form: the engine objects are rebuilt (and
        # re-validated) on loading, and the fingerprint is unchanged.
        return (_restore, (self.to_dict(), str(self._base_dir), self._label))

    def __repr__(self) -> str:
        return (
            f"<gapcast.Scenario {self.name!r}: world {self.world['name']!r}, "
            f"policy {self.policy['name']!r}, fingerprint {self.fingerprint[:12]}>"
        )

    def _repr_html_(self) -> str:
        # The levers the policy sets: those that change, or differ from no controls.
        levers = [_make_lever(entry) for entry in self._core.levers()
                  if entry["changes"] or entry["initial"] != entry["no_controls_value"]]
        return scenario_html(self, levers)


def _restore(document: dict[str, Any], base_dir: str, label: str) -> Scenario:
    return Scenario.from_dict(document, base_dir=base_dir, label=label)


def _make_lever(entry: Mapping[str, Any]) -> Lever:
    kind = entry["kind"]
    return Lever(
        name=entry["name"],
        lever=entry["lever"],
        chip=entry["chip"],
        kind=kind,
        unit=entry["unit"],
        description=entry["description"],
        initial=_lever_value(kind, entry["initial"]),
        changes=tuple((month, _lever_value(kind, v)) for month, v in entry["changes"]),
    )


def _unknown(what: str, name: str, known: Sequence[str]) -> str:
    hint = difflib.get_close_matches(name, known, n=1)
    return f"no {what} named {name!r}" + (f"; did you mean {hint[0]!r}?" if hint else "")


def _parameter_spec(value: Any, source: str | None, note: str | None) -> Any:
    if isinstance(value, _core.Distribution):
        raise TypeError(
            "give a specification dict as written in world files (e.g. {'ci90': [3, 6]}), "
            "not a Distribution object"
        )
    if not isinstance(value, Mapping):
        # A bare number is a fixed value, written as the command's --set writes it (so both
        # give the same world fingerprint); provenance needs the object form.
        if source is None and note is None:
            return value
        value = {"value": value}
    spec = copy.deepcopy(dict(value))
    if source is not None and "source" not in spec:
        spec["source"] = source
    if note is not None and "note" not in spec:
        spec["note"] = note
    return spec


def _pointer(part: str, tokens: Sequence[str]) -> str:
    """RFC 6901 pointer "/<part>/<token>/..." with "~" and "/" escaped in the tokens."""
    escaped = (t.replace("~", "~0").replace("/", "~1") for t in tokens)
    return "/" + "/".join([part, *escaped])


def _within(pointer: str, prefix: str) -> bool:
    """True if `pointer` is `prefix` or lies inside it."""
    return pointer == prefix or pointer.startswith(prefix + "/")


def load_all(sources: Iterable[PathLike], *, strict: bool = False) -> list[Scenario]:
    """Loads scenario files together, as the command does (names must be unique; every
    problem in every file is reported at once)."""
    paths = [Path(_resolve_name(s)) for s in sources]
    cores, found = _core.load_scenarios([str(p) for p in paths], strict)
    diagnostics = _warn(found)
    scenarios = []
    for core, path in zip(cores, paths, strict=True):
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
        base = path.resolve().parent
        names = {f["display_name"] for f in core.files}
        mine = tuple(d for d in diagnostics if d.file in names)
        scenarios.append(
            Scenario(core, document, base_dir=base, label=str(path), path=path, warnings=mine)
        )
    return scenarios


def _resolve_name(source: PathLike) -> PathLike:
    """A shipped scenario's name stands for its file unless a file of that name exists."""
    if isinstance(source, str) and not os.path.exists(source) and os.sep not in source:
        shipped = shipped_scenarios()
        if source in shipped:
            return shipped[source]
    return source


def load(source: ScenarioLike, *, strict: bool = False, base_dir: PathLike = ".") -> Scenario:
    """Loads one scenario from a file path, a shipped scenario's name (``"baseline"``) or a
    dict in the scenario-file format (relative paths in it resolve against ``base_dir``).

    Raises :class:`gapcast.ScenarioError` listing every problem with its location.
    """
    if isinstance(source, Scenario):
        return source
    if isinstance(source, Mapping):
        return Scenario.from_dict(source, base_dir=base_dir, strict=strict)
    return load_all([source], strict=strict)[0]
