"""Contract tests over the registries: every registered prior and likelihood, through its own
``examples()``, is checked against independent references (quadrature, finite differences,
perturbation optimality, PyMC's logp) without being named here. A class registered anywhere is
picked up by the parametrization below.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import integrate, optimize

import bayesreg as br
from bayesreg._errors import NotSupportedError
from bayesreg.likelihoods import LIKELIHOODS
from bayesreg.priors import PRIORS


def _prior_cases():
    return [pytest.param(ex, id=f"{name}-{k}") for name, cls in sorted(PRIORS.items())
            for k, ex in enumerate(cls.examples())]


def _lik_cases():
    return [pytest.param(ex, id=f"{name}-{k}") for name, cls in sorted(LIKELIHOODS.items())
            for k, ex in enumerate(cls.examples())]


def _n_coef(prior) -> int:
    sizes = {np.size(getattr(prior, k)) for k in prior._params
             if isinstance(getattr(prior, k), np.ndarray)}
    return sizes.pop() if sizes else 3


#: values the free likelihood parameters are bound at (0.9 unless named: a Student-t nu must
#: exceed 2 for the draws' mean and variance checks)
_FREE_AT = {"nu": 5.0}


def _bound(lik, sigma=0.9):
    return lik.bind(**{k: _FREE_AT.get(k, sigma) for k in lik.free_params})


# ================================================================== priors
@pytest.mark.parametrize("prior", _prior_cases())
def test_prior_density_is_normalized(prior):
    """exp(logpdf) integrates to 1 for every coefficient (conditionally on sigma = 1); with a
    hyperprior, the joint density of (w, hyperparameter) integrates to 1."""
    p = _n_coef(prior)
    if not prior.separable:
        pytest.skip("a joint density over groups of coefficients (not a product over them): "
                    "its normalizer is checked by quadrature in tests/test_group_laplace.py")
    if len(prior.hyper_names) > 1 or prior.vector_hypers:
        pytest.skip("several or per-coefficient hyperparameters: the joint density is checked "
                    "factor by factor against scipy.stats in tests/test_shrinkage_priors.py")
    if prior.hyper_names:
        assert len(prior.hyper_names) == 1, "the generic check integrates one hyperparameter"
        h = prior.hyper_names[0]

        def joint(w, t):  # t = log(hyper), Jacobian e^t
            val = prior.joint_logpdf(np.full((1, p), w)[:, :1], sigma=np.ones(1),
                                     **{h: np.exp(np.array([t]))})[0]
            return np.exp(val + t)

        total = integrate.dblquad(lambda w, t: joint(w, t), -12, 8, -np.inf, np.inf,
                                  epsabs=1e-10, epsrel=1e-8)[0]
        assert total == pytest.approx(1.0, abs=1e-6)
        return
    for j in range(p):
        def f(w, j=j):
            return np.exp(prior.logpdf(np.full(p, w))[j])

        total = integrate.quad(f, -np.inf, 0, epsabs=0, epsrel=1e-11, limit=200)[0] + \
            integrate.quad(f, 0, np.inf, epsabs=0, epsrel=1e-11, limit=200)[0]
        assert total == pytest.approx(1.0, rel=1e-8)
    # the vectorized density face sums the elementwise one
    W = np.random.default_rng(0).normal(size=(2, 5, p))
    ref = np.array([[prior.logpdf(W[i, k]).sum() for k in range(5)] for i in range(2)])
    np.testing.assert_allclose(prior.joint_logpdf(W), ref, rtol=1e-12)


@pytest.mark.parametrize("prior", _prior_cases())
def test_penalty_face_is_the_density(prior):
    """-log p(w) = penalty(w) + log_normalizer; prox is the minimizer of its problem; the
    subgradient distance vanishes there; the zero threshold is exact; scaled() multiplies."""
    p = _n_coef(prior)
    pen = prior.as_penalty(p)
    if pen is None:
        msg = prior.mode_unavailable()
        assert isinstance(msg, str) and len(msg) > 40
        with pytest.raises(NotSupportedError) as exc:
            br.penalties.require_penalty(prior, p)
        assert str(exc.value) == msg
        return
    rng = np.random.default_rng(1)
    for _ in range(5):
        w = rng.normal(scale=2.0, size=p)
        assert -prior.logpdf(w).sum() == pytest.approx(pen.value(w) + pen.log_normalizer(),
                                                       rel=1e-12, abs=1e-12)
    v, t = rng.normal(scale=2.0, size=p), 0.7
    z = pen.prox(v, t)

    def prox_obj(u):
        return t * pen.value(u) + 0.5 * np.sum((u - v) ** 2)

    ref = optimize.minimize(prox_obj, v, method="Powell", options={"xtol": 1e-12, "ftol": 1e-14})
    assert prox_obj(z) <= ref.fun + 1e-10
    assert np.max(pen.subdiff_distance(z, (z - v) / t)) < 1e-10
    c = 2.7
    assert pen.scaled(c).value(v) == pytest.approx(c * pen.value(v), rel=1e-12)
    g0 = rng.normal(size=p)
    cz = pen.zero_threshold(g0)
    if pen.has_kinks:
        assert cz is not None and cz > 0
        assert np.max(pen.scaled(cz * 1.0001).subdiff_distance(np.zeros(p), g0)) == 0.0
        assert np.max(pen.scaled(cz * 0.999).subdiff_distance(np.zeros(p), g0)) > 0.0
    else:
        assert cz is None


def _data(lik, p=3, n=60, seed=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    eta = 0.3 + X @ np.linspace(0.6, -0.4, p)
    y = _bound(lik).draw(eta, rng)
    return X, y


def _lp(model, X, y, coef, intercept, free):
    """The log posterior from the density faces alone."""
    lik = model.likelihood.resolved(y)
    eta = intercept + X @ coef
    lp = float(lik.bind(**free).loglik(y, eta).sum()) + float(model.prior.logpdf(coef).sum())
    if free:
        lp += float(lik.free_logprior(**free))
    return lp


@pytest.mark.parametrize("lik", _lik_cases())
@pytest.mark.parametrize("prior", _prior_cases())
def test_map_is_a_certified_local_maximum(prior, lik):
    """The MAP's log posterior equals the density faces' value there, its certificate converged,
    and no perturbation of any parameter increases the log posterior (an independent optimality
    check); a prior without a penalty face gets its own explanation from map and map_path."""
    p = _n_coef(prior)
    model = br.Model(lik, prior)
    X, y = _data(lik, p)
    if prior.as_penalty(p) is None:
        for call in (lambda: model.map(X, y), lambda: model.map_path(X, y, scales=[0.1, 1.0]),
                     lambda: model.map_path(X, y, n_scales=3)):
            with pytest.raises(NotSupportedError) as exc:
                call()
            assert str(exc.value) == prior.mode_unavailable()
        return
    if prior.scales_with_sigma and not lik.has_noise_scale:
        with pytest.raises(NotSupportedError, match="relative_to_sigma"):
            model.map(X, y)
        return
    fit = model.map(X, y, tol=1e-10)
    assert fit.converged and fit.optimality <= fit.tol
    free = fit.free
    assert sorted(free) == sorted(lik.free_params)
    if "sigma" in free:
        assert fit.sigma == free["sigma"]
    lp = _lp(model, X, y, fit.coef, fit.intercept, free)
    assert fit.log_posterior == pytest.approx(lp, rel=1e-10, abs=1e-9)
    names = list(free)
    theta = np.r_[fit.coef, fit.intercept, [np.log(free[k]) for k in names]]

    def lp_at(th):
        f = {k: float(np.exp(th[p + 1 + i])) for i, k in enumerate(names)}
        return _lp(model, X, y, th[:p], th[p], f)

    for k in range(theta.size):
        for step in (1e-4, -1e-4, 1e-6, -1e-6):
            th = theta.copy()
            th[k] += step * (1 + abs(th[k]))
            assert lp_at(th) <= lp + 1e-9 * max(1.0, abs(lp))


@pytest.mark.slow
@pytest.mark.parametrize("lik", _lik_cases())
@pytest.mark.parametrize("prior", _prior_cases())
def test_pymc_form_has_the_same_density(prior, lik):
    """The PyMC model's logp(jacobian=False) equals the density faces at a random point."""
    from bayesreg.pymc import build_model, model_point

    p = _n_coef(prior)
    model = br.Model(lik, prior)
    X, y = _data(lik, p, n=25)
    if prior.scales_with_sigma and not lik.has_noise_scale:
        with pytest.raises(NotSupportedError):
            build_model(model, X, y)
        return
    rng = np.random.default_rng(4)
    coef, b = rng.normal(scale=0.5, size=p), 0.2
    res = lik.resolved(y)
    free = {k: _FREE_AT.get(k, 0.85) for k in lik.free_params}
    hyper = prior.hyper_example(p)
    sigma = free.get("sigma", getattr(lik, "sigma", None))
    ref = float(res.bind(**free).loglik(y, b + X @ coef).sum())
    ref += float(prior.joint_logpdf(coef[None, :], sigma=np.atleast_1d(sigma or 1.0),
                                    **{h: v[None] for h, v in hyper.items()})[0])
    if free:
        ref += float(res.free_logprior(**free))
    # the PyMC variables at the same point (raw values of a non-centered form) and the offset
    # logp_pymc - joint_logpdf there (log Jacobian / auxiliary densities), stated by the prior
    values, offset = prior.pymc_values(coef, sigma=sigma or 1.0, **hyper)
    pmm = build_model(model, X, y, suff_stats=False)
    got = float(pmm.compile_logp(jacobian=False)(model_point(pmm, intercept=b, **free,
                                                             **values)))
    # abs: PyMC's HalfCauchy / HalfStudentT / InverseGamma log densities differ from the exact
    # ones (scipy.stats) by constants of ~2e-9 / ~2e-8 / ~1.2e-7 (rounded normalizing constants)
    assert got == pytest.approx(ref + offset, rel=1e-10, abs=1e-9 + 2e-7 * (len(values) - 1))


