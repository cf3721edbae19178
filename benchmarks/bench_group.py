"""Group lasso paths: bayesreg ``GroupLaplace`` (``Model.map_path``) vs skglm ``GroupLasso``
(warm-started over the same grid), at equal optimality, in the same process (by hand; never
in CI; needs ``pip install skglm``, in the ``bench`` extra).

Protocol (as ``run.py``): skglm runs at ``--skglm-tol``; every point of both paths is scored by
the duality gap written here from the textbook definition (``gap_rel`` below, relative to
``||y - ybar||^2``); bayesreg gets the median of skglm's relative gaps as its ``tol``. Times:
best of ``--repeat``, the two sides interleaved, after a warm-up (numba compilation of both),
BLAS on one thread (threadpoolctl). Ratio = bayesreg time / skglm time (< 1: bayesreg faster).

Correspondence: skglm minimizes ``||y - b - Xw||^2 / (2n) + alpha sum_g sqrt(p_g) ||w_g||``;
bayesreg's ``Gaussian(sigma=1)`` x ``GroupLaplace(scale)`` is the same problem times ``n`` with
``scale = 1 / (n alpha)``.

    python benchmarks/bench_group.py [--repeat 3] [--quick]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np


def gap_rel(X, y, w, b, groups, alpha):
    """Relative duality gap of ``1/2 ||y - b - Xw||^2 + n alpha sum_g sqrt(p_g) ||w_g||``: the
    dual point is the centered residual scaled into ``||X_g' theta|| <= n alpha sqrt(p_g)``
    (``1' theta = 0`` for the intercept)."""
    n = X.shape[0]
    r = y - b - X @ w
    lam = n * alpha * np.sqrt([len(g) for g in groups])
    pen = sum(lam[k] * np.linalg.norm(w[g]) for k, g in enumerate(groups))
    primal = 0.5 * r @ r + pen
    rc = r - r.mean()
    corr = X.T @ rc
    s = min(1.0, min(lam[k] / max(np.linalg.norm(corr[g]), 1e-300) for k, g in enumerate(groups)))
    theta = s * rc
    yc = y - y.mean()
    dual = yc @ theta - 0.5 * theta @ theta
    return max(primal - dual, 0.0) / (yc @ yc)


def _time(f, repeat):
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def main(argv=None):
    from skglm import GroupLasso
    from threadpoolctl import threadpool_limits

    import bayesreg as br

    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--skglm-tol", type=float, default=1e-6)
    ap.add_argument("--n-alphas", type=int, default=30)
    a = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    shapes = {"tall n=2000 p=200 (40 groups of 5)": (2000, 200, 5),
              "wide n=200 p=1000 (100 groups of 10)": (200, 1000, 10),
              "square n=500 p=500 (100 groups of 5)": (500, 500, 5)}
    if a.quick:
        shapes = {k: (n // 4, p // 4, g) for k, (n, p, g) in shapes.items()}
    rng = np.random.default_rng(0)
    # warm-up: both sides compile their numba code here
    Xw = rng.normal(size=(30, 6))
    yw = Xw[:, 0] + rng.normal(size=30)
    GroupLasso(groups=3, alpha=0.1, weights=np.sqrt([3.0, 3.0]), tol=1e-6).fit(Xw, yw)
    br.Model(br.Gaussian(sigma=1.0), br.GroupLaplace(1.0, np.repeat([0, 1], 3))).map_path(
        Xw, yw, n_scales=3)
    rows = []
    with threadpool_limits(limits=1, user_api="blas"):
        for name, (n, p, gs) in shapes.items():
            X = rng.normal(size=(n, p))
            X = (X - X.mean(0)) / X.std(0)
            G = p // gs
            groups = [list(range(k * gs, (k + 1) * gs)) for k in range(G)]
            beta = np.zeros(p)
            for k in rng.choice(G, size=max(2, G // 10), replace=False):
                beta[groups[k]] = rng.normal(size=gs)
            y = X @ beta + rng.normal(size=n)
            yc = y - y.mean()
            alpha_max = max(np.linalg.norm(X[:, g].T @ yc) / (n * np.sqrt(gs)) for g in groups)
            alphas = alpha_max * np.geomspace(1, 1e-2, a.n_alphas)
            weights = np.sqrt(np.full(G, float(gs)))

            def ref(X=X, y=y, alphas=alphas, weights=weights, gs=gs):
                est = GroupLasso(groups=gs, alpha=alphas[0], weights=weights, tol=a.skglm_tol,
                                 max_iter=1000, warm_start=True, fit_intercept=True)
                out = []
                for al in alphas:
                    est.alpha = al
                    est.fit(X, y)
                    out.append((est.coef_.copy(), float(est.intercept_)))
                return out

            labels = np.repeat(np.arange(G), gs)
            model = br.Model(br.Gaussian(sigma=1.0), br.GroupLaplace(1.0, labels))
            scales = 1.0 / (n * alphas)
            t_ref, sol_ref = _time(ref, 1)
            gaps_ref = [gap_rel(X, y, w, b, groups, al) for (w, b), al in zip(sol_ref, alphas)]
            tol = float(np.median(gaps_ref))

            def ours(model=model, X=X, y=y, scales=scales, tol=tol):
                path = model.map_path(X, y, scales=scales, tol=tol)
                # scales ascending (strong prior first) = the alphas in decreasing order
                return [(r.coef, r.intercept) for r in path.results]

            t_ours, sol_ours = _time(ours, 1)
            for _ in range(a.repeat - 1):  # interleaved repeats
                t_ref = min(t_ref, _time(ref, 1)[0])
                t_ours = min(t_ours, _time(ours, 1)[0])
            gaps_ours = [gap_rel(X, y, w, b, groups, al) for (w, b), al in zip(sol_ours, alphas)]
            rows.append((name, t_ours, t_ref, np.median(gaps_ours), np.max(gaps_ours),
                         np.median(gaps_ref), np.max(gaps_ref)))
            print(f"{name}: bayesreg {t_ours:.3f}s skglm {t_ref:.3f}s ratio {t_ours / t_ref:.2f}"
                  f"  gaps median/max ours {np.median(gaps_ours):.1e}/{np.max(gaps_ours):.1e}"
                  f" skglm {np.median(gaps_ref):.1e}/{np.max(gaps_ref):.1e}", flush=True)
    print("\n| shape | bayesreg (s) | skglm (s) | ratio | rel. gap ours (median / max) | "
          "rel. gap skglm (median / max) |")
    print("|---|---|---|---|---|---|")
    for name, to, tr, gm, gx, rm, rx in rows:
        print(f"| {name} | {to:.3f} | {tr:.3f} | {to / tr:.2f} | {gm:.1e} / {gx:.1e} | "
              f"{rm:.1e} / {rx:.1e} |")


if __name__ == "__main__":
    main()
