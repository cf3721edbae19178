"""bayesreg ``select_scale(methods=("cv",), convention="glmnet")`` against R's ``cv.glmnet``
(by hand: needs ``Rscript`` with glmnet; never run in CI).

Semantics (``--semantics``): for gaussian, binomial and poisson (Laplace prior / lasso), the
data, a ``foldid`` and a 100-point lambda grid are written to disk; R runs
``cv.glmnet(x, y, family, foldid=, lambda=, standardize=FALSE, thresh=1e-14)``
(``benchmarks/bench_cv_glmnet_r.R``) and Python runs ``model.select_scale(X, y,
methods=("cv",), convention="glmnet", foldid=foldid, scales=1 / (n lambda), tol=1e-12)``
(glmnet's ``-(1/n) loglik + lambda |w|_1`` is the Laplace prior of scale ``1 / (n lambda)``,
Gaussian sigma = 1). Printed: ``max |cvm diff| / max |cvm|``, ``max |cvsd diff| / cvsd``
(relative), and whether ``lambda.min`` / ``lambda.1se`` are the grid points of ``scale_min`` /
``scale_1se``.

Timing (``--timing``): 10-fold CV of the 100-point path, each side in its own process after a
warm-up call, processes alternating R, py, R, py, ... (``--rounds``, ``--reps`` timed calls per
process); min and median of each. Two settings: each library at its defaults (glmnet
``thresh = 1e-7``, bayesreg ``tol = 1e-6``), and at equal accuracy (bayesreg's ``tol`` = the
median relative certificate glmnet's full-data path achieves at its default ``thresh``:
duality gap for gaussian, KKT violation for binomial / poisson, as in
``benchmarks/glmnet_compare.py``; the table prints both sides' achieved medians on the
full-data path). BLAS on one thread on the Python side.

    python benchmarks/bench_cv_glmnet_r.py [--semantics] [--timing] [--rounds 2] [--reps 3]
                                           [--out benchmarks/RESULTS_cv_glmnet_r.md]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

R_FILE = HERE / "bench_cv_glmnet_r.R"


def make(fam, n, p, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[:10] = rng.normal(scale=0.5, size=10)
    eta = 0.3 + X @ w
    if fam == "gaussian":
        y = eta + rng.standard_normal(n)
    elif fam == "binomial":
        y = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(float)
    else:
        y = rng.poisson(np.exp(0.5 * eta)).astype(float)
    foldid = rng.permutation(np.resize(np.arange(1, 11), n))
    return X, y, foldid


def lambda_grid(fam, X, y, n_lambda=100, eps=1e-3):
    """glmnet's grid: lambda_max (all-zero) down to eps * lambda_max, log-spaced."""
    n = X.shape[0]
    if fam == "gaussian":
        g = y - y.mean()
    elif fam == "binomial":
        g = y - y.mean()
    else:
        g = y - y.mean()  # poisson: d/deta at the intercept-only fit exp(eta0) = ybar
    lmax = float(np.abs((X - X.mean(0)).T @ g).max()) / n
    return lmax * np.logspace(0, np.log10(eps), n_lambda)


def model_for(fam):
    import bayesreg as br

    lik = {"gaussian": br.Gaussian(1.0), "binomial": br.Bernoulli(), "poisson": br.Poisson()}[fam]
    return br.Model(lik, br.Laplace(1.0))


def write(d: Path, X, y, foldid, lam):
    np.asfortranarray(X).T.tofile(d / "X.bin")  # column-major for R
    y.tofile(d / "y.bin")
    foldid.astype(float).tofile(d / "foldid.bin")
    lam.tofile(d / "lam.bin")


def run_r(mode, d, fam, n, p, thresh, reps=0):
    out = subprocess.run(["Rscript", str(R_FILE), mode, str(d), fam, str(n), str(p), repr(thresh),
                          str(reps)], capture_output=True, text=True, check=True)
    return [float(t) for t in out.stdout.split()]


def semantics(fam, n, p, d, weighted=False):
    X, y, foldid = make(fam, n, p, seed={"gaussian": 1, "binomial": 2, "poisson": 3}[fam])
    lam = lambda_grid(fam, X, y)
    write(d, X, y, foldid, lam)
    sw = None
    if weighted:  # glmnet rescales weights to sum to n: lambda stays per unit weight
        sw = np.random.default_rng(7).uniform(0.2, 3.0, n)
        sw *= n / sw.sum()
        sw.tofile(d / "weights.bin")
    run_r("semantics", d, fam, n, p, 1e-14)
    (d / "weights.bin").unlink(missing_ok=True)
    cvm_r, cvsd_r = np.fromfile(d / "cvm.bin"), np.fromfile(d / "cvsd.bin")
    i_min_r, i_1se_r, lmin, l1se = np.fromfile(d / "opt.bin")
    sel = model_for(fam).select_scale(X, y, methods=("cv",), convention="glmnet", foldid=foldid,
                                      scales=1.0 / (n * lam), tol=1e-12, sample_weight=sw)
    # the grid runs from the smallest scale (largest lambda), as glmnet's lambda sequence
    d_cvm = float(np.max(np.abs(sel.cv_mean - cvm_r)) / np.max(np.abs(cvm_r)))
    d_cvsd = float(np.max(np.abs(sel.cv_se - cvsd_r) / cvsd_r))
    same_min = sel.index_min == int(i_min_r) - 1
    same_1se = sel.index_1se == int(i_1se_r) - 1
    same_scale = (np.isclose(sel.scale_min, 1 / (n * lmin), rtol=1e-12)
                  and np.isclose(sel.scale_1se, 1 / (n * l1se), rtol=1e-12))
    label = fam + (" (weights)" if weighted else "")
    return (f"| {label} | {n}x{p} | {d_cvm:.1e} | {d_cvsd:.1e} | {same_min} ({int(i_min_r)}) | "
            f"{same_1se} ({int(i_1se_r)}) | {same_scale} |")


