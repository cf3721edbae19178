"""NegativeBinomial (NB2) against independent references: scipy.stats.nbinom for the density,
statsmodels' NB2 maximum likelihood (alpha estimated) and GLM(NegativeBinomial(alpha)) (alpha
fixed), scipy.optimize of the penalized objective written here, and KKT / stationarity
conditions computed here (finite differences of scipy.stats' log pmf in alpha)."""

import numpy as np
import pytest
import scipy.optimize as so
from scipy import stats

import bayesreg as br


def _data(rng, n=300, p=4, alpha=0.6):
    X = rng.normal(size=(n, p)) * 0.6
    mu = np.exp(0.8 + X @ np.linspace(0.5, -0.3, p))
    r = 1 / alpha
    return X, rng.negative_binomial(r, r / (r + mu)).astype(float)


def _nb_logpmf(y, mu, alpha):
    r = 1 / alpha
    return stats.nbinom.logpmf(y, r, r / (r + mu))


def test_density_is_scipy_nbinom():
    y = np.array([0.0, 1.0, 4.0, 30.0, 7.0])
    eta = np.array([0.1, -0.5, 1.2, 2.9, 0.0])
    for a in (0.01, 0.3, 2.0, 50.0):
        np.testing.assert_allclose(br.NegativeBinomial(a).loglik(y, eta),
                                   _nb_logpmf(y, np.exp(eta), a), rtol=1e-9)
    # alpha -> 0 is the Poisson limit (the NB2 correction is O(alpha y^2)), computed without
    # the cancellation of log Gamma(y + 1/alpha) - log Gamma(1/alpha) (scipy's nbinom loses
    # ~1e-8 at alpha = 1e-7)
    np.testing.assert_allclose(br.NegativeBinomial(1e-12).loglik(y, eta),
                               stats.poisson.logpmf(y, np.exp(eta)), rtol=0, atol=1e-9)


def test_fixed_alpha_l2_vs_scipy_and_statsmodels_glm(rng):
    sm = pytest.importorskip("statsmodels.api")
    X, y = _data(rng)
    p, a = X.shape[1], 0.6
    tau = 30.0
    fit = br.Model(br.NegativeBinomial(a), br.Normal(tau)).map(X, y, tol=1e-12)
    assert fit.converged and fit.free == {}

    def f(z):
        return -float(np.sum(_nb_logpmf(y, np.exp(z[p] + X @ z[:p]), a))) \
            + 0.5 * float(z[:p] @ z[:p]) / tau**2

    r = so.minimize(f, np.zeros(p + 1), method="BFGS", options={"gtol": 1e-9})
    np.testing.assert_allclose(np.r_[fit.coef, fit.intercept], r.x, atol=2e-5)
    assert f(np.r_[fit.coef, fit.intercept]) <= r.fun + 1e-9
    glm = sm.GLM(y, sm.add_constant(X), family=sm.families.NegativeBinomial(alpha=a)).fit(
        tol=1e-12)
    np.testing.assert_allclose(np.r_[fit.intercept, fit.coef], glm.params, atol=2e-3)


def test_fixed_alpha_l1_kkt_computed_here(rng):
    X, y = _data(rng, n=200, p=8)
    a, b = 0.6, 0.2
    fit = br.Model(br.NegativeBinomial(a), br.Laplace(b)).map(X, y, tol=1e-10)
    mu = np.exp(fit.intercept + X @ fit.coef)
    g_eta = (mu - y) / (1 + a * mu)  # d(-loglik)/d eta of NB2
    g = X.T @ g_eta
    w = fit.coef
    viol = np.where(w != 0, np.abs(g + np.sign(w) / b), np.maximum(np.abs(g) - 1 / b, 0))
    assert 0 < np.count_nonzero(w) < w.size
    assert viol.max() < 1e-6 and abs(g_eta.sum()) < 1e-6


