"""`gapcast reproduce` treats its manifest as untrusted input (issue 8): regular files only, a
size cap, every option range-checked by the options model, output paths confined to the
results directory, --keep refused inside it, and the comparison made before anything is
written. The same checks hold from Python (gapcast.reproduce)."""

from __future__ import annotations

import json
import os
import subprocess
import threading

import pytest

from conftest import scenario_file

BASELINE = str(scenario_file("baseline"))


@pytest.fixture(scope="module")
def recorded(cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("recorded") / "results"
    done = subprocess.run([str(cli), "run", BASELINE, "-q", "--no-progress", "-n", "20",
                           "--seed", "4", "--out", str(out)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return out


def reproduce(cli, *args, timeout=120):
    return subprocess.run([str(cli), "reproduce", "--no-progress", *map(str, args)],
                          capture_output=True, text=True, timeout=timeout)


def tampered(recorded, tmp_path, change):
    """A copy of the recorded results directory whose manifest `change` edits."""
    copy = tmp_path / "copy"
    copy.mkdir()
    for p in recorded.iterdir():
        (copy / p.name).write_bytes(p.read_bytes())
    manifest = json.loads((copy / "manifest.json").read_text())
    change(manifest)
    (copy / "manifest.json").write_text(json.dumps(manifest))
    return copy


def test_a_faithful_manifest_reproduces(cli, gc, recorded):
    done = reproduce(cli, recorded)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reproduced: all" in done.stdout
    outcome = gc.reproduce(recorded)
    assert outcome.reproduced and outcome.rerun
    assert set(outcome.files["status"]) == {"ok"}


def test_dev_zero_is_refused_at_once(cli):
    done = reproduce(cli, "/dev/zero", timeout=20)
    assert done.returncode == 2
    assert "is not a regular file" in done.stderr


def test_a_fifo_is_refused_without_hanging(cli, tmp_path):
    fifo = tmp_path / "manifest.json"
    os.mkfifo(fifo)
    done = reproduce(cli, fifo, timeout=20)
    assert done.returncode == 2
    assert "is not a regular file" in done.stderr


def test_an_oversized_manifest_is_refused(cli, tmp_path):
    big = tmp_path / "manifest.json"
    with open(big, "wb") as f:
        f.truncate(17 << 20)
    done = reproduce(cli, big, timeout=20)
    assert done.returncode == 2
    assert "more than any manifest" in done.stderr


@pytest.mark.parametrize("key,value,words", [
    ("samples", -1, "options/samples must be a whole number 0 or more, got -1"),
    ("rtol", 0, "options/rtol must be between 1e-12 and 0.01, got 0"),
    ("atol", 0, "options/atol must be between 1e-12 and 1, got 0"),
    ("samples", 2.5, "options/samples must be a whole number, got 2.5"),
    ("quantiles", "0.5", "options/quantiles must be a list, got a string"),
])
def test_options_out_of_range_are_refused_before_running(cli, gc, recorded, tmp_path, key,
                                                         value, words):
    def change(m):
        m["options"][key] = value

    copy = tampered(recorded, tmp_path, change)
    done = reproduce(cli, copy, timeout=30)
    assert done.returncode == 2, done.stdout + done.stderr
    assert words in done.stderr
    with pytest.raises(ValueError, match=words.split(" ", 1)[0]):
        gc.reproduce(copy)


def test_output_paths_cannot_leave_the_results_directory(cli, recorded, tmp_path):
    def change(m):
        m["outputs"][0]["path"] = "../../etc/passwd"

    done = reproduce(cli, tampered(recorded, tmp_path, change), timeout=30)
    assert done.returncode == 2
    assert "which is not a result file gapcast writes" in done.stderr


def test_keep_inside_the_results_directory_is_refused(cli, recorded, tmp_path):
    copy = tampered(recorded, tmp_path, lambda m: None)
    for keep in (copy, copy / "rerun"):
        done = reproduce(cli, copy, "--keep", keep, timeout=30)
        assert done.returncode == 2
        assert "is inside the results directory" in done.stderr


def test_a_tampered_file_is_reported_and_never_overwritten(cli, recorded, tmp_path):
    copy = tampered(recorded, tmp_path, lambda m: None)
    (copy / "series.csv").write_text("scenario,metric\nmade,up\n")
    keep = tmp_path / "rerun"
    done = reproduce(cli, copy, "--keep", keep)
    assert done.returncode == 3, done.stdout
    assert "was changed after the run" in done.stdout
    assert (copy / "series.csv").read_text() == "scenario,metric\nmade,up\n"
    assert (keep / "series.csv").read_bytes() == (recorded / "series.csv").read_bytes()


def test_a_newer_manifest_format_is_refused(cli, recorded, tmp_path):
    def change(m):
        m["format_version"] = 99

    done = reproduce(cli, tampered(recorded, tmp_path, change), timeout=30)
    assert done.returncode == 2
    assert "this gapcast reads version 1" in done.stderr


def test_python_reproduce_works_from_a_worker_thread(gc, recorded):
    # The rerun goes through the same background machinery as gapcast.run, which polls for
    # signals; off the main thread there are none to poll, and it must still finish.
    result = {}
    thread = threading.Thread(target=lambda: result.update(r=gc.reproduce(recorded)))
    thread.start()
    thread.join(timeout=120)
    assert result["r"].reproduced
