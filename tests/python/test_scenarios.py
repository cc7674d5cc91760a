"""Loading, inspecting and changing scenarios; errors reported like the command reports them."""

from __future__ import annotations

import json
import math
import pickle
import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS, SHIPPED, scenario_file

import gapcast
from gapcast import ScenarioError


@pytest.fixture(scope="module")
def baseline():
    return gapcast.load(scenario_file("baseline"))


def test_load_file_exposes_parameters_levers_and_provenance(baseline):
    assert baseline.name == "baseline"
    assert baseline.start == "2026-01"
    assert len(baseline.fingerprint) == 64
    roles = [f["role"] for f in baseline.files]
    assert roles == ["scenario", "world", "policy"]
    assert all(len(f["sha256"]) == 64 for f in baseline.files)

    params = baseline.parameters
    assert isinstance(params, pd.DataFrame)
    assert params.index.name == "parameter"
    assert {"densing_doubling_months", "chips.h200.tpp",
            "domestic_lines.huawei.packages_per_year_2026"} <= set(params.index)
    row = params.loc["densing_doubling_months"]
    assert row["unit"] == "months"
    assert row["p5"] < row["median"] < row["p95"]
    assert row["source"]  # shipped assumptions are sourced
    assert row["pointer"] == "/parameters/densing_doubling_months"

    p = baseline.parameter("densing_doubling_months")
    assert isinstance(p.distribution, gapcast.Distribution)
    assert p.median == pytest.approx(p.distribution.quantile(0.5))
    low, high = p.interval(0.9)
    assert low == pytest.approx(row["p5"]) and high == pytest.approx(row["p95"])

    levers = baseline.levers
    assert levers.loc["chips.blackwell.export_status", "initial"] == "banned"
    assert baseline.lever("chips.h200.fee").initial == pytest.approx(0.25)
    assert "enforcement_intensity" in levers.index


def test_every_shipped_scenario_loads_strictly():
    for path in SHIPPED:
        s = gapcast.Scenario.from_file(path, strict=True)
        assert s.path == path
        assert s.validate(strict=True) == ()


def test_shipped_name_and_installed_copy_match_the_repository(baseline):
    by_name = gapcast.load("baseline")
    assert by_name.fingerprint == baseline.fingerprint
    shipped = gapcast.shipped_scenarios()
    assert sorted(shipped) == sorted(p.stem for p in SHIPPED)
    # A stale install (scenarios changed since `pip install .`) shows up here.
    for name, path in shipped.items():
        assert path.read_bytes() == scenario_file(name).read_bytes(), name
    with pytest.raises(KeyError, match="did you mean 'baseline'"):
        gapcast.scenario_path("baseline_")


def test_dict_with_inline_world_and_policy_has_the_file_fingerprint(baseline):
    document = json.loads(scenario_file("baseline").read_text())
    document["world"] = json.loads((SCENARIOS / "world" / "default.json").read_text())
    document["policy"] = json.loads((SCENARIOS / "policy" / "baseline.json").read_text())
    from_dict = gapcast.Scenario.from_dict(document, label="inline")
    assert from_dict.fingerprint == baseline.fingerprint
    assert gapcast.Scenario.from_dict(baseline.to_dict()).fingerprint == baseline.fingerprint
    # Relative paths in a dict resolve against base_dir.
    by_path = gapcast.load(json.loads(scenario_file("baseline").read_text()), base_dir=SCENARIOS)
    assert by_path.fingerprint == baseline.fingerprint


