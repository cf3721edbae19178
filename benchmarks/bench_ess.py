"""Minimum bulk / tail ESS per second: bayesreg's samplers vs nutpie and vs hand-written PyMC.

Three parts (``--part``, comma-separated; default all):

* ``horseshoe`` (issue 12): ``Model(Gaussian(), Horseshoe())`` (sigma estimated, HalfNormal
  prior; tau ~ C+(0, 1) relative to sigma), 10 non-zero coefficients, (n, p) = (200, 2000),
  (10000, 50), (500, 500). Sides: ``br-gibbs`` = ``model.sample(sampler="gibbs")``;
  ``br-nutpie`` = nutpie on ``model.to_pymc(X, y)`` (the PyMC model ``sample(sampler="nutpie")``
  builds and compiles). Reported: min bulk / tail ESS over the coefficients, tau's bulk / tail
  ESS, divergences.
* ``hard``: the PyMC users' hard case, p = 2000, n = 200, 10 signals: ``BayesianLasso()``
  (Park & Casella, lambda^2 ~ Gamma(1, 1.78), w | sigma ~ Laplace(0, sigma / lambda)) with
  ``br-gibbs`` and ``br-nutpie``, and the same posterior written by hand in PyMC
  (``pm-nutpie``: nutpie on the hand-written model, which is what
  ``pm.sample(nuts_sampler="nutpie")`` runs; ``pm-nuts``: ``pm.sample`` with PyMC's NUTS).
* ``pymc`` (issue 17): p = 20, n = 1e4 and 1e5, ``Normal(1)`` and ``Laplace(0.5)`` priors
  (fixed scale), Gaussian likelihood, the four sides above; the hand-written model is the
  row-wise ``pm.Normal("y", mu=b + X @ w, sigma=sigma, observed=y)`` a PyMC user writes.

Protocol: BLAS on one thread (threadpoolctl), every sampler on one core (``cores=1``: chains
in sequence; nutpie's threads and PyMC's processes would otherwise compete with each other on
the shared machine), fixed seeds (data seed per problem, sampler seed = repeat index), the sides
interleaved per repeat in this process. ``wall s`` / ``cpu s`` are the sampling call alone;
``setup s`` is separate: nutpie's compile of the model (once per model, reused by later runs),
the Gibbs kernels' first load (numba cache) for ``br-gibbs``, nothing for ``pm-nuts``
(its compile is inside ``pm.sample``, every call). ESS: ``arviz_stats.ess`` bulk and tail, per
parameter; ``min ESS/s`` = the smaller of the min bulk and min tail ESS over the coefficients
(and tau or lambda^2 where the prior has it) divided by the sampling wall time. ``|z|``: largest
MCSE-scaled difference of the posterior means of the coefficients vs ``br-gibbs`` (both
MCSEs): the sides sample the same posterior. A run that exceeds ``--cap`` CPU seconds (CPU,
not wall: a loaded machine does not shorten the budget) is stopped and reported with how far it
got.

Usage: ``python benchmarks/bench_ess.py [--quick] [--part horseshoe,hard,pymc] [--repeat 1]
[--draws 1000 --tune 1000 --chains 2] [--cap 900] [--json out.jsonl]``
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings

import numpy as np

os.environ.setdefault("MPLBACKEND", "Agg")
warnings.filterwarnings("ignore", category=FutureWarning)
warnings.filterwarnings("ignore", category=UserWarning)

SIGNALS = np.array([3.0, -3.0, 2.0, -2.0, 1.5, -1.5, 1.0, -1.0, 0.5, -0.5])


# ----------------------------------------------------------------------------- problems
def sparse_problem(n, p, seed=0):
    """X ~ N(0, 1) i.i.d., intercept 1, the first min(10, p) coefficients SIGNALS, noise sd 1."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    w = np.zeros(p)
    k = min(len(SIGNALS), p)
    w[:k] = SIGNALS[:k]
    return X, 1.0 + X @ w + rng.normal(size=n)


