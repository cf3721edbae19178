"""The sparse (shrinkage) priors against independent references.

* joint log densities: term by term with scipy.stats (half-Cauchy, half-t, inverse gamma, Beta,
  Dirichlet, Normal, Bernoulli), at random points;
* the rstanarm hs() correspondence: the density in rstanarm's non-centered variables (z,
  lambda, tau, caux), with the Jacobian, equals bayesreg's to 1e-10, and rstanarm's product
  representation of the half-t has the half-t law (Kolmogorov-Smirnov);
* m_eff: Piironen & Vehtari's closed-form prior mean for the horseshoe with fixed tau, and a
  direct Monte Carlo of the definition for the regularized horseshoe (rstanarm's draws);
* the exact Gibbs sampler (horseshoe, horseshoe+) on the normal-means problem (X = I, sigma = 1)
  against 1-D / nested quadrature of the exact posterior, MCSE-scaled z-scores;
* NUTS (nutpie) vs Gibbs on one small horseshoe regression with sigma estimated (slow).
"""

from __future__ import annotations

import arviz_stats
import numpy as np
import pytest
import scipy.stats as st
from scipy import integrate

import bayesreg as br
from bayesreg._errors import NotSupportedError, ParameterError
from bayesreg.samplers import sample_gibbs

Z_MAX = 4.5
RNG = np.random.default_rng(20260312)


def _z(samples, truth: float) -> float:
    m = float(samples.mean(("chain", "draw")))
    return (m - truth) / float(arviz_stats.mcse(samples))


def _hc(x, s=1.0):
    return st.halfcauchy(scale=s).logpdf(x)


def _ht(x, df, s):
    return np.log(2.0) + st.t(df, scale=s).logpdf(x)


# ============================================================= joint densities vs scipy.stats
@pytest.mark.parametrize("fix_global", [False, True])
@pytest.mark.parametrize("rel", [False, True])
def test_horseshoe_joint_logpdf_is_scipy(fix_global, rel):
    A, p, D = 0.7, 4, 5
    prior = br.Horseshoe(A, relative_to_sigma=rel, fix_global=fix_global)
    W, lam = RNG.normal(size=(D, p)), RNG.uniform(0.1, 3, (D, p))
    tau, sig = RNG.uniform(0.1, 2, D), RNG.uniform(0.5, 2, D)
    hyper = {"lambda": lam} if fix_global else {"tau": tau, "lambda": lam}
    got = prior.joint_logpdf(W, sigma=sig, **hyper)
    t = np.full(D, A) if fix_global else tau
    sd = t[:, None] * lam * (sig[:, None] if rel else 1.0)
    ref = (st.norm(0, sd).logpdf(W) + _hc(lam)).sum(-1) + (0 if fix_global else _hc(tau, A))
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    assert prior.hyper_names == (("lambda",) if fix_global else ("tau", "lambda"))
    np.testing.assert_allclose(prior.conditional_variance(hyper, sig), sd ** 2, rtol=1e-12)


def test_horseshoe_plus_joint_logpdf_is_scipy():
    A, p, D = 0.4, 3, 6
    prior = br.HorseshoePlus(A)
    W, lam, eta = RNG.normal(size=(D, p)), RNG.uniform(0.1, 3, (D, p)), RNG.uniform(0.1, 3, (D, p))
    tau, sig = RNG.uniform(0.1, 2, D), RNG.uniform(0.5, 2, D)
    got = prior.joint_logpdf(W, sigma=sig, tau=tau, **{"lambda": lam, "eta": eta})
    ref = (st.norm(0, tau[:, None] * lam * sig[:, None]).logpdf(W) + st.halfcauchy(scale=eta)
           .logpdf(lam) + _hc(eta)).sum(-1) + _hc(tau, A)
    np.testing.assert_allclose(got, ref, rtol=1e-12)


