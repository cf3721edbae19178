"""The exact Gibbs samplers of the spike-and-slab (collapsed) and the regularized horseshoe
against independent references.

* spike-and-slab: posterior inclusion probabilities and posterior means against exact
  enumeration of all 2^p models, each with its closed-form marginal likelihood (the flat
  intercept integrated analytically from the uncentered rows: ``y ~ N(b0 1, Sigma)``, ``Sigma =
  sigma^2 I + X_S D_S X_S'``), and for an estimated sigma a 1-D quadrature over sigma per model;
  MCSE-scaled z-scores;
* regularized horseshoe: one coefficient of the normal-means problem against 2-D quadrature of
  its exact posterior (fixed sigma); Gibbs vs nutpie (half-t scales, sigma estimated, slow) is
  in tests/test_gibbs_r2d2_rhs.py.
"""

from __future__ import annotations

import itertools

import arviz_stats
import numpy as np
import pytest
import scipy.stats as st
from scipy import integrate

import bayesreg as br

Z_MAX = 4.5


def _z(da, truth):
    return (float(da.mean()) - truth) / float(arviz_stats.mcse(da))


def _log_evidence_flat_intercept(y, X, S, slab_var, sigma):
    """log int N(y; b0 1 + X_S w_S, sigma^2 I) N(w_S; 0, D_S) dw db0 (flat b0), and the
    posterior mean of w_S: from the rows, no centering."""
    n = len(y)
    XS = X[:, S]
    Sig = sigma**2 * np.eye(n) + (XS * slab_var[S]) @ XS.T
    Si = np.linalg.inv(Sig)
    one = np.ones(n)
    a = one @ Si @ one
    b0 = (one @ Si @ y) / a
    r = y - b0
    _, logdet = np.linalg.slogdet(Sig)
    lz = (-0.5 * n * np.log(2 * np.pi) - 0.5 * logdet - 0.5 * (r @ Si @ r)
          + 0.5 * np.log(2 * np.pi / a))
    mean = np.zeros(X.shape[1])
    mean[S] = slab_var[S] * (XS.T @ Si @ r)  # E[w_S | y, gamma]: D X_S' Sigma^-1 (y - b0_hat)
    return lz, mean


def _enumerate(y, X, pi, slab_var, sigma):
    p = X.shape[1]
    logw, pips, means = [], [], []
    for g in itertools.product([0, 1], repeat=p):
        g = np.array(g, dtype=bool)
        lz, m = _log_evidence_flat_intercept(y, X, g, slab_var, sigma)
        logw.append(lz + np.sum(np.where(g, np.log(pi), np.log1p(-pi))))
        pips.append(g.astype(float))
        means.append(m)
    w = np.exp(np.array(logw) - max(logw))
    w /= w.sum()
    return w @ np.array(pips), w @ np.array(means)


def test_spike_and_slab_collapsed_gibbs_vs_exact_enumeration_fixed_sigma():
    rng = np.random.default_rng(11)
    n, p = 40, 6
    X = rng.normal(size=(n, p)) @ np.linalg.cholesky(0.4 * np.ones((p, p)) + 0.6 * np.eye(p)).T
    y = 0.7 + X @ np.array([0.8, 0.0, 0.0, -0.35, 0.2, 0.0]) + rng.normal(size=n)
    pi = np.array([0.3, 0.3, 0.5, 0.5, 0.2, 0.7])
    s = np.array([1.0, 1.0, 0.5, 2.0, 1.0, 1.0])
    pip, mean = _enumerate(y, X, pi, s**2, 1.0)
    assert np.sum((pip > 0.1) & (pip < 0.9)) >= 2, pip  # uncertain inclusions: not vacuous
    model = br.Model(br.Gaussian(sigma=1.0), br.SpikeAndSlab(pi, s))
    idata = model.sample(X, y, draws=3000, tune=200, chains=4, random_seed=5,
                         progressbar=False, log_likelihood=False)
    assert idata.attrs["sampler"] == "gibbs"
    g, w = idata.posterior["inclusion"], idata.posterior["coef"]
    zs = [_z(g.isel(feature=j), pip[j]) for j in range(p) if 0.005 < pip[j] < 0.995]
    zs += [_z(w.isel(feature=j), mean[j]) for j in range(p)]
    assert np.max(np.abs(zs)) < Z_MAX, (np.round(zs, 2), pip)
    assert np.all((w.values == 0) == (g.values == 0))
    assert np.all(np.isfinite(idata.sample_stats["lp"]))


