"""StudentT against independent references: scipy.stats.t for the density, scipy.optimize of
the penalized objective written here (same local mode from the same start; the global one on a
unimodal case from several starts), KKT / stationarity conditions computed here (scipy.stats
log densities, central differences), and a robustness demo (gross outliers)."""

import numpy as np
import pytest
import scipy.optimize as so
from scipy import stats

import bayesreg as br


def _data(rng, n=150, p=5, nu=3.0, scale=0.5):
    X = rng.normal(size=(n, p))
    w = np.zeros(p)
    w[:3] = [1.5, -1.0, 0.7]
    return X, 0.3 + X @ w + scale * rng.standard_t(nu, size=n)


def test_density_is_scipy_t(rng):
    y, eta = rng.normal(size=7) * 3, rng.normal(size=7)
    for nu, s in ((0.7, 0.4), (3.0, 1.3), (1e4, 2.0)):
        np.testing.assert_allclose(br.StudentT(nu, s).loglik(y, eta),
                                   stats.t.logpdf(y, nu, loc=eta, scale=s), rtol=1e-12)


def test_l2_fixed_nu_sigma_vs_scipy_from_several_starts(rng):
    X, y = _data(rng)
    p, nu, s, tau = X.shape[1], 4.0, 0.5, 2.0
    fit = br.Model(br.StudentT(nu, s), br.Normal(tau)).map(X, y, tol=1e-11)
    assert fit.converged and fit.local_mode and fit.solver == "mm"

    def f(z):
        return -float(np.sum(stats.t.logpdf(y, nu, loc=z[p] + X @ z[:p], scale=s))) \
            + 0.5 * float(z[:p] @ z[:p]) / tau**2

    for start in (np.zeros(p + 1), rng.normal(size=p + 1), np.r_[np.ones(p), -1.0]):
        r = so.minimize(f, start, method="BFGS", options={"gtol": 1e-9})
        np.testing.assert_allclose(np.r_[fit.coef, fit.intercept], r.x, atol=1e-5)
    # the same start as bayesreg's (w = 0, intercept at the intercept-only stationary point)
    b0 = so.brentq(lambda b: np.sum((y - b) / (nu * s * s + (y - b) ** 2)), y.min(), np.median(y)) \
        if np.sum((y - np.median(y)) / (nu * s * s + (y - np.median(y)) ** 2)) < 0 else \
        so.brentq(lambda b: np.sum((y - b) / (nu * s * s + (y - b) ** 2)), np.median(y), y.max())
    r = so.minimize(f, np.r_[np.zeros(p), b0], method="BFGS", options={"gtol": 1e-10})
    np.testing.assert_allclose(np.r_[fit.coef, fit.intercept], r.x, atol=1e-6)
    assert f(np.r_[fit.coef, fit.intercept]) <= r.fun + 1e-9


def test_l1_kkt_computed_here(rng):
    X, y = _data(rng, n=120, p=8)
    nu, s, b = 3.0, 0.5, 0.05
    fit = br.Model(br.StudentT(nu, s), br.Laplace(b)).map(X, y, tol=1e-10)
    r = y - fit.intercept - X @ fit.coef
    g_eta = -(nu + 1) * r / (nu * s * s + r * r)  # d(-loglik)/d eta
    g, w = X.T @ g_eta, fit.coef
    viol = np.where(w != 0, np.abs(g + np.sign(w) / b), np.maximum(np.abs(g) - 1 / b, 0))
    assert 0 < np.count_nonzero(w) < w.size
    assert viol.max() < 1e-7 and abs(g_eta.sum()) < 1e-7


def test_free_nu_and_sigma_stationarity_computed_here(rng):
    X, y = _data(rng, n=200, p=4)
    model = br.Model(br.StudentT(), br.Laplace(0.2))
    fit = model.map(X, y, tol=1e-10)
    assert fit.converged and set(fit.free) == {"nu", "sigma"} and fit.sigma == fit.free["sigma"]
    S = float(np.std(y))  # the default HalfNormal scale of sigma: sd(y)
    eta = fit.intercept + X @ fit.coef

    def lp(lnu, ls):  # log posterior in (log nu, log sigma) at the fitted coefficients
        nu, s = np.exp(lnu), np.exp(ls)
        return (float(np.sum(stats.t.logpdf(y, nu, loc=eta, scale=s)))
                + stats.gamma.logpdf(nu, 2.0, scale=10.0) + stats.halfnorm.logpdf(s, scale=S))

    t = np.log([fit.free["nu"], fit.free["sigma"]])
    h = 1e-6
    d_nu = (lp(t[0] + h, t[1]) - lp(t[0] - h, t[1])) / (2 * h)
    d_s = (lp(t[0], t[1] + h) - lp(t[0], t[1] - h)) / (2 * h)
    assert abs(d_nu) < 1e-5 and abs(d_s) < 1e-5
    assert fit.log_posterior == pytest.approx(
        lp(*t) + float(np.sum(stats.laplace.logpdf(fit.coef, scale=0.2))), rel=1e-10)
    assert 1.5 < fit.free["nu"] < 8  # heavy tails found (data drawn with nu = 3)
    back = br.MAPResult.from_dict(fit.to_dict())
    assert back.free == fit.free and back.local_mode and "local mode" in repr(fit)


