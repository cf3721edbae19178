"""Conversion rules between priors and scikit-learn / glmnet penalties, checked by solving the
*library's* objective independently (sklearn solvers or scipy.optimize on the written-out formula)."""

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy import optimize
from scipy.special import expit
from sklearn.linear_model import ElasticNet, Lasso, LogisticRegression, PoissonRegressor, Ridge

import bayesreg as br
from bayesreg.conversions import NOT_CONVERTED, from_glmnet, prior_from_penalty, sklearn_argument_table
from bayesreg.likelihoods import Gaussian


def test_documented_closed_forms():
    n, sigma = 442, 2.0
    assert br.Model.from_sklearn(Ridge(alpha=4.0), sigma=sigma).prior == br.Normal(1.0)
    assert br.Model.from_sklearn(Lasso(alpha=0.1), n_samples=n, sigma=sigma).prior == br.Laplace(4 / 44.2)
    en = br.Model.from_sklearn(ElasticNet(alpha=0.2, l1_ratio=0.25), n_samples=n, sigma=sigma).prior
    assert np.isclose(1 / en.l1_scale, n * 0.2 * 0.25 / 4)
    assert np.isclose(1 / en.l2_scale**2, n * 0.2 * 0.75 / 4)
    lr = br.Model.from_sklearn(LogisticRegression(C=0.3)).prior
    assert isinstance(lr, br.Normal) and np.isclose(lr.scale**2, 0.3)  # prior variance C
    l1 = br.Model.from_sklearn(LogisticRegression(C=0.3, l1_ratio=1.0, solver="saga")).prior
    assert isinstance(l1, br.Laplace) and np.isclose(l1.scale, 0.3)  # Laplace scale C
    po = br.Model.from_sklearn(PoissonRegressor(alpha=0.01), n_samples=100).prior
    assert np.isclose(po.scale**2, 1 / (100 * 0.01))  # prior variance 1/(n alpha)
    g = br.Model.from_glmnet(0.05, alpha=1.0, family="binomial", n_samples=200).prior
    assert isinstance(g, br.Laplace) and np.isclose(g.scale, 1 / (200 * 0.05))
    g2 = br.Model.from_glmnet(0.05, alpha=0.0, family="poisson", n_samples=200).prior
    assert isinstance(g2, br.Normal) and np.isclose(g2.scale**2, 1 / (200 * 0.05))


ROUND_TRIP_ESTIMATORS = [
    Ridge(alpha=2.0), Lasso(alpha=0.3), ElasticNet(alpha=0.3, l1_ratio=0.4),
    LogisticRegression(C=0.7), LogisticRegression(C=0.7, l1_ratio=1.0, solver="saga"),
    LogisticRegression(C=0.7, l1_ratio=0.3, solver="saga"), PoissonRegressor(alpha=0.2)]


@pytest.mark.parametrize(
    "est",
    ROUND_TRIP_ESTIMATORS,
    ids=repr,
)
def test_sklearn_round_trip(est):
    model = br.Model.from_sklearn(est, n_samples=57, sigma=1.7)
    back = model.to_sklearn(n_samples=57, sigma=1.7)
    assert type(back) is type(est)
    for k in ("alpha", "l1_ratio", "C"):
        if k in est.get_params() and k in back.get_params():
            if k == "l1_ratio" and type(est).__name__ == "Lasso":
                continue
            assert np.isclose(back.get_params()[k], est.get_params()[k], rtol=1e-12), k


@pytest.mark.parametrize("family", ["gaussian", "binomial", "poisson"])
@pytest.mark.parametrize("alpha", [0.0, 0.3, 1.0])
def test_glmnet_round_trip(family, alpha):
    pf = np.array([1.0, 2.0, 0.5, 1.5])
    m = br.Model.from_glmnet(0.07, alpha=alpha, family=family, n_samples=90, sigma=1.2, penalty_factor=pf)
    d = m.to_glmnet(n_samples=90)
    assert d["family"] == family
    assert np.isclose(d["lambda_"], 0.07) and np.isclose(d["alpha"], alpha)
    np.testing.assert_allclose(d["penalty_factor"], pf * 4 / pf.sum())


