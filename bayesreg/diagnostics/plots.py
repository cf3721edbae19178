"""Pictures of point estimate vs posterior, regularization paths, L1/L2 geometry and priors.

Every function returns a :class:`matplotlib.figure.Figure` (``fig.savefig("x.png")`` or
``"x.svg"``). Posterior plots are drawn by arviz-plots (``arviz.plot_forest``,
``arviz.plot_dist``) and then annotated with the MAP.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._errors import BayesregTypeError, DataError, ParameterError
from ._common import COEF_VAR, SAMPLE_DIMS, check_positive, check_prob, coef_draws, feature_labels

__all__ = [
    "plot_forest_map",
    "plot_posterior_map",
    "plot_path",
    "plot_geometry",
    "plot_prior_densities",
    "constrained_optima",
    "equal_variance_priors",
    "prior_variance",
]

MAP_STYLE = {"color": "C3", "marker": "D", "s": 36, "zorder": 5}
LINE_STYLES = {
    "MAP": {"color": "C3", "linestyle": "-", "linewidth": 2.0},
    "mean": {"color": "C0", "linestyle": "--", "linewidth": 1.5},
    "median": {"color": "C2", "linestyle": ":", "linewidth": 1.8},
}


def _figure(pc) -> Any:
    fig = pc.viz["figure"]
    return fig.item() if hasattr(fig, "item") else fig


#: longest feature name drawn in full on a plot (longer ones are cut with an ellipsis)
LABEL_CHARS = 24


def _short(name: Any, limit: int = LABEL_CHARS) -> str:
    """``name`` cut to ``limit`` characters in the middle (start and end kept: names that
    differ only in a suffix stay distinct)."""
    name = str(name)
    if len(name) <= limit:
        return name
    head = (limit - 1) // 2
    return name[:head] + "\u2026" + name[len(name) - (limit - 1 - head):]


def _top_legend(ax, handles, labels, header_in: float) -> None:
    """``ax``'s legend in one row under the suptitle, in a header band of ``header_in`` inches
    at the top of the figure (the axes are moved below it): never over the data, never
    taller than the band, whatever the number of coefficients."""
    fig = ax.figure
    height = fig.get_size_inches()[1]
    ax.legend(handles, labels, loc="upper center", ncol=len(handles), fontsize="small",
              frameon=False, bbox_to_anchor=(0.5, 1.0 - 0.32 / height),
              bbox_transform=fig.transFigure)
    fig.subplots_adjust(top=1.0 - header_in / height)


def _spread(values: np.ndarray, gap: float, lo: float, hi: float) -> np.ndarray:
    """Positions as close as possible to ``values`` with at least ``gap`` between neighbours,
    inside ``[lo, hi]`` when there is room (direct labels that do not overlap)."""
    v = np.asarray(values, dtype=float)
    order = np.argsort(v)
    out = v[order].copy()
    for k in range(1, out.size):
        out[k] = max(out[k], out[k - 1] + gap)
    if out.size and out[-1] > hi:
        out[-1] = hi
        for k in range(out.size - 2, -1, -1):
            out[k] = min(out[k], out[k + 1] - gap)
    if out.size and out[0] < lo:  # no room for all: keep the gap, spill past hi
        out += lo - out[0]
    res = np.empty_like(out)
    res[order] = out
    return res


# --------------------------------------------------------------------------- posterior
def plot_forest_map(idata: Any, fit: Any = None, hdi_prob: float = 0.94):
    """Forest plot of the coefficients' posteriors with the MAP marked on each row.

    Drawn by ``arviz.plot_forest`` (chains combined): the thin line is the ``hdi_prob`` HDI,
    the thick line the 50% HDI, the dot the posterior mean; a red diamond marks the MAP
    (``fit.coef``). A MAP diamond exactly at 0 with a wide interval around it is the lasso's
    sparsity of the mode, not certainty that the coefficient is zero. The figure height grows
    with the number of coefficients (0.38 inch per row). One label column (the feature
    name, cut at :data:`LABEL_CHARS` characters); the legend (mean, 50% HDI, ``hdi_prob`` HDI,
    MAP) sits in a band above the rows.

    Parameters
    ----------
    idata : xarray.DataTree with posterior ``coef`` (chain, draw, feature)
    fit : MAPResult of the same model and data, optional
        None (e.g. a prior without a finite mode, ``BayesianLasso``): the posterior only, no
        MAP diamonds.
    hdi_prob : float, default 0.94

    Returns
    -------
    matplotlib.figure.Figure
    """
    import arviz as az
    import matplotlib.lines as mlines

    hdi_prob = check_prob(hdi_prob, "hdi_prob")
    names = feature_labels(idata, fit)
    da = coef_draws(idata)
    dim = [d for d in da.dims if d not in SAMPLE_DIMS][0]
    height = 1.6 + 0.38 * len(names)
    width_label = min(LABEL_CHARS, max(len(str(c)) for c in da[dim].values)) * 0.09 + 0.3
    # labels=[dim]: one label column (the feature), no "coef" group label spanning the rows;
    # ticklabels=False: no "variable / feature" text under the label column
    pc = az.plot_forest(idata, var_names=[COEF_VAR], combined=True,
                        ci_probs=[0.5, hdi_prob], ci_kind="hdi", point_estimate="mean",
                        labels=[dim], backend="matplotlib", visuals={"ticklabels": False},
                        labeller=_short_labeller(),
                        figure_kwargs={"figsize": (7.5, height),
                                       "width_ratios": [width_label, 7.5 - width_label]})
    fig = _figure(pc)
    label_ax = pc.viz["plot"].sel(column="labels").item()
    label_ax.set_xticks([])  # the label column has no x scale
    label_ax.spines["bottom"].set_visible(False)
    pe = pc.viz["point_estimate"][COEF_VAR]
    ax = None
    for j, coord in enumerate(da[dim].values):
        art = pe.sel({dim: coord}).item()
        ax = art.axes
        if fit is not None:
            ypos = float(art.get_offsets()[0, 1])
            ax.scatter([fit.coef[j]], [ypos], label="MAP" if j == 0 else None, **MAP_STYLE)
    ax.axvline(0.0, color="0.6", linewidth=0.8, zorder=0)
    ys = [float(pe.sel({dim: c}).item().get_offsets()[0, 1]) for c in da[dim].values]
    for a in (ax, label_ax):  # rows fill the axes (no autoscale margin of 5% of p rows)
        a.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
    trunk = pc.viz["trunk"][COEF_VAR].isel({dim: 0}).item()
    twig = pc.viz["twig"][COEF_VAR].isel({dim: 0}).item()
    mean_art = pe.isel({dim: 0}).item()
    handles = [mlines.Line2D([], [], color=mean_art.get_facecolor()[0], marker="o",
                             linestyle="none", markeredgecolor=mean_art.get_edgecolor()[0]),
               mlines.Line2D([], [], color=trunk.get_color(), linewidth=trunk.get_linewidth()),
               mlines.Line2D([], [], color=twig.get_color(), linewidth=twig.get_linewidth())]
    labels = ["posterior mean", "50% HDI", f"{hdi_prob:.0%} HDI"]
    if fit is not None:
        handles.append(mlines.Line2D([], [], color=MAP_STYLE["color"], marker=MAP_STYLE["marker"],
                                     linestyle="none"))
        labels.append("MAP")
    ax.set_xlabel("coefficient")
    fig.suptitle("Posterior (HDI) vs MAP per coefficient" if fit is not None
                 else "Posterior (HDI) per coefficient", y=1.0 - 0.08 / height, va="top")
    _top_legend(ax, handles, labels, header_in=0.75)
    fig.subplots_adjust(bottom=0.55 / height)
    return fig


def _short_labeller():
    """arviz labeller drawing only the coordinate value (no variable name), cut at
    :data:`LABEL_CHARS` characters."""
    from arviz_base.labels import NoVarLabeller

    class ShortLabeller(NoVarLabeller):
        def dim_coord_to_str(self, dim, coord_val, coord_idx):
            return _short(coord_val)

    return ShortLabeller()


def plot_posterior_map(idata: Any, fit: Any = None, hdi_prob: float = 0.94, col_wrap: int = 4):
    """Posterior density of every coefficient with the MAP, mean and median as vertical lines.

    Densities are ``arviz.plot_dist(kind="kde")`` (with the ``hdi_prob`` HDI as the bar under
    each curve). Lines: MAP (red, solid), posterior mean (blue, dashed), posterior median (green,
    dotted). For an L1 prior a MAP at exactly 0 typically sits at the peak of a density that
    still puts most of its mass away from 0: the mean and median are not 0. With ``fit=None``
    (a prior without a finite mode) there is no MAP line. One panel per coefficient, ``col_wrap``
    per row (the report pages them, 16 per figure, for many coefficients).

    Returns
    -------
    matplotlib.figure.Figure
    """
    return plot_posterior_page(idata, fit, hdi_prob, col_wrap)


def plot_posterior_page(idata: Any, fit: Any = None, hdi_prob: float = 0.94, col_wrap: int = 4,
                        features: Any = None):
    """:func:`plot_posterior_map` restricted to the coefficients at positions ``features``
    (a slice or a list of indices; all by default): one page of a long grid."""
    import arviz as az

    hdi_prob = check_prob(hdi_prob, "hdi_prob")
    if isinstance(col_wrap, bool) or not isinstance(col_wrap, (int, np.integer)) or col_wrap < 1:
        raise ParameterError(f"col_wrap must be a positive integer, got {col_wrap!r}.")
    feature_labels(idata, fit)
    da = coef_draws(idata)
    dim = [d for d in da.dims if d not in SAMPLE_DIMS][0]
    idx = np.arange(da.sizes[dim])
    if features is not None:
        idx = idx[features] if isinstance(features, slice) else idx[np.asarray(features, dtype=int)]
        if idx.size == 0:
            raise ParameterError("features selects no coefficient.")
    coords = da[dim].values[idx]
    p = idx.size
    ncol = min(int(col_wrap), p)
    nrow = -(-p // ncol)
    sel = {} if features is None else {"coords": {dim: list(coords)}}
    height = 2.4 * nrow + 1.0
    pc = az.plot_dist(idata, var_names=[COEF_VAR], kind="kde", ci_kind="hdi", ci_prob=hdi_prob,
                      point_estimate="mean", backend="matplotlib", col_wrap=ncol,
                      labeller=_short_labeller(),
                      visuals={"point_estimate_text": False, "point_estimate": False},
                      figure_kwargs={"figsize": (3.2 * ncol, height)}, **sel)
    fig = _figure(pc)
    w = np.asarray(da.transpose(*SAMPLE_DIMS, dim).values, dtype=float)
    w = w.reshape(-1, w.shape[-1])[:, idx]
    mean, median = w.mean(axis=0), np.median(w, axis=0)
    axes = pc.viz["plot"][COEF_VAR]
    lines = {}
    for k, (j, coord) in enumerate(zip(idx, coords)):
        ax = axes.sel({dim: coord}).item()
        ax.set_title(_short(coord, 22), fontsize="medium")
        points = (("mean", mean[k]), ("median", median[k]))
        if fit is not None:
            points = (("MAP", fit.coef[j]),) + points
        for label, value in points:
            lines[label] = ax.axvline(value, label=label, **LINE_STYLES[label])
    what = "MAP, mean, median" if fit is not None else "mean, median"
    fig.suptitle(f"Posterior densities ({hdi_prob:.0%} HDI bar) with {what}",
                 y=1.0 - 0.08 / height, va="top")
    _top_legend(axes.sel({dim: coords[0]}).item(), list(lines.values()), list(lines),
                header_in=0.9)
    fig.subplots_adjust(hspace=0.6, bottom=0.35 / height)
    return fig


# --------------------------------------------------------------------------- path
def plot_path(path: Any, posterior: list[tuple[float, Any]] | None = None,
              hdi_prob: float = 0.94, ax: Any = None, *, label_top: int = 10):
    """Regularization path: MAP coefficients against the prior scale (log x-axis).

    The ``label_top`` coefficients largest in magnitude at the weakest prior (right end) get
    their own colour (10 distinct colours at most: no colour is reused) and a label written
    directly at the end of their line; the others are thin grey lines (no legend with one entry
    per coefficient). Labels are spread vertically so they do not overlap.

    Parameters
    ----------
    path : MAPPath
        From ``model.map_path(X, y)``; x-axis is ``path.scales`` (Laplace b, Normal sd, elastic
        net l1_scale): small scale = strong prior on the left.
    posterior : list of (scale, DataTree), optional
        Posterior draws of the same model at a few prior scales: the posterior means of the
        labelled coefficients are drawn as points with ``hdi_prob`` HDI error bars, in each
        coefficient's path colour, showing that the posterior mean is never exactly zero where
        the MAP is; a dotted vertical line marks each scale.
    hdi_prob : float, default 0.94
    ax : matplotlib Axes, optional
    label_top : int, default 10
        How many coefficients to colour and label (at most 10).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    from ..map import MAPPath

    if not isinstance(path, MAPPath):
        raise BayesregTypeError(f"path must be a MAPPath (model.map_path(X, y)), got "
                                f"{type(path).__name__}.")
    if len(path) == 0:
        raise DataError("path is empty: fit it with at least one scale.")
    hdi_prob = check_prob(hdi_prob, "hdi_prob")
    if (isinstance(label_top, bool) or not isinstance(label_top, (int, np.integer))
            or not 0 <= label_top <= 10):
        raise ParameterError(f"label_top must be an integer in [0, 10], got {label_top!r}.")
    own_figure = ax is None
    if own_figure:
        fig, ax = plt.subplots(figsize=(8.0, 5.0))
    else:
        fig = ax.figure
    coefs = path.coefs
    names = path.feature_names
    order = np.argsort(path.scales)
    xs = path.scales[order]
    end = coefs[order[-1]]
    top = [int(j) for j in np.argsort(-np.abs(end), kind="stable")[:label_top]]
    colour = {j: f"C{k}" for k, j in enumerate(top)}
    for j in range(len(names)):
        if j in colour:
            ax.plot(xs, coefs[order, j], color=colour[j], linewidth=1.6, zorder=3,
                    label=str(names[j]))
        else:
            ax.plot(xs, coefs[order, j], color="0.72", linewidth=0.8, zorder=2,
                    label=str(names[j]))
    if posterior:
        import arviz as az

        for k, item in enumerate(posterior):
            if not (isinstance(item, tuple) and len(item) == 2):
                raise BayesregTypeError("posterior must be a list of (scale, DataTree) pairs, got "
                                        f"{type(item).__name__} at position {k}.")
            scale, dt = item
            scale = check_positive(scale, f"posterior[{k}] scale")
            da = coef_draws(dt, f"posterior[{k}]")
            dim = [d for d in da.dims if d not in SAMPLE_DIMS][0]
            if da.sizes[dim] != len(names):
                raise DataError(f"posterior[{k}] has {da.sizes[dim]} coefficients, the path "
                                f"{len(names)}.")
            mean = np.asarray(da.mean(SAMPLE_DIMS).values, dtype=float)
            hdi = az.hdi(dt, prob=hdi_prob, var_names=[COEF_VAR])[COEF_VAR]
            hdi = np.asarray(hdi.transpose(dim, "ci_bound").values, dtype=float)
            ax.axvline(scale, color="0.45", linestyle=":", linewidth=1.0, zorder=1,
                       label="posterior's prior scale" if k == 0 else None)
            for r, j in enumerate(top):
                xj = scale * np.exp(0.035 * (r - (len(top) - 1) / 2))  # dodge the bars
                ax.errorbar([xj], [mean[j]], yerr=[[mean[j] - hdi[j, 0]], [hdi[j, 1] - mean[j]]],
                            fmt="o", color=colour[j], markersize=3.5, capsize=1.5,
                            linewidth=1.0, zorder=4,
                            label=f"posterior mean, {hdi_prob:.0%} HDI" if (r == 0 and k == 0)
                            else None)
    ax.set_xscale("log")
    ax.axhline(0.0, color="0.6", linewidth=0.8, zorder=0)
    marks = [float(item[0]) for item in posterior or []]
    ax.set_xlim(min([xs[0]] + marks) / 1.1, max([xs[-1]] + marks) * 1.1)
    ax.set_xlabel("prior scale (log)  ->  weaker prior")
    ax.set_ylabel("MAP coefficient")
    rest = len(names) - len(top)
    ax.set_title(f"Regularization path ({type(path.priors[0]).__name__} prior)"
                 + (f": {len(top)} largest labelled, {rest} more in grey" if rest else ""),
                 fontsize="medium")
    if posterior:  # two entries (not one per coefficient: the lines are labelled directly)
        handles, labels = ax.get_legend_handles_labels()
        named = {str(nm) for nm in names}
        keep = [k for k, lb in enumerate(labels) if lb.startswith("posterior")
                and lb not in named]
        ax.legend([handles[k] for k in keep], [labels[k] for k in keep], loc="best",
                  fontsize="small", frameon=True, framealpha=0.9)
    fig.tight_layout()
    if top:  # direct labels in the right margin, spread so that they do not overlap
        fig.canvas.draw()  # the axes' final height, for the label spacing in data units
        lo, hi = ax.get_ylim()
        px = ax.get_window_extent().height
        gap = (hi - lo) * 1.5 * 8.0 * fig.dpi / 72.0 / max(px, 1.0)  # 8 pt text
        ys = _spread(end[top], gap, lo + gap / 2, hi - gap / 2)
        texts = []
        for j, yj in zip(top, ys):
            texts.append(ax.annotate(
                _short(names[j], 16), xy=(xs[-1], end[j]), xytext=(1.04, yj),
                textcoords=ax.get_yaxis_transform(), annotation_clip=False, fontsize=8,
                color=colour[j], va="center",
                arrowprops={"arrowstyle": "-", "color": colour[j], "linewidth": 0.5,
                            "shrinkA": 0, "shrinkB": 0}))
        ax.set_ylim(lo, hi)
        if own_figure:  # room for the longest label right of the axes
            from matplotlib.text import Text

            r = fig.canvas.get_renderer()
            width = max(Text.get_window_extent(t, r).width for t in texts)
            left = fig.subplotpars.left
            fig.subplots_adjust(right=(1.0 - (width + 8.0) / fig.bbox.width + 0.04 * left)
                                / 1.04)
    return fig


