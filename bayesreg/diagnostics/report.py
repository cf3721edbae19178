"""``report``: one self-contained HTML page (and a Markdown twin) explaining a fit.

The page walks from the model to the point estimate, its PyMC cross-check, the full posterior
next to the MAP, the sampler's health, pictures, and a LOO comparison of priors.
"""

from __future__ import annotations

import base64
import html
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .._errors import BayesregTypeError, ParameterError
from ._common import check_prob

__all__ = ["report", "ReportResult", "loo_compare_priors"]


@dataclass
class ReportResult:
    """What :func:`report` produced.

    Attributes
    ----------
    html : Path
        The self-contained page (``out_dir/report.html``; images embedded as base64 PNG).
    markdown : Path
        The Markdown twin (``out_dir/report.md``; images in ``out_dir/figures/``).
    figures : dict of str -> Path
        The PNG files.
    fit : MAPResult
    idata : xarray.DataTree
    table : pandas.DataFrame
        :func:`compare` output (with intercept / sigma rows).
    diagnosis : Diagnosis
    crosscheck : CrossCheck or None
        None when the cross-check could not run (``crosscheck_error`` says why).
    loo : pandas.DataFrame or None
        ``arviz.compare`` of the priors (None with ``compare_priors=False``).
    prior_idata : dict of str -> DataTree
        Posterior draws under each compared prior.
    """

    out_dir: Path
    html: Path
    markdown: Path
    figures: dict[str, Path]
    fit: Any
    idata: Any
    table: Any
    diagnosis: Any
    crosscheck: Any = None
    crosscheck_error: str | None = None
    loo: Any = None
    prior_idata: dict = field(default_factory=dict)
    prior_models: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"ReportResult(html={str(self.html)!r}, markdown={str(self.markdown)!r}, "
                f"diagnostics_ok={self.diagnosis.ok}, figures={list(self.figures)})")


# ------------------------------------------------------------------------------ formatting
def _fmt(v: Any) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if math.isnan(v):
            return ""
        if v == 0.0:
            return "0"
        return f"{v:.4g}"
    if v is None:
        return ""
    return str(v)


