"""Dispatch a (likelihood, prior) pair to the solver that fits it, and assemble MAPResult.

==================  ====================  ==============================================
likelihood          prior                 solver (faces it needs)
==================  ====================  ==============================================
Gaussian(sigma)     Normal                closed form (penalty_weights, l1 = 0)
Gaussian(sigma)     Laplace / ElasticNet  coordinate descent, duality gap (penalty_weights)
Gaussian(None)      any of the above      block coordinate ascent: coef | sigma (closed form)
Bernoulli/Poisson   any of the above      OWL-QN / L-BFGS, then proximal Newton or Newton-CG
                                          if it stalls; paths: proximal Newton from warm
                                          starts (penalty_weights)
==================  ====================  ==============================================
"""

from __future__ import annotations

import functools
import warnings

import numpy as np

from .._errors import ConvergenceWarning, NotSupportedError
from ..likelihoods import Gaussian
from ..priors.base import Prior
from .enet import Design, solve_enet, xw
from .glm import solve_glm
from .result import MAPResult
from .ridge import solve_ridge

REQUIRED_PRIOR_FACES = ("penalty_weights", "log_normalizer")


def check_solver_faces(prior) -> None:
    """Fail clearly when a prior lacks the faces the penalized solvers need."""
    if not getattr(prior, "has_penalty_form", True):
        prior.penalty_weights(1)  # raises the prior's own explanation
    missing = [f for f in REQUIRED_PRIOR_FACES if not callable(getattr(prior, f, None))]
    if missing:
        raise NotSupportedError(f"{type(prior).__name__} has no {', '.join(missing)}: the MAP solvers "
                                "need a penalty form. Use model.sample() for this prior.")


def log_posterior(lik, prior, X, y, sw, coef, intercept, sigma=None, sigma_prior_scale=None,
                  rss=None, eta=None):
    """Exact un-normalized log posterior (all constants; flat intercept; no Jacobian).

    ``rss``: for a Gaussian likelihood, ``sum_i sw_i (y_i - intercept - x_i coef)^2`` when the
    caller already has it (paths get it from the Gram statistics without touching X).
    ``eta``: the linear predictor ``intercept + X coef`` when the caller already has it (the GLM
    solvers return it)."""
    if rss is not None and isinstance(lik, Gaussian):
        s = lik.sigma if sigma is None else sigma
        ll = -0.5 * rss / s**2 - float(sw.sum()) * (np.log(s) + 0.5 * np.log(2 * np.pi))
    elif eta is not None:
        ll = float(sw @ lik.loglik(y, eta, sigma))
    else:
        ll = float(sw @ lik.loglik(y, intercept + xw(X, coef), sigma))
    lp = ll + float(np.sum(prior.logpdf(coef)))
    if isinstance(lik, Gaussian) and lik.estimates_sigma:
        lp += Gaussian.sigma_logprior(sigma, sigma_prior_scale)
    return lp


