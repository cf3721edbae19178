"""The regularized horseshoe (Piironen & Vehtari 2017), parametrized exactly like rstanarm's hs().

Density:  w_j | lambda_j, tau, c2 ~ N(0, tau^2 lt_j^2),  lt_j^2 = c2 lambda_j^2 / (c2 + tau^2 lambda_j^2)
          lambda_j ~ t+_{local_df}(0, 1),  tau ~ t+_{global_df}(0, global_scale [* sigma]),
          c2 ~ InvGamma(slab_df / 2, slab_df slab_scale^2 / 2)
Penalty:  none: the marginal density is infinite at w = 0, there is no finite MAP
PyMC:     non-centered as rstanarm: coef = z * tau * lt, z ~ N(0, 1)
Gibbs:    any degrees of freedom: the inverse-gamma auxiliaries of the half-t (Wand et al.
          2011); the slab's factor sqrt(a_j + c2) handled by a Metropolis-Hastings step per
          lambda_j and slice steps for tau^2 and c2 (exact chain; end of this file)
"""

from __future__ import annotations

import numpy as np

from .._errors import NotSupportedError, ParameterError
from ._shrinkage import LOG_2PI, GlobalLocalPrior, check_df, halft_logpdf, invgamma_logpdf
from .base import register_prior

__all__ = ["RegularizedHorseshoe"]

#: rstanarm hs()'s default global_scale
RSTANARM_GLOBAL_SCALE = 0.01


