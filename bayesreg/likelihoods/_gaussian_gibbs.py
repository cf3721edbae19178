"""The Gaussian likelihood's Gibbs face: the exact draw of sigma given the residuals.

With ``RSS = sum_i sw_i (y_i - b0 - x_i w)^2``, ``S = sum(sw)`` and a prior that may add
``k`` degrees of freedom and a sum of squares ``Q`` (priors relative to sigma, e.g. the Bayesian
lasso), ``u = sigma^2`` has conditional density

    ∝ u^(-(S + k + 1)/2) exp(-(RSS + Q) / (2u)) exp(-u / (2 s^2))

an inverse-gamma ``IG((S + k - 1)/2, (RSS + Q)/2)`` kernel times the HalfNormal factor
``exp(-u / (2 s^2)) <= 1``. It is drawn *exactly* by rejection: propose from the inverse gamma,
accept with probability ``exp(-u / (2 s^2))`` (acceptance ≈ ``exp(-sigma^2 / (2 s^2))``). If
200 proposals in a row are rejected (a prior scale s far below the residual sd), the step falls
back to one stepping-out slice-sampling update (Neal 2003) of ``log sigma``, whose conditional
log density ``-(S + k - 1) t - (RSS + Q) e^(-2t) / 2 - e^(2t) / (2 s^2)`` is concave. The fallback
probability does not depend on the current sigma, so the mixture of the two kernels leaves the
conditional invariant.

``params = [estimate (0/1), s]``; ``scal = [intercept, sigma, rss]``; ``counters = [exact, slice]``.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .._slice import slice_sampler

_MAX_REJECT = 200


@njit(cache=True, nogil=True)
def _logf_logsigma(t, args):
    """``-(S + k - 1) t - (RSS + Q) e^(-2t) / 2 - e^(2t) / (2 s^2)``; ``args = (S + k - 1, RSS + Q,
    1 / (2 s^2))``."""
    Sm1, rss, inv2s2 = args
    return -Sm1 * t - 0.5 * rss * np.exp(-2.0 * t) - inv2s2 * np.exp(2.0 * t)


#: one slice update of t = log sigma (Neal 2003; bayesreg._slice)
slice_logsigma = slice_sampler(_logf_logsigma)


@njit(cache=True, nogil=True)
def sigma_update(scal, params, S, sig_terms, counters, rng):
    """sigma | w, b0[, prior latents] (module docstring); a no-op for a fixed sigma."""
    if params[0] <= 0:
        return
    s = params[1]
    inv2s2 = 0.5 / (s * s)
    Sm1 = S - 1.0 + sig_terms[0]
    beta2 = scal[2] + sig_terms[1]  # 2 * beta
    if Sm1 > 0.0:
        for _ in range(_MAX_REJECT):
            u = 0.5 * beta2 / rng.gamma(0.5 * Sm1, 1.0)
            if rng.random() <= np.exp(-u * inv2s2):
                scal[1] = np.sqrt(u)
                counters[0] += 1
                return
    scal[1] = np.exp(slice_logsigma(np.log(scal[1]), (Sm1, beta2, inv2s2), rng, 1.0, -np.inf,
                                    np.inf))
    counters[1] += 1
