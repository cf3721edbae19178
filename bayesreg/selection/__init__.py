"""Choosing the prior scale (:func:`select_scale`, :class:`ScaleSelection`) and the posterior
along a grid of scales (:func:`posterior_path`).

- :mod:`.cv`: K-fold cross-validation with cv.glmnet's statistics and conventions;
- :mod:`.evidence`: empirical Bayes (exact ridge evidence, Monte Carlo EM, Laplace
  approximation);
- :mod:`.scale`: the orchestration and the :class:`ScaleSelection` result;
- :mod:`.posterior_path`: the posterior at every point of a grid (Gibbs or NUTS) beside the
  MAP path.
"""

from __future__ import annotations

from .posterior_path import plot_posterior_path, posterior_path
from .scale import METHODS, ScaleSelection, select_scale

__all__ = ["ScaleSelection", "select_scale", "METHODS", "posterior_path", "plot_posterior_path"]
