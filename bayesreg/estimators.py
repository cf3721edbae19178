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

from ._errors import BayesregTypeError, DataError, ParameterError
from ._validation import check_int, check_X, is_frame
from .likelihoods import Bernoulli, Gaussian, Likelihood
from .model import Model
from .priors import Normal, Prior

__all__ = ["MAPRegressor", "MAPClassifier", "BayesRegressor", "BayesClassifier"]


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

    def _binary_targets(self, X, y):
        """Validated ``(X, y01)`` for a binary classifier: ``classes_`` set from the two distinct
        labels of ``y``, ``y01`` the float 0/1 index of each row's label."""
        X, y = self._check_fit_X(X, y, labels=True)
        check_classification_targets(y)
        self.classes_, y01 = np.unique(y, return_inverse=True)
        k = self.classes_.shape[0]
        name = type(self).__name__
        if k == 1:
            raise DataError(f"y has only one class ({self.classes_[0]!r}): a classifier needs both "
                            "classes in the training data.")
        if k != 2:
            raise DataError(f"Only binary classification is supported. {name} needs exactly 2 "
                            f"classes in y, got {k} ({self.classes_[:5].tolist()}). For multiclass "
                            "wrap it in sklearn.multiclass.OneVsRestClassifier.")
        return X, y01.astype(float)

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
        X, y01 = self._binary_targets(X, y)
        model = self._model(Bernoulli())
        return self._fit_model(model, X, y01, sample_weight)

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


