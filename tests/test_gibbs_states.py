"""Gibbs plumbing: warm-start states are tagged with their prior and refused for another one;
collapsed chains return their final states; the augmentation face is built once per call;
StudentT's Gibbs start honours fit_intercept; the likelihoods declare their Gibbs kind."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, stats

import bayesreg as br
from bayesreg._errors import ParameterError
from bayesreg.samplers.gibbs import augmented_draws, gibbs_draws
from bayesreg.suffstats import SuffStats


def _data(n=40, p=4, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    y = 0.5 + X @ np.array([1.0, 0.0, -0.5, 0.0]) + rng.normal(size=n)
    return X, y, SuffStats.from_rows(X, y, np.ones(n), True)


def test_warm_state_of_another_prior_is_refused():
    X, y, st_ = _data()
    _, _, states = gibbs_draws(br.Model(br.Gaussian(), br.Laplace(0.5)), st_, draws=5, tune=5,
                               chains=2, random_seed=0, return_states=True)
    assert [s["prior"] for s in states] == ["Laplace", "Laplace"]
    # the same family at another scale: accepted
    gibbs_draws(br.Model(br.Gaussian(), br.Laplace(2.0)), st_, draws=5, tune=0, chains=2,
                random_seed=1, init_states=states)
    with pytest.raises(ParameterError, match="'Laplace' chain cannot start a Horseshoe"):
        gibbs_draws(br.Model(br.Gaussian(), br.Horseshoe()), st_, draws=5, tune=0, chains=2,
                    random_seed=1, init_states=states)
    untagged = [{k: v for k, v in s.items() if k != "prior"} for s in states]
    with pytest.raises(ParameterError, match="init_states"):
        gibbs_draws(br.Model(br.Gaussian(), br.Laplace(2.0)), st_, draws=5, tune=0, chains=2,
                    random_seed=1, init_states=untagged)


def test_collapsed_chains_return_their_final_states_and_warm_start_from_them():
    X, y, st_ = _data()
    model = br.Model(br.Gaussian(), br.SpikeAndSlab(0.3, 1.0))
    post, _, states = gibbs_draws(model, st_, draws=30, tune=20, chains=3, random_seed=2,
                                  return_states=True)
    assert len(states) == 3
    for ch, s in enumerate(states):
        assert s["prior"] == "SpikeAndSlab"
        np.testing.assert_array_equal(s["latent"], post["inclusion"][ch, -1])
        np.testing.assert_array_equal(s["w"], post["coef"][ch, -1])
        assert s["sigma"] == post["sigma"][ch, -1]
    # a warm start with tune=0: the first sweep starts from those indicators (its first
    # draw's indicators differ from the cold start's empty model in at least one chain)
    warm, _ = gibbs_draws(model, st_, draws=1, tune=0, chains=3, random_seed=3,
                          init_states=states)
    assert np.all(np.isfinite(warm["coef"]))
    assert warm["inclusion"][:, 0, 0].sum() >= 2  # x0 is strongly in the model


def test_augmented_face_is_built_once(monkeypatch):
    X, y, _ = _data()
    lik = br.StudentT(nu=4.0)
    calls = []
    cls = type(lik)
    orig = cls.gibbs_augmentation

    def counting(self, y_, sw_):
        calls.append(1)
        return orig(self, y_, sw_)

    monkeypatch.setattr(cls, "gibbs_augmentation", counting)
    augmented_draws(br.Model(lik, br.Normal(1.0)), X, y, np.ones(len(y)), draws=3, tune=2,
                    chains=3, random_seed=0)
    assert len(calls) == 1


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_student_t_gibbs_start_is_the_free_mode_at_the_starting_eta(fit_intercept):
    rng = np.random.default_rng(4)
    n = 60
    y = 8.0 + 0.7 * rng.standard_t(5, n)
    sw = np.ones(n)
    lik = br.StudentT().resolved(y, sw)
    eta0 = np.full(n, np.median(y) if fit_intercept else 0.0)
    _, free = lik.gibbs_augmentation(y, sw).start(eta0, np.random.default_rng(0))
    s_prior = lik.sigma_prior_scale

    def neg(v):  # -log p(y | eta0, nu, sigma) - log p(nu) - log p(sigma) (the joint mode)
        nu, s = np.exp(v)
        return -(np.sum(stats.t.logpdf(y, nu, loc=eta0, scale=s)) + stats.gamma.logpdf(
            nu, 2.0, scale=10.0) + stats.halfnorm.logpdf(s, scale=s_prior))

    ref = np.exp(optimize.minimize(neg, np.log([5.0, 1.0]), method="Nelder-Mead",
                                   options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": 4000}).x)
    np.testing.assert_allclose([free["nu"], free["sigma"]], ref, rtol=1e-3)
    if not fit_intercept:
        assert free["sigma"] > 3.0  # eta = 0 is far from y ~ 8: the scale knows it


def test_likelihoods_declare_their_gibbs_kind():
    assert br.Gaussian().gibbs_kind() == "gaussian"
    assert br.StudentT().gibbs_kind() == "augmented"
    assert br.Bernoulli().gibbs_kind() == "augmented"
    assert br.Poisson().gibbs_kind() is None
