"""The one univariate slice sampler of bayesreg (Neal 2003, "Slice sampling", Ann. Statist.).

One update of a scalar ``x`` whose density is ``exp(logf(x, args))`` on ``[lo, hi]`` (zero
outside): draw the slice level ``log y = logf(x0) - Exp(1)``, place an interval of ``width``
at random around ``x0``, step it out by ``width`` on each side until both ends are outside the
slice (Neal's fig. 3 without a limit, exact for any density; ``MAX_STEPS`` per side is only a
guard against an improper density, never reached by a proper one at a sensible width), then
sample uniformly from the interval, shrinking it towards ``x0`` after every rejection (Neal's
fig. 5). The update leaves the density invariant; for a unimodal density the interval covers the
whole slice. It consumes the generator as ``1 + 1 + (number of proposals)`` draws: one
exponential (the level), one uniform (the placement), one uniform per proposal.

The log density is a numba function ``logf(x, args) -> float`` and ``args`` a tuple (or array)
of its parameters; :func:`slice_sampler` compiles the update for that ``logf`` once::

    @njit(cache=True)
    def logf(u, args):            # log Gamma(a, 1) density of x = e^u, in u
        return args[0] * u - np.exp(u)

    step = slice_sampler(logf)
    u1 = step(u0, (2.5,), rng, 1.0, -np.inf, np.inf)

The returned function is itself a numba function: call it from compiled code (a Gibbs face, the
sampler's loop), whose on-disk cache then holds it, or from Python.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numba import njit

__all__ = ["slice_sampler", "slice_update", "MAX_STEPS", "MAX_SHRINK"]

#: stepping-out steps per side (a guard only: the unlimited procedure is the exact one)
MAX_STEPS = 10_000
#: shrinkage proposals before the update gives up and keeps ``x0`` (never reached in practice:
#: each rejection at least halves the interval in expectation)
MAX_SHRINK = 1000

_CACHE: dict = {}


def slice_sampler(logf: Callable[..., float]) -> Any:
    """The slice-sampling update for the log density ``logf`` (module docstring).

    Parameters
    ----------
    logf : numba function ``(x: float, args) -> float``
        Log density up to a constant (``-inf`` allowed), e.g. ``@numba.njit(cache=True)``.

    Returns
    -------
    numba function ``(x0, args, rng, width, lo, hi) -> float``
        One exact update from ``x0`` (which must satisfy ``lo <= x0 <= hi`` and have
        ``logf(x0) > -inf``) with the generator ``rng`` (``numpy.random.Generator``); ``width``:
        the initial interval width (stepping-out unit); ``lo``, ``hi``: the support
        (``-np.inf``, ``np.inf`` for the real line). One function per ``logf`` (memoized).
    """
    key = id(logf)
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is logf:
        return hit[1]
    update = njit(cache=True, nogil=True)(_update_for(logf))
    _CACHE[key] = (logf, update)
    return update


def slice_update(logf: Callable[[float], float], x0: float, rng: Any, width: float = 1.0,
                 lo: float = -np.inf, hi: float = np.inf) -> float:
    """The same update (module docstring) for a plain Python log density ``logf(x) -> float``,
    run as Python: for a density that closes over Python objects (a likelihood's free
    parameter given the data), called once per sweep.

    Returns
    -------
    float
        One exact update from ``x0`` within ``[lo, hi]``.
    """
    return float(_update_for(lambda x, args: logf(x))(float(x0), (), rng, width, lo, hi))


def _update_for(logf: Callable[..., float]) -> Callable[..., float]:
    """The update's one source: Neal's stepping-out and shrinkage for ``logf(x, args)``
    (compiled by :func:`slice_sampler`, run as Python by :func:`slice_update`)."""
    m, max_shrink = MAX_STEPS, MAX_SHRINK

    def update(x0, args, rng, width, lo, hi):
        logy = logf(x0, args) - rng.standard_exponential()
        left = x0 - width * rng.random()
        right = left + width
        j = 0
        while j < m and left > lo and logf(left, args) > logy:
            left -= width
            j += 1
        j = 0
        while j < m and right < hi and logf(right, args) > logy:
            right += width
            j += 1
        for _ in range(max_shrink):
            x1 = left + (right - left) * rng.random()
            if lo <= x1 <= hi and logf(x1, args) > logy:
                return x1
            if x1 < x0:
                left = x1
            else:
                right = x1
        return x0

    return update
