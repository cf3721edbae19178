"""The documentation: builds with --strict, the getting-started code runs, and the formulas the
theory pages derive agree with brute-force numerics."""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, optimize, stats

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


def python_blocks(page: Path) -> list[str]:
    """Fenced blocks opened by exactly ```python (blocks marked {.python .no-run} are skipped)."""
    return re.findall(r"^```python\n(.*?)^```", page.read_text(), flags=re.S | re.M)


def test_docs_build_strict(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    r = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-f",
                        str(ROOT / "mkdocs.yml"), "-d", str(tmp_path / "site")],
                       cwd=ROOT, capture_output=True, text=True, timeout=300, env=env)
    assert r.returncode == 0, r.stdout + r.stderr
    site = tmp_path / "site"
    for page in ("index.html", "getting-started/index.html", "theory/conversions/index.html",
                 "api/index.html", "gallery/index.html"):
        assert (site / page).exists(), page
    api = (site / "api" / "index.html").read_text()
    assert "bayesreg.Model" in api and "load_prostate" in api
    # offline: no page loads a script, stylesheet or font from another host (math included)
    external = re.compile(r"""<(?:script|link)[^>]+(?:src|href)=["']?(?:https?:)?//""")
    for page in site.rglob("*.html"):
        hits = external.findall(page.read_text())
        assert not hits, (page.relative_to(site), hits)
    theory = (site / "theory" / "conversions" / "index.html").read_text()
    assert "mathjax/tex-svg-full.js" in theory and 'class="arithmatex"' in theory


def test_every_nav_page_and_gallery_image_exists():
    import yaml

    cfg = yaml.safe_load((ROOT / "mkdocs.yml").read_text().replace("!!python", "#"))

    def pages(node):
        if isinstance(node, str):
            yield node
        elif isinstance(node, dict):
            for v in node.values():
                yield from pages(v)
        elif isinstance(node, list):
            for v in node:
                yield from pages(v)

    for p in pages(cfg["nav"]):
        assert (DOCS / p).exists(), p
    gallery = (DOCS / "gallery" / "index.md").read_text()
    for img in re.findall(r"\]\(([^)]+\.png)\)", gallery):
        f = DOCS / "gallery" / img
        assert f.exists() and f.stat().st_size < 400_000, img


def test_getting_started_code_runs(tmp_path, monkeypatch, capsys):
    blocks = python_blocks(DOCS / "getting-started.md")
    assert len(blocks) >= 2
    assert len(blocks[0].strip().splitlines()) <= 10  # "a ten-line example"
    monkeypatch.chdir(tmp_path)
    ns: dict = {}
    for code in blocks:
        exec(compile(code, "getting-started.md", "exec"), ns)
    out = capsys.readouterr().out
    assert "Lasso(alpha=" in out and "duality_gap" in out


def test_extending_page_code_runs(tmp_path):
    """The worked prior and likelihood of guide/extending.md run as written (in a fresh process:
    they register themselves)."""
    code = "\n".join(python_blocks(DOCS / "guide" / "extending.md"))
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "closed_form True" in r.stdout and "owlqn True" in r.stdout


def test_shrinkage_priors_page_code_runs(monkeypatch, tmp_path, capsys):
    """docs/shrinkage-priors.md: the calibration, the refused MAP and the Gibbs posterior."""
    blocks = python_blocks(DOCS / "shrinkage-priors.md")
    assert blocks
    monkeypatch.chdir(tmp_path)
    ns: dict = {}
    for code in blocks:
        exec(compile(code, "shrinkage-priors.md", "exec"), ns)
    out = capsys.readouterr().out
    assert "prior m_eff" in out and "no finite posterior mode" in out and "posterior m_eff" in out
    assert np.all((ns["sf"].kappa > 0) & (ns["sf"].kappa < 1))
    assert "pip" in ns["table"].columns or "pip" in out


# --------------------------------------------- the theory pages' formulas, checked numerically
def test_mode_vs_mean_formulas_one_dimensional():
    """theory/mode-vs-mean.md: soft-threshold mode and the truncated-normal-mixture mean."""
    v, b = 0.5, 0.8
    for z in (-1.3, -0.2, 0.0, 0.35, 0.9, 2.0):
        def logp(w, z=z):
            return -(w - z) ** 2 / (2 * v) - abs(w) / b

        # mode by brute force on a fine grid
        grid = np.linspace(-5, 5, 200_001)
        mode_num = grid[np.argmax(-(grid - z) ** 2 / (2 * v) - np.abs(grid) / b)]
        mode_doc = np.sign(z) * max(abs(z) - v / b, 0.0)
        assert mode_doc == pytest.approx(mode_num, abs=1e-4)
        # mean by quadrature vs the page's closed form
        kw = {"points": [0.0], "epsabs": 1e-13, "epsrel": 1e-12, "limit": 200}
        Z = integrate.quad(lambda w: np.exp(logp(w)), -30, 30, **kw)[0]
        mean_num = integrate.quad(lambda w: w * np.exp(logp(w)), -30, 30, **kw)[0] / Z
        sv = np.sqrt(v)
        mp, mm = z - v / b, z + v / b
        Mp = np.exp((mp**2 - z**2) / (2 * v)) * stats.norm.cdf(mp / sv)
        Mm = np.exp((mm**2 - z**2) / (2 * v)) * stats.norm.cdf(-mm / sv)
        ep = mp + sv * stats.norm.pdf(mp / sv) / stats.norm.cdf(mp / sv)
        em = mm - sv * stats.norm.pdf(mm / sv) / stats.norm.cdf(-mm / sv)
        mean_doc = (Mp * ep + Mm * em) / (Mp + Mm)
        assert mean_doc == pytest.approx(mean_num, abs=1e-7)
        if z != 0:
            assert mean_doc != 0.0  # the mean is never sparse
        if abs(z) <= v / b:
            assert mode_doc == 0.0


