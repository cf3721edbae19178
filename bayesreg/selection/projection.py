"""Projection predictive variable selection (Goutis & Robert 1998; Piironen, Paasiniemi &
Vehtari 2020, as in R's projpred): the fitted posterior is the reference model, each submodel's
posterior is the KL projection of the reference draws onto it."""

from __future__ import annotations

import json
import warnings
from numbers import Integral
from typing import Any

import numpy as np

from .._errors import DataError, ParameterError
from .._validation import check_int, check_seed
from . import _kl
from ._psis import psis_loo
from ._reference import Reference, reference

__all__ = ["project", "ProjectionSelection", "SEARCHES"]

SEARCHES = ("forward", "l1")

#: projpred's default ``alpha`` of ``suggest_size``: a one-standard-error interval
ALPHA_ONE_SE = 0.31731050786291415  # 2 * Phi(-1)


def _dense(X) -> np.ndarray:
    return np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=float)


# ------------------------------------------------------------------ clusters of draws
def _clusters(ref: Reference, n_clusters: int | None, seed: int | None):
    """``(M, eta, sig2, weights)`` of the clusters of draws the search projects (k-means on the
    draws' means; a cluster's mean is the average of its draws' means, its noise variance
    ``mean_s sigma_s^2 + mean_s sum_i sw_i (mu_si - M_ci)^2 / sum sw``: the Gaussian closest in
    KL to the mixture of its draws)."""
    S = ref.n_draws
    sig2_all = None if ref.sigma is None else ref.sigma ** 2
    if n_clusters is None or n_clusters >= S:
        w = np.full(S, 1.0 / S)
        return ref.mu, ref.eta, sig2_all, w
    from scipy.cluster.vq import kmeans2

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # an empty cluster is dropped below
        _, lab = kmeans2(ref.mu, n_clusters, seed=seed, minit="++")
    labels = np.unique(lab)
    M = np.stack([ref.mu[lab == c].mean(0) for c in labels])
    E = np.stack([ref.eta[lab == c].mean(0) for c in labels])
    w = np.array([np.mean(lab == c) for c in labels])
    sig2 = None
    if sig2_all is not None:
        sws = float(ref.sw.sum())
        sig2 = np.array([sig2_all[lab == c].mean()
                         + np.mean(((ref.mu[lab == c] - M[i]) ** 2) @ ref.sw) / sws
                         for i, c in enumerate(labels)])
    return M, E, sig2, w


# ------------------------------------------------------------------ searches
def _forward(ref: Reference, Xd, max_size, clusters) -> tuple[list[int], list[float]]:
    """Greedy forward search: at each step add the column whose submodel is closest to the
    reference in KL (the weighted cross-entropy over the clusters)."""
    M, E, sig2, w = clusters
    p = Xd.shape[1]
    chosen: list[int] = []
    losses = []
    if ref.least_squares:
        gram = _kl.GaussianGram(Xd, ref.sw, M, sig2, w, ref.model.fit_intercept)
        losses.append(gram.loss([]))
        for _ in range(max_size):
            rest = [j for j in range(p) if j not in chosen]
            vals = [gram.loss(chosen + [j]) for j in rest]
            best = int(np.argmin(vals))
            chosen.append(rest[best])
            losses.append(float(vals[best]))
        return chosen, losses
    fi = ref.model.fit_intercept
    cur = _kl.project(ref.lik, False, Xd, [], fi, ref.sw, M, E, sig2)
    losses.append(float(w @ cur.loss))
    beta = np.column_stack([cur.intercept, cur.coef]) if fi else cur.coef
    for _ in range(max_size):
        rest = [j for j in range(p) if j not in chosen]
        best, best_val, best_beta = None, np.inf, None
        for j in rest:
            b0 = np.column_stack([beta, np.zeros(beta.shape[0])])
            pr = _kl.project(ref.lik, False, Xd, chosen + [j], fi, ref.sw, M, E, sig2, beta0=b0)
            val = float(w @ pr.loss)
            if val < best_val:
                best, best_val = j, val
                best_beta = np.column_stack([pr.intercept, pr.coef]) if fi else pr.coef
        chosen.append(best)
        losses.append(best_val)
        beta = best_beta
    return chosen, losses


