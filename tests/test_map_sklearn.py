"""The direct MAP equals scikit-learn's penalized optimum under the documented conversions."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import ElasticNet, Lasso, LogisticRegression, PoissonRegressor, Ridge

import bayesreg as br


def _gauss(rng, n=120, p=15):
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 3, size=p)
    w = np.where(rng.random(p) < 0.4, rng.normal(scale=2, size=p), 0.0)
    y = 1.5 + X @ w + rng.normal(size=n)
    return X, y


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize(
    "est",
    [Ridge(alpha=3.0), Lasso(alpha=0.05), Lasso(alpha=0.5), ElasticNet(alpha=0.1, l1_ratio=0.3),
     ElasticNet(alpha=0.02, l1_ratio=0.9)],
    ids=lambda e: repr(e),
)
@pytest.mark.parametrize("sigma", [0.7, 2.0])
def test_gaussian_matches_sklearn(rng, est, fit_intercept, sigma):
    X, y = _gauss(rng)
    est = est.set_params(fit_intercept=fit_intercept)
    if not isinstance(est, Ridge):
        est.set_params(tol=1e-14, max_iter=200_000)
    est.fit(X, y)
    model = br.Model.from_sklearn(est, n_samples=len(y), sigma=sigma)
    fit = model.map(X, y, tol=1e-14)
    assert fit.converged
    np.testing.assert_allclose(fit.coef, est.coef_, atol=1e-6, rtol=0)
    assert abs(fit.intercept - est.intercept_) < 1e-6
    # exact zeros agree where sklearn's are clearly zero
    if not isinstance(est, Ridge):
        assert np.array_equal(fit.coef == 0, est.coef_ == 0)


@pytest.mark.parametrize("shape", [(200, 30), (40, 300)])
def test_ridge_closed_form_both_regimes(rng, shape):
    n, p = shape
    X = rng.normal(size=(n, p))
    y = X[:, :5].sum(1) + rng.normal(size=n)
    est = Ridge(alpha=2.5, solver="cholesky").fit(X, y)
    fit = br.Model.from_sklearn(est, sigma=1.3).map(X, y)
    np.testing.assert_allclose(fit.coef, est.coef_, atol=1e-8)
    assert fit.solver == "closed_form"


def test_sparse_matches_dense_and_sklearn(rng):
    n, p = 300, 400
    X = sp.random(n, p, density=0.05, random_state=1, format="csc") * 3.0
    w = np.zeros(p)
    w[:10] = rng.normal(size=10) * 3
    y = 2.0 + X @ w + rng.normal(size=n)
    est = Lasso(alpha=0.01, tol=1e-14, max_iter=200_000).fit(X, y)
    model = br.Model.from_sklearn(est, n_samples=n, sigma=1.0)
    fs = model.map(X, y, tol=1e-14)
    fd = model.map(X.toarray(), y, tol=1e-14)
    np.testing.assert_allclose(fs.coef, est.coef_, atol=1e-6)
    np.testing.assert_allclose(fs.coef, fd.coef, atol=1e-8)
    assert abs(fs.intercept - est.intercept_) < 1e-6
    ridge = Ridge(alpha=3.0, solver="sparse_cg", tol=1e-14, max_iter=100_000).fit(X, y)
    fr = br.Model.from_sklearn(ridge, sigma=1.0).map(X, y)
    np.testing.assert_allclose(fr.coef, ridge.coef_, atol=1e-6)


def _logit_data(rng, n=250, p=10):
    X = rng.normal(size=(n, p))
    w = rng.normal(size=p)
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.3 + X @ w)))).astype(float)
    return X, y


@pytest.mark.parametrize(
    "kw",
    [dict(C=0.5), dict(C=0.05, l1_ratio=1.0, solver="saga"), dict(C=0.3, l1_ratio=0.5, solver="saga")],
    ids=["l2", "l1", "enet"],
)
def test_logistic_matches_sklearn(rng, kw):
    X, y = _logit_data(rng)
    est = LogisticRegression(tol=1e-13, max_iter=200_000, **kw).fit(X, y)
    fit = br.Model.from_sklearn(est).map(X, y, tol=1e-12)
    assert fit.converged
    np.testing.assert_allclose(fit.coef, est.coef_.ravel(), atol=1e-6)
    assert abs(fit.intercept - est.intercept_[0]) < 1e-6


def test_poisson_matches_sklearn(rng):
    n, p = 300, 6
    X = rng.normal(size=(n, p))
    y = rng.poisson(np.exp(0.5 + X @ rng.normal(scale=0.3, size=p)))
    est = PoissonRegressor(alpha=0.02, tol=1e-14, max_iter=10_000).fit(X, y)
    fit = br.Model.from_sklearn(est, n_samples=n).map(X, y, tol=1e-12)
    np.testing.assert_allclose(fit.coef, est.coef_, atol=1e-6)
    assert abs(fit.intercept - est.intercept_) < 1e-6


def test_to_sklearn_round_trip_optimum(rng):
    X, y = _gauss(rng)
    model = br.Model(br.Gaussian(sigma=1.5), br.ElasticNetPrior(0.8, 0.5))
    est = model.to_sklearn(n_samples=len(y)).set_params(tol=1e-14, max_iter=200_000).fit(X, y)
    np.testing.assert_allclose(model.map(X, y, tol=1e-14).coef, est.coef_, atol=1e-6)
