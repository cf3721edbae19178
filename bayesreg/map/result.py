"""MAPResult and MAPPath: what the MAP solvers return."""

from __future__ import annotations

import json
from dataclasses import MISSING, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._errors import BayesregError, DataError
from .._validation import check_dict, check_X_columns

__all__ = ["MAPResult", "MAPPath", "RESULT_FORMAT"]

#: the format tag of :meth:`MAPResult.to_dict`
RESULT_FORMAT = "bayesreg.MAPResult/1"

OPTIMALITY_KINDS = {
    "duality_gap": "duality gap of the -log posterior, in nats (an upper bound on how far the "
    "log posterior is below its maximum)",
    "kkt": "largest KKT violation |d(-log posterior)/dw_j| off the penalty's subdifferential, "
    "in nats per unit coefficient",
    "joint_gap": "duality gap (nats) of the coefficient problem at the final sigma, sigma being "
    "exactly optimal given the coefficients (raised above tol when max_iter stopped the sigma "
    "sweeps with sigma still moving: the joint mode is then not certified)",
}


@dataclass
class MAPResult:
    """The posterior mode (MAP) of a bayesreg model, with its optimality certificate.

    Attributes
    ----------
    coef : ndarray of shape (n_features,)
        MAP coefficients (exact zeros where the L1 part of the prior makes them so).
    intercept : float
        MAP intercept (flat prior; 0.0 when ``fit_intercept=False``).
    sigma : float or None
        Gaussian noise sd: the fixed value, or its joint MAP when estimated; None otherwise.
    log_posterior : float
        Exact un-normalized log posterior at the mode: ``sum_i sw_i log p(y_i | ...) +
        sum_j log p(w_j) [+ log p(sigma)]``, with every normalizing constant of the likelihood and
        priors and a flat (zero) log density for the intercept. This is the value of PyMC's model
        ``logp(jacobian=False)`` at the same point.
    objective : float
        Penalty-form objective ``datafit + penalty`` (negative log posterior without constants).
        For estimated sigma it includes ``sum(sw) log(sigma) - log p(sigma)``.
    optimality : float
        Certificate value; see ``optimality_kind`` and :data:`OPTIMALITY_KINDS`.
    optimality_kind : {"duality_gap", "kkt", "joint_gap"}
    tol : float
        Absolute tolerance the certificate was compared with.
    n_iter : int
    converged : bool
        ``optimality <= tol``.
    feature_names : list of str
    feature_names_given : bool or None
        True when the names are the columns of a DataFrame the model was fitted on: prediction
        from a DataFrame then matches columns by name (None: unknown, for results saved before
        this flag; the names are then trusted unless they are the defaults ``x0, x1, ...``).
    """

    coef: np.ndarray
    intercept: float
    sigma: float | None
    log_posterior: float
    objective: float
    optimality: float
    optimality_kind: str
    tol: float
    n_iter: int
    converged: bool
    feature_names: list[str]
    prior: Any = None
    likelihood: Any = None
    fit_intercept: bool = True
    solver: str = ""
    n_samples: int = 0
    sigma_prior_scale: float | None = None
    extra: dict = field(default_factory=dict)
    feature_names_given: bool | None = None

    # ------------------------------------------------------------------ use
    def linear_predictor(self, X) -> np.ndarray:
        """``intercept + X @ coef``; a DataFrame's columns are matched to ``feature_names`` by
        name (reordered when needed; see :func:`bayesreg._validation.check_X_columns`)."""
        X = check_X_columns(X, self.feature_names, self.feature_names_given)
        return self.intercept + np.asarray(X @ self.coef).ravel()

    def predict(self, X) -> np.ndarray:
        """Posterior-mode prediction of E[y | X] (mean of the likelihood at the MAP)."""
        return self.likelihood.mean(self.linear_predictor(X))

    @property
    def nonzero(self) -> np.ndarray:
        """Boolean mask of the exactly non-zero coefficients."""
        return self.coef != 0

    def to_frame(self):
        """The coefficients as a pandas DataFrame (index = feature names)."""
        import pandas as pd

        return pd.DataFrame({"coef": self.coef}, index=pd.Index(self.feature_names, name="feature"))

    # ----------------------------------------------------------- persistence
    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (floats stored with full precision: ``repr`` round-trips exactly)."""
        return {
            "format": RESULT_FORMAT,
            "coef": [float(v) for v in self.coef],
            "intercept": float(self.intercept),
            "sigma": None if self.sigma is None else float(self.sigma),
            "log_posterior": float(self.log_posterior),
            "objective": float(self.objective),
            "optimality": float(self.optimality),
            "optimality_kind": self.optimality_kind,
            "tol": float(self.tol),
            "n_iter": int(self.n_iter),
            "converged": bool(self.converged),
            "feature_names": list(self.feature_names),
            "prior": None if self.prior is None else self.prior.to_dict(),
            "likelihood": None if self.likelihood is None else self.likelihood.to_dict(),
            "fit_intercept": bool(self.fit_intercept),
            "solver": self.solver,
            "n_samples": int(self.n_samples),
            "sigma_prior_scale": self.sigma_prior_scale,
            "feature_names_given": self.feature_names_given,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MAPResult:
        from ..likelihoods import likelihood_from_dict
        from ..priors import prior_from_dict

        fields = list(cls.__dataclass_fields__.values())
        required = [f.name for f in fields if f.default is MISSING and f.default_factory is MISSING]
        optional = ["format"] + [f.name for f in fields if f.name not in required]
        fmt = d.get("format", RESULT_FORMAT) if isinstance(d, dict) else RESULT_FORMAT
        if fmt != RESULT_FORMAT:
            raise DataError(f"the MAPResult description has format {fmt!r}, not "
                            f"{RESULT_FORMAT!r}" + (" (a model specification: read it with "
                                                    "Model.from_dict)" if isinstance(fmt, str)
                                                    and fmt.startswith("bayesreg.Model") else "")
                            + ".")
        d = check_dict(d, "the MAPResult description", required, optional)
        d.pop("format", None)
        try:
            d["coef"] = np.asarray(d["coef"], dtype=float)
        except (TypeError, ValueError) as exc:
            raise DataError(f"the MAPResult description's coef is not a list of numbers: {exc}") \
                from exc
        if d["coef"].ndim != 1 or len(d["feature_names"]) != d["coef"].shape[0]:
            raise DataError(f"the MAPResult description has {d['coef'].size} coefficients but "
                            f"{len(d['feature_names'])} feature names.")
        d["prior"] = None if d.get("prior") is None else prior_from_dict(d["prior"])
        d["likelihood"] = None if d.get("likelihood") is None else likelihood_from_dict(d["likelihood"])
        return cls(**d)

    def save(self, path: str | Path) -> None:
        """Write the result (and its model spec) as JSON; :meth:`load` restores it exactly."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=1))

    @classmethod
    def load(cls, path: str | Path) -> MAPResult:
        """Read a result written by :meth:`save`. A file that is not one (truncated, not JSON,
        another kind of JSON, a wrong format tag, missing or unknown keys) is a DataError naming
        the file and what is wrong."""
        text = Path(path).read_text()
        try:
            d = json.loads(text)
        except json.JSONDecodeError as exc:
            what = ("it ends before the JSON does (truncated?)" if exc.pos >= len(text.rstrip())
                    else f"{exc.msg} at line {exc.lineno}, column {exc.colno}")
            raise DataError(f"{path} is not a bayesreg MAPResult file: it is not valid JSON, "
                            f"{what}.") from exc
        if not isinstance(d, dict):
            raise DataError(f"{path} is not a bayesreg MAPResult file: it holds a JSON "
                            f"{type(d).__name__}, not an object with format {RESULT_FORMAT!r}.")
        if "format" not in d:
            raise DataError(f"{path} is not a bayesreg MAPResult file: it has no 'format' tag "
                            f"(expected {RESULT_FORMAT!r}; keys {sorted(d)[:8]}).")
        try:
            return cls.from_dict(d)
        except BayesregError as exc:
            raise DataError(f"{path}: {exc}") from exc

    # --------------------------------------------------------------- display
    def __repr__(self) -> str:
        nz = int(np.count_nonzero(self.coef))
        p = self.coef.shape[0]
        lines = [
            f"MAPResult({type(self.likelihood).__name__} likelihood, prior {self.prior!r})",
            f"  solver={self.solver}  n_iter={self.n_iter}  converged={self.converged}",
            f"  {self.optimality_kind}={self.optimality:.3g} (tol {self.tol:.3g})",
            f"  log_posterior={self.log_posterior:.10g}  objective={self.objective:.10g}",
            f"  intercept={self.intercept:.6g}" + ("" if self.sigma is None else f"  sigma={self.sigma:.6g}"),
            f"  coef ({nz} of {p} non-zero):",
        ]
        width = max((len(n) for n in self.feature_names[:20]), default=4)
        for name, v in list(zip(self.feature_names, self.coef))[:20]:
            lines.append(f"    {name:<{width}}  {v: .6g}")
        if p > 20:
            lines.append(f"    ... ({p - 20} more)")
        return "\n".join(lines)


