"""Bernoulli likelihood (logit link)  <->  logistic loss.

Density:  p(y | eta) = mu^y (1 - mu)^(1 - y),  mu = 1 / (1 + exp(-eta)),  y in {0, 1}
Datafit:  sum_i sw_i [log(1 + exp(eta_i)) - y_i eta_i]
Null:     eta_0 = logit(ybar); no mode with a flat intercept when every label is the same
PyMC:     pm.Bernoulli(logit_p=eta)
sklearn:  LogisticRegression(C, l1_ratio):  l1 = l1_ratio / C,  l2 = (1 - l1_ratio) / C
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit

from .._errors import DataError, NotSupportedError, ParameterError
from .._validation import check_positive_number
from .base import Likelihood, register_likelihood


@register_likelihood
class Bernoulli(Likelihood):
    """Binary observations y in {0, 1} with the logit link (logistic regression).

    ``log p(y_i | eta_i) = y_i * eta_i - log(1 + exp(eta_i))`` (no further constant).
    """

    family = "binomial"
    sklearn_names = ("LogisticRegression",)
    response_kind = "binary"

    def check_y(self, y):
        bad = (y != 0) & (y != 1)
        if bad.any():
            i = int(np.argmax(bad))
            vals = np.unique(y)
            raise DataError(
                f"y must be 0/1 for a Bernoulli likelihood; entry {i} is {y[i]!r} "
                f"(distinct values: {vals[:6].tolist()}{'...' if vals.size > 6 else ''}). "
                "Encode the positive class as 1 (e.g. y = (labels == 'yes').astype(int)); "
                "MAPClassifier does this encoding for you."
            )

    def mean(self, eta):
        return expit(eta)

    def latent_scale(self, y):
        return float(np.pi / np.sqrt(3.0)), "pi/sqrt(3) (sd of the standard logistic: log-odds)"

    def loglik(self, y, eta):
        return y * eta - np.logaddexp(0.0, eta)

    def draw(self, eta, rng):
        return (rng.random(np.shape(eta)) < expit(eta)).astype(float)

    def datafit(self, y, eta, sw):
        return float(np.dot(sw, np.logaddexp(0.0, eta) - y * eta))

    def gradient(self, y, eta, sw):
        return sw * (expit(eta) - y)

    def curvature(self, y, eta, sw):
        mu = expit(eta)
        return sw * mu * (1.0 - mu)

    def gradient_from_mean(self, y, mu, sw, eta):
        return sw * (mu - y)

    def curvature_from_mean(self, mu, sw):
        return sw * mu * (1.0 - mu)

    def datafit_diff(self, y, sw, eta, eta_t, mu):
        # softplus(eta + d) - softplus(eta) = log1p(mu expm1(d)), accurate for |d| < 1
        d = eta_t - eta
        small = np.abs(d) < 1.0
        if small.all():
            diff = np.log1p(mu * np.expm1(d))
        else:
            diff = np.logaddexp(0.0, eta_t) - np.logaddexp(0.0, eta)
            diff[small] = np.log1p(mu[small] * np.expm1(d[small]))
        return float(sw @ diff) - float(sw @ (y * d))

    def null_eta(self, y, sw, fit_intercept):
        if not fit_intercept:
            return 0.0
        m = min(max(float(sw @ y / sw.sum()), 1e-10), 1 - 1e-10)
        return float(np.log(m / (1 - m)))

    def check_mode_exists(self, y, sw, fit_intercept):
        yy = y[sw > 0]
        if fit_intercept and (np.all(yy == 0) or np.all(yy == 1)):
            raise DataError(
                f"y is {int(yy[0])} for every (weighted) row: with the flat prior on the intercept "
                "the posterior mode does not exist (the intercept runs to "
                f"{'-' if yy[0] == 0 else '+'}infinity). Provide both classes, or "
                "fit_intercept=False.")

    @classmethod
    def examples(cls):
        return [cls()]

    # -- PyMC
    def pymc_loglik(self, y, eta, params):
        import pymc as pm

        return pm.logp(pm.Bernoulli.dist(logit_p=eta), y)

    def pymc_observe(self, name, eta, y_data, params, dims):
        import pymc as pm

        return pm.Bernoulli(name, logit_p=eta, observed=y_data, dims=dims)

    # -- scikit-learn
    @classmethod
    def from_sklearn(cls, estimator, n_samples, sigma):
        C = float(estimator.C)
        if not np.isfinite(C):
            raise NotSupportedError("LogisticRegression(C=inf) is unpenalized: no proper prior.")
        C = check_positive_number(C, "C")
        rho = _logistic_l1_ratio(estimator)
        return cls(), np.asarray(rho / C), np.asarray((1 - rho) / C)

    def to_sklearn(self, l1, l2, n_samples, fit_intercept, sigma=None):
        from sklearn.linear_model import LogisticRegression

        rho = l1 / (l1 + l2)
        solver = "lbfgs" if rho == 0 else "saga"
        return LogisticRegression(C=1.0 / (l1 + l2), l1_ratio=rho, solver=solver,
                                  fit_intercept=fit_intercept)


def _logistic_l1_ratio(est) -> float:
    penalty = getattr(est, "penalty", "deprecated")
    l1_ratio = getattr(est, "l1_ratio", None)
    if penalty in ("deprecated", None) or penalty == "elasticnet":
        if penalty is None:
            raise NotSupportedError("LogisticRegression(penalty=None) is unpenalized: no proper prior.")
        return 0.0 if l1_ratio is None else float(l1_ratio)
    if penalty == "l1":
        return 1.0
    if penalty == "l2":
        return 0.0
    raise ParameterError(f"unknown LogisticRegression penalty {penalty!r}.")
