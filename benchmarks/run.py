"""bayesreg vs scikit-learn at equal optimality, in one process (``make bench``).

Protocol for every row
----------------------
1. Fit scikit-learn with its default tolerance (or the stated one) and time it.
2. Score its solution with an independent certificate from ``benchmarks/optimality.py``
   (relative duality gap for Gaussian models, relative KKT violation for GLMs and ridge).
3. Give bayesreg *that achieved value* as its tolerance (same scale, see optimality.py), fit
   through the public API (``Model.map`` / ``Model.map_path``, input validation included),
   time it, and score it with the same independent function.
4. Report both times, both achieved certificates, the objective difference, and the ratio
   bayesreg / scikit-learn. A row is only fair when bayesreg's certificate is <= sklearn's.

Times are the best of ``--repeat`` runs after a warm-up fit (numba kernels are compiled and
cached on disk at the first ever call; the warm-up only loads them).

Usage: ``python benchmarks/run.py [--runs 2] [--repeat 3] [--only dense path ...] [--out FILE]``
"""

from __future__ import annotations

import argparse
import datetime as _dt
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import scipy.optimize as so
import scipy.sparse as sp

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sklearn  # noqa: E402
from optimality import enet_gap, enet_objective, glm_kkt, glm_objective, ridge_kkt  # noqa: E402
from sklearn.exceptions import ConvergenceWarning as SkConvergenceWarning  # noqa: E402
from sklearn.linear_model import (  # noqa: E402
    ElasticNet,
    Lasso,
    LogisticRegression,
    PoissonRegressor,
    Ridge,
    enet_path,
)

import bayesreg as br  # noqa: E402

warnings.filterwarnings("ignore", category=SkConvergenceWarning)
warnings.filterwarnings("ignore", category=FutureWarning)

TOL_FLOOR = 1e-14


def paired(sk_fn, br_fn, repeat, t_sk_first):
    """Alternate bayesreg and reference runs (the machine may be shared: interleaving exposes
    both sides to the same background load); best of each."""
    t_sk, t_br, out = [t_sk_first], [], None
    for i in range(repeat):
        t0 = time.perf_counter()
        out = br_fn()
        t_br.append(time.perf_counter() - t0)
        if i < repeat - 1:
            t0 = time.perf_counter()
            sk_fn()
            t_sk.append(time.perf_counter() - t0)
    return min(t_sk), min(t_br), out


def timeit(fn, repeat):
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


