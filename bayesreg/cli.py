"""Command line (placeholder: the full CLI is built in bayesreg.cli by the product-face issue)."""

from __future__ import annotations

import argparse
import sys


def _demo(args) -> int:
    import numpy as np
    from sklearn.datasets import load_diabetes
    from sklearn.linear_model import ElasticNet, Lasso, Ridge

    from .model import Model

    X, y = load_diabetes(return_X_y=True, as_frame=True)
    n = len(y)
    sigma = 50.0
    print(f"Diabetes data (n={n}, p={X.shape[1]}), Gaussian likelihood with sigma={sigma}")
    print(f"{'estimator':<34} {'prior':<44} {'max|sk - MAP|':>14}")
    for est in (Ridge(alpha=0.1), Ridge(alpha=1.0), Lasso(alpha=0.1), Lasso(alpha=1.0),
                ElasticNet(alpha=0.01, l1_ratio=0.5), ElasticNet(alpha=0.1, l1_ratio=0.7)):
        est.set_params(**({"tol": 1e-12, "max_iter": 100_000} if hasattr(est, "l1_ratio") or
                          type(est).__name__ == "Lasso" else {}))
        est.fit(X, y)
        model = Model.from_sklearn(est, n_samples=n, sigma=sigma)
        fit = model.map(X, y, tol=1e-12)
        diff = float(np.max(np.abs(fit.coef - est.coef_)))
        params = ", ".join(f"{k}={v}" for k, v in est.get_params().items() if k in ("alpha", "l1_ratio"))
        print(f"{type(est).__name__ + '(' + params + ')':<34} {model.prior!r:<44} {diff:>14.2e}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bayesreg")
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("demo", help="equivalence table on the diabetes data")
    d.add_argument("--quick", action="store_true")
    d.add_argument("--out", default="bayesreg-report")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return _demo(args)
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
