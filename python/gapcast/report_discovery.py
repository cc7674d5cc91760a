"""The report's scenario-discovery section: for each discovery result given to
``gapcast report --discovery DIR`` (written by ``gapcast discover --out DIR``), a figure (the
trade-off along the peeling trajectory and the chosen box's limits) and a table of the box's
limits with the finding in plain words.

A discovery belongs in a report only if it was made from the same run: its ensemble must carry
the results' seed and sample count and hold a scenario of the results, and when the results'
manifest lists an ensemble, the discovery's ensemble must be that file (same SHA-256).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

from .discovery_plots import box_limits_chart, tradeoff_chart
from .errors import ReportInputError
from .report_style import WIDE_WIDTH, FigureSpec, caption, new_figure
from .report_tables import Table, Text
from .results import Results

__all__ = ["discovery_figure", "discovery_table", "read_discovery"]


def read_discovery(path: str | os.PathLike[str], results: Results) -> dict[str, Any]:
    """discovery.json of a discovery directory (or the file itself), checked against the
    results the report is made from. Raises ReportInputError."""
    path = Path(path)
    file = path / "discovery.json" if path.is_dir() else path
    try:
        record = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ReportInputError(f"{file}: not a readable discovery result ({error})") from None
    if not isinstance(record, dict) or record.get("format") != "gapcast-discovery":
        raise ReportInputError(f"{file}: not a gapcast discovery result (written by "
                               "`gapcast discover --out DIR`)")
    ensemble = record["ensemble"]
    provenance = results.provenance
    if ensemble["seed"] != provenance.seed or ensemble["samples"] != provenance.samples:
        raise ReportInputError(
            f"{file}: the discovery's ensemble comes from another run (seed "
            f"{ensemble['seed']}, {ensemble['samples']} samples; the results have seed "
            f"{provenance.seed}, {provenance.samples} samples)")
    if record["scenario"] not in results.scenarios:
        raise ReportInputError(f"{file}: the results have no scenario {record['scenario']!r}")
    listed = {o.get("path"): o.get("sha256") for o in results.manifest.get("outputs", [])}
    expected = listed.get("ensemble.parquet")
    if expected is not None and ensemble.get("sha256") not in (None, expected):
        raise ReportInputError(f"{file}: its ensemble is not the results' ensemble.parquet "
                               "(SHA-256 differs)")
    record["_file"] = file
    return record


def discovery_figure(record: dict[str, Any], results: Results, number: int) -> FigureSpec:
    """The trade-off and box-limits panels of one discovery, in the report's style."""
    rows = len(record["chosen_box"]["limits"])
    fig = new_figure(WIDE_WIDTH, max(2.4, 0.7 + 0.26 * rows))
    left, right = fig.subplots(1, 2, width_ratios=[1.0, 1.35])
    tradeoff_chart(record, ax=left)
    box_limits_chart(record, ax=right)
    caption(fig, results.provenance, [record["scenario"]])
    box = record["chosen_box"]
    title = f"Scenario discovery: {record['where']} ({record['scenario']})"
    description = (f"Left: PRIM's peeling trajectory, the share of the worlds where "
                   f"\"{record['where']}\" holds that a box keeps (coverage) against the share "
                   f"of the box where it holds (density); the ringed point is box "
                   f"{box['index']}. Right: that box's limits (blue) within each parameter's "
                   f"sampled range (grey), with quasi-p-values.")
    return FigureSpec(fig.figure, f"discovery_{number}", title, description,
                      [record["scenario"]])


def _limit_cells(limit: dict[str, Any]) -> tuple[str, str]:
    allowed = limit.get("allowed")
    if allowed:
        return "in {" + ", ".join(map(str, allowed)) + "}", _qp_text(limit.get("qp_lower"))
    qps = [q for q in (limit.get("qp_lower"), limit.get("qp_upper")) if q is not None]
    qp = min(qps) if qps else None
    return (f"{_number(limit['min'])} to {_number(limit['max'])} (of "
            f"{_number(limit['range_min'])} to {_number(limit['range_max'])})", _qp_text(qp))


def _number(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return "–"
    return f"{x:.3g}"


def _qp_text(qp: float | None) -> str:
    return "–" if qp is None else f"{qp:.2g}"


def discovery_table(record: dict[str, Any], number: int) -> Table:
    """The chosen box, one row per restricted parameter, and the finding in words."""
    box = record["chosen_box"]
    rows, csv_rows = [], []
    for limit in box["limits"]:
        kept, qp = _limit_cells(limit)
        rows.append([Text(limit["parameter"], mono=True), Text(kept), Text(qp)])
        csv_rows.append([limit["parameter"], limit.get("min"), limit.get("max"),
                         limit.get("range_min"), limit.get("range_max"),
                         ";".join(map(str, limit.get("allowed") or [])),
                         limit.get("qp_lower"), limit.get("qp_upper")])
    summary = " ".join(line.strip() for line in record["summary"].splitlines())
    return Table(
        stem=f"discovery_{number}",
        title=f"Scenario discovery: {record['where']} ({record['scenario']})",
        description=(f"{summary} Box {box['index']}: coverage {100 * box['coverage']:.1f}%, "
                     f"density {100 * box['density']:.1f}%, mass {100 * box['mass']:.1f}%. "
                     f"PRIM settings: peel alpha {record['settings']['peel_alpha']}, "
                     f"paste alpha {record['settings']['paste_alpha']}, smallest box "
                     f"{record['settings']['mass_min']:g} of the worlds, objective "
                     f"{record['settings']['objective']}. A quasi-p-value of 0.05 or more "
                     f"marks a limit whose removal would not make the box significantly less "
                     f"dense."),
        scenarios=[record["scenario"]],
        columns=["Parameter", "Box keeps (sampled range)", "Quasi-p"],
        groups=[(None, rows)],
        csv_header=["parameter", "box_min", "box_max", "range_min", "range_max", "allowed",
                    "qp_lower", "qp_upper"],
        csv_rows=csv_rows, align="llr")

