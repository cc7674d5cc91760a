"""Per-sample ensembles (docs/ensembles.md): the Parquet file a run streams, checked against
the run's own raw output, across thread counts and sample counts, through the command and
reproduce, and refused when foreign."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

import gapcast

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = ["baseline", "comprehensive_embargo"]


def run_with_ensemble(path: Path, samples: int, threads: int = 0, **extra) -> gapcast.Results:
    return gapcast.run(SCENARIOS, samples=samples, seed=6, horizon="2030-12", threads=threads,
                       ensemble=path, keep_raw=True, raw_dates=["2027-12", "2030-12"],
                       ensemble_metrics=["gap_training", "domestic_output_per_year",
                                         "threshold_month"],
                       ensemble_dates=["2027-12", "2030-12"], progress=False, **extra)


def test_the_ensemble_holds_the_runs_own_per_sample_values(tmp_path):
    path = tmp_path / "e.parquet"
    r = run_with_ensemble(path, 300)
    frame = gapcast.read_ensemble(path)
    assert list(frame.columns[:5]) == ["sample", "scenario", "threshold_month",
                                       "gap_training@2027-12", "gap_training@2030-12"]
    assert len(frame) == 300 * len(SCENARIOS)
    assert frame["sample"].tolist() == list(np.repeat(np.arange(300), len(SCENARIOS)))
    assert frame["scenario"].tolist() == SCENARIOS * 300
    raw = r.raw_dataset()
    for s, scenario in enumerate(SCENARIOS):
        rows = frame[frame["scenario"] == scenario]
        for i, date in enumerate(["2027-12", "2030-12"]):
            for metric in ("gap_training", "domestic_output_per_year"):
                expected = raw["series"].sel(scenario=scenario, metric=metric).isel(date=i).values
                np.testing.assert_array_equal(rows[f"{metric}@{date}"].to_numpy(), expected)
        np.testing.assert_array_equal(
            rows["threshold_month"].to_numpy(),
            raw["scalars"].sel(scenario=scenario, scalar_metric="threshold_month").values)
        params = [c for c in frame.columns if c.startswith("world.")]
        assert len(params) == len(raw["parameter"])
        np.testing.assert_array_equal(rows[params].to_numpy(),
                                      raw["parameters"].sel(scenario=scenario).values)


def test_the_file_is_bit_identical_across_threads_and_prefix_stable(tmp_path):
    one = tmp_path / "one.parquet"
    two = tmp_path / "two.parquet"
    run_with_ensemble(one, 200, threads=1)
    run_with_ensemble(two, 200, threads=2)
    assert one.read_bytes() == two.read_bytes()
    longer = tmp_path / "longer.parquet"
    run_with_ensemble(longer, 400, threads=2)
    short, long = gapcast.read_ensemble(one), gapcast.read_ensemble(longer)
    np.testing.assert_array_equal(short.drop(columns="scenario").to_numpy(),
                                  long.drop(columns="scenario").to_numpy()[:len(short)])


def test_the_file_is_written_one_row_group_per_wave_and_read_lazily(tmp_path):
    path = tmp_path / "e.parquet"
    run_with_ensemble(path, 300, wave_size=64)
    handle = pq.ParquetFile(path)
    assert handle.metadata.num_row_groups == 5  # 64 + 64 + 64 + 64 + 44 samples
    batches = list(handle.iter_batches(batch_size=10_000, columns=["sample"]))
    assert sum(b.num_rows for b in batches) == 600
    info = gapcast.ensemble_info(path)
    assert info["seed"] == 6 and info["samples"] == 300 and info["scenarios"] == SCENARIOS
    assert info["options"]["ensemble_dates"] == ["2027-12", "2030-12"]
    only = gapcast.read_ensemble(path, columns=["gap_training@2030-12"],
                                 scenarios=["comprehensive_embargo"])
    assert list(only.columns) == ["sample", "scenario", "gap_training@2030-12"]
    assert set(only["scenario"]) == {"comprehensive_embargo"}
    with pytest.raises(KeyError, match="columns: sample, scenario"):
        gapcast.read_ensemble(path, columns=["nope"])
    with pytest.raises(KeyError, match="scenarios: baseline"):
        gapcast.read_ensemble(path, scenarios=["nope"])


def test_a_conditioned_run_carries_its_weights(tmp_path):
    path = tmp_path / "e.parquet"
    r = run_with_ensemble(path, 200, observe=str(REPO / "examples" / "observations" /
                                                 "mid_2026.json"))
    frame = gapcast.read_ensemble(path, columns=["weight"])
    weights = frame[frame["scenario"] == "baseline"]["weight"].to_numpy()
    np.testing.assert_array_equal(weights, r.raw_dataset()["weight"].values)


def test_bad_ensemble_options_and_foreign_files_are_refused(tmp_path):
    with pytest.raises(ValueError, match="unknown metric \"gap_trainng\".*did you mean"):
        gapcast.run("baseline", samples=5, ensemble=tmp_path / "x.parquet",
                    ensemble_metrics=["gap_trainng"], progress=False)
    with pytest.raises(ValueError, match="after the horizon"):
        gapcast.run("baseline", samples=5, horizon="2027-12", ensemble=tmp_path / "x.parquet",
                    ensemble_dates=["2030-12"], progress=False)
    with pytest.raises(ValueError, match="no effect unless"):
        gapcast.run("baseline", samples=5, ensemble_metrics=["gap_training"], progress=False)
    assert not (tmp_path / "x.parquet").exists()
    assert not (tmp_path / "x.parquet.partial").exists()
    import pyarrow as pa
    foreign = tmp_path / "foreign.parquet"
    pq.write_table(pa.table({"a": [1, 2]}), foreign)
    with pytest.raises(gapcast.ResultsFileError, match="not a gapcast ensemble"):
        gapcast.read_ensemble(foreign)
    text = tmp_path / "text.parquet"
    text.write_text("not parquet")
    with pytest.raises(gapcast.ResultsFileError, match="not a readable Parquet file"):
        gapcast.read_ensemble(text)


def test_the_command_lists_the_ensemble_in_its_manifest_and_reproduce_checks_it(cli, tmp_path):
    out = tmp_path / "results"
    done = subprocess.run([str(cli), "run", str(REPO / "scenarios" / "baseline.json"), "-n",
                           "150", "--horizon", "2028-12", "--ensemble", "-q", "--no-progress",
                           "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    listed = json.dumps(manifest)
    assert "ensemble.parquet" in listed
    frame = gapcast.read_ensemble(out / "ensemble.parquet")
    assert len(frame) == 150 and "gap_training@2028-12" in frame.columns
    again = subprocess.run([str(cli), "reproduce", str(out), "--no-progress"],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "ensemble.parquet" in again.stdout and "reproduced: all" in again.stdout
    # Without --out there is nowhere to stream to.
    refused = subprocess.run([str(cli), "run", str(REPO / "scenarios" / "baseline.json"), "-n",
                              "5", "--ensemble", "-q", "--no-progress"],
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "give --out DIR" in refused.stderr
