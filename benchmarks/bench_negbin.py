"""Negative binomial (NB2, fixed dispersion) MAP: bayesreg vs glum, same process, equal optimality.

Problems: dense Gaussian X (n x p), counts from an NB2 model with a sparse coefficient vector,
dispersion alpha = 0.5 (glum's theta). glum's ``GeneralizedLinearRegressor(family=
NegativeBinomialDistribution(theta=0.5), alpha=a, l1_ratio=r)`` minimizes
``-loglik / n + a [r |w|_1 + (1 - r) |w|^2 / 2]``; bayesreg's model is the converted one
(``Model.from_sklearn(est, n_samples=n)``: L1 weight ``n a r``, L2 weight ``n a (1 - r)``).

Protocol (benchmarks/README.md): glum runs with its default tolerance, its solution is scored
by the relative KKT violation written here (``_kkt``: ``max_j dist(-X_j' g - l2 w_j, l1
d|w_j|)`` and ``|sum g|``, ``g_i = (mu_i - y_i) / (1 + alpha mu_i)``, divided by the same at the
intercept-only model), bayesreg gets that value as ``tol`` and is scored the same way. Times:
best of ``--repeat``, interleaved, after a warm-up of both; BLAS on one thread (threadpoolctl).

Run: ``.venv/bin/python benchmarks/bench_negbin.py [--repeat 5]`` (needs glum: the ``bench``
extra).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np


def _problem(n, p, seed=0, alpha=0.5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    w = np.zeros(p)
    k = max(3, p // 10)
    w[:k] = rng.normal(scale=0.3, size=k)
    mu = np.exp(0.5 + X @ w)
    r = 1.0 / alpha
    return X, rng.negative_binomial(r, r / (r + mu)).astype(float)


def _kkt(X, y, alpha, l1, l2, w, b):
    """Relative KKT violation of ``sum_i [(y_i + 1/alpha) log(1 + alpha mu_i) - y_i eta_i] +
    l1 |w|_1 + l2 |w|^2 / 2`` (an independent score, written from the definition)."""
    def grad(w, b):
        mu = np.exp(b + X @ w)
        return (mu - y) / (1.0 + alpha * mu)

    g = grad(w, b)
    s = -(X.T @ g) - l2 * w
    viol = np.where(w != 0, np.abs(s - l1 * np.sign(w)), np.maximum(np.abs(s) - l1, 0.0))
    b0 = np.log(y.mean())
    ref = max(float(np.abs(X.T @ grad(np.zeros_like(w), b0)).max()), 1e-300)
    return max(float(viol.max()), abs(float(g.sum()))) / ref


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--sizes", default="2000x50,5000x200,20000x100")
    args = ap.parse_args(argv)

    import glum
    from threadpoolctl import threadpool_limits

    import bayesreg as br

    theta = 0.5
    cases = [("NB-L2", 0.01, 0.0), ("NB-L1", 0.01, 1.0)]
    print(f"glum {glum.__version__}; BLAS 1 thread; best of {args.repeat}, interleaved")
    hdr = (f"{'problem':>10s} {'n x p':>11s} {'glum s':>9s} {'bayesreg s':>11s} {'ratio':>7s} "
           f"{'kkt glum':>9s} {'kkt br':>9s} {'max|dw|':>9s} {'nnz':>5s} {'solver':>12s}")
    print(hdr)
    print("-" * len(hdr))
    rows = []
    with threadpool_limits(1):
        for size in args.sizes.split(","):
            n, p = (int(v) for v in size.split("x"))
            X, y = _problem(n, p, alpha=theta)
            for name, a, r in cases:
                def glum_fit(X=X, y=y, a=a, r=r):
                    est = glum.GeneralizedLinearRegressor(
                        family=glum.NegativeBinomialDistribution(theta=theta), alpha=a,
                        l1_ratio=r)
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        return est.fit(X, y)

                est = glum_fit()  # warm-up (and the reference solution)
                model = br.Model.from_sklearn(est, n_samples=n)
                alpha_nb = model.likelihood.alpha
                l1, l2 = n * a * r, n * a * (1 - r)
                k_glum = _kkt(X, y, alpha_nb, l1, l2, est.coef_, est.intercept_)
                tol = max(k_glum, 1e-12)
                fit = model.map(X, y, tol=tol)  # warm-up: loads the numba kernels
                t_g, t_b = np.inf, np.inf
                for _ in range(args.repeat):
                    t0 = time.perf_counter()
                    est = glum_fit()
                    t_g = min(t_g, time.perf_counter() - t0)
                    t0 = time.perf_counter()
                    fit = model.map(X, y, tol=tol)
                    t_b = min(t_b, time.perf_counter() - t0)
                k_br = _kkt(X, y, alpha_nb, l1, l2, fit.coef, fit.intercept)
                dw = float(np.abs(fit.coef - est.coef_).max())
                nnz = int(np.count_nonzero(fit.coef))
                rows.append((name, n, p, t_g, t_b))
                print(f"{name:>10s} {f'{n}x{p}':>11s} {t_g:9.4f} {t_b:11.4f} {t_b / t_g:7.2f} "
                      f"{k_glum:9.1e} {k_br:9.1e} {dw:9.1e} {nnz:5d} {fit.solver:>12s}")
    ratios = [tb / tg for *_, tg, tb in rows]
    print(f"\nratio = bayesreg / glum time (< 1: bayesreg faster); geometric mean "
          f"{float(np.exp(np.mean(np.log(ratios)))):.2f}")
    return rows


if __name__ == "__main__":
    main()
