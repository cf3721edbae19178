"""The negative binomial's Polya-gamma Gibbs sampler against independent references:

* the augmentation itself: for a fixed linear predictor the PG draws have the mean
  ``b tanh(psi / 2) / (2 psi)`` and variance of PG(b, psi) with ``b = sw (y + r)``, ``psi = eta -
  log r``; and a small Gibbs chain on the face alone (a scalar eta with a normal prior)
  reproduces the NB2 posterior of eta computed by quadrature of scipy.stats.nbinom;
* p = 1, fixed alpha: posterior mean and second moment of the coefficient by 1-D quadrature;
* p = 1, alpha estimated: moments of (coef, alpha) by 2-D quadrature on (coef, log alpha) of the
  exact density (scipy.stats.nbinom, the HalfNormal prior and the Jacobian written here);
* nutpie's NUTS on the identical PyMC model with alpha estimated (slow).

Every comparison is a z-score scaled by Monte Carlo standard errors (ArviZ's for chains).
"""

from __future__ import annotations

import arviz_stats
import numpy as np
import pytest
import scipy.stats as st
from scipy.special import gammaln

import bayesreg as br
from bayesreg.samplers import choose_sampler, sample_gibbs

Z_MAX = 4.5


def _nb_logpmf(y, eta, alpha):
    r = 1.0 / alpha
    return st.nbinom.logpmf(y, r, r / (r + np.exp(eta)))


def _data(rng, n, x_shift=0.3, b=0.6, alpha=0.7):
    x = rng.normal(size=n) + x_shift
    r = 1.0 / alpha
    mu = np.exp(0.8 + b * x)
    return x, rng.negative_binomial(r, r / (r + mu)).astype(float)


def _z(draws, ref):
    return (float(draws.mean(("chain", "draw"))) - ref) / float(arviz_stats.mcse(draws))


def test_pg_draws_have_the_polya_gamma_moments_of_the_nb_augmentation():
    """omega_i | eta_i ~ PG(sw_i (y_i + r), eta_i - log r): the closed-form PG(b, psi) mean and
    variance (derivatives of the log Laplace transform b log cosh(psi / 2) - b log cosh(
    sqrt(psi^2 / 2 + t) / sqrt 2) at t = 0, written here), per row over many replicates, with
    shapes b from 0.3 x 2.5 to 200 x 0.7 (every branch of the PG draw); and the pseudo-data
    satisfy (z - log r) omega = kappa = sw (y - r) / 2."""
    rng = np.random.default_rng(0)
    alpha = 0.4
    r = 1.0 / alpha
    y0 = np.array([0.0, 1.0, 3.0, 7.0, 40.0, 200.0])
    eta0 = np.array([0.2, -1.0, 1.5, 2.0, 3.5, 5.3])
    sw0 = np.array([1.0, 0.3, 2.0, 1.0, 1.0, 0.7])
    m = 40_000
    y, eta, sw = (np.repeat(a, m) for a in (y0, eta0, sw0))
    face = br.NegativeBinomial(alpha).gibbs_augmentation(y, sw)
    om = face.update_latent(eta, {}, rng).reshape(y0.size, m)
    b, psi = sw0 * (y0 + r), eta0 - np.log(r)
    mean = b * np.tanh(psi / 2) / (2 * psi)
    var = b * (np.sinh(psi) - psi) / (4 * psi**3 * np.cosh(psi / 2) ** 2)
    zm = (om.mean(axis=1) - mean) / np.sqrt(var / m)
    assert np.abs(zm).max() < Z_MAX, zm
    np.testing.assert_allclose(om.var(axis=1), var, rtol=0.05)
    z, v = face.working(om.ravel(), {})
    np.testing.assert_array_equal(v, om.ravel())
    np.testing.assert_allclose((z - np.log(r)) * v, sw * (y - r) / 2, rtol=1e-12, atol=1e-12)


def test_face_alone_reproduces_the_nb_posterior_of_a_scalar_eta():
    """Gibbs on (theta, omega) with eta_i = theta for every row, theta ~ N(0.5, 1): theta |
    omega is the normal update with the face's pseudo-data (written here), omega | theta the
    face's PG draw. Its theta-marginal must be the NB2 posterior (quadrature of scipy's pmf):
    a wrong b, kappa or offset in the face moves it."""
    rng = np.random.default_rng(1)
    alpha = 0.8
    y = np.array([0.0, 3.0, 11.0, 1.0, 5.0])
    sw = np.array([1.0, 0.5, 2.0, 1.0, 1.0])
    face = br.NegativeBinomial(alpha).gibbs_augmentation(y, sw)
    m0, s0 = 0.5, 1.0
    theta, om = 0.0, face.update_latent(np.zeros(y.size), {}, rng)
    draws = np.empty(20_000)
    for t in range(draws.size):
        z, v = face.working(om, {})
        prec = 1.0 / s0**2 + v.sum()
        theta = (m0 / s0**2 + v @ z) / prec + rng.standard_normal() / np.sqrt(prec)
        om = face.update_latent(np.full(y.size, theta), {}, rng)
        draws[t] = theta
    g = np.linspace(-4.0, 6.0, 20_001)
    ld = (sw * _nb_logpmf(y, g[:, None], alpha)).sum(1) + st.norm.logpdf(g, m0, s0)
    f = np.exp(ld - ld.max())
    f /= f.sum()
    mean, sd = (g * f).sum(), np.sqrt((g**2 * f).sum() - (g * f).sum() ** 2)
    ess = float(arviz_stats.ess(draws[None, 500:]))
    z = (draws[500:].mean() - mean) / (sd / np.sqrt(ess))
    assert abs(z) < Z_MAX, (z, draws[500:].mean(), mean)
    assert draws[500:].std() == pytest.approx(sd, rel=0.05)


