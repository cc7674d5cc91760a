"""Running scenarios: the Monte Carlo engine from Python."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Union

import numpy as np

from . import _core
from .errors import GapcastWarning
from .distributed import run_on_client
from .results import Results, _readonly
from .scenario import Scenario, ScenarioLike, load, load_all
from .shards import Shard

__all__ = ["default_options", "run"]

ProgressLike = Union[bool, None, Callable[[int, int], Any]]


def _as_list(scenarios: ScenarioLike | Iterable[ScenarioLike]) -> list[ScenarioLike]:
    if isinstance(scenarios, (Scenario, str, os.PathLike, Mapping)):
        return [scenarios]
    return list(scenarios)


def _load(items: list[ScenarioLike]) -> list[Scenario]:
    # Files given together are loaded together, as the command does: one report of every
    # problem in every file, and scenario names checked for uniqueness by the loader.
    if items and all(isinstance(s, (str, os.PathLike)) for s in items):
        return load_all(items)  # type: ignore[arg-type]
    loaded = [load(s) for s in items]
    seen: dict[str, str] = {}
    for s in loaded:
        if s.name in seen:
            raise ValueError(
                f"two scenarios are named {s.name!r} ({seen[s.name]} and {s.label}); names "
                f"must be unique within a run: give one a new name with .renamed(...)"
            )
        seen[s.name] = s.label
    return loaded


def _progress_callback(progress: ProgressLike, total: int) -> tuple[Any, Any]:
    """(callable for the engine, tqdm bar to close) for the `progress` argument."""
    if progress is None or progress is False:
        return None, None
    if progress is True:
        try:
            # tqdm.auto draws a widget in notebooks, which needs ipywidgets; without it,
            # it warns, so fall back to the text bar (which notebooks show too).
            import ipywidgets  # noqa: F401
            from tqdm.auto import tqdm
        except ImportError:
            from tqdm import tqdm

        # delay: runs shorter than a second (most interactive reruns) draw nothing.
        bar = tqdm(total=total, unit="sample", desc="gapcast", delay=1.0, leave=False)

        def update(done: int, _total: int) -> None:
            bar.update(done - bar.n)

        return update, bar
    if callable(progress):
        return progress, None
    raise TypeError("progress must be True, False, None or a callable(done, total)")


def _names(given: str | Sequence[str] | None) -> list[str] | None:
    """A name or a list of names (metrics, months) as the list the engine's options take."""
    if given is None:
        return None
    return [given] if isinstance(given, str) else list(given)


def _command(scenarios: Sequence[Scenario], options: Mapping[str, Any]) -> list[str]:
    """The call recorded in the manifest: a runnable `python -c` line when every scenario is
    an unchanged file, otherwise the scenarios' labels and fingerprints."""
    if all(s.path is not None for s in scenarios):
        names = repr([str(s.path) for s in scenarios])
    else:
        names = "[" + ", ".join(
            f"<{s.label}: {s.name} {s.fingerprint[:12]}>" for s in scenarios
        ) + "]"
    args = ", ".join(f"{k}={v!r}" for k, v in options.items())
    return ["python", "-c", f"import gapcast; gapcast.run({names}, {args})"]


def _scenario_input(scenario: Scenario, *, with_files: bool = False) -> dict[str, Any]:
    """How one scenario was given, for the manifest's "inputs" (what `gapcast reproduce`
    reruns): its file as given, or the document, label and base directory of a scenario held
    in memory, which the loader turns into the same scenario (and the same hashes) again."""
    if scenario.path is not None:
        entry: dict[str, Any] = {"file": str(scenario.path)}
    else:
        entry = {"document": scenario._document, "label": scenario.label,
                 "base_dir": str(scenario._base_dir)}
    if with_files:
        entry["files"] = [{"role": f["role"], "path": f["display_name"], "sha256": f["sha256"]}
                          for f in scenario.files]
    return entry


def _inputs(scenarios: Sequence[Scenario], baseline: Scenario | None) -> str:
    """The manifest's "inputs" as JSON text, or "" when a scenario document holds values
    that JSON cannot represent exactly (the run is then recorded without them)."""
    inputs = {
        "scenarios": [_scenario_input(s) for s in scenarios],
        "baseline": None if baseline is None else _scenario_input(baseline, with_files=True),
        "set": [],
    }
    try:
        return json.dumps(inputs, allow_nan=False, default=_json_scalar)
    except (TypeError, ValueError):
        return ""


def _json_scalar(value: Any) -> Any:
    # NumPy numbers in a scenario dict are plain numbers to the loader as well.
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON")


def default_options() -> dict[str, Any]:
    """The engine's default run options: what :func:`run` uses for options left at None
    (and what the ``gapcast`` command uses without flags)."""
    return _core.default_run_options()