def dense_problem(n, p, seed=0):
    """As benchmarks/bench_posterior.py: coefficients N(0, 0.5^2), intercept 1, noise sd 1."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p))
    return X, 1.0 + X @ rng.normal(scale=0.5, size=p) + rng.normal(size=n)


# ----------------------------------------------------------------------------- hand-written PyMC
def handwritten(X, y, prior):
    """The row-wise PyMC model a user writes for bayesreg's posterior (flat intercept,
    sigma ~ HalfNormal(sd(y)), the prior on coef)."""
    import pymc as pm

    n, p = X.shape
    with pm.Model(coords={"feature": [f"x{j}" for j in range(p)]}) as m:
        b = pm.Flat("intercept")
        sigma = pm.HalfNormal("sigma", float(np.std(y)))
        kind, arg = prior
        if kind == "normal":
            w = pm.Normal("coef", 0.0, arg, dims="feature")
        elif kind == "laplace":
            w = pm.Laplace("coef", 0.0, arg, dims="feature")
        elif kind == "bayesian_lasso":  # Park & Casella: w | sigma, lambda ~ Laplace(0, sigma/lambda)
            lam2 = pm.Gamma("lam2", alpha=arg[0], beta=arg[1])
            w = pm.Laplace("coef", 0.0, sigma / pm.math.sqrt(lam2), dims="feature")
        else:
            raise ValueError(kind)
        pm.Normal("y", mu=b + pm.math.dot(X, w), sigma=sigma, observed=y)
    return m


# ----------------------------------------------------------------------------- measuring
def ess_summary(post, hyper):
    """Min bulk / tail ESS over coef, the hyperparameter's bulk / tail, posterior means, MCSEs."""
    import arviz_stats

    names = ["coef"] + [h for h in hyper if h in post.data_vars]
    ds = post[names]
    bulk = arviz_stats.ess(ds, method="bulk")
    tail = arviz_stats.ess(ds, method="tail")
    out = {"coef_bulk": float(bulk["coef"].min()), "coef_tail": float(tail["coef"].min()),
           "coef_med_bulk": float(np.median(bulk["coef"].values))}
    for h in names[1:]:
        out[f"{h}_bulk"] = float(bulk[h].min())
        out[f"{h}_tail"] = float(tail[h].min())
    out["min_ess"] = min(v for k, v in out.items() if k.endswith(("_bulk", "_tail"))
                         and "med" not in k)
    out["mean"] = post["coef"].mean(("chain", "draw")).values
    out["mcse"] = np.asarray(arviz_stats.mcse(post["coef"]).values)
    return out


def _posterior(tree):
    post = tree["posterior"]
    return post.to_dataset() if hasattr(post, "to_dataset") else post


def _divergences(tree):
    st = tree["sample_stats"]
    st = st.to_dataset() if hasattr(st, "to_dataset") else st
    return int(st["diverging"].sum()) if "diverging" in st.data_vars else 0


def run_gibbs(model, X, y, draws, tune, chains, seed):
    t0, c0 = time.perf_counter(), time.process_time()
    tree = model.sample(X, y, sampler="gibbs", draws=draws, tune=tune, chains=chains,
                        random_seed=seed, progressbar=False, log_likelihood=False)
    return {"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0,
            "tree": tree, "done": True}


def _finished(bg):
    try:
        return bool(bg.is_finished)
    except TimeoutError:  # nutpie 0.16 raises while the sampler is busy
        return False


def run_nutpie(compiled, draws, tune, chains, seed, cap):
    """nutpie on one core, stopped after ``cap`` CPU seconds (then: how many iterations ran)."""
    import nutpie

    t0, c0 = time.perf_counter(), time.process_time()
    bg = nutpie.sample(compiled, draws=draws, tune=tune, chains=chains, cores=1, seed=seed,
                       progress_bar=False, save_warmup=False, blocking=False)
    while not _finished(bg) and time.process_time() - c0 < cap:
        time.sleep(0.05)
    if _finished(bg):
        tree = bg.wait()
        return {"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0,
                "tree": tree, "done": True}
    bg.pause()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    try:
        part = bg.inspect()
        st = part["sample_stats"] if "sample_stats" in part.children else None
        kept = int(st.to_dataset().sizes.get("draw", 0)) if st is not None else 0
    except Exception:  # noqa: BLE001 - progress report only
        kept = -1
    bg.cancel()
    return {"wall": wall, "cpu": cpu, "tree": None, "done": False,
            "progress": f"stopped at {cap:.0f} cpu s: {kept} kept draws of {draws} (per chain, "
                        f"first chains first; {tune} tune each)"}


