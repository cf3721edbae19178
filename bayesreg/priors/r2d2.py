"""The R2D2 prior (Zhang, Naughton, Bondell & Reich 2022), Gaussian-kernel version (as brms).

Density:  R^2 ~ Beta(mean_r2 * precision, (1 - mean_r2) * precision),
          phi ~ Dirichlet(concentration, ..., concentration),
          w_j | R^2, phi[, sigma] ~ N(0, phi_j R^2 / (1 - R^2) [sigma^2])
Penalty:  none: the joint density is unbounded as phi_j -> 0 with w_j = 0, there is no MAP
PyMC:     non-centered: coef = z * sqrt(phi R^2 / (1 - R^2)) [* sigma], z ~ N(0, 1)
Gibbs:    the exact Gibbs conditionals at the end of this file (a beta-prime mixture for
          W = R^2 / (1 - R^2), slice updates of the unnormalized split lambda = W phi, and a
          generalized-inverse-Gaussian step of W along fixed phi)
"""

from __future__ import annotations

import numpy as np
from scipy.special import gammaln

from .._errors import NotSupportedError, ParameterError
from ._shrinkage import LOG_2PI, check_bool, check_df, no_mode_message
from .base import GibbsFace, HierarchicalPrior, register_prior

__all__ = ["R2D2"]


