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
from collections.abc import Callable
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
    csv : Path
        The full comparison table (``out_dir/comparison.csv``, every column of :func:`compare`).
    selection : ScaleSelection or None
        With ``select_scale``: the prior-scale choices (:meth:`bayesreg.Model.select_scale`).
    variables : ProjectionSelection or None
        With ``select_variables``: the projection predictive selection (:func:`bayesreg.project`).
    steps : dict of str -> str
        What each expensive step did: ``"map"``, ``"crosscheck"``, ``"posterior"``, ``"loo"``
        -> "computed ...", "reused ...", "skipped ..." (the page's "What was computed" list).
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
    csv: Path | None = None
    steps: dict = field(default_factory=dict)
    selection: Any = None
    variables: Any = None

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
        if 1e4 <= abs(v) < 1e12:  # log densities, ESS: all digits, no 1.392e+04
            return f"{v:.1f}" if abs(v) < 1e6 else f"{v:.0f}"
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

    def details(self, summary: str, df, index_name: str | None = None) -> None:
        """A table behind a toggle (HTML ``<details>``; the same tags in Markdown)."""
        self.blocks.append(("details", summary, df, index_name))

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
                body.append(_html_table(b[1], b[2]))
            elif kind == "details":
                body.append(f"<details>\n<summary>{self._inline_html(b[1])}</summary>\n"
                            + _html_table(b[2], b[3]) + "\n</details>")
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
            "details{margin:0.5em 0}summary{cursor:pointer;color:#235}"
            "figure{margin:1.2em 0}img{max-width:100%;height:auto}"
            "figcaption{font-size:0.9em;color:#444}pre{background:#f6f6f6;padding:0.6em;"
            "white-space:pre-wrap;overflow-wrap:anywhere}section{margin-bottom:2em}"
            "code{background:#f3f3f3;padding:0 2px}")
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
                out += _md_table(b[1], b[2]) + [""]
            elif kind == "details":
                out += ["<details>", f"<summary>{html.escape(b[1].replace('**', ''))}</summary>",
                        ""] + _md_table(b[2], b[3]) + ["", "</details>", ""]
            elif kind == "img":
                out += [f"![{b[3]}]({b[2]})", "", f"*{b[3]}*", ""]
        return "\n".join(out)


def _html_table(df, idx: str | None) -> str:
    cols = list(df.columns)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in [idx or ""] + cols)
    rows = []
    for label, row in df.iterrows():
        cells = "".join(f"<td>{html.escape(_fmt(row[c]))}</td>" for c in cols)
        rows.append(f"<tr><th>{html.escape(str(label))}</th>{cells}</tr>")
    return (f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows)
            + "\n</tbody>\n</table>")


def _md_table(df, idx: str | None) -> list[str]:
    cols = [str(c) for c in df.columns]
    out = ["| " + " | ".join([idx or ""] + cols) + " |", "|" + "---|" * (len(cols) + 1)]
    for label, row in df.iterrows():
        cells = [_fmt(row[c]).replace("|", "\\|") for c in df.columns]
        out.append("| " + " | ".join([str(label)] + cells) + " |")
    return out


def _png(fig) -> bytes:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


# ------------------------------------------------------------------------------ priors / LOO
#: the report's alternative prior families: key -> registered prior type (``to_dict()["type"]``)
_FAMILIES = {"Normal": "Normal", "Laplace": "Laplace", "ElasticNet": "ElasticNetPrior"}


def _learned_scale_alternatives(prior: Any, likelihood: Any) -> dict[str, Any]:
    """For a sparse prior (no fixed density on w, hence no variance to match): the model's prior
    next to the two reference shrinkage priors whose scales are learned from the data, the
    Bayesian lasso (Gamma hyperprior on lambda^2) and the horseshoe (tau ~ C+(0, 1)), relative
    to sigma when the likelihood has one."""
    from ..priors import BayesianLasso, Horseshoe

    rel = bool(getattr(likelihood, "has_noise_scale", False))
    own = prior.to_dict()["type"]
    out = {own: prior}
    for name, alt in (("BayesianLasso", BayesianLasso(relative_to_sigma=rel)),
                      ("Horseshoe", Horseshoe(relative_to_sigma=rel))):
        if name != own:
            out[name] = alt
    return out


def _equal_variance_alternatives(prior: Any, likelihood: Any = None) -> dict[str, Any]:
    """The model's own prior plus the other two families (Normal, Laplace, elastic net) at the
    same prior variance (per coefficient for per-coefficient scales), from
    :func:`equal_variance_priors` with ``l1_share = 0.5``. The model's prior replaces the family
    of the same registered type; any other prior comes first under its own type name. A sparse
    prior without a fixed density on w (hyperparameters in the posterior: the horseshoe family,
    R2D2, spike-and-slab) is compared with :func:`_learned_scale_alternatives` instead."""
    from .._errors import NotSupportedError
    from .plots import equal_variance_priors, prior_variance

    own = prior.to_dict()["type"]
    try:
        variance = prior_variance(prior)
    except NotSupportedError:
        if not getattr(prior, "hyper_names", ()) or getattr(prior, "inclusion_variable", None):
            raise
        return _learned_scale_alternatives(prior, likelihood)
    alternatives = equal_variance_priors(variance, 0.5)
    out = {name: (prior if _FAMILIES[name] == own else alt) for name, alt in alternatives.items()}
    if own not in _FAMILIES.values():
        out = {own: prior, **out}
    return out


