"""Input validation shared by every entry point (map, map_path, to_pymc, estimators, CLI).

Each check raises a bayesreg error that names the argument, the offending value or
position, and the fix. Inputs are never modified: anything that needs converting is
copied.
"""

from __future__ import annotations

import functools
from numbers import Real
from typing import Any

import numpy as np
import scipy.sparse as sp

from ._errors import BayesregTypeError, DataError, ParameterError

__all__ = ["check_X", "check_y", "check_sample_weight", "check_scale", "check_X_y", "check_tol",
           "check_int", "check_seed", "check_positive_number", "check_X_columns", "seed_sequence",
           "default_names", "is_dask", "is_frame", "check_dict", "LOG_2PI"]

#: log(2 pi), the constant of every Gaussian log density
LOG_2PI = float(np.log(2.0 * np.pi))


def _position(mask: np.ndarray) -> str:
    idx = np.argwhere(mask)
    first = tuple(int(i) for i in idx[0])
    where = f"row {first[0]}" if len(first) == 1 else f"row {first[0]}, column {first[1]}"
    return f"{len(idx)} value(s), first at {where}"


def check_X(X: Any, name: str = "X", accept_sparse: bool = True):
    """Validate a design matrix.

    Returns
    -------
    X : ndarray of float64 (C or F order; the caller's array itself when it already is one) or
        scipy.sparse.csc_matrix of float64 in canonical form (sharing the caller's arrays when X
        already is one: never modified; else a copy)
    feature_names : list of str or None
        Column names when X is a pandas DataFrame.
    """
    feature_names = None
    if is_frame(X):  # pandas DataFrame, or any frame with ``columns`` and ``to_numpy()``
        X, feature_names = _frame_to_float(X, name)
    if sp.issparse(X):
        if not accept_sparse:
            raise DataError(f"{name} is a scipy.sparse matrix, which this call does not accept: "
                            "pass a dense array (X.toarray()).")
        if X.ndim != 2:
            raise DataError(f"{name} must be 2-D, got shape {X.shape}.")
        if X.format == "csc" and X.dtype == np.float64 and X.has_canonical_format:
            X = sp.csc_matrix(X, copy=False)  # shares the caller's arrays (never modified)
        else:
            X = sp.csc_matrix(X, dtype=np.float64, copy=True)
            X.sum_duplicates()
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise DataError(f"{name} is empty (shape {X.shape}): need at least one row and one column.")
        from ._scan import scan_columns  # finite entries and column maxima, one pass

        if not scan_columns(X)[0]:
            raise DataError(f"{name} contains NaN or infinite entries: remove or impute them before fitting.")
        return X, feature_names
    if isinstance(X, (str, bytes)):
        raise BayesregTypeError(f"{name} must be an array-like of numbers, got a string.")
    try:
        arr = np.asarray(X)
    except Exception as exc:  # pragma: no cover - exotic objects
        raise BayesregTypeError(f"{name} could not be converted to an array: {exc}") from exc
    if arr.dtype.kind in "OUSV":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise DataError(
                f"{name} contains non-numeric values (dtype {arr.dtype}): convert every column "
                "to numbers before fitting."
            ) from exc
    if arr.dtype.kind not in "biuf":
        raise DataError(f"{name} must hold real numbers, got dtype {arr.dtype}.")
    if arr.ndim == 1:
        raise DataError(
            f"{name} is 1-D with shape {arr.shape}: a design matrix must be 2-D. "
            f"Use {name}.reshape(-1, 1) for a single feature or {name}.reshape(1, -1) for a single row."
        )
    if arr.ndim != 2:
        raise DataError(f"{name} must be 2-D, got {arr.ndim}-D with shape {arr.shape}.")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise DataError(f"{name} is empty (shape {arr.shape}): need at least one row and one column.")
    # No copy when X is already float64 (either memory order): the solvers only read X, and the
    # never-modified guarantee is tested on every public entry point.
    arr = np.asarray(arr, dtype=np.float64)
    if not (arr.flags.c_contiguous or arr.flags.f_contiguous):
        arr = np.asfortranarray(arr)
    # one pass: finite entries (no n x p boolean temporary) and the column maxima the solvers'
    # column units reuse; only a non-finite entry takes the exact check for the message
    from ._scan import scan_columns

    if not scan_columns(arr)[0]:
        finite = np.isfinite(arr)
        if not finite.all():
            raise DataError(f"{name} contains NaN or infinite entries ({_position(~finite)}): "
                            "remove or impute them before fitting.")
    return arr, feature_names


