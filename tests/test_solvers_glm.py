"""GLM solver variants (Newton with Cholesky steps, L-BFGS + Newton-CG, proximal Newton with
working-set CD inner solves; dense and sparse X) against independent references:
scikit-learn at tight tolerance, scipy.optimize on the smooth (split-variable) reformulation,
and KKT conditions computed here."""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from glm_refs import kkt, scipy_ref
from sklearn.linear_model import LogisticRegression

import bayesreg as br
from bayesreg._errors import DataError
from bayesreg.likelihoods import Bernoulli, Poisson
from bayesreg.map import glm as glm_mod
from bayesreg.map.glm import solve_glm


def logit_data(rng, n, p, k=5, sep=False):
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[:k] = rng.normal(scale=1.0, size=k)
    eta = 0.3 + X @ w
    y = (eta > 0).astype(float) if sep else (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    return X, y


def poisson_data(rng, n, p, k=4):
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[:k] = rng.normal(scale=0.3, size=k)
    return X, rng.poisson(np.exp(0.4 + X @ w)).astype(float)


@pytest.mark.parametrize("p", [15, 260], ids=["cholesky-newton", "lbfgs+newton-cg"])
def test_l2_logistic_vs_sklearn(rng, p):
    X, y = logit_data(rng, 400, p)
    C = 0.5
    est = LogisticRegression(C=C, tol=1e-12, max_iter=100_000, solver="newton-cholesky").fit(X, y)
    sol = solve_glm(Bernoulli(), X, y, np.ones(len(y)), np.zeros(p), np.full(p, 1 / C),
                    tol=1e-11)
    assert sol.converged
    np.testing.assert_allclose(sol.coef, est.coef_.ravel(), atol=1e-6)
    assert abs(sol.intercept - est.intercept_[0]) < 1e-6
    assert kkt("binomial", X, y, sol.coef, sol.intercept, 0.0, 1 / C) < 1e-7


def test_newton_cg_branch_is_used(rng, monkeypatch):
    calls = []
    orig = glm_mod._newton_cg

    def spy(*args, **kw):
        calls.append(1)
        return orig(*args, **kw)

    monkeypatch.setattr(glm_mod, "_newton_cg", spy)
    monkeypatch.setattr(glm_mod, "QN_MAX_ITER", 2)  # L-BFGS "stalls": Newton-CG finishes
    X, y = logit_data(rng, 300, glm_mod.NEWTON_CG_MIN_P + 5)
    p = X.shape[1]
    sol = solve_glm(Bernoulli(), X, y, np.ones(300), np.zeros(p), np.ones(p), tol=1e-11)
    assert calls and sol.converged and sol.method == "lbfgs+newton_cg"
    est = LogisticRegression(C=1.0, tol=1e-12, max_iter=100_000, solver="newton-cholesky").fit(X, y)
    np.testing.assert_allclose(sol.coef, est.coef_.ravel(), atol=1e-6)
    assert kkt("binomial", X, y, sol.coef, sol.intercept, 0.0, 1.0) < 1e-7


@pytest.mark.parametrize("family", ["binomial", "poisson"])
@pytest.mark.parametrize("sparse", [False, True])
def test_prox_newton_l1_vs_scipy(rng, family, sparse):
    n, p = 300, 20
    X, y = logit_data(rng, n, p) if family == "binomial" else poisson_data(rng, n, p)
    if sparse:
        X = X * (rng.random((n, p)) < 0.3)
        X[:, 3] = 0.0  # an empty column
        X = sp.csc_matrix(X)
    lik = Bernoulli() if family == "binomial" else Poisson()
    a, c = np.full(p, 4.0), np.full(p, 0.5)
    sol = solve_glm(lik, X, y, np.ones(n), a, c, tol=1e-12)
    assert sol.converged
    w_ref, b_ref = scipy_ref(family, X, y, a, c)
    np.testing.assert_allclose(sol.coef, w_ref, atol=2e-6)
    assert abs(sol.intercept - b_ref) < 2e-6
    assert kkt(family, X, y, sol.coef, sol.intercept, a, c) < 1e-7
    if sparse:
        assert sol.coef[3] == 0.0


def test_sparse_l2_matches_dense(rng):
    X, y = poisson_data(rng, 250, 12)
    X = X * (rng.random(X.shape) < 0.4)
    c = np.full(12, 2.0)
    sd = solve_glm(Poisson(), X, y, np.ones(250), np.zeros(12), c, tol=1e-12)
    ss = solve_glm(Poisson(), sp.csc_matrix(X), y, np.ones(250), np.zeros(12), c, tol=1e-12)
    np.testing.assert_allclose(ss.coef, sd.coef, atol=1e-8)
    w_ref, b_ref = scipy_ref("poisson", X, y, np.zeros(12), c)
    np.testing.assert_allclose(sd.coef, w_ref, atol=1e-6)


@pytest.mark.parametrize("prior", ["l2", "l1"])
def test_separable_logistic_has_finite_map(rng, prior):
    X, y = logit_data(rng, 120, 4, k=2, sep=True)
    p = 4
    a = np.full(p, 0.5) if prior == "l1" else np.zeros(p)
    c = np.zeros(p) if prior == "l1" else np.full(p, 0.5)
    sol = solve_glm(Bernoulli(), X, y, np.ones(120), a, c, tol=1e-12, max_iter=500)
    assert sol.converged and np.all(np.isfinite(sol.coef))
    assert kkt("binomial", X, y, sol.coef, sol.intercept, a, c) < 1e-7
    w_ref, b_ref = scipy_ref("binomial", X, y, a, c)
    np.testing.assert_allclose(sol.coef, w_ref, atol=1e-5)


def test_all_zero_poisson_counts(rng):
    X = rng.standard_normal((50, 3))
    y = np.zeros(50)
    # no intercept: the Normal prior keeps the mode finite; it is w = 0 only if X^T 1 = 0
    sol = solve_glm(Poisson(), X, y, np.ones(50), np.zeros(3), np.full(3, 1.0),
                    fit_intercept=False, tol=1e-12)
    assert sol.converged
    w_ref, _ = scipy_ref("poisson", X, y, np.zeros(3), np.full(3, 1.0), fit_intercept=False)
    np.testing.assert_allclose(sol.coef, w_ref, atol=1e-7)
    with pytest.raises(DataError, match="every count"):
        br.Model(br.Poisson(), br.Normal(1.0)).map(X, y)


def test_badly_scaled_columns_prox_newton(rng):
    """x_j -> s_j x_j with a_j -> s_j a, c_j -> s_j^2 c maps the solution to w_j / s_j."""
    X, y = logit_data(rng, 300, 6, k=3)
    s = np.array([1e-6, 1e6, 1.0, 1e-3, 1e3, 1.0])
    a, c = np.full(6, 2.0), np.full(6, 0.3)
    ref = solve_glm(Bernoulli(), X, y, np.ones(300), a, c, tol=1e-12)
    w_ref, _ = scipy_ref("binomial", X, y, a, c)
    np.testing.assert_allclose(ref.coef, w_ref, atol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sol = solve_glm(Bernoulli(), X * s, y, np.ones(300), a * s, c * s**2, tol=1e-12)
    np.testing.assert_allclose(sol.coef * s, w_ref, atol=1e-6)


def test_public_api_float32_and_duplicates(rng):
    X, y = logit_data(rng, 200, 8)
    Xd = np.column_stack([X, X[:, 0]]).astype(np.float32)
    fit = br.Model(br.Bernoulli(), br.ElasticNetPrior(0.5, 1.0)).map(Xd, y, tol=1e-12)
    assert fit.converged
    assert abs(fit.coef[0] - fit.coef[-1]) < 1e-8  # strictly convex: copies share equally
    a, c = np.full(9, 2.0), np.full(9, 1.0)
    w_ref, _ = scipy_ref("binomial", Xd.astype(np.float64), y, a, c)
    np.testing.assert_allclose(fit.coef, w_ref, atol=1e-6)


def test_logistic_path_prox_newton_steps_do_not_stall():
    """A warm-started logistic lasso path where, without the inner gap-decrease rule, a proximal
    Newton step came back as a zero step (the inner gap target tol * ||z~||^2 was already met at
    the warm start because the working response is huge where the curvature is small) and the
    fit stopped with a KKT violation ~800x the tolerance. Every point must now converge, checked
    by the independent KKT function."""
    rng = np.random.default_rng(0)  # the data of benchmarks/glmnet_compare.py's make(), n=800
    n, p = 800, 150
    X = rng.standard_normal((n, p))
    w_true = np.zeros(p)
    w_true[:15] = rng.normal(size=15)
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.5 + X @ w_true)))).astype(float)
    lmax = float(np.abs((X - X.mean(0)).T @ (y - y.mean())).max()) / n
    lam = lmax * np.logspace(0, -3, 40)[:16]
    model = br.Model(br.Bernoulli(), br.Laplace(1.0))
    with warnings.catch_warnings():
        warnings.simplefilter("error", br.ConvergenceWarning)
        path = model.map_path(X, y, scales=1.0 / (n * lam), tol=2.4e-4)
    g0 = y.mean() - y  # datafit gradient at the intercept-only model
    scale = np.abs(X.T @ g0).max()
    for r, l1 in zip(path.results, n * lam):
        assert r.converged
        assert kkt("binomial", X, y, r.coef, r.intercept, l1, 0.0) <= 2.4e-4 * scale * (1 + 1e-9)


