"""The likelihood <-> datafit duality, as declared faces.

A :class:`Likelihood` is the distribution of y given the linear predictor
``eta = intercept + X @ coef``. Everything a backend needs to know about it is a method with one
signature across all likelihoods (parameters such as the Gaussian's sigma are *bound* on the
object, never passed as extra arguments; :meth:`Likelihood.bind` fixes free ones):

* density: :meth:`~Likelihood.check_y`, :meth:`~Likelihood.mean`, :meth:`~Likelihood.loglik`
  (pointwise, every constant), :meth:`~Likelihood.draw` (posterior predictive);
* datafit (what the MAP solvers minimize, the negative log-likelihood without constants):
  :meth:`~Likelihood.datafit`, :meth:`~Likelihood.gradient`, :meth:`~Likelihood.curvature`,
  :meth:`~Likelihood.curvature_from_mean`, :meth:`~Likelihood.datafit_diff`,
  :meth:`~Likelihood.working_response` (IRLS), :meth:`~Likelihood.loglik_constant`;
* null model and existence of the mode: :meth:`~Likelihood.null_eta`,
  :meth:`~Likelihood.check_mode_exists`;
* free parameters (estimated alongside the coefficients): :attr:`~Likelihood.free_params`,
  :meth:`~Likelihood.resolved`, :meth:`~Likelihood.bind`, :meth:`~Likelihood.free_logprior`;
* PyMC: :meth:`~Likelihood.pymc_params`, :meth:`~Likelihood.pymc_loglik`,
  :meth:`~Likelihood.pymc_observe` (PyMC is imported inside the methods only);
* conventions of other libraries: :attr:`~Likelihood.family` (glmnet's name),
  :attr:`~Likelihood.sklearn_names`, :meth:`~Likelihood.from_sklearn`,
  :meth:`~Likelihood.to_sklearn`, :meth:`~Likelihood.noise_variance`.

A likelihood may declare more faces that some backend needs (the Gaussian's
``quadratic_weight`` for least-squares solvers, ``gibbs_noise_face`` or ``gibbs_augmentation``
for the Gibbs sampler, which asks :meth:`~Likelihood.gibbs_kind`, ``pymc_suffstats_loglik`` for
the sufficient-statistics PyMC form); backends test for the face, never for the type.
Registering a likelihood (``@register_likelihood``) makes it persistable and puts it through the
shared contract tests.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from .._errors import NotSupportedError, ParameterError
from .._params import Parametrized, kebab_name, registered_class

__all__ = ["Likelihood", "LIKELIHOODS", "register_likelihood", "likelihood_from_dict",
           "likelihood_for_family", "likelihood_for_estimator"]

LIKELIHOODS: dict[str, type[Likelihood]] = {}


def register_likelihood(cls):
    """Class decorator adding a likelihood to the registry (persistence, conversions, tests)."""
    LIKELIHOODS[cls.__name__] = cls
    return cls


def likelihood_from_dict(d: dict[str, Any]) -> Likelihood:
    """Rebuild a likelihood from :meth:`Likelihood.to_dict` output."""
    cls = registered_class(d, LIKELIHOODS, "likelihood")
    return cls(**{k: v for k, v in d.items() if k != "type"})


def likelihood_for_family(family: str) -> type[Likelihood]:
    """The registered likelihood class whose glmnet ``family`` name is ``family``."""
    for cls in LIKELIHOODS.values():
        if cls.family == family or family in getattr(cls, "family_aliases", ()):
            return cls
    raise ParameterError(f"family must be one of {sorted(c.family for c in LIKELIHOODS.values())}, "
                         f"got {family!r}.")


def likelihood_for_estimator(name: str) -> type[Likelihood] | None:
    """The registered likelihood class that converts the scikit-learn estimator ``name``."""
    for cls in LIKELIHOODS.values():
        if name in cls.sklearn_names:
            return cls
    return None


class Likelihood(Parametrized, ABC):
    """Base class of the observation models (one response per row)."""

    _params: tuple[str, ...] = ()
    #: glmnet's family name (also PyMC's distribution family)
    family: str = ""
    #: True when the likelihood has a noise scale sigma that priors may be relative to
    has_noise_scale: bool = False
    #: scikit-learn estimators whose optimum this likelihood reproduces (see from_sklearn)
    sklearn_names: tuple[str, ...] = ()
    #: "continuous", "binary" or "count" (which scikit-learn estimator type fits it)
    response_kind: str = "continuous"
    #: extra command-line names (``--likelihood NAME``) besides :meth:`cli_name`
    cli_aliases: tuple[str, ...] = ()
    #: constructor parameter -> command-line option (argparse dest: ``sigma``, ``nu``,
    #: ``dispersion``, ``trials``) that sets it; the CLI builds the likelihood from these
    cli_options: dict[str, str] = {}
    #: False for likelihoods that are not log-concave (the MAP is then a local mode)
    convex: bool = True

    @classmethod
    def cli_name(cls) -> str:
        """The ``--likelihood`` name: the kebab-case class name (``negative-binomial``)."""
        return kebab_name(cls.__name__)

    # -- density ----------------------------------------------------------------
    @abstractmethod
    def check_y(self, y: np.ndarray) -> None:
        """Raise a DataError if y is outside the support of this likelihood."""

    @abstractmethod
    def mean(self, eta: np.ndarray) -> np.ndarray:
        """E[y | eta] (the inverse link)."""

    @abstractmethod
    def loglik(self, y: np.ndarray, eta: np.ndarray) -> np.ndarray:
        """Row-wise log-likelihood log p(y_i | eta_i), with every normalizing constant
        (bound parameters may be arrays that broadcast against ``eta``, e.g. sigma draws)."""

    @abstractmethod
    def draw(self, eta: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """One draw ``y ~ p(y | eta)`` per entry of ``eta`` (posterior predictive)."""

    def latent_scale(self, y: np.ndarray | None) -> tuple[float | None, str]:
        """The spread of the response on the linear-predictor scale and how it was chosen: the
        unit of "practically zero" effects (:func:`bayesreg.diagnostics.default_zero_tol`).
        Default: the sd of y (None without y)."""
        if y is None:
            return None, ""
        s = float(np.std(y))
        return (s if s > 0 else 1.0), "sd(y)"

    # -- datafit -----------------------------------------------------------------
    @abstractmethod
    def datafit(self, y: np.ndarray, eta: np.ndarray, sw: np.ndarray) -> float:
        """``sum_i sw_i * (-log p(y_i | eta_i))`` up to a constant independent of eta."""

    @abstractmethod
    def gradient(self, y: np.ndarray, eta: np.ndarray, sw: np.ndarray) -> np.ndarray:
        """Derivative of :meth:`datafit` with respect to each eta_i."""

    @abstractmethod
    def curvature(self, y: np.ndarray, eta: np.ndarray, sw: np.ndarray) -> np.ndarray:
        """Second derivative of :meth:`datafit` with respect to each eta_i (the IRLS weights)."""

    def curvature_from_mean(self, mu: np.ndarray, sw: np.ndarray, y: np.ndarray | None = None
                            ) -> np.ndarray:
        """:meth:`curvature` given ``mu = mean(eta)`` (saves a transcendental per row); ``y``:
        the responses, for likelihoods whose observed curvature depends on them (NB2)."""
        raise NotSupportedError(f"{type(self).__name__} has no curvature_from_mean.")

    def gradient_from_mean(self, y: np.ndarray, mu: np.ndarray, sw: np.ndarray,
                           eta: np.ndarray) -> np.ndarray:
        """:meth:`gradient` given ``mu = mean(eta)`` too (canonical links: ``sw (mu - y)``)."""
        return self.gradient(y, eta, sw)

    def datafit_diff(self, y: np.ndarray, sw: np.ndarray, eta: np.ndarray, eta_t: np.ndarray,
                     mu: np.ndarray) -> float:
        """``datafit(eta_t) - datafit(eta)`` (``mu = mean(eta)``); overridden where a form
        without the cancellation of two sums of size n exists."""
        return self.datafit(y, eta_t, sw) - self.datafit(y, eta, sw)

    def working_response(self, y: np.ndarray, eta: np.ndarray, sw: np.ndarray,
                         g: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """IRLS at ``eta``: ``(z, h, g)`` with ``g`` the gradient (pass it when already
        computed), ``h`` the curvature floored at ``1e-12 max(h)`` and ``z = eta - g / h`` the
        working response: the weighted least-squares model ``sum_i h_i (z_i - eta'_i)^2 / 2``
        of the datafit around eta (glmnet's IRLS step)."""
        if g is None:
            g = self.gradient(y, eta, sw)
        h = self.curvature(y, eta, sw)
        h = np.maximum(h, 1e-12 * max(float(h.max(initial=0.0)), 1e-300))
        return eta - g / h, h, g

    def loglik_constant(self, y: np.ndarray, sw: np.ndarray) -> float:
        """The constant dropped by the datafit: ``sum_i sw_i loglik_i = -datafit + constant``."""
        return 0.0

    def cv_deviance(self, y: np.ndarray, mu: np.ndarray) -> np.ndarray:
        """Per-row loss of glmnet's ``cv.glmnet(type.measure = "deviance")`` at the predicted
        mean ``mu`` (used by :mod:`bayesreg.selection`)."""
        raise NotSupportedError(f"{type(self).__name__} declares no cv_deviance: cross-validate "
                                "with measure='mse' or 'mae'.")

    def take_rows(self, index: Any) -> Likelihood:
        """This likelihood for the rows ``index`` of the data it describes (cross-validation
        folds). Default: ``self`` (no per-row parameters); :class:`Binomial` with one number of
        trials per row takes those rows' trials."""
        return self

    # -- null model ----------------------------------------------------------------
    @abstractmethod
    def null_eta(self, y: np.ndarray, sw: np.ndarray, fit_intercept: bool) -> float:
        """Linear predictor of the intercept-only MLE (0 without an intercept)."""

    def check_mode_exists(self, y: np.ndarray, sw: np.ndarray, fit_intercept: bool) -> None:
        """Raise a DataError when the posterior mode does not exist for these data (e.g. the
        flat intercept runs to infinity)."""
        return None

    # -- free parameters -------------------------------------------------------------
    @property
    def free_params(self) -> tuple[str, ...]:
        """Names of the parameters estimated alongside the coefficients (posterior variables)."""
        return ()

    def resolved(self, y: np.ndarray, sw: np.ndarray | None = None) -> Likelihood:
        """This likelihood with its data-dependent defaults fixed for the data ``y``."""
        return self

    def bind(self, **values: Any) -> Likelihood:
        """A copy with the free parameters fixed at ``values`` (arrays allowed: draws)."""
        if not values:
            return self
        unknown = set(values) - set(self._params)
        if unknown:
            raise ParameterError(f"{type(self).__name__} has no parameter(s) {sorted(unknown)}.")
        out = copy.copy(self)
        for k, v in values.items():
            setattr(out, k, v)
        return out

    def free_logprior(self, **values: Any) -> float | np.ndarray:
        """``log p(free parameters)`` (0 without free parameters)."""
        return 0.0

    def null_free_params(self, y: np.ndarray, sw: np.ndarray, fit_intercept: bool
                         ) -> dict[str, Any]:
        """The free parameters at the intercept-only joint mode (call on a resolved likelihood)."""
        return {}

    def free_stationarity(self, y: np.ndarray, eta: np.ndarray, sw: np.ndarray,
                          **values: Any) -> float:
        """Largest ``|d log posterior / d log theta|`` over the free parameters at ``values``
        (0 at the joint mode; 0 without free parameters)."""
        return 0.0

    # -- Gibbs -----------------------------------------------------------------------
    def gibbs_kind(self) -> str | None:
        """Which exact Gibbs sampler (:mod:`bayesreg.samplers.gibbs`) this likelihood has:
        ``"gaussian"`` (it declares ``gibbs_noise_face()``: the coefficients are drawn from the
        data's sufficient statistics and sigma from its exact conditional), ``"augmented"`` (it
        declares ``gibbs_augmentation(y, sw)``: per-row latent variables make it conditionally
        Gaussian, see :mod:`bayesreg.likelihoods._augmentation`), or None (no Gibbs sampler:
        NUTS). The default reads which of the two faces the class declares; a subclass may
        override it. Every backend asks this method, never the attributes."""
        if callable(getattr(self, "gibbs_noise_face", None)):
            return "gaussian"
        if callable(getattr(self, "gibbs_augmentation", None)):
            return "augmented"
        return None

    # -- PyMC -------------------------------------------------------------------------
    def pymc_params(self, name_prefix: str = "") -> dict[str, Any]:
        """Create the free parameters in the current PyMC model (and constants for the bound
        ones the PyMC form needs): ``{name: variable}``. Call on a :meth:`resolved` likelihood."""
        return {}

    def pymc_loglik(self, y: Any, eta: Any, params: dict[str, Any]):
        """Row-wise ``log p(y_i | eta_i)`` as a PyTensor graph (every constant)."""
        raise NotSupportedError(f"{type(self).__name__} has no PyMC form.")

    def pymc_observe(self, name: str, eta: Any, y_data: Any, params: dict[str, Any], dims: Any):
        """The observed PyMC variable ``name`` with data ``y_data``."""
        raise NotSupportedError(f"{type(self).__name__} has no PyMC form.")

    # -- conventions of other libraries --------------------------------------------------
    def noise_variance(self, sigma: float | None = None) -> float:
        """The factor between this datafit and the per-row losses of glmnet / scikit-learn
        (sigma^2 for the Gaussian, 1 otherwise)."""
        return 1.0

    @classmethod
    def from_sklearn(cls, estimator: Any, n_samples: float | None, sigma: float | None
                     ) -> tuple[Likelihood, np.ndarray, np.ndarray]:
        """``(likelihood, l1, l2)``: the likelihood and penalty weights whose MAP equals the
        optimum of the scikit-learn ``estimator`` (one of :attr:`sklearn_names`)."""
        raise NotSupportedError(f"no scikit-learn estimator converts to {cls.__name__}.")

    def to_sklearn(self, l1: float, l2: float, n_samples: float | None, fit_intercept: bool,
                   sigma: float | None = None):
        """The unfitted scikit-learn estimator whose optimum equals the MAP with penalty
        ``l1 |w| + l2 / 2 w^2`` under this likelihood."""
        raise NotSupportedError(f"no scikit-learn equivalent for {type(self).__name__}.")

    @classmethod
    def from_glmnet(cls, sigma: float | None) -> Likelihood:
        """The likelihood of glmnet's ``family`` (Gaussian: with noise sd ``sigma``)."""
        return cls()

    # -- contract tests --------------------------------------------------------------------
    @classmethod
    def examples(cls) -> list[Likelihood]:
        """Small instances run through the shared contract tests (``tests/test_contracts.py``).
        Every registered likelihood must provide them."""
        raise NotImplementedError(f"{cls.__name__}.examples() is not defined: a registered "
                                  "likelihood must give the contract tests small instances.")

    def to_dict(self) -> dict[str, Any]:
        return {"type": type(self).__name__, **{p: getattr(self, p) for p in self._params}}

    def __repr__(self) -> str:
        args = ", ".join(f"{p}={getattr(self, p)!r}" for p in self._params)
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(getattr(self, p) == getattr(other, p) for p in self._params)

    def __hash__(self) -> int:
        return hash(repr(self))
