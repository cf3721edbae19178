"""Threading configuration of the MAP solvers: iterative solvers call BLAS on one thread.

Why. The iterative solvers (coordinate descent, OWL-QN, proximal Newton, every point of a path)
make thousands of small, memory-bound BLAS calls (``X^T u``, ``X d``: level 2). With the BLAS
library's default of one thread per core, each call is split across threads that must all be
running to finish it, and OpenBLAS's idle workers busy-wait between calls. On a quiet machine
that buys little (the calls are memory-bound); on a loaded one (other processes on the same
cores: CI runners, notebooks next to other jobs) a worker descheduled by the OS stalls every
call, and the spinning workers take CPU time from the thread doing the work. Measured on 2
cores with two busy background processes (``benchmarks/bench_loaded.py``): a 300 x 10000
elastic net went from 0.9x to 2.2x the time of scikit-learn's in the same process, a 1500 x 300
logistic path from 1.0x to 3x. The peers (scikit-learn's Cython CD, glmnet's Fortran, skglm's
numba) run their loops on one thread. bayesreg's numba kernels are serial (no ``parallel=True``
/ ``prange``), so numba's threading layer is never started and never competes with BLAS.

What. :func:`serial_blas` limits every BLAS library threadpoolctl knows to one thread for the
duration of a solve and restores the previous limits afterwards (re-entrant and thread-safe: the
limit is set by the outermost entry and restored by the last exit, so concurrent fits in threads,
as cross-validation runs them, share one limit; a user's own ``threadpool_limits`` is kept). The
closed-form ridge (a few large level-3 calls: Gram / kernel matrix, Cholesky) keeps the library's
threads. ``BAYESREG_SERIAL_BLAS=0`` in the environment turns the limit off. OpenBLAS ignores a
thread count set from a thread other than the main one (measured with OpenBLAS 0.3.3x): code
that runs fits in worker threads (cross-validation folds) enters :func:`serial_blas` in the
main thread around the parallel section, so the folds' BLAS calls do not nest threads either.
"""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager

_lock = threading.Lock()
_depth = 0
_limiter = None
_controller = None


def enabled() -> bool:
    """False when ``BAYESREG_SERIAL_BLAS`` is ``0`` / ``false`` / ``no`` (read at every solve)."""
    return os.environ.get("BAYESREG_SERIAL_BLAS", "1").strip().lower() not in ("0", "false", "no")


def _get_controller():
    global _controller
    if _controller is None:
        from threadpoolctl import ThreadpoolController

        _controller = ThreadpoolController()
    return _controller


@contextmanager
def serial_blas(active: bool = True):
    """Run the block with BLAS on one thread (see the module docstring); a no-op when
    ``active`` is False or the limit is disabled."""
    global _depth, _limiter
    if not active or not enabled():
        yield
        return
    with _lock:
        if _depth == 0:
            ctrl = _get_controller()
            _limiter = (ctrl.limit(limits=1, user_api="blas")
                        if any(lib.num_threads != 1 for lib in ctrl.select(user_api="blas")
                               .lib_controllers) else None)
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _limiter is not None:
                _limiter.restore_original_limits()
                _limiter = None


def blas_threads() -> list[int]:
    """The current thread counts of the BLAS libraries threadpoolctl finds (for tests and
    benchmarks)."""
    return [lib.num_threads for lib in _get_controller().select(user_api="blas").lib_controllers]
