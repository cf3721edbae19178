"""The Dask backend: MAP and Gibbs draws for data that stay distributed.

Only p-dimensional and p x p statistics leave the workers; the rows never do
(:mod:`.reduce`). Nothing here re-implements the MAP engine:

* a likelihood with the least-squares face (the Gaussian) needs one pass: the sufficient
  statistics (:class:`~bayesreg.suffstats.SuffStats`, merged blockwise by Chan et al.'s update,
  as accurate as centering in memory), then the solvers of :mod:`bayesreg.map` run on a
  statistics-only :class:`~bayesreg.map.Design` (closed form, Gram coordinate descent with the
  duality gap, the joint sigma step), with the same certificate and tolerance;
* other likelihoods run distributed proximal Newton (:mod:`.glm`), one pass per step, whose
  penalized weighted least-squares subproblem is again :mod:`bayesreg.map`'s Gram solver on the
  merged IRLS statistics;
* :func:`sample_dask`: the exact Gibbs sampler on the statistics.

The objective, certificate and ``log_posterior`` are those of :func:`bayesreg.map.fit_map`.
"""

from __future__ import annotations

import numpy as np

from .._errors import NotSupportedError
from .._validation import check_tol, default_names
from ..map import Design, MAPResult, fit_map
from ..penalties import require_penalty
from ..spec import check_spec
from .reduce import as_dask, block_stats, check_block, raise_bad, reduce_blocks

__all__ = ["fit_map_dask", "gaussian_stats_dask", "sample_dask"]


def _gauss_chunk(X, y, sw):
    h = np.ones(X.shape[0]) if sw is None else sw
    ok = bool(np.all(np.isfinite(X)) and np.all(np.isfinite(y)) and np.all(np.isfinite(h)))
    return block_stats(X, y, h, ok), check_block(X, y, sw)


def gaussian_stats_dask(X, y, sample_weight=None, fit_intercept: bool = True):
    """Sufficient statistics of a Gaussian linear model from Dask arrays, in one pass.

    Returns the :class:`~bayesreg.suffstats.SuffStats` (centered when ``fit_intercept``, else
    about zero), the weighted population sd of y, and the merged block sums (dict; with
    ``feature_names`` from a DataFrame's columns, else None, and ``x_sd``: the weighted
    population sd of every column, ``sqrt(G_jj / S)`` of the centered statistics, which is the
    sd of the column itself for unit weights)."""
    X, y, sw, names = as_dask(X, y, sample_weight)
    stats, sums = reduce_blocks(X, y, sw, _gauss_chunk)
    raise_bad(sums, stats.S)
    sums["feature_names"] = names
    sums["x_sd"] = np.sqrt(np.maximum(np.diag(stats.G), 0.0) / stats.S) if stats.S > 0 else None
    y_sd = stats.y_sd
    return stats.about(fit_intercept), y_sd, sums


def fit_map_dask(model, X, y, sample_weight=None, tol: float = 1e-6,
                 max_iter: int | None = None) -> MAPResult:
    """Posterior mode of ``model`` for Dask (or mixed Dask / NumPy) ``X``, ``y``, weights.

    Maximizes the same log posterior as :meth:`bayesreg.Model.map`,
    ``sum_i sw_i log p(y_i | b0 + x_i w[, sigma]) + sum_j log p(w_j) [+ log p(sigma)]``
    (flat intercept), with the data staying in the Dask collections: Gaussian models need one
    pass (the sufficient statistics), other likelihoods one pass per proximal Newton step (so
    persist X, or keep it cheap to recompute, before fitting them). Returns a complete
    :class:`~bayesreg.MAPResult` (exact ``log_posterior``, objective, certificate with the same
    meaning and tolerance as the in-memory solvers); ``extra["n_passes"]`` counts data passes.
    """
    check_spec(model)
    check_tol(tol)
    prior, lik = model.prior, model.likelihood
    Xd, yd, swd, names = as_dask(X, y, sample_weight)
    n, p = Xd.shape
    pen = require_penalty(prior.bind_features(names), p)
    if not pen.separable:
        raise NotSupportedError(
            f"the Dask backend solves separable penalties (per-coefficient L1 / L2 weights) from "
            f"its statistics; {prior!r} has a {type(pen).__name__}: call .compute() on X and y "
            "and fit in memory.")
    prior.check_n_coef(p)
    prior.check_likelihood(lik)
    given = names is not None
    names = default_names(p, names)
    if hasattr(lik, "quadratic_weight"):
        stats, y_sd, _ = gaussian_stats_dask(Xd, yd, swd, model.fit_intercept)
        s = None
        if lik.free_params:  # the data default of the sigma prior, as Gaussian.resolved
            s = getattr(lik, "sigma_prior_scale", None) or (y_sd if y_sd > 0 else 1.0)
        res = fit_map(lik, prior, None, None, None, model.fit_intercept, names if given else None,
                      tol=tol,
                      max_iter=max_iter, design=Design.from_stats(stats), checked=True,
                      resolved=lik.bind(sigma_prior_scale=s) if s is not None else lik)
        n_passes = 1
    else:
        from .glm import fit_glm_dask

        res, n_passes = fit_glm_dask(model, Xd, yd, swd, names, tol, max_iter)
    res.solver = "dask_" + res.solver
    res.n_samples = int(n)
    res.extra = {"n_passes": n_passes}
    res.feature_names_given = given
    return res


def sample_dask(model, X, y, draws: int = 1000, tune: int = 1000, chains: int = 4,
                random_seed=None, sample_weight=None):
    """Exact Gibbs posterior draws of a Gaussian model from Dask arrays (one data pass).

    The sufficient statistics are computed with Dask (:func:`gaussian_stats_dask`) and the
    sampler of :func:`bayesreg.samplers.sample_gibbs` runs on them. Returns a DataTree with the
    ``posterior`` and ``sample_stats`` groups (no per-row groups: the rows stay distributed)
    and ``constant_data``'s ``x_sd`` (the column sds, from the statistics) and ``latent_scale``
    (the likelihood's latent scale of y): what ``compare``'s near-zero rule reads, as for an
    in-memory ``sample``.
    """
    from ..samplers import store_latent_scale, store_x_sd
    from ..samplers.gibbs import check_gibbs, sample_gibbs_from_stats

    check_gibbs(model)
    stats, y_sd, sums = gaussian_stats_dask(X, y, sample_weight, model.fit_intercept)
    s = None
    if model.likelihood.free_params:
        s = getattr(model.likelihood, "sigma_prior_scale", None) or (y_sd if y_sd > 0 else 1.0)
    if stats.G is None:  # pragma: no cover - the Dask reduction always forms G
        raise NotSupportedError("the Dask statistics have no Gram matrix")
    tree = sample_gibbs_from_stats(model, stats, sums["feature_names"], draws=draws, tune=tune,
                                   chains=chains, random_seed=random_seed, sigma_prior_scale=s)
    tree = tree if sums["x_sd"] is None else store_x_sd(tree, sums["x_sd"])
    # the near-zero unit from y itself (the likelihood's face on the Dask y: one pass over y)
    return store_latent_scale(tree, model.likelihood, as_dask(X, y, sample_weight)[1])
