"""10-fold CV of a 100-point path: bayesreg ``select_scale(methods="cv")`` vs scikit-learn
``LassoCV`` / ``LogisticRegressionCV`` with the same folds and the same grid (by hand, never in
CI; R ``cv.glmnet`` by hand with ``foldid`` written to ``--out``).

Ratio = bayesreg time / scikit-learn time (best of ``--repeat``), interleaved. Shapes: tall
(n=5000, p=50), wide (n=200, p=2000), logistic (n=2000, p=50, ridge-logistic: scikit-learn's
LogisticRegressionCV has no L1 path solver as fast as lbfgs, so the Normal prior is timed).

    python benchmarks/bench_select_scale.py [--repeat 2] [--quick]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np


def _time(f, repeat):
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def main(argv=None):
    from sklearn.linear_model import LassoCV, LogisticRegressionCV

    import bayesreg as br

    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args(argv)
    warnings.simplefilter("ignore")  # scikit-learn's ConvergenceWarning / FutureWarning
    shapes = {"tall": (5000, 50), "wide": (200, 2000), "logistic": (2000, 50)}
    if a.quick:
        shapes = {k: (n // 4, p // 4) for k, (n, p) in shapes.items()}
    rng = np.random.default_rng(0)
    rows = []
    for name, (n, p) in shapes.items():
        X = rng.normal(size=(n, p))
        eta = X[:, :10] @ rng.normal(size=10)
        foldid = rng.permutation(np.resize(np.arange(10), n))
        splits = [(np.flatnonzero(foldid != k), np.flatnonzero(foldid == k)) for k in range(10)]
        if name == "logistic":
            y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
            model = br.Model(br.Bernoulli(), br.Normal(1.0))
            scales = np.geomspace(1e-3, 10, 100)

            def ours(model=model, X=X, y=y, foldid=foldid, scales=scales):
                return model.select_scale(X, y, methods="cv", scales=scales, foldid=foldid,
                                          tol=1e-6)

            def ref(X=X, y=y, splits=splits, scales=scales):
                return LogisticRegressionCV(Cs=scales**2, cv=splits, scoring="neg_log_loss",
                                            tol=1e-6).fit(X, y)
        else:
            y = eta + rng.normal(size=n)
            model = br.Model(br.Gaussian(1.0), br.Laplace(1.0))
            scales = model.map_path(X, y, n_scales=100).scales  # LassoCV's default grid

            def ours(model=model, X=X, y=y, foldid=foldid, scales=scales):
                return model.select_scale(X, y, methods="cv", scales=scales, foldid=foldid,
                                          convention="glmnet", measure="mse", tol=1e-6)

            def ref(X=X, y=y, splits=splits, scales=scales):
                return LassoCV(alphas=1.0 / (len(y) * scales), cv=splits, tol=1e-6).fit(X, y)
        ours()  # warm-up: numba kernels
        t_ours, sel = _time(ours, a.repeat)
        t_ref, est = _time(ref, a.repeat)
        rows.append((name, n, p, t_ours, t_ref, t_ours / t_ref, sel.scale_min))
    print("| shape | n | p | bayesreg s | scikit-learn s | ratio | scale_min |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.3f} | {r[4]:.3f} | {r[5]:.2f} | {r[6]:.4g} |")


if __name__ == "__main__":
    main()