# ================================================================== likelihoods
@pytest.mark.parametrize("lik", _lik_cases())
def test_likelihood_density_is_normalized_with_the_stated_mean(lik):
    b = _bound(lik)
    for eta in (-1.3, 0.0, 0.8):
        e = np.array([eta])
        if lik.response_kind == "binary":
            ys, wts = np.array([0.0, 1.0]), None
        elif lik.response_kind == "count":
            ys, wts = np.arange(0.0, 400.0), None
        else:
            def f(y, e=e, k=0):
                return y**k * np.exp(b.loglik(np.array([y]), e)[0])

            total = integrate.quad(f, -np.inf, np.inf, epsabs=0, epsrel=1e-11)[0]
            mean = integrate.quad(lambda y: f(y, k=1), -np.inf, np.inf, epsabs=1e-12)[0]
            assert total == pytest.approx(1.0, rel=1e-9)
            assert mean == pytest.approx(float(b.mean(e)[0]), abs=1e-8)
            continue
        probs = np.exp(b.loglik(ys, np.full(ys.size, eta)))
        assert probs.sum() == pytest.approx(1.0, rel=1e-12)
        assert probs @ ys == pytest.approx(float(b.mean(e)[0]), rel=1e-10)
        del wts


@pytest.mark.parametrize("lik", _lik_cases())
def test_datafit_faces_agree_with_the_density_and_each_other(lik):
    rng = np.random.default_rng(5)
    n = 40
    eta = rng.normal(scale=0.8, size=n)
    b = _bound(lik)
    y = b.draw(eta, rng)
    sw = rng.uniform(0.5, 2.0, n)
    # datafit is -sum sw loglik up to loglik_constant
    assert b.datafit(y, eta, sw) == pytest.approx(
        -float(sw @ b.loglik(y, eta)) + b.loglik_constant(y, sw), rel=1e-12, abs=1e-10)
    # gradient and curvature against central differences along a random direction
    v = rng.normal(size=n)
    h = 1e-5
    fd1 = (b.datafit(y, eta + h * v, sw) - b.datafit(y, eta - h * v, sw)) / (2 * h)
    assert float(b.gradient(y, eta, sw) @ v) == pytest.approx(fd1, rel=1e-6, abs=1e-8)
    g_p, g_m = b.gradient(y, eta + h * v, sw), b.gradient(y, eta - h * v, sw)
    np.testing.assert_allclose((g_p - g_m) / (2 * h), b.curvature(y, eta, sw) * v, rtol=1e-5,
                               atol=1e-8)
    mu = b.mean(eta)
    np.testing.assert_allclose(b.curvature_from_mean(mu, sw, y), b.curvature(y, eta, sw), rtol=1e-12)
    np.testing.assert_allclose(b.gradient_from_mean(y, mu, sw, eta), b.gradient(y, eta, sw),
                               rtol=1e-12, atol=1e-14)
    eta_t = eta + 1e-3 * v
    assert b.datafit_diff(y, sw, eta, eta_t, mu) == pytest.approx(
        b.datafit(y, eta_t, sw) - b.datafit(y, eta, sw), rel=1e-7, abs=1e-12)
    z, hh, g = b.working_response(y, eta, sw)
    np.testing.assert_allclose(z, eta - g / hh, rtol=1e-12)
    # the null model: the intercept's gradient vanishes at null_eta
    e0 = b.null_eta(y, sw, True)
    assert abs(float(b.gradient(y, np.full(n, e0), sw).sum())) < 1e-8 * n
    assert b.null_eta(y, sw, False) == 0.0