@register_prior
class RegularizedHorseshoe(GlobalLocalPrior):
    """The regularized ("Finnish") horseshoe of Piironen & Vehtari (2017).

    Joint log density over ``(w, tau, lambda, c2)`` (:meth:`joint_logpdf`)::

        sum_j [log N(w_j; 0, tau^2 lt_j^2) + log t+(lambda_j; local_df, 1)]
        + log t+(tau; global_df, A [* sigma]) + log InvGamma(c2; slab_df/2, slab_df slab_scale^2/2)

    with ``lt_j^2 = c2 lambda_j^2 / (c2 + tau^2 lambda_j^2)`` and ``t+(x; nu, s)`` the
    half-Student-t density. Far below the slab (``tau lambda_j << c``) it is the horseshoe;
    large coefficients are shrunk like under ``N(0, c2)`` (a Student-t_{slab_df} slab of scale
    ``slab_scale`` after integrating c2).

    **Correspondence with rstanarm** ``hs(df, global_df, global_scale, slab_df, slab_scale)``
    (``tparameters_glm.stan``, ``priors_glm.stan``, function ``hs_prior``), line by line:

    - ``df`` -> ``local_df``; ``global_df`` -> ``global_df``; ``slab_df``, ``slab_scale`` ->
      the same names; ``global_scale`` -> ``global_scale`` (both default to 0.01).
    - ``z_beta ~ normal(0, 1)`` -> the PyMC variable ``coef_raw = w / (tau lt)``.
    - ``local[1] ~ N+(0, 1)``, ``local[2] ~ IG(df/2, df/2)``, ``lambda = local[1] .*
      sqrt(local[2])`` -> ``lambda ~ t+_{local_df}(0, 1)`` (the same law, integrated).
    - ``global[1] ~ N+(0, 1)``, ``global[2] ~ IG(global_df/2, global_df/2)``, ``tau =
      global[1] * sqrt(global[2]) * global_scale * error_scale`` -> ``tau ~
      t+_{global_df}(0, global_scale * sigma)``.
    - ``error_scale = aux`` (sigma) for the Gaussian family, 1 otherwise ->
      ``relative_to_sigma=True`` (Gaussian) / ``False`` (Bernoulli, Poisson).
    - ``caux ~ IG(slab_df/2, slab_df/2)``, ``c2 = slab_scale^2 * caux`` -> ``c2 ~
      InvGamma(slab_df/2, slab_df slab_scale^2 / 2)``.
    - ``lambda_tilde = sqrt(c2 lambda^2 ./ (c2 + tau^2 lambda^2))`` -> the same ``lt``;
      ``beta = z_beta .* lambda_tilde * tau`` -> ``w = z * lt * tau``.

    So for the Gaussian likelihood the *global* scale is multiplied by sigma, the slab is not
    (``c`` is on the coefficients' own scale). rstanarm's autoscaling does not touch ``hs()``'s
    parameters; bayesreg standardizes nothing either: pass standardized X for the defaults to
    mean what they say.

    Parameters
    ----------
    global_scale : float or None
        A. ``None`` with ``expected_nonzero=None``: rstanarm's default 0.01.
    expected_nonzero : float or None
        ``p0``, a prior guess of the number of non-zero coefficients: at fit time (``bind_data``)
        ``global_scale = p0 / (p - p0) / sqrt(n)`` (Piironen & Vehtari 2017, eq. 3.12), times a
        known ``sigma`` when the prior is not relative to sigma (e.g. a pseudo-sigma for a
        logistic model; relative to sigma, the model multiplies by its own sigma). Exclusive
        with ``global_scale``; needs ``0 < p0 < p``.
    slab_scale, slab_df : float
        Scale and degrees of freedom of the slab (rstanarm defaults 2.5 and 4).
    local_df, global_df : float
        Degrees of freedom of the half-t on lambda and tau (1 = half-Cauchy, the horseshoe).
    relative_to_sigma : bool, default True
        ``tau``'s scale is ``global_scale * sigma`` (rstanarm for the Gaussian family); False
        for Bernoulli / Poisson (rstanarm's ``error_scale = 1``).

    Notes
    -----
    Posterior variables ``tau``, ``lambda`` (per coefficient), ``c2``. No MAP.
    ``sampler="gibbs"`` runs an exact Gibbs sampler for any ``local_df``, ``global_df``,
    ``slab_df`` (see :meth:`gibbs_face`); NUTS (nutpie / PyMC) otherwise.
    """

    _params = ("global_scale", "expected_nonzero", "slab_scale", "slab_df", "local_df",
               "global_df", "relative_to_sigma")
    hyper_names = ("tau", "lambda", "c2")
    vector_hypers = ("lambda",)
    cli_options = {"global_scale": "global_scale", "expected_nonzero": "expected_nonzero",
                   "slab_scale": "slab_scale", "slab_df": "slab_df", "local_df": "local_df",
                   "global_df": "global_df", "relative_to_sigma": "has_noise_scale"}
    _default_global_scale = RSTANARM_GLOBAL_SCALE

    def __init__(self, global_scale: float | None = None, expected_nonzero: float | None = None,
                 slab_scale: float = 2.5, slab_df: float = 4.0, local_df: float = 1.0,
                 global_df: float = 1.0, relative_to_sigma: bool = True) -> None:
        if global_scale is not None and expected_nonzero is not None:
            raise ParameterError(
                f"RegularizedHorseshoe got global_scale={global_scale!r} and expected_nonzero="
                f"{expected_nonzero!r}: give one (expected_nonzero=p0 sets global_scale = p0 / "
                "(p - p0) / sqrt(n) at fit time).")
        self._init_global(global_scale, False, relative_to_sigma)
        self.expected_nonzero = (None if expected_nonzero is None else
                                 check_df(expected_nonzero, "RegularizedHorseshoe.expected_nonzero"))
        self.slab_scale = check_df(slab_scale, "RegularizedHorseshoe.slab_scale")
        self.slab_df = check_df(slab_df, "RegularizedHorseshoe.slab_df")
        self.local_df = check_df(local_df, "RegularizedHorseshoe.local_df")
        self.global_df = check_df(global_df, "RegularizedHorseshoe.global_df")

    @property
    def finite_variance(self) -> bool:
        """``tau^2 lt_j^2 < c2``: the variance is finite when E[c2] is (slab_df > 2)."""
        return self.slab_df > 2

    def bind_data(self, n, p, sigma=None):
        """With ``expected_nonzero=p0``: a copy with ``global_scale = p0 / (p - p0) / sqrt(n)``
        (``* sigma`` when not relative to sigma and ``sigma`` is given); else ``self``."""
        if self.expected_nonzero is None:
            return self
        p0 = self.expected_nonzero
        if not p0 < p:
            raise ParameterError(
                f"RegularizedHorseshoe.expected_nonzero={p0!r} must be < p = {p} (the number of "
                "coefficients): global_scale = p0 / (p - p0) / sqrt(n) needs 0 < p0 < p.")
        scale = p0 / (p - p0) / np.sqrt(n)
        if not self.relative_to_sigma and sigma is not None:
            scale *= float(sigma)
        return self._replace(global_scale=float(scale), expected_nonzero=None)

    def _replace(self, **kw) -> RegularizedHorseshoe:
        args = {k: getattr(self, k) for k in self._params}
        args.update(kw)
        return type(self)(**args)

    @property
    def _A(self) -> float:
        if self.expected_nonzero is not None:
            raise NotSupportedError(
                f"RegularizedHorseshoe(expected_nonzero={self.expected_nonzero!r}) has no global "
                "scale until it knows n and p: use prior.bind_data(n, p[, sigma]) (every fit "
                "does this itself).")
        return super()._A

    def _tau_scale(self, sigma):
        s = self._A
        if self.relative_to_sigma:
            s = s * np.asarray(1.0 if sigma is None else sigma, dtype=float)
        return s

    def _variance(self, hyper, sigma=None):
        lam2 = np.asarray(hyper["lambda"], dtype=float) ** 2
        t2 = np.asarray(hyper["tau"], dtype=float)[..., None] ** 2
        c2 = np.asarray(hyper["c2"], dtype=float)[..., None]
        return t2 * c2 * lam2 / (c2 + t2 * lam2)

    def joint_logpdf(self, W, sigma=None, **hyper):
        """The joint log density of the class docstring, per draw (``tau``, ``c2``: ``(...)``;
        ``lambda``: ``(..., p)``; ``sigma`` broadcasts like ``tau``)."""
        W = np.asarray(W, dtype=float)
        v = self._variance(hyper)
        lp = np.sum(-0.5 * W * W / v - 0.5 * np.log(v) - 0.5 * LOG_2PI
                    + halft_logpdf(hyper["lambda"], self.local_df, 1.0), axis=-1)
        a = 0.5 * self.slab_df
        return (lp + halft_logpdf(hyper["tau"], self.global_df, self._tau_scale(sigma))
                + invgamma_logpdf(hyper["c2"], a, a * self.slab_scale ** 2))

    def hyper_example(self, n_coef):
        return {"tau": np.array(0.4), "lambda": np.linspace(0.5, 1.6, n_coef),
                "c2": np.array(2.2)}

    def to_pymc(self, name, dims=None, shape=None, sigma=None):
        import pymc as pm
        import pytensor.tensor as pt

        size = {"dims": dims} if dims is not None else {"shape": shape}
        pre = "" if name == "coef" else f"{name}_"
        s = self._A
        if self.relative_to_sigma:
            if sigma is None:
                raise NotSupportedError(
                    "RegularizedHorseshoe(relative_to_sigma=True) multiplies the global scale by "
                    "a Gaussian likelihood's sigma; with Bernoulli/Poisson use "
                    "relative_to_sigma=False.")
            s = s * sigma
        tau = pm.HalfStudentT(f"{pre}tau", nu=self.global_df, sigma=s)
        lam = pm.HalfStudentT(f"{pre}lambda", nu=self.local_df, sigma=1.0, **size)
        a = 0.5 * self.slab_df
        c2 = pm.InverseGamma(f"{pre}c2", alpha=a, beta=a * self.slab_scale ** 2)
        z = pm.Normal(f"{name}_raw", 0.0, 1.0, **size)
        lt = pt.sqrt(c2 * lam ** 2 / (c2 + tau ** 2 * lam ** 2))
        return pm.Deterministic(name, z * lt * tau, **({"dims": dims} if dims is not None else {}))

    def gibbs_face(self, n_coef):
        """The exact Gibbs conditionals at the end of this file (the half-t's inverse-gamma
        auxiliaries, a Metropolis-Hastings step per local scale, slice steps for tau^2 and c2),
        for any ``local_df``, ``global_df`` and ``slab_df``."""
        return _rhs_face(self, n_coef)

    def pymc_values(self, coef, sigma=None, **hyper):
        sd = np.sqrt(self._variance(hyper))
        vals = {"coef_raw": np.asarray(coef, dtype=float) / sd, "tau": hyper["tau"],
                "lambda": hyper["lambda"], "c2": hyper["c2"]}
        return vals, float(np.sum(np.log(sd)))

    def draw_variances(self, n_coef, size, rng, sigma=1.0):
        A = self._A * (sigma if self.relative_to_sigma else 1.0)
        tau = A * np.abs(rng.standard_t(self.global_df, (size, 1)))
        lam = np.abs(rng.standard_t(self.local_df, (size, n_coef)))
        a = 0.5 * self.slab_df
        c2 = a * self.slab_scale ** 2 / rng.gamma(a, 1.0, (size, 1))
        return self._variance({"tau": tau[:, 0], "lambda": lam, "c2": c2[:, 0]})

    @classmethod
    def examples(cls):
        return [cls(0.5, slab_scale=1.0, slab_df=6.0, local_df=3.0, global_df=2.0,
                    relative_to_sigma=False)]


