"""The report's figures and tables with many coefficients (p = 10, 30, 100): legends inside the
figure and off the data, titles and labels that do not overlap, no colour reused among directly
labelled lines; the geometry figure drawn with the model's own loss; the compact comparison
table, the full table behind a toggle and in comparison.csv; readable LOO differences; the page
saying what was run, reused or skipped. No sampling: posteriors are synthetic DataTrees."""

import importlib
import itertools
import re

import matplotlib

matplotlib.use("Agg")

import arviz as az  # noqa: E402
import matplotlib.colors as mcolors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.text as mtext  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy import optimize, special, stats  # noqa: E402

import bayesreg as br  # noqa: E402
from bayesreg.diagnostics import plots as P  # noqa: E402

# the module (``bayesreg.diagnostics.report`` the attribute is the function)
R = importlib.import_module("bayesreg.diagnostics.report")


# ------------------------------------------------------------------------------ helpers
def _names(p):
    # long, similar names: the worst case for labels (cut at LABEL_CHARS characters)
    return [f"x{j}" if p <= 10 else f"standardized_feature_{j:03d}_value" for j in range(p)]


def _tree(rng, names, center, chains=2, draws=60, loglik_n=None, shift=0.0):
    p = len(names)
    post = {"coef": 0.2 * rng.normal(size=(chains, draws, p)) + center,
            "intercept": 0.1 * rng.normal(size=(chains, draws)),
            "sigma": 1 + 0.05 * rng.normal(size=(chains, draws))}
    groups = {"posterior": post,
              "sample_stats": {"diverging": np.zeros((chains, draws), bool),
                               "energy": rng.normal(size=(chains, draws))}}
    dims = {"coef": ["feature"]}
    if loglik_n:
        groups["log_likelihood"] = {"y": rng.normal(-1400.0 / loglik_n, 0.05,
                                                    size=(chains, draws, loglik_n)) + shift}
        dims["y"] = ["obs"]
    return az.from_dict(groups, dims=dims, coords={"feature": list(names)})


def _problem(rng, p, lik="Gaussian"):
    n = max(120, p + 40)
    X = rng.normal(size=(n, p))
    beta = np.zeros(p)
    beta[:4] = [0.9, -0.7, 0.5, 0.3]
    eta = X @ beta
    if lik == "Gaussian":
        y, likelihood = eta + rng.normal(size=n), br.Gaussian()
    elif lik == "Bernoulli":
        y, likelihood = (rng.random(n) < special.expit(eta)).astype(float), br.Bernoulli()
    else:
        y, likelihood = rng.poisson(np.exp(0.2 + 0.5 * eta)).astype(float), br.Poisson()
    X = pd.DataFrame(X, columns=_names(p))
    model = br.Model(likelihood, br.Laplace(0.1))
    return model, X, y, model.map(X, y)


def _overlap(a, b, tol=0.5):
    """Two display-space boxes overlap by more than ``tol`` pixels in both directions."""
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > tol) and (min(a.y1, b.y1) - max(a.y0, b.y0) > tol)


def _inside(box, fig_box, tol=1.0):
    return (box.x0 >= fig_box.x0 - tol and box.y0 >= fig_box.y0 - tol
            and box.x1 <= fig_box.x1 + tol and box.y1 <= fig_box.y1 + tol)


