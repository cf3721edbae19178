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
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._errors import BayesregTypeError, NotSupportedError, ParameterError
from .likelihoods import Bernoulli, Gaussian, Likelihood, Poisson
from .priors import ElasticNetPrior, Laplace, Normal, Prior

__all__ = ["prior_from_penalty", "from_sklearn", "to_sklearn", "from_glmnet", "to_glmnet"]


def _pos(v, name):
    if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)):
        raise BayesregTypeError(f"{name} must be a number, got {v!r}.")
    v = float(v)
    if not np.isfinite(v) or v <= 0:
        raise ParameterError(f"{name} must be finite and > 0, got {v!r}.")
    return v


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


def _sigma_for(sigma, family):
    if family != "gaussian":
        return None
    if sigma is None:
        raise ParameterError(
            "the Gaussian conversion needs the noise sd: pass sigma=... (the penalty only fixes "
            "the ratio sigma^2 / prior scale).")
    return _pos(sigma, "sigma")


def _penalty_weights_uniform(prior: Prior, n_coef: int | None):
    l1, l2 = prior.penalty_weights(n_coef or _n_of(prior))
    return l1, l2


def _n_of(prior: Prior) -> int:
    for p in prior._params:
        v = getattr(prior, p)
        if isinstance(v, np.ndarray):
            return v.shape[0]
    return 1


def from_sklearn(estimator: Any, n_samples: int | None = None, sigma: float | None = 1.0):
    """The bayesreg Model whose MAP equals the optimum of a scikit-learn estimator.

    Parameters
    ----------
    estimator : Ridge, Lasso, ElasticNet, LogisticRegression or PoissonRegressor (fitted or not)
    n_samples : int
        Rows of the training data (or the sum of sample weights); needed for every estimator
        whose loss is divided by n (Lasso, ElasticNet, PoissonRegressor).
    sigma : float
        Gaussian noise sd (ignored for LogisticRegression / PoissonRegressor).
    """
    from .model import Model

    name = type(estimator).__name__
    fit_intercept = bool(getattr(estimator, "fit_intercept", True))

    def need_n():
        if n_samples is None:
            raise ParameterError(f"{name}'s loss is divided by n: pass n_samples=<rows of X>.")
        return _pos(n_samples, "n_samples")

    if name == "Ridge":
        alpha = np.asarray(estimator.alpha, dtype=float)
        if np.any(alpha <= 0):
            raise NotSupportedError("Ridge(alpha=0) is unpenalized least squares: no proper prior.")
        s = _sigma_for(sigma, "gaussian")
        lik, l1, l2 = Gaussian(sigma=s), 0 * alpha, alpha / s**2
    elif name in ("Lasso", "ElasticNet"):
        n = need_n()
        s = _sigma_for(sigma, "gaussian")
        alpha = _pos(estimator.alpha, "alpha")
        rho = 1.0 if name == "Lasso" else float(estimator.l1_ratio)
        lik = Gaussian(sigma=s)
        l1, l2 = n * alpha * rho / s**2, n * alpha * (1 - rho) / s**2
    elif name == "LogisticRegression":
        C = float(estimator.C)
        if not np.isfinite(C):
            raise NotSupportedError("LogisticRegression(C=inf) is unpenalized: no proper prior.")
        C = _pos(C, "C")
        rho = _logistic_l1_ratio(estimator)
        lik, l1, l2 = Bernoulli(), rho / C, (1 - rho) / C
    elif name == "PoissonRegressor":
        n = need_n()
        alpha = _pos(estimator.alpha, "alpha")
        lik, l1, l2 = Poisson(), 0.0, n * alpha
    else:
        raise BayesregTypeError(
            f"cannot convert {name}: supported are Ridge, Lasso, ElasticNet, LogisticRegression, "
            "PoissonRegressor.")
    return Model(likelihood=lik, prior=prior_from_penalty(l1, l2), fit_intercept=fit_intercept)


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