# --------------------------------------------------------------------------- Gibbs (numba)
# Any degrees of freedom nl = local_df, ng = global_df. The half-t as an inverse-gamma mixture
# (Wand, Ormerod, Padoan & Fruhwirth 2011): x ~ t+_nu(0, A) iff x^2 | a ~ IG(nu/2, nu/a),
# a ~ IG(1/2, 1/A^2) (nu = 1: the Makalic & Schmidt 2016 auxiliaries of the half-Cauchy). So
# lambda_j^2 | nu_j ~ IG(nl/2, nl/nu_j), nu_j ~ IG(1/2, 1), tau^2 | xi ~ IG(ng/2, ng/xi),
# xi ~ IG(1/2, 1/(A^2 s2)) (s2 = sigma^2 when relative, else 1; tau is on the coefficients'
# scale, its prior scale A sigma), and with a_j = tau^2 lambda_j^2,
#
#     p(w_j | a_j, c2) = N(w_j; 0, a_j c2 / (a_j + c2)) = N(w_j; 0, a_j) N(w_j; 0, c2) / N(0; 0, a_j + c2),
#
# the unregularized inverse-gamma conditionals hold up to the factor sqrt(a_j + c2):
#   lambda_j^2 | .  Metropolis-Hastings with the unregularized conditional IG((nl + 1)/2,
#                   nl/nu_j + w_j^2 / (2 tau^2)) as the proposal: accept with
#                   min(1, sqrt((a_j' + c2) / (a_j + c2)))
#   nu_j | .        ~ IG((nl + 1)/2, 1 + nl/lambda_j^2)       (exact)
#   tau^2 | .       slice sampling (Neal 2003) of log tau^2 on its exact conditional
#   xi | .          ~ IG((ng + 1)/2, 1/(A^2 s2) + ng/tau^2)   (exact)
#   c2 | .          slice sampling of log c2 on its exact conditional (InvGamma(slab_df/2,
#                   slab_df slab_scale^2/2) prior times prod_j p(w_j | a_j, c2))
# and sigma^2 gains 1 degree of freedom and the sum of squares 2 / (A^2 xi) from xi's prior
# (relative). Each step leaves the posterior invariant, so the chain is exact (no
# approximation; the MH and slice steps only cost mixing). ``params = [A, rel, slab_df,
# slab_scale, local_df, global_df]``; ``latent = [lambda^2 (p), nu (p), tau^2, xi, c2]``.
from numba import njit  # noqa: E402