def run(
    scenarios: ScenarioLike | Iterable[ScenarioLike],
    *,
    samples: int = 1000,
    seed: int = 20260101,
    threads: int = 0,
    horizon: str = "2035-12",
    central: bool = False,
    threshold_multiple: float = 1.0,
    baseline: ScenarioLike | None = None,
    quantiles: Sequence[float] | None = None,
    quantile_accuracy: float | None = None,
    metrics: str | Sequence[str] | None = None,
    dates: str | Sequence[str] | None = None,
    rtol: float | None = None,
    atol: float | None = None,
    max_step_months: float | None = None,
    max_steps: int | None = None,
    keep_raw: bool = False,
    raw_dates: Sequence[str] | None = None,
    raw_limit_bytes: int | None = None,
    wave_size: int | None = None,
    observe: str | os.PathLike[str] | Sequence[dict[str, Any]] | None = None,
    ensemble: str | os.PathLike[str] | None = None,
    ensemble_metrics: Sequence[str] | None = None,
    ensemble_dates: Sequence[str] | None = None,
    progress: ProgressLike = True,
    shard: tuple[int, int] | None = None,
    client: Any = None,
    shards: int | None = None,
) -> Any:
    """Runs one or more scenarios in the same sampled worlds and returns their statistics
    (a :class:`Results`; a :class:`Shard` with ``shard=``).

    Options left at None take the engine's defaults (:func:`default_options`), which are
    also the command's, so a run here and ``gapcast run`` without flags are the same run.

    Args:
        scenarios: a :class:`Scenario`, a file path, a shipped scenario's name
            (``"baseline"``), a scenario dict, or a list of these. Names must be unique.
        samples: Monte Carlo samples (sampled worlds). Ignored with ``central=True``.
        seed: seed of the counter-based random streams. The same seed and samples give
            bit-identical results for any ``threads``, and the same numbers as the command.
        threads: worker threads, 0 for all cores.
        horizon: last output month, ``"YYYY-MM"``.
        central: one sample with every parameter at its median (point arithmetic).
        threshold_multiple: capability threshold as a multiple of the frontier's effective
            training compute in the start month.
        baseline: scenario whose policy is the baseline of the paired comparisons; by
            default the scenario named ``"baseline"`` among ``scenarios``, if any.
        quantiles: quantile levels to report, in (0, 1) (default 0.05, 0.25, 0.5, 0.75,
            0.95).
        quantile_accuracy: relative accuracy of the streaming quantile summaries.
        metrics: the series metrics to record (a name or a list of names; default all of
            them). Scalar metrics are always recorded. Recording fewer metrics, or fewer
            ``dates``, skips their summaries, which is most of a run's cost beyond the model
            itself: the interactive way to ask one question. An unknown name raises
            ValueError with the valid ones.
        dates: the output months to record (``"YYYY-MM"`` or a list; default every month
            from the start to ``horizon``).
        rtol, atol, max_step_months, max_steps: ODE solver settings.
        keep_raw: also keep per-sample values (see :meth:`Results.raw_dataset`).
        raw_dates: months (``"YYYY-MM"``) at which to keep raw series; default every January.
        raw_limit_bytes: refuse raw output larger than this.
        wave_size: samples integrated between summary updates (memory and progress
            granularity); results do not depend on it.
        observe: observations that condition the run (docs/conditioning.md): the path of an
            observations file, or a list of observation dicts in the file's form. Every
            sample is weighted by its likelihood and every statistic becomes a weighted one;
            :attr:`Results.effective_sample_size` says what the weighted run is worth, and a
            :class:`GapcastWarning` is issued when it falls below 10% of the samples.
        ensemble: path of a Parquet file to stream every sample's values to, one row per
            sample and scenario, with the drawn parameters (docs/ensembles.md); memory stays
            flat in the sample count. Read it with :func:`gapcast.read_ensemble`.
        ensemble_metrics, ensemble_dates: what the ensemble keeps (metric names; months
            ``"YYYY-MM"``); by default a set of headline metrics every December.
        progress: True for a progress bar (tqdm, shown for runs longer than a second),
            False/None for none, or a callable ``progress(done, total)``.
        shard: ``(start, stop)``: run only samples ``start`` to ``stop - 1`` of the run the
            other arguments describe and return them as a :class:`Shard` (summaries, not
            per-sample values), to be merged with the run's other shards by
            :meth:`Results.merge` into results bit-identical to the whole run. With
            ``ensemble``, this shard's rows go to that file.
        client: a ``dask.distributed.Client``: the run is cut into ``shards`` shards, each a
            task on the cluster, and merged in sample order, bit-identical to the run made
            here (docs/distributed.md; needs ``pip install "gapcast[dask]"``). With
            ``ensemble``, that path is a directory that receives one Parquet part per shard
            (``part-<first sample>.parquet``).
        shards: with ``client``, the number of shards (default two per worker thread).

    Ctrl-C (or a notebook's interrupt) stops the run within about 0.1 s and raises
    KeyboardInterrupt; nothing is kept from the interrupted run and the session stays usable.

    Raises:
        gapcast.ScenarioError: a scenario is invalid.
        gapcast.SimulationError: a sampled world made the dynamics fail.
        ValueError: inconsistent options (e.g. a horizon before the start month).
    """
    loaded = _load(_as_list(scenarios))
    if not loaded:
        raise ValueError("no scenarios to run")
    base = load(baseline) if baseline is not None else None
    given: dict[str, Any] = {
        "samples": samples,
        "seed": seed,
        "threads": threads,
        "horizon": horizon,
        "central": central,
        "threshold_multiple": threshold_multiple,
        "rtol": rtol,
        "atol": atol,
        "max_step_months": max_step_months,
        "max_steps": max_steps,
        "quantiles": None if quantiles is None else list(quantiles)
        if not isinstance(quantiles, (str, bytes)) else quantiles,
        "quantile_accuracy": quantile_accuracy,
        "metrics": _names(metrics),
        "dates": _names(dates),
        "wave_size": wave_size,
        "keep_raw": keep_raw,
        "raw_dates": None if raw_dates is None else list(raw_dates)
        if not isinstance(raw_dates, (str, bytes)) else raw_dates,
        "raw_limit_bytes": raw_limit_bytes,
        "observations": None if observe is None else os.fspath(observe)
        if isinstance(observe, (str, os.PathLike)) else list(observe),
        "ensemble": True if ensemble is not None else None,
        "ensemble_metrics": None if ensemble_metrics is None else list(ensemble_metrics)
        if not isinstance(ensemble_metrics, (str, bytes)) else ensemble_metrics,
        "ensemble_dates": None if ensemble_dates is None else list(ensemble_dates)
        if not isinstance(ensemble_dates, (str, bytes)) else ensemble_dates,
    }
    # The engine's validator checks every option (types, ranges, whole numbers) and raises
    # TypeError or ValueError in its own words, the same as the command's.
    options = _core.validate_run_options({k: v for k, v in given.items() if v is not None})
    # The recorded call names what was chosen: the basics always, the rest when they differ
    # from the engine's defaults.
    defaults = default_options()
    recorded = {k: options[k] for k in ("samples", "seed", "threads", "horizon")}
    recorded.update({k: v for k, v in options.items()
                     if k not in recorded and v != defaults.get(k)})
    if base is not None:
        recorded["baseline"] = str(base.path) if base.path is not None else base.label
    command, inputs = _command(loaded, recorded), _inputs(loaded, base)
    if shard is not None or client is not None or shards is not None:
        return _distributed(loaded, base, options, command, inputs, shard=shard, client=client,
                            shards=shards, ensemble=ensemble, progress=progress)
    callback, bar = _progress_callback(progress, 1 if options["central"] else options["samples"])
    try:
        payload = _core.run(
            [s._core for s in loaded],
            options,
            baseline=base._core if base is not None else None,
            progress=callback,
            command=command,
            inputs=inputs,
            ensemble_path="" if ensemble is None else os.fspath(ensemble),
        )
    finally:
        if bar is not None:
            bar.close()
    results = Results(payload)
    for message in results.info.get("warnings", []):
        warnings.warn(message, GapcastWarning, stacklevel=2)
    return results


