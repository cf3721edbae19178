"""Optimality certificates computed independently of both solvers.

Everything here is written from the textbook definitions (no bayesreg or scikit-learn code),
so the same function scores a bayesreg solution and a scikit-learn solution.

Scales (all "n-sum" scale: the objective is a sum over rows, not a mean):

* Gaussian elastic net  P(w, b) = 1/2 ||y - b - X w||^2 + l1 ||w||_1 + l2/2 ||w||^2.
  :func:`enet_gap` returns the duality gap of P at (w, b) (intercept included: the dual
  point is projected onto 1^T theta = 0) divided by ||y - mean(y)||^2, i.e. the quantity
  scikit-learn's ``tol`` and bayesreg's ``tol`` are both compared with.
* GLMs  F(w, b) = sum_i loss(y_i, b + x_i w) + l1 ||w||_1 + l2/2 ||w||^2.
  :func:`glm_kkt` returns the largest violation of the optimality conditions
  (max_j dist(-dF/dw_j, l1 * d|w_j|) and |dF/db|) divided by max_j |x_j^T (mu_null - y)|,
  the same violation at the intercept-only model.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def _mv(X, w):
    return np.asarray(X @ w).ravel()


def _rmv(X, r):
    return np.asarray(X.T @ r).ravel()


def enet_objective(X, y, w, b, l1, l2):
    r = y - b - _mv(X, w)
    return 0.5 * float(r @ r) + l1 * float(np.abs(w).sum()) + 0.5 * l2 * float(w @ w)


def enet_gap(X, y, w, b, l1, l2, fit_intercept=True):
    """Relative duality gap of the (n-sum scale) elastic net at (w, b)."""
    w = np.asarray(w, dtype=float)
    r = y - b - _mv(X, w)
    primal = 0.5 * float(r @ r) + l1 * float(np.abs(w).sum()) + 0.5 * l2 * float(w @ w)
    rc = r - r.mean() if fit_intercept else r
    yc = y - y.mean() if fit_intercept else y
    g = _rmv(X, rc) - l2 * w
    dn = float(np.abs(g).max()) / l1 if l1 > 0 else (0.0 if not np.any(g) else np.inf)
    s = 1.0 if dn <= 1.0 else 1.0 / dn
    dual = s * float(y @ rc) - 0.5 * s * s * (float(rc @ rc) + l2 * float(w @ w))
    return max(primal - dual, 0.0) / float(yc @ yc)


def ridge_kkt(X, y, w, b, l2, fit_intercept=True):
    """Relative gradient norm of 1/2||y - b - Xw||^2 + l2/2||w||^2 (0 at the exact solution)."""
    r = y - b - _mv(X, w)
    g = -_rmv(X, r) + l2 * w
    k = float(np.abs(g).max())
    if fit_intercept:
        k = max(k, abs(float(r.sum())))
    yc = y - y.mean() if fit_intercept else y
    return k / float(np.abs(_rmv(X, yc)).max())


def _loss_grad(family, y, eta):
    if family == "binomial":
        mu = 1.0 / (1.0 + np.exp(-eta))
        loss = np.logaddexp(0.0, eta) - y * eta
    else:
        mu = np.exp(eta)
        loss = mu - y * eta
    return float(loss.sum()), mu - y


def glm_objective(family, X, y, w, b, l1, l2):
    eta = b + _mv(X, w)
    f, _ = _loss_grad(family, y, eta)
    return f + l1 * float(np.abs(w).sum()) + 0.5 * l2 * float(w @ w)


def glm_kkt(family, X, y, w, b, l1, l2, fit_intercept=True):
    """Relative KKT violation of sum loss + l1|w|_1 + l2/2|w|^2 at (w, b)."""
    w = np.asarray(w, dtype=float)
    eta = b + _mv(X, w)
    _, g = _loss_grad(family, y, eta)
    gw = _rmv(X, g) + l2 * w
    viol = np.where(w != 0, np.abs(gw + l1 * np.sign(w)), np.maximum(np.abs(gw) - l1, 0.0))
    k = float(viol.max())
    if fit_intercept:
        k = max(k, abs(float(g.sum())))
    m = float(y.mean()) if fit_intercept else None
    if family == "binomial":
        mu0 = np.full_like(y, m if m is not None else 0.5)
    else:
        mu0 = np.full_like(y, m if m is not None else 1.0)
    return k / float(np.abs(_rmv(X, mu0 - y)).max())


def is_sparse(X) -> bool:
    return sp.issparse(X)
