"""The extension proof: a prior and a likelihood defined *in this file*, registered here, flow
through map, map_path, to_pymc, sample, compare and persistence with no edit to the package.
(The same two classes are the worked example of docs/guide/extending.md.)"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize
from sklearn.linear_model import Ridge

import bayesreg as br
from bayesreg.likelihoods import LIKELIHOODS, Likelihood, register_likelihood
from bayesreg.penalties import ElasticNetPenalty
from bayesreg.priors import PRIORS, Prior, laplace_mixture_face, register_prior


class PrecisionNormal(Prior):
    """N(0, 1 / precision) on every coefficient: a ridge prior stated by its precision."""

    _params = ("precision",)
    _strength_power = 2.0  # with_strength(c) multiplies the precision: path scale / sqrt(c)

    def __init__(self, precision):
        self.precision = float(precision)

    def logpdf(self, w):
        w = np.asarray(w, dtype=float)
        return -0.5 * self.precision * w * w + 0.5 * np.log(self.precision / (2 * np.pi))

    def as_penalty(self, n_coef):
        return ElasticNetPenalty(np.zeros(n_coef), np.full(n_coef, self.precision))

    def with_strength(self, c):
        return PrecisionNormal(self.precision * c)

    @property
    def path_scale(self):
        return 1.0 / np.sqrt(self.precision)

    def to_pymc(self, name, dims=None, shape=None, sigma=None):
        import pymc as pm

        size = {"dims": dims} if dims is not None else {"shape": shape}
        return pm.Normal(name, mu=0.0, sigma=1.0 / np.sqrt(self.precision), **size)

    def gibbs_face(self, n_coef):
        return laplace_mixture_face(np.zeros(n_coef), np.full(n_coef, self.precision))

    @classmethod
    def examples(cls):
        return [cls(2.0)]


class ExponentialLog(Likelihood):
    """Exponential observations with a log link: ``y ~ Exponential(mean = exp(eta))``,
    ``log p(y | eta) = -eta - y exp(-eta)``."""

    family = "exponential"

    def check_y(self, y):
        if np.any(y <= 0):
            raise br.DataError("y must be > 0 for an exponential likelihood.")

    def mean(self, eta):
        return np.exp(eta)

    def loglik(self, y, eta):
        return -eta - y * np.exp(-eta)

    def draw(self, eta, rng):
        return rng.exponential(np.exp(eta))

    def datafit(self, y, eta, sw):
        return float(sw @ (eta + y * np.exp(-eta)))

    def gradient(self, y, eta, sw):
        return sw * (1.0 - y * np.exp(-eta))

    def curvature(self, y, eta, sw):
        return sw * y * np.exp(-eta)

    def curvature_from_mean(self, mu, sw, y=None):
        return sw  # the Fisher information (the quasi-Newton's trial step only)

    def null_eta(self, y, sw, fit_intercept):
        return float(np.log(sw @ y / sw.sum())) if fit_intercept else 0.0

    def pymc_loglik(self, y, eta, params):
        import pymc as pm
        import pytensor.tensor as pt

        return pm.logp(pm.Exponential.dist(lam=pt.exp(-eta)), y)

    def pymc_observe(self, name, eta, y_data, params, dims):
        import pymc as pm
        import pytensor.tensor as pt

        return pm.Exponential(name, lam=pt.exp(-eta), observed=y_data, dims=dims)

    @classmethod
    def examples(cls):
        return [cls()]


@pytest.fixture
def registered():
    register_prior(PrecisionNormal)
    register_likelihood(ExponentialLog)
    try:
        yield
    finally:
        PRIORS.pop("PrecisionNormal", None)
        LIKELIHOODS.pop("ExponentialLog", None)


def _gauss(rng, n=80, p=4):
    X = rng.normal(size=(n, p))
    return X, 1.0 + X @ np.array([1.0, -0.5, 0.0, 0.3])[:p] + rng.normal(size=n)


def _expo(rng, n=120, p=3):
    X = rng.normal(size=(n, p))
    return X, rng.exponential(np.exp(0.2 + X @ np.array([0.5, -0.3, 0.0])))


def test_toy_prior_map_is_sklearns_ridge_and_persists(registered, rng):
    X, y = _gauss(rng)
    sigma, prec = 1.3, 4.0
    model = br.Model(br.Gaussian(sigma), PrecisionNormal(prec))
    fit = model.map(X, y, tol=1e-12)
    ref = Ridge(alpha=sigma**2 * prec).fit(X, y)
    np.testing.assert_allclose(fit.coef, ref.coef_, rtol=1e-9, atol=1e-10)
    assert fit.converged and fit.solver == "closed_form"
    path = model.map_path(X, y, n_scales=5)
    assert len(path) == 5 and all(r.converged for r in path.results)
    back = br.Model.from_dict(model.to_dict())
    assert back == model
    assert br.MAPResult.from_dict(fit.to_dict()).prior == model.prior


def test_toy_likelihood_map_matches_scipy(registered, rng):
    X, y = _expo(rng)
    tau = 0.8
    model = br.Model(ExponentialLog(), br.Normal(tau))
    fit = model.map(X, y, tol=1e-10)
    p = X.shape[1]

    def nlp(th):
        eta = th[p] + X @ th[:p]
        return np.sum(eta + y * np.exp(-eta)) + np.sum(th[:p] ** 2) / (2 * tau**2)

    ref = optimize.minimize(nlp, np.r_[np.zeros(p), np.log(y.mean())], method="BFGS",
                            options={"gtol": 1e-10})
    np.testing.assert_allclose(fit.coef, ref.x[:p], atol=1e-6)
    assert fit.converged
    # Laplace prior: exact zeros, and no perturbation improves the log posterior
    lasso = br.Model(ExponentialLog(), br.Laplace(0.05)).map(X, y, tol=1e-10)
    assert lasso.converged and np.any(lasso.coef == 0)
    lp = lasso.log_posterior
    for k in range(p):
        for s in (1e-5, -1e-5):
            w = lasso.coef.copy()
            w[k] += s
            eta = lasso.intercept + X @ w
            val = float(np.sum(-eta - y * np.exp(-eta))) + float(br.Laplace(0.05).logpdf(w).sum())
            assert val <= lp + 1e-9 * abs(lp)


@pytest.mark.slow
def test_toy_prior_and_likelihood_in_pymc_sample_and_compare(registered, rng):
    from bayesreg.pymc import build_model, model_point

    X, y = _gauss(rng, n=60, p=3)
    model = br.Model(br.Gaussian(1.0), PrecisionNormal(2.0))
    fit = model.map(X, y)
    pmm = model.to_pymc(X, y)
    assert float(pmm.compile_logp(jacobian=False)(model_point(pmm, fit))) == pytest.approx(
        fit.log_posterior, rel=1e-10)
    for sampler in ("gibbs", "nutpie"):
        idata = model.sample(X, y, draws=100, tune=100, chains=2, random_seed=2, sampler=sampler,
                             progressbar=False)
        table = br.compare(idata, fit, X=X, y=y)
        assert np.all(np.abs(table["mean"] - fit.coef) < 6 * table["sd"])
        assert br.Model.from_idata(idata) == model
    Xe, ye = _expo(rng, n=40)
    emodel = br.Model(ExponentialLog(), PrecisionNormal(1.0))
    efit = emodel.map(Xe, ye)
    epm = build_model(emodel, Xe, ye)
    assert float(epm.compile_logp(jacobian=False)(model_point(epm, efit))) == pytest.approx(
        efit.log_posterior, rel=1e-10)
    cc = emodel.crosscheck(Xe, ye)
    assert cc.passed, cc.failures
