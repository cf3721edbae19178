"""``bayesreg sample``: the full posterior as NetCDF, the model (and its MAP, when the prior has
a posterior mode) stored in the file's attributes for ``compare`` and ``report``."""

from __future__ import annotations

import json
import sys
import time

import numpy as np

from ._common import (
    EXIT_FAILED_CHECK,
    EXIT_OK,
    _add_common,
    _add_model_options,
    _add_sampling_options,
    _jsonable,
    _Out,
    _print_json,
    add_command,
    load_data_and_model,
    output_file,
)

EPILOG = """examples:
  bayesreg sample diabetes --target target --standardize --prior laplace --scale 10 \\
      --out post.nc --draws 1000 --chains 2 --seed 1
  bayesreg sample data.csv --target y --prior normal --scale 1 --sigma 1 --out post.nc \\
      --fail-on-warnings    # exit 1 if R-hat / ESS / divergences are not ok
  bayesreg sample diabetes --target target --standardize --prior bayesian-lasso \\
      --out post.nc         # no MAP: the file carries the posterior only
  bayesreg sample data.csv --formula "y ~ x1 + C(region)" --prior group-horseshoe \\
      --groups terms --out post.nc"""


def add_parser(sub) -> None:
    s = add_command(sub, "sample", "full posterior with PyMC/nutpie -> NetCDF", epilog=EPILOG,
                    description="Sample the posterior and write it (with the MAP fit in its "
                                "attributes, when the prior has a mode) as NetCDF.")
    _add_model_options(s)
    s.add_argument("--out", required=True, metavar="FILE.nc")
    _add_sampling_options(s)
    s.add_argument("--fail-on-warnings", action="store_true",
                   help="exit 1 when the sampler diagnostics are not ok")
    s.add_argument("--json", action="store_true")
    _add_common(s)


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


def run(args, out: _Out) -> int:
    from ..diagnostics import diagnose
    from ..penalties import has_mode

    out_path = output_file(args.out, "--out", "post.nc")  # before any work
    X, y, model = load_data_and_model(args)
    fit = model.map(X, y) if has_mode(model.prior, X.shape[1]) else None
    from ..samplers import choose_sampler

    sampler = choose_sampler(model, X) if args.sampler == "auto" else args.sampler
    out.progress(f"sampling {args.chains} chains x ({args.tune} tune + {args.draws} draws) "
                 f"with {sampler} ...")
    t0 = time.perf_counter()
    idata = model.sample(X, y, draws=args.draws, tune=args.tune, chains=args.chains,
                         random_seed=args.seed, sampler=sampler,
                         progressbar=not (args.quiet or args.json))
    elapsed = time.perf_counter() - t0
    if fit is not None:
        idata.attrs["bayesreg_map"] = json.dumps(fit.to_dict())
    idata.attrs.setdefault("bayesreg_model", json.dumps(model.to_dict()))
    _sanitize_attrs(idata)
    idata.to_netcdf(out_path, engine="h5netcdf")
    health = diagnose(idata)
    ok = bool(health.ok)
    if args.json:
        _print_json({"out": str(out_path), "seconds": elapsed, "diagnostics_ok": ok,
                     "diagnostics": str(health), "map_stored": fit is not None})
    else:
        out.result(f"wrote {args.draws * args.chains} posterior draws to {out_path} "
                   f"({elapsed:.1f} s)")
        if fit is None:
            out.result(f"no MAP stored: {type(model.prior).__name__} has no posterior mode")
        out.result(str(health))
    if args.fail_on_warnings and not ok:
        print("bayesreg: sampler diagnostics not ok (--fail-on-warnings)", file=sys.stderr)
        return EXIT_FAILED_CHECK
    return EXIT_OK
