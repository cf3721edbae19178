"""Choosing the prior scale (issue 13): cross-validation against cv.glmnet's formulas re-derived
here on scikit-learn fold fits, against LassoCV, against the analytic all-zero scale; empirical
Bayes against BayesianRidge, a direct numerical maximization of the evidence, quadrature and
Park & Casella's published diabetes value."""

import numpy as np
import pytest
from scipy import integrate, optimize, stats
from sklearn.linear_model import BayesianRidge, Lasso, LassoCV, LogisticRegression, PoissonRegressor

import bayesreg as br


def _data(rng, n=90, p=6, kind="gaussian"):
    X = rng.normal(size=(n, p))
    eta = X[:, :3] @ np.array([1.0, -0.8, 0.5])
    if kind == "gaussian":
        y = 1.0 + eta + rng.normal(size=n)
    elif kind == "binomial":
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    else:
        y = rng.poisson(np.exp(0.3 + 0.5 * eta)).astype(float)
    return X, y


# ------------------------------------------------- cv.glmnet 4.1-8, transliterated from its R code
# R/cv.elnet.R, R/cv.lognet.R, R/cv.fishnet.R (per-row losses on predmat, the fold predictions
# on the link scale), R/cvcompute.R + R/cvstats.R (grouped = TRUE), R/getOptcv.glmnet.R and
# R/auc.R (survival::concordance with case weights, written here as the pairwise sum).
def r_auc_mat(y, prob, w):
    """auc.mat: weighted concordance of prob with y (pairs y_i = 1, y_j = 0, ties count 1/2)."""
    i1, i0 = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    num = den = 0.0
    for i in i1:
        for j in i0:
            ww = w[i] * w[j]
            num += ww * ((prob[i] > prob[j]) + 0.5 * (prob[i] == prob[j]))
            den += ww
    return num / den


def r_cv_family(family, predmat, y, type_measure, weights, foldid):
    """cv.elnet / cv.lognet / cv.fishnet: ``(cvraw, weights, grouped)``."""
    if family == "gaussian":  # predmat = X b + a
        cvraw = {"mse": (y[:, None] - predmat) ** 2, "deviance": (y[:, None] - predmat) ** 2,
                 "mae": np.abs(y[:, None] - predmat)}[type_measure]
        return cvraw, weights, True
    if family == "poisson":  # devi(y, eta)
        eta = predmat
        devy = np.where(y > 0, y * np.log(np.where(y > 0, y, 1.0)) - y, 0.0)[:, None]
        cvraw = {"mse": (y[:, None] - np.exp(eta)) ** 2, "mae": np.abs(y[:, None] - np.exp(eta)),
                 "deviance": 2 * (devy - (y[:, None] * eta - np.exp(eta)))}[type_measure]
        return cvraw, weights, True
    prob = 1 / (1 + np.exp(-predmat))
    Y = np.c_[1 - y, y]  # diag(nc)[as.numeric(as.factor(y)), ]: columns (0, 1)
    nfolds = foldid.max()
    if type_measure == "auc":
        assert len(y) / nfolds >= 10  # else glmnet switches to the deviance
        cvraw = np.array([[r_auc_mat(Y[foldid == i, 1], prob[foldid == i, j], weights[foldid == i])
                           for j in range(prob.shape[1])] for i in range(1, nfolds + 1)])
        wisum = np.array([weights[foldid == i].sum() for i in range(1, nfolds + 1)])
        return cvraw, wisum, False
    y1, y2 = Y[:, :1], Y[:, 1:]
    if type_measure == "mse":
        cvraw = (y1 - (1 - prob)) ** 2 + (y2 - prob) ** 2
    elif type_measure == "mae":
        cvraw = np.abs(y1 - (1 - prob)) + np.abs(y2 - prob)
    elif type_measure == "class":
        cvraw = y1 * (prob > 0.5) + y2 * (prob <= 0.5)
    else:
        pm = np.minimum(np.maximum(prob, 1e-5), 1 - 1e-5)
        lp = y1 * np.log(1 - pm) + y2 * np.log(pm)
        ly = 0.0  # y * log(y) with 0 log 0 = 0, for 0/1 responses
        cvraw = 2 * (ly - lp)
    return cvraw, weights, True


def r_cvcompute(cvraw, weights, foldid):
    nfolds = foldid.max()
    mat = np.where(np.isinf(cvraw), np.nan, cvraw)
    outmat = np.empty((nfolds, mat.shape[1]))
    for i in range(1, nfolds + 1):
        mi, wi = mat[foldid == i], weights[foldid == i]
        ok = ~np.isnan(mi)
        outmat[i - 1] = (np.where(ok, mi, 0) * wi[:, None]).sum(0) / (ok * wi[:, None]).sum(0)
    wisum = np.array([weights[foldid == i].sum() for i in range(1, nfolds + 1)])
    return outmat, wisum, np.full(mat.shape[1], nfolds)


def r_cvstats(cvraw, weights, N):
    cvm = (cvraw * weights[:, None]).sum(0) / weights.sum()
    cvsd = np.sqrt(((cvraw - cvm) ** 2 * weights[:, None]).sum(0) / weights.sum() / (N - 1))
    return cvm, cvsd


def r_getoptcv(lam, cvm, cvsd, auc=False):
    cvm = -cvm if auc else cvm
    lam_min = np.max(lam[cvm <= np.min(cvm)])
    idmin = int(np.flatnonzero(lam == lam_min)[0])
    lam_1se = np.max(lam[cvm <= (cvm + cvsd)[idmin]])
    return lam_min, lam_1se


def r_cv_glmnet(family, predmat, y, type_measure, weights, foldid):
    """cv.glmnet's ``cvm, cvsd`` from the fold predictions (``predmat``, link scale)."""
    cvraw, w, grouped = r_cv_family(family, predmat, y, type_measure, weights, foldid)
    if grouped:
        cvraw, w, N = r_cvcompute(cvraw, w, foldid)
    else:
        N = np.full(cvraw.shape[1], foldid.max())
    return r_cvstats(cvraw, w, N)


