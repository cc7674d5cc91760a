"""The Python API and the `gapcast` command give byte-identical result files for the same
scenarios, seed and sample count (the manifest differs only in time, command and threads)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import SHIPPED, scenario_file

import gapcast

COMPARED = ("results.json", "series.csv", "scalars.csv")


def run_cli(cli: Path, args: list[str]) -> None:
    done = subprocess.run([str(cli), *args, "--quiet", "--no-progress"], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr


def assert_same_files(a: Path, b: Path, names: tuple[str, ...]) -> None:
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), f"{name} differs"


def test_compare_all_shipped_scenarios(cli, tmp_path):
    files = [str(p) for p in SHIPPED]
    run_cli(cli, ["compare", *files, "--samples", "300", "--seed", "99", "--threads", "1",
                  "--out", str(tmp_path / "cli")])
    results = gapcast.run(files, samples=300, seed=99, threads=2, progress=False)
    results.write(tmp_path / "py")
    assert_same_files(tmp_path / "cli", tmp_path / "py", COMPARED)
    cli_manifest = json.loads((tmp_path / "cli" / "manifest.json").read_text())
    py_manifest = json.loads((tmp_path / "py" / "manifest.json").read_text())
    assert cli_manifest["outputs"] == py_manifest["outputs"]  # same digests of the files
    assert cli_manifest["scenarios"] == py_manifest["scenarios"]
    assert cli_manifest["engine"] == py_manifest["engine"]


def test_raw_samples_and_options(cli, tmp_path):
    files = [str(scenario_file("baseline")), str(scenario_file("multilateral_alignment"))]
    run_cli(cli, ["run", *files, "--samples", "80", "--seed", "5", "--raw", "--horizon",
                  "2031-06", "--quantiles", "10,50,90", "--threshold-multiple", "2",
                  "--out", str(tmp_path / "cli")])
    results = gapcast.run(files, samples=80, seed=5, keep_raw=True, horizon="2031-06",
                          quantiles=[0.1, 0.5, 0.9], threshold_multiple=2.0, progress=False)
    results.write(tmp_path / "py")
    assert_same_files(tmp_path / "cli", tmp_path / "py", (*COMPARED, "samples.csv"))


def test_baseline_option(cli, tmp_path):
    embargo = str(scenario_file("comprehensive_embargo"))
    baseline = str(scenario_file("baseline"))
    run_cli(cli, ["compare", embargo, "--baseline", baseline, "--samples", "60", "--out",
                  str(tmp_path / "cli")])
    gapcast.run(embargo, baseline=baseline, samples=60, progress=False).write(tmp_path / "py")
    assert_same_files(tmp_path / "cli", tmp_path / "py", COMPARED)


def test_edits_in_python_match_command_line_overrides(cli, tmp_path):
    # `--set` on the command line and with_parameters/with_levers in Python are the same
    # override mechanism of the loader, so the composed scenario and every number agree.
    baseline = scenario_file("baseline")
    run_cli(cli, ["run", str(baseline), "--samples", "50",
                  "--set", "world.densing_doubling_months=4.5",
                  "--set", "policy.enforcement_intensity=0.75",
                  "--out", str(tmp_path / "cli")])
    with pytest.warns(gapcast.GapcastWarning, match="fixed value"):  # it is correlated
        edited = (gapcast.load(baseline)
                  .with_parameters(densing_doubling_months=4.5)
                  .with_levers(enforcement_intensity=0.75))
    gapcast.run(edited, samples=50, progress=False).write(tmp_path / "py")
    assert_same_files(tmp_path / "cli", tmp_path / "py", COMPARED)


def test_a_recording_selection_is_the_same_from_both(cli, tmp_path):
    files = [str(scenario_file("baseline")), str(scenario_file("comprehensive_embargo"))]
    run_cli(cli, ["compare", *files, "--samples", "90", "--seed", "4", "--metrics",
                  "gap_training,denied_training_vs_baseline", "--dates", "2030-12,2027-12",
                  "--raw", "--out", str(tmp_path / "cli")])
    results = gapcast.run(files, samples=90, seed=4, keep_raw=True,
                          metrics=["gap_training", "denied_training_vs_baseline"],
                          dates=["2030-12", "2027-12"], progress=False)
    results.write(tmp_path / "py")
    assert_same_files(tmp_path / "cli", tmp_path / "py", (*COMPARED, "samples.csv"))
    header = (tmp_path / "cli" / "samples.csv").read_text().splitlines()[0]
    assert "gap_training@2027-12" in header and "gap_inference@" not in header
    # The directory reads back with its selection, and reproduces byte for byte.
    back = gapcast.Results.read(tmp_path / "cli")
    assert back.metrics == ["gap_training", "denied_training_vs_baseline"]
    done = subprocess.run([str(cli), "reproduce", str(tmp_path / "cli" / "manifest.json")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_bad_recording_selection_exits_2_and_writes_nothing(cli, tmp_path):
    out = tmp_path / "never"
    done = subprocess.run([str(cli), "run", str(scenario_file("baseline")), "--metrics",
                           "gap_trainig", "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 2
    assert ('--metrics: unknown metric "gap_trainig" (did you mean "gap_training"?); '
            'metrics: target_training_effective,') in done.stderr
    assert not out.exists()
    # The terminal tables' years must be recorded months too, checked before running.
    done = subprocess.run([str(cli), "run", str(scenario_file("baseline")), "--dates",
                           "2027-06", "--years", "2030", "--out", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "--years: 2030-12 is not among the recorded months (--dates)" in done.stderr
    assert not out.exists()
