"""Cross-validation of the prior scale with cv.glmnet's semantics.

For a grid of prior scales ``s_1 < ... < s_m`` (stated on the full data's ``n``) and folds
``k = 1..K`` (glmnet's ``foldid``), the MAP path of each training fold is fitted (warm-started)
and every held-out row ``i`` of fold ``k`` gets a loss ``L_i(s)`` at its predicted mean
``mu_i = mean(intercept + x_i coef)``:

=============  ==============================================================================
measure        per-row loss (the likelihood's ``cv_deviance`` face for ``"deviance"``)
=============  ==============================================================================
``deviance``   gaussian ``(y - mu)^2``; binomial ``-2 [y log p + (1-y) log(1-p)]``, ``p``
               clipped to ``[1e-5, 1 - 1e-5]``; poisson ``2 [y log(y/mu) - (y - mu)]``;
               StudentT, NegativeBinomial, Binomial(trials): ``2 [log p(y_i | saturated) -
               log p(y_i | mu_i)]`` from their pointwise log-likelihood, at the fold's
               estimates of their free parameters (nu, sigma, alpha)
``mse``        ``(y - mu)^2`` (glmnet's binomial ``mse`` is twice this: its two-column coding)
``mae``        ``|y - mu|`` (glmnet's binomial ``mae`` is twice this)
``class``      binary responses: ``y = 1`` and ``mu <= 1/2``, or ``y = 0`` and ``mu > 1/2``
               (cv.lognet: ``y[,1] * (p > 0.5) + y[,2] * (p <= 0.5)``)
``auc``        binary responses: one value per fold (the weighted Mann-Whitney AUC)
=============  ==============================================================================

glmnet's statistics (``cvcompute`` / ``cvstats``, ``grouped = TRUE``), with ``sw`` the sample
weights and ``W_k = sum_{i in k} sw_i`` the fold weights::

    cvraw[k, s] = sum_{i in k} sw_i L_i(s) / W_k              (auc: the fold's AUC)
    cvm[s]      = sum_k W_k cvraw[k, s] / sum_k W_k
    cvsd[s]     = sqrt( sum_k W_k (cvraw[k, s] - cvm[s])^2 / sum_k W_k / (K - 1) )

and the choices (glmnet's ``getOptcv``; the AUC is maximized): ``scale_min`` is the smallest
scale (largest lambda) attaining the minimum of ``cvm``; ``scale_1se`` the smallest scale (the
most regularizing) whose ``cvm`` is within ``cvsd[scale_min]`` of that minimum.

What is held fixed across folds (``convention``): ``"bayes"`` fits every fold with the same
prior (the scale ``s``); ``"glmnet"`` keeps the per-observation penalty fixed, as cv.glmnet and
scikit-learn's LassoCV do: a fold with training weight ``S_k`` is fitted with the penalty
multiplied by ``S_k / S`` (``S = sum(sw)``), i.e. the prior ``prior.with_strength(S_k / S)``
(Laplace scale ``s S / S_k``, Normal scale ``s sqrt(S / S_k)``).
"""

from __future__ import annotations

import numpy as np

from .._errors import BayesregTypeError, DataError, NotSupportedError, ParameterError
from .._validation import check_int, seed_sequence

__all__ = ["MEASURES", "CONVENTIONS", "make_foldid", "check_foldid", "row_losses", "fold_auc",
           "glmnet_cv_stats", "choose_scales", "prior_at_scale", "cross_validate"]

MEASURES = ("deviance", "mse", "mae", "class", "auc")
CONVENTIONS = ("bayes", "glmnet")


def prior_at_scale(prior, scale: float):
    """The prior scaled so that its path scale (largest entry, as :meth:`Model.map_path`
    reports it) is ``scale``; per-coefficient ratios are kept."""
    ref = float(np.max(np.atleast_1d(prior.path_scale)))
    return prior.with_strength(prior.strength_for_scale(float(scale), ref))


def path_scale(prior) -> float:
    return float(np.max(np.atleast_1d(prior.path_scale)))


def make_foldid(n: int, n_folds: int, rng: np.random.Generator) -> np.ndarray:
    """glmnet's ``sample(rep(seq(nfolds), length = N))``: labels ``1..K``, balanced, shuffled."""
    return rng.permutation(np.resize(np.arange(1, n_folds + 1), n))


def check_foldid(foldid, n: int) -> np.ndarray:
    """An integer array of length n with at least 2 distinct labels (glmnet's ``foldid``)."""
    try:
        f = np.asarray(foldid)
    except Exception as exc:  # noqa: BLE001
        raise BayesregTypeError(f"foldid must be an integer array, got {foldid!r}: {exc}") from exc
    if f.ndim != 1 or f.shape[0] != n:
        raise DataError(f"foldid must be a 1-D integer array with one fold label per row of X "
                        f"({n}), got shape {f.shape}.")
    if not (np.issubdtype(f.dtype, np.integer) or (np.issubdtype(f.dtype, np.floating)
                                                   and np.all(f == np.round(f)))):
        raise BayesregTypeError(f"foldid must hold integer fold labels (as glmnet's foldid), got "
                                f"dtype {f.dtype}.")
    f = f.astype(np.int64)
    if np.unique(f).size < 2:
        raise DataError(f"foldid has {np.unique(f).size} distinct label(s): cross-validation "
                        "needs at least 2 folds.")
    return f


