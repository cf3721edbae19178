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
from .base import Likelihood, register_likelihood


@register_likelihood
class Bernoulli(Likelihood):
    """Binary observations y in {0, 1} with the logit link (logistic regression).

    ``log p(y_i | eta_i) = y_i * eta_i - log(1 + exp(eta_i))`` (no further constant).
    """

    family = "binomial"
    sklearn_names = ("LogisticRegression",)
    #: {estimator: {constructor argument or fitted attribute: (action, what happens, check)}}
    sklearn_arguments: dict = {}  # filled below the class (the table at the end of the file)
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

    def curvature_from_mean(self, mu, sw, y=None):
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

    def cv_deviance(self, y, mu):
        """glmnet's binomial deviance measure: ``-2 [y log p + (1 - y) log(1 - p)]`` with ``p``
        clipped to ``[1e-5, 1 - 1e-5]`` (cv.lognet's ``prob_min``)."""
        p = np.clip(mu, 1e-5, 1.0 - 1e-5)
        return -2.0 * (y * np.log(p) + (1.0 - y) * np.log1p(-p))

    def check_mode_exists(self, y, sw, fit_intercept):
        yy = y[sw > 0]
        if fit_intercept and (np.all(yy == 0) or np.all(yy == 1)):
            raise DataError(
                f"y is {int(yy[0])} for every (weighted) row: with the flat prior on the intercept "
                "the posterior mode does not exist (the intercept runs to "
                f"{'-' if yy[0] == 0 else '+'}infinity). Provide both classes, or "
                "fit_intercept=False.")

    def gibbs_augmentation(self, y, sw):
        """The Polya-gamma Gibbs face (:func:`bayesreg.likelihoods._augmentation.polya_gamma_face`):
        ``omega_i | eta_i ~ PG(sw_i n_i, eta_i)``, the coefficients then see the Gaussian
        pseudo-data ``N(kappa_i / omega_i; eta_i, 1 / omega_i)``, ``kappa_i = sw_i (y_i - n_i/2)``."""
        from ._augmentation import polya_gamma_face

        return polya_gamma_face(y, sw, 1.0)

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
        """LogisticRegression (every other argument is checked against :attr:`sklearn_arguments`
        by :func:`bayesreg.conversions.from_sklearn` first)."""
        C = estimator.C
        if isinstance(C, bool) or not isinstance(C, (int, float, np.integer, np.floating)):
            raise ParameterError(f"LogisticRegression(C={C!r}): C must be a number.")
        if C == np.inf:
            raise NotSupportedError("cannot convert LogisticRegression(C=inf): it is unpenalized, "
                                    "a flat prior without a proper posterior. Use a finite C.")
        if not np.isfinite(C) or C <= 0:
            raise ParameterError(f"LogisticRegression(C={C!r}): C must be finite and > 0.")
        C = float(C)
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
    if penalty is None or penalty == "none":
        raise NotSupportedError(f"cannot convert LogisticRegression(penalty={penalty!r}): it is "
                                "unpenalized, a flat prior without a proper posterior. Use "
                                "penalty='l2' (or the default) with a finite C.")
    if penalty == "l1":
        return 1.0
    if penalty == "l2":
        return 0.0
    if penalty in ("deprecated", "elasticnet"):
        if l1_ratio is None and penalty == "elasticnet":
            raise ParameterError("LogisticRegression(penalty='elasticnet', l1_ratio=None): "
                                 "l1_ratio must be a number in [0, 1] (0 = L2, 1 = L1).")
        if l1_ratio is None:
            return 0.0
        if isinstance(l1_ratio, bool) or not isinstance(
                l1_ratio, (int, float, np.integer, np.floating)) or not 0 <= l1_ratio <= 1:
            raise ParameterError(f"LogisticRegression(l1_ratio={l1_ratio!r}): l1_ratio must be a "
                                 "number in [0, 1] (0 = L2, 1 = L1).")
        return float(l1_ratio)
    raise ParameterError(f"LogisticRegression(penalty={penalty!r}): unknown penalty; use 'l1', "
                         "'l2', 'elasticnet' or the default.")


# -- the conversion table: every constructor argument (checked generically by
#    bayesreg.conversions.from_sklearn; an argument missing here is refused unless at its default)
def _no_class_weight(value, params):
    if value is not None:
        return ("class_weight multiplies each row's loss by the weight of its class. Convert "
                "with class_weight=None and pass the weights to map: sample_weight[i] = "
                "class_weight[y[i]] ('balanced': n / (n_classes * count(y[i]))).")
    return None


def _intercept_not_penalized(value, params):
    if value == "liblinear" and params.get("fit_intercept", True):
        return ("liblinear penalizes the intercept (it fits it as the coefficient of a constant "
                f"column of value intercept_scaling={params.get('intercept_scaling')!r}, under the "
                "same penalty); bayesreg's intercept has a flat prior. Use solver='lbfgs' (L2) or "
                "'saga' (L1 / elastic net), or fit_intercept=False.")
    return None


def _binary(classes, params):
    if len(classes) > 2:
        return (f"the model was fitted to {len(classes)} classes (multinomial); a Bernoulli "
                "likelihood has two. Fit one-vs-rest binary models and convert each.")
    return None


_SKLEARN_ARGUMENTS = {
    "LogisticRegression": {
        "C": ("converted", "L2 part: prior variance C / (1 - l1_ratio); L1 part: Laplace scale "
              "C / l1_ratio; C = inf is refused (unpenalized)", None),
        "l1_ratio": ("converted", "the L1/L2 mix (a number in [0, 1], else ParameterError); "
                     "ignored, as by scikit-learn, when penalty is 'l1' or 'l2'", None),
        "penalty": ("converted", "default / 'elasticnet': l1_ratio; 'l1': Laplace; 'l2': "
                    "Normal; None is refused (unpenalized)", None),
        "fit_intercept": ("converted", "Model(fit_intercept=...); the intercept is never "
                          "penalized", None),
        "solver": ("refused", "'liblinear' with fit_intercept=True is refused (it penalizes the "
                   "intercept); every other solver reaches the same optimum",
                   _intercept_not_penalized),
        "intercept_scaling": ("ignored", "used only by liblinear with fit_intercept=True, which is "
                              "refused (see solver)", None),
        "class_weight": ("refused", "anything but None is refused: pass the class weights as "
                         "sample_weight to map", _no_class_weight),
        "dual": ("ignored", "the dual formulation of the same problem (liblinear)", None),
        "max_iter": ("ignored", "solver budget: the optimum does not depend on it", None),
        "tol": ("ignored", "solver tolerance: the optimum does not depend on it", None),
        "warm_start": ("ignored", "starting point: the same (unique) optimum", None),
        "random_state": ("ignored", "solver randomness (sag/saga/liblinear)", None),
        "n_jobs": ("ignored", "parallelism only", None),
        "verbose": ("ignored", "logging only", None),
        "classes_": ("refused", "a fitted model with more than two classes is refused", _binary),
    },
}
Bernoulli.sklearn_arguments = _SKLEARN_ARGUMENTS
