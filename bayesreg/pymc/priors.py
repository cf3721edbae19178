"""PyMC faces of the bayesreg priors.

==================  ==========================================================================
bayesreg prior      PyMC variable (inside the current model context)
==================  ==========================================================================
Normal(scale)       ``pm.Normal(name, mu=0, sigma=scale)``
Laplace(scale)      ``pm.Laplace(name, mu=0, b=scale)``
ElasticNetPrior     ``pm.CustomDist(name, l1, l2)`` with the exact normalized log density
                    ``-l1 |w| - l2 w^2 / 2 - log Z``,
                    ``log Z = log(2 pi / l2) / 2 + log erfcx(l1 / sqrt(2 l2))``
BayesianLasso       ``w | sigma, lambda ~ Laplace(0, sigma * scale)`` (Park & Casella 2008), with
                    ``scale = 1 / sqrt(lam2)`` and ``lam2 ~ Gamma(r, rate=delta)`` when a
                    hyperprior is given (the variable ``lam2`` is added to the model)
==================  ==========================================================================

Per-coefficient scales (1-D arrays) are passed through unchanged: every coefficient gets its
own scale.
"""

from __future__ import annotations

import numpy as np
import pymc as pm
import pytensor.tensor as pt
from scipy import stats

from .._errors import NotSupportedError
from ..priors import ElasticNetPrior, Laplace, Normal, Prior
from ..priors.bayesian_lasso import BayesianLasso

__all__ = ["build", "elastic_net_logp", "elastic_net_random"]

_LOG_2PI = float(np.log(2 * np.pi))


def elastic_net_logp(value, l1, l2):
    """Normalized elastic-net log density ``-l1 |w| - l2 w^2 / 2 - log Z`` (PyTensor graph).

    ``log Z = 0.5 * log(2 pi / l2) + log(erfcx(l1 / sqrt(2 l2)))`` is the exact normalizer of
    ``exp(-l1 |w| - l2 w^2 / 2)`` (``erfcx`` keeps it finite for any ``l1 / sqrt(l2)``).
    """
    log_z = 0.5 * (_LOG_2PI - pt.log(l2)) + pt.log(pt.erfcx(l1 / pt.sqrt(2.0 * l2)))
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
    mag = stats.truncnorm.rvs(a, np.inf, loc=mu, scale=sd, size=size, random_state=rng)
    sign = np.where(rng.random(size) < 0.5, -1.0, 1.0)
    return sign * mag


def _zeros_support_point(rv, size, *params):
    return pt.zeros(size) if size is not None else pt.zeros_like(params[0])


def build(prior: Prior, name: str, dims=None, shape=None, sigma=None):
    """Create ``prior`` as a PyMC random variable in the current model context.

    Parameters
    ----------
    prior : Prior
        A bayesreg prior (see the module table for the PyMC form of each).
    name : str
        Variable name (``"coef"`` in :func:`bayesreg.pymc.build_model`).
    dims : str or tuple of str, optional
        PyMC dims (e.g. ``"feature"``); per-coefficient scales must match its length.
    shape : int or tuple, optional
        Used when ``dims`` is not given.
    sigma : TensorVariable or float, optional
        Noise sd of a Gaussian likelihood; needed only by
        :class:`~bayesreg.priors.BayesianLasso` with ``relative_to_sigma=True``.

    Returns
    -------
    TensorVariable
        The random variable (its log density equals ``prior.logpdf`` summed over coefficients).
    """
    kw = {"dims": dims} if dims is not None else {"shape": shape}
    if isinstance(prior, Normal):
        return pm.Normal(name, mu=0.0, sigma=np.asarray(prior.scale, dtype=float), **kw)
    if isinstance(prior, Laplace):
        return pm.Laplace(name, mu=0.0, b=np.asarray(prior.scale, dtype=float), **kw)
    if isinstance(prior, ElasticNetPrior):
        l1 = 1.0 / np.asarray(prior.l1_scale, dtype=float)
        l2 = 1.0 / np.asarray(prior.l2_scale, dtype=float) ** 2
        return pm.CustomDist(
            name,
            l1,
            l2,
            logp=elastic_net_logp,
            random=elastic_net_random,
            support_point=_zeros_support_point,
            signature="(),()->()",
            **kw,
        )
    if isinstance(prior, BayesianLasso):
        if prior.lam2_prior is not None:
            r, delta = prior.lam2_prior
            lam2 = pm.Gamma("lam2" if name == "coef" else f"{name}_lam2", alpha=np.float64(r),
                            beta=np.float64(delta))
            b = 1.0 / pt.sqrt(lam2)
        else:
            b = np.asarray(prior.scale, dtype=float)
        if prior.relative_to_sigma:
            if sigma is None:
                raise NotSupportedError(
                    "BayesianLasso(relative_to_sigma=True) puts w | sigma ~ Laplace(0, sigma * "
                    "scale) and needs a Gaussian likelihood's sigma; with Bernoulli/Poisson use "
                    "BayesianLasso(..., relative_to_sigma=False).")
            b = b * sigma
        return pm.Laplace(name, mu=0.0, b=b, **kw)
    raise NotSupportedError(
        f"{type(prior).__name__} has no PyMC form; known: Normal, Laplace, ElasticNetPrior, "
        "BayesianLasso.")
