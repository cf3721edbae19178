"""Projection predictive selection: bayesreg ``br.project`` timed on the issue's performance
case, and compared with kulprit (the PyMC / Bambi projection predictive package) on the same
reference posterior (by hand, never in CI; kulprit is in the ``bench`` extra only).

Part 1, the cost (``project``'s docstring states the cost model): a 1000-draw (4 x 250),
p = 50, n = 200 Gaussian posterior (exact conjugate draws, so that only the selection is timed),
forward and L1 search to size 20, PSIS-LOO over ``n_draws`` = 400 and all 1000 draws. BLAS on one
thread (threadpoolctl).

Part 2, kulprit on the bundled diabetes data (n = 442, p = 10, standardized): Bambi fits
``target ~ age + sex + ... + s6`` (its default weakly informative priors, PyMC NUTS); the *same*
draws are the reference of both packages (converted to bayesreg's DataTree layout with
``bayesreg.samplers.build_tree``). Printed: the search order, elpd per size, the suggested size
(bayesreg: projpred's one-SE rule ``suggest_size()``; kulprit: ``select("se")``, the smallest
submodel with ``elpd + se >= elpd_ref``), and the seconds of each search + evaluation, measured in
the same process, interleaved (best of ``--repeat``).

Differences by construction: kulprit projects clustered *posterior predictive draws of y* by
Powell's method on the PyMC log-likelihood and scores submodels by arviz-stats' ``loo`` on
the projected draws; bayesreg projects the draws' *means* (projpred's definition) in closed form
(weighted least squares and the projected sigma) and scores with the same PSIS-LOO.

    python benchmarks/bench_projection.py [--repeat 2] [--quick] [--no-kulprit]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np


def _best(f, repeat):
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        best = min(best, time.perf_counter() - t)
    return best, out


def conjugate_reference(X, y, sigma, rng, chains=4, draws=250):
    """Exact draws of (intercept, coef) under a flat prior with known sigma, as a DataTree of a
    Gaussian x Laplace bayesreg model (the selection does not read the prior)."""
    import bayesreg as br
    from bayesreg.samplers import build_tree

    n, p = X.shape
    A = np.column_stack([np.ones(n), X])
    beta = np.linalg.lstsq(A, y, rcond=None)[0]
    d = rng.multivariate_normal(beta, sigma**2 * np.linalg.inv(A.T @ A), size=chains * draws)
    post = {"coef": d[:, 1:].reshape(chains, draws, p),
            "intercept": d[:, 0].reshape(chains, draws),
            "sigma": np.abs(sigma + 0.05 * rng.normal(size=(chains, draws)))}
    model = br.Model(br.Gaussian(), br.Laplace(1.0))
    return model, build_tree(model, post, {}, [f"x{j}" for j in range(p)], sampler="gibbs", y=y)


def part_cost(repeat: int) -> None:
    import bayesreg as br

    rng = np.random.default_rng(0)
    n, p = 200, 50
    X = rng.normal(size=(n, p))
    w = np.zeros(p)
    w[:5] = [1.0, -0.8, 0.7, 0.6, -0.5]
    y = X @ w + rng.normal(size=n)
    model, idata = conjugate_reference(X, y, 1.0, rng)
    br.project(idata, model, X, y, max_size=2)  # warm-up (imports, first PSIS)
    print("## cost: 1000 draws, n = 200, p = 50, Gaussian, max_size = 20")
    print(f"{'search':8} {'n_draws':>8} {'seconds':>8}  order[:5]  suggested")
    for search in ("forward", "l1"):
        for nd in (400, None):
            t, sel = _best(lambda s=search, k=nd: br.project(idata, model, X, y, search=s,
                                                           max_size=20, n_draws=k), repeat)
            print(f"{search:8} {str(nd or 1000):>8} {t:8.2f}  {sel.order[:5]}  "
                  f"{sel.suggest_size()}")


def part_kulprit(repeat: int, draws: int) -> None:
    import bambi as bmb
    import kulprit as kpt

    import bayesreg as br
    from bayesreg.samplers import build_tree

    X, y = br.datasets.load_diabetes(return_X_y=True, standardize=True)
    df = X.assign(target=y)
    names = list(X.columns)
    bm = bmb.Model("target ~ " + " + ".join(names), df, family="gaussian")
    t0 = time.perf_counter()
    idata = bm.fit(draws=draws, tune=draws, chains=2, random_seed=1, progressbar=False,
                   idata_kwargs={"log_likelihood": True})
    bm.predict(idata, kind="response", random_seed=1)
    t_fit = time.perf_counter() - t0
    post = idata["posterior"]
    C, D = post.sizes["chain"], post.sizes["draw"]
    coef = np.stack([post[c].transpose("chain", "draw").values for c in names], axis=-1)
    ours = {"coef": coef, "intercept": post["Intercept"].transpose("chain", "draw").values,
            "sigma": post["sigma"].transpose("chain", "draw").values}
    model = br.Model(br.Gaussian(), br.Normal(1e3))  # metadata: the draws are Bambi's
    tree = build_tree(model, ours, {}, names, sampler="bambi", y=np.asarray(y, dtype=float),
                      names_given=True)
    print(f"\n## kulprit {kpt.__version__} vs bayesreg on diabetes (n=442, p=10); reference: "
          f"Bambi {bmb.__version__} NUTS, {C} x {D} draws ({t_fit:.1f} s to fit)")
    times = {"bayesreg": np.inf, "kulprit": np.inf}
    sel = ppi = None
    for _ in range(repeat):  # interleaved
        t = time.perf_counter()
        sel = br.project(tree, model, X, y, search="forward", n_draws=400, n_clusters=20)
        times["bayesreg"] = min(times["bayesreg"], time.perf_counter() - t)
        t = time.perf_counter()
        ppi = kpt.ProjectionPredictive(bm, idata)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ppi.project(method="forward", num_samples=400, num_clusters=20)
        times["kulprit"] = min(times["kulprit"], time.perf_counter() - t)
    k_order = []
    for sub in ppi:
        new = [t for t in sub.term_names if t not in k_order and t != "Intercept"]
        k_order += new
    cmp = ppi.compare()
    chosen = ppi.select("se")
    k_size = None if chosen is None else chosen.size
    print(f"order  bayesreg: {sel.order}")
    print(f"order  kulprit:  {k_order}")
    print(f"suggested size  bayesreg (projpred one-SE rule): {sel.suggest_size()}; "
          f"kulprit select('se'): {k_size}")
    t = sel.table
    ok = np.flatnonzero(t["elpd"] + t["elpd_se"] >= sel.reference["elpd"])
    print(f"kulprit's rule (elpd_k + se_k >= elpd_ref: the submodel's own SE, not the SE of the "
          f"difference) on bayesreg's table: {int(ok[0]) if ok.size else None}")
    print(f"reference elpd  bayesreg {sel.reference['elpd']:.1f} (se {sel.reference['elpd_se']:.1f});"
          f" kulprit {ppi.reference_model.elpd:.1f} (se {ppi.reference_model.elpd_se:.1f})")
    print("size  elpd bayesreg (se)   elpd kulprit (se)")
    kel = [s.elpd for s in ppi]
    kse = [s.elpd_se for s in ppi]
    for k in range(len(sel.table)):
        r = sel.table.iloc[k]
        kk = f"{kel[k]:9.1f} ({kse[k]:.1f})" if k < len(kel) else ""
        print(f"{k:4d}  {r['elpd']:9.1f} ({r['elpd_se']:.1f})   {kk}")
    print(f"seconds (search + evaluation, best of {repeat}): bayesreg {times['bayesreg']:.2f}, "
          f"kulprit {times['kulprit']:.2f}, ratio kulprit / bayesreg "
          f"{times['kulprit'] / times['bayesreg']:.0f}")
    print(cmp.round(2).to_string())


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="fewer draws for the Bambi fit")
    ap.add_argument("--no-kulprit", action="store_true")
    a = ap.parse_args(argv)
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        part_cost(a.repeat)
        if not a.no_kulprit:
            part_kulprit(a.repeat, 250 if a.quick else 1000)


if __name__ == "__main__":
    main()
