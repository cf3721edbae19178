"""The Gaussian MAP solvers make no copy of X beyond one column-ordered copy (issue 17).

Checked without timings: the arrays the CD kernels read share memory with the caller's X
(Fortran-ordered dense, canonical CSC), and the peak of Python-visible allocations during a
whole ``Model.map`` (validation, design, solve, result) is bounded by a fraction of X's size
(tracemalloc sees every numpy allocation). Correctness of the same fits is checked against
scikit-learn, and the caller's X is never modified."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.linear_model import Lasso

import bayesreg as br
from bayesreg.map.enet import Design


def _data(kind):
    rng = np.random.default_rng(0)
    n, p = 3000, 400
    if kind == "csc":
        X = sp.random(n, p, density=0.1, format="csc", random_state=1, data_rvs=rng.standard_normal)
    else:
        X = rng.standard_normal((n, p))
        X = np.asfortranarray(X) if kind == "F" else np.ascontiguousarray(X)
    y = 1.0 + np.asarray(X @ np.r_[np.ones(8), np.zeros(p - 8)]).ravel() + rng.standard_normal(n)
    return X, y


def _nbytes(X):
    return X.data.nbytes + X.indices.nbytes + X.indptr.nbytes if sp.issparse(X) else X.nbytes


@pytest.mark.parametrize("kind, bound", [("F", 0.25), ("csc", 0.25), ("C", 1.25)])
def test_map_peak_memory_bounded_by_x(kind, bound):
    X, y = _data(kind)
    X0 = X.copy()
    n = X.shape[0]
    alpha = 0.05
    model = br.Model.from_sklearn(Lasso(alpha=alpha), n_samples=n, sigma=1.0)
    model.map(X, y, tol=1e-8)  # loads the kernels, fills caches
    tracemalloc.start()
    try:
        fit = model.map(X, y, tol=1e-8)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # one column-ordered copy for C-ordered X, none for Fortran-ordered or CSC X
    assert peak < bound * _nbytes(X), (kind, peak / _nbytes(X))
    # the caller's X is untouched, and the fit is the lasso optimum (independent reference)
    if sp.issparse(X):
        assert (X != X0).nnz == 0 and X.has_canonical_format
    else:
        np.testing.assert_array_equal(X, X0)
    ref = Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(fit.coef, ref.coef_, atol=1e-5)


def test_design_reads_the_callers_arrays():
    XF, y = _data("F")
    d = Design(XF, y, np.ones(len(y)), True)
    assert d.X is XF
    Xs, ys = _data("csc")
    ds = Design(Xs, ys, np.ones(len(ys)), True)
    assert np.shares_memory(ds.Xs.data, Xs.data) and np.shares_memory(ds.Xs.indices, Xs.indices)
    # sample weights are folded into one copy: the caller's data stays as it was
    sw = np.linspace(0.5, 2.0, len(ys))
    data0 = Xs.data.copy()
    dw = Design(Xs, ys, sw, True)
    assert not np.shares_memory(dw.Xs.data, Xs.data)
    np.testing.assert_array_equal(Xs.data, data0)
    XC, yc = _data("C")
    dc = Design(XC, yc, np.ones(len(yc)), True)
    assert dc.X.flags.f_contiguous and not np.shares_memory(dc.X, XC)
    np.testing.assert_array_equal(dc.X, XC)
