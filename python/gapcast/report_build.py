"""Building a report from results: :func:`build_report` (also :func:`gapcast.report` and the
``gapcast report`` command, report_main.py).

The report directory receives::

    index.html                      the whole report on one page (figures embedded)
    figures/<name>.svg|.pdf|.png    every figure, PNG at 300 dpi
    tables/<name>.csv|.md|.tex      every table, including the assumptions appendix
    report.json                     what was made from which results, with SHA-256s

Everything is a function of the results directory and the options: regenerating the report
gives the same bytes. Every option and the output location are checked before anything is
drawn, and the report directory is replaced whole (gapcast._atomic_dir): a report into an
existing report directory leaves no figure of the old one behind, and a failed or
interrupted report leaves the old one as it was.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from ._atomic_dir import check_target, replacing
from .errors import OutputDirError, ReportInputError
from .report_figures import (
    EFFECT_METRICS,
    FAN_METRICS,
    decomposition_figure,
    fan_figure,
    supply_figure,
)
from .report_discovery import discovery_figure, discovery_table, read_discovery
from .report_sensitivity import read_sensitivity, sensitivity_figure, sensitivity_table
from .report_html import render_index
from .report_intervals import delay_figure, effect_figure
from .report_style import FORMATS, FigureSpec, report_style, save_figure
from .report_formats import to_csv, to_latex, to_markdown
from .report_tables import (
    Table,
    assumptions_table,
    observations_table,
    decomposition_table,
    delays_table,
    effects_table,
    metrics_table,
    policies_table,
    probabilities_table,
)
from .results import Results

__all__ = ["REPORT_MARKER", "ReportOutput", "build_report"]

#: Table formats the report writes.
TABLE_FORMATS = ("csv", "md", "tex")
#: The file that makes a directory a report (and so replaceable by the next report).
REPORT_MARKER = "report.json"
#: Quantile levels the figures and tables draw.
_LEVELS = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass
class ReportOutput:
    """What :func:`build_report` wrote: paths relative to ``directory``."""

    directory: Path
    index: Path
    figures: dict[str, list[Path]]
    tables: dict[str, list[Path]]

    @property
    def files(self) -> list[Path]:
        out = [self.index]
        for paths in (*self.figures.values(), *self.tables.values()):
            out += paths
        return out + [self.directory / REPORT_MARKER]


def _choose(kind: str, given: Sequence[str] | None, known: Sequence[str],
            default: Sequence[str]) -> list[str]:
    if not given:
        return list(default)
    chosen = []
    for name in given:
        if name not in known:
            hint = difflib.get_close_matches(name, known, n=1)
            raise ReportInputError(
                f"no {kind} named {name!r} in these results"
                + (f" (did you mean {hint[0]!r}?)" if hint else "")
                + f"; {kind}s: {', '.join(known)}")
        if name not in chosen:
            chosen.append(name)
    return chosen


def _months(results: Results, years: Sequence[int] | None) -> list[str]:
    """December of each year (the engine's report months without years). ReportInputError
    for a year without a December in the run, naming the years that have one."""
    unique: list[int] = []
    for y in years or ():
        label = f"{int(y):04d}-12"
        if label not in results.date_labels:
            decembers = [d[:4] for d in results.date_labels if d.endswith("-12")]
            span = f"{decembers[0]} to {decembers[-1]}" if decembers else "none"
            raise ReportInputError(
                f"year {y} has no December in these results (they run "
                f"{results.date_labels[0][:4]} to {results.date_labels[-1][:4]}; years with a "
                f"December: {span})")
        if int(y) not in unique:
            unique.append(int(y))
    return results.report_months(unique)


def _require_levels(results: Results) -> None:
    """The figures need the 5%, 25%, 50%, 75% and 95% levels: say so before drawing."""
    for q in _LEVELS:
        try:
            results.stat_index(q)
        except ValueError:
            raise ReportInputError(
                f"the results have no {q:g} quantile (they have "
                f"{', '.join(f'{x:g}' for x in results.quantiles)}); the report needs the "
                f"5%, 25%, 50%, 75% and 95% levels: rerun with the default --quantiles"
            ) from None


def _refuse_overlap(out_dir: str | os.PathLike[str], results_dir: Path) -> None:
    """The report directory is replaced whole: it must not be, or contain, the results."""
    out = Path(os.path.realpath(out_dir))
    results_dir = Path(os.path.realpath(results_dir))
    if out == results_dir or out in results_dir.parents:
        what = "is" if out == results_dir else "contains"
        raise OutputDirError(
            f"{out} {what} the results directory {results_dir}: the report replaces its "
            f"directory whole, which would delete the results; write the report elsewhere, "
            f"e.g. -o {results_dir.parent / 'report'}")


def _results_path(source: Results | str | os.PathLike[str],
                  results_dir: str | os.PathLike[str] | None) -> Path | None:
    """The directory the report will read (None: a temporary one)."""
    if not isinstance(source, Results):
        return Path(source)
    if source.source is not None and results_dir is None:
        return source.source
    return None if results_dir is None else Path(results_dir)


@contextlib.contextmanager
def _results_of(source: Results | str | os.PathLike[str],
                results_dir: str | os.PathLike[str] | None) -> Iterator[Results]:
    """The results to draw, read from their directory. Results of a run made in this process
    are written first (to ``results_dir``, or to a temporary directory), so that the report
    is drawn from files as ``gapcast report`` draws it and names results.json by the digest
    of a file that exists."""
    if not isinstance(source, Results):
        yield Results.read(source)
    elif source.source is not None and results_dir is None:
        yield source
    elif results_dir is not None:
        source.write(results_dir)
        yield Results.read(results_dir)
    else:
        with tempfile.TemporaryDirectory(prefix="gapcast-results-") as tmp:
            source.write(tmp)
            yield Results.read(tmp)


def build_report(
    source: Results | str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    years: Sequence[int] | None = None,
    scenarios: Sequence[str] | None = None,
    metrics: Sequence[str] | None = None,
    formats: Sequence[str] | None = None,
    dpi: int = 300,
    results_dir: str | os.PathLike[str] | None = None,
    discoveries: Sequence[str | os.PathLike[str]] = (),
    sensitivities: Sequence[str | os.PathLike[str]] = (),
    log: Callable[[str], None] | None = None,
) -> ReportOutput:
    """Builds the report of some results into ``out_dir``.

    Args:
        source: a results directory written by ``gapcast run/compare --out`` or
            :meth:`Results.write`, or a :class:`Results` (a run made in this process is
            written to ``results_dir`` first, or to a temporary directory).
        out_dir: the report directory: created, or replaced whole if it holds an earlier
            report. A file, a non-empty directory that is not a report, and the results
            directory (or one containing it) are refused.
        years: years whose December the tables and effect figures show (default: two years
            in, mid-range and the last month, as the terminal tables).
        scenarios: scenarios to show, in order (default: all, in run order).
        metrics: time-series metrics for fan charts and the key-metrics table.
        formats: figure formats among "svg", "pdf", "png" (default all; index.html embeds
            the PNGs and links the rest).
        dpi: PNG resolution.
        results_dir: where to write the results of a run held in memory (keep them beside
            the report, so that it can be checked with ``gapcast reproduce``).
        discoveries: discovery results (``gapcast discover --out DIR``) made from these
            results' ensemble: each adds a figure and a table (report_discovery.py).
        sensitivities: sensitivity results (``gapcast sensitivity --out DIR``) with the
            results' seed and scenarios: each adds a figure and a table per scenario
            (report_sensitivity.py).
        log: called with a line per file group written (None: silent).

    Raises:
        ResultsFileError: the results directory is not one, or not readable as one.
        ReportInputError: an option names a year, scenario, metric or format the results do
            not have, or the results lack a quantile level the report draws.
        OutputDirError: ``out_dir`` cannot be replaced, or another process is writing it.
    """
    chosen_formats = _choose("format", formats, FORMATS, FORMATS)
    if int(dpi) < 50 or int(dpi) > 1200:
        raise ReportInputError(f"dpi must be between 50 and 1200 (got {dpi})")
    read_from = _results_path(source, results_dir)
    if read_from is not None:
        _refuse_overlap(out_dir, read_from)
    out = check_target(out_dir, marker=REPORT_MARKER, what="gapcast report")
    with _results_of(source, results_dir) as results:
        names = _choose("scenario", scenarios, results.scenarios, results.scenarios)
        fan = _choose("metric", metrics, results.metrics,
                      [m for m in FAN_METRICS if m in results.metrics])
        months = _months(results, years)
        _require_levels(results)
        found = [read_discovery(d, results) for d in discoveries]
        analysed = [read_sensitivity(s, results) for s in sensitivities]
        with replacing(out, marker=REPORT_MARKER, what="gapcast report") as staging:
            figure_files, table_files = _write(results, staging, names, fan, months,
                                               chosen_formats, int(dpi), log, found,
                                               analysed)
    if log is not None:
        log("index.html, report.json")

    def moved(paths: dict[str, Path]) -> list[Path]:
        return [out / p.relative_to(staging) for p in paths.values()]

    return ReportOutput(
        directory=out,
        index=out / "index.html",
        figures={spec.stem: moved(files) for spec, files in figure_files},
        tables={table.stem: moved(files) for table, files in table_files},
    )


def _write(results: Results, staging: Path, names: list[str], fan: list[str],
           months: list[str], formats: list[str], dpi: int,
           log: Callable[[str], None] | None, discoveries: Sequence[dict] = (),
           sensitivities: Sequence[dict] = ()
           ) -> tuple[list[tuple[FigureSpec, dict[str, Path]]],
                      list[tuple[Table, dict[str, Path]]]]:
    """Draws and writes every file of the report into ``staging``."""
    figures_dir = staging / "figures"
    tables_dir = staging / "tables"
    figures_dir.mkdir()
    tables_dir.mkdir()
    figure_files: list[tuple[FigureSpec, dict[str, Path]]] = []
    with report_style():
        specs: list[Callable[[], FigureSpec | None]] = [
            *[(lambda m=m: fan_figure(results, m, names)) for m in fan],
            *[(lambda m=m: effect_figure(results, m, names, months))
              for m in EFFECT_METRICS if m in results.metrics],
            lambda: delay_figure(results, names),
            lambda: supply_figure(results, names, "training"),
            lambda: decomposition_figure(results, names),
            *[(lambda d=d, i=i: discovery_figure(d, results, i))
              for i, d in enumerate(discoveries, 1)],
            *[(lambda r=r, i=i, s=s: sensitivity_figure(r, results, i, s))
              for i, r in enumerate(sensitivities, 1) for s in r["scenarios"]],
        ]
        for make in specs:
            spec = make()
            if spec is None:
                continue
            paths = save_figure(spec.figure, figures_dir, spec.stem, spec.title,
                                results.provenance, spec.scenarios, formats, dpi)
            figure_files.append((spec, {p.suffix[1:]: p for p in paths}))
            if log is not None:
                log(f"figures/{spec.stem}.{{{','.join(formats)}}}")
    tables: list[Table | None] = [
        metrics_table(results, fan, names, months),
        effects_table(results, names, months),
        delays_table(results, names),
        decomposition_table(results, names, months),
        probabilities_table(results, names, months),
        policies_table(results, names),
        assumptions_table(results),
        observations_table(results),
        *[discovery_table(d, i) for i, d in enumerate(discoveries, 1)],
        *[sensitivity_table(r, i, s) for i, r in enumerate(sensitivities, 1)
          for s in r["scenarios"]],
    ]
    table_files: list[tuple[Table, dict[str, Path]]] = []
    writers = {"csv": to_csv, "md": to_markdown, "tex": to_latex}
    for table in tables:
        if table is None:
            continue
        files = {}
        for fmt in TABLE_FORMATS:
            path = tables_dir / f"{table.stem}.{fmt}"
            path.write_text(writers[fmt](table, results), encoding="utf-8", newline="\n")
            files[fmt] = path
        table_files.append((table, files))
        if log is not None:
            log(f"tables/{table.stem}.{{{','.join(TABLE_FORMATS)}}}")
    index = staging / "index.html"
    index.write_text(render_index(results, figure_files, table_files, staging, months, names),
                     encoding="utf-8", newline="\n")
    written = [index] + [p for _, f in figure_files for p in f.values()] + \
        [p for _, f in table_files for p in f.values()]
    options = {"months": months, "scenarios": names, "metrics": fan, "formats": formats,
               "dpi": dpi, "discoveries": _inputs_record(discoveries),
               "sensitivities": _inputs_record(sensitivities)}
    _write_record(results, staging, options, written)
    return figure_files, table_files


def _inputs_record(inputs: Sequence[dict]) -> list[dict[str, str]]:
    """Each extra input (a discovery or sensitivity result) as report.json names it: its file
    and SHA-256."""
    return [{"file": Path(d["_file"]).as_posix(),
             "sha256": hashlib.sha256(Path(d["_file"]).read_bytes()).hexdigest()}
            for d in inputs]


def _write_record(results: Results, staging: Path, options: dict, written: list[Path]) -> None:
    """report.json: the options, the results it was made from and every file's SHA-256."""
    provenance = results.provenance
    record = {
        "format": "gapcast-report",
        "format_version": 1,
        "engine": {"version": provenance.engine_version,
                   "git_commit": provenance.git_commit},
        "results": {"results.json sha256": provenance.results_sha256,
                    "seed": provenance.seed, "samples": provenance.samples,
                    "scenarios": [{"name": n, "fingerprint": f}
                                  for n, f in provenance.scenarios]},
        "options": options,
        "files": [{"path": p.relative_to(staging).as_posix(),
                   "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
                  for p in written],
    }
    (staging / REPORT_MARKER).write_text(json.dumps(record, indent=1) + "\n",
                                         encoding="utf-8", newline="\n")
