"""Normal prior  <->  L2 (ridge) penalty.

Density:  p(w) = exp(-w^2 / (2 scale^2)) / (scale * sqrt(2 pi))
Penalty:  w^2 / (2 scale^2)                 (l1 = 0, l2 = 1 / scale^2)
PyMC:     pm.Normal(mu=0, sigma=scale)      (bayesreg.pymc.priors)
"""

from __future__ import annotations

import numpy as np

from .._validation import check_scale as validated
from .base import Prior, register_prior


@register_prior
class Normal(Prior):
    """Gaussian prior N(0, scale^2) on every coefficient: the ridge / L2 penalty.

    ``-log p(w) = w**2 / (2 * scale**2) + log(scale * sqrt(2 * pi))``.

    Parameters
    ----------
    scale : float or array of float
        Prior standard deviation tau (> 0); an array gives one scale per coefficient.
        scikit-learn ``Ridge(alpha)`` with noise sigma corresponds to ``scale = sigma / sqrt(alpha)``.
    """

    _params = ("scale",)

    def __init__(self, scale: float | np.ndarray) -> None:
        self.scale = validated(scale, "Normal.scale")

    def logpdf(self, w: np.ndarray) -> np.ndarray:
        w = np.asarray(w, dtype=float)
        s = self._broadcast(self.scale, w.shape[0])
        return -0.5 * (w / s) ** 2 - np.log(s) - 0.5 * np.log(2 * np.pi)

    def penalty_weights(self, n_coef: int):
        s = self._broadcast(self.scale, n_coef)
        return np.zeros(n_coef), 1.0 / s**2

    @staticmethod
    def _log_z(l1, l2):
        return 0.5 * np.log(2 * np.pi / l2)

    def with_strength(self, c: float) -> Normal:
        return Normal(self.scale / np.sqrt(c))

    def strength_for_scale(self, scale: float, ref: float) -> float:
        """Penalty multiplier that turns reference scale ``ref`` into ``scale``."""
        return (ref / scale) ** 2

    @property
    def path_scale(self):
        return self.scale
