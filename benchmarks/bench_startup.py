"""Start-up costs a new user pays, each measured in fresh interpreter processes.

    python benchmarks/bench_startup.py [--repeat 3] [--cold]

* ``python -c pass`` (the interpreter alone) and ``import bayesreg`` (wall time of the process);
* ``bayesreg --help`` (``python -m bayesreg --help``);
* the first ``Model.map`` in a process (numba kernels loaded from their on-disk cache, or
  compiled when ``--cold`` removed it first) and a second one in the same process;
* the first ``Model.sample`` (Gibbs and nutpie) in a fresh process and a second, warm one in
  the same process.

Prints a Markdown table (medians over ``--repeat`` fresh processes; min in brackets). The machine
is shared: read the numbers as orders of magnitude. ``--cold`` deletes bayesreg's numba cache
files (``__pycache__/*.nbi|*.nbc`` of this checkout) before the first repeat only, so the first
process compiles every kernel it touches and the others load them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

SETUP = """
import time, json, numpy as np
t0 = time.perf_counter()
import bayesreg as br
t_import = time.perf_counter() - t0
rng = np.random.default_rng(0)
X = rng.normal(size=(200, 20)); y = X[:, :3] @ np.array([1.0, -2.0, 0.5]) + rng.normal(size=200)
model = br.Model(br.Gaussian(), br.Laplace(0.5))
"""

TIMED = {
    "map": "model.map(X, y)",
    "gibbs": "model.sample(X, y, draws=500, tune=500, chains=2, sampler='gibbs', "
             "random_seed=1, progressbar=False)",
    "nutpie": "model.sample(X, y, draws=500, tune=500, chains=2, sampler='nutpie', "
              "random_seed=1, progressbar=False)",
}


def _env():
    return dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def wall(argv) -> float:
    t0 = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, env=_env(), check=True, capture_output=True)
    return time.perf_counter() - t0


def first_and_warm(what: str) -> dict:
    code = SETUP + f"""
t0 = time.perf_counter(); {TIMED[what]}; t_first = time.perf_counter() - t0
t0 = time.perf_counter(); {TIMED[what]}; t_warm = time.perf_counter() - t0
print(json.dumps({{"import": t_import, "first": t_first, "warm": t_warm}}))
"""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_env(), check=True,
                         capture_output=True, text=True)
    d = json.loads(out.stdout.strip().splitlines()[-1])
    d["process"] = time.perf_counter() - t0
    return d


def clear_numba_cache() -> int:
    n = 0
    for f in (ROOT / "bayesreg").rglob("__pycache__/*"):
        if f.suffix in (".nbi", ".nbc"):
            f.unlink()
            n += 1
    return n


def fmt(xs) -> str:
    return f"{statistics.median(xs):.2f} s (min {min(xs):.2f})"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--cold", action="store_true", help="delete the numba cache first")
    ap.add_argument("--skip", nargs="*", default=[], choices=sorted(TIMED))
    a = ap.parse_args(argv)
    rows = []
    py = [sys.executable]
    rows.append(("`python -c pass`", fmt([wall(py + ["-c", "pass"]) for _ in range(a.repeat)])))
    rows.append(("`import bayesreg` (process wall)",
                 fmt([wall(py + ["-c", "import bayesreg"]) for _ in range(a.repeat)])))
    rows.append(("`bayesreg --help` (process wall)",
                 fmt([wall(py + ["-m", "bayesreg", "--help"]) for _ in range(a.repeat)])))
    if a.cold:
        print(f"removed {clear_numba_cache()} numba cache files", file=sys.stderr)
    for what in TIMED:
        if what in a.skip:
            continue
        runs = [first_and_warm(what) for _ in range(a.repeat)]
        label = {"map": "`Model.map`", "gibbs": "`sample(sampler='gibbs')` 2x500+500",
                 "nutpie": "`sample(sampler='nutpie')` 2x500+500"}[what]
        if a.cold:
            rows.append((f"{label}: first call, process 1 (cold numba cache)",
                         f"{runs[0]['first']:.2f} s"))
            runs = runs[1:] or runs
        rows.append((f"{label}: first call in a fresh process", fmt([r["first"] for r in runs])))
        rows.append((f"{label}: second call, same process", fmt([r["warm"] for r in runs])))
    print("| step | time |\n|---|---|")
    for k, v in rows:
        print(f"| {k} | {v} |")


if __name__ == "__main__":
    main()