class BayesRegressor(RegressorMixin, _MAPBase):
    """Full-posterior regression as a scikit-learn regressor, with predictive uncertainty.

    ``fit`` computes the posterior of ``y ~ likelihood(intercept + X coef)``, ``coef_j ~ prior``,
    flat prior on the intercept:

    * Gaussian likelihood with a fixed sigma and a Gaussian prior (no L1 part, no
      hyperparameters; the default ``Gaussian(sigma=1) x Normal(1)``): the exact conjugate
      posterior, no sampling. With the weighted centered data ``X~, y~``,
      ``coef | y ~ N(m, V)``, ``V = (X~^T W X~ / sigma^2 + diag(l2))^-1``,
      ``m = V X~^T W y~ / sigma^2``, and ``intercept = ybar - xbar coef + e``,
      ``e ~ N(0, sigma^2 / sum(w))``; ``posterior_`` holds ``draws x chains`` exact draws;
    * otherwise ``model.sample`` (``sampler="auto"``: the exact Gibbs sampler when the model has
      Gibbs faces, else nutpie).

    ``predict(X, return_std=True)`` returns the posterior predictive mean and sd of a new
    observation, as scikit-learn's ``BayesianRidge``; in the conjugate case
    ``sd^2 = sigma^2 + (x - xbar)^T V (x - xbar) + sigma^2 / sum(w)``: BayesianRidge's value plus
    the intercept's own uncertainty (BayesianRidge plugs in the centered intercept).

    Parameters
    ----------
    prior : Prior, default Normal(1.0)
    likelihood : Likelihood, default Gaussian(sigma=1.0)
    fit_intercept : bool, default True
    draws, tune, chains : int
        Posterior draws per chain (also the number of exact draws in ``posterior_``), tuning
        steps, chains.
    sampler : {"auto", "gibbs", "nutpie", "pymc"}
    random_seed : int or None

    Attributes
    ----------
    posterior_ (xarray.DataTree), model_, coef_ (posterior mean), intercept_, conjugate_
    (True when the closed form was used), n_features_in_, feature_names_in_
    """

    def __init__(self, prior: Prior | None = None, likelihood: Likelihood | None = None,
                 fit_intercept: bool = True, draws: int = 1000, tune: int = 1000,
                 chains: int = 2, sampler: str = "auto", random_seed: int | None = None):
        self.prior = prior
        self.likelihood = likelihood
        self.fit_intercept = fit_intercept
        self.draws = draws
        self.tune = tune
        self.chains = chains
        self.sampler = sampler
        self.random_seed = random_seed

    def fit(self, X, y, sample_weight=None):
        """Compute (or sample) the posterior."""
        from ._validation import check_X_y
        from .samplers import build_tree, column_sd

        X, y = self._check_fit_X(X, y, y_numeric=True)
        model = self._model(Gaussian(sigma=1.0))
        if model.likelihood.response_kind == "binary":
            raise BayesregTypeError("BayesRegressor does not take a Bernoulli likelihood.")
        draws = check_int(self.draws, "draws", 1)
        chains = check_int(self.chains, "chains", 1)
        Xa, ya, sw, names = check_X_y(X, y, sample_weight)
        p = Xa.shape[1]
        lik, prior = model.likelihood, model.prior
        pen = prior.as_penalty(p) if not prior.hyper_names else None
        self.conjugate_ = bool(hasattr(lik, "quadratic_weight") and not lik.free_params
                               and pen is not None and not pen.has_kinks)
        self.model_ = model
        if self.conjugate_:
            Xd = np.asarray(Xa.toarray() if hasattr(Xa, "toarray") else Xa, dtype=float)
            s2 = 1.0 / lik.quadratic_weight()
            sws = float(sw.sum())
            xm = sw @ Xd / sws if self.fit_intercept else np.zeros(p)
            ym = float(sw @ ya / sws) if self.fit_intercept else 0.0
            Xc, yc = Xd - xm, ya - ym
            P = Xc.T @ (Xc * sw[:, None]) / s2 + np.diag(pen.weights[1])
            L = np.linalg.cholesky(P)
            Linv = np.linalg.solve(L, np.eye(p))
            V = Linv.T @ Linv
            m = V @ (Xc.T @ (sw * yc)) / s2
            self._post = (m, V, xm, ym, s2, sws)
            rng = np.random.default_rng(self.random_seed)
            W = m + rng.standard_normal((chains * draws, p)) @ np.linalg.cholesky(V).T
            post = {"coef": W.reshape(chains, draws, p)}
            if self.fit_intercept:
                b = ym - W @ xm + np.sqrt(s2 / sws) * rng.standard_normal(chains * draws)
                post["intercept"] = b.reshape(chains, draws)
            self.posterior_ = build_tree(model, post, {}, names or [f"x{j}" for j in range(p)],
                                         sampler="closed_form", y=ya,
                                         sw=None if np.all(sw == 1) else sw,
                                         names_given=names is not None, x_sd=column_sd(Xd))
            self.coef_ = m
            self.intercept_ = ym - float(xm @ m)
            return self
        sampler = self.sampler
        if sampler == "auto":
            from .samplers import choose_sampler

            sampler = choose_sampler(model, X)
        self.posterior_ = model.sample(X, y, sample_weight=sample_weight, draws=draws,
                                       tune=check_int(self.tune, "tune", 0), chains=chains,
                                       random_seed=self.random_seed, sampler=sampler,
                                       progressbar=False)
        post = self.posterior_["posterior"]
        self.coef_ = post["coef"].mean(("chain", "draw")).values
        self.intercept_ = float(post["intercept"].mean()) if self.fit_intercept else 0.0
        return self

    def predict(self, X, return_std: bool = False):
        """Posterior predictive mean ``E[y | X, data]`` (and its sd with ``return_std``)."""
        check_is_fitted(self)
        X = self._check_predict_X(X)
        if self.conjugate_:
            m, V, xm, ym, s2, sws = self._post
            Xc = np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=float) - xm
            mean = ym + Xc @ m
            if not return_std:
                return mean
            var = s2 + np.einsum("ij,jk,ik->i", Xc, V, Xc) + (s2 / sws if self.fit_intercept
                                                              else 0.0)
            return mean, np.sqrt(var)
        mu = self.model_.predict_posterior(self.posterior_, X, kind="mean").values
        mean = mu.mean(axis=(0, 1))
        if not return_std:
            return mean
        yrep = self.model_.predict_posterior(self.posterior_, X, kind="obs",
                                             random_seed=self.random_seed).values
        return mean, yrep.reshape(-1, yrep.shape[-1]).std(axis=0)

    def predict_interval(self, X, prob: float = 0.9):
        """Equal-tailed posterior predictive interval of mass ``prob``: an ``(n, 2)`` array
        ``[lower, upper]`` (conjugate case: the normal quantiles of the exact predictive)."""
        from scipy.stats import norm

        if isinstance(prob, bool) or not isinstance(prob, (int, float)) or not 0 < prob < 1:
            raise ParameterError(f"prob must be a probability in (0, 1), got {prob!r}.")
        check_is_fitted(self)
        if self.conjugate_:
            mean, sd = self.predict(X, return_std=True)
            z = norm.ppf((1 + prob) / 2)
            return np.column_stack([mean - z * sd, mean + z * sd])
        out = self.model_.predict_interval(self.posterior_, self._check_predict_X(X), prob=prob,
                                           random_seed=self.random_seed)
        return out[["lower", "upper"]].to_numpy()


