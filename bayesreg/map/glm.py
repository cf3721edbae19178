"""Quasi-Newton and proximal Newton for GLM likelihoods (Bernoulli, Poisson) with
elastic-net-form priors.

Minimizes ``F(b0, w) = datafit(b0 + X w) + sum_j a_j |w_j| + c_j / 2 w_j^2`` (the negative log
posterior up to constants). First solver: OWL-QN (orthant-wise L-BFGS, Andrew & Gao 2007; plain
L-BFGS without an L1 part) with a Jacobi initial Hessian, one ``X d`` and one ``X^T g`` per
iteration, stopped by the KKT certificate below; zeros are exact (iterates never cross an
orthant). For dense X with at least ``MIXED_MIN_SIZE`` entries the first quasi-Newton phase runs
on a float32 copy of X (each iteration is two passes over X: half the memory traffic) until the
relative KKT violation is ``F32_REL``; a float64 phase continues from that point with exact
products and alone decides convergence and the certificate. Should it stall (budget
``QN_MAX_ITER``, or no halving of the KKT violation in ``_QN_STALL`` iterations), a Newton-type
solver takes over: truncated Newton-CG from its point (pure L2), or proximal Newton from the
start (L1). Small pure-L2 problems (dense, ``p <= NEWTON_CG_MIN_P``) go to exact Newton
directly, and warm-started points of a path go to proximal Newton directly
(``method="prox_newton"``). Each (proximal) Newton step is glmnet's IRLS: a weighted
least-squares model of the datafit around the current point (weights = curvature, working
response ``z = eta - gradient / curvature``), solved by weighted coordinate descent (any L1
part) or in closed form (pure L2: this is Newton's method), followed by an Armijo backtracking
line search on F (Lee, Sun & Saunders 2014). Perfectly separable data still converge: the prior
keeps F coercive, so the MAP is finite.

Certificate: the largest KKT violation (distance of minus the datafit gradient to the
penalty's subdifferential, intercept gradient included), relative to the same quantity at the
intercept-only model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .._errors import ParameterError
from ._kernels import col_norms, diag_hess_cols, diag_hess_rows, xtg_sq_cols, xtg_sq_rows
from .enet import Design, fortran_columns, solve_enet
from .objective import kkt_from_xg, kkt_weights
from .ridge import solve_ridge


@dataclass
class GLMSolution:
    coef: np.ndarray
    intercept: float
    kkt: float
    tol_abs: float
    n_iter: int
    converged: bool
    method: str = ""  # "owlqn" / "lbfgs" (quasi-Newton alone), else the Newton-type solver
    eta: np.ndarray | None = None  # b0 + X w at the solution, when the solver has it


def _matvec(X, w):
    if X.dtype == np.float32:  # the single-precision copy of the first quasi-Newton phase
        return np.asarray(X @ w.astype(np.float32), dtype=np.float64).ravel()
    return np.asarray(X @ w).ravel()


def _rmatvec(X, g):
    if X.dtype == np.float32:
        return np.asarray(X.T @ g.astype(np.float32), dtype=np.float64).ravel()
    return np.asarray(X.T @ g).ravel()


def _armijo(lik, y, sw, pen, eta, w, F, X_dw, dw, db, delta):
    """Backtracking (Armijo) line search on ``F = datafit + pen`` along ``(db, dw)`` with
    predicted decrease ``delta``; returns ``(t, eta_t, w_t, F_t)`` or None after 60 halvings."""
    t = 1.0
    for _ in range(60):
        eta_t = eta + t * (db + X_dw)
        w_t = w + t * dw
        F_t = lik.datafit(y, eta_t, sw) + pen(w_t)
        if np.isfinite(F_t) and F_t <= F + 1e-4 * t * min(delta, 0.0) + 1e-13 * abs(F):
            return t, eta_t, w_t, F_t
        t *= 0.5
    return None


def solve_glm(lik, X, y, sw, a, c, fit_intercept=True, w0=None, b0=None, tol=1e-6, max_iter=None,
              inner_max_iter=10000, method="auto", path_state=None):
    """Minimize ``datafit(b0 + X w) + sum_j a_j |w_j| + c_j / 2 w_j^2`` (module docstring).

    Pure L2 (``a == 0``): Newton's method, each step exact (Cholesky of the weighted ridge) for
    ``p <= NEWTON_CG_MIN_P`` dense columns; else (or for sparse X) L-BFGS (:func:`_owlqn`)
    stopped by the KKT criterion itself, and, should it stall, truncated Newton-CG
    (Hessian-vector products only, Jacobi preconditioner, forcing term
    ``min(0.5, sqrt(kkt / kkt_0))``). With an L1 part: OWL-QN (:func:`_owlqn`), and, should it
    stall, proximal Newton from the start (inner weighted elastic net by working-set CD, then a
    Newton polish on the support). Stops when the KKT violation <= ``tol`` x (KKT violation at
    the intercept-only model). ``max_iter`` bounds every iteration loop: the quasi-Newton
    iterations (both precisions together; default ``QN_MAX_ITER``), the Newton-type iterations
    (default 100) and the support-polish Newton steps (default 30); the inner CD solves of
    proximal Newton (one outer iteration each) keep ``inner_max_iter``.
    ``method="prox_newton"`` skips the quasi-Newton
    phase: from a warm start close to the optimum (paths), one or two proximal Newton steps beat
    a quasi-Newton run that has to rebuild its curvature memory. Returns :class:`GLMSolution`.
    """
    if method not in ("auto", "prox_newton"):
        raise ParameterError(f"method must be 'auto' or 'prox_newton', got {method!r}")
    n, p = X.shape
    qn_budget = QN_MAX_ITER if max_iter is None else min(QN_MAX_ITER, max_iter)
    polish_steps = 30 if max_iter is None else min(30, max_iter)
    max_iter = 100 if max_iter is None else max_iter
    w = np.zeros(p) if w0 is None else np.array(w0, dtype=float)
    pure_l2 = not np.any(a > 0)
    warm = method == "prox_newton" and not pure_l2 and _warm_kernel_applies(X)
    if warm and path_state is not None and path_state.scale is not None:
        # later points of a path: the certificate's scale depends on the data only
        eta0, scale = path_state.scale
        b = (eta0 if b0 is None else float(b0)) if fit_intercept else 0.0
        return _prox_newton_warm(lik, X, y, sw, a, c, fit_intercept, w, b, tol * scale, scale,
                                 max_iter, polish_steps, _penalty_fn(a, c), path_state)
    use_qn = (not pure_l2 or sp.issparse(X) or p > NEWTON_CG_MIN_P) and not (
        method == "prox_newton" and not pure_l2)
    eta0 = lik.null_eta(y, sw, fit_intercept)
    b = eta0 if b0 is None else float(b0)
    if not fit_intercept:
        b = 0.0
    # scale of the certificate: KKT size at the intercept-only model (never below 1e-12)
    at_null = use_qn and not np.any(w) and b == eta0
    cached = path_state is not None and path_state.scale is not None and not at_null
    g_null = None if cached else lik.gradient(y, np.full(n, eta0), sw)
    if cached:  # later points of a path: the scale depends on the data only
        xg_null, D0 = None, None
    elif at_null:
        # the quasi-Newton start is the intercept-only model: its X^T g and its Jacobi diagonal
        # (constant curvature v0 * sw there) come from one pass over X
        xg_null, sq = _xtg_and_sq(X, g_null, sw)
        h_null = lik.curvature(y, np.full(n, eta0), sw)
        k0 = int(np.argmax(sw > 0))
        v0 = float(h_null[k0] / sw[k0])
        # the curvature at a constant eta is v0 * sw unless it depends on y or on a bound
        # per-row parameter (NB2, binomial trials): then its diagonal takes one more pass
        D0 = v0 * sq if np.allclose(h_null, v0 * sw, rtol=1e-12, atol=0) else _diag_hess(X, h_null)
    else:
        xg_null, D0 = _rmatvec(X, g_null), None
    if cached:
        scale = path_state.scale[1]
    else:
        scale = max(float(np.abs(xg_null).max(initial=0.0)), 1e-12)
    if path_state is not None:
        path_state.scale = (eta0, scale)
    tol_abs = tol * scale
    n_qn = 0
    if use_qn:
        # quasi-Newton first (one X d and one X^T g per iteration); the Newton-type solvers
        # only take over when it stalls
        xg0, d0 = (xg_null, D0) if at_null else (None, None)
        n_qn = 0
        if not sp.issparse(X) and X.size >= MIXED_MIN_SIZE and not np.any(w):
            # mixed precision: every quasi-Newton iteration is two passes over X, so a float32
            # copy halves the cost of the phase up to a relative KKT of F32_REL (far above
            # float32 rounding); the float64 phase below continues from that point and alone
            # decides convergence, with exact products. Cold starts only: from a warm start (path
            # points) a fresh float32 copy of X costs more than the phase saves
            X32 = X.astype(np.float32)
            w, b, _, n_qn, _, _ = _owlqn(lik, X32, y, sw, a, c, fit_intercept, w, b,
                                         max(tol_abs, F32_REL * scale), max_iter=qn_budget,
                                         xg0=xg0, D0=d0)
            del X32
            xg0 = d0 = None
        w_q, b_q, kkt_q, n64, conv, eta_q = _owlqn(lik, X, y, sw, a, c, fit_intercept, w, b,
                                                   tol_abs, max_iter=max(qn_budget - n_qn, 0)
                                                   if qn_budget < QN_MAX_ITER else QN_MAX_ITER,
                                                   xg0=xg0, D0=d0)
        n_qn += n64
        if conv:
            return GLMSolution(w_q, float(b_q), float(kkt_q), float(tol_abs), n_qn, True,
                               "lbfgs" if pure_l2 else "owlqn", eta_q)
        if pure_l2:
            sol = _newton_cg(lik, X, y, sw, c, fit_intercept, w_q, b_q, tol_abs, max_iter)
            sol.n_iter += n_qn
            sol.method = "lbfgs+newton_cg"
            return sol
        # L1: proximal Newton from the original start, not from the quasi-Newton point. The
        # quasi-Newton phase stalls on ill-conditioned (correlated) designs, and there its
        # iterate, whose small coefficients hover around zero, can make the inner CD solves far
        # slower than a fresh start does (measured: up to 20x); restarting bounds the cost at
        # that of proximal Newton alone plus the 2 * _QN_STALL quasi-Newton iterations.

    pen = _penalty_fn(a, c)
    if warm:
        return _prox_newton_warm(lik, X, y, sw, a, c, fit_intercept, w, b, tol_abs, scale,
                                 max_iter, polish_steps, pen, path_state)
    last = None if path_state is None else path_state.last
    hit = last is not None and last[1] == b and np.array_equal(last[0], w)
    if hit:  # the warm start is the previous point's solution (see _prox_newton_warm)
        eta, F = last[2], last[3] + pen(w)
    else:
        eta = b + _matvec(X, w)
        F = lik.datafit(y, eta, sw) + pen(w)
    kkt = np.inf
    it = 0
    done = False
    # the inner CD kernels read X in Fortran order: copy a C-ordered X once here, not in every
    # inner solve (each builds its own Design)
    X_cd = X if pure_l2 else fortran_columns(X)
    gram_inner = not sp.issparse(X) and n >= 2 * p and p <= 2000
    for it in range(1, max_iter + 1):
        if hit and it == 1:
            g, xg = last[4], last[5]
        else:
            g = lik.gradient(y, eta, sw)
            xg = _rmatvec(X, g)
        kkt = kkt_from_xg(xg, float(g.sum()), w, a, c, fit_intercept)
        if kkt <= tol_abs:
            it -= 1
            done = True  # g and xg are those of the returned point
            break
        z, h, _ = lik.working_response(y, eta, sw, g)
        if pure_l2:
            w_new, b_new, _ = solve_ridge(X, z, h, c, fit_intercept)
        else:
            rel = kkt / scale
            # the gap is computed without cancellation (enet._primal_gap), so it can go far below
            # 1e-16 * ||z~||^2: tight KKT targets need inner gaps ~ kkt^2
            inner_tol = min(1e-3, max(1e-30, 0.1 * rel * rel))
            # gap_decrease: the working response z is large where the curvature is small, so
            # inner_tol * ||z~||^2 alone can be met by the warm start itself (a zero step while
            # the KKT violation is still far above tol: seen on logistic paths)
            design = None
            if gram_inner and np.count_nonzero(w) >= GRAM_INNER_FRAC * p:
                # many active coefficients: one weighted Gram matrix (a BLAS call) makes every
                # inner epoch O(p) per change instead of a pass over n rows
                design = Design(X, z, h, fit_intercept, use_gram=True)
            sol = solve_enet(X_cd, z, h, a, c, fit_intercept, w0=w, tol=inner_tol,
                             max_iter=inner_max_iter, gap_decrease=0.25, design=design)
            w_new, b_new = sol.coef, sol.intercept
        dw, db = w_new - w, b_new - b
        if not np.any(dw) and db == 0.0:
            break  # the inner gap cannot resolve this KKT level: finish with the support polish
        # Armijo backtracking on F along the prox-Newton direction
        delta = float(xg @ dw) + float(g.sum()) * db + pen(w_new) - pen(w)
        ls = _armijo(lik, y, sw, pen, eta, w, F, _matvec(X, dw), dw, db, delta)
        if ls is None:
            break
        t, eta, w, F = ls
        b = b + t * db
    else:
        g = lik.gradient(y, eta, sw)
        kkt = kkt_weights(X, g, w, a, c, fit_intercept)
    if np.isfinite(kkt) and kkt > tol_abs:
        g = lik.gradient(y, eta, sw)
        kkt = kkt_weights(X, g, w, a, c, fit_intercept)
    eta_out = eta
    if kkt > tol_abs and np.any(w):
        w_pol, b, kkt, n_pol = _support_polish(lik, X, y, sw, a, c, fit_intercept, w, b, kkt,
                                               tol_abs, max_steps=polish_steps)
        it += n_pol
        if w_pol is not w:
            w, eta_out = w_pol, None  # the polish moved the point: eta is stale
    if path_state is not None:
        path_state.last = ((w.copy(), float(b), eta, F - pen(w), g, xg, float(g.sum()))
                           if done and eta_out is not None else None)
    solver = "newton" if pure_l2 else ("owlqn+prox_newton" if use_qn else "prox_newton")
    return GLMSolution(w, float(b), float(kkt), float(tol_abs), it + n_qn, bool(kkt <= tol_abs),
                       solver, eta_out)


def _penalty_fn(a, c):
    """``w -> sum_j a_j |w_j| + c_j / 2 w_j^2``."""
    def pen(wv):
        return float(a @ np.abs(wv) + 0.5 * (c @ (wv * wv)))
    return pen


def _warm_kernel_applies(X) -> bool:
    """Dense float64 X in Fortran order (what :func:`_prox_newton_warm`'s kernels read; the GLM
    solver's ``prepare_path`` makes a path's X so)."""
    return (not sp.issparse(X) and isinstance(X, np.ndarray) and X.dtype == np.float64
            and X.flags.f_contiguous)


#: a zero coefficient joins the working set of a warm-started proximal Newton step when its
#: gradient reaches this fraction of its L1 weight (violators, and those about to become one)
WARM_WS_MARGIN = 0.9
_WARM_INNER_EPOCHS = 2000


class GLMPathState:
    """What the proximal Newton steps of one path reuse from point to point (dense X with
    ``n >= 2 p`` and ``p <= GRAM_MAX_P``): the curvature-weighted, centered Gram matrix
    ``G = X~^T X~`` (``X~ = diag(sqrt(h0)) (X - 1 m0^T)``, ``m0`` the h0-weighted column means,
    ``H0 = sum h0``) at the curvature ``h0`` of an earlier Newton step. Its model is a proximal
    quasi-Newton model with a lagged Hessian: every step is still certified by the true KKT
    violation, and the matrix is rebuilt at the current curvature whenever a step contracts the
    violation by less than ``GRAM_REFRESH`` or needs a line search."""

    def __init__(self, gram: bool):
        self.gram = gram  # whether the lagged Gram matrix applies (n >= 2p, p <= GRAM_MAX_P)
        self.G = self.m0 = None
        self.H0 = 0.0
        self.n_builds = 0
        self.scale = None  # (intercept-only eta, certificate scale): data only, one per path
        self._face = None  # (support, c_S, lower Cholesky factor of G_SS + diag(c_S))
        self._buf = None  # float32 row block of the Gram build
        # the last warm point's (w, b, eta, datafit, gradient, X^T gradient, sum gradient)
        self.last = None

    def build(self, X, h):
        """``G``, ``m0``, ``H0`` at the curvature ``h``. The product runs in single precision on
        the centered, weighted rows (centered in double precision first, so no mean cancels;
        accumulated in double over row blocks): G is a model Hessian only (every step is
        certified by the true KKT violation), and its float32 rounding (~1e-7 relative) is far
        below the lag of the curvature it already carries. Half the cost of the float64
        product; the row-block buffer is allocated once per path."""
        n, p = X.shape
        H0 = float(h.sum())
        m0 = (X.T @ h) / H0
        sh = np.sqrt(h).astype(np.float32)
        block = max(1, min(n, _GRAM_BLOCK_ELEMS // max(p, 1)))
        if self._buf is None or self._buf.shape != (block, p):
            self._buf = np.empty((block, p), dtype=np.float32, order="F")
        G = None
        for s in range(0, n, block):
            e = min(n, s + block)
            A = self._buf[:e - s]
            np.subtract(X[s:e], m0, out=A, casting="same_kind")
            A *= sh[s:e, None]
            Gb = A.T @ A  # a float32 symmetric rank-k update
            if G is None:
                G = Gb.astype(np.float64)
            else:
                G += Gb
        self.G = np.ascontiguousarray(G)
        self.m0, self.H0 = m0, H0
        self.n_builds += 1
        self._face = None

    def face_solve(self, S, cS, rhs):
        """``(G_SS + diag(c_S))^-1 rhs`` by a Cholesky factor kept while G and c stay the same:
        consecutive steps and path points share one factor, and when the support only grew
        (a lasso path's usual move) the factor is extended by the new columns (a triangular
        solve and a small Cholesky: O(|S|^2 k) for k new columns, not O(|S|^3))."""
        import scipy.linalg as sla

        f = self._face
        if f is not None:
            Sf, cf, L = f
            pos = np.searchsorted(S, Sf)
            ok = (pos.size <= S.size and np.all(pos < S.size)
                  and np.array_equal(S[np.minimum(pos, S.size - 1)], Sf)
                  and np.array_equal(cS[np.minimum(pos, S.size - 1)], cf))
            if ok and pos.size < S.size:
                new = np.setdiff1d(np.arange(S.size), pos, assume_unique=True)
                Sn = S[new]
                B = sla.solve_triangular(L, self.G[np.ix_(Sf, Sn)], lower=True,
                                         check_finite=False)
                C = self.G[np.ix_(Sn, Sn)] - B.T @ B
                C[np.diag_indices_from(C)] += cS[new]
                try:
                    L22 = np.linalg.cholesky(C)
                except np.linalg.LinAlgError:
                    ok = False
                else:
                    m, k = Sf.size, Sn.size
                    Lx = np.zeros((m + k, m + k))
                    Lx[:m, :m] = L
                    Lx[m:, :m] = B.T
                    Lx[m:, m:] = L22
                    Sf, cf, L = np.r_[Sf, Sn], np.r_[cf, cS[new]], Lx
                    pos = np.r_[pos, new]
                    self._face = (Sf, cf, L)
            if ok:
                x = sla.cho_solve((L, True), rhs[pos], check_finite=False)
                out = np.empty_like(x)
                out[pos] = x
                return out
        A = self.G[np.ix_(S, S)]
        A[np.diag_indices_from(A)] += cS
        L = np.linalg.cholesky(A)
        self._face = (S.copy(), np.array(cS, dtype=float), L)
        return sla.cho_solve((L, True), rhs, check_finite=False)


_GRAM_BLOCK_ELEMS = 4_000_000
GRAM_MAX_P = 2000
GRAM_REFRESH = 0.5


def path_state_for(X):
    """The :class:`GLMPathState` of a path on X: the lagged-Gram steps apply to dense float64
    Fortran-ordered X with ``n >= 2 p``, ``p <= GRAM_MAX_P``; every X (sparse included) keeps
    the certificate's scale and the last solution's gradient from point to point."""
    return GLMPathState(_warm_kernel_applies(X) and X.shape[0] >= 2 * X.shape[1]
                        and X.shape[1] <= GRAM_MAX_P)


def _gram_model_step(st, xg, g_sum, w, a, c, target, fi):
    """Minimize the lagged model ``gp.(u - w) + 1/2 (u - w)' G (u - w) + sum a|u| + c/2 u^2``
    (``gp = X^T g - m0 sum g``: the gradient with the intercept profiled) by Gram-space CD,
    finished by exact solves on the support's face (Cholesky of ``G_SS + diag(c_S)``) when CD is
    slow (ill-conditioned curvature). Returns ``(u, db)``."""
    from ._glm_kernels import gram_cd

    G = st.G
    gp = xg - st.m0 * g_sum if fi else xg.copy()
    u = w.copy()
    gr = gp.copy()
    for _ in range(10):
        _, viol = gram_cd(G, gr, u, a, c, 20, target)
        if viol <= target:
            break
        S = np.flatnonzero(u)
        if S.size == 0:
            continue
        sgn = np.sign(u[S])
        rhs = (G[S] @ w) - gp[S] - a[S] * sgn
        try:
            uS = st.face_solve(S, c[S], rhs)
        except np.linalg.LinAlgError:
            continue
        if not np.all(np.isfinite(uS)) or np.any(np.sign(uS) != sgn):
            continue  # the face is not the model's: more CD epochs settle the signs
        u_f = np.zeros_like(u)
        u_f[S] = uS
        u = u_f
        gr = gp + G @ (u - w)
    dw = u - w
    db = (-g_sum / st.H0 - float(st.m0 @ dw)) if fi else 0.0
    return u, db


def _prox_newton_warm(lik, X, y, sw, a, c, fit_intercept, w, b, tol_abs, scale, max_iter,
                      polish_steps, pen, state=None):
    """Proximal Newton from a warm start (a path point): glmnet's IRLS with a working set.

    Each step: the gradient ``X^T g`` at the current point (one pass over X: it is also the
    certificate), then the step's model:

    * with a :class:`GLMPathState` that holds a Gram matrix (built once the support reaches
      ``GRAM_INNER_FRAC p``): the lagged-curvature model solved in p-space
      (:func:`_gram_model_step`), no pass over X;
    * otherwise the exact weighted least-squares model on a working set (support + zero
      coefficients whose gradient is within ``WARM_WS_MARGIN`` of their L1 weight) by the serial
      CD kernel :func:`~bayesreg.map._glm_kernels.wcd_ws` (intercept profiled by h-weighted
      centering; nothing rebuilt: no design, no copy of X);

    each to a model violation ``max(0.3 tol_abs, min(0.1 kkt, kkt^2 / scale))`` (a forcing
    sequence for Newton's quadratic convergence), then Armijo backtracking on the true
    objective. Coefficients outside the working set stay zero during a step; the next gradient
    pass checks them (glmnet's KKT check). Stops when the full KKT violation is <= ``tol_abs``;
    the support polish of :func:`solve_glm` finishes a stalled run."""
    from ._glm_kernels import wcd_ws, xv_cols

    fi = bool(fit_intercept)
    last = None if state is None else state.last
    if last is not None and last[1] == b and np.array_equal(last[0], w):
        # the warm start is the previous point's solution: its eta, datafit gradient and
        # X^T g do not depend on the prior's strength (only the penalty terms change)
        _, _, eta, f0, g, xg, g_sum = last
        F = f0 + pen(w)
    else:
        nz = np.flatnonzero(w).astype(np.int64)
        eta = b + xv_cols(X, w[nz], nz) if nz.size else np.full(X.shape[0], float(b))
        F = lik.datafit(y, eta, sw) + pen(w)
        g = lik.gradient(y, eta, sw)
        xg = X.T @ g
        g_sum = float(g.sum())
    kkt = kkt_from_xg(xg, g_sum, w, a, c, fi)
    it = 0
    refresh = False
    p = w.shape[0]
    while kkt > tol_abs and it < max_iter:
        it += 1
        target = max(0.3 * tol_abs, min(0.1 * kkt, kkt * kkt / scale))
        gw = xg + c * w
        ws = np.flatnonzero((w != 0) | (np.abs(gw) >= WARM_WS_MARGIN * a)).astype(np.int64)
        if state is not None and state.gram and (
                refresh or (state.G is None and ws.size >= GRAM_INNER_FRAC * p)):
            state.build(X, lik.curvature(y, eta, sw))
            refresh = False
        if state is not None and state.G is not None:
            w_new, db = _gram_model_step(state, xg, g_sum, w, a, c, target, fi)
            ws = np.flatnonzero(w_new != w).astype(np.int64)
        else:
            z, h, _ = lik.working_response(y, eta, sw, g)
            r = z - eta
            w_new = w.copy()
            db, _, _ = wcd_ws(X, h, r, w_new, ws, a, c, fi, _WARM_INNER_EPOCHS, target)
        dw_ws = w_new[ws] - w[ws]
        if not np.any(dw_ws) and db == 0.0:
            if state is not None and state.G is not None and not refresh:
                refresh = True  # a stale model: rebuild it at the current curvature
                continue
            break
        X_dw = xv_cols(X, dw_ws, ws)
        delta = float(xg[ws] @ dw_ws) + g_sum * db + pen(w_new) - pen(w)
        dw = np.zeros_like(w)
        dw[ws] = dw_ws
        ls = _armijo(lik, y, sw, pen, eta, w, F, X_dw, dw, db, delta)
        if ls is None:
            if state is not None and state.G is not None and not refresh:
                refresh = True
                continue
            break
        t, eta, w, F = ls
        b = b + t * db
        g = lik.gradient(y, eta, sw)
        xg = X.T @ g
        g_sum = float(g.sum())
        kkt_old, kkt = kkt, kkt_from_xg(xg, g_sum, w, a, c, fi)
        if state is not None and state.G is not None and (t < 1.0 or kkt > GRAM_REFRESH * kkt_old):
            refresh = True
    eta_out = eta
    if kkt > tol_abs and np.any(w):
        w_pol, b, kkt, n_pol = _support_polish(lik, X, y, sw, a, c, fit_intercept, w, b, kkt,
                                               tol_abs, max_steps=polish_steps)
        it += n_pol
        if w_pol is not w:
            w, eta_out = w_pol, None
    if state is not None:
        # what the next point's first step reads (valid while eta is that of (w, b))
        state.last = (None if eta_out is None else w.copy(), float(b), eta, F - pen(w), g, xg,
                      g_sum)
    return GLMSolution(w, float(b), float(kkt), float(tol_abs), it, bool(kkt <= tol_abs),
                       "prox_newton", eta_out)


_POLISH_MAX_SUPPORT = 2000


def newton_on_support(lik, XS, y, sw, fit_intercept, wS, b, smooth_penalty, tol_abs,
                      max_steps=30, step_limit=None):
    """Newton's method with an Armijo line search on ``datafit(b + XS wS) + P(wS)``, where the
    penalty ``P`` is smooth on the support (the caller's face: ``smooth_penalty(wS) -> (value,
    gradient, Hessian)``, the Hessian a dense ``m x m`` array). ``step_limit(wS, dS)``: the
    largest step length allowed along ``dS`` (keeps the L1 signs; None: 1). Stops when the
    gradient is below ``0.01 tol_abs`` or a step fails. Returns ``(wS, b, steps, improved)``
    with ``improved`` True when the objective did not increase (shared by the L1 and the
    group-lasso polish)."""
    m = XS.shape[1]
    fi = 1.0 if fit_intercept else 0.0

    def F(ws, bb):
        return lik.datafit(y, bb + XS @ ws, sw) + smooth_penalty(ws)[0]

    wS, bb = wS.copy(), float(b)
    f0 = F(wS, bb)
    steps = 0
    for steps in range(1, max_steps + 1):  # noqa: B007 (returned as the step count)
        eta = bb + XS @ wS
        g = lik.gradient(y, eta, sw)
        h = lik.curvature(y, eta, sw)
        _, pg, pH = smooth_penalty(wS)
        grad = np.r_[XS.T @ g + pg, g.sum() * fi]
        if np.abs(grad).max() <= 0.01 * tol_abs:
            break
        H = np.empty((m + 1, m + 1))
        H[:m, :m] = (XS * h[:, None]).T @ XS + pH
        H[:m, m] = H[m, :m] = (XS.T @ h) * fi
        H[m, m] = float(h.sum()) if fit_intercept else 1.0
        try:
            step = -np.linalg.solve(H, grad)
        except np.linalg.LinAlgError:
            break
        slope = float(grad @ step)
        if not slope < 0:
            break
        dS = step[:m]
        t = 1.0 if step_limit is None else step_limit(wS, dS)
        f_cur, accepted = F(wS, bb), False
        for _ in range(40):
            w_t, b_t = wS + t * dS, bb + t * step[m] * fi
            f_t = F(w_t, b_t)
            if np.isfinite(f_t) and f_t <= f_cur + 1e-4 * t * slope + 1e-15 * abs(f_cur):
                accepted = True
                break
            t *= 0.5
        if not accepted:
            break
        wS, bb = w_t, b_t
    return wS, bb, steps, bool(F(wS, bb) <= f0 + 1e-12 * abs(f0))


_POLISH_MAX_SUPPORT = 2000


def _support_polish(lik, X, y, sw, a, c, fit_intercept, w, b, kkt, tol_abs, max_steps=30):
    """Finish an L1 GLM fit by Newton's method on its support with the signs fixed.

    Near the optimum the support and signs are settled and the objective restricted to them,
    ``datafit(b + X_S w_S) + a_S . (sign_S * w_S) + c_S/2 ||w_S||^2``, is smooth, so Newton
    converges quadratically to an exact KKT point on the support. Duality gaps, which are
    second order in the KKT violation, cannot resolve violations below ~sqrt(eps): this is how
    tight certificates are reached. A step that would flip a sign is shortened to keep it; the
    result is kept only if the full KKT violation (zeros included) decreases."""
    S = np.flatnonzero(w)
    if S.size > _POLISH_MAX_SUPPORT:
        return w, b, kkt, 0
    XS = X[:, S].toarray() if sp.issparse(X) else np.asarray(X[:, S])
    sgn = np.sign(w[S])
    aS, cS = a[S], c[S]
    H_pen = np.diag(cS)

    def smooth_penalty(ws):
        return float(aS @ (sgn * ws)) + 0.5 * float(cS @ (ws * ws)), aS * sgn + cS * ws, H_pen

    def keep_signs(ws, dS):  # largest t <= 1 with sign(ws + t dS) == sgn
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(sgn * dS < 0, -ws / dS, np.inf)
        return min(1.0, 0.99 * float(ratio.min(initial=np.inf)))

    wS, bb, steps, improved = newton_on_support(lik, XS, y, sw, fit_intercept, w[S], b,
                                                smooth_penalty, tol_abs, max_steps, keep_signs)
    if not improved:
        return w, b, kkt, steps
    w_new = np.zeros_like(w)
    w_new[S] = wS
    g = lik.gradient(y, bb + _matvec(X, w_new), sw)
    kkt_new = kkt_weights(X, g, w_new, a, c, fit_intercept)
    if kkt_new < kkt:
        return w_new, bb, kkt_new, steps
    return w, b, kkt, steps


NEWTON_CG_MIN_P = 200
GRAM_INNER_FRAC = 0.2  # proximal Newton: weighted-Gram inner solves from this active fraction on
QN_MAX_ITER = 300  # quasi-Newton iterations before the Newton-type fallback
MIXED_MIN_SIZE = 1_000_000  # dense X with at least this many entries: float32 first phase
F32_REL = 1e-4  # relative KKT level the float32 phase stops at


def _newton_cg(lik, X, y, sw, c, fit_intercept, w, b, tol_abs, max_iter):
    """Truncated Newton with preconditioned CG on (b0, w) for a smooth (pure-L2) GLM: the
    fallback when L-BFGS (:func:`_owlqn`) stalls."""
    n, p = X.shape
    fi = 1.0 if fit_intercept else 0.0
    eta = b + _matvec(X, w)
    F = lik.datafit(y, eta, sw) + 0.5 * float(c @ (w * w))
    kkt0 = None
    kkt = np.inf
    it = 0
    n_cg = 0
    if not sp.issparse(X):
        Xf = np.asfortranarray(X, dtype=np.float64)
        zeros_p = np.zeros(p)
    for it in range(1, max_iter + 1):
        ge = lik.gradient(y, eta, sw)
        gw = _rmatvec(X, ge) + c * w
        gb = float(ge.sum()) * fi
        kkt = max(float(np.abs(gw).max(initial=0.0)), abs(gb))
        if kkt0 is None:
            kkt0 = max(kkt, 1e-300)
        if kkt <= tol_abs:
            it -= 1
            break
        h = lik.curvature(y, eta, sw)
        # Jacobi preconditioner: diag of the Hessian
        if sp.issparse(X):
            dw = np.asarray(X.multiply(X).T @ h).ravel() + c
        else:
            dw = col_norms(Xf, zeros_p, h)[1] + c
        dw = np.maximum(dw, 1e-300)
        db = max(float(h.sum()), 1e-300) if fit_intercept else 1.0
        eta_force = min(0.5, np.sqrt(kkt / kkt0))
        # PCG on H d = -g
        rw, rb = -gw, -gb
        xw = np.zeros(p)
        xb = 0.0
        zw, zb = rw / dw, rb / db
        pw, pb = zw.copy(), zb
        rz = float(rw @ zw) + rb * zb
        rnorm0 = np.sqrt(float(rw @ rw) + rb * rb)
        for _ in range(max(50, 2 * p)):
            t = h * (pb * fi + _matvec(X, pw))
            hw = _rmatvec(X, t) + c * pw
            hb = float(t.sum()) * fi
            n_cg += 1
            pHp = float(pw @ hw) + pb * hb
            if pHp <= 0:
                break
            alpha = rz / pHp
            xw += alpha * pw
            xb += alpha * pb
            rw -= alpha * hw
            rb -= alpha * hb
            if np.sqrt(float(rw @ rw) + rb * rb) <= eta_force * rnorm0:
                break
            zw, zb = rw / dw, rb / db
            rz_new = float(rw @ zw) + rb * zb
            beta = rz_new / rz
            rz = rz_new
            pw = zw + beta * pw
            pb = zb + beta * pb
        xb *= fi
        delta = float(gw @ xw) + gb * xb
        ls = _armijo(lik, y, sw, lambda v: 0.5 * float(c @ (v * v)), eta, w, F, _matvec(X, xw), xw,
                     xb, delta)
        if ls is None:
            break
        step, eta, w, F = ls
        b = b + step * xb
    else:
        ge = lik.gradient(y, eta, sw)
        kkt = max(float(np.abs(_rmatvec(X, ge) + c * w).max(initial=0.0)),
                  abs(float(ge.sum())) * fi)
    if kkt > tol_abs:  # loop left by a failed line search: recompute at the returned point
        ge = lik.gradient(y, eta, sw)
        kkt = max(float(np.abs(_rmatvec(X, ge) + c * w).max(initial=0.0)),
                  abs(float(ge.sum())) * fi)
    return GLMSolution(w, float(b), float(kkt), float(tol_abs), it,
                       bool(kkt <= tol_abs))


# ----------------------------------------------------------------------------- OWL-QN
def _xtg_and_sq(X, g, sw):
    """``X^T g`` and the sw-weighted squared column norms, in one pass over dense float64 X."""
    if not sp.issparse(X) and X.dtype == np.float64:
        if X.flags.c_contiguous:
            return xtg_sq_rows(X, g, sw)
        if X.flags.f_contiguous:
            return xtg_sq_cols(X, g, sw)
    return _rmatvec(X, g), _diag_hess(X, sw)


def _diag_hess(X, h):
    """Diagonal of ``X^T diag(h) X`` in one pass over X."""
    if sp.issparse(X):
        return np.asarray(X.multiply(X).T @ h).ravel()
    if X.dtype == np.float64 and X.flags.c_contiguous:
        return diag_hess_rows(X, h)
    if X.dtype == np.float64 and X.flags.f_contiguous:
        return diag_hess_cols(X, h)
    return np.asarray((np.asarray(X) ** 2).T @ h).ravel()


_QN_STALL = 10
_ETA_REFRESH = 50  # recompute eta = b + X w from scratch every this many iterations


def _products(X):
    """``(mv, rmv)``: ``mv(v) = X v`` and ``rmv(g) = X^T g`` as float64 vectors; a CSC float64
    X goes through the numba kernels into buffers owned by the closures (no scipy wrapper,
    transpose or allocation per call: on sparse X with few entries per row that overhead is the
    size of the product itself). The returned arrays are reused: copy to keep one."""
    if sp.issparse(X) and X.format == "csc" and X.dtype == np.float64:
        from ._glm_kernels import csc_matvec, csc_rmatvec

        n, p = X.shape
        ip, ix, dt = X.indptr, X.indices, X.data
        out_n, out_p = np.empty(n), np.empty(p)

        def mv(v):
            csc_matvec(ip, ix, dt, np.ascontiguousarray(v), n, out_n)
            return out_n

        def rmv(g):
            csc_rmatvec(ip, ix, dt, np.ascontiguousarray(g), out_p)
            return out_p

        return mv, rmv
    return (lambda v: _matvec(X, v)), (lambda g: _rmatvec(X, g))


def _owlqn(lik, X, y, sw, a, c, fit_intercept, w, b, tol_abs, max_iter=500, m=20, xg0=None,
           D0=None):
    """Orthant-wise limited-memory quasi-Newton (Andrew & Gao 2007) on ``(w, b0)``.

    Minimizes ``datafit(b0 + X w) + sum_j a_j |w_j| + c_j / 2 w_j^2``; with ``a == 0`` this is
    plain L-BFGS. The initial inverse Hessian is Jacobi (the diagonal of the datafit Hessian at
    the start, plus c), scaled at each step by ``s.y / y.D^-1 y``; iterates stay in the orthant
    of the current point (coordinates that would cross zero are set to exactly zero), so the
    zeros are exact and the KKT violation is the max-abs pseudo-gradient. Each iteration costs
    one ``X d`` and one ``X^T g`` (line-search trials update eta along ``X d``). Stops when the
    KKT violation <= ``tol_abs``. ``xg0``, ``D0``: ``X^T gradient`` and the diagonal of
    ``X^T diag(curvature) X`` at the start point, if known. The vector work of an iteration
    (pseudo-gradient, two-loop recursion over ring buffers, orthant projections, trial points)
    runs in the numba kernels of :mod:`bayesreg.map._glm_kernels`; the likelihood's faces and
    the products with X stay as they are.

    Returns ``(w, b, kkt, n_iter, converged, eta)``.
    """
    from ._glm_kernels import owl_crosses, owl_direction, owl_trial, pseudo_grad, two_loop

    n, p = X.shape
    fi = bool(fit_intercept)
    q = p + 1 if fi else p
    mv, rmv = _products(X)
    az = np.ascontiguousarray(np.concatenate([a, [0.0]]) if fi else a, dtype=np.float64)
    cz = np.ascontiguousarray(np.concatenate([c, [0.0]]) if fi else c, dtype=np.float64)
    z = np.concatenate([w, [b]]) if fi else np.array(w, dtype=float)
    eta = b + mv(w) if np.any(w) else np.full(n, float(b))
    mu = lik.mean(eta)
    ge = lik.gradient(y, eta, sw)
    gz = np.empty(q)
    gz[:p] = rmv(ge) if xg0 is None else xg0
    if fi:
        gz[p] = float(ge.sum())
    gz += cz * z
    h = lik.curvature(y, eta, sw)
    D = np.empty(q)
    D[:p] = _diag_hess(X, h) if D0 is None else D0
    if fi:
        D[p] = float(h.sum())
    D += cz
    D = np.maximum(D, 1e-12 * max(float(D.max(initial=0.0)), 1e-300))
    Dinv = 1.0 / D
    Sm, Ym, rho = np.zeros((m, q)), np.zeros((m, q)), np.zeros(m)
    head = count = 0
    pg, r, zt, st, g_new, scale_h = (np.empty(q) for _ in range(6))
    gamma = 1.0
    kkt = np.inf
    it = 0
    converged = False
    hist: list = []
    for it in range(max_iter + 1):  # noqa: B007
        kkt = pseudo_grad(z, gz, az, pg)
        if kkt <= tol_abs:
            converged = True
            break
        hist.append(kkt)
        if it == max_iter or (it >= 2 * _QN_STALL and min(hist[-_QN_STALL:])
                              > 0.5 * min(hist[:-_QN_STALL])):
            break  # budget spent, or no halving of the violation in _QN_STALL iterations
        np.multiply(Dinv, gamma, out=scale_h)
        two_loop(Sm, Ym, rho, head, count, pg, scale_h, r)  # r = H pg, H0 = gamma D^-1
        d = np.negative(r)
        dd, crosses = owl_direction(d, z, pg, az)
        if not dd < 0:
            break
        Xd = None
        t = 1.0
        if not crosses:
            # no coordinate crosses zero at t = 1: first trial = the Newton step along d of the
            # local quadratic model (curvature from mu: O(n), no extra pass over X)
            Xd = mv(d[:p]).copy()
            if fi:
                Xd += d[p]
            hh = lik.curvature_from_mean(mu, sw, y)
            dHd = float(hh @ (Xd * Xd)) + float(cz @ (d * d))
            if dHd > 0:
                t_n = -dd / dHd
                if np.isfinite(t_n) and t_n > 0:
                    t = min(t_n, 1.0) if owl_crosses(z, d, t_n, pg, az) else t_n
        accepted = False
        for _ in range(40):
            crossed, dpen, pgs = owl_trial(z, d, t, pg, az, cz, zt, st)
            if crossed:
                # these stop at 0 (never the intercept: it has no L1 weight); the step is no
                # longer t d, so eta moves by X (zt - z) (one product: X is read once either way)
                eta_t = eta + mv(st[:p])
                if fi:
                    eta_t += st[p]
            else:
                if Xd is None:
                    Xd = mv(d[:p]).copy()
                    if fi:
                        Xd += d[p]
                eta_t = eta + t * Xd
            # penalty change term by term (no cancellation between two sums of size ||z||_1)
            dF = lik.datafit_diff(y, sw, eta, eta_t, mu) + dpen
            if np.isfinite(dF) and dF <= 1e-4 * pgs:
                accepted = True
                break
            t *= 0.5
        if not accepted:
            break
        if (it + 1) % _ETA_REFRESH == 0:  # eta is updated along the steps: drop the drift
            eta_t = (zt[p] if fi else 0.0) + mv(zt[:p])
        mu = lik.mean(eta_t)
        ge = lik.gradient_from_mean(y, mu, sw, eta_t)
        g_new[:p] = rmv(ge)
        if fi:
            g_new[p] = float(ge.sum())
        g_new += cz * zt
        y_k = g_new - gz
        sy = float(st @ y_k)
        if sy > 1e-16 * float(np.sqrt((st @ st) * (y_k @ y_k))):
            Sm[head] = st
            Ym[head] = y_k
            rho[head] = 1.0 / sy
            head = (head + 1) % m
            count = min(count + 1, m)
            gamma = sy / float(y_k @ (Dinv * y_k))
        z, zt = zt, z  # zt's buffer is rewritten by the next trial
        gz, g_new = g_new, gz
        eta = eta_t
    w_out = z[:p].copy()
    b_out = float(z[p]) if fi else 0.0
    return w_out, b_out, kkt, it, converged, eta
