"""Plots of a global sensitivity analysis (gapcast.sensitivity): the leading drivers of one
output as bars with their intervals, how the drivers of a metric change over the months
analysed (stacked areas), and Morris's mu* against sigma.

They draw from sensitivity.json alone (a :class:`gapcast.Sensitivity` or the file's dict),
so that the report can draw them from a ``gapcast sensitivity --out`` directory without
rerunning anything. Colours and style come from gapcast._figure_style, as every other plot.
This module does not import gapcast.sensitivity: that module imports this one lazily, and a
type-only import back would make a circle (tests/python/test_import_graph.py).
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._figure_style import OKABE_ITO, PALETTE, date_axis, metric_title

if TYPE_CHECKING:
    from matplotlib.axes import Axes

__all__ = ["bars_chart", "morris_chart", "over_time_chart", "over_time_layers"]

#: What the bars rank by and draw, per method (PAWN: the median over slices, as SALib reports).
BAR_STATISTIC = {"sobol": "ST", "morris": "mu_star", "pawn": "median"}
#: The first-order statistic the stacked areas draw by default.
OVER_TIME_STATISTIC = {"sobol": "S1", "morris": "mu_star", "pawn": "mean"}

_ST_COLOR = OKABE_ITO["blue"]
_S1_COLOR = OKABE_ITO["sky_blue"]
_WHISKER_COLOR = "#333333"
_OTHER_COLOR = "#bdbdbd"
_INTERACTIONS_COLOR = "#f0f0f0"


# ---- reading the record ---------------------------------------------------------------------

def _record(source: Any) -> Mapping[str, Any]:
    """sensitivity.json as a dict, from a Sensitivity or from the dict itself."""
    return source if isinstance(source, Mapping) else source.record


def _scenario(record: Mapping[str, Any], scenario: str | None) -> str:
    names = record["scenarios"]
    if scenario is None:
        if len(names) != 1:
            raise ValueError(f"say which scenario: {', '.join(names)}")
        return names[0]
    if scenario not in names:
        raise KeyError(f"no scenario {scenario!r}; scenarios: {', '.join(names)}")
    return scenario


def _entry(record: Mapping[str, Any], output: str, scenario: str) -> Mapping[str, Any]:
    """The indices of one output of one scenario. KeyError naming the outputs there are."""
    if output not in record["outputs"]:
        raise KeyError(f"no output {output!r}; outputs: {', '.join(record['outputs'])}")
    for entry in record["indices"]:
        if entry["scenario"] == scenario and entry["output"] == output:
            return entry
    raise KeyError(f"no indices for {output!r} of scenario {scenario!r}")


def _values(entry: Mapping[str, Any], statistic: str) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in entry["values"][statistic]],
                    dtype=float)


def _leading(values: np.ndarray, n: int) -> list[int]:
    """Positions of the n largest values, largest first; NaN (undefined) last, ties in
    factor order so that the same record always gives the same plot."""
    key = np.where(np.isfinite(values), -values, np.inf)
    return [int(i) for i in np.argsort(key, kind="stable")[:max(0, int(n))]]


def output_title(output: str) -> str:
    """"gap_training@2030-12" -> "Training compute gap, frontier / target, Dec 2030"."""
    metric, _, date = output.partition("@")
    if not date:
        return metric_title(metric)
    year, month = date.split("-")
    return f"{metric_title(metric)}, {calendar.month_abbr[int(month)]} {year}"


def _of_what(transform: str) -> str:
    # Level and ratio outputs are analysed as log10 (docs/sensitivity.md): say so on the axis.
    return " of log10(output)" if transform == "log10" else ""


def _not_analysed(ax: Axes, entry: Mapping[str, Any]) -> None:
    why = entry.get("note") or "no indices"
    ax.text(0.5, 0.5, f"not analysed: {why}", transform=ax.transAxes, ha="center",
            va="center", color="#555555", fontsize="small")
    ax.set_yticks([])


# ---- bars -----------------------------------------------------------------------------------

def _sobol_bars(ax: Axes, entry: Mapping[str, Any], chosen: list[int], y: np.ndarray) -> str:
    height = 0.38
    for stat, offset, color, label in (("ST", height / 2, _ST_COLOR, "total (ST)"),
                                       ("S1", -height / 2, _S1_COLOR, "first order (S1)")):
        values, conf = _values(entry, stat)[chosen], _values(entry, f"{stat}_conf")[chosen]
        ax.barh(y + offset, values, height=height, color=color, label=label, zorder=2)
        ax.errorbar(values, y + offset, xerr=conf, fmt="none", ecolor=_WHISKER_COLOR,
                    elinewidth=0.7, capsize=1.5, zorder=3)
    ax.legend(loc="lower right", frameon=False, fontsize="small")
    return f"Sobol' index (share of the variance{_of_what(entry['transform'])})"


def _morris_bars(ax: Axes, entry: Mapping[str, Any], chosen: list[int], y: np.ndarray) -> str:
    values, conf = _values(entry, "mu_star")[chosen], _values(entry, "mu_star_conf")[chosen]
    ax.barh(y, values, height=0.6, color=_ST_COLOR, zorder=2)
    ax.errorbar(values, y, xerr=conf, fmt="none", ecolor=_WHISKER_COLOR, elinewidth=0.7,
                capsize=1.5, zorder=3)
    return f"Morris μ* (mean |elementary effect|{_of_what(entry['transform'])})"


def _pawn_bars(ax: Axes, entry: Mapping[str, Any], chosen: list[int], y: np.ndarray) -> str:
    median = _values(entry, "median")[chosen]
    low, high = _values(entry, "minimum")[chosen], _values(entry, "maximum")[chosen]
    ax.barh(y, median, height=0.6, color=_ST_COLOR, zorder=2)
    # Whiskers span the slices' KS distances: how unevenly fixing the factor moves the output.
    ax.errorbar(median, y, xerr=np.vstack([median - low, high - median]), fmt="none",
                ecolor=_WHISKER_COLOR, elinewidth=0.7, capsize=1.5, zorder=3)
    return "PAWN index: median KS distance (whiskers: min–max)"


def bars_chart(result: Any, output: str, scenario: str | None = None, n: int = 10,
               ax: Axes | None = None) -> Axes:
    """The ``n`` leading drivers of one output as horizontal bars, the leading one on top.

    Sobol': total (ST) and first-order (S1) indices side by side, ranked by ST, with their
    bootstrap half-widths as error bars. Morris: mu* with its half-width. PAWN: the median
    KS distance over the slices, with whiskers from the smallest to the largest.

    ``result`` is a :class:`gapcast.Sensitivity` or the dict of its sensitivity.json;
    ``output`` is "metric@YYYY-MM" or a scalar metric (KeyError for one not analysed).
    An output that could not be analysed (e.g. never finite) draws a note instead of bars.
    """
    import matplotlib.pyplot as plt

    record = _record(result)
    scenario = _scenario(record, scenario)
    entry = _entry(record, output, scenario)
    groups = record["groups"]
    if ax is None:
        rows = min(max(1, int(n)), len(groups))
        # Wide: factor names such as domestic_lines.huawei.packages_per_year_2026 are long.
        _, ax = plt.subplots(figsize=(7.5, 1.0 + 0.32 * rows), layout="constrained")
    # Left-aligned: a centred title over the bars runs past the figure's right edge when the
    # factor names on the left are long.
    ax.set_title(output_title(output), loc="left")
    if not entry["defined"]:
        _not_analysed(ax, entry)
        return ax
    method = record["method"]
    chosen = _leading(_values(entry, BAR_STATISTIC[method]), n)
    y = np.arange(len(chosen), dtype=float)[::-1]  # the leading driver on top
    draw = {"sobol": _sobol_bars, "morris": _morris_bars, "pawn": _pawn_bars}[method]
    ax.set_xlabel(draw(ax, entry, chosen, y))
    ax.set_yticks(y, [groups[g] for g in chosen])
    ax.set_ylim(-0.6, len(chosen) - 0.4)
    ax.axvline(0.0, color=OKABE_ITO["black"], lw=0.6, zorder=1)
    ax.grid(True, axis="x", alpha=0.3)
    ax.grid(False, axis="y")
    return ax


# ---- over time ------------------------------------------------------------------------------

def _series_outputs(record: Mapping[str, Any], metric: str) -> list[str]:
    """The outputs "metric@YYYY-MM" of a metric, in date order. KeyError naming the metrics
    analysed over months."""
    found = sorted((o for o in record["outputs"] if o.partition("@")[0] == metric and "@" in o),
                   key=lambda o: o.partition("@")[2])
    if not found:
        series = dict.fromkeys(o.partition("@")[0] for o in record["outputs"] if "@" in o)
        raise KeyError(f"no metric {metric!r} analysed over months; metrics: "
                       f"{', '.join(series) or 'none'}")
    return found


def over_time_layers(result: Any, metric: str, scenario: str | None = None,
                     statistic: str | None = None, n: int = 6) -> pd.DataFrame:
    """What :func:`over_time_chart` stacks: one row per month analysed, one column per layer
    (the ``n`` leading factors by their mean over the months, then "other", the rest summed,
    then for Sobol' S1 "interactions", the gap between the sum of S1 and 1; a group that is
    itself called "other" makes the sum "other (rest)"). ``attrs["factors"]`` is the number
    of factor columns.

    Indices below zero are drawn as zero: a negative first-order index is estimator noise
    around zero, and a stacked area cannot show it. Morris mu* is in the output's units, which
    change from month to month, so its layers are each month's shares of the sum of mu*.
    Months whose output could not be analysed are NaN rows."""
    record = _record(result)
    scenario = _scenario(record, scenario)
    method = record["method"]
    statistic = statistic or OVER_TIME_STATISTIC[method]
    if statistic not in record["statistics"]:
        raise KeyError(f"no statistic {statistic!r}; statistics: "
                       f"{', '.join(record['statistics'])}")
    outputs = _series_outputs(record, metric)
    rows = []
    for output in outputs:
        entry = _entry(record, output, scenario)
        values = _values(entry, statistic) if entry["defined"] else \
            np.full(len(record["groups"]), np.nan)
        rows.append(np.clip(values, 0.0, None))
    matrix = np.array(rows)
    if method == "morris":
        with np.errstate(invalid="ignore", divide="ignore"):
            matrix = matrix / np.nansum(matrix, axis=1, keepdims=True)
    defined = ~np.all(np.isnan(matrix), axis=1)
    with np.errstate(invalid="ignore"):
        ranking = np.nanmean(np.where(defined[:, None], matrix, np.nan), axis=0) \
            if defined.any() else np.full(matrix.shape[1], np.nan)
    chosen = _leading(ranking, n)
    rest = [g for g in range(matrix.shape[1]) if g not in chosen]
    layers = {record["groups"][g]: matrix[:, g] for g in chosen}
    if rest:
        layers[_free("other", record["groups"])] = np.where(
            defined, np.nansum(matrix[:, rest], axis=1), np.nan)
    if method == "sobol" and statistic == "S1":
        total = np.nansum(matrix, axis=1)
        gap = np.where(defined, np.clip(1.0 - total, 0.0, None), np.nan)
        if np.nanmax(gap, initial=0.0) > 0.0:
            layers[_free("interactions", record["groups"])] = gap
    dates = pd.DatetimeIndex(pd.to_datetime([o.partition("@")[2] for o in outputs],
                                            format="%Y-%m"), name="date")
    frame = pd.DataFrame(layers, index=dates)
    # Which columns are factors; the chart colours the rest and the interactions apart.
    frame.attrs.update(factors=len(chosen), rest=bool(rest))
    return frame


def _free(name: str, groups: list[str]) -> str:
    """A layer's name that no factor has (a group may well be called "other")."""
    while name in groups:
        name = f"{name} (rest)" if not name.endswith(")") else f"{name}*"
    return name


