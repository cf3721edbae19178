"""Coefficient priors, each with its density, penalty and PyMC faces.

=================  =========================  ===========================
prior              penalty                    PyMC form
=================  =========================  ===========================
Normal(scale)      w^2 / (2 scale^2)          pm.Normal(0, scale)
Laplace(scale)     |w| / scale                pm.Laplace(0, scale)
ElasticNetPrior    |w|/b + w^2/(2 tau^2)      pm.CustomDist (exact logp)
BayesianLasso      none (sampling only)       pm.Laplace(0, sigma*scale) [+ lam2]
=================  =========================  ===========================
"""

from .base import PRIORS, HierarchicalPrior, Prior, prior_from_dict, register_prior
from .bayesian_lasso import BayesianLasso
from .elasticnet import ElasticNetPrior
from .laplace import Laplace
from .normal import Normal

__all__ = [
    "Prior",
    "HierarchicalPrior",
    "Normal",
    "Laplace",
    "ElasticNetPrior",
    "BayesianLasso",
    "PRIORS",
    "register_prior",
    "prior_from_dict",
]
