"""The report's sensitivity section: for each result given to ``gapcast report --sensitivity
DIR`` (written by ``gapcast sensitivity --out DIR``) and each of its scenarios, a figure (the
leading drivers of the training gap in 2030 as bars, and how the drivers of the gap change
over the months as stacked areas) and a table of the five leading drivers of each headline
output, with the analysis's warnings.

A sensitivity result belongs in a report only if it matches the run: its manifest must record
the results' seed and every scenario it analysed must be in the results. It is not made from
the results' samples (a Sobol' or Morris design has its own points), so unlike a discovery it
cannot be checked against them more closely.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._figure_style import metric_title
from .errors import ReportInputError
from .report_style import WIDE_WIDTH, FigureSpec, caption, legend_below, new_figure
from .report_tables import Table, Text, Value
from .results import Results
from .sensitivity_plots import (
    BAR_STATISTIC,
    bars_chart,
    output_title,
    over_time_chart,
)

__all__ = ["read_sensitivity", "sensitivity_figure", "sensitivity_table"]

#: Drivers listed per output in the table, and drawn as bars in the figure.
TABLE_DRIVERS = 5
FIGURE_DRIVERS = 8
#: Layers of the stacked areas (then "other" and, for Sobol', "interactions").
AREA_DRIVERS = 5
_HEADLINE_MONTH = "2030-12"
_METHOD_NAMES = {"sobol": "Sobol'", "morris": "Morris", "pawn": "PAWN"}


def _read_json(file: Path, what: str) -> Any:
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ReportInputError(f"{file}: not a readable {what} ({error})") from None


def _check_manifest(file: Path, record: Mapping[str, Any], results: Results) -> None:
    """The sensitivity's manifest (beside sensitivity.json) must record the results' seed and
    list this sensitivity.json; the results must hold every scenario it analysed."""
    manifest = _read_json(file.parent / "manifest.json", "sensitivity manifest")
    options = manifest.get("options") if isinstance(manifest, dict) else None
    seed = options.get("seed") if isinstance(options, dict) else None
    if seed != results.provenance.seed:
        raise ReportInputError(
            f"{file}: the sensitivity comes from another run (seed {seed}; the results have "
            f"seed {results.provenance.seed}): rerun it with --seed {results.provenance.seed}")
    listed = {o.get("path"): o.get("sha256") for o in manifest.get("outputs", [])
              if isinstance(o, dict)}
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    if listed.get("sensitivity.json") not in (None, digest):
        raise ReportInputError(f"{file}: not the sensitivity.json its manifest lists "
                               "(SHA-256 differs): the file was changed after the analysis")
    missing = [s for s in record["scenarios"] if s not in results.scenarios]
    if missing:
        raise ReportInputError(
            f"{file}: the results have no scenario {', '.join(map(repr, missing))} (they have "
            f"{', '.join(results.scenarios)})")


def read_sensitivity(path: str | os.PathLike[str], results: Results) -> dict[str, Any]:
    """sensitivity.json of a sensitivity directory (or the file itself, with manifest.json
    beside it), checked against the results the report is made from. Raises
    ReportInputError."""
    path = Path(path)
    file = path / "sensitivity.json" if path.is_dir() else path
    record = _read_json(file, "sensitivity result")
    if not isinstance(record, dict) or record.get("format") != "gapcast-sensitivity":
        raise ReportInputError(f"{file}: not a gapcast sensitivity result (written by "
                               "`gapcast sensitivity --out DIR`)")
    if record.get("format_version") != 1:
        raise ReportInputError(f"{file}: unknown format_version "
                               f"{record.get('format_version')!r} (this gapcast reads 1)")
    keys = ("method", "options", "groups", "statistics", "scenarios", "outputs", "warnings",
            "indices")
    if any(key not in record for key in keys) or record["method"] not in BAR_STATISTIC:
        raise ReportInputError(f"{file}: a sensitivity result without its "
                               f"{', '.join(k for k in keys if k not in record) or 'method'}")
    _check_manifest(file, record, results)
    record["_file"] = file
    return record


# ---- which outputs ---------------------------------------------------------------------------

def _series_metrics(record: Mapping[str, Any]) -> list[str]:
    return list(dict.fromkeys(o.partition("@")[0] for o in record["outputs"] if "@" in o))


def _last_month(record: Mapping[str, Any]) -> str | None:
    months = sorted({o.partition("@")[2] for o in record["outputs"] if "@" in o})
    return months[-1] if months else None


def bars_output(record: Mapping[str, Any]) -> str:
    """The output the figure's bars show: the training gap in December 2030 when analysed,
    else the first output."""
    wanted = f"gap_training@{_HEADLINE_MONTH}"
    return wanted if wanted in record["outputs"] else record["outputs"][0]


def area_metric(record: Mapping[str, Any]) -> str | None:
    """The metric the stacked areas show: gap_training, else the first analysed over months
    (None when only scalars were analysed)."""
    metrics = _series_metrics(record)
    return "gap_training" if "gap_training" in metrics else (metrics[0] if metrics else None)


def table_outputs(record: Mapping[str, Any]) -> list[str]:
    """The headline outputs of the table: the training gap and the months added to it, in
    December 2030 and in the last month analysed, those that were analysed (else the bars'
    output)."""
    metrics = ["gap_training", *[m for m in _series_metrics(record)
                                 if m.startswith("added_gap_months_vs_")]]
    months = list(dict.fromkeys(m for m in (_HEADLINE_MONTH, _last_month(record)) if m))
    found = [f"{m}@{d}" for m in metrics for d in months if f"{m}@{d}" in record["outputs"]]
    return found or [bars_output(record)]


# ---- the figure ------------------------------------------------------------------------------

def _stem(number: int, scenario: str) -> str:
    return f"sensitivity_{number}_" + re.sub(r"[^A-Za-z0-9_-]", "_", scenario)


def _when(output: str) -> str:
    """"gap_training@2030-12" -> "Dec 2030"; a scalar output -> its name."""
    title = output_title(output)
    return title.rsplit(", ", 1)[1] if "@" in output else title


def _method_text(record: Mapping[str, Any]) -> str:
    options = record["options"]
    size = {"sobol": f"N = {options['samples']} base samples",
            "morris": f"{options['samples']} trajectories",
            "pawn": f"{options['samples']} samples, {options['slices']} slices"}
    return (f"{_METHOD_NAMES[record['method']]}, {size[record['method']]}, "
            f"{record['evaluations']:,} model runs per scenario, {len(record['groups'])} factors")


def sensitivity_figure(record: dict[str, Any], results: Results, number: int,
                       scenario: str) -> FigureSpec:
    """The leading drivers of one scenario's headline output (bars) beside how the drivers
    of the training gap change over the months (stacked areas), in the report's style."""
    output, metric = bars_output(record), area_metric(record)
    rows = min(FIGURE_DRIVERS, len(record["groups"]))
    fig = new_figure(WIDE_WIDTH, max(2.4, 0.9 + 0.24 * rows))
    panels = fig.subplots(1, 2 if metric else 1, width_ratios=[1.0, 1.0] if metric else None,
                          squeeze=False)[0]
    bars_chart(record, output, scenario, FIGURE_DRIVERS, ax=panels[0])
    # Short panel titles: the plots' own (the output's full name) would run into each other
    # at print size; the figure's title and description name the outputs.
    same = metric is not None and output.partition("@")[0] == metric
    panels[0].set_title(f"Leading drivers, {_when(output)}" if same
                        else f"Leading drivers:\n{output_title(output)}")
    description = (f"Left: the {rows} factors that drive {output_title(output).lower()} most "
                   f"({_METHOD_NAMES[record['method']]} {BAR_STATISTIC[record['method']]}, with "
                   f"intervals).")
    if metric:
        over_time_chart(record, metric, scenario, n=AREA_DRIVERS, ax=panels[1],
                        date_style="years", legend=False)
        panels[1].set_title("Drivers over the months")
        handles, labels = panels[1].get_legend_handles_labels()
        legend_below(fig, handles, labels, ncols=3)
        description += (f" Right: how the drivers of {metric_title(metric).lower()} change "
                        f"over the months analysed, the {AREA_DRIVERS} leading ones stacked "
                        f"and the rest as \"other\".")
    caption(fig, results.provenance, [scenario])
    shown = " and the ".join(dict.fromkeys(
        metric_title(m).lower() for m in (output.partition("@")[0], metric) if m))
    title = f"Sensitivity: what drives the {shown} ({scenario})"
    return FigureSpec(fig.figure, _stem(number, scenario), title,
                      f"{description} {_method_text(record)}.", [scenario])


