"""``bayesreg select-variables``: projection predictive variable selection on a posterior
written by ``bayesreg sample`` (:func:`bayesreg.project`), with the DSS summary next to it."""

from __future__ import annotations

import warnings

from ._common import (
    EXIT_OK,
    CLIError,
    _add_common,
    _open_tree,
    _Out,
    _posint,
    _print_json,
    _unit,
    add_command,
    add_data_options,
    load_data,
    output_file,
    stored_model,
)

EPILOG = """examples:
  bayesreg sample diabetes --target target --standardize --prior laplace --scale 6.6 \\
      --out post.nc --seed 1
  bayesreg select-variables post.nc diabetes --target target --standardize
  bayesreg select-variables post.nc diabetes --target target --standardize --search l1 \\
      --max-size 8 --json
  bayesreg select-variables post.nc data.csv --target y --cv 5 --plot elpd.png
The data options (--target, --features, --standardize, or --formula) must give the data the
posterior was sampled on; the model is the one stored in the posterior file."""


def _cv(v: str):
    if v == "loo":
        return v
    try:
        k = int(v)
    except ValueError:
        k = 0
    if k < 2:
        import argparse

        raise argparse.ArgumentTypeError(f"must be 'loo' or an integer K >= 2, got {v!r}")
    return k


def add_parser(sub) -> None:
    p = add_command(sub, "select-variables",
                    "projection predictive variable selection on a posterior file",
                    epilog=EPILOG,
                    description="Which variables matter? The posterior written by 'bayesreg "
                                "sample' is the reference model; submodels found by a forward "
                                "or L1 search are its KL projections, scored by PSIS-LOO or "
                                "K-fold CV (br.project, as R's projpred). Prints elpd, its SE "
                                "and the RMSE (accuracy for binary responses) per size, the "
                                "search order and the suggested size, and the decoupling "
                                "shrinkage and selection summary (br.sparsify).")
    p.add_argument("posterior", metavar="POST.nc", help="posterior written by 'bayesreg sample'")
    add_data_options(p, "CSV file with a header row, or 'diabetes' / 'prostate' (bundled): "
                        "the data the posterior was sampled on")
    g = p.add_argument_group("selection")
    g.add_argument("--search", choices=("forward", "l1"), default="forward",
                   help="forward (greedy KL) or l1 (lasso-path order); default forward")
    g.add_argument("--cv", type=_cv, default="loo", metavar="loo|K",
                   help="PSIS-LOO (default) or K-fold CV of the whole procedure (re-samples "
                        "the posterior K times)")
    g.add_argument("--max-size", type=_posint, default=None, metavar="N",
                   help="largest submodel searched (default min(p, 20))")
    g.add_argument("--n-draws", type=_posint, default=400, metavar="S",
                   help="draws projected to score each size (default 400)")
    g.add_argument("--n-clusters", type=_posint, default=20, metavar="C",
                   help="clusters of draws the search projects (default 20)")
    g.add_argument("--alpha", type=_unit, default=None, metavar="A",
                   help="suggest_size's alpha (default 2 Phi(-1) = 0.317: one standard error)")
    g.add_argument("--pct", type=float, default=0.0, metavar="F",
                   help="suggest_size's pct: the fraction of the null model's elpd deficit "
                        "one accepts to lose (default 0)")
    g.add_argument("--no-dss", action="store_true", help="skip the DSS summary")
    g.add_argument("--seed", type=int, default=None, help="clustering / fold seed")
    g.add_argument("--plot", metavar="FILE", help="write sel.plot() to FILE (png, svg, pdf)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    _add_common(p)


def _table_text(df) -> str:
    """The table with log densities to one decimal (``%.4g`` would drop them at -2548.3)."""
    one = {c: "{:.1f}".format for c in ("elpd", "elpd_se", "elpd_diff", "elpd_diff_se")
           if c in df.columns}
    rest = {c: "{:.4g}".format for c in df.columns if c not in one and c != "feature"}
    return df.to_string(formatters={**one, **rest})


def run(args, out: _Out) -> int:
    from ..selection.projection import ALPHA_ONE_SE, project
    from ..selection.sparsify import sparsify

    if args.plot:
        output_file(args.plot, "--plot", "elpd.png")
    idata = _open_tree(args.posterior)
    model = stored_model(idata)
    if model is None:
        raise CLIError(f"{args.posterior!r} carries no bayesreg model: write it with "
                       "'bayesreg sample'.")
    X, y = load_data(args)
    out.progress(f"bayesreg select-variables: {args.search} search, "
                 f"{'PSIS-LOO' if args.cv == 'loo' else f'{args.cv}-fold CV'} for {model!r}")
    sel = project(idata, model, X, y, search=args.search, max_size=args.max_size, cv=args.cv,
                  n_clusters=args.n_clusters, n_draws=args.n_draws,
                  random_seed=args.seed if args.seed is not None else 0)
    alpha = ALPHA_ONE_SE if args.alpha is None else args.alpha
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        size = sel.suggest_size(alpha=alpha, pct=args.pct)
    # no size within the rule's bound: max_size returned (other warnings do not count)
    beyond = any("within the rule's bound" in str(w.message) for w in caught)
    dss = None if args.no_dss else sparsify(idata, model, X, y)
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        ax = sel.plot()
        ax.figure.savefig(args.plot, bbox_inches="tight")
    cols = [c for c in ("feature", "elpd", "elpd_se", "elpd_diff", "elpd_diff_se", sel.metric,
                        f"{sel.metric}_se", "pareto_k_max") if c in sel.table.columns]
    if args.json:
        _print_json({"model": model.to_dict(), "search": args.search, "cv": args.cv,
                     "order": sel.order, "suggested_size": size,
                     "suggested_features": sel.order[:size], "reference": sel.reference,
                     "rule_met": not beyond,
                     "table": sel.table[cols].reset_index().to_dict(orient="records"),
                     "dss": None if dss is None else {"selected": dss.selected,
                                                      "size": dss.size}})
        return EXIT_OK
    out.result(f"model: {model!r}")
    out.result(f"data: {args.data} (n={len(y)}, p={X.shape[1]}, target={args.target!r})")
    what = "PSIS-LOO" if args.cv == "loo" else f"{args.cv}-fold CV"
    out.result(f"reference (the posterior): elpd {sel.reference['elpd']:.2f} "
               f"(se {sel.reference['elpd_se']:.2f}), {sel.metric} "
               f"{sel.reference[sel.metric]:.4g}  [{what}]")
    out.result(_table_text(sel.table[cols]))
    out.result(f"order: {', '.join(sel.order)}")
    out.result(f"suggested size: {size} ({', '.join(sel.order[:size]) or 'intercept only'})")
    if beyond:
        out.result(f"  no submodel up to size {sel.max_size} is within the rule's bound of the "
                   "reference: this is --max-size (search further: raise --max-size)")
    if dss is not None:
        agree = "the same set" if set(dss.selected) == set(sel.order[:size]) else "differs"
        out.result(f"DSS (br.sparsify) selects {dss.size}: {', '.join(dss.selected)} ({agree})")
    if args.plot:
        out.info(f"wrote {args.plot}")
    return EXIT_OK
