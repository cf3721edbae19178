"""The data-augmentation Gibbs sampler (StudentT's normal scale mixture, the Polya-gamma form of
Bernoulli / Binomial) against independent references:

* p = 1: posterior moments of (intercept, coef) by 2-D grid quadrature of the exact density
  written here (scipy.stats log densities, the prior's closed form);
* Binomial(trials) against its expanded Bernoulli rows (a different likelihood face, a different
  latent structure: one PG(1) per row instead of PG(n_i));
* nutpie's NUTS on the identical PyMC model (slow), with free nu and sigma.

Every comparison is a z-score scaled by ArviZ's Monte Carlo standard errors.
"""

from __future__ import annotations

import arviz_stats
import numpy as np
import pytest
import scipy.stats as st

import bayesreg as br
from bayesreg._errors import NotSupportedError
from bayesreg.samplers import choose_sampler, sample_gibbs, sample_gibbs_from_stats
from bayesreg.suffstats import SuffStats

Z_MAX = 4.5


def _grid_moments(logdens, lo, hi, m=501):
    """Means and second moments of (b0, w) under exp(logdens) on a grid."""
    g0, g1 = np.linspace(lo[0], hi[0], m), np.linspace(lo[1], hi[1], m)
    B0, W1 = np.meshgrid(g0, g1, indexing="ij")
    ld = logdens(B0, W1)
    f = np.exp(ld - ld.max())
    assert f[0].max() < 1e-9 and f[-1].max() < 1e-9 and f[:, 0].max() < 1e-9 \
        and f[:, -1].max() < 1e-9  # the grid holds the posterior
    f /= f.sum()
    return {"b0": (B0 * f).sum(), "w": (W1 * f).sum(), "b0b0": (B0**2 * f).sum(),
            "ww": (W1**2 * f).sum()}


def _zs(post, mom):
    b0, w = post["intercept"], post["coef"].isel(feature=0)
    pairs = [(b0, mom["b0"]), (w, mom["w"]), (b0**2, mom["b0b0"]), (w**2, mom["ww"])]
    return [(float(a.mean(("chain", "draw"))) - t) / float(arviz_stats.mcse(a)) for a, t in pairs]


def _logdens_grid(loglik_rows, prior, x):
    """log posterior of (b0, w) on a grid: sum_i loglik_rows(y_i, b0 + x_i w) + log p(w)."""
    def f(B0, W1):
        eta = B0[..., None] + W1[..., None] * x
        return loglik_rows(eta).sum(axis=-1) + prior.logpdf(W1.ravel()).reshape(W1.shape)
    return f


@pytest.mark.parametrize("prior", [br.Laplace(0.3), br.Normal(0.5)])
def test_student_t_fixed_nu_sigma_p1_vs_grid(prior):
    rng = np.random.default_rng(5)
    n, nu, s = 25, 3.0, 0.8
    x = rng.normal(size=n)
    y = 0.4 + 0.5 * x + s * rng.standard_t(nu, size=n)
    y[:2] += 8.0  # outliers: the posterior is far from the Gaussian one
    mom = _grid_moments(_logdens_grid(lambda eta: st.t.logpdf(y, nu, loc=eta, scale=s), prior, x),
                        (-1.5, -2.0), (2.5, 2.5))
    model = br.Model(br.StudentT(nu=nu, sigma=s), prior)
    dt = sample_gibbs(model, x[:, None], y, draws=1500, tune=200, chains=2, random_seed=3)
    zs = _zs(dt.posterior, mom)
    assert np.max(np.abs(zs)) < Z_MAX, zs
    # lp is the exact log posterior at the draws (scipy here)
    post = dt.posterior
    eta = post["intercept"].values[..., None] + post["coef"].values[..., 0, None] * x
    w = post["coef"].values[..., 0]
    ref = st.t.logpdf(y, nu, loc=eta, scale=s).sum(-1) + prior.logpdf(w.ravel()).reshape(w.shape)
    np.testing.assert_allclose(dt.sample_stats["lp"].values, ref, rtol=1e-10)
    np.testing.assert_allclose(dt.log_likelihood["y"].values,
                               st.t.logpdf(y, nu, loc=eta, scale=s), rtol=1e-10)


