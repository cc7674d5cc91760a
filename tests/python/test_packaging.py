"""The installed package: version, command, shipped data."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import REPO

import gapcast


def test_version_matches_the_build_files():
    pyproject = (REPO / "pyproject.toml").read_text()
    cmake = (REPO / "CMakeLists.txt").read_text()
    assert re.search(r'^version = "([^"]+)"', pyproject, re.M).group(1) == gapcast.__version__
    assert re.search(r"set\(GAPCAST_VERSION ([0-9.]+)\)", cmake).group(1) == gapcast.__version__


def test_the_command_is_installed_with_the_package(cli):
    done = subprocess.run([str(cli), "--version"], capture_output=True, text=True)
    assert done.returncode == 0
    assert done.stdout.startswith(f"gapcast {gapcast.__version__}")


def test_plotting_is_imported_on_demand():
    code = ("import sys, gapcast; assert 'matplotlib' not in sys.modules; "
            "gapcast.plotting; assert 'matplotlib' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_public_names():
    for name in gapcast.__all__:
        assert hasattr(gapcast, name), name
    assert "run" in dir(gapcast)
