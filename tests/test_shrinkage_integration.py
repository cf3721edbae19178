"""The sparse priors through compare, report and the command line.

* the shrinkage factors kappa_j that ``compare`` reports satisfy the identity they are defined
  by: on an orthogonal design with fixed sigma, ``E[w_j | y, hyper] = (1 - kappa_j) ls_j``
  exactly, so the posterior mean of ``w_j`` equals the posterior mean of ``(1 - kappa_j) ls_j``
  (MCSE-scaled z-score of the per-draw difference; different column sds make ``n`` and
  ``s_j^2`` matter);
* the command line: ``--prior horseshoe | regularized-horseshoe | horseshoe-plus | r2d2 |
  spike-slab`` with their flags build the same priors as the Python API; ``sample`` ->
  ``compare`` -> ``report`` run end to end in-process on small draws.
"""

from __future__ import annotations

import json

import arviz_stats
import numpy as np
import pandas as pd
import pytest

import bayesreg as br
from bayesreg.cli import main
from bayesreg.cli._common import build_model_from_args
from bayesreg.cli.parser import build_parser


def _orthogonal_design(n, sds, rng):
    """Centered columns, X'X = n diag(sds^2) (population sd of column j is sds[j])."""
    Z = rng.normal(size=(n, len(sds)))
    Z -= Z.mean(axis=0)
    Q, _ = np.linalg.qr(Z)
    return Q * np.sqrt(n) * np.asarray(sds)


def test_kappa_is_the_rao_blackwell_shrinkage_of_least_squares():
    rng = np.random.default_rng(5)
    n, sds = 60, np.array([1.0, 2.0, 0.5, 1.5])
    X = _orthogonal_design(n, sds, rng)
    np.testing.assert_allclose(X.std(axis=0), sds, rtol=1e-12)
    y = 0.3 + X @ np.array([0.0, 0.15, 0.6, -0.05]) + rng.normal(size=n)
    model = br.Model(br.Gaussian(sigma=1.0), br.Horseshoe(0.05, fix_global=True))
    idata = model.sample(X, y, draws=2000, tune=200, chains=4, sampler="gibbs", random_seed=3,
                         progressbar=False, log_likelihood=False)
    ls = np.linalg.lstsq(X - X.mean(0), y - y.mean(), rcond=None)[0]
    sf = br.shrinkage_factors(idata, X, y)
    w = idata.posterior["coef"].transpose("chain", "draw", "feature").values
    d = w - (1.0 - sf.kappa) * ls
    zs = []
    for j in range(len(sds)):
        dj = idata.posterior["coef"].isel(feature=j).copy(data=d[..., j])
        zs.append(float(dj.mean()) / float(arviz_stats.mcse(dj)))
    assert np.max(np.abs(zs)) < 4.5, zs
    kappa = sf.kappa_mean
    assert np.any((kappa > 0.2) & (kappa < 0.8)), kappa  # the identity is not trivially 0 = 0
    # a kappa without n or s_j^2 would break the identity: check it is far off then
    wrong = 1.0 / (1.0 + (1.0 / sf.kappa - 1.0) / (n * sds ** 2))
    dw = (w - (1.0 - wrong) * ls).mean(axis=(0, 1))
    assert np.max(np.abs(dw)) > 10 * np.max(np.abs(d.mean(axis=(0, 1))))
    table = br.compare(idata, X=X, y=y)
    np.testing.assert_allclose(table["kappa"].to_numpy(), kappa, rtol=1e-12)
    # next to the lasso MAP of the same data: the MAP columns and the horseshoe's kappa
    lasso = br.Model(br.Gaussian(sigma=1.0), br.Laplace(0.2)).map(X, y)
    both = br.compare(idata, lasso, X=X, y=y)
    np.testing.assert_array_equal(both["map"].to_numpy(), lasso.coef)
    np.testing.assert_allclose(both["kappa"].to_numpy(), kappa, rtol=1e-12)
    m = table.attrs["m_eff"]
    assert m["mean"] == pytest.approx(float(np.sum(1.0 - kappa)), rel=1e-12)
    assert m["low"] <= m["median"] <= m["high"]
    assert "pip" not in table.columns


def test_penalized_priors_have_no_kappa_column():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(30, 2))
    y = X[:, 0] + rng.normal(size=30)
    model = br.Model(br.Gaussian(sigma=1.0), br.Laplace(1.0))
    idata = model.sample(X, y, draws=50, tune=20, chains=1, sampler="gibbs", random_seed=1,
                         progressbar=False)
    table = br.compare(idata, model.map(X, y))
    assert "kappa" not in table.columns and "m_eff" not in table.attrs
    with pytest.raises(br.NotSupportedError, match="shrinkage factors"):
        br.shrinkage_factors(idata, X, y)