def l1_order(ref: Reference, Xd, max_size: int) -> list[int]:
    """Order of entry along the lasso path of the quadratic (IRLS) approximation of the KL
    around the reference's mean linear predictor ``eta_bar`` (exact for least squares: the
    lasso path of ``eta_bar`` itself): weights ``h_i`` = the likelihood's curvature at
    ``(y = mean mu_i, eta_bar_i)``, working response ``z_i = eta_bar_i - g_i / h_i``. Ties in
    entry are broken by ``|coef|`` at entry; columns that never enter follow in column order."""
    from ..likelihoods import Gaussian
    from ..map import fit_path
    from ..priors import Laplace

    eta_bar = ref.eta.mean(0)
    mu_bar = ref.mu.mean(0)
    if ref.least_squares:
        h, z = ref.sw.copy(), eta_bar
    else:
        h = ref.lik.curvature(mu_bar, eta_bar, ref.sw)
        h = np.maximum(h, 1e-12 * float(h.max()))
        z = eta_bar - ref.lik.gradient(mu_bar, eta_bar, ref.sw) / h
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = fit_path(Gaussian(sigma=1.0), Laplace(scale=1.0), Xd, z, h,
                        ref.model.fit_intercept, n_scales=100, eps=1e-4, tol=1e-8)
    coefs = path.coefs
    p = Xd.shape[1]
    nz = coefs != 0
    entry = np.where(nz.any(0), nz.argmax(0), coefs.shape[0])
    at_entry = np.abs(coefs[np.minimum(entry, coefs.shape[0] - 1), np.arange(p)])
    order = sorted(range(p), key=lambda j: (entry[j], -at_entry[j], j))
    return order[:max_size]


# ------------------------------------------------------------------ evaluation
def _eval_rows(S: int, n_draws: int | None) -> np.ndarray:
    if n_draws is None or n_draws >= S:
        return np.arange(S)
    return np.unique(np.linspace(0, S - 1, n_draws).round().astype(int))


def _project_rows(ref: Reference, Xd, cols, rows, y=None) -> _kl.Projected:
    sig2 = None if ref.sigma is None else ref.sigma[rows] ** 2
    return _kl.project(ref.lik, ref.least_squares, Xd, cols, ref.model.fit_intercept, ref.sw,
                       ref.mu[rows], ref.eta[rows], sig2)


def _free(pr: _kl.Projected) -> dict:
    return {} if pr.sigma is None else {"sigma": pr.sigma}


def _psis(ll: np.ndarray):
    """PSIS-LOO (``r_eff = 1``, the algorithm of arviz-stats' ``psislw``, vectorized over rows:
    :mod:`._psis`) of pointwise log-likelihoods ``ll`` (S, n): ``(elpd_i, normalized log
    weights (n, S), pareto_k)``."""
    if ll.shape[0] < 25:
        raise DataError(f"PSIS-LOO needs at least 25 draws (its Pareto tail has 5), got "
                        f"{ll.shape[0]}: sample more draws, raise n_draws, or use cv=K.")
    return psis_loo(ll)


def _metric(kind: str, y, pred, sw):
    """``(value, se)``: accuracy of ``pred > 1/2`` for a binary response, else the RMSE (with a
    delta-method SE), weighted by ``sw``."""
    wn = sw / sw.sum()
    n_eff = sw.sum() ** 2 / (sw @ sw)
    if kind == "binary":
        hit = ((pred > 0.5) == (y > 0.5)).astype(float)
        a = float(wn @ hit)
        return a, float(np.sqrt(max(a * (1 - a), 0.0) / n_eff))
    se2 = (y - pred) ** 2
    mse = float(wn @ se2)
    sd = float(np.sqrt(wn @ (se2 - mse) ** 2))
    rmse = np.sqrt(mse)
    return float(rmse), float(sd / np.sqrt(n_eff) / (2 * rmse)) if rmse > 0 else 0.0


