"""bayesreg: penalized regression is Bayesian MAP, exactly, checkably and fast.

State a model as likelihood + prior, solve its posterior mode directly (with a certificate),
cross-check it against PyMC, sample the full posterior and compare it with the point estimate.
"""

from ._errors import (
    BayesregError,
    BayesregTypeError,
    ConvergenceWarning,
    DataError,
    NotSupportedError,
    ParameterError,
)
from .likelihoods import Bernoulli, Binomial, Gaussian, NegativeBinomial, Poisson, StudentT
from .map import MAPPath, MAPResult
from .model import Model
from .priors import ElasticNetPrior, Laplace, Normal

__version__ = "0.1.0"

# Heavier parts are imported on first use so `import bayesreg` stays fast (no PyMC/ArviZ import).
_LAZY = {
    "MAPRegressor": "bayesreg.estimators",
    "MAPClassifier": "bayesreg.estimators",
    "BayesianLasso": "bayesreg.priors",
    "BayesianRidge": "bayesreg.priors",
    "compare": "bayesreg.diagnostics",
    "diagnose": "bayesreg.diagnostics",
    "report": "bayesreg.diagnostics",
    "CrossCheck": "bayesreg.pymc",
    "datasets": None,
    "project": "bayesreg.selection",
    "ProjectionSelection": "bayesreg.selection",
    "sparsify": "bayesreg.selection",
    "SparseSummary": "bayesreg.selection",
    "plot_ppc": "bayesreg.diagnostics",
    "plot_loo_pit": "bayesreg.diagnostics",
    "BayesRegressor": "bayesreg.estimators",
    "BayesClassifier": "bayesreg.estimators",
    "Horseshoe": "bayesreg.priors",
    "HorseshoePlus": "bayesreg.priors",
    "RegularizedHorseshoe": "bayesreg.priors",
    "R2D2": "bayesreg.priors",
    "SpikeAndSlab": "bayesreg.priors",
    "GroupLaplace": "bayesreg.priors",
    "GroupHorseshoe": "bayesreg.priors",
    "effective_nonzero": "bayesreg.priors",
    "plot_prior_density": "bayesreg.priors",
    "shrinkage_factors": "bayesreg.diagnostics",
    "ShrinkageFactors": "bayesreg.diagnostics",
    "ScaleSelection": "bayesreg.selection.scale",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        if _LAZY[name] is None:
            return importlib.import_module(f"bayesreg.{name}")
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'bayesreg' has no attribute {name!r}")

__all__ = [
    "Model",
    "Normal",
    "Laplace",
    "ElasticNetPrior",
    "Gaussian",
    "Bernoulli",
    "Poisson",
    "MAPResult",
    "MAPPath",
    "BayesregError",
    "DataError",
    "ParameterError",
    "BayesregTypeError",
    "NotSupportedError",
    "ConvergenceWarning",
    "MAPRegressor",
    "MAPClassifier",
    "BayesianLasso",
    "BayesianRidge",
    "compare",
    "diagnose",
    "report",
    "CrossCheck",
    "datasets",
    "project",
    "ProjectionSelection",
    "sparsify",
    "SparseSummary",
    "plot_ppc",
    "plot_loo_pit",
    "BayesRegressor",
    "BayesClassifier",
    "Horseshoe",
    "HorseshoePlus",
    "RegularizedHorseshoe",
    "R2D2",
    "SpikeAndSlab",
    "GroupLaplace",
    "GroupHorseshoe",
    "effective_nonzero",
    "shrinkage_factors",
    "ShrinkageFactors",
    "plot_prior_density",
    "Binomial",
    "NegativeBinomial",
    "StudentT",
    "ScaleSelection",
]
