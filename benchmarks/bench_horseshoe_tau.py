"""The horseshoe's tau updates in the exact Gibbs sampler: ESS per CPU second of tau and of the
coefficients for each combination of its three exact tau steps.

Variants (``bayesreg.priors._shrinkage.horseshoe_face`` options; the centered step ``tau^2 | w,
lambda, xi`` always runs):

* ``centered``: that step only;
* ``interweave``: + the interweaving step along fixed ``tau^2 lambda_j^2`` (a GIG slice update);
* ``marginal``: + the collapsed step (coefficients integrated out, one eigendecomposition per
  sweep: n x n when p > n, p x p otherwise);
* ``both``: + both.

Problem: Gaussian likelihood, sigma estimated, ``Horseshoe()`` (tau ~ C+(0, 1), relative to
sigma), 5 non-zero coefficients, N(0, 1) design. All variants run in this process, interleaved
per repeat, BLAS on one thread; time is ``time.process_time`` (CPU seconds of this process, less
sensitive to the load of other jobs than wall time). ESS: ArviZ bulk ESS of tau and the median
over the coefficients.

    PYTHONPATH=. python benchmarks/bench_horseshoe_tau.py [--shapes 200x2000,500x50] [--repeat 2]
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numpy as np

os.environ.setdefault("MPLBACKEND", "Agg")

VARIANTS = {"centered": (False, False), "interweave": (True, False),
            "marginal": (False, True), "both": (True, True)}


def _problem(n, p, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    w = np.zeros(p)
    w[:5] = [3.0, -2.0, 1.5, 1.0, -0.5]
    return X, 1.0 + X @ w + rng.normal(size=n)


def _prior(interweave, marginal):
    import bayesreg as br
    from bayesreg.priors._shrinkage import horseshoe_face

    class _Variant(br.Horseshoe):
        def gibbs_face(self, n_coef):
            return horseshoe_face(n_coef, self._A, self.relative_to_sigma, self.fix_global,
                                  False, interweave=interweave, marginal=marginal)

    return _Variant()


def main():
    import arviz_stats

    import bayesreg as br
    from bayesreg._threads import serial_blas
    from bayesreg.samplers.gibbs import gibbs_draws, wide_rows  # noqa: I001
    from bayesreg.suffstats import SuffStats

    ap = argparse.ArgumentParser()
    ap.add_argument("--shapes", default="200x2000,500x50")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--chains", type=int, default=2)
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--tune", type=int, default=300)
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    import bayesreg.samplers.gibbs as gibbs_module

    gibbs_module.GLOBAL_STEP = "always"  # the variants below choose the steps themselves
    print("| n x p | variant | run | CPU s | tau ESS | med coef ESS | tau ESS/s | med coef ESS/s |")
    print("|---|---|---|---|---|---|---|---|")
    with serial_blas():
        for shape in args.shapes.split(","):
            n, p = (int(v) for v in shape.split("x"))
            X, y = _problem(n, p)
            sw = np.ones(n)
            if p > n:
                stats, rows = wide_rows(X, y, sw, True)
            else:
                stats, rows = SuffStats.from_rows(X, y, sw, True), None
            s_prior = float(np.std(y))
            for iw, mg in VARIANTS.values():  # compile / load every variant first
                gibbs_draws(br.Model(br.Gaussian(), _prior(iw, mg)), stats, 2, 2, 1, 0, s_prior,
                            rows)
            for r in range(args.repeat):
                for name, (iw, mg) in VARIANTS.items():
                    model = br.Model(br.Gaussian(), _prior(iw, mg))
                    t = time.process_time()
                    post, _ = gibbs_draws(model, stats, args.draws, args.tune, args.chains, r,
                                          s_prior, rows)
                    cpu = time.process_time() - t
                    tau = float(arviz_stats.ess(post["tau"], method="bulk"))
                    coef = float(np.median(arviz_stats.ess(post["coef"], method="bulk")))
                    print(f"| {n} x {p} | {name} | {r} | {cpu:.1f} | {tau:.0f} | {coef:.0f} | "
                          f"{tau / cpu:.2f} | {coef / cpu:.1f} |", flush=True)


if __name__ == "__main__":
    main()
