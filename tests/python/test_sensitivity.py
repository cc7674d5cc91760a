"""The sensitivity analysis through the engine (gapcast.sensitivity, `gapcast sensitivity`):
for the engine's own model outputs, gapcast's indices equal SALib's analysers' (Sobol', Morris,
PAWN) to 1e-9; the files are bit-identical across threads and reproduce; bad options are
refused by name with nothing written."""
from __future__ import annotations

import json
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest

import gapcast

SALib = pytest.importorskip("SALib")
from SALib.analyze import morris as salib_morris  # noqa: E402
from SALib.analyze import pawn as salib_pawn  # noqa: E402
from SALib.analyze import sobol as salib_sobol  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
FACTORS = ["target_lag_months", "software_doubling_months_training",
           "smuggling_pressure_elasticity", "domestic_ramp_doubling_months",
           "anti_distillation_lag_extension"]
METRICS = ["gap_training", "added_gap_months_vs_no_controls"]


def analyse(method: str, samples: int, **extra) -> gapcast.Sensitivity:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gapcast.GapcastWarning)
        return gapcast.sensitivity("comprehensive_embargo", method=method, samples=samples,
                                   parameters=FACTORS, metrics=METRICS,
                                   dates=["2028-12", "2030-12"], horizon="2030-12",
                                   resamples=20, progress=False, keep_values=True, **extra)


def problem() -> dict:
    return {"num_vars": len(FACTORS), "names": FACTORS, "bounds": [[0.0, 1.0]] * len(FACTORS)}


def outputs_of(result: gapcast.Sensitivity):
    for name in result.outputs:
        rows = result.table(name)
        y = np.asarray(result.values[0][name], dtype=float)
        if rows["transform"].iloc[0] == "log10":
            y = np.log10(y)
        yield name, rows, y


def test_sobol_indices_equal_salibs_on_the_engines_outputs():
    result = analyse("sobol", 64)
    assert result.evaluations == 64 * (len(FACTORS) + 2)
    assert result.inputs[0].shape == (result.evaluations, len(FACTORS))
    compared = 0
    for name, rows, y in outputs_of(result):
        if not rows["defined"].iloc[0]:
            continue
        theirs = salib_sobol.analyze(problem(), y, calc_second_order=False,
                                     print_to_console=False, num_resamples=20)
        np.testing.assert_allclose(rows["S1"].to_numpy(), theirs["S1"], rtol=0, atol=1e-9,
                                   err_msg=name)
        np.testing.assert_allclose(rows["ST"].to_numpy(), theirs["ST"], rtol=0, atol=1e-9,
                                   err_msg=name)
        compared += 1
    assert compared >= 4


def test_morris_and_pawn_equal_salibs_on_the_engines_outputs():
    morris = analyse("morris", 8)
    for name, rows, y in outputs_of(morris):
        if not rows["defined"].iloc[0]:
            continue
        theirs = salib_morris.analyze(problem(), morris.inputs[0], y, num_levels=4,
                                      num_resamples=20, print_to_console=False)
        for stat in ("mu", "mu_star", "sigma"):
            np.testing.assert_allclose(rows[stat].to_numpy(), theirs[stat], rtol=0, atol=1e-9,
                                       err_msg=f"{name} {stat}")
    pawn = analyse("pawn", 400, slices=8)
    for name, rows, y in outputs_of(pawn):
        if not rows["defined"].iloc[0]:
            continue
        theirs = salib_pawn.analyze(problem(), pawn.inputs[0], y, S=8, print_to_console=False)
        for stat in ("minimum", "mean", "median", "maximum", "CV"):
            ours = rows[stat.lower() if stat != "CV" else "cv"].to_numpy()
            np.testing.assert_allclose(ours, theirs[stat], rtol=0, atol=1e-9,
                                       err_msg=f"{name} {stat}")


def test_the_design_respects_its_parameters_and_the_rest_stay_at_their_medians():
    result = analyse("sobol", 16)
    x = result.inputs[0]
    assert ((x > 0) & (x < 1)).all()
    # Saltelli blocks: row AB_j differs from A only in column j.
    block = len(FACTORS) + 2
    a, b = x[0], x[block - 1]
    for j in range(len(FACTORS)):
        expected = a.copy()
        expected[j] = b[j]
        np.testing.assert_array_equal(x[1 + j], expected)


