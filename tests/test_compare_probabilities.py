"""compare(): P(sign = sign of the median), P(|w| < delta) and the posterior inclusion probability,
against the closed-form probabilities of the distributions the draws come from (binomial
z-scores), and the compact report table left as it was."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import norm

import bayesreg as br
from bayesreg._errors import ParameterError
from bayesreg.samplers import build_tree

MEANS = np.array([0.8, -0.3, 0.05])
SD = 0.5
C, D = 4, 1500


class _SlabNormal(br.Normal):
    """A Normal prior declaring a 0/1 inclusion variable ``z`` (the Prior.inclusion_variable face)."""

    hyper_names = ("z",)
    inclusion_variable = "z"


def _idata(model, rng, with_z=False):
    post = {"coef": MEANS + SD * rng.normal(size=(C, D, 3)), "intercept": rng.normal(size=(C, D))}
    if with_z:
        post["z"] = (rng.random(size=(C, D, 3)) < np.array([0.9, 0.4, 0.1])).astype(float)
    return build_tree(model, post, {}, ["x0", "x1", "x2"], sampler="gibbs")


def _z(p_hat, p_true, N=C * D):
    return np.abs(p_hat - p_true) / np.sqrt(p_true * (1 - p_true) / N)


def test_sign_and_delta_probabilities_match_the_normal_draws(rng):
    model = br.Model(br.Gaussian(1.0), br.Laplace(1.0))
    t = br.compare(_idata(model, rng), delta=0.2)
    assert np.all(_z(t["p_sign"].to_numpy(), norm.cdf(np.abs(MEANS) / SD)) < 4.5)
    want = norm.cdf((0.2 - MEANS) / SD) - norm.cdf((-0.2 - MEANS) / SD)
    assert np.all(_z(t["p_within_delta"].to_numpy(), want) < 4.5)
    assert np.all(t["delta"] == 0.2)
    assert "pip" not in t.columns  # the Laplace prior has no inclusion variable
    t2 = br.compare(_idata(model, rng), delta=[0.1, 0.2, 0.3])
    np.testing.assert_array_equal(t2["delta"].to_numpy(), [0.1, 0.2, 0.3])
    t3 = br.compare(_idata(model, rng))
    assert "p_sign" in t3.columns and not {"delta", "p_within_delta"} & set(t3.columns)
    with pytest.raises(ParameterError, match="delta"):
        br.compare(_idata(model, rng), delta=-1.0)
    with pytest.raises(ParameterError, match="delta"):
        br.compare(_idata(model, rng), delta=[0.1, 0.2])


def test_pip_from_the_prior_inclusion_variable(rng):
    X = rng.normal(size=(30, 3))
    y = X @ MEANS + rng.normal(size=30)
    model = br.Model(br.Gaussian(1.0), _SlabNormal(1.0))
    fit = model.map(X, y)
    t = br.compare(_idata(model, rng, with_z=True), fit, extra_rows=True)
    coef = t[t["kind"] == "coef"]
    assert np.all(_z(coef["pip"].to_numpy(), np.array([0.9, 0.4, 0.1])) < 4.5)
    assert np.isnan(t.loc["(intercept)", "pip"])


def test_compact_report_table_keeps_its_columns(rng):
    from bayesreg.diagnostics.report import COMPACT_COLUMNS, _compact_table

    model = br.Model(br.Gaussian(1.0), br.Laplace(1.0))
    t = br.compare(_idata(model, rng), delta=0.2)
    heads = list(_compact_table(t, 0.94).columns)
    assert heads == [h if k != "hdi" else "94% HDI" for k, h in COMPACT_COLUMNS.items()
                     if k in t.columns or k == "hdi"]
    assert not {"p_sign", "p_within_delta", "pip"} & set(heads)
