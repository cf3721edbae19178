"""``sample`` (full posterior draws) and ``predict_posterior`` (posterior predictive on new rows)."""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections import OrderedDict

import numpy as np
import xarray as xr

from .._errors import BayesregTypeError, DataError, ParameterError
from .._validation import check_X, check_X_y
from ..likelihoods import Bernoulli, Gaussian, Poisson

__all__ = ["sample", "predict_posterior", "pointwise_loglik"]

SAMPLERS = ("nutpie", "pymc", "gibbs")

#: compiled nutpie models of the last few (model, data) pairs: a repeated ``sample`` call on the
#: same model and data skips the numba compilation (~10-20 s)
_NUTPIE_CACHE: OrderedDict = OrderedDict()
_NUTPIE_CACHE_SIZE = 4


def _digest(model, b) -> str:
    h = hashlib.sha256(json.dumps(model.to_dict(), sort_keys=True).encode())
    X = b.X
    parts = [X.data, X.indices, X.indptr] if hasattr(X, "indptr") else [X]
    for a in [*parts, b.y, b.sw]:
        a = np.ascontiguousarray(a)
        h.update(str((a.shape, a.dtype)).encode())
        h.update(a.tobytes())
    h.update(repr((X.shape, b.suff_stats, b.feature_names)).encode())
    return h.hexdigest()


def _compiled_nutpie(model, b):
    import nutpie

    key = _digest(model, b)
    if key in _NUTPIE_CACHE:
        _NUTPIE_CACHE.move_to_end(key)
        return _NUTPIE_CACHE[key]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        compiled = nutpie.compile_pymc_model(b.pm_model)
    _NUTPIE_CACHE[key] = compiled
    while len(_NUTPIE_CACHE) > _NUTPIE_CACHE_SIZE:
        _NUTPIE_CACHE.popitem(last=False)
    return compiled


def _check_int(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ParameterError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def _seed(random_seed) -> int:
    if random_seed is None:
        return int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0] >> 2)
    if isinstance(random_seed, bool) or not isinstance(random_seed, (int, np.integer)):
        raise BayesregTypeError(
            f"random_seed must be an int or None, got {type(random_seed).__name__}.")
    if random_seed < 0:
        raise ParameterError(f"random_seed must be >= 0, got {random_seed}.")
    return int(random_seed)


def pointwise_loglik(lik, X, y, sw, coef, intercept, sigma=None) -> np.ndarray:
    """``sw_i * log p(y_i | intercept + x_i coef [, sigma])`` for every draw.

    ``coef`` has shape (chains, draws, p); ``intercept`` and ``sigma`` (chains, draws) or scalars.
    Returns (chains, draws, n).
    """
    C, D, p = coef.shape
    eta = np.asarray(X @ coef.reshape(C * D, p).T).T.reshape(C, D, -1)
    eta = eta + np.asarray(intercept, dtype=float).reshape(C, D, 1) if np.ndim(intercept) else (
        eta + float(intercept))
    if isinstance(lik, Gaussian):
        s = lik.sigma if sigma is None else np.asarray(sigma, dtype=float).reshape(C, D, 1)
        ll = lik.loglik(y, eta, s)
    else:
        ll = lik.loglik(y, eta)
    return ll * sw