def is_frame(X) -> bool:
    """A data frame: pandas (``columns`` + ``dtypes``), or any other frame library's object
    with ``columns`` and ``to_numpy()`` (polars, ...)."""
    if isinstance(X, np.ndarray) or sp.issparse(X):
        return False
    return hasattr(X, "columns") and (hasattr(X, "dtypes") or hasattr(X, "to_numpy"))


def _is_pandas(obj) -> bool:
    return type(obj).__module__.split(".")[0] == "pandas"


def _plural(k: int, word: str) -> str:
    return f"{k} {word}" if k == 1 else f"{k} {word}s"


_CATEGORICAL_FIX = ("state the model as a formula, which expands categories into dummy columns "
                    "(br.Model.from_formula('y ~ x1 + C(region)', data=df, prior=...)), or "
                    "encode them as numbers yourself (pandas.get_dummies for labels; "
                    "X[col].astype(float) if the categories are numbers meant as numbers)")


def _pandas_column(col, dt):
    """One pandas column as float64 (missing -> NaN), or the reason it is not numbers."""
    import pandas as pd

    api = pd.api.types
    if isinstance(dt, pd.CategoricalDtype):
        return None, "categorical"
    if isinstance(dt, np.dtype):
        if dt.kind in "biuf":
            return col.to_numpy(dtype=np.float64), None
        if dt.kind != "O":
            return None, f"dtype {dt}"
        vals = col.to_numpy()
        miss = np.asarray(pd.isna(vals), dtype=bool)
        ok = all(isinstance(v, (Real, np.number)) and not isinstance(v, (str, bytes, np.str_))
                 and not isinstance(v, (complex, np.complexfloating))
                 for v in vals[~miss])
        if not ok:
            return None, "non-numeric values"
        out = np.full(vals.shape[0], np.nan)
        out[~miss] = np.asarray(vals[~miss].tolist(), dtype=np.float64)
        return out, None
    # extension dtypes: nullable Int*/UInt*/Float*/boolean, pyarrow-backed numbers and bools
    if (api.is_numeric_dtype(dt) or api.is_bool_dtype(dt)) and not api.is_complex_dtype(dt):
        try:
            return col.to_numpy(dtype=np.float64, na_value=np.nan), None
        except (TypeError, ValueError):
            return None, f"dtype {dt}"
    return None, f"dtype {dt}"


def _frame_to_float(X, name: str):
    """A data frame as a float64 array (missing values -> NaN, reported by column later) and
    its column names. pandas nullable / pyarrow-backed numeric and boolean columns and object
    columns holding numbers are numbers; text, categorical and other columns are refused by
    name. Any other frame (polars, ...) goes through its ``to_numpy()``."""
    feature_names = [str(c) for c in X.columns]
    if _is_pandas(X):
        dtypes = list(X.dtypes)
        if all(isinstance(dt, np.dtype) and dt.kind in "biuf" for dt in dtypes):
            arr = X.to_numpy(dtype=np.float64)
        else:
            arr = np.empty(X.shape, dtype=np.float64, order="F")
            bad, cats = [], []
            for j, dt in enumerate(dtypes):
                col, why = _pandas_column(X.iloc[:, j], dt)
                if why == "categorical":
                    cats.append(feature_names[j])
                elif why is not None:
                    bad.append(feature_names[j])
                else:
                    arr[:, j] = col
            if bad:
                raise DataError(
                    f"{name} has non-numeric column(s) {bad}: for labels, state the model as a "
                    "formula, which expands them into dummy columns (br.Model.from_formula("
                    "'y ~ x1 + C(region)', data=df, prior=...)); or encode them as numbers "
                    "(e.g. pandas.get_dummies, or pandas.to_numeric for numbers stored as text) "
                    "or drop them before fitting.")
            if cats:
                raise DataError(f"{name} has categorical column(s) {cats}: {_CATEGORICAL_FIX}.")
    else:
        try:
            arr = np.asarray(X.to_numpy())
        except Exception as exc:
            raise BayesregTypeError(f"{name} ({type(X).__name__}) could not be converted to an "
                                    f"array with to_numpy(): {exc}") from exc
        if arr.dtype.kind == "O":
            vals = arr
            miss = np.array([[v is None or (isinstance(v, float) and v != v) for v in row]
                             for row in vals], dtype=bool).reshape(vals.shape)
            out = np.full(vals.shape, np.nan)
            try:
                out[~miss] = np.asarray(vals[~miss].tolist(), dtype=np.float64)
            except (TypeError, ValueError):
                out = None
            if out is None or any(isinstance(v, (str, bytes)) for v in vals[~miss]):
                bad = [feature_names[j] for j in range(vals.shape[1])
                       if any(isinstance(v, (str, bytes)) or not isinstance(v, (Real, np.number))
                              for v in vals[~miss[:, j], j])]
                raise DataError(f"{name} has non-numeric column(s) {bad}: encode them as numbers, "
                                "or state the model as a formula (br.Model.from_formula), or "
                                "drop them before fitting.")
            arr = out
        elif arr.dtype.kind not in "biuf":
            raise DataError(f"{name} must hold real numbers, got dtype {arr.dtype} from "
                            f"{type(X).__name__}.to_numpy().")
        arr = np.asarray(arr, dtype=np.float64)
    if arr.ndim == 2 and not np.isfinite(arr.sum()):
        _report_frame_nonfinite(arr, feature_names, name)
    return arr, feature_names


