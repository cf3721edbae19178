"""The Bayesian ridge: a Normal prior whose variance has an inverse-gamma hyperprior.

Density:  w_j | tau^2 ~ N(0, tau^2)                  (relative_to_sigma=False, the default)
          w_j | tau^2, sigma ~ N(0, sigma^2 tau^2)   (relative_to_sigma=True)
          tau^2 ~ InverseGamma(a, scale b)   (tau2_prior=(a, b)): b^a / Gamma(a) tau^-2(a+1) e^(-b/tau^2)
Penalty:  none: the joint mode over (w, tau^2) collapses toward w = 0 (``mode_unavailable``)
PyMC:     pm.InverseGamma("tau2", a, b); pm.Normal(0, sqrt(tau2) [* sigma])
Gibbs:    conjugate: tau^2 | w[, sigma] ~ InverseGamma(a + p/2, b + sum_j w_j^2 / (2 [sigma^2]))
          (this file), w | tau^2 in the sampler's joint Gaussian draw
"""

from __future__ import annotations

import numpy as np
from numba import njit
from scipy.special import gammaln

from .._errors import NotSupportedError, ParameterError
from .._validation import LOG_2PI
from .base import GibbsFace, HierarchicalPrior, register_prior

__all__ = ["BayesianRidge"]

#: tau^2 ~ InverseGamma(1, scale 1): the default hyperprior (prior median of tau about 1.2)
DEFAULT_TAU2_PRIOR = (1.0, 1.0)


# ------------------------------------------------------------------ Gibbs face (numba)
# params = [a, b, rel, p]; latent = [tau2]
@njit(cache=True, nogil=True)
def _fill_prec(latent, params, prec, sigma):
    s2 = sigma * sigma if params[2] > 0 else 1.0
    v = 1.0 / (latent[0] * s2)
    for j in range(prec.shape[0]):
        prec[j] = v


@njit(cache=True, nogil=True)
def ridge_init(latent, params, prec, sigma, rng):
    """Start tau^2 at the hyperprior's mode ``b / (a + 1)``."""
    latent[0] = params[1] / (params[0] + 1.0)
    _fill_prec(latent, params, prec, sigma)


@njit(cache=True, nogil=True)
def ridge_update(latent, params, w, sigma, prec, rng):
    """``tau^2 | w[, sigma] ~ InverseGamma(a + p/2, b + sum_j w_j^2 / (2 [sigma^2]))``."""
    p = w.shape[0]
    s2 = sigma * sigma if params[2] > 0 else 1.0
    ss = 0.0
    for j in range(p):
        ss += w[j] * w[j]
    latent[0] = (params[1] + 0.5 * ss / s2) / rng.gamma(params[0] + 0.5 * p, 1.0)
    _fill_prec(latent, params, prec, sigma)


@njit(cache=True, nogil=True)
def ridge_sigma_terms(latent, params, w, out):
    """Relative to sigma: ``p`` more degrees of freedom and ``sum_j w_j^2 / tau^2``."""
    if params[2] > 0:
        ss = 0.0
        for j in range(w.shape[0]):
            ss += w[j] * w[j]
        out[0] = float(w.shape[0])
        out[1] = ss / latent[0]
    else:
        out[0] = 0.0
        out[1] = 0.0


@njit(cache=True, nogil=True)
def ridge_record(latent, params, out):
    out[0] = latent[0]


