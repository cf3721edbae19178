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
    bayesreg select      DATA --target COL [model options] --methods cv,eb
    bayesreg select-variables POST.nc DATA --target COL [--search forward|l1] [--cv loo|K]

``DATA`` is a CSV file with a header row, or the name of a bundled data set (``diabetes``,
``prostate``). ``--formula "y ~ x1 + C(region)"`` replaces ``--target COL`` wherever a data file
is read: the design is :func:`bayesreg.formula.formula_design`'s (``--groups terms``: the
formula's terms are the groups of a group prior). Exit codes: 0 success, 1 a check failed
(cross-check not passed, sampler diagnostics not ok with ``--fail-on-warnings``), 2 usage or
input error. Every error, argparse's
usage errors included, is one line on stderr (``bayesreg <command>: error: ...``), without a
traceback.

``--prior bayesian-lasso`` has no MAP: ``fit`` and ``crosscheck`` refuse it with the prior's
own explanation (exit 2); ``sample``, ``compare`` and ``report`` work without a MAP.

One module per command (``fit``, ``crosscheck``, ``sample``, ``compare``, ``report``,
``convert``, ``demo``, ``select``, ``select_variables``) over the shared layer ``_common``
(arguments, data, model, output).
"""

from __future__ import annotations

import sys

from ._common import (
    EXIT_FAILED_CHECK,
    EXIT_OK,
    EXIT_USAGE,
    CLIError,
    build_model_from_args,
    describe_estimator,
    load_table,
    run_command,
)
from .demo import DEMO_SIGMA, equivalence_table
from .parser import COMMANDS, build_parser

__all__ = ["main", "CLIError", "build_model_from_args", "load_table", "equivalence_table",
           "describe_estimator", "DEMO_SIGMA", "EXIT_OK", "EXIT_FAILED_CHECK", "EXIT_USAGE"]


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 ok, 1 failed check, 2 usage/input error)."""
    parser = build_parser()
    try:
        args, extra = parser.parse_known_args(argv)
        if extra:  # reported by the subcommand's parser: 'bayesreg fit: error: ...'
            parser.commands[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as e:  # argparse: --help (0) or a usage error (2, one line on stderr)
        return int(e.code) if isinstance(e.code, int) else EXIT_USAGE
    return run_command(args.command, COMMANDS[args.command].run, args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
