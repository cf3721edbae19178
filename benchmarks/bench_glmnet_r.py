"""bayesreg ``map_path`` vs R glmnet full paths, each library at its defaults and at equal accuracy.

Issue 17 (by hand: needs ``Rscript`` with glmnet; never run in CI). Rows: gaussian tall
2000 x 1000, gaussian wide 200 x 5000, binomial 1500 x 300, poisson 2000 x 200 (the data of
``glmnet_compare.py`` / ``bench_glm_path.py``).

* R side (``bench_glmnet_r.R``): ``glmnet(X, y, family, standardize = FALSE)`` at its defaults
  (its own 100-lambda grid, ``thresh = 1e-7``, its early stop on the deviance ratio). The
  lambdas it returned are the grid of both sides.
* bayesreg: ``Model(lik, Laplace(1)).map_path(X, y, scales=1 / (n * lambda))`` (glmnet's
  ``lambda`` is the Laplace scale ``1 / (n lambda)``, README / conversions; Gaussian with
  ``sigma = 1``), (a) at its default ``tol`` and (b) at equal accuracy: the loosest ``tol`` of a
  ladder whose median suboptimality is <= glmnet's.
* Accuracy: suboptimality ``(F - F*) / |F*|`` of glmnet's own objective on the n-sum scale
  (``benchmarks/optimality.py``: ``enet_objective`` / ``glm_objective``), ``F*`` per point the
  lowest value of a tight bayesreg reference path (``tol=1e-10``), glmnet's and every bayesreg
  path computed (so it is >= 0); median / max over the points.
* Timing: each side in its own process (interpreter / R start excluded), one warm-up fit of the
  full path, then ``REPS`` timed fits (wall clock) of which the process reports its best;
  processes alternate R, bayesreg (default), bayesreg (equal accuracy), R, ... over
  ``--rounds`` rounds; min and median over the rounds. BLAS on one thread on both sides.

Usage: ``python benchmarks/bench_glmnet_r.py [--rounds 5] [--rows binomial,...] [--out FILE]``
(environment ``BENCH_SRC=DIR``: import bayesreg from that checkout, for before / after runs).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REPS = 3
TOL_LADDER = (1e-2, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5, 3e-6, 1e-6, 3e-7, 1e-7, 3e-8, 1e-8)
#: name -> (family, n, p, number of leading lambdas of glmnet's grid; None: glmnet's defaults)
CASES = {"gaussian-tall": ("gaussian", 2000, 1000, None),
         "gaussian-wide": ("gaussian", 200, 5000, None),
         "binomial": ("binomial", 1500, 300, None),
         "binomial-71": ("binomial", 1500, 300, 71),
         "poisson": ("poisson", 2000, 200, None)}
ENV1 = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def make(kind, n, p, seed):
    """glmnet_compare.py's data (20 true non-zeros); Poisson as bench_glm_path.py."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    k = min(20, p // 10)
    w[:k] = rng.normal(scale=1.0, size=k)
    eta = 0.5 + X @ w
    if kind == "gaussian":
        y = eta + rng.standard_normal(n)
    elif kind == "poisson":
        y = rng.poisson(np.exp(0.2 + X @ (0.3 * w))).astype(float)
    else:
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    return X, y


def _model(fam):
    sys.path.insert(0, os.environ.get("BENCH_SRC", str(ROOT)))
    import bayesreg as br

    lik = {"gaussian": br.Gaussian(sigma=1.0), "binomial": br.Bernoulli(),
           "poisson": br.Poisson()}[fam]
    return br.Model(lik, br.Laplace(1.0))


def _load(d, n, p):
    X = np.fromfile(d / "X.bin").reshape(p, n).T  # column-major on disk: a Fortran view
    return X, np.fromfile(d / "y.bin"), np.fromfile(d / "r_lambda.bin")


