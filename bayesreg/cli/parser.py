"""The ``bayesreg`` argument parser: one subcommand per module, each with ``add_parser(sub)``
and ``run(args, out) -> int``."""

from __future__ import annotations

from . import compare, convert, crosscheck, demo, fit, report, sample, select, select_variables
from ._common import FORMATTER, ArgumentParser

#: subcommand name -> its module, in the order ``--help`` lists them
COMMANDS = {"demo": demo, "fit": fit, "crosscheck": crosscheck, "sample": sample,
            "compare": compare, "report": report, "convert": convert, "select": select,
            "select-variables": select_variables}

EPILOG = """examples:
  bayesreg demo --quick
  bayesreg fit diabetes --target target --prior laplace --alpha 1.0 --sigma 54 --standardize
  bayesreg convert --from sklearn:Lasso --alpha 0.1 --n-samples 442 --sigma 1
  bayesreg <command> --help

exit codes: 0 ok, 1 a check failed, 2 usage or input error"""


def build_parser() -> ArgumentParser:
    """The ``bayesreg`` parser; its subcommand parsers (same class: one-line usage errors) are
    ``parser.commands[name]``."""
    from .. import __version__

    parser = ArgumentParser(
        prog="bayesreg", formatter_class=FORMATTER, epilog=EPILOG,
        description="Penalized regression is Bayesian MAP: fit, cross-check with PyMC, sample "
                    "and compare.")
    parser.add_argument("--version", action="version", version=f"bayesreg {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in COMMANDS.values():
        module.add_parser(sub)
    parser.commands = sub.choices
    return parser
