"""Posterior vs point estimate: ArviZ diagnostics, comparison tables, plots and the HTML report.

Imports PyMC/ArviZ/matplotlib lazily (only inside the functions), so ``import bayesreg`` stays light.
"""

from .compare import compare, default_zero_tol, least_squares
from .diagnose import Check, Diagnosis, diagnose
from .plots import (
    constrained_optima,
    equal_variance_priors,
    plot_forest_map,
    plot_geometry,
    plot_path,
    plot_posterior_map,
    plot_prior_densities,
    prior_variance,
)
from .ppc import plot_loo_pit, plot_ppc, posterior_predictive
from .report import ReportResult, loo_compare_priors, report
from .shrinkage import ShrinkageFactors, shrinkage_factors

__all__ = [
    "compare",
    "default_zero_tol",
    "least_squares",
    "diagnose",
    "Diagnosis",
    "Check",
    "plot_forest_map",
    "plot_posterior_map",
    "plot_path",
    "plot_geometry",
    "plot_prior_densities",
    "constrained_optima",
    "equal_variance_priors",
    "prior_variance",
    "report",
    "ReportResult",
    "loo_compare_priors",
    "plot_ppc",
    "plot_loo_pit",
    "posterior_predictive",
    "shrinkage_factors",
    "ShrinkageFactors",
]
