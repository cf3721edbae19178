"""The reference model of a selection: posterior draws + model + data, checked together."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._errors import DataError
from .._validation import check_X_columns, check_X_y
from ..spec import ModelSpec, check_spec


@dataclass
class Reference:
    """Draws of a fitted posterior flattened to ``S = chains * draws`` rows.

    ``eta`` / ``mu``: (S, n) linear predictor and mean of every draw on the rows of ``X``;
    ``sigma``: (S,) noise sd per draw for likelihoods with a noise scale (the posterior's
    ``sigma`` when estimated, the fixed one otherwise), else None."""

    model: Any
    lik: Any
    X: Any
    y: np.ndarray
    sw: np.ndarray
    names: list[str]
    coef: np.ndarray
    intercept: np.ndarray
    free: dict
    chains: int
    draws: int
    eta: np.ndarray
    mu: np.ndarray
    sigma: np.ndarray | None

    @property
    def n_draws(self) -> int:
        return self.coef.shape[0]

    @property
    def least_squares(self) -> bool:
        """The likelihood has the least-squares face (Gaussian): closed-form projections."""
        return hasattr(self.lik, "quadratic_weight")

    def loglik(self, eta: np.ndarray, free: dict | None = None, y: np.ndarray | None = None,
               sw: np.ndarray | None = None) -> np.ndarray:
        """``sw_i log p(y_i | eta_si[, free_s])``, shape (S, n)."""
        y = self.y if y is None else y
        sw = self.sw if sw is None else sw
        bound = self.lik.bind(**{k: np.asarray(v)[:, None] for k, v in (free or {}).items()})
        return bound.loglik(y, eta) * sw


def _model_key(m) -> dict:
    d = m.to_dict()
    d["likelihood"].pop("sigma_prior_scale", None)
    return d


def reference(idata: Any, model: Any, X: Any, y: Any, sample_weight: Any = None) -> Reference:
    """Check ``idata`` / ``model`` / data against each other and flatten the draws."""
    check_spec(model)
    try:
        post = idata["posterior"]
        post = post.to_dataset() if hasattr(post, "to_dataset") else post
        coef = post["coef"]
    except (KeyError, TypeError, AttributeError) as exc:
        raise DataError("idata must be the output of model.sample(...): it needs a 'posterior' "
                        "group with a 'coef' variable (chain, draw, feature).") from exc
    if coef.ndim != 3:
        raise DataError(f"idata.posterior['coef'] must have dims (chain, draw, feature), got "
                        f"{coef.dims}.")
    attrs = {**dict(getattr(idata, "attrs", {})), **dict(post.attrs)}
    if "bayesreg_model" in attrs:
        stored = ModelSpec.from_dict(json.loads(attrs["bayesreg_model"]))
        if _model_key(stored) != _model_key(model):
            raise DataError(f"idata was sampled from {stored!r}, not from {model!r}: pass the "
                            "model that produced the draws (Model.from_idata(idata)).")
    coef = coef.transpose("chain", "draw", ...)
    C, D, p = coef.shape
    names = [str(c) for c in coef[coef.dims[-1]].values]
    given = attrs.get("feature_names_given")
    given = None if given is None else bool(int(given))
    # a DataFrame is matched to the posterior's features by name (reordered), an array by position
    X = check_X_columns(X, names, given, name="X")
    X, y, sw, _ = check_X_y(X, y, sample_weight)
    if "observed_data" in getattr(idata, "children", {}) and "y" in idata["observed_data"].data_vars:
        y_obs = np.asarray(idata["observed_data"]["y"].values, dtype=float)
        if y_obs.shape != y.shape or not np.allclose(y_obs, y, rtol=1e-12, atol=0):
            raise DataError("y differs from the observed_data the posterior was sampled on: pass "
                            "the same data.")
    model.likelihood.check_y(y)
    lik = model.likelihood.resolved(y, sw)
    W = np.asarray(coef.values, dtype=float).reshape(C * D, p)
    if model.fit_intercept:
        if "intercept" not in post.data_vars:
            raise DataError("the model fits an intercept but idata.posterior has no 'intercept'.")
        b = np.asarray(post["intercept"].transpose("chain", "draw").values, dtype=float).ravel()
    else:
        b = np.zeros(C * D)
    free = {}
    for k in lik.free_params:
        if k not in post.data_vars:
            raise DataError(f"the likelihood estimates {k!r} but idata.posterior has no {k!r}.")
        free[k] = np.asarray(post[k].transpose("chain", "draw").values, dtype=float).ravel()
    eta = np.asarray(X @ W.T).T + b[:, None]
    if not np.all(np.isfinite(eta)):
        raise DataError("the posterior draws give a non-finite linear predictor on X: check the "
                        "draws (NaN / inf) and the scale of X.")
    mu = lik.mean(eta)
    sigma = None
    if getattr(lik, "has_noise_scale", False):
        sigma = free["sigma"] if "sigma" in free else np.full(C * D, float(lik.sigma))
    return Reference(model=model, lik=lik, X=X, y=y, sw=sw, names=names, coef=W, intercept=b,
                     free=free, chains=C, draws=D, eta=eta, mu=mu, sigma=sigma)