@pytest.mark.parametrize("rel", [False, True])
def test_regularized_horseshoe_joint_logpdf_is_scipy(rel):
    A, p, D = 0.05, 3, 5
    prior = br.RegularizedHorseshoe(A, slab_scale=1.7, slab_df=5.0, local_df=3.0, global_df=2.0,
                                    relative_to_sigma=rel)
    W, lam = RNG.normal(size=(D, p)), RNG.uniform(0.1, 3, (D, p))
    tau, c2, sig = RNG.uniform(0.01, 1, D), RNG.uniform(0.5, 5, D), RNG.uniform(0.5, 2, D)
    got = prior.joint_logpdf(W, sigma=sig, tau=tau, c2=c2, **{"lambda": lam})
    lt2 = c2[:, None] * lam**2 / (c2[:, None] + tau[:, None] ** 2 * lam**2)
    ref = ((st.norm(0, tau[:, None] * np.sqrt(lt2)).logpdf(W) + _ht(lam, 3.0, 1.0)).sum(-1)
           + _ht(tau, 2.0, A * (sig if rel else 1.0))
           + st.invgamma(2.5, scale=2.5 * 1.7**2).logpdf(c2))
    np.testing.assert_allclose(got, ref, rtol=1e-12)


def test_rstanarm_parametrization_has_the_same_density():
    """rstanarm hs(): beta = z * lambda_tilde * tau, tau = global_scale * sigma * |t_global_df|,
    lambda = |t_df|, c2 = slab_scale^2 caux, caux ~ IG(slab_df/2, slab_df/2). The density of
    (z, lambda, tau, caux) is bayesreg's density of (beta, lambda, tau, c2) times the Jacobian
    |d beta / d z| |d c2 / d caux|."""
    df, gdf, gs, sdf, ss, p = 3.0, 1.0, 0.02, 4.0, 2.5, 5
    prior = br.RegularizedHorseshoe(gs, slab_scale=ss, slab_df=sdf, local_df=df, global_df=gdf)
    rng = np.random.default_rng(1)
    for _ in range(10):
        sigma = rng.uniform(0.5, 3)
        z, lam = rng.normal(size=p), np.abs(rng.standard_t(df, p))
        tau = gs * sigma * abs(rng.standard_t(gdf))
        caux = 1.0 / rng.gamma(sdf / 2, 2 / sdf)
        c2 = ss**2 * caux
        lt = np.sqrt(c2 * lam**2 / (c2 + tau**2 * lam**2))
        beta = z * lt * tau
        stan = (st.norm.logpdf(z).sum() + _ht(lam, df, 1.0).sum() + _ht(tau, gdf, gs * sigma)
                + st.invgamma(sdf / 2, scale=sdf / 2).logpdf(caux))
        ours = prior.joint_logpdf(beta[None], sigma=np.array([sigma]), tau=np.array([tau]),
                                  c2=np.array([c2]), **{"lambda": lam[None]})[0]
        jac = np.sum(np.log(lt * tau)) + np.log(ss**2)
        assert stan == pytest.approx(ours + jac, abs=1e-10)
    # rstanarm draws lambda as local[1] * sqrt(local[2]), local[1] ~ N+(0, 1),
    # local[2] ~ IG(df/2, df/2): that is the half-t_df law bayesreg states
    a = np.abs(rng.normal(size=20000)) * np.sqrt(st.invgamma(df / 2, scale=df / 2).rvs(
        20000, random_state=rng))
    assert st.kstest(a, lambda x: 2 * st.t(df).cdf(x) - 1).pvalue > 1e-3


def test_r2d2_joint_logpdf_is_scipy():
    prior = br.R2D2(0.3, 4.0, 0.7)
    p, D = 4, 5
    W, r2, sig = RNG.normal(size=(D, p)), RNG.uniform(0.05, 0.95, D), RNG.uniform(0.5, 2, D)
    phi = RNG.dirichlet(np.ones(p), D)
    got = prior.joint_logpdf(W, sigma=sig, r2=r2, phi=phi)
    ref = np.array([st.norm(0, np.sqrt(phi[d] * r2[d] / (1 - r2[d])) * sig[d]).logpdf(W[d]).sum()
                    + st.beta(1.2, 2.8).logpdf(r2[d]) + st.dirichlet(np.full(p, 0.7)).logpdf(phi[d])
                    for d in range(D)])
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    assert prior.joint_logpdf(W[:1], sigma=sig[:1], r2=r2[:1], phi=phi[:1] * 1.1)[0] == -np.inf


