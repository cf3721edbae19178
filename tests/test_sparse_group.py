"""Sparse group lasso (``GroupLaplace(..., l1_scale=...)``) and per-group weights
(``group_weights``), against independent references: direct numerical integration of the
normalizer, a proximal-gradient (FISTA) reference with the sparse-group prox written here, the
sparse-group KKT conditions computed here, scikit-learn's Lasso (group part off), the group lasso
(L1 part off), the all-zero scale from a root-finder here, skglm's GroupLasso / WeightedL1GroupL2
(when installed), and Gibbs draws against grid quadrature of the posterior."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp
from scipy import integrate, optimize

import bayesreg as br
from bayesreg._errors import BayesregError

GROUPS = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
LABELS = np.repeat(np.arange(3), 3)


# ------------------------------------------------------------------ normalizer
def _direct_z(k: int, a: float, c: float) -> float:
    """int_{R^k} exp(-a ||w||_1 - c ||w||_2) dw by direct quadrature (by symmetry 2^k times the
    positive orthant): Cartesian for k <= 2; for k = 3 spherical coordinates with the radial
    integral int r^2 e^{-r s} dr = 2 / s^3 done by hand."""
    if k == 1:
        return 2 * integrate.quad(lambda x: math.exp(-(a + c) * x), 0, np.inf, epsabs=0,
                                  epsrel=1e-12)[0]
    if k == 2:
        f = lambda y, x: math.exp(-a * (x + y) - c * math.hypot(x, y))  # noqa: E731
        return 4 * integrate.dblquad(f, 0, np.inf, 0, np.inf, epsabs=0, epsrel=1e-11)[0]

    def f(ph, th):
        st = math.sin(th)
        s = c + a * (st * math.cos(ph) + st * math.sin(ph) + math.cos(th))
        return 2 * st / s**3

    return 8 * integrate.dblquad(f, 0, math.pi / 2, 0, math.pi / 2, epsabs=0, epsrel=1e-12)[0]


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("scale, l1_scale", [(0.7, 0.5), (0.05, 3.0), (20.0, 0.01)])
def test_log_normalizer_matches_direct_integration(k, scale, l1_scale):
    prior = br.GroupLaplace(scale, np.zeros(k, dtype=int), l1_scale=l1_scale)
    c, a = math.sqrt(k) / scale, 1 / l1_scale
    ref = math.log(_direct_z(k, a, c))
    assert prior.log_normalizer(k) == pytest.approx(ref, rel=1e-9, abs=1e-9)
    w = np.linspace(-1.0, 0.8, k)
    lp = -c * np.linalg.norm(w) - a * np.abs(w).sum() - ref
    assert prior.logpdf(w).sum() == pytest.approx(lp, rel=1e-9)


def test_normalizer_limits_and_weights():
    """l1_scale -> inf: the group normalizer; a group weight 0 with L1: the Laplace one; the
    group weights enter as lam_g = m_g / scale."""
    k = 3
    lg = br.GroupLaplace(0.4, np.zeros(k, dtype=int)).log_normalizer(k)
    near = br.GroupLaplace(0.4, np.zeros(k, dtype=int), l1_scale=1e12).log_normalizer(k)
    assert near == pytest.approx(lg, abs=1e-9)
    lap = br.GroupLaplace(0.4, np.zeros(k, dtype=int), group_weights=[0.0], l1_scale=0.3)
    assert lap.log_normalizer(k) == pytest.approx(k * math.log(2 * 0.3), rel=1e-12)
    pw = br.GroupLaplace(0.4, [[0, 1], [2]], group_weights=[3.0, 0.5])
    w = np.array([0.3, -0.2, 0.7])
    ref = (-3.0 / 0.4 * math.hypot(0.3, 0.2) - math.log(_direct_z(2, 0.0, 3.0 / 0.4))
           - 0.5 / 0.4 * 0.7 - math.log(2 * 0.4 / 0.5))
    assert pw.logpdf(w).sum() == pytest.approx(ref, rel=1e-9)
    # a zero weight without L1: a flat prior on that group's columns
    flat = br.GroupLaplace(0.4, [[0, 1], [2]], group_weights=[0.0, 1.0])
    assert flat.logpdf(w)[:2].tolist() == [0.0, 0.0]
    assert flat.logpdf(w)[2] == pytest.approx(-0.7 / 0.4 - math.log(0.8))


# ------------------------------------------------------------------ references
def _sgl_prox(v, t, groups, lam, a):
    out = np.sign(v) * np.maximum(np.abs(v) - t * a, 0.0)
    for g, cols in enumerate(groups):
        nv = np.linalg.norm(out[cols])
        out[cols] = 0.0 if nv <= t * lam[g] else out[cols] * (1 - t * lam[g] / nv)
    return out


def _pen(w, groups, lam, a):
    return sum(lam[g] * np.linalg.norm(w[c]) for g, c in enumerate(groups)) + float(
        a @ np.abs(w))


def _fista(grad_f, F, L, groups, lam, a, p, iters=30000):
    """FISTA with adaptive restart on (w, b): the sparse-group prox on w, identity on b."""
    x = np.zeros(p + 1)
    yk, tk = x.copy(), 1.0
    for _ in range(iters):
        z = yk - grad_f(yk) / L
        xn = np.r_[_sgl_prox(z[:p], 1 / L, groups, lam, a), z[p]]
        tn = 0.5 * (1 + math.sqrt(1 + 4 * tk * tk))
        yk = xn + (tk - 1) / tn * (xn - x)
        if F(xn) > F(x):
            yk, tn = xn.copy(), 1.0
        done = np.max(np.abs(xn - x)) < 1e-15 * (1 + np.max(np.abs(xn)))
        x, tk = xn, tn
        if done:
            break
    return x[:p], x[p]


def _sgl_kkt(grad_w, w, groups, lam, a):
    """Largest distance of -grad_g to the subdifferential of lam_g ||w_g|| + sum a_j |w_j|."""
    worst = 0.0
    for g, cols in enumerate(groups):
        gg, wg, ag = grad_w[cols], w[cols], a[cols]
        nw = np.linalg.norm(wg)
        if nw == 0:
            worst = max(worst, np.linalg.norm(np.maximum(np.abs(gg) - ag, 0)) - lam[g])
        else:
            res = np.where(wg != 0, gg + lam[g] * wg / nw + ag * np.sign(wg),
                           np.maximum(np.abs(gg) - ag, 0))
            worst = max(worst, np.linalg.norm(res))
    return worst


def _kkt_scale(X, y, sigma=1.0):
    """The gradient's scale at w = 0 (the KKT tolerances below are relative to it)."""
    return float(np.abs((X - X.mean(0)).T @ (y - y.mean())).max()) / sigma**2


