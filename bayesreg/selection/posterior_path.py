"""The posterior along a grid of prior scales, beside the MAP path (:func:`posterior_path`)."""

from __future__ import annotations

import json

import numpy as np

from .._errors import NotSupportedError, ParameterError
from .._validation import check_int, check_X_y, default_names, seed_sequence
from .cv import path_scale, prior_at_scale

__all__ = ["posterior_path", "plot_posterior_path"]


def posterior_path(model, X, y, scales=None, n_scales: int = 30, draws: int = 500,
                   random_seed=None, *, tune: int | None = None, chains: int = 2,
                   sampler: str = "auto", sample_weight=None, eps: float = 1e-3,
                   tol: float = 1e-7, warm_start: bool = True, tune_warm: int | None = None,
                   progressbar: bool = False):
    """The posterior ``p(coef, intercept[, sigma] | y, s)`` at every prior scale ``s`` of a
    grid, stacked along a ``scale`` dim, with the MAP path beside it.

    The grid is :meth:`Model.map_path`'s (``n_scales`` points from the all-zero scale for L1
    priors), or ``scales``; a model without a MAP (a fixed-scale BayesianLasso, or sigma
    estimated on data the model interpolates, p >= n: ``attrs["map_unavailable"]`` says why, and
    there is no ``map`` group) needs ``scales`` or gets ``n_scales`` points over
    ``[s / 100, 100 s]`` around its own scale ``s``.
    Each point keeps ``draws`` draws per chain (seeds from ``SeedSequence(random_seed).spawn``),
    by the exact Gibbs sampler where the model has one (Gaussian likelihood, Gibbs-face prior),
    else by NUTS (``sampler``). The Gibbs path computes the data's sufficient statistics once and, with
    ``warm_start`` (default), starts every chain at the previous scale's last state (its
    coefficients, intercept, sigma and the prior's latent variables, refreshed by one exact
    draw under the new scale) and discards only ``tune_warm`` sweeps (default
    ``max(tune // 10, 10)``) there; the first scale discards ``tune``. Every sweep is an exact
    Gibbs step of the new scale's posterior, so the warm start changes where the chain begins,
    not what it samples. NUTS by nutpie with ``warm_start``: every point after the first starts
    its step-size adaptation at the previous point's adapted step size and tunes for
    ``tune_warm`` iterations (default ``max(tune // 2, 50)``). nutpie (0.16) takes neither an
    initial mass matrix nor, for PyMC models, an initial point (its ``init_mean`` is ignored:
    the model's jittered initial point is used), so the chains themselves start cold; tuning
    draws are discarded, so the warm start changes how long the chains tune, not the target.
    NUTS by PyMC (``sampler="pymc"``) samples every point independently after ``tune``
    iterations. Each grid point is a different PyMC model (the prior scale is a constant of its
    graph), so nutpie compiles it anew: on small data the compilation, not the sampling, is
    most of the cost of a point.

    Returns
    -------
    xarray.DataTree
        ``posterior``: ``coef`` (dims ``scale, chain, draw, feature``), ``intercept``,
        ``sigma`` (when estimated), the prior's hyperparameters; ``sample_stats``; ``map``
        (when the prior has a MAP): ``coef`` (``scale, feature``), ``intercept``, ``sigma``,
        ``nonzero``; the ``scale`` coordinate is the prior scale (largest entry for
        per-coefficient scales). ``attrs``: ``bayesreg_model`` (the model at its own scale),
        ``sampler``.
    """
    import xarray as xr

    X, y, sw, names = check_X_y(X, y, sample_weight)
    lik, prior = model.likelihood, model.prior
    lik.check_y(y)
    p = X.shape[1]
    draws = check_int(draws, "draws", 1)
    chains = check_int(chains, "chains", 1)
    tune = max(draws // 2, 50) if tune is None else check_int(tune, "tune", 0)
    names = default_names(p, names)
    if prior.path_scale is None:
        raise ParameterError(
            f"{prior!r} has no fixed scale to vary (its scale has a hyperprior): give the prior "
            "a fixed scale, e.g. BayesianLasso(scale=1.0), for a posterior path.")
    has_mode = prior.as_penalty(p) is not None
    path = None
    no_map = None if has_mode else prior.mode_unavailable()
    if has_mode:
        try:
            path = model.map_path(X, y, scales=scales, n_scales=n_scales, sample_weight=sw,
                                  eps=eps, tol=tol)
        except NotSupportedError as exc:  # e.g. sigma estimated and the data interpolated
            no_map = str(exc)
    if path is not None:
        grid = np.asarray(path.scales, dtype=float)
    elif scales is not None:
        try:
            grid = np.sort(np.atleast_1d(np.asarray(scales, dtype=float)))
        except (TypeError, ValueError) as exc:
            raise ParameterError(f"scales must be an array of prior scales: {exc}") from exc
        if grid.ndim != 1 or not np.all(np.isfinite(grid) & (grid > 0)):
            raise ParameterError("scales must be a 1-D array of finite positive prior scales.")
    else:
        grid = path_scale(prior) * np.logspace(-2, 2, check_int(n_scales, "n_scales", 1))
    gibbs = lik.gibbs_kind() == "gaussian" and prior.gibbs_face(p) is not None
    if sampler == "auto":
        sampler = "gibbs" if gibbs else "nutpie"
    if tune_warm is None:
        tune_warm = max(tune // 10, 10) if sampler == "gibbs" else min(max(tune // 2, 50), tune)
    else:
        tune_warm = check_int(tune_warm, "tune_warm", 0)
    seeds = seed_sequence(random_seed).spawn(grid.size)
    scale = xr.DataArray(grid, dims="scale", attrs={"long_name": "prior scale"})
    if sampler == "gibbs":
        post, ss = _gibbs_path(model, X, y, sw, grid, names, draws, tune, tune_warm, chains,
                               seeds, warm_start)
        post, ss = post.assign_coords(scale=scale), ss.assign_coords(scale=scale)
    else:
        posts, sstats = [], []
        step = None  # nutpie warm start: the previous point's adapted step size
        warm_nuts = warm_start and sampler == "nutpie"
        for k, s in enumerate(grid):
            m = type(model)(likelihood=lik, prior=prior_at_scale(prior, float(s)),
                            fit_intercept=model.fit_intercept)
            kw = {} if step is None else {"initial_step": step}
            tree = m.sample(X, y, sample_weight=sw, draws=draws,
                            tune=tune if step is None else tune_warm, chains=chains,
                            random_seed=int(seeds[k].generate_state(1)[0] >> 2), sampler=sampler,
                            progressbar=progressbar, log_likelihood=False, **kw)
            ss_k = tree["sample_stats"].to_dataset().drop_attrs()
            if warm_nuts:
                step = _nuts_step(ss_k)
            posts.append(tree["posterior"].to_dataset().drop_attrs())
            sstats.append(ss_k)
        post = xr.concat(posts, dim=scale, coords="minimal", compat="override")
        ss = xr.concat(sstats, dim=scale, coords="minimal", compat="override")
    groups = {"posterior": post, "sample_stats": ss}
    if path is not None:
        mp = xr.Dataset(
            {"coef": (("scale", "feature"), path.coefs),
             "intercept": ("scale", path.intercepts),
             "nonzero": ("scale", np.count_nonzero(path.coefs, axis=1))},
            coords={"scale": grid, "feature": names})
        sig = [r.sigma for r in path.results]
        if all(v is not None for v in sig):
            mp["sigma"] = ("scale", np.asarray(sig, dtype=float))
        groups["map"] = mp
    dt = xr.DataTree.from_dict(groups)
    warm = sampler in ("gibbs", "nutpie") and warm_start
    dt.attrs.update({"bayesreg_model": json.dumps(model.to_dict()), "sampler": sampler,
                     "draws_per_scale": draws, "tune_per_scale": tune, "chains": chains,
                     "warm_start": int(warm), "tune_warm": tune_warm if warm else tune})
    if no_map is not None:
        dt.attrs["map_unavailable"] = no_map
    return dt


def _nuts_step(ss):
    """The median over chains of nutpie's final adapted step size (None when not finite: the
    next point then tunes from nutpie's default)."""
    step = float(np.median(np.asarray(ss["step_size"].values)[:, -1]))
    return step if np.isfinite(step) and step > 0 else None


def _gibbs_path(model, X, y, sw, grid, names, draws, tune, tune_warm, chains, seeds, warm):
    """The Gibbs posterior at every scale from one set of statistics (warm-started chains):
    ``(posterior, sample_stats)`` Datasets with a leading ``scale`` dim."""
    import scipy.sparse as sp
    import xarray as xr

    from ..samplers import gibbs_draws, model_variables, wide_rows
    from ..suffstats import SuffStats

    lik, prior, fi = model.likelihood, model.prior, model.fit_intercept
    p = X.shape[1]
    rows = None
    if not sp.issparse(X) and p > X.shape[0]:
        stats, rows = wide_rows(X, y, sw, fi)
    else:
        stats = SuffStats.from_rows(X, y, sw, fi)
    res = lik.resolved(y, sw)
    s_prior = getattr(res, "sigma_prior_scale", None) if res.free_params else None
    posts, sstats, states = [], [], None
    for k, s in enumerate(grid):
        m = type(model)(likelihood=lik, prior=prior_at_scale(prior, float(s)), fit_intercept=fi)
        start = states if warm else None
        post, ss, states = gibbs_draws(m, stats, draws=draws,
                                       tune=tune if start is None else tune_warm, chains=chains,
                                       random_seed=seeds[k], sigma_prior_scale=s_prior,
                                       rows=rows, init_states=start, return_states=True)
        posts.append(post)
        sstats.append(ss)
    coords = {"scale": grid, "chain": np.arange(chains), "draw": np.arange(draws),
              "feature": list(names)}
    dims = ("scale", "chain", "draw")
    pvars = {}
    for v in model_variables(model):
        if v in posts[0]:
            a = np.stack([q[v] for q in posts])
            pvars[v] = (dims + ("feature",) if a.ndim == 4 else dims, a)
    svars = {k: (dims, np.stack([q[k] for q in sstats])) for k in sstats[0]}
    return (xr.Dataset(pvars, coords=coords),
            xr.Dataset(svars, coords={k: coords[k] for k in dims}))


def plot_posterior_path(tree, features=None, ax=None, max_features: int = 6):
    """For each coefficient: the MAP path (line) and the posterior median with 50% and 90%
    bands against the log prior scale, so that one sees where the mode is exactly zero while
    the posterior is not. Returns the array of matplotlib Axes."""
    import matplotlib.pyplot as plt

    coef = tree["posterior"]["coef"]
    feats = list(coef["feature"].values)
    if features is None:
        features = feats[:max_features]
    scales = coef["scale"].values
    if ax is None:
        _, ax = plt.subplots(len(features), 1, figsize=(6, 1.8 * len(features)), sharex=True,
                             squeeze=False)
        ax = ax[:, 0]
    ax = np.atleast_1d(ax)
    flat = coef.stack(sample=("chain", "draw"))
    qs = flat.quantile([0.05, 0.25, 0.5, 0.75, 0.95], dim="sample")
    has_map = "map" in tree.children
    for a, f in zip(ax, features):
        q = qs.sel(feature=f).transpose("quantile", "scale").values
        a.fill_between(scales, q[0], q[4], color="C0", alpha=0.15, label="90%")
        a.fill_between(scales, q[1], q[3], color="C0", alpha=0.3, label="50%")
        a.plot(scales, q[2], "C0-", lw=1, label="posterior median")
        if has_map:
            a.plot(scales, tree["map"]["coef"].sel(feature=f).values, "k-", lw=1.5, label="MAP")
        a.axhline(0, color="0.6", lw=0.5)
        a.set_ylabel(str(f))
        a.set_xscale("log")
    ax[-1].set_xlabel("prior scale")
    ax[0].legend(fontsize=7, loc="best")
    return ax
