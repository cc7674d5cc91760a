"""Runs on a real Dask cluster: a distributed.LocalCluster of two worker processes on this
machine, started and stopped here. The merged results must be byte-identical to the run made
locally, for any shard count, after a worker is killed mid-run, and through the command line's
--scheduler (docs/distributed.md)."""

from __future__ import annotations

import filecmp
import os
import pickle
import signal
import subprocess
import sys
import time

import pytest

from conftest import scenario_file

distributed = pytest.importorskip("distributed")

SCENARIOS = [str(scenario_file(n))
             for n in ("baseline", "comprehensive_embargo", "no_controls")]
RUN = dict(samples=420, seed=31, horizon="2030-12", progress=False)
SAME_BYTES = ["results.json", "series.csv", "scalars.csv", "assumptions.json"]


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=40) as c:
        yield c


@pytest.fixture(scope="module")
def client(cluster):
    with distributed.Client(cluster) as c:
        yield c


@pytest.fixture(scope="module")
def local(gc, tmp_path_factory):
    out = tmp_path_factory.mktemp("local") / "results"
    gc.run(SCENARIOS, **RUN).write(out)
    return out


def _same(a, b):
    return {name: filecmp.cmp(a / name, b / name, shallow=False) for name in SAME_BYTES}


@pytest.mark.parametrize("shards", [1, 3, 7])
def test_a_run_on_the_cluster_writes_the_local_files(gc, client, local, tmp_path, shards):
    results = gc.run(SCENARIOS, **RUN, client=client, shards=shards)
    results.write(tmp_path / "cluster")
    assert _same(local, tmp_path / "cluster") == dict.fromkeys(SAME_BYTES, True)
    assert results.samples == RUN["samples"]


def test_progress_counts_samples_as_shards_finish(gc, client):
    seen = []
    gc.run(SCENARIOS, **{**RUN, "progress": lambda done, total: seen.append((done, total))},
           client=client, shards=4)
    assert seen[-1] == (420, 420)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and len(seen) == 4


def test_a_killed_worker_changes_nothing(gc, client, local, tmp_path):
    # The first shard to finish kills one worker process (SIGKILL, as a node failure would);
    # the scheduler reruns its shards elsewhere and the merge is still the local run's.
    killed = []

    def kill_one(done, total):
        if not killed:
            pids = client.run(os.getpid)
            victim = sorted(pids.values())[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    results = gc.run(SCENARIOS, **{**RUN, "samples": 420, "progress": kill_one},
                     client=client, shards=12)
    assert killed
    results.write(tmp_path / "after_kill")
    assert _same(local, tmp_path / "after_kill") == dict.fromkeys(SAME_BYTES, True)
    # The nanny brings the worker back for the tests that follow.
    client.wait_for_workers(2, timeout=60)


def _shard_tasks_on_scheduler(client):
    keys = client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.tasks))
    return [k for k in keys if str(k).startswith("gapcast-shard-")]


