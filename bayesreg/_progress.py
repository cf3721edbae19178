"""Optional progress bars for long work the package itself does (paths, Gibbs chains)."""

from __future__ import annotations

__all__ = ["progress"]


def progress(iterable, enabled: bool, total: int | None = None, desc: str | None = None,
             unit: str = "it"):
    """``iterable`` wrapped in a tqdm progress bar when ``enabled`` and tqdm is installed (an
    optional dependency: without it, or with ``enabled=False``, the iterable itself)."""
    if not enabled:
        return iterable
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return iterable
    return tqdm(iterable, total=total, desc=desc, unit=unit, leave=False)