def sklearn_fold_eta(family, X, y, sw, train, test, lam, n_fit):
    """The link on the test rows of scikit-learn's fit of the training rows (weights ``sw``) at
    glmnet's lambda when the datafit is divided by ``n_fit`` (glmnet: the training weight)."""
    S_tr = sw[train].sum()
    if family == "gaussian":  # Lasso: 1/(2 sum sw) sum sw r^2 + alpha |w|_1 (weights rescaled)
        est = Lasso(alpha=lam * n_fit / S_tr, tol=1e-13, max_iter=200_000)
        return est.fit(X[train], y[train], sample_weight=sw[train]).predict(X[test])
    if family == "binomial":  # C sum sw logloss + |w|^2 / 2 = n_fit C (glmnet's objective)
        est = LogisticRegression(C=1.0 / (n_fit * lam), tol=1e-12, max_iter=1000,
                                 solver="newton-cholesky")
        return est.fit(X[train], y[train], sample_weight=sw[train]).decision_function(X[test])
    est = PoissonRegressor(alpha=lam * n_fit / S_tr, tol=1e-12, max_iter=1000,
                           solver="newton-cholesky")
    return np.log(est.fit(X[train], y[train], sample_weight=sw[train]).predict(X[test]))


@pytest.mark.parametrize("family,convention,measure,weighted", [
    ("gaussian", "glmnet", "deviance", True), ("gaussian", "bayes", "mae", False),
    ("gaussian", "glmnet", "mse", False),
    ("binomial", "glmnet", "deviance", True), ("binomial", "bayes", "class", True),
    ("binomial", "glmnet", "auc", True), ("binomial", "glmnet", "mse", False),
    ("poisson", "glmnet", "deviance", True), ("poisson", "bayes", "mae", False)])
def test_cv_follows_cv_glmnet_r_code_on_sklearn_fold_fits(rng, family, convention, measure,
                                                          weighted):
    """cvm, cvsd, lambda.min and lambda.1se, given glmnet's foldid (unequal folds: 90 rows in 4)
    and case weights, from scikit-learn fits per fold and cv.glmnet's R code transliterated
    above (glmnet's binomial mse / mae code y in two columns: twice bayesreg's)."""
    X, y = _data(rng, kind=family)
    n = len(y)
    sw = rng.uniform(0.3, 2.5, n) if weighted else np.ones(n)
    foldid = rng.permutation(np.resize(np.arange(1, 5), n))
    if family == "gaussian":
        model = br.Model(br.Gaussian(1.0), br.Laplace(1.0))
        scales = np.geomspace(0.01, 2.0, 8)
        lam = 1.0 / (sw.sum() * scales)  # Laplace b = sigma^2 / (S lambda)
    else:
        model = br.Model(br.Bernoulli() if family == "binomial" else br.Poisson(), br.Normal(1.0))
        scales = np.geomspace(0.05, 3.0, 6)
        lam = 1.0 / (sw.sum() * scales**2)  # Normal tau^2 = 1 / (S lambda)
    sel = model.select_scale(X, y, methods=("cv",), scales=scales, foldid=foldid,
                             convention=convention, measure=measure, tol=1e-11,
                             sample_weight=sw if weighted else None)
    pred = np.empty((n, scales.size))
    for k in np.unique(foldid):
        test = foldid == k
        n_fit = sw.sum() if convention == "bayes" else sw[~test].sum()
        for j, lj in enumerate(lam):
            pred[test, j] = sklearn_fold_eta(family, X, y, sw, ~test, test, lj, n_fit)
    cvm, cvsd = r_cv_glmnet(family, pred, y, measure, sw, foldid)
    twice = 2.0 if family == "binomial" and measure in ("mse", "mae") else 1.0
    np.testing.assert_allclose(twice * sel.cv_mean, cvm, rtol=2e-5, atol=1e-9)
    np.testing.assert_allclose(twice * sel.cv_se, cvsd, rtol=2e-4, atol=1e-8)
    lam_min, lam_1se = r_getoptcv(lam, cvm, cvsd, auc=measure == "auc")
    assert lam[sel.index_min] == lam_min and lam[sel.index_1se] == lam_1se
    assert sel.scale_min == pytest.approx(scales[np.argmax(lam == lam_min)])


def test_class_measure_counts_a_half_as_glmnet_does():
    """cv.lognet: y = 0 is misclassified when p > 0.5, y = 1 when p <= 0.5."""
    from bayesreg.selection.cv import row_losses

    got = row_losses(br.Bernoulli(), "class", np.array([0.0, 1.0, 0.0, 1.0]),
                     np.array([0.5, 0.5, 0.7, 0.2]))
    np.testing.assert_array_equal(got, [0.0, 1.0, 1.0, 1.0])


def test_cv_mse_path_equals_lassocv_with_the_same_folds(rng):
    X, y = _data(rng, n=100, p=8)
    n = len(y)
    foldid = rng.permutation(np.resize(np.arange(5), n))
    model = br.Model(br.Gaussian(1.0), br.Laplace(1.0))
    sel = model.select_scale(X, y, methods=("cv",), n_scales=25, foldid=foldid,
                             convention="glmnet", measure="mse", tol=1e-11)
    alphas = 1.0 / (n * sel.scales)  # Lasso alpha = sigma^2 / (n b), decreasing
    splits = [(np.flatnonzero(foldid != k), np.flatnonzero(foldid == k)) for k in range(5)]
    ref = LassoCV(alphas=alphas, cv=splits, tol=1e-13, max_iter=200_000).fit(X, y)
    np.testing.assert_allclose(ref.alphas_, alphas)
    np.testing.assert_allclose(sel.cv_raw[0], ref.mse_path_.T, rtol=1e-5)
    assert ref.alpha_ == pytest.approx(1.0 / (n * sel.scale_min))


