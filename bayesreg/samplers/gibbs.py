"""Exact Gibbs sampler for a Gaussian likelihood with any prior that has a Gibbs face.

The model (identical to :class:`bayesreg.Model`)::

    y_i | b0, w, sigma  ~  N(b0 + x_i w, sigma^2)       (log-likelihood of row i times sw_i)
    w_j | latent        ~  N(0, 1 / prec_j)             (the prior's scale-mixture representation)
    latent              ~  the prior's own
    b0                  ~  flat
    sigma               ~  HalfNormal(s)   (when estimated; s = Gaussian.resolve_sigma_prior_scale)

The sampler is blackjax-style: a state object (:class:`GibbsState`) and one update per full
conditional, each its own function; a chain applies them in turn:

1. :func:`update_coef`: **(w, b0) | sigma, prec, jointly.** With ``D = diag(prec)`` and the
   weighted, centered sufficient statistics ``G = X~^T W X~``, ``q = X~^T W y~``
   (:class:`~bayesreg.suffstats.SuffStats`), the intercept integrates out under its flat prior
   and ``w | sigma, prec ~ N(A^-1 q / sigma^2, A^-1)``, ``A = G / sigma^2 + D`` (one Cholesky of
   a p x p matrix per draw: the cost does not depend on n; for dense X with p > n the same
   Gaussian is drawn in O(n^2 p) from the centered rows instead, by the algorithm of
   Bhattacharya, Chakraborty & Mallick 2016, with one n x n Cholesky per draw, as R's bayesreg
   does); then ``b0 | w, sigma ~ N(ybar - xbar w, sigma^2 / sum(sw))``: an exact draw from the
   joint conditional of (w, b0).
2. :func:`update_rss`: ``RSS = sum_i sw_i (y_i - b0 - x_i w)^2`` from the statistics (or rows).
3. the **likelihood's noise conditional** (``Gaussian.gibbs_noise_face``: the exact draw of
   sigma, see :mod:`bayesreg.likelihoods._gaussian_gibbs`), given RSS and the prior's share
   (``GibbsFace.sigma_terms``, for priors that scale with sigma);
4. the **prior's latent conditionals** (``Prior.gibbs_face``: e.g. the inverse-Gaussian latent
   precisions of the Laplace kernel and the Gamma conditional of a lambda^2 hyperprior, see
   :mod:`bayesreg.priors._mixture`), which refill ``prec``.

Every update is a numba function; :func:`run_chain` (numba too) takes the prior's and the
likelihood's update functions as first-class function arguments of fixed signatures, so a new
prior brings its own conditionals in its own file, this module does not change, and the
compiled chain is cached on disk across processes. Chains are independent: their generators come from
``np.random.SeedSequence(random_seed).spawn``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from numba import njit

from .._errors import NotSupportedError, ParameterError
from .._slice import slice_sampler
from .._validation import check_int, check_X_y, default_names, seed_sequence
from ..spec import check_spec
from ..suffstats import SuffStats

__all__ = ["sample_gibbs", "sample_gibbs_from_stats", "gibbs_draws", "wide_rows", "GibbsState",
           "GibbsData", "update_coef", "update_rss", "draw_coef_wide", "check_gibbs",
           "augmented_draws"]


class GibbsState(NamedTuple):
    """One chain's state: ``w`` (p), ``scal = [intercept, sigma, rss]``, ``prec`` (p: the
    conditional prior precisions), ``latent`` (the prior's latent variables), ``sig_terms`` (2:
    the prior's share of the sigma conditional), ``counters`` (int64, the noise face's)."""

    w: np.ndarray
    scal: np.ndarray
    prec: np.ndarray
    latent: np.ndarray
    sig_terms: np.ndarray
    counters: np.ndarray


class GibbsData(NamedTuple):
    """The data as the coefficient draw reads them: the statistics ``G, q, yy, S, xbar, ybar``
    and, for the O(n^2 p) draw (``wide``), the centered sqrt-weighted rows ``Xt, yt`` and the
    unit null vector ``vn`` of the centered rows (zeros without an intercept)."""

    G: np.ndarray
    q: np.ndarray
    yy: float
    S: float
    xbar: np.ndarray
    ybar: float
    fit_intercept: bool
    wide: bool
    Xt: np.ndarray
    yt: np.ndarray
    vn: np.ndarray


class _Work(NamedTuple):
    A: np.ndarray
    L: np.ndarray
    v: np.ndarray
    Xs: np.ndarray
    M: np.ndarray
    z: np.ndarray
    res: np.ndarray
    d: np.ndarray
    B: np.ndarray


# --------------------------------------------------------------------------- linear algebra
@njit(cache=True, nogil=True)
def _cholesky(A, L):
    """Lower Cholesky factor of the symmetric positive definite ``A`` into ``L`` (in place)."""
    p = A.shape[0]
    for j in range(p):
        s = A[j, j]
        for k in range(j):
            s -= L[j, k] * L[j, k]
        if s <= 0.0:
            raise np.linalg.LinAlgError("matrix is not positive definite")
        d = np.sqrt(s)
        L[j, j] = d
        for i in range(j + 1, p):
            t = A[i, j]
            for k in range(j):
                t -= L[i, k] * L[j, k]
            L[i, j] = t / d
    return L


@njit(cache=True, nogil=True)
def draw_coef_wide(Xt, yt, iv, dprec, w, rng, Xs, M, L, u, z, vn):
    """Exact draw of ``w ~ N(A^-1 X~'y~ iv, A^-1)``, ``A = X~'X~ iv + diag(dprec)``, in
    O(n^2 p) for p > n (Bhattacharya, Chakraborty & Mallick 2016, "Fast sampling with Gaussian
    scale mixture priors in high-dimensional regression"): with ``Phi = X~ / sigma`` and the
    prior covariance ``Delta = diag(1 / dprec)``, draw ``u ~ N(0, Delta)``, ``delta ~ N(0, I_n)``,
    solve ``(Phi Delta Phi' + I_n) z = y~ / sigma - (Phi u + delta)`` and return
    ``u + Delta Phi' z``. One n x n Cholesky per draw instead of a p x p one.

    ``vn``: the unit null vector ``sqrt(sw) / ||sqrt(sw)||`` of the centered rows (``X~' vn = 0``;
    zeros without an intercept). Along it the matrix has eigenvalue exactly 1, which the rounding
    of ``iv X~ X~'`` swamps when sigma is tiny; adding ``trace * vn vn'`` keeps the factorization
    positive definite and changes no draw (z's component along vn never reaches w)."""
    n, p = Xt.shape
    s = np.sqrt(iv)
    for j in range(p):
        u[j] = rng.standard_normal() / np.sqrt(dprec[j])
    for i in range(n):
        for j in range(p):
            Xs[i, j] = Xt[i, j] / np.sqrt(dprec[j])
    M[:, :] = np.dot(Xs, Xs.T)
    for i in range(n):
        for k in range(n):
            M[i, k] *= iv
        M[i, i] += 1.0
    kap = 0.0
    for i in range(n):
        kap += M[i, i]
    for i in range(n):
        for k in range(n):
            M[i, k] += kap * vn[i] * vn[k]
    _cholesky(M, L)
    for i in range(n):  # right-hand side, then forward substitution into z
        xu = 0.0
        for j in range(p):
            xu += Xt[i, j] * u[j]
        acc = (yt[i] - xu) * s - rng.standard_normal()
        for k in range(i):
            acc -= L[i, k] * z[k]
        z[i] = acc / L[i, i]
    for i in range(n - 1, -1, -1):  # backward substitution
        acc = z[i]
        for k in range(i + 1, n):
            acc -= L[k, i] * z[k]
        z[i] = acc / L[i, i]
    for j in range(p):
        w[j] = u[j]
    for i in range(n):
        zi = z[i] * s
        for j in range(p):
            w[j] += Xt[i, j] * zi / dprec[j]


# --------------------------------------------------------------------------- conditionals
@njit(cache=True, nogil=True)
def update_coef(state, data, work, rng):
    """(w, b0) | sigma, prec (module docstring, step 1)."""
    w, prec = state.w, state.prec
    sigma = state.scal[1]
    p = w.shape[0]
    iv = 1.0 / (sigma * sigma)
    if data.wide:
        draw_coef_wide(data.Xt, data.yt, iv, prec, w, rng, work.Xs, work.M, work.L, work.v,
                       work.z, data.vn)
    else:
        A, L, v, G, q = work.A, work.L, work.v, data.G, data.q
        for i in range(p):
            for k in range(p):
                A[i, k] = G[i, k] * iv
            A[i, i] += prec[i]
        _cholesky(A, L)  # in-kernel: no LAPACK call / BLAS-thread overhead per draw
        # forward: L v = q * iv, then add N(0, I), then backward: L^T w = v
        for i in range(p):
            acc = q[i] * iv
            for k in range(i):
                acc -= L[i, k] * v[k]
            v[i] = acc / L[i, i]
        for i in range(p):
            v[i] += rng.standard_normal()
        for i in range(p - 1, -1, -1):
            acc = v[i]
            for k in range(i + 1, p):
                acc -= L[k, i] * w[k]
            w[i] = acc / L[i, i]
    xw = 0.0
    for j in range(p):
        xw += data.xbar[j] * w[j]
    if data.fit_intercept:
        state.scal[0] = data.ybar - xw + sigma / np.sqrt(data.S) * rng.standard_normal()
    else:
        state.scal[0] = 0.0


@njit(cache=True, nogil=True)
def update_rss(state, data, work):
    """``RSS = sum_i sw_i (y_i - b0 - x_i w)^2`` from the statistics (or the rows when wide)."""
    w = state.w
    p = w.shape[0]
    xw = 0.0
    for j in range(p):
        xw += data.xbar[j] * w[j]
    d0 = state.scal[0] - data.ybar + xw
    if data.wide:  # ||y~ - X~ w||^2 from the rows
        rr = 0.0
        for i in range(data.Xt.shape[0]):
            acc = data.yt[i]
            for j in range(p):
                acc -= data.Xt[i, j] * w[j]
            work.res[i] = acc
            rr += acc * acc
        rss = rr + data.S * d0 * d0
    else:
        qw = 0.0
        wGw = 0.0
        for i in range(p):
            qw += data.q[i] * w[i]
            gi = 0.0
            for k in range(p):
                gi += data.G[i, k] * w[k]
            wGw += w[i] * gi
        rss = data.yy - 2.0 * qw + wGw + data.S * d0 * d0
    state.scal[2] = rss if rss > 1e-300 else 1e-300


@njit(cache=True, nogil=True)
def _global_marginal(u, sigma, wide, yy, ev, et):
    """``log N(y~; 0, sigma^2 I + e^u X~ diag(d) X~')`` up to terms free of u, from the
    eigendecomposition ``U diag(ev) U'`` of ``X~ diag(d) X~'`` (n x n, rows) with ``et = U' y~``,
    or, by Woodbury, of ``D^1/2 G D^1/2`` (p x p, statistics) with ``et = U' D^1/2 q``:
    ``-1/2 sum log(1 + f ev_i) - (yy - f sum et_i^2 / (1 + f ev_i)) / (2 s2)``, ``f = g/s2``."""
    g = np.exp(u)
    s2 = sigma * sigma
    out = 0.0
    if wide:
        for i in range(ev.shape[0]):
            m = s2 + g * ev[i]
            out += -0.5 * np.log(m) - 0.5 * et[i] * et[i] / m
        return out
    f = g / s2
    rr = 0.0
    for i in range(ev.shape[0]):
        m = 1.0 + f * ev[i]
        out += -0.5 * np.log(m)
        rr += et[i] * et[i] / m
    return out - 0.5 * (yy - f * rr) / s2


@njit(cache=True, nogil=True)
def _global_logf(u, args):
    """``global_logprior(u) + _global_marginal(u)``: the log density of u = log g given the
    other latents, coefficients integrated out; ``args = (global_logprior, latent,
    prior_params, sigma, wide, yy, ev, et)``."""
    global_logprior, lat, prior_params, sigma, wide, yy, ev, et = args
    return global_logprior(lat, prior_params, u) + _global_marginal(u, sigma, wide, yy, ev, et)


_global_slice = slice_sampler(_global_logf)


@njit(cache=True, nogil=True)
def global_step(state, data, work, prior_params, global_get, global_logprior, global_set, rng):
    """The prior's global variance with the coefficients integrated out (GibbsFace.global_*):
    one stepping-out + shrinkage slice update of u = log g (Neal 2003). No-op without one.
    Run at the start of a sweep: the coefficients are drawn afresh from the new g next."""
    sigma = state.scal[1]
    d = work.d
    u0 = global_get(state.latent, prior_params, sigma, d)
    if not np.isfinite(u0):
        return
    p = d.shape[0]
    if data.wide:  # X~ diag(d) X~' (n x n)
        n = data.Xt.shape[0]
        for i in range(n):
            for j in range(p):
                work.Xs[i, j] = data.Xt[i, j] * np.sqrt(d[j])
        ev, U = np.linalg.eigh(np.dot(work.Xs, work.Xs.T))
        et = np.dot(U.T, data.yt)
    else:  # D^1/2 G D^1/2 (p x p)
        sd = np.sqrt(d)
        for i in range(p):
            for k in range(p):
                work.B[i, k] = sd[i] * data.G[i, k] * sd[k]
        ev, U = np.linalg.eigh(work.B)
        et = np.dot(U.T, sd * data.q)
    for i in range(ev.shape[0]):
        if ev[i] < 0.0:
            ev[i] = 0.0
    args = (global_logprior, state.latent, prior_params, sigma, data.wide, data.yy, ev, et)
    u1 = _global_slice(u0, args, rng, 1.0, -np.inf, np.inf)
    global_set(state.latent, prior_params, u1, sigma, state.prec)


def _run_chain(state, data, work, prior_params, prior_init, prior_update, prior_sigma_terms,
               prior_record, global_get, global_logprior, global_set, noise_params,
               noise_update, tune, draws, rng, w_out, scal_out, hyper_out):
    prior_init(state.latent, prior_params, state.prec, state.scal[1], rng)
    for it in range(tune + draws):
        global_step(state, data, work, prior_params, global_get, global_logprior, global_set,
                    rng)
        update_coef(state, data, work, rng)
        update_rss(state, data, work)
        prior_sigma_terms(state.latent, prior_params, state.w, state.sig_terms)
        noise_update(state.scal, noise_params, data.S, state.sig_terms, state.counters, rng)
        prior_update(state.latent, prior_params, state.w, state.scal[1], state.prec, rng)
        if it >= tune:
            t = it - tune
            w_out[t, :] = state.w
            scal_out[t, :] = state.scal
            prior_record(state.latent, prior_params, hyper_out[t])


@njit(cache=True, nogil=True)
def keep_latent(latent, params, prec, sigma, rng):
    """The ``init`` of a warm-started chain: the latent values and ``prec`` are already set."""
    return None


def _face_signatures():
    """The numba signatures every Gibbs face function is called with (see GibbsFace)."""
    from numba import types

    vec = types.float64[::1]
    rng = types.NumPyRandomGeneratorType("NumPyRandomGeneratorType")
    return {
        "init": types.none(vec, vec, vec, types.float64, rng),
        "update": types.none(vec, vec, vec, types.float64, vec, rng),
        "sigma_terms": types.none(vec, vec, vec, vec),
        "record": types.none(vec, vec, vec),
        "global_get": types.float64(vec, vec, types.float64, vec),
        "global_logprior": types.float64(vec, vec, types.float64),
        "global_set": types.none(vec, vec, types.float64, types.float64, vec),
        "noise": types.none(vec, vec, types.float64, vec, types.int64[::1], rng),
    }


_RUNNERS: dict = {}

#: when the prior's collapsed global step (``GibbsFace.global_*``) runs: ``"auto"`` (default:
#: with the O(n^2 p) draw, p > n, and on the p x p statistics up to ``GLOBAL_STEP_MAX_STATS_DIM``
#: coefficients), ``"always"`` or ``"never"`` (benchmarks set it)
GLOBAL_STEP = "auto"
#: above this p the statistics path skips the collapsed step: its p x p eigendecomposition per
#: sweep (~ p^3) then costs far more than the rest of the sweep
GLOBAL_STEP_MAX_STATS_DIM = 64


def run_chain(state, data, work, prior_params, prior_init, prior_update, prior_sigma_terms,
              prior_record, noise_params, noise_update, tune, draws, rng, w_out, scal_out,
              hyper_out, global_get=None, global_logprior=None, global_set=None):
    """One chain: ``tune`` discarded sweeps, then ``draws`` kept ones. ``scal_out[t]`` receives
    ``[intercept, sigma, rss]``, ``hyper_out[t]`` the prior's hyperparameters.

    The loop is compiled once with the face functions as first-class function arguments (typed
    by :func:`_face_signatures`, not by which functions they are), so the compiled chain is
    loaded from numba's on-disk cache in a new process, whichever prior's conditionals it runs.
    """
    from numba import njit, typeof, types

    from ..priors.base import no_global_get, no_global_logprior, no_global_set

    global_get = no_global_get if global_get is None else global_get
    global_logprior = no_global_logprior if global_logprior is None else global_logprior
    global_set = no_global_set if global_set is None else global_set
    fs = _face_signatures()
    arg_types = (typeof(state), typeof(data), typeof(work), typeof(prior_params),
                 types.FunctionType(fs["init"]), types.FunctionType(fs["update"]),
                 types.FunctionType(fs["sigma_terms"]), types.FunctionType(fs["record"]),
                 types.FunctionType(fs["global_get"]), types.FunctionType(fs["global_logprior"]),
                 types.FunctionType(fs["global_set"]),
                 typeof(noise_params), types.FunctionType(fs["noise"]), types.int64,
                 types.int64, typeof(rng), typeof(w_out), typeof(scal_out), typeof(hyper_out))
    runner = _RUNNERS.get(arg_types)
    if runner is None:
        runner = njit(types.none(*arg_types), cache=True, nogil=True)(_run_chain)
        _RUNNERS[arg_types] = runner
    runner(state, data, work, prior_params, prior_init, prior_update, prior_sigma_terms,
           prior_record, global_get, global_logprior, global_set, noise_params, noise_update,
           int(tune), int(draws), rng, w_out, scal_out, hyper_out)


# --------------------------------------------------------------------------- public API
def check_gibbs(model) -> None:
    """Raise NotSupportedError unless the model's likelihood and prior both have Gibbs faces."""
    check_spec(model)
    lik, prior = model.likelihood, model.prior
    if lik.gibbs_kind() is None:
        raise NotSupportedError(
            f"sampler='gibbs' needs a likelihood with a Gibbs form (Gaussian, StudentT, "
            f"Bernoulli, Binomial, NegativeBinomial), got {type(lik).__name__}: use "
            "sampler='nutpie' (or 'pymc') for this model.")
    prior.check_likelihood(lik)


def _prior_face(prior, p: int):
    """``(GibbsFace, None)``, or ``(None, SelectionFace)`` for a point-mass prior sampled by the
    collapsed sampler (:mod:`bayesreg.samplers.collapsed`)."""
    sel = prior.gibbs_selection_face(p)
    if sel is not None:
        return None, sel
    face = prior.gibbs_face(p)
    if face is None:
        raise NotSupportedError(
            f"sampler='gibbs' needs a prior with Gibbs conditionals, got {type(prior).__name__}: "
            "use sampler='nutpie' for this prior (sampler='pymc' when it has discrete "
            "inclusion indicators).")
    return face, None


def wide_rows(X, y, sw, fit_intercept=True):
    """``(stats, (X~, y~, vn))``: the statistics without the p x p Gram matrix and the centered,
    sqrt-weighted rows the p > n coefficient draw works from (``vn``: unit null vector of the
    centered rows, zeros without an intercept)."""
    n = X.shape[0]
    stats = SuffStats.from_rows(X, y, sw, fit_intercept, gram=False)
    v = np.sqrt(sw)
    Xt = (X - stats.xbar) * v[:, None]
    yt = (y - stats.ybar) * v
    vn = v / np.linalg.norm(v) if fit_intercept else np.zeros(n)
    return stats, (Xt, yt, vn)


def _check_warm_state(warm, tag: str, p: int, n_latent: int) -> None:
    """Refuse a warm-start state that does not come from a chain of this prior (family)."""
    got = warm.get("prior") if isinstance(warm, dict) else None
    if got != tag:
        raise ParameterError(
            f"init_states: a state of a {got!r} chain cannot start a {tag} chain (its latent "
            f"variables mean something else); warm-start from the states this function returned "
            f"(return_states=True) for the {tag} prior, e.g. at another scale, or pass "
            "init_states=None for a cold start.")
    if np.shape(warm.get("w")) != (p,) or np.shape(warm.get("latent")) != (n_latent,):
        raise ParameterError(
            f"init_states: the {tag} state has {np.size(warm.get('w'))} coefficients and "
            f"{np.size(warm.get('latent'))} latent values, this model {p} and {n_latent}: "
            "warm-start from a chain on the same design, or pass init_states=None.")


def gibbs_draws(model, stats: SuffStats, draws: int = 1000, tune: int = 1000, chains: int = 4,
                random_seed=None, sigma_prior_scale: float | None = None, rows=None, *,
                progressbar: bool = False, init_states: list | None = None,
                return_states: bool = False):
    """The raw Gibbs draws: ``(posterior, sample_stats)`` dicts of arrays (chains, draws, ...).

    ``init_states``: one dict per chain (``prior``: the prior's class name, ``w``,
    ``intercept``, ``sigma``, ``latent``: the last state of a chain of the same prior family,
    e.g. at another scale, from ``return_states``): the chain starts there, with one exact draw
    of the prior's latent variables given ``w`` and sigma under this model's prior
    (``GibbsFace.update``) in place of the cold start (``GibbsFace.init``, ``w = 0``); the
    collapsed spike-and-slab sampler starts from the state's inclusion indicators and sigma. A
    state of another prior, or of another number of coefficients, raises ParameterError.
    ``return_states=True`` returns ``(posterior, sample_stats, states)``, the last state of
    every chain (collapsed chains included).

    ``stats``: the statistics of the data (with ``G``, or without when ``rows = (X~, y~, vn)``
    from :func:`wide_rows` are given for the O(n^2 p) draw). ``sigma_prior_scale``: the resolved
    HalfNormal scale (default: the model's, else ``stats.y_sd``). ``progressbar``: a tqdm bar
    ticking once per chain (each chain runs in one compiled call; needs tqdm installed)."""
    from .._progress import progress

    check_gibbs(model)
    draws = check_int(draws, "draws", 1)
    tune = check_int(tune, "tune", 0)
    chains = check_int(chains, "chains", 1)
    lik, p = model.likelihood, stats.p
    prior = model.prior.bind_data(int(stats.n), p, None if lik.free_params else lik.sigma)
    prior.check_n_coef(p)
    if lik.free_params:
        s = sigma_prior_scale or getattr(lik, "sigma_prior_scale", None)
        if s is None:
            s = stats.y_sd if stats.y_sd > 0 else 1.0
        lik = lik.bind(sigma_prior_scale=float(s))
        if stats.S <= 1.0:
            raise NotSupportedError(
                f"estimating sigma needs sum(sample_weight) > 1 (got {stats.S:g}); fix sigma with "
                "Gaussian(sigma=...).")
    face, sel = _prior_face(prior, p)
    noise = lik.gibbs_noise_face()
    prior_params = (np.zeros(1) if face is None else
                    np.ascontiguousarray(face.params, dtype=np.float64).ravel())
    noise_params = np.ascontiguousarray(noise.params, dtype=np.float64).ravel()
    estimate = bool(lik.free_params)
    seeds = seed_sequence(random_seed).spawn(chains)
    W = np.empty((chains, draws, p))
    SC = np.empty((chains, draws, 3))
    sizes = [p if h in prior.vector_hypers else 1 for h in prior.hyper_names]
    H = np.zeros((chains, draws, sum(sizes)))
    counters = np.zeros((chains, 2), dtype=np.int64)
    y_sd = stats.y_sd if stats.y_sd > 0 else 1.0
    wide = rows is not None
    if sel is not None and wide:  # the collapsed sampler reads the Gram matrix
        import dataclasses

        Xt_ = np.asarray(rows[0], dtype=float)
        stats = dataclasses.replace(stats, G=Xt_.T @ Xt_)
        rows, wide = None, False
    data = _gibbs_data(stats, rows)
    nw = data.Xt.shape[0] if wide else 0
    tag = type(prior).__name__
    n_latent = p if face is None else face.n_latent
    # the collapsed global step where it pays (benchmarks/RESULTS_shrinkage.md): with the
    # O(n^2 p) draw (p > n) its n x n eigendecomposition costs about one coefficient draw and
    # multiplies tau's ESS per second ~8x at n = 200, p = 2000. On the p x p statistics it
    # costs 3-15x the rest of the sweep (the interweaving step alone gives more tau ESS per
    # second) but 1.3-1.5x more tau ESS per draw: kept while p is small enough for that cost to
    # be negligible (< 0.2 ms a sweep at p = 50), skipped above
    run_global = GLOBAL_STEP == "always" or (
        GLOBAL_STEP == "auto" and (wide or p <= GLOBAL_STEP_MAX_STATS_DIM))
    global_fns = ((face.global_get, face.global_logprior, face.global_set)
                  if face is not None and run_global else (None, None, None))
    for warm in init_states or ():
        _check_warm_state(warm, tag, p, n_latent)
    finals = []
    for ch in progress(range(chains), progressbar, total=chains,
                       desc=f"Gibbs ({tune} tune + {draws} draws per chain)", unit="chain"):
        rng = np.random.default_rng(seeds[ch])
        sigma0 = float(y_sd * np.exp(rng.uniform(-0.5, 0.5))) if estimate else float(lik.sigma)
        warm = init_states[ch % len(init_states)] if init_states else None
        if warm is not None and estimate:
            sigma0 = float(warm["sigma"])
        if sel is not None:
            from .collapsed import run_collapsed_chain

            run_collapsed_chain(sel, data.G, data.q, data.yy, data.S, data.xbar, data.ybar,
                                data.fit_intercept, noise_params, noise.update, tune, draws, rng,
                                np.array([stats.ybar, sigma0, 0.0]), counters[ch], W[ch],
                                SC[ch], H[ch],
                                gamma0=None if warm is None else warm["latent"])
            finals.append({"prior": tag, "w": W[ch, -1].copy(),
                           "intercept": float(SC[ch, -1, 0]), "sigma": float(SC[ch, -1, 1]),
                           "latent": H[ch, -1].copy()})
            continue
        state = GibbsState(np.zeros(p), np.array([stats.ybar, sigma0, 0.0]), np.zeros(p),
                           np.zeros(face.n_latent), np.zeros(2), counters[ch])
        init = face.init
        if warm is not None:
            state.w[:] = warm["w"]
            state.scal[0] = warm["intercept"]
            state.latent[:] = warm["latent"]
            face.update(state.latent, prior_params, state.w, float(state.scal[1]), state.prec, rng)
            init = keep_latent
        run_chain(state, data, _work(p, nw, wide), prior_params, init, face.update,
                  face.sigma_terms, face.record, noise_params, noise.update, tune, draws, rng,
                  W[ch], SC[ch], H[ch], *global_fns)
        finals.append({"prior": tag, "w": state.w.copy(), "intercept": float(state.scal[0]),
                       "sigma": float(state.scal[1]), "latent": state.latent.copy()})
    B, SIG, RSS = SC[..., 0], SC[..., 1], SC[..., 2]
    ends = np.cumsum([0, *sizes])
    hyper = {name: H[..., ends[k]:ends[k + 1]] if name in prior.vector_hypers else H[..., ends[k]]
             for k, name in enumerate(prior.hyper_names)}
    # exact log posterior density per draw (flat intercept, no Jacobian), as
    # MAPResult.log_posterior: log-likelihood + log prior(coef, hyper) [+ log p(sigma)]
    free = {"sigma": SIG} if estimate else {}
    bound = lik.bind(**free)
    lp = (bound.loglik_from_rss(RSS, stats.S) + prior.joint_logpdf(W, sigma=SIG, **hyper)
          + lik.free_logprior(**free))
    post = {"coef": W}
    if stats.fit_intercept:
        post["intercept"] = B
    post.update(free)
    post.update(hyper)
    sstats = {"lp": lp}
    if estimate:
        acc, slc = counters[:, 0], counters[:, 1]
        sstats["sigma_exact_rate"] = np.repeat((acc / np.maximum(acc + slc, 1))[:, None], draws,
                                               axis=1)
    if return_states:
        return post, sstats, finals
    return post, sstats


def sample_gibbs(model, X, y, draws: int = 1000, tune: int = 1000, chains: int = 4,
                 random_seed=None, progressbar: bool = True, sample_weight=None, *,
                 log_likelihood: bool = True):
    """Exact Gibbs sampling of a Gaussian model's posterior (Park & Casella 2008).

    Samples ``p(w, b0[, sigma] | y) ∝ prod_i N(y_i; b0 + x_i w, sigma^2)^sw_i
    prod_j p(w_j) [HalfNormal(sigma; s)]`` with a flat prior on ``b0``, for a
    :class:`~bayesreg.Gaussian` likelihood (fixed or estimated sigma) and any prior with Gibbs
    conditionals (Normal, Laplace, ElasticNetPrior, BayesianLasso; scales fixed, possibly one
    per coefficient). See the module docstring for the conditionals.

    Parameters
    ----------
    model : bayesreg.Model
    X : array-like or scipy.sparse matrix, shape (n, p)
    y : array-like, shape (n,)
    draws, tune : int
        Kept draws and discarded warm-up sweeps per chain.
    chains : int
        Independent chains (generators from ``SeedSequence(random_seed).spawn(chains)``).
    random_seed : int, SeedSequence, Generator or None
        Equal seeds give identical draws.
    progressbar : bool
        A tqdm bar over the chains when tqdm is installed (each chain runs in compiled code, so
        the bar ticks once per chain); without tqdm, no bar.
    sample_weight : array-like, shape (n,), optional
        Each row's log-likelihood is multiplied by its weight.
    log_likelihood : bool, default True
        Store the pointwise log-likelihood (``chains x draws x n`` floats) for LOO.

    Returns
    -------
    xarray.DataTree
        Groups ``posterior`` (``intercept`` when fitted, ``coef`` [dim ``feature``], ``sigma``
        when estimated, the prior's hyperparameters such as ``lam2``; dims ``chain, draw``),
        ``sample_stats`` (``lp``: exact log posterior density with a flat intercept and no
        Jacobian, as ``MAPResult.log_posterior``; ``sigma_exact_rate``: share of sigma steps done
        by the exact rejection sampler rather than the slice fallback), ``observed_data`` (``y``,
        dim ``obs_id``), ``log_likelihood`` (``y``: ``sw_i log N(y_i; b0 + x_i w, sigma^2)``,
        dims ``chain, draw, obs_id``); ``attrs["bayesreg_model"]`` is
        ``json.dumps(model.to_dict())`` (see :func:`bayesreg.samplers.build_tree`).
    """
    from .datatree import build_tree, pointwise_loglik

    check_gibbs(model)
    X, y, sw, names = check_X_y(X, y, sample_weight)
    p = X.shape[1]
    model.prior.check_n_coef(p)
    if model.likelihood.gibbs_kind() == "augmented":  # a data-augmentation face
        return _sample_augmented(model, X, y, sw, names, draws, tune, chains, random_seed,
                                 progressbar, log_likelihood, sample_weight is not None)
    rows = None
    if not sp.issparse(X) and p > X.shape[0]:
        # p > n: draw the coefficients from the rows in O(n^2 p) (no p x p statistics)
        stats, rows = wide_rows(X, y, sw, model.fit_intercept)
    else:
        stats = SuffStats.from_rows(X, y, sw, model.fit_intercept)
    names_given = names is not None
    names = default_names(p, names)
    lik = model.likelihood.resolved(y, sw)
    s_prior = getattr(lik, "sigma_prior_scale", None) if lik.free_params else None
    post, sstats = gibbs_draws(model, stats, draws, tune, chains, random_seed, s_prior, rows,
                               progressbar=progressbar)
    loglik = None
    if log_likelihood:
        loglik = pointwise_loglik(lik, X, y, sw, post)
    weighted = sample_weight is not None and not np.all(sw == 1.0)
    return build_tree(model, post, sstats, names, sampler="gibbs", y=y,
                      sw=sw if weighted else None, loglik=loglik, sigma_prior_scale=s_prior,
                      suff_stats=True, inference_library="bayesreg", names_given=names_given)


def sample_gibbs_from_stats(model, stats: SuffStats, feature_names=None, draws: int = 1000,
                            tune: int = 1000, chains: int = 4, random_seed=None,
                            sigma_prior_scale: float | None = None, *,
                            progressbar: bool = False):
    """Gibbs draws from sufficient statistics only (no data rows; used by the Dask backend).

    Same sampler and output as :func:`sample_gibbs`, without ``observed_data`` and
    ``log_likelihood`` groups. ``sigma_prior_scale`` is the resolved HalfNormal scale (default:
    the model's, else the weighted sd of y from the statistics).
    """
    from .datatree import build_tree

    check_gibbs(model)
    if model.likelihood.gibbs_kind() != "gaussian":
        raise NotSupportedError(
            f"{type(model.likelihood).__name__}'s Gibbs sampler draws latent variables per row: "
            "it needs the rows, not their sufficient statistics (call .compute() on Dask arrays, "
            "or use sampler='nutpie').")
    if stats.G is None:
        raise NotSupportedError("sample_gibbs_from_stats needs statistics with the Gram matrix G.")
    lik = model.likelihood
    s_prior = None
    if lik.free_params:
        s_prior = sigma_prior_scale or getattr(lik, "sigma_prior_scale", None)
        if s_prior is None:
            s_prior = stats.y_sd if stats.y_sd > 0 else 1.0
    post, sstats = gibbs_draws(model, stats, draws, tune, chains, random_seed, s_prior,
                               progressbar=progressbar)
    names = default_names(stats.p, feature_names)
    return build_tree(model, post, sstats, names, sampler="gibbs", sigma_prior_scale=s_prior,
                      suff_stats=True, inference_library="bayesreg",
                      names_given=feature_names is not None)


# --------------------------------------------------------------------------- data augmentation
def augmented_draws(model, X, y, sw, draws: int = 1000, tune: int = 1000, chains: int = 4,
                    random_seed=None, *, progressbar: bool = False):
    """Raw Gibbs draws for a likelihood with a data-augmentation face
    (``likelihood.gibbs_augmentation(y, sw)``, see :mod:`bayesreg.likelihoods._augmentation`):
    ``(posterior, sample_stats)`` dicts of arrays (chains, draws, ...).

    One sweep, each an exact draw from its full conditional (any fixed scan order leaves the
    posterior invariant):

    1. ``(w, b0) | latents, free, prec``: :func:`update_coef` on the pseudo-data ``(z, v)`` of the
       likelihood's latents (the weighted statistics ``SuffStats.from_rows(X, z, v)`` with
       sigma = 1; rows for p > n dense X), the prior's conditional precisions ``prec``;
    2. the free parameters (e.g. StudentT's sigma and nu) given ``eta`` and the latents, with the
       prior's share of the sigma conditional;
    3. the prior's latents given ``w`` (and the likelihood's noise scale);
    4. the likelihood's latents given ``eta``.

    The cost of a sweep is that of the weighted statistics, O(n p^2) (O(n p) + O(n^2 p) when
    p > n).
    """
    from .._progress import progress

    check_gibbs(model)
    draws = check_int(draws, "draws", 1)
    tune = check_int(tune, "tune", 0)
    chains = check_int(chains, "chains", 1)
    lik = model.likelihood.resolved(y, sw)
    n, p = X.shape
    prior = model.prior.bind_data(int(n), p, getattr(lik, "sigma", None))
    prior.check_n_coef(p)
    pface, sel = _prior_face(prior, p)
    if sel is not None:
        raise NotSupportedError(
            f"{type(prior).__name__}'s collapsed Gibbs sampler needs a Gaussian likelihood (the "
            f"coefficients are integrated out in closed form); with {type(lik).__name__} use "
            "sampler='pymc' (NUTS for the slab, BinaryGibbsMetropolis for the indicators).")
    prior_params = np.ascontiguousarray(pface.params, dtype=np.float64).ravel()
    wide = not sp.issparse(X) and p > n
    fit_intercept = bool(model.fit_intercept)
    seeds = seed_sequence(random_seed).spawn(chains)
    free_names = lik.free_params
    sizes = [p if h in prior.vector_hypers else 1 for h in prior.hyper_names]
    W = np.empty((chains, draws, p))
    B = np.zeros((chains, draws))
    F = {k: np.empty((chains, draws)) for k in free_names}
    H = np.zeros((chains, draws, sum(sizes)))
    null = lik.bind(**lik.null_free_params(y, sw, fit_intercept)) if free_names else lik
    eta0 = np.full(n, float(null.null_eta(y, sw, fit_intercept)))
    face = lik.gibbs_augmentation(y, sw)
    work = _work(p, n if wide else 0, wide)
    for ch in progress(range(chains), progressbar, total=chains,
                       desc=f"Gibbs ({tune} tune + {draws} draws per chain)", unit="chain"):
        rng = np.random.default_rng(seeds[ch])
        latent, free = face.start(eta0, rng)
        # sigma = 1 in the coefficient step: the noise scale is in the pseudo-data's precisions
        state = GibbsState(np.zeros(p), np.array([0.0, 1.0, 0.0]), np.zeros(p),
                           np.zeros(pface.n_latent), np.zeros(2), np.zeros(2, dtype=np.int64))
        plat, prec, sig_terms = state.latent, state.prec, state.sig_terms
        pface.init(plat, prior_params, prec, float(face.noise_scale(free)), rng)
        for it in range(tune + draws):
            z, v = face.working(latent, free)
            _draw_coef_weighted(X, z, v, state, work, fit_intercept, wide, rng)
            w, b0 = state.w, float(state.scal[0])
            eta = np.asarray(X @ w).ravel() + b0
            pface.sigma_terms(plat, prior_params, w, sig_terms)
            free = face.update_free(eta, latent, free, sig_terms, rng)
            pface.update(plat, prior_params, w, float(face.noise_scale(free)), prec, rng)
            latent = face.update_latent(eta, free, rng)
            if it >= tune:
                t = it - tune
                W[ch, t], B[ch, t] = w, b0
                for k in free_names:
                    F[k][ch, t] = free[k]
                pface.record(plat, prior_params, H[ch, t])
    ends = np.cumsum([0, *sizes])
    hyper = {name: H[..., ends[k]:ends[k + 1]] if name in prior.vector_hypers else H[..., ends[k]]
             for k, name in enumerate(prior.hyper_names)}
    post = {"coef": W}
    if fit_intercept:
        post["intercept"] = B
    post.update(F)
    post.update(hyper)
    # exact log posterior density per draw (flat intercept, no Jacobian), as
    # MAPResult.log_posterior: log-likelihood + log prior(coef, hyper) + log p(free)
    eta = np.asarray(X @ W.reshape(-1, p).T).T.reshape(chains, draws, n) + B[..., None]
    bound = lik.bind(**{k: v[..., None] for k, v in F.items()})
    sig = F.get("sigma", getattr(lik, "sigma", None))
    lp = (np.einsum("cdn,n->cd", bound.loglik(y, eta), sw)
          + prior.joint_logpdf(W, sigma=sig, **hyper) + lik.free_logprior(**F))
    return post, {"lp": np.asarray(lp, dtype=float)}


def _work(p: int, nw: int, wide: bool) -> _Work:
    """Scratch arrays of :func:`update_coef` / :func:`update_rss` / :func:`global_step` (``nw``:
    rows of the O(n^2 p) draw)."""
    return _Work(np.empty((0, 0) if wide else (p, p)), np.zeros((nw, nw) if wide else (p, p)),
                 np.empty(p), np.empty((nw, p) if wide else (0, 0)), np.empty((nw, nw)),
                 np.empty(nw), np.empty(nw), np.empty(p), np.empty((0, 0) if wide else (p, p)))


def _gibbs_data(stats: SuffStats, rows=None) -> GibbsData:
    """The :class:`GibbsData` of the statistics (with ``G``), or of the rows ``(X~, y~, vn)`` of
    :func:`wide_rows` for the O(n^2 p) draw."""
    wide = rows is not None
    if wide:
        Xt, yt, vn = (np.ascontiguousarray(r, dtype=np.float64) for r in rows)
        G = np.zeros((1, 1))
    else:
        Xt, yt, vn, G = np.zeros((1, 1)), np.zeros(1), np.zeros(1), stats.G
    return GibbsData(np.ascontiguousarray(G, dtype=np.float64),
                     np.ascontiguousarray(stats.q, dtype=np.float64), float(stats.yy),
                     float(stats.S), np.ascontiguousarray(stats.xbar, dtype=np.float64),
                     float(stats.ybar), bool(stats.fit_intercept), wide, Xt, yt, vn)


def _draw_coef_weighted(X, z, v, state, work, fit_intercept, wide, rng):
    """``(w, b0)`` from their Gaussian conditional given the pseudo-data ``z ~ N(b0 + X w,
    1 / v)`` and ``w ~ N(0, diag(1 / state.prec))`` (flat b0): :func:`update_coef` with sigma = 1
    on the v-weighted statistics of ``(X, z)`` (:func:`wide_rows` for the O(n^2 p) draw), which
    integrates the intercept out and draws ``b0 ~ N(zbar - xbar w, 1 / sum(v))`` after ``w``.
    Writes ``state.w`` and ``state.scal[0]``."""
    if wide:
        stats, rows = wide_rows(X, z, v, fit_intercept)
    else:
        stats, rows = SuffStats.from_rows(X, z, v, fit_intercept), None
    update_coef(state, _gibbs_data(stats, rows), work, rng)


def _sample_augmented(model, X, y, sw, names, draws, tune, chains, random_seed, progressbar,
                      log_likelihood, weighted_given):
    from .datatree import build_tree, pointwise_loglik

    post, sstats = augmented_draws(model, X, y, sw, draws, tune, chains, random_seed,
                                   progressbar=progressbar)
    lik = model.likelihood.resolved(y, sw)
    names_given = names is not None
    names = default_names(X.shape[1], names)
    loglik = pointwise_loglik(lik, X, y, sw, post) if log_likelihood else None
    weighted = weighted_given and not np.all(sw == 1.0)
    s_prior = getattr(lik, "sigma_prior_scale", None) if "sigma" in lik.free_params else None
    return build_tree(model, post, sstats, names, sampler="gibbs", y=y,
                      sw=sw if weighted else None, loglik=loglik, sigma_prior_scale=s_prior,
                      inference_library="bayesreg", names_given=names_given)
