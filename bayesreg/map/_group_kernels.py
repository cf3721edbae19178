"""numba kernels of the group lasso block coordinate descent (:mod:`bayesreg.map.group`).

Both kernels run epochs of block coordinate descent over the groups of a working set on

    min_w  1/2 ||r||^2 + sum_g lam_g ||w_g||_2 + sum_j l1_j |w_j|,
    r = y~ - X~ w,   X~ = diag(v) (X - 1 xbar^T)

(the implicitly centered, sqrt-weighted design of :class:`bayesreg.map.enet.Design`; ``l1 = 0``:
the group lasso, else the sparse group lasso), each block step ``w_g <- BST(ST(w_g + X~_g^T r /
L_g, l1_g / L_g), lam_g / L_g)`` with ``L_g`` the largest eigenvalue of ``X~_g^T X~_g``
(soft-thresholding then block soft-thresholding: the prox of the block's penalty; ``lam_g =
l1_g = 0``: a gradient step on an unpenalized block). ``r`` stays orthogonal to ``v``, so
``X~_j^T r = X_j^T (v r)``. Every 10 epochs the working set's own duality gap is computed; the
epochs stop when it is below ``tol`` or after ``max_epochs``. Every ``ANDERSON_K + 1`` epochs
the working set's iterates are extrapolated (Anderson acceleration, as skglm's solvers); the
extrapolated point is kept only when it lowers the working set's objective.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..penalties import sgl_threshold
from ._kernels import anderson

#: Anderson extrapolation every ANDERSON_K + 1 epochs from the last iterates (skglm's K = 5)
ANDERSON_K = 5


@njit(cache=True, nogil=True)
def _ws_gap(rr, ws, ptr, lam, w, corr_ws, pen_lam, l1_ws):
    """Duality gap of the working-set problem from ``corr_ws`` (X~_g^T r of its groups, laid
    out group after group, ``l1_ws`` their L1 weights likewise) and ``rr = ||r||^2``: the dual
    point ``s r`` with the largest ``s <= 1`` such that ``||ST(s X~_g^T r, l1_g)|| <= lam_g``."""
    s = 1.0
    pen = 0.0
    wc = 0.0
    pos = 0
    for a in range(ws.shape[0]):
        g = ws[a]
        k = ptr[g + 1] - ptr[g]
        has_l1 = False
        for t in range(k):
            if l1_ws[pos + t] > 0:
                has_l1 = True
        if has_l1:
            c = sgl_threshold(corr_ws[pos:pos + k], l1_ws[pos:pos + k], lam[g])
            if c * s > 1.0:
                s = 1.0 / c
        elif lam[g] > 0:
            nc = 0.0
            for t in range(k):
                nc += corr_ws[pos + t] * corr_ws[pos + t]
            nc = np.sqrt(nc)
            if nc * s > lam[g]:
                s = lam[g] / nc
        pos += k
    pos = 0
    for a in range(ws.shape[0]):
        g = ws[a]
        k = ptr[g + 1] - ptr[g]
        pen += pen_lam[a]
        for t in range(k):
            wc += w[t + pos] * corr_ws[pos + t]
        pos += k
    return pen - s * wc + 0.5 * rr * (1.0 - s) * (1.0 - s)


@njit(cache=True, nogil=True)
def _ws_objective(r, w, ws, ptr, idx, lam, l1):
    rr = 0.0
    for i in range(r.shape[0]):
        rr += r[i] * r[i]
    pen = 0.0
    for a in range(ws.shape[0]):
        g = ws[a]
        nrm = 0.0
        for q in range(ptr[g], ptr[g + 1]):
            nrm += w[idx[q]] ** 2
            pen += l1[idx[q]] * abs(w[idx[q]])
        pen += lam[g] * np.sqrt(nrm)
    return 0.5 * rr + pen


@njit(cache=True, nogil=True)
def _record(hist, row, w, ws, ptr, idx):
    pos = 0
    for a in range(ws.shape[0]):
        g = ws[a]
        for q in range(ptr[g], ptr[g + 1]):
            hist[row, pos] = w[idx[q]]
            pos += 1


@njit(cache=True, nogil=True)
def _try_anderson_dense(hist, XF, v, unit, xbar, center, r, w, ptr, idx, lam, l1, L, ws, r_new,
                        w_new):
    """Extrapolate from ``hist``; keep the point when it lowers the working-set objective."""
    ok, acc = anderson(hist)
    if not ok:
        return
    n = r.shape[0]
    for i in range(n):
        r_new[i] = r[i]
    for j in range(w.shape[0]):
        w_new[j] = w[j]
    pos = 0
    cx = 0.0
    for a in range(ws.shape[0]):
        g = ws[a]
        for q in range(ptr[g], ptr[g + 1]):
            j = idx[q]
            d = acc[pos] - w[j]
            pos += 1
            if d != 0.0 and L[g] > 0:
                w_new[j] = acc[pos - 1]
                cx += xbar[j] * d
                if unit:
                    for i in range(n):
                        r_new[i] -= XF[i, j] * d
                else:
                    for i in range(n):
                        r_new[i] -= v[i] * XF[i, j] * d
    if center and cx != 0.0:
        for i in range(n):
            r_new[i] += cx if unit else v[i] * cx
    if (_ws_objective(r_new, w_new, ws, ptr, idx, lam, l1)
            < _ws_objective(r, w, ws, ptr, idx, lam, l1)):
        for i in range(n):
            r[i] = r_new[i]
        for j in range(w.shape[0]):
            w[j] = w_new[j]


@njit(cache=True, nogil=True)
def _try_anderson_sparse(hist, data, indices, indptr, v, xbar, center, r, w, ptr, idx, lam, l1,
                         L, ws, r_new, w_new):
    ok, acc = anderson(hist)
    if not ok:
        return
    n = r.shape[0]
    for i in range(n):
        r_new[i] = r[i]
    for j in range(w.shape[0]):
        w_new[j] = w[j]
    pos = 0
    cx = 0.0
    for a in range(ws.shape[0]):
        g = ws[a]
        for q in range(ptr[g], ptr[g + 1]):
            j = idx[q]
            d = acc[pos] - w[j]
            pos += 1
            if d != 0.0 and L[g] > 0:
                w_new[j] = acc[pos - 1]
                cx += xbar[j] * d
                for t in range(indptr[j], indptr[j + 1]):
                    r_new[indices[t]] -= data[t] * d
    if center and cx != 0.0:
        for i in range(n):
            r_new[i] += v[i] * cx
    if (_ws_objective(r_new, w_new, ws, ptr, idx, lam, l1)
            < _ws_objective(r, w, ws, ptr, idx, lam, l1)):
        for i in range(n):
            r[i] = r_new[i]
        for j in range(w.shape[0]):
            w[j] = w_new[j]


@njit(cache=True, nogil=True)
def _soft(z, t):
    if z > t:
        return z - t
    if z < -t:
        return z + t
    return 0.0


@njit(cache=True, nogil=True)
def _dot_col(XF, j, v, r, unit):
    n = r.shape[0]
    gr = 0.0
    if unit:
        for i in range(n):
            gr += XF[i, j] * r[i]
    else:
        for i in range(n):
            gr += XF[i, j] * v[i] * r[i]
    return gr


@njit(cache=True, nogil=True)
def bcd_dense(XF, v, unit, xbar, center, r, w, ptr, idx, lam, l1, L, ws, max_epochs, tol):
    """Block CD epochs on dense Fortran-ordered ``XF`` (module docstring). Returns the number
    of epochs run; ``w`` and ``r`` are updated in place."""
    n = XF.shape[0]
    kmax = 0
    nws = 0
    for a in range(ws.shape[0]):
        g = ws[a]
        k = ptr[g + 1] - ptr[g]
        nws += k
        if k > kmax:
            kmax = k
    z = np.empty(kmax)
    delta = np.empty(kmax)
    corr_ws = np.empty(nws)
    w_ws = np.empty(nws)
    pen_lam = np.empty(ws.shape[0])
    l1_ws = np.empty(nws)
    has_l1 = False
    pos = 0
    for a in range(ws.shape[0]):
        g = ws[a]
        for q in range(ptr[g], ptr[g + 1]):
            l1_ws[pos] = l1[idx[q]]
            if l1_ws[pos] > 0:
                has_l1 = True
            pos += 1
    hist = np.empty((ANDERSON_K + 1, nws))
    r_new = np.empty(n)
    w_new = np.empty(w.shape[0])
    epoch = 0
    for epoch in range(1, max_epochs + 1):
        for a in range(ws.shape[0]):
            g = ws[a]
            s0 = ptr[g]
            k = ptr[g + 1] - s0
            Lg = L[g]
            if Lg <= 0.0:
                continue
            nz = 0.0
            for t in range(k):
                j = idx[s0 + t]
                zt = w[j] + _dot_col(XF, j, v, r, unit) / Lg
                if has_l1:
                    zt = _soft(zt, l1[j] / Lg)
                z[t] = zt
                nz += zt * zt
            nz = np.sqrt(nz)
            thr = lam[g] / Lg
            shrink = 0.0 if nz <= thr else 1.0 - thr / nz
            cx = 0.0
            moved = False
            for t in range(k):
                j = idx[s0 + t]
                d = shrink * z[t] - w[j]
                delta[t] = d
                if d != 0.0:
                    moved = True
                    w[j] += d
                    cx += xbar[j] * d
                    if unit:
                        for i in range(n):
                            r[i] -= XF[i, j] * d
                    else:
                        for i in range(n):
                            r[i] -= v[i] * XF[i, j] * d
            if moved and center and cx != 0.0:
                if unit:
                    for i in range(n):
                        r[i] += cx
                else:
                    for i in range(n):
                        r[i] += v[i] * cx
        row = (epoch - 1) % (ANDERSON_K + 1)
        _record(hist, row, w, ws, ptr, idx)
        if row == ANDERSON_K:
            _try_anderson_dense(hist, XF, v, unit, xbar, center, r, w, ptr, idx, lam, l1, L, ws,
                                r_new, w_new)
        if epoch % 10 == 0 or epoch == max_epochs:
            # the working set's X~^T r at the end of the epoch, and its gap
            pos = 0
            for a in range(ws.shape[0]):
                g = ws[a]
                s0 = ptr[g]
                k = ptr[g + 1] - s0
                nrm = 0.0
                l1p = 0.0
                for t in range(k):
                    j = idx[s0 + t]
                    corr_ws[pos + t] = _dot_col(XF, j, v, r, unit) if L[g] > 0 else 0.0
                    w_ws[pos + t] = w[j]
                    nrm += w[j] * w[j]
                    l1p += l1[j] * abs(w[j])
                pen_lam[a] = lam[g] * np.sqrt(nrm) + l1p
                pos += k
            rr = 0.0
            for i in range(n):
                rr += r[i] * r[i]
            if _ws_gap(rr, ws, ptr, lam, w_ws, corr_ws, pen_lam, l1_ws) <= tol:
                break
    return epoch


@njit(cache=True, nogil=True)
def bcd_sparse(data, indices, indptr, v, xbar, center, r, w, ptr, idx, lam, l1, L, ws,
               max_epochs, tol):
    """:func:`bcd_dense` on a CSC ``diag(v) X`` (``data, indices, indptr``)."""
    n = r.shape[0]
    kmax = 0
    nws = 0
    for a in range(ws.shape[0]):
        g = ws[a]
        k = ptr[g + 1] - ptr[g]
        nws += k
        if k > kmax:
            kmax = k
    z = np.empty(kmax)
    delta = np.empty(kmax)
    corr_ws = np.empty(nws)
    w_ws = np.empty(nws)
    pen_lam = np.empty(ws.shape[0])
    l1_ws = np.empty(nws)
    has_l1 = False
    pos = 0
    for a in range(ws.shape[0]):
        g = ws[a]
        for q in range(ptr[g], ptr[g + 1]):
            l1_ws[pos] = l1[idx[q]]
            if l1_ws[pos] > 0:
                has_l1 = True
            pos += 1
    hist = np.empty((ANDERSON_K + 1, nws))
    r_new = np.empty(n)
    w_new = np.empty(w.shape[0])
    epoch = 0
    for epoch in range(1, max_epochs + 1):
        check = epoch % 10 == 0 or epoch == max_epochs
        for a in range(ws.shape[0]):
            g = ws[a]
            s0 = ptr[g]
            k = ptr[g + 1] - s0
            Lg = L[g]
            if Lg <= 0.0:
                continue
            nz = 0.0
            for t in range(k):
                j = idx[s0 + t]
                gr = 0.0
                for q in range(indptr[j], indptr[j + 1]):
                    gr += data[q] * r[indices[q]]
                zt = w[j] + gr / Lg
                if has_l1:
                    zt = _soft(zt, l1[j] / Lg)
                z[t] = zt
                nz += zt * zt
            nz = np.sqrt(nz)
            thr = lam[g] / Lg
            shrink = 0.0 if nz <= thr else 1.0 - thr / nz
            cx = 0.0
            moved = False
            for t in range(k):
                j = idx[s0 + t]
                d = shrink * z[t] - w[j]
                delta[t] = d
                if d != 0.0:
                    moved = True
                    w[j] += d
                    cx += xbar[j] * d
                    for q in range(indptr[j], indptr[j + 1]):
                        r[indices[q]] -= data[q] * d
            if moved and center and cx != 0.0:
                for i in range(n):
                    r[i] += v[i] * cx
        row = (epoch - 1) % (ANDERSON_K + 1)
        _record(hist, row, w, ws, ptr, idx)
        if row == ANDERSON_K:
            _try_anderson_sparse(hist, data, indices, indptr, v, xbar, center, r, w, ptr, idx,
                                 lam, l1, L, ws, r_new, w_new)
        if check:
            pos = 0
            for a in range(ws.shape[0]):
                g = ws[a]
                s0 = ptr[g]
                k = ptr[g + 1] - s0
                nrm = 0.0
                l1p = 0.0
                for t in range(k):
                    j = idx[s0 + t]
                    gr = 0.0
                    for q in range(indptr[j], indptr[j + 1]):
                        gr += data[q] * r[indices[q]]
                    corr_ws[pos + t] = gr if L[g] > 0 else 0.0
                    w_ws[pos + t] = w[j]
                    nrm += w[j] * w[j]
                    l1p += l1[j] * abs(w[j])
                pen_lam[a] = lam[g] * np.sqrt(nrm) + l1p
                pos += k
            rr = 0.0
            for i in range(n):
                rr += r[i] * r[i]
            if _ws_gap(rr, ws, ptr, lam, w_ws, corr_ws, pen_lam, l1_ws) <= tol:
                break
    return epoch
