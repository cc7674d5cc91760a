"""Scenario discovery on a per-sample ensemble: :func:`discover` and :class:`Discovery`.

The question it answers: *in which sampled worlds does a policy fail?* An ensemble written by
``gapcast run/compare --ensemble`` holds, per sampled world, the chosen metrics and every drawn
parameter (docs/ensembles.md). A ``where`` condition (gapcast.where) marks the worlds of
interest, e.g. ``gap_training@2030-12 < 10`` for an embargo that fails to keep the gap above
10x; PRIM (gapcast.prim) then looks for a box of parameter limits in which those worlds are
concentrated, and the chosen box is described in plain words.

Which box: PRIM's peeling trajectory runs from all worlds (coverage 1, low density) to a small
box (high density, low coverage). Unless told otherwise (``box=``), the chosen box is the one
with the highest density among those that keep at least ``min_coverage`` (default 0.5) of the
worlds of interest and restrict at most ``max_dims`` (default 5) parameters, ties going to
fewer restricted parameters: a box that explains most of the cases, can be read in one
sentence, and is as pure as that allows. Restrictions whose quasi-p-value is 0.05 or more are
flagged in the text: removing them would not make the box significantly less dense.

What PRIM sees: every drawn parameter (``world.*``) that varies among the scenario's worlds;
parameters holding only 0 and 1 (Bernoulli draws) are categorical. Worlds are counted
unweighted: for a conditioned ensemble (with a ``weight`` column) a warning says so and the
weighted share of cases is reported beside the unweighted one.

The ensemble is checked before use: its header must say it is a gapcast ensemble, and when a
``manifest.json`` sits beside it and lists it, its SHA-256 must match (a truncated or altered
file is refused).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._atomic_dir import check_target, replacing
from .ensemble import ensemble_info, read_ensemble
from .errors import GapcastWarning, ResultsFileError
from .feature_scores import feature_scores
from .prim import PrimBox, PrimResult, prim
from .where import Condition, WhereError, parse_where

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["Discovery", "discover", "DISCOVERY_MARKER"]

#: The file that makes a directory a discovery result (and so replaceable by the next one).
DISCOVERY_MARKER = "discovery.json"
_FORMAT = "gapcast-discovery"
_PARAMETER_PREFIX = "world."
#: Quasi-p-value at or above which a restriction is called not significant.
SIGNIFICANCE = 0.05
#: A box whose density is below this multiple of the overall share is called weak.
WEAK_LIFT = 1.5


# ----------------------------------------------------------------------------- checking


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_ensemble(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Checks the ensemble's header and, when a manifest beside it lists it, its SHA-256.
    Returns the header (:func:`gapcast.ensemble_info`) with ``sha256`` and ``verified``
    (whether a manifest vouched for the bytes). Raises ResultsFileError."""
    path = Path(path)
    if not path.is_file():
        raise ResultsFileError("no such ensemble file", path)
    info = ensemble_info(path)
    info["sha256"] = _sha256(path)
    info["verified"] = False
    manifest = path.parent / "manifest.json"
    if manifest.is_file():
        try:
            listed = {o["path"]: o["sha256"] for o in
                      json.loads(manifest.read_text(encoding="utf-8")).get("outputs", [])}
        except (ValueError, KeyError, TypeError, AttributeError):
            listed = {}
        expected = listed.get(path.name)
        if expected is not None:
            if expected != info["sha256"]:
                raise ResultsFileError(
                    f"does not match {manifest}: SHA-256 {info['sha256'][:16]}... where the "
                    f"manifest lists {expected[:16]}... (truncated, altered, or from another "
                    f"run)", path)
            info["verified"] = True
    return info


# ----------------------------------------------------------------------------- the result


def _short(name: str) -> str:
    return name[len(_PARAMETER_PREFIX):] if name.startswith(_PARAMETER_PREFIX) else name


def _number(x: float) -> str:
    if x == 0 or not math.isfinite(x):
        return f"{x:g}"
    digits = max(0, 2 - int(math.floor(math.log10(abs(x)))))
    return f"{x:,.{digits}f}" if abs(x) < 1e6 else f"{x:.3g}"


def _percent(x: float) -> str:
    """A share as a percentage, with the digits it takes not to read 0% or 100% when the
    share is neither."""
    digits = 0 if 0.1 <= x <= 0.9 or x in (0.0, 1.0) else 1
    while digits < 6:
        text = f"{100 * x:.{digits}f}"
        if float(text) not in (0.0, 100.0) or x in (0.0, 1.0):
            break
        digits += 1
    return text + "%"


