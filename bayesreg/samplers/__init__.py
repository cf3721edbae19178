"""Posterior sampling: one entry point, three samplers, one DataTree layout.

- :func:`sample` (``Model.sample``): dispatch ``auto | nutpie | pymc | gibbs`` (``auto``:
  :func:`choose_sampler`; Dask input goes to the Gibbs sampler on Dask-reduced statistics);
  every result is built by
  :func:`~bayesreg.samplers.datatree.build_tree`.
- :mod:`.nuts`: NUTS on the identical PyMC model (:mod:`bayesreg.pymc`).
- :mod:`.gibbs`: the exact Gibbs sampler, one update per full conditional, the prior's and the
  likelihood's conditionals taken from their Gibbs faces.
- :func:`predict_posterior` (``Model.predict_posterior``): posterior predictive on new rows.
"""

from __future__ import annotations

from .._errors import NotSupportedError, ParameterError
from .._validation import check_int, check_seed, check_X_y, is_dask
from ..spec import check_spec
from .datatree import (
    add_log_likelihood,
    build_tree,
    column_sd,
    model_variables,
    pointwise_loglik,
    predict_posterior,
    store_latent_scale,
    store_x_sd,
    stored_latent_scale,
)
from .gibbs import gibbs_draws, sample_gibbs, sample_gibbs_from_stats, wide_rows
from .predictive import predict_interval

__all__ = ["sample", "choose_sampler", "GIBBS_AUTO_MAX_DIM", "GIBBS_AUTO_MAX_AUGMENTED_DIM",
           "GIBBS_AUTO_MAX_AUGMENTED_WORK", "predict_posterior",
           "pointwise_loglik", "add_log_likelihood", "build_tree",
           "model_variables", "column_sd", "store_x_sd", "store_latent_scale", "stored_latent_scale",
           "sample_gibbs", "sample_gibbs_from_stats", "gibbs_draws", "wide_rows", "SAMPLERS",
           "predict_interval"]

SAMPLERS = ("auto", "nutpie", "pymc", "gibbs")

#: ``sampler="auto"`` picks the Gibbs sampler while its cost per sweep, O(d^3) with
#: d = min(p, n) for dense X (p for sparse X), stays below NUTS' (a few O(n p) gradients per step)
GIBBS_AUTO_MAX_DIM = 1000
#: for a likelihood whose Gibbs form draws latent variables per row (StudentT's scale mixture,
#: the Polya-gamma augmentation of Bernoulli / Binomial), every sweep recomputes the weighted
#: statistics, O(n d^2): ``"auto"`` picks it while ``d <= GIBBS_AUTO_MAX_AUGMENTED_DIM`` and
#: ``n d^2 <= GIBBS_AUTO_MAX_AUGMENTED_WORK``
GIBBS_AUTO_MAX_AUGMENTED_DIM = 50
GIBBS_AUTO_MAX_AUGMENTED_WORK = 25_000_000


