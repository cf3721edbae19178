"""A high-dimensional sparse feature cross: the Laplace prior keeps a compact model.

Simulated house prices on a map: latitude and longitude are bucketized into ``B`` bins each and
crossed, giving ``B * B`` one-hot "cell" columns (``B = 400``: 160,000 columns) plus the ``2 B``
marginal bucket columns, as a ``scipy.sparse`` CSC matrix with 3 non-zeros per row. Only a few
neighbourhoods really differ from the marginal trends. The Laplace prior (L1 / lasso) zeroes
almost every cell weight, so the fitted model is stored as a short list of (index, weight)
pairs; the Normal prior (L2 / ridge) gives every observed cell a non-zero weight, so its model
is as large as the data's vocabulary. Neither fit ever densifies the design matrix.

Run:  python examples/sparse_feature_cross.py [--quick] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

import bayesreg as br

SIGMA = 1.0


def make_data(n: int, buckets: int, n_hot: int = 12, seed: int = 0):
    """Rows at random map positions; y = lat/lon trends + a few "hot" neighbourhoods + noise.

    Returns ``(X, y, hot_cells)``: X of shape ``(n, buckets**2 + 2 * buckets)`` (CSC) and
    ``hot_cells`` the indices of the cells inside a neighbourhood.
    """
    rng = np.random.default_rng(seed)
    lat = rng.uniform(0, 1, n)
    lon = rng.uniform(0, 1, n)
    bi = np.minimum((lat * buckets).astype(int), buckets - 1)
    bj = np.minimum((lon * buckets).astype(int), buckets - 1)
    cell = bi * buckets + bj
    # the hot neighbourhoods: discs of radius 0.03 on the map, each raising or lowering y by 4
    centres = rng.uniform(0.05, 0.95, (n_hot, 2))
    signs = rng.choice([-1.0, 1.0], n_hot)
    centre_of_cell = (np.arange(buckets) + 0.5) / buckets
    ci, cj = np.meshgrid(centre_of_cell, centre_of_cell, indexing="ij")
    effect = np.zeros((buckets, buckets))
    for (a, b), s in zip(centres, signs):
        effect[(ci - a) ** 2 + (cj - b) ** 2 < 0.03**2] = 4.0 * s
    effect = effect.ravel()
    y = 2.0 * lat - 1.0 * lon + effect[cell] + SIGMA * rng.standard_normal(n)
    p = buckets * buckets + 2 * buckets
    rows = np.repeat(np.arange(n), 3)
    cols = np.column_stack([cell, buckets * buckets + bi, buckets * buckets + buckets + bj]).ravel()
    X = sp.csc_matrix((np.ones(3 * n), (rows, cols)), shape=(n, p))
    return X, y, np.flatnonzero(effect)


def compact_bytes(coef: np.ndarray) -> int:
    """Bytes of a sparse model: an int64 index and a float64 weight per non-zero weight."""
    return int(np.count_nonzero(coef)) * 16


def main(quick: bool = False, out_dir: str | Path = "example-output") -> dict:
    """Fit the Laplace and Normal MAPs, print sizes, save ``sparse_feature_cross.png``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    n, buckets = (4000, 40) if quick else (300_000, 400)
    X, y, hot = make_data(n, buckets)
    n_cells = buckets * buckets
    print(f"X: {X.shape[0]} rows x {X.shape[1]} columns, scipy.sparse CSC, {X.nnz} non-zeros "
          f"({X.data.nbytes + X.indices.nbytes + X.indptr.nbytes} bytes; dense would be "
          f"{X.shape[0] * X.shape[1] * 8 / 1e9:.1f} GB)")
    results = {}
    for name, prior in [("Laplace (L1)", br.Laplace(0.2)), ("Normal (L2)", br.Normal(1.0))]:
        model = br.Model(likelihood=br.Gaussian(sigma=SIGMA), prior=prior)
        t0 = time.perf_counter()
        fit = model.map(X, y)
        secs = time.perf_counter() - t0
        w = fit.coef
        results[name] = {
            "fit": fit, "seconds": secs,
            "nonzero": int(np.count_nonzero(w)),
            "nonzero_cells": int(np.count_nonzero(w[:n_cells])),
            "compact_bytes": compact_bytes(w), "dense_bytes": int(w.size * 8),
            "hot_found": float(np.mean(w[hot] != 0)),
        }
        r = results[name]
        print(f"{name:<13} non-zero weights {r['nonzero']:>7} of {w.size} "
              f"(cells {r['nonzero_cells']} of {n_cells}); compact model "
              f"{r['compact_bytes'] / 1e3:.1f} kB vs dense {r['dense_bytes'] / 1e3:.1f} kB; "
              f"{fit.optimality_kind}={fit.optimality:.2g}; {secs:.2f} s")
    observed = int(np.count_nonzero(np.asarray(X[:, :n_cells].sum(axis=0)).ravel()))
    print(f"cells with at least one row: {observed}; cells in the hot neighbourhoods: {hot.size}")

    fig, axes = plt.subplots(1, 2, figsize=(11, 5))
    for ax, (name, r) in zip(axes, results.items()):
        grid = r["fit"].coef[:n_cells].reshape(buckets, buckets)
        lim = np.max(np.abs(grid)) or 1.0
        ax.imshow(grid, cmap="RdBu_r", vmin=-lim, vmax=lim, origin="lower",
                  interpolation="nearest")
        ax.set(title=f"{name}: {r['nonzero_cells']} of {n_cells} cell weights non-zero",
               xlabel="longitude bucket", ylabel="latitude bucket")
    fig.tight_layout()
    fig.savefig(out / "sparse_feature_cross.png", dpi=65)
    plt.close(fig)
    print(f"wrote {out / 'sparse_feature_cross.png'}")
    results["n_columns"] = X.shape[1]
    results["observed_cells"] = observed
    return results


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="small run (also BAYESREG_QUICK=1)")
    p.add_argument("--out", default="example-output", help="directory for the figures")
    a = p.parse_args()
    main(quick=a.quick or os.environ.get("BAYESREG_QUICK") == "1", out_dir=a.out)
