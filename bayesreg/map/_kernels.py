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


@njit(cache=True, nogil=True)
def center_scale_shift(K, m, const, scale):
    """In place: ``K <- (K - m 1' - 1 m' + const) * scale + I`` (one pass over the n x n
    matrix): the centered, prior-scaled kernel matrix of the push-through ridge solve."""
    n = K.shape[0]
    for i in range(n):
        mi = m[i]
        for j in range(n):
            K[i, j] = (K[i, j] - mi - m[j] + const) * scale
        K[i, i] += 1.0


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
    """``X~_j^T r~ = sum_i (X_ij - xbar_j) u_i`` (``u = sw * res``) for j in ``ws``."""
    n = X.shape[0]
    u = np.empty(n)
    for i in range(n):
        u[i] = sw[i] * res[i]
    out = np.empty(ws.shape[0])
    for jj in range(ws.shape[0]):
        j = ws[jj]
        xb = xbar[j]
        s = 0.0
        for i in range(n):  # centered inside the sum: exact for columns whose mean >> spread
            s += (X[i, j] - xb) * u[i]
        out[jj] = s
    return out


@njit(cache=True, nogil=True, fastmath=_FM)
def _cd_epoch(X, xbar, sw, unit, res, w, ws, a, c, norms2):
    n = X.shape[0]
    max_step = 0.0
    for jj in range(ws.shape[0]):
        j = ws[jj]
        nj = norms2[j]
        if nj == 0.0:
            continue
        wj = w[j]
        xb = xbar[j]
        xr = 0.0
        # centered inside the sum (and in the update below): sum_i X_ij u_i - xbar_j sum_i u_i
        # would lose ~eps |mean| / sd of relative accuracy, enough to make CD diverge on columns
        # like timestamps
        if unit:
            for i in range(n):
                xr += (X[i, j] - xb) * res[i]
        else:
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
def cd_dense_record(X, xbar, sw, res, w, ws, a, c, norms2, hist):
    """``hist.shape[0]`` epochs of cyclic CD over the features in ``ws`` (``res`` and ``w``
    updated in place), writing ``w[ws]`` into row k of ``hist`` after epoch k (the iterates
    Anderson extrapolation needs) in one call. Returns the largest |delta w_j| sqrt(norms2_j)
    of the last epoch."""
    unit = True
    for i in range(sw.shape[0]):
        if sw[i] != 1.0:
            unit = False
            break
    max_step = 0.0
    for k in range(hist.shape[0]):
        max_step = _cd_epoch(X, xbar, sw, unit, res, w, ws, a, c, norms2)
        for jj in range(ws.shape[0]):
            hist[k, jj] = w[ws[jj]]
    return max_step


@njit(cache=True, nogil=True)
def anderson(hist):
    """Anderson extrapolation of the iterates in the rows of ``hist`` (as in skglm): with
    ``U = diff(hist)``, solve ``(U U' + ridge) z = 1`` and return ``(ok, (z / sum z) @ hist[1:])``."""
    K = hist.shape[0] - 1
    m = hist.shape[1]
    U = np.empty((K, m))
    for k in range(K):
        for j in range(m):
            U[k, j] = hist[k + 1, j] - hist[k, j]
    C = U @ U.T
    tr = 0.0
    for k in range(K):
        tr += C[k, k]
    for k in range(K):
        C[k, k] += 1e-14 * tr
    out = np.zeros(m)
    if not tr > 0.0:
        return False, out
    # Cholesky of the small SPD system (fails cleanly instead of raising)
    L = np.zeros((K, K))
    for i in range(K):
        for j in range(i + 1):
            t = C[i, j]
            for k in range(j):
                t -= L[i, k] * L[j, k]
            if i == j:
                if not t > 0.0:
                    return False, out
                L[i, i] = np.sqrt(t)
            else:
                L[i, j] = t / L[j, j]
    z = np.ones(K)
    for i in range(K):
        t = z[i]
        for k in range(i):
            t -= L[i, k] * z[k]
        z[i] = t / L[i, i]
    for i in range(K - 1, -1, -1):
        t = z[i]
        for k in range(i + 1, K):
            t -= L[k, i] * z[k]
        z[i] = t / L[i, i]
    sz = 0.0
    for k in range(K):
        sz += z[k]
    if not np.isfinite(sz) or sz == 0.0:
        return False, out
    for k in range(K):
        c = z[k] / sz
        for j in range(m):
            out[j] += c * hist[k + 1, j]
    for j in range(m):
        if not np.isfinite(out[j]):
            return False, out
    return True, out


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
def csc_col_sq(data, indptr):
    """``sum_i X_ij^2`` for every column of a CSC matrix (no temporary the size of X)."""
    p = indptr.shape[0] - 1
    out = np.empty(p)
    for j in range(p):
        s = 0.0
        for k in range(indptr[j], indptr[j + 1]):
            s += data[k] * data[k]
        out[j] = s
    return out


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