def run_pymc_nuts(pm_model, draws, tune, chains, seed, cap):
    import pymc as pm

    t0, c0 = time.perf_counter(), time.process_time()
    count = {"it": 0}

    def stop(trace, draw):
        count["it"] += 1
        if time.process_time() - c0 > cap:
            raise KeyboardInterrupt

    try:
        with pm_model:
            idata = pm.sample(draws=draws, tune=tune, chains=chains, cores=1, random_seed=seed,
                              nuts_sampler="pymc", progressbar=False,
                              compute_convergence_checks=False, callback=stop)
    except ValueError:  # stopped during tuning: PyMC has no kept draw to return
        idata = None
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    if cpu > cap or idata is None:
        return {"wall": wall, "cpu": cpu, "tree": None, "done": False,
                "progress": f"stopped at {cap:.0f} cpu s after {count['it']} of "
                            f"{chains * (draws + tune)} iterations (chains in sequence)"}
    return {"wall": wall, "cpu": cpu, "tree": idata, "done": True}


def compile_nutpie(pm_model):
    import nutpie

    t0, c0 = time.perf_counter(), time.process_time()
    compiled = nutpie.compile_pymc_model(pm_model)
    return compiled, (time.perf_counter() - t0, time.process_time() - c0)


def bench_problem(label, model, X, y, hyper, sides, hand_prior, draws, tune, chains, repeat, cap,
                  log):
    """Every side on one problem, interleaved per repeat. Returns the rows."""
    setup = {}
    if "br-gibbs" in sides:
        t0, c0 = time.perf_counter(), time.process_time()
        model.sample(X, y, sampler="gibbs", draws=3, tune=0, chains=1, random_seed=0,
                     progressbar=False, log_likelihood=False)
        setup["br-gibbs"] = (time.perf_counter() - t0, time.process_time() - c0)
    compiled = {}
    if "br-nutpie" in sides:
        t0, c0 = time.perf_counter(), time.process_time()
        pm_model = model.to_pymc(X, y)
        build = (time.perf_counter() - t0, time.process_time() - c0)
        compiled["br-nutpie"], comp = compile_nutpie(pm_model)
        setup["br-nutpie"] = (build[0] + comp[0], build[1] + comp[1])
        setup["br-build"] = build
    t0, c0 = time.perf_counter(), time.process_time()
    hand = handwritten(X, y, hand_prior) if hand_prior is not None else None
    build = (time.perf_counter() - t0, time.process_time() - c0)
    if "pm-nutpie" in sides:
        compiled["pm-nutpie"], comp = compile_nutpie(hand)
        setup["pm-nutpie"] = (build[0] + comp[0], build[1] + comp[1])
        setup["pm-build"] = build
    setup["pm-nuts"] = (0.0, 0.0)
    rows, ref = [], None
    stopped = set()
    for r in range(repeat):
        for side in sides:
            if side in stopped:
                continue
            if side == "br-gibbs":
                res = run_gibbs(model, X, y, draws, tune, chains, r)
            elif side in compiled:
                res = run_nutpie(compiled[side], draws, tune, chains, r, cap)
            else:
                res = run_pymc_nuts(hand, draws, tune, chains, r, cap)
            row = {"problem": label, "side": side, "run": r, "wall": res["wall"],
                   "cpu": res["cpu"], "setup": setup.get(side, (0.0, 0.0))[0],
                   "setup_cpu": setup.get(side, (0.0, 0.0))[1], "done": res["done"],
                   "load": os.getloadavg()[0]}
            if side in ("br-nutpie", "pm-nutpie"):
                row["build"] = setup[side[:2] + "-build"]
            if res["done"]:
                s = ess_summary(_posterior(res["tree"]), hyper)
                row.update({k: v for k, v in s.items() if k not in ("mean", "mcse")})
                row["div"] = _divergences(res["tree"])
                if side == "br-gibbs":
                    ref = s
                if ref is not None:
                    se = np.sqrt(ref["mcse"] ** 2 + s["mcse"] ** 2)
                    row["zmax"] = float(np.max(np.abs(ref["mean"] - s["mean"]) / se))
            else:
                row["progress"] = res["progress"]
                stopped.add(side)
            rows.append(row)
            log(row)
    return rows