# --------------------------------------------------------------------------- geometry
def _quad(w, w_ls, H):
    d = np.asarray(w, dtype=float) - w_ls
    return 0.5 * float(d @ H @ d)


def constrained_optima(w_ls: Any = (1.6, 0.6), hessian: Any = ((1.0, 0.55), (0.55, 1.0)),
                       budget: float = 1.0) -> dict[str, np.ndarray]:
    """Minimizers of the quadratic loss ``(w - w_ls)^T H (w - w_ls) / 2`` over the L1 ball
    ``|w1| + |w2| <= budget`` and the L2 ball ``w1^2 + w2^2 <= budget^2`` (2-D).

    L1: the minimum over the diamond is on one of its 4 edges (or inside if ``w_ls`` is): on
    each edge the loss is a 1-D quadratic minimized in closed form and clipped to the segment,
    so corners (solutions on an axis, i.e. exact zeros) come out exactly. L2: minimized over
    the circle's angle (dense grid then bounded scalar refinement).

    Returns
    -------
    dict with ``"l1"``, ``"l2"`` (arrays of shape (2,)) and ``"ls"``.
    """
    from scipy.optimize import minimize_scalar

    w_ls = np.asarray(w_ls, dtype=float)
    H = np.asarray(hessian, dtype=float)
    if w_ls.shape != (2,) or H.shape != (2, 2):
        raise ParameterError(f"w_ls must have 2 entries and hessian shape (2, 2), got "
                             f"{w_ls.shape} and {H.shape}.")
    if not np.allclose(H, H.T) or np.any(np.linalg.eigvalsh(H) <= 0):
        raise ParameterError("hessian must be symmetric positive definite.")
    t = check_positive(budget, "budget")
    out = {"ls": w_ls.copy()}
    if np.abs(w_ls).sum() <= t:
        out["l1"] = w_ls.copy()
    else:
        corners = [np.array([t, 0.0]), np.array([0.0, t]), np.array([-t, 0.0]),
                   np.array([0.0, -t])]
        best, best_val = None, np.inf
        for a, b in zip(corners, corners[1:] + corners[:1]):
            d = b - a  # w(s) = a + s d, s in [0, 1]
            curv = float(d @ H @ d)
            s = float(np.clip(-(d @ H @ (a - w_ls)) / curv, 0.0, 1.0))
            w = a + s * d if 0.0 < s < 1.0 else (a if s == 0.0 else b)
            val = _quad(w, w_ls, H)
            if val < best_val:
                best, best_val = w.copy(), val
        out["l1"] = best
    if np.hypot(*w_ls) <= t:
        out["l2"] = w_ls.copy()
    else:
        th = np.linspace(-np.pi, np.pi, 721)
        vals = [_quad(t * np.array([np.cos(a), np.sin(a)]), w_ls, H) for a in th]
        a0 = th[int(np.argmin(vals))]
        res = minimize_scalar(lambda a: _quad(t * np.array([np.cos(a), np.sin(a)]), w_ls, H),
                              bounds=(a0 - 0.01, a0 + 0.01), method="bounded",
                              options={"xatol": 1e-12})
        out["l2"] = t * np.array([np.cos(res.x), np.sin(res.x)])
    return out