class Discovery:
    """Scenario discovery on one scenario of an ensemble (see :func:`discover`).

    Attributes: ``where`` (the condition's text), ``scenario``, ``worlds`` (worlds searched),
    ``cases`` (worlds satisfying the condition), ``share`` (cases / worlds),
    ``weighted_share`` (with the ensemble's weights; None when unweighted), ``prim`` (the
    :class:`gapcast.PrimResult`), ``trajectory`` (DataFrame: coverage, density, mass, res_dim,
    n, k, phase per box), ``ranges`` (min and max of each input over the worlds), ``ensemble``
    (the file's header, SHA-256 and path) and ``settings`` (PRIM's options)."""

    def __init__(self, *, where: str, scenario: str, inputs: pd.DataFrame, cases: np.ndarray,
                 weights: np.ndarray | None, result: PrimResult, chosen: int,
                 ensemble: dict[str, Any], settings: dict[str, Any], searched: str = ""):
        self.where = where
        self.searched = searched  # "" for all worlds; else which worlds this search saw
        self.scenario = scenario
        self.worlds = int(cases.shape[0])
        self.cases = int(cases.sum())
        self.share = self.cases / self.worlds
        self.weighted_share = (None if weights is None else
                               float(weights[cases].sum() / weights.sum()))
        self.prim = result
        self.ranges = pd.DataFrame({"min": inputs.min(numeric_only=False),
                                    "max": inputs.max(numeric_only=False)})
        self.ranges.index.name = "name"
        self.ensemble = ensemble
        self.settings = settings
        self._weights = weights
        result.select(chosen)

    @property
    def trajectory(self) -> pd.DataFrame:
        return self.prim.trajectory

    @property
    def chosen(self) -> int:
        """Index of the chosen box on the trajectory."""
        return self.prim.selected

    def select(self, i: int) -> PrimBox:
        """Choose box ``i`` of the trajectory (the text, plots and files follow)."""
        return self.prim.select(i)

    @property
    def box(self) -> PrimBox:
        """The chosen box: limits, quasi-p-values, coverage, density, mass."""
        return self.prim.box()

    def next_box(self) -> Discovery:
        """PRIM again on the worlds outside the chosen box (EMA Workbench's next
        ``find_box``): a second region where the condition holds, among the cases the first
        box left out. The smallest box keeps the same number of worlds as before. Raises
        ValueError when no case, or no other world, is left outside."""
        engine = self.prim._engine
        outside = ~self.box.inside
        y = engine.y[outside]
        if not y.any():
            raise ValueError("every world of interest is inside the chosen box: there is no "
                             "second box to find")
        if y.all():
            raise ValueError("outside the chosen box every world is of interest: there is "
                             "nothing to tell apart")
        x = engine.x[outside].reset_index(drop=True)
        remaining = int(outside.sum())
        s = self.settings
        mass_min = min(0.99, s["mass_min"] * engine.n / remaining)
        result = prim(x, y, peel_alpha=s["peel_alpha"], paste_alpha=s["paste_alpha"],
                      mass_min=mass_min, objective=s["objective"])
        chosen = _choose_box(result.trajectory, "auto", s["min_coverage"], s["max_dims"])
        weights = None if self._weights is None else self._weights[outside]
        searched = (f"the {remaining:,} worlds outside box {self.box.index}"
                    + (f" of {self.searched}" if self.searched else ""))
        return Discovery(where=self.where, scenario=self.scenario, inputs=x, cases=y,
                         weights=weights, result=result, chosen=chosen, ensemble=self.ensemble,
                         settings={**s, "box": "auto", "mass_min_remaining": mass_min},
                         searched=searched)

    # -- words ----------------------------------------------------------------------------
    def limit_texts(self, box: PrimBox | None = None) -> list[str]:
        """Each restriction of the box in words, e.g. ``target_lag_months < 4.2``, most
        significant (smallest quasi-p-value) first."""
        box = self.box if box is None else box
        rows = []
        for name, lim in box.limits.items():
            qp = box.qp[name]
            short = _short(name)
            if isinstance(lim, frozenset):
                allowed = sorted(lim, key=repr)
                text = (f"{short} = {allowed[0]}" if len(allowed) == 1
                        else f"{short} in {{{', '.join(map(str, allowed))}}}")
                p = float(qp)
            else:
                lo_qp, hi_qp = qp
                if math.isnan(lo_qp):
                    text = f"{short} <= {_number(lim[1])}"
                elif math.isnan(hi_qp):
                    text = f"{short} >= {_number(lim[0])}"
                else:
                    text = f"{_number(lim[0])} <= {short} <= {_number(lim[1])}"
                p = float(np.nanmin([lo_qp, hi_qp]))
            if p >= SIGNIFICANCE:
                text += f" (not significant: quasi-p {p:.2g})"
            rows.append((p, text))
        return [text for _, text in sorted(rows, key=lambda r: r[0])]

    def summary(self) -> str:
        """The finding in plain words: how often the condition holds, and the chosen box."""
        box = self.box
        among = f"{self.worlds:,} sampled worlds" if not self.searched else self.searched
        lines = [f"{self.scenario}: \"{self.where}\" holds in {_percent(self.share)} of "
                 f"{among} ({self.cases:,})."]
        if self.weighted_share is not None:
            lines.append(f"  With the ensemble's observation weights: "
                         f"{_percent(self.weighted_share)}.")
        if not box.limits:
            lines.append("  No box: PRIM found no parameter limits that concentrate these "
                         "worlds.")
            return "\n".join(lines)
        limits = self.limit_texts(box)
        lines.append(f"  {_percent(box.coverage)} of them have "
                     f"{' and '.join(limits)}.")
        lines.append(f"  Inside those limits the condition holds in {_percent(box.density)} "
                     f"of worlds (against {_percent(self.share)} overall); the box holds "
                     f"{_percent(box.mass)} of {'these' if self.searched else 'all'} worlds. "
                     f"(Box {box.index} of "
                     f"{len(self.trajectory) - 1} on the peeling trajectory.)")
        if box.density < WEAK_LIFT * self.share:
            lines.append(f"  This box is weak (density under {WEAK_LIFT:g}x the overall "
                         f"share): no few parameter limits concentrate these worlds. The "
                         f"trade-off plot shows what stricter boxes gain; --box picks one.")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        return (f"<Discovery {self.scenario}: {self.where!r}, {self.cases}/{self.worlds} "
                f"worlds, box {self.chosen}>")

    def box_frame(self, box: PrimBox | None = None) -> pd.DataFrame:
        """The chosen box's limits beside each parameter's range, with quasi-p-values."""
        box = self.box if box is None else box
        frame = box.limits_frame()
        frame.index = [_short(n) for n in frame.index]
        frame.index.name = "parameter"
        ranges = self.ranges.rename(index=_short)
        frame.insert(0, "range_min", [ranges.loc[n, "min"] for n in frame.index])
        frame.insert(1, "range_max", [ranges.loc[n, "max"] for n in frame.index])
        # most significant restriction first, as in the text
        order = np.nanmin(frame[["qp_lower", "qp_upper"]].to_numpy(dtype=float), axis=1)
        return frame.iloc[np.argsort(order, kind="stable")]

    def feature_scores(self, trees: int = 100, seed: int = 0) -> pd.DataFrame:
        """Which parameters best separate the worlds of interest from the rest, box or no
        box: extra-trees importances, highest first (gapcast.feature_scores; needs
        scikit-learn)."""
        engine = self.prim._engine
        scores = feature_scores(engine.x, engine.y, trees=trees, seed=seed)
        scores.index = [_short(str(n)) for n in scores.index]
        scores.index.name = "parameter"
        return scores

    # -- plots ----------------------------------------------------------------------------
    def plot_tradeoff(self, ax: Axes | None = None) -> Axes:
        """Coverage against density along the peeling trajectory (see
        :func:`gapcast.discovery_plots.tradeoff_chart`)."""
        from .discovery_plots import tradeoff_chart
        return tradeoff_chart(self, ax=ax)

    def plot_box(self, ax: Axes | None = None) -> Axes:
        """The chosen box's limits against each parameter's range."""
        from .discovery_plots import box_limits_chart
        return box_limits_chart(self, ax=ax)

    def plot(self) -> Figure:
        """Both plots side by side."""
        from .discovery_plots import discovery_chart
        return discovery_chart(self)

    # -- files ----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """Everything the files hold (discovery.json)."""
        box = self.box
        frame = self.box_frame(box)
        return {
            "format": _FORMAT, "format_version": 1,
            "where": self.where, "scenario": self.scenario,
            "ensemble": {k: self.ensemble[k] for k in
                         ("path", "sha256", "verified", "engine_version", "seed", "samples")},
            "settings": self.settings,
            "worlds": self.worlds, "cases": self.cases, "share": self.share,
            "weighted_share": self.weighted_share,
            "chosen_box": {
                "index": box.index, "coverage": box.coverage, "density": box.density,
                "mass": box.mass, "res_dim": box.res_dim, "n": box.n, "k": box.k,
                "limits": [_limit_record(name, row) for name, row in frame.iterrows()],
                "text": self.limit_texts(box)},
            "summary": self.summary(),
            "trajectory": _records(self.trajectory.reset_index()),
        }

    def write(self, out_dir: str | os.PathLike[str]) -> Path:
        """Writes discovery.json, trajectory.csv and box.csv into ``out_dir``, replaced
        whole and atomically (a directory that is not a discovery result is refused)."""
        target = check_target(out_dir, marker=DISCOVERY_MARKER, what="gapcast discover")
        record = self.to_dict()
        with replacing(target, marker=DISCOVERY_MARKER, what="gapcast discover") as staging:
            self.trajectory.to_csv(staging / "trajectory.csv", lineterminator="\n")
            self.box_frame().to_csv(staging / "box.csv", lineterminator="\n")
            (staging / DISCOVERY_MARKER).write_text(
                json.dumps(record, indent=1, allow_nan=False) + "\n", encoding="utf-8",
                newline="\n")
        return target


