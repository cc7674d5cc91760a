"""Notebook display: the HTML that Scenario and Results show in Jupyter.

Kept apart from the classes so the markup can change without touching the API, and built from
plain string formatting (no template engine) so that it has no dependencies. It imports
nothing of the package but the compiled core: the classes hand themselves (and their levers)
in, so this module sits below them.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from typing import Any

from . import _core

#: Metrics shown in a Results' summary, in this order, when the run has them.
SUMMARY_METRICS = ("target_training_effective", "gap_training", "gap_training_months")
SUMMARY_SCALARS = ("threshold_month", "delay_months_vs_baseline")

_STYLE = (
    "<style>.gapcast table{border-collapse:collapse;margin:4px 0}"
    ".gapcast th,.gapcast td{padding:2px 8px;text-align:left;border-bottom:1px solid #ddd;"
    "vertical-align:top}.gapcast td.num{text-align:right;font-variant-numeric:tabular-nums}"
    ".gapcast summary{cursor:pointer}</style>"
)


def _e(value: Any) -> str:
    return html.escape(str(value))


def table(header: Sequence[str], rows: Iterable[Sequence[Any]],
          numeric: Sequence[bool] | None = None) -> str:
    """An HTML table; cells are escaped, numeric columns right-aligned."""
    numeric = numeric or [False] * len(header)
    out = ["<table><tr>", *(f"<th>{_e(h)}</th>" for h in header), "</tr>"]
    for row in rows:
        out.append("<tr>")
        for cell, is_num in zip(row, numeric, strict=True):
            cls = ' class="num"' if is_num else ""
            out.append(f"<td{cls}>{_e(cell)}</td>")
        out.append("</tr>")
    out.append("</table>")
    return "".join(out)


def details(summary: str, body: str, open_: bool = False) -> str:
    return (f"<details{' open' if open_ else ''}><summary>{_e(summary)}</summary>"
            f"{body}</details>")


def number(x: float) -> str:
    """A statistic in the tables' compact notation; beyond-horizon values read "never" and
    undefined ones "n/a", as in the command's tables."""
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "never" if x > 0 else "-inf"
    return _core.format_compact(x)


def interval(median: float, low: float, high: float) -> str:
    """"median [low, high]"."""
    return f"{number(median)} [{number(low)}, {number(high)}]"


def scenario_html(scenario: Any, levers: Iterable[Any]) -> str:
    """A :class:`gapcast.Scenario` and the levers its policy sets (:class:`gapcast.Lever`)."""
    core = scenario._core
    params = core.parameters()
    uncertain = sum(1 for p in params if p["kind"] != "point")
    lever_rows = []
    for lever in levers:
        changes = "; ".join(f"{m}: {v}" for m, v in lever.changes) or "constant"
        lever_rows.append((lever.name, lever.initial, changes, lever.unit))
    files = ", ".join(f["display_name"] for f in core.files) or "(in memory)"
    head = table(
        ["", ""],
        [
            ("title", scenario.title),
            ("world", f"{scenario.world['name']} (start {scenario.start})"),
            ("policy", scenario.policy["name"]),
            ("parameters", f"{len(params)} ({uncertain} uncertain)"),
            ("files", files),
            ("fingerprint", scenario.fingerprint[:16]),
        ],
    )
    lever_table = table(["lever", "initial", "changes", "unit"], lever_rows)
    param_table = table(
        ["parameter", "distribution", "unit", "source"],
        [(p["name"], p["describe"], p["unit"], p["source"] or p["note"]) for p in params],
    )
    return (
        f'<div class="gapcast">{_STYLE}<strong>gapcast scenario '
        f"&ldquo;{_e(scenario.name)}&rdquo;</strong>{head}"
        + details(f"Levers set by the policy ({len(lever_rows)})", lever_table)
        + details(f"World parameters ({len(params)})", param_table)
        + "</div>"
    )


def results_html(results: Any) -> str:
    """A :class:`gapcast.Results`."""
    info = results.info
    stats = results.stats
    where = {s: i for i, s in enumerate(stats)}
    # Median and 90% interval when the run asked for those quantiles, else the mean alone.
    has_interval = all(s in where for s in ("p5", "p50", "p95"))

    def cell(values: Sequence[float]) -> str:
        if has_interval:
            return interval(values[where["p50"]], values[where["p5"]], values[where["p95"]])
        return number(values[0])

    months = results.report_months()
    month_index = [results.date_labels.index(m) for m in months]
    # One row per metric and scenario, one column per report month: narrow enough for a
    # notebook, and each metric's rows sit together for comparing scenarios.
    series_rows = []
    for name in SUMMARY_METRICS:
        if name not in results.metrics:
            continue
        m = results.metrics.index(name)
        label = f"{name} ({results.metric_info(name)['unit']})"
        for s, scenario in enumerate(results.scenarios):
            series_rows.append([label if s == 0 else "", scenario,
                                *(cell(results.series[s, m, k]) for k in month_index)])
    scalar_names = [n for n in SUMMARY_SCALARS if n in results.scalar_metrics]
    scalar_rows = []
    for s, scenario in enumerate(results.scenarios):
        scalar_rows.append([scenario, *(cell(results.scalars[s, results.scalar_metrics.index(n)])
                                        for n in scalar_names)])
    series_table = table(["metric", "scenario", *months], series_rows,
                         [False, False] + [True] * len(months))
    scalar_table = table(
        ["scenario", *(f"{n} ({results.metric_info(n)['unit']})" for n in scalar_names)],
        scalar_rows, [False] + [True] * len(scalar_names))
    caption = ("median [5th, 95th percentile] over sampled worlds" if has_interval
               else "mean over sampled worlds")
    run_table = table(
        ["", ""],
        [
            ("engine", f"gapcast {info['engine_version']} ({info['git_commit'][:12]})"),
            ("samples", f"{info['samples']}{' (central)' if info['central'] else ''}"),
            ("seed", info["seed"]),
            ("months", f"{results.date_labels[0]} to {results.date_labels[-1]}"),
            ("baseline policy", info["baseline_policy"] or "(none)"),
            ("wall time", f"{info['wall_seconds']:.2f} s on {info['threads']} thread(s)"),
        ],
    )
    metric_rows = [(m, results.metric_info(m)["unit"], results.metric_info(m)["description"])
                   for m in results.metrics + results.scalar_metrics]
    return (
        f'<div class="gapcast">{_STYLE}<strong>gapcast results</strong>: '
        f"{_e(len(results.scenarios))} scenario(s)"
        + run_table
        + details(f"Key metrics ({caption})", series_table + scalar_table, open_=True)
        + details(f"Metrics ({len(metric_rows)})", table(["metric", "unit", "meaning"],
                                                         metric_rows))
        + "</div>"
    )
