"""Posterior predictive checks through ArviZ's own plots (arviz-plots, imported lazily)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._errors import DataError

__all__ = ["posterior_predictive", "plot_ppc", "plot_loo_pit"]


def posterior_predictive(idata: Any, model: Any, X: Any, y: Any, sample_weight: Any = None,
                         random_seed: Any = None):
    """A DataTree for ArviZ's predictive checks: ``posterior`` (from ``idata``),
    ``posterior_predictive`` (``y``: one draw ``y ~ p(y | draw)`` per posterior draw and row of
    ``X``, dims ``chain, draw, obs_id``), ``observed_data`` (``y``) and ``log_likelihood``
    (``idata``'s, or computed by :func:`bayesreg.samplers.add_log_likelihood`)."""
    import xarray as xr

    from .._validation import check_X_y
    from ..samplers import add_log_likelihood, predict_posterior

    X, y, sw, _ = check_X_y(X, y, sample_weight)
    try:
        post = idata["posterior"]
    except (KeyError, TypeError) as exc:
        raise DataError("idata must be the output of model.sample(...): it needs a 'posterior' "
                        "group.") from exc
    yrep = predict_posterior(model, idata, X, kind="obs", random_seed=random_seed)
    obs = {"obs_id": np.arange(y.shape[0])}
    groups = {"posterior": post.to_dataset(),
              "posterior_predictive": xr.Dataset({"y": yrep.rename(None)}),
              "observed_data": xr.Dataset({"y": (("obs_id",), y)}, coords=obs)}
    if "log_likelihood" in idata.children:
        groups["log_likelihood"] = idata["log_likelihood"].to_dataset()
    tree = xr.DataTree.from_dict(groups)
    tree.attrs.update(dict(getattr(idata, "attrs", {})))
    if "log_likelihood" not in tree.children:
        add_log_likelihood(tree, model, X, y, None if np.all(sw == 1) else sw)
    return tree


def plot_ppc(idata: Any, model: Any, X: Any, y: Any, sample_weight: Any = None, *,
             t_stat: str = "median", num_samples: int = 50, random_seed: Any = None,
             backend: str | None = None):
    """Posterior predictive check: the density of ``num_samples`` replicated data sets over the
    observed one (``arviz_plots.plot_ppc_dist``) and the posterior predictive distribution of a
    test statistic against its observed value (``arviz_plots.plot_ppc_tstat``, ``t_stat`` e.g.
    ``"median"``, ``"mean"``, ``"std"`` or a quantile such as ``"0.9"``).

    Returns
    -------
    (PlotCollection, PlotCollection)
        The density overlay and the test-statistic plot (``pc.viz`` / ``pc.savefig``).
    """
    import arviz_plots as azp

    tree = posterior_predictive(idata, model, X, y, sample_weight, random_seed)
    dist = azp.plot_ppc_dist(tree, num_samples=num_samples, backend=backend)
    tstat = azp.plot_ppc_tstat(tree, t_stat=t_stat, backend=backend)
    return dist, tstat


def plot_loo_pit(idata: Any, model: Any, X: Any, y: Any, sample_weight: Any = None, *,
                 random_seed: Any = None, backend: str | None = None):
    """LOO-PIT: the ECDF of the leave-one-out probability integral transforms of ``y`` (PSIS
    weights from the pointwise log-likelihood) with its simultaneous envelope
    (``arviz_plots.plot_loo_pit``): uniform for a calibrated predictive distribution. Returns the
    PlotCollection."""
    import arviz_plots as azp

    tree = posterior_predictive(idata, model, X, y, sample_weight, random_seed)
    return azp.plot_loo_pit(tree, backend=backend)