# ----------------------------------------------------------------------------- output
def _setup(row):
    return f"{row['setup']:.1f} ({row.get('setup_cpu', float('nan')):.1f})"


def fmt_row(row, hyper):
    h = next((x for x in hyper if f"{x}_bulk" in row), None)
    if not row["done"]:
        return (f"| {row['problem']} | {row['side']} | {row['run']} | {_setup(row)} | "
                f"{row['wall']:.1f} | {row['cpu']:.1f} | {row['progress']} | | | | | | | "
                f"{row['load']:.1f} |")
    hb = f"{row[f'{h}_bulk']:.0f} / {row[f'{h}_tail']:.0f}" if h else ""
    z = f"{row['zmax']:.1f}" if "zmax" in row and row["side"] != "br-gibbs" else ""
    return (f"| {row['problem']} | {row['side']} | {row['run']} | {_setup(row)} | "
            f"{row['wall']:.1f} | {row['cpu']:.1f} | {row['coef_bulk']:.0f} / "
            f"{row['coef_tail']:.0f} | {hb} | {row['min_ess'] / row['wall']:.2f} | "
            f"{row['min_ess'] / (row['wall'] + row['setup']):.2f} | "
            f"{row['coef_med_bulk'] / row['wall']:.1f} | {row['div']} | {z} | {row['load']:.1f} |")