def _ball_optima(f: Any, w_hat: np.ndarray, budget: float) -> dict[str, np.ndarray]:
    """Minimizers of a smooth convex 2-D loss ``f`` over the L1 and L2 balls of radius
    ``budget`` (``w_hat`` its unconstrained minimizer): on each edge of the diamond a bounded
    1-D search (corners compared exactly), on the circle a dense angle grid then refinement."""
    from scipy.optimize import minimize_scalar

    t = float(budget)
    out = {"ls": w_hat.copy()}
    if np.abs(w_hat).sum() <= t:
        out["l1"] = w_hat.copy()
    else:
        corners = [np.array([t, 0.0]), np.array([0.0, t]), np.array([-t, 0.0]),
                   np.array([0.0, -t])]
        cands = list(corners)
        for a, b in zip(corners, corners[1:] + corners[:1]):
            res = minimize_scalar(lambda u, a=a, b=b: f(a + u * (b - a)), bounds=(0.0, 1.0),
                                  method="bounded", options={"xatol": 1e-10})
            cands.append(a + float(res.x) * (b - a))
        out["l1"] = min(cands, key=f).copy()
    if np.hypot(*w_hat) <= t:
        out["l2"] = w_hat.copy()
    else:
        def g(a):
            return f(t * np.array([np.cos(a), np.sin(a)]))

        th = np.linspace(-np.pi, np.pi, 721)
        a0 = th[int(np.argmin([g(a) for a in th]))]
        res = minimize_scalar(g, bounds=(a0 - 0.01, a0 + 0.01), method="bounded",
                              options={"xatol": 1e-12})
        out["l2"] = t * np.array([np.cos(res.x), np.sin(res.x)])
    return out