def test_robust_lasso_recovers_the_support_with_gross_outliers():
    rng = np.random.default_rng(7)
    n, p = 200, 10
    X = rng.normal(size=(n, p))
    w = np.zeros(p)
    w[:3] = [1.0, -0.8, 0.6]
    y = X @ w + 0.5 * rng.normal(size=n)
    bad = rng.choice(n, size=n // 20, replace=False)  # 5% gross outliers
    y[bad] += rng.choice([-1, 1], size=bad.size) * rng.uniform(20, 40, size=bad.size)
    truth = w != 0
    robust = br.Model(br.StudentT(nu=3.0, sigma=0.5), br.Laplace(0.02)).map(X, y)
    gauss = br.Model(br.Gaussian(sigma=0.5), br.Laplace(0.02)).map(X, y)
    assert robust.converged and gauss.converged
    assert np.array_equal(robust.coef != 0, truth)
    assert not np.array_equal(gauss.coef != 0, truth)
    assert np.abs(robust.coef - w).max() < 0.15 < np.abs(gauss.coef - w).max()


def test_errors_and_registry_faces():
    with pytest.raises(br.ParameterError, match="StudentT.nu"):
        br.StudentT(nu=0.0)
    with pytest.raises(br.DataError, match="bind them first"):
        br.StudentT(nu=3.0).loglik(np.zeros(2), np.zeros(2))
    from bayesreg.map.solve import select_solver

    pen = br.Normal(1.0).as_penalty(2)
    assert select_solver(br.StudentT(3.0, 1.0), pen).name == "mm"  # never the convex GLM solver
    assert select_solver(br.StudentT(), pen).name == "joint_free"


@pytest.mark.slow
def test_sampling_smoke_student_t_loo_faces(rng):
    """One tiny PyMC run: the posterior has nu and sigma, the stored pointwise log-likelihood is
    scipy.stats.t's at the draws, and the posterior predictive draws have the rows' shape."""
    X, y = _data(rng, n=40, p=3)
    model = br.Model(br.StudentT(), br.Normal(2.0))
    idata = model.sample(X, y, draws=30, tune=50, chains=1, sampler="pymc", random_seed=3,
                         progressbar=False)
    post = idata["posterior"]
    assert {"nu", "sigma", "coef", "intercept"} <= set(post.data_vars)
    nu, s = post["nu"].values[0], post["sigma"].values[0]
    eta = post["intercept"].values[0][:, None] + post["coef"].values[0] @ X.T
    ref = stats.t.logpdf(y, nu[:, None], loc=eta, scale=s[:, None])
    np.testing.assert_allclose(idata["log_likelihood"]["y"].values[0], ref, rtol=1e-8)
    pp = model.predict_posterior(idata, X[:5], kind="obs", random_seed=1)
    assert pp.shape == (1, 30, 5) and np.all(np.isfinite(pp.values))


def test_likelihoods_page_code_runs(capsys):
    """docs/guide/likelihoods.md: the Student-t / negative binomial / binomial example runs as
    written and prints what its comments say."""
    from test_docs import DOCS, python_blocks

    code = "\n".join(python_blocks(DOCS / "guide" / "likelihoods.md"))
    exec(compile(code, "likelihoods.md", "exec"), {})
    out = capsys.readouterr().out.split("\n")
    assert out[0] == "True ['nu', 'sigma']" and out[2] == "True"
    conv, alpha = out[1].split()
    assert conv == "True" and 0.3 <= float(alpha) <= 0.8


@pytest.mark.slow
def test_crosscheck_starts_find_map_where_the_solver_starts(rng):
    """For the non-convex StudentT, crosscheck's find_MAP "from scratch" starts at model.map's
    own start (coef 0; nu, sigma and the intercept at the intercept-only stationary point:
    checked here with scipy.stats.t by central differences) and reaches the same local mode."""
    X, y = _data(rng, n=60, p=3)
    model = br.Model(br.StudentT(), br.Normal(1.0))  # smooth: no Powell polish (fast)
    cc = model.crosscheck(X, y)
    st = cc.findmap_start
    assert st is not None and np.array_equal(st["coef"], np.zeros(3))

    def lp0(b, nu, s):  # intercept-only log posterior (nu ~ Gamma(2, 0.1), sigma ~ HN(sd y))
        return (stats.t.logpdf(y, nu, loc=b, scale=s).sum() + stats.gamma.logpdf(nu, 2, scale=10)
                + stats.halfnorm.logpdf(s, scale=np.std(y)))

    x0 = np.array([st["intercept"], st["nu"], st["sigma"]])
    for k in range(3):
        h = np.zeros(3)
        h[k] = 1e-6 * max(1.0, abs(x0[k]))
        assert abs(lp0(*(x0 + h)) - lp0(*(x0 - h))) / (2 * h[k]) < 1e-4
    assert cc.passed and cc.verdict == "agree", cc
    assert "from model.map's start" in cc.pymc_method
    np.testing.assert_allclose(cc.coef_pymc, cc.coef_direct, atol=1e-3)
    # convex models keep PyMC's default initial point
    assert br.Model(br.Gaussian(sigma=1.0), br.Normal(1.0)).crosscheck(X, y).findmap_start is None
