"""Shared fixtures for the Python tests.

The tests import the *installed* gapcast (``python3 -m pip install .``), or the package a
developer CMake build assembles under <build>/python when PYTHONPATH points there (CTest does
that). Scenario files are read from this repository's scenarios/ folder, the source of truth.
"""

from __future__ import annotations

import os
import shutil
import sys
import sysconfig
from pathlib import Path

import pytest

# Plots are drawn off-screen, whatever the developer's display.
os.environ.setdefault("MPLBACKEND", "Agg")

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = REPO / "scenarios"
SHIPPED = sorted(p for p in SCENARIOS.glob("*.json"))


def scenario_file(name: str) -> Path:
    return SCENARIOS / f"{name}.json"


def find_cli() -> Path:
    """The `gapcast` command: $GAPCAST_CLI, else the one installed beside this Python."""
    if "GAPCAST_CLI" in os.environ:
        return Path(os.environ["GAPCAST_CLI"])
    beside = Path(sysconfig.get_path("scripts")) / "gapcast"
    if beside.exists():
        return beside
    found = shutil.which("gapcast")
    if found is None:
        raise FileNotFoundError(
            "the gapcast command is not installed beside this Python; run "
            "`python3 -m pip install .` or set GAPCAST_CLI"
        )
    return Path(found)


@pytest.fixture(scope="session")
def cli() -> Path:
    return find_cli()


@pytest.fixture(scope="session")
def python() -> str:
    return sys.executable


@pytest.fixture(scope="session")
def gc():
    import gapcast

    return gapcast


@pytest.fixture(scope="session")
def all_results(gc):
    """Every shipped scenario in one small run (common random numbers across them)."""
    return gc.run([str(p) for p in SHIPPED], samples=200, seed=11, progress=False)


@pytest.fixture(scope="session")
def raw_results(gc):
    return gc.run([str(scenario_file("baseline")), str(scenario_file("comprehensive_embargo"))],
                  samples=150, seed=5, keep_raw=True, progress=False)
