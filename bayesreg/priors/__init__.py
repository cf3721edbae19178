"""Coefficient priors, each with its density, penalty, PyMC and Gibbs faces in its own file.

=================  =========================  ==================================  ==============
prior              penalty face               PyMC form                           Gibbs face
=================  =========================  ==================================  ==============
Normal(scale)      w^2 / (2 scale^2)          pm.Normal(0, scale)                 conjugate
Laplace(scale)     |w| / scale                pm.Laplace(0, scale)                scale mixture
ElasticNetPrior    |w|/b + w^2/(2 tau^2)      pm.CustomDist (exact logp)          scale mixture
BayesianLasso      none (no finite mode)      pm.Laplace(0, sigma*scale) [+ lam2]  Park & Casella
BayesianRidge      none (no finite mode)      pm.Normal(0, sqrt(tau2)) + InvGamma conjugate
Horseshoe          none (density inf at 0)    non-centered, HalfCauchy scales     Makalic-Schmidt
HorseshoePlus      none (density inf at 0)    non-centered, two HalfCauchy levels Makalic-Schmidt
RegularizedHorse.  none (density inf at 0)    non-centered as rstanarm hs()       M-S + MH/slice
R2D2               none (unbounded joint)     Beta R^2, Dirichlet split           none (NUTS)
SpikeAndSlab       none (best subset)         Bernoulli x Normal (sampler="pymc") collapsed
GroupLaplace       sum_g sqrt(p_g)||w_g||/b   flat + Potential (exact logp)       Kyung et al.
GroupHorseshoe     none (density inf at 0)    non-centered, one lambda per group  Makalic-Schmidt
=================  =========================  ==================================  ==============

Adding a prior is one file with a :class:`Prior` subclass decorated by :func:`register_prior`
(see the "Adding a prior or a likelihood" page of the docs); :func:`laplace_mixture_face` gives
the Gibbs conditionals of any ``exp(-a |w| - c w^2 / 2)`` kernel.
"""

from ._mixture import laplace_mixture_face
from .base import PRIORS, GibbsFace, HierarchicalPrior, Prior, prior_from_dict, register_prior
from .bayesian_lasso import BayesianLasso
from .bayesian_ridge import BayesianRidge
from .calibration import EffectiveNonzero, effective_nonzero, plot_prior_density
from .elasticnet import ElasticNetPrior
from .group_horseshoe import GroupHorseshoe
from .group_laplace import GroupLaplace
from .horseshoe import Horseshoe
from .horseshoe_plus import HorseshoePlus
from .laplace import Laplace
from .normal import Normal
from .r2d2 import R2D2
from .regularized_horseshoe import RegularizedHorseshoe
from .spike_and_slab import SpikeAndSlab

__all__ = [
    "Prior",
    "HierarchicalPrior",
    "Normal",
    "Laplace",
    "ElasticNetPrior",
    "GroupLaplace",
    "GroupHorseshoe",
    "BayesianLasso",
    "BayesianRidge",
    "PRIORS",
    "GibbsFace",
    "laplace_mixture_face",
    "register_prior",
    "prior_from_dict",
    "Horseshoe",
    "HorseshoePlus",
    "RegularizedHorseshoe",
    "R2D2",
    "SpikeAndSlab",
    "effective_nonzero",
    "EffectiveNonzero",
    "plot_prior_density",
]
