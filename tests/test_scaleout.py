"""Dask scale-out against the in-memory solvers, on a dask.distributed LocalCluster."""

from __future__ import annotations

import numpy as np
import pytest

import bayesreg as br
from bayesreg._errors import DataError

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

from bayesreg.dask import fit_map_dask, gaussian_stats_dask, sample_dask  # noqa: E402


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       memory_limit="1GiB", dashboard_address=None)
    cl = distributed.Client(cluster)
    try:
        yield cl
    finally:
        cl.close()
        cluster.close()


@pytest.fixture(scope="module")
def data(client):
    rng = np.random.default_rng(0)
    n, p = 600, 7
    X = rng.normal(size=(n, p)) + np.linspace(-1, 2, p)
    w = np.r_[0.8, -0.5, 0.3, np.zeros(p - 3)]
    eta = 0.3 + (X - X.mean(0)) @ w * 0.6
    ys = {
        "gaussian": eta + rng.normal(size=n),
        "binomial": (rng.uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float),
        "poisson": rng.poisson(np.exp(eta)).astype(float),
    }
    sw = rng.uniform(0.5, 2.0, size=n)
    chunks = (101, 160, 39, 300)  # uneven row blocks
    Xd = da.from_array(X, chunks=(chunks, p)).persist()
    yd = {k: da.from_array(v, chunks=chunks).persist() for k, v in ys.items()}
    swd = da.from_array(sw, chunks=chunks).persist()
    return X, ys, sw, Xd, yd, swd


LIKS = [br.Gaussian(sigma=1.2), br.Gaussian(), br.Bernoulli(), br.Poisson()]
PRIORS = [br.Normal(0.5), br.Laplace(0.05), br.ElasticNetPrior(0.05, 0.5)]


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("prior", PRIORS, ids=lambda p: type(p).__name__)
@pytest.mark.parametrize("lik", LIKS, ids=repr)
def test_dask_map_matches_in_memory(data, lik, prior, fit_intercept):
    X, ys, sw, Xd, yd, swd = data
    y = ys[lik.family]
    model = br.Model(lik, prior, fit_intercept=fit_intercept)
    ref = model.map(X, y, sample_weight=sw, tol=1e-12)
    res = model.map(Xd, yd[lik.family], sample_weight=swd, tol=1e-12)  # dispatches to Dask
    assert res.solver.startswith("dask_")
    assert res.converged and ref.converged
    np.testing.assert_allclose(res.coef, ref.coef, rtol=0, atol=1e-8)
    assert abs(res.intercept - ref.intercept) <= 1e-8
    assert abs(res.log_posterior - ref.log_posterior) <= 1e-8 * max(1.0, abs(ref.log_posterior))
    assert abs(res.objective - ref.objective) <= 1e-8 * max(1.0, abs(ref.objective))
    if ref.sigma is not None:
        assert abs(res.sigma - ref.sigma) <= 1e-8
        if ref.sigma_prior_scale is None:
            assert res.sigma_prior_scale is None
        else:
            assert res.sigma_prior_scale == pytest.approx(ref.sigma_prior_scale, rel=1e-12)
    assert res.optimality_kind == ref.optimality_kind
    assert res.n_samples == X.shape[0]
    # the L1 priors give exact zeros in the same places
    np.testing.assert_array_equal(res.coef == 0, ref.coef == 0)


def test_numpy_y_and_unweighted(data):
    X, ys, _, Xd, _, _ = data
    model = br.Model(br.Bernoulli(), br.Laplace(0.1))
    ref = model.map(X, ys["binomial"], tol=1e-12)
    res = fit_map_dask(model, Xd, ys["binomial"], tol=1e-12)
    np.testing.assert_allclose(res.coef, ref.coef, atol=1e-8)


