"""Inputs that real data frames hold: pandas nullable / extension / pyarrow dtypes are numbers,
missing values are reported as missing (column and count), inputs are never modified.

The reference of every fit is the same model fitted on a plain float64 NumPy array built here
directly from the intended values (never from bayesreg's own conversion)."""

import io
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bayesreg as br

LAP = br.Model(br.Gaussian(1.0), br.Laplace(0.5))

#: column casts: name -> (kind of values it holds, pandas dtype to cast to)
CASTS = {
    "float64": ("float", "float64"),
    "Float64": ("float", "Float64"),
    "Int64": ("int", "Int64"),
    "int32": ("int", "int32"),
    "UInt8": ("uint", "UInt8"),
    "boolean": ("bool", "boolean"),
    "bool": ("bool", "bool"),
    "object-of-floats": ("float", object),
    "object-of-ints": ("int", object),
}
try:  # pyarrow-backed columns when pyarrow is installed
    import pyarrow  # noqa: F401

    CASTS.update({"double[pyarrow]": ("float", "double[pyarrow]"),
                  "int64[pyarrow]": ("int", "int64[pyarrow]"),
                  "bool[pyarrow]": ("bool", "bool[pyarrow]")})
except ImportError:  # pragma: no cover
    pass
def _values(kind, z):
    """The intended numbers of a column of this kind, from standard normal draws ``z``."""
    if kind == "float":
        return z
    if kind == "int":
        return np.round(3 * z)
    if kind == "uint":
        return np.round(3 * np.abs(z))
    return (z > 0).astype(float)


def _column(kind, dtype, values, missing=None):
    """A pandas column holding ``values`` (float64 numbers) as ``dtype``; ``missing``: rows set
    to the dtype's missing marker."""
    if dtype is object:
        py = [bool(v) if kind == "bool" else (int(v) if kind in ("int", "uint") else float(v))
              for v in values]
        if missing is not None:
            for i in np.flatnonzero(missing):
                py[i] = None
        return pd.Series(py, dtype=object)
    if kind == "bool":
        s = pd.Series(values.astype(bool))
    elif kind in ("int", "uint"):
        s = pd.Series(values.astype(np.int64))
    else:
        s = pd.Series(values)
    s = s.astype(dtype)
    if missing is not None:
        s = s.astype(NULLABLE_DTYPE(dtype))
        s[missing] = pd.NA if s.dtype != np.float64 else np.nan
    return s


def NULLABLE_DTYPE(dtype):  # noqa: N802 - reads as a table lookup
    return {"int32": "Int64", "bool": "boolean", "UInt8": "UInt8"}.get(dtype, dtype)


def _fingerprint(df):
    return df.copy(deep=True), [str(d) for d in df.dtypes]


def _unchanged(df, fp):
    pd.testing.assert_frame_equal(df, fp[0])
    assert [str(d) for d in df.dtypes] == fp[1]


frames = st.integers(min_value=0, max_value=2**31 - 1).flatmap(
    lambda seed: st.tuples(st.just(seed),
                           st.lists(st.sampled_from(sorted(CASTS)), min_size=1, max_size=4)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames)
def test_map_on_cast_columns_equals_float64_array(case):
    seed, casts = case
    rng = np.random.default_rng(seed)
    n = 12 + len(casts)
    cols, ref = {}, np.empty((n, len(casts)))
    for j, name in enumerate(casts):
        kind, dtype = CASTS[name]
        ref[:, j] = _values(kind, rng.normal(size=n))
        cols[f"c{j}:{name}"] = _column(kind, dtype, ref[:, j])
    df = pd.DataFrame(cols)
    y = ref @ rng.normal(size=len(casts)) + rng.normal(size=n)
    fp = _fingerprint(df)
    got = LAP.map(df, y, tol=1e-12)
    want = LAP.map(ref, y, tol=1e-12)
    np.testing.assert_allclose(got.coef, want.coef, rtol=0, atol=1e-10)
    assert abs(got.intercept - want.intercept) <= 1e-10
    assert got.feature_names == list(cols)
    _unchanged(df, fp)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames, st.data())
