"""Feature scoring for scenario discovery: which drawn parameters best separate the worlds of
interest from the rest, as extra-trees importances (Geurts, Ernst & Wehenkel 2006, "Extremely
randomized trees", Machine Learning 63:3-42; as used for scenario discovery by Jaxa-Rozen &
Kwakkel 2018, Environmental Modelling & Software 107:245-266).

PRIM answers "where" with a box; feature scores answer "which parameters matter at all",
including those whose effect is not a box (interactions, non-monotone effects). The forest is
scikit-learn's ``ExtraTreesClassifier`` with the settings of EMA Workbench's
``get_ex_feature_scores`` (classification, Gini, 100 trees, a third of the columns per split,
leaves of at least max(1, round(sqrt(N / 1000))) samples, bootstrap with out-of-bag score), so
the same data and seed give EMA's scores (tests/python/test_feature_scores.py). scikit-learn is
optional: ``pip install scikit-learn``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["feature_scores"]


def _numeric(x: pd.DataFrame) -> pd.DataFrame:
    """Categorical and boolean columns as category codes (a single category is dropped), as
    EMA does; numeric columns as they are."""
    out = {}
    for name in x.columns:
        column = x[name]
        if pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(
                column.dtype):
            out[name] = column
        elif column.nunique(dropna=False) > 1:
            out[name] = column.astype("category").cat.codes
    return pd.DataFrame(out)


def feature_scores(x: pd.DataFrame, y: Any, *, trees: int = 100, max_features: int | None = None,
                   min_samples_leaf: int | None = None, seed: int = 0) -> pd.DataFrame:
    """Extra-trees importance of each column of ``x`` for the binary outcome ``y``, highest
    first: a DataFrame indexed by column with one column ``score`` (the scores sum to 1).
    ``seed`` fixes the forest, so the scores are reproducible."""
    try:
        from sklearn.ensemble import ExtraTreesClassifier
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("feature scores need scikit-learn: pip install scikit-learn") from None
    if not isinstance(x, pd.DataFrame):
        raise TypeError("x must be a pandas DataFrame (one column per parameter)")
    y = np.asarray(y).astype(bool)
    if y.ndim != 1 or y.shape[0] != len(x):
        raise ValueError(f"y must hold one value per row of x ({len(x)}), got shape {y.shape}")
    if y.all() or not y.any():
        raise ValueError("y must hold both outcomes: there is nothing to separate")
    if int(trees) < 1:
        raise ValueError(f"trees must be at least 1, got {trees}")
    data = _numeric(x)
    if data.shape[1] == 0:
        raise ValueError("x has no column that varies")
    forest = ExtraTreesClassifier(
        n_estimators=int(trees), criterion="gini",
        max_features=max_features if max_features is not None else max(
            1, int(round(data.shape[1] / 3))),
        min_samples_leaf=min_samples_leaf if min_samples_leaf is not None else max(
            1, int(round(math.sqrt(data.shape[0]) / math.sqrt(1000)))),
        bootstrap=True, oob_score=True, random_state=int(seed))
    forest.fit(data.to_numpy(), y)
    scores = pd.DataFrame({"score": forest.feature_importances_}, index=data.columns)
    scores.index.name = "parameter"
    return scores.sort_values("score", ascending=False, kind="stable")
