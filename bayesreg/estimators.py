"""scikit-learn estimators wrapping :class:`bayesreg.Model`.

``MAPRegressor`` and ``MAPClassifier`` fit the posterior mode of a bayesreg model and behave like
scikit-learn estimators (``fit/predict/score``, ``coef_``, ``intercept_``, pipelines, grid search,
pickling). Their defaults reproduce scikit-learn's: ``MAPRegressor()`` (Gaussian(sigma=1) x
Normal(1)) has the optimum of ``Ridge(alpha=1)``, ``MAPClassifier()`` (Bernoulli x Normal(1)) that
of ``LogisticRegression(C=1)``.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ._errors import BayesregTypeError, DataError
from ._validation import check_int, check_X, is_frame
from .likelihoods import Bernoulli, Gaussian, Likelihood
from .model import Model
from .priors import Normal, Prior

__all__ = ["MAPRegressor", "MAPClassifier"]


class _MAPBase(BaseEstimator):
    def _model(self, default_lik: Likelihood) -> Model:
        prior = Normal(1.0) if self.prior is None else self.prior
        lik = default_lik if getattr(self, "likelihood", None) is None else self.likelihood
        if not isinstance(prior, Prior):
            raise BayesregTypeError(f"prior must be a bayesreg prior, got {type(prior).__name__}.")
        return Model(likelihood=lik, prior=prior, fit_intercept=self.fit_intercept)

    def _fit_model(self, model, X, y, sample_weight):
        max_iter = None if self.max_iter is None else check_int(self.max_iter, "max_iter", 1)
        self.result_ = model.map(X, y, sample_weight=sample_weight, tol=self.tol,
                                 max_iter=max_iter)
        self.model_ = model
        self.coef_ = self.result_.coef
        self.intercept_ = self.result_.intercept
        self.n_iter_ = self.result_.n_iter
        return self

    def _check_fit_X(self, X, y, labels=False, **kw):
        """``(X, y)`` for fitting. A data frame keeps its columns (``result_.feature_names``)
        and goes through bayesreg's validation (nullable / pyarrow numeric columns accepted,
        missing values reported by column); scikit-learn records ``feature_names_in_`` and
        ``n_features_in_``. Anything else goes through scikit-learn's ``validate_data``."""
        if is_frame(X):
            validate_data(self, X, skip_check_array=True)
            return X, (_labels(y) if labels else y)
        return validate_data(self, X, y, accept_sparse="csc", dtype=np.float64, **kw)

    def _check_predict_X(self, X):
        if is_frame(X):
            validate_data(self, X, reset=False, skip_check_array=True)
            return check_X(X)[0]
        return validate_data(self, X, accept_sparse="csc", dtype=np.float64, reset=False)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _labels(y):
    """Class labels given with a data frame: pandas nullable / pyarrow values as NumPy values,
    missing values reported as such."""
    if y is None:
        raise DataError("y is None: supervised fitting needs a response vector.")
    if type(y).__module__.split(".")[0] == "pandas" and hasattr(y, "isna"):
        miss = np.asarray(y.isna(), dtype=bool).reshape(-1)
        if miss.any():
            first = int(np.argmax(miss))
            raise DataError(f"y has {int(miss.sum())} missing value(s) (NaN / pd.NA / None), "
                            f"first at row {first}: drop those rows or impute them.")
        if hasattr(y, "dtype"):
            dt = y.dtype
            if isinstance(dt, np.dtype) or getattr(dt, "kind", "O") in "biuf":
                y = y.to_numpy(dtype=dt.numpy_dtype if hasattr(dt, "numpy_dtype") else None)
            else:
                y = y.to_numpy()
        else:
            y = y.to_numpy()
    elif hasattr(y, "to_numpy"):
        y = y.to_numpy()
    return column_or_1d(y, warn=True)


