"""The grouped horseshoe prior (Xu, Schmidt, Makalic, Qian & Hopper 2016), for sampling.

Density:  w_g | lambda_g, tau[, sigma] ~ N(0, tau^2 lambda_g^2 [sigma^2] I_{p_g}),
          lambda_g ~ C+(0, 1) (one per group),  tau ~ C+(0, global_scale)
Penalty:  none: the marginal density of a group is infinite at w_g = 0, there is no finite MAP
PyMC:     non-centered: coef = z * tau * lambda_group[g(j)] [* sigma], z ~ N(0, 1)
Gibbs:    Makalic & Schmidt (2016) inverse-gamma auxiliaries with the group sums ||w_g||^2:

    lambda_g^2 | .  ~ IG((p_g + 1) / 2, 1/nu_g + ||w_g||^2 / (2 tau^2 s2))
    nu_g | .        ~ IG(1, 1 + 1/lambda_g^2)
    tau^2 | .       ~ IG((p + 1) / 2, 1/xi + sum_g ||w_g||^2 / (2 lambda_g^2 s2))
    xi | .          ~ IG(1, 1/A^2 + 1/tau^2)

(``s2 = sigma^2`` when relative to sigma, else 1; ``lambda_g^2 | nu_g ~ IG(1/2, 1/nu_g)``,
``nu_g ~ IG(1/2, 1)`` is ``lambda_g ~ C+(0, 1)``, and ``tau^2 | xi ~ IG(1/2, 1/xi)``, ``xi ~
IG(1/2, 1/A^2)`` is ``tau ~ C+(0, A)``), then the interweaving step of the horseshoe
(:mod:`bayesreg.priors._shrinkage`) with ``rho_g = tau^2 lambda_g^2`` fixed: ``tau^2`` has the
generalized inverse Gaussian density ``x^((G - 1)/2 - 1) exp(-x sum_g 1 / (nu_g rho_g) - 1 /
(xi x))``; and the sampler's global step (``tau^2`` with the coefficients integrated out).
``params = [A, rel, p, G, labels (p), sizes (G)]``; ``latent = [lambda^2 (G), nu (G), tau^2,
xi]``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from .._errors import ParameterError
from ._shrinkage import _VMAX, _VMIN, LOG_2PI, _ig, gig_log_slice, halft_logpdf, no_mode_message
from .base import GibbsFace, register_prior
from .group_laplace import GroupedColumns
from .horseshoe import Horseshoe

__all__ = ["GroupHorseshoe"]


# --------------------------------------------------------------------------- Gibbs (numba)
@njit(cache=True, nogil=True)
def _ghs_fill_prec(latent, params, prec, sigma):
    p, G = int(params[2]), int(params[3])
    s2 = sigma * sigma if params[1] > 0 else 1.0
    t2 = latent[2 * G]
    for j in range(p):
        v = t2 * latent[int(params[4 + j])] * s2
        prec[j] = 1.0 / min(max(v, _VMIN), _VMAX)


@njit(cache=True, nogil=True)
def _ghs_init(latent, params, prec, sigma, rng):
    """Start at ``lambda_g = 1``, ``nu_g = 1``, ``tau = A``, ``xi = A^2``."""
    G = int(params[3])
    A = params[0]
    for g in range(2 * G):
        latent[g] = 1.0
    latent[2 * G] = A * A
    latent[2 * G + 1] = A * A
    _ghs_fill_prec(latent, params, prec, sigma)


@njit(cache=True, nogil=True)
def _ghs_group_sq(params, w):
    p, G = int(params[2]), int(params[3])
    sq = np.zeros(G)
    for j in range(p):
        sq[int(params[4 + j])] += w[j] * w[j]
    return sq


@njit(cache=True, nogil=True)
def _ghs_update(latent, params, w, sigma, prec, rng):
    """One sweep of the module docstring's conditionals, then ``prec``."""
    p, G = int(params[2]), int(params[3])
    A = params[0]
    s2 = sigma * sigma if params[1] > 0 else 1.0
    sq = _ghs_group_sq(params, w)
    t2 = latent[2 * G]
    for g in range(G):
        k = params[4 + p + g]
        lam2 = _ig(0.5 * (k + 1.0), 1.0 / latent[G + g] + sq[g] / (2.0 * t2 * s2), rng)
        latent[g] = lam2
        latent[G + g] = _ig(1.0, 1.0 + 1.0 / lam2, rng)
    ss = 0.0
    for g in range(G):
        ss += sq[g] / latent[g]
    t2 = _ig(0.5 * (p + 1), 1.0 / latent[2 * G + 1] + ss / (2.0 * s2), rng)
    latent[2 * G] = t2
    latent[2 * G + 1] = _ig(1.0, 1.0 / (A * A) + 1.0 / t2, rng)
    # interweaving: tau^2 | rho_g = tau^2 lambda_g^2 fixed (module docstring)
    b = 0.0
    for g in range(G):
        b += 1.0 / (latent[G + g] * t2 * latent[g])
    u = gig_log_slice(np.log(t2), (0.5 * (G - 1), b, 1.0 / latent[2 * G + 1]), rng, 1.0,
                      -np.inf, np.inf)
    t2n = min(max(np.exp(u), _VMIN), _VMAX)
    for g in range(G):
        latent[g] = min(max(latent[g] * t2 / t2n, _VMIN), _VMAX)
    latent[2 * G] = t2n
    _ghs_fill_prec(latent, params, prec, sigma)


