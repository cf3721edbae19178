"""The command line's --likelihood over the registry: student-t, negative-binomial and
binomial (--trials COL) fits equal the Python API's MAP on the same data (whose MAPs are tested
against scipy / statsmodels references in tests/test_lik_*.py), with flag errors."""

import json
import re

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

import bayesreg as br
from bayesreg.cli import main


@pytest.fixture
def table(tmp_path):
    rng = np.random.default_rng(2)
    n = 120
    X = rng.normal(size=(n, 3))
    trials = rng.integers(1, 8, size=n)
    df = pd.DataFrame(X, columns=["a", "b", "c"]).assign(
        cont=0.5 + X @ [1.0, -0.5, 0.0] + 0.4 * rng.standard_t(3, size=n),
        count=rng.negative_binomial(2.0, 2.0 / (2.0 + np.exp(0.5 + X @ [0.4, -0.3, 0.0]))),
        trials=trials, succ=rng.binomial(trials, expit(X @ [0.8, 0.0, -0.6])))
    path = tmp_path / "t.csv"
    df.to_csv(path, index=False)
    return path, df


def _fit(argv, capsys):
    code = main(argv + ["--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_student_t_and_negative_binomial(table, capsys):
    path, df = table
    X = df[["a", "b", "c"]]
    d = _fit(["fit", str(path), "--target", "cont", "--features", "a,b,c", "--likelihood",
              "student-t", "--nu", "4", "--prior", "laplace", "--scale", "0.5"], capsys)
    ref = br.Model(br.StudentT(nu=4.0), br.Laplace(0.5)).map(X, df["cont"])
    np.testing.assert_allclose(d["coef"], ref.coef, atol=1e-8)
    d = _fit(["fit", str(path), "--target", "count", "--features", "a,b,c", "--likelihood",
              "negative-binomial", "--prior", "normal", "--scale", "2"], capsys)
    ref = br.Model(br.NegativeBinomial(), br.Normal(2.0)).map(X, df["count"])
    np.testing.assert_allclose(d["coef"], ref.coef, atol=1e-8)


def test_binomial_trials_column(table, capsys):
    path, df = table
    d = _fit(["fit", str(path), "--target", "succ", "--features", "a,b,c", "--likelihood",
              "binomial", "--trials", "trials", "--prior", "normal", "--scale", "1"], capsys)
    X = df[["a", "b", "c"]]
    ref = br.Model(br.Binomial(df["trials"].to_numpy(float)), br.Normal(1.0)).map(X, df["succ"])
    np.testing.assert_allclose(d["coef"], ref.coef, atol=1e-8)
    assert d["feature_names"] == ["a", "b", "c"]
    # without --features the trials column is not a feature either
    d2 = _fit(["fit", str(path), "--target", "succ", "--likelihood", "binomial", "--trials",
               "trials", "--prior", "normal", "--scale", "1"], capsys)
    assert "trials" not in d2["feature_names"]


@pytest.mark.parametrize("argv, msg", [
    (["--likelihood", "binomial"], "needs --trials COL"),
    (["--likelihood", "poisson", "--nu", "3"], "--nu applies to the student-t likelihood only"),
    (["--likelihood", "student-t", "--trials", "trials"], "--trials applies to the binomial"),
    (["--likelihood", "negative-binomial", "--alpha", "0.1"], "--scale S"),
    (["--likelihood", "binomial", "--trials", "nope"], "'nope' \\(--trials\\) is not a column"),
])
def test_flag_errors(table, capsys, argv, msg):
    path, _ = table
    code = main(["fit", str(path), "--target", "succ", "--features", "a,b",
                 *(["--scale", "1"] if "--alpha" not in argv else []), *argv])
    err = capsys.readouterr().err
    assert code == 2 and re.search(msg, err), err
