"""NUTS on the identical PyMC model: nutpie (default) or PyMC's own sampler."""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections import OrderedDict

import numpy as np

__all__ = ["run_nuts"]

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


def run_nuts(model, built, sampler: str, draws: int, tune: int, chains: int, seed: int,
             progressbar: bool, cores: int | None = None, **kwargs):
    """The sampler's own DataTree for the built PyMC model (:class:`bayesreg.pymc.BuiltModel`).

    ``"nutpie"``: nutpie's NUTS on the numba-compiled model, in threads (the compiled model of
    the last few (model, data) pairs is reused). ``"pymc"``: PyMC's NUTS; chains run
    sequentially (``cores=1``) unless ``cores`` is given, in which case the ``"forkserver"``
    context is used."""
    if sampler == "nutpie":
        import nutpie

        compiled = _compiled_nutpie(model, built)
        return nutpie.sample(compiled, draws=draws, tune=tune, chains=chains,
                             cores=cores or min(chains, os.cpu_count() or 1), seed=seed,
                             progress_bar=progressbar, save_warmup=False, **kwargs)
    import pymc as pm

    pm_kw = dict(cores=1) if cores is None else dict(cores=cores, mp_ctx="forkserver")
    return pm.sample(draws=draws, tune=tune, chains=chains, random_seed=seed,
                     nuts_sampler="pymc", progressbar=progressbar, model=built.pm_model,
                     compute_convergence_checks=False, **pm_kw, **kwargs)
