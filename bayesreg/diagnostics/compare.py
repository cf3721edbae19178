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

__all__ = ["compare", "default_zero_tol", "latent_scale", "least_squares", "max_likelihood", "ROPE_FRACTION",
           "ZERO_TOL_RULE"]

#: Fraction of the latent-scale sd used for the default "practically zero" tolerance
#: (Kruschke's region of practical equivalence for regression slopes: +-0.1 sd(y) / sd(x_j)).
ROPE_FRACTION = 0.1

#: What the one default rule of "practically zero", ``zero_tol_j = 0.1 * s / sd(x_j)``, means
#: (``table.attrs["zero_tol_rule"]`` is ``"zero_tol_j = 0.1 * <s> / sd(x_j) (<s> = <value>[;
#: <why>]): "`` followed by this).
ZERO_TOL_RULE = (f"a change of {ROPE_FRACTION} latent-scale units of the linear predictor across "
                 "one sd of x_j (region of practical equivalence; sd(x_j) = 1 for a constant "
                 "column)")

COLUMNS = ["kind", "map", "mean", "median", "sd", "hdi_low", "hdi_high", "map_in_hdi",
           "zero_tol", "p_near_zero", "p_sign", "delta", "p_within_delta", "pip", "kappa", "ls",
           "shrinkage_map", "shrinkage_mean", "r_hat", "ess_bulk", "ess_tail", "mcse_mean"]
#: the columns that need a MAP: absent from ``compare(idata, fit=None)``
MAP_COLUMNS = ("map", "map_in_hdi", "shrinkage_map")
#: the columns that need a reference estimate: absent when there is none
REFERENCE_COLUMNS = ("ls", "shrinkage_map", "shrinkage_mean")
#: the columns of the zero tolerance: absent when it cannot be set (no sd(x_j), no likelihood)
ZERO_COLUMNS = ("zero_tol", "p_near_zero")
#: the columns of a user ``delta`` (absent without one)
DELTA_COLUMNS = ("delta", "p_within_delta")


def latent_scale(likelihood: Any, y: np.ndarray | None) -> tuple[float | None, str]:
    """``s``, the spread of one observation on the linear-predictor scale, and its description.

    * Gaussian (identity link): ``sd(y)`` (the ``latent_scale`` face);
    * Bernoulli (logit link): ``pi / sqrt(3)`` = 1.814, the sd of the standard logistic, i.e. of
      the latent ``y* = eta + logistic noise`` (the ``latent_scale`` face);
    * Poisson (log link): ``sqrt(log(1 + 1 / mean(y)))``, the observation-level sd on the
      log-rate scale (the lognormal approximation ``Var(log y) ~ log(1 + Var y / E[y]^2)`` with
      ``Var y = E[y]``; Nakagawa, Johnson & Schielzeth 2017, the Poisson counterpart of the
      logistic ``pi^2 / 3``). It shrinks as counts grow: with ``mean(y) = 10`` it is 0.31, so
      0.1 s = 0.031 is a 3% change of the rate across one sd of ``x_j``; a fixed scale 1 (a 10%
      change) would call a well-determined 9% effect "practically zero" (the Poisson
      ``latent_scale`` face);
    * any other likelihood: its ``latent_scale`` face.

    ``y`` is None: None for the scales that need it.
    """
    return likelihood.latent_scale(y)


def default_zero_tol(fit: Any, X: Any = None, y: Any = None, *, x_sd: Any = None
                     ) -> tuple[np.ndarray, str]:
    """The default per-coefficient tolerance of "practically zero" and the rule's text.

    ``zero_tol_j = 0.1 * s / sd(x_j)`` (see :data:`ZERO_TOL_RULE`), ``s`` the spread of one
    observation on the linear-predictor scale (:func:`latent_scale`: ``sd(y)`` Gaussian,
    ``pi / sqrt(3)`` Bernoulli, ``sqrt(log(1 + 1 / mean(y)))`` Poisson) and ``sd(x_j)`` the
    population sd of column j (1 for a constant column). A coefficient below it moves the linear
    predictor by less than a tenth of one observation's spread when ``x_j`` moves by one sd:
    Kruschke's region of practical equivalence (ROPE) for regression slopes, in each
    coefficient's own units.

    ``fit``: a MAPResult or a Likelihood. ``x_sd`` (the per-column sds, e.g.
    ``idata["constant_data"]["x_sd"]``, which ``model.sample`` stores) replaces ``X``. Raises
    DataError when neither is given, or the likelihood's scale needs ``y`` and it is missing.
    """
    likelihood = getattr(fit, "likelihood", fit)
    if x_sd is None and X is not None:
        from ..samplers.datatree import column_sd

        x_sd = column_sd(X)
    out = _zero_tol(likelihood, x_sd, None if y is None else np.asarray(y, dtype=float))
    if out is None:
        raise DataError("cannot set the default zero_tol: it needs the likelihood (fit=...), "
                        "sd(x_j) (X=... or x_sd=...) and, for Gaussian / Poisson, y; or pass "
                        "zero_tol=<float>.")
    return out


