"""``bayesreg select``: choose the prior scale by CV, empirical Bayes, a hyperprior and LOO,
side by side (:func:`bayesreg.selection.scale.select_scale`)."""

from __future__ import annotations

from ._common import (
    EXIT_OK,
    CLIError,
    _add_common,
    _add_model_options,
    _frame_text,
    _Out,
    _posint,
    _print_json,
    add_command,
    load_data_and_model,
    output_file,
)

EPILOG = """examples:
  bayesreg select diabetes --target target --standardize --prior laplace --methods cv,eb
  bayesreg select data.csv --target y --likelihood bernoulli --prior normal --measure auc \\
      --cv 5 --seed 1 --plot scale.png
  bayesreg select diabetes --target target --standardize --methods cv --cv-convention glmnet
The model's own --scale (default 1) only starts the search: the grid comes from the data."""


def add_parser(sub) -> None:
    p = add_command(sub, "select", "choose the prior scale (CV, empirical Bayes, hyperprior, LOO)",
                    epilog=EPILOG,
                    description="Choose the prior scale of the model by several methods and "
                                "print one row per method: the scale, the equivalent "
                                "scikit-learn alpha / glmnet lambda, the non-zero MAP "
                                "coefficients, the CV error and the LOO elpd.")
    _add_model_options(p)
    g = p.add_argument_group("selection")
    g.add_argument("--methods", default="cv,eb", metavar="M,M",
                   help="comma-separated subset of cv, eb, hyperprior, loo (default cv,eb)")
    g.add_argument("--cv", type=_posint, default=10, metavar="K", help="folds (default 10)")
    g.add_argument("--repeats", type=_posint, default=1, help="repeated fold splits")
    g.add_argument("--n-scales", type=_posint, default=100, help="grid points (default 100)")
    g.add_argument("--measure", choices=("deviance", "mse", "mae", "class", "auc"),
                   default="deviance", help="CV loss (cv.glmnet's type.measure)")
    g.add_argument("--cv-convention", choices=("bayes", "glmnet"), default="bayes",
                   help="fixed across folds: the prior scale (bayes) or the per-observation "
                        "penalty (glmnet, as cv.glmnet and LassoCV)")
    g.add_argument("--seed", type=int, default=None, help="folds and Monte Carlo seed")
    g.add_argument("--plot", metavar="FILE", help="write sel.plot() to FILE (png, svg, pdf)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    _add_common(p)


def run(args, out: _Out) -> int:
    methods = tuple(m.strip() for m in args.methods.split(",") if m.strip())
    if args.plot:
        output_file(args.plot, "--plot", "scale.png")
    if args.scale is None and args.alpha is None:
        args.scale = 1.0  # the search starts here; the grid comes from the data
        if args.prior == "elasticnet" and args.l2_scale is None:
            raise CLIError("--prior elasticnet needs --l2-scale T (the Gaussian part, whose "
                           "ratio to the L1 scale is kept along the grid).")
    X, y, model = load_data_and_model(args)
    out.progress(f"bayesreg select: {', '.join(methods)} for {model!r}")
    sel = model.select_scale(X, y, methods=methods, n_scales=args.n_scales, cv=args.cv,
                             n_repeats=args.repeats, convention=args.cv_convention,
                             measure=args.measure, random_state=args.seed)
    df = sel.to_frame()
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        ax = sel.plot()
        ax.figure.savefig(args.plot, bbox_inches="tight")
    if args.json:
        _print_json({"model": model.to_dict(), "choices": df.to_dict(orient="records"),
                     "skipped": sel.skipped, "disagreement": sel.disagreement()})
        return EXIT_OK
    out.result(f"model: {model!r}")
    out.result(f"data: {args.data} (n={len(y)}, p={X.shape[1]}, target={args.target!r})")
    out.result(_frame_text(df))
    for k, v in sel.skipped.items():
        out.result(f"{k}: not run ({v})")
    d = sel.disagreement()
    if d:
        out.result(d)
    if args.plot:
        out.info(f"wrote {args.plot}")
    return EXIT_OK
