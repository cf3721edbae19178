"""``crosscheck``: the direct MAP solver against ``pm.find_MAP`` on the identical PyMC model.

What is compared
----------------
1. **Bridge.** The PyMC model's ``logp(jacobian=False)`` at the direct solution must equal
   :attr:`MAPResult.log_posterior` to ``bridge_rtol`` (1e-8) relative: both sides evaluate the
   same density, so the comparison below is between two optimizers of one function.
2. **find_MAP from scratch.** ``pm.find_MAP`` (L-BFGS-B, ``tol=1e-14``) from PyMC's default
   initial point; for a likelihood that is not log-concave (``likelihood.convex`` False:
   StudentT), whose posterior may have several local modes, from the direct solver's own start
   instead (``coef = 0``, the intercept-only stationary point ``null_eta``, the free parameters'
   ``null_free_params``: :attr:`CrossCheck.findmap_start`), so the two optimizers are compared
   on the same local mode. When the prior has an L1 part (Laplace, elastic net) the objective has kinks
   at ``w_j = 0``: L-BFGS-B assumes a smooth function, *cannot land exactly on a kink*, and often
   stalls near one (it leaves tiny non-zeros such as 1e-6 where the solution is exactly 0, and
   can stop short on the other coefficients too). Its result is then polished by a second
   ``pm.find_MAP(method="Powell")`` run started from it; both stages are reported.
3. **find_MAP from the direct solution.** ``pm.find_MAP`` (L-BFGS-B) started at the direct
   solution: an independent local check that PyMC's optimizer finds no better point nearby.

Verdict
-------
:attr:`CrossCheck.verdict` is one of three strings (tolerances are the keyword arguments of
:func:`crosscheck`; ``lp_atol = lp_rtol * max(1, |log_posterior|)`` with ``lp_rtol=1e-9``):

``"mismatch"`` -- a failure: bayesreg's mode is not confirmed. Any of

* bridge error ``> bridge_rtol * max(1, |log_posterior|)`` (the two sides do not evaluate the
  same density);
* the direct solver's certificate does not hold (not converged, or optimality ``> tol``);
* some find_MAP point -- from scratch, polished, or **restarted from the direct solution** --
  has a higher log posterior than the direct solution: ``lp > lp_direct + lp_atol``;
* the estimates differ by more than ``coef_tol`` posterior sd although find_MAP's point is not
  measurably worse (``lp_direct - lp_find_MAP <= lp_atol``): two points equally good, the mode
  is not established.

``"find_map_stalled"`` -- not a failure, a finding about ``pm.find_MAP``: the estimates differ by
more than ``coef_tol`` posterior sd, but the certificate holds, the bridge holds, find_MAP's
point has a *lower* log posterior than the direct solution (by more than ``lp_atol``) under
PyMC's own compiled ``logp``, and find_MAP restarted from the direct solution does not improve
it. find_MAP stopped short of the mode bayesreg certifies.

``"agree"`` -- neither of the above: the estimates agree to ``coef_tol`` posterior sd
(``max_j |w_direct_j - w_findmap_j| / sd_j``, ``sd_j`` the Laplace-approximation posterior sd at
the direct solution: inverse Hessian of the smooth part of ``-log posterior``, intercept
included) and nothing is wrong.

``passed`` is ``verdict != "mismatch"``: True when bayesreg's mode stands.

What the check establishes: the direct solution satisfies its optimality certificate, PyMC
evaluates the same log posterior there, and PyMC's optimizer, from scratch and from the direct
solution, finds no point with a higher log posterior. It does not prove global optimality by
itself (for the convex models here the certificate does); it is independent evidence that the
direct solver and the density agree.

Exact zeros of the direct solution are compared with find_MAP's near-zeros
(``|w| <= zero_tol * sd_j``); PyMC essentially never returns an exact 0.
"""

from __future__ import annotations

import html
import time
import warnings
from dataclasses import dataclass, field

import numpy as np
import pymc as pm

from .._errors import ParameterError
from ..map.objective import kkt_violation as _kkt
from ..penalties import require_penalty
from ..spec import check_spec
from .model import build, model_point

__all__ = ["CrossCheck", "VERDICTS", "crosscheck", "kkt_violation"]

