"""Clear bayesreg errors (never a bare TypeError / IndexError / KeyError / JSONDecodeError from
deep inside) for warm starts, path grids, files given to MAPResult.load and loaded dicts; and
max_iter honoured and validated by every solver."""

import json
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

import bayesreg as br
from bayesreg.likelihoods import likelihood_from_dict
from bayesreg.priors import prior_from_dict

LAP = br.Model(br.Gaussian(1.0), br.Laplace(0.5))


@pytest.fixture
def data(rng):
    X = rng.normal(size=(40, 4))
    return X, X @ [1.0, 0.0, -1.0, 0.5] + rng.normal(size=40)


# ------------------------------------------------------------------ warm_start
def test_warm_start_of_the_wrong_width(data):
    X, y = data
    narrow = LAP.map(X[:, :3], y)
    with pytest.raises(br.DataError, match=r"warm_start has 3 coefficients but X has 4 columns"):
        LAP.map(X, y, warm_start=narrow)
    with pytest.raises(br.BayesregTypeError, match="warm_start must be a MAPResult.*ndarray"):
        LAP.map(X, y, warm_start=np.zeros(4))
    bad = LAP.map(X, y)
    bad.coef = np.array([np.nan, 0, 0, 0])
    with pytest.raises(br.DataError, match="warm_start has NaN"):
        LAP.map(X, y, warm_start=bad)


def test_warm_start_of_the_right_width_reaches_the_same_mode(data):
    X, y = data
    cold = LAP.map(X, y, tol=1e-12)
    far = br.Model(br.Gaussian(1.0), br.Laplace(50.0)).map(X, y)
    warm = LAP.map(X, y, tol=1e-12, warm_start=far)
    np.testing.assert_allclose(warm.coef, cold.coef, atol=1e-8)


def test_warm_start_from_other_named_columns(data):
    import pandas as pd

    X, y = data
    df = pd.DataFrame(X, columns=list("abcd"))
    res = LAP.map(df, y)
    with pytest.raises(br.DataError, match="warm_start was fitted on columns"):
        LAP.map(df[list("dcba")], y, warm_start=res)


# ------------------------------------------------------------------ n_scales, eps, scales
@pytest.mark.parametrize("bad", [2.5, "10", True, 0, -3, None])
def test_n_scales_must_be_a_positive_int(data, bad):
    X, y = data
    with pytest.raises(br.ParameterError, match=f"n_scales must be an integer >= 1, got {bad!r}"):
        LAP.map_path(X, y, n_scales=bad)


@pytest.mark.parametrize("kw,match", [({"eps": "0.1"}, "eps"), ({"eps": 2.0}, "eps"),
                                      ({"scales": ["a", "b"]}, "scales"),
                                      ({"scales": [1.0, -1.0]}, "scales")])
def test_other_path_arguments(data, kw, match):
    X, y = data
    with pytest.raises(br.ParameterError, match=match):
        LAP.map_path(X, y, **kw)


def test_integer_like_n_scales_still_work(data):
    X, y = data
    assert len(LAP.map_path(X, y, n_scales=np.int64(3))) == 3


# ------------------------------------------------------------------ MAPResult.load
@pytest.fixture
def saved(tmp_path, data):
    X, y = data
    path = tmp_path / "fit.json"
    res = LAP.map(X, y)
    res.save(path)
    return path, res


def _write(tmp_path, content):
    p = tmp_path / "bad.json"
    p.write_text(content if isinstance(content, str) else json.dumps(content))
    return p


def test_round_trip_still_exact(saved):
    path, res = saved
    back = br.MAPResult.load(path)
    np.testing.assert_array_equal(back.coef, res.coef)
    assert back.prior == res.prior and back.likelihood == res.likelihood