@njit(cache=True, nogil=True)
def _ghs_sigma_terms(latent, params, w, out):
    """``p`` and ``sum_j w_j^2 / (tau^2 lambda_g(j)^2)`` when relative to sigma, else zeros."""
    p, G = int(params[2]), int(params[3])
    if params[1] > 0:
        t2 = latent[2 * G]
        s = 0.0
        for j in range(p):
            s += w[j] * w[j] / (t2 * latent[int(params[4 + j])])
        out[0] = float(p)
        out[1] = s
    else:
        out[0] = 0.0
        out[1] = 0.0


@njit(cache=True, nogil=True)
def _ghs_record(latent, params, out):
    """``[tau] + lambda_g(j) for every coefficient j`` (the order of ``hyper_names``)."""
    p, G = int(params[2]), int(params[3])
    out[0] = np.sqrt(latent[2 * G])
    for j in range(p):
        out[1 + j] = np.sqrt(latent[int(params[4 + j])])


@njit(cache=True, nogil=True)
def _ghs_global_get(latent, params, sigma, d):
    """``v_j = tau^2 d_j``, ``d_j = lambda_g(j)^2 [sigma^2]``; returns ``log tau^2``."""
    p, G = int(params[2]), int(params[3])
    s2 = sigma * sigma if params[1] > 0 else 1.0
    for j in range(p):
        d[j] = latent[int(params[4 + j])] * s2
    return np.log(latent[2 * G])


@njit(cache=True, nogil=True)
def _ghs_global_logprior(latent, params, u):
    """``log IG(e^u; 1/2, 1/xi) + u`` (the auxiliary xi fixed)."""
    G = int(params[3])
    return -0.5 * u - np.exp(-u) / latent[2 * G + 1]


@njit(cache=True, nogil=True)
def _ghs_global_set(latent, params, u, sigma, prec):
    G = int(params[3])
    latent[2 * G] = min(max(np.exp(u), _VMIN), _VMAX)
    _ghs_fill_prec(latent, params, prec, sigma)


