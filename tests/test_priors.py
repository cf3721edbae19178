"""Each prior's density against scipy / numerical integration, and its penalty face."""

import numpy as np
import pytest
from scipy import integrate, stats

import bayesreg as br
from bayesreg.priors import PRIORS, prior_from_dict

W = np.array([-3.0, -0.7, -1e-9, 0.0, 2e-12, 0.4, 1.0, 5.5])

ALL_PRIORS = [br.Normal(0.8), br.Laplace(0.3), br.ElasticNetPrior(0.5, 1.7),
              br.ElasticNetPrior(10.0, 0.2), br.ElasticNetPrior(0.01, 50.0),
              br.Normal(np.linspace(0.5, 2, W.size)), br.Laplace(np.linspace(0.1, 1, W.size)),
              br.ElasticNetPrior(np.linspace(0.1, 1, W.size), np.linspace(2, 0.3, W.size))]


def test_normal_logpdf_matches_scipy():
    np.testing.assert_allclose(br.Normal(0.8).logpdf(W), stats.norm(0, 0.8).logpdf(W), rtol=1e-13)
    s = np.linspace(0.5, 2, W.size)
    np.testing.assert_allclose(br.Normal(s).logpdf(W), stats.norm(0, s).logpdf(W), rtol=1e-13)


def test_laplace_logpdf_matches_scipy():
    np.testing.assert_allclose(br.Laplace(0.3).logpdf(W), stats.laplace(0, 0.3).logpdf(W), rtol=1e-13)


@pytest.mark.parametrize("b,tau", [(0.5, 1.7), (10.0, 0.2), (0.01, 50.0), (1.0, 1.0), (1e-3, 1e3)])
def test_elasticnet_density_integrates_to_one(b, tau):
    prior = br.ElasticNetPrior(b, tau)

    def dens(w):
        return np.exp(prior.logpdf(np.array([w]))[0])

    # split at the kink and integrate each half to its numerical infinity
    half = integrate.quad(dens, 0, np.inf, epsabs=0, epsrel=1e-12, limit=500)[0]
    assert abs(2 * half - 1.0) < 1e-9


@pytest.mark.parametrize("prior", ALL_PRIORS, ids=repr)
def test_neg_logpdf_minus_penalty_is_constant(prior):
    """-log p(w) - penalty(w) does not depend on w, and equals log_normalizer."""
    p = W.size
    per_coef = np.array([-prior.logpdf(W)[j] for j in range(p)])
    l1, l2 = prior.penalty_weights(p)
    pen = l1 * np.abs(W) + 0.5 * l2 * W**2
    const = per_coef - pen
    w2 = W[::-1] * 1.7
    const2 = -prior.logpdf(w2) - (l1 * np.abs(w2) + 0.5 * l2 * w2**2)
    np.testing.assert_allclose(const, const2, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(const.sum(), prior.log_normalizer(p), rtol=1e-12)
    assert np.isclose(prior.penalty(W), pen.sum(), rtol=1e-13)


@pytest.mark.parametrize("prior", ALL_PRIORS, ids=repr)
def test_prox_is_argmin(prior):
    """prox(v, t) minimizes t*penalty(w) + ||w - v||^2/2 (checked by scalar brute force)."""
    v = np.array([-2.0, -0.3, -0.01, 0.0, 0.02, 0.2, 0.9, 3.0])
    t = 0.37
    out = prior.prox(v, t)
    l1, l2 = prior.penalty_weights(v.size)
    grid = np.linspace(-4, 4, 160001)
    for j in range(v.size):
        f = t * (l1[j] * np.abs(grid) + 0.5 * l2[j] * grid**2) + 0.5 * (grid - v[j]) ** 2
        assert abs(out[j] - grid[np.argmin(f)]) < 1e-4


@pytest.mark.parametrize("prior", ALL_PRIORS, ids=repr)
def test_with_strength_scales_penalty(prior):
    p = W.size
    c = 3.7
    assert np.isclose(prior.with_strength(c).penalty(W), c * prior.penalty(W), rtol=1e-12)
    ref = float(np.max(np.atleast_1d(prior.path_scale)))
    target = ref / 2.0
    c2 = prior.strength_for_scale(target, ref)
    assert np.isclose(np.max(np.atleast_1d(prior.with_strength(c2).path_scale)), target)
    assert prior.with_strength(1.0) == prior or np.allclose(
        prior.with_strength(1.0).penalty_weights(p)[0], prior.penalty_weights(p)[0])


@pytest.mark.parametrize("prior", ALL_PRIORS, ids=repr)
def test_dict_round_trip(prior):
    assert prior_from_dict(prior.to_dict()) == prior
    assert type(prior).__name__ in PRIORS


@pytest.mark.parametrize("bad", [0.0, -1.0, np.inf, np.nan, [1.0, 0.0], "a", None, True])
def test_bad_scales_raise(bad):
    with pytest.raises((br.ParameterError, br.BayesregTypeError)):
        br.Laplace(bad)


def test_per_coefficient_length_mismatch(rng):
    X = rng.normal(size=(20, 3))
    y = rng.normal(size=20)
    with pytest.raises(br.ParameterError, match="3 coefficients"):
        br.Model(br.Gaussian(1.0), br.Laplace([1.0, 2.0])).map(X, y)