@pytest.mark.filterwarnings("ignore::FutureWarning")  # scikit-learn 1.8+: l1_ratios default
def test_cv_deviance_equals_logistic_regression_cv_with_the_same_folds(rng):
    """LogisticRegression's loss is C * sum(log loss) + |w|^2 / 2: a fixed C is a fixed prior
    variance tau^2 = C on every fold, i.e. convention="bayes"; its neg_log_loss per fold is
    minus half the binomial deviance."""
    from sklearn.linear_model import LogisticRegressionCV

    X, y = _data(rng, n=100, kind="binomial")
    foldid = rng.permutation(np.resize(np.arange(5), 100))
    scales = np.geomspace(0.05, 3.0, 10)
    sel = br.Model(br.Bernoulli(), br.Normal(1.0)).select_scale(
        X, y, methods="cv", scales=scales, foldid=foldid, tol=1e-11)
    splits = [(np.flatnonzero(foldid != k), np.flatnonzero(foldid == k)) for k in range(5)]
    ref = LogisticRegressionCV(Cs=scales**2, cv=splits, scoring="neg_log_loss", tol=1e-12,
                               max_iter=1000, solver="newton-cholesky").fit(X, y)
    np.testing.assert_allclose(sel.cv_raw[0] / 2, -ref.scores_[1].reshape(5, 10), rtol=1e-7)
    assert ref.C_[0] == pytest.approx(sel.scale_min**2)


@pytest.mark.parametrize("lik", [br.Gaussian(1.3), br.Bernoulli(), br.Poisson()],
                         ids=["gaussian", "binomial", "poisson"])
def test_cv_deviance_is_the_unit_deviance_of_scipy_densities(rng, lik):
    """2 (log p(y | saturated) - log p(y | mu)), times sigma^2 for the Gaussian (glmnet's
    gaussian deviance is the squared error)."""
    n = 50
    if isinstance(lik, br.Gaussian):
        y, mu = rng.normal(size=n), rng.normal(size=n)
        dev = 2 * (stats.norm.logpdf(y, y, 1.3) - stats.norm.logpdf(y, mu, 1.3)) * 1.3**2
    elif isinstance(lik, br.Bernoulli):
        y, mu = (rng.random(n) < 0.4).astype(float), rng.uniform(0.01, 0.99, n)
        dev = -2 * stats.bernoulli.logpmf(y, mu)
    else:
        y, mu = rng.poisson(2.0, n).astype(float), rng.uniform(0.2, 5, n)
        dev = 2 * (stats.poisson.logpmf(y, np.maximum(y, 1e-300)) - stats.poisson.logpmf(y, mu))
    np.testing.assert_allclose(lik.cv_deviance(y, mu), dev, rtol=1e-10, atol=1e-12)


def test_weighted_cv_uses_glmnet_fold_weights_and_is_input_invariant(rng):
    """With sample weights: cvraw[k] = weighted mean loss in fold k, cvm / cvsd weighted by the
    fold weights (written here; fold fits by Model.map, itself checked against scikit-learn);
    sparse X, a DataFrame and two threads give the same numbers."""
    import pandas as pd
    import scipy.sparse as sp

    X, y = _data(rng, n=60, p=4)
    sw = rng.uniform(0.2, 3.0, 60)
    foldid = rng.permutation(np.resize(np.arange(1, 4), 60))
    scales = np.array([0.02, 0.2])
    model = br.Model(br.Gaussian(1.0), br.Laplace(1.0))
    sel = model.select_scale(X, y, methods="cv", scales=scales, foldid=foldid, sample_weight=sw,
                             convention="glmnet", measure="mae", tol=1e-11)
    raw, W = np.empty((3, 2)), np.empty(3)
    for k in range(1, 4):
        tr, te = foldid != k, foldid == k
        W[k - 1] = sw[te].sum()
        for j, s in enumerate(scales):  # glmnet: the penalty per unit weight is fixed
            b = s * sw.sum() / sw[tr].sum()
            fit = br.Model(br.Gaussian(1.0), br.Laplace(b)).map(X[tr], y[tr], sample_weight=sw[tr],
                                                                tol=1e-11)
            raw[k - 1, j] = np.average(np.abs(y[te] - fit.predict(X[te])), weights=sw[te])
    cvm = W @ raw / W.sum()
    cvsd = np.sqrt(W @ (raw - cvm) ** 2 / W.sum() / 2)
    np.testing.assert_allclose(sel.cv_raw[0], raw, rtol=1e-7)
    np.testing.assert_allclose(sel.cv_mean, cvm, rtol=1e-7)
    np.testing.assert_allclose(sel.cv_se, cvsd, rtol=1e-6)
    for Xv, jobs in [(sp.csr_matrix(X), 1), (pd.DataFrame(X, columns=list("abcd")), 2)]:
        other = model.select_scale(Xv, y, methods="cv", scales=scales, foldid=foldid,
                                   sample_weight=sw, convention="glmnet", measure="mae",
                                   tol=1e-11, n_jobs=jobs)
        np.testing.assert_allclose(other.cv_mean, sel.cv_mean, rtol=1e-7)
    assert list(other.coefficients().index) == list("abcd")  # the DataFrame's columns


def test_cv_at_a_scale_below_every_folds_all_zero_threshold_is_the_null_model(rng):
    """Analytic all-zero scale: b0 = sigma^2 / max|X~' y~| per training fold; below it each
    fold predicts its training mean; the default grid starts at the full data's b0."""
    X, y = _data(rng)
    n = len(y)
    foldid = rng.permutation(np.resize(np.arange(1, 6), n))
    b0 = []
    for k in range(1, 6):
        tr = foldid != k
        Xc, yc = X[tr] - X[tr].mean(0), y[tr] - y[tr].mean()
        b0.append(1.0 / np.abs(Xc.T @ yc).max())
    s = 0.9 * min(b0)
    model = br.Model(br.Gaussian(1.0), br.Laplace(1.0))
    sel = model.select_scale(X, y, methods=("cv",), scales=[s, 10 * s], foldid=foldid)
    raw0 = [np.mean((y[foldid == k] - y[foldid != k].mean()) ** 2) for k in range(1, 6)]
    np.testing.assert_allclose(sel.cv_raw[0][:, 0], raw0, rtol=1e-12)
    full = model.select_scale(X, y, methods=("cv",), n_scales=10, cv=3, random_state=0)
    Xc, yc = X - X.mean(0), y - y.mean()
    assert full.scales[0] == pytest.approx(1.0 / np.abs(Xc.T @ yc).max(), rel=1e-10)
    assert full.nonzero[0] == 0 and full.nonzero[1] > 0


