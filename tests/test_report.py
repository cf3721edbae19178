"""bayesreg.report: the HTML page (parsed with html.parser), its images, the Markdown twin, and
the diabetes/Laplace story (MAP exactly zero, posterior not)."""

import base64
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import arviz as az  # noqa: E402
import matplotlib.image as mpimg  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import bayesreg as br  # noqa: E402
from bayesreg._errors import BayesregTypeError, ParameterError  # noqa: E402

SECTIONS = {"model", "crosscheck", "comparison", "diagnostics", "plots", "prior-comparison"}
PNG = b"\x89PNG\r\n\x1a\n"


class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sections, self.imgs, self.headers, self.h2 = [], [], [], []
        self.text = []
        self._in_th = self._in_h2 = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.sections.append(a.get("id"))
        elif tag == "img":
            self.imgs.append(a.get("src", ""))
        elif tag == "th":
            self._in_th = True
        elif tag == "h2":
            self._in_h2 = True

    def handle_endtag(self, tag):
        if tag == "th":
            self._in_th = False
        elif tag == "h2":
            self._in_h2 = False

    def handle_data(self, data):
        self.text.append(data)
        if self._in_th:
            self.headers.append(data.strip())
        if self._in_h2:
            self.h2.append(data.strip())


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


def _check_images(page: _Page, n: int):
    assert len(page.imgs) == n
    for src in page.imgs:
        assert src.startswith("data:image/png;base64,")
        raw = base64.b64decode(src.split(",", 1)[1], validate=True)
        assert raw[:8] == PNG
        img = mpimg.imread(io.BytesIO(raw), format="png")  # really decodes
        assert img.ndim == 3 and img.shape[0] > 50 and img.shape[1] > 50


def _check_markdown(md: Path):
    text = md.read_text(encoding="utf-8")
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert links
    for rel in links:
        f = md.parent / rel
        assert f.is_file(), rel
        assert f.read_bytes()[:8] == PNG
    for anchor in SECTIONS:
        assert f'<a id="{anchor}"></a>' in text
    return text


# ------------------------------------------------------------------------------ fast
def _synthetic(rng):
    X = rng.normal(size=(80, 3))
    y = X @ np.array([1.0, 0.0, -0.5]) + rng.normal(size=80)
    model = br.Model(br.Gaussian(), br.Laplace(0.1))
    fit = model.map(X, y)
    draws = fit.coef + 0.1 * rng.normal(size=(2, 200, 3))
    dt = az.from_dict({"posterior": {"coef": draws, "intercept": rng.normal(size=(2, 200)),
                                     "sigma": 1 + 0.05 * rng.normal(size=(2, 200))},
                       "sample_stats": {"diverging": np.zeros((2, 200), bool),
                                        "energy": rng.normal(size=(2, 200))}},
                      dims={"coef": ["feature"]}, coords={"feature": fit.feature_names})
    return model, X, y, fit, dt


def test_report_structure_without_sampling(rng, tmp_path):
    model, X, y, fit, dt = _synthetic(rng)
    rep = br.report(model, X, y, out_dir=tmp_path / "r", idata=dt, fit=fit,
                    compare_priors=False, crosscheck=False)
    assert rep.html == tmp_path / "r" / "report.html"
    page = _parse(rep.html)
    assert set(page.sections) == SECTIONS
    _check_images(page, 5)
    for col in ("map", "mean", "median", "hdi_low", "hdi_high", "map_in_hdi", "p_near_zero",
                "r_hat", "ess_bulk", "ess_tail", "mcse_mean"):
        assert col in page.headers
    text = "".join(page.text)
    assert "Skipped (" in text and "compare_priors=False" in text
    assert "crosscheck=False" in text
    md = _check_markdown(rep.markdown)
    assert "| param | kind | map | mean |" in md
    assert set(rep.figures) == {"forest_map", "posterior_map", "path", "geometry", "priors"}
    # the table in the report is compare()'s, with ArviZ's numbers
    ref = az.summary(dt, round_to="none", ci_kind="hdi", ci_prob=0.94)
    for name in fit.feature_names:
        assert rep.table.loc[name, "mean"] == ref.loc[f"coef[{name}]", "mean"]
    if np.any(fit.coef == 0):
        zero = fit.feature_names[int(np.flatnonzero(fit.coef == 0)[0])]
        assert f"MAP exactly 0 for {zero}" in text


