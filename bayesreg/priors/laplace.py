"""Laplace prior  <->  L1 (lasso) penalty.

Density:  p(w) = exp(-|w| / scale) / (2 scale)
Penalty:  |w| / scale                        (ElasticNetPenalty with l1 = 1 / scale, l2 = 0)
PyMC:     pm.Laplace(mu=0, b=scale)
Gibbs:    scale mixture of normals with inverse-Gaussian latent precisions (priors/_mixture.py)
"""

from __future__ import annotations

import numpy as np

from .._validation import check_scale
from ..penalties import ElasticNetPenalty
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
        self.scale = check_scale(scale, "Laplace.scale")

    def logpdf(self, w: np.ndarray) -> np.ndarray:
        w = np.asarray(w, dtype=float)
        b = self._broadcast(self.scale, w.shape[0])
        return -np.abs(w) / b - np.log(2 * b)

    def as_penalty(self, n_coef: int) -> ElasticNetPenalty:
        b = self._broadcast(self.scale, n_coef)
        return ElasticNetPenalty(1.0 / b, np.zeros(n_coef))

    def with_strength(self, c: float) -> Laplace:
        return Laplace(self.scale / c)

    @property
    def path_scale(self):
        return self.scale

    @classmethod
    def examples(cls):
        return [cls(0.3), cls(np.array([0.2, 0.5, 1.0]))]

    def to_pymc(self, name, dims=None, shape=None, sigma=None):
        import pymc as pm

        size = {"dims": dims} if dims is not None else {"shape": shape}
        return pm.Laplace(name, mu=0.0, b=np.asarray(self.scale, dtype=float), **size)

    def gibbs_face(self, n_coef: int):
        from ._mixture import laplace_mixture_face

        return laplace_mixture_face(*self.as_penalty(n_coef).weights)
