"""A results directory as the report sees it: statistics, samples, assumptions, provenance.

The report is built from the files a run wrote (``gapcast run --out`` or
:meth:`gapcast.Results.write`), never from a live run, so that a report can be regenerated
later, by someone else, from the directory alone, and comes out byte for byte the same.

Only what identifies the numbers enters a report's provenance: the engine version and commit,
the seed, the sample count, the scenarios' fingerprints and the SHA-256 of results.json. The
manifest's wall time, thread count and creation time do not, so a report drawn from a rerun
(``gapcast reproduce --keep``) is identical to the report drawn from the original.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["Provenance", "ReportData", "ReportInputError", "load_results_dir"]


class ReportInputError(ValueError):
    """The results directory or a report option is unusable (the command exits 2)."""


@dataclass(frozen=True)
class Provenance:
    """Where a report's numbers come from."""

    engine_version: str
    git_commit: str
    seed: int
    samples: int
    central: bool
    scenarios: tuple[tuple[str, str], ...]  # (name, fingerprint) of every scenario of the run
    results_sha256: str
    rerun: str

    @property
    def commit_short(self) -> str:
        """The commit's first ten hex digits, keeping a "-dirty" mark (an uncommitted tree)."""
        commit = self.git_commit
        dirty = commit.endswith("-dirty")
        core = commit[: -len("-dirty")] if dirty else commit
        return core[:10] + ("-dirty" if dirty else "")

    def scenario_hash(self, names: list[str] | tuple[str, ...] | None = None) -> str:
        """A 12-digit hash naming a set of scenarios: SHA-256 over "name fingerprint" lines
        of the scenarios shown, in run order. One short token identifies exactly which
        worlds and policies a figure or table shows; the full fingerprints are in the file's
        metadata and in the HTML page."""
        chosen = [(n, f) for n, f in self.scenarios if names is None or n in names]
        text = "".join(f"{n} {f}\n" for n, f in chosen)
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def samples_text(self) -> str:
        return "central sample" if self.central else f"{self.samples:,} samples"

    def caption(self, names: list[str] | tuple[str, ...] | None = None) -> str:
        """The visible provenance line of a figure or table."""
        return (f"gapcast {self.engine_version} ({self.commit_short}) · seed {self.seed} · "
                f"{self.samples_text()} · scenarios #{self.scenario_hash(names)} · "
                f"results.json #{self.results_sha256[:12]}")

    def caption_lines(self, names: list[str] | tuple[str, ...] | None = None) -> list[str]:
        """The caption in two short lines, for figures at single-column width."""
        return [
            f"gapcast {self.engine_version} ({self.commit_short}) · seed {self.seed} · "
            f"{self.samples_text()}",
            f"scenarios #{self.scenario_hash(names)} · results.json "
            f"#{self.results_sha256[:12]}",
        ]

    def long_text(self, names: list[str] | tuple[str, ...] | None = None) -> str:
        """Everything, for file metadata: versions, seed, samples, every fingerprint shown."""
        shown = [(n, f) for n, f in self.scenarios if names is None or n in names]
        fingerprints = "; ".join(f"{n}={f}" for n, f in shown)
        return (f"gapcast {self.engine_version} commit {self.git_commit}; seed {self.seed}; "
                f"samples {self.samples}{' (central)' if self.central else ''}; "
                f"scenario set #{self.scenario_hash(names)}: {fingerprints}; "
                f"results.json sha256 {self.results_sha256}; rerun: {self.rerun}")


def _array(values: list[Any] | None, n: int) -> np.ndarray:
    # results.json writes every non-finite statistic as null: NaN here, interpreted with the
    # counts (beyond the horizon or undefined) where it matters.
    if values is None:
        return np.full(n, np.nan)
    return np.array([np.nan if v is None else float(v) for v in values], dtype=float)


