"""The plots of a sensitivity analysis (gapcast.sensitivity_plots), on small real results:
each draws one bar, area or point per thing it says it shows, in the order of the indices;
the stacked areas add up to what the indices say; and a name that is not in the result is a
KeyError naming what is."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pytest

import gapcast
from gapcast.sensitivity_plots import (
    bars_chart,
    morris_chart,
    over_time_chart,
    over_time_layers,
)

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the off-screen backend
from matplotlib.collections import PathCollection, PolyCollection  # noqa: E402

SCENARIO = "comprehensive_embargo"
PARAMETERS = ["software_doubling_months_training", "densing_doubling_months",
              "target_lag_months", "smuggling_pressure_elasticity",
              "domestic_ramp_doubling_months"]
METRICS = ["gap_training", "gap_training_months", "added_gap_months_vs_no_controls"]
DATES = ["2027-12", "2030-12", "2033-12"]


def analyse(method: str, samples: int, **options):
    # The small designs warn (wide intervals, correlations the design leaves out): expected.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gapcast.GapcastWarning)
        return gapcast.sensitivity(SCENARIO, method=method, samples=samples,
                                   parameters=PARAMETERS, metrics=METRICS, dates=DATES,
                                   seed=3, progress=False, **options)


@pytest.fixture(scope="module")
def sobol():
    return analyse("sobol", 32)


@pytest.fixture(scope="module")
def morris():
    return analyse("morris", 8)


@pytest.fixture(scope="module")
def pawn():
    return analyse("pawn", 300)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def labels_of(ax) -> list[str]:
    """The bars' names from the top of the plot down."""
    ticks = sorted(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels())),
                   reverse=True)
    return [name for _, name in ticks]


# ---- bars -----------------------------------------------------------------------------------

def test_sobol_bars_are_st_and_s1_of_the_leading_factors_in_order(sobol):
    output = "gap_training@2030-12"
    ax = bars_chart(sobol, output, SCENARIO, 3)
    top = sobol.top(output, n=3)
    assert len(ax.patches) == 6  # ST and S1 of each
    assert labels_of(ax) == list(top.index)  # the leading factor on top
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == pytest.approx(sorted([*top["ST"], *top["S1"]]))
    # Error bars: one per bar, as long as the bootstrap half-widths.
    spans = sorted(float(np.ptp(seg[:, 0])) for line in ax.collections
                   for seg in line.get_segments())
    assert spans == pytest.approx(sorted(2 * np.r_[top["ST_conf"], top["S1_conf"]]))


def test_more_bars_than_factors_draws_every_factor_once(sobol):
    ax = sobol.plot_bars("added_gap_months_vs_no_controls@2033-12", n=50)
    assert len(ax.patches) == 2 * len(PARAMETERS)
    assert sorted(labels_of(ax)) == sorted(PARAMETERS)


def test_morris_bars_are_mu_star(morris):
    output = "gap_training_months@2030-12"
    ax = morris.plot_bars(output, n=4)
    top = morris.top(output, n=4)
    assert len(ax.patches) == 4
    assert labels_of(ax) == list(top.index)
    assert [p.get_width() for p in ax.patches] == pytest.approx(list(top["mu_star"]))


def test_pawn_bars_are_medians_with_min_max_whiskers(pawn):
    output = "gap_training@2030-12"
    ax = pawn.plot_bars(output, n=3)
    top = pawn.top(output, n=3, by="median")
    assert len(ax.patches) == 3
    assert [p.get_width() for p in ax.patches] == pytest.approx(list(top["median"]))
    [whiskers] = ax.collections
    ends = [tuple(seg[:, 0]) for seg in whiskers.get_segments()]
    assert ends == pytest.approx(list(zip(top["minimum"], top["maximum"])))


# ---- over time ------------------------------------------------------------------------------

def test_sobol_layers_add_up_to_the_first_order_indices_and_the_rest(sobol):
    layers = over_time_layers(sobol, "gap_training", n=2)
    s1 = sobol.to_xarray()["indices"].sel(scenario=SCENARIO, metric="gap_training",
                                          statistic="S1").clip(min=0)
    assert [d.strftime("%Y-%m") for d in layers.index] == DATES
    leading = list(layers.columns[:2])
    assert list(layers.columns[2:3]) == ["other"]
    # The two leading factors by their mean S1 over the months, then the other three summed.
    assert set(leading) == set(s1.mean("date").to_series().nlargest(2).index)
    for name in leading:
        assert layers[name].to_numpy() == pytest.approx(s1.sel(parameter=name).to_numpy())
    explained = s1.sum("parameter").to_numpy()
    assert layers[leading + ["other"]].sum(axis=1).to_numpy() == pytest.approx(explained)
    if "interactions" in layers:
        assert layers.sum(axis=1).to_numpy() == pytest.approx(np.maximum(explained, 1.0))
    else:
        assert (explained >= 1.0).all()


