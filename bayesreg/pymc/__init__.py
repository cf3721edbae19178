"""The PyMC bridge: the identical model in PyMC, the find_MAP cross-check, posterior sampling.

- :func:`build_model` (``Model.to_pymc``): a ``pymc.Model`` whose ``logp(jacobian=False)`` is
  exactly ``MAPResult.log_posterior``.
- :func:`crosscheck` (``Model.crosscheck``) -> :class:`CrossCheck`: direct MAP vs ``pm.find_MAP``.
- :func:`sample` (``Model.sample``): nutpie / PyMC NUTS / Gibbs posterior as an ``xarray.DataTree``.
- :func:`predict_posterior` (``Model.predict_posterior``): posterior predictive on new rows.
"""

from .crosscheck import CrossCheck, crosscheck
from .model import build_model, model_point
from .sampling import predict_posterior, sample

__all__ = ["build_model", "model_point", "crosscheck", "CrossCheck", "sample",
           "predict_posterior"]
