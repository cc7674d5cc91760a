"""Plots: what they draw, their labels, units, dates and colours."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from gapcast import plotting  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_palette_is_okabe_ito():
    assert set(plotting.PALETTE) == set(plotting.OKABE_ITO.values())
    assert len(set(plotting.CHANNEL_COLORS.values())) == 4
    colors = plotting.scenario_colors(["a", "b"], {"b": "#123456"})
    assert colors == {"a": plotting.PALETTE[0], "b": "#123456"}


def test_fan_chart(all_results):
    names = ["baseline", "comprehensive_embargo"]
    ax = plotting.fan_chart(all_results, "gap_training", names)
    assert ax.get_yscale() == "log"  # a ratio spanning orders of magnitude
    # The same names as the report figures (one table of metric titles).
    assert ax.get_ylabel() == "Training compute gap, frontier / target (x)"
    assert ax.get_xlabel() == "Date"
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    low, high = ax.get_xlim()
    assert mdates.num2date(low).year == 2026 and mdates.num2date(high).year == 2035
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == names
    assert [to_hex(line.get_color()).upper() for line in lines] == [
        plotting.PALETTE[0], plotting.PALETTE[1]]
    # The median line is the p50 statistic.
    m = all_results.metrics.index("gap_training")
    np.testing.assert_allclose(lines[0].get_ydata(), all_results.series[0, m, :, 3])
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2 * 2  # two bands per scenario
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == names + ["90% interval", "50% interval"]


def test_fan_chart_of_a_probability_and_on_given_axes(all_results):
    fig, ax = plt.subplots()
    out = plotting.fan_chart(all_results, "prob_threshold_reached", ax=ax, legend=False)
    assert out is ax
    assert ax.get_ylim() == (0.0, 1.0)
    assert ax.get_ylabel().endswith("(probability)")
    assert len(ax.get_lines()) == len(all_results.scenarios)
    with pytest.raises(KeyError, match="no time-series metric"):
        plotting.fan_chart(all_results, "nope")
    with pytest.raises(ValueError, match="no 0.1 quantile"):
        plotting.fan_chart(all_results, "gap_training", bands=[(0.1, 0.9)])


def test_effect_chart_leaves_out_the_reference(all_results):
    ax = plotting.effect_chart(all_results, "denied_training_vs_baseline")
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert "baseline" not in labels
    assert set(labels) == {"comprehensive_embargo", "incremental_tightening",
                           "multilateral_alignment", "no_controls"}
    assert ax.get_yscale() == "linear"
    assert ax.get_ylabel() == "Training compute denied, vs baseline (fraction)"
    ax = plotting.effect_chart(all_results, "added_gap_months_vs_no_controls")
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert "no_controls" not in labels and "baseline" in labels
    with pytest.raises(ValueError, match="not a paired metric"):
        plotting.effect_chart(all_results, "gap_training")


def test_delay_chart_and_baseline_comparison(all_results):
    ax = plotting.delay_chart(all_results)
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert sorted(ticks) == sorted(["comprehensive_embargo", "incremental_tightening",
                                    "multilateral_alignment", "no_controls"])
    assert ax.get_xlabel() == "Delay to the threshold, vs baseline (months)"
    fig = plotting.baseline_comparison(all_results)
    assert len(fig.axes) == 2
    assert fig.axes[0].get_ylabel().startswith("Training gap added, vs baseline")


def test_supply_breakdown(all_results, tmp_path):
    fig = plotting.supply_breakdown(all_results, ["baseline", "no_controls"])
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["baseline", "no_controls"]
    ax = visible[0]
    assert ax.get_yscale() == "log"
    assert ax.get_ylabel() == "Target training compute, median (eff. H100e)"
    lines = ax.get_lines()
    assert [to_hex(line.get_color()).upper() for line in lines] == [
        plotting.CHANNEL_COLORS[c] for c in plotting.CHANNELS]
    m = all_results.metrics.index("target_training_smuggled")
    np.testing.assert_allclose(lines[1].get_ydata(), all_results.series[0, m, :, 3])
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == [*plotting.CHANNELS, "50% interval"]
    fig.savefig(tmp_path / "supply.png")
    assert (tmp_path / "supply.png").stat().st_size > 10_000


def test_stacked_supply_breakdown_adds_up_to_the_total(all_results):
    fig = plotting.supply_breakdown(all_results, "baseline", stacked=True)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Target training compute, mean (eff. H100e)"
    # The top of the stack of channel means is the mean of the total.
    top = ax.collections[-1].get_paths()[0].vertices[:, 1].max()
    m = all_results.metrics.index("target_training_effective")
    assert top == pytest.approx(all_results.series[0, m, :, 0].max(), rel=1e-9)
    with pytest.raises(ValueError, match="training"):
        plotting.supply_breakdown(all_results, channel="both")
