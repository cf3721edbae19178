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
    free : dict
        The free likelihood parameters at the joint mode by name (``{"sigma": ...}`` for
        ``Gaussian(sigma=None)``, ``{"alpha": ...}`` for ``NegativeBinomial(alpha=None)``,
        ``{"nu": ..., "sigma": ...}`` for StudentT); empty when every parameter is fixed.
    local_mode : bool
        True when the likelihood is not log-concave (StudentT): the certificate is a
        stationarity (KKT) condition, so the result is a *local* mode of the posterior (the one
        reached from the solver's start), not necessarily the global one.
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
    free: dict = field(default_factory=dict)
    local_mode: bool = False

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
            "free": {k: float(v) for k, v in self.free.items()},
            "local_mode": bool(self.local_mode),
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
            # a string running into the end of the text is a truncation too
            cut = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
            what = ("it ends before the JSON does (truncated?)" if cut
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
    #: how many coefficients ``repr``/``print`` list (the largest non-zeros first)
    repr_max_coef = 20
    #: how many coefficients the HTML table of ``_repr_html_`` lists
    html_max_coef = 100

    def sigma_description(self) -> str | None:
        """``sigma``'s line of the display: fixed value, or MAP under the HalfNormal prior used."""
        if self.sigma is None:
            return None
        if self.sigma_prior_scale is None:
            return f"sigma={self.sigma:.6g} (fixed)"
        return (f"sigma={self.sigma:.6g} (joint MAP; prior sigma ~ "
                f"HalfNormal({self.sigma_prior_scale:.6g}))")

    def _summary_lines(self) -> list[str]:
        sig = self.sigma_description()
        other = {k: v for k, v in self.free.items() if k != "sigma"}
        if other:
            sig = ((sig + "  ") if sig else "") + "  ".join(
                f"{k}={v:.6g} (joint MAP)" for k, v in other.items())
        local = (["local mode: the likelihood is not log-concave; the certificate is "
                  "stationarity (KKT), not global optimality"] if self.local_mode else [])
        return local + [
            f"solver={self.solver}  n_iter={self.n_iter}  converged={self.converged}",
            f"{self.optimality_kind}={self.optimality:.3g} (tol {self.tol:.3g})",
            f"log_posterior={self.log_posterior:.10g}  objective={self.objective:.10g}",
            f"intercept={self.intercept:.6g}" + ("" if sig is None else f"  {sig}"),
        ]

    def __repr__(self) -> str:
        p = self.coef.shape[0]
        nz = int(np.count_nonzero(self.coef))
        lines = [f"MAPResult({type(self.likelihood).__name__} likelihood, prior {self.prior!r})"]
        lines += ["  " + line for line in self._summary_lines()]
        lines.append(f"  coef ({nz} of {p} non-zero, largest |coef| first):")
        lines += coef_lines(self.coef, self.feature_names, self.repr_max_coef)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from html import escape

        p = self.coef.shape[0]
        nz = int(np.count_nonzero(self.coef))
        head = (f"<b>MAPResult</b> ({escape(type(self.likelihood).__name__)} likelihood, "
                f"prior <code>{escape(repr(self.prior))}</code>)")
        summary = "<br>".join(escape(line) for line in self._summary_lines())
        return (f"<div class='bayesreg-mapresult'><p>{head}</p><p>{summary}</p>"
                f"<p>coef: {nz} of {p} non-zero, largest |coef| first</p>"
                f"{coef_table_html(self.coef, self.feature_names, self.html_max_coef)}</div>")


def coef_order(coef: np.ndarray) -> np.ndarray:
    """Indices of the non-zero coefficients, largest magnitude first (ties: column order);
    NaN (a failed solve) sorts first so it is never hidden."""
    coef = np.asarray(coef, dtype=float)
    idx = np.flatnonzero(coef != 0)
    mag = np.abs(coef[idx])
    mag = np.where(np.isnan(mag), np.inf, mag)
    return idx[np.argsort(-mag, kind="stable")]


def coef_lines(coef: np.ndarray, names: list[str], limit: int, indent: str = "    ") -> list[str]:
    """Text rows ``name  value`` for the largest non-zeros, then what was left out."""
    order = coef_order(coef)
    shown = order[:limit]
    n_zero = coef.shape[0] - order.shape[0]
    width = max((len(str(names[j])) for j in shown), default=4)
    lines = [f"{indent}{str(names[j]):<{width}}  {coef[j]: .6g}" for j in shown]
    if order.shape[0] > limit:
        lines.append(f"{indent}... ({order.shape[0] - limit} more non-zero, smaller)")
    if n_zero:
        lines.append(f"{indent}({n_zero} exactly zero)")
    return lines


def coef_table_html(coef: np.ndarray, names: list[str], limit: int) -> str:
    """An HTML table of the largest non-zero coefficients (names escaped) and the zero count."""
    from html import escape

    order = coef_order(coef)
    rows = "".join(f"<tr><td>{escape(str(names[j]))}</td><td>{coef[j]:.6g}</td></tr>"
                   for j in order[:limit])
    n_zero = coef.shape[0] - order.shape[0]
    foot = []
    if order.shape[0] > limit:
        foot.append(f"... {order.shape[0] - limit} more non-zero (smaller)")
    if n_zero:
        foot.append(f"{n_zero} exactly zero")
    tfoot = (f"<tfoot><tr><td colspan='2'>{escape('; '.join(foot))}</td></tr></tfoot>"
             if foot else "")
    return ("<table class='bayesreg-coef'><thead><tr><th>feature</th><th>coef</th></tr></thead>"
            f"<tbody>{rows}</tbody>{tfoot}</table>")


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
        bulk = getattr(self.results, "coefs", None)  # a path's lazily assembled results
        return bulk if bulk is not None else np.array([r.coef for r in self.results])

    @property
    def intercepts(self) -> np.ndarray:
        bulk = getattr(self.results, "intercepts", None)
        return bulk if bulk is not None else np.array([r.intercept for r in self.results])

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

    #: how many points of the path ``repr`` / ``_repr_html_`` list (evenly spread, ends kept)
    repr_max_points = 10

    def _shown_points(self) -> np.ndarray:
        n = len(self)
        if n <= self.repr_max_points:
            return np.arange(n)
        return np.unique(np.linspace(0, n - 1, self.repr_max_points).round().astype(int))

    def _header(self) -> str:
        nnz = [int(np.count_nonzero(r.coef)) for r in self.results]
        ok = sum(r.converged for r in self.results)
        return (f"MAPPath({len(self)} scales from {self.scales[0]:.4g} to {self.scales[-1]:.4g}; "
                f"non-zeros {nnz[0]} -> {nnz[-1]}; {ok}/{len(self)} converged)")

    def __repr__(self) -> str:
        if not self.results:
            return "MAPPath(empty)"
        lines = [self._header()]
        lines.append(f"  {'scale':>10}  {'strength':>10}  {'non-zero':>8}  {'converged':>9}  "
                     "log_posterior")
        for i in self._shown_points():
            r = self.results[i]
            lines.append(f"  {self.scales[i]:>10.4g}  {self.strengths[i]:>10.4g}  "
                         f"{int(np.count_nonzero(r.coef)):>8}  {str(r.converged):>9}  "
                         f"{r.log_posterior:.8g}")
        last = self.results[-1]
        sig = last.sigma_description()
        lines.append(f"  at the weakest prior (scale {self.scales[-1]:.4g}): intercept="
                     f"{last.intercept:.6g}" + ("" if sig is None else f"  {sig}"))
        lines += coef_lines(last.coef, last.feature_names, MAPResult.repr_max_coef)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from html import escape

        if not self.results:
            return "<div class='bayesreg-mappath'><b>MAPPath</b> (empty)</div>"
        rows = "".join(
            f"<tr><td>{self.scales[i]:.4g}</td><td>{self.strengths[i]:.4g}</td>"
            f"<td>{int(np.count_nonzero(self.results[i].coef))}</td>"
            f"<td>{self.results[i].converged}</td><td>{self.results[i].log_posterior:.8g}</td></tr>"
            for i in self._shown_points())
        points = ("<table class='bayesreg-path'><thead><tr><th>scale</th><th>strength</th>"
                  "<th>non-zero</th><th>converged</th><th>log_posterior</th></tr></thead>"
                  f"<tbody>{rows}</tbody></table>")
        last = self.results[-1]
        return (f"<div class='bayesreg-mappath'><p>{escape(self._header())}</p>{points}"
                f"<p>coefficients at the weakest prior (scale {self.scales[-1]:.4g}), largest "
                "|coef| first</p>"
                f"{coef_table_html(last.coef, last.feature_names, MAPResult.html_max_coef)}</div>")
