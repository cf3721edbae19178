"""Normal prior  <->  L2 (ridge) penalty.

Density:  p(w) = exp(-w^2 / (2 scale^2)) / (scale * sqrt(2 pi))
Penalty:  w^2 / (2 scale^2)                 (ElasticNetPenalty with l1 = 0, l2 = 1 / scale^2)
PyMC:     pm.Normal(mu=0, sigma=scale)
Gibbs:    conjugate: w_j | rest is part of the joint Gaussian coefficient draw
"""

from __future__ import annotations

import numpy as np

from .._validation import LOG_2PI, check_scale
from ..penalties import ElasticNetPenalty
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
    _strength_power = 2.0

    def __init__(self, scale: float | np.ndarray) -> None:
        self.scale = check_scale(scale, "Normal.scale")

    def logpdf(self, w: np.ndarray) -> np.ndarray:
        w = np.asarray(w, dtype=float)
        s = self._broadcast(self.scale, w.shape[0])
        return -0.5 * (w / s) ** 2 - np.log(s) - 0.5 * LOG_2PI

    def as_penalty(self, n_coef: int) -> ElasticNetPenalty:
        s = self._broadcast(self.scale, n_coef)
        return ElasticNetPenalty(np.zeros(n_coef), 1.0 / s**2)

    def with_strength(self, c: float) -> Normal:
        return Normal(self.scale / np.sqrt(c))

    @property
    def path_scale(self):
        return self.scale

    @classmethod
    def examples(cls):
        return [cls(0.7), cls(np.array([0.5, 1.0, 2.0]))]

    def to_pymc(self, name, dims=None, shape=None, sigma=None):
        import pymc as pm

        size = {"dims": dims} if dims is not None else {"shape": shape}
        return pm.Normal(name, mu=0.0, sigma=np.asarray(self.scale, dtype=float), **size)

    def gibbs_face(self, n_coef: int):
        from ._mixture import laplace_mixture_face

        return laplace_mixture_face(*self.as_penalty(n_coef).weights)