def _data(n=80, p=9, seed=0, kind="gaussian"):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) + 0.3 * rng.normal(size=(n, 1))
    beta = np.r_[1.0, -0.8, 0.0, 0, 0, 0, 0.3, 0.0, -0.2][:p]
    eta = 0.4 + X @ beta
    if kind == "gaussian":
        y = eta + rng.normal(size=n)
    else:
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    return X, y


def _gaussian_ref(X, y, sw, sigma, groups, lam, a):
    n, p = X.shape
    A = np.c_[X, np.ones(n)]

    def f(th):
        r = y - A @ th
        return 0.5 * np.sum(sw * r * r) / sigma**2

    def grad_f(th):
        return -A.T @ (sw * (y - A @ th)) / sigma**2

    L = np.linalg.eigvalsh((A * sw[:, None]).T @ A)[-1] / sigma**2
    w, b = _fista(grad_f, lambda th: f(th) + _pen(th[:p], groups, lam, a), L, groups, lam, a, p)
    return w, b, grad_f


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_gaussian_sgl_matches_fista_and_kkt(sparse, weighted):
    X, y = _data()
    n, p = X.shape
    sw = np.random.default_rng(5).uniform(0.5, 2.0, n) if weighted else np.ones(n)
    sigma, scale, l1_scale = 1.3, 0.08, 0.05
    m = np.array([1.0, 2.5, 0.7])
    lam, a = m / scale, np.full(p, 1 / l1_scale)
    w_ref, b_ref, grad_f = _gaussian_ref(X, y, sw, sigma, GROUPS, lam, a)
    prior = br.GroupLaplace(scale, LABELS, group_weights=m, l1_scale=l1_scale)
    fit = br.Model(br.Gaussian(sigma=sigma), prior).map(
        sp.csc_matrix(X) if sparse else X, y, sample_weight=sw if weighted else None, tol=1e-13)
    assert fit.converged and fit.solver == "group_cd" and fit.optimality_kind == "duality_gap"
    np.testing.assert_allclose(fit.coef, w_ref, atol=1e-6)
    assert fit.intercept == pytest.approx(b_ref, abs=1e-6)
    # sparse within a non-zero group and a whole group at zero
    nz = [np.count_nonzero(w_ref[c]) for c in GROUPS]
    assert 0 in nz and any(0 < k < 3 for k in nz), nz
    np.testing.assert_array_equal(fit.coef == 0, np.abs(w_ref) < 1e-9)
    g = grad_f(np.r_[fit.coef, fit.intercept])
    tol = 1e-6 * _kkt_scale(X, y, sigma)
    assert _sgl_kkt(g[:p], fit.coef, GROUPS, lam, a) < tol and abs(g[p]) < tol
    # the log posterior is the exact density (each group's normalizer by direct integration)
    lp = -0.5 * np.sum(sw * (y - fit.intercept - X @ fit.coef) ** 2) / sigma**2
    lp -= 0.5 * np.sum(sw) * math.log(2 * math.pi * sigma**2)
    lp -= _pen(fit.coef, GROUPS, lam, a)
    lp -= sum(math.log(_direct_z(3, 1 / l1_scale, lam[g])) for g in range(3))
    assert fit.log_posterior == pytest.approx(lp, rel=1e-8)


