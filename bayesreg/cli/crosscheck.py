"""``bayesreg crosscheck``: the direct MAP next to ``pm.find_MAP`` on the identical PyMC model.

Exit 1 when they disagree beyond the documented tolerances. A prior without a posterior mode
is refused by ``model.crosscheck`` with the prior's own explanation (exit 2).
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
exit code 1 when the direct MAP and pm.find_MAP disagree beyond the documented tolerances."""


def add_parser(sub) -> None:
    c = add_command(sub, "crosscheck", "direct MAP vs PyMC find_MAP", epilog=EPILOG,
                    description="Solve the MAP directly and with pm.find_MAP on the identical "
                                "PyMC model and compare them.")
    _add_model_options(c)
    c.add_argument("--json", action="store_true")
    _add_common(c)


def run(args, out: _Out) -> int:
    from ..penalties import require_penalty

    X, y, model = load_data_and_model(args)
    require_penalty(model.prior, X.shape[1])  # a prior without a mode: its own explanation
    out.progress("running the direct MAP solver and pm.find_MAP ...")
    check = model.crosscheck(X, y)
    passed = bool(check.passed)
    if args.json:
        d: dict[str, Any] = {"passed": passed, "model": model.to_dict()}
        d.update(check.summary())
        d["table"] = check.to_frame().reset_index().to_dict(orient="records")
        _print_json(d)
    else:
        out.result(f"model: {model!r}")
        out.result(str(check))
        out.result(f"cross-check {'PASSED' if passed else 'FAILED'}")
    return EXIT_OK if passed else EXIT_FAILED_CHECK
