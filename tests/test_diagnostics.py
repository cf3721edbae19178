"""bayesreg.diagnostics: compare / diagnose / plots against ArviZ, NumPy and closed forms.

Posterior draws here are built with NumPy (exact Gaussian posteriors, stuck chains, injected
divergences) and wrapped with ``arviz.from_dict``; no sampling, so these tests are fast.
"""

import matplotlib

matplotlib.use("Agg")

import arviz as az  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import xarray as xr  # noqa: E402
from scipy import stats  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression  # noqa: E402

import bayesreg as br  # noqa: E402
from bayesreg import diagnostics as D  # noqa: E402
from bayesreg._errors import BayesregTypeError, DataError, ParameterError  # noqa: E402
from bayesreg.diagnostics.compare import ZERO_TOL_RULE  # noqa: E402

NAMES = ["age", "bmi", "bp", "s1"]


def _data(rng, n=120, p=4):
    X = rng.normal(size=(n, p)) * np.array([1.0, 2.0, 0.5, 3.0])[:p]
    w = np.array([1.0, 0.0, -2.0, 0.05])[:p]
    y = 0.5 + X @ w + rng.normal(size=n)
    return X, y


def _tree(coef, intercept=None, sigma=None, names=NAMES, sample_stats=None):
    post = {"coef": coef}
    if intercept is not None:
        post["intercept"] = intercept
    if sigma is not None:
        post["sigma"] = sigma
    data = {"posterior": post}
    if sample_stats is not None:
        data["sample_stats"] = sample_stats
    return az.from_dict(data, dims={"coef": ["feature"]}, coords={"feature": list(names)})


@pytest.fixture
def ridge_case(rng):
    """Normal prior, fixed sigma: the posterior is exactly Gaussian with mean = the MAP.

    Draw iid from it (intercept flat): the joint posterior of (b, w) is N(m, S) with
    S = sigma^2 (A^T A + diag(0, sigma^2 / tau^2))^-1 and m the ridge solution."""
    X, y = _data(rng)
    sigma, tau = 1.0, 0.3
    fit = br.Model(br.Gaussian(sigma=sigma), br.Normal(tau)).map(X, y)
    A = np.column_stack([np.ones(len(y)), X])
    prec = A.T @ A / sigma**2 + np.diag([0.0] + [1 / tau**2] * X.shape[1])
    S = np.linalg.inv(prec)
    m = S @ (A.T @ y) / sigma**2
    draws = rng.multivariate_normal(m, S, size=(4, 500))
    dt = _tree(draws[..., 1:], intercept=draws[..., 0], names=[f"x{j}" for j in range(4)])
    return X, y, fit, dt, m, S


# ----------------------------------------------------------------------------------- compare
def test_compare_matches_arviz_summary_and_hdi(ridge_case):
    X, y, fit, dt, m, S = ridge_case
    t = br.compare(dt, fit, hdi_prob=0.9, X=X, y=y, extra_rows=True)
    ref = az.summary(dt, round_to="none", ci_kind="hdi", ci_prob=0.9)
    hdi = az.hdi(dt, prob=0.9)
    for j, name in enumerate(fit.feature_names):
        row, r = t.loc[name], ref.loc[f"coef[{name}]"]
        for col in ("mean", "sd", "r_hat", "ess_bulk", "ess_tail", "mcse_mean"):
            assert row[col] == r[col], (name, col)
        lo, hi = hdi["coef"].sel(feature=name).values
        assert (row["hdi_low"], row["hdi_high"]) == (lo, hi)
        w = dt.posterior["coef"].sel(feature=name).values
        assert row["median"] == pytest.approx(np.median(w), rel=1e-12, abs=1e-15)
        assert row["map"] == fit.coef[j]
        assert row["map_in_hdi"] == (lo <= fit.coef[j] <= hi)
    assert t.loc["(intercept)", "mean"] == ref.loc["intercept", "mean"]
    assert t.loc["(intercept)", "map"] == fit.intercept
    assert list(t["kind"]) == ["coef"] * 4 + ["intercept"]
    assert t.attrs["hdi_prob"] == 0.9


