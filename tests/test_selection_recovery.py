"""Recovery of planted signals: 5 true signals among 50 features (Gaussian, n = 200, signal
variance 2.7 against noise variance 1). With a horseshoe reference posterior (exact Gibbs),
projection predictive selection (forward and L1 search) orders the 5 first and suggests size 5,
and decoupling shrinkage and selection selects the same 5. The truth is the reference."""

from __future__ import annotations

import numpy as np
import pytest

import bayesreg as br

SIGNAL = (1.0, -0.8, 0.7, 0.6, -0.5)


@pytest.fixture(scope="module")
def planted5():
    rng = np.random.default_rng(1)
    n, p = 200, 50
    X = rng.normal(size=(n, p))
    true = rng.choice(p, len(SIGNAL), replace=False)
    w = np.zeros(p)
    w[true] = SIGNAL
    y = X @ w + rng.normal(size=n)
    model = br.Model(br.Gaussian(), br.Horseshoe())
    idata = model.sample(X, y, draws=300, tune=300, chains=2, sampler="gibbs", random_seed=1,
                         progressbar=False)
    return model, idata, X, y, {f"x{j}" for j in true}


@pytest.mark.parametrize("search", ["forward", "l1"])
def test_projection_recovers_the_five_signals(planted5, search):
    model, idata, X, y, truth = planted5
    sel = br.project(idata, model, X, y, search=search, max_size=8)
    assert set(sel.order[:5]) == truth
    assert sel.suggest_size() == 5
    t = sel.table
    # each signal adds elpd; after the fifth the curve is flat (within noise of the reference)
    assert np.diff(t["elpd"].to_numpy())[:5].min() > 5
    assert abs(t["elpd_diff"].iloc[5]) < 2 * t["elpd_diff_se"].iloc[5] + 2


def test_dss_agrees_with_the_projection(planted5):
    model, idata, X, y, truth = planted5
    dss = br.sparsify(idata, model, X, y)
    assert set(dss.selected) == truth and dss.size == 5
