"""``gapcast diff`` / :func:`gapcast.diff` (issue 12): old-versus-new comparison of results,
cell by cell, with relative and absolute tolerances, and the golden results of the shipped
scenarios that pin the model's numbers at a fixed seed."""

from __future__ import annotations

import subprocess

import numpy as np
import pytest

import gapcast
from conftest import REPO, scenario_file

GOLDEN = REPO / "tests" / "golden" / "shipped"
# The command that made tests/golden/shipped (scripts/update_golden.sh runs it).
GOLDEN_ARGS = ["compare", *[str(scenario_file(n)) for n in (
    "baseline", "comprehensive_embargo", "incremental_tightening", "multilateral_alignment",
    "no_controls")], "--samples", "1000", "--seed", "7", "--horizon", "2030-12",
    "--quantiles", "5,50,95", "-q", "--no-progress"]


@pytest.fixture(scope="module")
def base():
    return gapcast.load("baseline")


@pytest.fixture(scope="module")
def first(base):
    return gapcast.run(base, samples=200, seed=3, horizon="2028-12")


def test_results_agree_with_themselves_written_and_read_back(first, tmp_path):
    first.write(tmp_path / "r")
    d = gapcast.diff(first, tmp_path / "r")
    assert d.ok and not d.unmatched
    series_cells = len(first.scenarios) * len(first.metrics) * len(first.date_labels) * \
        len(first.stats)
    scalar_cells = len(first.scenarios) * len(first.scalar_metrics) * len(first.stats)
    assert len(d.cells) == series_cells + scalar_cells
    assert (d.cells["abs_diff"] == 0).all()
    assert "agree:" in d.summary()


def test_a_changed_assumption_is_found_and_the_biggest_moves_come_first(base, first):
    faster = gapcast.run(base.with_parameters(densing_doubling_months={
        "p5": 1.5, "p50": 2, "p95": 3, "truncate": [0.5, 240]}), samples=200, seed=3,
        horizon="2028-12")
    d = gapcast.diff(first, faster)
    assert not d.ok
    beyond = d.beyond
    assert len(beyond) > 0 and not beyond["within"].any()
    assert np.all(np.diff(beyond["rel_diff"].to_numpy()) <= 0), "largest change first"
    # The densing rate drives the inference side; the training gap does not depend on it.
    table = d.by_metric().set_index(["kind", "metric"])
    assert table.loc[("series", "gap_inference"), "beyond"] > 0
    assert table.loc[("series", "gap_training"), "beyond"] == 0
    text = d.summary(top=3)
    assert text.splitlines()[4].startswith("DIFFER:")
    assert "largest changes beyond tolerance (first 3)" in text


def test_the_tolerances_decide(base, first):
    other = gapcast.run(base, samples=200, seed=4, horizon="2028-12")
    strict = gapcast.diff(first, other)
    loose = gapcast.diff(first, other, rtol=1e6, atol=1e30)
    assert not strict.ok
    # Wide tolerances accept every finite change; a quantile that is finite in one run and
    # infinite in the other (a threshold reached by the 95th percentile of one seed only) is a
    # difference no tolerance covers.
    lc = loose.cells
    finite = np.isfinite(lc["old"]) & np.isfinite(lc["new"])
    assert lc.loc[finite, "within"].all()
    assert (lc.loc[~finite, "within"] == (lc.loc[~finite, "old"] == lc.loc[~finite, "new"])
            | (lc.loc[~finite, "old"].isna() & lc.loc[~finite, "new"].isna())).all()
    # |new - old| <= atol + rtol |old|, cell by cell.
    c = strict.cells
    expected = np.isclose(c["new"], c["old"], rtol=strict.rtol, atol=strict.atol) | (
        ~np.isfinite(c["old"]) & ~np.isfinite(c["new"]))
    assert (c["within"].to_numpy() == expected).all()
    for bad in (-1, float("nan"), float("inf"), True, "0.1"):
        with pytest.raises(ValueError, match="rtol must be a finite number >= 0"):
            gapcast.diff(first, other, rtol=bad)


def test_what_one_side_lacks_is_a_difference(base, first):
    both = gapcast.run([base, gapcast.load("no_controls")], samples=200, seed=3,
                       horizon="2028-12")
    d = gapcast.diff(both, first)
    assert not d.ok
    assert d.unmatched == ["scenario 'no_controls' only in the old results"]
    assert d.cells["within"].all(), "the shared scenario agrees"
    shorter = gapcast.run(base, samples=200, seed=3, horizon="2027-12")
    months = gapcast.diff(first, shorter).unmatched
    assert months[0] == "month '2028-01' only in the old results" and len(months) == 12


def test_the_command_exits_0_1_or_2(cli, first, base, tmp_path):
    first.write(tmp_path / "a")
    gapcast.run(base, samples=200, seed=4, horizon="2028-12").write(tmp_path / "b")
    same = subprocess.run([str(cli), "diff", str(tmp_path / "a"), str(tmp_path / "a")],
                          capture_output=True, text=True, timeout=120)
    assert same.returncode == 0, same.stderr
    assert "agree:" in same.stdout
    csv = tmp_path / "beyond.csv"
    differ = subprocess.run([str(cli), "diff", str(tmp_path / "a"), str(tmp_path / "b"),
                             "--top", "2", "--csv", str(csv)],
                            capture_output=True, text=True, timeout=120)
    assert differ.returncode == 1, differ.stderr
    assert "DIFFER:" in differ.stdout
    lines = csv.read_text().splitlines()
    assert lines[0] == "kind,scenario,metric,date,stat,old,new,abs_diff,rel_diff,within"
    assert len(lines) - 1 == int(differ.stdout.split(" beyond")[0].split(", ")[-1])
    missing = subprocess.run([str(cli), "diff", str(tmp_path / "a"), str(tmp_path / "none")],
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2
    assert missing.stderr.startswith("gapcast diff: ") and "none" in missing.stderr
    bad = subprocess.run([str(cli), "diff", str(tmp_path / "a"), str(tmp_path / "a"),
                          "--rtol", "-1"], capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "must be a finite number >= 0" in bad.stderr


def test_the_shipped_scenarios_match_their_golden_results(cli, tmp_path):
    """The model's numbers, pinned. After a deliberate change to the model or the shipped
    files, regenerate with `bash scripts/update_golden.sh` and say in the commit why they
    moved."""
    done = subprocess.run([str(cli), *GOLDEN_ARGS, "--out", str(tmp_path / "now")],
                          capture_output=True, text=True, timeout=600, cwd=REPO)
    assert done.returncode == 0, done.stderr
    # Probabilities are means of 0/1 over 1,000 samples: one sample whose value sits on a
    # threshold and flips with the last bit of a libm result moves them by 0.001, so the
    # absolute tolerance allows two such flips; any change to the model moves far more.
    d = gapcast.diff(GOLDEN, tmp_path / "now", atol=2e-3)
    assert d.ok, d.summary(top=15)
