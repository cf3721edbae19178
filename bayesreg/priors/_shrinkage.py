"""Shared pieces of the global-local shrinkage priors (horseshoe family): validated options,
the half-t / inverse-gamma log densities, the "no finite mode" message, and the exact Gibbs
conditionals of the horseshoe and horseshoe+ (Makalic & Schmidt 2016).

Inverse-gamma auxiliary representation (Makalic & Schmidt 2016, "A simple sampler for the
horseshoe estimator"): if ``x^2 | a ~ IG(1/2, 1/a)`` and ``a ~ IG(1/2, 1/s^2)`` then
``x ~ C+(0, s)``. With it every full conditional is inverse gamma (``IG(shape, scale)``,
density ``b^a / Gamma(a) x^(-a-1) exp(-b / x)``). For

    w_j | lambda_j, tau[, sigma] ~ N(0, tau^2 lambda_j^2 [sigma^2])
    lambda_j ~ C+(0, 1)                          (horseshoe)
    lambda_j ~ C+(0, eta_j), eta_j ~ C+(0, 1)    (horseshoe+, Bhadra et al. 2017)
    tau ~ C+(0, A)                               (or tau = A fixed)

with ``lambda_j^2 | nu_j ~ IG(1/2, 1/nu_j)``, ``nu_j ~ IG(1/2, 1)`` (horseshoe) or
``nu_j | eta_j ~ IG(1/2, 1/eta_j^2)``, ``eta_j^2 | phi_j ~ IG(1/2, 1/phi_j)``,
``phi_j ~ IG(1/2, 1)`` (horseshoe+), ``tau^2 | xi ~ IG(1/2, 1/xi)``, ``xi ~ IG(1/2, 1/A^2)``,
and ``s2 = sigma^2`` (relative) or 1:

    lambda_j^2 | .  ~ IG(1, 1/nu_j + w_j^2 / (2 tau^2 s2))
    nu_j | .        ~ IG(1, 1 + 1/lambda_j^2)                      (horseshoe)
    nu_j | .        ~ IG(1, 1/eta_j^2 + 1/lambda_j^2)              (horseshoe+)
    eta_j^2 | .     ~ IG(1, 1/nu_j + 1/phi_j),  phi_j | . ~ IG(1, 1 + 1/eta_j^2)
    tau^2 | .       ~ IG((p + 1)/2, 1/xi + sum_j w_j^2 / (2 lambda_j^2 s2))
    xi | .          ~ IG(1, 1/A^2 + 1/tau^2)

and the sigma^2 conditional gains ``p`` degrees of freedom and ``sum_j w_j^2 / (tau^2
lambda_j^2)`` (relative).

Interweaving (Yu & Meng 2011): given w, the coefficients depend on (tau, lambda) only through
``rho_j = tau^2 lambda_j^2``, and ``tau^2 | w, rho, nu, xi`` (with ``lambda_j^2 = rho_j / tau^2``)
is exact: the Jacobian ``tau^(-2p)`` and the inverse-gamma densities give the generalized
inverse Gaussian ``tau^2 ∝ x^((p - 1)/2 - 1) exp(-x sum_j 1 / (nu_j rho_j) - 1 / (xi x))``, a
log-concave density of ``log x``, drawn by one slice-sampling update. Each sweep ends with this
step (tau random), which moves tau along the ridge where the products are fixed: the centered
update alone mixes tau slowly for large p. ``params = [A, rel, fix_global, plus]``; ``latent = [lambda^2 (p),
nu (p), eta^2 (p), phi (p), tau^2, xi]``.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from scipy.special import gammaln

from .._errors import NotSupportedError, ParameterError
from .._slice import slice_sampler
from .._validation import check_scale
from .base import GibbsFace, HierarchicalPrior

__all__ = ["halft_logpdf", "invgamma_logpdf", "check_bool", "check_df", "GlobalLocalPrior",
           "horseshoe_face", "LOG_2PI"]

LOG_2PI = float(np.log(2.0 * np.pi))
#: clip of the latent variances (keeps the precisions finite in the Cholesky factorizations)
_VMIN, _VMAX = 1e-200, 1e200


def halft_logpdf(x, df: float, scale) -> np.ndarray:
    """log density of the half-Student-t ``t+_df(0, scale)`` on ``x > 0`` (``-inf`` otherwise);
    ``df = 1`` is the half-Cauchy ``2 / (pi s (1 + (x/s)^2))``."""
    x = np.asarray(x, dtype=float)
    scale = np.asarray(scale, dtype=float)
    z = x / scale
    lp = (np.log(2.0) + gammaln((df + 1) / 2) - gammaln(df / 2) - 0.5 * np.log(df * np.pi)
          - np.log(scale) - (df + 1) / 2 * np.log1p(z * z / df))
    return np.where(x > 0, lp, -np.inf)


def invgamma_logpdf(x, a: float, b) -> np.ndarray:
    """log density of ``IG(a, b)``: ``a log b - log Gamma(a) - (a + 1) log x - b / x``."""
    x = np.asarray(x, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        lp = a * np.log(b) - gammaln(a) - (a + 1) * np.log(x) - b / x
    return np.where(x > 0, lp, -np.inf)


def check_bool(v, name: str) -> bool:
    if not isinstance(v, (bool, np.bool_)):
        raise ParameterError(f"{name} must be True or False, got {v!r}.")
    return bool(v)


def check_df(v, name: str) -> float:
    """A degrees-of-freedom or shape parameter: a finite number > 0."""
    return float(check_scale(v, name, allow_array=False))


def no_mode_message(name: str, density: str) -> str:
    return (f"{name} has no finite posterior mode: {density}, so the posterior density is "
            "unbounded wherever a coefficient is 0 and no MAP exists (model.map and crosscheck "
            "have nothing to find). Use model.sample(X, y) for its posterior, then "
            "br.compare(idata) on posterior summaries (mean, median, HDI, shrinkage factors "
            "kappa_j, m_eff); for a sparse point estimate, the MAP of a Laplace prior.")


class GlobalLocalPrior(HierarchicalPrior):
    """Common options of the horseshoe family (not registered: a base class).

    ``global_scale`` A: ``tau ~ C+(0, A)`` (``* sigma`` when ``relative_to_sigma``), or
    ``tau = A`` when ``fix_global``; ``w_j | . ~ N(0, tau^2 lambda_j^2 [sigma^2])``."""

    _default_global_scale = 1.0
    #: the half-Cauchy scales give the marginal prior an infinite variance
    finite_variance = False

    def _init_global(self, global_scale, fix_global, relative_to_sigma) -> None:
        name = type(self).__name__
        self.relative_to_sigma = check_bool(relative_to_sigma, f"{name}.relative_to_sigma")
        self.fix_global = check_bool(fix_global, f"{name}.fix_global")
        self.global_scale = (None if global_scale is None else
                             float(check_scale(global_scale, f"{name}.global_scale", False)))

    @property
    def _A(self) -> float:
        return self._default_global_scale if self.global_scale is None else self.global_scale

    @property
    def scales_with_sigma(self) -> bool:
        return self.relative_to_sigma

    def _sigma2(self, sigma):
        """``sigma^2`` with a trailing axis (to multiply ``(..., p)`` arrays), or 1."""
        if not self.relative_to_sigma:
            return 1.0
        return np.asarray(1.0 if sigma is None else sigma, dtype=float)[..., None] ** 2

    def mode_unavailable(self) -> str:
        return no_mode_message(
            type(self).__name__,
            "its marginal prior density on each coefficient is infinite at w = 0 (it grows like "
            "log(1 / |w|), Carvalho, Polson & Scott 2010)")

    def with_strength(self, c: float):
        raise NotSupportedError(f"{type(self).__name__} has no penalty strength to scale (no "
                                "MAP, no regularization path): change global_scale instead.")

    @property
    def path_scale(self):
        return self._A

    def logpdf(self, w, sigma: float = 1.0, **hyper):
        """Conditional log density ``log N(w_j; 0, v_j)`` given the hyperparameters (``tau``
        unless fixed, ``lambda``, ...), elementwise; the hyperprior terms are in
        :meth:`joint_logpdf`."""
        w = np.asarray(w, dtype=float)
        missing = [h for h in self.hyper_names if h not in hyper]
        if missing:
            raise NotSupportedError(
                f"{type(self).__name__} has no closed-form marginal density on w used here: pass "
                f"{', '.join(missing)}=... to evaluate the conditional log p(w | hyper), or use "
                "joint_logpdf.")
        v = self._variance({h: np.asarray(hyper[h], dtype=float) for h in self.hyper_names},
                           sigma)
        return -0.5 * w * w / v - 0.5 * np.log(v) - 0.5 * LOG_2PI

    def conditional_variance(self, hyper, sigma=None):
        return self._variance({h: np.asarray(hyper[h], dtype=float) for h in self.hyper_names},
                              sigma)


# --------------------------------------------------------------------------- Gibbs (numba)
@njit(cache=True, nogil=True)
def _ig(a, b, rng):
    """IG(a, b) draw, clipped to [_VMIN, _VMAX]."""
    g = rng.gamma(a, 1.0)
    x = b / g if g > 0 else _VMAX
    return min(max(x, _VMIN), _VMAX)


@njit(cache=True, nogil=True)
def _gig_logf(u, args):
    """``a u - b e^u - c e^-u``: the log density of u = log x for x ∝ x^(a - 1) exp(-b x - c / x)
    (concave in u); ``args = (a, b, c)``."""
    a, b, c = args
    return a * u - b * np.exp(u) - c * np.exp(-u)


#: one slice update of u = log x for the generalized inverse Gaussian kernel of ``_gig_logf``
gig_log_slice = slice_sampler(_gig_logf)


@njit(cache=True, nogil=True)
def _hs_fill_prec(latent, params, prec, sigma):
    p = prec.shape[0]
    s2 = sigma * sigma if params[1] > 0 else 1.0
    t2 = latent[4 * p]
    for j in range(p):
        v = t2 * latent[j] * s2
        prec[j] = 1.0 / min(max(v, _VMIN), _VMAX)


@njit(cache=True, nogil=True)
def hs_init(latent, params, prec, sigma, rng):
    """Start at ``lambda_j = 1``, ``tau = A`` and the auxiliaries at 1."""
    p = prec.shape[0]
    A = params[0]
    for j in range(4 * p):
        latent[j] = 1.0
    latent[4 * p] = A * A
    latent[4 * p + 1] = A * A
    _hs_fill_prec(latent, params, prec, sigma)


@njit(cache=True, nogil=True)
def hs_update(latent, params, w, sigma, prec, rng):
    """One sweep of the module docstring's conditionals, then ``prec``."""
    p = prec.shape[0]
    A = params[0]
    s2 = sigma * sigma if params[1] > 0 else 1.0
    fix_global = params[2] > 0
    plus = params[3] > 0
    t2 = latent[4 * p]
    for j in range(p):
        lam2 = _ig(1.0, 1.0 / latent[p + j] + w[j] * w[j] / (2.0 * t2 * s2), rng)
        latent[j] = lam2
        if plus:
            e2 = latent[2 * p + j]
            latent[p + j] = _ig(1.0, 1.0 / e2 + 1.0 / lam2, rng)
            e2 = _ig(1.0, 1.0 / latent[p + j] + 1.0 / latent[3 * p + j], rng)
            latent[2 * p + j] = e2
            latent[3 * p + j] = _ig(1.0, 1.0 + 1.0 / e2, rng)
        else:
            latent[p + j] = _ig(1.0, 1.0 + 1.0 / lam2, rng)
    if not fix_global:
        ss = 0.0
        for j in range(p):
            ss += w[j] * w[j] / latent[j]
        t2 = _ig(0.5 * (p + 1), 1.0 / latent[4 * p + 1] + ss / (2.0 * s2), rng)
        latent[4 * p] = t2
        latent[4 * p + 1] = _ig(1.0, 1.0 / (A * A) + 1.0 / t2, rng)
    if not fix_global and params[4] > 0:
        # interweaving step: tau^2 | rho = tau^2 lambda^2 fixed (module docstring)
        b = 0.0
        for j in range(p):
            b += 1.0 / (latent[p + j] * t2 * latent[j])
        u = gig_log_slice(np.log(t2), (0.5 * (p - 1), b, 1.0 / latent[4 * p + 1]), rng, 1.0,
                            -np.inf, np.inf)
        t2n = min(max(np.exp(u), _VMIN), _VMAX)
        for j in range(p):
            latent[j] = min(max(latent[j] * t2 / t2n, _VMIN), _VMAX)
        latent[4 * p] = t2n
    _hs_fill_prec(latent, params, prec, sigma)


