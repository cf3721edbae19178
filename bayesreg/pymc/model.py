"""``build_model``: a bayesreg model as the identical ``pymc.Model``, from the declared faces.

The builder never switches on a type: the likelihood creates its free parameters
(``Likelihood.pymc_params``) and its observed variable (``pymc_observe``) or row-wise log density
(``pymc_loglik``), the prior creates ``coef`` (``Prior.to_pymc``), and a likelihood with the
``pymc_suffstats_loglik`` face (the Gaussian) may use the exact sufficient-statistics form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pymc as pm
import pytensor.tensor as pt
import scipy.sparse as sp

from .._errors import NotSupportedError, ParameterError
from .._validation import check_X_y, default_names
from ..spec import check_spec
from ..suffstats import SuffStats

__all__ = ["build_model", "build", "model_point", "BuiltModel", "SUFF_STATS_DATA"]

#: "auto" uses the sufficient-statistics Gaussian likelihood when n > SUFF_STATS_RATIO * p
SUFF_STATS_RATIO = 2.0

#: pm.Data names of the SuffStats fields in the sufficient-statistics form
SUFF_STATS_DATA = {"G": "XtWX", "q": "XtWy", "yy": "yWy", "S": "W", "xbar": "xbar", "ybar": "ybar"}


@dataclass
class BuiltModel:
    """A PyMC model plus what the samplers and the cross-check need to know about it."""

    pm_model: pm.Model
    X: np.ndarray | sp.csc_matrix
    y: np.ndarray
    sw: np.ndarray
    weighted: bool
    feature_names: list[str]
    suff_stats: bool
    sigma_prior_scale: float | None
    likelihood: Any = None  # the resolved likelihood (data defaults fixed)
    names_given: bool = False  # the feature names are a DataFrame's columns


def _use_suff_stats(lik, n: int, p: int, suff_stats) -> bool:
    has_face = hasattr(lik, "pymc_suffstats_loglik")
    if suff_stats == "auto":
        return has_face and n > SUFF_STATS_RATIO * p
    if isinstance(suff_stats, (bool, np.bool_)):
        if suff_stats and not has_face:
            raise NotSupportedError(
                f"suff_stats=True needs a Gaussian likelihood (got {type(lik).__name__}): only "
                "the Gaussian log-likelihood reduces to sufficient statistics. Use "
                "suff_stats='auto' or False.")
        return bool(suff_stats)
    raise ParameterError(f"suff_stats must be 'auto', True or False, got {suff_stats!r}.")


def build(model, X, y, sample_weight=None, suff_stats="auto") -> BuiltModel:
    """:func:`build_model` with the validated data and the facts the bridge needs."""
    check_spec(model)
    X, y, sw, names = check_X_y(X, y, sample_weight)
    n, p = X.shape
    lik = model.likelihood
    prior = model.prior.bind_data(n, p, getattr(lik, "sigma", None)).bind_features(names)
    lik.check_y(y)
    prior.check_n_coef(p)
    prior.check_likelihood(lik)
    names_given = names is not None
    names = default_names(p, names)
    weighted = sample_weight is not None and not np.all(sw == 1.0)
    use_ss = _use_suff_stats(lik, n, p, suff_stats)
    res = lik.resolved(y, sw)
    s_scale = getattr(res, "sigma_prior_scale", None) if res.free_params else None

    coords = {"feature": names}
    if not use_ss:
        coords["obs_id"] = np.arange(n)
    with pm.Model(coords=coords) as pm_model:
        params = res.pymc_params()
        intercept = pm.Flat("intercept") if model.fit_intercept else 0.0
        coef = prior.to_pymc("coef", dims="feature", sigma=params.get("sigma"))
        if use_ss:
            ss = SuffStats.from_rows(X, y, sw, fit_intercept=True)
            data = {k: pm.Data(name, getattr(ss, k)) for k, name in SUFF_STATS_DATA.items()}
            pm.Potential("loglik", res.pymc_suffstats_loglik(data, coef, intercept, params))
        else:
            Xd = X.toarray() if sp.issparse(X) else X
            X_data = pm.Data("X", Xd, dims=("obs_id", "feature"))
            y_data = pm.Data("y_data", y, dims="obs_id")
            eta = intercept + pt.dot(X_data, coef)
            if weighted:
                sw_data = pm.Data("sample_weight", sw, dims="obs_id")
                pm.Potential("loglik", pt.sum(sw_data * res.pymc_loglik(y_data, eta, params)))
            else:
                res.pymc_observe("y", eta, y_data, params, dims="obs_id")
    return BuiltModel(pm_model=pm_model, X=X, y=y, sw=sw, weighted=weighted, feature_names=names,
                      suff_stats=use_ss, sigma_prior_scale=s_scale, likelihood=res,
                      names_given=names_given)


def build_model(model, X, y, sample_weight=None, suff_stats="auto") -> pm.Model:
    """The bayesreg model as a ``pymc.Model`` with the identical log density.

    Variables: ``intercept`` (``pm.Flat``, only when ``fit_intercept``), ``coef`` (the prior's
    PyMC form, dims ``"feature"`` with the feature names as coords), ``sigma``
    (``pm.HalfNormal(sigma_prior_scale)``, only for ``Gaussian(sigma=None)``; the scale is
    resolved from ``y`` exactly as the MAP solver does), ``lam2`` (BayesianLasso hyperprior only)
    and the likelihood:

    * Gaussian, ``suff_stats`` chosen: ``pm.Potential("loglik", ...)`` computed from the
      centered weighted sufficient statistics (``pm.Data`` ``XtWX``, ``XtWy``, ``yWy``, ``W``,
      ``xbar``, ``ybar``); exact (see :mod:`bayesreg.suffstats`), O(p^2) per gradient.
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
    return build(model, X, y, sample_weight, suff_stats).pm_model


def model_point(pm_model: pm.Model, result=None, *, coef=None, intercept=None, sigma=None,
                **values) -> dict[str, np.ndarray]:
    """A point (dict of *value* variables, transformed where PyMC transforms) for ``pm_model``.

    Pass a :class:`~bayesreg.MAPResult` (its free likelihood parameters included) or the
    parameters (``values``: the prior's hyperparameters or free likelihood parameters by name,
    e.g. ``lam2``, ``alpha``, ``nu``). ``sigma`` becomes ``sigma_log__``, so
    ``pm_model.compile_logp(jacobian=False)(model_point(pm_model, res))`` equals
    ``res.log_posterior``.
    """
    free = {}
    if result is not None:
        coef, intercept, sigma = result.coef, result.intercept, result.sigma
        free = dict(getattr(result, "free", {}) or {})  # e.g. a NegativeBinomial's alpha
    vals = {"coef": coef, "intercept": intercept, "sigma": sigma, **free, **values}
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
