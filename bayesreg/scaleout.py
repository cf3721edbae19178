"""Scale-out with Dask: MAP (and Gibbs draws) for data that stay distributed.

Only p-dimensional and p x p statistics leave the workers; the rows never do.

Gaussian likelihood: one pass computes, per row block, the weighted means and centered scatter
matrices of ``[X, y]`` (``sum w``, ``xbar``, ``ybar``, ``X~^T W X~``, ``X~^T W y~``,
``y~^T W y~``); blocks are merged by the pairwise update of Chan, Golub & LeVeque (1979),
which is as accurate as centering the full data in memory. The MAP is then solved on the
statistics: ridge in closed form (Cholesky), L1 / elastic net by coordinate descent on the
Gram matrix with the duality-gap certificate, estimated sigma by block coordinate ascent with
the exact sigma step :meth:`Gaussian.sigma_update`.

Bernoulli / Poisson: proximal Newton (glmnet's IRLS with an Armijo line search), where every
pass over the data is one Dask reduction returning the IRLS statistics at the current point
(``X~^T H X~``, ``X~^T H z~``, the gradient ``X^T g``, the datafit) together with the datafit at
a ladder of step sizes along the previous direction, so a line search costs no extra pass in
the usual case; the penalized quadratic subproblem is solved in memory on the p x p statistics.

The objective, certificate and ``log_posterior`` are those of :func:`bayesreg.map.fit_map`
(exact, all constants), computed from the same reductions.
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.linalg as sla
from scipy.special import gammaln

from ._errors import BayesregTypeError, ConvergenceWarning, DataError, NotSupportedError
from .likelihoods import Gaussian
from .map.result import MAPResult

__all__ = ["fit_map_dask", "gaussian_stats_dask", "sample_dask"]

_LOG_2PI = float(np.log(2.0 * np.pi))
_LADDER = 0.5 ** np.arange(12)


# ============================================================ input handling
def _as_dask(X, y, sample_weight):
    """Row-chunked float64 Dask arrays (X with one column chunk); y, sw aligned to X's rows."""
    import dask.array as da

    def is_dask(a):
        return isinstance(a, da.Array)

    if y is None:
        raise DataError("y is None: supervised fitting needs a response vector.")
    names = None
    if hasattr(X, "columns") and hasattr(X, "dtypes"):  # pandas / Dask DataFrame
        names = [str(col) for col in X.columns]
    if hasattr(X, "to_dask_array") and not is_dask(X):
        X = X.to_dask_array(lengths=True)
    if hasattr(y, "to_dask_array") and not is_dask(y):
        y = y.to_dask_array(lengths=True)
    if not is_dask(X):
        Xn = np.asarray(X, dtype=np.float64)
        rows = y.chunks[0] if is_dask(y) else "auto"
        X = da.from_array(Xn, chunks=(rows, -1))
    if X.ndim != 2:
        raise DataError(f"X must be 2-D, got shape {X.shape}.")
    if any(np.isnan(c) for c in X.shape):
        raise DataError("X has unknown chunk sizes (NaN shape): call X.compute_chunk_sizes() "
                        "or build it with known lengths.")
    if X.dtype.kind not in "biuf":
        raise DataError(f"X must hold real numbers, got dtype {X.dtype}.")
    X = X.astype(np.float64).rechunk({1: -1})
    rows = X.chunks[0]
    n, p = X.shape
    if n == 0 or p == 0:
        raise DataError(f"X is empty (shape {X.shape}).")

    def vec(v, name):
        if not is_dask(v):
            v = np.asarray(v)
            if v.dtype.kind not in "biuf":
                raise DataError(f"{name} must hold real numbers, got dtype {v.dtype}.")
            v = da.from_array(v.astype(np.float64), chunks=(rows,) if v.ndim == 1 else (rows, -1))
        if v.ndim == 2 and v.shape[1] == 1:
            v = v[:, 0]
        if v.ndim != 1:
            raise DataError(f"{name} must be 1-D (one value per row), got shape {v.shape}.")
        if v.shape[0] != n:
            raise DataError(f"X has {n} rows but {name} has {v.shape[0]} entries: they must have "
                            "the same length.")
        return v.astype(np.float64).rechunk((rows,))

    y = vec(y, "y")
    sw = None if sample_weight is None else vec(sample_weight, "sample_weight")
    return X, y, sw, names