def loo_compare_priors(model: Any, X: Any, y: Any, *, idata: Any = None, draws: int = 1000,
                   tune: int = 1000, chains: int = 4, random_seed: Any = None,
                   progressbar: bool = False, prior_idata: dict | None = None,
                   on_step: Callable[[str], None] | None = None) -> tuple[Any, dict, dict]:
    """LOO comparison of Normal vs Laplace vs elastic-net priors at equal prior variance.

    Each alternative keeps the model's likelihood and intercept and replaces the prior by the
    other family with the same variance as ``model.prior`` (elastic net: ``l1_share = 0.5``,
    see :func:`bayesreg.diagnostics.equal_variance_priors`). Every model is sampled with
    ``model.sample`` (``idata`` is reused for the model's own prior) and compared with
    ``arviz.compare`` (PSIS-LOO, stacking weights). No MAP is needed: a prior without a finite
    mode (``BayesianLasso``) is compared the same way, next to the three families.

    ``prior_idata`` (name -> DataTree, e.g. ``ReportResult.prior_idata`` of an earlier report)
    is reused instead of sampling those priors again; ``on_step`` is called with a one-line
    message before each sampling run.

    Returns
    -------
    (pandas.DataFrame, dict name -> DataTree, dict name -> Model)
    """
    import arviz as az

    from ..model import Model

    priors = _equal_variance_alternatives(model.prior, model.likelihood)
    given = dict(prior_idata or {})
    trees, models = {}, {}
    for k, (name, pr) in enumerate(priors.items()):
        m = Model(model.likelihood, pr, model.fit_intercept)
        models[name] = m
        if pr is model.prior and idata is not None:
            trees[name] = idata
            continue
        if name in given:
            trees[name] = given[name]
            continue
        if on_step is not None:
            on_step(f"sampling the {name} prior for the LOO comparison ({chains} chains x "
                    f"{draws} draws; compare_priors=False skips it)")
        seed = None if random_seed is None else int(random_seed) + 101 * (k + 1)
        trees[name] = m.sample(X, y, draws=draws, tune=tune, chains=chains, random_seed=seed,
                               progressbar=progressbar)
    loos = {name: az.loo(dt) for name, dt in trees.items()}
    table = az.compare(loos, round_to="none")
    return table, trees, models


# ------------------------------------------------------------------------------ report
#: coefficients per page of the posterior density grid (4 x 4 panels); at most this many pages
POSTERIOR_PAGE = 16
POSTERIOR_MAX_PAGES = 4


@dataclass
class _Ctx:
    """Everything the report's sections read and write: the inputs, the computed results and
    the document they are added to."""

    model: Any
    X: Any
    y: Any
    doc: _Doc
    fig_dir: Path
    hdi_prob: float
    fit: Any = None
    idata: Any = None
    table: Any = None
    diag: Any = None
    cc: Any = None
    cc_err: str | None = None
    crosscheck: bool = True
    loo: Any = None
    loo_err: str | None = None
    trees: dict = field(default_factory=dict)
    models: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)
    has_mode: bool = True
    selection: Any = None
    selection_err: str | None = None
    variables: Any = None
    variables_err: str | None = None
    dss: Any = None
    dss_err: str | None = None
    steps: dict = field(default_factory=dict)
    on_step: Callable[[str], None] | None = None

    def say(self, message: str) -> None:
        if self.on_step is not None:
            self.on_step(message)

    @property
    def n(self) -> int:
        return int(np.shape(self.y)[0])

    @property
    def p(self) -> int:
        return int(np.shape(self.X)[1])

    @property
    def coef(self):
        return self.table[self.table["kind"] == "coef"]

    def prior_variance(self) -> tuple[Any, str | None]:
        """(variance array or None, why not)."""
        from .plots import prior_variance

        try:
            return np.atleast_1d(prior_variance(self.model.prior)), None
        except Exception as exc:  # e.g. a hyperprior on the scale: no fixed density on w
            return None, f"{type(exc).__name__}: {exc}"

    def add_figure(self, name: str, fig, caption: str) -> None:
        png = _png(fig)
        path = self.fig_dir / f"{name}.png"
        path.write_bytes(png)
        self.figures[name] = path
        self.doc.img(png, f"figures/{name}.png", caption)


# -- the computations (in the order of the original report: MAP, cross-check, posterior, LOO)
def _run(ctx: _Ctx, draws: int, tune: int, chains: int, random_seed: Any, progressbar: bool,
         compare_priors: bool, cc_given: Any = None, prior_idata: dict | None = None,
         bar: Any = None) -> None:
    """Run (or reuse, or skip) each step, recording what was done in ``ctx.steps``; ``bar``
    (:func:`bayesreg._progress.stages`) advances once per step."""
    from .._progress import NO_STAGES
    from .compare import compare
    from .diagnose import diagnose

    bar = NO_STAGES if bar is None else bar

    model, X, y = ctx.model, ctx.X, ctx.y
    if not ctx.has_mode:
        ctx.steps["map"] = "not available: the prior has no finite mode"
    elif ctx.fit is None:
        ctx.say("computing the MAP (model.map)")
        ctx.fit = model.map(X, y)
        ctx.steps["map"] = "computed (`model.map`)"
    else:
        ctx.steps["map"] = "reused (`fit=`)"
    bar.advance()
    if not ctx.has_mode:
        ctx.cc_err = "skipped: the prior has no finite MAP"
        ctx.steps["crosscheck"] = "skipped: the prior has no finite MAP"
    elif cc_given is not None:
        ctx.cc = cc_given
        ctx.steps["crosscheck"] = "reused (`crosscheck=` a CrossCheck result)"
    elif ctx.crosscheck:
        ctx.say("running the PyMC cross-check (model.crosscheck; crosscheck=False skips it)")
        try:
            ctx.cc = model.crosscheck(X, y)
            ctx.steps["crosscheck"] = "run (`model.crosscheck`, PyMC `find_MAP`)"
        except Exception as exc:  # the report still shows everything else
            ctx.cc_err = f"{type(exc).__name__}: {exc}"
            ctx.steps["crosscheck"] = f"failed ({type(exc).__name__})"
    else:
        ctx.cc_err = "skipped (crosscheck=False)"
        ctx.steps["crosscheck"] = "skipped (`crosscheck=False`)"
    bar.advance()
    if ctx.idata is None:
        ctx.say(f"sampling the posterior ({chains} chains x {draws} draws, {tune} tune)")
        ctx.idata = model.sample(X, y, draws=draws, tune=tune, chains=chains,
                                 random_seed=random_seed, progressbar=progressbar)
        ctx.steps["posterior"] = (f"sampled (`model.sample`: {chains} chains x {draws} draws, "
                                  f"{tune} tuning steps)")
    else:
        post = ctx.idata["posterior"]
        ctx.steps["posterior"] = (f"reused (`idata=`: {post.sizes.get('chain', '?')} chains x "
                                  f"{post.sizes.get('draw', '?')} draws)")
    ctx.table = compare(ctx.idata, ctx.fit, hdi_prob=ctx.hdi_prob, X=X, y=y, extra_rows=True)
    ctx.diag = diagnose(ctx.idata)
    bar.advance()
    if compare_priors:
        given = dict(prior_idata or {})
        try:
            ctx.loo, ctx.trees, ctx.models = loo_compare_priors(
                model, X, y, idata=ctx.idata, draws=draws, tune=tune, chains=chains,
                random_seed=random_seed, progressbar=progressbar, prior_idata=given,
                on_step=ctx.on_step)
            own = [n for n, m in ctx.models.items() if m.prior is model.prior]
            from_given = [n for n in ctx.trees if n in given and n not in own]
            sampled = [n for n in ctx.trees if n not in own and n not in from_given]
            parts = []
            if own:
                parts.append(f"reused the model's own posterior for {own[0]}")
            if from_given:
                parts.append("reused the draws given in `prior_idata=` for "
                             + ", ".join(from_given))
            if sampled:
                parts.append(f"sampled {', '.join(sampled)} ({len(sampled)} run"
                             f"{'s' if len(sampled) != 1 else ''} of {chains} chains x "
                             f"{draws} draws)")
            ctx.steps["loo"] = "; ".join(parts)
        except Exception as exc:
            ctx.loo_err = f"{type(exc).__name__}: {exc}"
            ctx.steps["loo"] = f"failed ({type(exc).__name__})"
    else:
        ctx.steps["loo"] = "skipped (`compare_priors=False`)"
    bar.advance()