#: degrees of freedom of the multivariate-t proposal of the independence Metropolis-Hastings
#: sampler (polynomial tails: heavier than the posterior's, so the importance ratio is bounded)
IMH_DF = 5.0


def _smooth_gaussian_penalty(lik, prior, p):
    """The ``ElasticNetPenalty`` of a Gaussian prior without hyperparameters (no L1 part) for a
    likelihood without free parameters, else None: the posterior is then smooth and
    log-concave, which the exact fast paths of the Bayes estimators need."""
    if prior.hyper_names or lik.free_params:
        return None
    pen = prior.as_penalty(p)
    if pen is None or pen.has_kinks or not pen.separable:
        return None
    return pen


def independence_mh(lik, A, y, sw, l2, theta0, draws: int, tune: int, chains: int, rng):
    """Independence Metropolis-Hastings for ``theta = [b, w]`` with log density
    ``log p(theta | y) = sum_i sw_i log p(y_i | eta_i) - sum_j l2_j w_j^2 / 2 + const``,
    ``eta = A theta`` (``l2 = 0`` for the flat intercept).

    The mode ``theta0`` is polished by Newton steps (the likelihood's ``gradient`` and
    ``curvature`` faces), the proposal is the multivariate t with ``IMH_DF`` degrees of freedom
    centred there with scale ``H^-1`` (``H`` the Hessian of the negative log posterior at the
    mode); a proposal ``theta'`` is accepted with probability
    ``min(1, r(theta') / r(theta))``, ``r = p(theta | y) / q(theta)``. Its tails are heavier than
    the posterior's (Gaussian in ``w``, at most exponential in ``b``), so ``r`` is bounded and the
    chain is uniformly ergodic: the draws are exact MCMC, not an approximation. Each chain
    starts at the mode and drops ``tune`` steps.

    Returns ``(theta (chains, draws, k), accepted (chains, draws) bool)``.
    """
    def neg_logpost(T):
        E = T @ A.T
        return -(lik.loglik(y, E) @ sw) + 0.5 * (T * T) @ l2

    theta = np.array(theta0, dtype=float)
    k = theta.shape[0]
    for _ in range(50):  # Newton polish of the mode (quadratic convergence from the MAP)
        eta = A @ theta
        g = A.T @ lik.gradient(y, eta, sw) + l2 * theta
        H = (A * lik.curvature(y, eta, sw)[:, None]).T @ A + np.diag(l2)
        step = np.linalg.solve(H, g)
        theta = theta - step
        if np.max(np.abs(step)) <= 1e-13 * (1.0 + np.max(np.abs(theta))):
            break
    eta = A @ theta
    H = (A * lik.curvature(y, eta, sw)[:, None]).T @ A + np.diag(l2)
    L = np.linalg.cholesky(np.linalg.inv(H))  # proposal scale: the Laplace covariance
    nu, total = IMH_DF, tune + draws
    z = rng.standard_normal((chains, total, k)) @ L.T
    u = rng.chisquare(nu, size=(chains, total, 1)) / nu
    prop = theta + z / np.sqrt(u)
    # log q up to its constant: -(nu + k) / 2 log(1 + d^T H d / nu)
    maha = np.einsum("cti,ij,ctj->ct", prop - theta, H, prop - theta)
    log_q = -0.5 * (nu + k) * np.log1p(maha / nu)
    log_r = -neg_logpost(prop.reshape(-1, k)).reshape(chains, total) - log_q
    cur = np.repeat(theta[None, :], chains, axis=0)
    cur_lr = np.full(chains, -neg_logpost(theta[None, :])[0])  # q at the mode: log q = 0
    log_u = np.log(rng.random((chains, total)))
    out = np.empty((chains, draws, k))
    acc = np.zeros((chains, draws), dtype=bool)
    for t in range(total):
        a = log_u[:, t] < log_r[:, t] - cur_lr
        cur[a] = prop[a, t]
        cur_lr[a] = log_r[a, t]
        if t >= tune:
            out[:, t - tune] = cur
            acc[:, t - tune] = a
    return out, acc


