"""Group lasso and sparse group lasso paths: bayesreg ``GroupLaplace`` (``Model.map_path``) vs
skglm ``GroupLasso`` / ``WeightedL1GroupL2`` with ``GroupBCD`` (warm-started over the same
grid), at equal optimality, in the same process (by hand; never in CI; needs ``pip install
skglm``, in the ``bench`` extra).

Protocol (as ``run.py``): skglm runs at ``--skglm-tol``; every point of both paths is scored by
the duality gap written here from the textbook definition (``gap_rel`` below, relative to
``||y - ybar||^2``); bayesreg gets the median of skglm's relative gaps as its ``tol``. Times:
best of ``--repeat``, the two sides interleaved, after a warm-up (numba compilation of both),
BLAS on one thread (threadpoolctl). Ratio = bayesreg time / skglm time (< 1: bayesreg faster).

Correspondence: skglm minimizes ``||y - b - Xw||^2 / (2n) + alpha sum_g sqrt(p_g) ||w_g||``;
bayesreg's ``Gaussian(sigma=1)`` x ``GroupLaplace(scale)`` is the same problem times ``n`` with
``scale = 1 / (n alpha)``. Sparse group (``--tau``, default 0.5): skglm ``WeightedL1GroupL2(1,
weights_groups = alpha (1 - tau) sqrt(p_g), weights_features = alpha tau)``, i.e. ``alpha ((1 -
tau) sum_g sqrt(p_g) ||w_g|| + tau ||w||_1)``; bayesreg ``GroupLaplace(scale = 1 / (n alpha (1
- tau)), l1_scale = 1 / (n alpha tau))`` (skglm 0.5's sparse-group penalty fails with
``fit_intercept=True``: it is given the centered y, X being centered; bayesreg fits the
intercept).

    python benchmarks/bench_group.py [--repeat 3] [--quick] [--only group|sparse]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from scipy import optimize


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


def _zero_mult(v, a, lam):
    """Smallest c with ||soft(v, c a)|| <= c lam (written here: a root-finder)."""
    v = np.abs(v)
    if not np.any(v):
        return 0.0

    def h(c):
        return np.linalg.norm(np.maximum(v - c * a, 0.0)) - c * lam

    hi = 1.0
    while h(hi) > 0:
        hi *= 2.0
    return optimize.brentq(h, 0.0, hi, xtol=1e-14, rtol=1e-12)


def gap_rel_sgl(X, y, w, b, groups, alpha, tau):
    """Relative duality gap of ``1/2 ||y - b - Xw||^2 + n alpha ((1 - tau) sum_g sqrt(p_g)
    ||w_g|| + tau ||w||_1)``: the dual feasible set is ``||soft(X_g' theta, n alpha tau)|| <= n
    alpha (1 - tau) sqrt(p_g)`` (the dual ball of a sum of norms: a ball plus a box); the dual
    point is the centered residual scaled into it."""
    n = X.shape[0]
    r = y - b - X @ w
    lam = n * alpha * (1 - tau) * np.sqrt([len(g) for g in groups])
    a = n * alpha * tau
    pen = sum(lam[k] * np.linalg.norm(w[g]) for k, g in enumerate(groups)) + a * np.abs(w).sum()
    primal = 0.5 * r @ r + pen
    rc = r - r.mean()
    corr = X.T @ rc
    top = max(_zero_mult(corr[g], a, lam[k]) for k, g in enumerate(groups))
    theta = rc / max(top, 1.0)
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
    from skglm import GeneralizedLinearEstimator, GroupLasso
    from skglm.datafits import QuadraticGroup
    from skglm.penalties import WeightedL1GroupL2
    from skglm.solvers import GroupBCD
    from threadpoolctl import threadpool_limits

    import bayesreg as br

    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--skglm-tol", type=float, default=1e-6)
    ap.add_argument("--n-alphas", type=int, default=30)
    ap.add_argument("--tau", type=float, default=0.5)
    ap.add_argument("--only", choices=["group", "sparse"], default=None)
    a = ap.parse_args(argv)
    warnings.simplefilter("ignore")
    tau = a.tau
    shapes = {"tall n=2000 p=200 (40 groups of 5)": (2000, 200, 5),
              "wide n=200 p=1000 (100 groups of 10)": (200, 1000, 10),
              "square n=500 p=500 (100 groups of 5)": (500, 500, 5)}
    if a.quick:
        shapes = {k: (n // 4, p // 4, g) for k, (n, p, g) in shapes.items()}
    kinds = ["group", "sparse"] if a.only is None else [a.only]
    rng = np.random.default_rng(0)
    # warm-up: both sides compile their numba code here
    Xw = rng.normal(size=(30, 6))
    yw = Xw[:, 0] + rng.normal(size=30)
    GroupLasso(groups=3, alpha=0.1, weights=np.sqrt([3.0, 3.0]), tol=1e-6).fit(Xw, yw)
    ptr_w, idx_w = np.array([0, 3, 6], dtype=np.int32), np.arange(6, dtype=np.int32)
    GeneralizedLinearEstimator(QuadraticGroup(ptr_w, idx_w), WeightedL1GroupL2(
        0.1, np.ones(2), np.full(6, 0.1), ptr_w, idx_w), GroupBCD(
        ws_strategy="fixpoint", fit_intercept=False)).fit(Xw, yw)
    for l1 in (None, 1.0):
        br.Model(br.Gaussian(sigma=1.0), br.GroupLaplace(1.0, np.repeat([0, 1], 3),
                                                         l1_scale=l1)).map_path(Xw, yw, n_scales=3)
    rows = []
    with threadpool_limits(limits=1, user_api="blas"):
        for name, (n, p, gs) in shapes.items():
            X = rng.normal(size=(n, p))
            X = (X - X.mean(0)) / X.std(0)
            G = p // gs
            groups = [list(range(k * gs, (k + 1) * gs)) for k in range(G)]
            beta = np.zeros(p)
            for k in rng.choice(G, size=max(2, G // 10), replace=False):
                beta[groups[k]] = rng.normal(size=gs) * (rng.random(gs) < 0.6)
            y = X @ beta + rng.normal(size=n)
            yc = y - y.mean()
            labels = np.repeat(np.arange(G), gs)
            weights = np.sqrt(np.full(G, float(gs)))
            ptr = np.arange(0, p + 1, gs, dtype=np.int32)
            idx = np.arange(p, dtype=np.int32)
            for kind in kinds:
                if kind == "group":
                    alpha_max = max(np.linalg.norm(X[:, g].T @ yc) / (n * np.sqrt(gs))
                                    for g in groups)
                else:
                    alpha_max = max(_zero_mult(X[:, g].T @ yc / n, tau, (1 - tau) * np.sqrt(gs))
                                    for g in groups)
                alphas = alpha_max * np.geomspace(1, 1e-2, a.n_alphas)

                if kind == "group":
                    def ref(X=X, y=y, alphas=alphas, weights=weights, gs=gs):
                        est = GroupLasso(groups=gs, alpha=alphas[0], weights=weights,
                                         tol=a.skglm_tol, max_iter=1000, warm_start=True,
                                         fit_intercept=True)
                        out = []
                        for al in alphas:
                            est.alpha = al
                            est.fit(X, y)
                            out.append((est.coef_.copy(), float(est.intercept_)))
                        return out

                    def score(w, b, al, X=X, y=y, groups=groups):
                        return gap_rel(X, y, w, b, groups, al)

                    model = br.Model(br.Gaussian(sigma=1.0), br.GroupLaplace(1.0, labels))
                    scales = 1.0 / (n * alphas)
                else:
                    def ref(X=X, y=y, alphas=alphas, weights=weights, ptr=ptr, idx=idx, p=p):
                        pen = WeightedL1GroupL2(1.0, alphas[0] * (1 - tau) * weights,
                                                np.full(p, alphas[0] * tau), ptr, idx)
                        est = GeneralizedLinearEstimator(
                            QuadraticGroup(ptr, idx), pen,
                            GroupBCD(ws_strategy="fixpoint", tol=a.skglm_tol, max_iter=1000,
                                     fit_intercept=False, warm_start=True))
                        # skglm 0.5's WeightedL1GroupL2 fails with fit_intercept (its value
                        # broadcasts the feature weights against p + 1 entries): X is centered,
                        # so the intercept is the mean of y, fitted here
                        ybar = float(y.mean())
                        out = []
                        for al in alphas:
                            pen.weights_groups = al * (1 - tau) * weights
                            pen.weights_features = np.full(p, al * tau)
                            est.fit(X, y - ybar)
                            out.append((est.coef_.copy(), ybar))
                        return out

                    def score(w, b, al, X=X, y=y, groups=groups):
                        return gap_rel_sgl(X, y, w, b, groups, al, tau)

                    model = br.Model(br.Gaussian(sigma=1.0),
                                     br.GroupLaplace(1.0, labels, l1_scale=(1 - tau) / tau))
                    scales = 1.0 / (n * alphas * (1 - tau))
                t_ref, sol_ref = _time(ref, 1)
                gaps_ref = [score(w, b, al) for (w, b), al in zip(sol_ref, alphas)]
                tol = float(np.median(gaps_ref))

                def ours(model=model, X=X, y=y, scales=scales, tol=tol):
                    path = model.map_path(X, y, scales=scales, tol=tol)
                    # scales ascending (strong prior first) = the alphas in decreasing order
                    return [(r.coef, r.intercept) for r in path.results]

                t_ours, sol_ours = _time(ours, 1)
                for _ in range(a.repeat - 1):  # interleaved repeats
                    t_ref = min(t_ref, _time(ref, 1)[0])
                    t_ours = min(t_ours, _time(ours, 1)[0])
                gaps_ours = [score(w, b, al) for (w, b), al in zip(sol_ours, alphas)]
                label = f"{'group lasso' if kind == 'group' else f'sparse group (tau {tau})'}, {name}"
                rows.append((label, t_ours, t_ref, np.median(gaps_ours), np.max(gaps_ours),
                             np.median(gaps_ref), np.max(gaps_ref)))
                print(f"{label}: bayesreg {t_ours:.3f}s skglm {t_ref:.3f}s ratio "
                      f"{t_ours / t_ref:.2f}  gaps median/max ours {np.median(gaps_ours):.1e}/"
                      f"{np.max(gaps_ours):.1e} skglm {np.median(gaps_ref):.1e}/"
                      f"{np.max(gaps_ref):.1e}", flush=True)
    print("\n| problem | bayesreg (s) | skglm (s) | ratio | rel. gap ours (median / max) | "
          "rel. gap skglm (median / max) |")
    print("|---|---|---|---|---|---|")
    for name, to, tr, gm, gx, rm, rx in rows:
        print(f"| {name} | {to:.3f} | {tr:.3f} | {to / tr:.2f} | {gm:.1e} / {gx:.1e} | "
              f"{rm:.1e} / {rx:.1e} |")


if __name__ == "__main__":
    main()