def _over_time_ylabel(method: str, statistic: str) -> str:
    if method == "sobol":
        return ("share of the variance (S1)" if statistic == "S1"
                else f"Sobol' {statistic}, stacked")
    if method == "morris":
        shown = {"mu_star": "μ*", "mu": "μ", "sigma": "σ"}.get(statistic, statistic)
        return f"share of the month's total {shown}"
    return f"PAWN {statistic} KS distance, stacked"


def over_time_chart(result: Any, metric: str, scenario: str | None = None,
                    statistic: str | None = None, n: int = 6, ax: Axes | None = None, *,
                    date_style: str = "concise", legend: bool = True) -> Axes:
    """How the drivers of a metric change over the months analysed: stacked areas of the
    ``n`` leading factors' first-order index (Sobol' S1 by default; Morris mu* as each month's
    shares; PAWN mean), the rest summed as "other" and, for Sobol' S1, the part of the
    variance no factor explains alone labelled "interactions". The layers are
    :func:`over_time_layers`. ``date_style`` is that of the other plots' time axes
    ("concise", or "years" for print)."""
    import matplotlib.pyplot as plt

    record = _record(result)
    layers = over_time_layers(record, metric, scenario, statistic, n)
    statistic = statistic or OVER_TIME_STATISTIC[record["method"]]
    if ax is None:
        _, ax = plt.subplots(figsize=(7.5, 3.8), layout="constrained")
    x, values = layers.index, layers.to_numpy().T
    if len(x) == 1:
        # One month: a band a month wide, so that the stack is visible.
        x = pd.DatetimeIndex([x[0] - pd.Timedelta(days=15), x[0] + pd.Timedelta(days=15)])
        values = np.repeat(values, 2, axis=1)
    factors = layers.attrs["factors"]
    colors = [PALETTE[i % len(PALETTE)] for i in range(factors)]
    hatches: list[str | None] = [None] * factors
    if layers.attrs["rest"]:
        colors.append(_OTHER_COLOR)
        hatches.append(None)
    if len(colors) < len(layers.columns):
        colors.append(_INTERACTIONS_COLOR)
        hatches.append("////")
    ax.stackplot(x, values, labels=list(layers.columns), colors=colors, hatch=hatches,
                 edgecolor="white", linewidth=0.4)
    date_axis(ax, x, style=date_style)
    ax.set_ylim(bottom=0.0)
    ax.set_ylabel(_over_time_ylabel(record["method"], statistic))
    ax.set_title(metric_title(metric))
    if legend:
        handles, labels = ax.get_legend_handles_labels()
        # Top layer first, as the areas are stacked.
        ax.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  frameon=False, fontsize="small")
    return ax


