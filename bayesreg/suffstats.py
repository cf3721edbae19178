"""Sufficient statistics of a weighted Gaussian linear model: one object for every backend.

For rows ``(x_i, y_i)`` with weights ``h_i >= 0``, ``S = sum_i h_i``, weighted means
``xbar = X^T h / S``, ``ybar = y^T h / S``, centered ``X~ = X - xbar``, ``y~ = y - ybar``::

    G  = X~^T H X~        q = X~^T H y~        yy = y~^T H y~

and, because ``X~^T H 1 = 0`` and ``y~^T H 1 = 0``, for any ``(b, w)``::

    sum_i h_i (y_i - b - x_i w)^2 = yy - 2 q.w + w.G.w + S (b - ybar + xbar.w)^2      (rss)

Centering first keeps the expansion free of catastrophic cancellation. Chunks are merged by
the pairwise update of Chan, Golub & LeVeque (1979), as accurate as centering all rows at once,
which is how the Dask backend reduces distributed rows. Without an intercept the statistics
are taken about zero (:meth:`SuffStats.about`).

Used by the Gaussian MAP on statistics (:func:`bayesreg.map.design_from_stats`), the Gibbs
sampler, the PyMC sufficient-statistics likelihood and the Dask reductions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

__all__ = ["SuffStats"]


@dataclass
class SuffStats:
    """Weighted sufficient statistics (see the module docstring).

    Attributes
    ----------
    S : float
        ``sum_i h_i``.
    xbar : ndarray (p,)
        Weighted column means (zeros when taken about zero).
    ybar : float
    G : ndarray (p, p) or None
        ``X~^T H X~`` (None when only ``q`` and ``yy`` were formed: wide Gibbs draws).
    q : ndarray (p,)
    yy : float
    n : int
        Number of rows.
    fit_intercept : bool
        True: centered at the weighted means; False: about zero.
    """

    S: float
    xbar: np.ndarray
    ybar: float
    G: np.ndarray | None
    q: np.ndarray
    yy: float
    n: int
    fit_intercept: bool = True

    # ----------------------------------------------------------------- build
    @classmethod
    def from_rows(cls, X, y: np.ndarray, h: np.ndarray, fit_intercept: bool = True,
                  gram: bool = True) -> SuffStats:
        """Statistics of validated rows (X dense or scipy.sparse, never densified).

        ``gram=False`` skips ``G`` (O(n p) instead of O(n p^2))."""
        n, p = X.shape
        h = np.asarray(h, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        S = float(h.sum())
        if S <= 0:
            return cls(0.0, np.zeros(p), 0.0, np.zeros((p, p)) if gram else None, np.zeros(p),
                       0.0, int(n), True).about(fit_intercept)
        ybar = float(h @ y) / S
        yc = y - ybar
        if sp.issparse(X):
            Xs = sp.csc_matrix(X)
            XtH = Xs.T.multiply(h[None, :]).tocsr()
            xbar = np.asarray(XtH.sum(axis=1)).ravel() / S
            G = np.asarray((XtH @ Xs).todense()) - S * np.outer(xbar, xbar) if gram else None
            q = np.asarray(XtH @ yc).ravel()  # sum_i h_i yc_i = 0 kills the xbar term
        else:
            X = np.asarray(X, dtype=np.float64)
            xbar = (h @ X) / S
            Xc = X - xbar
            Xh = Xc * h[:, None]
            G = Xh.T @ Xc if gram else None
            q = Xh.T @ yc
        if G is not None:
            G = np.ascontiguousarray(0.5 * (G + G.T))
        out = cls(S=S, xbar=np.asarray(xbar, dtype=float), ybar=ybar, G=G,
                  q=np.asarray(q, dtype=float), yy=float(h @ (yc * yc)), n=int(n),
                  fit_intercept=True)
        return out.about(fit_intercept)

    def merge(self, other: SuffStats) -> SuffStats:
        """Statistics of the union of both row sets (Chan et al.'s update; both centered)."""
        a, b = self.about(True), other.about(True)
        if a.S == 0:
            return replace(b, n=a.n + b.n)
        if b.S == 0:
            return replace(a, n=a.n + b.n)
        S = a.S + b.S
        dx = b.xbar - a.xbar
        dz = b.ybar - a.ybar
        f = a.S * b.S / S
        G = None if a.G is None or b.G is None else a.G + b.G + f * np.outer(dx, dx)
        return SuffStats(S=S, xbar=a.xbar + dx * (b.S / S), ybar=a.ybar + dz * (b.S / S), G=G,
                         q=a.q + b.q + f * dx * dz, yy=a.yy + b.yy + f * dz * dz, n=a.n + b.n,
                         fit_intercept=True)

    def about(self, fit_intercept: bool) -> SuffStats:
        """Centered at the weighted means (True) or taken about zero (False)."""
        if fit_intercept == self.fit_intercept:
            return self
        if fit_intercept:
            raise ValueError("statistics taken about zero cannot be re-centered")
        S, xm, zm = self.S, self.xbar, self.ybar
        G = None if self.G is None else self.G + S * np.outer(xm, xm)
        return SuffStats(S=S, xbar=np.zeros_like(xm), ybar=0.0, G=G, q=self.q + S * xm * zm,
                         yy=float(self.yy + S * zm * zm), n=self.n, fit_intercept=False)

    # ----------------------------------------------------------------- use
    @property
    def p(self) -> int:
        return int(self.xbar.shape[0])

    @property
    def y_sd(self) -> float:
        """``sqrt(yy / S)``: the weighted population sd of y when centered (its root mean
        square when taken about zero)."""
        if not self.S > 0:
            return 0.0
        return float(np.sqrt(max(self.yy, 0.0) / self.S))

    def intercept(self, w: np.ndarray) -> float:
        """The optimal intercept for coefficients ``w``: ``ybar - xbar.w`` (0 about zero)."""
        return float(self.ybar - self.xbar @ w) if self.fit_intercept else 0.0

    def rss(self, w: np.ndarray, b: float) -> float:
        """``sum_i h_i (y_i - b - x_i w)^2`` (exact identity of the module docstring)."""
        d0 = b - self.ybar + float(self.xbar @ w)
        return float(self.yy - 2.0 * (self.q @ w) + w @ (self.G @ w) + self.S * d0 * d0)