def _legends(fig):
    return [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + fig.legends


def _check_layout(fig):
    """Every legend inside the figure and off every axes' data area; no two titles (axes
    titles and the suptitle) overlap each other or a legend."""
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    fbox = fig.bbox
    legends = [lg.get_window_extent(r) for lg in _legends(fig)]
    for lg in legends:
        assert _inside(lg, fbox), (lg, fbox)
    titles = [ax.title for ax in fig.axes if ax.title.get_text()]
    if fig._suptitle is not None:
        titles.append(fig._suptitle)
    boxes = [t.get_window_extent(r) for t in titles]
    for t, b in zip(titles, boxes):
        assert _inside(b, fbox), t.get_text()
    for (ta, a), (tb, b) in itertools.combinations(zip(titles, boxes), 2):
        assert not _overlap(a, b), (ta.get_text(), tb.get_text())
    for lg in legends:
        for t, b in zip(titles, boxes):
            assert not _overlap(lg, b), t.get_text()
    return r


def _no_text_overlap(texts, r):
    # the text itself (an annotation's own extent includes its leader line)
    boxes = [mtext.Text.get_window_extent(t, r) for t in texts
             if t.get_visible() and t.get_text()]
    for a, b in itertools.combinations(boxes, 2):
        assert not _overlap(a, b), (a, b)
    return len(boxes)


# ------------------------------------------------------------------------------ figures
@pytest.mark.parametrize("p", [10, 30, 100])
def test_forest_layout(rng, p):
    model, X, y, fit = _problem(rng, p)
    dt = _tree(rng, fit.feature_names, fit.coef)
    fig = P.plot_forest_map(dt, fit)
    r = _check_layout(fig)
    forest = [a for a in fig.axes if any(c.get_label() == "MAP" for c in a.collections)][0]
    labels_ax = [a for a in fig.axes if a is not forest][0]
    # the legend promises what the caption does: mean, 50% and the HDI, MAP; off the rows
    legend = forest.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["posterior mean", "50% HDI",
                                                          "94% HDI", "MAP"]
    lb = legend.get_window_extent(r)
    for ax in fig.axes:
        assert not _overlap(lb, ax.get_window_extent(r))
    # one label per coefficient, none overlapping; no stray "variable / feature" text
    names = [t for t in labels_ax.texts if t.get_text()]
    assert len(names) == p
    assert _no_text_overlap(names, r) == p
    shown = {t.get_text() for a in fig.axes for t in a.texts + a.get_xticklabels()}
    assert not {"variable", "feature", "coef"} & shown
    assert not [t.get_text() for t in labels_ax.get_xticklabels() if t.get_text()]
    _no_text_overlap(forest.get_xticklabels(), r)
    plt.close(fig)


@pytest.mark.parametrize("p", [10, 30, 100])
def test_posterior_page_layout(rng, p):
    model, X, y, fit = _problem(rng, p)
    dt = _tree(rng, fit.feature_names, fit.coef)
    page = list(range(min(p, R.POSTERIOR_PAGE)))
    fig = P.plot_posterior_page(dt, fit, features=page)
    r = _check_layout(fig)
    titles = [a.title.get_text() for a in fig.axes if a.title.get_text()]
    assert len(titles) == len(page)
    assert all(len(t) <= P.LABEL_CHARS for t in titles)  # long names cut, no "coef" line
    assert not any("coef" in t for t in titles)
    (legend,) = _legends(fig)
    assert [t.get_text() for t in legend.get_texts()] == ["MAP", "mean", "median"]
    lb = legend.get_window_extent(r)
    for ax in fig.axes:
        assert not _overlap(lb, ax.get_window_extent(r))
    plt.close(fig)


@pytest.mark.parametrize("p", [10, 30, 100])
def test_path_layout(rng, p):
    model, X, y, fit = _problem(rng, p)
    path = model.map_path(X, y, n_scales=25)
    dt = _tree(rng, fit.feature_names, fit.coef)
    fig = P.plot_path(path, posterior=[(0.1, dt)])
    r = _check_layout(fig)
    ax = fig.axes[0]
    # a small legend (no entry per coefficient), inside the figure
    entries = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(entries) <= 3 and not set(entries) & set(path.feature_names)
    # at most 10 coloured lines, each colour once, labelled directly at the line end
    lines = [ln for ln in ax.get_lines() if ln.get_label() in path.feature_names]
    assert len(lines) == p
    coloured = [ln for ln in lines if mcolors.to_rgb(ln.get_color()) != mcolors.to_rgb("0.72")]
    assert len(coloured) == min(p, 10)
    colours = [mcolors.to_hex(ln.get_color()) for ln in coloured]
    assert len(set(colours)) == len(colours)
    texts = [t for t in ax.texts if t.get_text()]
    assert len(texts) == len(coloured)
    for t in texts:
        assert _inside(t.get_window_extent(r), fig.bbox)
    assert _no_text_overlap(texts, r) == len(coloured)
    # the labelled ones are the largest at the weakest prior, in their line's colour
    end = path.coefs[np.argmax(path.scales)]
    top = {str(path.feature_names[j]) for j in np.argsort(-np.abs(end), kind="stable")[:10]}
    assert {ln.get_label() for ln in coloured} == top
    by_name = {ln.get_label(): mcolors.to_hex(ln.get_color()) for ln in coloured}
    for t in texts:
        full = [n for n in by_name if P._short(n, 16) == t.get_text()]
        assert full and mcolors.to_hex(t.get_color()) == by_name[full[0]]
    # error bars only for the labelled coefficients (readable), one per coefficient
    assert len(ax.containers) == len(coloured)
    plt.close(fig)


def test_spread_keeps_gaps():
    y = np.array([0.5, 0.51, 0.52, -0.2, 0.9])
    out = P._spread(y, 0.1, -1.0, 1.0)
    s = np.sort(out)
    assert np.all(np.diff(s) >= 0.1 - 1e-12)
    assert np.all((out >= -1.0) & (out <= 1.0))
    np.testing.assert_array_equal(np.argsort(out, kind="stable"), np.argsort(y, kind="stable"))


# ------------------------------------------------------------------------------ geometry
def _nll_bernoulli(y, eta):
    return -np.sum(stats.bernoulli.logpmf(y, special.expit(eta)))


def _nll_poisson(y, eta):
    return -np.sum(stats.poisson.logpmf(y, np.exp(eta)))


def _geometry_case(rng, kind):
    n = 200
    X = rng.normal(size=(n, 2))
    off = 0.3 * rng.normal(size=n)
    eta = 0.2 + off + X @ np.array([0.8, -0.4])
    if kind == "Bernoulli":
        y = (rng.random(n) < special.expit(eta)).astype(float)
        return X, y, off, br.Bernoulli(), _nll_bernoulli
    y = rng.poisson(np.exp(eta)).astype(float)
    return X, y, off, br.Poisson(), _nll_poisson


@pytest.mark.parametrize("kind", ["Bernoulli", "Poisson"])
def test_geometry_contours_are_the_likelihood(rng, kind):
    X, y, off, lik, nll = _geometry_case(rng, kind)
    n = len(y)
    # no intercept: the plotted function is -log p(y | offset + X w) / n up to a constant
    fig = P.plot_geometry(X=X, y=y, likelihood=lik, offset=off, fit_intercept=False,
                          budget=0.4)
    geo = fig.bayesreg_geometry
    g1, g2, Z = geo["w1"], geo["w2"], geo["loss"]
    pts = [(10, 20), (60, 60), (100, 33), (5, 110)]
    ref = np.array([nll(y, off + X @ np.array([g1[i], g2[k]])) / n for k, i in pts])
    got = np.array([Z[k, i] for k, i in pts])
    np.testing.assert_allclose(got - got[0], ref - ref[0], rtol=1e-10, atol=1e-12)
    if kind == "Bernoulli":  # no constant dropped
        np.testing.assert_allclose(got, ref, rtol=1e-10)
    assert ("Logistic" if kind == "Bernoulli" else "Poisson") in fig.axes[0].get_title()
    assert "Least-squares" not in fig.axes[0].get_title()
    assert fig.axes[0].collections  # contour lines drawn
    # L1 / L2 optima of that loss on the balls, against SLSQP on the independent NLL
    opt = geo["optima"]

    def f(w):
        return nll(y, off + X @ w) / n

    l1 = optimize.minimize(lambda z: f(z[:2] - z[2:]), np.full(4, 0.05), method="SLSQP",
                           bounds=[(0, None)] * 4,
                           constraints=[{"type": "ineq", "fun": lambda z: 0.4 - z.sum()}],
                           options={"ftol": 1e-13, "maxiter": 500})
    l2 = optimize.minimize(f, np.zeros(2), method="SLSQP",
                           constraints=[{"type": "ineq", "fun": lambda w: 0.4**2 - w @ w}],
                           options={"ftol": 1e-13, "maxiter": 500})
    np.testing.assert_allclose(opt["l1"], l1.x[:2] - l1.x[2:], atol=2e-4)
    np.testing.assert_allclose(opt["l2"], l2.x, atol=2e-4)
    plt.close(fig)
    # with an intercept: held at the joint maximum-likelihood value
    fig = P.plot_geometry(X=X, y=y, likelihood=lik, offset=off, budget=None)
    geo = fig.bayesreg_geometry
    res = optimize.minimize(lambda b: nll(y, b[0] + off + X @ b[1:]), np.zeros(3),
                            method="Nelder-Mead",
                            options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": 4000})
    b0 = res.x[0]
    ref = np.array([nll(y, b0 + off + X @ np.array([geo["w1"][i], geo["w2"][k]])) / n
                    for k, i in pts])
    got = np.array([geo["loss"][k, i] for k, i in pts])
    np.testing.assert_allclose(got - got[0], ref - ref[0], atol=1e-6)
    np.testing.assert_allclose(geo["optima"]["ls"], res.x[1:], atol=1e-4)
    plt.close(fig)


def test_geometry_needs_data_for_a_glm():
    with pytest.raises(br.DataError, match="X"):
        P.plot_geometry(likelihood=br.Bernoulli())


# ------------------------------------------------------------------------------ the report
@pytest.mark.parametrize("p,lik", [(10, "Gaussian"), (30, "Bernoulli"), (100, "Poisson")])
def test_report_layout(rng, tmp_path, monkeypatch, p, lik):
    """The report's own figures (checked as they are saved), the compact table and the CSV."""
    model, X, y, fit = _problem(rng, p, lik)
    dt = _tree(rng, fit.feature_names, fit.coef)
    checked = []
    png = R._png

    def check_then_save(fig):
        _check_layout(fig)
        checked.append(fig)
        return png(fig)

    monkeypatch.setattr(R, "_png", check_then_save)
    rep = br.report(model, X, y, out_dir=tmp_path / "r", idata=dt, fit=fit,
                    compare_priors=False, crosscheck=False)
    assert len(checked) == len(rep.figures) >= 5
    html = rep.html.read_text(encoding="utf-8")
    md = rep.markdown.read_text(encoding="utf-8")
    # compact table first: 7 columns a user reads first; the full one behind <details>
    head = "| param | MAP | mean | median | 94% HDI | P(near 0) | R-hat | ESS |"
    assert head in md
    assert "<details>" in html and "<summary>Full table (" in html
    assert html.index("<th>94% HDI</th>") < html.index("<details>")
    # preformatted blocks wrap at the page width instead of running off it
    style = re.search(r"<style>(.*?)</style>", html, flags=re.S).group(1)
    pre_rule = re.search(r"(?:^|})pre\{([^}]*)\}", style).group(1)
    assert "white-space:pre-wrap" in pre_rule and "overflow-x:auto" not in pre_rule
    assert "| param | kind | map | mean |" in md.split("<details>", 1)[1]
    csv = pd.read_csv(rep.csv, index_col="param")
    assert rep.csv == tmp_path / "r" / "comparison.csv"
    assert list(csv.columns) == list(rep.table.columns)
    np.testing.assert_allclose(csv["mean"].to_numpy(), rep.table["mean"].to_numpy(), rtol=1e-12)
    # the geometry reflects the model's likelihood
    loss = {"Gaussian": "least-squares loss", "Bernoulli": "logistic (Bernoulli) loss",
            "Poisson": "Poisson loss"}[lik]
    assert f"contours of the {loss}" in md
    # what was run / reused / skipped
    assert rep.steps == {"map": "reused (`fit=`)", "crosscheck": "skipped (`crosscheck=False`)",
                         "posterior": "reused (`idata=`: 2 chains x 60 draws)",
                         "loo": "skipped (`compare_priors=False`)"}
    assert "What was computed for this report" in md
    assert "- posterior draws: reused (`idata=`: 2 chains x 60 draws)." in md


def test_fmt_has_no_exponent_for_log_densities():
    assert R._fmt(-13921.34) == "-13921.3"
    assert R._fmt(0.012341) == "0.01234"
    assert R._fmt(2.5e-7) == "2.5e-07"


def test_loo_table_is_readable():
    loo = pd.DataFrame({"rank": [0, 1, 2], "elpd_diff": [0.0, -1.0647, -25.31],
                        "dse": [0.0, 0.758, 4.2], "p_worse": [np.nan, 0.08, 0.0],
                        "diag_diff": [False, False, False], "diag_elpd": [False, True, False],
                        "p": [5.12, 6.3, 4.9], "elpd": [-13920.44, -13921.5, -13945.75],
                        "se": [60.2, 60.4, 61.0], "weight": [0.91, 0.09, 0.0]},
                       index=["Laplace", "ElasticNet", "Normal"])
    t = R._loo_table(loo)
    assert list(t.columns[:4]) == ["rank", "elpd_diff", "dse", "diff / dse"]
    assert t.loc["ElasticNet", "elpd_diff"] == "-1.1" and t.loc["Normal", "dse"] == "4.2"
    assert t.loc["Normal", "diff / dse"] == "6.0" and t.loc["Laplace", "diff / dse"] == ""
    assert t.loc["Laplace", "elpd"] == "-13920.4"
    assert not any("e+" in str(v) for v in t.to_numpy().ravel())


class _FakeCrossCheck:
    passed = True

    def to_frame(self):
        return pd.DataFrame({"direct": [1.0], "pymc": [1.0]}, index=["x0"])

    def __str__(self):
        return "cross-check\nlog posterior: 1 vs 1"


@pytest.mark.filterwarnings("ignore:Estimated shape parameter of Pareto")
def test_report_reuses_and_says_what_it_runs(rng, tmp_path, monkeypatch):
    """A CrossCheck and the LOO draws given are reused (nothing sampled); on_step announces
    each step that does run, naming how to skip it."""
    model, X, y, fit = _problem(rng, 4)
    n = len(y)
    own = _tree(rng, fit.feature_names, fit.coef, loglik_n=n)
    alt = {"Normal": _tree(rng, fit.feature_names, fit.coef, loglik_n=n, shift=-0.05),
           "ElasticNet": _tree(rng, fit.feature_names, fit.coef, loglik_n=n, shift=-0.01)}

    def no_sampling(self, *a, **k):
        raise AssertionError("sampled although the draws were given")

    monkeypatch.setattr(br.Model, "sample", no_sampling)
    said = []
    rep = br.report(model, X, y, out_dir=tmp_path / "a", idata=own, fit=fit,
                    crosscheck=_FakeCrossCheck(), prior_idata=alt, on_step=said.append)
    assert said == []
    assert rep.steps["crosscheck"].startswith("reused")
    assert rep.steps["loo"] == ("reused the model's own posterior for Laplace; reused the draws "
                                "given in `prior_idata=` for Normal, ElasticNet")
    assert "sampled" not in rep.steps["loo"]
    assert set(rep.loo.index) == {"Normal", "Laplace", "ElasticNet"}
    assert rep.prior_idata["Normal"] is alt["Normal"]
    md = rep.markdown.read_text(encoding="utf-8")
    assert "PyMC cross-check: reused" in md and "Cross-check: **PASSED**" in md
    assert "e+0" not in md.split('id="prior-comparison"', 1)[1]
    # the steps that do run are announced first
    monkeypatch.setattr(br.Model, "sample", lambda self, *a, **k: own)
    monkeypatch.setattr(br.Model, "crosscheck", lambda self, *a, **k: _FakeCrossCheck())
    rep = br.report(model, X, y, out_dir=tmp_path / "b", draws=30, tune=20, chains=2,
                    compare_priors=False, on_step=said.append)
    assert said[0] == "computing the MAP (model.map)"
    assert "crosscheck=False skips it" in said[1]
    assert said[2].startswith("sampling the posterior (2 chains x 30 draws")
    assert rep.steps["posterior"].startswith("sampled (`model.sample`: 2 chains x 30 draws")
    assert rep.steps["crosscheck"].startswith("run")
    with pytest.raises(br.BayesregTypeError, match="crosscheck"):
        br.report(model, X, y, out_dir=tmp_path / "c", idata=own, fit=fit, crosscheck="yes")


class _FakeTqdm:
    """Records what the progress bar is told (tqdm's interface, no terminal needed)."""

    log: list = []

    def __init__(self, iterable=None, total=None, desc=None, unit=None, leave=None):
        self.iterable, self.total, self.n = iterable, total, 0
        self.log.append(("new", total, desc))

    def __iter__(self):
        for x in self.iterable:
            yield x
            self.n += 1

    def set_description(self, d):
        self.log.append(("desc", d))

    def update(self, k=1):
        self.n += k

    def close(self):
        self.log.append(("close", self.n, self.total))


def test_report_progress_bar_counts_its_steps(rng, tmp_path, monkeypatch):
    import sys
    import types

    fake = types.ModuleType("tqdm.auto")
    fake.tqdm = _FakeTqdm
    _FakeTqdm.log = []
    monkeypatch.setitem(sys.modules, "tqdm", types.ModuleType("tqdm"))
    monkeypatch.setitem(sys.modules, "tqdm.auto", fake)
    model, X, y, fit = _problem(rng, 5, "Gaussian")
    dt = _tree(rng, fit.feature_names, fit.coef)
    br.report(model, X, y, out_dir=tmp_path / "r", idata=dt, fit=fit, compare_priors=False,
              crosscheck=False, progressbar=True)
    log = _FakeTqdm.log
    assert log[0] == ("new", 4 + len(R._SECTIONS), "bayesreg report")
    assert log[-1] == ("close", 4 + len(R._SECTIONS), 4 + len(R._SECTIONS))  # every step counted
    assert ("desc", "report: plots section") in log
    _FakeTqdm.log = []
    br.report(model, X, y, out_dir=tmp_path / "q", idata=dt, fit=fit, compare_priors=False,
              crosscheck=False, progressbar=False)
    assert _FakeTqdm.log == []  # switchable off


def test_progress_falls_back_to_rich_without_tqdm(monkeypatch):
    import sys

    from bayesreg._progress import progress, stages

    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # import raises ImportError
    assert list(progress(range(5), True, total=5, desc="x")) == [0, 1, 2, 3, 4]
    it = range(3)
    assert progress(it, False) is it
    with stages(True, 2, "two steps") as bar:
        bar.describe("first")
        bar.advance("second")
        bar.advance()
