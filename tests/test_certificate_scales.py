"""A certificate is a promise: over data and priors rescaled by powers of ten up to 1e+-250,
``map`` either returns the same model's MAP (mapped back to the new units), certified and
finite, or raises a DataError naming the cause. Never NaN, never a false ``converged``.

Reference: the unit-scale fit. Rescaling X by ``a`` and y, sigma by ``c`` (Gaussian), with the
prior scale multiplied by ``c / a``, is the same model in other units: its MAP is
``w * c / a`` exactly (the change of variables ``w' = w c / a`` maps one objective onto the
other). The unit fit is checked against scikit-learn elsewhere (test_map_sklearn.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import bayesreg as br
from bayesreg import DataError

RNG = np.random.default_rng(0)
X0 = RNG.normal(size=(40, 4))
Y0 = X0 @ np.array([1.0, -2.0, 0.0, 0.5]) + RNG.normal(size=40)
YB = (X0 @ np.array([1.0, -1.0, 0.0, 0.0]) + RNG.logistic(size=40) > 0).astype(float)

PRIORS = {
    "normal": lambda s: br.Normal(s),
    "laplace": lambda s: br.Laplace(s),
    "enet": lambda s: br.ElasticNetPrior(s, 2.0 * s),
}


def _unit_fit(lik, prior_name, y):
    return br.Model(lik, PRIORS[prior_name](0.3)).map(X0, y, tol=1e-9)


def _check(fit, ref_coef, factor, rtol):
    assert np.all(np.isfinite(fit.coef)) and np.isfinite(fit.intercept)
    assert np.isfinite(fit.log_posterior) and np.isfinite(fit.objective)
    assert np.isfinite(fit.optimality) and np.isfinite(fit.tol) and fit.tol > 0
    assert fit.converged == (fit.optimality <= fit.tol)
    assert fit.converged
    np.testing.assert_allclose(fit.coef / factor, ref_coef, rtol=rtol, atol=rtol)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ka=st.integers(-250, 250), kc=st.integers(-250, 250),
       prior_name=st.sampled_from(sorted(PRIORS)))
def test_gaussian_map_in_any_units_is_the_same_map_or_a_clear_error(ka, kc, prior_name):
    a, c = 10.0**ka, 10.0**kc
    scale = 0.3 * c / a
    if not (1e-300 < scale < 1e300):
        return  # the prior itself cannot be stated in these units
    ref = _unit_fit(br.Gaussian(1.0), prior_name, Y0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from deep inside NumPy either
        try:
            fit = br.Model(br.Gaussian(c), PRIORS[prior_name](scale)).map(X0 * a, Y0 * c,
                                                                           tol=1e-9)
        except DataError as exc:
            assert "Rescale" in str(exc)
            # columns of any magnitude are solved in units (exact): only y, sigma or the
            # prior's own weights beyond double precision may refuse
            assert abs(kc) > 150 or abs(kc - ka) > 150, str(exc)
            return
    _check(fit, ref.coef, c / a, 1e-6)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ka=st.integers(-250, 250), prior_name=st.sampled_from(["laplace", "normal"]))
def test_logistic_map_with_columns_of_any_magnitude(ka, prior_name):
    a = 10.0**ka
    ref = _unit_fit(br.Bernoulli(), prior_name, YB)
    try:
        fit = br.Model(br.Bernoulli(), PRIORS[prior_name](0.3 / a)).map(X0 * a, YB, tol=1e-9)
    except DataError as exc:
        assert prior_name == "normal" and abs(ka) > 150, str(exc)  # 1/scale^2 beyond doubles
        return
    _check(fit, ref.coef, 1.0 / a, 1e-5)


@pytest.mark.parametrize("a", [1e200, 1e-200])
def test_reproducer_extreme_columns_are_not_a_false_certificate(a):
    """Before: X * 1e200 with a Laplace prior returned coef = 0 with optimality 0 and
    converged=True (the Gram matrix overflowed; the gap underflowed)."""
    ref = _unit_fit(br.Gaussian(1.0), "laplace", Y0)
    fit = br.Model(br.Gaussian(1.0), br.Laplace(0.3 / a)).map(X0 * a, Y0, tol=1e-9)
    _check(fit, ref.coef, 1.0 / a, 1e-6)


@pytest.mark.parametrize("prior,cause", [(br.Normal(1e-200), "overflow"),
                                         (br.Normal(1e200), "underflow"),
                                         (br.ElasticNetPrior(1e-310, 1.0), "overflow")])
def test_prior_weights_beyond_double_precision_are_named(prior, cause):
    with pytest.raises(DataError, match=cause) as info:
        br.Model(br.Gaussian(1.0), prior).map(X0, Y0)
    assert repr(prior) in str(info.value)


@pytest.mark.parametrize("c", [1e200, -1e180])
def test_extreme_response_is_a_data_error_not_a_traceback(c):
    """y of order 1e200 with sigma = 1: the log posterior is not a double (before: NaN or a
    bare OverflowError / ZeroDivisionError)."""
    with pytest.raises(DataError, match="Rescale"):
        br.Model(br.Gaussian(1.0), br.Laplace(1.0)).map(X0, Y0 * c)


def test_sigma_prior_scale_from_huge_y_is_not_a_parameter_error_about_the_user():
    """The default HalfNormal scale of a free sigma is sd(y): computed without overflow, so
    y ~ 1e200 gives the data's own error, not "sigma_prior_scale must be finite"."""
    lik = br.Gaussian(None)
    scale = lik.resolve_sigma_prior_scale(Y0 * 1e200)
    np.testing.assert_allclose(scale, np.std(Y0) * 1e200, rtol=1e-12)
    np.testing.assert_allclose(lik.resolve_sigma_prior_scale(Y0 * 1e-200), np.std(Y0) * 1e-200,
                               rtol=1e-12)


PATH_CASES = [(a, br.Gaussian(1.0), Y0, "laplace") for a in (1e200, 1e12, 1e-12, 1e-200)] + [
    (a, br.Bernoulli(), YB, "laplace") for a in (1e200, 1e12, 1e-12, 1e-200)] + [
    (a, br.Gaussian(None), Y0, "enet") for a in (1e100, 1e12, 1e-12, 1e-100)]  # 1/l2^2 finite


@pytest.mark.parametrize("a,lik,y,name", PATH_CASES)
def test_paths_with_columns_of_any_magnitude(a, lik, y, name):
    """Every point of a path over rescaled columns is the unit path's point in the new units
    (the same prior scales / a), certified."""
    scales = np.array([0.05, 0.3, 2.0])
    ref = br.Model(lik, PRIORS[name](1.0)).map_path(X0, y, scales=scales, tol=1e-9)
    path = br.Model(lik, PRIORS[name](1.0 / a)).map_path(X0 * a, y, scales=scales / a,
                                                          tol=1e-9)
    for r0, r in zip(ref.results, path.results, strict=True):
        _check(r, r0.coef, 1.0 / a, 1e-5)