@pytest.mark.parametrize("family", ["binomial", "poisson"])
def test_prox_newton_weighted_gram_inner_solves(rng, family, monkeypatch):
    """Proximal Newton from a warm start with many active coefficients runs its inner weighted
    lasso on the weighted Gram matrix X~' H X~ (n >= 2p): same optimum as scipy's split L-BFGS-B,
    and the KKT conditions hold. The Gram route is asserted to be taken."""
    from bayesreg.map import enet

    n, p = 400, 40
    X, y = logit_data(rng, n, p, k=8) if family == "binomial" else poisson_data(rng, n, p, k=8)
    lik = Bernoulli() if family == "binomial" else Poisson()
    g0 = lik.gradient(y, np.full(n, lik.null_eta(y, np.ones(n), True)), np.ones(n))
    lmax = float(np.abs(X.T @ g0).max())
    a_warm, a = np.full(p, 0.03 * lmax), np.full(p, 0.01 * lmax)
    warm = solve_glm(lik, X, y, np.ones(n), a_warm, np.zeros(p), True, tol=1e-8)
    assert np.count_nonzero(warm.coef) >= glm_mod.GRAM_INNER_FRAC * p
    built = []
    real = enet.Design.__init__

    def spy(self, *args, **kw):
        built.append(kw.get("use_gram"))
        real(self, *args, **kw)

    monkeypatch.setattr(enet.Design, "__init__", spy)
    sol = solve_glm(lik, X, y, np.ones(n), a, np.zeros(p), True, w0=warm.coef, b0=warm.intercept,
                    tol=1e-10, method="prox_newton")
    assert sol.converged and True in built
    w_ref, b_ref = scipy_ref(family, X, y, a, np.zeros(p))
    np.testing.assert_allclose(sol.coef, w_ref, atol=1e-5)
    assert kkt(family, X, y, sol.coef, sol.intercept, a, np.zeros(p)) <= 1e-8 * lmax


