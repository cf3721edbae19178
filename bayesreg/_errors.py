"""Errors and warnings raised by bayesreg.

Every error a user can trigger with bad input is a subclass of
:class:`BayesregError` *and* of the matching builtin (``ValueError`` or
``TypeError``), so ``except ValueError`` keeps working for code written
against scikit-learn.
"""

from __future__ import annotations

from sklearn.exceptions import ConvergenceWarning as _SkConvergenceWarning

__all__ = [
    "BayesregError",
    "DataError",
    "ParameterError",
    "BayesregTypeError",
    "NotSupportedError",
    "ConvergenceWarning",
]


class BayesregError(Exception):
    """Base class of every error bayesreg raises on purpose."""


class DataError(BayesregError, ValueError):
    """The data (X, y, sample_weight) are unusable as given: the message says why and how to fix it."""


class ParameterError(BayesregError, ValueError):
    """A model parameter (prior scale, sigma, tolerance, ...) is invalid."""


class BayesregTypeError(BayesregError, TypeError):
    """An argument has the wrong type (e.g. a prior where a likelihood is expected)."""


class NotSupportedError(BayesregError, ValueError):
    """The requested combination is not defined (e.g. the MAP of a hierarchical prior,
    or a prior without a penalty form passed to a penalized solver)."""


class ConvergenceWarning(_SkConvergenceWarning):
    """A solver stopped before its optimality certificate reached the tolerance.

    Subclasses scikit-learn's ``ConvergenceWarning`` so existing warning filters apply.
    """
