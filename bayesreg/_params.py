"""The scikit-learn parameter protocol and the registry lookup shared by priors and
likelihoods: one copy (both are described by their constructor parameters ``_params``)."""

from __future__ import annotations

import copy
import inspect
from typing import Any

from ._errors import ParameterError
from ._validation import check_dict

__all__ = ["Parametrized", "registered_class"]


def registered_class(d: Any, registry: dict, what: str):
    """The registered class a ``to_dict`` description names, its keys checked against the
    class's constructor parameters."""
    if not isinstance(d, dict) or "type" not in d:
        check_dict(d, f"the {what} description", ["type"], list(d) if isinstance(d, dict) else ())
    kind = d["type"]
    if not isinstance(kind, str) or kind not in registry:
        raise ParameterError(f"unknown {what} type {kind!r}; known: {sorted(registry)}")
    cls = registry[kind]
    sig = inspect.signature(cls.__init__).parameters
    required = ["type"] + [p for p in cls._params
                           if p in sig and sig[p].default is inspect.Parameter.empty]
    check_dict(d, f"the {kind} {what} description", required, cls._params)
    return cls


class Parametrized:
    """``get_params`` / ``set_params`` / ``__sklearn_clone__`` from the constructor
    parameters named in ``_params`` (each stored as an attribute of the same name)."""

    _params: tuple[str, ...] = ()

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor parameters ``{name: value}`` (the names in ``_params``), as
        scikit-learn objects expose them: ``clone``, ``set_params(prior__scale=...)`` and grid
        searches over ``prior__scale`` then work on the estimators. ``deep``: also
        ``name__sub`` entries for parameters that have ``get_params`` themselves."""
        out: dict[str, Any] = {}
        for p in self._params:
            v = getattr(self, p)
            out[p] = v
            if deep and hasattr(v, "get_params") and not isinstance(v, type):
                out.update((f"{p}__{k}", val) for k, val in v.get_params(deep=True).items())
        return out

    def set_params(self, **params: Any) -> Any:
        """Set constructor parameters (``name=value``, or ``name__sub=value`` for a parameter
        that has ``set_params``) and return ``self``, as scikit-learn requires.

        The object is rebuilt by its constructor from the merged parameters, so every value is
        validated exactly as by its constructor; a bad value raises and leaves ``self``
        unchanged. A nested parameter object is copied before it is changed (objects shared with
        a clone are never modified)."""
        if not params:
            return self
        current = self.get_params(deep=False)
        nested: dict[str, dict[str, Any]] = {}
        for key, value in params.items():
            head, delim, sub = key.partition("__")
            if head not in current:
                raise ParameterError(
                    f"{type(self).__name__} has no parameter {head!r} (in {key}={value!r}); "
                    f"its parameters are {list(current)}.")
            if delim:
                nested.setdefault(head, {})[sub] = value
            else:
                current[head] = value
        for head, sub in nested.items():
            obj = current[head]
            if not hasattr(obj, "set_params"):
                raise ParameterError(
                    f"{type(self).__name__}.{head} is {obj!r}, which has no parameters: "
                    f"set it as {head}=... instead of {head}__{next(iter(sub))}=....")
            current[head] = copy.deepcopy(obj).set_params(**sub)
        new = type(self)(**current)
        self.__dict__.clear()
        self.__dict__.update(new.__dict__)
        return self

    def __sklearn_clone__(self) -> Any:
        """A fresh object with the same parameters (``sklearn.base.clone``)."""
        return type(self)(**self.get_params(deep=False))


def kebab_name(cls_name: str) -> str:
    """``"RegularizedHorseshoe"`` -> ``"regularized-horseshoe"``, ``"R2D2"`` -> ``"r2d2"``,
    ``"StudentT"`` -> ``"student-t"``: the command-line name of a registered class."""
    out: list[str] = []
    for i, ch in enumerate(cls_name):
        prev = cls_name[i - 1] if i else ""
        if ch.isupper() and i and (prev.islower() or (i + 1 < len(cls_name)
                                                      and cls_name[i + 1].islower()
                                                      and not prev.isdigit())):
            out.append("-")
        out.append(ch.lower())
    return "".join(out)