@pytest.mark.parametrize("seed", range(4))
def test_1se_is_the_more_regularizing_choice(seed):
    """The 1-SE scale is never weaker than the minimum: never more non-zeros, never a larger
    scale, and its CV error is within one SE of the minimum."""
    rng = np.random.default_rng(seed)
    kind = ["gaussian", "binomial", "gaussian", "poisson"][seed]
    X, y = _data(rng, n=80, p=10, kind=kind)
    lik = {"gaussian": br.Gaussian(1.0), "binomial": br.Bernoulli(), "poisson": br.Poisson()}[kind]
    sel = br.Model(lik, br.Laplace(1.0)).select_scale(X, y, methods=("cv",), n_scales=30, cv=5,
                                                      random_state=seed)
    i, j = sel.index_min, sel.index_1se
    assert sel.scale_1se <= sel.scale_min
    assert sel.nonzero[j] <= sel.nonzero[i]
    assert sel.cv_mean[j] <= sel.cv_mean[i] + sel.cv_se[i]
    assert np.all(sel.cv_mean[:j] > sel.cv_mean[i] + sel.cv_se[i])  # the smallest such scale
    assert sel.cv_mean[i] == sel.cv_mean.min()


def test_folds_repeats_and_auc(rng):
    X, y = _data(rng, n=120, kind="binomial")
    model = br.Model(br.Bernoulli(), br.Laplace(1.0))
    a = model.select_scale(X, y, methods=("cv",), n_scales=8, cv=4, n_repeats=3, random_state=7,
                           measure="auc")
    b = model.select_scale(X, y, methods=("cv",), n_scales=8, cv=4, n_repeats=3, random_state=7,
                           measure="auc")
    assert len(a.foldid) == 3 and all(np.array_equal(f, g) for f, g in zip(a.foldid, b.foldid))
    for f in a.foldid:  # glmnet's sample(rep(seq(nfolds), length = N)): balanced
        assert sorted(np.bincount(f)[1:]) == [30] * 4
    # cvm / cvsd = the means over repeats of glmnet's fold statistics of each repeat's AUCs
    cvm = np.mean([(r * w[:, None]).sum(0) / w.sum() for r, w in zip(a.cv_raw, a.fold_weight)], 0)
    np.testing.assert_allclose(a.cv_mean, cvm)
    # the AUC of one fold at one scale, by scipy's Mann-Whitney U
    f, k = a.foldid[0], 1
    fit = a.path.results[5]
    m = br.Model(br.Bernoulli(), a.path.priors[5]).map(X[f != k], y[f != k], tol=1e-7)
    eta = m.intercept + X[f == k] @ m.coef
    yk = y[f == k]
    u = stats.mannwhitneyu(eta[yk == 1], eta[yk == 0]).statistic
    assert a.cv_raw[0][0, 5] == pytest.approx(u / ((yk == 1).sum() * (yk == 0).sum()), abs=1e-6)
    assert fit is not None
    assert a.scale_min >= a.scale_1se  # maximized: the 1-SE rule still regularizes more
    with pytest.warns(UserWarning, match="rows per fold"):  # cv.lognet's N / nfolds < 10
        model.select_scale(X, y, methods=("cv",), n_scales=3, cv=15, measure="auc")


@pytest.mark.parametrize("kw,err", [
    (dict(measure="class"), br.NotSupportedError), (dict(measure="r2"), br.ParameterError),
    (dict(convention="sklearn"), br.ParameterError), (dict(foldid=[1, 2]), br.DataError),
    (dict(foldid=np.ones(90)), br.DataError), (dict(methods=("bic",)), br.ParameterError),
    (dict(foldid=np.arange(90) % 3, n_repeats=2), br.ParameterError),
    (dict(cv=1), br.ParameterError)])
def test_bad_arguments_name_themselves(rng, kw, err):
    X, y = _data(rng)
    with pytest.raises(err):
        br.Model(br.Gaussian(1.0), br.Laplace(1.0)).select_scale(X, y, n_scales=5, **kw)


# ------------------------------------------------------------------------- empirical Bayes
def test_ridge_eb_equals_bayesian_ridge_without_intercept(rng):
    X, y = _data(rng, n=70, p=5)
    y = y - 1.0
    sel = br.Model(br.Gaussian(None), br.Normal(1.0), fit_intercept=False).select_scale(
        X, y, methods=("eb",), n_scales=5)
    ref = BayesianRidge(alpha_1=1e-10, alpha_2=1e-10, lambda_1=1e-10, lambda_2=1e-10, tol=1e-14,
                        max_iter=100_000, fit_intercept=False).fit(X, y)
    assert sel.sigma_eb == pytest.approx(1 / np.sqrt(ref.alpha_), rel=1e-5)
    assert sel.scale_eb == pytest.approx(1 / np.sqrt(ref.lambda_), rel=1e-5)
    assert sel.eb["method"] == "exact"
    fit = sel.model("eb").map(X, y)  # sigma fixed at sigma_eb: BayesianRidge's posterior mean
    np.testing.assert_allclose(fit.coef, ref.coef_, rtol=1e-4)


def _restricted_log_evidence(X, y, tau, sigma):
    """log of the integral over a flat intercept of N(y; b0 1, sigma^2 I + tau^2 X X')."""
    n = len(y)
    C = sigma**2 * np.eye(n) + tau**2 * X @ X.T
    Ci = np.linalg.inv(C)
    one = np.ones(n)
    a = one @ Ci @ one
    P = Ci - np.outer(Ci @ one, Ci @ one) / a
    return (-(n - 1) / 2 * np.log(2 * np.pi) - 0.5 * np.linalg.slogdet(C)[1] - 0.5 * np.log(a)
            - 0.5 * y @ P @ y)


