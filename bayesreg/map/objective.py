"""The one copy of the maths every MAP backend reports: log posterior, objective, certificates.

For a model ``y ~ likelihood(b0 + X w)``, ``w_j ~ prior``, flat ``b0`` and free likelihood
parameters ``theta`` (the Gaussian's sigma when estimated)::

    log_posterior = sum_i sw_i log p(y_i | b0 + x_i w, theta) + sum_j log p(w_j) + log p(theta)
    objective     = datafit(b0 + X w) + penalty(w)  [+ sum(sw) log sigma - log p(sigma)]
                  = -log_posterior - penalty.log_normalizer() + likelihood.loglik_constant(y, sw)

(every constant of the likelihood and prior in ``log_posterior``, no Jacobian: the value of
PyMC's ``model.logp(jacobian=False)`` at the same point).

Certificates:

* :func:`duality_gap`: the elastic-net duality gap (augmented-lasso dual, as scikit-learn's
  ``enet_coordinate_descent``) computed without cancellation, an upper bound in nats on
  ``objective - min objective`` for Gaussian likelihoods;
* :func:`kkt_violation`: the largest distance of minus the datafit gradient to the penalty's
  subdifferential (intercept gradient and free-parameter stationarity included).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._glm_kernels import kkt_xg
from ._kernels import corr_gap

__all__ = ["log_posterior", "objective", "duality_gap", "kkt_violation", "kkt_at", "kkt_weights",
           "kkt_from_xg",
           "check_representable", "certified"]

_ADVICE = ("Rescale the data (e.g. standardize the columns of X and y) and the prior scales and "
           "sigma with them: the model is then the same up to units, and every quantity fits in "
           "double precision.")


def check_representable(what: str, **values) -> None:
    """Raise a DataError when any of ``values`` (scalars or arrays) is NaN or infinite: the MAP
    of this model, or its log posterior or certificate, does not fit in double precision."""
    from .._errors import DataError

    bad = [k for k, v in values.items() if not _finite(v)]
    if bad:
        raise DataError(f"{what}: {', '.join(bad)} not finite in double precision (the scales of "
                        f"X, y, sigma or the prior are extreme). {_ADVICE}")


def _finite(v) -> bool:
    if isinstance(v, (float, int)):  # Python and NumPy scalars (np.float64 is a float)
        return math.isfinite(v)
    v = np.asarray(v, dtype=float)
    # a finite sum proves every entry finite; an overflowing sum takes the exact test
    return math.isfinite(float(v.sum())) or bool(np.isfinite(v).all())


def certified(optimality: float, tol_abs: float) -> bool:
    """``converged``: a finite certificate below a finite, positive tolerance."""
    return bool(math.isfinite(optimality) and math.isfinite(tol_abs) and tol_abs > 0
                and optimality <= tol_abs)


def log_posterior(lik, prior, coef, intercept, *, y=None, sw=None, X=None, eta=None,
                  rss: float | None = None, wsum: float | None = None,
                  free: dict[str, Any] | None = None) -> float:
    """Exact un-normalized log posterior (see the module docstring).

    ``lik`` is the resolved likelihood (data defaults fixed), ``free`` the values of its free
    parameters (bound for the log-likelihood, and scored by their prior). The log-likelihood
    comes from, in order of preference: ``rss`` (the weighted residual sum of squares, for
    likelihoods with ``loglik_from_rss``: no pass over X), ``eta`` (the linear predictor), or
    ``intercept + X @ coef``."""
    prior_free = lik
    lik = lik.bind(**(free or {}))
    if rss is not None and hasattr(lik, "loglik_from_rss"):
        ll = float(lik.loglik_from_rss(rss, float(sw.sum()) if wsum is None else wsum))
    else:
        if eta is None:
            from .enet import xw

            eta = intercept + xw(X, coef)
        ll = float(sw @ lik.loglik(y, eta))
    lp = ll + float(np.sum(prior.logpdf(coef)))
    if free:
        lp += float(prior_free.free_logprior(**free))
    return lp


def objective(lp: float, log_normalizer: float, lik_constant: float) -> float:
    """``-log_posterior - log_normalizer + loglik_constant`` (module docstring)."""
    return -lp - log_normalizer + lik_constant


def duality_gap(rr: float, corr: np.ndarray, w: np.ndarray, a: np.ndarray, c: np.ndarray
                ) -> tuple[float, float]:
    """``(primal, gap)`` of ``min 1/2 ||y~ - X~ w||^2 + sum a|w| + c/2 w^2``.

    ``rr = ||r||^2`` and ``corr = X~^T r`` at the residual ``r = y~ - X~ w``. With
    ``g_j = corr_j - c_j w_j`` the dual point is ``theta = s [r; -sqrt(c) w]``,
    ``s = min(1, min_j a_j / |g_j|)``; the dual is written with ``y~.r = w.corr + rr`` (exact for
    that r) so that no term of size ``||y~||^2`` cancels: the gap stays accurate to rounding of
    its own size, which tight certificates and prox-Newton's inner problems need (numba kernel
    :func:`~bayesreg.map._kernels.corr_gap`)."""
    primal, gap, _ = corr_gap(float(rr), np.ascontiguousarray(corr, dtype=np.float64),
                              np.ascontiguousarray(w, dtype=np.float64), a, c)
    return primal, gap


def kkt_at(penalty, grad_w: np.ndarray, w: np.ndarray, grad_b: float | None = None,
           free_violation: float = 0.0) -> float:
    """Largest KKT violation given the datafit gradient in w (``X^T g``), the intercept's
    gradient (None without an intercept) and a free parameter's stationarity violation."""
    k = float(np.max(penalty.subdiff_distance(w, grad_w), initial=0.0))
    if grad_b is not None:
        k = max(k, abs(float(grad_b)))
    return max(k, float(free_violation))