def choose_sampler(model, X) -> str:
    """The sampler ``sampler="auto"`` runs for ``model`` on ``X``.

    ``"gibbs"`` (exact conditionals, nothing to compile: a first sample in a new process takes
    about a second) when the likelihood and the prior both have Gibbs faces (a Gaussian,
    StudentT, Bernoulli, Binomial or NegativeBinomial likelihood with Normal, Laplace,
    ElasticNetPrior, BayesianLasso, horseshoe, ... priors) and the coefficient draw stays cheap: with
    ``d = min(p, n)`` for dense X, ``d = p`` for sparse X and for the collapsed spike-and-slab
    sampler (p x p statistics), ``d <= GIBBS_AUTO_MAX_DIM`` for the
    Gaussian (sufficient statistics once), ``d <= GIBBS_AUTO_MAX_AUGMENTED_DIM`` and
    ``n d^2 <= GIBBS_AUTO_MAX_AUGMENTED_WORK`` for a likelihood with latent variables per row
    (the statistics every sweep); Dask input always. Otherwise ``"nutpie"`` (NUTS;
    its first compile of a model takes 10-60 s), or ``"pymc"`` for a prior with discrete
    inclusion indicators (``SpikeAndSlab``: NUTS for the continuous variables and a binary
    Gibbs-Metropolis step for the indicators).

    Parameters
    ----------
    model : bayesreg.Model
    X : array-like, scipy.sparse matrix or Dask array, shape (n, p)

    Returns
    -------
    str
        ``"gibbs"``, ``"nutpie"`` or ``"pymc"``.
    """
    import scipy.sparse as sparse

    from .._errors import BayesregError
    from .gibbs import check_gibbs

    if is_dask(X):
        return "gibbs"
    shape = getattr(X, "shape", None)
    if shape is None or len(shape) != 2:
        import numpy as np

        shape = np.shape(X)
    if len(shape) != 2:
        return "nutpie"  # the sampler reports the bad X
    n, p = int(shape[0]), int(shape[1])
    # discrete inclusion indicators (spike-and-slab): PyMC's compound step, not nutpie
    nuts = "pymc" if getattr(model.prior, "inclusion_variable", None) is not None else "nutpie"
    try:
        check_gibbs(model)
        if not model.prior.has_gibbs(p):
            return nuts
    except (BayesregError, ValueError, TypeError):
        return nuts
    # the collapsed spike-and-slab sampler (a prior without a per-coefficient Gibbs face) works
    # on p x p statistics whatever n is: its size is p
    collapsed = model.prior.gibbs_face(p) is None
    d = p if sparse.issparse(X) or collapsed else min(p, n)
    if model.likelihood.gibbs_kind() == "augmented":  # latent variables per row
        if collapsed:  # a collapsed (Gaussian-only) sampler
            return nuts
        cheap = d <= GIBBS_AUTO_MAX_AUGMENTED_DIM and n * d * d <= GIBBS_AUTO_MAX_AUGMENTED_WORK
        return "gibbs" if cheap else nuts
    return "gibbs" if d <= GIBBS_AUTO_MAX_DIM else nuts