def _zero_tol(likelihood: Any, x_sd: np.ndarray | None, y: np.ndarray | None,
              stored: tuple[float, str] | None = None) -> tuple[np.ndarray, str] | None:
    if likelihood is None or x_sd is None:
        return None
    s, s_rule = stored if (y is None and stored is not None) else latent_scale(likelihood, y)
    if s is None:
        return None
    sdx = np.asarray(x_sd, dtype=float)
    sdx = np.where(sdx > 0, sdx, 1.0)
    expr, _, why = s_rule.partition(" (")
    why = f"; {why[:-1]}" if why.endswith(")") else ""
    return ROPE_FRACTION * s / sdx, (f"zero_tol_j = {ROPE_FRACTION} * {expr} / sd(x_j) ({expr} = "
                                     f"{s:.4g}{why}): {ZERO_TOL_RULE}")


def _prior_of(idata: Any, fit: Any):
    """The prior of the model that drew ``idata`` (its ``bayesreg_model`` attribute), else the
    fit's (None when neither is known). The posterior's own prior comes first: a sparse
    posterior compared with the lasso MAP of the same data (``compare(hs_idata, lasso_fit)``)
    keeps its inclusion probabilities and shrinkage factors."""
    from .._errors import BayesregError
    from ..spec import ModelSpec

    try:
        return ModelSpec.from_idata(idata).prior
    except (BayesregError, KeyError, TypeError, ValueError):
        return None if fit is None else fit.prior


def _inclusion(idata: Any, fit: Any, p: int) -> np.ndarray | None:
    """Posterior inclusion probabilities: the mean of the prior's 0/1 inclusion variable
    (``Prior.inclusion_variable``) over the draws, when the prior has one and it was stored."""
    prior = _prior_of(idata, fit)
    var = getattr(prior, "inclusion_variable", None)
    ds = posterior(idata)
    if var is None or var not in ds.data_vars:
        return None
    da = ds[var]
    if da.ndim != 3:
        return None
    z = np.asarray(da.transpose(*SAMPLE_DIMS, ...).values, dtype=float)
    return z.mean(axis=(0, 1)) if z.shape[-1] == p else None


def _shrinkage(idata: Any, fit: Any, X: Any, y: Any, p: int, hdi_prob: float):
    """(posterior mean of kappa_j, m_eff summary) of :func:`shrinkage_factors`, or (None, None)
    when the prior has no conditional variances in the posterior (penalized priors)."""
    from .._errors import BayesregError
    from .shrinkage import shrinkage_factors

    prior = _prior_of(idata, fit)
    if prior is None or not getattr(prior, "hyper_names", ()):
        return None, None
    lik = fit.likelihood if fit is not None and fit.prior == prior else None
    try:
        sf = shrinkage_factors(idata, X, y, prior=prior, likelihood=lik)
    except (BayesregError, KeyError, TypeError, ValueError):
        return None, None
    if sf.kappa.shape[-1] != p:
        return None, None
    return sf.kappa_mean, sf.m_eff_summary(hdi_prob)


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