# ----------------------------------------------------------------------------- data
def gauss_dense(n, p, seed=0, k=None):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    k = k or max(5, p // 10)
    w = np.zeros(p)
    w[rng.choice(p, k, replace=False)] = rng.normal(scale=2.0, size=k)
    y = 1.0 + X @ w + rng.standard_normal(n) * 3.0
    return X, y


def gauss_sparse(n, p, density, seed=0):
    rng = np.random.default_rng(seed)
    nnz = int(round(density * n * p))  # (sp.random allocates n*p indices: avoid it)
    X = sp.csc_matrix((rng.standard_normal(nnz), (rng.integers(0, n, nnz),
                       rng.integers(0, p, nnz))), shape=(n, p))
    X.sum_duplicates()
    w = np.zeros(p)
    k = 500
    w[rng.choice(p, k, replace=False)] = rng.normal(scale=3.0, size=k)
    y = 1.0 + np.asarray(X @ w).ravel() + rng.standard_normal(n)
    return X, y


def alpha_max(X, y):
    yc = y - y.mean()
    if sp.issparse(X):
        xbar = np.asarray(X.mean(axis=0)).ravel()
        g = np.asarray(X.T @ yc).ravel() - xbar * yc.sum()
    else:
        g = X.T @ yc
    return float(np.abs(g).max()) / X.shape[0]


# ----------------------------------------------------------------------------- rows
def row_enet(name, X, y, alpha, l1_ratio, repeat, sk_tol=1e-4):
    n = X.shape[0]
    Est = Lasso if l1_ratio == 1.0 else ElasticNet
    kw = dict(alpha=alpha, tol=sk_tol, max_iter=100_000)
    if l1_ratio != 1.0:
        kw["l1_ratio"] = l1_ratio
    est = Est(**kw)
    t_sk, _ = timeit(lambda: est.fit(X, y), 1)
    l1, l2 = n * alpha * l1_ratio, n * alpha * (1 - l1_ratio)
    g_sk = enet_gap(X, y, est.coef_, est.intercept_, l1, l2)
    model = br.Model.from_sklearn(est, n_samples=n, sigma=1.0)
    tol = max(g_sk, TOL_FLOOR)
    model.map(X[:50], y[:50], tol=1e-3)  # warm-up (load cached kernels)
    t_sk, t_br, fit = paired(lambda: est.fit(X, y), lambda: model.map(X, y, tol=tol), repeat,
                              t_sk)
    g_br = enet_gap(X, y, fit.coef, fit.intercept, l1, l2)
    f_sk = enet_objective(X, y, est.coef_, est.intercept_, l1, l2)
    f_br = enet_objective(X, y, fit.coef, fit.intercept, l1, l2)
    return dict(row=name, ref=f"{Est.__name__}(tol={sk_tol:g})", t_sk=t_sk, t_br=t_br,
                kind="gap", opt_sk=g_sk, opt_br=g_br, df=f_br - f_sk,
                note=f"nnz={np.count_nonzero(fit.coef)}, solver={fit.solver}")


def row_path(name, X, y, repeat, n_alphas=100, eps=1e-3, l1_ratio=1.0, sk_tol=1e-4):
    n, p = X.shape
    amax = alpha_max(X, y) / l1_ratio
    alphas = amax * np.logspace(0, np.log10(eps), n_alphas)
    # sklearn's path functions do not fit an intercept: hand both sides centered data
    # (bayesreg fits the intercept itself, which gives the same coefficients).
    Xc = X - X.mean(axis=0)
    yc = y - y.mean()

    def sk():
        Xf = np.asfortranarray(X - X.mean(axis=0))  # centering is part of sklearn's work
        return enet_path(Xf, yc, l1_ratio=l1_ratio, alphas=alphas, tol=sk_tol, max_iter=100_000)

    t_sk, (_, coefs, _) = timeit(sk, 1)
    l1s, l2s = n * alphas * l1_ratio, n * alphas * (1 - l1_ratio)
    gaps_sk = np.array([enet_gap(Xc, yc, coefs[:, k], 0.0, l1s[k], l2s[k])
                        for k in range(n_alphas)])
    prior = br.Laplace(1.0) if l1_ratio == 1.0 else br.ElasticNetPrior(1.0, 1.0)
    model = br.Model(br.Gaussian(sigma=1.0), prior)
    scales = 1.0 / (n * alphas)
    tol = max(float(np.median(gaps_sk)), TOL_FLOOR)
    model.map_path(X[:50, :20], y[:50], n_scales=3)  # warm-up
    t_sk, t_br, path = paired(sk, lambda: model.map_path(X, y, scales=scales, tol=tol), repeat,
                               t_sk)
    res = sorted(path.results, key=lambda r: -float(np.abs(r.coef).sum()))[::-1]
    gaps_br = np.array([enet_gap(X, y, r.coef, r.intercept, l1s[k], l2s[k])
                        for k, r in enumerate(res)])
    return dict(row=name, ref=f"enet_path(tol={sk_tol:g}), same grid", t_sk=t_sk, t_br=t_br,
                kind="gap(med/max)", opt_sk=(np.median(gaps_sk), gaps_sk.max()),
                opt_br=(np.median(gaps_br), gaps_br.max()), df=None,
                note=f"{n_alphas} points, eps={eps:g}")


def row_ridge(name, X, y, alpha, repeat):
    n, p = X.shape
    est = Ridge(alpha=alpha)
    t_sk, _ = timeit(lambda: est.fit(X, y), 1)
    model = br.Model.from_sklearn(est, n_samples=n, sigma=1.0)
    model.map(X[:50, :20], y[:50])
    t_sk, t_br, fit = paired(lambda: est.fit(X, y), lambda: model.map(X, y), repeat, t_sk)
    return dict(row=name, ref="Ridge(solver='auto')", t_sk=t_sk, t_br=t_br, kind="kkt",
                opt_sk=ridge_kkt(X, y, est.coef_, est.intercept_, alpha),
                opt_br=ridge_kkt(X, y, fit.coef, fit.intercept, alpha), df=None,
                note=f"solver={fit.solver}")


def row_logistic(name, X, y, C, l1_ratio, solver, repeat, fit_intercept=True, sk_tol=1e-4):
    est = LogisticRegression(C=C, l1_ratio=l1_ratio, solver=solver, tol=sk_tol, max_iter=10_000,
                             fit_intercept=fit_intercept)
    t_sk, _ = timeit(lambda: est.fit(X, y), 1)
    l1, l2 = l1_ratio / C, (1 - l1_ratio) / C
    w_sk, b_sk = est.coef_.ravel(), float(est.intercept_[0]) if fit_intercept else 0.0
    k_sk = glm_kkt("binomial", X, y, w_sk, b_sk, l1, l2, fit_intercept)
    model = br.Model.from_sklearn(est)
    tol = max(k_sk, TOL_FLOOR)
    model.map(X[:100, :20], y[:100], tol=1e-4)
    t_sk, t_br, fit = paired(lambda: est.fit(X, y), lambda: model.map(X, y, tol=tol), repeat,
                              t_sk)
    k_br = glm_kkt("binomial", X, y, fit.coef, fit.intercept, l1, l2, fit_intercept)
    f_sk = glm_objective("binomial", X, y, w_sk, b_sk, l1, l2)
    f_br = glm_objective("binomial", X, y, fit.coef, fit.intercept, l1, l2)
    return dict(row=name, ref=f"LogisticRegression({solver}, tol={sk_tol:g})"
                + ("" if fit_intercept else ", no intercept"), t_sk=t_sk, t_br=t_br,
                kind="kkt", opt_sk=k_sk, opt_br=k_br, df=f_br - f_sk,
                note=f"nnz={np.count_nonzero(fit.coef)}, solver={fit.solver}")


def row_poisson_l2(name, X, y, alpha, solver, repeat, sk_tol=1e-4):
    n = X.shape[0]
    est = PoissonRegressor(alpha=alpha, solver=solver, tol=sk_tol, max_iter=10_000)
    t_sk, _ = timeit(lambda: est.fit(X, y), 1)
    l2 = n * alpha
    k_sk = glm_kkt("poisson", X, y, est.coef_, est.intercept_, 0.0, l2)
    model = br.Model.from_sklearn(est, n_samples=n)
    model.map(X[:100, :20], y[:100], tol=1e-4)
    t_sk, t_br, fit = paired(lambda: est.fit(X, y),
                              lambda: model.map(X, y, tol=max(k_sk, TOL_FLOOR)), repeat, t_sk)
    k_br = glm_kkt("poisson", X, y, fit.coef, fit.intercept, 0.0, l2)
    f_sk = glm_objective("poisson", X, y, est.coef_, est.intercept_, 0.0, l2)
    f_br = glm_objective("poisson", X, y, fit.coef, fit.intercept, 0.0, l2)
    return dict(row=name, ref=f"PoissonRegressor({solver}, tol={sk_tol:g})", t_sk=t_sk,
                t_br=t_br, kind="kkt", opt_sk=k_sk, opt_br=k_br, df=f_br - f_sk,
                note=f"solver={fit.solver}")


def scipy_l1_glm(family, X, y, l1, l2, tol):
    """Reference: L-BFGS-B on the smooth split reformulation w = u - v, u, v >= 0."""
    n, p = X.shape

    def f(z):
        u, v, b = z[:p], z[p:2 * p], z[-1]
        w = u - v
        eta = b + X @ w
        mu = np.exp(eta) if family == "poisson" else 1 / (1 + np.exp(-eta))
        loss = (mu - y * eta).sum() if family == "poisson" else (np.logaddexp(0, eta) - y * eta).sum()
        g = X.T @ (mu - y)
        gw = g + l2 * w
        obj = loss + l1 * (u.sum() + v.sum()) + 0.5 * l2 * w @ w
        return obj, np.concatenate([gw + l1, -gw + l1, [(mu - y).sum()]])

    z0 = np.zeros(2 * p + 1)
    z0[-1] = np.log(y.mean()) if family == "poisson" else 0.0
    bounds = [(0, None)] * (2 * p) + [(None, None)]
    r = so.minimize(f, z0, jac=True, method="L-BFGS-B", bounds=bounds,
                    options=dict(maxiter=100_000, gtol=tol, ftol=0))
    return r.x[:p] - r.x[p:2 * p], float(r.x[-1])


def row_poisson_l1(name, X, y, l1, repeat):
    def ref():
        return scipy_l1_glm("poisson", X, y, l1, 0.0, 1e-5)

    t_ref, (w_ref, b_ref) = timeit(ref, 1)
    w_ref = np.where(np.abs(w_ref) < 1e-10, 0.0, w_ref)
    k_ref = glm_kkt("poisson", X, y, w_ref, b_ref, l1, 0.0)
    model = br.Model(br.Poisson(), br.Laplace(1.0 / l1))
    model.map(X[:100, :20], y[:100], tol=1e-4)
    t_ref, t_br, fit = paired(ref, lambda: model.map(X, y, tol=max(k_ref, TOL_FLOOR)), repeat,
                               t_ref)
    k_br = glm_kkt("poisson", X, y, fit.coef, fit.intercept, l1, 0.0)
    f_ref = glm_objective("poisson", X, y, w_ref, b_ref, l1, 0.0)
    f_br = glm_objective("poisson", X, y, fit.coef, fit.intercept, l1, 0.0)
    return dict(row=name, ref="scipy L-BFGS-B, split w=u-v (gtol 1e-5)", t_sk=t_ref, t_br=t_br,
                kind="kkt", opt_sk=k_ref, opt_br=k_br, df=f_br - f_ref,
                note=f"nnz={np.count_nonzero(fit.coef)}, solver={fit.solver}")


# ----------------------------------------------------------------------------- table
def build_rows(only, repeat):
    rows = []

    def want(key):
        return only is None or any(o in key for o in only)

    if want("dense"):
        X, y = gauss_dense(5000, 500)
        am = alpha_max(X, y)
        rows.append(lambda: row_enet("lasso dense 5000x500", X, y, am / 20, 1.0, repeat))
        rows.append(lambda: row_enet("enet dense 5000x500 (l1_ratio .5)", X, y, am / 10, 0.5,
                                     repeat))
    if want("sparse"):
        Xs, ys = gauss_sparse(20000, 50000, 1e-3)
        ams = alpha_max(Xs, ys)
        rows.append(lambda: row_enet("lasso sparse 20000x50000 d=1e-3", Xs, ys, ams / 20, 1.0,
                                     repeat))
        rows.append(lambda: row_enet("enet sparse 20000x50000 d=1e-3", Xs, ys, ams / 10, 0.5,
                                     repeat))
    if want("wide"):
        Xw, yw = gauss_dense(200, 20000, k=20)
        amw = alpha_max(Xw, yw)
        rows.append(lambda: row_enet("lasso wide 200x20000", Xw, yw, amw / 10, 1.0, repeat))
        rows.append(lambda: row_enet("enet wide 200x20000", Xw, yw, amw / 5, 0.5, repeat))
    if want("path"):
        Xp, yp = gauss_dense(5000, 500, seed=1)
        rows.append(lambda: row_path("lasso path 5000x500", Xp, yp, repeat))
        Xq, yq = gauss_dense(200, 5000, seed=2, k=20)
        rows.append(lambda: row_path("lasso path wide 200x5000", Xq, yq, max(1, repeat - 1)))
    if want("ridge"):
        Xr, yr = gauss_dense(20000, 1000, seed=3)
        rows.append(lambda: row_ridge("ridge 20000x1000", Xr, yr, 10.0, repeat))
        Xr2, yr2 = gauss_dense(1000, 5000, seed=4)
        rows.append(lambda: row_ridge("ridge p>n 1000x5000", Xr2, yr2, 10.0, repeat))
    if want("logistic"):
        rng = np.random.default_rng(5)
        Xl = rng.standard_normal((5000, 1000))
        wl = np.zeros(1000)
        wl[:50] = rng.normal(scale=0.5, size=50)
        yl = (rng.random(5000) < 1 / (1 + np.exp(-(0.3 + Xl @ wl)))).astype(float)
        rows.append(lambda: row_logistic("L1-logistic 5000x1000", Xl, yl, 0.01, 1.0, "saga",
                                         repeat))
        rows.append(lambda: row_logistic("L1-logistic 5000x1000 (no icpt)", Xl, yl, 0.01, 1.0,
                                         "liblinear", repeat, fit_intercept=False))
        rows.append(lambda: row_logistic("L2-logistic 5000x1000", Xl, yl, 0.1, 0.0, "lbfgs",
                                         repeat))
        rows.append(lambda: row_logistic("L2-logistic 5000x1000", Xl, yl, 0.1, 0.0,
                                         "newton-cholesky", repeat))
        rows.append(lambda: row_logistic("L2-logistic 5000x1000 (tight)", Xl, yl, 0.1, 0.0,
                                         "lbfgs", repeat, sk_tol=1e-8))
    if want("poisson"):
        rng = np.random.default_rng(6)
        Xpo = rng.standard_normal((5000, 500))
        wpo = np.zeros(500)
        wpo[:25] = rng.normal(scale=0.15, size=25)
        ypo = rng.poisson(np.exp(0.5 + Xpo @ wpo)).astype(float)
        rows.append(lambda: row_poisson_l2("Poisson-L2 5000x500", Xpo, ypo, 1e-3, "lbfgs",
                                           repeat))
        rows.append(lambda: row_poisson_l2("Poisson-L2 5000x500", Xpo, ypo, 1e-3,
                                           "newton-cholesky", repeat))
        rows.append(lambda: row_poisson_l2("Poisson-L2 5000x500 (tight)", Xpo, ypo, 1e-3,
                                           "lbfgs", repeat, sk_tol=1e-8))
        lmax = float(np.abs(Xpo.T @ (ypo - ypo.mean())).max())
        rows.append(lambda: row_poisson_l1("Poisson-L1 5000x500 (lmax/10)", Xpo, ypo, lmax / 10,
                                           repeat))
        rows.append(lambda: row_poisson_l1("Poisson-L1 5000x500 (lmax/100)", Xpo, ypo,
                                           lmax / 100, repeat))
    return rows


def fmt_opt(v):
    if isinstance(v, tuple):
        return f"{v[0]:.1e}/{v[1]:.1e}"
    return f"{v:.1e}"


def render(results):
    head = ("| row | reference | ref s | bayesreg s | ratio | ref opt | bayesreg opt | cert | "
            "F_br - F_ref | notes |")
    lines = [head, "|" + "---|" * 10]
    for r in results:
        df = "" if r["df"] is None else f"{r['df']:+.1e}"
        lines.append(f"| {r['row']} | {r['ref']} | {r['t_sk']:.3f} | {r['t_br']:.3f} | "
                     f"**{r['t_br'] / r['t_sk']:.2f}** | {fmt_opt(r['opt_sk'])} | "
                     f"{fmt_opt(r['opt_br'])} | {r['kind']} | {df} | {r['note']} |")
    return "\n".join(lines)


def machine():
    try:
        cpu = next(ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo")
                   if ln.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    import numba

    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, numpy "
            f"{np.__version__}, scikit-learn {sklearn.__version__}, numba {numba.__version__}, "
            f"bayesreg {getattr(br, '__version__', '?')}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", nargs="*", default=None)
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent / "RESULTS.md"),
                    help="write a markdown report here ('' to skip)")
    ap.add_argument("--blas-threads", type=int, default=1,
                    help="BLAS threads for both sides (0 = library default)")
    args = ap.parse_args(argv)
    if args.blas_threads > 0:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.blas_threads)
    from bayesreg.map._kernels import warmup

    warmup()  # load the on-disk-cached numba kernels once (compiles them the first time ever)
    tables = []
    for run in range(args.runs):
        results = []
        for fn in build_rows(args.only, args.repeat):
            r = fn()
            results.append(r)
            print(f"[run {run + 1}] {r['row']:<36} {r['ref']:<44} ref {r['t_sk']:8.3f}s  "
                  f"bayesreg {r['t_br']:8.3f}s  ratio {r['t_br'] / r['t_sk']:5.2f}  "
                  f"opt {fmt_opt(r['opt_sk'])} vs {fmt_opt(r['opt_br'])}", flush=True)
        tables.append(render(results))
        print(f"\n## run {run + 1}\n\n{tables[-1]}\n", flush=True)
    if args.out:
        now = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
        body = [f"# bayesreg vs scikit-learn: direct MAP solvers\n\nDate: {now}  \n"
                f"Machine: {machine()}  \nCommand: `python benchmarks/run.py "
                f"{' '.join(argv if argv is not None else sys.argv[1:])}` (`make bench`)  \n"
                f"BLAS threads: {args.blas_threads or 'library default'} (both sides)  \n"
                "Analysis, profiles and the rows above target: `benchmarks/README.md`; R glmnet "
                "paths: `benchmarks/RESULTS_glmnet.md`.\n",
                __doc__.split("Usage:")[0].split("\n", 1)[1]]
        for i, t in enumerate(tables):
            body.append(f"\n## run {i + 1}\n\n{t}\n")
        Path(args.out).write_text("\n".join(body))


if __name__ == "__main__":
    main()
