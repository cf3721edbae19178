"""bayesreg vs the fastest GLM peers (scikit-learn, skglm, celer, glum): logistic and Poisson, one process.

Objective on every side (glmnet's scale, ``lam`` per sample)::

    1/n sum_i loss(y_i, b + x_i w) + lam |w|_1          (L1)
    1/n sum_i loss(y_i, b + x_i w) + lam/2 ||w||^2      (L2)

with the intercept ``b`` unpenalized everywhere (loss: logistic, or Poisson ``exp(eta) - y eta``).
Conversions (docs/guide/conversions.md): bayesreg ``Laplace(1/(n lam))`` / ``Normal(sqrt(1/(n
lam)))``; scikit-learn ``C = 1/(n lam)``; skglm / glum ``alpha = lam``; celer ``C = 1/(n lam)``.
scikit-learn's saga / lbfgs, skglm's ``fit_intercept=True``, celer's ``fit_intercept=True`` and
glum leave the intercept unpenalized (liblinear would penalize it and is not used).

Protocol for every row (that of ``bench_peers.py``)
---------------------------------------------------
1. Each peer fits once at its defaults (its own ``tol``; iteration caps raised so that the
   tolerance, not the cap, stops it). Its achieved accuracy is the relative KKT violation
   ``max(max_j dist(-dF/dw_j, l1 d|w_j|), |dF/db|) / max_j |x_j'(mu_null - y)|`` of
   ``benchmarks/optimality.py`` (``glm_kkt``, n-sum scale, independent of every solver); paths
   are scored point by point (median / max printed).
2. bayesreg gets **that peer's achieved KKT** as its ``tol`` (paths: the peer's median), fits
   through the public API and is scored by the same function: the "equal accuracy" ratio.
   bayesreg also fits at its own default ``tol`` (1e-6): the "defaults" ratio (each library at
   its defaults; both accuracies printed).
3. Interleaved rounds (bayesreg at every tolerance, then every peer within 10x of the fastest
   peer), best of ``--repeat``; BLAS on one thread everywhere (threadpoolctl), numba 1 thread.
   Ratio = bayesreg seconds / peer seconds (< 1: bayesreg faster).

Usage: ``python benchmarks/bench_glm_peers.py [--quick] [--repeat 3] [--only logistic ...]
[--out FILE]`` (needs the ``bench`` extra).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from optimality import glm_kkt  # noqa: E402

import bayesreg as br  # noqa: E402

warnings.filterwarnings("ignore")

TOL_FLOOR = 1e-14
NO_ICPT = "(no intercept, both sides) "
SLOW = 10.0  # peers slower than SLOW x the fastest peer are timed once
SEEDS = {("binomial", "dense"): 170, ("binomial", "sparse"): 171, ("poisson", "dense"): 172,
         ("poisson", "sparse"): 173}


# ----------------------------------------------------------------------------- data
def make_X(n, p, density, rng):
    if density is None:
        return rng.standard_normal((n, p))
    nnz = int(round(density * n * p))
    X = sp.csc_matrix((rng.standard_normal(nnz), (rng.integers(0, n, nnz), rng.integers(0, p, nnz))),
                      shape=(n, p))
    X.sum_duplicates()
    return X


def make(fam, n, p, density=None, seed=0):
    rng = np.random.default_rng(seed)
    X = make_X(n, p, density, rng)
    k = max(5, p // 20)
    w = np.zeros(p)
    scale = (0.5 if fam == "binomial" else 0.15) * (1.0 if density is None else 3.0)
    w[rng.choice(p, k, replace=False)] = rng.normal(scale=scale, size=k)
    eta = np.asarray(X @ w).ravel()
    if fam == "binomial":
        y = (rng.random(n) < 1 / (1 + np.exp(-(0.3 + eta)))).astype(float)
    else:
        y = rng.poisson(np.exp(0.5 + eta)).astype(float)
    return X, y


def lam_max(X, y):
    """The smallest lam with w = 0 (L1), per-sample scale: max_j |x_j'(y - ybar)| / n."""
    return float(np.abs(np.asarray(X.T @ (y - y.mean())).ravel()).max()) / X.shape[0]


# ----------------------------------------------------------------------------- peers
def _wb(est):
    b = np.ravel(getattr(est, "intercept_", 0.0))
    return np.ravel(est.coef_).copy(), float(b[0]) if b.size else 0.0