def test_unpenalized_column_and_zero_weight_group():
    """An unpenalized column and a group of weight 0 (with the L1 part: Lasso-penalized only)."""
    X, y = _data(seed=2)
    n, p = X.shape
    groups = [[0, 4], [1, 2, 3], [7, 8]]
    m = np.array([1.0, 0.0, 2.0])
    scale, l1_scale = 0.1, 0.08
    lam = m / scale
    a = np.full(p, 1 / l1_scale)
    a[[5, 6]] = 0.0  # columns 5, 6 unpenalized
    groups_ref = groups + [[5], [6]]
    lam_ref = np.r_[lam, 0.0, 0.0]
    w_ref, b_ref, grad_f = _gaussian_ref(X, y, np.ones(n), 1.0, groups_ref, lam_ref, a)
    prior = br.GroupLaplace(scale, groups, unpenalized=[5, 6], group_weights=m,
                            l1_scale=l1_scale)
    fit = br.Model(br.Gaussian(sigma=1.0), prior).map(X, y, tol=1e-13)
    assert fit.converged
    np.testing.assert_allclose(fit.coef, w_ref, atol=1e-6)
    g = grad_f(np.r_[fit.coef, fit.intercept])
    tol = 1e-6 * _kkt_scale(X, y)
    assert _sgl_kkt(g[:p], fit.coef, groups, lam, a) < tol
    assert max(abs(g[5]), abs(g[6]), abs(g[p])) < tol


@pytest.mark.parametrize("sparse", [False, True])
def test_weighted_group_lasso_matches_fista_and_kkt(sparse):
    """group_weights without L1, one of them 0 (that group unpenalized)."""
    X, y = _data(seed=12)
    n, p = X.shape
    m = np.array([0.0, 3.0, 0.8])
    scale = 0.04
    lam = m / scale
    w_ref, b_ref, grad_f = _gaussian_ref(X, y, np.ones(n), 1.0, GROUPS, lam, np.zeros(p))
    fit = br.Model(br.Gaussian(sigma=1.0), br.GroupLaplace(scale, LABELS, group_weights=m)).map(
        sp.csc_matrix(X) if sparse else X, y, tol=1e-13)
    assert fit.converged
    np.testing.assert_allclose(fit.coef, w_ref, atol=1e-6)
    assert fit.intercept == pytest.approx(b_ref, abs=1e-6)
    assert np.all(fit.coef[:3] != 0) and not np.any(fit.coef[3:6])  # flat / zeroed group
    g = grad_f(np.r_[fit.coef, fit.intercept])
    tol = 1e-6 * _kkt_scale(X, y)
    assert _sgl_kkt(g[:p], fit.coef, GROUPS, lam, np.zeros(p)) < tol and abs(g[p]) < tol