# ------------------------------------------------------------------ public API
class ProjectionSelection:
    """The result of :func:`project`: search order, predictive performance per submodel size
    and the projected posteriors.

    Attributes
    ----------
    order : list of str
        Feature names in the order the search adds them (``order[:k]`` is the submodel of size k).
    order_index : list of int
        The same as column indices of ``X``.
    table : pandas.DataFrame
        One row per size ``0..max_size`` (index ``size``): ``feature`` (the one added at that
        size), ``elpd``, ``elpd_se``, ``elpd_diff`` (= elpd - reference elpd), ``elpd_diff_se``
        (SE of the paired pointwise difference), ``rmse`` / ``accuracy`` (binary responses) and
        its ``_se``, ``kl`` (the search's projection loss per row: cross-entropy to the
        reference, nats, up to a constant) and ``pareto_k_max`` (PSIS-LOO only).
    reference : dict
        ``elpd``, ``elpd_se`` and the metric of the reference model, by the same method.
    cv : "loo" or int
    fold_orders : list of list of str
        K-fold: the search order found in each fold (empty for LOO).
    """

    def __init__(self, ref: Reference, Xd, order, table, reference_stats, cv, search,
                 fold_orders, metric):
        self._ref = ref
        self._Xd = Xd
        self.order_index = list(order)
        self.order = [ref.names[j] for j in order]
        self.table = table
        self.reference = reference_stats
        self.cv = cv
        self.search = search
        self.fold_orders = fold_orders
        self.metric = metric

    @property
    def max_size(self) -> int:
        return len(self.order)

    def __repr__(self) -> str:
        return (f"ProjectionSelection(search={self.search!r}, cv={self.cv!r}, "
                f"max_size={self.max_size}, order={self.order[:8]}"
                f"{'...' if self.max_size > 8 else ''}, suggested size {self.suggest_size()})")

    def suggest_size(self, alpha: float = ALPHA_ONE_SE, pct: float = 0.0,
                     type: str = "upper") -> int:
        """projpred's rule (``suggest_size(stat = "elpd", pct, type)``, whose ``summary``
        default ``alpha = 2 * Phi(-1)`` gives one-SE intervals).

        The smallest size ``k`` (the intercept-only model is size 0) with
        ``Delta_k + z * se(Delta_k) >= pct * Delta_0`` (``type="upper"``; ``type="lower"``:
        ``Delta_k - z * se(Delta_k)``), where ``Delta_k = elpd_k - elpd_ref`` and its SE come from
        the pointwise differences (``table["elpd_diff"]``, ``["elpd_diff_se"]``),
        ``z = Phi^-1(1 - alpha / 2)`` (1 for the default alpha) and ``pct`` the fraction of the
        null model's deficit ``Delta_0 <= 0`` one accepts to lose. When no size satisfies it,
        ``max_size`` with a warning (search further: raise ``max_size``).
        """
        from scipy.stats import norm

        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
            raise ParameterError(f"alpha must be in (0, 1), got {alpha!r} (default 2 * Phi(-1) "
                                 "= 0.3173, one standard error).")
        if isinstance(pct, bool) or not isinstance(pct, (int, float)) or not 0 <= pct <= 1:
            raise ParameterError(f"pct must be in [0, 1], got {pct!r}.")
        if type not in ("upper", "lower"):
            raise ParameterError(f"type must be 'upper' or 'lower', got {type!r}.")
        z = float(norm.ppf(1 - alpha / 2))
        d = self.table["elpd_diff"].to_numpy()
        se = self.table["elpd_diff_se"].to_numpy()
        bound = d + z * se if type == "upper" else d - z * se
        ok = np.flatnonzero(bound >= pct * d[0])
        if ok.size == 0:
            warnings.warn(f"no submodel up to size {self.max_size} is within the rule's bound of "
                          "the reference: returning max_size (increase max_size).", UserWarning,
                          stacklevel=2)
            return self.max_size
        return int(ok[0])

    def posterior(self, size: int | None = None):
        """The projected posterior of the submodel ``order[:size]`` (default: the suggested size)
        as an ``xarray.DataTree``: every reference draw projected (``posterior``: ``intercept``,
        ``coef`` over the selected features, ``sigma`` for the Gaussian), its ``log_likelihood``
        (``sw_i log p(y_i | projected draw)``) and ``observed_data``; ``attrs["projection"]`` (JSON:
        features, size, search, the reference model)."""
        import xarray as xr

        if size is None:
            size = self.suggest_size()
        size = check_int(size, "size", 0)
        if size > self.max_size:
            raise ParameterError(f"size must be at most max_size={self.max_size}, got {size}.")
        ref = self._ref
        cols = self.order_index[:size]
        pr = _project_rows(ref, self._Xd, cols, np.arange(ref.n_draws))
        C, D = ref.chains, ref.draws
        names = [ref.names[j] for j in cols]
        coords = {"chain": np.arange(C), "draw": np.arange(D), "feature": names}
        pv = {"coef": (("chain", "draw", "feature"), pr.coef.reshape(C, D, size))}
        if ref.model.fit_intercept:
            pv["intercept"] = (("chain", "draw"), pr.intercept.reshape(C, D))
        if pr.sigma is not None:
            pv["sigma"] = (("chain", "draw"), pr.sigma.reshape(C, D))
        ll = ref.loglik(pr.eta, _free(pr)).reshape(C, D, -1)
        obs = {"obs_id": np.arange(ref.y.shape[0])}
        tree = xr.DataTree.from_dict({
            "posterior": xr.Dataset(pv, coords=coords),
            "log_likelihood": xr.Dataset({"y": (("chain", "draw", "obs_id"), ll)},
                                         coords={"chain": coords["chain"],
                                                 "draw": coords["draw"], **obs}),
            "observed_data": xr.Dataset({"y": (("obs_id",), ref.y)}, coords=obs)})
        tree.attrs["projection"] = json.dumps({"features": names, "size": size,
                                               "search": self.search,
                                               "reference_model": ref.model.to_dict()})
        return tree

    def plot(self, ax=None, stat: str = "elpd"):
        """``elpd`` (or the ``rmse`` / ``accuracy`` metric) per submodel size with +-1 SE bars,
        the reference model as a horizontal line with its +-1 SE band, and the suggested size
        marked; x tick labels name the feature added at each size. Returns the Axes."""
        import matplotlib.pyplot as plt

        if stat not in ("elpd", self.metric):
            raise ParameterError(f"stat must be 'elpd' or {self.metric!r}, got {stat!r}.")
        if ax is None:
            _, ax = plt.subplots(figsize=(max(5.0, 0.35 * self.max_size + 3), 3.6))
        t = self.table
        val = t[stat].to_numpy()
        se = t[f"{stat}_se"].to_numpy() if stat != "elpd" else t["elpd_diff_se"].to_numpy()
        k = t.index.to_numpy()
        ax.errorbar(k, val, yerr=se, fmt="o-", ms=4, capsize=2, label="submodel (projected)")
        rv, rs = self.reference[stat], self.reference[f"{stat}_se"]
        ax.axhline(rv, color="C3", lw=1, label="reference (posterior)")
        if stat != "elpd":
            ax.axhspan(rv - rs, rv + rs, color="C3", alpha=0.1)
        s = self.suggest_size()
        ax.axvline(s, color="0.5", ls="--", lw=1, label=f"suggested size {s}")
        ax.set_xticks(k)
        ax.set_xticklabels(["(intercept)" if i == 0 else f"+{f}" for i, f in zip(k, t["feature"])],
                           rotation=60, ha="right", fontsize=8)
        ax.set_xlabel("submodel size (feature added)")
        what = "PSIS-LOO" if self.cv == "loo" else f"{self.cv}-fold CV"
        ax.set_ylabel(f"{stat} ({what})")
        ax.legend(fontsize=8)
        ax.figure.tight_layout()
        return ax


