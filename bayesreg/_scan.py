"""One pass over a dense float64 X at validation: are all entries finite, and each column's
largest ``|x_ij|``. The solvers' column units (:func:`bayesreg.map.solve.column_units`) read the
column maxima back for the array validated last, so they cost no second pass over X."""

from __future__ import annotations

import weakref

import numpy as np
from numba import njit

__all__ = ["scan_columns", "scanned_column_maxabs"]


@njit(cache=True, nogil=True)
def _scan_rows(X, top):  # C order: row by row, the column maxima vectorized
    n, p = X.shape
    for j in range(p):
        top[j] = 0.0
    for i in range(n):
        row = X[i]
        for j in range(p):
            v = row[j]
            a = abs(v)
            t = top[j]
            # `+ v * 0.0` is exact for finite v and NaN for a NaN or infinite one; the select
            # keeps a NaN maximum NaN, so a non-finite entry leaves its column's maximum NaN
            top[j] = (a if a > t else t) + v * 0.0
    for j in range(p):
        if not top[j] < np.inf:
            return False
    return True


@njit(cache=True, nogil=True)
def _scan_cols(XT, top):  # Fortran order, given as the C-ordered XT = X.T
    p, n = XT.shape
    nan_sum = 0.0
    for j in range(p):
        m = 0.0
        for i in range(n):
            v = XT[j, i]
            nan_sum += v * 0.0
            a = abs(v)
            if a > m:
                m = a
        top[j] = m
    return nan_sum == 0.0


@njit(cache=True, nogil=True)
def _scan_csc(data, indptr, top):  # CSC: each column's stored entries
    p = top.shape[0]
    finite = True
    for j in range(p):
        m = 0.0
        for k in range(indptr[j], indptr[j + 1]):
            v = data[k]
            if not abs(v) < np.inf:
                finite = False
            a = abs(v)
            if a > m:
                m = a
        top[j] = m
    return finite


_LAST: tuple = (None, None)  # (weak reference to the array scanned last, its column maxima)


def scan_columns(X: np.ndarray) -> tuple[bool, np.ndarray]:
    """``(all entries finite, max_i |x_ij| per column)`` of a 2-D float64 array in C or Fortran
    order (or a scipy.sparse CSC matrix without duplicates), in one pass; remembered for
    :func:`scanned_column_maxabs`."""
    global _LAST
    top = np.empty(X.shape[1])
    if getattr(X, "format", None) == "csc":
        finite = bool(_scan_csc(X.data, X.indptr, top))
    else:
        finite = bool(_scan_rows(X, top) if X.flags.c_contiguous else _scan_cols(X.T, top))
    try:
        _LAST = (weakref.ref(X), top) if finite else (None, None)
    except TypeError:  # an array type without weak references: nothing remembered
        _LAST = (None, None)
    return finite, top


def scanned_column_maxabs(X) -> np.ndarray | None:
    """The column maxima :func:`scan_columns` found for this very array object (validated in
    this call: every entry point validates before it solves), or None."""
    ref, top = _LAST
    if ref is not None and ref() is X and top.shape[0] == X.shape[1]:
        return top
    return None