def test_the_chart_stacks_one_area_per_layer_up_to_their_sum(sobol):
    layers = over_time_layers(sobol, "gap_training", n=3)
    ax = over_time_chart(sobol, "gap_training", SCENARIO, None, 3)
    areas = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(areas) == len(layers.columns)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(layers.columns)[::-1]
    # The top edge of the last area is the running sum of every layer.
    top = areas[-1].get_paths()[0].vertices[:, 1].max()
    assert top == pytest.approx(layers.sum(axis=1).max())


def test_morris_layers_are_shares_of_each_months_mu_star(morris):
    layers = over_time_layers(morris, "gap_training_months", n=2)
    assert list(layers.columns) == [*layers.columns[:2], "other"]
    assert layers.sum(axis=1).to_numpy() == pytest.approx(np.ones(len(DATES)))
    mu = morris.to_xarray()["indices"].sel(scenario=SCENARIO, metric="gap_training_months",
                                           statistic="mu_star").clip(min=0)
    name = layers.columns[0]
    share = (mu.sel(parameter=name) / mu.sum("parameter")).to_numpy()
    assert layers[name].to_numpy() == pytest.approx(share)


def test_pawn_layers_are_the_mean_ks_distances(pawn):
    ax = pawn.plot_over_time("gap_training", n=len(PARAMETERS))
    layers = over_time_layers(pawn, "gap_training", n=len(PARAMETERS))
    # Every factor, and no "other" or "interactions" (PAWN indices are not shares of anything).
    assert sorted(layers.columns) == sorted(PARAMETERS)
    mean = pawn.to_xarray()["indices"].sel(scenario=SCENARIO, metric="gap_training",
                                           statistic="mean")
    assert layers.sum(axis=1).to_numpy() == pytest.approx(mean.sum("parameter").to_numpy())
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == len(PARAMETERS)


def test_a_group_called_other_keeps_its_own_layer():
    grouped = analyse("sobol", 16, groups={"software": PARAMETERS[:2], "other": PARAMETERS[2:4],
                                           "domestic": PARAMETERS[4:]})
    layers = over_time_layers(grouped, "gap_training", n=1)
    assert layers.attrs["factors"] == 1 and layers.columns[1] == "other (rest)"
    assert layers.columns.is_unique
    s1 = grouped.to_xarray()["indices"].sel(scenario=SCENARIO, metric="gap_training",
                                            statistic="S1").clip(min=0)
    assert layers.iloc[:, :2].sum(axis=1).to_numpy() == pytest.approx(
        s1.sum("parameter").to_numpy())
    ax = grouped.plot_over_time("gap_training", n=1)
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == len(layers.columns)


# ---- Morris ---------------------------------------------------------------------------------

def test_morris_chart_has_a_point_per_factor_and_names_the_leading_ones(morris):
    output = "gap_training@2033-12"
    ax = morris.plot_morris(output)
    [points] = [c for c in ax.collections if isinstance(c, PathCollection)]
    offsets = points.get_offsets()
    df = morris.to_df().reset_index()
    table = df[(df["scenario"] == SCENARIO) & (df["output"] == output)]
    assert len(offsets) == len(PARAMETERS)
    assert sorted(map(tuple, offsets)) == pytest.approx(
        sorted(zip(table["mu_star"], table["sigma"])))
    named = {t.get_text() for t in ax.texts}
    assert named == set(PARAMETERS)  # 5 factors, up to 8 named
    ax = morris_chart(morris, output, SCENARIO, labels=2, reference=False)
    assert {t.get_text() for t in ax.texts} == set(morris.top(output, n=2).index)
    assert ax.get_legend() is None and len(ax.lines) == 0


def test_groups_of_several_parameters_have_no_sigma_and_are_left_out():
    grouped = analyse("morris", 6, groups={"software": PARAMETERS[:3],
                                           "smuggling": PARAMETERS[3:4],
                                           "domestic": PARAMETERS[4:]})
    ax = grouped.plot_morris("gap_training@2030-12")
    [points] = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert len(points.get_offsets()) == 2
    assert any("1 factor(s) without σ" in t.get_text() for t in ax.texts)


def test_morris_chart_needs_a_morris_result(sobol):
    with pytest.raises(ValueError, match="method='morris'"):
        morris_chart(sobol, "gap_training@2030-12", SCENARIO)


# ---- bad names ------------------------------------------------------------------------------

@pytest.mark.parametrize("draw", [
    lambda s: s.plot_bars("gap_training@2031-12"),
    lambda s: s.plot_bars("gap_trainin@2030-12"),
    lambda s: s.plot_over_time("gap_inference"),
    lambda s: s.plot_over_time("gap_training", statistic="mu_star"),
    lambda s: bars_chart(s, "gap_training@2030-12", "baseline"),
], ids=["month", "metric", "over-time metric", "statistic", "scenario"])
def test_names_not_in_the_result_are_key_errors_naming_what_is(sobol, draw):
    with pytest.raises(KeyError, match="gap_training|S1|comprehensive_embargo"):
        draw(sobol)


def test_morris_chart_of_an_unknown_output_is_a_key_error(morris):
    with pytest.raises(KeyError, match="outputs: gap_training@2027-12"):
        morris.plot_morris("threshold_month")