def test_report_bad_input(rng, tmp_path):
    model, X, y, fit, dt = _synthetic(rng)
    with pytest.raises(BayesregTypeError, match="bayesreg.Model"):
        br.report(fit, X, y, out_dir=tmp_path)
    with pytest.raises(ParameterError, match="draws"):
        br.report(model, X, y, out_dir=tmp_path, draws=0)
    with pytest.raises(ParameterError, match="hdi_prob"):
        br.report(model, X, y, out_dir=tmp_path, hdi_prob=2.0)


def test_equal_variance_alternatives():
    from bayesreg.diagnostics.plots import prior_variance
    from bayesreg.diagnostics.report import _equal_variance_alternatives

    lap = br.Laplace(2.0)
    alt = _equal_variance_alternatives(lap)
    assert alt["Laplace"] is lap
    assert alt["Normal"].scale == pytest.approx(np.sqrt(8.0))  # Var Laplace(b) = 2 b^2
    assert prior_variance(alt["ElasticNet"]) == pytest.approx(8.0, rel=1e-8)
    arr = _equal_variance_alternatives(br.Normal(np.array([1.0, 3.0])))
    np.testing.assert_allclose(arr["Laplace"].scale, np.array([1.0, 3.0]) / np.sqrt(2))
    np.testing.assert_allclose(prior_variance(arr["ElasticNet"]), [1.0, 9.0], rtol=1e-8)


# ------------------------------------------------------------------------------ slow
def _diabetes():
    try:
        from bayesreg.datasets import load_diabetes

        return load_diabetes(return_X_y=True, standardize=True)
    except ImportError:  # pragma: no cover
        from sklearn.datasets import load_diabetes

        X, y = load_diabetes(return_X_y=True, as_frame=True, scaled=False)
        return (X - X.mean()) / X.std(ddof=0), y


@pytest.fixture(scope="module")
def diabetes_report(tmp_path_factory):
    X, y = _diabetes()
    model = br.Model(br.Gaussian(), br.Laplace(2.0))
    out = tmp_path_factory.mktemp("diabetes") / "report"
    rep = br.report(model, X, y, out_dir=out, draws=250, tune=250, chains=2, random_seed=11)
    return model, X, y, rep


@pytest.mark.slow
def test_diabetes_laplace_report(diabetes_report):
    model, X, y, rep = diabetes_report
    page = _parse(rep.html)
    assert set(page.sections) == SECTIONS
    _check_images(page, 5)
    _check_markdown(rep.markdown)
    text = "".join(page.text)
    coef = rep.table[rep.table["kind"] == "coef"]
    story = coef[(coef["map"] == 0.0) & (coef["mean"] != 0.0) & (coef["p_near_zero"] < 1.0)]
    assert len(story) >= 1, coef
    for name in story.index:
        assert f"MAP exactly 0 for {name} while the posterior mean is" in text
        # no draw is exactly zero: the posterior has no point mass at 0
        assert np.all(rep.idata.posterior["coef"].sel(feature=name).values != 0.0)
    # crosscheck ran and agrees; the table rows are the MAP's
    assert rep.crosscheck is not None and rep.crosscheck.passed
    np.testing.assert_array_equal(coef["map"].to_numpy(), rep.fit.coef)
    # diagnostics are ArviZ's
    rh = az.rhat(rep.idata)["coef"]
    for name in coef.index:
        assert rep.diagnosis.r_hat[f"coef[{name}]"] == float(rh.sel(feature=name))
    # LOO table = arviz.loo computed independently on each prior's draws
    assert set(rep.loo.index) == {"Normal", "Laplace", "ElasticNet"}
    for name, dt in rep.prior_idata.items():
        assert rep.loo.loc[name, "elpd"] == pytest.approx(az.loo(dt).elpd, rel=1e-12)
    assert rep.prior_idata["Laplace"] is rep.idata
    assert "Prior comparison (LOO)" in page.h2


@pytest.mark.slow
def test_report_deterministic(rng, tmp_path):
    X = rng.normal(size=(60, 3))
    y = X @ np.array([1.0, 0.0, -0.5]) + rng.normal(size=60)
    model = br.Model(br.Gaussian(sigma=1.0), br.Laplace(0.2))
    kw = dict(draws=100, tune=100, chains=2, random_seed=3, compare_priors=False,
              crosscheck=False)
    r1 = br.report(model, X, y, out_dir=tmp_path / "a", **kw)
    r2 = br.report(model, X, y, out_dir=tmp_path / "b", **kw)
    assert r1.table.equals(r2.table)
    assert r1.markdown.read_text() == r2.markdown.read_text()