class ReportData:
    """The contents of one results directory, read once."""

    def __init__(self, directory: Path, results: dict[str, Any], manifest: dict[str, Any],
                 assumptions: dict[str, Any] | None, samples_path: Path | None,
                 results_sha256: str) -> None:
        self.directory = directory
        self.results = results
        self.manifest = manifest
        self.assumptions = assumptions
        self._samples_path = samples_path
        run = results["run"]
        engine = manifest.get("engine", {})
        self.provenance = Provenance(
            engine_version=str(engine.get("version", results.get("engine_version", "?"))),
            git_commit=str(engine.get("git_commit", "unknown")),
            seed=int(run["seed"]),
            samples=int(run["samples"]),
            central=bool(run.get("central", False)),
            scenarios=tuple((s["name"], s["fingerprint"]) for s in results["scenarios"]),
            results_sha256=results_sha256,
            rerun=str(manifest.get("rerun", "")),
        )

    # ---- run description ---------------------------------------------------------------

    @property
    def scenarios(self) -> list[str]:
        return [s["name"] for s in self.results["scenarios"]]

    def scenario_info(self, name: str) -> dict[str, Any]:
        for s in self.results["scenarios"]:
            if s["name"] == name:
                return s
        raise KeyError(name)

    @property
    def run(self) -> dict[str, Any]:
        return self.results["run"]

    @property
    def baseline_policy(self) -> str:
        return str(self.run.get("baseline_policy", ""))

    @cached_property
    def date_labels(self) -> list[str]:
        return list(self.results["dates"])

    @cached_property
    def dates(self) -> pd.DatetimeIndex:
        return pd.DatetimeIndex(pd.to_datetime(self.date_labels, format="%Y-%m"), name="date")

    @property
    def quantiles(self) -> list[float]:
        return [float(q) for q in self.results["quantiles"]]

    @cached_property
    def stat_labels(self) -> list[str]:
        """"mean", "p5", ... as in the result files (the keys of results.json)."""
        scenario = self.scenarios[0]
        for metric in self.results["series"][scenario].values():
            if "mean" in metric:
                return list(metric.keys())
        return ["mean"]

    def quantile_label(self, q: float) -> str:
        """The stat label of quantile level q ("p50"); ReportInputError if not recorded."""
        for level, label in zip(self.quantiles, self.stat_labels[1:], strict=False):
            if abs(level - q) < 1e-12:
                return label
        raise ReportInputError(
            f"the results have no {q:g} quantile (they have "
            f"{', '.join(f'{x:g}' for x in self.quantiles)}); the report needs the 5%, 25%, "
            f"50%, 75% and 95% levels: rerun with the default --quantiles")

    @cached_property
    def metric_catalogue(self) -> dict[str, dict[str, Any]]:
        return {m["name"]: m for m in self.results["metrics"] + self.results["scalar_metrics"]}

    @property
    def metrics(self) -> list[str]:
        return [m["name"] for m in self.results["metrics"]]

    @property
    def scalar_metrics(self) -> list[str]:
        return [m["name"] for m in self.results["scalar_metrics"]]

    def metric_info(self, name: str) -> dict[str, Any]:
        try:
            return self.metric_catalogue[name]
        except KeyError:
            raise ReportInputError(
                f"the results have no metric {name!r}; metrics: {', '.join(self.metrics)}"
            ) from None

    # ---- statistics --------------------------------------------------------------------

    def series(self, scenario: str, metric: str, stat: str) -> np.ndarray:
        """One statistic of a time-series metric over the output months (NaN: non-finite).
        ``stat`` is "mean", "p5", ..., or "probability" for probability metrics."""
        per_stat = self.results["series"][scenario][metric]
        return _array(per_stat.get(stat), len(self.date_labels))

    def quantile_series(self, scenario: str, metric: str, q: float) -> np.ndarray:
        return self.series(scenario, metric, self.quantile_label(q))

    def scalar(self, scenario: str, metric: str) -> dict[str, Any]:
        """Statistics and counts of a scalar metric (values None where non-finite)."""
        return self.results["scalars"][scenario][metric]

    def has_values(self, scenario: str, metric: str) -> bool:
        """Whether a paired metric was computed for a scenario (a run without a baseline
        leaves every *_vs_baseline statistic null)."""
        per_stat = self.results["series"][scenario][metric]
        return any(v is not None for values in per_stat.values() for v in values)

    def effect_scenarios(self, metric: str, scenarios: list[str]) -> list[str]:
        """The scenarios with a non-trivial paired effect: computed, and not the reference
        itself (whose effect is zero by construction)."""
        reference = self.metric_info(metric).get("compared_with", "")
        out = []
        for name in scenarios:
            policy = self.scenario_info(name)["policy"]
            if reference == "baseline" and policy == self.baseline_policy:
                continue
            if reference == "no_controls" and policy == "no_controls":
                continue
            if metric in self.scalar_metrics:
                stats = self.scalar(name, metric)
                if int(stats.get("samples_finite", 0)) + int(stats.get("samples_beyond_horizon",
                                                                        0)) == 0:
                    continue
            elif not self.has_values(name, metric):
                continue
            out.append(name)
        return out

    # ---- per-sample values -------------------------------------------------------------

    @property
    def has_samples(self) -> bool:
        return self._samples_path is not None

    @cached_property
    def samples(self) -> pd.DataFrame | None:
        """samples.csv (runs with --raw): one row per sample and scenario."""
        if self._samples_path is None:
            return None
        return pd.read_csv(self._samples_path)

    def sample_values(self, scenario: str, column: str) -> np.ndarray | None:
        """Per-sample values of a column of samples.csv ("metric" for scalars,
        "metric@YYYY-MM" for series), or None when the run did not keep it. Empty cells
        (non-finite values) come back as NaN; infinities cannot be told apart there, so
        callers use the counts in results.json for shares beyond the horizon."""
        frame = self.samples
        if frame is None or column not in frame.columns:
            return None
        return frame.loc[frame["scenario"] == scenario, column].to_numpy(dtype=float)

    # ---- months ------------------------------------------------------------------------

    def default_months(self) -> list[str]:
        """Two years in, mid-range and the last month, as the terminal tables choose."""
        last = len(self.date_labels) - 1
        indices = sorted({min(23, last), last // 2, last})
        return [self.date_labels[i] for i in indices]

    def months_for(self, years: list[int] | None) -> list[str]:
        """December of each year (or the defaults). ReportInputError for years outside the
        run, naming the years that are in it."""
        if not years:
            return self.default_months()
        out = []
        for y in years:
            label = f"{int(y):04d}-12"
            if label not in self.date_labels:
                first = int(self.date_labels[0][:4])
                last = int(self.date_labels[-1][:4])
                decembers = [d for d in self.date_labels if d.endswith("-12")]
                span = (f"{decembers[0][:4]} to {decembers[-1][:4]}" if decembers
                        else "none")
                raise ReportInputError(
                    f"year {y} has no December in these results (they run {first} to {last}; "
                    f"years with a December: {span})")
            if label not in out:
                out.append(label)
        return out


def _read_json(path: Path) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        raise ReportInputError(f"{path} is missing: give a results directory written by "
                               "`gapcast run/compare --out` or Results.write") from None
    except (OSError, ValueError) as error:
        raise ReportInputError(f"cannot read {path}: {error}") from None


def load_results_dir(directory: str | Path) -> ReportData:
    """Reads a results directory. Raises :class:`ReportInputError` if it is not one."""
    path = Path(directory)
    if not path.is_dir():
        raise ReportInputError(f"{path} is not a directory (expected a results directory with "
                               "results.json and manifest.json)")
    results_file = path / "results.json"
    results = _read_json(results_file)
    if results.get("format") != "gapcast-results":
        raise ReportInputError(f"{results_file} is not a gapcast results file")
    manifest = _read_json(path / "manifest.json")
    if manifest.get("format") != "gapcast-manifest":
        raise ReportInputError(f"{path / 'manifest.json'} is not a gapcast manifest")
    assumptions_file = path / "assumptions.json"
    assumptions = _read_json(assumptions_file) if assumptions_file.exists() else None
    samples = path / "samples.csv"
    digest = hashlib.sha256(results_file.read_bytes()).hexdigest()
    return ReportData(path, results, manifest, assumptions,
                      samples if samples.exists() else None, digest)
