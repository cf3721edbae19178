"""The GLM quasi-Newton path (OWL-QN / L-BFGS, bayesreg.map.glm._owlqn) and its Newton-type
fallbacks, against independent references: scipy's L-BFGS-B on the smooth split-variable
reformulation (w = u - v, u, v >= 0) at a tight tolerance, and KKT conditions computed here.

The dense-support case (small L1 weight, most coefficients non-zero) is the one the
quasi-Newton path was introduced for; zeros must be exact and agree with the KKT conditions."""

import numpy as np
import pytest
import scipy.sparse as sp
from glm_refs import grad_w, kkt, scipy_ref

import bayesreg as br
from bayesreg.likelihoods import Bernoulli, Poisson
from bayesreg.map import glm as glm_mod
from bayesreg.map.glm import solve_glm


def make_data(rng, family, n, p, k=8):
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[:k] = rng.normal(scale=0.3, size=k)
    eta = 0.4 + X @ w
    if family == "binomial":
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    else:
        y = rng.poisson(np.exp(eta)).astype(float)
    return X, y


def lam_max(family, X, y, fit_intercept):
    if fit_intercept:
        m = y.mean()
        return float(np.abs(X.T @ (m - y)).max())
    mu0 = 0.5 if family == "binomial" else 1.0
    return float(np.abs(X.T @ (mu0 - y)).max())


@pytest.fixture
def qn_spy(monkeypatch):
    """Records whether the quasi-Newton phase converged on its own."""
    out = []
    orig = glm_mod._owlqn

    def spy(*args, **kw):
        res = orig(*args, **kw)
        out.append(res[4])
        return res

    monkeypatch.setattr(glm_mod, "_owlqn", spy)
    return out


def check_against_reference(family, X, y, a, c, sol, fit_intercept=True, atol=2e-6):
    w_ref, b_ref = scipy_ref(family, X, y, a, c, fit_intercept)
    np.testing.assert_allclose(sol.coef, w_ref, atol=atol)
    if fit_intercept:
        assert abs(sol.intercept - b_ref) < atol
    assert kkt(family, X, y, sol.coef, sol.intercept, a, c, fit_intercept) < 1e-7
    # exact zeros exactly where the KKT conditions allow them: every zero of the solution has
    # |gradient| <= a_j, and the reference has it (numerically) zero too
    gw, _ = grad_w(family, X, y, sol.coef, sol.intercept, c)
    zero = sol.coef == 0.0
    assert np.all(np.abs(gw[zero]) <= a[zero] + 1e-7)
    assert np.all(np.abs(w_ref[zero]) < 1e-6)
    # and every coefficient the reference clearly keeps is non-zero here
    assert np.all(sol.coef[np.abs(w_ref) > 1e-4] != 0.0)


