"""Elastic-net prior  <->  L1 + L2 penalty.

Density:  p(w) = exp(-|w| / b - w^2 / (2 tau^2)) / Z,   b = l1_scale, tau = l2_scale,
          Z = tau * sqrt(2 pi) * erfcx(tau / (sqrt(2) b))     (closed form; erfcx(x) = exp(x^2) erfc(x))
Penalty:  |w| / b + w^2 / (2 tau^2)          (l1 = 1 / b, l2 = 1 / tau^2)
PyMC:     pm.CustomDist with this exact normalized log density (bayesreg.pymc.priors)
"""

from __future__ import annotations

import numpy as np
from scipy.special import erfcx

from .._validation import check_scale as validated
from .base import Prior, register_prior


def _log_z_enet(l1, l2):
    # Z = 2 * int_0^inf exp(-l1 w - l2 w^2 / 2) dw = sqrt(2 pi / l2) * erfcx(l1 / sqrt(2 l2))
    return 0.5 * np.log(2 * np.pi / l2) + np.log(erfcx(l1 / np.sqrt(2 * l2)))


@register_prior
class ElasticNetPrior(Prior):
    """Elastic-net prior: the product of a Laplace and a Gaussian kernel, normalized.

    ``-log p(w) = |w| / l1_scale + w**2 / (2 * l2_scale**2) + log Z`` with
    ``Z = l2_scale * sqrt(2 * pi) * erfcx(l2_scale / (sqrt(2) * l1_scale))``.

    Parameters
    ----------
    l1_scale : float or array of float
        The Laplace part's scale b (> 0).
    l2_scale : float or array of float
        The Gaussian part's scale tau (> 0).

    Notes
    -----
    scikit-learn ``ElasticNet(alpha, l1_ratio)`` (= glmnet ``lambda``, ``alpha``) on n rows with
    noise sigma corresponds to ``1 / l1_scale = n * alpha * l1_ratio / sigma**2`` and
    ``1 / l2_scale**2 = n * alpha * (1 - l1_ratio) / sigma**2``.
    """

    _params = ("l1_scale", "l2_scale")

    def __init__(self, l1_scale: float | np.ndarray, l2_scale: float | np.ndarray) -> None:
        self.l1_scale = validated(l1_scale, "ElasticNetPrior.l1_scale")
        self.l2_scale = validated(l2_scale, "ElasticNetPrior.l2_scale")

    def logpdf(self, w: np.ndarray) -> np.ndarray:
        w = np.asarray(w, dtype=float)
        l1, l2 = self.penalty_weights(w.shape[0])
        return -l1 * np.abs(w) - 0.5 * l2 * w * w - _log_z_enet(l1, l2)

    def penalty_weights(self, n_coef: int):
        b = self._broadcast(self.l1_scale, n_coef)
        t = self._broadcast(self.l2_scale, n_coef)
        return 1.0 / b, 1.0 / t**2

    @staticmethod
    def _log_z(l1, l2):
        return _log_z_enet(l1, l2)

    def with_strength(self, c: float) -> ElasticNetPrior:
        return ElasticNetPrior(self.l1_scale / c, self.l2_scale / np.sqrt(c))

    def strength_for_scale(self, scale: float, ref: float) -> float:
        """Penalty multiplier that turns reference scale ``ref`` into ``scale``."""
        return ref / scale

    @property
    def path_scale(self):
        return self.l1_scale
