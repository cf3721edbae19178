"""The ``bayesreg`` command line (also ``python -m bayesreg``).

Subcommands::

    bayesreg demo        [--out DIR] [--quick]
    bayesreg fit         DATA --target COL [model options] [--json] [--save fit.json]
    bayesreg crosscheck  DATA --target COL [model options] [--json]
    bayesreg sample      DATA --target COL [model options] --out post.nc [--draws ...]
    bayesreg compare     post.nc [--fit fit.json] [--json]
    bayesreg report      DATA --target COL [model options] --out DIR
    bayesreg convert     --from sklearn:Lasso --alpha 0.1 --n-samples 442 --sigma 1
    bayesreg convert     --from prior:laplace --scale 0.5 --to sklearn --n-samples 442 --sigma 1

``DATA`` is a CSV file with a header row, or the name of a bundled data set (``diabetes``,
``prostate``). Exit codes: 0 success, 1 a check failed (cross-check not passed, sampler
diagnostics not ok with ``--fail-on-warnings``), 2 usage or input error. User errors are
reported as one line on stderr, without a traceback.
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

EXIT_OK, EXIT_FAILED_CHECK, EXIT_USAGE = 0, 1, 2

__all__ = ["main", "CLIError", "build_model_from_args", "load_table"]


class CLIError(Exception):
    """A user error detected by the command line (bad file, missing column, ...): exit code 2."""


# --------------------------------------------------------------------------- helpers
class _Out:
    """stdout/stderr writers honouring ``--quiet`` (results are always printed)."""

    def __init__(self, quiet: bool = False, json_mode: bool = False) -> None:
        self.quiet = quiet
        self.json_mode = json_mode

    def result(self, text: str = "") -> None:
        print(text)

    def info(self, text: str = "") -> None:
        if not (self.quiet or self.json_mode):
            print(text)

    def progress(self, text: str) -> None:
        if not self.quiet:
            print(text, file=sys.stderr, flush=True)


def load_table(data: str, target: str, features: str | None = None, standardize: bool = False):
    """Read ``DATA`` (CSV path or bundled name) and split it into ``(X, y)`` DataFrame/Series.

    Non-numeric feature columns are an error (encode them first). ``standardize`` centers each
    feature and divides it by its population standard deviation.
    """
    import pandas as pd

    path = Path(data)
    if path.is_file():
        try:
            df = pd.read_csv(path)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
            raise CLIError(f"cannot read {data!r} as CSV: {str(e).splitlines()[0]}") from None
    elif data in ("diabetes", "prostate"):
        from . import datasets

        df = datasets.load_diabetes() if data == "diabetes" else datasets.load_prostate()
        if data == "prostate":
            df = df.drop(columns="train")
    else:
        raise CLIError(f"data file {data!r} not found (give a CSV path, or 'diabetes' / "
                       "'prostate' for the bundled data).")
    if target not in df.columns:
        raise CLIError(f"--target {target!r} is not a column of {data!r}; columns: "
                       f"{', '.join(map(str, df.columns))}.")
    if features:
        cols = [c.strip() for c in features.split(",") if c.strip()]
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise CLIError(f"--features: column(s) {', '.join(missing)} not in {data!r}.")
    else:
        cols = [c for c in df.columns if c != target]
    if not cols:
        raise CLIError(f"{data!r} has no feature columns besides the target {target!r}.")
    X = df[cols]
    bad = [c for c in cols if not pd.api.types.is_numeric_dtype(X[c])]
    if bad:
        raise CLIError(f"non-numeric feature column(s) {', '.join(map(str, bad))}: encode them "
                       "as numbers or leave them out with --features.")
    if not pd.api.types.is_numeric_dtype(df[target]):
        raise CLIError(f"target column {target!r} is not numeric.")
    X = X.astype(float)
    if standardize:
        sd = X.std(ddof=0).replace(0.0, 1.0)
        X = (X - X.mean()) / sd
    return X, df[target].astype(float)


def _likelihood(args):
    from .likelihoods import Bernoulli, Gaussian, Poisson

    if args.likelihood == "gaussian":
        return Gaussian(sigma=args.sigma)
    if args.sigma is not None:
        raise CLIError("--sigma applies to the gaussian likelihood only.")
    return Bernoulli() if args.likelihood == "bernoulli" else Poisson()


def build_model_from_args(args, n_samples: int):
    """The :class:`~bayesreg.Model` described by the model options of ``fit``/``sample``/...

    Either ``--scale`` (prior scale; ``--l2-scale`` too for elasticnet), or a library penalty
    ``--alpha`` [``--l1-ratio``] read with ``--convention`` (sklearn or glmnet), converted with
    :func:`bayesreg.conversions.from_sklearn` / :func:`~bayesreg.conversions.from_glmnet`.
    """
    from . import conversions
    from .model import Model
    from .priors import ElasticNetPrior, Laplace, Normal

    lik = _likelihood(args)
    fit_intercept = not args.no_intercept
    if args.scale is not None and args.alpha is not None:
        raise CLIError("give either --scale (prior scale) or --alpha (library penalty), not both.")
    if args.scale is None and args.alpha is None:
        raise CLIError("the prior needs a strength: pass --scale S (prior scale) or --alpha A "
                       "(penalty, see --convention).")
    if args.scale is not None:
        if args.prior == "elasticnet":
            if args.l2_scale is None:
                raise CLIError("--prior elasticnet with --scale needs --l2-scale too (Gaussian "
                               "part's scale); or use --alpha A --l1-ratio R.")
            prior = ElasticNetPrior(args.scale, args.l2_scale)
        else:
            if args.l2_scale is not None:
                raise CLIError("--l2-scale applies to --prior elasticnet only.")
            prior = (Normal if args.prior == "normal" else Laplace)(args.scale)
        return Model(likelihood=lik, prior=prior, fit_intercept=fit_intercept)
    # library penalty
    rho = {"normal": 0.0, "laplace": 1.0}.get(args.prior, args.l1_ratio)
    if args.prior == "elasticnet":
        if rho is None:
            raise CLIError("--prior elasticnet with --alpha needs --l1-ratio R (0 < R < 1).")
        if not 0.0 < rho < 1.0:
            raise CLIError(f"--l1-ratio must be strictly between 0 and 1 for elasticnet, got {rho}.")
    elif args.l1_ratio is not None:
        raise CLIError(f"--l1-ratio applies to --prior elasticnet only (the {args.prior} prior "
                       f"has l1_ratio {rho:g}).")
    gaussian = args.likelihood == "gaussian"
    if gaussian and args.sigma is None:
        raise CLIError("converting a penalty --alpha into a prior for the gaussian likelihood "
                       "needs the noise sd: pass --sigma S (the penalty fixes only sigma^2/scale).")
    if args.convention == "glmnet":
        family = {"gaussian": "gaussian", "bernoulli": "binomial", "poisson": "poisson"}
        model = conversions.from_glmnet(args.alpha, alpha=rho, family=family[args.likelihood],
                                        n_samples=n_samples, sigma=args.sigma,
                                        intercept=fit_intercept)
    else:
        est = _sklearn_estimator(args.likelihood, args.prior, args.alpha, rho)
        est.set_params(fit_intercept=fit_intercept)
        model = conversions.from_sklearn(est, n_samples=n_samples, sigma=args.sigma)
    return model


def _sklearn_estimator(likelihood: str, prior: str, alpha: float, rho: float):
    from sklearn.linear_model import ElasticNet, Lasso, LogisticRegression, PoissonRegressor, Ridge

    if likelihood == "gaussian":
        if prior == "normal":
            return Ridge(alpha=alpha)
        if prior == "laplace":
            return Lasso(alpha=alpha)
        return ElasticNet(alpha=alpha, l1_ratio=rho)
    if likelihood == "bernoulli":
        # sklearn's LogisticRegression is parametrized by C = 1 / alpha
        return LogisticRegression(C=1.0 / alpha, l1_ratio=rho,
                                  solver="saga" if rho > 0 else "lbfgs")
    if prior != "normal":
        raise CLIError("scikit-learn's PoissonRegressor has only an L2 penalty: use --prior "
                       "normal, or --convention glmnet for an L1 Poisson model.")
    return PoissonRegressor(alpha=alpha)


_EST_PARAMS = {"Ridge": ("alpha",), "Lasso": ("alpha",), "ElasticNet": ("alpha", "l1_ratio"),
               "LogisticRegression": ("C", "l1_ratio", "solver"), "PoissonRegressor": ("alpha",)}


def describe_estimator(est) -> str:
    """``Name(param=value, ...)`` with the penalty parameters always spelled out (scikit-learn's
    own repr hides parameters equal to their defaults, e.g. ``Lasso()`` for ``alpha=1.0``)."""
    name = type(est).__name__
    params = est.get_params()
    keys = _EST_PARAMS.get(name, ())
    extra = [] if params.get("fit_intercept", True) else ["fit_intercept=False"]
    return f"{name}(" + ", ".join([f"{k}={params[k]!r}" for k in keys] + extra) + ")"


def _equivalents(model, n: int, sigma: float | None) -> dict[str, Any]:
    """The sklearn estimator and glmnet arguments with the same optimum (None where undefined)."""
    from ._errors import BayesregError

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


def _jsonable(obj):
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return v if math.isfinite(v) else None
    return obj


def _print_json(obj) -> None:
    print(json.dumps(_jsonable(obj), indent=1))


def _need(module: str, what: str, attr: str):
    """Import a bayesreg module that may not be available yet; CLIError if it is not."""
    import importlib

    if not _has(module, attr):
        raise CLIError(f"{what} needs {module}.{attr}, which is not available in this "
                       "installation.")
    return importlib.import_module(module)


def _has(module: str, attr: str) -> bool:
    """True when ``module.attr`` exists and is a real implementation (not a placeholder stub)."""
    import importlib

    try:
        fn = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError):
        return False
    try:
        return len(inspect.signature(fn).parameters) > 0
    except (TypeError, ValueError):
        return True


def _frame_text(obj) -> str:
    import pandas as pd

    if isinstance(obj, pd.DataFrame):
        with pd.option_context("display.width", 200, "display.max_columns", 30,
                               "display.float_format", lambda v: f"{v:.4g}"):
            return obj.to_string()
    return str(obj)


# --------------------------------------------------------------------------- fit
def _fit(args, out: _Out) -> int:
    X, y = load_table(args.data, args.target, args.features, args.standardize)
    n = len(y)
    model = build_model_from_args(args, n)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = model.map(X, y, tol=args.tol)
    for w in caught:
        print(f"bayesreg: warning: {w.message}", file=sys.stderr)
    sigma = fit.sigma if fit.sigma is not None else None
    eq = _equivalents(model, n, sigma)
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


# ----------------------------------------------------------------------- crosscheck
def _crosscheck(args, out: _Out) -> int:
    X, y = load_table(args.data, args.target, args.features, args.standardize)
    model = build_model_from_args(args, len(y))
    _need("bayesreg.pymc", "crosscheck", "crosscheck")
    out.progress("running the direct MAP solver and pm.find_MAP ...")
    check = model.crosscheck(X, y)
    passed = bool(getattr(check, "passed", False))
    if args.json:
        d: dict[str, Any] = {"passed": passed, "model": model.to_dict()}
        if hasattr(check, "summary"):
            d.update(check.summary())
        if hasattr(check, "to_frame"):
            d["table"] = check.to_frame().reset_index().to_dict(orient="records")
        _print_json(d)
    else:
        out.result(f"model: {model!r}")
        out.result(str(check))
        out.result(f"cross-check {'PASSED' if passed else 'FAILED'}")
    return EXIT_OK if passed else EXIT_FAILED_CHECK


# --------------------------------------------------------------------------- sample
def _netcdf_ok(v) -> bool:
    """Whether an attribute value can be stored in NetCDF as is."""
    if isinstance(v, (bool, np.bool_)) or v is None or isinstance(v, dict):
        return False
    if isinstance(v, (list, tuple)):
        return len(v) > 0 and (all(isinstance(e, str) for e in v) or all(
            isinstance(e, (int, float, np.integer, np.floating))
            and not isinstance(e, bool) for e in v))
    return True


def _sanitize_attrs(tree) -> None:
    """NetCDF attributes must be str/number/homogeneous lists: store anything else as JSON."""
    for node in tree.subtree:
        for k, v in dict(node.attrs).items():
            if not _netcdf_ok(v):
                node.attrs[k] = json.dumps(_jsonable(v))
        if node.has_data:
            for name, var in node.ds.data_vars.items():
                for k, v in dict(var.attrs).items():
                    if not _netcdf_ok(v):
                        node[name].attrs[k] = json.dumps(_jsonable(v))


def _sample(args, out: _Out) -> int:
    X, y = load_table(args.data, args.target, args.features, args.standardize)
    model = build_model_from_args(args, len(y))
    _need("bayesreg.pymc", "sample", "sample")
    out_path = Path(args.out)
    if not out_path.parent.exists():
        raise CLIError(f"--out: directory {str(out_path.parent)!r} does not exist.")
    fit = model.map(X, y)
    out.progress(f"sampling {args.chains} chains x ({args.tune} tune + {args.draws} draws) "
                 f"with {args.sampler} ...")
    t0 = time.perf_counter()
    idata = model.sample(X, y, draws=args.draws, tune=args.tune, chains=args.chains,
                         random_seed=args.seed, sampler=args.sampler,
                         progressbar=not (args.quiet or args.json))
    elapsed = time.perf_counter() - t0
    idata.attrs["bayesreg_map"] = json.dumps(fit.to_dict())
    idata.attrs.setdefault("bayesreg_model", json.dumps(model.to_dict()))
    _sanitize_attrs(idata)
    idata.to_netcdf(out_path, engine="h5netcdf")
    health = None
    ok = True
    if _has("bayesreg.diagnostics", "diagnose"):
        from .diagnostics import diagnose

        health = diagnose(idata)
        ok = bool(getattr(health, "ok", True))
    if args.json:
        _print_json({"out": str(out_path), "seconds": elapsed, "diagnostics_ok": ok,
                     "diagnostics": None if health is None else str(health)})
    else:
        out.result(f"wrote {args.draws * args.chains} posterior draws to {out_path} "
                   f"({elapsed:.1f} s)")
        if health is not None:
            out.result(str(health))
    if args.fail_on_warnings and not ok:
        print("bayesreg: sampler diagnostics not ok (--fail-on-warnings)", file=sys.stderr)
        return EXIT_FAILED_CHECK
    return EXIT_OK


# -------------------------------------------------------------------------- compare
def _open_tree(path: str):
    import xarray as xr

    p = Path(path)
    if not p.is_file():
        raise CLIError(f"posterior file {path!r} not found (write one with 'bayesreg sample').")
    try:
        with xr.open_datatree(p, engine="h5netcdf") as tree:
            return tree.load()  # read everything, then close the file
    except (OSError, ValueError) as e:
        raise CLIError(f"cannot read {path!r} as a NetCDF posterior: {str(e).splitlines()[0]}") \
            from None


def _compare(args, out: _Out) -> int:
    from .map import MAPResult

    idata = _open_tree(args.posterior)
    if args.fit:
        if not Path(args.fit).is_file():
            raise CLIError(f"--fit file {args.fit!r} not found (write one with 'bayesreg fit "
                           "... --save fit.json').")
        try:
            fit = MAPResult.load(args.fit)
        except (json.JSONDecodeError, KeyError, TypeError) as e:
            raise CLIError(f"--fit {args.fit!r} is not a saved bayesreg fit ({e}).") from None
    elif "bayesreg_map" in idata.attrs:
        fit = MAPResult.from_dict(json.loads(idata.attrs["bayesreg_map"]))
    else:
        raise CLIError(f"{args.posterior!r} carries no MAP fit: pass --fit fit.json.")
    diag = _need("bayesreg.diagnostics", "compare", "compare")
    table = diag.compare(idata, fit, hdi_prob=args.hdi_prob)
    if args.json:
        _print_json({"table": table.reset_index().to_dict(orient="records")})
    else:
        out.result(_frame_text(table))
    return EXIT_OK


# --------------------------------------------------------------------------- report
def _call_report(model, X, y, out_dir, draws, seed, quiet, extra=None):
    from .diagnostics import report

    kwargs: dict[str, Any] = {"out_dir": out_dir, "draws": draws, "random_seed": seed}
    params = inspect.signature(report).parameters
    for k, v in (extra or {}).items():
        if k in params:
            kwargs[k] = v
    if "progressbar" in params:
        kwargs["progressbar"] = not quiet
    return report(model, X, y, **kwargs)


def _report_path(rep, out_dir) -> Path:
    for attr in ("html", "html_path", "path", "index"):
        v = getattr(rep, attr, None)
        if isinstance(v, (str, Path)):
            return Path(v)
    if isinstance(rep, (str, Path)):
        return Path(rep)
    cand = sorted(Path(out_dir).glob("*.html"))
    return cand[0] if cand else Path(out_dir)


def _report(args, out: _Out) -> int:
    X, y = load_table(args.data, args.target, args.features, args.standardize)
    model = build_model_from_args(args, len(y))
    _need("bayesreg.diagnostics", "report", "report")
    extra: dict[str, Any] = {"tune": args.tune, "chains": args.chains,
                             "compare_priors": not args.no_compare_priors}
    if args.posterior:
        idata = _open_tree(args.posterior)
        spec = idata.attrs.get("bayesreg_model")
        if spec is not None:
            from .model import Model

            stored = Model.from_dict(json.loads(spec))
            if stored != model:
                raise CLIError(f"--posterior {args.posterior!r} was sampled from {stored!r}, "
                               f"not from the model given here ({model!r}).")
        extra["idata"] = idata
        if "bayesreg_map" in idata.attrs:
            from .map import MAPResult

            extra["fit"] = MAPResult.from_dict(json.loads(idata.attrs["bayesreg_map"]))
    out.progress(f"writing the report to {args.out} ...")
    rep = _call_report(model, X, y, args.out, args.draws, args.seed, args.quiet, extra=extra)
    path = _report_path(rep, args.out)
    if args.json:
        _print_json({"report": str(path)})
    else:
        out.result(f"report written: {path.resolve()}")
    return EXIT_OK


# -------------------------------------------------------------------------- convert
_SK_NAMES = ("Ridge", "Lasso", "ElasticNet", "LogisticRegression", "PoissonRegressor")


def _convert(args, out: _Out) -> int:
    from . import conversions
    from .likelihoods import Bernoulli, Gaussian, Poisson
    from .model import Model
    from .priors import ElasticNetPrior, Laplace, Normal

    kind, _, name = args.source.partition(":")
    n = args.n_samples
    result: dict[str, Any] = {}
    if kind == "sklearn":
        if name not in _SK_NAMES:
            raise CLIError(f"--from sklearn:{name}: supported estimators are "
                           f"{', '.join(_SK_NAMES)}.")
        from sklearn import linear_model

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
        model = conversions.from_sklearn(est, n_samples=n, sigma=args.sigma)
        result["from"] = describe_estimator(est)
    elif kind == "glmnet":
        if name not in ("gaussian", "binomial", "poisson"):
            raise CLIError(f"--from glmnet:{name}: family must be gaussian, binomial or poisson.")
        if args.lambda_ is None:
            raise CLIError("glmnet conversion needs --lambda.")
        mix = 1.0 if args.alpha is None else args.alpha
        model = conversions.from_glmnet(args.lambda_, alpha=mix, family=name, n_samples=n,
                                        sigma=args.sigma)
        result["from"] = f"glmnet(family={name!r}, lambda={args.lambda_}, alpha={mix})"
    elif kind == "prior":
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
        model = Model(likelihood=lik, prior=prior)
        result["from"] = repr(prior)
    else:
        raise CLIError(f"--from {args.source!r}: use sklearn:<Estimator>, glmnet:<family> or "
                       "prior:<normal|laplace|elasticnet>.")
    result["prior"] = repr(model.prior)
    result["model"] = model.to_dict()
    targets = ("sklearn", "glmnet") if args.to is None else (args.to,)
    eq = {}
    for t in targets:
        from ._errors import BayesregError

        try:
            if t == "sklearn":
                eq[t] = describe_estimator(model.to_sklearn(n_samples=n, sigma=args.sigma))
            else:
                g = model.to_glmnet(n_samples=n, sigma=args.sigma)
                eq[t] = g
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


# ----------------------------------------------------------------------------- demo
DEMO_SIGMA = 54.0  # ~ residual sd of least squares on the diabetes data (54.15)


def _demo_estimators():
    from sklearn.linear_model import ElasticNet, Lasso, Ridge

    tight = {"tol": 1e-12, "max_iter": 100_000}
    return [Ridge(alpha=1.0), Ridge(alpha=50.0), Lasso(alpha=1.0, **tight),
            Lasso(alpha=5.0, **tight), ElasticNet(alpha=1.0, l1_ratio=0.5, **tight)]


def equivalence_table(X, y, sigma: float = DEMO_SIGMA):
    """Demo step 1: scikit-learn fits next to bayesreg's MAP under the converted prior.

    Returns a DataFrame with one row per estimator: the estimator, the prior that
    :func:`bayesreg.conversions.from_sklearn` gives for noise ``sigma``, the number of non-zero
    MAP coefficients, ``max |coef_sklearn - coef_MAP|`` and the MAP's optimality certificate.
    """
    import pandas as pd

    from .model import Model

    rows = []
    for est in _demo_estimators():
        est.fit(X, y)
        model = Model.from_sklearn(est, n_samples=len(y), sigma=sigma)
        fit = model.map(X, y, tol=1e-12)
        params = ", ".join(f"{k}={v:g}" for k, v in est.get_params().items()
                           if k in ("alpha", "l1_ratio"))
        rows.append({"scikit-learn": f"{type(est).__name__}({params})",
                     f"prior (sigma={sigma:g})": repr(model.prior),
                     "non-zero": int(np.count_nonzero(fit.coef)),
                     "max|sk - MAP|": float(np.max(np.abs(fit.coef - est.coef_))),
                     "certificate": f"{fit.optimality_kind}={fit.optimality:.1e}"})
    return pd.DataFrame(rows)


def _demo(args, out: _Out) -> int:
    import pandas as pd

    from .datasets import load_diabetes
    from .likelihoods import Gaussian
    from .model import Model

    t_start = time.perf_counter()
    quick = args.quick
    X, y = load_diabetes(return_X_y=True, standardize=True)
    n, p = X.shape
    out.result(f"bayesreg demo: diabetes data (Efron et al. 2004), n={n}, p={p}, features "
               "standardized, y = disease progression (raw units)")

    out.result(f"\n[1/5] scikit-learn penalized fits = bayesreg MAP under the converted prior "
               f"(Gaussian likelihood, sigma={DEMO_SIGMA:g})")
    table = equivalence_table(X, y)
    with pd.option_context("display.width", 200, "display.max_colwidth", 60):
        out.result(table.to_string(index=False, float_format=lambda v: f"{v:.1e}"))
    worst = float(table["max|sk - MAP|"].max())
    out.result(f"largest coefficient difference: {worst:.1e} (coefficients are O(10))")

    from sklearn.linear_model import Lasso

    lasso_model = Model.from_sklearn(Lasso(alpha=1.0), n_samples=n, sigma=DEMO_SIGMA)
    failed = []
    out.result("\n[2/5] PyMC cross-check: direct MAP vs pm.find_MAP on the identical model")
    if _has("bayesreg.pymc", "crosscheck"):
        ests = _demo_estimators()
        chosen = [ests[0], ests[2], ests[4]] if not quick else [ests[2]]
        for est in chosen:
            model = Model.from_sklearn(est, n_samples=n, sigma=DEMO_SIGMA)
            t0 = time.perf_counter()
            check = model.crosscheck(X, y)
            ok = bool(getattr(check, "passed", False))
            if not ok:
                failed.append(type(est).__name__)
            out.result(f"-- {type(est).__name__} -> {model.prior!r}: "
                       f"{'passed' if ok else 'FAILED'} ({time.perf_counter() - t0:.1f} s)")
            if not args.quiet:
                out.result(str(check))
    else:
        out.result("   skipped: bayesreg.pymc.crosscheck is not available in this installation")

    # the full posterior: Laplace prior of the lasso at alpha=1, sigma estimated
    post_model = Model(likelihood=Gaussian(sigma=None), prior=lasso_model.prior)
    fit = post_model.map(X, y)
    draws, tune = (300, 300) if quick else (1000, 1000)
    out.result(f"\n[3/5] full posterior under {post_model.prior!r}, sigma ~ HalfNormal "
               f"(estimated): 2 chains x {draws} draws")
    idata = None
    if _has("bayesreg.pymc", "sample"):
        t0 = time.perf_counter()
        idata = post_model.sample(X, y, draws=draws, tune=tune, chains=2, random_seed=2004,
                                  progressbar=not args.quiet)
        out.result(f"sampled in {time.perf_counter() - t0:.1f} s")
        if _has("bayesreg.diagnostics", "diagnose"):
            from .diagnostics import diagnose

            out.result(str(diagnose(idata)))
    else:
        out.result("   skipped: bayesreg.pymc.sample is not available in this installation")

    out.result("\n[4/5] MAP (the penalized estimate) vs the posterior")
    if idata is not None and _has("bayesreg.diagnostics", "compare"):
        from .diagnostics import compare

        table = compare(idata, fit, **({"X": X, "y": y}
                                       if "X" in inspect.signature(compare).parameters else {}))
        cols = [c for c in ("map", "mean", "median", "hdi_low", "hdi_high", "p_near_zero",
                            "shrinkage_map", "shrinkage_mean", "r_hat", "ess_bulk")
                if c in table.columns]
        out.result(_frame_text(table[cols] if cols else table))
        zeros = [nm for nm, c in zip(fit.feature_names, fit.coef) if c == 0]
        if zeros:
            post = idata.posterior["coef"]
            means = post.mean(("chain", "draw"))
            txt = ", ".join(f"{nm} (posterior mean {float(means.sel(feature=nm)):.2f})"
                            for nm in zeros)
            out.result(f"exactly zero at the MAP but not in the posterior mean: {txt}")
    else:
        out.result("   skipped: needs bayesreg.pymc.sample and bayesreg.diagnostics.compare")

    out.result("\n[5/5] HTML report")
    if _has("bayesreg.diagnostics", "report") and _has("bayesreg.pymc", "sample"):
        rep = _call_report(post_model, X, y, args.out, draws, 2004, args.quiet,
                           extra={"idata": idata, "fit": fit, "tune": tune, "chains": 2,
                                  "compare_priors": not quick})
        out.result(f"report written: {_report_path(rep, args.out).resolve()}")
    else:
        out.result("   skipped: bayesreg.diagnostics.report is not available in this installation")
    out.result(f"\ndemo finished in {time.perf_counter() - t_start:.1f} s")
    if failed:
        print(f"bayesreg demo: cross-check failed for {', '.join(failed)}", file=sys.stderr)
        return EXIT_FAILED_CHECK
    return EXIT_OK


# --------------------------------------------------------------------------- parser
_EPILOG = {
    "main": """examples:
  bayesreg demo --quick
  bayesreg fit diabetes --target target --prior laplace --alpha 1.0 --sigma 54 --standardize
  bayesreg convert --from sklearn:Lasso --alpha 0.1 --n-samples 442 --sigma 1
  bayesreg <command> --help

