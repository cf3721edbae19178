"""Lasso fit time and peak memory vs n and vs p (issue 17), one process.

* vs n: p = 100, n = 1e3 .. 1e6; vs p: n = 1000, p = 1e2 .. 1e5 (dense, Fortran-ordered X, so
  no copy is expected; ``--order C`` measures the one column-ordered copy of a C-ordered X).
* Lasso at alpha_max / 20, ``tol = 1e-6`` (relative duality gap), through ``Model.map``.
* Time: best of ``--repeat`` fits (BLAS and numba on one thread); peak memory: tracemalloc's
  peak of Python-visible (numpy) allocations during one fit, printed as a multiple of X's size.
* The log-log slope of time against n (or p) is a least-squares fit over the points with
  time >= 5 ms (below that the fixed per-call overhead dominates).

Usage: ``python benchmarks/bench_scaling.py [--repeat 2] [--order F|C] [--max-n 1e6] [--max-p 1e5]``
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import bayesreg as br  # noqa: E402


def one(n, p, repeat, order, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) if order == "C" else np.asfortranarray(
        rng.standard_normal((p, n)).T)
    k = max(5, min(p // 10, 50))
    w = np.zeros(p)
    w[:k] = rng.normal(scale=2.0, size=k)
    y = 1.0 + X @ w + 3.0 * rng.standard_normal(n)
    yc = y - y.mean()
    amax = float(np.abs(X.T @ yc).max())
    model = br.Model(br.Gaussian(sigma=1.0), br.Laplace(20.0 / amax))
    model.map(X[:50], y[:50], tol=1e-3)
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fit = model.map(X, y, tol=1e-6)
        best = min(best, time.perf_counter() - t0)
    tracemalloc.start()
    model.map(X, y, tol=1e-6)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return best, peak / X.nbytes, int(np.count_nonzero(fit.coef)), fit.solver


def slope(xs, ts):
    xs, ts = np.asarray(xs, float), np.asarray(ts, float)
    m = ts >= 5e-3
    if m.sum() < 2:
        return float("nan")
    return float(np.polyfit(np.log10(xs[m]), np.log10(ts[m]), 1)[0])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--order", choices=("F", "C"), default="F")
    ap.add_argument("--max-n", type=float, default=1e6)
    ap.add_argument("--max-p", type=float, default=1e5)
    args = ap.parse_args(argv)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    import numba

    numba.set_num_threads(1)
    lines = []
    for label, grid, shape in (
            ("n", [int(v) for v in np.logspace(3, np.log10(args.max_n), 4)], lambda v: (v, 100)),
            ("p", [int(v) for v in np.logspace(2, np.log10(args.max_p), 4)], lambda v: (1000, v))):
        ts = []
        lines.append(f"\nvs {label} ({args.order}-ordered X)\n\n| n | p | time s | peak / X bytes | "
                     "nnz | solver |\n|---|---|---|---|---|---|")
        for v in grid:
            n, p = shape(v)
            t, peak, nnz, solver = one(n, p, args.repeat, args.order)
            ts.append(t)
            lines.append(f"| {n} | {p} | {t:.4f} | {peak:.3f} | {nnz} | {solver} |")
            print(lines[-1], flush=True)
        lines.append(f"\nlog-log slope of time vs {label}: **{slope(grid, ts):.2f}**")
        print(lines[-1], flush=True)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
