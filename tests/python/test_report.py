"""Reports (gapcast report / gapcast.report) and reruns (gapcast reproduce).

A report is built from a small run of every shipped scenario; the tests check that every
figure is a valid file of the printed size with its provenance, that the tables carry the
numbers of the results and compile with pdflatex, that index.html is self-contained and loads
in headless Chromium without console messages, and that building again gives the same bytes.
`gapcast reproduce` must confirm an untouched result, name an altered result file, and refuse
a result whose inputs changed.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import sysconfig
import time
import tomllib
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO, SHIPPED, scenario_file

import gapcast
from gapcast import ReportInputError
from gapcast.report_build import build_report
from gapcast.report_main import main
from gapcast.report_formats import latex_escape

SAMPLES = 120
SEED = 7
FIGURES = ("fan_target_training_effective", "fan_gap_training", "fan_gap_training_months",
           "fan_gap_inference", "effect_denied_training_vs_no_controls",
           "effect_added_gap_months_vs_no_controls", "effect_denied_training_vs_baseline",
           "effect_added_gap_months_vs_baseline", "delays", "supply_training",
           "gap_decomposition")
TABLES = ("key_metrics", "policy_effects", "threshold_delays", "gap_decomposition",
          "probabilities", "policies", "assumptions")


def run_cli(cli: Path, *args: str, env: dict[str, str] | None = None,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    # Absolute, since some calls run in another directory.
    return subprocess.run([str(Path(cli).resolve()), *args], capture_output=True, text=True,
                          env=env, cwd=cwd)


def report_argv() -> list[str]:
    """`gapcast report` as this package provides it: the gapcast-report script installed
    beside this Python, or `python -m gapcast report` (a developer build has no script)."""
    script = Path(sysconfig.get_path("scripts")) / "gapcast-report"
    return [str(script)] if script.exists() else [sys.executable, "-m", "gapcast", "report"]


def run_report(*args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*report_argv(), *args], capture_output=True, text=True, **kwargs)


def files_of(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes()
            for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def results_dir(cli, tmp_path_factory) -> Path:
    """Every shipped scenario through the command, with per-sample values kept."""
    out = tmp_path_factory.mktemp("results") / "results"
    done = run_cli(cli, "compare", *[str(p) for p in SHIPPED], "--samples", str(SAMPLES),
                   "--seed", str(SEED), "--raw", "--quiet", "--no-progress", "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def report_dir(results_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "report"
    build_report(results_dir, out)
    return out


# ---- contents -------------------------------------------------------------------------------

def test_report_has_every_figure_table_and_the_page(report_dir):
    for stem in FIGURES:
        for fmt in ("svg", "pdf", "png"):
            assert (report_dir / "figures" / f"{stem}.{fmt}").stat().st_size > 1000, stem
    for stem in TABLES:
        for fmt in ("csv", "md", "tex"):
            assert (report_dir / "tables" / f"{stem}.{fmt}").stat().st_size > 100, stem
    assert (report_dir / "index.html").exists()
    record = json.loads((report_dir / "report.json").read_text())
    listed = {f["path"]: f["sha256"] for f in record["files"]}
    assert len(listed) == 1 + 3 * len(FIGURES) + 3 * len(TABLES)
    for path, digest in listed.items():
        assert hashlib.sha256((report_dir / path).read_bytes()).hexdigest() == digest, path


def _png_chunks(data: bytes) -> dict[bytes, list[bytes]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks: dict[bytes, list[bytes]] = {}
    i = 8
    while i < len(data):
        (length,) = struct.unpack(">I", data[i:i + 4])
        kind = data[i + 4:i + 8]
        chunks.setdefault(kind, []).append(data[i + 8:i + 8 + length])
        i += 12 + length
    assert b"IEND" in chunks
    return chunks


def _pdf_size(data: bytes) -> tuple[float, float]:
    match = re.search(rb"/MediaBox \[ 0 0 ([\d.]+) ([\d.]+) \]", data)
    assert match, "no MediaBox"
    return float(match.group(1)), float(match.group(2))


def test_figures_are_valid_files_of_the_printed_size(report_dir, results_dir):
    manifest = json.loads((results_dir / "manifest.json").read_text())
    for stem in FIGURES:
        png = (report_dir / "figures" / f"{stem}.png").read_bytes()
        pdf = (report_dir / "figures" / f"{stem}.pdf").read_bytes()
        svg = (report_dir / "figures" / f"{stem}.svg").read_bytes()

        # PDF: a complete file, one page, 3.5 in (252 pt) wide: a journal's column.
        assert pdf.startswith(b"%PDF-1.") and pdf.rstrip().endswith(b"%%EOF"), stem
        width_pt, height_pt = _pdf_size(pdf)
        assert width_pt == pytest.approx(252.0), stem
        assert 144 < height_pt < 720, stem
        assert b"/FontFile2" in pdf, f"{stem}: fonts should be embedded as TrueType"

        # PNG: 300 dpi, so 1050 pixels across, and the same height as the PDF page.
        chunks = _png_chunks(png)
        width, height = struct.unpack(">II", chunks[b"IHDR"][0][:8])
        assert width == 1050, stem
        assert abs(height - height_pt / 72 * 300) <= 1.0, stem
        ppm_x, ppm_y, unit = struct.unpack(">IIB", chunks[b"pHYs"][0])
        assert unit == 1 and round(ppm_x * 0.0254) == 300 == round(ppm_y * 0.0254), stem

        # SVG: well-formed XML of the same size.
        root = ET.fromstring(svg)
        assert root.tag.endswith("svg"), stem
        assert root.get("width") == "252pt", stem
        assert float(root.get("height").removesuffix("pt")) == pytest.approx(height_pt,
                                                                              abs=0.01)

        # Provenance in the metadata of every format ...
        text = b"".join(c for c in chunks.get(b"tEXt", []))
        seed = str(manifest["run"]["seed"]).encode()
        version = manifest["engine"]["version"].encode()
        commit = manifest["engine"]["git_commit"].encode()
        for blob in (text, pdf, svg):
            assert b"gapcast " + version in blob, stem
            assert commit in blob, stem
            assert b"seed " + seed in blob, stem
            assert b"samples " + str(SAMPLES).encode() in blob, stem
        # (the embargo is in every figure: as a level, and as an effect against both
        # references)
        fingerprint = next(s["fingerprint"] for s in manifest["scenarios"]
                           if s["name"] == "comprehensive_embargo").encode()
        assert fingerprint in pdf and fingerprint in svg and fingerprint in text, stem
        # ... and no time stamp that would make the next build differ.
        assert b"/CreationDate" not in pdf and b"<dc:date>" not in svg, stem
        # ... and visible: the caption line is drawn (its text is kept as an SVG comment).
        assert re.search(rb"<!-- gapcast [^>]*seed " + seed + rb" \xc2\xb7 " +
                         str(SAMPLES).encode() + rb" samples -->", svg), stem
        assert re.search(rb"<!-- scenarios #[0-9a-f]{12} \xc2\xb7 results.json #[0-9a-f]{12} -->",
                         svg), stem


def test_results_hash_in_captions_is_that_of_results_json(report_dir, results_dir):
    digest = hashlib.sha256((results_dir / "results.json").read_bytes()).hexdigest()
    assert digest[:12].encode() in (report_dir / "figures" / "delays.svg").read_bytes()
    assert f"results.json #{digest[:12]}" in (report_dir / "tables" / "key_metrics.md").read_text()


def test_tables_hold_the_results_numbers_and_their_provenance(report_dir, results_dir):
    results = json.loads((results_dir / "results.json").read_text())
    csv_path = report_dir / "tables" / "key_metrics.csv"
    first = csv_path.read_text().splitlines()[0]
    assert first.startswith("# Key metrics.") and f"seed {SEED}" in first
    frame = pd.read_csv(csv_path, skiprows=1)
    row = frame[(frame.metric == "gap_training") & (frame.scenario == "baseline")
                & (frame.date == "2030-12")].iloc[0]
    k = results["dates"].index("2030-12")
    for stat in ("mean", "p5", "p50", "p95"):
        assert row[stat] == results["series"]["baseline"]["gap_training"][stat][k]

    markdown = (report_dir / "tables" / "key_metrics.md").read_text()
    assert markdown.startswith("<!-- gapcast ")
    assert re.search(r"^\*gapcast .* · seed 7 · 120 samples · scenarios #[0-9a-f]{12} · "
                     r"results\.json #[0-9a-f]{12}\*$", markdown, re.M)
    assert "| Dec 2027 | Dec 2030 | Dec 2035 |" in markdown

    latex = (report_dir / "tables" / "key_metrics.tex").read_text()
    assert latex.startswith("% gapcast report: Key metrics")
    assert r"\toprule" in latex and r"\bottomrule" in latex
    assert re.search(r"\{\\tiny gapcast .* seed 7 .* 120 samples", latex)


def test_assumptions_appendix_lists_every_parameter_with_its_source(report_dir, results_dir):
    assumptions = json.loads((results_dir / "assumptions.json").read_text())
    parameters = assumptions["worlds"][0]["parameters"]
    frame = pd.read_csv(report_dir / "tables" / "assumptions.csv", skiprows=1,
                        keep_default_na=False)
    assert list(frame["name"]) == [p["name"] for p in parameters]
    for p, (_, row) in zip(parameters, frame.iterrows(), strict=True):
        assert row["distribution"] == p["distribution"]
        assert row["source"] == p["source"]
    markdown = (report_dir / "tables" / "assumptions.md").read_text()
    latex = (report_dir / "tables" / "assumptions.tex").read_text()
    for p in parameters:
        assert f"`{p['name']}`" in markdown
        assert latex_escape(p["name"]).replace(r"\_", r"\_\allowbreak{}") in latex
    assert r"\begin{longtable}" in latex


# ---- LaTeX ----------------------------------------------------------------------------------

def _pdflatex(directory: Path, body: str) -> subprocess.CompletedProcess[str]:
    (directory / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage{longtable}\n"
        "\\begin{document}\n" + body + "\n\\end{document}\n")
    return subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                          cwd=directory, capture_output=True, text=True, timeout=300)


needs_pdflatex = pytest.mark.skipif(
    shutil.which("pdflatex") is None,
    reason="pdflatex is not installed (Debian: texlive-latex-base, texlive-latex-recommended; "
           "bash scripts/setup.sh --test installs them)")


@needs_pdflatex
def test_latex_tables_compile_in_a_minimal_document(report_dir, tmp_path):
    inputs = "\n".join(f"\\input{{{(report_dir / 'tables' / f'{t}.tex').as_posix()}}}"
                       for t in TABLES)
    done = _pdflatex(tmp_path, inputs)
    assert done.returncode == 0, done.stdout[-3000:]
    assert (tmp_path / "doc.pdf").read_bytes().startswith(b"%PDF")
    log = (tmp_path / "doc.log").read_text(errors="replace")
    assert "Undefined control sequence" not in log
    # The tables fit the page (a point or two of slack in wrapped source text aside).
    for match in re.finditer(r"Overfull \\hbox \(([\d.]+)pt too wide\) in alignment", log):
        assert float(match.group(1)) < 3.0, match.group(0)


@needs_pdflatex
def test_latex_escaping_survives_awkward_text(tmp_path):
    nasty = "50% & $5 #1 under_score ~tilde^ {braces} back\\slash × ≈ → ±1 “quotes” 中文 é"
    done = _pdflatex(tmp_path, latex_escape(nasty))
    assert done.returncode == 0, done.stdout[-3000:]


# ---- HTML -----------------------------------------------------------------------------------

class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            if name in ("src", "href") and value is not None:
                self.urls.append((name, value))


def test_html_page_is_self_contained(report_dir):
    page = (report_dir / "index.html").read_text()
    parser = _Links()
    parser.feed(page)
    assert "script" not in parser.tags
    images = [v for n, v in parser.urls if n == "src"]
    assert len(images) == len(FIGURES)
    assert all(v.startswith("data:image/png;base64,") for v in images)
    for name, value in parser.urls:
        assert not re.match(r"^[a-z]+://", value), f"external resource {value}"
        if name == "href" and not value.startswith(("#", "data:")):
            assert (report_dir / value).is_file(), value
    assert "gapcast reproduce" in page
    assert page.count('<table class="data"') == len(TABLES)


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _load_in_chromium(url: str, profile: Path) -> tuple[str, list[str]]:
    """The DOM Chromium built for the page, and the page's console messages (Chromium logs
    each as a line with "CONSOLE" on stderr)."""
    done = subprocess.run(
        [_chromium(), "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
         f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--dump-dom", url],
        capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout, [line for line in done.stderr.splitlines() if ":CONSOLE" in line]


@pytest.mark.skipif(_chromium() is None,
                    reason="chromium is not installed (Debian: chromium; "
                           "bash scripts/setup.sh --test installs it)")
def test_html_page_loads_in_chromium_without_console_messages(report_dir, tmp_path):
    # First make sure console messages would be seen at all: a page that logs an error.
    control = tmp_path / "control.html"
    control.write_text("<!DOCTYPE html><html><head><title>c</title></head><body>"
                       "<script>console.error('gapcast-control');</script></body></html>")
    _, messages = _load_in_chromium(control.as_uri(), tmp_path / "profile-control")
    assert any("gapcast-control" in m for m in messages), "console messages are not captured"

    dom, messages = _load_in_chromium((report_dir / "index.html").as_uri(),
                                      tmp_path / "profile")
    assert messages == []
    assert "<h1>gapcast report</h1>" in dom
    assert dom.count("<figure") == len(FIGURES)


# ---- reproducibility --------------------------------------------------------------------------

def test_regenerating_gives_identical_files(report_dir, results_dir, python, tmp_path):
    # Another process with another hash seed: nothing may depend on object addresses,
    # hash order or the clock.
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    done = subprocess.run([python, "-m", "gapcast", "report", str(results_dir), "-o",
                           str(tmp_path / "again"), "--quiet"], capture_output=True, text=True,
                          env=env)
    assert done.returncode == 0, done.stderr
    first, second = files_of(report_dir), files_of(tmp_path / "again")
    assert sorted(first) == sorted(second)
    different = [name for name in first if first[name] != second[name]]
    assert different == []


def test_cli_report_is_the_python_report(cli, results_dir, report_dir, tmp_path):
    # `gapcast report` runs the external command gapcast-report (git style); a developer
    # build has none installed, so one that runs this package's report is put on the PATH.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "gapcast-report"
    shim.write_text("#!/bin/sh\nexec " + " ".join(report_argv()) + " \"$@\"\n")
    shim.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ.get('PATH', '')}"}
    done = run_cli(cli, "report", str(results_dir), "-o", str(tmp_path / "cli"), "--quiet",
                   env=env)
    assert done.returncode == 0, done.stderr
    assert files_of(tmp_path / "cli") == files_of(report_dir)


def test_cli_report_without_gapcast_report_says_where_it_comes_from(cli, results_dir, tmp_path):
    # A copy of the command alone in a folder, with a PATH that has no gapcast-report.
    alone = tmp_path / "alone"
    alone.mkdir()
    copy = alone / "gapcast"
    copy.write_bytes(Path(cli).read_bytes())
    copy.chmod(0o755)
    env = {**os.environ, "PATH": "/usr/bin:/bin"}
    done = run_cli(copy, "report", str(results_dir), "-o", str(tmp_path / "out"), env=env)
    assert done.returncode == 2
    assert "gapcast-report" in done.stderr and "python3 -m pip install ." in done.stderr
    assert not (tmp_path / "out").exists()


def test_bad_report_options_exit_2_and_write_nothing(results_dir, tmp_path, capsys):
    out = tmp_path / "report"
    assert main([str(results_dir), "-o", str(out), "--years", "2040"]) == 2
    assert "2040" in capsys.readouterr().err
    assert main([str(results_dir), "-o", str(out), "--scenarios", "baselin"]) == 2
    assert "did you mean 'baseline'" in capsys.readouterr().err
    assert main([str(results_dir), "-o", str(out), "--metrics", "nope"]) == 2
    assert main([str(results_dir), "-o", str(out), "--formats", "gif"]) == 2
    assert main([str(tmp_path / "missing"), "-o", str(out)]) == 2
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir()] == []  # no staging directory left behind
    with pytest.raises(ReportInputError, match="no December"):
        build_report(results_dir, out, years=[2020])


def test_chosen_years_scenarios_and_metrics(results_dir, tmp_path):
    output = gapcast.report(results_dir, tmp_path / "r", years=[2028, 2031],
                            scenarios=["comprehensive_embargo", "baseline"],
                            metrics=["gap_training"], formats=["png"])
    assert sorted(output.figures) == sorted(
        ["fan_gap_training", "effect_denied_training_vs_no_controls",
         "effect_added_gap_months_vs_no_controls", "effect_denied_training_vs_baseline",
         "effect_added_gap_months_vs_baseline", "delays", "supply_training",
         "gap_decomposition"])
    assert all(p.suffix == ".png" for paths in output.figures.values() for p in paths)
    markdown = (tmp_path / "r" / "tables" / "key_metrics.md").read_text()
    assert "| Scenario | Dec 2028 | Dec 2031 |" in markdown
    assert markdown.index("Comprehensive embargo") < markdown.index("| Baseline")
    assert "No controls" not in markdown
    # The PNGs are still embedded; the page links no SVG or PDF that was not made.
    page = (tmp_path / "r" / "index.html").read_text()
    assert ".svg" not in page and ".pdf" not in page


def test_samples_give_sampled_distributions(gc, tmp_path):
    results = gc.run([str(scenario_file("baseline")), str(scenario_file("no_controls")),
                      str(scenario_file("comprehensive_embargo"))], samples=80, seed=3,
                     keep_raw=True, raw_dates=["2027-12", "2030-12", "2035-12"],
                     progress=False)
    output = gc.report(results, tmp_path / "report", results_dir=tmp_path / "results",
                       formats=["svg"])
    svg = output.figures["effect_added_gap_months_vs_baseline"][0].read_text()
    assert "<!-- sampled density -->" in svg
    assert (tmp_path / "results" / "samples.csv").exists()
    # Without PNGs the page embeds the SVGs: still one self-contained file.
    page = (tmp_path / "report" / "index.html").read_text()
    assert page.count('<img src="data:image/svg+xml;base64,') == len(output.figures)


def test_results_report_matches_report_of_written_results(gc, tmp_path):
    results = gc.run([str(scenario_file("baseline")), str(scenario_file("no_controls"))],
                     samples=60, seed=2, progress=False)
    gapcast.report(results, tmp_path / "a", formats=["png"])
    results.write(tmp_path / "results")
    gapcast.report(tmp_path / "results", tmp_path / "b", formats=["png"])
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")


# ---- the command and its output directory (issue 8) -------------------------------------------

#: Options for a quick report (one fan chart, PNGs at low resolution) where only the handling
#: of inputs and outputs is tested.
QUICK = ("--formats", "png", "--metrics", "gap_training", "--dpi", "50", "--quiet")


@pytest.fixture(scope="module")
def small_dir(cli, tmp_path_factory) -> Path:
    """Two scenarios, few samples, no per-sample values."""
    out = tmp_path_factory.mktemp("small") / "results"
    done = run_cli(cli, "compare", str(scenario_file("baseline")),
                   str(scenario_file("no_controls")), "--samples", "40", "--seed", "5",
                   "--quiet", "--no-progress", "--out", str(out))
    assert done.returncode == 0, done.stderr
    return out


def _with_digest(directory: Path, name: str) -> None:
    """Records a result file's current SHA-256 in the manifest, as a run would have."""
    manifest = json.loads((directory / "manifest.json").read_text())
    for output in manifest["outputs"]:
        if output["path"] == name:
            output["sha256"] = hashlib.sha256((directory / name).read_bytes()).hexdigest()
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=1))


