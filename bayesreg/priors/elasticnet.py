"""Elastic-net prior  <->  L1 + L2 penalty.

Density:  p(w) = exp(-|w| / b - w^2 / (2 tau^2)) / Z,   b = l1_scale, tau = l2_scale,
          Z = tau * sqrt(2 pi) * erfcx(tau / (sqrt(2) b))     (closed form; erfcx(x) = exp(x^2) erfc(x))
Penalty:  |w| / b + w^2 / (2 tau^2)          (ElasticNetPenalty with l1 = 1 / b, l2 = 1 / tau^2)
PyMC:     pm.CustomDist with this exact normalized log density (:func:`elastic_net_logp`) and
          exact draws (:func:`elastic_net_random`)
Gibbs:    the Laplace scale mixture with the Gaussian factor added to each precision
"""

from __future__ import annotations

import numpy as np
from scipy.special import erfcx

from .._validation import LOG_2PI, check_scale
from ..penalties import ElasticNetPenalty
from .base import Prior, register_prior

__all__ = ["ElasticNetPrior", "elastic_net_logp", "elastic_net_random"]


def elastic_net_logp(value, l1, l2):
    """Normalized elastic-net log density ``-l1 |w| - l2 w^2 / 2 - log Z`` (PyTensor graph).

    ``log Z = 0.5 * log(2 pi / l2) + log(erfcx(l1 / sqrt(2 l2)))`` is the exact normalizer of
    ``exp(-l1 |w| - l2 w^2 / 2)`` (``erfcx`` keeps it finite for any ``l1 / sqrt(l2)``).
    """
    import pytensor.tensor as pt

    log_z = 0.5 * (LOG_2PI - pt.log(l2)) + pt.log(pt.erfcx(l1 / pt.sqrt(2.0 * l2)))
    return -l1 * pt.abs(value) - 0.5 * l2 * value**2 - log_z


def elastic_net_random(l1, l2, rng=None, size=None):
    """Exact draws from the elastic-net density (numpy): ``|w|`` is a normal with mean
    ``-l1 / l2`` and sd ``1 / sqrt(l2)`` truncated to ``[0, inf)``, the sign is a fair coin."""
    rng = np.random.default_rng(rng)
    l1 = np.asarray(l1, dtype=float)
    l2 = np.asarray(l2, dtype=float)
    if size is None:
        size = np.broadcast_shapes(l1.shape, l2.shape)
    mu = -l1 / l2
    sd = 1.0 / np.sqrt(l2)
    mu, sd = np.broadcast_to(mu, size), np.broadcast_to(sd, size)
    a = -mu / sd  # truncation point 0 in standard units
    from scipy import stats  # lazily: scipy.stats costs ~0.3 s at import bayesreg

    mag = stats.truncnorm.rvs(a, np.inf, loc=mu, scale=sd, size=size, random_state=rng)
    sign = np.where(rng.random(size) < 0.5, -1.0, 1.0)
    return sign * mag


def _zeros_support_point(rv, size, *params):
    import pytensor.tensor as pt

    return pt.zeros(size) if size is not None else pt.zeros_like(params[0])


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
        self.l1_scale = check_scale(l1_scale, "ElasticNetPrior.l1_scale")
        self.l2_scale = check_scale(l2_scale, "ElasticNetPrior.l2_scale")

    def logpdf(self, w: np.ndarray) -> np.ndarray:
        w = np.asarray(w, dtype=float)
        l1, l2 = self.as_penalty(w.shape[0]).weights
        log_z = 0.5 * np.log(2 * np.pi / l2) + np.log(erfcx(l1 / np.sqrt(2 * l2)))
        return -l1 * np.abs(w) - 0.5 * l2 * w * w - log_z

    def as_penalty(self, n_coef: int) -> ElasticNetPenalty:
        b = self._broadcast(self.l1_scale, n_coef)
        t = self._broadcast(self.l2_scale, n_coef)
        return ElasticNetPenalty(1.0 / b, 1.0 / t**2)

    def with_strength(self, c: float) -> ElasticNetPrior:
        return ElasticNetPrior(self.l1_scale / c, self.l2_scale / np.sqrt(c))

    @property
    def path_scale(self):
        return self.l1_scale

    @classmethod
    def examples(cls):
        return [cls(0.3, 0.8), cls(np.array([0.2, 0.5, 1.0]), 2.0)]

    def to_pymc(self, name, dims=None, shape=None, sigma=None):
        import pymc as pm

        size = {"dims": dims} if dims is not None else {"shape": shape}
        l1 = 1.0 / np.asarray(self.l1_scale, dtype=float)
        l2 = 1.0 / np.asarray(self.l2_scale, dtype=float) ** 2
        return pm.CustomDist(name, l1, l2, logp=elastic_net_logp, random=elastic_net_random,
                             support_point=_zeros_support_point, signature="(),()->()", **size)

    def gibbs_face(self, n_coef: int):
        from ._mixture import laplace_mixture_face

        return laplace_mixture_face(*self.as_penalty(n_coef).weights)
