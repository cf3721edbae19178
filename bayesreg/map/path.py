"""Warm-started regularization paths over the prior's strength."""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Real

import numpy as np

from .._errors import ParameterError
from .._progress import progress
from .._threads import serial_blas
from .._validation import check_int
from ..penalties import require_penalty
from .result import MAPPath
from .solve import DeferredResult, assemble_path_point, column_units, divide_columns, fit_map, select_solver


def max_strength(lik, prior, X, y, sw, fit_intercept, design=None) -> float | None:
    """Smallest penalty multiplier at which w = 0 is the MAP (L1 priors), from the KKT conditions
    at the intercept-only model (free likelihood parameters at their intercept-only joint mode):
    ``c_max = penalty.zero_threshold(|X^T g_null|)``; None without an L1 part."""
    n = X.shape[0]
    pen = require_penalty(prior, X.shape[1])
    res = lik.resolved(y, sw)
    bound = res.bind(**res.null_free_params(y, sw, fit_intercept))
    eta0 = bound.null_eta(y, sw, fit_intercept)
    g = bound.gradient(y, np.full(n, eta0), sw)
    grad0 = np.asarray(X.T @ g).ravel()
    c0 = pen.zero_threshold(np.abs(grad0))
    unpen = getattr(pen, "unpenalized", ())
    if c0 is not None and len(unpen) and np.isfinite(c0) and c0 > 0:
        # unpenalized columns: the null model fits them too (one smooth solve with every
        # penalized coefficient at zero), then the threshold is recomputed at its gradient
        from .group import fit_unpenalized

        eta = fit_unpenalized(bound, X, y, sw, fit_intercept, unpen)
        g = bound.gradient(y, eta, sw)
        grad0 = np.asarray(X.T @ g).ravel()
        # 1 + 1e-8: the unpenalized fit's residual is exact to rounding only, and the first
        # point must be all-zero in the penalized groups
        c0 = pen.zero_threshold(np.abs(grad0)) * (1.0 + 1e-8)
    return c0


def _ridge_reference(X, sw, pen) -> float:
    """A strength at which a pure-L2 prior shrinks every direction ~100x."""
    _, l2 = pen.weights
    if hasattr(X, "multiply"):
        tr = float(np.asarray(X.multiply(X).T @ sw).sum())
    else:
        tr = float(np.einsum("ij,ij,i->", X, X, sw))
    return 100.0 * max(tr, 1e-12) / float(np.min(l2))


