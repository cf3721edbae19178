"""Binomial likelihood with trials (logit link)  <->  logistic loss on success counts.

Density:  p(y | eta) = C(n, y) mu^y (1 - mu)^(n - y),  mu = 1 / (1 + exp(-eta)),  y in {0..n}
Datafit:  sum_i sw_i [n_i log(1 + exp(eta_i)) - y_i eta_i]   (constant: sum_i sw_i log C(n_i, y_i))
Null:     eta_0 = logit(sum sw y / sum sw n); no mode with a flat intercept when every row has
          y = 0, or every row y = n
PyMC:     pm.Binomial(n=trials, logit_p=eta)
glmnet:   family="binomial" with the two-column count matrix ``cbind(n - y, y)``: glmnet fits
          the proportions y / n with weights n and normalizes the weights to sum to the number
          of rows, so its lambda converts with ``n_samples = sum(n)`` (the total of the trials).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import expit, gammaln

from .._errors import BayesregTypeError, DataError, NotSupportedError, ParameterError
from .base import Likelihood, register_likelihood


@register_likelihood
class Binomial(Likelihood):
    """Successes ``y_i`` out of ``trials_i`` per row, with the logit link.

    ``log p(y_i | eta_i) = log C(n_i, y_i) + y_i eta_i - n_i log(1 + exp(eta_i))``,
    ``E[y_i] = n_i / (1 + exp(-eta_i))``. With ``trials = 1`` it is :class:`Bernoulli`; a row
    with ``n_i`` trials has the MAP and log posterior of its ``n_i`` expanded Bernoulli rows
    (``y_i`` ones and ``n_i - y_i`` zeros) up to the constant ``log C(n_i, y_i)``.

    Parameters
    ----------
    trials : int or array of int, shape (n,)
        Number of trials per row (>= 1): one number for every row, or one per row of the data
        fitted. An array ties the likelihood to those rows: for new rows (prediction,
        posterior predictive draws) use ``likelihood.bind(trials=new_trials)``. A two-column
        count matrix (glmnet's ``cbind(failures, successes)``) converts with
        :meth:`from_counts`.
    """

    _params = ("trials",)
    family = "binomial"
    response_kind = "count"
    cli_options = {"trials": "trials"}

    def __init__(self, trials: Any = 1) -> None:
        self.trials = _check_trials(trials)

    @classmethod
    def from_counts(cls, counts: Any) -> tuple[Binomial, np.ndarray]:
        """``(Binomial(trials), y)`` from glmnet's two-column binomial response: column 0 the
        failures, column 1 the successes (the second column is the target class), so
        ``trials = failures + successes`` and ``y = successes``."""
        c = np.asarray(counts, dtype=float)
        if c.ndim != 2 or c.shape[1] != 2:
            raise DataError(f"counts must be an (n, 2) array of (failures, successes), got shape "
                            f"{c.shape}.")
        if not np.all(np.isfinite(c)) or np.any(c < 0) or np.any(c != np.round(c)):
            raise DataError("counts must be non-negative integer counts (failures, successes).")
        n = c.sum(axis=1)
        if np.any(n < 1):
            i = int(np.argmax(n < 1))
            raise DataError(f"row {i} of counts has no trials (0 failures and 0 successes): drop "
                            "it (it carries no information).")
        return cls(n), c[:, 1].copy()

    # -- helpers
    def _n(self, shape) -> np.ndarray | float:
        """The trials broadcast against an array of ``shape`` (an array ``trials`` must match
        its last axis: the rows)."""
        t = self.trials
        if isinstance(t, np.ndarray) and (len(shape) == 0 or shape[-1] != t.shape[0]):
            raise DataError(
                f"Binomial has trials for {t.shape[0]} rows but is evaluated on "
                f"{shape[-1] if shape else 1}: for other rows bind their trials "
                "(likelihood.bind(trials=...)), or give one number of trials for every row.")
        return t

    # -- density
    def check_y(self, y):
        n = self._n(np.shape(y))
        bad = (y < 0) | (y != np.round(y)) | (y > n)
        if bad.any():
            i = int(np.argmax(bad))
            ni = n[i] if isinstance(n, np.ndarray) else n
            raise DataError(
                f"y must be integer success counts with 0 <= y <= trials for a Binomial "
                f"likelihood; entry {i} is {y[i]!r} with {ni:g} trials. Pass the number of "
                "successes (not the proportion) and the trials per row: Binomial(trials=...).")

    def mean(self, eta):
        return self._n(np.shape(eta)) * expit(eta)

    def latent_scale(self, y):
        return float(np.pi / np.sqrt(3.0)), "pi/sqrt(3) (sd of the standard logistic: log-odds)"

    def _log_choose(self, y):
        n = self._n(np.shape(y))
        return gammaln(n + 1.0) - gammaln(y + 1.0) - gammaln(n - y + 1.0)

    def loglik(self, y, eta):
        n = self._n(np.shape(eta))
        return self._log_choose(y) + y * eta - n * np.logaddexp(0.0, eta)

    def draw(self, eta, rng):
        n = self._n(np.shape(eta))
        return rng.binomial(np.broadcast_to(np.asarray(n, dtype=np.int64), np.shape(eta)),
                            expit(eta)).astype(float)

    # -- datafit
    def datafit(self, y, eta, sw):
        n = self._n(np.shape(eta))
        return float(np.dot(sw, n * np.logaddexp(0.0, eta) - y * eta))

    def gradient(self, y, eta, sw):
        return sw * (self._n(np.shape(eta)) * expit(eta) - y)

    def curvature(self, y, eta, sw):
        p = expit(eta)
        return sw * self._n(np.shape(eta)) * p * (1.0 - p)

    def gradient_from_mean(self, y, mu, sw, eta):
        return sw * (mu - y)

    def curvature_from_mean(self, mu, sw, y=None):
        n = self._n(np.shape(mu))
        return sw * mu * (1.0 - mu / n)

    def datafit_diff(self, y, sw, eta, eta_t, mu):
        # n [softplus(eta + d) - softplus(eta)] = n log1p(p expm1(d)), accurate for |d| < 1
        n = self._n(np.shape(eta))
        p = mu / n
        d = eta_t - eta
        small = np.abs(d) < 1.0
        if small.all():
            diff = np.log1p(p * np.expm1(d))
        else:
            diff = np.logaddexp(0.0, eta_t) - np.logaddexp(0.0, eta)
            diff[small] = np.log1p(p[small] * np.expm1(d[small]))
        return float(sw @ (n * diff)) - float(sw @ (y * d))

    def loglik_constant(self, y, sw):
        return float(sw @ self._log_choose(y))

    def null_eta(self, y, sw, fit_intercept):
        if not fit_intercept:
            return 0.0
        n = self._n(np.shape(y))
        m = float(sw @ y) / float(sw @ np.broadcast_to(n, np.shape(y)))
        m = min(max(m, 1e-10), 1 - 1e-10)
        return float(np.log(m / (1 - m)))

    def take_rows(self, index):
        t = self.trials
        return self.bind(trials=t[index]) if isinstance(t, np.ndarray) else self

    def cv_deviance(self, y, mu):
        """The binomial deviance ``2 [log p(y | p = y / n) - log p(y | p)] = -2 [y log(p n / y) +
        (n - y) log((1 - p) n / (n - y))]`` from the pointwise log-likelihood, ``mu = n p`` the
        mean count and ``p`` clipped to ``[1e-5, 1 - 1e-5]`` (cv.lognet's ``prob_min``); with
        ``n = 1`` it is the Bernoulli measure. glmnet's two-column binomial measure is this less
        the saturated term, per trial, and weighted by the trials: the same minimizer within a
        fold."""
        n = self._n(np.shape(y))
        p = np.clip(mu / n, 1e-5, 1.0 - 1e-5)
        eta = np.log(p) - np.log1p(-p)
        q = np.clip(y / n, 0.0, 1.0)
        sat = np.clip(np.log(np.maximum(q, 1e-300)) - np.log(np.maximum(1.0 - q, 1e-300)),
                      -700.0, 700.0)
        return 2.0 * (self.loglik(y, sat) - self.loglik(y, eta))

    def check_mode_exists(self, y, sw, fit_intercept):
        n = np.broadcast_to(self._n(np.shape(y)), np.shape(y))
        keep = sw > 0
        yy, nn = y[keep], n[keep]
        if fit_intercept and yy.size and (np.all(yy == 0) or np.all(yy == nn)):
            none = bool(np.all(yy == 0))
            raise DataError(
                f"{'no' if none else 'every'} trial is a success in every (weighted) row (y = "
                f"{'0' if none else 'trials'}): with the flat prior on the intercept the posterior "
                f"mode does not exist (the intercept runs to {'-' if none else '+'}infinity). "
                "Provide rows with both outcomes, or fit_intercept=False.")

    def gibbs_augmentation(self, y, sw):
        """The Polya-gamma Gibbs face (:func:`bayesreg.likelihoods._augmentation.polya_gamma_face`):
        ``omega_i | eta_i ~ PG(sw_i n_i, eta_i)``, the coefficients then see the Gaussian
        pseudo-data ``N(kappa_i / omega_i; eta_i, 1 / omega_i)``, ``kappa_i = sw_i (y_i - n_i/2)``."""
        from ._augmentation import polya_gamma_face

        return polya_gamma_face(y, sw, self._n(np.shape(y)))

    @classmethod
    def examples(cls):
        return [cls(7)]

    # -- PyMC
    def _pm_n(self):
        import pytensor.tensor as pt

        return pt.as_tensor(np.asarray(self.trials, dtype=np.int64))

    def pymc_loglik(self, y, eta, params):
        import pymc as pm

        return pm.logp(pm.Binomial.dist(n=self._pm_n(), logit_p=eta), y)

    def pymc_observe(self, name, eta, y_data, params, dims):
        import pymc as pm

        return pm.Binomial(name, n=self._pm_n(), logit_p=eta, observed=y_data, dims=dims)

    @classmethod
    def from_glmnet(cls, sigma):
        raise NotSupportedError(
            "glmnet's binomial family maps to Bernoulli (one 0/1 label per row); for glmnet's "
            "two-column counts build Binomial.from_counts(counts) and convert lambda with "
            "n_samples = the total number of trials.")

    # -- persistence and equality (trials may be an array)
    def to_dict(self):
        t = self.trials
        return {"type": "Binomial", "trials": t.tolist() if isinstance(t, np.ndarray) else t}

    def __repr__(self):
        t = self.trials
        if isinstance(t, np.ndarray):
            return f"Binomial(trials=<array of {t.shape[0]} rows, total {t.sum():g}>)"
        return f"Binomial(trials={t!r})"

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        a, b = self.trials, other.trials
        return bool(np.shape(a) == np.shape(b) and np.all(np.asarray(a) == np.asarray(b)))

    def __hash__(self):
        t = self.trials
        return hash(("Binomial", t.tobytes() if isinstance(t, np.ndarray) else t))


def _check_trials(trials: Any) -> float | np.ndarray:
    if isinstance(trials, (bool, np.bool_)) or isinstance(trials, (str, bytes)) or trials is None:
        raise BayesregTypeError(f"Binomial.trials must be a positive integer or an array of them, "
                                f"got {trials!r}.")
    try:
        t = np.asarray(trials, dtype=float)
    except (TypeError, ValueError):
        raise BayesregTypeError(f"Binomial.trials must be a positive integer or an array of them, "
                                f"got {type(trials).__name__}.") from None
    if t.ndim > 1:
        raise ParameterError(f"Binomial.trials must be a number or a 1-D array (one per row), got "
                             f"shape {t.shape}; for a two-column count matrix use "
                             "Binomial.from_counts(counts).")
    bad = ~np.isfinite(t) | (t < 1) | (t != np.round(t))
    if bad.any():
        v = t if t.ndim == 0 else t[int(np.argmax(bad))]
        where = "" if t.ndim == 0 else f" (entry {int(np.argmax(bad))})"
        raise ParameterError(f"Binomial.trials must be integers >= 1{where}, got {float(v)!r}. "
                             "Drop rows with no trials.")
    if t.ndim == 0:
        return float(t)
    if t.size == 0:
        raise ParameterError("Binomial.trials is an empty array: give one number per row.")
    return t.copy()
