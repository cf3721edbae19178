"""GroupLaplace (multivariate Laplace per group) and the group lasso solvers, against
independent references: quadrature of the normalizer, a proximal-gradient (FISTA) reference
with the block prox written here, the group KKT conditions computed here, skglm's GroupLasso
(when installed), the analytic all-zero scale, a formula's categorical term on the path, and
Gibbs draws against grid quadrature of the posterior."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.sparse as sp
from scipy import integrate

import bayesreg as br
from bayesreg._errors import BayesregError


# ------------------------------------------------------------------ normalizer
def _quadrature_z(k: int, c: float) -> float:
    """int_{R^k} exp(-c ||w||) dw by nested quadrature with elementary measures only
    (Cartesian for k <= 2, cylindrical for k = 3, two planar polar pairs for k = 4)."""
    opts = {"epsabs": 0, "epsrel": 1e-10}
    if k == 1:
        return 2 * integrate.quad(lambda x: math.exp(-c * x), 0, np.inf, **opts)[0]
    if k == 2:
        f = lambda y, x: math.exp(-c * math.hypot(x, y))  # noqa: E731
        return 4 * integrate.dblquad(f, 0, np.inf, 0, np.inf, epsabs=0, epsrel=1e-9)[0]
    if k == 3:  # 2 pi a da (circle) x dz
        f = lambda a, z: 2 * math.pi * a * math.exp(-c * math.hypot(a, z))  # noqa: E731
        return 2 * integrate.dblquad(f, 0, np.inf, 0, np.inf, epsabs=0, epsrel=1e-9)[0]
    # k = 4: (2 pi a da)(2 pi b db)
    f = lambda a, b: 4 * math.pi**2 * a * b * math.exp(-c * math.hypot(a, b))  # noqa: E731
    return integrate.dblquad(f, 0, np.inf, 0, np.inf, epsabs=0, epsrel=1e-9)[0]


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_log_normalizer_matches_quadrature(k):
    scale = 0.7
    prior = br.GroupLaplace(scale, np.zeros(k, dtype=int))
    c = math.sqrt(k) / scale
    ref = math.log(_quadrature_z(k, c))
    assert prior.log_normalizer(k) == pytest.approx(ref, rel=1e-8, abs=1e-8)
    w = np.linspace(-1.0, 0.8, k)
    assert prior.logpdf(w).sum() == pytest.approx(-c * np.linalg.norm(w) - ref, rel=1e-8)
    if k == 1:  # a group of one is the Laplace prior
        assert prior.logpdf(w)[0] == pytest.approx(float(br.Laplace(scale).logpdf(w)[0]))


def test_density_of_several_groups_and_unpenalized():
    prior = br.GroupLaplace(0.5, [[0, 2], [1, 3, 4]], unpenalized=[5])
    w = np.array([0.3, -1.0, 0.4, 0.2, 0.0, 7.0])
    z2 = math.log(_quadrature_z(2, math.sqrt(2) / 0.5))
    z3 = math.log(_quadrature_z(3, math.sqrt(3) / 0.5))
    ref = (-math.sqrt(2) / 0.5 * math.hypot(0.3, 0.4) - z2
           - math.sqrt(3) / 0.5 * np.linalg.norm([-1.0, 0.2, 0.0]) - z3)  # flat on column 5
    assert prior.logpdf(w).sum() == pytest.approx(ref, rel=1e-9)
    W = np.stack([w, 2 * w])
    np.testing.assert_allclose(prior.joint_logpdf(W), [prior.logpdf(v).sum() for v in W])


# ------------------------------------------------------------------ references
def _block_prox(v, t, groups, lam):
    out = v.copy()
    for g, cols in enumerate(groups):
        nv = np.linalg.norm(v[cols])
        out[cols] = 0.0 if nv <= t * lam[g] else v[cols] * (1 - t * lam[g] / nv)
    return out


def _fista(grad_f, f, L, groups, lam, p, fit_intercept, iters=20000):
    """FISTA on theta = (w, b): block prox on the groups, identity on b and unpenalized."""
    x = np.zeros(p + 1)
    yk, tk = x.copy(), 1.0
    for _ in range(iters):
        x_old = x
        g = grad_f(yk)
        if not fit_intercept:
            g[p] = 0.0
        z = yk - g / L
        xn = np.r_[_block_prox(z[:p], 1 / L, groups, lam), z[p]]
        tn = 0.5 * (1 + math.sqrt(1 + 4 * tk * tk))
        yk = xn + (tk - 1) / tn * (xn - x)
        if f(xn) > f(x):  # adaptive restart keeps it monotone
            yk, tn = xn.copy(), 1.0
        x, tk = xn, tn
        if np.max(np.abs(x - x_old)) < 1e-14 * (1 + np.max(np.abs(x))):
            break
    return x[:p], x[p]


def _group_kkt(grad_w, w, groups, lam):
    """Largest distance of -grad_g to lam_g * subdiff ||w_g|| (computed here)."""
    worst = 0.0
    for g, cols in enumerate(groups):
        nw = np.linalg.norm(w[cols])
        if nw > 0:
            worst = max(worst, np.linalg.norm(grad_w[cols] + lam[g] * w[cols] / nw))
        else:
            worst = max(worst, np.linalg.norm(grad_w[cols]) - lam[g])
    return worst


def _data(n=80, p=9, seed=0, kind="gaussian"):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) + 0.3 * rng.normal(size=(n, 1))
    beta = np.r_[1.0, -0.8, 0.5, 0, 0, 0, 0.3, 0.3, -0.2][:p]
    eta = 0.4 + X @ beta
    if kind == "gaussian":
        y = eta + rng.normal(size=n)
    elif kind == "bernoulli":
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    else:
        y = rng.poisson(np.exp(0.3 * eta)).astype(float)
    return X, y


GROUPS = [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
LABELS = np.repeat(np.arange(3), 3)


@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("weighted", [False, True])
def test_gaussian_map_matches_fista_and_group_kkt(sparse, weighted):
    X, y = _data()
    n, p = X.shape
    rng = np.random.default_rng(5)
    sw = rng.uniform(0.5, 2.0, n) if weighted else np.ones(n)
    sigma, scale = 1.3, 0.06
    lam = np.sqrt([3, 3, 3]) / scale
    A = np.c_[X, np.ones(n)]

    def f(th):
        r = y - A @ th
        return 0.5 * np.sum(sw * r * r) / sigma**2

    def grad_f(th):
        return -A.T @ (sw * (y - A @ th)) / sigma**2

    L = np.linalg.eigvalsh((A * sw[:, None]).T @ A)[-1] / sigma**2
    w_ref, b_ref = _fista(grad_f, lambda th: f(th) + lam @ [np.linalg.norm(th[c]) for c in GROUPS],
                          L, GROUPS, lam, p, True)
    model = br.Model(br.Gaussian(sigma=sigma), br.GroupLaplace(scale, LABELS))
    Xf = sp.csc_matrix(X) if sparse else X
    fit = model.map(Xf, y, sample_weight=sw if weighted else None, tol=1e-12)
    assert fit.converged and fit.solver == "group_cd"
    np.testing.assert_allclose(fit.coef, w_ref, atol=1e-6)
    assert fit.intercept == pytest.approx(b_ref, abs=1e-6)
    assert np.count_nonzero(w_ref) < p  # some group is exactly zero
    np.testing.assert_array_equal(fit.coef == 0, np.abs(w_ref) < 1e-9)
    g = grad_f(np.r_[fit.coef, fit.intercept])
    assert _group_kkt(g[:p], fit.coef, GROUPS, lam) < 1e-6
    assert abs(g[p]) < 1e-6
    # the log posterior is the exact density (normalizer of each group included)
    lp = -f(np.r_[fit.coef, fit.intercept]) - 0.5 * np.sum(sw) * math.log(2 * math.pi * sigma**2)
    lp += sum(-lam[g] * np.linalg.norm(fit.coef[c]) - math.log(_quadrature_z(3, lam[g]))
              for g, c in enumerate(GROUPS))
    assert fit.log_posterior == pytest.approx(lp, rel=1e-8)


def test_unpenalized_columns_and_uneven_groups():
    X, y = _data(p=9, seed=2)
    n, p = X.shape
    groups = [[0, 4], [1, 2, 3, 5], [7, 8]]
    unpen = [6]
    scale, sigma = 0.08, 1.0
    lam = np.array([math.sqrt(len(c)) for c in groups]) / scale
    A = np.c_[X, np.ones(n)]

    def f(th):
        return 0.5 * np.sum((y - A @ th) ** 2) / sigma**2

    def grad_f(th):
        return -A.T @ (y - A @ th) / sigma**2

    L = np.linalg.eigvalsh(A.T @ A)[-1]
    w_ref, b_ref = _fista(grad_f, lambda th: f(th) + lam @ [np.linalg.norm(th[c]) for c in groups],
                          L, groups, lam, p, True, iters=30000)
    fit = br.Model(br.Gaussian(sigma=sigma),
                   br.GroupLaplace(scale, groups, unpenalized=unpen)).map(X, y, tol=1e-12)
    assert fit.converged and fit.optimality_kind == "duality_gap"
    np.testing.assert_allclose(fit.coef, w_ref, atol=1e-6)
    g = grad_f(np.r_[fit.coef, fit.intercept])
    assert _group_kkt(g[:p], fit.coef, groups, lam) < 1e-6
    assert abs(g[6]) < 1e-6 and abs(g[p]) < 1e-6


@pytest.mark.parametrize("kind", ["bernoulli", "poisson"])
def test_glm_map_matches_fista_and_group_kkt(kind):
    X, y = _data(n=120, kind=kind, seed=3)
    n, p = X.shape
    scale = 0.1 if kind == "bernoulli" else 0.05
    lam = np.sqrt([3, 3, 3]) / scale
    A = np.c_[X, np.ones(n)]
    if kind == "bernoulli":
        lik = br.Bernoulli()

        def f(th):
            e = A @ th
            return float(np.sum(np.logaddexp(0, e) - y * e))

        def grad_f(th):
            return A.T @ (1 / (1 + np.exp(-(A @ th))) - y)

        L = 0.25 * np.linalg.eigvalsh(A.T @ A)[-1]
    else:
        lik = br.Poisson()

        def f(th):
            e = A @ th
            return float(np.sum(np.exp(e) - y * e))

        def grad_f(th):
            return A.T @ (np.exp(A @ th) - y)

        L = np.linalg.eigvalsh((A * (3 * y.max() + 3)[None]).T @ A)[-1] / 3  # a safe bound
    w_ref, b_ref = _fista(grad_f, lambda th: f(th) + lam @ [np.linalg.norm(th[c]) for c in GROUPS],
                          L, GROUPS, lam, p, True, iters=40000)
    fit = br.Model(lik, br.GroupLaplace(scale, LABELS)).map(X, y, tol=1e-10)
    assert fit.converged and fit.solver == "group_prox_newton" and fit.optimality_kind == "kkt"
    np.testing.assert_allclose(fit.coef, w_ref, atol=1e-6)
    assert fit.intercept == pytest.approx(b_ref, abs=1e-6)
    g = grad_f(np.r_[fit.coef, fit.intercept])
    assert _group_kkt(g[:p], fit.coef, GROUPS, lam) < 1e-6 and abs(g[p]) < 1e-6


@pytest.mark.slow  # skglm compiles its numba classes in every process (~50 s)
def test_matches_skglm_group_lasso():
    skglm = pytest.importorskip("skglm")
    X, y = _data(n=100, seed=4)
    n = X.shape[0]
    sigma, scale = 1.0, 0.05
    alpha = sigma**2 / (n * scale)  # 1/(2n)||r||^2 + alpha sum_g sqrt(p_g) ||w_g||
    ref = skglm.GroupLasso(groups=3, alpha=alpha, weights=np.sqrt([3.0, 3, 3]), tol=1e-12,
                           max_iter=1000, fit_intercept=True).fit(X, y)
    fit = br.Model(br.Gaussian(sigma=sigma), br.GroupLaplace(scale, LABELS)).map(X, y, tol=1e-12)
    np.testing.assert_allclose(fit.coef, ref.coef_, atol=1e-6)
    assert fit.intercept == pytest.approx(ref.intercept_, abs=1e-6)


def test_sparse_glm_equals_dense():
    X, y = _data(n=120, kind="bernoulli", seed=11)
    X[np.abs(X) < 0.8] = 0.0
    model = br.Model(br.Bernoulli(), br.GroupLaplace(0.1, LABELS))
    dense = model.map(X, y, tol=1e-10)
    sparse = model.map(sp.csr_matrix(X), y, tol=1e-10)
    assert dense.converged and sparse.converged
    np.testing.assert_allclose(sparse.coef, dense.coef, atol=1e-8)


def test_free_sigma_and_student_t_are_certified():
    X, y = _data(seed=6)
    for lik in (br.Gaussian(), br.StudentT(nu=4.0, sigma=1.0)):
        fit = br.Model(lik, br.GroupLaplace(0.05, LABELS)).map(X, y, tol=1e-9)
        assert fit.converged, (lik, fit.optimality, fit.tol)


# ------------------------------------------------------------------ paths
def test_path_starts_at_the_analytic_all_zero_scale():
    X, y = _data(seed=7)
    sigma = 1.0
    model = br.Model(br.Gaussian(sigma=sigma), br.GroupLaplace(1.0, LABELS))
    path = model.map_path(X, y, n_scales=8, tol=1e-10)
    yc, Xc = y - y.mean(), X - X.mean(axis=0)
    # w = 0 is the mode iff ||Xc_g^T yc|| / sigma^2 <= sqrt(p_g) / scale for every group
    s0 = min(sigma**2 * math.sqrt(3) / np.linalg.norm(Xc[:, c].T @ yc) for c in GROUPS)
    assert path.scales[0] == pytest.approx(s0, rel=1e-10)
    assert not np.any(path.results[0].coef)
    assert np.any(model.__class__(model.likelihood, br.GroupLaplace(s0 * 1.01, LABELS))
                  .map(X, y).coef)
    assert all(r.converged for r in path.results)
    assert np.count_nonzero(path.results[-1].coef) > 0


def test_path_with_unpenalized_columns_starts_where_the_groups_leave():
    X, y = _data(seed=13)
    prior = br.GroupLaplace(1.0, [[0, 1, 2], [3, 4, 5], [7, 8]], unpenalized=[6])
    model = br.Model(br.Gaussian(sigma=1.0), prior)
    path = model.map_path(X, y, n_scales=5, tol=1e-10)
    first = path.results[0].coef
    assert not np.any(np.delete(first, 6)) and first[6] != 0
    # the threshold from the residual of the least-squares fit on column 6 (computed here)
    A = np.c_[np.ones(len(y)), X[:, 6]]
    r = y - A @ np.linalg.lstsq(A, y, rcond=None)[0]
    groups = [[0, 1, 2], [3, 4, 5], [7, 8]]
    s0 = min(math.sqrt(len(c)) / np.linalg.norm(X[:, c].T @ r) for c in groups)
    assert path.scales[0] == pytest.approx(s0, rel=1e-7)
    assert np.any(np.delete(model.__class__(model.likelihood, br.GroupLaplace(
        s0 * 1.01, prior.groups)).map(X, y).coef, 6))


def test_formula_categorical_term_enters_and_leaves_together():
    pd = pytest.importorskip("pandas")
    pytest.importorskip("formulaic")
    rng = np.random.default_rng(8)
    n = 150
    df = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n),
                       "region": rng.choice(list("abcd"), size=n)})
    eff = {"a": 0.0, "b": 0.8, "c": -0.5, "d": 0.3}
    df["y"] = 0.6 * df.x1 + df.region.map(eff) + rng.normal(scale=0.8, size=n)
    fm = br.Model.from_formula("y ~ x1 + x2 + C(region)", data=df,
                               prior=br.GroupLaplace(0.3, groups="terms"),
                               likelihood=br.Gaussian(sigma=0.8))
    np.testing.assert_array_equal(fm.model.prior.groups, fm.groups)
    dummies = [j for j, c in enumerate(fm.feature_names) if c.startswith("C(region)")]
    assert len(dummies) == 3
    path = fm.map_path(n_scales=30, tol=1e-10)
    states = {tuple(r.coef[dummies] != 0) for r in path.results}
    assert states == {(False,) * 3, (True,) * 3}  # all three levels zero, or all non-zero
    # the same model with FormulaModel.groups passed directly, and by feature names
    by_array = br.Model(br.Gaussian(sigma=0.8), br.GroupLaplace(0.3, fm.groups)).map(fm.X, fm.y)
    names = [[c for c in fm.feature_names if fm.groups[fm.feature_names.index(c)] == k]
             for k in range(len(fm.terms))]
    by_name = br.Model(br.Gaussian(sigma=0.8), br.GroupLaplace(0.3, names)).map(fm.X, fm.y)
    np.testing.assert_allclose(fm.map().coef, by_array.coef, atol=1e-12)
    np.testing.assert_allclose(by_name.coef, by_array.coef, atol=1e-12)


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("groups, kwargs, match", [
    ([[0, 1], [1, 2]], {}, "exactly one group"),
    ([[0, 2]], {}, r"columns \[1\] are in no group"),
    ([[0, 1], []], {}, "empty"),
    ("levels", {}, "only string accepted is 'terms'"),
    ([[0, "a"]], {}, "mixes names"),
    (np.array([0, -3, 1]), {}, ">= 0"),
    ([[0, 1]], {"unpenalized": [1]}, "both in group"),
    ([[0.5, 1]], {}, "column indices"),
])
def test_bad_groups_name_the_argument(groups, kwargs, match):
    with pytest.raises(BayesregError, match=match):
        br.GroupLaplace(0.5, groups, **kwargs)


def test_bad_groups_at_fit_time():
    X, y = _data(p=9)
    with pytest.raises(br.ParameterError, match="labels 4 columns but the model has 9"):
        br.Model(br.Gaussian(sigma=1.0), br.GroupLaplace(0.5, [0, 0, 1, 1])).map(X, y)
    with pytest.raises(br.ParameterError, match="Model.from_formula"):
        br.Model(br.Gaussian(sigma=1.0), br.GroupLaplace(0.5, "terms")).map(X, y)
    with pytest.raises(br.ParameterError, match="feature names"):
        br.Model(br.Gaussian(sigma=1.0), br.GroupLaplace(0.5, [["a", "b"]])).map(X, y)
    with pytest.raises(br.ParameterError, match="scale"):
        br.GroupLaplace(-1.0, [[0]])


def test_persistence_round_trip_keeps_groups():
    from bayesreg.priors import prior_from_dict

    for prior in (br.GroupLaplace(0.5, [[0, 2], [1]], unpenalized=[3]),
                  br.GroupLaplace(0.5, [["a", "b"], ["c"]]), br.GroupLaplace(0.5, "terms")):
        back = prior_from_dict(prior.to_dict())
        assert back == prior and repr(back) == repr(prior)


# ------------------------------------------------------------------ Gibbs
@pytest.mark.slow
def test_gibbs_matches_grid_quadrature_of_the_posterior():
    """Kyung et al.'s hierarchy without sigma scaling has the GroupLaplace marginal: the Gibbs
    posterior means and sds equal grid quadrature of the exact posterior (intercept integrated
    out under its flat prior), to a few MCSEs."""
    rng = np.random.default_rng(9)
    n = 12
    X = rng.normal(size=(n, 3))
    y = X @ np.array([0.5, -0.3, 0.0]) + rng.normal(scale=1.0, size=n)
    sigma, scale = 1.0, 0.4
    labels = np.array([0, 0, 1])
    model = br.Model(br.Gaussian(sigma=sigma), br.GroupLaplace(scale, labels))
    idata = model.sample(X, y, draws=4000, tune=300, chains=2, random_seed=3, sampler="gibbs",
                         progressbar=False)
    W = idata["posterior"]["coef"].values.reshape(-1, 3)
    # grid quadrature
    Xc, yc = X - X.mean(0), y - y.mean()
    grid = np.linspace(-2.5, 2.5, 121)
    A, B, C = np.meshgrid(grid, grid, grid, indexing="ij")
    P = np.stack([A.ravel(), B.ravel(), C.ravel()], axis=1)
    r = yc[None, :] - P @ Xc.T
    lam = np.array([math.sqrt(2), 1.0]) / scale
    logp = (-0.5 * np.sum(r * r, axis=1) / sigma**2 - lam[0] * np.hypot(P[:, 0], P[:, 1])
            - lam[1] * np.abs(P[:, 2]))
    wts = np.exp(logp - logp.max())
    wts /= wts.sum()
    mean = wts @ P
    sd = np.sqrt(wts @ (P - mean) ** 2)
    import arviz_stats as azs

    for j in range(3):
        draws = idata["posterior"]["coef"].values[..., j]
        mcse = float(azs.mcse(draws))
        assert abs(W[:, j].mean() - mean[j]) < 5 * mcse + 1e-3, (j, W[:, j].mean(), mean[j], mcse)
        assert W[:, j].std() == pytest.approx(sd[j], rel=0.08)


def test_priors_page_code_runs(capsys):
    """docs/guide/priors.md (the group-lasso section included) runs and prints what it says."""
    pytest.importorskip("formulaic")
    import re
    from pathlib import Path

    page = Path(__file__).resolve().parents[1] / "docs" / "guide" / "priors.md"
    ns: dict = {}
    for code in re.findall(r"^```python\n(.*?)^```", page.read_text(), flags=re.S | re.M):
        exec(compile(code, "priors.md", "exec"), ns)
    out = capsys.readouterr().out
    assert "group_cd True duality_gap" in out
    fm = ns["fm"]
    Xc = fm.X.to_numpy() - fm.X.to_numpy().mean(0)
    yc = fm.y - fm.y.mean()
    s0 = min(np.sqrt(len(c)) / np.linalg.norm(Xc[:, fm.groups == k].T @ yc)
             for k, c in enumerate(fm.terms.values()))
    assert ns["path"].scales[0] == pytest.approx(s0, rel=1e-10)


def test_dask_arrays_get_a_clear_error():
    da = pytest.importorskip("dask.array")
    X, y = _data()
    model = br.Model(br.Gaussian(sigma=1.0), br.GroupLaplace(0.1, LABELS))
    with pytest.raises(br.NotSupportedError, match="compute"):
        model.map(da.from_array(X, chunks=40), da.from_array(y, chunks=40))
