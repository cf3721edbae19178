"""From a posterior to decisions on the diabetes data: which variables matter, how sure is a
prediction.

A Bayesian lasso posterior (Laplace prior, sigma estimated, exact Gibbs sampler) of the 10
standardized diabetes predictors, then:

1. ``br.compare(..., delta=5)``: per coefficient P(sign = sign of the median) and
   P(|w| < 5) (5 units of disease progression per sd of the predictor);
2. ``br.sparsify``: decoupling shrinkage and selection (Hahn & Carvalho 2015), the sparsest
   adaptive-lasso summary of the posterior-mean predictor whose excess loss stays in the full
   posterior's 90% band;
3. ``br.project``: projection predictive forward search (as projpred), elpd per size by
   PSIS-LOO, projpred's suggested size, the projected posterior of that submodel;
4. ``model.predict_interval``: 90% posterior predictive intervals, with their coverage on a
   held-out fifth of the rows; ``br.plot_ppc`` / ``br.plot_loo_pit`` (arviz-plots).

The same from the command line, into the HTML report::

    bayesreg sample diabetes --target target --standardize --prior laplace --scale 6.6 \
        --out post.nc --seed 1
    bayesreg select-variables post.nc diabetes --target target --standardize --plot elpd.png
    bayesreg report diabetes --target target --standardize --prior laplace --scale 6.6 \
        --posterior post.nc --select-variables --out report

Run:  python examples/posterior_to_decision.py [--quick] [--out DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

import bayesreg as br
from bayesreg.datasets import load_diabetes


def main(quick: bool = False, out_dir: str | Path = "example-output", seed: int = 1) -> dict:
    """Run the workflow; return the posterior, the DSS summary, the selection and the held-out
    interval coverage."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    X, y = load_diabetes(return_X_y=True, standardize=True)
    model = br.Model(likelihood=br.Gaussian(), prior=br.Laplace(scale=6.6))
    draws = 500 if quick else 2000
    idata = model.sample(X, y, draws=draws, chains=2, sampler="gibbs", random_seed=seed,
                         progressbar=False)
    table = br.compare(idata, X=X, y=y, delta=5.0)
    print(table[["median", "hdi_low", "hdi_high", "p_sign", "p_within_delta"]].round(2))

    dss = br.sparsify(idata, model, X, y, prob=0.9)
    print("DSS selects:", dss.selected)
    dss.plot()
    plt.savefig(out / "dss_loss.png", dpi=90)
    plt.close("all")

    sel = br.project(idata, model, X, y, search="forward")
    size = sel.suggest_size()
    print(sel.table[["feature", "elpd", "elpd_diff", "elpd_diff_se", "rmse"]].round(1))
    print(f"projection: order {sel.order}, suggested size {size}: {sel.order[:size]}")
    sel.plot()
    plt.savefig(out / "projection_elpd.png", dpi=90)
    plt.close("all")
    print(br.compare(sel.posterior(size))[["mean", "hdi_low", "hdi_high"]].round(1))

    # predictive intervals: fit on four fifths, check the 90% intervals on the rest
    rng = np.random.default_rng(seed)
    test = rng.permutation(len(y))[: len(y) // 5]
    train = np.setdiff1d(np.arange(len(y)), test)
    yv = np.asarray(y, dtype=float)
    post = model.sample(X.iloc[train], yv[train], draws=draws, chains=2, sampler="gibbs",
                        random_seed=seed + 1, progressbar=False)
    pi = model.predict_interval(post, X.iloc[test], prob=0.9, random_seed=seed)
    hit = (yv[test] >= pi["lower"].to_numpy()) & (yv[test] <= pi["upper"].to_numpy())
    coverage = float(np.mean(hit))
    print(f"held-out coverage of the 90% predictive intervals: {coverage:.2f} "
          f"({len(test)} rows)")
    dist, tstat = br.plot_ppc(idata, model, X, y, random_seed=seed)
    dist.savefig(out / "ppc_density.png")
    pit = br.plot_loo_pit(idata, model, X, y, random_seed=seed)
    pit.savefig(out / "loo_pit.png")
    plt.close("all")
    return {"idata": idata, "table": table, "dss": dss, "selection": sel, "size": size,
            "coverage": coverage, "n_test": len(test)}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer draws")
    ap.add_argument("--out", default="example-output", help="output directory")
    a = ap.parse_args()
    main(quick=a.quick, out_dir=a.out)