def row_losses(lik, measure: str, y: np.ndarray, mu: np.ndarray) -> np.ndarray:
    """Per-row loss of ``measure`` (module table); ``mu``: predicted means, shape (..., n)."""
    if measure == "deviance":
        return lik.cv_deviance(y, mu)
    if measure == "mse":
        return (y - mu) ** 2
    if measure == "mae":
        return np.abs(y - mu)
    if measure == "class":
        return np.where(y > 0.5, mu <= 0.5, mu > 0.5).astype(float)
    raise ParameterError(f"measure {measure!r} has no per-row loss.")  # pragma: no cover


def fold_auc(y: np.ndarray, score: np.ndarray, sw: np.ndarray) -> float:
    """Weighted AUC ``sum_{i: y=1} sum_{j: y=0} sw_i sw_j ([s_i > s_j] + [s_i = s_j] / 2) /
    (W_1 W_0)`` (the Mann-Whitney statistic; glmnet's ``auc`` without weights); NaN when a
    class is missing from the fold."""
    pos, neg = y > 0.5, y <= 0.5
    w1, w0 = sw[pos], sw[neg]
    if w1.sum() <= 0 or w0.sum() <= 0:
        return np.nan
    s1, s0 = score[pos], score[neg]
    order = np.argsort(s0, kind="mergesort")
    s0s, c0 = s0[order], np.concatenate([[0.0], np.cumsum(w0[order])])
    below = c0[np.searchsorted(s0s, s1, side="left")]
    upto = c0[np.searchsorted(s0s, s1, side="right")]
    return float(np.sum(w1 * (below + 0.5 * (upto - below))) / (w1.sum() * w0.sum()))


