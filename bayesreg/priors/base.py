"""The prior <-> penalty duality, as declared faces.

A :class:`Prior` is a density on each coefficient. It states, in its own file:

* its **density face**: :meth:`Prior.logpdf` (normalized, elementwise), :meth:`Prior.joint_logpdf`
  (vectorized over draws, including any hyperparameters it adds), :attr:`Prior.hyper_names`;
* its **penalty face**, if it has a finite mode: :meth:`Prior.as_penalty` returns a
  :class:`~bayesreg.penalties.Penalty` (value, prox, subgradient distance, zero threshold, log
  normalizer, scaling), with ``-log p(w) = penalty.value(w) + penalty.log_normalizer()``.
  A prior without a finite MAP (hierarchical priors) returns ``None`` and says why in
  :meth:`Prior.mode_unavailable`; every MAP entry point then raises that explanation;
* its **PyMC face**: :meth:`Prior.to_pymc` creates the identical random variable in a PyMC model
  (PyMC is imported inside the method, never at ``import bayesreg``);
* its **Gibbs face**, if it has one: :meth:`Prior.gibbs_face` returns the conditionals the exact
  Gibbs sampler (:mod:`bayesreg.samplers.gibbs`) runs (see :class:`GibbsFace`).

Registering a prior (``@register_prior``) makes it persistable (``to_dict`` / ``prior_from_dict``)
and puts it through the shared contract tests (``tests/test_contracts.py``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, NamedTuple

import numpy as np
from numba import njit

from .._errors import NotSupportedError, ParameterError
from .._params import Parametrized, kebab_name, registered_class
from ..penalties import Penalty, require_penalty

__all__ = ["Prior", "HierarchicalPrior", "GibbsFace", "SelectionFace", "PRIORS", "register_prior",
           "prior_from_dict"]

PRIORS: dict[str, type[Prior]] = {}


def register_prior(cls: type[Prior]) -> type[Prior]:
    """Class decorator adding a prior to the registry (persistence and the contract tests)."""
    PRIORS[cls.__name__] = cls
    return cls


def prior_from_dict(d: dict[str, Any]) -> Prior:
    """Rebuild a prior from :meth:`Prior.to_dict` output."""
    cls = registered_class(d, PRIORS, "prior")
    kw = {k: (np.asarray(v) if isinstance(v, list) else v) for k, v in d.items() if k != "type"}
    return cls(**kw)


def _as_param(v):
    return v.tolist() if isinstance(v, np.ndarray) else v


@njit(cache=True, nogil=True)
def no_global_get(latent, params, sigma, d):
    """Default ``GibbsFace.global_get``: no global variance (NaN: the sampler skips the step)."""
    return np.nan


@njit(cache=True, nogil=True)
def no_global_logprior(latent, params, u):
    return 0.0


@njit(cache=True, nogil=True)
def no_global_set(latent, params, u, sigma, prec):
    return None


class GibbsFace(NamedTuple):
    """A prior's conditionals for the exact Gibbs sampler (all numba-compiled functions).

    The sampler keeps, per chain, the coefficients ``w``, ``sigma`` and the array ``prec`` of
    conditional prior precisions: given the prior's latent variables ``latent`` (a float array
    the prior owns), ``w_j | latent, sigma ~ N(0, 1 / prec_j)``.

    Attributes
    ----------
    params : ndarray
        Fixed parameters read by the functions below (e.g. Laplace rates).
    n_latent : int
        Length of the ``latent`` array.
    init : function ``(latent, params, prec, sigma, rng) -> None``
        Draw the starting latent values and fill ``prec``.
    update : function ``(latent, params, w, sigma, prec, rng) -> None``
        Draw ``latent | w, sigma`` exactly and refill ``prec``.
    sigma_terms : function ``(latent, params, w, out) -> None``
        The prior's share of the sigma^2 conditional, for priors that scale with sigma
        (``out[0]``: extra degrees of freedom, ``out[1]``: extra sum of squares
        ``sum_j w_j^2 / v_j``); zeros otherwise.
    record : function ``(latent, params, out) -> None``
        Write the values of :attr:`Prior.hyper_names` into ``out`` in order (one value per
        name, ``p`` values for a name in :attr:`Prior.vector_hypers`).
    global_get, global_logprior, global_set : functions, optional
        A global variance ``g`` with ``v_j = g d_j`` (the horseshoe's ``tau^2``), updated with
        the coefficients integrated out (Johndrow, Orenstein & Bhattacharya 2020):
        ``global_get(latent, params, sigma, d) -> log g`` fills ``d`` (NaN: no such step),
        ``global_logprior(latent, params, u)`` is the log conditional prior density of ``u =
        log g`` given the other latents (Jacobian included), ``global_set(latent, params, u,
        sigma, prec)`` stores ``g = e^u`` and refills ``prec``. The sampler draws ``u`` from
        ``global_logprior(u) + log N(y~; 0, sigma^2 I + e^u X~ diag(d) X~')`` (slice sampling)
        at the start of each sweep, before the coefficients, when the coefficients are drawn
        from the rows in O(n^2 p) (p > n), where the n x n eigendecomposition costs about one
        coefficient draw, and on the p x p statistics for small p only
        (``bayesreg.samplers.gibbs.GLOBAL_STEP_MAX_STATS_DIM``; benchmarks/RESULTS_shrinkage.md),
        so the prior's ``update`` must leave the posterior invariant on its own.

    Notes
    -----
    The sampler calls the functions as first-class numba functions of fixed types (so its
    compiled loop is cached across processes whatever the prior): every array argument is a
    C-contiguous ``float64`` vector, ``sigma`` a ``float64``, ``rng`` a
    ``numpy.random.Generator``; each returns nothing. ``params`` is passed as a C-contiguous
    ``float64`` vector. Decorate them with ``@numba.njit(cache=True)``.
    """

    params: np.ndarray
    n_latent: int
    init: Any
    update: Any
    sigma_terms: Any
    record: Any
    global_get: Any = no_global_get
    global_logprior: Any = no_global_logprior
    global_set: Any = no_global_set


class SelectionFace(NamedTuple):
    """A point-mass-and-Gaussian-slab prior, as the collapsed Gibbs sampler reads it
    (:mod:`bayesreg.samplers.collapsed`).

    Attributes
    ----------
    log_odds : ndarray (p,)
        ``log(pi_j / (1 - pi_j))``.
    slab_var : ndarray (p,)
        ``s_j^2`` (times ``sigma^2`` when ``rel``).
    rel : bool
        The slab variance is relative to sigma^2.
    """

    log_odds: np.ndarray
    slab_var: np.ndarray
    rel: bool


class Prior(Parametrized, ABC):
    """Base class: an independent prior on every regression coefficient.

    Scales may be a float (shared by all coefficients) or a 1-D array with one entry per
    coefficient (glmnet's ``penalty.factor``, adaptive lasso). The intercept is never under
    this prior: it always has a flat prior.
    """

    #: names of the constructor parameters (to_dict / repr / equality)
    _params: tuple[str, ...] = ()
    #: posterior variables this prior adds besides ``coef`` (e.g. a hyperprior's ``lam2``)
    hyper_names: tuple[str, ...] = ()
    #: exponent k of the path scaling: ``with_strength(c).path_scale = path_scale / c**(1/k)``
    _strength_power: float = 1.0
    #: extra command-line names (``--prior NAME``) besides :meth:`cli_name`
    cli_aliases: tuple[str, ...] = ()
    #: ``{constructor parameter: argparse dest}`` of the flags that set this prior on the
    #: command line (``--prior NAME --global-scale A ...``; see ``bayesreg.cli._common``); empty:
    #: the prior has its own handling (normal, laplace, elasticnet, bayesian-lasso) or none. The
    #: dest ``"has_noise_scale"`` sets the parameter to whether the likelihood has a noise scale
    cli_options: dict[str, str] = {}
    #: the constructor parameters of ``cli_options`` without a default: the command line refuses
    #: ``--prior NAME`` without their flags, naming them
    cli_required: tuple[str, ...] = ()
    #: posterior variable holding 0/1 inclusion indicators per coefficient (spike-and-slab), or
    #: None; ``compare`` reports its mean as the posterior inclusion probability
    inclusion_variable: str | None = None
    #: False for a prior whose density is not a product over coefficients (GroupLaplace: one
    #: density per group); ``logpdf`` then splits each group's log density among its members
    separable: bool = True

    @classmethod
    def cli_name(cls) -> str:
        """The ``--prior`` name of this prior: the kebab-case class name (``horseshoe-plus``)."""
        return kebab_name(cls.__name__)

    # -- data-dependent defaults ----------------------------------------------------
    def bind_data(self, n: int, p: int, sigma: float | None = None) -> Prior:
        """This prior for a data set of ``n`` rows and ``p`` coefficients (noise sd ``sigma``
        where the likelihood has one and it is known). Priors whose defaults depend on the data
        (e.g. ``RegularizedHorseshoe(expected_nonzero=p0)``: ``global_scale = p0 / (p - p0) /
        sqrt(n)``) return a copy with those values filled in; every backend calls this once,
        before it uses the prior. Default: ``self``."""
        return self

    def bind_features(self, feature_names: Any, term_groups: Any = None) -> Prior:
        """This prior for a design whose columns are named ``feature_names`` (None: unnamed)
        and, for a formula, whose columns belong to the terms ``term_groups`` (the term index
        of every column, :attr:`bayesreg.formula.FormulaModel.groups`). Priors that refer to
        columns by name or by formula term (GroupLaplace) return a copy with column indices;
        every MAP and sampling backend calls this once. Default: ``self``."""
        return self

    # -- shrinkage face ---------------------------------------------------------------
    def conditional_variance(self, hyper: dict[str, np.ndarray], sigma: Any = None
                             ) -> np.ndarray | None:
        """Prior variance of each ``w_j`` given the hyperparameters, per draw.

        ``hyper``: posterior draws of :attr:`hyper_names` (arrays with leading dims ``(chain,
        draw)``, the local scales with a trailing ``p`` dim); ``sigma``: draws of the noise sd
        (for priors relative to it). Returns an array ``(..., p)``, or None when the prior is
        not a Gaussian scale mixture whose scales are in the posterior. The shrinkage factors
        ``kappa_j = 1 / (1 + n s_j^2 v_j / sigma^2)`` and the effective number of non-zero
        coefficients ``m_eff = sum_j (1 - kappa_j)`` (Piironen & Vehtari 2017) are computed
        from it. Default: None."""
        return None

    # -- hyperparameter layout and prior draws ------------------------------------
    #: names in :attr:`hyper_names` with one value per coefficient (local scales ``lambda``,
    #: inclusion indicators): stored with a trailing ``feature`` dim; the others are scalars
    vector_hypers: tuple[str, ...] = ()

    def hyper_example(self, n_coef: int) -> dict[str, np.ndarray]:
        """A valid value of every hyperparameter (arrays; ``n_coef`` entries for the
        :attr:`vector_hypers`), used by the contract tests. Default: 1.3 everywhere."""
        return {h: np.full(n_coef if h in self.vector_hypers else (), 1.3)
                for h in self.hyper_names}

    def pymc_values(self, coef: np.ndarray, sigma: Any = None, **hyper: Any
                    ) -> tuple[dict[str, np.ndarray], float]:
        """The values of the PyMC free variables :meth:`to_pymc` (``name="coef"``) creates at
        the point ``(coef, hyper)``, and ``offset = logp_pymc - joint_logpdf`` there (the log
        Jacobian ``log |d coef / d raw|`` of a non-centered form, plus the log density of any
        auxiliary variable the bayesreg density does not have). Default: ``coef`` and the
        hyperparameters themselves, offset 0."""
        return {"coef": np.asarray(coef, dtype=float), **hyper}, 0.0

    def draw_variances(self, n_coef: int, size: int, rng: np.random.Generator,
                       sigma: float = 1.0) -> np.ndarray | None:
        """Prior draws ``(size, n_coef)`` of the conditional variances ``v_j`` in
        ``w_j | hyper ~ N(0, v_j)`` (``sigma`` multiplies where the prior is relative to it; 0
        for a coefficient that is exactly zero), or None when the prior is not a Gaussian scale
        mixture. Used by :func:`bayesreg.priors.effective_nonzero` and the prior density plot.
        Default: None."""
        return None

    # -- density face ---------------------------------------------------------
    @abstractmethod
    def logpdf(self, w: np.ndarray) -> np.ndarray:
        """Elementwise normalized log density log p(w_j) (same length as ``w``)."""

    def joint_logpdf(self, W: np.ndarray, sigma: Any = None, **hyper: Any) -> np.ndarray:
        """``sum_j log p(w_j | hyper[, sigma]) + log p(hyper)`` for a stack of coefficient
        vectors ``W`` (shape ``(..., p)``; ``sigma`` and the ``hyper`` arrays broadcast against
        the leading dims). Default: from the penalty face, ``-penalty(w) - log Z``."""
        W = np.asarray(W, dtype=float)
        pen = require_penalty(self, W.shape[-1])
        l1, l2 = pen.weights
        return -(np.abs(W) @ l1 + 0.5 * (W * W) @ l2) - pen.log_normalizer()

    def log_normalizer(self, n_coef: int) -> float:
        """Sum over coefficients of log Z_j: ``-logpdf(w).sum() == penalty(w) + log_normalizer``."""
        return require_penalty(self, n_coef).log_normalizer()

    @property
    def scales_with_sigma(self) -> bool:
        """True when the prior's scale is multiplied by the likelihood's noise sd."""
        return False

    def check_likelihood(self, likelihood: Any) -> None:
        """Raise if this prior cannot be combined with ``likelihood`` (a prior that scales with
        sigma needs a likelihood with a noise scale)."""
        if self.scales_with_sigma and not getattr(likelihood, "has_noise_scale", False):
            raise NotSupportedError(
                f"{type(self).__name__}(relative_to_sigma=True) scales the prior by the Gaussian "
                f"noise sd, but the likelihood is {type(likelihood).__name__}: use "
                "relative_to_sigma=False.")

    # -- penalty face ---------------------------------------------------------
    @abstractmethod
    def as_penalty(self, n_coef: int) -> Penalty | None:
        """The penalty face for ``n_coef`` coefficients, or None when the prior has no finite
        posterior mode (then :meth:`mode_unavailable` says why)."""

    def mode_unavailable(self) -> str:
        """Why this prior has no penalty face (the message of every MAP entry point)."""
        return (f"{type(self).__name__} has no penalty form: its joint posterior mode is not a "
                "penalized estimate. Use model.sample(...) for its posterior, or a fixed-scale "
                "prior (Laplace, Normal, ElasticNetPrior) for a MAP.")

    def penalty_weights(self, n_coef: int) -> tuple[np.ndarray, np.ndarray]:
        """Per-coefficient weights ``(l1, l2)`` of the penalty
        ``sum_j l1_j |w_j| + l2_j / 2 * w_j**2`` (arrays of length ``n_coef``)."""
        return require_penalty(self, n_coef).weights

    def penalty(self, w: np.ndarray) -> float:
        """Penalty value at ``w`` = -log prior up to a constant."""
        w = np.asarray(w, dtype=float)
        return require_penalty(self, w.shape[0]).value(w)

    def prox(self, v: np.ndarray, step: float | np.ndarray) -> np.ndarray:
        """Proximal operator of ``step * penalty``: ``argmin_w penalty(w) * step + ||w - v||^2 / 2``."""
        v = np.asarray(v, dtype=float)
        return require_penalty(self, v.shape[0]).prox(v, step)

    def subgradient_distance(self, w: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """Distance from ``-grad`` (gradient of the smooth part) to the subdifferential of the
        penalty at ``w``: zero for every coordinate exactly at a minimizer (the KKT conditions)."""
        w = np.asarray(w, dtype=float)
        return require_penalty(self, w.shape[0]).subdiff_distance(w, grad)

    def zero_threshold(self, grad0: np.ndarray) -> float | None:
        """Smallest penalty multiplier ``c`` such that ``c * penalty`` makes w = 0 optimal, given the
        datafit gradient at w = 0; None if no finite multiplier does (no L1 part)."""
        grad0 = np.asarray(grad0, dtype=float)
        return require_penalty(self, grad0.shape[0]).zero_threshold(grad0)

    # -- scaling (paths) --------------------------------------------------------
    @abstractmethod
    def with_strength(self, c: float) -> Prior:
        """The prior whose penalty is ``c`` times this one's (``c > 1`` = stronger shrinkage).

        Normal: scale / sqrt(c); Laplace: scale / c; ElasticNetPrior: both weights times c."""

    def strength_for_scale(self, scale: float, ref: float) -> float:
        """Penalty multiplier that turns reference path scale ``ref`` into ``scale``."""
        return (ref / scale) ** self._strength_power

    @property
    @abstractmethod
    def path_scale(self) -> float | np.ndarray:
        """The scale reported along a regularization path (the Laplace scale, the Normal sd,
        the elastic net's ``l1_scale``)."""

    # -- PyMC face ------------------------------------------------------------------
    def to_pymc(self, name: str, dims: Any = None, shape: Any = None, sigma: Any = None):
        """Create this prior as a PyMC random variable inside the current model context.

        ``dims`` (e.g. ``"feature"``) or ``shape`` set its size; ``sigma`` is the likelihood's
        noise sd (a PyMC variable or float), used by priors that scale with it."""
        raise NotSupportedError(f"{type(self).__name__} has no PyMC form.")

    # -- Gibbs face -------------------------------------------------------------------
    def gibbs_selection_face(self, n_coef: int) -> SelectionFace | None:
        """A point-mass-and-Gaussian-slab prior's ``SelectionFace`` (log prior odds and slab
        variances) for the collapsed Gibbs sampler (:mod:`bayesreg.samplers.collapsed`:
        coefficients integrated out, exact single-site flips of the inclusion indicators), or
        None (default)."""
        return None

    def has_gibbs(self, n_coef: int) -> bool:
        """Whether ``sampler="gibbs"`` can sample this prior (a Gibbs face or a selection face)."""
        return self.gibbs_face(n_coef) is not None or \
            self.gibbs_selection_face(n_coef) is not None

    def gibbs_face(self, n_coef: int) -> GibbsFace | None:
        """The conditionals of the exact Gibbs sampler, or None (then sample with NUTS)."""
        return None

    # -- contract tests --------------------------------------------------------------
    @classmethod
    def examples(cls) -> list[Prior]:
        """Small instances run through the shared contract tests (``tests/test_contracts.py``);
        per-coefficient arrays have 3 entries. Every registered prior must provide them."""
        raise NotImplementedError(f"{cls.__name__}.examples() is not defined: a registered prior "
                                  "must give the contract tests small instances.")

    # -- utilities ------------------------------------------------------------------
    def check_n_coef(self, n_coef: int) -> None:
        """Raise if a per-coefficient scale array does not have ``n_coef`` entries."""
        for p in self._params:
            v = getattr(self, p)
            if isinstance(v, np.ndarray) and v.ndim == 1 and v.shape[0] != n_coef:
                raise ParameterError(
                    f"{type(self).__name__}.{p} has {v.shape[0]} entries but the model has {n_coef} "
                    f"coefficients: pass one scale per column of X, or a single float."
                )

    def _broadcast(self, v, n_coef: int) -> np.ndarray:
        if isinstance(v, np.ndarray):
            if v.shape[0] != n_coef:
                self.check_n_coef(n_coef)
            return v
        return np.full(n_coef, float(v))


    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly description (``type`` + parameters); inverse of :func:`prior_from_dict`."""
        return {"type": type(self).__name__, **{p: _as_param(getattr(self, p)) for p in self._params}}

    def __repr__(self) -> str:
        def fmt(v):
            if isinstance(v, np.ndarray):
                return f"array(len={v.size}, min={v.min():.4g}, max={v.max():.4g})"
            return f"{v:.6g}" if isinstance(v, float) else repr(v)

        args = ", ".join(f"{p}={fmt(getattr(self, p))}" for p in self._params)
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(np.array_equal(getattr(self, p), getattr(other, p)) for p in self._params)

    def __hash__(self) -> int:  # pragma: no cover - priors are rarely hashed
        return hash((type(self).__name__, repr(self)))


class HierarchicalPrior(Prior):
    """A prior that exists for sampling only: its joint MAP is not a penalized estimate."""

    def as_penalty(self, n_coef: int) -> None:
        return None

    def mode_unavailable(self) -> str:
        return (f"{type(self).__name__} is hierarchical: its joint posterior mode is degenerate "
                "(it collapses to w = 0 with the scale -> 0) and is not the penalized estimate. "
                "Use model.sample(...) for its posterior, or a fixed-scale prior (Laplace, Normal) "
                "for a MAP.")

    def log_normalizer(self, n_coef: int) -> float:
        raise NotSupportedError(f"{type(self).__name__} has no fixed normalizing constant: "
                                "its scale is random.")
