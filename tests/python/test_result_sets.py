"""A result set is replaced whole or not at all (issue 8): stale files of an earlier run are
gone, two runs into one directory cannot interleave, a failed or interrupted run leaves the
earlier set as it was, and the output location is checked before anything is computed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time

from conftest import scenario_file

BASELINE = str(scenario_file("baseline"))


def run_into(cli, out, *args, timeout=300):
    return subprocess.run([str(cli), "run", BASELINE, "-q", "--no-progress", "--out", str(out),
                           *args], capture_output=True, text=True, timeout=timeout)


def names(directory):
    return sorted(p.name for p in directory.iterdir())


def start_slow_run(cli, out, samples):
    """Starts a one-thread run into `out` and returns once it holds the directory's lock (its
    staging directory exists), so the caller's next step races nothing but the computation."""
    proc = subprocess.Popen([str(cli), "run", BASELINE, "-q", "--no-progress", "-n", str(samples),
                             "-j", "1", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(".staging-" in p.name for p in out.parent.iterdir()):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the run never created its staging directory"
        time.sleep(0.01)
    return proc


def hidden_leftovers(parent):
    return [p.name for p in parent.iterdir()
            if p.name.startswith(".") and not p.name.endswith(".lock")]


def test_a_stale_samples_csv_is_gone_after_a_run_without_raw(cli, tmp_path):
    out = tmp_path / "results"
    assert run_into(cli, out, "-n", "5", "--raw").returncode == 0
    assert "samples.csv" in names(out)
    assert run_into(cli, out, "-n", "5").returncode == 0
    assert "samples.csv" not in names(out)
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted([o["path"] for o in manifest["outputs"]] + ["manifest.json"]) == names(out)


def test_a_file_at_the_output_path_is_refused_before_computing(cli, tmp_path):
    out = tmp_path / "results"
    out.write_text("not a directory")
    start = time.monotonic()
    done = run_into(cli, out, "-n", "100000")
    assert done.returncode == 2, done.stderr
    assert "exists and is not a directory" in done.stderr
    assert time.monotonic() - start < 20, "the location must be checked before the run"
    assert out.read_text() == "not a directory"


def test_a_foreign_directory_is_not_replaced(cli, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    done = run_into(cli, out, "-n", "5")
    assert done.returncode == 2
    assert "no manifest.json" in done.stderr
    assert names(out) == ["thesis.tex"]


def test_a_scenario_file_inside_the_output_directory_is_not_overwritten(cli, tmp_path):
    out = tmp_path / "results"
    assert run_into(cli, out, "-n", "5").returncode == 0
    # A scenario that happens to live in the results directory, named like a result file.
    scenario = out / "results.json"
    shutil.copy(scenario_file("baseline"), tmp_path / "baseline.json")
    text = (tmp_path / "baseline.json").read_text()
    text = text.replace('"world/default.json"', f'"{scenario_file("baseline").parent}/world/default.json"')
    text = text.replace('"policy/baseline.json"',
                        f'"{scenario_file("baseline").parent}/policy/baseline.json"')
    scenario.write_text(text)
    done = subprocess.run([str(cli), "run", str(scenario), "-q", "--no-progress", "-n", "5",
                           "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "an input of this run" in done.stderr
    assert scenario.read_text() == text


def test_two_runs_into_one_directory_do_not_interleave(cli, tmp_path):
    out = tmp_path / "results"
    slow = start_slow_run(cli, out, 30000)
    try:
        second = run_into(cli, out, "-n", "5")
        assert second.returncode == 2, second.stderr
        assert "another gapcast process (pid" in second.stderr
    finally:
        stdout, stderr = slow.communicate(timeout=600)
    assert slow.returncode == 0, stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["run"]["samples"] == 30000


def test_an_interrupted_run_leaves_the_earlier_set_and_no_staging(cli, tmp_path):
    out = tmp_path / "results"
    assert run_into(cli, out, "-n", "5", "--seed", "1").returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    for sig in (signal.SIGINT, signal.SIGTERM):
        proc = start_slow_run(cli, out, 200000)
        proc.send_signal(sig)
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 130, stderr
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before
        assert hidden_leftovers(tmp_path) == []


def test_staging_left_by_a_killed_run_is_removed_by_the_next(cli, tmp_path):
    out = tmp_path / "results"
    proc = start_slow_run(cli, out, 200000)
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)  # also closes its pipes
    assert any(".staging-" in n for n in hidden_leftovers(tmp_path))
    assert run_into(cli, out, "-n", "5").returncode == 0
    assert hidden_leftovers(tmp_path) == []
