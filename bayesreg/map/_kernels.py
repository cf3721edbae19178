"""Numba coordinate-descent kernels for the weighted elastic net

    P(w) = 1/2 sum_i sw_i (yc_i - (x_i - xbar) w)^2 + sum_j a_j |w_j| + sum_j c_j / 2 * w_j^2

with ``yc = y - ybar`` and ``xbar`` the sw-weighted column means (zeros without intercept).
Centering and weighting are *implicit*: the dense kernels read the caller's X (never copied
or densified) and keep the unweighted residual ``res = yc - (X - xbar) w``, so that
``X~_j^T r~ = sum_i (X_ij - xbar_j) sw_i res_i``. Three layouts: dense columns, Gram
(n >> p, updates of X~^T r~ in p-space; used along paths) and CSC sparse. The kernels only
run epochs; stopping rules and certificates live in :mod:`bayesreg.map.enet`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_FM = {"reassoc", "contract", "nsz", "arcp"}  # lets LLVM vectorize the dot-product reductions


@njit(cache=True, nogil=True, fastmath=_FM)
def _st(z, a):
    if z > a:
        return z - a
    if z < -a:
        return z + a
    return 0.0


@njit(cache=True, nogil=True)
def to_fortran(X, out):
    """Copy a C-ordered ``X`` into the Fortran-ordered ``out`` (same shape) in 64 x 64 tiles, so
    that both the reads and the writes stay in cache (2-3x faster than ``np.asfortranarray``
    for tall matrices)."""
    n, p = X.shape
    B = 64
    for i0 in range(0, n, B):
        i1 = min(i0 + B, n)
        for j0 in range(0, p, B):
            j1 = min(j0 + B, p)
            for j in range(j0, j1):
                for i in range(i0, i1):
                    out[i, j] = X[i, j]


@njit(cache=True, nogil=True, fastmath=_FM)
def col_norms(X, xbar, sw):
    """``(sum_i sw_i (X_ij - xbar_j)^2, sum_i sw_i X_ij^2)`` for every column (two-pass safe)."""
    n, p = X.shape
    out = np.empty(p)
    unc = np.empty(p)
    for j in range(p):
        s = 0.0
        u = 0.0
        xb = xbar[j]
        for i in range(n):
            x = X[i, j]
            d = x - xb
            s += sw[i] * d * d
            u += sw[i] * x * x
        out[j] = s
        unc[j] = u
    return out, unc


@njit(cache=True, nogil=True, fastmath=_FM)
def col_stats(X, sw, S, center):
    """Weighted means (0 if not ``center``), centered and uncentered weighted squared norms
    of every column: each column is read from memory once (the second pass hits cache)."""
    n, p = X.shape
    xbar = np.zeros(p)
    out = np.empty(p)
    unc = np.empty(p)
    for j in range(p):
        m = 0.0
        if center:
            for i in range(n):
                m += sw[i] * X[i, j]
            m /= S
        s = 0.0
        u = 0.0
        for i in range(n):
            x = X[i, j]
            d = x - m
            s += sw[i] * d * d
            u += sw[i] * x * x
        xbar[j] = m
        out[j] = s
        unc[j] = u
    return xbar, out, unc


@njit(cache=True, nogil=True, fastmath=_FM)
def grad_dense(X, xbar, sw, res, ws):
    """``X~_j^T r~`` for j in ``ws``."""
    n = X.shape[0]
    out = np.empty(ws.shape[0])
    for jj in range(ws.shape[0]):
        j = ws[jj]
        xb = xbar[j]
        s = 0.0
        for i in range(n):
            s += (X[i, j] - xb) * sw[i] * res[i]
        out[jj] = s
    return out


@njit(cache=True, nogil=True, fastmath=_FM)
def cd_dense(X, xbar, sw, res, w, ws, a, c, norms2, n_epochs):
    """Cyclic CD over the features in ``ws``; ``res`` and ``w`` updated in place.
    Returns the largest |delta w_j| * sqrt(norms2_j) of the last epoch."""
    n = X.shape[0]
    max_step = 0.0
    for _ in range(n_epochs):
        max_step = 0.0
        for jj in range(ws.shape[0]):
            j = ws[jj]
            nj = norms2[j]
            if nj == 0.0:
                continue
            wj = w[j]
            xb = xbar[j]
            xr = 0.0
            for i in range(n):
                xr += (X[i, j] - xb) * sw[i] * res[i]
            new = _st(xr + nj * wj, a[j]) / (nj + c[j])
            d = new - wj
            if d != 0.0:
                for i in range(n):
                    res[i] -= d * (X[i, j] - xb)
                w[j] = new
                s = abs(d) * np.sqrt(nj)
                if s > max_step:
                    max_step = s
    return max_step


@njit(cache=True, nogil=True, fastmath=_FM)
def cd_gram(G, g, w, ws, a, c, n_epochs):
    """Cyclic CD on the Gram matrix: ``g = X~^T r~`` is kept equal to ``q - G w`` in place."""
    p = G.shape[0]
    max_step = 0.0
    for _ in range(n_epochs):
        max_step = 0.0
        for jj in range(ws.shape[0]):
            j = ws[jj]
            nj = G[j, j]
            if nj == 0.0:
                w[j] = 0.0
                continue
            wj = w[j]
            new = _st(g[j] + nj * wj, a[j]) / (nj + c[j])
            d = new - wj
            if d != 0.0:
                for k in range(p):  # G symmetric and C-ordered: row j is contiguous
                    g[k] -= d * G[j, k]
                w[j] = new
                s = abs(d) * np.sqrt(nj)
                if s > max_step:
                    max_step = s
    return max_step


@njit(cache=True, nogil=True, fastmath=_FM)
def cd_sparse(data, indices, indptr, xbar, r_st, R, S, w, ws, a, c, norms2, n_epochs):
    """CD on CSC columns with implicit centering.

    The true residual is ``r = r_st + t * v`` (v = sqrt(sample weights)); only ``r_st``
    and ``R = v^T r_st`` are needed because ``X~_j^T r = Xs_j^T r_st - xbar_j * R``.
    ``t`` is returned so the caller can rebuild r. ``R`` is a 1-element array."""
    max_step = 0.0
    t = 0.0
    for _ in range(n_epochs):
        max_step = 0.0
        for jj in range(ws.shape[0]):
            j = ws[jj]
            nj = norms2[j]
            if nj <= 0.0:
                continue
            wj = w[j]
            xr = 0.0
            for k in range(indptr[j], indptr[j + 1]):
                xr += data[k] * r_st[indices[k]]
            xr -= xbar[j] * R[0]
            new = _st(xr + nj * wj, a[j]) / (nj + c[j])
            d = new - wj
            if d != 0.0:
                for k in range(indptr[j], indptr[j + 1]):
                    r_st[indices[k]] -= d * data[k]
                R[0] -= d * S * xbar[j]
                t += d * xbar[j]
                w[j] = new
                s = abs(d) * np.sqrt(nj)
                if s > max_step:
                    max_step = s
    return t


@njit(cache=True, nogil=True, fastmath=_FM)
def grad_sparse(data, indices, indptr, xbar, r_st, R, ws):
    """``X~_j^T r`` for j in ``ws`` given the sparse-kernel state (r_st, R)."""
    out = np.empty(ws.shape[0])
    for jj in range(ws.shape[0]):
        j = ws[jj]
        s = 0.0
        for k in range(indptr[j], indptr[j + 1]):
            s += data[k] * r_st[indices[k]]
        out[jj] = s - xbar[j] * R[0]
    return out


@njit(cache=True, nogil=True, fastmath=_FM)
def matvec_cols(X, xbar, vals, cols):
    """``sum_k vals_k * (X[:, cols_k] - xbar[cols_k])``: X w for a w supported on ``cols``."""
    n = X.shape[0]
    out = np.zeros(n)
    for k in range(cols.shape[0]):
        j = cols[k]
        v = vals[k]
        if v == 0.0:
            continue
        xb = xbar[j]
        for i in range(n):
            out[i] += v * (X[i, j] - xb)
    return out


@njit(cache=True, nogil=True, fastmath=_FM)
def gram_gap(yy, q, g, w, a, c):
    """Duality gap of the elastic net from Gram-space statistics (see enet._primal_gap):
    ``||r||^2 = yy - w.q - w.g`` and ``y.r = yy - w.q`` with ``g = X~^T r``."""
    p = w.shape[0]
    wq = 0.0
    wg = 0.0
    l1 = 0.0
    wcw = 0.0
    dn = 0.0
    infeasible = False
    for j in range(p):
        wj = w[j]
        wq += wj * q[j]
        wg += wj * g[j]
        l1 += a[j] * abs(wj)
        wcw += c[j] * wj * wj
        gj = abs(g[j] - c[j] * wj)
        if a[j] > 0.0:
            if gj / a[j] > dn:
                dn = gj / a[j]
        elif gj > 0.0:
            infeasible = True
    rr = max(yy - wq - wg, 0.0)
    if infeasible:
        s = 0.0
    elif dn <= 1.0:
        s = 1.0
    else:
        s = 1.0 / dn
    # primal - dual without terms of size yy that cancel (y.r = w.g + rr): see enet._primal_gap
    gap = 0.5 * (1.0 - s) ** 2 * rr + l1 + 0.5 * wcw * (1.0 + s * s) - s * wg
    return max(gap, 0.0)


@njit(cache=True, nogil=True)
def gram_solve(G, q, yy, g, w, all_idx, a, c, tol_abs, max_epochs):
    """Gram-space CD until the duality gap <= tol_abs: a full sweep, then sweeps on the active
    set until their steps are small (glmnet's strategy). Returns ``(gap, n_epochs)``."""
    n_epochs = 0
    p = w.shape[0]
    active = np.empty(p, dtype=np.int64)
    while True:
        gap = gram_gap(yy, q, g, w, a, c)
        if gap <= tol_abs or n_epochs >= max_epochs:
            return gap, n_epochs
        cd_gram(G, g, w, all_idx, a, c, 1)
        n_epochs += 1
        m = 0
        for j in range(p):
            if w[j] != 0.0:
                active[m] = j
                m += 1
        if m:
            act = active[:m]
            for _ in range(50):
                step = cd_gram(G, g, w, act, a, c, 3)
                n_epochs += 3
                if step * step <= 1e-2 * tol_abs or n_epochs >= max_epochs:
                    break
                # the gap costs O(p), an active epoch O(|A| p): check it after every group
                if gram_gap(yy, q, g, w, a, c) <= tol_abs:
                    break


def warmup() -> None:
    """Load (or compile, the first time ever) every kernel on tiny inputs."""
    X = np.asfortranarray(np.arange(6.0).reshape(3, 2))
    xbar = np.zeros(2)
    sw = np.ones(3)
    res = np.ones(3)
    w = np.zeros(2)
    ws = np.arange(2, dtype=np.int64)
    a = np.ones(2)
    c = np.zeros(2)
    n2, _ = col_norms(X, xbar, sw)
    to_fortran(np.ascontiguousarray(X), np.empty_like(X))
    col_stats(X, sw, 3.0, True)
    grad_dense(X, xbar, sw, res, ws)
    cd_dense(X, xbar, sw, res, w, ws, a, c, n2, 1)
    G = np.ascontiguousarray(X.T @ X)
    cd_gram(G, np.ones(2), np.zeros(2), ws, a, c, 1)
    ip = np.array([0, 1, 2], dtype=np.int64)
    idx = np.array([0, 1], dtype=np.int64)
    R = np.zeros(1)
    cd_sparse(np.ones(2), idx, ip, xbar, np.ones(3), R, 3.0, np.zeros(2), ws, a, c, np.ones(2), 1)
    grad_sparse(np.ones(2), idx, ip, xbar, np.ones(3), R, ws)
    matvec_cols(X, xbar, np.ones(2), ws)
    gram_solve(G, np.ones(2), 3.0, np.ones(2), np.zeros(2), ws, a, c, 1e-3, 10)
