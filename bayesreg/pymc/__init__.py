"""The PyMC bridge: the identical model in PyMC and the find_MAP cross-check.

- :func:`build_model` (``Model.to_pymc``): a ``pymc.Model`` whose ``logp(jacobian=False)`` is
  exactly ``MAPResult.log_posterior``, built from the priors' and likelihoods' PyMC faces.
- :func:`crosscheck` (``Model.crosscheck``) -> :class:`CrossCheck`: direct MAP vs ``pm.find_MAP``.

Sampling lives in :mod:`bayesreg.samplers` (``bayesreg.pymc.sample`` and
``bayesreg.pymc.predict_posterior`` remain as aliases of it).
"""

from .crosscheck import VERDICTS, CrossCheck, crosscheck
from .model import BuiltModel, build, build_model, model_point

__all__ = ["build_model", "build", "BuiltModel", "model_point", "crosscheck", "CrossCheck",
           "VERDICTS"]


def __getattr__(name: str):
    if name in ("sample", "predict_posterior"):
        from .. import samplers

        return getattr(samplers, name)
    raise AttributeError(f"module 'bayesreg.pymc' has no attribute {name!r}")
