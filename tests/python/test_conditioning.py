"""Conditioning a run on observations (docs/conditioning.md): weighted statistics against a
closed-form posterior through the whole engine, bit-identity across thread counts,
prefix-stable weights, rejection, the effective-sample-size warning, and bad input."""
from __future__ import annotations

import json
import math
import subprocess
import warnings
from pathlib import Path

import jsonschema
import numpy as np
import pytest

import gapcast

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "observations" / "mid_2026.json"
SCHEMA = REPO / "scenarios" / "schema" / "observations.schema.json"

# A normal prior on the US stock at the start month, which frontier_training_hardware in
# 2026-01 reports exactly: an observation of that series is an observation of the parameter.
PRIOR_MEAN, PRIOR_SD = 1.0e7, 1.0e6
OBSERVED, OBSERVED_SD = 1.2e7, 5.0e5


def normal_prior_scenario() -> gapcast.Scenario:
    return gapcast.load("baseline").with_parameters(frontier_stock_h100e_2026={
        "dist": "normal", "mean": PRIOR_MEAN, "sd": PRIOR_SD, "truncate": [1e3, 1e10]})


def stock_observation(**extra) -> dict:
    return {"name": "us_stock", "metric": "frontier_training_hardware", "date": "2026-01",
            "normal": {"value": OBSERVED, "sd": OBSERVED_SD}, "source": "test", **extra}


def test_a_normal_prior_and_a_normal_observation_give_the_closed_form_posterior():
    samples = 20_000
    r = gapcast.run(normal_prior_scenario(), samples=samples, seed=5, horizon="2026-06",
                    quantiles=[0.05, 0.5, 0.95], quantile_accuracy=0.001,
                    observe=[stock_observation()], progress=False)
    precision = 1 / PRIOR_SD**2 + 1 / OBSERVED_SD**2
    mean = (PRIOR_MEAN / PRIOR_SD**2 + OBSERVED / OBSERVED_SD**2) / precision
    sd = precision ** -0.5
    ess = r.effective_sample_size
    # The expected share of effective samples is E[L]^2 / E[L^2], both Gaussian integrals:
    # E[L^k] = sqrt(s^2/k / (s^2/k + sd0^2)) exp(-d^2 / (2 (s^2/k + sd0^2))), here 0.145.
    def moment(k):
        v = OBSERVED_SD**2 / k
        return math.sqrt(v / (v + PRIOR_SD**2)) * math.exp(
            -(OBSERVED - PRIOR_MEAN) ** 2 / (2 * (v + PRIOR_SD**2)))
    assert ess / samples == pytest.approx(moment(1) ** 2 / moment(2), abs=0.01)
    cell = r.metric("frontier_training_hardware").sel(scenario="baseline",
                                                      date="2026-01").squeeze("date")
    se = sd / math.sqrt(ess)
    assert abs(float(cell.sel(stat="mean")) - mean) < 4 * se
    for q, z in ((0.05, -1.6448536), (0.5, 0.0), (0.95, 1.6448536)):
        expected = mean + z * sd
        # Standard error of a quantile, 1.25 x the mean's near the tails, plus the sketch's
        # relative accuracy.
        tolerance = 4 * 1.3 * se + 0.001 * expected
        got = float(cell.sel(stat=f"p{int(q * 100)}"))
        assert abs(got - expected) < tolerance, (q, got, expected, tolerance)
    # Unconditioned, the same run reports the prior: the check can fail.
    prior = gapcast.run(normal_prior_scenario(), samples=samples, seed=5, horizon="2026-06",
                        progress=False)
    prior_mean = float(prior.metric("frontier_training_hardware").sel(
        scenario="baseline", date="2026-01", stat="mean").squeeze())
    assert abs(prior_mean - PRIOR_MEAN) < 4 * PRIOR_SD / math.sqrt(samples)
    assert math.isnan(prior.effective_sample_size)


