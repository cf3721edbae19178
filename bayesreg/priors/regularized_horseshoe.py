"""The regularized horseshoe (Piironen & Vehtari 2017), parametrized exactly like rstanarm's hs().

Density:  w_j | lambda_j, tau, c2 ~ N(0, tau^2 lt_j^2),  lt_j^2 = c2 lambda_j^2 / (c2 + tau^2 lambda_j^2)
          lambda_j ~ t+_{local_df}(0, 1),  tau ~ t+_{global_df}(0, global_scale [* sigma]),
          c2 ~ InvGamma(slab_df / 2, slab_df slab_scale^2 / 2)
Penalty:  none: the marginal density is infinite at w = 0, there is no finite MAP
PyMC:     non-centered as rstanarm: coef = z * tau * lt, z ~ N(0, 1)
Gibbs:    none (the slab breaks the inverse-gamma conjugacy of tau and lambda): NUTS
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
    Posterior variables ``tau``, ``lambda`` (per coefficient), ``c2``. No MAP; no Gibbs face:
    sample with NUTS (nutpie / PyMC).
    """

    _params = ("global_scale", "expected_nonzero", "slab_scale", "slab_df", "local_df",
               "global_df", "relative_to_sigma")
    hyper_names = ("tau", "lambda", "c2")
    vector_hypers = ("lambda",)
    cli_options = {"global_scale": "global_scale", "expected_nonzero": "expected_nonzero",
                   "slab_scale": "slab_scale", "slab_df": "slab_df", "local_df": "local_df",
                   "global_df": "global_df"}
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
