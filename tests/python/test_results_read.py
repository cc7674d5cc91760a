"""Results.read: a results directory is the same Results as the run that wrote it, and a
directory that is not one is refused with the file and the JSON pointer named.

Issue 8 defects on the reading side: a results.json of the wrong shape used to surface as a
raw ValueError or KeyError from deep inside the report, an unknown format_version was read as
if it were known, and a samples.csv left over from an earlier run was read beside the new
results (it is not in the new manifest).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import scenario_file

import gapcast
from gapcast import ResultsFileError, plotting

RESULT_FILES = ("results.json", "series.csv", "scalars.csv", "assumptions.json", "samples.csv")


@pytest.fixture(scope="module")
def raw_dir(raw_results, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("read") / "results"
    raw_results.write(out)
    return out


def copy_of(directory: Path, tmp_path: Path) -> Path:
    target = tmp_path / "results"
    shutil.copytree(directory, target)
    return target


def rewrite(directory: Path, name: str, edit) -> None:
    """Edits a result file and records its new SHA-256 in the manifest, as if a run had
    written it: the reader's shape checks, not its digest check, must catch the edit."""
    path = directory / name
    if name.endswith(".json"):
        document = json.loads(path.read_text())
        edit(document)
        path.write_text(json.dumps(document, indent=1))
    else:
        path.write_text(edit(path.read_text()))
    manifest_path = directory / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    for output in manifest["outputs"]:
        if output["path"] == name:
            output["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest, indent=1))


# ---- the same results -----------------------------------------------------------------------

def test_read_gives_the_run_back(raw_results, raw_dir):
    read = gapcast.Results.read(raw_dir)
    assert read.source == raw_dir
    assert read.scenarios == raw_results.scenarios
    assert read.metrics == raw_results.metrics and read.stats == raw_results.stats
    assert read.date_labels == raw_results.date_labels
    # Finite statistics are the very same doubles; non-finite ones are NaN (the file has null).
    live = raw_results.series
    np.testing.assert_array_equal(read.series, np.where(np.isfinite(live), live, np.nan))
    np.testing.assert_array_equal(read.scalar_counts, raw_results.scalar_counts)
    assert not read.series.flags.writeable
    assert read.info["seed"] == raw_results.seed and read.samples == raw_results.samples
    assert read.assumptions == json.loads((raw_dir / "assumptions.json").read_text())
    # Per-sample values, from samples.csv.
    assert read.has_raw
    drawn = raw_results.sample_values("baseline", "threshold_month")
    np.testing.assert_array_equal(read.sample_values("baseline", "threshold_month"),
                                  np.where(np.isfinite(drawn), drawn, np.nan))
    assert read.sample_values("baseline", "gap_training", "2030-01") is not None
    assert read.sample_values("baseline", "gap_training", "2030-02") is None
    # The drawn parameters too (samples.csv's world.<parameter> columns), every scenario's.
    np.testing.assert_array_equal(read.raw_dataset().parameters.values,
                                  raw_results.raw_dataset().parameters.values)
    assert read.raw_parameters("comprehensive_embargo").equals(
        raw_results.raw_parameters("comprehensive_embargo"))


def test_read_and_write_again_gives_the_same_files(raw_dir, tmp_path):
    gapcast.Results.read(raw_dir).write(tmp_path / "again")
    for name in RESULT_FILES:
        assert (tmp_path / "again" / name).read_bytes() == (raw_dir / name).read_bytes(), name


def test_provenance_is_the_same_for_the_run_and_its_files(raw_results, raw_dir):
    read = gapcast.Results.read(raw_dir)
    assert read.provenance.results_sha256 == hashlib.sha256(
        (raw_dir / "results.json").read_bytes()).hexdigest()
    assert read.provenance == raw_results.provenance
    assert read.provenance.caption().startswith(f"gapcast {gapcast.__version__} (")


def test_read_results_pickle_and_plot(raw_dir):
    read = pickle.loads(pickle.dumps(gapcast.Results.read(raw_dir)))
    assert read.source == raw_dir and read.provenance.results_sha256
    # The notebook plots take results read from a directory as they take a run.
    ax = plotting.fan_chart(read, "gap_training")
    assert [line.get_label() for line in ax.get_lines()] == read.scenarios
    plotting.baseline_comparison(read)
    import matplotlib.pyplot as plt

    plt.close("all")


def test_results_of_the_command_read(cli, tmp_path):
    import subprocess

    out = tmp_path / "cli"
    done = subprocess.run([str(cli), "run", str(scenario_file("baseline")), "--samples", "20",
                           "--quiet", "--no-progress", "--out", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    read = gapcast.Results.read(out)
    assert read.scenarios == ["baseline"] and not read.has_raw
    assert read.report_months() == ["2027-12", "2030-12", "2035-12"]


# ---- refused ----------------------------------------------------------------------------------

def test_a_stale_samples_csv_not_in_the_manifest_is_ignored(raw_dir, tmp_path):
    # The defect: `gapcast run --raw` then `gapcast run` into the same directory left the
    # first samples.csv beside the second run's results, and the report drew from it.
    without = tmp_path / "without"
    gapcast.Results.read(raw_dir).write(without)
    manifest = json.loads((without / "manifest.json").read_text())
    manifest["outputs"] = [o for o in manifest["outputs"] if o["path"] != "samples.csv"]
    (without / "manifest.json").write_text(json.dumps(manifest))
    read = gapcast.Results.read(without)
    assert not read.has_raw and read.sample_values("baseline", "threshold_month") is None
    assert (without / "samples.csv").exists()


@pytest.mark.parametrize(("edit", "pointer", "words"), [
    (lambda d: d["series"].pop("baseline"), "/series", 'member "baseline" is missing'),
    (lambda d: d["series"]["baseline"]["gap_training"]["p50"].pop(),
     "/series/baseline/gap_training/p50", "expected 120 values"),
    (lambda d: d["series"]["baseline"]["gap_training"]["p50"].__setitem__(3, "7"),
     "/series/baseline/gap_training/p50/3", "expected a number or null, got the string '7'"),
    (lambda d: d.__setitem__("scenarios", {}), "/scenarios", "expected an array"),
    (lambda d: d["run"].__setitem__("samples", -3), "/run/samples", "whole number"),
    (lambda d: d["scalars"]["baseline"]["threshold_month"].pop("samples_finite"),
     "/scalars/baseline/threshold_month", 'member "samples_finite" is missing'),
    (lambda d: d["metrics"][0].__setitem__("kind", "vibes"), "/metrics/0/kind",
     '"distribution" or "probability"'),
])
def test_a_results_json_of_the_wrong_shape_is_located(raw_dir, tmp_path, edit, pointer, words):
    directory = copy_of(raw_dir, tmp_path)
    rewrite(directory, "results.json", edit)
    with pytest.raises(ResultsFileError) as caught:
        gapcast.Results.read(directory)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.path == os.fspath(directory / "results.json") and error.pointer == pointer
    assert str(error).startswith(f"{directory / 'results.json'}: {pointer}: ")
    assert words in str(error)


@pytest.mark.parametrize(("version", "words"), [
    (2, "format_version 2 is not one this gapcast reads (it reads 1)"),
    ("1", 'format_version "1" is not one'),
    (None, 'has no "format_version"'),
])
def test_an_unknown_format_version_is_refused(raw_dir, tmp_path, version, words):
    directory = copy_of(raw_dir, tmp_path)

    def edit(document):
        if version is None:
            del document["format_version"]
        else:
            document["format_version"] = version

    rewrite(directory, "results.json", edit)
    with pytest.raises(ResultsFileError, match="results.json: .*" + words.replace("(", r"\(")
                       .replace(")", r"\)")):
        gapcast.Results.read(directory)
    # The manifest is held to the same rule.
    directory = copy_of(raw_dir, tmp_path / "m")
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["format_version"] = 7
    (directory / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ResultsFileError, match=r"manifest.json: /format_version: "
                                               r"format_version 7 is not one"):
        gapcast.Results.read(directory)


def test_a_file_changed_after_the_run_is_refused(raw_dir, tmp_path):
    directory = copy_of(raw_dir, tmp_path)
    with open(directory / "samples.csv", "a") as f:
        f.write("\n")
    with pytest.raises(ResultsFileError, match=r"samples.csv: is not the file manifest.json "
                                               r"lists .* changed or replaced after the run"):
        gapcast.Results.read(directory)


def test_not_a_results_directory(raw_dir, tmp_path):
    with pytest.raises(ResultsFileError, match="is not a directory"):
        gapcast.Results.read(tmp_path / "nothing")
    with pytest.raises(ResultsFileError, match=r"manifest.json: is missing"):
        gapcast.Results.read(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json")
    with pytest.raises(ResultsFileError, match=r"manifest.json: is not valid JSON: .* line 1"):
        gapcast.Results.read(tmp_path)
    (tmp_path / "manifest.json").write_text('{"format": "gapcast-report"}')
    with pytest.raises(ResultsFileError, match=r'/format: not a gapcast file of format '
                                               r'"gapcast-manifest"'):
        gapcast.Results.read(tmp_path)


def test_only_files_inside_the_directory_are_read(raw_dir, tmp_path):
    directory = copy_of(raw_dir, tmp_path)
    manifest = json.loads((directory / "manifest.json").read_text())
    manifest["outputs"][0]["path"] = "../results.json"
    (directory / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ResultsFileError, match=r"/outputs/0/path: expected a file name inside"):
        gapcast.Results.read(directory)


def test_a_fifo_is_refused_not_waited_for(raw_dir, tmp_path):
    directory = copy_of(raw_dir, tmp_path)
    (directory / "results.json").unlink()
    os.mkfifo(directory / "results.json")
    with pytest.raises(ResultsFileError, match="results.json: is not a regular file"):
        gapcast.Results.read(directory)