def test_bernoulli_sgl_matches_fista_and_kkt():
    X, y = _data(n=150, kind="bernoulli", seed=3)
    n, p = X.shape
    scale, l1_scale = 0.15, 0.1
    lam, a = np.sqrt([3.0, 3, 3]) / scale, np.full(p, 1 / l1_scale)
    A = np.c_[X, np.ones(n)]

    def f(th):
        e = A @ th
        return float(np.sum(np.logaddexp(0, e) - y * e))

    def grad_f(th):
        return A.T @ (1 / (1 + np.exp(-(A @ th))) - y)

    L = 0.25 * np.linalg.eigvalsh(A.T @ A)[-1]
    w_ref, b_ref = _fista(grad_f, lambda th: f(th) + _pen(th[:p], GROUPS, lam, a), L, GROUPS,
                          lam, a, p, iters=40000)
    model = br.Model(br.Bernoulli(), br.GroupLaplace(scale, LABELS, l1_scale=l1_scale))
    for Xf in (X, sp.csr_matrix(X)):
        fit = model.map(Xf, y, tol=1e-10)
        assert fit.converged and fit.solver == "group_prox_newton"
        np.testing.assert_allclose(fit.coef, w_ref, atol=1e-6)
        assert fit.intercept == pytest.approx(b_ref, abs=1e-6)
        g = grad_f(np.r_[fit.coef, fit.intercept])
        assert _sgl_kkt(g[:p], fit.coef, GROUPS, lam, a) < 1e-6 and abs(g[p]) < 1e-6
    assert np.count_nonzero(w_ref) not in (0, p)


def test_limits_group_lasso_and_lasso():
    from sklearn.linear_model import Lasso

    X, y = _data(seed=4)
    n = X.shape[0]
    lik = br.Gaussian(sigma=1.0)
    gl = br.Model(lik, br.GroupLaplace(0.05, LABELS)).map(X, y, tol=1e-13)
    far = br.Model(lik, br.GroupLaplace(0.05, LABELS, l1_scale=1e12)).map(X, y, tol=1e-13)
    np.testing.assert_allclose(far.coef, gl.coef, atol=1e-8)
    b = 0.03  # group part off: the Lasso with alpha = sigma^2 / (n b)
    only_l1 = br.GroupLaplace(0.05, LABELS, group_weights=np.zeros(3), l1_scale=b)
    fit = br.Model(lik, only_l1).map(X, y, tol=1e-13)
    ref = Lasso(alpha=1 / (n * b), tol=1e-14, max_iter=100_000).fit(X, y)
    assert fit.converged
    np.testing.assert_allclose(fit.coef, ref.coef_, atol=1e-7)
    assert fit.intercept == pytest.approx(ref.intercept_, abs=1e-7)


def _zero_strength(grad, groups, lam, a):
    """Smallest c with ||soft(grad_g, c a)|| <= c lam_g for every group (brentq here)."""
    out = 0.0
    for g, cols in enumerate(groups):
        v, ag = np.abs(grad[cols]), a[cols]

        def h(c, v=v, ag=ag, g=g):
            return np.linalg.norm(np.maximum(v - c * ag, 0)) - c * lam[g]

        out = max(out, optimize.brentq(h, 1e-12, 1e6, xtol=1e-15, rtol=1e-15))
    return out


@pytest.mark.parametrize("with_unpen", [False, True])
def test_path_starts_at_the_analytic_all_zero_scale(with_unpen):
    X, y = _data(seed=7)
    n, p = X.shape
    groups = [[0, 1, 2], [3, 4, 5], [7, 8]] + ([] if with_unpen else [[6]])
    prior = br.GroupLaplace(1.0, groups, unpenalized=[6] if with_unpen else None,
                            group_weights=[1.0, 2.0, 0.5] + ([] if with_unpen else [1.0]),
                            l1_scale=0.5)
    model = br.Model(br.Gaussian(sigma=1.0), prior)
    path = model.map_path(X, y, n_scales=6, tol=1e-11)
    A = np.c_[np.ones(n), X[:, 6]] if with_unpen else np.ones((n, 1))
    r = y - A @ np.linalg.lstsq(A, y, rcond=None)[0]  # the null model's residual
    lam = np.array([1.0, 2.0, 0.5, 1.0])
    c0 = _zero_strength(-X.T @ r, groups, lam, np.full(p, 2.0))
    assert path.scales[0] == pytest.approx(1.0 / c0, rel=1e-7)
    first = path.results[0].coef
    assert not np.any(np.delete(first, 6) if with_unpen else first)
    assert all(res.converged for res in path.results)
    above = model.__class__(model.likelihood, prior.with_strength(c0 / 1.01)).map(X, y)
    assert np.any(np.delete(above.coef, 6) if with_unpen else above.coef)