# ---- the table -------------------------------------------------------------------------------

def _values(entry: Mapping[str, Any], statistic: str) -> list[float | None]:
    return list(entry["values"][statistic])


def _rounded(x: float | None, quantum: float) -> float | None:
    """x to a multiple of ``quantum``: an index of 1e-9 next to one of 0.3 is zero, and
    printing its digits would only widen the table."""
    if x is None or quantum <= 0:
        return x
    return round(x / quantum) * quantum + 0.0


def _cells(method: str, entry: Mapping[str, Any], g: int, quantum: float) -> list[Value]:
    """The statistic cells of one factor: Sobol' ST and S1 (shares of the variance, as
    percentages) with their intervals, Morris mu* with its interval and sigma, PAWN median
    with its range over slices and mean."""
    v = {stat: _rounded(values[g], quantum) for stat, values in entry["values"].items()}
    unit = "fraction" if method == "sobol" else ""

    def around(value: float | None, half: float | None) -> Value:
        if value is None or half is None:
            return Value(value, unit)
        return Value(value, unit, interval=(value - half, value + half))

    if method == "sobol":
        return [around(v["ST"], v["ST_conf"]), around(v["S1"], v["S1_conf"])]
    if method == "morris":
        return [around(v["mu_star"], v["mu_star_conf"]), Value(v["sigma"])]
    return [Value(v["median"], interval=(v["minimum"], v["maximum"])), Value(v["mean"])]


