"""The horseshoe prior (Carvalho, Polson & Scott 2010), for sampling.

Density:  w_j | lambda_j, tau[, sigma] ~ N(0, tau^2 lambda_j^2 [sigma^2]),
          lambda_j ~ C+(0, 1),  tau ~ C+(0, global_scale)   (or tau = global_scale fixed)
Penalty:  none: the marginal density is infinite at w = 0, there is no finite MAP
PyMC:     non-centered: coef = z * tau * lambda [* sigma], z ~ N(0, 1), lambda, tau HalfCauchy
Gibbs:    Makalic & Schmidt (2016) inverse-gamma auxiliaries (priors/_shrinkage.py)
"""

from __future__ import annotations

import numpy as np

from ._shrinkage import (
    LOG_2PI,
    GlobalLocalPrior,
    halft_logpdf,
    horseshoe_face,
)
from .base import register_prior

__all__ = ["Horseshoe"]


@register_prior
class Horseshoe(GlobalLocalPrior):
    """The horseshoe prior: a Gaussian scale mixture with half-Cauchy local and global scales.

    ``w_j | lambda_j, tau ~ N(0, tau^2 lambda_j^2 sigma^2)`` (``sigma^2`` only when
    ``relative_to_sigma``), ``lambda_j ~ C+(0, 1)`` i.i.d., ``tau ~ C+(0, global_scale)``.
    The joint log density (:meth:`joint_logpdf`) over ``(w, tau, lambda)`` is::

        sum_j [log N(w_j; 0, tau^2 lambda_j^2 [sigma^2]) + log(2 / (pi (1 + lambda_j^2)))]
        + log(2 / (pi A (1 + (tau / A)^2)))                  (A = global_scale)

    (the last term absent with ``fix_global=True``, where ``tau = global_scale``).

    Parameters
    ----------
    global_scale : float or None
        A, the scale of the half-Cauchy on tau (or the fixed tau). ``None``: 1 (Carvalho et
        al. 2010; R's bayesreg). For a prior guess ``p0`` of the number of non-zero
        coefficients, Piironen & Vehtari (2017) recommend ``p0 / (p - p0) / sqrt(n)``
        (``RegularizedHorseshoe(expected_nonzero=p0)`` computes it).
    relative_to_sigma : bool, default True
        Multiply the prior sd by the Gaussian noise sd (the usual horseshoe regression model).
        Must be False for Bernoulli / Poisson likelihoods.
    fix_global : bool, default False
        Fix ``tau = global_scale`` instead of sampling it (the normal-means analyses of
        Carvalho et al.; m_eff then has a closed-form prior mean).

    Notes
    -----
    Posterior variables: ``tau`` (unless fixed) and ``lambda`` (one per coefficient). No MAP
    (:meth:`mode_unavailable`). ``sampler="gibbs"`` (Gaussian likelihood) runs the exact Gibbs
    sampler of Makalic & Schmidt (2016); NUTS uses the non-centered PyMC form.
    """

    _params = ("global_scale", "relative_to_sigma", "fix_global")
    vector_hypers = ("lambda",)
    cli_options = {"global_scale": "global_scale", "fix_global": "fix_global",
                   "relative_to_sigma": "has_noise_scale"}

    def __init__(self, global_scale: float | None = None, relative_to_sigma: bool = True,
                 fix_global: bool = False) -> None:
        self._init_global(global_scale, fix_global, relative_to_sigma)

    @property
    def hyper_names(self) -> tuple[str, ...]:
        return ("lambda",) if self.fix_global else ("tau", "lambda")

    def logpdf(self, w, sigma: float = 1.0, **hyper):
        """Elementwise log density. Given the hyperparameters (``lambda``, and ``tau`` unless
        fixed): ``log N(w_j; 0, tau^2 lambda_j^2 [sigma^2])``. With ``fix_global=True`` and no
        ``lambda``: the closed-form marginal (Carvalho, Polson & Scott 2010)
        ``p(w) = exp(u) E1(u) / (t sqrt(2 pi^3))``, ``u = w^2 / (2 t^2)``, ``t = tau [sigma]``
        (``+inf`` at ``w = 0``)."""
        if self.fix_global and "lambda" not in hyper and type(self) is Horseshoe:
            from scipy.special import exp1

            w = np.asarray(w, dtype=float)
            t = self._A * (sigma if self.relative_to_sigma else 1.0)
            u = w * w / (2.0 * t * t)
            with np.errstate(divide="ignore"):
                # log(exp(u) E1(u)); for u >= 500 the asymptotic series (relative error < 1e-12)
                ub = np.maximum(u, 500.0)
                series = (1 - 1 / ub + 2 / ub**2 - 6 / ub**3 + 24 / ub**4 - 120 / ub**5) / ub
                log_e1 = np.where(u < 500, np.log(np.exp(np.minimum(u, 500)) * exp1(u)),
                                  np.log(series))
            return log_e1 - np.log(t) - 0.5 * np.log(2.0 * np.pi ** 3)
        return super().logpdf(w, sigma, **hyper)

    def _tau(self, hyper):
        return np.asarray(self._A if self.fix_global else hyper["tau"], dtype=float)

    def _variance(self, hyper, sigma):
        lam = np.asarray(hyper["lambda"], dtype=float)
        v = self._tau(hyper)[..., None] ** 2 * lam ** 2
        return v * self._sigma2(sigma)

    def joint_logpdf(self, W, sigma=None, **hyper):
        """The joint log density of the class docstring, per draw (``W``: ``(..., p)``;
        ``tau``: ``(...)``; ``lambda``: ``(..., p)``; ``sigma`` broadcast like ``tau``)."""
        W = np.asarray(W, dtype=float)
        lam = np.asarray(hyper["lambda"], dtype=float)
        v = self._variance(hyper, sigma)
        lp = np.sum(-0.5 * W * W / v - 0.5 * np.log(v) - 0.5 * LOG_2PI
                    + halft_logpdf(lam, 1.0, 1.0), axis=-1)
        if not self.fix_global:
            lp = lp + halft_logpdf(hyper["tau"], 1.0, self._A)
        return lp

    def hyper_example(self, n_coef):
        return {"tau": np.array(0.7), "lambda": np.linspace(0.5, 1.6, n_coef)} if not \
            self.fix_global else {"lambda": np.linspace(0.5, 1.6, n_coef)}

    def to_pymc(self, name, dims=None, shape=None, sigma=None):
        import pymc as pm

        size = {"dims": dims} if dims is not None else {"shape": shape}
        pre = "" if name == "coef" else f"{name}_"
        tau = self._A if self.fix_global else pm.HalfCauchy(f"{pre}tau", beta=self._A)
        lam = pm.HalfCauchy(f"{pre}lambda", beta=1.0, **size)
        z = pm.Normal(f"{name}_raw", 0.0, 1.0, **size)
        scale = tau * lam
        if self.relative_to_sigma:
            scale = scale * self._pymc_sigma(sigma)
        return pm.Deterministic(name, z * scale, **({"dims": dims} if dims is not None else {}))

    def _pymc_sigma(self, sigma):
        if sigma is None:
            from .._errors import NotSupportedError

            raise NotSupportedError(
                f"{type(self).__name__}(relative_to_sigma=True) scales the prior by a Gaussian "
                "likelihood's sigma; with Bernoulli/Poisson use relative_to_sigma=False.")
        return sigma

    def pymc_values(self, coef, sigma=None, **hyper):
        sd = np.sqrt(self._variance(hyper, sigma))
        vals = {"coef_raw": np.asarray(coef, dtype=float) / sd, "lambda": hyper["lambda"]}
        if not self.fix_global:
            vals["tau"] = hyper["tau"]
        return vals, float(np.sum(np.log(sd)))

    def draw_variances(self, n_coef, size, rng, sigma=1.0):
        lam = np.abs(rng.standard_cauchy((size, n_coef)))
        tau = np.full((size, 1), self._A) if self.fix_global else \
            self._A * np.abs(rng.standard_cauchy((size, 1)))
        return (tau * lam) ** 2 * (sigma ** 2 if self.relative_to_sigma else 1.0)

    def gibbs_face(self, n_coef):
        return horseshoe_face(n_coef, self._A, self.relative_to_sigma, self.fix_global,
                              plus=False)

    @classmethod
    def examples(cls):
        return [cls()]