class BayesClassifier(ClassifierMixin, _MAPBase):
    """Full-posterior logistic regression as a scikit-learn classifier, with uncertainty.

    ``fit`` computes the posterior of ``y ~ Bernoulli(sigmoid(intercept + X coef))``,
    ``coef_j ~ prior``, flat prior on the intercept, for labels ``classes_`` (any two values;
    the second of the sorted labels is the positive class ``y = 1``):

    * Gaussian prior without hyperparameters (no L1 part; the default ``Normal(1)``, the prior
      of ``LogisticRegression(C=1)``): the posterior is smooth and log-concave and is sampled
      by :func:`independence_mh`, an exact Metropolis-Hastings chain whose proposal is a
      multivariate t at the mode with the Laplace covariance (no compilation; the acceptance
      rate is ``posterior_.attrs["acceptance_rate"]``, typically 0.8-0.95);
    * any other prior (Laplace, horseshoe, ...): ``model.sample`` (``sampler="auto"``: nutpie).

    ``predict_proba`` is the posterior mean of the class probabilities,
    ``P(y = 1 | x, data) = E[sigmoid(b + x w) | data]`` (the posterior predictive of the label);
    ``predict`` the class whose posterior predictive probability exceeds 1/2;
    ``predict_interval(X, prob)`` the equal-tailed credible interval of ``sigmoid(b + x w)``.

    Parameters
    ----------
    prior : Prior, default Normal(1.0)
    fit_intercept : bool, default True
    draws, tune, chains : int
        Posterior draws per chain, tuning (burn-in) steps, chains.
    sampler : {"auto", "imh", "nutpie", "pymc"}
        ``"auto"``: ``"imh"`` (:func:`independence_mh`) for a Gaussian prior, else nutpie.
    random_seed : int or None

    Attributes
    ----------
    classes_, posterior_ (xarray.DataTree), model_, coef_ (posterior mean), intercept_,
    sampler_ (the sampler used), n_features_in_, feature_names_in_
    """

    def __init__(self, prior: Prior | None = None, fit_intercept: bool = True, draws: int = 1000,
                 tune: int = 200, chains: int = 2, sampler: str = "auto",
                 random_seed: int | None = None):
        self.prior = prior
        self.fit_intercept = fit_intercept
        self.draws = draws
        self.tune = tune
        self.chains = chains
        self.sampler = sampler
        self.random_seed = random_seed

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def fit(self, X, y, sample_weight=None):
        """Sample the posterior on binary labels (any two distinct values)."""
        from ._validation import check_X_y
        from .samplers import build_tree, column_sd

        X, y01 = self._binary_targets(X, y)
        model = self._model(Bernoulli())
        draws = check_int(self.draws, "draws", 1)
        chains = check_int(self.chains, "chains", 1)
        tune = check_int(self.tune, "tune", 0)
        if self.sampler not in ("auto", "imh", "nutpie", "pymc"):
            raise ParameterError(f"sampler must be 'auto', 'imh', 'nutpie' or 'pymc', got "
                                 f"{self.sampler!r}.")
        Xa, ya, sw, names = check_X_y(X, y01, sample_weight)
        p = Xa.shape[1]
        pen = _smooth_gaussian_penalty(model.likelihood, model.prior, p)
        sampler = self.sampler
        if sampler == "auto":
            sampler = "imh" if pen is not None else "nutpie"
        if sampler == "imh" and pen is None:
            raise ParameterError(f"sampler='imh' needs a Gaussian prior without hyperparameters, "
                                 f"got {model.prior!r}: use sampler='auto' (nutpie).")
        self.model_, self.sampler_ = model, sampler
        if sampler == "imh":
            Xd = np.asarray(Xa.toarray() if hasattr(Xa, "toarray") else Xa, dtype=float)
            fit = model.map(Xa, ya, sample_weight=sample_weight)
            A = np.column_stack([np.ones(Xd.shape[0]), Xd]) if self.fit_intercept else Xd
            l2 = np.r_[0.0, pen.weights[1]] if self.fit_intercept else pen.weights[1]
            theta0 = np.r_[fit.intercept, fit.coef] if self.fit_intercept else fit.coef
            theta, acc = independence_mh(model.likelihood, A, ya, sw, l2, theta0, draws, tune,
                                         chains, np.random.default_rng(self.random_seed))
            post = {"coef": theta[..., 1:] if self.fit_intercept else theta}
            if self.fit_intercept:
                post["intercept"] = theta[..., 0]
            self.posterior_ = build_tree(model, post, {"accepted": acc},
                                         names or [f"x{j}" for j in range(p)], sampler="imh",
                                         y=ya, sw=None if np.all(sw == 1) else sw,
                                         names_given=names is not None, x_sd=column_sd(Xd))
            self.posterior_.attrs["acceptance_rate"] = float(acc.mean())
        else:
            self.posterior_ = model.sample(Xa if names is None else X, ya,
                                           sample_weight=sample_weight, draws=draws, tune=tune,
                                           chains=chains, random_seed=self.random_seed,
                                           sampler=sampler, progressbar=False)
        post = self.posterior_["posterior"]
        C, D = post.sizes["chain"], post.sizes["draw"]
        self._W = post["coef"].transpose("chain", "draw", ...).values.reshape(C * D, p)
        self._b = (post["intercept"].transpose("chain", "draw").values.reshape(-1)
                   if self.fit_intercept else np.zeros(C * D))
        self.coef_ = self._W.mean(0)
        self.intercept_ = float(self._b.mean())
        return self

    def _prob_draws(self, X) -> np.ndarray:
        """``sigmoid(b_s + x_i w_s)`` per draw ``s`` and row ``i``: (S, n)."""
        check_is_fitted(self)
        X = self._check_predict_X(X)
        eta = self._b[:, None] + np.asarray(X @ self._W.T).T
        return self.model_.likelihood.mean(eta)

    def predict_proba(self, X):
        """Posterior predictive class probabilities ``[1 - P, P]``, ``P = E[sigmoid(b + x w) |
        data]`` (the posterior mean of the probability), shape (n, 2)."""
        p1 = self._prob_draws(X).mean(0)
        return np.column_stack([1.0 - p1, p1])

    def predict_log_proba(self, X):
        return np.log(self.predict_proba(X))

    def decision_function(self, X):
        """Log-odds of the posterior predictive probability of the positive class."""
        p = self.predict_proba(X)
        return np.log(p[:, 1]) - np.log(p[:, 0])

    def predict(self, X):
        """The class with the larger posterior predictive probability."""
        check_is_fitted(self)
        return self.classes_[(self.predict_proba(X)[:, 1] > 0.5).astype(int)]

    def predict_interval(self, X, prob: float = 0.9):
        """Equal-tailed credible interval of mass ``prob`` of ``P(y = classes_[1] | x, w, b) =
        sigmoid(b + x w)``: an ``(n, 2)`` array ``[lower, upper]`` (sample quantiles of the
        draws). The label itself is binary: its predictive distribution is ``predict_proba``."""
        if isinstance(prob, bool) or not isinstance(prob, (int, float)) or not 0 < prob < 1:
            raise ParameterError(f"prob must be a probability in (0, 1), got {prob!r}.")
        P = self._prob_draws(X)
        return np.quantile(P, [(1 - prob) / 2, (1 + prob) / 2], axis=0).T
