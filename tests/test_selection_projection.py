"""Projection predictive selection (bayesreg.selection.project) against independent references:
numpy least squares (Gaussian KL projection), statsmodels GLM fits to the reference means
(Bernoulli / Poisson), arviz-stats' own loo, and a planted-signal search."""

from __future__ import annotations

import numpy as np
import pytest

import bayesreg as br
from bayesreg._errors import DataError, ParameterError
from bayesreg.samplers import build_tree

P_STRONG = (3, 17, 41)


def _conjugate_draws(X, y, sigma, rng, chains=2, draws=200, fit_intercept=True):
    """Exact posterior draws of (intercept, coef) under a flat prior and known sigma:
    N(beta_ols, sigma^2 (A^T A)^-1) (a reference posterior independent of bayesreg's samplers)."""
    n = X.shape[0]
    A = np.column_stack([np.ones(n), X]) if fit_intercept else X
    beta = np.linalg.lstsq(A, y, rcond=None)[0]
    cov = sigma**2 * np.linalg.inv(A.T @ A)
    d = rng.multivariate_normal(beta, cov, size=chains * draws)
    post = {"coef": (d[:, 1:] if fit_intercept else d).reshape(chains, draws, -1)}
    if fit_intercept:
        post["intercept"] = d[:, 0].reshape(chains, draws)
    return post


def _tree(model, post, y, p, sigma_draws=None):
    if sigma_draws is not None:
        post = {**post, "sigma": sigma_draws}
    return build_tree(model, post, {}, [f"x{j}" for j in range(p)], sampler="gibbs", y=y)


@pytest.fixture(scope="module")
def planted():
    rng = np.random.default_rng(7)
    n, p = 200, 50
    X = rng.normal(size=(n, p))
    w = np.zeros(p)
    w[list(P_STRONG)] = [2.0, -1.5, 1.0]
    y = X @ w + rng.normal(size=n)
    model = br.Model(br.Gaussian(), br.Laplace(scale=1.0))
    post = _conjugate_draws(X, y, 1.0, rng, chains=4, draws=250)
    sig = np.abs(1.0 + 0.05 * rng.normal(size=(4, 250)))
    return model, _tree(model, post, y, p, sig), X, y


