"""The exact Gibbs sampler against independent references.

* ridge, fixed sigma: the posterior of (intercept, coef) is Gaussian in closed form;
* Laplace / elastic net, fixed sigma, p = 1 and 2: posterior moments by numerical quadrature of
  the exact (intercept-marginalized) density;
* estimated sigma, p = 1: 2-D quadrature over (coef, sigma), for the rejection step and for the
  slice-sampling fallback.

Every comparison is a z-score scaled by the Monte Carlo standard error computed by ArviZ.
"""

from __future__ import annotations

import json

import arviz_stats
import numpy as np
import pytest
import scipy.sparse as sp
import scipy.stats as st
import xarray as xr
from scipy import integrate

import bayesreg as br
from bayesreg._errors import BayesregTypeError, NotSupportedError, ParameterError
from bayesreg.samplers import sample_gibbs
from bayesreg.suffstats import SuffStats

Z_MAX = 4.5


def _z(samples: xr.DataArray, truth: float) -> float:
    """(posterior-draw mean - truth) / MCSE (ArviZ, autocorrelation-aware)."""
    m = float(samples.mean(("chain", "draw")))
    se = float(arviz_stats.mcse(samples))
    return (m - truth) / se


def _centered_stats(X, y, sw):
    S = sw.sum()
    xbar = sw @ X / S
    ybar = sw @ y / S
    Xc, yc = X - xbar, y - ybar
    return S, xbar, ybar, Xc.T @ (sw[:, None] * Xc), Xc.T @ (sw * yc), float(yc @ (sw * yc))


# ----------------------------------------------------------------------------- ridge
@pytest.mark.parametrize("shape", [(40, 3), (12, 30)], ids=["n>p", "p>n (O(n^2 p) draw)"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_ridge_fixed_sigma_matches_closed_form(fit_intercept, shape):
    rng = np.random.default_rng(0)
    (n, p), sigma, tau = shape, 0.8, 0.5
    X = rng.normal(size=(n, p)) + 0.3
    y = 0.7 + X[:, :3] @ np.array([0.5, -0.3, 0.0]) + sigma * rng.normal(size=n)
    sw = rng.uniform(0.5, 2.0, size=n)
    model = br.Model(br.Gaussian(sigma=sigma), br.Normal(tau), fit_intercept=fit_intercept)
    dt = sample_gibbs(model, X, y, draws=1500, tune=100, chains=4, random_seed=3,
                      sample_weight=sw, log_likelihood=False)
    # exact joint posterior of (b0, w): precision Z^T W Z / sigma^2 + diag(0, 1/tau^2)
    Z = np.column_stack([np.ones(n), X]) if fit_intercept else X
    prec = Z.T @ (sw[:, None] * Z) / sigma**2
    prior_prec = np.r_[0.0, np.full(p, tau**-2)] if fit_intercept else np.full(p, tau**-2)
    prec += np.diag(prior_prec)
    cov = np.linalg.inv(prec)
    mean = cov @ (Z.T @ (sw * y)) / sigma**2
    post = dt.posterior
    thetas = [post.coef.isel(feature=j) for j in range(p)]
    if fit_intercept:
        thetas = [post.intercept] + thetas
    else:
        assert "intercept" not in post
    zs = []
    for i, ti in enumerate(thetas):
        zs.append(_z(ti, mean[i]))
        for k, tk in enumerate(thetas[: i + 1]):
            prod = (ti - mean[i]) * (tk - mean[k])
            zs.append(_z(prod, cov[i, k]))
    assert np.max(np.abs(zs)) < Z_MAX, zs


def test_sparse_X_gives_the_same_draws():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 4)) * (rng.uniform(size=(60, 4)) < 0.4)
    y = X @ np.array([1.0, 0.0, -1.0, 0.5]) + rng.normal(size=60)
    model = br.Model(br.Gaussian(), br.Laplace(0.3))
    d1 = sample_gibbs(model, X, y, draws=200, tune=50, chains=2, random_seed=5)
    d2 = sample_gibbs(model, sp.csr_matrix(X), y, draws=200, tune=50, chains=2, random_seed=5)
    np.testing.assert_allclose(d1.posterior.coef.values, d2.posterior.coef.values, atol=1e-8)
    np.testing.assert_allclose(d1.log_likelihood.y.values, d2.log_likelihood.y.values, atol=1e-8)