# -- the sections, in page order
_TOC = (("model", "Model"), ("crosscheck", "Cross-check: direct MAP vs PyMC find_MAP"),
        ("comparison", "MAP vs posterior"), ("diagnostics", "Sampler diagnostics"),
        ("plots", "Plots"), ("prior-comparison", "Prior comparison (LOO)"))


def _section_summary(ctx: _Ctx) -> None:
    lik, prior, diag, n, p = ctx.model.likelihood, ctx.model.prior, ctx.diag, ctx.n, ctx.p
    if ctx.fit is not None:
        nz = int(np.count_nonzero(ctx.fit.coef))
        point = f"The MAP (penalized estimate) has {nz} of {p} non-zero coefficients"
    else:
        point = "The prior has no finite MAP, so the report is about the posterior alone"
    ctx.doc.p(f"{type(lik).__name__} likelihood with a {type(prior).__name__} prior on {p} "
              f"coefficients, {n} observations. {point}; the posterior was sampled with "
              f"{diag.n_chains} chains x {diag.n_draws} draws; sampler diagnostics: "
              f"**{'OK' if diag.ok else 'PROBLEMS'}**.")
    toc = list(_TOC)
    if "kappa" in ctx.table.columns or "pip" in ctx.table.columns:
        toc.insert(3, ("shrinkage", "Shrinkage and sparsity"))
    toc = tuple(toc) + ((("choosing-the-scale", "Choosing the scale"),)
                        if "scale" in ctx.steps else ()) + (
        (("selecting-variables", "Selecting variables"),) if "variables" in ctx.steps else ())
    ctx.doc.ul([f"[{title}](#{anchor})" for anchor, title in toc])
    names = {"map": "MAP", "crosscheck": "PyMC cross-check", "posterior": "posterior draws",
             "loo": "LOO prior comparison"}
    ctx.doc.p("What was computed for this report (run, reused from the inputs, or skipped):")
    names["scale"] = "choosing the scale"
    names["variables"] = "selecting variables"
    ctx.doc.ul([f"{names.get(k, k)}: {v}." for k, v in ctx.steps.items()])


def _section_map(ctx: _Ctx) -> None:
    """The model, its prior variance and the MAP with its certificate (or why there is none)."""
    doc, lik, prior, fit = ctx.doc, ctx.model.likelihood, ctx.model.prior, ctx.fit
    doc.h2("Model", "model")
    doc.p("The model is a likelihood plus a prior; its log posterior (flat prior on the "
          "intercept) is `sum_i log p(y_i | intercept + x_i w) + sum_j log p(w_j)`"
          + (" + `log HalfNormal(sigma)`" if getattr(lik, "sigma", 0) is None else "")
          + (". Its mode (MAP) is the penalized estimate: the prior's negative log density is "
             "the penalty." if ctx.has_mode else "."))
    var, why = ctx.prior_variance()
    if var is None:
        var_text = f"not available ({why})"
    else:
        var_text = _fmt(float(np.max(var))) + (" (in units of sigma^2: the prior scales with "
                                               "sigma)" if prior.scales_with_sigma else "")
    doc.pre(f"likelihood: {lik!r}\nprior:      {prior!r}\nintercept:  "
            f"{'flat prior (unpenalized)' if ctx.model.fit_intercept else 'none'}\n"
            f"prior variance per coefficient: {var_text}\n"
            f"data: n = {ctx.n}, p = {ctx.p}")
    if fit is None:
        doc.p(f"**No MAP**: {prior.mode_unavailable()} The MAP and the cross-check are skipped; "
              "the tables and plots below show the posterior alone.")
        return
    doc.p(f"MAP solver `{fit.solver}`: {fit.optimality_kind} = {_fmt(fit.optimality)} "
          f"(tolerance {_fmt(fit.tol)}), converged: {_fmt(fit.converged)}; log posterior at the "
          f"mode {fit.log_posterior:.10g}; intercept {_fmt(fit.intercept)}"
          + ("" if fit.sigma is None else f", sigma {_fmt(fit.sigma)}") + ".")


def _section_crosscheck(ctx: _Ctx) -> None:
    doc, cc = ctx.doc, ctx.cc
    doc.h2("Cross-check: direct MAP vs PyMC find_MAP", "crosscheck")
    doc.p("The same model built in PyMC and optimized by `pm.find_MAP` must land on the "
          "same mode as the direct solver: this table shows both, coefficient by coefficient.")
    if cc is not None:
        doc.p(f"Cross-check: **{getattr(cc, 'verdict_text', 'PASSED' if cc.passed else 'FAILED')}**.")
        try:
            doc.table(cc.to_frame(order="magnitude"), "feature")
        except Exception as exc:  # pragma: no cover - defensive
            doc.pre(str(exc))
        text = str(cc)
        cut = text.find("\nlog posterior")  # the table above already shows the coefficients
        doc.pre(text[cut + 1:] if cut >= 0 else text)
    elif not ctx.has_mode:
        doc.p("Skipped: the prior has no finite MAP to cross-check (see [Model](#model)).")
    elif not ctx.crosscheck:
        doc.p("Skipped (`crosscheck=False`).")
    else:
        doc.p(f"The cross-check could not run: `{ctx.cc_err}`.")


def _map_findings(coef, hdi_prob: float) -> list[str]:
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
    return findings