def test_compare_exact_gaussian_posterior(ridge_case):
    """Posterior mean = MAP (z-score on ArviZ's MCSE), p_near_zero = analytic normal mass."""
    X, y, fit, dt, m, S = ridge_case
    tol = 0.05
    t = br.compare(dt, fit, zero_tol=tol)
    z = (t["mean"].to_numpy() - fit.coef) / t["mcse_mean"].to_numpy()
    assert np.all(np.abs(z) < 4.5), z
    sd = np.sqrt(np.diag(S)[1:])
    p_exact = stats.norm.cdf((tol - m[1:]) / sd) - stats.norm.cdf((-tol - m[1:]) / sd)
    n = 2000
    se = np.sqrt(np.maximum(p_exact * (1 - p_exact), 1 / n) / n)
    assert np.all(np.abs(t["p_near_zero"].to_numpy() - p_exact) < 5 * se + 1e-12)
    assert np.all(t["map_in_hdi"])  # the mode of a Gaussian is its center


def test_compare_defaults_zero_tol_and_least_squares(rng):
    X, y = _data(rng)
    fit = br.Model(br.Gaussian(), br.Laplace(0.05)).map(X, y)
    draws = rng.normal(size=(2, 300, 4)) * 0.1 + fit.coef
    dt = _tree(draws, names=[f"x{j}" for j in range(4)])
    t = br.compare(dt, fit, X=X, y=y)
    tol = 0.1 * np.std(y) / np.std(X, axis=0)
    np.testing.assert_allclose(t["zero_tol"], tol, rtol=1e-12)
    np.testing.assert_array_equal(t["p_near_zero"],
                                  np.mean(np.abs(draws) < tol, axis=(0, 1)))
    ls = LinearRegression().fit(X, y).coef_
    np.testing.assert_allclose(t["ls"], ls, rtol=1e-9)
    np.testing.assert_allclose(t["shrinkage_map"], 1 - fit.coef / ls, rtol=1e-9)
    np.testing.assert_allclose(t["shrinkage_mean"], 1 - t["mean"] / ls, rtol=1e-9)
    assert t.attrs["zero_tol_rule"] == (f"zero_tol_j = 0.1 * sd(y) / sd(x_j) (sd(y) = "
                                        f"{np.std(y):.4g}): {ZERO_TOL_RULE}")
    assert t.attrs["ls_rule"] == "ordinary least squares"
    # the laplace MAP shrinks towards zero: 0 < shrinkage <= 1 where the sign is kept
    kept = fit.coef * ls > 0
    assert np.all((t["shrinkage_map"][kept] > 0) & (t["shrinkage_map"][kept] < 1))
    # without X (and no stored x_sd): no zero tolerance, no reference: columns absent, not NaN
    t2 = br.compare(dt, fit)
    assert not {"zero_tol", "p_near_zero", "ls", "shrinkage_map", "shrinkage_mean"} & set(t2)
    assert not t2.isna().all().any()
    assert t2.attrs["zero_tol_rule"].startswith("not available")
    assert t2.attrs["ls_rule"] == "no reference estimate (X not given)"
    # given reference
    t3 = br.compare(dt, fit, ls_coef=np.ones(4), zero_tol=np.full(4, 0.2))
    np.testing.assert_allclose(t3["shrinkage_map"], 1 - fit.coef)


def test_compare_uses_observed_data_and_rank_deficiency(rng):
    X, y = _data(rng, n=60)
    Xd = np.column_stack([X, X[:, 0]])  # duplicated column: least squares not unique
    fit = br.Model(br.Gaussian(), br.Normal(1.0)).map(Xd, y)
    names = [f"x{j}" for j in range(5)]
    dt = az.from_dict({"posterior": {"coef": rng.normal(size=(2, 100, 5))},
                       "observed_data": {"y": y}, "constant_data": {"X": Xd}},
                      dims={"coef": ["feature"], "X": ["obs", "feature"], "y": ["obs"]},
                      coords={"feature": names})
    t = br.compare(dt, fit)
    sdx = np.std(Xd, axis=0)
    np.testing.assert_allclose(t["zero_tol"], 0.1 * np.std(y) / sdx, rtol=1e-12)
    assert t["ls"].isna().all()
    assert "rank deficient" in t.attrs["ls_rule"]


