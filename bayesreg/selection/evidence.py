"""Empirical Bayes choices of the prior scale (type-II maximum likelihood).

* **Gaussian x Normal, exact** (:func:`ridge_log_evidence`, :func:`ridge_eb`). With the flat
  intercept integrated out, weighted-centered ``X~, y~`` (weights ``sw``, ``S = sum(sw)``,
  ``i = 1`` with an intercept, else 0) and the singular values ``d_k`` and rotated responses
  ``z_k`` of ``sqrt(sw) X~ D`` (``D = diag(tau_j / tau)``: the per-coefficient ratios)::

      log p(y | tau, sigma) = -(S - i)/2 log(2 pi sigma^2) - (i/2) log S
                              - 1/2 sum_k log(1 + tau^2 d_k^2 / sigma^2) - Q / (2 sigma^2)
      Q = ||sqrt(sw) y~||^2 - sum_k z_k^2 tau^2 d_k^2 / (sigma^2 + tau^2 d_k^2)

  maximized over (tau, sigma) (sigma profiled: ``sigma^2 = Q / (S - i)``; a fixed sigma is
  kept) by a grid search then Brent's method on ``log(tau^2 / sigma^2)``. No prior on sigma or
  tau enters (type-II ML); scikit-learn's BayesianRidge with ``alpha_1 = alpha_2 = lambda_1 =
  lambda_2 = 0`` maximizes the same evidence, without an intercept integral (``i = 0`` on
  centered data).
* **Gaussian x any prior with a Gibbs face** (Laplace, BayesianLasso, ElasticNetPrior):
  Monte Carlo EM (Park & Casella 2008, section 3.1) on the exact Gibbs sampler. Iteration ``t``
  draws ``(w, sigma) ~ p(w, sigma | y, s_t)`` and sets ``s_{t+1} = argmax_s mean_draws
  log p(w | s, sigma)`` (the prior's ``joint_logpdf`` at the scaled prior; for the Laplace
  kernel ``s = mean sum_j |w_j| / sigma / p``). Its fixed point is the maximizer of the
  marginal likelihood ``p(y | s)`` (sigma integrated under its prior); the estimate is the
  geometric mean of the second half of the trace, returned with the trace.
* **Any likelihood with a smooth (L2) prior: Laplace approximation** (:func:`laplace_log_evidence`)
  at the MAP ``(b0^, w^)``::

      log p(y | s) ~= log p(y, w^, b0^ | s) + (d/2) log(2 pi) - 1/2 log det H

  with ``H = [1 X]' diag(h) [1 X] + diag(0, 1 / s_j^2)`` the Hessian of the negative log
  posterior (``h`` the likelihood's curvature) and ``d = p + i``. Exact for a Gaussian with a
  fixed sigma; an approximation otherwise (stated in the result). An L1 prior's MAP sits on a
  kink, where the approximation is undefined: not offered.
"""

from __future__ import annotations

import numpy as np
from scipy import optimize

from .._errors import NotSupportedError
from .._validation import LOG_2PI, seed_sequence
from ..penalties import require_penalty
from .cv import path_scale, prior_at_scale

__all__ = ["ridge_log_evidence", "ridge_eb", "mcem_eb", "laplace_log_evidence", "smooth_prior",
           "has_closed_form_eb"]


def _scale_ratios(prior, p: int) -> np.ndarray:
    """``tau_j / tau`` of a Normal-type (pure L2) prior (penalty weights ``1 / tau_j^2``)."""
    _, l2 = require_penalty(prior, p).weights
    tau = 1.0 / np.sqrt(l2)
    return tau / np.max(tau)


def smooth_prior(prior, p: int) -> bool:
    """True when the prior has a penalty face with no L1 part (a Gaussian prior)."""
    try:
        pen = prior.as_penalty(p)
    except Exception:  # noqa: BLE001
        return False
    if pen is None:
        return False
    l1, l2 = pen.weights
    return bool(np.all(l1 == 0) and np.all(l2 > 0))


def has_closed_form_eb(lik, prior, p: int) -> bool:
    """Gaussian (least-squares face) x Gaussian prior: the evidence is in closed form."""
    return hasattr(lik, "quadratic_weight") and lik.gibbs_kind() == "gaussian" \
        and smooth_prior(prior, p)


