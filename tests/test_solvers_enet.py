"""Each coordinate-descent variant (dense working sets + Anderson, Gram, sparse CSC, path reuse)
against independent references: scikit-learn at tight tolerance, and the KKT conditions of

    1/2 sum_i sw_i (y_i - b - x_i w)^2 + sum_j a_j |w_j| + c_j / 2 w_j^2

computed here from scratch."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import ElasticNet, enet_path

import bayesreg as br
from bayesreg.map.enet import Design, solve_enet

TIGHT = 1e-14


def kkt(X, y, sw, w, b, a, c):
    """Largest violation of the stationarity conditions in b and w (independent of the solver)."""
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
    r = sw * (y - b - X @ w)
    g = X.T @ r - c * w  # = -d(smooth part)/dw
    viol = np.where(w != 0, np.abs(g - a * np.sign(w)), np.maximum(np.abs(g) - a, 0.0))
    return max(float(viol.max()), abs(float(r.sum())))


def sk_enet(X, y, sw, a_scalar, c_scalar, fit_intercept=True):
    """scikit-learn reference: its objective times sum(sw) is ours with scalar a, c."""
    S = float(sw.sum())
    alpha = (a_scalar + c_scalar) / S
    l1_ratio = a_scalar / (a_scalar + c_scalar)
    est = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=TIGHT, max_iter=1_000_000,
                     fit_intercept=fit_intercept)
    est.fit(X, y, sample_weight=sw)
    return est.coef_, float(est.intercept_)


def problem(rng, n, p, k=5, sparse=False, density=0.1):
    if sparse:
        X = sp.random(n, p, density=density, format="csc", random_state=int(rng.integers(1e6)),
                      data_rvs=rng.standard_normal)
    else:
        X = rng.standard_normal((n, p)) * rng.uniform(0.5, 2.0, size=p) + rng.normal(size=p)
    w = np.zeros(p)
    w[rng.choice(p, k, replace=False)] = rng.normal(scale=2.0, size=k)
    y = 0.7 + np.asarray(X @ w).ravel() + rng.standard_normal(n)
    return X, y


def amax(X, y, sw):
    d = Design(X, y, sw, True)
    return float(np.abs(d.corr(d.yt)).max())


@pytest.mark.parametrize("variant", ["dense", "gram", "sparse"])
@pytest.mark.parametrize("l1_frac", [1.0, 0.4])
def test_variants_match_sklearn_and_kkt(rng, variant, l1_frac):
    n, p = (150, 40) if variant != "sparse" else (200, 120)
    X, y = problem(rng, n, p, sparse=variant == "sparse")
    sw = rng.uniform(0.2, 2.0, size=n)
    lam = 0.1 * amax(X, y, sw)
    a_s, c_s = lam * l1_frac, lam * (1 - l1_frac) * 3.0
    d = Design(X, y, sw, True, use_gram=variant == "gram")
    sol = solve_enet(X, y, sw, np.full(p, a_s), np.full(p, c_s), True, tol=TIGHT,
                     max_iter=100_000, design=d)
    assert sol.converged and d.use_gram == (variant == "gram") and d.sparse == (variant == "sparse")
    w_sk, b_sk = sk_enet(X, y, sw, a_s, c_s)
    np.testing.assert_allclose(sol.coef, w_sk, atol=1e-7)
    assert abs(sol.intercept - b_sk) < 1e-7
    scale = amax(X, y, sw)
    assert kkt(X, y, sw, sol.coef, sol.intercept, a_s, c_s) <= 1e-7 * scale


def test_wide_working_set_with_anderson(rng):
    """p >> n: working sets grow from 10 features; Anderson extrapolation is on."""
    n, p = 60, 2000
    X, y = problem(rng, n, p, k=8)
    sw = np.ones(n)
    lam = 0.05 * amax(X, y, sw)
    sol = solve_enet(X, y, sw, np.full(p, lam), np.zeros(p), True, tol=TIGHT, max_iter=200_000)
    assert sol.converged
    w_sk, b_sk = sk_enet(X, y, sw, lam, 0.0)
    np.testing.assert_allclose(sol.coef, w_sk, atol=1e-6)
    assert kkt(X, y, sw, sol.coef, sol.intercept, lam, 0.0) <= 1e-7 * amax(X, y, sw)
    assert np.count_nonzero(sol.coef) <= n


def test_duplicated_columns(rng):
    n, p = 120, 12
    X, y = problem(rng, n, p)
    Xd = np.column_stack([X, X[:, 0], X[:, 0]])
    sw = np.ones(n)
    lam = 0.05 * amax(X, y, sw)
    # elastic net: unique, the copies share the coefficient equally
    sol = solve_enet(Xd, y, sw, np.full(p + 2, lam), np.full(p + 2, lam), True, tol=TIGHT,
                     max_iter=100_000)
    np.testing.assert_allclose(sol.coef[[0, p, p + 1]], sol.coef[0], atol=1e-8)
    w_sk, _ = sk_enet(Xd, y, sw, lam, lam)
    np.testing.assert_allclose(sol.coef, w_sk, atol=1e-7)
    # lasso: coefficients not unique, but the fit and the objective are
    sl = solve_enet(Xd, y, sw, np.full(p + 2, lam), np.zeros(p + 2), True, tol=TIGHT,
                    max_iter=100_000)
    w_ref, b_ref = sk_enet(X, y, sw, lam, 0.0)
    np.testing.assert_allclose(Xd @ sl.coef + sl.intercept, X @ w_ref + b_ref, atol=1e-6)
    assert kkt(Xd, y, sw, sl.coef, sl.intercept, lam, 0.0) <= 1e-7 * amax(X, y, sw)


@pytest.mark.parametrize("sparse", [False, True])
def test_zero_variance_and_empty_columns(rng, sparse):
    n, p = 150, 30
    X, y = problem(rng, n, p, sparse=sparse, density=0.2)
    if sparse:
        X = sp.hstack([X, sp.csc_matrix((n, 2))], format="csc")  # empty columns
    else:
        X = np.column_stack([X, np.full(n, 3.5), np.zeros(n)])  # constant and zero column
    sw = np.ones(n)
    lam = 0.05 * amax(X, y, sw)
    sol = solve_enet(X, y, sw, np.full(p + 2, lam), np.full(p + 2, 0.5), True, tol=TIGHT,
                     max_iter=100_000)
    assert sol.converged
    assert sol.coef[-1] == 0.0 and sol.coef[-2] == 0.0
    w_sk, b_sk = sk_enet(X[:, :p], y, sw, lam, 0.5)
    np.testing.assert_allclose(sol.coef[:p], w_sk, atol=1e-7)
    assert abs(sol.intercept - b_sk) < 1e-7


def test_float32_input_matches_float64(rng):
    n, p = 100, 20
    X, y = problem(rng, n, p)
    X32 = X.astype(np.float32)
    X64 = X32.astype(np.float64)
    sw = np.ones(n)
    lam = 0.1 * amax(X64, y, sw)
    s32 = solve_enet(X32, y, sw, np.full(p, lam), np.zeros(p), True, tol=TIGHT, max_iter=100_000)
    w_sk, b_sk = sk_enet(X64, y, sw, lam, 0.0)
    np.testing.assert_allclose(s32.coef, w_sk, atol=1e-7)
    fit = br.Model(br.Gaussian(1.0), br.Laplace(1.0 / lam)).map(X32, y, tol=TIGHT)
    np.testing.assert_allclose(fit.coef, w_sk, atol=1e-7)
    assert X32.dtype == np.float32  # input untouched


@pytest.mark.parametrize("variant", ["dense", "gram", "sparse"])
def test_badly_scaled_columns(rng, variant):
    """Rescaling x_j -> s_j x_j with a_j -> s_j a, c_j -> s_j^2 c maps the solution to w_j / s_j:
    solve the well-scaled problem with scikit-learn and compare (scales 1e-6 .. 1e6)."""
    n, p = 200, 8
    X, y = problem(rng, n, p, k=4, sparse=variant == "sparse", density=0.5)
    s = np.array([1e-6, 1e6, 1.0, 1e-3, 1e3, 1.0, 1e-6, 1e6])
    Xb = X @ sp.diags(s) if sp.issparse(X) else X * s
    Xb = sp.csc_matrix(Xb) if sp.issparse(X) else Xb
    sw = np.ones(n)
    lam = 0.05 * amax(X, y, sw)
    w_sk, b_sk = sk_enet(X, y, sw, lam, 0.3 * lam)
    d = Design(Xb, y, sw, True, use_gram=variant == "gram")
    sol = solve_enet(Xb, y, sw, lam * s, 0.3 * lam * s**2, True, tol=TIGHT, max_iter=100_000,
                     design=d)
    assert sol.converged
    np.testing.assert_allclose(sol.coef * s, w_sk, atol=1e-6)
    assert abs(sol.intercept - b_sk) < 1e-6


def test_path_reuses_design_and_matches_enet_path(rng):
    """The warm-started path (one Design, Gram after the first point) vs sklearn's enet_path on
    the same grid, and vs independent single fits."""
    n, p = 300, 25
    X, y = problem(rng, n, p)
    Xc, yc = X - X.mean(0), y - y.mean()
    alphas = np.abs(Xc.T @ yc).max() / n * np.logspace(0, -2, 12)
    _, coefs, _ = enet_path(Xc, yc, l1_ratio=1.0, alphas=alphas, tol=TIGHT, max_iter=1_000_000)
    path = br.Model(br.Gaussian(1.0), br.Laplace(1.0)).map_path(X, y, scales=1 / (n * alphas),
                                                                tol=TIGHT)
    res = path.results  # strongest prior (largest alpha) first, like alphas
    for k, r in enumerate(res):
        np.testing.assert_allclose(r.coef, coefs[:, k], atol=1e-7)
        assert r.converged
    assert any(r.solver == "coordinate_descent" for r in res)


def test_design_gram_auto_after_second_solve(rng):
    n, p = 400, 30
    X, y = problem(rng, n, p)
    sw = np.ones(n)
    d = Design(X, y, sw, True)
    a = np.full(p, 0.1 * amax(X, y, sw))
    s1 = solve_enet(X, y, sw, a, np.zeros(p), True, tol=TIGHT, max_iter=100_000, design=d)
    assert not d.use_gram
    s2 = solve_enet(X, y, sw, a, np.zeros(p), True, tol=TIGHT, max_iter=100_000, design=d)
    assert d.use_gram
    np.testing.assert_allclose(s1.coef, s2.coef, atol=1e-9)
    G = (X - X.mean(0)).T @ (X - X.mean(0))
    np.testing.assert_allclose(d.G, G, rtol=1e-10, atol=1e-8 * np.abs(G).max())


def test_input_not_mutated(rng):
    X, y = problem(rng, 80, 10)
    Xs = sp.csc_matrix(X)
    X0, y0, d0 = X.copy(), y.copy(), Xs.data.copy()
    sw = rng.uniform(0.5, 1.5, 80)
    sw0 = sw.copy()
    for M in (X, Xs):
        solve_enet(M, y, sw, np.full(10, 1.0), np.full(10, 0.1), True, tol=1e-10)
    assert np.array_equal(X, X0) and np.array_equal(y, y0) and np.array_equal(sw, sw0)
    assert np.array_equal(Xs.data, d0)


@pytest.mark.parametrize("l2", [0.0, 0.5])
def test_gap_safe_screening_is_safe(rng, l2):
    """Features removed by the gap-safe rule are exactly zero in scikit-learn's solution, and the
    screened solve still matches it."""
    n, p = 60, 1500
    X, y = problem(rng, n, p, k=8)
    sw = np.ones(n)
    lam = 0.2 * amax(X, y, sw)
    sol = solve_enet(X, y, sw, np.full(p, lam), np.full(p, l2), True, tol=TIGHT,
                     max_iter=200_000)
    assert sol.converged and sol.n_screened > p // 2
    w_sk, b_sk = sk_enet(X, y, sw, lam, l2)
    np.testing.assert_allclose(sol.coef, w_sk, atol=1e-7)
    # every feature with a clear KKT margin (hence screenable) is zero in the reference
    assert np.count_nonzero(w_sk) <= p - sol.n_screened


@pytest.mark.parametrize("shape", [(130, 70), (64, 64), (7, 200), (1, 3)])
def test_tiled_fortran_copy_is_exact(rng, shape):
    from bayesreg.map._kernels import to_fortran

    X = rng.standard_normal(shape)
    out = np.empty(shape, order="F")
    to_fortran(X, out)
    assert np.array_equal(out, np.asfortranarray(X))


@pytest.mark.parametrize("big_mean", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_gram_matches_explicitly_centered_product(rng, big_mean, weighted):
    """G = X~'X~ with X~ = diag(sqrt(sw)) (X - xbar): the one-call form (X'X - n xbar xbar') is
    only taken when no column mean dominates; a column with mean 1e6 and unit spread must still
    come out to full relative accuracy (the blockwise-centered fallback)."""
    from bayesreg.map.enet import syrk_blocks

    n, p = 400, 12
    X = rng.standard_normal((n, p))
    if big_mean:
        X[:, 3] += 1e6
    sw = rng.uniform(0.5, 2.0, n) if weighted else np.ones(n)
    xbar = sw @ X / sw.sum()
    B = np.sqrt(sw)[:, None] * (X - xbar)
    G_ref = B.T @ B
    G = syrk_blocks(X, xbar, np.sqrt(sw))
    np.testing.assert_allclose(np.diag(G), np.diag(G_ref), rtol=1e-9)
    np.testing.assert_allclose(G, G_ref, atol=1e-10 * np.abs(G_ref).max())
    d = Design(X, X[:, 0] + rng.standard_normal(n), sw, True, use_gram=True)
    assert d._XF is None  # a Gram-only design never copies C-ordered X to Fortran order
    np.testing.assert_allclose(d.norms2, np.diag(G_ref), rtol=1e-9)


def test_anderson_extrapolation_is_exact_on_a_linear_iteration(rng):
    """For x_{k+1} = M x_k + b in R^m, Anderson extrapolation of m + 2 iterates (m + 1
    differences, rank m) lands on the fixed point (I - M)^-1 b (its GMRES equivalence)."""
    from bayesreg.map._kernels import anderson

    m = 5
    Q = np.linalg.qr(rng.standard_normal((m, m)))[0]
    M = Q @ np.diag(rng.uniform(0.3, 0.95, m)) @ Q.T
    b = rng.standard_normal(m)
    x_star = np.linalg.solve(np.eye(m) - M, b)
    hist = np.empty((m + 2, m))
    hist[0] = rng.standard_normal(m)
    for k in range(1, m + 2):
        hist[k] = M @ hist[k - 1] + b
    ok, x = anderson(hist)
    assert ok
    assert np.linalg.norm(x - x_star) <= 1e-3 * np.linalg.norm(hist[-1] - x_star)
    assert not anderson(np.ones((6, 3)))[0]  # no movement: nothing to extrapolate


def test_columns_with_huge_means_match_sklearn():
    """Timestamp-like columns (mean ~1e9, sd 1): the CD kernels center inside their sums, so the
    fit still matches scikit-learn on explicitly centered data (an uncentered inner product minus
    xbar * sum(r) loses ~eps * mean / sd and made CD diverge to |w| ~ 1e200)."""
    from sklearn.linear_model import Lasso

    rng = np.random.default_rng(0)
    n, p = 200, 50
    Xc = rng.standard_normal((n, p))
    y = Xc[:, :5] @ np.array([1.0, -2, 3, 0.5, 1]) + rng.standard_normal(n)
    X = Xc + 1e9 * rng.uniform(1, 2, p)
    fit = br.Model(br.Gaussian(sigma=1.0), br.Laplace(scale=0.02)).map(X, y, tol=1e-8)
    ref = Lasso(alpha=50 / n, tol=1e-12, max_iter=100_000).fit(X - X.mean(0), y).coef_
    assert fit.converged
    np.testing.assert_allclose(fit.coef, ref, atol=1e-8)