def _blocks(X, y, sw):
    xb = X.to_delayed().ravel().tolist()
    yb = y.to_delayed().ravel().tolist()
    wb = [None] * len(xb) if sw is None else sw.to_delayed().ravel().tolist()
    return list(zip(xb, yb, wb))


def _tree_reduce(parts, combine):
    from dask import delayed

    comb = delayed(combine, pure=True)
    while len(parts) > 1:
        parts = [comb(parts[i], parts[i + 1]) if i + 1 < len(parts) else parts[i]
                 for i in range(0, len(parts), 2)]
    return parts[0]


def _reduce(X, y, sw, chunk_fn, combine, *args):
    import dask
    from dask import delayed

    fn = delayed(chunk_fn, pure=True)
    parts = [fn(xb, yb, wb, *args) for xb, yb, wb in _blocks(X, y, sw)]
    return dask.compute(_tree_reduce(parts, combine))[0]


# ============================================================ block statistics
def _scatter(X, z, h):
    """Weighted means and centered cross-products of one block (weights h >= 0)."""
    W = float(h.sum())
    if W > 0:
        xm = (h @ X) / W
        zm = float(h @ z) / W
        Xc = X - xm
        zc = z - zm
        Xh = Xc * h[:, None]
        return {"W": W, "xm": xm, "zm": zm, "Mxx": Xh.T @ Xc, "Mxz": Xh.T @ zc,
                "Mzz": float(h @ (zc * zc))}
    p = X.shape[1]
    return {"W": 0.0, "xm": np.zeros(p), "zm": 0.0, "Mxx": np.zeros((p, p)), "Mxz": np.zeros(p),
            "Mzz": 0.0}


_SCATTER_KEYS = ("W", "xm", "zm", "Mxx", "Mxz", "Mzz")


def _combine(a, b):
    """Merge two blocks' statistics: Chan et al.'s update for the scatter part, sums otherwise."""
    out = {}
    Wa, Wb = a["W"], b["W"]
    W = Wa + Wb
    if Wa == 0:
        out.update({k: b[k] for k in _SCATTER_KEYS})
    elif Wb == 0:
        out.update({k: a[k] for k in _SCATTER_KEYS})
    else:
        dx = b["xm"] - a["xm"]
        dz = b["zm"] - a["zm"]
        f = Wa * Wb / W
        out["W"] = W
        out["xm"] = a["xm"] + dx * (Wb / W)
        out["zm"] = a["zm"] + dz * (Wb / W)
        out["Mxx"] = a["Mxx"] + b["Mxx"] + f * np.outer(dx, dx)
        out["Mxz"] = a["Mxz"] + b["Mxz"] + f * dx * dz
        out["Mzz"] = a["Mzz"] + b["Mzz"] + f * dz * dz
    for k in a:
        if k not in _SCATTER_KEYS:
            out[k] = a[k] + b[k]
    return out


def _check_block(X, y, sw):
    bad = {"nonfinite_X": int(np.count_nonzero(~np.isfinite(X))),
           "nonfinite_y": int(np.count_nonzero(~np.isfinite(y))),
           "n": int(X.shape[0])}
    if sw is not None:
        bad["nonfinite_sw"] = int(np.count_nonzero(~np.isfinite(sw)))
        bad["negative_sw"] = int(np.count_nonzero(sw < 0))
    return bad


def _gauss_chunk(X, y, sw):
    h = np.ones(X.shape[0]) if sw is None else sw
    d = _scatter(X, y, h) if np.all(np.isfinite(X)) and np.all(np.isfinite(y)) and np.all(
        np.isfinite(h)) else _scatter(np.zeros_like(X), np.zeros_like(y), np.zeros_like(h))
    d.update(_check_block(X, y, sw))
    return d


def _glm_data_chunk(X, y, sw, family):
    h = np.ones(X.shape[0]) if sw is None else sw
    d = _check_block(X, y, sw)
    if family == "binomial":
        d["bad_y"] = int(np.count_nonzero((y != 0) & (y != 1)))
    else:
        d["bad_y"] = int(np.count_nonzero((y < 0) | (y != np.round(y))))
    ok = np.isfinite(y) & np.isfinite(h)
    d["n_pos"] = int(np.count_nonzero(ok & (h > 0)))
    d["n_pos_ypos"] = int(np.count_nonzero(ok & (h > 0) & (y > 0)))
    d["S"] = float(h[ok].sum())
    d["Sy"] = float(h[ok] @ y[ok])
    d["lgam"] = float(h[ok] @ gammaln(np.maximum(y[ok], 0.0) + 1.0)) if family == "poisson" else 0.0
    return d


