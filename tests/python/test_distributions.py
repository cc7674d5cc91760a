"""gapcast.Distribution: the engine's distributions from Python."""

from __future__ import annotations

import numpy as np
import pytest

from gapcast import Distribution


def test_interval_forms_hit_their_percentiles():
    d = Distribution.lognormal_from_interval(5, 10)
    np.testing.assert_allclose(d.quantile(np.array([0.05, 0.95])), [5, 10], rtol=1e-12)
    assert d.median == pytest.approx(np.sqrt(50))
    p = Distribution.from_percentiles(1, 2, 5)
    np.testing.assert_allclose(p.quantile([0.05, 0.5, 0.95]), [1, 2, 5], rtol=1e-12)
    assert p.kind != "point" and "median 2" in p.describe()


def test_vectorised_quantile_and_cdf_keep_shape():
    d = Distribution.pert(1, 2, 6)
    u = np.linspace(0.01, 0.99, 12).reshape(3, 4)
    x = d.quantile(u)
    assert x.shape == (3, 4)
    np.testing.assert_allclose(d.cdf(x), u, atol=1e-9)
    assert isinstance(d.quantile(0.5), float)
    assert isinstance(d.cdf(np.float32(2.0)), float)


def test_forms_and_support():
    assert Distribution.point(3.0).is_point
    assert Distribution.uniform(0, 2).support == (0.0, 2.0)
    b = Distribution.bernoulli(0.3)
    assert b.quantile(0.69) == 0.0 and b.quantile(0.71) == 1.0
    t = Distribution.normal(0, 1).truncated(0, np.inf)
    assert t.support[0] == 0.0 and t.quantile(0.01) > 0
    m = Distribution.mixture([Distribution.point(1), Distribution.point(3)], [1, 3])
    assert m.mean == pytest.approx(2.5)
    assert Distribution.discrete([1, 2], [1, 1]).median == 1.0
    assert "Distribution" in repr(Distribution.triangular(0, 1, 2))


def test_invalid_arguments_explain_themselves():
    with pytest.raises(ValueError, match="high must be greater than low"):
        Distribution.uniform(5, 2)
    with pytest.raises(ValueError):
        Distribution.normal(0, 1).quantile(1.5)
    with pytest.raises(TypeError):
        Distribution.normal(0, 1).quantile("half")
