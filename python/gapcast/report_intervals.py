"""The report's figures of distributions at chosen months, drawn from :class:`gapcast.Results`:
per scenario, quantile intervals over sampled worlds (90% thin, 50% thick, the median an open
dot), with the sampled density above each when the run kept per-sample values.

- paired policy effects at the report months, one panel per month;
- the threshold month and the delays to it that each policy buys.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MultipleLocator

from ._figure_style import OKABE_ITO, metric_title, scenario_colors, scenario_label, unit_label
from .report_style import COLUMN_WIDTH, FigureSpec, caption, format_value, legend_below, new_figure

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .results import Results

__all__ = ["delay_figure", "effect_figure"]


def _policy(results: Results, scenario: str) -> str:
    return results.scenario_info[results.scenarios.index(scenario)]["policy"]


# ---- rows of intervals -----------------------------------------------------------------------

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
    legend_below(fig, handles, labels, ncols=len(handles))
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
    legend_below(fig, handles, labels, ncols=len(handles))
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


def _year_locator(lo: float, hi: float) -> MultipleLocator:
    return MultipleLocator(2 if hi - lo > 6 else 1)
