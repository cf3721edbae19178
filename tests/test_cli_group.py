"""``bayesreg fit --prior group-laplace --groups "a,b;c,d"``: the CLI's MAP equals the Python
API's GroupLaplace MAP (itself checked against independent group-lasso references in
tests/test_group_laplace.py), here re-certified by the group KKT conditions computed in the
test; bad group specs exit 2 naming --groups."""

import json

import numpy as np
import pandas as pd
import pytest

import bayesreg as br
from bayesreg.cli import main


@pytest.fixture
def table(tmp_path):
    rng = np.random.default_rng(5)
    n = 80
    X = rng.normal(size=(n, 5))
    y = 0.3 + X @ [1.0, -0.5, 0.0, 0.0, 0.4] + rng.normal(size=n)
    path = tmp_path / "g.csv"
    pd.DataFrame(X, columns=list("abcde")).assign(y=y).to_csv(path, index=False)
    return path, pd.read_csv(path)


def test_fit_group_laplace_equals_api_and_kkt(table, capsys):
    path, df = table
    code = main(["fit", str(path), "--target", "y", "--prior", "group-laplace", "--scale",
                 "0.05", "--sigma", "1", "--groups", "a,b; c,d", "--tol", "1e-10", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    d = json.loads(out)
    X, y = df[list("abcde")], df["y"].to_numpy()
    # groups {a,b}, {c,d}; the unlisted e is a group of its own
    ref = br.Model(br.Gaussian(sigma=1.0), br.GroupLaplace(0.05, [["a", "b"], ["c", "d"], ["e"]])
                   ).map(X, y, tol=1e-10)
    np.testing.assert_allclose(d["coef"], ref.coef, atol=1e-8)
    assert d["feature_names"] == list("abcde")
    # group KKT of  1/2 ||y - b0 - Xw||^2 + sum_g sqrt(p_g) ||w_g|| / scale, from scratch
    w, b0 = np.asarray(d["coef"]), d["intercept"]
    Xa = X.to_numpy()
    grad = Xa.T @ (y - b0 - Xa @ w)
    assert abs(np.sum(y - b0 - Xa @ w)) < 1e-6
    for g in ([0, 1], [2, 3], [4]):
        lam = np.sqrt(len(g)) / 0.05
        nw = np.linalg.norm(w[g])
        if nw > 0:
            np.testing.assert_allclose(grad[g], lam * w[g] / nw, atol=1e-5)
        else:
            assert np.linalg.norm(grad[g]) <= lam + 1e-6
    assert np.all(w[[2, 3]] == 0) and np.all(w[[0, 1]] != 0)  # the null group leaves together


@pytest.mark.parametrize("extra, needle", [
    (["--groups", "a,b;c,zz"], "--groups 'a,b;c,zz': 'zz' is not a feature column"),
    (["--groups", "a,b;b"], "column 'b' is in group 1 and group 2"),
    (["--groups", ";a"], "--groups ';a': group 1 is empty"),
    (["--groups", "a,,b"], "--groups 'a,,b': group 1 has an empty column name"),
    ([], "--prior group-laplace needs --groups"),
])
def test_bad_group_spec_exit_2(table, capsys, extra, needle):
    path, _ = table
    code = main(["fit", str(path), "--target", "y", "--prior", "group-laplace", "--scale", "0.3",
                 "--sigma", "1", *extra])
    err = capsys.readouterr().err
    assert code == 2
    assert needle in err and len(err.strip().splitlines()) == 1


def test_groups_flag_belongs_to_group_laplace(table, capsys):
    path, _ = table
    assert main(["fit", str(path), "--target", "y", "--prior", "laplace", "--scale", "1",
                 "--groups", "a,b"]) == 2
    assert "--groups applies to the group-laplace / group-horseshoe prior only" in \
        capsys.readouterr().err
    assert main(["fit", str(path), "--target", "y", "--prior", "group-laplace", "--groups",
                 "a,b"]) == 2
    assert "needs --scale" in capsys.readouterr().err


def test_sample_stores_the_group_map(table, tmp_path, capsys):
    """sample: the group prior has a mode (has_mode with the model's length), stored with the
    draws; it equals the API's MAP."""
    path, df = table
    out = tmp_path / "post.nc"
    code = main(["sample", str(path), "--target", "y", "--prior", "group-laplace", "--scale",
                 "0.05", "--sigma", "1", "--groups", "a,b;c,d", "--draws", "50", "--tune", "20",
                 "--sampler", "gibbs", "--seed", "0", "--out", str(out), "--json"])
    res, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(res)["map_stored"] is True
    import xarray as xr

    with xr.open_datatree(out, engine="h5netcdf") as tree:
        stored = json.loads(tree.attrs["bayesreg_map"])
    X, y = df[list("abcde")], df["y"].to_numpy()
    ref = br.Model(br.Gaussian(sigma=1.0), br.GroupLaplace(0.05, [[0, 1], [2, 3], [4]])).map(X, y)
    np.testing.assert_allclose(stored["coef"], ref.coef, atol=1e-6)


def test_fit_sparse_group_lasso_flag_kkt(table, capsys):
    """``--l1-scale B`` adds the within-group L1 term (sparse group lasso); the CLI's MAP is
    re-certified by the sparse-group KKT conditions of
    1/2 ||y - b0 - Xw||^2 + sum_g sqrt(p_g) ||w_g|| / S + ||w||_1 / B computed here."""
    path, df = table
    S, B = 0.05, 0.08
    code = main(["fit", str(path), "--target", "y", "--prior", "group-laplace", "--scale",
                 str(S), "--l1-scale", str(B), "--sigma", "1", "--groups", "a,b;c,d",
                 "--tol", "1e-10", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    d = json.loads(out)
    X, y = df[list("abcde")].to_numpy(), df["y"].to_numpy()
    w, b0 = np.asarray(d["coef"]), d["intercept"]
    grad = X.T @ (y - b0 - X @ w)
    a = 1.0 / B
    assert abs(np.sum(y - b0 - X @ w)) < 1e-6
    for g in ([0, 1], [2, 3], [4]):
        lam = np.sqrt(len(g)) / S
        nw = np.linalg.norm(w[g])
        if nw == 0:  # 0 is in the subdifferential: ||S_a(grad_g)|| <= lam
            assert np.linalg.norm(np.sign(grad[g]) * np.maximum(np.abs(grad[g]) - a, 0)) <= lam + 1e-6
            continue
        for j in g:
            if w[j] != 0:
                assert grad[j] == pytest.approx(lam * w[j] / nw + a * np.sign(w[j]), abs=1e-5)
            else:
                assert abs(grad[j]) <= a + 1e-6
    # the L1 term is active: the fit differs from the plain group lasso of the same --scale
    ref = br.Model(br.Gaussian(sigma=1.0), br.GroupLaplace(S, [["a", "b"], ["c", "d"], ["e"]])
                   ).map(df[list("abcde")], y, tol=1e-10)
    assert np.max(np.abs(ref.coef - w)) > 1e-3


def test_l1_scale_refused_for_other_priors(table, capsys):
    path, _ = table
    code = main(["fit", str(path), "--target", "y", "--prior", "horseshoe", "--l1-scale", "1"])
    _, err = capsys.readouterr()
    assert code == 2 and "--l1-scale" in err
