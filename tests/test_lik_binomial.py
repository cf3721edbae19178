"""Binomial(trials) against independent references: the expanded Bernoulli rows (identical MAP,
log posterior up to sum log C(n, y)), scipy.optimize of the penalized objective written here,
statsmodels' GLM Binomial on proportions with var_weights = trials, KKT conditions computed
here, scipy.stats.binom for the density."""

import numpy as np
import pytest
import scipy.optimize as so
from scipy import stats
from scipy.special import expit

import bayesreg as br
from bayesreg.likelihoods import likelihood_from_dict


def _data(rng, n=80, p=4):
    X = rng.normal(size=(n, p))
    trials = rng.integers(1, 9, size=n).astype(float)
    y = rng.binomial(trials.astype(int), expit(0.2 + X @ np.linspace(0.8, -0.5, p))).astype(float)
    return X, y, trials


def _expand(X, y, trials):
    rows, ys = [], []
    for i in range(len(y)):
        k, m = int(y[i]), int(trials[i])
        rows += [i] * m
        ys += [1.0] * k + [0.0] * (m - k)
    return X[rows], np.array(ys)


def _nlp(X, y, trials, w, b, a, c):
    eta = b + X @ w
    return float(np.sum(trials * np.logaddexp(0, eta) - y * eta)) + float(a @ np.abs(w)) \
        + 0.5 * float(c @ (w * w))


def test_density_is_scipy_binom(rng):
    t = np.array([1.0, 3.0, 10.0, 10.0])
    y = np.array([1.0, 0.0, 10.0, 4.0])
    eta = np.array([0.3, -1.2, 2.0, 0.0])
    lik = br.Binomial(t)
    np.testing.assert_allclose(lik.loglik(y, eta), stats.binom.logpmf(y, t, expit(eta)),
                               rtol=1e-12)
    np.testing.assert_allclose(lik.mean(eta), t * expit(eta), rtol=1e-14)


@pytest.mark.parametrize("prior", [br.Normal(0.7), br.Laplace(0.3)], ids=["L2", "L1"])
def test_map_equals_expanded_bernoulli_rows(rng, prior):
    X, y, t = _data(rng)
    fit = br.Model(br.Binomial(t), prior).map(X, y, tol=1e-11)
    Xe, ye = _expand(X, y, t)
    ref = br.Model(br.Bernoulli(), prior).map(Xe, ye, tol=1e-11)
    assert fit.converged and ref.converged
    np.testing.assert_allclose(fit.coef, ref.coef, atol=1e-7)
    assert fit.intercept == pytest.approx(ref.intercept, abs=1e-7)
    logC = float(np.sum(stats.binom.logpmf(y, t, 0.5) - t * np.log(0.5)))  # sum log C(n, y)
    assert fit.log_posterior == pytest.approx(ref.log_posterior + logC, rel=1e-10)
    if isinstance(prior, br.Laplace):
        assert np.count_nonzero(fit.coef) < X.shape[1]
        assert np.array_equal(fit.coef == 0, ref.coef == 0)


def test_l2_vs_scipy_and_statsmodels(rng):
    sm = pytest.importorskip("statsmodels.api")
    X, y, t = _data(rng, n=120)
    p = X.shape[1]
    tau = 50.0  # a weak prior: the MAP is close to statsmodels' MLE
    fit = br.Model(br.Binomial(t), br.Normal(tau)).map(X, y, tol=1e-12)
    c = np.full(p, 1 / tau**2)

    def f(z):
        return _nlp(X, y, t, z[:p], z[p], np.zeros(p), c)

    r = so.minimize(f, np.zeros(p + 1), method="BFGS", options={"gtol": 1e-10})
    np.testing.assert_allclose(fit.coef, r.x[:p], atol=1e-5)
    assert fit.intercept == pytest.approx(r.x[p], abs=1e-5)
    assert _nlp(X, y, t, fit.coef, fit.intercept, np.zeros(p), c) <= r.fun + 1e-9
    # statsmodels' unpenalized MLE (proportions, var_weights = trials): within the prior's pull
    glm = sm.GLM(y / t, sm.add_constant(X), family=sm.families.Binomial(), var_weights=t).fit(
        tol=1e-12)
    np.testing.assert_allclose(np.r_[fit.intercept, fit.coef], glm.params, atol=5e-3)


def test_l1_kkt_computed_here(rng):
    X, y, t = _data(rng, n=100, p=8)
    b_scale = 0.05
    fit = br.Model(br.Binomial(t), br.Laplace(b_scale)).map(X, y, tol=1e-10)
    eta = fit.intercept + X @ fit.coef
    g = X.T @ (t * expit(eta) - y)  # gradient of the datafit in w
    a = 1 / b_scale
    w = fit.coef
    viol = np.where(w != 0, np.abs(g + a * np.sign(w)), np.maximum(np.abs(g) - a, 0))
    assert 0 < np.count_nonzero(w) < w.size
    assert viol.max() < 1e-6 and abs(float(np.sum(t * expit(eta) - y))) < 1e-6


def test_y_checks_and_mode_existence(rng):
    X, y, t = _data(rng, n=30)
    m = br.Model(br.Binomial(t), br.Normal(1.0))
    with pytest.raises(br.DataError, match=r"0 <= y <= trials.*entry 2"):
        m.map(X, np.where(np.arange(30) == 2, t + 1, y))
    with pytest.raises(br.DataError, match="successes \\(not the proportion\\)"):
        m.map(X, y / t + 0.01)
    with pytest.raises(br.DataError, match="intercept runs to \\+infinity"):
        m.map(X, t.copy())
    with pytest.raises(br.DataError, match="intercept runs to -infinity"):
        m.map(X, np.zeros(30))
    with pytest.raises(br.DataError, match="trials for 30 rows but is evaluated on 10"):
        m.map(X[:10], y[:10])
    fit = br.Model(br.Binomial(t), br.Normal(1.0), fit_intercept=False).map(X, np.zeros(30))
    assert fit.converged  # without the flat intercept the prior keeps the mode finite
    for bad in (0, 2.5, -1, [1, 0], np.ones((2, 2))):
        with pytest.raises(br.ParameterError, match="trials"):
            br.Binomial(bad)
    with pytest.raises(br.BayesregTypeError, match="trials"):
        br.Binomial(True)


def test_from_counts_persistence_and_new_rows(rng):
    X, y, t = _data(rng, n=40)
    lik, ys = br.Binomial.from_counts(np.column_stack([t - y, y]))
    assert np.array_equal(lik.trials, t) and np.array_equal(ys, y)
    back = likelihood_from_dict(lik.to_dict())
    assert back == lik and back != br.Binomial(t + 1) and "40 rows" in repr(lik)
    fit = br.Model(lik, br.Normal(1.0)).map(X, y)
    loaded = br.MAPResult.from_dict(fit.to_dict())
    np.testing.assert_allclose(loaded.predict(X), t * expit(fit.intercept + X @ fit.coef))
    with pytest.raises(br.DataError, match="bind their trials"):
        fit.predict(X[:5])
    new = fit.likelihood.bind(trials=np.full(5, 3.0)).mean(fit.linear_predictor(X[:5]))
    np.testing.assert_allclose(new, 3 * expit(fit.intercept + X[:5] @ fit.coef))
    with pytest.raises(br.DataError, match="no trials"):
        br.Binomial.from_counts([[0, 0], [1, 2]])