@dataclass
class MAPPath:
    """A warm-started regularization path: one :class:`MAPResult` per prior strength.

    Attributes
    ----------
    strengths : ndarray
        Penalty multipliers relative to the model's prior (1 = the model's own prior), decreasing:
        the path runs from the strongest prior (all-zero for L1 priors) to the weakest.
    scales : ndarray
        The corresponding prior scale (``prior.path_scale``; its first entry when per-coefficient).
    priors : list of Prior
    results : list of MAPResult
    """

    strengths: np.ndarray
    scales: np.ndarray
    priors: list
    results: list

    @property
    def coefs(self) -> np.ndarray:
        """Coefficients, shape (n_scales, n_features)."""
        return np.array([r.coef for r in self.results])

    @property
    def intercepts(self) -> np.ndarray:
        return np.array([r.intercept for r in self.results])

    @property
    def feature_names(self) -> list[str]:
        return self.results[0].feature_names if self.results else []

    def to_frame(self):
        """Long-form pandas DataFrame: scale, strength, feature, coef."""
        import pandas as pd

        rows = []
        for s, c, r in zip(self.scales, self.strengths, self.results):
            for name, v in zip(r.feature_names, r.coef):
                rows.append({"scale": s, "strength": c, "feature": name, "coef": v})
        return pd.DataFrame(rows)

    def __len__(self) -> int:
        return len(self.results)

    def __repr__(self) -> str:
        nnz = [int(np.count_nonzero(r.coef)) for r in self.results]
        ok = sum(r.converged for r in self.results)
        return (f"MAPPath({len(self)} scales from {self.scales[0]:.4g} to {self.scales[-1]:.4g}; "
                f"non-zeros {nnz[0]} -> {nnz[-1]}; {ok}/{len(self)} converged)")