def sample(model, X, y, sample_weight=None, draws: int = 1000, tune: int = 1000,
           chains: int = 4, random_seed: int | None = None, sampler: str = "nutpie",
           progressbar: bool = True, *, suff_stats="auto", log_likelihood: bool = True,
           cores: int | None = None, **kwargs) -> xr.DataTree:
    """Draw from the full posterior of ``model`` (the density of :func:`build_model`).

    ``p(coef, intercept[, sigma] | y) ∝ prod_i p(y_i | intercept + x_i coef[, sigma])^sw_i
    prod_j p(coef_j) [p(sigma)]``, flat prior on the intercept.

    Parameters
    ----------
    model : bayesreg.Model
    X, y, sample_weight : as in :meth:`bayesreg.Model.map`
    draws, tune, chains : int
        Kept draws per chain, warm-up iterations per chain (discarded), number of chains.
    random_seed : int or None
        Same seed, same draws (nutpie and PyMC NUTS; nutpie's threads are seeded per chain).
    sampler : {"nutpie", "pymc", "gibbs"}
        ``"nutpie"`` (default): nutpie's NUTS on the numba-compiled model, in threads (no
        multiprocessing; the first compile of a model takes ~10-20 s, and the compiled model of
        the last few (model, data) pairs is reused by later calls). ``"pymc"``: PyMC's NUTS;
        chains run sequentially (``cores=1``) unless ``cores`` is given, in which case the
        ``"forkserver"`` context is used (scripts then need an ``if __name__ == "__main__":``
        guard). ``"gibbs"``: :func:`bayesreg.samplers.gibbs.sample_gibbs` (Gaussian models).
    progressbar : bool
    suff_stats : {"auto", True, False}
        Form of the Gaussian likelihood (see :func:`bayesreg.pymc.build_model`).
    log_likelihood : bool, default True
        Store ``sw_i log p(y_i | ...)`` for every draw (chains x draws x n floats), computed in
        numpy from the draws (so it exists whatever form the PyMC likelihood took).
    cores : int, optional
        Parallel chains (nutpie threads, or PyMC processes).
    **kwargs
        Passed to ``nutpie.sample`` or ``pymc.sample``.

    Returns
    -------
    xarray.DataTree
        ``posterior``: ``intercept`` (when fitted), ``coef`` (dim ``feature``, coords = feature
        names), ``sigma`` (when estimated), ``lam2`` (BayesianLasso hyperprior); ``sample_stats``;
        ``observed_data`` (``y``, dim ``obs_id``); ``log_likelihood`` (``y``, for ``az.loo``).
        ``attrs`` (root and posterior): ``bayesreg_model`` (``json.dumps(model.to_dict())``),
        ``sigma_prior_scale`` (resolved HalfNormal scale, when sigma is estimated),
        ``feature_names`` (JSON list), ``sampler``, ``suff_stats``.
    """
    draws = _check_int(draws, "draws", 1)
    tune = _check_int(tune, "tune", 0)
    chains = _check_int(chains, "chains", 1)
    if sampler not in SAMPLERS:
        raise ParameterError(f"sampler must be one of {SAMPLERS}, got {sampler!r}.")
    seed = _seed(random_seed)
    if sampler == "gibbs":
        from ..samplers.gibbs import sample_gibbs

        tree = sample_gibbs(model, X, y, draws=draws, tune=tune, chains=chains,
                            random_seed=seed, progressbar=progressbar,
                            sample_weight=sample_weight, log_likelihood=log_likelihood)
        X_, y_, sw_, names = check_X_y(X, y, sample_weight)
        names = list(names) if names is not None else [f"x{j}" for j in range(X_.shape[1])]
        s_scale = (model.likelihood.resolve_sigma_prior_scale(y_, sw_)
                   if isinstance(model.likelihood, Gaussian) and model.likelihood.estimates_sigma
                   else None)
        _add_attrs(tree, model, names, s_scale, "gibbs", True)
        return tree

    from .model import _build

    b = _build(model, X, y, sample_weight, suff_stats)
    pmm = b.pm_model
    if sampler == "nutpie":
        import nutpie

        compiled = _compiled_nutpie(model, b)
        tree = nutpie.sample(compiled, draws=draws, tune=tune, chains=chains,
                             cores=cores or min(chains, os.cpu_count() or 1), seed=seed,
                             progress_bar=progressbar, save_warmup=False, **kwargs)
    else:
        import pymc as pm

        pm_kw = dict(cores=1) if cores is None else dict(cores=cores, mp_ctx="forkserver")
        tree = pm.sample(draws=draws, tune=tune, chains=chains, random_seed=seed,
                         nuts_sampler="pymc", progressbar=progressbar, model=pmm,
                         compute_convergence_checks=False,
                         **pm_kw, **kwargs)
    post = tree["posterior"].to_dataset()
    keep = [v for v in post.data_vars if v in ("intercept", "coef", "sigma", "lam2")]
    post = post[keep]
    groups = {"posterior": post, "sample_stats": tree["sample_stats"].to_dataset()}
    n = b.y.shape[0]
    obs = {"obs_id": np.arange(n)}
    groups["observed_data"] = xr.Dataset({"y": (("obs_id",), b.y)}, coords=obs)
    if b.weighted:
        groups["constant_data"] = xr.Dataset({"sample_weight": (("obs_id",), b.sw)}, coords=obs)
    if log_likelihood:
        coef = post["coef"].transpose("chain", "draw", "feature").values
        icpt = post["intercept"].values if "intercept" in post else 0.0
        sig = post["sigma"].values if "sigma" in post else None
        ll = pointwise_loglik(model.likelihood, b.X, b.y, b.sw, coef, icpt, sig)
        groups["log_likelihood"] = xr.Dataset(
            {"y": (("chain", "draw", "obs_id"), ll)},
            coords={"chain": post["chain"].values, "draw": post["draw"].values, **obs})
    out = xr.DataTree.from_dict(groups)
    for g in ("posterior", "sample_stats"):
        out[g].attrs.update(tree[g].attrs)
    _add_attrs(out, model, b.feature_names, b.sigma_prior_scale, sampler, b.suff_stats)
    return out