from .._slice import slice_sampler  # noqa: E402
from ._shrinkage import _ig  # noqa: E402
from .base import GibbsFace  # noqa: E402

_VMIN, _VMAX = 1e-200, 1e200


@njit(cache=True, nogil=True)
def _rhs_fill_prec(latent, prec):
    p = prec.shape[0]
    t2, c2 = latent[2 * p], latent[2 * p + 2]
    for j in range(p):
        v = t2 * latent[j]
        prec[j] = 1.0 / min(max(v, _VMIN), _VMAX) + 1.0 / c2


@njit(cache=True, nogil=True)
def _rhs_loglik(w, latent, t2, c2):
    """sum_j log N(w_j; 0, v_j), v_j = a_j c2 / (a_j + c2), a_j = t2 lambda_j^2 (no 2 pi)."""
    s = 0.0
    for j in range(w.shape[0]):
        a = t2 * latent[j]
        v = a * c2 / (a + c2)
        v = min(max(v, _VMIN), _VMAX)
        s += -0.5 * np.log(v) - 0.5 * w[j] * w[j] / v
    return s


@njit(cache=True, nogil=True)
def _rhs_logf(u, args):
    """Log conditional density of u = log tau^2 (which = 0) or u = log c2 (which = 1);
    ``args = (which, latent, params, w)``."""
    which, latent, params, w = args
    p = w.shape[0]
    x = np.exp(u)
    if which == 0:
        ng = params[5]
        xi = latent[2 * p + 1]
        return -0.5 * ng * u - ng / (xi * x) + _rhs_loglik(w, latent, x, latent[2 * p + 2])
    a = 0.5 * params[2]
    b = a * params[3] * params[3]
    return -a * u - b / x + _rhs_loglik(w, latent, latent[2 * p], x)


