"""Decoupling shrinkage and selection (bayesreg.selection.sparsify) against its closed form on
an orthogonal design: the adaptive-lasso path is soft-thresholding with weights 1 / |w_bar_j|,
and the excess loss of every draw is a sum of squares of coefficient differences."""

from __future__ import annotations

import numpy as np
import pytest

import bayesreg as br
from bayesreg._errors import ParameterError
from bayesreg.samplers import build_tree


@pytest.fixture(scope="module")
def orthogonal():
    rng = np.random.default_rng(11)
    n, p = 400, 8
    Z = rng.normal(size=(n, p))
    X = np.linalg.qr(Z - Z.mean(0))[0] * np.sqrt(n)  # centered, X^T X = n I
    w_true = np.array([3.0, 2.0, 1.5, 0.5, 0.0, 0.0, 0.0, 0.0])
    y = 0.5 + X @ w_true + rng.normal(size=n)
    model = br.Model(br.Gaussian(), br.Normal(10.0))
    # exact posterior under a flat prior: w ~ N(X^T y / n, sigma^2 / n I), b ~ N(ybar, sigma^2/n)
    S = 600
    sig = np.abs(1.0 + 0.07 * rng.normal(size=S))
    w = X.T @ y / n + sig[:, None] / np.sqrt(n) * rng.normal(size=(S, p))
    b = y.mean() + sig / np.sqrt(n) * rng.normal(size=S)
    post = {"coef": w.reshape(2, 300, p), "intercept": b.reshape(2, 300),
            "sigma": sig.reshape(2, 300)}
    idata = build_tree(model, post, {}, [f"x{j}" for j in range(p)], sampler="gibbs", y=y)
    return model, idata, X, y, w, b, sig


def test_dss_path_is_adaptive_soft_thresholding(orthogonal):
    model, idata, X, y, w, b, sig = orthogonal
    n = X.shape[0]
    s = br.sparsify(idata, model, X, y, eps=1e-6)
    w_bar = w.mean(0)
    for c, got, icpt in zip(s.strengths, s.path_coef, s.path_intercept):
        want = np.sign(w_bar) * np.maximum(np.abs(w_bar) - c / (n * np.abs(w_bar)), 0.0)
        np.testing.assert_allclose(got, want, atol=1e-6 * np.abs(w_bar).max())
        assert np.array_equal(got != 0, want != 0) or np.min(np.abs(np.abs(w_bar) - c / (
            n * np.abs(w_bar)))) < 1e-6
        np.testing.assert_allclose(icpt, b.mean(), atol=1e-8)
    # the first point zeroes everything, the last is nearly the posterior mean
    assert np.all(s.path_coef[0] == 0) and np.count_nonzero(s.path_coef[-1]) == 8


def test_dss_loss_band_and_selection_follow_the_definition(orthogonal):
    model, idata, X, y, w, b, sig = orthogonal
    s = br.sparsify(idata, model, X, y, prob=0.9)
    w_bar, b_bar = w.mean(0), b.mean()

    def psi(gamma, b0):  # orthogonal, centered X: ||eta_s - eta_gamma||^2 / n in coefficients
        return np.sqrt(sig**2 + (b - b0) ** 2 + np.sum((w - gamma) ** 2, axis=1)) - sig

    full = psi(w_bar, b_bar)
    hi = np.quantile(full, 0.95)
    np.testing.assert_allclose(s.band["high"], hi, rtol=1e-8)
    np.testing.assert_allclose(s.band["mean"], full.mean(), rtol=1e-8)
    # the rule, recomputed from the closed-form losses of the path points
    losses = np.array([psi(g, c) for g, c in zip(s.path_coef, s.path_intercept)])
    sizes = np.count_nonzero(s.path_coef, axis=1)
    best = {k: np.flatnonzero(sizes == k)[np.argmin(losses[sizes == k].mean(1))]
            for k in np.unique(sizes)}
    want = min(k for k in best if losses[best[k]].mean() <= hi)
    assert s.size == want
    np.testing.assert_allclose(s.table.loc[want, "loss_mean"], losses[best[want]].mean(),
                               rtol=1e-6)
    assert s.selected == ["x0", "x1", "x2", "x3"]
    assert s.coef.index.tolist() == [f"x{j}" for j in range(8)]
    assert (s.coef[4:] == 0).all()


def test_dss_plot_and_errors(orthogonal):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    model, idata, X, y, *_ = orthogonal
    s = br.sparsify(idata, model, X, y, n_scales=20)
    ax = s.plot()
    assert "excess loss" in ax.get_ylabel()
    assert "SparseSummary" in repr(s)
    plt.close("all")
    with pytest.raises(ParameterError, match="method"):
        br.sparsify(idata, model, X, y, method="lasso")
    with pytest.raises(ParameterError, match="prob"):
        br.sparsify(idata, model, X, y, prob=1.5)
