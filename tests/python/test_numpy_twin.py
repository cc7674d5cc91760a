"""The NumPy twin (benchmarks/numpy_twin.py), written from docs/model.md alone, reproduces the
engine's central run of every shipped scenario to 1e-4 relative at every month. A failure
means the engine and the model documentation have drifted apart (or the twin has a bug):
either way docs/model.md no longer specifies the engine."""

from __future__ import annotations

import sys

import pytest
from conftest import REPO, SHIPPED

sys.path.insert(0, str(REPO / "benchmarks"))
import check_twin  # noqa: E402

TOLERANCE = 1e-4


@pytest.fixture(scope="module")
def differences(cli):
    return check_twin.compare(cli, SHIPPED)


@pytest.mark.parametrize("scenario", [p.stem for p in SHIPPED])
def test_central_run_matches_engine(differences, scenario):
    mine = {series: d for (name, series), d in differences.items() if name == scenario}
    assert "gap_training" in mine, "the engine's series.csv has no gap_training"
    assert len(mine) >= 20, f"only {sorted(mine)} compared"
    too_far = {s: d for s, d in mine.items() if d[0] > TOLERANCE}
    assert not too_far, f"{scenario}: (max relative difference, month) above {TOLERANCE}: {too_far}"
