"""KL projections of posterior draws onto submodels (the numerical core of ``project``).

For a reference draw with mean ``mu_s`` (and noise variance ``sigma_s^2``) and a submodel with
columns ``T`` (plus the intercept), the KL projection minimizes over the submodel's parameters
the cross-entropy ``sum_i sw_i E_{y ~ p(. | mu_si)}[-log p_sub(y | eta_i)]``:

* least squares (Gaussian, the ``quadratic_weight`` face): the weighted least-squares fit of
  ``mu_s`` on ``[1, X_T]``; the noise variance projects to
  ``sigma_perp^2 = sigma_s^2 + sum_i sw_i (mu_si - eta_si)^2 / sum_i sw_i``;
* any other likelihood (canonical-link GLMs: the log density is linear in y, so the expectation
  is the log density at ``y = mu_s``): the maximum-likelihood GLM fit to the *fractional*
  response ``mu_s``, by Newton / IRLS with a backtracking line search, vectorized over draws
  (faces ``loglik``, ``gradient``, ``curvature``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from .._errors import ConvergenceWarning

LOG_2PI_E = float(np.log(2.0 * np.pi) + 1.0)


@dataclass
class Projected:
    """Projected parameters of ``S`` draws: ``intercept`` (S,), ``coef`` (S, k), ``eta`` (S, n),
    ``sigma`` (S,) or None, ``loss`` (S,): the cross-entropy of each draw (nats, summed over
    rows, up to a constant that depends on the reference only)."""

    intercept: np.ndarray
    coef: np.ndarray
    eta: np.ndarray
    sigma: np.ndarray | None
    loss: np.ndarray


def design(Xd: np.ndarray, cols, fit_intercept: bool) -> np.ndarray:
    """``[1, X_T]`` (intercept column first) or ``X_T``."""
    A = Xd[:, list(cols)]
    if fit_intercept:
        A = np.column_stack([np.ones(Xd.shape[0]), A])
    return A


def _split(beta: np.ndarray, fit_intercept: bool):
    if fit_intercept:
        return beta[:, 0].copy(), beta[:, 1:].copy()
    return np.zeros(beta.shape[0]), beta.copy()


def project_ls(A, sw, M, sig2, fit_intercept) -> Projected:
    """Least-squares projection of the rows of ``M`` (S, n) onto the columns of ``A``."""
    S, n = M.shape
    sws = float(sw.sum())
    if A.shape[1] == 0:
        beta = np.zeros((S, 0))
        eta = np.zeros_like(M)
    else:
        r = np.sqrt(sw)
        Aw, Mw = A * r[:, None], (M * r).T
        Q, R = np.linalg.qr(Aw)
        d = np.abs(np.diag(R))
        if d.min() > 1e-10 * d.max():  # full column rank: QR (fast with many right-hand sides)
            from scipy.linalg import solve_triangular

            beta = solve_triangular(R, Q.T @ Mw).T
        else:  # rank deficient: the minimum-norm solution
            beta = np.linalg.lstsq(Aw, Mw, rcond=None)[0].T
        eta = beta @ A.T
    s2 = sig2 + ((M - eta) ** 2) @ sw / sws
    b, w = _split(beta, fit_intercept)
    return Projected(b, w, eta, np.sqrt(s2), 0.5 * sws * (np.log(s2) + LOG_2PI_E))


def cross_entropy(lik, M, eta, sw) -> np.ndarray:
    """``-sum_i sw_i log p(y = mu_si | eta_si)`` per draw (S,)."""
    return -(lik.loglik(M, eta) @ sw)


def _newton_step(lik, A, sw, M, eta):
    g = lik.gradient(M, eta, sw) @ A
    h = lik.curvature(M, eta, sw)
    H = np.matmul((A[None, :, :] * h[:, :, None]).transpose(0, 2, 1), A)
    k = A.shape[1]
    ridge = 1e-14 * np.maximum(np.trace(H, axis1=1, axis2=2), 1e-300)
    H = H + ridge[:, None, None] * np.eye(k)
    try:
        step = np.linalg.solve(H, g[..., None])[..., 0]
    except np.linalg.LinAlgError:
        step = np.matmul(np.linalg.pinv(H), g[..., None])[..., 0]
    return g, step


def project_glm(lik, A, sw, M, beta0, fit_intercept, tol: float = 1e-11,
                max_iter: int = 100) -> Projected:
    """GLM fit to the fractional responses ``M`` (S, n) from ``beta0`` (S, k), per row."""
    S = M.shape[0]
    if A.shape[1] == 0:
        eta = np.zeros_like(M)
        return Projected(np.zeros(S), np.zeros((S, 0)), eta, None, cross_entropy(lik, M, eta, sw))
    beta = np.array(beta0, dtype=float)
    eta = beta @ A.T
    f = cross_entropy(lik, M, eta, sw)
    converged = False
    for _ in range(max_iter):
        g, step = _newton_step(lik, A, sw, M, eta)
        dec = np.sum(g * step, axis=1)  # the squared Newton decrement (>= 0)
        small = np.max(np.abs(step), axis=1) <= tol * (1.0 + np.max(np.abs(beta), axis=1))
        if np.all(small):
            converged = True
            break
        # near the optimum (decrement below the rounding of f) the full Newton step is taken:
        # the line search could not resolve a decrease there
        near = dec <= 1e-9 * (1.0 + np.abs(f))
        idx = np.flatnonzero(near & ~small)
        beta[idx] -= step[idx]
        eta[idx] = beta[idx] @ A.T
        f[idx] = cross_entropy(lik, M[idx], eta[idx], sw)
        t = np.ones(S)
        todo = ~near & ~small
        for _ in range(40):
            idx = np.flatnonzero(todo)
            if idx.size == 0:
                break
            bt = beta[idx] - t[idx, None] * step[idx]
            et = bt @ A.T
            ft = cross_entropy(lik, M[idx], et, sw)
            ok = ft <= f[idx] - 1e-4 * t[idx] * dec[idx]
            acc = idx[ok]
            beta[acc], eta[acc], f[acc] = bt[ok], et[ok], ft[ok]
            todo[acc] = False
            t[idx[~ok]] *= 0.5
    if not converged:
        warnings.warn(f"the KL projection (IRLS) did not converge in {max_iter} iterations; the "
                      "projected draws may be inaccurate (near-collinear columns?).",
                      ConvergenceWarning, stacklevel=3)
    b, w = _split(beta, fit_intercept)
    return Projected(b, w, eta, None, f)


def glm_start(lik, A, sw, M, eta0) -> np.ndarray:
    """Starting point: the curvature-weighted least-squares fit of the reference ``eta0``."""
    S = M.shape[0]
    if A.shape[1] == 0:
        return np.zeros((S, 0))
    h = lik.curvature(M, eta0, sw)
    H = np.matmul((A[None, :, :] * h[:, :, None]).transpose(0, 2, 1), A)
    rhs = (h * eta0) @ A
    H = H + 1e-12 * np.maximum(np.trace(H, axis1=1, axis2=2), 1e-300)[:, None, None] * np.eye(A.shape[1])
    try:
        return np.linalg.solve(H, rhs[..., None])[..., 0]
    except np.linalg.LinAlgError:
        return np.matmul(np.linalg.pinv(H), rhs[..., None])[..., 0]


def project(ref_lik, least_squares, Xd, cols, fit_intercept, sw, M, eta0, sig2,
            beta0=None) -> Projected:
    """KL projection of the reference rows ``M`` (means), ``eta0`` (linear predictors, the GLM
    start) and ``sig2`` (noise variances, least squares) onto the columns ``cols``."""
    A = design(Xd, cols, fit_intercept)
    if least_squares:
        return project_ls(A, sw, M, sig2, fit_intercept)
    if beta0 is None:
        beta0 = glm_start(ref_lik, A, sw, M, eta0)
    return project_glm(ref_lik, A, sw, M, beta0, fit_intercept)


class GaussianGram:
    """Least-squares projections of a few reference rows (clusters) from the weighted Gram
    matrix: after one O(n p^2) pass, a submodel of size k costs O(k^3 + k^2 C), not O(n)."""

    def __init__(self, Xd, sw, M, sig2, weights, fit_intercept):
        self.sws = float(sw.sum())
        if fit_intercept:
            xm = sw @ Xd / self.sws
            Xc = Xd - xm
            Mc = M - (M @ sw / self.sws)[:, None]
        else:
            Xc, Mc = Xd, M
        Xw = Xc * sw[:, None]
        self.G = Xc.T @ Xw
        self.B = Xw.T @ Mc.T  # (p, C)
        self.mm = (Mc * Mc) @ sw
        self.sig2 = sig2
        self.weights = weights

    def loss(self, cols) -> float:
        """Weighted cross-entropy ``sum_c weight_c * sws / 2 * (log(2 pi e sigma_perp_c^2))``."""
        cols = list(cols)
        if cols:
            G = self.G[np.ix_(cols, cols)]
            B = self.B[cols]
            try:
                beta = np.linalg.solve(G, B)
            except np.linalg.LinAlgError:
                beta = np.linalg.lstsq(G, B, rcond=None)[0]
            rss = self.mm - np.sum(B * beta, axis=0)
        else:
            rss = self.mm
        s2 = self.sig2 + np.maximum(rss, 0.0) / self.sws
        return float(self.weights @ (0.5 * self.sws * (np.log(s2) + LOG_2PI_E)))