def _check_args(search, cv, max_size, p, n_clusters, n_draws):
    if search not in SEARCHES:
        raise ParameterError(f"search must be one of {SEARCHES}, got {search!r}.")
    if cv != "loo" and not (isinstance(cv, Integral) and not isinstance(cv, bool) and cv >= 2):
        raise ParameterError(f"cv must be 'loo' or an int K >= 2 (K-fold), got {cv!r}.")
    if max_size is None:
        max_size = min(p, 20)
    max_size = check_int(max_size, "max_size", 0)
    if max_size > p:
        raise ParameterError(f"max_size must be at most the number of features {p}, got "
                             f"{max_size}.")
    if n_clusters is not None:
        n_clusters = check_int(n_clusters, "n_clusters", 1)
    if n_draws is not None:
        n_draws = check_int(n_draws, "n_draws", 1)
    return max_size, n_clusters, n_draws


def _search(ref, Xd, search, max_size, n_clusters, seed):
    if search == "l1":
        order = l1_order(ref, Xd, max_size)
        M, E, sig2, w = _clusters(ref, n_clusters, seed)
        losses = []
        g = (_kl.GaussianGram(Xd, ref.sw, M, sig2, w, ref.model.fit_intercept)
             if ref.least_squares else None)
        for k in range(max_size + 1):
            if g is not None:
                losses.append(g.loss(order[:k]))
            else:
                pr = _kl.project(ref.lik, False, Xd, order[:k], ref.model.fit_intercept,
                                 ref.sw, M, E, sig2)
                losses.append(float(w @ pr.loss))
        return order, losses
    return _forward(ref, Xd, max_size, _clusters(ref, n_clusters, seed))


