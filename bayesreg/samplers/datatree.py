"""One DataTree builder for every sampler, the pointwise log-likelihood, and posterior
predictive draws.

Every posterior bayesreg returns has the same layout, whichever sampler drew it:

* ``posterior``: ``intercept`` (when fitted), ``coef`` (dims ``chain, draw, feature``, coords =
  feature names), the likelihood's free parameters (``sigma`` when estimated) and the prior's
  hyperparameters (``Prior.hyper_names``, e.g. ``lam2``);
* ``sample_stats``: the sampler's own;
* ``observed_data``: ``y`` (dim ``obs_id``); ``constant_data``: ``sample_weight`` when weighted
  and ``x_sd`` (dim ``feature``: the population sd of each column of X, :func:`column_sd`, what
  :func:`bayesreg.diagnostics.compare` needs for its "practically zero" rule without X);
* ``log_likelihood`` (unless ``log_likelihood=False``; :func:`add_log_likelihood` adds it
  later): ``y`` = ``sw_i log p(y_i | ...)`` per draw (for ``az.loo``);
* ``attrs`` (root and posterior): ``bayesreg_model`` (``json.dumps(model.to_dict())``),
  ``feature_names`` (JSON list), ``feature_names_given`` (1 when they are a DataFrame's
  columns), ``sampler``, ``suff_stats``, ``sigma_prior_scale`` (resolved HalfNormal scale, when
  sigma is estimated).
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from .._errors import DataError, ParameterError
from .._validation import check_X_columns

__all__ = ["build_tree", "pointwise_loglik", "predict_posterior", "model_variables", "column_sd",
           "add_log_likelihood", "store_x_sd"]


def model_variables(model) -> list[str]:
    """The posterior variables of ``model``: intercept, coef, free parameters, hyperparameters."""
    names = ["intercept"] if model.fit_intercept else []
    return names + ["coef", *model.likelihood.free_params, *model.prior.hyper_names]


def column_sd(X) -> np.ndarray:
    """Population sd of every column of ``X`` (dense or scipy.sparse, never densified)."""
    if hasattr(X, "toarray"):
        import scipy.sparse as sp

        Xs = sp.csc_matrix(X, dtype=float)
        m = np.asarray(Xs.mean(axis=0)).ravel()
        m2 = np.asarray(Xs.multiply(Xs).mean(axis=0)).ravel()
        return np.sqrt(np.maximum(m2 - m * m, 0.0))
    return np.std(np.asarray(X, dtype=float), axis=0)


def _eta(X, coef, intercept) -> np.ndarray:
    C, D, p = coef.shape
    eta = np.asarray(X @ coef.reshape(C * D, p).T).T.reshape(C, D, -1)
    if np.ndim(intercept):
        eta = eta + np.asarray(intercept, dtype=float).reshape(C, D, 1)
    else:
        eta = eta + float(intercept)
    return eta


def pointwise_loglik(lik, X, y, sw, post: dict[str, np.ndarray]) -> np.ndarray:
    """``sw_i * log p(y_i | intercept + x_i coef [, free])`` for every draw, shape
    (chains, draws, n). ``lik`` is the resolved likelihood; ``post`` holds ``coef`` (chains,
    draws, p), optionally ``intercept`` and the free parameters (chains, draws)."""
    coef = np.asarray(post["coef"], dtype=float)
    eta = _eta(X, coef, post.get("intercept", 0.0))
    free = {k: np.asarray(post[k], dtype=float)[..., None] for k in lik.free_params}
    return lik.bind(**free).loglik(y, eta) * sw


def build_tree(model, post: dict[str, np.ndarray], sample_stats: Any, feature_names, *,
               sampler: str, y: np.ndarray | None = None, sw: np.ndarray | None = None,
               loglik: np.ndarray | None = None, sigma_prior_scale: float | None = None,
               suff_stats: bool = False, inference_library: str | None = None,
               group_attrs: dict[str, dict] | None = None, names_given: bool = False,
               x_sd: np.ndarray | None = None):
    """The posterior DataTree of the module docstring.

    ``post``: arrays (chains, draws[, p]) by name (kept: :func:`model_variables`);
    ``sample_stats``: a dict of (chains, draws) arrays or an ``xarray.Dataset``; ``sw``: the
    sample weights when the fit was weighted (stored in ``constant_data``); ``group_attrs``:
    attributes to keep from the sampler's own groups; ``names_given``: the feature names are a
    DataFrame's columns (prediction then matches columns by name); ``x_sd``: the column sds
    (:func:`column_sd`), stored in ``constant_data``."""
    import xarray as xr

    names = list(feature_names)
    keep = [v for v in model_variables(model) if v in post]
    chains, draws = np.shape(post["coef"])[:2]
    coords = {"chain": np.arange(chains), "draw": np.arange(draws), "feature": names}
    pvars = {}
    for k in keep:
        a = np.asarray(post[k])
        dims = ("chain", "draw", "feature") if a.ndim == 3 else ("chain", "draw")
        pvars[k] = (dims, a)
    groups = {"posterior": xr.Dataset(pvars, coords=coords)}
    if isinstance(sample_stats, xr.Dataset):
        groups["sample_stats"] = sample_stats
    else:
        groups["sample_stats"] = xr.Dataset(
            {k: (("chain", "draw"), v) for k, v in sample_stats.items()},
            coords={"chain": coords["chain"], "draw": coords["draw"]})
    const = {}
    if x_sd is not None:
        const["x_sd"] = xr.DataArray(np.asarray(x_sd, dtype=float), dims=("feature",),
                                     coords={"feature": names},
                                     attrs={"description": "population sd of each column of X"})
    if y is not None:
        obs = {"obs_id": np.arange(y.shape[0])}
        groups["observed_data"] = xr.Dataset({"y": (("obs_id",), y)}, coords=obs)
        if sw is not None:
            const["sample_weight"] = xr.DataArray(sw, dims=("obs_id",), coords=obs)
        if loglik is not None:
            groups["log_likelihood"] = xr.Dataset(
                {"y": (("chain", "draw", "obs_id"), loglik)},
                coords={"chain": coords["chain"], "draw": coords["draw"], **obs})
    if const:
        groups["constant_data"] = xr.Dataset(const)
    tree = xr.DataTree.from_dict(groups)
    for g, a in (group_attrs or {}).items():
        if g in tree.children:
            tree[g].attrs.update(a)
    attrs = {"bayesreg_model": json.dumps(model.to_dict()), "feature_names": json.dumps(names),
             "sampler": sampler, "suff_stats": int(bool(suff_stats)),
             "feature_names_given": int(bool(names_given))}
    if inference_library is not None:
        attrs["inference_library"] = inference_library
    if sigma_prior_scale is not None:
        attrs["sigma_prior_scale"] = float(sigma_prior_scale)
    tree.attrs.update(attrs)
    tree["posterior"].attrs.update(attrs)
    return tree


def store_x_sd(tree, x_sd):
    """Put ``x_sd`` (one sd per coefficient) into ``tree["constant_data"]``; returns ``tree``."""
    import xarray as xr

    names = [str(v) for v in tree["posterior"]["feature"].values]
    da = xr.DataArray(np.asarray(x_sd, dtype=float), dims=("feature",), coords={"feature": names},
                      attrs={"description": "population sd of each column of X"})
    if "constant_data" in tree.children:
        ds = tree["constant_data"].to_dataset()
        ds["x_sd"] = da
    else:
        ds = xr.Dataset({"x_sd": da})
    tree["constant_data"] = xr.DataTree(ds)
    return tree


def store_latent_scale(tree, likelihood, y):
    """Put the likelihood's latent scale ``s`` (its ``latent_scale`` face on ``y``: the unit of
    the "practically zero" rule of :func:`bayesreg.diagnostics.compare`) into
    ``tree["constant_data"]["latent_scale"]`` (its rule in the variable's ``rule`` attribute), so
    that a posterior read back without ``y`` (or sampled from Dask statistics) gives the same
    near-zero tolerances; returns ``tree`` (unchanged when the scale is not defined)."""
    import xarray as xr

    s, rule = likelihood.latent_scale(y)
    if s is None:
        return tree
    da = xr.DataArray(float(s), attrs={"rule": str(rule), "description": (
        "spread of one observation on the linear-predictor scale (compare's near-zero unit)")})
    ds = tree["constant_data"].to_dataset() if "constant_data" in tree.children else xr.Dataset()
    ds["latent_scale"] = da
    tree["constant_data"] = xr.DataTree(ds)
    return tree


def stored_latent_scale(idata) -> tuple[float, str] | None:
    """``(s, rule)`` stored by :func:`store_latent_scale`, or None."""
    try:
        da = idata["constant_data"]["latent_scale"]
    except KeyError:
        return None
    return float(da.values), str(da.attrs.get("rule", ""))


def add_log_likelihood(idata, model, X, y, sample_weight=None, *, overwrite: bool = False):
    """Add the ``log_likelihood`` group (``y`` = ``sw_i log p(y_i | draw)``, dims ``chain, draw,
    obs_id``) to posterior draws sampled with ``log_likelihood=False`` (or read back from a file
    saved without it), computed in numpy from the stored draws, ``model`` and the data: the same
    numbers ``sample(..., log_likelihood=True)`` stores, so ``arviz.loo(idata)`` works.

    ``model`` must be the model that drew ``idata`` (checked against its ``bayesreg_model``
    attribute); ``X``, ``y``, ``sample_weight`` the data it was sampled on (``y`` is checked
    against ``observed_data``). Returns ``idata`` (modified in place). ``overwrite=False``:
    an existing ``log_likelihood`` group is an error.
    """
    import xarray as xr

    from .._validation import check_X_y

    try:
        post_ds = idata["posterior"].to_dataset()
    except (KeyError, TypeError, AttributeError) as exc:
        raise DataError("idata must be the output of model.sample(...): it needs a 'posterior' "
                        "group.") from exc
    if "log_likelihood" in idata.children and not overwrite:
        raise DataError("idata already has a log_likelihood group (pass overwrite=True to "
                        "recompute it).")
    attrs = {**dict(getattr(idata, "attrs", {})), **dict(post_ds.attrs)}
    if "bayesreg_model" in attrs:
        from ..spec import ModelSpec

        def key(m):  # the model up to the resolved sigma prior scale (no part of the loglik)
            d = m.to_dict()
            d["likelihood"].pop("sigma_prior_scale", None)
            return d

        stored = ModelSpec.from_dict(json.loads(attrs["bayesreg_model"]))
        if key(stored) != key(model):
            raise DataError(f"idata was sampled from {stored!r}, not from {model!r}: pass the "
                            "model that produced the draws (Model.from_idata(idata)).")
    X, y, sw, _ = check_X_y(X, y, sample_weight)
    p = post_ds["coef"].shape[-1]
    if X.shape[1] != p:
        raise DataError(f"X has {X.shape[1]} columns but the posterior has {p} coefficients.")
    if "observed_data" in idata.children and "y" in idata["observed_data"].data_vars:
        y_obs = np.asarray(idata["observed_data"]["y"].values, dtype=float)
        if y_obs.shape != y.shape or not np.array_equal(y_obs, y):
            raise DataError("y differs from the observed_data the posterior was sampled on: pass "
                            "the same data.")
    lik = model.likelihood.resolved(y, sw)
    post = {v: post_ds[v].transpose("chain", "draw", ...).values for v in post_ds.data_vars}
    loglik = pointwise_loglik(lik, X, y, sw, post)
    coords = {"chain": post_ds["chain"].values, "draw": post_ds["draw"].values,
              "obs_id": np.arange(y.shape[0])}
    idata["log_likelihood"] = xr.DataTree(xr.Dataset(
        {"y": (("chain", "draw", "obs_id"), loglik)}, coords=coords))
    return idata


def predict_posterior(model, idata, X_new, kind: str = "mean", random_seed=None):
    """Posterior predictive on new rows, from the posterior draws (numpy, no recompilation).

    For every draw ``(intercept, coef[, free parameters])`` and row ``x`` of ``X_new``, with
    ``eta = intercept + x @ coef``:

    * ``kind="linear"``: ``eta``;
    * ``kind="mean"``: ``E[y | eta]`` (``likelihood.mean``: eta, sigmoid(eta), exp(eta));
    * ``kind="obs"``: a draw ``y ~ p(y | eta[, sigma])`` (``likelihood.draw``).

    Parameters
    ----------
    model : bayesreg.Model
    idata : xarray.DataTree
        Output of :func:`sample` (a ``posterior`` group with ``coef`` and ``intercept``).
    X_new : array-like or scipy.sparse matrix, shape (m, p)
    kind : {"mean", "obs", "linear"}
    random_seed : int or None
        Seed of the observation draws (``kind="obs"``).

    Returns
    -------
    xarray.DataArray
        Dims ``(chain, draw, obs_id)``, named ``"mu"``, ``"y"`` or ``"eta"``.
    """
    import xarray as xr

    if kind not in ("mean", "obs", "linear"):
        raise ParameterError(f"kind must be 'mean', 'obs' or 'linear', got {kind!r}.")
    try:
        post = idata["posterior"]
        coef = post["coef"]
    except (KeyError, TypeError) as exc:
        raise DataError("idata must be the output of model.sample(...): it needs a 'posterior' "
                        "group with a 'coef' variable.") from exc
    coef = coef.transpose("chain", "draw", ...)
    C, D, p = coef.shape
    attrs = {**dict(getattr(idata, "attrs", {})), **dict(post.attrs)}
    if "bayesreg_model" in attrs:
        from ..spec import ModelSpec

        stored = ModelSpec.from_dict(json.loads(attrs["bayesreg_model"]))
        if stored != model:
            raise DataError(f"idata was sampled from {stored!r}, not from {model!r}: predict with "
                            "the model that produced the draws (Model.from_idata(idata)).")
    given = attrs.get("feature_names_given")
    given = None if given is None else bool(int(given))
    names = [str(c) for c in coef[coef.dims[-1]].values]
    X_new = check_X_columns(X_new, names, given, name="X_new")
    icpt = post["intercept"].transpose("chain", "draw").values if "intercept" in post else 0.0
    eta = _eta(X_new, coef.values, icpt)
    coords = {"chain": coef["chain"].values, "draw": coef["draw"].values,
              "obs_id": np.arange(X_new.shape[0])}
    dims = ("chain", "draw", "obs_id")
    lik = model.likelihood
    if kind == "linear":
        return xr.DataArray(eta, dims=dims, coords=coords, name="eta")
    if kind == "mean":
        return xr.DataArray(lik.mean(eta), dims=dims, coords=coords, name="mu")
    free = {k: post[k].transpose("chain", "draw").values[..., None] for k in lik.free_params}
    yv = lik.bind(**free).draw(eta, np.random.default_rng(random_seed))
    return xr.DataArray(yv, dims=dims, coords=coords, name="y")
