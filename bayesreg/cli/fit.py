"""``bayesreg fit``: the MAP, its certificate and the equivalent scikit-learn / glmnet penalty.

A prior without a posterior mode (``--prior bayesian-lasso``) is refused by ``model.map`` with
the prior's own explanation (exit 2).
"""

from __future__ import annotations

import sys
import warnings
from typing import Any

from ._common import (
    EXIT_OK,
    _add_common,
    _add_model_options,
    _Out,
    _positive,
    _print_json,
    add_command,
    describe_estimator,
    load_data_and_model,
    output_file,
)

EPILOG = """examples:
  bayesreg fit data.csv --target y --prior laplace --scale 0.5 --sigma 1
  bayesreg fit diabetes --target target --standardize --prior laplace --alpha 1 --sigma 54
  bayesreg fit diabetes --target target --standardize --prior elasticnet --alpha 1 \\
      --l1-ratio 0.5 --convention glmnet --sigma 54 --json
  bayesreg fit data.csv --target clicked --likelihood bernoulli --prior laplace --scale 1 \\
      --save fit.json
  bayesreg fit data.csv --formula "y ~ x1 + C(region)" --prior group-laplace --scale 0.3 \\
      --groups terms
--prior bayesian-lasso has no MAP: use 'bayesreg sample' for it."""


def add_parser(sub) -> None:
    f = add_command(sub, "fit", "MAP fit with optimality certificate", epilog=EPILOG,
                    description="Posterior mode by direct penalized optimization; prints the "
                                "coefficients, the certificate and the equivalent scikit-learn "
                                "/ glmnet penalty.")
    _add_model_options(f)
    f.add_argument("--tol", type=_positive, default=1e-6, help="certificate tolerance")
    f.add_argument("--json", action="store_true", help="machine-readable output")
    f.add_argument("--save", metavar="FILE", help="save the fit as JSON (for 'compare --fit')")
    _add_common(f)


def equivalents(model, n: int, sigma: float | None) -> dict[str, Any]:
    """The sklearn estimator and glmnet arguments with the same optimum (None where undefined)."""
    from .._errors import BayesregError

    out: dict[str, Any] = {}
    try:
        out["sklearn"] = describe_estimator(model.to_sklearn(n_samples=n, sigma=sigma))
    except BayesregError as e:
        out["sklearn"] = f"none ({e})"
    try:
        g = model.to_glmnet(n_samples=n, sigma=sigma)
        if g.get("penalty_factor") is not None:
            g["penalty_factor"] = [float(v) for v in g["penalty_factor"]]
        out["glmnet"] = g
    except BayesregError as e:
        out["glmnet"] = f"none ({e})"
    return out


def run(args, out: _Out) -> int:
    if args.save:
        output_file(args.save, "--save", "fit.json")  # before any work
    X, y, model = load_data_and_model(args)
    n = len(y)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = model.map(X, y, tol=args.tol)
    for w in caught:
        print(f"bayesreg: warning: {w.message}", file=sys.stderr)
    eq = equivalents(model, n, fit.sigma)
    if args.save:
        fit.save(args.save)
    if args.json:
        d = fit.to_dict()
        d["model"] = model.to_dict()
        d["equivalent"] = eq
        _print_json(d)
        return EXIT_OK
    out.result(f"model: {model!r}")
    out.result(f"data: {args.data} (n={n}, p={X.shape[1]}, target={args.target!r})")
    out.result(repr(fit))
    note = " (at the MAP of sigma)" if getattr(model.likelihood, "sigma", 0) is None else ""
    out.result(f"equivalent scikit-learn estimator{note}: {eq['sklearn']}")
    out.result(f"equivalent glmnet call (standardize=FALSE){note}: {eq['glmnet']}")
    if args.save:
        out.info(f"saved the fit to {args.save}")
    return EXIT_OK
