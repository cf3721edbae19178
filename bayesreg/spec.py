"""The model specification: likelihood + prior (+ intercept), the bottom layer every backend
takes.

:class:`ModelSpec` holds the parts and their persistence (``bayesreg.Model/1``); it imports no
backend. :class:`bayesreg.Model` is the facade over it (``map``, ``sample``, conversions, ...);
solvers, samplers, the PyMC bridge and the Dask backend accept any ``ModelSpec`` and never
import the facade.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from ._errors import BayesregTypeError, DataError
from ._validation import check_dict
from .likelihoods import Likelihood, likelihood_from_dict
from .priors import Prior, prior_from_dict

__all__ = ["ModelSpec", "check_spec", "MODEL_FORMAT"]

#: the format tag of :meth:`ModelSpec.to_dict`
MODEL_FORMAT = "bayesreg.Model/1"


class ModelSpec:
    """``y ~ likelihood(intercept + X @ coef)``, ``coef_j ~ prior``, flat prior on the intercept.

    The unnormalized log posterior density is::

        log p(coef, intercept[, theta] | y) = sum_i sw_i log p(y_i | intercept + x_i coef[, theta])
                                             + sum_j log p(coef_j) [+ log p(theta)] + const

    with ``theta`` the likelihood's free parameters (the Gaussian's sigma when estimated) and
    ``sw`` the sample weights (frequency weights: each row's log-likelihood is multiplied by
    its weight).

    Parameters
    ----------
    likelihood : Likelihood
        A registered likelihood (:class:`Gaussian`, :class:`Bernoulli`, :class:`Poisson`, ...).
    prior : Prior
        A registered prior (:class:`Normal`, :class:`Laplace`, :class:`ElasticNetPrior`,
        :class:`BayesianLasso`, ...; scales may be arrays, one per coefficient).
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

    # ------------------------------------------------------------ persistence
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready spec; :meth:`from_dict` rebuilds an equal model."""
        return {"format": MODEL_FORMAT, "likelihood": self.likelihood.to_dict(),
                "prior": self.prior.to_dict(), "fit_intercept": self.fit_intercept}

    @classmethod
    def from_dict(cls, d: dict[str, Any]):
        d = check_dict(d, "the model description", ["likelihood", "prior"],
                       ["format", "fit_intercept"])
        fmt = d.get("format", MODEL_FORMAT)
        if fmt != MODEL_FORMAT:
            raise DataError(f"the model description has format {fmt!r}, not {MODEL_FORMAT!r}: it "
                            "is not a bayesreg model specification (a MAPResult is read with "
                            "MAPResult.from_dict / MAPResult.load).")
        return cls(likelihood=likelihood_from_dict(d["likelihood"]), prior=prior_from_dict(d["prior"]),
                   fit_intercept=d.get("fit_intercept", True))

    @classmethod
    def from_idata(cls, idata):
        """Rebuild the model that produced a posterior (a DataTree from ``sample``, possibly
        read back from NetCDF). A data-dependent default ``sigma_prior_scale`` is replaced by the
        value resolved at sampling time, so the rebuilt model has exactly the same density."""
        attrs = dict(getattr(idata, "attrs", {}))
        if "bayesreg_model" not in attrs and "posterior" in getattr(idata, "children", {}):
            attrs = dict(idata["posterior"].attrs)
        if "bayesreg_model" not in attrs:
            raise DataError("this posterior has no 'bayesreg_model' attribute: it was not produced by "
                            "bayesreg's Model.sample (or its attributes were dropped when saving).")
        spec = json.loads(attrs["bayesreg_model"])
        lik = spec["likelihood"]
        unresolved = lik.get("sigma", 0) is None and lik.get("sigma_prior_scale", 0) is None
        if unresolved and "sigma_prior_scale" in attrs:
            lik["sigma_prior_scale"] = float(attrs["sigma_prior_scale"])
        return cls.from_dict(spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ModelSpec):
            return NotImplemented
        return (self.likelihood == other.likelihood and self.prior == other.prior
                and self.fit_intercept == other.fit_intercept)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(likelihood={self.likelihood!r}, prior={self.prior!r}, "
                f"fit_intercept={self.fit_intercept})")


def check_spec(model: Any, what: str = "model") -> ModelSpec:
    """Raise a BayesregTypeError unless ``model`` is a model specification."""
    if not isinstance(model, ModelSpec):
        raise BayesregTypeError(f"{what} must be a bayesreg.Model, got {type(model).__name__}.")
    return model
