"""``--formula "y ~ x1 + C(region)"`` on the command line: the design is formulaic's (the
references below build it with formulaic.model_matrix in the test and fit it with
scikit-learn), ``--groups terms`` groups a term's columns, and the data options that the
formula replaces are refused with one-line errors (exit 2)."""

import json

import numpy as np
import pandas as pd
import pytest

from bayesreg.cli import main


@pytest.fixture
def table(tmp_path):
    rng = np.random.default_rng(11)
    n = 120
    df = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n),
                       "region": rng.choice(["north", "south", "west"], n),
                       "shop": rng.choice(["p", "q", "r", "s"], n)})
    df["y"] = (1.0 + 0.8 * df.x1 + df.region.map({"north": 0.0, "south": 1.2, "west": -0.5})
               + rng.normal(0, 0.7, n))
    path = tmp_path / "d.csv"
    df.to_csv(path, index=False)
    return path, pd.read_csv(path)


def _design(formula, df):
    """formulaic's own matrix, its Intercept column split off (the test's reference design)."""
    import formulaic

    mm = formulaic.model_matrix(formula, df)
    X = mm.rhs
    has_b0 = "Intercept" in X.columns
    return X.drop(columns=["Intercept"]) if has_b0 else X, mm.lhs.iloc[:, 0].to_numpy(), has_b0


@pytest.mark.parametrize("formula", ["y ~ x1 + x2 + C(region)", "y ~ 0 + x1 + C(region)",
                                     "y ~ x1 * C(region)"])
