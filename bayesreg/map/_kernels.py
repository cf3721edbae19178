"""Numba coordinate-descent kernels for the weighted elastic net

    P(w) = 1/2 ||y~ - X~ w||^2 + sum_j a_j |w_j| + sum_j c_j / 2 * w_j^2

on centered, sqrt-weighted data (X~, y~). Three layouts: dense columns (naive
updates of the residual), Gram (n >> p: updates of X~^T r in p-space) and CSC
sparse with implicit centering (X~_j = Xs_j - xbar_j * v, never densified).
The kernels only run epochs; stopping rules and certificates live in
:mod:`bayesreg.map.enet`.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def _st(z, a):
    if z > a:
        return z - a
    if z < -a:
        return z + a
    return 0.0


@njit(cache=True, nogil=True)
def cd_dense(X, r, w, ws, a, c, norms2, n_epochs):
    """Cyclic CD over the features in ``ws``; ``r`` (residual) and ``w`` updated in place.
    Returns the largest |delta w_j| * sqrt(norms2_j) of the last epoch."""
    n = X.shape[0]
    max_step = 0.0
    for _ in range(n_epochs):
        max_step = 0.0
        for jj in range(ws.shape[0]):
            j = ws[jj]
            nj = norms2[j]
            if nj == 0.0:
                if w[j] != 0.0:
                    w[j] = 0.0
                continue
            wj = w[j]
            xr = 0.0
            for i in range(n):
                xr += X[i, j] * r[i]
            new = _st(xr + nj * wj, a[j]) / (nj + c[j])
            d = new - wj
            if d != 0.0:
                for i in range(n):
                    r[i] -= d * X[i, j]
                w[j] = new
                s = abs(d) * np.sqrt(nj)
                if s > max_step:
                    max_step = s
    return max_step


@njit(cache=True, nogil=True)
def cd_gram(G, g, w, ws, a, c, n_epochs):
    """Cyclic CD on the Gram matrix: ``g = X~^T r`` is kept equal to ``q - G w`` in place."""
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
                for k in range(p):
                    g[k] -= d * G[k, j]
                w[j] = new
                s = abs(d) * np.sqrt(nj)
                if s > max_step:
                    max_step = s
    return max_step


@njit(cache=True, nogil=True)
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
                w[j] = 0.0
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