# ======================================================================== command line
def _args(extra):
    return build_parser().parse_args(["sample", "diabetes", "--target", "target", "--out",
                                      "x.nc", *extra])


@pytest.mark.parametrize("flags,expected", [
    (["--prior", "horseshoe"], br.Horseshoe()),
    (["--prior", "horseshoe", "--global-scale", "0.3", "--fix-global"],
     br.Horseshoe(0.3, fix_global=True)),
    (["--prior", "horseshoe-plus", "--global-scale", "0.5"], br.HorseshoePlus(0.5)),
    (["--prior", "regularized-horseshoe", "--expected-nonzero", "3", "--slab-scale", "2",
      "--slab-df", "6", "--local-df", "3", "--global-df", "2"],
     br.RegularizedHorseshoe(expected_nonzero=3, slab_scale=2.0, slab_df=6.0, local_df=3.0,
                             global_df=2.0)),
    (["--prior", "r2d2", "--mean-r2", "0.3", "--r2-precision", "4", "--concentration", "0.2"],
     br.R2D2(0.3, 4.0, 0.2)),
    (["--prior", "spike-slab", "--inclusion-prob", "0.2", "--slab-scale", "3"],
     br.SpikeAndSlab(0.2, 3.0)),
    (["--prior", "horseshoe", "--likelihood", "bernoulli"], br.Horseshoe(relative_to_sigma=False)),
])
def test_cli_builds_the_python_prior(flags, expected):
    model = build_model_from_args(_args(flags), 442)
    assert model.prior == expected


@pytest.mark.parametrize("flags,text", [
    (["--prior", "horseshoe", "--slab-df", "4"], "--slab-df applies to the regularized-horseshoe"),
    (["--prior", "horseshoe", "--scale", "1"], "--scale does not apply to --prior horseshoe"),
    (["--prior", "laplace", "--scale", "1", "--global-scale", "1"],
     "--global-scale applies to the horseshoe"),
    (["--prior", "r2d2", "--inclusion-prob", "0.5"], "--inclusion-prob applies to the spike"),
])
def test_cli_sparse_prior_flag_errors(flags, text, tmp_path, capsys):
    code = main(["sample", "diabetes", "--target", "target", "--out", str(tmp_path / "p.nc"),
                 *flags, "--draws", "5", "--tune", "5", "--chains", "1", "-q"])
    err = capsys.readouterr().err
    assert code == 2 and text in err, err


@pytest.fixture
def small_table(tmp_path):
    rng = np.random.default_rng(3)
    n = 60
    X = rng.normal(size=(n, 4))
    df = pd.DataFrame(X, columns=list("abcd")).assign(y=1.0 + X @ [1.2, 0.0, 0.0, -0.8]
                                                      + rng.normal(size=n))
    path = tmp_path / "d.csv"
    df.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("prior", [["--prior", "horseshoe"],
                                   ["--prior", "spike-slab", "--slab-scale", "2"]])
def test_cli_sample_compare_report_end_to_end(prior, small_table, tmp_path, capsys):
    post = tmp_path / "post.nc"
    base = [str(small_table), "--target", "y", *prior, "--draws", "150", "--tune", "100",
            "--chains", "2", "--seed", "1", "-q"]
    assert main(["sample", *base, "--out", str(post), "--sampler", "gibbs"]) == 0, \
        capsys.readouterr().err
    capsys.readouterr()
    assert main(["compare", str(post), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    rows = {r["param"]: r for r in doc["table"]}
    assert set(rows) == set("abcd")
    if "spike-slab" in prior:
        assert all(0.0 <= r["pip"] <= 1.0 for r in rows.values())
        assert rows["a"]["pip"] > 0.9 and rows["b"]["pip"] < 0.9
    assert all(0.0 < r["kappa"] < 1.0 for r in rows.values())
    assert rows["a"]["kappa"] < rows["b"]["kappa"]
    assert 0.0 < doc["m_eff"]["mean"] < 4.0
    assert main(["compare", str(post)]) == 0
    assert "m_eff" in capsys.readouterr().out
    out_dir = tmp_path / "rep"
    assert main(["report", *base, "--out", str(out_dir), "--posterior", str(post),
                 "--no-compare-priors"]) == 0, capsys.readouterr().err
    md = (out_dir / "report.md").read_text()
    assert "## Shrinkage and sparsity" in md and "Posterior m_eff" in md
    assert ("median probability model" in md) == ("spike-slab" in prior)
