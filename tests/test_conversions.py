"""Conversion rules between priors and scikit-learn / glmnet penalties, checked by solving the
*library's* objective independently (sklearn solvers or scipy.optimize on the written-out formula)."""

import numpy as np
import pytest
from scipy import optimize
from scipy.special import expit
from sklearn.linear_model import ElasticNet, Lasso, LogisticRegression, PoissonRegressor, Ridge

import bayesreg as br
from bayesreg.conversions import prior_from_penalty


def test_documented_closed_forms():
    n, sigma = 442, 2.0
    assert br.Model.from_sklearn(Ridge(alpha=4.0), sigma=sigma).prior == br.Normal(1.0)
    assert br.Model.from_sklearn(Lasso(alpha=0.1), n_samples=n, sigma=sigma).prior == br.Laplace(4 / 44.2)
    en = br.Model.from_sklearn(ElasticNet(alpha=0.2, l1_ratio=0.25), n_samples=n, sigma=sigma).prior
    assert np.isclose(1 / en.l1_scale, n * 0.2 * 0.25 / 4)
    assert np.isclose(1 / en.l2_scale**2, n * 0.2 * 0.75 / 4)
    lr = br.Model.from_sklearn(LogisticRegression(C=0.3)).prior
    assert isinstance(lr, br.Normal) and np.isclose(lr.scale**2, 0.3)  # prior variance C
    l1 = br.Model.from_sklearn(LogisticRegression(C=0.3, l1_ratio=1.0, solver="saga")).prior
    assert isinstance(l1, br.Laplace) and np.isclose(l1.scale, 0.3)  # Laplace scale C
    po = br.Model.from_sklearn(PoissonRegressor(alpha=0.01), n_samples=100).prior
    assert np.isclose(po.scale**2, 1 / (100 * 0.01))  # prior variance 1/(n alpha)
    g = br.Model.from_glmnet(0.05, alpha=1.0, family="binomial", n_samples=200).prior
    assert isinstance(g, br.Laplace) and np.isclose(g.scale, 1 / (200 * 0.05))
    g2 = br.Model.from_glmnet(0.05, alpha=0.0, family="poisson", n_samples=200).prior
    assert isinstance(g2, br.Normal) and np.isclose(g2.scale**2, 1 / (200 * 0.05))


@pytest.mark.parametrize(
    "est",
    [Ridge(alpha=2.0), Lasso(alpha=0.3), ElasticNet(alpha=0.3, l1_ratio=0.4),
     LogisticRegression(C=0.7), LogisticRegression(C=0.7, l1_ratio=1.0, solver="saga"),
     LogisticRegression(C=0.7, l1_ratio=0.3, solver="saga"), PoissonRegressor(alpha=0.2)],
    ids=repr,
)
def test_sklearn_round_trip(est):
    model = br.Model.from_sklearn(est, n_samples=57, sigma=1.7)
    back = model.to_sklearn(n_samples=57, sigma=1.7)
    assert type(back) is type(est)
    for k in ("alpha", "l1_ratio", "C"):
        if k in est.get_params() and k in back.get_params():
            if k == "l1_ratio" and type(est).__name__ == "Lasso":
                continue
            assert np.isclose(back.get_params()[k], est.get_params()[k], rtol=1e-12), k


@pytest.mark.parametrize("family", ["gaussian", "binomial", "poisson"])
@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.0])
def test_glmnet_round_trip(family, alpha):
    pf = np.array([1.0, 2.0, 0.5, 1.5])
    m = br.Model.from_glmnet(0.07, alpha=alpha, family=family, n_samples=90, sigma=1.2, penalty_factor=pf)
    d = m.to_glmnet(n_samples=90)
    assert d["family"] == family
    assert np.isclose(d["lambda_"], 0.07) and np.isclose(d["alpha"], alpha)
    np.testing.assert_allclose(d["penalty_factor"], pf * 4 / pf.sum())


def _glmnet_objective(X, y, family, lam, alpha, pf, sigma=1.0):
    """glmnet's documented objective, written out: -(1/n) loglik + lam * sum pf_j [...]"""
    n, p = X.shape
    pf = pf * p / pf.sum()

    def f(theta):
        b, w = theta[0], theta[1:]
        eta = b + X @ w
        if family == "gaussian":
            loss = 0.5 * np.mean((y - eta) ** 2)
        elif family == "binomial":
            loss = np.mean(np.logaddexp(0, eta) - y * eta)
        else:
            loss = np.mean(np.exp(eta) - y * eta)
        return loss + lam * np.sum(pf * (alpha * np.abs(w) + 0.5 * (1 - alpha) * w**2))

    return f