def _report_frame_nonfinite(arr: np.ndarray, feature_names: list[str], name: str) -> None:
    """Raise naming the columns with missing (NaN / pd.NA / None) or infinite values and how many
    rows each has."""
    miss = np.isnan(arr)
    inf = np.isinf(arr)
    if miss.any():
        cols = np.flatnonzero(miss.any(axis=0))
        per = ", ".join(f"{feature_names[j]!r} ({_plural(int(miss[:, j].sum()), 'row')})"
                        for j in cols[:10]) + (" ..." if cols.size > 10 else "")
        n_rows = int(miss.any(axis=1).sum())
        raise DataError(
            f"{name} has missing values (NaN / pd.NA / None) in {_plural(cols.size, 'column')}: "
            f"{per}; {_plural(n_rows, 'row')} in all. Drop those rows (e.g. df.dropna()) or impute "
            "them before fitting.")
    if inf.any():
        cols = np.flatnonzero(inf.any(axis=0))
        per = ", ".join(f"{feature_names[j]!r} ({_plural(int(inf[:, j].sum()), 'row')})"
                        for j in cols[:10]) + (" ..." if cols.size > 10 else "")
        raise DataError(f"{name} has infinite values in {_plural(cols.size, 'column')}: {per}. "
                        "Remove or replace them before fitting.")


def _series_to_float(y, name: str):
    """A pandas Series (or one-column frame) as a float64 array, missing values as NaN."""
    import pandas as pd

    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise DataError(f"{name} must be 1-D (one response per row), got a DataFrame with "
                            f"{y.shape[1]} columns. bayesreg fits one response at a time.")
        y = y.iloc[:, 0]
    col, why = _pandas_column(y, y.dtype)
    if why == "categorical":
        raise DataError(f"{name} is categorical: encode the response as numbers "
                        f"({name}.cat.codes for labels, {name}.astype(float) for numbers).")
    if why is not None:
        raise DataError(f"{name} contains non-numeric values ({why}): encode the response as "
                        "numbers.")
    return col


def check_y(y: Any, n_samples: int | None = None, name: str = "y") -> np.ndarray:
    """Validate a response vector: 1-D (or n x 1), finite, numeric; returns a float64 copy."""
    if _is_pandas(y) and hasattr(y, "dtype") or _is_pandas(y) and is_frame(y):
        y = _series_to_float(y, name)
    elif hasattr(y, "to_numpy"):
        y = y.to_numpy()
    if isinstance(y, (str, bytes)):
        raise BayesregTypeError(f"{name} must be an array of numbers, got a string.")
    arr = np.asarray(y)
    if arr.dtype.kind in "OUSV":
        try:
            arr = arr.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise DataError(f"{name} contains non-numeric values (dtype {arr.dtype}): "
                            "encode the response as numbers.") from exc
    if arr.dtype.kind not in "biuf":
        raise DataError(f"{name} must hold real numbers, got dtype {arr.dtype}.")
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim != 1:
        raise DataError(f"{name} must be 1-D (one response per row), got shape {arr.shape}. "
                        "bayesreg fits one response at a time.")
    if arr.shape[0] == 0:
        raise DataError(f"{name} is empty: need at least one observation.")
    if n_samples is not None and arr.shape[0] != n_samples:
        raise DataError(f"X has {n_samples} rows but {name} has {arr.shape[0]} entries: "
                        "they must have the same length.")
    arr = np.array(arr, dtype=np.float64, copy=True)
    finite = np.isfinite(arr)
    if not finite.all():
        miss = np.isnan(arr)
        if miss.any():
            raise DataError(f"{name} has missing values (NaN / pd.NA / None: {_position(miss)}): "
                            "drop those rows or impute them.")
        raise DataError(f"{name} contains NaN or infinite entries ({_position(~finite)}): "
                        "drop those rows or impute them.")
    return arr


