"""Paired effects and their references (issue 11, item 5): a scenario compared with itself
reports exactly zero, whatever is changed in the world, because every scenario and its
references are integrated in the same drawn world."""

from __future__ import annotations

import numpy as np
import pytest

import gapcast

PAIRED = {"no_controls": ["denied_training_vs_no_controls", "denied_inference_vs_no_controls",
                          "added_gap_months_vs_no_controls"],
          "baseline": ["denied_training_vs_baseline", "denied_inference_vs_baseline",
                       "added_gap_months_vs_baseline"]}


@pytest.fixture(scope="module")
def shipped():
    return [gapcast.load(n) for n in ("baseline", "incremental_tightening",
                                      "comprehensive_embargo", "multilateral_alignment",
                                      "no_controls")]


@pytest.mark.parametrize("changed", [False, True], ids=["default world", "changed world"])
def test_a_scenario_against_itself_is_exactly_zero(shipped, changed):
    scenarios = shipped
    if changed:
        # The same change in every scenario, and so in the worlds of their references.
        scenarios = [s.with_parameters(
            densing_doubling_months={"ci90": [2, 3], "truncate": [0.5, 240]},
            target_lag_months={"ci90": [8, 16], "truncate": [0.1, 120]}) for s in shipped]
    r = gapcast.run(scenarios, samples=300, seed=5, horizon="2030-12")
    for reference, metrics in PAIRED.items():
        for metric in metrics:
            values = r.series[r.scenarios.index(reference), r.metrics.index(metric)]
            assert np.all(values == 0.0), (reference, metric)
        delay = r.scalars[r.scenarios.index(reference),
                          r.scalar_metrics.index(f"delay_months_vs_{reference}")]
        finite = delay[np.isfinite(delay)]
        assert np.all(finite == 0.0), (reference, delay)


def test_every_paired_metric_names_its_reference(shipped):
    r = gapcast.run(shipped[0], samples=2, seed=1, horizon="2026-03")
    paired = [m for m in [*r.metrics, *r.scalar_metrics] if "_vs_" in m]
    assert len(paired) == 8
    for name in paired:
        info = r.metric_info(name)
        reference = "no_controls" if name.endswith("_vs_no_controls") else "baseline"
        assert info["compared_with"] == reference, info
        # Each description says what it is compared with on its own, without its neighbours.
        assert reference.replace("_", " ") in info["description"], info
