"""select_scale's CV deviance for StudentT, NegativeBinomial and Binomial(trials), against the
deviance written here from scipy.stats densities at each fold's own fit (its free parameters
included), combined with glmnet's fold statistics written here too."""

import numpy as np
import pytest
from scipy import stats

import bayesreg as br


def _data(kind, rng, n=48):
    X = rng.normal(size=(n, 3))
    eta = 0.3 + X @ np.array([0.8, -0.5, 0.0])
    if kind == "student_t":
        return X, eta + 0.5 * rng.standard_t(3, size=n), None
    if kind == "negbin":
        mu = np.exp(eta)
        return X, rng.negative_binomial(2.0, 2.0 / (2.0 + mu)).astype(float), None
    trials = rng.integers(1, 7, size=n)
    return X, rng.binomial(trials, 1 / (1 + np.exp(-eta))).astype(float), trials


def _dev(kind, lik, fit, X, y, trials):
    """2 [log p(y | saturated) - log p(y | fitted mean)] from scipy.stats."""
    eta = fit.intercept + X @ fit.coef
    if kind == "student_t":
        nu, s = fit.free.get("nu", lik.nu), fit.free.get("sigma", lik.sigma)
        return 2 * (stats.t.logpdf(y, nu, loc=y, scale=s) - stats.t.logpdf(y, nu, loc=eta, scale=s))
    if kind == "negbin":
        a = fit.free.get("alpha", lik.alpha)
        mu = np.exp(eta)

        def lp(m):
            return stats.nbinom.logpmf(y, 1 / a, 1 / (1 + a * m))
        return 2 * (np.where(y > 0, lp(np.maximum(y, 1e-300)), 0.0) - lp(mu))
    p = np.clip(1 / (1 + np.exp(-eta)), 1e-5, 1 - 1e-5)
    return 2 * (stats.binom.logpmf(y, trials, y / trials) - stats.binom.logpmf(y, trials, p))


@pytest.mark.parametrize("kind,lik", [("student_t", br.StudentT()), ("student_t", br.StudentT(3.0, 0.5)),
                                      ("negbin", br.NegativeBinomial()),
                                      ("negbin", br.NegativeBinomial(0.5)), ("binomial", None)])
def test_cv_deviance_is_the_scipy_deviance_at_each_folds_fit(kind, lik):
    rng = np.random.default_rng(4)
    X, y, trials = _data(kind, rng)
    lik = br.Binomial(trials) if lik is None else lik
    model = br.Model(lik, br.Laplace(1.0))
    foldid = rng.permutation(np.resize(np.arange(1, 5), X.shape[0]))
    scales = np.array([0.05, 0.3, 2.0])
    sel = model.select_scale(X, y, methods=("cv",), scales=scales, foldid=foldid, tol=1e-10)
    raw, w = [], []
    for k in np.unique(foldid):
        tr, te = foldid != k, foldid == k
        lk = br.Binomial(trials[tr]) if kind == "binomial" else lik
        row = []
        for s in scales:
            fit = br.Model(lk, br.Laplace(s)).map(X[tr], y[tr], tol=1e-10)
            row.append(_dev(kind, lik, fit, X[te], y[te], None if trials is None else trials[te])
                       .mean())
        raw.append(row)
        w.append(te.sum())
    raw, w = np.array(raw), np.array(w, dtype=float)
    cvm = w @ raw / w.sum()
    cvsd = np.sqrt(w @ (raw - cvm) ** 2 / w.sum() / (len(w) - 1))
    np.testing.assert_allclose(sel.cv_mean, cvm, rtol=1e-6)
    np.testing.assert_allclose(sel.cv_se, cvsd, rtol=1e-5)
    assert np.all(np.isfinite(cvm)) and cvm.max() > cvm.min()
