"""Plots of gapcast results with matplotlib.

Building blocks for notebooks and reports. Every function draws on an Axes it is given (or a
new one) and returns it, or returns the Figure for multi-panel plots, so that callers can
restyle, annotate and save as they need:

- :func:`fan_chart`: a metric over time for several scenarios, median and uncertainty bands;
- :func:`effect_chart`: a paired policy effect over time (against the baseline or against no
  controls, compared sample by sample in the same sampled world);
- :func:`delay_chart`: a scalar effect (e.g. months of delay vs the baseline) per scenario;
- :func:`baseline_comparison`: the two above side by side;
- :func:`supply_breakdown`: the target's compute by supply channel (licensed, smuggled,
  domestic, remote), one panel per scenario.

Colours come from the Okabe-Ito palette, which stays distinguishable under the common forms
of colour blindness. Time axes show calendar dates; value axes name the unit. The colours,
metric names and axes are those of the report's figures (gapcast._figure_style), and every
function takes a :class:`gapcast.Results`, whether from :func:`gapcast.run` or
:meth:`gapcast.Results.read`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import EngFormatter

from ._figure_style import (
    CHANNEL_COLORS,
    CHANNELS,
    LOG_UNITS,
    OKABE_ITO,
    PALETTE,
    date_axis,
    finite,
    metric_label,
    scenario_colors,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from .results import Results

__all__ = [
    "CHANNELS",
    "CHANNEL_COLORS",
    "OKABE_ITO",
    "PALETTE",
    "baseline_comparison",
    "delay_chart",
    "effect_chart",
    "fan_chart",
    "metric_label",
    "scenario_colors",
    "supply_breakdown",
]


def _band_alpha(j: int, count: int) -> float:
    """Opacity of the j-th of `count` nested bands, widest first: wider bands are fainter,
    so the inner (more likely) ranges read as darker."""
    return 0.12 + 0.16 * j / (count - 1) if count > 1 else 0.2


def _scenario_list(results: Results, scenarios: Sequence[str] | str | None) -> list[str]:
    if scenarios is None:
        return results.scenarios
    names = [scenarios] if isinstance(scenarios, str) else list(scenarios)
    for name in names:
        if name not in results.scenarios:
            raise KeyError(f"no scenario named {name!r} in these results "
                           f"({', '.join(results.scenarios)})")
    return names


def fan_chart(
    results: Results,
    metric: str,
    scenarios: Sequence[str] | str | None = None,
    *,
    bands: Sequence[tuple[float, float]] = ((0.05, 0.95), (0.25, 0.75)),
    ax: Axes | None = None,
    colors: Mapping[str, str] | None = None,
    log: bool | None = None,
    title: str | None = None,
    legend: bool = True,
) -> Axes:
    """A time-series metric for several scenarios: the median as a line and quantile bands
    (default 90% and 50% intervals) as shaded areas.

    Probability metrics have no bands: their value is drawn as a line on a 0-1 axis.
    ``log`` defaults to a log axis for compute, hardware and gap-ratio metrics.
    Returns the Axes.
    """
    if metric not in results.metrics:
        raise KeyError(f"no time-series metric named {metric!r}; choose from "
                       f"{', '.join(results.metrics)}")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    names = _scenario_list(results, scenarios)
    palette = scenario_colors(results.scenarios, colors)
    info = results.metric_info(metric)
    m = results.metrics.index(metric)
    x = results.dates
    probability = info["kind"] == "probability"
    if not probability:
        median = results.stat_index(0.5)
        band_stats = [(results.stat_index(lo), results.stat_index(hi)) for lo, hi in bands]
    for name in names:
        s = results.scenarios.index(name)
        values = results.series[s, m]
        color = palette[name]
        if probability:
            ax.plot(x, finite(values[:, 0]), color=color, lw=2, label=name)
            continue
        for j, (lo, hi) in enumerate(band_stats):
            ax.fill_between(x, finite(values[:, lo]), finite(values[:, hi]), color=color,
                            alpha=_band_alpha(j, len(band_stats)), lw=0)
        ax.plot(x, finite(values[:, median]), color=color, lw=2, label=name)
    if probability:
        ax.set_ylim(0, 1)
        ax.set_ylabel(metric_label(results, metric))
    else:
        if log is None:
            log = info["unit"] in LOG_UNITS
        if log:
            ax.set_yscale("log")
        ax.set_ylabel(metric_label(results, metric))
    date_axis(ax, x)
    ax.grid(True, alpha=0.3)
    if title is not None:
        ax.set_title(title)
    if legend:
        handles, labels = ax.get_legend_handles_labels()
        if not probability:
            # Each proxy shows the shade a band really has where it is drawn: inner bands
            # lie on top of the outer ones.
            covered = 0.0
            for j, (lo, hi) in enumerate(bands):
                covered = 1 - (1 - covered) * (1 - _band_alpha(j, len(bands)))
                handles.append(Patch(color="grey", alpha=covered, lw=0))
                labels.append(f"{100 * (hi - lo):g}% interval")
        ax.legend(handles, labels, frameon=False, fontsize="small")
    return ax


def effect_chart(
    results: Results,
    metric: str = "added_gap_months_vs_baseline",
    scenarios: Sequence[str] | str | None = None,
    *,
    ax: Axes | None = None,
    colors: Mapping[str, str] | None = None,
    bands: Sequence[tuple[float, float]] = ((0.05, 0.95), (0.25, 0.75)),
    title: str | None = None,
) -> Axes:
    """A paired policy effect over time: each sample compares the scenario with the same
    sampled world under the baseline (metrics ``*_vs_baseline``) or under no controls
    (``*_vs_no_controls``). By default the reference scenario itself, whose effect is zero
    by construction, is left out. Returns the Axes."""
    reference = results.metric_info(metric)["compared_with"]
    if not reference:
        raise ValueError(f"{metric!r} is not a paired metric; paired metrics: "
                         + ", ".join(m for m in results.metrics
                                     if results.metric_info(m)["compared_with"]))
    names = results.effect_scenarios(metric) if scenarios is None else scenarios
    if not names:
        raise ValueError(f"no scenario in these results has a {reference} comparison"
                         + ("; run a scenario named 'baseline' with them or pass baseline=..."
                            if reference == "baseline" else ""))
    ax = fan_chart(results, metric, names, bands=bands, ax=ax, colors=colors, log=False,
                   title=title if title is not None else
                   f"Paired effect vs {reference.replace('_', ' ')}")
    ax.axhline(0.0, color=OKABE_ITO["black"], lw=0.8)
    return ax


def delay_chart(
    results: Results,
    scalar: str = "delay_months_vs_baseline",
    scenarios: Sequence[str] | str | None = None,
    *,
    ax: Axes | None = None,
    colors: Mapping[str, str] | None = None,
    title: str | None = None,
) -> Axes:
    """A scalar metric per scenario as an interval plot: median (dot), 50% interval (thick)
    and 90% interval (thin). The share of samples beyond the horizon is written beside each
    scenario when there are any. Returns the Axes."""
    if scalar not in results.scalar_metrics:
        raise KeyError(f"no scalar metric named {scalar!r}; choose from "
                       f"{', '.join(results.scalar_metrics)}")
    reference = results.metric_info(scalar)["compared_with"]
    if scenarios is None:
        names = results.effect_scenarios(scalar)
    else:
        names = _scenario_list(results, scenarios)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.6 * len(names) + 1.5), layout="constrained")
    palette = scenario_colors(results.scenarios, colors)
    k = results.scalar_metrics.index(scalar)
    p5, p25, p50, p75, p95 = (results.stat_index(q) for q in (0.05, 0.25, 0.5, 0.75, 0.95))
    for row, name in enumerate(names):
        s = results.scenarios.index(name)
        v = finite(results.scalars[s, k])
        color = palette[name]
        y = len(names) - 1 - row
        ax.plot([v[p5], v[p95]], [y, y], color=color, lw=1.5, solid_capstyle="butt")
        ax.plot([v[p25], v[p75]], [y, y], color=color, lw=6, solid_capstyle="butt")
        ax.plot([v[p50]], [y], "o", color="white", mec=color, mew=2, ms=7)
        n_finite, infinite, undefined = results.scalar_counts[s, k]
        total = int(n_finite + infinite + undefined)
        if infinite:
            ax.annotate(f"{100 * int(infinite) / total:.0f}% beyond horizon", (1, y),
                        xycoords=("axes fraction", "data"), xytext=(-4, 6),
                        textcoords="offset points", ha="right", fontsize="small", color=color)
    ax.legend(
        handles=[Line2D([], [], color="grey", lw=1.5, label="90% interval"),
                 Line2D([], [], color="grey", lw=6, label="50% interval"),
                 Line2D([], [], ls="", marker="o", mfc="white", mec="grey", mew=2,
                        label="median")],
        frameon=False, fontsize="small", loc="best")
    ax.set_yticks(range(len(names)), list(reversed(names)))
    ax.set_ylim(-0.7, len(names) - 0.3)
    if reference:
        ax.axvline(0.0, color=OKABE_ITO["black"], lw=0.8)
    ax.set_xlabel(metric_label(results, scalar))
    ax.grid(True, axis="x", alpha=0.3)
    if title is not None:
        ax.set_title(title)
    return ax


def baseline_comparison(
    results: Results,
    metric: str = "added_gap_months_vs_baseline",
    scalar: str = "delay_months_vs_baseline",
    scenarios: Sequence[str] | None = None,
    *,
    colors: Mapping[str, str] | None = None,
    figsize: tuple[float, float] = (12, 4.5),
) -> Figure:
    """Policies against the baseline, paired per sampled world: ``metric`` over time (left)
    and ``scalar`` per scenario (right). Returns the Figure."""
    fig, (left, right) = plt.subplots(1, 2, figsize=figsize, layout="constrained",
                                      gridspec_kw={"width_ratios": [1.7, 1]})
    effect_chart(results, metric, scenarios, ax=left, colors=colors, title="")
    delay_chart(results, scalar, scenarios, ax=right, colors=colors)
    fig.suptitle("Effect of each policy against the baseline, paired per sampled world")
    return fig


def supply_breakdown(
    results: Results,
    scenarios: Sequence[str] | str | None = None,
    *,
    channel: str = "training",
    stacked: bool = False,
    band: tuple[float, float] | None = (0.25, 0.75),
    colors: Mapping[str, str] | None = None,
    figsize: tuple[float, float] | None = None,
) -> Figure:
    """The target's effective compute by supply channel (licensed, smuggled, domestic,
    remote) over time, one panel per scenario.

    By default each channel is a median line with its interquartile band on a log axis:
    the channels span orders of magnitude and their distributions are heavy-tailed.
    ``stacked=True`` stacks the channel *means* on a linear axis instead: means add up to
    the mean of the total (medians do not), but in the far years they are dominated by
    the few sampled worlds with the fastest growth, so read them as expectations, not as a
    typical world. ``channel`` is ``"training"`` or ``"inference"``. Returns the Figure.
    """
    if channel not in ("training", "inference"):
        raise ValueError("channel must be 'training' or 'inference'")
    names = _scenario_list(results, scenarios)
    palette = {**CHANNEL_COLORS, **(colors or {})}
    metrics = [f"target_{channel}_{c}" for c in CHANNELS]
    for metric in metrics:
        if metric not in results.metrics:
            raise KeyError(f"these results have no {metric!r} metric")
    if not stacked:
        median = results.stat_index(0.5)
        band_stats = (results.stat_index(band[0]), results.stat_index(band[1])) if band else None
    unit = results.metric_info(metrics[0])["unit"]
    n = len(names)
    cols = min(n, 3)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, squeeze=False, sharex=True, sharey=True,
                             figsize=figsize or (4.4 * cols, 3.4 * rows), layout="constrained")
    x = results.dates
    for i, name in enumerate(names):
        ax = axes[i // cols][i % cols]
        s = results.scenarios.index(name)
        values = [results.series[s, results.metrics.index(m)] for m in metrics]
        if stacked:
            stack = np.nan_to_num(np.array([v[:, 0] for v in values]), nan=0.0, posinf=0.0)
            ax.stackplot(x, *stack, colors=[palette[c] for c in CHANNELS], lw=0)
            ax.yaxis.set_major_formatter(EngFormatter())
        else:
            for c, v in zip(CHANNELS, values, strict=True):
                if band_stats is not None:
                    ax.fill_between(x, finite(v[:, band_stats[0]]),
                                    finite(v[:, band_stats[1]]), color=palette[c],
                                    alpha=0.2, lw=0)
                # A channel that is zero throughout (e.g. licensed under an embargo) has
                # no place on a log axis; it is simply absent from the panel.
                ax.plot(x, finite(np.where(v[:, median] > 0, v[:, median], np.nan)),
                        color=palette[c], lw=2)
            ax.set_yscale("log")
        ax.set_title(name)
        date_axis(ax, x)
        ax.grid(True, alpha=0.3)
        if i % cols == 0:
            what = "mean" if stacked else "median"
            ax.set_ylabel(f"Target {channel} compute, {what} ({unit})")
    for j in range(n, rows * cols):
        axes[j // cols][j % cols].set_visible(False)
    handles = [Patch(color=palette[c], label=c) for c in CHANNELS]
    if not stacked and band is not None:
        handles.append(Patch(color="grey", alpha=0.3, lw=0,
                             label=f"{100 * (band[1] - band[0]):g}% interval"))
    fig.legend(handles=handles, loc="outside right upper", frameon=False,
               title="supply channel")
    return fig
