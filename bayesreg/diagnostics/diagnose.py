"""Convergence gate for posterior draws: R-hat, ESS, divergences, tree depth, E-BFMI."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ._common import SAMPLE_DIMS, check_positive, has_group, posterior

__all__ = ["diagnose", "Diagnosis", "Check"]

_TREEDEPTH_VARS = ("reached_max_treedepth", "maxdepth_reached")


@dataclass
class Check:
    """One convergence check: its name, the worst value seen, the threshold, pass/fail, message.

    ``passed`` is None when the check could not be run (e.g. no ``energy`` in sample_stats);
    ``blocking`` is False for advisory checks that never fail the gate (max tree depth).
    """

    name: str
    value: float | None
    threshold: float | None
    passed: bool | None
    message: str
    blocking: bool = True

    @property
    def status(self) -> str:
        if self.passed is None:
            return "n/a"
        if self.passed:
            return "ok"
        return "FAIL" if self.blocking else "warn"


@dataclass
class Diagnosis:
    """Result of :func:`diagnose`.

    Attributes
    ----------
    ok : bool
        True when every blocking check passed (R-hat, bulk ESS, tail ESS, divergences, E-BFMI).
    checks : dict of str -> Check
        ``"r_hat"``, ``"ess_bulk"``, ``"ess_tail"``, ``"divergences"``, ``"treedepth"``,
        ``"bfmi"``.
    r_hat, ess_bulk, ess_tail : pandas.Series
        Per scalar parameter (labels like ``coef[age]``), as computed by ``arviz.rhat`` /
        ``arviz.ess(method="bulk" | "tail")``.
    n_divergent : int
        Number of divergent post-warmup transitions (``sample_stats.diverging``).
    n_max_treedepth : int
        Transitions that hit the maximum tree depth.
    bfmi : ndarray
        E-BFMI per chain (``arviz.bfmi``); empty without ``energy`` in sample_stats.
    n_chains, n_draws : int
        Chains and draws per chain.
    thresholds : dict
    messages : list of str
        Human-readable findings, each with a remedy.
    """

    ok: bool
    checks: dict[str, Check]
    r_hat: Any
    ess_bulk: Any
    ess_tail: Any
    n_divergent: int
    n_max_treedepth: int
    bfmi: np.ndarray
    n_chains: int
    n_draws: int
    thresholds: dict = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)

    @property
    def max_r_hat(self) -> float:
        return float(np.nanmax(self.r_hat.values)) if len(self.r_hat) else float("nan")

    @property
    def min_ess_bulk(self) -> float:
        return float(np.nanmin(self.ess_bulk.values)) if len(self.ess_bulk) else float("nan")

    @property
    def min_ess_tail(self) -> float:
        return float(np.nanmin(self.ess_tail.values)) if len(self.ess_tail) else float("nan")

    def to_frame(self):
        """The checks as a pandas DataFrame (check, value, threshold, status, message)."""
        import pandas as pd

        return pd.DataFrame(
            [{"check": c.name, "value": c.value, "threshold": c.threshold, "status": c.status,
              "message": c.message} for c in self.checks.values()]).set_index("check")

    def __str__(self) -> str:
        head = (f"Diagnosis: {'OK' if self.ok else 'PROBLEMS FOUND'} "
                f"({self.n_chains} chains x {self.n_draws} draws)")
        lines = [head]
        for c in self.checks.values():
            lines.append(f"  [{c.status:>4}] {c.name:<12} {c.message}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.__str__()

    def __bool__(self) -> bool:
        return self.ok


def _pair(value: float, threshold: float, decimals: int) -> tuple[str, str]:
    """``value`` and ``threshold`` printed with the same number of decimals (at least
    ``decimals``, more until the printed numbers order as the exact ones do), so that a failing
    check can never read "1.010 > 1.010" nor a passing one "1.010 <= 1.009"."""
    for d in range(decimals, 17):
        a, b = f"{value:.{d}f}", f"{threshold:.{d}f}"
        if (float(a) > float(b)) == (value > threshold) and (
                float(a) < float(b)) == (value < threshold):
            return a, b
    return repr(float(value)), repr(float(threshold))


def _per_param(ds) -> Any:
    """Flatten a Dataset of per-parameter values to a Series labelled ``var[coord]``."""
    import pandas as pd

    labels, values = [], []
    for name, da in ds.data_vars.items():
        if da.ndim == 0:
            labels.append(str(name))
            values.append(float(da.values))
            continue
        stacked = da.stack(_i=da.dims)
        for k in range(stacked.sizes["_i"]):
            coord = ",".join(str(stacked[d].values[k]) for d in da.dims)
            labels.append(f"{name}[{coord}]")
            values.append(float(stacked.values[k]))
    return pd.Series(values, index=pd.Index(labels, name="param"), dtype=float)


def diagnose(idata: Any, rhat_max: float = 1.01, ess_min: float = 400, max_divergences: int = 0,
             bfmi_min: float = 0.3, *, var_names: list[str] | None = None) -> Diagnosis:
    """Can these posterior draws be trusted? The standard MCMC convergence gate.

    Checks (all values as ArviZ computes them):

    * **R-hat** (``arviz.rhat``, rank-normalized split R-hat) of every scalar parameter must be
      ``<= rhat_max`` (default 1.01, Vehtari et al. 2021). Larger: the chains disagree.
    * **Bulk and tail ESS** (``arviz.ess(method="bulk" | "tail")``) must be ``>= ess_min``
      (default 400, i.e. 100 per chain for 4 chains; Vehtari et al. 2021) so that means and
      94% intervals have small Monte Carlo error.
    * **Divergences**: at most ``max_divergences`` (default 0) divergent transitions in
      ``sample_stats.diverging``; any divergence means the sampler could not follow the
      posterior's curvature and the draws may be biased.
    * **E-BFMI** (``arviz.bfmi``) of every chain must be ``>= bfmi_min`` (default 0.3); lower
      means the momentum resampling explores the energy poorly (heavy tails / funnels).
    * **Max tree depth** (advisory, never fails the gate): transitions that hit the maximum tree
      depth (``reached_max_treedepth`` or nutpie's ``maxdepth_reached``) signal inefficiency,
      not bias.

    Parameters
    ----------
    idata : xarray.DataTree
        Draws with ``posterior`` and (ideally) ``sample_stats`` groups.
    rhat_max, ess_min, max_divergences, bfmi_min : thresholds as above.
    var_names : list of str, optional
        Posterior variables to check (default: all of them).

    Returns
    -------
    Diagnosis
        ``ok`` plus per-check values and messages; ``print(diagnosis)`` shows a summary.
    """
    import arviz as az

    rhat_max = check_positive(rhat_max, "rhat_max")
    ess_min = check_positive(ess_min, "ess_min", allow_zero=True)
    max_div = int(check_positive(max_divergences, "max_divergences", allow_zero=True))
    bfmi_min = check_positive(bfmi_min, "bfmi_min", allow_zero=True)
    ds = posterior(idata)
    if var_names is None:
        var_names = [v for v in ds.data_vars if all(d in ds[v].dims for d in SAMPLE_DIMS)]
    n_chains, n_draws = int(ds.sizes["chain"]), int(ds.sizes["draw"])
    total = n_chains * n_draws

    def ds_of(res):
        return res.to_dataset() if hasattr(res, "to_dataset") else res

    rhat = _per_param(ds_of(az.rhat(idata, var_names=var_names)))
    ess_b = _per_param(ds_of(az.ess(idata, var_names=var_names, method="bulk")))
    ess_t = _per_param(ds_of(az.ess(idata, var_names=var_names, method="tail")))
    checks: dict[str, Check] = {}

    # R-hat
    worst = rhat.idxmax() if rhat.notna().any() else None
    v = float(rhat.max()) if worst is not None else float("nan")
    if n_chains < 2:
        checks["r_hat"] = Check("r_hat", v, rhat_max, None,
                                "only 1 chain: R-hat compares split halves only; run >= 2 chains")
    if "r_hat" not in checks:
        bad = rhat[rhat > rhat_max]
        if worst is None:
            checks["r_hat"] = Check("r_hat", v, rhat_max, False,
                                    "R-hat is NaN (constant or non-finite draws): check the model")
        elif len(bad):
            a, b = _pair(v, rhat_max, 3)
            checks["r_hat"] = Check(
                "r_hat", v, rhat_max, False,
                f"R-hat up to {a} ({worst}; {len(bad)} parameter(s) > {b}): the chains "
                "disagree; run longer chains, check for multimodality or reparametrize")
        else:
            a, b = _pair(v, rhat_max, 3)
            checks["r_hat"] = Check("r_hat", v, rhat_max, True,
                                    f"max R-hat {a} <= {b} ({worst})")
    # ESS
    for key, ess, what in (("ess_bulk", ess_b, "bulk"), ("ess_tail", ess_t, "tail")):
        low = ess[~(ess >= ess_min)]
        worst = ess.idxmin() if ess.notna().any() else None
        v = float(ess.min()) if worst is not None else float("nan")
        a, b = _pair(v, ess_min, 0) if worst is not None else ("nan", f"{ess_min:g}")
        if len(low):
            checks[key] = Check(
                key, v, ess_min, False,
                f"{what} ESS as low as {a} ({worst}; {len(low)} parameter(s) < {b}): "
                "draw more samples (or more chains) or reparametrize to reduce autocorrelation")
        else:
            checks[key] = Check(key, v, ess_min, True,
                                f"min {what} ESS {a} >= {b} ({worst})")
    # sample stats
    stats = idata["sample_stats"].to_dataset() if has_group(idata, "sample_stats") else None
    n_div, n_tree, bfmi = 0, 0, np.array([])
    if stats is not None and "diverging" in stats.data_vars:
        n_div = int(np.asarray(stats["diverging"].values, dtype=bool).sum())
        pct = 100.0 * n_div / total
        if n_div > max_div:
            checks["divergences"] = Check(
                "divergences", n_div, max_div, False,
                f"{n_div} divergent transition{'s' if n_div != 1 else ''} ({pct:.2g}% of {total}):"
                " increase target_accept (e.g. 0.95) or reparametrize")
        else:
            checks["divergences"] = Check("divergences", n_div, max_div, True,
                                          f"{n_div} divergent transitions (<= {max_div})")
    else:
        checks["divergences"] = Check("divergences", None, max_div, None,
                                      "no sample_stats.diverging: divergences not checked")
    tree_var = next((t for t in _TREEDEPTH_VARS if stats is not None and t in stats.data_vars),
                    None)
    if tree_var is not None:
        n_tree = int(np.asarray(stats[tree_var].values, dtype=bool).sum())
        msg = (f"{n_tree} transition(s) hit the maximum tree depth: sampling is inefficient (not "
               "biased); raise max_treedepth or reparametrize" if n_tree else
               "no transition hit the maximum tree depth")
        checks["treedepth"] = Check("treedepth", n_tree, 0, n_tree == 0, msg, blocking=False)
    else:
        checks["treedepth"] = Check("treedepth", None, 0, None, "no tree-depth statistics",
                                    blocking=False)
    if stats is not None and "energy" in stats.data_vars:
        bfmi = np.atleast_1d(np.asarray(ds_of(az.bfmi(idata))["energy"].values, dtype=float))
        low = np.flatnonzero(~(bfmi >= bfmi_min))
        v = float(np.min(bfmi))
        a, b = _pair(v, bfmi_min, 2)
        if len(low):
            checks["bfmi"] = Check(
                "bfmi", v, bfmi_min, False,
                f"E-BFMI {a} < {b} in chain(s) {low.tolist()}: the sampler explores the "
                "energy poorly (heavy tails or a funnel); reparametrize (e.g. non-centered)")
        else:
            checks["bfmi"] = Check("bfmi", v, bfmi_min, True,
                                   f"min E-BFMI {a} >= {b}")
    else:
        checks["bfmi"] = Check("bfmi", None, bfmi_min, None,
                               "no sample_stats.energy: E-BFMI not checked")

    ok = all(c.passed is not False for c in checks.values() if c.blocking)
    messages = [c.message for c in checks.values() if c.passed is False]
    return Diagnosis(ok=ok, checks=checks, r_hat=rhat, ess_bulk=ess_b, ess_tail=ess_t,
                     n_divergent=n_div, n_max_treedepth=n_tree, bfmi=bfmi, n_chains=n_chains,
                     n_draws=n_draws, thresholds={"rhat_max": rhat_max, "ess_min": ess_min,
                                                  "max_divergences": max_div,
                                                  "bfmi_min": bfmi_min},
                     messages=messages)