def py_worker(argv):
    """``--worker DIR FAM N P TOL REPS``: timed select_scale calls in this process."""
    from threadpoolctl import threadpool_limits

    d, fam, n, p, tol, reps = Path(argv[0]), argv[1], int(argv[2]), int(argv[3]), \
        float(argv[4]), int(argv[5])
    X = np.fromfile(d / "X.bin").reshape(p, n).T
    y = np.fromfile(d / "y.bin")
    foldid = np.fromfile(d / "foldid.bin").astype(int)
    lam = np.fromfile(d / "lam.bin")
    model = model_for(fam)
    scales = 1.0 / (n * lam)

    def run():
        return model.select_scale(X, y, methods=("cv",), convention="glmnet", foldid=foldid,
                                  scales=scales, tol=tol)

    with threadpool_limits(1):
        run()
        for _ in range(reps):
            t = time.perf_counter()
            run()
            print(time.perf_counter() - t)


def achieved(fam, X, y, lam, d=None, tol=None):
    """Median relative certificate of glmnet's full-data path (written by the semantics run),
    or, with ``tol``, of bayesreg's ``map_path`` at that tolerance (the same function)."""
    from optimality import enet_gap, glm_kkt

    n, p = X.shape
    if tol is None:
        B = np.fromfile(d / "coef.bin").reshape(lam.size, p + 1)
    else:
        path = model_for(fam).map_path(X, y, scales=1.0 / (n * lam), tol=tol)
        B = np.column_stack([path.intercepts, path.coefs])
    if fam == "gaussian":
        opt = [enet_gap(X, y, B[k, 1:], B[k, 0], n * lam[k], 0.0) for k in range(lam.size)]
    else:
        opt = [glm_kkt(fam, X, y, B[k, 1:], B[k, 0], n * lam[k], 0.0) for k in range(lam.size)]
    return float(np.median(opt))


def timing(fam, n, p, d, rounds, reps):
    X, y, foldid = make(fam, n, p, seed=10)
    lam = lambda_grid(fam, X, y)
    write(d, X, y, foldid, lam)
    run_r("semantics", d, fam, n, p, 1e-7)  # glmnet's default thresh: its achieved accuracy
    acc_r = achieved(fam, X, y, lam, d)
    tol_eq = max(acc_r, 1e-14)
    rows = []
    for label, thresh, tol in (("defaults", 1e-7, 1e-6), ("equal accuracy", 1e-7, tol_eq)):
        acc_b = achieved(fam, X, y, lam, tol=tol)
        t_r, t_py = [], []
        for _ in range(rounds):
            t_r += run_r("timing", d, fam, n, p, thresh, reps)
            out = subprocess.run([sys.executable, __file__, "--worker", str(d), fam, str(n),
                                  str(p), repr(tol), str(reps)], capture_output=True, text=True,
                                 check=True, cwd=HERE.parent)
            t_py += [float(t) for t in out.stdout.split()]
        rows.append(f"| {fam} {n}x{p} | {label} | {thresh:g} | {tol:.1e} | {acc_r:.1e} / "
                    f"{acc_b:.1e} | {min(t_r):.3f} / "
                    f"{np.median(t_r):.3f} | {min(t_py):.3f} / {np.median(t_py):.3f} | "
                    f"**{min(t_py) / min(t_r):.2f}** / {np.median(t_py) / np.median(t_r):.2f} |")
        print(rows[-1], flush=True)
    return rows


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "--worker":
        return py_worker(argv[1:])
    ap = argparse.ArgumentParser()
    ap.add_argument("--semantics", action="store_true")
    ap.add_argument("--timing", action="store_true")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--out", default=None)
    a = ap.parse_args(argv)
    if not (a.semantics or a.timing):
        a.semantics = a.timing = True
    text = []
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        if a.semantics:
            head = ["| family | n x p | max abs cvm diff / max cvm | max rel cvsd diff | "
                    "lambda.min same (R index) | lambda.1se same (R index) | scales = 1/(n lambda) |",
                    "|---|---|---|---|---|---|---|"]
            print("\n".join(head))
            lines = []
            for fam, wt in (("gaussian", False), ("binomial", False), ("poisson", False),
                            ("gaussian", True), ("binomial", True), ("poisson", True)):
                lines.append(semantics(fam, 500, 30, d, wt))
                print(lines[-1], flush=True)
            text += ["## Semantics (tight tolerances both sides)", ""] + head + lines + [""]
        if a.timing:
            head = ["| data | setting | glmnet thresh | bayesreg tol | achieved glmnet / bayesreg "
                    "| cv.glmnet s (min / median) | bayesreg s (min / median) | ratio (min / median) |",
                    "|---|---|---|---|---|---|---|---|"]
            print("\n".join(head))
            lines = []
            for fam, n, p in (("gaussian", 5000, 50), ("binomial", 2000, 50),
                              ("poisson", 2000, 50)):
                lines += timing(fam, n, p, d, a.rounds, a.reps)
            text += ["## Timing: 10-fold CV of a 100-point lasso path", ""] + head + lines + [""]
    if a.out:
        Path(a.out).write_text("\n".join(text) + "\n")


if __name__ == "__main__":
    main()