def test_ridge_eb_with_intercept_maximizes_the_evidence_written_here(rng):
    X, y = _data(rng, n=60, p=5)
    sel = br.Model(br.Gaussian(None), br.Normal(1.0)).select_scale(X, y, methods=("eb",),
                                                                   n_scales=5)
    res = optimize.minimize(lambda t: -_restricted_log_evidence(X, y, *np.exp(t)), [0.0, 0.0],
                            method="Nelder-Mead", options=dict(xatol=1e-9, fatol=1e-12))
    assert sel.scale_eb == pytest.approx(np.exp(res.x[0]), rel=1e-5)
    assert sel.sigma_eb == pytest.approx(np.exp(res.x[1]), rel=1e-5)
    assert sel.eb["log_evidence"] == pytest.approx(-res.fun, abs=1e-8)
    # a fixed sigma: 1-D maximization over tau
    fixed = br.Model(br.Gaussian(0.8), br.Normal(1.0)).select_scale(X, y, methods=("eb",),
                                                                    n_scales=5)
    r1 = optimize.minimize_scalar(lambda t: -_restricted_log_evidence(X, y, np.exp(t), 0.8),
                                  bounds=(-5, 3), method="bounded", options=dict(xatol=1e-10))
    assert fixed.scale_eb == pytest.approx(np.exp(r1.x), rel=1e-5)


def test_ridge_eb_with_per_coefficient_scales_keeps_their_ratios(rng):
    X, y = _data(rng, n=50, p=4)
    ratios = np.array([1.0, 0.5, 0.25, 1.0])
    sel = br.Model(br.Gaussian(0.9), br.Normal(2.0 * ratios)).select_scale(X, y, methods=("eb",),
                                                                         n_scales=5)
    r1 = optimize.minimize_scalar(
        lambda t: -_restricted_log_evidence(X * ratios, y, np.exp(t), 0.9), bounds=(-5, 3),
        method="bounded", options=dict(xatol=1e-10))
    assert sel.scale_eb == pytest.approx(np.exp(r1.x), rel=1e-5)
    np.testing.assert_allclose(sel.model("eb").prior.scale, sel.scale_eb * ratios)


def test_laplace_evidence_is_exact_for_gaussian_and_close_for_logistic(rng):
    from bayesreg.selection.evidence import laplace_log_evidence

    X, y = _data(rng, n=60, p=3)
    model = br.Model(br.Gaussian(0.9), br.Normal(0.6))
    fit = model.map(X, y, tol=1e-12)
    v = laplace_log_evidence(model.likelihood, model.prior, X, y, np.ones(60), True, fit)
    assert v == pytest.approx(_restricted_log_evidence(X, y, 0.6, 0.9), abs=1e-7)
    # logistic, one feature: the evidence by 2-D quadrature over (intercept, w)
    x = rng.normal(size=150)
    yb = (rng.random(150) < 1 / (1 + np.exp(-(0.3 + 1.2 * x)))).astype(float)
    sel = br.Model(br.Bernoulli(), br.Normal(1.0)).select_scale(x[:, None], yb, methods=("eb",),
                                                                n_scales=30)

    def quad_evidence(tau):
        """Trapezoid rule on a 101 x 101 grid of +-8 sd around the mode (scipy's optimum)."""
        def nlp(t):
            eta = t[0] + t[1] * x
            return -(np.sum(yb * eta - np.logaddexp(0, eta)) + stats.norm.logpdf(t[1], 0, tau))
        mode = optimize.minimize(nlp, [0.0, 0.0], method="BFGS").x
        mu = 1 / (1 + np.exp(-(mode[0] + mode[1] * x)))
        A = np.c_[np.ones_like(x), x]
        sd = np.sqrt(np.diag(np.linalg.inv(A.T @ (A * (mu * (1 - mu))[:, None])
                                           + np.diag([0, tau**-2]))))
        gb = mode[0] + sd[0] * np.linspace(-8, 8, 101)
        gw = mode[1] + sd[1] * np.linspace(-8, 8, 101)
        B, Wg = np.meshgrid(gb, gw, indexing="ij")
        eta = B[..., None] + Wg[..., None] * x
        lp = (np.sum(yb * eta - np.logaddexp(0, eta), axis=-1)
              + stats.norm.logpdf(Wg, 0, tau))
        top = lp.max()
        return np.log(integrate.trapezoid(integrate.trapezoid(np.exp(lp - top), gw, axis=1),
                                          gb)) + top

    assert sel.eb["method"] == "laplace" and "approximat" in sel.eb["note"]
    exact = optimize.minimize_scalar(lambda t: -quad_evidence(np.exp(t)), bounds=(-2, 2),
                                     method="bounded", options=dict(xatol=1e-3))
    assert sel.eb["log_evidence"] == pytest.approx(-exact.fun, abs=0.05)
    assert sel.scale_eb == pytest.approx(np.exp(exact.x), rel=0.15)


def test_mcem_reproduces_park_casella_on_diabetes():
    """Park & Casella (2008), section 4: lambda = 0.237 by marginal maximum likelihood (Monte
    Carlo EM) on the diabetes data with the predictors standardized to unit L2 norm (Efron et
    al. 2004) and the sigma-relative Laplace prior; scale = 1 / lambda. Their prior on sigma^2
    is 1/sigma^2, ours HalfNormal(sd(y)) on sigma (n = 442: no visible difference)."""
    X, y = br.datasets.load_diabetes(return_X_y=True, standardize=True)
    X = X.to_numpy() / np.sqrt(442)
    model = br.Model(br.Gaussian(None), br.BayesianLasso(1.0, relative_to_sigma=True))
    sel = model.select_scale(X, y.to_numpy(), methods=("eb",), random_state=3,
                             eb_options=dict(n_iter=20, draws=300, tune=100))
    assert sel.eb["method"] == "mcem" and sel.eb["trace"].size == 21
    assert 1 / sel.scale_eb == pytest.approx(0.237, abs=0.006)
    assert 45 < sel.sigma_eb < 60
    assert "cv" not in sel.choices() and "min" not in sel.choices()


def _laplace_marginal_1d(x, y, sigma):
    """log p(y | b) for y = b0 + w x + N(0, sigma^2), w ~ Laplace(b), flat b0 (quadrature)."""
    xc, yc = x - x.mean(), y - y.mean()
    sxx, sxy = xc @ xc, xc @ yc
    what = sxy / sxx

    def logp(b):
        def f(w):
            return np.exp(-(sxx * (w - what) ** 2) / (2 * sigma**2) - abs(w) / b - np.log(2 * b))
        lo, hi = what - 12 * sigma / np.sqrt(sxx), what + 12 * sigma / np.sqrt(sxx)
        val = integrate.quad(f, lo, hi, points=[0.0] if lo < 0 < hi else None, limit=200)[0]
        return np.log(val)  # + terms free of b
    return logp


