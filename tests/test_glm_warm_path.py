"""Warm-started GLM paths (proximal Newton with a working set / a lagged Gram matrix) and the
serial-BLAS configuration of the iterative solvers (issue 17).

References: the KKT violation recomputed here from the textbook gradient, and cold-start fits
(OWL-QN from the intercept-only model: another code path) at the same prior scale."""

import threading

import numpy as np
import pytest
from scipy.special import expit

import bayesreg as br
from bayesreg import _threads


def _glm_data(rng, kind, n, p):
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[:5] = rng.normal(size=5)
    eta = 0.3 + X @ w
    if kind == "bern":
        y = (rng.random(n) < expit(eta)).astype(float)
        return X, y, br.Bernoulli(), (lambda e: expit(e))
    y = rng.poisson(np.exp(0.3 * eta)).astype(float)
    return X, y, br.Poisson(), (lambda e: np.exp(e))


def _kkt_rel(X, y, mean, w, b, l1):
    """max_j dist(-dF/dw_j, l1 d|w_j|) and |dF/db| over the same quantity at the null model."""
    g = mean(b + X @ w) - y
    gw = X.T @ g
    viol = np.where(w != 0, np.abs(gw + l1 * np.sign(w)), np.maximum(np.abs(gw) - l1, 0.0))
    k = max(float(viol.max()), abs(float(g.sum())))
    return k / float(np.abs(X.T @ (y.mean() - y)).max())


@pytest.mark.parametrize("kind", ["bern", "pois"])
@pytest.mark.parametrize("shape", [(240, 40), (60, 150)], ids=["tall-gram", "wide-cd"])
def test_warm_path_points_are_certified_and_match_cold_fits(rng, kind, shape):
    n, p = shape
    X, y, lik, mean = _glm_data(rng, kind, n, p)
    model = br.Model(lik, br.Laplace(1.0))
    tol = 1e-7
    path = model.map_path(X, y, n_scales=25, eps=1e-2 if n < p else 1e-3, tol=tol)
    assert all(r.converged for r in path.results)
    assert any(np.count_nonzero(r.coef) >= 0.3 * min(n, p) for r in path.results)
    for k in (3, 12, 24):
        r = path.results[k]
        l1 = 1.0 / path.scales[k]
        assert _kkt_rel(X, y, mean, r.coef, r.intercept, l1) <= 2 * tol
        cold = br.Model(lik, br.Laplace(float(path.scales[k]))).map(X, y, tol=1e-10)
        assert np.allclose(r.coef, cold.coef, atol=1e-4 * max(1.0, np.abs(cold.coef).max()))
        assert abs(r.log_posterior - cold.log_posterior) <= 1e-6 * abs(cold.log_posterior)


def test_warm_path_unchanged_by_a_c_ordered_or_fortran_x(rng):
    X, y, lik, _ = _glm_data(rng, "bern", 200, 30)
    model = br.Model(lik, br.ElasticNetPrior(1.0, 2.0))
    a = model.map_path(X, y, n_scales=15, tol=1e-9)
    b = model.map_path(np.asfortranarray(X), y, n_scales=15, tol=1e-9)
    assert np.allclose(a.coefs, b.coefs, atol=1e-6)


# ----------------------------------------------------------------------------- serial BLAS
def _multi_threaded():
    from threadpoolctl import threadpool_limits

    return threadpool_limits(2, user_api="blas")


def test_serial_blas_limits_and_restores(monkeypatch):
    monkeypatch.setenv("BAYESREG_SERIAL_BLAS", "1")
    with _multi_threaded():
        before = _threads.blas_threads()
        if not before or max(before) < 2:
            pytest.skip("no BLAS library with a settable thread count")
        with _threads.serial_blas():
            assert set(_threads.blas_threads()) == {1}
            with _threads.serial_blas():  # re-entrant
                assert set(_threads.blas_threads()) == {1}
            assert set(_threads.blas_threads()) == {1}
        assert _threads.blas_threads() == before
        monkeypatch.setenv("BAYESREG_SERIAL_BLAS", "0")
        with _threads.serial_blas():
            assert _threads.blas_threads() == before


