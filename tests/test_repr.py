"""What ``print`` / ``repr`` / ``_repr_html_`` show for models, MAP results and paths."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pytest

import bayesreg as br


@pytest.fixture
def sparse_fit(rng):
    """40 columns, the largest coefficient in the last one, most coefficients exactly zero."""
    X = rng.normal(size=(120, 40))
    w = np.zeros(40)
    w[[3, 17, 39]] = [0.5, -1.5, 4.0]
    y = X @ w + 0.1 * rng.normal(size=120)
    return br.Model(br.Gaussian(), br.Laplace(0.05)).map(X, y), X, y


class _Checker(HTMLParser):
    """Fails on mismatched tags; collects the text of every table cell."""

    VOID = {"br", "hr", "img", "meta", "input", "col"}

    def __init__(self):
        super().__init__()
        self.stack, self.cells, self._cell = [], [], None

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)
        if tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (self.stack, tag)
        self.stack.pop()
        if tag in ("td", "th"):
            self.cells.append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def _parse(html: str) -> _Checker:
    c = _Checker()
    c.feed(html)
    c.close()
    assert c.stack == []
    return c


def _listed_names(text: str) -> list[str]:
    return re.findall(r"^\s{4}(x\d+)\s", text, flags=re.M)


def test_repr_lists_nonzeros_by_magnitude_with_zero_count(sparse_fit):
    fit, _, _ = sparse_fit
    text = repr(fit)
    assert str(fit) == text
    listed = _listed_names(text)
    nz = np.flatnonzero(fit.coef)
    assert listed[0] == "x39"  # the largest coefficient comes first, whatever its column
    assert listed == [f"x{j}" for j in nz[np.argsort(-np.abs(fit.coef[nz]), kind="stable")]][:20]
    n_zero = 40 - nz.size
    assert n_zero > 0 and f"({n_zero} exactly zero)" in text
    assert f"{nz.size} of 40 non-zero" in text


def test_repr_truncates_to_the_largest(rng):
    X = rng.normal(size=(200, 60))
    y = X @ np.linspace(0.1, 6.0, 60) + rng.normal(size=200)
    fit = br.Model(br.Gaussian(1.0), br.Normal(10.0)).map(X, y)
    text = repr(fit)
    listed = _listed_names(text)
    assert len(listed) == 20 and listed[0] == "x59"
    assert "... (40 more non-zero, smaller)" in text and "exactly zero" not in text


def test_repr_shows_sigma_prior_used(sparse_fit, rng):
    fit, X, y = sparse_fit
    assert fit.sigma_prior_scale is not None
    assert f"HalfNormal({fit.sigma_prior_scale:.6g})" in repr(fit)
    fixed = br.Model(br.Gaussian(1.0), br.Laplace(0.05)).map(X, y)
    assert "sigma=1 (fixed)" in repr(fixed) and "HalfNormal" not in repr(fixed)
    logit = br.Model(br.Bernoulli(), br.Laplace(1.0)).map(X, (y > 0).astype(float))
    assert "sigma" not in repr(logit).split("coef (")[0].replace("sigma_prior", "")


def test_model_repr_shows_sigma_prior():
    free = br.Model(br.Gaussian(), br.Laplace(1.0))
    assert "HalfNormal(sd(y))" in repr(free) and "HalfNormal(sd(y))" in str(free)
    given = br.Model(br.Gaussian(sigma_prior_scale=2.5), br.Laplace(1.0))
    assert "# sigma ~ HalfNormal(2.5)" in repr(given)
    for m in (br.Model(br.Gaussian(1.0), br.Laplace(1.0)), br.Model(br.Poisson(), br.Normal(1.0))):
        assert "HalfNormal" not in repr(m)
    assert eval(repr(given), vars(br)) == given  # the note is a comment: the repr still evaluates


def test_mapresult_html_is_valid_and_escaped(sparse_fit):
    fit, X, y = sparse_fit
    names = [f"<b>&col{j}" for j in range(40)]
    pd = pytest.importorskip("pandas")
    fit = br.Model(br.Gaussian(), br.Laplace(0.05)).map(pd.DataFrame(X, columns=names), y)
    html = fit._repr_html_()
    assert "<b>&col" not in html and "&lt;b&gt;&amp;col39" in html
    cells = _parse(html).cells
    assert cells[:2] == ["feature", "coef"]
    nz = np.flatnonzero(fit.coef)
    assert cells[2] == names[39] and cells[2 + 2 * nz.size:] == [f"{40 - nz.size} exactly zero"]
    assert float(cells[3]) == pytest.approx(fit.coef[39], rel=1e-5)
    assert "HalfNormal" in html


def test_mappath_repr_and_html(sparse_fit):
    _, X, y = sparse_fit
    path = br.Model(br.Gaussian(), br.Laplace(0.05)).map_path(X, y, n_scales=25)
    text = repr(path)
    assert text.startswith("MAPPath(25 scales")
    assert len(re.findall(r"^\s+\S+\s+\S+\s+\d+\s+(True|False)\s", text, flags=re.M)) == 10
    assert _listed_names(text)[0] == "x39"
    cells = _parse(path._repr_html_()).cells
    assert cells[:5] == ["scale", "strength", "non-zero", "converged", "log_posterior"]
    assert "x39" in cells
    assert repr(br.MAPPath(np.array([]), np.array([]), [], [])) == "MAPPath(empty)"


class _FakeTqdm:
    """Stands in for ``tqdm.auto.tqdm`` (tqdm is optional): records what it was asked to wrap."""

    calls: list = []

    def __init__(self, iterable, total=None, desc=None, unit=None, leave=None):
        self.iterable = iterable
        _FakeTqdm.calls.append((desc, total, unit))

    def __iter__(self):
        return iter(self.iterable)


@pytest.fixture
def fake_tqdm(monkeypatch):
    import sys
    import types

    mod = types.ModuleType("tqdm.auto")
    mod.tqdm = _FakeTqdm
    monkeypatch.setitem(sys.modules, "tqdm", types.ModuleType("tqdm"))
    monkeypatch.setitem(sys.modules, "tqdm.auto", mod)
    _FakeTqdm.calls = []
    return _FakeTqdm


def test_path_progressbar_is_opt_in_and_does_not_change_results(rng, fake_tqdm):
    X = rng.normal(size=(60, 8))
    y = X[:, 0] + rng.normal(size=60)
    m = br.Model(br.Gaussian(1.0), br.Laplace(0.1))
    quiet = m.map_path(X, y, n_scales=7)
    assert fake_tqdm.calls == []
    shown = m.map_path(X, y, n_scales=7, progressbar=True)
    assert fake_tqdm.calls == [("MAP path", 7, "scale")]
    np.testing.assert_array_equal(quiet.coefs, shown.coefs)


def test_gibbs_progressbar_ticks_per_chain(rng, fake_tqdm):
    from bayesreg.samplers.gibbs import sample_gibbs

    X = rng.normal(size=(40, 3))
    y = X[:, 0] + rng.normal(size=40)
    m = br.Model(br.Gaussian(), br.Normal(1.0))
    a = sample_gibbs(m, X, y, draws=20, tune=10, chains=3, random_seed=0, progressbar=False)
    assert fake_tqdm.calls == []
    b = sample_gibbs(m, X, y, draws=20, tune=10, chains=3, random_seed=0, progressbar=True)
    assert [(c[1], c[2]) for c in fake_tqdm.calls] == [(3, "chain")]
    np.testing.assert_array_equal(a.posterior["coef"].values, b.posterior["coef"].values)


def test_progress_without_tqdm_or_rich_is_the_iterable(monkeypatch):
    import sys

    from bayesreg._progress import NO_STAGES, progress, stages

    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # import raises ImportError
    monkeypatch.setitem(sys.modules, "rich.progress", None)
    items = [1, 2]
    assert progress(items, True) is items and progress(items, False) is items
    with stages(True, 3, "x") as bar:
        assert bar is NO_STAGES