@register_prior
class R2D2(HierarchicalPrior):
    """A prior on the coefficient of determination, split over the coefficients (R2D2).

    For standardized X (unit column variances, independent columns), the prior variance of the
    linear predictor is ``sum_j phi_j W sigma^2 = W sigma^2`` with ``W = R^2 / (1 - R^2)``, so
    ``R^2 = W / (1 + W)`` is the proportion of variance explained: the prior is stated on R^2
    (a Beta) and a Dirichlet splits it over the coefficients. Joint log density over
    ``(w, r2, phi)`` (:meth:`joint_logpdf`; ``phi`` on the simplex, density in its first
    ``p - 1`` coordinates)::

        sum_j log N(w_j; 0, phi_j r2 / (1 - r2) [sigma^2])
        + log Beta(r2; a, b) + log Gamma(p c) - p log Gamma(c) + (c - 1) sum_j log phi_j

    with ``a = mean_r2 * precision``, ``b = (1 - mean_r2) * precision``, ``c = concentration``.
    This is brms's ``R2D2(mean_R2, prec_R2, cons_D2)`` with a Gaussian kernel (Zhang et al.'s
    original uses a double-exponential kernel).

    Parameters
    ----------
    mean_r2 : float in (0, 1), default 0.5
    precision : float > 0, default 2
        ``a + b`` of the Beta prior on R^2 (``mean_r2=0.5, precision=2``: uniform R^2).
    concentration : float > 0, default 0.5
        The Dirichlet concentration; small values concentrate the variance on few coefficients
        (sparser), 1 is uniform on the simplex.
    relative_to_sigma : bool, default True
        Multiply the prior sd by the Gaussian noise sd (False for Bernoulli / Poisson).

    Notes
    -----
    Posterior variables ``r2`` and ``phi`` (one per coefficient). No MAP.
    ``sampler="gibbs"`` (Gaussian likelihood, also Student-t and logistic by augmentation) runs
    the exact Gibbs sampler of :meth:`gibbs_face`.
    """

    _params = ("mean_r2", "precision", "concentration", "relative_to_sigma")
    hyper_names = ("r2", "phi")
    vector_hypers = ("phi",)
    cli_options = {"mean_r2": "mean_r2", "precision": "r2_precision",
                   "concentration": "concentration", "relative_to_sigma": "has_noise_scale"}

    def __init__(self, mean_r2: float = 0.5, precision: float = 2.0, concentration: float = 0.5,
                 relative_to_sigma: bool = True) -> None:
        m = check_df(mean_r2, "R2D2.mean_r2")
        if not m < 1.0:
            raise ParameterError(f"R2D2.mean_r2 must be in (0, 1), got {mean_r2!r}.")
        self.mean_r2 = m
        self.precision = check_df(precision, "R2D2.precision")
        self.concentration = check_df(concentration, "R2D2.concentration")
        self.relative_to_sigma = check_bool(relative_to_sigma, "R2D2.relative_to_sigma")

    @property
    def _ab(self) -> tuple[float, float]:
        return self.mean_r2 * self.precision, (1.0 - self.mean_r2) * self.precision

    @property
    def finite_variance(self) -> bool:
        """E[R^2 / (1 - R^2)] is finite when b = (1 - mean_r2) precision > 1."""
        return self._ab[1] > 1

    @property
    def scales_with_sigma(self) -> bool:
        return self.relative_to_sigma

    def mode_unavailable(self) -> str:
        return no_mode_message(
            "R2D2", "its joint density is unbounded as phi_j -> 0 with w_j = 0 (and for "
            "concentration <= 1/2 so is the marginal density at w = 0)")

    def _variance(self, hyper, sigma=None):
        r2 = np.asarray(hyper["r2"], dtype=float)[..., None]
        v = np.asarray(hyper["phi"], dtype=float) * r2 / (1.0 - r2)
        if self.relative_to_sigma:
            v = v * np.asarray(1.0 if sigma is None else sigma, dtype=float)[..., None] ** 2
        return v

    def conditional_variance(self, hyper, sigma=None):
        return self._variance(hyper, sigma)

    def logpdf(self, w, sigma: float = 1.0, r2=None, phi=None):
        """Conditional ``log N(w_j; 0, phi_j r2 / (1 - r2) [sigma^2])`` (needs r2 and phi)."""
        if r2 is None or phi is None:
            raise NotSupportedError("R2D2 has no closed-form marginal density on w: pass r2=... "
                                    "and phi=... for the conditional density, or use joint_logpdf.")
        v = self._variance({"r2": r2, "phi": phi}, sigma)
        w = np.asarray(w, dtype=float)
        return -0.5 * w * w / v - 0.5 * np.log(v) - 0.5 * LOG_2PI

    def joint_logpdf(self, W, sigma=None, **hyper):
        """The joint log density of the class docstring, per draw."""
        W = np.asarray(W, dtype=float)
        p = W.shape[-1]
        r2 = np.asarray(hyper["r2"], dtype=float)
        phi = np.asarray(hyper["phi"], dtype=float)
        v = self._variance(hyper, sigma)
        a, b = self._ab
        c = self.concentration
        with np.errstate(divide="ignore", invalid="ignore"):
            lp = np.sum(-0.5 * W * W / v - 0.5 * np.log(v) - 0.5 * LOG_2PI, axis=-1)
            lp = lp + ((a - 1) * np.log(r2) + (b - 1) * np.log1p(-r2)
                       + gammaln(a + b) - gammaln(a) - gammaln(b))
            if p > 1:
                lp = lp + gammaln(p * c) - p * gammaln(c) + (c - 1) * np.sum(np.log(phi), axis=-1)
        ok = (r2 > 0) & (r2 < 1) & np.all(phi > 0, axis=-1) & (
            np.abs(np.sum(phi, axis=-1) - 1.0) < 1e-8)
        return np.where(ok, lp, -np.inf)

    def hyper_example(self, n_coef):
        phi = np.linspace(1.0, 2.0, n_coef)
        return {"r2": np.array(0.35), "phi": phi / phi.sum()}

    def to_pymc(self, name, dims=None, shape=None, sigma=None):
        import pymc as pm
        import pytensor.tensor as pt

        size = {"dims": dims} if dims is not None else {"shape": shape}
        pre = "" if name == "coef" else f"{name}_"
        p = (len(pm.modelcontext(None).coords[dims]) if dims is not None
             else int(np.prod(shape)))
        a, b = self._ab
        r2 = pm.Beta(f"{pre}r2", alpha=a, beta=b)
        if p > 1:
            phi = pm.Dirichlet(f"{pre}phi", a=np.full(p, self.concentration), **size)
        else:
            phi = pm.Deterministic(f"{pre}phi", pt.ones(1), **size)
        z = pm.Normal(f"{name}_raw", 0.0, 1.0, **size)
        sd = pt.sqrt(phi * r2 / (1.0 - r2))
        if self.relative_to_sigma:
            if sigma is None:
                raise NotSupportedError(
                    "R2D2(relative_to_sigma=True) scales the prior by a Gaussian likelihood's "
                    "sigma; with Bernoulli/Poisson use R2D2(..., relative_to_sigma=False).")
            sd = sd * sigma
        return pm.Deterministic(name, z * sd, **({"dims": dims} if dims is not None else {}))

    def pymc_values(self, coef, sigma=None, **hyper):
        sd = np.sqrt(self._variance(hyper, sigma))
        vals = {"coef_raw": np.asarray(coef, dtype=float) / sd, "r2": hyper["r2"]}
        if np.size(coef) > 1:
            vals["phi"] = hyper["phi"]
        return vals, float(np.sum(np.log(sd)))

    def draw_variances(self, n_coef, size, rng, sigma=1.0):
        a, b = self._ab
        r2 = rng.beta(a, b, size)
        phi = rng.dirichlet(np.full(n_coef, self.concentration), size) if n_coef > 1 else \
            np.ones((size, 1))
        return self._variance({"r2": r2, "phi": phi}, np.full(size, float(sigma)))

    def gibbs_face(self, n_coef: int) -> GibbsFace:
        """The exact Gibbs conditionals (end of this file): with ``W = r2 / (1 - r2)`` and the
        unnormalized split ``lambda_j = W phi_j`` (so ``w_j ~ N(0, lambda_j [sigma^2])``):

        * ``W ~ BetaPrime(a, b)`` as ``W | xi ~ Gamma(a, rate xi)``, ``xi ~ Gamma(b, 1)``, so
          ``xi | W ~ Gamma(a + b, rate 1 + W)``;
        * ``lambda | xi`` has density ``∝ T^(a - p c) exp(-xi T) prod_j lambda_j^(c - 1)``,
          ``T = sum_j lambda_j = W`` (the change of variables ``(W, phi) -> lambda``), so each
          ``lambda_j | lambda_-j, w, xi`` has log density, in ``u = log lambda_j``,
          ``(c - 1/2) u - xi e^u - k_j e^-u + (a - p c) log(e^u + T_-j)``,
          ``k_j = w_j^2 / (2 [sigma^2])``: one slice update each (Neal 2003);
        * ``W | phi, w, xi`` is the generalized inverse Gaussian ``∝ W^(a - p/2 - 1) exp(-xi W
          - sum_j w_j^2 / (2 [sigma^2] phi_j W))``: one slice update of ``log W``, then
          ``lambda = W phi`` (moves the total along fixed proportions);
        * sigma^2 gains ``p`` degrees of freedom and ``sum_j w_j^2 / lambda_j`` (relative).

        Every step leaves the posterior invariant (Zhang et al. 2022's sampler for their
        ``a = p c`` case factorizes ``lambda`` into independent GIGs; this one holds for any
        ``a``, ``c``)."""
        a, b = self._ab
        params = np.array([a, b, self.concentration, float(self.relative_to_sigma)])
        return GibbsFace(params=params, n_latent=n_coef + 1, init=r2d2_init,
                         update=r2d2_update, sigma_terms=r2d2_sigma_terms, record=r2d2_record)

    def with_strength(self, c: float):
        raise NotSupportedError("R2D2 has no penalty strength to scale (no MAP, no path): change "
                                "mean_r2 / precision instead.")

    @property
    def path_scale(self):
        return self.mean_r2

    @classmethod
    def examples(cls):
        return [cls(0.3, 5.0, 1.5, relative_to_sigma=False)]


