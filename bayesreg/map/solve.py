"""Solver registry: each solver declares the faces it needs, ``fit_map`` takes the first that
accepts the (likelihood, penalty) pair, and assembles the :class:`MAPResult`.

=====================  ======================================  ==================================
solver                 likelihood faces                         penalty faces
=====================  ======================================  ==================================
closed_form            quadratic_weight (bound)                 weights, no kinks (pure L2)
coordinate_descent     quadratic_weight (bound)                 weights, kinks (L1 part)
joint_sigma            sigma_at_mode (free sigma)               any accepted by the two above
mm                     quadratic_majorizer, datafit, gradient,  weights
                       curvature, null_eta (non-convex: EM)
joint_free             free_at_mode, free_stationarity,         any accepted by a solver for the
                       null_free_params (other free params)     likelihood at fixed free values
glm                    datafit, gradient, curvature, mean,      weights
                       curvature_from_mean, gradient_from_mean,
                       datafit_diff, null_eta, working_response
group_cd               quadratic_weight (bound)                 group_structure, l1 (group lasso,
                                                                sparse group lasso)
group_prox_newton      datafit, gradient, curvature, null_eta,  group_structure
                       working_response (convex)
=====================  ======================================  ==================================

(the way skglm's solvers check ``_datafit_required_attr`` / ``_penalty_required_attr``). A new
solver is a :class:`Solver` subclass passed to :func:`register_solver`; nothing here switches
on the type of a likelihood or prior. The numba kernels keep their ``(l1, l2)`` inner loops: the
``weights`` face of the penalty.

``glm`` is OWL-QN / L-BFGS first, then proximal Newton or Newton-CG if it stalls; paths use
proximal Newton from warm starts. ``joint_sigma`` is block coordinate ascent over
(coef | sigma): the coef step is the fixed-sigma solver chosen from this registry, the sigma
step is exact.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._errors import ConvergenceWarning, NotSupportedError
from .._threads import serial_blas
from .._validation import check_int, default_names
from ..penalties import require_penalty
from .enet import Design, fortran_columns, gram_path_ready, solve_enet, solve_gram_path
from .glm import GLMPathState, path_state_for, solve_glm
from .objective import certified, check_representable, log_posterior, objective
from .result import MAPResult
from .ridge import solve_ridge

__all__ = ["Solver", "Problem", "Solution", "SOLVERS", "register_solver", "select_solver",
           "fit_map"]


@dataclass
class Problem:
    """One MAP problem: a resolved likelihood, a penalty and the data (rows, or a
    statistics-only :class:`Design`)."""

    lik: Any
    penalty: Any
    X: Any
    y: np.ndarray | None
    sw: np.ndarray | None
    fit_intercept: bool
    tol: float
    max_iter: int | None = None
    w0: np.ndarray | None = None
    b0: float | None = None
    free0: dict = field(default_factory=dict)
    design: Design | None = None
    glm_method: str = "auto"

    def __post_init__(self):
        # max_iter bounds every iteration loop of the solver (None: the solver's own budget)
        if self.max_iter is not None:
            self.max_iter = check_int(self.max_iter, "max_iter", 1)


@dataclass
class Solution:
    """What a solver returns (``free``: the free likelihood parameters at the mode)."""

    coef: np.ndarray
    intercept: float
    optimality: float
    optimality_kind: str
    tol_abs: float
    n_iter: int
    solver: str
    free: dict = field(default_factory=dict)
    eta: np.ndarray | None = None
    rss: float | None = None  # ||y~ - X~ coef||^2 when the solver has it (Gaussian paths)


class Solver:
    """A MAP solver: the faces it needs and how it solves a :class:`Problem`."""

    name = ""
    likelihood_faces: tuple[str, ...] = ()
    penalty_faces: tuple[str, ...] = ()

    def accepts(self, lik, penalty) -> bool:
        return (all(hasattr(lik, f) for f in self.likelihood_faces)
                and all(hasattr(penalty, f) for f in self.penalty_faces))

    def solve(self, problem: Problem) -> Solution:  # pragma: no cover - abstract
        raise NotImplementedError

    def prepare_path(self, X, y, sw, fit_intercept, penalty, n_points):
        """``(X, design)`` to reuse over the ``n_points`` fits of a path (default: as given)."""
        return X, None

    #: whether :meth:`solve_path` is implemented (its penalties have the ``weights`` face)
    path_loop = False

    def solve_path(self, lik, penalty, design, strengths, w0, tol, max_iter) -> list | None:
        """Optional fast loop over consecutive path points: the penalty ``strengths[k] *
        penalty``, each point warm-started from the last (the first from ``w0``), solved in one
        call. Returns the certified leading points as :class:`Solution` objects (possibly none:
        the caller then solves the next point by :meth:`solve`), or None when this solver has
        no such loop for this design (default)."""
        return None

    def serial_blas(self, penalty) -> bool:
        """Whether the solve runs with BLAS on one thread (:mod:`bayesreg._threads`): True for
        iterative solvers (many small level-2 calls), False for a few large level-3 calls."""
        return True


SOLVERS: list[Solver] = []


def register_solver(solver: Solver, first: bool = False) -> Solver:
    """Add a solver to the registry (``first``: ahead of the others)."""
    SOLVERS.insert(0, solver) if first else SOLVERS.append(solver)
    return solver


def select_solver(lik, penalty) -> Solver:
    """The first registered solver that accepts ``(lik, penalty)``."""
    for s in SOLVERS:
        if s.accepts(lik, penalty):
            return s
    needs = "; ".join(f"{s.name}: likelihood {', '.join(s.likelihood_faces) or '-'}, penalty "
                      f"{', '.join(s.penalty_faces) or '-'}" for s in SOLVERS)
    raise NotSupportedError(
        f"no MAP solver accepts a {type(lik).__name__} likelihood with a "
        f"{type(penalty).__name__}: the solvers need ({needs}). Use model.sample(...).")


# ------------------------------------------------------------------ least squares (Gaussian)
def _least_squares_design(problem: Problem, kinks: bool) -> Design:
    if problem.design is None:
        problem.design = Design(problem.X, problem.y, problem.sw, problem.fit_intercept,
                                use_gram=None if kinks else False)
    return problem.design


class _FixedNoise(Solver):
    likelihood_faces = ("quadratic_weight",)
    penalty_faces = ("weights",)

    def accepts(self, lik, penalty):
        return super().accepts(lik, penalty) and not lik.free_params

    def prepare_path(self, X, y, sw, fit_intercept, penalty, n_points):
        # the centered design (and its Gram matrix) depends on the data only: one per path
        return X, _path_design(X, y, sw, fit_intercept, n_points)


def _path_design(X, y, sw, fit_intercept, n_points):
    """One centered design for a fixed-sigma least-squares path. With n >> p and a path of 10+
    points the Gram matrix is built up front (every solve is then O(p) per changed
    coefficient, and X is never copied to Fortran order); otherwise the design decides."""
    import scipy.sparse as sp

    n, p = X.shape
    dense_gram = not sp.issparse(X) and n >= 2 * p and p <= 4000 and n_points >= 10
    return Design(X, y, sw, fit_intercept, use_gram=True if dense_gram else None)


class ClosedFormRidge(_FixedNoise):
    """Gaussian x pure-L2 penalty: Cholesky / push-through / CG (:mod:`bayesreg.map.ridge`).

    Multiplying the -log posterior by sigma^2 gives ``sum sw r^2 / 2 + sigma^2 * penalty``, so
    the centered design (and its Gram matrix) depends on the data only and is reused across
    sigma values; certificates are divided by sigma^2 to be reported in nats."""

    name = "closed_form"

    def accepts(self, lik, penalty):
        return super().accepts(lik, penalty) and not penalty.has_kinks

    def serial_blas(self, penalty):
        return False  # a Gram / kernel matrix and a Cholesky: level 3, the library's threads

    def solve(self, problem):
        d = _least_squares_design(problem, False)
        s2 = 1.0 / problem.lik.quadratic_weight()
        c2 = problem.penalty.weights[1] * s2
        w, b, n_iter = solve_ridge(problem.X, problem.y, problem.sw, c2, problem.fit_intercept,
                                   design=d, max_iter=problem.max_iter)
        if d._G is not None:  # X~^T r = q - G w in p-space: no further pass over X
            corr_r, q = d._q - d._G @ w, d._q
            d.record_gram_rss(w, corr_r)
        else:
            r = d.yt - d.matvec(w)
            corr_r, q = d.corr(r), d.corr(d.yt)
            d._last_rss = (w, float(r @ r))  # the log posterior reuses this residual
        kkt = float(np.abs(corr_r - c2 * w).max(initial=0.0))
        scale = max(float(np.abs(q).max(initial=0.0)), 1e-300)
        return Solution(w, b, optimality=kkt / s2, optimality_kind="kkt",
                        tol_abs=max(problem.tol, 1e-9) * scale / s2, n_iter=n_iter,
                        solver=self.name)


class CoordinateDescent(_FixedNoise):
    """Gaussian x penalty with an L1 part: working-set CD with a duality gap
    (:mod:`bayesreg.map.enet`), on the same sigma-free design as the closed form."""

    name = "coordinate_descent"

    def accepts(self, lik, penalty):
        return super().accepts(lik, penalty) and penalty.has_kinks

    def solve(self, problem):
        d = _least_squares_design(problem, True)
        s2 = 1.0 / problem.lik.quadratic_weight()
        a, c = problem.penalty.weights
        sol = solve_enet(problem.X, problem.y, problem.sw, a * s2, c * s2, problem.fit_intercept,
                         w0=problem.w0, tol=problem.tol, max_iter=problem.max_iter or 100_000,
                         design=d)
        return Solution(sol.coef, sol.intercept, optimality=sol.gap / s2,
                        optimality_kind="duality_gap", tol_abs=sol.tol_abs / s2,
                        n_iter=sol.n_iter, solver=self.name)

    path_loop = True

    def solve_path(self, lik, penalty, design, strengths, w0, tol, max_iter):
        # Gram designs (tall paths): the whole grid in one numba call, every point's gap kept
        if not gram_path_ready(design):
            return None
        s2 = 1.0 / lik.quadratic_weight()
        a, c = penalty.weights
        ch = solve_gram_path(design, a, c, strengths, s2, w0, tol, max_iter or 100_000)
        out = []
        for k in range(ch.coefs.shape[0]):
            rss = None if np.isnan(ch.rss[k]) else float(ch.rss[k])
            out.append(Solution(ch.coefs[k], float(ch.intercepts[k]),
                                optimality=float(ch.gaps[k]) / s2, optimality_kind="duality_gap",
                                tol_abs=ch.tol_abs / s2, n_iter=int(ch.n_iters[k]),
                                solver=self.name, rss=rss))
        return out


class JointSigma(Solver):
    """Free Gaussian sigma: block coordinate ascent on (coef, sigma). The coef step is the
    fixed-sigma solver of the registry, the sigma step exact (``likelihood.sigma_at_mode``);
    each sweep increases the log posterior, and the centered design is built once."""

    name = "joint_sigma"
    likelihood_faces = ("sigma_at_mode", "quadratic_weight")
    penalty_faces = ()  # any penalty a fixed-sigma solver of the registry accepts

    def accepts(self, lik, penalty):
        if not (super().accepts(lik, penalty) and lik.free_params == ("sigma",)):
            return False
        probe = lik.bind(sigma=1.0)
        return any(s.accepts(probe, penalty) for s in SOLVERS if s is not self)

    def serial_blas(self, penalty):
        return penalty.has_kinks  # pure L2: sweeps of the closed form on one Gram matrix

    def solve(self, problem):
        lik = problem.lik
        s = lik.sigma_prior_scale
        sigma = float(problem.free0.get("sigma") or s)
        inner = select_solver(lik.bind(sigma=sigma), problem.penalty)
        d = _least_squares_design(problem, problem.penalty.has_kinks)
        _check_sigma_mode(d)
        W = d.S
        w = None if problem.w0 is None else np.array(problem.w0, dtype=float)
        total = 0

        def step(sig, w_start):
            sub = Problem(lik.bind(sigma=sig), problem.penalty, problem.X, problem.y, problem.sw,
                          problem.fit_intercept, problem.tol, problem.max_iter, w_start, design=d)
            return inner.solve(sub)

        sigma_converged = False
        for _ in range(problem.max_iter or 500):
            sol = step(sigma, w)
            w = sol.coef
            total += sol.n_iter
            new = lik.sigma_at_mode(d.rss(w) if not d.has_rows else _fresh_rss(d, w), W)
            if new <= 1e-8 * s:
                p, n = d.p, d.n
                raise NotSupportedError(
                    "the joint MAP of sigma collapses to 0: the model interpolates the data "
                    f"(p={p}, n={n}), so the posterior mode of (coef, sigma) is "
                    "degenerate. Fix sigma (Gaussian(sigma=...)) or use a stronger prior.")
            change = abs(new - sigma) / sigma
            sigma = new
            if change <= 1e-12:
                sigma_converged = True
                break
        # final coefficient solve at the final sigma, so the certificate refers to the result
        sol = step(sigma, w)
        total += sol.n_iter
        optimality = sol.optimality
        if not sigma_converged:
            # the sweeps ran out (max_iter) with sigma still moving: the coefficient certificate
            # holds at this sigma only, so the joint mode is not certified
            optimality = max(optimality, sol.tol_abs * (1.0 + change / 1e-12))
        return Solution(sol.coef, sol.intercept, optimality=optimality,
                        optimality_kind="joint_gap", tol_abs=sol.tol_abs, n_iter=total,
                        solver=sol.solver + "+sigma", free={"sigma": sigma})


#: relative least-squares residual below which the data count as fitted exactly
INTERPOLATION_RTOL = 1e-10


def _check_sigma_mode(d: Design) -> None:
    """A free noise scale has no joint mode when some (intercept, coef) fits y exactly: the
    density then grows like sigma^-S as sigma -> 0 along that fit, whatever the coefficient
    prior. Raise before solving instead of returning a 'converged' point at a tiny sigma."""
    rel = d.min_rss() / max(d.yy, 1e-300) if d.yy > 0 else 0.0
    if rel <= INTERPOLATION_RTOL:
        raise NotSupportedError(
            f"Gaussian(sigma=None) has no posterior mode here: the data can be fitted exactly "
            f"(n={d.n}, p={d.p}; least-squares residual {rel:.1e} of ||y - ybar||^2), so the joint "
            "density of (coef, sigma) grows without bound as sigma -> 0 and the posterior mode of "
            "(coef, sigma) is degenerate. Fix sigma (Gaussian(sigma=...)), or sample the "
            "posterior (model.sample(...): it is proper), or remove features until the design "
            "cannot interpolate y.")


def _fresh_rss(d: Design, w) -> float:
    r = d.yt - d.matvec(w)  # sqrt(sw) * residual
    return float(r @ r)


# ------------------------------------------------------------------ GLMs
class GLM(Solver):
    """Smooth likelihoods with curvature: OWL-QN / L-BFGS, then proximal Newton or Newton-CG
    (:mod:`bayesreg.map.glm`)."""

    name = "glm"
    likelihood_faces = ("datafit", "gradient", "curvature", "mean", "curvature_from_mean",
                        "gradient_from_mean", "datafit_diff", "null_eta", "working_response")
    penalty_faces = ("weights",)

    def accepts(self, lik, penalty):
        # the Newton-type steps need a convex datafit (curvature >= 0)
        return (super().accepts(lik, penalty) and not lik.free_params
                and getattr(lik, "convex", True))

    def prepare_path(self, X, y, sw, fit_intercept, penalty, n_points):
        # every prox-Newton step reads columns: one Fortran copy for the whole path, and the
        # state its warm-started steps share (a lagged curvature-weighted Gram matrix)
        if not penalty.has_kinks:
            return X, None
        X = fortran_columns(X)
        return X, path_state_for(X)

    def solve(self, problem):
        a, c = problem.penalty.weights
        state = problem.design if isinstance(problem.design, GLMPathState) else None
        sol = solve_glm(problem.lik, problem.X, problem.y, problem.sw, a, c,
                        problem.fit_intercept, w0=problem.w0, b0=problem.b0, tol=problem.tol,
                        max_iter=problem.max_iter, method=problem.glm_method, path_state=state)
        return Solution(sol.coef, sol.intercept, optimality=sol.kkt, optimality_kind="kkt",
                        tol_abs=sol.tol_abs, n_iter=sol.n_iter,
                        solver=sol.method or ("prox_newton" if problem.penalty.has_kinks
                                              else "newton"), eta=sol.eta)


class MajorizeMinimize(Solver):
    """Non-convex datafits with a quadratic majorizer (StudentT): majorize-minimize / EM.

    Every step replaces the datafit by the weighted least-squares majorizer the likelihood
    gives at the current point (``quadratic_majorizer(y, eta, sw) -> (quadratic likelihood,
    row weights)``; for Student-t errors the E step of the normal scale mixture) and minimizes
    it with the prior's penalty by the least-squares solver of this registry (closed form or
    coordinate descent, warm-started), so the objective never increases. Near the end a Newton
    polish on the support (:func:`bayesreg.map.glm._support_polish`, kept only when it lowers
    the objective and the KKT violation) turns EM's linear convergence into a tight
    certificate. Certificate: the KKT violation of the true objective relative to that of the
    intercept-only model. The result is a *local* mode (stationary point reached from the
    start): ``MAPResult.local_mode`` is True."""

    name = "mm"
    likelihood_faces = ("quadratic_majorizer", "datafit", "gradient", "curvature", "null_eta")
    penalty_faces = ("value", "subdiff_distance", "scaled")  # inner solves: the registry's

    def accepts(self, lik, penalty):
        return super().accepts(lik, penalty) and not lik.free_params

    def solve(self, problem):
        from .enet import xw
        from .glm import _support_polish
        from .group import group_support_polish
        from .objective import kkt_at, kkt_weights

        lik, X, y, sw, fi = problem.lik, problem.X, problem.y, problem.sw, problem.fit_intercept
        pen = problem.penalty
        weights = getattr(pen, "weights", None)  # separable: the kernels' KKT and the polish
        n, p = X.shape

        def kkt_of(eta_, w_):
            g = lik.gradient(y, eta_, sw)
            if weights is not None:
                return kkt_weights(X, g, w_, *weights, fi)
            return kkt_at(pen, np.asarray(X.T @ g).ravel(), w_, float(g.sum()) if fi else None)

        e0 = lik.null_eta(y, sw, fi)
        grad0 = np.asarray(X.T @ lik.gradient(y, np.full(n, e0), sw)).ravel()
        # the KKT violation of the all-zero model without the penalty (|g_j|; group norms)
        scale = max(float(np.max(pen.scaled(0.0).subdiff_distance(np.zeros(p), grad0),
                                 initial=0.0)), 1e-12)
        tol_abs = problem.tol * scale
        w = np.zeros(p) if problem.w0 is None else np.array(problem.w0, dtype=float)
        b = (e0 if problem.b0 is None else float(problem.b0)) if fi else 0.0
        eta = b + xw(X, w)
        inner_tol = max(min(1e-3 * problem.tol, 1e-8), 1e-15)
        budget = problem.max_iter or 5000
        kkt, it, polished_at = np.inf, 0, -10
        for it in range(1, budget + 1):
            kkt = kkt_of(eta, w)
            if kkt <= tol_abs:
                break
            if ((weights is not None or hasattr(pen, "group_structure"))
                    and it - polished_at >= 10 and kkt <= 1e3 * tol_abs ** 0.5 * scale ** 0.5):
                polished_at = it
                if weights is not None:
                    w_p, b_p, k_p, _ = _support_polish(lik, X, y, sw, *weights, fi, w, b, kkt,
                                                       tol_abs)
                else:
                    w_p, b_p, k_p, _ = group_support_polish(lik, pen, X, y, sw, fi, w, b, kkt,
                                                            tol_abs)
                if k_p < kkt:
                    w, b, kkt = w_p, b_p, k_p
                    eta = b + xw(X, w)
                    if kkt <= tol_abs:
                        break
            lq, v = lik.quadratic_majorizer(y, eta, sw)
            sub = Problem(lq, pen, X, y, v, fi, inner_tol, None, w, b)
            sol = select_solver(lq, pen).solve(sub)
            w, b = sol.coef, float(sol.intercept)
            eta = b + xw(X, w)
        else:
            kkt = kkt_of(eta, w)
        return Solution(w, b, optimality=float(kkt), optimality_kind="kkt", tol_abs=tol_abs,
                        n_iter=it, solver=self.name, eta=eta)


class JointFree(Solver):
    """Free likelihood parameters other than the Gaussian sigma (NegativeBinomial's alpha,
    StudentT's nu and sigma): block coordinate ascent on (coef | free). The coef step is the
    solver of the registry for the likelihood bound at the current free values (warm-started),
    the free step the likelihood's exact conditional mode ``free_at_mode(y, eta, sw, current)``;
    each sweep increases the log posterior. Stops when ``free_stationarity`` (``|d log
    posterior / d log theta|`` at the coefficients just solved) is below the coefficients'
    tolerance: the certificate is the larger of that and the coefficients' own."""

    name = "joint_free"
    likelihood_faces = ("free_at_mode", "free_stationarity", "null_free_params")
    penalty_faces = ()  # any penalty a solver of the registry accepts at fixed free values

    def accepts(self, lik, penalty):
        if not (super().accepts(lik, penalty) and lik.free_params):
            return False
        probe = lik.bind(**{k: 1.0 for k in lik.free_params})
        return any(s.accepts(probe, penalty) for s in SOLVERS if s is not self)

    def prepare_path(self, X, y, sw, fit_intercept, penalty, n_points):
        return (fortran_columns(X) if penalty.has_kinks else X), None

    def solve(self, problem):
        from .enet import xw

        lik = problem.lik
        y, sw = problem.y, problem.sw
        free = {k: v for k, v in problem.free0.items() if k in lik.free_params and v is not None}
        if set(free) != set(lik.free_params):
            free = {**lik.null_free_params(y, sw, problem.fit_intercept), **free}
        w, b = problem.w0, problem.b0
        total, stat, sol = 0, np.inf, None
        method = problem.glm_method
        for _ in range(problem.max_iter or 1000):
            bound = lik.bind(**free)
            inner = select_solver(bound, problem.penalty)
            sub = Problem(bound, problem.penalty, problem.X, y, sw, problem.fit_intercept,
                          problem.tol, problem.max_iter, w, b, glm_method=method)
            sol = inner.solve(sub)
            total += sol.n_iter
            w, b = sol.coef, sol.intercept
            method = "prox_newton" if problem.penalty.has_kinks else method  # warm from here on
            eta = sol.eta if sol.eta is not None else b + xw(problem.X, w)
            stat = lik.free_stationarity(y, eta, sw, **free)
            if stat <= sol.tol_abs:
                break
            free = lik.free_at_mode(y, eta, sw, free)
        return Solution(sol.coef, sol.intercept, optimality=max(sol.optimality, stat),
                        optimality_kind="kkt", tol_abs=sol.tol_abs, n_iter=total,
                        solver=sol.solver + "+" + "+".join(lik.free_params), free=dict(free),
                        eta=sol.eta)


# ------------------------------------------------------------------ group lasso
class GroupCoordinateDescent(Solver):
    """Gaussian x group penalty (GroupLaplace): working-set block coordinate descent with a
    group duality gap and gap-safe group screening (:mod:`bayesreg.map.group`), on the
    sigma-free centered design (dense or sparse X)."""

    name = "group_cd"
    likelihood_faces = ("quadratic_weight",)
    penalty_faces = ("group_structure",)

    def accepts(self, lik, penalty):
        return super().accepts(lik, penalty) and not lik.free_params

    def prepare_path(self, X, y, sw, fit_intercept, penalty, n_points):
        return X, Design(X, y, sw, fit_intercept)

    def solve(self, problem):
        from .group import solve_group_lasso

        pen = problem.penalty
        if problem.design is None:
            problem.design = Design(problem.X, problem.y, problem.sw, problem.fit_intercept)
        s2 = 1.0 / problem.lik.quadratic_weight()
        ptr, idx, lam = pen.group_structure
        sol = solve_group_lasso(problem.X, problem.y, problem.sw, pen.labels, lam * s2, ptr, idx,
                                problem.fit_intercept, w0=problem.w0, tol=problem.tol,
                                max_iter=problem.max_iter or 1000, design=problem.design,
                                l1=pen.l1 * s2 if pen.has_l1 else None)
        return Solution(sol.coef, sol.intercept, optimality=sol.optimality / s2,
                        optimality_kind="duality_gap", tol_abs=sol.tol_abs / s2,
                        n_iter=sol.n_iter, solver=self.name)


class GroupProxNewton(Solver):
    """Convex GLM likelihoods x group penalty: proximal Newton whose inner weighted group
    lasso is solved by block coordinate descent, Armijo line search, group KKT certificate
    (:func:`bayesreg.map.group.solve_group_glm`)."""

    name = "group_prox_newton"
    likelihood_faces = ("datafit", "gradient", "curvature", "null_eta", "working_response")
    penalty_faces = ("group_structure",)

    def accepts(self, lik, penalty):
        return (super().accepts(lik, penalty) and not lik.free_params
                and getattr(lik, "convex", True))

    def prepare_path(self, X, y, sw, fit_intercept, penalty, n_points):
        return fortran_columns(X), None

    def solve(self, problem):
        from .group import solve_group_glm

        sol = solve_group_glm(problem.lik, problem.penalty, problem.X, problem.y, problem.sw,
                              problem.fit_intercept, w0=problem.w0, b0=problem.b0,
                              tol=problem.tol, max_iter=problem.max_iter)
        return Solution(sol.coef, sol.intercept, optimality=sol.optimality,
                        optimality_kind="kkt", tol_abs=sol.tol_abs, n_iter=sol.n_iter,
                        solver=self.name, eta=sol.eta)


for _s in (ClosedFormRidge(), CoordinateDescent(), JointSigma(), GLM(), MajorizeMinimize(),
           JointFree(), GroupCoordinateDescent(), GroupProxNewton()):
    register_solver(_s)


# ------------------------------------------------------------------ fit_map
def fit_map(lik, prior, X, y, sw, fit_intercept=True, feature_names=None, tol=1e-6,
            max_iter=None, w0=None, b0=None, sigma0=None, warn=True, design=None,
            glm_method="auto", checked=False, resolved=None, units=None, free0=None,
            path_cache=None) -> MAPResult:
    """Solve for the MAP of ``lik`` x ``prior`` on validated data (see module table).

    ``design``: an optional prebuilt :class:`~bayesreg.map.enet.Design` of (X, y, sw) reused by
    least-squares fits (paths build it, and its Gram matrix, once); a statistics-only design
    (:meth:`Design.from_stats`) with ``X = y = sw = None`` solves from sufficient statistics.
    ``glm_method``: see :func:`~bayesreg.map.glm.solve_glm` (paths use ``"prox_newton"`` from
    warm starts). ``checked``: the (prior, y) checks already passed for this data (later points
    of a path, or the Dask backend's own distributed checks). ``resolved``: the likelihood with
    its data defaults fixed, for statistics-only designs (with rows it is ``lik.resolved``).
    ``units``: ``X`` (and ``design``) are already the columns ``X / units`` of
    :func:`column_units` (paths divide once); ``w0`` and the result stay in the original units.
    Without it, columns of extreme magnitude are divided here. ``free0``: starting values of
    free likelihood parameters (``sigma0`` is the Gaussian's)."""
    rows = X is not None
    n, p = (X.shape if rows else (design.n, design.p))
    prior = prior.bind_features(feature_names)
    pen = require_penalty(prior, p)
    if not checked:
        prior.check_n_coef(p)
        prior.check_likelihood(lik)
        lik.check_y(y)
        lik.check_mode_exists(y, sw, fit_intercept)
    cache = {} if path_cache is None else path_cache
    if "res_lik" not in cache:
        cache["res_lik"] = lik.resolved(y, sw) if rows else (resolved or lik)
        cache["names"] = default_names(p, feature_names)
    res_lik, names = cache["res_lik"], cache["names"]
    free0 = {k: v for k, v in {"sigma": sigma0, **(free0 or {})}.items()
             if k in res_lik.free_params and v is not None}
    # the solver works on u = units * w over the columns X / units (exact: powers of two) when
    # some column is of extreme magnitude; a path passes X already divided
    X_units, pen_units = X, pen
    divide_here = units is None and rows and design is None
    if divide_here:
        units = column_units(X)
    if units is not None:
        pen_units = pen.in_units(units)
        if pen_units is None:  # a penalty without the face: solved in the given units
            units, pen_units = None, pen
        elif divide_here:
            X_units = divide_columns(X, units)
    problem = Problem(res_lik, pen_units, X_units, y, sw, fit_intercept, tol, max_iter,
                      w0 if units is None or w0 is None else np.asarray(w0) * units, b0, free0,
                      design, glm_method)
    if "solver" not in cache:  # the penalty's strength changes along a path, not its faces
        cache["solver"] = select_solver(res_lik, pen)
    solver = cache["solver"]
    # iterative solvers: BLAS on one thread for the solve and the result's products
    with serial_blas(solver.serial_blas(pen)):
        return _solve_and_assemble(solver, problem, lik, prior, pen, res_lik, X, X_units, y, sw,
                                   rows, n, names, units, fit_intercept, feature_names, warn,
                                   cache)


def _solve_and_assemble(solver, problem, lik, prior, pen, res_lik, X, X_units, y, sw, rows, n,
                        names, units, fit_intercept, feature_names, warn, cache) -> MAPResult:
    try:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            sol = solver.solve(problem)
    except (ZeroDivisionError, OverflowError, FloatingPointError, np.linalg.LinAlgError) as exc:
        from .._errors import DataError

        raise DataError(f"the {solver.name} solver failed numerically ({type(exc).__name__}: "
                        f"{exc}): the scales of X, y, sigma or the prior are extreme. Rescale the "
                        "data (e.g. standardize X and y) and the prior with them.") from exc
    if cache.get("defer"):
        return _defer(sol, problem.design, lik, prior, pen, res_lik, X, X_units, y, sw, rows, n,
                      names, units, fit_intercept, feature_names, warn, cache)
    return _assemble(sol, problem.design, lik, prior, pen, res_lik, X, X_units, y, sw, rows, n,
                     names, units, fit_intercept, feature_names, warn, cache)


class DeferredResult:
    """A path point whose solution, certificate and ``converged`` flag are final (checked and
    warned about now) and whose :class:`MAPResult` (log posterior, objective) is assembled by
    :meth:`build` on first use (paths: ``fit_path`` sets ``path_cache["defer"]``)."""

    __slots__ = ("coef", "intercept", "sigma", "free", "converged", "_args")

    def __init__(self, coef, intercept, sigma, free, converged, args):
        self.coef, self.intercept, self.sigma, self.free = coef, intercept, sigma, free
        self.converged, self._args = converged, args

    def build(self) -> MAPResult:
        return _assemble(*self._args)


def _defer(sol, d, lik, prior, pen, res_lik, X, X_units, y, sw, rows, n, names, units,
           fit_intercept, feature_names, warn, cache) -> DeferredResult:
    w, b = (sol.coef if units is None else sol.coef / units), float(sol.intercept)
    if sol.rss is None and isinstance(d, Design) and (not rows or _recorded(d, sol.coef)):
        sol.rss = d.rss(sol.coef)  # recorded by this solve only: kept before the next one
    check_representable("the MAP", coef=w, intercept=b, certificate=sol.optimality,
                        tolerance=sol.tol_abs, **sol.free)
    converged = certified(sol.optimality, sol.tol_abs)
    _warn_unconverged(sol, warn and not converged)
    sigma = sol.free.get("sigma", getattr(lik, "sigma", None))
    free = {k: float(v) for k, v in sol.free.items()}
    return DeferredResult(w, b, sigma, free, converged,
                          (sol, d, lik, prior, pen, res_lik, X, X_units, y, sw, rows, n, names,
                           units, fit_intercept, feature_names, False, cache))


def _warn_unconverged(sol, warn: bool) -> None:
    if warn:
        warnings.warn(
            f"{sol.solver} did not converge: {sol.optimality_kind} = {sol.optimality:.3g} > "
            f"tolerance {sol.tol_abs:.3g} after {sol.n_iter} iterations. Increase max_iter, "
            "loosen tol, or standardize X.",
            ConvergenceWarning,
            stacklevel=6,
        )


def assemble_path_point(sol: Solution, lik, prior, X, y, sw, fit_intercept, feature_names,
                        path_cache: dict) -> MAPResult:
    """The :class:`MAPResult` of one point of a solver's fast path loop
    (:meth:`Solver.solve_path`; rows given, no column units), assembled exactly as
    :func:`fit_map` assembles its solution: log posterior (from ``sol.rss`` when the solver
    recorded it), objective, certificate."""
    n, p = X.shape
    prior = prior.bind_features(feature_names)
    pen = require_penalty(prior, p)
    return _assemble(sol, None, lik, prior, pen,
                     path_cache["res_lik"], X, X, y, sw, True, n, path_cache["names"], None,
                     fit_intercept, feature_names, True, path_cache)


def _assemble(sol, d, lik, prior, pen, res_lik, X, X_units, y, sw, rows, n, names, units,
              fit_intercept, feature_names, warn, cache) -> MAPResult:
    w, b = (sol.coef if units is None else sol.coef / units), float(sol.intercept)
    wsum = float(sw.sum()) if rows else d.S
    if not isinstance(d, Design):
        d = None  # a solver's own path state (GLMPathState), not a least-squares design
    rss = sol.rss if sol.rss is not None else (
        d.rss(sol.coef) if d is not None and (not rows or _recorded(d, sol.coef)) else None)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        eta = sol.eta
        if eta is None and rss is None and units is not None:
            from .enet import xw

            eta = b + xw(X_units, sol.coef)
        lp = log_posterior(res_lik, prior, w, b, y=y, sw=sw, X=X, eta=eta, rss=rss,
                           wsum=wsum, free=sol.free)
        if "const" not in cache:
            cache["const"] = res_lik.loglik_constant(y, sw if rows else np.array([wsum]))
        const = cache["const"]
        obj = objective(lp, pen.log_normalizer(), const)
    check_representable("the MAP", coef=w, intercept=b, log_posterior=lp, objective=obj,
                        certificate=sol.optimality, tolerance=sol.tol_abs, **sol.free)
    converged = certified(sol.optimality, sol.tol_abs)
    _warn_unconverged(sol, warn and not converged)
    sigma = sol.free.get("sigma", getattr(lik, "sigma", None))
    return MAPResult(coef=w, intercept=b, sigma=sigma, log_posterior=lp, objective=obj,
                     optimality=float(sol.optimality), optimality_kind=sol.optimality_kind,
                     tol=float(sol.tol_abs), n_iter=int(sol.n_iter), converged=converged,
                     feature_names=names, prior=prior, likelihood=lik,
                     fit_intercept=fit_intercept, solver=sol.solver, n_samples=n,
                     sigma_prior_scale=(getattr(res_lik, "sigma_prior_scale", None)
                                        if "sigma" in res_lik.free_params else None),
                     extra={}, feature_names_given=feature_names is not None,
                     free={k: float(v) for k, v in sol.free.items()},
                     local_mode=not getattr(res_lik, "convex", True))


#: columns whose largest |x_ij| lies in [2^-COLUMN_RANGE, 2^COLUMN_RANGE] are used as given
#: (outside it the solvers work in units: their relative certificates then weigh the
#: intercept and every coefficient alike)
COLUMN_RANGE = 10


def column_units(X) -> np.ndarray | None:
    """Per column, the power of two nearest ``max_i |x_ij|`` (1 for an all-zero column), when
    some column's magnitude is outside ``[2^-10, 2^10]``; None otherwise. Solving on
    ``X / units`` for ``units * w`` is the same problem, exactly (dividing by a power of two
    rounds nothing), with a Gram matrix and gradients that cannot overflow or underflow."""
    import scipy.sparse as sp

    from .._scan import scan_columns, scanned_column_maxabs

    top = scanned_column_maxabs(X)  # validation's pass over this X found them already
    if top is None:
        if sp.issparse(X):
            top = np.asarray(abs(X).max(axis=0).todense()).ravel()
        else:
            top = (scan_columns(X)[1] if X.flags.c_contiguous or X.flags.f_contiguous
                   else np.max(np.abs(X), axis=0))
    top = np.where(top > 0, top, 1.0)
    if np.all((top >= 2.0 ** -COLUMN_RANGE) & (top <= 2.0 ** COLUMN_RANGE)):
        return None
    return np.exp2(np.round(np.log2(top)))


def divide_columns(X, units):
    """``X / units`` column-wise (dense or sparse, same layout)."""
    import scipy.sparse as sp

    if sp.issparse(X):
        return (X @ sp.diags(1.0 / units)).asformat(X.format)
    return np.asfortranarray(X / units) if X.flags.f_contiguous else X / units


def _recorded(d: Design, w) -> bool:
    last = d._last_rss
    return last is not None and last[0] is w
