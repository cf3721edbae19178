"""Posterior sampling through the PyMC bridge, checked against analytic posteriors with
MCSE-scaled z-scores (ArviZ mcse/ess), plus structure, reproducibility and BayesianLasso."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr
from scipy import integrate, stats

from bayesreg import Gaussian, Laplace, Model, Normal, NotSupportedError, ParameterError
from bayesreg.priors import BayesianLasso

az = pytest.importorskip("arviz")
pytest.importorskip("pymc")

pytestmark = pytest.mark.slow

Z_MAX = 4.0  # |z| bound for each MCSE-scaled comparison (a handful of parameters per test)
DRAWS, TUNE, CHAINS = 500, 400, 2


def _problem(n=80, p=3, seed=4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * np.array([1.0, 2.0, 0.5])[:p] + 1.0
    y = 3.0 + X @ np.array([0.7, -0.3, 1.2])[:p] + rng.normal(size=n)
    return X, y


def _gaussian_posterior(X, y, sigma, tau):
    """Exact posterior N(mu, Sigma) of (intercept, coef): flat intercept, coef ~ N(0, tau^2)."""
    Z = np.column_stack([np.ones(len(y)), X])
    A = Z.T @ Z / sigma**2
    A[1:, 1:] += np.eye(X.shape[1]) / tau**2
    cov = np.linalg.inv(A)
    return cov @ (Z.T @ y) / sigma**2, cov


def _theta(idata):
    post = idata["posterior"]
    b = post["intercept"].transpose("chain", "draw").values[..., None]
    w = post["coef"].transpose("chain", "draw", "feature").values
    return np.concatenate([b, w], axis=-1)  # (chain, draw, 1 + p)


def _z_mean(draws, mu):
    ds = xr.Dataset({"t": (("chain", "draw", "k"), draws)})
    return (draws.mean(axis=(0, 1)) - mu) / az.mcse(ds, method="mean")["t"].values


def _healthy(idata, ess_min=150):
    post = idata["posterior"].to_dataset()
    for v in post.data_vars:
        assert float(az.rhat(post[v]).max()) < 1.02, v
        assert float(az.ess(post[v], method="bulk").min()) > ess_min, v
        assert float(az.ess(post[v], method="tail").min()) > ess_min, v


# ---------------------------------------------------------------- ridge with known sigma
SIGMA, TAU = 1.0, 0.7


def test_ridge_known_sigma_nutpie():
    """One sampling run (nutpie) checked four ways; kept in one test so that the
    numba compilation happens once even under pytest-xdist."""
    X, y = _problem()
    model = Model(Gaussian(SIGMA), Normal(TAU))
    idata = model.sample(X, y, draws=DRAWS, tune=TUNE, chains=CHAINS, random_seed=123,
                         sampler="nutpie", progressbar=False)
    _check_closed_form(model, X, y, idata)
    _check_structure_and_spec(model, X, y, idata)
    _check_predict_posterior(model, X, y, idata)
    _check_reproducible(model, X, y, idata)


def _check_closed_form(model, X, y, idata):
    mu, cov = _gaussian_posterior(X, y, SIGMA, TAU)
    # the analytic posterior mean is the ridge / MAP solution
    res = model.map(X, y, tol=1e-12)
    np.testing.assert_allclose(mu, np.r_[res.intercept, res.coef], rtol=1e-8, atol=1e-10)
    th = _theta(idata)
    assert np.all(np.abs(_z_mean(th, mu)) < Z_MAX)
    # covariance: whitened draws u = L^-1 (theta - mu) have identity covariance; each sd == 1
    # (MCSE-scaled) and each pairwise product has mean 0 (MCSE-scaled)
    L = np.linalg.cholesky(cov)
    u = np.linalg.solve(L, (th - mu).reshape(-1, th.shape[-1]).T).T.reshape(th.shape)
    ds = xr.Dataset({"u": (("chain", "draw", "k"), u)})
    z_sd = (u.std(axis=(0, 1)) - 1.0) / az.mcse(ds, method="sd")["u"].values
    assert np.all(np.abs(z_sd) < Z_MAX), z_sd
    k = th.shape[-1]
    iu = np.triu_indices(k, 1)
    prods = (u[..., :, None] * u[..., None, :])[..., iu[0], iu[1]]
    assert np.all(np.abs(_z_mean(prods, np.zeros(len(iu[0])))) < Z_MAX)
    _healthy(idata)


def _check_structure_and_spec(model, X, y, idata):
    assert {"posterior", "sample_stats", "observed_data", "log_likelihood"} <= set(idata.children)
    post = idata["posterior"]
    assert set(post.data_vars) == {"intercept", "coef"}
    assert list(post["coef"].coords["feature"].values) == ["x0", "x1", "x2"]
    assert post["coef"].shape == (CHAINS, DRAWS, 3)
    np.testing.assert_array_equal(idata["observed_data"]["y"].values, y)
    # pointwise log-likelihood = scipy's normal log density at each draw
    ll = idata["log_likelihood"]["y"].transpose("chain", "draw", "obs_id").values
    th = _theta(idata)
    c, d = 1, 17
    ref = stats.norm.logpdf(y, th[c, d, 0] + X @ th[c, d, 1:], SIGMA)
    np.testing.assert_allclose(ll[c, d], ref, rtol=1e-12)
    loo = az.loo(idata)
    assert np.isfinite(loo.elpd)
    spec = json.loads(idata.attrs["bayesreg_model"])
    assert Model.from_dict(spec) == model
    assert json.loads(idata.attrs["feature_names"]) == ["x0", "x1", "x2"]
    assert "diverging" in idata["sample_stats"].data_vars


def _check_predict_posterior(model, X, y, idata):
    mu, cov = _gaussian_posterior(X, y, SIGMA, TAU)
    X_new = np.array([[0.0, 1.0, 2.0], [1.5, -1.0, 0.3]])
    Zn = np.column_stack([np.ones(2), X_new])
    mean = model.predict_posterior(idata, X_new, kind="mean")
    assert mean.dims == ("chain", "draw", "obs_id") and mean.shape == (CHAINS, DRAWS, 2)
    assert np.all(np.abs(_z_mean(mean.values, Zn @ mu)) < Z_MAX)
    obs = model.predict_posterior(idata, X_new, kind="obs", random_seed=0)
    var_ref = SIGMA**2 + np.einsum("ij,jk,ik->i", Zn, cov, Zn)
    np.testing.assert_allclose(obs.values.reshape(-1, 2).var(axis=0), var_ref, rtol=0.2)
    again = model.predict_posterior(idata, X_new, kind="obs", random_seed=0)
    np.testing.assert_array_equal(obs.values, again.values)
    with pytest.raises(ValueError, match="columns"):
        model.predict_posterior(idata, X_new[:, :2])
    with pytest.raises(ParameterError, match="kind"):
        model.predict_posterior(idata, X_new, kind="median")


def _check_reproducible(model, X, y, idata):
    kw = dict(draws=DRAWS, tune=TUNE, chains=CHAINS, sampler="nutpie", progressbar=False)
    again = model.sample(X, y, random_seed=123, **kw)  # compiled model is reused (cache)
    np.testing.assert_array_equal(_theta(again), _theta(idata))
    other = model.sample(X, y, random_seed=124, **kw)
    assert not np.array_equal(_theta(other), _theta(idata))


# ---------------------------------------------------------------- sigma estimated
def test_sigma_estimated_matches_quadrature_posterior():
    """Gaussian(sigma=None) x Normal: integrate the Gaussian (intercept, coef) out analytically,
    then sigma numerically, for E[sigma | y] and E[coef | y]; compare with MCSE z-scores."""
    X, y = _problem(n=40, seed=8)
    tau = 0.7
    model = Model(Gaussian(), Normal(tau))
    idata = model.sample(X, y, draws=DRAWS, tune=TUNE, chains=CHAINS, random_seed=5,
                         sampler="nutpie", progressbar=False, log_likelihood=False)
    s = np.sqrt(np.mean((y - y.mean()) ** 2))  # the default HalfNormal scale
    assert idata.attrs["sigma_prior_scale"] == pytest.approx(s)

    def log_marg(sig):
        mu, cov = _gaussian_posterior(X, y, sig, tau)
        Z = np.column_stack([np.ones(len(y)), X])
        r = y - Z @ mu
        quad_form = r @ r / sig**2 + mu[1:] @ mu[1:] / tau**2
        return (stats.halfnorm.logpdf(sig, scale=s) - len(y) * np.log(sig) - 0.5 * quad_form
                + 0.5 * np.linalg.slogdet(cov)[1])

    grid_max = max(log_marg(v) for v in np.linspace(0.3, 3, 200))
    dens = lambda v: np.exp(log_marg(v) - grid_max)  # noqa: E731
    zc = integrate.quad(dens, 1e-3, 10, limit=200)[0]
    e_sigma = integrate.quad(lambda v: v * dens(v), 1e-3, 10, limit=200)[0] / zc
    e_theta = np.array([integrate.quad(lambda v, k=k: _gaussian_posterior(X, y, v, tau)[0][k]
                                       * dens(v), 1e-3, 10, limit=200)[0] / zc
                        for k in range(4)])
    sig = idata["posterior"]["sigma"].values[..., None]
    assert np.all(np.abs(_z_mean(sig, np.array([e_sigma]))) < Z_MAX)
    assert np.all(np.abs(_z_mean(_theta(idata), e_theta)) < Z_MAX)
    _healthy(idata)
    assert "log_likelihood" not in idata.children


# ---------------------------------------------------------------- PyMC NUTS, BayesianLasso
def test_pymc_sampler_reproducible_and_bayesian_lasso_matches_gibbs():
    """BayesianLasso(scale) with a fixed sigma is the Laplace(sigma * scale) model: PyMC's NUTS on
    it must agree (MCSE-scaled) with the exact Gibbs sampler on Laplace(sigma * scale)."""
    X, y = _problem(n=60, seed=3)
    sigma, scale = 1.2, 0.25
    model = Model(Gaussian(sigma), BayesianLasso(scale))
    kw = dict(draws=DRAWS, tune=TUNE, chains=CHAINS, sampler="pymc", progressbar=False)
    a = model.sample(X, y, random_seed=11, **kw)
    b = model.sample(X, y, random_seed=11, **kw)
    np.testing.assert_array_equal(_theta(a), _theta(b))
    _healthy(a)
    with pytest.raises(NotSupportedError, match="BayesianLasso"):
        model.map(X, y)
    g = Model(Gaussian(sigma), Laplace(sigma * scale)).sample(
        X, y, draws=3000, tune=500, chains=2, random_seed=2, sampler="gibbs", progressbar=False)
    assert json.loads(g.attrs["feature_names"]) == ["x0", "x1", "x2"]
    ta, tg = _theta(a), _theta(g)
    ds = lambda t: xr.Dataset({"t": (("chain", "draw", "k"), t)})  # noqa: E731
    se = np.hypot(az.mcse(ds(ta), method="mean")["t"].values,
                  az.mcse(ds(tg), method="mean")["t"].values)
    z = (ta.mean(axis=(0, 1)) - tg.mean(axis=(0, 1))) / se
    assert np.all(np.abs(z) < Z_MAX), z


def test_bayesian_lasso_hyperprior_samples():
    X, y = _problem(n=60, seed=1)
    model = Model(Gaussian(), BayesianLasso(lam2_prior=(1.0, 1.78)))
    idata = model.sample(X, y, draws=DRAWS, tune=TUNE, chains=CHAINS, random_seed=3,
                         sampler="nutpie", progressbar=False)
    post = idata["posterior"]
    assert set(post.data_vars) == {"intercept", "coef", "sigma", "lam2"}
    assert np.all(post["lam2"].values > 0)
    _healthy(idata)
    spec = json.loads(idata.attrs["bayesreg_model"])
    assert Model.from_dict(spec) == model


def test_sample_argument_errors():
    X, y = _problem()
    model = Model(Gaussian(1.0), Normal(1.0))
    with pytest.raises(ParameterError, match="sampler"):
        model.sample(X, y, sampler="metropolis")
    with pytest.raises(ParameterError, match="draws"):
        model.sample(X, y, draws=0)
    with pytest.raises(ParameterError, match="chains"):
        model.sample(X, y, chains=1.5)
