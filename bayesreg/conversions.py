"""Conversions between priors and the penalties of scikit-learn and glmnet.

All rules come from matching the negative log posterior (in nats)

    -log p(w | y) = datafit(w) + sum_j l1_j |w_j| + l2_j / 2 w_j^2 + const

with each library's objective multiplied by the constant that turns its datafit into ours.
Gaussian likelihood with noise sigma on n rows (datafit ||r||^2 / (2 sigma^2)):

=====================================  ======================================================
library objective                      prior
=====================================  ======================================================
Ridge: ||r||^2 + alpha ||w||^2          Normal(scale = sigma / sqrt(alpha))
Lasso: ||r||^2/(2n) + alpha ||w||_1     Laplace(scale = sigma^2 / (n alpha))
ElasticNet / glmnet gaussian:           1/l1_scale = n alpha rho / sigma^2,
||r||^2/(2n) + alpha rho ||w||_1        1/l2_scale^2 = n alpha (1 - rho) / sigma^2
+ alpha (1 - rho) / 2 ||w||^2           (glmnet: alpha -> lambda, rho -> alpha)
=====================================  ======================================================

Bernoulli / Poisson (datafit = -loglik, no sigma):

==========================================  ==================================================
LogisticRegression: C sum loss              1/l1_scale = rho / C, 1/l2_scale^2 = (1 - rho) / C
+ rho ||w||_1 + (1 - rho)/2 ||w||^2         (L2: prior variance C; L1: Laplace scale C)
PoissonRegressor: (1/2n) sum deviance       Normal(scale = 1 / sqrt(n alpha))
+ alpha/2 ||w||^2
glmnet binomial/poisson: -(1/n) loglik      1/l1_scale = n lambda alpha,
+ lambda [alpha ||w||_1 + (1-alpha)/2 ||w||^2]  1/l2_scale^2 = n lambda (1 - alpha)
==========================================  ==================================================

With sample weights, scikit-learn's Lasso/ElasticNet/PoissonRegressor normalize by the weight
sum: pass ``n_samples = sum(sample_weight)``. glmnet's ``penalty.factor`` is rescaled by glmnet
to sum to the number of variables; :func:`from_glmnet` applies the same rescaling.

Every other estimator setting goes through one table per estimator, declared by the likelihood
that converts it (``sklearn_arguments``: ``{argument: (action, what happens, check)}``) and
checked by :func:`check_sklearn_arguments`: an argument is converted, ignored (it does not
change the optimum) or refused with an error naming it; an argument missing from the table is
refused unless it is at its default, so a new scikit-learn setting is never dropped silently.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from ._errors import BayesregTypeError, NotSupportedError, ParameterError
from ._validation import check_positive_number as _pos
from .likelihoods import Likelihood
from .likelihoods.base import likelihood_for_estimator, likelihood_for_family
from .priors import ElasticNetPrior, Laplace, Normal, Prior

__all__ = ["prior_from_penalty", "from_sklearn", "to_sklearn", "from_glmnet", "to_glmnet",
           "sklearn_argument_table", "check_sklearn_arguments", "NOT_CONVERTED"]


def prior_from_penalty(l1, l2) -> Prior:
    """The prior whose penalty is ``l1 |w| + l2 / 2 w^2`` (per coefficient or shared).

    ``l1 > 0, l2 = 0`` -> Laplace(1/l1); ``l1 = 0, l2 > 0`` -> Normal(1/sqrt(l2));
    both > 0 -> ElasticNetPrior(1/l1, 1/sqrt(l2)). The pattern must be the same for every
    coefficient (one prior family per model)."""
    l1 = np.asarray(l1, dtype=float)
    l2 = np.asarray(l2, dtype=float)
    if np.any(l1 < 0) or np.any(l2 < 0) or not (np.all(np.isfinite(l1)) and np.all(np.isfinite(l2))):
        raise ParameterError("penalty weights must be finite and >= 0.")
    has1, has2 = l1 > 0, l2 > 0
    if np.all(~has1 & ~has2):
        raise NotSupportedError(
            "a zero penalty is a flat (improper) prior: its MAP is the unpenalized MLE, which "
            "bayesreg does not treat as a Bayesian model. Use a weak proper prior (large scale).")

    def sc(v):
        return float(v) if v.ndim == 0 else v

    if np.all(has1) and np.all(~has2):
        return Laplace(sc(1.0 / l1))
    if np.all(~has1) and np.all(has2):
        return Normal(sc(1.0 / np.sqrt(l2)))
    if np.all(has1) and np.all(has2):
        return ElasticNetPrior(sc(1.0 / l1), sc(1.0 / np.sqrt(l2)))
    raise NotSupportedError(
        "the penalty mixes L1-only, L2-only and zero-weight coefficients; bayesreg models use one "
        "prior family for all coefficients. Give every coefficient a positive weight.")


def _n_of(prior: Prior) -> int:
    for p in prior._params:
        v = getattr(prior, p)
        if isinstance(v, np.ndarray):
            return v.shape[0]
    return 1


def _weights(prior: Prior) -> tuple[np.ndarray, np.ndarray]:
    """The prior's penalty weights (the clear no-MAP error for a prior without a penalty)."""
    from ._errors import NotSupportedError
    from .penalties import require_penalty

    pen = require_penalty(prior, _n_of(prior))
    if not pen.separable:
        raise NotSupportedError(
            f"{prior!r} has a non-separable penalty ({type(pen).__name__}): scikit-learn and "
            "glmnet have no counterpart. For GroupLaplace(scale) the group lasso of skglm is "
            "GroupLasso(alpha = sigma^2 / (n scale), weights = sqrt(p_g)) (docs: Priors).")
    return pen.weights