#: the compact comparison table: compare() column -> header (read from the table at run time:
#: columns it does not have are left out)
COMPACT_COLUMNS = {"map": "MAP", "mean": "mean", "median": "median", "hdi": "HDI",
                   "p_near_zero": "P(near 0)", "r_hat": "R-hat", "ess_bulk": "ESS"}


def _compact_table(table, hdi_prob: float):
    """The columns a user reads first: MAP, mean, median, HDI as one ``[low, high]`` column,
    P(near 0), R-hat and bulk ESS."""
    import pandas as pd

    out = pd.DataFrame(index=table.index)
    for col, head in COMPACT_COLUMNS.items():
        if col == "hdi":
            if {"hdi_low", "hdi_high"} <= set(table.columns):
                out[f"{hdi_prob:.0%} {head}"] = [
                    f"[{_fmt(lo)}, {_fmt(hi)}]" for lo, hi in zip(table["hdi_low"],
                                                                   table["hdi_high"])]
        elif col in table.columns:
            out[head] = table[col]
    if "p_near_zero" in table.columns:  # NaN for intercept / sigma: shown empty
        out["P(near 0)"] = [v if np.isnan(v) else f"{v:.2f}"
                            for v in table["p_near_zero"].astype(float)]
    if "r_hat" in table.columns:
        out["R-hat"] = [v if np.isnan(v) else f"{v:.3f}" for v in table["r_hat"].astype(float)]
    if "ess_bulk" in table.columns:
        out["ESS"] = [v if np.isnan(v) else f"{v:.0f}" for v in table["ess_bulk"].astype(float)]
    return out


def _section_compare(ctx: _Ctx) -> None:
    doc, table, coef, hdi = ctx.doc, ctx.table, ctx.coef, ctx.hdi_prob
    has_map = ctx.fit is not None
    doc.h2("MAP vs posterior", "comparison")
    doc.p(("One row per coefficient: the MAP next to the posterior mean, median, sd and "
           if has_map else "One row per coefficient (no MAP: the prior has no finite mode): the "
           "posterior mean, median, sd and ")
          + f"{hdi:.0%} HDI (all from ArviZ), "
          + ("whether the MAP lies in the HDI, " if has_map else "")
          + f"`p_near_zero` = P(|w| < zero_tol | y) with zero_tol = "
          f"{table.attrs['zero_tol_rule']}, shrinkage `1 - estimate / ls` relative to "
          f"{table.attrs['ls_rule']} (0 = none, 1 = all the way to zero), and the "
          "per-coefficient R-hat / ESS / MCSE.")
    doc.p("The columns read first are shown (ESS = bulk ESS); the full table with every "
          "column described above is behind the toggle below and in `comparison.csv` next to "
          "this page.")
    doc.table(_compact_table(table, hdi), "param")
    doc.details(f"Full table ({len(table.columns)} columns)", table, "param")
    findings = _map_findings(coef, hdi) if has_map else []
    sm = coef["shrinkage_map"].dropna() if has_map else coef["shrinkage_mean"].iloc[:0]
    sp_ = coef["shrinkage_mean"].dropna()
    if len(sm):
        findings.append(f"Median shrinkage relative to least squares: MAP {sm.median():.2f}, "
                        f"posterior mean {sp_.median():.2f}.")
    elif not has_map and len(sp_):
        findings.append(f"Median shrinkage of the posterior mean relative to least squares: "
                        f"{sp_.median():.2f}.")
    doc.ul(findings)


def _section_shrinkage(ctx: _Ctx) -> None:
    """Shrinkage and sparsity (only for priors with hyperparameters in the posterior: the
    horseshoe family, R2D2, spike-and-slab): kappa_j, m_eff (posterior and prior), PIPs."""
    import pandas as pd

    from ..priors.calibration import effective_nonzero
    from .shrinkage import shrinkage_factors

    table = ctx.table
    if "kappa" not in table.columns and "pip" not in table.columns:
        return
    doc, coef = ctx.doc, ctx.coef
    doc.h2("Shrinkage and sparsity", "shrinkage")
    try:
        sf = shrinkage_factors(ctx.idata, ctx.X, ctx.y, prior=ctx.model.prior,
                               likelihood=ctx.model.likelihood)
    except Exception as exc:  # the report still shows everything else
        sf, why = None, f"{type(exc).__name__}: {exc}"
    out = pd.DataFrame({"mean": coef["mean"]}, index=coef.index)
    notes = []
    if sf is not None:
        doc.p("A sparse prior separates signal from noise in the posterior, not in a mode. The "
              "shrinkage factor of coefficient j (Piironen & Vehtari 2017) is `kappa_j = 1 / (1 "
              "+ n sigma^-2 s_j^2 v_j)`, with `v_j` the prior variance of `w_j` given the drawn "
              "hyperparameters and `s_j` the sd of column j: for uncorrelated columns the "
              "posterior mean given the hyperparameters is `(1 - kappa_j)` times least squares "
              "(0 = no shrinkage, 1 = shrunk to zero). `m_eff = sum_j (1 - kappa_j)` is the "
              f"effective number of non-zero coefficients (sigma^-2: {sf.precision_rule}).")
        fr = sf.to_frame()
        out["kappa"] = fr["kappa_mean"].to_numpy()
        out["kappa 5%"] = fr["kappa_low"].to_numpy()
        out["kappa 95%"] = fr["kappa_high"].to_numpy()
        m = sf.m_eff_summary(ctx.hdi_prob)
        notes.append(f"Posterior m_eff: mean {m['mean']:.2f}, {m['prob']:.0%} interval "
                     f"[{m['low']:.2f}, {m['high']:.2f}] of {ctx.p} coefficients.")
        try:
            prior_m = effective_nonzero(ctx.model.prior, ctx.n, ctx.p,
                                        sigma=1.0 / np.sqrt(sf.precision), draws=4000,
                                        random_seed=0, verbose=False)
            q = prior_m.quantiles()
            notes.append(f"Prior m_eff (before seeing y; standardized columns): mean "
                         f"{prior_m.mean:.2f}, 5%-95% [{q[0.05]:.2f}, {q[0.95]:.2f}]: "
                         "`br.effective_nonzero` calibrates the prior.")
        except Exception as exc:
            notes.append(f"Prior m_eff not available: `{type(exc).__name__}: {exc}`.")
        strong = [str(k) for k, v in zip(out.index, out["kappa"]) if v < 0.5]
        notes.append(f"Less than half shrunk (posterior mean kappa < 0.5): {len(strong)} "
                     f"coefficient{'s' if len(strong) != 1 else ''}"
                     + (f" ({', '.join(strong[:20])}{', ...' if len(strong) > 20 else ''})."
                        if strong else "."))
    else:
        doc.p(f"The shrinkage factors could not be computed: `{why}`.")
    if "pip" in table.columns:
        out["pip"] = coef["pip"].to_numpy()
        med = [str(k) for k, v in zip(coef.index, coef["pip"]) if v > 0.5]
        notes.append("`pip` is the posterior inclusion probability (the share of draws with "
                     "the coefficient in the model); the median probability model (pip > 0.5, "
                     f"Barbieri & Berger 2004) has {len(med)} coefficient"
                     f"{'s' if len(med) != 1 else ''}"
                     + (f": {', '.join(med[:20])}." if med else "."))
    if "p_near_zero" in coef.columns:
        out["p_near_zero"] = coef["p_near_zero"].to_numpy()
    doc.table(out.map(lambda v: f"{v:.3g}" if isinstance(v, float) else v), "param")
    doc.ul(notes)