def test_unknown_sigma_update_formula():
    """theory/parametrization.md: argmin over sigma of RSS/(2 s^2) + W log s + s^2/(2 s0^2)."""
    for rss, W, s0 in ((120.0, 50.0, 2.0), (3.0, 10.0, 0.1), (1e4, 442.0, 77.0)):
        def f(s, rss=rss, W=W, s0=s0):
            return rss / (2 * s**2) + W * np.log(s) + s**2 / (2 * s0**2)

        num = optimize.minimize_scalar(f, bounds=(1e-6, 1e3), method="bounded",
                                       options={"xatol": 1e-12}).x
        u = 2 * rss / (W + np.sqrt(W**2 + 4 * rss / s0**2))
        assert np.sqrt(u) == pytest.approx(num, rel=1e-6)
        # in log-sigma (with the Jacobian) W becomes W - 1: a different mode
        def g(t, f=f):
            return f(np.exp(t)) - t

        num_log = np.exp(optimize.minimize_scalar(g, bounds=(-14, 7), method="bounded",
                                                  options={"xatol": 1e-12}).x)
        u1 = 2 * rss / ((W - 1) + np.sqrt((W - 1) ** 2 + 4 * rss / s0**2))
        assert np.sqrt(u1) == pytest.approx(num_log, rel=1e-6)
        assert abs(np.sqrt(u1) - np.sqrt(u)) > 1e-6


def test_statsmodels_and_logistic_rules_against_sklearn():
    """theory/conversions.md: the statsmodels OLS elastic-net objective equals sklearn's
    ElasticNet objective, and LogisticRegression(C) pure L2 = Normal(sqrt(C))."""
    from sklearn.linear_model import ElasticNet, LogisticRegression

    import bayesreg as br

    rng = np.random.default_rng(3)
    n, p = 60, 4
    X = rng.standard_normal((n, p))
    y = X @ np.array([1.0, 0, -0.5, 0]) + rng.standard_normal(n)
    alpha, l1_wt, sigma = 0.1, 0.3, 1.0
    # statsmodels' documented objective, minimized directly (smooth reformulation-free check)
    Xc, yc = X - X.mean(0), y - y.mean()

    def sm_obj(w):
        r = yc - Xc @ w
        return 0.5 * r @ r / n + alpha * ((1 - l1_wt) * w @ w / 2 + l1_wt * np.abs(w).sum())

    sk = ElasticNet(alpha=alpha, l1_ratio=l1_wt, tol=1e-14, max_iter=100_000).fit(X, y)
    model = br.Model(br.Gaussian(sigma=sigma), br.ElasticNetPrior(
        sigma**2 / (n * alpha * l1_wt), sigma / np.sqrt(n * alpha * (1 - l1_wt))))
    fit = model.map(X, y, tol=1e-12)
    np.testing.assert_allclose(fit.coef, sk.coef_, atol=1e-8)
    w_opt = optimize.minimize(sm_obj, sk.coef_ + 0.01, method="Powell",
                              options={"xtol": 1e-10, "ftol": 1e-14, "maxiter": 100_000}).x
    assert sm_obj(fit.coef) <= sm_obj(w_opt) + 1e-10

    yb = (y > 0).astype(int)
    C = 0.7
    lr = LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X, yb)
    fitb = br.Model(br.Bernoulli(), br.Normal(np.sqrt(C))).map(X, yb, tol=1e-10)
    np.testing.assert_allclose(fitb.coef, lr.coef_.ravel(), atol=1e-5)


def test_formulas_page_code_runs(capsys):
    pytest.importorskip("formulaic")
    ns: dict = {}
    for code in python_blocks(DOCS / "guide" / "formulas.md"):
        exec(compile(code, "formulas.md", "exec"), ns)
    out = capsys.readouterr().out
    assert "{'age': ['age'], 'C(region)': ['C(region)[T.south]', 'C(region)[T.west]']}" in out
    assert "DataError:" in out and "east" in out
    # the group-lasso mode drops the null categorical term C(shop) whole, keeps C(region)
    t = ns["terms"]
    assert t.loc["C(shop)", "map_norm"] == 0.0 and t.loc["C(region)", "map_norm"] > 0.3


def test_selection_page_code_runs(capsys):
    """guide/selection.md: compare, sparsify, project and predict_interval on diabetes."""
    ns: dict = {}
    for code in python_blocks(DOCS / "guide" / "selection.md"):
        exec(compile(code, "selection.md", "exec"), ns)
    out = capsys.readouterr().out
    assert "p_sign" in out and "suggested size" in out
    chosen = {"sex", "bmi", "bp", "s3", "s5"}  # the page says both methods choose these
    assert set(ns["dss"].selected) == chosen
    assert set(ns["sel"].order[:ns["size"]]) == chosen

