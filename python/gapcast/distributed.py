"""Runs on a Dask cluster: a run cut into shards, each a Dask task, merged into results
bit-identical to the same run on one machine (docs/distributed.md).

Dask is optional (``pip install "gapcast[dask]"``); it is imported only when a cluster is
used. Two drivers share the shard-task logic here:

* :func:`run_on_client`, behind ``gapcast.run(..., client=...)``: the scenarios travel with
  the tasks (pickled as their self-contained documents), so workers need the gapcast package
  but not the scenario files;
* :func:`run_command_on_client`, behind ``gapcast run/compare ... --scheduler ADDR`` (the
  ``gapcast-cluster`` program): each task runs the ``gapcast`` command itself with
  ``--shard``, so workers need the program and the scenario files at the same paths (a
  shared file system, as on most clusters), and the merge is ``gapcast merge``.

Whatever the cluster does (workers lost and tasks rerun, shards finishing in any order), the
shards are merged by sample range, and a rerun shard has the same bytes.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from . import _core
from .shards import Shard, split_samples

__all__ = ["default_shard_count", "run_command_on_client", "run_on_client",
           "sensitivity_on_client"]

#: Task retries after an exception in a shard (a lost worker's task is rerun by the
#: scheduler itself, up to its ``allowed-failures``).
TASK_RETRIES = 2


def _dask() -> Any:
    try:
        import distributed
    except ImportError:  # pragma: no cover - depends on the installation
        raise ImportError(
            "running on a cluster needs Dask: pip install \"gapcast[dask]\" (or "
            "pip install \"dask[distributed]\")") from None
    return distributed


def default_shard_count(client: Any, samples: int) -> int:
    """Two shards per worker thread (so a slow or lost worker delays little), at most one
    per sample."""
    threads = sum(client.nthreads().values()) or 1
    return max(1, min(samples, 2 * threads))


def _worker_threads(requested: int) -> int:
    """The engine's threads on a worker: as requested, or the worker's own thread count for
    0 (all cores), so that several workers on one machine do not each take every core."""
    if requested:
        return requested
    try:
        from distributed import get_worker

        return int(get_worker().state.nthreads)
    except (ImportError, ValueError, AttributeError):
        return 0


def _shard_task(scenarios: list[Any], baseline: Any, options: dict[str, Any], start: int,
                stop: int, command: list[str], inputs: str, ensemble_path: str) -> bytes:
    """One shard on a worker: the engine's bytes (results do not depend on the threads)."""
    opts = dict(options)
    opts["threads"] = _worker_threads(int(opts.get("threads", 0)))
    if ensemble_path:
        Path(ensemble_path).parent.mkdir(parents=True, exist_ok=True)
    data: bytes = _core.run_shard(
        [s._core for s in scenarios], opts, start=start, stop=stop,
        baseline=baseline._core if baseline is not None else None, progress=None,
        command=command, inputs=inputs, ensemble_path=ensemble_path)
    return data


def _gather(client: Any, futures: dict[Any, tuple[int, int]],
            progress: Callable[[int], None] | None,
            take: Callable[[tuple[int, int], bytes], None]) -> None:
    """Waits for every shard task, handing each result to `take` with its range as it arrives
    and dropping it from the cluster; cancels the rest on an error or Ctrl-C."""
    distributed = _dask()
    try:
        for future in distributed.as_completed(list(futures)):
            start, stop = futures[future]
            take((start, stop), future.result())
            future.release()
            if progress is not None:
                progress(stop - start)
    except BaseException:
        client.cancel(list(futures))
        raise


def _gather_by_range(client: Any, futures: dict[Any, tuple[int, int]],
                     progress: Callable[[int], None] | None) -> dict[tuple[int, int], bytes]:
    """Every shard task's result under its range (not its arrival order)."""
    done: dict[tuple[int, int], bytes] = {}
    _gather(client, futures, progress, done.__setitem__)
    return done


def _progress_bar(progress: Any, total: int, shards: int) -> tuple[Any, Any]:
    """(callable(samples just done), bar to close) for the run's `progress` argument."""
    if progress is None or progress is False:
        return None, None
    if progress is True:
        from tqdm import tqdm

        bar = tqdm(total=total, unit="sample", desc=f"gapcast ({shards} shards)", leave=False)
        return bar.update, bar
    if callable(progress):
        state = {"done": 0}

        def report(n: int) -> None:
            state["done"] += n
            progress(state["done"], total)

        return report, None
    raise TypeError("progress must be True, False, None or a callable(done, total)")


