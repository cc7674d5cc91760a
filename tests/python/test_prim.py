"""gapcast.prim: PRIM scenario discovery, checked on a planted box and against EMA Workbench.

The module is loaded from the source tree (python/gapcast/prim.py) so these tests run both
against an installed gapcast and a developer build whose package copy predates the module.
The agreement tests need ema-workbench (a test dependency) and are skipped without it.
"""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

_SOURCE = Path(__file__).resolve().parents[2] / "python" / "gapcast" / "prim.py"
_spec = importlib.util.spec_from_file_location("gapcast_prim_under_test", _SOURCE)
gprim = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = gprim  # dataclasses look their module up by name
_spec.loader.exec_module(gprim)

SEED = 20240601
N = 5000
PLANTED = {"x0": (0.0, 0.3), "x3": (0.6, 1.0)}
STATS = ["coverage", "density", "mass", "res_dim"]


def planted_data(case: str = "planted") -> tuple[pd.DataFrame, np.ndarray]:
    """5,000 points uniform in [0,1]^5 with y = (x0 < 0.3) & (x3 > 0.6); "noisy" flips 10%
    of the labels; "categorical" adds a 4-level string column c and plants
    y = (x0 < 0.4) & (c in {a, c})."""
    rng = np.random.default_rng(SEED)
    x = pd.DataFrame(rng.uniform(size=(N, 5)), columns=[f"x{i}" for i in range(5)])
    y = ((x.x0 < 0.3) & (x.x3 > 0.6)).to_numpy()
    if case == "noisy":
        y = y ^ (rng.uniform(size=N) < 0.10)
    elif case == "categorical":
        x["c"] = pd.Series(rng.choice(list("abcd"), size=N)).astype(object)
        y = ((x.x0 < 0.4) & x.c.isin(["a", "c"])).to_numpy()
    elif case != "planted":
        raise ValueError(case)
    return x, y


# ------------------------------------------------------------------------ planted box


@pytest.mark.parametrize("objective", ["lenient1", "original"])
def test_recovers_the_planted_box(objective):
    x, y = planted_data()
    result = gprim.prim(x, y, objective=objective)
    traj = result.trajectory
    # "original" peels on down to mass_min whatever the density, so the analyst's pick is
    # the densest-enough box with the most coverage; lenient1 stops near the planted box.
    if objective == "original":
        i = int(traj[traj.density > 0.9].coverage.idxmax())
        box = result.select(i)
        assert result.selected == i
    else:
        box = result.box()
    assert box.density > 0.9
    assert box.coverage > 0.8
    assert set(box.limits) == set(PLANTED)
    for name, (lo, hi) in PLANTED.items():
        assert box.limits[name][0] == pytest.approx(lo, abs=0.05), name
        assert box.limits[name][1] == pytest.approx(hi, abs=0.05), name
    # the box's statistics agree with the samples it holds
    inside = np.ones(N, dtype=bool)
    for name, (lo, hi) in box.limits.items():
        inside &= (x[name] >= lo).to_numpy() & (x[name] <= hi).to_numpy()
    assert inside.sum() == box.n and y[inside].sum() == box.k
    assert box.mass == pytest.approx(inside.mean())
    assert box.coverage == pytest.approx(y[inside].sum() / y.sum())
    # the trajectory starts at the whole data and peels down
    assert traj.iloc[0].mass == 1.0 and traj.iloc[0].res_dim == 0
    assert traj.phase.iloc[0] == "init"
    assert (np.diff(traj[traj.phase != "paste"].mass) < 0).all()
    assert traj.mass.min() >= 0.05


def test_quasi_p_values_mark_both_planted_dimensions_significant():
    x, y = planted_data()
    box = gprim.prim(x, y, objective="lenient1").box()
    assert box.qp["x0"][1] < 1e-10 and box.qp["x3"][0] < 1e-10
    assert np.isnan(box.qp["x0"][0]) and np.isnan(box.qp["x3"][1])  # sides not restricted
    frame = box.limits_frame()
    assert list(frame.index) == ["x0", "x3"]


def test_pasting_a_peeled_box_grows_it_and_raises_its_density():
    x, y = planted_data("noisy")
    result = gprim.prim(x, y, objective="lenient1")
    peeled = result.trajectory[result.trajectory.phase == "peel"].index[-1]
    pasted = result.paste(int(peeled))
    before = result.box(int(peeled))
    assert pasted.mass > before.mass
    assert pasted.density > before.density
    # pasting the last peeled box gives the box the run pasted to
    assert pasted.limits == result.box(-1).limits


def test_categorical_column_limits_are_sets_of_allowed_values():
    x, y = planted_data("categorical")
    box = gprim.prim(x, y, objective="lenient1").box()
    assert box.limits["c"] == frozenset({"a", "c"})
    assert box.limits["x0"][1] == pytest.approx(0.4, abs=0.05)
    assert isinstance(box.qp["c"], float) and box.qp["c"] < 1e-10


def test_resample_reproduces_the_planted_dimensions():
    x, y = planted_data()
    result = gprim.prim(x, y, objective="lenient1")
    scores = result.resample(n=6, seed=7)
    assert list(scores.columns) == ["reproduce coverage", "reproduce density"]
    assert scores.loc["x0"].min() == 1.0 and scores.loc["x3"].min() == 1.0
    for name in ("x1", "x2", "x4"):
        assert scores.loc[name].max() <= 0.5, name


