"""A horseshoe prior with Bernoulli and Poisson likelihoods, sampled by NUTS (nutpie).

One coefficient, no intercept, tau fixed: the exact posterior mean of w is a 1-D quadrature of
the log-likelihood plus the horseshoe's marginal log density, itself a 1-D quadrature over the
local scale (no closed form from the package is used). The divergences NUTS reports are in
``sample_stats.diverging`` and surfaced by ``diagnose`` (a checked count, never "n/a").
"""

from __future__ import annotations

import arviz_stats
import numpy as np
import pytest
import scipy.stats as st
from scipy import integrate
from scipy.special import expit

import bayesreg as br

TAU = 0.5


def _posterior_mean(loglik):
    t = np.linspace(-25, 15, 4001)[:, None]  # log lambda
    w = np.linspace(-6, 6, 4001)
    w = w[w != 0.0][None, :]
    dens = np.exp(st.norm.logpdf(w, 0, TAU * np.exp(t)) + st.halfcauchy.logpdf(np.exp(t)) + t)
    log_prior = np.log(integrate.trapezoid(dens, t[:, 0], axis=0))
    lp = np.array([loglik(v) for v in w[0]]) + log_prior
    pw = np.exp(lp - lp.max())
    return integrate.trapezoid(w[0] * pw, w[0]) / integrate.trapezoid(pw, w[0])


@pytest.mark.slow
@pytest.mark.parametrize("family", ["bernoulli", "poisson"])
def test_horseshoe_glm_nuts_vs_quadrature_and_divergences_reported(family):
    rng = np.random.default_rng(31)
    n = 40
    x = rng.normal(size=n)
    if family == "bernoulli":
        y = rng.binomial(1, expit(0.8 * x)).astype(float)
        lik = br.Bernoulli()

        def loglik(v):
            return float(np.sum(st.bernoulli.logpmf(y, expit(v * x))))
    else:
        y = rng.poisson(np.exp(0.4 * x)).astype(float)
        lik = br.Poisson()

        def loglik(v):
            return float(np.sum(st.poisson.logpmf(y, np.exp(v * x))))
    truth = _posterior_mean(loglik)
    model = br.Model(lik, br.Horseshoe(TAU, fix_global=True, relative_to_sigma=False),
                     fit_intercept=False)
    idata = model.sample(x[:, None], y, draws=600, tune=400, chains=2, random_seed=4,
                         sampler="nutpie", progressbar=False, log_likelihood=False)
    assert idata.attrs["sampler"] == "nutpie"
    w = idata.posterior["coef"].isel(feature=0)
    z = (float(w.mean()) - truth) / float(arviz_stats.mcse(w))
    assert abs(z) < 4.5, (z, float(w.mean()), truth)
    # divergences: stored per draw and surfaced as a checked count by diagnose
    div = idata.sample_stats["diverging"]
    n_div = int(div.sum())
    frame = br.diagnose(idata).to_frame()
    row = frame.loc["divergences"]
    assert row["status"] != "n/a" and int(float(row["value"])) == n_div, frame
    table = br.compare(idata, X=x[:, None], y=y)
    assert 0.0 < float(table["kappa"].iloc[0]) < 1.0  # pseudo-precision of the GLM
