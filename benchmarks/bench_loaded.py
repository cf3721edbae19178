"""bayesreg vs scikit-learn on a quiet and on a loaded machine (issue 17, part A).

Each row is timed, in this one process, in two conditions: *quiet* (nothing started by the
benchmark) and *loaded*: ``--busy`` background processes ``python -c "while True: pass"``
(default 2 = the number of cores of the CI machine) started before the timings and killed after.
BLAS is left at the library's default thread count (what a user gets; ``--blas-threads N`` to
limit it). bayesreg runs twice per round: as shipped (iterative solvers call BLAS on one
thread, :mod:`bayesreg._threads`) and with that limit switched off (``BAYESREG_SERIAL_BLAS=0``:
the behaviour before issue 17), so the table shows the cause and the fix side by side. Rounds
interleave all sides (best of each). Accuracy: bayesreg's ``tol`` is the certificate
scikit-learn achieves (``benchmarks/optimality.py``), as in ``run.py``; both are printed.

Rows: the 300 x 10000 elastic net of the issue (l1_ratio 0.5), a 200 x 5000 lasso path
(100 points, vs ``lasso_path``) and a 1500 x 300 L1-logistic path (71 points; the peer is
``LogisticRegression(l1, liblinear)`` per point, which also penalizes the intercept: a timing
peer, its certificate is printed for its own problem).

Usage: ``python benchmarks/bench_loaded.py [--busy 2] [--rounds 5] [--out FILE]``.
The machine may also be loaded by other jobs: read the ratios (same process, interleaved).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from optimality import enet_gap, glm_kkt  # noqa: E402

import bayesreg as br  # noqa: E402


def _serial(on: bool):
    os.environ["BAYESREG_SERIAL_BLAS"] = "1" if on else "0"


def rows():
    from sklearn.linear_model import ElasticNet, LogisticRegression, lasso_path

    out = []
    # 1. elastic net 300 x 10000
    rng = np.random.default_rng(0)
    n, p = 300, 10000
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[rng.choice(p, 40, replace=False)] = rng.normal(scale=2.0, size=40)
    y = 1.0 + X @ w + 3.0 * rng.standard_normal(n)
    alpha = float(np.abs(X.T @ (y - y.mean())).max()) / n / 20
    est = ElasticNet(alpha=alpha, l1_ratio=0.5, tol=1e-4, max_iter=100_000).fit(X, y)
    l1, l2 = n * alpha * 0.5, n * alpha * 0.5
    tol = max(enet_gap(X, y, est.coef_, est.intercept_, l1, l2), 1e-14)
    model = br.Model.from_sklearn(est, n_samples=n, sigma=1.0)
    model.map(X[:50], y[:50], tol=1e-3)
    out.append(dict(
        name=f"enet 300x10000 (l1_ratio .5, nnz {np.count_nonzero(est.coef_)})",
        sk=lambda: est.fit(X, y), br=lambda: model.map(X, y, tol=tol),
        acc=lambda: (enet_gap(X, y, est.coef_, est.intercept_, l1, l2), tol)))

    # 2. lasso path 200 x 5000 (glmnet's grid, eps 1e-2)
    rng = np.random.default_rng(5200)
    n2, p2 = 200, 5000
    X2 = rng.standard_normal((n2, p2))
    w2 = np.zeros(p2)
    w2[:20] = rng.normal(size=20)
    y2 = 0.5 + X2 @ w2 + rng.standard_normal(n2)
    lam = float(np.abs(X2.T @ (y2 - y2.mean())).max()) / n2 * np.logspace(0, -2, 100)
    xm = X2.mean(axis=0)

    def sk_path():
        return lasso_path(np.asfortranarray(X2 - xm), y2 - y2.mean(), alphas=lam)

    _, coefs, _ = sk_path()
    gaps = [enet_gap(X2, y2, coefs[:, k], float(y2.mean() - xm @ coefs[:, k]), n2 * lam[k], 0.0)
            for k in range(100)]
    tol2 = max(float(np.median(gaps)), 1e-14)
    m2 = br.Model(br.Gaussian(sigma=1.0), br.Laplace(1.0))
    m2.map_path(X2[:50, :20], y2[:50], n_scales=3)
    out.append(dict(name="lasso path 200x5000 (100 points)", sk=sk_path,
                    br=lambda: m2.map_path(X2, y2, scales=1.0 / (n2 * lam), tol=tol2),
                    acc=lambda: (float(np.median(gaps)), tol2)))

    # 3. L1-logistic path 1500 x 300 (71 points)
    rng = np.random.default_rng(1800)
    n3, p3 = 1500, 300
    X3 = rng.standard_normal((n3, p3))
    w3 = np.zeros(p3)
    w3[:20] = rng.normal(size=20)
    y3 = (rng.random(n3) < 1 / (1 + np.exp(-(0.5 + X3 @ w3)))).astype(float)
    lam3 = float(np.abs(X3.T @ (y3 - y3.mean())).max()) / n3 * np.logspace(0, -4, 100)[:71]
    lr = LogisticRegression(penalty="l1", solver="liblinear", tol=1e-4)

    def sk_logit():
        res = []
        for lm in lam3:
            lr.set_params(C=1.0 / (n3 * lm))
            lr.fit(X3, y3)
            res.append((lr.coef_.ravel().copy(), float(lr.intercept_[0])))
        return res

    fits = sk_logit()
    k_sk = [glm_kkt("binomial", X3, y3, wk, bk, n3 * lam3[k], 0.0) for k, (wk, bk) in enumerate(fits)]
    m3 = br.Model(br.Bernoulli(), br.Laplace(1.0))
    m3.map_path(X3[:60, :20], y3[:60], n_scales=3)
    out.append(dict(name="L1-logistic path 1500x300 (71 points)", sk=sk_logit,
                    br=lambda: m3.map_path(X3, y3, scales=1.0 / (n3 * lam3)),
                    acc=lambda: (float(np.median(k_sk)), 1e-6)))
    return out


def measure(row, rounds):
    t = {"sk": [], "br": [], "br_off": []}
    for _ in range(rounds):
        t0 = time.perf_counter()
        row["sk"]()
        t["sk"].append(time.perf_counter() - t0)
        _serial(True)
        t0 = time.perf_counter()
        row["br"]()
        t["br"].append(time.perf_counter() - t0)
        _serial(False)
        t0 = time.perf_counter()
        row["br"]()
        t["br_off"].append(time.perf_counter() - t0)
        _serial(True)
    return {k: min(v) for k, v in t.items()}


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--busy", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--blas-threads", type=int, default=0, help="0: the library default")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    warnings.filterwarnings("ignore")
    if args.blas_threads > 0:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.blas_threads)
    from threadpoolctl import threadpool_info

    blas = sorted({(i["internal_api"], i["num_threads"]) for i in threadpool_info()
                   if i["user_api"] == "blas"})
    load0 = os.getloadavg()[0]
    results = []
    for row in rows():
        quiet = measure(row, args.rounds)
        procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                 for _ in range(args.busy)]
        try:
            time.sleep(0.3)
            loaded = measure(row, args.rounds)
        finally:
            for pr in procs:
                pr.kill()
                pr.wait()
        acc = row["acc"]()
        results.append((row["name"], quiet, loaded, acc))
        print(row["name"], quiet, loaded, flush=True)
    lines = [f"BLAS: {blas} (library default unless --blas-threads); busy processes: {args.busy}; "
             f"best of {args.rounds} interleaved rounds; load average at start {load0:.1f} "
             "(other jobs on the machine)", "",
             "| row | condition | sklearn s | bayesreg s | ratio | bayesreg, serial BLAS off s "
             "| ratio (off) | peer / bayesreg tol |", "|---|---|---|---|---|---|---|---|"]
    for name, q, ld, acc in results:
        for cond, t in (("quiet", q), (f"loaded ({args.busy} busy)", ld)):
            lines.append(f"| {name} | {cond} | {t['sk']:.3f} | {t['br']:.3f} | "
                         f"**{t['br'] / t['sk']:.2f}** | {t['br_off']:.3f} | "
                         f"{t['br_off'] / t['sk']:.2f} | {acc[0]:.1e} / {acc[1]:.1e} |")
    text = "\n".join(lines)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")


if __name__ == "__main__":
    main()