@njit(cache=True, nogil=True)
def corr_gap(rr, g, w, a, c):
    """``(primal, gap, s)`` of the elastic net from ``rr = ||r||^2`` and ``g = X~^T r``: the dual
    point is ``theta = s [r; -sqrt(c) w]`` with ``s = min(1, min_j a_j / |g_j - c_j w_j|)``, and
    the gap is written without terms of size ``||y~||^2`` that cancel (``y~.r = w.g + rr``), so it
    stays accurate to rounding of its own size (see enet._primal_gap)."""
    p = w.shape[0]
    wg = 0.0
    l1 = 0.0
    wcw = 0.0
    dn = 0.0
    infeasible = False
    for j in range(p):
        wj = w[j]
        wg += wj * g[j]
        l1 += a[j] * abs(wj)
        wcw += c[j] * wj * wj
        gj = abs(g[j] - c[j] * wj)
        if a[j] > 0.0:
            if gj / a[j] > dn:
                dn = gj / a[j]
        elif gj > 0.0:
            infeasible = True
    rr = max(rr, 0.0)
    if infeasible:
        s = 0.0
    elif dn <= 1.0:
        s = 1.0
    else:
        s = 1.0 / dn
    primal = 0.5 * rr + l1 + 0.5 * wcw
    gap = 0.5 * (1.0 - s) ** 2 * rr + l1 + 0.5 * wcw * (1.0 + s * s) - s * wg
    return primal, max(gap, 0.0), s


@njit(cache=True, nogil=True)
def gram_gap(yy, q, g, w, a, c):
    """Duality gap of the elastic net from Gram-space statistics:
    ``||r||^2 = yy - w.q - w.g`` with ``g = X~^T r`` (see :func:`corr_gap`)."""
    wq = 0.0
    wg = 0.0
    for j in range(w.shape[0]):
        wq += w[j] * q[j]
        wg += w[j] * g[j]
    return corr_gap(yy - wq - wg, g, w, a, c)[1]


@njit(cache=True, nogil=True)
def screen_and_score(g, w, a, c, s, gap, radius, screened, score):
    """One outer step of the dense working-set solver, in one pass over the features:

    * gap-safe screening (Fercoq, Gramfort & Salmon 2015; Ndiaye et al. 2017 for the elastic
      net through the augmented lasso): the dual optimum lies within ``sqrt(2 gap)`` of the
      dual point ``s [r; -sqrt(c) w]``, so ``w*_j = 0`` whenever
      ``s |g_j - c_j w_j| + sqrt(2 gap) radius_j < a_j`` (``radius_j = sqrt(||x~_j||^2 + c_j)``);
      ``screened`` is updated in place (constant columns come in screened);
    * the working-set score: ``|g_j - c_j w_j| / a_j`` (inf without L1 weight and a non-zero
      gradient), ``inf`` on the support, ``-inf`` on screened features.

    Returns the number of features screened by this call."""
    p = w.shape[0]
    r2 = np.sqrt(2.0 * gap)
    new = 0
    for j in range(p):
        gj = abs(g[j] - c[j] * w[j])
        if screened[j]:
            score[j] = -np.inf
            continue
        if w[j] != 0.0:
            score[j] = np.inf
            continue
        if a[j] > 0.0:
            if s * gj + r2 * radius[j] < a[j]:
                screened[j] = True
                score[j] = -np.inf
                new += 1
                continue
            score[j] = gj / a[j]
        else:
            score[j] = np.inf if gj > 0.0 else 0.0
    return new


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
        if m and n_epochs < max_epochs:
            act = active[:m]
            for _ in range(50):
                k = min(3, max_epochs - n_epochs)  # never past max_epochs
                step = cd_gram(G, g, w, act, a, c, k)
                n_epochs += k
                if step * step <= 1e-2 * tol_abs or n_epochs >= max_epochs:
                    break
                # the gap costs O(p), an active epoch O(|A| p): check it after every group
                if gram_gap(yy, q, g, w, a, c) <= tol_abs:
                    break


@njit(cache=True, nogil=True)
def gram_path(G, q, yy, idx, l1, l2, strengths, s2, tol_abs, max_epochs, w, g, coefs, gaps,
              n_iters, rss):
    """A warm-started path of Gram-space solves in one call (enet's path fast loop): for point
    ``k`` the weights are ``a = strengths[k] l1 s2``, ``c = strengths[k] l2 s2`` and
    :func:`gram_solve` runs from the previous point's ``(w, g = q - G w)`` (updated in place) over
    the features ``idx`` for at most ``max_epochs`` epochs. Writes ``coefs[k]``, the duality gap
    ``gaps[k]`` at that ``w``, the epochs ``n_iters[k]`` and ``rss[k] = ||y~ - X~ w||^2 = yy -
    w.q - w.g``. Stops at the first point whose gap is not below ``tol_abs`` or whose state is
    not finite, with ``(w, g)`` restored to the previous point's: the caller finishes that point
    with the fallbacks of ``enet._solve_gram``. Returns the number of certified points."""
    p = w.shape[0]
    m = strengths.shape[0]
    a = np.empty(p)
    c = np.empty(p)
    w_prev = np.empty(p)
    g_prev = np.empty(p)
    for k in range(m):
        t = strengths[k]
        for j in range(p):
            a[j] = (t * l1[j]) * s2
            c[j] = (t * l2[j]) * s2
            w_prev[j] = w[j]
            g_prev[j] = g[j]
        gap, n_ep = gram_solve(G, q, yy, g, w, idx, a, c, tol_abs, max_epochs)
        ok = gap <= tol_abs
        wq = 0.0
        wg = 0.0
        for j in range(p):
            if not np.isfinite(w[j]):
                ok = False
            wq += w[j] * q[j]
            wg += w[j] * g[j]
        if not ok:
            for j in range(p):
                w[j] = w_prev[j]
                g[j] = g_prev[j]
            return k
        for j in range(p):
            coefs[k, j] = w[j]
        gaps[k] = gap
        n_iters[k] = n_ep
        rss[k] = yy - wq - wg
    return m


