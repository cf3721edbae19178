"""The horseshoe+ prior (Bhadra, Datta, Polson & Willard 2017), for sampling.

Density:  w_j | lambda_j, tau[, sigma] ~ N(0, tau^2 lambda_j^2 [sigma^2]),
          lambda_j | eta_j ~ C+(0, eta_j),  eta_j ~ C+(0, 1),  tau ~ C+(0, global_scale)
Penalty:  none: the marginal density is infinite at w = 0, there is no finite MAP
PyMC:     coef = z * tau * lambda [* sigma] (z ~ N(0, 1)), lambda ~ HalfCauchy(eta)
Gibbs:    Makalic & Schmidt (2016) inverse-gamma auxiliaries, one more level (priors/_shrinkage.py)
"""

from __future__ import annotations

import numpy as np

from ._shrinkage import LOG_2PI, halft_logpdf, horseshoe_face
from .base import register_prior
from .horseshoe import Horseshoe

__all__ = ["HorseshoePlus"]


@register_prior
class HorseshoePlus(Horseshoe):
    """The horseshoe+ prior: the horseshoe with a second half-Cauchy level on each local scale.

    ``w_j | lambda_j, tau ~ N(0, tau^2 lambda_j^2 [sigma^2])``, ``lambda_j | eta_j ~
    C+(0, eta_j)``, ``eta_j ~ C+(0, 1)``, ``tau ~ C+(0, global_scale)`` (or fixed). Joint log
    density over ``(w, tau, lambda, eta)``::

        sum_j [log N(w_j; 0, tau^2 lambda_j^2 [sigma^2]) + log C+(lambda_j; eta_j)
               + log C+(eta_j; 1)] + log C+(tau; A)

    with ``log C+(x; s) = log(2 / (pi s (1 + (x / s)^2)))``. Its marginal density has a
    sharper spike at 0 and heavier tails than the horseshoe's (Bhadra et al. 2017, "The
    horseshoe+ estimator of ultra-sparse signals"); this is R bayesreg's ``"horseshoe+"`` prior
    (rstanarm's ``hs_plus()`` adds the slab regularization of :class:`RegularizedHorseshoe`).

    Parameters
    ----------
    global_scale, relative_to_sigma, fix_global : as in :class:`Horseshoe`.

    Notes
    -----
    Posterior variables: ``tau`` (unless fixed), ``lambda`` and ``eta`` (one per coefficient).
    """

    vector_hypers = ("lambda", "eta")

    @property
    def hyper_names(self) -> tuple[str, ...]:
        return ("lambda", "eta") if self.fix_global else ("tau", "lambda", "eta")

    def joint_logpdf(self, W, sigma=None, **hyper):
        """The joint log density of the class docstring, per draw."""
        W = np.asarray(W, dtype=float)
        lam = np.asarray(hyper["lambda"], dtype=float)
        eta = np.asarray(hyper["eta"], dtype=float)
        v = self._variance(hyper, sigma)
        lp = np.sum(-0.5 * W * W / v - 0.5 * np.log(v) - 0.5 * LOG_2PI
                    + halft_logpdf(lam, 1.0, eta) + halft_logpdf(eta, 1.0, 1.0), axis=-1)
        if not self.fix_global:
            lp = lp + halft_logpdf(hyper["tau"], 1.0, self._A)
        return lp

    def hyper_example(self, n_coef):
        ex = super().hyper_example(n_coef)
        ex["eta"] = np.linspace(1.4, 0.6, n_coef)
        return ex

    def to_pymc(self, name, dims=None, shape=None, sigma=None):
        import pymc as pm

        size = {"dims": dims} if dims is not None else {"shape": shape}
        pre = "" if name == "coef" else f"{name}_"
        tau = self._A if self.fix_global else pm.HalfCauchy(f"{pre}tau", beta=self._A)
        eta = pm.HalfCauchy(f"{pre}eta", beta=1.0, **size)
        lam = pm.HalfCauchy(f"{pre}lambda", beta=eta, **size)
        z = pm.Normal(f"{name}_raw", 0.0, 1.0, **size)
        scale = tau * lam
        if self.relative_to_sigma:
            scale = scale * self._pymc_sigma(sigma)
        return pm.Deterministic(name, z * scale, **({"dims": dims} if dims is not None else {}))

    def pymc_values(self, coef, sigma=None, **hyper):
        vals, off = super().pymc_values(coef, sigma, **hyper)
        vals["eta"] = hyper["eta"]
        return vals, off

    def draw_variances(self, n_coef, size, rng, sigma=1.0):
        eta = np.abs(rng.standard_cauchy((size, n_coef)))
        lam = eta * np.abs(rng.standard_cauchy((size, n_coef)))
        tau = np.full((size, 1), self._A) if self.fix_global else \
            self._A * np.abs(rng.standard_cauchy((size, 1)))
        return (tau * lam) ** 2 * (sigma ** 2 if self.relative_to_sigma else 1.0)

    def gibbs_face(self, n_coef):
        return horseshoe_face(n_coef, self._A, self.relative_to_sigma, self.fix_global,
                              plus=True)

    @classmethod
    def examples(cls):
        return [cls(0.3, relative_to_sigma=False, fix_global=True)]