def _half_l1(w: Any) -> float:
    t = 0.5 * float(np.abs(np.asarray(w, dtype=float)).sum())
    return t if t > 0 else 1.0


#: the loss drawn by :func:`plot_geometry` per likelihood type
_LOSS_NAMES = {"Gaussian": "least-squares", "Bernoulli": "logistic (Bernoulli)",
               "Poisson": "Poisson"}


def _nll_slice(likelihood: Any, X: np.ndarray, y: np.ndarray, offset: Any, fit_intercept: bool):
    """``(f, w_hat, b0)``: ``f(w) = likelihood.datafit(y, b0 + offset + X w, 1) / n`` over two
    coefficients, ``b0`` the unpenalized maximum-likelihood intercept (fitted jointly with
    ``w``, then held fixed; 0 without an intercept) and ``w_hat`` the minimizer of ``f``."""
    from scipy.optimize import minimize

    n = X.shape[0]
    off = np.zeros(n) if offset is None else np.broadcast_to(np.asarray(offset, float), (n,))
    sw = np.ones(n)
    likelihood.check_y(y)

    def full(beta):
        eta = off + X @ beta[1:] + (beta[0] if fit_intercept else 0.0)
        return likelihood.datafit(y, eta, sw) / n

    def grad(beta):
        eta = off + X @ beta[1:] + (beta[0] if fit_intercept else 0.0)
        gr = likelihood.gradient(y, eta, sw) / n
        return np.concatenate([[gr.sum() if fit_intercept else 0.0], X.T @ gr])

    res = minimize(full, np.zeros(3), jac=grad, method="BFGS", options={"gtol": 1e-10})
    if not np.all(np.isfinite(res.x)) or np.max(np.abs(res.x[1:])) > 1e3:
        raise DataError("the 2-coefficient loss has no finite minimizer (e.g. separable "
                        "Bernoulli data): pick two other features.")
    b0, w_hat = float(res.x[0]) if fit_intercept else 0.0, res.x[1:].copy()

    def f(w):
        return likelihood.datafit(y, b0 + off + X @ np.asarray(w, float), sw) / n

    return f, w_hat, b0


