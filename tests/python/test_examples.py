"""The example notebooks run top to bottom, and the example script writes what it says."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO

EXAMPLES = REPO / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))


def test_the_examples_are_there():
    assert {p.name for p in NOTEBOOKS} >= {"quick_tour.ipynb", "custom_scenario.ipynb"}


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, tmp_path, monkeypatch):
    # The kernel inherits the environment: let it use Jupyter's inline backend, as a reader's
    # kernel would, rather than the tests' off-screen one.
    monkeypatch.delenv("MPLBACKEND", raising=False)
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        notebook, timeout=600, kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},  # any files land in tmp
    )
    client.execute()  # raises CellExecutionError, naming the cell, if any cell fails
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    # Plots were drawn and the scenario and results displays rendered as HTML.
    kinds = {k for c in notebook.cells if c.cell_type == "code" for o in c.outputs
             for k in o.get("data", {})}
    assert {"image/png", "text/html"} <= kinds
    warnings = [o["text"] for c in notebook.cells if c.cell_type == "code"
                for o in c.outputs if o.output_type == "stream" and o["name"] == "stderr"]
    assert not any("Warning" in text for text in warnings), warnings


@pytest.mark.slow
def test_compare_policies_script(tmp_path):
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "compare_policies.py"), "incremental_tightening",
         "--samples", "100", "--out", str(out), "--years", "2030"],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "incremental_tightening" in done.stdout and "2030-12" in done.stdout
    names = sorted(p.name for p in out.iterdir())
    assert names == ["assumptions.json", "effects_vs_baseline.png", "gap_months.png",
                     "manifest.json", "results.json", "scalars.csv", "series.csv",
                     "supply_channels.png"]
    bad = subprocess.run(
        [sys.executable, str(EXAMPLES / "compare_policies.py"), str(tmp_path / "missing.json"),
         "--out", str(tmp_path / "never")],
        capture_output=True, text=True, timeout=600,
    )
    assert bad.returncode == 2 and "missing.json" in bad.stderr
    assert not (tmp_path / "never").exists()
