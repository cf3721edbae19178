"""Laplace prior  <->  L1 (lasso) penalty.

Density:  p(w) = exp(-|w| / scale) / (2 scale)
Penalty:  |w| / scale                        (l1 = 1 / scale, l2 = 0)
PyMC:     pm.Laplace(mu=0, b=scale)          (bayesreg.pymc.priors)
"""

from __future__ import annotations

import numpy as np

from .._validation import check_scale as validated
from .base import Prior, register_prior


@register_prior
class Laplace(Prior):
    """Laplace (double-exponential) prior on every coefficient: the lasso / L1 penalty.

    ``-log p(w) = |w| / scale + log(2 * scale)``.

    Parameters
    ----------
    scale : float or array of float
        Laplace scale b (> 0; the prior sd is ``sqrt(2) * b``); an array gives one scale per
        coefficient. scikit-learn ``Lasso(alpha)`` on n rows with noise sigma corresponds to
        ``scale = sigma**2 / (n * alpha)``.
    """

    _params = ("scale",)

    def __init__(self, scale: float | np.ndarray) -> None:
        self.scale = validated(scale, "Laplace.scale")

    def logpdf(self, w: np.ndarray) -> np.ndarray:
        w = np.asarray(w, dtype=float)
        b = self._broadcast(self.scale, w.shape[0])
        return -np.abs(w) / b - np.log(2 * b)

    def penalty_weights(self, n_coef: int):
        b = self._broadcast(self.scale, n_coef)
        return 1.0 / b, np.zeros(n_coef)

    @staticmethod
    def _log_z(l1, l2):
        return np.log(2.0 / l1)

    def with_strength(self, c: float) -> Laplace:
        return Laplace(self.scale / c)

    def strength_for_scale(self, scale: float, ref: float) -> float:
        """Penalty multiplier that turns reference scale ``ref`` into ``scale``."""
        return ref / scale

    @property
    def path_scale(self):
        return self.scale
