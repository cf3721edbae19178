"""``bayesreg report``: the self-contained HTML report (:func:`bayesreg.diagnostics.report`).

Draws written by ``bayesreg sample`` can be reused (``--posterior``), with the MAP stored next to
them; otherwise ``report`` computes what it needs (no MAP for a prior without a mode).
"""

from __future__ import annotations

from ._common import (
    EXIT_OK,
    CLIError,
    _add_common,
    _add_model_options,
    _add_sampling_options,
    _open_tree,
    _Out,
    _print_json,
    add_command,
    load_data_and_model,
    output_dir,
    stored_fit,
    stored_model,
)

EPILOG = """examples:
  bayesreg report diabetes --target target --standardize --prior laplace --scale 10 \\
      --out bayesreg-report
  bayesreg report diabetes --target target --standardize --prior laplace --scale 10 \\
      --posterior post.nc --no-compare-priors --no-crosscheck --out bayesreg-report

Each expensive step is announced on stderr with the flag that skips it; the page and the
output list what was run, reused and skipped."""


def add_parser(sub) -> None:
    r = add_command(sub, "report", "HTML report (fit, cross-check, posterior, plots)",
                    epilog=EPILOG, description="Write the self-contained HTML report (br.report).")
    _add_model_options(r)
    r.add_argument("--out", required=True, metavar="DIR",
                   help="directory for report.html, report.md and figures/ (created if missing; "
                        "its parent must exist)")
    _add_sampling_options(r)
    r.add_argument("--posterior", metavar="POST.nc",
                   help="reuse draws written by 'bayesreg sample' (same model and data)")
    r.add_argument("--no-compare-priors", action="store_true",
                   help="skip the LOO comparison of Normal / Laplace / elastic-net priors "
                        "(saves two sampling runs)")
    r.add_argument("--no-crosscheck", action="store_true",
                   help="skip the PyMC find_MAP cross-check (one model compilation)")
    r.add_argument("--select-scale", action="store_true",
                   help="add a 'choosing the scale' section (5-fold CV and empirical Bayes)")
    r.add_argument("--select-variables", action="store_true",
                   help="add a 'selecting variables' section (projection predictive selection: "
                        "forward search, PSIS-LOO, the suggested submodel; DSS next to it)")
    r.add_argument("--json", action="store_true")
    _add_common(r)


def run(args, out: _Out) -> int:
    from ..diagnostics import report

    X, y, model = load_data_and_model(args)
    idata = fit = None
    if args.posterior:
        idata = _open_tree(args.posterior)
        stored = stored_model(idata)
        if stored is not None and stored != model:
            raise CLIError(f"--posterior {args.posterior!r} was sampled from {stored!r}, "
                           f"not from the model given here ({model!r}).")
        fit = stored_fit(idata)
    output_dir(args.out, "--out", out)
    out.progress(f"writing the report to {args.out} ...")
    rep = report(model, X, y, out_dir=args.out, draws=args.draws, tune=args.tune,
                 chains=args.chains, random_seed=args.seed,
                 compare_priors=not args.no_compare_priors, progressbar=not args.quiet,
                 idata=idata, fit=fit, crosscheck=not args.no_crosscheck,
                 on_step=lambda msg: out.progress(_cli_step(msg)),
                 select_scale=args.select_scale, select_variables=args.select_variables)
    if args.json:
        _print_json({"report": str(rep.html), "steps": rep.steps})
    else:
        for step, what in rep.steps.items():
            out.info(f"  {step}: {what.replace('`', '')}")
        out.result(f"report written: {rep.html.resolve()}")
    return EXIT_OK


def _cli_step(message: str) -> str:
    """A report step announced with the CLI flag that skips it (not the Python keyword)."""
    return (message.replace("crosscheck=False", "--no-crosscheck")
            .replace("compare_priors=False", "--no-compare-priors")
            .replace("select_scale=False skips it", "without --select-scale it is skipped")
            .replace("select_variables=False skips it", "without --select-variables it is skipped"))