@pytest.mark.parametrize("prior, logprior", [(br.Normal(1.0), st.norm(0, 1.0).logpdf),
                                             (br.Laplace(0.3), st.laplace(0, 0.3).logpdf)])
def test_fixed_alpha_p1_vs_quadrature(prior, logprior):
    rng = np.random.default_rng(2)
    alpha = 0.7
    x, y = _data(rng, 40)
    sw = rng.uniform(0.5, 1.5, size=x.size) if isinstance(prior, br.Laplace) else None
    w_sw = np.ones(x.size) if sw is None else sw
    g = np.linspace(-1.0, 3.0, 8001)
    ld = (w_sw * _nb_logpmf(y, g[:, None] * x, alpha)).sum(1) + logprior(g)
    f = np.exp(ld - ld.max())
    assert f[0] < 1e-12 and f[-1] < 1e-12
    f /= f.sum()
    m1, m2 = (g * f).sum(), (g**2 * f).sum()
    model = br.Model(br.NegativeBinomial(alpha), prior, fit_intercept=False)
    dt = sample_gibbs(model, x[:, None], y, draws=1500, tune=200, chains=2, random_seed=3,
                      sample_weight=sw, progressbar=False)
    w = dt.posterior["coef"].isel(feature=0)
    zs = [_z(w, m1), _z(w**2, m2)]
    assert np.max(np.abs(zs)) < Z_MAX, zs
    # lp is the exact log posterior at the draws (scipy here)
    wv = w.values
    ref = (w_sw * _nb_logpmf(y, wv[..., None] * x, alpha)).sum(-1) + logprior(wv)
    np.testing.assert_allclose(dt.sample_stats["lp"].values, ref, rtol=1e-9)


def test_free_alpha_p1_vs_2d_quadrature():
    """alpha ~ HalfNormal(s) estimated: the joint posterior of (coef, alpha) on a grid in
    (coef, log alpha) (density times the Jacobian alpha; the NB2 pmf from log-gamma functions
    here), against the Gibbs sampler whose alpha step is a slice update of log r given eta."""
    rng = np.random.default_rng(4)
    x = rng.normal(size=60) + 0.3
    r0 = 1 / 0.7
    y = rng.negative_binomial(r0, r0 / (r0 + np.exp(1.2 * x))).astype(float)
    s = 1.0

    def logpmf(eta, a):
        r, mu = 1.0 / a, np.exp(eta)
        return (gammaln(y + r) - gammaln(r) - gammaln(y + 1) + r * np.log(r / (r + mu))
                + y * np.log(mu / (r + mu)))

    gw = np.linspace(0.45, 2.8, 281)
    gt = np.linspace(np.log(0.04), np.log(6.0), 261)
    W, T = np.meshgrid(gw, gt, indexing="ij")
    A = np.exp(T)
    ld = (logpmf(W[..., None] * x, A[..., None]).sum(-1) + st.norm.logpdf(W)
          + st.halfnorm.logpdf(A, scale=s) + T)
    f = np.exp(ld - ld.max())
    assert f[0].max() < 1e-6 and f[-1].max() < 1e-6 and f[:, 0].max() < 1e-6 \
        and f[:, -1].max() < 1e-6  # the grid holds the posterior
    f /= f.sum()
    ref = {"w": (W * f).sum(), "ww": (W**2 * f).sum(), "a": (A * f).sum(),
           "aa": (A**2 * f).sum()}
    model = br.Model(br.NegativeBinomial(alpha_prior_scale=s), br.Normal(1.0),
                     fit_intercept=False)
    dt = sample_gibbs(model, x[:, None], y, draws=1500, tune=200, chains=2, random_seed=5,
                      progressbar=False)
    post = dt.posterior
    w, a = post["coef"].isel(feature=0), post["alpha"]
    zs = [_z(w, ref["w"]), _z(w**2, ref["ww"]), _z(a, ref["a"]), _z(a**2, ref["aa"])]
    assert np.max(np.abs(zs)) < Z_MAX, zs
    # lp: log-likelihood + log prior(coef) + log HalfNormal(alpha) (no Jacobian, as the MAP)
    wv, av = w.values, a.values
    lp = (logpmf(wv[..., None] * x, av[..., None]).sum(-1) + st.norm.logpdf(wv)
          + st.halfnorm.logpdf(av, scale=s))
    np.testing.assert_allclose(dt.sample_stats["lp"].values, lp, rtol=1e-9)


