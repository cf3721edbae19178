"""The command line: every subcommand in-process, bad arguments and exit codes.

References are independent: scikit-learn fits on the same data, and the conversion rules
written out by hand (Lasso: Laplace scale = sigma^2 / (n alpha), ...)."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import ElasticNet, Lasso, LogisticRegression, Ridge

from bayesreg import cli
from bayesreg.cli import main
from bayesreg.cli.sample import _sanitize_attrs
from bayesreg.datasets import load_diabetes

SUBCOMMANDS = ["demo", "fit", "crosscheck", "sample", "compare", "report", "convert"]


def run(argv, capsys):
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def run_json(argv, capsys):
    code, out, err = run(argv + ["--json"], capsys)
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def csv_gauss(tmp_path):
    rng = np.random.default_rng(0)
    n, p = 80, 6
    X = rng.standard_normal((n, p))
    w = np.array([2.0, -1.0, 0, 0, 0.5, 0])
    y = 1.0 + X @ w + 0.5 * rng.standard_normal(n)
    df = pd.DataFrame(X, columns=[f"x{j}" for j in range(p)]).assign(y=y)
    path = tmp_path / "gauss.csv"
    df.to_csv(path, index=False)
    return path, df


@pytest.fixture
def csv_binary(tmp_path):
    rng = np.random.default_rng(1)
    n, p = 200, 4
    X = rng.standard_normal((n, p))
    eta = 0.3 + X @ np.array([1.5, -1.0, 0.0, 0.2])
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    df = pd.DataFrame(X, columns=list("abcd")).assign(label=y)
    path = tmp_path / "binary.csv"
    df.to_csv(path, index=False)
    return path, df


# ------------------------------------------------------------------------------- help
@pytest.mark.parametrize("cmd", SUBCOMMANDS)
def test_help_with_examples_on_every_subcommand(cmd, capsys):
    code, out, _ = run([cmd, "--help"], capsys)
    assert code == 0
    assert "examples:" in out and f"bayesreg {cmd}" in out


def test_python_dash_m_help_subprocess():
    r = subprocess.run([sys.executable, "-m", "bayesreg", "--help"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0
    for cmd in SUBCOMMANDS:
        assert cmd in r.stdout
    assert "exit codes" in r.stdout


# -------------------------------------------------------------------------------- fit
def test_fit_lasso_matches_sklearn(csv_gauss, capsys):
    path, df = csv_gauss
    X, y = df.drop(columns="y"), df["y"]
    alpha, sigma = 0.05, 0.7
    d = run_json(["fit", str(path), "--target", "y", "--prior", "laplace", "--alpha",
                  str(alpha), "--sigma", str(sigma), "--tol", "1e-12"], capsys)
    sk = Lasso(alpha=alpha, tol=1e-14, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(d["coef"], sk.coef_, atol=1e-8)
    assert d["intercept"] == pytest.approx(sk.intercept_, abs=1e-8)
    assert d["feature_names"] == list(X.columns)
    assert d["converged"] is True and d["optimality"] <= d["tol"]
    # the equivalent penalty printed is the one we started from
    assert d["equivalent"]["sklearn"] == f"Lasso(alpha={alpha})"
    assert d["equivalent"]["glmnet"]["lambda_"] == pytest.approx(alpha, rel=1e-12)
    # prior: Laplace scale = sigma^2 / (n alpha)
    assert d["prior"]["type"] == "Laplace"
    assert d["prior"]["scale"] == pytest.approx(sigma**2 / (len(y) * alpha), rel=1e-12)


def test_fit_scale_ridge_text_output(csv_gauss, capsys):
    path, df = csv_gauss
    X, y = df.drop(columns="y").to_numpy(), df["y"].to_numpy()
    tau, sigma = 0.5, 1.0
    code, out, err = run(["fit", str(path), "--target", "y", "--prior", "normal", "--scale",
                          str(tau), "--sigma", str(sigma)], capsys)
    assert code == 0, err
    # Ridge alpha = sigma^2 / tau^2
    sk = Ridge(alpha=sigma**2 / tau**2).fit(X, y)
    assert "Ridge(alpha=4.0)" in out
    for name, c in zip(df.columns[:-1], sk.coef_):
        line = next(ln for ln in out.splitlines() if ln.strip().startswith(name + " "))
        assert float(line.split()[-1]) == pytest.approx(c, rel=1e-5, abs=1e-6)
    assert "kkt" in out and "converged=True" in out


def test_fit_bundled_elasticnet_glmnet_convention(capsys):
    X, y = load_diabetes(return_X_y=True, standardize=True)
    lam, mix, sigma = 1.0, 0.5, 54.0
    d = run_json(["fit", "diabetes", "--target", "target", "--standardize", "--prior",
                  "elasticnet", "--alpha", str(lam), "--l1-ratio", str(mix), "--convention",
                  "glmnet", "--sigma", str(sigma), "--tol", "1e-12"], capsys)
    # glmnet gaussian objective = sklearn ElasticNet objective with alpha=lambda, l1_ratio=alpha
    sk = ElasticNet(alpha=lam, l1_ratio=mix, tol=1e-14, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(d["coef"], sk.coef_, atol=1e-7)


def test_fit_bernoulli_matches_logistic_regression(csv_binary, capsys):
    path, df = csv_binary
    X, y = df.drop(columns="label"), df["label"]
    C = 0.5
    d = run_json(["fit", str(path), "--target", "label", "--likelihood", "bernoulli",
                  "--prior", "normal", "--alpha", str(1 / C), "--tol", "1e-10"], capsys)
    sk = LogisticRegression(C=C, tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(d["coef"], sk.coef_.ravel(), atol=1e-5)
    assert d["prior"]["scale"] == pytest.approx(np.sqrt(C), rel=1e-12)  # prior variance = C


def test_fit_save_and_features(csv_gauss, tmp_path, capsys):
    from bayesreg import MAPResult

    path, _ = csv_gauss
    save = tmp_path / "fit.json"
    code, out, err = run(["fit", str(path), "--target", "y", "--features", "x0,x1",
                          "--scale", "1", "--sigma", "1", "--save", str(save)], capsys)
    assert code == 0, err
    fit = MAPResult.load(save)
    assert fit.feature_names == ["x0", "x1"]


def test_quiet_and_json_are_clean(csv_gauss, capsys):
    path, _ = csv_gauss
    code, out, err = run(["fit", str(path), "--target", "y", "--scale", "1", "--json",
                          "--quiet"], capsys)
    assert code == 0 and err == ""
    d = json.loads(out)
    assert d["sigma"] > 0 and d["likelihood"]["sigma"] is None  # sigma estimated


# ---------------------------------------------------------------------------- convert
def test_convert_sklearn_lasso_to_prior(capsys):
    d = run_json(["convert", "--from", "sklearn:Lasso", "--alpha", "0.1", "--n-samples", "442",
                  "--sigma", "1"], capsys)
    assert d["model"]["prior"]["type"] == "Laplace"
    assert d["model"]["prior"]["scale"] == pytest.approx(1 / (442 * 0.1), rel=1e-12)
    assert d["equivalent"]["sklearn"] == "Lasso(alpha=0.1)"


def test_convert_prior_to_sklearn_and_glmnet(capsys):
    d = run_json(["convert", "--from", "prior:laplace", "--scale", "0.5", "--to", "sklearn",
                  "--n-samples", "442", "--sigma", "1"], capsys)
    est = d["equivalent"]["sklearn"]
    assert est.startswith("Lasso(alpha=")
    assert float(est[len("Lasso(alpha="):-1]) == pytest.approx(1 / (442 * 0.5), rel=1e-12)
    d = run_json(["convert", "--from", "prior:normal", "--scale", "2", "--to", "glmnet",
                  "--n-samples", "100", "--sigma", "3"], capsys)
    # glmnet gaussian alpha=0: lambda (1/2)||w||^2 * n / sigma^2 = ||w||^2 / (2 tau^2)
    assert d["equivalent"]["glmnet"]["alpha"] == 0.0
    assert d["equivalent"]["glmnet"]["lambda_"] == pytest.approx(9 / (100 * 4), rel=1e-12)


def test_default_valued_penalty_is_spelled_out(capsys):
    # scikit-learn's repr would print Lasso() for alpha=1.0 (its default)
    d = run_json(["fit", "diabetes", "--target", "target", "--alpha", "1", "--sigma", "54",
                  "--no-intercept"], capsys)
    assert d["equivalent"]["sklearn"] == "Lasso(alpha=1.0, fit_intercept=False)"
    d = run_json(["convert", "--from", "sklearn:LogisticRegression", "--C", "1", "--l1-ratio",
                  "1"], capsys)
    assert d["from"] == "LogisticRegression(C=1.0, l1_ratio=1.0, solver='saga')"


def test_convert_logistic_and_glmnet_binomial(capsys):
    d = run_json(["convert", "--from", "sklearn:LogisticRegression", "--C", "0.25",
                  "--l1-ratio", "1"], capsys)
    assert d["model"]["prior"] == {"type": "Laplace", "scale": 0.25}
    d = run_json(["convert", "--from", "glmnet:binomial", "--lambda", "0.01", "--alpha", "1",
                  "--n-samples", "1000"], capsys)
    assert d["model"]["prior"]["scale"] == pytest.approx(1 / (1000 * 0.01), rel=1e-12)
    d = run_json(["convert", "--from", "sklearn:ElasticNet", "--alpha", "0.2", "--l1-ratio",
                  "0.25", "--n-samples", "50", "--sigma", "2"], capsys)
    pr = d["model"]["prior"]
    assert 1 / pr["l1_scale"] == pytest.approx(50 * 0.2 * 0.25 / 4, rel=1e-12)
    assert 1 / pr["l2_scale"] ** 2 == pytest.approx(50 * 0.2 * 0.75 / 4, rel=1e-12)


# ------------------------------------------------------------------- errors and codes
@pytest.mark.parametrize("argv, needle", [
    (["fit", "missing.csv", "--target", "y", "--scale", "1"], "not found"),
    (["fit", "diabetes", "--target", "nope", "--scale", "1"], "--target 'nope'"),
    (["fit", "diabetes", "--target", "target"], "--scale"),
    (["fit", "diabetes", "--target", "target", "--scale", "1", "--alpha", "1"], "not both"),
    (["fit", "diabetes", "--target", "target", "--alpha", "1"], "--sigma"),
    (["fit", "diabetes", "--target", "target", "--likelihood", "bernoulli", "--scale", "1"],
     "0/1"),
    (["fit", "diabetes", "--target", "target", "--likelihood", "poisson", "--prior", "laplace",
      "--alpha", "1"], "PoissonRegressor"),
    (["fit", "diabetes", "--target", "target", "--prior", "elasticnet", "--scale", "1"],
     "--l2-scale"),
    (["convert", "--from", "sklearn:SVC", "--alpha", "1"], "supported"),
    (["convert", "--from", "sklearn:Lasso", "--alpha", "1"], "n_samples"),
    (["convert", "--from", "magic:thing"], "--from"),
    (["compare", "missing.nc"], "not found"),
])
def test_user_errors_exit_2_one_line(argv, needle, capsys):
    code, out, err = run(argv, capsys)
    assert code == 2
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], err


@pytest.mark.parametrize("argv", [
    [],
    ["frobnicate"],
    ["fit", "diabetes"],  # --target missing
    ["fit", "diabetes", "--target", "target", "--prior", "cauchy", "--scale", "1"],  # no such prior
    ["fit", "diabetes", "--target", "target", "--scale", "-1"],
    ["fit", "diabetes", "--target", "target", "--scale", "abc"],
    ["sample", "diabetes", "--target", "target", "--scale", "1"],  # --out missing
    ["convert", "--from", "sklearn:Lasso", "--l1-ratio", "2"],
])
def test_usage_errors_exit_2(argv, capsys):
    # argparse's errors are one line too (the usage block is in --help), prefixed by the command
    code, _, err = run(argv, capsys)
    assert code == 2
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    prog = "bayesreg" if not argv or argv[0] not in SUBCOMMANDS else f"bayesreg {argv[0]}"
    assert len(lines) == 1 and lines[0].startswith(f"{prog}: error: "), err
    assert lines[0].endswith(f"(see '{prog} --help')"), err


# every bad invocation: exit 2, exactly one stderr line 'bayesreg <command>: error: ...' naming
# the argument or file; {tmp} is a scratch directory holding data.csv, header.csv and a
# directory sub/ ({tmp} itself is an existing directory)
BAD_INVOCATIONS = [
    (["fit", "diabetes", "--target", "target", "--scale", "1", "--bogus"], "--bogus"),
    (["fit", "diabetes", "--target", "target", "--scale", "1", "--likelihood", "normal"],
     "--likelihood"),
    (["fit", "diabetes", "--target", "target", "--scale"], "--scale"),
    (["fit", "--target", "target", "--scale", "1"], "DATA"),
    (["crosscheck", "diabetes", "--scale", "1"], "--target"),
    (["report", "diabetes", "--target", "target", "--scale", "1"], "--out"),
    (["compare"], "POST.nc"),
    (["frobnicate"], "frobnicate"),
    (["fit", "{tmp}/missing.csv", "--target", "y", "--scale", "1"], "missing.csv"),
    (["fit", "{tmp}/sub", "--target", "y", "--scale", "1"], "sub' is a directory"),
    (["fit", "{tmp}/header.csv", "--target", "y", "--scale", "1"], "no rows"),
    (["fit", "{tmp}/data.csv", "--target", "y", "--features", "a,y", "--scale", "1"],
     "--features lists the target 'y'"),
    (["fit", "{tmp}/data.csv", "--target", "y", "--features", "a,a", "--scale", "1"],
     "more than once"),
    (["fit", "{tmp}/data.csv", "--target", "z", "--scale", "1"], "--target 'z'"),
    (["fit", "{tmp}/data.csv", "--target", "y", "--features", "a,q", "--scale", "1"],
     "--features: column(s) q"),
    (["fit", "{tmp}/data.csv", "--target", "y", "--scale", "1", "--save", "{tmp}/sub"],
     "--save '{tmp}/sub' is a directory"),
    (["fit", "{tmp}/data.csv", "--target", "y", "--scale", "1", "--save",
      "{tmp}/nodir/fit.json"], "directory '{tmp}/nodir' does not exist"),
    (["fit", "{tmp}/data.csv", "--target", "y", "--scale", "1", "--save",
      "{tmp}/data.csv/fit.json"], "'{tmp}/data.csv' is not a directory"),
    (["sample", "{tmp}/data.csv", "--target", "y", "--scale", "1", "--out", "{tmp}/sub"],
     "--out '{tmp}/sub' is a directory"),
    (["sample", "{tmp}/data.csv", "--target", "y", "--scale", "1", "--out",
      "{tmp}/nodir/post.nc"], "directory '{tmp}/nodir' does not exist"),
    (["report", "{tmp}/data.csv", "--target", "y", "--scale", "1", "--out", "{tmp}/data.csv"],
     "--out '{tmp}/data.csv' is a file"),
    (["report", "{tmp}/data.csv", "--target", "y", "--scale", "1", "--out", "{tmp}/a/b/rep"],
     "parent directory '{tmp}/a/b' does not exist"),
    (["demo", "--quick", "--out", "{tmp}/a/b/rep"], "parent directory '{tmp}/a/b' does not exist"),
    (["compare", "{tmp}/sub"], "'{tmp}/sub' is a directory"),
    (["compare", "{tmp}/missing.nc"], "'{tmp}/missing.nc' not found"),
]


@pytest.mark.parametrize("argv, needle", BAD_INVOCATIONS,
                         ids=[f"{a[0]}-{n.split()[0]}" for a, n in BAD_INVOCATIONS])
def test_every_cli_error_is_one_line_exit_2(argv, needle, tmp_path, capsys):
    pd.DataFrame({"a": [1.0, 2, 3], "b": [0.0, 1, 0], "y": [1.0, 2, 4]}).to_csv(
        tmp_path / "data.csv", index=False)
    (tmp_path / "header.csv").write_text("a,b,y\n")
    (tmp_path / "sub").mkdir()
    before = sorted(tmp_path.rglob("*"))
    argv = [a.format(tmp=tmp_path) for a in argv]
    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    lines = err.splitlines()
    prog = f"bayesreg {argv[0]}" if argv[0] in SUBCOMMANDS else "bayesreg"
    assert len(lines) == 1 and lines[0].startswith(f"{prog}: error: "), err
    assert needle.format(tmp=tmp_path) in lines[0], err
    assert sorted(tmp_path.rglob("*")) == before  # nothing written, no directory created


def test_output_dir_creates_only_the_leaf(tmp_path, capsys):
    from bayesreg.cli._common import _Out, output_dir

    leaf = tmp_path / "rep"
    assert output_dir(str(leaf), "--out", _Out()) == leaf and leaf.is_dir()
    assert capsys.readouterr().err.strip() == f"created the directory {leaf}"
    assert output_dir(str(leaf), "--out", _Out()) == leaf  # an existing directory is fine
    assert capsys.readouterr().err == ""
    with pytest.raises(cli.CLIError, match="parent directory"):
        output_dir(str(tmp_path / "x" / "rep"), "--out")
    assert not (tmp_path / "x").exists()


def test_non_numeric_column_and_bad_csv(tmp_path, capsys):
    p = tmp_path / "d.csv"
    pd.DataFrame({"a": [1.0, 2, 3], "b": ["x", "y", "z"], "y": [1.0, 2, 3]}).to_csv(p, index=False)
    code, _, err = run(["fit", str(p), "--target", "y", "--scale", "1"], capsys)
    assert code == 2 and "non-numeric" in err
    q = tmp_path / "empty.csv"
    q.write_text("")
    code, _, err = run(["fit", str(q), "--target", "y", "--scale", "1"], capsys)
    assert code == 2 and "cannot read" in err


def test_nan_in_data_is_a_clean_error(tmp_path, capsys):
    p = tmp_path / "nan.csv"
    pd.DataFrame({"a": [1.0, np.nan, 3, 4], "y": [1.0, 2, 3, 4]}).to_csv(p, index=False)
    code, _, err = run(["fit", str(p), "--target", "y", "--scale", "1"], capsys)
    assert code == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1


# --------------------------------------------------------------------------- demo step 1
def test_demo_equivalence_table_agrees_with_sklearn():
    X, y = load_diabetes(return_X_y=True, standardize=True)
    table = cli.equivalence_table(X, y)
    assert len(table) == 5
    assert (table["max|sk - MAP|"] < 1e-8).all()
    # Lasso(alpha=5) is sparse on the diabetes data, Ridge is not
    assert table.loc[3, "non-zero"] < 10 and table.loc[0, "non-zero"] == 10


# --------------------------------------------- PyMC / diagnostics dependent subcommands
_has_pymc = importlib.util.find_spec("pymc") is not None
_has_arviz = importlib.util.find_spec("arviz") is not None
needs_pymc = pytest.mark.skipif(not _has_pymc, reason="PyMC is not installed")
needs_sampling = pytest.mark.skipif(not (_has_pymc and _has_arviz),
                                    reason="PyMC / ArviZ are not installed")
needs_report = pytest.mark.skipif(importlib.util.find_spec("matplotlib") is None,
                                  reason="matplotlib is not installed")


@needs_pymc
def test_crosscheck_passes_exit_0(csv_gauss, capsys):
    path, _ = csv_gauss
    code, out, err = run(["crosscheck", str(path), "--target", "y", "--prior", "laplace",
                          "--scale", "0.5", "--sigma", "0.7"], capsys)
    assert code == 0, out + err
    assert "PASSED" in out
    d = run_json(["crosscheck", str(path), "--target", "y", "--prior", "normal", "--scale",
                  "1", "--sigma", "1"], capsys)
    assert d["passed"] is True


def test_crosscheck_missing_dependency_or_bad_input_exit_2(capsys):
    code, _, err = run(["crosscheck", "nofile.csv", "--target", "y", "--scale", "1"], capsys)
    assert code == 2 and "not found" in err


@pytest.mark.slow
@needs_sampling
@needs_report
def test_sample_compare_report(csv_gauss, tmp_path, capsys):
    """One posterior for three subcommands: sample -> compare (stored and saved MAP) -> report."""
    import xarray as xr

    path, df = csv_gauss
    nc = tmp_path / "post.nc"
    fitjson = tmp_path / "fit.json"
    tau, sigma = 1.0, 0.5
    model_args = [str(path), "--target", "y", "--prior", "normal", "--scale", str(tau),
                  "--sigma", str(sigma)]
    code, out, err = run(["fit", *model_args, "--save", str(fitjson)], capsys)
    assert code == 0, err
    code, out, err = run(["sample", *model_args, "--out", str(nc), "--draws", "300", "--tune",
                          "300", "--chains", "2", "--seed", "1", "--quiet"], capsys)
    assert code == 0, err
    with xr.open_datatree(nc, engine="h5netcdf") as tree:
        assert tree.posterior["coef"].shape == (2, 300, 6)
    d = run_json(["compare", str(nc)], capsys)
    rows = d["table"]
    assert len(rows) == 6
    d2 = run_json(["compare", str(nc), "--fit", str(fitjson)], capsys)
    np.testing.assert_allclose([r["map"] for r in rows], [r["map"] for r in d2["table"]],
                               rtol=1e-5)
    # ridge with known sigma: Gaussian posterior, mean = MAP = closed form; the sampled mean
    # agrees within a few Monte Carlo standard errors
    X, y = df.drop(columns="y").to_numpy(), df["y"].to_numpy()
    Xc, yc = X - X.mean(0), y - y.mean()
    A = Xc.T @ Xc / sigma**2 + np.eye(6) / tau**2
    exact = np.linalg.solve(A, Xc.T @ yc / sigma**2)
    np.testing.assert_allclose([r["map"] for r in rows], exact, rtol=1e-6, atol=1e-9)
    z = (np.array([r["mean"] for r in rows]) - exact) / np.array([r["mcse_mean"] for r in rows])
    assert np.max(np.abs(z)) < 4.5, z
    # report from the same draws
    out_dir = tmp_path / "rep"
    code, out, err = run(["report", *model_args, "--posterior", str(nc), "--no-compare-priors",
                          "--out", str(out_dir), "--quiet"], capsys)
    assert code == 0, err
    assert list(out_dir.glob("*.html")) and "report written" in out
    # nothing silent: the cross-check is announced with the flag that skips it, then listed
    code, out, err = run(["report", *model_args, "--posterior", str(nc), "--no-compare-priors",
                          "--out", str(tmp_path / "rep2")], capsys)
    assert code == 0, err
    assert "--no-crosscheck" in err and "crosscheck=False" not in err
    assert "posterior: reused" in out and "crosscheck: run" in out
    d = run_json(["report", *model_args, "--posterior", str(nc), "--no-compare-priors",
                  "--no-crosscheck", "--out", str(tmp_path / "rep3"), "--quiet"], capsys)
    assert d["steps"]["crosscheck"].startswith("skipped")
    assert d["steps"]["posterior"].startswith("reused")
    # a posterior from another model is refused
    code, out, err = run(["report", str(path), "--target", "y", "--prior", "laplace", "--scale",
                          "1", "--sigma", "0.5", "--posterior", str(nc), "--out",
                          str(out_dir)], capsys)
    assert code == 2 and "sampled from" in err


@pytest.mark.slow
def test_demo_quick_runs(tmp_path, capsys):
    code, out, err = run(["demo", "--quick", "--quiet", "--out", str(tmp_path / "rep")], capsys)
    assert code == 0, err
    for k in range(1, 6):
        assert f"[{k}/5]" in out


def test_netcdf_attribute_sanitizing(tmp_path):
    import xarray as xr

    pytest.importorskip("h5py")
    tree = xr.DataTree.from_dict({"posterior": xr.Dataset({"a": ("x", [1.0, 2.0])})})
    tree.attrs.update({"spec": {"k": 1}, "none": None, "flag": True})
    tree["posterior"].attrs.update({"sample_dims": ["chain", "draw"], "n": 3})
    _sanitize_attrs(tree)
    tree.to_netcdf(tmp_path / "t.nc", engine="h5netcdf")
    with xr.open_datatree(tmp_path / "t.nc", engine="h5netcdf") as b:
        back = b.load()
    assert json.loads(back.attrs["spec"]) == {"k": 1}
    assert json.loads(back.attrs["none"]) is None and json.loads(back.attrs["flag"]) is True
    # homogeneous lists stay lists (ArviZ reads sample_dims from here)
    assert list(back["posterior"].attrs["sample_dims"]) == ["chain", "draw"]
    assert back["posterior"].attrs["n"] == 3


# ------------------------------------------------------ the package, and priors without a MAP
CLI_DIR = Path(cli.__file__).resolve().parent


def test_no_signature_sniffing_in_the_cli():
    for path in sorted(CLI_DIR.glob("*.py")):
        src = path.read_text()
        assert "inspect.signature" not in src and "import inspect" not in src, path.name


def test_help_imports_no_pymc_or_arviz():
    code = ("import sys, contextlib, io\n"
            "from bayesreg.cli import main\n"
            f"for cmd in ([], *[[c] for c in {SUBCOMMANDS!r}]):\n"
            "    with contextlib.redirect_stdout(io.StringIO()):\n"
            "        assert main([*cmd, '--help']) == 0, cmd\n"
            "bad = [m for m in ('pymc', 'arviz', 'pytensor', 'nutpie', 'matplotlib') "
            "if m in sys.modules]\n"
            "assert not bad, bad\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("cmd", ["fit", "crosscheck", "sample", "report"])
def test_model_option_help_documents_bayesian_lasso(cmd, capsys):
    code, out, _ = run([cmd, "--help"], capsys)
    assert code == 0 and "bayesian-lasso" in out


def _args(*argv):
    from bayesreg.cli.parser import build_parser

    return build_parser().parse_args(["fit", "diabetes", "--target", "target", *argv])


def test_bayesian_lasso_model_from_options():
    from bayesreg import BayesianLasso, Bernoulli, Gaussian

    m = cli.build_model_from_args(_args("--prior", "bayesian-lasso", "--scale", "0.5"), 100)
    assert m.prior == BayesianLasso(0.5) and m.likelihood == Gaussian()
    m = cli.build_model_from_args(_args("--prior", "bayesian-lasso"), 100)
    assert m.prior == BayesianLasso()  # the Gamma hyperprior on lambda^2
    m = cli.build_model_from_args(_args("--prior", "bayesian-lasso", "--likelihood",
                                        "bernoulli", "--scale", "2"), 100)
    assert m.prior == BayesianLasso(2.0, relative_to_sigma=False) and m.likelihood == Bernoulli()


@pytest.mark.parametrize("argv, prior", [
    (["fit", "diabetes", "--target", "target", "--standardize", "--prior", "bayesian-lasso"],
     {}),
    (["fit", "diabetes", "--target", "target", "--prior", "bayesian-lasso", "--scale", "0.5",
      "--json"], {"scale": 0.5}),
    (["crosscheck", "diabetes", "--target", "target", "--prior", "bayesian-lasso", "--scale",
      "1"], {"scale": 1.0}),
])
def test_bayesian_lasso_has_no_map_exit_2_with_its_explanation(argv, prior, capsys):
    from bayesreg import BayesianLasso

    code, out, err = run(argv, capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0] == f"bayesreg {argv[0]}: error: {BayesianLasso(**prior).mode_unavailable()}"


def test_bayesian_lasso_takes_no_penalty_alpha(capsys):
    code, _, err = run(["fit", "diabetes", "--target", "target", "--prior", "bayesian-lasso",
                        "--alpha", "1", "--sigma", "54"], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "--alpha" in err


@pytest.fixture(scope="module")
def bayesian_lasso_posterior(tmp_path_factory):
    """One small Bayesian-lasso posterior (Gibbs), written by ``bayesreg sample``."""
    import contextlib
    import io

    nc = tmp_path_factory.mktemp("blasso") / "post.nc"
    argv = ["sample", "diabetes", "--target", "target", "--standardize", "--prior",
            "bayesian-lasso", "--out", str(nc), "--draws", "50", "--tune", "50", "--chains", "1",
            "--seed", "3", "--sampler", "gibbs"]
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main([*argv, "--quiet"])
    return nc, code, stdout.getvalue(), stderr.getvalue(), argv[1:-12]


@pytest.mark.slow
@needs_sampling
def test_sample_bayesian_lasso_without_a_map(bayesian_lasso_posterior):
    import xarray as xr

    nc, code, out, err, _ = bayesian_lasso_posterior
    assert code == 0, err
    assert "no MAP stored" in out
    with xr.open_datatree(nc, engine="h5netcdf") as tree:
        assert tree.posterior["coef"].shape == (1, 50, 10)
        assert "bayesreg_map" not in tree.attrs
        assert json.loads(tree.attrs["bayesreg_model"])["prior"]["type"] == "BayesianLasso"


@pytest.mark.slow
@needs_sampling
def test_compare_bayesian_lasso_posterior_without_a_map(bayesian_lasso_posterior, capsys):
    nc, code, _, err, _ = bayesian_lasso_posterior
    assert code == 0, err
    d = run_json(["compare", str(nc)], capsys)
    assert len(d["table"]) == 10


@pytest.mark.slow
@needs_sampling
@needs_report
def test_report_bayesian_lasso_without_a_map(bayesian_lasso_posterior, tmp_path, capsys):
    nc, code, _, err, model_args = bayesian_lasso_posterior
    assert code == 0, err
    out_dir = tmp_path / "rep"
    code, out, err = run(["report", *model_args, "--posterior", str(nc), "--no-compare-priors",
                          "--draws", "50", "--tune", "50", "--chains", "1", "--sampler",
                          "gibbs", "--out", str(out_dir), "--quiet"], capsys)
    assert code == 0, err
    assert list(out_dir.glob("*.html")) and "report written" in out


def test_closed_pipe_ends_quietly(tmp_path):
    """'bayesreg ... | head': the reader closes the pipe early; no traceback, no error line."""
    import pandas as pd

    rng = np.random.default_rng(3)
    X = rng.normal(size=(60, 40))
    df = pd.DataFrame(X, columns=[f"feature_{j}" for j in range(40)])
    df["y"] = X[:, 0] + rng.normal(size=60)
    path = tmp_path / "wide.csv"
    df.to_csv(path, index=False)
    script = (f"{sys.executable} -m bayesreg fit {path} --target y --prior normal --scale 1 "
              f"--sigma 1 | head -n 1")
    r = subprocess.run(["bash", "-o", "pipefail", "-c", script], capture_output=True, text=True,
                       timeout=120)
    assert r.stdout.count("\n") == 1
    assert "Traceback" not in r.stderr and "BrokenPipe" not in r.stderr, r.stderr
    assert "error" not in r.stderr, r.stderr
