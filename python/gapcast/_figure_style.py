"""The figure vocabulary that notebook plots (:mod:`gapcast.plotting`) and report figures
(:mod:`gapcast.report_figures`) share: colours, names of metrics and units, which units are
drawn on log axes, and the date and log axes themselves.

One place for these, so that a scenario, a supply channel or a metric looks and reads the
same in a notebook and in a published report. The print-specific style (sizes, fonts, the
provenance strip, saving byte for byte) is in :mod:`gapcast.report_style`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import matplotlib.dates as mdates
import numpy as np
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullFormatter

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .results import Results

__all__ = [
    "CHANNELS",
    "CHANNEL_COLORS",
    "HARDWARE_COLOR",
    "LOG_UNITS",
    "OKABE_ITO",
    "PALETTE",
    "SOFTWARE_COLOR",
    "date_axis",
    "finite",
    "log_axis",
    "metric_label",
    "metric_title",
    "scenario_colors",
    "scenario_label",
    "unit_label",
]

# ---- colours ----------------------------------------------------------------------------------

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

#: Supply channels into the target's stock, in stacking order, and their fixed colours.
CHANNELS: tuple[str, ...] = ("licensed", "smuggled", "domestic", "remote")
CHANNEL_COLORS: dict[str, str] = {
    "licensed": OKABE_ITO["blue"],
    "smuggled": OKABE_ITO["vermillion"],
    "domestic": OKABE_ITO["bluish_green"],
    "remote": OKABE_ITO["orange"],
}

#: The two parts of the training gap in months (hardware and the software lag).
HARDWARE_COLOR = OKABE_ITO["blue"]
SOFTWARE_COLOR = OKABE_ITO["reddish_purple"]


def scenario_colors(scenarios: Sequence[str],
                    colors: Mapping[str, str] | None = None) -> dict[str, str]:
    """A colour per scenario from :data:`PALETTE` by its position in ``scenarios``,
    overridden by ``colors``. Pass every scenario of the run, not only those drawn, and a
    scenario keeps its colour in every figure whatever is left out."""
    chosen = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(scenarios)}
    chosen.update(colors or {})
    return chosen


# ---- words ------------------------------------------------------------------------------------

#: Readable names of the metrics (the catalogue's descriptions are longer).
METRIC_TITLES: dict[str, str] = {
    "target_training_effective": "Target's effective training compute",
    "target_inference_effective": "Target's effective inference compute",
    "frontier_training_effective": "Frontier's effective training compute",
    "frontier_inference_effective": "Frontier's effective inference compute",
    "target_training_hardware": "Target's training hardware",
    "target_inference_hardware": "Target's inference hardware",
    "frontier_training_hardware": "Frontier's training hardware",
    "frontier_inference_hardware": "Frontier's inference hardware",
    "frontier_power_gw": "Power drawn by the US stock",
    "gap_training": "Training compute gap, frontier / target",
    "gap_inference": "Inference compute gap, frontier / target",
    "gap_training_months": "Training gap in months of software progress",
    "gap_inference_months": "Inference gap in months of software progress",
    "gap_training_hardware": "Training hardware gap, frontier / target",
    "gap_training_hardware_months": "Hardware part of the training gap",
    "software_lag_months": "Target's software lag",
    "import_pressure": "Unmet share of foreign-chip demand",
    "domestic_output_per_year": "Domestic accelerator output",
    "smuggling_flow_h100e_per_year": "Smuggled accelerators reaching the target",
    "denied_training_vs_no_controls": "Training compute denied, vs no controls",
    "denied_inference_vs_no_controls": "Inference compute denied, vs no controls",
    "denied_training_vs_baseline": "Training compute denied, vs baseline",
    "denied_inference_vs_baseline": "Inference compute denied, vs baseline",
    "added_gap_months_vs_no_controls": "Training gap added, vs no controls",
    "added_gap_months_vs_baseline": "Training gap added, vs baseline",
    "prob_gap_training_below_2x": "P(training gap below 2×)",
    "prob_gap_inference_below_2x": "P(inference gap below 2×)",
    "prob_threshold_reached": "P(threshold reached)",
    "threshold_month": "Month the target reaches the threshold",
    "delay_months_vs_no_controls": "Delay to the threshold, vs no controls",
    "delay_months_vs_baseline": "Delay to the threshold, vs baseline",
}

#: Units in words, short enough for an axis 3.5 inches wide.
UNIT_LABELS: dict[str, str] = {
    "eff. H100e": "effective H100e",
    "H100e": "H100e",
    "H100e (bandwidth)": "H100e by memory bandwidth",
    "x": "frontier / target",
    "months": "months",
    "months from start": "months from start",
    "fraction": "%",
    "probability": "%",
    "packages/yr": "packages per year",
    "H100e/yr": "H100e per year",
    "GW": "GW",
}

#: Units whose values span orders of magnitude across samples and years: drawn on log axes.
LOG_UNITS = frozenset({"eff. H100e", "H100e", "H100e (bandwidth)", "x", "packages/yr",
                       "H100e/yr", "GW"})


def metric_title(metric: str) -> str:
    """A metric's readable name: "gap_training" -> "Training compute gap, frontier /
    target"."""
    return METRIC_TITLES.get(metric, metric.replace("_", " ").capitalize())