def glmnet_cv_stats(raw: np.ndarray, fold_weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(cvm, cvsd)`` from the per-fold values ``raw`` (K, m) and fold weights ``W_k``
    (module docstring; NaN entries, e.g. an AUC without both classes, are dropped per column
    as glmnet's ``na.rm = TRUE``)."""
    raw = np.asarray(raw, dtype=float)
    w = np.broadcast_to(np.asarray(fold_weight, dtype=float)[:, None], raw.shape)
    good = np.isfinite(raw)
    wg = np.where(good, w, 0.0)
    r0 = np.where(good, raw, 0.0)
    tot = wg.sum(axis=0)
    cvm = (wg * r0).sum(axis=0) / tot
    n_good = good.sum(axis=0)
    var = (wg * (r0 - cvm) ** 2).sum(axis=0) / tot
    cvsd = np.sqrt(var / np.maximum(n_good - 1, 1))
    return cvm, cvsd


def choose_scales(cvm: np.ndarray, cvsd: np.ndarray, maximize: bool = False) -> tuple[int, int]:
    """``(i_min, i_1se)`` on a grid of increasing scales, as glmnet's ``getOptcv``: the
    smallest scale at the minimum, and the smallest scale whose ``cvm <= cvm_min + cvsd_min``
    (``maximize``: the curve is negated first, as glmnet does for the AUC)."""
    c = -np.asarray(cvm) if maximize else np.asarray(cvm)
    ok = np.isfinite(c)
    if not ok.any():
        raise DataError("the cross-validation error is NaN at every scale (e.g. an AUC on folds "
                        "with a single class): use more rows per fold or another measure.")
    cmin = np.min(c[ok])
    i_min = int(np.flatnonzero(ok & (c <= cmin))[0])
    bound = c[i_min] + cvsd[i_min]
    i_1se = int(np.flatnonzero(ok & (c <= bound))[0])
    return i_min, i_1se


def check_measure(lik, measure) -> str:
    if measure not in MEASURES:
        raise ParameterError(f"measure must be one of {MEASURES}, got {measure!r}.")
    if measure in ("class", "auc") and getattr(lik, "response_kind", "") != "binary":
        raise NotSupportedError(f"measure={measure!r} needs a binary response (Bernoulli "
                                f"likelihood); {type(lik).__name__} has a "
                                f"{getattr(lik, 'response_kind', '?')} response: use 'deviance', "
                                "'mse' or 'mae'.")
    return measure


def check_convention(convention) -> str:
    if convention not in CONVENTIONS:
        raise ParameterError(f"convention must be one of {CONVENTIONS} ('bayes': the prior scale "
                             "is fixed across folds; 'glmnet': the per-observation penalty, as "
                             f"cv.glmnet and LassoCV), got {convention!r}.")
    return convention


def fold_plan(n: int, cv, foldid, n_repeats: int, random_state) -> list[np.ndarray]:
    """One foldid array per repeat (the given ``foldid``, or glmnet-style random folds)."""
    n_repeats = check_int(n_repeats, "n_repeats", 1)
    if foldid is not None:
        if n_repeats != 1:
            raise ParameterError(f"n_repeats={n_repeats} with a given foldid: a fixed fold "
                                 "assignment cannot be repeated; drop foldid or use n_repeats=1.")
        return [check_foldid(foldid, n)]
    k = check_int(cv, "cv", 2)
    if k > n:
        raise ParameterError(f"cv={k} folds for {n} rows: use at most one fold per row.")
    seeds = seed_sequence(random_state).spawn(n_repeats)
    return [make_foldid(n, k, np.random.default_rng(s)) for s in seeds]


def _fold_curve(model, X, y, sw, scales, train, test, measure, convention, tol, max_iter):
    """Per-scale value of the fold (weighted mean loss, or AUC) and the fold weight."""
    lik = model.likelihood
    S = float(sw.sum())
    S_tr = float(sw[train].sum())
    prior = model.prior
    if convention == "glmnet":
        # the fold's prior is prior_at_scale(prior, s).with_strength(S_tr / S): its path scale
        # is s times that of prior.with_strength(S_tr / S) over prior's (Prior.with_strength)
        ratio = path_scale(prior.with_strength(S_tr / S)) / path_scale(prior)
        fold_scales = np.asarray(scales, dtype=float) * ratio
    else:
        fold_scales = np.asarray(scales, dtype=float)
    Xtr = X[train]
    lik_tr = lik.take_rows(train)  # per-row parameters (Binomial trials) follow their rows
    fold_model = model if lik_tr is lik else type(model)(lik_tr, prior, model.fit_intercept)
    path = fold_model.map_path(Xtr, y[train], scales=fold_scales, sample_weight=sw[train],
                               tol=tol, max_iter=max_iter)
    Xte, yte, wte = X[test], y[test], sw[test]
    lik_te = lik.take_rows(test)
    # all predictions in one product: eta[k] = intercept_k + X_test coef_k
    eta = path.intercepts[:, None] + np.asarray(Xte @ path.coefs.T).T
    if lik.free_params:
        # the held-out rows' likelihood at each fit's free parameters (StudentT's nu and sigma,
        # NegativeBinomial's alpha: the fold's estimates)
        bound = [lik_te.bind(**{k: v for k, v in r.free.items() if k in lik.free_params})
                 for r in path.results]
        mu = [b.mean(e) for b, e in zip(bound, eta)]
    else:
        bound, mu = [lik_te] * eta.shape[0], list(lik_te.mean(eta))
    if measure == "auc":
        vals = np.array([fold_auc(yte, m, wte) for m in mu])
    elif not lik.free_params:
        vals = row_losses(lik_te, measure, yte, np.asarray(mu)) @ wte / wte.sum()
    else:
        vals = np.array([row_losses(b, measure, yte, m) @ wte / wte.sum()
                         for b, m in zip(bound, mu)])
    return vals, float(wte.sum())


def cross_validate(model, X, y, sw, scales, foldids, measure, convention, tol=1e-6,
                   max_iter=None, n_jobs: int = 1, progressbar: bool = False) -> dict:
    """Run every (repeat, fold): ``{"raw": [(K, m) per repeat], "fold_weight": [(K,)],
    "cvm", "cvsd"}`` (with several repeats: the means over repeats of each repeat's
    ``cvm`` and ``cvsd``)."""
    tasks = []
    for r, f in enumerate(foldids):
        for lab in np.unique(f):
            test = f == lab
            if not np.any(sw[~test] > 0) or not np.any(sw[test] > 0):
                raise DataError(f"fold {lab} leaves no weighted row to train or to test on.")
            tasks.append((r, ~test, test))

    def run(t):
        return _fold_curve(model, X, y, sw, scales, t[1], t[2], measure, convention, tol,
                           max_iter)

    if n_jobs == 1:
        from .._progress import progress

        outs = [run(t) for t in progress(tasks, progressbar, total=len(tasks),
                                         desc=f"CV ({len(tasks)} fold paths)", unit="fold")]
    else:
        from joblib import Parallel, delayed

        from .._threads import serial_blas

        # fold paths in threads: BLAS on one thread, set here in the calling thread (no nested
        # parallelism; OpenBLAS ignores a limit set from a worker thread)
        with serial_blas():
            outs = Parallel(n_jobs=n_jobs, prefer="threads")(delayed(run)(t) for t in tasks)
    raws, weights, cvms, cvsds = [], [], [], []
    for r in range(len(foldids)):
        rows = [o for t, o in zip(tasks, outs) if t[0] == r]
        raw = np.array([o[0] for o in rows])
        fw = np.array([o[1] for o in rows])
        cvm, cvsd = glmnet_cv_stats(raw, fw)
        raws.append(raw)
        weights.append(fw)
        cvms.append(cvm)
        cvsds.append(cvsd)
    return {"raw": raws, "fold_weight": weights, "cvm": np.mean(cvms, axis=0),
            "cvsd": np.mean(cvsds, axis=0)}