def plot_geometry(w_ls: Any = (1.6, 0.6), hessian: Any = ((1.0, 0.55), (0.55, 1.0)),
                  budget: float | None = 1.0, *, X: Any = None, y: Any = None, ax: Any = None,
                  likelihood: Any = None, offset: Any = None, fit_intercept: bool = True,
                  feature_names: Any = None):
    """Why the L1 optimum lands on an axis: loss contours against the L1 diamond and the L2 disc.

    The penalized MAP equals the loss minimizer constrained to a ball of the penalty (Lagrange
    duality). Draws the contours of the loss around its minimizer, the L1 ball
    ``|w1| + |w2| <= budget`` (diamond) and the L2 ball of the same radius (disc), and marks
    both constrained optima: the first contour to touch the diamond usually touches a corner,
    where one coordinate is exactly 0; the disc has no corners, so the L2 optimum shrinks both
    coordinates but zeroes none.

    The loss is the quadratic ``(w - w_ls)^T H (w - w_ls) / 2`` (least squares,
    :func:`constrained_optima`) unless ``likelihood`` is a non-Gaussian likelihood (Bernoulli,
    Poisson): then it is that likelihood's negative log-likelihood
    ``likelihood.datafit(y, b0 + offset + X w, 1) / n`` of the data ``X`` (2 columns), ``y``
    (``b0``: the maximum-likelihood intercept, held fixed), whose contours are not ellipses.
    The grid and loss values drawn are kept in ``fig.bayesreg_geometry`` (keys ``w1``, ``w2``,
    ``loss``, ``optima``, ``loss_name``).

    Parameters
    ----------
    w_ls, hessian : the quadratic loss's center and curvature (defaults: a correlated example).
    budget : float, radius of both balls; None: half the L1 norm of the loss's unconstrained
        minimizer (both balls active).
    X, y : optional data with 2 columns: for the quadratic loss ``w_ls`` is their least-squares
        fit (with intercept) and ``H = Xc^T Xc / n`` (centered X).
    ax : matplotlib Axes, optional
    likelihood : bayesreg Likelihood, optional
        Bernoulli / Poisson: contours of its negative log-likelihood (needs ``X`` and ``y``).
        None or Gaussian: the quadratic least-squares loss.
    offset : float or array of shape (n,), optional
        Added to the linear predictor (e.g. the other coefficients' contribution, held fixed).
    fit_intercept : bool, default True
        Fit (and hold fixed) an intercept ``b0`` for the non-Gaussian loss.
    feature_names : two axis labels (default ``w1``, ``w2``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    kind = type(likelihood).__name__ if likelihood is not None else "Gaussian"
    quadratic = kind == "Gaussian"
    Xd = None
    if X is not None or not quadratic:
        if X is None or y is None:
            raise DataError(f"plot_geometry with a {kind} likelihood needs X (2 columns) and y.")
        Xd = np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=float)
        if Xd.ndim != 2 or Xd.shape[1] != 2:
            raise DataError(f"plot_geometry needs X with exactly 2 columns and y, got X shape "
                            f"{Xd.shape}: select two features, e.g. X[:, [0, 1]].")
        yd = np.asarray(y, dtype=float)
    t = None if budget is None else check_positive(budget, "budget")
    if quadratic:
        if Xd is not None:
            from .compare import least_squares

            yq = yd if offset is None else yd - np.broadcast_to(np.asarray(offset, float),
                                                                  yd.shape)
            res = least_squares(Xd, yq)
            if res is None:
                raise DataError("X is rank deficient: the least-squares point is not unique.")
            w_ls = res[0]
            Xc = Xd - Xd.mean(axis=0)
            hessian = Xc.T @ Xc / Xd.shape[0]
        if t is None:
            t = _half_l1(w_ls)
        opt = constrained_optima(w_ls, hessian, t)
        w_hat, H = opt["ls"], np.asarray(hessian, dtype=float)

        def loss(w):
            return _quad(w, w_hat, H)
    else:
        loss, w_hat, _ = _nll_slice(likelihood, Xd, yd, offset, bool(fit_intercept))
        if t is None:
            t = _half_l1(w_hat)
        opt = _ball_optima(loss, w_hat, t)
    if ax is None:
        fig, ax = plt.subplots(figsize=(6.0, 6.0))
    else:
        fig = ax.figure
    lim = 1.25 * max(t, float(np.max(np.abs(w_hat)))) + 0.2 * t
    g = np.linspace(-lim, lim, 241 if quadratic else 121)
    G1, G2 = np.meshgrid(g, g)
    if quadratic:
        D1, D2 = G1 - w_hat[0], G2 - w_hat[1]
        Z = 0.5 * (H[0, 0] * D1 ** 2 + 2 * H[0, 1] * D1 * D2 + H[1, 1] * D2 ** 2)
    else:
        Z = np.array([[loss((a, b)) for a in g] for b in g])
    zmin = loss(w_hat)
    top = max(loss(opt["l1"]), loss(opt["l2"]), zmin + 1e-12)
    levels = zmin + (top - zmin) * np.array([0.05, 0.15, 0.3, 0.5, 0.75, 1.1, 1.6, 2.3, 3.2,
                                             4.5, 6.5, 9.0])
    ax.contour(G1, G2, Z, levels=levels[levels < Z.max()], colors="0.75", linewidths=0.7)
    for key, color in (("l1", "C3"), ("l2", "C0")):
        level = loss(opt[key])
        if level > zmin and Z.min() < level < Z.max():  # the contour through each optimum
            ax.contour(G1, G2, Z, levels=[level], colors=color, linewidths=1.2, linestyles="--")
    loss_name = _LOSS_NAMES.get(kind, f"{kind} negative log-likelihood")
    ax.fill([t, 0, -t, 0], [0, t, 0, -t], facecolor="C3", alpha=0.15, edgecolor="C3",
            linewidth=1.8, label="L1 ball (Laplace prior)")
    ax.add_patch(plt.Circle((0, 0), t, facecolor="C0", alpha=0.12, edgecolor="C0",
                            linewidth=1.8, label="L2 ball (Normal prior)"))
    ax.scatter(*w_hat, color="k", marker="x", s=60, zorder=6,
               label="least squares" if quadratic else "maximum likelihood")
    ax.scatter(*opt["l1"], color="C3", marker="D", s=60, zorder=6,
               label=f"L1 optimum ({opt['l1'][0]:.2f}, {opt['l1'][1]:.2f})")
    ax.scatter(*opt["l2"], color="C0", marker="o", s=60, zorder=6,
               label=f"L2 optimum ({opt['l2'][0]:.2f}, {opt['l2'][1]:.2f})")
    ax.axhline(0, color="0.5", linewidth=0.8)
    ax.axvline(0, color="0.5", linewidth=0.8)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    n1, n2 = ("w1", "w2") if feature_names is None else (_short(n) for n in feature_names)
    ax.set_xlabel(n1)
    ax.set_ylabel(n2)
    ax.set_title(f"{loss_name[0].upper() + loss_name[1:]} loss contours vs L1 diamond and "
                 "L2 disc", fontsize="medium")
    ax.legend(loc="lower left", fontsize="x-small", framealpha=0.9)
    fig.tight_layout()
    fig.bayesreg_geometry = {"w1": g, "w2": g, "loss": Z, "optima": opt, "loss_name": loss_name}
    return fig


# --------------------------------------------------------------------------- priors
def _array_params(prior: Any) -> list[str]:
    """The parameters (``to_dict`` keys) holding one value per coefficient (NumPy arrays)."""
    return [k for k in prior.to_dict() if k != "type"
            and isinstance(getattr(prior, k, None), np.ndarray)]


def _scalar_prior(prior: Any, j: int):
    """Coefficient ``j``'s prior as a prior with scalar parameters."""
    d = prior.to_dict()
    arrays = _array_params(prior)
    kw = {k: (v[j] if k in arrays else v) for k, v in d.items() if k != "type"}
    return type(prior)(**kw)


