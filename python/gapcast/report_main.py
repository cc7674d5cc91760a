"""Building a report from a results directory: :func:`build_report`, and the entry point of
``gapcast report`` (``python -m gapcast.report_main RESULTS_DIR -o REPORT_DIR``).

The report directory receives::

    index.html                      the whole report on one page (figures embedded)
    figures/<name>.svg|.pdf|.png    every figure, PNG at 300 dpi
    tables/<name>.csv|.md|.tex      every table, including the assumptions appendix
    report.json                     what was made from which results, with SHA-256s

Everything is a function of the results directory and the options: regenerating the report
gives the same bytes. Files are written into a staging directory and moved into place only
when all of them are done, so a failed report leaves the previous one as it was.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .report_data import ReportInputError, load_results_dir
from .report_figures import (
    EFFECT_METRICS,
    FAN_METRICS,
    FigureSpec,
    decomposition_figure,
    delay_figure,
    effect_figure,
    fan_figure,
    supply_figure,
)
from .report_html import render_index
from .report_style import FORMATS, report_style, save_figure
from .report_tables import (
    Table,
    assumptions_table,
    decomposition_table,
    delays_table,
    effects_table,
    metrics_table,
    policies_table,
    probabilities_table,
    to_csv,
    to_latex,
    to_markdown,
)

__all__ = ["ReportInputError", "ReportOutput", "build_report", "main"]

#: Table formats the report writes.
TABLE_FORMATS = ("csv", "md", "tex")


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
        return out + [self.directory / "report.json"]


def _choose(kind: str, given: Sequence[str] | None, known: Sequence[str],
            default: Sequence[str]) -> list[str]:
    if not given:
        return list(default)
    chosen = []
    for name in given:
        if name not in known:
            import difflib

            hint = difflib.get_close_matches(name, known, n=1)
            raise ReportInputError(
                f"no {kind} named {name!r} in these results"
                + (f" (did you mean {hint[0]!r}?)" if hint else "")
                + f"; {kind}s: {', '.join(known)}")
        if name not in chosen:
            chosen.append(name)
    return chosen


def build_report(
    results_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    years: Sequence[int] | None = None,
    scenarios: Sequence[str] | None = None,
    metrics: Sequence[str] | None = None,
    formats: Sequence[str] | None = None,
    dpi: int = 300,
    log: Callable[[str], None] | None = None,
) -> ReportOutput:
    """Builds the report of a results directory into ``out_dir``.

    Args:
        results_dir: written by ``gapcast run/compare --out`` or :meth:`Results.write`.
        out_dir: the report directory (created; report files in it are replaced).
        years: years whose December the tables and effect figures show (default: two years
            in, mid-range and the last month, as the terminal tables).
        scenarios: scenarios to show, in order (default: all, in run order).
        metrics: time-series metrics for fan charts and the key-metrics table.
        formats: figure formats among "svg", "pdf", "png" (default all; index.html embeds
            the PNGs and links the rest).
        dpi: PNG resolution.
        log: called with a line per file group written (None: silent).

    Raises:
        ReportInputError: the directory is not a results directory, or an option names a
            year, scenario, metric or format the results do not have.
    """
    data = load_results_dir(results_dir)
    out = Path(out_dir)
    chosen_formats = _choose("format", formats, FORMATS, FORMATS)
    if int(dpi) < 50 or int(dpi) > 1200:
        raise ReportInputError(f"dpi must be between 50 and 1200 (got {dpi})")
    names = _choose("scenario", scenarios, data.scenarios, data.scenarios)
    series_metrics = [m for m in data.metrics]
    fan = _choose("metric", metrics, series_metrics,
                  [m for m in FAN_METRICS if m in series_metrics])
    months = data.months_for(list(years) if years else None)
    for q in (0.05, 0.25, 0.5, 0.75, 0.95):
        data.quantile_label(q)  # the figures need these levels: say so before drawing

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.staging-", dir=out.parent))
    try:
        figures_dir = staging / "figures"
        tables_dir = staging / "tables"
        figures_dir.mkdir()
        tables_dir.mkdir()
        figure_files: list[tuple[FigureSpec, dict[str, Path]]] = []
        with report_style():
            specs: list[Callable[[], FigureSpec | None]] = [
                *[(lambda m=m: fan_figure(data, m, names)) for m in fan],
                *[(lambda m=m: effect_figure(data, m, names, months))
                  for m in EFFECT_METRICS if m in series_metrics],
                lambda: delay_figure(data, names),
                lambda: supply_figure(data, names, "training"),
                lambda: decomposition_figure(data, names),
            ]
            for make in specs:
                spec = make()
                if spec is None:
                    continue
                paths = save_figure(spec.figure, figures_dir, spec.stem, spec.title,
                                    data.provenance, spec.scenarios, chosen_formats, int(dpi))
                figure_files.append((spec, {p.suffix[1:]: p for p in paths}))
                if log is not None:
                    log(f"figures/{spec.stem}.{{{','.join(chosen_formats)}}}")
        tables: list[Table | None] = [
            metrics_table(data, fan, names, months),
            effects_table(data, names, months),
            delays_table(data, names),
            decomposition_table(data, names, months),
            probabilities_table(data, names, months),
            policies_table(data, names),
            assumptions_table(data),
        ]
        table_files: list[tuple[Table, dict[str, Path]]] = []
        writers = {"csv": to_csv, "md": to_markdown, "tex": to_latex}
        for table in tables:
            if table is None:
                continue
            files = {}
            for fmt in TABLE_FORMATS:
                path = tables_dir / f"{table.stem}.{fmt}"
                path.write_text(writers[fmt](table, data), encoding="utf-8", newline="\n")
                files[fmt] = path
            table_files.append((table, files))
            if log is not None:
                log(f"tables/{table.stem}.{{{','.join(TABLE_FORMATS)}}}")
        index = staging / "index.html"
        index.write_text(render_index(data, figure_files, table_files, staging, months, names),
                         encoding="utf-8", newline="\n")
        written = [index] + [p for _, f in figure_files for p in f.values()] + \
            [p for _, f in table_files for p in f.values()]
        record = {
            "format": "gapcast-report",
            "format_version": 1,
            "engine": {"version": data.provenance.engine_version,
                       "git_commit": data.provenance.git_commit},
            "results": {"results.json sha256": data.provenance.results_sha256,
                        "seed": data.provenance.seed, "samples": data.provenance.samples,
                        "scenarios": [{"name": n, "fingerprint": f}
                                      for n, f in data.provenance.scenarios]},
            "options": {"months": months, "scenarios": names, "metrics": fan,
                        "formats": chosen_formats, "dpi": int(dpi)},
            "files": [{"path": p.relative_to(staging).as_posix(),
                       "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}
                      for p in written],
        }
        (staging / "report.json").write_text(json.dumps(record, indent=1) + "\n",
                                             encoding="utf-8", newline="\n")
        _commit(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
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


def _commit(staging: Path, out: Path) -> None:
    """Moves the staged files into ``out`` (one rename each, replacing older ones)."""
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("figures", "tables"):
        (out / sub).mkdir(exist_ok=True)
    for path in sorted(staging.rglob("*")):
        if path.is_file():
            target = out / path.relative_to(staging)
            os.replace(path, target)


def _list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _years(text: str) -> list[int]:
    try:
        return [int(item) for item in _list(text)]
    except ValueError:
        raise argparse.ArgumentTypeError(f"years must be whole numbers, e.g. 2027,2030 "
                                         f"(got {text!r})") from None


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    """Command-line entry. Exit status: 0 success; 2 bad usage or unusable results
    (nothing written); 1 internal failure; 130 interrupted."""
    parser = argparse.ArgumentParser(
        prog=prog or "python -m gapcast.report_main",
        description="Build a report (figures, tables, assumptions appendix, index.html) from "
                    "a gapcast results directory.")
    parser.add_argument("results", help="results directory (results.json, manifest.json, ...)")
    parser.add_argument("-o", "--out", required=True, help="report directory")
    parser.add_argument("--years", type=_years, default=None,
                        help="years whose December tables and effect figures show")
    parser.add_argument("--scenarios", type=_list, default=None, help="scenarios to show")
    parser.add_argument("--metrics", type=_list, default=None,
                        help="metrics for fan charts and the key-metrics table")
    parser.add_argument("--formats", type=_list, default=None,
                        help="figure formats among svg,pdf,png")
    parser.add_argument("--dpi", type=int, default=300, help="PNG resolution (default 300)")
    parser.add_argument("-q", "--quiet", action="store_true", help="do not list the files")
    args = parser.parse_args(argv)
    name = prog or "gapcast report"
    try:
        output = build_report(
            args.results, args.out, years=args.years, scenarios=args.scenarios,
            metrics=args.metrics, formats=args.formats, dpi=args.dpi,
            log=None if args.quiet else (lambda line: print(f"  {line}", file=sys.stderr)))
    except ReportInputError as error:
        print(f"{name}: {error}; nothing was written", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{name}: interrupted; nothing was written", file=sys.stderr)
        return 130
    except Exception as error:  # noqa: BLE001 - the exit status is the contract here
        print(f"{name}: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"wrote {len(output.figures)} figures and {len(output.tables)} tables to "
              f"{output.directory} (open {output.index})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
