"""Closed-form / CG ridge against an independent reference: least squares on the augmented system

    [sqrt(sw) * [1, X]; [0, diag(sqrt(c))]] [b; w] ~ [sqrt(sw) * y; 0]

solved by numpy.linalg.lstsq (the intercept column is unpenalized)."""

import numpy as np
import pytest
import scipy.sparse as sp

import bayesreg as br
from bayesreg.map.enet import Design
from bayesreg.map.ridge import solve_ridge


def lstsq_ridge(X, y, sw, c, fit_intercept=True):
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=float)
    n, p = X.shape
    v = np.sqrt(sw)
    cols = [np.ones((n, 1))] if fit_intercept else []
    A_top = v[:, None] * np.hstack(cols + [X])
    k = len(cols)
    A_bot = np.hstack([np.zeros((p, k)), np.diag(np.sqrt(c))])
    A = np.vstack([A_top, A_bot])
    rhs = np.concatenate([v * y, np.zeros(p)])
    D = 1.0 / np.linalg.norm(A, axis=0)  # equilibrate columns: lstsq error ~ eps * cond
    z = D * np.linalg.lstsq(A * D, rhs, rcond=None)[0]
    return z[k:], (float(z[0]) if fit_intercept else 0.0)


@pytest.mark.parametrize("shape", [(200, 30), (40, 300)], ids=["n>=p", "p>n"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("uniform_c", [True, False])
def test_dense_closed_form(rng, shape, fit_intercept, uniform_c):
    n, p = shape
    X = rng.standard_normal((n, p)) + rng.normal(size=p)
    y = X[:, :3].sum(1) + rng.standard_normal(n) + 2.0
    sw = rng.uniform(0.3, 2.0, n)
    c = np.full(p, 2.5) if uniform_c else rng.uniform(0.5, 5.0, p)
    w, b, _ = solve_ridge(X, y, sw, c, fit_intercept)
    w_ref, b_ref = lstsq_ridge(X, y, sw, c, fit_intercept)
    np.testing.assert_allclose(w, w_ref, atol=1e-9)
    assert abs(b - b_ref) < 1e-9


def test_sparse_cg_with_empty_column(rng):
    n, p = 150, 40
    X = sp.random(n, p, density=0.2, format="csc", random_state=3) * 2.0
    X = sp.hstack([X, sp.csc_matrix((n, 1))], format="csc")
    y = rng.standard_normal(n)
    c = np.full(p + 1, 1.5)
    w, b, _ = solve_ridge(X, y, np.ones(n), c, True, tol=1e-13)
    w_ref, b_ref = lstsq_ridge(X, y, np.ones(n), c)
    np.testing.assert_allclose(w, w_ref, atol=1e-8)
    assert abs(b - b_ref) < 1e-8 and w[-1] == 0.0


def test_badly_scaled_duplicated_zero_variance(rng):
    n = 120
    X = rng.standard_normal((n, 5)) * np.array([1e-6, 1e6, 1.0, 1e-3, 1e3])
    X = np.column_stack([X, X[:, 2], np.full(n, 7.0)])  # duplicate + constant column
    y = rng.standard_normal(n)
    c = np.array([1e-12, 1e12, 1.0, 1e-6, 1e6, 1.0, 1.0])  # same scale-free problem per column
    w, b, _ = solve_ridge(X, y, np.ones(n), c)
    w_ref, b_ref = lstsq_ridge(X, y, np.ones(n), c)
    scale = np.array([1e-6, 1e6, 1.0, 1e-3, 1e3, 1.0, 1.0])
    np.testing.assert_allclose(w * scale, w_ref * scale, atol=1e-8)
    assert abs(w[2] - w[5]) < 1e-10 and abs(w[6]) < 1e-12


def test_gram_reuse_and_public_api_float32(rng):
    X = rng.standard_normal((300, 20)).astype(np.float32)
    y = rng.standard_normal(300)
    X64 = X.astype(np.float64)
    d = Design(X64, y, np.ones(300), True, use_gram=True)
    w_g, _, _ = solve_ridge(X64, y, np.ones(300), np.full(20, 3.0), design=d)
    w_ref, b_ref = lstsq_ridge(X64, y, np.ones(300), np.full(20, 3.0))
    np.testing.assert_allclose(w_g, w_ref, atol=1e-10)
    fit = br.Model(br.Gaussian(1.0), br.Normal(1 / np.sqrt(3.0))).map(X, y)
    np.testing.assert_allclose(fit.coef, w_ref, atol=1e-10)
    assert abs(fit.intercept - b_ref) < 1e-10


@pytest.mark.parametrize("big_mean, fit_intercept", [(False, True), (True, True), (False, False)])
def test_push_through_unit_weights(rng, big_mean, fit_intercept):
    """p > n with unit weights: the kernel X~ X~' is formed without a centered copy of X when no
    column mean dominates; a column with mean 1e5 takes the explicitly centered route. Both must
    match the augmented least-squares reference. (Without an intercept a 1e5 column is a badly
    scaled column, not a mean to remove: that conditioning case is test_badly_scaled_*.)"""
    n, p = 50, 400
    X = rng.standard_normal((n, p)) + 0.5 * rng.normal(size=p)
    if big_mean:
        X[:, 7] += 1e5
    y = X[:, :3].sum(1) + rng.standard_normal(n) + 2.0
    c = np.full(p, 3.0)
    w, b, _ = solve_ridge(X, y, np.ones(n), c, fit_intercept)
    w_ref, b_ref = lstsq_ridge(X, y, np.ones(n), c, fit_intercept)
    np.testing.assert_allclose(w, w_ref, atol=1e-9)
    assert abs(b - b_ref) < 1e-9 * max(1.0, abs(b_ref))