def worker(d, fam, n, p, tol, reps):
    """One bayesreg process: warm-up, ``reps`` timed paths; prints the times as JSON."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    d = Path(d)
    X, y, lam = _load(d, n, p)
    X = np.ascontiguousarray(X)  # as a user's array arrives (C order)
    model = _model(fam)
    scales = 1.0 / (n * lam)
    kw = {} if tol is None else {"tol": tol}
    model.map_path(X, y, scales=scales, **kw)  # warm-up
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        path = model.map_path(X, y, scales=scales, **kw)
        times.append(time.perf_counter() - t0)
    tag = "default" if tol is None else f"{tol:g}"
    np.save(d / f"py_coef_{tag}.npy", np.array([np.r_[r.intercept, r.coef] for r in path.results]))
    print(json.dumps({"times": times, "converged": all(r.converged for r in path.results)}))


def _objective(fam, X, y, n, lam, wb):
    sys.path.insert(0, str(HERE))
    from optimality import enet_objective, glm_objective

    if fam == "gaussian":
        return np.array([enet_objective(X, y, wb[k, 1:], wb[k, 0], n * lam[k], 0.0)
                         for k in range(len(lam))])
    return np.array([glm_objective(fam, X, y, wb[k, 1:], wb[k, 0], n * lam[k], 0.0)
                     for k in range(len(lam))])


def run_r(d, fam, n, p, reps=REPS, nlam=None):
    extra = [] if nlam is None else [str(d / "lam_prefix.bin"), str(nlam)]
    out = subprocess.run(["Rscript", str(HERE / "bench_glmnet_r.R"), str(d), str(n), str(p), fam,
                          str(reps), *extra], capture_output=True, text=True, check=True, env=ENV1)
    v = out.stdout.split()
    return int(v[0]), [float(t) for t in v[1:]]


def run_py(d, fam, n, p, tol, reps=REPS):
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", str(d), fam, str(n), str(p),
           "none" if tol is None else repr(tol), str(reps)]
    src = os.environ.get("BENCH_SRC", str(ROOT))
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=ENV1, cwd=src)
    return json.loads(out.stdout.strip().splitlines()[-1])


def case(name, rounds, d):
    fam, n, p, prefix = CASES[name]
    X, y = make(fam, n, p, seed=n + p)
    np.asfortranarray(X).T.tofile(d / "X.bin")
    y.tofile(d / "y.bin")
    nlam, t1 = run_r(d, fam, n, p, reps=1)  # the grid glmnet chose (and its coefficients)
    reps = REPS if t1[0] < 2.0 else 1  # a slow path: one timed fit per process
    if prefix is not None:  # the first `prefix` lambdas of that grid, given to both sides
        np.fromfile(d / "r_lambda.bin")[:prefix].tofile(d / "lam_prefix.bin")
        nlam, t1 = run_r(d, fam, n, p, reps=1, nlam=prefix)
        reps = REPS if t1[0] < 2.0 else 1
    lam = np.fromfile(d / "r_lambda.bin")
    B_r = np.fromfile(d / "r_coef.bin").reshape(nlam, p + 1)
    model = _model(fam)
    scales = 1.0 / (n * lam)

    def fit(tol):
        path = model.map_path(X, y, scales=scales, tol=tol)
        return np.array([np.r_[r.intercept, r.coef] for r in path.results]), path

    ref, ref_path = fit(1e-10)
    F = {"ref": _objective(fam, X, y, n, lam, ref), "glmnet": _objective(fam, X, y, n, lam, B_r)}
    F[None] = _objective(fam, X, y, n, lam, fit(1e-6)[0])  # the default tol

    def sub(v):  # against the lowest value found so far (the reference is tight: it stays)
        Fstar = np.min(np.vstack(list(F.values())), axis=0)
        return np.maximum(v - Fstar, 0.0) / np.abs(Fstar)

    # equal accuracy: the loosest tol of the ladder whose median AND max suboptimality are at
    # most glmnet's (loose to tight; stop at the first)
    tol_eq = TOL_LADDER[-1]
    for tol in TOL_LADDER:
        F[tol] = _objective(fam, X, y, n, lam, fit(tol)[0])
        s_t, s_r = sub(F[tol]), sub(F["glmnet"])
        if np.median(s_t) <= np.median(s_r) and s_t.max() <= s_r.max():
            tol_eq = tol
            break
    s_r, s_def, s_eq = sub(F["glmnet"]), sub(F[None]), sub(F[tol_eq])
    t_r, t_def, t_eq, conv = [], [], [], []
    for _ in range(rounds):
        t_r.append(min(run_r(d, fam, n, p, reps, nlam=prefix)[1]))
        o = run_py(d, fam, n, p, None, reps)
        t_def.append(min(o["times"]))
        conv.append(o["converged"])
        o = run_py(d, fam, n, p, tol_eq, reps)
        t_eq.append(min(o["times"]))

    def mm(t):
        return f"{min(t):.3f} / {np.median(t):.3f}"

    def acc(s):
        return f"{np.median(s):.1e} / {s.max():.1e}"

    rows = [f"| {name} {n}x{p} | {nlam} | {mm(t_r)} | {acc(s_r)} | default (1e-6) | {mm(t_def)} | "
            f"{acc(s_def)} | **{min(t_def) / min(t_r):.2f} / {np.median(t_def) / np.median(t_r):.2f}**"
            f" |",
            f"| {name} {n}x{p} | {nlam} | {mm(t_r)} | {acc(s_r)} | equal ({tol_eq:g}) | {mm(t_eq)} | "
            f"{acc(s_eq)} | **{min(t_eq) / min(t_r):.2f} / {np.median(t_eq) / np.median(t_r):.2f}**"
            f" |"]
    info = (f"{name}: glmnet {nlam} lambdas; bayesreg defaults converged on every point in every "
            f"round: {all(conv)}; reference tol 1e-10 converged: "
            f"{all(r.converged for r in ref_path.results)}; ms per point (min) glmnet "
            f"{1e3 * min(t_r) / nlam:.2f}, bayesreg default {1e3 * min(t_def) / nlam:.2f}, "
            f"equal {1e3 * min(t_eq) / nlam:.2f}")
    return rows, info


HEADER = ["| path | lambdas | glmnet s (min / median) | glmnet subopt (median / max) | bayesreg tol | "
          "bayesreg s (min / median) | bayesreg subopt (median / max) | **ratio (min / median)** |",
          "|---|---|---|---|---|---|---|---|"]


def main(argv=None):
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--worker":
        d, fam, n, p, tol, reps = sys.argv[2:8]
        worker(d, fam, int(n), int(p), None if tol == "none" else float(tol), int(reps))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--rows", default=",".join(CASES))
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    load0 = os.getloadavg()[0]
    lines, infos = list(HEADER), []
    for name in args.rows.split(","):
        with tempfile.TemporaryDirectory() as d:
            rows, info = case(name, args.rounds, Path(d))
        lines += rows
        infos.append(info)
        print("\n".join(rows), "\n" + info, flush=True)
    text = "\n".join(lines) + "\n\n" + "\n".join(f"* {i}" for i in infos)
    load1 = os.getloadavg()[0]
    print(text)
    if args.out:
        now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        rv = subprocess.run(["Rscript", "-e", "cat(R.version.string, 'glmnet', as.character("
                             "packageVersion('glmnet')))"], capture_output=True, text=True).stdout
        Path(args.out).write_text(
            f"# bayesreg map_path vs R glmnet, full paths\n\nDate: {now}  \nR: {rv}  \n"
            f"Command: `python benchmarks/bench_glmnet_r.py --rounds {args.rounds}`; load average "
            f"{load0:.1f} at start, {load1:.1f} at the end\n\n{__doc__.split('Usage:')[0]}\n{text}\n")


if __name__ == "__main__":
    main()