def _section_diagnose(ctx: _Ctx) -> None:
    doc, diag = ctx.doc, ctx.diag
    doc.h2("Sampler diagnostics", "diagnostics")
    doc.p(f"Can the draws be trusted? R-hat <= {diag.thresholds['rhat_max']} (chains agree), "
          f"bulk/tail ESS >= {diag.thresholds['ess_min']:g} (enough independent draws), "
          f"at most {diag.thresholds['max_divergences']} divergences, E-BFMI >= "
          f"{diag.thresholds['bfmi_min']} (tree-depth hits are advisory). Result: "
          f"**{'all checks passed' if diag.ok else 'problems found'}**.")
    doc.table(diag.to_frame(), "check")
    doc.ul(diag.messages)


def _geometry_figure(ctx: _Ctx, plot_geometry) -> tuple[Any, str]:
    """The L1/L2 geometry for this model: the likelihood's own loss (least squares, logistic,
    Poisson) over the two coefficients largest in standardized magnitude (MAP, else posterior
    mean), the other coefficients held at those values. Falls back to the textbook quadratic
    example (and says so) for p < 2 or when the 2-D loss has no finite minimizer."""
    lik = ctx.model.likelihood
    kind = type(lik).__name__
    try:
        if ctx.p < 2:
            raise ValueError("fewer than 2 coefficients")
        X = ctx.X.toarray() if hasattr(ctx.X, "toarray") else np.asarray(ctx.X, dtype=float)
        y = np.asarray(ctx.y, dtype=float)
        coef = ctx.coef
        est = (coef["map"] if ctx.fit is not None else coef["mean"]).to_numpy(dtype=float)
        names = [str(n) for n in coef.index]
        size = np.abs(est) * X.std(axis=0)
        j1, j2 = (int(j) for j in np.argsort(-size, kind="stable")[:2])
        rest = [j for j in range(ctx.p) if j not in (j1, j2)]
        offset = X[:, rest] @ est[rest] if rest else np.zeros(ctx.n)
        pair = X[:, [j1, j2]]
        if kind == "Gaussian":
            fig = plot_geometry(X=pair, y=y - offset, budget=None,
                                feature_names=(names[j1], names[j2]))
        else:
            fig = plot_geometry(X=pair, y=y, budget=None, likelihood=lik, offset=offset,
                                fit_intercept=ctx.model.fit_intercept,
                                feature_names=(names[j1], names[j2]))
        held = "MAP" if ctx.fit is not None else "posterior mean"
        loss = fig.bayesreg_geometry["loss_name"]
        return fig, (f" for this model: contours of the {loss} loss ({kind} likelihood) over "
                     f"the coefficients of **{names[j1]}** and **{names[j2]}** (the two largest "
                     f"in standardized size), the other coefficients held at their {held}; ball "
                     "radius: half the L1 norm of the unpenalized 2-D optimum")
    except Exception as exc:  # textbook example instead: the page says why
        why = f"{type(exc).__name__}: {exc}"
        return plot_geometry(), (f" (a textbook least-squares example: the {kind} loss of this "
                                 f"model could not be drawn, `{why}`)")


def _section_plots(ctx: _Ctx) -> None:
    from .plots import (
        plot_forest_map,
        plot_geometry,
        plot_path,
        plot_posterior_page,
        plot_prior_densities,
    )

    doc, fit, idata, hdi, prior = ctx.doc, ctx.fit, ctx.idata, ctx.hdi_prob, ctx.model.prior
    doc.h2("Plots", "plots")
    doc.p("Pictures of the same comparison: where the MAP sits in each posterior, how the MAP "
          "moves with the prior's scale, why L1 gives exact zeros, and what the priors look "
          "like." + ("" if fit is not None else " The prior has no finite MAP: the posterior "
                     "plots have no MAP marks and there is no regularization path."))
    mark = ", MAP as a red diamond" if fit is not None else ""
    ctx.add_figure("forest_map", plot_forest_map(idata, fit, hdi),
                   f"Forest plot: posterior mean (dot), 50% and {hdi:.0%} HDI (thick / thin "
                   f"lines) per coefficient{mark}."
                   + (" A diamond at 0 inside a wide interval is a sparse mode, not a zero "
                      "effect." if fit is not None else ""))
    lines = "the MAP (red, solid), mean" if fit is not None else "the mean"
    p = ctx.p
    pages = [list(range(k, min(k + POSTERIOR_PAGE, p))) for k in range(0, p, POSTERIOR_PAGE)]
    shown = pages[:POSTERIOR_MAX_PAGES]
    for k, page in enumerate(shown):
        name = "posterior_map" if k == 0 else f"posterior_map_{k + 1}"
        part = ("" if len(pages) == 1 else
                f" Coefficients {page[0] + 1}-{page[-1] + 1} of {p} (page {k + 1}).")
        ctx.add_figure(name, plot_posterior_page(idata, fit, hdi,
                                                 features=None if len(pages) == 1 else page),
                       f"Posterior density of each coefficient with {lines} (blue, dashed) "
                       f"and median (green, dotted).{part}")
    if len(pages) > len(shown):
        doc.p(f"Posterior densities of the remaining {p - POSTERIOR_PAGE * len(shown)} "
              "coefficients are not drawn (the forest plot and the table show all of them).")
    if fit is None:
        doc.p("Regularization path not available: the prior has no finite MAP (see "
              "[Model](#model)).")
    else:
        try:
            path = ctx.model.map_path(ctx.X, ctx.y, n_scales=40)
            scale = float(np.max(np.atleast_1d(prior.path_scale)))
            ctx.add_figure("path", plot_path(path, posterior=[(scale, idata)], hdi_prob=hdi),
                           "Regularization path: MAP coefficients against the prior scale (log "
                           f"axis; left = strong prior). The {min(ctx.p, 10)} coefficients "
                           "largest at the weakest prior are coloured and labelled at the line "
                           "end" + (", the others grey" if ctx.p > 10 else "") + ". Points with "
                           f"bars: their posterior means and {hdi:.0%} HDIs at the model's own "
                           "scale (dotted line).")
        except Exception as exc:  # e.g. priors without a path
            doc.p(f"Regularization path not available: `{type(exc).__name__}: {exc}`.")
    fig, where = _geometry_figure(ctx, plot_geometry)
    ctx.add_figure("geometry", fig,
                   f"Geometry in 2-D{where}: the penalized optimum is where a loss contour first "
                   "touches the penalty ball. The L1 diamond is touched at a corner (one "
                   "coefficient exactly 0); the L2 disc is touched at a smooth point (both "
                   "shrunk, neither zero).")
    var, why = ctx.prior_variance()
    if var is None:
        doc.p(f"Equal-variance prior densities not drawn: the prior variance is not available "
              f"(`{why}`).")
        return
    v = float(np.mean(var))
    ctx.add_figure("priors", plot_prior_densities(v),
                   f"Normal, Laplace and elastic-net priors at the model's prior variance {v:.4g} "
                   "(left) and their penalties -log p(w) + log p(0) (right): the L1 kink at 0 is "
                   "what makes MAP coefficients exactly zero.")


