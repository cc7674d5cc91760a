"""Scenario discovery on a per-sample ensemble (gapcast.discover, `gapcast discover`): a box
planted in the drawn parameters is recovered through the whole pipeline (run -> Parquet ->
condition -> PRIM -> words and files); bad conditions, foreign, truncated and altered
ensembles are refused with exit status 2 and nothing written; a report takes the result in."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pytest

import gapcast

REPO = Path(__file__).resolve().parents[2]
SCENARIOS = [str(REPO / "scenarios" / f"{n}.json") for n in ("baseline", "comprehensive_embargo")]


@pytest.fixture(scope="module")
def results_dir(cli, tmp_path_factory) -> Path:
    """Two scenarios, 3,000 worlds, an ensemble of the 2030 training gap and the scalars."""
    out = tmp_path_factory.mktemp("discover") / "results"
    done = subprocess.run([str(cli), "compare", *SCENARIOS, "-n", "3000", "--seed", "17",
                           "--ensemble", "--ensemble-metrics", "gap_training,threshold_month",
                           "--ensemble-dates", "2030-12", "-q", "--no-progress", "--out",
                           str(out)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return out


def discover_argv() -> list[str]:
    script = Path(sysconfig.get_path("scripts")) / "gapcast-discover"
    return [str(script)] if script.exists() else [sys.executable, "-m", "gapcast", "discover"]


def run_discover(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*discover_argv(), *args], capture_output=True, text=True,
                          timeout=600)


def planted(results_dir: Path) -> tuple[str, float, float]:
    """A box in two drawn parameters holding about 12% of the embargo's worlds."""
    frame = gapcast.read_ensemble(results_dir / "ensemble.parquet",
                                  columns=["world.target_lag_months",
                                           "world.smuggling_pressure_elasticity"],
                                  scenarios=["comprehensive_embargo"])
    lag = float(np.quantile(frame["world.target_lag_months"], 0.3))
    elasticity = float(np.quantile(frame["world.smuggling_pressure_elasticity"], 0.6))
    return (f"world.target_lag_months <= {lag!r} and "
            f"world.smuggling_pressure_elasticity >= {elasticity!r}"), lag, elasticity


def test_a_box_planted_in_the_parameters_is_recovered(results_dir):
    where, lag, elasticity = planted(results_dir)
    found = gapcast.discover(results_dir / "ensemble.parquet", where,
                             scenario="comprehensive_embargo")
    assert found.worlds == 3000 and 0.08 < found.share < 0.16
    assert found.ensemble["verified"]
    box = found.box
    assert set(box.limits) == {"world.target_lag_months", "world.smuggling_pressure_elasticity"}
    assert box.coverage >= 0.9 and box.density >= 0.9
    ranges = found.ranges
    lag_span = ranges.loc["world.target_lag_months", "max"] - ranges.loc[
        "world.target_lag_months", "min"]
    el_span = ranges.loc["world.smuggling_pressure_elasticity", "max"] - ranges.loc[
        "world.smuggling_pressure_elasticity", "min"]
    assert abs(box.limits["world.target_lag_months"][1] - lag) < 0.03 * lag_span
    assert abs(box.limits["world.smuggling_pressure_elasticity"][0] - elasticity) < 0.03 * el_span
    # both restrictions are one-sided, significant and said in words
    assert np.isnan(box.qp["world.target_lag_months"][0])
    assert box.qp["world.target_lag_months"][1] < 1e-6
    text = found.summary()
    assert "comprehensive_embargo" in text and "of 3,000 sampled worlds" in text
    assert "target_lag_months <=" in text and "smuggling_pressure_elasticity >=" in text
    assert "not significant" not in text


def test_discovery_is_deterministic_and_its_files_hold_what_it_says(results_dir, tmp_path):
    where, _, _ = planted(results_dir)
    path = results_dir / "ensemble.parquet"
    one = gapcast.discover(path, where, scenario="comprehensive_embargo")
    two = gapcast.discover(path, where, scenario="comprehensive_embargo")
    assert one.to_dict() == two.to_dict()
    out = one.write(tmp_path / "d")
    record = json.loads((out / "discovery.json").read_text())
    assert record["format"] == "gapcast-discovery" and record["cases"] == one.cases
    assert record["chosen_box"]["index"] == one.chosen
    assert len(record["trajectory"]) == len(one.trajectory)
    assert (out / "trajectory.csv").read_text().count("\n") == len(one.trajectory) + 1
    # choosing another box changes what is written
    one.select(0)
    assert one.box.limits == {} and "No box" in one.summary()