def test_with_parameters_returns_a_changed_copy(baseline):
    changed = baseline.with_parameters(
        densing_doubling_months={"ci90": [2, 3], "truncate": [0.5, 240]},
        source="test judgement",
        **{"chips.h200.tpp": 20000, "chips.h20.initial_stock.licensed": {"value": 5e5}},
    )
    assert changed.fingerprint != baseline.fingerprint
    assert changed.name == baseline.name
    assert changed.path is None and changed.label.endswith("(edited)")
    p = changed.parameter("densing_doubling_months")
    assert p.interval(0.9) == pytest.approx((2.0, 3.0))
    assert p.source == "test judgement"
    assert p.pointer.startswith("/overrides/")
    assert changed.parameter("chips.h200.tpp").median == 20000
    assert changed.parameter("chips.h20.initial_stock.licensed").median == 5e5
    # The original is untouched, and the world file is still the provenance.
    assert baseline.parameter("chips.h200.tpp").median == 15832
    assert [f["role"] for f in changed.files] == ["scenario", "world", "policy"]
    # A later change of the same parameter replaces the earlier one. A fixed value in the
    # world's correlation matrix draws the loader's warning, issued at this line.
    with pytest.warns(gapcast.GapcastWarning, match="fixed value") as warned:
        again = changed.with_parameters(densing_doubling_months=4.0)
    assert warned[0].filename == __file__
    assert again.warnings and again.warnings[0].severity == "warning"
    assert again.parameter("densing_doubling_months").distribution.is_point
    assert again.parameter("chips.h200.tpp").median == 20000


def test_with_levers_sets_constants_and_schedules(baseline):
    changed = baseline.with_levers(
        {"chips.h200.export_status": "banned"},
        enforcement_intensity=[{"from": "2027-01", "value": 1.0}],
    )
    assert changed.lever("chips.h200.export_status").initial == "banned"
    lever = changed.lever("enforcement_intensity")
    assert lever.changes and lever.changes[-1] == ("2027-01", 1.0)
    values = changed.lever_values(end="2027-06").loc["enforcement_intensity"]
    assert values[pd.Timestamp("2026-12-01")] == baseline.lever_values(
        end="2027-06").loc["enforcement_intensity", pd.Timestamp("2026-12-01")]
    assert values[pd.Timestamp("2027-01-01")] == 1.0
    sourced = baseline.with_levers(source="BIS rule", **{"chips.h200.fee": 0.4})
    assert sourced.lever("chips.h200.fee").initial == pytest.approx(0.4)


def test_with_policy_and_with_world_swap_parts(baseline):
    embargo = gapcast.load(scenario_file("comprehensive_embargo"))
    swapped = baseline.with_levers(enforcement_intensity=0.9).with_policy(embargo)
    assert swapped.policy["name"] == "comprehensive_embargo"
    assert swapped.fingerprint == embargo.fingerprint  # earlier lever edits are replaced
    world = json.loads((SCENARIOS / "world" / "default.json").read_text())
    assert baseline.with_world(world).fingerprint == baseline.fingerprint
    assert baseline.with_world(SCENARIOS / "world" / "default.json").fingerprint == \
        baseline.fingerprint


def test_bad_value_raises_scenario_error_at_the_json_path(baseline):
    with pytest.raises(ScenarioError) as caught:
        baseline.with_parameters(densing_doubling_months={"ci90": [6, 3]})
    error = caught.value
    assert isinstance(error, ValueError)
    assert len(error.diagnostics) == 1
    d = error.diagnostics[0]
    assert d.severity == "error"
    assert d.pointer == "/overrides/~1world~1parameters~1densing_doubling_months/ci90"
    assert "low < high" in d.message
    assert d.text in str(error)


def test_unknown_names_get_suggestions(baseline):
    with pytest.raises(ScenarioError, match='did you mean "densing_doubling_months"'):
        baseline.with_parameters(densing_doubling_monthz=3.0)
    with pytest.raises(ScenarioError, match='did you mean "h200"'):
        baseline.with_levers(**{"chips.h2000.fee": 0.1})
    with pytest.raises(ScenarioError, match='did you mean "h200"'):
        baseline.with_parameters(**{"chips.h2000.tpp": 1.0})
    with pytest.raises(ScenarioError, match="between 0 and 1"):
        baseline.with_levers(enforcement_intensity=1.5)
    with pytest.raises(KeyError, match="did you mean 'chips.h200.tpp'"):
        baseline.parameter("chips.h200.tp")


