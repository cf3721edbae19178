"""Effective samples per second on horseshoe regressions: bayesreg's exact Gibbs vs nutpie.

Problem: Gaussian likelihood, sigma estimated (HalfNormal prior), ``Horseshoe()`` prior (tau ~
C+(0, 1), relative to sigma), n = 200 rows, p = 50 and p = 500 (p > n: the Gibbs coefficient
draw is the O(n^2 p) algorithm of Bhattacharya et al. 2016), 5 non-zero coefficients. Every
sampler runs the same chains x (tune + draws) in this process, BLAS on one thread
(threadpoolctl), samplers interleaved per repeat. ESS is ArviZ's bulk ESS; the table reports the
minimum over coef, intercept, sigma and tau, the median over the coefficients and tau's own,
each divided by wall time. nutpie's first run includes compiling the model; the second reuses it. The last
column is the largest |z| of the posterior-mean differences Gibbs vs NUTS (MCSE-scaled, both
samplers' MCSEs): the two sample the same posterior.

Run: ``.venv/bin/python benchmarks/bench_shrinkage.py [--ps 50,500] [--n 200] [--repeat 2]``
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np

os.environ.setdefault("MPLBACKEND", "Agg")


def _problem(n, p, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    w = np.zeros(p)
    w[:5] = [3.0, -2.0, 1.5, 1.0, -0.5]
    y = 1.0 + X @ w + rng.normal(size=n)
    return X, y


def _ess(tree):
    import arviz_stats

    post = tree["posterior"].to_dataset()[["coef", "intercept", "sigma", "tau"]]
    ess = arviz_stats.ess(post)
    vals = np.concatenate([np.ravel(ess[v].values) for v in ess.data_vars])
    return (float(vals.min()), float(np.median(np.ravel(ess["coef"].values))),
            float(ess["tau"].values))


def _zmax(a, b):
    import arviz_stats

    ga, gb = a["posterior"].to_dataset(), b["posterior"].to_dataset()
    z = 0.0
    for v in ("coef", "intercept", "sigma"):
        d = ga[v].mean(("chain", "draw")) - gb[v].mean(("chain", "draw"))
        se = np.sqrt(arviz_stats.mcse(ga[v]) ** 2 + arviz_stats.mcse(gb[v]) ** 2)
        z = max(z, float(np.abs(d / se).max()))
    return z


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--ps", default="50,500")
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--tune", type=int, default=1000)
    ap.add_argument("--chains", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)
    from threadpoolctl import threadpool_limits

    import bayesreg as br

    model = br.Model(br.Gaussian(), br.Horseshoe())
    kw = dict(draws=args.draws, tune=args.tune, chains=args.chains, progressbar=False,
              log_likelihood=False)
    rows = []
    with threadpool_limits(1):
        for p in (int(v) for v in args.ps.split(",")):
            X, y = _problem(args.n, p)
            t0 = time.perf_counter()
            model.sample(X, y, draws=5, tune=0, chains=1, sampler="gibbs", random_seed=0,
                         progressbar=False, log_likelihood=False)
            t_jit = time.perf_counter() - t0
            last = {}
            for r in range(args.repeat):
                for sampler in ("gibbs", "nutpie"):
                    t0 = time.perf_counter()
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        tree = model.sample(X, y, sampler=sampler, random_seed=r, **kw)
                    dt = time.perf_counter() - t0
                    mn, med, et = _ess(tree)
                    div = (int(tree["sample_stats"]["diverging"].sum())
                           if "diverging" in tree["sample_stats"].data_vars else 0)
                    tag = sampler + (" (incl. compile)" if sampler == "nutpie" and r == 0 else "")
                    rows.append((p, tag, r, dt, mn, med, et, div))
                    last[sampler] = tree
                    print(f"p={p} {tag} run {r}: {dt:.1f} s, min ESS {mn:.0f}, med ESS {med:.0f}, "
                          f"tau ESS {et:.0f}, divergences {div}", flush=True)
            rows.append((p, f"max |z| Gibbs vs NUTS: {_zmax(last['gibbs'], last['nutpie']):.2f}; "
                         f"Gibbs kernel load {t_jit:.1f} s", None, None, None, None, None, None))
    print(f"\nHorseshoe, Gaussian, sigma estimated: n={args.n}, {args.chains} chains x "
          f"({args.tune} tune + {args.draws} draws), BLAS 1 thread")
    print("| p | sampler | run | wall s | min ESS | med ESS (coef) | tau ESS | min ESS/s | "
          "med ESS/s | tau ESS/s | divergences |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for p, tag, r, dt, mn, med, et, div in rows:
        if r is None:
            print(f"| {p} | {tag} | | | | | | | | | |")
            continue
        print(f"| {p} | {tag} | {r} | {dt:.1f} | {mn:.0f} | {med:.0f} | {et:.0f} | "
              f"{mn / dt:.1f} | {med / dt:.1f} | {et / dt:.1f} | {div} |")


if __name__ == "__main__":
    main()
