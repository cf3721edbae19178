"""``bayesreg select-variables`` and the report's "Selecting variables" section: the command's
numbers are those of br.project on the same posterior and data, the suggested submodel holds the
planted signals, and errors are one line with exit code 2."""

from __future__ import annotations

import json

import numpy as np
import pytest

import bayesreg as br
from bayesreg.cli import main

TRUE = ("a", "c")


@pytest.fixture(scope="module")
def posterior_file(tmp_path_factory):
    pd = pytest.importorskip("pandas")
    d = tmp_path_factory.mktemp("sv")
    rng = np.random.default_rng(11)
    n, cols = 120, list("abcdef")
    X = pd.DataFrame(rng.normal(size=(n, len(cols))), columns=cols)
    y = 1.5 * X["a"] - 1.0 * X["c"] + rng.normal(size=n)
    csv = d / "d.csv"
    X.assign(y=y).to_csv(csv, index=False)
    post = d / "post.nc"
    assert main(["sample", str(csv), "--target", "y", "--prior", "laplace", "--scale", "1",
                 "--draws", "200", "--tune", "100", "--chains", "2", "--seed", "1",
                 "--sampler", "gibbs", "--out", str(post), "-q"]) == 0
    return d, csv, post, X, y.to_numpy()


def test_cli_table_json_and_plot(posterior_file, capsys):
    d, csv, post, X, y = posterior_file
    capsys.readouterr()
    argv = ["select-variables", str(post), str(csv), "--target", "y", "--max-size", "4",
            "--seed", "3"]
    assert main(argv + ["--json", "--plot", str(d / "e.png")]) == 0
    got = json.loads(capsys.readouterr().out)
    import xarray as xr

    with xr.open_datatree(post, engine="h5netcdf") as tree:
        idata = tree.load()
    model = br.Model.from_dict(json.loads(idata.attrs["bayesreg_model"]))
    sel = br.project(idata, model, X, y, max_size=4, random_seed=3)
    assert got["order"] == sel.order and set(got["order"][:2]) == set(TRUE)
    assert got["suggested_size"] == sel.suggest_size() == 2
    assert got["suggested_features"] == sel.order[:2]
    np.testing.assert_allclose([r["elpd"] for r in got["table"]], sel.table["elpd"], rtol=1e-12)
    assert [r["size"] for r in got["table"]] == list(range(5))
    assert set(got["dss"]["selected"]) == set(TRUE)
    assert (d / "e.png").stat().st_size > 1000
    # the text table and the l1 search
    assert main(argv + ["--search", "l1", "--no-dss"]) == 0
    text = capsys.readouterr().out
    assert "suggested size: 2" in text and "elpd_diff_se" in text and "order:" in text
    assert main(argv[:5] + ["--max-size", "1", "--no-dss", "-q"]) == 0
    out = capsys.readouterr()
    assert "suggested size: 1" in out.out and "raise --max-size" in out.out and not out.err


def test_cli_errors_are_one_line(posterior_file, tmp_path, capsys):
    d, csv, post, X, y = posterior_file
    capsys.readouterr()
    assert main(["select-variables", str(post), str(csv), "--target", "b", "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "select-variables: error" in err
    assert main(["select-variables", str(post), str(csv), "--target", "y", "--cv", "1"]) == 2
    assert "loo" in capsys.readouterr().err
    assert main(["select-variables", str(tmp_path / "none.nc"), str(csv), "--target", "y"]) == 2
    assert "not found" in capsys.readouterr().err


def test_report_section_selecting_variables(posterior_file, tmp_path):
    d, csv, post, X, y = posterior_file
    import xarray as xr

    with xr.open_datatree(post, engine="h5netcdf") as tree:
        idata = tree.load()
    model = br.Model.from_dict(json.loads(idata.attrs["bayesreg_model"]))
    with pytest.raises(br.BayesregTypeError, match="select_variables"):
        br.report(model, X, y, out_dir=tmp_path / "bad", idata=idata, select_variables="yes")
    sel = br.project(idata, model, X, y, random_seed=0)
    rep = br.report(model, X, y, out_dir=tmp_path / "r", idata=idata, compare_priors=False,
                    crosscheck=False, select_variables=sel)
    page = rep.html.read_text()
    assert rep.variables is sel and 'id="selecting-variables"' in page
    assert "selecting_variables" in rep.figures and "selecting variables: reused" in page
    assert sel.suggest_size() == 2 and "Suggested size <strong>2</strong>" in page
    assert "(the same set)" in page  # DSS agrees
    assert "Projected posterior of the suggested submodel" in page


def test_cli_report_select_variables(posterior_file, tmp_path, capsys):
    d, csv, post, X, y = posterior_file
    out = tmp_path / "rep"
    assert main(["report", str(csv), "--target", "y", "--prior", "laplace", "--scale", "1",
                 "--posterior", str(post), "--no-compare-priors", "--no-crosscheck",
                 "--select-variables", "--out", str(out), "-q"]) == 0
    page = (out / "report.html").read_text()
    assert 'id="selecting-variables"' in page and "selecting variables: computed" in page
    assert "Suggested size <strong>2</strong>" in page
