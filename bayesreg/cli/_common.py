"""The layer every command shares: argument helpers and type converters, reading ``DATA``,
building the model from the model options, output, JSON, and reading a stored posterior.

Nothing here imports PyMC or ArviZ: the commands import them inside ``run``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

EXIT_OK, EXIT_FAILED_CHECK, EXIT_USAGE = 0, 1, 2

#: the priors with hand-written command-line handling (a scale, or a library penalty)
_PENALTY_PRIORS = ("normal", "laplace", "elasticnet", "bayesian-lasso")
#: the prior parameters the command line sets: argparse dest -> flag (a prior declares which it
#: takes in ``cli_options`` {constructor parameter: dest}; the sparse priors)
_PRIOR_FLAGS = {"global_scale": "--global-scale", "expected_nonzero": "--expected-nonzero",
                "slab_scale": "--slab-scale", "slab_df": "--slab-df", "local_df": "--local-df",
                "global_df": "--global-df", "fix_global": "--fix-global",
                "inclusion_prob": "--inclusion-prob", "mean_r2": "--mean-r2",
                "r2_precision": "--r2-precision", "concentration": "--concentration",
                "groups": "--groups", "l1_scale": "--l1-scale"}


def prior_classes() -> dict[str, type]:
    """``{--prior name: class}`` of the registered priors that declare ``cli_options`` (the
    sparse priors: horseshoe, horseshoe-plus, regularized-horseshoe, r2d2, spike-slab; and
    group-laplace: ``--scale S --groups "a,b;c,d"``)."""
    from ..priors import PRIORS

    return {n: cls for cls in PRIORS.values() if getattr(cls, "cli_options", None)
            for n in (cls.cli_name(), *cls.cli_aliases)}


PRIOR_CHOICES = _PENALTY_PRIORS + tuple(prior_classes())
FORMATTER = argparse.RawDescriptionHelpFormatter


class CLIError(Exception):
    """A user error detected by the command line (bad file, missing column, ...): exit code 2."""


def one_line(text: str) -> str:
    """``text`` on one line (a multi-line message's lines joined by spaces)."""
    if "\n" not in text:
        return text
    return " ".join(ln.strip() for ln in text.splitlines() if ln.strip())


class ArgumentParser(argparse.ArgumentParser):
    """argparse with the CLI's error format: a usage error is one line on stderr,
    ``bayesreg <command>: error: <what> (see 'bayesreg <command> --help')``, exit code 2 (the
    usage block stays in ``--help``). Subparsers inherit the class."""

    def error(self, message: str):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {one_line(message)} "
                              f"(see '{self.prog} --help')\n")


# ---------------------------------------------------------------------------- output
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


def _frame_text(obj) -> str:
    import pandas as pd

    if isinstance(obj, pd.DataFrame):
        with pd.option_context("display.width", 200, "display.max_columns", 30,
                               "display.float_format", lambda v: f"{v:.4g}"):
            return obj.to_string()
    return str(obj)


# ------------------------------------------------------------------------------ data
def read_table(data: str):
    """``DATA`` as a DataFrame: a CSV file with a header row, or a bundled data set
    (``diabetes``, ``prostate``). A missing, empty or unreadable file is a :class:`CLIError`."""
    import pandas as pd

    path = Path(data)
    if path.is_dir():
        raise CLIError(f"DATA {data!r} is a directory, not a CSV file.")
    if path.is_file():
        try:
            df = pd.read_csv(path)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
            raise CLIError(f"cannot read {data!r} as CSV: {str(e).splitlines()[0]}") from None
        except OSError as e:
            raise CLIError(f"cannot read {data!r}: {e.strerror or e}.") from None
        if len(df) == 0:
            raise CLIError(f"{data!r} has no rows (only a header: "
                           f"{', '.join(map(str, df.columns))}).")
    elif data in ("diabetes", "prostate"):
        from .. import datasets

        df = datasets.load_diabetes() if data == "diabetes" else datasets.load_prostate()
        if data == "prostate":
            df = df.drop(columns="train")
    else:
        raise CLIError(f"data file {data!r} not found (give a CSV path, or 'diabetes' / "
                       "'prostate' for the bundled data).")
    return df