def test_files_are_bit_identical_across_threads_and_reproduce(cli, tmp_path):
    base = [str(cli), "sensitivity", str(REPO / "scenarios" / "comprehensive_embargo.json"),
            "-n", "16", "--parameters", ",".join(FACTORS), "--metrics", "gap_training",
            "--dates", "2030-12", "--resamples", "30", "-q", "--no-progress"]
    one = subprocess.run(base + ["-j", "1", "--out", str(tmp_path / "one")], capture_output=True,
                         text=True, timeout=600)
    two = subprocess.run(base + ["-j", "2", "--out", str(tmp_path / "two")], capture_output=True,
                         text=True, timeout=600)
    assert one.returncode == 0 and two.returncode == 0, one.stderr + two.stderr
    for name in ("sensitivity.json", "sensitivity.csv", "assumptions.json"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
    record = json.loads((tmp_path / "one" / "sensitivity.json").read_text())
    assert record["format"] == "gapcast-sensitivity" and record["groups"] == FACTORS
    again = subprocess.run([str(cli), "reproduce", str(tmp_path / "one"), "--no-progress"],
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reproduced: all 3 result files match" in again.stdout


@pytest.mark.parametrize("args, words", [
    (["-n", "100"], "N = 100 is not a power of two"),
    (["--parameters", "target_lag_month"], "did you mean \"target_lag_months\""),
    (["--group", "a=target_lag_months", "--group", "b=target_lag_months"], "--group"),
    (["--metrics", "gap_trainng"], "--metrics"),
    (["--dates", "2040-12"], "--dates"),
    (["--method", "fast"], "--method: must be sobol, morris or pawn"),
    (["--method", "morris", "--second-order"], "--second-order"),
])
def test_the_command_refuses_bad_options_with_status_2_and_writes_nothing(cli, tmp_path, args,
                                                                          words):
    out = tmp_path / "out"
    size = [] if "-n" in args else ["-n", "16"]
    done = subprocess.run([str(cli), "sensitivity",
                           str(REPO / "scenarios" / "baseline.json"), *size, *args,
                           "--out", str(out), "--no-progress"], capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 2, done.stdout + done.stderr
    assert words in done.stderr, done.stderr
    assert not out.exists()


def test_python_refuses_bad_options_with_value_errors():
    with pytest.raises(ValueError, match="128"):
        gapcast.sensitivity("baseline", samples=100, progress=False)
    with pytest.raises(ValueError, match="in two groups|target_lag_months"):
        gapcast.sensitivity("baseline", samples=16, parameters=FACTORS[:2], progress=False,
                            groups={"a": FACTORS[:2], "b": FACTORS[:1]})
    with pytest.raises(ValueError, match="gap_trainng"):
        gapcast.sensitivity("baseline", samples=16, metrics=["gap_trainng"], progress=False)


def test_the_dataset_and_tables_hold_every_index():
    result = analyse("sobol", 16)
    ds = result.to_xarray()
    assert ds["indices"].dims == ("scenario", "metric", "date", "statistic", "parameter")
    assert list(ds["parameter"].values) == FACTORS
    top = result.top("gap_training@2030-12", n=3)
    assert len(top) == 3 and top["ST"].is_monotonic_decreasing
    value = float(ds["indices"].sel(metric="gap_training", date="2030-12", statistic="ST",
                                    parameter=top.index[0]).item())
    assert value == pytest.approx(top["ST"].iloc[0], abs=0)


def test_a_named_group_moves_together_and_the_other_factors_stay_alone():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gapcast.GapcastWarning)
        grouped = gapcast.sensitivity("comprehensive_embargo", samples=16, parameters=FACTORS,
                                      groups={"lags": FACTORS[:2]}, metrics=["gap_training"],
                                      dates=["2030-12"], horizon="2030-12", resamples=0,
                                      progress=False, keep_values=True)
    assert grouped.groups == ["lags", *FACTORS[2:]]
    assert grouped.evaluations == 16 * (len(FACTORS) - 1 + 2)
    # In the group's AB rows both of its columns come from B, and only they.
    x = grouped.inputs[0]
    block = len(grouped.groups) + 2
    a, b, ab = x[0], x[block - 1], x[1]
    np.testing.assert_array_equal(ab[:2], b[:2])
    np.testing.assert_array_equal(ab[2:], a[2:])