def max_likelihood(likelihood: Any, X: Any, y: Any, fit_intercept: bool = True,
                   max_iter: int = 100) -> tuple[np.ndarray, float] | None:
    """The unpenalized maximum-likelihood ``(coef, intercept)`` of a GLM likelihood (Newton's
    method with a backtracking line search on the likelihood's ``datafit`` / ``gradient`` /
    ``curvature`` faces, unit weights), or None when it does not exist or is not unique (rank
    deficient ``X``; separable classes, where the estimate runs off to infinity)."""
    Xd = X.toarray() if hasattr(X, "toarray") else np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    n = Xd.shape[0]
    A = np.column_stack([np.ones(n), Xd]) if fit_intercept else Xd
    if A.shape[0] < A.shape[1] or np.linalg.matrix_rank(A) < A.shape[1]:
        return None
    sw = np.ones(n)
    beta = np.zeros(A.shape[1])
    if fit_intercept:
        beta[0] = likelihood.null_eta(y, sw, True)
    eta = A @ beta
    f = likelihood.datafit(y, eta, sw)
    h0 = None
    for _ in range(max_iter):
        g = A.T @ likelihood.gradient(y, eta, sw)
        H = A.T @ (A * likelihood.curvature(y, eta, sw)[:, None])
        if h0 is None:
            h0 = float(np.linalg.eigvalsh(H)[-1])
        try:
            step = np.linalg.solve(H, g)
        except np.linalg.LinAlgError:
            return None
        if not np.all(np.isfinite(step)):
            return None
        if np.max(np.abs(step)) <= 1e-10 * (1.0 + np.max(np.abs(beta))):
            # a finite maximum has curvature like the start's; at infinity it vanishes
            if not float(np.linalg.eigvalsh(H)[0]) > 1e-8 * h0:
                return None
            return (beta[1:], float(beta[0])) if fit_intercept else (beta, 0.0)
        t, dec = 1.0, float(g @ step)
        while True:
            b_new = beta - t * step
            eta_new = A @ b_new
            f_new = likelihood.datafit(y, eta_new, sw)
            if f_new <= f - 1e-4 * t * dec or t < 1e-10:
                break
            t *= 0.5
        beta, eta, f = b_new, eta_new, f_new
    return None  # no convergence: the maximum is at infinity (separation) or ill-posed


def _reference(likelihood: Any, X: Any, y: Any, fit_intercept: bool):
    """(coef, intercept, rule) of the unpenalized reference estimate, coef None without one."""
    if X is None:
        return None, np.nan, "no reference estimate (X not given)"
    if likelihood is None:
        return None, np.nan, ("no reference estimate (the likelihood is unknown: no fit and no "
                              "bayesreg_model attribute)")
    if hasattr(likelihood, "quadratic_weight"):
        res = least_squares(X, y, fit_intercept)
        if res is None:
            return None, np.nan, "no reference estimate (X is rank deficient: least squares is not unique)"
        return res[0], res[1], "ordinary least squares"
    res = max_likelihood(likelihood, X, y, fit_intercept)
    if res is None:
        return None, np.nan, ("no reference estimate (the unpenalized maximum-likelihood "
                              "estimate does not exist or is not unique: rank-deficient X or "
                              "separable classes)")
    return res[0], res[1], "unpenalized maximum likelihood"


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


def _stored_x_sd(idata: Any, p: int) -> np.ndarray | None:
    """The per-coefficient ``sd(x_j)`` model.sample stores (``constant_data["x_sd"]``)."""
    if has_group(idata, "constant_data") and "x_sd" in idata["constant_data"].data_vars:
        sd = np.asarray(idata["constant_data"]["x_sd"].values, dtype=float)
        if sd.shape == (p,):
            return sd
    return None