def test_mcem_for_a_fixed_sigma_laplace_prior_matches_quadrature(rng):
    n = 40
    x = rng.normal(size=n)
    y = 0.5 + 0.4 * x + rng.normal(size=n)
    logp = _laplace_marginal_1d(x, y, 1.0)
    ref = optimize.minimize_scalar(lambda t: -logp(np.exp(t)), bounds=(-6, 3), method="bounded")
    sel = br.Model(br.Gaussian(1.0), br.Laplace(1.0)).select_scale(
        x[:, None], y, methods=("eb",), n_scales=5, random_state=0,
        eb_options=dict(n_iter=40, draws=2000, tune=100))
    assert sel.scale_eb == pytest.approx(np.exp(ref.x), rel=0.08)


def test_mcem_for_an_elastic_net_prior_matches_quadrature(rng):
    """ElasticNetPrior(b, tau) scaled by a common multiplier (ratio tau^2 / b kept), one feature,
    fixed sigma: the marginal likelihood by quadrature (the prior normalized numerically)."""
    n = 40
    x = rng.normal(size=n)
    y = 0.5 + 0.5 * x + rng.normal(size=n)
    xc, yc = x - x.mean(), y - y.mean()
    sxx, sxy = xc @ xc, xc @ yc

    def logp(c):  # penalty c (|w| / 1 + w^2 / (2 * 0.5^2))
        def kern(w):
            return np.exp(-c * (abs(w) + w * w / 0.5))
        z = 2 * integrate.quad(kern, 0, np.inf)[0]
        f = integrate.quad(lambda w: np.exp(-(sxx * w * w - 2 * sxy * w) / 2) * kern(w), -6, 6,
                           points=[0.0], limit=200)[0]
        return np.log(f / z)
    ref = optimize.minimize_scalar(lambda t: -logp(np.exp(t)), bounds=(-6, 4), method="bounded")
    sel = br.Model(br.Gaussian(1.0), br.ElasticNetPrior(1.0, 0.5)).select_scale(
        x[:, None], y, methods=("eb",), n_scales=5, random_state=2,
        eb_options=dict(n_iter=40, draws=2000, tune=100))
    assert sel.scale_eb == pytest.approx(1.0 / np.exp(ref.x), rel=0.08)  # l1_scale = 1 / c


def test_hyperprior_posterior_of_the_scale_matches_quadrature(rng):
    """Laplace(b) prior, fixed sigma, one feature: p(lambda^2 | y) is proportional to
    p(y | b = 1/lambda) Gamma(lambda^2; r, delta), by quadrature; the Gibbs posterior median of
    the scale agrees within Monte Carlo error."""
    n = 30
    x = rng.normal(size=n)
    y = 0.2 + 0.6 * x + rng.normal(size=n)
    logp = _laplace_marginal_1d(x, y, 1.0)
    r, d = 2.0, 1.0
    l2 = np.geomspace(1e-3, 200, 600)
    logpost = np.array([logp(1 / np.sqrt(v)) for v in l2]) + stats.gamma.logpdf(l2, r, scale=1 / d)
    dens = np.exp(logpost - logpost.max()) * l2  # on log(lambda^2)
    cdf = np.cumsum(dens) / dens.sum()
    med_scale = 1 / np.sqrt(np.interp(0.5, cdf, l2))
    sel = br.Model(br.Gaussian(1.0), br.Laplace(1.0)).select_scale(
        x[:, None], y, methods=("hyperprior",), n_scales=5, random_state=1,
        hyperprior_options=dict(lam2_prior=(r, d), draws=4000, tune=500, chains=2))
    post = sel.scale_posterior
    assert post["median"] == pytest.approx(med_scale, rel=0.06)
    assert post["interval"][0] < post["median"] < post["interval"][1]


# ------------------------------------------------------------- result, LOO, posterior path
def test_to_frame_conversions_model_and_plot(rng):
    X, y = _data(rng, n=80, p=6)
    n = len(y)
    sel = br.Model(br.Gaussian(1.5), br.Laplace(1.0)).select_scale(
        X, y, n_scales=20, cv=4, random_state=2, eb_options=dict(n_iter=4, draws=100, tune=50))
    df = sel.to_frame().set_index("method")
    assert list(df.index) == ["cv_min", "cv_1se", "eb"]
    for which in ("cv_min", "cv_1se"):
        b = df.loc[which, "scale"]
        alpha = 1.5**2 / (n * b)  # Lasso alpha = sigma^2 / (n b) = glmnet lambda
        assert df.loc[which, "sklearn_alpha"] == pytest.approx(alpha)
        assert df.loc[which, "glmnet_lambda"] == pytest.approx(alpha)
        ref = Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(X, y)
        assert df.loc[which, "nonzero"] == np.count_nonzero(ref.coef_)
    assert df.loc["cv_min", "cv_error"] == pytest.approx(sel.cv_mean.min())
    m = sel.model("1se")
    assert m.prior.scale == pytest.approx(sel.scale_1se) and m.likelihood == br.Gaussian(1.5)
    coefs = sel.coefficients()
    assert list(coefs.columns) == ["cv_min", "cv_1se", "eb"] and coefs.shape == (6, 3)
    np.testing.assert_allclose(coefs["cv_1se"], m.map(X, y, tol=1e-10).coef, atol=1e-5)
    with pytest.raises(br.NotSupportedError):
        sel.model("hyperprior")
    with pytest.raises(br.ParameterError):
        sel.model("median")
    assert "scale_min" in repr(sel)
    ax = sel.plot()
    assert ax.get_xscale() == "log"
    import matplotlib.pyplot as plt

    plt.close("all")


def _exact_loo_elpd(X, y, tau, sigma):
    """Exact LOO elpd of Gaussian x Normal with a flat intercept (Gaussian predictive)."""
    A = np.c_[np.ones(len(y)), X]
    D = np.diag([0.0] + [tau**-2] * X.shape[1])
    out = 0.0
    for i in range(len(y)):
        keep = np.arange(len(y)) != i
        S = np.linalg.inv(A[keep].T @ A[keep] / sigma**2 + D)
        mu = S @ A[keep].T @ y[keep] / sigma**2
        out += stats.norm.logpdf(y[i], A[i] @ mu, np.sqrt(sigma**2 + A[i] @ S @ A[i]))
    return out