# ------------------------------------------------------------------------------ no MAP, many p
def _posterior_tree(rng, names, chains=2, draws=150, sigma=True):
    p = len(names)
    post = {"coef": 0.3 * rng.normal(size=(chains, draws, p)) + np.linspace(-1, 1, p),
            "intercept": rng.normal(size=(chains, draws))}
    if sigma:
        post["sigma"] = 1 + 0.05 * rng.normal(size=(chains, draws))
    return az.from_dict({"posterior": post,
                         "sample_stats": {"diverging": np.zeros((chains, draws), bool),
                                          "energy": rng.normal(size=(chains, draws))}},
                        dims={"coef": ["feature"]}, coords={"feature": list(names)})


def _check_no_map_report(rep, model, n_images):
    """The report of a prior without a finite mode: no MAP anywhere, and the page says why."""
    from bayesreg.diagnostics.compare import MAP_COLUMNS

    assert rep.fit is None and rep.crosscheck is None
    assert "no finite MAP" in rep.crosscheck_error
    page = _parse(rep.html)
    assert set(page.sections) == SECTIONS
    _check_images(page, n_images)
    _check_markdown(rep.markdown)
    text = "".join(page.text)
    assert model.prior.mode_unavailable() in text
    assert model.prior.mode_unavailable() in rep.markdown.read_text(encoding="utf-8")
    assert "Regularization path not available: the prior has no finite MAP" in text
    assert "Skipped: the prior has no finite MAP to cross-check" in text
    assert "MAP exactly 0" not in text
    assert not set(MAP_COLUMNS) & set(rep.table.columns)
    assert not set(MAP_COLUMNS) & set(page.headers)
    assert {"mean", "hdi_low", "p_near_zero", "shrinkage_mean"} <= set(page.headers)
    assert "path" not in rep.figures


def test_report_bayesian_lasso_without_map(rng, tmp_path):
    """Regression: report() called model.map unconditionally, so it failed for BayesianLasso."""
    X = rng.normal(size=(60, 4))
    y = X @ np.array([1.0, 0.0, -0.5, 0.2]) + rng.normal(size=60)
    model = br.Model(br.Gaussian(1.0), br.BayesianLasso(0.5))
    dt = _posterior_tree(rng, [f"x{j}" for j in range(4)], sigma=False)
    rep = br.report(model, X, y, out_dir=tmp_path / "bl", idata=dt, compare_priors=False)
    _check_no_map_report(rep, model, 4)
    assert set(rep.figures) == {"forest_map", "posterior_map", "geometry", "priors"}
    assert "prior variance per coefficient: 0.5 (in units of sigma^2" in \
        rep.markdown.read_text(encoding="utf-8")
    with pytest.raises(ParameterError, match="no finite MAP"):
        br.report(model, X, y, out_dir=tmp_path / "x", idata=dt,
                  fit=br.Model(br.Gaussian(1.0), br.Laplace(0.5)).map(X, y))
    # a hyperprior on the scale: no fixed density on w, so no prior variance and no prior plot
    hyper = br.Model(br.Gaussian(), br.BayesianLasso())
    rep = br.report(hyper, X, y, out_dir=tmp_path / "hyper", idata=_posterior_tree(
        rng, [f"x{j}" for j in range(4)]), compare_priors=False)
    _check_no_map_report(rep, hyper, 3)
    assert "Equal-variance prior densities not drawn" in "".join(_parse(rep.html).text)


def test_equal_variance_alternatives_of_a_prior_without_mode():
    from bayesreg.diagnostics.plots import prior_variance
    from bayesreg.diagnostics.report import _equal_variance_alternatives

    bl = br.BayesianLasso(np.array([0.5, 1.0]))
    alt = _equal_variance_alternatives(bl)
    assert list(alt) == ["BayesianLasso", "Normal", "Laplace", "ElasticNet"]
    assert alt["BayesianLasso"] is bl
    for name in ("Normal", "Laplace", "ElasticNet"):
        np.testing.assert_allclose(prior_variance(alt[name]), [0.5, 2.0], rtol=1e-8)
    en = br.ElasticNetPrior(1.0, 2.0)
    assert _equal_variance_alternatives(en)["ElasticNet"] is en


def _png_size(path: Path) -> tuple[int, int]:
    img = mpimg.imread(path, format="png")
    return img.shape[0], img.shape[1]  # (height, width) in pixels