def _glm_irls_chunk(X, y, sw, lik, b, w, db, dw, ladder):
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
    g = lik.gradient(y, eta, h0)
    h = lik.curvature(y, eta, h0)
    # curvature floor of the in-memory solver (block-wise here): h >= 1e-12 max(h)
    h = np.maximum(h, 1e-12 * max(float(h.max(initial=0.0)), 1e-300))
    z = eta - g / h  # IRLS working response
    d = _scatter(X, z, h)
    d["F"] = lik.datafit(y, eta, h0)
    d["Ft"] = Ft
    d["sg"] = float(g.sum())
    d["Xg"] = X.T @ g
    return d


def _combine_glm(a, b):
    return _combine(a, b)


# ============================================================ solvers on statistics
def _centered(st, fit_intercept):
    """(G, q, zz) of the weighted least-squares problem; centered iff fit_intercept."""
    if fit_intercept:
        return st["Mxx"], st["Mxz"], float(st["Mzz"])
    W, xm, zm = st["W"], st["xm"], st["zm"]
    return (st["Mxx"] + W * np.outer(xm, xm), st["Mxz"] + W * xm * zm,
            float(st["Mzz"] + W * zm * zm))


def _zero_tiny(G):
    d = np.diag(G).copy()
    d[d <= 1e-14 * max(1.0, float(d.max(initial=0.0)))] = 0.0
    G = G.copy()
    G[np.diag_indices_from(G)] = d
    return G


def _enet_gram(G, q, zz, a, c, w0, tol, max_iter):
    """min_w 1/2 (zz - 2 q.w + w G w) + sum a|w| + c/2 w^2 by CD on the Gram, duality gap stop.
    Returns (w, gap, tol_abs, n_epochs)."""
    from .map._kernels import cd_gram
    from .map.enet import _gap_from_stats

    G = np.ascontiguousarray(_zero_tiny(G))
    p = G.shape[0]
    w = np.zeros(p) if w0 is None else np.array(w0, dtype=float)
    w[np.diag(G) == 0.0] = 0.0
    g = q - G @ w
    tol_abs = tol * max(zz, np.finfo(float).tiny)
    all_idx = np.arange(p, dtype=np.int64)
    n_epochs = 0
    while True:
        wq = float(w @ q)
        rr = zz - wq - float(w @ g)
        yr = zz - wq
        gap = _gap_from_stats(rr, yr, g, w, a, c)
        if gap <= tol_abs or n_epochs >= max_iter:
            break
        cd_gram(G, g, w, all_idx, a, c, 1)
        n_epochs += 1
        active = np.flatnonzero(w).astype(np.int64)
        if active.size:
            for _ in range(20):
                step = cd_gram(G, g, w, active, a, c, 5)
                n_epochs += 5
                if step <= 1e-3 * np.sqrt(tol_abs) or n_epochs >= max_iter:
                    break
    return w, gap, tol_abs, n_epochs


def _ridge(G, q, c):
    A = G.copy()
    A[np.diag_indices_from(A)] += c
    return sla.cho_solve(sla.cho_factor(A, lower=True, check_finite=False), q, check_finite=False)


def _gauss_fixed(G, q, zz, a, c, tol, max_iter, w0):
    """Fixed-sigma Gaussian MAP on statistics already divided by sigma^2."""
    if not np.any(a > 0):
        w = _ridge(G, q, c)
        kkt = float(np.abs(q - G @ w - c * w).max(initial=0.0))
        scale = max(float(np.abs(q).max(initial=0.0)), 1e-300)
        return w, kkt, max(tol, 1e-9) * scale, 1, "closed_form", "kkt"
    w, gap, tol_abs, n_ep = _enet_gram(G, q, zz, a, c, w0, tol, max_iter or 100_000)
    return w, gap, tol_abs, n_ep, "coordinate_descent", "duality_gap"


