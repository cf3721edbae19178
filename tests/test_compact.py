"""CompactFit: the non-zero part of a sparse L1 fit predicts like the dense fit."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import bayesreg as br
from bayesreg._errors import DataError
from bayesreg.compact import CompactFit


@pytest.fixture(scope="module")
def wide_l1_fit():
    rng = np.random.default_rng(0)
    n, p = 200, 3000
    X = rng.normal(size=(n, p))
    w = np.zeros(p)
    w[rng.choice(p, 8, replace=False)] = rng.normal(scale=2.0, size=8)
    y = 0.5 + X @ w + rng.normal(size=n)
    # glmnet lambda = 0.3 on n rows, sigma = 1  ->  Laplace scale 1 / (n lambda)
    fit = br.Model(br.Gaussian(sigma=1.0), br.Laplace(1.0 / (n * 0.3))).map(X, y)
    return X, y, fit


def test_predictions_equal_dense_fit_and_memory_saved(wide_l1_fit, tmp_path):
    X, _, fit = wide_l1_fit
    nnz = int(np.count_nonzero(fit.coef))
    assert 0 < nnz < 100
    cf = CompactFit.from_result(fit)
    assert cf.coef.size == nnz
    np.testing.assert_array_equal(fit.coef[cf.indices], cf.coef)
    assert all(fit.feature_names[j] == n for j, n in zip(cf.indices, cf.names))
    Xn = np.random.default_rng(1).normal(size=(50, X.shape[1]))
    ref = fit.predict(Xn)
    # same terms, summed in a different order: agreement to rounding
    np.testing.assert_allclose(cf.predict(Xn), ref, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(cf.predict(sp.csr_matrix(Xn)), ref, rtol=1e-13, atol=1e-13)
    # memory: dense coefficients + names vs support only
    dense = fit.coef.nbytes + sum(len(s) for s in fit.feature_names)
    assert cf.dense_nbytes >= dense
    assert cf.nbytes < 0.05 * cf.dense_nbytes
    assert cf.memory_saved > 0.95
    # on disk too
    fit.save(tmp_path / "dense.json")
    for name in ("c.json", "c.npz"):
        cf.save(tmp_path / name)
        back = CompactFit.load(tmp_path / name)
        np.testing.assert_array_equal(back.coef, cf.coef)
        np.testing.assert_array_equal(back.indices, cf.indices)
        assert back.names == cf.names and back.likelihood == fit.likelihood
        np.testing.assert_array_equal(back.predict(Xn), cf.predict(Xn))
        assert (tmp_path / name).stat().st_size < 0.1 * (tmp_path / "dense.json").stat().st_size


def test_dataframe_columns_selected_by_name(wide_l1_fit):
    X, _, fit = wide_l1_fit
    cf = CompactFit.from_result(fit)
    names = fit.feature_names
    Xn = np.random.default_rng(2).normal(size=(20, X.shape[1]))
    df = pd.DataFrame(Xn, columns=names)
    shuffled = df[list(reversed(names))]  # column order does not matter by name
    only_support = df[cf.names + names[:3]]
    ref = fit.predict(Xn)
    for d in (df, shuffled, only_support):
        np.testing.assert_allclose(cf.predict(d), ref, rtol=1e-13, atol=1e-13)
    with pytest.raises(DataError, match="missing"):
        cf.predict(df.drop(columns=[cf.names[0]]))
    with pytest.raises(DataError, match="columns"):
        cf.predict(Xn[:, :10])


def test_glm_inverse_link_kept():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 40))
    y = (X[:, 0] - X[:, 1] + rng.logistic(size=300) > 0).astype(float)
    fit = br.Model(br.Bernoulli(), br.Laplace(0.05)).map(X, y)
    cf = CompactFit.from_result(fit)
    assert 0 < cf.coef.size < 40
    p = cf.predict(X)
    assert np.all((p > 0) & (p < 1))
    np.testing.assert_allclose(p, 1 / (1 + np.exp(-(fit.intercept + X @ fit.coef))), rtol=1e-12)


def test_all_zero_fit():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(30, 5))
    y = rng.normal(size=30)
    fit = br.Model(br.Gaussian(sigma=1.0), br.Laplace(1e-4)).map(X, y)
    cf = CompactFit.from_result(fit)
    assert cf.coef.size == 0
    np.testing.assert_allclose(cf.predict(X), np.full(30, y.mean()), rtol=1e-12)
    np.testing.assert_allclose(cf.predict(pd.DataFrame(X, columns=fit.feature_names)),
                               np.full(30, y.mean()), rtol=1e-12)