def test_the_auto_box_respects_coverage_and_size_and_a_box_can_be_chosen(results_dir):
    path = results_dir / "ensemble.parquet"
    found = gapcast.discover(path, "gap_training@2030-12 < 20", scenario="comprehensive_embargo",
                             min_coverage=0.6, max_dims=2)
    traj = found.trajectory
    eligible = traj[(traj["coverage"] >= 0.6) & (traj["res_dim"] <= 2)]
    assert found.chosen in eligible.index
    assert traj.loc[found.chosen, "density"] == eligible["density"].max()
    fixed = gapcast.discover(path, "gap_training@2030-12 < 20", scenario="comprehensive_embargo",
                             box=3)
    assert fixed.chosen == 3
    with pytest.raises(ValueError, match="not on the trajectory"):
        gapcast.discover(path, "gap_training@2030-12 < 20", scenario="comprehensive_embargo",
                         box=10_000)


def test_bernoulli_parameters_are_categories_and_constants_are_left_out(results_dir):
    found = gapcast.discover(results_dir / "ensemble.parquet",
                             "world.us_chip_flow_materialises == 1 and "
                             "gap_training@2030-12 > 0", scenario="baseline")
    box = found.box
    assert box.limits == {"world.us_chip_flow_materialises": frozenset({True})}
    assert box.density == 1.0 and box.coverage == 1.0
    assert "us_chip_flow_materialises = True" in found.summary()
    inputs = found.settings["inputs"]
    assert "world.chips.h20.tpp" not in inputs  # fixed in every world: nothing to restrict


@pytest.mark.parametrize("where, message", [
    ("gap_training@2030-12 <", "expected a column"),
    ("gap_training@2031-12 < 3", "no gap_training at 2031-12"),
    ("gap_inference@2030-12 < 3", "no column 'gap_inference'"),
    ("gap_training@2030-12 < 0", "holds in none of the 3,000 worlds"),
    ("gap_training@2030-12 > 0", "holds in every one of the 3,000 worlds"),
])
def test_bad_conditions_are_refused(results_dir, where, message):
    with pytest.raises(gapcast.WhereError, match=message):
        gapcast.discover(results_dir / "ensemble.parquet", where, scenario="baseline")


def test_scenarios_and_inputs_are_checked(results_dir):
    path = results_dir / "ensemble.parquet"
    with pytest.raises(ValueError, match="holds 2 scenarios .*say which one"):
        gapcast.discover(path, "gap_training@2030-12 < 20")
    with pytest.raises(ValueError, match="no scenario 'nope'; it has baseline"):
        gapcast.discover(path, "gap_training@2030-12 < 20", scenario="nope")
    with pytest.raises(ValueError, match="no drawn parameter 'nope'"):
        gapcast.discover(path, "gap_training@2030-12 < 20", scenario="baseline",
                         inputs=["target_lag_months", "nope"])
    only = gapcast.discover(path, "gap_training@2030-12 < 20", scenario="baseline",
                            inputs=["target_lag_months", "world.densing_doubling_months"])
    assert only.settings["inputs"] == ["world.target_lag_months",
                                       "world.densing_doubling_months"]