def fit_map(lik, prior, X, y, sw, fit_intercept=True, feature_names=None, tol=1e-6,
            max_iter=None, w0=None, b0=None, sigma0=None, warn=True, design=None,
            glm_method="auto", checked=False) -> MAPResult:
    """Solve for the MAP of ``lik`` x ``prior`` on validated data (see module table).

    ``design``: an optional prebuilt :class:`~bayesreg.map.enet.Design` of (X, y, sw) reused by
    fixed-sigma Gaussian fits (paths build it, and its Gram matrix, once). ``glm_method``: see
    :func:`~bayesreg.map.glm.solve_glm` (paths use ``"prox_newton"`` from warm starts).
    ``checked``: the (prior, y) checks already passed for this data (later points of a path)."""
    n, p = X.shape
    if not checked:
        check_solver_faces(prior)
        prior.check_n_coef(p)
        lik.check_y(y)
        _check_mode_exists(lik, y, sw, fit_intercept)
    a, c = prior.penalty_weights(p)
    a = np.ascontiguousarray(a, dtype=float)
    c = np.ascontiguousarray(c, dtype=float)
    names = list(feature_names) if feature_names is not None else list(default_names(p))
    sigma_scale = None
    eta = None
    extra: dict = {}
    if isinstance(lik, Gaussian):
        if lik.estimates_sigma:
            sigma_scale = lik.resolve_sigma_prior_scale(y, sw)
            w, b, sigma, opt, tol_abs, n_iter, solver = _gaussian_joint(
                X, y, sw, a, c, fit_intercept, tol, max_iter, w0, sigma0, sigma_scale)
            kind = "joint_gap"
        else:
            sigma = lik.sigma
            if design is None:  # built here so that the log posterior can reuse its statistics
                design = Design(X, y, sw, fit_intercept, use_gram=None if np.any(a > 0) else False)
            w, b, opt, tol_abs, n_iter, solver, kind = _gaussian_fixed(
                X, y, sw, sigma, a, c, fit_intercept, tol, max_iter, w0, design)
    else:
        sigma = None
        sol = solve_glm(lik, X, y, sw, a, c, fit_intercept, w0=w0, b0=b0, tol=tol,
                        max_iter=max_iter or 100, method=glm_method)
        w, b, opt, tol_abs, n_iter = sol.coef, sol.intercept, sol.kkt, sol.tol_abs, sol.n_iter
        solver = sol.method or ("prox_newton" if np.any(a > 0) else "newton")
        kind = "kkt"
        eta = sol.eta
    rss = _rss_from_design(design, w) if isinstance(lik, Gaussian) else None
    lp = log_posterior(lik, prior, X, y, sw, w, b, sigma, sigma_scale, rss=rss, eta=eta)
    if getattr(type(prior), "log_normalizer", None) is Prior.log_normalizer:
        norm = float(np.sum(prior._log_z(a, c)))  # Prior.log_normalizer with the weights at hand
    else:
        norm = prior.log_normalizer(p)
    const = _lik_constant(lik, y, sw, sigma)
    objective = -lp - norm + const
    converged = bool(opt <= tol_abs)
    if warn and not converged:
        warnings.warn(
            f"{solver} did not converge: {kind} = {opt:.3g} > tolerance {tol_abs:.3g} after "
            f"{n_iter} iterations. Increase max_iter, loosen tol, or standardize X.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return MAPResult(coef=w, intercept=float(b), sigma=sigma, log_posterior=lp, objective=objective,
                     optimality=float(opt), optimality_kind=kind, tol=float(tol_abs),
                     n_iter=int(n_iter), converged=converged, feature_names=names, prior=prior,
                     likelihood=lik, fit_intercept=fit_intercept, solver=solver, n_samples=n,
                     sigma_prior_scale=sigma_scale, extra=extra)


@functools.lru_cache(maxsize=8)
def default_names(p: int) -> tuple:
    """``("x0", ..., "x{p-1}")``: the names of unnamed columns (cached: wide designs have many)."""
    return tuple(f"x{j}" for j in range(p))


def _rss_from_design(design, w):
    """``||y~ - X~ w||^2`` recorded by the solver that just returned ``w`` (no further pass over
    X), or None (then the log posterior computes it from X)."""
    last = getattr(design, "_last_rss", None)
    return last[1] if last is not None and last[0] is w else None


def _check_mode_exists(lik, y, sw, fit_intercept):
    """With a flat intercept prior, the mode does not exist when the intercept alone can push the
    likelihood to its supremum (all-one or all-zero binary labels, all-zero counts)."""
    if not fit_intercept:
        return
    from .._errors import DataError

    yy = y[sw > 0]
    if lik.family == "binomial" and (np.all(yy == 0) or np.all(yy == 1)):
        raise DataError(
            f"y is {int(yy[0])} for every (weighted) row: with the flat prior on the intercept the "
            "posterior mode does not exist (the intercept runs to "
            f"{'-' if yy[0] == 0 else '+'}infinity). Provide both classes, or fit_intercept=False.")
    if lik.family == "poisson" and np.all(yy == 0):
        raise DataError(
            "every count in y is 0: with the flat prior on the intercept the posterior mode does not "
            "exist (the intercept runs to -infinity). Use fit_intercept=False (the prior then keeps "
            "the MAP finite) or add data with non-zero counts.")


