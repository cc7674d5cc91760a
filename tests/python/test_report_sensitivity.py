"""The report's sensitivity section (gapcast report --sensitivity DIR): a sensitivity result of
the same seed and scenarios adds a figure and a table per scenario, recorded in report.json;
one from another seed, of a scenario the results lack, or not a sensitivity result at all is
refused with exit status 2, and nothing is written."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest

import gapcast
from gapcast import ReportInputError
from gapcast.report_main import main

SEED = 5
PARAMETERS = ["software_doubling_months_training", "densing_doubling_months",
              "target_lag_months", "smuggling_pressure_elasticity",
              "domestic_ramp_doubling_months"]
METRICS = ["gap_training", "gap_training_months", "added_gap_months_vs_no_controls"]
DATES = ["2028-12", "2030-12", "2033-12"]


def sensitivity_dir(where: Path, scenarios, seed: int = SEED, method: str = "sobol",
                    metrics=METRICS) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", gapcast.GapcastWarning)  # small N: wide intervals
        result = gapcast.sensitivity(scenarios, method=method,
                                     samples=16 if method == "sobol" else 200,
                                     parameters=PARAMETERS, metrics=metrics, dates=DATES,
                                     seed=seed, progress=False)
    return result.write(where)


@pytest.fixture(scope="module")
def results_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("results") / "results"
    gapcast.run(["baseline", "comprehensive_embargo"], samples=60, seed=SEED,
                progress=False).write(out)
    return out


@pytest.fixture(scope="module")
def sobol_dir(tmp_path_factory) -> Path:
    return sensitivity_dir(tmp_path_factory.mktemp("sobol") / "sens",
                           ["baseline", "comprehensive_embargo"])


def test_a_sensitivity_of_the_same_run_adds_a_figure_and_a_table_per_scenario(
        results_dir, sobol_dir, tmp_path):
    report = gapcast.report(results_dir, tmp_path / "report", formats=["png"],
                            sensitivities=[sobol_dir])
    stems = ["sensitivity_1_baseline", "sensitivity_1_comprehensive_embargo"]
    for stem in stems:
        assert stem in report.figures and stem in report.tables
        assert (tmp_path / "report" / "figures" / f"{stem}.png").stat().st_size > 10_000
    page = (tmp_path / "report" / "index.html").read_text()
    assert all(f'id="figure-{s}"' in page and f'id="table-{s}"' in page for s in stems)

    table = (tmp_path / "report" / "tables" / "sensitivity_1_comprehensive_embargo.md")
    text = table.read_text()
    # The headline outputs at 2030 and the last month, five drivers each, with intervals.
    for heading in ("Training compute gap, frontier / target, Dec 2030",
                    "Training compute gap, frontier / target, Dec 2033",
                    "Training gap added, vs no controls, Dec 2030",
                    "Training gap added, vs no controls, Dec 2033"):
        assert f"**{heading}**" in text
    assert "ST, % of variance [95% interval]" in text and "The analysis warned:" in text
    record = json.loads((sobol_dir / "sensitivity.json").read_text())
    leading = gapcast.Sensitivity(record).top("gap_training@2030-12", "comprehensive_embargo",
                                              n=1).index[0]
    assert f"| 1 | `{leading}` |" in text

    csv = (tmp_path / "report" / "tables" / "sensitivity_1_comprehensive_embargo.csv")
    lines = csv.read_text().splitlines()
    assert lines[1] == "scenario,output,transform,rank,factor,S1,S1_conf,ST,ST_conf"
    assert len(lines) == 2 + 4 * 5

    options = json.loads((tmp_path / "report" / "report.json").read_text())["options"]
    file = sobol_dir / "sensitivity.json"
    assert options["sensitivities"] == [{"file": file.as_posix(),
                                         "sha256": hashlib.sha256(file.read_bytes()).hexdigest()}]


def test_the_command_takes_repeated_sensitivities_of_any_method(results_dir, sobol_dir,
                                                                 tmp_path):
    pawn = sensitivity_dir(tmp_path / "pawn", "comprehensive_embargo", method="pawn")
    status = main([str(results_dir), "-o", str(tmp_path / "report"), "--formats", "svg", "-q",
                   "--sensitivity", str(sobol_dir), "--sensitivity", str(pawn)])
    assert status == 0
    tables = {p.name for p in (tmp_path / "report" / "tables").iterdir()}
    assert {"sensitivity_1_baseline.tex", "sensitivity_1_comprehensive_embargo.tex",
            "sensitivity_2_comprehensive_embargo.tex"} <= tables
    text = (tmp_path / "report" / "tables" / "sensitivity_2_comprehensive_embargo.md").read_text()
    assert "Median KS [min, max]" in text


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
def test_the_tables_of_every_method_compile_and_fit_the_page(results_dir, sobol_dir, tmp_path):
    # An effect against the baseline is undefined without one: said in words, not as a row.
    morris = sensitivity_dir(tmp_path / "morris", "comprehensive_embargo", method="morris",
                             metrics=[*METRICS, "added_gap_months_vs_baseline"])
    pawn = sensitivity_dir(tmp_path / "pawn", "comprehensive_embargo", method="pawn")
    gapcast.report(results_dir, tmp_path / "report", formats=["png"],
                   sensitivities=[sobol_dir, morris, pawn])
    tables = sorted((tmp_path / "report" / "tables").glob("sensitivity_*.tex"))
    assert len(tables) == 4
    text = (tmp_path / "report" / "tables" / "sensitivity_2_comprehensive_embargo.md").read_text()
    assert "Training gap added, vs baseline, Dec 2030 could not be analysed: undefined" in text
    assert "**Training gap added, vs baseline" not in text
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage{booktabs}\n\\usepackage{longtable}\n"
        "\\begin{document}\n"
        + "\n".join(f"\\input{{{t.as_posix()}}}" for t in tables) + "\n\\end{document}\n")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    log = (tmp_path / "doc.log").read_text(errors="replace")
    for match in re.finditer(r"Overfull \\hbox \(([\d.]+)pt too wide\)", log):
        assert float(match.group(1)) < 3.0, match.group(0)


def test_a_sensitivity_of_another_seed_is_refused_and_nothing_written(results_dir, tmp_path,
                                                                      capsys):
    other = sensitivity_dir(tmp_path / "other", "comprehensive_embargo", seed=SEED + 1)
    with pytest.raises(ReportInputError, match=f"another run \\(seed {SEED + 1}; the results "
                                               f"have seed {SEED}\\)"):
        gapcast.report(results_dir, tmp_path / "report", formats=["png"],
                       sensitivities=[other])
    assert not (tmp_path / "report").exists()
    status = main([str(results_dir), "-o", str(tmp_path / "report"), "--sensitivity",
                   str(other)])
    assert status == 2 and "nothing was written" in capsys.readouterr().err
    assert not (tmp_path / "report").exists()


def test_a_scenario_the_results_lack_is_refused_by_name(results_dir, tmp_path):
    other = sensitivity_dir(tmp_path / "other", ["comprehensive_embargo",
                                                 "multilateral_alignment"])
    with pytest.raises(ReportInputError, match="no scenario 'multilateral_alignment'"):
        gapcast.report(results_dir, tmp_path / "report", sensitivities=[other])
    assert not (tmp_path / "report").exists()


def test_what_is_not_a_sensitivity_result_is_refused(results_dir, sobol_dir, tmp_path):
    with pytest.raises(ReportInputError, match="not a readable sensitivity result"):
        gapcast.report(results_dir, tmp_path / "report", sensitivities=[results_dir])
    fake = tmp_path / "fake"
    fake.mkdir()
    (fake / "sensitivity.json").write_text(json.dumps({"format": "gapcast-discovery"}))
    with pytest.raises(ReportInputError, match="not a gapcast sensitivity result"):
        gapcast.report(results_dir, tmp_path / "report", sensitivities=[fake])
    # A sensitivity.json changed after the analysis no longer matches its manifest.
    edited = tmp_path / "edited"
    edited.mkdir()
    for name in ("sensitivity.json", "manifest.json"):
        (edited / name).write_bytes((sobol_dir / name).read_bytes())
    record = json.loads((edited / "sensitivity.json").read_text())
    record["warnings"] = []
    (edited / "sensitivity.json").write_text(json.dumps(record))
    with pytest.raises(ReportInputError, match="SHA-256 differs"):
        gapcast.report(results_dir, tmp_path / "report", sensitivities=[edited])
    assert not (tmp_path / "report").exists()
