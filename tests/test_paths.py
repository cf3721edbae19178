"""Regularization paths: the analytic all-zero scale, agreement with sklearn's lasso_path,
continuity and warm starts."""

import numpy as np
import pytest
from sklearn.linear_model import enet_path, lasso_path

import bayesreg as br


def _data(rng, n=80, p=12):
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 2, size=p)
    y = 1.0 + X[:, :4] @ np.array([2.0, -1.0, 0.5, 1.5]) + rng.normal(size=n)
    return X, y


@pytest.mark.parametrize("lik", [br.Gaussian(1.0), br.Gaussian(None), br.Bernoulli(), br.Poisson()],
                         ids=["gauss", "gauss-sigma", "bern", "pois"])
def test_first_point_is_exactly_the_all_zero_threshold(rng, lik):
    X, y = _data(rng)
    if isinstance(lik, br.Bernoulli):
        y = (y > 1).astype(float)
    elif isinstance(lik, br.Poisson):
        y = rng.poisson(np.exp(0.3 * X[:, 0])).astype(float)
    model = br.Model(lik, br.Laplace(1.0))
    path = model.map_path(X, y, n_scales=20)
    assert np.all(path.coefs[0] == 0)
    assert np.any(path.coefs[1] != 0)
    # slightly below the threshold scale -> still zero; slightly above -> not
    b0 = path.scales[0]
    assert np.all(br.Model(lik, br.Laplace(b0 * 0.999)).map(X, y).coef == 0)
    assert np.any(br.Model(lik, br.Laplace(b0 * 1.01)).map(X, y).coef != 0)


def test_lasso_path_matches_sklearn(rng):
    X, y = _data(rng)
    n = len(y)
    path = br.Model(br.Gaussian(1.0), br.Laplace(1.0)).map_path(X, y, n_scales=30, tol=1e-12)
    alphas = 1.0 / (n * path.scales)  # Lasso alpha = sigma^2 / (n b)
    Xc, yc = X - X.mean(0), y - y.mean()
    _, coefs, _ = lasso_path(Xc, yc, alphas=alphas, tol=1e-14, max_iter=100_000)
    np.testing.assert_allclose(path.coefs, coefs.T, atol=1e-6)
    assert np.isclose(alphas[0], np.abs(Xc.T @ yc).max() / n)  # sklearn's alpha_max


def test_enet_path_matches_sklearn(rng):
    X, y = _data(rng)
    n = len(y)
    prior = br.ElasticNetPrior(1.0, 1.0 / np.sqrt(3.0))  # l2 / l1 = 3 -> l1_ratio = 1/4
    path = br.Model(br.Gaussian(1.0), prior).map_path(X, y, n_scales=15, tol=1e-12)
    alphas = np.array([(1 / pr.l1_scale + 1 / pr.l2_scale**2) / n for pr in path.priors])
    Xc, yc = X - X.mean(0), y - y.mean()
    _, coefs, _ = enet_path(Xc, yc, l1_ratio=0.25, alphas=alphas, tol=1e-14, max_iter=100_000)
    np.testing.assert_allclose(path.coefs, coefs.T, atol=1e-6)


def test_path_is_continuous_and_user_scales(rng):
    X, y = _data(rng)
    model = br.Model(br.Gaussian(1.0), br.Laplace(1.0))
    path = model.map_path(X, y, n_scales=200)
    jumps = np.abs(np.diff(path.coefs, axis=0)).max(axis=1)
    assert jumps.max() < 0.2 * np.abs(path.coefs).max()
    custom = model.map_path(X, y, scales=[1.0, 0.01, 0.1])
    np.testing.assert_allclose(custom.scales, [0.01, 0.1, 1.0])
    np.testing.assert_allclose(custom.coefs[2], br.Model(br.Gaussian(1.0), br.Laplace(1.0)).map(X, y).coef,
                               atol=1e-5)
    assert len(path.to_frame()) == 200 * X.shape[1]


def test_ridge_path_spans_shrinkage(rng):
    X, y = _data(rng)
    path = br.Model(br.Gaussian(1.0), br.Normal(1.0)).map_path(X, y, n_scales=10)
    ols = np.linalg.lstsq(np.c_[np.ones(len(y)), X], y, rcond=None)[0][1:]
    assert np.abs(path.coefs[0]).max() < 0.05 * np.abs(ols).max()
    np.testing.assert_allclose(path.coefs[-1], ols, rtol=0.05, atol=0.02)


def test_per_coefficient_path_keeps_ratios(rng):
    X, y = _data(rng)
    scales = np.linspace(0.5, 2.0, X.shape[1])
    path = br.Model(br.Gaussian(1.0), br.Laplace(scales)).map_path(X, y, n_scales=5)
    for pr in path.priors:
        np.testing.assert_allclose(pr.scale / pr.scale.max(), scales / scales.max())


@pytest.mark.parametrize("kw", [dict(scales=[-1.0]), dict(scales=[]), dict(n_scales=0), dict(eps=2.0)])
def test_bad_path_arguments(rng, kw):
    X, y = _data(rng)
    with pytest.raises(br.ParameterError):
        br.Model(br.Gaussian(1.0), br.Laplace(1.0)).map_path(X, y, **kw)