def _loo_table(loo):
    """``arviz.compare`` output for reading: the differences to the best first (one decimal,
    ``elpd_diff / dse`` next to them), then elpd, se, p_loo and the stacking weight; no
    exponent notation."""
    import pandas as pd

    def num(v, digits=1):
        v = float(v)
        return "" if math.isnan(v) else f"{v:.{digits}f}"

    out = pd.DataFrame(index=loo.index)
    if "rank" in loo.columns:
        out["rank"] = [str(int(r)) for r in loo["rank"]]
    for col in ("elpd_diff", "dse"):
        if col in loo.columns:
            out[col] = [num(v) for v in loo[col]]
    if {"elpd_diff", "dse"} <= set(loo.columns):
        out["diff / dse"] = ["" if float(d) == 0.0 or not float(se) > 0 else
                             f"{abs(float(d)) / float(se):.1f}"
                             for d, se in zip(loo["elpd_diff"], loo["dse"])]
    for col, digits in (("elpd", 1), ("se", 1), ("p", 1), ("weight", 2)):
        if col in loo.columns:
            out["p_loo" if col == "p" else col] = [num(v, digits) for v in loo[col]]
    for col in ("diag_elpd", "diag_diff"):
        if col in loo.columns:
            out[col] = ["" if v is None or v is False or (isinstance(v, float) and math.isnan(v))
                        else str(v) for v in loo[col]]
    return out


def _section_priors_loo(ctx: _Ctx) -> None:
    doc, loo = ctx.doc, ctx.loo
    doc.h2("Prior comparison (LOO)", "prior-comparison")
    doc.p("Which prior predicts new data best? Normal, Laplace and elastic-net priors with the "
          "same prior variance as this model's, each sampled on the same data and scored by "
          "PSIS-LOO (`arviz.loo`, `arviz.compare`): higher `elpd` is better, `elpd_diff` is "
          "the difference to the best with its standard error `dse`; differences smaller than "
          "about 2 dse are not meaningful. A sparse prior (no fixed variance to match: the "
          "horseshoe family, R2D2) is compared with the Bayesian lasso and the horseshoe "
          "instead, both with their scales learned from the data.")
    if loo is not None:
        doc.table(_loo_table(loo), "prior")
        best = loo.index[0]
        notes = [f"Best expected log predictive density: **{best}** "
                 f"(elpd_loo {float(loo.loc[best, 'elpd']):.1f} +- "
                 f"{float(loo.loc[best, 'se']):.1f})."]
        for name in loo.index[1:]:
            d, se = abs(float(loo.loc[name, "elpd_diff"])), float(loo.loc[name, "dse"])
            verdict = ("worse by more than 2 dse" if d > 2 * se
                       else "within 2 dse: not distinguishable")
            notes.append(f"{name}: elpd {d:.1f} lower than {best} (dse {se:.1f}): "
                         f"{verdict}.")
        for name, m in ctx.models.items():
            notes.append(f"{name} prior used: `{m.prior!r}`.")
        doc.ul(notes)
        doc.p(f"Draws: {ctx.steps.get('loo', '')}.")
    elif ctx.loo_err is not None:
        doc.p(f"The prior comparison could not run: `{ctx.loo_err}`.")
    else:
        doc.p("Skipped (`compare_priors=False`).")


def _section_scale(ctx: _Ctx) -> None:
    """Choosing the scale (only with ``select_scale``): the choices of CV, empirical Bayes, ...
    side by side, where they disagree, and the CV curve."""
    if "scale" not in ctx.steps:
        return
    doc, sel = ctx.doc, ctx.selection
    doc.h2("Choosing the scale", "choosing-the-scale")
    doc.p("The prior scale is the penalty. Cross-validation (cv.glmnet's statistics: "
          "`scale_min` and the 1-SE rule) and empirical Bayes (the scale maximizing the marginal "
          "likelihood) choose it from the data; the grid is stated on the full data's n.")
    if sel is None:
        doc.p(f"The scale selection could not run: `{ctx.selection_err}`.")
        return
    doc.table(sel.to_frame().set_index("method"), "method")
    notes = [f"{k}: not run ({v})." for k, v in sel.skipped.items()]
    notes += sel.disagreement().splitlines()
    if sel.eb is not None:
        notes.append(f"Empirical Bayes: {sel.eb['note']}.")
    doc.ul(notes)
    if sel.cv_mean is not None or sel.log_evidence is not None:
        import matplotlib.pyplot as plt

        ax = sel.plot()
        ctx.add_figure("choosing_the_scale", ax.figure,
                       "CV error (band: one standard error) against the prior scale, with the "
                       "chosen scales.")
        plt.close(ax.figure)