def test_the_report_command_is_a_python_entry_point(small_dir, tmp_path):
    # pyproject.toml installs gapcast-report, which the C++ command runs for `gapcast
    # report`; `python -m gapcast report` is the same command.
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts["gapcast-report"] == "gapcast.report_main:main"
    done = subprocess.run([sys.executable, "-m", "gapcast", "report", "--help"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "usage: gapcast report" in done.stdout
    assert "Exit status" in done.stdout
    for args, status in (([], 2), (["nope"], 2), (["--help"], 0)):
        done = subprocess.run([sys.executable, "-m", "gapcast", *args], capture_output=True,
                              text=True)
        assert done.returncode == status, args
    done = run_report(str(small_dir), "-o", str(tmp_path / "r"), *QUICK)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "r" / "report.json").exists()


@pytest.mark.skipif(not (Path(sysconfig.get_path("scripts")) / "gapcast-report").exists(),
                    reason="gapcast-report is installed by `pip install .`; this Python has a "
                           "developer build")
def test_gapcast_report_is_installed_beside_python(small_dir, tmp_path):
    script = Path(sysconfig.get_path("scripts")) / "gapcast-report"
    done = subprocess.run([str(script), str(small_dir), "-o", str(tmp_path / "r"), *QUICK],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    done = subprocess.run([str(script), str(small_dir)], capture_output=True, text=True)
    assert done.returncode == 2 and "-o/--out" in done.stderr


def test_report_into_an_existing_file_fails_before_any_work(small_dir, tmp_path):
    # The defect: exit 1 with "internal error: FileExistsError", after drawing for 15 s.
    target = tmp_path / "report.pdf"
    target.write_text("a file someone keeps")
    started = time.monotonic()
    done = run_report(str(small_dir), "-o", str(target))
    assert done.returncode == 2, done.stderr
    assert f"{target} exists and is not a directory" in done.stderr
    assert "nothing was written" in done.stderr
    assert time.monotonic() - started < 15  # no figure was drawn (one takes seconds)
    assert target.read_text() == "a file someone keeps"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]


def test_report_into_a_directory_that_is_not_a_report_is_refused(small_dir, tmp_path):
    (tmp_path / "paper").mkdir()
    (tmp_path / "paper" / "draft.tex").write_text("precious")
    done = run_report(str(small_dir), "-o", str(tmp_path / "paper"), *QUICK)
    assert done.returncode == 2
    assert "is not a gapcast report (it has no report.json)" in done.stderr
    assert sorted(p.name for p in (tmp_path / "paper").iterdir()) == ["draft.tex"]


@pytest.mark.parametrize("where", ["itself", "its parent"])
def test_report_into_the_results_directory_is_refused(small_dir, tmp_path, where):
    # The defect: the report was written into (or around) the results, mixing the two.
    results = shutil.copytree(small_dir, tmp_path / "study" / "results")
    before = files_of(tmp_path / "study")
    out = results if where == "itself" else results.parent
    done = run_report(str(results), "-o", str(out), *QUICK)
    assert done.returncode == 2, done.stderr
    assert "the results directory" in done.stderr and "write the report elsewhere" in done.stderr
    assert files_of(tmp_path / "study") == before


def test_results_json_of_the_wrong_shape_exits_2_with_its_location(small_dir, tmp_path):
    # The defect: exit 1 with a raw Python error from deep inside the report.
    results = shutil.copytree(small_dir, tmp_path / "results")
    document = json.loads((results / "results.json").read_text())
    document["series"]["baseline"]["gap_training"]["p50"] = {"not": "a list"}
    (results / "results.json").write_text(json.dumps(document))
    _with_digest(results, "results.json")
    done = run_report(str(results), "-o", str(tmp_path / "r"), *QUICK)
    assert done.returncode == 2, done.stderr
    assert (f"gapcast report: {results / 'results.json'}: /series/baseline/gap_training/p50: "
            f"expected an array, got an object; nothing was written") in done.stderr
    assert not (tmp_path / "r").exists()


def test_an_unknown_format_version_exits_2(small_dir, tmp_path):
    # The defect: results.json's format_version was not looked at.
    results = shutil.copytree(small_dir, tmp_path / "results")
    document = json.loads((results / "results.json").read_text())
    document["format_version"] = 2
    (results / "results.json").write_text(json.dumps(document))
    _with_digest(results, "results.json")
    done = run_report(str(results), "-o", str(tmp_path / "r"), *QUICK)
    assert done.returncode == 2, done.stderr
    assert "format_version 2 is not one this gapcast reads (it reads 1)" in done.stderr
    assert not (tmp_path / "r").exists()


def test_a_stale_samples_csv_not_in_the_manifest_is_ignored(cli, small_dir, tmp_path):
    # The defect: a samples.csv from an earlier --raw run stayed beside new results, and
    # the report drew its densities under the new run's caption.
    earlier = tmp_path / "earlier"
    done = run_cli(cli, "compare", str(scenario_file("baseline")),
                   str(scenario_file("no_controls")), "--samples", "40", "--seed", "99",
                   "--raw", "--quiet", "--no-progress", "--out", str(earlier))
    assert done.returncode == 0, done.stderr
    mixed = shutil.copytree(small_dir, tmp_path / "mixed")
    shutil.copy(earlier / "samples.csv", mixed / "samples.csv")
    options = ("--formats", "svg", "--metrics", "gap_training", "--quiet")
    assert run_report(str(small_dir), "-o", str(tmp_path / "clean"), *options).returncode == 0
    done = run_report(str(mixed), "-o", str(tmp_path / "from_mixed"), *options)
    assert done.returncode == 0, done.stderr
    assert files_of(tmp_path / "from_mixed") == files_of(tmp_path / "clean")
    assert b"sampled density" not in (tmp_path / "clean" / "figures" / "delays.svg").read_bytes()


def test_a_narrower_report_replaces_the_old_one_whole(small_dir, tmp_path):
    # The defect: the second report's files were moved over the first one's, so figures
    # the second did not make (here every SVG and the gap_inference chart) stayed.
    out = tmp_path / "report"
    done = run_report(str(small_dir), "-o", str(out), "--formats", "svg,png", "--metrics",
                      "gap_training,gap_inference", "--dpi", "50", "--quiet")
    assert done.returncode == 0, done.stderr
    assert (out / "figures" / "fan_gap_inference.svg").exists()
    done = run_report(str(small_dir), "-o", str(out), *QUICK)
    assert done.returncode == 0, done.stderr
    record = json.loads((out / "report.json").read_text())
    listed = {f["path"] for f in record["files"]} | {"report.json"}
    assert set(files_of(out)) == listed
    assert not any(name.endswith(".svg") for name in listed)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".report.staging")] == []


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_while_writing_leaves_no_staging(small_dir, tmp_path, signum, status):
    # The defect: SIGTERM while a report was written left .NAME.staging-* for good.
    out = tmp_path / "report"
    child = subprocess.Popen([*report_argv(), str(small_dir), "-o", str(out), "--formats",
                              "svg,pdf,png", "--quiet"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not any(p.name.startswith(".report.staging-") for p in tmp_path.iterdir()):
            assert child.poll() is None, child.stderr.read()
            assert time.monotonic() < deadline, "no staging directory appeared"
            time.sleep(0.01)
        child.send_signal(signum)
        _, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stderr.close()
    assert child.returncode == status, err
    assert "nothing was written" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == [".report.lock"]


def test_stale_staging_of_a_dead_process_is_removed_by_the_next_report(small_dir, tmp_path):
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead = int(done.stdout)
    stale = tmp_path / f".report.staging-{dead}-0"
    (stale / "figures").mkdir(parents=True)
    (stale / "figures" / "half.png").write_bytes(b"half")
    done = run_report(str(small_dir), "-o", str(tmp_path / "report"), *QUICK)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".report.lock", "report"]


def test_a_second_report_into_the_same_place_is_told(small_dir, tmp_path):
    # The defect: two reports into one directory interleaved their files.
    with open(tmp_path / ".report.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write(f"{os.getpid()}\n")
        held.flush()
        done = run_report(str(small_dir), "-o", str(tmp_path / "report"), *QUICK)
    assert done.returncode == 2, done.stderr
    assert f"another gapcast process (pid {os.getpid()}) is writing report" in done.stderr
    assert not (tmp_path / "report").exists()


# ---- gapcast reproduce ------------------------------------------------------------------------

def test_reproduce_confirms_an_untouched_result(cli, results_dir):
    done = run_cli(cli, "reproduce", str(results_dir / "manifest.json"), "--no-progress")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reproduced: all 5 result files match" in done.stdout
    for name in ("results.json", "series.csv", "scalars.csv", "assumptions.json",
                 "samples.csv"):
        assert re.search(rf"^{re.escape(name)} .* OK$", done.stdout, re.M), name


def test_reproduce_names_an_altered_file(cli, results_dir, tmp_path):
    copy = tmp_path / "results"
    shutil.copytree(results_dir, copy)
    with open(copy / "scalars.csv", "a") as f:
        f.write("edited,by,hand\n")
    done = run_cli(cli, "reproduce", str(copy), "--no-progress")
    assert done.returncode == 3, done.stdout + done.stderr
    assert re.search(r"^scalars\.csv .*DIFFERS: the file in results/ was changed", done.stdout,
                     re.M)
    assert "NOT reproduced: 1 of 5 result files differ: scalars.csv" in done.stdout


def test_reproduce_refuses_changed_inputs(cli, tmp_path):
    # A private copy of the scenarios, run with paths relative to its directory.
    shutil.copytree(REPO / "scenarios", tmp_path / "scenarios")
    done = run_cli(cli, "compare", "scenarios/baseline.json", "scenarios/comprehensive_embargo.json",
                   "--samples", "40", "--quiet", "--no-progress", "--out", "results",
                   cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    # From elsewhere, the recorded working directory resolves the inputs.
    done = run_cli(cli, "reproduce", str(tmp_path / "results"), "--no-progress", cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr

    policy = tmp_path / "scenarios" / "policy" / "comprehensive_embargo.json"
    document = json.loads(policy.read_text())
    document["description"] += " (edited)"
    policy.write_text(json.dumps(document, indent=2))
    done = run_cli(cli, "reproduce", str(tmp_path / "results"), "--no-progress")
    assert done.returncode == 2
    assert re.search(r"^scenarios/policy/comprehensive_embargo\.json +policy +CHANGED",
                     done.stdout, re.M)
    assert "nothing was rerun" in done.stdout
    # --force reruns anyway: the description is part of assumptions.json, nothing else.
    done = run_cli(cli, "reproduce", str(tmp_path / "results"), "--no-progress", "--force")
    assert done.returncode == 3
    assert re.search(r"^assumptions\.json .*DIFFERS: the rerun", done.stdout, re.M)
    assert re.search(r"^results\.json .* OK$", done.stdout, re.M)

    (tmp_path / "scenarios" / "world" / "default.json").unlink()
    done = run_cli(cli, "reproduce", str(tmp_path / "results"), "--no-progress")
    assert done.returncode == 2
    assert "default.json" in done.stderr


def test_reproduce_reruns_results_written_from_python(cli, gc, tmp_path):
    # Edited scenarios exist only in memory: the manifest carries their documents.
    with pytest.warns(gc.GapcastWarning, match="fixed value"):
        edited = (gc.load(scenario_file("baseline"))
                  .with_parameters(densing_doubling_months=4.5).renamed("faster"))
    results = gc.run([edited, str(scenario_file("no_controls"))], samples=50, seed=4,
                     baseline=str(scenario_file("incremental_tightening")), keep_raw=True,
                     raw_dates=["2030-12"], quantile_accuracy=0.01, progress=False)
    results.write(tmp_path / "py")
    manifest = json.loads((tmp_path / "py" / "manifest.json").read_text())
    assert "document" in manifest["inputs"]["scenarios"][0]
    assert manifest["inputs"]["baseline"]["file"].endswith("incremental_tightening.json")
    done = run_cli(cli, "reproduce", str(tmp_path / "py" / "manifest.json"), "--no-progress")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "reproduced: all 5 result files match" in done.stdout


def test_report_of_a_rerun_is_the_same_report(cli, results_dir, report_dir, tmp_path):
    # The report names the numbers (engine, seed, samples, scenarios, results.json), not the
    # run's clock or thread count, so the rerun's report is byte for byte the original's.
    done = run_cli(cli, "reproduce", str(results_dir), "--no-progress", "--threads", "1",
                   "--keep", str(tmp_path / "rerun"))
    assert done.returncode == 0, done.stdout + done.stderr
    build_report(tmp_path / "rerun", tmp_path / "report")
    assert files_of(tmp_path / "report") == files_of(report_dir)


def test_citation_file_names_this_version():
    citation = (REPO / "CITATION.cff").read_text()
    assert re.search(r"^cff-version: 1\.2\.0$", citation, re.M)
    assert re.search(rf"^version: {re.escape(gapcast.__version__)}$", citation, re.M)