# ----------------------------------------------------------------- Laplace / EN, fixed sigma
def _fixed_sigma_data(seed, n, coef):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, len(coef)))
    if len(coef) > 1:
        X[:, 1] += 0.6 * X[:, 0]  # correlated columns: the 2-D posterior is not a product
    y = -0.4 + X @ np.asarray(coef) + rng.normal(size=n)
    return X, y, rng.uniform(0.5, 1.5, size=n)


def test_laplace_p1_fixed_sigma_vs_quadrature():
    X, y, sw = _fixed_sigma_data(2, 15, [0.15])
    sigma, b = 1.0, 0.2
    S, xbar, ybar, G, q, _ = _centered_stats(X, y, sw)
    G, q = G[0, 0], q[0]
    # exact marginal posterior of w (intercept integrated out under its flat prior)
    mode = q / G

    def dens(w, k):
        return w**k * np.exp(-(G * (w - mode) ** 2) / (2 * sigma**2) - abs(w) / b)

    lim = mode + 12 * sigma / np.sqrt(G)
    mom = [integrate.quad(dens, -abs(lim) - 5, abs(lim) + 5, args=(k,), points=[0.0],
                          limit=200, epsabs=0)[0] for k in range(3)]
    ew, ew2 = mom[1] / mom[0], mom[2] / mom[0]
    assert 0.05 < abs(ew - mode)  # the prior matters here (test is not vacuous)
    dt = sample_gibbs(br.Model(br.Gaussian(sigma=sigma), br.Laplace(b)), X, y, draws=2500,
                      tune=200, chains=4, random_seed=11, sample_weight=sw, log_likelihood=False)
    w = dt.posterior.coef.isel(feature=0)
    zs = [_z(w, ew), _z(w**2, ew2), _z(dt.posterior.intercept, ybar - xbar[0] * ew)]
    assert np.max(np.abs(zs)) < Z_MAX, zs


def _grid_moments_2d(logdens, lo, hi, m=401):
    g1 = np.linspace(lo[0], hi[0], m)
    g2 = np.linspace(lo[1], hi[1], m)
    W1, W2 = np.meshgrid(g1, g2, indexing="ij")
    ld = logdens(W1, W2)
    f = np.exp(ld - ld.max())
    Z = f.sum()
    return {"w1": (W1 * f).sum() / Z, "w2": (W2 * f).sum() / Z,
            "w1w1": (W1**2 * f).sum() / Z, "w2w2": (W2**2 * f).sum() / Z,
            "w1w2": (W1 * W2 * f).sum() / Z}


@pytest.mark.parametrize("prior", [br.Laplace(np.array([0.15, 0.4])),
                                   br.ElasticNetPrior(0.2, 0.3)])
