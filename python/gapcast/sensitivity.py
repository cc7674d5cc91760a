"""Global sensitivity analysis from Python: :func:`sensitivity` and :class:`Sensitivity`.

Which uncertain parameters drive the training gap in 2030, or how much an embargo adds to the
gap? :func:`sensitivity` runs the engine's analysis (Sobol' indices on a Saltelli design,
Morris elementary effects, or PAWN on the ordinary correlated sample; docs/sensitivity.md) and
returns a :class:`Sensitivity`: an xarray Dataset of indices (scenario x metric x date x
statistic x parameter), a pandas view like SALib's ``to_df()``, the leading drivers of any
output, plots, and the same files as ``gapcast sensitivity --out``.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from . import _core
from ._atomic_dir import check_target, replacing
from .distributed import sensitivity_on_client
from .errors import GapcastWarning
from .run import _as_list, _inputs, _load, _progress_callback
from .scenario import ScenarioLike, load

if TYPE_CHECKING:
    import xarray as xr
    from matplotlib.axes import Axes

__all__ = ["Sensitivity", "sensitivity"]

_MARKER = "manifest.json"


class Sensitivity:
    """The result of :func:`sensitivity` (or :meth:`read` of a ``gapcast sensitivity --out``
    directory).

    Attributes: ``method``, ``parameters`` (the factors), ``groups`` (what the indices are
    per: the factors, or the named groups), ``statistics`` (e.g. S1, S1_conf, ST, ST_conf),
    ``scenarios``, ``outputs`` ("metric@YYYY-MM" or a scalar metric), ``evaluations`` (model
    runs per scenario), ``warnings``, ``record`` (sensitivity.json as a dict). With
    ``keep_values=True``: ``inputs`` and ``values``, the evaluated points and outputs."""

    def __init__(self, record: dict[str, Any], files: Mapping[str, bytes] | None = None,
                 inputs: list[np.ndarray] | None = None,
                 values: list[dict[str, np.ndarray]] | None = None):
        self.record = record
        self._files = dict(files or {})
        self.method: str = record["method"]
        self.parameters: list[str] = record["parameters"]
        self.groups: list[str] = record["groups"]
        self.statistics: list[str] = record["statistics"]
        self.scenarios: list[str] = record["scenarios"]
        self.outputs: list[str] = record["outputs"]
        self.evaluations: int = record["evaluations"]
        self.warnings: list[str] = record["warnings"]
        self.inputs = inputs
        self.values = values

    def __repr__(self) -> str:
        return (f"<Sensitivity {self.method}: {len(self.groups)} factors, "
                f"{len(self.scenarios)} scenario(s), {len(self.outputs)} outputs, "
                f"{self.evaluations} evaluations per scenario>")

    # -- tables ------------------------------------------------------------------------
    def to_df(self) -> pd.DataFrame:
        """One row per (scenario, output, parameter), one column per statistic, plus
        ``transform`` and ``defined`` (SALib's ``to_df()``, for every output at once)."""
        rows = []
        for entry in self.record["indices"]:
            for g, group in enumerate(self.groups):
                row = {"scenario": entry["scenario"], "output": entry["output"],
                       "parameter": group, "transform": entry["transform"],
                       "defined": entry["defined"]}
                for stat in self.statistics:
                    v = entry["values"][stat][g]
                    row[stat] = np.nan if v is None else float(v)
                rows.append(row)
        return pd.DataFrame(rows).set_index(["scenario", "output", "parameter"])

    def table(self, output: str, scenario: str | None = None) -> pd.DataFrame:
        """Every factor's statistics for one output, in factor order (one row per factor)."""
        scenario = self._scenario(scenario)
        if output not in self.outputs:
            raise KeyError(f"no output {output!r}; outputs: {', '.join(self.outputs)}")
        df = self.to_df()
        keep = ((df.index.get_level_values("scenario") == scenario)
                & (df.index.get_level_values("output") == output))
        return df[keep].droplevel(["scenario", "output"])

    def top(self, output: str, scenario: str | None = None, n: int = 5,
            by: str | None = None) -> pd.DataFrame:
        """The ``n`` leading drivers of ``output`` (default ranking: ST for Sobol', mu_star
        for Morris, mean for PAWN), with every statistic."""
        frame = self.table(output, scenario)
        by = by or {"sobol": "ST", "morris": "mu_star", "pawn": "mean"}[self.method]
        if by not in self.statistics:
            raise KeyError(f"no statistic {by!r}; statistics: {', '.join(self.statistics)}")
        return frame.sort_values(by, ascending=False, na_position="last").head(n)

    def _scenario(self, scenario: str | None) -> str:
        if scenario is None:
            if len(self.scenarios) != 1:
                raise ValueError(f"say which scenario: {', '.join(self.scenarios)}")
            return self.scenarios[0]
        if scenario not in self.scenarios:
            raise KeyError(f"no scenario {scenario!r}; scenarios: {', '.join(self.scenarios)}")
        return scenario

    def to_xarray(self) -> xr.Dataset:
        """Dataset with ``indices`` (scenario x metric x date x statistic x parameter) for the
        time-series outputs and ``scalar_indices`` (scenario x scalar_metric x statistic x
        parameter) for the scalars; ``transform`` says which outputs were analysed as log10."""
        import xarray as xr

        series = [o for o in self.outputs if "@" in o]
        scalars = [o for o in self.outputs if "@" not in o]
        metrics = list(dict.fromkeys(o.split("@")[0] for o in series))
        dates = sorted({o.split("@")[1] for o in series})
        shape = (len(self.scenarios), len(metrics), len(dates), len(self.statistics),
                 len(self.groups))
        data = np.full(shape, np.nan)
        transform = np.full(shape[:3], "", dtype=object)
        scalar_data = np.full((len(self.scenarios), len(scalars), len(self.statistics),
                               len(self.groups)), np.nan)
        for entry in self.record["indices"]:
            s = self.scenarios.index(entry["scenario"])
            block = np.array([[np.nan if v is None else v for v in entry["values"][stat]]
                              for stat in self.statistics], dtype=float)
            if "@" in entry["output"]:
                metric, date = entry["output"].split("@")
                i, j = metrics.index(metric), dates.index(date)
                data[s, i, j] = block
                transform[s, i, j] = entry["transform"]
            else:
                scalar_data[s, scalars.index(entry["output"])] = block
        ds = xr.Dataset(
            {"indices": (("scenario", "metric", "date", "statistic", "parameter"), data),
             "transform": (("scenario", "metric", "date"), transform.astype(str)),
             "scalar_indices": (("scenario", "scalar_metric", "statistic", "parameter"),
                                scalar_data)},
            coords={"scenario": self.scenarios, "metric": metrics, "date": dates,
                    "scalar_metric": scalars, "statistic": self.statistics,
                    "parameter": self.groups})
        ds.attrs.update({"method": self.method, "evaluations": self.evaluations,
                         "warnings": "\n".join(self.warnings)})
        return ds

    # -- plots -------------------------------------------------------------------------
    def plot_bars(self, output: str, scenario: str | None = None, n: int = 10,
                  ax: Axes | None = None) -> Axes:
        """Bars of the leading drivers of one output with their intervals."""
        from .sensitivity_plots import bars_chart
        return bars_chart(self, output, self._scenario(scenario), n, ax)

    def plot_over_time(self, metric: str, scenario: str | None = None,
                       statistic: str | None = None, n: int = 6, ax: Axes | None = None,
                       **style: Any) -> Axes:
        """How the drivers of a metric change over the months analysed (stacked areas);
        ``style``: ``date_style``, ``legend`` (gapcast.sensitivity_plots.over_time_chart)."""
        from .sensitivity_plots import over_time_chart
        return over_time_chart(self, metric, self._scenario(scenario), statistic, n, ax, **style)

    def plot_morris(self, output: str, scenario: str | None = None,
                    ax: Axes | None = None, **style: Any) -> Axes:
        """Morris mu* against sigma: effect size against non-linearity and interactions;
        ``style``: ``labels``, ``reference`` (gapcast.sensitivity_plots.morris_chart)."""
        from .sensitivity_plots import morris_chart
        return morris_chart(self, output, self._scenario(scenario), ax, **style)

    # -- files -------------------------------------------------------------------------
    def write(self, out_dir: str | os.PathLike[str]) -> Path:
        """Writes sensitivity.json, sensitivity.csv, assumptions.json and manifest.json, the
        same bytes as ``gapcast sensitivity --out`` (the manifest records this call), replaced
        whole and atomically."""
        if not self._files:
            raise ValueError("this result was read from files; copy the directory instead")
        target = check_target(out_dir, marker=_MARKER, what="gapcast sensitivity")
        with replacing(target, marker=_MARKER, what="gapcast sensitivity") as staging:
            for name, content in self._files.items():
                (staging / name).write_bytes(content)
        return target

    @classmethod
    def read(cls, directory: str | os.PathLike[str]) -> Sensitivity:
        """Reads a ``gapcast sensitivity --out`` directory."""
        path = Path(directory) / "sensitivity.json"
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ValueError(f"{path}: not a readable sensitivity result ({error})") from None
        if record.get("format") != "gapcast-sensitivity":
            raise ValueError(f"{path}: not a gapcast sensitivity result")
        return cls(record)


def _progress(progress: Any) -> tuple[Any, Any]:
    """The engine's progress callback; a bar learns its total (the design's rows) from the
    first report."""
    callback, bar = _progress_callback(progress, 0)
    if bar is None:
        return callback, bar

    def update(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        callback(done, total)

    return update, bar


def _groups_json(groups: Mapping[str, Iterable[str]] | None) -> list[dict[str, Any]]:
    if groups is None:
        return []
    if not isinstance(groups, Mapping):
        raise TypeError("groups must map each group's name to its parameters' names")
    return [{"name": str(k), "members": [str(m) for m in v]} for k, v in groups.items()]


def sensitivity(
    scenarios: ScenarioLike | Iterable[ScenarioLike],
    *,
    method: str = "sobol",
    samples: int = 1024,
    second_order: bool = False,
    parameters: Sequence[str] | None = None,
    groups: Mapping[str, Iterable[str]] | None = None,
    metrics: Sequence[str] | None = None,
    dates: Sequence[str] | None = None,
    levels: int = 4,
    slices: int = 10,
    resamples: int = 200,
    confidence: float = 0.95,
    seed: int = 20260101,
    threads: int = 0,
    horizon: str = "2035-12",
    baseline: ScenarioLike | None = None,
    progress: Any = True,
    keep_values: bool = False,
    client: Any = None,
    shards: int | None = None,
) -> Sensitivity:
    """Which uncertain parameters drive each output (``gapcast sensitivity``).

    Args:
        scenarios: scenarios as for :func:`gapcast.run`; each is analysed at the same points.
        method: "sobol" (first-order and total indices; ``samples`` = N base rows, a power of
            two; N (G + 2) model runs), "morris" (mu*, sigma; ``samples`` = trajectories;
            r (G + 1) runs) or "pawn" (given-data indices on the ordinary, correlated sample;
            ``samples`` = Monte Carlo samples).
        second_order: Sobol' second-order indices too (N (2G + 2) runs).
        parameters: the factors (default: every uncertain parameter of the worlds).
        groups: {name: [parameters]} analysed as one factor each; a factor in no group stays
            a factor of its own, one in two groups is an error.
        metrics, dates: the outputs (metric names, scalar metrics such as
            "threshold_month" among them; months "YYYY-MM"); default: headline metrics every
            December and every scalar metric.
        levels, slices: Morris grid levels; PAWN slices.
        resamples, confidence: bootstrap intervals.
        seed, threads, horizon, baseline: as for :func:`gapcast.run`.
        keep_values: keep the evaluated inputs and outputs (``.inputs``, ``.values``), e.g.
            to check the indices with SALib.
        client, shards: a ``dask.distributed.Client``: the design's model evaluations run as
            ``shards`` tasks on the cluster (default two per worker thread) and are analysed
            here; the indices and files are identical to the analysis made here
            (docs/distributed.md).

    Raises ValueError (or TypeError) for a bad option, naming it: an unknown parameter, a
    parameter in two groups, N not a power of two (with the next one), an unknown metric or
    month."""
    loaded = _load(_as_list(scenarios))
    if not loaded:
        raise ValueError("no scenarios to analyse")
    base = load(baseline) if baseline is not None else None
    options: dict[str, Any] = {"seed": seed, "threads": threads, "horizon": horizon}
    if metrics is not None:
        options["ensemble_metrics"] = [metrics] if isinstance(metrics, str) else list(metrics)
    if dates is not None:
        options["ensemble_dates"] = [dates] if isinstance(dates, str) else list(dates)
    analysis = {"method": method, "samples": samples, "second_order": second_order,
                "parameters": [] if parameters is None else list(parameters),
                "groups": _groups_json(groups), "levels": levels, "slices": slices,
                "resamples": resamples, "confidence": confidence}
    args = ", ".join(f"{k}={v!r}" for k, v in {**analysis, **options}.items()
                     if v not in ([], None))
    names = repr([str(s.path) if s.path is not None else s.label for s in loaded])
    command = ["python", "-c", f"import gapcast; gapcast.sensitivity({names}, {args})"]
    if client is not None or shards is not None:
        if client is None:
            raise ValueError("shards= says how many shards to run on a cluster: give client= "
                             "too")
        payload = sensitivity_on_client(
            client, loaded, base, options, analysis, command=command,
            inputs=_inputs(loaded, base), keep_values=keep_values, shards=shards,
            progress=progress)
        return _finish(payload, stacklevel=3)
    callback, bar = _progress(progress)
    try:
        payload = _core.run_sensitivity(
            [s._core for s in loaded], options, analysis,
            baseline=base._core if base is not None else None, progress=callback,
            command=command, inputs=_inputs(loaded, base), keep_values=keep_values)
    finally:
        if bar is not None:
            bar.close()
    return _finish(payload, stacklevel=3)


def _finish(payload: dict[str, Any], stacklevel: int) -> Sensitivity:
    """The Sensitivity of an engine payload, its warnings issued to the caller."""
    files = payload["files"]
    record = json.loads(files["sensitivity.json"])
    result = Sensitivity(record, files, payload.get("inputs"), payload.get("values"))
    for message in result.warnings:
        warnings.warn(message, GapcastWarning, stacklevel=stacklevel)
    return result
