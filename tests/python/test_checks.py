"""``gapcast check`` / :func:`gapcast.check` (issue 12): predicates over ensemble outputs with
their sources, the shipped checks of published figures, and located errors for bad checks
files."""

from __future__ import annotations

import json
import subprocess

import jsonschema
import pytest

import gapcast
from conftest import REPO, scenario_file
from gapcast.checks import read_checks

PUBLISHED = REPO / "checks" / "published.json"
SCHEMA = REPO / "checks" / "checks.schema.json"
SHIPPED = [str(scenario_file(n)) for n in ("baseline", "comprehensive_embargo",
                                           "incremental_tightening", "multilateral_alignment",
                                           "no_controls")]


@pytest.fixture(scope="module")
def results():
    return gapcast.run([gapcast.load("baseline"), gapcast.load("no_controls")], samples=500,
                       seed=2, horizon="2027-12")


def write(tmp_path, checks, name="checks.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"kind": "checks", "checks": checks}, indent=2))
    return path


def one(**fields):
    check = {"name": "c", "metric": "frontier_training_hardware", "date": "2026-01",
             "statistic": "p50", "between": [1e6, 1e8], "source": "test"}
    check.update(fields)
    return {k: v for k, v in check.items() if v is not None}


def test_the_published_checks_follow_the_schema():
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.validate(json.loads(PUBLISHED.read_text()), schema)
    checks = read_checks(PUBLISHED)
    assert len(checks) >= 5
    assert all(c.source for c in checks)


def test_the_published_checks_hold_for_the_shipped_scenarios(cli):
    """Run in CI. A failure is a finding about the model or its defaults: fix them with a
    source, or widen the check with a written reason; never delete the check."""
    done = subprocess.run([str(cli), "check", str(PUBLISHED), *SHIPPED, "--samples", "10000"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 failed" in done.stdout


def test_each_condition_is_measured_and_judged(results):
    p50 = float(results.timeseries("baseline", "frontier_training_hardware", "p50")[0])
    p5, p95 = (float(results.timeseries("baseline", "gap_training_hardware", s)[0])
               for s in ("p5", "p95"))
    checks = [
        one(name="between_holds", scenario="baseline", between=[0.9 * p50, 1.1 * p50]),
        one(name="between_fails", scenario="baseline", between=[1.1 * p50, 2 * p50]),
        one(name="below", scenario="baseline", between=None, below=1.01 * p50),
        one(name="above", scenario="baseline", between=None, above=1.01 * p50),
        one(name="interval", scenario="baseline", metric="gap_training_hardware",
            statistic=None, between=None, interval_contains=0.5 * (p5 + p95)),
        one(name="probability", scenario="baseline", metric="prob_threshold_reached",
            statistic="probability", between=[0, 1]),
        one(name="scalar", scenario="baseline", metric="threshold_month", date=None,
            statistic="p50", between=None, above=-1),
        one(name="all_scenarios", between=[0.9 * p50, 1.1 * p50]),
    ]
    from gapcast.checks import _parse  # the parser without a file

    problems = []
    frame = gapcast.check(_parse({"kind": "checks", "checks": checks},
                                 lambda p, m: problems.append(m)), results)
    assert not problems
    held = dict(zip(frame["name"] + "/" + frame["scenario"], frame["held"]))
    assert held == {"between_holds/baseline": True, "between_fails/baseline": False,
                    "below/baseline": True, "above/baseline": False,
                    "interval/baseline": True, "probability/baseline": True,
                    "scalar/baseline": True, "all_scenarios/baseline": True,
                    "all_scenarios/no_controls": True}
    interval = frame[frame["name"] == "interval"].iloc[0]
    assert interval["statistic"] == "p5-p95" and " to " in interval["measured"]


def test_the_command_exits_1_on_a_failed_check(cli, results, tmp_path):
    results.write(tmp_path / "r")
    path = write(tmp_path, [one(name="fails", between=[1, 2]), one(name="holds")])
    done = subprocess.run([str(cli), "check", str(path), "--results", str(tmp_path / "r"),
                           "--csv", str(tmp_path / "t.csv")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "FAILED  fails" in done.stdout
    assert "2 of 4 checks held, 2 failed" in done.stdout
    assert (tmp_path / "t.csv").read_text().startswith("name,scenario,metric,date,statistic")


@pytest.mark.parametrize("checks, where, message", [
    ([one(metrc="x")], ":14:16:", "/checks/0/metrc: unknown key 'metrc'; did you mean 'metric'?"),
    ([one(below=3)], ":4:5:", "/checks/0: give exactly one condition"),
    ([one(between=[5, 1])], ":9:18:", "/checks/0/between: low must not exceed high"),
    ([one(source=None)], ":4:5:", "/checks/0: missing key 'source'"),
    ([one(date="2026-13")], ":7:15:", "/checks/0/date: expected a month written YYYY-MM"),
    ([one(), one()], ":16:15:", "/checks/1/name: the name 'c' is used by an earlier check"),
    ([one(between=None, interval_contains=3)], ":8:20:",
     "/checks/0/statistic: interval_contains uses the p5 and p95"),
    ([], ":3:13:", "expected \"checks\": a non-empty array"),
])
def test_a_bad_checks_file_is_located(cli, results, tmp_path, checks, where, message):
    results.write(tmp_path / "r")
    path = write(tmp_path, checks)
    done = subprocess.run([str(cli), "check", str(path), "--results", str(tmp_path / "r")],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stdout
    first = done.stderr.splitlines()[0]
    assert first.startswith(str(path) + where), first
    assert message in first, first
    assert "nothing was checked" in done.stderr


@pytest.mark.parametrize("fields, message", [
    ({"metric": "gap_trainin"}, "unknown metric 'gap_trainin'; did you mean 'gap_training'?"),
    ({"date": None}, "is a time-series metric: add \"date\" (a month from 2026-01 to 2027-12)"),
    ({"date": "2031-01"}, "the results have no month 2031-01"),
    ({"scenario": "embargo"}, "these results have no scenario 'embargo'"),
    ({"statistic": "p10"}, "these results have no statistic 'p10'"),
    ({"metric": "threshold_month"}, "threshold_month is a scalar metric"),
])
def test_names_the_results_lack_are_located_with_the_valid_ones(results, tmp_path, fields,
                                                                 message):
    path = write(tmp_path, [one(**fields)])
    with pytest.raises(gapcast.CheckFileError) as caught:
        gapcast.check(path, results)
    [problem] = caught.value.problems
    assert problem.startswith(f"{path}:"), problem
    assert message in problem, problem


def test_invalid_json_names_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"kind": "checks",\n "checks": [}\n')
    with pytest.raises(gapcast.CheckFileError) as caught:
        read_checks(path)
    assert caught.value.problems[0].startswith(f"{path}:2:")
    assert "invalid JSON" in caught.value.problems[0]
