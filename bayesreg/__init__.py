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
from .likelihoods import Bernoulli, Gaussian, Poisson
from .map import MAPPath, MAPResult
from .model import Model
from .priors import ElasticNetPrior, Laplace, Normal

__version__ = "0.1.0"

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
]
