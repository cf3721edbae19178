"""The grouped horseshoe (br.GroupHorseshoe) against independent references.

* its joint log density against scipy.stats (normal and half-Cauchy log densities), and with one
  coefficient per group against br.Horseshoe at random points (1e-10);
* the Gibbs face run on the prior alone (w | latent ~ N(0, 1 / prec), then the face's exact
  update): the draws of every lambda_g and of tau follow their half-Cauchy priors (KS tests);
* posterior means with one coefficient per group equal the horseshoe's (Gibbs, MCSE-scaled);
* Gibbs vs nutpie on a 3-group problem (slow, MCSE-scaled);
* groups: labels, names, formula terms; the NotSupportedError of map / crosscheck.
"""

from __future__ import annotations

import arviz_stats
import numpy as np
import pandas as pd
import pytest
import scipy.stats as st

import bayesreg as br
from bayesreg._errors import NotSupportedError, ParameterError

Z_MAX = 4.5


def _data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6))
    y = 0.3 + X @ np.array([1.5, -1.0, 0.0, 0.0, 0.0, 0.8]) + rng.normal(size=n)
    return X, y


# ------------------------------------------------------------------------------ density
def test_joint_density_against_scipy():
    labels = np.array([0, 0, 1, 1, 1, 2])
    rng = np.random.default_rng(1)
    for rel, A in ((True, None), (False, 0.3)):
        prior = br.GroupHorseshoe(labels, global_scale=A, relative_to_sigma=rel)
        W = rng.normal(size=(4, 6))
        tau = rng.uniform(0.2, 2.0, size=4)
        lam_g = rng.uniform(0.1, 3.0, size=(4, 3))
        sigma = rng.uniform(0.5, 2.0, size=4)
        got = prior.joint_logpdf(W, sigma=sigma, tau=tau, **{"lambda": lam_g[:, labels]})
        for k in range(4):
            sd = tau[k] * lam_g[k, labels] * (sigma[k] if rel else 1.0)
            ref = (st.norm(0, sd).logpdf(W[k]).sum() + st.halfcauchy().logpdf(lam_g[k]).sum()
                   + st.halfcauchy(scale=1.0 if A is None else A).logpdf(tau[k]))
            assert got[k] == pytest.approx(ref, rel=1e-12)
    with pytest.raises(ParameterError, match="one value per group"):
        prior.joint_logpdf(W[0], tau=1.0, **{"lambda": np.linspace(0.5, 1.0, 6)})


def test_one_coefficient_per_group_is_the_horseshoe():
    rng = np.random.default_rng(2)
    for rel, A in ((True, 0.7), (False, None)):
        g = br.GroupHorseshoe(np.arange(5), global_scale=A, relative_to_sigma=rel)
        h = br.Horseshoe(global_scale=A, relative_to_sigma=rel)
        W = rng.standard_t(2, size=(3, 7, 5))
        hyper = {"tau": rng.uniform(0.1, 3, size=(3, 7)), "lambda": rng.uniform(0.05, 5, (3, 7, 5))}
        sigma = rng.uniform(0.3, 3, size=(3, 7))
        np.testing.assert_allclose(g.joint_logpdf(W, sigma=sigma, **hyper),
                                   h.joint_logpdf(W, sigma=sigma, **hyper), rtol=1e-10)
        np.testing.assert_allclose(g.logpdf(W[0, 0], sigma=1.3, tau=0.4, **{"lambda": hyper[
            "lambda"][0, 0]}), h.logpdf(W[0, 0], sigma=1.3, tau=0.4,
                                        **{"lambda": hyper["lambda"][0, 0]}), rtol=1e-12)


def test_no_mode_and_calibration():
    X, y = _data()
    model = br.Model(br.Gaussian(), br.GroupHorseshoe([0, 0, 1, 1, 1, 2]))
    for call in (lambda: model.map(X, y), lambda: model.crosscheck(X, y)):
        with pytest.raises(NotSupportedError, match="no finite posterior mode") as exc:
            call()
        assert "br.compare(idata)" in str(exc.value) and "w_g = 0" in str(exc.value)
    # prior m_eff: the same half-Cauchy draws as the horseshoe's when every group has one column
    a = br.effective_nonzero(br.GroupHorseshoe(np.arange(8)), 100, 8, random_seed=3,
                             verbose=False)
    b = br.effective_nonzero(br.Horseshoe(), 100, 8, random_seed=3, verbose=False)
    np.testing.assert_allclose(a.draws, b.draws, rtol=1e-12)
    grouped = br.effective_nonzero(br.GroupHorseshoe(np.repeat([0, 1], 4)), 100, 8,
                                   random_seed=3, verbose=False)
    assert np.all(grouped.kappa[:, :4] == grouped.kappa[:, :1])  # one shrinkage per group