def _check_columns(df, data: str, extra: tuple[str, ...], target: str | None) -> None:
    """The likelihood's columns (``--trials COL``) exist and are not the response."""
    for c in extra:
        if c not in df.columns:
            raise CLIError(f"column {c!r} (--trials) is not a column of {data!r}; columns: "
                           f"{', '.join(map(str, df.columns))}.")
        if c == target:
            raise CLIError(f"--trials {c!r} is the target column: give the successes as "
                           "--target and the trials as another column.")


def load_table(data: str, target: str, features: str | None = None, standardize: bool = False,
               extra: tuple[str, ...] = ()):
    """Read ``DATA`` (CSV path or bundled name) and split it into ``(X, y)`` DataFrame/Series.

    Non-numeric feature columns are an error (encode them first, or use ``--formula``).
    ``standardize`` centers each feature and divides it by its population standard deviation.
    ``extra``: columns read for the likelihood (``--trials COL``), never features; then ``(X,
    y, {column: values})``.
    """
    import pandas as pd

    df = read_table(data)
    if target not in df.columns:
        raise CLIError(f"--target {target!r} is not a column of {data!r}; columns: "
                       f"{', '.join(map(str, df.columns))}.")
    _check_columns(df, data, extra, target)
    if features:
        cols = [c.strip() for c in features.split(",") if c.strip()]
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise CLIError(f"--features: column(s) {', '.join(missing)} not in {data!r}; "
                           f"columns: {', '.join(map(str, df.columns))}.")
        if target in cols:
            raise CLIError(f"--features lists the target {target!r}: a column cannot be both "
                           "the response and a feature.")
        if set(extra) & set(cols):
            raise CLIError(f"--features lists the trials column {sorted(set(extra) & set(cols))[0]!r}"
                           ": it is part of the likelihood, not a feature.")
        twice = sorted({c for c in cols if cols.count(c) > 1})
        if twice:
            raise CLIError(f"--features lists column(s) {', '.join(twice)} more than once.")
    else:
        cols = [c for c in df.columns if c != target and c not in extra]
    if not cols:
        raise CLIError(f"{data!r} has no feature columns besides the target {target!r}.")
    X = df[cols]
    bad = [c for c in cols if not pd.api.types.is_numeric_dtype(X[c])]
    if bad:
        raise CLIError(f"non-numeric feature column(s) {', '.join(map(str, bad))}: encode them "
                       "as numbers, leave them out with --features, or state the model as "
                       "--formula 'y ~ x + C(category)' (dummy columns).")
    if not pd.api.types.is_numeric_dtype(df[target]):
        raise CLIError(f"target column {target!r} is not numeric.")
    X = X.astype(float)
    if standardize:
        sd = X.std(ddof=0).replace(0.0, 1.0)
        X = (X - X.mean()) / sd
    if extra:
        bad = [c for c in extra if not pd.api.types.is_numeric_dtype(df[c])]
        if bad:
            raise CLIError(f"the trials column {bad[0]!r} is not numeric.")
        return X, df[target].astype(float), {c: df[c].to_numpy(dtype=float) for c in extra}
    return X, df[target].astype(float)


def load_data(args, extra: tuple[str, ...] = ()):
    """``(X, y)`` (``(X, y, {column: values})`` with ``extra`` columns) from the data options:
    ``--target`` [``--features``, ``--standardize``], or ``--formula "y ~ x1 + C(region)"``,
    whose design is :func:`bayesreg.formula.formula_design`'s (formulaic). With a formula,
    ``args.target`` is set to the formula's response, and ``args.formula_design`` holds the
    design (its term groups and intercept)."""
    formula = getattr(args, "formula", None)
    if not formula:
        if args.target is None:
            raise CLIError("the response is missing: give --target COL, or the model as "
                           "--formula 'y ~ x1 + x2'.")
        return load_table(args.data, args.target, args.features, args.standardize, extra=extra)
    import pandas as pd

    from ..formula import formula_design

    if args.features is not None:  # (--target and --formula: argparse refuses the pair)
        raise CLIError(f"--features conflicts with --formula {formula!r}: the formula names the "
                       "features (right of '~'); drop --features.")
    if args.standardize:
        raise CLIError("--standardize does not apply with --formula: standardize in the "
                       "formula instead, e.g. 'y ~ scale(x1) + C(region)'.")
    if getattr(args, "no_intercept", False):
        raise CLIError("--no-intercept does not apply with --formula: write the formula "
                       "without intercept instead, e.g. 'y ~ 0 + x1 + x2'.")
    df = read_table(args.data)
    _check_columns(df, args.data, extra, None)
    design = formula_design(formula, df)
    args.target, args.formula_design = design.response, design
    X, y = design.X, pd.Series(design.y, name=design.response)
    if extra:
        bad = [c for c in extra if not pd.api.types.is_numeric_dtype(df[c])]
        if bad:
            raise CLIError(f"the trials column {bad[0]!r} is not numeric.")
        return X, y, {c: df[c].to_numpy(dtype=float) for c in extra}
    return X, y