#: estimators that are not converted, and why (the message says what to convert instead)
NOT_CONVERTED = {
    "LinearRegression": "it is unpenalized least squares, a flat prior without a proper "
                        "posterior. Use Ridge(alpha > 0) (a Normal prior).",
    "RidgeCV": "it is a model selection over alphas. Convert the selected fit: "
               "Ridge(alpha=est.alpha_, fit_intercept=est.fit_intercept).",
    "LassoCV": "it is a model selection over alphas. Convert the selected fit: "
               "Lasso(alpha=est.alpha_, fit_intercept=est.fit_intercept).",
    "ElasticNetCV": "it is a model selection over (alpha, l1_ratio). Convert the selected fit: "
                    "ElasticNet(alpha=est.alpha_, l1_ratio=est.l1_ratio_, "
                    "fit_intercept=est.fit_intercept).",
    "LogisticRegressionCV": "it is a model selection over C. Convert the selected binary fit: "
                            "LogisticRegression(C=est.C_[0], l1_ratio=est.l1_ratio_[0], "
                            "fit_intercept=est.fit_intercept).",
}

ACTIONS = ("converted", "ignored", "refused")
_NO_DEFAULT = object()


def _defaults(cls) -> dict[str, Any]:
    import inspect

    try:
        sig = inspect.signature(cls.__init__)
    except (TypeError, ValueError):
        return {}
    return {k: p.default for k, p in sig.parameters.items()
            if p.default is not inspect.Parameter.empty}


def _same(a, b) -> bool:
    if a is b:
        return True
    try:
        return bool(np.shape(a) == np.shape(b) and np.all(np.asarray(a) == np.asarray(b)))
    except Exception:  # noqa: BLE001 - incomparable values are different
        return False


def sklearn_argument_table(name: str) -> dict[str, tuple]:
    """The conversion table of the scikit-learn estimator ``name``: ``{argument: (action, what
    happens, check)}`` with action ``converted``, ``ignored`` or ``refused`` (fitted attributes end
    in ``_``). Declared by the likelihood that converts it (``sklearn_arguments``); ``{}`` when
    it declares none (then every argument is checked as unknown)."""
    cls = likelihood_for_estimator(name)
    return {} if cls is None else dict(getattr(cls, "sklearn_arguments", {}).get(name, {}))


