"""Predictive intervals from posterior predictive draws."""

from __future__ import annotations

import numpy as np

from .._errors import ParameterError
from .._validation import check_int, seed_sequence
from .datatree import predict_posterior

__all__ = ["predict_interval"]


def predict_interval(model, idata, X_new, prob: float = 0.9, kind: str = "obs",
                     random_seed=None, n_rep: int = 1):
    """Equal-tailed posterior predictive intervals on new rows.

    With ``kind="obs"`` (default) the interval of mass ``prob`` of the posterior predictive
    distribution ``p(y_new | y) = integral p(y_new | eta = b + x w, theta) p(w, b, theta | y)``,
    estimated by the ``(1 -+ prob) / 2`` sample quantiles of the draws ``y ~ p(y | draw)``
    (:func:`predict_posterior` ``kind="obs"``; ``n_rep`` observation draws per posterior draw
    reduce the Monte Carlo error of the quantiles). For a discrete response the endpoints are
    attained values, so the coverage is at least ``prob`` up to Monte Carlo error.
    ``kind="mean"``: the credible interval of the mean ``E[y | x, draw]`` instead (BayesianRidge's
    ``return_std`` spread is of this kind plus the noise).

    Returns
    -------
    pandas.DataFrame
        Index ``obs_id``; columns ``mean`` (posterior mean of ``E[y | x]``), ``lower``,
        ``upper``; ``attrs``: ``prob``, ``kind``.
    """
    import pandas as pd

    if isinstance(prob, bool) or not isinstance(prob, (int, float, np.floating)) or not 0 < prob < 1:
        raise ParameterError(f"prob must be a probability in (0, 1), got {prob!r} (e.g. prob=0.9).")
    if kind not in ("obs", "mean"):
        raise ParameterError(f"kind must be 'obs' (predictive) or 'mean', got {kind!r}.")
    n_rep = check_int(n_rep, "n_rep", 1)
    mu = predict_posterior(model, idata, X_new, kind="mean")
    m = mu.sizes["obs_id"]
    if kind == "mean":
        vals = mu.values.reshape(-1, m)
    else:
        seeds = seed_sequence(random_seed).spawn(n_rep)
        vals = np.concatenate([predict_posterior(model, idata, X_new, kind="obs",
                                                 random_seed=s).values.reshape(-1, m)
                               for s in seeds])
    lo, hi = np.quantile(vals, [(1 - prob) / 2, (1 + prob) / 2], axis=0)
    out = pd.DataFrame({"mean": mu.values.reshape(-1, m).mean(0), "lower": lo, "upper": hi},
                       index=pd.Index(np.arange(m), name="obs_id"))
    out.attrs.update({"prob": float(prob), "kind": kind})
    return out