@pytest.mark.parametrize("prior", [br.Laplace(1.0), br.ElasticNetPrior(1.0, 2.0)])
def test_path_log_posteriors_match_scipy_densities(rng, prior):
    """Every point's log posterior (taken from the solver's Gram statistics, not from X) equals
    the sum of scipy.stats log densities at the returned point."""
    from scipy import stats

    n, p = 200, 15
    X = rng.standard_normal((n, p)) + 2.0
    y = 1.0 + X[:, :3] @ np.array([1.5, -2.0, 0.5]) + rng.standard_normal(n)
    sigma = 1.3
    path = br.Model(br.Gaussian(sigma), prior).map_path(X, y, n_scales=12, tol=1e-10)
    for r, pr in zip(path.results, path.priors):
        ll = stats.norm.logpdf(y, r.intercept + X @ r.coef, sigma).sum()
        if isinstance(pr, br.Laplace):
            lp = stats.laplace.logpdf(r.coef, scale=pr.scale).sum()
        else:  # product of the two kernels, normalized numerically
            from scipy.integrate import quad

            b, tau = pr.l1_scale, pr.l2_scale
            z = quad(lambda t, b=b, tau=tau: np.exp(-abs(t) / b - t * t / (2 * tau**2)), -np.inf,
                     np.inf)[0]
            lp = float(np.sum(-np.abs(r.coef) / b - r.coef**2 / (2 * tau**2) - np.log(z)))
        assert r.log_posterior == pytest.approx(ll + lp, rel=1e-10, abs=1e-8)


def test_map_path_of_a_prior_without_a_mode_explains_itself(rng):
    """Regression: map_path on a BayesianLasso raised AttributeError ('no attribute
    strength_for_scale') instead of the documented NotSupportedError."""
    X, y = _data(rng)
    model = br.Model(br.Gaussian(1.0), br.BayesianLasso(0.5, relative_to_sigma=False))
    for kw in ({"scales": [0.1, 1.0]}, {"n_scales": 5}):
        with pytest.raises(br.NotSupportedError, match=r"use Laplace\(0.5\) for its MAP"):
            model.map_path(X, y, **kw)


def _enet_gap(X, y, sw, w, b0, a, c):
    """Duality gap of ``1/2 sum sw (y - b0 - Xw)^2 + a|w| + c/2 w^2`` with b0 profiled out,
    computed here from scratch (augmented-lasso dual point, scikit-learn's construction)."""
    S = sw.sum()
    xbar, ybar = sw @ X / S, sw @ y / S
    v = np.sqrt(sw)
    Xt, yt = v[:, None] * (X - xbar), v * (y - ybar)
    r = yt - Xt @ w
    g = Xt.T @ r - c * w
    s = min(1.0, np.min(a / np.maximum(np.abs(g), 1e-300)))
    primal = 0.5 * r @ r + a @ np.abs(w) + 0.5 * c @ (w * w)
    theta, th2 = s * r, -s * np.sqrt(c) * w
    dual = -0.5 * (theta @ theta + th2 @ th2) + theta @ yt
    assert b0 == pytest.approx(ybar - xbar @ w, rel=1e-10, abs=1e-10)
    return primal - dual, primal


@pytest.mark.parametrize("prior", [br.Laplace(1.0), br.ElasticNetPrior(1.0, 0.5)])
def test_fast_gram_path_certifies_every_point(rng, prior):
    """The tall path's one-call Gram loop: every point's reported gap and objective equal the
    ones computed here from its coefficients, each certified point really is within its
    tolerance, and a budget too small to certify is reported as not converged (with the
    ConvergenceWarning), never as converged."""
    n, p, sigma = 400, 12, 0.8
    X = rng.normal(size=(n, p)) + 1.0
    y = 2.0 + X[:, :4] @ np.array([1.0, -2.0, 0.5, 0.3]) + rng.normal(size=n)
    sw = rng.uniform(0.5, 2.0, n)
    model = br.Model(br.Gaussian(sigma), prior)
    path = model.map_path(X, y, sample_weight=sw, n_scales=40, tol=1e-8)
    for r, pr in zip(path.results, path.priors):
        a, c = pr.as_penalty(p).weights
        gap, primal = _enet_gap(X, y, sw, r.coef, r.intercept, a * sigma**2, c * sigma**2)
        assert r.converged and r.optimality <= r.tol
        assert gap / sigma**2 <= r.tol * (1 + 1e-6) + 1e-12
        assert r.optimality == pytest.approx(gap / sigma**2, rel=1e-5, abs=1e-9 * primal)
        # objective = datafit + penalty in nats (the module docstring of map.objective)
        assert r.objective == pytest.approx(primal / sigma**2, rel=1e-10)
    np.testing.assert_array_equal(path.coefs, [r.coef for r in path.results])
    with pytest.warns(br.ConvergenceWarning):
        short = model.map_path(X, y, sample_weight=sw, n_scales=40, tol=1e-12, max_iter=1)
    for r, pr in zip(short.results, short.priors):
        a, c = pr.as_penalty(p).weights
        gap, _ = _enet_gap(X, y, sw, r.coef, r.intercept, a * sigma**2, c * sigma**2)
        assert r.converged == (gap / sigma**2 <= r.tol * (1 + 1e-6))
    assert not all(r.converged for r in short.results)
