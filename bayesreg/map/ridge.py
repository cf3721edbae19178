"""Closed-form weighted ridge (Gaussian likelihood x Normal prior), exact to rounding.

    min_{b0, w}  1/2 sum_i sw_i (y_i - b0 - x_i w)^2 + sum_j c_j / 2 w_j^2

Dense, n >= p: Cholesky of X~^T X~ + diag(c) (the Gram matrix by symmetric rank-k updates
over row blocks, so the centered X~ is never materialized).  Dense, p > n: the push-through
identity ``w = C^-1 X~^T (X~ C^-1 X~^T + I)^-1 y~`` (Cholesky of an n x n matrix).  Sparse X:
conjugate gradients on the normal equations with implicit centering (X is never densified).
"""

from __future__ import annotations

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ._kernels import center_scale_shift
from .enet import Design, syrk_blocks


def solve_ridge(X, y, sw, c, fit_intercept=True, tol=1e-10, design: Design | None = None,
                max_iter: int | None = None):
    """Weighted ridge in closed form.

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix, shape (n, p)
    y, sw : ndarray, shape (n,)
    c : ndarray, shape (p,)
        L2 weights (> 0) of ``sum_j c_j / 2 w_j^2``.
    fit_intercept : bool
    tol : float
        Relative residual tolerance of conjugate gradients (sparse X only).
    design : Design, optional
    max_iter : int, optional
        Bound on the conjugate-gradient iterations (sparse X; default ``10 p``). The dense
        solves are direct: one iteration.

    Returns
    -------
    (coef, intercept, n_iter)
    """
    d = design if design is not None else Design(X, y, sw, fit_intercept, use_gram=False)
    c = np.ascontiguousarray(c, dtype=float)
    if d.sparse:
        return _ridge_cg(d, c, tol, max_iter)
    n, p = d.n, d.p
    if d._G is not None or n >= p:  # (a design from statistics always has G)
        if d._G is None:  # kept on the design: reused across sigma values, paths, certificates
            d._G = np.ascontiguousarray(syrk_blocks(d.X_in, d.xbar, d.v, colsq=d.colsq_raw))
            d._q = d.corr(d.yt)
        A = np.array(d._G, order="F")  # LAPACK's layout: the factorization runs in place
        A[np.diag_indices(p)] += c
        rhs = d._q
        w = sla.cho_solve(sla.cho_factor(A, lower=True, overwrite_a=True, check_finite=False), rhs,
                          check_finite=False)
    else:
        # K = X~ C^-1 X~^T + I  (n x n): rows of X~ C^-1/2 are the syrk operand
        uniform = bool(np.all(c == c[0]))
        K = _centered_row_gram(d, 1.0 / c[0]) if uniform and d.unit_weights else None
        if K is None:
            B = d.X_in - d.xbar if d.fit_intercept else d.X_in.copy()
            if not d.unit_weights:
                B *= d.v[:, None]
            if not uniform:
                B /= np.sqrt(c)
            K = B @ B.T
            if uniform:
                K /= c[0]
            K[np.diag_indices(n)] += 1.0
        # K is symmetric: its transpose is the same matrix in LAPACK's (Fortran) layout, so the
        # factorization runs in place without a copy
        alpha = sla.cho_solve(sla.cho_factor(K.T, lower=True, overwrite_a=True,
                                             check_finite=False), d.yt, check_finite=False)
        w = d.corr(alpha) / c
    return w, d.intercept(w), 1


def _centered_row_gram(d: Design, scale: float):
    """``(X - 1 xbar')(X - 1 xbar')' * scale + I`` as ``(X X' - m 1' - 1 m' + xbar.xbar) * scale
    + I`` with ``m = X xbar``: one symmetric BLAS product and no centered copy of X, used when no
    column mean dominates its spread (the correction then loses at most ~1 bit); None otherwise
    (the caller centers explicitly)."""
    X, xbar, n = d.X_in, d.xbar, d.n
    if d.fit_intercept:
        ss = d.colsq_raw if d.colsq_raw is not None else np.einsum("ij,ij->j", X, X)
        if not np.all(ss - n * xbar * xbar >= 0.5 * ss):
            return None
        m = X @ xbar
        const = float(xbar @ xbar)
    else:
        m, const = np.zeros(n), 0.0
    K = X @ X.T
    center_scale_shift(K, m, const, scale)
    return K


def _ridge_cg(d: Design, c, tol, max_iter=None):
    p = d.p
    n_cg = [0]

    def count(_):
        n_cg[0] += 1

    def mv(v):
        return d.corr(d.matvec(v)) + c * v

    op = spla.LinearOperator((p, p), matvec=mv, dtype=float)
    rhs = d.corr(d.yt)
    diag = d.norms2 + c
    M = sp.diags(1.0 / diag)
    w, info = spla.cg(op, rhs, rtol=tol, atol=0.0, maxiter=10 * p if max_iter is None else max_iter,
                      M=M, callback=count)
    return w, d.intercept(w), max(n_cg[0], 1)
