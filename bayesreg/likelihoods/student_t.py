"""Student-t likelihood (identity link)  <->  robust (non-convex) regression datafit.

Density:  p(y | eta, nu, sigma) = Gamma((nu+1)/2) / (Gamma(nu/2) sqrt(nu pi) sigma)
                                  (1 + (y - eta)^2 / (nu sigma^2))^(-(nu+1)/2)
Datafit:  sum_i sw_i (nu + 1) / 2 log(1 + r_i^2 / (nu sigma^2)),  r = y - eta   (not convex)
Mixture:  y | lambda ~ N(eta, sigma^2 / lambda), lambda ~ Gamma(nu/2, nu/2): the MAP solver is
          EM / majorize-minimize, each step the weighted least-squares problem with weights
          sw (nu + 1) / (nu sigma^2 + r^2) and the prior's penalty (bayesreg.map.solve, "mm")
nu, sigma: fixed or free: nu ~ Gamma(2, 0.1) (Juarez & Steel 2010; brms' default),
          sigma ~ HalfNormal(sigma_prior_scale) (default sd(y)); joint MAP by block coordinate
          ascent with the exact (nu, sigma) step given the linear predictor
PyMC:     pm.StudentT(nu=nu, mu=eta, sigma=sigma)

The MAP is a *local* mode: the certificate is the KKT (stationarity) violation, and
``MAPResult.local_mode`` is True.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit
from scipy.special import digamma, gammaln

from .._errors import DataError, NotSupportedError
from .._slice import slice_sampler
from .._validation import check_scale
from ._augmentation import AugmentedGibbsFace
from .base import Likelihood, register_likelihood
from .gaussian import Gaussian

#: Gamma(shape, rate) prior on a free nu
NU_PRIOR = (2.0, 0.1)
NU_BOUNDS = (1e-2, 1e6)
_LOG_PI = float(np.log(np.pi))


@register_likelihood
class StudentT(Likelihood):
    """Student-t observations with location ``eta`` (robust regression).

    ``log p(y_i | eta_i) = log Gamma((nu + 1) / 2) - log Gamma(nu / 2) - log(nu pi) / 2 -
    log(sigma) - (nu + 1) / 2 log(1 + (y_i - eta_i)^2 / (nu sigma^2))``.

    The negative log-likelihood is not convex in eta, so the posterior may have several modes:
    ``model.map`` returns the stationary point reached by EM (majorize-minimize on the normal
    scale-mixture representation: every step solves a weighted least-squares problem with the
    prior's penalty, and never increases the objective) from the intercept-only start (or the
    warm start), with its KKT violation as certificate and ``MAPResult.local_mode = True``.

    Parameters
    ----------
    nu : float or None
        Degrees of freedom (> 0; nu -> inf is the Gaussian). None estimates it under
        ``nu ~ Gamma(2, rate 0.1)`` (prior mean 20, mode 10; ``log p(nu) = log(0.01) + log(nu)
        - 0.1 nu``).
    sigma : float or None
        Scale (> 0; the sd is ``sigma sqrt(nu / (nu - 2))`` for nu > 2). None estimates it under
        ``sigma ~ HalfNormal(sigma_prior_scale)``.
    sigma_prior_scale : float or None
        HalfNormal scale of a free sigma; None: the (weighted) sd of the y fitted, as for
        :class:`Gaussian`.
    """

    _params = ("nu", "sigma", "sigma_prior_scale")
    family = "student-t"
    #: not log-concave: the MAP is a local mode
    convex = False
    cli_options = {"nu": "nu", "sigma": "sigma"}
    cli_aliases = ("student", "t")

    def __init__(self, nu: float | None = None, sigma: float | None = None,
                 sigma_prior_scale: float | None = None) -> None:
        self.nu = None if nu is None else float(check_scale(nu, "StudentT.nu", False))
        self.sigma = None if sigma is None else float(check_scale(sigma, "StudentT.sigma", False))
        self.sigma_prior_scale = (None if sigma_prior_scale is None else float(
            check_scale(sigma_prior_scale, "StudentT.sigma_prior_scale", False)))

    def _ns(self):
        if self.nu is None or self.sigma is None:
            raise DataError("StudentT has a free nu or sigma: bind them first "
                            "(likelihood.bind(nu=..., sigma=...)).")
        return self.nu, self.sigma

    # -- density
    def check_y(self, y):
        return None

    def mean(self, eta):
        return eta

    def loglik(self, y, eta):
        nu, s = self._ns()
        r = (y - eta) / s
        return (gammaln(0.5 * (nu + 1.0)) - gammaln(0.5 * nu) - 0.5 * (np.log(nu) + _LOG_PI)
                - np.log(s) - 0.5 * (nu + 1.0) * np.log1p(r * r / nu))

    def draw(self, eta, rng):
        nu, s = self._ns()
        return eta + s * rng.standard_t(np.broadcast_to(nu, np.shape(eta)))

    # -- datafit
    def datafit(self, y, eta, sw):
        nu, s = self._ns()
        r = (y - eta) / s
        return float(sw @ (0.5 * (nu + 1.0) * np.log1p(r * r / nu)))

    def gradient(self, y, eta, sw):
        nu, s = self._ns()
        r = y - eta
        return -sw * (nu + 1.0) * r / (nu * s * s + r * r)

    def curvature(self, y, eta, sw):
        nu, s = self._ns()
        r2 = (y - eta) ** 2
        c = nu * s * s
        return sw * (nu + 1.0) * (c - r2) / (c + r2) ** 2

    def curvature_from_mean(self, mu, sw, y=None):
        return self.curvature(y, mu, sw)

    def quadratic_majorizer(self, y, eta, sw) -> tuple[Gaussian, np.ndarray]:
        """``(Gaussian(sigma=1), v)`` with ``v_i = sw_i (nu + 1) / (nu sigma^2 + r_i^2)``: the
        weighted least-squares datafit ``sum_i v_i (y_i - eta'_i)^2 / 2`` majorizes
        ``datafit(eta')`` up to a constant, touching it at ``eta`` (the tangent of the concave
        ``log(1 + u / (nu sigma^2))`` in ``u = r^2``; the E step of the scale mixture). The MM
        solver minimizes it with the prior's penalty at every step."""
        nu, s = self._ns()
        r = y - eta
        return Gaussian(sigma=1.0), sw * (nu + 1.0) / (nu * s * s + r * r)

    def loglik_constant(self, y, sw):
        """``sum(sw) [log Gamma((nu+1)/2) - log Gamma(nu/2) - log(nu pi)/2 - log sigma]``; 0 when
        nu or sigma is free (those terms then stay in the objective)."""
        if self.nu is None or self.sigma is None:
            return 0.0
        nu, s = self.nu, self.sigma
        return float(sw.sum()) * float(gammaln(0.5 * (nu + 1.0)) - gammaln(0.5 * nu)
                                       - 0.5 * (np.log(nu) + _LOG_PI) - np.log(s))

    def cv_deviance(self, y, mu):
        """``2 [log p(y | eta = y) - log p(y | eta = mu)] = (nu + 1) log(1 + (y - mu)^2 /
        (nu sigma^2))``: twice the pointwise log-likelihood below the saturated model's (call on
        a likelihood with nu and sigma bound: the fold's fitted values in cross-validation)."""
        return 2.0 * (self.loglik(y, y) - self.loglik(y, mu))

    # -- null model
    def null_eta(self, y, sw, fit_intercept):
        """The intercept-only stationary point: the root of the intercept's gradient in
        ``[min y, max y]`` (Brent; the gradient changes sign there) nearest the weighted
        median's basin."""
        from scipy.optimize import brentq

        if not fit_intercept:
            return 0.0
        keep = sw > 0
        yy, ww = y[keep], sw[keep]
        lo, hi = float(yy.min()), float(yy.max())
        if lo == hi:
            return lo

        def g(b):
            return float(self.gradient(yy, np.full(yy.shape, b), ww).sum())

        med = float(_weighted_median(yy, ww))
        gm = g(med)
        if gm == 0.0:
            return med
        a, c = (lo, med) if gm > 0 else (med, hi)
        return float(brentq(g, a, c, xtol=1e-15 * max(1.0, abs(med)), rtol=1e-15, maxiter=500))

    def latent_scale(self, y):
        if self.sigma is not None:
            return float(self.sigma), "sigma (StudentT scale)"
        return super().latent_scale(y)

    # -- free parameters
    @property
    def free_params(self) -> tuple[str, ...]:
        return tuple(k for k in ("nu", "sigma") if getattr(self, k) is None)

    def resolved(self, y, sw=None):
        if self.sigma is not None or self.sigma_prior_scale is not None:
            return self
        return StudentT(self.nu, None, Gaussian().resolve_sigma_prior_scale(y, sw))

    def free_logprior(self, nu: Any = None, sigma: Any = None, **values: Any):
        lp = 0.0
        if self.nu is None:
            a, rate = NU_PRIOR
            lp = lp + a * np.log(rate) - gammaln(a) + (a - 1.0) * np.log(nu) - rate * nu
        if self.sigma is None:
            lp = lp + Gaussian.sigma_logprior(sigma, self.sigma_prior_scale)
        return lp

    def _free_grad(self, y, eta, sw, nu, s):
        """``d log posterior / d (log nu, log sigma)`` given eta (free ones only)."""
        r2 = (y - eta) ** 2
        z = r2 / (nu * s * s)
        out = {}
        if self.nu is None:
            d = (0.5 * digamma(0.5 * (nu + 1.0)) - 0.5 * digamma(0.5 * nu) - 0.5 / nu
                 - 0.5 * np.log1p(z) + 0.5 * (nu + 1.0) * z / (nu * (1.0 + z)))
            a, rate = NU_PRIOR
            out["nu"] = nu * float(sw @ d) + (a - 1.0) - rate * nu
        if self.sigma is None:
            d = -1.0 + (nu + 1.0) * z / (1.0 + z)
            out["sigma"] = float(sw @ d) - (s / self.sigma_prior_scale) ** 2
        return out

    def _values(self, free):
        return (self.nu if self.nu is not None else float(free["nu"]),
                self.sigma if self.sigma is not None else float(free["sigma"]))

    def free_stationarity(self, y, eta, sw, **values):
        if not self.free_params or not values:
            return 0.0
        nu, s = self._values(values)
        return max(abs(v) for v in self._free_grad(y, eta, sw, nu, s).values())

    def free_at_mode(self, y, eta, sw, current=None) -> dict[str, float]:
        """The free (nu, sigma) maximizing the log posterior given ``eta``: damped Newton on
        their logarithms (exact gradient, Hessian by central differences of it, made positive
        definite, Armijo backtracking; nu kept in ``NU_BOUNDS``)."""
        names = self.free_params
        cur = current or {}
        x = np.log([float(cur.get(k) or (5.0 if k == "nu" else self.sigma_prior_scale))
                    for k in names])
        inu = names.index("nu") if "nu" in names else None
        lo_nu, hi_nu = np.log(NU_BOUNDS)

        def clamp(v):
            if inu is not None:
                v[inu] = min(max(v[inu], lo_nu), hi_nu)
            return v

        def f(v):
            vals = dict(zip(names, np.exp(v)))
            nu, s = self._values(vals)
            val = float(sw @ self.bind(nu=nu, sigma=s).loglik(y, eta))
            val += float(self.free_logprior(**vals))
            g = self._free_grad(y, eta, sw, nu, s)
            return -val, -np.array([g[k] for k in names])

        scale = max(float(sw.sum()), 1.0)
        fx, gx = f(x)
        eye = np.eye(len(names))
        for _ in range(200):
            if np.abs(gx).max() <= 1e-13 * scale:
                break
            h = 1e-5
            H = np.column_stack([(f(x + h * e)[1] - f(x - h * e)[1]) / (2 * h) for e in eye])
            H = 0.5 * (H + H.T)
            lam = float(np.linalg.eigvalsh(H).min())
            if not lam > 1e-10 * scale:
                H = H + (abs(lam) + 1e-6 * scale) * eye
            step = -np.linalg.solve(H, gx)
            step *= min(1.0, 2.0 / max(float(np.abs(step).max()), 1e-300))  # |log step| <= 2
            t, accepted = 1.0, False
            for _ in range(50):
                xn = clamp(x + t * step)
                fn, gn = f(xn)
                if np.isfinite(fn) and fn <= fx + 1e-4 * float(gx @ (xn - x)) + 1e-15 * abs(fx):
                    accepted = True
                    break
                t *= 0.5
            if not accepted or np.array_equal(xn, x):
                break
            x, fx, gx = xn, fn, gn
        return {k: float(np.exp(v)) for k, v in zip(names, x)}

    def null_free_params(self, y, sw, fit_intercept):
        if not self.free_params:
            return {}
        keep = sw > 0
        yy = y[keep]
        mad = 1.4826 * float(np.median(np.abs(yy - np.median(yy))))
        free = {"nu": 5.0, "sigma": mad if mad > 0 else (self.sigma_prior_scale or 1.0)}
        free = {k: free[k] for k in self.free_params}
        for _ in range(200):
            nu, s = self._values(free)
            b = self.bind(nu=nu, sigma=s).null_eta(y, sw, fit_intercept)
            new = self.free_at_mode(y, np.full(y.shape, b), sw, free)
            done = all(abs(np.log(new[k] / free[k])) < 1e-12 for k in free)
            free = new
            if done:
                break
        return free

    # -- Gibbs
    def gibbs_kind(self) -> str:
        """``"augmented"``: the normal scale mixture of :meth:`gibbs_augmentation`."""
        return "augmented"

    def gibbs_augmentation(self, y, sw) -> AugmentedGibbsFace:
        """The normal scale mixture as a Gibbs face (call on a resolved likelihood):
        ``y_i | lambda_i ~ N(eta_i, sigma^2 / lambda_i)``, ``lambda_i ~ Gamma(nu/2, rate nu/2)``.

        Conditionals: ``lambda_i | eta ~ Gamma((nu + 1)/2, rate (nu + r_i^2 / sigma^2)/2)``;
        ``sigma | lambda, eta``: the Gaussian's exact draw
        (:func:`bayesreg.likelihoods._gaussian_gibbs.sigma_update`) with the weighted residual sum
        of squares ``sum_i lambda_i r_i^2`` and ``sum(sw)`` observations; ``nu | lambda``: a slice
        update of ``log nu`` with density ``p(nu) nu prod_i Gamma(lambda_i; nu/2, nu/2)``. The
        mixture holds for unit weights: ``sw`` must be 0 or 1."""
        from ._gaussian_gibbs import sigma_update

        y = np.asarray(y, dtype=float)
        sw = np.asarray(sw, dtype=float)
        if np.any((sw != 0.0) & (sw != 1.0)):
            raise NotSupportedError(
                "sampler='gibbs' with a StudentT likelihood needs sample weights of 0 or 1 (the "
                "scale mixture of a tempered Student-t density is not a Student-t): use "
                "sampler='nutpie' for weighted rows.")
        S = float(sw.sum())
        names = self.free_params
        s_prior = float(self.sigma_prior_scale or 1.0)
        a, rate = NU_PRIOR
        lo_nu, hi_nu = np.log(NU_BOUNDS)
        counters = np.zeros(2, dtype=np.int64)

        def values(free):
            return self._values(free)

        def start(eta, rng):
            # the free parameters' conditional mode at the starting eta (the intercept-only
            # fit with or without an intercept, as the sampler chose it)
            free = self.free_at_mode(y, np.asarray(eta, dtype=float), sw,
                                     self.null_free_params(y, sw, False)) if names else {}
            return np.ones(y.shape), free

        def working(lam, free):
            nu, s = values(free)
            return y, sw * lam / (s * s)

        def update_latent(eta, free, rng):
            nu, s = values(free)
            r = (y - eta) / s
            return rng.gamma(0.5 * (nu + 1.0), 1.0, size=y.shape) / (0.5 * (nu + r * r))

        def update_free(eta, lam, free, sig_terms, rng):
            free = dict(free)
            if "sigma" in free:
                r = y - eta
                scal = np.array([0.0, free["sigma"], max(float(sw @ (lam * r * r)), 1e-300)])
                sigma_update(scal, np.array([1.0, s_prior]), S,
                             np.ascontiguousarray(sig_terms, dtype=float), counters, rng)
                free["sigma"] = float(scal[1])
            if "nu" in free:
                keep = sw > 0
                sl = float(np.sum(np.log(lam[keep]) - lam[keep]))
                free["nu"] = float(np.exp(_nu_step(np.log(free["nu"]), S, sl, a, rate, lo_nu,
                                                   hi_nu, rng)))
            return free

        def noise_scale(free):
            return float(values(free)[1])

        return AugmentedGibbsFace(names, start, working, update_latent, update_free, noise_scale)

    @classmethod
    def examples(cls):
        return [cls()]

    # -- PyMC
    def pymc_params(self, name_prefix: str = ""):
        import pymc as pm
        import pytensor.tensor as pt

        out = {}
        if self.nu is None:
            out["nu"] = pm.Gamma(name_prefix + "nu", alpha=NU_PRIOR[0], beta=NU_PRIOR[1])
        else:
            out["nu"] = pt.constant(np.float64(self.nu), dtype="float64")
        if self.sigma is None:
            out["sigma"] = pm.HalfNormal(name_prefix + "sigma",
                                         sigma=np.float64(self.sigma_prior_scale))
        else:
            out["sigma"] = pt.constant(np.float64(self.sigma), dtype="float64")
        return out

    def pymc_loglik(self, y, eta, params):
        import pymc as pm

        return pm.logp(pm.StudentT.dist(nu=params["nu"], mu=eta, sigma=params["sigma"]), y)

    def pymc_observe(self, name, eta, y_data, params, dims):
        import pymc as pm

        return pm.StudentT(name, nu=params["nu"], mu=eta, sigma=params["sigma"],
                           observed=y_data, dims=dims)


@njit(cache=True, nogil=True)
def _nu_logf(t, args):
    """log density of t = log nu given the latents: ``S (h log h - log Gamma(h)) + h sl + a t
    - rate nu`` with ``h = nu / 2``, ``sl = sum_i (log lambda_i - lambda_i)`` (the Gamma(a, rate)
    prior's ``(a - 1) log nu`` plus the Jacobian ``t``); ``args = (S, sl, a, rate)``."""
    S, sl, a, rate = args
    nu = np.exp(t)
    h = 0.5 * nu
    return S * (h * np.log(h) - math.lgamma(h)) + h * sl + a * t - rate * nu


_nu_slice = slice_sampler(_nu_logf)


@njit(cache=True, nogil=True)
def _nu_step(t0, S, sl, a, rate, lo, hi, rng):
    """One slice update of t = log nu on ``[lo, hi]`` (compiled here, so cached on disk)."""
    return _nu_slice(t0, (S, sl, a, rate), rng, 1.0, lo, hi)


def _weighted_median(y, w):
    o = np.argsort(y)
    c = np.cumsum(w[o])
    return y[o][int(np.searchsorted(c, 0.5 * c[-1]))]