def _glmnet_objective(X, y, family, lam, alpha, pf, sigma=1.0):
    """glmnet's documented objective, written out: -(1/n) loglik + lam * sum pf_j [...]"""
    n, p = X.shape
    pf = pf * p / pf.sum()

    def f(theta):
        b, w = theta[0], theta[1:]
        eta = b + X @ w
        if family == "gaussian":
            loss = 0.5 * np.mean((y - eta) ** 2)
        elif family == "binomial":
            loss = np.mean(np.logaddexp(0, eta) - y * eta)
        else:
            loss = np.mean(np.exp(eta) - y * eta)
        return loss + lam * np.sum(pf * (alpha * np.abs(w) + 0.5 * (1 - alpha) * w**2))

    return f


@pytest.mark.parametrize("family", ["gaussian", "binomial", "poisson"])
def test_glmnet_ridge_with_penalty_factor_matches_written_objective(rng, family):
    n, p = 120, 5
    X = rng.normal(size=(n, p))
    eta = 0.3 + X @ np.array([0.8, -0.5, 0.0, 0.3, 0.0])
    y = {"gaussian": eta + rng.normal(size=n),
         "binomial": (rng.random(n) < expit(eta)).astype(float),
         "poisson": rng.poisson(np.exp(eta)).astype(float)}[family]
    pf = np.array([1.0, 3.0, 0.5, 2.0, 1.0])
    lam = 0.05
    m = br.Model.from_glmnet(lam, alpha=0.0, family=family, n_samples=n, sigma=1.0, penalty_factor=pf)
    fit = m.map(X, y, tol=1e-12)
    f = _glmnet_objective(X, y, family, lam, 0.0, pf)
    ref = optimize.minimize(f, np.zeros(p + 1), method="BFGS", options={"gtol": 1e-12, "maxiter": 10_000})
    np.testing.assert_allclose(fit.coef, ref.x[1:], atol=1e-5)
    assert f(np.r_[fit.intercept, fit.coef]) <= ref.fun + 1e-12