def _lik_constant(lik, y, sw, sigma):
    """log-likelihood constants dropped by the datafit: objective = -log_post - log Z_prior + const.

    Gaussian: datafit keeps 1/(2 sigma^2) r^2 only, so const = -sum(sw) (log sigma + log(2 pi)/2)
    for fixed sigma; with estimated sigma the objective keeps sum(sw) log sigma - log p(sigma).
    Poisson: -sum sw log(y!). Bernoulli: 0."""
    if isinstance(lik, Gaussian):
        if lik.estimates_sigma:
            return -float(sw.sum()) * 0.5 * np.log(2 * np.pi)
        return -float(sw.sum()) * (np.log(sigma) + 0.5 * np.log(2 * np.pi))
    if lik.family == "poisson":
        from scipy.special import gammaln

        return -float(sw @ gammaln(y + 1.0))
    return 0.0


def _gaussian_fixed(X, y, sw, sigma, a, c, fit_intercept, tol, max_iter, w0, design=None):
    """Fixed-sigma Gaussian MAP. Multiplying the -log posterior by sigma^2 gives
    ``sum sw r^2 / 2 + sigma^2 * penalty``, so the centered design (and its Gram matrix) depends
    on the data only and is reused across sigma values; certificates are divided by sigma^2 to be
    reported in nats."""
    s2 = sigma * sigma
    d = design if design is not None else Design(X, y, sw, fit_intercept,
                                                 use_gram=None if np.any(a > 0) else False)
    a2, c2 = a * s2, c * s2
    if not np.any(a > 0):
        w, b, n_iter = solve_ridge(X, y, sw, c2, fit_intercept, design=d)
        if d._G is not None:  # X~^T r = q - G w in p-space: no further pass over X
            corr_r, q = d._q - d._G @ w, d._q
            d.record_gram_rss(w, corr_r)
        else:
            r = d.yt - d.matvec(w)
            corr_r, q = d.corr(r), d.corr(d.yt)
            d._last_rss = (w, float(r @ r))  # the log posterior reuses this residual
        kkt = float(np.abs(corr_r - c2 * w).max(initial=0.0))
        scale = max(float(np.abs(q).max(initial=0.0)), 1e-300)
        return w, b, kkt / s2, max(tol, 1e-9) * scale / s2, n_iter, "closed_form", "kkt"
    sol = solve_enet(X, y, sw, a2, c2, fit_intercept, w0=w0, tol=tol,
                     max_iter=max_iter or 100_000, design=d)
    return (sol.coef, sol.intercept, sol.gap / s2, sol.tol_abs / s2, sol.n_iter, "coordinate_descent",
            "duality_gap")


def _gaussian_joint(X, y, sw, a, c, fit_intercept, tol, max_iter, w0, sigma0, s):
    """Block coordinate ascent on (coef, sigma): the coef step is the fixed-sigma MAP, the sigma
    step is exact (:meth:`Gaussian.sigma_update`). Each sweep increases the log posterior; the
    centered design is built once."""
    W = float(sw.sum())
    sigma = float(sigma0) if sigma0 is not None else s
    w = None if w0 is None else np.array(w0, dtype=float)
    design = Design(X, y, sw, fit_intercept, use_gram=None if np.any(a > 0) else False)
    total = 0
    opt = tol_abs = np.inf
    solver = ""
    for _ in range(max_iter or 500):
        w, b, opt, tol_abs, n_iter, solver, _ = _gaussian_fixed(
            X, y, sw, sigma, a, c, fit_intercept, tol, None, w, design)
        total += n_iter
        r = design.yt - design.matvec(w)  # sqrt(sw) * residual
        rss = float(r @ r)
        new = Gaussian.sigma_update(rss, W, s)
        if new <= 1e-8 * s:
            raise NotSupportedError(
                "the joint MAP of sigma collapses to 0: the model interpolates the data "
                f"(p={X.shape[1]}, n={X.shape[0]}), so the posterior mode of (coef, sigma) is "
                "degenerate. Fix sigma (Gaussian(sigma=...)) or use a stronger prior.")
        change = abs(new - sigma) / sigma
        sigma = new
        if change <= 1e-12:
            break
    # final coefficient solve at the final sigma, so the certificate refers to the returned point
    w, b, opt, tol_abs, n_iter, solver, _ = _gaussian_fixed(
        X, y, sw, sigma, a, c, fit_intercept, tol, None, w, design)
    total += n_iter
    return w, b, sigma, opt, tol_abs, total, solver + "+sigma"