def kkt_violation(lik, penalty, X, y, sw, coef, intercept, fit_intercept: bool = True,
                  free: dict[str, Any] | None = None) -> float:
    """Largest violation of the first-order optimality (KKT) conditions of the log posterior.

    For each coefficient, the distance from ``-d datafit / d w_j`` to the subdifferential of
    the penalty at ``w_j``; for the intercept, ``|d loglik / d b|``; for a free Gaussian sigma,
    ``|d log posterior / d log sigma|``. Zero exactly at a stationary point; units are nats per
    unit parameter. ``lik`` is the resolved likelihood; ``free`` the free parameters' values."""
    coef = np.asarray(coef, dtype=float)
    eta = intercept + np.asarray(X @ coef).ravel()
    bound = lik.bind(**(free or {}))
    g = bound.gradient(y, eta, sw)
    grad_w = np.asarray(X.T @ g).ravel()
    fv = lik.free_stationarity(y, eta, sw, **free) if free else 0.0
    return kkt_at(penalty, grad_w, coef, float(g.sum()) if fit_intercept else None, fv)


def kkt_weights(X, g, w, a, c, fit_intercept: bool) -> float:
    """:func:`kkt_at` for the separable elastic-net penalty given by its weights ``(a, c)``, from
    the datafit gradient ``g`` with respect to eta (the GLM solvers' inner certificate)."""
    gw = (np.asarray(X.T @ g.astype(np.float32), dtype=np.float64).ravel()
          if getattr(X, "dtype", None) == np.float32 else np.asarray(X.T @ g).ravel())
    return kkt_from_xg(gw, float(g.sum()), w, a, c, fit_intercept)


def kkt_from_xg(xg, g_sum: float, w, a, c, fit_intercept: bool) -> float:
    """:func:`kkt_weights` from ``xg = X^T g`` and ``g_sum = sum g`` already at hand (one pass
    over p, numba kernel :func:`~bayesreg.map._glm_kernels.kkt_xg`)."""
    return float(kkt_xg(np.ascontiguousarray(xg, dtype=np.float64), float(g_sum),
                        np.ascontiguousarray(w, dtype=np.float64), a, c, bool(fit_intercept)))