exit codes: 0 ok, 1 a check failed, 2 usage or input error""",
    "demo": """examples:
  bayesreg demo                 # full demo (< 3 min on 2 cores)
  bayesreg demo --quick         # smaller sampling run (< 1 min)
  bayesreg demo --out /tmp/rep  # write the HTML report there""",
    "fit": """examples:
  bayesreg fit data.csv --target y --prior laplace --scale 0.5 --sigma 1
  bayesreg fit diabetes --target target --standardize --prior laplace --alpha 1 --sigma 54
  bayesreg fit diabetes --target target --standardize --prior elasticnet --alpha 1 \\
      --l1-ratio 0.5 --convention glmnet --sigma 54 --json
  bayesreg fit data.csv --target clicked --likelihood bernoulli --prior laplace --scale 1 \\
      --save fit.json""",
    "crosscheck": """examples:
  bayesreg crosscheck diabetes --target target --standardize --prior laplace --alpha 1 --sigma 54
  bayesreg crosscheck data.csv --target y --likelihood poisson --prior normal --scale 1
exit code 1 when the direct MAP and pm.find_MAP disagree beyond the documented tolerances.""",
    "sample": """examples:
  bayesreg sample diabetes --target target --standardize --prior laplace --scale 10 \\
      --out post.nc --draws 1000 --chains 2 --seed 1
  bayesreg sample data.csv --target y --prior normal --scale 1 --sigma 1 --out post.nc \\
      --fail-on-warnings    # exit 1 if R-hat / ESS / divergences are not ok""",
    "compare": """examples:
  bayesreg compare post.nc                  # MAP stored by 'bayesreg sample'
  bayesreg compare post.nc --fit fit.json   # MAP saved by 'bayesreg fit --save'
  bayesreg compare post.nc --json""",
    "report": """examples:
  bayesreg report diabetes --target target --standardize --prior laplace --scale 10 \\
      --out bayesreg-report
  bayesreg report diabetes --target target --standardize --prior laplace --scale 10 \\
      --posterior post.nc --no-compare-priors --out bayesreg-report""",
    "convert": """examples:
  bayesreg convert --from sklearn:Lasso --alpha 0.1 --n-samples 442 --sigma 1
  bayesreg convert --from sklearn:ElasticNet --alpha 0.1 --l1-ratio 0.5 --n-samples 442 --sigma 1
  bayesreg convert --from sklearn:LogisticRegression --C 0.5 --l1-ratio 1
  bayesreg convert --from glmnet:binomial --lambda 0.01 --alpha 1 --n-samples 1000
  bayesreg convert --from prior:laplace --scale 0.5 --to sklearn --n-samples 442 --sigma 1
  bayesreg convert --from prior:normal --scale 2 --likelihood bernoulli --to sklearn""",
}