def test_spike_and_slab_joint_logpdf_is_scipy():
    pi, s = np.array([0.2, 0.5, 0.9]), 1.4
    prior = br.SpikeAndSlab(pi, s, relative_to_sigma=True)
    g = np.array([[1, 0, 1], [0, 0, 0], [1, 1, 1]])
    W = RNG.normal(size=(3, 3)) * g
    sig = np.array([0.7, 1.0, 1.9])
    got = prior.joint_logpdf(W, sigma=sig, inclusion=g)
    ref = np.array([sum(st.bernoulli(pi[j]).logpmf(g[d, j])
                        + (st.norm(0, s * sig[d]).logpdf(W[d, j]) if g[d, j] else 0.0)
                        for j in range(3)) for d in range(3)])
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    bad = g.copy()
    bad[0, 0] = 0  # excluded but non-zero: impossible
    assert prior.joint_logpdf(W, sigma=sig, inclusion=bad)[0] == -np.inf
    # the elementwise density w.r.t. Lebesgue + an atom at 0
    w = np.array([0.0, 0.3, -1.0])
    ref1 = np.where(w == 0, np.log(1 - pi), np.log(pi) + st.norm(0, s).logpdf(w))
    np.testing.assert_allclose(prior.logpdf(w), ref1, rtol=1e-12)


# ============================================================= options, data binding, errors
def test_expected_nonzero_sets_the_global_scale_at_fit_time():
    prior = br.RegularizedHorseshoe(expected_nonzero=3)
    b = prior.bind_data(100, 13, 2.0)
    assert b.global_scale == pytest.approx(3 / 10 / 10)  # relative: the model multiplies by sigma
    b2 = br.RegularizedHorseshoe(expected_nonzero=3, relative_to_sigma=False).bind_data(100, 13, 2.0)
    assert b2.global_scale == pytest.approx(3 / 10 / 10 * 2.0)
    assert br.RegularizedHorseshoe().bind_data(100, 13) .global_scale is None  # unchanged
    assert br.RegularizedHorseshoe()._A == 0.01  # rstanarm's default
    with pytest.raises(ParameterError, match="expected_nonzero"):
        prior.bind_data(100, 3)
    with pytest.raises(ParameterError, match="give one"):
        br.RegularizedHorseshoe(0.1, expected_nonzero=2)
    with pytest.raises(NotSupportedError, match="bind_data"):
        prior.joint_logpdf(np.zeros((1, 4)), tau=np.ones(1), c2=np.ones(1),
                           **{"lambda": np.ones((1, 4))})
    assert br.Model.from_dict(br.Model(br.Gaussian(), prior).to_dict()).prior == prior


@pytest.mark.parametrize("prior,text", [
    (br.Horseshoe(), "infinite at w = 0"), (br.HorseshoePlus(), "infinite at w = 0"),
    (br.RegularizedHorseshoe(0.1), "infinite at w = 0"), (br.R2D2(), "unbounded"),
    (br.SpikeAndSlab(), "best-subset")])
def test_map_and_crosscheck_explain_the_missing_mode(prior, text):
    X = RNG.normal(size=(20, 3))
    y = X[:, 0] + RNG.normal(size=20)
    model = br.Model(br.Gaussian(), prior)
    for call in (model.map, model.crosscheck):
        with pytest.raises(NotSupportedError, match=text) as exc:
            call(X, y)
        assert "compare" in str(exc.value)


@pytest.mark.parametrize("bad", [
    lambda: br.Horseshoe(-1.0), lambda: br.Horseshoe(relative_to_sigma=1),
    lambda: br.RegularizedHorseshoe(slab_df=0.0), lambda: br.R2D2(mean_r2=1.0),
    lambda: br.SpikeAndSlab(inclusion_prob=1.0), lambda: br.SpikeAndSlab(slab_scale=np.nan)])
def test_bad_parameters_raise_parameter_errors(bad):
    with pytest.raises((ParameterError, br.BayesregTypeError)):
        bad()


