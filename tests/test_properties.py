"""Property-based tests (hypothesis) over random designs, scales and priors."""

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import bayesreg as br
from bayesreg import BayesregError

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scales = st.floats(1e-2, 1e2)


@st.composite
def problems(draw, lik_kinds=("gauss", "bern", "pois")):
    n = draw(st.integers(3, 40))
    p = draw(st.integers(1, 15))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * draw(st.floats(0.1, 10))
    kind = draw(st.sampled_from(lik_kinds))
    eta = X @ rng.normal(scale=0.5, size=p) / np.sqrt(p)
    if kind == "gauss":
        lik, y = br.Gaussian(sigma=draw(st.floats(0.1, 5))), eta + rng.normal(size=n)
    elif kind == "bern":
        lik, y = br.Bernoulli(), (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
        y[0] = 1.0 - y[1]  # both classes present: otherwise the mode does not exist (flat intercept)
    else:
        lik, y = br.Poisson(), rng.poisson(np.exp(np.clip(eta, -3, 3))).astype(float)
        y[0] = max(y[0], 1.0)
    prior_kind = draw(st.sampled_from(["normal", "laplace", "enet"]))
    a, b = draw(scales), draw(scales)
    prior = {"normal": br.Normal(a), "laplace": br.Laplace(a), "enet": br.ElasticNetPrior(a, b)}[prior_kind]
    return X, y, lik, prior


@SETTINGS
@given(problems())
def test_certificate_below_tolerance_and_kkt(prob):
    X, y, lik, prior = prob
    fit = br.Model(lik, prior).map(X, y, tol=1e-8)
    assert fit.converged and fit.optimality <= fit.tol
    assert np.all(np.isfinite(fit.coef)) and np.isfinite(fit.log_posterior)
    # independent KKT check with the gradient of the datafit written out here
    eta = fit.intercept + X @ fit.coef
    if isinstance(lik, br.Gaussian):
        g = (eta - y) / lik.sigma**2
    elif isinstance(lik, br.Bernoulli):
        g = 1 / (1 + np.exp(-eta)) - y
    else:
        g = np.exp(eta) - y
    l1, l2 = prior.penalty_weights(X.shape[1])
    grad = X.T @ g + l2 * fit.coef
    scale = max(1.0, np.abs(X.T @ (y - y.mean())).max(), l1.max(initial=0))
    nz = fit.coef != 0
    assert np.all(np.abs(grad[nz] + l1[nz] * np.sign(fit.coef[nz])) <= 1e-4 * scale)
    assert np.all(np.abs(grad[~nz]) <= l1[~nz] + 1e-4 * scale)


@SETTINGS
@given(problems(), st.data())
def test_column_and_row_order_invariance(prob, data):
    X, y, lik, prior = prob
    n, p = X.shape
    model = br.Model(lik, prior)
    fit = model.map(X, y, tol=1e-10)
    perm_c = np.array(data.draw(st.permutations(range(p))))
    perm_r = np.array(data.draw(st.permutations(range(n))))
    fit_c = model.map(X[:, perm_c], y, tol=1e-10)
    fit_r = model.map(X[perm_r], y[perm_r], tol=1e-10)
    tol = 1e-5 * max(1.0, np.abs(fit.coef).max())
    np.testing.assert_allclose(fit_c.coef, fit.coef[perm_c], atol=tol)
    np.testing.assert_allclose(fit_r.coef, fit.coef, atol=tol)
    assert np.isclose(fit_r.log_posterior, fit.log_posterior, rtol=1e-8, atol=1e-8)


@SETTINGS
@given(st.sampled_from(["normal", "laplace", "enet"]), scales, scales, st.floats(0.1, 10),
       st.integers(1, 10_000), st.sampled_from(["gaussian", "binomial", "poisson"]))
def test_conversions_round_trip(kind, a, b, sigma, n, family):
    prior = {"normal": br.Normal(a), "laplace": br.Laplace(a), "enet": br.ElasticNetPrior(a, b)}[kind]
    lik = {"gaussian": br.Gaussian(sigma), "binomial": br.Bernoulli(), "poisson": br.Poisson()}[family]
    model = br.Model(lik, prior)
    g = model.to_glmnet(n_samples=n)
    back = br.Model.from_glmnet(g["lambda_"], g["alpha"], family=g["family"], n_samples=n, sigma=sigma)
    for name in prior._params:
        assert np.isclose(getattr(back.prior, name), getattr(prior, name), rtol=1e-10)
    if family == "poisson" and kind != "normal":
        return  # no scikit-learn L1 Poisson
    est = model.to_sklearn(n_samples=n)
    back2 = br.Model.from_sklearn(est, n_samples=n, sigma=sigma)
    for name in prior._params:
        assert np.isclose(getattr(back2.prior, name), getattr(prior, name), rtol=1e-10)


@SETTINGS
@given(st.floats(0.05, 20), problems(lik_kinds=("gauss",)))
def test_path_is_monotone_in_sparsity_at_start(eps_scale, prob):
    X, y, lik, _ = prob
    assume(np.abs(X - X.mean(0)).max() > 1e-8)
    path = br.Model(lik, br.Laplace(1.0)).map_path(X, y, n_scales=8, eps=1e-2)
    assert np.all(path.coefs[0] == 0)
    assert all(r.converged for r in path.results)


weird = st.one_of(
    arrays(np.float64, st.tuples(st.integers(0, 6), st.integers(0, 4)),
           elements=st.floats(allow_nan=True, allow_infinity=True)),
    arrays(np.float64, st.integers(0, 6), elements=st.floats(-5, 5)),
    st.lists(st.text(max_size=3), max_size=4),
    st.none(),
)


@SETTINGS
@given(weird, weird, st.sampled_from([br.Gaussian(1.0), br.Gaussian(None), br.Bernoulli(), br.Poisson()]))
def test_only_documented_errors(X, y, lik):
    try:
        br.Model(lik, br.Laplace(1.0)).map(X, y)
    except BayesregError:
        pass
    except br.ConvergenceWarning:  # pragma: no cover
        pytest.fail("warnings must not be raised as errors")
