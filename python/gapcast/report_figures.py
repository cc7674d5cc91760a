"""The report's figures, drawn from :class:`gapcast.Results` (read from a results directory).

Every figure is drawn at its printed size in the report style (report_style.py), with the
colours, metric names and axes the notebook plots use too (_figure_style.py), carries a
short title, units on its axes and calendar years on time axes, and ends with the provenance
caption. Each builder returns a :class:`FigureSpec`: the figure, its file stem, a title and a
caption for the HTML page, and the scenarios it shows (their fingerprints go into the
caption's scenario hash).

- fan charts of key metrics over time, one line per scenario with its 50% and 90% bands;
- paired policy effects at the report months: per scenario, the distribution of the effect
  over sampled worlds (quantile intervals, and the sampled density when samples.csv has that
  month);
- the threshold month and the delays to it that each policy buys;
- the target's compute by supply channel, one panel per scenario;
- the training gap in months split into its hardware and software parts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
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
from .report_style import COLUMN_WIDTH, caption, format_value, new_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure, SubFigure

    from .results import Results

__all__ = [
    "EFFECT_METRICS",
    "FAN_METRICS",
    "FigureSpec",
    "decomposition_figure",
    "delay_figure",
    "effect_figure",
    "fan_figure",
    "supply_figure",
]

#: Metrics drawn as fan charts by default: the headline levels and gaps.
FAN_METRICS = ("target_training_effective", "gap_training", "gap_training_months",
               "gap_inference")
#: Paired effects drawn at the report months by default.
EFFECT_METRICS = ("denied_training_vs_no_controls", "added_gap_months_vs_no_controls",
                  "denied_training_vs_baseline", "added_gap_months_vs_baseline")

@dataclass
class FigureSpec:
    figure: Figure
    stem: str
    title: str
    description: str
    scenarios: list[str] = field(default_factory=list)


def _legend_below(fig: SubFigure, handles: list, labels: list[str], ncols: int = 2) -> None:
    fig.legend(handles, labels, loc="outside lower center", ncols=ncols, handlelength=1.6,
               columnspacing=1.2, borderaxespad=0.2)


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
        _legend_below(fig, handles, labels)
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
            _legend_below(fig, handles, labels, ncols=3)
        fig.suptitle(metric_title(metric), fontsize=7.5, fontweight="bold", x=0.02, ha="left")
    caption(fig, results.provenance, scenarios)
    what = "the share of sampled worlds in which it holds" if probability else (
        "median (line) with 50% and 90% intervals (shading) over sampled worlds")
    description = f"{metric_title(metric)} ({unit}) by scenario: {what}. {info['description']}"
    return FigureSpec(fig.figure, f"fan_{metric}", metric_title(metric), description,
                      list(scenarios))


# ---- distributions across scenarios ---------------------------------------------------------

@dataclass
class _Row:
    label: str
    color: str
    p5: float
    p25: float
    p50: float
    p75: float
    p95: float
    samples: np.ndarray | None = None
    note: str = ""


def _density(values: np.ndarray, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    """A smoothed histogram of the finite values on [lo, hi], scaled to a peak of 1."""
    values = values[np.isfinite(values)]
    if values.size < 2 or not hi > lo:
        return np.array([]), np.array([])
    edges = np.linspace(lo, hi, 61)
    # Values outside the panel are left out, not piled into the edge bins: the interval
    # arrows say where the tails go.
    counts, _ = np.histogram(values, bins=edges)
    kernel = np.exp(-0.5 * (np.arange(-4, 5) / 1.5) ** 2)
    smooth = np.convolve(counts.astype(float), kernel / kernel.sum(), mode="same")
    centres = 0.5 * (edges[:-1] + edges[1:])
    peak = smooth.max()
    return centres, (smooth / peak if peak > 0 else smooth)


def _interval_panel(ax: Axes, rows: list[_Row], *, xlim: tuple[float, float],
                    zero_line: bool, unit_suffix: str = "") -> None:
    """Rows of quantile intervals (thin 90%, thick 50%, open dot median), top to bottom,
    with the sampled density above each row when samples are given. An interval reaching
    past the panel (beyond the horizon, or a value cut off to keep the others readable) runs
    to the edge and ends in an arrow; cut-off values are written beside it."""
    n = len(rows)
    lo_edge, hi_edge = xlim

    def clip(v: float) -> float:
        return v if math.isnan(v) else min(max(v, lo_edge), hi_edge)

    for i, row in enumerate(rows):
        y = n - 1 - i
        if row.samples is not None:
            xs, dens = _density(row.samples, lo_edge, hi_edge)
            if xs.size:
                ax.fill_between(xs, y + 0.12, y + 0.12 + 0.42 * dens, color=row.color,
                                alpha=0.25, lw=0)
        p5, p25, p50, p75, p95 = (clip(v) for v in (row.p5, row.p25, row.p50, row.p75,
                                                    row.p95))
        if not (math.isnan(p5) or math.isnan(p95)):
            ax.plot([p5, p95], [y, y], color=row.color, lw=1.0, solid_capstyle="butt")
        if not (math.isnan(p25) or math.isnan(p75)):
            ax.plot([p25, p75], [y, y], color=row.color, lw=4.0, solid_capstyle="butt")
        if math.isfinite(row.p50) and lo_edge <= row.p50 <= hi_edge:
            ax.plot([p50], [y], "o", ms=4.0, mfc="white", mec=row.color, mew=1.2)
        if row.p95 > hi_edge:
            ax.plot([hi_edge], [y], marker=">", ms=4, color=row.color, clip_on=False)
        if row.p5 < lo_edge:
            ax.plot([lo_edge], [y], marker="<", ms=4, color=row.color, clip_on=False)
            if math.isfinite(row.p5):
                ax.annotate(f"to {format_value(row.p5)}{unit_suffix}", (0.0, y),
                            xycoords=("axes fraction", "data"), xytext=(2, 4.5),
                            textcoords="offset points", ha="left", va="bottom",
                            fontsize=5.5, color="#444444")
        note = row.note
        if math.isfinite(row.p95) and row.p95 > hi_edge:
            note = ", ".join(x for x in (note, f"to {format_value(row.p95)}{unit_suffix}") if x)
        if note:
            ax.annotate(note, (1.0, y), xycoords=("axes fraction", "data"),
                        xytext=(0, 4.5), textcoords="offset points", ha="right",
                        va="bottom", fontsize=5.5, color="#444444")
    ax.set_yticks(range(n), [r.label for r in reversed(rows)])
    ax.set_ylim(-0.6, n - 0.35)
    ax.set_xlim(lo_edge, hi_edge)
    ax.tick_params(axis="y", length=0)
    ax.grid(False, axis="y")
    if zero_line and lo_edge < 0 < hi_edge:
        ax.axvline(0.0, color=OKABE_ITO["black"], lw=0.7)


def _limits(rows: list[_Row], *, pad: float = 0.06,
            include_zero: bool = True) -> tuple[float, float]:
    values = [v for r in rows for v in (r.p5, r.p25, r.p50, r.p75, r.p95) if math.isfinite(v)]
    if not values:
        return (0.0, 1.0)
    lo, hi = min(values), max(values)
    if any(r.p95 == math.inf or r.p75 == math.inf for r in rows):
        hi = hi + 0.1 * (hi - lo if hi > lo else 1.0)
    if include_zero:
        lo, hi = min(lo, 0.0), max(hi, 0.0)
    span = hi - lo if hi > lo else 1.0
    return lo - pad * span, hi + pad * span


def _quantiles_at(results: Results, scenario: str, metric: str, k: int, scale: float) -> dict:
    return {f"p{q}": scale * results.timeseries(scenario, metric, q / 100)[k]
            for q in (5, 25, 50, 75, 95)}


def _month_title(label: str) -> str:
    import calendar

    year, month = label.split("-")
    return f"{calendar.month_name[int(month)]} {year}"


def effect_figure(results: Results, metric: str, scenarios: list[str],
                  months: list[str]) -> FigureSpec | None:
    """A paired policy effect at each report month: one panel per month, one row per
    scenario, the distribution over sampled worlds (None when no scenario has the effect)."""
    names = results.effect_scenarios(metric, scenarios)
    if not names:
        return None
    info = results.metric_info(metric)
    unit = info["unit"]
    scale = 100.0 if unit == "fraction" else 1.0
    colors = scenario_colors(results.scenarios)
    panels = []
    used_samples = False
    for month in months:
        k = results.date_labels.index(month)
        rows = []
        for name in names:
            q = _quantiles_at(results, name, metric, k, scale)
            values = results.sample_values(name, metric, month)
            if values is not None:
                used_samples = True
                values = scale * values
            rows.append(_Row(scenario_label(name), colors[name], q["p5"], q["p25"], q["p50"],
                             q["p75"], q["p95"], values))
        panels.append((month, rows))
    all_rows = [r for _, rows in panels for r in rows]
    xlim = _limits(all_rows)
    suffix = ""
    if unit == "fraction":
        # Denied compute is at most 100%, but a looser policy than the reference (no
        # controls against the baseline) can reach -600%: cut off at -100% so that the
        # policies' effects stay readable, and write the cut-off ends out.
        xlim = (max(xlim[0], -110.0), min(xlim[1], 105.0))
        suffix = "%"
    row_height = 0.21
    height = 0.85 + len(months) * (0.3 + row_height * len(names))
    fig = new_figure(COLUMN_WIDTH, height)
    axes = fig.subplots(len(months), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (month, rows) in zip(axes, panels, strict=True):
        _interval_panel(ax, rows, xlim=xlim, zero_line=True, unit_suffix=suffix)
        ax.set_title(_month_title(month), fontsize=6.5, loc="left", pad=2)
    axes[-1].set_xlabel(f"{metric_title(metric)} ({unit_label(unit)})")
    fig.suptitle(metric_title(metric), fontsize=7.5, fontweight="bold", x=0.02, ha="left")
    handles = [Line2D([], [], color="grey", lw=1.0), Line2D([], [], color="grey", lw=4.0),
               Line2D([], [], ls="", marker="o", ms=4, mfc="white", mec="grey", mew=1.2)]
    labels = ["90% interval", "50% interval", "median"]
    if used_samples:
        handles.append(Patch(facecolor="grey", alpha=0.25, lw=0))
        labels.append("sampled density")
    _legend_below(fig, handles, labels, ncols=len(handles))
    reference = info.get("compared_with", "")
    shown = _with_reference(results, names, scenarios, reference)
    caption(fig, results.provenance, shown)
    description = (f"{metric_title(metric)} ({unit}), paired per sampled world against "
                   f"{reference.replace('_', ' ')} in the same world, at "
                   f"{', '.join(months)}. {info['description']}")
    return FigureSpec(fig.figure, f"effect_{metric}", metric_title(metric), description, shown)


def _with_reference(results: Results, names: list[str], scenarios: list[str],
                    reference: str) -> list[str]:
    """The scenarios an effect depends on: those shown, and the baseline scenario they are
    compared with (its policy is half of every paired difference), in run order."""
    chosen = set(names)
    if reference == "baseline":
        chosen |= {s for s in scenarios
                   if _policy(results, s) == results.info["baseline_policy"]}
    return [s for s in results.scenarios if s in chosen]


def _scalar_row(results: Results, scenario: str, metric: str, color: str, *,
                offset: float = 0.0, scale: float = 1.0) -> _Row:
    """Quantiles of a scalar metric; NaN statistics become infinite on the side the counts
    say (a missing upper quantile is beyond the horizon)."""
    s = results.scenarios.index(scenario)
    k = results.scalar_metrics.index(metric)
    finite_n, beyond, undefined = (int(c) for c in results.scalar_counts[s, k])
    values = []
    for j, q in enumerate((0.05, 0.25, 0.5, 0.75, 0.95)):
        v = float(results.scalars[s, k, results.stat_index(q)])
        if math.isnan(v):
            # Not a number: results.json writes every non-finite statistic as null.
            values.append(math.inf if j >= 2 or beyond > 0 else -math.inf)
        else:
            values.append(offset + scale * v)
    total = finite_n + beyond + undefined
    notes = []
    if beyond and total:
        notes.append(f"{100 * beyond / total:.0f}% beyond horizon")
    if undefined and total:
        notes.append(f"{100 * undefined / total:.0f}% undefined")
    samples = results.sample_values(scenario, metric)
    if samples is not None:
        samples = offset + scale * samples
    return _Row(scenario_label(scenario), color, *values, samples=samples,
                note=", ".join(notes))


def delay_figure(results: Results, scenarios: list[str]) -> FigureSpec | None:
    """When the target reaches the threshold (top), and the delay each policy buys against
    no controls and against the baseline (paired per sampled world)."""
    colors = scenario_colors(results.scenarios)
    start_year = int(results.date_labels[0][:4]) + (int(results.date_labels[0][5:]) - 1) / 12
    panels = []
    threshold = results.metric_info("threshold_month")
    rows = [_scalar_row(results, s, "threshold_month", colors[s], offset=start_year,
                        scale=1 / 12) for s in scenarios]
    panels.append(("threshold_month", rows, True))
    shown = list(scenarios)
    for metric in ("delay_months_vs_no_controls", "delay_months_vs_baseline"):
        if metric not in results.scalar_metrics:
            continue
        names = results.effect_scenarios(metric, scenarios)
        if names:
            panels.append((metric, [_scalar_row(results, s, metric, colors[s]) for s in names],
                           False))
    heights = [0.42 + 0.21 * len(rows) for _, rows, _ in panels]
    fig = new_figure(COLUMN_WIDTH, 0.8 + sum(heights) + 0.25 * len(panels))
    axes = fig.subplots(len(panels), 1, squeeze=False,
                        gridspec_kw={"height_ratios": heights})[:, 0]
    horizon_year = int(results.date_labels[-1][:4]) + int(results.date_labels[-1][5:]) / 12
    for ax, (metric, rows, is_date) in zip(axes, panels, strict=True):
        if is_date:
            lo, hi = _limits(rows, include_zero=False)
            lo = max(math.floor(lo), math.floor(start_year))
            hi = min(math.ceil(hi), horizon_year + 0.4)
            if any(r.p95 == math.inf for r in rows):
                # Some worlds never reach it: show the end of the run they did not reach.
                hi = horizon_year + 0.4
            _interval_panel(ax, rows, xlim=(lo, hi), zero_line=False)
            if hi > horizon_year:
                ax.axvline(horizon_year, color="#777777", lw=0.6, ls=(0, (2, 2)))
                ax.set_xlabel("year (dashed: end of the run)")
            else:
                ax.set_xlabel("year")
            ax.xaxis.set_major_locator(_year_locator(lo, hi))
        else:
            _interval_panel(ax, rows, xlim=_limits(rows), zero_line=True)
            ax.set_xlabel("delay (months)")
        ax.set_title(_DELAY_TITLES[metric], pad=3)
    handles = [Line2D([], [], color="grey", lw=1.0), Line2D([], [], color="grey", lw=4.0),
               Line2D([], [], ls="", marker="o", ms=4, mfc="white", mec="grey", mew=1.2)]
    labels = ["90% interval", "50% interval", "median"]
    if results.has_raw:
        handles.append(Patch(facecolor="grey", alpha=0.25, lw=0))
        labels.append("sampled density")
    _legend_below(fig, handles, labels, ncols=len(handles))
    caption(fig, results.provenance, shown)
    multiple = results.info["threshold_multiple"]
    description = (f"When the target's effective training compute reaches the threshold "
                   f"({multiple:g} × the frontier's in the start month), and the delay each "
                   f"policy buys, paired per sampled world. {threshold['description']} "
                   f"Arrows: quantiles beyond the end of the run.")
    return FigureSpec(fig.figure, "delays", "Threshold and delays", description, shown)


_DELAY_TITLES = {
    "threshold_month": "Threshold reached",
    "delay_months_vs_no_controls": "Delay vs no controls",
    "delay_months_vs_baseline": "Delay vs baseline",
}


def _year_locator(lo: float, hi: float):
    from matplotlib.ticker import MultipleLocator

    return MultipleLocator(2 if hi - lo > 6 else 1)


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
        _legend_below(fig, handles, labels, ncols=3)
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
        _legend_below(fig, handles, labels, ncols=3)
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
