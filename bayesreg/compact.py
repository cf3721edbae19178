"""Compact export of sparse fits: only the non-zero coefficients and their names.

An L1 fit on tens of thousands of columns typically keeps a few dozen non-zeros. A
:class:`CompactFit` stores ``(index, name, value)`` for those only, plus the intercept and the
likelihood spec (needed for the inverse link), and predicts from a full design matrix (selecting
its columns by position) or from a DataFrame (selecting its columns by name)::

    eta = intercept + sum_{j in support} X[:, j] * coef_j,   prediction = likelihood.mean(eta)

which is exactly the dense fit's ``intercept + X @ coef`` (the other terms are 0).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._errors import BayesregTypeError, DataError
from ._validation import check_X, default_names

__all__ = ["CompactFit"]

_FORMAT = "bayesreg.CompactFit/1"


def _names_nbytes(names) -> int:
    return int(sum(len(str(s).encode()) for s in names))


@dataclass
class CompactFit:
    """The non-zero part of a fitted linear model.

    Attributes
    ----------
    indices : ndarray of int64
        Column positions (in the original design) of the non-zero coefficients, increasing.
    coef : ndarray of float64
        Their values.
    names : list of str
        Their feature names.
    n_features : int
        Number of columns of the original design (a full X must have exactly this many).
    intercept : float
    likelihood : Likelihood or None
        Gives the inverse link used by :meth:`predict` (identity when None).
    prior : dict or None
        The prior spec of the source fit (for the record).
    dense_nbytes : int
        Memory of the dense coefficients and names of the source fit (see :attr:`nbytes`).
    """

    indices: np.ndarray
    coef: np.ndarray
    names: list[str]
    n_features: int
    intercept: float = 0.0
    likelihood: Any = None
    prior: dict | None = None
    dense_nbytes: int = 0
    extra: dict = field(default_factory=dict)

    # --------------------------------------------------------------- build
    @classmethod
    def from_result(cls, fit) -> CompactFit:
        """Keep the exactly non-zero coefficients of a :class:`~bayesreg.MAPResult` (or any fit
        with ``coef``, ``intercept``, ``feature_names`` and ``likelihood``)."""
        if not all(hasattr(fit, a) for a in ("coef", "intercept")):
            raise BayesregTypeError(
                f"fit must be a MAPResult (or have coef and intercept), got {type(fit).__name__}.")
        coef = np.asarray(fit.coef, dtype=np.float64).ravel()
        p = coef.shape[0]
        names = default_names(p, getattr(fit, "feature_names", None) or None)
        if len(names) != p:
            raise DataError(f"fit has {p} coefficients but {len(names)} feature names.")
        idx = np.flatnonzero(coef).astype(np.int64)
        prior = getattr(fit, "prior", None)
        dense = coef.nbytes + _names_nbytes(names) + 8
        return cls(indices=idx, coef=coef[idx].copy(), names=[names[j] for j in idx],
                   n_features=p, intercept=float(fit.intercept),
                   likelihood=getattr(fit, "likelihood", None),
                   prior=None if prior is None else prior.to_dict(), dense_nbytes=int(dense))

    # ------------------------------------------------------------- predict
    def linear_predictor(self, X) -> np.ndarray:
        """``intercept + X[:, support] @ coef``.

        ``X`` is either a full design (array or scipy.sparse with ``n_features`` columns, in the
        original order) or a pandas DataFrame containing (at least) the support's columns by name.
        """
        if hasattr(X, "columns") and hasattr(X, "dtypes"):
            missing = [n for n in self.names if n not in set(map(str, X.columns))]
            if missing:
                raise DataError(
                    f"X is missing {len(missing)} column(s) the fit needs, e.g. {missing[:5]}: pass a "
                    "DataFrame with those columns (other columns are ignored).")
            cols = {str(c): c for c in X.columns}
            sub = X[[cols[n] for n in self.names]] if self.names else X.iloc[:, :0]
            Xs = sub.to_numpy(dtype=np.float64) if self.names else np.zeros((len(X), 0))
            if not np.all(np.isfinite(Xs)):
                raise DataError("X contains NaN or infinite entries in the fit's columns.")
            return self.intercept + Xs @ self.coef
        if sp.issparse(X):
            if X.shape[1] != self.n_features:
                raise DataError(f"X has {X.shape[1]} columns but the fit was made on "
                                f"{self.n_features}: pass the full design (or a DataFrame).")
            Xs = sp.csc_matrix(X)[:, self.indices]
            return self.intercept + np.asarray(Xs @ self.coef, dtype=np.float64).ravel()
        X, _ = check_X(X)
        if X.shape[1] != self.n_features:
            raise DataError(f"X has {X.shape[1]} columns but the fit was made on {self.n_features}: "
                            "pass the full design in the original column order, or a DataFrame "
                            "whose columns are selected by name.")
        return self.intercept + X[:, self.indices] @ self.coef

    def predict(self, X) -> np.ndarray:
        """``likelihood.mean(linear_predictor(X))`` (E[y | X] at the fitted coefficients)."""
        eta = self.linear_predictor(X)
        return eta if self.likelihood is None else self.likelihood.mean(eta)

    # -------------------------------------------------------------- memory
    @property
    def nbytes(self) -> int:
        """Bytes held: indices (int64) + values (float64) + the support's names (UTF-8) + intercept.
        Compare with :attr:`dense_nbytes` (all coefficients and all names)."""
        return int(self.indices.nbytes + self.coef.nbytes + _names_nbytes(self.names) + 8)

    @property
    def memory_saved(self) -> float:
        """Fraction of the dense fit's coefficient memory saved (``1 - nbytes / dense_nbytes``)."""
        return 1.0 - self.nbytes / self.dense_nbytes if self.dense_nbytes else 0.0

    # --------------------------------------------------------- persistence
    def to_dict(self) -> dict[str, Any]:
        return {
            "format": _FORMAT,
            "n_features": int(self.n_features),
            "indices": [int(i) for i in self.indices],
            "names": list(self.names),
            "coef": [float(v) for v in self.coef],
            "intercept": float(self.intercept),
            "likelihood": None if self.likelihood is None else self.likelihood.to_dict(),
            "prior": self.prior,
            "dense_nbytes": int(self.dense_nbytes),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CompactFit:
        from .likelihoods import likelihood_from_dict

        if d.get("format") != _FORMAT:
            raise DataError(f"not a CompactFit file (format {d.get('format')!r}, expected {_FORMAT!r}).")
        return cls(indices=np.asarray(d["indices"], dtype=np.int64),
                   coef=np.asarray(d["coef"], dtype=np.float64), names=list(d["names"]),
                   n_features=int(d["n_features"]), intercept=float(d["intercept"]),
                   likelihood=None if d.get("likelihood") is None
                   else likelihood_from_dict(d["likelihood"]),
                   prior=d.get("prior"), dense_nbytes=int(d.get("dense_nbytes", 0)))

    def save(self, path: str | Path) -> None:
        """Write to ``path``: JSON (floats round-trip exactly), or NumPy ``.npz`` if the name ends
        with ``.npz``."""
        path = Path(path)
        d = self.to_dict()
        if path.suffix == ".npz":
            meta = {k: v for k, v in d.items() if k not in ("indices", "coef", "names")}
            np.savez_compressed(path, indices=self.indices, coef=self.coef,
                                names=np.asarray(self.names, dtype=str), meta=json.dumps(meta))
        else:
            path.write_text(json.dumps(d))

    @classmethod
    def load(cls, path: str | Path) -> CompactFit:
        """Read a file written by :meth:`save`."""
        path = Path(path)
        if path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as z:
                d = json.loads(str(z["meta"]))
                d["indices"] = z["indices"].tolist()
                d["coef"] = z["coef"].tolist()
                d["names"] = [str(s) for s in z["names"]]
            return cls.from_dict(d)
        return cls.from_dict(json.loads(path.read_text()))

    def __repr__(self) -> str:
        return (f"CompactFit({self.coef.size} of {self.n_features} coefficients non-zero, "
                f"{self.nbytes} bytes vs {self.dense_nbytes} dense)")