# ============================================================ public API
def gaussian_stats_dask(X, y, sample_weight=None, fit_intercept: bool = True):
    """Sufficient statistics of a Gaussian linear model from Dask arrays, in one pass.

    Returns a :class:`bayesreg.samplers.SuffStats` (weighted means, centered ``X~^T W X~``,
    ``X~^T W y~``, ``y~^T W y~``, ``sum w``, n), the weighted population sd of y, and the raw
    merged block statistics (dict; ``feature_names`` from a DataFrame's columns, else None).
    """
    from .samplers.gibbs import SuffStats

    X, y, sw, names = _as_dask(X, y, sample_weight)
    st = _reduce(X, y, sw, _gauss_chunk, _combine)
    _raise_bad(st)
    st["feature_names"] = names
    G, q, yy = _centered(st, fit_intercept)
    stats = SuffStats(S=float(st["W"]), xbar=st["xm"] if fit_intercept else np.zeros(X.shape[1]),
                      ybar=float(st["zm"]) if fit_intercept else 0.0, G=np.ascontiguousarray(G),
                      q=np.asarray(q, dtype=float), yy=float(yy), n=int(st["n"]),
                      fit_intercept=bool(fit_intercept))
    y_sd = float(np.sqrt(max(st["Mzz"], 0.0) / st["W"]))
    return stats, y_sd, st


def _raise_bad(st):
    if st.get("nonfinite_X", 0):
        raise DataError(f"X contains {st['nonfinite_X']} NaN or infinite entries: remove or impute "
                        "them before fitting.")
    if st.get("nonfinite_y", 0):
        raise DataError(f"y contains {st['nonfinite_y']} NaN or infinite entries: drop those rows "
                        "or impute them.")
    if st.get("nonfinite_sw", 0) or st.get("negative_sw", 0):
        raise DataError("sample_weight must be finite and >= 0 "
                        f"({st.get('nonfinite_sw', 0)} non-finite, {st.get('negative_sw', 0)} "
                        "negative entries).")
    W = st.get("W", st.get("S", 1.0))
    if not W > 0:
        raise DataError("sample_weight is zero for every row: at least one row must have positive "
                        "weight.")


def fit_map_dask(model, X, y, sample_weight=None, tol: float = 1e-6,
                 max_iter: int | None = None) -> MAPResult:
    """Posterior mode of ``model`` for Dask (or mixed Dask / NumPy) ``X``, ``y``, weights.

    Maximizes the same log posterior as :meth:`bayesreg.Model.map`,
    ``sum_i sw_i log p(y_i | b0 + x_i w[, sigma]) + sum_j log p(w_j) [+ log p(sigma)]``
    (flat intercept), with the data staying in the Dask collections: Gaussian models need one
    pass (the sufficient statistics), GLMs one pass per proximal Newton step (so persist X, or
    keep it cheap to recompute, before fitting a GLM). Returns a complete
    :class:`~bayesreg.MAPResult` (exact ``log_posterior``, objective, certificate with the same
    meaning and tolerance as the in-memory solvers); ``extra["n_passes"]`` counts data passes.
    """
    from .map.solve import check_solver_faces
    from .model import Model, _check_tol

    if not isinstance(model, Model):
        raise BayesregTypeError(f"model must be a bayesreg.Model, got {type(model).__name__}.")
    _check_tol(tol)
    prior, lik = model.prior, model.likelihood
    check_solver_faces(prior)
    X, y, sw, names = _as_dask(X, y, sample_weight)
    n, p = X.shape
    prior.check_n_coef(p)
    a, c = prior.penalty_weights(p)
    a = np.ascontiguousarray(a, dtype=float)
    c = np.ascontiguousarray(c, dtype=float)
    names = names or [f"x{j}" for j in range(p)]
    if isinstance(lik, Gaussian):
        res = _fit_gaussian(model, X, y, sw, a, c, tol, max_iter)
    else:
        res = _fit_glm(model, X, y, sw, a, c, tol, max_iter)
    w, b, sigma, s_prior, opt, tol_abs, n_iter, solver, kind, lp, const, n_passes = res
    objective = -lp - prior.log_normalizer(p) + const
    converged = bool(opt <= tol_abs)
    if not converged:
        warnings.warn(
            f"{solver} did not converge: {kind} = {opt:.3g} > tolerance {tol_abs:.3g} after "
            f"{n_iter} iterations. Increase max_iter, loosen tol, or standardize X.",
            ConvergenceWarning, stacklevel=3)
    return MAPResult(coef=w, intercept=float(b), sigma=sigma, log_posterior=float(lp),
                     objective=float(objective), optimality=float(opt), optimality_kind=kind,
                     tol=float(tol_abs), n_iter=int(n_iter), converged=converged,
                     feature_names=names, prior=prior, likelihood=lik,
                     fit_intercept=model.fit_intercept, solver="dask_" + solver, n_samples=int(n),
                     sigma_prior_scale=s_prior, extra={"n_passes": n_passes})


