"""Gibbs conditionals of the priors that are Gaussian scale mixtures with a Laplace kernel.

Normal, Laplace, ElasticNetPrior and BayesianLasso share one representation: with a rate
``a_j >= 0`` and a Gaussian precision ``c_j >= 0``,

    p(w_j) ∝ exp(-a_j |w_j| - c_j w_j^2 / 2),
    exp(-a |w|) a / 2 = ∫ N(w; 0, v) Exp(v; rate a^2 / 2) dv        (Andrews & Mallows 1974)

so, augmented by the latent variance ``v_j`` (only where ``a_j > 0``),
``w_j | v_j ~ N(0, 1 / (c_j + 1 / v_j))`` and ``1 / v_j | w_j ~ InverseGaussian(a_j / |w_j|,
a_j^2)`` (Park & Casella 2008). Options, as in the Bayesian lasso:

* ``rel``: the Laplace scale is relative to sigma (``a_j`` is ``a_j / sigma``), so
  ``w_j | v_j, sigma ~ N(0, sigma^2 v_j)``, ``1 / v_j ~ InverseGaussian(a_j sigma / |w_j|, a_j^2)``,
  and the sigma^2 conditional gains ``p`` degrees of freedom and ``sum_j w_j^2 / v_j``;
* ``hyper``: one shared rate ``a = sqrt(lam2)`` with ``lam2 ~ Gamma(r, rate d)``, so
  ``lam2 | v ~ Gamma(r + p, rate d + sum_j v_j / 2)``.

``params = [a (p), c (p), rel, hyper, r, d]``; ``latent = [1 / v (p), lam2]``. These are the
functions of :class:`~bayesreg.priors.base.GibbsFace`.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .base import GibbsFace

__all__ = ["laplace_mixture_face"]


@njit(cache=True, nogil=True)
def inverse_gaussian(mean, shape, rng):
    """InverseGaussian(mean, shape) draw (Michael, Schucany & Haas 1976), written without the
    cancellation of the textbook form so that mean -> inf tends to the Levy limit shape / z^2."""
    z = rng.standard_normal()
    z2 = z * z
    if not np.isfinite(mean):
        return shape / z2
    yv = mean * z2
    root = np.sqrt(yv * yv + 4.0 * shape * yv)
    x = mean * 4.0 * shape * yv / ((yv + root) * (yv + root)) if yv > 0 else mean
    if rng.random() * (mean + x) <= mean:
        return x
    return mean * mean / x


@njit(cache=True, nogil=True)
def _fill_prec(latent, params, prec, sigma):
    p = prec.shape[0]
    pv = 1.0 / (sigma * sigma) if params[2 * p] > 0 else 1.0
    for j in range(p):
        prec[j] = params[p + j] + latent[j] * pv


@njit(cache=True, nogil=True)
def mixture_init(latent, params, prec, sigma, rng):
    """Start the latent precisions at a prior draw, ``v ~ Exp(rate a^2 / 2)``."""
    p = prec.shape[0]
    hyper = params[2 * p + 1] > 0
    lam2 = params[2 * p + 2] / params[2 * p + 3] if hyper else 0.0
    latent[p] = lam2
    for j in range(p):
        aj = np.sqrt(lam2) if hyper else params[j]
        latent[j] = aj * aj / (2.0 * rng.standard_exponential()) if aj > 0 else 0.0
    _fill_prec(latent, params, prec, sigma)


@njit(cache=True, nogil=True)
def mixture_update(latent, params, w, sigma, prec, rng):
    """``1/v_j | w_j[, sigma]`` (inverse Gaussian), then ``lam2 | v`` (Gamma) with a hyperprior."""
    p = prec.shape[0]
    rel = params[2 * p] > 0
    hyper = params[2 * p + 1] > 0
    lam2 = latent[p]
    for j in range(p):
        aj = np.sqrt(lam2) if hyper else params[j]
        if aj > 0:
            aw = abs(w[j])
            num = aj * sigma if rel else aj
            mean = num / aw if aw > 0 else np.inf
            iv = inverse_gaussian(mean, aj * aj, rng)
            latent[j] = iv if iv < 1e300 else 1e300
    if hyper:
        sv = 0.0
        for j in range(p):
            sv += 1.0 / latent[j]
        latent[p] = rng.gamma(params[2 * p + 2] + p, 1.0) / (params[2 * p + 3] + 0.5 * sv)
    _fill_prec(latent, params, prec, sigma)


@njit(cache=True, nogil=True)
def mixture_sigma_terms(latent, params, w, out):
    """The prior's share of the sigma^2 conditional: ``p`` and ``sum_j w_j^2 / v_j`` (rel)."""
    p = w.shape[0]
    if params[2 * p] > 0:
        s = 0.0
        for j in range(p):
            s += w[j] * w[j] * latent[j]
        out[0] = float(p)
        out[1] = s
    else:
        out[0] = 0.0
        out[1] = 0.0


@njit(cache=True, nogil=True)
def mixture_record(latent, params, out):
    """``lam2`` (the only hyperparameter reported, with a hyperprior)."""
    p = (params.shape[0] - 4) // 2
    if out.shape[0] > 0:
        out[0] = latent[p]


def laplace_mixture_face(a, c, rel: bool = False, hyper: tuple[float, float] | None = None
                         ) -> GibbsFace:
    """The :class:`GibbsFace` of ``exp(-a |w| - c w^2 / 2)`` (module docstring)."""
    a = np.asarray(a, dtype=np.float64)
    c = np.asarray(c, dtype=np.float64)
    r, d = hyper if hyper is not None else (1.0, 1.0)
    params = np.concatenate([a, c, [1.0 if rel else 0.0, 1.0 if hyper is not None else 0.0,
                                    float(r), float(d)]])
    return GibbsFace(params=params, n_latent=a.shape[0] + 1, init=mixture_init,
                     update=mixture_update, sigma_terms=mixture_sigma_terms, record=mixture_record)