#: the quadrature of :func:`prior_variance` splits where the log density has dropped this many
#: nats below its peak (the bulk of the mass is on the finite inner interval)
_SPLIT_DROP = 20.0
_SCALE_GRID = np.logspace(-15.0, 15.0, 301)


def _density_split_point(prior: Any) -> float:
    """A point ``w > 0`` beyond which the density is ~exp(-20) of its peak, found from
    ``prior.logpdf`` alone on a geometric grid (no penalty or scale face needed)."""
    with np.errstate(all="ignore"):
        lp = np.asarray(prior.logpdf(_SCALE_GRID), dtype=float)
        lp0 = float(np.asarray(prior.logpdf(np.zeros(1)), dtype=float)[0])
    finite = np.isfinite(lp)
    if not finite.any():
        raise ParameterError(f"prior_variance: {prior!r}.logpdf is not finite anywhere on "
                             "(1e-15, 1e15).")
    peak = int(np.argmax(np.where(finite, lp, -np.inf)))
    ref = max(float(lp[peak]), lp0) if np.isfinite(lp0) else float(lp[peak])
    below = np.flatnonzero(finite & (lp <= ref - _SPLIT_DROP) & (np.arange(lp.size) >= peak))
    return float(_SCALE_GRID[below[0]] if below.size else _SCALE_GRID[-1])


