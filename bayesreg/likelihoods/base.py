"""The likelihood <-> datafit duality.

A :class:`Likelihood` is the distribution of y given the linear predictor
``eta = intercept + X @ coef``. Its *datafit face* is the negative
log-likelihood without constants, as a function of eta (value, gradient,
curvature), which is what the MAP solvers minimize; its density face
(:meth:`Likelihood.loglik`) keeps every constant, so that
``MAPResult.log_posterior`` equals PyMC's model logp. Its PyMC face lives in
:mod:`bayesreg.pymc.likelihoods`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import numpy as np

from .._errors import ParameterError

__all__ = ["Likelihood", "LIKELIHOODS", "register_likelihood", "likelihood_from_dict"]

LIKELIHOODS: dict[str, type[Likelihood]] = {}


def register_likelihood(cls):
    LIKELIHOODS[cls.__name__] = cls
    return cls


def likelihood_from_dict(d: dict[str, Any]) -> Likelihood:
    """Rebuild a likelihood from :meth:`Likelihood.to_dict` output."""
    d = dict(d)
    kind = d.pop("type")
    if kind not in LIKELIHOODS:
        raise ParameterError(f"unknown likelihood type {kind!r}; known: {sorted(LIKELIHOODS)}")
    return LIKELIHOODS[kind](**d)


class Likelihood(ABC):
    """Base class of the observation models (one response per row, canonical link)."""

    _params: tuple[str, ...] = ()
    #: the glmnet / PyMC family name
    family: str = ""

    @abstractmethod
    def check_y(self, y: np.ndarray) -> None:
        """Raise a DataError if y is outside the support of this likelihood."""

    @abstractmethod
    def mean(self, eta: np.ndarray) -> np.ndarray:
        """E[y | eta] (the inverse link)."""

    @abstractmethod
    def loglik(self, y: np.ndarray, eta: np.ndarray, sigma: float | None = None) -> np.ndarray:
        """Row-wise log-likelihood log p(y_i | eta_i), with every normalizing constant."""

    @abstractmethod
    def datafit(self, y: np.ndarray, eta: np.ndarray, sw: np.ndarray) -> float:
        """``sum_i sw_i * (-log p(y_i | eta_i))`` up to a constant independent of eta."""

    @abstractmethod
    def gradient(self, y: np.ndarray, eta: np.ndarray, sw: np.ndarray) -> np.ndarray:
        """Derivative of :meth:`datafit` with respect to each eta_i."""

    @abstractmethod
    def curvature(self, y: np.ndarray, eta: np.ndarray, sw: np.ndarray) -> np.ndarray:
        """Second derivative of :meth:`datafit` with respect to each eta_i (the IRLS weights)."""

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