def test_compare_observed_y_only_and_glm_scale(rng):
    """y (observed_data) without X nor x_sd: no default zero_tol (columns absent, one rule
    only); Bernoulli uses the logistic sd pi / sqrt(3) on the log-odds scale and the
    unpenalized logistic regression as the reference."""
    X, y = _data(rng, n=100)
    fit = br.Model(br.Gaussian(), br.Normal(1.0)).map(X, y)
    names = [f"x{j}" for j in range(4)]
    draws = fit.coef + 0.1 * rng.normal(size=(2, 100, 4))
    dt = az.from_dict({"posterior": {"coef": draws}, "observed_data": {"y": y}},
                      dims={"coef": ["feature"], "y": ["obs_id"]}, coords={"feature": names})
    t = br.compare(dt, fit)
    assert "zero_tol" not in t and "p_near_zero" not in t
    # with the stored sds (what model.sample writes): the data rule without X
    dt["constant_data"] = xr.DataTree(xr.Dataset({"x_sd": ("feature", np.std(X, axis=0))},
                                                 coords={"feature": names}))
    t = br.compare(dt, fit)
    np.testing.assert_allclose(t["zero_tol"], 0.1 * np.std(y) / np.std(X, axis=0), rtol=1e-12)
    yb = (X[:, 0] + rng.normal(size=100) > 0).astype(float)
    fitb = br.Model(br.Bernoulli(), br.Laplace(1.0)).map(X, yb)
    dtb = _tree(fitb.coef + 0.1 * rng.normal(size=(2, 100, 4)), names=names)
    tb = br.compare(dtb, fitb, X=X, y=yb)
    np.testing.assert_allclose(tb["zero_tol"], 0.1 * (np.pi / np.sqrt(3)) / np.std(X, axis=0))
    ref = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10000).fit(X, yb).coef_[0]
    np.testing.assert_allclose(tb["ls"], ref, rtol=1e-5, atol=1e-7)
    assert tb.attrs["ls_rule"] == "unpenalized maximum likelihood"
    assert not tb.isna().all().any()
    # separable classes: no maximum-likelihood estimate, NaN reference and the reason
    ys = (X[:, 0] > 0).astype(float)
    fits = br.Model(br.Bernoulli(), br.Laplace(1.0)).map(X, ys)
    ts = br.compare(_tree(fits.coef + 0.1 * rng.normal(size=(2, 100, 4)), names=names), fits,
                    X=X, y=ys)
    assert ts["ls"].isna().all() and ts["shrinkage_mean"].isna().all()
    assert "separable" in ts.attrs["ls_rule"]


def test_compare_bad_input(ridge_case, rng):
    X, y, fit, dt, m, S = ridge_case
    with pytest.raises(ParameterError, match="hdi_prob"):
        br.compare(dt, fit, hdi_prob=1.5)
    with pytest.raises(ParameterError, match="zero_tol"):
        br.compare(dt, fit, zero_tol=-1.0)
    with pytest.raises(ParameterError, match="zero_tol"):
        br.compare(dt, fit, zero_tol=[0.1, 0.2])
    with pytest.raises(BayesregTypeError, match="MAPResult"):
        br.compare(dt, fit.coef)
    with pytest.raises(BayesregTypeError, match="DataTree"):
        br.compare(np.zeros(3), fit)
    small = _tree(rng.normal(size=(2, 50, 3)), names=["a", "b", "c"])
    with pytest.raises(DataError, match="3 coefficients"):
        br.compare(small, fit)
    wrong = _tree(rng.normal(size=(2, 50, 4)), names=["a", "b", "c", "d"])
    with pytest.raises(DataError, match="feature"):
        br.compare(wrong, fit)
    with pytest.raises(DataError, match="both X and y"):
        br.compare(dt, fit, X=X)
    Xc, yc = X.copy(), y.copy()
    br.compare(dt, fit, X=X, y=y)
    np.testing.assert_array_equal(X, Xc)
    np.testing.assert_array_equal(y, yc)


