"""Gaussian likelihood  <->  squared-error datafit.

Density:  p(y | eta, sigma) = exp(-(y - eta)^2 / (2 sigma^2)) / (sigma sqrt(2 pi))
Datafit:  sum_i sw_i (y_i - eta_i)^2 / (2 sigma^2)     (quadratic: least-squares solvers apply)
sigma:    fixed, or free with sigma ~ HalfNormal(sigma_prior_scale) (joint MAP: closed-form
          sigma step; Gibbs: exact draw, see likelihoods/_gaussian_gibbs.py)
PyMC:     pm.Normal(mu=eta, sigma=sigma), or the exact sufficient-statistics form
sklearn:  Ridge(alpha) = Normal(sigma / sqrt(alpha)); Lasso(alpha) = Laplace(sigma^2 / (n alpha));
          ElasticNet(alpha, rho): l1 = n alpha rho / sigma^2, l2 = n alpha (1 - rho) / sigma^2
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from .._errors import DataError, NotSupportedError, ParameterError
from .._validation import LOG_2PI, check_positive_number, check_scale
from .base import Likelihood, register_likelihood


class NoiseGibbsFace(NamedTuple):
    """The likelihood's conditional in the Gibbs sampler: ``update(scal, params, S, sig_terms,
    counters, rng)`` draws sigma in place (see likelihoods/_gaussian_gibbs.py)."""

    params: np.ndarray
    update: Any


@register_likelihood
class Gaussian(Likelihood):
    """Gaussian (normal) observations with identity link.

    ``log p(y_i | eta_i) = -(y_i - eta_i)**2 / (2 * sigma**2) - log(sigma) - log(2 * pi) / 2``.

    Parameters
    ----------
    sigma : float or None
        Noise standard deviation. A float fixes it (the penalized-regression setting: every
        sklearn/glmnet conversion needs it). ``None`` estimates it, under the prior
        ``sigma ~ HalfNormal(sigma_prior_scale)``: ``log p(sigma) = log(2) + log N(sigma; 0, s)``.
        The joint MAP over (coef, intercept, sigma) maximizes the density without a Jacobian,
        exactly like ``pm.find_MAP``.
    sigma_prior_scale : float or None
        Scale s of the HalfNormal prior on sigma when ``sigma is None``. Default ``None`` means
        the (population) standard deviation of y of the data being fitted (1.0 if y is constant),
        so the prior is weakly informative on the data's scale; the resolved value is recorded
        in every result.
    """

    _params = ("sigma", "sigma_prior_scale")
    family = "gaussian"
    has_noise_scale = True
    #: constructor parameter -> command-line option (dest) of ``--likelihood gaussian``
    cli_options = {"sigma": "sigma"}
    sklearn_names = ("Ridge", "Lasso", "ElasticNet")
    #: {estimator: {constructor argument or fitted attribute: (action, what happens, check)}}
    sklearn_arguments: dict = {}  # filled below the class (the table at the end of the file)

    def __init__(self, sigma: float | None = None, sigma_prior_scale: float | None = None) -> None:
        self.sigma = None if sigma is None else float(check_scale(sigma, "Gaussian.sigma", False))
        self.sigma_prior_scale = (
            None
            if sigma_prior_scale is None
            else float(check_scale(sigma_prior_scale, "Gaussian.sigma_prior_scale", False))
        )

    # -- free parameter sigma ----------------------------------------------------------
    @property
    def estimates_sigma(self) -> bool:
        return self.sigma is None

    @property
    def free_params(self) -> tuple[str, ...]:
        return ("sigma",) if self.sigma is None else ()

    def resolve_sigma_prior_scale(self, y: np.ndarray, sw: np.ndarray | None = None) -> float:
        """The HalfNormal scale actually used for the data ``y`` (see ``sigma_prior_scale``)."""
        if self.sigma_prior_scale is not None:
            return self.sigma_prior_scale
        if sw is None:
            sw = np.ones_like(y)
        top = float(np.max(np.abs(y))) if y.size else 0.0
        if not top > 0:
            return 1.0
        u = y / top  # in units of max|y|: the square cannot overflow or underflow to 0
        m = np.average(u, weights=sw)
        s = top * float(np.sqrt(np.average((u - m) ** 2, weights=sw)))
        return s if s > 0 else 1.0

    def resolved(self, y, sw=None) -> Gaussian:
        if self.sigma is not None or self.sigma_prior_scale is not None:
            return self
        return Gaussian(None, self.resolve_sigma_prior_scale(y, sw))

    @staticmethod
    def sigma_logprior(sigma: float, scale: float) -> float:
        """``log p(sigma)`` of the HalfNormal(scale) prior (as PyMC computes it)."""
        return np.log(2.0) - 0.5 * LOG_2PI - np.log(scale) - 0.5 * (sigma / scale) ** 2

    def free_logprior(self, sigma: Any = None, **values: Any):
        if self.sigma is not None:
            return 0.0
        if self.sigma_prior_scale is None:
            raise ParameterError("free_logprior needs a resolved likelihood (call .resolved(y)).")
        return self.sigma_logprior(sigma, self.sigma_prior_scale)

    @staticmethod
    def sigma_update(rss: float, wsum: float, scale: float) -> float:
        """argmax over sigma of ``-rss/(2 sigma^2) - wsum log(sigma) + log HalfNormal(sigma; scale)``.

        Setting the derivative to zero gives ``u^2 / s^2 + wsum u - rss = 0`` in ``u = sigma^2``."""
        disc = np.sqrt(wsum * wsum + 4.0 * rss / scale**2)
        u = 2.0 * rss / (wsum + disc)
        return float(np.sqrt(u))

    def sigma_at_mode(self, rss: float, wsum: float) -> float:
        """The joint-MAP sigma step given the weighted residual sum of squares (resolved)."""
        return self.sigma_update(rss, wsum, self.sigma_prior_scale)

    def sigma_stationarity(self, rss: float, wsum: float, sigma: float) -> float:
        """``|d log posterior / d log sigma|`` at ``sigma`` (0 at the joint mode)."""
        return abs(rss / sigma**2 - wsum - (sigma / self.sigma_prior_scale) ** 2)

    def null_free_params(self, y, sw, fit_intercept):
        if self.sigma is not None:
            return {}
        ybar = float(sw @ y / sw.sum()) if fit_intercept else 0.0
        return {"sigma": self.sigma_at_mode(float(sw @ (y - ybar) ** 2), float(sw.sum()))}

    def free_stationarity(self, y, eta, sw, sigma=None, **values):
        if self.sigma is not None or sigma is None:
            return 0.0
        r = y - eta
        return self.sigma_stationarity(float(sw @ (r * r)), float(sw.sum()), sigma)

    # -- density -----------------------------------------------------------------------
    def _s(self):
        if self.sigma is None:
            raise DataError("Gaussian(sigma=None) has no sigma to evaluate at: bind one first "
                            "(likelihood.bind(sigma=...)).")
        return self.sigma

    def check_y(self, y: np.ndarray) -> None:
        return None

    def mean(self, eta):
        return eta

    def loglik(self, y, eta):
        s = self._s()
        r = (y - eta) / s
        return -0.5 * r * r - np.log(s) - 0.5 * LOG_2PI

    def loglik_from_rss(self, rss, wsum):
        """``sum_i sw_i log p(y_i | eta_i)`` from ``rss = sum_i sw_i (y_i - eta_i)^2``."""
        s = self._s()
        return -0.5 * rss / s**2 - wsum * (np.log(s) + 0.5 * LOG_2PI)

    def draw(self, eta, rng):
        return rng.normal(eta, self._s())

    # -- datafit -----------------------------------------------------------------------
    def quadratic_weight(self) -> float:
        """``1 / sigma^2``: the datafit is ``quadratic_weight * sum_i sw_i r_i^2 / 2`` (the face
        the least-squares solvers need)."""
        return 1.0 / self._s() ** 2

    def datafit(self, y, eta, sw):
        r = y - eta
        return float(0.5 * np.dot(sw, r * r) / self._s() ** 2)

    def gradient(self, y, eta, sw):
        return sw * (eta - y) / self._s() ** 2

    def curvature(self, y, eta, sw):
        return sw / self._s() ** 2

    def gradient_from_mean(self, y, mu, sw, eta):
        return sw * (mu - y) / self._s() ** 2

    def curvature_from_mean(self, mu, sw, y=None):
        return sw / self._s() ** 2

    def loglik_constant(self, y, sw):
        """``-sum(sw) (log sigma + log(2 pi) / 2)``; with a free sigma the objective keeps
        ``sum(sw) log sigma - log p(sigma)``, so the constant is ``-sum(sw) log(2 pi) / 2``."""
        if self.sigma is None:
            return -float(sw.sum()) * 0.5 * LOG_2PI
        return -float(sw.sum()) * (np.log(self.sigma) + 0.5 * LOG_2PI)

    def null_eta(self, y, sw, fit_intercept):
        return float(sw @ y / sw.sum()) if fit_intercept else 0.0

    def cv_deviance(self, y, mu):
        """glmnet's gaussian deviance measure: the squared error ``(y - mu)^2`` (not divided
        by sigma^2)."""
        r = y - mu
        return r * r

    @classmethod
    def examples(cls):
        return [cls(sigma=0.8), cls(), cls(sigma_prior_scale=1.5)]

    # -- PyMC --------------------------------------------------------------------------
    def pymc_params(self, name_prefix: str = ""):
        import pymc as pm
        import pytensor.tensor as pt

        if self.sigma is None:
            return {"sigma": pm.HalfNormal(name_prefix + "sigma",
                                           sigma=np.float64(self.sigma_prior_scale))}
        # a fixed sigma must be a float64 constant: PyTensor would otherwise store a Python
        # float that is exact in float32 (e.g. 50.0) as float32 and take its log in float32
        return {"sigma": pt.constant(np.float64(self.sigma), dtype="float64")}

    def pymc_loglik(self, y, eta, params):
        import pymc as pm

        return pm.logp(pm.Normal.dist(mu=eta, sigma=params["sigma"]), y)

    def pymc_observe(self, name, eta, y_data, params, dims):
        import pymc as pm

        return pm.Normal(name, mu=eta, sigma=params["sigma"], observed=y_data, dims=dims)

    def pymc_suffstats_loglik(self, stats: dict[str, Any], coef, intercept, params):
        """``sum_i sw_i log p(y_i | intercept + x_i coef)`` from the centered sufficient
        statistics (PyTensor; ``stats`` holds ``G, q, yy, S, xbar, ybar`` of
        :class:`~bayesreg.suffstats.SuffStats`): ``-rss / (2 sigma^2) - S (log sigma +
        log(2 pi) / 2)`` with rss the exact identity of :mod:`bayesreg.suffstats`."""
        import pytensor.tensor as pt

        sigma = params["sigma"]
        d0 = intercept - stats["ybar"] + pt.dot(stats["xbar"], coef)
        rss = (stats["yy"] - 2.0 * pt.dot(coef, stats["q"])
               + pt.dot(coef, pt.dot(stats["G"], coef)) + stats["S"] * d0 * d0)
        return -0.5 * rss / sigma**2 - stats["S"] * (pt.log(sigma) + 0.5 * LOG_2PI)

    # -- Gibbs -------------------------------------------------------------------------
    def gibbs_kind(self) -> str:
        """``"gaussian"``: the exact Gibbs sampler on the sufficient statistics."""
        return "gaussian"

    def gibbs_noise_face(self) -> NoiseGibbsFace:
        """sigma's conditional for :mod:`bayesreg.samplers.gibbs` (call on a resolved
        likelihood)."""
        from ._gaussian_gibbs import sigma_update

        s = 1.0 if self.sigma_prior_scale is None else self.sigma_prior_scale
        return NoiseGibbsFace(np.array([1.0 if self.sigma is None else 0.0, float(s)]),
                              sigma_update)

    # -- conventions of other libraries --------------------------------------------------
    def noise_variance(self, sigma=None):
        s = self.sigma if sigma is None else check_positive_number(sigma, "sigma")
        if s is None:
            raise ParameterError("Gaussian(sigma=None): pass sigma=... to convert.")
        return s * s

    @classmethod
    def from_glmnet(cls, sigma):
        return cls(sigma=_conversion_sigma(sigma))

    @classmethod
    def from_sklearn(cls, estimator, n_samples, sigma):
        """Ridge / Lasso / ElasticNet (every other argument is checked against
        :attr:`sklearn_arguments` by :func:`bayesreg.conversions.from_sklearn` first)."""
        name = type(estimator).__name__
        if name != "Ridge" and n_samples is None:
            raise ParameterError(f"{name}'s loss is divided by n: pass n_samples=<rows of X> "
                                 "(the sum of sample_weight when fitted with weights).")
        s = _conversion_sigma(sigma)
        if name == "Ridge":
            alpha = _ridge_alpha(estimator.alpha)
            return cls(sigma=s), np.asarray(0.0), np.asarray(alpha / s**2)
        alpha = _penalty_strength(estimator.alpha, name)
        rho = 1.0 if name == "Lasso" else _mixing(estimator.l1_ratio, name)
        k = n_samples * alpha / s**2
        return cls(sigma=s), np.asarray(k * rho), np.asarray(k * (1 - rho))

    def to_sklearn(self, l1, l2, n_samples, fit_intercept, sigma=None):
        from sklearn.linear_model import ElasticNet, Lasso, Ridge

        s = self.sigma if sigma is None else check_positive_number(sigma, "sigma")
        if s is None:
            raise ParameterError("Gaussian(sigma=None) has no fixed noise sd; pass sigma=... to "
                                 "convert (the penalty depends on sigma^2).")
        if l1 == 0:
            return Ridge(alpha=s**2 * l2, fit_intercept=fit_intercept)
        if n_samples is None:
            raise ParameterError("Lasso/ElasticNet divide the loss by n: pass n_samples=<rows of X>.")
        if l2 == 0:
            return Lasso(alpha=s**2 * l1 / n_samples, fit_intercept=fit_intercept)
        return ElasticNet(alpha=s**2 * (l1 + l2) / n_samples, l1_ratio=l1 / (l1 + l2),
                          fit_intercept=fit_intercept)


# -- the conversion table: every constructor argument of the estimators (checked generically by
#    bayesreg.conversions.from_sklearn; an argument missing here is refused unless at its default)
def _no_positive(value, params):
    if value:
        return ("positive=True constrains every coefficient to be >= 0 (a prior truncated at 0), "
                "which no bayesreg prior expresses. Use positive=False (the default).")
    return None


def _one_target(coef, params):
    c = np.asarray(coef)
    if c.ndim == 2 and c.shape[0] > 1:
        return (f"the estimator was fitted to {c.shape[0]} targets (coef_ has shape {c.shape}); a "
                "bayesreg Model has one response. Convert an estimator fitted to one target.")
    return None


def _ridge_alpha(alpha):
    try:
        a = np.asarray(alpha, dtype=float)
    except (TypeError, ValueError):
        raise ParameterError(f"Ridge(alpha={alpha!r}): alpha must be a number.") from None
    if a.size != 1:
        raise NotSupportedError(
            f"cannot convert Ridge(alpha={alpha!r}): an array alpha is one penalty per *target* "
            "in scikit-learn (not per feature), and a bayesreg Model has one response. Pass a "
            "scalar alpha (the alpha of the target you model); per-feature penalties are "
            "per-coefficient prior scales: Normal(scale=array).")
    a = float(a.reshape(()))
    if not np.isfinite(a) or a < 0:
        raise ParameterError(f"Ridge(alpha={alpha!r}): alpha must be finite and >= 0.")
    if a == 0:
        raise NotSupportedError("cannot convert Ridge(alpha=0): it is unpenalized least squares, "
                                "a flat prior without a proper posterior. Use alpha > 0.")
    return a


def _penalty_strength(alpha, name):
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.integer, np.floating)):
        raise ParameterError(f"{name}(alpha={alpha!r}): alpha must be a number (scikit-learn "
                             f"{name} has one alpha; per-feature penalties are per-coefficient "
                             "prior scales).")
    if not np.isfinite(alpha) or alpha < 0:
        raise ParameterError(f"{name}(alpha={alpha!r}): alpha must be finite and >= 0.")
    if alpha == 0:
        raise NotSupportedError(f"cannot convert {name}(alpha=0): it is unpenalized least squares, "
                                "a flat prior without a proper posterior. Use alpha > 0.")
    return float(alpha)


def _mixing(l1_ratio, name):
    if isinstance(l1_ratio, bool) or not isinstance(l1_ratio, (int, float, np.integer,
                                                               np.floating)) \
            or not 0 <= l1_ratio <= 1:
        raise ParameterError(f"{name}(l1_ratio={l1_ratio!r}): l1_ratio must be a number in "
                             "[0, 1] (1 = Lasso, 0 = ridge).")
    return float(l1_ratio)


_GAUSSIAN_COMMON = {
    "fit_intercept": ("converted", "Model(fit_intercept=...); the intercept is never penalized",
                      None),
    "copy_X": ("ignored", "memory only", None),
    "max_iter": ("ignored", "solver budget: the optimum does not depend on it", None),
    "tol": ("ignored", "solver tolerance: the optimum does not depend on it", None),
    "random_state": ("ignored", "solver randomness (sag/saga, selection='random')", None),
    "positive": ("refused", "positive=True (coefficients >= 0) is refused; False is the default",
                 _no_positive),
    "coef_": ("refused", "a fitted estimator with more than one target is refused", _one_target),
}
_CD = {
    "precompute": ("ignored", "Gram matrix or not: the same optimum", None),
    "selection": ("ignored", "coordinate order: the same optimum", None),
    "warm_start": ("ignored", "starting point: the same (unique) optimum", None),
}
_SKLEARN_ARGUMENTS = {
    "Ridge": {
        "alpha": ("converted", "Normal(sigma / sqrt(alpha)); not divided by n; an array (one "
                  "alpha per target) is refused unless it has one element", None),
        "solver": ("ignored", "every solver reaches the same optimum", None),
        **_GAUSSIAN_COMMON},
    "Lasso": {
        "alpha": ("converted", "Laplace(sigma^2 / (n alpha)); alpha = 0 is refused (unpenalized)",
                  None),
        **_CD, **_GAUSSIAN_COMMON},
    "ElasticNet": {
        "alpha": ("converted", "1/b = n alpha l1_ratio / sigma^2, 1/tau^2 = n alpha (1 - "
                  "l1_ratio) / sigma^2; alpha = 0 is refused (unpenalized)", None),
        "l1_ratio": ("converted", "the L1/L2 mix (a number in [0, 1], else ParameterError)", None),
        **_CD, **_GAUSSIAN_COMMON},
}


def _conversion_sigma(sigma):
    if sigma is None:
        raise ParameterError(
            "the Gaussian conversion needs the noise sd: pass sigma=... (the penalty only fixes "
            "the ratio sigma^2 / prior scale).")
    return check_positive_number(sigma, "sigma")


Gaussian.sklearn_arguments = _SKLEARN_ARGUMENTS