def test_free_alpha_vs_statsmodels_nb2_mle(rng):
    sm = pytest.importorskip("statsmodels.api")
    X, y = _data(rng, n=400)
    # near-flat priors: the joint MAP is the NB2 maximum likelihood estimate
    model = br.Model(br.NegativeBinomial(alpha=None, alpha_prior_scale=1e4), br.Normal(1e4))
    fit = model.map(X, y, tol=1e-9)
    assert fit.converged and set(fit.free) == {"alpha"} and "alpha" in fit.solver
    ref = sm.NegativeBinomial(y, sm.add_constant(X), loglike_method="nb2").fit(
        method="newton", maxiter=200, tol=1e-12, disp=0)
    assert ref.mle_retvals["converged"]
    assert fit.free["alpha"] == pytest.approx(ref.params[-1], rel=1e-4)
    np.testing.assert_allclose(np.r_[fit.intercept, fit.coef], ref.params[:-1], atol=1e-4)
    # stationarity in alpha computed here from scipy.stats' log pmf (central differences)
    eta = fit.intercept + X @ fit.coef
    al, h = fit.free["alpha"], 1e-6
    d = (np.sum(_nb_logpmf(y, np.exp(eta), al * (1 + h)))
         - np.sum(_nb_logpmf(y, np.exp(eta), al * (1 - h)))) / (2 * h)
    assert abs(d - al**2 / 1e8) < 1e-4
    back = br.MAPResult.from_dict(fit.to_dict())
    assert back.free == fit.free and "alpha=" in repr(fit)
    warm = model.map(X, y, tol=1e-9, warm_start=back)  # alpha starts at the mode: no sweep
    assert warm.n_iter <= 1 and warm.free["alpha"] == pytest.approx(fit.free["alpha"], rel=1e-9)


def test_free_alpha_with_l1_prior_kkt_and_prior_term(rng):
    X, y = _data(rng, n=250, p=6)
    s, b = 0.5, 0.05
    fit = br.Model(br.NegativeBinomial(alpha_prior_scale=s), br.Laplace(b)).map(X, y, tol=1e-9)
    a = fit.free["alpha"]
    mu = np.exp(fit.intercept + X @ fit.coef)
    g_eta = (mu - y) / (1 + a * mu)
    g, w = X.T @ g_eta, fit.coef
    viol = np.where(w != 0, np.abs(g + np.sign(w) / b), np.maximum(np.abs(g) - 1 / b, 0))
    assert viol.max() < 1e-5 and abs(g_eta.sum()) < 1e-5

    def lp_alpha(al):  # log posterior in alpha at the fitted coefficients (HalfNormal(s) prior)
        return float(np.sum(_nb_logpmf(y, mu, al))) + stats.halfnorm.logpdf(al, scale=s)

    r = so.minimize_scalar(lambda t: -lp_alpha(np.exp(t)), bounds=(-8, 3), method="bounded",
                           options={"xatol": 1e-10})
    assert a == pytest.approx(np.exp(r.x), rel=1e-5)
    assert fit.log_posterior == pytest.approx(
        lp_alpha(a) + float(np.sum(stats.laplace.logpdf(w, scale=b))), rel=1e-10)


def test_no_overdispersion_gives_the_poisson_limit(rng):
    X = rng.normal(size=(200, 2)) * 0.5
    y = rng.poisson(np.exp(0.5 + X @ [0.4, -0.2])).astype(float)
    y = np.clip(y, 0, 3)  # under-dispersed: the joint mode is at alpha = 0
    fit = br.Model(br.NegativeBinomial(), br.Normal(5.0)).map(X, y)
    pois = br.Model(br.Poisson(), br.Normal(5.0)).map(X, y, tol=1e-10)
    assert fit.converged and fit.free["alpha"] < 1e-6
    np.testing.assert_allclose(fit.coef, pois.coef, atol=1e-5)


def test_errors():
    with pytest.raises(br.ParameterError, match="NegativeBinomial.alpha"):
        br.NegativeBinomial(alpha=-1.0)
    with pytest.raises(br.DataError, match="non-negative integer counts"):
        br.NegativeBinomial(1.0).check_y(np.array([0.0, 1.5]))
    with pytest.raises(br.DataError, match="bind one first"):
        br.NegativeBinomial().loglik(np.array([1.0]), np.array([0.0]))


def test_sklearn_regressor_takes_the_new_likelihoods(rng):
    """MAPRegressor fits StudentT / NegativeBinomial / Binomial(scalar trials) MAPs: the same
    optimum as Model.map (checked against references above), predictions = likelihood.mean."""
    from sklearn.base import clone

    X, y = _data(rng, n=120, p=3)
    for lik, yy in ((br.NegativeBinomial(), y), (br.StudentT(nu=4.0), np.log1p(y)),
                    (br.Binomial(40), np.minimum(y, 40))):
        est = clone(br.MAPRegressor(prior=br.Normal(1.0), likelihood=lik)).fit(X, yy)
        ref = br.Model(lik, br.Normal(1.0)).map(X, yy)
        np.testing.assert_allclose(est.coef_, ref.coef, atol=1e-10)
        np.testing.assert_allclose(est.predict(X[:4]), ref.predict(X[:4]), rtol=1e-10)
