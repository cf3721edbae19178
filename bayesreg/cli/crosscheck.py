"""``bayesreg crosscheck``: the direct MAP next to ``pm.find_MAP`` on the identical PyMC model.

Exit codes follow the verdict (:attr:`bayesreg.pymc.CrossCheck.verdict`): 0 for ``agree``; 1 for
``mismatch`` (bayesreg's mode is not confirmed: a failure); 0 for ``find_map_stalled`` (bayesreg's
certified mode stands and ``pm.find_MAP`` stopped short of it: a finding about find_MAP, printed
as such), or 1 with ``--strict``. A prior without a posterior mode is refused by
``model.crosscheck`` with the prior's own explanation (exit 2).
"""

from __future__ import annotations

from typing import Any

from ._common import (
    EXIT_FAILED_CHECK,
    EXIT_OK,
    _add_common,
    _add_model_options,
    _Out,
    _print_json,
    add_command,
    load_data_and_model,
)

EPILOG = """examples:
  bayesreg crosscheck diabetes --target target --standardize --prior laplace --alpha 1 --sigma 54
  bayesreg crosscheck data.csv --target y --likelihood poisson --prior normal --scale 1
exit codes: 0 agree; 1 mismatch (bayesreg's mode is not confirmed: a failure);
0 find_map_stalled (bayesreg's certified mode stands, pm.find_MAP stopped short of it: a finding
about find_MAP, not a failure), 1 with --strict."""


def add_parser(sub) -> None:
    c = add_command(sub, "crosscheck", "direct MAP vs PyMC find_MAP", epilog=EPILOG,
                    description="Solve the MAP directly and with pm.find_MAP on the identical "
                                "PyMC model and compare them.")
    _add_model_options(c)
    c.add_argument("--json", action="store_true")
    c.add_argument("--strict", action="store_true",
                   help="exit 1 also when pm.find_MAP did not reach the certified mode "
                        "(verdict find_map_stalled)")
    _add_common(c)


def run(args, out: _Out) -> int:
    from ..penalties import require_penalty

    X, y, model = load_data_and_model(args)
    require_penalty(model.prior, X.shape[1])  # a prior without a mode: its own explanation
    out.progress("running the direct MAP solver and pm.find_MAP ...")
    check = model.crosscheck(X, y)
    verdict = check.verdict
    strict = bool(getattr(args, "strict", False))
    failed = verdict == "mismatch" or (strict and verdict == "find_map_stalled")
    if args.json:
        d: dict[str, Any] = {"passed": bool(check.passed), "model": model.to_dict()}
        d.update(check.summary())
        d["failures"], d["findings"] = list(check.failures), list(check.findings)
        d["table"] = check.to_frame().reset_index().to_dict(orient="records")
        _print_json(d)
    else:
        out.result(f"model: {model!r}")
        out.result(str(check))
        last = {"agree": "cross-check PASSED (agree)",
                "find_map_stalled": "cross-check PASSED with a finding (find_map_stalled): "
                                    "bayesreg's certified mode stands, pm.find_MAP stopped short "
                                    "of it" + (" -- exit 1 (--strict)" if strict else ""),
                }.get(verdict, "cross-check FAILED (mismatch)")
        out.result(last)
    return EXIT_FAILED_CHECK if failed else EXIT_OK