def test_an_interrupt_leaves_nothing_of_the_run_on_the_cluster(gc, client):
    # Ctrl-C while shards run (here raised by the progress callable) stops the run with
    # KeyboardInterrupt and cancels the shards not yet done.
    def interrupt(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        gc.run(SCENARIOS, **{**RUN, "progress": interrupt}, client=client, shards=8)
    deadline = time.monotonic() + 20
    while _shard_tasks_on_scheduler(client) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _shard_tasks_on_scheduler(client) == []


def test_shard_payloads_stay_small(gc, client):
    # What crosses the network per shard: the pickled task arguments (scenario documents and
    # options) and the shard's summaries; neither holds per-sample values.
    from gapcast.distributed import _shard_task

    scenarios = [gc.load(s) for s in SCENARIOS]
    arguments = pickle.dumps((scenarios, None, gc.default_options()))
    assert len(arguments) < 400_000
    few = gc.run(SCENARIOS, **{**RUN, "samples": 4000}, shard=(0, 100))
    many = gc.run(SCENARIOS, **{**RUN, "samples": 4000}, shard=(0, 4000))
    assert many.nbytes < 4 * few.nbytes  # 40x the samples
    assert callable(_shard_task)


def test_an_ensemble_on_the_cluster_is_one_part_per_shard(gc, client, tmp_path):
    run = dict(samples=90, seed=5, horizon="2028-12", progress=False)
    gc.run(SCENARIOS, **run, client=client, shards=3, ensemble=tmp_path / "parts")
    gc.run(SCENARIOS, **run, ensemble=tmp_path / "whole.parquet")
    parts = sorted(p.name for p in (tmp_path / "parts").iterdir())
    assert parts == ["part-000000000000.parquet", "part-000000000030.parquet",
                     "part-000000000060.parquet"]
    assert gc.read_ensemble(tmp_path / "parts").equals(gc.read_ensemble(tmp_path / "whole.parquet"))


def test_cluster_runs_refuse_what_cannot_be_sharded(gc, client):
    with pytest.raises(ValueError, match="central run"):
        gc.run(SCENARIOS, **RUN, central=True, client=client)
    with pytest.raises(TypeError, match="dask.distributed.Client"):
        gc.run(SCENARIOS, **RUN, client="tcp://127.0.0.1:8786")
    with pytest.raises(ValueError, match="shards must be a whole number from 1 to the 420"):
        gc.run(SCENARIOS, **RUN, client=client, shards=421)


# ---- the command line: gapcast compare ... --scheduler ----------------------------------------


@pytest.fixture(scope="module")
def cluster_program(tmp_path_factory):
    """A PATH entry with gapcast-cluster running this Python's gapcast (an installed package
    has it as a console script)."""
    bin_dir = tmp_path_factory.mktemp("bin")
    program = bin_dir / "gapcast-cluster"
    program.write_text(f"#!/bin/sh\nexec {sys.executable} -m gapcast.cluster_main \"$@\"\n")
    program.chmod(0o755)
    return bin_dir


def _command(cli, bin_dir, *args):
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run([str(cli), *map(str, args)], capture_output=True, text=True,
                          env=env, check=False)


def test_the_command_on_a_cluster_writes_the_local_files(cli, cluster, cluster_program,
                                                         tmp_path):
    common = ["compare", *SCENARIOS, "-n", "300", "--seed", "2", "--horizon", "2029-12"]
    local = _command(cli, cluster_program, *common, "-q", "--no-progress", "--out",
                     tmp_path / "local")
    assert local.returncode == 0, local.stderr
    done = _command(cli, cluster_program, *common, "--scheduler", cluster.scheduler_address,
                    "--shards", "3", "--no-progress", "--out", tmp_path / "cluster")
    assert done.returncode == 0, done.stderr
    assert "300 samples in 3 shards" in done.stderr
    assert "delay vs baseline" in done.stdout
    assert _same(tmp_path / "local", tmp_path / "cluster") == dict.fromkeys(SAME_BYTES, True)


def test_an_unreachable_scheduler_fails_within_the_timeout(cli, cluster_program, tmp_path):
    started = time.monotonic()
    done = _command(cli, cluster_program, "run", SCENARIOS[0], "--scheduler",
                    "tcp://127.0.0.1:9", "--connect-timeout", "2", "--out", tmp_path / "out")
    assert done.returncode == 2
    assert "could not reach the Dask scheduler at tcp://127.0.0.1:9 within 2 s" in done.stderr
    assert time.monotonic() - started < 30
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("flags, message", [
    (["--raw"], "--raw cannot be used with --scheduler"),
    (["--observe", "x.json"], "--observe cannot be used with --scheduler"),
    (["--shards", "0"], "--shards: must be positive"),
    (["--shards", "5000"], "shards must be a whole number from 1 to the 1000"),
])
def test_command_flags_that_do_not_fit_a_cluster_are_refused(cli, cluster, cluster_program,
                                                             flags, message):
    done = _command(cli, cluster_program, "run", SCENARIOS[0], "--scheduler",
                    cluster.scheduler_address, *flags)
    assert done.returncode == 2
    assert message in done.stderr


def test_without_gapcast_cluster_the_command_says_what_to_install(cli, tmp_path):
    env = dict(os.environ, PATH="/usr/bin:/bin")
    done = subprocess.run([str(cli), "run", SCENARIOS[0], "--scheduler", "tcp://x:1"],
                          capture_output=True, text=True, env=env, check=False)
    if done.returncode == 2 and "gapcast-cluster" in done.stderr:
        assert "[dask]" in done.stderr
    else:  # an installed gapcast finds gapcast-cluster beside itself
        assert "could not reach the Dask scheduler" in done.stderr


# ---- a sensitivity analysis whose evaluations run on the cluster ---------------------------


# The default world correlates some parameters, about which a Sobol' analysis warns.
@pytest.mark.filterwarnings("ignore::gapcast.errors.GapcastWarning")
def test_a_sensitivity_analysis_on_the_cluster_writes_the_local_files(gc, client, tmp_path):
    analysis = dict(method="sobol", samples=16, resamples=40, seed=3, horizon="2029-12",
                    parameters=["target_lag_months", "software_doubling_months_training",
                                "smuggling_pressure_elasticity"],
                    metrics=["gap_training", "added_gap_months_vs_no_controls"],
                    dates=["2028-12", "2029-12"], progress=False)
    here = gc.sensitivity(SCENARIOS[:2], **analysis)
    there = gc.sensitivity(SCENARIOS[:2], **analysis, client=client, shards=3)
    here.write(tmp_path / "here")
    there.write(tmp_path / "there")
    for name in ("sensitivity.json", "sensitivity.csv", "assumptions.json"):
        assert filecmp.cmp(tmp_path / "here" / name, tmp_path / "there" / name, shallow=False)
    with pytest.raises(ValueError, match="give client= too"):
        gc.sensitivity(SCENARIOS[:2], **analysis, shards=2)
