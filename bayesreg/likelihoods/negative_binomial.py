"""Negative binomial likelihood NB2 (log link)  <->  over-dispersed count datafit.

Density:  p(y | eta, alpha) = Gamma(y + r) / (Gamma(r) y!) (r / (r + mu))^r (mu / (r + mu))^y,
          r = 1 / alpha, mu = exp(eta); E[y] = mu, Var[y] = mu + alpha mu^2 (alpha -> 0: Poisson)
Datafit:  sum_i sw_i [(y_i + r) log(1 + alpha mu_i) - y_i eta_i]   (alpha fixed; convex in eta)
alpha:    fixed, or free with alpha ~ HalfNormal(alpha_prior_scale) (joint MAP: block coordinate
          ascent, the alpha step an exact 1-D root of d log posterior / d log alpha)
Null:     eta_0 = log(ybar); no mode with a flat intercept when every count is 0
PyMC:     pm.NegativeBinomial(mu=exp(eta), alpha=1 / alpha)   (PyMC's alpha is the shape r)
Gibbs:    Polya-gamma (Zhou, Li, Dunson & Carin 2012; Polson, Scott & Windle 2013 sec. 3): in
          psi = eta - log r, p(y | psi) ∝ (e^psi)^y / (1 + e^psi)^(y + r), so omega_i ~ PG(sw_i (y_i
          + r), psi_i) and eta sees N(kappa / omega + log r; eta, 1 / omega), kappa = sw (y - r) / 2;
          a free alpha by a slice step on log r of its exact conditional given eta

Conversions of the dispersion (all NB2, log link):

* statsmodels ``NegativeBinomial(y, X, loglike_method="nb2")`` and
  ``GLM(family=families.NegativeBinomial(alpha=a))``: the same ``alpha``;
* glum ``GeneralizedLinearRegressor(family="negative.binomial", ...)`` /
  ``NegativeBinomialDistribution(theta=t)``: glum's ``theta`` is this ``alpha`` (Var = mu +
  theta mu^2);
* R glmnet ``family=negative.binomial(theta)`` (MASS) and ``MASS::glm.nb``: ``theta`` is the
  shape r, so ``alpha = 1 / theta``; the penalty then converts as for Poisson
  (glmnet's ``lambda``: L2 prior variance ``1 / (n lambda)``, Laplace scale ``1 / (n lambda)``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import betaln, digamma

from .._errors import DataError, NotSupportedError, ParameterError
from .._validation import LOG_2PI, check_scale
from .base import Likelihood, register_likelihood

_ETA_MAX = 700.0
#: the smallest alpha of the joint mode: data with no over-dispersion have their mode at the
#: Poisson limit alpha = 0, reported as this value (its log-alpha stationarity is ~0 there)
ALPHA_MIN = 1e-10
ALPHA_MAX = 1e8


@register_likelihood
class NegativeBinomial(Likelihood):
    """Over-dispersed counts (NB2, log link): ``Var[y] = mu + alpha mu^2``.

    ``log p(y_i | eta_i) = log Gamma(y_i + r) - log Gamma(r) - log(y_i!) + y_i log(alpha) +
    y_i eta_i - (y_i + r) log(1 + alpha exp(eta_i))`` with ``r = 1 / alpha`` (computed as
    ``-log(y) - log B(r, y) - y log r`` for ``y > 0``: no cancellation for small alpha).

    Parameters
    ----------
    alpha : float or None
        Dispersion (> 0). A float fixes it: the datafit is convex in eta and the MAP is solved
        by the GLM solvers (OWL-QN / proximal Newton) with a KKT certificate. ``None``
        estimates it jointly with the coefficients under ``alpha ~ HalfNormal(alpha_prior_scale)``
        (``log p(alpha) = log 2 + log N(alpha; 0, s)``, no Jacobian, like ``pm.find_MAP``): the
        joint MAP is block coordinate ascent (coefficients by the GLM solver at fixed alpha, then
        the exact alpha given the linear predictor), certified by the coefficients' KKT
        violation and ``|d log posterior / d log alpha|``. Data without over-dispersion have
        their joint mode at the Poisson limit alpha = 0, reported as ``ALPHA_MIN = 1e-10``.
        See the module docstring for statsmodels / glum / glmnet's ``theta``.
    alpha_prior_scale : float
        Scale s of the HalfNormal prior on a free alpha (default 1: alpha is dimensionless, the
        squared coefficient of variation of the gamma-distributed rate, so the prior favours
        moderate over-dispersion and shrinks towards the Poisson model).
    """

    _params = ("alpha", "alpha_prior_scale")
    family = "negative-binomial"
    #: other spellings of :attr:`family` (glmnet's R family function)
    family_aliases = ("negative.binomial",)
    sklearn_names = ("GeneralizedLinearRegressor",)
    response_kind = "count"
    cli_options = {"alpha": "dispersion"}
    cli_aliases = ("negbin", "nb2")

    def __init__(self, alpha: float | None = None, alpha_prior_scale: float = 1.0) -> None:
        self.alpha = (None if alpha is None
                      else float(check_scale(alpha, "NegativeBinomial.alpha", False)))
        self.alpha_prior_scale = float(check_scale(alpha_prior_scale,
                                                   "NegativeBinomial.alpha_prior_scale", False))

    def _a(self):
        if self.alpha is None:
            raise DataError("NegativeBinomial(alpha=None) has no alpha to evaluate at: bind one "
                            "first (likelihood.bind(alpha=...)).")
        return self.alpha

    # -- density
    def check_y(self, y):
        bad = (y < 0) | (y != np.round(y))
        if bad.any():
            i = int(np.argmax(bad))
            raise DataError(
                f"y must be non-negative integer counts for a NegativeBinomial likelihood; entry "
                f"{i} is {y[i]!r}. Use a Gaussian or StudentT likelihood for continuous "
                "responses.")

    def mean(self, eta):
        return np.exp(np.minimum(eta, _ETA_MAX))

    def latent_scale(self, y):
        """``sqrt(log(1 + 1 / mean(y) + alpha))``: the observation-level sd on the log scale
        (lognormal approximation with ``Var y / E[y]^2 = 1 / mu + alpha``; the Poisson face's
        rule with the NB2 variance; alpha = 0 when it is estimated). None without y."""
        if y is None:
            return None, ""
        m = float(np.mean(y))
        if not m > 0:
            return 1.0, "1 (negative binomial, all counts zero)"
        a = 0.0 if self.alpha is None or np.ndim(self.alpha) else float(self.alpha)
        s = float(np.sqrt(np.log1p(1.0 / m + a)))
        return s, (f"sqrt(log(1 + 1 / mean(y) + alpha)) (NB2 observation-level sd on the "
                   f"log-rate scale, mean(y) = {m:.4g}, alpha = {a:.4g})")

    def _const_terms(self, y, a):
        """``log Gamma(y + r) - log Gamma(r) - log(y!) + y log(alpha)`` per row."""
        r = 1.0 / a
        pos = y > 0
        yy = np.where(pos, y, 1.0)
        return np.where(pos, -np.log(yy) - betaln(r, yy) - yy * np.log(r), 0.0)

    def loglik(self, y, eta):
        a = self._a()
        mu = self.mean(eta)
        return self._const_terms(y, a) + y * eta - (y + 1.0 / a) * np.log1p(a * mu)

    def draw(self, eta, rng):
        a = np.asarray(self._a(), dtype=float)
        mu = self.mean(eta)
        r = 1.0 / a
        return rng.negative_binomial(np.broadcast_to(r, np.shape(mu)),
                                     np.broadcast_to(r, np.shape(mu)) / (r + mu)).astype(float)

    # -- datafit
    def datafit(self, y, eta, sw):
        a = self._a()
        return float(np.dot(sw, (y + 1.0 / a) * np.log1p(a * self.mean(eta)) - y * eta))

    def gradient(self, y, eta, sw):
        return self.gradient_from_mean(y, self.mean(eta), sw, eta)

    def curvature(self, y, eta, sw):
        return self.curvature_from_mean(self.mean(eta), sw, y)

    def gradient_from_mean(self, y, mu, sw, eta):
        return sw * (mu - y) / (1.0 + self._a() * mu)

    def curvature_from_mean(self, mu, sw, y=None):
        if y is None:
            raise ParameterError("NegativeBinomial.curvature_from_mean needs y (its observed "
                                 "curvature mu (1 + alpha y) / (1 + alpha mu)^2 depends on y).")
        a = self._a()
        return sw * mu * (1.0 + a * y) / (1.0 + a * mu) ** 2

    def datafit_diff(self, y, sw, eta, eta_t, mu):
        a = self._a()
        d = eta_t - eta
        if max(float(eta.max(initial=0.0)), float(eta_t.max(initial=0.0))) < _ETA_MAX:
            am = a * mu
            # log(1 + a mu e^d) - log(1 + a mu) = log1p(a mu expm1(d) / (1 + a mu))
            return float(sw @ ((y + 1.0 / a) * np.log1p(am * np.expm1(d) / (1.0 + am)) - y * d))
        return self.datafit(y, eta_t, sw) - self.datafit(y, eta, sw)

    def loglik_constant(self, y, sw):
        """``sum_i sw_i [log Gamma(y_i + r) - log Gamma(r) - log(y_i!) + y_i log alpha]``; with a
        free alpha these terms stay in the objective (it is then ``-log posterior - log
        normalizer`` of the prior on the coefficients), so the constant is 0."""
        if self.alpha is None:
            return 0.0
        return float(sw @ self._const_terms(y, self.alpha))

    # -- null model
    def cv_deviance(self, y, mu):
        """The NB2 deviance ``2 [log p(y | mu = y) - log p(y | mu)]`` from the pointwise
        log-likelihood (the saturated term is 0 at ``y = 0``); at a bound alpha (the fold's
        fitted value in cross-validation). ``alpha -> 0`` gives the Poisson deviance."""
        eta = np.log(np.maximum(mu, 1e-300))
        sat = np.log(np.maximum(y, 1e-300))
        return 2.0 * (self.loglik(y, sat) - self.loglik(y, eta))

    def null_eta(self, y, sw, fit_intercept):
        if not fit_intercept:
            return 0.0
        return float(np.log(max(float(sw @ y / sw.sum()), 1e-10)))

    def check_mode_exists(self, y, sw, fit_intercept):
        if fit_intercept and np.all(y[sw > 0] == 0):
            raise DataError(
                "every count in y is 0: with the flat prior on the intercept the posterior mode "
                "does not exist (the intercept runs to -infinity). Use fit_intercept=False (the "
                "prior then keeps the MAP finite) or add data with non-zero counts.")

    # -- free parameter alpha
    @property
    def free_params(self) -> tuple[str, ...]:
        return ("alpha",) if self.alpha is None else ()

    def alpha_logprior(self, alpha):
        """``log p(alpha)`` of the HalfNormal(alpha_prior_scale) prior (as PyMC computes it)."""
        s = self.alpha_prior_scale
        return np.log(2.0) - 0.5 * LOG_2PI - np.log(s) - 0.5 * (alpha / s) ** 2

    def free_logprior(self, alpha: Any = None, **values: Any):
        if self.alpha is not None:
            return 0.0
        return self.alpha_logprior(alpha)

    def _dlogpost_dlogalpha(self, y, mu, sw, a):
        """``d/d log(alpha)`` of ``sum_i sw_i log p(y_i | mu_i, alpha) + log p(alpha)``."""
        r = 1.0 / a
        am = a * mu
        # d loglik / d alpha = -r^2 [psi(y + r) - psi(r) - log(1 + a mu)] + y / a
        #                      - (y + r) mu / (1 + a mu); times alpha:
        dpsi = digamma(y + r) - digamma(r)
        d = -r * (dpsi - np.log1p(am)) + y - (y + r) * am / (1.0 + am)
        return float(sw @ d) - (a / self.alpha_prior_scale) ** 2

    def free_stationarity(self, y, eta, sw, alpha=None, **values):
        if self.alpha is not None or alpha is None:
            return 0.0
        return abs(self._dlogpost_dlogalpha(y, self.mean(eta), sw, float(alpha)))

    def free_at_mode(self, y, eta, sw, current=None) -> dict[str, float]:
        """The alpha maximizing the log posterior given the linear predictor ``eta``: the root
        of ``d log posterior / d log alpha`` (Brent's method on a bracket in log alpha), or
        ``ALPHA_MIN`` when the derivative is negative there (no over-dispersion)."""
        from scipy.optimize import brentq

        mu = self.mean(eta)

        def D(t):
            return self._dlogpost_dlogalpha(y, mu, sw, float(np.exp(t)))

        lo_b, hi_b = np.log(ALPHA_MIN), np.log(ALPHA_MAX)
        t0 = float(np.log(np.clip((current or {}).get("alpha") or 1.0, ALPHA_MIN, ALPHA_MAX)))
        lo, hi = t0, t0
        while D(lo) <= 0.0:
            if lo <= lo_b:
                return {"alpha": ALPHA_MIN}
            hi, lo = lo, max(lo - 2.0, lo_b)
        while D(hi) >= 0.0:
            if hi >= hi_b:
                return {"alpha": ALPHA_MAX}
            lo, hi = hi, min(hi + 2.0, hi_b)
        return {"alpha": float(np.exp(brentq(D, lo, hi, xtol=1e-14, rtol=1e-15, maxiter=200)))}

    def null_free_params(self, y, sw, fit_intercept):
        if self.alpha is not None:
            return {}
        return self.free_at_mode(y, np.full(y.shape, self.null_eta(y, sw, fit_intercept)), sw)

    # -- Gibbs
    def gibbs_augmentation(self, y, sw):
        """The Polya-gamma Gibbs face (:func:`bayesreg.likelihoods._augmentation.polya_gamma_face`).

        With ``r = 1 / alpha`` and ``psi = eta - log r`` the NB2 probability is
        ``Gamma(y + r) / (Gamma(r) y!) (e^psi)^y / (1 + e^psi)^(y + r)``, a binomial-logit form
        with ``n_i = y_i + r`` trials: ``omega_i | eta_i ~ PG(sw_i (y_i + r), psi_i)`` and the
        coefficients see the Gaussian pseudo-data ``N(kappa_i / omega_i + log r; eta_i,
        1 / omega_i)``, ``kappa_i = sw_i (y_i - r) / 2`` (Zhou, Li, Dunson & Carin 2012; Polson,
        Scott & Windle 2013 sec. 3).

        A free alpha: ``t = log r`` is updated given ``eta`` (omega marginalized, then omega is
        redrawn given the new r: together an exact draw of ``(r, omega) | eta``) by one slice
        step (:func:`bayesreg._slice.slice_update`) of
        ``sum_i sw_i log NB(y_i; e^eta_i, alpha) + log p(alpha) + log alpha``, ``alpha = e^-t``
        (the last term the Jacobian of ``t``), within ``[ALPHA_MIN, ALPHA_MAX]``.

        Mixing: the pseudo-data precision ``omega_i`` is about ``r / (2 |psi_i|)`` when r is
        large, so with little over-dispersion (alpha -> 0, Poisson-like counts) the chain moves
        in small steps; NUTS is then the better sampler."""
        from .._slice import slice_update
        from ._augmentation import polya_gamma_face

        y = np.asarray(y, dtype=float)
        sw = np.asarray(sw, dtype=float)
        if self.alpha is not None:
            r = 1.0 / self.alpha
            return polya_gamma_face(y, sw, y + r, float(np.log(r)))
        t_lo, t_hi = -np.log(ALPHA_MAX), -np.log(ALPHA_MIN)
        keep = sw > 0
        yk, swk = y[keep], sw[keep]
        # the log-gamma terms depend on y only: once per distinct count, weighted
        yu, inv = np.unique(yk, return_inverse=True)
        swu = np.bincount(inv, weights=swk, minlength=yu.size)

        def r_of(free):
            return 1.0 / float(free["alpha"])

        def start_free(eta, rng):
            a = self.free_at_mode(y, np.asarray(eta, dtype=float), sw)["alpha"]
            return {"alpha": float(np.clip(a, 1e-2, 1e2))}

        def update_free(eta, free, rng):
            ek = np.asarray(eta, dtype=float)[keep]
            mu = self.mean(ek)
            lin = float(swk @ (yk * ek))

            def logf(t):
                a = float(np.exp(-t))
                ll = float(swu @ self._const_terms(yu, a)) \
                    - float(swk @ ((yk + 1.0 / a) * np.log1p(a * mu)))
                return ll + lin + float(self.alpha_logprior(a)) - t

            t = slice_update(logf, float(np.log(r_of(free))), rng, lo=t_lo, hi=t_hi)
            return {"alpha": float(np.exp(-t))}

        return polya_gamma_face(y, sw, lambda f: y + r_of(f), lambda f: np.log(r_of(f)),
                                free_names=("alpha",), start_free=start_free,
                                update_free=update_free)

    @classmethod
    def examples(cls):
        return [cls()]

    # -- PyMC
    def pymc_params(self, name_prefix: str = ""):
        import pymc as pm
        import pytensor.tensor as pt

        if self.alpha is None:
            return {"alpha": pm.HalfNormal(name_prefix + "alpha",
                                           sigma=np.float64(self.alpha_prior_scale))}
        return {"alpha": pt.constant(np.float64(self.alpha), dtype="float64")}

    def pymc_loglik(self, y, eta, params):
        import pymc as pm
        import pytensor.tensor as pt

        return pm.logp(pm.NegativeBinomial.dist(mu=pt.exp(eta), alpha=1.0 / params["alpha"]), y)

    def pymc_observe(self, name, eta, y_data, params, dims):
        import pymc as pm
        import pytensor.tensor as pt

        return pm.NegativeBinomial(name, mu=pt.exp(eta), alpha=1.0 / params["alpha"],
                                   observed=y_data, dims=dims)

    # -- conventions of other libraries
    @classmethod
    def from_glmnet(cls, sigma, theta=None):
        """R glmnet's ``family = MASS::negative.binomial(theta)``: the shape ``theta``, so
        ``alpha = 1 / theta`` (``bayesreg.conversions.from_glmnet(..., family="negative.binomial",
        theta=...)``); lambda converts as for the poisson family."""
        if theta is None:
            raise ParameterError(
                "glmnet's negative.binomial(theta) family needs its theta: pass theta=... "
                "(from_glmnet(lambda_, family='negative.binomial', theta=2.0, n_samples=n)), or "
                "build NegativeBinomial(alpha=1 / theta).")
        t = check_scale(theta, "theta", False)
        return cls(alpha=1.0 / float(t))

    def glmnet_family_args(self) -> dict[str, float]:
        """``{"family": "negative.binomial", "theta": 1 / alpha}``: glmnet's spelling of the
        family and the argument of its ``negative.binomial(theta)``."""
        if self.alpha is None:
            raise ParameterError("NegativeBinomial(alpha=None) has no theta for glmnet's "
                                 "negative.binomial(theta): fix alpha (e.g. at its MAP).")
        return {"family": "negative.binomial", "theta": 1.0 / self.alpha}

    @classmethod
    def from_sklearn(cls, estimator, n_samples, sigma):
        """glum's ``GeneralizedLinearRegressor(family=NegativeBinomialDistribution(theta) or
        "negative.binomial", alpha, l1_ratio)``, whose objective is ``-loglik / sum(sw) + alpha
        [l1_ratio ||w||_1 + (1 - l1_ratio) ||w||^2 / 2]``: ``NegativeBinomial(alpha=theta)``
        (glum's theta is this alpha), L1 weight ``n alpha l1_ratio``, L2 weight
        ``n alpha (1 - l1_ratio)`` with ``n = sum(sw)``. Every other argument is checked against
        :attr:`sklearn_arguments` first."""
        if n_samples is None:
            raise ParameterError("glum divides the loss by the sum of the sample weights: pass "
                                 "n_samples=<rows of X> (the sum of sample_weight when fitted "
                                 "with weights).")
        theta = _glum_theta(estimator.family)
        alpha, r = estimator.alpha, estimator.l1_ratio
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.integer, np.floating)) \
                or not np.isfinite(alpha) or alpha < 0:
            raise ParameterError(f"GeneralizedLinearRegressor(alpha={alpha!r}): alpha must be a "
                                 "finite number >= 0 (None means alpha_search or glum's default: "
                                 "set it explicitly).")
        if isinstance(r, bool) or not isinstance(r, (int, float, np.integer, np.floating)) \
                or not 0 <= r <= 1:
            raise ParameterError(f"GeneralizedLinearRegressor(l1_ratio={r!r}): l1_ratio must be "
                                 "a number in [0, 1].")
        if alpha == 0:
            raise NotSupportedError("cannot convert GeneralizedLinearRegressor(alpha=0): it is "
                                    "unpenalized, a flat prior. Use alpha > 0.")
        k = float(n_samples) * float(alpha)
        return cls(alpha=theta), np.asarray(k * r), np.asarray(k * (1.0 - r))

    def to_sklearn(self, l1, l2, n_samples, fit_intercept, sigma=None):
        """glum's ``GeneralizedLinearRegressor`` with the same optimum (see :meth:`from_sklearn`;
        needs glum and a fixed alpha)."""
        try:
            from glum import GeneralizedLinearRegressor, NegativeBinomialDistribution
        except ImportError as e:
            raise NotSupportedError("the scikit-learn-style negative binomial estimator is glum's "
                                    "GeneralizedLinearRegressor: pip install glum (or use "
                                    "model.to_glmnet(n_samples)).") from e
        if self.alpha is None:
            raise ParameterError("NegativeBinomial(alpha=None): glum needs a fixed dispersion "
                                 "(theta); fix alpha first.")
        if n_samples is None:
            raise ParameterError("glum divides the loss by n: pass n_samples=<rows of X>.")
        tot = l1 + l2
        return GeneralizedLinearRegressor(
            family=NegativeBinomialDistribution(theta=self.alpha), alpha=tot / n_samples,
            l1_ratio=l1 / tot if tot > 0 else 0.0, fit_intercept=fit_intercept)


def _glum_theta(family) -> float:
    """glum's theta of a negative binomial ``family`` (a NegativeBinomialDistribution, or the
    string "negative.binomial", theta 1, or "negative.binomial(t)")."""
    import re

    theta = getattr(family, "theta", None)
    if theta is None and isinstance(family, str):
        m = re.fullmatch(r"\s*negative\.binomial\s*(?:\(\s*([^)]*?)\s*\))?\s*", family)
        if m:
            try:
                theta = 1.0 if not m.group(1) else float(m.group(1).split("=")[-1])
            except ValueError:
                theta = None
    if theta is None or not np.isfinite(theta) or theta <= 0:
        raise NotSupportedError(
            f"cannot convert GeneralizedLinearRegressor(family={family!r}): bayesreg converts "
            "glum's negative binomial family (NegativeBinomialDistribution(theta) or "
            "'negative.binomial'); for other families use the scikit-learn estimator "
            "(Ridge / Lasso / LogisticRegression / PoissonRegressor) or model.from_glmnet.")
    return float(theta)


def _default(value):
    return lambda v, params: (None if v is value or (isinstance(v, str) and v == value)
                              else f"only {value!r} converts")


def _none_only(what):
    return lambda v, params: None if v is None else what


_IGN = "solver setting: the same (unique, fixed-theta convex) optimum"
_CAT = ("categorical / formula handling only: bayesreg takes numeric X (categorical data: "
        "Model.from_formula)")
NegativeBinomial.sklearn_arguments = {
    "GeneralizedLinearRegressor": {
        "alpha": ("converted", "penalty strength: L1 weight n alpha l1_ratio, L2 weight n alpha "
                  "(1 - l1_ratio), n = sum of the weights; alpha = 0 or None is refused", None),
        "l1_ratio": ("converted", "the L1/L2 mix (a number in [0, 1])", None),
        "family": ("converted", "NegativeBinomial(alpha=theta) (glum's theta is the NB2 "
                   "alpha); any other family is refused",
                   lambda v, params: None if _try_theta(v) else
                   "only glum's negative binomial family converts"),
        "fit_intercept": ("converted", "Model(fit_intercept=...); the intercept is never "
                          "penalized", None),
        "link": ("refused", "only the log link ('auto' or 'log') converts",
                 lambda v, params: None if v in ("auto", "log") else "only the log link converts"),
        "P1": ("refused", "a non-identity L1 penalty matrix is refused (per-coefficient scales: "
               "from_glmnet's penalty_factor)", _default("identity")),
        "P2": ("refused", "a non-identity L2 penalty matrix is refused", _default("identity")),
        "alpha_search": ("refused", "a regularization path is refused: convert one alpha",
                         lambda v, params: "alpha_search=True fits a path" if v else None),
        "alphas": ("refused", "a path of alphas is refused", _none_only("a path of alphas")),
        "lower_bounds": ("refused", "bound constraints are refused", _none_only("bounds")),
        "upper_bounds": ("refused", "bound constraints are refused", _none_only("bounds")),
        "A_ineq": ("refused", "inequality constraints are refused", _none_only("constraints")),
        "b_ineq": ("refused", "inequality constraints are refused", _none_only("constraints")),
        "monotonic_constraints": ("refused", "monotonicity constraints are refused",
                                  _none_only("constraints")),
        "scale_predictors": ("refused", "scale_predictors=True penalizes the standardized "
                             "columns (a prior on another scale per column)",
                             lambda v, params: "standardized penalty" if v else None),
        "formula": ("refused", "a formula is refused: use Model.from_formula",
                    _none_only("use Model.from_formula")),
        "drop_first": ("refused", "drop_first=True changes the categorical design",
                       lambda v, params: "categorical design" if v else None),
        "start_params": ("ignored", "starting point: the same (unique) optimum", None),
        "n_alphas": ("ignored", "path length (alpha_search only)", None),
        "min_alpha": ("ignored", "path end (alpha_search only)", None),
        "min_alpha_ratio": ("ignored", "path end (alpha_search only)", None),
        **{k: ("ignored", _IGN, None) for k in (
            "solver", "max_iter", "max_inner_iter", "gradient_tol", "step_size_tol",
            "hessian_approx", "warm_start", "selection", "random_state")},
        "copy_X": ("ignored", "memory only", None),
        "check_input": ("ignored", "input validation only", None),
        "force_all_finite": ("ignored", "input validation only (bayesreg refuses non-finite "
                             "X)", None),
        "verbose": ("ignored", "logging only", None),
        "robust": ("ignored", "standard errors only", None),
        "expected_information": ("ignored", "standard errors / Hessian variant only", None),
        **{k: ("ignored", _CAT, None) for k in (
            "cat_missing_method", "cat_missing_name", "categorical_format",
            "interaction_separator")},
    },
}


def _try_theta(family) -> bool:
    try:
        _glum_theta(family)
    except NotSupportedError:
        return False
    return True
