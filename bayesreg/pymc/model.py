"""``build_model``: a bayesreg :class:`~bayesreg.Model` as the identical ``pymc.Model``."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pymc as pm
import pytensor.tensor as pt
import scipy.sparse as sp

from .._errors import NotSupportedError, ParameterError
from .._validation import check_X_y
from ..likelihoods import Gaussian
from ..priors.bayesian_lasso import BayesianLasso
from . import priors as _priors
from .likelihoods import add_likelihood, gaussian_suff_stats, suff_stats_loglik

__all__ = ["build_model", "model_point", "BuiltModel"]

#: "auto" uses the sufficient-statistics Gaussian likelihood when n > SUFF_STATS_RATIO * p
SUFF_STATS_RATIO = 2.0


@dataclass
class BuiltModel:
    """A PyMC model plus what the rest of the bridge needs to know about it."""

    pm_model: pm.Model
    X: np.ndarray | sp.csc_matrix
    y: np.ndarray
    sw: np.ndarray
    weighted: bool
    feature_names: list[str]
    suff_stats: bool
    sigma_prior_scale: float | None


def _use_suff_stats(model, n: int, p: int, suff_stats) -> bool:
    if suff_stats == "auto":
        return isinstance(model.likelihood, Gaussian) and n > SUFF_STATS_RATIO * p
    if isinstance(suff_stats, (bool, np.bool_)):
        if suff_stats and not isinstance(model.likelihood, Gaussian):
            raise NotSupportedError(
                f"suff_stats=True needs a Gaussian likelihood (got "
                f"{type(model.likelihood).__name__}): only the Gaussian log-likelihood reduces to "
                "sufficient statistics. Use suff_stats='auto' or False.")
        return bool(suff_stats)
    raise ParameterError(f"suff_stats must be 'auto', True or False, got {suff_stats!r}.")


def _build(model, X, y, sample_weight=None, suff_stats="auto") -> BuiltModel:
    X, y, sw, names = check_X_y(X, y, sample_weight)
    n, p = X.shape
    lik, prior = model.likelihood, model.prior
    lik.check_y(y)
    prior.check_n_coef(p)
    names = list(names) if names is not None else [f"x{j}" for j in range(p)]
    weighted = sample_weight is not None and not np.all(sw == 1.0)
    use_ss = _use_suff_stats(model, n, p, suff_stats)
    gaussian = isinstance(lik, Gaussian)
    if isinstance(prior, BayesianLasso) and prior.relative_to_sigma and not gaussian:
        raise NotSupportedError(
            f"BayesianLasso(relative_to_sigma=True) scales the prior by the Gaussian noise sd, "
            f"but the likelihood is {type(lik).__name__}: use relative_to_sigma=False.")
    s_scale = lik.resolve_sigma_prior_scale(y, sw) if gaussian and lik.estimates_sigma else None

    coords = {"feature": names}
    if not use_ss:
        coords["obs_id"] = np.arange(n)
    with pm.Model(coords=coords) as pm_model:
        if gaussian:
            # a fixed sigma must be a float64 constant: PyTensor would otherwise store a Python
            # float that is exact in float32 (e.g. 50.0) as float32 and take its log in float32
            sigma = (pm.HalfNormal("sigma", sigma=np.float64(s_scale)) if lik.estimates_sigma
                     else pt.constant(np.float64(lik.sigma), dtype="float64"))
        else:
            sigma = None
        intercept = pm.Flat("intercept") if model.fit_intercept else 0.0
        coef = _priors.build(prior, "coef", dims="feature", sigma=sigma)
        if use_ss:
            ss = gaussian_suff_stats(X, y, sw)
            data = {
                "XtWX": pm.Data("XtWX", ss.XtWX), "XtWy": pm.Data("XtWy", ss.XtWy),
                "yWy": pm.Data("yWy", ss.yWy), "W": pm.Data("W", ss.W),
                "xbar": pm.Data("xbar", ss.xbar), "ybar": pm.Data("ybar", ss.ybar),
            }
            pm.Potential("loglik", suff_stats_loglik(data, coef, intercept, sigma))
        else:
            Xd = X.toarray() if sp.issparse(X) else X
            X_data = pm.Data("X", Xd, dims=("obs_id", "feature"))
            y_data = pm.Data("y_data", y, dims="obs_id")
            sw_data = pm.Data("sample_weight", sw, dims="obs_id") if weighted else None
            eta = intercept + pt.dot(X_data, coef)
            add_likelihood(lik, eta, y_data, sigma=sigma, sw_data=sw_data)
    return BuiltModel(pm_model=pm_model, X=X, y=y, sw=sw, weighted=weighted, feature_names=names,
                      suff_stats=use_ss, sigma_prior_scale=s_scale)


def build_model(model, X, y, sample_weight=None, suff_stats="auto") -> pm.Model:
    """The bayesreg model as a ``pymc.Model`` with the identical log density.

    Variables: ``intercept`` (``pm.Flat``, only when ``fit_intercept``), ``coef`` (the prior's
    PyMC form, dims ``"feature"`` with the feature names as coords), ``sigma``
    (``pm.HalfNormal(sigma_prior_scale)``, only for ``Gaussian(sigma=None)``; the scale is
    resolved from ``y`` exactly as the MAP solver does), ``lam2`` (BayesianLasso hyperprior only)
    and the likelihood:

    * Gaussian, ``suff_stats`` chosen: ``pm.Potential("loglik", ...)`` computed from the
      centered weighted sufficient statistics (``pm.Data`` ``XtWX``, ``XtWy``, ``yWy``, ``W``,
      ``xbar``, ``ybar``); exact (see :mod:`bayesreg.pymc.likelihoods`), O(p^2) per gradient.
    * otherwise, no sample weights: observed ``y`` (dims ``"obs_id"``) on ``pm.Data`` ``X`` and
      ``y_data``.
    * otherwise, sample weights: ``pm.Potential("loglik", sum_i sw_i log p(y_i | eta_i))``.

    The model's ``logp(jacobian=False)`` is::

        sum_i sw_i log p(y_i | intercept + x_i coef [, sigma]) + sum_j log p(coef_j)
        [+ log HalfNormal(sigma; s)]

    i.e. exactly :attr:`bayesreg.MAPResult.log_posterior` (see :func:`model_point`).

    Parameters
    ----------
    model : bayesreg.Model
    X : array-like or scipy.sparse matrix, shape (n, p)
    y : array-like, shape (n,)
    sample_weight : array-like, shape (n,), optional
        Non-negative weights multiplying each row's log-likelihood.
    suff_stats : {"auto", True, False}
        Gaussian likelihood in sufficient-statistics form. ``"auto"`` uses it when
        ``n > 2 p`` (then a gradient is cheaper than the row-wise O(n p)).

    Returns
    -------
    pymc.Model
    """
    return _build(model, X, y, sample_weight, suff_stats).pm_model


def model_point(pm_model: pm.Model, result=None, *, coef=None, intercept=None, sigma=None,
                lam2=None) -> dict[str, np.ndarray]:
    """A point (dict of *value* variables, transformed where PyMC transforms) for ``pm_model``.

    Pass a :class:`~bayesreg.MAPResult` or the parameters. ``sigma`` becomes ``sigma_log__``, so
    ``pm_model.compile_logp(jacobian=False)(model_point(pm_model, res))`` equals
    ``res.log_posterior``.
    """
    if result is not None:
        coef, intercept, sigma = result.coef, result.intercept, result.sigma
    vals = {"coef": coef, "intercept": intercept, "sigma": sigma, "lam2": lam2}
    point = {}
    for rv in pm_model.free_RVs:
        v = vals.get(rv.name)
        if v is None:
            raise ParameterError(f"model_point needs a value for {rv.name!r}.")
        value_var = pm_model.rvs_to_values[rv]
        tr = pm_model.rvs_to_transforms.get(rv)
        v = np.asarray(v, dtype=float)
        if tr is not None:
            v = np.asarray(tr.forward(pt.as_tensor(v), *rv.owner.inputs).eval(), dtype=float)
        point[value_var.name] = v
    return point
