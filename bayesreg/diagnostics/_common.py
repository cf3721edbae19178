"""Shared helpers of bayesreg.diagnostics: input checks on posterior DataTrees and fits."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._errors import BayesregTypeError, DataError, ParameterError

SAMPLE_DIMS = ("chain", "draw")
COEF_VAR = "coef"
COEF_DIM = "feature"


def posterior(idata: Any, name: str = "idata"):
    """The ``posterior`` group of a DataTree (or the Dataset itself), with a clear error."""
    try:
        post = idata["posterior"]
    except (KeyError, TypeError, AttributeError, IndexError, ValueError):
        raise BayesregTypeError(
            f"{name} must be an xarray.DataTree with a 'posterior' group (as returned by "
            f"model.sample), got {type(idata).__name__}."
        ) from None
    ds = post.to_dataset() if hasattr(post, "to_dataset") else post
    missing = [d for d in SAMPLE_DIMS if d not in ds.dims]
    if missing:
        raise DataError(f"{name}.posterior has no {missing} dimension(s): expected draws with dims "
                        f"('chain', 'draw', ...), got dims {tuple(ds.dims)}.")
    return ds


def has_group(idata: Any, group: str) -> bool:
    try:
        return group in idata.children
    except AttributeError:  # pragma: no cover - not a DataTree
        return False


def coef_draws(idata: Any, name: str = "idata"):
    """The ``coef`` DataArray (chain, draw, feature) of the posterior."""
    ds = posterior(idata, name)
    if COEF_VAR not in ds.data_vars:
        raise DataError(f"{name}.posterior has no variable 'coef' (found {list(ds.data_vars)}): "
                        "sample with model.sample(...) or name the coefficient vector 'coef'.")
    da = ds[COEF_VAR]
    if da.ndim != 3:
        raise DataError(f"{name}.posterior['coef'] must have dims (chain, draw, feature), got "
                        f"{da.dims}.")
    return da


def feature_labels(idata: Any, fit: Any, name: str = "idata") -> list[str]:
    """Feature names, checking that the posterior's ``feature`` coordinate matches the fit."""
    da = coef_draws(idata, name)
    dim = [d for d in da.dims if d not in SAMPLE_DIMS][0]
    coords = [str(c) for c in da[dim].values]
    p = len(coords)
    if fit is not None:
        check_fit(fit)
        if fit.coef.shape[0] != p:
            raise DataError(f"the posterior has {p} coefficients but fit has {fit.coef.shape[0]}: "
                            "pass the MAP fitted on the same X as the posterior draws.")
        names = [str(n) for n in fit.feature_names]
        if names and coords != names and coords != [str(i) for i in range(p)]:
            raise DataError(f"the posterior's feature coordinate {coords[:5]}... does not match "
                            f"fit.feature_names {names[:5]}...: fit the MAP and the posterior on "
                            "the same columns (same order).")
        if names:
            return names
    return coords


def check_fit(fit: Any) -> None:
    from ..map import MAPResult

    if not isinstance(fit, MAPResult):
        raise BayesregTypeError(f"fit must be a bayesreg MAPResult (from model.map(X, y)), got "
                                f"{type(fit).__name__}.")


def check_prob(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not (
            0 < float(value) < 1):
        raise ParameterError(f"{name} must be a probability strictly between 0 and 1, got "
                             f"{value!r} (e.g. {name}=0.94).")
    return float(value)


def check_positive(value: Any, name: str, allow_zero: bool = False) -> float:
    ok = not isinstance(value, bool) and isinstance(value, (int, float, np.integer, np.floating))
    if ok:
        v = float(value)
        ok = np.isfinite(v) and (v >= 0 if allow_zero else v > 0)
    if not ok:
        bound = ">= 0" if allow_zero else "> 0"
        raise ParameterError(f"{name} must be a finite number {bound}, got {value!r}.")
    return float(value)