def load_data_and_model(args):
    """``(X, y, model)`` from the data and model options of ``fit``/``crosscheck``/...
    (:func:`load_data`, then :func:`build_model_from_args` over the design's columns)."""
    cols = {dest: getattr(args, dest) for dest in _COLUMN_FLAGS
            if getattr(args, dest, None) is not None}
    loaded = load_data(args, extra=tuple(cols.values()))
    X, y = loaded[0], loaded[1]
    extra = loaded[2] if cols else {}
    design = getattr(args, "formula_design", None)
    return X, y, build_model_from_args(
        args, len(y), columns={d: extra[c] for d, c in cols.items()} or None,
        feature_names=list(X.columns),
        term_groups=None if design is None else design.groups,
        fit_intercept=None if design is None else design.fit_intercept)


def require_file(path: str, what: str, hint: str = "") -> Path:
    """``path`` as an existing file: a clear error when it is missing or a directory."""
    p = Path(path)
    if p.is_dir():
        raise CLIError(f"{what} {path!r} is a directory, not a file.")
    if not p.is_file():
        raise CLIError(f"{what} {path!r} not found{hint}.")
    return p


def output_file(path: str, flag: str, example: str = "NAME") -> Path:
    """``path`` checked as a file to write (before any work): not an existing directory, and its
    directory exists (nothing is created)."""
    p = Path(path)
    if p.is_dir():
        raise CLIError(f"{flag} {path!r} is a directory: give a file name, e.g. "
                       f"{str(p / example)!r}.")
    parent = p.parent
    if not parent.exists():
        raise CLIError(f"{flag} {path!r}: directory {str(parent)!r} does not exist.")
    if not parent.is_dir():
        raise CLIError(f"{flag} {path!r}: {str(parent)!r} is not a directory.")
    return p


def output_dir(path: str, flag: str, out: _Out | None = None, create: bool = True) -> Path:
    """``path`` as a directory to write into, created if missing the way ``mkdir`` (without
    ``-p``) would: only the last component (said on stderr unless ``--quiet``); a missing parent
    or an existing file is an error. ``create=False`` only checks."""
    p = Path(path)
    if p.is_dir():
        return p
    if p.exists():
        raise CLIError(f"{flag} {path!r} is a file, not a directory.")
    parent = p.parent
    if not parent.exists():
        raise CLIError(f"{flag} {path!r}: parent directory {str(parent)!r} does not exist "
                       "(only the last directory is created).")
    if not parent.is_dir():
        raise CLIError(f"{flag} {path!r}: {str(parent)!r} is not a directory.")
    if not create:
        return p
    try:
        p.mkdir()
    except OSError as e:
        raise CLIError(f"{flag} {path!r}: cannot create the directory: {e.strerror or e}.") \
            from None
    if out is not None:
        out.progress(f"created the directory {path}")
    return p


def _open_tree(path: str):
    """A posterior written by ``bayesreg sample``, read fully into memory."""
    import xarray as xr

    p = require_file(path, "posterior file", " (write one with 'bayesreg sample')")
    try:
        with xr.open_datatree(p, engine="h5netcdf") as tree:
            return tree.load()  # read everything, then close the file
    except (OSError, ValueError) as e:
        raise CLIError(f"cannot read {path!r} as a NetCDF posterior: {str(e).splitlines()[0]}") \
            from None


def stored_fit(idata):
    """The MAP fit ``bayesreg sample`` stored in the posterior's attributes, or None."""
    if "bayesreg_map" not in idata.attrs:
        return None
    from ..map import MAPResult

    return MAPResult.from_dict(json.loads(idata.attrs["bayesreg_map"]))