def _rss(st, w, b):
    """sum_i sw_i (y_i - b - x_i w)^2 from the centered statistics (exact identity)."""
    d0 = b - st["zm"] + float(st["xm"] @ w)
    return float(st["Mzz"] - 2.0 * st["Mxz"] @ w + w @ st["Mxx"] @ w + st["W"] * d0 * d0)


def _fit_gaussian(model, X, y, sw, a, c, tol, max_iter):
    lik, prior, fi = model.likelihood, model.prior, model.fit_intercept
    st = _reduce(X, y, sw, _gauss_chunk, _combine)
    _raise_bad(st)
    S = float(st["W"])
    G, q, yy = _centered(st, fi)

    def intercept(w):
        return float(st["zm"] - st["xm"] @ w) if fi else 0.0

    if lik.estimates_sigma:
        s = lik.sigma_prior_scale
        if s is None:
            sd = float(np.sqrt(max(st["Mzz"], 0.0) / S))
            s = sd if sd > 0 else 1.0
        sigma = s
        w = None
        total = 0
        for _ in range(max_iter or 500):
            w, opt, tol_abs, it, solver, _k = _gauss_fixed(G / sigma**2, q / sigma**2,
                                                            yy / sigma**2, a, c, tol, None, w)
            total += it
            new = Gaussian.sigma_update(_rss(st, w, intercept(w)), S, s)
            if new <= 1e-8 * s:
                raise NotSupportedError(
                    "the joint MAP of sigma collapses to 0: the model interpolates the data, so "
                    "the posterior mode of (coef, sigma) is degenerate. Fix sigma "
                    "(Gaussian(sigma=...)) or use a stronger prior.")
            change = abs(new - sigma) / sigma
            sigma = new
            if change <= 1e-12:
                break
        w, opt, tol_abs, it, solver, _k = _gauss_fixed(G / sigma**2, q / sigma**2, yy / sigma**2,
                                                       a, c, tol, None, w)
        total += it
        solver, kind, s_prior = solver + "+sigma", "joint_gap", float(s)
    else:
        sigma = float(lik.sigma)
        w, opt, tol_abs, total, solver, kind = _gauss_fixed(
            G / sigma**2, q / sigma**2, yy / sigma**2, a, c, tol, max_iter, None)
        s_prior = None
    b = intercept(w)
    rss = _rss(st, w, b)
    lp = (-0.5 * rss / sigma**2 - S * (np.log(sigma) + 0.5 * _LOG_2PI)
          + float(np.sum(prior.logpdf(w))))
    if lik.estimates_sigma:
        lp += Gaussian.sigma_logprior(sigma, s_prior)
        const = -S * 0.5 * _LOG_2PI
    else:
        const = -S * (np.log(sigma) + 0.5 * _LOG_2PI)
    return w, b, float(sigma), s_prior, opt, tol_abs, total, solver, kind, lp, const, 1


