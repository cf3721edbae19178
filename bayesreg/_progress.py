"""Optional progress bars for long work the package itself does (paths, CV, Gibbs chains, reports).

tqdm is used when it is installed, else rich (installed with PyMC); without either, or with
``enabled=False`` (every public function's ``progressbar=False``), nothing is shown. Bars are
transient: they disappear when the work is done.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["progress", "stages", "NO_STAGES"]


def progress(iterable: Iterable, enabled: bool, total: int | None = None,
             desc: str | None = None, unit: str = "it") -> Iterable:
    """``iterable`` wrapped in a progress bar when ``enabled`` (tqdm, else rich; without
    either, or with ``enabled=False``, the iterable itself)."""
    if not enabled:
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:
        pass
    else:
        return tqdm(iterable, total=total, desc=desc, unit=unit, leave=False)
    try:
        from rich.progress import track
    except ImportError:  # pragma: no cover - rich comes with PyMC
        return iterable
    return track(iterable, total=total, description=desc or "", transient=True)


class _Stages:
    """``advance(message)``: one stage done, the next one named."""

    def __init__(self, bar: Any = None, rich_task: Any = None) -> None:
        self._bar, self._task = bar, rich_task

    def advance(self, message: str | None = None) -> None:
        if self._bar is None:
            return
        if self._task is None:  # tqdm
            if message:
                self._bar.set_description(message)
            self._bar.update(1)
        else:
            self._bar.update(self._task, advance=1,
                             **({"description": message} if message else {}))

    def describe(self, message: str) -> None:
        """Name the stage now running, without counting one done."""
        if self._bar is None:
            return
        if self._task is None:
            self._bar.set_description(message)
        else:
            self._bar.update(self._task, description=message)


#: the stages object of a disabled bar (every method a no-op)
NO_STAGES = _Stages()


@contextmanager
def stages(enabled: bool, total: int, desc: str) -> Iterator[_Stages]:
    """A bar over ``total`` named stages of one long call (e.g. a report's MAP, cross-check,
    sampling runs and sections); a no-op object when disabled or without tqdm / rich."""
    if not enabled:
        yield NO_STAGES
        return
    try:
        from tqdm.auto import tqdm
    except ImportError:
        tqdm = None
    if tqdm is not None:
        bar = tqdm(total=total, desc=desc, unit="step", leave=False)
        try:
            yield _Stages(bar)
        finally:
            bar.close()
        return
    try:
        from rich.progress import Progress
    except ImportError:  # pragma: no cover - rich comes with PyMC
        yield NO_STAGES
        return
    with Progress(transient=True) as bar:
        yield _Stages(bar, bar.add_task(desc, total=total))