# ----------------------------------------------------------------------------------- diagnose
def _stats(rng, chains=4, draws=500, n_div=0, depth_hits=0, energy=None):
    div = np.zeros(chains * draws, bool)
    div[rng.choice(div.size, n_div, replace=False)] = True
    tree = np.zeros(chains * draws, bool)
    tree[:depth_hits] = True
    if energy is None:
        energy = rng.normal(size=(chains, draws))
    return {"diverging": div.reshape(chains, draws), "energy": energy,
            "reached_max_treedepth": tree.reshape(chains, draws)}


def test_diagnose_healthy_matches_arviz(rng):
    dt = _tree(rng.normal(size=(4, 500, 4)), intercept=rng.normal(size=(4, 500)),
               sample_stats=_stats(rng))
    d = br.diagnose(dt)
    assert d.ok and bool(d)
    assert d.messages == []
    rh = az.rhat(dt)
    eb = az.ess(dt, method="bulk")
    et = az.ess(dt, method="tail")
    for name in NAMES:
        assert d.r_hat[f"coef[{name}]"] == float(rh["coef"].sel(feature=name))
        assert d.ess_bulk[f"coef[{name}]"] == float(eb["coef"].sel(feature=name))
        assert d.ess_tail[f"coef[{name}]"] == float(et["coef"].sel(feature=name))
    assert d.r_hat["intercept"] == float(rh["intercept"])
    assert d.max_r_hat == max(float(rh["coef"].max()), float(rh["intercept"]))
    np.testing.assert_array_equal(d.bfmi, az.bfmi(dt)["energy"].values)
    assert d.n_divergent == 0 and d.n_chains == 4 and d.n_draws == 500
    assert "OK" in str(d) and "r_hat" in repr(d)
    assert set(d.to_frame().index) == {"r_hat", "ess_bulk", "ess_tail", "divergences",
                                       "treedepth", "bfmi"}


def test_diagnose_stuck_chains_high_rhat(rng):
    coef = rng.normal(size=(4, 300, 4)) * 0.1
    coef[:, :, 1] += np.array([0.0, 1.0, 2.0, 3.0])[:, None]  # chains stuck at different values
    dt = _tree(coef, sample_stats=_stats(rng, draws=300))
    d = br.diagnose(dt)
    rh = float(az.rhat(dt)["coef"].sel(feature="bmi"))
    assert rh > 1.5
    assert not d.ok
    assert d.checks["r_hat"].passed is False
    assert d.checks["r_hat"].value == pytest.approx(rh)
    assert any("R-hat" in m and "coef[bmi]" in m for m in d.messages)
    assert "FAIL" in str(d)


def test_diagnose_divergences_treedepth_bfmi(rng):
    dt = _tree(rng.normal(size=(4, 500, 4)), sample_stats=_stats(rng, n_div=3, depth_hits=7))
    d = br.diagnose(dt)
    assert not d.ok and d.n_divergent == 3
    assert any(m.startswith("3 divergent transitions") and "target_accept" in m
               for m in d.messages)
    assert d.n_max_treedepth == 7 and d.checks["treedepth"].status == "warn"
    assert br.diagnose(dt, max_divergences=3).ok  # tree depth is advisory only
    # a random-walk energy has E-BFMI << 0.3
    energy = np.cumsum(rng.normal(size=(4, 500)), axis=1)
    dt2 = _tree(rng.normal(size=(4, 500, 4)), sample_stats=_stats(rng, energy=energy))
    d2 = br.diagnose(dt2)
    ref = az.bfmi(dt2)["energy"].values
    assert np.all(ref < 0.3)
    assert not d2.ok and d2.checks["bfmi"].value == pytest.approx(ref.min())
    assert any("E-BFMI" in m for m in d2.messages)


def test_diagnose_low_ess_and_missing_stats(rng):
    # strongly autocorrelated AR(1) chains: low ESS but R-hat fine-ish
    e = rng.normal(size=(4, 400, 4))
    x = np.zeros_like(e)
    for t in range(1, 400):
        x[:, t] = 0.97 * x[:, t - 1] + e[:, t]
    dt = _tree(x)
    d = br.diagnose(dt)
    eb = float(az.ess(dt, method="bulk")["coef"].min())
    assert eb < 400 and not d.ok
    assert d.min_ess_bulk == pytest.approx(eb)
    assert any("bulk ESS" in m for m in d.messages)
    assert d.checks["divergences"].passed is None and d.checks["bfmi"].passed is None
    assert br.diagnose(dt, ess_min=1, rhat_max=10).ok  # only blocking, runnable checks count


