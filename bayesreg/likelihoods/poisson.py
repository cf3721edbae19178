"""Poisson likelihood (log link)  <->  Poisson deviance.

Density:  p(y | eta) = mu^y exp(-mu) / y!,  mu = exp(eta),  y in {0, 1, 2, ...}
Datafit:  sum_i sw_i [exp(eta_i) - y_i eta_i]      (constant: -sum_i sw_i log(y_i!))
Null:     eta_0 = log(ybar); no mode with a flat intercept when every count is 0
PyMC:     pm.Poisson(mu=exp(eta))
sklearn:  PoissonRegressor(alpha) on n rows:  l2 = n * alpha
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from .._errors import DataError, NotSupportedError, ParameterError
from .base import Likelihood, register_likelihood

_ETA_MAX = 700.0  # exp overflows past ~709


@register_likelihood
class Poisson(Likelihood):
    """Count observations with the log link (Poisson regression).

    ``log p(y_i | eta_i) = y_i * eta_i - exp(eta_i) - log(y_i!)``.
    """

    family = "poisson"
    sklearn_names = ("PoissonRegressor",)
    #: {estimator: {constructor argument or fitted attribute: (action, what happens, check)}}
    sklearn_arguments: dict = {}  # filled below the class (the table at the end of the file)
    response_kind = "count"

    def check_y(self, y):
        bad = (y < 0) | (y != np.round(y))
        if bad.any():
            i = int(np.argmax(bad))
            raise DataError(
                f"y must be non-negative integer counts for a Poisson likelihood; entry {i} is "
                f"{y[i]!r}. Use a Gaussian likelihood for continuous responses."
            )

    def mean(self, eta):
        return np.exp(np.minimum(eta, _ETA_MAX))

    def latent_scale(self, y):
        """``sqrt(log(1 + 1 / mean(y)))``: the observation-level sd on the log-rate scale (the
        lognormal approximation ``Var(log y) ~ log(1 + Var y / E[y]^2)`` with ``Var y = E[y]``;
        Nakagawa, Johnson & Schielzeth 2017), the Poisson counterpart of the logistic
        ``pi / sqrt(3)``. With ``mean(y) = 10`` it is 0.31. None without y."""
        if y is None:
            return None, ""
        m = float(np.mean(y))
        if not m > 0:
            return 1.0, "1 (Poisson, all counts zero)"
        s = float(np.sqrt(np.log1p(1.0 / m)))
        return s, (f"sqrt(log(1 + 1 / mean(y))) (Poisson observation-level sd on the log-rate "
                   f"scale, mean(y) = {m:.4g})")

    def loglik(self, y, eta):
        return y * eta - np.exp(np.minimum(eta, _ETA_MAX)) - gammaln(y + 1.0)

    def draw(self, eta, rng):
        return rng.poisson(self.mean(eta)).astype(float)

    def datafit(self, y, eta, sw):
        return float(np.dot(sw, np.exp(np.minimum(eta, _ETA_MAX)) - y * eta))

    def gradient(self, y, eta, sw):
        return sw * (np.exp(np.minimum(eta, _ETA_MAX)) - y)

    def curvature(self, y, eta, sw):
        return sw * np.exp(np.minimum(eta, _ETA_MAX))

    def gradient_from_mean(self, y, mu, sw, eta):
        return sw * (mu - y)

    def curvature_from_mean(self, mu, sw, y=None):
        return sw * mu

    def datafit_diff(self, y, sw, eta, eta_t, mu):
        d = eta_t - eta
        if max(float(eta.max(initial=0.0)), float(eta_t.max(initial=0.0))) < _ETA_MAX:
            return float(sw @ (mu * np.expm1(d) - y * d))
        return self.datafit(y, eta_t, sw) - self.datafit(y, eta, sw)

    def loglik_constant(self, y, sw):
        return -float(sw @ gammaln(y + 1.0))

    def null_eta(self, y, sw, fit_intercept):
        if not fit_intercept:
            return 0.0
        return float(np.log(max(float(sw @ y / sw.sum()), 1e-10)))

    def cv_deviance(self, y, mu):
        """glmnet's poisson deviance measure: ``2 [y log(y / mu) - (y - mu)]`` (``y log y = 0``
        at ``y = 0``)."""
        ylogy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0)), 0.0)
        return 2.0 * (ylogy - y * np.log(mu) - (y - mu))

    def check_mode_exists(self, y, sw, fit_intercept):
        if fit_intercept and np.all(y[sw > 0] == 0):
            raise DataError(
                "every count in y is 0: with the flat prior on the intercept the posterior mode "
                "does not exist (the intercept runs to -infinity). Use fit_intercept=False (the "
                "prior then keeps the MAP finite) or add data with non-zero counts.")

    @classmethod
    def examples(cls):
        return [cls()]

    # -- PyMC
    def pymc_loglik(self, y, eta, params):
        import pymc as pm
        import pytensor.tensor as pt

        return pm.logp(pm.Poisson.dist(mu=pt.exp(eta)), y)

    def pymc_observe(self, name, eta, y_data, params, dims):
        import pymc as pm
        import pytensor.tensor as pt

        return pm.Poisson(name, mu=pt.exp(eta), observed=y_data, dims=dims)

    # -- scikit-learn
    @classmethod
    def from_sklearn(cls, estimator, n_samples, sigma):
        """PoissonRegressor (every other argument is checked against :attr:`sklearn_arguments`
        by :func:`bayesreg.conversions.from_sklearn` first)."""
        if n_samples is None:
            raise ParameterError("PoissonRegressor's loss is divided by n: pass "
                                 "n_samples=<rows of X> (the sum of sample_weight when fitted "
                                 "with weights).")
        alpha = estimator.alpha
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.integer, np.floating)):
            raise ParameterError(f"PoissonRegressor(alpha={alpha!r}): alpha must be a number.")
        if not np.isfinite(alpha) or alpha < 0:
            raise ParameterError(f"PoissonRegressor(alpha={alpha!r}): alpha must be finite and "
                                 ">= 0.")
        if alpha == 0:
            raise NotSupportedError("cannot convert PoissonRegressor(alpha=0): it is unpenalized, "
                                    "a flat prior without a proper posterior. Use alpha > 0.")
        return cls(), np.asarray(0.0), np.asarray(n_samples * float(alpha))

    def to_sklearn(self, l1, l2, n_samples, fit_intercept, sigma=None):
        from sklearn.linear_model import PoissonRegressor

        if l1 > 0:
            raise NotSupportedError("scikit-learn's PoissonRegressor has only an L2 penalty; use "
                                    "model.to_glmnet(n_samples) for an L1 Poisson model.")
        if n_samples is None:
            raise ParameterError("PoissonRegressor divides the loss by n: pass n_samples=<rows of X>.")
        return PoissonRegressor(alpha=l2 / n_samples, fit_intercept=fit_intercept)


# -- the conversion table: every constructor argument (checked generically by
#    bayesreg.conversions.from_sklearn; an argument missing here is refused unless at its default)
Poisson.sklearn_arguments = {
    "PoissonRegressor": {
        "alpha": ("converted", "Normal(1 / sqrt(n alpha)); alpha = 0 is refused (unpenalized)",
                  None),
        "fit_intercept": ("converted", "Model(fit_intercept=...); the intercept is never "
                          "penalized", None),
        "solver": ("ignored", "lbfgs and newton-cholesky reach the same optimum", None),
        "max_iter": ("ignored", "solver budget: the optimum does not depend on it", None),
        "tol": ("ignored", "solver tolerance: the optimum does not depend on it", None),
        "warm_start": ("ignored", "starting point: the same (unique) optimum", None),
        "verbose": ("ignored", "logging only", None),
    },
}