def test_spike_and_slab_refuses_nutpie_and_gibbs_without_a_gaussian_likelihood():
    X = RNG.normal(size=(20, 3))
    model = br.Model(br.Gaussian(sigma=1.0), br.SpikeAndSlab())
    with pytest.raises(NotSupportedError, match="sampler='pymc'"):
        model.sample(X, X[:, 0], sampler="nutpie")
    from bayesreg.samplers import choose_sampler

    assert choose_sampler(model, X) == "gibbs"  # collapsed Gibbs (Gaussian likelihood)
    yb = (X[:, 0] > 0).astype(float)
    logit = br.Model(br.Bernoulli(), br.SpikeAndSlab())
    assert choose_sampler(logit, X) == "pymc"
    with pytest.raises(NotSupportedError, match="Gaussian likelihood"):
        logit.sample(X, yb, sampler="gibbs")


# ============================================================= m_eff calibration
@pytest.mark.parametrize("rel", [False, True])
def test_m_eff_prior_mean_is_piironen_vehtari(rel, capsys):
    """Horseshoe with fixed tau: E[1 - kappa_j] = a / (1 + a), a = sqrt(n) tau / sigma
    (Piironen & Vehtari 2017, eq. 3.9; relative to sigma the prior sd is tau sigma, a = sqrt(n) tau)."""
    n, p, tau, sigma = 200, 30, 0.03, 2.0
    res = br.effective_nonzero(br.Horseshoe(tau, relative_to_sigma=rel, fix_global=True), n, p,
                               sigma=sigma, draws=20000, random_seed=3)
    a = np.sqrt(n) * tau / (1.0 if rel else sigma)
    se = res.draws.std() / np.sqrt(res.draws.size)
    assert abs(res.mean - p * a / (1 + a)) < 4.5 * se
    assert "m_eff" in capsys.readouterr().out and "q50" in str(res)
    assert res.kappa.shape == (20000, p) and np.all((res.kappa > 0) & (res.kappa <= 1))


def test_m_eff_regularized_horseshoe_by_direct_monte_carlo():
    """Against rstanarm's generative draws, written out here: tau = A sigma |N| sqrt(IG),
    lambda = |N| sqrt(IG), c2 = s^2 IG, kappa = 1 / (1 + n tau^2 lt^2 / sigma^2)."""
    n, p, p0, sigma = 400, 25, 4, 1.5
    prior = br.RegularizedHorseshoe(expected_nonzero=p0, slab_scale=2.0, slab_df=4.0)
    res = br.effective_nonzero(prior, n, p, sigma=sigma, draws=20000, random_seed=5,
                               verbose=False)
    rng = np.random.default_rng(9)
    D = 40000
    A = p0 / (p - p0) / np.sqrt(n)
    tau = A * sigma * np.abs(rng.normal(size=D)) * np.sqrt(1 / rng.gamma(0.5, 2.0, D))
    lam = np.abs(rng.normal(size=(D, p))) * np.sqrt(1 / rng.gamma(0.5, 2.0, (D, p)))
    c2 = 4.0 * (1 / rng.gamma(2.0, 0.5, D))
    lt2 = c2[:, None] * lam**2 / (c2[:, None] + tau[:, None] ** 2 * lam**2)
    m = np.sum(1 - 1 / (1 + n * tau[:, None] ** 2 * lt2 / sigma**2), axis=1)
    se = np.hypot(m.std() / np.sqrt(D), res.draws.std() / np.sqrt(res.draws.size))
    assert abs(res.mean - m.mean()) < 4.5 * se
    med = np.median(m)
    assert abs(res.quantiles()[0.5] - med) < 0.1 * p


def test_m_eff_spike_and_slab_and_r2d2():
    n, p = 100, 20
    res = br.effective_nonzero(br.SpikeAndSlab(0.25, 1.0), n, p, draws=20000, random_seed=1,
                               verbose=False)
    exact = p * 0.25 * (1 - 1 / (1 + n))  # E[m_eff] = sum_j pi (1 - kappa_slab)
    assert abs(res.mean - exact) < 4.5 * res.draws.std() / np.sqrt(res.draws.size)
    r = br.effective_nonzero(br.R2D2(), n, p, draws=2000, random_seed=1, verbose=False)
    assert np.all((r.draws >= 0) & (r.draws <= p))
    with pytest.raises(NotSupportedError, match="draw_variances"):
        br.effective_nonzero(br.Laplace(1.0), n, p, verbose=False)


