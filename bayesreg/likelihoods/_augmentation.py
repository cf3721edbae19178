"""Data-augmentation Gibbs faces: a likelihood as a Gaussian mixture in per-row latents.

A likelihood declares ``gibbs_augmentation(y, sw)`` when, given per-row latent variables
``u_i``, its joint density in the linear predictor is Gaussian::

    p(y_i, u_i | eta_i, free) ∝ N(z_i; eta_i, 1 / v_i) x (factors free of eta_i)

with a working response ``z_i`` and a precision ``v_i`` that depend on ``u_i`` and the free
parameters only. The Gibbs sampler (:mod:`bayesreg.samplers.gibbs`) then draws the
coefficients from the Gaussian conditional of every prior's Gibbs face with the pseudo-data
``(z, v)`` (sigma = 1 in the coefficient step: the noise scale is in ``v``), and the latents and
free parameters from the likelihood's own conditionals:

* :class:`~bayesreg.StudentT`: ``u_i = lambda_i ~ Gamma(nu/2, nu/2)``,
  ``y_i | lambda_i ~ N(eta_i, sigma^2 / lambda_i)``: ``z = y``, ``v = lambda / sigma^2``;
* :class:`~bayesreg.Bernoulli`, :class:`~bayesreg.Binomial`: Polya-gamma (Polson, Scott &
  Windle 2013): ``u_i = omega_i ~ PG(b_i, eta_i)``, ``b_i = sw_i n_i``,
  ``kappa_i = sw_i (y_i - n_i / 2)``: ``z = kappa / omega``, ``v = omega``
  (:func:`polya_gamma_face`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .._errors import NotSupportedError

__all__ = ["AugmentedGibbsFace", "polya_gamma_face", "slice_1d"]


class AugmentedGibbsFace(NamedTuple):
    """A likelihood's data-augmentation conditionals (plain Python callables, y and sw bound).

    Attributes
    ----------
    free_names : tuple of str
        The free parameters the face draws (``lik.free_params``).
    start : ``(eta, rng) -> (latent, free)``
        Starting latents and free-parameter values (``free``: a dict by name).
    working : ``(latent, free) -> (z, v)``
        The Gaussian pseudo-data of the module docstring (``v >= 0``; 0 for rows without weight).
    update_latent : ``(eta, free, rng) -> latent``
        An exact draw of the latents given the linear predictor.
    update_free : ``(eta, latent, free, sig_terms, rng) -> free``
        A draw of the free parameters given eta and the latents (``sig_terms``: a prior's
        share of the sigma conditional, see :class:`~bayesreg.priors.GibbsFace`).
    noise_scale : ``(free) -> float``
        The sigma the prior's conditionals are given (1.0 without a noise scale).
    """

    free_names: tuple[str, ...]
    start: Callable[..., Any]
    working: Callable[..., Any]
    update_latent: Callable[..., Any]
    update_free: Callable[..., Any]
    noise_scale: Callable[..., Any]


def slice_1d(logf: Callable[[float], float], x0: float, rng: np.random.Generator,
             width: float = 1.0, lo: float = -np.inf, hi: float = np.inf) -> float:
    """One stepping-out + shrinkage slice-sampling update of a scalar (Neal 2003), within
    ``[lo, hi]``; leaves the density ``exp(logf)`` invariant."""
    logy = logf(x0) - rng.standard_exponential()
    left = x0 - width * rng.random()
    right = left + width
    for _ in range(100):
        if left <= lo or logf(left) <= logy:
            break
        left -= width
    for _ in range(100):
        if right >= hi or logf(right) <= logy:
            break
        right += width
    left, right = max(left, lo), min(right, hi)
    for _ in range(1000):
        x1 = left + (right - left) * rng.random()
        if logf(x1) > logy:
            return float(x1)
        if x1 < x0:
            left = x1
        else:
            right = x1
    return float(x0)


def polya_gamma_face(y: np.ndarray, sw: np.ndarray, trials: Any) -> AugmentedGibbsFace:
    """The Polya-gamma augmentation of the logit-link binomial likelihood (``trials = 1``: the
    Bernoulli): ``exp(sw (y eta - n log(1 + e^eta))) = 2^-b e^(kappa eta)
    E_{omega ~ PG(b, 0)}[exp(-omega eta^2 / 2)]`` with ``b = sw n``, ``kappa = sw (y - n/2)``, so
    ``omega | eta ~ PG(b, eta)`` and ``eta`` sees ``N(kappa / omega; eta, 1 / omega)``
    (Polson, Scott & Windle 2013; drawn by the ``polyagamma`` package)."""
    try:
        from polyagamma import random_polyagamma
    except ImportError as e:  # pragma: no cover - polyagamma is a dependency of the sampler
        raise NotSupportedError(
            "sampler='gibbs' for a logit-link likelihood needs the polyagamma package: "
            "pip install polyagamma (or use sampler='nutpie').") from e
    y = np.asarray(y, dtype=float)
    sw = np.asarray(sw, dtype=float)
    b = sw * np.broadcast_to(np.asarray(trials, dtype=float), y.shape)
    kappa = sw * y - 0.5 * b
    live = b > 0

    def update_latent(eta, free, rng):
        om = np.zeros(y.shape)
        om[live] = random_polyagamma(b[live], np.asarray(eta, dtype=float)[live], random_state=rng)
        return np.maximum(om, 1e-300, where=live, out=om)

    def start(eta, rng):
        return update_latent(eta, {}, rng), {}

    def working(latent, free):
        z = np.zeros(y.shape)
        z[live] = kappa[live] / latent[live]
        return z, np.where(live, latent, 0.0)

    return AugmentedGibbsFace((), start, working, update_latent,
                              lambda eta, latent, free, sig_terms, rng: free,
                              lambda free: 1.0)
