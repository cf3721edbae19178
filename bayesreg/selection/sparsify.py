"""Sparse summaries of a posterior: decoupling shrinkage and selection (Hahn & Carvalho 2015)."""

from __future__ import annotations

import warnings

import numpy as np

from .._errors import ParameterError
from .._validation import check_int
from ._reference import Reference, reference

__all__ = ["sparsify", "SparseSummary", "SPARSIFY_METHODS"]

SPARSIFY_METHODS = ("dss",)


class SparseSummary:
    """The result of :func:`sparsify`.

    Attributes
    ----------
    coef : pandas.Series
        The selected sparse coefficients (index: feature names; exact zeros off the support).
    intercept : float
    selected : list of str
        The features of the selected model.
    size : int
        Its number of non-zero coefficients.
    table : pandas.DataFrame
        One row per support size reached on the path (index ``size``): ``strength`` (``c`` of
        the objective), ``features`` (comma-separated), ``loss_mean``, ``loss_low``,
        ``loss_high`` (posterior mean and equal-tailed ``prob`` interval of the excess loss).
    band : dict
        The full posterior's excess loss (``gamma = posterior mean``): ``mean``, ``low``,
        ``high`` (the ``prob`` interval); a size is acceptable when its ``loss_mean <= high``.
    path_coef, path_intercept, strengths : arrays
        Every point of the adaptive-lasso path (``path_coef``: (n_points, p)).
    """

    def __init__(self, ref: Reference, method, prob, path_coef, path_intercept, strengths,
                 loss_draws, full_loss, table, selected_point):
        import pandas as pd

        self._ref = ref
        self.method = method
        self.prob = prob
        self.feature_names = list(ref.names)
        self.path_coef = path_coef
        self.path_intercept = path_intercept
        self.strengths = strengths
        self.loss_draws = loss_draws
        self.full_loss = full_loss
        lo, hi = np.quantile(full_loss, [(1 - prob) / 2, (1 + prob) / 2])
        self.band = {"mean": float(full_loss.mean()), "low": float(lo), "high": float(hi)}
        self.table = table
        self.point = int(selected_point)
        c = path_coef[self.point]
        self.coef = pd.Series(c, index=pd.Index(self.feature_names, name="feature"), name="coef")
        self.intercept = float(path_intercept[self.point])
        self.selected = [f for f, v in zip(self.feature_names, c) if v != 0]
        self.size = len(self.selected)

    def __repr__(self) -> str:
        return (f"SparseSummary(method={self.method!r}, size={self.size}, "
                f"selected={self.selected[:10]}{'...' if self.size > 10 else ''})")

    def plot(self, ax=None):
        """Excess loss vs model size: posterior mean and ``prob`` interval per size, the full
        posterior's band (shaded) and the selected size. Returns the Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.6))
        t = self.table
        k = t.index.to_numpy()
        m = t["loss_mean"].to_numpy()
        ax.errorbar(k, m, yerr=[m - t["loss_low"].to_numpy(), t["loss_high"].to_numpy() - m],
                    fmt="o-", ms=4, capsize=2, label=f"sparse summary ({self.prob:.0%} interval)")
        ax.axhspan(self.band["low"], self.band["high"], color="C3", alpha=0.12,
                   label=f"full posterior ({self.prob:.0%} band)")
        ax.axhline(self.band["mean"], color="C3", lw=1)
        ax.axvline(self.size, color="0.5", ls="--", lw=1, label=f"selected size {self.size}")
        ax.set_xlabel("number of non-zero coefficients")
        ax.set_ylabel("excess loss (units of y)" if self._ref.sigma is not None
                      else "RMS distance of the linear predictor")
        ax.legend(fontsize=8)
        ax.figure.tight_layout()
        return ax


def excess_loss(ref: Reference, eta_gamma: np.ndarray) -> np.ndarray:
    """Per draw ``s``: ``sqrt(sigma_s^2 + sum_i sw_i (eta_si - eta_gamma_i)^2 / sum sw) - sigma_s``
    (Hahn & Carvalho's excess error; ``sigma_s = 0`` for likelihoods without a noise scale: the
    root-mean-square distance of the linear predictors). Shape ``(S,)`` per row of
    ``eta_gamma`` (m, n) -> (m, S)."""
    eta_gamma = np.atleast_2d(eta_gamma)
    sws = float(ref.sw.sum())
    sig2 = 0.0 if ref.sigma is None else ref.sigma ** 2
    sig = 0.0 if ref.sigma is None else ref.sigma
    out = np.empty((eta_gamma.shape[0], ref.n_draws))
    for i, e in enumerate(eta_gamma):
        d2 = ((ref.eta - e) ** 2) @ ref.sw / sws
        out[i] = np.sqrt(sig2 + d2) - sig
    return out


def sparsify(idata, model, X, y, sample_weight=None, *, method: str = "dss", prob: float = 0.9,
             n_scales: int = 100, eps: float = 1e-3) -> SparseSummary:
    """Sparse summary of a posterior by decoupling shrinkage and selection (DSS).

    Hahn & Carvalho (2015): the posterior gives the mean linear predictor
    ``eta_bar = mean_s (b_s + X w_s) = b_bar + X w_bar``; the sparse summary ``gamma`` minimizes
    the adaptive-lasso loss::

        sum_i sw_i (eta_bar_i - b - x_i gamma)^2 / 2 + c * sum_j |gamma_j| / |w_bar_j|

    (H&C's ``n^-1 ||X w_bar - X gamma||^2 + lambda sum_j |gamma_j| / |w_bar_j|`` with
    ``lambda = 2 c / n``), along a path of ``n_scales`` strengths ``c`` from the one that zeroes
    every coefficient down to ``eps`` times it, solved by bayesreg's own lasso path
    (:func:`bayesreg.map.fit_path` with ``Laplace(scale = |w_bar|)``, per-coefficient scales).
    The same loss is used for every likelihood (on the linear-predictor scale).

    **Loss and selection.** For each ``gamma`` and each draw ``s`` the *excess loss*
    ``psi_s(gamma) = sqrt(sigma_s^2 + sum_i sw_i (eta_si - eta_gamma_i)^2 / sum sw) - sigma_s``
    (H&C's excess error; ``sigma_s = 0`` without a noise scale) is a posterior random variable.
    The full posterior's band is the equal-tailed ``prob`` interval of ``psi(w_bar)``; per support
    size the path point with the smallest posterior-mean loss represents it, and the selected
    model is the sparsest whose posterior-mean excess loss is at most the band's upper end
    (``table``: mean and ``prob`` interval per size; ``plot()`` draws them with the band).

    Parameters
    ----------
    idata, model, X, y, sample_weight : the posterior, its model and data (as ``project``).
    method : {"dss"}
    prob : float, default 0.9
        Mass of the credible intervals and of the band.
    n_scales, eps : the path grid (as ``Model.map_path``).

    Returns
    -------
    SparseSummary
    """
    import pandas as pd

    from ..likelihoods import Gaussian
    from ..map import fit_path
    from ..priors import Laplace

    if method not in SPARSIFY_METHODS:
        raise ParameterError(f"method must be one of {SPARSIFY_METHODS}, got {method!r}.")
    if isinstance(prob, bool) or not isinstance(prob, (int, float)) or not 0 < prob < 1:
        raise ParameterError(f"prob must be a probability in (0, 1), got {prob!r}.")
    n_scales = check_int(n_scales, "n_scales", 2)
    ref = reference(idata, model, X, y, sample_weight)
    w_bar = ref.coef.mean(0)
    eta_bar = ref.eta.mean(0)
    top = float(np.max(np.abs(w_bar)))
    if not top > 0:
        raise ParameterError("every posterior-mean coefficient is 0: there is nothing to sparsify.")
    scales = np.maximum(np.abs(w_bar), 1e-12 * top)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        path = fit_path(Gaussian(sigma=1.0), Laplace(scale=scales), ref.X, eta_bar, ref.sw,
                        model.fit_intercept, ref.names, n_scales=n_scales, eps=eps, tol=1e-10)
    coefs, icpts = path.coefs, path.intercepts
    # the c of the documented objective (Laplace.with_strength(c): scale_j = |w_bar_j| / c)
    strengths = np.asarray(path.strengths, dtype=float)
    eta_path = icpts[:, None] + np.asarray(ref.X @ coefs.T).T
    loss = excess_loss(ref, eta_path)
    full = excess_loss(ref, eta_bar[None, :])[0]
    hi = float(np.quantile(full, (1 + prob) / 2))
    sizes = np.count_nonzero(coefs, axis=1)
    rows, best_point = [], {}
    for k in np.unique(sizes):
        idx = np.flatnonzero(sizes == k)
        i = int(idx[np.argmin(loss[idx].mean(1))])
        best_point[int(k)] = i
        lo_k, hi_k = np.quantile(loss[i], [(1 - prob) / 2, (1 + prob) / 2])
        rows.append({"size": int(k), "strength": strengths[i],
                     "features": ", ".join(f for f, v in zip(ref.names, coefs[i]) if v != 0),
                     "loss_mean": float(loss[i].mean()), "loss_low": float(lo_k),
                     "loss_high": float(hi_k)})
    table = pd.DataFrame(rows).set_index("size")
    ok = table.index[table["loss_mean"].to_numpy() <= hi]
    chosen = int(ok[0]) if len(ok) else int(table.index[-1])
    return SparseSummary(ref, method, float(prob), coefs, icpts, strengths, loss, full, table,
                         best_point[chosen])
