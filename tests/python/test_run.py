"""Running scenarios: options, reproducibility, progress, GIL release, engine errors."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from conftest import scenario_file

import gapcast

BASELINE = str(scenario_file("baseline"))
EMBARGO = str(scenario_file("comprehensive_embargo"))


def test_shapes_and_metadata(all_results):
    r = all_results
    assert r.scenarios == ["baseline", "comprehensive_embargo", "incremental_tightening",
                           "multilateral_alignment", "no_controls"]
    assert r.date_labels[0] == "2026-01" and r.date_labels[-1] == "2035-12"
    assert r.stats == ["mean", "p5", "p25", "p50", "p75", "p95"]
    assert r.series.shape == (5, len(r.metrics), 120, 6)
    assert r.scalars.shape == (5, len(r.scalar_metrics), 6)
    assert r.series_counts.shape == (5, len(r.metrics), 120, 3)
    assert r.series.dtype == np.float64 and r.series_counts.dtype == np.uint64
    # Every sample is counted once in every cell.
    assert (r.series_counts.sum(axis=-1) == 200).all()
    assert (r.scalar_counts.sum(axis=-1) == 200).all()
    info = r.info
    assert (info["seed"], info["samples"], info["engine_version"]) == (11, 200, gapcast.__version__)
    assert info["baseline_policy"] == "baseline"


def test_same_seed_same_bits_for_any_thread_count():
    one = gapcast.run([BASELINE, EMBARGO], samples=120, seed=7, threads=1, progress=False)
    two = gapcast.run([BASELINE, EMBARGO], samples=120, seed=7, threads=2, progress=False)
    assert one.info["threads"] == 1 and two.info["threads"] == 2
    np.testing.assert_array_equal(one.series, two.series)
    np.testing.assert_array_equal(one.scalars, two.scalars)
    other = gapcast.run([BASELINE, EMBARGO], samples=120, seed=8, threads=2, progress=False)
    assert not np.array_equal(np.nan_to_num(one.series), np.nan_to_num(other.series))


def test_common_random_numbers_make_runs_composable():
    # The embargo's statistics do not depend on which other scenarios share the run, and a
    # baseline given explicitly is the same comparison as one run alongside.
    together = gapcast.run([BASELINE, EMBARGO], samples=100, seed=3, progress=False)
    alone = gapcast.run(EMBARGO, samples=100, seed=3, baseline=BASELINE, progress=False)
    np.testing.assert_array_equal(together.series[1], alone.series[0])
    np.testing.assert_array_equal(together.scalars[1], alone.scalars[0])
    k = alone.scalar_metrics.index("delay_months_vs_baseline")
    assert alone.scalar_counts[0, k, 0] > 0  # the comparison exists
    without = gapcast.run(EMBARGO, samples=100, seed=3, progress=False)
    assert without.scenario_info[0]["has_baseline_comparison"] is False
    assert without.scalar_counts[0, k, 2] == 100  # undefined without a baseline


def test_central_run_is_one_sample_at_the_medians():
    r = gapcast.run(BASELINE, central=True, progress=False)
    assert r.samples == 1 and r.info["central"] is True
    m = r.metrics.index("gap_training")
    stats = r.series[0, m, :, :]
    # With one sample every quantile is that sample's value (to the sketch's accuracy).
    np.testing.assert_allclose(stats[:, 3], stats[:, 0], rtol=0.02)


def test_options_are_validated():
    with pytest.raises(ValueError, match="samples"):
        gapcast.run(BASELINE, samples=0, progress=False)
    with pytest.raises(ValueError, match="before the start month"):
        gapcast.run(BASELINE, samples=2, horizon="2025-01", progress=False)
    with pytest.raises(ValueError, match="YYYY-MM"):
        gapcast.run(BASELINE, samples=2, horizon="2030/01", progress=False)
    with pytest.raises(ValueError, match="quantile"):
        gapcast.run(BASELINE, samples=2, quantiles=[0.5, 1.5], progress=False)
    with pytest.raises(ValueError, match="threads"):
        gapcast.run(BASELINE, samples=2, threads=-1, progress=False)
    with pytest.raises(TypeError, match="progress"):
        gapcast.run(BASELINE, samples=2, progress="yes")
    with pytest.raises(ValueError, match="no scenarios"):
        gapcast.run([], samples=2, progress=False)


def test_custom_quantiles_and_horizon():
    r = gapcast.run(BASELINE, samples=50, quantiles=[0.1, 0.5, 0.9], horizon="2028-06",
                    progress=False)
    assert r.stats == ["mean", "p10", "p50", "p90"]
    assert r.date_labels[-1] == "2028-06" and len(r.date_labels) == 30
    ds = r.to_xarray()
    np.testing.assert_array_equal(ds["quantile"].values[1:], [0.1, 0.5, 0.9])


def test_progress_callable_sees_the_run_to_the_end():
    seen: list[tuple[int, int]] = []
    gapcast.run(BASELINE, samples=700, wave_size=100, progress=lambda d, t: seen.append((d, t)))
    assert seen, "progress was never reported"
    assert seen[-1] == (700, 700)
    done = [d for d, _ in seen]
    assert done == sorted(done)


def test_progress_bar_runs_quietly_for_short_runs(capsys):
    gapcast.run(BASELINE, samples=20, progress=True)
    assert capsys.readouterr().err == ""  # tqdm's delay keeps sub-second runs silent


def test_exception_in_progress_stops_the_run():
    class Stop(Exception):
        pass

    def progress(done: int, total: int) -> None:
        raise Stop

    start = time.monotonic()
    with pytest.raises(Stop):
        gapcast.run(BASELINE, samples=1_000_000, wave_size=64, progress=progress)
    assert time.monotonic() - start < 5.0
    # The interpreter and the engine are usable afterwards.
    assert gapcast.run(BASELINE, samples=10, progress=False).samples == 10


def test_gil_is_released_while_the_engine_runs():
    finished = threading.Event()
    ticks = 0

    def work() -> None:
        gapcast.run([BASELINE, EMBARGO], samples=1500, progress=False)
        finished.set()

    worker = threading.Thread(target=work)
    worker.start()
    while not finished.is_set():
        ticks += 1  # pure-Python work: only possible while the run does not hold the GIL
        time.sleep(0)
    worker.join()
    assert ticks > 1000


def test_simulation_error_names_the_sample():
    with pytest.raises(gapcast.SimulationError, match="sample 0.*Drawn values"):
        gapcast.run(BASELINE, samples=3, max_steps=3, progress=False)


def test_raw_values_are_consistent_with_the_statistics(raw_results):
    r = raw_results
    ds = r.raw_dataset()
    assert ds.sizes["sample"] == 150 and ds.sizes["scenario"] == 2
    assert list(ds.date.dt.month.values) == [1] * ds.sizes["date"]
    metric = "gap_training_months"
    m = r.metrics.index(metric)
    for d, date in enumerate(ds.date.values):
        k = list(r.dates).index(date)
        raw = ds.series.sel(metric=metric).isel(date=d).values
        np.testing.assert_allclose(raw.mean(axis=0), r.series[:, m, k, 0], rtol=1e-12)
    # Supply channels add up to the total, sample by sample (what supply_breakdown stacks).
    total = ds.series.sel(metric="target_training_effective")
    parts = sum(ds.series.sel(metric=f"target_training_{c}")
                for c in ("licensed", "smuggled", "domestic", "remote"))
    np.testing.assert_allclose(parts.values, total.values, rtol=1e-9)
    params = r.raw_parameters()
    assert params.shape == (150, ds.sizes["parameter"])
    assert "densing_doubling_months" in params.columns
    # Each scenario's drawn world; the two scenarios share theirs.
    assert ds.parameters.dims == ("sample", "scenario", "parameter")
    assert r.raw_parameters("comprehensive_embargo").equals(params)


def test_results_pickled_with_one_world_of_parameters_still_load(raw_results):
    # Earlier versions kept the first scenario's world only, as (sample, parameter).
    state = raw_results.__getstate__()
    payload = dict(state["payload"])
    payload["raw"] = dict(payload["raw"], parameters=np.array(payload["raw"]["parameters"][:, 0]))
    old = gapcast.Results.__new__(gapcast.Results)
    old.__setstate__(dict(state, payload=payload))
    np.testing.assert_array_equal(old.raw_dataset().parameters.values,
                                  raw_results.raw_dataset().parameters.values)


def test_raw_dates_and_limit():
    r = gapcast.run(BASELINE, samples=10, keep_raw=True, raw_dates=["2027-06", "2030-12"],
                    progress=False)
    assert [str(d)[:7] for d in r.raw_dataset().date.values] == ["2027-06", "2030-12"]
    with pytest.raises(ValueError, match="MiB"):
        gapcast.run(BASELINE, samples=1000, keep_raw=True, raw_limit_bytes=1000,
                    progress=False)
    with pytest.raises(ValueError, match="before the start month"):
        gapcast.run(BASELINE, samples=10, keep_raw=True, raw_dates=["2020-01"], progress=False)


def test_a_metric_selection_records_the_full_runs_cells_only():
    full = gapcast.run([BASELINE, EMBARGO], samples=150, seed=3, horizon="2030-12",
                       progress=False)
    picked = gapcast.run([BASELINE, EMBARGO], samples=150, seed=3, horizon="2030-12",
                         metrics=["gap_training_months", "gap_training"],
                         dates=["2030-12", "2027-06"], progress=False)
    assert picked.metrics == ["gap_training", "gap_training_months"]  # catalogue order
    assert picked.date_labels == ["2027-06", "2030-12"]
    m = [full.metrics.index(name) for name in picked.metrics]
    d = [full.date_labels.index(date) for date in picked.date_labels]
    np.testing.assert_array_equal(picked.series, full.series[:, m][:, :, d])
    np.testing.assert_array_equal(picked.scalars, full.scalars)
    # One name or month may be given as a string; the metric reads as usual.
    one = gapcast.run(BASELINE, samples=20, metrics="gap_inference", dates="2029-03",
                      progress=False)
    assert one.metric("gap_inference").shape == (1, 1, len(one.stats))
    assert one.info["options"]["metrics"] == ["gap_inference"]


def test_a_bad_metric_selection_names_the_valid_choices():
    with pytest.raises(ValueError, match=r'metrics: unknown metric "gap_trainig" '
                                         r'\(did you mean "gap_training"\?\); metrics: '
                                         r'target_training_effective, '):
        gapcast.run(BASELINE, samples=10, metrics=["gap_trainig"], progress=False)
    with pytest.raises(ValueError, match="threshold_month is a scalar metric"):
        gapcast.run(BASELINE, samples=10, metrics="threshold_month", progress=False)
    with pytest.raises(ValueError, match="dates: 2036-01 is after the horizon 2035-12"):
        gapcast.run(BASELINE, samples=10, dates=["2036-01"], progress=False)
    with pytest.raises(ValueError, match="dates: 2025-12 is before the start month 2026-01"):
        gapcast.run(BASELINE, samples=10, dates=["2025-12"], progress=False)
    with pytest.raises(TypeError, match="metrics"):
        gapcast.run(BASELINE, samples=10, metrics=[3], progress=False)


def test_python_defaults_are_the_engines():
    # run()'s explicit defaults must be the engine's (and so the command's): a run without
    # options is the same run from both.
    import inspect

    engine = gapcast.default_options()
    signature = inspect.signature(gapcast.run)
    for name in ("samples", "seed", "threads", "horizon", "central", "threshold_multiple",
                 "keep_raw"):
        assert signature.parameters[name].default == engine[name], name


def test_a_selection_still_feeds_the_ensemble_and_the_observations(tmp_path):
    # The ensemble columns and the observed metric lie outside the recorded cells: the run
    # computes them anyway, so the ensemble and the weights are the full run's.
    observation = {"name": "stock", "metric": "frontier_training_hardware", "date": "2026-03",
                   "normal": {"value": 1.2e7, "sd": 2e6}, "source": "test"}
    common = dict(samples=120, seed=9, horizon="2029-12", observe=[observation],
                  progress=False)
    full = gapcast.run(BASELINE, ensemble=tmp_path / "full.parquet", **common)
    picked = gapcast.run(BASELINE, ensemble=tmp_path / "picked.parquet",
                         metrics="gap_inference", dates="2027-06", **common)
    assert picked.effective_sample_size == full.effective_sample_size
    m, d = full.metrics.index("gap_inference"), full.date_labels.index("2027-06")
    np.testing.assert_array_equal(picked.series[:, 0, 0], full.series[:, m, d])
    a = gapcast.read_ensemble(tmp_path / "full.parquet")
    b = gapcast.read_ensemble(tmp_path / "picked.parquet")
    assert list(a.columns) == list(b.columns) and "gap_training@2028-12" in a.columns
    assert a.equals(b)