# ------------------------------------------------------------------------------ Gibbs
def test_gibbs_prior_draws_are_half_cauchy():
    """The whole Gibbs sampler (global step, coefficient draw, the face's update) on data that
    carry no information (X = 0, y = 0, sigma fixed): its draws are the prior's."""
    from bayesreg.samplers.gibbs import gibbs_draws
    from bayesreg.suffstats import SuffStats

    prior = br.GroupHorseshoe([0, 0, 1, 1, 1, 2], global_scale=0.5, relative_to_sigma=False)
    model = br.Model(br.Gaussian(sigma=1.0), prior)
    stats = SuffStats.from_rows(np.zeros((3, 6)), np.zeros(3), np.ones(3))
    post, _ = gibbs_draws(model, stats, draws=40000, tune=100, chains=1, random_seed=5)
    tau, lam = post["tau"][0, ::10], post["lambda"][0, ::10]  # thinned: 4000 draws
    assert st.kstest(tau, st.halfcauchy(scale=0.5).cdf).pvalue > 1e-3
    for j in (0, 2, 5):  # the first column of every group: lambda_g
        assert st.kstest(lam[:, j], st.halfcauchy().cdf).pvalue > 1e-3
    assert np.all(lam[:, 1] == lam[:, 0]) and np.all(lam[:, 4] == lam[:, 2])
    # w_j | tau, lambda ~ N(0, tau^2 lambda_g^2): the standardized draws are N(0, 1)
    zs = post["coef"][0, ::10] / (tau[:, None] * lam)
    assert st.kstest(zs.ravel()[::3], st.norm().cdf).pvalue > 1e-3


def _z(a, b):
    d = float(a.mean()) - float(b.mean())
    return d / np.hypot(float(arviz_stats.mcse(a)), float(arviz_stats.mcse(b)))


def test_posterior_with_one_coefficient_per_group_equals_horseshoe():
    X, y = _data(n=40, seed=3)
    kw = dict(draws=1500, tune=300, chains=2, sampler="gibbs", progressbar=False,
              log_likelihood=False)
    a = br.Model(br.Gaussian(), br.GroupHorseshoe(np.arange(6))).sample(X, y, random_seed=1, **kw)
    b = br.Model(br.Gaussian(), br.Horseshoe()).sample(X, y, random_seed=2, **kw)
    for j in range(6):
        assert abs(_z(a["posterior"]["coef"][..., j], b["posterior"]["coef"][..., j])) < Z_MAX
    assert abs(_z(a["posterior"]["sigma"], b["posterior"]["sigma"])) < Z_MAX
    assert abs(_z(np.log(a["posterior"]["tau"]), np.log(b["posterior"]["tau"]))) < Z_MAX


@pytest.mark.slow
def test_gibbs_agrees_with_nutpie_on_three_groups():
    X, y = _data(n=60, seed=4)
    model = br.Model(br.Gaussian(), br.GroupHorseshoe([0, 0, 1, 1, 1, 2]))
    g = model.sample(X, y, draws=1500, tune=300, chains=2, random_seed=1, sampler="gibbs",
                     progressbar=False, log_likelihood=False)["posterior"]
    n = model.sample(X, y, draws=400, tune=300, chains=2, random_seed=2, sampler="nutpie",
                     progressbar=False, log_likelihood=False)["posterior"]
    assert sorted(g.data_vars) == sorted(n.data_vars)
    for j in range(6):
        assert abs(_z(g["coef"][..., j], n["coef"][..., j])) < Z_MAX
        assert abs(_z(np.log(g["lambda"][..., j]), np.log(n["lambda"][..., j]))) < Z_MAX
    assert abs(_z(g["sigma"], n["sigma"])) < Z_MAX


# ------------------------------------------------------------------------------ groups
def test_groups_labels_names_and_terms():
    with pytest.raises(ParameterError, match="'terms'"):
        br.GroupHorseshoe("region")
    with pytest.raises(ParameterError, match="unpenalized"):
        br.GroupHorseshoe([0, -1, 1])
    with pytest.raises(ParameterError, match="groups"):
        br.GroupHorseshoe([[0, 1], [1, 2]])  # column 1 in two groups (group_labels' check)
    with pytest.raises(TypeError, match="mixes feature names and column indices"):
        br.GroupHorseshoe([["a", 1], ["c"]])
    idx = br.GroupHorseshoe([[0, 1], [2, 3, 4], [5]])
    assert idx == br.GroupHorseshoe([0, 0, 1, 1, 1, 2])
    X, y = _data()
    df = pd.DataFrame(X, columns=list("abcdef"))
    named = br.GroupHorseshoe([["d", "e", "c"], ["a", "b"], ["f"]])
    bound = named.bind_features(list(df.columns))
    # labels in the order of the groups' first column in the names given (group_labels)
    assert list(bound.groups) == [1, 1, 0, 0, 0, 2]
    assert br.priors.prior_from_dict(named.to_dict()) == named
    with pytest.raises(ParameterError, match="feature names"):
        br.Model(br.Gaussian(), named).sample(X, y, draws=5, tune=5, chains=1, sampler="gibbs",
                                              progressbar=False)
    idata = br.Model(br.Gaussian(), named).sample(df, y, draws=20, tune=20, chains=1,
                                                  sampler="gibbs", progressbar=False)
    lam = idata["posterior"]["lambda"].values[0]
    assert np.all(lam[:, 0] == lam[:, 1]) and np.all(lam[:, 2] == lam[:, 4])
    terms = br.GroupHorseshoe("terms")
    with pytest.raises(ParameterError, match="from_formula"):
        terms.bind_features(list(df.columns))
    rng = np.random.default_rng(0)
    d = pd.DataFrame({"x": rng.normal(size=50), "r": rng.choice(list("pqrs"), 50)})
    d["y"] = d.x + (d.r == "q") + rng.normal(size=50)
    fm = br.Model.from_formula("y ~ x + C(r)", data=d, prior=terms)
    assert list(fm.model.prior.groups) == list(fm.groups) == [0, 1, 1, 1]