@pytest.mark.parametrize("prior", [br.Horseshoe(), br.RegularizedHorseshoe(0.5),
                                   br.SpikeAndSlab(0.3, 1.0)], ids=repr)
def test_prior_density_plot_smoke(prior):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = br.plot_prior_density(prior, draws=2000)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any("Normal" in t for t in labels) and any("Laplace" in t for t in labels)
    plt.close(ax.figure)


def test_horseshoe_marginal_density_from_the_variance_draws_is_the_closed_form():
    """The Monte Carlo marginal used by the plot, E_lambda[N(w; 0, tau^2 lambda^2)], equals
    Carvalho et al.'s closed form exp(w^2/(2 tau^2)) E1(w^2/(2 tau^2)) / (tau sqrt(2 pi^3))."""
    from scipy.special import exp1

    tau = 0.8
    v = br.Horseshoe(tau, fix_global=True, relative_to_sigma=False).draw_variances(
        1, 200000, np.random.default_rng(0))[:, 0]
    for w in (0.3, 1.0, 2.5):
        mc = np.exp(-0.5 * w * w / v) / np.sqrt(2 * np.pi * v)
        u = w * w / (2 * tau * tau)
        exact = np.exp(u) * exp1(u) / (tau * np.sqrt(2 * np.pi**3))
        assert abs(mc.mean() - exact) < 4.5 * mc.std() / np.sqrt(mc.size)


def test_horseshoe_fixed_tau_marginal_logpdf_is_the_quadrature():
    """The closed-form marginal of Horseshoe(fix_global=True).logpdf equals the 1-D quadrature
    of N(w; 0, tau^2 lambda^2) C+(lambda; 1) over lambda, and integrates to 1."""
    prior = br.Horseshoe(0.7, fix_global=True, relative_to_sigma=False)
    for w in (0.05, 2.0, 40.0):  # 40: the asymptotic branch
        q = integrate.quad(lambda t, w=w: np.exp(st.norm(0, 0.7 * np.exp(t)).logpdf(w)
                                                 + st.halfcauchy.logpdf(np.exp(t)) + t),
                           -40, 40, limit=200, epsabs=0, epsrel=1e-10)[0]
        assert float(np.exp(prior.logpdf(np.array([w]))[0])) == pytest.approx(q, rel=1e-9)
    f = lambda w: float(np.exp(prior.logpdf(np.array([w]))[0]))  # noqa: E731
    total = 2 * integrate.quad(lambda t: f(np.exp(t)) * np.exp(t), -60, 60, limit=200,
                               epsabs=0, epsrel=1e-9)[0]  # w = e^t: smooth in t
    assert total == pytest.approx(1.0, rel=1e-7)
    assert prior.logpdf(np.array([0.0]))[0] == np.inf


def test_pymc_builder_binds_expected_nonzero():
    """build_model fills global_scale = p0 / (p - p0) / sqrt(n) (times the fixed sigma, through
    relative_to_sigma): the tau prior in the PyMC model is the half-Cauchy of that scale."""
    import pymc as pm

    from bayesreg.pymc import build_model

    n, p, p0, sigma = 50, 6, 2, 2.0
    X = RNG.normal(size=(n, p))
    pmm = build_model(br.Model(br.Gaussian(sigma=sigma), br.RegularizedHorseshoe(
        expected_nonzero=p0)), X, X[:, 0])
    scale = p0 / (p - p0) / np.sqrt(n) * sigma
    for tau in (0.01, 0.3):
        got = float(pm.logp(pmm["tau"], tau).eval())
        assert got == pytest.approx(float(_hc(tau, scale)), abs=1e-7)


# ============================================================= exact Gibbs vs quadrature
def _hs_plus_local_logpdf(lam):
    """horseshoe+ local scale marginal: int C+(lam; eta) C+(eta; 1) d eta
    = 4 log(lam) / (pi^2 (lam^2 - 1)) (Bhadra et al. 2017); checked by quadrature below."""
    return np.log(4 * np.log(lam) / (np.pi**2 * (lam**2 - 1)))