def peer_estimators(fam, pen, lam, n):
    """name -> (make unfitted estimator at lam, y transform, note)."""
    out = {}
    C = 1.0 / (n * lam)
    if fam == "binomial":
        from sklearn.linear_model import LogisticRegression

        if pen == "l1":
            out["sklearn saga"] = (lambda lam: LogisticRegression(
                C=1.0 / (n * lam), l1_ratio=1.0, solver="saga", max_iter=100_000), None)
        else:
            out["sklearn lbfgs"] = (lambda lam: LogisticRegression(
                C=1.0 / (n * lam), l1_ratio=0.0, max_iter=100_000), None)
    elif pen == "l2":
        from sklearn.linear_model import PoissonRegressor

        out["sklearn lbfgs"] = (lambda lam: PoissonRegressor(alpha=lam, max_iter=100_000), None)
    try:
        import skglm
        from skglm import datafits, penalties, solvers

        if fam == "binomial" and pen == "l1":
            out["skglm"] = (lambda lam: skglm.SparseLogisticRegression(alpha=lam, fit_intercept=True,
                                                                      max_iter=100), None)
        else:
            df = datafits.Logistic if fam == "binomial" else datafits.Poisson
            # skglm's L2 has no prox_1d (ProxNewton refuses it): L1_plus_L2(lam, l1_ratio=0) is
            # the same penalty lam/2 ||w||^2
            pn = penalties.L1 if pen == "l1" else (lambda a: penalties.L1_plus_L2(a, l1_ratio=0.0))
            out["skglm ProxNewton"] = (lambda lam: skglm.GeneralizedLinearEstimator(
                df(), pn(lam), solvers.ProxNewton(fit_intercept=True, max_iter=100)),
                (lambda y: 2 * y - 1) if fam == "binomial" else None)
    except ImportError:
        pass
    if fam == "binomial" and pen == "l1":
        try:
            import celer

            # celer 0.7.4: "Fitting an intercept is not implement yet" for LogisticRegression,
            # so its row is the no-intercept problem on both sides (marked in the table)
            out[NO_ICPT + "celer"] = (lambda lam: celer.LogisticRegression(C=1.0 / (n * lam),
                                                                           fit_intercept=False),
                                      None)
        except ImportError:
            pass
    try:
        from glum import GeneralizedLinearRegressor

        out["glum"] = (lambda lam: GeneralizedLinearRegressor(
            family=fam, alpha=lam, l1_ratio=1.0 if pen == "l1" else 0.0, fit_intercept=True), None)
    except ImportError:
        pass
    del C
    return out


def bayesreg_model(fam, pen, lam, n, fit_intercept=True):
    lik = br.Bernoulli() if fam == "binomial" else br.Poisson()
    prior = br.Laplace(1.0 / (n * lam)) if pen == "l1" else br.Normal(np.sqrt(1.0 / (n * lam)))
    return br.Model(lik, prior, fit_intercept=fit_intercept)


# ----------------------------------------------------------------------------- timing
def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def measure(sides, br_fit, score, repeat):
    """sides: peer name -> fn() -> (W, B); br_fit(tol or None) -> (W, B); score -> (med, max)."""
    times, acc = {}, {}
    br_fit(None)  # warm-up on the full data (kernels for this shape / sparsity)
    for k, fn in sides.items():
        t, out = _timed(fn)
        times[k], acc[k] = [t], score(*out)
    tols = sorted({max(a[0], TOL_FLOOR) for a in acc.values()}) + [None]
    t_br, br_acc = {t: [] for t in tols}, {}
    fastest = min(min(v) for v in times.values()) if times else 0.0
    for _ in range(repeat):
        for tol in tols:
            t, out = _timed(lambda tol=tol: br_fit(tol))
            t_br[tol].append(t)
            br_acc[tol] = score(*out)
        for k, fn in sides.items():
            if len(times[k]) < repeat and min(times[k]) <= SLOW * fastest:
                times[k].append(_timed(fn)[0])
    cells = {}
    for k in sides:
        tol = max(acc[k][0], TOL_FLOOR)
        tp = min(times[k])
        cells[k] = dict(t=tp, acc=acc[k], t_eq=min(t_br[tol]), acc_eq=br_acc[tol],
                        t_def=min(t_br[None]), acc_def=br_acc[None],
                        eq=min(t_br[tol]) / tp, dflt=min(t_br[None]) / tp, n_t=len(times[k]))
    return cells


def _skipped(X, path, all_peers):
    """Peers left out of sparse rows unless --all-peers (first trial, 20000 x 5000, d = 1e-3,
    lmax/20: scikit-learn's saga 80 s per L1-logistic fit against 0.02 s for skglm and bayesreg;
    glum's sparse paths are minutes)."""
    if all_peers or not sp.issparse(X):
        return ()
    return ("sklearn saga", "glum") if path else ("sklearn saga",)


