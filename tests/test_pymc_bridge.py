"""The PyMC bridge: logp equality (vs MAPResult and vs scipy.stats), the sufficient-statistics
likelihood, the elastic-net CustomDist, BayesianLasso's PyMC form, and crosscheck."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from scipy import integrate, stats
from scipy.special import expit
from sklearn.datasets import load_diabetes

from bayesreg import (
    Bernoulli,
    ElasticNetPrior,
    Gaussian,
    Laplace,
    Model,
    Normal,
    NotSupportedError,
    ParameterError,
    Poisson,
)
from bayesreg.priors import BayesianLasso, prior_from_dict

pm = pytest.importorskip("pymc")

from bayesreg.pymc import CrossCheck, build_model, crosscheck, model_point  # noqa: E402

P = 4
N = 60


# ------------------------------------------------------------------ data & references
def _data(kind: str, seed: int = 0, n: int = N, p: int = P):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    w = np.array([0.8, -0.5, 0.0, 0.3, 0.0, 0.6, -0.2, 0.0])[:p]
    eta = 0.4 + X @ w
    if kind == "gaussian":
        y = eta + 1.3 * rng.normal(size=n)
    elif kind == "bernoulli":
        y = (rng.random(n) < expit(eta)).astype(float)
    else:
        y = rng.poisson(np.exp(0.5 * eta)).astype(float)
    return X, y


def _weights(n: int = N, seed: int = 3):
    return np.random.default_rng(seed).uniform(0.2, 2.5, n)


def _ref_prior_logpdf(prior, w):
    """log p(w) by scipy.stats, and by numerical integration of the normalizer for the EN."""
    if isinstance(prior, Normal):
        return stats.norm.logpdf(w, 0, prior.scale).sum()
    if isinstance(prior, Laplace):
        return stats.laplace.logpdf(w, 0, prior.scale).sum()
    l1 = 1 / np.broadcast_to(prior.l1_scale, w.shape)
    l2 = 1 / np.broadcast_to(prior.l2_scale, w.shape) ** 2
    out = 0.0
    for wj, a, c in zip(w, l1, l2):
        z = 2 * integrate.quad(lambda t, a=a, c=c: np.exp(-a * t - 0.5 * c * t * t), 0, np.inf,
                               epsabs=0, epsrel=1e-13)[0]
        out += -a * abs(wj) - 0.5 * c * wj * wj - np.log(z)
    return out


def _ref_logpost(model, X, y, sw, coef, intercept, sigma):
    lik = model.likelihood
    eta = intercept + X @ coef
    if isinstance(lik, Gaussian):
        s = sigma if lik.estimates_sigma else lik.sigma
        ll = stats.norm.logpdf(y, eta, s)
    elif isinstance(lik, Bernoulli):
        ll = stats.bernoulli.logpmf(y, expit(eta))
    else:
        ll = stats.poisson.logpmf(y, np.exp(eta))
    lp = float(sw @ ll) + _ref_prior_logpdf(model.prior, coef)
    if isinstance(lik, Gaussian) and lik.estimates_sigma:
        ybar = np.average(y, weights=sw)
        s_scale = np.sqrt(np.average((y - ybar) ** 2, weights=sw))
        lp += stats.halfnorm.logpdf(sigma, scale=s_scale)
    return lp


LIKS = {
    "gauss_fixed_ss": (lambda: Gaussian(1.3), "gaussian", True),
    "gauss_fixed_rows": (lambda: Gaussian(1.3), "gaussian", False),
    "gauss_est_ss": (lambda: Gaussian(), "gaussian", True),
    "gauss_est_rows": (lambda: Gaussian(), "gaussian", False),
    "bernoulli": (lambda: Bernoulli(), "bernoulli", False),
    "poisson": (lambda: Poisson(), "poisson", False),
}
PRIORS = {
    "normal_array": lambda: Normal(np.linspace(0.5, 1.2, P)),
    "laplace_array": lambda: Laplace(np.linspace(0.15, 0.6, P)),
    "enet_array": lambda: ElasticNetPrior(0.3, np.linspace(0.5, 1.5, P)),
}
CASES = [(lk, pr, False) for lk in LIKS for pr in PRIORS]
CASES += [(lk, list(PRIORS)[i % 3], True) for i, lk in enumerate(LIKS)]


@pytest.mark.parametrize("lik_id,prior_id,weighted", CASES,
                         ids=[f"{a}-{b}-{'w' if c else 'u'}" for a, b, c in CASES])
def test_logp_bridge(lik_id, prior_id, weighted):
    make_lik, kind, ss = LIKS[lik_id]
    model = Model(make_lik(), PRIORS[prior_id]())
    X, y = _data(kind)
    sw = _weights() if weighted else None
    swv = sw if weighted else np.ones(N)
    pmm = build_model(model, X, y, sample_weight=sw, suff_stats=ss if kind == "gaussian"
                      else "auto")
    names = {v.name for v in pmm.free_RVs}
    est = lik_id.startswith("gauss_est")
    assert names == ({"intercept", "coef", "sigma"} if est else {"intercept", "coef"})
    assert list(pmm.coords["feature"]) == [f"x{j}" for j in range(P)]
    logp = pmm.compile_logp(jacobian=False)

    # (1) the hard requirement: PyMC logp at the MAP == MAPResult.log_posterior (1e-8 relative)
    res = model.map(X, y, sample_weight=sw, tol=1e-10)
    lp_pm = float(logp(model_point(pmm, res)))
    assert lp_pm == pytest.approx(res.log_posterior, rel=1e-8, abs=0)

    # (2) independent reference (scipy.stats, quad-normalized EN) at a point off the mode
    rng = np.random.default_rng(7)
    coef = rng.normal(scale=0.5, size=P)
    coef[1] = 0.0
    b0, s = 0.3, 1.1
    lp_pm2 = float(logp(model_point(pmm, coef=coef, intercept=b0, sigma=s)))
    ref = _ref_logpost(model, X, y, swv, coef, b0, s)
    assert lp_pm2 == pytest.approx(ref, rel=1e-9, abs=0)


def test_no_intercept_and_dataframe_names():
    pd = pytest.importorskip("pandas")
    X, y = _data("gaussian")
    df = pd.DataFrame(X, columns=["age", "bmi", "bp", "s1"])
    model = Model(Gaussian(1.3), Laplace(0.4), fit_intercept=False)
    pmm = model.to_pymc(df, y)
    assert {v.name for v in pmm.free_RVs} == {"coef"}
    assert list(pmm.coords["feature"]) == ["age", "bmi", "bp", "s1"]
    res = model.map(df, y, tol=1e-10)
    lp = float(pmm.compile_logp(jacobian=False)(model_point(pmm, res)))
    assert lp == pytest.approx(res.log_posterior, rel=1e-8)
    ref = _ref_logpost(model, X, y, np.ones(N), res.coef, 0.0, None)
    assert lp == pytest.approx(ref, rel=1e-9)


# ------------------------------------------------------------------ sufficient statistics
@pytest.mark.parametrize("est_sigma,weighted,sparse", [(True, True, False), (False, False, True)])
def test_suff_stats_logp_and_gradient_match_rowwise(est_sigma, weighted, sparse):
    rng = np.random.default_rng(11)
    n, p = 400, 6
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 30, p) + rng.normal(scale=50, size=p)
    y = 1000.0 + X @ rng.normal(size=p) + rng.normal(scale=2.0, size=n)  # large mean: cancellation
    if sparse:
        X = np.where(rng.random((n, p)) < 0.7, 0.0, X)
    sw = rng.uniform(0.1, 3.0, n) if weighted else None
    model = Model(Gaussian() if est_sigma else Gaussian(2.5), ElasticNetPrior(0.7, 2.0))
    Xin = sp.csr_matrix(X) if sparse else X
    m_ss = build_model(model, Xin, y, sample_weight=sw, suff_stats=True)
    m_rw = build_model(model, X, y, sample_weight=sw, suff_stats=False)
    assert "XtWX" in m_ss.named_vars and "X" in m_rw.named_vars
    f_ss, f_rw = m_ss.compile_logp(jacobian=False), m_rw.compile_logp(jacobian=False)
    g_ss, g_rw = m_ss.compile_dlogp(jacobian=False), m_rw.compile_dlogp(jacobian=False)
    for _ in range(4):
        pt = model_point(m_rw, coef=rng.normal(size=p), intercept=1000 + rng.normal(scale=5),
                         sigma=rng.uniform(1, 4))
        assert float(f_ss(pt)) == pytest.approx(float(f_rw(pt)), rel=1e-8, abs=0)
        ga, gb = np.asarray(g_ss(pt)), np.asarray(g_rw(pt))
        assert np.max(np.abs(ga - gb)) <= 1e-8 * max(1.0, np.max(np.abs(gb)))


def test_suff_stats_auto_choice_and_errors():
    X, y = _data("gaussian")
    model = Model(Gaussian(1.0), Normal(1.0))
    assert "XtWX" in build_model(model, X, y).named_vars  # n = 60 > 2 p
    assert "X" in build_model(model, X[:6], y[:6]).named_vars  # n = 6 < 2 p: row-wise
    Xb, yb = _data("bernoulli")
    with pytest.raises(NotSupportedError, match="suff_stats=True"):
        build_model(Model(Bernoulli(), Normal(1.0)), Xb, yb, suff_stats=True)
    with pytest.raises(ParameterError, match="suff_stats"):
        build_model(model, X, y, suff_stats="yes")


# ------------------------------------------------------------------ elastic-net CustomDist
@pytest.mark.filterwarnings("ignore:Numba will use object mode:UserWarning")
def test_enet_customdist_logp_normalization_and_draws():
    from bayesreg.priors.elasticnet import elastic_net_random

    l1s = np.array([0.05, 0.5, 2.0, 30.0])
    l2s = np.array([4.0, 1.0, 0.3, 1e-3])
    prior = ElasticNetPrior(l1s, l2s)
    with pm.Model():
        rv = prior.to_pymc("w", shape=4)
    w = np.array([0.0, -0.7, 1.9, 50.0])
    lp = pm.logp(rv, w).eval()
    np.testing.assert_allclose(lp, prior.logpdf(w), rtol=1e-12)
    # the density integrates to one (numerically), including extreme l1/sqrt(l2) (erfcx regime)
    import pytensor
    import pytensor.tensor as pt

    v = pt.dvector("v")
    f_logp = pytensor.function([v], pm.logp(rv, v), mode="FAST_COMPILE")
    for j in range(4):
        f = lambda t, j=j: np.exp(f_logp(np.full(4, t))[j])  # noqa: E731
        tot = integrate.quad(f, -np.inf, 0)[0] + integrate.quad(f, 0, np.inf)[0]
        assert tot == pytest.approx(1.0, abs=1e-7)
    # exact sampler: KS test against the CDF of the normalized density
    a, c = 1 / 0.5, 1 / 1.0**2
    draws = elastic_net_random(np.full(1500, a), np.full(1500, c), rng=5)
    z = 2 * integrate.quad(lambda t: np.exp(-a * t - 0.5 * c * t * t), 0, np.inf)[0]

    def cdf(x):
        x = np.atleast_1d(x)
        out = np.empty_like(x)
        for i, v in enumerate(x):
            m = integrate.quad(lambda t: np.exp(-a * abs(t) - 0.5 * c * t * t), 0, abs(v))[0] / z
            out[i] = 0.5 + np.sign(v) * m
        return out

    assert stats.kstest(draws, cdf).pvalue > 1e-3
    # prior predictive through PyMC uses it
    with pm.Model():
        rv2 = ElasticNetPrior(0.5, 1.0).to_pymc("w", shape=1500)
    d = pm.draw(rv2, random_seed=1)
    assert stats.kstest(d, cdf).pvalue > 1e-3


# ------------------------------------------------------------------ BayesianLasso
def test_bayesian_lasso_spec_and_map_raises():
    X, y = _data("gaussian")
    for prior in [BayesianLasso(), BayesianLasso(0.5), BayesianLasso(0.5, relative_to_sigma=False),
                  BayesianLasso(lam2_prior=(2.0, 0.5))]:
        model = Model(Gaussian(), prior)
        with pytest.raises(NotSupportedError, match="BayesianLasso"):
            model.map(X, y)
        assert prior_from_dict(prior.to_dict()) == prior
        assert Model.from_dict(model.to_dict()) == model
    with pytest.raises(ParameterError, match="both"):
        BayesianLasso(0.5, lam2_prior=(1.0, 1.0))
    with pytest.raises(ParameterError, match="lam2_prior"):
        BayesianLasso(lam2_prior=(1.0, -1.0))
    Xb, yb = _data("bernoulli")
    with pytest.raises(NotSupportedError, match="relative_to_sigma"):
        build_model(Model(Bernoulli(), BayesianLasso()), Xb, yb)


def test_bayesian_lasso_pymc_density():
    X, y = _data("gaussian")
    r, delta = 1.5, 0.7
    pmm = build_model(Model(Gaussian(), BayesianLasso(lam2_prior=(r, delta))), X, y)
    assert {v.name for v in pmm.free_RVs} == {"intercept", "coef", "sigma", "lam2"}
    f = pmm.compile_logp(jacobian=False)
    coef, b0, s, lam2 = np.array([0.4, -0.1, 0.0, 0.9]), 0.2, 1.4, 2.3
    lp = float(f(model_point(pmm, coef=coef, intercept=b0, sigma=s, lam2=lam2)))
    scale = np.sqrt(np.mean((y - y.mean()) ** 2))
    ref = (stats.norm.logpdf(y, b0 + X @ coef, s).sum()
           + stats.laplace.logpdf(coef, 0, s / np.sqrt(lam2)).sum()
           + stats.gamma.logpdf(lam2, a=r, scale=1 / delta)
           + stats.halfnorm.logpdf(s, scale=scale))
    assert lp == pytest.approx(ref, rel=1e-10)
    # fixed scale, Gaussian with fixed sigma: Laplace(0, sigma * scale)
    pmm2 = build_model(Model(Gaussian(1.7), BayesianLasso(0.3)), X, y)
    lp2 = float(pmm2.compile_logp(jacobian=False)(model_point(pmm2, coef=coef, intercept=b0)))
    ref2 = (stats.norm.logpdf(y, b0 + X @ coef, 1.7).sum()
            + stats.laplace.logpdf(coef, 0, 1.7 * 0.3).sum())
    assert lp2 == pytest.approx(ref2, rel=1e-10)
    np.testing.assert_allclose(BayesianLasso(0.3).logpdf(coef, sigma=1.7),
                               stats.laplace.logpdf(coef, 0, 1.7 * 0.3))


# ------------------------------------------------------------------ crosscheck
def _diabetes():
    X, y = load_diabetes(return_X_y=True)
    return (X - X.mean(0)) / X.std(0), y


def _random(kind, seed=2):
    rng = np.random.default_rng(seed)
    n, p = 300, 8
    X = rng.normal(size=(n, p))
    eta = X @ np.array([1, -0.5, 0, 0, 0.3, 0, 0, 0.8])
    if kind == "bernoulli":
        return X, (rng.random(n) < expit(eta)).astype(float)
    if kind == "poisson":
        return X, rng.poisson(np.exp(0.3 * eta)).astype(float)
    return X, 2.0 + eta + rng.normal(size=n)


CC_CASES = {
    "ridge-diabetes": (lambda: Model(Gaussian(50.0), Normal(5.0)), _diabetes, False),
    "lasso-diabetes": (lambda: Model(Gaussian(50.0), Laplace(0.5)), _diabetes, True),
    "enet-diabetes-sigma": (lambda: Model(Gaussian(), ElasticNetPrior(0.5, 3.0)), _diabetes, True),
    "lasso-diabetes-sigma": (lambda: Model(Gaussian(), Laplace(0.5)), _diabetes, True),
    "lasso-random-weighted": (lambda: Model(Gaussian(1.0), Laplace(0.02)), lambda: _random("g"),
                              True),
    "logistic-l1": (lambda: Model(Bernoulli(), Laplace(0.1)), lambda: _random("bernoulli"), True),
    "logistic-l2": (lambda: Model(Bernoulli(), Normal(1.0)), lambda: _random("bernoulli"), False),
    "poisson-l1": (lambda: Model(Poisson(), Laplace(0.05)), lambda: _random("poisson"), True),
}


@pytest.mark.parametrize("case", list(CC_CASES))
def test_crosscheck_passes(case):
    make_model, make_data, sparse_expected = CC_CASES[case]
    model = make_model()
    X, y = make_data()
    sw = _weights(len(y), seed=9) if "weighted" in case else None
    check = model.crosscheck(X, y, sample_weight=sw)
    assert isinstance(check, CrossCheck)
    assert check.passed, str(check)
    assert check.verdict == "agree" and check.certificate_ok and check.findings == []
    tol = check.tolerances
    assert check.warm_improvement <= tol["lp_atol"]
    assert check.bridge_error <= tol["bridge_atol"]
    # the direct solution is never worse than any find_MAP point
    assert check.lp_direct >= max(check.lp_pymc, check.lp_pymc_warm) - tol["lp_atol"]
    assert check.findmap_deficit >= -tol["lp_atol"]
    n_zero = int(check.exact_zeros_direct.sum())
    if sparse_expected:
        assert n_zero >= 1
        # PyMC's near-zeros are where the direct solution is exactly zero, but never exact
        assert np.array_equal(check.near_zeros_pymc, check.exact_zeros_direct)
        assert "cannot land exactly on the" in str(check)
        assert check.kkt_pymc_zeroed <= check.kkt_pymc
    else:
        assert n_zero == 0
    df = check.to_frame()
    assert list(df.index[: X.shape[1]]) == [f"coef[x{j}]" for j in range(X.shape[1])]
    assert {"direct", "find_MAP", "diff", "diff_sd", "direct_exact_zero",
            "find_MAP_near_zero"} <= set(df.columns)
    np.testing.assert_allclose(df["find_MAP"].values[: X.shape[1]], check.coef_pymc)
    assert "PASSED" in str(check)
    if case == "ridge-diabetes":  # an independent reference for the optimum: the normal equations
        Z = np.column_stack([np.ones(len(y)), X])
        A = Z.T @ Z / 50.0**2
        A[1:, 1:] += np.eye(X.shape[1]) / 5.0**2
        sol = np.linalg.solve(A, Z.T @ y / 50.0**2)
        np.testing.assert_allclose(check.coef_direct, sol[1:], rtol=1e-8, atol=1e-9)
        np.testing.assert_allclose(check.coef_pymc, sol[1:], atol=1e-3)


class _PerturbedModel(Model):
    """A model whose 'direct solver' returns a wrong (perturbed) point: crosscheck must fail."""

    def map(self, X, y, sample_weight=None, **kw):
        res = super().map(X, y, sample_weight=sample_weight, **kw)
        res.coef = res.coef + 0.3
        return res


def test_crosscheck_detects_a_wrong_solution():
    X, y = _random("bernoulli")
    check = crosscheck(_PerturbedModel(Bernoulli(), Normal(1.0)), X, y)
    assert not check.passed and check.verdict == "mismatch" and check.findings == []
    assert check.findmap_deficit < 0  # find_MAP's point is better than the "direct" one
    assert any("higher log posterior" in f for f in check.failures)
    assert "FAILED" in str(check)


def test_crosscheck_hierarchical_prior_raises():
    X, y = _data("gaussian")
    with pytest.raises(NotSupportedError):
        crosscheck(Model(Gaussian(), BayesianLasso()), X, y)
