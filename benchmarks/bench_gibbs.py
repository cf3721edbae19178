"""Effective samples per second: bayesreg's exact Gibbs sampler vs nutpie (NUTS).

Problem: Gaussian likelihood with estimated sigma (HalfNormal prior), Laplace prior on 20
coefficients, n = 1000 rows. Every sampler runs 4 chains x (1000 tune + 2000 draws) in this
process. ESS is ArviZ's bulk ESS; the table reports the minimum over all parameters (coef,
intercept, sigma) and the median over the coefficients, divided by wall time. nutpie is timed
twice: the first call includes compiling the model (numba), the second reuses the compiled model.

Run: ``.venv/bin/python benchmarks/bench_gibbs.py [--n 1000] [--p 20] [--repeat 2]
[--no-rowwise] [--wide-only]``

``--wide-only``: seconds per sweep for p > n (n = 100, p = 500 ... 2000), the O(n^2 p)
coefficient draw ``sample_gibbs`` uses there vs the p x p Cholesky draw.
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
    coef = np.ravel(ess["coef"].values)
    return float(vals.min()), float(np.median(coef))


def _problem(n, p, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    w = np.zeros(p)
    w[: p // 4] = rng.normal(scale=1.0, size=p // 4)
    y = 1.0 + X @ w + rng.normal(size=n)
    return X, y


def bench_wide(n=100, ps=(500, 1000, 2000), draws=200, tune=50):
    """p > n: seconds per Gibbs sweep of the O(n^2 p) coefficient draw (what ``sample_gibbs``
    uses when p > n) vs the p x p Cholesky draw from the sufficient statistics (forced)."""
    import bayesreg as br
    from bayesreg.samplers import gibbs
    from bayesreg.suffstats import SuffStats

    print(f"\np > n Gibbs sweeps (Gaussian-Laplace, sigma estimated, n={n}, 1 chain, "
          f"{tune} tune + {draws} draws)")
    hdr = f"{'p':>6s} {'n^2 p draw s/sweep':>20s} {'p x p draw s/sweep':>20s} {'speed-up':>9s}"
    print(hdr)
    print("-" * len(hdr))
    model = br.Model(br.Gaussian(), br.Laplace(0.2))
    for p in ps:
        X, y = _problem(n, p)
        sw = np.ones(n)
        s_prior = model.likelihood.resolve_sigma_prior_scale(y, sw)
        wide_stats, rows = gibbs.wide_rows(X, y, sw, True)
        gibbs.gibbs_draws(model, wide_stats, 2, 0, 1, 0, s_prior, rows)  # load kernels
        t0 = time.perf_counter()
        gibbs.gibbs_draws(model, wide_stats, draws, tune, 1, 0, s_prior, rows)
        t_wide = (time.perf_counter() - t0) / (draws + tune)
        narrow = SuffStats.from_rows(X, y, sw, True)
        k = max(2, min(draws + tune, int(20 * (500 / p) ** 3)))  # the p x p draw is slow: fewer
        t0 = time.perf_counter()
        gibbs.gibbs_draws(model, narrow, k, 0, 1, 0, s_prior)
        t_narrow = (time.perf_counter() - t0) / k
        print(f"{p:6d} {t_wide:20.4f} {t_narrow:20.4f} {t_narrow / t_wide:8.0f}x")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--p", type=int, default=20)
    ap.add_argument("--draws", type=int, default=2000)
    ap.add_argument("--tune", type=int, default=1000)
    ap.add_argument("--chains", type=int, default=4)
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--no-nutpie", action="store_true")
    ap.add_argument("--no-rowwise", action="store_true",
                    help="skip the row-wise PyMC model (slow for large n)")
    ap.add_argument("--wide-only", action="store_true",
                    help="only the p > n sweep timing (O(n^2 p) vs p x p draw)")
    args = ap.parse_args(argv)
    if args.wide_only:
        return bench_wide()

    import bayesreg as br
    from bayesreg.samplers import sample_gibbs

    X, y = _problem(args.n, args.p)
    model = br.Model(br.Gaussian(), br.Laplace(0.2))
    kw = dict(draws=args.draws, tune=args.tune, chains=args.chains)
    rows = []

    # Gibbs: the first call may compile the numba kernel (cached on disk afterwards)
    t0 = time.perf_counter()
    sample_gibbs(model, X, y, draws=10, tune=0, chains=1, random_seed=0, log_likelihood=False)
    t_jit = time.perf_counter() - t0
    gibbs_trees = []
    for r in range(args.repeat):
        t0 = time.perf_counter()
        tree = sample_gibbs(model, X, y, random_seed=r, progressbar=False, log_likelihood=False,
                            **kw)
        dt = time.perf_counter() - t0
        gibbs_trees.append(tree)
        rows.append(("gibbs (bayesreg)", r, dt, *_ess(tree)))

    if not args.no_nutpie:
        from bayesreg.pymc import sample

        variants = [("nutpie, suff-stats model", "auto")]
        if not args.no_rowwise:
            variants.append(("nutpie, row-wise model", False))
        for label, suff in variants:
            for r in range(args.repeat):
                t0 = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    tree = sample(model, X, y, sampler="nutpie", random_seed=r, progressbar=False,
                                  log_likelihood=False, suff_stats=suff, **kw)
                dt = time.perf_counter() - t0
                tag = label + (" (incl. compile)" if r == 0 else "")
                rows.append((tag, r, dt, *_ess(tree)))
                if suff == "auto" and r == args.repeat - 1:
                    nuts_tree = tree

        # agreement: posterior means of Gibbs vs NUTS, MCSE-scaled
        import arviz_stats

        g = gibbs_trees[-1]["posterior"].to_dataset()
        nt = nuts_tree["posterior"].to_dataset()
        zmax = 0.0
        for v in ("coef", "intercept", "sigma"):
            d = g[v].mean(("chain", "draw")) - nt[v].mean(("chain", "draw"))
            se = np.sqrt(arviz_stats.mcse(g[v]) ** 2 + arviz_stats.mcse(nt[v]) ** 2)
            zmax = max(zmax, float(np.abs(d / se).max()))
        print(f"max |z| of posterior-mean differences Gibbs vs NUTS: {zmax:.2f}")

    print(f"\nGaussian-Laplace, sigma estimated: n={args.n}, p={args.p}, "
          f"{args.chains} chains x ({args.tune} tune + {args.draws} draws); "
          f"numba JIT/cache load of the Gibbs kernel: {t_jit:.2f} s")
    hdr = f"{'sampler':42s} {'run':>3s} {'wall s':>8s} {'min ESS':>9s} {'med ESS':>9s} " \
          f"{'minESS/s':>10s} {'medESS/s':>10s}"
    print(hdr)
    print("-" * len(hdr))
    for name, r, dt, emin, emed in rows:
        print(f"{name:42s} {r:3d} {dt:8.3f} {emin:9.0f} {emed:9.0f} {emin / dt:10.0f} "
              f"{emed / dt:10.0f}")
    g = [row for row in rows if row[0].startswith("gibbs")]
    nuts = [row for row in rows if row[0].startswith("nutpie, suff") and row[1] > 0]
    if nuts:
        ratio = np.median([r[3] / r[2] for r in g]) / np.median([r[3] / r[2] for r in nuts])
        print(f"\nGibbs / nutpie (compiled, suff-stats) min-ESS per second: {ratio:.1f}x")
    return rows


if __name__ == "__main__":
    main()
