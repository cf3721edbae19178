"""10-fold CV of a 100-point path: bayesreg ``select_scale(methods="cv")`` vs scikit-learn
``LassoCV`` / ``LogisticRegressionCV`` with the same folds and the same grid (by hand, never in
CI; R ``cv.glmnet`` by hand with ``foldid`` written to ``--out``).

Ratio = bayesreg time / scikit-learn time (best of ``--repeat``), interleaved. Shapes: tall
(n=5000, p=50), wide (n=200, p=2000), logistic (n=2000, p=50, ridge-logistic: scikit-learn's
LogisticRegressionCV has no L1 path solver as fast as lbfgs, so the Normal prior is timed).

``--path``: ``posterior_path`` (Gibbs, Gaussian x Laplace, 30 scales, 500 draws x 2 chains)
against an independent ``model.sample(sampler="gibbs")`` per grid point with the same tune and
draws, with and without the warm start (``tune_warm = tune // 10`` after the first scale);
seconds per grid point and the ratios to the independent samples, interleaved, BLAS on one
thread.

``--path-nuts``: ``posterior_path`` by nutpie (Bernoulli x Laplace, 4 scales): the first call's
cost per point (compilation included), then independent samples vs the path cold and warm.

    python benchmarks/bench_select_scale.py [--repeat 2] [--quick] [--path] [--path-nuts]

Results: ``benchmarks/RESULTS_select_scale.md``.

Measured 2026-12-03 (``--path --repeat 1``, 2 cores shared with other jobs, load ~15: the
ratios are same-process and interleaved, the seconds are not stable), path / independent:
tall 4000 x 40: cold 0.63, warm 0.39; square 400 x 100: cold 1.01, warm 0.57; wide 100 x 500:
cold 0.72, warm 0.41 (``--quick``: warm 0.46 / 0.53 / 0.47).
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


def bench_path(repeat, quick):
    import bayesreg as br

    shapes = {"tall": (4000, 40), "square": (400, 100), "wide": (100, 500)}
    if quick:
        shapes = {k: (n // 2, p // 2) for k, (n, p) in shapes.items()}
    rng = np.random.default_rng(1)
    n_scales, draws, tune, chains = 30, 500, 500, 2
    print(f"posterior_path: {n_scales} scales, {draws} draws + {tune} tune x {chains} chains")
    print("| shape | n | p | independent sample s/point | path cold s/point | path warm s/point "
          "| cold / indep. | warm / indep. |")
    print("|---|---|---|---|---|---|---|---|")
    for name, (n, p) in shapes.items():
        X = rng.normal(size=(n, p))
        y = X[:, :10] @ rng.normal(size=10) + rng.normal(size=n)
        model = br.Model(br.Gaussian(None), br.Laplace(1.0))
        grid = br.Model(br.Gaussian(1.0), br.Laplace(1.0)).map_path(  # skip the all-zero point
            X, y, n_scales=n_scales + 1).scales[1:]

        def indep(model=model, X=X, y=y, grid=grid):
            for s in grid:
                m = br.Model(model.likelihood, br.Laplace(float(s)))
                m.sample(X, y, draws=draws, tune=tune, chains=chains, sampler="gibbs",
                         random_seed=0, progressbar=False, log_likelihood=False)

        def cold(model=model, X=X, y=y, grid=grid):
            model.posterior_path(X, y, scales=grid, draws=draws, tune=tune, chains=chains,
                                 warm_start=False, random_seed=0)

        def warm(model=model, X=X, y=y, grid=grid):
            model.posterior_path(X, y, scales=grid, draws=draws, tune=tune, chains=chains,
                                 random_seed=0)

        warm()  # numba compile / cache load
        best = {"indep": np.inf, "cold": np.inf, "warm": np.inf}
        for _ in range(repeat):  # interleaved
            for k, f in (("indep", indep), ("cold", cold), ("warm", warm)):
                t = time.perf_counter()
                f()
                best[k] = min(best[k], time.perf_counter() - t)
        m = grid.size
        print(f"| {name} | {n} | {p} | {best['indep'] / m:.4f} | {best['cold'] / m:.4f} | "
              f"{best['warm'] / m:.4f} | {best['cold'] / best['indep']:.2f} | "
              f"{best['warm'] / best['indep']:.2f} |")


def bench_path_nuts(repeat):
    """posterior_path by nutpie (Bernoulli x Laplace, 4 scales: nutpie's compiled-model cache
    holds 4): the first call compiles one model per scale (reported per point); then, with the
    compiled models cached, independent ``sample`` per point vs the path cold
    (``warm_start=False``) vs warm, interleaved."""
    import bayesreg as br

    rng = np.random.default_rng(2)
    n, p = 500, 10
    X = rng.normal(size=(n, p))
    eta = 0.2 + X[:, :3] @ np.array([1.0, -0.7, 0.4])
    y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    model = br.Model(br.Bernoulli(), br.Laplace(1.0))
    grid = model.map_path(X, y, n_scales=5).scales[1:]
    draws, tune, chains = 500, 500, 2
    kw = dict(scales=grid, draws=draws, tune=tune, chains=chains, sampler="nutpie")

    t = time.perf_counter()
    model.posterior_path(X, y, random_seed=0, **kw)
    first = (time.perf_counter() - t) / grid.size

    def indep():
        for s in grid:
            br.Model(model.likelihood, br.Laplace(float(s))).sample(
                X, y, draws=draws, tune=tune, chains=chains, sampler="nutpie", random_seed=0,
                progressbar=False, log_likelihood=False)

    def cold():
        model.posterior_path(X, y, random_seed=0, warm_start=False, **kw)

    def warm():
        model.posterior_path(X, y, random_seed=0, **kw)

    best = {"indep": np.inf, "cold": np.inf, "warm": np.inf}
    for _ in range(repeat):
        for k, f in (("indep", indep), ("cold", cold), ("warm", warm)):
            t = time.perf_counter()
            f()
            best[k] = min(best[k], time.perf_counter() - t)
    m = grid.size
    print(f"posterior_path (nutpie), Bernoulli x Laplace {n} x {p}, {m} scales, {draws} draws + "
          f"{tune} tune x {chains} chains (warm: tune_warm = {max(tune // 2, 50)})")
    print("| first call (compiles) s/point | independent sample s/point | path cold s/point | "
          "path warm s/point | cold / indep. | warm / indep. |")
    print("|---|---|---|---|---|---|")
    print(f"| {first:.2f} | {best['indep'] / m:.3f} | {best['cold'] / m:.3f} | "
          f"{best['warm'] / m:.3f} | {best['cold'] / best['indep']:.2f} | "
          f"{best['warm'] / best['indep']:.2f} |")


def main(argv=None):
    from sklearn.linear_model import LassoCV, LogisticRegressionCV

    import bayesreg as br

    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--path", action="store_true", help="time posterior_path instead of CV")
    ap.add_argument("--path-nuts", action="store_true",
                    help="time posterior_path by nutpie (Bernoulli x Laplace)")
    a = ap.parse_args(argv)
    if a.path_nuts:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            bench_path_nuts(a.repeat)
        return
    if a.path:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(1):
            bench_path(a.repeat, a.quick)
        return
    warnings.simplefilter("ignore")  # scikit-learn's ConvergenceWarning / FutureWarning
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)  # BLAS on one thread for both sides
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