def test_l1_priors_p2_fixed_sigma_vs_grid(prior):
    X, y, sw = _fixed_sigma_data(4, 20, [0.3, -0.2])
    sigma = 1.0
    _, xbar, ybar, G, q, _ = _centered_stats(X, y, sw)
    a, c = prior.penalty_weights(2)  # the prior's own density in penalty form (tested elsewhere)
    assert np.allclose(prior.logpdf(np.array([0.3, -0.2])) + np.log([1, 1]),
                       -a * np.abs([0.3, -0.2]) - 0.5 * c * np.array([0.3, -0.2]) ** 2
                       - prior.as_penalty(2).log_z())

    def logdens(w1, w2):
        quad = G[0, 0] * w1**2 + 2 * G[0, 1] * w1 * w2 + G[1, 1] * w2**2 - 2 * (q[0] * w1 + q[1] * w2)
        return (-quad / (2 * sigma**2) - a[0] * np.abs(w1) - a[1] * np.abs(w2)
                - 0.5 * (c[0] * w1**2 + c[1] * w2**2))

    mom = _grid_moments_2d(logdens, (-2.0, -2.0), (2.0, 2.0), m=801)
    dt = sample_gibbs(br.Model(br.Gaussian(sigma=sigma), prior), X, y, draws=2500, tune=200,
                      chains=4, random_seed=7, sample_weight=sw, log_likelihood=False)
    w1 = dt.posterior.coef.isel(feature=0)
    w2 = dt.posterior.coef.isel(feature=1)
    zs = [_z(w1, mom["w1"]), _z(w2, mom["w2"]), _z(w1**2, mom["w1w1"]), _z(w2**2, mom["w2w2"]),
          _z(w1 * w2, mom["w1w2"]),
          _z(dt.posterior.intercept, ybar - xbar[0] * mom["w1"] - xbar[1] * mom["w2"])]
    assert np.max(np.abs(zs)) < Z_MAX, zs


# ----------------------------------------------------------------------- estimated sigma
@pytest.mark.parametrize("sigma_prior_scale,expect_fallback", [(None, False), (0.15, True)])
def test_sigma_estimated_p1_vs_quadrature(sigma_prior_scale, expect_fallback):
    rng = np.random.default_rng(8)
    n = 12
    X = rng.normal(size=(n, 1))
    y = 0.5 + 0.4 * X[:, 0] + 1.0 * rng.normal(size=n)
    lik = br.Gaussian(sigma=None, sigma_prior_scale=sigma_prior_scale)
    b = 0.3
    sw = np.ones(n)
    s = lik.resolve_sigma_prior_scale(y, sw)
    S, xbar, ybar, G, q, yy = _centered_stats(X, y, sw)
    G, q = G[0, 0], q[0]

    # p(w, sigma | y) ∝ sigma^-(S-1) exp(-RSS_c(w) / (2 sigma^2)) exp(-|w|/b) exp(-sigma^2/(2 s^2))
    # (the flat intercept integrated out contributes sqrt(2 pi sigma^2 / S))
    def logdens(w, sig):
        rss = yy - 2 * q * w + G * w**2
        return -(S - 1) * np.log(sig) - rss / (2 * sig**2) - np.abs(w) / b - sig**2 / (2 * s**2)

    mom = _grid_moments_2d(logdens, (-2.5, 0.02), (2.5, 4.0), m=1201)  # keys w1 = w, w2 = sigma
    dt = sample_gibbs(br.Model(lik, br.Laplace(b)), X, y, draws=2500, tune=200, chains=4,
                      random_seed=21, log_likelihood=False)
    post = dt.posterior
    zs = [_z(post.coef.isel(feature=0), mom["w1"]), _z(post.sigma, mom["w2"]),
          _z(post.sigma**2, mom["w2w2"]), _z(post.intercept, ybar - xbar[0] * mom["w1"])]
    assert np.max(np.abs(zs)) < Z_MAX, zs
    rate = float(dt.sample_stats.sigma_exact_rate.mean())
    if expect_fallback:
        assert rate < 0.5  # the slice-sampling fallback was exercised
    else:
        assert rate == 1.0


