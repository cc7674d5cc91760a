"""The report's house style for print: sizes, fonts, number formats, the provenance strip,
and saving figures with their provenance so that the same results always give the same bytes.
Colours, metric names and axes are shared with the notebook plots (gapcast._figure_style).

Figures are drawn at their printed size (3.5 in, a journal's single column; 7 in for the few
wide ones) with 7-point text, so what is legible here is legible on paper. The fonts are
matplotlib's bundled DejaVu Sans, never a system font, and every date matplotlib would stamp
into a file is removed: together with a fixed SVG hash salt that makes a figure a function of
the results alone.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib as mpl
from matplotlib.figure import Figure, SubFigure

from ._figure_style import PALETTE, superscript_power

if TYPE_CHECKING:
    from .provenance import Provenance

__all__ = [
    "COLUMN_WIDTH",
    "FORMATS",
    "WIDE_WIDTH",
    "FigureSpec",
    "caption",
    "format_value",
    "legend_below",
    "new_figure",
    "report_style",
    "save_figure",
]

#: Printed widths in inches: one column of a two-column journal page, and the full page.
COLUMN_WIDTH = 3.5
WIDE_WIDTH = 7.0
#: Figure formats the report writes.
FORMATS = ("svg", "pdf", "png")

_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 7.0,
    "axes.titlesize": 7.5,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 7.0,
    "xtick.labelsize": 6.5,
    "ytick.labelsize": 6.5,
    "legend.fontsize": 6.5,
    "legend.title_fontsize": 6.5,
    "legend.frameon": False,
    "axes.linewidth": 0.6,
    "axes.edgecolor": "#333333",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.linewidth": 0.4,
    "grid.color": "#d9d9d9",
    "axes.axisbelow": True,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.minor.width": 0.4,
    "ytick.minor.width": 0.4,
    "xtick.major.size": 2.5,
    "ytick.major.size": 2.5,
    "xtick.minor.size": 1.5,
    "ytick.minor.size": 1.5,
    "lines.linewidth": 1.3,
    "mathtext.fontset": "dejavusans",
    "axes.prop_cycle": mpl.cycler(color=list(PALETTE)),
    # Editable TrueType text in PDFs (journals reject Type 3 fonts); outlines in SVG so it
    # looks the same without the font installed.
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "path",
    # SVG element ids are random unless salted; a fixed salt makes them a function of the
    # drawing.
    "svg.hashsalt": "gapcast-report",
    "savefig.facecolor": "white",
    "figure.facecolor": "white",
    "figure.constrained_layout.h_pad": 0.03,
    "figure.constrained_layout.w_pad": 0.03,
}


@contextlib.contextmanager
def report_style() -> Iterator[None]:
    """matplotlib settings of the report, from matplotlib's defaults rather than the user's
    matplotlibrc (which would otherwise change the files), restored on exit."""
    with mpl.rc_context():
        mpl.rcdefaults()
        mpl.rcParams.update(_RC)
        yield


_CAPTION_SIZE = 5.5  # points
_CAPTION_MARGIN = 3.0  # points above and below the caption


def _caption_lines(width: float) -> int:
    # At full-page width the two caption lines fit on one.
    return 1 if width >= WIDE_WIDTH - 1e-9 else 2


def _caption_height(width: float) -> float:
    """Inches the provenance caption takes at the foot of a figure this wide."""
    return (_caption_lines(width) * _CAPTION_SIZE * 1.35 + 2 * _CAPTION_MARGIN) / 72.0


def new_figure(width: float, height: float) -> SubFigure:
    """A figure ``width`` inches wide whose drawing area is ``height`` inches tall, with a
    strip for the provenance caption below it (see :func:`caption`); the drawing area, a
    subfigure with constrained layout, is returned (its ``.figure`` is the whole figure).
    Keeping the caption in its own strip means no legend or label can run into it. Made
    without pyplot, so nothing depends on or changes the interactive backend."""
    foot = _caption_height(width)
    root = Figure(figsize=(width, height + foot), layout="constrained")
    root.get_layout_engine().set(w_pad=0.02, h_pad=0.02, hspace=0.0, wspace=0.0)
    body, _ = root.subfigures(2, 1, height_ratios=[height, foot])
    return body


@dataclass
class FigureSpec:
    """A drawn report figure: the figure, its file stem, a title and a description for the
    HTML page, and the scenarios it shows (their fingerprints go into the caption's scenario
    hash)."""

    figure: Figure
    stem: str
    title: str
    description: str
    scenarios: list[str] = field(default_factory=list)


def legend_below(fig: SubFigure, handles: list, labels: list[str], ncols: int = 2) -> None:
    """The legend in a row under the panels, inside the drawing area (the caption strip
    stays free)."""
    fig.legend(handles, labels, loc="outside lower center", ncols=ncols, handlelength=1.6,
               columnspacing=1.2, borderaxespad=0.2)


# ---- numbers ------------------------------------------------------------------------------

def _round_sig(x: float, sig: int) -> float:
    if x == 0 or not math.isfinite(x):
        return x
    return round(x, sig - 1 - int(math.floor(math.log10(abs(x)))))


def format_value(x: float | None, unit: str = "", *, style: str = "text", sig: int = 3) -> str:
    """A value for tables: 3 significant digits; thousands separators up to 99,999; powers
    of ten above (1.2×10⁶); fractions and probabilities as percentages. ``style`` is
    "text" (Markdown, HTML) or "latex". None/NaN is an en dash."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "--" if style == "latex" else "–"
    if math.isinf(x):
        return ("$+\\infty$" if x > 0 else "$-\\infty$") if style == "latex" else (
            "+∞" if x > 0 else "−∞")
    if unit in ("fraction", "probability"):
        pct = 100.0 * x
        digits = 0 if abs(pct) >= 10 or pct == 0 else 1
        text = f"{pct:.{digits}f}"
        if text in ("-0", "-0.0"):
            text = text[1:]
        if text.startswith("-"):
            text = ("$-$" if style == "latex" else "−") + text[1:]
        return text + ("\\%" if style == "latex" else "%")
    value = _round_sig(float(x), sig)
    magnitude = abs(value)
    if magnitude >= 1e5:
        exponent = int(math.floor(math.log10(magnitude)))
        mantissa = value / 10**exponent
        # Trailing zeros stay: they are significant digits, and columns read evenly.
        m = f"{mantissa:.{sig - 1}f}"
        if style == "latex":
            return f"${m}{{\\times}}10^{{{exponent}}}$"
        return f"{m}×{superscript_power(exponent)}"
    if magnitude >= 1000:
        text = f"{value:,.0f}"
    elif magnitude == 0:
        text = "0"
    else:
        decimals = max(0, sig - 1 - int(math.floor(math.log10(magnitude))))
        text = f"{value:.{decimals}f}"
    if style == "latex":
        text = text.replace(",", "{,}")
        if text.startswith("-"):
            text = "$-$" + text[1:]
    elif text.startswith("-"):
        text = "−" + text[1:]
    return text