def _distributed(loaded: list[Scenario], base: Scenario | None, options: dict[str, Any],
                 command: list[str], inputs: str, *, shard: Any, client: Any,
                 shards: int | None, ensemble: Any, progress: ProgressLike) -> Any:
    """run() with shard= (one shard, here) or client= (every shard, on the cluster)."""
    if shard is not None and client is not None:
        raise ValueError("give shard=(start, stop) to run one shard here, or client= to run "
                         "them all on a cluster, not both")
    if shards is not None and client is None:
        raise ValueError("shards= says how many shards to run on a cluster: give client= too")
    if client is not None:
        payload = run_on_client(client, loaded, base, options, command=command,
                                inputs=inputs, shards=shards, ensemble=ensemble,
                                progress=progress)
        for key in ("series", "scalars", "series_counts", "scalar_counts"):
            _readonly(payload[key])
        results = Results(payload)
        for message in results.info.get("warnings", []):
            warnings.warn(message, GapcastWarning, stacklevel=3)
        return results
    if (not isinstance(shard, (tuple, list)) or len(shard) != 2
            or not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                       for v in shard)):
        raise TypeError(f"shard must be a pair of sample indices (start, stop), got {shard!r}")
    start, stop = int(shard[0]), int(shard[1])
    if start < 0:
        raise ValueError(f"shard: start must be at least 0, got {start}")
    callback, bar = _progress_callback(progress, max(stop - start, 1))
    try:
        data = _core.run_shard(
            [s._core for s in loaded], options, start=start, stop=stop,
            baseline=base._core if base is not None else None, progress=callback,
            command=command, inputs=inputs,
            ensemble_path="" if ensemble is None else os.fspath(ensemble))
    finally:
        if bar is not None:
            bar.close()
    return Shard(data)
