"""Numba kernels of the warm-started proximal Newton step (:mod:`bayesreg.map.glm`).

The inner problem of one step is glmnet's weighted least-squares model of the datafit around
the current point, restricted to a working set ``ws`` of columns:

    min_{db, dw_ws}  1/2 sum_i h_i (r_i - db - X_i,ws dw_ws)^2 + sum_j a_j |w_j + dw_j|
                     + c_j / 2 (w_j + dw_j)^2,          r = -gradient / h (= z - eta),

solved by cyclic coordinate descent on the columns of a Fortran-ordered X with the intercept
profiled out by implicit h-weighted centering (the h-weighted column means of the working set
are computed in the first pass, X is never copied). Serial loops only (no ``parallel=True``):
see :mod:`bayesreg._threads`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_FM = {"reassoc", "contract", "nsz", "arcp"}


@njit(cache=True, nogil=True, fastmath=_FM)
def wcd_ws(X, h, r, w, ws, a, c, center, max_epochs, tol):
    """Cyclic CD on the columns ``ws`` of the weighted model above (``r``, ``w`` in place).

    ``r`` enters as the working residual ``z - eta`` and leaves as ``z - eta_new`` (h-weighted
    mean zero when ``center``); ``w`` leaves as the new coefficients. Stops after the first
    epoch whose largest coordinate violation estimate ``|delta_j| (n_j + c_j)`` (the exact
    violation of the model's optimality condition for a coordinate that keeps its sign) is
    <= ``tol``, or after ``max_epochs``. Returns ``(db, epochs, last_violation)``: ``db`` is
    the intercept change of the model solution (0 unless ``center``)."""
    n = X.shape[0]
    m = ws.shape[0]
    H = 0.0
    hr = 0.0
    for i in range(n):
        H += h[i]
        hr += h[i] * r[i]
    db = 0.0
    if center and H > 0.0:
        db = hr / H
        for i in range(n):
            r[i] -= db
    xbar = np.zeros(m)
    nrm = np.empty(m)
    for k in range(m):
        j = ws[k]
        mj = 0.0
        if center and H > 0.0:
            for i in range(n):
                mj += h[i] * X[i, j]
            mj /= H
        s = 0.0
        for i in range(n):
            d = X[i, j] - mj
            s += h[i] * d * d
        xbar[k] = mj
        nrm[k] = s
    viol = np.inf
    ep = 0
    for ep in range(1, max_epochs + 1):  # noqa: B007 (returned as the epoch count)
        viol = 0.0
        for k in range(m):
            j = ws[k]
            nj = nrm[k]
            den = nj + c[j]
            if den <= 0.0:
                continue
            mj = xbar[k]
            xr = 0.0
            for i in range(n):
                xr += h[i] * (X[i, j] - mj) * r[i]
            wj = w[j]
            z = xr + nj * wj
            aj = a[j]
            if z > aj:
                new = (z - aj) / den
            elif z < -aj:
                new = (z + aj) / den
            else:
                new = 0.0
            d = new - wj
            if d != 0.0:
                for i in range(n):
                    r[i] -= d * (X[i, j] - mj)
                db -= d * mj
                w[j] = new
                v = abs(d) * den
                if v > viol:
                    viol = v
        if viol <= tol:
            break
    return db, ep, viol


@njit(cache=True, nogil=True, fastmath=_FM)
def xv_cols(X, vals, cols):
    """``X[:, cols] @ vals`` for a Fortran-ordered X (the step ``X dw`` of a working set)."""
    n = X.shape[0]
    out = np.zeros(n)
    for k in range(cols.shape[0]):
        v = vals[k]
        if v == 0.0:
            continue
        j = cols[k]
        for i in range(n):
            out[i] += v * X[i, j]
    return out


@njit(cache=True, nogil=True, fastmath=_FM)
def gram_cd(G, gr, u, a, c, max_epochs, tol):
    """Cyclic CD on ``min_u  s(u) + sum_j a_j |u_j|`` for a smooth quadratic ``s`` whose Hessian
    is ``G + diag(c)`` (C-ordered, symmetric), given ``gr = grad s(u) - c u`` (updated in place
    with ``u``). A zero coordinate with ``|gr_j| <= a_j`` costs O(1); a change costs one row of
    G. Stops after the first epoch whose largest ``|delta_j| (G_jj + c_j)`` is <= ``tol``.
    Returns ``(epochs, last_violation)``."""
    p = u.shape[0]
    viol = np.inf
    ep = 0
    for ep in range(1, max_epochs + 1):  # noqa: B007 (returned as the epoch count)
        viol = 0.0
        for j in range(p):
            uj = u[j]
            gj = gr[j]
            aj = a[j]
            if uj == 0.0 and abs(gj) <= aj:
                continue
            den = G[j, j] + c[j]
            if den <= 0.0:
                continue
            z = G[j, j] * uj - gj
            if z > aj:
                new = (z - aj) / den
            elif z < -aj:
                new = (z + aj) / den
            else:
                new = 0.0
            d = new - uj
            if d != 0.0:
                for k in range(p):
                    gr[k] += G[j, k] * d
                u[j] = new
                v = abs(d) * den
                if v > viol:
                    viol = v
        if viol <= tol:
            break
    return ep, viol