def _finite_or_none(x: Any) -> Any:
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(x) else None
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _finite_or_none(v) for k, v in row.items()}
            for row in frame.to_dict(orient="records")]


def _limit_record(name: str, row: pd.Series) -> dict[str, Any]:
    out = {"parameter": name}
    for key, value in row.items():
        if isinstance(value, list):
            out[str(key)] = [_finite_or_none(v) for v in value]
        elif value is None:
            out[str(key)] = None
        else:
            out[str(key)] = _finite_or_none(value)
    return out


# ----------------------------------------------------------------------------- entry point


def _choose_scenario(info: dict[str, Any], scenario: str | None) -> str:
    scenarios = info["scenarios"]
    if scenario is None:
        if len(scenarios) == 1:
            return scenarios[0]
        raise ValueError(f"the ensemble holds {len(scenarios)} scenarios "
                         f"({', '.join(scenarios)}): say which one (scenario=...)")
    if scenario not in scenarios:
        raise ValueError(f"the ensemble has no scenario {scenario!r}; it has "
                         f"{', '.join(scenarios)}")
    return scenario


def _input_columns(info: dict[str, Any], inputs: Sequence[str] | None) -> list[str]:
    parameters = [c for c in info["columns"] if c.startswith(_PARAMETER_PREFIX)]
    if inputs is None:
        if not parameters:
            raise ValueError("the ensemble holds no drawn parameters (world.* columns)")
        return parameters
    chosen = []
    for name in inputs:
        full = name if name.startswith(_PARAMETER_PREFIX) else _PARAMETER_PREFIX + name
        if full not in parameters:
            known = ", ".join(_short(p) for p in parameters)
            raise ValueError(f"no drawn parameter {name!r} in the ensemble; parameters: "
                             f"{known}")
        chosen.append(full)
    if not chosen:
        raise ValueError("inputs is empty: name at least one parameter")
    return chosen


