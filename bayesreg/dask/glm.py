"""Distributed proximal Newton for likelihoods without a least-squares face (Bernoulli, Poisson).

glmnet's IRLS with an Armijo line search, where every pass over the data is one Dask reduction
returning, per row block, the IRLS statistics at the current point (the weighted
:class:`~bayesreg.suffstats.SuffStats` of the working response ``z`` with weights ``h`` from
``Likelihood.working_response``, the gradient ``X^T g``, the datafit) together with the datafit
at a ladder of step sizes along the previous direction, so a line search costs no extra pass in
the usual case. The penalized weighted least-squares subproblem is solved in memory by
:mod:`bayesreg.map`'s Gram solvers on a statistics-only :class:`~bayesreg.map.Design`.

The likelihood enters only through its faces: ``check_y`` and ``loglik_constant`` per block,
``null_eta`` from the weighted mean of y, ``check_mode_exists`` from the range of y over the
positively weighted rows (the mode of every shipped likelihood exists or not by that range
alone), ``datafit`` and ``working_response`` per block.
"""

from __future__ import annotations

import numpy as np

from ..map import Design
from ..map.enet import solve_enet
from ..map.objective import certified, check_representable, kkt_at, objective
from ..map.result import MAPResult
from ..map.ridge import solve_ridge
from ..penalties import require_penalty
from .reduce import block_stats, check_block, raise_bad, reduce_blocks

__all__ = ["fit_glm_dask"]

_LADDER = 0.5 ** np.arange(12)


def _data_chunk(X, y, sw, lik):
    h = np.ones(X.shape[0]) if sw is None else sw
    d = check_block(X, y, sw)
    ok = np.isfinite(y) & np.isfinite(h)
    lik.check_y(y[ok])
    d["S"] = float(h[ok].sum())
    d["Sy"] = float(h[ok] @ y[ok])
    d["const"] = lik.loglik_constant(y[ok], h[ok])
    return None, d


def _irls_chunk(X, y, sw, lik, b, w, db, dw, ladder):
    """IRLS statistics at (b + db, w + dw), and the datafit at (b + t db, w + t dw) for every t
    in ``ladder`` (the line search of the step just taken, at no extra pass)."""
    h0 = np.ones(X.shape[0]) if sw is None else sw
    eta = b + X @ w
    Ft = np.zeros(len(ladder))
    if dw is not None:
        step = db + X @ dw
        for i, t in enumerate(ladder):
            Ft[i] = lik.datafit(y, eta + t * step, h0)
        eta = eta + step
    z, h, g = lik.working_response(y, eta, h0)
    return block_stats(X, z, h), {"F": lik.datafit(y, eta, h0), "Ft": Ft, "sg": float(g.sum()),
                                  "Xg": X.T @ g}


def _range_reduce(X, y, sw):
    """Global min / max of y over positively weighted rows (one reduction over y only)."""
    import dask
    import dask.array as da

    yy = y if sw is None else da.where(sw > 0, y, np.nan)
    lo, hi = dask.compute(da.nanmin(yy), da.nanmax(yy))
    return float(lo), float(hi)


def fit_glm_dask(model, X, y, sw, names, tol, max_iter):
    """``(MAPResult, n_passes)`` of a likelihood without the least-squares face (see module)."""
    lik, prior, fi = model.likelihood, model.prior, model.fit_intercept
    n, p = X.shape
    pen = require_penalty(prior, p)
    a, c = pen.weights
    _, data = reduce_blocks(X, y, sw, _data_chunk, lik)
    raise_bad(data, data["S"])
    lo, hi = _range_reduce(X, y, sw)
    lik.check_mode_exists(np.array([lo, hi]), np.ones(2), fi)
    S = data["S"]
    b = lik.null_eta(np.array([data["Sy"] / S]), np.ones(1), fi)
    w = np.zeros(p)
    n_passes = 1  # the data checks (the range of y reads y only)

    def irls_pass(bb, ww, db=0.0, dw=None):
        nonlocal n_passes
        n_passes += 1
        return reduce_blocks(X, y, sw, _irls_chunk, lik, bb, ww, db, dw, _LADDER)

    def kkt(sums, ww):
        return kkt_at(pen, sums["Xg"], ww, sums["sg"] if fi else None)

    stats, st = irls_pass(b, w)
    scale = max(float(np.abs(st["Xg"]).max(initial=0.0)), 1e-12)
    tol_abs = tol * scale
    F = st["F"] + pen.value(w)
    it = 0
    k_val = kkt(st, w)
    for it in range(1, (max_iter or 100) + 1):
        if k_val <= tol_abs:
            it -= 1
            break
        d = Design.from_stats(stats.about(fi))
        if not pen.has_kinks:
            w_new, b_new, _ = solve_ridge(None, None, None, c, fi, design=d)
        else:
            rel = k_val / scale
            inner_tol = min(1e-3, max(1e-14, 0.1 * rel * rel))
            sol = solve_enet(None, None, None, a, c, fi, w0=w, tol=inner_tol, max_iter=10000,
                             design=d)
            w_new, b_new = sol.coef, sol.intercept
        dw, db = w_new - w, b_new - b
        delta = float(st["Xg"] @ dw) + st["sg"] * db + pen.value(w_new) - pen.value(w)
        # one pass: statistics at the full step + the datafit along the whole step ladder
        cand_stats, cand = irls_pass(b, w, db, dw)
        Ft = cand["Ft"] + np.array([pen.value(w + t * dw) for t in _LADDER])
        ok = np.isfinite(Ft) & (Ft <= F + 1e-4 * _LADDER * min(delta, 0.0) + 1e-13 * abs(F))
        if not ok.any():
            break
        i = int(np.argmax(ok))
        t = float(_LADDER[i])
        if i == 0:
            w, b, F, stats, st = w_new, b_new, float(Ft[0]), cand_stats, cand
        else:
            w, b, F = w + t * dw, b + t * db, float(Ft[i])
            stats, st = irls_pass(b, w)
        k_val = kkt(st, w)
    else:
        k_val = kkt(st, w)
    const = data["const"]
    lp = -st["F"] + const + float(np.sum(prior.logpdf(w)))  # sum_i sw_i log p(y_i | eta_i)
    obj = objective(lp, pen.log_normalizer(), const)
    check_representable("the MAP", coef=w, intercept=b, log_posterior=lp, objective=obj,
                        certificate=k_val, tolerance=tol_abs)
    converged = certified(k_val, tol_abs)
    if not converged:
        import warnings

        from .._errors import ConvergenceWarning

        warnings.warn(
            f"prox_newton did not converge: kkt = {k_val:.3g} > tolerance {tol_abs:.3g} after "
            f"{it} iterations. Increase max_iter, loosen tol, or standardize X.",
            ConvergenceWarning, stacklevel=4)
    res = MAPResult(coef=w, intercept=float(b), sigma=None, log_posterior=float(lp),
                    objective=float(obj), optimality=float(k_val), optimality_kind="kkt",
                    tol=float(tol_abs), n_iter=int(it), converged=converged, feature_names=names,
                    prior=prior, likelihood=lik, fit_intercept=fi,
                    solver="prox_newton" if pen.has_kinks else "newton", n_samples=int(n))
    return res, n_passes
