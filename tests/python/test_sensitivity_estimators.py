"""gapcast's global-sensitivity estimators (core/gapcast/sensitivity, bound as
gapcast._core.sensitivity_*) side by side with SALib's: the same designs row for row, and for
the same outputs the same Sobol', Morris and PAWN indices to 1e-9. The bootstrap intervals use
different random numbers, so they are compared only in size."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import qmc
from SALib.analyze import morris as salib_morris
from SALib.analyze import pawn as salib_pawn
from SALib.analyze import sobol as salib_sobol
from SALib.sample import morris as salib_morris_sample
from SALib.sample import sobol as salib_sobol_sample

from gapcast import _core

TOLERANCE = 1e-9


def problem(names, groups=None):
    p = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    if groups is not None:
        p["groups"] = list(groups)
    return p


def ishigami(u):
    x = -np.pi + 2 * np.pi * u
    return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])


def nonlinear(u):
    """Five inputs: an interaction, a non-monotone term, a cubic and one that does nothing."""
    return (u[:, 0] * u[:, 1] * 4 + np.exp(u[:, 2]) * np.sin(6 * u[:, 3])
            + 0.5 * u[:, 0] ** 3 + 0 * u[:, 4])


def max_difference(ours, theirs):
    ours, theirs = np.asarray(ours, float), np.asarray(theirs, float)
    assert ours.shape == theirs.shape
    assert np.array_equal(np.isnan(ours), np.isnan(theirs))
    both = ~np.isnan(ours)
    return float(np.max(np.abs(ours[both] - theirs[both]), initial=0.0))


def assert_similar_widths(ours, theirs):
    """Bootstrap half-widths from 1000 resamples each: within a third of each other (an input
    without effect has zero width in both)."""
    ours, theirs = np.asarray(ours, float).ravel(), np.asarray(theirs, float).ravel()
    assert np.array_equal(np.isnan(ours), np.isnan(theirs))
    ours, theirs = ours[~np.isnan(ours)], theirs[~np.isnan(theirs)]
    zero = theirs < 1e-12
    assert (ours[zero] < 1e-12).all()
    ratio = ours[~zero] / theirs[~zero]
    assert ((ratio > 0.75) & (ratio < 1.33)).all(), ratio


# ---- designs -------------------------------------------------------------------------------

@pytest.mark.parametrize("dimension, count", [(1, 4096), (2, 4096), (7, 4096), (40, 4096),
                                              (20, 2 ** 16), (3667, 1024)])
def test_unscrambled_sobol_points_are_scipys(dimension, count):
    ours = _core.sensitivity_sobol_points(dimension, count)
    assert np.array_equal(ours, qmc.Sobol(dimension, scramble=False).random(count))
    # Any block is the same points, computed from its own start.
    assert np.array_equal(_core.sensitivity_sobol_points(dimension, 300, first=700),
                          ours[700:1000])


def test_scrambled_sobol_points_are_a_randomised_net():
    points = _core.sensitivity_sobol_points(8, 1024, scramble_seed=5)
    assert points.min() >= 0 and points.max() < 1
    for k in range(1, 11):  # each coordinate: one point per interval of width 2^-k
        counts = np.apply_along_axis(
            lambda c: np.bincount((c[: 2 ** k] * 2 ** k).astype(int), minlength=2 ** k), 0,
            points)
        assert (counts == 1).all(), k
    assert not np.array_equal(points, _core.sensitivity_sobol_points(8, 1024, scramble_seed=6))
    assert np.array_equal(points, _core.sensitivity_sobol_points(8, 1024, scramble_seed=5))


@pytest.mark.parametrize("second_order", [False, True])
@pytest.mark.parametrize("groups", [None, ["a", "b", "a", "c"]])
def test_unscrambled_saltelli_design_is_salibs_row_for_row(second_order, groups):
    names = ["x1", "x2", "x3", "x4"]
    theirs = salib_sobol_sample.sample(problem(names, groups), 64,
                                       calc_second_order=second_order, scramble=False)
    ours = _core.sensitivity_saltelli_design(names, 64, second_order=second_order, groups=groups,
                                             scramble=False)
    assert np.array_equal(ours, theirs)


@pytest.mark.parametrize("second_order", [False, True])
def test_scrambled_saltelli_design_has_salibs_layout(second_order):
    names = ["x1", "x2", "x3"]
    theirs = salib_sobol_sample.sample(problem(names), 256, calc_second_order=second_order,
                                       seed=1)
    ours = _core.sensitivity_saltelli_design(names, 256, second_order=second_order, seed=1)
    assert ours.shape == theirs.shape
    d = len(names)
    block = 2 * d + 2 if second_order else d + 2
    rows = ours.reshape(256, block, d)
    a, b = rows[:, 0, :], rows[:, -1, :]
    for j in range(d):
        ab = rows[:, 1 + j, :]
        assert np.array_equal(ab[:, j], b[:, j])
        assert np.array_equal(np.delete(ab, j, axis=1), np.delete(a, j, axis=1))
        if second_order:
            ba = rows[:, 1 + d + j, :]
            assert np.array_equal(ba[:, j], a[:, j])
            assert np.array_equal(np.delete(ba, j, axis=1), np.delete(b, j, axis=1))
    # A and B together are a scrambled Sobol' net in 2D dimensions, like SALib's base.
    base = np.hstack([a, b])
    assert (np.sort((base * 256).astype(int), axis=0) == np.arange(256)[:, None]).all()


def test_saltelli_refusals_name_the_fix():
    with pytest.raises(ValueError, match="N = 1000 is not a power of two.*use N = 1024"):
        _core.sensitivity_saltelli_design(["a", "b"], 1000)
    with pytest.raises(ValueError, match='"b" is in two groups'):
        _core.sensitivity_saltelli_design(["a", "b", "c"], 64, groups={"g": ["a", "b"],
                                                                       "h": ["b", "c"]})
    y = np.ones(64 * 4)
    y[3] = np.inf
    with pytest.raises(ValueError, match="1 non-finite value of 256"):
        _core.sensitivity_sobol_indices(["a", "b"], y)


# ---- Sobol' indices ------------------------------------------------------------------------

SOBOL_CASES = [
    ("ishigami", ["x1", "x2", "x3"], None),
    ("ishigami", ["x1", "x2", "x3"], ["x1 and x3", "x2", "x1 and x3"]),
    ("nonlinear", ["u1", "u2", "u3", "u4", "u5"], None),
    ("nonlinear", ["u1", "u2", "u3", "u4", "u5"], ["g1", "g1", "g2", "g3", "g3"]),
]


@pytest.mark.parametrize("second_order", [False, True])
@pytest.mark.parametrize("model, names, groups", SOBOL_CASES)
def test_sobol_indices_equal_salibs(model, names, groups, second_order):
    f = {"ishigami": ishigami, "nonlinear": nonlinear}[model]
    x = _core.sensitivity_saltelli_design(names, 1024, second_order=second_order, groups=groups,
                                          seed=3)
    y = f(x)
    ours = _core.sensitivity_sobol_indices(names, y, second_order=second_order, groups=groups,
                                           seed=4)
    theirs = salib_sobol.analyze(problem(names, groups), y, calc_second_order=second_order,
                                 num_resamples=1000, print_to_console=False, seed=4)
    for key in ["S1", "ST"] + (["S2"] if second_order else []):
        assert max_difference(ours[key], theirs[key]) < TOLERANCE, key
        # Same bootstrap, different random numbers: the half-widths agree in size.
        assert_similar_widths(ours[key + "_conf"], theirs[key + "_conf"])
    assert ours["defined"]


def test_sobol_indices_with_a_constant_output_are_undefined_not_an_error():
    ours = _core.sensitivity_sobol_indices(["a", "b"], np.full(64 * 4, 3.0))
    assert not ours["defined"]
    assert np.isnan(ours["S1"]).all() and ours["checks"] == []


# ---- Morris --------------------------------------------------------------------------------

@pytest.mark.parametrize("groups", [None, ["ab", "ab", "c", "d"]])
@pytest.mark.parametrize("levels", [4, 6])
def test_morris_on_gapcasts_design_equals_salib(groups, levels):
    names = ["a", "b", "c", "d"]
    x = _core.sensitivity_morris_design(names, 60, num_levels=levels, groups=groups, seed=2)
    y = nonlinear(np.hstack([x, x[:, :1]]))
    ours = _core.sensitivity_morris_indices(names, x, y, num_levels=levels, groups=groups,
                                            seed=1)
    theirs = salib_morris.analyze(problem(names, groups), x, y, num_levels=levels,
                                  num_resamples=1000, seed=1)
    for key in ("mu", "mu_star", "sigma"):
        assert max_difference(ours[key], theirs[key]) < TOLERANCE, key
    assert_similar_widths(ours["mu_star_conf"], theirs["mu_star_conf"])


@pytest.mark.parametrize("groups", [None, ["ab", "ab", "c", "d"]])
def test_morris_on_salibs_design_equals_salib(groups):
    names = ["a", "b", "c", "d"]
    p = problem(names, groups)
    x = salib_morris_sample.sample(p, 40, num_levels=4, seed=7)
    y = ishigami(x[:, :3]) + x[:, 3]
    ours = _core.sensitivity_morris_indices(names, x, y, groups=groups)
    theirs = salib_morris.analyze(p, x, y, num_levels=4, seed=1)
    for key in ("mu", "mu_star", "sigma"):
        assert max_difference(ours[key], theirs[key]) < TOLERANCE, key


def test_morris_design_moves_one_group_a_step_like_salibs():
    names = ["a", "b", "c"]
    ours = _core.sensitivity_morris_design(names, 30, groups=["g", "h", "g"], seed=1)
    theirs = salib_morris_sample.sample(problem(names, ["g", "h", "g"]), 30, seed=1)
    assert ours.shape == theirs.shape == (90, 3)
    for x in (ours, theirs):
        steps = np.diff(x.reshape(30, 3, 3), axis=1)  # trajectories x steps x parameters
        moved = steps != 0
        # Each step moves either {a, c} together or b alone, by delta = 2/3.
        assert (moved[:, :, 0] == moved[:, :, 2]).all()
        assert (moved[:, :, 0] != moved[:, :, 1]).all()
        assert np.allclose(np.abs(steps[moved]), 2 / 3)
        assert set(np.unique(np.round(x * 3, 12))) <= {0, 1, 2, 3}


# ---- PAWN ----------------------------------------------------------------------------------

def pawn_sample(n, seed=0, ties=False):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, 4))
    x = z.copy()
    x[:, 1] = 0.6 * z[:, 0] + 0.8 * z[:, 1]  # correlated inputs are fine for PAWN
    if ties:
        x[:, 3] = np.round(x[:, 3])  # a discrete input: quantiles fall on data points
    y = np.exp(x[:, 0]) + np.sin(2 * x[:, 2]) + 0.3 * x[:, 3] ** 2
    return x, y


@pytest.mark.parametrize("n, slices, ties", [(2000, 10, False), (2001, 10, True),
                                             (999, 7, True), (500, 13, False)])
def test_pawn_equals_salib(n, slices, ties):
    names = ["a", "b", "c", "d"]
    x, y = pawn_sample(n, seed=n, ties=ties)
    ours = _core.sensitivity_pawn_indices(names, x, y, slices=slices)
    theirs = salib_pawn.analyze(problem(names), x, y, S=slices)
    for key in ("minimum", "mean", "median", "maximum", "CV", "stdev"):
        assert max_difference(ours[key], theirs[key]) < TOLERANCE, key


def test_pawn_with_groups_equals_salib():
    names = ["a", "b", "c", "d"]
    groups = ["ab", "ab", "c", "d"]
    x, y = pawn_sample(1500, seed=3)
    ours = _core.sensitivity_pawn_indices(names, x, y, slices=10, groups=groups)
    p = problem(names, groups)
    theirs = salib_pawn.analyze(p, x, y, S=10)
    for key in ("minimum", "mean", "median", "maximum", "CV", "stdev"):
        assert max_difference(ours[key], theirs[key]) < TOLERANCE, key
