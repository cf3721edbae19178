"""Choosing the prior scale: cross-validation, empirical Bayes, a hyperprior and LOO, side by
side (:func:`select_scale`, :class:`ScaleSelection`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._errors import NotSupportedError, ParameterError
from .._validation import check_int, check_tol, check_X_y, default_names, seed_sequence
from .cv import (
    check_convention,
    check_measure,
    choose_scales,
    cross_validate,
    fold_plan,
    path_scale,
    prior_at_scale,
)
from .evidence import has_closed_form_eb, laplace_eb, mcem_eb, ridge_eb, smooth_prior

__all__ = ["ScaleSelection", "select_scale", "METHODS"]

METHODS = ("cv", "eb", "hyperprior", "loo")


@dataclass
class ScaleSelection:
    """The prior-scale choices of several methods for one model and data set.

    Every scale is a prior scale (the Laplace scale ``b``, the Normal sd ``tau``, the elastic
    net's ``l1_scale``; the largest entry for per-coefficient scales) on the full data's ``n``.

    Attributes
    ----------
    base_model : Model
        The model whose scale is chosen (``sel.model(which)``: the Model at a choice).
    scales : ndarray (m,)
        The grid, increasing (strongest prior first).
    cv_mean, cv_se : ndarray (m,) or None
        cv.glmnet's ``cvm`` and ``cvsd`` (see :mod:`bayesreg.selection.cv`).
    cv_raw : list of ndarray (K, m)
        Per repeat, the per-fold values ``cvraw``; ``fold_weight``: per repeat, ``W_k``;
        ``foldid``: per repeat, the fold labels.
    nonzero : ndarray (m,) or None
        Non-zero MAP coefficients on the full data at each grid scale.
    scale_min, scale_1se : float or None
        CV minimum (smallest scale at the minimum) and the 1-SE rule (the smallest scale whose
        ``cvm`` is within one ``cvsd`` of the minimum: never a weaker prior than ``scale_min``).
    scale_eb, sigma_eb : float or None
        Empirical Bayes (type-II ML) scale and noise sd; ``eb`` holds the method, note and
        (Monte Carlo EM) ``trace``.
    scale_posterior : dict or None
        Hyperprior: ``draws``, ``median``, ``interval`` (5%, 95%) of the posterior of the scale
        (``1 / sqrt(lam2)`` under the Bayesian lasso, ``sqrt(tau2)`` under BayesianRidge),
        ``variable`` (the sampled hyperparameter), ``hyperprior`` (the prior sampled), ``note``.
    loo : pandas.DataFrame or None
        PSIS-LOO per grid scale: ``scale, elpd, se, p_loo, max_pareto_k``; ``scale_loo`` its
        argmax.
    """

    base_model: Any
    n_samples: float
    scales: np.ndarray
    measure: str | None = None
    convention: str | None = None
    cv_mean: np.ndarray | None = None
    cv_se: np.ndarray | None = None
    cv_raw: list = field(default_factory=list)
    fold_weight: list = field(default_factory=list)
    foldid: list = field(default_factory=list)
    path: Any = None
    nonzero: np.ndarray | None = None
    index_min: int | None = None
    index_1se: int | None = None
    scale_min: float | None = None
    scale_1se: float | None = None
    scale_eb: float | None = None
    sigma_eb: float | None = None
    eb: dict | None = None
    log_evidence: np.ndarray | None = None
    scale_posterior: dict | None = None
    loo: Any = None
    scale_loo: float | None = None
    skipped: dict = field(default_factory=dict)
    _fits: dict = field(default_factory=dict, repr=False)

    # ------------------------------------------------------------------ choices
    def choices(self) -> dict[str, float]:
        """``{method: scale}`` of every method that ran (``"min"``, ``"1se"``, ``"eb"``,
        ``"hyperprior"`` (posterior median), ``"loo"``)."""
        out = {"min": self.scale_min, "1se": self.scale_1se, "eb": self.scale_eb,
               "hyperprior": None if self.scale_posterior is None
               else self.scale_posterior["median"], "loo": self.scale_loo}
        return {k: float(v) for k, v in out.items() if v is not None}

    def _scale_of(self, which: str) -> float:
        c = self.choices()
        if which not in ("min", "1se", "eb", "hyperprior", "loo"):
            raise ParameterError(f"which must be 'min', '1se', 'eb', 'hyperprior' or 'loo', got "
                                 f"{which!r}.")
        if which not in c:
            raise NotSupportedError(f"no {which!r} choice: the method did not run "
                                    f"({self.skipped.get(_method_of(which), 'not requested')}).")
        return c[which]

    def model(self, which: str = "1se"):
        """The Model of the chosen scale ``which`` (``"min"``, ``"1se"``, ``"eb"``, ...): the
        same likelihood (``"eb"`` with a closed-form noise estimate: sigma fixed at
        ``sigma_eb``) and the prior at that scale."""
        s = self._scale_of(which)
        lik = self.base_model.likelihood
        if which == "eb" and self.eb is not None and self.eb.get("method") == "exact" \
                and getattr(lik, "free_params", ()):
            lik = lik.bind(sigma=self.sigma_eb)
        return type(self.base_model)(likelihood=lik,
                                     prior=prior_at_scale(self.base_model.prior, s),
                                     fit_intercept=self.base_model.fit_intercept)

    # ------------------------------------------------------------------ tables
    def _fit_at(self, s: float):
        path = self._fits.get("_path")
        if s not in self._fits and path is not None:
            hit = np.flatnonzero(np.asarray(path.scales) == s)
            if hit.size:
                self._fits[s] = path.results[int(hit[0])]
        if s not in self._fits:
            X, y, sw = self._fits["_data"]
            m = self.model_at_scale(s)
            try:
                self._fits[s] = m.map(X, y, sample_weight=sw)
            except NotSupportedError:
                self._fits[s] = None
        return self._fits[s]

    def model_at_scale(self, s: float):
        base = self.base_model
        return type(base)(likelihood=base.likelihood, prior=prior_at_scale(base.prior, s),
                          fit_intercept=base.fit_intercept)

    def to_frame(self):
        """One row per method: ``method, scale, sklearn_alpha, glmnet_lambda, nonzero,
        cv_error, cv_se, elpd``. ``sklearn_alpha`` is Lasso/Ridge/ElasticNet/PoissonRegressor's
        ``alpha`` or LogisticRegression's ``C``; the Gaussian conversions use the model's sigma
        (or the MAP's / the EB estimate when sigma is estimated)."""
        import pandas as pd

        rows = []
        for which, s in self.choices().items():
            fit = self._fit_at(s)
            sigma = _conversion_sigma(self, which, fit)
            m = self.model_at_scale(s)
            alpha = lam = None
            try:
                est = m.to_sklearn(n_samples=self.n_samples, sigma=sigma)
                alpha = getattr(est, "alpha", None)
                alpha = getattr(est, "C", None) if alpha is None else alpha
                lam = m.to_glmnet(n_samples=self.n_samples, sigma=sigma)["lambda_"]
            except (NotSupportedError, ParameterError):
                pass
            cv_err = cv_se = elpd = None
            if self.cv_mean is not None:
                i = int(np.argmin(np.abs(np.log(self.scales) - np.log(s))))
                if np.isclose(self.scales[i], s, rtol=1e-9):
                    cv_err, cv_se = float(self.cv_mean[i]), float(self.cv_se[i])
            if self.loo is not None:
                j = np.flatnonzero(np.isclose(self.loo["scale"].to_numpy(), s, rtol=1e-9))
                if j.size:
                    elpd = float(self.loo["elpd"].to_numpy()[j[0]])
            rows.append({"method": _LABELS[which], "scale": s, "sklearn_alpha": alpha,
                         "glmnet_lambda": lam,
                         "nonzero": None if fit is None else int(np.count_nonzero(fit.coef)),
                         "cv_error": cv_err, "cv_se": cv_se, "elpd": elpd})
        return pd.DataFrame(rows)

    def coefficients(self):
        """The MAP coefficients of every choice: a DataFrame (features x methods; a method
        whose model has no MAP is left out)."""
        import pandas as pd

        cols = {}
        for which, s in self.choices().items():
            fit = self._fit_at(s)
            if fit is not None:
                cols[_LABELS[which]] = fit.coef
        return pd.DataFrame(cols, index=self._fits["_names"])

    def disagreement(self) -> str:
        """A sentence per pair of choices more than a factor 2 apart in scale or with different
        sets of non-zero MAP coefficients ("" when they agree)."""
        c = self.choices()
        keys = list(c)
        out = []
        for a in range(len(keys)):
            for b in range(a + 1, len(keys)):
                ka, kb = keys[a], keys[b]
                ratio = max(c[ka], c[kb]) / min(c[ka], c[kb])
                fa, fb = self._fit_at(c[ka]), self._fit_at(c[kb])
                diff_support = (fa is not None and fb is not None
                                and not np.array_equal(fa.coef != 0, fb.coef != 0))
                if ratio > 2 or diff_support:
                    why = []
                    if ratio > 2:
                        why.append(f"scales differ by a factor {ratio:.3g}")
                    if diff_support:
                        why.append(f"non-zero MAP coefficients {int(np.count_nonzero(fa.coef))} "
                                   f"vs {int(np.count_nonzero(fb.coef))} (different sets)")
                    out.append(f"{_LABELS[ka]} ({c[ka]:.4g}) and {_LABELS[kb]} ({c[kb]:.4g}) "
                               f"disagree: {'; '.join(why)}.")
        return "\n".join(out)

    def __repr__(self) -> str:
        base = self.base_model
        lines = [f"ScaleSelection({base!r}, n={self.n_samples:g}, grid of {self.scales.size} "
                 f"scales {self.scales[0]:.4g}..{self.scales[-1]:.4g})"]
        if self.cv_mean is not None:
            lines.append(f"  cv ({self.measure}, convention={self.convention!r}, "
                         f"{len(self.foldid)} x {len(self.cv_raw[0])} folds): scale_min = "
                         f"{self.scale_min:.6g}, scale_1se = {self.scale_1se:.6g}")
        if self.scale_eb is not None:
            sig = "" if self.sigma_eb is None else f", sigma_eb = {self.sigma_eb:.6g}"
            lines.append(f"  eb ({self.eb['method']}): scale_eb = {self.scale_eb:.6g}{sig}")
        if self.scale_posterior is not None:
            lo, hi = self.scale_posterior["interval"]
            lines.append(f"  hyperprior: posterior median scale = "
                         f"{self.scale_posterior['median']:.6g} (90% {lo:.4g}..{hi:.4g})")
        if self.scale_loo is not None:
            lines.append(f"  loo: best elpd at scale = {self.scale_loo:.6g}")
        for k, v in self.skipped.items():
            lines.append(f"  {k}: not run ({v})")
        d = self.disagreement()
        if d:
            lines += ["  " + s for s in d.splitlines()]
        return "\n".join(lines)

    # ------------------------------------------------------------------ plot
    def plot(self, ax=None):
        """One log-scale axis: the CV curve with its 1-SE band and the min / 1-SE choices,
        the (scaled) log evidence, the hyperprior posterior of the scale (its density on the
        log scale, 90% interval and median) and the LOO elpd (right axis). Returns the
        matplotlib Axes."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        handles = []
        if self.cv_mean is not None:
            ax.fill_between(self.scales, self.cv_mean - self.cv_se, self.cv_mean + self.cv_se,
                            color="C0", alpha=0.2)
            handles += ax.plot(self.scales, self.cv_mean, "C0.-", label=f"CV {self.measure}")
            handles.append(ax.axvline(self.scale_min, color="C0", ls="--", lw=1,
                                      label="CV min"))
            handles.append(ax.axvline(self.scale_1se, color="C0", ls=":", lw=1,
                                      label="CV 1-SE"))
            ax.set_ylabel(f"CV {self.measure}")
        ax.set_xscale("log")
        ax.set_xlabel("prior scale")
        right = None
        if self.log_evidence is not None or self.loo is not None:
            right = ax.twinx()
            if self.log_evidence is not None:
                handles += right.plot(self.scales, self.log_evidence, "C1-", label="log evidence")
            if self.loo is not None:
                handles += right.plot(self.loo["scale"], self.loo["elpd"], "C3o-",
                                      label="LOO elpd")
            right.set_ylabel("log evidence / elpd")
        if self.scale_eb is not None:
            handles.append(ax.axvline(self.scale_eb, color="C1", ls="-.", lw=1,
                                      label=f"EB ({self.eb['method']})"))
        if self.scale_posterior is not None:
            from matplotlib.transforms import blended_transform_factory
            from scipy.stats import gaussian_kde

            lo, hi = self.scale_posterior["interval"]
            handles.append(ax.axvspan(lo, hi, color="C2", alpha=0.15,
                                      label="hyperprior 90% interval"))
            ax.axvline(self.scale_posterior["median"], color="C2", lw=1)
            t = np.log(np.asarray(self.scale_posterior["draws"], dtype=float))
            if t.size > 1 and np.ptp(t) > 0:  # density of log scale, in the lower 40% of the axis
                g = np.linspace(t.min(), t.max(), 200)
                d = gaussian_kde(t)(g)
                trans = blended_transform_factory(ax.transData, ax.transAxes)
                handles += ax.plot(np.exp(g), 0.4 * d / d.max(), "C2-", transform=trans,
                                   label="hyperprior posterior of the scale")
        ax.legend(handles=handles, loc="best", fontsize=8)
        return ax


_LABELS = {"min": "cv_min", "1se": "cv_1se", "eb": "eb", "hyperprior": "hyperprior",
           "loo": "loo"}


def _method_of(which):
    return {"min": "cv", "1se": "cv"}.get(which, which)


def _conversion_sigma(sel, which, fit):
    lik = sel.base_model.likelihood
    if not getattr(lik, "free_params", ()):
        return None
    if which == "eb" and sel.sigma_eb is not None:
        return sel.sigma_eb
    return None if fit is None else fit.sigma


# ---------------------------------------------------------------------------- entry point
def select_scale(model, X, y, methods=("cv", "eb"), scales=None, n_scales: int = 100, *,
                 cv: int = 10, foldid=None, n_repeats: int = 1, convention: str = "bayes",
                 measure: str = "deviance", random_state=None, n_jobs: int = 1,
                 sample_weight=None, eps: float = 1e-3, tol: float = 1e-7,
                 max_iter: int | None = None, eb_options: dict | None = None,
                 hyperprior_options: dict | None = None,
                 loo_options: dict | None = None, progressbar: bool = False) -> ScaleSelection:
    """Choose the prior scale of ``model`` by several methods (see :class:`ScaleSelection`).

    Parameters
    ----------
    model : Model
    X, y, sample_weight : as in :meth:`Model.map`
    methods : subset of ``("cv", "eb", "hyperprior", "loo")``
        ``"cv"``: K-fold CV with cv.glmnet's statistics (:mod:`bayesreg.selection.cv`);
        ``"eb"``: type-II ML of the scale (:mod:`bayesreg.selection.evidence`: exact for
        Gaussian x Normal, Monte Carlo EM for Gaussian x Gibbs-face priors, the Laplace
        approximation for GLMs with an L2 prior); ``"hyperprior"``: the posterior of the scale
        under the Bayesian lasso's Gamma hyperprior on ``lambda^2 = 1 / scale^2`` (Gaussian x
        Laplace-type priors) or :class:`~bayesreg.priors.BayesianRidge`'s inverse-gamma
        hyperprior on ``tau^2 = scale^2`` (Gaussian x Normal), sampled by Gibbs; ``"loo"``:
        PSIS-LOO elpd (ArviZ) of the Gibbs posterior on a coarse sub-grid (Gaussian models).
    scales : array of prior scales, optional
        The grid (on the full data's n); default: :meth:`Model.map_path`'s ``n_scales``
        log-spaced scales from the all-zero scale (L1 priors) over ``1/eps``.
    cv, foldid, n_repeats, random_state
        Number of folds; glmnet's ``foldid`` (an integer label per row; overrides ``cv``);
        repeated random fold splits (their ``cvm`` and ``cvsd`` averaged); the seed of the folds
        (and of the Monte Carlo methods).
    convention : {"bayes", "glmnet"}
        What is fixed across folds: the prior scale, or glmnet's per-observation penalty.
    measure : {"deviance", "mse", "mae", "class", "auc"}
    n_jobs : int
        Folds fitted in parallel threads (joblib).
    eb_options : dict
        Monte Carlo EM: ``n_iter`` (30), ``draws`` (400), ``tune`` (200), ``scale0``.
    hyperprior_options : dict
        ``lam2_prior`` ((r, delta); default BayesianLasso's) or, for a Normal prior,
        ``tau2_prior`` ((a, b); default BayesianRidge's), ``draws`` (1000), ``tune``
        (500), ``chains`` (2).
    loo_options : dict
        ``n_scales`` (8 points of the grid), ``draws`` (300), ``chains`` (2).
    progressbar : bool, default False
        A bar over the cross-validation folds (tqdm when installed, else rich).
    """
    if isinstance(methods, str):
        methods = (methods,)
    methods = tuple(methods)
    bad = [m for m in methods if m not in METHODS]
    if bad or not methods:
        raise ParameterError(f"methods must be a non-empty subset of {METHODS}, got {methods!r}.")
    convention = check_convention(convention)
    check_tol(tol)
    if n_jobs != -1:
        n_jobs = check_int(n_jobs, "n_jobs", 1)
    X, y, sw, names = check_X_y(X, y, sample_weight)
    lik, prior = model.likelihood, model.prior
    lik.check_y(y)
    p = X.shape[1]
    S = float(sw.sum())
    seeds = seed_sequence(random_state).spawn(4)
    has_mode = prior.as_penalty(p) is not None
    path = None
    if has_mode:
        path = model.map_path(X, y, scales=scales, n_scales=n_scales, sample_weight=sw, eps=eps,
                              tol=tol, max_iter=max_iter)
        grid = np.asarray(path.scales, dtype=float)
    elif scales is not None:
        grid = np.sort(np.atleast_1d(np.asarray(scales, dtype=float)))
    else:
        s0 = path_scale(prior) if prior.path_scale is not None else 1.0
        grid = s0 * np.logspace(-2, 2, check_int(n_scales, "n_scales", 1))
    sel = ScaleSelection(base_model=model, n_samples=S, scales=grid, path=path)
    sel._fits["_data"] = (X, y, sw)
    sel._fits["_names"] = default_names(p, names)
    if path is not None:
        sel.nonzero = np.count_nonzero(path.coefs, axis=1)
        sel._fits["_path"] = path  # its MAPResults, assembled on first use (_fit_at)
    if "cv" in methods:
        if not has_mode:
            sel.skipped["cv"] = prior.mode_unavailable()
        else:
            measure = check_measure(lik, measure)
            folds = fold_plan(X.shape[0], cv, foldid, n_repeats,
                              np.random.default_rng(seeds[0]) if random_state is None
                              else random_state)
            if measure == "auc" and X.shape[0] / max(np.unique(folds[0]).size, 1) < 10:
                import warnings

                warnings.warn(f"measure='auc' with {X.shape[0] / np.unique(folds[0]).size:.3g} "
                              "rows per fold (< 10): each fold's AUC is very noisy (cv.glmnet "
                              "switches to the deviance here); use fewer folds or "
                              "measure='deviance'.", UserWarning, stacklevel=2)
            out = cross_validate(model, X, y, sw, grid, folds, measure, convention, tol=tol,
                                 max_iter=max_iter, n_jobs=n_jobs, progressbar=progressbar)
            sel.measure, sel.convention = measure, convention
            sel.cv_mean, sel.cv_se = out["cvm"], out["cvsd"]
            sel.cv_raw, sel.fold_weight, sel.foldid = out["raw"], out["fold_weight"], folds
            i_min, i_1se = choose_scales(sel.cv_mean, sel.cv_se, maximize=measure == "auc")
            sel.index_min, sel.index_1se = i_min, i_1se
            sel.scale_min, sel.scale_1se = float(grid[i_min]), float(grid[i_1se])
    if "eb" in methods:
        _run_eb(sel, model, X, y, sw, path, grid, eb_options or {}, seeds[1])
    if "hyperprior" in methods:
        _run_hyperprior(sel, model, X, y, sw, hyperprior_options or {}, seeds[2])
    if "loo" in methods:
        _run_loo(sel, model, X, y, sw, grid, loo_options or {}, seeds[3])
    return sel


def _run_eb(sel, model, X, y, sw, path, grid, opts, seed):
    lik, prior, fi = model.likelihood, model.prior, model.fit_intercept
    p = X.shape[1]
    try:
        if has_closed_form_eb(lik, prior, p):
            eb = ridge_eb(lik, prior, X, y, sw, fi)
            spec = eb.pop("_spectrum")
            free = bool(getattr(lik, "free_params", ()))
            vals = []
            for s in grid:
                if free:
                    # sigma profiled at each scale: the evidence maximized over sigma
                    sig = optimize_sigma(spec, s)
                else:
                    sig = lik.sigma
                vals.append(float(spec.log_evidence(s, sig)))
            sel.log_evidence = np.array(vals)
        elif prior.gibbs_face(p) is not None and lik.gibbs_kind() == "gaussian":
            kw = {k: opts[k] for k in ("n_iter", "draws", "tune", "scale0") if k in opts}
            if "scale0" not in kw and sel.scale_min is not None:
                kw["scale0"] = sel.scale_min
            eb = mcem_eb(model, X, y, sw, random_seed=seed, **kw)
        elif path is not None and smooth_prior(prior, p):
            eb = laplace_eb(model, X, y, sw, path)
            sel.log_evidence = eb["_grid"][1]
        else:
            raise NotSupportedError(
                f"no empirical-Bayes method for {type(lik).__name__} x {type(prior).__name__}: "
                "exact for Gaussian x Normal, Monte Carlo EM for Gaussian likelihoods with a "
                "Gibbs-face prior, the Laplace approximation for an L2 prior.")
    except NotSupportedError as exc:
        sel.skipped["eb"] = str(exc)
        return
    eb.pop("_grid", None)
    sel.eb = eb
    sel.scale_eb, sel.sigma_eb = eb["scale"], eb.get("sigma")


def optimize_sigma(spec, tau):
    """argmax over sigma of the closed-form evidence at a fixed tau (1-D, bounded Brent)."""
    from scipy import optimize

    s0 = np.sqrt(spec.yy / max(spec.S - spec.i, 1.0))
    res = optimize.minimize_scalar(lambda t: -float(spec.log_evidence(tau, np.exp(t))),
                                   bounds=(np.log(s0) - 20, np.log(s0) + 2), method="bounded",
                                   options={"xatol": 1e-10})
    return float(np.exp(res.x))


def _laplace_kind(prior, p):
    """``relative_to_sigma`` of a Laplace-type prior with one shared scale, else None."""
    if "lam2_prior" in getattr(prior, "_params", ()):
        sc = getattr(prior, "scale", None)
        if sc is not None and np.ndim(sc) > 0:
            return None
        return bool(prior.scales_with_sigma)
    pen = prior.as_penalty(p)
    if pen is None or not pen.separable:
        return None
    l1, l2 = pen.weights
    if np.all(l2 == 0) and np.all(l1 > 0) and np.allclose(l1, l1[0]):
        return False
    return None


def _normal_kind(prior, p):
    """True for a Normal-type (pure L2) prior with one shared scale, else None."""
    if not smooth_prior(prior, p):
        return None
    _, l2 = prior.as_penalty(p).weights
    return True if np.allclose(l2, l2[0]) else None


def _run_hyperprior(sel, model, X, y, sw, opts, seed):
    from ..priors import BayesianLasso, BayesianRidge

    lik, prior = model.likelihood, model.prior
    p = X.shape[1]
    rel = _laplace_kind(prior, p)
    normal = _normal_kind(prior, p) if rel is None else None
    if (rel is None and normal is None) or lik.gibbs_kind() != "gaussian":
        sel.skipped["hyperprior"] = (
            "the hyperprior is the Bayesian lasso's Gamma(r, delta) prior on lambda^2 = "
            "1 / scale^2 (Laplace-type priors) or BayesianRidge's InverseGamma(a, b) prior on "
            "tau^2 = scale^2 (Normal priors), sampled by Gibbs: it needs a Gaussian likelihood "
            "and a prior with one shared scale; got "
            f"{type(lik).__name__} x {type(prior).__name__}")
        return
    if normal:
        hprior = BayesianRidge(tau2_prior=opts.get("tau2_prior"))
        var = "tau2"
    else:
        hprior = BayesianLasso(relative_to_sigma=rel, lam2_prior=opts.get("lam2_prior"))
        var = "lam2"
    m = type(model)(likelihood=lik, prior=hprior, fit_intercept=model.fit_intercept)
    tree = m.sample(X, y, sample_weight=sw, sampler="gibbs", draws=opts.get("draws", 1000),
                    tune=opts.get("tune", 500), chains=opts.get("chains", 2),
                    random_seed=int(seed.generate_state(1)[0] >> 2), progressbar=False,
                    log_likelihood=False)
    h = np.asarray(tree["posterior"][var].values).ravel()
    draws = np.sqrt(h) if normal else 1.0 / np.sqrt(h)
    post = {"draws": draws, "median": float(np.median(draws)),
            "interval": (float(np.quantile(draws, 0.05)), float(np.quantile(draws, 0.95))),
            "variable": var, "hyperprior": hprior}
    if normal:
        post.update(tau2_prior=hprior.tau2_prior, relative_to_sigma=False,
                    note="posterior of scale = sqrt(tau^2), tau^2 ~ InverseGamma(a, scale b)")
    else:
        post.update(lam2_prior=hprior.lam2_prior, relative_to_sigma=rel,
                    note="posterior of scale = 1 / sqrt(lambda^2), lambda^2 ~ Gamma(r, rate delta)"
                    + (" (relative to sigma)" if rel else ""))
    sel.scale_posterior = post


def _run_loo(sel, model, X, y, sw, grid, opts, seed):
    import pandas as pd

    lik, prior = model.likelihood, model.prior
    if prior.gibbs_face(X.shape[1]) is None or lik.gibbs_kind() != "gaussian":
        sel.skipped["loo"] = ("LOO here runs the Gibbs sampler at each grid point: it needs a "
                              "Gaussian likelihood and a prior with Gibbs conditionals")
        return
    import arviz as az

    k = min(int(opts.get("n_scales", 8)), grid.size)
    idx = np.unique(np.round(np.linspace(0, grid.size - 1, k)).astype(int))
    rows = []
    seeds = seed.spawn(idx.size)
    for j, i in enumerate(idx):
        m = sel.model_at_scale(float(grid[i]))
        tree = m.sample(X, y, sample_weight=sw, sampler="gibbs", draws=opts.get("draws", 300),
                        tune=opts.get("tune", 200), chains=opts.get("chains", 2),
                        random_seed=int(seeds[j].generate_state(1)[0] >> 2), progressbar=False)
        lo = az.loo(tree, pointwise=True)
        rows.append({"scale": float(grid[i]), "elpd": float(lo.elpd), "se": float(lo.se),
                     "p_loo": float(lo.p), "max_pareto_k": float(np.max(lo.pareto_k))})
    sel.loo = pd.DataFrame(rows)
    sel.scale_loo = float(sel.loo["scale"].to_numpy()[int(np.argmax(sel.loo["elpd"]))])