def test_truncated_file(saved, tmp_path):
    path, _ = saved
    text = path.read_text()
    bad = _write(tmp_path, text[: len(text) // 2])
    with pytest.raises(br.DataError, match=r"bad\.json is not a bayesreg MAPResult file.*truncated"):
        br.MAPResult.load(bad)
    bad = _write(tmp_path, "")
    with pytest.raises(br.DataError, match=r"bad\.json.*not valid JSON"):
        br.MAPResult.load(bad)


def test_not_json_at_all(tmp_path):
    bad = _write(tmp_path, "coef,intercept\n1,2\n")
    with pytest.raises(br.DataError, match=r"bad\.json.*not valid JSON.*line 1"):
        br.MAPResult.load(bad)


@pytest.mark.parametrize("content,match", [
    ([1, 2, 3], "holds a JSON list"),
    ({"a": 1}, r"no 'format' tag"),
    ("3.5", "holds a JSON float"),
], ids=["list", "other-object", "number"])
def test_json_of_another_kind(tmp_path, content, match):
    with pytest.raises(br.DataError, match=r"bad\.json is not a bayesreg MAPResult file.*" + match):
        br.MAPResult.load(_write(tmp_path, content))


def test_a_model_spec_is_not_a_result(tmp_path):
    spec = LAP.to_dict()
    with pytest.raises(br.DataError, match=r"bad\.json.*format 'bayesreg.Model/1'.*Model.from_dict"):
        br.MAPResult.load(_write(tmp_path, spec))


def test_wrong_format_tag_missing_and_unknown_keys(saved, tmp_path):
    path, _ = saved
    d = json.loads(path.read_text())
    with pytest.raises(br.DataError, match=r"bad\.json.*format 'bayesreg.MAPResult/9'"):
        br.MAPResult.load(_write(tmp_path, {**d, "format": "bayesreg.MAPResult/9"}))
    with pytest.raises(br.DataError, match=r"bad\.json.*missing key\(s\) \['coef'\]"):
        br.MAPResult.load(_write(tmp_path, {k: v for k, v in d.items() if k != "coef"}))
    with pytest.raises(br.DataError, match=r"bad\.json.*unknown key\(s\) \['colour'\]"):
        br.MAPResult.load(_write(tmp_path, {**d, "colour": "red"}))
    with pytest.raises(br.DataError, match=r"bad\.json.*coef is not a list of numbers"):
        br.MAPResult.load(_write(tmp_path, {**d, "coef": ["x"] * 4}))
    with pytest.raises(br.DataError, match=r"bad\.json.*3 coefficients but 4 feature names"):
        br.MAPResult.load(_write(tmp_path, {**d, "coef": d["coef"][:3]}))
    bad_prior = {**d, "prior": {"type": "Laplace", "scale": 1.0, "sd": 2}}
    with pytest.raises(br.DataError, match=r"bad\.json.*Laplace prior description has unknown "
                                           r"key\(s\) \['sd'\]"):
        br.MAPResult.load(_write(tmp_path, bad_prior))
    with pytest.raises(br.DataError, match=r"bad\.json.*Laplace.scale"):
        br.MAPResult.load(_write(tmp_path, {**d, "prior": {"type": "Laplace", "scale": -1}}))
    with pytest.raises(br.DataError, match=r"bad\.json.*unknown prior type 'Cauchy'"):
        br.MAPResult.load(_write(tmp_path, {**d, "prior": {"type": "Cauchy"}}))


def test_loaded_dicts_name_unknown_and_missing_keys(data):
    with pytest.raises(br.DataError, match=r"Laplace prior description has missing key\(s\) "
                                           r"\['scale'\]"):
        prior_from_dict({"type": "Laplace"})
    with pytest.raises(br.DataError, match=r"prior description has missing key\(s\) \['type'\]"):
        prior_from_dict({"scale": 1.0})
    with pytest.raises(br.DataError, match="must be a dict"):
        prior_from_dict("Laplace")
    with pytest.raises(br.DataError, match=r"Gaussian likelihood description has unknown "
                                           r"key\(s\) \['sd'\]"):
        likelihood_from_dict({"type": "Gaussian", "sigma": 1.0, "sd": 1.0})
    with pytest.raises(br.DataError, match=r"model description has missing key\(s\) \['prior'\]"):
        br.Model.from_dict({"likelihood": {"type": "Gaussian", "sigma": 1.0}})
    with pytest.raises(br.DataError, match=r"unknown key\(s\) \['extra'\]"):
        br.Model.from_dict({**LAP.to_dict(), "extra": 1})
    with pytest.raises(br.DataError, match="format 'bayesreg.MAPResult/1'"):
        br.Model.from_dict({**LAP.to_dict(), "format": "bayesreg.MAPResult/1"})
    assert br.Model.from_dict(LAP.to_dict()) == LAP
    with pytest.raises(br.DataError, match=r"MAPResult description has unknown key\(s\) \['x'\]"):
        br.MAPResult.from_dict({**LAP.map(*data).to_dict(), "x": 1})


# ------------------------------------------------------------------ max_iter
@pytest.mark.parametrize("bad", [0, -1, 2.5, "10", True])
def test_max_iter_must_be_a_positive_int(data, bad):
    X, y = data
    for model in (LAP, br.Model(br.Bernoulli(), br.Normal(1.0)),
                  br.Model(br.Gaussian(None), br.Laplace(0.5))):
        yy = (y > 0).astype(float) if model.likelihood.response_kind == "binary" else y
        with pytest.raises(br.ParameterError, match=f"max_iter must be an integer >= 1, got {bad!r}"):
            model.map(X, yy, max_iter=bad)
        with pytest.raises(br.ParameterError, match="max_iter"):
            model.map_path(X, yy, n_scales=3, max_iter=bad)


def _hard(rng, n=200, p=30):
    """Strongly correlated columns: coordinate methods need many iterations."""
    X = rng.normal(size=(n, 1)) + 0.3 * rng.normal(size=(n, p))
    w = np.zeros(p)
    w[:5] = [2.0, -1.0, 1.0, 0.5, -2.0]
    return X, X @ w + rng.normal(size=n)


def _one_iteration(model, X, y):
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        res = model.map(X, y, max_iter=1)
    return res, [w for w in rec if issubclass(w.category, br.ConvergenceWarning)]


@pytest.mark.parametrize("case,max_n_iter", [
    ("cd-dense", 1), ("cd-sparse", 1), ("enet", 1), ("ridge-sparse-cg", 1),
    ("logit-l2-newton", 2), ("logit-l1-owlqn", 3), ("logit-l2-sparse-lbfgs", 3),
    ("poisson-l1", 3), ("joint-sigma-ridge", 2),
])
def test_max_iter_1_stops_every_solver_unconverged(rng, case, max_n_iter):
    """One iteration per loop level (GLMs: quasi-Newton, Newton, support polish; joint sigma:
    one sweep of the coef solve + the final coef solve) is not enough on these problems: the
    result says so (converged False, a ConvergenceWarning) instead of running on."""
    X, y = _hard(rng)
    Xs = sp.csc_matrix(np.where(rng.random(X.shape) < 0.3, X, 0.0))
    yb = (y > 0).astype(float)
    models = {
        "cd-dense": (br.Gaussian(1.0), br.Laplace(0.05), X, y),
        "cd-sparse": (br.Gaussian(1.0), br.Laplace(0.05), Xs, y),
        "enet": (br.Gaussian(1.0), br.ElasticNetPrior(0.05, 1.0), X, y),
        "ridge-sparse-cg": (br.Gaussian(1.0), br.Normal(1.0), Xs, y),
        "logit-l2-newton": (br.Bernoulli(), br.Normal(1.0), X, yb),
        "logit-l1-owlqn": (br.Bernoulli(), br.Laplace(0.5), X, yb),
        "logit-l2-sparse-lbfgs": (br.Bernoulli(), br.Normal(1.0), Xs, yb),
        "poisson-l1": (br.Poisson(), br.Laplace(0.5), X / 5,
                       rng.poisson(np.exp(X[:, :3].sum(1) / 5)).astype(float)),
        "joint-sigma-ridge": (br.Gaussian(None), br.Normal(0.5), X, y),
    }
    lik, prior, XX, yy = models[case]
    model = br.Model(lik, prior)
    full = model.map(XX, yy)
    assert full.converged and full.n_iter > max_n_iter  # the problem needs more than that
    res, warned = _one_iteration(model, XX, yy)
    assert not res.converged and warned
    assert res.optimality > res.tol
    assert 1 <= res.n_iter <= max_n_iter


def test_max_iter_1_joint_sigma_with_l1_is_not_certified(rng):
    X, y = _hard(rng)
    model = br.Model(br.Gaussian(None), br.Laplace(0.05))
    assert model.map(X, y).converged
    res, warned = _one_iteration(model, X, y)
    assert not res.converged and warned


def test_max_iter_1_direct_ridge_is_one_exact_solve(rng):
    """Dense Gaussian x Normal is a direct solve: one iteration reaches the mode."""
    X, y = _hard(rng)
    model = br.Model(br.Gaussian(1.0), br.Normal(1.0))
    res, warned = _one_iteration(model, X, y)
    assert res.converged and not warned and res.n_iter == 1
    Xc, yc = X - X.mean(0), y - y.mean()
    np.testing.assert_allclose(res.coef, np.linalg.solve(Xc.T @ Xc + np.eye(X.shape[1]), Xc.T @ yc),
                               atol=1e-10)


def test_max_iter_honoured_along_paths_and_by_estimators(rng):
    X, y = _hard(rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", br.ConvergenceWarning)
        path = br.Model(br.Gaussian(1.0), br.Laplace(0.05)).map_path(X, y, n_scales=5, max_iter=1)
        est = br.MAPRegressor(prior=br.Laplace(0.05), max_iter=1).fit(X, y)
    assert all(r.n_iter <= 1 for r in path.results)
    assert not all(r.converged for r in path.results)
    assert est.n_iter_ == 1 and not est.result_.converged
