"""Gaussian likelihood  <->  squared-error datafit.

Density:  p(y | eta, sigma) = exp(-(y - eta)^2 / (2 sigma^2)) / (sigma sqrt(2 pi))
Datafit:  sum_i sw_i (y_i - eta_i)^2 / (2 sigma^2)
sigma:    fixed, or estimated with sigma ~ HalfNormal(sigma_prior_scale)
PyMC:     pm.Normal(mu=eta, sigma=sigma), or the sufficient-statistics form (bayesreg.pymc)
"""

from __future__ import annotations

import numpy as np

from .._errors import DataError
from .._validation import check_scale
from .base import Likelihood, register_likelihood

_LOG_2PI = float(np.log(2 * np.pi))


@register_likelihood
class Gaussian(Likelihood):
    """Gaussian (normal) observations with identity link.

    ``log p(y_i | eta_i) = -(y_i - eta_i)**2 / (2 * sigma**2) - log(sigma) - log(2 * pi) / 2``.

    Parameters
    ----------
    sigma : float or None
        Noise standard deviation. A float fixes it (the penalized-regression setting: every
        sklearn/glmnet conversion needs it). ``None`` estimates it, under the prior
        ``sigma ~ HalfNormal(sigma_prior_scale)``: ``log p(sigma) = log(2) + log N(sigma; 0, s)``.
        The joint MAP over (coef, intercept, sigma) maximizes the density without a Jacobian,
        exactly like ``pm.find_MAP``.
    sigma_prior_scale : float or None
        Scale s of the HalfNormal prior on sigma when ``sigma is None``. Default ``None`` means
        the (population) standard deviation of y of the data being fitted (1.0 if y is constant),
        so the prior is weakly informative on the data's scale; the resolved value is recorded
        in every result.
    """

    _params = ("sigma", "sigma_prior_scale")
    family = "gaussian"

    def __init__(self, sigma: float | None = None, sigma_prior_scale: float | None = None) -> None:
        self.sigma = None if sigma is None else float(check_scale(sigma, "Gaussian.sigma", False))
        self.sigma_prior_scale = (
            None
            if sigma_prior_scale is None
            else float(check_scale(sigma_prior_scale, "Gaussian.sigma_prior_scale", False))
        )

    @property
    def estimates_sigma(self) -> bool:
        return self.sigma is None

    def resolve_sigma_prior_scale(self, y: np.ndarray, sw: np.ndarray | None = None) -> float:
        """The HalfNormal scale actually used for the data ``y`` (see ``sigma_prior_scale``)."""
        if self.sigma_prior_scale is not None:
            return self.sigma_prior_scale
        if sw is None:
            sw = np.ones_like(y)
        m = np.average(y, weights=sw)
        s = float(np.sqrt(np.average((y - m) ** 2, weights=sw)))
        return s if s > 0 else 1.0

    @staticmethod
    def sigma_logprior(sigma: float, scale: float) -> float:
        """``log p(sigma)`` of the HalfNormal(scale) prior (as PyMC computes it)."""
        return float(np.log(2.0) - 0.5 * _LOG_2PI - np.log(scale) - 0.5 * (sigma / scale) ** 2)

    @staticmethod
    def sigma_update(rss: float, wsum: float, scale: float) -> float:
        """argmax over sigma of ``-rss/(2 sigma^2) - wsum log(sigma) + log HalfNormal(sigma; scale)``.

        Setting the derivative to zero gives ``u^2 / s^2 + wsum u - rss = 0`` in ``u = sigma^2``."""
        disc = np.sqrt(wsum * wsum + 4.0 * rss / scale**2)
        u = 2.0 * rss / (wsum + disc)
        return float(np.sqrt(u))

    def check_y(self, y: np.ndarray) -> None:
        return None

    def mean(self, eta):
        return eta

    def loglik(self, y, eta, sigma=None):
        s = self.sigma if sigma is None else sigma
        if s is None:
            raise DataError("Gaussian(sigma=None).loglik needs the sigma value to evaluate at.")
        r = y - eta
        return -0.5 * (r / s) ** 2 - np.log(s) - 0.5 * _LOG_2PI

    def datafit(self, y, eta, sw, sigma=None):
        s = self.sigma if sigma is None else sigma
        r = y - eta
        return float(0.5 * np.dot(sw, r * r) / s**2)

    def gradient(self, y, eta, sw, sigma=None):
        s = self.sigma if sigma is None else sigma
        return sw * (eta - y) / s**2

    def curvature(self, y, eta, sw, sigma=None):
        s = self.sigma if sigma is None else sigma
        return sw / s**2
