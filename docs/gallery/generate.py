"""Regenerate the gallery figures in docs/gallery/ from the examples.

Run from the repository root:  .venv/bin/python docs/gallery/generate.py [--quick]

The non-sampling examples run in full mode; the sampling ones in --quick mode unless --full.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLES = HERE.parents[1] / "examples"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main(quick: bool = False, full_sampling: bool = False) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    made = []
    for name in ("gradient_view", "polynomial_norms", "sparse_feature_cross"):
        _load(name).main(quick=quick, out_dir=HERE)
        made.append(HERE / f"{name}.png")
    try:
        from bayesreg.diagnostics import plot_geometry, plot_prior_densities
    except ImportError:
        pass
    else:
        for fname, fn in (("geometry.png", plot_geometry),
                          ("prior_densities.png", plot_prior_densities)):
            fig = fn()
            fig = getattr(fig, "figure", fig)
            fig.savefig(HERE / fname, dpi=80)
            plt.close("all")
            made.append(HERE / fname)
    sampling_quick = quick or not full_sampling
    _load("logistic_sparsity").main(quick=sampling_quick, out_dir=HERE)
    made.append(HERE / "logistic_sparsity.png")
    with tempfile.TemporaryDirectory() as tmp:
        _load("posterior_analysis").main(quick=sampling_quick, out_dir=tmp)
        src = Path(tmp) / "posterior_analysis_forest.png"
        if src.exists():
            shutil.copy(src, HERE / src.name)
            made.append(HERE / src.name)
    with tempfile.TemporaryDirectory() as tmp:
        _load("sparse_posteriors").main(quick=False, out_dir=tmp)  # Gibbs: seconds in full
        src = Path(tmp) / "sparse_posteriors.png"
        shutil.copy(src, HERE / src.name)
        made.append(HERE / src.name)
    for p in made:
        print(f"{p.name}: {p.stat().st_size / 1e3:.0f} kB")
    return made


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--full", action="store_true", help="sampling examples in full mode too")
    a = ap.parse_args()
    main(quick=a.quick, full_sampling=a.full)