# --------------------------------------------------------------------------- Gibbs (numba)
# ``params = [a, b, c, rel]``; ``latent = [lambda (p), xi]`` with lambda_j = W phi_j,
# W = r2 / (1 - r2) (R2D2.gibbs_face).
from numba import njit  # noqa: E402

from .._slice import slice_sampler  # noqa: E402
from ._shrinkage import gig_log_slice  # noqa: E402

_VMIN, _VMAX = 1e-200, 1e200


@njit(cache=True, nogil=True)
def _lambda_logf(u, args):
    """log density of u = log lambda_j given the rest; ``args = (c - 1/2, xi, k_j, a - p c,
    T_-j)``."""
    c1, xi, k, e, rest = args
    x = np.exp(u)
    out = c1 * u - xi * x - k / x
    if e != 0.0:
        out += e * np.log(x + rest)
    return out


_lambda_slice = slice_sampler(_lambda_logf)


@njit(cache=True, nogil=True)
def _r2d2_fill_prec(latent, params, prec, sigma):
    s2 = sigma * sigma if params[3] > 0 else 1.0
    for j in range(prec.shape[0]):
        prec[j] = 1.0 / min(max(latent[j] * s2, _VMIN), _VMAX)


@njit(cache=True, nogil=True)
def r2d2_init(latent, params, prec, sigma, rng):
    """Start at the prior mean of R^2 split evenly (``W = a / b``, ``phi_j = 1 / p``), xi = 1."""
    p = prec.shape[0]
    a, b = params[0], params[1]
    W = a / b
    for j in range(p):
        latent[j] = W / p
    latent[p] = 1.0
    _r2d2_fill_prec(latent, params, prec, sigma)