def _fit_glm(model, X, y, sw, a, c, tol, max_iter):
    lik, prior, fi = model.likelihood, model.prior, model.fit_intercept
    fam = lik.family
    data = _reduce(X, y, sw, _glm_data_chunk, _combine_kv, fam)
    _raise_bad(data)
    if data["bad_y"]:
        kind = "0/1" if fam == "binomial" else "non-negative integer counts"
        raise DataError(f"y must be {kind} for a {type(lik).__name__} likelihood; {data['bad_y']} "
                        "entries are not.")
    if fi and (data["n_pos_ypos"] == 0 or (fam == "binomial" and
                                           data["n_pos_ypos"] == data["n_pos"])):
        if fam == "binomial":
            v = 0 if data["n_pos_ypos"] == 0 else 1
            raise DataError(
                f"y is {v} for every (weighted) row: with the flat prior on the intercept the "
                f"posterior mode does not exist (the intercept runs to {'-' if v == 0 else '+'}"
                "infinity). Provide both classes, or fit_intercept=False.")
        raise DataError(
            "every count in y is 0: with the flat prior on the intercept the posterior mode does "
            "not exist (the intercept runs to -infinity). Use fit_intercept=False (the prior then "
            "keeps the MAP finite) or add data with non-zero counts.")
    S = data["S"]
    p = X.shape[1]
    # intercept-only start (as bayesreg.map.glm.null_eta)
    b = 0.0
    if fi:
        m = data["Sy"] / S
        if fam == "binomial":
            m = min(max(m, 1e-10), 1 - 1e-10)
            b = float(np.log(m / (1 - m)))
        else:
            b = float(np.log(max(m, 1e-10)))
    w = np.zeros(p)
    n_passes = 1

    def irls_pass(bb, ww, db=0.0, dw=None):
        nonlocal n_passes
        n_passes += 1
        return _reduce(X, y, sw, _glm_irls_chunk, _combine_glm, lik, bb, ww, db, dw, _LADDER)

    def pen(wv):
        return float(np.sum(a * np.abs(wv)) + 0.5 * np.sum(c * wv * wv))

    def kkt(st, ww):
        gw = st["Xg"] + c * ww
        viol = np.where(ww != 0, np.abs(gw + a * np.sign(ww)), np.maximum(np.abs(gw) - a, 0.0))
        k = float(viol.max(initial=0.0))
        return max(k, abs(st["sg"])) if fi else k

    st = irls_pass(b, w)
    scale = max(float(np.abs(st["Xg"]).max(initial=0.0)), 1e-12)
    tol_abs = tol * scale
    pure_l2 = not np.any(a > 0)
    F = st["F"] + pen(w)
    it = 0
    k_val = kkt(st, w)
    for it in range(1, (max_iter or 100) + 1):
        if k_val <= tol_abs:
            it -= 1
            break
        G, q, zz = _centered(st, fi)
        if pure_l2:
            w_new = _ridge(G, q, c)
        else:
            rel = k_val / scale
            inner_tol = min(1e-3, max(1e-14, 0.1 * rel * rel))
            w_new, _, _, _ = _enet_gram(G, q, zz, a, c, w, inner_tol, 10000)
        b_new = float(st["zm"] - st["xm"] @ w_new) if fi else 0.0
        dw, db = w_new - w, b_new - b
        delta = float(st["Xg"] @ dw) + st["sg"] * db + pen(w_new) - pen(w)
        # one pass: statistics at the full step + the datafit along the whole step ladder
        cand = irls_pass(b, w, db, dw)
        Ft = cand["Ft"] + np.array([pen(w + t * dw) for t in _LADDER])
        ok = np.isfinite(Ft) & (Ft <= F + 1e-4 * _LADDER * min(delta, 0.0) + 1e-13 * abs(F))
        if not ok.any():
            break
        i = int(np.argmax(ok))
        t = float(_LADDER[i])
        if i == 0:
            w, b, F, st = w_new, b_new, float(Ft[0]), cand
        else:
            w, b, F = w + t * dw, b + t * db, float(Ft[i])
            st = irls_pass(b, w)
        k_val = kkt(st, w)
    else:
        k_val = kkt(st, w)
    eta_lp = -st["F"] - data["lgam"]  # sum_i sw_i log p(y_i | eta_i), all constants
    lp = eta_lp + float(np.sum(prior.logpdf(w)))
    const = -data["lgam"]
    solver = "prox_newton" if np.any(a > 0) else "newton"
    return (w, float(b), None, None, k_val, tol_abs, it, solver, "kkt", lp, const, n_passes)


def _combine_kv(a, b):
    return {k: a[k] + b[k] for k in a}


def sample_dask(model, X, y, draws: int = 1000, tune: int = 1000, chains: int = 4,
                random_seed=None, sample_weight=None):
    """Exact Gibbs posterior draws of a Gaussian model from Dask arrays (one data pass).

    The sufficient statistics are computed with Dask (:func:`gaussian_stats_dask`) and the
    sampler of :func:`bayesreg.samplers.sample_gibbs` runs on them. Returns a DataTree with the
    ``posterior`` and ``sample_stats`` groups (no per-row groups: the rows stay distributed).
    """
    from .samplers.gibbs import _check_model, sample_gibbs_from_stats

    _check_model(model)
    stats, y_sd, st = gaussian_stats_dask(X, y, sample_weight, model.fit_intercept)
    s = None
    if model.likelihood.estimates_sigma:
        s = model.likelihood.sigma_prior_scale or (y_sd if y_sd > 0 else 1.0)
    return sample_gibbs_from_stats(model, stats, st["feature_names"], draws=draws, tune=tune, chains=chains,
                                   random_seed=random_seed, sigma_prior_scale=s)