def prior_variance(prior: Any) -> float | np.ndarray:
    """Variance ``int w^2 p(w) dw`` of a coefficient prior, by numerical quadrature of
    ``exp(prior.logpdf)`` (an array, one per coefficient, for per-coefficient scales).

    Only the density face is used (no penalty face: priors without a finite mode work too). The
    integral over ``w > 0`` is split (and rescaled) where the log density has dropped 20 nats
    below its peak.
    A prior whose density is conditional on ``sigma`` (``scales_with_sigma``, e.g.
    ``BayesianLasso``) is evaluated at ``logpdf``'s default, ``sigma = 1``: the variance is then
    in units of ``sigma^2``. A prior without a fixed density on ``w`` (a hyperprior on its
    scale) raises :class:`~bayesreg.NotSupportedError`.
    """
    from scipy.integrate import quad

    d = prior.to_dict()
    sizes = {len(d[k]) for k in _array_params(prior)}
    if sizes:
        return np.array([prior_variance(_scalar_prior(prior, j)) for j in range(sizes.pop())])
    s = _density_split_point(prior)

    def f(u):  # w = s u: the integrand on the prior's own scale
        return u * u * np.exp(prior.logpdf(np.array([s * u]))[0])

    inner = quad(f, 0.0, 1.0, epsabs=0.0, epsrel=1e-11, limit=200)[0]
    outer = quad(f, 1.0, np.inf, epsabs=1e-13 * inner, epsrel=1e-11, limit=200)[0]
    return 2.0 * s**3 * (inner + outer)