@pytest.mark.parametrize("lik", _lik_cases())
def test_predictive_draws_have_the_stated_mean(lik):
    b = _bound(lik)
    rng = np.random.default_rng(6)
    eta = np.full(20000, 0.4)
    d = b.draw(eta, rng)
    mu = float(b.mean(eta[:1])[0])
    assert abs(d.mean() - mu) < 5 * d.std() / np.sqrt(d.size)
    lik.check_y(d)  # draws are in the support


@pytest.mark.slow
@pytest.mark.parametrize("lik", _lik_cases())
def test_likelihood_pymc_loglik_matches(lik):
    import pytensor.tensor as pt

    rng = np.random.default_rng(7)
    eta = rng.normal(size=15)
    b = _bound(lik)
    y = b.draw(eta, rng)
    import pymc as pm

    with pm.Model():
        params = b.resolved(y).pymc_params()
        params = {**params, **{k: pt.as_tensor(np.float64(_FREE_AT.get(k, 0.9)))
                               for k in lik.free_params}}
        got = b.pymc_loglik(pt.as_tensor(y), pt.as_tensor(eta), params).eval()
    np.testing.assert_allclose(got, b.loglik(y, eta), rtol=1e-10)


@pytest.mark.parametrize("lik", _lik_cases())
@pytest.mark.parametrize("prior", _prior_cases())
def test_spec_round_trips(prior, lik):
    m = br.Model(lik, prior)
    back = br.Model.from_dict(m.to_dict())
    assert back == m and repr(back) == repr(m)
    assert lik.bind() is lik  # binding nothing is the identity, never a mutation


