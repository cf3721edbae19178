"""The exact Gibbs samplers of R2D2 and of the regularized horseshoe with any degrees of
freedom, against references independent of the code:

* R2D2, p = 3, fixed sigma: posterior means of R^2, phi and the coefficients against 3-D
  quadrature over (log W, phi on the simplex) of the closed-form marginal likelihood (the
  coefficients and the flat intercept integrated analytically); MCSE-scaled z-scores;
* prior-only runs (an uninformative likelihood): the Gibbs draws of R^2 are Beta(a, b) and of
  phi_1 Beta(c, (p - 1) c); the regularized horseshoe's lambda is half-t_{local_df}, tau
  half-t_{global_df}(0, A) and c2 the inverse gamma (Kolmogorov-Smirnov tests on thinned draws
  whose ESS is checked);
* Gibbs vs nutpie on the identical model (slow): means and sds, MCSE-scaled.
"""

from __future__ import annotations

import arviz_stats
import numpy as np
import pytest
import scipy.stats as st
from scipy.special import betaln, gammaln

import bayesreg as br
from bayesreg.samplers import choose_sampler
from bayesreg.samplers.gibbs import gibbs_draws
from bayesreg.suffstats import SuffStats

Z_MAX = 4.5


def _z(da, truth):
    return (float(da.mean()) - truth) / float(arviz_stats.mcse(da))


def _r2d2_quadrature(X, y, a, b, c, sigma):
    """E[r2], E[phi], E[w] under R2D2(a, b, c) (not relative to sigma), Gaussian(sigma), flat
    intercept: 3-D quadrature over u = log W (trapezoid) and phi = (s, (1-s) t, (1-s)(1-t))
    (Gauss-Legendre), the coefficients integrated in closed form from the centered data."""
    Xc = X - X.mean(0)
    yc = y - y.mean()
    G, q, yy = Xc.T @ Xc, Xc.T @ yc, yc @ yc
    s2 = sigma**2
    u = np.linspace(-9.0, 7.0, 161)
    gs, gw = np.polynomial.legendre.leggauss(64)
    s_, ws = 0.5 * (gs + 1), 0.5 * gw
    U, S, T = np.meshgrid(u, s_, s_, indexing="ij")
    _, WS, WT = np.meshgrid(u, ws, ws, indexing="ij")
    phi = np.stack([S, (1 - S) * T, (1 - S) * (1 - T)], axis=-1)
    W = np.exp(U)
    D = W[..., None] * phi  # prior variances
    # log N(y~; 0, s2 I + X~ D X~') up to constants, by Woodbury in p dims
    M = G / s2 + (1.0 / D)[..., None] * np.eye(3)
    Lm = np.linalg.cholesky(M)
    logdet = 2 * np.sum(np.log(np.diagonal(Lm, axis1=-2, axis2=-1)), -1) + np.sum(np.log(D), -1)
    mean = np.linalg.solve(M, np.broadcast_to(q / s2, M.shape[:-1])[..., None])[..., 0]
    quad = -0.5 * (yy - mean @ q) / s2
    loglik = -0.5 * logdet + quad
    logprior = (a * U - (a + b) * np.log1p(W) - betaln(a, b)  # BetaPrime in u (Jacobian W)
                + gammaln(3 * c) - 3 * gammaln(c) + (c - 1) * np.sum(np.log(phi), -1)
                + np.log(1 - S))  # simplex Jacobian
    lw = loglik + logprior
    wt = np.exp(lw - lw.max()) * WS * WT
    wt /= wt.sum()
    r2 = W / (1 + W)
    return (float(np.sum(wt * r2)), np.sum(wt[..., None] * phi, axis=(0, 1, 2)),
            np.sum(wt[..., None] * mean, axis=(0, 1, 2)))


def test_r2d2_gibbs_vs_quadrature_fixed_sigma():
    rng = np.random.default_rng(3)
    n = 25
    X = rng.normal(size=(n, 3))
    y = 0.4 + X @ np.array([0.9, 0.0, -0.3]) + rng.normal(size=n)
    prior = br.R2D2(0.3, 5.0, 1.5, relative_to_sigma=False)  # a = 1.5 != p c = 4.5
    a, b = prior._ab
    e_r2, e_phi, e_w = _r2d2_quadrature(X, y, a, b, prior.concentration, 1.0)
    model = br.Model(br.Gaussian(sigma=1.0), prior)
    assert choose_sampler(model, X) == "gibbs"
    idata = model.sample(X, y, draws=3000, tune=200, chains=4, random_seed=4, progressbar=False,
                         log_likelihood=False)
    assert idata.attrs["sampler"] == "gibbs"
    post = idata.posterior
    zs = [_z(post["r2"], e_r2)]
    zs += [_z(post["phi"].isel(feature=j), e_phi[j]) for j in range(3)]
    zs += [_z(post["coef"].isel(feature=j), e_w[j]) for j in range(3)]
    assert np.max(np.abs(zs)) < Z_MAX, np.round(zs, 2)
    assert np.all(np.isfinite(idata.sample_stats["lp"]))
    # the reference is sharp: a different prior moves it by many MCSEs
    e_r2b, _, _ = _r2d2_quadrature(X, y, a, b, 0.5, 1.0)
    assert abs(_z(post["r2"], e_r2b)) > Z_MAX