def stored_model(idata):
    """The model ``bayesreg sample`` stored in the posterior's attributes, or None."""
    spec = idata.attrs.get("bayesreg_model")
    if spec is None:
        return None
    from ..model import Model

    return Model.from_dict(json.loads(spec))


# ----------------------------------------------------------------------------- model
#: the likelihood parameters the command line sets: argparse dest -> flag (a likelihood
#: declares which it takes in ``cli_options`` {constructor parameter: dest})
_LIKELIHOOD_FLAGS = {"sigma": "--sigma", "nu": "--nu", "dispersion": "--dispersion",
                     "trials": "--trials"}
#: the flags whose value is a column of DATA (read per row), not a number
_COLUMN_FLAGS = ("trials",)


def likelihood_classes() -> dict[str, type]:
    """``{--likelihood name: class}`` over the registry (cli_name and cli_aliases)."""
    from ..likelihoods import LIKELIHOODS

    return {n: cls for cls in LIKELIHOODS.values() for n in (cls.cli_name(), *cls.cli_aliases)}


def refuse_foreign_flags(args, kind: str, flags: dict[str, str], own, registry: dict) -> None:
    """The one check of the flags a registered class declares (``cli_options``): a
    :class:`CLIError` for the first flag of ``flags`` (argparse dest -> flag) that is set but
    not among the dests ``own`` the chosen ``--{kind}`` takes, naming the classes of
    ``registry`` (``{cli name: class}``) that take it. ``kind``: ``"prior"``
    (:data:`_PRIOR_FLAGS`, :func:`prior_classes`) or ``"likelihood"``
    (:data:`_LIKELIHOOD_FLAGS`, :func:`likelihood_classes`)."""
    for dest, flag in flags.items():
        if getattr(args, dest, None) not in (None, False) and dest not in own:
            takers = [cls.cli_name() for cls in dict.fromkeys(registry.values())
                      if dest in getattr(cls, "cli_options", {}).values()]
            raise CLIError(f"{flag} applies to the {' / '.join(takers) or 'no'} {kind} only, "
                           f"not --{kind} {getattr(args, kind)}.")


def _likelihood(args, columns: dict | None = None):
    """The likelihood named by ``--likelihood``, built from the flags it declares in its
    ``cli_options`` (no switch on names: every registered likelihood is available)."""
    cls = likelihood_classes()[args.likelihood]
    opts = getattr(cls, "cli_options", {})
    columns = columns or {}
    refuse_foreign_flags(args, "likelihood", _LIKELIHOOD_FLAGS, tuple(opts.values()),
                         likelihood_classes())
    kw = {}
    for param, dest in opts.items():
        if dest in _COLUMN_FLAGS:
            if dest not in columns:
                raise CLIError(f"--likelihood {args.likelihood} needs {_LIKELIHOOD_FLAGS[dest]} "
                               "COL (the column of DATA with the number of trials per row).")
            kw[param] = columns[dest]
        else:
            kw[param] = getattr(args, dest, None)
    return cls(**kw)