def test_conditioned_runs_are_identical_for_any_thread_count_and_weights_are_prefix_stable():
    kw = dict(horizon="2027-12", observe=str(EXAMPLE), keep_raw=True, raw_dates=["2026-06"],
              progress=False)
    one = gapcast.run("baseline", samples=400, seed=9, threads=1, **kw)
    two = gapcast.run("baseline", samples=400, seed=9, threads=2, **kw)
    np.testing.assert_array_equal(one.to_xarray()["series"].values,
                                  two.to_xarray()["series"].values)
    waves = gapcast.run("baseline", samples=400, seed=9, threads=2, wave_size=37, **kw)
    np.testing.assert_array_equal(one.to_xarray()["series"].values,
                                  waves.to_xarray()["series"].values)
    assert one.effective_sample_size == two.effective_sample_size
    longer = gapcast.run("baseline", samples=800, seed=9, threads=2, **kw)
    w_short = one.raw_dataset()["weight"].values
    w_long = longer.raw_dataset()["weight"].values
    np.testing.assert_array_equal(w_short, w_long[:400])
    assert np.all((w_short >= 0) & (w_short <= 1))


def test_rejection_keeps_exactly_the_samples_inside_the_bounds():
    bound = {"name": "pressure", "metric": "import_pressure", "date": "2026-06",
             "between": [0.8, 1.0], "source": "test"}
    r = gapcast.run("baseline", samples=2000, seed=3, horizon="2026-12", observe=[bound],
                    keep_raw=True, raw_dates=["2026-06"], progress=False)
    raw = r.raw_dataset()
    pressure = raw["series"].sel(scenario="baseline", metric="import_pressure").isel(
        date=0).values
    inside = (pressure >= 0.8) & (pressure <= 1.0)
    assert 0 < inside.sum() < 2000
    np.testing.assert_array_equal(raw["weight"].values, inside.astype(float))
    assert r.effective_sample_size == pytest.approx(inside.sum(), rel=1e-12)
    # The weighted mean of another series is the mean over the kept samples.
    gap = raw["series"].sel(scenario="baseline", metric="gap_training").isel(date=0).values
    reported = float(r.metric("gap_training").sel(scenario="baseline", date="2026-06",
                                                  stat="mean").squeeze())
    assert reported == pytest.approx(gap[inside].mean(), rel=1e-12)


def weighted_lower_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    """docs/conditioning.md's rule, by sorting: the smallest value whose cumulative weight
    exceeds q W (n - 1) / n over the n samples of positive weight."""
    keep = np.isfinite(x) & (w > 0)
    order = np.argsort(x[keep], kind="stable")
    cumulative = np.cumsum(w[keep][order])
    n = keep.sum()
    at = np.searchsorted(cumulative, q * cumulative[-1] * (n - 1) / n, side="right")
    return float(x[keep][order][at])


def test_every_reported_statistic_is_the_weighted_one_of_the_samples():
    r = gapcast.run(["baseline", "comprehensive_embargo"], samples=3000, seed=7,
                    horizon="2030-12", observe=str(EXAMPLE), keep_raw=True,
                    raw_dates=["2026-06", "2030-12"], quantile_accuracy=0.001, progress=False)
    raw = r.raw_dataset()
    w = raw["weight"].values
    for scenario in ("baseline", "comprehensive_embargo"):
        for metric in ("gap_training", "target_training_hardware", "domestic_output_per_year",
                       "denied_training_vs_no_controls"):
            for i, date in enumerate(("2026-06", "2030-12")):
                x = raw["series"].sel(scenario=scenario, metric=metric).isel(date=i).values
                cell = r.metric(metric).sel(scenario=scenario, date=date).squeeze("date")
                assert float(cell.sel(stat="mean")) == pytest.approx(
                    np.sum(w * x) / np.sum(w), rel=1e-9, abs=1e-12)
                for q in (0.05, 0.5, 0.95):
                    expected = weighted_lower_quantile(x, w, q)
                    got = float(cell.sel(stat=f"p{round(q * 100)}"))
                    assert got == pytest.approx(expected, rel=0.0011, abs=1e-12), (
                        scenario, metric, date, q)