@pytest.mark.parametrize("family", ["binomial", "poisson"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("frac", [0.01, 0.2], ids=["dense-support", "sparse-support"])
def test_owlqn_l1_vs_scipy(rng, qn_spy, family, fit_intercept, frac):
    n, p = 400, 40
    X, y = make_data(rng, family, n, p)
    a = np.full(p, frac * lam_max(family, X, y, fit_intercept))
    c = np.zeros(p)
    lik = Bernoulli() if family == "binomial" else Poisson()
    sol = solve_glm(lik, X, y, np.ones(n), a, c, fit_intercept, tol=1e-11)
    assert sol.converged and qn_spy == [True]  # the quasi-Newton phase certified it alone
    assert sol.method == "owlqn"
    np.testing.assert_allclose(sol.eta, sol.intercept + X @ sol.coef, rtol=0, atol=1e-10)
    if frac == 0.01:
        assert np.count_nonzero(sol.coef) >= 0.6 * p
    else:
        assert 0 < np.count_nonzero(sol.coef) < 0.6 * p
    check_against_reference(family, X, y, a, c, sol, fit_intercept)


@pytest.mark.parametrize("family", ["binomial", "poisson"])
def test_owlqn_elastic_net_mixed_weights_sparse_X(rng, qn_spy, family):
    """Per-coefficient weights (some without L1 weight, some with L2 only) and CSC input."""
    n, p = 300, 25
    X, y = make_data(rng, family, n, p)
    X = X * (rng.random((n, p)) < 0.5)
    X[:, 4] = 0.0  # an empty column
    Xs = sp.csc_matrix(X)
    lm = lam_max(family, X, y, True)
    a = np.full(p, 0.05 * lm)
    a[:3] = 0.0
    c = np.full(p, 0.5)
    c[5] = 0.0
    lik = Bernoulli() if family == "binomial" else Poisson()
    sol = solve_glm(lik, Xs, y, np.ones(n), a, c, tol=1e-11)
    assert sol.converged and qn_spy and qn_spy[0]
    assert sol.coef[4] == 0.0
    check_against_reference(family, X, y, a, c, sol)
    dense = solve_glm(lik, X, y, np.ones(n), a, c, tol=1e-11)
    np.testing.assert_allclose(dense.coef, sol.coef, atol=1e-8)


@pytest.mark.parametrize("family", ["binomial", "poisson"])
@pytest.mark.parametrize("frac", [0.01, 0.2])
def test_prox_newton_fallback_after_qn_budget(rng, monkeypatch, family, frac):
    """When the quasi-Newton phase stops early, proximal Newton solves the problem."""
    monkeypatch.setattr(glm_mod, "QN_MAX_ITER", 3)
    n, p = 300, 30
    X, y = make_data(rng, family, n, p)
    a = np.full(p, frac * lam_max(family, X, y, True))
    c = np.full(p, 0.1)
    lik = Bernoulli() if family == "binomial" else Poisson()
    sol = solve_glm(lik, X, y, np.ones(n), a, c, tol=1e-11)
    assert sol.converged
    check_against_reference(family, X, y, a, c, sol)


def test_warm_start_far_from_optimum(rng):
    family = "poisson"
    n, p = 300, 20
    X, y = make_data(rng, family, n, p)
    a = np.full(p, 0.02 * lam_max(family, X, y, True))
    c = np.zeros(p)
    w0 = rng.normal(scale=0.2, size=p)
    sol = solve_glm(Poisson(), X, y, np.ones(n), a, c, w0=w0, b0=-0.5, tol=1e-11)
    assert sol.converged
    check_against_reference(family, X, y, a, c, sol)


@pytest.mark.parametrize("family", ["binomial", "poisson"])
def test_public_api_small_lambda(rng, family):
    n, p = 500, 60
    X, y = make_data(rng, family, n, p)
    lam = 0.01 * lam_max(family, X, y, True)
    lik = br.Bernoulli() if family == "binomial" else br.Poisson()
    fit = br.Model(lik, br.Laplace(1.0 / lam)).map(X, y, tol=1e-10)
    assert fit.converged
    a, c = np.full(p, lam), np.zeros(p)
    w_ref, b_ref = scipy_ref(family, X, y, a, c)
    np.testing.assert_allclose(fit.coef, w_ref, atol=2e-6)
    assert kkt(family, X, y, fit.coef, fit.intercept, a, c) <= 1e-10 * lam_max(family, X, y, True) * 1.0001


@pytest.mark.parametrize("family", ["binomial", "poisson"])
def test_datafit_difference_is_accurate(rng, family):
    """``Likelihood.datafit_diff`` against the same difference in extended precision (long double), for
    tiny steps (where two float64 sums would cancel) and large ones (other branch)."""
    if np.finfo(np.longdouble).eps > 1e-18:
        pytest.skip("long double is not extended precision on this platform")
    n = 2000
    lik = Bernoulli() if family == "binomial" else Poisson()
    eta = rng.normal(scale=2.0, size=n)
    y = (rng.random(n) < 0.5).astype(float) if family == "binomial" else rng.poisson(2.0, n) * 1.0
    sw = rng.random(n) + 0.5
    for scale in (1e-9, 1e-5, 3.0):
        eta_t = eta + rng.normal(scale=scale, size=n)
        mu = lik.mean(eta)
        got = lik.datafit_diff(y, sw, eta, eta_t, mu)
        E, Et, Y, W = (np.asarray(v, dtype=np.longdouble) for v in (eta, eta_t, y, sw))
        if family == "binomial":
            per = np.logaddexp(np.longdouble(0), Et) - np.logaddexp(np.longdouble(0), E)
        else:
            per = np.exp(Et) - np.exp(E)
        exact = float(np.sum(W * (per - Y * (Et - E))))
        assert abs(got - exact) <= 1e-10 * abs(exact) + 1e-13


@pytest.mark.parametrize("family", ["binomial", "poisson"])
def test_correlated_design_stall_then_prox_newton(rng, qn_spy, family):
    """AR(1) columns with correlation 0.99: OWL-QN stalls (no halving of the KKT violation in
    _QN_STALL iterations) and proximal Newton solves the problem."""
    n, p = 400, 40
    Z = rng.standard_normal((n, p))
    X = np.empty_like(Z)
    X[:, 0] = Z[:, 0]
    for j in range(1, p):
        X[:, j] = 0.99 * X[:, j - 1] + np.sqrt(1 - 0.99**2) * Z[:, j]
    w = np.zeros(p)
    w[::8] = 0.3
    eta = 0.2 + X @ w
    if family == "binomial":
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    else:
        y = rng.poisson(np.exp(eta)).astype(float)
    a = np.full(p, 0.02 * lam_max(family, X, y, True))
    c = np.zeros(p)
    lik = Bernoulli() if family == "binomial" else Poisson()
    sol = solve_glm(lik, X, y, np.ones(n), a, c, tol=1e-10)
    assert sol.converged
    assert qn_spy == [False] and sol.method == "owlqn+prox_newton"  # the stall rule handed over
    check_against_reference(family, X, y, a, c, sol, atol=2e-5)


def test_eta_refresh_path(rng, monkeypatch):
    """eta recomputed from scratch at every iteration (the periodic drift refresh) gives the
    same certified solution."""
    monkeypatch.setattr(glm_mod, "_ETA_REFRESH", 1)
    family = "poisson"
    n, p = 300, 30
    X, y = make_data(rng, family, n, p)
    a = np.full(p, 0.01 * lam_max(family, X, y, True))
    c = np.full(p, 0.2)
    sol = solve_glm(Poisson(), X, y, np.ones(n), a, c, tol=1e-11)
    assert sol.converged and sol.method == "owlqn"
    check_against_reference(family, X, y, a, c, sol)


# ----------------------------------------------------------------------------- numba kernels
def test_kkt_from_xg_matches_textbook_and_propagates_nan(rng):
    from bayesreg.map.objective import kkt_from_xg

    for _ in range(20):
        p = 30
        xg, w = rng.normal(size=p), rng.normal(size=p) * (rng.random(p) < 0.5)
        a, c, gs = rng.random(p), rng.random(p) * (rng.random() < 0.5), 0.1 * rng.normal()
        gw = xg + c * w  # distance of -gradient to the subdifferential, written out here
        viol = np.where(w != 0, np.abs(gw + a * np.sign(w)), np.maximum(np.abs(gw) - a, 0.0))
        assert kkt_from_xg(xg, gs, w, a, c, True) == pytest.approx(max(viol.max(), abs(gs)), abs=1e-13)
        assert kkt_from_xg(xg, gs, w, a, c, False) == pytest.approx(viol.max(), abs=1e-13)
    xg[3] = np.nan  # a NaN gradient is never certified
    assert np.isnan(kkt_from_xg(xg, 0.0, w, a, c, True))


def test_two_loop_and_csc_products_match_numpy(rng):
    from bayesreg.map._glm_kernels import csc_matvec, csc_rmatvec, two_loop

    q, m = 12, 5
    S = [rng.normal(size=q) for _ in range(7)]
    Y = [s + 0.1 * rng.normal(size=q) for s in S]  # s.y > 0
    keep_S, keep_Y = S[-m:], Y[-m:]
    scale, g = rng.random(q) + 0.5, rng.normal(size=q)
    r = g.copy()  # textbook two-loop recursion (Nocedal & Wright, Alg. 7.4)
    al = []
    for s, yv in zip(reversed(keep_S), reversed(keep_Y)):
        a_ = (s @ r) / (s @ yv)
        r -= a_ * yv
        al.append(a_)
    r *= scale
    for (s, yv), a_ in zip(zip(keep_S, keep_Y), reversed(al)):
        r += (a_ - (yv @ r) / (s @ yv)) * s
    Sm, Ym, rho = np.zeros((m, q)), np.zeros((m, q)), np.zeros(m)
    head = count = 0
    for s, yv in zip(S, Y):  # ring buffer: the two oldest pairs are overwritten
        Sm[head], Ym[head], rho[head] = s, yv, 1.0 / (s @ yv)
        head, count = (head + 1) % m, min(count + 1, m)
    out = np.empty(q)
    two_loop(Sm, Ym, rho, head, count, g, scale, out)
    np.testing.assert_allclose(out, r, rtol=1e-12, atol=1e-12)
    X = sp.random(40, 15, density=0.2, format="csc", random_state=3)
    v, u, o_n, o_p = rng.normal(size=15), rng.normal(size=40), np.empty(40), np.empty(15)
    v[::3] = 0.0
    csc_matvec(X.indptr, X.indices, X.data, v, 40, o_n)
    csc_rmatvec(X.indptr, X.indices, X.data, u, o_p)
    np.testing.assert_allclose(o_n, X.toarray() @ v, atol=1e-13)
    np.testing.assert_allclose(o_p, X.toarray().T @ u, atol=1e-13)