def check_sklearn_arguments(estimator: Any) -> None:
    """Refuse, with the argument, its value and the fix, every setting of ``estimator`` that
    changes the optimum and has no bayesreg equivalent; refuse any argument the table does not
    know unless it is at its default (a future scikit-learn argument fails loudly)."""
    import sklearn

    name = type(estimator).__name__
    table = sklearn_argument_table(name)
    try:
        params = estimator.get_params(deep=False)
    except Exception as e:  # noqa: BLE001
        raise BayesregTypeError(f"cannot convert {name}: get_params() failed ({e}).") from None
    defaults = _defaults(type(estimator))

    def run(arg, value, row):
        action, _, check = row
        if action not in ACTIONS:
            raise ParameterError(f"conversion table of {name}: unknown action {action!r} for "
                                 f"{arg!r} (one of {ACTIONS}).")
        why = None if check is None else check(value, params)
        if why:
            shown = f"{arg}={value!r}" if not arg.endswith("_") else f"fitted {arg}"
            raise NotSupportedError(f"cannot convert {name}({shown}): {why}")

    for arg, value in params.items():
        row = table.get(arg)
        if row is not None:
            run(arg, value, row)
            continue
        default = defaults.get(arg, _NO_DEFAULT)
        if not _same(value, default):
            shown = "" if default is _NO_DEFAULT else f" (its default is {default!r})"
            raise NotSupportedError(
                f"cannot convert {name}({arg}={value!r}): bayesreg's conversion table for {name} "
                f"has no rule for {arg!r} (scikit-learn {sklearn.__version__}), so it cannot tell "
                f"whether it changes the optimum. Leave {arg} at its default{shown}, or add a "
                f"row for it to the likelihood's sklearn_arguments.")
    for attr, row in table.items():
        if attr.endswith("_") and hasattr(estimator, attr):
            run(attr, getattr(estimator, attr), row)


def from_sklearn(estimator: Any, n_samples: int | None = None, sigma: float | None = 1.0):
    """The bayesreg Model whose MAP equals the optimum of a scikit-learn estimator.

    Every constructor argument is either converted, ignored (it does not change the optimum:
    tolerances, solvers, ...) or refused with an error naming it (``positive=True``,
    ``class_weight``, liblinear's penalized intercept, a multi-target or multi-class fit, an
    argument bayesreg does not know set to a non-default value): see the table in
    ``docs/guide/conversions.md`` and :func:`sklearn_argument_table`.

    Parameters
    ----------
    estimator : Ridge, Lasso, ElasticNet, LogisticRegression or PoissonRegressor (fitted or not)
        Any estimator named in a registered likelihood's ``sklearn_names``.
    n_samples : int
        Rows of the training data (or the sum of sample weights); needed for every estimator
        whose loss is divided by n (Lasso, ElasticNet, PoissonRegressor).
    sigma : float
        Gaussian noise sd (ignored for LogisticRegression / PoissonRegressor).
    """
    from .model import Model

    name = type(estimator).__name__
    cls = likelihood_for_estimator(name)
    if cls is None:
        known = sorted(n for c in _likelihood_classes() for n in c.sklearn_names)
        why = NOT_CONVERTED.get(name)
        if why is not None:
            raise NotSupportedError(f"cannot convert {name}: {why}")
        raise BayesregTypeError(f"cannot convert {name}: supported are {', '.join(known)}.")
    check_sklearn_arguments(estimator)
    n = None if n_samples is None else _pos(n_samples, "n_samples")
    lik, l1, l2 = cls.from_sklearn(estimator, n, sigma)
    fit_intercept = getattr(estimator, "fit_intercept", True)
    if not isinstance(fit_intercept, (bool, np.bool_)):
        raise ParameterError(f"cannot convert {name}(fit_intercept={fit_intercept!r}): "
                             "fit_intercept must be True or False.")
    return Model(likelihood=lik, prior=prior_from_penalty(l1, l2), fit_intercept=bool(fit_intercept))


def _likelihood_classes():
    from .likelihoods import LIKELIHOODS

    return list(LIKELIHOODS.values())


def to_sklearn(model, n_samples: int | None = None, sigma: float | None = None):
    """The unfitted scikit-learn estimator whose optimum equals ``model``'s MAP (see module table).

    Per-coefficient scales have no scikit-learn equivalent (use :func:`to_glmnet`)."""
    l1v, l2v = _weights(model.prior)
    if not (np.all(l1v == l1v[0]) and np.all(l2v == l2v[0])):
        raise NotSupportedError(
            "scikit-learn has no per-feature penalty: this prior has per-coefficient scales. Use "
            "model.to_glmnet(n_samples) (penalty_factor) or rescale the columns instead.")
    n = None if n_samples is None else _pos(n_samples, "n_samples")
    return model.likelihood.to_sklearn(float(l1v[0]), float(l2v[0]), n, model.fit_intercept,
                                       sigma=sigma)


