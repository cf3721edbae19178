"""Formulas and categorical data (Model.from_formula): the design is formulaic's, the fit is the
one of an independently encoded design, new data go through the fitted design spec, and bad data
get bayesreg errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import bayesreg as br

formulaic = pytest.importorskip("formulaic")


@pytest.fixture
def df(rng):
    n = 80
    d = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.uniform(0, 3, size=n),
                      "region": rng.choice(["north", "south", "west"], size=n)})
    d["y"] = (1.0 + 0.8 * d.x1 + 1.5 * (d.region == "south") - 0.7 * (d.region == "west")
              + np.sin(d.x2) + rng.normal(scale=0.5, size=n))
    return d


def test_design_is_formulaics_without_the_intercept(df):
    f = "y ~ x1 + C(region) + x1:C(region) + bs(x2, df=4)"
    fm = br.Model.from_formula(f, df, prior=br.Normal(1.0))
    ref = formulaic.model_matrix(f, df)
    want = ref.rhs.drop(columns=["Intercept"])
    assert list(fm.X.columns) == list(want.columns)
    np.testing.assert_array_equal(fm.X.to_numpy(), want.to_numpy())
    np.testing.assert_array_equal(fm.y, df.y.to_numpy())
    assert fm.model.fit_intercept
    assert fm.feature_names == [str(c) for c in want.columns]
    # the columns of one term form one group
    assert fm.terms["C(region)"] == ["C(region)[T.south]", "C(region)[T.west]"]
    assert len(fm.terms["bs(x2, df=4)"]) == 4
    groups = dict(zip(fm.X.columns, fm.groups))
    assert groups["C(region)[T.south]"] == groups["C(region)[T.west]"] != groups["x1"]
    assert len(set(fm.groups)) == len(fm.terms) == 4


def test_map_equals_the_fit_on_an_independently_encoded_design(df):
    """Normal prior, fixed sigma: the formula's MAP is ridge regression (sklearn alpha =
    sigma^2 / tau^2) on pandas.get_dummies(drop_first=True) columns."""
    from sklearn.linear_model import Ridge

    sigma, tau = 0.5, 0.8
    fm = br.Model.from_formula("y ~ x1 + C(region)", df, likelihood=br.Gaussian(sigma),
                               prior=br.Normal(tau))
    fit = fm.map(tol=1e-12)
    Xd = pd.get_dummies(df[["x1", "region"]], columns=["region"], drop_first=True, dtype=float)
    ref = Ridge(alpha=sigma**2 / tau**2, tol=1e-12).fit(Xd, df.y)
    np.testing.assert_allclose(fit.coef, ref.coef_, atol=1e-8)
    assert fit.intercept == pytest.approx(ref.intercept_, abs=1e-8)
    np.testing.assert_allclose(fm.predict(fit, df.iloc[:7]), ref.predict(Xd.iloc[:7]), atol=1e-8)


def test_no_intercept_formula(df):
    fm = br.Model.from_formula("y ~ 0 + x1 + x2", df, prior=br.Laplace(1.0))
    assert not fm.model.fit_intercept
    assert list(fm.X.columns) == ["x1", "x2"]
    assert "Intercept" not in br.Model.from_formula("y ~ x1 - 1", df, prior=br.Normal(1.0)).X


def test_new_data_reuse_the_fitted_design(df):
    """A spline's knots and a factor's levels come from the fitted data: rows of the training
    frame give back exactly their training design rows, even alone (re-running the formula on
    five rows would place other knots and drop unseen levels)."""
    fm = br.Model.from_formula("y ~ bs(x2, df=5) + C(region)", df, prior=br.Normal(1.0))
    rows = df.iloc[[3, 10, 20, 30, 40]].drop(columns="y")
    np.testing.assert_allclose(fm.design(rows).to_numpy(), fm.X.iloc[[3, 10, 20, 30, 40]].to_numpy(),
                               atol=1e-12)
    one_level = df[df.region == "north"].iloc[:3]
    assert list(fm.design(one_level).columns) == list(fm.X.columns)
    fresh = formulaic.model_matrix("bs(x2, df=5)", rows)
    assert not np.allclose(fresh.to_numpy()[:, 1:], fm.X.to_numpy()[[3, 10, 20, 30, 40], :5])


def test_posterior_predictive_through_the_formula(df):
    fm = br.Model.from_formula("y ~ x1 + C(region)", df, prior=br.Normal(1.0))
    idata = fm.sample(draws=40, tune=20, chains=1, random_seed=1, progressbar=False)
    assert idata.attrs["sampler"] == "gibbs"
    assert list(idata.posterior["feature"].values) == fm.feature_names
    pred = fm.predict_posterior(idata, df.drop(columns="y").iloc[:6])
    assert pred.shape[-1] == 6 and np.all(np.isfinite(pred))


def test_bad_formulas_and_data_are_bayesreg_errors(df):
    fm = br.Model.from_formula("y ~ x1 + C(region)", df, prior=br.Normal(1.0))
    with pytest.raises(br.DataError, match=r"'east'.*levels of the data the model was built on"):
        fm.design(pd.DataFrame({"x1": [0.1], "region": ["east"]}))
    with pytest.raises(br.DataError, match="null"):
        fm.design(pd.DataFrame({"x1": [np.nan], "region": ["north"]}))
    with pytest.raises(br.DataError, match="x1"):
        fm.design(pd.DataFrame({"region": ["north"]}))
    with pytest.raises(br.DataError, match="x9"):
        br.Model.from_formula("y ~ x9", df, prior=br.Normal(1.0))
    with pytest.raises(TypeError, match="formula must be a string"):
        br.Model.from_formula("x1 + x2", df, prior=br.Normal(1.0))
    with pytest.raises(TypeError, match="prior is required"):
        br.Model.from_formula("y ~ x1", df)
    with pytest.raises(TypeError, match="data frame"):
        br.Model.from_formula("y ~ x1", df.to_numpy(), prior=br.Normal(1.0))
    missing = df.copy()
    missing.loc[4, "x1"] = np.nan
    with pytest.raises(br.DataError, match="null"):
        br.Model.from_formula("y ~ x1", missing, prior=br.Normal(1.0))
    before = df.copy()
    br.Model.from_formula("y ~ x1 + C(region)", df, prior=br.Normal(1.0))
    pd.testing.assert_frame_equal(df, before)  # input not mutated


def test_labels_without_a_formula_point_to_from_formula(df):
    m = br.Model(br.Gaussian(), br.Normal(1.0))
    with pytest.raises(br.DataError, match=r"\['region'\].*from_formula"):
        m.map(df[["x1", "region"]], df.y)
    cat = df[["x1", "region"]].astype({"region": "category"})
    with pytest.raises(br.DataError, match=r"\['region'\].*from_formula"):
        m.map(cat, df.y)