#: The possible values of :attr:`CrossCheck.verdict`, and what each one means.
VERDICTS = {
    "agree": "PASSED (agree): pm.find_MAP reaches the mode bayesreg certifies",
    "find_map_stalled": "PASSED (find_map_stalled): bayesreg's certified mode stands; "
                        "pm.find_MAP stopped short of it (a finding about find_MAP, "
                        "not a bayesreg failure)",
    "mismatch": "FAILED (mismatch): bayesreg's mode is not confirmed",
}


@dataclass
class CrossCheck:
    """Result of :func:`crosscheck` (direct MAP vs ``pm.find_MAP``); ``print`` it for a table (in
    a notebook it renders as HTML).

    Attributes
    ----------
    verdict : {"agree", "find_map_stalled", "mismatch"}
        See :mod:`bayesreg.pymc.crosscheck` and :data:`VERDICTS`. ``"mismatch"`` is the only
        failure; ``"find_map_stalled"`` means find_MAP did not reach the certified mode.
    passed : bool
        ``verdict != "mismatch"``: bayesreg's mode stands.
    failures : list of str
        Why the verdict is ``"mismatch"`` (empty otherwise).
    findings : list of str
        Findings about find_MAP (for ``"find_map_stalled"``), with the evidence.
    feature_names : list of str
    coef_direct, coef_pymc : ndarray
        Direct MAP and the best find_MAP point (from scratch, polished).
    coef_sd : ndarray
        Laplace-approximation posterior sd used as the unit of ``coef_diff_sd``.
    intercept_direct, intercept_pymc, sigma_direct, sigma_pymc : float or None
    lp_reported : float
        ``MAPResult.log_posterior``.
    lp_direct, lp_pymc, lp_pymc_lbfgs, lp_pymc_warm : float
        PyMC-model log posteriors (``logp(jacobian=False)``, one compiled function for every
        point) at the direct solution, at the best find_MAP point, at the L-BFGS-B stage alone,
        and at the best find_MAP run started from the direct solution.
    lp_pymc_warm_runs : dict
        ``{method: log posterior}`` of each find_MAP run started from the direct solution
        (L-BFGS-B; also Powell when the prior has kinks).
    bridge_error : float
        ``|lp_direct - lp_reported|``.
    findmap_deficit : float
        ``lp_direct - lp_pymc`` in nats: how much worse find_MAP's point is (negative would mean
        find_MAP found a better point).
    kkt_direct, kkt_pymc, kkt_pymc_zeroed : float
        Largest KKT violation (nats per unit parameter; see :func:`kkt_violation`) of the direct
        solution, of find_MAP's point as returned, and of find_MAP's point with its near-zeros set
        to exactly 0.
    certificate : str
        The direct solver's own certificate (kind, value, tolerance).
    certificate_ok : bool
        The certificate holds: converged and optimality ``<=`` tol.
    findmap_messages : dict
        The optimizer's message of each find_MAP run (e.g. ``ABNORMAL_TERMINATION_IN_LNSRCH``).
    findmap_start : dict or None
        The point the find_MAP run "from scratch" started at: ``None`` for PyMC's default
        initial point (convex models), the direct solver's own start for a likelihood that is
        not log-concave (``coef = 0``, the intercept-only stationary point, the free
        parameters' null values), so both optimizers climb from the same point to the same
        local mode.
    """

    passed: bool
    failures: list[str]
    feature_names: list[str]
    coef_direct: np.ndarray
    coef_pymc: np.ndarray
    coef_sd: np.ndarray
    intercept_direct: float | None
    intercept_pymc: float | None
    intercept_sd: float | None
    sigma_direct: float | None
    sigma_pymc: float | None
    lp_reported: float
    lp_direct: float
    lp_pymc: float
    lp_pymc_lbfgs: float
    lp_pymc_warm: float
    bridge_error: float
    findmap_deficit: float
    kkt_direct: float
    kkt_pymc: float
    kkt_pymc_zeroed: float
    certificate: str
    has_kinks: bool
    zero_tol: float
    tolerances: dict
    pymc_method: str
    timings: dict = field(default_factory=dict)
    map_result: object = None
    verdict: str = "mismatch"
    findings: list[str] = field(default_factory=list)
    certificate_ok: bool = False
    lp_pymc_warm_runs: dict = field(default_factory=dict)
    findmap_messages: dict = field(default_factory=dict)
    findmap_start: dict | None = None

    # ---------------------------------------------------------------- derived
    @property
    def coef_diff(self) -> np.ndarray:
        return self.coef_pymc - self.coef_direct

    @property
    def coef_diff_sd(self) -> np.ndarray:
        return np.abs(self.coef_diff) / self.coef_sd

    @property
    def max_diff_sd(self) -> float:
        d = list(self.coef_diff_sd)
        if self.intercept_direct is not None:
            d.append(abs(self.intercept_pymc - self.intercept_direct) / self.intercept_sd)
        return float(max(d, default=0.0))

    @property
    def exact_zeros_direct(self) -> np.ndarray:
        return self.coef_direct == 0

    @property
    def near_zeros_pymc(self) -> np.ndarray:
        return np.abs(self.coef_pymc) <= self.zero_tol * self.coef_sd

    @property
    def warm_improvement(self) -> float:
        """``lp_pymc_warm - lp_direct``: what find_MAP started from the direct solution gained
        (``<= lp_atol`` when the mode stands)."""
        return self.lp_pymc_warm - self.lp_direct

    @property
    def verdict_text(self) -> str:
        """One line: the verdict and what it means (:data:`VERDICTS`)."""
        return VERDICTS.get(self.verdict, self.verdict)

    def to_frame(self, order: str = "feature"):
        """Per-parameter table (pandas): direct, find_MAP, difference, difference in posterior
        sds, exact zero (direct), near zero (find_MAP).

        Parameters
        ----------
        order : {"feature", "magnitude"}, default "feature"
            ``"feature"``: coefficients in column order. ``"magnitude"``: the order ``print``
            uses: the direct solution's non-zero coefficients by decreasing ``|direct|``, then its
            zeros where find_MAP is not near zero (by ``|find_MAP|``), then the agreeing zeros;
            intercept and sigma last.
        """
        import pandas as pd

        if order not in ("feature", "magnitude"):
            raise ParameterError(f"order must be 'feature' or 'magnitude', got {order!r}.")
        if order == "magnitude":
            df, hidden = self._display()
            p = len(self.feature_names)
            full = self.to_frame()
            shown = list(df.index)
            k = len(shown) - (len(full) - p)
            return full.loc[shown[:k] + [full.index[j] for j in hidden] + shown[k:]]

        rows = []
        for j, name in enumerate(self.feature_names):
            rows.append({"parameter": f"coef[{name}]", "direct": self.coef_direct[j],
                         "find_MAP": self.coef_pymc[j], "diff": self.coef_diff[j],
                         "diff_sd": self.coef_diff_sd[j],
                         "direct_exact_zero": bool(self.exact_zeros_direct[j]),
                         "find_MAP_near_zero": bool(self.near_zeros_pymc[j])})
        if self.intercept_direct is not None:
            d = self.intercept_pymc - self.intercept_direct
            rows.append({"parameter": "intercept", "direct": self.intercept_direct,
                         "find_MAP": self.intercept_pymc, "diff": d,
                         "diff_sd": abs(d) / self.intercept_sd, "direct_exact_zero": False,
                         "find_MAP_near_zero": False})
        if self.sigma_direct is not None and self.sigma_pymc is not None:
            rows.append({"parameter": "sigma", "direct": self.sigma_direct,
                         "find_MAP": self.sigma_pymc, "diff": self.sigma_pymc - self.sigma_direct,
                         "diff_sd": np.nan, "direct_exact_zero": False,
                         "find_MAP_near_zero": False})
        return pd.DataFrame(rows).set_index("parameter")

    def _display(self):
        """The printed table and the zeros it leaves out: the direct solution's non-zero
        coefficients by decreasing magnitude, then its zeros where find_MAP is *not* near zero
        (by find_MAP's magnitude), then intercept and sigma; the agreeing zeros (exact in the
        direct solution, near zero in find_MAP) are only counted."""
        df = self.to_frame()
        p = len(self.feature_names)
        zero, near = self.exact_zeros_direct, self.near_zeros_pymc
        nonzero = [j for j in np.argsort(-np.abs(self.coef_direct), kind="stable") if not zero[j]]
        stray = [j for j in np.argsort(-np.abs(self.coef_pymc), kind="stable")
                 if zero[j] and not near[j]]
        hidden = [j for j in range(p) if zero[j] and near[j]]
        order = [df.index[j] for j in nonzero + stray] + list(df.index[p:])
        return df.loc[order], hidden

    def _zeros_line(self, hidden) -> str | None:
        n_zero = int(self.exact_zeros_direct.sum())
        if not n_zero:
            return None
        names = [self.feature_names[j] for j in hidden]
        shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        line = (f"{n_zero} of {len(self.feature_names)} coefficients are exactly 0 in the direct "
                f"solution; ")
        if names:
            line += (f"{len(names)} of them are not listed (find_MAP |w| <= {self.zero_tol:g} "
                     f"sd there too): {shown}")
        else:
            line += "all are listed"
        n_stray = n_zero - len(names)
        if n_stray:
            line += f"; {n_stray} listed after the non-zeros (find_MAP is not near 0 there)"
        return line + "."

    def _evidence(self) -> list[tuple[str, str]]:
        t = self.tolerances
        dl = self.findmap_deficit
        rows = [
            ("direct solver certificate", f"{self.certificate} -- "
             + ("holds" if self.certificate_ok else "does NOT hold")),
            ("direct solution", f"{self.lp_direct: .10f}"),
            ("MAPResult.log_posterior", f"{self.lp_reported: .10f}   (bridge error "
             f"{self.bridge_error:.2e}, tol {t['bridge_atol']:.2e})"),
            ("find_MAP L-BFGS-B", f"{self.lp_pymc_lbfgs: .10f}"),
            ("find_MAP best", f"{self.lp_pymc: .10f}   ("
             + (f"worse than direct by {dl:.3g} nats)" if dl >= 0 else
                f"better than direct by {-dl:.3g} nats, tol {t['lp_atol']:.2e})")),
        ]
        for meth, lp in (self.lp_pymc_warm_runs or {"L-BFGS-B": self.lp_pymc_warm}).items():
            rows.append((f"find_MAP from direct, {meth}", f"{lp: .10f}   (improvement over "
                         f"direct {lp - self.lp_direct:.3g} nats, tol {t['lp_atol']:.2e})"))
        rows += [
            ("KKT violation direct", f"{self.kkt_direct:.3g}"),
            ("KKT violation find_MAP", f"{self.kkt_pymc:.3g} as returned, "
             f"{self.kkt_pymc_zeroed:.3g} with its near-zeros set to 0"),
            ("largest |difference|", f"{self.max_diff_sd:.3g} posterior sd (tol {t['coef_tol']})"),
        ]
        return rows

    def summary(self) -> dict:
        """The totals as a flat dict."""
        return {
            "verdict": self.verdict, "passed": self.passed,
            "certificate_ok": self.certificate_ok, "lp_reported": self.lp_reported,
            "lp_direct": self.lp_direct,
            "lp_find_MAP": self.lp_pymc, "lp_find_MAP_lbfgs": self.lp_pymc_lbfgs,
            "lp_find_MAP_warm": self.lp_pymc_warm, "warm_improvement": self.warm_improvement,
            "bridge_error": self.bridge_error,
            "find_MAP_deficit": self.findmap_deficit, "max_diff_sd": self.max_diff_sd,
            "kkt_direct": self.kkt_direct, "kkt_find_MAP": self.kkt_pymc,
            "kkt_find_MAP_zeroed": self.kkt_pymc_zeroed,
            "n_exact_zeros_direct": int(self.exact_zeros_direct.sum()),
            "n_near_zeros_find_MAP": int(self.near_zeros_pymc.sum()),
            "n_exact_zeros_find_MAP": int(np.sum(self.coef_pymc == 0)),
        }

    def __str__(self) -> str:
        df, hidden = self._display()
        lines = [f"CrossCheck: direct MAP vs pm.find_MAP ({self.pymc_method}) -- "
                 + self.verdict_text, "",
                 df.to_string(float_format=lambda v: f"{v: .6g}")]
        zl = self._zeros_line(hidden)
        if zl:
            lines.append(zl)
        ev = self._evidence()
        lines += ["", "log posterior under the PyMC model (logp, jacobian=False):"]
        lines += [f"  {k:<31} {v}" for k, v in ev[1:-3]]
        lines.append("certificates:")
        lines.append(f"  {'direct solver':<31} {ev[0][1]}")
        lines += [f"  {k:<31} {v}" for k, v in ev[-3:-1]]
        lines.append(f"{ev[-1][0]} {ev[-1][1]}")
        if self.has_kinks:
            nz_d = int(self.exact_zeros_direct.sum())
            lines.append(
                f"zeros: direct has {nz_d} exact zeros; find_MAP has {int(self.near_zeros_pymc.sum())}"
                f" near-zeros (|w| <= {self.zero_tol:g} sd) and {int(np.sum(self.coef_pymc == 0))}"
                " exact zeros. L-BFGS-B assumes a smooth objective and cannot land exactly on the "
                "kink of a Laplace prior at 0, so PyMC's zeros are only approximate.")
        lines.append(f"verdict: {self.verdict}")
        if self.findings:
            lines.append("findings (about pm.find_MAP, not failures of bayesreg):")
            lines += [f"  - {f}" for f in self.findings]
        if self.failures:
            lines.append("failures:")
            lines += [f"  - {f}" for f in self.failures]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.__str__()

    def _repr_html_(self) -> str:
        """HTML for notebooks: the verdict, findings/failures, the evidence and the table (same
        order as ``print``)."""
        e = html.escape
        df, hidden = self._display()
        colour = {"agree": "#1a7f37", "find_map_stalled": "#9a6700"}.get(self.verdict, "#cf222e")
        out = ['<div class="bayesreg-crosscheck">',
               f"<p><strong>CrossCheck: direct MAP vs pm.find_MAP ({e(self.pymc_method)})</strong>"
               f' &mdash; <strong style="color:{colour}">{e(self.verdict_text)}</strong></p>']
        for title, items in (("Findings (about pm.find_MAP, not failures of bayesreg)",
                              self.findings), ("Failures", self.failures)):
            if items:
                out.append(f"<p>{e(title)}:</p><ul>"
                           + "".join(f"<li>{e(x)}</li>" for x in items) + "</ul>")
        out.append('<table class="bayesreg-crosscheck-evidence"><caption>log posteriors under '
                   "PyMC's logp (jacobian=False) and certificates</caption><tbody>"
                   + "".join(f"<tr><th>{e(k)}</th><td><code>{e(v.strip())}</code></td></tr>"
                             for k, v in self._evidence()) + "</tbody></table>")
        out.append(df.to_html(float_format=lambda v: f"{v:.6g}", escape=True,
                              classes="bayesreg-crosscheck-table"))
        zl = self._zeros_line(hidden)
        if zl:
            out.append(f"<p>{e(zl)}</p>")
        out.append("</div>")
        return "\n".join(out)


