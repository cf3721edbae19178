"""Sparse posteriors on the prostate data: horseshoe and regularized horseshoe vs the lasso MAP.

The lasso is a sparse *mode*; a horseshoe's posterior has no mode at all (its density is
infinite at 0) but separates signal from noise by how much it shrinks each coefficient. This
script, on the prostate cancer data shipped with bayesreg (97 rows, 8 standardized predictors,
response lpsa, sigma estimated):

1. calibrates a regularized horseshoe (rstanarm's ``hs()``) by its prior effective number of
   non-zero coefficients, ``expected_nonzero = 3`` (``br.effective_nonzero``);
2. samples the horseshoe and the regularized horseshoe with the exact Gibbs samplers (no
   compilation, seconds);
3. prints ``br.compare`` of each posterior next to the lasso MAP of the same data: posterior
   mean, HDI, the shrinkage factor ``kappa_j`` and the posterior of ``m_eff``;
4. plots ``kappa_j`` per coefficient for both priors, with the lasso's zeros marked;
5. writes the full report of the regularized horseshoe (``br.report``: its "Shrinkage and
   sparsity" section, and with the full run the LOO comparison with the Bayesian lasso and the
   horseshoe).

Run:  python examples/sparse_posteriors.py [--quick] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

import bayesreg as br
from bayesreg.datasets import load_prostate


def main(quick: bool = False, out_dir: str | Path = "example-output", seed: int = 2017) -> dict:
    """Run the analysis; return the posteriors, the tables, the lasso fit and the report."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    X, y = load_prostate(return_X_y=True, standardize=True)
    n, p = X.shape
    rhs = br.RegularizedHorseshoe(expected_nonzero=3, slab_scale=2.0)
    prior_m = br.effective_nonzero(rhs, n, p, random_seed=seed)  # prints mean, quantiles

    draws, tune, chains = (400, 200, 2) if quick else (2000, 1000, 4)
    lasso = br.Model(br.Gaussian(), br.Laplace(0.1)).map(X, y)
    print(lasso)
    models = {"Horseshoe": br.Model(br.Gaussian(), br.Horseshoe()),
              "RegularizedHorseshoe": br.Model(br.Gaussian(), rhs)}
    idata, tables = {}, {}
    for name, model in models.items():
        idata[name] = model.sample(X, y, draws=draws, tune=tune, chains=chains,
                                   random_seed=seed, progressbar=False)
        tables[name] = br.compare(idata[name], lasso, X=X, y=y)
        m = tables[name].attrs["m_eff"]
        print(f"\n{name} posterior next to the lasso MAP (Laplace(0.1), sigma estimated):")
        print(tables[name][["map", "mean", "hdi_low", "hdi_high", "kappa", "r_hat"]]
              .to_string(float_format=lambda v: f"{v:.3g}"))
        print(f"posterior m_eff: mean {m['mean']:.2f}, {m['prob']:.0%} interval "
              f"[{m['low']:.2f}, {m['high']:.2f}] of {p}")

    fig, ax = plt.subplots(figsize=(7, 3.5))
    pos = np.arange(p)
    for k, (name, table) in enumerate(tables.items()):
        ax.bar(pos + (k - 0.5) * 0.38, table["kappa"], width=0.38, label=name)
    zero = np.flatnonzero(lasso.coef == 0)
    ax.plot(pos[zero], np.full(zero.size, 1.03), "kv", label="lasso MAP exactly 0")
    ax.set_xticks(pos, X.columns, rotation=30)
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("posterior mean kappa_j")
    ax.set_title("Shrinkage factors (0: kept, 1: shrunk to zero), prostate data")
    ax.legend(fontsize=8, loc="upper left")
    fig.tight_layout()
    fig.savefig(out / "sparse_posteriors.png", dpi=90)
    plt.close("all")

    rep = br.report(models["RegularizedHorseshoe"], X, y, out_dir=out / "report_rhs",
                    draws=draws, tune=tune, chains=chains, random_seed=seed,
                    idata=idata["RegularizedHorseshoe"], compare_priors=not quick)
    print(f"\nreport: {rep.html}")
    return {"idata": idata, "tables": tables, "lasso": lasso, "prior_m_eff": prior_m,
            "report": rep}


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small run (also BAYESREG_QUICK=1)")
    ap.add_argument("--out", default="example-output", help="directory for the outputs")
    a = ap.parse_args()
    main(quick=a.quick or os.environ.get("BAYESREG_QUICK") == "1", out_dir=a.out)
