"""The one slice sampler (bayesreg._slice): exact invariance and convergence, against scipy's
closed-form distributions (KS tests on independent chains)."""

from __future__ import annotations

import numpy as np
import pytest
from numba import njit
from scipy import stats

from bayesreg._slice import slice_sampler
from bayesreg.likelihoods._gaussian_gibbs import slice_logsigma
from bayesreg.priors._shrinkage import gig_log_slice


@njit(cache=False)
def _gamma_logf(u, args):
    return args[0] * u - np.exp(u)  # u = log x, x ~ Gamma(a, 1)


@njit(cache=False)
def _normal_logf(x, args):
    return -0.5 * x * x


_gamma_step = slice_sampler(_gamma_logf)
_normal_step = slice_sampler(_normal_logf)


@njit(cache=False)
def _chains_jit(step, x0, args, rng, n_steps, width, lo, hi):
    out = np.empty(x0.shape[0])
    for i in range(x0.shape[0]):
        x = x0[i]
        for _ in range(n_steps):
            x = step(x, args, rng, width, lo, hi)
        out[i] = x
    return out


def _chains(step, x0, args, seed, n_steps, width, lo, hi):
    return _chains_jit(step, np.ascontiguousarray(x0, dtype=float), args,
                       np.random.default_rng(seed), n_steps, width, lo, hi)


def _ks(x, cdf):
    return stats.kstest(x, cdf).pvalue


def test_slice_update_leaves_a_gamma_invariant_and_converges_to_it():
    rng = np.random.default_rng(0)
    a = 2.5
    x0 = rng.gamma(a, 1.0, 4000)
    one = np.exp(_chains(_gamma_step, np.log(x0), (a,), 1, 1, 1.0, -np.inf, np.inf))
    assert _ks(one, stats.gamma(a).cdf) > 1e-3           # exact draws stay exact draws
    assert np.corrcoef(x0, one)[0, 1] < 0.9                 # and the update moves them
    far = np.exp(_chains(_gamma_step, np.full(4000, np.log(50.0)), (a,), 2, 25, 0.3,
                         -np.inf, np.inf))                  # a bad start, a narrow width
    assert _ks(far, stats.gamma(a).cdf) > 1e-3
    wrong = np.exp(_chains(_gamma_step, np.log(x0), (a + 0.3,), 3, 25, 1.0, -np.inf, np.inf))
    assert _ks(wrong, stats.gamma(a).cdf) < 1e-6            # the test can fail


def test_slice_update_on_a_bounded_support_is_the_truncated_density():
    lo, hi = -0.5, 1.2
    target = stats.truncnorm(lo, hi)
    x0 = target.rvs(size=4000, random_state=4)
    one = _chains(_normal_step, x0, (0.0,), 5, 1, 2.0, lo, hi)
    assert one.min() >= lo and one.max() <= hi
    assert _ks(one, target.cdf) > 1e-3
    far = _chains(_normal_step, np.full(4000, hi), (0.0,), 6, 20, 0.1, lo, hi)
    assert _ks(far, target.cdf) > 1e-3


@pytest.mark.parametrize("a, b, c", [(0.7, 2.0, 0.5), (-3.0, 0.1, 40.0)])
def test_gig_slice_of_the_horseshoe_is_scipys_geninvgauss(a, b, c):
    # x ∝ x^(a-1) exp(-b x - c / x) = s * GIG(p=a, b'=2 sqrt(bc)), s = sqrt(c / b)
    target = stats.geninvgauss(a, 2.0 * np.sqrt(b * c), scale=np.sqrt(c / b))
    x0 = target.rvs(size=3000, random_state=7)
    one = np.exp(_chains(gig_log_slice, np.log(x0), (a, b, c), 8, 1, 1.0, -np.inf, np.inf))
    assert _ks(one, target.cdf) > 1e-3
    far = np.exp(_chains(gig_log_slice, np.zeros(3000), (a, b, c), 9, 30, 1.0, -np.inf,
                         np.inf))
    assert _ks(far, target.cdf) > 1e-3


def test_log_sigma_slice_is_the_sigma_conditional():
    # sigma^2 = u with density u^(-(Sm1 + 2)/2) exp(-rss / (2u)) exp(-u / (2 s^2)) (in t = log
    # sigma: -Sm1 t - rss e^-2t / 2 - e^2t / (2 s^2)); s -> inf: IG(Sm1 / 2, rss / 2)
    Sm1, rss = 9.0, 14.0
    target = stats.invgamma(0.5 * Sm1, scale=0.5 * rss)
    x0 = target.rvs(size=3000, random_state=10)
    one = np.exp(2 * _chains(slice_logsigma, 0.5 * np.log(x0), (Sm1, rss, 0.0), 11, 1, 1.0,
                             -np.inf, np.inf))
    assert _ks(one, target.cdf) > 1e-3