@register_prior
class BayesianRidge(HierarchicalPrior):
    """A Normal prior with an inverse-gamma hyperprior on its variance, for sampling.

    ``w_j | tau^2 ~ N(0, tau^2)`` i.i.d. (``N(0, sigma^2 tau^2)`` with ``relative_to_sigma``)
    and ``tau^2 ~ InverseGamma(a, scale=b)``::

        log p(w, tau^2) = -sum_j w_j^2 / (2 tau^2 [sigma^2]) - (p/2) log(2 pi tau^2 [sigma^2])
                          + a log b - log Gamma(a) - (a + 1) log tau^2 - b / tau^2

    The ridge's counterpart of the Bayesian lasso: the data choose the prior scale
    ``tau = sqrt(tau^2)`` through its posterior. It is scikit-learn's ``BayesianRidge`` model
    (a Gamma(lambda_1, lambda_2) prior on the precision ``1 / tau^2`` is this
    ``InverseGamma(lambda_1, lambda_2)``), sampled instead of maximized over ``tau^2``; the
    conditional ``tau^2 | w`` is conjugate, so the exact Gibbs sampler draws it.

    Parameters
    ----------
    tau2_prior : (a, b), default (1.0, 1.0)
        Shape and scale of the inverse-gamma hyperprior on ``tau^2`` (in squared coefficient
        units, or relative to sigma^2): ``(1, 1)`` has its mode at 0.5 and a median of tau of
        about 1.2, weak for standardized columns and a response of unit scale.
    relative_to_sigma : bool, default False
        Scale the Normal by the Gaussian noise sd (the conjugate Normal-inverse-gamma ridge).

    Notes
    -----
    There is no MAP: the joint mode over ``(w, tau^2)`` solves for both together
    (``tau^2 = (b + |w|^2 / 2) / (a + 1 + p / 2)`` at the mode), which is not the ridge estimate
    at any penalty fixed in advance; the point estimates are the posterior mean / median. Use
    ``model.sample(...)``, or ``Normal(scale)`` for a ridge MAP.
    """

    _params = ("tau2_prior", "relative_to_sigma")
    hyper_names = ("tau2",)

    def __init__(self, tau2_prior: tuple[float, float] | None = None,
                 relative_to_sigma: bool = False) -> None:
        if not isinstance(relative_to_sigma, (bool, np.bool_)):
            raise ParameterError(f"BayesianRidge.relative_to_sigma must be True or False, got "
                                 f"{relative_to_sigma!r}.")
        self.relative_to_sigma = bool(relative_to_sigma)
        if tau2_prior is None:
            tau2_prior = DEFAULT_TAU2_PRIOR
        try:
            vals = [float(v) for v in np.asarray(tau2_prior, dtype=float).ravel()]
        except (TypeError, ValueError):
            vals = []
        if len(vals) != 2 or not all(np.isfinite(v) and v > 0 for v in vals):
            raise ParameterError(
                f"BayesianRidge.tau2_prior must be (a, b), two finite numbers > 0 (shape and scale "
                f"of the inverse-gamma prior on tau^2), got {tau2_prior!r}.")
        self.tau2_prior = (vals[0], vals[1])

    @property
    def scales_with_sigma(self) -> bool:
        return self.relative_to_sigma

    def mode_unavailable(self) -> str:
        return ("BayesianRidge is hierarchical and exists for sampling: the joint mode over "
                "(w, tau^2) solves for both together and is not the ridge estimate at any penalty "
                "fixed in advance. Use model.sample(X, y) for its posterior, or "
                "Normal(scale) for a ridge MAP (select_scale chooses that scale).")

    def _s2(self, sigma):
        return np.asarray(1.0 if sigma is None or not self.relative_to_sigma else sigma,
                          dtype=float) ** 2

    def logpdf(self, w: np.ndarray, sigma: float = 1.0, tau2: float | None = None) -> np.ndarray:
        """Conditional ``log N(w_j; 0, tau^2 [sigma^2])`` elementwise (``tau2`` is required)."""
        if tau2 is None:
            raise NotSupportedError("BayesianRidge has no fixed density on w: pass tau2=... to "
                                    "evaluate the conditional density log p(w | tau^2).")
        w = np.asarray(w, dtype=float)
        v = float(tau2) * self._s2(sigma)
        return -0.5 * w * w / v - 0.5 * np.log(v) - 0.5 * LOG_2PI

    def joint_logpdf(self, W, sigma=None, tau2=None, **hyper):
        """``sum_j log N(w_j; 0, tau^2 [sigma^2]) + log InverseGamma(tau^2; a, b)`` per draw."""
        if tau2 is None:
            raise NotSupportedError("BayesianRidge: pass tau2=... (draws).")
        W = np.asarray(W, dtype=float)
        p = W.shape[-1]
        t2 = np.asarray(tau2, dtype=float)
        v = t2 * self._s2(sigma)
        a, b = self.tau2_prior
        lp = -0.5 * np.sum(W * W, axis=-1) / v - 0.5 * p * (LOG_2PI + np.log(v))
        return lp + a * np.log(b) - gammaln(a) - (a + 1) * np.log(t2) - b / t2

    def conditional_variance(self, hyper, sigma=None):
        t2 = np.asarray(hyper["tau2"], dtype=float)[..., None]
        s2 = self._s2(sigma)
        return t2 * (s2[..., None] if s2.ndim else s2)

    def draw_variances(self, n_coef, size, rng, sigma=1.0):
        a, b = self.tau2_prior
        t2 = b / rng.gamma(a, 1.0, size=(size, 1))
        return np.broadcast_to(t2 * (sigma**2 if self.relative_to_sigma else 1.0),
                               (size, n_coef)).copy()

    def to_pymc(self, name, dims=None, shape=None, sigma=None):
        import pymc as pm
        import pytensor.tensor as pt

        size = {"dims": dims} if dims is not None else {"shape": shape}
        a, b = self.tau2_prior
        tau2 = pm.InverseGamma("tau2" if name == "coef" else f"{name}_tau2", alpha=np.float64(a),
                               beta=np.float64(b))
        sd = pt.sqrt(tau2)
        if self.relative_to_sigma:
            if sigma is None:
                raise NotSupportedError(
                    "BayesianRidge(relative_to_sigma=True) puts w | sigma ~ N(0, sigma^2 tau^2) "
                    "and needs a Gaussian likelihood's sigma; use relative_to_sigma=False.")
            sd = sd * sigma
        return pm.Normal(name, mu=0.0, sigma=sd, **size)

    def gibbs_face(self, n_coef: int) -> GibbsFace:
        a, b = self.tau2_prior
        params = np.array([a, b, 1.0 if self.relative_to_sigma else 0.0, float(n_coef)])
        return GibbsFace(params=params, n_latent=1, init=ridge_init, update=ridge_update,
                         sigma_terms=ridge_sigma_terms, record=ridge_record)

    def with_strength(self, c: float):
        raise NotSupportedError("BayesianRidge has no strength to scale: its variance tau^2 is "
                                "sampled. Change tau2_prior instead.")

    @property
    def path_scale(self):
        return None

    @classmethod
    def examples(cls):
        return [cls((2.0, 0.5), relative_to_sigma=True)]

    def to_dict(self):
        d = super().to_dict()
        d["tau2_prior"] = list(d["tau2_prior"])
        return d
