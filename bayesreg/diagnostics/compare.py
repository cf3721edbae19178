"""Point estimate vs posterior: where the MAP sits inside the full posterior, per coefficient."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._errors import DataError, ParameterError
from ._common import (
    COEF_VAR,
    SAMPLE_DIMS,
    check_prob,
    coef_draws,
    feature_labels,
    has_group,
    posterior,
)

__all__ = ["compare", "default_zero_tol", "least_squares", "ROPE_FRACTION"]

#: Fraction of the latent-scale sd used for the default "practically zero" tolerance
#: (Kruschke's region of practical equivalence for regression slopes: +-0.1 sd(y) / sd(x_j)).
ROPE_FRACTION = 0.1

COLUMNS = ["kind", "map", "mean", "median", "sd", "hdi_low", "hdi_high", "map_in_hdi",
           "zero_tol", "p_near_zero", "ls", "shrinkage_map", "shrinkage_mean", "r_hat",
           "ess_bulk", "ess_tail", "mcse_mean"]
#: the columns that need a MAP: absent from ``compare(idata, fit=None)``
MAP_COLUMNS = ("map", "map_in_hdi", "shrinkage_map")


def _latent_sd(likelihood: Any, y: np.ndarray | None) -> tuple[float | None, str]:
    """sd of the response on the linear-predictor scale (``Likelihood.latent_scale``)."""
    return likelihood.latent_scale(y)


def default_zero_tol(fit: Any, X: Any = None, y: Any = None, coef_mean: np.ndarray | None = None
                     ) -> tuple[np.ndarray, str]:
    """The default per-coefficient tolerance of "practically zero" and a description of the rule.

    With the data: ``zero_tol_j = 0.1 * s / sd(x_j)`` where ``s`` is the response's sd on the
    linear-predictor scale (``sd(y)`` for Gaussian; ``pi / sqrt(3)``, the sd of the standard
    logistic, for Bernoulli; 1 for Poisson's log rate). A coefficient below it moves the linear
    predictor by less than a tenth of the response's spread when ``x_j`` moves by one sd:
    Kruschke's region of practical equivalence (ROPE) for regression slopes, in each
    coefficient's own units. Constant columns use ``sd(x_j) = 1``.

    Without ``X``: ``0.1 * max_j |E[w_j | y]|`` (a tenth of the largest posterior mean effect).

    ``fit`` may be None (a prior without a finite mode): the likelihood, which sets ``s``, is
    then unknown and the posterior-mean rule is used (``coef_mean`` is required).
    :func:`compare` without a fit takes the likelihood from the posterior's ``bayesreg_model``
    attribute instead, so it keeps the data rule.
    """
    return _zero_tol(None if fit is None else fit.likelihood, X, y, coef_mean)


def _zero_tol(likelihood: Any, X: Any, y: Any, coef_mean: np.ndarray | None
              ) -> tuple[np.ndarray, str]:
    if likelihood is not None and X is not None:
        s, s_rule = _latent_sd(likelihood, None if y is None else np.asarray(y, dtype=float))
        if s is not None:
            Xd = X.toarray() if hasattr(X, "toarray") else np.asarray(X, dtype=float)
            sdx = np.std(Xd, axis=0)
            sdx = np.where(sdx > 0, sdx, 1.0)
            return (ROPE_FRACTION * s / sdx,
                    f"{ROPE_FRACTION} * {s_rule} / sd(x_j) (region of practical equivalence)")
    if coef_mean is None or not np.any(coef_mean != 0):
        raise DataError("cannot choose a default zero_tol without X (or posterior draws): pass "
                        "zero_tol=<float> or X=..., y=... to compare().")
    tol = ROPE_FRACTION * float(np.max(np.abs(coef_mean)))
    why = "X not given" if X is None or likelihood is not None else "likelihood unknown"
    return np.full(len(coef_mean), tol), f"{ROPE_FRACTION} * max_j |posterior mean_j| ({why})"


def _model_of(idata: Any):
    """(likelihood, fit_intercept) of the model that drew ``idata`` (its ``bayesreg_model``
    attribute), or (None, whether the posterior has an intercept) when it is not recorded."""
    from .._errors import BayesregError
    from ..spec import ModelSpec

    try:
        spec = ModelSpec.from_idata(idata)
    except (BayesregError, KeyError, TypeError, ValueError):
        return None, "intercept" in posterior(idata).data_vars
    return spec.likelihood, spec.fit_intercept


def least_squares(X: Any, y: Any, fit_intercept: bool = True) -> tuple[np.ndarray, float] | None:
    """Ordinary least-squares ``(coef, intercept)`` minimizing ``||y - b - X w||^2``, or None when
    ``X`` (with the intercept column) is rank deficient, so the estimate is not unique."""
    Xd = X.toarray() if hasattr(X, "toarray") else np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    A = np.column_stack([np.ones(Xd.shape[0]), Xd]) if fit_intercept else Xd
    if A.shape[0] < A.shape[1] or np.linalg.matrix_rank(A) < A.shape[1]:
        return None
    beta = np.linalg.lstsq(A, y, rcond=None)[0]
    if fit_intercept:
        return beta[1:], float(beta[0])
    return beta, 0.0


def _data_from_idata(idata: Any, X: Any, y: Any):
    """Fill X / y from the DataTree's constant_data / observed_data groups when not given."""
    if y is None and has_group(idata, "observed_data"):
        obs = idata["observed_data"]
        if "y" in obs.data_vars:
            y = np.asarray(obs["y"].values, dtype=float)
    if X is None and has_group(idata, "constant_data"):
        cd = idata["constant_data"]
        if "X" in cd.data_vars and cd["X"].ndim == 2:
            X = np.asarray(cd["X"].values, dtype=float)
    return X, y


def compare(idata: Any, fit: Any = None, hdi_prob: float = 0.94, zero_tol: Any = None, *,
            X: Any = None, y: Any = None, ls_coef: Any = None, extra_rows: bool = False):
    """Table of the MAP next to the posterior, one row per coefficient.

    Every posterior statistic is ArviZ's own: ``arviz.summary(idata, ci_kind="hdi",
    ci_prob=hdi_prob, round_to="none")`` for mean, sd, HDI, R-hat, ESS and MCSE, and
    ``arviz.median`` for the median.

    Parameters
    ----------
    idata : xarray.DataTree
        Posterior draws (``model.sample``): posterior variables ``coef`` (chain, draw, feature),
        ``intercept`` and ``sigma`` (when estimated).
    fit : MAPResult, optional
        The posterior mode of the same model on the same data (``model.map(X, y)``). None (a
        prior without a finite mode, e.g. ``BayesianLasso``, or no MAP at hand): the table has
        the posterior columns only, the MAP columns ``map``, ``map_in_hdi`` and
        ``shrinkage_map`` are absent (not NaN), and the likelihood / intercept used for the
        defaults come from the posterior's ``bayesreg_model`` attribute (``model.sample``
        writes it).
    hdi_prob : float, default 0.94
        Probability mass of the highest-density interval.
    zero_tol : float or array of shape (n_features,), optional
        "Practically zero" tolerance: ``p_near_zero = P(|w_j| < zero_tol_j | y)``, the fraction
        of draws within it. Default (see :func:`default_zero_tol`): ``0.1 * s / sd(x_j)`` with
        ``s`` the response sd on the linear-predictor scale (sd(y) for Gaussian), Kruschke's
        region of practical equivalence; without ``X``, ``0.1 * max_j |posterior mean_j|``.
        The rule used is stored in ``table.attrs["zero_tol_rule"]``.
    X, y : array-like, optional
        The data the model was fitted on; used for the default ``zero_tol`` and the least-squares
        reference. Taken from the DataTree's ``constant_data["X"]`` / ``observed_data["y"]`` when
        present and not given.
    ls_coef : array of shape (n_features,), optional
        Reference unpenalized estimate. By default the ordinary least-squares fit of ``y`` on
        ``X`` (with an intercept if the fit has one) for a Gaussian likelihood when ``X`` has full
        column rank; otherwise no reference (NaN shrinkage).
    extra_rows : bool, default False
        Append rows for ``intercept`` and ``sigma`` (labelled ``"(intercept)"``, ``"(sigma)"``,
        ``kind`` column ``"intercept"`` / ``"sigma"``); their zero and shrinkage columns are NaN.

    Returns
    -------
    pandas.DataFrame
        Index: feature names (``param``). Columns: ``kind`` ("coef"), ``map``, ``mean``,
        ``median``, ``sd``, ``hdi_low``, ``hdi_high`` (ArviZ HDI of mass ``hdi_prob``),
        ``map_in_hdi``, ``zero_tol``, ``p_near_zero``, ``ls`` (reference estimate),
        ``shrinkage_map = 1 - map / ls`` and ``shrinkage_mean = 1 - mean / ls`` (0: none,
        1: shrunk to zero; NaN without a reference), ``r_hat`` (rank-normalized split R-hat),
        ``ess_bulk``, ``ess_tail``, ``mcse_mean``. Without ``fit``: the same minus ``map``,
        ``map_in_hdi`` and ``shrinkage_map``.
    """
    import arviz as az
    import pandas as pd

    hdi_prob = check_prob(hdi_prob, "hdi_prob")
    names = feature_labels(idata, fit)
    p = len(names)
    draws = coef_draws(idata)
    ds = posterior(idata)
    if (X is None) != (y is None):
        raise DataError("pass both X and y (the data the model was fitted on), or neither.")
    X, y = _data_from_idata(idata, X, y)
    if fit is not None:
        likelihood, fit_intercept = fit.likelihood, fit.fit_intercept
    else:
        likelihood, fit_intercept = _model_of(idata)
    if X is None or y is None:  # e.g. y in observed_data but no X: no data-scale reference
        X = y = None
    else:
        from .._validation import check_X_y

        X, y, _, _ = check_X_y(X, y)
        if X.shape[1] != p:
            raise DataError(f"X has {X.shape[1]} columns but the posterior has {p} coefficients.")

    var_names = [COEF_VAR] + ([v for v in ("intercept", "sigma") if v in ds.data_vars]
                              if extra_rows else [])
    summ = az.summary(idata, var_names=var_names, fmt="xarray", round_to="none", ci_kind="hdi",
                      ci_prob=hdi_prob)
    med = az.median(idata, var_names=var_names, round_to="none")
    lb, ub = [str(v) for v in summ["summary"].values[2:4]]

    def stat(var, key):
        return np.asarray(summ[var].sel(summary=key).values, dtype=float)

    mean = stat(COEF_VAR, "mean")
    # zero tolerance
    if zero_tol is None:
        tol, rule = _zero_tol(likelihood, X, y, coef_mean=mean)
    else:
        tol = np.asarray(zero_tol, dtype=float)
        if tol.ndim == 0:
            tol = np.full(p, float(tol))
        if tol.shape != (p,) or np.any(~np.isfinite(tol)) or np.any(tol <= 0):
            raise ParameterError(f"zero_tol must be a positive float or {p} positive floats (one "
                                 f"per coefficient), got {zero_tol!r}.")
        rule = "user-given"
    w = np.asarray(draws.transpose(*SAMPLE_DIMS, ...).values, dtype=float)
    p_near_zero = np.mean(np.abs(w) < tol, axis=(0, 1))
    # least-squares reference
    ls_int = np.nan
    if ls_coef is not None:
        ls = np.asarray(ls_coef, dtype=float)
        if ls.shape != (p,):
            raise ParameterError(f"ls_coef must have shape ({p},), got {ls.shape}.")
        ls_rule = "user-given"
    else:
        ls, ls_rule = np.full(p, np.nan), "none"
        if X is not None and hasattr(likelihood, "quadratic_weight"):
            res = least_squares(X, y, fit_intercept)
            if res is not None:
                ls, ls_int = res
                ls_rule = "ordinary least squares"
            else:
                ls_rule = "none (X rank deficient: least squares not unique)"
    coef_map = np.full(p, np.nan) if fit is None else np.asarray(fit.coef, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        shrink_map = np.where(ls != 0, 1.0 - coef_map / ls, np.nan)
        shrink_mean = np.where(ls != 0, 1.0 - mean / ls, np.nan)

    table = pd.DataFrame({
        "kind": "coef",
        "map": coef_map,
        "mean": mean,
        "median": np.asarray(med[COEF_VAR].values, dtype=float),
        "sd": stat(COEF_VAR, "sd"),
        "hdi_low": stat(COEF_VAR, lb),
        "hdi_high": stat(COEF_VAR, ub),
        "zero_tol": tol,
        "p_near_zero": p_near_zero,
        "ls": ls,
        "shrinkage_map": shrink_map,
        "shrinkage_mean": shrink_mean,
        "r_hat": stat(COEF_VAR, "r_hat"),
        "ess_bulk": stat(COEF_VAR, "ess_bulk"),
        "ess_tail": stat(COEF_VAR, "ess_tail"),
        "mcse_mean": stat(COEF_VAR, "mcse_mean"),
    }, index=pd.Index(names, name="param"))
    if extra_rows:
        extras = []
        points = (None, None) if fit is None else (fit.intercept, fit.sigma)
        for var, point in zip(("intercept", "sigma"), points):
            if var not in var_names:
                continue
            extras.append(pd.DataFrame({
                "kind": var, "map": np.nan if point is None else float(point),
                "mean": stat(var, "mean"), "median": float(med[var].values), "sd": stat(var, "sd"),
                "hdi_low": stat(var, lb), "hdi_high": stat(var, ub), "zero_tol": np.nan,
                "p_near_zero": np.nan, "ls": ls_int if var == "intercept" else np.nan,
                "shrinkage_map": np.nan, "shrinkage_mean": np.nan, "r_hat": stat(var, "r_hat"),
                "ess_bulk": stat(var, "ess_bulk"), "ess_tail": stat(var, "ess_tail"),
                "mcse_mean": stat(var, "mcse_mean")}, index=pd.Index([f"({var})"], name="param")))
        table = pd.concat([table, *extras])
    table["map_in_hdi"] = (table["map"] >= table["hdi_low"]) & (table["map"] <= table["hdi_high"])
    table = table[COLUMNS if fit is not None else [c for c in COLUMNS if c not in MAP_COLUMNS]]
    table.attrs.update({"hdi_prob": hdi_prob, "zero_tol_rule": rule, "ls_rule": ls_rule})
    return table