@pytest.mark.parametrize("l1", [False, True], ids=["L2", "L1"])
def test_mixed_precision_quasi_newton_matches_references(rng, l1, monkeypatch):
    """Dense X with >= MIXED_MIN_SIZE entries: the first quasi-Newton phase runs on a float32 copy
    of X, the float64 phase finishes. The result must equal scikit-learn's (L2) / the KKT
    conditions computed here in float64 (L1) to tight tolerance; the float32 phase must be used."""
    n, p = 2000, 500
    assert n * p >= glm_mod.MIXED_MIN_SIZE
    X, y = logit_data(rng, n, p, k=10)
    dtypes = []
    real = glm_mod._owlqn

    def spy(lik, Xq, *args, **kw):
        dtypes.append(Xq.dtype)
        return real(lik, Xq, *args, **kw)

    monkeypatch.setattr(glm_mod, "_owlqn", spy)
    g0 = Bernoulli().gradient(y, np.full(n, Bernoulli().null_eta(y, np.ones(n), True)),
                              np.ones(n))
    scale = float(np.abs(X.T @ g0).max())
    if l1:
        a, c = np.full(p, 0.05 * scale), np.zeros(p)
    else:
        a, c = np.zeros(p), np.full(p, 2.0)
    sol = solve_glm(Bernoulli(), X, y, np.ones(n), a, c, True, tol=1e-10)
    assert sol.converged and dtypes[0] == np.float32 and dtypes[-1] == np.float64
    assert kkt("binomial", X, y, sol.coef, sol.intercept, a, c) <= 1e-10 * scale * (1 + 1e-6)
    if not l1:
        ref = LogisticRegression(C=0.5, tol=1e-12, max_iter=10_000).fit(X, y)
        np.testing.assert_allclose(sol.coef, ref.coef_.ravel(), atol=1e-6)
