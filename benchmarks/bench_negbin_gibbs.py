"""Effective samples per second: the negative binomial's Polya-gamma Gibbs sampler vs nutpie.

Problem: NB2 counts (alpha = 0.5) from a dense Gaussian X (n x p, default 2000 x 20), Normal(1)
prior on the coefficients, flat intercept; alpha fixed at 0.5, and alpha estimated
(HalfNormal(1) prior). Both samplers run ``--chains`` chains x (``--tune`` + ``--draws``) in this
process, interleaved (Gibbs, nutpie, Gibbs, nutpie, ...), BLAS on one thread (threadpoolctl).
ESS is ArviZ's bulk ESS: the minimum over all parameters (coef, intercept, alpha) and the median
over the coefficients, divided by wall time. nutpie's first call compiles the model (reported
apart); the ratio uses the compiled runs. The posterior means of the two samplers are compared
(max |z|, MCSE-scaled) so that the speed is of the same posterior.

Run: ``.venv/bin/python benchmarks/bench_negbin_gibbs.py [--n 2000] [--p 20] [--repeat 2]``
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np

os.environ.setdefault("MPLBACKEND", "Agg")


def _ess(tree):
    import arviz_stats

    post = tree["posterior"].to_dataset()
    ess = arviz_stats.ess(post)
    vals = np.concatenate([np.ravel(ess[v].values) for v in ess.data_vars])
    return float(vals.min()), float(np.median(np.ravel(ess["coef"].values)))


def _problem(n, p, seed=0, alpha=0.5):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    w = np.zeros(p)
    w[: max(1, p // 4)] = rng.normal(scale=0.3, size=max(1, p // 4))
    mu = np.exp(0.5 + X @ w)
    r = 1.0 / alpha
    return X, rng.negative_binomial(r, r / (r + mu)).astype(float)


def _zmax(a, b, names):
    import arviz_stats

    g, nt = a["posterior"].to_dataset(), b["posterior"].to_dataset()
    z = 0.0
    for v in names:
        d = g[v].mean(("chain", "draw")) - nt[v].mean(("chain", "draw"))
        se = np.sqrt(arviz_stats.mcse(g[v]) ** 2 + arviz_stats.mcse(nt[v]) ** 2)
        z = max(z, float(np.abs(d / se).max()))
    return z


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--p", type=int, default=20)
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--tune", type=int, default=500)
    ap.add_argument("--chains", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)

    from threadpoolctl import threadpool_limits

    import bayesreg as br
    from bayesreg.pymc import sample
    from bayesreg.samplers import sample_gibbs

    X, y = _problem(args.n, args.p)
    kw = dict(draws=args.draws, tune=args.tune, chains=args.chains, progressbar=False,
              log_likelihood=False)
    print(f"NB2 {args.n}x{args.p}, Normal(1) prior, {args.chains} chains x ({args.tune} tune + "
          f"{args.draws} draws), BLAS 1 thread, interleaved")
    hdr = (f"{'model':14s} {'sampler':28s} {'run':>3s} {'wall s':>8s} {'min ESS':>8s} "
           f"{'med ESS':>8s} {'minESS/s':>9s} {'medESS/s':>9s}")
    print(hdr)
    print("-" * len(hdr))
    summary = []
    with threadpool_limits(1):
        for label, lik in (("alpha fixed", br.NegativeBinomial(0.5)),
                           ("alpha free", br.NegativeBinomial())):
            model = br.Model(lik, br.Normal(1.0))
            names = ("coef", "intercept") + (("alpha",) if lik.alpha is None else ())
            sample_gibbs(model, X, y, draws=5, tune=0, chains=1, random_seed=0,
                         progressbar=False, log_likelihood=False)  # imports, first calls
            rows, last = [], {}
            for r in range(args.repeat + 1):
                for sampler in ("gibbs", "nutpie"):
                    if sampler == "gibbs" and r == args.repeat:
                        continue
                    t0 = time.perf_counter()
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        if sampler == "gibbs":
                            tree = sample_gibbs(model, X, y, random_seed=r, **kw)
                        else:
                            tree = sample(model, X, y, sampler="nutpie", random_seed=r, **kw)
                    dt = time.perf_counter() - t0
                    tag = sampler + (" (incl. compile)" if sampler == "nutpie" and r == 0 else "")
                    emin, emed = _ess(tree)
                    rows.append((sampler, r, dt, emin, emed))
                    last[sampler] = tree
                    print(f"{label:14s} {tag:28s} {r:3d} {dt:8.2f} {emin:8.0f} {emed:8.0f} "
                          f"{emin / dt:9.1f} {emed / dt:9.1f}", flush=True)
            g = [row for row in rows if row[0] == "gibbs"]
            nt = [row for row in rows if row[0] == "nutpie" and row[1] > 0]
            ratio_min = np.median([x[3] / x[2] for x in g]) / np.median([x[3] / x[2] for x in nt])
            ratio_med = np.median([x[4] / x[2] for x in g]) / np.median([x[4] / x[2] for x in nt])
            z = _zmax(last["gibbs"], last["nutpie"], names)
            summary.append((label, ratio_min, ratio_med, z))
    print()
    for label, rmin, rmed, z in summary:
        print(f"{label}: Gibbs / nutpie (compiled) ESS/s: min {rmin:.2f}x, median coef "
              f"{rmed:.2f}x; max |z| of posterior-mean differences {z:.2f}")
    return summary


if __name__ == "__main__":
    main()