def check_sample_weight(sample_weight: Any, n_samples: int) -> np.ndarray:
    """Validate sample weights: None -> ones; otherwise 1-D, finite, >= 0, not all zero."""
    if sample_weight is None:
        return np.ones(n_samples)
    sw = check_y(sample_weight, n_samples, name="sample_weight")
    if np.any(sw < 0):
        raise DataError(f"sample_weight has negative entries ({_position(sw < 0)}): "
                        "weights multiply each row's log-likelihood and must be >= 0.")
    if not np.any(sw > 0):
        raise DataError("sample_weight is zero for every row: at least one row must have positive weight.")
    return sw


def check_X_y(X, y, sample_weight=None, accept_sparse: bool = True):
    """Validate X, y and sample_weight together; returns (X, y, sw, feature_names)."""
    if y is None:
        raise DataError("y is None: supervised fitting needs a response vector.")
    if is_dask(X) or is_dask(y):
        raise DataError("Dask arrays are handled by the Dask entry points; compute them or see "
                        "the scale-out section of the user guide.")
    X, names = check_X(X, accept_sparse=accept_sparse)
    y = check_y(y, X.shape[0])
    sw = check_sample_weight(sample_weight, X.shape[0])
    return X, y, sw, names


def is_dask(a) -> bool:
    return type(a).__module__.split(".")[0] == "dask"


def check_scale(value: Any, name: str, allow_array: bool = True) -> float | np.ndarray:
    """Validate a prior scale or sigma: finite and > 0, a float or (if allowed) a 1-D array."""
    if isinstance(value, bool):
        raise BayesregTypeError(f"{name} must be a positive number, got a bool ({value}).")
    if isinstance(value, Real):
        v = float(value)
        if not np.isfinite(v) or v <= 0:
            raise ParameterError(f"{name} must be finite and > 0, got {value!r}.")
        return v
    if isinstance(value, (str, bytes)) or value is None:
        raise BayesregTypeError(f"{name} must be a positive number, got {value!r}.")
    if not allow_array:
        raise BayesregTypeError(f"{name} must be a single positive number, got {type(value).__name__}.")
    try:
        arr = np.array(value, dtype=np.float64, copy=True)
    except (TypeError, ValueError) as exc:
        raise BayesregTypeError(f"{name} must be a positive number or an array of them: {exc}") from exc
    if arr.ndim == 0:
        return check_scale(float(arr), name, allow_array=False)
    if arr.ndim != 1 or arr.size == 0:
        raise ParameterError(f"{name} must be a number or a non-empty 1-D array (one per coefficient), "
                             f"got shape {arr.shape}.")
    bad = ~np.isfinite(arr) | (arr <= 0)
    if bad.any():
        i = int(np.argmax(bad))
        raise ParameterError(f"{name} must be finite and > 0 everywhere; entry {i} is {arr[i]!r}.")
    arr.setflags(write=False)
    return arr


def check_positive_number(v: Any, name: str) -> float:
    """A finite number > 0 (conversion inputs: alpha, C, sigma, n_samples)."""
    if isinstance(v, bool) or not isinstance(v, (int, float, np.floating, np.integer)):
        raise BayesregTypeError(f"{name} must be a number, got {v!r}.")
    v = float(v)
    if not np.isfinite(v) or v <= 0:
        raise ParameterError(f"{name} must be finite and > 0, got {v!r}.")
    return v


def check_tol(tol: Any, name: str = "tol") -> float:
    """Validate a solver tolerance: a finite number > 0."""
    if isinstance(tol, bool) or not isinstance(tol, (int, float, np.floating)) or not (
            np.isfinite(tol) and tol > 0):
        raise ParameterError(f"{name} must be a finite number > 0, got {tol!r}.")
    return float(tol)