# --------------------------------------------------------------------------- the prior
@register_prior
class GroupHorseshoe(GroupedColumns, Horseshoe):
    """The grouped horseshoe: one half-Cauchy local scale per group of coefficients.

    For groups ``g`` of ``p_g`` coefficients (``p = sum_g p_g``, ``G`` groups)::

        w_g | lambda_g, tau ~ N(0, tau^2 lambda_g^2 [sigma^2] I_{p_g})
        lambda_g ~ C+(0, 1),   tau ~ C+(0, A)                      (A = global_scale)

    (``sigma^2`` only when ``relative_to_sigma``). The joint log density
    (:meth:`joint_logpdf`) over ``(w, tau, lambda)`` is::

        sum_j log N(w_j; 0, tau^2 lambda_g(j)^2 [sigma^2])
        + sum_g log(2 / (pi (1 + lambda_g^2))) + log(2 / (pi A (1 + (tau / A)^2)))

    Xu, Schmidt, Makalic, Qian & Hopper (2016), "Bayesian grouped horseshoe regression with
    application to additive models" (R bayesreg's grouped horseshoe); with one coefficient per
    group it is :class:`Horseshoe` (its subclass here: the same options and PyMC sigma
    handling, one local scale per group instead of per coefficient). A whole group is shrunk
    together: its coefficients share one local scale.

    Parameters
    ----------
    groups : array of int, list of lists, or ``"terms"``
        The group of every column, as :class:`GroupLaplace` takes it
        (:func:`bayesreg.priors.group_labels`): an integer label per column, a list of
        column-index lists, a list of feature-name lists (resolved against the DataFrame's
        columns when fitted), or ``"terms"`` (the terms of :meth:`bayesreg.Model.from_formula`:
        a categorical term's dummy columns form one group). Every column must be in a group (a
        column of its own is a group of one: the horseshoe on it).
    global_scale : float or None
        A, the scale of the half-Cauchy on tau. ``None``: 1 (as :class:`Horseshoe`).
    relative_to_sigma : bool, default True
        Multiply the prior sd by the Gaussian noise sd. Must be False for Bernoulli / Poisson
        likelihoods.

    Notes
    -----
    Posterior variables: ``tau`` and ``lambda``, stored per coefficient (dim ``feature``:
    ``lambda[j]`` is the scale of the group of column ``j``, the same value for every column
    of a group; the PyMC form's free variable is ``lambda_group``, one per group). No MAP
    (:meth:`mode_unavailable`). ``sampler="gibbs"`` (Gaussian likelihood) runs the exact Gibbs
    sampler of the module docstring; NUTS uses the non-centered PyMC form.
    """

    _params = ("groups", "global_scale", "relative_to_sigma")
    takes_unpenalized = False
    vector_hypers = ("lambda",)
    separable = False
    #: ``--prior group-horseshoe --groups "a,b;c,d"`` (or ``--groups terms`` with ``--formula``)
    cli_options = {"groups": "groups", "global_scale": "global_scale",
                   "relative_to_sigma": "has_noise_scale"}
    cli_required = ("groups",)

    def __init__(self, groups: Any, global_scale: float | None = None,
                 relative_to_sigma: bool = True) -> None:
        self._init_global(global_scale, False, relative_to_sigma)
        self._init_groups(groups)

    def bind_features(self, feature_names, term_groups=None) -> GroupHorseshoe:
        """This prior with its groups as column labels, given the design's column names (and,
        for ``groups="terms"``, the term index of every column: ``FormulaModel.groups``)."""
        labels = self.bound_labels(feature_names, term_groups)
        return self if labels is None else GroupHorseshoe(labels, self.global_scale,
                                                         self.relative_to_sigma)

    def _first(self, labels: np.ndarray) -> np.ndarray:
        """The first column of every group (where the per-column ``lambda`` is read)."""
        return np.unique(labels, return_index=True)[1]

    # -- density face -----------------------------------------------------------------
    def mode_unavailable(self) -> str:
        return no_mode_message(
            "GroupHorseshoe",
            "its marginal prior density on each group is infinite at w_g = 0 (it grows like "
            "log(1 / |w_g|) for a group of one, like ||w_g||^(1 - p_g) for a group of p_g >= 2 "
            "coefficients)")

    def joint_logpdf(self, W, sigma=None, **hyper):
        """The joint log density of the class docstring, per draw (``W``: ``(..., p)``;
        ``tau``: ``(...)``; ``lambda``: ``(..., p)``, one value per coefficient, equal within a
        group; ``sigma`` broadcast like ``tau``)."""
        W = np.asarray(W, dtype=float)
        labels = self._labels(W.shape[-1])
        lam = np.asarray(hyper["lambda"], dtype=float)
        lam_g = lam[..., self._first(labels)]
        if not np.allclose(lam, lam_g[..., labels], rtol=1e-12, atol=0.0):
            raise ParameterError("GroupHorseshoe: lambda must hold one value per group (the "
                                 "same value for every coefficient of a group).")
        v = self._variance(hyper, sigma)
        lp = np.sum(-0.5 * W * W / v - 0.5 * np.log(v) - 0.5 * LOG_2PI, axis=-1)
        return (lp + np.sum(halft_logpdf(lam_g, 1.0, 1.0), axis=-1)
                + halft_logpdf(hyper["tau"], 1.0, self._A))

    def hyper_example(self, n_coef):
        labels = self._labels(n_coef)
        return {"tau": np.array(0.7), "lambda": np.linspace(0.5, 1.6, labels.max() + 1)[labels]}

    def draw_variances(self, n_coef, size, rng, sigma=1.0):
        labels = self._labels(n_coef)
        lam = np.abs(rng.standard_cauchy((size, labels.max() + 1)))[:, labels]
        tau = self._A * np.abs(rng.standard_cauchy((size, 1)))
        return (tau * lam) ** 2 * (sigma ** 2 if self.relative_to_sigma else 1.0)

    # -- PyMC face ----------------------------------------------------------------------
    def to_pymc(self, name, dims=None, shape=None, sigma=None):
        """``coef = z * tau * lambda_group[g(j)] [* sigma]``, ``z ~ N(0, 1)``, ``tau ~
        HalfCauchy(A)``, ``lambda_group ~ HalfCauchy(1)`` (one per group); ``lambda`` is the
        per-coefficient ``lambda_group[g(j)]`` (a Deterministic)."""
        import pymc as pm

        labels = self._labels()
        size = {"dims": dims} if dims is not None else {"shape": shape}
        keep = {"dims": dims} if dims is not None else {}
        pre = "" if name == "coef" else f"{name}_"
        tau = pm.HalfCauchy(f"{pre}tau", beta=self._A)
        lam_g = pm.HalfCauchy(f"{pre}lambda_group", beta=1.0, shape=int(labels.max()) + 1)
        lam = pm.Deterministic(f"{pre}lambda", lam_g[labels], **keep)
        z = pm.Normal(f"{name}_raw", 0.0, 1.0, **size)
        scale = tau * lam
        if self.relative_to_sigma:
            scale = scale * self._pymc_sigma(sigma)
        return pm.Deterministic(name, z * scale, **keep)

    def pymc_values(self, coef, sigma=None, **hyper):
        labels = self._labels(np.shape(coef)[-1])
        sd = np.sqrt(self._variance(hyper, sigma))
        lam = np.asarray(hyper["lambda"], dtype=float)
        vals = {"coef_raw": np.asarray(coef, dtype=float) / sd,
                "lambda_group": lam[..., self._first(labels)], "tau": hyper["tau"]}
        return vals, float(np.sum(np.log(sd)))

    # -- Gibbs face ---------------------------------------------------------------------
    def gibbs_face(self, n_coef: int) -> GibbsFace:
        labels = self._labels(n_coef)
        sizes = np.bincount(labels).astype(float)
        params = np.concatenate([[self._A, float(self.relative_to_sigma), float(n_coef),
                                  float(sizes.size)], labels.astype(float), sizes])
        return GibbsFace(params=params, n_latent=2 * sizes.size + 2, init=_ghs_init,
                         update=_ghs_update, sigma_terms=_ghs_sigma_terms, record=_ghs_record,
                         global_get=_ghs_global_get, global_logprior=_ghs_global_logprior,
                         global_set=_ghs_global_set)

    # -- contract tests, persistence ---------------------------------------------------
    @classmethod
    def examples(cls):
        return [cls(np.array([0, 0, 1]))]  # a group of two and a group of one

    def to_dict(self) -> dict[str, Any]:
        return {"type": type(self).__name__, "groups": self._groups_to_dict(),
                "global_scale": self.global_scale,
                "relative_to_sigma": self.relative_to_sigma}

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return ((self.global_scale, self.relative_to_sigma)
                == (other.global_scale, other.relative_to_sigma) and self._same_groups(other))

    __hash__ = Horseshoe.__hash__

    def __repr__(self) -> str:
        g = self._groups_repr()
        a = "None" if self.global_scale is None else f"{self.global_scale:.6g}"
        return (f"GroupHorseshoe(groups=<{g}>, global_scale={a}, "
                f"relative_to_sigma={self.relative_to_sigma})")