def test_binomial_polya_gamma_p1_vs_grid_with_weights():
    rng = np.random.default_rng(2)
    n = 30
    x = rng.normal(size=n)
    trials = rng.integers(1, 8, size=n)
    y = rng.binomial(trials, 1 / (1 + np.exp(-(-0.3 + 0.8 * x)))).astype(float)
    sw = rng.uniform(0.5, 1.5, size=n)
    prior = br.Laplace(0.5)
    lik = br.Binomial(trials)
    mom = _grid_moments(_logdens_grid(lambda eta: sw * st.binom.logpmf(y, trials, 1 / (1 + np.exp(-eta))),
                                      prior, x), (-2.0, -1.0), (1.4, 2.6))
    dt = sample_gibbs(br.Model(lik, prior), x[:, None], y, draws=1500, tune=200, chains=2,
                      random_seed=1, sample_weight=sw)
    zs = _zs(dt.posterior, mom)
    assert np.max(np.abs(zs)) < Z_MAX, zs
    post = dt.posterior
    eta = post["intercept"].values[..., None] + post["coef"].values[..., 0, None] * x
    ref = (sw * st.binom.logpmf(y, trials, 1 / (1 + np.exp(-eta)))).sum(-1) \
        + prior.logpdf(post["coef"].values[..., 0].ravel()).reshape(eta.shape[:2])
    np.testing.assert_allclose(dt.sample_stats["lp"].values, ref, rtol=1e-9)


def test_binomial_gibbs_matches_expanded_bernoulli_rows():
    """Binomial(trials) on counts and Bernoulli on the expanded 0/1 rows: one posterior."""
    rng = np.random.default_rng(8)
    n, p = 25, 2
    X = rng.normal(size=(n, p))
    trials = rng.integers(1, 6, size=n)
    y = rng.binomial(trials, 1 / (1 + np.exp(-(0.2 + X @ [0.7, -0.4])))).astype(float)
    rows = np.repeat(np.arange(n), trials)
    yb = np.concatenate([np.r_[np.ones(int(k)), np.zeros(int(t - k))] for k, t in zip(y, trials)])
    prior = br.Normal(1.0)
    a = sample_gibbs(br.Model(br.Binomial(trials), prior), X, y, draws=1000, tune=100,
                     chains=4, random_seed=4, log_likelihood=False).posterior
    b = sample_gibbs(br.Model(br.Bernoulli(), prior), X[rows], yb, draws=1000, tune=100,
                     chains=4, random_seed=5, log_likelihood=False).posterior
    zs = []
    for v in ("coef", "intercept"):
        for k in (1, 2):
            d = (a[v] ** k).mean(("chain", "draw")) - (b[v] ** k).mean(("chain", "draw"))
            se = np.hypot(arviz_stats.mcse(a[v] ** k), arviz_stats.mcse(b[v] ** k))
            zs.extend(np.ravel((d / se).values))
    assert np.max(np.abs(zs)) < Z_MAX, zs


@pytest.mark.parametrize("prior", [br.Horseshoe(relative_to_sigma=False),
                                   br.HorseshoePlus(relative_to_sigma=False),
                                   br.BayesianLasso(1.0, relative_to_sigma=False),
                                   br.ElasticNetPrior(0.5, 1.0)])