# ----------------------------------------------------------------- GLM quasi-Newton passes
@njit(cache=True, nogil=True)
def diag_hess_rows(X, h):
    """``sum_i h_i X_ij^2`` for every column of a C-ordered X (row-major sweep)."""
    n, p = X.shape
    out = np.zeros(p)
    for i in range(n):
        hi = h[i]
        for j in range(p):
            x = X[i, j]
            out[j] += hi * x * x
    return out


@njit(cache=True, nogil=True, fastmath=_FM)
def diag_hess_cols(X, h):
    """``sum_i h_i X_ij^2`` for every column of a Fortran-ordered X (column sweep)."""
    n, p = X.shape
    out = np.empty(p)
    for j in range(p):
        s = 0.0
        for i in range(n):
            x = X[i, j]
            s += h[i] * x * x
        out[j] = s
    return out


@njit(cache=True, nogil=True)
def xtg_sq_rows(X, g, sw):
    """``(X^T g, sum_i sw_i X_ij^2)`` in one row-major sweep of a C-ordered X."""
    n, p = X.shape
    xg = np.zeros(p)
    sq = np.zeros(p)
    for i in range(n):
        gi = g[i]
        si = sw[i]
        for j in range(p):
            x = X[i, j]
            xg[j] += gi * x
            sq[j] += si * x * x
    return xg, sq


@njit(cache=True, nogil=True, fastmath=_FM)
def xtg_sq_cols(X, g, sw):
    """``(X^T g, sum_i sw_i X_ij^2)`` in one column sweep of a Fortran-ordered X."""
    n, p = X.shape
    xg = np.empty(p)
    sq = np.empty(p)
    for j in range(p):
        a = 0.0
        b = 0.0
        for i in range(n):
            x = X[i, j]
            a += g[i] * x
            b += sw[i] * x * x
        xg[j] = a
        sq[j] = b
    return xg, sq


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
    center_scale_shift(np.ones((2, 2)), np.zeros(2), 0.0, 1.0)
    xtg_sq_rows(np.ones((3, 2)), sw, sw)
    col_stats(X, sw, 3.0, True)
    grad_dense(X, xbar, sw, res, ws)
    cd_dense_record(X, xbar, sw, res, w, ws, a, c, n2, np.empty((6, 2)))
    cd_dense_record(X, xbar, np.full(3, 0.5), res, w, ws, a, c, n2, np.empty((6, 2)))
    anderson(np.arange(12.0).reshape(6, 2) ** 2)
    G = np.ascontiguousarray(X.T @ X)
    cd_gram(G, np.ones(2), np.zeros(2), ws, a, c, 1)
    ip = np.array([0, 1, 2], dtype=np.int64)
    idx = np.array([0, 1], dtype=np.int64)
    R = np.zeros(1)
    cd_sparse(np.ones(2), idx, ip, xbar, np.ones(3), R, 3.0, np.zeros(2), ws, a, c, np.ones(2), 1)
    grad_sparse(np.ones(2), idx, ip, xbar, np.ones(3), R, ws)
    for ip_, idx_ in ((ip, idx), (ip.astype(np.int32), idx.astype(np.int32))):  # scipy's index dtypes
        csc_col_sq(np.ones(2), ip_)
        cd_sparse(np.ones(2), idx_, ip_, xbar, np.ones(3), R, 3.0, np.zeros(2), ws, a, c, np.ones(2), 1)
        grad_sparse(np.ones(2), idx_, ip_, xbar, np.ones(3), R, ws)
    matvec_cols(X, xbar, np.ones(2), ws)
    corr_gap(1.0, np.ones(2), np.zeros(2), a, c)
    screen_and_score(np.ones(2), np.zeros(2), a, c, 1.0, 0.1, np.ones(2), np.zeros(2, dtype=np.bool_),
                     np.empty(2))
    gram_solve(G, np.ones(2), 3.0, np.ones(2), np.zeros(2), ws, a, c, 1e-3, 10)
    gram_path(G, np.ones(2), 3.0, ws, a, c, np.ones(2), 1.0, 1e-3, 10, np.zeros(2), np.ones(2),
              np.empty((2, 2)), np.empty(2), np.empty(2, dtype=np.int64), np.empty(2))

