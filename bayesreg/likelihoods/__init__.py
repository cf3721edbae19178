"""Observation models, each with its density, datafit and PyMC faces.

===========  ==========================================  ===========================
likelihood   datafit (negative log-likelihood)           PyMC form
===========  ==========================================  ===========================
Gaussian     sum sw (y - eta)^2 / (2 sigma^2)            pm.Normal / suff. statistics
Bernoulli    sum sw [log(1 + e^eta) - y eta]             pm.Bernoulli(logit_p=eta)
Poisson      sum sw [e^eta - y eta]                      pm.Poisson(mu=e^eta)
Binomial     sum sw [n log(1 + e^eta) - y eta]           pm.Binomial(n, logit_p=eta)
NegBinomial  sum sw [(y+1/a) log(1 + a e^eta) - y eta]    pm.NegativeBinomial(mu, 1/a)
StudentT     sum sw (nu+1)/2 log(1 + r^2 / (nu sigma^2))  pm.StudentT(nu, eta, sigma)
===========  ==========================================  ===========================
"""

from .base import LIKELIHOODS, Likelihood, likelihood_from_dict, register_likelihood
from .bernoulli import Bernoulli
from .binomial import Binomial
from .gaussian import Gaussian
from .negative_binomial import NegativeBinomial
from .poisson import Poisson
from .student_t import StudentT

__all__ = [
    "Likelihood",
    "Gaussian",
    "Bernoulli",
    "Poisson",
    "LIKELIHOODS",
    "register_likelihood",
    "likelihood_from_dict",
    "Binomial",
    "NegativeBinomial",
    "StudentT",
]
