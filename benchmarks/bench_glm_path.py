"""GLM (and one Gaussian) regularization paths, each library at its defaults: ms per path point.

Issue 17, part B. R glmnet is not installable here (CRAN unreachable), so the peers are glum's
path (``GeneralizedLinearRegressor(alpha_search=True, alphas=grid)``: warm-started, glmnet's
objective ``mean loss + alpha |w|_1``) and scikit-learn (``LogisticRegression(l1, saga,
warm_start=True)`` looped over the grid; ``lasso_path`` for the Gaussian row), all in this
process, interleaved over rounds (best of each), BLAS on one thread (threadpoolctl). bayesreg:
``Model(lik, Laplace).map_path(X, y, scales=1 / (n * grid))`` with its default ``tol`` and, as a
second row, ``tol=1e-4``. Every side's achieved accuracy is scored by the independent
certificates of ``benchmarks/optimality.py`` (relative KKT violation for GLMs, relative duality
gap for the Gaussian path; median / max over the points).

Grids: glmnet's (``lambda_max * logspace(0, log10(eps), 100)``, ``eps = 1e-4`` for n >= p, else
1e-2); the binomial and Poisson paths keep the first 71 points (where glmnet's deviance-ratio
rule stopped on the 1500 x 300 binomial path of the issue).

Usage: ``python benchmarks/bench_glm_path.py [--rounds 3] [--src DIR] [--out FILE]``
(``--src``: the checkout whose ``bayesreg`` is imported, e.g. main, for before/after numbers).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def make(kind, n, p, seed):
    """The data of benchmarks/glmnet_compare.py (20 true non-zeros), plus a Poisson response."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    k = min(20, p // 10)
    w[:k] = rng.normal(scale=1.0, size=k)
    eta = 0.5 + X @ w
    if kind == "gaussian":
        y = eta + rng.standard_normal(n)
    elif kind == "poisson":
        w_p = w * 0.3
        y = rng.poisson(np.exp(0.2 + X @ w_p)).astype(float)
    else:
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    return X, y


def lambda_max(kind, X, y):
    n = X.shape[0]
    return float(np.abs(X.T @ (y - y.mean())).max()) / n  # the null gradient of every family


def best_of(fn, rounds_out, key):
    """Run ``fn`` once, recording its (wall, CPU) seconds (CPU time: the process's own work,
    the steadier number on a machine loaded by other jobs)."""
    t0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    rounds_out.setdefault(key, []).append((time.perf_counter() - t0, time.process_time() - c0))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--src", default=str(HERE.parent))
    ap.add_argument("--rows", default="binomial,poisson,gaussian")
    ap.add_argument("--no-sklearn", action="store_true", help="skip the (slow) saga path")
    ap.add_argument("--no-peers", action="store_true", help="bayesreg rows only (before/after)")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    sys.path.insert(0, args.src)
    from optimality import enet_gap, glm_kkt
    from threadpoolctl import threadpool_limits

    import bayesreg as br

    threadpool_limits(1)
    warnings.filterwarnings("ignore")
    lines = [f"bayesreg from {Path(br.__file__).parent}; BLAS 1 thread; best of {args.rounds} "
             f"interleaved rounds; load average {os.getloadavg()[0]:.1f} at start", "",
             "| path | side | points | total s | ms / point | CPU ms / point | "
             "rel. KKT / gap (median / max) |", "|---|---|---|---|---|---|---|"]
    for kind in args.rows.split(","):
        if kind == "gaussian":
            n, p, npts, eps = 200, 5000, 100, 1e-2
        else:
            n, p, npts, eps = 1500, 300, 71, 1e-4
        X, y = make(kind, n, p, seed=n + p)
        lam = lambda_max(kind, X, y) * np.logspace(0, np.log10(eps), 100)[:npts]
        fam = {"binomial": "binomial", "poisson": "poisson", "gaussian": "gaussian"}[kind]
        lik = {"binomial": br.Bernoulli(), "poisson": br.Poisson(),
               "gaussian": br.Gaussian(sigma=1.0)}[kind]
        model = br.Model(lik, br.Laplace(1.0))
        scales = 1.0 / (n * lam)
        model.map_path(X[:60, :20], y[:60], n_scales=3)  # warm-up: load the cached kernels

        def score(W, B, fam=fam, X=X, y=y, lam=lam, n=n):
            if fam == "gaussian":
                v = [enet_gap(X, y, W[k], B[k], n * lam[k], 0.0) for k in range(len(lam))]
            else:
                v = [glm_kkt(fam, X, y, W[k], B[k], n * lam[k], 0.0) for k in range(len(lam))]
            return float(np.median(v)), float(np.max(v))

        sides = {}

        def br_default(model=model, X=X, y=y, scales=scales):
            path = model.map_path(X, y, scales=scales)
            return [r.coef for r in path.results], [r.intercept for r in path.results]

        def br_loose(model=model, X=X, y=y, scales=scales):
            path = model.map_path(X, y, scales=scales, tol=1e-4)
            return [r.coef for r in path.results], [r.intercept for r in path.results]

        sides["bayesreg map_path (default tol)"] = br_default
        sides["bayesreg map_path (tol=1e-4)"] = br_loose
        if kind != "gaussian" and not args.no_peers:
            try:
                from glum import GeneralizedLinearRegressor

                def glum_path(X=X, y=y, lam=lam, fam=fam):
                    est = GeneralizedLinearRegressor(family=fam, alpha_search=True, alphas=lam,
                                                     l1_ratio=1.0, fit_intercept=True)
                    est.fit(X, y)
                    return list(est.coef_path_), list(np.ravel(est.intercept_path_))

                sides["glum path (defaults)"] = glum_path
            except ImportError:
                lines.append(f"(glum not installed: `pip install glum`; {kind} row without it)")
        if kind == "binomial" and not (args.no_sklearn or args.no_peers):
            from sklearn.linear_model import LogisticRegression

            def sk_path(X=X, y=y, lam=lam, n=n):
                est = LogisticRegression(penalty="l1", solver="saga", warm_start=True,
                                         max_iter=10_000)
                W, B = [], []
                for lm in lam:
                    est.set_params(C=1.0 / (n * lm))
                    est.fit(X, y)
                    W.append(est.coef_.ravel().copy())
                    B.append(float(est.intercept_[0]))
                return W, B

            sides["sklearn LogisticRegression(saga, warm_start)"] = sk_path
        if kind == "gaussian" and not args.no_peers:
            from sklearn.linear_model import lasso_path

            def sk_lasso(X=X, y=y, lam=lam):
                xm = X.mean(axis=0)
                Xc = np.asfortranarray(X - xm)
                _, coefs, _ = lasso_path(Xc, y - y.mean(), alphas=lam)
                W = list(coefs.T)
                return W, [float(y.mean() - xm @ w) for w in W]

            sides["sklearn lasso_path (defaults)"] = sk_lasso
        times, outs = {}, {}
        for _ in range(args.rounds):
            for name, fn in sides.items():
                outs[name] = best_of(fn, times, name)
        label = f"{kind} {n}x{p}"
        for name in sides:
            t = min(v[0] for v in times[name])
            cpu = min(v[1] for v in times[name])
            med, mx = score(*outs[name])
            lines.append(f"| {label} | {name} | {npts} | {t:.3f} | {1e3 * t / npts:.2f} | "
                         f"{1e3 * cpu / npts:.2f} | {med:.1e} / {mx:.1e} |")
        print("\n".join(lines[-len(sides):]), flush=True)
    text = "\n".join(lines)
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
