"""Model = likelihood + prior: the object every entry point hangs off.

The model spec (this file) is kept apart from the backends: the MAP solvers live in
:mod:`bayesreg.map`, the PyMC form in :mod:`bayesreg.pymc`, ArviZ diagnostics in
:mod:`bayesreg.diagnostics`. Methods here are thin entry points.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import conversions
from ._errors import BayesregTypeError
from ._validation import _is_dask, check_X_y
from .likelihoods import Likelihood, likelihood_from_dict
from .map import MAPPath, MAPResult, fit_map, fit_path
from .priors import Prior, prior_from_dict

__all__ = ["Model"]


class Model:
    """A Bayesian regression model ``y ~ likelihood(intercept + X @ coef)``, ``coef_j ~ prior``.

    The unnormalized log posterior density is::

        log p(coef, intercept[, sigma] | y) = sum_i sw_i log p(y_i | intercept + x_i coef[, sigma])
                                             + sum_j log p(coef_j) [+ log p(sigma)] + const

    with a flat prior on the intercept (never penalized) and ``sw`` the sample weights
    (frequency weights: each row's log-likelihood is multiplied by its weight).

    Parameters
    ----------
    likelihood : Likelihood
        :class:`Gaussian`, :class:`Bernoulli` or :class:`Poisson`.
    prior : Prior
        :class:`Normal`, :class:`Laplace` or :class:`ElasticNetPrior` (scales may be arrays,
        one per coefficient).
    fit_intercept : bool, default True
    """

    def __init__(self, likelihood: Likelihood, prior: Prior, fit_intercept: bool = True) -> None:
        if not isinstance(likelihood, Likelihood):
            raise BayesregTypeError(
                f"likelihood must be a bayesreg likelihood (Gaussian, Bernoulli, Poisson), got "
                f"{type(likelihood).__name__}" + (" (did you swap likelihood and prior?)"
                                                  if isinstance(likelihood, Prior) else "") + ".")
        if not isinstance(prior, Prior):
            raise BayesregTypeError(
                f"prior must be a bayesreg prior (Normal, Laplace, ElasticNetPrior), got "
                f"{type(prior).__name__}.")
        if not isinstance(fit_intercept, (bool, np.bool_)):
            raise BayesregTypeError(f"fit_intercept must be True or False, got {fit_intercept!r}.")
        self.likelihood = likelihood
        self.prior = prior
        self.fit_intercept = bool(fit_intercept)

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
        if _is_dask(X) or _is_dask(y):
            from .scaleout import fit_map_dask

            return fit_map_dask(self, X, y, sample_weight, tol=tol, max_iter=max_iter)
        X, y, sw, names = check_X_y(X, y, sample_weight)
        _check_tol(tol)
        w0 = b0 = s0 = None
        if warm_start is not None:
            w0, b0, s0 = warm_start.coef, warm_start.intercept, warm_start.sigma
        return fit_map(self.likelihood, self.prior, X, y, sw, self.fit_intercept, names, tol=tol,
                       max_iter=max_iter, w0=w0, b0=b0, sigma0=s0)

    def map_path(self, X, y, scales=None, n_scales: int = 100, *, sample_weight=None,
                 eps: float = 1e-3, tol: float = 1e-6, max_iter: int | None = None) -> MAPPath:
        """Warm-started MAP path over the prior's scale.

        Without ``scales`` the grid is ``n_scales`` log-spaced strengths from the smallest prior
        scale at which every coefficient is exactly zero (computed from the KKT conditions, the
        analogue of glmnet's ``lambda_max``) to ``1/eps`` times larger. A pure L2 prior has no
        all-zero scale: its grid starts where every direction is shrunk ~100x and spans 1e5.
        ``scales`` (prior scales: Normal sd, Laplace b, ElasticNetPrior l1_scale; for per-coefficient
        scales, the largest entry) overrides the grid; the path runs from small to large scale.
        """
        X, y, sw, names = check_X_y(X, y, sample_weight)
        _check_tol(tol)
        self.likelihood.check_y(y)
        return fit_path(self.likelihood, self.prior, X, y, sw, self.fit_intercept, names,
                        scales=scales, n_scales=n_scales, eps=eps, tol=tol, max_iter=max_iter)

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
                    penalty_factor=None) -> Model:
        """Model with the same optimum as glmnet(lambda, alpha, family, standardize=FALSE)."""
        return conversions.from_glmnet(lambda_, alpha=alpha, family=family, n_samples=n_samples,
                                       sigma=sigma, penalty_factor=penalty_factor)

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
               random_seed=None, sampler: str = "nutpie", progressbar: bool = True, **kwargs):
        """Full posterior draws as an ``xarray.DataTree`` (see :func:`bayesreg.pymc.sample`).

        Dask X / y (Gaussian models): the sufficient statistics are computed with Dask and the
        exact Gibbs sampler runs on them (``sampler="gibbs"``; the rows never leave the cluster)."""
        if _is_dask(X) or _is_dask(y):
            from ._errors import NotSupportedError
            from .scaleout import sample_dask

            if sampler != "gibbs":
                raise NotSupportedError(
                    f"sampler={sampler!r} needs the rows in memory; Dask arrays are sampled with "
                    "sampler='gibbs' from their sufficient statistics (Gaussian models), or call "
                    ".compute() on X and y first.")
            return sample_dask(self, X, y, draws=draws, tune=tune, chains=chains,
                               random_seed=random_seed, sample_weight=kwargs.get("sample_weight"))
        from .pymc import sample

        return sample(self, X, y, draws=draws, tune=tune, chains=chains, random_seed=random_seed,
                      sampler=sampler, progressbar=progressbar, **kwargs)

    def predict_posterior(self, idata, X_new, **kwargs):
        """Posterior predictive draws on new rows (see :func:`bayesreg.pymc.predict_posterior`)."""
        from .pymc import predict_posterior

        return predict_posterior(self, idata, X_new, **kwargs)

    # ------------------------------------------------------------ spec
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready spec; :meth:`from_dict` rebuilds an equal model."""
        return {"format": "bayesreg.Model/1", "likelihood": self.likelihood.to_dict(),
                "prior": self.prior.to_dict(), "fit_intercept": self.fit_intercept}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Model:
        return cls(likelihood=likelihood_from_dict(d["likelihood"]), prior=prior_from_dict(d["prior"]),
                   fit_intercept=bool(d.get("fit_intercept", True)))

    @classmethod
    def from_idata(cls, idata) -> Model:
        """Rebuild the model that produced a posterior (a DataTree from :meth:`sample`, possibly
        read back from NetCDF). A data-dependent default ``sigma_prior_scale`` is replaced by the
        value resolved at sampling time, so the rebuilt model has exactly the same density."""
        import json

        from ._errors import DataError

        attrs = dict(getattr(idata, "attrs", {}))
        if "bayesreg_model" not in attrs and "posterior" in getattr(idata, "children", {}):
            attrs = dict(idata["posterior"].attrs)
        if "bayesreg_model" not in attrs:
            raise DataError("this posterior has no 'bayesreg_model' attribute: it was not produced by "
                            "bayesreg's Model.sample (or its attributes were dropped when saving).")
        spec = json.loads(attrs["bayesreg_model"])
        lik = spec["likelihood"]
        unresolved = lik.get("sigma") is None and lik.get("sigma_prior_scale") is None
        if lik.get("type") == "Gaussian" and unresolved and "sigma_prior_scale" in attrs:
            lik["sigma_prior_scale"] = float(attrs["sigma_prior_scale"])
        return cls.from_dict(spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Model):
            return NotImplemented
        return (self.likelihood == other.likelihood and self.prior == other.prior
                and self.fit_intercept == other.fit_intercept)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"Model(likelihood={self.likelihood!r}, prior={self.prior!r}, "
                f"fit_intercept={self.fit_intercept})")


def _check_tol(tol):
    from ._errors import ParameterError

    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.floating)) or not (
            np.isfinite(tol) and tol > 0):
        raise ParameterError(f"tol must be a finite number > 0, got {tol!r}.")
