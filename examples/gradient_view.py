"""Why L1 pushes weights to exactly zero and L2 does not: the gradient view.

The L2 penalty ``lam * w**2`` has gradient ``2 lam w``: it shrinks proportionally, so the push
vanishes as ``w -> 0`` and a fixed-step descent ``w <- w (1 - 2 eta lam)`` only approaches zero
geometrically, never reaching it. The L1 penalty ``lam |w|`` has (sub)gradient
``lam sign(w)``: a constant push of the same size however small ``w`` is. Plain (sub)gradient
steps reach zero in ``ceil(w0 / (eta lam))`` steps and then chatter around it with amplitude
``eta lam``; the proximal step (soft thresholding, ``sign(w) max(|w| - eta lam, 0)``, what
coordinate descent and bayesreg's solvers do) lands on zero exactly and stays there.

Run:  python examples/gradient_view.py [--quick] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np


def trajectories(w0: float = 1.0, lam: float = 1.0, eta: float = 0.03, steps: int = 60):
    """Fixed-step descent on the penalty alone, from ``w0``.

    Returns a dict of arrays of length ``steps + 1``: ``"l2"`` (gradient steps on
    ``lam w^2``), ``"l1_subgradient"`` (steps ``w - eta lam sign(w)``) and ``"l1_prox"``
    (soft-thresholding steps).
    """
    l2 = np.empty(steps + 1)
    l1 = np.empty(steps + 1)
    prox = np.empty(steps + 1)
    l2[0] = l1[0] = prox[0] = w0
    for k in range(steps):
        l2[k + 1] = l2[k] - eta * 2 * lam * l2[k]
        l1[k + 1] = l1[k] - eta * lam * np.sign(l1[k])
        prox[k + 1] = np.sign(prox[k]) * max(abs(prox[k]) - eta * lam, 0.0)
    return {"l2": l2, "l1_subgradient": l1, "l1_prox": prox}


def main(quick: bool = False, out_dir: str | Path = "example-output") -> dict:
    """Make the figure ``gradient_view.png`` in ``out_dir``; return the trajectories."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    lam, eta = 1.0, 0.03
    tr = trajectories(lam=lam, eta=eta, steps=40 if quick else 60)

    w = np.linspace(-1.5, 1.5, 601)
    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    ax = axes[0]
    ax.plot(w, lam * np.abs(w), label=r"L1: $\lambda|w|$")
    ax.plot(w, lam * w**2, label=r"L2: $\lambda w^2$")
    ax.set(title="penalty", xlabel="w")
    ax.legend()
    ax = axes[1]
    ax.plot(w, lam * np.sign(w), label=r"L1: $\lambda\,\mathrm{sign}(w)$ (constant push)")
    ax.plot(w, 2 * lam * w, label=r"L2: $2\lambda w$ (vanishes at 0)")
    ax.axhline(0, color="k", lw=0.5)
    ax.set(title="gradient of the penalty", xlabel="w")
    ax.legend(fontsize=8)
    ax = axes[2]
    k = np.arange(tr["l2"].size)
    ax.plot(k, tr["l2"], "o-", ms=3, label="L2 gradient step: geometric, never 0")
    ax.plot(k, tr["l1_subgradient"], "s-", ms=3, label="L1 subgradient step: chatters at 0")
    ax.plot(k, tr["l1_prox"], "^-", ms=3, label="L1 proximal step: exactly 0")
    ax.axhline(0, color="k", lw=0.5)
    ax.set(title=f"fixed-step descent from w=1 (step {eta}, $\\lambda$={lam})", xlabel="step",
           ylabel="w")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "gradient_view.png", dpi=90)
    plt.close(fig)
    first_zero = int(np.argmax(tr["l1_prox"] == 0.0))
    print(f"L1 proximal descent reaches exactly 0 after {first_zero} steps "
          f"(ceil(w0 / (eta lam)) = {int(np.ceil(1 / (eta * lam)))}); "
          f"L2 after {tr['l2'].size - 1} steps is still {tr['l2'][-1]:.3g} > 0")
    print(f"wrote {out / 'gradient_view.png'}")
    return tr


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small run (also BAYESREG_QUICK=1)")
    p.add_argument("--out", default="example-output", help="directory for the figures")
    a = p.parse_args()
    main(quick=a.quick or os.environ.get("BAYESREG_QUICK") == "1", out_dir=a.out)