def fit_path(lik, prior, X, y, sw, fit_intercept=True, feature_names=None, scales=None,
             n_scales=100, eps=1e-3, tol=1e-6, max_iter=None, progressbar: bool = False) -> MAPPath:
    """Fit the MAP for a decreasing sequence of prior strengths, each warm-started from the last.

    ``progressbar``: one tqdm bar tick per point (when tqdm is installed; default off).

    A prior without a penalty face (no finite mode) raises its own explanation first."""
    p = X.shape[1]
    prior = prior.bind_features(feature_names)
    pen = require_penalty(prior, p)
    prior.check_n_coef(p)
    ref = np.max(np.atleast_1d(prior.path_scale))
    if scales is not None:
        try:
            scales = np.atleast_1d(np.asarray(scales, dtype=float))
        except (TypeError, ValueError) as exc:
            raise ParameterError(f"scales must be a 1-D array of finite positive prior scales, "
                                 f"got {scales!r}: {exc}") from exc
        if scales.ndim != 1 or scales.size == 0 or np.any(~np.isfinite(scales)) or np.any(scales <= 0):
            raise ParameterError("scales must be a non-empty 1-D array of finite positive prior scales.")
        scales = np.sort(scales)  # small scale = strong prior first
        strengths = np.array([prior.strength_for_scale(s, ref) for s in scales])
        n_points = scales.size
    else:
        n_scales = check_int(n_scales, "n_scales", 1)
        if isinstance(eps, bool) or not isinstance(eps, Real) or not (0 < eps < 1):
            raise ParameterError(f"eps must be a number in (0, 1), got {eps!r}.")
        n_points = n_scales
    res_lik = lik.resolved(y, sw)
    X_given = X
    units = column_units(X)  # columns of extreme magnitude: every point solved in units
    if units is not None and pen.in_units(units) is None:
        units = None
    if units is not None:
        X = divide_columns(X, units)
    solver = select_solver(res_lik, pen)
    # outside the serial-BLAS block: a path's one large product (a Gram matrix) keeps the threads
    X, design = solver.prepare_path(X, y, sw, fit_intercept, pen, n_points)
    if scales is None:
        c_max = max_strength(lik, prior, X_given, y, sw, fit_intercept)
        if c_max is None:
            c_max = _ridge_reference(X_given, sw, pen)
            eps = min(eps, 1e-5)
        c_max = max(c_max, 1e-300)
        strengths = c_max * np.logspace(0, np.log10(eps), n_scales)
    priors = [prior.with_strength(float(c)) for c in strengths]
    results = _PathResults(lik, priors, X, y, sw, fit_intercept, feature_names)
    w0 = b0 = sigma0 = free0 = None
    path_cache: dict = {"defer": True}  # MAPResults assembled on first use (_PathResults)
    # a solver's fast loop (Gram-space CD: the whole grid in one numba call) runs from the
    # second point on (the first does the checks) when the penalty at strength c is c times the
    # prior's (the contract of Prior.with_strength, checked here on the grid's two ends)
    fast = (solver.path_loop and units is None and len(strengths) > 1 and not progressbar
            and _linear_in_strength(pen, priors, strengths, p))
    ticks = iter(progress(range(len(strengths)), progressbar, total=len(strengths),
                          desc="MAP path", unit="scale"))
    with serial_blas(solver.serial_blas(pen)):
        k = 0
        while k < len(strengths):
            if fast and w0 is not None:
                sols = solver.solve_path(path_cache["res_lik"], pen, design, strengths[k:], w0,
                                         tol, max_iter)
                if sols is None:
                    fast = False
                elif sols:
                    results.add_lazy(sols, path_cache)
                    k += len(sols)
                    w0, b0 = sols[-1].coef.copy(), sols[-1].intercept
                    continue
            next(ticks, None)
            res = fit_map(lik, priors[k], X, y, sw, fit_intercept, feature_names, tol=tol,
                          max_iter=max_iter, w0=w0, b0=b0, sigma0=sigma0, design=design,
                          units=units, glm_method="auto" if w0 is None else "prox_newton",
                          checked=w0 is not None, free0=free0, path_cache=path_cache)
            w0, b0, sigma0, free0 = res.coef.copy(), res.intercept, res.sigma, res.free
            results.add(res)  # a DeferredResult
            k += 1
        next(ticks, None)  # a tqdm bar closes when its iterable is exhausted
    out_scales = np.array([float(np.max(np.atleast_1d(pr.path_scale))) for pr in priors])
    return MAPPath(strengths=np.asarray(strengths), scales=out_scales, priors=priors, results=results)


def _linear_in_strength(pen, priors, strengths, p) -> bool:
    a, c = pen.weights
    for pr, t in ((priors[0], strengths[0]), (priors[-1], strengths[-1])):
        a_t, c_t = require_penalty(pr, p).weights
        if not (np.allclose(a_t, t * a, rtol=1e-12, atol=0)
                and np.allclose(c_t, t * c, rtol=1e-12, atol=0)):
            return False
    return True


class _PathResults(Sequence):
    """The path's :class:`MAPResult` list; points from a solver's fast loop are assembled on
    first access (their coefficients, intercepts and certificates are kept in bulk:
    ``coefs``, ``intercepts``)."""

    def __init__(self, lik, priors, X, y, sw, fit_intercept, feature_names):
        self._items: list = []
        self._ctx = (lik, priors, X, y, sw, fit_intercept, feature_names)

    def add(self, res) -> None:
        self._items.append(res)

    def add_lazy(self, sols, cache) -> None:
        self._items.extend((s, cache) for s in sols)

    def __len__(self) -> int:
        return len(self._items)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        it = self._items[i]
        if isinstance(it, tuple):
            sol, cache = it
            lik, priors, X, y, sw, fi, names = self._ctx
            it = assemble_path_point(sol, lik, priors[i], X, y, sw, fi, names, cache)
            self._items[i] = it
        elif isinstance(it, DeferredResult):
            it = it.build()
            self._items[i] = it
        return it

    def _solution(self, i):
        it = self._items[i]
        return it[0] if isinstance(it, tuple) else it  # coef, intercept: in every kind

    @property
    def coefs(self) -> np.ndarray:
        return np.array([self._solution(i).coef for i in range(len(self))])

    @property
    def intercepts(self) -> np.ndarray:
        return np.array([self._solution(i).intercept for i in range(len(self))])