def _positive(v: str) -> float:
    try:
        x = float(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {v!r}") from None
    if not (math.isfinite(x) and x > 0):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {v!r}")
    return x


def _unit(v: str) -> float:
    try:
        x = float(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {v!r}") from None
    if not 0.0 <= x <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {v!r}")
    return x


def _posint(v: str) -> int:
    try:
        x = int(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {v!r}") from None
    if x < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {v!r}")
    return x


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quiet", "-q", action="store_true", help="no progress output")


def _add_model_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("data", metavar="DATA",
                   help="CSV file with a header row, or 'diabetes' / 'prostate' (bundled)")
    p.add_argument("--target", required=True, metavar="COL", help="response column")
    p.add_argument("--features", metavar="A,B,...",
                   help="comma-separated feature columns (default: all but the target)")
    p.add_argument("--standardize", action="store_true",
                   help="center and scale each feature to unit (population) sd first")
    g = p.add_argument_group("model")
    g.add_argument("--likelihood", choices=("gaussian", "bernoulli", "poisson"),
                   default="gaussian", help="observation model (default gaussian)")
    g.add_argument("--prior", choices=("normal", "laplace", "elasticnet"), default="laplace",
                   help="coefficient prior (default laplace): normal=L2/ridge, laplace=L1/lasso")
    g.add_argument("--scale", type=_positive, metavar="S",
                   help="prior scale (Normal sd, Laplace b, elasticnet L1 scale)")
    g.add_argument("--l2-scale", type=_positive, metavar="T",
                   help="elasticnet: scale of the Gaussian part")
    g.add_argument("--alpha", type=_positive, metavar="A",
                   help="give the prior as a library penalty instead (see --convention); for "
                        "bernoulli + sklearn, alpha = 1/C")
    g.add_argument("--l1-ratio", type=_unit, metavar="R", help="elasticnet mixing (with --alpha)")
    g.add_argument("--convention", choices=("sklearn", "glmnet"), default="sklearn",
                   help="meaning of --alpha: scikit-learn's alpha or glmnet's lambda")
    g.add_argument("--sigma", type=_positive, metavar="S",
                   help="gaussian noise sd (default: estimated, HalfNormal prior)")
    g.add_argument("--no-intercept", action="store_true", help="fit without an intercept")


def _add_sampling_options(p: argparse.ArgumentParser, draws: int = 1000) -> None:
    g = p.add_argument_group("sampling")
    g.add_argument("--draws", type=_posint, default=draws)
    g.add_argument("--tune", type=_posint, default=1000)
    g.add_argument("--chains", type=_posint, default=2)
    g.add_argument("--seed", type=int, default=None)
    g.add_argument("--sampler", choices=("nutpie", "pymc", "gibbs"), default="nutpie",
                   help="nutpie (default), PyMC NUTS, or the exact Gibbs sampler (gaussian)")


def _parser() -> argparse.ArgumentParser:
    fmt = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="bayesreg", formatter_class=fmt, epilog=_EPILOG["main"],
        description="Penalized regression is Bayesian MAP: fit, cross-check with PyMC, sample "
                    "and compare.")
    from . import __version__

    parser.add_argument("--version", action="version", version=f"bayesreg {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    d = sub.add_parser("demo", help="the full story on the bundled diabetes data",
                       formatter_class=fmt, epilog=_EPILOG["demo"],
                       description="Equivalence table (scikit-learn vs MAP), PyMC cross-checks, "
                                   "the posterior under a Laplace prior with diagnostics, the "
                                   "comparison table and the HTML report.")
    d.add_argument("--out", default="bayesreg-report", metavar="DIR",
                   help="report directory (default bayesreg-report)")
    d.add_argument("--quick", action="store_true", help="fewer draws: under a minute")
    _add_common(d)

    f = sub.add_parser("fit", help="MAP fit with optimality certificate", formatter_class=fmt,
                       epilog=_EPILOG["fit"],
                       description="Posterior mode by direct penalized optimization; prints "
                                   "the coefficients, the certificate and the equivalent "
                                   "scikit-learn / glmnet penalty.")
    _add_model_options(f)
    f.add_argument("--tol", type=_positive, default=1e-6, help="certificate tolerance")
    f.add_argument("--json", action="store_true", help="machine-readable output")
    f.add_argument("--save", metavar="FILE", help="save the fit as JSON (for 'compare --fit')")
    _add_common(f)

    c = sub.add_parser("crosscheck", help="direct MAP vs PyMC find_MAP", formatter_class=fmt,
                       epilog=_EPILOG["crosscheck"],
                       description="Solve the MAP directly and with pm.find_MAP on the "
                                   "identical PyMC model and compare them.")
    _add_model_options(c)
    c.add_argument("--json", action="store_true")
    _add_common(c)

    s = sub.add_parser("sample", help="full posterior with PyMC/nutpie -> NetCDF",
                       formatter_class=fmt, epilog=_EPILOG["sample"],
                       description="Sample the posterior and write it (with the MAP fit in "
                                   "its attributes) as NetCDF.")
    _add_model_options(s)
    s.add_argument("--out", required=True, metavar="FILE.nc")
    _add_sampling_options(s)
    s.add_argument("--fail-on-warnings", action="store_true",
                   help="exit 1 when the sampler diagnostics are not ok")
    s.add_argument("--json", action="store_true")
    _add_common(s)

    m = sub.add_parser("compare", help="MAP vs posterior table", formatter_class=fmt,
                       epilog=_EPILOG["compare"],
                       description="Where the MAP sits inside the posterior: one row per "
                                   "coefficient (br.compare).")
    m.add_argument("posterior", metavar="POST.nc")
    m.add_argument("--fit", metavar="FIT.json", help="MAP fit saved by 'bayesreg fit --save'")
    m.add_argument("--hdi-prob", type=_unit, default=0.94)
    m.add_argument("--json", action="store_true")
    _add_common(m)

    r = sub.add_parser("report", help="HTML report (fit, cross-check, posterior, plots)",
                       formatter_class=fmt, epilog=_EPILOG["report"],
                       description="Write the self-contained HTML report (br.report).")
    _add_model_options(r)
    r.add_argument("--out", required=True, metavar="DIR")
    _add_sampling_options(r)
    r.add_argument("--posterior", metavar="POST.nc",
                   help="reuse draws written by 'bayesreg sample' (same model and data)")
    r.add_argument("--no-compare-priors", action="store_true",
                   help="skip the LOO comparison of Normal / Laplace / elastic-net priors "
                        "(saves two sampling runs)")
    r.add_argument("--json", action="store_true")
    _add_common(r)

    v = sub.add_parser("convert", help="penalty <-> prior conversions", formatter_class=fmt,
                       epilog=_EPILOG["convert"],
                       description="Translate a scikit-learn / glmnet penalty into the prior "
                                   "with the same optimum, or a prior into the penalties.")
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
    return parser


_COMMANDS = {"demo": _demo, "fit": _fit, "crosscheck": _crosscheck, "sample": _sample,
             "compare": _compare, "report": _report, "convert": _convert}


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 failed check, 2 usage/input error)."""
    from ._errors import BayesregError

    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse: --help (0) or a usage error (2)
        return int(e.code) if isinstance(e.code, int) else EXIT_USAGE
    out = _Out(quiet=getattr(args, "quiet", False), json_mode=getattr(args, "json", False))
    try:
        return _COMMANDS[args.command](args, out)
    except (CLIError, BayesregError) as e:
        print(f"bayesreg {args.command}: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except FileNotFoundError as e:
        print(f"bayesreg {args.command}: error: file not found: {e.filename}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # pragma: no cover
        print("bayesreg: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
