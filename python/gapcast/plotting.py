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
of colour blindness. Time axes show calendar dates; value axes name the unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import EngFormatter

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

#: The Okabe-Ito colour-blind-safe palette (Okabe & Ito 2008).
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

#: Scenario colours in order of use. Yellow comes last: it is hard to see on white.
PALETTE: tuple[str, ...] = tuple(
    OKABE_ITO[c]
    for c in ("blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue",
              "black", "yellow")
)

#: Supply channels into the target's stock, in stacking order.
CHANNELS: tuple[str, ...] = ("licensed", "smuggled", "domestic", "remote")
CHANNEL_COLORS: dict[str, str] = {
    "licensed": OKABE_ITO["blue"],
    "smuggled": OKABE_ITO["vermillion"],
    "domestic": OKABE_ITO["bluish_green"],
    "remote": OKABE_ITO["orange"],
}

_LABELS = {
    "target_training_effective": "Target effective training compute",
    "target_inference_effective": "Target effective inference compute",
    "frontier_training_effective": "Frontier effective training compute",
    "frontier_inference_effective": "Frontier effective inference compute",
    "target_training_hardware": "Target training hardware",
    "target_inference_hardware": "Target inference hardware",
    "gap_training": "Training compute gap (frontier / target)",
    "gap_inference": "Inference compute gap (frontier / target)",
    "gap_training_months": "Training gap in months of software progress",
    "gap_inference_months": "Inference gap in months of Densing-Law progress",
    "software_lag_months": "Target's software lag",
    "import_pressure": "Unmet share of foreign-chip demand",
    "domestic_output_per_year": "Domestic accelerator output",
    "denied_training_vs_no_controls": "Training compute denied vs no controls",
    "denied_inference_vs_no_controls": "Inference compute denied vs no controls",
    "denied_training_vs_baseline": "Training compute denied vs baseline",
    "denied_inference_vs_baseline": "Inference compute denied vs baseline",
    "added_gap_months_vs_no_controls": "Training gap added vs no controls",
    "added_gap_months_vs_baseline": "Training gap added vs baseline",
    "threshold_month": "Months until the capability threshold",
    "delay_months_vs_no_controls": "Delay to the threshold vs no controls",
    "delay_months_vs_baseline": "Delay to the threshold vs baseline",
}

# Metrics in these units span orders of magnitude across samples and years.
_LOG_UNITS = {"eff. H100e", "H100e", "H100e (bandwidth)", "x", "packages/yr"}


def metric_label(results: Results, metric: str) -> str:
    """Axis label for a metric: a readable name and the unit, e.g. "Training compute gap
    (frontier / target) (x)"."""
    info = results.metric_info(metric)
    name = _LABELS.get(metric, metric.replace("_", " ").capitalize())
    return f"{name} ({info['unit']})"


def scenario_colors(scenarios: Sequence[str],
                    colors: Mapping[str, str] | None = None) -> dict[str, str]:
    """A colour per scenario from :data:`PALETTE` in order, overridden by ``colors``."""
    chosen = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(scenarios)}
    chosen.update(colors or {})
    return chosen


def _stat(results: Results, q: float) -> int:
    """Index on the stat axis of quantile level q; ValueError if the run did not ask for it."""
    for i, level in enumerate(results.quantiles):
        if abs(level - q) < 1e-12:
            return i + 1
    raise ValueError(
        f"the run has no {q:g} quantile (it has {', '.join(f'{x:g}' for x in results.quantiles)});"
        f" run with quantiles including {q:g} or choose other bands"
    )


def _finite(values: np.ndarray) -> np.ndarray:
    # "Beyond the horizon" (+inf) and "undefined" (NaN) statistics are left out of lines.
    return np.where(np.isfinite(values), values, np.nan)


def _band_alpha(j: int, count: int) -> float:
    """Opacity of the j-th of `count` nested bands, widest first: wider bands are fainter,
    so the inner (more likely) ranges read as darker."""
    return 0.12 + 0.16 * j / (count - 1) if count > 1 else 0.2


def _date_axis(ax: Axes, dates) -> None:
    # The data span the axis exactly: margins would suggest months that were not computed.
    ax.set_xlim(dates[0], dates[-1])
    locator = mdates.AutoDateLocator(maxticks=7)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_xlabel("Date")


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
        median = _stat(results, 0.5)
        band_stats = [(_stat(results, lo), _stat(results, hi)) for lo, hi in bands]
    for name in names:
        s = results.scenarios.index(name)
        values = results.series[s, m]
        color = palette[name]
        if probability:
            ax.plot(x, _finite(values[:, 0]), color=color, lw=2, label=name)
            continue
        for j, (lo, hi) in enumerate(band_stats):
            ax.fill_between(x, _finite(values[:, lo]), _finite(values[:, hi]), color=color,
                            alpha=_band_alpha(j, len(band_stats)), lw=0)
        ax.plot(x, _finite(values[:, median]), color=color, lw=2, label=name)
    if probability:
        ax.set_ylim(0, 1)
        ax.set_ylabel(metric_label(results, metric))
    else:
        if log is None:
            log = info["unit"] in _LOG_UNITS
        if log:
            ax.set_yscale("log")
        ax.set_ylabel(metric_label(results, metric))
    _date_axis(ax, x)
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


def _effect_scenarios(results: Results, reference: str) -> list[str]:
    """Scenarios whose effect against `reference` is not identically zero by construction."""
    if reference == "baseline":
        base = results.info["baseline_policy"]
        return [s["name"] for s in results.scenario_info
                if s["has_baseline_comparison"] and s["policy"] != base]
    return [s["name"] for s in results.scenario_info if s["policy"] != "no_controls"]


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
    names = _effect_scenarios(results, reference) if scenarios is None else scenarios
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
        names = _effect_scenarios(results, reference) if reference else results.scenarios
    else:
        names = _scenario_list(results, scenarios)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.6 * len(names) + 1.5), layout="constrained")
    palette = scenario_colors(results.scenarios, colors)
    k = results.scalar_metrics.index(scalar)
    p5, p25, p50, p75, p95 = (_stat(results, q) for q in (0.05, 0.25, 0.5, 0.75, 0.95))
    for row, name in enumerate(names):
        s = results.scenarios.index(name)
        v = _finite(results.scalars[s, k])
        color = palette[name]
        y = len(names) - 1 - row
        ax.plot([v[p5], v[p95]], [y, y], color=color, lw=1.5, solid_capstyle="butt")
        ax.plot([v[p25], v[p75]], [y, y], color=color, lw=6, solid_capstyle="butt")
        ax.plot([v[p50]], [y], "o", color="white", mec=color, mew=2, ms=7)
        finite, infinite, undefined = results.scalar_counts[s, k]
        total = int(finite + infinite + undefined)
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
        median = _stat(results, 0.5)
        band_stats = (_stat(results, band[0]), _stat(results, band[1])) if band else None
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
                    ax.fill_between(x, _finite(v[:, band_stats[0]]),
                                    _finite(v[:, band_stats[1]]), color=palette[c],
                                    alpha=0.2, lw=0)
                # A channel that is zero throughout (e.g. licensed under an embargo) has
                # no place on a log axis; it is simply absent from the panel.
                ax.plot(x, _finite(np.where(v[:, median] > 0, v[:, median], np.nan)),
                        color=palette[c], lw=2)
            ax.set_yscale("log")
        ax.set_title(name)
        _date_axis(ax, x)
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
