"""One "practically zero" rule everywhere (compare with X == compare from a saved posterior),
on a scale that means something for each likelihood; the log-likelihood group is optional and
computed on demand."""

import warnings

import arviz as az
import numpy as np
import pytest
import xarray as xr

import bayesreg as br
from bayesreg.diagnostics.compare import ZERO_TOL_RULE
from bayesreg.samplers import add_log_likelihood, build_tree, column_sd


def _laplace_tree(model, fit, X, y, rng, chains=2, draws=1000):
    """Draws from the Laplace approximation N(mode, H^-1) of a GLM posterior (H from numpy:
    A^T diag(curvature) A + the Normal prior's precision), in bayesreg's DataTree layout."""
    A = np.column_stack([np.ones(len(y)), X])
    eta = A @ np.r_[fit.intercept, fit.coef]
    mu = np.exp(eta) if isinstance(model.likelihood, br.Poisson) else 1 / (1 + np.exp(-eta))
    w = mu if isinstance(model.likelihood, br.Poisson) else mu * (1 - mu)
    H = A.T @ (A * w[:, None]) + np.diag([0.0] + [1 / model.prior.scale**2] * X.shape[1])
    d = rng.multivariate_normal(np.r_[fit.intercept, fit.coef], np.linalg.inv(H),
                                size=(chains, draws))
    post = {"intercept": d[..., 0], "coef": d[..., 1:]}
    stats = {"diverging": np.zeros((chains, draws), bool)}
    names = [f"x{j}" for j in range(X.shape[1])]
    return build_tree(model, post, stats, names, sampler="laplace", y=y, x_sd=column_sd(X)), d


@pytest.fixture
def poisson_case(rng):
    """n = 6000 counts with mean ~ 10, standardized x: w_0 = 0.087 is known to +-0.004."""
    n, p = 6000, 8
    X = rng.normal(size=(n, p))
    X = (X - X.mean(0)) / X.std(0)
    w = np.zeros(p)
    w[0] = 0.087
    y = rng.poisson(np.exp(np.log(10.0) + X @ w)).astype(float)
    model = br.Model(br.Poisson(), br.Normal(10.0))
    fit = model.map(X, y)
    idata, d = _laplace_tree(model, fit, X, y, rng)
    return model, fit, X, y, idata, d


def test_poisson_effect_of_nine_percent_is_not_near_zero(poisson_case, tmp_path):
    model, fit, X, y, idata, d = poisson_case
    w0 = d[..., 1]
    assert abs(w0.mean() - 0.087) < 0.01 and 0.003 < w0.std() < 0.005
    t = br.compare(idata, fit, X=X, y=y)
    s = np.sqrt(np.log1p(1 / np.mean(y)))  # the Poisson log-rate observation sd, ~0.31
    tol = 0.1 * s / np.std(X, axis=0)
    np.testing.assert_allclose(t["zero_tol"], tol, rtol=1e-12)
    np.testing.assert_array_equal(t["p_near_zero"], np.mean(np.abs(d[..., 1:]) < tol, axis=(0, 1)))
    assert t.loc["x0", "p_near_zero"] < 0.001
    assert np.all(t["p_near_zero"].iloc[1:] > 0.99)  # the true zeros are near zero
    # the old log-rate unit 1 (tolerance 0.1) called this 9% effect "near zero" (mostly)
    assert np.mean(np.abs(w0) < 0.1) > 0.5
    assert t.attrs["zero_tol_rule"].startswith(
        f"zero_tol_j = 0.1 * sqrt(log(1 + 1 / mean(y))) / sd(x_j) (sqrt(log(1 + 1 / mean(y))) = "
        f"{s:.4g}; Poisson")
    assert t.attrs["zero_tol_rule"].endswith(ZERO_TOL_RULE)
    assert not t.isna().all().any()
    # the Poisson reference is the unpenalized MLE (numpy Newton, independent of the code)
    A = np.column_stack([np.ones(len(y)), X])
    b = np.r_[np.log(y.mean()), np.zeros(X.shape[1])]
    for _ in range(50):
        mu = np.exp(A @ b)
        b = b + np.linalg.solve(A.T @ (A * mu[:, None]), A.T @ (y - mu))
    np.testing.assert_allclose(t["ls"], b[1:], rtol=1e-8, atol=1e-12)
    # from the file (no X): the same numbers and the same rule text
    path = tmp_path / "post.nc"
    idata.to_netcdf(path, engine="h5netcdf")
    back = xr.open_datatree(path, engine="h5netcdf").load()
    np.testing.assert_array_equal(back["constant_data"]["x_sd"].values, np.std(X, axis=0))
    for f in (fit, None):
        tf = br.compare(back, f)
        tx = br.compare(idata, f, X=X, y=y)
        for col in ("zero_tol", "p_near_zero"):
            np.testing.assert_array_equal(tf[col].to_numpy(), tx[col].to_numpy())
        assert tf.attrs["zero_tol_rule"] == tx.attrs["zero_tol_rule"] == t.attrs["zero_tol_rule"]
        assert not tf.isna().all().any()