def test_serial_blas_shared_by_threads(monkeypatch):
    monkeypatch.setenv("BAYESREG_SERIAL_BLAS", "1")
    with _multi_threaded():
        before = _threads.blas_threads()
        if not before or max(before) < 2:
            pytest.skip("no BLAS library with a settable thread count")
        seen, go = [], threading.Barrier(3)

        def work():
            with _threads.serial_blas():
                go.wait()
                seen.append(set(_threads.blas_threads()))
                go.wait()

        # OpenBLAS takes its thread count from the main thread (a worker's set_num_threads is
        # ignored): the parallel section enters in the main thread, its workers nest
        with _threads.serial_blas():
            ts = [threading.Thread(target=work) for _ in range(3)]
            for t in ts:
                t.start()
            for t in ts:
                t.join()
            assert set(_threads.blas_threads()) == {1}
        assert seen == [{1}] * 3
        assert _threads.blas_threads() == before


def test_iterative_solvers_run_serial_ridge_keeps_threads(monkeypatch, rng):
    import bayesreg.map.glm as glm
    import bayesreg.map.ridge as ridge
    import bayesreg.map.solve as solve

    monkeypatch.setenv("BAYESREG_SERIAL_BLAS", "1")
    seen = {}

    def spy(name, fn):
        def wrapped(*args, **kwargs):
            seen[name] = set(_threads.blas_threads())
            return fn(*args, **kwargs)
        return wrapped

    monkeypatch.setattr(solve, "solve_glm", spy("glm", glm.solve_glm))
    monkeypatch.setattr(solve, "solve_ridge", spy("ridge", ridge.solve_ridge))
    X, y, lik, _ = _glm_data(rng, "bern", 100, 8)
    with _multi_threaded():
        before = _threads.blas_threads()
        if not before or max(before) < 2:
            pytest.skip("no BLAS library with a settable thread count")
        br.Model(lik, br.Laplace(1.0)).map(X, y)
        br.Model(br.Gaussian(1.0), br.Normal(1.0)).map(X, X[:, 0] + rng.normal(size=100))
        assert _threads.blas_threads() == before
    assert seen["glm"] == {1}
    assert seen["ridge"] == set(before)


def test_serial_and_library_threads_give_the_same_fit(monkeypatch, rng):
    X, y, lik, mean = _glm_data(rng, "pois", 300, 60)
    model = br.Model(lik, br.Laplace(0.05))
    with _multi_threaded():
        monkeypatch.setenv("BAYESREG_SERIAL_BLAS", "1")
        a = model.map(X, y, tol=1e-9)
        monkeypatch.setenv("BAYESREG_SERIAL_BLAS", "0")
        b = model.map(X, y, tol=1e-9)
    assert a.converged and b.converged
    assert np.allclose(a.coef, b.coef, atol=1e-6)
    assert abs(a.log_posterior - b.log_posterior) <= 1e-9 * abs(a.log_posterior)


def test_path_state_gram_and_extended_face_factor(rng):
    """The float32 lagged Gram against the float64 product written out here; the face solve
    (a factor extended as the support grows, then a shrunken support) against np.linalg.solve."""
    from bayesreg.map.glm import GLMPathState

    n, p = 300, 40
    X = np.asfortranarray(rng.standard_normal((n, p)) + 5.0)  # means far from 0: centering matters
    h = rng.random(n) + 0.1
    st = GLMPathState(True)
    st.build(X, h)
    m0 = X.T @ h / h.sum()
    Xt = np.sqrt(h)[:, None] * (X - m0)
    G = Xt.T @ Xt
    assert np.abs(st.G - G).max() <= 1e-5 * np.abs(G).max()
    c = rng.random(p) * 0.1
    for S in (np.arange(10), np.r_[np.arange(10), 17, 23], np.r_[np.arange(12), 17, 23, 30],
              np.r_[np.arange(5), 17]):
        S = np.sort(S)
        rhs = rng.normal(size=S.size)
        x = st.face_solve(S, c[S], rhs)
        np.testing.assert_allclose(x, np.linalg.solve(st.G[np.ix_(S, S)] + np.diag(c[S]), rhs),
                                   rtol=1e-9, atol=1e-11)