def _section_variables(ctx: _Ctx) -> None:
    """Selecting variables (only with ``select_variables``): projection predictive selection with
    the posterior as the reference (elpd per submodel size, the suggested submodel, its projected
    posterior) and the DSS summary next to it."""
    if "variables" not in ctx.steps:
        return
    doc, sel = ctx.doc, ctx.variables
    doc.h2("Selecting variables", "selecting-variables")
    doc.p("Which variables matter? Projection predictive selection (as R's projpred) takes the "
          "posterior as the reference model and projects every draw onto submodels (KL "
          "projection: the submodel closest in predictions to the full posterior); a search adds "
          "the variables one by one, each size is scored by PSIS-LOO. The suggested size is "
          "projpred's rule: the smallest submodel whose elpd is within one standard error of the "
          "reference's (`sel.suggest_size()`).")
    if sel is None:
        doc.p(f"The variable selection could not run: `{ctx.variables_err}`.")
        return
    k = sel.suggest_size()
    cols = [c for c in ("feature", "elpd", "elpd_se", "elpd_diff", "elpd_diff_se", sel.metric,
                        f"{sel.metric}_se", "pareto_k_max") if c in sel.table.columns]
    doc.table(sel.table[cols], "size")
    chosen = sel.order[:k]
    notes = [f"Search: {sel.search}, scored by "
             f"{'PSIS-LOO' if sel.cv == 'loo' else f'{sel.cv}-fold cross-validation'}; "
             f"reference elpd {sel.reference['elpd']:.1f} +- {sel.reference['elpd_se']:.1f}.",
             f"Suggested size **{k}**: " + (", ".join(f"`{f}`" for f in chosen) if chosen
                                            else "the intercept-only model") + "."]
    if ctx.dss is not None:
        same = set(ctx.dss.selected) == set(chosen)
        notes.append(f"Decoupling shrinkage and selection (`br.sparsify`) selects "
                     f"{ctx.dss.size}: " + ", ".join(f"`{f}`" for f in ctx.dss.selected)
                     + (" (the same set)." if same else " (a different set)."))
    elif ctx.dss_err is not None:
        notes.append(f"Decoupling shrinkage and selection could not run: `{ctx.dss_err}`.")
    doc.ul(notes)
    if k > 0:
        from .compare import compare

        sub = compare(sel.posterior(k), hdi_prob=ctx.hdi_prob)
        keep = [c for c in ("mean", "sd", "hdi_low", "hdi_high") if c in sub.columns]
        doc.details(f"Projected posterior of the suggested submodel (size {k})", sub[keep],
                    "param")
    import matplotlib.pyplot as plt

    ax = sel.plot()
    ctx.add_figure("selecting_variables", ax.figure,
                   "elpd (PSIS-LOO) of each submodel size with +-1 SE, the reference model "
                   "(red) and the suggested size (dashed).")
    plt.close(ax.figure)


_SECTIONS = (_section_summary, _section_map, _section_crosscheck, _section_compare,
            _section_shrinkage, _section_diagnose, _section_plots, _section_priors_loo,
            _section_scale, _section_variables)


def _run_variables(ctx: _Ctx, select_variables: Any, random_seed: Any) -> None:
    """The projection predictive selection of the report (computed, or reused when given) and
    the DSS summary of the same posterior."""
    from ..selection.projection import ProjectionSelection, project
    from ..selection.sparsify import sparsify

    if isinstance(select_variables, ProjectionSelection):
        ctx.variables = select_variables
        ctx.steps["variables"] = "reused (`select_variables=` a ProjectionSelection)"
    else:
        ctx.say("selecting variables (br.project: forward search, PSIS-LOO; "
                "select_variables=False skips it)")
        try:
            ctx.variables = project(ctx.idata, ctx.model, ctx.X, ctx.y, search="forward",
                                    cv="loo", random_seed=random_seed)
            ctx.steps["variables"] = "computed (`br.project`: forward search, PSIS-LOO)"
        except Exception as exc:  # the report still shows everything else
            ctx.variables_err = f"{type(exc).__name__}: {exc}"
            ctx.steps["variables"] = f"failed ({type(exc).__name__})"
            return
    try:
        ctx.dss = sparsify(ctx.idata, ctx.model, ctx.X, ctx.y)
    except Exception as exc:  # DSS is a side note: the section says why it is missing
        ctx.dss = None
        ctx.dss_err = f"{type(exc).__name__}: {exc}"