class _RidgeSpectrum:
    """Singular values and rotated responses of the weighted, centered, ratio-scaled design."""

    def __init__(self, X, y, sw, fit_intercept, ratios):
        X = X.toarray() if hasattr(X, "toarray") else np.asarray(X, dtype=float)
        S = float(sw.sum())
        if fit_intercept:
            xbar = sw @ X / S
            ybar = float(sw @ y / S)
        else:
            xbar, ybar = np.zeros(X.shape[1]), 0.0
        v = np.sqrt(sw)
        Xt = (X - xbar) * v[:, None] * ratios[None, :]
        yt = (y - ybar) * v
        U, d, _ = np.linalg.svd(Xt, full_matrices=False)
        keep = d > d.max(initial=0.0) * 1e-12
        self.d2 = d[keep] ** 2
        self.z2 = (U[:, keep].T @ yt) ** 2
        self.yy = float(yt @ yt)
        self.S = S
        self.i = 1 if fit_intercept else 0

    def log_evidence(self, tau, sigma):
        t2, s2 = np.asarray(tau, float) ** 2, np.asarray(sigma, float) ** 2
        r = t2 / s2
        Q = self.yy - np.sum(self.z2 * r * self.d2 / (1.0 + r * self.d2))
        return (-(self.S - self.i) / 2 * (LOG_2PI + np.log(s2)) - self.i / 2 * np.log(self.S)
                - 0.5 * np.sum(np.log1p(r * self.d2)) - Q / (2 * s2))

    def sigma_hat(self, r):
        Q = self.yy - np.sum(self.z2 * r * self.d2 / (1.0 + r * self.d2))
        return float(np.sqrt(max(Q, 1e-300) / (self.S - self.i)))


def ridge_log_evidence(X, y, sw, fit_intercept, tau, sigma, ratios=None) -> float:
    """The exact log marginal likelihood of Gaussian x Normal (module docstring), at prior sd
    ``tau`` (the largest per-coefficient sd; ``ratios = tau_j / tau``) and noise sd ``sigma``."""
    p = X.shape[1]
    ratios = np.ones(p) if ratios is None else np.asarray(ratios, float)
    return float(_RidgeSpectrum(X, y, sw, fit_intercept, ratios).log_evidence(tau, sigma))


def ridge_eb(lik, prior, X, y, sw, fit_intercept) -> dict:
    """Exact type-II ML of ``(tau, sigma)`` (sigma only when the likelihood estimates it)."""
    p = X.shape[1]
    spec = _RidgeSpectrum(X, y, sw, fit_intercept, _scale_ratios(prior, p))
    free = bool(getattr(lik, "free_params", ()))
    if spec.d2.size == 0:
        raise NotSupportedError("the centered design has rank 0: the evidence does not depend "
                                "on the prior scale.")
    base = 1.0 / float(np.mean(spec.d2))
    if free:
        def neg(t):  # t = log(tau^2 / sigma^2), sigma profiled
            r = np.exp(t)
            return -float(spec.log_evidence(np.sqrt(r) * spec.sigma_hat(r), spec.sigma_hat(r)))
    else:
        sigma = float(lik.sigma)

        def neg(t):  # t = log(tau^2 / sigma^2)
            return -float(spec.log_evidence(np.sqrt(np.exp(t)) * sigma, sigma))
    grid = np.log(base) + np.linspace(-25.0, 25.0, 201)
    vals = np.array([neg(t) for t in grid])
    k = int(np.argmin(vals))
    boundary = k in (0, grid.size - 1)
    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, grid.size - 1)]
    res = optimize.minimize_scalar(neg, bounds=(lo, hi), method="bounded",
                                   options={"xatol": 1e-10})
    r = float(np.exp(res.x))
    sigma = spec.sigma_hat(r) if free else float(lik.sigma)
    tau = float(np.sqrt(r) * sigma)
    note = ("exact: closed-form marginal likelihood (intercept integrated under its flat prior), "
            "maximized over the prior scale" + (" and sigma" if free else ""))
    if boundary:
        note += "; the maximum is at the edge of the searched range (the evidence is flat there)"
    grid_r = np.exp(grid)
    return {"scale": tau, "sigma": sigma, "log_evidence": float(-res.fun), "method": "exact",
            "note": note, "boundary": boundary, "_spectrum": spec,
            "_grid": (grid_r, vals)}


def laplace_log_evidence(lik, prior, X, y, sw, fit_intercept, result) -> float:
    """Laplace approximation of ``log p(y | prior)`` at the MAP ``result`` (module docstring);
    needs a smooth prior and a likelihood without free parameters."""
    p = X.shape[1]
    if not smooth_prior(prior, p):
        raise NotSupportedError("the Laplace approximation of the evidence needs a smooth (L2) "
                                "prior: an L1 prior's MAP sits on a kink of the posterior.")
    if getattr(lik, "free_params", ()):
        raise NotSupportedError(f"{type(lik).__name__} with free parameters "
                                f"{lik.free_params}: fix them for the Laplace evidence.")
    Xd = X.toarray() if hasattr(X, "toarray") else np.asarray(X, dtype=float)
    eta = result.intercept + Xd @ result.coef
    h = lik.curvature(y, eta, sw)
    _, l2 = require_penalty(prior, p).weights
    A = Xd if not fit_intercept else np.c_[np.ones(Xd.shape[0]), Xd]
    H = A.T @ (A * h[:, None])
    if fit_intercept:
        H[1:, 1:] += np.diag(l2)
    else:
        H += np.diag(l2)
    sign, logdet = np.linalg.slogdet(H)
    if sign <= 0:
        return -np.inf
    d = H.shape[0]
    return float(result.log_posterior + 0.5 * d * LOG_2PI - 0.5 * logdet)