def _verdict(*, bridge_error: float, bridge_atol: float, certificate_ok: bool,
             certificate: str, lp_direct: float, lp_findmap: float, lp_warm: dict,
             lp_atol: float, max_diff_sd: float, coef_tol: float, kkt_findmap: float = np.nan,
             messages: dict | None = None) -> tuple[str, list[str], list[str]]:
    """The verdict from the evidence: ``(verdict, failures, findings)``.

    ``lp_findmap`` is the best find_MAP point from scratch, ``lp_warm`` maps each find_MAP run
    started from the direct solution to its log posterior; all log posteriors come from the same
    compiled PyMC ``logp``. Comparisons are written so that NaN fails."""
    failures: list[str] = []
    if not bridge_error <= bridge_atol:
        failures.append(f"bridge: PyMC logp at the direct solution differs from "
                        f"MAPResult.log_posterior by {bridge_error:.3g} > {bridge_atol:.3g}")
    if not certificate_ok:
        failures.append(f"the direct solver's certificate does not hold: {certificate}")
    if not lp_findmap <= lp_direct + lp_atol:
        failures.append(f"find_MAP found a point with a higher log posterior than the direct "
                        f"solution by {lp_findmap - lp_direct:.3g} nats (> {lp_atol:.3g})")
    for meth, lp in lp_warm.items():
        if not lp <= lp_direct + lp_atol:
            failures.append(f"find_MAP ({meth}) restarted from the direct solution found a "
                            f"higher log posterior by {lp - lp_direct:.3g} nats (> {lp_atol:.3g})"
                            ": the direct solution is not the mode")
    deficit = lp_direct - lp_findmap
    differ = not max_diff_sd <= coef_tol
    if differ and not failures and not deficit > lp_atol:
        failures.append(f"estimates differ by {max_diff_sd:.3g} posterior sd (> {coef_tol}) "
                        f"although find_MAP's point is not measurably worse ({deficit:.3g} nats "
                        f"<= {lp_atol:.3g}): the mode is not established")
    if failures:
        return "mismatch", failures, []
    if not differ:
        return "agree", [], []
    msg = {k: v.strip(" :") for k, v in (messages or {}).items() if v and v.strip(" :")}
    why = f" (it reported: {'; '.join(f'{k}: {v}' for k, v in msg.items())})" if msg else ""
    gain = max(lp_warm.values(), default=np.nan) - lp_direct
    findings = [
        f"pm.find_MAP stopped {deficit:.3g} nats below the mode bayesreg certifies; its estimates "
        f"differ by {max_diff_sd:.3g} posterior sd (> {coef_tol}){why}.",
        f"evidence: the direct solver's certificate holds ({certificate}); PyMC's own logp "
        f"is {lp_direct:.10g} at the direct solution and {lp_findmap:.10g} at find_MAP's point; "
        f"find_MAP's point violates the optimality (KKT) conditions by {kkt_findmap:.3g}.",
        f"find_MAP restarted from the direct solution ({', '.join(lp_warm)}) changes its log "
        f"posterior by {gain:.3g} nats (tol {lp_atol:.3g}): it finds no better point, the direct "
        "solution stands.",
        "what to do: nothing is wrong with the fit -- use bayesreg's solution. L-BFGS-B assumes "
        "a smooth objective (an L1 prior has kinks at 0) and can stop short of the mode; "
        "started from model.map's solution (initvals) find_MAP stays there.",
    ]
    return "find_map_stalled", [], findings


