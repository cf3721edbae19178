"""Model = likelihood + prior: the facade every entry point hangs off.

The specification (:class:`~bayesreg.spec.ModelSpec`: the parts and their persistence) is the
bottom layer; this facade adds thin entry points to the backends: the MAP solvers
(:mod:`bayesreg.map`), the samplers (:mod:`bayesreg.samplers`), the PyMC bridge
(:mod:`bayesreg.pymc`), the Dask backend (:mod:`bayesreg.dask`) and the conversions. No backend
imports this module.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import conversions
from ._errors import BayesregTypeError, DataError
from ._validation import check_int, check_tol, check_X_y, is_dask
from .map import MAPPath, MAPResult, fit_map, fit_path
from .spec import ModelSpec

__all__ = ["Model"]


class Model(ModelSpec):
    """A Bayesian regression model ``y ~ likelihood(intercept + X @ coef)``, ``coef_j ~ prior``.

    The unnormalized log posterior density is::

        log p(coef, intercept[, sigma] | y) = sum_i sw_i log p(y_i | intercept + x_i coef[, sigma])
                                             + sum_j log p(coef_j) [+ log p(sigma)] + const

    with a flat prior on the intercept (never penalized) and ``sw`` the sample weights
    (frequency weights: each row's log-likelihood is multiplied by its weight).

    Parameters
    ----------
    likelihood : Likelihood
        :class:`Gaussian`, :class:`Bernoulli` or :class:`Poisson` (any registered likelihood).
    prior : Prior
        :class:`Normal`, :class:`Laplace` or :class:`ElasticNetPrior` (scales may be arrays,
        one per coefficient), or a sampling-only prior such as :class:`BayesianLasso` (no MAP).
    fit_intercept : bool, default True
    """

    @classmethod
    def from_formula(cls, formula: str, data, likelihood=None, prior=None):
        """A model and its design from a formula and a data frame (formulaic):
        ``Model.from_formula("y ~ x1 + C(region)", data=df, prior=br.Laplace(0.5))``.

        Returns a :class:`bayesreg.formula.FormulaModel` (``.model``, ``.X``, ``.y``,
        ``.terms`` / ``.groups`` of the categorical dummies, ``.map()``, ``.sample()``,
        ``.design(new_data)``); see :func:`bayesreg.formula.from_formula`."""
        from .formula import from_formula

        return from_formula(formula, data, likelihood=likelihood, prior=prior)

    # -------------------------------------------------------------- display
    def sigma_prior_description(self) -> str | None:
        """The prior on a free noise scale, as used: ``sigma ~ HalfNormal(s)`` with the given
        ``s``, or with ``s = sd(y)`` resolved from the data fitted (None: no free sigma)."""
        lik = self.likelihood
        if "sigma" not in getattr(lik, "free_params", ()):
            return None
        s = getattr(lik, "sigma_prior_scale", None)
        return ("sigma ~ HalfNormal(sd(y)), the scale resolved from the y fitted (in the result)"
                if s is None else f"sigma ~ HalfNormal({s:.6g})")

    def __repr__(self) -> str:
        text = super().__repr__()
        sig = self.sigma_prior_description()
        return text if sig is None else f"{text}  # {sig}"

    # ------------------------------------------------------------------ MAP
    def map(self, X, y, sample_weight=None, *, tol: float = 1e-6, max_iter: int | None = None,
            warm_start: MAPResult | None = None) -> MAPResult:
        """Posterior mode by direct penalized optimization, with an optimality certificate.

        Minimizes ``datafit(intercept + X coef) + penalty(coef)`` (the negative log posterior):
        closed form for Gaussian x Normal, coordinate descent with a duality gap for Gaussian x
        Laplace / ElasticNetPrior, proximal Newton for Bernoulli / Poisson, and block coordinate
        ascent over (coef, sigma) when ``Gaussian(sigma=None)``.

        Parameters
        ----------
        X : array-like or scipy.sparse matrix, shape (n, p); a DataFrame's columns become
            ``feature_names``.
        y : array-like, shape (n,)
        sample_weight : array-like, shape (n,), optional
            Non-negative weights multiplying each row's log-likelihood.
        tol : float
            Relative tolerance of the certificate: duality gap <= tol * ||y~||^2 / sigma^2
            (Gaussian, weighted-centered y~), or KKT violation <= tol * (KKT violation of the
            all-zero model) for ridge and GLMs.
        max_iter : int, optional
        warm_start : MAPResult, optional
            Start from a previous solution (same number of features).

        Returns
        -------
        MAPResult
        """
        max_iter = _check_max_iter(max_iter)
        if is_dask(X) or is_dask(y):
            from .dask import fit_map_dask

            if warm_start is not None:
                raise DataError("warm_start is not supported with Dask arrays: drop it (the "
                                "Dask backend starts from the intercept-only model).")
            return fit_map_dask(self, X, y, sample_weight, tol=tol, max_iter=max_iter)
        X, y, sw, names = check_X_y(X, y, sample_weight)
        check_tol(tol)
        w0 = b0 = s0 = None
        if warm_start is not None:
            w0, b0, s0 = _check_warm_start(warm_start, X.shape[1], names)
        return fit_map(self.likelihood, self.prior, X, y, sw, self.fit_intercept, names, tol=tol,
                       max_iter=max_iter, w0=w0, b0=b0, sigma0=s0,
                       free0=getattr(warm_start, "free", None))

    def map_path(self, X, y, scales=None, n_scales: int = 100, *, sample_weight=None,
                 eps: float = 1e-3, tol: float = 1e-6, max_iter: int | None = None,
                 progressbar: bool = False) -> MAPPath:
        """Warm-started MAP path over the prior's scale.

        Without ``scales`` the grid is ``n_scales`` log-spaced strengths from the smallest prior
        scale at which every coefficient is exactly zero (computed from the KKT conditions, the
        analogue of glmnet's ``lambda_max``) to ``1/eps`` times larger. A pure L2 prior has no
        all-zero scale: its grid starts where every direction is shrunk ~100x and spans 1e5.
        ``scales`` (prior scales: Normal sd, Laplace b, ElasticNetPrior l1_scale; for per-coefficient
        scales, the largest entry) overrides the grid; the path runs from small to large scale.
        """
        max_iter = _check_max_iter(max_iter)
        if scales is None:
            n_scales = check_int(n_scales, "n_scales", 1)
        X, y, sw, names = check_X_y(X, y, sample_weight)
        check_tol(tol)
        self.likelihood.check_y(y)
        return fit_path(self.likelihood, self.prior, X, y, sw, self.fit_intercept, names,
                        scales=scales, n_scales=n_scales, eps=eps, tol=tol, max_iter=max_iter,
                        progressbar=progressbar)

    def select_scale(self, X, y, methods=("cv", "eb"), scales=None, n_scales: int = 100,
                     **kwargs):
        """Choose the prior scale by cross-validation (cv.glmnet's statistics), empirical Bayes,
        a hyperprior and LOO, side by side: see :func:`bayesreg.selection.scale.select_scale`."""
        from .selection.scale import select_scale

        return select_scale(self, X, y, methods=methods, scales=scales, n_scales=n_scales,
                            **kwargs)

    def posterior_path(self, X, y, scales=None, n_scales: int = 30, draws: int = 500,
                       random_seed=None, **kwargs):
        """The posterior at every scale of a grid beside the MAP path (a DataTree with a
        ``scale`` dim): see :func:`bayesreg.selection.posterior_path.posterior_path`."""
        from .selection.posterior_path import posterior_path

        return posterior_path(self, X, y, scales=scales, n_scales=n_scales, draws=draws,
                              random_seed=random_seed, **kwargs)

    # --------------------------------------------------------- conversions
    @classmethod
    def from_sklearn(cls, estimator: Any, n_samples: int | None = None,
                     sigma: float | None = 1.0) -> Model:
        """Model with the same optimum as a scikit-learn Ridge / Lasso / ElasticNet /
        LogisticRegression / PoissonRegressor (see :mod:`bayesreg.conversions`)."""
        return conversions.from_sklearn(estimator, n_samples=n_samples, sigma=sigma)

    def to_sklearn(self, n_samples: int | None = None, sigma: float | None = None):
        """Configured, unfitted scikit-learn estimator with the same optimum."""
        return conversions.to_sklearn(self, n_samples=n_samples, sigma=sigma)

    @classmethod
    def from_glmnet(cls, lambda_: float, alpha: float = 1.0, family: str = "gaussian",
                    n_samples: int | None = None, sigma: float | None = 1.0,
                    penalty_factor=None, intercept: bool = True,
                    standardize: bool = False) -> Model:
        """Model with the same optimum as glmnet(lambda, alpha, family, intercept,
        standardize=FALSE): see :func:`bayesreg.conversions.from_glmnet` (``standardize=True``
        is refused: glmnet's standardized problem is a different prior)."""
        return conversions.from_glmnet(lambda_, alpha=alpha, family=family, n_samples=n_samples,
                                       sigma=sigma, penalty_factor=penalty_factor,
                                       intercept=intercept, standardize=standardize)

    def to_glmnet(self, n_samples: int | None = None, sigma: float | None = None) -> dict:
        """glmnet arguments ``{"lambda_", "alpha", "family", ...}`` with the same optimum."""
        return conversions.to_glmnet(self, n_samples=n_samples, sigma=sigma)

    # ------------------------------------------------------------- PyMC
    def to_pymc(self, X, y, sample_weight=None, **kwargs):
        """The identical model as a ``pymc.Model`` (see :func:`bayesreg.pymc.build_model`)."""
        from .pymc import build_model

        return build_model(self, X, y, sample_weight=sample_weight, **kwargs)

    def crosscheck(self, X, y, sample_weight=None, **kwargs):
        """Direct MAP vs ``pm.find_MAP`` on the identical model (see :mod:`bayesreg.pymc`)."""
        from .pymc import crosscheck

        return crosscheck(self, X, y, sample_weight=sample_weight, **kwargs)

    def sample(self, X, y, draws: int = 1000, tune: int = 1000, chains: int = 4,
               random_seed=None, sampler: str = "auto", progressbar: bool = True, *,
               log_likelihood: bool = True, **kwargs):
        """Full posterior draws as an ``xarray.DataTree`` (see :func:`bayesreg.samplers.sample`).

        ``sampler="auto"`` (default) runs the exact Gibbs sampler where the model has one and it
        is cheap (Gaussian likelihood, ``min(n, p) <= 1000``), else nutpie
        (:func:`bayesreg.samplers.choose_sampler`); ``"nutpie"``, ``"pymc"``, ``"gibbs"`` force one.

        ``log_likelihood=False``: no per-row log-likelihood group (most of a saved file);
        :func:`bayesreg.samplers.add_log_likelihood` computes it on demand.

        Dask X / y (Gaussian models): the sufficient statistics are computed with Dask and the
        exact Gibbs sampler runs on them (``sampler="gibbs"``; the rows never leave the cluster)."""
        from .samplers import sample

        return sample(self, X, y, draws=draws, tune=tune, chains=chains, random_seed=random_seed,
                      sampler=sampler, progressbar=progressbar, log_likelihood=log_likelihood,
                      **kwargs)

    def predict_posterior(self, idata, X_new, **kwargs):
        """Posterior predictive draws on new rows (see :func:`bayesreg.samplers.predict_posterior`)."""
        from .samplers import predict_posterior

        return predict_posterior(self, idata, X_new, **kwargs)

    def predict_interval(self, idata, X_new, prob: float = 0.9, **kwargs):
        """Equal-tailed posterior predictive intervals of mass ``prob`` on new rows (a DataFrame:
        ``mean``, ``lower``, ``upper``; see :func:`bayesreg.samplers.predict_interval`)."""
        from .samplers import predict_interval

        return predict_interval(self, idata, X_new, prob=prob, **kwargs)


def _check_max_iter(max_iter):
    """None (each solver's own budget) or an int >= 1 (a bound on every iteration loop)."""
    return None if max_iter is None else check_int(max_iter, "max_iter", 1)


def _check_warm_start(warm_start, p: int, names):
    """``(coef, intercept, sigma)`` of a warm start for a fit with ``p`` features."""
    coef = getattr(warm_start, "coef", None)
    if coef is None or not hasattr(warm_start, "intercept"):
        raise BayesregTypeError(
            f"warm_start must be a MAPResult (the result of a previous model.map), got "
            f"{type(warm_start).__name__}.")
    try:
        w0 = np.asarray(coef, dtype=float)
        b0 = float(warm_start.intercept)
    except (TypeError, ValueError) as exc:
        raise DataError(f"warm_start has non-numeric coefficients or intercept: {exc}") from exc
    if w0.ndim != 1 or w0.shape[0] != p:
        raise DataError(
            f"warm_start has {w0.size} coefficients but X has {p} columns: warm-start from a "
            "result fitted on the same columns (or drop warm_start).")
    if not (np.all(np.isfinite(w0)) and np.isfinite(b0)):
        raise DataError("warm_start has NaN or infinite coefficients or intercept: it cannot be "
                        "a starting point; drop warm_start.")
    given = getattr(warm_start, "feature_names_given", None)
    ws_names = getattr(warm_start, "feature_names", None)
    if names is not None and given and ws_names is not None and list(ws_names) != list(names):
        raise DataError(
            f"warm_start was fitted on columns {list(ws_names)[:5]}..., but X has columns "
            f"{list(names)[:5]}...: warm-start from a result fitted on the same columns in the "
            "same order.")
    s0 = getattr(warm_start, "sigma", None)
    if s0 is not None:
        s0 = float(s0)
        if not (np.isfinite(s0) and s0 > 0):
            s0 = None
    return w0, b0, s0