#: one slice update (width 1 in log scale) of the density of ``_rhs_logf``
_rhs_slice = slice_sampler(_rhs_logf)


@njit(cache=True, nogil=True)
def rhs_init(latent, params, prec, sigma, rng):
    """Start at lambda_j = 1, tau = A [sigma], c2 = slab_scale^2, auxiliaries at 1 / tau^2."""
    p = prec.shape[0]
    s2 = sigma * sigma if params[1] > 0 else 1.0
    for j in range(2 * p):
        latent[j] = 1.0
    latent[2 * p] = params[0] * params[0] * s2
    latent[2 * p + 1] = 1.0 / latent[2 * p]  # xi at 1 / tau^2 (tau^2 | xi ~ IG(ng/2, ng/xi))
    latent[2 * p + 2] = params[3] * params[3]
    _rhs_fill_prec(latent, prec)


@njit(cache=True, nogil=True)
def rhs_update(latent, params, w, sigma, prec, rng):
    """One sweep of the conditionals above, then ``prec``."""
    p = prec.shape[0]
    A = params[0]
    s2 = sigma * sigma if params[1] > 0 else 1.0
    nl, ng = params[4], params[5]
    t2, c2 = latent[2 * p], latent[2 * p + 2]
    for j in range(p):
        prop = _ig(0.5 * (nl + 1.0), nl / latent[p + j] + w[j] * w[j] / (2.0 * t2), rng)
        if rng.random() < np.sqrt((t2 * prop + c2) / (t2 * latent[j] + c2)):
            latent[j] = prop
        latent[p + j] = _ig(0.5 * (nl + 1.0), 1.0 + nl / latent[j], rng)
    u = _rhs_slice(np.log(t2), (0, latent, params, w), rng, 1.0, -np.inf, np.inf)
    latent[2 * p] = min(max(np.exp(u), _VMIN), _VMAX)
    latent[2 * p + 1] = _ig(0.5 * (ng + 1.0), 1.0 / (A * A * s2) + ng / latent[2 * p], rng)
    u = _rhs_slice(np.log(c2), (1, latent, params, w), rng, 1.0, -np.inf, np.inf)
    latent[2 * p + 2] = min(max(np.exp(u), _VMIN), _VMAX)
    _rhs_fill_prec(latent, prec)


@njit(cache=True, nogil=True)
def rhs_sigma_terms(latent, params, w, out):
    """Relative: 1 degree of freedom and ``2 / (A^2 xi)`` (xi's IG(1/2, 1/(A^2 sigma^2)))."""
    p = w.shape[0]
    if params[1] > 0:
        out[0] = 1.0
        out[1] = 2.0 / (params[0] * params[0] * latent[2 * p + 1])
    else:
        out[0] = 0.0
        out[1] = 0.0


@njit(cache=True, nogil=True)
def rhs_record(latent, params, out):
    """``tau, lambda (p), c2`` (the order of ``hyper_names``)."""
    p = (latent.shape[0] - 3) // 2
    out[0] = np.sqrt(latent[2 * p])
    for j in range(p):
        out[1 + j] = np.sqrt(latent[j])
    out[p + 1] = latent[2 * p + 2]


def _rhs_face(prior: RegularizedHorseshoe, n_coef: int) -> GibbsFace:
    # unbound expected_nonzero (no n, p yet): the face only says that Gibbs is available;
    # every sampler binds the prior (bind_data) before it asks for the face it runs
    A = np.nan if prior.expected_nonzero is not None else prior._A
    params = np.array([A, float(prior.relative_to_sigma), prior.slab_df, prior.slab_scale,
                       prior.local_df, prior.global_df])
    return GibbsFace(params=params, n_latent=2 * n_coef + 3, init=rhs_init, update=rhs_update,
                     sigma_terms=rhs_sigma_terms, record=rhs_record)
