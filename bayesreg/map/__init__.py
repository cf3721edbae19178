"""The MAP module: penalized solvers that find the posterior mode directly, with certificates.

- :mod:`.ridge`   closed-form Gaussian x Normal
- :mod:`.enet`    coordinate descent (dense / Gram / sparse) with duality-gap stopping
- :mod:`.glm`     proximal Newton (IRLS + CD) for Bernoulli and Poisson
- :mod:`.solve`   dispatch + the joint (coef, sigma) MAP + MAPResult assembly
- :mod:`.path`    warm-started paths from the all-zero prior strength down
"""

from .path import fit_path, max_strength
from .result import OPTIMALITY_KINDS, MAPPath, MAPResult
from .solve import fit_map, log_posterior

__all__ = ["MAPResult", "MAPPath", "fit_map", "fit_path", "max_strength", "log_posterior",
           "OPTIMALITY_KINDS"]