def test_loo_elpd_matches_exact_leave_one_out(rng):
    X, y = _data(rng, n=40, p=3)
    model = br.Model(br.Gaussian(1.0), br.Normal(1.0))
    sel = model.select_scale(X, y, methods=("loo",), scales=[0.05, 0.5], random_state=4,
                             loo_options=dict(draws=1000, chains=2))
    assert list(sel.loo.columns) == ["scale", "elpd", "se", "p_loo", "max_pareto_k"]
    for s, e in zip(sel.loo["scale"], sel.loo["elpd"]):
        assert e == pytest.approx(_exact_loo_elpd(X, y, s, 1.0), abs=0.3)
    assert sel.scale_loo == 0.5


def test_posterior_path_is_the_exact_posterior_at_each_scale(rng):
    """Gaussian x Normal, fixed sigma: at each scale coef | y ~ N(A^-1 X~'y~ / sigma^2, A^-1),
    A = X~'X~ / sigma^2 + I / tau^2; posterior means within MCSE (exact i.i.d. Gibbs draws)."""
    X, y = _data(rng, n=50, p=3)
    sigma = 1.2
    model = br.Model(br.Gaussian(sigma), br.Normal(1.0))
    dt = model.posterior_path(X, y, scales=[0.05, 0.3, 2.0], draws=400, random_seed=5)
    coef = dt["posterior"]["coef"]
    assert coef.dims == ("scale", "chain", "draw", "feature")
    Xc, yc = X - X.mean(0), y - y.mean()
    for k, tau in enumerate([0.05, 0.3, 2.0]):
        A = Xc.T @ Xc / sigma**2 + np.eye(3) / tau**2
        mean, cov = np.linalg.solve(A, Xc.T @ yc / sigma**2), np.linalg.inv(A)
        draws = coef.isel(scale=k).values.reshape(-1, 3)
        z = (draws.mean(0) - mean) / np.sqrt(np.diag(cov) / draws.shape[0])
        assert np.all(np.abs(z) < 4.5), z
        np.testing.assert_allclose(dt["map"]["coef"].isel(scale=k).values, mean, rtol=1e-6)
    from bayesreg.selection.posterior_path import plot_posterior_path

    axes = plot_posterior_path(dt)
    assert len(axes) == 3
    import matplotlib.pyplot as plt

    plt.close("all")


def test_choose_scale_docs_code_runs(capsys):
    import re
    from pathlib import Path

    page = Path(__file__).resolve().parents[1] / "docs" / "choose-scale.md"
    blocks = re.findall(r"^```python\n(.*?)^```", page.read_text(), flags=re.S | re.M)
    assert len(blocks) == 2
    ns: dict = {}
    for code in blocks:
        exec(compile(code, "choose-scale.md", "exec"), ns)
    assert "cv_1se" in capsys.readouterr().out


def test_cli_select_prints_the_choices_and_writes_the_plot(tmp_path, capsys):
    import json

    import pandas as pd

    from bayesreg.cli import main

    rng = np.random.default_rng(3)
    X, y = _data(rng, n=60, p=4)
    csv = tmp_path / "d.csv"
    pd.DataFrame(X, columns=list("abcd")).assign(y=y).to_csv(csv, index=False)
    argv = ["select", str(csv), "--target", "y", "--sigma", "1", "--methods", "cv", "--cv", "4",
            "--n-scales", "12", "--seed", "5"]
    assert main(argv + ["--json", "--plot", str(tmp_path / "s.png")]) == 0
    got = json.loads(capsys.readouterr().out)
    sel = br.Model(br.Gaussian(1.0), br.Laplace(1.0)).select_scale(X, y, methods="cv", n_scales=12,
                                                                   cv=4, random_state=5)
    rows = {r["method"]: r for r in got["choices"]}
    assert rows["cv_min"]["scale"] == pytest.approx(sel.scale_min)
    assert rows["cv_1se"]["sklearn_alpha"] == pytest.approx(1.0 / (60 * sel.scale_1se))
    assert (tmp_path / "s.png").stat().st_size > 1000
    assert main(argv[:-6] + ["--methods", "bic"]) == 2
    assert "methods must be" in capsys.readouterr().err


def test_posterior_path_of_a_prior_without_a_mode_and_its_errors(rng):
    X, y = _data(rng, n=40, p=3)
    model = br.Model(br.Gaussian(None), br.BayesianLasso(0.5))
    dt = model.posterior_path(X, y, n_scales=2, draws=50, random_seed=0)
    np.testing.assert_allclose(dt["posterior"]["scale"].values, [0.005, 50.0])
    assert "map" not in dt.children and dt["posterior"]["sigma"].dims == ("scale", "chain", "draw")
    with pytest.raises(br.ParameterError):
        br.Model(br.Gaussian(None), br.BayesianLasso()).posterior_path(X, y, n_scales=2)
    sel = model.select_scale(X, y, methods=("cv",), n_scales=3)
    assert "cv" in sel.skipped and sel.choices() == {}


def test_report_gains_a_choosing_the_scale_section(rng, tmp_path):
    X, y = _data(rng, n=60, p=4)
    model = br.Model(br.Gaussian(1.0), br.Laplace(1.0))
    fit = model.map(X, y)
    dt = model.sample(X, y, sampler="gibbs", draws=100, tune=50, chains=2, random_seed=0,
                      progressbar=False)
    sel = model.select_scale(X, y, methods="cv", n_scales=10, cv=3, random_state=1)
    rep = br.report(model, X, y, out_dir=tmp_path / "r", idata=dt, fit=fit, compare_priors=False,
                    crosscheck=False, select_scale=sel)
    page = rep.html.read_text()
    assert 'id="choosing-the-scale"' in page and "cv_1se" in page
    assert "choosing_the_scale" in rep.figures and rep.selection is sel
    assert "choosing the scale: reused" in page  # the list of what was computed


