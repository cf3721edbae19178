"""Proximal Newton for GLM likelihoods (Bernoulli, Poisson) with elastic-net-form priors.

Minimizes ``F(b0, w) = datafit(b0 + X w) + sum_j a_j |w_j| + c_j / 2 w_j^2`` (the negative log
posterior up to constants). Each outer step is glmnet's IRLS: a weighted least-squares model of
the datafit around the current point (weights = curvature, working response
``z = eta - gradient / curvature``), solved by weighted coordinate descent (any L1 part) or in
closed form (pure L2: this is Newton's method), followed by an Armijo backtracking line search
on F (Lee, Sun & Saunders 2014). Perfectly separable data still converge: the prior keeps F
coercive, so the MAP is finite.

Certificate: the largest KKT violation (distance of minus the datafit gradient to the
penalty's subdifferential, intercept gradient included), relative to the same quantity at the
intercept-only model.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._kernels import col_norms
from .enet import solve_enet
from .ridge import solve_ridge


@dataclass
class GLMSolution:
    coef: np.ndarray
    intercept: float
    kkt: float
    tol_abs: float
    n_iter: int
    converged: bool


def _matvec(X, w):
    return np.asarray(X @ w).ravel()


def _rmatvec(X, g):
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


def kkt_violation(X, g, w, a, c, fit_intercept):
    """Largest KKT violation given the datafit gradient ``g`` (w.r.t. eta) at (b0, w)."""
    gw = _rmatvec(X, g) + c * w
    viol = np.where(w != 0, np.abs(gw + a * np.sign(w)), np.maximum(np.abs(gw) - a, 0.0))
    k = float(viol.max(initial=0.0))
    if fit_intercept:
        k = max(k, abs(float(g.sum())))
    return k


def null_eta(lik, y, sw, fit_intercept):
    """Linear predictor of the intercept-only MLE (0 without intercept)."""
    if not fit_intercept:
        return 0.0
    m = float(sw @ y / sw.sum())
    fam = lik.family
    if fam == "binomial":
        m = min(max(m, 1e-10), 1 - 1e-10)
        return float(np.log(m / (1 - m)))
    if fam == "poisson":
        return float(np.log(max(m, 1e-10)))
    return m


def solve_glm(lik, X, y, sw, a, c, fit_intercept=True, w0=None, b0=None, tol=1e-6, max_iter=100,
              inner_max_iter=10000):
    """Minimize ``datafit(b0 + X w) + sum_j a_j |w_j| + c_j / 2 w_j^2`` (module docstring).

    Pure L2 (``a == 0``): Newton's method, each step exact (Cholesky of the weighted ridge) for
    ``p <= NEWTON_CG_MIN_P`` dense columns; else (or for sparse X) L-BFGS stopped by the KKT
    criterion itself, and, should it stall, truncated Newton-CG (Hessian-vector products only,
    Jacobi preconditioner, forcing term ``min(0.5, sqrt(kkt / kkt_0))``). With an L1 part:
    proximal Newton, inner weighted elastic net by working-set CD. Stops when the KKT violation
    <= ``tol`` x (KKT violation at the intercept-only model). Returns :class:`GLMSolution`.
    """
    n, p = X.shape
    w = np.zeros(p) if w0 is None else np.array(w0, dtype=float)
    eta0 = null_eta(lik, y, sw, fit_intercept)
    b = eta0 if b0 is None else float(b0)
    if not fit_intercept:
        b = 0.0
    # scale of the certificate: KKT size at the intercept-only model (never below 1e-12)
    g_null = lik.gradient(y, np.full(n, eta0), sw)
    scale = max(float(np.abs(_rmatvec(X, g_null)).max(initial=0.0)), 1e-12)
    tol_abs = tol * scale
    pure_l2 = not np.any(a > 0)
    if pure_l2 and (sp.issparse(X) or p > NEWTON_CG_MIN_P):
        return _newton_cg(lik, X, y, sw, c, fit_intercept, w, b, tol_abs, max_iter)

    def pen(wv):
        return float(np.sum(a * np.abs(wv)) + 0.5 * np.sum(c * wv * wv))

    eta = b + _matvec(X, w)
    F = lik.datafit(y, eta, sw) + pen(w)
    kkt = np.inf
    it = 0
    for it in range(1, max_iter + 1):
        g = lik.gradient(y, eta, sw)
        kkt = kkt_violation(X, g, w, a, c, fit_intercept)
        if kkt <= tol_abs:
            it -= 1
            break
        h = lik.curvature(y, eta, sw)
        h = np.maximum(h, 1e-12 * max(float(h.max()), 1e-300))
        z = eta - g / h
        if pure_l2:
            w_new, b_new, _ = solve_ridge(X, z, h, c, fit_intercept)
        else:
            rel = kkt / scale
            # the gap is computed without cancellation (enet._primal_gap), so it can go far below
            # 1e-16 * ||z~||^2: tight KKT targets need inner gaps ~ kkt^2
            inner_tol = min(1e-3, max(1e-30, 0.1 * rel * rel))
            sol = solve_enet(X, z, h, a, c, fit_intercept, w0=w, tol=inner_tol,
                             max_iter=inner_max_iter)
            w_new, b_new = sol.coef, sol.intercept
        dw, db = w_new - w, b_new - b
        if not np.any(dw) and db == 0.0:
            break  # the inner gap cannot resolve this KKT level: finish with the support polish
        # Armijo backtracking on F along the prox-Newton direction
        delta = float(_rmatvec(X, g) @ dw) + float(g.sum()) * db + pen(w_new) - pen(w)
        ls = _armijo(lik, y, sw, pen, eta, w, F, _matvec(X, dw), dw, db, delta)
        if ls is None:
            break
        t, eta, w, F = ls
        b = b + t * db
    else:
        g = lik.gradient(y, eta, sw)
        kkt = kkt_violation(X, g, w, a, c, fit_intercept)
    if np.isfinite(kkt) and kkt > tol_abs:
        g = lik.gradient(y, eta, sw)
        kkt = kkt_violation(X, g, w, a, c, fit_intercept)
    if kkt > tol_abs and np.any(w):
        w, b, kkt, n_pol = _support_polish(lik, X, y, sw, a, c, fit_intercept, w, b, kkt, tol_abs)
        it += n_pol
    return GLMSolution(w, float(b), float(kkt), float(tol_abs), it, bool(kkt <= tol_abs))


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
    wS = w[S].copy()
    fi = 1.0 if fit_intercept else 0.0

    def F(ws, bb):
        return lik.datafit(y, bb + XS @ ws, sw) + float(aS @ (sgn * ws)) + 0.5 * float(cS @ (ws * ws))

    bb = float(b)
    f0 = F(wS, bb)
    steps = 0
    for steps in range(1, max_steps + 1):  # noqa: B007 (returned as the step count)
        eta = bb + XS @ wS
        g = lik.gradient(y, eta, sw)
        h = lik.curvature(y, eta, sw)
        grad = np.r_[XS.T @ g + aS * sgn + cS * wS, g.sum() * fi]
        if np.abs(grad).max() <= 0.01 * tol_abs:
            break
        m = S.size
        H = np.empty((m + 1, m + 1))
        H[:m, :m] = (XS * h[:, None]).T @ XS
        H[np.diag_indices(m)] += cS
        H[:m, m] = H[m, :m] = (XS.T @ h) * fi
        H[m, m] = float(h.sum()) if fit_intercept else 1.0
        try:
            step = -np.linalg.solve(H, grad)
        except np.linalg.LinAlgError:
            break
        # keep signs: largest t <= 1 with sign(wS + t dS) == sgn
        dS = step[:m]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(sgn * dS < 0, -wS / dS, np.inf)
        t = min(1.0, 0.99 * float(ratio.min(initial=np.inf)))
        f_cur = F(wS, bb)
        accepted = False
        for _ in range(40):
            w_t, b_t = wS + t * dS, bb + t * step[m] * fi
            f_t = F(w_t, b_t)
            if np.isfinite(f_t) and f_t <= f_cur + 1e-4 * t * float(grad @ step) + 1e-15 * abs(f_cur):
                accepted = True
                break
            t *= 0.5
        if not accepted:
            break
        wS, bb = w_t, b_t
    if not F(wS, bb) <= f0 + 1e-12 * abs(f0):
        return w, b, kkt, steps
    w_new = np.zeros_like(w)
    w_new[S] = wS
    g = lik.gradient(y, bb + _matvec(X, w_new), sw)
    kkt_new = kkt_violation(X, g, w_new, a, c, fit_intercept)
    if kkt_new < kkt:
        return w_new, bb, kkt_new, steps
    return w, b, kkt, steps


NEWTON_CG_MIN_P = 200


LBFGS_REL = 0.0  # L-BFGS phase until kkt <= max(tol_abs, LBFGS_REL * kkt at the start)


def _lbfgs_phase(lik, X, y, sw, c, fit_intercept, w, b, tol_abs, max_iter=300):
    """L-BFGS (scipy's L-BFGS-B) on the smooth objective: the cheapest way to low accuracy.
    Stops, through the callback, as soon as the KKT violation meets the target."""
    import scipy.optimize as so

    p = w.shape[0]
    fi = 1.0 if fit_intercept else 0.0
    cache = {}

    def fun(z):
        wz, bz = z[:p], z[p] * fi
        eta = bz + _matvec(X, wz) if np.any(wz) else np.full(y.shape[0], bz)
        ge = lik.gradient(y, eta, sw)
        f = lik.datafit(y, eta, sw) + 0.5 * float(c @ (wz * wz))
        g = np.empty(p + 1)
        g[:p] = _rmatvec(X, ge) + c * wz
        g[p] = float(ge.sum()) * fi
        cache["z"], cache["g"] = z.copy(), g
        return f, g

    def kkt_of(z):
        if "z" not in cache or not np.array_equal(cache["z"], z):
            fun(z)
        return float(np.abs(cache["g"]).max())

    target = tol_abs
    if LBFGS_REL > 0:
        target = max(tol_abs, LBFGS_REL * kkt_of(np.concatenate([w, [b]])))

    def cb(intermediate_result):
        if kkt_of(intermediate_result.x) <= target:
            raise StopIteration

    r = so.minimize(fun, np.concatenate([w, [b]]), jac=True, method="L-BFGS-B", callback=cb,
                    options=dict(maxiter=max_iter, gtol=0.0, ftol=0.0, maxcor=10))
    z = r.x
    return z[:p].copy(), float(z[p]) * fi, int(r.nit), kkt_of(z)


def _newton_cg(lik, X, y, sw, c, fit_intercept, w, b, tol_abs, max_iter):
    """L-BFGS until the KKT target (or LBFGS_REL of the start), then, if still needed,
    truncated Newton with preconditioned CG on (b0, w), for a smooth (pure-L2) GLM."""
    n, p = X.shape
    fi = 1.0 if fit_intercept else 0.0
    w, b, n_lbfgs, kkt = _lbfgs_phase(lik, X, y, sw, c, fit_intercept, w, b, tol_abs)
    if kkt <= tol_abs:
        return GLMSolution(w, float(b), float(kkt), float(tol_abs), n_lbfgs, True)
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
    return GLMSolution(w, float(b), float(kkt), float(tol_abs), it + n_lbfgs,
                       bool(kkt <= tol_abs))
