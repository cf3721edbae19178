"""NegativeBinomial conversions: glum's GeneralizedLinearRegressor (MAP = glum's fitted
coefficients to 1e-6, weighted and not), glmnet's negative.binomial(theta) (the objective written
here, minimized by scipy), the argument table, round trips and the CLI."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest
import scipy.optimize as so
from scipy import stats

import bayesreg as br
from bayesreg.conversions import from_glmnet, sklearn_argument_table


def _data(n=200, p=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    mu = np.exp(0.5 + X @ np.r_[0.5, -0.3, 0.2, np.zeros(p - 3)])
    return X, rng.negative_binomial(2.0, 2.0 / (2.0 + mu)).astype(float)


@pytest.mark.parametrize("alpha,l1_ratio,weighted", [(0.05, 0.0, False), (0.02, 1.0, True),
                                                     (0.03, 0.5, False)])
def test_map_equals_glums_fit(alpha, l1_ratio, weighted):
    glum = pytest.importorskip("glum")
    X, y = _data()
    sw = np.random.default_rng(1).uniform(0.5, 2.0, size=len(y)) if weighted else None
    est = glum.GeneralizedLinearRegressor(family=glum.NegativeBinomialDistribution(theta=0.7),
                                          alpha=alpha, l1_ratio=l1_ratio, gradient_tol=1e-10,
                                          max_iter=1000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y, sample_weight=sw)
    n = len(y) if sw is None else float(sw.sum())
    model = br.Model.from_sklearn(est, n_samples=n)
    assert model.likelihood.alpha == pytest.approx(0.7, rel=1e-7)  # glum keeps theta in float32
    fit = model.map(X, y, sample_weight=sw, tol=1e-12)
    np.testing.assert_allclose(fit.coef, est.coef_, atol=1e-6, rtol=0)
    assert abs(fit.intercept - est.intercept_) < 1e-6
    if l1_ratio == 1.0:
        assert np.array_equal(fit.coef == 0, np.abs(est.coef_) < 1e-10)
    back = model.to_sklearn(n_samples=n)
    assert type(back).__name__ == "GeneralizedLinearRegressor"
    assert br.Model.from_sklearn(back, n_samples=n) == model


def test_glmnet_negative_binomial_theta_is_the_objective_written_here():
    """glmnet family=negative.binomial(theta): -(1/n) sum log NB(y; mu, size=theta) +
    lambda [a |w|_1 + (1 - a)/2 |w|^2]; the converted MAP minimizes it (scipy, smooth case)."""
    X, y = _data(n=120, p=3)
    n, lam, theta = len(y), 0.05, 1.5
    model = from_glmnet(lam, alpha=0.0, family="negative.binomial", theta=theta, n_samples=n)
    assert model.likelihood == br.NegativeBinomial(alpha=1 / theta)

    def f(z):
        mu = np.exp(z[0] + X @ z[1:])
        return (-stats.nbinom.logpmf(y, theta, theta / (theta + mu)).sum() / n
                + lam * 0.5 * z[1:] @ z[1:])

    ref = so.minimize(f, np.zeros(4), method="BFGS", options={"gtol": 1e-10}).x
    fit = model.map(X, y, tol=1e-12)
    np.testing.assert_allclose(np.r_[fit.intercept, fit.coef], ref, atol=1e-5)
    d = model.to_glmnet(n_samples=n)
    assert d["family"] == "negative.binomial" and d["theta"] == pytest.approx(theta)
    assert from_glmnet(**d, n_samples=n) == model
    with pytest.raises(br.ParameterError, match="theta"):
        from_glmnet(lam, family="negative.binomial", n_samples=n)
    with pytest.raises(br.ParameterError, match="theta"):
        from_glmnet(lam, family="poisson", theta=2.0, n_samples=n)
    with pytest.raises(br.ParameterError, match="alpha=None"):
        br.Model(br.NegativeBinomial(), br.Normal(1.0)).to_glmnet(n_samples=n)


def test_every_glum_argument_has_a_row_and_refusals_name_the_argument():
    glum = pytest.importorskip("glum")
    G, NB = glum.GeneralizedLinearRegressor, glum.NegativeBinomialDistribution
    table = sklearn_argument_table("GeneralizedLinearRegressor")
    assert set(G().get_params()) <= set(table)  # a new glum argument: classify it
    base = dict(family=NB(1.0), alpha=0.1)
    for arg, value in [("P1", np.ones(5) * 2), ("link", "identity"), ("alpha_search", True),
                       ("scale_predictors", True), ("lower_bounds", np.zeros(5)),
                       ("alphas", [0.1, 0.01]), ("formula", "y ~ x"), ("family", "poisson")]:
        with pytest.raises(br.NotSupportedError, match=arg):
            br.Model.from_sklearn(G(**{**base, arg: value}), n_samples=10)
    with pytest.raises(br.ParameterError, match="alpha"):
        br.Model.from_sklearn(G(family=NB(1.0)), n_samples=10)  # alpha=None
    with pytest.raises(br.ParameterError, match="n_samples"):
        br.Model.from_sklearn(G(**base))
    # ignored settings give the same model; the string family is glum's theta = 1
    ref = br.Model.from_sklearn(G(**base), n_samples=10)
    assert br.Model.from_sklearn(G(**base, solver="irls-cd", max_iter=7, verbose=1,
                                   robust=False), n_samples=10) == ref
    assert br.Model.from_sklearn(G(family="negative.binomial", alpha=0.1), n_samples=10) == ref


def test_cli_convert_negative_binomial(capsys):
    from bayesreg.cli import main

    assert main(["convert", "--from", "glmnet:negative.binomial", "--theta", "2", "--lambda",
                 "0.01", "--n-samples", "500", "--to", "glmnet", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["prior"] == "Laplace(scale=0.2)"  # 1 / (n lambda)
    assert out["equivalent"]["glmnet"]["theta"] == pytest.approx(2.0)
    assert main(["convert", "--from", "prior:laplace", "--scale", "0.1", "--likelihood",
                 "negative-binomial", "--dispersion", "0.5", "--n-samples", "500", "--to",
                 "glmnet", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["equivalent"]["glmnet"]["lambda_"] == pytest.approx(0.02)
    pytest.importorskip("glum")
    assert main(["convert", "--from", "glum:negative.binomial", "--theta", "0.5", "--alpha",
                 "0.02", "--l1-ratio", "1", "--n-samples", "500"]) == 0
    text = capsys.readouterr().out
    assert "Laplace(scale=0.1)" in text and "NegativeBinomialDistribution(theta=0.5)" in text


def test_the_docs_table_lists_every_glum_row():
    from pathlib import Path

    page = (Path(__file__).resolve().parents[1] / "docs" / "guide" / "conversions.md").read_text()
    for arg, (action, _, _) in sklearn_argument_table("GeneralizedLinearRegressor").items():
        assert f"| `GeneralizedLinearRegressor` | `{arg}` | {action} |" in page, arg


def test_glmnet_theta_for_a_family_without_it_is_a_named_error():
    """theta belongs to negative.binomial only: another family gets a ParameterError naming
    theta and the fix, never a TypeError from the likelihood's own classmethod."""
    with pytest.raises(br.ParameterError, match="theta.*drop it"):
        from_glmnet(0.1, alpha=1.0, family="poisson", theta=2.0, n_samples=50)