def test_a_small_effective_sample_size_warns():
    far = stock_observation(normal={"value": 1.6e7, "sd": 2e5})
    with pytest.warns(gapcast.GapcastWarning, match="effective sample size"):
        r = gapcast.run(normal_prior_scenario(), samples=2000, seed=1, horizon="2026-03",
                        observe=[far], progress=False)
    assert r.effective_sample_size < 200
    assert r.info["warnings"]


def test_observations_that_rule_out_every_sample_are_an_error_not_a_division_by_zero():
    impossible = {"name": "impossible", "metric": "import_pressure", "date": "2026-03",
                  "between": [2.0, 3.0], "source": "test"}
    with pytest.raises(ValueError, match="no sample is consistent.*impossible.*100.0%"):
        gapcast.run("baseline", samples=50, horizon="2026-06", observe=[impossible],
                    progress=False)


def test_bad_observations_are_refused_with_what_was_expected(tmp_path):
    bad = {"kind": "observations", "observations": [
        {"name": "x", "metric": "target_hardware", "date": "2026-13", "between": [1, 0],
         "source": "s"}]}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad, indent=2))
    with pytest.raises(gapcast.ScenarioError) as info:
        gapcast.run("baseline", samples=10, observe=str(path), progress=False)
    text = str(info.value)
    assert "unknown metric \"target_hardware\"" in text and "target_training_hardware" in text
    assert "bad.json:" in text and "YYYY-MM" in text and "is above high" in text
    with pytest.raises(ValueError, match="after the horizon"):
        gapcast.run("baseline", samples=10, horizon="2026-03", observe=[stock_observation(
            date="2026-06")], progress=False)
    with pytest.raises(ValueError, match="not in this run"):
        gapcast.run("baseline", samples=10, observe=[stock_observation(scenario="nope")],
                    progress=False)
    with pytest.raises(ValueError, match="central run"):
        gapcast.run("baseline", central=True, observe=[stock_observation()], progress=False)


def test_the_example_file_follows_its_schema_and_the_schema_refuses_a_second_form():
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.validate(json.loads(EXAMPLE.read_text()), schema)
    doc = json.loads(EXAMPLE.read_text())
    doc["observations"][0]["normal"] = {"value": 1, "sd": 1}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(doc, schema)


def test_the_command_records_the_observations_and_reproduce_reruns_them(cli, tmp_path):
    out = tmp_path / "conditioned"
    done = subprocess.run([str(cli), "run", str(REPO / "scenarios" / "baseline.json"),
                           "-n", "300", "--horizon", "2027-06", "--observe", str(EXAMPLE),
                           "--raw", "-q", "--no-progress", "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "effective sample size" in done.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert [o["name"] for o in manifest["options"]["observations"]] == [
        o["name"] for o in json.loads(EXAMPLE.read_text())["observations"]]
    assert manifest["run"]["effective_sample_size"] > 0
    assert (out / "samples.csv").read_text().splitlines()[0].endswith(",weight")
    again = subprocess.run([str(cli), "reproduce", str(out), "--no-progress"],
                           capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "reproduced: all" in again.stdout
    read = gapcast.Results.read(out)
    assert read.effective_sample_size == manifest["run"]["effective_sample_size"]
    assert len(read.observations) == 3


def test_the_report_lists_the_observations_in_its_appendix(tmp_path):
    r = gapcast.run("baseline", samples=300, seed=2, horizon="2027-12", observe=str(EXAMPLE),
                    progress=False)
    gapcast.report(r, tmp_path / "report", results_dir=tmp_path / "results", formats=["png"])
    table = (tmp_path / "report" / "tables" / "observations.md").read_text()
    for o in json.loads(EXAMPLE.read_text())["observations"]:
        assert o["name"] in table and o["metric"] in table
    assert "effective sample size" in table
    page = (tmp_path / "report" / "index.html").read_text()
    assert "Observations the results are conditioned on" in page
    # An unconditioned run has no such table.
    plain = gapcast.run("baseline", samples=50, seed=2, horizon="2027-12", progress=False)
    gapcast.report(plain, tmp_path / "plain", results_dir=tmp_path / "plain_results",
                   formats=["png"])
    assert not (tmp_path / "plain" / "tables" / "observations.md").exists()
