"""Penalized fit = direct MAP = PyMC's find_MAP, for every prior x likelihood.

For each combination of prior (Normal = L2, Laplace = L1, elastic net) and likelihood
(Gaussian, Bernoulli, Poisson) on the bundled diabetes data (standardized features; the target
as is, thresholded at its median for the logistic models, and divided by 25 and rounded as
counts for the Poisson ones), this script

1. fits the scikit-learn estimator (Ridge, Lasso, ElasticNet, LogisticRegression,
   PoissonRegressor; glmnet's convention where scikit-learn has no L1 Poisson model),
2. converts its penalty into the prior with the same optimum (``Model.from_sklearn`` /
   ``Model.from_glmnet``) and solves that model's MAP directly,
3. runs ``pm.find_MAP`` on the identical PyMC model (``model.crosscheck``),

and prints them side by side with the conversion used.

Run:  python examples/map_equivalence.py [--quick] [--out DIR] [--no-pymc]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import pandas as pd

import bayesreg as br
from bayesreg.datasets import load_diabetes

SIGMA = 54.0  # Gaussian noise sd used in the conversions (least squares residual sd ~ 54.2)


def describe(est) -> str:
    """``Name(alpha=..., l1_ratio=...)`` with the penalty parameters spelled out."""
    keys = ("alpha", "C", "l1_ratio")
    params = est.get_params()
    if type(est).__name__ == "Lasso":
        keys = ("alpha",)
    return f"{type(est).__name__}(" + ", ".join(f"{k}={params[k]:g}" for k in keys
                                                  if params.get(k) is not None) + ")"


def cases(n: int):
    """(name, likelihood, sklearn estimator or None, bayesreg Model, conversion text)."""
    from sklearn.linear_model import ElasticNet, Lasso, LogisticRegression, PoissonRegressor, Ridge

    tight = {"tol": 1e-12, "max_iter": 200_000}
    out = []
    for est in (Ridge(alpha=10.0), Lasso(alpha=1.0, **tight),
                ElasticNet(alpha=1.0, l1_ratio=0.5, **tight)):
        m = br.Model.from_sklearn(est, n_samples=n, sigma=SIGMA)
        out.append(("gaussian", est, m, f"{describe(est)} with sigma={SIGMA:g}, n={n}"))
    for est in (LogisticRegression(C=0.5, tol=1e-12, max_iter=10_000),
                LogisticRegression(C=0.05, l1_ratio=1.0, solver="saga", **tight),
                LogisticRegression(C=0.1, l1_ratio=0.5, solver="saga", **tight)):
        m = br.Model.from_sklearn(est, n_samples=n)
        out.append(("bernoulli", est, m, describe(est)))
    est = PoissonRegressor(alpha=0.01, tol=1e-12, max_iter=10_000)
    out.append(("poisson", est, br.Model.from_sklearn(est, n_samples=n), f"{describe(est)}, n={n}"))
    m = br.Model.from_glmnet(0.01, alpha=1.0, family="poisson", n_samples=n)
    out.append(("poisson", None, m, f"glmnet(family='poisson', lambda=0.01, alpha=1), n={n}"))
    m = br.Model.from_glmnet(0.01, alpha=0.5, family="poisson", n_samples=n)
    out.append(("poisson", None, m, f"glmnet(family='poisson', lambda=0.01, alpha=0.5), n={n}"))
    return out


def targets(y: pd.Series) -> dict:
    return {"gaussian": y, "bernoulli": (y > y.median()).astype(int),
            "poisson": np.round(y / 25.0)}


def main(quick: bool = False, out_dir: str | Path = "example-output", pymc: bool = True
         ) -> pd.DataFrame:
    """Print and return the side-by-side table (also written as ``map_equivalence.csv``)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    X, y = load_diabetes(return_X_y=True, standardize=True)
    ys = targets(y)
    have_pymc = pymc
    if pymc:
        try:
            from bayesreg.pymc import crosscheck  # noqa: F401
        except ImportError:
            have_pymc = False
    rows = []
    all_cases = cases(len(y))
    for k, (lik, est, model, conv) in enumerate(all_cases):
        yk = ys[lik]
        fit = model.map(X, yk, tol=1e-10)
        row = {"likelihood": lik, "prior": repr(model.prior), "conversion": conv,
               "non-zero": int(np.count_nonzero(fit.coef)),
               "certificate": f"{fit.optimality_kind}={fit.optimality:.1e}"}
        if est is not None:
            est.fit(X, yk)
            row["max|sklearn - MAP|"] = float(np.max(np.abs(np.ravel(est.coef_) - fit.coef)))
        else:
            row["max|sklearn - MAP|"] = np.nan
        # quick: PyMC on the lasso only (each find_MAP compiles a model)
        if have_pymc and (not quick or k == 1):
            t0 = time.perf_counter()
            check = model.crosscheck(X, yk)
            row["max|find_MAP - MAP|"] = float(np.max(np.abs(check.coef_pymc - check.coef_direct)))
            row["find_MAP worse by (nats)"] = float(check.findmap_deficit)
            row["cross-check"] = "passed" if check.passed else "FAILED"
            row["pymc seconds"] = round(time.perf_counter() - t0, 1)
        rows.append(row)
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 250, "display.max_columns", 20,
                           "display.max_colwidth", 70):
        print(table.drop(columns="conversion").to_string(float_format=lambda v: f"{v:.2e}"))
        print("\nconversions used:")
        for r in rows:
            print(f"  {r['likelihood']:<9} {r['prior']:<50} <- {r['conversion']}")
    table.to_csv(out / "map_equivalence.csv", index=False)
    print(f"wrote {out / 'map_equivalence.csv'}")
    return table


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small run (also BAYESREG_QUICK=1)")
    p.add_argument("--out", default="example-output", help="directory for the outputs")
    p.add_argument("--no-pymc", action="store_true", help="skip the find_MAP cross-checks")
    a = p.parse_args()
    main(quick=a.quick or os.environ.get("BAYESREG_QUICK") == "1", out_dir=a.out,
         pymc=not a.no_pymc)