def test_stats_are_accurate_with_large_offsets(client):
    """Blockwise centering (Chan et al.) keeps full accuracy when columns have huge means."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(400, 3)) + 1e6
    y = rng.normal(size=400) + 1e6
    stats, y_sd, _ = gaussian_stats_dask(da.from_array(X, chunks=(50, 3)),
                                         da.from_array(y, chunks=50))
    Xc = X - X.mean(0)
    yc = y - y.mean()
    np.testing.assert_allclose(stats.G, Xc.T @ Xc, rtol=1e-9)
    np.testing.assert_allclose(stats.q, Xc.T @ yc, rtol=1e-8, atol=1e-8 * np.abs(Xc.T @ yc).max())
    np.testing.assert_allclose(stats.yy, yc @ yc, rtol=1e-10)
    assert y_sd == pytest.approx(y.std(), rel=1e-10)


def test_sample_dask_equals_in_memory_gibbs(data):
    from bayesreg.samplers import sample_gibbs

    X, ys, sw, Xd, yd, swd = data
    model = br.Model(br.Gaussian(), br.Laplace(0.2))
    d1 = sample_dask(model, Xd, yd["gaussian"], draws=100, tune=20, chains=2, random_seed=3,
                     sample_weight=swd)
    d2 = sample_gibbs(model, X, ys["gaussian"], draws=100, tune=20, chains=2, random_seed=3,
                      sample_weight=sw)
    np.testing.assert_allclose(d1.posterior.coef.values, d2.posterior.coef.values, atol=1e-7)
    np.testing.assert_allclose(d1.posterior.sigma.values, d2.posterior.sigma.values, atol=1e-7)
    # the near-zero rule's column sds are stored from the statistics: the weighted sd of each
    # column (numpy's, on the rows), so compare gives zero_tol without the rows
    xm = np.average(X, axis=0, weights=sw)
    np.testing.assert_allclose(d1["constant_data"]["x_sd"].values,
                               np.sqrt(np.average((X - xm) ** 2, axis=0, weights=sw)), rtol=1e-9)
    tab = br.compare(d1, X=X, y=ys["gaussian"])
    assert np.isfinite(tab["zero_tol"]).all()
    # ... and its unit s = sd(y) (Gaussian) is stored too: without the rows, the same rule
    assert float(d1["constant_data"]["latent_scale"]) == pytest.approx(ys["gaussian"].std(),
                                                                       rel=1e-12)
    alone = br.compare(d1)
    want = 0.1 * ys["gaussian"].std() / np.sqrt(np.average((X - xm) ** 2, axis=0, weights=sw))
    np.testing.assert_allclose(alone["zero_tol"].to_numpy(), want, rtol=1e-9)
    assert "sd(y) = " in alone.attrs["zero_tol_rule"]


def test_bad_dask_input(data):
    X, ys, _, Xd, yd, _ = data
    m = br.Model(br.Gaussian(sigma=1.0), br.Normal(1.0))
    Xbad = X.copy()
    Xbad[5, 2] = np.nan
    with pytest.raises(DataError, match="NaN"):
        m.map(da.from_array(Xbad, chunks=(100, 7)), yd["gaussian"])
    with pytest.raises(DataError, match="rows"):
        m.map(Xd, da.from_array(ys["gaussian"][:-1], chunks=100))
    with pytest.raises(DataError, match="0/1"):
        br.Model(br.Bernoulli(), br.Normal(1.0)).map(Xd, yd["poisson"] + 2.0)
    with pytest.raises(DataError, match="both classes"):
        br.Model(br.Bernoulli(), br.Normal(1.0)).map(Xd, da.zeros(X.shape[0], chunks=100))
    with pytest.raises(DataError, match="every count"):
        br.Model(br.Poisson(), br.Normal(1.0)).map(Xd, da.zeros(X.shape[0], chunks=100))
    with pytest.raises(DataError, match="sample_weight"):
        m.map(Xd, yd["gaussian"], sample_weight=-np.ones(X.shape[0]))


def test_dask_dataframe_keeps_feature_names(data):
    dd = pytest.importorskip("dask.dataframe")
    pd = pytest.importorskip("pandas")
    X, ys, _, _, _, _ = data
    cols = [f"f{j}" for j in range(X.shape[1])]
    ddf = dd.from_pandas(pd.DataFrame(X, columns=cols), npartitions=3)
    model = br.Model(br.Gaussian(sigma=1.0), br.Laplace(0.05))
    res = model.map(ddf, ys["gaussian"], tol=1e-12)
    ref = model.map(pd.DataFrame(X, columns=cols), ys["gaussian"], tol=1e-12)
    assert res.feature_names == cols
    np.testing.assert_allclose(res.coef, ref.coef, atol=1e-8)


def test_model_sample_dispatches_dask_to_gibbs(data):
    X, ys, sw, Xd, yd, swd = data
    model = br.Model(br.Gaussian(), br.Normal(1.0))
    via_model = model.sample(Xd, yd["gaussian"], draws=50, tune=10, chains=1, random_seed=5,
                             sampler="gibbs", progressbar=False)
    direct = sample_dask(model, Xd, yd["gaussian"], draws=50, tune=10, chains=1, random_seed=5)
    np.testing.assert_array_equal(via_model.posterior.coef.values, direct.posterior.coef.values)
    with pytest.raises(br.NotSupportedError, match="gibbs"):
        model.sample(Xd, yd["gaussian"], draws=10, tune=10, chains=1, sampler="nutpie",
                     progressbar=False)
    # the default sampler ("auto") takes Dask input to the Gibbs sampler
    auto = model.sample(Xd, yd["gaussian"], draws=50, tune=10, chains=1, random_seed=5,
                        progressbar=False)
    np.testing.assert_array_equal(auto.posterior.coef.values, via_model.posterior.coef.values)
