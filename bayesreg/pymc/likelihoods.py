"""PyMC faces of the bayesreg likelihoods.

=====================  =======================================================================
likelihood             PyMC form (``eta = intercept + X @ coef``)
=====================  =======================================================================
Gaussian, row-wise     ``pm.Normal("y", mu=eta, sigma=sigma, observed=y)``
Gaussian, suff. stats  ``pm.Potential("loglik", -rss / (2 sigma^2) - W (log sigma + log(2 pi)/2))``
                       with ``rss`` from ``(Xc^T W Xc, Xc^T W yc, yc^T W yc, W)`` (see
                       :func:`gaussian_suff_stats`)
Bernoulli              ``pm.Bernoulli("y", logit_p=eta, observed=y)``
Poisson                ``pm.Poisson("y", mu=exp(eta), observed=y)``
any, sample weights    ``pm.Potential("loglik", sum_i sw_i log p(y_i | eta_i))``
=====================  =======================================================================

The sufficient-statistics form is exact, not an approximation: with weighted column means
``xbar = X^T W 1 / W``, ``ybar = y^T W 1 / W`` and centered ``Xc = X - xbar``, ``yc = y - ybar``,

    sum_i sw_i (y_i - b - x_i w)^2 = yc^T W yc - 2 w^T Xc^T W yc + w^T Xc^T W Xc w + W c^2,
    c = b - ybar + xbar^T w,

because ``Xc^T W 1 = 0`` and ``yc^T W 1 = 0``. Centering first keeps the expansion free of
catastrophic cancellation. A gradient costs O(p^2) instead of O(n p).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pymc as pm
import pytensor.tensor as pt
import scipy.sparse as sp

from ..likelihoods import Bernoulli, Gaussian, Likelihood, Poisson

__all__ = ["GaussianSuffStats", "gaussian_suff_stats", "add_likelihood", "rowwise_loglik"]

_LOG_2PI = float(np.log(2 * np.pi))


@dataclass(frozen=True)
class GaussianSuffStats:
    """Weighted, centered sufficient statistics of a Gaussian linear model."""

    XtWX: np.ndarray  # Xc^T W Xc, (p, p)
    XtWy: np.ndarray  # Xc^T W yc, (p,)
    yWy: float  # yc^T W yc
    W: float  # sum of weights
    xbar: np.ndarray  # weighted column means, (p,)
    ybar: float  # weighted mean of y


def gaussian_suff_stats(X, y: np.ndarray, sw: np.ndarray) -> GaussianSuffStats:
    """Centered sufficient statistics ``(Xc^T W Xc, Xc^T W yc, yc^T W yc, W, xbar, ybar)``.

    ``X`` may be dense or scipy.sparse (it is never densified). ``W = sum(sw)``.
    """
    W = float(sw.sum())
    ybar = float(sw @ y) / W
    yc = y - ybar
    if sp.issparse(X):
        xbar = np.asarray(X.T @ sw).ravel() / W
        XtW = X.T.multiply(sw).tocsr()
        XtWX = np.asarray((XtW @ X).todense()) - W * np.outer(xbar, xbar)
        XtWy = np.asarray(XtW @ yc).ravel()  # sum_i sw_i yc_i = 0 kills the xbar term
    else:
        xbar = (sw @ X) / W
        Xc = X - xbar
        XcW = Xc * sw[:, None]
        XtWX = Xc.T @ XcW
        XtWy = XcW.T @ yc
    XtWX = 0.5 * (XtWX + XtWX.T)
    return GaussianSuffStats(XtWX=XtWX, XtWy=XtWy, yWy=float(sw @ (yc * yc)), W=W, xbar=xbar,
                             ybar=ybar)


def suff_stats_loglik(ss_data: dict, coef, intercept, sigma):
    """Sum of the weighted Gaussian log-likelihood from the sufficient statistics (PyTensor).

    ``-rss / (2 sigma^2) - W * (log sigma + log(2 pi) / 2)`` with rss as in the module docstring.
    """
    c = intercept - ss_data["ybar"] + pt.dot(ss_data["xbar"], coef)
    rss = (ss_data["yWy"] - 2.0 * pt.dot(coef, ss_data["XtWy"])
           + pt.dot(coef, pt.dot(ss_data["XtWX"], coef)) + ss_data["W"] * c * c)
    return -0.5 * rss / sigma**2 - ss_data["W"] * (pt.log(sigma) + 0.5 * _LOG_2PI)


def rowwise_loglik(lik: Likelihood, y, eta, sigma=None):
    """Row-wise log p(y_i | eta_i) as a PyTensor graph (every constant included)."""
    if isinstance(lik, Gaussian):
        return pm.logp(pm.Normal.dist(mu=eta, sigma=sigma), y)
    if isinstance(lik, Bernoulli):
        return pm.logp(pm.Bernoulli.dist(logit_p=eta), y)
    if isinstance(lik, Poisson):
        return pm.logp(pm.Poisson.dist(mu=pt.exp(eta)), y)
    raise TypeError(f"no PyMC form for likelihood {type(lik).__name__}")


def add_likelihood(lik: Likelihood, eta, y_data, sigma=None, sw_data=None, observed: bool = True):
    """Add the row-wise likelihood of ``y_data`` to the current model.

    Without sample weights (``sw_data is None``) this is the observed variable ``"y"``
    (``dims="obs_id"``); with weights, ``pm.Potential("loglik", sum_i sw_i log p(y_i | eta_i))``.
    """
    if sw_data is None and observed:
        if isinstance(lik, Gaussian):
            return pm.Normal("y", mu=eta, sigma=sigma, observed=y_data, dims="obs_id")
        if isinstance(lik, Bernoulli):
            return pm.Bernoulli("y", logit_p=eta, observed=y_data, dims="obs_id")
        if isinstance(lik, Poisson):
            return pm.Poisson("y", mu=pt.exp(eta), observed=y_data, dims="obs_id")
        raise TypeError(f"no PyMC form for likelihood {type(lik).__name__}")
    ll = rowwise_loglik(lik, y_data, eta, sigma)
    if sw_data is not None:
        ll = sw_data * ll
    return pm.Potential("loglik", pt.sum(ll))
