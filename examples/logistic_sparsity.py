"""L1-logistic classification, and how certain each selected feature really is.

The Wisconsin breast-cancer data (569 tumours, 30 features, shipped with scikit-learn),
standardized. The MAP under a Laplace prior (= L1-penalized logistic regression,
``LogisticRegression(C=b, l1_ratio=1)``) selects a handful of features and zeroes the rest.
The MAP gives no uncertainty; the full posterior does: for each feature, the posterior 94%
HDI, the probability that its sign is the one the MAP chose, and the mass near zero. Some
selected features turn out to be well determined; others are selected by the mode but their
posterior straddles zero.

Run:  python examples/logistic_sparsity.py [--quick] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np
import pandas as pd

import bayesreg as br


def load(quick: bool):
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer(as_frame=True)
    X = data.data
    X = (X - X.mean()) / X.std(ddof=0)
    X.columns = [c.replace(" ", "_") for c in X.columns]
    y = data.target  # 1 = benign
    if quick:
        X = X.iloc[:, :12]
    return X, y


def main(quick: bool = False, out_dir: str | Path = "example-output", seed: int = 7) -> pd.DataFrame:
    """MAP + posterior; print and return the per-feature table, save ``logistic_sparsity.png``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    X, y = load(quick)
    model = br.Model(likelihood=br.Bernoulli(), prior=br.Laplace(0.05))
    fit = model.map(X, y)
    print(f"equivalent scikit-learn estimator: {model.to_sklearn(n_samples=len(y))}")
    print(fit)
    draws, tune, chains = (300, 300, 2) if quick else (1000, 1000, 4)
    idata = model.sample(X, y, draws=draws, tune=tune, chains=chains, random_seed=seed,
                         progressbar=not quick)
    table = br.compare(idata, fit, X=X, y=y)
    w = idata.posterior["coef"].to_numpy().reshape(-1, X.shape[1])
    sign = np.where(fit.coef != 0, np.sign(fit.coef), np.sign(np.median(w, axis=0)))
    res = pd.DataFrame({
        "map": fit.coef, "mean": w.mean(axis=0),
        "hdi_low": table["hdi_low"].to_numpy(), "hdi_high": table["hdi_high"].to_numpy(),
        "p_same_sign": np.mean(np.sign(w) == sign, axis=0),
        "p_near_zero": table["p_near_zero"].to_numpy(),
        "selected": fit.coef != 0,
    }, index=pd.Index(X.columns, name="feature"))
    res["hdi_excludes_0"] = (res["hdi_low"] > 0) | (res["hdi_high"] < 0)
    print(res.sort_values("selected", ascending=False).to_string(
        float_format=lambda v: f"{v:.3g}"))
    sel = res[res["selected"]]
    print(f"\n{len(sel)} of {len(res)} features selected by the MAP; "
          f"{int(sel['hdi_excludes_0'].sum())} of them have a 94% HDI excluding 0")
    if quick:  # too few draws for the thresholds: say so instead of a verdict of FAILs
        print(f"\nquick mode: {chains} chains x {draws} draws are too few for the convergence "
              "checks (R-hat <= 1.01, ESS >= 400); run without --quick for br.diagnose")
    else:
        print(br.diagnose(idata))

    fig, ax = plt.subplots(figsize=(7, 0.28 * len(res) + 1.5))
    pos = np.arange(len(res))[::-1]
    ax.hlines(pos, res["hdi_low"], res["hdi_high"], color="C0", lw=2, label="posterior 94% HDI")
    ax.plot(res["mean"], pos, "o", color="C0", ms=4, label="posterior mean")
    ax.plot(res["map"], pos, "x", color="C3", ms=7, label="MAP (L1-logistic)")
    ax.axvline(0, color="k", lw=0.5)
    ax.set_yticks(pos, res.index, fontsize=7)
    ax.set(xlabel="coefficient (standardized features)",
           title="L1-logistic: selected features and their posterior uncertainty")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "logistic_sparsity.png", dpi=90)
    plt.close(fig)
    print(f"wrote {out / 'logistic_sparsity.png'}")
    return res


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small run (also BAYESREG_QUICK=1)")
    p.add_argument("--out", default="example-output", help="directory for the figures")
    a = p.parse_args()
    main(quick=a.quick or os.environ.get("BAYESREG_QUICK") == "1", out_dir=a.out)