# ------------------------------------------------------------------------ Bayesian lasso
def test_bayesian_lasso_relative_sigma_estimated_vs_quadrature():
    from bayesreg.priors import BayesianLasso

    rng = np.random.default_rng(12)
    n, b = 14, 0.25
    X = rng.normal(size=(n, 1))
    y = 0.2 + 0.3 * X[:, 0] + rng.normal(size=n)
    lik = br.Gaussian(sigma_prior_scale=1.5)
    S, xbar, ybar, G, q, yy = _centered_stats(X, y, np.ones(n))
    G, q = G[0, 0], q[0]

    # w | sigma ~ Laplace(0, sigma b): density exp(-|w| / (sigma b)) / (2 sigma b)
    def logdens(w, sig):
        rss = yy - 2 * q * w + G * w**2
        return (-(S - 1) * np.log(sig) - rss / (2 * sig**2) - np.abs(w) / (sig * b)
                - np.log(sig) - sig**2 / (2 * 1.5**2))

    mom = _grid_moments_2d(logdens, (-2.5, 0.02), (2.5, 4.0), m=1201)
    dt = sample_gibbs(br.Model(lik, BayesianLasso(scale=b)), X, y, draws=2500, tune=200,
                      chains=4, random_seed=2, log_likelihood=False)
    post = dt.posterior
    zs = [_z(post.coef.isel(feature=0), mom["w1"]), _z(post.coef.isel(feature=0) ** 2, mom["w1w1"]),
          _z(post.sigma, mom["w2"]), _z(post.sigma**2, mom["w2w2"])]
    assert np.max(np.abs(zs)) < Z_MAX, zs


def test_bayesian_lasso_hyperprior_vs_quadrature():
    from bayesreg.priors import BayesianLasso

    rng = np.random.default_rng(13)
    n, sigma, r, delta = 10, 0.8, 2.0, 1.0
    X = rng.normal(size=(n, 1))
    y = 0.25 * X[:, 0] + sigma * rng.normal(size=n)
    _, xbar, ybar, G, q, _ = _centered_stats(X, y, np.ones(n))
    G, q = G[0, 0], q[0]

    # p(w, lam2 | y) ∝ exp(-(G w^2 - 2 q w)/(2 sigma^2)) Laplace(w; sigma/lam) Gamma(lam2; r, delta)
    def logdens(w, loglam2):
        lam2 = np.exp(loglam2)
        lam = np.sqrt(lam2)
        return (-(G * w**2 - 2 * q * w) / (2 * sigma**2) + np.log(lam / sigma) - lam * np.abs(w)
                / sigma + r * loglam2 - delta * lam2)  # + loglam2: Jacobian of the log grid

    mom = _grid_moments_2d(logdens, (-3.0, -8.0), (3.0, 4.0), m=1201)
    lam2_grid = np.exp(np.linspace(-8.0, 4.0, 1201))
    W1, L2 = np.meshgrid(np.linspace(-3.0, 3.0, 1201), np.log(lam2_grid), indexing="ij")
    f = np.exp(logdens(W1, L2) - logdens(W1, L2).max())
    e_lam2 = float((np.exp(L2) * f).sum() / f.sum())
    model = br.Model(br.Gaussian(sigma=sigma), BayesianLasso(lam2_prior=(r, delta)))
    dt = sample_gibbs(model, X, y, draws=2500, tune=200, chains=4, random_seed=4,
                      log_likelihood=False)
    post = dt.posterior
    zs = [_z(post.coef.isel(feature=0), mom["w1"]), _z(post.coef.isel(feature=0) ** 2, mom["w1w1"]),
          _z(post.lam2, e_lam2)]
    assert np.max(np.abs(zs)) < Z_MAX, zs