def from_glmnet(lambda_: float, alpha: float = 1.0, family: str = "gaussian",
                n_samples: int | None = None, sigma: float | None = 1.0,
                penalty_factor=None, intercept: bool = True, standardize: bool = False,
                theta: float | None = None):
    """The Model whose MAP equals glmnet's solution at ``lambda_`` (standardize=FALSE).

    glmnet minimizes ``-(1/n) loglik + lambda [alpha ||w||_1 + (1 - alpha)/2 ||w||^2]`` (gaussian:
    ``RSS/(2n)``), with ``penalty.factor`` rescaled to sum to the number of variables. Accepts
    the output of :func:`to_glmnet` as keywords (``from_glmnet(**d, n_samples=n)``).
    ``theta``: the shape of glmnet's ``family = negative.binomial(theta)`` (MASS), which is
    ``NegativeBinomial(alpha = 1 / theta)``; only for that family."""
    from .model import Model

    if not isinstance(family, str):
        raise ParameterError(f"family must be a string (glmnet's family name), got {family!r}.")
    cls = likelihood_for_family(family)
    lam = _pos(lambda_, "lambda_")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.integer, np.floating)) \
            or not 0 <= alpha <= 1:
        raise ParameterError(f"alpha (glmnet's L1/L2 mixing parameter) must be a number in "
                             f"[0, 1] (1 = lasso, 0 = ridge), got {alpha!r}.")
    if standardize:
        raise NotSupportedError(
            "standardize=True: glmnet then penalizes the coefficients of the standardized "
            "columns, a prior on a different scale per column. Standardize X yourself and pass "
            "standardize=False (or use per-coefficient scales).")
    if not isinstance(intercept, (bool, np.bool_)):
        raise ParameterError(f"intercept must be True or False, got {intercept!r}.")
    if n_samples is None:
        raise ParameterError("glmnet divides the loss by n: pass n_samples=<rows of X>.")
    n = _pos(n_samples, "n_samples")
    alpha = float(alpha)
    if theta is None:
        lik = cls.from_glmnet(sigma)
    elif "theta" in inspect.signature(cls.from_glmnet).parameters:
        lik = cls.from_glmnet(sigma, theta=theta)
    else:
        raise ParameterError(f"theta is the argument of glmnet's negative.binomial(theta) "
                             f"family, not of family={family!r}: drop it.")
    k = n * lam / lik.noise_variance()
    if penalty_factor is not None:
        try:
            pf = np.asarray(penalty_factor, dtype=float)
        except (TypeError, ValueError):
            raise ParameterError(f"penalty_factor must be a 1-D array of numbers, got "
                                 f"{penalty_factor!r}.") from None
        if pf.ndim != 1 or np.any(~np.isfinite(pf)) or np.any(pf <= 0):
            raise ParameterError("penalty_factor must be a 1-D array of finite values > 0 (a zero "
                                 "factor is a flat prior, which bayesreg does not support).")
        pf = pf * pf.size / pf.sum()
    else:
        pf = np.asarray(1.0)
    prior = prior_from_penalty(k * alpha * pf, k * (1 - alpha) * pf)
    return Model(likelihood=lik, prior=prior, fit_intercept=bool(intercept))


def to_glmnet(model, n_samples: int | None = None, sigma: float | None = None) -> dict[str, Any]:
    """glmnet arguments with the same optimum: ``{"lambda_", "alpha", "family", "penalty_factor",
    "standardize": False, "intercept"}`` (``penalty_factor`` is None when uniform)."""
    lik: Likelihood = model.likelihood
    if n_samples is None:
        raise ParameterError("glmnet divides the loss by n: pass n_samples=<rows of X>.")
    n = _pos(n_samples, "n_samples")
    l1, l2 = _weights(model.prior)
    tot = l1 + l2
    ratio = l1 / tot
    if not np.allclose(ratio, ratio[0], rtol=1e-12, atol=0):
        raise NotSupportedError("glmnet has one alpha for all coefficients; this prior's L1/L2 mix "
                                "differs between coefficients.")
    tot = tot * lik.noise_variance(sigma)
    pf = tot / tot.mean()
    lam = float(tot.mean()) / n
    uniform = np.allclose(pf, 1.0, rtol=1e-12, atol=0)
    out = {
        "lambda_": lam,
        "alpha": float(ratio[0]),
        "family": lik.family,
        "penalty_factor": None if uniform else pf,
        "standardize": False,
        "intercept": model.fit_intercept,
    }
    if hasattr(lik, "glmnet_family_args"):  # glmnet's negative.binomial(theta)
        out.update(lik.glmnet_family_args())
    return out