def compare(idata: Any, fit: Any = None, hdi_prob: float = 0.94, zero_tol: Any = None, *,
            X: Any = None, y: Any = None, ls_coef: Any = None, extra_rows: bool = False,
            delta: Any = None, terms: Any = None):
    """Table of the MAP next to the posterior, one row per coefficient (or, with ``terms``,
    one row per formula term).

    Every posterior statistic is ArviZ's own: ``arviz.summary(idata, ci_kind="hdi",
    ci_prob=hdi_prob, round_to="none")`` for mean, sd, HDI, R-hat, ESS and MCSE, and
    ``arviz.median`` for the median.

    Parameters
    ----------
    idata : xarray.DataTree
        Posterior draws (``model.sample``): posterior variables ``coef`` (chain, draw, feature),
        ``intercept`` and ``sigma`` (when estimated).
    fit : MAPResult, optional
        The posterior mode of the same model on the same data (``model.map(X, y)``), or of
        another model on the same data: a sparse prior's posterior (no mode of its own) next to
        the lasso MAP, ``compare(horseshoe_idata, laplace_model.map(X, y))``, answers where the
        sparse mode agrees with the sparse posterior. None (a
        prior without a finite mode, e.g. ``BayesianLasso``, or no MAP at hand): the table has
        the posterior columns only, the MAP columns ``map``, ``map_in_hdi`` and
        ``shrinkage_map`` are absent (not NaN), and the likelihood / intercept used for the
        defaults come from the posterior's ``bayesreg_model`` attribute (``model.sample``
        writes it).
    hdi_prob : float, default 0.94
        Probability mass of the highest-density interval.
    zero_tol : float or array of shape (n_features,), optional
        "Practically zero" tolerance: ``p_near_zero = P(|w_j| < zero_tol_j | y)``, the fraction
        of draws within it. Default, one rule everywhere (:func:`default_zero_tol`):
        ``0.1 * s / sd(x_j)``, a change of 0.1 latent-scale units of the linear predictor across
        one sd of ``x_j``, with ``s`` from :func:`latent_scale` (``sd(y)`` Gaussian,
        ``pi / sqrt(3)`` Bernoulli, ``sqrt(log(1 + 1 / mean(y)))`` Poisson). ``sd(x_j)`` comes
        from ``X`` or, without it, from the ``constant_data["x_sd"]`` that ``model.sample``
        stores, and ``s`` from ``y`` or, without it, from the stored
        ``constant_data["latent_scale"]`` (also stored by a Dask ``sample``), so a posterior read
        back from a file gives the same numbers. Without sd(x_j)
        the ``zero_tol`` / ``p_near_zero`` columns are absent; with it but without a known
        likelihood (no fit, no ``bayesreg_model`` attribute) they are NaN. The rule (with
        ``s``), or why there is none, is ``table.attrs["zero_tol_rule"]``.
    X, y : array-like, optional
        The data the model was fitted on; used for the default ``zero_tol`` and the least-squares
        reference. Taken from the DataTree's ``constant_data["X"]`` / ``observed_data["y"]`` when
        present and not given.
    ls_coef : array of shape (n_features,), optional
        Reference unpenalized estimate. By default, with ``X``: ordinary least squares for a
        Gaussian likelihood, the unpenalized maximum likelihood (:func:`max_likelihood`) for
        the others (with an intercept if the fit has one). Without ``X`` the ``ls`` /
        ``shrinkage_*`` columns are absent; with ``X`` but no reference (rank-deficient ``X``,
        separable classes, unknown likelihood) they are NaN. ``table.attrs["ls_rule"]`` says
        which reference was used, or why there is none.
    delta : float or array of shape (n_features,), optional
        A region of practical equivalence in coefficient units chosen by the user: adds the
        columns ``delta`` and ``p_within_delta = P(|w_j| < delta_j | y)`` (fraction of draws).
        Unlike ``zero_tol`` (which has a data-scaled default), without ``delta`` the two columns
        are absent.
    extra_rows : bool, default False
        Append rows for ``intercept`` and ``sigma`` (labelled ``"(intercept)"``, ``"(sigma)"``,
        ``kind`` column ``"intercept"`` / ``"sigma"``); their zero and shrinkage columns are NaN.
    terms : dict of str -> list of str, or FormulaModel, optional
        Report one row per term instead of one per coefficient: ``FormulaModel.terms`` (term ->
        its design columns; a ``FormulaModel`` itself is accepted), so that the dummy columns
        of a categorical term ``C(region)`` are summarized together. Every coefficient must be
        in exactly one term. For a term ``g`` with coefficients ``w_g`` the row holds
        ``n_columns``; ``map_norm = ||w_g^MAP||_2`` (with ``fit``; 0 when the mode drops the
        whole term, as the group lasso ``GroupLaplace(groups="terms")`` does); the posterior
        of the norm ``||w_g||_2``: ``norm_mean``, ``norm_median``, ``norm_sd``,
        ``norm_hdi_low`` / ``norm_hdi_high`` (ArviZ HDI of mass ``hdi_prob``), ``r_hat``,
        ``ess_bulk``, ``ess_tail``; and ``p_near_zero = P(|w_j| < zero_tol_j for every j in g
        | y)``, the fraction of draws in which the whole term is practically zero (the same
        ``zero_tol`` as the per-coefficient table; absent when it cannot be set).
        ``attrs``: ``hdi_prob``, ``zero_tol_rule``.

    Returns
    -------
    pandas.DataFrame
        Index: feature names (``param``). Columns: ``kind`` ("coef"), ``map``, ``mean``,
        ``median``, ``sd``, ``hdi_low``, ``hdi_high`` (ArviZ HDI of mass ``hdi_prob``),
        ``map_in_hdi``, ``zero_tol``, ``p_near_zero``, ``p_sign`` (``P(sign(w_j) =
        sign(median_j) | y)``, the fraction of draws on the median's side of 0; a median of
        exactly 0 counts the draws equal to 0), ``delta`` and ``p_within_delta`` (with ``delta``),
        ``pip`` (posterior inclusion probability: the mean of the prior's 0/1 inclusion variable,
        ``Prior.inclusion_variable``, present only for priors that have one, e.g.
        spike-and-slab), ``kappa`` (posterior mean of the shrinkage factor ``kappa_j = 1 / (1 +
        n sigma^-2 s_j^2 v_j)``, :func:`~bayesreg.shrinkage_factors`, for priors with
        hyperparameters in the posterior: the horseshoe family, R2D2, spike-and-slab),
        ``ls`` (reference estimate),
        ``shrinkage_map = 1 - map / ls`` and ``shrinkage_mean = 1 - mean / ls`` (0: none,
        1: shrunk to zero), ``r_hat`` (rank-normalized split R-hat),
        ``ess_bulk``, ``ess_tail``, ``mcse_mean``. Without ``fit``: the same minus ``map``,
        ``map_in_hdi`` and ``shrinkage_map`` (see ``zero_tol`` / ``ls_coef`` for the columns
        that are absent when they do not apply). ``attrs``: ``hdi_prob``,
        ``zero_tol_rule``, ``ls_rule`` and, with ``kappa``, ``m_eff`` (the posterior of the
        effective number of non-zero coefficients ``sum_j (1 - kappa_j)``: ``mean``, ``sd``,
        ``median``, ``low`` / ``high`` of the central interval of mass ``hdi_prob``).
    """
    import arviz as az
    import pandas as pd

    if terms is not None:
        return _term_table(idata, fit, terms, hdi_prob, zero_tol, X, y)
    hdi_prob = check_prob(hdi_prob, "hdi_prob")
    names = feature_labels(idata, fit)
    p = len(names)
    draws = coef_draws(idata)
    ds = posterior(idata)
    if (X is None) != (y is None):
        raise DataError("pass both X and y (the data the model was fitted on), or neither.")
    X, y = _data_from_idata(idata, X, y)
    x_sd_stored = _stored_x_sd(idata, p)
    if fit is not None:
        likelihood, fit_intercept = fit.likelihood, fit.fit_intercept
    else:
        likelihood, fit_intercept = _model_of(idata)
    if X is None or y is None:  # e.g. y in observed_data but no X: the stored x_sd, no reference
        X = None
        y = None if y is None else np.asarray(y, dtype=float).ravel()
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
    # zero tolerance: one rule, from X or from the x_sd model.sample stored
    if zero_tol is None:
        x_sd = None
        if X is not None:
            from ..samplers.datatree import column_sd

            x_sd = column_sd(X)
        elif x_sd_stored is not None:
            x_sd = x_sd_stored
        from ..samplers.datatree import stored_latent_scale

        out = _zero_tol(likelihood, x_sd, y, stored_latent_scale(idata))
        tol, rule = out if out is not None else (None, (
            "not available: needs sd(x_j) (X=..., or the x_sd model.sample stores), the "
            "likelihood (fit=..., or the bayesreg_model attribute) and, for Gaussian / Poisson, "
            "y (or the latent_scale model.sample stores); pass zero_tol=<float> to set it"))
    else:
        tol = np.asarray(zero_tol, dtype=float)
        if tol.ndim == 0:
            tol = np.full(p, float(tol))
        if tol.shape != (p,) or np.any(~np.isfinite(tol)) or np.any(tol <= 0):
            raise ParameterError(f"zero_tol must be a positive float or {p} positive floats (one "
                                 f"per coefficient), got {zero_tol!r}.")
        rule = "user-given"
    w = np.asarray(draws.transpose(*SAMPLE_DIMS, ...).values, dtype=float)
    p_near_zero = None if tol is None else np.mean(np.abs(w) < tol, axis=(0, 1))
    median = np.asarray(med[COEF_VAR].values, dtype=float)
    p_sign = np.mean(np.sign(w) == np.sign(median), axis=(0, 1))
    if delta is not None:
        dl = np.asarray(delta, dtype=float)
        if dl.ndim == 0:
            dl = np.full(p, float(dl))
        if dl.shape != (p,) or np.any(~np.isfinite(dl)) or np.any(dl <= 0):
            raise ParameterError(f"delta must be a positive float or {p} positive floats (one per "
                                 f"coefficient, in coefficient units), got {delta!r}.")
        p_within = np.mean(np.abs(w) < dl, axis=(0, 1))
    else:
        dl = p_within = np.full(p, np.nan)
    pip = _inclusion(idata, fit, p)
    kappa, m_eff = _shrinkage(idata, fit, X, y, p, hdi_prob)
    # reference estimate
    ls_int = np.nan
    if ls_coef is not None:
        ls = np.asarray(ls_coef, dtype=float)
        if ls.shape != (p,):
            raise ParameterError(f"ls_coef must have shape ({p},), got {ls.shape}.")
        ls_rule = "user-given"
    else:
        ls, ls_int, ls_rule = _reference(likelihood, X, y, fit_intercept)
    have_ref = ls is not None
    if not have_ref:
        ls = np.full(p, np.nan)
    coef_map = np.full(p, np.nan) if fit is None else np.asarray(fit.coef, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        shrink_map = np.where(ls != 0, 1.0 - coef_map / ls, np.nan)
        shrink_mean = np.where(ls != 0, 1.0 - mean / ls, np.nan)

    table = pd.DataFrame({
        "kind": "coef",
        "map": coef_map,
        "mean": mean,
        "median": median,
        "sd": stat(COEF_VAR, "sd"),
        "hdi_low": stat(COEF_VAR, lb),
        "hdi_high": stat(COEF_VAR, ub),
        "zero_tol": np.nan if tol is None else tol,
        "p_near_zero": np.nan if p_near_zero is None else p_near_zero,
        "p_sign": p_sign,
        "delta": dl,
        "p_within_delta": p_within,
        "pip": np.nan if pip is None else pip,
        "kappa": np.nan if kappa is None else kappa,
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
                "p_near_zero": np.nan, "p_sign": np.nan, "delta": np.nan,
                "p_within_delta": np.nan, "pip": np.nan, "kappa": np.nan,
                "ls": ls_int if var == "intercept" else np.nan,
                "shrinkage_map": np.nan, "shrinkage_mean": np.nan, "r_hat": stat(var, "r_hat"),
                "ess_bulk": stat(var, "ess_bulk"), "ess_tail": stat(var, "ess_tail"),
                "mcse_mean": stat(var, "mcse_mean")}, index=pd.Index([f"({var})"], name="param")))
        table = pd.concat([table, *extras])
    table["map_in_hdi"] = (table["map"] >= table["hdi_low"]) & (table["map"] <= table["hdi_high"])
    drop = set() if fit is not None else set(MAP_COLUMNS)
    if not have_ref and X is None:  # no data: the reference does not apply
        drop |= set(REFERENCE_COLUMNS)
    # with X but no reference (rank-deficient X, separable classes, unknown likelihood) the
    # columns stay, NaN, with ls_rule saying why: bayesreg.report reads them
    if tol is None and X is None and x_sd_stored is None:  # no data: the rule does not apply
        drop |= set(ZERO_COLUMNS)
    # with the data but no likelihood (a DataTree not made by model.sample, no fit) the zero
    # columns stay, NaN, with zero_tol_rule saying why: bayesreg.report reads them
    if delta is None:
        drop |= set(DELTA_COLUMNS)
    if pip is None:
        drop.add("pip")
    if kappa is None:
        drop.add("kappa")
    table = table[[c for c in COLUMNS if c not in drop]]
    table.attrs.update({"hdi_prob": hdi_prob, "zero_tol_rule": rule, "ls_rule": ls_rule})
    if m_eff is not None:
        table.attrs["m_eff"] = m_eff
    return table