def test_fit_formula_equals_sklearn_on_formulaics_design(table, capsys, formula):
    from sklearn.linear_model import Lasso

    path, df = table
    scale, sigma = 0.4, 0.7
    code = main(["fit", str(path), "--formula", formula, "--prior", "laplace", "--scale",
                 str(scale), "--sigma", str(sigma), "--tol", "1e-10", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    d = json.loads(out)
    X, y, has_b0 = _design(formula, df)
    n = len(y)
    # Laplace(b) with noise sd sigma  <->  Lasso(alpha = sigma^2 / (n b))
    ref = Lasso(alpha=sigma**2 / (n * scale), fit_intercept=has_b0, tol=1e-14,
                max_iter=100000).fit(X.to_numpy(), y)
    assert d["feature_names"] == [str(c) for c in X.columns]
    np.testing.assert_allclose(d["coef"], ref.coef_, atol=1e-6)
    assert d["intercept"] == pytest.approx(float(ref.intercept_), abs=1e-6)
    assert d["model"]["fit_intercept"] is has_b0


def test_sample_group_horseshoe_terms(table, tmp_path, capsys):
    import xarray as xr

    path, df = table
    out = tmp_path / "post.nc"
    code = main(["sample", str(path), "--formula", "y ~ x1 + C(region) + C(shop)", "--prior",
                 "group-horseshoe", "--groups", "terms", "--draws", "60", "--tune", "30",
                 "--chains", "1", "--sampler", "gibbs", "--seed", "0", "--out", str(out),
                 "--json", "--quiet"])
    res, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(res)["map_stored"] is False
    X, _, _ = _design("y ~ x1 + C(region) + C(shop)", df)
    with xr.open_datatree(out, engine="h5netcdf") as tree:
        model = json.loads(tree.attrs["bayesreg_model"])
        lam = tree["posterior"]["lambda"].values[0]
        names = list(tree["posterior"]["feature"].values)
    assert names == [str(c) for c in X.columns]
    # the terms x1 | C(region): 2 dummies | C(shop): 3 dummies
    assert model["prior"]["type"] == "GroupHorseshoe"
    assert model["prior"]["groups"] == [0, 1, 1, 2, 2, 2]
    assert np.all(lam[:, 1] == lam[:, 2]) and np.all(lam[:, 3] == lam[:, 5])


def test_group_laplace_terms_equals_index_groups(table, capsys):
    path, df = table
    base = ["fit", str(path), "--prior", "group-laplace", "--scale", "0.3", "--sigma", "0.7",
            "--tol", "1e-10", "--json"]
    assert main(base + ["--formula", "y ~ x1 + x2 + C(shop)", "--groups", "terms"]) == 0
    by_terms = json.loads(capsys.readouterr().out)
    # the same design written out as a plain CSV, the groups listed by hand
    X, y, _ = _design("y ~ x1 + x2 + C(shop)", df)
    plain = path.with_name("plain.csv")
    X.assign(y=y).to_csv(plain, index=False)
    cols = [str(c) for c in X.columns]
    assert main(["fit", str(plain), "--target", "y", "--prior", "group-laplace", "--scale",
                 "0.3", "--sigma", "0.7", "--tol", "1e-10", "--json", "--groups",
                 ",".join(cols[2:])]) == 0
    by_hand = json.loads(capsys.readouterr().out)
    np.testing.assert_allclose(by_terms["coef"], by_hand["coef"], atol=1e-8)


@pytest.mark.parametrize("extra, needle", [
    (["--target", "y"], "argument --target: not allowed with argument --formula"),
    (["--features", "x1"], "--features conflicts with --formula"),
    (["--standardize"], "--standardize does not apply with --formula"),
    (["--no-intercept"], "--no-intercept does not apply with --formula"),
])
def test_formula_conflicts_exit_2(table, capsys, extra, needle):
    path, _ = table
    code = main(["fit", str(path), "--formula", "y ~ x1", "--prior", "laplace", "--scale", "1",
                 *extra])
    err = capsys.readouterr().err
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1


def test_formula_errors_exit_2(table, capsys):
    path, _ = table
    cases = [
        (["fit", str(path), "--formula", "y ~ x9", "--prior", "laplace", "--scale", "1"],
         "does not fit the data"),
        (["fit", str(path), "--prior", "laplace", "--scale", "1"],
         "one of the arguments --target --formula is required"),
        (["fit", str(path), "--target", "y", "--features", "x1,x2", "--prior",
          "group-laplace", "--scale", "1", "--groups", "terms"], "--groups terms"),
        (["fit", str(path), "--target", "y", "--prior", "laplace", "--scale", "1"],
         "--formula 'y ~ x + C(category)'"),
    ]
    for argv, needle in cases:
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert needle in err and len(err.strip().splitlines()) == 1, err


def test_select_reads_the_formula(table, capsys):
    path, df = table
    code = main(["select", str(path), "--formula", "y ~ x1 + C(region)", "--prior", "laplace",
                 "--sigma", "0.7", "--methods", "cv", "--cv", "3", "--n-scales", "8", "--seed",
                 "0", "--json", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0, err
    d = json.loads(out)
    # the same selection through the formula API on the same data (the CLI's plumbing: design,
    # model and seed; the selection itself is tested in tests/test_scale_selection.py)
    import bayesreg as br

    fm = br.Model.from_formula("y ~ x1 + C(region)", df, prior=br.Laplace(1.0),
                               likelihood=br.Gaussian(sigma=0.7))
    ref = fm.model.select_scale(fm.X, fm.y, methods=("cv",), n_scales=8, cv=3,
                                random_state=0).to_frame()
    assert [c["method"] for c in d["choices"]] == list(ref["method"])
    np.testing.assert_allclose([c["scale"] for c in d["choices"]], ref["scale"], rtol=1e-10)


def test_select_variables_reads_the_formula(table, tmp_path, capsys):
    path, _ = table
    post = tmp_path / "post.nc"
    formula = ["--formula", "y ~ x1 + x2 + C(region)"]
    assert main(["sample", str(path), *formula, "--prior", "normal", "--scale", "2",
                 "--draws", "60", "--tune", "30", "--chains", "2", "--sampler", "gibbs",
                 "--seed", "0", "--out", str(post), "--quiet"]) == 0
    capsys.readouterr()
    code = main(["select-variables", str(post), str(path), *formula, "--max-size", "1",
                 "--n-draws", "40", "--n-clusters", "3", "--no-dss", "--json", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0, err
    d = json.loads(out)
    assert d["order"][0] in ("x1", "C(region)[T.south]")  # the two signals
    assert set(d["order"]) <= {"x1", "x2", "C(region)[T.south]", "C(region)[T.west]"}
