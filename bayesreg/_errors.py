"""Errors and warnings raised by bayesreg.

Every error a user can trigger with bad input is a subclass of
:class:`BayesregError` *and* of the matching builtin (``ValueError`` or
``TypeError``), so ``except ValueError`` keeps working for code written
against scikit-learn.
"""

from __future__ import annotations

import sys

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


class _UserWarning(UserWarning):
    """A plain heap subclass of UserWarning: the same instance layout as sklearn's warning
    classes (a builtin base has no ``__weakref__`` slot), so ``__bases__`` can be swapped."""


class ConvergenceWarning(_UserWarning):
    """A solver stopped before its optimality certificate reached the tolerance.

    Becomes a subclass of scikit-learn's ``ConvergenceWarning`` as soon as scikit-learn is
    imported (before or after bayesreg), so ``warnings.simplefilter("ignore",
    sklearn.exceptions.ConvergenceWarning)`` silences it too and
    ``isinstance(w, sklearn.exceptions.ConvergenceWarning)`` holds. ``import bayesreg`` itself
    does not import scikit-learn (about a second of start-up).
    """


# --- scikit-learn compatibility without importing scikit-learn --------------------------------
#
# A filter or ``isinstance`` check against sklearn's ConvergenceWarning needs sklearn imported.
# So it suffices to re-base our class on sklearn's at the moment ``sklearn.exceptions`` is
# imported: right now if it already is, otherwise from a one-shot import hook that watches for
# that one module name only and then removes itself. Both classes derive from UserWarning with
# the same layout, so assigning ``__bases__`` is allowed; the class object (and with it
# ``bayesreg.ConvergenceWarning``, pickles, existing filters) keeps its identity.

_SKLEARN_EXCEPTIONS = "sklearn.exceptions"


def _link_sklearn(module=None) -> bool:
    """Make :class:`ConvergenceWarning` a subclass of sklearn's; True when it is."""
    module = module if module is not None else sys.modules.get(_SKLEARN_EXCEPTIONS)
    sk = getattr(module, "ConvergenceWarning", None)
    if not isinstance(sk, type) or not issubclass(sk, Warning):
        return False
    if not issubclass(ConvergenceWarning, sk):
        ConvergenceWarning.__bases__ = (sk,)
    return True


class _LinkingLoader:
    """Wraps the loader of ``sklearn.exceptions``: runs it, then links the warning classes."""

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _link_sklearn(module)

    def __getattr__(self, name):  # get_code, get_source, is_package, ... of the real loader
        return getattr(self._loader, name)


class _SklearnWatcher:
    """A ``sys.meta_path`` finder that only reacts to ``sklearn.exceptions`` (and only once)."""

    @classmethod
    def find_spec(cls, fullname, path=None, target=None):
        if fullname != _SKLEARN_EXCEPTIONS:
            return None
        _unwatch()
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            if find is None:
                continue
            spec = find(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _LinkingLoader(spec.loader)
                return spec
        return None

    @classmethod
    def invalidate_caches(cls):
        pass


def _unwatch() -> None:
    while _SklearnWatcher in sys.meta_path:
        sys.meta_path.remove(_SklearnWatcher)


if not _link_sklearn() and _SklearnWatcher not in sys.meta_path:
    sys.meta_path.insert(0, _SklearnWatcher)
