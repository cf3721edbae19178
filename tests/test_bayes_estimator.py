"""BayesRegressor: scikit-learn's estimator checks, the conjugate posterior against
scikit-learn's BayesianRidge with the same (pinned) precisions, and the sampled path."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm
from sklearn.linear_model import BayesianRidge
from sklearn.utils.estimator_checks import check_estimator

import bayesreg as br
from bayesreg._errors import ParameterError

SIGMA, TAU = 0.7, 1.5


def test_check_estimator():
    check_estimator(br.BayesRegressor(draws=20, chains=1, random_seed=0))


def test_conjugate_posterior_equals_bayesian_ridge_with_pinned_precisions(rng):
    n, p = 60, 4
    X = rng.normal(size=(n, p)) + 0.3
    y = 1.0 + X @ np.array([1.0, -0.5, 0.0, 0.3]) + SIGMA * rng.normal(size=n)
    alpha, lam = 1 / SIGMA**2, 1 / TAU**2
    big = 1e13  # Gamma(big, big / value) hyperpriors: the precisions stay at their values
    ref = BayesianRidge(alpha_init=alpha, lambda_init=lam, alpha_1=big, alpha_2=big / alpha,
                        lambda_1=big, lambda_2=big / lam, tol=1e-14).fit(X, y)
    assert abs(ref.alpha_ / alpha - 1) < 1e-9 and abs(ref.lambda_ / lam - 1) < 1e-9
    est = br.BayesRegressor(prior=br.Normal(TAU), likelihood=br.Gaussian(sigma=SIGMA),
                            draws=500, chains=2, random_seed=1).fit(X, y)
    assert est.conjugate_
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=1e-7)
    np.testing.assert_allclose(est.intercept_, ref.intercept_, rtol=1e-7)
    Xn = rng.normal(size=(7, p))
    mean, sd = est.predict(Xn, return_std=True)
    ref_mean, ref_sd = ref.predict(Xn, return_std=True)
    np.testing.assert_allclose(mean, ref_mean, rtol=1e-7)
    # the flat intercept's own variance sigma^2 / n on top of BayesianRidge's plug-in intercept
    np.testing.assert_allclose(sd**2, ref_sd**2 + SIGMA**2 / n, rtol=1e-7)
    lo_hi = est.predict_interval(Xn, prob=0.8)
    np.testing.assert_allclose(lo_hi[:, 1], mean + norm.ppf(0.9) * sd, rtol=1e-12)
    # the stored exact draws agree with the closed form (MCSE-scaled)
    post = est.posterior_["posterior"]["coef"].values.reshape(-1, p)
    se = post.std(0) / np.sqrt(post.shape[0])
    assert np.all(np.abs(post.mean(0) - est.coef_) < 5 * se)
    with pytest.raises(ParameterError, match="prob"):
        est.predict_interval(Xn, prob=2.0)


@pytest.mark.slow
def test_sampled_posterior_path(rng):
    n, p = 50, 3
    X = rng.normal(size=(n, p))
    y = X @ np.array([1.0, 0.0, -1.0]) + 0.5 * rng.normal(size=n)
    est = br.BayesRegressor(prior=br.Laplace(1.0), likelihood=br.Gaussian(), draws=300,
                            chains=1, random_seed=0).fit(X, y)
    assert not est.conjugate_ and est.posterior_.attrs["sampler"] == "gibbs"
    mean, sd = est.predict(X[:5], return_std=True)
    sigma = float(est.posterior_["posterior"]["sigma"].mean())
    assert np.all(sd > 0.9 * sigma) and np.all(sd < 2 * sigma)
    iv = est.predict_interval(X[:5], prob=0.9)
    assert np.all(iv[:, 0] < mean) and np.all(mean < iv[:, 1])