def build_model_from_args(args, n_samples: int, columns: dict | None = None,
                          feature_names: list[str] | None = None, term_groups=None,
                          fit_intercept: bool | None = None):
    """The :class:`~bayesreg.Model` described by the model options of ``fit``/``sample``/...

    Either ``--scale`` (prior scale; ``--l2-scale`` too for elasticnet), or a library penalty
    ``--alpha`` [``--l1-ratio``] read with ``--convention`` (sklearn or glmnet), converted with
    :func:`bayesreg.conversions.from_sklearn` / :func:`~bayesreg.conversions.from_glmnet`.
    ``--prior bayesian-lasso`` is :class:`~bayesreg.BayesianLasso`: ``--scale`` is its fixed
    ``1 / lambda`` (relative to sigma for the gaussian likelihood); without ``--scale`` the
    Gamma hyperprior on lambda^2. It has no MAP, hence no library penalty (no ``--alpha``).
    ``--prior group-laplace --scale S --groups "a,b,c;d,e"`` is :class:`~bayesreg.GroupLaplace`
    over the groups of ``feature_names`` (DATA's feature columns) that ``--groups`` lists
    (:func:`parse_groups`); ``--groups terms`` groups the columns by the formula's terms
    (``term_groups``: the term index of every column, from ``--formula``). ``fit_intercept``:
    the formula's (None: ``not --no-intercept``).
    """
    from .. import conversions
    from ..model import Model
    from ..priors import BayesianLasso, ElasticNetPrior, Laplace, Normal

    lik = _likelihood(args, columns)
    if fit_intercept is None:
        fit_intercept = not args.no_intercept
    sparse = prior_classes()
    if args.prior in sparse:
        prior = _sparse_prior(args, sparse[args.prior], lik, feature_names, term_groups)
        return Model(likelihood=lik, prior=prior.bind_features(feature_names, term_groups),
                     fit_intercept=fit_intercept)
    refuse_foreign_flags(args, "prior", _PRIOR_FLAGS, (), sparse)
    if args.prior == "bayesian-lasso":
        if args.alpha is not None:
            raise CLIError("--prior bayesian-lasso has no MAP, so no library penalty: give "
                           "--scale S (fixed 1/lambda) or nothing (Gamma hyperprior on "
                           "lambda^2) instead of --alpha.")
        if args.l2_scale is not None:
            raise CLIError("--l2-scale applies to --prior elasticnet only.")
        if args.l1_ratio is not None:
            raise CLIError("--l1-ratio applies to --prior elasticnet only.")
        prior = BayesianLasso(scale=args.scale, relative_to_sigma=lik.has_noise_scale)
        return Model(likelihood=lik, prior=prior, fit_intercept=fit_intercept)
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
    if args.likelihood not in ("gaussian", "bernoulli", "poisson"):
        raise CLIError(f"a library penalty (--alpha) converts for the gaussian, bernoulli and "
                       f"poisson likelihoods only; give --likelihood {args.likelihood} a prior "
                       "scale with --scale S.")
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


def parse_groups(spec: str, feature_names: list[str] | None, term_groups=None
                 ) -> list[list[int]] | str:
    """The groups of ``--groups "a,b,c;d,e"`` (groups separated by ``;``, the columns of one
    group by ``,``) as lists of column indices into ``feature_names`` (listed groups first, in
    their order). A feature column not listed is a group of its own
    (a plain Laplace coefficient). ``--groups terms``: ``"terms"``, the formula's terms (needs
    ``term_groups``, i.e. ``--formula``). Raises :class:`CLIError` naming ``--groups`` for an
    empty group, an unknown column or a column listed twice."""
    if spec.strip() == "terms":
        if term_groups is None:
            raise CLIError("--groups terms groups the columns by the terms of a formula: give "
                           "the model as --formula 'y ~ x1 + C(region)' (each term's columns "
                           "form one group), or list the groups as --groups \"a,b;c,d\".")
        return "terms"
    if feature_names is None:
        raise CLIError("--groups needs the feature columns of DATA (this command does not "
                       "read them): use it with fit, crosscheck, sample or report.")
    names = [str(c) for c in feature_names]
    groups, seen = [], {}
    for k, part in enumerate(spec.split(";")):
        cols = [c.strip() for c in part.split(",")]
        if not any(cols):
            if part.strip() == "" and k == len(spec.split(";")) - 1 and k > 0:
                continue  # a trailing ';'
            raise CLIError(f"--groups {spec!r}: group {k + 1} is empty: write the columns of "
                           "each group separated by ',' and the groups by ';', e.g. "
                           "--groups \"a,b,c;d,e\".")
        if "" in cols:
            raise CLIError(f"--groups {spec!r}: group {k + 1} has an empty column name "
                           "(a doubled or trailing ',').")
        for c in cols:
            if c not in names:
                raise CLIError(f"--groups {spec!r}: {c!r} is not a feature column; feature "
                               f"columns: {', '.join(names)}.")
            if c in seen:
                raise CLIError(f"--groups {spec!r}: column {c!r} is in group {seen[c] + 1} and "
                               f"group {k + 1}: every column is in one group.")
            seen[c] = k
        groups.append(cols)
    groups += [[c] for c in names if c not in seen]
    return [[names.index(c) for c in g] for g in groups]


