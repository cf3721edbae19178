"""The R2D2 prior (Zhang, Naughton, Bondell & Reich 2022), Gaussian-kernel version (as brms).

Density:  R^2 ~ Beta(mean_r2 * precision, (1 - mean_r2) * precision),
          phi ~ Dirichlet(concentration, ..., concentration),
          w_j | R^2, phi[, sigma] ~ N(0, phi_j R^2 / (1 - R^2) [sigma^2])
Penalty:  none: the joint density is unbounded as phi_j -> 0 with w_j = 0, there is no MAP
PyMC:     non-centered: coef = z * sqrt(phi R^2 / (1 - R^2)) [* sigma], z ~ N(0, 1)
Gibbs:    none (the Dirichlet split has no conjugate update here): NUTS
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from .._errors import NotSupportedError, ParameterError
from ._shrinkage import LOG_2PI, check_bool, check_df, no_mode_message
from .base import HierarchicalPrior, register_prior

__all__ = ["R2D2"]


@register_prior
class R2D2(HierarchicalPrior):
    """A prior on the coefficient of determination, split over the coefficients (R2D2).

    For standardized X (unit column variances, independent columns), the prior variance of the
    linear predictor is ``sum_j phi_j W sigma^2 = W sigma^2`` with ``W = R^2 / (1 - R^2)``, so
    ``R^2 = W / (1 + W)`` is the proportion of variance explained: the prior is stated on R^2
    (a Beta) and a Dirichlet splits it over the coefficients. Joint log density over
    ``(w, r2, phi)`` (:meth:`joint_logpdf`; ``phi`` on the simplex, density in its first
    ``p - 1`` coordinates)::

        sum_j log N(w_j; 0, phi_j r2 / (1 - r2) [sigma^2])
        + log Beta(r2; a, b) + log Gamma(p c) - p log Gamma(c) + (c - 1) sum_j log phi_j

    with ``a = mean_r2 * precision``, ``b = (1 - mean_r2) * precision``, ``c = concentration``.
    This is brms's ``R2D2(mean_R2, prec_R2, cons_D2)`` with a Gaussian kernel (Zhang et al.'s
    original uses a double-exponential kernel).

    Parameters
    ----------
    mean_r2 : float in (0, 1), default 0.5
    precision : float > 0, default 2
        ``a + b`` of the Beta prior on R^2 (``mean_r2=0.5, precision=2``: uniform R^2).
    concentration : float > 0, default 0.5
        The Dirichlet concentration; small values concentrate the variance on few coefficients
        (sparser), 1 is uniform on the simplex.
    relative_to_sigma : bool, default True
        Multiply the prior sd by the Gaussian noise sd (False for Bernoulli / Poisson).

    Notes
    -----
    Posterior variables ``r2`` and ``phi`` (one per coefficient). No MAP, no Gibbs face.
    """

    _params = ("mean_r2", "precision", "concentration", "relative_to_sigma")
    hyper_names = ("r2", "phi")
    vector_hypers = ("phi",)
    cli_options = {"mean_r2": "mean_r2", "precision": "r2_precision",
                   "concentration": "concentration", "relative_to_sigma": "has_noise_scale"}

    def __init__(self, mean_r2: float = 0.5, precision: float = 2.0, concentration: float = 0.5,
                 relative_to_sigma: bool = True) -> None:
        m = check_df(mean_r2, "R2D2.mean_r2")
        if not m < 1.0:
            raise ParameterError(f"R2D2.mean_r2 must be in (0, 1), got {mean_r2!r}.")
        self.mean_r2 = m
        self.precision = check_df(precision, "R2D2.precision")
        self.concentration = check_df(concentration, "R2D2.concentration")
        self.relative_to_sigma = check_bool(relative_to_sigma, "R2D2.relative_to_sigma")

    @property
    def _ab(self) -> tuple[float, float]:
        return self.mean_r2 * self.precision, (1.0 - self.mean_r2) * self.precision

    @property
    def finite_variance(self) -> bool:
        """E[R^2 / (1 - R^2)] is finite when b = (1 - mean_r2) precision > 1."""
        return self._ab[1] > 1

    @property
    def scales_with_sigma(self) -> bool:
        return self.relative_to_sigma

    def mode_unavailable(self) -> str:
        return no_mode_message(
            "R2D2", "its joint density is unbounded as phi_j -> 0 with w_j = 0 (and for "
            "concentration <= 1/2 so is the marginal density at w = 0)")

    def _variance(self, hyper, sigma=None):
        r2 = np.asarray(hyper["r2"], dtype=float)[..., None]
        v = np.asarray(hyper["phi"], dtype=float) * r2 / (1.0 - r2)
        if self.relative_to_sigma:
            v = v * np.asarray(1.0 if sigma is None else sigma, dtype=float)[..., None] ** 2
        return v

    def conditional_variance(self, hyper, sigma=None):
        return self._variance(hyper, sigma)

    def logpdf(self, w, sigma: float = 1.0, r2=None, phi=None):
        """Conditional ``log N(w_j; 0, phi_j r2 / (1 - r2) [sigma^2])`` (needs r2 and phi)."""
        if r2 is None or phi is None:
            raise NotSupportedError("R2D2 has no closed-form marginal density on w: pass r2=... "
                                    "and phi=... for the conditional density, or use joint_logpdf.")
        v = self._variance({"r2": r2, "phi": phi}, sigma)
        w = np.asarray(w, dtype=float)
        return -0.5 * w * w / v - 0.5 * np.log(v) - 0.5 * LOG_2PI

    def joint_logpdf(self, W, sigma=None, **hyper):
        """The joint log density of the class docstring, per draw."""
        W = np.asarray(W, dtype=float)
        p = W.shape[-1]
        r2 = np.asarray(hyper["r2"], dtype=float)
        phi = np.asarray(hyper["phi"], dtype=float)
        v = self._variance(hyper, sigma)
        a, b = self._ab
        c = self.concentration
        with np.errstate(divide="ignore", invalid="ignore"):
            lp = np.sum(-0.5 * W * W / v - 0.5 * np.log(v) - 0.5 * LOG_2PI, axis=-1)
            lp = lp + ((a - 1) * np.log(r2) + (b - 1) * np.log1p(-r2)
                       + gammaln(a + b) - gammaln(a) - gammaln(b))
            if p > 1:
                lp = lp + gammaln(p * c) - p * gammaln(c) + (c - 1) * np.sum(np.log(phi), axis=-1)
        ok = (r2 > 0) & (r2 < 1) & np.all(phi > 0, axis=-1) & (
            np.abs(np.sum(phi, axis=-1) - 1.0) < 1e-8)
        return np.where(ok, lp, -np.inf)

    def hyper_example(self, n_coef):
        phi = np.linspace(1.0, 2.0, n_coef)
        return {"r2": np.array(0.35), "phi": phi / phi.sum()}

    def to_pymc(self, name, dims=None, shape=None, sigma=None):
        import pymc as pm
        import pytensor.tensor as pt

        size = {"dims": dims} if dims is not None else {"shape": shape}
        pre = "" if name == "coef" else f"{name}_"
        p = (len(pm.modelcontext(None).coords[dims]) if dims is not None
             else int(np.prod(shape)))
        a, b = self._ab
        r2 = pm.Beta(f"{pre}r2", alpha=a, beta=b)
        if p > 1:
            phi = pm.Dirichlet(f"{pre}phi", a=np.full(p, self.concentration), **size)
        else:
            phi = pm.Deterministic(f"{pre}phi", pt.ones(1), **size)
        z = pm.Normal(f"{name}_raw", 0.0, 1.0, **size)
        sd = pt.sqrt(phi * r2 / (1.0 - r2))
        if self.relative_to_sigma:
            if sigma is None:
                raise NotSupportedError(
                    "R2D2(relative_to_sigma=True) scales the prior by a Gaussian likelihood's "
                    "sigma; with Bernoulli/Poisson use R2D2(..., relative_to_sigma=False).")
            sd = sd * sigma
        return pm.Deterministic(name, z * sd, **({"dims": dims} if dims is not None else {}))

    def pymc_values(self, coef, sigma=None, **hyper):
        sd = np.sqrt(self._variance(hyper, sigma))
        vals = {"coef_raw": np.asarray(coef, dtype=float) / sd, "r2": hyper["r2"]}
        if np.size(coef) > 1:
            vals["phi"] = hyper["phi"]
        return vals, float(np.sum(np.log(sd)))

    def draw_variances(self, n_coef, size, rng, sigma=1.0):
        a, b = self._ab
        r2 = rng.beta(a, b, size)
        phi = rng.dirichlet(np.full(n_coef, self.concentration), size) if n_coef > 1 else \
            np.ones((size, 1))
        return self._variance({"r2": r2, "phi": phi}, np.full(size, float(sigma)))

    def with_strength(self, c: float):
        raise NotSupportedError("R2D2 has no penalty strength to scale (no MAP, no path): change "
                                "mean_r2 / precision instead.")

    @property
    def path_scale(self):
        return self.mean_r2

    @classmethod
    def examples(cls):
        return [cls(0.3, 5.0, 1.5, relative_to_sigma=False)]
