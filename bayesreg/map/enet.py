"""Weighted elastic net by coordinate descent with a duality-gap certificate.

Solves, for sample weights ``sw`` (>= 0) and per-coefficient weights ``a, c``::

    min_{b0, w}  1/2 sum_i sw_i (y_i - b0 - x_i w)^2 + sum_j a_j |w_j| + c_j / 2 w_j^2

This is the Gaussian -log posterior (``sw = sample_weight / sigma^2``, ``a = 1/b``,
``c = 1/tau^2``) and the inner problem of the proximal Newton solver for GLMs. The
intercept is profiled out by *implicit* weighted centering: X is never copied, centered or
densified (dense and CSC kernels read it as given).

Algorithm: working-set coordinate descent (Massias et al. 2018 "celer"; Bertrand et al. 2022
"skglm"): the full gradient is computed once per outer iteration, the working set is the
current support plus the features that violate the optimality conditions most, and CD runs on
the working set until its own duality gap is a fraction of the full one. For paths (many
solves on one design with n >> p) :class:`Design` can precompute the Gram matrix, after which
an epoch costs O(p) per changed coefficient and no pass over X is needed at all.

Stopping rule: the duality gap of the augmented-lasso dual (as in scikit-learn's
``enet_coordinate_descent``) falls below ``tol * ||y~||^2``, where ``y~`` is the weighted,
centered response. Because the objective *is* the negative log posterior, the gap is a
bound, in nats, on how far the log posterior is from its maximum.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._kernels import (
    anderson,
    cd_dense_record,
    cd_sparse,
    col_norms,
    col_stats,
    corr_gap,
    csc_col_sq,
    grad_dense,
    grad_sparse,
    gram_path,
    gram_solve,
    matvec_cols,
    screen_and_score,
    to_fortran,
    xtg_sq_rows,
)
from .objective import duality_gap

_BLOCK_ELEMS = 4_000_000


def syrk_blocks(X, xbar, v, col_scale=None, colsq=None):
    """``A^T A`` for ``A = diag(v) (X - xbar) diag(col_scale)``, accumulated over row blocks so
    that A is never materialized (numpy dispatches ``B.T @ B`` to a symmetric rank-k update).
    X is never modified."""
    n, p = X.shape
    unit = bool(np.all(v == 1.0))
    center = bool(np.any(xbar != 0.0))
    if unit and col_scale is None and center:
        # X'X - n xbar xbar' (one BLAS call, no centered blocks) when no column's mean dominates
        # its spread (then the subtraction loses at most ~1 bit); otherwise center block by block
        # O(np): decides before the O(np^2) product (colsq: the caller's sum_i X_ij^2)
        d = colsq if colsq is not None else np.einsum("ij,ij->j", X, X)
        if np.all(d - n * xbar * xbar >= 0.5 * d):
            U = X.T @ X
            U -= np.outer(n * xbar, xbar)
            return U
    out = np.zeros((p, p))
    block = max(1, min(n, _BLOCK_ELEMS // max(p, 1)))
    for s in range(0, n, block):
        B = X[s:s + block]
        if center:
            B = B - xbar  # a fresh block from here on
        if not unit:
            B = B * v[s:s + block, None] if not center else np.multiply(
                B, v[s:s + block, None], out=B)
        if col_scale is not None:
            B = B * col_scale
        out += B.T @ B
    return out


def _col_stats_rows(X, sw, xbar, center):
    """:func:`col_norms` for a C-ordered X, over row blocks (each block read once, no n x p
    temporary): centered / uncentered weighted squared column norms. The centered norms are
    accumulated around the given means, so a column with a large mean and a small spread keeps
    its accuracy."""
    n, p = X.shape
    block = max(1, min(n, _BLOCK_ELEMS // max(p, 1)))
    cen = np.zeros(p)
    unc = np.zeros(p)
    for s in range(0, n, block):
        B = X[s:s + block]
        wb = sw[s:s + block]
        unc += wb @ (B * B)
        D = B - xbar if center else B
        cen += wb @ (D * D)
    return cen, unc


_ZERO_VAR = 1e-20  # centered / uncentered squared norm below which a column is constant


@dataclass
class EnetSolution:
    coef: np.ndarray
    intercept: float
    gap: float
    tol_abs: float
    n_iter: int
    converged: bool
    n_screened: int = 0  # features removed by the gap-safe rule (dense solver)


class Design:
    """Implicitly centered, sqrt-weighted view of (X, y) shared by the CD variants.

    With ``v = sqrt(sw)``, ``X~ = diag(v) (X - 1 xbar^T)`` and ``y~ = v * (y - ybar)``, where
    ``xbar, ybar`` are the sw-weighted means (zeros when ``fit_intercept`` is False). Neither
    X~ nor a copy of X is formed: dense X is used in place (Fortran order is cheapest), sparse
    X is copied once as CSC with the weights folded in. ``use_gram=True`` (dense only)
    precomputes ``G = X~^T X~`` and ``q = X~^T y~`` on first use, in row blocks.
    """

    def __init__(self, X, y, sw, fit_intercept: bool, use_gram: bool | None = None):
        self.sparse = sp.issparse(X)
        n, p = X.shape
        self.n, self.p = n, p
        self.fit_intercept = fit_intercept
        sw = np.ascontiguousarray(sw, dtype=np.float64)
        self.sw = sw
        S = float(sw.sum())
        self.S = S
        v = np.sqrt(sw)
        self.v = v
        self.unit_weights = bool(np.all(sw == 1.0))
        y = np.asarray(y, dtype=np.float64)
        self.ybar = float(sw @ y / S) if fit_intercept else 0.0
        self.yc = y - self.ybar
        self.yt = v * self.yc
        self._G = self._q = None
        self._norms2 = None
        self._gram_auto = False
        self._last_rss = None  # (coef, ||y~ - X~ coef||^2) of the last solve, for the log posterior
        self._last_grad = None  # (coef, X~^T r) of the last Gram solve, for warm starts
        self._last_dense = None  # (coef, residual, X~^T r) of the last dense CD solve, likewise
        self.colsq_raw = None  # sum_i X_ij^2 (unweighted), when a pass over X computed it anyway
        self._informative = self._sqrt_norms2 = None  # cached on first use
        if self.sparse:
            if self.unit_weights and X.format == "csc" and X.dtype == np.float64:
                Xs = sp.csc_matrix(X, copy=False)  # the caller's arrays, read only
            else:  # the weights folded in: one copy
                Xs = sp.csc_matrix(X, dtype=np.float64, copy=True)
                Xs.data *= v[Xs.indices]
            self.Xs = Xs
            self.xbar = (np.asarray(Xs.T @ v).ravel() / S) if fit_intercept else np.zeros(p)
            unc = csc_col_sq(Xs.data, Xs.indptr)
            self._set_norms(np.maximum(unc - S * self.xbar**2, 0.0), unc)
            self.use_gram = False
        else:
            X = np.asarray(X, dtype=np.float64)
            self.X_in = X  # the caller's array, any layout (BLAS products and Gram blocks use it)
            self._XF = X if X.flags.f_contiguous else None
            # None = automatic: a single solve runs working-set CD on X; from the second solve
            # on the same design (the joint-sigma loop, short paths) the Gram matrix is built
            # once when n >> p and then every epoch is O(p) per changed coefficient.
            self._gram_auto = use_gram is None and n >= 2 * p and p <= 4000
            self.use_gram = bool(use_gram)
            if use_gram is None:
                # CD on columns: the Fortran copy (made now if X is C-ordered) and one pass over it
                # for the means and the squared norms
                self.xbar, norms2, unc = col_stats(self.X, sw, S, bool(fit_intercept))
                self._set_norms(norms2, unc)
            else:
                # BLAS-only design (Gram CD: True; closed-form ridge: False): no Fortran copy, the
                # means in one product, the squared norms from diag(G) or on first use
                if X.flags.c_contiguous and fit_intercept:
                    # the means and the raw squared column norms (the safeguard of the one-call
                    # centered Gram / kernel matrix) in one pass over the rows
                    s1, self.colsq_raw = xtg_sq_rows(X, sw, np.ones(n))
                    self.xbar = s1 / S
                else:
                    self.xbar = (X.T @ sw) / S if fit_intercept else np.zeros(p)
                if use_gram:
                    self._build_gram()
        self.n_solves = 0
        self.yy = float(self.yt @ self.yt)

    @classmethod
    def from_stats(cls, stats) -> Design:
        """A Gram-only design from :class:`~bayesreg.suffstats.SuffStats` (no rows: the Dask
        backend's statistics). Every Gram solver and the closed-form ridge run on it."""
        d = cls.__new__(cls)
        p = stats.p
        d.sparse = False
        d.n, d.p = int(stats.n), p
        d.fit_intercept = bool(stats.fit_intercept)
        d.S = float(stats.S)
        d.sw = d.v = d.yc = d.yt = None
        d.unit_weights = False
        d.xbar, d.ybar = np.asarray(stats.xbar, dtype=float), float(stats.ybar)
        G = np.array(stats.G, dtype=float)
        diag = np.diag(G).copy()
        diag[diag <= 1e-14 * max(1.0, float(diag.max(initial=0.0)))] = 0.0  # constant columns
        G[np.diag_indices(p)] = diag
        d._G, d._q = np.ascontiguousarray(G), np.asarray(stats.q, dtype=float)
        d._norms2 = None
        d._gram_auto = False
        d.use_gram = True
        d._last_rss = d._last_grad = d._last_dense = None
        d.colsq_raw = None
        d._informative = d._sqrt_norms2 = None
        d.X_in = d._XF = None
        d.n_solves = 0
        d.yy = float(stats.yy)
        return d

    @property
    def has_rows(self) -> bool:
        """False for a design built from statistics only."""
        return self.sparse or self.X_in is not None

    def min_rss(self) -> float:
        """``min_w ||y~ - X~ w||^2`` (unpenalized least squares on the centered, sqrt-weighted
        design): from the Gram matrix when it is at hand or cheap (n > 2p), else by a
        least-squares solve on the rows. 0 means some (intercept, coef) fits y exactly."""
        if self.yy == 0.0:
            return 0.0
        if self._G is None and self.has_rows and (self.sparse or self.n <= 2 * self.p):
            if self.sparse:
                import scipy.sparse.linalg as spla

                op = spla.LinearOperator((self.n, self.p), matvec=self.matvec,
                                         rmatvec=self.corr, dtype=float)
                w = spla.lsmr(op, self.yt, atol=1e-14, btol=1e-14, maxiter=10 * self.p)[0]
                r = self.yt - self.matvec(w)
                return float(r @ r)
            B = self.X_in - self.xbar if self.fit_intercept else np.array(self.X_in, dtype=float)
            if not self.unit_weights:
                B *= self.v[:, None]
            w = np.linalg.lstsq(B, self.yt, rcond=None)[0]
            r = self.yt - B @ w
            return float(r @ r)
        G, q = self.G, self.q
        lam, V = np.linalg.eigh(G)
        keep = lam > 1e-12 * max(float(lam.max(initial=0.0)), 1e-300)
        c = V[:, keep].T @ q
        return max(float(self.yy - np.sum(c * c / lam[keep])), 0.0)

    def rss(self, w) -> float:
        """``||y~ - X~ w||^2``: recorded by the last solve when it was for ``w``; else one pass
        over the rows; else (statistics only) from the Gram identity."""
        last = self._last_rss
        if last is not None and last[0] is w:
            return last[1]
        if self.has_rows:
            r = self.yt - self.matvec(w)
            return float(r @ r)
        return float(self.yy - 2.0 * (self._q @ w) + w @ (self._G @ w))

    def _set_norms(self, norms2, unc):
        # columns with (numerically) zero variance carry no information
        norms2 = np.asarray(norms2, dtype=np.float64).copy()
        norms2[norms2 <= _ZERO_VAR * unc] = 0.0
        self._norms2 = norms2

    def record_gram_rss(self, w, g) -> None:
        """Record ``||y~ - X~ w||^2 = yy - w.q - w.g`` (``g = X~^T r``, as in gram_gap) for the
        log posterior of the solution ``w``; not recorded when it is a tiny difference of large
        terms (the log posterior then takes a pass over X)."""
        rss = self.yy - float(w @ self.q) - float(w @ g)
        self._last_rss = (w, rss) if rss >= 1e-6 * self.yy else None

    @property
    def sqrt_norms2(self) -> np.ndarray:
        """``sqrt(norms2)`` (cached)."""
        if self._sqrt_norms2 is None:
            self._sqrt_norms2 = np.sqrt(self.norms2)
        return self._sqrt_norms2

    @property
    def informative(self) -> np.ndarray:
        """Indices (int64) of the non-constant columns."""
        if self._informative is None:
            self._informative = np.flatnonzero(self.norms2 > 0).astype(np.int64)
        return self._informative

    @property
    def norms2(self) -> np.ndarray:
        """Weighted centered squared column norms ``||X~_j||^2`` (0 for constant columns)."""
        if self._norms2 is None:
            if self._G is not None:  # the Gram diagonal, accumulated around the means
                n2 = np.diag(self._G).copy()
                self._set_norms(n2, n2 + self.S * self.xbar**2)
            elif self._XF is not None:
                n2, unc = col_norms(self._XF, self.xbar, self.sw)
                self._set_norms(n2, unc)
            else:
                n2, unc = _col_stats_rows(self.X_in, self.sw, self.xbar, self.fit_intercept)
                self._set_norms(n2, unc)
        return self._norms2

    # ----------------------------------------------------------- linear algebra on X~
    def corr(self, r):
        """``X~^T r`` for r in the weighted space (r orthogonal to v in every state we keep)."""
        if self.sparse:
            return np.asarray(self.Xs.T @ r).ravel() - self.xbar * float(self.v @ r)
        u = self.v * r
        return self.X_in.T @ u - self.xbar * float(u.sum())

    def matvec(self, w):
        """``X~ w``."""
        if self.sparse:
            return np.asarray(self.Xs @ w).ravel() - float(self.xbar @ w) * self.v
        return self.v * (self.X_in @ w - float(self.xbar @ w))

    @property
    def X(self) -> np.ndarray:
        """X in Fortran order (what the numba CD kernels read); copied on first use only when the
        caller's array is C-ordered, so closed-form and Gram-only solves never pay the copy."""
        if self._XF is None:
            self._XF = fortran_columns(self.X_in)
        return self._XF

    def intercept(self, w) -> float:
        return float(self.ybar - self.xbar @ w) if self.fit_intercept else 0.0

    def _build_gram(self):
        self._G = np.ascontiguousarray(syrk_blocks(self.X_in, self.xbar, self.v,
                                                   colsq=self.colsq_raw))
        self._q = self.corr(self.yt)

    @property
    def G(self) -> np.ndarray:
        if self._G is None:
            self._build_gram()
        return self._G

    @property
    def q(self) -> np.ndarray:
        if self._q is None:
            self._build_gram()
        return self._q


def fortran_columns(X):
    """X itself when it is sparse or already Fortran-ordered, else a Fortran-ordered float64 copy
    (tiled copy for tall matrices): what the column kernels read."""
    if sp.issparse(X):
        return X
    X = np.asarray(X, dtype=np.float64)
    if X.flags.f_contiguous:
        return X
    if X.flags.c_contiguous and X.shape[0] >= X.shape[1]:
        out = np.empty(X.shape, order="F")
        to_fortran(X, out)
        return out
    return np.asfortranarray(X)


def xw(X, w) -> np.ndarray:
    """``X @ w`` reading only the columns where ``w != 0`` (dense X; sparse X as usual)."""
    w = np.asarray(w, dtype=np.float64)
    if sp.issparse(X) or not isinstance(X, np.ndarray) or X.dtype != np.float64:
        return np.asarray(X @ w).ravel()
    nz = np.flatnonzero(w)
    if nz.size > 0.5 * w.size:
        return np.asarray(X @ w).ravel()
    return matvec_cols(X, np.zeros(X.shape[1]), w[nz], nz.astype(np.int64))


def solve_enet(
    X,
    y: np.ndarray,
    sw: np.ndarray,
    a: np.ndarray,
    c: np.ndarray,
    fit_intercept: bool = True,
    w0: np.ndarray | None = None,
    tol: float = 1e-4,
    max_iter: int = 1000,
    design: Design | None = None,
    gap_decrease: float | None = None,
) -> EnetSolution:
    """Weighted elastic net (see module docstring).

    Parameters
    ----------
    X : ndarray or scipy.sparse matrix, shape (n, p)
    y, sw : ndarray, shape (n,)
        Response and non-negative sample weights.
    a, c : ndarray, shape (p,)
        L1 and L2 weights of the penalty ``sum_j a_j |w_j| + c_j / 2 w_j^2``.
    fit_intercept : bool
    w0 : ndarray, optional
        Warm start.
    tol : float
        Stop when the duality gap <= ``tol * ||y~||^2``.
    max_iter : int
        Bound on the total number of CD epochs.
    design : Design, optional
        A prebuilt :class:`Design` of (X, y, sw) (reused along paths).
    gap_decrease : float, optional
        Also require the gap to fall below ``gap_decrease`` times its value at the warm start
        (floored at 1e-14 x the primal value, the rounding level of the gap). Inexact Newton
        steps need this: their working responses are large, so ``tol * ||y~||^2`` alone can be
        met by the warm start itself.

    Returns
    -------
    EnetSolution
    """
    d = design if design is not None else Design(X, y, sw, fit_intercept)
    p = d.p
    a = np.ascontiguousarray(a, dtype=np.float64)
    c = np.ascontiguousarray(c, dtype=np.float64)
    w = np.zeros(p) if w0 is None else np.array(w0, dtype=np.float64)
    w[d.norms2 == 0.0] = 0.0
    tol_abs = tol * max(d.yy, np.finfo(float).tiny)
    d.n_solves += 1
    if not d.sparse and d._gram_auto and d.n_solves >= 2:
        d.use_gram = True
    if d.use_gram:
        return _solve_gram(d, w, a, c, tol_abs, max_iter, gap_decrease)
    if d.sparse:
        return _solve_sparse(d, w, a, c, tol_abs, max_iter, gap_decrease)
    return _solve_dense(d, w, a, c, tol_abs, max_iter, gap_decrease)


@dataclass
class EnetPathChunk:
    """Consecutive certified points of a warm-started Gram path (:func:`solve_gram_path`)."""

    coefs: np.ndarray  # (k, p)
    intercepts: np.ndarray  # (k,)
    gaps: np.ndarray  # duality gap at each point (<= tol_abs: every point is certified)
    tol_abs: float
    n_iters: np.ndarray
    rss: np.ndarray  # ||y~ - X~ w||^2, NaN where it is a tiny difference of large terms


def gram_path_ready(d: Design | None) -> bool:
    """Whether :func:`solve_gram_path` can walk a path on ``d`` (a Gram design)."""
    return isinstance(d, Design) and d.use_gram and not d.sparse


def solve_gram_path(d: Design, l1, l2, strengths, s2: float, w0, tol: float,
                    max_iter: int) -> EnetPathChunk:
    """The elastic nets ``a = strengths[k] l1 s2``, ``c = strengths[k] l2 s2`` (k = 0, 1, ...)
    on the Gram design ``d``, each warm-started from the previous one (the first from ``w0``),
    in one numba call (:func:`~bayesreg.map._kernels.gram_path`): the same epochs, gaps and
    solutions as one :func:`solve_enet` per point while each point certifies within its first
    200 Gram epochs. Stops before the first point that does not (it is left to
    :func:`solve_enet` and its active-set / polish fallbacks, with the design's warm-start
    state at the last certified point). Every returned point has ``gap <= tol_abs``."""
    G, q = d.G, d.q
    p = d.p
    w = np.array(w0, dtype=np.float64)
    w[d.norms2 == 0.0] = 0.0
    prev = d._last_grad
    if prev is not None and np.array_equal(prev[0], w):
        g = prev[1].copy()
    else:
        g = q - G @ w if np.any(w) else q.copy()
    tol_abs = tol * max(d.yy, np.finfo(float).tiny)
    strengths = np.ascontiguousarray(strengths, dtype=np.float64)
    m = strengths.shape[0]
    coefs = np.empty((m, p))
    gaps = np.empty(m)
    n_iters = np.empty(m, dtype=np.int64)
    rss = np.empty(m)
    k = gram_path(G, q, d.yy, d.informative, np.ascontiguousarray(l1, dtype=np.float64),
                  np.ascontiguousarray(l2, dtype=np.float64), strengths, float(s2), tol_abs,
                  min(int(max_iter), 200), w, g, coefs, gaps, n_iters, rss)
    d.n_solves += k
    d._last_grad = (w.copy(), g)  # the last certified point's (or w0's) state
    rss = rss[:k]
    rss[rss < 1e-6 * d.yy] = np.nan  # as Design.record_gram_rss: the log posterior takes a pass
    coefs = coefs[:k]
    intercepts = (d.ybar - coefs @ d.xbar) if d.fit_intercept else np.zeros(k)
    return EnetPathChunk(coefs, intercepts, gaps[:k], tol_abs, n_iters[:k], rss)


def _tightened(tol_abs, gap, primal, gap_decrease):
    """The stopping level once the warm start's gap is known (see solve_enet's gap_decrease)."""
    if gap_decrease is None:
        return tol_abs
    return min(tol_abs, max(gap_decrease * gap, 1e-14 * abs(primal)))


def _top_features(score, keep, k):
    """Sorted indices, among ``keep`` (sorted), of the ``k`` largest scores (support: +inf)."""
    if k >= keep.shape[0]:
        return keep
    return np.sort(keep[np.argpartition(-score[keep], k - 1)[:k]])


def _next_ws_size(ws_size, ws_size0, w, gap, prev_gap, p):
    """Working-set size of the next outer iteration: twice the support (skglm's rule: the
    working set follows the support instead of doubling every outer iteration, which on large
    supports ends with CD epochs over all p features), doubled (celer's rule) when the last
    outer iteration did not cut the full duality gap by 10 %."""
    k = 2 * int(np.count_nonzero(w))
    if gap > 0.9 * prev_gap:
        return min(max(2 * ws_size, k), p)
    return min(max(ws_size0, k), p)


_POLISH_MAX = 1500  # largest support solved exactly by the Newton polish
POLISH_EVERY = 50


def _polish(GSS, qS, aS, cS, wS):
    """Newton step on the smooth restriction of the objective to the current support and signs:
    solve ``(G_SS + diag(c_S)) w_S = q_S - a_S sign(w_S)``. Returns the new w_S when it keeps
    every sign (then it is the exact minimizer on that face, with a lower objective), else None.
    This finishes ill-conditioned problems where CD identifies the support quickly but then
    converges at a rate ~ (1 - strong convexity / Lipschitz)."""
    sgn = np.sign(wS)
    A = GSS.copy()
    A[np.diag_indices_from(A)] += cS
    try:
        L = np.linalg.cholesky(A)
    except np.linalg.LinAlgError:
        return None
    z = np.linalg.solve(L, qS - aS * sgn)
    w_new = np.linalg.solve(L.T, z)
    if not np.all(np.isfinite(w_new)) or np.any(np.sign(w_new) != sgn):
        return None
    return w_new


_ACTIVE_SET_MAX_P = 500  # exact active-set finish for small stalled problems


def _active_set(G, q, a, c, w, max_steps):
    """Exact active-set method for ``min 1/2 w'Gw - q'w + a'|w| + 1/2 c'w^2`` (small p).

    Classic primal active-set iteration for the lasso QP (Osborne, Presnell & Turlach 2000):
    solve the stationarity equations on the active set with fixed signs, move toward that
    solution until the first sign crossing (dropping the crossing coordinate), and when the
    face minimizer is reached add the most violating inactive coordinate with the sign of its
    gradient. Finite termination; used when CD stalls on an ill-conditioned problem. Returns
    the new w or None. The caller certifies the result with the duality gap as usual."""
    w = w.copy()
    act = list(np.flatnonzero(w))
    sg = {j: float(np.sign(w[j])) for j in act}
    scale = max(float(np.abs(q).max(initial=0.0)), 1e-300)
    for _ in range(max_steps):
        if act:
            A_idx = np.array(act)
            s_A = np.array([sg[j] for j in act])
            M = G[np.ix_(A_idx, A_idx)].copy()
            M[np.diag_indices_from(M)] += c[A_idx]
            try:
                L = np.linalg.cholesky(M)
            except np.linalg.LinAlgError:
                return None
            target = np.linalg.solve(L.T, np.linalg.solve(L, q[A_idx] - a[A_idx] * s_A))
            cur = w[A_idx]
            bad = (np.sign(target) != s_A) & (target != 0)
            if np.any(bad):
                # first crossing of zero along cur -> target
                with np.errstate(divide="ignore", invalid="ignore"):
                    tj = np.where(bad, cur / (cur - target), np.inf)
                k = int(np.argmin(tj))
                t = float(tj[k])
                if not (t > 0):
                    return None
                w[A_idx] = cur + t * (target - cur)
                drop = A_idx[k]
                w[drop] = 0.0
                act.remove(drop)
                del sg[drop]
                continue
            w[A_idx] = target
        g = q - G @ w - c * w
        viol = np.abs(g) - a
        viol[w != 0] = -np.inf
        if act:
            viol[np.array(act)] = -np.inf
        j = int(np.argmax(viol))
        if viol[j] <= 1e-13 * scale:
            return w
        act.append(j)
        sg[j] = float(np.sign(g[j]))
    return None


def _solve_dense(d: Design, w, a, c, tol_abs, max_iter, gap_decrease=None, anderson_k=5):
    X, xbar, sw, yc = d.X, d.xbar, d.sw, d.yc
    # residual and gradient do not depend on the penalty: a warm start from the previous solve's
    # coefficients (paths) reuses both instead of two passes over X
    prev = d._last_dense
    reuse = prev is not None and np.array_equal(prev[0], w)
    if reuse:
        res = prev[1].copy()
    else:
        res = yc - (X @ w - float(xbar @ w)) if np.any(w) else yc.copy()
    # first working set: larger when a full gradient costs many working-set epochs (wide X)
    ws_size = max(10, min(d.p // 400, 100), 2 * int(np.count_nonzero(w)))
    ws_size0 = ws_size
    n_epochs = 0
    last_polish = last_as = 0
    gap = prev_gap = np.inf

    def obj_ws(r, wv, aa, cc):
        return 0.5 * float(r @ (sw * r)) + float(aa @ np.abs(wv)) + 0.5 * float(cc @ (wv * wv))

    p = d.p
    norms2 = d.norms2
    keep = d.informative  # features not (yet) screened out (reassigned, never modified)
    n_const = p - keep.size
    screened = norms2 == 0
    radius_factor = d.sqrt_norms2 if not c.any() else np.sqrt(norms2 + c)
    score = np.empty(p)
    first = True
    while True:
        u = sw * res
        if reuse:
            corr, reuse = prev[2], False
        elif keep.size == p:
            corr = X.T @ u - xbar * float(u.sum())
        else:
            corr = np.zeros(p)
            corr[keep] = grad_dense(X, xbar, sw, res, keep)
        # gap of the problem restricted to the kept features: screened ones are 0 at the optimum,
        # so the restricted problem has the same optimal value and the gap still bounds
        # P(w) - P* from above
        rss = float(res @ u)
        primal, gap, sc = corr_gap(rss, corr, w, a, c)
        if first:
            tol_abs, first = _tightened(tol_abs, gap, primal, gap_decrease), False
        if gap <= tol_abs or n_epochs >= max_iter:
            d._last_rss = (w, rss)
            if keep.size < p:  # complete X~^T r for the next warm-started solve (paths)
                if 2 * keep.size < p:  # most features screened: one BLAS product
                    corr = X.T @ u - xbar * float(u.sum())
                else:
                    rest = np.flatnonzero(screened).astype(np.int64)
                    corr[rest] = grad_dense(X, xbar, sw, res, rest)
            d._last_dense = (w.copy(), res, corr)
            break
        # gap-safe screening and working-set scores in one pass (see screen_and_score)
        if screen_and_score(corr, w, a, c, sc, gap, radius_factor, screened, score):
            keep = np.flatnonzero(~screened).astype(np.int64)
        if n_epochs - last_as >= 200 and d.p <= _ACTIVE_SET_MAX_P:
            last_as = last_polish = n_epochs
            G = d.G  # small p: the Gram matrix is cheap
            w_as = _active_set(G, d.q, a, c, w, 10 * d.p + 10)
            if w_as is None:
                w_as = _active_set(G, d.q, a, c, np.zeros_like(w), 10 * d.p + 10)
            if w_as is not None:
                w[:] = w_as
                res = yc - (X @ w - float(xbar @ w))
                continue
        S = np.flatnonzero(w) if n_epochs - last_polish >= POLISH_EVERY else np.empty(0, np.int64)
        if 0 < S.size <= _POLISH_MAX:
            last_polish = n_epochs
            B = X[:, S] - xbar[S]
            BS = B * sw[:, None]
            wS = _polish(BS.T @ B, BS.T @ yc, a[S], c[S], w[S])
            if wS is not None:
                res_new = yc - B @ wS
                if obj_ws(res_new, wS, a[S], c[S]) <= obj_ws(res, w[S], a[S], c[S]):
                    w[S] = wS
                    res = res_new
                    continue
        # the support always fits (after an active-set / polish step it may exceed ws_size): the
        # Anderson residual below is rebuilt from the working-set columns only
        ws = _top_features(score, keep, min(max(ws_size, int(np.count_nonzero(w))), max(keep.size, 1)))
        a_ws, c_ws = a[ws], c[ws]
        inner_start = n_epochs
        cycle = 0
        # (slow inner convergence: return to the outer loop every 100 epochs for a polish)
        while n_epochs < max_iter and n_epochs - inner_start < 100:
            # glmnet's active-set cycling inside the working set: every third Anderson cycle
            # sweeps the whole working set, the others only its non-zero coefficients (on large
            # supports the zero half of the working set costs a third of every epoch and
            # rarely changes); the working set holds the whole support, so the Anderson
            # residual can be rebuilt from the swept columns
            cur = ws
            if cycle % 3:
                act = ws[w[ws] != 0.0]
                if 0 < act.size < ws.size:
                    cur = act
            cycle += 1
            a_cur, c_cur = (a_ws, c_ws) if cur is ws else (a[cur], c[cur])
            hist = np.empty((min(anderson_k + 1, max_iter - n_epochs), cur.size))
            cd_dense_record(X, xbar, sw, res, w, cur, a, c, norms2, hist)
            n_epochs += hist.shape[0]
            if hist.shape[0] == anderson_k + 1:
                # Anderson acceleration of CD (Bertrand & Massias 2021): keep it only when it
                # lowers the objective
                ok, w_acc = anderson(hist)
                if ok:
                    res_acc = yc - matvec_cols(X, xbar, w_acc, cur)
                    if obj_ws(res_acc, w_acc, a_cur, c_cur) < obj_ws(res, hist[-1], a_cur, c_cur):
                        w[cur] = w_acc
                        res = res_acc
            if cur is not ws:
                continue  # the working-set gap is checked after full sweeps
            u = sw * res
            corr_ws = grad_dense(X, xbar, sw, res, ws)
            _, gap_ws = duality_gap(float(res @ u), corr_ws, w[ws], a_ws, c_ws)
            if gap_ws <= max(0.3 * gap, 0.5 * tol_abs):
                break
        ws_size = _next_ws_size(ws_size, ws_size0, w, gap, prev_gap, d.p)
        prev_gap = gap
    converged = gap <= tol_abs
    return EnetSolution(w, d.intercept(w), gap, tol_abs, n_epochs, converged,
                        int(np.count_nonzero(screened)) - n_const)


def _solve_gram(d: Design, w, a, c, tol_abs, max_iter, gap_decrease=None):
    G, q = d.G, d.q
    # g = X~^T r = q - G w does not depend on the penalty: a warm start from the previous solve's
    # coefficients (paths) reuses its gradient instead of an O(p^2) product
    prev = d._last_grad
    if prev is not None and np.array_equal(prev[0], w):
        g = prev[1].copy()
    else:
        g = q - G @ w if np.any(w) else q.copy()
    if gap_decrease is not None:
        primal, gap0, _ = corr_gap(d.yy - float(w @ q) - float(w @ g), g, w, a, c)
        tol_abs = _tightened(tol_abs, gap0, primal, gap_decrease)
    all_idx = d.informative
    n_epochs = 0
    while True:
        chunk = min(max_iter - n_epochs, 200)
        gap, k = gram_solve(G, q, d.yy, g, w, all_idx, a, c, tol_abs, chunk)
        n_epochs += k
        if gap <= tol_abs or n_epochs >= max_iter:
            break
        if d.p <= _ACTIVE_SET_MAX_P:
            w_as = _active_set(G, q, a, c, w, 10 * d.p + 10)
            if w_as is None:
                w_as = _active_set(G, q, a, c, np.zeros_like(w), 10 * d.p + 10)
            if w_as is not None:
                w[:] = w_as
                g = q - G @ w
                continue
        S = np.flatnonzero(w)
        if 0 < S.size <= _POLISH_MAX:
            GSS = G[np.ix_(S, S)]
            wS = _polish(GSS, q[S], a[S], c[S], w[S])

            def obj(v, GSS=GSS, S=S):  # 1/2 ||y~ - X~_S v||^2 + penalty, from Gram statistics
                return (0.5 * (d.yy - 2 * float(q[S] @ v) + float(v @ GSS @ v))
                        + float(a[S] @ np.abs(v)) + 0.5 * float(c[S] @ (v * v)))

            if wS is not None and obj(wS) <= obj(w[S]):
                w[S] = wS
                g = q - G[:, S] @ wS
    d._last_grad = (w.copy(), g)
    d.record_gram_rss(w, g)
    converged = gap <= tol_abs
    return EnetSolution(w, d.intercept(w), gap, tol_abs, n_epochs, converged)


def _solve_sparse(d: Design, w, a, c, tol_abs, max_iter, gap_decrease=None):
    Xs = d.Xs
    data, indices, indptr = Xs.data, Xs.indices, Xs.indptr  # int32 or int64: both compiled
    # true residual r = r_st + t * v, with r_st = y~ - Xs w and t = xbar.w
    r_st = d.yt - np.asarray(Xs @ w).ravel() if np.any(w) else d.yt.copy()
    t = float(d.xbar @ w)
    R = np.array([float(d.v @ r_st)])
    ws_size = ws_size0 = max(10, 2 * int(np.count_nonzero(w)))
    n_epochs = 0
    gap = prev_gap = np.inf
    norms2 = d.norms2
    screened = norms2 == 0.0
    keep = d.informative
    radius = d.sqrt_norms2 if not c.any() else np.sqrt(norms2 + c)
    score = np.empty(d.p)
    while True:
        r = r_st + t * d.v
        if 4 * keep.size < 3 * d.p:
            # screened features are 0 at the optimum: the gap of the problem restricted to the
            # kept ones bounds P(w) - P* as well, and their gradient is all that is needed
            R[0] = float(d.v @ r_st)
            corr = np.zeros(d.p)
            corr[keep] = grad_sparse(data, indices, indptr, d.xbar, r_st, R, keep)
        else:
            corr = d.corr(r)
        rss = float(r @ r)
        primal, gap, sc = corr_gap(rss, corr, w, a, c)
        if n_epochs == 0:
            tol_abs = _tightened(tol_abs, gap, primal, gap_decrease)
        if gap <= tol_abs or n_epochs >= max_iter:
            d._last_rss = (w, rss)
            break
        # gap-safe screening and the working-set scores in one numba pass (as in the dense solver)
        if screen_and_score(corr, w, a, c, sc, gap, radius, screened, score):
            keep = np.flatnonzero(~screened).astype(np.int64)
        ws = _top_features(score, keep, min(max(ws_size, int(np.count_nonzero(w))),
                                            max(keep.size, 1)))
        a_ws, c_ws = a[ws], c[ws]
        while n_epochs < max_iter:
            k = min(5, max_iter - n_epochs)
            t += cd_sparse(data, indices, indptr, d.xbar, r_st, R, d.S, w, ws, a, c, norms2, k)
            n_epochs += k
            R[0] = float(d.v @ r_st)  # refresh (rounding drift)
            corr_ws = grad_sparse(data, indices, indptr, d.xbar, r_st, R, ws)
            r = r_st + t * d.v
            gap_ws = corr_gap(float(r @ r), corr_ws, w[ws], a_ws, c_ws)[1]
            if gap_ws <= max(0.3 * gap, 0.5 * tol_abs):
                break
        ws_size = _next_ws_size(ws_size, ws_size0, w, gap, prev_gap, d.p)
        prev_gap = gap
    converged = gap <= tol_abs
    return EnetSolution(w, d.intercept(w), gap, tol_abs, n_epochs, converged)
