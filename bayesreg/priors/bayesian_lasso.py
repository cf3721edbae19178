"""The full Bayesian lasso (Park & Casella 2008): a Laplace prior scaled by sigma, with an
optional hyperprior on the penalty.

Density:  w_j | sigma, lambda ~ Laplace(0, sigma / lambda)     (relative_to_sigma=True)
          w_j | lambda        ~ Laplace(0, 1 / lambda)         (relative_to_sigma=False)
          lambda = 1 / scale (fixed), or lambda^2 ~ Gamma(r, rate=delta) (lam2_prior=(r, delta))
Penalty:  none: the joint posterior mode is not the lasso estimate (``as_penalty`` is None and
          ``mode_unavailable`` says why)
PyMC:     pm.Laplace(0, b=sigma * scale) [+ pm.Gamma("lam2", r, delta)]
Gibbs:    Park & Casella's conditionals (the Laplace scale mixture, relative to sigma, with the
          Gamma conditional of lambda^2; priors/_mixture.py)
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from .._errors import NotSupportedError, ParameterError
from .._validation import check_scale as validated
from .base import HierarchicalPrior, register_prior

__all__ = ["BayesianLasso"]

#: lambda^2 ~ Gamma(1, rate=1.78), the default hyperprior (an exponential with mean 0.56)
DEFAULT_LAM2_PRIOR = (1.0, 1.78)


@register_prior
class BayesianLasso(HierarchicalPrior):
    """Park & Casella's (2008) Bayesian lasso, for sampling.

    ``w_j | sigma ~ Laplace(0, sigma * scale)`` i.i.d., i.e. ``log p(w | sigma) =
    -sum_j |w_j| / (sigma * scale) - p * log(2 * sigma * scale)``. In Park & Casella's notation
    ``scale = 1 / lambda``; with ``lam2_prior=(r, delta)`` the penalty itself is random,
    ``lambda^2 ~ Gamma(shape=r, rate=delta)``, and ``scale = 1 / sqrt(lambda^2)``.

    Conditioning on sigma makes the posterior unimodal (Park & Casella, section 2); the
    hyperprior lets the data choose the amount of shrinkage instead of cross-validation.

    Parameters
    ----------
    scale : float, array of float, or None
        Fixed ``1 / lambda`` (relative to sigma when ``relative_to_sigma``). ``None`` (default)
        puts the hyperprior ``lam2_prior`` on lambda^2.
    relative_to_sigma : bool, default True
        Scale the Laplace by the Gaussian noise sd (Park & Casella). Must be False for Bernoulli
        and Poisson likelihoods, which have no sigma.
    lam2_prior : (r, delta) or None
        Shape and rate of the Gamma hyperprior on lambda^2. When both ``scale`` and
        ``lam2_prior`` are None, ``(1.0, 1.78)`` is used: an exponential prior on lambda^2 with
        mean 0.56 (weak for standardized X and the sigma-relative scale; the values Park &
        Casella 2008 used for the diabetes data). Exactly one of ``scale`` and ``lam2_prior`` may
        be given.

    Notes
    -----
    There is no MAP: ``Model(..., BayesianLasso(...)).map(...)`` raises
    :class:`~bayesreg.NotSupportedError`. With a hyperprior the joint mode over (w, lambda,
    sigma) is pulled toward w = 0 with a large lambda, and even with a fixed scale the mode of
    the sigma-scaled prior is not the lasso estimate of any fixed penalty (the effective penalty
    ``|w| / (sigma * scale)`` moves with sigma; for p >= n the density is unbounded as
    sigma -> 0). Use ``model.sample(...)``.
    """

    _params = ("scale", "relative_to_sigma", "lam2_prior")

    def __init__(self, scale: float | np.ndarray | None = None, relative_to_sigma: bool = True,
                 lam2_prior: tuple[float, float] | None = None) -> None:
        if scale is not None and lam2_prior is not None:
            raise ParameterError(
                f"BayesianLasso got both scale={scale!r} and lam2_prior={lam2_prior!r}: give a "
                "fixed scale (1 / lambda) or a Gamma(r, delta) hyperprior on lambda^2, not both.")
        if not isinstance(relative_to_sigma, (bool, np.bool_)):
            raise ParameterError(
                f"BayesianLasso.relative_to_sigma must be True or False, got {relative_to_sigma!r}.")
        self.relative_to_sigma = bool(relative_to_sigma)
        self.scale = None if scale is None else validated(scale, "BayesianLasso.scale")
        if scale is None and lam2_prior is None:
            lam2_prior = DEFAULT_LAM2_PRIOR
        if lam2_prior is not None:
            try:
                vals = [float(v) for v in np.asarray(lam2_prior, dtype=float).ravel()]
            except (TypeError, ValueError):
                vals = []
            if len(vals) != 2 or not all(np.isfinite(v) and v > 0 for v in vals):
                raise ParameterError(
                    f"BayesianLasso.lam2_prior must be (r, delta), two finite numbers > 0 (shape "
                    f"and rate of the Gamma prior on lambda^2), got {lam2_prior!r}.")
            lam2_prior = (vals[0], vals[1])
        self.lam2_prior = lam2_prior

    @property
    def hyper_names(self) -> tuple[str, ...]:
        return ("lam2",) if self.lam2_prior is not None else ()

    @property
    def scales_with_sigma(self) -> bool:
        return self.relative_to_sigma

    def mode_unavailable(self) -> str:
        if self.lam2_prior is not None:
            why = ("the joint mode over (w, lambda^2) maximizes p * log(lambda) + log Gamma(lambda^2) "
                   "- lambda * sum|w| / sigma, which pulls toward w = 0 with a large lambda: it is "
                   "not the lasso estimate at any penalty fixed in advance, and the Bayesian lasso's "
                   "point estimates are the posterior mean/median")
        elif self.relative_to_sigma:
            why = ("its Laplace scale sigma * scale moves with sigma, so the joint mode over "
                   "(w, sigma) is not the lasso estimate for any fixed penalty (and when the fit "
                   "can interpolate, p >= n, the density is unbounded as sigma -> 0)")
        else:
            why = ("with a fixed scale and relative_to_sigma=False it is a plain Laplace prior: "
                   f"use Laplace({self.scale!r}) for its MAP")
        return (f"BayesianLasso is hierarchical and exists for sampling: {why}. Use "
                "model.sample(X, y) for its posterior, or a fixed-scale prior (Laplace, Normal, "
                "ElasticNetPrior) for a penalized MAP.")

    def _scale_array(self, n_coef: int) -> np.ndarray:
        return self._broadcast(self.scale, n_coef)

    def logpdf(self, w: np.ndarray, sigma: float = 1.0, lam2: float | None = None) -> np.ndarray:
        """Conditional log density ``log p(w_j | sigma, lambda)`` (elementwise).

        ``lam2`` is needed when the prior has a hyperprior; ``sigma`` is ignored when
        ``relative_to_sigma`` is False.
        """
        w = np.asarray(w, dtype=float)
        if self.lam2_prior is not None:
            if lam2 is None:
                raise NotSupportedError(
                    "BayesianLasso with a hyperprior has no fixed density on w: pass lam2=... to "
                    "evaluate the conditional density log p(w | sigma, lambda^2).")
            b = np.full(w.shape[0], 1.0 / np.sqrt(lam2))
        else:
            b = self._broadcast(self.scale, w.shape[0])
        if self.relative_to_sigma:
            b = b * sigma
        return -np.abs(w) / b - np.log(2 * b)

    def joint_logpdf(self, W, sigma=None, lam2=None, **hyper):
        """``sum_j log p(w_j | sigma, lambda) [+ log Gamma(lambda^2; r, delta)]`` per draw."""
        W = np.asarray(W, dtype=float)
        p = W.shape[-1]
        if self.lam2_prior is not None:
            if lam2 is None:
                raise NotSupportedError("BayesianLasso with a hyperprior: pass lam2=... (draws).")
            lam2 = np.asarray(lam2, dtype=float)
            b = (1.0 / np.sqrt(lam2))[..., None]
        else:
            b = self._scale_array(p)
        if self.relative_to_sigma:
            b = b * np.asarray(1.0 if sigma is None else sigma, dtype=float)[..., None]
        lp = -np.sum(np.abs(W) / b + np.log(2.0 * b), axis=-1)
        if self.lam2_prior is not None:
            r, d = self.lam2_prior
            lp = lp + r * np.log(d) - gammaln(r) + (r - 1) * np.log(lam2) - d * lam2
        return lp

    def to_pymc(self, name, dims=None, shape=None, sigma=None):
        import pymc as pm
        import pytensor.tensor as pt

        size = {"dims": dims} if dims is not None else {"shape": shape}
        if self.lam2_prior is not None:
            r, delta = self.lam2_prior
            lam2 = pm.Gamma("lam2" if name == "coef" else f"{name}_lam2", alpha=np.float64(r),
                            beta=np.float64(delta))
            b = 1.0 / pt.sqrt(lam2)
        else:
            b = np.asarray(self.scale, dtype=float)
        if self.relative_to_sigma:
            if sigma is None:
                raise NotSupportedError(
                    "BayesianLasso(relative_to_sigma=True) puts w | sigma ~ Laplace(0, sigma * "
                    "scale) and needs a Gaussian likelihood's sigma; with Bernoulli/Poisson use "
                    "BayesianLasso(..., relative_to_sigma=False).")
            b = b * sigma
        return pm.Laplace(name, mu=0.0, b=b, **size)

    def gibbs_face(self, n_coef: int):
        from ._mixture import laplace_mixture_face

        hyper = self.lam2_prior is not None
        a = np.ones(n_coef) if hyper else 1.0 / self._scale_array(n_coef)
        return laplace_mixture_face(a, np.zeros(n_coef), rel=self.relative_to_sigma,
                                    hyper=self.lam2_prior)

    def with_strength(self, c: float) -> BayesianLasso:
        if self.scale is None:
            raise NotSupportedError("BayesianLasso with a hyperprior has no strength to scale: its "
                                    "penalty is sampled. Change lam2_prior instead.")
        return BayesianLasso(self.scale / c, self.relative_to_sigma)

    @property
    def path_scale(self):
        return self.scale

    @classmethod
    def examples(cls):
        return [cls(0.5, relative_to_sigma=False), cls(0.5), cls(lam2_prior=(2.0, 3.0))]

    def to_dict(self):
        d = super().to_dict()
        if d["lam2_prior"] is not None:
            d["lam2_prior"] = list(d["lam2_prior"])
        return d
