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


@njit(cache=True, nogil=True, fastmath=_FM)
def kkt_xg(xg, g_sum, w, a, c, fit_intercept):
    """Largest KKT violation of ``datafit + sum_j a_j |w_j| + c_j / 2 w_j^2`` from the datafit
    gradient ``xg = X^T g`` and ``g_sum = sum g`` (the intercept's): per coefficient
    ``|xg_j + c_j w_j + a_j sign(w_j)|`` when ``w_j != 0``, else ``max(|xg_j + c_j w_j| - a_j, 0)``
    (the distance to the subdifferential), one pass, no temporaries; NaN if any term is NaN."""
    k = abs(g_sum) if fit_intercept else 0.0
    for j in range(w.shape[0]):
        wj = w[j]
        gj = xg[j] + c[j] * wj
        if wj > 0.0:
            v = abs(gj + a[j])
        elif wj < 0.0:
            v = abs(gj - a[j])
        else:
            v = abs(gj) - a[j]
        if v > k:
            k = v
        elif v != v:  # a NaN gradient: no certificate
            return np.nan
    return k


# ----------------------------------------------------------------------------- OWL-QN helpers
@njit(cache=True, nogil=True, fastmath=_FM)
def pseudo_grad(z, g, az, out):
    """Minimum-norm subgradient of ``smooth + sum az_j |z_j|`` into ``out``; returns its max-abs
    (the KKT violation; NaN if any entry is NaN)."""
    k = 0.0
    for j in range(z.shape[0]):
        zj = z[j]
        gj = g[j]
        aj = az[j]
        if zj > 0.0:
            v = gj + aj
        elif zj < 0.0:
            v = gj - aj
        elif gj > aj:
            v = gj - aj
        elif gj < -aj:
            v = gj + aj
        else:
            v = 0.0
        out[j] = v
        av = abs(v)
        if av > k:
            k = av
        elif av != av:
            return np.nan
    return k


@njit(cache=True, nogil=True, fastmath=_FM)
def two_loop(Sm, Ym, rho, head, count, pg, scale, out):
    """L-BFGS two-loop recursion: ``out = H pg`` with ``H0 = diag(scale)`` and the ``count``
    most recent pairs of the ring buffers ``Sm``, ``Ym`` (rows; the newest at ``head - 1``)."""
    m = Sm.shape[0]
    q = pg.shape[0]
    for i in range(q):
        out[i] = pg[i]
    alphas = np.empty(count)
    for t in range(count):
        k = (head - 1 - t) % m
        s = 0.0
        for i in range(q):
            s += Sm[k, i] * out[i]
        al = rho[k] * s
        alphas[t] = al
        for i in range(q):
            out[i] -= al * Ym[k, i]
    for i in range(q):
        out[i] *= scale[i]
    for t in range(count - 1, -1, -1):
        k = (head - 1 - t) % m
        s = 0.0
        for i in range(q):
            s += Ym[k, i] * out[i]
        be = rho[k] * s
        c = alphas[t] - be
        for i in range(q):
            out[i] += c * Sm[k, i]


@njit(cache=True, nogil=True, fastmath=_FM)
def owl_direction(d, z, pg, az):
    """OWL-QN's projections of the direction ``d = -H pg`` (in place): an L1 coordinate moving
    along its pseudo-gradient is set to 0. Returns ``(pg . d, crosses)``, ``crosses``: some L1
    coordinate leaves its orthant at step 1 (orthant ``xi = sign(z)``, or ``-sign(pg)`` at 0)."""
    dd = 0.0
    crosses = False
    for j in range(d.shape[0]):
        if az[j] > 0.0:
            if d[j] * pg[j] >= 0.0:
                d[j] = 0.0
                continue
            zj = z[j]
            xi = (1.0 if zj > 0.0 else -1.0) if zj != 0.0 else (-1.0 if pg[j] > 0.0 else
                                                                  (1.0 if pg[j] < 0.0 else 0.0))
            zt = zj + d[j]
            st = 1.0 if zt > 0.0 else (-1.0 if zt < 0.0 else 0.0)
            if st != xi:
                crosses = True
        dd += pg[j] * d[j]
    return dd, crosses


@njit(cache=True, nogil=True, fastmath=_FM)
def owl_crosses(z, d, t, pg, az):
    """Whether some L1 coordinate of ``z + t d`` leaves the orthant of :func:`owl_direction`."""
    for j in range(d.shape[0]):
        if az[j] > 0.0 and d[j] != 0.0:
            zj = z[j]
            xi = (1.0 if zj > 0.0 else -1.0) if zj != 0.0 else (-1.0 if pg[j] > 0.0 else
                                                                  (1.0 if pg[j] < 0.0 else 0.0))
            zt = zj + t * d[j]
            st = 1.0 if zt > 0.0 else (-1.0 if zt < 0.0 else 0.0)
            if st != xi:
                return True
    return False


@njit(cache=True, nogil=True, fastmath=_FM)
def owl_trial(z, d, t, pg, az, cz, zt, st):
    """The trial point ``zt = z + t d`` with every L1 coordinate that would leave its orthant set
    to 0, and ``st = zt - z``. Returns ``(crossed, penalty change, pg . st)``; the penalty change
    ``sum az (|zt| - |z|) + cz/2 st (zt + z)`` is summed term by term (no cancellation)."""
    crossed = False
    dpen = 0.0
    pgs = 0.0
    for j in range(z.shape[0]):
        zj = z[j]
        v = zj + t * d[j]
        if az[j] > 0.0 and d[j] != 0.0:
            xi = (1.0 if zj > 0.0 else -1.0) if zj != 0.0 else (-1.0 if pg[j] > 0.0 else
                                                                  (1.0 if pg[j] < 0.0 else 0.0))
            sv = 1.0 if v > 0.0 else (-1.0 if v < 0.0 else 0.0)
            if sv != xi:
                v = 0.0
                crossed = True
        zt[j] = v
        s = v - zj
        st[j] = s
        dpen += az[j] * (abs(v) - abs(zj)) + 0.5 * cz[j] * s * (v + zj)
        pgs += pg[j] * s
    return crossed, dpen, pgs


@njit(cache=True, nogil=True, fastmath=_FM)
def csc_matvec(indptr, indices, data, v, n, out):
    """``out = X v`` for CSC ``X`` (columns with ``v_j == 0`` skipped)."""
    for i in range(n):
        out[i] = 0.0
    for j in range(v.shape[0]):
        vj = v[j]
        if vj == 0.0:
            continue
        for k in range(indptr[j], indptr[j + 1]):
            out[indices[k]] += data[k] * vj


@njit(cache=True, nogil=True, fastmath=_FM)
def csc_rmatvec(indptr, indices, data, g, out):
    """``out = X^T g`` for CSC ``X``."""
    for j in range(out.shape[0]):
        s = 0.0
        for k in range(indptr[j], indptr[j + 1]):
            s += data[k] * g[indices[k]]
        out[j] = s
