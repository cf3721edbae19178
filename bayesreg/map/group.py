"""Group lasso: block coordinate descent with a group duality gap (Gaussian), proximal Newton
with a KKT certificate (GLMs).

Gaussian (:func:`solve_group_lasso`), for sample weights ``sw``, group weights ``lam_g`` and
L1 weights ``l1_j`` (0: the group lasso; else the sparse group lasso)::

    min_{b0, w}  1/2 sum_i sw_i (y_i - b0 - x_i w)^2 + sum_g lam_g ||w_g||_2 + sum_j l1_j |w_j|

(unpenalized columns: label -1). The intercept is profiled out by the implicit weighted
centering of :class:`~bayesreg.map.enet.Design` (X is never copied, centered or densified).
Algorithm: working-set block coordinate descent (skglm's ``GroupBCD``; Massias et al. 2018 for
the working sets): each outer iteration computes the full ``X~^T r``, the duality gap, applies
the gap-safe group screening rule (Ndiaye et al. 2016, 2017: a group with ``||ST(s X~_g^T r',
l1_g)|| + sqrt(2 gap) ||X~_g||_2 < lam_g`` is zero at the optimum and is removed for the rest of
the solve; ``ST`` is soft-thresholding, the identity without L1, and the left side bounds the
distance of any dual point in the safe sphere to the box ``[-l1_g, l1_g]``), then runs block
CD epochs (numba, :mod:`bayesreg.map._group_kernels`) on the current support plus the groups
that violate the optimality conditions most (largest :func:`~bayesreg.penalties.sgl_threshold`
ratio), until the working set's own gap is a fraction of the full one. The working set is
twice the number of non-zero groups, doubled when an outer iteration did not cut the gap by 10%
(the elastic net's rule, :func:`bayesreg.map.enet._next_ws_size`).

Certificate: the duality gap of the (sparse) group lasso dual ``max_theta y~.theta -
||theta||^2 / 2`` over ``||ST(X~_g^T theta, l1_g)|| <= lam_g`` (the dual norm ball of ``lam_g
||.|| + sum_j l1_j |.|``: the sum of a ball and a box; ``X~_U^T theta = 0`` for the unpenalized
columns ``U``), at ``theta = s r'`` with ``r' = r - X~_U delta`` (``r`` projected off the
unpenalized columns; ``r' = r`` without them) and ``s = min(1, min_g 1 / c_g)``, ``c_g`` the
smallest multiplier with ``||ST(X~_g^T r', c_g l1_g)|| <= c_g lam_g``
(:func:`~bayesreg.penalties.sgl_threshold`; ``||X~_g^T r'|| / lam_g`` without L1); written,
like the elastic net's, without terms of size ``||y~||^2`` that cancel::

    gap = rr / 2 + pen(w) - s (r.r' + w.X~^T r') + s^2 ||r'||^2 / 2

an upper bound, in the objective's units, on its distance to the minimum. Stops when the gap
is below ``tol * ||y~||^2``.

GLMs (:func:`solve_group_glm`): proximal Newton (glmnet's IRLS, Lee, Sun & Saunders 2014):
each step solves the weighted group lasso of the quadratic model of the datafit (weights =
curvature, working response ``z = eta - gradient / curvature``) by :func:`solve_group_lasso`,
then an Armijo line search on the true objective. Certificate: the largest group KKT violation
(the Euclidean distance of ``-X_g^T gradient`` to the subdifferential of the group's term; the
intercept's gradient) relative to that of the intercept-only model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..penalties import sgl_group_thresholds
from ._group_kernels import bcd_dense, bcd_sparse
from .enet import Design, _next_ws_size, fortran_columns

__all__ = ["GroupSolution", "solve_group_lasso", "solve_group_glm", "group_lipschitz",
           "group_support_polish", "fit_unpenalized"]


@dataclass
class GroupSolution:
    coef: np.ndarray
    intercept: float
    optimality: float
    tol_abs: float
    n_iter: int
    n_screened: int = 0
    eta: np.ndarray | None = None


def _group_norms(v, labels, n_groups):
    pos = labels >= 0
    return np.sqrt(np.bincount(labels[pos], weights=v[pos] ** 2, minlength=n_groups))


def group_lipschitz(d: Design, ptr, idx) -> np.ndarray:
    """``L_g``: the largest eigenvalue of ``X~_g^T X~_g`` for every group (0 for a group of
    constant columns), cached on the design."""
    key = (ptr.tobytes(), idx.tobytes())
    cache = getattr(d, "_group_L", None)
    if cache is not None and cache[0] == key:
        return cache[1]
    L = _lipschitz(d, ptr, idx)
    d._group_L = (key, L)
    return L


def _lipschitz(d: Design, ptr, idx) -> np.ndarray:
    G = ptr.shape[0] - 1
    L = np.zeros(G)
    xbar, S = d.xbar, d.S
    for g in range(G):
        cols = idx[ptr[g]:ptr[g + 1]]
        if cols.size == 0:
            continue
        if d.sparse:
            B = d.Xs[:, cols]
            M = np.asarray((B.T @ B).todense())
        else:
            B = d.X_in[:, cols]
            M = (B * d.sw[:, None]).T @ B if not d.unit_weights else B.T @ B
        if d.fit_intercept:
            M = M - S * np.outer(xbar[cols], xbar[cols])
        ev = float(np.linalg.eigvalsh(M)[-1]) if cols.size > 1 else float(M[0, 0])
        top = float(np.max(np.diag(M) + S * xbar[cols] ** 2, initial=0.0))
        L[g] = ev if ev > 1e-20 * max(top, 1e-300) else 0.0
    return L


def _unpen_factor(d: Design, unpen):
    """Cholesky factor of ``X~_U^T X~_U`` (regularized at rounding level), cached."""
    cache = getattr(d, "_group_U", None)
    if cache is not None and cache[0] == unpen.tobytes():
        return cache[1]
    E = np.zeros((d.p, unpen.size))
    E[unpen, np.arange(unpen.size)] = 1.0
    M = np.column_stack([d.corr(d.matvec(E[:, k])) for k in range(unpen.size)])[unpen]
    M = 0.5 * (M + M.T)
    M[np.diag_indices_from(M)] += 1e-12 * max(float(np.trace(M)), 1e-300) / unpen.size
    import scipy.linalg as sla

    fac = sla.cho_factor(M)
    d._group_U = (unpen.tobytes(), fac)
    return fac


def _gap(d, r, w, labels, lam, unpen, ptr, idx, l1):
    """``(gap, corr, s, thr, stn)`` at the residual ``r`` (module docstring): ``thr`` the
    groups' :func:`sgl_threshold` ratios of ``X~_g^T r'`` (> 1: the group violates its
    zero condition), ``stn`` the norms ``||ST(s X~_g^T r', l1_g)||`` of the screening rule."""
    corr = d.corr(r)
    rr = float(r @ r)
    G = lam.shape[0]
    nw = _group_norms(w, labels, G)
    pen = float(lam @ nw)
    if l1 is not None:
        pen += float(l1 @ np.abs(w))
    if unpen.size:
        import scipy.linalg as sla

        delta = sla.cho_solve(_unpen_factor(d, unpen), corr[unpen])
        du = np.zeros(d.p)
        du[unpen] = delta
        xu = d.matvec(du)
        rp = r - xu
        corr_p = corr - d.corr(xu)
        corr_p[unpen] = 0.0
    else:
        rp, corr_p = r, corr
    if l1 is None:
        gn = _group_norms(corr_p, labels, G)
        with np.errstate(divide="ignore", invalid="ignore"):
            thr = np.where(lam > 0, gn / np.where(lam > 0, lam, 1.0), np.where(gn > 0, np.inf, 0.0))
    else:
        thr = sgl_group_thresholds(np.ascontiguousarray(corr_p), ptr, idx, lam, l1)
    top = float(thr.max(initial=0.0))
    s = 1.0 if top <= 1.0 else 1.0 / top
    rrp = rr if rp is r else float(rp @ rp)
    rdotrp = rr if rp is r else float(r @ rp)
    gap = 0.5 * rr + pen - s * (rdotrp + float(w @ corr_p)) + 0.5 * s * s * rrp
    if l1 is None:
        stn = s * gn
    else:
        st = np.maximum(s * np.abs(corr_p) - l1, 0.0)
        stn = _group_norms(st, labels, G)
    return max(gap, 0.0), corr, s, thr, stn


def solve_group_lasso(X, y, sw, labels, lam, ptr, idx, fit_intercept=True, w0=None, tol=1e-6,
                      max_iter=1000, design=None, max_epochs=10_000, screen=True,
                      gap_decrease=0.3, l1=None) -> GroupSolution:
    """Minimize ``1/2 sum sw (y - b0 - Xw)^2 + sum_g lam_g ||w_g|| + sum_j l1_j |w_j|``
    (module docstring).

    ``labels``: the group of every column (``-1`` unpenalized); ``(ptr, idx)``: the columns of
    group ``g`` are ``idx[ptr[g]:ptr[g+1]]``; ``l1``: per-column L1 weights (None or all 0: the
    group lasso); ``max_iter`` bounds the outer (working-set)
    iterations, ``max_epochs`` the block CD epochs of each; ``design``: a prebuilt
    :class:`Design` of (X, y, sw) (paths reuse one). Returns :class:`GroupSolution` with the
    duality gap as ``optimality`` and ``tol_abs = tol * ||y~||^2``."""
    d = design if design is not None else Design(X, y, sw, fit_intercept)
    p = d.p
    labels = np.ascontiguousarray(labels, dtype=np.int64)
    lam = np.ascontiguousarray(lam, dtype=np.float64)
    G = lam.shape[0]
    L = group_lipschitz(d, ptr, idx)
    unpen = np.flatnonzero(labels < 0).astype(np.int64)
    if l1 is not None:
        l1 = np.ascontiguousarray(l1, dtype=np.float64)
        if not np.any(l1 > 0):
            l1 = None
    l1_k = np.zeros(p) if l1 is None else l1
    w = np.zeros(p) if w0 is None else np.array(w0, dtype=np.float64)
    tol_abs = float(tol * max(d.yy, 1e-300))
    sqrtL = np.sqrt(L)
    screened = np.zeros(G, dtype=bool)
    # every group of constant columns carries no information: its coefficients are 0
    dead = L <= 0
    for g in np.flatnonzero(dead):
        w[idx[ptr[g]:ptr[g + 1]]] = 0.0
    unpen_groups = np.zeros(0, dtype=np.int64)
    lam_k, ptr_k, idx_k, L_k = lam, ptr, idx, L
    if unpen.size:
        # the unpenalized columns form one extra block with lam = 0 for the kernels
        Lu = _block_L(d, unpen)
        lam_k = np.r_[lam, 0.0]
        ptr_k = np.r_[ptr, ptr[-1] + unpen.size].astype(np.int64)
        idx_k = np.r_[idx, unpen].astype(np.int64)
        L_k = np.r_[L, Lu]
        unpen_groups = np.array([G], dtype=np.int64)
    if d.sparse:
        Xs = d.Xs
        kern_args = (Xs.data, Xs.indices, Xs.indptr, d.v, d.xbar, bool(d.fit_intercept))
    else:
        XF = d.X
        kern_args = (XF, d.v, bool(d.unit_weights), d.xbar, bool(d.fit_intercept))
    r = d.yt - d.matvec(w)
    if unpen.size and not np.any(w[labels >= 0]):
        # cold start: the unpenalized columns at their least-squares fit first (the null
        # model), so that a strength above the all-zero one is solved with exact zeros at once
        import scipy.linalg as sla

        du = np.zeros(p)
        du[unpen] = sla.cho_solve(_unpen_factor(d, unpen), d.corr(r)[unpen])
        w += du
        r = r - d.matvec(du)
    gap, corr, s, thr, stn = _gap(d, r, w, labels, lam, unpen, ptr, idx, l1)
    nw = _group_norms(w, labels, G)
    ws_size0 = 10
    ws_size = max(ws_size0, 2 * int(np.count_nonzero(nw)))
    prev_gap = np.inf
    epochs = 0
    it = 0
    for it in range(1, max_iter + 1):
        if gap <= tol_abs:
            it -= 1
            break
        if screen:
            radius = np.sqrt(2.0 * gap)
            newly = (~screened) & (stn + radius * sqrtL < lam)
            if np.any(newly):
                screened |= newly
                zero = [idx[ptr[g]:ptr[g + 1]] for g in np.flatnonzero(newly & (nw > 0))]
                if zero:
                    cols = np.concatenate(zero)
                    dw = np.zeros(p)
                    dw[cols] = -w[cols]
                    w[cols] = 0.0
                    r = r - d.matvec(dw)
        nw = _group_norms(w, labels, G)
        cand = ~screened & ~dead
        score = np.where(cand, thr, -np.inf)
        score[cand & (nw > 0)] = np.inf  # the support is always in the working set
        n_ws = min(int(np.count_nonzero(cand)), max(ws_size, int(np.count_nonzero(nw > 0))))
        ws = np.argsort(-score, kind="stable")[:n_ws]
        ws = ws[score[ws] > -np.inf].astype(np.int64)
        ws = np.sort(np.r_[ws, unpen_groups]).astype(np.int64)
        epochs += kernel(d.sparse, kern_args, r, w, ptr_k, idx_k, lam_k, l1_k, L_k, ws,
                         max_epochs, gap_decrease * gap)
        r = d.yt - d.matvec(w)  # exact residual (no drift across the kernel's updates)
        prev_gap = gap
        gap, corr, s, thr, stn = _gap(d, r, w, labels, lam, unpen, ptr, idx, l1)
        ws_size = _next_ws_size(ws_size, ws_size0, _group_norms(w, labels, G), gap, prev_gap, G)
    d._last_rss = (w, float(r @ r))
    return GroupSolution(w, d.intercept(w), float(gap), tol_abs, max(epochs, it),
                         int(np.count_nonzero(screened)))


def _block_L(d, cols):
    return _lipschitz(d, np.array([0, cols.size], dtype=np.int64), cols)[0]


def kernel(sparse, args, r, w, ptr, idx, lam, l1, L, ws, max_epochs, tol):
    if sparse:
        data, indices, indptr, v, xbar, center = args
        return bcd_sparse(data, indices, indptr, v, xbar, center, r, w, ptr, idx, lam, l1, L, ws,
                          max_epochs, tol)
    XF, v, unit, xbar, center = args
    return bcd_dense(XF, v, unit, xbar, center, r, w, ptr, idx, lam, l1, L, ws, max_epochs, tol)


def _xw(X, w):
    return np.asarray(X @ w).ravel()


def solve_group_glm(lik, penalty, X, y, sw, fit_intercept=True, w0=None, b0=None, tol=1e-6,
                    max_iter=None) -> GroupSolution:
    """Minimize ``datafit(b0 + X w) + sum_g lam_g ||w_g||`` by proximal Newton (module
    docstring). Stops when the largest group KKT violation is ``<= tol`` times that of the
    intercept-only model; ``max_iter`` bounds the Newton steps (default 100)."""
    from .glm import _armijo
    from .objective import kkt_at

    labels = penalty.labels
    ptr, idx, lam = penalty.group_structure
    n, p = X.shape
    max_iter = 100 if max_iter is None else max_iter
    eta0 = lik.null_eta(y, sw, fit_intercept)
    g_null = lik.gradient(y, np.full(n, eta0), sw)
    gw0 = np.asarray(X.T @ g_null).ravel()
    scale = max(float(np.max(penalty.group_norms(gw0), initial=0.0)),
                float(np.abs(gw0[labels < 0]).max(initial=0.0)), 1e-12)
    tol_abs = tol * scale
    w = np.zeros(p) if w0 is None else np.array(w0, dtype=float)
    b = (eta0 if b0 is None else float(b0)) if fit_intercept else 0.0
    eta = b + _xw(X, w)
    F = lik.datafit(y, eta, sw) + penalty.value(w)
    X = fortran_columns(X)
    kkt, it, inner_total = np.inf, 0, 0
    for it in range(1, max_iter + 1):
        g = lik.gradient(y, eta, sw)
        gw = np.asarray(X.T @ g).ravel()
        kkt = kkt_at(penalty, gw, w, float(g.sum()) if fit_intercept else None)
        if kkt <= tol_abs:
            it -= 1
            break
        z, h, _ = lik.working_response(y, eta, sw, g)
        rel = kkt / scale
        inner_tol = min(1e-3, max(1e-30, 0.1 * rel * rel))
        sol = solve_group_lasso(X, z, h, labels, lam, ptr, idx, fit_intercept, w0=w,
                                tol=inner_tol, gap_decrease=0.25,
                                l1=penalty.l1 if penalty.has_l1 else None)
        inner_total += sol.n_iter
        dw, db = sol.coef - w, (sol.intercept - b) if fit_intercept else 0.0
        if not np.any(dw) and db == 0.0:
            break
        delta = float(gw @ dw) + float(g.sum()) * db + penalty.value(sol.coef) - penalty.value(w)
        ls = _armijo(lik, y, sw, penalty.value, eta, w, F, _xw(X, dw), dw, db, delta)
        if ls is None:
            break
        t, eta, w, F = ls
        b = b + t * db
    else:
        g = lik.gradient(y, eta, sw)
        kkt = kkt_at(penalty, np.asarray(X.T @ g).ravel(), w,
                     float(g.sum()) if fit_intercept else None)
    # every exit above leaves kkt at the current (w, b)
    if kkt > tol_abs and np.any(w):
        w_pol, b, kkt, n_pol = group_support_polish(lik, penalty, X, y, sw, fit_intercept, w, b,
                                                    kkt, tol_abs)
        it += n_pol
        if w_pol is not w:
            w, eta = w_pol, None
    return GroupSolution(w, float(b), float(kkt), float(tol_abs), it, eta=eta)


def group_support_polish(lik, penalty, X, y, sw, fit_intercept, w, b, kkt, tol_abs,
                         max_steps=30):
    """Finish a group-lasso fit by Newton's method on its support (the columns of the groups
    with ``w_g != 0`` and the unpenalized ones; with an L1 part, only the non-zero coefficients
    of those groups, at their signs), where ``sum_g lam_g ||w_g|| + sum_j l1_j |w_j|`` is
    smooth (gradient ``lam_g u_g + l1 sign(w)``, Hessian ``lam_g (I - u_g u_g^T) / ||w_g||``,
    ``u_g = w_g / ||w_g||``): the duality gap cannot resolve KKT violations below ~sqrt(eps), Newton can.
    Armijo line search on the objective; the result is kept only when the full KKT violation
    decreases. Returns ``(w, b, kkt, steps)``."""
    import scipy.sparse as sps

    from .glm import newton_on_support
    from .objective import kkt_at

    labels = penalty.labels
    lam = penalty.lam
    nw = penalty.group_norms(w)
    on = (labels < 0) | ((labels >= 0) & (nw[np.maximum(labels, 0)] > 0))
    if penalty.has_l1:
        on &= (labels < 0) | (w != 0)
    S = np.flatnonzero(on)
    l1S = penalty.l1[S] * np.sign(w[S])
    if S.size == 0 or S.size > 2000:
        return w, b, kkt, 0
    XS = X[:, S].toarray() if sps.issparse(X) else np.asarray(X[:, S])
    labS = labels[S]
    m = S.size

    def smooth_penalty(ws):
        pos = labS >= 0
        sq = np.bincount(labS[pos], weights=ws[pos] ** 2, minlength=lam.size)
        norms = np.sqrt(sq)
        grad = np.zeros(m)
        H = np.zeros((m, m))
        for g in np.unique(labS[pos]):
            cols = np.flatnonzero(labS == g)
            if norms[g] <= 0:
                continue
            u = ws[cols] / norms[g]
            grad[cols] = lam[g] * u
            H[np.ix_(cols, cols)] = lam[g] * (np.eye(cols.size) - np.outer(u, u)) / norms[g]
        # the L1 part at the fixed signs: linear (Armijo's trial points may cross a sign: the
        # result is kept only when the full KKT violation decreases)
        return float(lam @ norms) + float(l1S @ ws), grad + l1S, H

    wS, bb, steps, improved = newton_on_support(lik, XS, y, sw, fit_intercept, w[S], b,
                                                smooth_penalty, tol_abs, max_steps)
    if not improved:
        return w, b, kkt, steps
    w_new = np.zeros_like(w)
    w_new[S] = wS
    g = lik.gradient(y, bb + _xw(X, w_new), sw)
    kkt_new = kkt_at(penalty, np.asarray(X.T @ g).ravel(), w_new,
                     float(g.sum()) if fit_intercept else None)
    if kkt_new < kkt:
        return w_new, bb, kkt_new, steps
    return w, b, kkt, steps


def fit_unpenalized(lik, X, y, sw, fit_intercept, cols, max_steps=100) -> np.ndarray:
    """The linear predictor of the MAP with every coefficient outside ``cols`` at zero and a
    flat prior on ``cols`` (and the intercept): ``argmin datafit(b0 + X_cols w)``, one smooth
    Newton solve (Armijo line search) from the intercept-only model. Paths take the all-zero
    strength of a penalty with unpenalized columns from its gradient
    (:func:`bayesreg.map.path.max_strength`)."""
    import scipy.sparse as sps

    from .glm import newton_on_support

    n = X.shape[0]
    cols = np.asarray(cols, dtype=np.int64)
    XS = X[:, cols].toarray() if sps.issparse(X) else np.asarray(X[:, cols], dtype=float)
    b = lik.null_eta(y, sw, fit_intercept) if fit_intercept else 0.0
    g0 = lik.gradient(y, np.full(n, b), sw)
    tol_abs = 1e-12 * max(float(np.abs(XS.T @ g0).max(initial=0.0)), 1e-300)
    m = cols.size

    def no_penalty(ws):
        return 0.0, np.zeros(m), np.zeros((m, m))

    wS, b, _, _ = newton_on_support(lik, XS, y, sw, fit_intercept, np.zeros(m), b, no_penalty,
                                    tol_abs, max_steps)
    return b + XS @ wS