def to_sklearn(model, n_samples: int | None = None, sigma: float | None = None):
    """The unfitted scikit-learn estimator whose optimum equals ``model``'s MAP (see module table).

    Per-coefficient scales have no scikit-learn equivalent (use :func:`to_glmnet`)."""
    from sklearn.linear_model import ElasticNet, Lasso, LogisticRegression, PoissonRegressor, Ridge

    lik, prior = model.likelihood, model.prior
    l1v, l2v = prior.penalty_weights(_n_of(prior))
    if not (np.all(l1v == l1v[0]) and np.all(l2v == l2v[0])):
        raise NotSupportedError(
            "scikit-learn has no per-feature penalty: this prior has per-coefficient scales. Use "
            "model.to_glmnet(n_samples) (penalty_factor) or rescale the columns instead.")
    l1, l2 = float(l1v[0]), float(l2v[0])
    fi = model.fit_intercept
    if isinstance(lik, Gaussian):
        s = lik.sigma if sigma is None else _pos(sigma, "sigma")
        if s is None:
            raise ParameterError("Gaussian(sigma=None) has no fixed noise sd; pass sigma=... to "
                                 "convert (the penalty depends on sigma^2).")
        if l1 == 0:
            return Ridge(alpha=s**2 * l2, fit_intercept=fi)
        n = _pos(n_samples, "n_samples") if n_samples is not None else None
        if n is None:
            raise ParameterError("Lasso/ElasticNet divide the loss by n: pass n_samples=<rows of X>.")
        if l2 == 0:
            return Lasso(alpha=s**2 * l1 / n, fit_intercept=fi)
        return ElasticNet(alpha=s**2 * (l1 + l2) / n, l1_ratio=l1 / (l1 + l2), fit_intercept=fi)
    if isinstance(lik, Bernoulli):
        rho = l1 / (l1 + l2)
        solver = "lbfgs" if rho == 0 else "saga"
        return LogisticRegression(C=1.0 / (l1 + l2), l1_ratio=rho, solver=solver, fit_intercept=fi)
    if isinstance(lik, Poisson):
        if l1 > 0:
            raise NotSupportedError("scikit-learn's PoissonRegressor has only an L2 penalty; use "
                                    "model.to_glmnet(n_samples) for an L1 Poisson model.")
        n = _pos(n_samples, "n_samples") if n_samples is not None else None
        if n is None:
            raise ParameterError("PoissonRegressor divides the loss by n: pass n_samples=<rows of X>.")
        return PoissonRegressor(alpha=l2 / n, fit_intercept=fi)
    raise NotSupportedError(f"no scikit-learn equivalent for {type(lik).__name__}.")


_FAMILIES = {"gaussian": Gaussian, "binomial": Bernoulli, "poisson": Poisson}


def from_glmnet(lambda_: float, alpha: float = 1.0, family: str = "gaussian",
                n_samples: int | None = None, sigma: float | None = 1.0,
                penalty_factor=None, intercept: bool = True):
    """The Model whose MAP equals glmnet's solution at ``lambda_`` (standardize=FALSE).

    glmnet minimizes ``-(1/n) loglik + lambda [alpha ||w||_1 + (1 - alpha)/2 ||w||^2]`` (gaussian:
    ``RSS/(2n)``), with ``penalty.factor`` rescaled to sum to the number of variables."""
    from .model import Model

    if family not in _FAMILIES:
        raise ParameterError(f"family must be one of {sorted(_FAMILIES)}, got {family!r}.")
    lam = _pos(lambda_, "lambda_")
    if isinstance(alpha, bool) or not 0 <= float(alpha) <= 1:
        raise ParameterError(f"alpha (glmnet's mixing parameter) must be in [0, 1], got {alpha!r}.")
    if n_samples is None:
        raise ParameterError("glmnet divides the loss by n: pass n_samples=<rows of X>.")
    n = _pos(n_samples, "n_samples")
    alpha = float(alpha)
    k = n * lam
    if family == "gaussian":
        s = _sigma_for(sigma, family)
        k /= s**2
        lik = Gaussian(sigma=s)
    else:
        lik = _FAMILIES[family]()
    if penalty_factor is not None:
        pf = np.asarray(penalty_factor, dtype=float)
        if pf.ndim != 1 or np.any(~np.isfinite(pf)) or np.any(pf <= 0):
            raise ParameterError("penalty_factor must be a 1-D array of finite values > 0 (a zero "
                                 "factor is a flat prior, which bayesreg does not support).")
        pf = pf * pf.size / pf.sum()
    else:
        pf = np.asarray(1.0)
    prior = prior_from_penalty(k * alpha * pf, k * (1 - alpha) * pf)
    return Model(likelihood=lik, prior=prior, fit_intercept=intercept)


def to_glmnet(model, n_samples: int | None = None, sigma: float | None = None) -> dict[str, Any]:
    """glmnet arguments with the same optimum: ``{"lambda_", "alpha", "family", "penalty_factor",
    "standardize": False, "intercept"}`` (``penalty_factor`` is None when uniform)."""
    lik: Likelihood = model.likelihood
    if n_samples is None:
        raise ParameterError("glmnet divides the loss by n: pass n_samples=<rows of X>.")
    n = _pos(n_samples, "n_samples")
    l1, l2 = model.prior.penalty_weights(_n_of(model.prior))
    tot = l1 + l2
    ratio = l1 / tot
    if not np.allclose(ratio, ratio[0], rtol=1e-12, atol=0):
        raise NotSupportedError("glmnet has one alpha for all coefficients; this prior's L1/L2 mix "
                                "differs between coefficients.")
    if isinstance(lik, Gaussian):
        s = lik.sigma if sigma is None else _pos(sigma, "sigma")
        if s is None:
            raise ParameterError("Gaussian(sigma=None): pass sigma=... to convert.")
        tot = tot * s**2
    pf = tot / tot.mean()
    lam = float(tot.mean()) / n
    uniform = np.allclose(pf, 1.0, rtol=1e-12, atol=0)
    return {
        "lambda_": lam,
        "alpha": float(ratio[0]),
        "family": lik.family,
        "penalty_factor": None if uniform else pf,
        "standardize": False,
        "intercept": model.fit_intercept,
    }
