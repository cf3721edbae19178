"""From a posterior to a decision: projection predictive variable selection (:func:`project`)
and sparse summaries of a posterior (:func:`sparsify`)."""

from .projection import ProjectionSelection, project
from .sparsify import SparseSummary, sparsify

__all__ = ["project", "ProjectionSelection", "sparsify", "SparseSummary"]
