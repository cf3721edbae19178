"""``bayesreg compare``: where the MAP sits inside the posterior, one row per coefficient.

The MAP comes from ``--fit`` or from the posterior file; a posterior of a prior without a mode
(``--prior bayesian-lasso``) is compared without one (``fit=None``).
"""

from __future__ import annotations

import json

from ._common import (
    EXIT_OK,
    CLIError,
    _add_common,
    _frame_text,
    _open_tree,
    _Out,
    _print_json,
    _unit,
    add_command,
    require_file,
    stored_fit,
    stored_model,
)

EPILOG = """examples:
  bayesreg compare post.nc                  # MAP stored by 'bayesreg sample'
  bayesreg compare post.nc --fit fit.json   # MAP saved by 'bayesreg fit --save'
  bayesreg compare post.nc --json"""


def add_parser(sub) -> None:
    m = add_command(sub, "compare", "MAP vs posterior table", epilog=EPILOG,
                    description="Where the MAP sits inside the posterior: one row per "
                                "coefficient (br.compare).")
    m.add_argument("posterior", metavar="POST.nc")
    m.add_argument("--fit", metavar="FIT.json", help="MAP fit saved by 'bayesreg fit --save'")
    m.add_argument("--hdi-prob", type=_unit, default=0.94)
    m.add_argument("--json", action="store_true")
    _add_common(m)


def _load_fit(path: str):
    from ..map import MAPResult

    require_file(path, "--fit file", " (write one with 'bayesreg fit ... --save fit.json')")
    try:
        return MAPResult.load(path)
    except (json.JSONDecodeError, KeyError, TypeError) as e:
        raise CLIError(f"--fit {path!r} is not a saved bayesreg fit ({e}).") from None


def run(args, out: _Out) -> int:
    from ..diagnostics import compare
    from ..penalties import has_mode

    idata = _open_tree(args.posterior)
    fit = _load_fit(args.fit) if args.fit else stored_fit(idata)
    if fit is None:
        model = stored_model(idata)
        n_coef = idata["posterior"]["coef"].shape[-1] if "coef" in idata["posterior"] else None
        if model is None or has_mode(model.prior, n_coef):
            raise CLIError(f"{args.posterior!r} carries no MAP fit: pass --fit fit.json.")
    table = compare(idata, fit, hdi_prob=args.hdi_prob)
    m_eff = table.attrs.get("m_eff")
    if args.json:
        doc = {"table": table.reset_index().to_dict(orient="records")}
        if m_eff is not None:
            doc["m_eff"] = m_eff
        _print_json(doc)
    else:
        out.result(_frame_text(table))
        if m_eff is not None:
            out.result(f"m_eff (effective number of non-zero coefficients, posterior): mean "
                       f"{m_eff['mean']:.3g}, median {m_eff['median']:.3g}, "
                       f"{m_eff['prob']:.0%} interval [{m_eff['low']:.3g}, {m_eff['high']:.3g}]; "
                       "kappa = posterior mean shrinkage factor (0: none, 1: to zero)")
        if "pip" in table.columns:
            out.result("pip = posterior inclusion probability")
    return EXIT_OK