def _resolve_terms(terms: Any, names: list[str]) -> dict[str, list[int]]:
    """``{term: [coefficient index, ...]}`` of ``terms`` (a dict term -> column names, or an
    object with ``.terms`` such as a FormulaModel), every coefficient in exactly one term."""
    from .._errors import BayesregTypeError

    terms = getattr(terms, "terms", terms)
    if not isinstance(terms, dict) or not terms:
        raise BayesregTypeError(f"terms must be a dict term -> list of column names (e.g. "
                                f"FormulaModel.terms) or a FormulaModel, got {terms!r}.")
    owner: dict[int, str] = {}
    out: dict[str, list[int]] = {}
    for t, cols in terms.items():
        cols = [cols] if isinstance(cols, str) else list(cols)
        if not cols:
            raise ParameterError(f"terms[{t!r}] is empty: every term needs a column.")
        js = []
        for c in cols:
            if str(c) not in names:
                raise ParameterError(
                    f"terms[{t!r}] names the column {c!r}, which is not a coefficient of the "
                    f"posterior (coefficients: {names[:8]}{' ...' if len(names) > 8 else ''}).")
            j = names.index(str(c))
            if j in owner:
                raise ParameterError(f"terms: the column {c!r} is in the terms {owner[j]!r} and "
                                     f"{t!r}: every coefficient is in one term.")
            owner[j] = str(t)
            js.append(j)
        out[str(t)] = js
    missing = [names[j] for j in range(len(names)) if j not in owner]
    if missing:
        raise ParameterError(f"terms leaves the coefficients {missing[:8]} out: put every "
                             "coefficient in one term (FormulaModel.terms does).")
    return out