def _sparse_prior(args, cls, lik, feature_names: list[str] | None = None, term_groups=None):
    """A prior built from the flags it declares in its ``cli_options`` (no switch on names):
    the sparse priors, and group-laplace (``--scale``, ``--groups``). A parameter declared with
    the dest ``"has_noise_scale"`` (``relative_to_sigma`` of the horseshoe family and R2D2)
    follows the likelihood: True when it has a noise scale (gaussian, student-t), False
    otherwise (bernoulli, poisson, ...); the dest ``"groups"`` is read by :func:`parse_groups`.
    A parameter the prior lists in ``cli_required`` without its flag is an error naming the
    flag."""
    opts = cls.cli_options
    for flag, dest in (("--alpha", "alpha"), ("--scale", "scale"), ("--l2-scale", "l2_scale"),
                       ("--l1-ratio", "l1_ratio")):
        if getattr(args, dest, None) is not None and dest not in opts.values():
            own = ", ".join(_PRIOR_FLAGS.get(d, f"--{d.replace('_', '-')}")
                            for d in opts.values() if d != "has_noise_scale")
            raise CLIError(f"{flag} does not apply to --prior {args.prior}: its options are "
                           f"{own}.")
    refuse_foreign_flags(args, "prior", _PRIOR_FLAGS, tuple(opts.values()), prior_classes())
    kw = {param: getattr(args, dest) for param, dest in opts.items()
          if getattr(args, dest, None) not in (None, False)}
    kw.update({param: bool(lik.has_noise_scale) for param, dest in opts.items()
               if dest == "has_noise_scale"})
    if "groups" in opts.values() and getattr(args, "groups", None) is not None:
        param = next(p for p, d in opts.items() if d == "groups")
        kw[param] = parse_groups(args.groups, feature_names, term_groups)
    for param, dest in opts.items():
        if param not in kw and param in cls.cli_required:
            flag = _PRIOR_FLAGS.get(dest, f"--{dest.replace('_', '-')}")
            raise CLIError(f"--prior {args.prior} needs {flag}" + (
                ' "a,b,c;d,e" (the feature columns of each group, groups separated by \';\')'
                if dest == "groups" else " S") + ".")
    return cls(**kw)


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
               "LogisticRegression": ("C", "l1_ratio", "solver"), "PoissonRegressor": ("alpha",),
               "GeneralizedLinearRegressor": ("family", "alpha", "l1_ratio")}


def describe_estimator(est) -> str:
    """``Name(param=value, ...)`` with the penalty parameters always spelled out (scikit-learn's
    own repr hides parameters equal to their defaults, e.g. ``Lasso()`` for ``alpha=1.0``)."""
    name = type(est).__name__
    params = est.get_params()
    keys = _EST_PARAMS.get(name, ())
    extra = [] if params.get("fit_intercept", True) else ["fit_intercept=False"]
    def shown(v):  # glum's family objects: their parameter
        return f"{type(v).__name__}(theta={v.theta!r})" if hasattr(v, "theta") else repr(v)

    return f"{name}(" + ", ".join([f"{k}={shown(params[k])}" for k in keys] + extra) + ")"