# ---- provenance and saving ------------------------------------------------------------------

def caption(fig: SubFigure, provenance: Provenance, names: Sequence[str] | None = None) -> None:
    """The visible provenance line(s) in the caption strip of a figure from
    :func:`new_figure`, in small grey type."""
    root = fig.figure
    lines = provenance.caption_lines(list(names) if names is not None else None)
    if _caption_lines(root.get_figwidth()) == 1:
        lines = [" · ".join(lines)]
    foot = root.subfigs[-1]
    foot.text(0.012, 0.5, "\n".join(lines), fontsize=_CAPTION_SIZE, color="#555555",
              ha="left", va="center", linespacing=1.35)


def _metadata(fmt: str, title: str, provenance: Provenance,
              names: Sequence[str] | None) -> dict[str, object]:
    chosen = list(names) if names is not None else None
    long = provenance.long_text(chosen)
    creator = f"gapcast {provenance.engine_version} report (matplotlib {mpl.__version__})"
    if fmt == "png":
        # tEXt chunks; matplotlib adds no time stamp to PNGs.
        return {"Title": title, "Description": long, "Software": creator,
                "Source": f"gapcast {provenance.engine_version} ({provenance.git_commit})",
                "Comment": provenance.caption(chosen)}
    if fmt == "pdf":
        # None removes the creation and modification dates matplotlib would stamp in.
        return {"Title": title, "Subject": long, "Creator": creator,
                "Keywords": f"gapcast; seed {provenance.seed}; samples {provenance.samples}; "
                            f"scenarios #{provenance.scenario_hash(chosen)}",
                "CreationDate": None, "ModDate": None}
    if fmt == "svg":
        return {"Title": title, "Description": long, "Creator": creator, "Date": None,
                "Source": f"results.json sha256 {provenance.results_sha256}",
                "Identifier": f"scenarios #{provenance.scenario_hash(chosen)}"}
    raise ValueError(f"unknown figure format {fmt!r}")


def _subfigures(fig: Figure | SubFigure) -> list[SubFigure]:
    out = []
    for sub in fig.subfigs:
        out += [sub, *_subfigures(sub)]
    return out


def _rounded(bounds: Sequence[float]) -> list[float]:
    return [round(float(v), 9) + 0.0 for v in bounds]


def freeze_layout(fig: Figure) -> None:
    """Runs the constrained layout once, rounds the positions it found and fixes them.

    The layout solver's last bits vary from one process to the next (its internal order
    follows object addresses), and SVG element ids are hashes of the clip boxes' exact
    coordinates: without this, the same figure would get other ids, and so other bytes, on
    every run. One layout for all formats also keeps SVG, PDF and PNG identical in design.
    """
    fig.draw_without_rendering()
    for sub in _subfigures(fig):
        x0, y0, x1, y1 = _rounded(sub.bbox_relative.extents)
        sub.bbox_relative.p0 = (x0, y0)
        sub.bbox_relative.p1 = (x1, y1)
    for holder in [fig, *_subfigures(fig)]:
        for ax in holder.axes:
            ax.set_position(_rounded(ax.get_position(original=False).bounds), which="both")
    fig.set_layout_engine("none")


def save_figure(fig: Figure, out_dir: Path, stem: str, title: str, provenance: Provenance,
                names: Sequence[str] | None, formats: Sequence[str], dpi: int) -> list[Path]:
    """Writes the figure in each format with the provenance in its metadata. Returns the
    paths written (figures/<stem>.<fmt>)."""
    freeze_layout(fig)
    paths = []
    for fmt in formats:
        path = out_dir / f"{stem}.{fmt}"
        fig.savefig(path, format=fmt, dpi=dpi if fmt == "png" else 72,
                    metadata=_metadata(fmt, title, provenance, names))
        paths.append(path)
    return paths