@njit(cache=True, nogil=True)
def r2d2_update(latent, params, w, sigma, prec, rng):
    """One sweep of :meth:`R2D2.gibbs_face`'s conditionals, then ``prec``."""
    p = prec.shape[0]
    a, b, c = params[0], params[1], params[2]
    s2 = sigma * sigma if params[3] > 0 else 1.0
    xi = latent[p]
    e = a - p * c
    T = 0.0
    for j in range(p):
        T += latent[j]
    for j in range(p):  # lambda_j | lambda_-j, w_j, xi
        lj = latent[j]
        rest = max(T - lj, 0.0)
        k = 0.5 * w[j] * w[j] / s2
        u = _lambda_slice(np.log(lj), (c - 0.5, xi, k, e, rest), rng, 1.0, -np.inf, np.inf)
        lj_new = min(max(np.exp(u), _VMIN), _VMAX)
        latent[j] = lj_new
        T = rest + lj_new
    T = 0.0  # re-sum (no drift from the running updates)
    for j in range(p):
        T += latent[j]
    q = 0.0  # W | phi, w, xi: GIG(a - p/2, xi, sum_j w_j^2 / (2 s2 phi_j))
    for j in range(p):
        q += w[j] * w[j] * T / latent[j]
    q = 0.5 * q / s2
    u = gig_log_slice(np.log(T), (a - 0.5 * p, xi, q), rng, 1.0, -np.inf, np.inf)
    Wn = min(max(np.exp(u), _VMIN), _VMAX)
    for j in range(p):
        latent[j] = min(max(latent[j] * Wn / T, _VMIN), _VMAX)
    g = rng.gamma(a + b, 1.0)  # xi | W ~ Gamma(a + b, rate 1 + W)
    latent[p] = max(g / (1.0 + Wn), _VMIN)
    _r2d2_fill_prec(latent, params, prec, sigma)


@njit(cache=True, nogil=True)
def r2d2_sigma_terms(latent, params, w, out):
    """Relative: ``p`` degrees of freedom and ``sum_j w_j^2 / lambda_j``; else zeros."""
    p = w.shape[0]
    if params[3] > 0:
        s = 0.0
        for j in range(p):
            s += w[j] * w[j] / latent[j]
        out[0] = float(p)
        out[1] = s
    else:
        out[0] = 0.0
        out[1] = 0.0


@njit(cache=True, nogil=True)
def r2d2_record(latent, params, out):
    """``r2 = W / (1 + W)``, ``phi = lambda / W`` (the order of ``hyper_names``)."""
    p = latent.shape[0] - 1
    T = 0.0
    for j in range(p):
        T += latent[j]
    out[0] = T / (1.0 + T)
    for j in range(p):
        out[1 + j] = latent[j] / T
