"""Feature scores (gapcast.feature_scores): the same extra-trees importances as EMA Workbench's
get_ex_feature_scores for the same data and seed, the parameter that decides the outcome on
top, categories handled, bad input refused; and through a discovery on a real ensemble."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import gapcast

pytest.importorskip("sklearn")


def planted(n: int = 3000, seed: int = 4) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = pd.DataFrame({"a": rng.uniform(size=n), "b": rng.uniform(size=n),
                      "c": rng.uniform(size=n), "d": rng.uniform(size=n),
                      "flag": rng.uniform(size=n) < 0.5,
                      "kind": rng.choice(["low", "mid", "high"], size=n)})
    y = (x["a"] > 0.7) & x["flag"]
    return x, y.to_numpy()


def test_scores_equal_ema_workbench_for_the_same_data_and_seed():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import feature_scoring
    x, y = planted()
    ours = gapcast.feature_scores(x, y, seed=7)
    theirs, _ = feature_scoring.get_ex_feature_scores(x, y, random_state=7)
    theirs = theirs[1]
    assert list(ours.index) == list(theirs.index)
    np.testing.assert_allclose(ours["score"].to_numpy(), theirs.to_numpy(), rtol=0, atol=1e-12)
    assert list(ours.index[:2]) == ["a", "flag"]  # the two that decide y
    assert ours["score"].sum() == pytest.approx(1.0)


def test_scores_are_reproducible_and_bad_input_is_refused():
    x, y = planted(800)
    assert gapcast.feature_scores(x, y, seed=1).equals(gapcast.feature_scores(x, y, seed=1))
    with pytest.raises(ValueError, match="both outcomes"):
        gapcast.feature_scores(x, np.zeros(len(x), dtype=bool))
    with pytest.raises(ValueError, match="one value per row"):
        gapcast.feature_scores(x, y[:-1])
    with pytest.raises(TypeError, match="DataFrame"):
        gapcast.feature_scores(x.to_numpy(), y)


def test_a_discovery_scores_its_drawn_parameters(tmp_path):
    path = tmp_path / "e.parquet"
    gapcast.run("comprehensive_embargo", samples=2000, seed=9, horizon="2030-12",
                progress=False, ensemble=path, ensemble_metrics=["gap_training"],
                ensemble_dates=["2030-12"])
    frame = gapcast.read_ensemble(path, columns=["world.target_lag_months"])
    cut = float(np.quantile(frame["world.target_lag_months"], 0.2))
    found = gapcast.discover(path, f"world.target_lag_months <= {cut!r}")
    scores = found.feature_scores()
    assert scores.index[0] == "target_lag_months"
    assert scores["score"].iloc[0] > 3 * scores["score"].iloc[1]
