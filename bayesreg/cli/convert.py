"""``bayesreg convert``: a scikit-learn / glmnet penalty into the prior with the same optimum, or
a prior into the penalties."""

from __future__ import annotations

from typing import Any

from ._common import (
    EXIT_OK,
    CLIError,
    _add_common,
    _Out,
    _posint,
    _positive,
    _print_json,
    _unit,
    add_command,
    describe_estimator,
)

EPILOG = """examples:
  bayesreg convert --from sklearn:Lasso --alpha 0.1 --n-samples 442 --sigma 1
  bayesreg convert --from sklearn:ElasticNet --alpha 0.1 --l1-ratio 0.5 --n-samples 442 --sigma 1
  bayesreg convert --from sklearn:LogisticRegression --C 0.5 --l1-ratio 1
  bayesreg convert --from glmnet:binomial --lambda 0.01 --alpha 1 --n-samples 1000
  bayesreg convert --from prior:laplace --scale 0.5 --to sklearn --n-samples 442 --sigma 1
  bayesreg convert --from prior:normal --scale 2 --likelihood bernoulli --to sklearn"""

_SK_NAMES = ("Ridge", "Lasso", "ElasticNet", "LogisticRegression", "PoissonRegressor")


def add_parser(sub) -> None:
    v = add_command(sub, "convert", "penalty <-> prior conversions", epilog=EPILOG,
                    description="Translate a scikit-learn / glmnet penalty into the prior with "
                                "the same optimum, or a prior into the penalties.")
    v.add_argument("--from", dest="source", required=True, metavar="KIND:NAME",
                   help="sklearn:<Ridge|Lasso|ElasticNet|LogisticRegression|PoissonRegressor>, "
                        "glmnet:<gaussian|binomial|poisson> or prior:<normal|laplace|elasticnet>")
    v.add_argument("--to", choices=("sklearn", "glmnet"),
                   help="target convention (default: both)")
    v.add_argument("--alpha", type=float, help="sklearn alpha, or glmnet's mixing alpha")
    v.add_argument("--lambda", dest="lambda_", type=_positive, help="glmnet lambda")
    v.add_argument("--l1-ratio", type=_unit)
    v.add_argument("--C", type=_positive, help="LogisticRegression's C")
    v.add_argument("--scale", type=_positive, help="prior scale (with --from prior:...)")
    v.add_argument("--l2-scale", type=_positive, help="elasticnet prior's Gaussian scale")
    v.add_argument("--likelihood", choices=("gaussian", "bernoulli", "poisson"),
                   default="gaussian", help="with --from prior:... (default gaussian)")
    v.add_argument("--n-samples", type=_posint, help="rows of the training data")
    v.add_argument("--sigma", type=_positive, help="gaussian noise sd")
    v.add_argument("--json", action="store_true")
    _add_common(v)


def _from_sklearn(args, name: str, result: dict):
    from sklearn import linear_model

    from .. import conversions

    if name not in _SK_NAMES:
        raise CLIError(f"--from sklearn:{name}: supported estimators are "
                       f"{', '.join(_SK_NAMES)}.")
    kw: dict[str, Any] = {}
    if name == "LogisticRegression":
        if args.C is None:
            raise CLIError("sklearn:LogisticRegression needs --C (inverse penalty strength).")
        kw["C"] = args.C
        kw["l1_ratio"] = 0.0 if args.l1_ratio is None else args.l1_ratio
        kw["solver"] = "saga" if kw["l1_ratio"] > 0 else "lbfgs"
    else:
        if args.alpha is None:
            raise CLIError(f"sklearn:{name} needs --alpha.")
        kw["alpha"] = args.alpha
        if name == "ElasticNet":
            if args.l1_ratio is None:
                raise CLIError("sklearn:ElasticNet needs --l1-ratio.")
            kw["l1_ratio"] = args.l1_ratio
    est = getattr(linear_model, name)(**kw)
    result["from"] = describe_estimator(est)
    return conversions.from_sklearn(est, n_samples=args.n_samples, sigma=args.sigma)


def _from_glmnet(args, name: str, result: dict):
    from .. import conversions

    if name not in ("gaussian", "binomial", "poisson"):
        raise CLIError(f"--from glmnet:{name}: family must be gaussian, binomial or poisson.")
    if args.lambda_ is None:
        raise CLIError("glmnet conversion needs --lambda.")
    mix = 1.0 if args.alpha is None else args.alpha
    result["from"] = f"glmnet(family={name!r}, lambda={args.lambda_}, alpha={mix})"
    return conversions.from_glmnet(args.lambda_, alpha=mix, family=name,
                                   n_samples=args.n_samples, sigma=args.sigma)


def _from_prior(args, name: str, result: dict):
    from ..likelihoods import Bernoulli, Gaussian, Poisson
    from ..model import Model
    from ..priors import ElasticNetPrior, Laplace, Normal

    if args.scale is None:
        raise CLIError("--from prior:... needs --scale (and --l2-scale for elasticnet).")
    if name == "normal":
        prior = Normal(args.scale)
    elif name == "laplace":
        prior = Laplace(args.scale)
    elif name == "elasticnet":
        if args.l2_scale is None:
            raise CLIError("--from prior:elasticnet needs --l2-scale.")
        prior = ElasticNetPrior(args.scale, args.l2_scale)
    else:
        raise CLIError(f"--from prior:{name}: prior must be normal, laplace or elasticnet.")
    lik = {"gaussian": Gaussian(sigma=args.sigma), "bernoulli": Bernoulli(),
           "poisson": Poisson()}[args.likelihood]
    result["from"] = repr(prior)
    return Model(likelihood=lik, prior=prior)


_SOURCES = {"sklearn": _from_sklearn, "glmnet": _from_glmnet, "prior": _from_prior}


def run(args, out: _Out) -> int:
    from .._errors import BayesregError

    kind, _, name = args.source.partition(":")
    if kind not in _SOURCES:
        raise CLIError(f"--from {args.source!r}: use sklearn:<Estimator>, glmnet:<family> or "
                       "prior:<normal|laplace|elasticnet>.")
    n = args.n_samples
    result: dict[str, Any] = {}
    model = _SOURCES[kind](args, name, result)
    result["prior"] = repr(model.prior)
    result["model"] = model.to_dict()
    targets = ("sklearn", "glmnet") if args.to is None else (args.to,)
    eq = {}
    for t in targets:
        try:
            if t == "sklearn":
                eq[t] = describe_estimator(model.to_sklearn(n_samples=n, sigma=args.sigma))
            else:
                eq[t] = model.to_glmnet(n_samples=n, sigma=args.sigma)
        except BayesregError as e:
            if args.to is not None:
                raise
            eq[t] = f"none ({e})"
    result["equivalent"] = eq
    if args.json:
        _print_json(result)
        return EXIT_OK
    out.result(f"{result['from']}  ->  prior {result['prior']}")
    out.result(f"model: {model!r}")
    for t, v in eq.items():
        out.result(f"{t}: {v}")
    return EXIT_OK
