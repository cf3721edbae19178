"""Poisson likelihood (log link)  <->  Poisson deviance.

Density:  p(y | eta) = mu^y exp(-mu) / y!,  mu = exp(eta),  y in {0, 1, 2, ...}
Datafit:  sum_i sw_i [exp(eta_i) - y_i eta_i]
PyMC:     pm.Poisson(mu=exp(eta))
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from .._errors import DataError
from .base import Likelihood, register_likelihood

_ETA_MAX = 700.0  # exp overflows past ~709


@register_likelihood
class Poisson(Likelihood):
    """Count observations with the log link (Poisson regression).

    ``log p(y_i | eta_i) = y_i * eta_i - exp(eta_i) - log(y_i!)``.
    """

    family = "poisson"

    def check_y(self, y):
        bad = (y < 0) | (y != np.round(y))
        if bad.any():
            i = int(np.argmax(bad))
            raise DataError(
                f"y must be non-negative integer counts for a Poisson likelihood; entry {i} is "
                f"{y[i]!r}. Use a Gaussian likelihood for continuous responses."
            )

    def mean(self, eta):
        return np.exp(np.minimum(eta, _ETA_MAX))

    def loglik(self, y, eta, sigma=None):
        return y * eta - np.exp(np.minimum(eta, _ETA_MAX)) - gammaln(y + 1.0)

    def datafit(self, y, eta, sw):
        return float(np.dot(sw, np.exp(np.minimum(eta, _ETA_MAX)) - y * eta))

    def gradient(self, y, eta, sw):
        return sw * (np.exp(np.minimum(eta, _ETA_MAX)) - y)

    def curvature(self, y, eta, sw):
        return sw * np.exp(np.minimum(eta, _ETA_MAX))