def report(model: Any, X: Any, y: Any, out_dir: str | Path = "bayesreg-report", draws: int = 1000,
           tune: int = 1000, chains: int = 4, random_seed: Any = None,
           compare_priors: bool = True, progressbar: bool = False, *, hdi_prob: float = 0.94,
           idata: Any = None, fit: Any = None, crosscheck: Any = True,
           prior_idata: dict | None = None,
           on_step: Callable[[str], None] | None = None,
           select_scale: Any = False, select_variables: Any = False) -> ReportResult:
    """Fit, cross-check, sample, compare and diagnose a model; write an HTML + Markdown report.

    Steps: ``fit = model.map(X, y)`` (the posterior mode / penalized estimate, with its
    certificate); ``model.crosscheck(X, y)`` (the same mode found by PyMC's ``find_MAP``);
    ``idata = model.sample(X, y, ...)`` (full posterior, nutpie); :func:`compare` (MAP vs
    posterior per coefficient); :func:`diagnose` (R-hat, ESS, divergences, E-BFMI); the plots
    (forest and densities with the MAP, regularization path with the posterior overlaid, L1/L2
    geometry, equal-variance priors); and, with ``compare_priors``, PSIS-LOO
    (``arviz.loo`` / ``arviz.compare``) of Normal vs Laplace vs elastic-net priors at the same
    prior variance (:func:`loo_compare_priors`).

    A prior without a finite mode (``model.prior.as_penalty(...)`` is None, e.g.
    ``BayesianLasso``): the MAP and the cross-check are skipped, the Model section gives the
    prior's ``mode_unavailable()`` explanation, ``ReportResult.fit`` is None, the table has no
    MAP columns, the posterior plots no MAP marks, and the regularization path is left out (the
    page says why). Many coefficients: the posterior density grid is paged, 16 per figure, at
    most 4 figures (the forest plot, whose height grows with p, and the table show all).

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
        A bar over the report's steps (MAP, cross-check, sampling, LOO, each section; tqdm when
        installed, else rich) and the samplers' own bars.
    hdi_prob : float, default 0.94
    idata, fit : optional, already computed posterior draws / MAP of this model on this data
        (skips the corresponding step; ``fit`` must be None for a prior without a mode).
    crosscheck : bool or CrossCheck, default True
        Run ``model.crosscheck`` (PyMC ``find_MAP``); False skips it (the section says so); a
        ``CrossCheck`` result (``model.crosscheck(X, y)`` or ``ReportResult.crosscheck`` of an
        earlier report) is reused as is.
    prior_idata : dict of str -> DataTree, optional
        Draws of the LOO comparison's alternative priors (keys ``"Normal"``, ``"Laplace"``,
        ``"ElasticNet"``, e.g. ``ReportResult.prior_idata`` of an earlier report): reused
        instead of sampling them again.
    on_step : callable(str), optional
        Called with a one-line message before each expensive step (MAP, cross-check, sampling
        runs), naming the parameter that skips it: a command line can say what it runs.

    select_scale : bool or ScaleSelection, default False
        True: add a "Choosing the scale" section (``model.select_scale(X, y, methods=("cv",
        "eb"), n_scales=30, cv=5, random_state=random_seed)``: CV with cv.glmnet's statistics
        and empirical Bayes, side by side); a ``ScaleSelection`` is shown as given.
    select_variables : bool or ProjectionSelection, default False
        True: add a "Selecting variables" section: ``br.project(idata, model, X, y,
        search="forward", cv="loo", random_seed=random_seed)`` on the report's posterior (elpd per
        submodel size with the reference line, the suggested submodel and its projected
        posterior) and ``br.sparsify`` (DSS) next to it; a ``ProjectionSelection`` is shown as
        given.

    The page lists what was computed, reused or skipped (also in ``ReportResult.steps``), and
    the full comparison table is written to ``out_dir/comparison.csv``.

    Returns
    -------
    ReportResult
    """
    from ..model import Model
    from ..penalties import has_mode

    if not isinstance(model, Model):
        raise BayesregTypeError(f"model must be a bayesreg.Model, got {type(model).__name__}.")
    for name, v, lo in (("draws", draws, 1), ("tune", tune, 0), ("chains", chains, 1)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise ParameterError(f"{name} must be an integer >= {lo}, got {v!r}.")
    hdi_prob = check_prob(hdi_prob, "hdi_prob")
    cc_given = None
    if not isinstance(crosscheck, (bool, np.bool_)):
        if not (hasattr(crosscheck, "passed") and hasattr(crosscheck, "to_frame")):
            raise BayesregTypeError(f"crosscheck must be True, False or a CrossCheck result "
                                    f"(model.crosscheck(X, y)), got {type(crosscheck).__name__}.")
        cc_given, crosscheck = crosscheck, True
    if prior_idata is not None and not isinstance(prior_idata, dict):
        raise BayesregTypeError(f"prior_idata must be a dict name -> DataTree, got "
                                f"{type(prior_idata).__name__}.")
    if not (isinstance(select_variables, (bool, np.bool_)) or select_variables is None
            or hasattr(select_variables, "suggest_size")):
        raise BayesregTypeError(f"select_variables must be True, False or a ProjectionSelection "
                                f"(br.project(...)), got {type(select_variables).__name__}.")
    shape = getattr(X, "shape", None) or np.shape(X)  # array-likes without .shape: lists of rows
    if len(shape) != 2:
        raise ParameterError(f"X must be 2-D (rows x columns), got shape {tuple(shape)}: reshape a "
                             "single feature with X.reshape(-1, 1).")
    mode = has_mode(model.prior, shape[1])
    if fit is not None and not mode:
        raise ParameterError(f"fit was given but {type(model.prior).__name__} has no finite MAP: "
                             f"{model.prior.mode_unavailable()}")
    out = Path(out_dir)
    (out / "figures").mkdir(parents=True, exist_ok=True)
    from .._progress import stages

    with stages(progressbar, 4 + len(_SECTIONS), "bayesreg report") as bar:
        def step(message: str) -> None:
            # with on_step the caller announces the whole message (a command line with its own
            # flag names): the bar shows only the step's title, without the keyword that skips it
            bar.describe(message.split(" (")[0] if on_step is not None else message)
            if on_step is not None:
                on_step(message)

        ctx = _Ctx(model, X, y, _Doc("bayesreg report"), out / "figures", hdi_prob, fit=fit,
                   idata=idata, crosscheck=bool(crosscheck), has_mode=mode, on_step=step)
        _run(ctx, draws, tune, chains, random_seed, progressbar, compare_priors, cc_given,
             prior_idata, bar)
        if select_scale is not False and select_scale is not None:
            if hasattr(select_scale, "choices") and hasattr(select_scale, "to_frame"):
                ctx.selection = select_scale
                ctx.steps["scale"] = "reused (`select_scale=` a ScaleSelection)"
            else:
                ctx.say("choosing the prior scale (model.select_scale: 5-fold CV and empirical "
                        "Bayes; select_scale=False skips it)")
                try:
                    ctx.selection = model.select_scale(X, y, methods=("cv", "eb"), n_scales=30,
                                                       cv=5, random_state=random_seed,
                                                       progressbar=progressbar)
                    ctx.steps["scale"] = ("computed (`model.select_scale`: 5-fold CV, empirical "
                                          "Bayes)")
                except Exception as exc:  # the report still shows everything else
                    ctx.selection_err = f"{type(exc).__name__}: {exc}"
                    ctx.steps["scale"] = f"failed ({type(exc).__name__})"
        if select_variables is not None and (bool(select_variables) if isinstance(
                select_variables, (bool, np.bool_)) else True):
            _run_variables(ctx, select_variables, random_seed)
        for section in _SECTIONS:
            bar.describe(f"report: {section.__name__.removeprefix('_section_')} section")
            section(ctx)
            bar.advance()
    html_path, md_path = out / "report.html", out / "report.md"
    html_path.write_text(ctx.doc.to_html(), encoding="utf-8")
    md_path.write_text(ctx.doc.to_markdown(), encoding="utf-8")
    csv_path = out / "comparison.csv"
    ctx.table.to_csv(csv_path, index_label="param")
    return ReportResult(out_dir=out, html=html_path, markdown=md_path, figures=ctx.figures,
                        fit=ctx.fit, idata=ctx.idata, table=ctx.table, diagnosis=ctx.diag,
                        crosscheck=ctx.cc, crosscheck_error=ctx.cc_err, loo=ctx.loo,
                        prior_idata=ctx.trees, prior_models=ctx.models, csv=csv_path,
                        steps=dict(ctx.steps), selection=ctx.selection,
                        variables=ctx.variables)