def test_report_many_coefficients(rng, tmp_path):
    """p = 30: the forest plot grows with p, the density grid is paged (16 per figure), the
    table has a row per coefficient; with and without a MAP."""
    n, p = 90, 30
    X = rng.normal(size=(n, p))
    y = X[:, :5] @ np.array([1.0, -0.8, 0.5, 0.0, 0.3]) + rng.normal(size=n)
    model = br.Model(br.Gaussian(), br.Laplace(0.1))
    fit = model.map(X, y)
    dt = _posterior_tree(rng, fit.feature_names, draws=60)
    rep = br.report(model, X, y, out_dir=tmp_path / "p30", idata=dt, fit=fit,
                    compare_priors=False, crosscheck=False)
    assert set(rep.figures) == {"forest_map", "posterior_map", "posterior_map_2", "path",
                                "geometry", "priors"}
    page = _parse(rep.html)
    _check_images(page, 6)
    assert (rep.table["kind"] == "coef").sum() == p
    text = "".join(page.text)
    assert "Coefficients 1-16 of 30 (page 1)" in text and "Coefficients 17-30 of 30" in text
    small = br.report(model, X[:, :3], y, out_dir=tmp_path / "p3", idata=_posterior_tree(
        rng, [f"x{j}" for j in range(3)], draws=60), compare_priors=False, crosscheck=False)
    h30, w30 = _png_size(rep.figures["forest_map"])
    h3, _ = _png_size(small.figures["forest_map"])
    assert h30 > 3 * h3 and h30 > 0.38 * p * 100 * 0.9  # ~0.38 inch per row at 100 dpi
    for name in ("posterior_map", "posterior_map_2"):
        h, w = _png_size(rep.figures[name])
        assert h <= 1200 and w <= 1400  # 4 x 4 panels at most, not a 8 x 4 wall
    # a prior without a MAP at p = 30
    bl = br.Model(br.Gaussian(1.0), br.BayesianLasso(0.5))
    rep = br.report(bl, X, y, out_dir=tmp_path / "bl30", idata=_posterior_tree(
        rng, fit.feature_names, draws=60, sigma=False), compare_priors=False)
    _check_no_map_report(rep, bl, 5)
    assert {"posterior_map", "posterior_map_2"} <= set(rep.figures)


@pytest.mark.slow
def test_report_bayesian_lasso_samples(rng, tmp_path):
    """End to end for a prior without a finite mode: model.sample, then the report, no MAP."""
    X = rng.normal(size=(50, 3))
    y = X @ np.array([1.0, 0.0, -0.5]) + rng.normal(size=50)
    model = br.Model(br.Gaussian(1.0), br.BayesianLasso(0.5))
    rep = br.report(model, X, y, out_dir=tmp_path / "bl", draws=50, tune=50, chains=2,
                    random_seed=5, compare_priors=False)
    _check_no_map_report(rep, model, 4)
    assert rep.idata.posterior.sizes["draw"] == 50
    ref = az.summary(rep.idata, round_to="none", ci_kind="hdi", ci_prob=0.94)
    for name in rep.table.index[rep.table["kind"] == "coef"]:
        assert rep.table.loc[name, "mean"] == ref.loc[f"coef[{name}]", "mean"]
    # the likelihood comes from the posterior's bayesreg_model attribute: data-scale defaults
    assert rep.table.attrs["ls_rule"] == "ordinary least squares"
    assert "sd(y) / sd(x_j)" in rep.table.attrs["zero_tol_rule"]


def test_report_X_as_rows_or_one_dimensional(tmp_path):
    """X given as a list of rows is measured by its own shape (a GroupLaplace prior defined for
    its 3 columns has a mode: fit= is accepted up to sampling); a 1-D X is refused by name
    before any work."""
    model = br.Model(br.Gaussian(sigma=1.0), br.Laplace(1.0))
    with pytest.raises(ParameterError, match="X must be 2-D"):
        br.report(model, [1.0, 2.0, 3.0], [1.0, 2.0, 3.0], out_dir=tmp_path, progressbar=False)
    hs = br.Model(br.Gaussian(sigma=1.0), br.Horseshoe())
    with pytest.raises(ParameterError, match="no finite MAP"):
        br.report(hs, [[1.0, 2.0, 0.0], [0.0, 1.0, 1.0]], [1.0, 2.0], out_dir=tmp_path,
                  fit=object(), progressbar=False)