# ---- Morris ---------------------------------------------------------------------------------

def _morris_references(ax: Axes, trajectories: int, top: float) -> None:
    """sigma = mu* (SALib's usual guide: above it, the spread of the effects exceeds their
    size) and Morris's (1991) wedge sigma = sqrt(r) mu* / 2: above it the mean effect is
    within two standard errors (sigma / sqrt(r)) of zero."""
    mu = np.array([0.0, top])
    ax.plot(mu, mu, color="#8a8a8a", lw=0.8, ls=":", label="σ = μ*", zorder=1)
    ax.plot(mu, math.sqrt(trajectories) * mu / 2, color="#8a8a8a", lw=0.8, ls="--",
            label=f"σ = √r·μ*/2 (r = {trajectories})", zorder=1)


def morris_chart(result: Any, output: str, scenario: str | None = None,
                 ax: Axes | None = None, *, labels: int = 8, reference: bool = True) -> Axes:
    """Morris screening of one output: mu* (does the factor matter?) against sigma (does its
    effect depend on where the other factors are?), one point per factor, the ``labels``
    largest by mu* named. ``reference`` draws the lines sigma = mu* and sigma = sqrt(r) mu*/2
    (r trajectories). Groups of several parameters have no sigma and are left out (the
    figure says how many). ValueError for a result of another method."""
    import matplotlib.pyplot as plt

    record = _record(result)
    if record["method"] != "morris":
        raise ValueError(f"this is a {record['method']} result; the mu*-sigma plot needs "
                         "method='morris'")
    scenario = _scenario(record, scenario)
    entry = _entry(record, output, scenario)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4.2), layout="constrained")
    ax.set_title(output_title(output))
    if not entry["defined"]:
        _not_analysed(ax, entry)
        return ax
    mu_star, sigma = _values(entry, "mu_star"), _values(entry, "sigma")
    shown = np.isfinite(mu_star) & np.isfinite(sigma)
    ax.scatter(mu_star[shown], sigma[shown], s=18, color=_ST_COLOR, zorder=3, linewidths=0)
    for g in _leading(np.where(shown, mu_star, np.nan), labels):
        if shown[g]:
            ax.annotate(record["groups"][g], (mu_star[g], sigma[g]), xytext=(4, 2),
                        textcoords="offset points", fontsize="x-small")
    top = float(np.nanmax(mu_star[shown], initial=0.0)) * 1.08 or 1.0
    if reference:
        _morris_references(ax, int(record["options"]["samples"]), top)
        ax.legend(loc="upper left", frameon=False, fontsize="small")
    ax.set_xlim(0.0, top)
    ax.set_ylim(0.0, max(float(np.nanmax(sigma[shown], initial=0.0)) * 1.1, 1e-12))
    ax.set_xlabel(f"μ* (mean |elementary effect|{_of_what(entry['transform'])})")
    ax.set_ylabel("σ (spread of the elementary effects)")
    if (~shown).any():
        ax.text(0.99, 0.01, f"{int((~shown).sum())} factor(s) without σ not shown",
                transform=ax.transAxes, ha="right", va="bottom", fontsize="x-small",
                color="#555555")
    return ax
