"""The prior <-> penalty duality.

A :class:`Prior` is a density on each coefficient. Its *penalty face* is the
negative log density without the normalizing constant::

    -log p(w) = penalty(w) + log_normalizer

For the priors shipped with bayesreg the penalty is a separable elastic net,
``penalty(w) = sum_j l1_j |w_j| + l2_j / 2 * w_j**2`` (see
:meth:`Prior.penalty_weights`). Solvers declare which faces they need
(``penalty_weights`` for coordinate descent and Newton), so a prior without a
penalty form can never reach a penalized solver by accident. Its *PyMC face*
(:meth:`Prior.to_pymc`) builds the identical distribution inside a PyMC model.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from .._errors import NotSupportedError, ParameterError

__all__ = ["Prior", "PRIORS", "register_prior", "prior_from_dict"]

PRIORS: dict[str, type[Prior]] = {}


def register_prior(cls: type[Prior]) -> type[Prior]:
    """Class decorator adding a prior to the registry (used by persistence and the tests)."""
    PRIORS[cls.__name__] = cls
    return cls


def prior_from_dict(d: dict[str, Any]) -> Prior:
    """Rebuild a prior from :meth:`Prior.to_dict` output."""
    d = dict(d)
    kind = d.pop("type")
    if kind not in PRIORS:
        raise ParameterError(f"unknown prior type {kind!r}; known: {sorted(PRIORS)}")
    kw = {k: (np.asarray(v) if isinstance(v, list) else v) for k, v in d.items()}
    return PRIORS[kind](**kw)


def _as_param(v):
    return v.tolist() if isinstance(v, np.ndarray) else v


class Prior(ABC):
    """Base class: an independent prior on every regression coefficient.

    Scales may be a float (shared by all coefficients) or a 1-D array with one
    entry per coefficient (glmnet's ``penalty.factor``, adaptive lasso). The
    intercept is never under this prior: it always has a flat prior.
    """

    #: names of the constructor parameters (used by to_dict / repr / path scaling)
    _params: tuple[str, ...] = ()
    #: True when the joint MAP of this prior is the penalized estimate (False for
    #: hierarchical priors that exist only for sampling)
    has_penalty_form: bool = True

    # -- density face ---------------------------------------------------------
    @abstractmethod
    def logpdf(self, w: np.ndarray) -> np.ndarray:
        """Elementwise normalized log density log p(w_j) (same length as ``w``)."""

    def log_normalizer(self, n_coef: int) -> float:
        """Sum over coefficients of log Z_j, so that ``-logpdf(w).sum() == penalty(w) + log_normalizer``."""
        l1, l2 = self.penalty_weights(n_coef)
        return float(np.sum(self._log_z(l1, l2)))

    @staticmethod
    @abstractmethod
    def _log_z(l1: np.ndarray, l2: np.ndarray) -> np.ndarray:
        """log of the normalizing constant of exp(-l1|w| - l2 w^2 / 2)."""

    # -- penalty face ---------------------------------------------------------
    @abstractmethod
    def penalty_weights(self, n_coef: int) -> tuple[np.ndarray, np.ndarray]:
        """Per-coefficient weights ``(l1, l2)`` of the penalty
        ``sum_j l1_j |w_j| + l2_j / 2 * w_j**2`` (arrays of length ``n_coef``)."""

    def penalty(self, w: np.ndarray) -> float:
        """Penalty value ``sum_j l1_j |w_j| + l2_j / 2 * w_j**2`` = -log prior up to a constant."""
        w = np.asarray(w, dtype=float)
        l1, l2 = self.penalty_weights(w.shape[0])
        return float(np.sum(l1 * np.abs(w)) + 0.5 * np.sum(l2 * w * w))

    def prox(self, v: np.ndarray, step: float | np.ndarray) -> np.ndarray:
        """Proximal operator of ``step * penalty``:
        ``argmin_w penalty(w) * step + ||w - v||^2 / 2`` (soft threshold then shrink)."""
        v = np.asarray(v, dtype=float)
        l1, l2 = self.penalty_weights(v.shape[0])
        return np.sign(v) * np.maximum(np.abs(v) - step * l1, 0.0) / (1.0 + step * l2)

    def subgradient_distance(self, w: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """Distance from ``-grad`` (gradient of the smooth part) to the subdifferential of the
        penalty at ``w``: zero for every coordinate exactly at a minimizer (the KKT conditions)."""
        w = np.asarray(w, dtype=float)
        grad = np.asarray(grad, dtype=float)
        l1, l2 = self.penalty_weights(w.shape[0])
        g = grad + l2 * w
        nz = w != 0
        return np.where(nz, np.abs(g + l1 * np.sign(w)), np.maximum(np.abs(g) - l1, 0.0))

    def zero_threshold(self, grad0: np.ndarray) -> float | None:
        """Smallest penalty multiplier ``c`` such that ``c * penalty`` makes w = 0 optimal, given the
        datafit gradient at w = 0; None if no finite multiplier does (no L1 part)."""
        l1, _ = self.penalty_weights(grad0.shape[0])
        if not np.any(l1 > 0):
            return None
        return float(np.max(np.abs(grad0) / l1))

    # -- scaling (paths) --------------------------------------------------------
    @abstractmethod
    def with_strength(self, c: float) -> Prior:
        """The prior whose penalty is ``c`` times this one's (``c > 1`` = stronger shrinkage).

        Normal: scale / sqrt(c); Laplace: scale / c; ElasticNetPrior: both weights times c."""

    @property
    @abstractmethod
    def path_scale(self) -> float | np.ndarray:
        """The scale reported along a regularization path (the Laplace scale, the Normal sd,
        the elastic net's ``l1_scale``)."""

    # -- PyMC face ------------------------------------------------------------------
    def to_pymc(self, name: str, dims: str | None = None, shape: int | None = None):
        """Create this prior as a PyMC random variable inside the current model context."""
        from ..pymc import priors as _pm_priors

        return _pm_priors.build(self, name, dims=dims, shape=shape)

    # -- utilities ------------------------------------------------------------------
    def check_n_coef(self, n_coef: int) -> None:
        """Raise if a per-coefficient scale array does not have ``n_coef`` entries."""
        for p in self._params:
            v = getattr(self, p)
            if isinstance(v, np.ndarray) and v.shape[0] != n_coef:
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

    has_penalty_form = False

    def penalty_weights(self, n_coef: int):
        raise NotSupportedError(
            f"{type(self).__name__} is hierarchical: its joint posterior mode is degenerate "
            "(it collapses to w = 0 with the scale -> 0) and is not the penalized estimate. "
            "Use model.sample(...) for its posterior, or a fixed-scale prior (Laplace, Normal) for a MAP."
        )

    @staticmethod
    def _log_z(l1, l2):  # pragma: no cover
        raise NotSupportedError("hierarchical priors have no fixed normalizing constant")
