"""Test configuration: isolate PyTensor's compile dir and matplotlib's config in a temp area."""

import os
import tempfile
from pathlib import Path

_base = Path(tempfile.gettempdir()) / f"bayesreg-tests-{os.getuid()}"
_base.mkdir(parents=True, exist_ok=True)
os.environ.setdefault("PYTENSOR_FLAGS", f"compiledir={_base / 'pytensor'}")
os.environ.setdefault("MPLCONFIGDIR", str(_base / "mpl"))
os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("NUMBA_CACHE_DIR", str(_base / "numba"))

import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def rng():
    return np.random.default_rng(12345)
