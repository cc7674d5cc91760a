"""index.html: the whole report on one self-contained page.

The figures are embedded as PNG data URIs (links next to each lead to its SVG and PDF), the
styles are inline, and there is no script and no external resource, so the page opens the
same from a disk, an e-mail attachment or an archive, offline, and is byte for byte a function
of the results directory.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ._figure_style import scenario_label
from .report_formats import to_html
from .report_style import FigureSpec
from .report_tables import Table

if TYPE_CHECKING:
    from .results import Results

__all__ = ["render_index"]

_CSS = """
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; color: #1a1a1a;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #ccc; padding-bottom: 0.2rem;
     margin-top: 2.5rem; }
h3 { font-size: 1.05rem; margin-top: 1.6rem; }
p.lead { color: #444; margin-top: 0; }
nav ul { columns: 2; padding-left: 1.2rem; }
figure { margin: 1.5rem 0 2rem 0; }
figure img { width: 100%; max-width: 34rem; height: auto; border: 1px solid #eee; }
figcaption { font-size: 0.9rem; max-width: 44rem; }
.provenance { font-size: 0.75rem; color: #555; }
.files { font-size: 0.85rem; }
table.data { border-collapse: collapse; font-size: 0.85rem; margin: 1rem 0 0.3rem 0; }
table.data caption { caption-side: top; text-align: left; padding-bottom: 0.4rem;
                     max-width: 52rem; }
table.data th, table.data td { padding: 0.25rem 0.6rem; vertical-align: top; }
table.data thead th { border-top: 2px solid #333; border-bottom: 1px solid #333; }
table.data tbody tr:last-child td { border-bottom: 2px solid #333; }
table.data tr.group th { text-align: left; font-style: italic; font-weight: normal;
                         padding-top: 0.7rem; color: #333; }
table.data .ci { color: #666; font-size: 0.8em; white-space: nowrap; }
table.kv { border-collapse: collapse; font-size: 0.85rem; }
table.kv th { text-align: left; padding: 0.15rem 1rem 0.15rem 0; font-weight: normal;
              color: #555; vertical-align: top; }
table.kv td { padding: 0.15rem 0; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.9em;
       word-break: break-all; }
"""


def _kv(rows: Sequence[tuple[str, str]]) -> str:
    return ('<table class="kv">' + "".join(
        f"<tr><th>{html.escape(k)}</th><td>{v}</td></tr>" for k, v in rows) + "</table>")


def _figure(spec: FigureSpec, image: bytes, mime: str, links: Sequence[tuple[str, str]],
            provenance_line: str) -> str:
    data = base64.b64encode(image).decode("ascii")
    link_text = " · ".join(f'<a href="{html.escape(href)}">{html.escape(label)}</a>'
                           for label, href in links)
    return (f'<figure id="figure-{html.escape(spec.stem)}">'
            f'<img src="data:{mime};base64,{data}" alt="{html.escape(spec.title)}">'
            f"<figcaption><strong>{html.escape(spec.title)}.</strong> "
            f"{html.escape(spec.description)}"
            f'<br><span class="provenance">{html.escape(provenance_line)}</span>'
            f'<br><span class="files">{link_text}</span></figcaption></figure>')


def render_index(results: Results, figures: Sequence[tuple[FigureSpec, dict[str, Path]]],
                 tables: Sequence[tuple[Table, dict[str, Path]]], out_dir: Path,
                 months: Sequence[str], scenarios: Sequence[str]) -> str:
    """The page. ``figures`` and ``tables`` pair each item with its files by format; paths
    in links are relative to ``out_dir``."""
    prov = results.provenance
    run = results.info
    manifest = results.manifest
    solver = manifest.get("solver", {})

    def rel(path: Path) -> str:
        return path.relative_to(out_dir).as_posix()

    parts = ['<!DOCTYPE html>', '<html lang="en">', "<head>", '<meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             # An empty icon: without it a browser asks for /favicon.ico, which does not exist.
             '<link rel="icon" href="data:,">',
             f"<title>gapcast report: {html.escape(', '.join(scenarios))}</title>",
             f"<style>{_CSS}</style>", "</head>", "<body>"]
    parts.append("<header><h1>gapcast report</h1>")
    parts.append(
        f'<p class="lead">{len(scenarios)} scenario(s), {html.escape(prov.samples_text())} '
        f"(seed {prov.seed}), {html.escape(results.date_labels[0])} to "
        f"{html.escape(results.date_labels[-1])}; tables at "
        f"{html.escape(', '.join(months))}. Effective compute is hardware (H100-equivalents) "
        f"times a software-efficiency index; gaps are frontier (US) over target (China). "
        f"Intervals are over sampled worlds, and policy effects are paired: each policy is "
        f"compared with the reference in the same sampled world.</p></header>")

    parts.append("<nav><h2>Contents</h2><ul>")
    parts.append('<li><a href="#provenance">Provenance</a></li>')
    for spec, _ in figures:
        parts.append(f'<li><a href="#figure-{spec.stem}">Figure: {html.escape(spec.title)}</a>'
                     "</li>")
    for table, _ in tables:
        parts.append(f'<li><a href="#table-{table.stem}">Table: {html.escape(table.title)}</a>'
                     "</li>")
    parts.append("</ul></nav>")

    # -- provenance ---------------------------------------------------------------------------
    parts.append('<section id="provenance"><h2>Provenance</h2>')
    engine = manifest.get("engine", {})
    parts.append(_kv([
        ("engine", html.escape(f"gapcast {prov.engine_version}, commit {prov.git_commit}, "
                               f"{engine.get('compiler', '')} {engine.get('build_type', '')}")),
        ("seed", str(prov.seed)),
        ("samples", html.escape(prov.samples_text())),
        ("months", html.escape(f"{run.get('start')} to {run.get('horizon')}")),
        ("quantiles", html.escape(", ".join(f"{100 * q:g}%" for q in results.quantiles) +
                                  f" (relative accuracy {run.get('quantile_accuracy')})")),
        ("threshold", html.escape(f"{run.get('threshold_multiple', 1):g} × the frontier's "
                                  f"effective training compute in {run.get('start')}")),
        ("baseline policy", html.escape(run["baseline_policy"] or "none")),
        ("solver", html.escape(f"{solver.get('method', '')}; rel. tol. "
                               f"{solver.get('rel_tolerance')}, abs. tol. "
                               f"{solver.get('abs_tolerance')}, max step "
                               f"{solver.get('max_step_months')} months")),
        ("results.json", f"<code>sha256 {html.escape(prov.results_sha256)}</code>"),
        ("rerun", f"<code>{html.escape(prov.rerun)}</code>"),
        ("check", "<code>gapcast reproduce RESULTS_DIR/manifest.json</code> reruns the "
                  "results and compares every file byte for byte"),
    ]))
    parts.append("<h3>Scenarios</h3>")
    rows = []
    recorded = {s.get("name"): s for s in manifest.get("scenarios", [])}
    for name, fingerprint in prov.scenarios:
        files = recorded.get(name, {}).get("files", [])
        listing = "<br>".join(
            f"{html.escape(f.get('role', ''))}: <code>{html.escape(f.get('path', ''))}</code> "
            f"<code>{html.escape(f.get('sha256', '')[:12])}</code>" for f in files)
        rows.append((scenario_label(name),
                     f"fingerprint <code>{html.escape(fingerprint)}</code><br>{listing}"))
    parts.append(_kv(rows))
    parts.append(f'<p class="provenance">Every figure and table names the scenarios it shows '
                 f"by a 12-digit hash (SHA-256 over their names and fingerprints) and the "
                 f"results file by its SHA-256; all scenarios of this run: "
                 f"#{html.escape(prov.scenario_hash())}.</p></section>")

    # -- figures -------------------------------------------------------------------------------
    parts.append('<section id="figures"><h2>Figures</h2>')
    for spec, files in figures:
        links = [(fmt.upper(), rel(path)) for fmt, path in files.items()]
        # The PNG is embedded; without one, the SVG (both keep the page self-contained).
        shown = files.get("png") or files.get("svg")
        mime = "image/png" if "png" in files else "image/svg+xml"
        if shown is None:
            parts.append(f'<figure id="figure-{html.escape(spec.stem)}"><figcaption>'
                         f"<strong>{html.escape(spec.title)}.</strong> "
                         f"{html.escape(spec.description)}<br>" +
                         " · ".join(f'<a href="{html.escape(h)}">{html.escape(label)}</a>'
                                    for label, h in links) + "</figcaption></figure>")
            continue
        parts.append(_figure(spec, shown.read_bytes(), mime, links,
                             prov.caption(spec.scenarios)))
    parts.append("</section>")

    # -- tables --------------------------------------------------------------------------------
    # The scenario and assumption tables go to the appendix, the rest to the body.
    appendix_stems = ("assumptions", "policies", "observations")

    def table_section(section_id: str, heading: str, in_appendix: bool) -> None:
        parts.append(f'<section id="{section_id}"><h2>{heading}</h2>')
        for table, files in tables:
            if (table.stem in appendix_stems) != in_appendix:
                continue
            parts.append(to_html(table, results))
            parts.append('<p class="files">' + " · ".join(
                f'<a href="{html.escape(rel(p))}">{fmt.upper()}</a>' for fmt, p in files.items())
                + "</p>")
        parts.append("</section>")

    table_section("tables", "Tables", in_appendix=False)
    table_section("appendix", "Appendix: scenarios and assumptions", in_appendix=True)
    parts.append(f'<footer class="provenance"><p>Made by gapcast {html.escape(prov.engine_version)}'
                 f" ({html.escape(prov.git_commit)}) from results.json "
                 f"{html.escape(prov.results_sha256)}.</p></footer>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
