"""scikit-learn estimator API: check_estimator, and equality with sklearn's defaults."""

import pickle

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

import bayesreg as br


@pytest.mark.parametrize("est", [br.MAPRegressor(), br.MAPClassifier(),
                                 br.MAPRegressor(prior=br.Laplace(0.5))],
                         ids=["regressor", "classifier", "regressor-laplace"])
def test_check_estimator(est):
    check_estimator(est)


def test_defaults_equal_sklearn_defaults(rng):
    X = rng.normal(size=(80, 4))
    y = X @ [1.0, -2.0, 0.0, 0.5] + rng.normal(size=80)
    np.testing.assert_allclose(br.MAPRegressor().fit(X, y).coef_, Ridge().fit(X, y).coef_, atol=1e-8)
    yc = (y > 0).astype(int)
    lr = LogisticRegression(tol=1e-12, max_iter=10_000).fit(X, yc)
    clf = br.MAPClassifier(tol=1e-10).fit(X, yc)
    np.testing.assert_allclose(clf.coef_, lr.coef_.ravel(), atol=1e-6)
    np.testing.assert_allclose(clf.predict_proba(X), lr.predict_proba(X), atol=1e-6)


def test_classifier_labels_pipeline_pickle(rng):
    X = rng.normal(size=(100, 3))
    labels = np.where(X[:, 0] + 0.3 * rng.normal(size=100) > 0, "yes", "no")
    pipe = make_pipeline(StandardScaler(), br.MAPClassifier(prior=br.Laplace(1.0)))
    pipe.fit(X, labels)
    assert set(pipe.predict(X)) <= {"yes", "no"}
    clone = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(clone.predict_proba(X), pipe.predict_proba(X))


def test_grid_search_over_prior_scale(rng):
    X = rng.normal(size=(120, 5))
    y = X[:, 0] * 2 + rng.normal(size=120)
    gs = GridSearchCV(br.MAPRegressor(prior=br.Laplace(1.0)),
                      {"prior": [br.Laplace(s) for s in (0.01, 0.1, 1.0)]}, cv=3).fit(X, y)
    assert gs.best_params_["prior"].scale in (0.01, 0.1, 1.0)


def test_poisson_regressor(rng):
    X = rng.normal(size=(150, 3))
    y = rng.poisson(np.exp(0.2 + 0.5 * X[:, 0]))
    est = br.MAPRegressor(prior=br.Normal(2.0), likelihood=br.Poisson()).fit(X, y)
    assert np.all(est.predict(X) > 0)


def test_classifier_rejects_multiclass(rng):
    X = rng.normal(size=(30, 2))
    with pytest.raises(br.DataError, match="exactly 2 classes"):
        br.MAPClassifier().fit(X, np.arange(30) % 3)


# ------------------------------------------------- priors / likelihoods as sklearn parameters
def _registered_examples():
    from bayesreg.likelihoods import LIKELIHOODS
    from bayesreg.priors import PRIORS

    return [e for reg in (PRIORS, LIKELIHOODS) for cls in reg.values() for e in cls.examples()]


@pytest.mark.parametrize("obj", _registered_examples(), ids=repr)
def test_get_params_rebuild_and_clone(obj):
    """get_params are the constructor parameters: the class rebuilt from them is equal, and
    sklearn's clone gives an equal but distinct object."""
    import inspect

    from sklearn.base import clone

    params = obj.get_params(deep=False)
    assert set(params) <= set(inspect.signature(type(obj).__init__).parameters)
    assert type(obj)(**params) == obj
    c = clone(obj)
    assert c == obj and c is not obj
    assert obj.set_params() is obj


def test_set_params_mutates_validates_and_names_the_parameter():
    lap = br.Laplace(1.0)
    assert lap.set_params(scale=0.25) is lap
    assert lap.scale == 0.25 and lap.penalty(np.array([1.0, -1.0])) == pytest.approx(8.0)
    with pytest.raises(br.ParameterError, match="Laplace.scale"):
        lap.set_params(scale=-1.0)
    assert lap.scale == 0.25  # a refused value leaves the prior unchanged
    with pytest.raises(br.ParameterError, match=r"Laplace has no parameter 'sd'.*\['scale'\]"):
        lap.set_params(sd=1.0)
    with pytest.raises(br.ParameterError, match="no parameters"):
        lap.set_params(scale__x=1.0)
    g = br.Gaussian(sigma=1.0).set_params(sigma=2.0)
    assert g.sigma == 2.0 and g == br.Gaussian(sigma=2.0)
    with pytest.raises(br.ParameterError, match="Gaussian.sigma"):
        g.set_params(sigma=0.0)


def test_nested_set_params_and_grid_search(rng):
    from sklearn.base import clone
    from sklearn.linear_model import Lasso

    X = rng.normal(size=(60, 5))
    y = X @ [2.0, 0.0, 0.0, -1.0, 0.0] + rng.normal(size=60)
    est = br.MAPRegressor(prior=br.Laplace(1.0))
    assert est.get_params()["prior__scale"] == 1.0
    c = clone(est)
    assert c.prior == est.prior and c.prior is not est.prior
    c.set_params(prior__scale=0.5, likelihood=br.Gaussian(1.0), likelihood__sigma=2.0)
    assert est.prior.scale == 1.0  # the clone's change never reaches the original
    assert c.prior.scale == 0.5 and c.likelihood.sigma == 2.0
    # Laplace(b) x Gaussian(sigma) = Lasso(alpha = sigma^2 / (n b)): an independent reference
    c.fit(X, y)
    sk = Lasso(alpha=4.0 / (60 * 0.5), tol=1e-12, max_iter=100_000).fit(X, y)
    assert np.count_nonzero(sk.coef_) >= 2
    np.testing.assert_allclose(c.coef_, sk.coef_, atol=1e-6)
    gs = GridSearchCV(est, {"prior__scale": [0.001, 1.0]}, cv=3).fit(X, y)
    assert gs.best_params_ == {"prior__scale": 1.0}  # 0.001 shrinks everything to ~0
    assert gs.best_estimator_.prior.scale == 1.0 and est.prior.scale == 1.0
    gl = GridSearchCV(br.MAPRegressor(likelihood=br.Gaussian(1.0)),
                      {"likelihood__sigma": [0.5, 50.0]}, cv=3).fit(X, y)
    assert gl.best_params_ == {"likelihood__sigma": 0.5}


def test_max_iter_validated_by_estimators(rng):
    X, y = rng.normal(size=(20, 2)), rng.normal(size=20)
    for bad in (0, -1, 2.5, "10", True):
        with pytest.raises(br.ParameterError, match="max_iter"):
            br.MAPRegressor(max_iter=bad).fit(X, y)
        with pytest.raises(br.ParameterError, match="max_iter"):
            br.MAPClassifier(max_iter=bad).fit(X, y > 0)