def _normal_means_moments(y, tau, local_logpdf):
    """E[w | y] and E[w^2 | y] for y ~ N(w, 1), w ~ N(0, tau^2 lam^2), lam ~ local: w is
    Gaussian given lam (mean y s / (1 + s), variance s / (1 + s), s = tau^2 lam^2), so one
    1-D quadrature over lam (in log lam) gives them."""
    def f(t, k):
        lam = np.exp(t)
        s = (tau * lam) ** 2
        m, v = y * s / (1 + s), s / (1 + s)
        base = np.exp(st.norm.logpdf(y, 0, np.sqrt(1 + s)) + local_logpdf(lam) + t)
        return base * (1.0, m, v + m * m)[k]

    I = [integrate.quad(f, -30, 30, args=(k,), limit=400, points=[0.0], epsabs=0,
                        epsrel=1e-10)[0] for k in range(3)]
    return I[1] / I[0], I[2] / I[0]


@pytest.mark.parametrize("prior_cls,local", [
    (br.Horseshoe, lambda lam: st.halfcauchy.logpdf(lam)),
    (br.HorseshoePlus, _hs_plus_local_logpdf)], ids=["horseshoe", "horseshoe+"])
def test_gibbs_normal_means_fixed_tau_vs_quadrature(prior_cls, local):
    """X = I, sigma = 1, no intercept, tau fixed: each coefficient's posterior is 1-D."""
    y = np.array([0.1, 0.8, 2.0, 4.5])
    tau = 0.6
    model = br.Model(br.Gaussian(sigma=1.0), prior_cls(tau, fix_global=True), fit_intercept=False)
    dt = sample_gibbs(model, np.eye(4), y, draws=3000, tune=200, chains=4, random_seed=7,
                      log_likelihood=False)
    w = dt.posterior.coef
    assert dt.posterior["lambda"].shape == (4, 3000, 4)
    zs = []
    for j in range(4):
        m1, m2 = _normal_means_moments(y[j], tau, local)
        zs += [_z(w.isel(feature=j), m1), _z(w.isel(feature=j) ** 2, m2)]
    assert np.max(np.abs(zs)) < Z_MAX, np.round(zs, 2)


def test_horseshoe_plus_local_density_closed_form():
    for lam in (0.2, 0.9, 3.0):
        q = integrate.quad(lambda e, lam=lam: np.exp(st.halfcauchy(scale=e).logpdf(lam)
                                            + st.halfcauchy.logpdf(e)), 0, np.inf, limit=200)[0]
        assert np.exp(_hs_plus_local_logpdf(lam)) == pytest.approx(q, rel=1e-8)


def test_gibbs_horseshoe_random_tau_vs_nested_quadrature():
    """X = I_2, sigma = 1, tau ~ C+(0, 1): given tau the coefficients are independent 1-D
    problems; the posterior of tau is their product of marginal likelihoods times its prior.
    Nested quadrature on log grids (trapezoid in log lambda and log tau: the integrands decay
    smoothly at both ends, so the rule converges fast; checked against scipy quad at one tau)."""
    y = np.array([0.3, 3.0])
    A = 1.0
    t = np.linspace(-30, 30, 6001)[:, None]  # log lambda
    u = np.linspace(-12, 8, 1201)[None, :]  # log tau
    s = np.exp(2 * (t + u))
    base_l = st.halfcauchy.logpdf(np.exp(t)) + t
    marg, num = [], []
    for yj in y:
        dens = np.exp(st.norm.logpdf(yj, 0, np.sqrt(1 + s)) + base_l)
        marg.append(integrate.trapezoid(dens, t[:, 0], axis=0))
        num.append(integrate.trapezoid(dens * yj * s / (1 + s), t[:, 0], axis=0))
    # one grid value against adaptive quadrature
    tau0 = np.exp(u[0, 700])
    q = integrate.quad(lambda tt: np.exp(st.norm.logpdf(y[1], 0, np.sqrt(1 + (tau0 * np.exp(tt)) ** 2))
                                         + st.halfcauchy.logpdf(np.exp(tt)) + tt), -30, 30,
                       limit=200, epsrel=1e-10)[0]
    assert marg[1][700] == pytest.approx(q, rel=1e-8)
    wt = np.exp(st.halfcauchy(scale=A).logpdf(np.exp(u[0])) + u[0]) * marg[0] * marg[1]
    Z = integrate.trapezoid(wt, u[0])
    means = [integrate.trapezoid(wt * num[j] / marg[j], u[0]) / Z for j in range(2)]
    model = br.Model(br.Gaussian(sigma=1.0), br.Horseshoe(A), fit_intercept=False)
    dt = sample_gibbs(model, np.eye(2), y, draws=4000, tune=300, chains=4, random_seed=2,
                      log_likelihood=False)
    zs = [_z(dt.posterior.coef.isel(feature=j), means[j]) for j in range(2)]
    assert np.max(np.abs(zs)) < Z_MAX, zs
    assert np.all(np.isfinite(dt.sample_stats.lp)) and dt.posterior.tau.shape == (4, 4000)


