"""The spike-and-slab prior (Mitchell & Beauchamp 1988; George & McCulloch 1993, 1997).

Density:  w_j ~ (1 - pi_j) delta_0 + pi_j N(0, slab_scale_j^2 [sigma^2]) independently, i.e.
          gamma_j ~ Bernoulli(pi_j), w_j | gamma_j = 1 ~ N(0, s_j^2 [sigma^2]), w_j = 0 otherwise
Penalty:  none: the MAP over (model, coefficients) is best-subset selection (an L0 penalty)
PyMC:     inclusion ~ Bernoulli(pi), slab ~ N(0, s [sigma]), coef = inclusion * slab
          (sampler="pymc": BinaryGibbsMetropolis for the indicators, NUTS for the slab)
Gibbs:    collapsed (Gaussian likelihood): w integrated out, exact single-site flips of gamma,
          then w | gamma (gibbs_selection_face, bayesreg/samplers/collapsed.py); a Gibbs face
          drawing the latents given w would be reducible (w_j = 0 forces gamma_j = 0)
"""

from __future__ import annotations

import numpy as np

from .._errors import NotSupportedError, ParameterError
from .._validation import check_scale
from ._shrinkage import LOG_2PI, check_bool
from .base import HierarchicalPrior, SelectionFace, register_prior

__all__ = ["SpikeAndSlab"]


