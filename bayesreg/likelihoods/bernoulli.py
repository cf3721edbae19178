"""Bernoulli likelihood (logit link)  <->  logistic loss.

Density:  p(y | eta) = mu^y (1 - mu)^(1 - y),  mu = 1 / (1 + exp(-eta)),  y in {0, 1}
Datafit:  sum_i sw_i [log(1 + exp(eta_i)) - y_i eta_i]
PyMC:     pm.Bernoulli(logit_p=eta)
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from .._errors import DataError
from .base import Likelihood, register_likelihood


@register_likelihood
class Bernoulli(Likelihood):
    """Binary observations y in {0, 1} with the logit link (logistic regression).

    ``log p(y_i | eta_i) = y_i * eta_i - log(1 + exp(eta_i))`` (no further constant).
    """

    family = "binomial"

    def check_y(self, y):
        bad = (y != 0) & (y != 1)
        if bad.any():
            i = int(np.argmax(bad))
            vals = np.unique(y)
            raise DataError(
                f"y must be 0/1 for a Bernoulli likelihood; entry {i} is {y[i]!r} "
                f"(distinct values: {vals[:6].tolist()}{'...' if vals.size > 6 else ''}). "
                "Encode the positive class as 1 (e.g. y = (labels == 'yes').astype(int)); "
                "MAPClassifier does this encoding for you."
            )

    def mean(self, eta):
        return expit(eta)

    def loglik(self, y, eta, sigma=None):
        return y * eta - np.logaddexp(0.0, eta)

    def datafit(self, y, eta, sw):
        return float(np.dot(sw, np.logaddexp(0.0, eta) - y * eta))

    def gradient(self, y, eta, sw):
        return sw * (expit(eta) - y)

    def curvature(self, y, eta, sw):
        mu = expit(eta)
        return sw * mu * (1.0 - mu)
