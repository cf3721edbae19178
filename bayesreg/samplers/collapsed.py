"""Collapsed Gibbs sampler for point-mass-and-Gaussian-slab priors with a Gaussian likelihood.

The model (George & McCulloch 1993, 1997; the prior of :class:`bayesreg.SpikeAndSlab`)::

    y_i | b0, w, sigma ~ N(b0 + x_i w, sigma^2)        (row i's log-likelihood times sw_i)
    gamma_j ~ Bernoulli(pi_j),  w_j = 0 if gamma_j = 0,  w_j ~ N(0, d_j) if gamma_j = 1
    d_j = s_j^2 [sigma^2],  b0 flat,  sigma ~ HalfNormal (when estimated)

A Gibbs sampler that draws ``gamma_j | w`` is reducible (``w_j = 0`` forces ``gamma_j = 0``), so
the coefficients are integrated out. With the weighted, centered statistics ``G = X~' W X~``,
``q = X~' W y~`` (the flat intercept integrates out by centering) and, for the included set S,
``A_S = G_SS / sigma^2 + diag(1 / d_S)``, ``b_S = q_S / sigma^2``, the marginal likelihood of
the model gamma is, up to factors that do not depend on gamma,

    log p(y | gamma, sigma) = -1/2 sum_{j in S} log d_j - 1/2 log |A_S| + 1/2 b_S' A_S^-1 b_S.

One sweep:

1. for each j in turn, ``gamma_j | gamma_-j, sigma, y`` from its exact conditional:
   ``logit P(gamma_j = 1 | .) = log p(y | gamma_j = 1, .) - log p(y | gamma_j = 0, .) +
   logit pi_j`` (one k x k Cholesky per flip, k = |S|);
2. ``w_S | gamma, sigma, y ~ N(A_S^-1 b_S, A_S^-1)``, ``w_-S = 0``;
   ``b0 | w, sigma ~ N(ybar - xbar w, sigma^2 / sum(sw))``;
3. ``sigma | w, b0, gamma`` by the Gaussian likelihood's noise face
   (:mod:`bayesreg.likelihoods._gaussian_gibbs`), with the slab's share ``k`` degrees of freedom
   and ``sum_{j in S} w_j^2 / s_j^2`` when the slab is relative to sigma.

Steps 1-2 leave ``p(gamma, w | sigma, y)`` invariant (the old w is not used by them), step 3
``p(sigma | w, b0, gamma, y)``: the chain targets the exact posterior.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..priors.base import SelectionFace
from .gibbs import _cholesky, _face_signatures

__all__ = ["SelectionFace", "run_collapsed_chain"]


@njit(cache=True, nogil=True)
def _fill_idx(gamma, idx):
    k = 0
    for j in range(gamma.shape[0]):
        if gamma[j] > 0.5:
            idx[k] = j
            k += 1
    return k


@njit(cache=True, nogil=True)
def _factor(G, q, iv, d, idx, k, A, L, v):
    """Cholesky of A_S into L[:k, :k] and ``v = L^-1 b_S``; returns the log marginal
    likelihood of the module docstring (0 for the empty model)."""
    if k == 0:
        return 0.0
    As = A[:k, :k]
    for a in range(k):
        ia = idx[a]
        for c in range(k):
            As[a, c] = G[ia, idx[c]] * iv
        As[a, a] += 1.0 / d[ia]
    Ls = L[:k, :k]
    _cholesky(As, Ls)
    out = 0.0
    for a in range(k):
        acc = q[idx[a]] * iv
        for c in range(a):
            acc -= Ls[a, c] * v[c]
        v[a] = acc / Ls[a, a]
        out += 0.5 * v[a] * v[a] - np.log(Ls[a, a]) - 0.5 * np.log(d[idx[a]])
    return out


def _run_collapsed(G, q, yy, S, xbar, ybar, fit_intercept, log_odds, slab_var, rel,
                   noise_params, noise_update, tune, draws, rng, gamma, w, scal, sig_terms,
                   counters, d, A, L, v, idx, w_out, scal_out, hyper_out):
    p = w.shape[0]
    for it in range(tune + draws):
        sigma = scal[1]
        iv = 1.0 / (sigma * sigma)
        f = sigma * sigma if rel else 1.0
        for j in range(p):
            d[j] = slab_var[j] * f
        # 1. single-site updates of gamma, w integrated out
        k = _fill_idx(gamma, idx)
        cur = _factor(G, q, iv, d, idx, k, A, L, v)
        for j in range(p):
            was = gamma[j]
            gamma[j] = 1.0 - was
            k = _fill_idx(gamma, idx)
            flip = _factor(G, q, iv, d, idx, k, A, L, v)
            l1, l0 = (cur, flip) if was > 0.5 else (flip, cur)
            t = l1 - l0 + log_odds[j]
            p1 = 1.0 / (1.0 + np.exp(-t)) if t > -700.0 else 0.0
            if rng.random() < p1:
                gamma[j] = 1.0
                cur = l1
            else:
                gamma[j] = 0.0
                cur = l0
        # 2. w_S | gamma, sigma (then b0)
        k = _fill_idx(gamma, idx)
        _factor(G, q, iv, d, idx, k, A, L, v)
        for j in range(p):
            w[j] = 0.0
        for a in range(k):
            v[a] += rng.standard_normal()
        for a in range(k - 1, -1, -1):
            acc = v[a]
            for c in range(a + 1, k):
                acc -= L[c, a] * w[idx[c]]
            w[idx[a]] = acc / L[a, a]
        xw = 0.0
        for j in range(p):
            xw += xbar[j] * w[j]
        if fit_intercept:
            scal[0] = ybar - xw + sigma / np.sqrt(S) * rng.standard_normal()
        else:
            scal[0] = 0.0
        # RSS from the statistics
        qw = 0.0
        wGw = 0.0
        for a in range(k):
            ia = idx[a]
            qw += q[ia] * w[ia]
            for c in range(k):
                wGw += w[ia] * G[ia, idx[c]] * w[idx[c]]
        d0 = scal[0] - ybar + xw
        rss = yy - 2.0 * qw + wGw + S * d0 * d0
        scal[2] = rss if rss > 1e-300 else 1e-300
        # 3. sigma
        if rel:
            ss = 0.0
            for a in range(k):
                ss += w[idx[a]] * w[idx[a]] / slab_var[idx[a]]
            sig_terms[0] = float(k)
            sig_terms[1] = ss
        else:
            sig_terms[0] = 0.0
            sig_terms[1] = 0.0
        noise_update(scal, noise_params, S, sig_terms, counters, rng)
        if it >= tune:
            t_ = it - tune
            w_out[t_, :] = w
            scal_out[t_, :] = scal
            hyper_out[t_, :] = gamma


_RUNNERS: dict = {}


def run_collapsed_chain(face: SelectionFace, G, q, yy, S, xbar, ybar, fit_intercept,
                        noise_params, noise_update, tune, draws, rng, scal, counters, w_out,
                        scal_out, hyper_out, gamma0=None) -> None:
    """One chain of the module docstring's sampler: ``tune`` discarded sweeps, then ``draws``
    kept ones into ``w_out`` (draws, p), ``scal_out`` (draws, 3: intercept, sigma, rss) and
    ``hyper_out`` (draws, p: the 0/1 indicators). Starts at the indicators ``gamma0`` (default:
    the empty model), ``sigma = scal[1]``. The loop is compiled once (the noise update is a
    first-class function argument of the fixed type of
    :func:`bayesreg.samplers.gibbs._face_signatures`) and cached on disk."""
    from numba import njit, typeof, types

    p = q.shape[0]
    gamma = np.zeros(p) if gamma0 is None else \
        (np.asarray(gamma0, dtype=np.float64) > 0.5).astype(np.float64)
    arrays = dict(gamma=gamma, w=np.zeros(p), sig_terms=np.zeros(2), d=np.empty(p),
                  A=np.empty((p, p)), L=np.zeros((p, p)), v=np.empty(p),
                  idx=np.zeros(p, dtype=np.int64))
    args = (np.ascontiguousarray(G, dtype=np.float64), np.ascontiguousarray(q, dtype=np.float64),
            float(yy), float(S), np.ascontiguousarray(xbar, dtype=np.float64), float(ybar),
            bool(fit_intercept), np.ascontiguousarray(face.log_odds, dtype=np.float64),
            np.ascontiguousarray(face.slab_var, dtype=np.float64), bool(face.rel),
            noise_params, noise_update, int(tune), int(draws), rng, arrays["gamma"],
            arrays["w"], scal, arrays["sig_terms"], counters, arrays["d"], arrays["A"],
            arrays["L"], arrays["v"], arrays["idx"], w_out, scal_out, hyper_out)
    fs = _face_signatures()
    arg_types = tuple(types.FunctionType(fs["noise"]) if k == 11 else typeof(a)
                      for k, a in enumerate(args))
    runner = _RUNNERS.get(arg_types)
    if runner is None:
        runner = njit(types.none(*arg_types), cache=True, nogil=True)(_run_collapsed)
        _RUNNERS[arg_types] = runner
    runner(*args)