def laplace_eb(model, X, y, sw, path, tol=1e-8) -> dict:
    """Maximize the Laplace-approximate evidence: over the path's grid, then Brent's method on
    ``log scale`` between the grid neighbours of the best point (MAP warm-started)."""
    lik, fi = model.likelihood, model.fit_intercept
    vals = np.array([laplace_log_evidence(lik, pr, X, y, sw, fi, r)
                     for pr, r in zip(path.priors, path.results)])
    k = int(np.nanargmax(vals))
    scales = path.scales
    lo, hi = np.log(scales[max(k - 1, 0)]), np.log(scales[min(k + 1, scales.size - 1)])
    cache = {}

    def neg(t):
        pr = prior_at_scale(model.prior, float(np.exp(t)))
        m = type(model)(likelihood=lik, prior=pr, fit_intercept=fi)
        r = m.map(X, y, sample_weight=sw, tol=tol, warm_start=path.results[k])
        v = laplace_log_evidence(lik, pr, X, y, sw, fi, r)
        cache[t] = v
        return -v

    res = optimize.minimize_scalar(neg, bounds=(lo, hi), method="bounded",
                                   options={"xatol": 1e-6})
    best = float(np.exp(res.x))
    return {"scale": best, "sigma": getattr(lik, "sigma", None), "log_evidence": float(-res.fun),
            "method": "laplace",
            "note": "approximate: Laplace approximation of the marginal likelihood at the MAP "
                    "(Gaussian approximation of the posterior of (intercept, coef))",
            "boundary": k in (0, scales.size - 1), "_grid": (scales, vals)}


def mcem_eb(model, X, y, sw, *, scale0=None, n_iter: int = 30, draws: int = 400,
            tune: int = 200, random_seed=None) -> dict:
    """Park & Casella's Monte Carlo EM on the Gibbs sampler (module docstring)."""
    import scipy.sparse as sp

    from ..samplers import gibbs_draws, wide_rows
    from ..suffstats import SuffStats

    lik, prior, fi = model.likelihood, model.prior, model.fit_intercept
    p = X.shape[1]
    if prior.gibbs_face(p) is None or lik.gibbs_kind() != "gaussian":
        raise NotSupportedError(
            f"Monte Carlo EM needs the Gibbs sampler (a Gaussian likelihood and a prior with Gibbs "
            f"conditionals); {type(lik).__name__} x {type(prior).__name__} has none.")
    if not sp.issparse(X) and p > X.shape[0]:
        stats, rows = wide_rows(X, y, sw, fi)
    else:
        stats, rows = SuffStats.from_rows(X, y, sw, fi), None
    res_lik = lik.resolved(y, sw)
    s_prior = getattr(res_lik, "sigma_prior_scale", None) if res_lik.free_params else None
    s = float(scale0) if scale0 is not None else path_scale(prior)
    seeds = seed_sequence(random_seed).spawn(n_iter)
    trace = [s]
    for t in range(n_iter):
        pr = prior_at_scale(prior, s)
        m = type(model)(likelihood=lik, prior=pr, fit_intercept=fi)
        post, _ = gibbs_draws(m, stats, draws=draws, tune=tune, chains=1, random_seed=seeds[t],
                              sigma_prior_scale=s_prior, rows=rows)
        W = post["coef"].reshape(-1, p)
        SIG = post["sigma"].reshape(-1) if "sigma" in post else np.full(W.shape[0], lik.sigma)

        def q(u, pr=pr, W=W, SIG=SIG):  # u = log of the strength multiplier
            return -float(np.mean(pr.with_strength(float(np.exp(u))).joint_logpdf(W, sigma=SIG)))

        res = optimize.minimize_scalar(q, bounds=(-12.0, 12.0), method="bounded",
                                       options={"xatol": 1e-9})
        s = path_scale(pr.with_strength(float(np.exp(res.x))))
        trace.append(s)
    tr = np.array(trace)
    half = tr[1 + n_iter // 2:] if n_iter > 1 else tr[1:]
    est = float(np.exp(np.mean(np.log(half))))
    sigma = float(np.median(SIG))
    return {"scale": est, "sigma": sigma if "sigma" in post else getattr(lik, "sigma", None),
            "log_evidence": None, "method": "mcem", "trace": tr,
            "mcse": float(est * np.std(np.log(half), ddof=1) / np.sqrt(half.size))
            if half.size > 1 else np.nan,
            "note": f"Monte Carlo EM (Park & Casella 2008): {n_iter} iterations of {draws} Gibbs "
                    "draws; estimate = geometric mean of the second half of the trace"
                    + ("; sigma_eb = posterior median of sigma at the last iteration"
                       if "sigma" in post else ""),
            "boundary": False}