def test_bernoulli_path_with_unpenalized_column_starts_at_the_all_zero_scale():
    """The null model fits the unpenalized column too (here by scipy.optimize): the path's
    first scale is where the groups leave, from that model's gradient."""
    X, y = _data(n=150, kind="bernoulli", seed=8)
    n, p = X.shape
    groups = [[0, 1, 2], [3, 4, 5], [7, 8]]
    prior = br.GroupLaplace(1.0, groups, unpenalized=[6], l1_scale=0.7)
    model = br.Model(br.Bernoulli(), prior)
    path = model.map_path(X, y, n_scales=4, tol=1e-10)
    A = np.c_[np.ones(n), X[:, 6]]

    def nll(th):
        e = A @ th
        return float(np.sum(np.logaddexp(0, e) - y * e)), A.T @ (1 / (1 + np.exp(-e)) - y)

    th = optimize.minimize(nll, np.zeros(2), jac=True, method="BFGS",
                           options={"gtol": 1e-12}).x
    g = X.T @ (1 / (1 + np.exp(-(A @ th))) - y)
    c0 = _zero_strength(g, groups, np.sqrt([3.0, 3.0, 2.0]), np.full(p, 1 / 0.7))
    assert path.scales[0] == pytest.approx(1.0 / c0, rel=1e-6)
    assert not np.any(np.delete(path.results[0].coef, 6)) and path.results[0].coef[6] != 0
    assert path.results[0].coef[6] == pytest.approx(th[1], rel=1e-6)
    assert all(r.converged for r in path.results)


def test_group_weights_bad_input_and_persistence():
    from bayesreg.priors import prior_from_dict

    with pytest.raises(BayesregError, match="one weight per group"):
        br.GroupLaplace(0.5, LABELS, group_weights=[1.0, 2.0])
    with pytest.raises(BayesregError, match=">= 0"):
        br.GroupLaplace(0.5, LABELS, group_weights=[1.0, -2.0, 1.0])
    with pytest.raises(BayesregError, match="l1_scale"):
        br.GroupLaplace(0.5, LABELS, l1_scale=0.0)
    for prior in (br.GroupLaplace(0.5, LABELS, group_weights=[1.0, 0.0, 2.0], l1_scale=0.3),
                  br.GroupLaplace(0.5, [["a", "b"], ["c"]], group_weights=[1.0, 2.0])):
        back = prior_from_dict(prior.to_dict())
        assert back == prior and repr(back) == repr(prior)
    assert br.GroupLaplace(0.5, LABELS, l1_scale=0.3) != br.GroupLaplace(0.5, LABELS)
    s = br.GroupLaplace(0.5, LABELS, l1_scale=0.3).with_strength(2.0)
    assert (s.scale, s.l1_scale) == (0.25, 0.15)