@pytest.mark.parametrize("family", ["gaussian", "binomial", "poisson"])
def test_glmnet_ridge_with_penalty_factor_matches_written_objective(rng, family):
    n, p = 120, 5
    X = rng.normal(size=(n, p))
    eta = 0.3 + X @ np.array([0.8, -0.5, 0.0, 0.3, 0.0])
    y = {"gaussian": eta + rng.normal(size=n),
         "binomial": (rng.random(n) < expit(eta)).astype(float),
         "poisson": rng.poisson(np.exp(eta)).astype(float)}[family]
    pf = np.array([1.0, 3.0, 0.5, 2.0, 1.0])
    lam = 0.05
    m = br.Model.from_glmnet(lam, alpha=0.0, family=family, n_samples=n, sigma=1.0, penalty_factor=pf)
    fit = m.map(X, y, tol=1e-12)
    f = _glmnet_objective(X, y, family, lam, 0.0, pf)
    ref = optimize.minimize(f, np.zeros(p + 1), method="BFGS", options={"gtol": 1e-12, "maxiter": 10_000})
    np.testing.assert_allclose(fit.coef, ref.x[1:], atol=1e-5)
    assert f(np.r_[fit.intercept, fit.coef]) <= ref.fun + 1e-12


def test_glmnet_gaussian_equals_sklearn_elasticnet(rng):
    X = rng.normal(size=(100, 8))
    y = X[:, :3].sum(1) + rng.normal(size=100)
    m = br.Model.from_glmnet(0.1, alpha=0.5, family="gaussian", n_samples=100, sigma=1.0)
    est = ElasticNet(alpha=0.1, l1_ratio=0.5, tol=1e-14, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(m.map(X, y, tol=1e-14).coef, est.coef_, atol=1e-7)


def test_glmnet_binomial_equals_logistic_regression(rng):
    X = rng.normal(size=(200, 5))
    y = (rng.random(200) < expit(X[:, 0] - X[:, 1])).astype(float)
    lam = 0.02
    m = br.Model.from_glmnet(lam, alpha=1.0, family="binomial", n_samples=200)
    est = LogisticRegression(C=1 / (200 * lam), l1_ratio=1.0, solver="saga", tol=1e-13,
                             max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(m.map(X, y, tol=1e-10).coef, est.coef_.ravel(), atol=1e-6)


def test_prior_from_penalty():
    assert prior_from_penalty(2.0, 0.0) == br.Laplace(0.5)
    assert prior_from_penalty(0.0, 4.0) == br.Normal(0.5)
    assert prior_from_penalty(2.0, 4.0) == br.ElasticNetPrior(0.5, 0.5)
    with pytest.raises(br.NotSupportedError, match="flat"):
        prior_from_penalty(0.0, 0.0)


@pytest.mark.parametrize(
    "call,err,match",
    [
        (lambda: br.Model.from_sklearn(Lasso(alpha=0.1), sigma=1.0), br.ParameterError, "n_samples"),
        (lambda: br.Model.from_sklearn(Ridge(alpha=0.0)), br.NotSupportedError, "unpenalized"),
        (lambda: br.Model.from_sklearn(LogisticRegression(C=np.inf)), br.NotSupportedError, "unpenalized"),
        (lambda: br.Model.from_sklearn(Lasso(alpha=0.1), n_samples=10, sigma=None), br.ParameterError,
         "sigma"),
        (lambda: br.Model.from_sklearn(object()), br.BayesregTypeError, "Ridge"),
        (lambda: br.Model(br.Gaussian(None), br.Laplace(1.0)).to_sklearn(n_samples=5), br.ParameterError,
         "sigma"),
        (lambda: br.Model(br.Gaussian(1.0), br.Laplace([1.0, 2.0])).to_sklearn(n_samples=5),
         br.NotSupportedError, "per-feature"),
        (lambda: br.Model(br.Poisson(), br.Laplace(1.0)).to_sklearn(n_samples=5), br.NotSupportedError,
         "glmnet"),
        (lambda: br.Model.from_glmnet(0.1, alpha=1.5, n_samples=10), br.ParameterError, "alpha"),
        (lambda: br.Model.from_glmnet(0.1, family="gamma", n_samples=10), br.ParameterError, "family"),
        (lambda: br.Model.from_glmnet(0.1, n_samples=10, penalty_factor=[1.0, 0.0]), br.ParameterError,
         "flat"),
    ],
)
def test_conversion_errors(call, err, match):
    with pytest.raises(err, match=match):
        call()