# ------------------------------------------------------------------------ bad input


@pytest.mark.parametrize("value, message", [(False, "no sample"), (True, "every sample")])
def test_a_constant_outcome_is_rejected(value, message):
    x, _ = planted_data()
    with pytest.raises(ValueError, match=message):
        gprim.prim(x, np.full(N, value))


def test_nan_in_x_is_rejected_naming_the_column():
    x, y = planted_data()
    x.loc[17, "x2"] = np.nan
    with pytest.raises(ValueError, match="'x2'"):
        gprim.prim(x, y)


def test_other_bad_arguments_are_rejected():
    x, y = planted_data()
    with pytest.raises(ValueError, match="rows"):
        gprim.prim(x, y[:-1])
    with pytest.raises(ValueError, match="objective"):
        gprim.prim(x, y, objective="lenient3")
    with pytest.raises(ValueError, match="boolean"):
        gprim.prim(x, y * 2.5)
    with pytest.raises(IndexError):
        gprim.prim(x, y, objective="lenient1").select(10_000)


def test_a_missed_threshold_is_flagged():
    x, y = planted_data("noisy")
    with pytest.warns(UserWarning, match="below the threshold"):
        result = gprim.prim(x, y, objective="lenient1", threshold=0.99)
    assert not result.threshold_met


# ------------------------------------------------------------------------ EMA Workbench


@pytest.fixture(scope="module")
def ema_prim():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its optional back-ends (ipyparallel, altair)
        return pytest.importorskip("ema_workbench.analysis.prim")


def _ema_box(ema_prim, x, y, objective):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ema_prim.Prim(x, y, threshold=0.5,
                             obj_function=ema_prim.PRIMObjectiveFunctions(objective),
                             peel_alpha=0.05, paste_alpha=0.05, mass_min=0.05).find_box()


@pytest.mark.parametrize("objective", ["original", "lenient1", "lenient2"])
@pytest.mark.parametrize("case", ["planted", "noisy", "categorical"])
def test_trajectory_matches_ema_workbench(ema_prim, case, objective):
    """Same boxes, step by step, peeling and pasting.

    gapcast follows EMA's candidate boxes, sdtoolkit quantile, scoring and tie-breaking, and
    computes densities as k / n exactly as EMA's np.mean of the outcome does, so with
    ema-workbench 2.5.3 the trajectories are identical (max difference measured: 0.0, same
    length: 58/43/43 planted, 61/58/58 noisy, 34/22/22 categorical for
    original/lenient1/lenient2). The 1e-12 tolerance is only there for float summation
    order; a different tie-break or quantile would show up far above it (a single peel
    moves mass by >= 1/5000)."""
    x, y = planted_data(case)
    ema = _ema_box(ema_prim, x, y, objective)
    ours = gprim.prim(x, y, objective=objective, threshold=0.5)
    theirs = ema.peeling_trajectory[STATS].astype(float).reset_index(drop=True)
    mine = ours.trajectory[STATS].astype(float).reset_index(drop=True)
    assert len(mine) == len(theirs)
    np.testing.assert_allclose(mine.to_numpy(), theirs.to_numpy(), rtol=0, atol=1e-12)

    # and the final box's limits
    box = ours.box()
    restricted = list(box.limits)
    init = ema.box_lims[0]
    ema_restricted = [c for c in init.columns if not (ema.box_lim[c] == init[c]).all()]
    assert sorted(restricted) == sorted(ema_restricted)
    for name in restricted:
        lim = box.limits[name]
        if isinstance(lim, frozenset):
            assert lim == ema.box_lim.loc[0, name]
        else:
            np.testing.assert_allclose(lim, ema.box_lim[name].to_numpy(dtype=float),
                                       rtol=0, atol=1e-12)


@pytest.mark.parametrize("objective", ["original", "lenient1"])
@pytest.mark.parametrize("case", ["planted", "noisy", "categorical"])
def test_quasi_p_values_match_ema_workbench(ema_prim, case, objective):
    """EMA calls scipy.stats.binomtest; gapcast sums the binomial tail in log space (no
    scipy dependency). Measured relative difference: < 1e-12 (e.g. 2.7912345520175514e-105
    vs ...172005e-105), down to 1e-305; the 1e-9 tolerance leaves room for libm. EMA writes
    -1 for an unrestricted side, gapcast NaN."""
    x, y = planted_data(case)
    ema = _ema_box(ema_prim, x, y, objective)
    ours = gprim.prim(x, y, objective=objective).box()
    theirs = ema.qp[-1]
    assert sorted(ours.qp) == sorted(theirs)
    for name, mine in ours.qp.items():
        mine = np.atleast_1d(np.asarray(mine, dtype=float))
        ref = np.asarray(theirs[name], dtype=float)[: mine.shape[0]]
        ref = np.where(ref == -1, np.nan, ref)
        np.testing.assert_allclose(mine, ref, rtol=1e-9, atol=0, equal_nan=True,
                                   err_msg=name)
