"""Prediction matches a DataFrame's columns by name, never silently by position
(regression: fit.predict(df[reordered]) and predict_posterior(idata, df_reordered) used the
columns by position)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bayesreg as br
from bayesreg._errors import DataError


def _frame(rng, n=40, p=4):
    X = pd.DataFrame(rng.normal(size=(n, p)), columns=[f"c{j}" for j in range(p)])
    y = X.to_numpy() @ np.arange(1.0, p + 1) + rng.normal(size=n)
    return X, y


@settings(max_examples=25, deadline=None)
@given(perm=st.permutations(range(4)))
def test_map_predict_reorders_columns_by_name(perm):
    rng = np.random.default_rng(0)
    X, y = _frame(rng)
    fit = br.Model(br.Gaussian(1.0), br.Laplace(0.5)).map(X, y)
    ref = fit.predict(X)
    Xr = X[[X.columns[j] for j in perm]]
    np.testing.assert_allclose(fit.predict(Xr), ref, rtol=1e-12)
    # a bare array is taken by position (names absent on the new side)
    np.testing.assert_allclose(fit.predict(X.to_numpy()), ref, rtol=1e-12)


def test_map_predict_refuses_other_columns_and_keeps_unnamed_fits_positional(rng):
    X, y = _frame(rng)
    fit = br.Model(br.Gaussian(1.0), br.Normal(1.0)).map(X, y)
    with pytest.raises(DataError, match=r"missing \['c3'\].*unexpected \['z'\]"):
        fit.predict(X.rename(columns={"c3": "z"}))
    with pytest.raises(DataError, match="columns"):
        fit.predict(X.iloc[:, :3])
    # persisted and reloaded: the flag survives
    back = br.MAPResult.from_dict(fit.to_dict())
    np.testing.assert_allclose(back.predict(X[X.columns[::-1]]), fit.predict(X), rtol=1e-12)
    # a fit on an unnamed array predicts by position, whatever a frame's names are
    fit2 = br.Model(br.Gaussian(1.0), br.Normal(1.0)).map(X.to_numpy(), y)
    np.testing.assert_allclose(fit2.predict(X), fit2.predict(X.to_numpy()), rtol=1e-12)
    # the path's results carry the flag too
    path = br.Model(br.Gaussian(1.0), br.Laplace(1.0)).map_path(X, y, n_scales=3)
    r = path.results[-1]
    np.testing.assert_allclose(r.predict(X[X.columns[::-1]]), r.predict(X), rtol=1e-12)


def test_predict_posterior_reorders_by_name_and_refuses_another_model(rng):
    X, y = _frame(rng)
    model = br.Model(br.Gaussian(), br.Laplace(0.5))
    idata = model.sample(X, y, draws=30, tune=20, chains=1, sampler="gibbs", random_seed=1)
    ref = model.predict_posterior(idata, X).values
    got = model.predict_posterior(idata, X[X.columns[::-1]]).values
    np.testing.assert_allclose(got, ref, rtol=1e-12)
    with pytest.raises(DataError, match="missing"):
        model.predict_posterior(idata, X.rename(columns={"c0": "q"}))
    other = br.Model(br.Gaussian(), br.Laplace(0.7))
    with pytest.raises(DataError, match="sampled from"):
        other.predict_posterior(idata, X)
