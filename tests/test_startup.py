"""Start-up: ``import bayesreg`` stays light, and the warning class keeps sklearn compatibility.

Each check runs in a fresh interpreter (``sys.modules`` of the test process is full already).
No timings are asserted here; they are measured in ``benchmarks/bench_startup.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("sklearn", "pymc", "arviz", "pytensor", "matplotlib", "nutpie", "xarray")


def _run(code: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_import_does_not_import_heavy_modules():
    loaded = json.loads(_run(f"""
        import json, sys
        import bayesreg
        assert bayesreg.__file__.startswith({str(ROOT)!r}), bayesreg.__file__
        print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))
    """))
    assert loaded == []


def test_public_names_do_not_import_heavy_modules():
    """The classes a first script touches (Model, priors, likelihoods, results) stay light."""
    loaded = json.loads(_run(f"""
        import json, sys
        import bayesreg as br
        br.Model(br.Gaussian(), br.Laplace(1.0)); br.MAPResult; br.MAPPath; br.ConvergenceWarning
        print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))
    """))
    assert loaded == []


@pytest.mark.parametrize("sklearn_first", [False, True])
def test_convergence_warning_is_sklearns_once_sklearn_is_imported(sklearn_first):
    """Filters on sklearn's ConvergenceWarning silence bayesreg's, whichever is imported first;
    the warning is also a ``bayesreg.ConvergenceWarning`` for ``pytest.warns`` and filters."""
    first, second = ("import sklearn.exceptions", "import bayesreg as br")
    if sklearn_first:
        first, second = second, first
    result = _run(f"""
        import sys, warnings
        {second}
        import bayesreg as br
        if not {sklearn_first}:
            assert "sklearn" not in sys.modules
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            warnings.warn("x", br.ConvergenceWarning)
        assert issubclass(rec[0].category, br.ConvergenceWarning)
        {first}
        from sklearn.exceptions import ConvergenceWarning as Sk
        assert issubclass(br.ConvergenceWarning, Sk) and issubclass(br.ConvergenceWarning, UserWarning)
        assert isinstance(rec[0].message, Sk)  # also a warning emitted before sklearn came in
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            warnings.simplefilter("ignore", Sk)
            warnings.warn("x", br.ConvergenceWarning)
        assert rec == []
        with warnings.catch_warnings():
            warnings.simplefilter("error", br.ConvergenceWarning)
            try:
                warnings.warn("x", br.ConvergenceWarning)
            except Sk:
                pass
            else:
                raise AssertionError("no error")
        from bayesreg._errors import _SklearnWatcher
        assert _SklearnWatcher not in sys.meta_path
        print("ok")
    """)
    assert result == "ok"


def test_solver_warning_is_silenced_by_sklearn_filter():
    """The warning a solver emits (not just the class) obeys sklearn's filter."""
    result = _run("""
        import warnings
        import numpy as np
        import bayesreg as br
        from sklearn.exceptions import ConvergenceWarning as Sk
        rng = np.random.default_rng(0)
        X = rng.normal(size=(100, 50)); y = X @ rng.normal(size=50) + rng.normal(size=100)
        m = br.Model(br.Gaussian(1.0), br.Laplace(10.0))
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            m.map(X, y, max_iter=2, tol=1e-15)
        n_warned = sum(issubclass(w.category, Sk) for w in rec)
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            warnings.simplefilter("ignore", Sk)
            m.map(X, y, max_iter=2, tol=1e-15)
        print(n_warned, len([w for w in rec if issubclass(w.category, br.ConvergenceWarning)]))
    """)
    assert result == "1 0"


def test_convergence_warning_pickles():
    import pickle

    import bayesreg as br

    w = pickle.loads(pickle.dumps(br.ConvergenceWarning("m")))
    assert type(w) is br.ConvergenceWarning and str(w) == "m"
