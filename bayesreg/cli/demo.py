"""``bayesreg demo``: the whole story on the bundled diabetes data: the equivalence table
(scikit-learn vs MAP), PyMC cross-checks, the posterior with diagnostics, the comparison table
and the HTML report."""

from __future__ import annotations

import sys
import time

import numpy as np

from ._common import (
    EXIT_FAILED_CHECK,
    EXIT_OK,
    _add_common,
    _frame_text,
    _Out,
    add_command,
    output_dir,
)

EPILOG = """examples:
  bayesreg demo                 # full demo (< 3 min on 2 cores)
  bayesreg demo --quick         # smaller sampling run (< 1 min)
  bayesreg demo --out /tmp/rep  # write the HTML report there"""

DEMO_SIGMA = 54.0  # ~ residual sd of least squares on the diabetes data (54.15)


def add_parser(sub) -> None:
    d = add_command(sub, "demo", "the full story on the bundled diabetes data", epilog=EPILOG,
                    description="Equivalence table (scikit-learn vs MAP), PyMC cross-checks, the "
                                "posterior under a Laplace prior with diagnostics, the "
                                "comparison table and the HTML report.")
    d.add_argument("--out", default="bayesreg-report", metavar="DIR",
                   help="report directory (default bayesreg-report; created if missing, its "
                        "parent must exist)")
    d.add_argument("--quick", action="store_true", help="fewer draws: under a minute")
    _add_common(d)


def _demo_estimators():
    from sklearn.linear_model import ElasticNet, Lasso, Ridge

    tight = {"tol": 1e-12, "max_iter": 100_000}
    return [Ridge(alpha=1.0), Ridge(alpha=50.0), Lasso(alpha=1.0, **tight),
            Lasso(alpha=5.0, **tight), ElasticNet(alpha=1.0, l1_ratio=0.5, **tight)]


def equivalence_table(X, y, sigma: float = DEMO_SIGMA):
    """Demo step 1: scikit-learn fits next to bayesreg's MAP under the converted prior.

    Returns a DataFrame with one row per estimator: the estimator, the prior that
    :func:`bayesreg.conversions.from_sklearn` gives for noise ``sigma``, the number of non-zero
    MAP coefficients, ``max |coef_sklearn - coef_MAP|`` and the MAP's optimality certificate.
    """
    import pandas as pd

    from ..model import Model

    rows = []
    for est in _demo_estimators():
        est.fit(X, y)
        model = Model.from_sklearn(est, n_samples=len(y), sigma=sigma)
        fit = model.map(X, y, tol=1e-12)
        params = ", ".join(f"{k}={v:g}" for k, v in est.get_params().items()
                           if k in ("alpha", "l1_ratio"))
        rows.append({"scikit-learn": f"{type(est).__name__}({params})",
                     f"prior (sigma={sigma:g})": repr(model.prior),
                     "non-zero": int(np.count_nonzero(fit.coef)),
                     "max|sk - MAP|": float(np.max(np.abs(fit.coef - est.coef_))),
                     "certificate": f"{fit.optimality_kind}={fit.optimality:.1e}"})
    return pd.DataFrame(rows)


def run(args, out: _Out) -> int:
    import pandas as pd
    from sklearn.linear_model import Lasso

    from ..datasets import load_diabetes
    from ..diagnostics import compare, diagnose, report
    from ..likelihoods import Gaussian
    from ..model import Model

    output_dir(args.out, "--out", create=False)  # a bad --out fails now, not after sampling

    t_start = time.perf_counter()
    quick = args.quick
    X, y = load_diabetes(return_X_y=True, standardize=True)
    n, p = X.shape
    out.result(f"bayesreg demo: diabetes data (Efron et al. 2004), n={n}, p={p}, features "
               "standardized, y = disease progression (raw units)")

    out.result(f"\n[1/5] scikit-learn penalized fits = bayesreg MAP under the converted prior "
               f"(Gaussian likelihood, sigma={DEMO_SIGMA:g})")
    table = equivalence_table(X, y)
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        out.result(table.to_string(index=False, float_format=lambda v: f"{v:.1e}"))
    worst = float(table["max|sk - MAP|"].max())
    out.result(f"largest coefficient difference: {worst:.1e} (coefficients are O(10))")

    lasso_model = Model.from_sklearn(Lasso(alpha=1.0), n_samples=n, sigma=DEMO_SIGMA)
    failed = []
    out.result("\n[2/5] PyMC cross-check: direct MAP vs pm.find_MAP on the identical model")
    ests = _demo_estimators()
    chosen = [ests[0], ests[2], ests[4]] if not quick else [ests[2]]
    for est in chosen:
        model = Model.from_sklearn(est, n_samples=n, sigma=DEMO_SIGMA)
        t0 = time.perf_counter()
        check = model.crosscheck(X, y)
        if not check.passed:
            failed.append(type(est).__name__)
        out.result(f"-- {type(est).__name__} -> {model.prior!r}: "
                   f"{'passed' if check.passed else 'FAILED'} ({time.perf_counter() - t0:.1f} s)")
        if not args.quiet:
            out.result(str(check))

    # the full posterior: Laplace prior of the lasso at alpha=1, sigma estimated
    post_model = Model(likelihood=Gaussian(sigma=None), prior=lasso_model.prior)
    fit = post_model.map(X, y)
    draws, tune = (300, 300) if quick else (1000, 1000)
    out.result(f"\n[3/5] full posterior under {post_model.prior!r}, sigma ~ HalfNormal "
               f"(estimated): 2 chains x {draws} draws")
    t0 = time.perf_counter()
    idata = post_model.sample(X, y, draws=draws, tune=tune, chains=2, random_seed=2004,
                              progressbar=not args.quiet)
    out.result(f"sampled in {time.perf_counter() - t0:.1f} s")
    out.result(str(diagnose(idata)))

    out.result("\n[4/5] MAP (the penalized estimate) vs the posterior")
    table = compare(idata, fit, X=X, y=y)
    cols = [c for c in ("map", "mean", "median", "hdi_low", "hdi_high", "p_near_zero",
                        "shrinkage_map", "shrinkage_mean", "r_hat", "ess_bulk")
            if c in table.columns]
    out.result(_frame_text(table[cols] if cols else table))
    zeros = [nm for nm, c in zip(fit.feature_names, fit.coef) if c == 0]
    if zeros:
        means = idata.posterior["coef"].mean(("chain", "draw"))
        txt = ", ".join(f"{nm} (posterior mean {float(means.sel(feature=nm)):.2f})"
                        for nm in zeros)
        out.result(f"exactly zero at the MAP but not in the posterior mean: {txt}")

    out.result("\n[5/5] HTML report")
    output_dir(args.out, "--out", out)
    rep = report(post_model, X, y, out_dir=args.out, draws=draws, tune=tune, chains=2,
                 random_seed=2004, compare_priors=not quick, progressbar=not args.quiet,
                 idata=idata, fit=fit)
    out.result(f"report written: {rep.html.resolve()}")
    out.result(f"\ndemo finished in {time.perf_counter() - t_start:.1f} s")
    if failed:
        print(f"bayesreg demo: cross-check failed for {', '.join(failed)}", file=sys.stderr)
        return EXIT_FAILED_CHECK
    return EXIT_OK