def project(idata, model, X, y, sample_weight=None, *, search: str = "forward",
            max_size: int | None = None, cv: Any = "loo", n_clusters: int | None = 20,
            n_draws: int | None = 400, random_seed: int | None = 0,
            sample_kwargs: dict | None = None) -> ProjectionSelection:
    """Projection predictive variable selection with the fitted posterior as the reference.

    For a submodel with columns ``T`` (and the intercept when the model fits one), each
    reference draw ``s`` (``eta_s = b_s + X w_s``, ``mu_s = mean(eta_s)``, noise sd ``sigma_s``)
    is replaced by its KL projection: the submodel parameters minimizing
    ``sum_i sw_i KL(p(y_i | mu_si, sigma_s) || p_sub(y_i | b + x_iT w_T, sigma))``:

    * Gaussian: weighted least squares of ``mu_s`` on ``[1, X_T]`` (closed form) with the
      projected noise ``sigma_perp^2 = sigma_s^2 + sum_i sw_i (mu_si - eta_perp_si)^2 / sum sw``;
    * Bernoulli / Poisson (log density linear in y): the GLM maximum-likelihood fit to the
      fractional response ``mu_s`` (IRLS / Newton with line search, vectorized over draws).

    **Search.** ``"forward"``: greedy; each step adds the column whose projection is closest to
    the reference (smallest weighted cross-entropy over ``n_clusters`` k-means clusters of the
    draws, a cluster being the KL-closest single model to the mixture of its draws).
    ``"l1"``: the order of entry along the lasso path (:func:`bayesreg.map.fit_path`) of the
    reference's mean linear predictor (for GLMs, of its IRLS working response; see
    :func:`l1_order`). **Evaluation** of each size ``0..max_size`` projects ``n_draws`` evenly
    thinned draws (projpred's ``ndraws_pred = 400``) and scores them:

    * ``cv="loo"``: PSIS-LOO (arviz-stats' ``psislw`` algorithm vectorized over rows,
      ``r_eff = 1``) of the projected draws'
      pointwise log-likelihood, as projpred's ``cv_varsel(validate_search = FALSE)``: the search
      itself is not cross-validated (fast; slightly optimistic for the sizes the search chose);
      the reference is scored the same way on the same draws. RMSE / accuracy of the
      PSIS-weighted mean predictions;
    * ``cv=K``: K-fold cross-validation of the whole procedure: per fold the reference is
      re-sampled on the training rows (:func:`bayesreg.samplers.sample` with the posterior's
      sampler, chains and draws, or ``sample_kwargs``), the search rerun, and each size's
      projection scored on the held-out rows by ``log mean_s p(y_i | projected draw s)``.

    ``elpd_se`` is ``sqrt(n Var_i(elpd_i))`` (``ddof=1``, as ArviZ); ``elpd_diff_se`` the same
    for the paired differences from the reference.

    **Cost model** (S draws, n rows, p columns, k <= max_size, C clusters). Gaussian: one
    O(n p S) pass for the reference predictions, O(n p^2) for the weighted Gram matrix, then
    the forward search costs ``sum_k (p - k) O(k^3 + k^2 C)`` (independent of n); evaluation
    ``O(n k S')`` per size (``S' = min(S, n_draws)``) plus PSIS ``O(n S' log S')`` per size:
    a 1000-draw, p = 50, n = 200 forward selection to size 20 takes 1.5 s with ``n_draws=400``
    and 2.5 s projecting all 1000 draws (``benchmarks/bench_projection.py``, one BLAS thread, on
    a shared 2-core machine at load 5; kulprit on the 10-variable diabetes data: 13-18 times
    slower). Bernoulli / Poisson: each projection is IRLS,
    O(iterations * n k^2) per draw or cluster; the forward search is ``sum_k (p - k)`` of them
    on C clusters (warm-started). K-fold multiplies everything by K and adds K posterior samplings.

    Parameters
    ----------
    idata : xarray.DataTree
        The reference posterior (``model.sample``).
    model : bayesreg.Model
        The model that drew ``idata``.
    X, y, sample_weight : the data ``idata`` was sampled on.
    search : {"forward", "l1"}
    max_size : int, optional
        Largest submodel size searched (default ``min(p, 20)``).
    cv : "loo" or int
    n_clusters : int or None, default 20
        Clusters of draws used by the search (None: every draw).
    n_draws : int or None, default 400
        Draws projected to score each size (None: all).
    random_seed : int or None
        Seeds the clustering and the K-fold split.
    sample_kwargs : dict, optional
        Keyword arguments of the K-fold re-sampling (``sampler``, ``draws``, ``tune``,
        ``chains``, ...).

    Returns
    -------
    ProjectionSelection
    """
    import pandas as pd

    seed = check_seed(random_seed) if random_seed is not None else None
    ref = reference(idata, model, X, y, sample_weight)
    Xd = _dense(ref.X)
    n, p = Xd.shape
    max_size, n_clusters, n_draws = _check_args(search, cv, max_size, p, n_clusters, n_draws)
    order, losses = _search(ref, Xd, search, max_size, n_clusters, seed)
    kind = "binary" if getattr(ref.lik, "response_kind", "") == "binary" else "continuous"
    metric = "accuracy" if kind == "binary" else "rmse"
    fold_orders: list[list[str]] = []
    if cv == "loo":
        rows = _eval_rows(ref.n_draws, n_draws)
        pointwise, preds, kmax = [], [], []
        for k in range(max_size + 1):
            pr = _project_rows(ref, Xd, order[:k], rows)
            elpd_i, lw, kh = _psis(ref.loglik(pr.eta, _free(pr)))
            pointwise.append(elpd_i)
            preds.append(np.sum(np.exp(lw) * ref.lik.mean(pr.eta).T, axis=1))
            kmax.append(float(np.max(kh)))
        free = {k: v[rows] for k, v in ref.free.items()}
        ref_i, lw, kh = _psis(ref.loglik(ref.eta[rows], free))
        ref_pred = np.sum(np.exp(lw) * ref.mu[rows].T, axis=1)
        y_eval, sw_eval = ref.y, ref.sw
    else:
        pointwise, preds, ref_i, ref_pred, y_eval, sw_eval, fold_orders = _kfold(
            ref, Xd, model, idata, cv, search, max_size, n_clusters, n_draws, seed,
            sample_kwargs)
        kmax = [np.nan] * (max_size + 1)
    nn = len(ref_i)
    rows_out = []
    for k in range(max_size + 1):
        e = pointwise[k]
        d = e - ref_i
        m, m_se = _metric(kind, y_eval, preds[k], sw_eval)
        rows_out.append({"feature": "" if k == 0 else ref.names[order[k - 1]],
                         "elpd": float(e.sum()), "elpd_se": float(np.sqrt(nn * e.var(ddof=1))),
                         "elpd_diff": float(d.sum()), "elpd_diff_se": float(np.sqrt(nn * d.var(ddof=1))),
                         metric: m, f"{metric}_se": m_se, "kl": losses[k] / float(ref.sw.sum()),
                         "pareto_k_max": kmax[k]})
    table = pd.DataFrame(rows_out, index=pd.Index(range(max_size + 1), name="size"))
    if cv != "loo":
        table = table.drop(columns="pareto_k_max")
    m, m_se = _metric(kind, y_eval, ref_pred, sw_eval)
    ref_stats = {"elpd": float(ref_i.sum()), "elpd_se": float(np.sqrt(nn * ref_i.var(ddof=1))),
                 metric: m, f"{metric}_se": m_se}
    return ProjectionSelection(ref, Xd, order, table, ref_stats, cv, search, fold_orders, metric)