def test_values_that_are_not_json_are_located(baseline):
    with pytest.raises(ScenarioError) as caught:
        baseline.with_parameters(densing_doubling_months={"ci90": [3, math.nan]})
    assert caught.value.pointers == [
        "/overrides/~1world~1parameters~1densing_doubling_months/ci90/1"]
    with pytest.raises(ScenarioError, match="cannot be written in JSON"):
        baseline.with_parameters(densing_doubling_months=object())
    with pytest.raises(TypeError, match="specification dict"):
        baseline.with_parameters(densing_doubling_months=gapcast.Distribution.point(3.0))
    # NumPy numbers are fine.
    ok = baseline.with_parameters(densing_doubling_months={"ci90": [np.float32(3), 5],
                                                           "truncate": [0.5, 240]},
                                  **{"chips.h200.tpp": np.int64(16000)})
    assert ok.parameter("chips.h200.tpp").median == 16000


def test_file_errors_match_the_command(tmp_path, cli):
    shutil.copytree(SCENARIOS, tmp_path / "scenarios")
    world = tmp_path / "scenarios" / "world" / "default.json"
    document = json.loads(world.read_text())
    document["parameters"]["frontier_stock_growth_per_year"] = {"ci90": [3.0, 1.8],
                                                                "source": "reversed"}
    document["parameters"]["densing_doubling_months"] = {"valeu": 3.5, "source": "typo"}
    world.write_text(json.dumps(document, indent=1))
    bad = tmp_path / "scenarios" / "baseline.json"
    with pytest.raises(ScenarioError) as caught:
        gapcast.load(bad)
    assert len(caught.value.diagnostics) >= 2  # every problem, not just the first
    assert all(d.line > 0 for d in caught.value.diagnostics)  # files give line and column
    command = subprocess.run([str(cli), "validate", str(bad)], capture_output=True, text=True)
    assert command.returncode == 2
    printed = [line for line in command.stderr.splitlines() if not line.startswith("gapcast:")]
    assert printed == [d.text for d in caught.value.diagnostics]


def test_missing_file_and_broken_json(tmp_path):
    with pytest.raises(ScenarioError):
        gapcast.load(tmp_path / "nope.json")
    broken = tmp_path / "broken.json"
    broken.write_text('{"kind": "scenario",\n  "name": }\n')
    with pytest.raises(ScenarioError) as caught:
        gapcast.load(broken)
    assert caught.value.diagnostics[0].line == 2


def test_renamed_and_duplicate_names(baseline):
    tight = baseline.with_levers(enforcement_intensity=1.0)
    with pytest.raises(ValueError, match="unique"):
        gapcast.run([baseline, tight], samples=2, progress=False)
    renamed = tight.renamed("tight", "Tight enforcement")
    assert (renamed.name, renamed.title) == ("tight", "Tight enforcement")
    assert renamed.fingerprint == tight.fingerprint  # the name is not part of the model


def test_scenarios_and_errors_pickle(baseline):
    edited = baseline.with_parameters(densing_doubling_months={"ci90": [3, 5], "truncate": [0.5, 240]}
                                      ).renamed("e")
    restored = pickle.loads(pickle.dumps(edited))
    assert restored.fingerprint == edited.fingerprint
    assert restored.name == "e"
    with pytest.raises(ScenarioError) as caught:
        baseline.with_levers(enforcement_intensity=2.0)
    again = pickle.loads(pickle.dumps(caught.value))
    assert again.diagnostics == caught.value.diagnostics
    assert str(again) == str(caught.value)


def test_catalogue_describes_every_parameter_and_lever(baseline):
    catalogue = gapcast.catalogue()
    world_names = {p["name"] for p in catalogue["world_parameters"]}
    globals_ = {n for n in baseline.parameter_names if "." not in n}
    assert globals_ == world_names
    lever_names = {lv["name"] for lv in catalogue["global_levers"]}
    assert {n for n in baseline.lever_names if "." not in n} == lever_names
    assert all(p["unit"] and p["description"] for p in catalogue["world_parameters"])


def test_correlation_and_html(baseline):
    c = baseline.correlation
    assert c is not None
    n = len(c["parameters"])
    assert c["requested"].shape == (n, n)
    assert np.allclose(np.diag(c["requested"]), 1.0)
    page = baseline._repr_html_()
    assert "baseline" in page and "densing_doubling_months" in page
    assert "<table>" in page