@register_prior
class SpikeAndSlab(HierarchicalPrior):
    """Point mass at zero plus a Gaussian slab, with explicit inclusion indicators.

    ``gamma_j ~ Bernoulli(inclusion_prob_j)`` independently; ``w_j = 0`` if ``gamma_j = 0``,
    else ``w_j ~ N(0, slab_scale_j^2 [sigma^2])``. The joint log density of ``(w, gamma)``
    (:meth:`joint_logpdf`; with respect to Lebesgue measure on the included coordinates and
    counting measure at 0 on the others) is::

        sum_j [gamma_j (log pi_j + log N(w_j; 0, s_j^2 [sigma^2])) + (1 - gamma_j) log(1 - pi_j)]

    and ``-inf`` where ``gamma_j = 0`` but ``w_j != 0``. The posterior mean of ``gamma_j``
    (variable ``inclusion``) is the posterior inclusion probability.

    Parameters
    ----------
    inclusion_prob : float or array of float in (0, 1), default 0.5
        Prior probability ``pi_j`` that coefficient j is non-zero.
    slab_scale : float or array of float, default 1.0
        Slab sd ``s_j`` (relative to sigma when ``relative_to_sigma``).
    relative_to_sigma : bool, default False
        Multiply the slab sd by the Gaussian noise sd (George & McCulloch's conjugate form).

    Notes
    -----
    No MAP: the mode over (gamma, w) is the best-subset problem ``max_S loglik(w_S) +
    sum_{j in S} [log(pi_j / (1 - pi_j)) + log N(w_j; 0, s_j^2)]`` over all 2^p subsets S (an
    L0-penalized fit, NP-hard in general), not a convex penalized estimate. With a Gaussian
    likelihood ``sampler="gibbs"`` (the default) runs the collapsed Gibbs sampler of George &
    McCulloch (coefficients integrated out, exact flips of each indicator;
    :mod:`bayesreg.samplers.collapsed`); otherwise ``sampler="pymc"`` (discrete indicators:
    NUTS alone, and so nutpie, cannot sample them).
    """

    _params = ("inclusion_prob", "slab_scale", "relative_to_sigma")
    hyper_names = ("inclusion",)
    vector_hypers = ("inclusion",)
    inclusion_variable = "inclusion"
    cli_aliases = ("spike-slab",)
    cli_options = {"inclusion_prob": "inclusion_prob", "slab_scale": "slab_scale"}

    def __init__(self, inclusion_prob: float | np.ndarray = 0.5,
                 slab_scale: float | np.ndarray = 1.0, relative_to_sigma: bool = False) -> None:
        pi = check_scale(inclusion_prob, "SpikeAndSlab.inclusion_prob")
        if np.any(np.asarray(pi) >= 1.0):
            raise ParameterError(f"SpikeAndSlab.inclusion_prob must be in (0, 1), got "
                                 f"{inclusion_prob!r}.")
        self.inclusion_prob = pi
        self.slab_scale = check_scale(slab_scale, "SpikeAndSlab.slab_scale")
        self.relative_to_sigma = check_bool(relative_to_sigma, "SpikeAndSlab.relative_to_sigma")

    @property
    def scales_with_sigma(self) -> bool:
        return self.relative_to_sigma

    def mode_unavailable(self) -> str:
        return ("SpikeAndSlab has no penalized MAP: its prior puts mass 1 - pi on w_j = 0 "
                "exactly, so the posterior mode over (inclusion indicators, coefficients) is the "
                "best-subset problem (maximize the log-likelihood plus sum over the selected "
                "set S of log(pi/(1-pi)) + log N(w_j; 0, s^2), over all 2^p subsets: an L0 "
                "penalty, NP-hard in general). Use model.sample(X, y) (Gaussian likelihood: the "
                "collapsed Gibbs sampler; otherwise sampler='pymc') for the "
                "posterior inclusion probabilities, then br.compare(idata) on posterior "
                "summaries; for a sparse convex MAP, a Laplace prior.")

    def _slab_sd(self, p: int, sigma=None) -> np.ndarray:
        s = self._broadcast(self.slab_scale, p)
        if self.relative_to_sigma:
            s = s * np.asarray(1.0 if sigma is None else sigma, dtype=float)[..., None]
        return s

    def conditional_variance(self, hyper, sigma=None):
        g = np.asarray(hyper["inclusion"], dtype=float)
        return g * self._slab_sd(g.shape[-1], sigma) ** 2

    def logpdf(self, w, sigma: float = 1.0):
        """``log(1 - pi_j)`` where ``w_j == 0``, else ``log pi_j + log N(w_j; 0, s_j^2
        [sigma^2])``: the density with respect to Lebesgue measure plus a unit atom at 0."""
        w = np.asarray(w, dtype=float)
        p = w.shape[0]
        pi = self._broadcast(self.inclusion_prob, p)
        s = self._slab_sd(p, sigma)
        slab = np.log(pi) - 0.5 * (w / s) ** 2 - np.log(s) - 0.5 * LOG_2PI
        return np.where(w == 0.0, np.log1p(-pi), slab)

    def joint_logpdf(self, W, sigma=None, inclusion=None, **hyper):
        """The joint log density of ``(w, gamma)`` of the class docstring, per draw."""
        if inclusion is None:
            raise NotSupportedError("SpikeAndSlab.joint_logpdf needs inclusion=... (the 0/1 "
                                    "indicators, shaped like W).")
        W = np.asarray(W, dtype=float)
        g = np.asarray(inclusion, dtype=float)
        p = W.shape[-1]
        pi = self._broadcast(self.inclusion_prob, p)
        s = self._slab_sd(p, sigma)
        slab = np.log(pi) - 0.5 * (W / s) ** 2 - np.log(s) - 0.5 * LOG_2PI
        lp = np.sum(np.where(g > 0.5, slab, np.log1p(-pi)), axis=-1)
        bad = np.any((g <= 0.5) & (W != 0.0), axis=-1)
        return np.where(bad, -np.inf, lp)

    def gibbs_selection_face(self, n_coef):
        pi = self._broadcast(self.inclusion_prob, n_coef)
        s = self._broadcast(self.slab_scale, n_coef)
        return SelectionFace(np.log(pi) - np.log1p(-pi), s * s, self.relative_to_sigma)

    def hyper_example(self, n_coef):
        return {"inclusion": np.ones(n_coef)}

    def to_pymc(self, name, dims=None, shape=None, sigma=None):
        import pymc as pm

        size = {"dims": dims} if dims is not None else {"shape": shape}
        pre = "" if name == "coef" else f"{name}_"
        s = np.asarray(self.slab_scale, dtype=float)
        if self.relative_to_sigma:
            if sigma is None:
                raise NotSupportedError(
                    "SpikeAndSlab(relative_to_sigma=True) scales the slab by a Gaussian "
                    "likelihood's sigma; with Bernoulli/Poisson use relative_to_sigma=False.")
            s = s * sigma
        g = pm.Bernoulli(f"{pre}inclusion", p=np.asarray(self.inclusion_prob, dtype=float),
                         **size)
        slab = pm.Normal(f"{name}_slab", 0.0, s, **size)
        return pm.Deterministic(name, g * slab, **({"dims": dims} if dims is not None else {}))

    def pymc_values(self, coef, sigma=None, inclusion=None, **hyper):
        coef = np.asarray(coef, dtype=float)
        g = np.asarray(inclusion) > 0.5
        s = self._slab_sd(coef.shape[-1], sigma)
        out = ~g  # the slab of an excluded coefficient is a free N(0, s) variable in PyMC
        off = float(np.sum(np.where(out, -np.log(s) - 0.5 * LOG_2PI, 0.0)))
        return {"inclusion": g.astype(np.int64), "coef_slab": np.where(g, coef, 0.0)}, off

    def draw_variances(self, n_coef, size, rng, sigma=1.0):
        pi = self._broadcast(self.inclusion_prob, n_coef)
        g = rng.random((size, n_coef)) < pi
        return g * self._slab_sd(n_coef, np.full(size, float(sigma))) ** 2

    def with_strength(self, c: float):
        raise NotSupportedError("SpikeAndSlab has no penalty strength to scale (no MAP, no "
                                "path): change inclusion_prob / slab_scale instead.")

    @property
    def path_scale(self):
        return self.slab_scale

    @classmethod
    def examples(cls):
        return [cls(np.array([0.2, 0.5, 0.8]), 0.7, relative_to_sigma=True)]