def test_bernoulli_compare_has_no_all_nan_column(rng, tmp_path):
    n, p = 400, 3
    X = rng.normal(size=(n, p))
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.3 + X @ [1.0, 0.0, -0.5])))).astype(float)
    model = br.Model(br.Bernoulli(), br.Normal(10.0))
    fit = model.map(X, y)
    idata, d = _laplace_tree(model, fit, X, y, rng, draws=300)
    for f in (fit, None):
        for extra in (False, True):
            t = br.compare(idata, f, X=X, y=y, extra_rows=extra)
            assert not t.isna().all().any(), t.columns[t.isna().all()].tolist()
            assert "relative to none" not in t.attrs["ls_rule"]
    t = br.compare(idata, fit)  # from the stored x_sd: the logistic sd, no y needed
    np.testing.assert_allclose(t["zero_tol"], 0.1 * (np.pi / np.sqrt(3)) / np.std(X, axis=0),
                               rtol=1e-12)
    assert "ls" not in t and t.attrs["ls_rule"] == "no reference estimate (X not given)"


def _gaussian(rng, n=300, p=8):
    X = rng.normal(size=(n, p)) * np.linspace(0.5, 3.0, p)
    y = 1.0 + X @ np.r_[1.0, -0.5, np.zeros(p - 2)] + rng.normal(size=n)
    return X, y


def test_sample_stores_x_sd_and_file_gives_same_compare(rng, tmp_path):
    X, y = _gaussian(rng)
    model = br.Model(br.Gaussian(sigma=None), br.Laplace(0.5))
    idata = model.sample(X, y, draws=200, tune=100, chains=2, random_seed=1, sampler="gibbs",
                         progressbar=False)
    np.testing.assert_array_equal(idata["constant_data"]["x_sd"].values, np.std(X, axis=0))
    path = tmp_path / "post.nc"
    idata.to_netcdf(path, engine="h5netcdf")
    back = xr.open_datatree(path, engine="h5netcdf").load()
    fit = model.map(X, y)
    tf, tx = br.compare(back, fit), br.compare(idata, fit, X=X, y=y)
    np.testing.assert_allclose(tx["zero_tol"], 0.1 * np.std(y) / np.std(X, axis=0), rtol=1e-12)
    for col in ("zero_tol", "p_near_zero"):
        np.testing.assert_array_equal(tf[col].to_numpy(), tx[col].to_numpy())
    assert tf.attrs["zero_tol_rule"] == tx.attrs["zero_tol_rule"]
    assert f"0.1 * sd(y) / sd(x_j) (sd(y) = {np.std(y):.4g})" in tf.attrs["zero_tol_rule"]


def test_column_sd_sparse_matches_dense(rng):
    import scipy.sparse as sp

    X = rng.normal(size=(50, 4)) * (rng.random((50, 4)) < 0.3)
    np.testing.assert_allclose(column_sd(sp.csr_matrix(X)), np.std(X, axis=0), rtol=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
def test_log_likelihood_optional_and_on_demand(rng, tmp_path, weighted):
    X, y = _gaussian(rng)
    sw = rng.uniform(0.5, 2.0, size=len(y)) if weighted else None
    model = br.Model(br.Gaussian(sigma=None), br.Normal(1.0))
    kw = dict(draws=200, tune=100, chains=2, random_seed=5, sampler="gibbs", progressbar=False,
              sample_weight=sw)
    full = model.sample(X, y, **kw)
    lean = model.sample(X, y, log_likelihood=False, **kw)
    assert "log_likelihood" in full.children and "log_likelihood" not in lean.children
    np.testing.assert_array_equal(lean["posterior"]["coef"].values, full["posterior"]["coef"].values)
    path = tmp_path / "lean.nc"
    lean.to_netcdf(path, engine="h5netcdf")
    back = xr.open_datatree(path, engine="h5netcdf").load()
    assert "log_likelihood" not in back.children
    add_log_likelihood(back, br.Model.from_idata(back), X, y, sample_weight=sw)
    # reference: sw_i * log N(y_i | b + x_i w, sigma) from scipy, per draw
    from scipy import stats

    post = full["posterior"]
    eta = post["intercept"].values[..., None] + np.einsum("cdp,np->cdn", post["coef"].values, X)
    ref = stats.norm.logpdf(y, eta, post["sigma"].values[..., None]) * (1.0 if sw is None else sw)
    np.testing.assert_allclose(back["log_likelihood"]["y"].values, ref, rtol=1e-12, atol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        l_full, l_back = az.loo(full), az.loo(back)
    assert abs(l_full.elpd - l_back.elpd) < 1e-10 and abs(l_full.se - l_back.se) < 1e-10
    np.testing.assert_allclose(np.asarray(l_back.pareto_k), np.asarray(l_full.pareto_k),
                               rtol=0, atol=1e-10)
    with pytest.raises(br.DataError, match="already has"):
        add_log_likelihood(back, model, X, y, sample_weight=sw)
    with pytest.raises(br.DataError, match="not from"):
        add_log_likelihood(lean, br.Model(br.Gaussian(sigma=None), br.Normal(2.0)), X, y,
                           sample_weight=sw)
    with pytest.raises(br.DataError, match="y differs"):
        add_log_likelihood(lean, model, X, y + 1.0, sample_weight=sw)