def sample(model, X, y, sample_weight=None, draws: int = 1000, tune: int = 1000,
           chains: int = 4, random_seed: int | None = None, sampler: str = "auto",
           progressbar: bool = True, *, suff_stats="auto", log_likelihood: bool = True,
           cores: int | None = None, **kwargs):
    """Draw from the full posterior of ``model`` (the density of :func:`bayesreg.pymc.build_model`).

    ``p(coef, intercept[, sigma] | y) ∝ prod_i p(y_i | intercept + x_i coef[, sigma])^sw_i
    prod_j p(coef_j) [p(sigma)]``, flat prior on the intercept.

    Parameters
    ----------
    model : bayesreg.Model
    X, y, sample_weight : as in :meth:`bayesreg.Model.map` (Dask arrays: ``sampler="gibbs"``)
    draws, tune, chains : int
        Kept draws per chain, warm-up iterations per chain (discarded), number of chains.
    random_seed : int or None
        Same seed, same draws (nutpie and PyMC NUTS; nutpie's threads are seeded per chain).
    sampler : {"auto", "nutpie", "pymc", "gibbs"}
        ``"auto"`` (default): :func:`choose_sampler`: the exact Gibbs sampler where the model
        has one and it is cheap (Gaussian likelihood, ``min(n, p) <= 1000``; StudentT, Bernoulli,
        Binomial, NegativeBinomial: ``min(n, p) <= 50``), else nutpie; the
        choice is in ``idata.attrs["sampler"]``. ``"nutpie"``: nutpie's NUTS on the
        numba-compiled model, in threads (no multiprocessing; the first compile of a model takes
        10-60 s, and the compiled model of
        the last few (model, data) pairs is reused by later calls). ``"pymc"``: PyMC's NUTS;
        chains run sequentially (``cores=1``) unless ``cores`` is given, in which case the
        ``"forkserver"`` context is used (scripts then need an ``if __name__ == "__main__":``
        guard). ``"gibbs"``: :func:`bayesreg.samplers.gibbs.sample_gibbs` (Gaussian, StudentT,
        Bernoulli, Binomial and NegativeBinomial models).
    progressbar : bool
    suff_stats : {"auto", True, False}
        Form of the Gaussian likelihood (see :func:`bayesreg.pymc.build_model`).
    log_likelihood : bool, default True
        Store ``sw_i log p(y_i | ...)`` for every draw (chains x draws x n floats), computed in
        numpy from the draws (so it exists whatever form the PyMC likelihood took). It is most
        of a saved file (8 bytes x chains x draws x n: 1000 draws x 6000 rows is 48 MB per
        chain). ``False``: no ``log_likelihood`` group;
        :func:`add_log_likelihood` ``(idata, model, X, y)`` computes the same numbers later,
        on demand (e.g. for ``arviz.loo``).
    cores : int, optional
        Parallel chains (nutpie threads, or PyMC processes).
    **kwargs
        Passed to ``nutpie.sample`` or ``pymc.sample``.

    Returns
    -------
    xarray.DataTree
        The layout of :mod:`bayesreg.samplers.datatree`: ``posterior`` (``intercept``, ``coef``,
        ``sigma`` when estimated, the prior's hyperparameters such as ``lam2``),
        ``sample_stats``, ``observed_data``, ``constant_data`` (``x_sd``, the column sds, and
        the weights), ``log_likelihood``,
        and the ``bayesreg_model`` / ``feature_names`` / ``sampler`` / ``suff_stats`` /
        ``sigma_prior_scale`` attributes.
    """
    check_spec(model)
    draws = check_int(draws, "draws", 1)
    tune = check_int(tune, "tune", 0)
    chains = check_int(chains, "chains", 1)
    if sampler not in SAMPLERS:
        raise ParameterError(f"sampler must be one of {SAMPLERS}, got {sampler!r}.")
    if hasattr(X, "columns") and not is_dask(X):
        # priors that name columns (GroupLaplace groups by feature name) bind them here
        bound = model.prior.bind_features([str(c) for c in X.columns])
        if bound is not model.prior:
            import copy

            model = copy.copy(model)
            model.prior = bound
    if sampler == "auto":
        sampler = choose_sampler(model, X)
    if is_dask(X) or is_dask(y):
        from ..dask import sample_dask

        if sampler != "gibbs":
            raise NotSupportedError(
                f"sampler={sampler!r} needs the rows in memory; Dask arrays are sampled with "
                "sampler='gibbs' from their sufficient statistics (Gaussian models), or call "
                ".compute() on X and y first.")
        return sample_dask(model, X, y, draws=draws, tune=tune, chains=chains,
                           random_seed=random_seed, sample_weight=sample_weight)
    seed = check_seed(random_seed)
    if sampler == "nutpie" and model.prior.inclusion_variable is not None:
        raise NotSupportedError(
            f"{type(model.prior).__name__} has discrete inclusion indicators, which nutpie (NUTS "
            "only) cannot sample: use sampler='pymc' (NUTS for the continuous variables, "
            "BinaryGibbsMetropolis for the indicators).")
    if sampler == "gibbs":
        tree = sample_gibbs(model, X, y, draws=draws, tune=tune, chains=chains,
                            random_seed=seed, progressbar=progressbar,
                            sample_weight=sample_weight, log_likelihood=log_likelihood)
        Xc, yc = check_X_y(X, y, sample_weight)[:2]
        return store_latent_scale(store_x_sd(tree, column_sd(Xc)), model.likelihood, yc)
    from ..pymc import build
    from .nuts import run_nuts

    b = build(model, X, y, sample_weight, suff_stats)
    raw = run_nuts(model, b, sampler, draws, tune, chains, seed, progressbar, cores, **kwargs)
    post_ds = raw["posterior"].to_dataset()
    post = {v: post_ds[v].transpose("chain", "draw", ...).values for v in post_ds.data_vars}
    loglik = None
    if log_likelihood:
        loglik = pointwise_loglik(b.likelihood, b.X, b.y, b.sw, post)
    tree = build_tree(model, post, raw["sample_stats"].to_dataset(), b.feature_names,
                      sampler=sampler, y=b.y, sw=b.sw if b.weighted else None, loglik=loglik,
                      sigma_prior_scale=b.sigma_prior_scale, suff_stats=b.suff_stats,
                      group_attrs={g: dict(raw[g].attrs) for g in ("posterior", "sample_stats")},
                      names_given=b.names_given, x_sd=column_sd(b.X))
    return store_latent_scale(tree, model.likelihood, b.y)
