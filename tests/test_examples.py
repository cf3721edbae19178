"""Every example runs at small size; its numbers are checked against independent references."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
ALL = ["polynomial_norms", "sparse_feature_cross", "map_equivalence", "posterior_analysis",
       "logistic_sparsity", "gradient_view", "posterior_to_decision", "sparse_posteriors"]

needs_sampling = pytest.mark.skipif(
    not all(importlib.util.find_spec(m) for m in ("pymc", "arviz", "matplotlib")),
    reason="pymc, arviz and matplotlib are needed to sample and report")


def load(name):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.parametrize("name", ALL)
def test_example_is_a_script_with_quick_main(name):
    src = (EXAMPLES / f"{name}.py").read_text()
    assert 'if __name__ == "__main__":' in src
    assert "def main(quick: bool = False, out_dir" in src
    assert "--quick" in src and "--out" in src


def test_gradient_view_closed_forms(tmp_path):
    mod = load("gradient_view")
    w0, lam, eta, steps = 1.0, 1.0, 0.03, 60
    tr = mod.trajectories(w0, lam, eta, steps)
    k = np.arange(steps + 1)
    # L2: geometric shrinkage, never zero
    np.testing.assert_allclose(tr["l2"], w0 * (1 - 2 * eta * lam) ** k, rtol=1e-12)
    assert np.all(tr["l2"] > 0)
    # L1 proximal: exactly zero from step ceil(w0 / (eta lam)) on, and not before
    kz = int(np.ceil(w0 / (eta * lam)))
    assert np.all(tr["l1_prox"][kz:] == 0.0) and np.all(tr["l1_prox"][:kz] > 0)
    # L1 subgradient: same path until it crosses zero, then chatters within eta * lam
    np.testing.assert_allclose(tr["l1_subgradient"][:kz], tr["l1_prox"][:kz], atol=1e-12)
    assert np.all(np.abs(tr["l1_subgradient"][kz:]) <= eta * lam + 1e-12)
    assert np.count_nonzero(tr["l1_subgradient"][kz:]) > 0
    mod.main(quick=True, out_dir=tmp_path)
    assert (tmp_path / "gradient_view.png").stat().st_size > 10_000


def test_gradient_view_runs_as_script(tmp_path):
    r = subprocess.run([sys.executable, str(EXAMPLES / "gradient_view.py"), "--quick", "--out",
                        str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "gradient_view.png").exists()


def test_polynomial_norms(tmp_path):
    mod = load("polynomial_norms")
    fits = mod.main(quick=True, out_dir=tmp_path)
    assert (tmp_path / "polynomial_norms.png").exists()
    x, y = mod.data()
    # the wide-prior fits are least squares: numpy's polyfit is the reference
    for deg in (2, 8):
        fit = fits[f"degree {deg}, least squares"]["fit"]
        ref = np.polyfit(x, y, deg)[::-1]  # intercept, x, x^2, ...
        np.testing.assert_allclose(fit.intercept, ref[0], rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(fit.coef, ref[1:], rtol=1e-5, atol=1e-6)
    # Normal prior: ridge closed form on centered columns, lambda = sigma^2 / tau^2
    Z = mod.design(x, 8)
    Zc, yc = Z - Z.mean(0), y - y.mean()
    w = np.linalg.solve(Zc.T @ Zc + mod.SIGMA**2 / 1.0**2 * np.eye(8), Zc.T @ yc)
    np.testing.assert_allclose(fits["degree 8, Normal prior (L2)"]["fit"].coef, w, rtol=1e-6,
                               atol=1e-8)
    ls8 = fits["degree 8, least squares"]
    for name in ("degree 8, Normal prior (L2)", "degree 8, Laplace prior (L1)"):
        assert fits[name]["l1"] < ls8["l1"] / 10 and fits[name]["l2"] < ls8["l2"] / 10
        assert fits[name]["test_mse"] < ls8["test_mse"]
    assert fits["degree 8, Laplace prior (L1)"]["nonzero"] < 8
    assert ls8["train_mse"] < fits["degree 2, least squares"]["train_mse"]


def test_sparse_feature_cross_vs_sklearn(tmp_path):
    from sklearn.linear_model import Lasso

    mod = load("sparse_feature_cross")
    res = mod.main(quick=True, out_dir=tmp_path)
    assert (tmp_path / "sparse_feature_cross.png").exists()
    X, y, hot = mod.make_data(4000, 40)
    lap, nor = res["Laplace (L1)"], res["Normal (L2)"]
    # Laplace(b) with sigma = 1 is Lasso(alpha = sigma^2 / (n b))
    sk = Lasso(alpha=mod.SIGMA**2 / (X.shape[0] * 0.2), tol=1e-10, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(lap["fit"].coef, sk.coef_, atol=2e-3)
    assert lap["nonzero"] < 0.1 * X.shape[1]
    # ridge: every observed column gets a non-zero weight (one-hot columns, no exact cancels)
    observed = np.asarray((X != 0).sum(axis=0)).ravel() > 0
    assert nor["nonzero"] == int(observed.sum())
    assert lap["compact_bytes"] < nor["compact_bytes"] / 10
    assert lap["hot_found"] > 0.3


def test_map_equivalence_sklearn_columns(tmp_path):
    mod = load("map_equivalence")
    table = mod.main(quick=True, out_dir=tmp_path, pymc=False)
    assert len(table) == 9
    sk = table["max|sklearn - MAP|"].dropna()
    assert len(sk) == 7 and (sk < 1e-5).all(), table
    assert (tmp_path / "map_equivalence.csv").exists()


@pytest.mark.slow
@pytest.mark.skipif(not importlib.util.find_spec("pymc"), reason="pymc is needed")
def test_map_equivalence_with_find_map(tmp_path):
    mod = load("map_equivalence")
    table = mod.main(quick=True, out_dir=tmp_path, pymc=True)
    checked = table.dropna(subset=["cross-check"])
    assert len(checked) >= 1 and (checked["cross-check"] == "passed").all()
    assert (checked["max|find_MAP - MAP|"] < 1e-3).all()


@pytest.mark.slow
@needs_sampling
def test_logistic_sparsity(tmp_path, capsys):
    mod = load("logistic_sparsity")
    res = mod.main(quick=True, out_dir=tmp_path)
    printed = capsys.readouterr().out
    assert "PROBLEMS FOUND" not in printed and "[FAIL]" not in printed  # quick claims no check
    assert "quick mode" in printed
    assert (tmp_path / "logistic_sparsity.png").exists()
    assert 0 < res["selected"].sum() < len(res)
    assert ((res["hdi_low"] <= res["mean"]) & (res["mean"] <= res["hdi_high"])).all()
    assert res["p_same_sign"].between(0, 1).all()
    # the strongest selected feature is determined well beyond its sign
    top = res["map"].abs().idxmax()
    assert res.loc[top, "p_same_sign"] > 0.95 and res.loc[top, "hdi_excludes_0"]


@pytest.mark.slow
@needs_sampling
@needs_sampling
def test_sparse_posteriors(tmp_path):
    """The shrinkage factors order the coefficients as the evidence of least squares does:
    kappa_j against |t_j| of the OLS fit (scipy, independent of bayesreg) is strongly
    decreasing, and the most significant predictor (lcavol) is the least shrunk."""
    import scipy.stats as st

    from bayesreg.datasets import load_prostate

    mod = load("sparse_posteriors")
    out = mod.main(quick=True, out_dir=tmp_path)
    X, y = load_prostate(return_X_y=True, standardize=True)
    A = np.column_stack([np.ones(len(y)), X])
    beta, rss = np.linalg.lstsq(A, y, rcond=None)[:2]
    s2 = float(rss[0]) / (len(y) - A.shape[1])
    t = np.abs(beta / np.sqrt(s2 * np.diag(np.linalg.inv(A.T @ A))))[1:]
    for name, table in out["tables"].items():
        kappa = table["kappa"].to_numpy()
        assert np.all((kappa > 0) & (kappa < 1)), name
        assert st.spearmanr(kappa, t).statistic < -0.8, (name, kappa, t)
        assert np.argmin(kappa) == np.argmax(t) == list(X.columns).index("lcavol")
        assert table["map"].eq(0).any()  # next to a sparse lasso mode
    assert "Shrinkage and sparsity" in Path(out["report"].markdown).read_text()
    assert (tmp_path / "sparse_posteriors.png").exists()


def test_posterior_analysis(tmp_path, capsys):
    mod = load("posterior_analysis")
    out = mod.main(quick=True, out_dir=tmp_path)
    printed = capsys.readouterr().out
    assert "PROBLEMS FOUND" not in printed and "quick mode" in printed
    fit, idata = out["fit"], out["idata"]
    draws = idata.posterior["coef"].to_numpy()
    zeros = fit.coef == 0
    assert zeros.any()  # the mode is sparse ...
    assert np.count_nonzero(draws == 0) == 0  # ... no posterior draw is
    assert Path(out["report"].html).exists()


@pytest.mark.slow
def test_posterior_to_decision_example(tmp_path):
    """DSS and the projection agree on diabetes; the held-out 90% intervals cover ~90%
    (binomial test); every figure is written."""
    from scipy.stats import binomtest

    res = load("posterior_to_decision").main(quick=True, out_dir=tmp_path)
    chosen = {"sex", "bmi", "bp", "s3", "s5"}
    assert set(res["dss"].selected) == chosen
    assert set(res["selection"].order[:res["size"]]) == chosen
    hits = round(res["coverage"] * res["n_test"])
    assert binomtest(hits, res["n_test"], 0.9).pvalue > 1e-3
    for f in ("dss_loss.png", "projection_elpd.png", "ppc_density.png", "loo_pit.png"):
        assert (tmp_path / f).stat().st_size > 5_000, f

