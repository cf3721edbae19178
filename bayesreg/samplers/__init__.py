"""Samplers that do not need PyMC: the exact Gibbs sampler for Gaussian models.

- :func:`sample_gibbs`  Park & Casella (2008) full conditionals for a Gaussian likelihood with a
  Normal, Laplace or ElasticNetPrior prior (``model.sample(..., sampler="gibbs")``).
- :class:`SuffStats` / :func:`gaussian_suffstats`  the weighted, centered sufficient statistics
  the sampler runs on (the Dask scale-out computes the same object with Dask reductions).
"""

from .gibbs import SuffStats, gaussian_suffstats, sample_gibbs, sample_gibbs_from_stats

__all__ = ["sample_gibbs", "sample_gibbs_from_stats", "SuffStats", "gaussian_suffstats"]