HEADER = ("| problem | side | run | setup wall (cpu) s | wall s | cpu s | coef min ESS bulk / tail | "
          "hyper ESS bulk / tail | min ESS/s | min ESS/s incl. setup | median coef bulk ESS/s | "
          "divergences | max z vs gibbs | load |\n"
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")


def ratio_lines(rows, num, dens):
    """Median min-ESS/s (per wall and per cpu second) of side ``num`` over each of ``dens``."""
    out = []
    for prob in dict.fromkeys(r["problem"] for r in rows):
        def rate(side, t="wall", prob=prob):
            v = [r["min_ess"] / r[t] for r in rows
                 if r["problem"] == prob and r["side"] == side and r["done"]]
            return float(np.median(v)) if v else None
        a = rate(num)
        parts = []
        for d in dens:
            b = rate(d)
            if a is not None and b is not None:
                c = rate(num, "cpu") / rate(d, "cpu")
                parts.append(f"{a / b:.1f}x vs {d} (per cpu s {c:.1f}x)")
            elif a is not None and any(r["problem"] == prob and r["side"] == d for r in rows):
                parts.append(f"{d} did not finish")
        if parts:
            out.append(f"- {prob}: {num} " + ", ".join(parts))
    return out


def print_tables(files):
    """The markdown tables and ratios of rows saved with ``--json``."""
    rows = [json.loads(line) for f in files for line in open(f) if line.strip()]
    for prob in dict.fromkeys(r["problem"] for r in rows):
        sub = [r for r in rows if r["problem"] == prob]
        hyper = ("tau",) if "horseshoe" in prob else ("lam2",) if "lasso" in prob else ()
        print(f"{HEADER}")
        for row in sub:
            print(fmt_row(row, hyper))
        sides = list(dict.fromkeys(r["side"] for r in sub))
        print()
        for num in ("br-gibbs", "br-nutpie"):
            if num in sides:
                print("\n".join(ratio_lines(sub, num, [d for d in sides if d != num
                                                        and d.startswith("pm") or num == "br-gibbs"
                                                        and d == "br-nutpie"])))
        print()
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, 2 x (300 + 300) draws")
    ap.add_argument("--part", default="horseshoe,hard,pymc")
    ap.add_argument("--draws", type=int, default=1000)
    ap.add_argument("--tune", type=int, default=1000)
    ap.add_argument("--chains", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--cap", type=float, default=900.0, help="CPU seconds per sampling run")
    ap.add_argument("--sizes", default=None, help="horseshoe (n, p) list, e.g. 200x2000,500x500")
    ap.add_argument("--ns", default=None, help="pymc part: n values, e.g. 10000,100000")
    ap.add_argument("--json", default=None, help="append every row as a JSON line to this file")
    ap.add_argument("--table", nargs="+", default=None,
                    help="only print the tables of rows saved with --json (files)")
    args = ap.parse_args(argv)
    if args.table:
        return print_tables(args.table)
    from threadpoolctl import threadpool_limits

    import bayesreg as br

    q = args.quick
    draws, tune = (300, 300) if q else (args.draws, args.tune)
    chains, cap = args.chains, (20.0 if q else args.cap)
    parts = args.part.split(",")
    if args.sizes:
        sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    else:
        sizes = [(100, 200)] if q else [(200, 2000), (10000, 50), (500, 500)]
    ns = ([int(v) for v in args.ns.split(",")] if args.ns
          else [10_000] if q else [10_000, 100_000])
    hard_np = (100, 200) if q else (200, 2000)

    def log(row):
        print("  " + ", ".join(f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v}"
                               for k, v in row.items()), flush=True)
        if args.json:
            with open(args.json, "a") as fh:
                fh.write(json.dumps(row) + "\n")

    t_start = time.perf_counter()
    print(f"# bench_ess {' '.join(sys.argv[1:])}: {chains} chains x ({tune} tune + {draws} "
          f"draws), one core per sampler, BLAS 1 thread; load average at start "
          f"{os.getloadavg()[0]:.1f}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
          flush=True)
    tables = []
    with threadpool_limits(1):
        if "horseshoe" in parts:
            rows = []
            model = br.Model(br.Gaussian(), br.Horseshoe())
            for n, p in sizes:
                X, y = sparse_problem(n, p)
                rows += bench_problem(f"horseshoe n={n} p={p}", model, X, y, ("tau",),
                                      ["br-gibbs", "br-nutpie"], None, draws, tune, chains,
                                      args.repeat, cap, log)
            tables.append(("horseshoe (issue 12)", rows, ("tau",),
                           ratio_lines(rows, "br-gibbs", ["br-nutpie"])))
        if "hard" in parts:
            n, p = hard_np
            X, y = sparse_problem(n, p)
            model = br.Model(br.Gaussian(), br.BayesianLasso())
            lam2 = tuple(model.prior.lam2_prior)
            rows = bench_problem(f"Bayesian lasso n={n} p={p}", model, X, y, ("lam2",),
                                 ["br-gibbs", "br-nutpie", "pm-nutpie", "pm-nuts"],
                                 ("bayesian_lasso", lam2), draws, tune, chains, args.repeat,
                                 cap, log)
            tables.append(("Bayesian lasso, the hard case (issues 12, 17)", rows, ("lam2",),
                           ratio_lines(rows, "br-gibbs", ["br-nutpie", "pm-nutpie", "pm-nuts"])
                           + ratio_lines(rows, "br-nutpie", ["pm-nutpie", "pm-nuts"])))
        if "pymc" in parts:
            rows = []
            priors = [("Normal(1)", br.Normal(1.0), ("normal", 1.0))]
            if not q:
                priors.append(("Laplace(0.5)", br.Laplace(0.5), ("laplace", 0.5)))
            for n in ns:
                X, y = dense_problem(n, 20, seed=n)
                for name, prior, hand in priors:
                    rows += bench_problem(f"{name} n={n} p=20", br.Model(br.Gaussian(), prior),
                                          X, y, (), ["br-gibbs", "br-nutpie", "pm-nutpie",
                                                     "pm-nuts"], hand, draws, tune, chains,
                                          args.repeat, cap, log)
            tables.append(("bayesreg vs hand-written PyMC, p = 20 (issue 17)", rows, (),
                           ratio_lines(rows, "br-gibbs", ["pm-nutpie", "pm-nuts"])
                           + ratio_lines(rows, "br-nutpie", ["pm-nutpie", "pm-nuts"])))
    print(f"\nTotal {(time.perf_counter() - t_start) / 60:.1f} min; load average at end "
          f"{os.getloadavg()[0]:.1f}\n")
    for title, rows, hyper, ratios in tables:
        print(f"## {title}\n\n{HEADER}")
        for row in rows:
            print(fmt_row(row, hyper))
        print("\nmin-ESS/s ratios (median over runs):")
        print("\n".join(ratios) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