def _kfold(ref, Xd, model, idata, K, search, max_size, n_clusters, n_draws, seed,
           sample_kwargs):
    from scipy.special import logsumexp

    from ..samplers import sample

    n = Xd.shape[0]
    if np.any(ref.sw != 1):
        raise DataError("K-fold projection with sample weights is not supported: use cv='loo' "
                        "(or drop sample_weight).")
    if K > n:
        raise ParameterError(f"cv={K} folds but there are only {n} rows.")
    rng = np.random.default_rng(seed)
    fold = rng.permutation(n) % K
    attrs = {**dict(getattr(idata, "attrs", {})), **dict(idata["posterior"].attrs)}
    kw = {"sampler": attrs.get("sampler", "nutpie"), "draws": ref.draws, "tune": ref.draws,
          "chains": ref.chains, "progressbar": False, "log_likelihood": False}
    if kw["sampler"] not in ("nutpie", "pymc", "gibbs"):
        kw["sampler"] = "nutpie"
    kw.update(sample_kwargs or {})
    pointwise = [np.empty(n) for _ in range(max_size + 1)]
    preds = [np.empty(n) for _ in range(max_size + 1)]
    ref_i, ref_pred = np.empty(n), np.empty(n)
    orders = []
    for f in range(K):
        tr, te = fold != f, fold == f
        if not np.any(te):
            continue
        post = sample(model, Xd[tr], ref.y[tr], ref.sw[tr], random_seed=(seed or 0) + f + 1,
                      **kw)
        rf = reference(post, model, Xd[tr], ref.y[tr], ref.sw[tr])
        rf.names = ref.names
        o, _ = _search(rf, Xd[tr], search, max_size, n_clusters, seed)
        orders.append([ref.names[j] for j in o])
        rows = _eval_rows(rf.n_draws, n_draws)
        Xte, yte, swte = Xd[te], ref.y[te], ref.sw[te]
        eta_ref_te = rf.intercept[rows, None] + rf.coef[rows] @ Xte.T
        free = {k: v[rows] for k, v in rf.free.items()}
        ll = rf.loglik(eta_ref_te, free, yte, swte)
        ref_i[te] = logsumexp(ll, axis=0) - np.log(len(rows))
        ref_pred[te] = rf.lik.mean(eta_ref_te).mean(0)
        for k in range(max_size + 1):
            cols = o[:k]
            pr = _project_rows(rf, Xd[tr], cols, rows)
            eta_te = pr.intercept[:, None] + pr.coef @ Xte[:, cols].T
            ll = rf.loglik(eta_te, _free(pr), yte, swte)
            pointwise[k][te] = logsumexp(ll, axis=0) - np.log(len(rows))
            preds[k][te] = rf.lik.mean(eta_te).mean(0)
    return pointwise, preds, ref_i, ref_pred, ref.y, ref.sw, orders