def test_glmnet_gaussian_equals_sklearn_elasticnet(rng):
    X = rng.normal(size=(100, 8))
    y = X[:, :3].sum(1) + rng.normal(size=100)
    m = br.Model.from_glmnet(0.1, alpha=0.5, family="gaussian", n_samples=100, sigma=1.0)
    est = ElasticNet(alpha=0.1, l1_ratio=0.5, tol=1e-14, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(m.map(X, y, tol=1e-14).coef, est.coef_, atol=1e-7)


def test_glmnet_binomial_equals_logistic_regression(rng):
    X = rng.normal(size=(200, 5))
    y = (rng.random(200) < expit(X[:, 0] - X[:, 1])).astype(float)
    lam = 0.02
    m = br.Model.from_glmnet(lam, alpha=1.0, family="binomial", n_samples=200)
    est = LogisticRegression(C=1 / (200 * lam), l1_ratio=1.0, solver="saga", tol=1e-13,
                             max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(m.map(X, y, tol=1e-10).coef, est.coef_.ravel(), atol=1e-6)


def test_prior_from_penalty():
    assert prior_from_penalty(2.0, 0.0) == br.Laplace(0.5)
    assert prior_from_penalty(0.0, 4.0) == br.Normal(0.5)
    assert prior_from_penalty(2.0, 4.0) == br.ElasticNetPrior(0.5, 0.5)
    with pytest.raises(br.NotSupportedError, match="flat"):
        prior_from_penalty(0.0, 0.0)


@pytest.mark.parametrize(
    "call,err,match",
    [
        (lambda: br.Model.from_sklearn(Lasso(alpha=0.1), sigma=1.0), br.ParameterError, "n_samples"),
        (lambda: br.Model.from_sklearn(Ridge(alpha=0.0)), br.NotSupportedError, "unpenalized"),
        (lambda: br.Model.from_sklearn(LogisticRegression(C=np.inf)), br.NotSupportedError, "unpenalized"),
        (lambda: br.Model.from_sklearn(Lasso(alpha=0.1), n_samples=10, sigma=None), br.ParameterError,
         "sigma"),
        (lambda: br.Model.from_sklearn(object()), br.BayesregTypeError, "Ridge"),
        (lambda: br.Model(br.Gaussian(None), br.Laplace(1.0)).to_sklearn(n_samples=5), br.ParameterError,
         "sigma"),
        (lambda: br.Model(br.Gaussian(1.0), br.Laplace([1.0, 2.0])).to_sklearn(n_samples=5),
         br.NotSupportedError, "per-feature"),
        (lambda: br.Model(br.Poisson(), br.Laplace(1.0)).to_sklearn(n_samples=5), br.NotSupportedError,
         "glmnet"),
        (lambda: br.Model.from_glmnet(0.1, alpha=1.5, n_samples=10), br.ParameterError, "alpha"),
        (lambda: br.Model.from_glmnet(0.1, family="gamma", n_samples=10), br.ParameterError, "family"),
        (lambda: br.Model.from_glmnet(0.1, n_samples=10, penalty_factor=[1.0, 0.0]), br.ParameterError,
         "flat"),
    ],
)
def test_conversion_errors(call, err, match):
    with pytest.raises(err, match=match):
        call()


# ---------------------------------------------------------------------------------------------
# Every constructor argument of the five estimators: one case per row of the conversion table
# (declared by the likelihoods, docs/guide/conversions.md lists it).

ESTIMATORS = {"Ridge": Ridge, "Lasso": Lasso, "ElasticNet": ElasticNet,
              "LogisticRegression": LogisticRegression, "PoissonRegressor": PoissonRegressor}
SIGMA = 1.3
#: keyword arguments giving a tightly converged scikit-learn fit
BASE = {
    "Ridge": dict(alpha=2.0),
    "Lasso": dict(alpha=0.05, tol=1e-14, max_iter=100_000),
    "ElasticNet": dict(alpha=0.05, l1_ratio=0.4, tol=1e-14, max_iter=100_000),
    "LogisticRegression": dict(C=0.5, solver="newton-cholesky", tol=1e-12, max_iter=10_000),
    "PoissonRegressor": dict(alpha=0.05, solver="newton-cholesky", tol=1e-12, max_iter=10_000),
}
_CD_CASES = {
    "fit_intercept": (False, {}), "copy_X": (False, {}), "max_iter": (500_000, {}),
    "tol": (1e-15, {}), "random_state": (3, {"selection": "random"}),
    "precompute": (True, {}), "selection": ("random", {"random_state": 0}),
    "warm_start": (True, {}), "positive": (True, {}), "coef_": ("two targets", {}),
}
#: (estimator, argument) -> (non-default value, other keyword arguments of that case)
CASES = {
    ("Ridge", "alpha"): (5.0, {}),
    ("Ridge", "fit_intercept"): (False, {}),
    ("Ridge", "solver"): ("svd", {}),
    ("Ridge", "copy_X"): (False, {}),
    ("Ridge", "max_iter"): (500, {"solver": "lsqr", "tol": 1e-14}),
    ("Ridge", "tol"): (1e-14, {"solver": "lsqr"}),
    ("Ridge", "random_state"): (3, {}),
    ("Ridge", "positive"): (True, {}),
    ("Ridge", "coef_"): ("two targets", {}),
    **{("Lasso", k): v for k, v in _CD_CASES.items()},
    ("Lasso", "alpha"): (0.1, {}),
    **{("ElasticNet", k): v for k, v in _CD_CASES.items()},
    ("ElasticNet", "alpha"): (0.1, {}),
    ("ElasticNet", "l1_ratio"): (0.8, {}),
    ("LogisticRegression", "C"): (2.0, {}),
    ("LogisticRegression", "l1_ratio"): (0.5, {"solver": "saga", "tol": 1e-14,
                                               "max_iter": 200_000}),
    ("LogisticRegression", "penalty"): ("l1", {"solver": "saga", "tol": 1e-14,
                                               "max_iter": 200_000}),
    ("LogisticRegression", "fit_intercept"): (False, {}),
    ("LogisticRegression", "solver"): ("liblinear", {}),
    ("LogisticRegression", "intercept_scaling"): (3.0, {}),
    ("LogisticRegression", "class_weight"): ("balanced", {}),
    ("LogisticRegression", "dual"): (True, {"solver": "liblinear", "fit_intercept": False,
                                            "tol": 1e-14}),
    ("LogisticRegression", "max_iter"): (50_000, {}),
    ("LogisticRegression", "tol"): (1e-13, {}),
    ("LogisticRegression", "warm_start"): (True, {}),
    ("LogisticRegression", "random_state"): (3, {}),
    ("LogisticRegression", "n_jobs"): (1, {}),
    ("LogisticRegression", "verbose"): (1, {}),
    ("LogisticRegression", "classes_"): ("three classes", {}),
    ("PoissonRegressor", "alpha"): (0.2, {}),
    ("PoissonRegressor", "fit_intercept"): (False, {}),
    ("PoissonRegressor", "solver"): ("lbfgs", {"tol": 1e-14}),
    ("PoissonRegressor", "max_iter"): (50_000, {}),
    ("PoissonRegressor", "tol"): (1e-13, {}),
    ("PoissonRegressor", "warm_start"): (True, {}),
    ("PoissonRegressor", "verbose"): (1, {}),
}
ROWS = [(name, arg) for name in ESTIMATORS for arg in sklearn_argument_table(name)]


def _data(name, n=60, p=4, kind=None):
    rng = np.random.default_rng(7)
    X = rng.normal(size=(n, p))
    eta = 0.4 + X @ np.array([0.8, -0.5, 0.0, 0.3])[:p]
    if name == "LogisticRegression":
        if kind == "three classes":
            return X, np.arange(n) % 3
        return X, (rng.random(n) < expit(eta)).astype(float)
    if name == "PoissonRegressor":
        return X, rng.poisson(np.exp(eta)).astype(float)
    y = eta + rng.normal(size=n)
    if kind == "two targets":
        return X, np.c_[y, y + rng.normal(size=n)]
    return X, y


def _map(model, X, y, sw=None):
    return model.map(X, y, sample_weight=sw, tol=1e-14 if model.likelihood.family == "gaussian"
                     else 1e-12)


def test_every_constructor_argument_has_a_row_and_a_test_case():
    for name, cls in ESTIMATORS.items():
        table = sklearn_argument_table(name)
        assert set(cls().get_params()) <= set(table), name  # a new sklearn argument: classify it
        for action, text, check in table.values():
            assert action in ("converted", "ignored", "refused") and text
            assert check is not None if action == "refused" else True
            assert check is None if action == "ignored" else True
    assert set(CASES) == set(ROWS)


def test_the_docs_table_lists_every_row():
    page = (Path(__file__).resolve().parents[1] / "docs" / "guide" / "conversions.md").read_text()
    for name, arg in ROWS:
        action = sklearn_argument_table(name)[arg][0]
        assert f"| `{name}` | `{arg}` | {action} |" in page, (name, arg)
    for name in NOT_CONVERTED:
        assert f"`{name}`" in page


def test_conversions_page_code_runs(capsys):
    page = (Path(__file__).resolve().parents[1] / "docs" / "guide" / "conversions.md").read_text()
    blocks = re.findall(r"^```python\n(.*?)^```", page, flags=re.S | re.M)
    assert len(blocks) >= 3
    for code in blocks:
        exec(compile(code, "conversions.md", "exec"), {})
    out = capsys.readouterr().out
    assert "positive=True" in out and "liblinear" in out and "class_weight" in out


@pytest.mark.parametrize("name,arg", ROWS, ids=lambda v: str(v))
def test_each_table_row(name, arg):
    """refused -> the error names the argument; converted / ignored -> the converted model's MAP
    equals scikit-learn's fitted coefficients."""
    action = sklearn_argument_table(name)[arg][0]
    value, extra = CASES[(name, arg)]
    kw = {**BASE[name], **extra}
    fitted_attr = arg.endswith("_")
    if not fitted_attr:
        kw[arg] = value
    est = ESTIMATORS[name](**kw)
    X, y = _data(name, kind=value if fitted_attr else None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecated penalty, verbose output, liblinear notes
        est.fit(X.copy(), y.copy())  # copy_X=False centers X in place
    if action == "refused":
        with pytest.raises(br.NotSupportedError, match=re.escape(arg)):
            br.Model.from_sklearn(est, n_samples=len(y), sigma=SIGMA)
        return
    model = br.Model.from_sklearn(est, n_samples=len(y), sigma=SIGMA)
    if action == "ignored":  # the same model as without the argument
        base = {k: v for k, v in kw.items() if k != arg}
        assert br.Model.from_sklearn(ESTIMATORS[name](**base), n_samples=len(y), sigma=SIGMA) \
            == model
    fit = _map(model, X, y)
    np.testing.assert_allclose(fit.coef, np.ravel(est.coef_), atol=1e-6, rtol=0)
    assert abs(fit.intercept - float(np.ravel(est.intercept_)[0] if np.ndim(est.intercept_)
                                     else est.intercept_)) < 1e-6
    assert model.fit_intercept == est.fit_intercept


@pytest.mark.parametrize(
    "est,err,arg",
    [
        (Ridge(alpha=np.array([1.0, 2.0])), br.NotSupportedError, "alpha"),
        (Ridge(alpha=-1.0), br.ParameterError, "alpha"),
        (Ridge(alpha="big"), br.ParameterError, "alpha"),
        (Lasso(alpha=0.0), br.NotSupportedError, "alpha"),
        (Lasso(alpha=-0.1), br.ParameterError, "alpha"),
        (ElasticNet(alpha=0.1, l1_ratio=1.5), br.ParameterError, "l1_ratio"),
        (ElasticNet(alpha=0.1, l1_ratio=-0.1), br.ParameterError, "l1_ratio"),
        (ElasticNet(alpha=0.1, l1_ratio=None), br.ParameterError, "l1_ratio"),
        (LogisticRegression(C=np.inf), br.NotSupportedError, "C"),
        (LogisticRegression(C=-1.0), br.ParameterError, "C"),
        (LogisticRegression(l1_ratio=2.0), br.ParameterError, "l1_ratio"),
        (LogisticRegression(penalty=None), br.NotSupportedError, "penalty"),
        (LogisticRegression(penalty="elasticnet", l1_ratio=None), br.ParameterError, "l1_ratio"),
        (LogisticRegression(penalty="l3"), br.ParameterError, "penalty"),
        (LogisticRegression(class_weight={0: 1.0, 1: 2.0}), br.NotSupportedError, "class_weight"),
        (LogisticRegression(solver="liblinear", penalty="l1"), br.NotSupportedError, "solver"),
        (PoissonRegressor(alpha=0.0), br.NotSupportedError, "alpha"),
        (Ridge(fit_intercept="yes"), br.ParameterError, "fit_intercept"),
    ],
    ids=repr,
)
def test_refused_values_name_the_argument(est, err, arg):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(err, match=rf"\b{arg}\b"):
            br.Model.from_sklearn(est, n_samples=50, sigma=1.0)


def test_one_element_ridge_alpha_array_is_the_scalar():
    X, y = _data("Ridge")
    est = Ridge(alpha=np.array([3.0])).fit(X, y)
    model = br.Model.from_sklearn(est, sigma=SIGMA)
    assert model == br.Model.from_sklearn(Ridge(alpha=3.0), sigma=SIGMA)
    np.testing.assert_allclose(_map(model, X, y).coef, est.coef_, atol=1e-8)


def test_liblinear_without_intercept_is_converted():
    X, y = _data("LogisticRegression")
    for kw in (dict(l1_ratio=0.0), dict(penalty="l1")):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = LogisticRegression(C=0.5, solver="liblinear", fit_intercept=False, tol=1e-14,
                                     max_iter=100_000, **kw).fit(X, y)
        fit = _map(br.Model.from_sklearn(est), X, y)
        np.testing.assert_allclose(fit.coef, est.coef_.ravel(), atol=1e-6)
        assert fit.intercept == 0


@pytest.mark.parametrize("name", [*NOT_CONVERTED])
def test_cv_and_unpenalized_estimators_are_refused_with_a_recipe(name):
    from sklearn import linear_model

    with pytest.raises(br.NotSupportedError, match=name) as e:
        br.Model.from_sklearn(getattr(linear_model, name)(), n_samples=10)
    assert "Ridge" in str(e.value) or "alpha_" in str(e.value) or "C_" in str(e.value)


def test_an_argument_without_a_rule_is_refused_unless_at_its_default(monkeypatch):
    """A future scikit-learn argument (here: one whose row is removed) fails loudly."""
    monkeypatch.delitem(Gaussian.sklearn_arguments["Lasso"], "selection")
    assert br.Model.from_sklearn(Lasso(alpha=0.1), n_samples=10).prior == br.Laplace(1.0)
    with pytest.raises(br.NotSupportedError, match=r"selection='random'.*no rule"):
        br.Model.from_sklearn(Lasso(alpha=0.1, selection="random"), n_samples=10)


# -- sample_weight: bayesreg's weights multiply each row's log-likelihood like sklearn's

@pytest.mark.parametrize("name", [*ESTIMATORS])
def test_sample_weight_semantics(name):
    X, y = _data(name)
    sw = np.random.default_rng(3).uniform(0.2, 3.0, size=len(y))
    est = ESTIMATORS[name](**BASE[name]).fit(X, y, sample_weight=sw)
    # Lasso / ElasticNet / PoissonRegressor divide by the weight sum; Ridge / logistic do not use n
    model = br.Model.from_sklearn(est, n_samples=sw.sum(), sigma=SIGMA)
    fit = _map(model, X, y, sw)
    np.testing.assert_allclose(fit.coef, np.ravel(est.coef_), atol=1e-6, rtol=0)
    assert abs(fit.intercept - float(np.ravel(est.intercept_)[0])) < 1e-6


def test_class_weight_equals_the_sample_weights_the_error_names():
    X, y = _data("LogisticRegression")
    est = LogisticRegression(C=0.5, class_weight="balanced", solver="newton-cholesky",
                             tol=1e-12).fit(X, y)
    counts = np.bincount(y.astype(int))
    sw = (len(y) / (2 * counts))[y.astype(int)]
    fit = _map(br.Model.from_sklearn(est.set_params(class_weight=None)), X, y, sw)
    np.testing.assert_allclose(fit.coef, est.coef_.ravel(), atol=1e-6)


# -- round trips keep every setting that changes the optimum

@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize(
    "est",
    ROUND_TRIP_ESTIMATORS,
    ids=repr,
)
def test_round_trip_keeps_the_settings(est, fit_intercept):
    est = est.set_params(fit_intercept=fit_intercept)
    model = br.Model.from_sklearn(est, n_samples=57, sigma=1.7)
    back = model.to_sklearn(n_samples=57, sigma=1.7)
    p, q = est.get_params(), back.get_params()
    assert type(back) is type(est) and q["fit_intercept"] is fit_intercept
    for k in ("alpha", "C") + (("l1_ratio",) if "l1_ratio" in p and type(est) is not Lasso else ()):
        if k in p:
            assert np.isclose(q[k], p[k], rtol=1e-12), k
    for k in ("positive", "class_weight"):
        if k in q:
            assert q[k] == ESTIMATORS[type(est).__name__]().get_params()[k]
    again = br.Model.from_sklearn(back, n_samples=57, sigma=1.7)  # converts back
    assert again.likelihood == model.likelihood and again.fit_intercept == model.fit_intercept
    assert type(again.prior) is type(model.prior)
    for k in model.prior._params:
        assert np.isclose(getattr(again.prior, k), getattr(model.prior, k), rtol=1e-12), k


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_glmnet_round_trip_through_the_returned_keywords(fit_intercept):
    m = br.Model(br.Bernoulli(), br.ElasticNetPrior(np.array([0.5, 1.0]), np.sqrt([0.5, 1.0])),
                 fit_intercept=fit_intercept)
    d = m.to_glmnet(n_samples=40)
    assert d["intercept"] is fit_intercept and d["standardize"] is False
    back = from_glmnet(**d, n_samples=40)
    assert back.fit_intercept is fit_intercept
    np.testing.assert_allclose(back.prior.l1_scale, m.prior.l1_scale)
    np.testing.assert_allclose(back.prior.l2_scale, m.prior.l2_scale)


@pytest.mark.parametrize(
    "kw,err,match",
    [
        (dict(alpha="lasso"), br.ParameterError, "alpha"),
        (dict(alpha=None), br.ParameterError, "alpha"),
        (dict(alpha=True), br.ParameterError, "alpha"),
        (dict(alpha=-0.5), br.ParameterError, "alpha"),
        (dict(lambda_=-1.0), br.ParameterError, "lambda_"),
        (dict(lambda_="x"), br.BayesregTypeError, "lambda_"),
        (dict(family=3), br.ParameterError, "family"),
        (dict(penalty_factor=["a", "b"]), br.ParameterError, "penalty_factor"),
        (dict(standardize=True), br.NotSupportedError, "standardize"),
        (dict(intercept="yes"), br.ParameterError, "intercept"),
    ],
    ids=repr,
)
def test_glmnet_errors_name_the_argument(kw, err, match):
    kw = {"lambda_": 0.1, "n_samples": 10, **kw}
    with pytest.raises(err, match=match):
        from_glmnet(**kw)


def test_to_sklearn_refuses_what_sklearn_cannot_express():
    per_coef = br.Model(br.Bernoulli(), br.Normal(np.array([1.0, 2.0])))
    with pytest.raises(br.NotSupportedError, match="per-feature"):
        per_coef.to_sklearn()
    with pytest.raises(br.NotSupportedError, match="per-feature"):
        br.Model(br.Gaussian(1.0), br.ElasticNetPrior(1.0, np.array([1.0, 2.0]))).to_sklearn(5)
    assert per_coef.to_glmnet(n_samples=10)["penalty_factor"] is not None  # glmnet carries it
