"""The MAP package: penalized solvers that find the posterior mode directly, with certificates.

- :mod:`.solve`      the solver registry (each solver states the faces it needs) and ``fit_map``
- :mod:`.objective`  log posterior, objective, duality gap and KKT certificates (the one copy)
- :mod:`.ridge`      closed-form Gaussian x Normal
- :mod:`.enet`       coordinate descent (dense / Gram / sparse / statistics-only) with a gap
- :mod:`.glm`        OWL-QN and proximal Newton (IRLS + CD) for smooth likelihoods
- :mod:`.path`       warm-started paths from the all-zero prior strength down
"""

from .enet import Design
from .objective import duality_gap, kkt_violation, log_posterior, objective
from .path import fit_path, max_strength
from .result import OPTIMALITY_KINDS, MAPPath, MAPResult
from .solve import SOLVERS, Solver, fit_map, register_solver, select_solver

__all__ = ["MAPResult", "MAPPath", "fit_map", "fit_path", "max_strength", "log_posterior",
           "objective", "duality_gap", "kkt_violation", "OPTIMALITY_KINDS", "Design", "SOLVERS",
           "Solver", "register_solver", "select_solver"]