def _prior_only(prior, p, draws=20000, thin=40, seed=1):
    """One long Gibbs chain of an (almost) uninformative likelihood: 3 rows, sigma = 1e5,
    thinned to near-independent draws."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(3, p)), rng.normal(size=3)
    stats = SuffStats.from_rows(X, y, np.ones(3), True)
    post, _ = gibbs_draws(br.Model(br.Gaussian(sigma=1e5), prior), stats, draws=draws, tune=200,
                          chains=1, random_seed=seed)
    return {k: v[0, ::thin] for k, v in post.items()}


def _check_ks(x, cdf):
    ess = float(arviz_stats.ess(np.asarray(x)[None], method="bulk"))
    assert ess > 0.6 * len(x), ess  # the KS test needs near-independent draws
    return st.kstest(x, cdf).pvalue


@pytest.mark.parametrize("prior", [br.R2D2(0.3, 5.0, 1.5, relative_to_sigma=False),
                                   br.R2D2(0.6, 3.0, 0.3, relative_to_sigma=False)])
def test_r2d2_gibbs_prior_draws_of_r2_are_beta(prior):
    p = 5
    d = _prior_only(prior, p)
    a, b = prior._ab
    c = prior.concentration
    assert _check_ks(d["r2"], st.beta(a, b).cdf) > 1e-3
    assert _check_ks(d["phi"][:, 0], st.beta(c, (p - 1) * c).cdf) > 1e-3
    assert st.kstest(d["r2"], st.beta(a + 0.5, b).cdf).pvalue < 1e-3  # the check has power


def _gibbs_vs_nuts(model, X, y, names, seed):
    """z-scores of the differences of means and of sds (MCSE of each), Gibbs vs nutpie."""
    g = model.sample(X, y, draws=2000, tune=300, chains=4, sampler="gibbs", random_seed=seed,
                     progressbar=False, log_likelihood=False)
    nu = model.sample(X, y, draws=500, tune=500, chains=2, sampler="nutpie", random_seed=seed,
                      progressbar=False, log_likelihood=False)
    assert g.attrs["sampler"] == "gibbs"
    zs = []
    for v, f in names:
        a, b = g.posterior[v], nu.posterior[v]
        if f is not None:
            a, b = f(a), f(b)
        for method, stat in (("mean", "mean"), ("sd", "std")):
            d = getattr(a, stat)(("chain", "draw")) - getattr(b, stat)(("chain", "draw"))
            se = np.sqrt(arviz_stats.mcse(a, method=method) ** 2
                         + arviz_stats.mcse(b, method=method) ** 2)
            zs += list(np.atleast_1d((d / se).to_numpy()))
    return np.array(zs)


@pytest.mark.slow
def test_r2d2_gibbs_matches_nuts_with_sigma_estimated():
    rng = np.random.default_rng(21)
    n, p = 50, 5
    X = rng.normal(size=(n, p))
    y = 1.0 + X @ np.array([1.5, 0.0, 0.0, -0.5, 0.0]) + rng.normal(size=n)
    model = br.Model(br.Gaussian(), br.R2D2(0.4, 3.0, 0.5))
    zs = _gibbs_vs_nuts(model, X, y, (("coef", None), ("sigma", None), ("intercept", None),
                                      ("r2", None), ("phi", None)), 3)
    assert np.max(np.abs(zs)) < Z_MAX, np.round(zs, 2)


def test_regularized_horseshoe_gibbs_prior_draws_are_half_t():
    A = 0.7
    prior = br.RegularizedHorseshoe(A, slab_scale=1.5, slab_df=5.0, local_df=3.0, global_df=2.0,
                                    relative_to_sigma=False)
    d = _prior_only(prior, 4, draws=60000, thin=150)
    lam, tau, c2 = d["lambda"][:, 1], d["tau"], d["c2"]
    assert _check_ks(lam, lambda x: 2 * st.t(3.0).cdf(x) - 1) > 1e-3  # half-t_3(0, 1)
    assert _check_ks(tau, lambda x: 2 * st.t(2.0, scale=A).cdf(x) - 1) > 1e-3  # half-t_2(0, A)
    assert _check_ks(c2, st.invgamma(2.5, scale=2.5 * 1.5**2).cdf) > 1e-3
    # power: the half-Cauchy (local_df = 1) is rejected
    assert st.kstest(lam, lambda x: 2 * st.t(1.0).cdf(x) - 1).pvalue < 1e-3


@pytest.mark.slow
def test_regularized_horseshoe_gibbs_matches_nuts_for_half_t_scales():
    rng = np.random.default_rng(8)
    n, p = 50, 4
    X = rng.normal(size=(n, p))
    y = 1.0 + X @ np.array([2.0, 0.0, 0.0, -0.5]) + rng.normal(size=n)
    prior = br.RegularizedHorseshoe(0.3, slab_scale=1.0, local_df=3.0, global_df=2.0)
    zs = _gibbs_vs_nuts(br.Model(br.Gaussian(), prior), X, y,
                        (("coef", None), ("sigma", None), ("intercept", None), ("tau", np.log),
                         ("c2", np.log), ("lambda", np.log)), 5)
    assert np.max(np.abs(zs)) < Z_MAX, np.round(zs, 2)