def _quantum(method: str, entry: Mapping[str, Any]) -> float:
    """The resolution the table shows: 0.1% of the variance (Sobol'), 0.001 of a KS distance
    (PAWN), a thousandth of the largest mu* (Morris, whose unit is the output's)."""
    if method != "morris":
        return 0.001
    largest = max((abs(x) for x in entry["values"]["mu_star"] if x is not None), default=0.0)
    return largest / 1000.0


def _columns(record: Mapping[str, Any]) -> list[str]:
    level = f"{100 * float(record['options']['confidence']):g}%"
    # Two-line headers (LaTeX and HTML break them; Markdown joins them) keep the table within
    # a column's width.
    return ["Rank", "Factor", *{
        "sobol": [f"ST, % of variance\n[{level} interval]",
                  f"S1, % of variance\n[{level} interval]"],
        "morris": [f"μ*\n[{level} interval]", "σ"],
        "pawn": ["Median KS\n[min, max]", "Mean KS"]}[record["method"]]]


def _entry(record: Mapping[str, Any], scenario: str, output: str) -> Mapping[str, Any]:
    return next(e for e in record["indices"]
                if e["scenario"] == scenario and e["output"] == output)


def _output_rows(record: Mapping[str, Any], scenario: str, output: str
                 ) -> tuple[list[list[Any]], list[list[Any]]]:
    """(table rows, CSV rows) of one output's leading drivers (an output that was not
    analysed has none; the description says why)."""
    entry = _entry(record, scenario, output)
    if not entry["defined"]:
        return [], []
    ranking = [-1e300 if x is None else x for x in _values(entry, BAR_STATISTIC[record["method"]])]
    order = sorted(range(len(ranking)), key=lambda g: (-ranking[g], g))[:TABLE_DRIVERS]
    quantum = _quantum(record["method"], entry)
    rows, csv_rows = [], []
    for rank, g in enumerate(order, 1):
        factor = record["groups"][g]
        rows.append([Text(str(rank)), Text(factor, mono=True),
                     *_cells(record["method"], entry, g, quantum)])
        csv_rows.append([scenario, output, entry["transform"], rank, factor,
                         *[_csv(entry["values"][s][g]) for s in record["statistics"]]])
    return rows, csv_rows


def _csv(x: float | None) -> Any:
    # Full precision, as sensitivity.csv has it; undefined values as empty cells.
    return "" if x is None else repr(float(x))


def _description(record: Mapping[str, Any], outputs: list[str], scenario: str) -> str:
    ranked_by = {"sobol": "the total index ST (the share of the output's variance the "
                          "factor explains with all its interactions; S1 is its share alone)",
                 "morris": "mu* (the mean absolute elementary effect; sigma large against "
                           "mu* means non-linear or interacting)",
                 "pawn": "the median KS distance between the output's distribution with the "
                         "factor held in a slice and without"}[record["method"]]
    logged = [o for o in outputs if _entry(record, scenario, o)["transform"] == "log10"]
    text = (f"The {TABLE_DRIVERS} leading factors of each headline output, ranked by "
            f"{ranked_by}. {_method_text(record)}.")
    if logged:
        text += (" Ratio and level outputs were analysed as log10 (what drives their order "
                 "of magnitude).")
    for output in outputs:
        entry = _entry(record, scenario, output)
        if not entry["defined"]:
            text += (f" {output_title(output)} could not be analysed: "
                     f"{(entry.get('note') or 'no indices').rstrip('.')}.")
    if record["warnings"]:
        text += " The analysis warned: " + " ".join(
            w.rstrip(".") + "." for w in record["warnings"])
    return text


def sensitivity_table(record: dict[str, Any], number: int, scenario: str) -> Table:
    """The leading drivers of the headline outputs of one scenario, with their statistics and
    intervals, and the analysis's warnings."""
    outputs = table_outputs(record)
    groups, csv_rows = [], []
    for output in outputs:
        rows, csv = _output_rows(record, scenario, output)
        if rows:
            groups.append((output_title(output), rows))
        csv_rows += csv
    return Table(
        stem=_stem(number, scenario),
        title=f"Sensitivity: leading drivers ({scenario})",
        description=_description(record, outputs, scenario),
        scenarios=[scenario],
        columns=_columns(record),
        groups=groups,
        csv_header=["scenario", "output", "transform", "rank", "factor",
                    *record["statistics"]],
        csv_rows=csv_rows, align="rlcc",
        notes=list(record["warnings"]),
        # A long table: it runs to 20 rows and more, and its p{} columns let factor names
        # such as domestic_lines.other_domestic.packages_per_year_2026 wrap.
        long=True, widths=["0.8cm", "4.0cm", "2.7cm", "2.7cm"])