def test_every_gaussian_gibbs_prior_runs_with_student_t_and_binomial(prior):
    """The augmented sampler takes any prior's Gibbs face: the prior's hyperparameters are in
    the posterior and lp is the log posterior written here."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 4))
    y = X[:, 0] + rng.standard_t(3, size=30)
    for lik, yy in ((br.StudentT(nu=4.0), y), (br.Binomial(3), (y > 0) + (y > 1.0) + (y > -1.0))):
        dt = sample_gibbs(br.Model(lik, prior.bind_data(30, 4)), X, yy.astype(float), draws=40,
                          tune=20, chains=1, random_seed=2, progressbar=False)
        post = dt.posterior
        assert set(prior.hyper_names) <= set(post.data_vars)
        assert np.all(np.isfinite(post["coef"].values)) and np.all(np.isfinite(dt.sample_stats["lp"]))


def test_wide_dense_rows_and_fixed_intercept():
    """p > n (the O(n^2 p) draw from the weighted rows) and fit_intercept=False: exact
    (Gaussian-prior) moments against the grid are not available, so the wide draw is compared
    with the Gram draw of the same model on the same data (same posterior, MCSE-scaled)."""
    rng = np.random.default_rng(1)
    n, p = 6, 8
    X = rng.normal(size=(n, p))
    y = X[:, 0] + 0.5 * rng.standard_t(3, size=n)
    model = br.Model(br.StudentT(nu=3.0, sigma=0.5), br.Normal(1.0), fit_intercept=False)
    wide = sample_gibbs(model, X, y, draws=1200, tune=100, chains=2, random_seed=1,
                        log_likelihood=False).posterior["coef"]
    import scipy.sparse as sp  # sparse X: always the p x p statistics

    gram = sample_gibbs(model, sp.csr_matrix(X), y, draws=1200, tune=100, chains=2,
                        random_seed=2, log_likelihood=False).posterior["coef"]
    d = wide.mean(("chain", "draw")) - gram.mean(("chain", "draw"))
    z = d / np.hypot(arviz_stats.mcse(wide), arviz_stats.mcse(gram))
    assert np.abs(z.values).max() < Z_MAX


def test_auto_picks_gibbs_for_small_augmented_models_and_errors():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 3))
    y = X[:, 0] + rng.standard_t(3, size=40)
    m = br.Model(br.StudentT(), br.Laplace(0.5))
    assert choose_sampler(m, X) == "gibbs"
    assert choose_sampler(br.Model(br.Bernoulli(), br.Normal(1.0)), X) == "gibbs"
    assert choose_sampler(br.Model(br.Binomial(4), br.Horseshoe(relative_to_sigma=False)), X) == "gibbs"
    assert choose_sampler(m, np.zeros((100, 51))) == "nutpie"          # d > 50
    assert choose_sampler(m, np.zeros((20_000, 40))) == "nutpie"       # n d^2 > 2.5e7
    assert choose_sampler(br.Model(br.NegativeBinomial(), br.Normal(1.0)), X) == "gibbs"
    dt = m.sample(X, y, draws=20, tune=10, chains=1, random_seed=1, progressbar=False)
    assert dt.attrs["sampler"] == "gibbs" and {"nu", "sigma"} <= set(dt.posterior.data_vars)
    again = m.sample(X, y, draws=20, tune=10, chains=1, random_seed=1, progressbar=False,
                     sampler="gibbs")
    np.testing.assert_array_equal(dt.posterior["coef"].values, again.posterior["coef"].values)
    with pytest.raises(NotSupportedError, match="sample weights of 0 or 1"):
        sample_gibbs(m, X, y, sample_weight=np.full(40, 2.0), draws=5, tune=0, chains=1)
    with pytest.raises(NotSupportedError, match="needs the rows"):
        sample_gibbs_from_stats(m, SuffStats.from_rows(X, y, np.ones(40)), draws=5, tune=0)


@pytest.mark.slow
@pytest.mark.parametrize("case", ["student_t", "binomial"])
def test_gibbs_matches_nuts(case):
    """Gibbs vs nutpie on the identical PyMC model: StudentT with free nu and sigma (Laplace
    prior), Binomial(trials) with a Normal prior; means and second moments, MCSE-scaled."""
    pytest.importorskip("nutpie")
    from bayesreg.pymc import sample

    rng = np.random.default_rng(11)
    n, p = 50, 2
    X = rng.normal(size=(n, p))
    if case == "student_t":
        y = 0.5 + X @ [0.8, -0.3] + 0.6 * rng.standard_t(3, size=n)
        model, names = br.Model(br.StudentT(), br.Laplace(0.5)), ("coef", "intercept", "sigma", "nu")
    else:
        trials = rng.integers(1, 6, size=n)
        y = rng.binomial(trials, 1 / (1 + np.exp(-(0.3 + X @ [0.8, -0.3])))).astype(float)
        model, names = br.Model(br.Binomial(trials), br.Normal(1.0)), ("coef", "intercept")
    g = sample_gibbs(model, X, y, draws=1500, tune=300, chains=2, random_seed=1,
                     log_likelihood=False, progressbar=False).posterior
    nt = sample(model, X, y, draws=700, tune=500, chains=2, random_seed=1, sampler="nutpie",
                progressbar=False, log_likelihood=False).posterior
    zs = []
    for v in names:
        for k in (1, 2):
            a, b = g[v] ** k, nt[v] ** k
            d = a.mean(("chain", "draw")) - b.mean(("chain", "draw"))
            zs.extend(np.ravel((d / np.hypot(arviz_stats.mcse(a), arviz_stats.mcse(b))).values))
    assert np.max(np.abs(zs)) < Z_MAX, zs


def test_bayes_regressor_samples_student_t_by_gibbs():
    """The scikit-learn BayesRegressor takes the new likelihood; its default sampler is the
    rule of choose_sampler (Gibbs here) and coef_ is the posterior mean of the draws."""
    rng = np.random.default_rng(6)
    X = rng.normal(size=(40, 2))
    y = X[:, 0] + 0.5 * rng.standard_t(3, size=40)
    est = br.BayesRegressor(prior=br.Laplace(0.5), likelihood=br.StudentT(nu=4.0), draws=100,
                            tune=50, chains=1, random_seed=0).fit(X, y)
    assert est.posterior_.attrs["sampler"] == "gibbs"
    np.testing.assert_allclose(est.coef_, est.posterior_.posterior["coef"].mean(("chain", "draw")))