def check_int(value: Any, name: str, minimum: int) -> int:
    """Validate an integer count (draws, chains, ...): an int (not a bool) >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ParameterError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def seed_sequence(random_seed: Any) -> np.random.SeedSequence:
    """``np.random.SeedSequence`` from None, a non-negative int, a SeedSequence or a Generator."""
    if random_seed is None or isinstance(random_seed, (int, np.integer)) and not isinstance(
            random_seed, bool):
        if random_seed is not None and random_seed < 0:
            raise ParameterError(f"random_seed must be >= 0, got {random_seed}.")
        return np.random.SeedSequence(random_seed)
    if isinstance(random_seed, np.random.SeedSequence):
        return random_seed
    if isinstance(random_seed, np.random.Generator):
        return np.random.SeedSequence(int(random_seed.integers(2**63)))
    raise BayesregTypeError(
        f"random_seed must be None, a non-negative int, a numpy SeedSequence or Generator; got "
        f"{random_seed!r}.")


def check_seed(random_seed: Any) -> int:
    """An int seed for samplers that take one: the given int, or a fresh one for None."""
    if random_seed is None:
        return int(np.random.SeedSequence().generate_state(1, dtype=np.uint64)[0] >> 2)
    if isinstance(random_seed, bool) or not isinstance(random_seed, (int, np.integer)):
        raise BayesregTypeError(
            f"random_seed must be an int or None, got {type(random_seed).__name__}.")
    if random_seed < 0:
        raise ParameterError(f"random_seed must be >= 0, got {random_seed}.")
    return int(random_seed)


@functools.lru_cache(maxsize=8)
def _default_names(p: int) -> tuple[str, ...]:
    return tuple(f"x{j}" for j in range(p))


def default_names(p: int, names: Any = None) -> list[str]:
    """``names`` as a list of str, or ``["x0", ..., "x{p-1}"]`` for unnamed columns (cached:
    wide designs have many)."""
    if names is not None:
        return [str(v) for v in names]
    return list(_default_names(int(p)))


def check_X_columns(X: Any, feature_names, names_given: bool | None, name: str = "X"):
    """Validate ``X`` for prediction against the columns a fit was made on.

    A DataFrame is matched **by name** when the fit's names came from the data
    (``names_given``): the same names in another order are reordered, missing or unexpected
    names are a DataError naming them. A bare array (or a fit on unnamed columns) is matched by
    position and must have the same width. ``names_given=None`` (results saved before the flag
    existed) means: the names came from the data unless they are the defaults ``x0, x1, ...``.
    Returns the validated array, columns in the fit's order."""
    fitted = [str(n) for n in feature_names]
    p = len(fitted)
    arr, x_names = check_X(X, name=name)
    if names_given is None:
        names_given = fitted != default_names(p)
    if x_names is not None and names_given and x_names != fitted:
        have = set(x_names)
        missing = [n for n in fitted if n not in have]
        extra = [n for n in x_names if n not in set(fitted)]
        if missing or extra or len(set(x_names)) != len(x_names):
            raise DataError(
                f"{name}'s columns do not match the columns the model was fitted on: missing "
                f"{missing[:5]}{'...' if len(missing) > 5 else ''}, unexpected "
                f"{extra[:5]}{'...' if len(extra) > 5 else ''}. Pass a DataFrame with exactly the "
                "fitted columns (any order), or an array in the fitted column order.")
        pos = {n: j for j, n in enumerate(x_names)}
        order = np.array([pos[n] for n in fitted])
        arr = arr[:, order]
        if not sp.issparse(arr):
            arr = np.asarray(arr)
    if arr.shape[1] != p:
        raise DataError(f"{name} has {arr.shape[1]} columns but the fit has {p} coefficients: "
                        "pass rows with the columns the model was fitted on.")
    return arr


def check_dict(d: Any, what: str, required, optional=()) -> dict:
    """Validate a loaded description (``to_dict`` output): a dict with every ``required`` key and
    no key outside ``required`` + ``optional``. Returns a shallow copy."""
    if not isinstance(d, dict):
        raise DataError(f"{what} must be a dict (a to_dict() description), got "
                        f"{type(d).__name__}: {str(d)[:80]!r}.")
    known = list(required) + [k for k in optional if k not in required]
    missing = [k for k in required if k not in d]
    unknown = [k for k in d if k not in known]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing key(s) {missing}")
        if unknown:
            parts.append(f"unknown key(s) {unknown}")
        raise DataError(f"{what} has {' and '.join(parts)}; its keys are {known}. Was it written "
                        "by another program or another version of bayesreg?")
    return dict(d)