@njit(cache=True, nogil=True)
def hs_sigma_terms(latent, params, w, out):
    """``p`` and ``sum_j w_j^2 / (tau^2 lambda_j^2)`` when relative to sigma, else zeros."""
    p = w.shape[0]
    if params[1] > 0:
        t2 = latent[4 * p]
        s = 0.0
        for j in range(p):
            s += w[j] * w[j] / (t2 * latent[j])
        out[0] = float(p)
        out[1] = s
    else:
        out[0] = 0.0
        out[1] = 0.0


@njit(cache=True, nogil=True)
def hs_record(latent, params, out):
    """``[tau] + lambda (p) [+ eta (p)]`` in the order of ``hyper_names``."""
    p = (latent.shape[0] - 2) // 4
    k = 0
    if params[2] <= 0:
        out[0] = np.sqrt(latent[4 * p])
        k = 1
    for j in range(p):
        out[k + j] = np.sqrt(latent[j])
    if params[3] > 0:
        for j in range(p):
            out[k + p + j] = np.sqrt(latent[2 * p + j])


@njit(cache=True, nogil=True)
def hs_global_get(latent, params, sigma, d):
    """``v_j = tau^2 d_j``, ``d_j = lambda_j^2 [sigma^2]``; ``log tau^2`` (NaN: tau fixed)."""
    p = d.shape[0]
    if params[2] > 0:
        return np.nan
    s2 = sigma * sigma if params[1] > 0 else 1.0
    for j in range(p):
        d[j] = latent[j] * s2
    return np.log(latent[4 * p])