def _prepare_inputs(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The columns PRIM searches: constants dropped; 0/1 columns as categories."""
    kept = {}
    for name in columns:
        values = frame[name]
        distinct = values.nunique(dropna=False)
        if distinct < 2:
            continue
        if distinct == 2 and set(np.unique(values.to_numpy())) <= {0.0, 1.0}:
            kept[name] = values.astype(bool)
        else:
            kept[name] = values
    if not kept:
        raise ValueError("no drawn parameter varies among this scenario's worlds: nothing to "
                         "search")
    return pd.DataFrame(kept)


def _choose_box(trajectory: pd.DataFrame, box: int | str, min_coverage: float,
                max_dims: int) -> int:
    if not isinstance(box, str):
        n = len(trajectory)
        if not -n <= int(box) < n:
            raise ValueError(f"box {box} is not on the trajectory (boxes 0 to {n - 1})")
        return int(box) % n
    if box != "auto":
        raise ValueError(f"box must be a box number or 'auto', got {box!r}")
    eligible = trajectory[(trajectory["coverage"] >= min_coverage)
                          & (trajectory["res_dim"] <= max_dims)]
    if eligible.empty:  # pragma: no cover - box 0 has coverage 1
        return 0
    best = eligible.sort_values(["density", "res_dim"], ascending=[False, True],
                                kind="stable")
    return int(best.index[0])


def discover(ensemble: str | os.PathLike[str], where: str, *, scenario: str | None = None,
             inputs: Sequence[str] | None = None, box: int | str = "auto",
             min_coverage: float = 0.5, max_dims: int = 5, peel_alpha: float = 0.05,
             paste_alpha: float = 0.05, mass_min: float = 0.05, objective: str = "lenient1",
             verify: bool = True) -> Discovery:
    """Finds the parameter limits under which ``where`` holds, for one scenario's worlds.

    Args:
        ensemble: a per-sample ensemble (``gapcast compare ... --ensemble --out DIR`` writes
            DIR/ensemble.parquet; ``gapcast.run(..., ensemble=PATH)``).
        where: the condition marking the worlds of interest, e.g.
            ``"gap_training@2030-12 < 10"`` (grammar: :mod:`gapcast.where`).
        scenario: which scenario's worlds (needed when the ensemble holds several).
        inputs: drawn parameters to search (names with or without ``world.``; default all).
        box: the box to report: a number on the trajectory, or "auto" (the densest box that
            keeps ``min_coverage`` of the cases and restricts at most ``max_dims``
            parameters).
        peel_alpha, paste_alpha, mass_min, objective: PRIM's settings (:func:`gapcast.prim`);
            the objective defaults to "lenient1", EMA Workbench's default, whose small
            peels give a smoother trajectory than "original" when a category holds many
            worlds.
        verify: check the file's SHA-256 against a manifest beside it.

    Raises:
        WhereError (a ValueError): the condition does not parse, names an unknown column or
            month, or selects no world or every world.
        ValueError: an unknown scenario or parameter, or bad settings.
        ResultsFileError: the file is not a gapcast ensemble, or does not match its manifest.
    """
    if not 0.0 < min_coverage <= 1.0:
        raise ValueError(f"min_coverage must lie in (0, 1], got {min_coverage}")
    if int(max_dims) < 1:
        raise ValueError(f"max_dims must be at least 1, got {max_dims}")
    info = verify_ensemble(ensemble) if verify else {**ensemble_info(ensemble),
                                                      "sha256": None, "verified": False}
    info["path"] = os.fspath(ensemble)
    condition: Condition = parse_where(where, info["columns"])
    name = _choose_scenario(info, scenario)
    input_names = _input_columns(info, inputs)
    wanted = list(dict.fromkeys([*condition.columns, *input_names]))
    weighted = "weight" in info["columns"]
    frame = read_ensemble(ensemble, columns=wanted + (["weight"] if weighted else []),
                          scenarios=[name])
    cases = condition.evaluate(frame)
    if not cases.any():
        raise WhereError(f"\"{where}\" holds in none of the {len(frame):,} worlds of {name}: "
                         "there is nothing to explain")
    if cases.all():
        raise WhereError(f"\"{where}\" holds in every one of the {len(frame):,} worlds of "
                         f"{name}: there is nothing to tell apart")
    weights = frame["weight"].to_numpy(dtype=float) if weighted else None
    if weights is not None and np.all(weights == weights[0]):
        weights = None
    if weights is not None:
        warnings.warn("the ensemble is weighted by observations; PRIM counts worlds "
                      "unweighted (the weighted share of cases is reported beside)",
                      GapcastWarning, stacklevel=2)
    x = _prepare_inputs(frame, input_names)
    del frame  # the inputs are all PRIM needs from here: at 10^6 worlds this is ~1 GB
    result = prim(x, cases, peel_alpha=peel_alpha, paste_alpha=paste_alpha,
                  mass_min=mass_min, objective=objective)
    settings = {"peel_alpha": peel_alpha, "paste_alpha": paste_alpha, "mass_min": mass_min,
                "objective": objective, "box": box, "min_coverage": min_coverage,
                "max_dims": int(max_dims),
                "inputs": list(x.columns)}
    chosen = _choose_box(result.trajectory, box, min_coverage, max_dims)
    return Discovery(where=where, scenario=name, inputs=x, cases=cases, weights=weights,
                     result=result, chosen=chosen, ensemble=info, settings=settings)