@pytest.mark.slow
def test_gibbs_matches_nuts_on_a_small_horseshoe_regression():
    """Gibbs (sigma estimated, relative to sigma, random tau) vs nutpie on the identical model:
    posterior means, MCSE-scaled (both samplers' MCSEs)."""
    rng = np.random.default_rng(4)
    n, p = 40, 3
    X = rng.normal(size=(n, p))
    y = 0.5 + X @ np.array([1.5, 0.0, -0.4]) + rng.normal(size=n)
    model = br.Model(br.Gaussian(), br.Horseshoe(0.5))
    g = model.sample(X, y, draws=2000, tune=300, chains=4, sampler="gibbs", random_seed=1,
                     progressbar=False, log_likelihood=False)
    nu = model.sample(X, y, draws=500, tune=500, chains=2, sampler="nutpie", random_seed=1,
                      progressbar=False, log_likelihood=False)
    zs = []
    for v in ("coef", "sigma", "intercept"):
        a, b = g.posterior[v], nu.posterior[v]
        d = a.mean(("chain", "draw")) - b.mean(("chain", "draw"))
        se = np.sqrt(arviz_stats.mcse(a) ** 2 + arviz_stats.mcse(b) ** 2)
        zs += list(np.atleast_1d((d / se).to_numpy()))
    assert np.max(np.abs(zs)) < Z_MAX, zs
    assert "tau" in nu.posterior and nu.posterior["lambda"].shape[-1] == p


@pytest.mark.slow
def test_spike_and_slab_inclusion_probabilities_vs_exact_enumeration():
    """Posterior inclusion probabilities (PyMC: NUTS on the slab, BinaryGibbsMetropolis on the
    indicators) against exact enumeration of the 2^p models, each with its closed-form marginal
    likelihood y ~ N(0, sigma^2 I + s^2 X_S X_S') (no intercept, sigma fixed)."""
    import itertools

    rng = np.random.default_rng(8)
    n, p, s, pi = 30, 3, 1.0, 0.4
    X = rng.normal(size=(n, p))
    y = X @ np.array([0.6, 0.0, -0.3]) + rng.normal(size=n)
    logpost, models = [], []
    for g in itertools.product([0, 1], repeat=p):
        g = np.array(g, dtype=bool)
        cov = np.eye(n) + s**2 * X[:, g] @ X[:, g].T
        logpost.append(st.multivariate_normal(np.zeros(n), cov).logpdf(y)
                       + np.sum(np.where(g, np.log(pi), np.log1p(-pi))))
        models.append(g)
    w = np.exp(np.array(logpost) - max(logpost))
    pip = (w / w.sum()) @ np.array(models, dtype=float)
    assert 0.2 < pip[2] < 0.9  # an uncertain coefficient: the test is not vacuous
    model = br.Model(br.Gaussian(sigma=1.0), br.SpikeAndSlab(pi, s), fit_intercept=False)
    idata = model.sample(X, y, draws=1500, tune=300, chains=2, sampler="pymc", random_seed=3,
                         progressbar=False, log_likelihood=False)
    g = idata.posterior["inclusion"]
    zs = [_z(g.isel(feature=j).astype(float), pip[j]) for j in range(p)
          if 0.01 < pip[j] < 0.99]
    assert np.max(np.abs(zs)) < Z_MAX, (zs, pip)
    coef = idata.posterior["coef"].values
    assert np.all((coef == 0) == (g.values == 0))  # excluded coefficients are exactly 0