class MAPRegressor(RegressorMixin, _MAPBase):
    """Posterior-mode regression (Gaussian or Poisson likelihood) as a scikit-learn regressor.

    Fits ``argmax log p(coef, intercept | X, y)`` for ``y ~ likelihood(intercept + X coef)`` and
    ``coef_j ~ prior``; e.g. Gaussian(sigma) x Laplace(b) minimizes
    ``||y - intercept - X coef||^2 / (2 sigma^2) + ||coef||_1 / b``.

    Parameters
    ----------
    prior : Prior, default Normal(1.0)
    likelihood : Likelihood, default Gaussian(sigma=1.0)
        Any non-binary likelihood: Gaussian (any sigma, including ``None`` = estimated),
        Poisson, NegativeBinomial, StudentT (a local mode), Binomial (with one number of
        trials for every row, so that ``predict`` works on new rows).
    fit_intercept : bool, default True
    tol : float, default 1e-6
        Relative certificate tolerance (see :meth:`bayesreg.Model.map`).
    max_iter : int or None

    Attributes
    ----------
    coef_, intercept_, n_iter_, result_ (:class:`MAPResult`), model_ (:class:`Model`),
    n_features_in_, feature_names_in_
    """

    def __init__(self, prior: Prior | None = None, likelihood: Likelihood | None = None,
                 fit_intercept: bool = True, tol: float = 1e-6, max_iter: int | None = None):
        self.prior = prior
        self.likelihood = likelihood
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter

    def fit(self, X, y, sample_weight=None):
        """Fit the MAP. ``sample_weight`` multiplies each row's log-likelihood."""
        X, y = self._check_fit_X(X, y, y_numeric=True)
        model = self._model(Gaussian(sigma=1.0))
        if model.likelihood.response_kind == "binary":
            raise BayesregTypeError("MAPRegressor does not take a Bernoulli likelihood: use "
                                    "MAPClassifier for binary targets.")
        return self._fit_model(model, X, y, sample_weight)

    def predict(self, X):
        """Posterior-mode mean ``E[y | X]`` (identity link for Gaussian, exp for Poisson)."""
        check_is_fitted(self)
        X = self._check_predict_X(X)
        eta = self.intercept_ + np.asarray(X @ self.coef_).ravel()
        return self.model_.likelihood.mean(eta)


class MAPClassifier(ClassifierMixin, _MAPBase):
    """Posterior-mode logistic regression (Bernoulli likelihood, logit link) as a classifier.

    Fits ``argmax log p(coef, intercept | X, y)`` with ``y ~ Bernoulli(sigmoid(intercept + X coef))``
    and ``coef_j ~ prior``: with Laplace(b) it minimizes ``sum_i logloss_i + ||coef||_1 / b``,
    i.e. ``LogisticRegression(C=b, l1_ratio=1)``. Binary targets only; the second of the sorted
    ``classes_`` is the positive class.

    Parameters
    ----------
    prior : Prior, default Normal(1.0) (= LogisticRegression(C=1.0))
    fit_intercept : bool, default True
    tol : float, default 1e-6
    max_iter : int or None
    """

    def __init__(self, prior: Prior | None = None, fit_intercept: bool = True, tol: float = 1e-6,
                 max_iter: int | None = None):
        self.prior = prior
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter

    def fit(self, X, y, sample_weight=None):
        """Fit the MAP on binary labels (any two distinct values)."""
        X, y = self._check_fit_X(X, y, labels=True)
        check_classification_targets(y)
        self.classes_, y01 = np.unique(y, return_inverse=True)
        k = self.classes_.shape[0]
        if k == 1:
            raise DataError(f"y has only one class ({self.classes_[0]!r}): a classifier needs both "
                            "classes in the training data.")
        if k != 2:
            raise DataError(f"Only binary classification is supported. MAPClassifier needs exactly 2 "
                            f"classes in y, got {k} ({self.classes_[:5].tolist()}). For multiclass "
                            "wrap it in sklearn.multiclass.OneVsRestClassifier.")
        model = self._model(Bernoulli())
        return self._fit_model(model, X, y01.astype(float), sample_weight)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def decision_function(self, X):
        """Linear predictor ``intercept + X coef`` (log-odds of the positive class)."""
        check_is_fitted(self)
        X = self._check_predict_X(X)
        return self.intercept_ + np.asarray(X @ self.coef_).ravel()

    def predict_proba(self, X):
        """Class probabilities at the posterior mode, shape (n, 2)."""
        p1 = Bernoulli().mean(self.decision_function(X))
        return np.column_stack([1.0 - p1, p1])

    def predict_log_proba(self, X):
        return np.log(self.predict_proba(X))

    def predict(self, X):
        """Most probable class at the posterior mode."""
        check_is_fitted(self)
        return self.classes_[(self.decision_function(X) > 0).astype(int)]
