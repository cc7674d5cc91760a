"""Results: zero-copy arrays and views, xarray and pandas forms, files, pickling, display."""

from __future__ import annotations

import gc
import io
import json
import pickle

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import gapcast


def test_arrays_own_the_engine_buffers(all_results):
    for array in (all_results.series, all_results.scalars, all_results.series_counts,
                  all_results.scalar_counts):
        assert not array.flags.owndata
        assert type(array.base).__name__ == "PyCapsule"  # the moved C++ vector
        assert not array.flags.writeable
        assert array.flags.c_contiguous
    with pytest.raises(ValueError):
        all_results.series[0, 0, 0, 0] = 1.0


def test_arrays_outlive_the_results_object():
    r = gapcast.run("baseline", samples=30, seed=2, progress=False)
    series = r.series
    expected = series.copy()
    del r
    gc.collect()
    np.testing.assert_array_equal(series, expected)


def test_views_share_memory_with_the_engine_buffer(all_results):
    r = all_results
    ds = r.to_xarray()
    assert np.shares_memory(ds["series"].values, r.series)
    assert np.shares_memory(ds["scalars"].values, r.scalars)
    gap = r.metric("gap_training_months")
    assert np.shares_memory(gap.values, r.series)
    frame = r.series_frame()
    assert np.shares_memory(frame.to_numpy(), r.series)
    raw_owner = gapcast.run("baseline", samples=5, keep_raw=True, progress=False)
    assert np.shares_memory(raw_owner.raw_dataset()["series"].values,
                            raw_owner._payload["raw"]["series"])


def test_dataset_coordinates_and_units(all_results):
    ds = all_results.to_xarray()
    assert isinstance(ds, xr.Dataset)
    assert ds["series"].dims == ("scenario", "metric", "date", "stat")
    assert ds["scalars"].dims == ("scenario", "scalar_metric", "stat")
    assert ds.sizes["date"] == 120
    assert str(ds.date.values[0])[:7] == "2026-01"
    assert ds.metric_unit.sel(metric="gap_training_months").item() == "months"
    assert ds.attrs["seed"] == 11 and ds.attrs["samples"] == 200
    assert np.isnan(ds["quantile"].sel(stat="mean"))
    gap = all_results.metric("gap_training")
    assert gap.dims == ("scenario", "date", "stat")
    assert gap.attrs["units"] == "x"
    median = gap.sel(scenario="baseline", stat="p50", date="2030-12-01").item()
    m = all_results.metrics.index("gap_training")
    assert median == all_results.series[0, m, all_results.date_labels.index("2030-12"), 3]
    delay = all_results.scalar("delay_months_vs_baseline")
    assert delay.attrs["units"] == "months"
    with pytest.raises(KeyError, match="did you mean 'gap_training'"):
        all_results.metric("gap_trainin")


def test_frames_match_the_csv_files(all_results):
    r = all_results
    csv = pd.read_csv(io.StringIO(r.series_csv()))
    frame = r.series_frame()
    assert list(frame.columns) == list(csv.columns[3:])
    # Shortest round-trip text: the CSV reads back to the very same doubles.
    np.testing.assert_array_equal(frame.to_numpy(), csv.iloc[:, 3:].to_numpy())
    assert frame.index[0] == ("baseline", r.metrics[0], pd.Timestamp("2026-01-01"))
    scalars_csv = pd.read_csv(io.StringIO(r.scalars_csv()))
    scalars = r.scalars_frame()
    np.testing.assert_array_equal(scalars.to_numpy(dtype=float),
                                  scalars_csv.iloc[:, 2:].to_numpy(dtype=float))


def test_results_json_and_manifest(all_results):
    doc = json.loads(all_results.results_json())
    assert doc["format"] == "gapcast-results"
    assert doc["run"]["seed"] == 11
    assert [s["name"] for s in doc["scenarios"]] == all_results.scenarios
    manifest = all_results.manifest
    assert manifest["format"] == "gapcast-manifest"
    assert manifest["engine"]["version"] == gapcast.__version__
    assert manifest["run"]["samples"] == 200
    files = manifest["scenarios"][0]["files"]
    assert [f["role"] for f in files] == ["scenario", "world", "policy"]
    assert all(len(f["sha256"]) == 64 for f in files)
    # The recorded call reruns the same thing.
    assert manifest["command"][:2] == ["python", "-c"]
    assert "seed=11" in manifest["command"][2]


def test_write_files_atomically(all_results, tmp_path):
    out = tmp_path / "out"
    written = all_results.write(out)
    assert sorted(p.name for p in written) == ["assumptions.json", "manifest.json",
                                               "results.json", "scalars.csv", "series.csv"]
    assert (out / "results.json").read_text() == all_results.results_json()
    manifest = json.loads((out / "manifest.json").read_text())
    assert [o["path"] for o in manifest["outputs"]] == ["results.json", "series.csv",
                                                        "scalars.csv", "assumptions.json"]
    # No staging directories are left behind.
    # (the hidden .out.lock beside it stays: it is how two writers learn of each other)
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".lock") == ["out"]


def test_pickle_round_trip_keeps_everything(all_results, tmp_path):
    restored = pickle.loads(pickle.dumps(all_results))
    np.testing.assert_array_equal(restored.series, all_results.series)
    assert not restored.series.flags.writeable
    assert restored.results_json() == all_results.results_json()
    assert restored.series_csv() == all_results.series_csv()
    assert restored.manifest == all_results.manifest
    restored.write(tmp_path / "again")
    assert (tmp_path / "again" / "scalars.csv").read_text() == all_results.scalars_csv()


def test_raw_results_pickle_and_write(raw_results, tmp_path):
    restored = pickle.loads(pickle.dumps(raw_results))
    assert restored.samples_csv() == raw_results.samples_csv()
    xr.testing.assert_identical(restored.raw_dataset(), raw_results.raw_dataset())
    names = [p.name for p in raw_results.write(tmp_path)]
    assert "samples.csv" in names


def test_no_raw_values_without_keep_raw(all_results):
    assert not all_results.has_raw
    with pytest.raises(ValueError, match="keep_raw"):
        all_results.raw_dataset()
    assert all_results.samples_csv() == ""


def test_tables_and_display(all_results):
    text = all_results.comparison()
    assert "comprehensive_embargo" in text and "delay" in text.lower()
    assert "2030-12" in all_results.summary(years=[2030])
    assert all_results.report_months(years=[2027, 2030]) == ["2027-12", "2030-12"]
    page = all_results._repr_html_()
    for name in all_results.scenarios:
        assert name in page
    assert "median [5th, 95th percentile]" in page
    assert "gap_training_months" in page
    assert repr(all_results).startswith("<gapcast.Results: 5 scenario(s) baseline,")