def unit_label(unit: str) -> str:
    """The unit in words (a log scale shows in the powers of ten on the axis)."""
    return UNIT_LABELS.get(unit, unit)


def metric_label(results: Results, metric: str) -> str:
    """Axis label for a metric: its readable name and the unit as the results name it,
    e.g. "Training compute gap, frontier / target (x)"."""
    return f"{metric_title(metric)} ({results.metric_info(metric)['unit']})"


def scenario_label(name: str) -> str:
    """A scenario's name as readers see it: "comprehensive_embargo" -> "Comprehensive
    embargo"."""
    text = name.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


# ---- values and axes --------------------------------------------------------------------------

def finite(values: np.ndarray) -> np.ndarray:
    """The values with "beyond the horizon" (inf) and "undefined" (NaN) statistics as NaN,
    which matplotlib leaves out of lines and bands."""
    return np.where(np.isfinite(values), values, np.nan)


def date_axis(ax: Axes, dates, *, style: str = "concise") -> None:
    """A time axis spanning the output months exactly (margins would suggest months that were
    not computed). ``style="concise"`` (notebooks): matplotlib's concise dates and a "Date"
    label; ``"years"`` (print): calendar years, every second or fifth one labelled when the
    run is long, no label (the years say it)."""
    ax.set_xlim(dates[0], dates[-1])
    if style == "concise":
        locator = mdates.AutoDateLocator(maxticks=7)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.set_xlabel("Date")
        return
    if style != "years":
        raise ValueError(f"style must be 'concise' or 'years' (got {style!r})")
    span = dates[-1].year - dates[0].year + 1
    step = 1 if span <= 5 else 2 if span <= 12 else 5
    ax.xaxis.set_major_locator(mdates.YearLocator(step))
    ax.xaxis.set_minor_locator(mdates.YearLocator(1))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.grid(True, axis="x", which="major")


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def superscript_power(exponent: int) -> str:
    """10 to a power as text: 6 -> "10⁶"."""
    return "10" + str(exponent).translate(_SUPERSCRIPT)


def log_axis(ax: Axes, axis: str = "y", *, times: bool = False) -> None:
    """A log axis with readable labels: powers of ten written 10⁶ (or 1×, 10×, 100× for
    ratios, ``times=True``), at most about six labelled ticks, and 2-5 steps labelled when
    the data span less than two decades. Call it after drawing: the ticks follow the data."""
    target = ax.yaxis if axis == "y" else ax.xaxis
    (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
    lo, hi = ax.get_ylim() if axis == "y" else ax.get_xlim()
    lo, hi = max(lo, 1e-300), max(hi, 1e-300)
    decades = math.log10(hi / lo)

    def label(value: float, _pos: int | None = None) -> str:
        if value <= 0:
            return ""
        exponent = math.log10(value)
        if times:
            return f"{value:,.0f}×" if value >= 1 else f"{value:g}×"
        if abs(exponent - round(exponent)) < 1e-9 and (value >= 1e4 or value < 1e-2):
            return superscript_power(int(round(exponent)))
        return f"{value:,.0f}" if value >= 1 else f"{value:g}"

    lo_exp, hi_exp = math.floor(math.log10(lo)), math.ceil(math.log10(hi))
    if decades < 2.0:
        ticks = [m * 10.0**e for e in range(lo_exp, hi_exp + 1) for m in (1, 2, 5)
                 if lo <= m * 10.0**e <= hi]
        target.set_major_locator(FixedLocator(ticks))
        target.set_minor_locator(LogLocator(base=10, subs=(1, 2, 3, 4, 5, 6, 7, 8, 9)))
    else:
        step = max(1, math.ceil(decades / 6))
        ticks = [10.0**e for e in range(lo_exp, hi_exp + 1) if (e - lo_exp) % step == 0]
        target.set_major_locator(FixedLocator(ticks))
        target.set_minor_locator(LogLocator(base=10, subs=(1.0,) if step > 1 else
                                            (2, 3, 4, 5, 6, 7, 8, 9), numticks=100))
    target.set_major_formatter(FuncFormatter(label))
    target.set_minor_formatter(NullFormatter())
    (ax.set_ylim if axis == "y" else ax.set_xlim)(lo, hi)