def single_row(name, fam, pen, X, y, lam, repeat, all_peers=False):
    n = X.shape[0]
    l1, l2 = (n * lam, 0.0) if pen == "l1" else (0.0, n * lam)
    skip = _skipped(X, False, all_peers)
    ests = {k: v for k, v in peer_estimators(fam, pen, lam, n).items() if k not in skip}
    sides = {}
    for k, (mk, ytf) in ests.items():
        yy = y if ytf is None else ytf(y)
        mk(lam).fit(X[:300], yy[:300])  # warm-up: numba compilation / imports

        def fit(mk=mk, yy=yy):
            est = mk(lam).fit(X, yy)
            return _wb(est)
        sides[k] = fit
    cells = {}
    for icpt in (True, False):
        group = {k: v for k, v in sides.items() if k.startswith(NO_ICPT) != icpt}
        if not group:
            continue
        model = bayesreg_model(fam, pen, lam, n, fit_intercept=icpt)
        model.map(X[:300], y[:300], tol=1e-4)

        def br_fit(tol, model=model):
            f = model.map(X, y) if tol is None else model.map(X, y, tol=tol)
            return f.coef, f.intercept

        def score(w, b, icpt=icpt):
            k = glm_kkt(fam, X, y, w, b, l1, l2, fit_intercept=icpt)
            return k, k

        cells.update(measure(group, br_fit, score, repeat))
        if icpt:
            w, b = br_fit(None)
    return dict(row=name, cells=cells, nnz=int(np.count_nonzero(w)))


def path_row(name, fam, pen, X, y, lams, repeat, all_peers=False):
    n = X.shape[0]
    skip = _skipped(X, True, all_peers)
    ests = {k: v for k, v in peer_estimators(fam, pen, lams[0], n).items() if k not in skip}
    sides = {}
    for k, (mk, ytf) in ests.items():
        if k.startswith(NO_ICPT):
            continue  # celer: no intercept, left out of the paths
        yy = y if ytf is None else ytf(y)
        if k == "glum":
            from glum import GeneralizedLinearRegressor

            def fit(yy=yy):
                est = GeneralizedLinearRegressor(family=fam, alpha_search=True, alphas=lams,
                                                 l1_ratio=1.0 if pen == "l1" else 0.0,
                                                 fit_intercept=True).fit(X, yy)
                return list(est.coef_path_), list(np.ravel(est.intercept_path_))
        else:
            def fit(mk=mk, yy=yy):
                W, B = [], []
                est = mk(lams[0])
                if hasattr(est, "solver") and hasattr(est.solver, "warm_start"):
                    est.solver.warm_start = True  # skglm GeneralizedLinearEstimator
                else:
                    est.set_params(warm_start=True)
                for lm in lams:
                    if hasattr(est, "penalty") and hasattr(est.penalty, "alpha"):
                        est.penalty.alpha = lm
                    elif "C" in est.get_params():
                        est.set_params(C=1.0 / (n * lm))
                    else:
                        est.set_params(alpha=lm)
                    est.fit(X, yy)
                    w, b = _wb(est)
                    W.append(w)
                    B.append(b)
                return W, B
        mk(lams[0]).fit(X[:300], yy[:300])
        sides[k] = fit
    lik = br.Bernoulli() if fam == "binomial" else br.Poisson()
    prior = br.Laplace(1.0) if pen == "l1" else br.Normal(1.0)
    model = br.Model(lik, prior)
    scales = 1.0 / (n * lams) if pen == "l1" else np.sqrt(1.0 / (n * lams))
    model.map_path(X[:300], y[:300], n_scales=3)

    def br_fit(tol):
        path = (model.map_path(X, y, scales=scales) if tol is None
                else model.map_path(X, y, scales=scales, tol=tol))
        order = np.argsort(path.scales, kind="stable")  # small scale (large lam) first, as lams
        return [path.results[i].coef for i in order], [path.results[i].intercept for i in order]

    def score(W, B):
        v = [glm_kkt(fam, X, y, W[i], B[i], *((n * lm, 0.0) if pen == "l1" else (0.0, n * lm)))
             for i, lm in enumerate(lams)]
        return float(np.median(v)), float(np.max(v))

    cells = measure(sides, br_fit, score, repeat)
    W, _ = br_fit(None)
    return dict(row=name, cells=cells, nnz=int(np.count_nonzero(W[-1])))


