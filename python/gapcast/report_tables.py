"""The report's tables, built from :class:`gapcast.Results`: what each table holds, as a
:class:`Table` of cells (text, or values with their unit and interval) plus the rows of its
CSV. report_formats.py writes them as CSV, Markdown, LaTeX and HTML.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._figure_style import metric_title, scenario_label
from .report_figures import EFFECT_METRICS
from .report_style import format_value

if TYPE_CHECKING:
    from .results import Results

__all__ = [
    "Table",
    "assumptions_table",
    "observations_table",
    "decomposition_table",
    "delays_table",
    "metrics_table",
    "policies_table",
    "probabilities_table",
]


# ---- cells ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Text:
    text: str
    mono: bool = False  # identifiers (parameter names)


@dataclass(frozen=True)
class Value:
    """A number formatted by unit (format_value), with an optional interval under it."""

    value: float | None
    unit: str = ""
    interval: tuple[float | None, float | None] | None = None


Cell = Text | Value


@dataclass
class Table:
    stem: str
    title: str
    description: str
    scenarios: list[str] | None
    columns: list[str]
    groups: list[tuple[str | None, list[list[Cell]]]]
    csv_header: list[str]
    csv_rows: list[list[Any]]
    align: str = ""  # LaTeX column alignment; default l then c
    notes: list[str] = field(default_factory=list)
    long: bool = False  # a longtable spanning pages (the assumptions appendix)
    widths: list[str] | None = None  # LaTeX p{} widths of a long table's columns
    # LaTeX only: this column goes on a full-width line under each row (a long source text
    # next to five other columns would not fit a page's width).
    spill: int | None = None
    # LaTeX only: wrap the first (scenario) column, for tables whose interval columns need
    # the width.
    wrap_first: bool = False


def _month_label(label: str) -> str:
    year, month = label.split("-")
    return f"{calendar.month_abbr[int(month)]} {year}"


def _csv_number(x: Any) -> Any:
    # Full precision, as the result files have them; non-finite values as empty cells.
    if x is None:
        return ""
    if isinstance(x, float):
        return repr(x) if math.isfinite(x) else ""
    return x


# ---- the tables ---------------------------------------------------------------------------

def _label(results: Results, q: float) -> str:
    """The stat label ("p50") of a quantile level."""
    return results.stats[results.stat_index(q)]


def _policy(results: Results, scenario: str) -> str:
    return results.scenario_info[results.scenarios.index(scenario)]["policy"]


def _scalar_stats(results: Results, scenario: str, metric: str) -> dict[str, Any]:
    """A scalar metric's statistics (None where not finite, as results.json writes them) and
    counts of finite, beyond-horizon and undefined samples, by the names of results.json."""
    s, k = results.scenarios.index(scenario), results.scalar_metrics.index(metric)
    stats: dict[str, Any] = {
        label: float(v) if math.isfinite(v) else None
        for label, v in zip(results.stats, results.scalars[s, k], strict=True)}
    for key, count in zip(("samples_finite", "samples_beyond_horizon", "samples_undefined"),
                          results.scalar_counts[s, k], strict=True):
        stats[key] = int(count)
    return stats


STATS = ("mean", "p5", "p25", "p50", "p75", "p95")


def _series_csv(results: Results, metrics: Sequence[str], scenarios_of, months: list[str],
                header_extra: Sequence[str] = ()) -> tuple[list[str], list[list[Any]]]:
    labels = ["mean"] + [_label(results, q) for q in (0.05, 0.25, 0.5, 0.75, 0.95)]
    header = ["metric", "unit", "scenario", "date", *STATS, *header_extra]
    rows = []
    for metric in metrics:
        unit = results.metric_info(metric)["unit"]
        for name in scenarios_of(metric):
            for month in months:
                k = results.date_labels.index(month)
                values = [results.timeseries(name, metric, s)[k] for s in labels]
                rows.append([metric, unit, name, month,
                             *[_csv_number(float(v)) for v in values]])
    return header, rows


def _interval_groups(results: Results, metrics: Sequence[str], scenarios_of,
                     months: list[str]) -> list[tuple[str | None, list[list[Cell]]]]:
    groups = []
    for metric in metrics:
        unit = results.metric_info(metric)["unit"]
        rows = []
        for name in scenarios_of(metric):
            row: list[Cell] = [Text(scenario_label(name))]
            for month in months:
                k = results.date_labels.index(month)
                q = [results.timeseries(name, metric, p)[k] for p in (0.5, 0.05, 0.95)]
                row.append(Value(_or_none(q[0]), unit, (_or_none(q[1]), _or_none(q[2]))))
            rows.append(row)
        if rows:
            groups.append((f"{metric_title(metric)} ({_unit_text(unit)})", rows))
    return groups


def _unit_text(unit: str) -> str:
    return {"fraction": "%", "x": "×"}.get(unit, unit)


def _or_none(x: float) -> float | None:
    return None if x is None or math.isnan(x) else float(x)


def metrics_table(results: Results, metrics: Sequence[str], scenarios: list[str],
                  months: list[str]) -> Table:
    """Key metrics at the report months: median and 90% interval per scenario."""
    def every(_metric: str) -> list[str]:
        return scenarios

    header, rows = _series_csv(results, metrics, every, months)
    return Table(
        stem="key_metrics",
        title="Key metrics",
        description=("Median over sampled worlds, with the 90% interval (5th to 95th "
                     "percentile) in brackets, in December of each year shown. The CSV has "
                     "the mean and every quantile."),
        scenarios=scenarios,
        columns=["Scenario", *[_month_label(m) for m in months]],
        groups=_interval_groups(results, metrics, every, months),
        csv_header=header, csv_rows=rows, wrap_first=len(months) > 2)


def effects_table(results: Results, scenarios: list[str], months: list[str],
                  metrics: Sequence[str] = EFFECT_METRICS) -> Table | None:
    """Paired policy effects at the report months."""
    chosen = [m for m in metrics if m in results.metrics and results.effect_scenarios(m, scenarios)]
    if not chosen:
        return None

    def effect(metric: str) -> list[str]:
        return results.effect_scenarios(metric, scenarios)

    header, rows = _series_csv(results, chosen, effect, months)
    # The baseline scenario is part of every difference against it, shown or not.
    shown = sorted({s for m in chosen for s in effect(m)} |
                   {s for s in scenarios if _policy(results, s) == results.info['baseline_policy']},
                   key=results.scenarios.index)
    return Table(
        stem="policy_effects",
        title="Policy effects, paired per sampled world",
        description=("Each policy against no controls and against the baseline in the same "
                     "sampled world: the share of effective training compute denied, and "
                     "the months of software progress added to the training gap. Median "
                     "with the 90% interval in brackets."),
        scenarios=shown,
        columns=["Scenario", *[_month_label(m) for m in months]],
        groups=_interval_groups(results, chosen, effect, months),
        csv_header=header, csv_rows=rows, wrap_first=len(months) > 2)


def _month_of(start: str, months_from_start: float | None) -> str:
    if months_from_start is None or not math.isfinite(months_from_start):
        return "–"
    year, month = int(start[:4]), int(start[5:7])
    index = year * 12 + (month - 1) + int(math.floor(months_from_start))
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def delays_table(results: Results, scenarios: list[str]) -> Table:
    """The threshold month and the delays to it, with the shares beyond the horizon."""
    labels = [_label(results, q) for q in (0.05, 0.25, 0.5, 0.75, 0.95)]
    start = results.date_labels[0]
    horizon = results.date_labels[-1]
    header = ["metric", "unit", "scenario", *STATS, "samples_finite",
              "samples_beyond_horizon", "samples_undefined"]
    csv_rows = []
    groups: list[tuple[str | None, list[list[Cell]]]] = []
    for metric in results.scalar_metrics:
        names = (scenarios if metric == "threshold_month"
                 else results.effect_scenarios(metric, scenarios))
        unit = results.metric_info(metric)["unit"]
        rows = []
        for name in names:
            stats = _scalar_stats(results, name, metric)
            csv_rows.append([metric, unit, name,
                             *[_csv_number(None if stats.get(s) is None else float(stats[s]))
                               for s in ["mean", *labels]],
                             stats.get("samples_finite", 0),
                             stats.get("samples_beyond_horizon", 0),
                             stats.get("samples_undefined", 0)])
            total = sum(int(stats.get(k, 0)) for k in ("samples_finite",
                                                        "samples_beyond_horizon",
                                                        "samples_undefined"))
            beyond = int(stats.get("samples_beyond_horizon", 0))
            share = Value(beyond / total if total else None, "fraction")

            def stat(label: str, stats: dict[str, Any] = stats) -> float | None:
                v = stats.get(label)
                return None if v is None else float(v)

            if metric == "threshold_month":
                cells: list[Cell] = [Text(_month_of(start, stat(labels[2]))),
                                     Text(f"[{_month_of(start, stat(labels[0]))}, "
                                          f"{_month_of(start, stat(labels[4]))}]")]
            else:
                cells = [Value(stat(labels[2]), "months"),
                         Text(f"[{_bound(stat(labels[0]), -1)}, "
                              f"{_bound(stat(labels[4]), 1)}]")]
            rows.append([Text(scenario_label(name)), *cells, share])
        if rows:
            groups.append((f"{metric_title(metric)}"
                           f"{'' if metric == 'threshold_month' else ' (months)'}", rows))
    return Table(
        stem="threshold_delays",
        title="Threshold month and delays",
        description=(f"The month the target's effective training compute first reaches the "
                     f"threshold ({results.info['threshold_multiple']:g} × the frontier's "
                     f"in {start}), and the months of delay each policy buys, paired per "
                     f"sampled world. Median and 90% interval; '–' and ±∞ mark quantiles "
                     f"beyond the end of the run ({horizon}); the last column is the share "
                     f"of sampled worlds in which the event falls beyond it."),
        scenarios=scenarios,
        columns=["Scenario", "Median", "90% interval", "Beyond horizon"],
        groups=groups, csv_header=header, csv_rows=csv_rows, align="lccr")


def _bound(x: float | None, side: int) -> str:
    if x is None:
        return "+∞" if side > 0 else "−∞"
    return format_value(x, "months")


def decomposition_table(results: Results, scenarios: list[str],
                        months: list[str]) -> Table | None:
    """Whole training gap in months = hardware part + software lag, at the report months."""
    parts = ("gap_training_months", "gap_training_hardware_months", "software_lag_months")
    if any(p not in results.metrics for p in parts):
        return None
    header, csv_rows = _series_csv(results, parts, lambda _m: scenarios, months)
    groups = []
    for month in months:
        k = results.date_labels.index(month)
        rows = []
        for name in scenarios:
            total, hardware, software = (float(results.timeseries(name, p, "mean")[k]) for p in parts)
            q = [results.timeseries(name, "gap_training_months", p)[k]
                 for p in (0.5, 0.05, 0.95)]
            share = hardware / total if total and math.isfinite(total) else None
            rows.append([Text(scenario_label(name)), Value(_or_none(total), "months"),
                         Value(_or_none(hardware), "months"),
                         Value(_or_none(software), "months"), Value(share, "fraction"),
                         Value(_or_none(q[0]), "months", (_or_none(q[1]), _or_none(q[2])))])
        groups.append((f"December {month[:4]}" if month.endswith("-12")
                       else _month_label(month), rows))
    return Table(
        stem="gap_decomposition",
        title="Training gap: hardware and software parts",
        description=("The training gap in months of software progress and its two parts: "
                     "the hardware gap (log2 of the frontier / target hardware ratio × the "
                     "doubling time) and the target's software lag. Means, which add up "
                     "exactly (whole = hardware + software in every sampled world); the "
                     "last column gives the median of the whole gap with its 90% interval."),
        scenarios=scenarios,
        columns=["Scenario", "Whole\ngap", "Hardware\npart", "Software\nlag", "Hardware\nshare",
                 "Whole gap,\nmedian [90%]"],
        groups=groups, csv_header=header, csv_rows=csv_rows, align="lrrrrc", wrap_first=True)


def probabilities_table(results: Results, scenarios: list[str],
                        months: list[str]) -> Table | None:
    metrics = [m for m in results.metrics if results.metric_info(m).get("kind") == "probability"]
    if not metrics:
        return None
    header = ["metric", "scenario", "date", "probability"]
    csv_rows = []
    groups = []
    for metric in metrics:
        rows = []
        for name in scenarios:
            values = results.timeseries(name, metric, "probability")
            row: list[Cell] = [Text(scenario_label(name))]
            for month in months:
                k = results.date_labels.index(month)
                csv_rows.append([metric, name, month, _csv_number(float(values[k]))])
                row.append(Value(_or_none(values[k]), "probability"))
            rows.append(row)
        groups.append((metric_title(metric), rows))
    return Table(
        stem="probabilities",
        title="Probabilities of events",
        description="Share of sampled worlds in which each event holds in December of the "
                    "year shown.",
        scenarios=scenarios,
        columns=["Scenario", *[_month_label(m) for m in months]],
        groups=groups, csv_header=header, csv_rows=csv_rows)


_ASSUMPTION_FIELDS = ("world", "group", "name", "unit", "distribution", "fixed", "median",
                      "p5", "p95", "mean", "source", "note", "description", "file", "pointer")


def assumptions_table(results: Results) -> Table | None:
    """Appendix: every world parameter with its distribution, central value, 90% interval,
    unit and source."""
    if results.assumptions is None:
        return None
    csv_rows = []
    groups: list[tuple[str | None, list[list[Cell]]]] = []
    worlds = results.assumptions.get("worlds", [])
    for world in worlds:
        by_group: dict[str, list[list[Cell]]] = {}
        for p in world.get("parameters", []):
            csv_rows.append([world.get("name", ""),
                             *[_csv_number(p.get(f)) if f in ("median", "p5", "p95", "mean")
                               else p.get(f, "") for f in _ASSUMPTION_FIELDS[1:]]])
            fixed = bool(p.get("fixed"))
            source = p.get("source") or "(no source given)"
            if p.get("note"):
                source += f" Note: {p['note']}"
            interval = "fixed" if fixed else (
                f"{format_value(p.get('p5'))} – {format_value(p.get('p95'))}")
            by_group.setdefault(p.get("group", ""), []).append([
                Text(p.get("name", ""), mono=True),
                Text(p.get("distribution", "")),
                Value(p.get("median")),
                Text(interval),
                Text(p.get("unit", "")),
                Text(source),
            ])
        for group, rows in by_group.items():
            title = _group_title(group)
            if len(worlds) > 1:
                title = f"{world.get('title') or world.get('name')}: {title}"
            groups.append((title, rows))
    names = ", ".join(f"{w.get('title') or w.get('name')} ({w.get('name')})" for w in worlds)
    return Table(
        stem="assumptions",
        title="Assumptions",
        description=(f"Every parameter of the world{'s' if len(worlds) > 1 else ''} "
                     f"{names}: its distribution as specified, the median, the 90% interval "
                     f"(5th to 95th percentile) and the unit, with its source. '[I]' marks "
                     f"arithmetic on figures from the cited sources; 'judgement' marks the "
                     f"authors' choice where no source gives a number."),
        scenarios=None,
        columns=["Parameter", "Distribution", "Median", "90% interval", "Unit", "Source"],
        groups=groups,
        csv_header=list(_ASSUMPTION_FIELDS), csv_rows=csv_rows, long=True, align="llrcll",
        widths=["3.1cm", "3.5cm", "1.2cm", "2.0cm", "1.4cm"], spill=5)


def _likelihood_text(o: dict) -> str:
    if "normal" in o:
        return f"normal around {format_value(o['normal']['value'])} (sd {format_value(o['normal']['sd'])})"
    if "lognormal" in o:
        return (f"lognormal around {format_value(o['lognormal']['value'])} "
                f"(sigma {format_value(o['lognormal']['sigma'])})")
    low, high = o["between"]
    return f"between {format_value(low)} and {format_value(high)} (rejection)"


def observations_table(results: Results) -> Table | None:
    """Appendix: the observations a conditioned run was weighted by, and what the weighting
    left of the sample (docs/conditioning.md). None for an unconditioned run."""
    observations = results.observations
    if not observations:
        return None
    rows, csv_rows = [], []
    for o in observations:
        scenario = o.get("scenario", "")
        likelihood = _likelihood_text(o)
        source = o.get("source", "") + (f" Note: {o['note']}" if o.get("note") else "")
        rows.append([Text(o["name"], mono=True), Text(o["metric"], mono=True), Text(o["date"]),
                     Text(likelihood), Text(source)])
        csv_rows.append([o["name"], o["metric"], o["date"], scenario, likelihood,
                         o.get("source", ""), o.get("note", "")])
    ess = results.effective_sample_size
    return Table(
        stem="observations",
        title="Observations the results are conditioned on",
        description=(f"Every sample was weighted by the product of these likelihoods, and every "
                     f"statistic in this report is a weighted one. The {results.samples:,} "
                     f"samples are worth an effective sample size of {ess:,.0f} "
                     f"({100 * ess / results.samples:.1f}%). Each observation reads its metric "
                     f"from the run's baseline scenario unless it names another."),
        scenarios=None,
        columns=["Observation", "Metric", "Month", "Likelihood", "Source"],
        groups=[(None, rows)],
        csv_header=["name", "metric", "date", "scenario", "likelihood", "source", "note"],
        csv_rows=csv_rows, long=True, align="lllll",
        widths=["2.6cm", "3.2cm", "1.2cm", "3.2cm", "4.0cm"])


def _group_title(group: str) -> str:
    if group == "world":
        return "World parameters"
    if group.startswith("chip "):
        return f"Chip class {group[5:]}"
    if group.startswith("line "):
        return f"Domestic production line {group[5:]}"
    return group.capitalize()


def policies_table(results: Results, scenarios: list[str]) -> Table | None:
    if results.assumptions is None:
        return None
    policies = {p.get("name"): p for p in results.assumptions.get("policies", [])}
    rows = []
    csv_rows = []
    for name in scenarios:
        info = results.scenario_info[results.scenarios.index(name)]
        policy = policies.get(info["policy"], {})
        csv_rows.append([name, info.get("title", ""), info["policy"], policy.get("title", ""),
                         policy.get("description", ""), info["fingerprint"]])
        rows.append([Text(scenario_label(name)), Text(policy.get("title", info["policy"])),
                     Text(policy.get("description", "")),
                     Text(info["fingerprint"][:12], mono=True)])
    return Table(
        stem="policies",
        title="Scenarios and their policies",
        description=("Each scenario's policy as its file describes it, and the scenario's "
                     "fingerprint (SHA-256 over the resolved world and policy; the first 12 "
                     "digits)."),
        scenarios=scenarios,
        columns=["Scenario", "Policy", "What it does", "Fingerprint"],
        groups=[(None, rows)],
        csv_header=["scenario", "scenario_title", "policy", "policy_title",
                    "policy_description", "fingerprint"],
        csv_rows=csv_rows, long=True, align="llll", widths=["2.0cm", "2.3cm", "5.5cm", "1.6cm"])