def kkt_violation(lik, prior, X, y, sw, coef, intercept, sigma=None, sigma_prior_scale=None,
                  fit_intercept=True, free=None) -> float:
    """Largest violation of the first-order optimality (KKT) conditions of the log posterior
    (:func:`bayesreg.map.kkt_violation` on the model's own likelihood and prior): for each
    coefficient the distance from ``-d datafit / d w_j`` to the penalty's subdifferential, for
    the intercept ``|d loglik / d b|``, for an estimated sigma ``|d log posterior / d log
    sigma|`` (``free``: every free likelihood parameter by name, e.g. a NegativeBinomial's
    alpha; ``sigma`` is the Gaussian's). Zero exactly at a stationary point; units are nats per
    unit parameter."""
    res = lik.resolved(y, sw) if sigma_prior_scale is None else lik.bind(
        sigma_prior_scale=sigma_prior_scale)
    if free is None:
        free = {"sigma": sigma} if res.free_params and sigma is not None else {}
    return _kkt(res, require_penalty(prior, X.shape[1]), X, y, sw, coef, intercept,
                fit_intercept, free)


def _smooth_hessian_sd(lik, penalty, X, y, sw, coef, intercept, fit_intercept):
    """Posterior sd of (coef, intercept) from the Hessian of the smooth part of -log posterior
    (``lik`` bound at the mode's free parameters)."""
    eta = intercept + np.asarray(X @ coef).ravel()
    h = lik.curvature(y, eta, sw)
    p = X.shape[1]
    if hasattr(X, "toarray"):  # scipy.sparse: never densify X itself
        XtHX = np.asarray((X.T @ X.multiply(h[:, None])).todense())
    else:
        XtHX = X.T @ (X * h[:, None])
    if fit_intercept:
        Xth = np.asarray(X.T @ h).ravel()
        H = np.block([[XtHX, Xth[:, None]], [Xth[None, :], np.array([[h.sum()]])]])
    else:
        H = XtHX
    if penalty.separable:  # separable: its L2 part is the smooth penalty's Hessian
        H[np.arange(p), np.arange(p)] += penalty.weights[1]
    # a tiny ridge keeps H invertible when p > n and there is no L2 part
    H[np.diag_indices_from(H)] += 1e-10 * max(float(np.trace(H)) / H.shape[0], 1e-300)
    var = np.diag(np.linalg.pinv(H))
    sd = np.sqrt(np.maximum(var, 1e-300))
    return sd[:p], (float(sd[p]) if fit_intercept else None)


