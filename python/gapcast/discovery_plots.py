"""Plots of a scenario discovery (gapcast.discover): the peeling trajectory's trade-off
between coverage and density, and the chosen box's limits against each parameter's range.

They draw from the two tables a discovery keeps, the trajectory and the box table (the same
as trajectory.csv and box.csv), so that the report can draw them from discovery.json without
the ensemble. Colours and style come from gapcast._figure_style, as every other plot.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ._figure_style import OKABE_ITO

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["box_limits_chart", "discovery_chart", "tradeoff_chart"]

_CHOSEN_COLOR = OKABE_ITO["vermillion"]
_RANGE_COLOR = "#e3e3e3"
_BOX_COLOR = OKABE_ITO["blue"]


def _tables(source: Any) -> tuple[pd.DataFrame, int, pd.DataFrame, str]:
    """(trajectory, chosen box, box table, title) of a Discovery or of discovery.json."""
    if isinstance(source, dict):
        trajectory = pd.DataFrame(source["trajectory"]).set_index("box")
        box = pd.DataFrame(source["chosen_box"]["limits"]).set_index("parameter")
        return trajectory, int(source["chosen_box"]["index"]), box, source["where"]
    return source.trajectory, source.chosen, source.box_frame(), source.where


def tradeoff_chart(source: Any, ax: Axes | None = None) -> Axes:
    """Density against coverage for every box of the peeling trajectory, coloured by the
    number of restricted parameters, with the chosen box ringed. Moving along the line from
    the lower right (all worlds) trades coverage of the cases for purity of the box."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    trajectory, chosen, _, _ = _tables(source)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.0, 3.2), layout="constrained")
    cov = 100 * trajectory["coverage"].to_numpy(dtype=float)
    den = 100 * trajectory["density"].to_numpy(dtype=float)
    dims = trajectory["res_dim"].to_numpy(dtype=int)
    ax.plot(cov, den, color="#9a9a9a", lw=0.7, zorder=1)
    top = max(1, int(dims.max()))
    points = ax.scatter(cov, den, c=dims, cmap="viridis", vmin=0, vmax=top, s=12,
                        zorder=2, linewidths=0)
    ax.scatter([cov[chosen]], [den[chosen]], s=70, facecolors="none",
               edgecolors=_CHOSEN_COLOR, linewidths=1.2, zorder=3)
    ax.annotate(f"box {chosen}", (cov[chosen], den[chosen]), xytext=(6, -10),
                textcoords="offset points", color=_CHOSEN_COLOR, fontsize="small")
    ax.set_xlabel("coverage (% of cases inside the box)")
    ax.set_ylabel("density (% of the box that are cases)")
    ax.set_xlim(0, 102)
    ax.set_ylim(0, 102)
    bar = ax.figure.colorbar(points, ax=ax, pad=0.02, fraction=0.05)
    bar.set_label("restricted parameters")
    bar.locator = MaxNLocator(integer=True)
    bar.update_ticks()
    ax.set_title("Peeling trajectory")
    return ax


def _short_number(x: float) -> str:
    if not math.isfinite(x) or x == 0:
        return f"{x:g}"
    return f"{x:.3g}" if abs(x) < 1e4 else f"{x:.2e}"


def box_limits_chart(source: Any, ax: Axes | None = None) -> Axes:
    """The chosen box: for each restricted parameter, its sampled range (grey, scaled to
    0-1) and the part the box keeps (blue), with the limits and the quasi-p-value."""
    import matplotlib.pyplot as plt

    _, chosen, box, _ = _tables(source)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.8, 0.6 + 0.32 * max(1, len(box))),
                             layout="constrained")
    names = list(box.index)
    for row, name in enumerate(names):
        y = len(names) - 1 - row
        item = box.loc[name]
        ax.barh(y, 1.0, left=0.0, height=0.6, color=_RANGE_COLOR, zorder=1)
        allowed = item.get("allowed")
        if isinstance(allowed, (list, tuple, np.ndarray)) and len(allowed) > 0:
            ax.barh(y, 1.0, left=0.0, height=0.34, color=_BOX_COLOR, zorder=2)
            ax.text(0.5, y, " or ".join(map(str, allowed)), ha="center", va="center",
                    color="white", fontsize="small", zorder=3)
            qp = float(item["qp_lower"])
        else:
            low, high = float(item["range_min"]), float(item["range_max"])
            span = high - low if high > low else 1.0
            lo, hi = (float(item["min"]) - low) / span, (float(item["max"]) - low) / span
            ax.barh(y, hi - lo, left=lo, height=0.34, color=_BOX_COLOR, zorder=2)
            ax.text(lo, y + 0.33, _short_number(float(item["min"])), ha="center",
                    va="bottom", fontsize="x-small")
            ax.text(hi, y + 0.33, _short_number(float(item["max"])), ha="center",
                    va="bottom", fontsize="x-small")
            qp = float(np.nanmin([float(item["qp_lower"]), float(item["qp_upper"])]))
        ax.text(1.03, y, f"qp {qp:.1g}", va="center", fontsize="x-small",
                color="#333333" if qp < 0.05 else "#a0a0a0")
    ax.set_yticks(range(len(names)), [n for n in reversed(names)])
    ax.set_xlim(0, 1.18)
    ax.set_ylim(-0.6, max(len(names), 1) - 0.2)
    ax.set_xticks([0, 0.5, 1], ["min", "mid", "max"])
    ax.set_xlabel("position within the sampled range")
    ax.grid(False)
    ax.set_title(f"Box {chosen}: limits" if names else f"Box {chosen}: no limits")
    return ax


def discovery_chart(source: Any) -> Figure:
    """The trade-off and the box limits side by side, titled with the condition."""
    import matplotlib.pyplot as plt

    _, _, box, where = _tables(source)
    fig = plt.figure(figsize=(9.0, 0.8 + max(2.6, 0.32 * len(box))), layout="constrained")
    left, right = fig.subplots(1, 2, width_ratios=[1.0, 1.25])
    tradeoff_chart(source, ax=left)
    box_limits_chart(source, ax=right)
    fig.suptitle(f"Where {where}", x=0.01, ha="left", fontweight="bold")
    return fig