_ENET_UNIT: dict[float, float] = {}


def _enet_unit_lambda(l1_share: float) -> float:
    """lambda such that exp(-lambda (a |u| + (1 - a) u^2 / 2)) has unit variance."""
    from scipy.optimize import brentq

    from ..priors import ElasticNetPrior

    if l1_share not in _ENET_UNIT:
        a = l1_share

        def f(loglam):
            lam = np.exp(loglam)
            pr = ElasticNetPrior(1.0 / (lam * a), 1.0 / np.sqrt(lam * (1 - a)))
            return np.log(prior_variance(pr))

        _ENET_UNIT[l1_share] = float(np.exp(brentq(f, -8.0, 8.0, xtol=1e-13)))
    return _ENET_UNIT[l1_share]


def equal_variance_priors(variance: Any = 1.0, l1_share: float = 0.5) -> dict[str, Any]:
    """Normal, Laplace and elastic-net priors with the same variance.

    ``Normal(sqrt(v))``, ``Laplace(sqrt(v / 2))`` and the elastic net
    ``exp(-lambda (a |u| + (1 - a) u^2 / 2))`` in standardized units ``u = w / sqrt(v)``, with
    ``a = l1_share`` (glmnet's alpha) and ``lambda`` solved numerically for unit variance:
    ``ElasticNetPrior(l1_scale = sqrt(v) / (lambda a), l2_scale = sqrt(v / (lambda (1 - a))))``.

    ``variance`` may be an array (one variance per coefficient, e.g.
    ``prior_variance(prior)`` of a prior with per-coefficient scales): then the priors have
    per-coefficient scales. The report's prior comparison uses this function.
    """
    from ..priors import ElasticNetPrior, Laplace, Normal

    if np.ndim(variance) == 0:
        v = check_positive(variance, "variance")
    else:
        v = np.asarray(variance, dtype=float)
        if v.ndim != 1 or v.size == 0 or not np.all(np.isfinite(v) & (v > 0)):
            raise ParameterError(f"variance must be a finite number > 0 or a 1-d array of them, "
                                 f"got {variance!r}.")
    a = check_prob(l1_share, "l1_share")
    lam = _enet_unit_lambda(a)
    sd = np.sqrt(v)

    def param(x):
        return float(x) if np.ndim(x) == 0 else np.asarray(x, dtype=float)

    return {"Normal": Normal(param(sd)), "Laplace": Laplace(param(np.sqrt(v / 2.0))),
            "ElasticNet": ElasticNetPrior(param(sd / (lam * a)),
                                          param(np.sqrt(v / (lam * (1 - a)))))}


def plot_prior_densities(variance: float = 1.0, l1_share: float = 0.5, xlim: float = 3.5):
    """Normal vs Laplace vs elastic-net prior at equal variance, and their penalties.

    Left: the normalized densities ``p(w)`` (:func:`equal_variance_priors`); the Laplace is
    more peaked at 0 and heavier in the tails. Right: the penalties ``-log p(w) + log p(0)``:
    the quadratic L2 is flat at 0 (no pull towards exactly zero for small w), the L1 has a
    kink at 0 (a finite pull however small w is, which is what makes MAP coefficients exactly
    zero).

    Returns
    -------
    matplotlib.figure.Figure with two axes, three lines each.
    """
    import matplotlib.pyplot as plt

    priors = equal_variance_priors(variance, l1_share)
    half = check_positive(xlim, "xlim") * np.sqrt(variance)
    w = np.linspace(-half, half, 801)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10.0, 4.0))
    for k, (name, pr) in enumerate(priors.items()):
        lp = pr.logpdf(w)
        a1.plot(w, np.exp(lp), color=f"C{k}", label=f"{name}: {pr!r}")
        a2.plot(w, -(lp - pr.logpdf(np.zeros(1))[0]), color=f"C{k}", label=name)
    a1.set_title(f"Prior densities at equal variance {variance:g}")
    a1.set_xlabel("w")
    a1.set_ylabel("p(w)")
    a1.legend(fontsize="x-small", frameon=False)
    a2.set_title("Penalties  -log p(w) + log p(0)")
    a2.set_xlabel("w")
    a2.set_ylabel("penalty")
    a2.legend(fontsize="small", frameon=False)
    fig.tight_layout()
    return fig