def test_gaussian_projection_is_weighted_least_squares_with_projected_sigma(rng):
    n, p = 60, 5
    X = rng.normal(size=(n, p))
    y = X @ np.array([1.0, 0.5, 0.0, 0.0, -1.0]) + rng.normal(size=n)
    sw = rng.uniform(0.5, 2.0, size=n)
    model = br.Model(br.Gaussian(), br.Normal(1.0))
    post = _conjugate_draws(X, y, 1.0, rng)
    sig = np.abs(1.0 + 0.1 * rng.normal(size=(2, 200)))
    idata = _tree(model, post, y, p, sig)
    sel = br.project(idata, model, X, y, sample_weight=sw, max_size=3, n_clusters=None)
    tree = sel.posterior(2)
    cols = sel.order_index[:2]
    A = np.column_stack([np.ones(n), X[:, cols]])
    r = np.sqrt(sw)
    for c, d in [(0, 0), (1, 17)]:
        mu = post["intercept"][c, d] + X @ post["coef"][c, d]
        beta = np.linalg.lstsq(A * r[:, None], mu * r, rcond=None)[0]
        np.testing.assert_allclose(tree["posterior"]["intercept"].values[c, d], beta[0],
                                   rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(tree["posterior"]["coef"].values[c, d], beta[1:],
                                   rtol=1e-9, atol=1e-12)
        s2 = sig[c, d] ** 2 + np.sum(sw * (mu - A @ beta) ** 2) / sw.sum()
        np.testing.assert_allclose(tree["posterior"]["sigma"].values[c, d], np.sqrt(s2),
                                   rtol=1e-10)


def test_orthogonal_design_projection_is_the_closed_form(rng):
    """X^T X = n I, centered columns: the projection onto T keeps each draw's coefficients on T
    (w_perp_T = w_T) and moves the rest into sigma: sigma_perp^2 = sigma^2 + sum_{j not in T} w_j^2."""
    n, p = 64, 4
    Z = rng.normal(size=(n, p))
    X = np.linalg.qr(Z - Z.mean(0))[0] * np.sqrt(n)  # centered, X^T X = n I
    y = X @ np.array([2.0, 1.0, 0.5, 0.1]) + rng.normal(size=n)
    model = br.Model(br.Gaussian(sigma=1.0), br.Normal(10.0))
    post = _conjugate_draws(X, y, 1.0, rng, chains=1, draws=50)
    sel = br.project(_tree(model, post, y, p), model, X, y, max_size=4, n_clusters=None)
    assert sel.order == ["x0", "x1", "x2", "x3"]
    tree = sel.posterior(2)
    w = post["coef"][0]
    np.testing.assert_allclose(tree["posterior"]["coef"].values[0], w[:, :2], rtol=1e-10)
    np.testing.assert_allclose(tree["posterior"]["sigma"].values[0] ** 2,
                               1.0 + np.sum(w[:, 2:] ** 2, axis=1), rtol=1e-10)


@pytest.mark.parametrize("lik_name", ["Bernoulli", "Poisson"])
def test_glm_projection_is_the_glm_fit_to_the_reference_means(rng, lik_name):
    sm = pytest.importorskip("statsmodels.api")
    n, p = 120, 4
    X = rng.normal(size=(n, p))
    eta = 0.3 + X @ np.array([1.0, -0.7, 0.0, 0.4]) * (0.5 if lik_name == "Poisson" else 1.0)
    lik = getattr(br, lik_name)()
    y = lik.draw(eta, rng)
    model = br.Model(lik, br.Normal(1.0))
    coef = np.array([1.0, -0.7, 0.0, 0.4]) * (0.5 if lik_name == "Poisson" else 1.0)
    post = {"coef": coef + 0.1 * rng.normal(size=(1, 40, p)),
            "intercept": 0.3 + 0.1 * rng.normal(size=(1, 40))}
    sel = br.project(_tree(model, post, y, p), model, X, y, max_size=2, n_clusters=5)
    tree = sel.posterior(2)
    cols = sel.order_index[:2]
    family = sm.families.Binomial() if lik_name == "Bernoulli" else sm.families.Poisson()
    A = sm.add_constant(X[:, cols])
    for d in (0, 11):
        mu = lik.mean(post["intercept"][0, d] + X @ post["coef"][0, d])
        res = sm.GLM(mu, A, family=family).fit(tol=1e-13)
        got = np.r_[tree["posterior"]["intercept"].values[0, d],
                    tree["posterior"]["coef"].values[0, d]]
        np.testing.assert_allclose(got, res.params, rtol=1e-7, atol=1e-9)


@pytest.fixture(scope="module")
def planted_selection(planted):
    """The performance case of the issue (1000 draws, p = 50, all draws projected); the cost
    model is in the docstring: no timing is asserted."""
    model, idata, X, y = planted
    return br.project(idata, model, X, y, max_size=6, n_draws=None)


def test_dataframe_columns_are_matched_by_name(rng):
    pd = pytest.importorskip("pandas")
    n, p = 60, 3
    X = pd.DataFrame(rng.normal(size=(n, p)), columns=["a", "b", "c"])
    y = 2.0 * X["b"].to_numpy() + rng.normal(size=n)
    model = br.Model(br.Gaussian(sigma=1.0), br.Normal(10.0))
    post = _conjugate_draws(X.to_numpy(), y, 1.0, rng)
    idata = build_tree(model, post, {}, ["a", "b", "c"], sampler="gibbs", y=y, names_given=True)
    sel = br.project(idata, model, X[["c", "a", "b"]], y, max_size=1, n_clusters=None)
    assert sel.order == ["b"]
    np.testing.assert_allclose(sel.posterior(1)["posterior"]["coef"].values[0, 0, 0],
                               np.linalg.lstsq(np.column_stack([np.ones(n), X["b"]]),
                                               post["intercept"][0, 0] + X.to_numpy() @ post["coef"][0, 0],
                                               rcond=None)[0][1], rtol=1e-9)


def test_l1_search_for_a_glm(rng):
    n, p = 200, 6
    X = rng.normal(size=(n, p))
    coef = np.array([0.0, 2.0, 0.0, 0.0, -1.0, 0.0])
    y = br.Bernoulli().draw(X @ coef, rng)
    model = br.Model(br.Bernoulli(), br.Normal(2.0))
    post = {"coef": coef + 0.1 * rng.normal(size=(1, 100, p)),
            "intercept": 0.1 * rng.normal(size=(1, 100))}
    sel = br.project(_tree(model, post, y, p), model, X, y, search="l1", max_size=3)
    assert sel.order[:2] == ["x1", "x4"]
    assert "accuracy" in sel.table.columns and sel.table["accuracy"].iloc[2] > 0.7


def test_forward_search_recovers_the_planted_signals_first(planted, planted_selection):
    model, idata, X, y = planted
    sel = planted_selection
    assert set(sel.order[:3]) == {f"x{j}" for j in P_STRONG}
    assert sel.order[0] == "x3"
    assert sel.suggest_size() == 3
    t = sel.table
    assert list(t.index) == list(range(7)) and t["feature"].iloc[1] == sel.order[0]
    # the elpd jumps while the signals enter and then flattens
    gains = np.diff(t["elpd"].to_numpy())
    assert gains[:3].min() > 20 and gains[3:].max() < 10
    sel_l1 = br.project(idata, model, X, y, search="l1", max_size=3, n_draws=100)
    assert set(sel_l1.order[:3]) == {f"x{j}" for j in P_STRONG}


def test_suggest_size_rule_and_full_size_equals_the_reference(rng):
    """At full size the projection is the reference itself (so its elpd equals the reference's,
    which equals arviz-stats' loo with r_eff = 1 on the same draws), and suggest_size follows the
    documented rule on the table."""
    import arviz_stats as azs
    from scipy.stats import norm

    n, p = 80, 4
    X = rng.normal(size=(n, p))
    y = 1.0 + X @ np.array([1.0, 0.5, 0.0, 0.0]) + rng.normal(size=n)
    model = br.Model(br.Gaussian(sigma=1.0), br.Normal(10.0))
    idata = _tree(model, _conjugate_draws(X, y, 1.0, rng), y, p)
    from bayesreg.samplers import add_log_likelihood

    add_log_likelihood(idata, model, X, y)
    sel = br.project(idata, model, X, y, n_draws=None)
    assert sel.max_size == p
    loo = azs.loo(idata, pointwise=True, reff=1.0)
    np.testing.assert_allclose(sel.reference["elpd"], loo.elpd, rtol=1e-10)
    np.testing.assert_allclose(sel.reference["elpd_se"], loo.se, rtol=1e-8)
    np.testing.assert_allclose(sel.table["elpd"].iloc[-1], loo.elpd, rtol=1e-9)
    np.testing.assert_allclose(sel.table["elpd_diff"].iloc[-1], 0.0, atol=1e-8)
    t = sel.table
    for alpha, pct, kind in [(0.3173105, 0.0, "upper"), (0.1, 0.05, "lower")]:
        z = norm.ppf(1 - alpha / 2)
        sgn = 1 if kind == "upper" else -1
        bound = t["elpd_diff"] + sgn * z * t["elpd_diff_se"]
        want = int(np.flatnonzero(bound.to_numpy() >= pct * t["elpd_diff"].iloc[0])[0])
        assert sel.suggest_size(alpha=alpha, pct=pct, type=kind) == want


def test_vectorized_psis_equals_arviz_stats(rng):
    from arviz_stats.base import array_stats

    from bayesreg.selection._psis import psis_loo

    for S in (60, 400):
        ll = rng.normal(-1.0, 0.3, size=(S, 40))
        ll[:, :15] += 2.0 * rng.standard_t(2, size=(S, 15))  # heavy tails, large k
        ll[:, 15:20] = -rng.exponential(5.0, size=(S, 5))
        _, lw, k = psis_loo(ll)
        lw_ref, k_ref = array_stats.psislw(np.ascontiguousarray(ll.T), r_eff=1.0, axis=-1)
        np.testing.assert_allclose(lw, lw_ref, rtol=0, atol=1e-11)
        np.testing.assert_allclose(k, k_ref, rtol=1e-12, atol=1e-12)
        assert np.max(k) > 0.7


def test_thousand_draws_projected_posterior_and_plot(planted_selection):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sel = planted_selection
    assert sel.table.shape[0] == 7 and np.all(np.isfinite(sel.table["elpd"]))
    tree = sel.posterior()
    assert tree["posterior"]["coef"].shape == (4, 250, sel.suggest_size())
    assert list(tree["posterior"]["feature"].values) == sel.order[:3]
    ax = sel.plot()
    assert ax.get_xlabel().startswith("submodel size")
    ax2 = sel.plot(stat="rmse")
    assert "rmse" in ax2.get_ylabel()
    assert "ProjectionSelection" in repr(sel)
    plt.close("all")


@pytest.mark.slow
def test_kfold_reruns_the_search_per_fold(rng):
    n, p = 60, 4
    X = rng.normal(size=(n, p))
    y = X @ np.array([2.0, 0.0, 0.0, -1.0]) + rng.normal(size=n)
    model = br.Model(br.Gaussian(), br.Laplace(scale=1.0))
    idata = model.sample(X, y, draws=100, tune=50, chains=1, sampler="gibbs", random_seed=3,
                         progressbar=False)
    sel = br.project(idata, model, X, y, cv=3, max_size=2)
    assert len(sel.fold_orders) == 3
    assert all(o[0] == "x0" for o in sel.fold_orders)
    assert np.all(np.isfinite(sel.table["elpd"])) and "pareto_k_max" not in sel.table
    assert sel.table["elpd"].iloc[1] > sel.table["elpd"].iloc[0]


def test_bad_arguments(planted, rng):
    model, idata, X, y = planted
    with pytest.raises(ParameterError, match="search"):
        br.project(idata, model, X, y, search="backward")
    with pytest.raises(ParameterError, match="cv"):
        br.project(idata, model, X, y, cv=1)
    with pytest.raises(ParameterError, match="max_size"):
        br.project(idata, model, X, y, max_size=51)
    with pytest.raises(DataError, match="sampled from"):
        br.project(idata, br.Model(br.Gaussian(), br.Normal(1.0)), X, y)
    with pytest.raises(DataError, match="columns"):
        br.project(idata, model, X[:, :10], y)
    with pytest.raises(DataError, match="y differs"):
        br.project(idata, model, X, y + 1)
