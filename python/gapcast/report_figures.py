"""The report's figures of levels over time, drawn from :class:`gapcast.Results` (read from a
results directory); the distributions at chosen months are in report_intervals.py.

Every figure is drawn at its printed size in the report style (report_style.py), with the
colours, metric names and axes the notebook plots use too (_figure_style.py), carries a
short title, units on its axes and calendar years on time axes, and ends with the provenance
caption. Each builder returns a :class:`FigureSpec`: the figure, its file stem, a title and a
caption for the HTML page, and the scenarios it shows (their fingerprints go into the
caption's scenario hash).

- fan charts of key metrics over time, one line per scenario with its 50% and 90% bands;
- the target's compute by supply channel, one panel per scenario;
- the training gap in months split into its hardware and software parts.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ._figure_style import (
    CHANNEL_COLORS,
    CHANNELS,
    HARDWARE_COLOR,
    LOG_UNITS,
    OKABE_ITO,
    SOFTWARE_COLOR,
    date_axis,
    finite,
    log_axis,
    metric_title,
    scenario_colors,
    scenario_label,
    unit_label,
)
from .report_style import COLUMN_WIDTH, FigureSpec, caption, legend_below, new_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import SubFigure

    from .results import Results

__all__ = [
    "EFFECT_METRICS",
    "FAN_METRICS",
    "decomposition_figure",
    "fan_figure",
    "supply_figure",
]

#: Metrics drawn as fan charts by default: the headline levels and gaps.
FAN_METRICS = ("target_training_effective", "gap_training", "gap_training_months",
               "gap_inference")
#: Paired effects drawn at the report months by default (report_intervals.effect_figure).
EFFECT_METRICS = ("denied_training_vs_no_controls", "added_gap_months_vs_no_controls",
                  "denied_training_vs_baseline", "added_gap_months_vs_baseline")


def _band_patches() -> tuple[list, list[str]]:
    return ([Patch(facecolor="grey", alpha=0.35, lw=0), Patch(facecolor="grey", alpha=0.15,
                                                              lw=0)],
            ["50% interval", "90% interval"])


def _policy(results: Results, scenario: str) -> str:
    return results.scenario_info[results.scenarios.index(scenario)]["policy"]


# ---- fan charts -----------------------------------------------------------------------------

def _reference_scenario(results: Results, scenarios: list[str]) -> str:
    """The scenario other panels are compared with: the baseline when it is shown."""
    for name in scenarios:
        if _policy(results, name) == results.info["baseline_policy"]:
            return name
    return scenarios[0]


def _fan(ax: Axes, results: Results, name: str, metric: str, color: str) -> Line2D:
    x = results.dates
    ax.fill_between(x, finite(results.timeseries(name, metric, 0.05)),
                    finite(results.timeseries(name, metric, 0.95)), color=color,
                    alpha=0.15, lw=0)
    ax.fill_between(x, finite(results.timeseries(name, metric, 0.25)),
                    finite(results.timeseries(name, metric, 0.75)), color=color,
                    alpha=0.30, lw=0)
    (line,) = ax.plot(x, finite(results.timeseries(name, metric, 0.5)), color=color)
    return line


def fan_figure(results: Results, metric: str, scenarios: list[str]) -> FigureSpec:
    """A metric over time with its median and 50% and 90% intervals. Up to two scenarios
    share one panel; more get a panel each (overlapping bands of five scenarios cannot be
    read), with the baseline's median repeated in the other panels for comparison.
    Probability metrics are lines on a 0-100% axis, all scenarios in one panel."""
    info = results.metric_info(metric)
    unit = info["unit"]
    colors = scenario_colors(results.scenarios)
    probability = info.get("kind") == "probability"
    log = unit in LOG_UNITS and not probability
    frontier = metric.replace("target_", "frontier_", 1)
    with_frontier = metric.startswith("target_") and frontier in results.metrics
    single = probability or len(scenarios) <= 2
    n = len(scenarios)
    if single:
        fig = new_figure(COLUMN_WIDTH, 2.9)
        axes = [fig.add_subplot()] * n if n else [fig.add_subplot()]
        spare = None
    else:
        rows = math.ceil((n + (n % 2)) / 2)
        fig = new_figure(COLUMN_WIDTH, 0.85 + 1.3 * rows)
        axes, spare = _grid(fig, n, legend_slot=True)
    reference = _reference_scenario(results, scenarios) if scenarios else None
    handles, labels = [], []
    for ax, name in zip(axes, scenarios, strict=False):
        color = colors[name]
        if probability:
            (line,) = ax.plot(results.dates,
                              100 * finite(results.timeseries(name, metric, "probability")),
                              color=color)
        else:
            line = _fan(ax, results, name, metric, color)
        if single:
            handles.append(line)
            labels.append(scenario_label(name))
        else:
            ax.set_title(scenario_label(name), fontsize=6.5, pad=2)
            if name != reference:
                ax.plot(results.dates, finite(results.timeseries(reference, metric, 0.5)),
                        color="#555555", lw=0.9, ls=(0, (1, 1)))
    for ax in (axes[:1] if single else axes):
        if with_frontier:
            # The frontier does not depend on the target's policy (the same sampled worlds),
            # so one median line gives the level the target is measured against.
            ax.plot(results.dates, finite(results.timeseries(scenarios[0], frontier, 0.5)),
                    color=OKABE_ITO["black"], ls=(0, (4, 2)), lw=0.9)
        if metric.startswith("gap_") and unit == "x":
            ax.axhline(1.0, color=OKABE_ITO["black"], lw=0.6)
        if unit == "months" and metric.startswith(("gap_", "added_")):
            ax.axhline(0.0, color=OKABE_ITO["black"], lw=0.6)
        date_axis(ax, results.dates, style="years")
        if not single:
            ax.tick_params(axis="x", labelsize=5.8)
    if probability:
        # Rare events would be a flat line on a 0-100% axis: the axis stops a little above
        # the largest probability drawn (at 10% at least).
        top = max((float(np.nanmax(finite(results.timeseries(n, metric, "probability"))))
                   for n in scenarios
                   if np.isfinite(results.timeseries(n, metric, "probability")).any()),
                  default=1.0)
        axes[0].set_ylim(0, min(100.0, max(10.0, 115.0 * top)))
        axes[0].set_ylabel("probability (%)")
    else:
        for ax in (axes[:1] if single else axes[::2]):
            ax.set_ylabel(unit_label(unit), labelpad=1)
        if log:
            for ax in (axes[:1] if single else axes):
                log_axis(ax, times=unit == "x")
    if single:
        if with_frontier:
            handles.append(Line2D([], [], color=OKABE_ITO["black"], ls=(0, (4, 2)), lw=0.9))
            labels.append("US frontier (median)")
        if not probability:
            band_handles, band_labels = _band_patches()
            handles += band_handles
            labels += band_labels
        legend_below(fig, handles, labels)
        axes[0].set_title(metric_title(metric))
    else:
        handles = [Line2D([], [], color="#333333"), *_band_patches()[0],
                   Line2D([], [], color="#555555", lw=0.9, ls=(0, (1, 1)))]
        labels = ["median", "50% interval", "90% interval",
                  f"{scenario_label(reference)} median"]
        if with_frontier:
            handles.append(Line2D([], [], color=OKABE_ITO["black"], ls=(0, (4, 2)), lw=0.9))
            labels.append("US frontier median")
        if spare is not None:
            spare.legend(handles, labels, loc="center")
        else:
            legend_below(fig, handles, labels, ncols=3)
        fig.suptitle(metric_title(metric), fontsize=7.5, fontweight="bold", x=0.02, ha="left")
    caption(fig, results.provenance, scenarios)
    what = "the share of sampled worlds in which it holds" if probability else (
        "median (line) with 50% and 90% intervals (shading) over sampled worlds")
    description = f"{metric_title(metric)} ({unit}) by scenario: {what}. {info['description']}"
    return FigureSpec(fig.figure, f"fan_{metric}", metric_title(metric), description,
                      list(scenarios))


# ---- small multiples per scenario --------------------------------------------------------------

def _grid(fig: SubFigure, n: int, *, legend_slot: bool) -> tuple[list[Axes], Axes | None]:
    """Two columns of panels; when the count is odd the spare cell holds the legend."""
    cols = 2 if n > 1 else 1
    cells = n + (1 if legend_slot and n % 2 == 1 and n > 1 else 0)
    rows = math.ceil(cells / cols)
    grid = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)
    axes = grid.ravel().tolist()
    spare = None
    for j, ax in enumerate(axes):
        if j >= n:
            if spare is None and legend_slot:
                spare = ax
            ax.set_axis_off()
            # The panel above an empty cell is the lowest of its column: it shows the dates.
            above = grid[j // cols - 1][j % cols] if j >= cols else None
            if above is not None:
                above.xaxis.set_tick_params(labelbottom=True)
    return axes[:n], spare


def supply_figure(results: Results, scenarios: list[str],
                  channel: str = "training") -> FigureSpec | None:
    """The target's effective compute by supply channel: median line and 50% band per
    channel, one panel per scenario, on a shared log axis."""
    metrics = [f"target_{channel}_{c}" for c in CHANNELS]
    if any(m not in results.metrics for m in metrics) or not scenarios:
        return None
    unit = results.metric_info(metrics[0])["unit"]
    n = len(scenarios)
    rows = math.ceil((n + (n % 2)) / 2) if n > 1 else 1
    fig = new_figure(COLUMN_WIDTH, 0.9 + 1.25 * rows)
    axes, spare = _grid(fig, n, legend_slot=True)
    x = results.dates
    top, bottom = 0.0, math.inf
    for ax, name in zip(axes, scenarios, strict=True):
        for c, metric in zip(CHANNELS, metrics, strict=True):
            median = results.timeseries(name, metric, 0.5)
            q25 = results.timeseries(name, metric, 0.25)
            q75 = results.timeseries(name, metric, 0.75)
            positive = np.where(median > 0, median, np.nan)
            # Channels that are zero (licensed imports under an embargo) have no place on a
            # log axis and are simply absent from the panel.
            ax.fill_between(x, finite(np.where(q25 > 0, q25, np.nan)),
                            finite(np.where(q75 > 0, q75, np.nan)), color=CHANNEL_COLORS[c],
                            alpha=0.18, lw=0)
            ax.plot(x, finite(positive), color=CHANNEL_COLORS[c], lw=1.1)
            if np.isfinite(q75).any():
                top = max(top, float(np.nanmax(np.where(np.isfinite(q75), q75, np.nan))))
            if np.isfinite(positive).any():
                bottom = min(bottom, float(np.nanmin(positive)))
        ax.set_title(scenario_label(name), fontsize=6.5, pad=2)
        date_axis(ax, x, style="years")
    if top > 0:
        # Bands reaching down to almost nothing would stretch the axis over many empty
        # decades: the floor is half the smallest median drawn (at most twelve decades
        # under the largest value; effective compute itself spans about ten).
        floor = max(bottom / 2 if math.isfinite(bottom) else top * 1e-12, top * 1e-12)
        axes[0].set_ylim(floor, top * 2)
    for ax in axes:
        log_axis(ax)
        ax.tick_params(axis="x", labelsize=5.8)
    for ax in axes[::2]:
        ax.set_ylabel(unit, labelpad=1)
    handles = [Line2D([], [], color=CHANNEL_COLORS[c], lw=1.3) for c in CHANNELS]
    labels = [c.capitalize() for c in CHANNELS]
    handles.append(Patch(facecolor="grey", alpha=0.3, lw=0))
    labels.append("50% interval")
    if spare is not None:
        spare.legend(handles, labels, loc="center", title="Supply channel (median)",
                     frameon=False)
    else:
        legend_below(fig, handles, labels, ncols=3)
    fig.suptitle(f"Target's effective {channel} compute by supply channel", fontsize=7.5,
                 fontweight="bold", x=0.02, ha="left")
    caption(fig, results.provenance, scenarios)
    description = (f"The target's effective {channel} compute ({unit}) by supply channel "
                   f"(licensed imports, smuggling and diversion, domestic production, remote "
                   f"access): median and interquartile range over sampled worlds, log scale. "
                   f"Channels with a median of zero are not drawn.")
    return FigureSpec(fig.figure, f"supply_{channel}", f"Supply channels ({channel})", description,
                      list(scenarios))


def decomposition_figure(results: Results, scenarios: list[str]) -> FigureSpec | None:
    """The training gap in months of software progress split into its hardware part and the
    target's software lag: stacked means (which add up to the mean gap exactly, sample by
    sample), one panel per scenario."""
    needed = ("gap_training_months", "gap_training_hardware_months", "software_lag_months")
    if any(m not in results.metrics for m in needed) or not scenarios:
        return None
    n = len(scenarios)
    rows = math.ceil((n + (n % 2)) / 2) if n > 1 else 1
    fig = new_figure(COLUMN_WIDTH, 0.9 + 1.2 * rows)
    axes, spare = _grid(fig, n, legend_slot=True)
    x = results.dates
    for ax, name in zip(axes, scenarios, strict=True):
        hardware = finite(results.timeseries(name, "gap_training_hardware_months", "mean"))
        software = finite(results.timeseries(name, "software_lag_months", "mean"))
        total = finite(results.timeseries(name, "gap_training_months", "mean"))
        ax.fill_between(x, 0, hardware, color=HARDWARE_COLOR, alpha=0.75, lw=0)
        ax.fill_between(x, hardware, hardware + software, color=SOFTWARE_COLOR, alpha=0.6, lw=0)
        ax.plot(x, total, color=OKABE_ITO["black"], lw=0.9)
        ax.axhline(0.0, color=OKABE_ITO["black"], lw=0.6)
        ax.set_title(scenario_label(name), fontsize=6.5, pad=2)
        date_axis(ax, x, style="years")
        ax.tick_params(axis="x", labelsize=5.8)
    for ax in axes[::2]:
        ax.set_ylabel("months (mean)", labelpad=1)
    handles = [Patch(facecolor=HARDWARE_COLOR, alpha=0.75, lw=0),
               Patch(facecolor=SOFTWARE_COLOR, alpha=0.6, lw=0),
               Line2D([], [], color=OKABE_ITO["black"], lw=0.9)]
    labels = ["Hardware part", "Software lag", "Whole gap"]
    if spare is not None:
        spare.legend(handles, labels, loc="center", title="Training gap (months)",
                     frameon=False)
    else:
        legend_below(fig, handles, labels, ncols=3)
    fig.suptitle("Training gap: hardware and software parts", fontsize=7.5,
                 fontweight="bold", x=0.02, ha="left")
    caption(fig, results.provenance, scenarios)
    description = ("The training gap in months of software progress, log2(frontier / target "
                   "effective training compute) × the doubling time, split into the hardware "
                   "part (log2 of the hardware ratio × the doubling time) and the target's "
                   "software lag. Means over sampled worlds: they add up exactly, as the two "
                   "parts do in every sampled world; medians would not.")
    return FigureSpec(fig.figure, "gap_decomposition", "Gap decomposition", description,
                      list(scenarios))
