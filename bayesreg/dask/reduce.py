"""Dask reductions: row-chunked inputs, per-block statistics and their tree merge.

Only p-dimensional and p x p statistics leave the workers; the rows never do. Every block
returns a :class:`~bayesreg.suffstats.SuffStats` (merged by Chan et al.'s update) and a dict of
plain sums (counts of bad entries, datafit values, gradients), which are added.
"""

from __future__ import annotations

import numpy as np

from .._errors import DataError
from ..suffstats import SuffStats

__all__ = ["as_dask", "reduce_blocks", "check_block", "raise_bad", "merge"]


def as_dask(X, y, sample_weight):
    """Row-chunked float64 Dask arrays (X with one column chunk); y, sw aligned to X's rows."""
    import dask.array as da

    def is_dask(a):
        return isinstance(a, da.Array)

    if y is None:
        raise DataError("y is None: supervised fitting needs a response vector.")
    names = None
    if hasattr(X, "columns") and hasattr(X, "dtypes"):  # pandas / Dask DataFrame
        names = [str(col) for col in X.columns]
    if hasattr(X, "to_dask_array") and not is_dask(X):
        X = X.to_dask_array(lengths=True)
    if hasattr(y, "to_dask_array") and not is_dask(y):
        y = y.to_dask_array(lengths=True)
    if not is_dask(X):
        Xn = np.asarray(X, dtype=np.float64)
        rows = y.chunks[0] if is_dask(y) else "auto"
        X = da.from_array(Xn, chunks=(rows, -1))
    if X.ndim != 2:
        raise DataError(f"X must be 2-D, got shape {X.shape}.")
    if any(np.isnan(c) for c in X.shape):
        raise DataError("X has unknown chunk sizes (NaN shape): call X.compute_chunk_sizes() "
                        "or build it with known lengths.")
    if X.dtype.kind not in "biuf":
        raise DataError(f"X must hold real numbers, got dtype {X.dtype}.")
    X = X.astype(np.float64).rechunk({1: -1})
    rows = X.chunks[0]
    n, p = X.shape
    if n == 0 or p == 0:
        raise DataError(f"X is empty (shape {X.shape}).")

    def vec(v, name):
        if not is_dask(v):
            v = np.asarray(v)
            if v.dtype.kind not in "biuf":
                raise DataError(f"{name} must hold real numbers, got dtype {v.dtype}.")
            v = da.from_array(v.astype(np.float64), chunks=(rows,) if v.ndim == 1 else (rows, -1))
        if v.ndim == 2 and v.shape[1] == 1:
            v = v[:, 0]
        if v.ndim != 1:
            raise DataError(f"{name} must be 1-D (one value per row), got shape {v.shape}.")
        if v.shape[0] != n:
            raise DataError(f"X has {n} rows but {name} has {v.shape[0]} entries: they must have "
                            "the same length.")
        return v.astype(np.float64).rechunk((rows,))

    y = vec(y, "y")
    sw = None if sample_weight is None else vec(sample_weight, "sample_weight")
    return X, y, sw, names


def _blocks(X, y, sw):
    xb = X.to_delayed().ravel().tolist()
    yb = y.to_delayed().ravel().tolist()
    wb = [None] * len(xb) if sw is None else sw.to_delayed().ravel().tolist()
    return list(zip(xb, yb, wb))


def merge(a, b):
    """Merge two blocks' ``(SuffStats or None, sums)``."""
    sa, da_ = a
    sb, db = b
    stats = sb if sa is None else sa if sb is None else sa.merge(sb)
    return stats, {k: da_[k] + db[k] for k in da_}


def _tree_reduce(parts, combine):
    from dask import delayed

    comb = delayed(combine, pure=True)
    while len(parts) > 1:
        parts = [comb(parts[i], parts[i + 1]) if i + 1 < len(parts) else parts[i]
                 for i in range(0, len(parts), 2)]
    return parts[0]


def reduce_blocks(X, y, sw, chunk_fn, *args):
    """``chunk_fn(X_block, y_block, sw_block, *args) -> (SuffStats or None, sums)`` on every
    row block, merged pairwise (one pass over the data)."""
    import dask
    from dask import delayed

    fn = delayed(chunk_fn, pure=True)
    parts = [fn(xb, yb, wb, *args) for xb, yb, wb in _blocks(X, y, sw)]
    return dask.compute(_tree_reduce(parts, merge))[0]


def check_block(X, y, sw) -> dict:
    """Counts of the entries that make the data unusable (reported by :func:`raise_bad`)."""
    bad = {"nonfinite_X": int(np.count_nonzero(~np.isfinite(X))),
           "nonfinite_y": int(np.count_nonzero(~np.isfinite(y))),
           "n": int(X.shape[0])}
    bad["nonfinite_sw"] = 0 if sw is None else int(np.count_nonzero(~np.isfinite(sw)))
    bad["negative_sw"] = 0 if sw is None else int(np.count_nonzero(sw < 0))
    return bad


def raise_bad(sums: dict, S: float) -> None:
    """The DataErrors of the in-memory validation, from the merged counts."""
    if sums.get("nonfinite_X", 0):
        raise DataError(f"X contains {sums['nonfinite_X']} NaN or infinite entries: remove or impute "
                        "them before fitting.")
    if sums.get("nonfinite_y", 0):
        raise DataError(f"y contains {sums['nonfinite_y']} NaN or infinite entries: drop those rows "
                        "or impute them.")
    if sums.get("nonfinite_sw", 0) or sums.get("negative_sw", 0):
        raise DataError("sample_weight must be finite and >= 0 "
                        f"({sums.get('nonfinite_sw', 0)} non-finite, {sums.get('negative_sw', 0)} "
                        "negative entries).")
    if not S > 0:
        raise DataError("sample_weight is zero for every row: at least one row must have positive "
                        "weight.")


def block_stats(X, z, h, ok: bool = True) -> SuffStats:
    """The block's centered statistics of ``(X, z)`` with weights ``h`` (zeros when not ok)."""
    if not ok:
        X, z, h = np.zeros_like(X), np.zeros_like(z), np.zeros_like(h)
    return SuffStats.from_rows(X, z, h, fit_intercept=True)
