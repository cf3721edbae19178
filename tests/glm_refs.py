"""Independent GLM references shared by the GLM solver tests: the datafit and its gradient,
the KKT violation of the penalized problem, and scipy's L-BFGS-B on the smooth split-variable
reformulation (w = u - v, u, v >= 0). Written from the textbook definitions; no bayesreg code."""

import numpy as np
import scipy.optimize as so
import scipy.sparse as sp


def loss_grad(family, X, y, w, b):
    eta = b + X @ w
    if family == "binomial":
        mu = 1 / (1 + np.exp(-eta))
        f = float(np.sum(np.logaddexp(0, eta) - y * eta))
    else:
        mu = np.exp(eta)
        f = float(np.sum(mu - y * eta))
    return f, mu - y


def grad_w(family, X, y, w, b, c):
    X = X.toarray() if sp.issparse(X) else X
    _, g = loss_grad(family, X, y, w, b)
    return X.T @ g + c * w, float(g.sum())


def kkt(family, X, y, w, b, a, c, fit_intercept=True):
    gw, gb = grad_w(family, X, y, w, b, c)
    viol = np.where(w != 0, np.abs(gw + a * np.sign(w)), np.maximum(np.abs(gw) - a, 0.0))
    k = float(viol.max())
    return max(k, abs(gb)) if fit_intercept else k


def scipy_ref(family, X, y, a, c, fit_intercept=True):
    """L-BFGS-B on w = u - v (u, v >= 0): smooth, bound-constrained, independent of bayesreg."""
    X = X.toarray() if sp.issparse(X) else X
    p = X.shape[1]

    def f(z):
        u, v, b = z[:p], z[p:2 * p], (z[-1] if fit_intercept else 0.0)
        w = u - v
        val, g = loss_grad(family, X, y, w, b)
        gw = X.T @ g + c * w
        val += float(a @ (u + v)) + 0.5 * float(c @ (w * w))
        return val, np.concatenate([gw + a, -gw + a, [g.sum() if fit_intercept else 0.0]])

    r = so.minimize(f, np.zeros(2 * p + 1), jac=True, method="L-BFGS-B",
                    bounds=[(0, None)] * (2 * p) + [(None, None)],
                    options=dict(maxiter=100_000, maxfun=200_000, gtol=1e-12, ftol=0.0))
    return r.x[:p] - r.x[p:2 * p], (float(r.x[-1]) if fit_intercept else 0.0)
