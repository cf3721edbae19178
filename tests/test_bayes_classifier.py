"""BayesClassifier: scikit-learn's estimator checks, the posterior against 2-D quadrature of the
exact posterior (intercept + one coefficient), labels, weights, and PyMC's NUTS as a second
sampler."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit, logsumexp
from sklearn.utils.estimator_checks import check_estimator

import bayesreg as br
from bayesreg._errors import DataError, ParameterError

TAU = 1.5


def test_check_estimator():
    check_estimator(br.BayesClassifier(draws=50, chains=1, random_seed=0))


@pytest.fixture(scope="module")
def one_feature():
    rng = np.random.default_rng(3)
    n = 40
    x = rng.normal(size=n)
    y = (rng.random(n) < expit(0.4 + 1.2 * x)).astype(float)
    return x[:, None], y


def _quadrature(x, y, x_new, m=401):
    """Posterior of (b, w) under a flat prior on b and N(0, TAU^2) on w, on a grid wide enough
    to hold all its mass: the posterior means of b, w and of sigmoid(b + x_new w), and the CDF of
    the latter at given points."""
    b = np.linspace(-3.0, 4.0, m)
    w = np.linspace(-2.0, 5.0, m)
    B, W = np.meshgrid(b, w, indexing="ij")
    eta = B[..., None] + W[..., None] * x
    lp = np.sum(y * eta - np.logaddexp(0.0, eta), axis=-1) - 0.5 * W**2 / TAU**2
    wt = np.exp(lp - logsumexp(lp))
    assert wt[0].sum() + wt[-1].sum() + wt[:, 0].sum() + wt[:, -1].sum() < 1e-10  # grid is wide
    P = expit(B[..., None] + W[..., None] * x_new)
    return float((wt * B).sum()), float((wt * W).sum()), np.tensordot(wt, P, 2), wt, P


def test_posterior_equals_quadrature(one_feature):
    X, y = one_feature
    x_new = np.array([-1.5, 0.0, 2.0])
    est = br.BayesClassifier(prior=br.Normal(TAU), draws=4000, chains=2, random_seed=1).fit(X, y)
    assert est.sampler_ == "imh" and 0.6 < est.posterior_.attrs["acceptance_rate"] <= 1.0
    b_ref, w_ref, p_ref, wt, P = _quadrature(X[:, 0], y, x_new)
    post = est.posterior_["posterior"]
    S = post.sizes["chain"] * post.sizes["draw"]
    # MCSE with a generous effective size (the chain repeats rejected draws)
    for draws, ref in ((post["intercept"].values.ravel(), b_ref),
                       (post["coef"].values.ravel(), w_ref)):
        assert abs(draws.mean() - ref) < 5 * draws.std() / np.sqrt(0.5 * S)
    prob = est.predict_proba(x_new[:, None])
    np.testing.assert_allclose(prob.sum(1), 1.0)
    Pd = est._prob_draws(x_new[:, None])
    assert np.all(np.abs(prob[:, 1] - p_ref) < 5 * Pd.std(0) / np.sqrt(0.5 * S))
    # the 90% interval: its endpoints have posterior CDF 0.05 and 0.95 (quadrature), up to MC error
    iv = est.predict_interval(x_new[:, None], prob=0.9)
    for j in range(3):
        cdf = [float(wt[P[..., j] <= v].sum()) for v in iv[j]]
        np.testing.assert_allclose(cdf, [0.05, 0.95], atol=0.02)
    assert np.all(est.predict(x_new[:, None]) == (p_ref > 0.5))
    np.testing.assert_allclose(est.coef_, post["coef"].values.reshape(S, 1).mean(0))


def test_labels_weights_and_errors(one_feature, rng):
    X, y = one_feature
    labels = np.where(y > 0, "yes", "no")
    est = br.BayesClassifier(draws=200, chains=1, random_seed=0).fit(X, labels)
    assert list(est.classes_) == ["no", "yes"]
    assert set(est.predict(X)) <= {"no", "yes"}
    # integer weights are repeated rows: the same mode, Hessian and hence the same chain
    wts = rng.integers(1, 4, size=len(y))
    a = br.BayesClassifier(draws=200, chains=1, random_seed=5).fit(X, y, sample_weight=wts)
    b = br.BayesClassifier(draws=200, chains=1, random_seed=5).fit(np.repeat(X, wts, 0),
                                                                    np.repeat(y, wts))
    np.testing.assert_allclose(a.predict_proba(X), b.predict_proba(X), rtol=1e-8)
    with pytest.raises(DataError, match="one class"):
        br.BayesClassifier().fit(X, np.ones(len(y)))
    with pytest.raises(DataError, match="binary"):
        br.BayesClassifier().fit(X, np.arange(len(y)) % 3)
    with pytest.raises(ParameterError, match="sampler"):
        br.BayesClassifier(sampler="metropolis").fit(X, y)
    with pytest.raises(ParameterError, match="imh"):
        br.BayesClassifier(prior=br.Laplace(1.0), sampler="imh").fit(X, y)
    with pytest.raises(ParameterError, match="prob"):
        est.predict_interval(X, prob=1.5)


@pytest.mark.slow
def test_pymc_nuts_agrees_with_the_independence_sampler(one_feature):
    """A second, independent sampler (PyMC's NUTS on bayesreg's PyMC model) targets the same
    posterior: the means agree within their Monte Carlo errors; a Laplace prior goes through
    model.sample."""
    X, y = one_feature
    imh = br.BayesClassifier(prior=br.Normal(TAU), draws=2000, chains=2, random_seed=2).fit(X, y)
    nuts = br.BayesClassifier(prior=br.Normal(TAU), draws=500, tune=500, chains=2,
                              sampler="pymc", random_seed=2).fit(X, y)
    assert nuts.sampler_ == "pymc"
    for v in ("coef", "intercept"):
        da = imh.posterior_["posterior"][v].values.ravel()
        db = nuts.posterior_["posterior"][v].values.ravel()
        assert abs(da.mean() - db.mean()) < 5 * np.hypot(da.std() / np.sqrt(len(da) / 2),
                                                         db.std() / np.sqrt(len(db) / 4))
    lap = br.BayesClassifier(prior=br.Laplace(1.0), draws=200, tune=200, chains=1,
                             sampler="pymc", random_seed=0).fit(X, y)
    assert lap.sampler_ == "pymc" and lap.predict_proba(X).shape == (len(y), 2)
