"""Bundled data: shapes, names, known values from the original publications."""

import numpy as np
import pandas as pd
import pytest

import bayesreg as br
from bayesreg.datasets import load_diabetes, load_prostate

PRED = ["lcavol", "lweight", "age", "lbph", "svi", "lcp", "gleason", "pgg45"]


def test_diabetes_shape_names_values():
    df = load_diabetes()
    assert df.shape == (442, 11)
    assert list(df.columns) == ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6",
                                "target"]
    # first row of Efron et al.'s raw table
    np.testing.assert_allclose(df.iloc[0].to_numpy(),
                               [59, 2, 32.1, 101, 157, 93.2, 38, 4, 4.8598, 87, 151])
    assert df["target"].min() == 25 and df["target"].max() == 346
    assert set(df["sex"].unique()) == {1.0, 2.0}
    X, y = load_diabetes(return_X_y=True)
    assert X.shape == (442, 10) and isinstance(y, pd.Series) and y.name == "target"
    assert br.datasets is not None


def test_diabetes_matches_sklearn_copies():
    sk = pytest.importorskip("sklearn.datasets")
    Xr, yr = sk.load_diabetes(return_X_y=True, as_frame=True, scaled=False)
    X, y = load_diabetes(return_X_y=True)
    np.testing.assert_allclose(X.to_numpy(), Xr.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(y.to_numpy(), yr.to_numpy())
    # sklearn's default (scaled) copy = standardized / sqrt(n)
    Xs, _ = sk.load_diabetes(return_X_y=True)
    Z, _ = load_diabetes(return_X_y=True, standardize=True)
    np.testing.assert_allclose(Z.to_numpy() / np.sqrt(442), Xs, atol=1e-8)
    np.testing.assert_allclose(Z.mean().to_numpy(), 0, atol=1e-12)
    np.testing.assert_allclose(Z.std(ddof=0).to_numpy(), 1, rtol=1e-12)


def test_prostate_shape_split():
    df = load_prostate()
    assert df.shape == (97, 10)
    assert list(df.columns) == PRED + ["lpsa", "train"]
    assert df["train"].dtype == bool and df["train"].sum() == 67
    assert load_prostate(split="train").shape == (67, 10)
    assert load_prostate(split="test").shape == (30, 10)
    X, y = load_prostate(return_X_y=True, split="test")
    assert list(X.columns) == PRED and y.name == "lpsa" and len(y) == 30
    # ESL Table 3.1: correlation of lcavol and lweight on the training data = 0.300
    tr = load_prostate(split="train")
    assert tr["lcavol"].corr(tr["lweight"]) == pytest.approx(0.300, abs=5e-4)
    assert tr["lcavol"].corr(tr["lcp"]) == pytest.approx(0.692, abs=5e-4)


def test_prostate_esl_table_3_2_least_squares():
    X, y = load_prostate(return_X_y=True, standardize=True)
    tr = load_prostate()["train"].to_numpy()
    A = np.column_stack([np.ones(tr.sum()), X.to_numpy()[tr]])
    beta, *_ = np.linalg.lstsq(A, y.to_numpy()[tr], rcond=None)
    esl = [2.46, 0.68, 0.26, -0.14, 0.21, 0.31, -0.29, -0.02, 0.27]
    np.testing.assert_allclose(beta, esl, atol=0.0051)
    # ESL Table 3.3: test error of least squares 0.521, of the intercept-only model 1.057
    At = np.column_stack([np.ones((~tr).sum()), X.to_numpy()[~tr]])
    yt = y.to_numpy()[~tr]
    assert np.mean((yt - At @ beta) ** 2) == pytest.approx(0.521, abs=5e-4)
    assert np.mean((yt - y.to_numpy()[tr].mean()) ** 2) == pytest.approx(1.057, abs=5e-4)


def test_bad_arguments():
    with pytest.raises(br.ParameterError, match="split"):
        load_prostate(split="validation")
    with pytest.raises(br.BayesregTypeError, match="standardize"):
        load_diabetes(standardize="yes")


def test_loaders_return_fresh_copies():
    a = load_diabetes()
    a.iloc[0, 0] = -1.0
    assert load_diabetes().iloc[0, 0] == 59