# --------------------------------------------------------------------------- parsing
def _parsed(v: str, kind: type, what: str):
    """``kind(v)`` or argparse's one-line "expected <what>" error."""
    try:
        return kind(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, got {v!r}") from None


def _positive(v: str) -> float:
    x = _parsed(v, float, "a number")
    if not (math.isfinite(x) and x > 0):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {v!r}")
    return x


def _unit(v: str) -> float:
    x = _parsed(v, float, "a number")
    if not 0.0 <= x <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number in [0, 1], got {v!r}")
    return x


def _open_unit(v: str) -> float:
    x = _parsed(v, float, "a number")
    if not 0.0 < x < 1.0:
        raise argparse.ArgumentTypeError(f"expected a number strictly between 0 and 1, got {v!r}")
    return x


def _posint(v: str) -> int:
    x = _parsed(v, int, "an integer")
    if x < 1:
        raise argparse.ArgumentTypeError(f"expected an integer >= 1, got {v!r}")
    return x


def add_command(subparsers, name: str, summary: str, description: str, epilog: str):
    """A subcommand parser with the shared formatter (examples kept as written) and the one-line
    usage errors of :class:`ArgumentParser`."""
    return subparsers.add_parser(name, help=summary, formatter_class=FORMATTER, epilog=epilog,
                                 description=description)


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quiet", "-q", action="store_true", help="no progress output")


def add_data_options(p: argparse.ArgumentParser,
                     data_help: str = "CSV file with a header row, or 'diabetes' / 'prostate' "
                                      "(bundled)") -> None:
    """``DATA`` and the options that make ``(X, y)`` of it (:func:`load_data`): ``--target``
    [``--features``, ``--standardize``], or ``--formula``."""
    p.add_argument("data", metavar="DATA", help=data_help)
    response = p.add_mutually_exclusive_group(required=True)  # argparse's one-line errors
    response.add_argument("--target", metavar="COL", help="response column")
    response.add_argument("--formula", metavar='"Y ~ X1 + C(G)"',
                   help="the model as a formula (formulaic): the response left of '~', the "
                        "design right of it (numeric columns, C(col) categorical dummies, a:b "
                        "interactions, bs(x, df=4) splines, scale(x); '0 +' drops the "
                        "intercept); instead of --target / --features / --standardize. With a "
                        "group prior, --groups terms makes each term's columns one group")
    p.add_argument("--features", metavar="A,B,...",
                   help="comma-separated feature columns (default: all but the target)")
    p.add_argument("--standardize", action="store_true",
                   help="center and scale each feature to unit (population) sd first")


def _add_model_options(p: argparse.ArgumentParser) -> None:
    add_data_options(p)
    g = p.add_argument_group("model")
    g.add_argument("--likelihood", choices=tuple(likelihood_classes()),
                   default="gaussian", help="observation model (default gaussian; any "
                   "registered likelihood: student-t for outliers, negative-binomial for "
                   "over-dispersed counts, binomial with --trials)")
    g.add_argument("--prior", choices=PRIOR_CHOICES, default="laplace",
                   help="coefficient prior (default laplace): normal=L2/ridge, laplace=L1/lasso, "
                        "bayesian-lasso=Park & Casella's hierarchical lasso; the sparse priors "
                        "horseshoe, horseshoe-plus, regularized-horseshoe (rstanarm hs()), r2d2, "
                        "spike-slab (no MAP: for sample, compare and report only; their scales "
                        "are relative to sigma for the gaussian likelihood); group-laplace = "
                        "group lasso (--scale S --groups), group-horseshoe = one horseshoe "
                        "scale per group (--groups; no MAP)")
    g.add_argument("--scale", type=_positive, metavar="S",
                   help="prior scale (Normal sd, Laplace b, elasticnet L1 scale, bayesian-lasso "
                        "1/lambda relative to sigma; bayesian-lasso without --scale: Gamma "
                        "hyperprior on lambda^2)")
    g.add_argument("--groups", metavar='"A,B;C,D"',
                   help="group-laplace / group-horseshoe: the groups of feature columns, "
                        "columns of a group separated by ',', groups by ';'; an unlisted column "
                        "is a group of its own; 'terms' with --formula: the columns of each "
                        "formula term form one group")
    g.add_argument("--l1-scale", type=_positive, metavar="B",
                   help="group-laplace: scale of an extra Laplace (L1) term on every "
                        "coefficient: the sparse group lasso, density exp(-sum_g sqrt(p_g) "
                        "||w_g|| / S - ||w||_1 / B)")
    g.add_argument("--l2-scale", type=_positive, metavar="T",
                   help="elasticnet: scale of the Gaussian part")
    g.add_argument("--alpha", type=_positive, metavar="A",
                   help="give the prior as a library penalty instead (see --convention); for "
                        "bernoulli + sklearn, alpha = 1/C")
    g.add_argument("--l1-ratio", type=_unit, metavar="R", help="elasticnet mixing (with --alpha)")
    g.add_argument("--convention", choices=("sklearn", "glmnet"), default="sklearn",
                   help="meaning of --alpha: scikit-learn's alpha or glmnet's lambda")
    g.add_argument("--sigma", type=_positive, metavar="S",
                   help="gaussian noise sd / student-t scale (default: estimated, HalfNormal "
                        "prior)")
    g.add_argument("--nu", type=_positive, metavar="NU",
                   help="student-t degrees of freedom (default: estimated, Gamma(2, 0.1) prior)")
    g.add_argument("--dispersion", type=_positive, metavar="D",
                   help="negative-binomial alpha, Var = mu + alpha mu^2 (default: estimated, "
                        "HalfNormal(1) prior)")
    g.add_argument("--trials", metavar="COL",
                   help="binomial: the column with the number of trials per row (--target is "
                        "the number of successes)")
    g.add_argument("--no-intercept", action="store_true", help="fit without an intercept")
    h = p.add_argument_group("sparse priors (horseshoe, horseshoe-plus, regularized-horseshoe, "
                             "r2d2, spike-slab)")
    h.add_argument("--global-scale", type=_positive, metavar="A",
                   help="horseshoe family: scale of the half-Cauchy / half-t on tau (horseshoe "
                        "default 1, regularized-horseshoe default 0.01 as rstanarm)")
    h.add_argument("--expected-nonzero", type=_positive, metavar="P0",
                   help="regularized-horseshoe: prior guess of the number of non-zero "
                        "coefficients; sets global_scale = P0 / (p - P0) / sqrt(n)")
    h.add_argument("--fix-global", action="store_true",
                   help="horseshoe / horseshoe-plus: fix tau = --global-scale")
    h.add_argument("--slab-scale", type=_positive, metavar="C",
                   help="regularized-horseshoe slab scale (default 2.5); spike-slab slab sd "
                        "(default 1)")
    h.add_argument("--slab-df", type=_positive, metavar="NU",
                   help="regularized-horseshoe slab degrees of freedom (default 4)")
    h.add_argument("--local-df", type=_positive, metavar="NU",
                   help="regularized-horseshoe: half-t df of the local scales (default 1)")
    h.add_argument("--global-df", type=_positive, metavar="NU",
                   help="regularized-horseshoe: half-t df of tau (default 1)")
    h.add_argument("--inclusion-prob", type=_open_unit, metavar="PI",
                   help="spike-slab prior inclusion probability (default 0.5)")
    h.add_argument("--mean-r2", type=_open_unit, metavar="M",
                   help="r2d2: prior mean of R^2 (default 0.5)")
    h.add_argument("--r2-precision", type=_positive, metavar="K",
                   help="r2d2: precision a + b of the Beta prior on R^2 (default 2)")
    h.add_argument("--concentration", type=_positive, metavar="C",
                   help="r2d2: Dirichlet concentration (default 0.5)")


def _add_sampling_options(p: argparse.ArgumentParser, draws: int = 1000) -> None:
    g = p.add_argument_group("sampling")
    g.add_argument("--draws", type=_posint, default=draws)
    g.add_argument("--tune", type=_posint, default=1000)
    g.add_argument("--chains", type=_posint, default=2)
    g.add_argument("--seed", type=int, default=None)
    g.add_argument("--sampler", choices=("auto", "nutpie", "pymc", "gibbs"), default="auto",
                   help="auto (default: the exact Gibbs sampler for gaussian models up to 1000 "
                        "features, else nutpie), nutpie, PyMC NUTS, or gibbs")


# ------------------------------------------------------------------------ run/errors
def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush of a closed pipe does not
    print 'Exception ignored ... BrokenPipeError' (the recipe of the Python docs, signal
    module)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout without a file descriptor (captured in tests)
        pass


def run_command(name: str, run, args) -> int:
    """Run one command; user errors become one line on stderr and exit code 2."""
    from .._errors import BayesregError

    out = _Out(quiet=getattr(args, "quiet", False), json_mode=getattr(args, "json", False))
    try:
        return run(args, out)
    except (CLIError, BayesregError) as e:
        print(f"bayesreg {name}: error: {one_line(str(e))}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # the reader went away ('bayesreg compare post.nc | head'): quiet
        _silence_stdout()
        return EXIT_OK
    except FileNotFoundError as e:
        print(f"bayesreg {name}: error: file not found: {e.filename}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as e:  # permissions, a directory where a file was expected, a full disk, ...
        where = f": {e.filename}" if e.filename else ""
        print(f"bayesreg {name}: error: {one_line(e.strerror or str(e))}{where}",
              file=sys.stderr)
        return EXIT_USAGE
    except ModuleNotFoundError as e:
        if not e.name or e.name.split(".")[0] == "bayesreg":
            raise
        print(f"bayesreg {name}: error: needs the package {e.name!r}, which is not available "
              "in this installation.", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:  # pragma: no cover
        print("bayesreg: interrupted", file=sys.stderr)
        return 130
