"""Results of a run: NumPy arrays, an xarray Dataset, pandas DataFrames and the result files.

One class for both places results live: a run just made in this process
(:func:`gapcast.run`), and a results directory written earlier by ``gapcast run --out`` or
:meth:`Results.write` (:meth:`Results.read`). Plots, tables and reports take a Results and
need not know which.

The statistics of a run arrive from the engine as NumPy arrays that own the engine's buffers
(nothing is copied on the way out), and every view below (xarray, pandas, per-metric slices)
shares that memory. The arrays are read-only: a Results object is the record of one run, and
:meth:`Results.write` must produce the same files as the ``gapcast`` command would have.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import os
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from . import _core
from ._repr import results_html
from ._results_dir import read_results_dir
from .provenance import Provenance
from .shards import Shard, merge_payload

__all__ = ["Results"]

#: Order of the counters in the *_counts arrays.
COUNTS = ("finite", "infinite", "undefined")


def _readonly(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


def _per_scenario_parameters(payload: dict[str, Any]) -> None:
    """Results pickled by an earlier gapcast kept the drawn parameters of the first
    scenario's world only, as (sample, parameter): they become (sample, scenario, parameter),
    the same values for every scenario of that world and NaN for the others."""
    raw = payload["raw"]
    values = np.asarray(raw["parameters"])
    if values.ndim != 2:
        return
    worlds = [s["world_fingerprint"] for s in payload["scenarios"]]
    out = np.full((values.shape[0], len(worlds), values.shape[1]), np.nan)
    for s, world in enumerate(worlds):
        if world == worlds[0]:
            out[:, s, :] = values
    raw["parameters"] = out


class Results:
    """The outcome of :func:`gapcast.run`.

    Arrays (C-ordered, read-only, no copies):

    - ``series[scenario, metric, date, stat]``: statistic ``stat`` (``stats[0]`` is the mean,
      then the requested quantiles) of each time-series metric in each output month;
    - ``scalars[scenario, scalar_metric, stat]``: event months and delays;
    - ``series_counts`` / ``scalar_counts``: ``[..., 3]`` counts of samples that were finite,
      infinite (e.g. beyond the horizon) and undefined behind each statistic.

    A statistic that does not exist is +inf for "beyond the horizon" and NaN for "undefined".
    Views: :meth:`to_xarray`, :meth:`metric`, :meth:`series_frame`, :meth:`scalars_frame`;
    per-sample values (runs with ``keep_raw=True``): :meth:`raw_dataset`. Files:
    :meth:`write`, and :meth:`read` for a results directory. Results pickle (for
    multiprocessing or dask) and display as HTML in notebooks.
    """

    def __init__(self, payload: dict[str, Any], *, source: Path | None = None,
                 results_sha256: str | None = None) -> None:
        # `payload` is what gapcast._core.run returns (see _core.pyi); Results is a view of it.
        # Results read from a directory also know where from, and the digest of the
        # results.json they were read from (their provenance names it).
        self._payload = payload
        self._source = source
        self._results_sha256 = results_sha256

    @classmethod
    def read(cls, directory: str | os.PathLike[str]) -> Results:
        """Reads a results directory written by ``gapcast run/compare --out`` or
        :meth:`write`.

        Only the files that manifest.json lists are read (results.json, and assumptions.json
        and samples.csv when listed), each checked against the SHA-256 the manifest records,
        so a file left from another run is never mixed in. Every value is checked before it
        is used.

        What the files do not record is missing from the result: ``series_counts`` are
        zeros, ``raw_parameters()`` has no columns when samples.csv predates the drawn
        parameters, scenario descriptions are empty, and a
        non-finite statistic is NaN whether it was beyond the horizon or undefined (the
        scalar counts say which). Reading a directory and writing it again gives the same
        results.json, series.csv, scalars.csv, assumptions.json and samples.csv.

        Raises:
            gapcast.ResultsFileError: a file is missing, not a regular file, not what the
                manifest lists, of an unknown ``format_version``, or of the wrong shape (the
                message names the file and the JSON pointer of the value).
        """
        found = read_results_dir(directory)
        payload = found.payload
        for key in ("series", "scalars", "series_counts", "scalar_counts"):
            _readonly(payload[key])
        if payload["raw"] is not None:
            for key in ("series", "scalars", "parameters"):
                _readonly(payload["raw"][key])
        return cls(payload, source=found.directory, results_sha256=found.results_sha256)

    @classmethod
    def merge(cls, shards: Sequence[Shard | bytes | str | os.PathLike[str]]) -> Results:
        """Joins the shards of one run into its results: bit-identical to the same run made in
        one piece (same statistics, same result files), whatever the number of shards, the
        machines and thread counts that made them, and the order they are given in.

        Args:
            shards: :class:`Shard` objects (``gapcast.run(..., shard=(start, stop))``), their
                bytes, or paths of shard files (``gapcast run --shard START:STOP
                --out-shard F``).

        Raises:
            ValueError: a shard is malformed or altered (its checksum), the shards are of
                different runs (the message names what differs: engine, an option, a
                scenario), or their ranges overlap or leave samples out.
        """
        payload = merge_payload(shards)
        for key in ("series", "scalars", "series_counts", "scalar_counts"):
            _readonly(payload[key])
        return cls(payload)

    @property
    def source(self) -> Path | None:
        """The results directory these results were read from (None for a run made in this
        process)."""
        return self._source

    # ---- description of the run ---------------------------------------------------------

    @property
    def scenarios(self) -> list[str]:
        """Scenario names, in run order (the ``scenario`` axis)."""
        return [s["name"] for s in self._payload["scenarios"]]

    @property
    def scenario_info(self) -> list[dict[str, Any]]:
        """Per scenario: title, world and policy names, fingerprints and source files."""
        return copy.deepcopy(self._payload["scenarios"])

    @property
    def metrics(self) -> list[str]:
        """Time-series metric names (the ``metric`` axis)."""
        return [m["name"] for m in self._payload["metrics"]]

    @property
    def scalar_metrics(self) -> list[str]:
        """Scalar metric names (the ``scalar_metric`` axis)."""
        return [m["name"] for m in self._payload["scalar_metrics"]]

    def metric_info(self, name: str) -> dict[str, str]:
        """Unit, description, kind ("distribution" or "probability") and the counterfactual
        a paired metric is compared with ("", "no_controls" or "baseline")."""
        for m in self._payload["metrics"] + self._payload["scalar_metrics"]:
            if m["name"] == name:
                return dict(m)
        raise KeyError(f"no metric named {name!r}; metrics: {', '.join(self.metrics)}; "
                       f"scalar metrics: {', '.join(self.scalar_metrics)}")

    @property
    def date_labels(self) -> list[str]:
        """Output months as ``"YYYY-MM"``."""
        return list(self._payload["dates"])

    @cached_property
    def dates(self) -> pd.DatetimeIndex:
        """Output months as timestamps (first day of each month)."""
        return pd.DatetimeIndex(pd.to_datetime(self._payload["dates"], format="%Y-%m"),
                                name="date")

    @property
    def quantiles(self) -> tuple[float, ...]:
        """Requested quantile levels, in (0, 1)."""
        return tuple(self._payload["quantiles"])

    @property
    def stats(self) -> list[str]:
        """Labels of the ``stat`` axis: ``"mean"``, then ``"p5"``, ``"p25"``, ... as in the
        result files."""
        return ["mean"] + ["p" + _core.format_number(q * 100.0) for q in self.quantiles]

    @property
    def info(self) -> dict[str, Any]:
        """Run settings and provenance: engine version and commit, seed, samples, threads,
        start, horizon, solver settings, wall time, ..."""
        return copy.deepcopy(self._payload["info"])

    @property
    def manifest(self) -> dict[str, Any]:
        """The run manifest as written to manifest.json (without the result-file digests,
        which only exist once files are written)."""
        return copy.deepcopy(self._payload["manifest"])

    @property
    def seed(self) -> int:
        return int(self._payload["info"]["seed"])

    @property
    def samples(self) -> int:
        return int(self._payload["info"]["samples"])

    @property
    def observations(self) -> list[dict[str, Any]]:
        """The observations that conditioned this run (docs/conditioning.md); [] if none."""
        return copy.deepcopy(self._payload["info"]["options"].get("observations", []))

    @property
    def effective_sample_size(self) -> float:
        """(sum of weights)^2 / sum of squared weights for a run conditioned on observations,
        the number of equally weighted samples its statistics are worth; NaN otherwise."""
        return float(self._payload["info"].get("effective_sample_size", float("nan")))

    @cached_property
    def provenance(self) -> Provenance:
        """What identifies these numbers (engine version and commit, seed, samples, scenario
        fingerprints, SHA-256 of results.json): the caption of every report figure and table.
        For a run made in this process, the digest is that of the results.json
        :meth:`write` would write."""
        payload = self._payload
        info = payload["info"]
        digest = self._results_sha256
        if digest is None:
            digest = hashlib.sha256(self.results_json().encode("utf-8")).hexdigest()
        return Provenance(
            engine_version=str(info["engine_version"]),
            git_commit=str(info["git_commit"]),
            seed=int(info["seed"]),
            samples=int(info["samples"]),
            central=bool(info["central"]),
            scenarios=tuple((s["name"], s["fingerprint"]) for s in payload["scenarios"]),
            results_sha256=digest,
            rerun=str(payload.get("manifest", {}).get("rerun", "")),
        )

    @cached_property
    def assumptions(self) -> dict[str, Any] | None:
        """The assumptions appendix (assumptions.json: every world parameter with its
        distribution and source, and every policy), or None when the results have none."""
        text = self._payload.get("assumptions_json") or ""
        return json.loads(text) if text else None

    # ---- arrays -------------------------------------------------------------------------

    @property
    def series(self) -> np.ndarray:
        """``[scenario, metric, date, stat]`` float64, read-only, owned by the engine buffer."""
        return self._payload["series"]

    @property
    def scalars(self) -> np.ndarray:
        """``[scenario, scalar_metric, stat]`` float64, read-only."""
        return self._payload["scalars"]

    @property
    def series_counts(self) -> np.ndarray:
        """``[scenario, metric, date, 3]`` uint64: finite, infinite, undefined samples (zeros
        for results read from a directory: results.json does not record them)."""
        return self._payload["series_counts"]

    @property
    def scalar_counts(self) -> np.ndarray:
        """``[scenario, scalar_metric, 3]`` uint64: finite, infinite, undefined samples."""
        return self._payload["scalar_counts"]

    @property
    def has_raw(self) -> bool:
        """True when the run kept per-sample values (``keep_raw=True``)."""
        return self._payload["raw"] is not None

    # ---- one statistic, one scenario ------------------------------------------------------

    def stat_index(self, q: float) -> int:
        """Position on the ``stat`` axis of quantile level ``q`` (``0.5`` -> the median);
        ValueError if the run did not ask for that level."""
        for i, level in enumerate(self.quantiles):
            if abs(level - q) < 1e-12:
                return i + 1
        raise ValueError(
            f"these results have no {q:g} quantile (they have "
            f"{', '.join(f'{x:g}' for x in self.quantiles)}); run with quantiles including "
            f"{q:g}")

    def timeseries(self, scenario: str, metric: str, stat: str | float = 0.5) -> np.ndarray:
        """One statistic of a time-series metric over the output months (a read-only view):
        ``stat`` is a label of :attr:`stats` ("mean", "p50", ...), a quantile level (0.5),
        or "probability" (a probability metric's value, stored as its mean)."""
        s = self._index(self.scenarios, scenario, "scenario")
        m = self._index(self.metrics, metric, "time-series metric")
        if isinstance(stat, str):
            k = 0 if stat == "probability" else self._index(self.stats, stat, "statistic")
        else:
            k = self.stat_index(float(stat))
        return self.series[s, m, :, k]

    def effect_scenarios(self, metric: str, scenarios: Sequence[str] | None = None) -> list[str]:
        """The scenarios (of ``scenarios``, default all, in that order) for which a metric
        says something: a paired metric leaves out the reference itself (its effect is zero
        by construction) and scenarios without a single finite statistic (``*_vs_baseline``
        in a run without a baseline); a scalar metric also those whose every sample is
        undefined."""
        reference = self.metric_info(metric)["compared_with"]
        baseline = self.info["baseline_policy"]
        policies = {s["name"]: s["policy"] for s in self._payload["scenarios"]}
        scalar = metric in self.scalar_metrics
        k = (self.scalar_metrics if scalar else self.metrics).index(metric)
        out = []
        for name in self.scenarios if scenarios is None else scenarios:
            s = self._index(self.scenarios, name, "scenario")
            policy = policies[name]
            if reference == "baseline" and policy == baseline:
                continue
            if reference == "no_controls" and policy == "no_controls":
                continue
            if scalar:
                finite, beyond, _ = (int(c) for c in self.scalar_counts[s, k])
                if finite + beyond == 0:
                    continue
            elif not np.isfinite(self.series[s, k]).any():
                continue
            out.append(name)
        return out

    def sample_values(self, scenario: str, metric: str, date: str | None = None
                      ) -> np.ndarray | None:
        """Per-sample values of a metric for one scenario (a read-only view): a scalar
        metric, or a time-series metric at ``date`` ("YYYY-MM"). None when the run kept no
        raw values or not at that month. Non-finite values read from samples.csv are NaN."""
        raw = self._payload["raw"]
        if raw is None:
            return None
        s = self._index(self.scenarios, scenario, "scenario")
        if metric in self.scalar_metrics:
            return raw["scalars"][:, s, self.scalar_metrics.index(metric)]
        m = self._index(self.metrics, metric, "metric")
        raw_dates = [self.date_labels[i] for i in raw["date_indices"]]
        if date not in raw_dates:
            return None
        return raw["series"][:, s, m, raw_dates.index(date)]

    # ---- xarray -------------------------------------------------------------------------

    @cached_property
    def _dataset(self) -> xr.Dataset:
        metrics = self._payload["metrics"]
        scalar_metrics = self._payload["scalar_metrics"]
        scenarios = self._payload["scenarios"]
        info = self._payload["info"]
        coords = {
            "scenario": self.scenarios,
            "scenario_title": ("scenario", [s["title"] for s in scenarios]),
            "metric": self.metrics,
            "metric_unit": ("metric", [m["unit"] for m in metrics]),
            "metric_kind": ("metric", [m["kind"] for m in metrics]),
            "metric_compared_with": ("metric", [m["compared_with"] for m in metrics]),
            "date": self.dates,
            "stat": self.stats,
            "quantile": ("stat", [np.nan, *self.quantiles]),
            "scalar_metric": self.scalar_metrics,
            "scalar_unit": ("scalar_metric", [m["unit"] for m in scalar_metrics]),
            "count": list(COUNTS),
        }
        attrs = {
            "engine_version": info["engine_version"],
            "git_commit": info["git_commit"],
            "seed": int(info["seed"]),
            "samples": int(info["samples"]),
            "threads": int(info["threads"]),
            "central": int(info["central"]),
            "start": info["start"],
            "horizon": info["horizon"],
            "threshold_multiple": float(info["threshold_multiple"]),
            "baseline_policy": info["baseline_policy"],
            "quantile_accuracy": float(info["quantile_accuracy"]),
        }
        return xr.Dataset(
            {
                "series": (("scenario", "metric", "date", "stat"), self.series,
                           {"long_name": "statistics over samples of each time-series metric"}),
                "series_counts": (("scenario", "metric", "date", "count"), self.series_counts,
                                  {"long_name": "samples behind each statistic"}),
                "scalars": (("scenario", "scalar_metric", "stat"), self.scalars,
                            {"long_name": "statistics over samples of each scalar metric"}),
                "scalar_counts": (("scenario", "scalar_metric", "count"), self.scalar_counts,
                                  {"long_name": "samples behind each statistic"}),
            },
            coords=coords,
            attrs=attrs,
        )

    def to_xarray(self) -> xr.Dataset:
        """The statistics as an :class:`xarray.Dataset` sharing memory with the engine buffers.

        Variables: ``series`` (scenario, metric, date, stat), ``scalars`` (scenario,
        scalar_metric, stat) and their ``*_counts`` (..., count). Coordinates carry units
        (``metric_unit``, ``scalar_unit``) and quantile levels (``quantile``, NaN for the
        mean); attributes carry the run's seed, sample count and engine version.
        """
        return self._dataset.copy(deep=False)

    def metric(self, name: str) -> xr.DataArray:
        """One time-series metric as a DataArray (scenario, date, stat) with its unit and
        description in ``attrs`` (a view, no copy)."""
        if name not in self.metrics:
            raise KeyError(self._unknown_metric(name, self.metrics))
        info = self.metric_info(name)
        array = self._dataset["series"].sel(metric=name)
        return array.assign_attrs(
            units=info["unit"], long_name=name, description=info["description"]
        )

    def scalar(self, name: str) -> xr.DataArray:
        """One scalar metric as a DataArray (scenario, stat) with its unit in ``attrs``."""
        if name not in self.scalar_metrics:
            raise KeyError(self._unknown_metric(name, self.scalar_metrics))
        info = self.metric_info(name)
        array = self._dataset["scalars"].sel(scalar_metric=name)
        return array.assign_attrs(
            units=info["unit"], long_name=name, description=info["description"]
        )

    def raw_dataset(self) -> xr.Dataset:
        """Per-sample values of a run made with ``keep_raw=True`` (no copies):
        ``series`` (sample, scenario, metric, date) at the raw months, ``scalars`` (sample,
        scenario, scalar_metric) and the drawn ``parameters`` (sample, scenario, parameter):
        every parameter of each scenario's world as the model used it (NaN for a parameter
        that scenario's world does not have), and in a run conditioned on observations each
        sample's ``weight``. Raises ValueError for runs without raw values."""
        raw = self._payload["raw"]
        if raw is None:
            raise ValueError("this run kept no per-sample values; run with keep_raw=True")
        n = raw["scalars"].shape[0]
        dates = self.dates[list(raw["date_indices"])]
        return xr.Dataset(
            {
                "series": (("sample", "scenario", "metric", "date"), raw["series"]),
                "scalars": (("sample", "scenario", "scalar_metric"), raw["scalars"]),
                "parameters": (("sample", "scenario", "parameter"), raw["parameters"]),
                **({"weight": (("sample",), raw["weights"])}
                   if raw.get("weights") is not None else {}),
            },
            coords={
                "sample": np.arange(n),
                "scenario": self.scenarios,
                "metric": self.metrics,
                "date": dates,
                "scalar_metric": self.scalar_metrics,
                "parameter": list(raw["parameter_names"]),
            },
            attrs={"seed": self.seed, "samples": self.samples},
        )

    # ---- pandas -------------------------------------------------------------------------

    def series_frame(self) -> pd.DataFrame:
        """The time series in long form like series.csv: one row per (scenario, metric,
        date), one column per statistic. The values are a view of the engine buffer."""
        s, m, t, k = self.series.shape
        index = pd.MultiIndex.from_product(
            [self.scenarios, self.metrics, self.dates], names=["scenario", "metric", "date"]
        )
        return pd.DataFrame(
            self.series.reshape(s * m * t, k),
            index=index,
            columns=pd.Index(self.stats, name="stat"),
            copy=False,
        )

    def scalars_frame(self) -> pd.DataFrame:
        """The scalar metrics like scalars.csv: one row per (scenario, scalar metric), the
        statistics and the counts of finite, beyond-horizon and undefined samples."""
        s, n, k = self.scalars.shape
        index = pd.MultiIndex.from_product(
            [self.scenarios, self.scalar_metrics], names=["scenario", "scalar_metric"]
        )
        frame = pd.DataFrame(self.scalars.reshape(s * n, k), index=index, columns=self.stats)
        counts = self.scalar_counts.reshape(s * n, 3)
        for j, name in enumerate(("samples_finite", "samples_beyond_horizon",
                                  "samples_undefined")):
            frame[name] = counts[:, j]
        return frame

    def raw_parameters(self, scenario: str | None = None) -> pd.DataFrame:
        """Drawn parameter values of one scenario's world (the first scenario by default),
        one row per sample and one column per parameter, as the model used them: the
        samples.csv columns ``world.<parameter>`` (``keep_raw=True`` runs; a view). Any
        sample can be recomputed from the seed with the recipe of docs/model.md §14."""
        raw = self._payload["raw"]
        if raw is None:
            raise ValueError("this run kept no per-sample values; run with keep_raw=True")
        s = 0 if scenario is None else self._index(self.scenarios, scenario, "scenario")
        return pd.DataFrame(
            raw["parameters"][:, s, :],
            index=pd.RangeIndex(raw["parameters"].shape[0], name="sample"),
            columns=pd.Index(raw["parameter_names"], name="parameter"),
            copy=False,
        )

    # ---- files and tables ---------------------------------------------------------------

    def results_json(self) -> str:
        """The text of results.json, as the command writes it."""
        return _core.results_json(self._payload)

    def series_csv(self) -> str:
        """The text of series.csv."""
        return _core.series_csv(self._payload)

    def scalars_csv(self) -> str:
        """The text of scalars.csv."""
        return _core.scalars_csv(self._payload)

    def samples_csv(self) -> str:
        """The text of samples.csv ("" unless the run kept raw values)."""
        return _core.samples_csv(self._payload)

    def write(self, out_dir: str | os.PathLike[str],
              command: Sequence[str] | None = None) -> list[Path]:
        """Writes results.json, series.csv, scalars.csv, assumptions.json, samples.csv (raw
        runs) and manifest.json into ``out_dir``, all or nothing, with the command's own
        writers: the files are byte-identical to ``gapcast run --out`` for the same scenarios,
        seed and samples (manifest.json differs only in the recorded command, times and thread
        count). ``command`` is recorded in the manifest; by default the call that made the
        run. The manifest also records how the scenarios were given (files, or the documents
        of scenarios made in Python), so ``gapcast reproduce out_dir/manifest.json`` reruns
        the run and checks the files byte for byte."""
        recorded = list(command) if command is not None else self._payload["manifest"]["command"]
        # How the scenarios were given travels with the files, so that `gapcast reproduce
        # out_dir/manifest.json` can rerun a run made from Python.
        inputs = self._payload["manifest"].get("inputs")
        names = _core.write_results(self._payload, Path(out_dir), recorded,
                                    "" if inputs is None else json.dumps(inputs))
        return [Path(out_dir) / name for name in names]

    def summary(self, years: Sequence[int] = ()) -> str:
        """The levels table ``gapcast run`` prints (medians with 90% intervals), at December
        of each of ``years`` or at default report months."""
        return _core.summary_table(self._payload, list(years))

    def comparison(self, years: Sequence[int] = ()) -> str:
        """The policy-effects table ``gapcast compare`` prints."""
        return _core.comparison_table(self._payload, list(years))

    def report_months(self, years: Sequence[int] = ()) -> list[str]:
        """The months the tables show, as ``"YYYY-MM"``."""
        return [self.date_labels[i] for i in _core.report_months(self._payload, list(years))]

    # ---- Python protocol ----------------------------------------------------------------

    def __getstate__(self) -> dict[str, Any]:
        return {"payload": self._payload, "source": self._source,
                "results_sha256": self._results_sha256}

    def __setstate__(self, state: dict[str, Any]) -> None:
        payload = state["payload"]
        self._source = state.get("source")
        self._results_sha256 = state.get("results_sha256")
        if payload.get("format_version") != 1:
            raise ValueError("these results were pickled by a newer gapcast")
        for key in ("series", "scalars", "series_counts", "scalar_counts"):
            _readonly(payload[key])
        if payload["raw"] is not None:
            _per_scenario_parameters(payload)
            for key in ("series", "scalars", "parameters"):
                _readonly(payload["raw"][key])
        self._payload = payload

    def __repr__(self) -> str:
        return (
            f"<gapcast.Results: {len(self.scenarios)} scenario(s) {', '.join(self.scenarios)}; "
            f"{self.samples} samples, seed {self.seed}; {self.date_labels[0]} to "
            f"{self.date_labels[-1]}>"
        )

    def _repr_html_(self) -> str:
        return results_html(self)

    def _index(self, known: Sequence[str], name: str, what: str) -> int:
        try:
            return list(known).index(name)
        except ValueError:
            hint = difflib.get_close_matches(name, known, n=1)
            raise KeyError(f"no {what} named {name!r}"
                           + (f"; did you mean {hint[0]!r}?" if hint else "")) from None

    def _unknown_metric(self, name: str, known: Sequence[str]) -> str:
        hint = difflib.get_close_matches(name, known, n=1)
        return f"no metric named {name!r}" + (f"; did you mean {hint[0]!r}?" if hint else "")