@njit(cache=True, nogil=True)
def hs_global_logprior(latent, params, u):
    """``log IG(e^u; 1/2, 1/xi) + u`` (the Makalic-Schmidt auxiliary xi fixed)."""
    p = (latent.shape[0] - 2) // 4
    return -0.5 * u - np.exp(-u) / latent[4 * p + 1]


@njit(cache=True, nogil=True)
def hs_global_set(latent, params, u, sigma, prec):
    p = prec.shape[0]
    latent[4 * p] = min(max(np.exp(u), _VMIN), _VMAX)
    _hs_fill_prec(latent, params, prec, sigma)


def horseshoe_face(n_coef: int, global_scale: float, rel: bool, fix_global: bool, plus: bool,
                   *, interweave: bool = True, marginal: bool = True) -> GibbsFace:
    """The :class:`GibbsFace` of the horseshoe (``plus=False``) or horseshoe+ prior.

    tau^2 is updated given the coefficients (``tau^2 | w, lambda, xi``, always), then, when
    ``interweave``, along fixed ``tau^2 lambda_j^2`` (module docstring), and, when
    ``marginal``, at the start of each sweep with the coefficients integrated out
    (``GibbsFace.global_*``: one eigendecomposition per sweep). Each is exact; the options
    only trade mixing for cost (benchmarks/RESULTS_shrinkage.md)."""
    from .base import no_global_get, no_global_logprior, no_global_set

    params = np.array([float(global_scale), float(rel), float(fix_global), float(plus),
                       float(interweave)])
    if not marginal:
        return GibbsFace(params=params, n_latent=4 * n_coef + 2, init=hs_init,
                         update=hs_update, sigma_terms=hs_sigma_terms, record=hs_record,
                         global_get=no_global_get, global_logprior=no_global_logprior,
                         global_set=no_global_set)
    return GibbsFace(params=params, n_latent=4 * n_coef + 2, init=hs_init, update=hs_update,
                     sigma_terms=hs_sigma_terms, record=hs_record, global_get=hs_global_get,
                     global_logprior=hs_global_logprior, global_set=hs_global_set)