# ----------------------------------------------------------------------------- table
def build_rows(only, repeat, quick, all_peers=False):
    rows = []

    def want(key):
        return only is None or any(o in key for o in only)

    dense = (2000, 200) if quick else (5000, 500)
    sparse = (5000, 2000) if quick else (20000, 5000)
    fracs = (20,) if quick else (20, 100)
    for fam, fname in (("binomial", "logistic"), ("poisson", "Poisson")):
        for kind, (n, p), dens in (("dense", dense, None), ("sparse", sparse, 1e-3)):
            X, y = make(fam, n, p, dens, seed=SEEDS[fam, kind])  # fixed: hash() of str is salted per process
            lmax = lam_max(X, y)
            shape = f"{n}x{p}" + ("" if dens is None else " d=1e-3")
            for pen in ("l1", "l2"):
                for frac in fracs:
                    key = f"{fname}/{kind}/{pen}/{frac}"
                    if want(key):
                        nm = f"{pen.upper()}-{fname} {kind} {shape} lmax/{frac}"
                        rows.append(lambda fam=fam, pen=pen, X=X, y=y, lam=lmax / frac, nm=nm:
                                    single_row(nm, fam, pen, X, y, lam, repeat, all_peers))
                if fam == "binomial" and want(f"{fname}/{kind}/{pen}/path"):
                    lams = lmax * np.logspace(0, -2, 10 if quick else 30)
                    nm = f"{pen.upper()}-{fname} path {len(lams)} pts {kind} {shape} lmax..lmax/100"
                    rows.append(lambda fam=fam, pen=pen, X=X, y=y, lams=lams, nm=nm:
                                path_row(nm, fam, pen, X, y, lams, repeat, all_peers))
    return rows


def render(results):
    lines = ["| row | peer | peer s | peer KKT | bayesreg s at peer KKT | its KKT | **ratio (equal "
             "accuracy)** | bayesreg default s | its KKT | **ratio (defaults)** | nnz |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]

    def fa(a):
        return f"{a[0]:.1e}" if a[0] == a[1] else f"{a[0]:.1e} / {a[1]:.1e}"

    for r in results:
        for k, c in sorted(r["cells"].items()):
            lines.append(f"| {r['row']} | {k}{'' if c['n_t'] > 1 else ' (1 fit)'} | {c['t']:.3f} | "
                         f"{fa(c['acc'])} | {c['t_eq']:.3f} | {fa(c['acc_eq'])} | **{c['eq']:.2f}** | "
                         f"{c['t_def']:.3f} | {fa(c['acc_def'])} | **{c['dflt']:.2f}** | {r['nnz']} |")
    return "\n".join(lines)


def versions():
    import numba
    import sklearn

    v = [f"numpy {np.__version__}", f"scikit-learn {sklearn.__version__}", f"numba {numba.__version__}"]
    for m in ("skglm", "celer", "glum"):
        try:
            v.append(f"{m} {__import__(m).__version__}")
        except ImportError:
            v.append(f"{m} (not installed)")
    return ", ".join(v)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="smaller data, lmax/20 only, 10-pt paths")
    ap.add_argument("--only", nargs="*", default=None,
                    help="row keys such as logistic/dense/l1/20, Poisson/sparse, path (substrings)")
    ap.add_argument("--all-peers", action="store_true",
                    help="also time saga on sparse rows and glum on sparse paths (minutes)")
    ap.add_argument("--out", default="", help="write a markdown report here")
    args = ap.parse_args(argv)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    import numba

    numba.set_num_threads(1)
    load0 = os.getloadavg()[0]
    results = []
    for fn in build_rows(args.only, args.repeat, args.quick, args.all_peers):
        t0 = time.perf_counter()
        r = fn()
        results.append(r)
        ps = "  ".join(f"{k} {c['t']:.3f}s kkt {c['acc'][0]:.1e} | br {c['t_eq']:.3f}s kkt "
                       f"{c['acc_eq'][0]:.1e} eq {c['eq']:.2f} dflt {c['dflt']:.2f};"
                       for k, c in r["cells"].items())
        print(f"{r['row']:<52} ({time.perf_counter() - t0:.0f}s)  {ps}", flush=True)
    table = render(results)
    print("\n" + table)
    if args.out:
        now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        head = (f"# bayesreg vs scikit-learn / skglm / celer / glum (logistic, Poisson)\n\nDate: {now}  \n"
                f"Versions: {versions()}, {os.cpu_count()} cores  \nBLAS threads: 1, numba threads: 1, "
                f"repeat {args.repeat}{', --quick' if args.quick else ''}; load average "
                f"{load0:.1f} at start, {os.getloadavg()[0]:.1f} at the end  \n")
        Path(args.out).write_text(head + __doc__.split("Usage:")[0].split("\n", 1)[1] + "\n" + table + "\n")


if __name__ == "__main__":
    main()
