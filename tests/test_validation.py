"""Bad input gets a bayesreg error naming the problem and the fix; inputs are never modified."""

import hashlib
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import bayesreg as br

LAP = br.Model(br.Gaussian(1.0), br.Laplace(0.5))


def _xy(rng, n=30, p=4):
    return rng.normal(size=(n, p)), rng.normal(size=n)


@pytest.mark.parametrize(
    "mutate,err,match",
    [
        (lambda X, y: (np.where(np.arange(X.size).reshape(X.shape) == 5, np.nan, X), y), br.DataError,
         "NaN or infinite.*row 1, column 1"),
        (lambda X, y: (X, np.r_[y[:-1], np.inf]), br.DataError, "y contains NaN or infinite.*row 29"),
        (lambda X, y: (X, y[:-2]), br.DataError, "30 rows but y has 28"),
        (lambda X, y: (X[:, 0], y), br.DataError, "1-D.*reshape"),
        (lambda X, y: (X[None], y), br.DataError, "2-D"),
        (lambda X, y: (X[:0], y[:0]), br.DataError, "empty"),
        (lambda X, y: (X.astype(str).astype(object) + "x", y), br.DataError, "non-numeric"),
        (lambda X, y: (X, np.c_[y, y]), br.DataError, "1-D"),
        (lambda X, y: (X, None), br.DataError, "None"),
        (lambda X, y: ("abc", y), br.BayesregTypeError, "string"),
    ],
    ids=["nan-X", "inf-y", "length", "1d-X", "3d-X", "empty", "strings", "2d-y", "y-none", "str-X"],
)
def test_bad_data(rng, mutate, err, match):
    X, y = _xy(rng)
    Xb, yb = mutate(X, y)
    with pytest.raises(err, match=match):
        LAP.map(Xb, yb)


def test_dataframe_object_column_named(rng):
    X, y = _xy(rng)
    df = pd.DataFrame(X, columns=list("abcd"))
    df["city"] = "Paris"
    with pytest.raises(br.DataError, match=r"\['city'\].*get_dummies"):
        LAP.map(df, y)


@pytest.mark.parametrize(
    "lik,y,match",
    [(br.Bernoulli(), np.array([0, 1, 2.0] * 10), "0/1.*entry 2"),
     (br.Poisson(), np.array([1, 2, -1.0] * 10), "non-negative integer.*entry 2"),
     (br.Poisson(), np.array([1, 2, 0.5] * 10), "non-negative integer.*entry 2")],
)
def test_y_outside_support(rng, lik, y, match):
    X = rng.normal(size=(30, 2))
    with pytest.raises(br.DataError, match=match):
        br.Model(lik, br.Normal(1.0)).map(X, y)


@pytest.mark.parametrize("sw,match", [(-np.ones(30), "negative"), (np.zeros(30), "zero for every"),
                                      (np.ones(29), "same length")])
def test_bad_sample_weight(rng, sw, match):
    X, y = _xy(rng)
    with pytest.raises(br.DataError, match=match):
        LAP.map(X, y, sample_weight=sw)


@pytest.mark.parametrize("bad", [0.0, -2.0, np.nan, np.inf])
def test_bad_sigma(bad):
    with pytest.raises(br.ParameterError, match="Gaussian.sigma"):
        br.Gaussian(sigma=bad)


def test_model_type_errors():
    with pytest.raises(br.BayesregTypeError, match="swap"):
        br.Model(br.Laplace(1.0), br.Gaussian(1.0))
    with pytest.raises(br.BayesregTypeError):
        br.Model(br.Gaussian(1.0), "laplace")
    with pytest.raises(br.ParameterError, match="tol"):
        LAP.map(np.ones((3, 1)), np.ones(3), tol=-1)


def _digest(*arrays):
    h = hashlib.sha256()
    for a in arrays:
        if sp.issparse(a):
            for part in (a.data, a.indices, a.indptr):
                h.update(np.ascontiguousarray(part).tobytes())
        else:
            h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


@pytest.mark.parametrize("lik,prior", [(br.Gaussian(1.0), br.Laplace(0.3)),
                                       (br.Gaussian(None), br.Normal(1.0)),
                                       (br.Bernoulli(), br.ElasticNetPrior(0.5, 1.0)),
                                       (br.Poisson(), br.Laplace(0.5))])