# ---------------------------------------------------------------------------- mechanics
def _small(seed=0, n=30, p=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    return X, X @ np.arange(1, p + 1) * 0.3 + rng.normal(size=n)


def test_seeds_reproducible_and_chains_independent():
    X, y = _small()
    m = br.Model(br.Gaussian(), br.Laplace(0.5))
    d1 = sample_gibbs(m, X, y, draws=50, tune=10, chains=3, random_seed=42)
    d2 = sample_gibbs(m, X, y, draws=50, tune=10, chains=3, random_seed=42)
    d3 = sample_gibbs(m, X, y, draws=50, tune=10, chains=3, random_seed=43)
    for v in ("coef", "intercept", "sigma"):
        np.testing.assert_array_equal(d1.posterior[v].values, d2.posterior[v].values)
    assert not np.allclose(d1.posterior.coef.values, d3.posterior.coef.values)
    c = d1.posterior.coef.values
    assert not np.allclose(c[0], c[1]) and not np.allclose(c[1], c[2])


def test_integer_weights_equal_duplicated_rows():
    X, y = _small(3, n=20)
    sw = np.r_[np.full(10, 2.0), np.ones(10)]
    Xd = np.vstack([X[:10], X])
    yd = np.r_[y[:10], y]
    m = br.Model(br.Gaussian(sigma=0.9), br.ElasticNetPrior(0.5, 1.0))
    d1 = sample_gibbs(m, X, y, draws=100, tune=10, chains=2, random_seed=1, sample_weight=sw)
    d2 = sample_gibbs(m, Xd, yd, draws=100, tune=10, chains=2, random_seed=1)
    np.testing.assert_allclose(d1.posterior.coef.values, d2.posterior.coef.values, atol=1e-8)


def test_output_format_loglik_and_lp():
    pd = pytest.importorskip("pandas")
    X, y = _small(5, n=25, p=2)
    df = pd.DataFrame(X, columns=["age", "bmi"])
    sw = np.linspace(0.5, 1.5, 25)
    m = br.Model(br.Gaussian(sigma_prior_scale=2.0), br.Laplace(0.4))
    dt = sample_gibbs(m, df, y, draws=20, tune=5, chains=2, random_seed=0, sample_weight=sw)
    assert set(dt.children) >= {"posterior", "sample_stats", "observed_data", "log_likelihood"}
    post = dt.posterior
    assert post.coef.dims == ("chain", "draw", "feature")
    assert list(post.feature.values) == ["age", "bmi"]
    assert post.intercept.dims == ("chain", "draw") and post.sigma.dims == ("chain", "draw")
    assert br.Model.from_dict(json.loads(dt.attrs["bayesreg_model"])) == m
    np.testing.assert_array_equal(dt.observed_data.y.values, y)
    # pointwise log-likelihood = sw_i * scipy's normal logpdf
    c, d = 1, 7
    w = post.coef.values[c, d]
    b0 = float(post.intercept.values[c, d])
    sig = float(post.sigma.values[c, d])
    ref = sw * st.norm.logpdf(y, loc=b0 + X @ w, scale=sig)
    np.testing.assert_allclose(dt.log_likelihood.y.values[c, d], ref, rtol=1e-12)
    # lp = exact log posterior (likelihood + Laplace prior + HalfNormal prior on sigma)
    lp = ref.sum() + st.laplace.logpdf(w, scale=0.4).sum() + st.halfnorm.logpdf(sig, scale=2.0)
    np.testing.assert_allclose(float(dt.sample_stats.lp.values[c, d]), lp, rtol=1e-10)


def test_fixed_sigma_has_no_sigma_variable():
    X, y = _small()
    dt = sample_gibbs(br.Model(br.Gaussian(sigma=1.0), br.Normal(1.0)), X, y, draws=5, tune=0,
                      chains=1, random_seed=0)
    assert "sigma" not in dt.posterior
    assert dt.log_likelihood.y.shape == (1, 5, 30)


def test_bad_input_raises_bayesreg_errors():
    X, y = _small()
    ok = br.Model(br.Gaussian(), br.Normal(1.0))
    with pytest.raises(NotSupportedError, match="needs a likelihood with a Gibbs form"):
        sample_gibbs(br.Model(br.Poisson(), br.Normal(1.0)), X, np.round(np.abs(y)))
    with pytest.raises(ParameterError, match="draws"):
        sample_gibbs(ok, X, y, draws=0)
    with pytest.raises(BayesregTypeError, match="random_seed"):
        sample_gibbs(ok, X, y, random_seed="abc")
    with pytest.raises(BayesregTypeError, match="model"):
        sample_gibbs("not a model", X, y)
    with pytest.raises(ParameterError, match="entries"):
        sample_gibbs(br.Model(br.Gaussian(), br.Laplace(np.ones(2))), X, y, draws=5)


@pytest.mark.slow
def test_gibbs_matches_nuts_on_the_same_model():
    """Posterior means and second moments, Gibbs vs nutpie on the PyMC form of the model."""
    pytest.importorskip("nutpie")
    from bayesreg.pymc import sample

    rng = np.random.default_rng(9)
    n, p = 80, 3
    X = rng.normal(size=(n, p))
    y = 0.5 + X @ np.array([0.6, 0.0, -0.3]) + rng.normal(size=n)
    model = br.Model(br.Gaussian(), br.Laplace(0.2))
    g = sample_gibbs(model, X, y, draws=2000, tune=200, chains=4, random_seed=1,
                     log_likelihood=False).posterior
    nt = sample(model, X, y, draws=1000, tune=500, chains=2, random_seed=1, sampler="nutpie",
                progressbar=False, log_likelihood=False).posterior
    zs = []
    for v in ("coef", "intercept", "sigma"):
        for k in (1, 2):
            a, b = g[v] ** k, nt[v] ** k
            d = a.mean(("chain", "draw")) - b.mean(("chain", "draw"))
            se = np.sqrt(arviz_stats.mcse(a) ** 2 + arviz_stats.mcse(b) ** 2)
            zs.extend(np.ravel((d / se).values))
    assert np.max(np.abs(zs)) < Z_MAX, zs


@pytest.mark.parametrize("prior", [br.Laplace(0.4), br.ElasticNetPrior(0.4, 1.0)])
def test_wide_draw_matches_the_gram_draw_on_latent_models(prior):
    """p > n: the O(n^2 p) coefficient draw (Bhattacharya et al. 2016) and the p x p Cholesky
    draw (validated against quadrature above) sample the same posterior, with latent Laplace
    scales and an estimated sigma: posterior means and second moments agree within their
    combined Monte Carlo standard errors."""
    from bayesreg.samplers import gibbs

    rng = np.random.default_rng(7)
    n, p = 15, 25
    X = rng.normal(size=(n, p))
    y = 1.0 + X[:, :3] @ np.array([1.5, -1.0, 0.5]) + 0.5 * rng.normal(size=n)
    sw = np.ones(n)
    model = br.Model(br.Gaussian(), prior)
    s_prior = model.likelihood.resolve_sigma_prior_scale(y, sw)
    wide_stats, rows = gibbs.wide_rows(X, y, sw, True)
    narrow_stats = SuffStats.from_rows(X, y, sw, True)
    post_w, _ = gibbs.gibbs_draws(model, wide_stats, 3000, 300, 4, 11, s_prior, rows)
    post_n, _ = gibbs.gibbs_draws(model, narrow_stats, 3000, 300, 4, 12, s_prior)

    def da(a):
        return xr.DataArray(a, dims=("chain", "draw"))

    zs = []
    for key in ("intercept", "sigma"):
        for f in (lambda t: t, lambda t: t * t):
            a, b = da(f(post_w[key])), da(f(post_n[key]))
            zs.append(float(a.mean() - b.mean())
                      / np.hypot(float(arviz_stats.mcse(a)), float(arviz_stats.mcse(b))))
    for j in range(4):
        for f in (lambda t: t, lambda t: t * t):
            a, b = da(f(post_w["coef"][..., j])), da(f(post_n["coef"][..., j]))
            zs.append(float(a.mean() - b.mean())
                      / np.hypot(float(arviz_stats.mcse(a)), float(arviz_stats.mcse(b))))
    assert np.max(np.abs(zs)) < Z_MAX, zs


def test_wide_draw_survives_a_tiny_sigma():
    """p > n with an intercept: the centered rows have the null vector sqrt(sw), along which the
    n x n matrix of the O(n^2 p) draw has eigenvalue exactly 1; at sigma = 1e-9 the rounding of
    X~X~'/sigma^2 swamped it and the Cholesky failed. Now the draw succeeds and, as sigma -> 0,
    interpolates: ||y~ - X~ w|| is of the order sigma * sqrt(n)."""
    from bayesreg.samplers import gibbs

    rng = np.random.default_rng(0)
    n, p = 12, 30
    X = rng.standard_normal((n, p)) + 2.0
    y = X[:, :3] @ np.array([1.0, -2.0, 0.5]) + rng.standard_normal(n)
    sw = rng.uniform(0.3, 2.0, n)
    _, (Xt, yt, vn) = gibbs.wide_rows(X, y, sw, True)
    assert abs(float(vn @ Xt[:, 0])) < 1e-12 * np.abs(Xt).max()
    sigma = 1e-8  # (without the null-vector term this factorization fails for these data)
    w = np.zeros(p)
    gibbs.draw_coef_wide(Xt, yt, 1.0 / sigma**2, np.full(p, 4.0), w, np.random.default_rng(0),
                          np.empty((n, p)), np.empty((n, n)), np.zeros((n, n)), np.empty(p),
                          np.empty(n), vn)
    assert np.all(np.isfinite(w))
    assert np.linalg.norm(yt - Xt @ w) < 1e-6 * np.linalg.norm(yt)


def test_auto_sampler_is_gibbs_where_it_exists_and_is_cheap():
    """The default sampler: the exact Gibbs sampler for Gaussian models whose coefficient draw
    is cheap (min(n, p) <= GIBBS_AUTO_MAX_DIM dense, p sparse); nutpie otherwise; the choice is
    recorded in the tree."""
    from bayesreg.samplers import GIBBS_AUTO_MAX_DIM, choose_sampler

    m = br.Model(br.Gaussian(), br.Laplace(0.5))
    rng = np.random.default_rng(3)
    X = rng.standard_normal((30, 3))
    y = X[:, 0] + rng.standard_normal(30)
    assert choose_sampler(m, X) == "gibbs"
    dt = m.sample(X, y, draws=20, tune=10, chains=1, random_seed=1, progressbar=False)
    assert dt.attrs["sampler"] == "gibbs"
    np.testing.assert_array_equal(
        dt.posterior["coef"].values,
        m.sample(X, y, draws=20, tune=10, chains=1, random_seed=1, progressbar=False,
                 sampler="gibbs").posterior["coef"].values)
    big = GIBBS_AUTO_MAX_DIM + 1
    assert choose_sampler(m, np.zeros((big, big))) == "nutpie"      # O(d^3) per sweep
    assert choose_sampler(m, np.zeros((50, big))) == "gibbs"        # wide: O(n^2 p)
    assert choose_sampler(m, sp.csr_matrix((50, big))) == "nutpie"  # sparse: p x p statistics
    assert choose_sampler(br.Model(br.Bernoulli(), br.Laplace(0.5)), X) == "gibbs"  # Polya-gamma
    assert choose_sampler(br.Model(br.Poisson(), br.Normal(1.0)), X) == "nutpie"
    assert choose_sampler(br.Model(br.Gaussian(), br.Horseshoe()), X) == "gibbs"
    assert choose_sampler(br.Model(br.Gaussian(), br.RegularizedHorseshoe()), X) == "gibbs"
    assert choose_sampler(br.Model(br.Gaussian(), br.RegularizedHorseshoe(local_df=3.0)),
                          X) == "gibbs"
    assert choose_sampler(br.Model(br.Gaussian(), br.R2D2()), X) == "gibbs"
    assert choose_sampler(br.Model(br.Gaussian(), br.SpikeAndSlab()), X) == "gibbs"  # collapsed
    assert choose_sampler(br.Model(br.Bernoulli(), br.SpikeAndSlab()), X) == "pymc"
    with pytest.raises(ParameterError, match="sampler"):
        m.sample(X, y, sampler="metropolis")
