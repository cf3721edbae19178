"""Predictive intervals against the closed-form conjugate predictive (Gaussian likelihood with
known sigma, Normal prior: exact Gaussian posterior drawn with numpy), their coverage on data
simulated from the model (binomial test), and the ArviZ predictive-check plots (smoke)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

import bayesreg as br
from bayesreg._errors import ParameterError
from bayesreg.samplers import build_tree

SIGMA, TAU = 0.7, 1.5


def _posterior(X, y, rng, S):
    """Exact posterior of (intercept, coef) for y ~ N(b + X w, SIGMA^2), w_j ~ N(0, TAU^2), flat b:
    mean m and covariance V, and S draws from it."""
    n, p = X.shape
    A = np.column_stack([np.ones(n), X])
    prec = A.T @ A / SIGMA**2 + np.diag(np.r_[0.0, np.full(p, 1 / TAU**2)])
    V = np.linalg.inv(prec)
    m = V @ A.T @ y / SIGMA**2
    d = rng.multivariate_normal(m, V, size=S)
    return m, V, d


def _tree(model, d, y, chains=4):
    S, k = d.shape
    post = {"intercept": d[:, 0].reshape(chains, -1), "coef": d[:, 1:].reshape(chains, S // chains, -1)}
    return build_tree(model, post, {}, [f"x{j}" for j in range(k - 1)], sampler="gibbs", y=y)


def test_interval_endpoints_match_the_closed_form_predictive(rng):
    n, p, S = 40, 3, 8000
    X = rng.normal(size=(n, p))
    y = 0.5 + X @ np.array([1.0, -0.5, 0.2]) + SIGMA * rng.normal(size=n)
    model = br.Model(br.Gaussian(sigma=SIGMA), br.Normal(TAU))
    m, V, d = _posterior(X, y, rng, S)
    idata = _tree(model, d, y)
    Xn = rng.normal(size=(6, p))
    An = np.column_stack([np.ones(6), Xn])
    loc, v = An @ m, np.einsum("ij,jk,ik->i", An, V, An)
    out = model.predict_interval(idata, Xn, prob=0.9, random_seed=1)
    sd = np.sqrt(SIGMA**2 + v)
    q = stats.norm.ppf(0.95)
    se_q = np.sqrt(0.05 * 0.95 / S) / stats.norm.pdf(q) * sd  # sd of a sample quantile
    assert np.all(np.abs(out["lower"] - (loc - q * sd)) < 5 * se_q)
    assert np.all(np.abs(out["upper"] - (loc + q * sd)) < 5 * se_q)
    assert np.all(np.abs(out["mean"] - loc) < 5 * np.sqrt(v / S))
    cred = model.predict_interval(idata, Xn, prob=0.8, kind="mean")
    qm = stats.norm.ppf(0.9)
    se_m = np.sqrt(0.1 * 0.9 / S) / stats.norm.pdf(qm) * np.sqrt(v)
    assert np.all(np.abs(cred["upper"] - (loc + qm * np.sqrt(v))) < 5 * se_m)
    assert out.attrs == {"prob": 0.9, "kind": "obs"}
    with pytest.raises(ParameterError, match="prob"):
        model.predict_interval(idata, Xn, prob=90)
    with pytest.raises(ParameterError, match="kind"):
        model.predict_interval(idata, Xn, kind="linear")


def test_interval_coverage_on_data_from_the_model(rng):
    """Coefficients from the prior, training and new rows from the likelihood: 90% predictive
    intervals cover 90% of the new responses (binomial test over 100 x 20 new points)."""
    n, p, R, m_new = 30, 2, 100, 20
    model = br.Model(br.Gaussian(sigma=SIGMA), br.Normal(TAU))
    hits = 0
    for _ in range(R):
        w, b = TAU * rng.normal(size=p), rng.normal()
        X, Xn = rng.normal(size=(n, p)), rng.normal(size=(m_new, p))
        y = b + X @ w + SIGMA * rng.normal(size=n)
        yn = b + Xn @ w + SIGMA * rng.normal(size=m_new)
        _, _, d = _posterior(X, y, rng, 400)
        out = model.predict_interval(_tree(model, d, y), Xn, prob=0.9, random_seed=rng.integers(1e9),
                                     n_rep=2)
        hits += int(np.sum((yn >= out["lower"]) & (yn <= out["upper"])))
    assert stats.binomtest(hits, R * m_new, 0.9).pvalue > 1e-3


def test_ppc_and_loo_pit_plots_run(rng):
    pytest.importorskip("arviz_plots")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n, p = 40, 2
    X = rng.normal(size=(n, p))
    y = X @ np.array([1.0, 0.3]) + SIGMA * rng.normal(size=n)
    model = br.Model(br.Gaussian(sigma=SIGMA), br.Normal(TAU))
    _, _, d = _posterior(X, y, rng, 400)
    idata = _tree(model, d, y)
    dist, tstat = br.plot_ppc(idata, model, X, y, num_samples=20, random_seed=0)
    assert dist is not None and tstat is not None
    pit = br.plot_loo_pit(idata, model, X, y, random_seed=0)
    assert pit is not None
    tree = br.diagnostics.posterior_predictive(idata, model, X, y, random_seed=0)
    assert tree["posterior_predictive"]["y"].shape == (4, 100, n)
    assert "log_likelihood" in tree.children and "log_likelihood" not in idata.children
    plt.close("all")