def test_spike_and_slab_collapsed_gibbs_vs_enumeration_and_quadrature_estimated_sigma():
    """sigma ~ HalfNormal(2) estimated, slab relative to sigma, no intercept: per model, the
    evidence is a 1-D integral over sigma (quadrature)."""
    rng = np.random.default_rng(12)
    n, p, s_prior = 25, 4, 2.0
    X = rng.normal(size=(n, p))
    y = X @ np.array([1.0, 0.0, -0.5, 0.0]) + 0.8 * rng.normal(size=n)
    pi, s = 0.4, 0.8

    def log_ev(g, sigma):
        XS = X[:, g]
        Sig = sigma**2 * (np.eye(n) + s**2 * XS @ XS.T)
        return st.multivariate_normal(np.zeros(n), Sig).logpdf(y)

    grid = np.linspace(0.2, 3.0, 801)
    lhn = st.halfnorm(scale=s_prior).logpdf(grid)
    logw, pips, sig_means = [], [], []
    for g in itertools.product([0, 1], repeat=p):
        g = np.array(g, dtype=bool)
        le = np.array([log_ev(g, sg) for sg in grid]) + lhn
        m = le.max()
        Z = integrate.trapezoid(np.exp(le - m), grid)
        logw.append(m + np.log(Z) + np.sum(np.where(g, np.log(pi), np.log1p(-pi))))
        sig_means.append(integrate.trapezoid(grid * np.exp(le - m), grid) / Z)
        pips.append(g.astype(float))
    w = np.exp(np.array(logw) - max(logw))
    w /= w.sum()
    pip, sig_mean = w @ np.array(pips), w @ np.array(sig_means)
    assert np.any((pip > 0.1) & (pip < 0.9)), pip
    model = br.Model(br.Gaussian(sigma_prior_scale=s_prior),
                     br.SpikeAndSlab(pi, s, relative_to_sigma=True), fit_intercept=False)
    idata = model.sample(X, y, draws=3000, tune=200, chains=4, sampler="gibbs",
                         random_seed=6, progressbar=False, log_likelihood=False)
    g = idata.posterior["inclusion"]
    zs = [_z(g.isel(feature=j), pip[j]) for j in range(p) if 0.005 < pip[j] < 0.995]
    zs.append(_z(idata.posterior["sigma"], sig_mean))
    assert np.max(np.abs(zs)) < Z_MAX, (np.round(zs, 2), pip, sig_mean)


def test_spike_and_slab_collapsed_gibbs_wide_design():
    """p > n: the collapsed sampler forms the Gram matrix itself; enumeration is still exact."""
    rng = np.random.default_rng(13)
    n, p = 6, 8
    X = rng.normal(size=(n, p))
    y = 1.5 * X[:, 0] + 0.3 * rng.normal(size=n)
    pi, s = 0.15, 1.0
    pip, _ = _enumerate(y, X, np.full(p, pi), np.full(p, s**2), 0.5)
    model = br.Model(br.Gaussian(sigma=0.5), br.SpikeAndSlab(pi, s))
    idata = model.sample(X, y, draws=2000, tune=200, chains=4, random_seed=7,
                         progressbar=False, log_likelihood=False)
    g = idata.posterior["inclusion"]
    zs = [_z(g.isel(feature=j), pip[j]) for j in range(p) if 0.005 < pip[j] < 0.995]
    assert len(zs) >= 3 and np.max(np.abs(zs)) < Z_MAX, (np.round(zs, 2), pip)


# ============================================================= regularized horseshoe
def _rhs_normal_means_moments(y, A, slab_scale, slab_df):
    """y ~ N(w, 1), w ~ N(0, v), v = r^2 c2 / (r^2 + c2), r = tau lambda, c2 ~ InvGamma: E[w | y],
    E[w^2 | y], E[log c2 | y] by 2-D quadrature over (log r, log c2). The product r of tau ~
    C+(0, A) and lambda ~ C+(0, 1) has density 4 log(r/A) / (pi^2 A ((r/A)^2 - 1)) (checked
    below against the 1-D integral of the two half-Cauchy densities)."""
    t = np.linspace(-25, 12, 4001)[:, None]  # log r
    u = np.linspace(-12, 14, 2001)[None, :]  # log c2
    ra = np.exp(t) / A
    with np.errstate(invalid="ignore", divide="ignore"):
        fr = 4 * np.log(ra) / (np.pi**2 * (ra**2 - 1))
    fr = np.where(np.abs(ra - 1) < 1e-9, 2 / np.pi**2, fr)
    logfr = np.log(fr) - np.log(A) + t
    c2 = np.exp(u)
    logc = st.invgamma(slab_df / 2, scale=slab_df * slab_scale**2 / 2).logpdf(c2) + u
    r2 = np.exp(2 * t)
    v = r2 * c2 / (r2 + c2)
    logw = logfr + logc + st.norm.logpdf(y, 0, np.sqrt(1 + v))
    W = np.exp(logw - logw.max())
    m = y * v / (1 + v)
    Z = W.sum()
    return (W * m).sum() / Z, (W * (v / (1 + v) + m * m)).sum() / Z, (W * u).sum() / Z