def test_the_command_prints_the_finding_and_writes_its_files(results_dir, tmp_path):
    where, _, _ = planted(results_dir)
    out = tmp_path / "disc"
    plot = tmp_path / "disc.png"
    done = run_discover(str(results_dir), "--where", where, "--scenario",
                        "comprehensive_embargo", "--out", str(out), "--plot", str(plot))
    assert done.returncode == 0, done.stderr
    assert "holds in" in done.stdout and "Peeling trajectory" in done.stdout
    assert "<- chosen" in done.stdout
    scored = run_discover(str(results_dir), "--where", where, "--scenario",
                          "comprehensive_embargo", "--scores", "3")
    assert scored.returncode == 0, scored.stderr
    table = scored.stdout.split("Feature scores")[1].splitlines()
    assert any("target_lag_months" in line or "smuggling_pressure_elasticity" in line
               for line in table[1:6])
    assert {p.name for p in out.iterdir()} == {"discovery.json", "trajectory.csv", "box.csv"}
    assert plot.read_bytes()[:4] == b"\x89PNG"
    # the same call again replaces the directory whole
    again = run_discover(str(results_dir / "ensemble.parquet"), "--where", where, "--scenario",
                         "comprehensive_embargo", "--out", str(out))
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize("args, message", [
    (["--where", "gap_training@2030-12 <"], "expected a column"),
    (["--where", "gap_training@2030-12 < 0", "--scenario", "baseline"], "holds in none"),
    (["--where", "gap_training@2030-12 < 20"], "say which one"),
    (["--where", "gap_training@2030-12 < 20", "--scenario", "baseline", "--plot", "x.gif"],
     "must end in .png"),
])
def test_the_command_refuses_bad_input_with_status_2_and_writes_nothing(results_dir, tmp_path,
                                                                         args, message):
    out = tmp_path / "disc"
    done = run_discover(str(results_dir), "--out", str(out), *args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in done.stderr
    assert not out.exists()


def test_foreign_truncated_and_altered_ensembles_are_refused(results_dir, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    foreign = tmp_path / "foreign.parquet"
    pq.write_table(pa.table({"a": [1.0, 2.0]}), foreign)
    done = run_discover(str(foreign), "--where", "a < 2")
    assert done.returncode == 2 and "not a gapcast ensemble" in done.stderr

    copy = tmp_path / "copy"
    shutil.copytree(results_dir, copy)
    data = (copy / "ensemble.parquet").read_bytes()
    (copy / "ensemble.parquet").write_bytes(data[: len(data) // 2])
    done = run_discover(str(copy), "--where", "gap_training@2030-12 < 20", "--scenario",
                        "baseline")
    assert done.returncode == 2 and "not a readable Parquet file" in done.stderr

    # altered in the middle: still readable Parquet, but not the bytes the manifest lists
    middle = len(data) // 2
    altered = data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1:]
    (copy / "ensemble.parquet").write_bytes(altered)
    done = run_discover(str(copy), "--where", "gap_training@2030-12 < 20", "--scenario",
                        "baseline")
    assert done.returncode == 2 and "does not match" in done.stderr and "manifest" in done.stderr
    # --no-verify skips the hash (the user's call; the file may still fail to decode)
    skipped = run_discover(str(copy), "--where", "gap_training@2030-12 < 20", "--scenario",
                           "baseline", "--no-verify")
    assert "does not match" not in skipped.stderr


def test_a_report_takes_a_discovery_of_its_own_run_and_refuses_another(results_dir, tmp_path):
    where, _, _ = planted(results_dir)
    found = gapcast.discover(results_dir / "ensemble.parquet", where,
                             scenario="comprehensive_embargo")
    disc = found.write(tmp_path / "disc")
    report = gapcast.report(results_dir, tmp_path / "report", formats=["png"],
                            discoveries=[disc])
    assert "discovery_1" in report.figures and "discovery_1" in report.tables
    table = (tmp_path / "report" / "tables" / "discovery_1.md").read_text()
    assert "target_lag_months" in table and "smuggling_pressure_elasticity" in table
    assert "discovery_1" in (tmp_path / "report" / "index.html").read_text()

    record = json.loads((disc / "discovery.json").read_text())
    record["ensemble"]["seed"] += 1
    other = tmp_path / "other"
    other.mkdir()
    (other / "discovery.json").write_text(json.dumps(record))
    with pytest.raises(gapcast.ReportInputError, match="comes from another run"):
        gapcast.report(results_dir, tmp_path / "report2", formats=["png"], discoveries=[other])
    assert not (tmp_path / "report2").exists()


def test_a_conditioned_ensemble_reports_the_weighted_share_and_warns(tmp_path):
    path = tmp_path / "weighted.parquet"
    gapcast.run("baseline", samples=1500, seed=3, horizon="2030-12", progress=False,
                observe=str(REPO / "examples" / "observations" / "mid_2026.json"),
                ensemble=path, ensemble_metrics=["gap_training"], ensemble_dates=["2030-12"])
    frame = gapcast.read_ensemble(path, columns=["weight", "gap_training@2030-12"])
    cases = frame["gap_training@2030-12"].to_numpy() < 20
    expected = frame["weight"].to_numpy()[cases].sum() / frame["weight"].sum()
    with pytest.warns(gapcast.GapcastWarning, match="PRIM counts worlds unweighted"):
        found = gapcast.discover(path, "gap_training@2030-12 < 20", verify=False)
    assert found.weighted_share == pytest.approx(expected, rel=1e-12)
    assert found.weighted_share != pytest.approx(found.share, rel=1e-3)
    assert "observation weights" in found.summary()


def test_a_second_box_finds_the_other_region_among_the_worlds_left_outside(results_dir):
    frame = gapcast.read_ensemble(results_dir / "ensemble.parquet",
                                  columns=["world.target_lag_months",
                                           "world.smuggling_pressure_elasticity"],
                                  scenarios=["comprehensive_embargo"])
    lag = float(np.quantile(frame["world.target_lag_months"], 0.15))
    elasticity = float(np.quantile(frame["world.smuggling_pressure_elasticity"], 0.9))
    where = (f"world.target_lag_months <= {lag!r} or "
             f"world.smuggling_pressure_elasticity >= {elasticity!r}")
    first = gapcast.discover(results_dir / "ensemble.parquet", where,
                             scenario="comprehensive_embargo")
    second = first.next_box()
    found = {*first.box.limits, *second.box.limits}
    assert found == {"world.target_lag_months", "world.smuggling_pressure_elasticity"}
    assert len(first.box.limits) == 1 and len(second.box.limits) == 1
    assert second.worlds == first.worlds - first.box.n
    assert "outside box" in second.summary() and "of these worlds" in second.summary()
    with pytest.raises(ValueError, match="every world of interest is inside"):
        second.next_box().next_box().next_box()
    done = run_discover(str(results_dir), "--where", where, "--scenario",
                        "comprehensive_embargo", "--boxes", "2")
    assert done.returncode == 0, done.stderr
    assert "Box search 2:" in done.stdout