def _find_map(pm_model, **kw) -> tuple[dict, str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = pm.find_MAP(model=pm_model, return_inferencedata=True, jitter=False,
                          progressbar=False, **kw)
    post = out["posterior"]
    point = {v: np.asarray(post[v].values).reshape(post[v].shape[2:]) for v in post.data_vars}
    msg = str(out["optimizer_result"]["message"].values) if "optimizer_result" in out else ""
    return point, msg



def _solver_start(lik, y, sw, fit_intercept: bool, p: int) -> dict:
    """The point the direct MAP solvers start from: ``coef = 0``, the free parameters at
    ``null_free_params`` and the intercept at the likelihood's intercept-only stationary point
    for them (see ``bayesreg.map.solve``: ``mm`` and ``joint_free``)."""
    free = lik.null_free_params(y, sw, fit_intercept) if lik.free_params else {}
    start = {"coef": np.zeros(p), **{k: float(v) for k, v in free.items()}}
    if fit_intercept:
        start["intercept"] = float(lik.bind(**free).null_eta(y, sw, True))
    return start


def crosscheck(model, X, y, sample_weight=None, *, map_tol: float = 1e-10,
               polish: bool = True, bridge_rtol: float = 1e-8, lp_rtol: float = 1e-9,
               coef_tol: float = 0.1, zero_tol: float = 1e-3, suff_stats="auto",
               maxiter: int = 20_000) -> CrossCheck:
    """Direct MAP (``model.map``) vs ``pm.find_MAP`` on the identical PyMC model.

    The log posterior maximized by both is::

        sum_i sw_i log p(y_i | intercept + x_i coef [, sigma]) + sum_j log p(coef_j)
        [+ log HalfNormal(sigma; s)]

    (flat intercept). See :mod:`bayesreg.pymc.crosscheck` for the three comparisons and the
    verdict (``"agree"``, ``"find_map_stalled"``, ``"mismatch"``).

    Parameters
    ----------
    model : bayesreg.Model
    X, y, sample_weight : as in :meth:`bayesreg.Model.map`
    map_tol : float
        Tolerance of the direct solver's certificate (tight by default).
    polish : bool
        When the prior has kinks (an L1 part): follow the L-BFGS-B find_MAP with a Powell
        find_MAP from its result, and restart find_MAP from the direct solution with Powell too.
        All are ``pm.find_MAP`` on the same model.
    bridge_rtol, lp_rtol, coef_tol, zero_tol : float
        Verdict tolerances (see module docstring).
    suff_stats : {"auto", True, False}
        Form of the Gaussian likelihood in the PyMC model (:func:`bayesreg.pymc.build_model`).
    maxiter : int
        Iteration cap of each find_MAP run.

    Returns
    -------
    CrossCheck
    """
    check_spec(model)
    t0 = time.perf_counter()
    res = model.map(X, y, sample_weight=sample_weight, tol=map_tol)
    t_map = time.perf_counter() - t0
    b = build(model, X, y, sample_weight, suff_stats)
    pmm = b.pm_model
    lik, prior = model.likelihood, model.prior
    free_names = tuple(lik.free_params)
    est_sigma = "sigma" in free_names
    t_build = time.perf_counter() - t0 - t_map
    logp = pmm.compile_logp(jacobian=False)

    def lp_of(point):
        return float(logp(model_point(pmm, **{k: point.get(k) for k in ("coef", "intercept",
                                                                         *free_names)})))

    direct = {"coef": res.coef, "intercept": res.intercept if model.fit_intercept else None,
              **{k: res.free.get(k) for k in free_names}}
    lp_direct = lp_of(direct)
    t1 = time.perf_counter()
    messages = {}
    start = None if getattr(lik, "convex", True) else _solver_start(b.likelihood, b.y, b.sw,
                                                                    model.fit_intercept,
                                                                    b.X.shape[1])
    cold, messages["L-BFGS-B"] = _find_map(pmm, tol=1e-14, maxiter=maxiter,
                                           **({} if start is None else {"initvals": start}))
    lp_lbfgs = lp_of(cold)
    pen = require_penalty(prior, b.X.shape[1])
    has_kinks = pen.has_kinks
    method = "L-BFGS-B" if start is None else "L-BFGS-B from model.map's start"
    best, lp_best = cold, lp_lbfgs
    if polish and has_kinks:
        pol, messages["Powell polish"] = _find_map(pmm, method="Powell", tol=1e-14,
                                                   maxiter=maxiter, initvals=cold)
        lp_pol = lp_of(pol)
        method += ", then Powell"
        if lp_pol >= lp_best:
            best, lp_best = pol, lp_pol
    t_findmap = time.perf_counter() - t1
    init = {k: v for k, v in direct.items() if v is not None}
    warm_runs = {}
    for meth in ("L-BFGS-B", "Powell") if polish and has_kinks else ("L-BFGS-B",):
        warm, messages[f"{meth} from direct"] = _find_map(pmm, method=meth, tol=1e-14,
                                                          maxiter=maxiter, initvals=init)
        warm_runs[meth] = lp_of(warm)
    lp_warm = max(warm_runs.values())

    t_checks0 = time.perf_counter()
    X_, y_, sw_ = b.X, b.y, b.sw
    s_scale = b.sigma_prior_scale
    b_best = float(best["intercept"]) if model.fit_intercept else 0.0
    s_best = float(best["sigma"]) if est_sigma else None
    kk = dict(sigma_prior_scale=s_scale, fit_intercept=model.fit_intercept)
    free_best = {k: float(best[k]) for k in free_names}
    kkt_d = kkt_violation(lik, prior, X_, y_, sw_, res.coef, res.intercept,
                          res.sigma if est_sigma else None, free=dict(res.free), **kk)
    kkt_p = kkt_violation(lik, prior, X_, y_, sw_, best["coef"], b_best, s_best, free=free_best,
                          **kk)
    at_mode = b.likelihood.bind(**res.free)
    sd, sd_b = _smooth_hessian_sd(at_mode, pen, X_, y_, sw_, res.coef, res.intercept,
                                  model.fit_intercept)
    w_zeroed = np.where(np.abs(best["coef"]) <= zero_tol * sd, 0.0, best["coef"])
    kkt_pz = kkt_violation(lik, prior, X_, y_, sw_, w_zeroed, b_best, s_best, free=free_best,
                           **kk)

    t_checks = time.perf_counter() - t_checks0
    scale = max(1.0, abs(res.log_posterior))
    tols = {"bridge_atol": bridge_rtol * scale, "lp_atol": lp_rtol * scale, "coef_tol": coef_tol,
            "zero_tol": zero_tol}
    cert_ok = bool(res.converged) and bool(res.optimality <= res.tol)
    cc = CrossCheck(
        passed=False, failures=[], feature_names=b.feature_names, coef_direct=np.asarray(res.coef),
        coef_pymc=np.asarray(best["coef"], dtype=float), coef_sd=sd,
        intercept_direct=float(res.intercept) if model.fit_intercept else None,
        intercept_pymc=b_best if model.fit_intercept else None, intercept_sd=sd_b,
        sigma_direct=res.sigma, sigma_pymc=s_best if est_sigma else res.sigma,
        lp_reported=float(res.log_posterior), lp_direct=lp_direct, lp_pymc=lp_best,
        lp_pymc_lbfgs=lp_lbfgs, lp_pymc_warm=lp_warm,
        bridge_error=abs(lp_direct - res.log_posterior), findmap_deficit=lp_direct - lp_best,
        kkt_direct=kkt_d, kkt_pymc=kkt_p, kkt_pymc_zeroed=kkt_pz,
        certificate=f"{res.optimality_kind} = {res.optimality:.3g} (tol {res.tol:.3g}, "
                    f"{res.solver}, converged={res.converged})",
        has_kinks=has_kinks, zero_tol=zero_tol, tolerances=tols, pymc_method=method,
        timings={"map": t_map, "build": t_build, "find_MAP": t_findmap, "checks": t_checks,
                 "total": time.perf_counter() - t0},
        map_result=res, certificate_ok=cert_ok, lp_pymc_warm_runs=warm_runs,
        findmap_messages=messages, findmap_start=start,
    )
    cc.verdict, cc.failures, cc.findings = _verdict(
        bridge_error=cc.bridge_error, bridge_atol=tols["bridge_atol"], certificate_ok=cert_ok,
        certificate=cc.certificate, lp_direct=lp_direct, lp_findmap=lp_best, lp_warm=warm_runs,
        lp_atol=tols["lp_atol"], max_diff_sd=cc.max_diff_sd, coef_tol=coef_tol,
        kkt_findmap=kkt_p,
        messages={k: v for k, v in messages.items() if not k.endswith("from direct")})
    cc.passed = cc.verdict != "mismatch"
    return cc
