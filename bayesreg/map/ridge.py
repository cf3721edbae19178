"""Closed-form weighted ridge (Gaussian likelihood x Normal prior), exact to rounding.

    min_{b0, w}  1/2 sum_i sw_i (y_i - b0 - x_i w)^2 + sum_j c_j / 2 w_j^2

Dense, n >= p: Cholesky of X~^T X~ + diag(c).  Dense, p > n: the push-through identity
``w = C^-1 X~^T (X~ C^-1 X~^T + I)^-1 y~`` (Cholesky of an n x n matrix).  Sparse X:
conjugate gradients on the normal equations with implicit centering (X is never densified).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .enet import Design


def solve_ridge(X, y, sw, c, fit_intercept=True, tol=1e-10, design: Design | None = None):
    """Return ``(coef, intercept, n_iter)`` of the weighted ridge problem above."""
    d = design if design is not None else Design(X, y, sw, fit_intercept, use_gram=False)
    c = np.asarray(c, dtype=float)
    if d.sparse:
        return _ridge_cg(d, c, tol)
    Xt, yt = d.Xt, d.yt
    n, p = Xt.shape
    if n >= p:
        A = Xt.T @ Xt
        A[np.diag_indices(p)] += c
        w = sla.cho_solve(sla.cho_factor(A, lower=True, check_finite=False), Xt.T @ yt,
                          check_finite=False)
    else:
        Xc = Xt / c  # X~ C^-1
        K = Xc @ Xt.T
        K[np.diag_indices(n)] += 1.0
        alpha = sla.cho_solve(sla.cho_factor(K, lower=True, check_finite=False), yt,
                              check_finite=False)
        w = Xc.T @ alpha
    return w, d.intercept(w), 1


def _ridge_cg(d: Design, c, tol):
    p = d.p

    def mv(v):
        return d.corr(d.matvec(v)) + c * v

    op = spla.LinearOperator((p, p), matvec=mv, dtype=float)
    rhs = d.corr(d.yt)
    diag = d.norms2 + c
    M = sp.diags(1.0 / diag)
    w, info = spla.cg(op, rhs, rtol=tol, atol=0.0, maxiter=10 * p, M=M)
    return w, d.intercept(w), int(10 * p if info > 0 else max(info, 1))
