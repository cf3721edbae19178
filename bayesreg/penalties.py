"""Penalty faces: what a prior looks like to a MAP solver.

A prior with a finite posterior mode has a *penalty face*: the negative log density of the
coefficients split into a part that depends on ``w`` and a constant::

    -sum_j log p(w_j) = penalty.value(w) + penalty.log_normalizer()

:meth:`bayesreg.priors.Prior.as_penalty` returns it (or ``None`` for a prior whose joint mode is
degenerate: then :func:`require_penalty` raises the prior's own explanation). Solvers state the
attributes they need (:data:`SEPARABLE_FACES` for the coordinate-descent and Newton kernels),
and :func:`check_faces` names what is missing, so a penalty without, say, a proximal operator
never reaches a proximal solver.

The penalties shipped with bayesreg are all one separable family:

    ElasticNetPenalty(l1, l2):  value(w) = sum_j l1_j |w_j| + l2_j / 2 * w_j^2

(Normal: ``l1 = 0``; Laplace: ``l2 = 0``; elastic net: both), whose ``(l1, l2)`` arrays are the
face the numba kernels take. :class:`GroupLassoPenalty` (``sum_g lam_g ||w_g||_2``, the
GroupLaplace prior) is not separable: its face is ``group_structure`` (:data:`GROUP_FACES`),
which the block coordinate descent and group proximal Newton solvers take; with a per-coefficient
L1 part (``l1``: ``GroupLaplace(..., l1_scale=...)``) it is the sparse group lasso.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any

import numpy as np
from numba import njit
from scipy.special import erfcx, gammaln

from ._errors import NotSupportedError

__all__ = ["Penalty", "ElasticNetPenalty", "GroupLassoPenalty", "SEPARABLE_FACES", "GROUP_FACES",
           "check_faces", "require_penalty", "has_mode", "sgl_threshold", "sgl_group_thresholds",
           "sgl_log_z"]

#: attributes the group solvers need (GroupLassoPenalty)
GROUP_FACES = ("group_structure", "value", "prox", "subdiff_distance", "zero_threshold",
               "log_normalizer", "scaled")

#: attributes a penalty must have for the separable (coordinate descent / Newton) solvers
SEPARABLE_FACES = ("weights", "value", "prox", "subdiff_distance", "zero_threshold",
                   "log_normalizer", "scaled")


class Penalty(ABC):
    """Base class of penalty faces (see the module docstring).

    Attributes
    ----------
    n_coef : int
        Number of coefficients the penalty applies to.
    has_kinks : bool
        True when the penalty is not differentiable at ``w_j = 0`` (an L1 part): then the mode
        can have exact zeros, and smooth optimizers (L-BFGS-B) cannot land on them.
    separable : bool
        True when the penalty is a sum of per-coefficient terms with per-coefficient weights
        ``(a, c)`` (``weights``: the separable solvers, conversions, Dask); False for penalties
        that couple coefficients (the group lasso).
    """

    n_coef: int
    has_kinks: bool
    separable: bool = True

    @abstractmethod
    def value(self, w: np.ndarray) -> float:
        """The penalty at ``w`` (``-log prior(w)`` without its constant)."""

    @abstractmethod
    def prox(self, v: np.ndarray, step: float | np.ndarray) -> np.ndarray:
        """``argmin_w step * value(w) + ||w - v||^2 / 2``."""

    @abstractmethod
    def subdiff_distance(self, w: np.ndarray, grad: np.ndarray) -> np.ndarray:
        """Per coordinate, the distance from ``-grad`` (gradient of the smooth part) to the
        subdifferential of the penalty at ``w``: all zero exactly at a minimizer (KKT)."""

    @abstractmethod
    def zero_threshold(self, grad0: np.ndarray) -> float | None:
        """Smallest multiplier ``c`` such that ``c * penalty`` makes ``w = 0`` optimal, given the
        datafit gradient at ``w = 0``; None if no finite multiplier does."""

    @abstractmethod
    def log_normalizer(self) -> float:
        """``log int exp(-value(w)) dw`` (so ``-log prior(w) = value(w) + log_normalizer()``)."""

    @abstractmethod
    def scaled(self, c: float) -> Penalty:
        """The penalty ``c * value``."""

    def check_finite(self, prior: Any) -> None:
        """Raise a :class:`~bayesreg.DataError` naming ``prior`` when the penalty's parameters
        do not fit in double precision (default: nothing to check)."""
        return None

    def in_units(self, units: np.ndarray) -> Penalty | None:
        """The same penalty on ``u = units * w`` (per coefficient): ``value'(u) =
        value(u / units)``. Solvers use it to work on columns ``X / units`` of unit size
        (exact when ``units`` are powers of two). None (the default): not available, the
        solver then works in the original units."""
        return None


class ElasticNetPenalty(Penalty):
    """``value(w) = sum_j l1_j |w_j| + l2_j / 2 * w_j**2`` with ``l1_j, l2_j >= 0``, not both 0.

    Parameters
    ----------
    l1, l2 : ndarray of shape (n_coef,)
        Per-coefficient L1 and L2 weights (Laplace rate ``1 / b``; Normal precision
        ``1 / tau^2``).

    Notes
    -----
    Normalizer per coefficient: ``log(2 / l1)`` (pure L1), ``log(2 pi / l2) / 2`` (pure L2),
    ``log(2 pi / l2) / 2 + log erfcx(l1 / sqrt(2 l2))`` (both; exact, finite for any ratio).
    """

    def __init__(self, l1: np.ndarray, l2: np.ndarray) -> None:
        self.l1 = np.ascontiguousarray(l1, dtype=np.float64)
        self.l2 = np.ascontiguousarray(l2, dtype=np.float64)
        self.n_coef = int(self.l1.shape[0])
        self.has_kinks = bool(np.any(self.l1 > 0))

    @property
    def weights(self) -> tuple[np.ndarray, np.ndarray]:
        """``(l1, l2)``: the arrays the coordinate-descent / Newton kernels take."""
        return self.l1, self.l2

    def value(self, w):
        w = np.asarray(w, dtype=float)
        return float(np.sum(self.l1 * np.abs(w)) + 0.5 * np.sum(self.l2 * w * w))

    def prox(self, v, step):
        v = np.asarray(v, dtype=float)
        return np.sign(v) * np.maximum(np.abs(v) - step * self.l1, 0.0) / (1.0 + step * self.l2)

    def subdiff_distance(self, w, grad):
        w = np.asarray(w, dtype=float)
        g = np.asarray(grad, dtype=float) + self.l2 * w
        return np.where(w != 0, np.abs(g + self.l1 * np.sign(w)),
                        np.maximum(np.abs(g) - self.l1, 0.0))

    def zero_threshold(self, grad0):
        if not self.has_kinks:
            return None
        with np.errstate(divide="ignore"):
            ratio = np.where(self.l1 > 0, np.abs(grad0) / np.where(self.l1 > 0, self.l1, 1.0),
                             np.where(np.abs(grad0) > 0, np.inf, 0.0))
        return float(np.max(ratio))

    def log_z(self) -> np.ndarray:
        """Per-coefficient ``log int exp(-l1 |w| - l2 w^2 / 2) dw``."""
        l1, l2 = self.l1, self.l2
        if not l2.any():  # pure L1 (Laplace): the common case of every lasso path point
            return np.log(2.0 / l1)
        out = np.empty(self.n_coef)
        only1 = l2 == 0
        out[only1] = np.log(2.0 / l1[only1])
        q = ~only1
        out[q] = 0.5 * np.log(2 * np.pi / l2[q]) + np.log(erfcx(l1[q] / np.sqrt(2 * l2[q])))
        return out

    def log_normalizer(self):
        return float(np.sum(self.log_z()))

    def scaled(self, c):
        return ElasticNetPenalty(self.l1 * c, self.l2 * c)

    def check_finite(self, prior):
        from ._errors import DataError

        advice = ("Rescale the data (e.g. standardize the columns of X and y) and the prior "
                  "scale with them.")
        if not math.isfinite(float(self.l1.sum() + self.l2.sum())) and not (
                np.isfinite(self.l1).all() and np.isfinite(self.l2).all()):
            raise DataError(f"{prior!r}: its penalty weights (1/scale for L1, 1/scale^2 for L2) "
                            "overflow double precision: the prior scale is too small for its "
                            f"units. {advice}")
        if not (self.l1 + self.l2).all():  # weights are >= 0: a zero sum is both zero
            raise DataError(f"{prior!r}: its penalty weights (1/scale for L1, 1/scale^2 for L2) "
                            "underflow to 0 in double precision (a flat prior, without a mode): "
                            f"the prior scale is too large for its units. {advice}")

    def in_units(self, units):
        units = np.asarray(units, dtype=float)
        with np.errstate(over="ignore", under="ignore"):
            return ElasticNetPenalty(self.l1 / units, self.l2 / units / units)

    def __repr__(self) -> str:
        return f"ElasticNetPenalty(n_coef={self.n_coef}, has_kinks={self.has_kinks})"


def check_faces(penalty: Any, faces: tuple[str, ...], solver: str) -> None:
    """Raise NotSupportedError naming the faces ``solver`` needs that ``penalty`` lacks."""
    missing = [f for f in faces if not hasattr(penalty, f)]
    if missing:
        raise NotSupportedError(
            f"{solver} needs a penalty with {', '.join(missing)}; {type(penalty).__name__} has "
            "none. Use model.sample(...) for this prior's posterior.")


def has_mode(prior: Any, n_coef: int | None = None) -> bool:
    """True when the prior has a penalty face, i.e. the MAP is a penalized estimate. ``n_coef``:
    the number of coefficients, for priors whose penalty is defined for one length only
    (GroupLaplace's column labels); default 1."""
    return prior.as_penalty(1 if n_coef is None else int(n_coef)) is not None


def require_penalty(prior: Any, n_coef: int) -> Penalty:
    """The penalty face of ``prior`` for ``n_coef`` coefficients, or the one clear error every
    MAP entry point (map, map_path, crosscheck, the CLI) raises for a prior without a finite
    mode: :meth:`Prior.mode_unavailable` says why."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        pen = prior.as_penalty(n_coef)
    if pen is None:
        raise NotSupportedError(prior.mode_unavailable())
    pen.check_finite(prior)
    return pen


def _group_csr(labels: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """``(ptr, idx)``: the columns of group ``g`` are ``idx[ptr[g]:ptr[g + 1]]`` (ascending)."""
    order = np.argsort(labels, kind="stable")
    order = order[labels[order] >= 0]
    counts = np.bincount(labels[labels >= 0], minlength=n_groups)
    ptr = np.zeros(n_groups + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    return ptr, np.ascontiguousarray(order, dtype=np.int64)


@njit(cache=True, nogil=True)
def sgl_threshold(v: np.ndarray, a: np.ndarray, lam: float) -> float:
    """Smallest ``c >= 0`` with ``||S_{c a}(v)||_2 <= c lam`` (``S_t``: soft-thresholding by
    ``t_j``): the multiplier of the sparse-group term ``lam ||w||_2 + sum_j a_j |w_j|`` at
    which ``-v`` is in its subdifferential at ``w = 0`` (the zero condition of a group, and the
    dual scaling of the sparse-group duality gap).

    Parameters
    ----------
    v : ndarray of float64, shape (k,)
        The group's gradient (or ``X_g^T r``).
    a : ndarray of float64, shape (k,)
        L1 weights ``>= 0``.
    lam : float
        Group weight ``>= 0``.

    Returns
    -------
    float
        ``||v|| / lam`` when ``a = 0``; ``max_j |v_j| / a_j`` when ``lam = 0``; ``inf`` when no
        multiplier does (``lam = 0`` and some ``a_j = 0 < |v_j|``). Exact: ``||(|v| / c -
        a)_+||`` decreases in ``c``, and between two consecutive breakpoints ``|v_j| / a_j``
        its root solves a quadratic in ``1 / c``.
    """
    k = v.shape[0]
    A = 0.0
    npos = 0
    for j in range(k):
        if a[j] > 0:
            npos += 1
        else:
            A += v[j] * v[j]
    lam2 = lam * lam
    if A > 0 and lam <= 0:
        return np.inf
    t = np.empty(npos)
    cols = np.empty(npos, dtype=np.int64)
    m = 0
    for j in range(k):
        if a[j] > 0:
            t[m] = abs(v[j]) / a[j]
            cols[m] = j
            m += 1
    if lam <= 0:
        return t.max() if npos else 0.0
    order = np.argsort(-t)
    B = 0.0
    C = 0.0
    for m in range(npos + 1):
        nb = t[order[m]] if m < npos else 0.0
        F = A - 2.0 * B * nb + (C - lam2) * nb * nb  # sign of ||S_{nb a}(v)||^2 - nb^2 lam^2
        if F > 0.0 or m == npos:
            if A <= 0.0:
                return nb
            disc = B * B - A * (C - lam2)
            if disc < 0.0:
                disc = 0.0
            den = B + np.sqrt(disc)
            if den <= 0.0:
                return np.inf
            c = A / den
            return c if c > nb else nb
        j = cols[order[m]]
        A += v[j] * v[j]
        B += abs(v[j]) * a[j]
        C += a[j] * a[j]
    return 0.0


@njit(cache=True, nogil=True)
def sgl_group_thresholds(v: np.ndarray, ptr: np.ndarray, idx: np.ndarray, lam: np.ndarray,
                         l1: np.ndarray) -> np.ndarray:
    """:func:`sgl_threshold` of every group: ``out[g]`` for ``v[idx[ptr[g]:ptr[g+1]]]``, with
    ``l1[idx[ptr[g]:ptr[g+1]]]`` and ``lam[g]`` (float64 / int64 arrays)."""
    G = ptr.shape[0] - 1
    out = np.empty(G)
    for g in range(G):
        cols = idx[ptr[g]:ptr[g + 1]]
        out[g] = sgl_threshold(v[cols], l1[cols], lam[g])
    return out


def sgl_log_z(k: int, c: float, a: float, h: float = 0.1) -> float:
    """``log int_{R^k} exp(-a ||w||_1 - c ||w||_2) dw``: the log normalizer of one group of the
    sparse group lasso prior, exact to rounding.

    Parameters
    ----------
    k : int
        Group size.
    c, a : float
        Group and L1 weights, ``>= 0`` and not both 0.
    h : float
        Step of the trapezoidal rule (see below).

    Notes
    -----
    ``c = 0``: ``k log(2 / a)``; ``a = 0``: the multivariate Laplace normalizer ``Z_c = 2
    pi^(k/2) Gamma(k) / (Gamma(k/2) c^k)``. Both: the scale mixture ``exp(-c ||w||) = Z_c int
    N(w; 0, v I) Gamma(v; (k + 1) / 2, rate c^2 / 2) dv`` and ``int N(x; 0, v) e^{-a |x|} dx = 2
    e^{a^2 v / 2} Phi(-a sqrt(v)) = erfcx(a sqrt(v / 2))`` give ``Z = Z_c E[erfcx(a sqrt(v /
    2))^k]``; with ``v = 2 u / c^2``, ``u ~ Gamma((k + 1) / 2, 1)`` and ``u = e^t`` it is the
    1-D integral ``int exp(q t - e^t + k log erfcx(a e^{t/2} / c)) dt / Gamma(q)``, ``q = (k +
    1) / 2``, of an entire function decaying doubly exponentially to the right and
    exponentially to the left, summed in log space by the trapezoidal rule (step ``h``; its
    error is ~``exp(-pi^2 / h)``)."""
    if c <= 0:
        return k * math.log(2.0 / a)
    log_zc = (math.log(2.0) + 0.5 * k * math.log(math.pi) + float(gammaln(k))
              - float(gammaln(0.5 * k)) - k * math.log(c))
    if a <= 0:
        return log_zc
    q = 0.5 * (k + 1)
    r = a / c
    # left tail: exp(q t) below t ~ -2 log r, at least exp(t / 2) above it
    lo = max(-60.0 / q - 2.0 * math.log(max(r, 1.0)), -200.0)
    hi = math.log(q + 60.0) + 2.0
    t = np.arange(lo, hi + h, h)
    f = q * t - np.exp(t) + k * np.log(erfcx(r * np.exp(0.5 * t)))
    fmax = float(f.max())
    return log_zc + fmax + math.log(h * float(np.exp(f - fmax).sum())) - float(gammaln(q))


class GroupLassoPenalty(Penalty):
    """``value(w) = sum_g lam_g ||w_g||_2 + sum_j l1_j |w_j|`` over disjoint groups of
    coefficients: the group lasso (``l1 = 0``) or the sparse group lasso. Not separable
    (``separable = False``).

    Parameters
    ----------
    labels : ndarray of int, shape (n_coef,)
        The group of every coefficient, ``0 .. n_groups - 1``; ``-1``: unpenalized (a flat
        prior, like the intercept's).
    lam : ndarray of float, shape (n_groups,)
        Per-group weights ``lam_g >= 0`` (GroupLaplace: ``group_weights_g / scale``, default
        ``sqrt(p_g) / scale``); ``lam_g = 0`` only for a group with an L1 part.
    l1 : ndarray of float, shape (n_coef,), optional
        Per-coefficient L1 weights ``>= 0`` (0 on unpenalized coefficients; GroupLaplace:
        ``1 / l1_scale``). Default: none (the group lasso).

    Notes
    -----
    The ``group_structure`` face ``(ptr, idx, lam)`` is what the group solvers
    (:mod:`bayesreg.map.group`) take, with ``l1``: the columns of group ``g`` are
    ``idx[ptr[g]:ptr[g+1]]``. Proximal operator: soft-thresholding by ``step l1_j`` then block
    soft-thresholding ``v_g max(0, 1 - step lam_g / ||v_g||)`` (the prox of a sum of an L1 and
    a group norm is their composition). Normalizer per group of size ``k`` without L1:
    ``int_{R^k} exp(-lam ||w||) dw = 2 pi^(k/2) Gamma(k) / (Gamma(k/2) lam^k)`` (polar
    coordinates: the sphere's area ``2 pi^(k/2) / Gamma(k/2)`` times ``int_0^inf r^(k-1)
    e^(-lam r) dr = Gamma(k) / lam^k``); with L1: :func:`sgl_log_z`; unpenalized coefficients
    add 0. ``subdiff_distance`` gives, on every coordinate of a group, the Euclidean distance
    of the group's ``-grad_g`` to the subdifferential of its term.
    """

    def __init__(self, labels: np.ndarray, lam: np.ndarray, l1: np.ndarray | None = None) -> None:
        self.labels = np.ascontiguousarray(labels, dtype=np.int64)
        self.lam = np.ascontiguousarray(lam, dtype=np.float64)
        self.n_coef = int(self.labels.shape[0])
        self.n_groups = int(self.lam.shape[0])
        self.ptr, self.idx = _group_csr(self.labels, self.n_groups)
        self.sizes = np.diff(self.ptr)
        self.unpenalized = np.flatnonzero(self.labels < 0).astype(np.int64)
        self.l1 = (np.zeros(self.n_coef) if l1 is None
                   else np.ascontiguousarray(l1, dtype=np.float64))
        self.has_l1 = bool(np.any(self.l1 > 0))
        self.has_kinks = bool(np.any(self.lam > 0) or self.has_l1)
        self.separable = False

    @property
    def group_structure(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(ptr, idx, lam)``: the arrays the group solvers take (and :attr:`l1`)."""
        return self.ptr, self.idx, self.lam

    def group_norms(self, v: np.ndarray) -> np.ndarray:
        """``||v_g||_2`` for every group (shape ``(n_groups,)``)."""
        v = np.asarray(v, dtype=float)
        sq = np.bincount(self.labels[self.labels >= 0], weights=v[self.labels >= 0] ** 2,
                         minlength=self.n_groups)
        return np.sqrt(sq)

    def value(self, w):
        w = np.asarray(w, dtype=float)
        out = float(self.lam @ self.group_norms(w))
        return out + float(self.l1 @ np.abs(w)) if self.has_l1 else out

    def prox(self, v, step):
        v = np.asarray(v, dtype=float)
        step = np.broadcast_to(np.asarray(step, dtype=float), v.shape)
        if self.has_l1:
            v = np.sign(v) * np.maximum(np.abs(v) - step * self.l1, 0.0)
        out = v.copy()
        nv = self.group_norms(v)
        for g in range(self.n_groups):
            cols = self.idx[self.ptr[g]:self.ptr[g + 1]]
            t = float(step[cols[0]]) * self.lam[g]
            out[cols] = 0.0 if nv[g] <= t else v[cols] * (1.0 - t / nv[g])
        return out

    def group_distance(self, w, grad) -> np.ndarray:
        """Per group, the distance of ``-grad_g`` to the subdifferential of ``lam_g ||w_g|| +
        sum_j l1_j |w_j|`` at ``w_g``: at ``w_g = 0``, ``max(||S_l1(grad_g)|| - lam_g, 0)``;
        else the norm of ``grad_j + lam_g w_j / ||w_g|| + l1_j sign(w_j)`` (``w_j != 0``) and
        ``max(|grad_j| - l1_j, 0)`` (``w_j = 0``)."""
        w = np.asarray(w, dtype=float)
        grad = np.asarray(grad, dtype=float)
        nw = self.group_norms(w)
        out = np.empty(self.n_groups)
        for g in range(self.n_groups):
            cols = self.idx[self.ptr[g]:self.ptr[g + 1]]
            gg, a = grad[cols], self.l1[cols]
            if nw[g] > 0:
                wg = w[cols]
                res = np.where(wg != 0, gg + self.lam[g] * wg / nw[g] + a * np.sign(wg),
                               np.maximum(np.abs(gg) - a, 0.0))
                out[g] = float(np.linalg.norm(res))
            else:
                st = np.maximum(np.abs(gg) - a, 0.0)
                out[g] = max(float(np.linalg.norm(st)) - self.lam[g], 0.0)
        return out

    def subdiff_distance(self, w, grad):
        grad = np.asarray(grad, dtype=float)
        out = np.abs(grad) * (self.labels < 0)  # unpenalized: the gradient itself
        pen = self.labels >= 0
        out[pen] = self.group_distance(w, grad)[self.labels[pen]]
        return out

    def group_thresholds(self, grad0: np.ndarray) -> np.ndarray:
        """Per group, the smallest ``c`` at which ``w_g = 0`` is optimal for ``c`` times the
        group's term given the gradient ``grad0`` (:func:`sgl_threshold`; ``||grad0_g|| /
        lam_g`` without L1)."""
        g0 = np.ascontiguousarray(grad0, dtype=np.float64)
        if not self.has_l1:
            gn = self.group_norms(g0)
            with np.errstate(divide="ignore", invalid="ignore"):
                return np.where(self.lam > 0, gn / np.where(self.lam > 0, self.lam, 1.0),
                                np.where(gn > 0, np.inf, 0.0))
        return sgl_group_thresholds(g0, self.ptr, self.idx, self.lam, self.l1)

    def zero_threshold(self, grad0):
        """``max_g`` of :meth:`group_thresholds` over the penalized groups (``max_g ||grad0_g||
        / lam_g`` without L1; unpenalized coefficients are not part of the threshold: pass the
        gradient with them at their optimum)."""
        if not self.has_kinks:
            return None
        return float(np.max(self.group_thresholds(grad0), initial=0.0))

    def log_z(self) -> np.ndarray:
        """Per group, ``log int_{R^k} exp(-lam_g ||w|| - sum_j l1_j |w_j|) dw`` (see the class
        notes; with L1 the group's ``l1_j`` must be equal)."""
        k = self.sizes.astype(float)
        if not self.has_l1:
            return (math.log(2.0) + 0.5 * k * math.log(math.pi) + gammaln(k) - gammaln(0.5 * k)
                    - k * np.log(self.lam))
        out = np.empty(self.n_groups)
        memo: dict = {}
        for g in range(self.n_groups):
            a = self.l1[self.idx[self.ptr[g]:self.ptr[g + 1]]]
            if np.any(a != a[0]):
                raise NotSupportedError("GroupLassoPenalty.log_z: the normalizer of a group "
                                        "whose L1 weights differ is not implemented.")
            key = (int(self.sizes[g]), float(self.lam[g]), float(a[0]))
            if key not in memo:
                memo[key] = sgl_log_z(*key)
            out[g] = memo[key]
        return out

    def log_normalizer(self):
        return float(np.sum(self.log_z()))

    def scaled(self, c):
        return GroupLassoPenalty(self.labels, self.lam * c, self.l1 * c if self.has_l1 else None)

    def in_units(self, units):
        """Available when ``units`` is constant within every group (then ``lam_g / unit_g``,
        ``l1_j / unit_j``)."""
        units = np.asarray(units, dtype=float)
        unit_g = np.ones(self.n_groups)
        for g in range(self.n_groups):
            u = units[self.idx[self.ptr[g]:self.ptr[g + 1]]]
            if np.any(u != u[0]):
                return None
            unit_g[g] = u[0]
        with np.errstate(over="ignore", under="ignore"):
            return GroupLassoPenalty(self.labels, self.lam / unit_g,
                                     self.l1 / units if self.has_l1 else None)

    def check_finite(self, prior):
        from ._errors import DataError

        advice = ("Rescale the data (e.g. standardize the columns of X and y) and the prior "
                  "scale with them.")
        if not (np.isfinite(self.lam).all() and np.isfinite(self.l1).all()):
            raise DataError(f"{prior!r}: its group weights w_g / scale (or 1 / l1_scale) "
                            "overflow double precision: the prior scale is too small for its "
                            f"units. {advice}")
        pen = self.labels >= 0
        alive = np.zeros(self.n_coef, dtype=bool)
        alive[pen] = self.lam[self.labels[pen]] > 0
        if not np.all((alive | (self.l1 > 0))[pen]):
            raise DataError(f"{prior!r}: its group weights w_g / scale underflow to 0 "
                            "(a flat prior, without a mode): the prior scale is too large for "
                            f"its units. {advice}")

    def __repr__(self) -> str:
        l1 = ", l1" if self.has_l1 else ""
        return f"GroupLassoPenalty(n_coef={self.n_coef}, n_groups={self.n_groups}{l1})"