@pytest.mark.parametrize("kind", ["dense", "fortran", "float32", "sparse", "frame"])
def test_inputs_never_modified(rng, lik, prior, kind):
    n, p = 40, 5
    X = rng.normal(size=(n, p))
    if isinstance(lik, br.Bernoulli):
        y = (X[:, 0] > 0).astype(float)
    elif isinstance(lik, br.Poisson):
        y = rng.poisson(2.0, size=n).astype(float)
    else:
        y = X[:, 0] + rng.normal(size=n)
    sw = rng.uniform(0.5, 2, size=n)
    if kind == "fortran":
        X = np.asfortranarray(X)
    elif kind == "float32":
        X = X.astype(np.float32)
    elif kind == "sparse":
        X[np.abs(X) < 0.8] = 0
        X = sp.csc_matrix(X)
    model = br.Model(lik, prior)
    if kind == "frame":
        Xf = pd.DataFrame(X, columns=[f"f{j}" for j in range(p)])
        before = pd.util.hash_pandas_object(Xf).values.tobytes() + _digest(y, sw).encode()
        fit = model.map(Xf, y, sample_weight=sw)
        model.map_path(Xf, y, n_scales=3, sample_weight=sw)
        assert pd.util.hash_pandas_object(Xf).values.tobytes() + _digest(y, sw).encode() == before
        assert fit.feature_names == [f"f{j}" for j in range(p)]
        return
    before = _digest(X, y, sw)
    model.map(X, y, sample_weight=sw)
    model.map_path(X, y, n_scales=3, sample_weight=sw)
    assert _digest(X, y, sw) == before


def test_zero_variance_and_duplicate_columns(rng):
    n = 50
    x = rng.normal(size=n)
    X = np.c_[x, x, np.full(n, 3.0), rng.normal(size=n)]
    y = 2 * x + rng.normal(size=n)
    ridge = br.Model(br.Gaussian(1.0), br.Normal(1.0)).map(X, y)
    assert np.isclose(ridge.coef[0], ridge.coef[1]) and abs(ridge.coef[2]) < 1e-10
    lasso = br.Model(br.Gaussian(1.0), br.Laplace(1.0)).map(X, y)
    assert lasso.converged and lasso.coef[2] == 0.0
    assert np.isfinite(lasso.log_posterior)


def test_nonconvergence_warns_with_numbers(rng):
    X = rng.normal(size=(100, 50))
    y = X @ rng.normal(size=50) + rng.normal(size=100)
    with pytest.warns(br.ConvergenceWarning, match=r"duality_gap = .* > tolerance .* after"):
        br.Model(br.Gaussian(1.0), br.Laplace(10.0)).map(X, y, tol=1e-15, max_iter=2)


def test_no_warning_when_converged(rng):
    X, y = _xy(rng)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LAP.map(X, y)


@pytest.mark.parametrize("lik,y", [(br.Bernoulli(), np.zeros(20)), (br.Bernoulli(), np.ones(20)),
                                   (br.Poisson(), np.zeros(20))])
def test_mode_does_not_exist_with_flat_intercept(rng, lik, y):
    X = rng.normal(size=(20, 2))
    with pytest.raises(br.DataError, match="mode does not exist"):
        br.Model(lik, br.Laplace(1.0)).map(X, y)


def test_all_zero_counts_without_intercept_is_finite(rng):
    """fit_intercept=False: the proper prior keeps the MAP finite; check against scipy."""
    from scipy import optimize

    X = rng.normal(size=(30, 2))
    fit = br.Model(br.Poisson(), br.Normal(0.5), fit_intercept=False).map(X, np.zeros(30), tol=1e-12)
    ref = optimize.minimize(lambda w: np.exp(X @ w).sum() + (w @ w) / (2 * 0.25), np.zeros(2),
                            method="BFGS", options={"gtol": 1e-12})
    np.testing.assert_allclose(fit.coef, ref.x, atol=1e-6)


def test_huge_finite_values_are_not_mistaken_for_infinities():
    """The finiteness check first sums X; an overflowing sum of finite entries must still pass,
    and a single NaN / inf anywhere must still be caught and located."""
    from bayesreg._validation import check_X

    X = np.full((4, 3), 1e308)
    out, _ = check_X(X)
    assert out is X
    for bad in (np.nan, np.inf, -np.inf):
        Z = np.ones((5, 4))
        Z[3, 2] = bad
        with pytest.raises(br.DataError, match="NaN or infinite"):
            check_X(Z)


@settings(max_examples=50, deadline=None)
@given(n=st.integers(1, 9), p=st.integers(1, 9), order=st.sampled_from("CF"),
       bad=st.sampled_from([None, np.nan, np.inf, -np.inf]), seed=st.integers(0, 2**31 - 1),
       magnitude=st.sampled_from([1e-300, 1.0, 1e300]))
def test_one_pass_column_scan_matches_numpy(n, p, order, bad, seed, magnitude):
    """The validation pass (finite entries, per-column max |x|) against numpy's own answers."""
    from bayesreg._scan import scan_columns

    r = np.random.default_rng(seed)
    X = np.array(r.normal(size=(n, p)) * magnitude, order=order)
    if bad is not None:
        X[r.integers(n), r.integers(p)] = bad
    finite, top = scan_columns(X)
    assert finite == bool(np.isfinite(X).all())
    if finite:
        np.testing.assert_array_equal(top, np.abs(X).max(axis=0))
    Xs = sp.csc_matrix(np.where(r.random(X.shape) < 0.5, 0.0, X))
    finite_s, top_s = scan_columns(Xs)
    assert finite_s == bool(np.isfinite(Xs.toarray()).all())
    if finite_s:
        np.testing.assert_array_equal(top_s, np.abs(Xs.toarray()).max(axis=0))
