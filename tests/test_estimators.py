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
