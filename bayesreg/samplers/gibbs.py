"""Exact Gibbs sampler for Gaussian regression with Normal, Laplace or elastic-net priors.

The model (identical to :class:`bayesreg.Model` with a :class:`~bayesreg.Gaussian` likelihood)::

    y_i | b0, w, sigma  ~  N(b0 + x_i w, sigma^2)       (log-likelihood of row i times sw_i)
    w_j                 ~  p(w_j) ∝ exp(-a_j |w_j| - c_j w_j^2 / 2)
    b0                  ~  flat
    sigma               ~  HalfNormal(s)   (when estimated; s = Gaussian.resolve_sigma_prior_scale)

with ``(a_j, c_j) = prior.penalty_weights(p)``: Normal(tau) is ``a = 0, c = 1/tau^2``,
Laplace(b) is ``a = 1/b, c = 0``, ElasticNetPrior(b, tau) is ``a = 1/b, c = 1/tau^2``.

Full conditionals (Park & Casella 2008, with the prior scales fixed and *not* multiplied by
sigma, exactly as in the MAP/PyMC model):

* **Latent scales.** The Laplace kernel is a scale mixture of normals,
  ``exp(-a|w|) a/2 = ∫ N(w; 0, v) Exp(v; rate a^2/2) dv``; augmenting every coefficient with an
  ``a_j > 0`` by ``v_j`` gives ``1/v_j | w_j ~ InverseGaussian(mean = a_j / |w_j|,
  shape = a_j^2)``. For the elastic net the extra Gaussian factor only adds ``c_j`` to the
  conditional prior precision of ``w_j`` (``1/v_j + c_j``); the ``v_j`` conditional is unchanged.
* **Coefficients and intercept, jointly.** With ``D = diag(c_j + 1/v_j)`` and the weighted,
  centered sufficient statistics ``G = X~^T W X~``, ``q = X~^T W y~`` (X~, y~ centered at the
  weighted means xbar, ybar), the intercept integrates out under its flat prior and
  ``w | sigma, v ~ N(A^-1 q / sigma^2, A^-1)``, ``A = G / sigma^2 + D`` (one Cholesky of a p x p
  matrix per draw: the cost per draw does not depend on n; for dense X with p > n the same
  Gaussian is drawn in O(n^2 p) from the centered rows instead, by the algorithm of Bhattacharya,
  Chakraborty & Mallick 2016, with one n x n Cholesky per draw, as R's bayesreg does); then
  ``b0 | w, sigma ~ N(ybar - xbar w, sigma^2 / sum(sw))``. Drawing (w, b0) this way is an exact
  draw from their joint conditional.
* **Noise.** With ``RSS = sum_i sw_i (y_i - b0 - x_i w)^2`` (from the statistics) and
  ``S = sum(sw)``, ``u = sigma^2`` has conditional density
  ``∝ u^(-(S+1)/2) exp(-RSS / (2u)) exp(-u / (2 s^2))`` - an inverse-gamma
  ``IG((S-1)/2, RSS/2)`` kernel times the HalfNormal factor ``exp(-u / (2 s^2)) <= 1`` (a
  generalized inverse Gaussian, not an inverse gamma). It is drawn *exactly* by rejection
  sampling: propose ``u ~ IG((S-1)/2, RSS/2)``, accept with probability ``exp(-u / (2 s^2))``
  (acceptance ≈ ``exp(-sigma^2 / (2 s^2))``, typically > 0.5 because the default s is sd(y)).
  If 200 proposals in a row are rejected (a prior scale s far below the residual sd), the step
  falls back to one stepping-out slice-sampling update (Neal 2003) of ``log sigma``, whose
  conditional log density ``-(S-1) t - RSS e^(-2t) / 2 - e^(2t) / (2 s^2)`` is concave. The
  fallback probability does not depend on the current sigma, so the mixture of the two kernels
  still leaves the conditional invariant.

**Bayesian lasso** (:class:`~bayesreg.priors.BayesianLasso`, Park & Casella's own model): with
``relative_to_sigma`` the Laplace scale is ``sigma / lambda``, i.e. ``w_j | sigma, v_j ~
N(0, sigma^2 v_j)``, so ``1/v_j ~ InverseGaussian(lambda sigma / |w_j|, lambda^2)``, the
coefficient precision is ``G / sigma^2 + diag(1 / (sigma^2 v_j))``, and the sigma^2 kernel becomes
``IG((S + p - 1)/2, (RSS + sum_j w_j^2 / v_j) / 2)`` times the same HalfNormal factor. With the
hyperprior ``lambda^2 ~ Gamma(r, rate delta)``, ``lambda^2 | v ~ Gamma(r + p, delta + sum_j v_j / 2)``
(reported as ``lam2``).

The whole chain runs inside one numba function (a few microseconds per draw for p = 20).
Chains are independent: their generators come from ``np.random.SeedSequence(random_seed).spawn``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numba import njit

from .._errors import BayesregTypeError, NotSupportedError, ParameterError
from .._validation import check_X_y

__all__ = ["SuffStats", "gaussian_suffstats", "sample_gibbs", "sample_gibbs_from_stats"]

_LOG_2PI = float(np.log(2.0 * np.pi))
_MAX_REJECT = 200


# --------------------------------------------------------------------------- statistics
@dataclass
class SuffStats:
    """Weighted sufficient statistics of a Gaussian linear model.

    With ``fit_intercept`` the statistics are centered at the weighted means
    (``X~ = X - xbar``, ``y~ = y - ybar``); without, ``xbar = 0`` and ``ybar = 0``.

    Attributes
    ----------
    S : float
        ``sum_i sw_i``.
    xbar : ndarray (p,)
    ybar : float
    G : ndarray (p, p)
        ``X~^T W X~``.
    q : ndarray (p,)
        ``X~^T W y~``.
    yy : float
        ``y~^T W y~``.
    n : int
        Number of rows.
    fit_intercept : bool
    """

    S: float
    xbar: np.ndarray
    ybar: float
    G: np.ndarray
    q: np.ndarray
    yy: float
    n: int
    fit_intercept: bool

    @property
    def y_sd(self) -> float:
        """Weighted population sd of y (``sqrt(yy / S)`` when centered)."""
        return float(np.sqrt(max(self.yy, 0.0) / self.S))


def gaussian_suffstats(X, y: np.ndarray, sw: np.ndarray, fit_intercept: bool = True) -> SuffStats:
    """Sufficient statistics of validated ``(X, y, sw)`` (X dense ndarray or scipy.sparse)."""
    n, p = X.shape
    S = float(sw.sum())
    if sp.issparse(X):
        Xs = sp.csc_matrix(X)
        XtW = Xs.T.multiply(sw[None, :]).tocsr()
        xbar = np.asarray(XtW.sum(axis=1)).ravel() / S if fit_intercept else np.zeros(p)
        ybar = float(sw @ y / S) if fit_intercept else 0.0
        G = np.asarray((XtW @ Xs).todense()) - S * np.outer(xbar, xbar)
        q = np.asarray(XtW @ y).ravel() - S * xbar * ybar
        yc = y - ybar
        yy = float(sw @ (yc * yc))
    else:
        xbar = (sw @ X) / S if fit_intercept else np.zeros(p)
        ybar = float(sw @ y / S) if fit_intercept else 0.0
        v = np.sqrt(sw)
        Xt = (X - xbar) * v[:, None]
        yt = (y - ybar) * v
        G = Xt.T @ Xt
        q = Xt.T @ yt
        yy = float(yt @ yt)
    G = 0.5 * (G + G.T)
    return SuffStats(S=S, xbar=np.asarray(xbar, dtype=float), ybar=ybar,
                     G=np.ascontiguousarray(G, dtype=float), q=np.asarray(q, dtype=float),
                     yy=yy, n=int(n), fit_intercept=bool(fit_intercept))


def _wide_stats(X, y, sw, fit_intercept):
    """:class:`SuffStats` without the p x p Gram matrix (``G=None``) and the centered,
    sqrt-weighted rows ``(X~, y~, vn)`` the p > n coefficient draw works from (``vn``: unit
    null vector of the centered rows, zeros without an intercept)."""
    n, p = X.shape
    S = float(sw.sum())
    xbar = (sw @ X) / S if fit_intercept else np.zeros(p)
    ybar = float(sw @ y / S) if fit_intercept else 0.0
    v = np.sqrt(sw)
    Xt = (X - xbar) * v[:, None]
    yt = (y - ybar) * v
    stats = SuffStats(S=S, xbar=np.asarray(xbar, dtype=float), ybar=ybar, G=None,
                      q=Xt.T @ yt, yy=float(yt @ yt), n=int(n), fit_intercept=bool(fit_intercept))
    vn = v / np.linalg.norm(v) if fit_intercept else np.zeros(n)
    return stats, (Xt, yt, vn)


# --------------------------------------------------------------------------- numba kernel
@njit(cache=True, nogil=True)
def _inv_gauss(mean, shape, rng):
    """InverseGaussian(mean, shape) draw (Michael, Schucany & Haas 1976), written without the
    cancellation of the textbook form so that mean -> inf tends to the Levy limit shape / z^2."""
    z = rng.standard_normal()
    z2 = z * z
    if not np.isfinite(mean):
        return shape / z2
    yv = mean * z2
    root = np.sqrt(yv * yv + 4.0 * shape * yv)
    x = mean * 4.0 * shape * yv / ((yv + root) * (yv + root)) if yv > 0 else mean
    if rng.random() * (mean + x) <= mean:
        return x
    return mean * mean / x


@njit(cache=True, nogil=True)
def _logf_logsigma(t, Sm1, rss, inv2s2):
    return -Sm1 * t - 0.5 * rss * np.exp(-2.0 * t) - inv2s2 * np.exp(2.0 * t)


@njit(cache=True, nogil=True)
def _slice_logsigma(t0, Sm1, rss, inv2s2, rng):
    """One stepping-out + shrinkage slice-sampling update of t = log sigma (Neal 2003)."""
    width = 1.0
    logy = _logf_logsigma(t0, Sm1, rss, inv2s2) - rng.standard_exponential()
    left = t0 - width * rng.random()
    right = left + width
    k = 0
    while _logf_logsigma(left, Sm1, rss, inv2s2) > logy and k < 100:
        left -= width
        k += 1
    k = 0
    while _logf_logsigma(right, Sm1, rss, inv2s2) > logy and k < 100:
        right += width
        k += 1
    for _ in range(1000):
        t1 = left + (right - left) * rng.random()
        if _logf_logsigma(t1, Sm1, rss, inv2s2) > logy:
            return t1
        if t1 < t0:
            left = t1
        else:
            right = t1
    return t0


@njit(cache=True, nogil=True)
def _cholesky(A, L):
    """Lower Cholesky factor of the symmetric positive definite ``A`` into ``L`` (in place)."""
    p = A.shape[0]
    for j in range(p):
        s = A[j, j]
        for k in range(j):
            s -= L[j, k] * L[j, k]
        if s <= 0.0:
            raise np.linalg.LinAlgError("matrix is not positive definite")
        d = np.sqrt(s)
        L[j, j] = d
        for i in range(j + 1, p):
            t = A[i, j]
            for k in range(j):
                t -= L[i, k] * L[j, k]
            L[i, j] = t / d
    return L


@njit(cache=True, nogil=True)
def _draw_coef_wide(Xt, yt, iv, dprec, w, rng, Xs, M, L, u, z, vn):
    """Exact draw of ``w ~ N(A^-1 X~'y~ iv, A^-1)``, ``A = X~'X~ iv + diag(dprec)``, in
    O(n^2 p) for p > n (Bhattacharya, Chakraborty & Mallick 2016, "Fast sampling with Gaussian
    scale mixture priors in high-dimensional regression"): with ``Phi = X~ / sigma`` and the
    prior covariance ``Delta = diag(1 / dprec)``, draw ``u ~ N(0, Delta)``, ``delta ~ N(0, I_n)``,
    solve ``(Phi Delta Phi' + I_n) z = y~ / sigma - (Phi u + delta)`` and return
    ``u + Delta Phi' z``. One n x n Cholesky per draw instead of a p x p one.

    ``vn``: the unit null vector ``sqrt(sw) / ||sqrt(sw)||`` of the centered rows (``X~' vn = 0``;
    zeros without an intercept). Along it the matrix has eigenvalue exactly 1, which the rounding
    of ``iv X~ X~'`` swamps when sigma is tiny; adding ``trace * vn vn'`` keeps the factorization
    positive definite and changes no draw (z's component along vn never reaches w)."""
    n, p = Xt.shape
    s = np.sqrt(iv)
    for j in range(p):
        u[j] = rng.standard_normal() / np.sqrt(dprec[j])
    for i in range(n):
        for j in range(p):
            Xs[i, j] = Xt[i, j] / np.sqrt(dprec[j])
    M[:, :] = np.dot(Xs, Xs.T)
    for i in range(n):
        for k in range(n):
            M[i, k] *= iv
        M[i, i] += 1.0
    kap = 0.0
    for i in range(n):
        kap += M[i, i]
    for i in range(n):
        for k in range(n):
            M[i, k] += kap * vn[i] * vn[k]
    _cholesky(M, L)
    for i in range(n):  # right-hand side, then forward substitution into z
        xu = 0.0
        for j in range(p):
            xu += Xt[i, j] * u[j]
        acc = (yt[i] - xu) * s - rng.standard_normal()
        for k in range(i):
            acc -= L[i, k] * z[k]
        z[i] = acc / L[i, i]
    for i in range(n - 1, -1, -1):  # backward substitution
        acc = z[i]
        for k in range(i + 1, n):
            acc -= L[k, i] * z[k]
        z[i] = acc / L[i, i]
    for j in range(p):
        w[j] = u[j]
    for i in range(n):
        zi = z[i] * s
        for j in range(p):
            w[j] += Xt[i, j] * zi / dprec[j]


@njit(cache=True, nogil=True)
def _gibbs_chain(G, q, yy, S, xbar, ybar, fit_intercept, a, c, sigma0, estimate_sigma,
                 s_prior, rel, hyper, r_shape, d_rate, tune, draws, rng, w_out, b_out, sig_out,
                 rss_out, lam2_out, wide, Xt, yt, vn):
    """One chain. ``a``: Laplace rates (1 / scale); ``rel``: the Laplace part scales with sigma
    (Bayesian lasso); ``hyper``: a shared rate with lambda^2 ~ Gamma(r_shape, d_rate) (then
    ``a`` is ignored). ``wide``: draw the coefficients from the centered, sqrt-weighted rows
    ``Xt`` (n x p) and ``yt`` by :func:`_draw_coef_wide` (p > n; ``G`` is then unused; ``vn``
    as there)."""
    p = xbar.shape[0]
    w = np.zeros(p)
    inv_v = np.zeros(p)
    lam2 = r_shape / d_rate if hyper else 0.0
    if hyper:
        for j in range(p):
            a[j] = np.sqrt(lam2)
    # start the latent scales at a prior draw: v ~ Exp(rate a^2 / 2)
    for j in range(p):
        if a[j] > 0:
            inv_v[j] = a[j] * a[j] / (2.0 * rng.standard_exponential())
    sigma = sigma0
    b = ybar
    nw = Xt.shape[0] if wide else 0
    A = np.empty((0, 0) if wide else (p, p))
    L = np.zeros((nw, nw) if wide else (p, p))
    v = np.empty(p)
    Xs = np.empty((nw, p) if wide else (0, 0))
    M = np.empty((nw, nw))
    z = np.empty(nw)
    dprec = np.empty(p)
    res = np.empty(nw)
    # sigma^2 | rest has the kernel u^-(alpha+1) exp(-beta/u) exp(-u/(2 s^2)), alpha = Sm1 / 2
    Sm1 = S - 1.0 + (p if rel else 0.0)
    inv2s2 = 0.5 / (s_prior * s_prior) if estimate_sigma else 0.0
    sqrtS = np.sqrt(S)
    n_acc = 0
    n_slice = 0
    for it in range(tune + draws):
        # ---- (w, b0) | sigma, v
        iv = 1.0 / (sigma * sigma)
        pv = iv if rel else 1.0  # latent precision inv_v is relative to sigma^2 when rel
        if wide:
            for j in range(p):
                dprec[j] = c[j] + inv_v[j] * pv
            _draw_coef_wide(Xt, yt, iv, dprec, w, rng, Xs, M, L, v, z, vn)
        else:
            for i in range(p):
                for k in range(p):
                    A[i, k] = G[i, k] * iv
                A[i, i] += c[i] + inv_v[i] * pv
            _cholesky(A, L)  # in-kernel: no LAPACK call / BLAS-thread overhead per draw
            # forward: L v = q * iv, then add N(0, I), then backward: L^T w = v
            for i in range(p):
                acc = q[i] * iv
                for k in range(i):
                    acc -= L[i, k] * v[k]
                v[i] = acc / L[i, i]
            for i in range(p):
                v[i] += rng.standard_normal()
            for i in range(p - 1, -1, -1):
                acc = v[i]
                for k in range(i + 1, p):
                    acc -= L[k, i] * w[k]
                w[i] = acc / L[i, i]
        xw = 0.0
        for j in range(p):
            xw += xbar[j] * w[j]
        if fit_intercept:
            b = ybar - xw + sigma / sqrtS * rng.standard_normal()
        else:
            b = 0.0
        # ---- RSS from the statistics
        wDw = 0.0
        for i in range(p):
            wDw += w[i] * w[i] * inv_v[i]
        d0 = b - ybar + xw
        if wide:  # ||y~ - X~ w||^2 from the rows
            rr = 0.0
            for i in range(nw):
                acc = yt[i]
                for j in range(p):
                    acc -= Xt[i, j] * w[j]
                res[i] = acc
                rr += acc * acc
            rss = rr + S * d0 * d0
        else:
            qw = 0.0
            wGw = 0.0
            for i in range(p):
                qw += q[i] * w[i]
                gi = 0.0
                for k in range(p):
                    gi += G[i, k] * w[k]
                wGw += w[i] * gi
            rss = yy - 2.0 * qw + wGw + S * d0 * d0
        if rss < 1e-300:
            rss = 1e-300
        # ---- sigma | w, b0 (exact: IG proposal + HalfNormal-factor rejection; slice fallback)
        if estimate_sigma:
            beta2 = rss + wDw if rel else rss  # 2 * beta
            done = False
            if Sm1 > 0.0:
                for _ in range(_MAX_REJECT):
                    u = 0.5 * beta2 / rng.gamma(0.5 * Sm1, 1.0)
                    if rng.random() <= np.exp(-u * inv2s2):
                        sigma = np.sqrt(u)
                        done = True
                        n_acc += 1
                        break
            if not done:
                sigma = np.exp(_slice_logsigma(np.log(sigma), Sm1, beta2, inv2s2, rng))
                n_slice += 1
        # ---- v | w (and sigma when rel): 1/v_j ~ InverseGaussian(a_j [sigma] / |w_j|, a_j^2)
        for j in range(p):
            if a[j] > 0:
                aw = abs(w[j])
                num = a[j] * sigma if rel else a[j]
                mean = num / aw if aw > 0 else np.inf
                inv_v[j] = _inv_gauss(mean, a[j] * a[j], rng)
                if inv_v[j] > 1e300:
                    inv_v[j] = 1e300
        # ---- lambda^2 | v ~ Gamma(r + p, rate delta + sum v_j / 2)
        if hyper:
            sv = 0.0
            for j in range(p):
                sv += 1.0 / inv_v[j]
            lam2 = rng.gamma(r_shape + p, 1.0) / (d_rate + 0.5 * sv)
            for j in range(p):
                a[j] = np.sqrt(lam2)
        if it >= tune:
            t = it - tune
            for j in range(p):
                w_out[t, j] = w[j]
            b_out[t] = b
            sig_out[t] = sigma
            rss_out[t] = rss
            lam2_out[t] = lam2
    return n_acc, n_slice


# --------------------------------------------------------------------------- public API
def _check_int(value, name, minimum):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise BayesregTypeError(f"{name} must be an integer >= {minimum}, got {value!r}.")
    if value < minimum:
        raise ParameterError(f"{name} must be >= {minimum}, got {value}.")
    return int(value)


def _seed_sequence(random_seed) -> np.random.SeedSequence:
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


def _check_model(model):
    from ..likelihoods import Gaussian
    from ..model import Model

    if not isinstance(model, Model):
        raise BayesregTypeError(f"model must be a bayesreg.Model, got {type(model).__name__}.")
    if not isinstance(model.likelihood, Gaussian):
        raise NotSupportedError(
            f"sampler='gibbs' needs a Gaussian likelihood, got {type(model.likelihood).__name__}: "
            "use sampler='nutpie' (or 'pymc') for Bernoulli / Poisson models.")
    if _bayesian_lasso(model.prior) is not None:
        return
    if not getattr(model.prior, "has_penalty_form", True) or not callable(
            getattr(model.prior, "penalty_weights", None)):
        raise NotSupportedError(
            f"sampler='gibbs' supports Normal, Laplace, ElasticNetPrior (fixed scales) and "
            f"BayesianLasso priors, got {type(model.prior).__name__}: use sampler='nutpie' for "
            "this prior.")


def _bayesian_lasso(prior):
    """``(rel, hyper, r, delta, scale)`` for a BayesianLasso prior, else None."""
    try:
        from ..priors.bayesian_lasso import BayesianLasso
    except ImportError:  # pragma: no cover - older checkouts
        return None
    if not isinstance(prior, BayesianLasso):
        return None
    hyper = prior.lam2_prior is not None
    r, d = prior.lam2_prior if hyper else (1.0, 1.0)
    return bool(prior.relative_to_sigma), hyper, float(r), float(d), prior.scale


def sample_gibbs(model, X, y, draws: int = 1000, tune: int = 1000, chains: int = 4,
                 random_seed=None, progressbar: bool = True, sample_weight=None, *,
                 log_likelihood: bool = True):
    """Exact Gibbs sampling of a Gaussian model's posterior (Park & Casella 2008).

    Samples ``p(w, b0[, sigma] | y) ∝ prod_i N(y_i; b0 + x_i w, sigma^2)^sw_i
    prod_j p(w_j) [HalfNormal(sigma; s)]`` with a flat prior on ``b0``, for a
    :class:`~bayesreg.Gaussian` likelihood (fixed or estimated sigma) and a Normal, Laplace or
    ElasticNetPrior prior (scales fixed, possibly one per coefficient). See the module docstring
    for the full conditionals and the exact sigma step.

    Parameters
    ----------
    model : bayesreg.Model
    X : array-like or scipy.sparse matrix, shape (n, p)
    y : array-like, shape (n,)
    draws, tune : int
        Kept draws and discarded warm-up sweeps per chain.
    chains : int
        Independent chains (generators from ``SeedSequence(random_seed).spawn(chains)``).
    random_seed : int, SeedSequence, Generator or None
        Equal seeds give identical draws.
    progressbar : bool
        Accepted for signature compatibility with the PyMC samplers; the sampler runs in compiled
        code without a progress bar.
    sample_weight : array-like, shape (n,), optional
        Each row's log-likelihood is multiplied by its weight.
    log_likelihood : bool, default True
        Store the pointwise log-likelihood (``chains x draws x n`` floats) for LOO.

    Returns
    -------
    xarray.DataTree
        Groups ``posterior`` (``intercept`` when fitted, ``coef`` [dim ``feature``], ``sigma``
        when estimated, ``lam2`` for a BayesianLasso hyperprior; dims ``chain, draw``),
        ``sample_stats`` (``lp``: exact log posterior density with a flat intercept and no
        Jacobian, as ``MAPResult.log_posterior``; ``sigma_exact_rate``: share of sigma steps done
        by the exact rejection sampler rather than the slice fallback), ``observed_data`` (``y``, dim
        ``obs_id``), ``log_likelihood`` (``y``: ``sw_i log N(y_i; b0 + x_i w, sigma^2)``, dims
        ``chain, draw, obs_id``); ``attrs["bayesreg_model"]`` is ``json.dumps(model.to_dict())``.
    """
    _check_model(model)
    X, y, sw, names = check_X_y(X, y, sample_weight)
    p = X.shape[1]
    model.prior.check_n_coef(p)
    rows = None
    if not sp.issparse(X) and p > X.shape[0]:
        # p > n: draw the coefficients from the rows in O(n^2 p) (no p x p statistics)
        stats, rows = _wide_stats(X, y, sw, model.fit_intercept)
    else:
        stats = gaussian_suffstats(X, y, sw, model.fit_intercept)
    names = list(names) if names is not None else [f"x{j}" for j in range(p)]
    s_prior = (model.likelihood.resolve_sigma_prior_scale(y, sw)
               if model.likelihood.estimates_sigma else None)
    post, stats_out = _run(model, stats, names, draws, tune, chains, random_seed, s_prior, rows)
    loglik = None
    if log_likelihood:
        loglik = _pointwise_loglik(X, y, sw, post, model.likelihood.sigma)
    return _to_datatree(model, post, stats_out, names, y, loglik, s_prior)


def sample_gibbs_from_stats(model, stats: SuffStats, feature_names=None, draws: int = 1000,
                            tune: int = 1000, chains: int = 4, random_seed=None,
                            sigma_prior_scale: float | None = None):
    """Gibbs draws from sufficient statistics only (no data rows; used by the Dask scale-out).

    Same sampler and output as :func:`sample_gibbs`, without ``observed_data`` and
    ``log_likelihood`` groups. ``sigma_prior_scale`` is the resolved HalfNormal scale (default:
    the model's, else the weighted sd of y from the statistics).
    """
    _check_model(model)
    p = stats.G.shape[0]
    model.prior.check_n_coef(p)
    names = list(feature_names) if feature_names is not None else [f"x{j}" for j in range(p)]
    s_prior = None
    if model.likelihood.estimates_sigma:
        s_prior = sigma_prior_scale or model.likelihood.sigma_prior_scale
        if s_prior is None:
            s_prior = stats.y_sd if stats.y_sd > 0 else 1.0
    post, stats_out = _run(model, stats, names, draws, tune, chains, random_seed, s_prior)
    return _to_datatree(model, post, stats_out, names, None, None, s_prior)


def _run(model, stats: SuffStats, names, draws, tune, chains, random_seed, s_prior, rows=None):
    """``rows``: ``(X~, y~, vn)`` (centered, sqrt-weighted, dense, p > n; see
    :func:`_wide_stats`) for the O(n^2 p) draw."""
    draws = _check_int(draws, "draws", 1)
    tune = _check_int(tune, "tune", 0)
    chains = _check_int(chains, "chains", 1)
    lik, prior = model.likelihood, model.prior
    p = stats.xbar.shape[0]
    bl = _bayesian_lasso(prior)
    if bl is None:
        rel, hyper, r_shape, d_rate = False, False, 1.0, 1.0
        a, c = prior.penalty_weights(p)
    else:
        rel, hyper, r_shape, d_rate, scale = bl
        a = np.ones(p) if hyper else 1.0 / prior._broadcast(scale, p)
        c = np.zeros(p)
    a = np.ascontiguousarray(a, dtype=np.float64)
    c = np.ascontiguousarray(c, dtype=np.float64)
    estimate = bool(lik.estimates_sigma)
    if estimate and stats.S <= 1.0:
        raise NotSupportedError(
            f"estimating sigma needs sum(sample_weight) > 1 (got {stats.S:g}); fix sigma with "
            "Gaussian(sigma=...).")
    seeds = _seed_sequence(random_seed).spawn(chains)
    W = np.empty((chains, draws, p))
    B = np.empty((chains, draws))
    SIG = np.empty((chains, draws))
    RSS = np.empty((chains, draws))
    LAM2 = np.empty((chains, draws))
    acc = np.zeros(chains, dtype=np.int64)
    slc = np.zeros(chains, dtype=np.int64)
    y_sd = stats.y_sd if stats.y_sd > 0 else 1.0
    wide = rows is not None
    if wide:
        Xt, yt, vn = (np.ascontiguousarray(r, dtype=np.float64) for r in rows)
        G = np.zeros((1, 1))
    else:
        Xt, yt, vn, G = np.zeros((1, 1)), np.zeros(1), np.zeros(1), stats.G

    def run_chain(ch):
        rng = np.random.default_rng(seeds[ch])
        if estimate:
            sigma0 = float(y_sd * np.exp(rng.uniform(-0.5, 0.5)))
        else:
            sigma0 = float(lik.sigma)
        acc[ch], slc[ch] = _gibbs_chain(
            G, stats.q, float(stats.yy), float(stats.S), stats.xbar, float(stats.ybar),
            bool(stats.fit_intercept), a.copy(), c, sigma0, estimate, float(s_prior or 1.0),
            rel, hyper, r_shape, d_rate, tune, draws, rng, W[ch], B[ch], SIG[ch], RSS[ch],
            LAM2[ch], wide, Xt, yt, vn)

    for ch in range(chains):
        run_chain(ch)
    # exact log posterior density per draw (flat intercept, no Jacobian), as
    # MAPResult.log_posterior: log-likelihood + log prior(coef) [+ log p(sigma)] [+ log p(lam2)]
    lp = -0.5 * RSS / SIG**2 - stats.S * (np.log(SIG) + 0.5 * _LOG_2PI)
    if bl is None:
        lp -= np.abs(W) @ a + 0.5 * (W * W) @ c + prior.log_normalizer(p)
    else:
        bscale = 1.0 / np.sqrt(LAM2)[..., None] if hyper else 1.0 / a
        if rel:
            bscale = bscale * SIG[..., None]
        lp -= np.sum(np.abs(W) / bscale + np.log(2.0 * bscale), axis=-1)
        if hyper:
            from scipy.special import gammaln

            lp += (r_shape * np.log(d_rate) - gammaln(r_shape) + (r_shape - 1) * np.log(LAM2)
                   - d_rate * LAM2)
    if estimate:
        lp = lp + (np.log(2.0) - 0.5 * _LOG_2PI - np.log(s_prior) - 0.5 * (SIG / s_prior) ** 2)
    post = {"coef": W}
    if stats.fit_intercept:
        post["intercept"] = B
    if estimate:
        post["sigma"] = SIG
    if hyper:
        post["lam2"] = LAM2
    sstats = {"lp": lp}
    if estimate:
        sstats["sigma_exact_rate"] = np.repeat(((acc / np.maximum(acc + slc, 1)))[:, None],
                                               draws, axis=1)
    return post, sstats


def _pointwise_loglik(X, y, sw, post, sigma_fixed):
    """``sw_i log N(y_i; b0 + x_i w, sigma^2)`` for every draw, shape (chains, draws, n)."""
    W = post["coef"]
    C, D, p = W.shape
    eta = np.asarray(X @ W.reshape(C * D, p).T)  # (n, C*D)
    if "intercept" in post:
        eta += post["intercept"].reshape(1, C * D)
    sig = post["sigma"].reshape(1, C * D) if "sigma" in post else float(sigma_fixed)
    r = y[:, None] - eta
    r /= sig
    ll = -0.5 * r * r - np.log(sig) - 0.5 * _LOG_2PI
    ll *= sw[:, None]
    return np.ascontiguousarray(ll.T).reshape(C, D, -1)


def _to_datatree(model, post, sstats, names, y, loglik, s_prior):
    import xarray as xr

    chains, draws = post["coef"].shape[:2]
    coords_cd = {"chain": np.arange(chains), "draw": np.arange(draws)}
    pvars = {k: (("chain", "draw"), post[k]) for k in ("intercept", "sigma", "lam2") if k in post}
    pvars["coef"] = (("chain", "draw", "feature"), post["coef"])
    posterior = xr.Dataset(pvars, coords={**coords_cd, "feature": list(names)})
    svars = {k: (("chain", "draw"), v) for k, v in sstats.items()}
    sample_stats = xr.Dataset(svars, coords=coords_cd)
    attrs = {"bayesreg_model": json.dumps(model.to_dict()), "sampler": "gibbs",
             "inference_library": "bayesreg"}
    if s_prior is not None:
        attrs["sigma_prior_scale"] = float(s_prior)
    posterior.attrs.update(attrs)
    groups = {"posterior": posterior, "sample_stats": sample_stats}
    if y is not None:
        n = y.shape[0]
        obs = {"obs_id": np.arange(n)}
        groups["observed_data"] = xr.Dataset({"y": (("obs_id",), y)}, coords=obs)
        if loglik is not None:
            groups["log_likelihood"] = xr.Dataset(
                {"y": (("chain", "draw", "obs_id"), loglik)}, coords={**coords_cd, **obs})
    tree = xr.DataTree.from_dict(groups)
    tree.attrs.update(attrs)
    return tree

