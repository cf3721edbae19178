"""Warm-started regularization paths over the prior's strength."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._errors import ParameterError
from ..likelihoods import Gaussian
from .enet import Design, fortran_columns
from .glm import null_eta
from .result import MAPPath
from .solve import default_names, fit_map


def max_strength(lik, prior, X, y, sw, fit_intercept, design=None) -> float | None:
    """Smallest penalty multiplier at which w = 0 is the MAP (L1 priors), from the KKT conditions
    at the intercept-only model: ``c_max = max_j |x~_j^T g_null| / l1_j``. None without an L1 part.
    ``design``: a prebuilt :class:`Design` of (X, y, sw) to reuse (Gaussian)."""
    n, p = X.shape
    if isinstance(lik, Gaussian):
        sigma = lik.sigma
        if sigma is None:  # sigma at the intercept-only joint mode
            ybar = float(sw @ y / sw.sum()) if fit_intercept else 0.0
            rss = float(sw @ (y - ybar) ** 2)
            sigma = Gaussian.sigma_update(rss, float(sw.sum()), lik.resolve_sigma_prior_scale(y, sw))
        d = design if design is not None else Design(X, y, sw, fit_intercept, use_gram=False)
        grad0 = d.corr(d.yt) / sigma**2
    else:
        eta0 = null_eta(lik, y, sw, fit_intercept)
        g = lik.gradient(y, np.full(n, eta0), sw)
        grad0 = -np.asarray(X.T @ g).ravel()
    return prior.zero_threshold(np.abs(grad0))


def _ridge_reference(X, sw, prior) -> float:
    """A strength at which a pure-L2 prior shrinks every direction ~100x."""
    p = X.shape[1]
    _, l2 = prior.penalty_weights(p)
    if hasattr(X, "multiply"):
        tr = float(np.asarray(X.multiply(X).T @ sw).sum())
    else:
        tr = float(np.einsum("ij,ij,i->", X, X, sw))
    return 100.0 * max(tr, 1e-12) / float(np.min(l2))


def _path_design(lik, X, y, sw, fit_intercept, n_points):
    """One centered design for a fixed-sigma Gaussian path (None otherwise). With n >> p and a
    path of 10+ points the Gram matrix is built up front (every solve is then O(p) per changed
    coefficient, and X is never copied to Fortran order); otherwise the design decides."""
    if not isinstance(lik, Gaussian) or lik.estimates_sigma:
        return None
    n, p = X.shape
    dense_gram = not sp.issparse(X) and n >= 2 * p and p <= 4000 and n_points >= 10
    return Design(X, y, sw, fit_intercept, use_gram=True if dense_gram else None)


def fit_path(lik, prior, X, y, sw, fit_intercept=True, feature_names=None, scales=None,
             n_scales=100, eps=1e-3, tol=1e-6, max_iter=None) -> MAPPath:
    """Fit the MAP for a decreasing sequence of prior strengths, each warm-started from the last."""
    p = X.shape[1]
    prior.check_n_coef(p)
    ref = np.max(np.atleast_1d(prior.path_scale))
    if scales is not None:
        scales = np.atleast_1d(np.asarray(scales, dtype=float))
        if scales.ndim != 1 or scales.size == 0 or np.any(~np.isfinite(scales)) or np.any(scales <= 0):
            raise ParameterError("scales must be a non-empty 1-D array of finite positive prior scales.")
        scales = np.sort(scales)  # small scale = strong prior first
        strengths = np.array([prior.strength_for_scale(s, ref) for s in scales])
        design = _path_design(lik, X, y, sw, fit_intercept, scales.size)
    else:
        if n_scales < 1:
            raise ParameterError(f"n_scales must be >= 1, got {n_scales}.")
        if not (0 < eps < 1):
            raise ParameterError(f"eps must be in (0, 1), got {eps}.")
        design = _path_design(lik, X, y, sw, fit_intercept, n_scales)
        c_max = max_strength(lik, prior, X, y, sw, fit_intercept, design)
        if c_max is None:
            c_max = _ridge_reference(X, sw, prior)
            eps = min(eps, 1e-5)
        c_max = max(c_max, 1e-300)
        strengths = c_max * np.logspace(0, np.log10(eps), n_scales)
    if not isinstance(lik, Gaussian) and np.any(prior.penalty_weights(p)[0] > 0):
        X = fortran_columns(X)  # once for the whole path (every prox-Newton step reads columns)
    names = list(feature_names) if feature_names is not None else list(default_names(p))
    results, priors = [], []
    w0 = b0 = sigma0 = None
    for c in strengths:
        pr = prior.with_strength(float(c))
        res = fit_map(lik, pr, X, y, sw, fit_intercept, names, tol=tol, max_iter=max_iter,
                      w0=w0, b0=b0, sigma0=sigma0, design=design,
                      glm_method="auto" if w0 is None else "prox_newton", checked=w0 is not None)
        w0, b0, sigma0 = res.coef.copy(), res.intercept, res.sigma
        results.append(res)
        priors.append(pr)
    out_scales = np.array([float(np.max(np.atleast_1d(pr.path_scale))) for pr in priors])
    return MAPPath(strengths=np.asarray(strengths), scales=out_scales, priors=priors, results=results)