def test_missing_values_are_reported_by_column_and_count(case, data):
    seed, casts = case
    rng = np.random.default_rng(seed)
    n = 12 + len(casts)
    cols, counts = {}, {}
    holes = data.draw(st.lists(st.booleans(), min_size=len(casts), max_size=len(casts))
                      .filter(any))
    for j, name in enumerate(casts):
        kind, dtype = CASTS[name]
        v = _values(kind, rng.normal(size=n))
        missing = None
        if holes[j]:
            k = int(rng.integers(1, n // 2))
            missing = np.zeros(n, dtype=bool)
            missing[rng.choice(n, size=k, replace=False)] = True
            counts[f"c{j}:{name}"] = k
        cols[f"c{j}:{name}"] = _column(kind, dtype, v, missing)
    df = pd.DataFrame(cols)
    fp = _fingerprint(df)
    with pytest.raises(br.DataError, match="missing") as info:
        LAP.map(df, rng.normal(size=n))
    msg = str(info.value)
    assert "non-numeric" not in msg
    for col, k in counts.items():
        assert f"'{col}' ({k} row{'s' if k > 1 else ''})" in msg, msg
    for col in set(cols) - set(counts):
        assert f"'{col}'" not in msg
    _unchanged(df, fp)


def test_convert_dtypes_and_nullable_csv_are_numbers(rng):
    X = np.round(rng.normal(size=(25, 3)) * 4)  # integral: convert_dtypes makes them Int64
    X[:, 2] = rng.normal(size=25)  # stays Float64
    y = X @ [0.5, -0.2, 1.0] + rng.normal(size=25)
    df = pd.DataFrame(X, columns=["a", "b", "c"]).convert_dtypes()
    assert [str(d) for d in df.dtypes] == ["Int64", "Int64", "Float64"]
    want = LAP.map(X, y, tol=1e-12)
    np.testing.assert_allclose(LAP.map(df, y, tol=1e-12).coef, want.coef, rtol=0, atol=1e-10)
    buf = io.StringIO()
    pd.DataFrame(X, columns=["a", "b", "c"]).assign(y=y).to_csv(buf, index=False)
    buf.seek(0)
    read = pd.read_csv(buf, dtype_backend="numpy_nullable")
    res = LAP.map(read[["a", "b", "c"]], read["y"], tol=1e-12)
    np.testing.assert_allclose(res.coef, want.coef, rtol=0, atol=1e-8)  # CSV round trip of y
    assert res.feature_names == ["a", "b", "c"]


def test_pyarrow_backed_frame(rng):
    pytest.importorskip("pyarrow")
    X = rng.normal(size=(20, 2))
    y = rng.normal(size=20)
    buf = io.StringIO()
    pd.DataFrame(X, columns=["u", "v"]).to_csv(buf, index=False)
    buf.seek(0)
    df = pd.read_csv(buf, dtype_backend="pyarrow")
    assert all("pyarrow" in str(d) for d in df.dtypes)
    np.testing.assert_allclose(LAP.map(df, y).coef, LAP.map(df.to_numpy(float), y).coef,
                               rtol=0, atol=1e-12)
    df.loc[3, "v"] = None
    with pytest.raises(br.DataError, match=r"missing.*'v' \(1 row\)"):
        LAP.map(df, y)


def test_nullable_responses(rng):
    X = rng.normal(size=(40, 2))
    counts = rng.poisson(np.exp(0.3 * X[:, 0]))
    pois = br.Model(br.Poisson(), br.Normal(1.0))
    np.testing.assert_allclose(pois.map(X, pd.Series(counts, dtype="Int64"), tol=1e-12).coef,
                               pois.map(X, counts.astype(float), tol=1e-12).coef, rtol=0, atol=1e-10)
    yb = X[:, 1] + rng.normal(size=40) > 0
    logit = br.Model(br.Bernoulli(), br.Normal(1.0))
    np.testing.assert_allclose(logit.map(X, pd.Series(yb, dtype="boolean"), tol=1e-12).coef,
                               logit.map(X, yb.astype(float), tol=1e-12).coef, rtol=0, atol=1e-10)
    y_na = pd.Series(counts, dtype="Int64")
    y_na[[2, 7]] = pd.NA
    keep = y_na.copy()
    with pytest.raises(br.DataError, match=r"y has missing values.*2 value\(s\), first at row 2"):
        pois.map(X, y_na)
    pd.testing.assert_series_equal(y_na, keep)
    with pytest.raises(br.DataError, match="sample_weight has missing"):
        pois.map(X, counts, sample_weight=pd.Series([1.0] * 39 + [None], dtype="Float64"))


@pytest.mark.parametrize("col,match", [
    (pd.Categorical([1.0, 2.0, 3.0, 4.0] * 5), r"categorical column\(s\) \['bad'\].*astype\(float\)"),
    (pd.Categorical(["lo", "hi"] * 10), r"categorical column\(s\) \['bad'\].*get_dummies"),
    (pd.Series(["1.5"] * 20, dtype="string"), r"non-numeric column\(s\) \['bad'\].*to_numeric"),
    (pd.Series(["x"] * 20, dtype=object), r"non-numeric column\(s\) \['bad'\]"),
    (pd.Series([1.0, "x"] * 10, dtype=object), r"non-numeric column\(s\) \['bad'\]"),
    (pd.Series(pd.date_range("2020", periods=20)), r"non-numeric column\(s\) \['bad'\]"),
    (pd.Series([1j] * 20), r"non-numeric column\(s\) \['bad'\]"),
], ids=["category-of-numbers", "category-of-labels", "string", "object-str", "object-mixed",
        "datetime", "complex"])
def test_columns_that_are_not_numbers_are_refused_by_name(rng, col, match):
    """Categories are labels, even when they are numbers: they are refused (with the cast that
    makes numeric categories numbers), never silently replaced by their codes."""
    df = pd.DataFrame(rng.normal(size=(20, 2)), columns=["a", "b"])
    df["bad"] = col
    fp = _fingerprint(df)
    with pytest.raises(br.DataError, match=match) as info:
        LAP.map(df, rng.normal(size=20))
    assert "'a'" not in str(info.value)
    _unchanged(df, fp)


def test_categorical_response_is_refused(rng):
    X = rng.normal(size=(20, 2))
    with pytest.raises(br.DataError, match="y is categorical"):
        LAP.map(X, pd.Series(pd.Categorical([1.0, 2.0] * 10)))


def test_float64_frame_nan_and_inf_are_located_by_column(rng):
    df = pd.DataFrame(rng.normal(size=(10, 3)), columns=["a", "b", "c"])
    df.loc[[0, 5, 6], "b"] = np.nan
    with pytest.raises(br.DataError, match=r"missing values .* in 1 column: 'b' \(3 rows\)"):
        LAP.map(df, rng.normal(size=10))
    df["b"] = 1.0
    df.loc[2, "c"] = np.inf
    with pytest.raises(br.DataError, match=r"infinite values in 1 column: 'c' \(1 row\)"):
        LAP.map(df, rng.normal(size=10))


class _Frame:
    """A minimal frame of another library: ``columns`` and ``to_numpy()``, no pandas dtypes."""

    def __init__(self, data, columns):
        self._data, self.columns = data, list(columns)

    def to_numpy(self):
        return self._data


def test_generic_frame_with_to_numpy_and_columns(rng):
    X = rng.normal(size=(20, 2))
    y = rng.normal(size=20)
    res = LAP.map(_Frame(X, ["p", "q"]), y)
    assert res.feature_names == ["p", "q"]
    np.testing.assert_allclose(res.coef, LAP.map(X, y).coef, rtol=0, atol=1e-12)
    Xo = X.astype(object)
    Xo[4, 1] = None
    with pytest.raises(br.DataError, match=r"missing.*'q' \(1 row\)"):
        LAP.map(_Frame(Xo, ["p", "q"]), y)
    Xs = X.astype(object)
    Xs[:, 0] = "z"
    with pytest.raises(br.DataError, match=r"non-numeric column\(s\) \['p'\]"):
        LAP.map(_Frame(Xs, ["p", "q"]), y)


def test_polars_frame(rng):
    pl = pytest.importorskip("polars")
    X = rng.normal(size=(20, 2))
    y = rng.normal(size=20)
    df = pl.DataFrame({"p": X[:, 0], "q": X[:, 1]})
    res = LAP.map(df, y)
    assert res.feature_names == ["p", "q"]
    np.testing.assert_allclose(res.coef, LAP.map(X, y).coef, rtol=0, atol=1e-12)
    df2 = df.with_columns(pl.when(pl.int_range(pl.len()) == 3).then(None).otherwise(pl.col("q"))
                          .alias("q"))
    with pytest.raises(br.DataError, match=r"missing.*'q' \(1 row\)"):
        LAP.map(df2, y)


# ------------------------------------------------------------------ estimators
def test_estimators_on_nullable_frames(rng):
    X = np.round(3 * rng.normal(size=(50, 3)))
    y = X @ [1.0, 0.0, -0.5] + rng.normal(size=50)
    df = pd.DataFrame(X, columns=["age", "dose", "week"]).convert_dtypes()
    fp = _fingerprint(df)
    est = br.MAPRegressor(prior=br.Laplace(1.0)).fit(df, pd.Series(y, dtype="Float64"))
    ref = br.MAPRegressor(prior=br.Laplace(1.0)).fit(X, y)
    assert est.result_.feature_names == ["age", "dose", "week"]
    assert list(est.feature_names_in_) == ["age", "dose", "week"]
    assert est.n_features_in_ == 3
    np.testing.assert_allclose(est.coef_, ref.coef_, rtol=0, atol=1e-10)
    np.testing.assert_allclose(est.predict(df), ref.predict(X), rtol=0, atol=1e-10)
    _unchanged(df, fp)
    bad = df.copy()
    bad.loc[[1, 2], "dose"] = pd.NA
    with pytest.raises(br.DataError, match=r"'dose' \(2 rows\)"):
        br.MAPRegressor().fit(bad, y)
    with pytest.raises(br.DataError, match=r"'dose' \(2 rows\)"):
        est.predict(bad)

    yb = pd.Series(X[:, 0] + rng.normal(size=50) > 0, dtype="boolean")
    clf = br.MAPClassifier().fit(df, yb)
    clf_ref = br.MAPClassifier().fit(X, yb.to_numpy(dtype=bool))
    assert clf.result_.feature_names == ["age", "dose", "week"]
    np.testing.assert_allclose(clf.coef_, clf_ref.coef_, rtol=0, atol=1e-10)
    assert list(clf.classes_) == [False, True]
    yb[5] = pd.NA
    with pytest.raises(br.DataError, match=re.escape("y has 1 missing value(s)")):
        br.MAPClassifier().fit(df, yb)