def test_diagnose_bad_thresholds(rng):
    dt = _tree(rng.normal(size=(2, 50, 4)))
    with pytest.raises(ParameterError, match="rhat_max"):
        br.diagnose(dt, rhat_max=0)
    with pytest.raises(ParameterError, match="ess_min"):
        br.diagnose(dt, ess_min=-1)
    with pytest.raises(BayesregTypeError, match="DataTree"):
        br.diagnose({"a": 1})


# ----------------------------------------------------------------------------------- plots
def _png_ok(fig, tmp_path, name):
    fig.savefig(tmp_path / f"{name}.png")
    fig.savefig(tmp_path / f"{name}.svg")
    assert (tmp_path / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (tmp_path / f"{name}.svg").read_bytes()[:2000]
    plt.close(fig)


@pytest.fixture
def lasso_case(rng):
    X, y = _data(rng)
    fit = br.Model(br.Gaussian(), br.Laplace(0.02)).map(X, y)
    assert np.any(fit.coef == 0)
    draws = rng.normal(size=(2, 200, 4)) * 0.2 + fit.coef
    return X, y, fit, _tree(draws, names=[f"x{j}" for j in range(4)])


def test_plot_forest_map(lasso_case, tmp_path):
    X, y, fit, dt = lasso_case
    fig = D.plot_forest_map(dt, fit)
    ax = [a for a in fig.axes if any(c.get_label() == "MAP" for c in a.collections)][0]
    red = [c for c in ax.collections if tuple(np.round(c.get_facecolor()[0][:3], 3))
           == tuple(np.round(matplotlib.colors.to_rgb("C3"), 3)) and len(c.get_offsets())]
    xs = sorted(float(c.get_offsets()[0, 0]) for c in red)
    np.testing.assert_allclose(xs, sorted(fit.coef))
    assert "MAP" in [t.get_text() for t in ax.get_legend().get_texts()]
    _png_ok(fig, tmp_path, "forest")


def test_plot_posterior_map(lasso_case, tmp_path):
    X, y, fit, dt = lasso_case
    fig = D.plot_posterior_map(dt, fit, col_wrap=2)
    lines = {k: [] for k in ("MAP", "mean", "median")}
    for ax in fig.axes:
        for ln in ax.get_lines():
            if ln.get_label() in lines:
                lines[ln.get_label()].append(float(ln.get_xdata()[0]))
    w = dt.posterior["coef"].values.reshape(-1, 4)
    np.testing.assert_allclose(sorted(lines["MAP"]), sorted(fit.coef))
    np.testing.assert_allclose(sorted(lines["mean"]), sorted(w.mean(axis=0)))
    np.testing.assert_allclose(sorted(lines["median"]), sorted(np.median(w, axis=0)))
    assert len([a for a in fig.axes if a.get_lines()]) == 4
    _png_ok(fig, tmp_path, "post")


def test_plot_path(lasso_case, tmp_path):
    X, y, fit, dt = lasso_case
    model = br.Model(br.Gaussian(1.0), br.Laplace(0.02))
    path = model.map_path(X, y, n_scales=20)
    fig = D.plot_path(path, posterior=[(0.02, dt), (0.2, dt)])
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    data_lines = [ln for ln in ax.get_lines() if ln.get_label() in path.feature_names]
    assert len(data_lines) == 4
    for ln, j in zip(data_lines, range(4)):
        np.testing.assert_allclose(ln.get_ydata(), path.coefs[np.argsort(path.scales), j])
    assert len(ax.containers) == 8  # 2 scales x 4 coefficients error bars
    _png_ok(fig, tmp_path, "path")
    with pytest.raises(BayesregTypeError, match="MAPPath"):
        D.plot_path(fit)


def _slsqp_optima(w_ls, H, t):
    """Independent reference: SLSQP on the smooth split form w = u - v, u, v >= 0 (L1) and on
    the disc constraint (L2)."""
    from scipy.optimize import minimize

    def f(z):
        d = z[:2] - z[2:] - w_ls
        return 0.5 * d @ H @ d

    r = minimize(f, np.full(4, 0.1), method="SLSQP", bounds=[(0, None)] * 4,
                 constraints=[{"type": "ineq", "fun": lambda z: t - z.sum()}],
                 options={"ftol": 1e-14, "maxiter": 500})
    r2 = minimize(lambda w: 0.5 * (w - w_ls) @ H @ (w - w_ls), np.zeros(2), method="SLSQP",
                  constraints=[{"type": "ineq", "fun": lambda w: t**2 - w @ w}],
                  options={"ftol": 1e-14, "maxiter": 500})
    return r.x[:2] - r.x[2:], r2.x


def test_constrained_optima_vs_slsqp():
    for w_ls, H, t in [((1.6, 0.6), ((1, 0.55), (0.55, 1)), 1.0),
                       ((2.0, 1.5), ((1, -0.3), (-0.3, 2)), 1.0),
                       ((-0.5, 3.0), ((2, 0.9), (0.9, 1)), 0.7)]:
        w_ls, H = np.array(w_ls), np.array(H)
        opt = D.constrained_optima(w_ls, H, t)
        l1, l2 = _slsqp_optima(w_ls, H, t)
        np.testing.assert_allclose(opt["l1"], l1, atol=1e-5)
        np.testing.assert_allclose(opt["l2"], l2, atol=1e-5)
    opt = D.constrained_optima()
    assert opt["l1"][1] == 0.0 and opt["l1"][0] == 1.0  # on an axis, exactly
    assert np.all(opt["l2"] != 0)


def test_plot_geometry(tmp_path, rng):
    fig = D.plot_geometry()
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(lb.startswith("L1 optimum (1.00, 0.00)") for lb in labels)
    assert any(lb.startswith("L2 optimum") for lb in labels)
    assert "L1 ball (Laplace prior)" in labels and "L2 ball (Normal prior)" in labels
    _png_ok(fig, tmp_path, "geom")
    X, y = _data(rng)
    _png_ok(D.plot_geometry(X=X[:, :2], y=y, budget=0.5), tmp_path, "geom2")
    with pytest.raises(DataError, match="2 columns"):
        D.plot_geometry(X=X, y=y)


def test_equal_variance_priors_and_plot(tmp_path):
    from scipy.integrate import quad

    pri = D.equal_variance_priors(2.5)
    assert pri["Normal"].scale == pytest.approx(np.sqrt(2.5))
    assert 2 * pri["Laplace"].scale**2 == pytest.approx(2.5)
    en = pri["ElasticNet"]
    l1, l2 = 1 / en.l1_scale, 1 / en.l2_scale**2

    def k(w, m):  # unnormalized elastic-net kernel, independent of the class's normalizer
        return w**m * np.exp(-l1 * abs(w) - 0.5 * l2 * w * w)

    z = quad(k, -np.inf, np.inf, args=(0,))[0]
    assert quad(k, -np.inf, np.inf, args=(2,))[0] / z == pytest.approx(2.5, rel=1e-8)
    assert D.prior_variance(br.Laplace(np.array([1.0, 2.0]))) == pytest.approx([2.0, 8.0])
    fig = D.plot_prior_densities(2.5)
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert len(ax.get_lines()) == 3
    # densities integrate to 1 on the plotted grid (+- tails), penalties are 0 at w = 0
    for ln in fig.axes[0].get_lines():
        x, yv = ln.get_xdata(), ln.get_ydata()
        assert 0.95 < np.trapezoid(yv, x) <= 1.0
    for ln in fig.axes[1].get_lines():
        x, yv = ln.get_xdata(), ln.get_ydata()
        assert yv[np.argmin(np.abs(x))] == pytest.approx(0.0, abs=1e-12)
    _png_ok(fig, tmp_path, "priors")


# ----------------------------------------------------------------------------------- no MAP
def test_compare_without_fit(ridge_case):
    """compare(idata, fit=None): the posterior columns only (MAP columns absent), same numbers."""
    import json

    X, y, fit, dt, m, S = ridge_case
    with_fit = br.compare(dt, fit, X=X, y=y, extra_rows=True)
    t = br.compare(dt, X=X, y=y, extra_rows=True)
    assert br.compare(dt, None, X=X, y=y).columns.equals(t.columns)
    from bayesreg.diagnostics.compare import MAP_COLUMNS

    assert not set(MAP_COLUMNS) & set(t.columns)
    assert list(t.columns) == [c for c in with_fit.columns
                               if c not in ("map", "map_in_hdi", "shrinkage_map")]
    shared = ["mean", "median", "sd", "hdi_low", "hdi_high", "r_hat", "ess_bulk", "mcse_mean"]
    assert t[shared].equals(with_fit[shared])
    # no bayesreg_model attribute: the likelihood is unknown, so no zero tolerance / reference
    assert t.attrs["zero_tol_rule"].startswith("not available")
    assert "likelihood is unknown" in t.attrs["ls_rule"] and t["ls"].isna().all()
    assert t["zero_tol"].isna().all() and t["p_near_zero"].isna().all()
    # with the attribute model.sample writes, the data rule and the least-squares reference
    model = br.Model(br.Gaussian(sigma=1.0), br.Normal(0.3))
    dt.attrs["bayesreg_model"] = json.dumps(model.to_dict())
    t2 = br.compare(dt, X=X, y=y)
    assert t2.attrs["zero_tol_rule"] == with_fit.attrs["zero_tol_rule"]
    coef = with_fit[with_fit["kind"] == "coef"]
    for col in ("zero_tol", "p_near_zero", "ls", "shrinkage_mean"):
        np.testing.assert_array_equal(t2[col].to_numpy(), coef[col].to_numpy())


def test_default_zero_tol_without_fit(ridge_case):
    X, y, fit, dt, m, S = ridge_case
    tol, rule = D.default_zero_tol(fit, X, y)
    np.testing.assert_allclose(tol, 0.1 * np.std(y) / np.std(X, axis=0), rtol=1e-12)
    assert rule.endswith(ZERO_TOL_RULE)
    # the likelihood alone (no fit) and the stored sds instead of X give the same numbers
    tol2, rule2 = D.default_zero_tol(fit.likelihood, y=y, x_sd=np.std(X, axis=0))
    np.testing.assert_array_equal(tol2, tol)
    assert rule2 == rule
    for args in ((None, X, y), (fit, None, y), (fit, X, None)):
        with pytest.raises(DataError, match="zero_tol"):
            D.default_zero_tol(*args)


def test_plots_without_fit(lasso_case, tmp_path):
    X, y, fit, dt = lasso_case
    fig = D.plot_forest_map(dt, fit=None)
    assert not any(c.get_label() == "MAP" for a in fig.axes for c in a.collections)
    legend = [t.get_text() for a in fig.axes if a.get_legend() for t in a.get_legend().get_texts()]
    assert "posterior mean" in legend and "MAP" not in legend
    _png_ok(fig, tmp_path, "forest_nofit")
    fig = D.plot_posterior_map(dt, None, col_wrap=2)
    labels = [ln.get_label() for a in fig.axes for ln in a.get_lines()]
    assert "MAP" not in labels and labels.count("mean") == 4 and labels.count("median") == 4
    _png_ok(fig, tmp_path, "post_nofit")
    # one page of the grid: coefficients 1 and 3 only, with their own MAP lines
    fig = D.plots.plot_posterior_page(dt, fit, features=[1, 3])
    maps = sorted(float(ln.get_xdata()[0]) for a in fig.axes for ln in a.get_lines()
                  if ln.get_label() == "MAP")
    np.testing.assert_allclose(maps, sorted(fit.coef[[1, 3]]))
    plt.close(fig)


def _independent_variance(logpdf):
    """Variance by scipy quadrature of an explicitly written density (not the class)."""
    from scipy.integrate import quad

    z = quad(lambda w: np.exp(logpdf(w)), -np.inf, np.inf, epsabs=0, epsrel=1e-12)[0]
    return quad(lambda w: w * w * np.exp(logpdf(w)), -np.inf, np.inf, epsabs=0,
                epsrel=1e-12)[0] / z


@pytest.mark.parametrize("scale", [1e-4, 0.3, 2.0, 50.0])
def test_prior_variance_closed_forms(scale):
    """Only the density face is used: closed forms for Normal / Laplace / BayesianLasso (a
    prior without a penalty face), and an independent quadrature."""
    from bayesreg.penalties import has_mode

    assert D.prior_variance(br.Normal(scale)) == pytest.approx(scale**2, rel=1e-10)
    assert D.prior_variance(br.Laplace(scale)) == pytest.approx(2 * scale**2, rel=1e-10)
    for rel in (True, False):  # w | sigma = 1 ~ Laplace(0, scale): variance 2 scale^2
        bl = br.BayesianLasso(scale, relative_to_sigma=rel)
        assert not has_mode(bl)
        assert D.prior_variance(bl) == pytest.approx(2 * scale**2, rel=1e-10)
    ref = _independent_variance(lambda w: -abs(w) / scale)
    assert D.prior_variance(br.BayesianLasso(scale)) == pytest.approx(ref, rel=1e-8)
    en = br.ElasticNetPrior(scale, 2 * scale)
    ref = _independent_variance(lambda w: -abs(w) / scale - w * w / (8 * scale**2))
    assert D.prior_variance(en) == pytest.approx(ref, rel=1e-8)


def test_prior_variance_per_coefficient_and_hyperprior():
    np.testing.assert_allclose(D.prior_variance(br.BayesianLasso(np.array([0.5, 1.0]))),
                               [0.5, 2.0], rtol=1e-10)
    with pytest.raises(br.NotSupportedError, match="lam2"):
        D.prior_variance(br.BayesianLasso(lam2_prior=(2.0, 3.0)))


def test_equal_variance_priors_arrays():
    v = np.array([0.5, 2.5])
    pri = D.equal_variance_priors(v)
    for name, pr in pri.items():
        np.testing.assert_allclose(D.prior_variance(pr), v, rtol=1e-8, err_msg=name)
        one = D.equal_variance_priors(2.5)[name]  # the scalar function, coefficient by coefficient
        for key, val in one.to_dict().items():
            if key != "type":
                assert getattr(pr, key)[1] == pytest.approx(val, rel=1e-14)
    with pytest.raises(ParameterError, match="variance"):
        D.equal_variance_priors(np.array([1.0, -1.0]))


def test_diagnose_prints_values_and_thresholds_that_order_as_the_check(rng):
    """A check just failing (or passing) is printed with digits enough that the printed value
    and threshold order as the exact ones do: never "R-hat 1.010 > 1.01"."""
    import re

    from bayesreg.diagnostics.diagnose import _pair

    dt = _tree(rng.normal(size=(4, 200, 4)), sample_stats=_stats(rng, draws=200))
    v = float(np.nanmax(az.rhat(dt)["coef"].values))
    ess = float(np.nanmin(az.ess(dt, method="bulk")["coef"].values))
    for thr, failing in ((v - 1e-6, True), (v + 1e-6, False)):
        c = br.diagnose(dt, rhat_max=thr, ess_min=1).checks["r_hat"]
        assert c.passed is (not failing)
        shown = re.search(r"R-hat (?:up to )?([\d.]+).*?(?:>|<=) ([\d.]+)", c.message)
        a, b = float(shown.group(1)), float(shown.group(2))
        assert (a > b) if failing else (a <= b), c.message
        # both with the same number of decimals, at least 3
        da, db = (len(x.split(".")[1]) for x in shown.groups())
        assert da == db >= 3
    c = br.diagnose(dt, ess_min=ess + 1e-3).checks["ess_bulk"]
    assert c.passed is False
    shown = re.search(r"as low as ([\d.]+) .*? < ([\d.]+)\)", c.message)
    assert float(shown.group(1)) < float(shown.group(2)), c.message
    # the formatting rule itself against hand-made cases
    assert _pair(1.0104, 1.01, 3) == ("1.0104", "1.0100")
    assert _pair(1.2, 1.01, 3) == ("1.200", "1.010")
    assert _pair(1.01, 1.01, 3) == ("1.010", "1.010")
    assert _pair(399.6, 400, 0) == ("399.6", "400.0")