def _add_attrs(tree, model, names, s_scale, sampler, suff_stats) -> None:
    attrs = {"bayesreg_model": json.dumps(model.to_dict()), "feature_names": json.dumps(names),
             "sampler": sampler, "suff_stats": int(bool(suff_stats))}
    if s_scale is not None:
        attrs["sigma_prior_scale"] = float(s_scale)
    tree.attrs.update(attrs)
    tree["posterior"].attrs.update(attrs)


def predict_posterior(model, idata, X_new, kind: str = "mean", random_seed=None) -> xr.DataArray:
    """Posterior predictive on new rows, from the posterior draws (numpy, no recompilation).

    For every draw ``(intercept, coef[, sigma])`` and row ``x`` of ``X_new``, with
    ``eta = intercept + x @ coef``:

    * ``kind="linear"``: ``eta``;
    * ``kind="mean"``: ``E[y | eta]`` (eta, sigmoid(eta) or exp(eta));
    * ``kind="obs"``: a draw ``y ~ p(y | eta[, sigma])`` (Normal, Bernoulli, Poisson).

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
    if kind not in ("mean", "obs", "linear"):
        raise ParameterError(f"kind must be 'mean', 'obs' or 'linear', got {kind!r}.")
    try:
        post = idata["posterior"]
        coef = post["coef"]
    except (KeyError, TypeError) as exc:
        raise DataError("idata must be the output of model.sample(...): it needs a 'posterior' "
                        "group with a 'coef' variable.") from exc
    X_new, _ = check_X(X_new, name="X_new")
    coef = coef.transpose("chain", "draw", ...)
    C, D, p = coef.shape
    if X_new.shape[1] != p:
        raise DataError(f"X_new has {X_new.shape[1]} columns but the posterior has {p} "
                        "coefficients: pass rows with the columns used in model.sample.")
    w = coef.values
    eta = np.asarray(X_new @ w.reshape(C * D, p).T).T.reshape(C, D, -1)
    if "intercept" in post:
        eta = eta + post["intercept"].transpose("chain", "draw").values[..., None]
    lik = model.likelihood
    coords = {"chain": coef["chain"].values, "draw": coef["draw"].values,
              "obs_id": np.arange(X_new.shape[0])}
    if kind == "linear":
        return xr.DataArray(eta, dims=("chain", "draw", "obs_id"), coords=coords, name="eta")
    mu = lik.mean(eta)
    if kind == "mean":
        return xr.DataArray(mu, dims=("chain", "draw", "obs_id"), coords=coords, name="mu")
    rng = np.random.default_rng(random_seed)
    if isinstance(lik, Gaussian):
        if lik.estimates_sigma:
            sig = post["sigma"].transpose("chain", "draw").values[..., None]
        else:
            sig = lik.sigma
        yv = rng.normal(mu, sig)
    elif isinstance(lik, Bernoulli):
        yv = (rng.random(mu.shape) < mu).astype(float)
    elif isinstance(lik, Poisson):
        yv = rng.poisson(mu).astype(float)
    else:  # pragma: no cover
        raise ParameterError(f"no predictive draws for {type(lik).__name__}")
    return xr.DataArray(yv, dims=("chain", "draw", "obs_id"), coords=coords, name="y")