@pytest.mark.parametrize("prior", [br.Normal(1.0), br.Laplace(0.5),
                                   br.Horseshoe(relative_to_sigma=False),
                                   br.BayesianLasso(1.0, relative_to_sigma=False)])
def test_auto_picks_gibbs_for_every_gibbs_prior(prior):
    rng = np.random.default_rng(6)
    X = rng.normal(size=(40, 3))
    y = rng.negative_binomial(2.0, 2.0 / (2.0 + np.exp(0.5 + X[:, 0]))).astype(float)
    for lik in (br.NegativeBinomial(), br.NegativeBinomial(0.5)):
        m = br.Model(lik, prior.bind_data(40, 3))
        assert choose_sampler(m, X) == "gibbs"
        dt = m.sample(X, y, draws=30, tune=20, chains=1, random_seed=1, progressbar=False)
        post = dt.posterior
        assert dt.attrs["sampler"] == "gibbs"
        assert ("alpha" in post.data_vars) == (lik.alpha is None)
        assert set(prior.hyper_names) <= set(post.data_vars)
        assert np.all(np.isfinite(post["coef"].values)) and np.all(np.isfinite(dt.sample_stats["lp"]))
    assert choose_sampler(br.Model(br.NegativeBinomial(), br.Normal(1.0)), np.zeros((100, 51))) \
        == "nutpie"


@pytest.mark.slow
def test_free_alpha_gibbs_matches_nuts():
    """Gibbs vs nutpie on the identical PyMC model (NegativeBinomial with alpha estimated,
    Normal prior, intercept): means and second moments of coef, intercept and alpha."""
    pytest.importorskip("nutpie")
    from bayesreg.pymc import sample

    rng = np.random.default_rng(11)
    n, p = 60, 2
    X = rng.normal(size=(n, p))
    mu = np.exp(0.7 + X @ [0.6, -0.4])
    y = rng.negative_binomial(1.5, 1.5 / (1.5 + mu)).astype(float)
    model = br.Model(br.NegativeBinomial(), br.Normal(1.0))
    g = sample_gibbs(model, X, y, draws=1000, tune=200, chains=2, random_seed=1,
                     log_likelihood=False, progressbar=False).posterior
    nt = sample(model, X, y, draws=500, tune=300, chains=2, random_seed=1, sampler="nutpie",
                progressbar=False, log_likelihood=False).posterior
    zs = []
    for v in ("coef", "intercept", "alpha"):
        for k in (1, 2):
            a, b = g[v] ** k, nt[v] ** k
            d = a.mean(("chain", "draw")) - b.mean(("chain", "draw"))
            zs.extend(np.ravel((d / np.hypot(arviz_stats.mcse(a), arviz_stats.mcse(b))).values))
    assert np.max(np.abs(zs)) < Z_MAX, zs


def test_random_polyagamma_moments_in_every_region():
    """The PG draw of every Polya-gamma face (Bernoulli, Binomial, NB) against the closed-form
    PG(h, z) mean and variance written here, on shapes and tilts covering each sampler's region
    (tiny h: Gamma series; h < 6: Devroye + alternate; saddle; |z| > 20: alternate; h > 1e4 at
    |z| > 20: normal approximation) and negative z (PG is symmetric in z)."""
    from bayesreg.likelihoods._augmentation import random_polyagamma

    rng = np.random.default_rng(7)
    hs = np.array([5e-4, 0.4, 1.0, 2.7, 5.0, 6.5, 30.0, 250.0, 3e4])
    zs = np.array([0.0, -0.3, 3.0, -19.0, 21.0, 150.0])
    H, Z = (a.ravel() for a in np.meshgrid(hs, zs, indexing="ij"))
    m = 4000
    om = random_polyagamma(np.repeat(H, m), np.repeat(Z, m), rng).reshape(H.size, m)
    az = np.where(np.abs(Z) < 1e-8, 1.0, np.abs(Z))
    mean = np.where(Z == 0, H / 4, H * np.tanh(az / 2) / (2 * az))
    var = np.where(Z == 0, H / 24, H * (np.sinh(az) - az) / (4 * az**3 * np.cosh(az / 2) ** 2))
    assert np.all(om > 0)
    zm = (om.mean(axis=1) - mean) / np.sqrt(var / m)
    assert np.abs(zm).max() < Z_MAX, list(zip(H, Z, zm))
    ok = H >= 0.1  # the sample variance of a tiny-shape PG is too heavy-tailed to compare
    np.testing.assert_allclose(om.var(axis=1)[ok], var[ok], rtol=0.15)