def _term_table(idata: Any, fit: Any, terms: Any, hdi_prob: float, zero_tol: Any, X: Any,
                y: Any):
    """``compare(..., terms=...)``: one row per term (see :func:`compare`)."""
    import arviz as az
    import pandas as pd
    import xarray as xr

    coef_table = compare(idata, fit, hdi_prob, zero_tol, X=X, y=y)
    names = [str(c) for c in coef_table.index]
    groups = _resolve_terms(terms, names)
    w = np.asarray(coef_draws(idata).transpose(*SAMPLE_DIMS, ...).values, dtype=float)
    labels = list(groups)
    norms = np.stack([np.linalg.norm(w[..., js], axis=-1) for js in groups.values()], axis=-1)
    tree = xr.DataTree.from_dict({"posterior": xr.Dataset(
        {"norm": (("chain", "draw", "term"), norms)}, coords={"term": labels})})
    summ = az.summary(tree, fmt="xarray", round_to="none", ci_kind="hdi", ci_prob=hdi_prob)
    lb, ub = [str(v) for v in summ["summary"].values[2:4]]

    def stat(key):
        return np.asarray(summ["norm"].sel(summary=key).values, dtype=float)

    table = pd.DataFrame({
        "n_columns": [len(js) for js in groups.values()],
        "map_norm": (np.nan if fit is None else
                     [float(np.linalg.norm(np.asarray(fit.coef, dtype=float)[js]))
                      for js in groups.values()]),
        "norm_mean": stat("mean"), "norm_median": np.median(norms, axis=(0, 1)),
        "norm_sd": stat("sd"), "norm_hdi_low": stat(lb), "norm_hdi_high": stat(ub),
        "r_hat": stat("r_hat"), "ess_bulk": stat("ess_bulk"), "ess_tail": stat("ess_tail"),
    }, index=pd.Index(labels, name="term"))
    if "zero_tol" in coef_table.columns:
        tol = coef_table["zero_tol"].to_numpy(dtype=float)
        near = np.abs(w) < tol
        table.insert(7, "p_near_zero", [float(np.mean(np.all(near[..., js], axis=-1)))
                                        if np.all(np.isfinite(tol[js])) else np.nan
                                        for js in groups.values()])
    if fit is None:
        table = table.drop(columns="map_norm")
    table.attrs.update({"hdi_prob": coef_table.attrs["hdi_prob"],
                        "zero_tol_rule": coef_table.attrs["zero_tol_rule"]})
    return table