def _batch_mcse(draws, chains, n_batches=20):
    """MCSE of the mean by batch means within each chain."""
    d = np.asarray(draws).reshape(chains, -1)
    m = d[:, : d.shape[1] // n_batches * n_batches].reshape(chains, n_batches, -1).mean(-1)
    return float(m.std(ddof=1) / np.sqrt(m.size))


def test_normal_hyperprior_posterior_of_tau2_matches_quadrature(rng):
    """Normal(tau) prior, fixed sigma, tau^2 ~ InverseGamma(a, b) (BayesianRidge): p(tau^2 | y) is
    proportional to p(y | tau) InverseGamma(tau^2; a, b), the evidence written in this test
    (flat intercept integrated); the Gibbs posterior of log tau agrees within MCSE."""
    n, a, b, sigma = 30, 2.0, 0.5, 0.8
    X = rng.normal(size=(n, 2))
    y = 0.3 + X @ np.array([0.5, -0.3]) + sigma * rng.normal(size=n)
    t = np.linspace(np.log(1e-4), np.log(50.0), 1500)  # t = log tau^2
    logpost = np.array([_restricted_log_evidence(X, y, np.exp(v / 2), sigma) for v in t])
    logpost += stats.invgamma.logpdf(np.exp(t), a, scale=b) + t  # Jacobian d tau^2 / dt
    dens = np.exp(logpost - logpost.max())
    dens /= integrate.trapezoid(dens, t)
    mean_log_tau = integrate.trapezoid(dens * t / 2, t)
    cdf = integrate.cumulative_trapezoid(dens, t, initial=0.0)
    med_tau = np.exp(np.interp(0.5, cdf, t) / 2)
    sel = br.Model(br.Gaussian(sigma), br.Normal(1.0)).select_scale(
        X, y, methods=("hyperprior",), n_scales=5, random_state=3,
        hyperprior_options=dict(tau2_prior=(a, b), draws=4000, tune=200, chains=2))
    post = sel.scale_posterior
    assert post["variable"] == "tau2" and post["hyperprior"] == br.BayesianRidge((a, b))
    log_tau = np.log(post["draws"])
    z = (log_tau.mean() - mean_log_tau) / _batch_mcse(log_tau, 2)
    assert abs(z) < 4.0, z
    assert post["median"] == pytest.approx(med_tau, rel=0.05)
    assert "hyperprior" in sel.choices()
    import matplotlib.pyplot as plt

    ax = sel.plot()
    line = [h for h in ax.get_lines() if h.get_label() == "hyperprior posterior of the scale"][0]
    xs, ys = line.get_data()  # the density of log tau: its mode near quadrature's
    mode_q = np.exp(t[np.argmax(dens)] / 2)
    assert xs[np.argmax(ys)] == pytest.approx(mode_q, rel=0.25)
    plt.close("all")


def test_warm_started_posterior_path_matches_independent_chains_within_mcse(rng):
    """Gaussian (sigma estimated) x Laplace: the warm-started Gibbs path (no warm-up sweeps after
    the first scale) and independent cold-started chains give the same posterior means of coef
    and sigma at every scale, within their Monte Carlo standard errors."""
    X, y = _data(rng, n=40, p=3)
    model = br.Model(br.Gaussian(None), br.Laplace(1.0))
    scales = [0.02, 0.1, 0.5]
    warm = model.posterior_path(X, y, scales=scales, draws=1500, tune=200, tune_warm=0,
                                random_seed=1)
    cold = model.posterior_path(X, y, scales=scales, draws=1500, tune=200, warm_start=False,
                                random_seed=2)
    assert warm.attrs["warm_start"] == 1 and cold.attrs["warm_start"] == 0
    zs = []
    for k in range(len(scales)):
        for var in ("coef", "sigma"):
            a = warm["posterior"][var].isel(scale=k).values
            b = cold["posterior"][var].isel(scale=k).values
            a, b = a.reshape(2, 1500, -1), b.reshape(2, 1500, -1)
            for j in range(a.shape[-1]):
                se = np.hypot(_batch_mcse(a[..., j], 2), _batch_mcse(b[..., j], 2))
                zs.append((a[..., j].mean() - b[..., j].mean()) / se)
    assert np.max(np.abs(zs)) < 4.5, zs


@pytest.mark.slow
def test_warm_started_nuts_path_matches_an_independent_sample_within_mcse(rng):
    """Bernoulli x Laplace (NUTS by nutpie): at the second scale the warm-started path (the
    first scale's adapted step size, a shorter tune) and an independent ``sample`` with the
    full tune at that scale give the same posterior means within their MCSEs."""
    n, p = 120, 2
    X = rng.normal(size=(n, p))
    y = (rng.random(n) < 1 / (1 + np.exp(-(0.3 + X @ np.array([1.0, -0.5]))))).astype(float)
    model = br.Model(br.Bernoulli(), br.Laplace(1.0))
    scales = [0.05, 0.5]
    draws = 1000
    warm = model.posterior_path(X, y, scales=scales, draws=draws, tune=300, random_seed=1,
                                sampler="nutpie")
    assert warm.attrs["warm_start"] == 1 and warm.attrs["tune_warm"] == 150
    ref = br.Model(br.Bernoulli(), br.Laplace(scales[1])).sample(
        X, y, draws=draws, tune=300, chains=2, random_seed=2, sampler="nutpie",
        progressbar=False, log_likelihood=False)
    zs = []
    for var in ("coef", "intercept"):
        a = warm["posterior"][var].isel(scale=1).values.reshape(2, draws, -1)
        b = ref["posterior"][var].values.reshape(2, draws, -1)
        for j in range(a.shape[-1]):
            se = np.hypot(_batch_mcse(a[..., j], 2), _batch_mcse(b[..., j], 2))
            zs.append((a[..., j].mean() - b[..., j].mean()) / se)
    assert np.max(np.abs(zs)) < 4.5, zs
    # the warm start moved the scale: the weaker prior's posterior differs from the first one's
    a0 = warm["posterior"]["coef"].isel(scale=0).values.reshape(-1, p)
    a1 = warm["posterior"]["coef"].isel(scale=1).values.reshape(-1, p)
    assert abs(a1[:, 0].mean()) > abs(a0[:, 0].mean())