def test_product_of_half_cauchy_density():
    A = 0.5
    for r in (0.05, 0.7, 4.0):
        q = integrate.quad(lambda lt, r=r: np.exp(st.halfcauchy(scale=A).logpdf(r / np.exp(lt))
                                                   + st.halfcauchy.logpdf(np.exp(lt))),
                           -30, 30, limit=200)[0]
        ra = r / A
        assert 4 * np.log(ra) / (np.pi**2 * A * (ra**2 - 1)) == pytest.approx(q, rel=1e-7)


@pytest.mark.parametrize("y", [0.5, 3.0, 6.0])
def test_regularized_horseshoe_gibbs_normal_means_vs_quadrature(y):
    """One coefficient, X = 1, sigma = 1 fixed: the exact posterior is a 2-D integral."""
    A, ss, df = 0.5, 1.0, 4.0
    m1, m2, mlc = _rhs_normal_means_moments(y, A, ss, df)
    model = br.Model(br.Gaussian(sigma=1.0), br.RegularizedHorseshoe(
        A, slab_scale=ss, slab_df=df, relative_to_sigma=False), fit_intercept=False)
    idata = model.sample(np.eye(1), np.array([y]), draws=4000, tune=300, chains=4,
                         random_seed=2, progressbar=False, log_likelihood=False)
    assert idata.attrs["sampler"] == "gibbs"
    w = idata.posterior["coef"].isel(feature=0)
    zs = [_z(w, m1), _z(w**2, m2), _z(np.log(idata.posterior["c2"]), mlc)]
    assert np.max(np.abs(zs)) < Z_MAX, zs
    assert np.all(np.isfinite(idata.sample_stats["lp"]))


def test_regularized_horseshoe_gibbs_face_for_every_degrees_of_freedom():
    from bayesreg.samplers import choose_sampler

    X = np.zeros((30, 4))
    lik = br.Gaussian()
    assert choose_sampler(br.Model(lik, br.RegularizedHorseshoe(expected_nonzero=2)), X) == "gibbs"
    assert choose_sampler(br.Model(lik, br.RegularizedHorseshoe(local_df=3.0)), X) == "gibbs"


# ============================================================= horseshoe: tau interweaving
def test_horseshoe_gibbs_tau_with_many_coefficients_vs_nested_quadrature():
    """Normal means, X = I_12, sigma = 1, tau ~ C+(0, 1): the posterior of tau is the product of
    the 12 one-dimensional marginal likelihoods times its prior (nested trapezoid quadrature on
    log grids); E[tau | y], E[log tau | y] and E[w_j | y] against the Gibbs sampler (whose tau
    step includes the interweaving update along fixed tau^2 lambda_j^2)."""
    y = np.array([0.1, -0.4, 0.2, 0.0, 0.6, -0.2, 0.3, 5.0, -3.5, 0.05, -0.1, 2.5])
    p = len(y)
    t = np.linspace(-30, 30, 3001)[:, None]  # log lambda
    u = np.linspace(-12, 6, 901)[None, :]  # log tau
    s = np.exp(2 * (t + u))
    base_l = st.halfcauchy.logpdf(np.exp(t)) + t
    logm, post_mean = [], []
    for yj in y:
        dens = np.exp(st.norm.logpdf(yj, 0, np.sqrt(1 + s)) + base_l)
        m = integrate.trapezoid(dens, t[:, 0], axis=0)
        logm.append(np.log(m))
        post_mean.append(integrate.trapezoid(dens * yj * s / (1 + s), t[:, 0], axis=0) / m)
    lw = st.halfcauchy.logpdf(np.exp(u[0])) + u[0] + np.sum(logm, axis=0)
    wt = np.exp(lw - lw.max())
    Z = integrate.trapezoid(wt, u[0])
    e_tau = integrate.trapezoid(wt * np.exp(u[0]), u[0]) / Z
    e_logtau = integrate.trapezoid(wt * u[0], u[0]) / Z
    means = [integrate.trapezoid(wt * pm, u[0]) / Z for pm in post_mean]
    model = br.Model(br.Gaussian(sigma=1.0), br.Horseshoe(1.0), fit_intercept=False)
    idata = model.sample(np.eye(p), y, draws=3000, tune=300, chains=4, sampler="gibbs",
                         random_seed=9, progressbar=False, log_likelihood=False)
    tau = idata.posterior["tau"]
    zs = [_z(tau, e_tau), _z(np.log(tau), e_logtau)]
    zs += [_z(idata.posterior["coef"].isel(feature=j), means[j]) for j in range(p)]
    assert np.max(np.abs(zs)) < Z_MAX, np.round(zs, 2)
