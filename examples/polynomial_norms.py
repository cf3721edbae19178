"""Degree-2 vs degree-8 polynomials on the same noisy points, and what a prior does to degree 8.

Fifteen noisy points from a smooth curve. Least squares with a degree-2 polynomial underfits a
little; degree 8 chases the noise: a lower training MSE, a much higher test MSE, and
coefficients with huge L1 / L2 norms. Putting a prior on the degree-8 coefficients (the MAP =
a penalized fit) keeps the flexible model but tames the norms: the Normal prior (L2 / ridge)
shrinks every coefficient, the Laplace prior (L1 / lasso) sets most of them exactly to zero.

Run:  python examples/polynomial_norms.py [--quick] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

import bayesreg as br

SIGMA = 0.3  # noise sd of the simulated points


def truth(x):
    return np.sin(2.5 * x) + 0.5 * x


def design(x, degree: int) -> np.ndarray:
    """Columns x, x^2, ..., x^degree (the intercept is the model's, unpenalized)."""
    return np.column_stack([x**d for d in range(1, degree + 1)])


def data(n: int = 15, seed: int = 3):
    rng = np.random.default_rng(seed)
    x = np.linspace(-1, 1, n)
    return x, truth(x) + SIGMA * rng.standard_normal(n)


def main(quick: bool = False, out_dir: str | Path = "example-output") -> dict:
    """Fit the four models, print the table, save ``polynomial_norms.png``; return the fits."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    x, y = data()
    xt = np.linspace(x.min(), x.max(), 200 if quick else 1000)  # interpolation only
    yt = truth(xt)

    fits = {}
    # least squares = the MAP under a prior so wide it is flat in practice
    wide = 1e6
    for name, deg, prior in [("degree 2, least squares", 2, br.Normal(wide)),
                             ("degree 8, least squares", 8, br.Normal(wide)),
                             ("degree 8, Normal prior (L2)", 8, br.Normal(1.0)),
                             ("degree 8, Laplace prior (L1)", 8, br.Laplace(0.5))]:
        model = br.Model(likelihood=br.Gaussian(sigma=SIGMA), prior=prior)
        fit = model.map(design(x, deg), y, tol=1e-10)
        fits[name] = {
            "fit": fit, "degree": deg,
            "train_mse": float(np.mean((y - fit.predict(design(x, deg))) ** 2)),
            "test_mse": float(np.mean((yt - fit.predict(design(xt, deg))) ** 2)),
            "l1": float(np.abs(fit.coef).sum()), "l2": float(np.sqrt(fit.coef @ fit.coef)),
            "nonzero": int(np.count_nonzero(fit.coef)),
        }
    print(f"{'model':<30} {'train MSE':>10} {'test MSE':>10} {'L1 norm':>10} {'L2 norm':>10}"
          f" {'non-zero':>9}")
    for name, r in fits.items():
        print(f"{name:<30} {r['train_mse']:>10.4f} {r['test_mse']:>10.4f} {r['l1']:>10.2f} "
              f"{r['l2']:>10.2f} {r['nonzero']:>5}/{r['degree']}")

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(12, 4.2))
    a1.plot(xt, yt, "k--", lw=1, label="truth")
    a1.plot(x, y, "ko", label="data")
    for name, r in fits.items():
        a1.plot(xt, r["fit"].predict(design(xt, r["degree"])), label=name)
    a1.set(ylim=(-2.5, 2.5), xlabel="x", ylabel="y", title="fits")
    a1.legend(fontsize=8)
    names = list(fits)
    pos = np.arange(len(names))
    a2.bar(pos - 0.2, [fits[k]["l1"] for k in names], 0.4, label="L1 norm")
    a2.bar(pos + 0.2, [fits[k]["l2"] for k in names], 0.4, label="L2 norm")
    a2.set_yscale("log")
    a2.set_xticks(pos, [k.replace(", ", "\n") for k in names], fontsize=8)
    a2.set(title="coefficient norms (log scale)")
    a2.legend()
    fig.tight_layout()
    fig.savefig(out / "polynomial_norms.png", dpi=90)
    plt.close(fig)
    print(f"wrote {out / 'polynomial_norms.png'}")
    return fits


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small run (also BAYESREG_QUICK=1)")
    p.add_argument("--out", default="example-output", help="directory for the figures")
    a = p.parse_args()
    main(quick=a.quick or os.environ.get("BAYESREG_QUICK") == "1", out_dir=a.out)