# ------------------------------------------------------------------ skglm
@pytest.mark.slow  # skglm compiles its numba classes in every process (~50 s); not on CI
def test_matches_skglm_weighted_group_lasso_and_sparse_group():
    skglm = pytest.importorskip("skglm")
    from skglm.datafits import QuadraticGroup
    from skglm.penalties import WeightedL1GroupL2
    from skglm.solvers import GroupBCD

    X, y = _data(n=100, seed=4)
    n, p = X.shape
    X = X - X.mean(0)
    y = y - y.mean()
    sigma, scale = 1.0, 0.05
    m = np.array([0.5, 2.0, 1.0])
    alpha = sigma**2 / (n * scale)
    ref = skglm.GroupLasso(groups=3, alpha=alpha, weights=m, tol=1e-12, max_iter=1000,
                           fit_intercept=False).fit(X, y)
    fit = br.Model(br.Gaussian(sigma=sigma), br.GroupLaplace(scale, LABELS, group_weights=m),
                   fit_intercept=False).map(X, y, tol=1e-14)
    np.testing.assert_allclose(fit.coef, ref.coef_, atol=1e-6)
    grad = -X.T @ (y - X @ fit.coef) / sigma**2
    tol = 1e-6 * _kkt_scale(X, y, sigma)
    assert _sgl_kkt(grad, fit.coef, GROUPS, m / scale, np.zeros(p)) < tol
    # sparse group: alpha * (sum_g wg_g ||w_g|| + sum_j wf_j |w_j|)
    l1_scale = 0.04
    tau_alpha = sigma**2 / (n * l1_scale)
    ptr, idx = np.arange(0, 10, 3, dtype=np.int32), np.arange(9, dtype=np.int32)
    pen = WeightedL1GroupL2(alpha=1.0, weights_groups=alpha * m,
                            weights_features=np.full(p, tau_alpha), grp_ptr=ptr, grp_indices=idx)
    est = skglm.GeneralizedLinearEstimator(QuadraticGroup(ptr, idx), pen,
                                           solver=GroupBCD(ws_strategy="fixpoint", tol=1e-12,
                                                           max_iter=1000, fit_intercept=False))
    est.fit(X, y)
    sgl = br.Model(br.Gaussian(sigma=sigma), br.GroupLaplace(scale, LABELS, group_weights=m,
                                                             l1_scale=l1_scale),
                   fit_intercept=False)
    fit = sgl.map(X, y, tol=1e-14)
    np.testing.assert_allclose(fit.coef, est.coef_, atol=1e-6)
    grad = -X.T @ (y - X @ fit.coef) / sigma**2
    assert _sgl_kkt(grad, fit.coef, GROUPS, m / scale, np.full(p, 1 / l1_scale)) < tol
    assert 0 < np.count_nonzero(fit.coef) < p


# ------------------------------------------------------------------ Gibbs
@pytest.mark.slow
def test_gibbs_matches_grid_quadrature_of_the_posterior():
    """The product of the group and the per-coefficient scale mixtures has the sparse-group
    marginal (with group weights): the Gibbs posterior means and sds equal grid quadrature of
    the exact posterior (intercept integrated out under its flat prior), to a few MCSEs."""
    import arviz_stats as azs

    rng = np.random.default_rng(9)
    n = 12
    X = rng.normal(size=(n, 3))
    y = X @ np.array([0.5, -0.3, 0.0]) + rng.normal(size=n)
    sigma, scale, l1_scale = 1.0, 0.5, 0.7
    m = np.array([2.0, 0.5])
    prior = br.GroupLaplace(scale, np.array([0, 0, 1]), group_weights=m, l1_scale=l1_scale)
    idata = br.Model(br.Gaussian(sigma=sigma), prior).sample(
        X, y, draws=3000, tune=300, chains=2, random_seed=3, sampler="gibbs", progressbar=False)
    draws = idata["posterior"]["coef"].values
    Xc, yc = X - X.mean(0), y - y.mean()
    grid = np.linspace(-2.5, 2.5, 101)
    P = np.stack([a.ravel() for a in np.meshgrid(grid, grid, grid, indexing="ij")], axis=1)
    r = yc[None, :] - P @ Xc.T
    lam = m / scale
    logp = (-0.5 * np.sum(r * r, axis=1) / sigma**2 - lam[0] * np.hypot(P[:, 0], P[:, 1])
            - lam[1] * np.abs(P[:, 2]) - np.abs(P).sum(1) / l1_scale)
    wts = np.exp(logp - logp.max())
    wts /= wts.sum()
    mean = wts @ P
    sd = np.sqrt(wts @ (P - mean) ** 2)
    for j in range(3):
        mcse = float(azs.mcse(draws[..., j]))
        assert abs(draws[..., j].mean() - mean[j]) < 5 * mcse + 1e-3, (j, mean[j], mcse)
        assert draws[..., j].std() == pytest.approx(sd[j], rel=0.08)