# ================================================================== sampling
def _sampler_for(model, p):
    if model.prior.inclusion_variable is not None:
        return "pymc"  # discrete indicators: PyMC's compound step (nutpie is NUTS only)
    return "gibbs" if (model.likelihood.gibbs_kind() == "gaussian"
                       and model.prior.gibbs_face(p) is not None) else "nutpie"


@pytest.mark.slow
@pytest.mark.parametrize("prior", _prior_cases())
def test_sample_compare_and_persist_every_prior(prior, tmp_path):
    """Every prior samples (its Gibbs face where it has one), gives the DataTree layout with its
    own variables, compares with its MAP when it has one, and survives NetCDF."""
    import xarray as xr

    from bayesreg.samplers import model_variables

    p = _n_coef(prior)
    model = br.Model(br.Gaussian(), prior)
    X, y = _data(model.likelihood, p, n=50)
    idata = model.sample(X, y, draws=80, tune=80, chains=2, random_seed=1,
                         sampler=_sampler_for(model, p), progressbar=False)
    post = idata["posterior"]
    assert sorted(post.data_vars) == sorted(model_variables(model))
    assert idata["log_likelihood"]["y"].shape == (2, 80, X.shape[0])
    if prior.as_penalty(p) is not None:
        table = br.compare(idata, model.map(X, y), X=X, y=y)
        assert list(table.index) == [f"x{j}" for j in range(p)]
        assert np.all(np.isfinite(table["mean"]))
    path = tmp_path / "post.nc"
    idata.to_netcdf(path, engine="h5netcdf")
    with xr.open_datatree(path, engine="h5netcdf") as back:
        assert br.Model.from_idata(back.load()).prior == prior


def test_cli_names_are_unique_kebab_case():
    """Every registered prior / likelihood has a distinct --prior / --likelihood name."""
    import re

    from bayesreg.likelihoods.base import LIKELIHOODS
    from bayesreg.priors import PRIORS

    for registry in (PRIORS, LIKELIHOODS):
        names = [n for cls in registry.values() for n in (cls.cli_name(), *cls.cli_aliases)]
        assert len(names) == len(set(names)), names
        assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", n) for n in names), names
    assert PRIORS["ElasticNetPrior"].cli_name() == "elastic-net-prior"
