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
  bayesreg convert --from prior:normal --scale 2 --likelihood bernoulli --to sklearn
  bayesreg convert --from glmnet:negative.binomial --theta 2 --lambda 0.01 --n-samples 500
  bayesreg convert --from glum:negative.binomial --theta 0.5 --alpha 0.02 --l1-ratio 1 --n-samples 500
  bayesreg convert --from prior:laplace --scale 0.1 --likelihood negative-binomial \
    --dispersion 0.5 --n-samples 500"""

_SK_NAMES = ("Ridge", "Lasso", "ElasticNet", "LogisticRegression", "PoissonRegressor")


def add_parser(sub) -> None:
    v = add_command(sub, "convert", "penalty <-> prior conversions", epilog=EPILOG,
                    description="Translate a scikit-learn / glmnet penalty into the prior with "
                                "the same optimum, or a prior into the penalties.")
    v.add_argument("--from", dest="source", required=True, metavar="KIND:NAME",
                   help="sklearn:<Ridge|Lasso|ElasticNet|LogisticRegression|PoissonRegressor>, "
                        "glmnet:<gaussian|binomial|poisson|negative.binomial>, "
                        "glum:negative.binomial or prior:<normal|laplace|elasticnet>")
    v.add_argument("--to", choices=("sklearn", "glmnet"),
                   help="target convention (default: both)")
    v.add_argument("--alpha", type=float, help="sklearn alpha, or glmnet's mixing alpha")
    v.add_argument("--lambda", dest="lambda_", type=_positive, help="glmnet lambda")
    v.add_argument("--l1-ratio", type=_unit)
    v.add_argument("--C", type=_positive, help="LogisticRegression's C")
    v.add_argument("--scale", type=_positive, help="prior scale (with --from prior:...)")
    v.add_argument("--l2-scale", type=_positive, help="elasticnet prior's Gaussian scale")
    v.add_argument("--likelihood", choices=("gaussian", "bernoulli", "poisson",
                                            "negative-binomial"),
                   default="gaussian", help="with --from prior:... (default gaussian)")
    v.add_argument("--theta", type=_positive,
                   help="glmnet:negative.binomial's theta (the NB shape: alpha = 1/theta), or "
                        "glum's negative binomial theta (= the NB2 alpha)")
    v.add_argument("--dispersion", type=_positive,
                   help="NB2 alpha of --likelihood negative-binomial (with --from prior:...)")
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

    if name not in ("gaussian", "binomial", "poisson", "negative.binomial"):
        raise CLIError(f"--from glmnet:{name}: family must be gaussian, binomial, poisson or "
                       "negative.binomial.")
    if args.lambda_ is None:
        raise CLIError("glmnet conversion needs --lambda.")
    nb = name == "negative.binomial"
    if nb and args.theta is None:
        raise CLIError("glmnet:negative.binomial needs --theta (negative.binomial(theta)).")
    mix = 1.0 if args.alpha is None else args.alpha
    fam = f"negative.binomial(theta={args.theta})" if nb else repr(name)
    result["from"] = f"glmnet(family={fam}, lambda={args.lambda_}, alpha={mix})"
    return conversions.from_glmnet(args.lambda_, alpha=mix, family=name,
                                   n_samples=args.n_samples, sigma=args.sigma,
                                   **({"theta": args.theta} if nb else {}))


def _from_glum(args, name: str, result: dict):
    from .. import conversions

    if name != "negative.binomial":
        raise CLIError(f"--from glum:{name}: bayesreg converts glum's negative.binomial family "
                       "(the other glum families have a scikit-learn or glmnet source here).")
    try:
        from glum import GeneralizedLinearRegressor, NegativeBinomialDistribution
    except ImportError:
        raise CLIError("--from glum:... needs glum (pip install glum).") from None
    if args.alpha is None or args.theta is None:
        raise CLIError("glum:negative.binomial needs --alpha (penalty strength) and --theta.")
    est = GeneralizedLinearRegressor(family=NegativeBinomialDistribution(theta=args.theta),
                                     alpha=args.alpha,
                                     l1_ratio=0.0 if args.l1_ratio is None else args.l1_ratio)
    result["from"] = (f"glum GeneralizedLinearRegressor(family=NegativeBinomialDistribution("
                      f"theta={args.theta}), alpha={args.alpha}, l1_ratio={est.l1_ratio})")
    return conversions.from_sklearn(est, n_samples=args.n_samples)


def _from_prior(args, name: str, result: dict):
    from ..likelihoods import Bernoulli, Gaussian, NegativeBinomial, Poisson
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
    if args.likelihood == "negative-binomial":
        if args.dispersion is None:
            raise CLIError("--likelihood negative-binomial needs --dispersion (the NB2 alpha).")
        lik = NegativeBinomial(alpha=args.dispersion)
    else:
        lik = {"gaussian": Gaussian(sigma=args.sigma), "bernoulli": Bernoulli(),
               "poisson": Poisson()}[args.likelihood]
    result["from"] = repr(prior)
    return Model(likelihood=lik, prior=prior)


_SOURCES = {"sklearn": _from_sklearn, "glmnet": _from_glmnet, "glum": _from_glum,
            "prior": _from_prior}


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