class _Doc:
    """A tiny document model rendered to both HTML and Markdown."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.blocks: list[tuple] = []

    def h2(self, text: str, anchor: str) -> None:
        self.blocks.append(("h2", text, anchor))

    def p(self, text: str) -> None:
        """Paragraph; ``**bold**`` and ``code`` are the only markup."""
        self.blocks.append(("p", text))

    def ul(self, items: list[str]) -> None:
        if items:
            self.blocks.append(("ul", items))

    def table(self, df, index_name: str | None = None) -> None:
        self.blocks.append(("table", df, index_name))

    def pre(self, text: str) -> None:
        self.blocks.append(("pre", text))

    def img(self, png: bytes, rel: str, caption: str) -> None:
        self.blocks.append(("img", png, rel, caption))

    # -- renderers
    @staticmethod
    def _inline_html(text: str) -> str:
        out = html.escape(text)
        parts = out.split("**")
        out = "".join(f"<strong>{s}</strong>" if i % 2 else s for i, s in enumerate(parts))
        parts = out.split("`")
        out = "".join(f"<code>{s}</code>" if i % 2 else s for i, s in enumerate(parts))
        return re.sub(r"\[([^\]]+)\]\((#[\w-]+)\)", r'<a href="\2">\1</a>', out)

    def to_html(self) -> str:
        body = [f"<h1>{html.escape(self.title)}</h1>"]
        open_section = False
        for b in self.blocks:
            kind = b[0]
            if kind == "h2":
                if open_section:
                    body.append("</section>")
                body.append(f'<section id="{b[2]}">\n<h2>{html.escape(b[1])}</h2>')
                open_section = True
            elif kind == "p":
                body.append(f"<p>{self._inline_html(b[1])}</p>")
            elif kind == "ul":
                body.append("<ul>" + "".join(f"<li>{self._inline_html(t)}</li>" for t in b[1])
                            + "</ul>")
            elif kind == "pre":
                body.append(f"<pre>{html.escape(b[1])}</pre>")
            elif kind == "table":
                df, idx = b[1], b[2]
                cols = list(df.columns)
                head = "".join(f"<th>{html.escape(str(c))}</th>" for c in [idx or ""] + cols)
                rows = []
                for label, row in df.iterrows():
                    cells = "".join(f"<td>{html.escape(_fmt(row[c]))}</td>" for c in cols)
                    rows.append(f"<tr><th>{html.escape(str(label))}</th>{cells}</tr>")
                body.append(f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n"
                            + "\n".join(rows) + "\n</tbody>\n</table>")
            elif kind == "img":
                data = base64.b64encode(b[1]).decode("ascii")
                body.append(f'<figure><img alt="{html.escape(b[3])}" '
                            f'src="data:image/png;base64,{data}">'
                            f"<figcaption>{self._inline_html(b[3])}</figcaption></figure>")
        if open_section:
            body.append("</section>")
        style = (
            "body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;"
            "max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}"
            "table{border-collapse:collapse;font-size:0.85em;margin:0.8em 0;display:block;"
            "overflow-x:auto}th,td{border:1px solid #ccc;padding:3px 7px;text-align:right}"
            "thead th{background:#f0f0f0}tbody th{text-align:left}"
            "figure{margin:1.2em 0}img{max-width:100%;height:auto}"
            "figcaption{font-size:0.9em;color:#444}pre{background:#f6f6f6;padding:0.6em;"
            "overflow-x:auto}section{margin-bottom:2em}code{background:#f3f3f3;padding:0 2px}")
        return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                f"<title>{html.escape(self.title)}</title>\n<style>{style}</style>\n</head>\n"
                "<body>\n" + "\n".join(body) + "\n</body>\n</html>\n")

    def to_markdown(self) -> str:
        out = [f"# {self.title}", ""]
        for b in self.blocks:
            kind = b[0]
            if kind == "h2":
                out += [f'<a id="{b[2]}"></a>', "", f"## {b[1]}", ""]
            elif kind == "p":
                out += [b[1], ""]
            elif kind == "ul":
                out += [f"- {t}" for t in b[1]] + [""]
            elif kind == "pre":
                out += ["```", b[1], "```", ""]
            elif kind == "table":
                df, idx = b[1], b[2]
                cols = [str(c) for c in df.columns]
                out.append("| " + " | ".join([idx or ""] + cols) + " |")
                out.append("|" + "---|" * (len(cols) + 1))
                for label, row in df.iterrows():
                    cells = [_fmt(row[c]).replace("|", "\\|") for c in df.columns]
                    out.append("| " + " | ".join([str(label)] + cells) + " |")
                out.append("")
            elif kind == "img":
                out += [f"![{b[3]}]({b[2]})", "", f"*{b[3]}*", ""]
        return "\n".join(out)


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


# ------------------------------------------------------------------------------ priors / LOO
def _equal_variance_alternatives(prior: Any) -> dict[str, Any]:
    """The model's own prior plus the other two families (Normal, Laplace, elastic net) at the
    same prior variance (per coefficient for per-coefficient scales)."""
    from ..priors import ElasticNetPrior, Laplace, Normal
    from .plots import _enet_unit_lambda, prior_variance

    v = np.asarray(prior_variance(prior), dtype=float)
    sd = np.sqrt(v)

    def as_param(a):
        return float(a) if np.ndim(a) == 0 else np.asarray(a, dtype=float)

    lam = _enet_unit_lambda(0.5)
    fams = {
        "Normal": (Normal, lambda: Normal(as_param(sd))),
        "Laplace": (Laplace, lambda: Laplace(as_param(sd / np.sqrt(2.0)))),
        "ElasticNet": (ElasticNetPrior, lambda: ElasticNetPrior(
            as_param(sd / (lam * 0.5)), as_param(np.sqrt(v / (lam * 0.5))))),
    }
    out = {}
    for name, (cls, make) in fams.items():
        out[name] = prior if isinstance(prior, cls) else make()
    if not any(isinstance(prior, cls) for cls, _ in fams.values()):
        out = {type(prior).__name__: prior, **out}
    return out


def loo_compare_priors(model: Any, X: Any, y: Any, *, idata: Any = None, draws: int = 1000,
                   tune: int = 1000, chains: int = 4, random_seed: Any = None,
                   progressbar: bool = False) -> tuple[Any, dict, dict]:
    """LOO comparison of Normal vs Laplace vs elastic-net priors at equal prior variance.

    Each alternative keeps the model's likelihood and intercept and replaces the prior by the
    other family with the same variance as ``model.prior`` (elastic net: ``l1_share = 0.5``,
    see :func:`bayesreg.diagnostics.equal_variance_priors`). Every model is sampled with
    ``model.sample`` (``idata`` is reused for the model's own prior) and compared with
    ``arviz.compare`` (PSIS-LOO, stacking weights).

    Returns
    -------
    (pandas.DataFrame, dict name -> DataTree, dict name -> Model)
    """
    import arviz as az

    from ..model import Model

    priors = _equal_variance_alternatives(model.prior)
    trees, models = {}, {}
    for k, (name, pr) in enumerate(priors.items()):
        m = Model(model.likelihood, pr, model.fit_intercept)
        models[name] = m
        if pr is model.prior and idata is not None:
            trees[name] = idata
            continue
        seed = None if random_seed is None else int(random_seed) + 101 * (k + 1)
        trees[name] = m.sample(X, y, draws=draws, tune=tune, chains=chains, random_seed=seed,
                               progressbar=progressbar)
    loos = {name: az.loo(dt) for name, dt in trees.items()}
    table = az.compare(loos, round_to="none")
    return table, trees, models


# ------------------------------------------------------------------------------ report
def report(model: Any, X: Any, y: Any, out_dir: str | Path = "bayesreg-report", draws: int = 1000,
           tune: int = 1000, chains: int = 4, random_seed: Any = None,
           compare_priors: bool = True, progressbar: bool = False, *, hdi_prob: float = 0.94,
           idata: Any = None, fit: Any = None, crosscheck: bool = True) -> ReportResult:
    """Fit, cross-check, sample, compare and diagnose a model; write an HTML + Markdown report.

    Steps: ``fit = model.map(X, y)`` (the posterior mode / penalized estimate, with its
    certificate); ``model.crosscheck(X, y)`` (the same mode found by PyMC's ``find_MAP``);
    ``idata = model.sample(X, y, ...)`` (full posterior, nutpie); :func:`compare` (MAP vs
    posterior per coefficient); :func:`diagnose` (R-hat, ESS, divergences, E-BFMI); the plots
    (forest and densities with the MAP, regularization path with the posterior overlaid, L1/L2
    geometry, equal-variance priors); and, with ``compare_priors``, PSIS-LOO
    (``arviz.loo`` / ``arviz.compare``) of Normal vs Laplace vs elastic-net priors at the same
    prior variance (:func:`loo_compare_priors`).

    Writes ``out_dir/report.html`` (self-contained: tables + base64 PNG images),
    ``out_dir/report.md`` and ``out_dir/figures/*.png``.

    Parameters
    ----------
    model : bayesreg.Model
    X, y : the data (a DataFrame's columns name the coefficients).
    out_dir : str or Path, default "bayesreg-report"
    draws, tune, chains : sampler settings for every sampled model.
    random_seed : int, optional
        Seeds every sampler (alternative priors get ``random_seed + 101 k``): the report's
        numbers are reproducible.
    compare_priors : bool, default True
        Sample the two alternative prior families too (2 more sampling runs) and compare LOO.
    progressbar : bool, default False
    hdi_prob : float, default 0.94
    idata, fit : optional, already computed posterior draws / MAP of this model on this data
        (skips the corresponding step).
    crosscheck : bool, default True
        Run ``model.crosscheck`` (PyMC ``find_MAP``); False skips it (the section says so).

    Returns
    -------
    ReportResult
    """
    from ..model import Model
    from .compare import compare
    from .diagnose import diagnose
    from .plots import (
        plot_forest_map,
        plot_geometry,
        plot_path,
        plot_posterior_map,
        plot_prior_densities,
        prior_variance,
    )

    if not isinstance(model, Model):
        raise BayesregTypeError(f"model must be a bayesreg.Model, got {type(model).__name__}.")
    for name, v, lo in (("draws", draws, 1), ("tune", tune, 0), ("chains", chains, 1)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise ParameterError(f"{name} must be an integer >= {lo}, got {v!r}.")
    hdi_prob = check_prob(hdi_prob, "hdi_prob")
    out = Path(out_dir)
    fig_dir = out / "figures"
    fig_dir.mkdir(parents=True, exist_ok=True)

    if fit is None:
        fit = model.map(X, y)
    cc, cc_err = None, None
    if crosscheck:
        try:
            cc = model.crosscheck(X, y)
        except Exception as exc:  # the report still shows everything else
            cc_err = f"{type(exc).__name__}: {exc}"
    else:
        cc_err = "skipped (crosscheck=False)"
    if idata is None:
        idata = model.sample(X, y, draws=draws, tune=tune, chains=chains, random_seed=random_seed,
                             progressbar=progressbar)
    table = compare(idata, fit, hdi_prob=hdi_prob, X=X, y=y, extra_rows=True)
    diag = diagnose(idata)
    loo, trees, models = None, {}, {}
    loo_err = None
    if compare_priors:
        try:
            loo, trees, models = loo_compare_priors(
                model, X, y, idata=idata, draws=draws, tune=tune, chains=chains,
                random_seed=random_seed, progressbar=progressbar)
        except Exception as exc:
            loo_err = f"{type(exc).__name__}: {exc}"

    lik, prior = model.likelihood, model.prior
    n, p = int(np.shape(y)[0]), int(fit.coef.shape[0])
    coef = table[table["kind"] == "coef"]
    doc = _Doc("bayesreg report")
    nz = int(np.count_nonzero(fit.coef))
    doc.p(f"{type(lik).__name__} likelihood with a {type(prior).__name__} prior on {p} "
          f"coefficients, {n} observations. The MAP (penalized estimate) has {nz} of {p} "
          f"non-zero coefficients; the posterior was sampled with {diag.n_chains} chains x "
          f"{diag.n_draws} draws; sampler diagnostics: **{'OK' if diag.ok else 'PROBLEMS'}**.")

    doc.ul([f"[{title}](#{anchor})" for anchor, title in (
        ("model", "Model"), ("crosscheck", "Cross-check: direct MAP vs PyMC find_MAP"),
        ("comparison", "MAP vs posterior"), ("diagnostics", "Sampler diagnostics"),
        ("plots", "Plots"), ("prior-comparison", "Prior comparison (LOO)"))])

    # -- model
    doc.h2("Model", "model")
    doc.p("The model is a likelihood plus a prior; its log posterior (flat prior on the "
          "intercept) is `sum_i log p(y_i | intercept + x_i w) + sum_j log p(w_j)`"
          + (" + `log HalfNormal(sigma)`" if getattr(lik, "sigma", 0) is None else "")
          + ". Its mode (MAP) is the penalized estimate: the prior's negative log density is "
          "the penalty.")
    doc.pre(f"likelihood: {lik!r}\nprior:      {prior!r}\nintercept:  "
            f"{'flat prior (unpenalized)' if model.fit_intercept else 'none'}\n"
            f"prior variance per coefficient: "
            f"{_fmt(float(np.max(np.atleast_1d(prior_variance(prior)))))}\n"
            f"data: n = {n}, p = {p}")
    doc.p(f"MAP solver `{fit.solver}`: {fit.optimality_kind} = {_fmt(fit.optimality)} "
          f"(tolerance {_fmt(fit.tol)}), converged: {_fmt(fit.converged)}; log posterior at the "
          f"mode {fit.log_posterior:.10g}; intercept {_fmt(fit.intercept)}"
          + ("" if fit.sigma is None else f", sigma {_fmt(fit.sigma)}") + ".")

    # -- crosscheck
    doc.h2("Cross-check: direct MAP vs PyMC find_MAP", "crosscheck")
    doc.p("The same model built in PyMC and optimized by `pm.find_MAP` must land on the "
          "same mode as the direct solver: this table shows both, coefficient by coefficient.")
    if cc is not None:
        doc.p(f"Cross-check {'**passed**' if getattr(cc, 'passed', False) else '**FAILED**'}.")
        try:
            doc.table(cc.to_frame(), "feature")
        except Exception as exc:  # pragma: no cover - defensive
            doc.pre(str(exc))
        text = str(cc)
        cut = text.find("\nlog posterior")  # the table above already shows the coefficients
        doc.pre(text[cut + 1:] if cut >= 0 else text)
    elif not crosscheck:
        doc.p("Skipped (`crosscheck=False`).")
    else:
        doc.p(f"The cross-check could not run: `{cc_err}`.")

    # -- comparison
    doc.h2("MAP vs posterior", "comparison")
    doc.p(f"One row per coefficient: the MAP next to the posterior mean, median, sd and "
          f"{hdi_prob:.0%} HDI (all from ArviZ), whether the MAP lies in the HDI, "
          f"`p_near_zero` = P(|w| < zero_tol | y) with zero_tol = {table.attrs['zero_tol_rule']},"
          f" shrinkage `1 - estimate / ls` relative to {table.attrs['ls_rule']} (0 = none, "
          "1 = all the way to zero), and the per-coefficient R-hat / ESS / MCSE.")
    doc.table(table, "param")
    findings = []
    zeros = coef.index[coef["map"] == 0.0]
    for name in zeros[:12]:
        r = coef.loc[name]
        findings.append(
            f"MAP exactly 0 for **{name}** while the posterior mean is {_fmt(r['mean'])} "
            f"(median {_fmt(r['median'])}, {hdi_prob:.0%} HDI [{_fmt(r['hdi_low'])}, "
            f"{_fmt(r['hdi_high'])}]), with P(|w| < {_fmt(r['zero_tol'])}) = "
            f"{r['p_near_zero']:.2f}.")
    if len(zeros) > 12:
        findings.append(f"... and {len(zeros) - 12} more coefficients with MAP exactly 0.")
    if len(zeros):
        findings.append("The prior makes the posterior **mode** sparse, not the posterior: no "
                        "posterior draw is exactly zero, and the mean of a coefficient whose "
                        "mode is 0 is pulled towards the side the data favour.")
    outside = coef.index[~coef["map_in_hdi"].astype(bool)]
    if len(outside):
        findings.append(f"{len(outside)} MAP value(s) fall outside the {hdi_prob:.0%} HDI: "
                        + ", ".join(map(str, outside[:10])) + ".")
    else:
        findings.append(f"Every MAP coefficient lies inside its {hdi_prob:.0%} HDI.")
    sm, sp_ = coef["shrinkage_map"].dropna(), coef["shrinkage_mean"].dropna()
    if len(sm):
        findings.append(f"Median shrinkage relative to least squares: MAP {sm.median():.2f}, "
                        f"posterior mean {sp_.median():.2f}.")
    doc.ul(findings)

    # -- diagnostics
    doc.h2("Sampler diagnostics", "diagnostics")
    doc.p(f"Can the draws be trusted? R-hat <= {diag.thresholds['rhat_max']} (chains agree), "
          f"bulk/tail ESS >= {diag.thresholds['ess_min']:g} (enough independent draws), "
          f"at most {diag.thresholds['max_divergences']} divergences, E-BFMI >= "
          f"{diag.thresholds['bfmi_min']} (tree-depth hits are advisory). Result: "
          f"**{'all checks passed' if diag.ok else 'problems found'}**.")
    doc.table(diag.to_frame(), "check")
    doc.ul(diag.messages)

    # -- plots
    doc.h2("Plots", "plots")
    doc.p("Pictures of the same comparison: where the MAP sits in each posterior, how the MAP "
          "moves with the prior's scale, why L1 gives exact zeros, and what the priors look "
          "like.")
    figures: dict[str, Path] = {}

    def add(name: str, fig, caption: str) -> None:
        png = _png(fig)
        path = fig_dir / f"{name}.png"
        path.write_bytes(png)
        figures[name] = path
        doc.img(png, f"figures/{name}.png", caption)

    add("forest_map", plot_forest_map(idata, fit, hdi_prob),
        f"Forest plot: posterior mean (dot), 50% and {hdi_prob:.0%} HDI (thick / thin lines) per "
        "coefficient, MAP as a red diamond. A diamond at 0 inside a wide interval is a sparse "
        "mode, not a zero effect.")
    add("posterior_map", plot_posterior_map(idata, fit, hdi_prob),
        "Posterior density of each coefficient with the MAP (red, solid), mean (blue, dashed) "
        "and median (green, dotted).")
    try:
        path = model.map_path(X, y, n_scales=40)
        scale = float(np.max(np.atleast_1d(prior.path_scale)))
        add("path", plot_path(path, posterior=[(scale, idata)], hdi_prob=hdi_prob),
            "Regularization path: MAP coefficients against the prior scale (log axis; left = "
            f"strong prior). Points with bars: posterior means and {hdi_prob:.0%} HDIs at the "
            "model's own scale.")
    except Exception as exc:  # e.g. priors without a path
        doc.p(f"Regularization path not available: `{type(exc).__name__}: {exc}`.")
    add("geometry", plot_geometry(),
        "Geometry in 2-D: the penalized optimum is where a loss contour first touches the "
        "penalty ball. The L1 diamond is touched at a corner (one coefficient exactly 0); the "
        "L2 disc is touched at a smooth point (both shrunk, neither zero).")
    var = float(np.mean(np.atleast_1d(prior_variance(prior))))
    add("priors", plot_prior_densities(var),
        f"Normal, Laplace and elastic-net priors at the model's prior variance {var:.4g} "
        "(left) and their penalties -log p(w) + log p(0) (right): the L1 kink at 0 is what "
        "makes MAP coefficients exactly zero.")

    # -- prior comparison
    doc.h2("Prior comparison (LOO)", "prior-comparison")
    doc.p("Which prior predicts new data best? Normal, Laplace and elastic-net priors with the "
          "same prior variance as this model's, each sampled on the same data and scored by "
          "PSIS-LOO (`arviz.loo`, `arviz.compare`): higher `elpd` is better, `elpd_diff` is "
          "the difference to the best with its standard error `dse`; differences smaller than "
          "about 2 dse are not meaningful.")
    if loo is not None:
        cols = [c for c in ("rank", "elpd", "se", "p", "elpd_diff", "dse", "weight", "diag_elpd")
                if c in loo.columns]
        doc.table(loo[cols], "prior")
        best = loo.index[0]
        notes = [f"Best expected log predictive density: **{best}** "
                 f"(elpd_loo {_fmt(loo.loc[best, 'elpd'])} +- {_fmt(loo.loc[best, 'se'])})."]
        for name in loo.index[1:]:
            d, se = abs(float(loo.loc[name, "elpd_diff"])), float(loo.loc[name, "dse"])
            verdict = ("worse by more than 2 dse" if d > 2 * se
                       else "within 2 dse: not distinguishable")
            notes.append(f"{name}: elpd {_fmt(d)} lower than {best} (dse {_fmt(se)}): "
                         f"{verdict}.")
        for name, m in models.items():
            notes.append(f"{name} prior used: `{m.prior!r}`.")
        doc.ul(notes)
    elif loo_err is not None:
        doc.p(f"The prior comparison could not run: `{loo_err}`.")
    else:
        doc.p("Skipped (`compare_priors=False`).")

    html_path, md_path = out / "report.html", out / "report.md"
    html_path.write_text(doc.to_html(), encoding="utf-8")
    md_path.write_text(doc.to_markdown(), encoding="utf-8")
    return ReportResult(out_dir=out, html=html_path, markdown=md_path, figures=figures, fit=fit,
                        idata=idata, table=table, diagnosis=diag, crosscheck=cc,
                        crosscheck_error=cc_err, loo=loo, prior_idata=trees, prior_models=models)
