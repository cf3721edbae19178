"""``compare(idata, fit, terms=fm.terms)``: one row per formula term; every number is recomputed
here from the draws (the norm of each term's coefficients per draw, its mean / median / sd,
the fraction of draws with the whole term inside the tolerance, the shortest interval of mass
hdi_prob) and from the MAP (its group norms, 0 for the term the group lasso drops)."""

import numpy as np
import pandas as pd
import pytest

import bayesreg as br


@pytest.fixture(scope="module")
def posterior():
    rng = np.random.default_rng(11)
    n = 120
    df = pd.DataFrame({"age": rng.normal(size=n), "region": rng.choice(list("abc"), n),
                       "shop": rng.choice(list("pqrs"), n)})
    df["y"] = 0.8 * df.age + 1.5 * (df.region == "b") + rng.normal(0, 1.0, n)
    fm = br.Model.from_formula("y ~ age + C(region) + C(shop)", data=df,
                               prior=br.GroupLaplace(0.2, groups="terms"),
                               likelihood=br.Gaussian(sigma=1.0))
    fit = fm.map(tol=1e-10)
    idata = fm.sample(draws=400, tune=100, chains=2, random_seed=1, sampler="gibbs",
                      progressbar=False, log_likelihood=False)
    return fm, fit, idata


def _shortest(x, prob):
    x = np.sort(x)
    k = int(np.floor(prob * x.size))
    widths = x[k:] - x[:-k]
    i = int(np.argmin(widths))
    return x[i], x[i + k]


def test_one_row_per_term_from_the_draws(posterior):
    fm, fit, idata = posterior
    tol = 0.05
    t = br.compare(idata, fit, zero_tol=tol, hdi_prob=0.9, terms=fm.terms)
    assert list(t.index) == ["age", "C(region)", "C(shop)"]
    w = idata["posterior"]["coef"].transpose("chain", "draw", "feature").values
    names = fm.feature_names
    for term, cols in fm.terms.items():
        js = [names.index(c) for c in cols]
        norm = np.linalg.norm(w[..., js], axis=-1).ravel()
        row = t.loc[term]
        assert row.n_columns == len(cols)
        np.testing.assert_allclose(row.norm_mean, norm.mean(), rtol=1e-12)
        np.testing.assert_allclose(row.norm_median, np.median(norm), rtol=1e-12)
        np.testing.assert_allclose(row.norm_sd, norm.std(ddof=1), rtol=1e-3)
        near = np.mean(np.all(np.abs(w[..., js]) < tol, axis=-1))
        assert row.p_near_zero == pytest.approx(near, abs=1e-15)
        np.testing.assert_allclose(row.map_norm, np.linalg.norm(fit.coef[js]), atol=1e-12)
        lo, hi = _shortest(norm, 0.9)
        np.testing.assert_allclose([row.norm_hdi_low, row.norm_hdi_high], [lo, hi],
                                   atol=0.05 * norm.std())
    # the group-lasso mode keeps age and the region dummies and drops the null shop term whole
    assert t.loc["C(shop)", "map_norm"] == 0.0 and t.loc["C(region)", "map_norm"] > 0.5
    assert np.all(fit.coef[[names.index(c) for c in fm.terms["C(shop)"]]] == 0.0)
    assert t.loc["C(shop)", "p_near_zero"] > t.loc["C(region)", "p_near_zero"]


def test_terms_accepts_the_formula_model_and_checks_columns(posterior):
    fm, fit, idata = posterior
    t = br.compare(idata, terms=fm)  # no fit: no map_norm column
    assert "map_norm" not in t.columns and len(t) == 3
    with pytest.raises(br.ParameterError, match="leaves the coefficients"):
        br.compare(idata, fit, terms={"age": ["age"]})
    with pytest.raises(br.ParameterError, match=r"terms\['x'\] names the column 'nope'"):
        br.compare(idata, fit, terms={"x": ["nope"]})
