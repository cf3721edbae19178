"""Screenshots (PNG) of the HTML report at p = 10 and p = 30 features, for the docs gallery.

Run from the repository root (needs a Chromium: Debian ``apt-get install chromium``, or set
``CHROMIUM=/path/to/chrome``)::

    .venv/bin/python docs/gallery/report_screenshots.py [--full]

Each report is the one a user gets from ``br.report(model, X, y)`` on simulated data with
correlated features (a Laplace prior, Gaussian likelihood with estimated sigma), sampled by the
exact Gibbs sampler so the script needs no NUTS compilation; ``--full`` also samples the
alternative priors for the LOO section (nutpie; slower). Chromium renders ``report.html``
headless at 1280 px wide; the PNG is cropped to the first ``HEIGHT`` pixels and written to
``docs/gallery/report_p{10,30}.png`` (3/4 scale, 96 colours: < 400 kB each).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
WIDTH, HEIGHT = 1280, 2600


def chromium() -> str:
    for c in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if c and shutil.which(c):
            return shutil.which(c)
    raise SystemExit("no Chromium found: apt-get install chromium, or set CHROMIUM=/path/to/chrome")


def make_report(p: int, out: Path, full: bool) -> Path:
    import numpy as np
    import pandas as pd

    import bayesreg as br

    rng = np.random.default_rng(p)
    n = 200
    C = 0.5 ** np.abs(np.subtract.outer(np.arange(p), np.arange(p)))
    X = rng.multivariate_normal(np.zeros(p), C, size=n)
    w = np.zeros(p)
    w[: max(3, p // 5)] = rng.choice([-1.5, -0.7, 0.7, 1.5], size=max(3, p // 5))
    y = X @ w + rng.normal(size=n)
    X = pd.DataFrame(X, columns=[f"x{j + 1}" for j in range(p)])
    model = br.Model(br.Gaussian(sigma=None), br.Laplace(0.2))
    idata = model.sample(X, y, draws=1000, tune=500, chains=4, sampler="gibbs", random_seed=1,
                         progressbar=False)
    br.report(model, X, y, out_dir=out, idata=idata, random_seed=1, compare_priors=full,
              draws=500, tune=500, chains=2)
    return out / "report.html"


def screenshot(html: Path, png: Path) -> None:
    with tempfile.TemporaryDirectory() as prof:
        subprocess.run([chromium(), "--headless=new", "--no-sandbox", "--disable-gpu",
                        "--hide-scrollbars", f"--user-data-dir={prof}",
                        f"--window-size={WIDTH},{HEIGHT}", f"--screenshot={png}",
                        html.resolve().as_uri()],
                       check=True, capture_output=True, timeout=120)
    from PIL import Image  # matplotlib's dependency: shrink to 3/4 width, 96-colour palette

    im = Image.open(png).convert("RGB")
    im = im.resize((im.width * 3 // 4, im.height * 3 // 4), Image.LANCZOS).quantize(colors=96)
    im.save(png, optimize=True)


def main(full: bool = False) -> list[Path]:
    made = []
    with tempfile.TemporaryDirectory() as tmp:
        for p in (10, 30):
            html = make_report(p, Path(tmp) / f"p{p}", full)
            png = HERE / f"report_p{p}.png"
            screenshot(html, png)
            made.append(png)
            print(png)
    return made


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="sample the LOO comparison priors too")
    main(ap.parse_args().full)