def run_on_client(client: Any, scenarios: Sequence[Any], baseline: Any,
                  options: dict[str, Any], *, command: list[str], inputs: str,
                  shards: int | None, ensemble: str | os.PathLike[str] | None,
                  progress: Any) -> Any:
    """``gapcast.run(..., client=client)``: the payload of the merged results."""
    distributed = _dask()
    if not isinstance(client, distributed.Client):
        raise TypeError(f"client must be a dask.distributed.Client, not "
                        f"{type(client).__name__}")
    if options["central"]:
        raise ValueError("a central run is one sample: run it without a client")
    samples = int(options["samples"])
    count = default_shard_count(client, samples) if shards is None else shards
    ranges = split_samples(samples, count)
    # The scenarios as this process loaded them describe the merged run, whatever form the
    # workers rebuild them in.
    description = _core.describe_run(
        [s._core for s in scenarios], options,
        baseline=baseline._core if baseline is not None else None, command=command,
        inputs=inputs)
    parts = None if ensemble is None else Path(ensemble)
    if parts is not None:
        parts.mkdir(parents=True, exist_ok=True)
    run_id = uuid.uuid4().hex[:12]
    futures = {}
    for start, stop in ranges:
        part = "" if parts is None else str(parts / f"part-{start:012d}.parquet")
        future = client.submit(_shard_task, list(scenarios), baseline, options, start, stop,
                               command, inputs, part, key=f"gapcast-shard-{run_id}-{start}",
                               pure=False, retries=TASK_RETRIES)
        futures[future] = (start, stop)
    # Each shard is folded into the merge as it arrives (the merger waits for earlier
    # samples if needed), so the client holds about one shard's summaries, not all of them.
    merger = _core.ShardMerger(description)
    report, bar = _progress_bar(progress, samples, len(ranges))
    try:
        _gather(client, futures, report, lambda _range, data: merger.add(data))
    finally:
        if bar is not None:
            bar.close()
    payload: dict[str, Any] = merger.finish()
    return payload


def _sensitivity_task(scenarios: list[Any], baseline: Any, options: dict[str, Any],
                      analysis: dict[str, Any], start: int, stop: int) -> bytes:
    """Design rows [start, stop) of a sensitivity analysis on a worker, as bytes."""
    opts = dict(options)
    opts["threads"] = _worker_threads(int(opts.get("threads", 0)))
    data: bytes = _core.sensitivity_rows(
        [s._core for s in scenarios], opts, analysis, start=start, stop=stop,
        baseline=baseline._core if baseline is not None else None, progress=None)
    return data


def sensitivity_on_client(client: Any, scenarios: Sequence[Any], baseline: Any,
                          options: dict[str, Any], analysis: dict[str, Any], *,
                          command: list[str], inputs: str, keep_values: bool,
                          shards: int | None, progress: Any) -> dict[str, Any]:
    """``gapcast.sensitivity(..., client=client)``: the design's rows evaluated as cluster
    tasks, analysed here; the payload of ``_core.run_sensitivity``, with the same files."""
    distributed = _dask()
    if not isinstance(client, distributed.Client):
        raise TypeError(f"client must be a dask.distributed.Client, not "
                        f"{type(client).__name__}")
    cores = [s._core for s in scenarios]
    evaluations = int(_core.sensitivity_evaluations(cores, options, analysis))
    count = default_shard_count(client, evaluations) if shards is None else shards
    ranges = split_samples(evaluations, count)
    run_id = uuid.uuid4().hex[:12]
    futures = {}
    for start, stop in ranges:
        future = client.submit(_sensitivity_task, list(scenarios), baseline, options, analysis,
                               start, stop, key=f"gapcast-sensitivity-{run_id}-{start}",
                               pure=False, retries=TASK_RETRIES)
        futures[future] = (start, stop)
    report, bar = _progress_bar(progress, evaluations, len(ranges))
    try:
        done = _gather_by_range(client, futures, report)
    finally:
        if bar is not None:
            bar.close()
    payload: dict[str, Any] = _core.analyse_sensitivity_rows(
        cores, options, analysis, [done[r] for r in ranges],
        baseline=baseline._core if baseline is not None else None, command=command,
        inputs=inputs, keep_values=keep_values)
    return payload


# ---- the command line on a cluster (gapcast-cluster) -------------------------------------


def _command_shard_task(program: str, cwd: str, arguments: list[str], start: int,
                        stop: int) -> bytes:
    """One shard of a command on a worker: ``gapcast ... --shard START:STOP`` into a temporary
    file, returned as bytes. RuntimeError with the command's own message if it fails."""
    with tempfile.TemporaryDirectory(prefix="gapcast-shard-") as scratch:
        out = Path(scratch) / "shard"
        threads = _worker_threads(0)
        extra = ["-j", str(threads)] if threads and not _has_threads(arguments) else []
        done = subprocess.run(
            [program, *arguments, *extra, "--shard", f"{start}:{stop}", "--out-shard",
             str(out), "--no-progress"],
            cwd=cwd, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"shard {start}:{stop} failed (exit {done.returncode}): "
                               f"{done.stderr.strip()}")
        return out.read_bytes()


def _has_threads(arguments: Sequence[str]) -> bool:
    return any(a in ("-j", "--threads") or a.startswith("--threads=") for a in arguments)


def run_command_on_client(client: Any, program: str, arguments: list[str], samples: int, *,
                          shards: int | None, out_dir: Path,
                          progress: Callable[[int], None] | None) -> list[Path]:
    """Runs the command ``program arguments`` (``compare A.json B.json -n N ...``, without
    --out) as shards on the cluster, writes each shard file into `out_dir` as it arrives and
    returns them in sample order."""
    count = default_shard_count(client, samples) if shards is None else shards
    ranges = split_samples(samples, count)
    run_id = uuid.uuid4().hex[:12]
    futures = {}
    for start, stop in ranges:
        future = client.submit(_command_shard_task, program, os.getcwd(), arguments, start,
                               stop, key=f"gapcast-command-shard-{run_id}-{start}",
                               pure=False, retries=TASK_RETRIES)
        futures[future] = (start, stop)
    def path(start: int, stop: int) -> Path:
        return out_dir / f"{start:012d}-{stop:012d}.shard"

    _gather(client, futures, progress, lambda r, data: Shard(data).write(path(*r)))
    return [path(start, stop) for start, stop in ranges]
