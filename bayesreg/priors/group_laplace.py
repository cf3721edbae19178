"""GroupLaplace prior  <->  group lasso / sparse group lasso penalty.

Density (one multivariate Laplace per group ``g`` of ``k = p_g`` coefficients, ``lam_g = m_g /
scale`` with the group weight ``m_g``, default ``sqrt(p_g)``; with ``l1_scale``, times a Laplace
factor per coefficient, ``a = 1 / l1_scale``)::

    p(w_g) = exp(-lam_g ||w_g||_2 - a ||w_g||_1) / Z_g,
    Z_g = 2 pi^(k/2) Gamma(k) / (Gamma(k/2) lam_g^k)   (a = 0; else a 1-D quadrature)

Penalty:  ``sum_g m_g ||w_g||_2 / scale + ||w||_1 / l1_scale``
          (:class:`~bayesreg.penalties.GroupLassoPenalty`)
PyMC:     a flat vector with the exact log density as a ``pm.Potential``
Gibbs:    the Bayesian group lasso hierarchy of Kyung, Gill, Ghosh & Casella (2010), without
          their sigma scaling: ``w_g | tau_g^2 ~ N(0, tau_g^2 I)``, ``tau_g^2 ~ Gamma((p_g + 1) /
          2, rate lam_g^2 / 2)``; with the L1 part, also ``w_j | t_j ~ N(0, t_j)``, ``t_j ~
          Exp(rate a^2 / 2)`` (the product of the two scale mixtures: its marginal is the density
          above): the conditional prior precision of ``w_j`` is ``1 / tau_g^2 + 1 / t_j``

The sparse group lasso is this class with ``l1_scale`` rather than a class of its own: the group
structure (labels, names, formula terms, unpenalized columns, persistence), the penalty, the
solvers, the normalizer, the PyMC and Gibbs faces are each one copy, and ``l1_scale=None`` is the
group lasso exactly.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

import numpy as np
from numba import njit

from .._errors import BayesregTypeError, ParameterError
from .._validation import check_scale
from ..penalties import GroupLassoPenalty
from ._mixture import inverse_gaussian
from .base import GibbsFace, Prior, register_prior

__all__ = ["GroupLaplace", "GroupedColumns", "group_labels"]


def _is_int(v) -> bool:
    return isinstance(v, Integral) and not isinstance(v, bool)


def group_labels(groups: Any, unpenalized: Any = None, feature_names: Any = None) -> np.ndarray:
    """The canonical group labels (int array, one per column; ``-1`` = unpenalized) of
    ``groups`` given as an integer label array, a list of index lists or a list of feature-name
    lists (with ``feature_names``), plus the ``unpenalized`` columns (indices or names).

    Raises :class:`~bayesreg.ParameterError` naming ``groups`` when a column is in two groups,
    in no group and not unpenalized, or a name is unknown."""
    names = None if feature_names is None else [str(c) for c in feature_names]

    def index_of(c, what):
        if _is_int(c):
            return int(c)
        if isinstance(c, str):
            if names is None:
                raise ParameterError(
                    f"{what} names the feature {c!r} but the feature names are not known yet: "
                    "fit on a DataFrame (its columns name the features) or use "
                    "Model.from_formula, or give column indices instead of names.")
            if c not in names:
                raise ParameterError(f"{what} names the feature {c!r}, which is not a column "
                                     f"of X (columns: {names[:8]}{' ...' if len(names) > 8 else ''}).")
            return names.index(c)
        raise BayesregTypeError(f"{what} must hold column indices (int) or feature names (str), "
                                f"got {c!r} ({type(c).__name__}).")

    arr = None
    if isinstance(groups, np.ndarray) and groups.ndim == 1 and groups.dtype.kind in "iu":
        arr = groups.astype(np.int64)
    elif (isinstance(groups, (list, tuple)) and len(groups) > 0
          and all(_is_int(g) for g in groups)):
        arr = np.asarray(groups, dtype=np.int64)
    if arr is not None:
        if np.any(arr < -1):
            raise ParameterError(f"groups: labels must be >= 0 (-1: unpenalized), got {arr.min()}.")
        labels = arr.copy()
    else:
        if isinstance(groups, (str, bytes)) or not hasattr(groups, "__iter__"):
            raise BayesregTypeError(
                f"groups must be an integer label per column, a list of index lists or a list of "
                f"feature-name lists (or 'terms' with Model.from_formula), got {groups!r}.")
        members = []
        for k, g in enumerate(groups):
            if isinstance(g, (str, bytes)) or not hasattr(g, "__iter__"):
                raise BayesregTypeError(f"groups[{k}] must be a list of column indices or names, "
                                        f"got {g!r}.")
            cols = [index_of(c, f"groups[{k}]") for c in g]
            if not cols:
                raise ParameterError(f"groups[{k}] is empty: every group needs a column.")
            members.append(cols)
        if not members:
            raise ParameterError("groups is empty: give at least one group of columns.")
        top = max(max(c) for c in members)
        if names is not None:
            top = max(top, len(names) - 1)
        labels = np.full(top + 1, -2, dtype=np.int64)
        for k, cols in enumerate(members):
            for c in cols:
                if c < 0:
                    raise ParameterError(f"groups[{k}] holds the negative column index {c}.")
                if labels[c] != -2:
                    raise ParameterError(
                        f"groups: column {c} is in groups[{labels[c]}] and groups[{k}]: every "
                        "column must be in exactly one group.")
                labels[c] = k
    if unpenalized is not None:
        if isinstance(unpenalized, (str, bytes)) or _is_int(unpenalized):
            unpenalized = [unpenalized]
        for c in unpenalized:
            j = index_of(c, "unpenalized")
            if j < 0:
                raise ParameterError(f"unpenalized holds the negative column index {j}.")
            if j >= labels.shape[0]:
                labels = np.r_[labels, np.full(j + 1 - labels.shape[0], -2, dtype=np.int64)]
            if labels[j] >= 0:
                raise ParameterError(f"column {j} is both in group {labels[j]} and unpenalized: "
                                     "remove it from one of groups / unpenalized.")
            labels[j] = -1
    missing = np.flatnonzero(labels == -2)
    if missing.size:
        raise ParameterError(
            f"groups: columns {missing[:10].tolist()} are in no group: put every column in "
            "exactly one group, or list it in unpenalized=[...] (a flat prior).")
    used = np.unique(labels[labels >= 0])
    if used.size == 0:
        raise ParameterError("groups: every column is unpenalized: the prior has no group.")
    # relabel 0 .. G-1 in order of first appearance of the labels given
    remap = {int(g): k for k, g in enumerate(used)}
    return np.array([remap[int(g)] if g >= 0 else -1 for g in labels], dtype=np.int64)


# params: [p, G, labels (p), lam (G), sizes (G), l1 (p)]; latent: [1 / tau_g^2 (G), 1 / t_j (p)]
@njit(cache=True, nogil=True)
def _group_fill(latent, params, prec):
    p, G = int(params[0]), int(params[1])
    for j in range(p):
        g = int(params[2 + j])
        prec[j] = latent[g] if g >= 0 else 0.0
        if params[2 + p + 2 * G + j] > 0:
            prec[j] += latent[G + j]


@njit(cache=True, nogil=True)
def _group_init(latent, params, prec, sigma, rng):
    """``tau_g^2 ~ Gamma((p_g + 1) / 2, rate lam_g^2 / 2)``, ``t_j ~ Exp(rate a_j^2 / 2)``
    (prior draws); latent = their inverses (0 for a group or coefficient without the term)."""
    p, G = int(params[0]), int(params[1])
    for g in range(G):
        lam = params[2 + p + g]
        k = params[2 + p + G + g]
        if lam > 0:
            tau2 = rng.gamma(0.5 * (k + 1.0), 2.0 / (lam * lam))
            latent[g] = 1.0 / max(tau2, 1e-300)
        else:
            latent[g] = 0.0
    for j in range(p):
        a = params[2 + p + 2 * G + j]
        latent[G + j] = 1.0 / max(rng.exponential(2.0 / (a * a)), 1e-300) if a > 0 else 0.0
    _group_fill(latent, params, prec)


@njit(cache=True, nogil=True)
def _group_update(latent, params, w, sigma, prec, rng):
    """``1 / tau_g^2 | w_g ~ InverseGaussian(lam_g / ||w_g||, lam_g^2)``, ``1 / t_j | w_j ~
    InverseGaussian(a_j / |w_j|, a_j^2)``."""
    p, G = int(params[0]), int(params[1])
    sq = np.zeros(G)
    for j in range(p):
        g = int(params[2 + j])
        if g >= 0:
            sq[g] += w[j] * w[j]
    for g in range(G):
        lam = params[2 + p + g]
        if lam <= 0:
            latent[g] = 0.0
            continue
        nw = np.sqrt(sq[g])
        mean = lam / nw if nw > 0 else np.inf
        iv = inverse_gaussian(mean, lam * lam, rng)
        latent[g] = iv if iv < 1e300 else 1e300
    for j in range(p):
        a = params[2 + p + 2 * G + j]
        if a > 0:
            aw = abs(w[j])
            iv = inverse_gaussian(a / aw if aw > 0 else np.inf, a * a, rng)
            latent[G + j] = iv if iv < 1e300 else 1e300
    _group_fill(latent, params, prec)


@njit(cache=True, nogil=True)
def _group_sigma_terms(latent, params, w, out):
    out[0] = 0.0
    out[1] = 0.0


@njit(cache=True, nogil=True)
def _group_record(latent, params, out):
    return None


class GroupedColumns:
    """The column-to-group face of the group priors (:class:`GroupLaplace`,
    :class:`~bayesreg.priors.GroupHorseshoe`), one copy.

    ``self.groups`` is either the canonical label array (one int per column, ``-1`` = an
    unpenalized column where the prior takes them, see ``takes_unpenalized``: *resolved*), a
    dict feature name -> label (named groups, resolved against the design's column names by
    :meth:`bound_labels`), or ``"terms"`` (the terms of :meth:`bayesreg.Model.from_formula`)."""

    #: whether label -1 (an unpenalized column, a flat prior) is allowed
    takes_unpenalized: bool = True
    groups: Any

    def _init_groups(self, groups: Any, unpenalized: Any = None) -> None:
        name = type(self).__name__
        if isinstance(groups, str):
            if groups != "terms":
                raise ParameterError(
                    f"{name}.groups: the only string accepted is 'terms' (the formula's "
                    f"terms, with Model.from_formula), got {groups!r}.")
            if unpenalized is not None:
                raise ParameterError(f"{name}(groups='terms') takes no unpenalized: the "
                                     "formula's terms are resolved when the model is built.")
            self.groups = "terms"
        elif isinstance(groups, dict):  # name -> label (to_dict of feature-name groups)
            self.groups = {str(k): int(v) for k, v in groups.items()}
            if unpenalized is not None:
                for c in ([unpenalized] if isinstance(unpenalized, str) else unpenalized):
                    self.groups[str(c)] = -1
        elif self._named(groups) or (unpenalized is not None and self._named([unpenalized])):
            self.groups = self._name_labels(groups, unpenalized)
        else:
            self.groups = group_labels(groups, unpenalized)
        if not self.takes_unpenalized:
            labels = (np.array(list(self.groups.values())) if isinstance(self.groups, dict)
                      else None if isinstance(self.groups, str) else self.groups)
            if labels is not None and np.any(labels < 0):
                raise ParameterError(
                    f"{name}.groups: columns {np.flatnonzero(labels < 0)[:10].tolist()} have "
                    "the label -1 (unpenalized), which this prior does not take: every column "
                    "is in a group (a column of its own is a group of one).")

    @staticmethod
    def _named(groups) -> bool:
        try:
            return any(isinstance(c, str) for g in groups if not isinstance(g, str)
                       for c in (g if hasattr(g, "__iter__") else [g]))
        except TypeError:
            return False

    def _name_labels(self, groups, unpenalized) -> dict[str, int]:
        name = type(self).__name__
        out: dict[str, int] = {}
        if isinstance(groups, np.ndarray) or not isinstance(groups, (list, tuple)):
            raise BayesregTypeError(f"{name}.groups given by names must be a list of "
                                    f"feature-name lists, got {groups!r}.")
        for k, g in enumerate(groups):
            if isinstance(g, str) or not hasattr(g, "__iter__"):
                raise BayesregTypeError(f"groups[{k}] must be a list of feature names, got {g!r}.")
            if not g:
                raise ParameterError(f"groups[{k}] is empty: every group needs a column.")
            for c in g:
                if not isinstance(c, str):
                    raise BayesregTypeError(
                        f"groups[{k}] mixes names and {c!r}: {name}.groups mixes feature names "
                        "and column indices; give feature names only, or column indices only.")
                if c in out:
                    raise ParameterError(f"groups: feature {c!r} is in groups[{out[c]}] and "
                                         f"groups[{k}]: every column must be in exactly one group.")
                out[c] = k
        if unpenalized is not None:
            for c in ([unpenalized] if isinstance(unpenalized, str) else unpenalized):
                if c in out:
                    raise ParameterError(f"feature {c!r} is both in groups[{out[c]}] and "
                                         "unpenalized: remove it from one of them.")
                out[str(c)] = -1
        return out

    @property
    def resolved(self) -> bool:
        """True when the groups are column labels (not names or ``"terms"`` yet)."""
        return isinstance(self.groups, np.ndarray)

    def bound_labels(self, feature_names, term_groups=None) -> np.ndarray | None:
        """The label array of the groups given the design's column names (and, for
        ``groups="terms"``, the term index of every column: ``FormulaModel.groups``); None when
        the groups are labels already."""
        if self.resolved:
            return None
        name = type(self).__name__
        if isinstance(self.groups, str):
            if term_groups is None:
                raise ParameterError(
                    f"{name}(groups='terms') groups the columns of a formula's terms: use "
                    "it with Model.from_formula (or pass groups=formula_model.groups).")
            return np.asarray(term_groups, dtype=np.int64)
        if feature_names is None:
            raise ParameterError(self._unresolved_message())
        names = [str(c) for c in feature_names]
        unknown = [c for c in self.groups if c not in names]
        if unknown:
            raise ParameterError(f"{name}.groups names {unknown[:5]}, which are not "
                                 f"columns of X (columns: {names[:8]}).")
        labels = np.full(len(names), -2, dtype=np.int64)
        for c, g in self.groups.items():
            labels[names.index(c)] = g
        missing = [names[j] for j in np.flatnonzero(labels == -2)]
        if missing:
            fix = (", or list it in unpenalized=[...] (a flat prior)" if self.takes_unpenalized
                   else " (a column of its own is a group of one)")
            raise ParameterError(f"{name}.groups: the columns {missing[:10]} are in no group: "
                                 f"put every column in exactly one group{fix}.")
        return labels

    def _unresolved_message(self) -> str:
        how = ("the formula's terms: build the model with Model.from_formula"
               if isinstance(self.groups, str) else
               "feature names: fit on a DataFrame whose columns are these names (or use "
               "Model.from_formula), or give column indices")
        return f"{type(self).__name__}.groups are {how}."

    def _labels(self, n_coef: int | None = None) -> np.ndarray:
        if not self.resolved:
            raise ParameterError(self._unresolved_message())
        if n_coef is not None:
            self.check_n_coef(n_coef)
        return self.groups

    def check_n_coef(self, n_coef: int) -> None:
        if self.resolved and self.groups.shape[0] != n_coef:
            fix = " (or list it in unpenalized=[...])" if self.takes_unpenalized else ""
            raise ParameterError(
                f"{type(self).__name__}.groups labels {self.groups.shape[0]} columns but the "
                f"model has {n_coef} coefficients: give every column of X a group{fix}.")

    def _groups_to_dict(self) -> Any:
        return self.groups.tolist() if self.resolved else self.groups

    def _same_groups(self, other: GroupedColumns) -> bool:
        if self.resolved != other.resolved:
            return False
        return (bool(np.array_equal(self.groups, other.groups)) if self.resolved
                else self.groups == other.groups)

    def _groups_repr(self) -> str:
        if self.resolved:
            unp = int(np.sum(self.groups < 0))
            return (f"{int(self.groups.max()) + 1} groups over {self.groups.size} columns"
                    + (f", {unp} unpenalized" if unp else ""))
        if isinstance(self.groups, str):
            return repr(self.groups)
        return f"{len(self.groups)} named columns"


@register_prior
class GroupLaplace(GroupedColumns, Prior):
    """Multivariate Laplace prior on each group of coefficients: the group lasso; with
    ``l1_scale``, times a Laplace prior on every coefficient: the sparse group lasso.

    For a group ``g`` of ``p_g`` coefficients, with ``lam_g = m_g / scale`` (group weight
    ``m_g``, default ``sqrt(p_g)``) and ``a = 1 / l1_scale`` (0 without ``l1_scale``)::

        -log p(w_g) = lam_g ||w_g||_2 + a ||w_g||_1 + log Z_g,
        Z_g = int exp(-lam_g ||w||_2 - a ||w||_1) dw
            = 2 pi^(p_g / 2) Gamma(p_g) / (Gamma(p_g / 2) lam_g^(p_g))    (a = 0)

    (exact; ``p_g = 1`` is ``Laplace(scale / m_g)``; with ``a > 0``, ``Z_g`` is the 1-D
    integral of :func:`bayesreg.penalties.sgl_log_z`). Columns listed in ``unpenalized``, and
    the groups of weight ``m_g = 0`` without ``l1_scale``, have a flat prior, as the intercept.
    The MAP with a Gaussian likelihood of noise sd ``sigma`` on ``n``
    rows is the group lasso ``1 / (2n) ||y - b0 - Xw||^2 + alpha sum_g sqrt(p_g) ||w_g||`` of
    skglm (``GroupLasso(groups, alpha, weights=sqrt(p_g))``) with ``alpha = sigma^2 / (n
    scale)``; also grpreg's ``grLasso`` (``lambda = alpha``, default ``group.multiplier =
    sqrt(p_g)``) when each group's columns are orthonormal (``X_g^T X_g / n = I``: grpreg
    orthonormalizes the groups before fitting). GLMs: ``lambda = 1 / (n scale)``.
    ``group_weights`` are skglm's ``weights`` and grpreg's ``group.multiplier``. With
    ``l1_scale``, the MAP is the sparse group lasso ``1 / (2n) ||y - b0 - Xw||^2 + alpha (tau
    ||w||_1 + (1 - tau) sum_g m_g ||w_g||)`` (SGL's ``lambda = alpha`` with ``alpha = tau``
    and group weights ``sqrt(p_g)``; skglm's ``WeightedL1GroupL2(alpha, weights_groups =
    (1 - tau) m_g, weights_features = tau)``) with ``alpha tau = sigma^2 / (n l1_scale)``,
    ``alpha (1 - tau) = sigma^2 / (n scale)``.

    Parameters
    ----------
    scale : float
        ``> 0``; the scale of a group of one coefficient (a Laplace scale). Larger groups get
        ``lam_g = sqrt(p_g) / scale``, so that each group's prior has the same expected
        squared norm per coefficient up to a factor ``(p_g + 1) / (2 p_g)``.
    groups : array of int, list of lists, or ``"terms"``
        The group of every column: an integer label per column (``-1``: unpenalized), a list of
        column-index lists (``[[0, 1], [2, 3, 4]]``), a list of feature-name lists
        (``[["age", "bmi"], ["C(region)[T.b]", "C(region)[T.c]"]]``, resolved against the
        DataFrame's columns when fitted), or ``"terms"``: the terms of
        :meth:`bayesreg.Model.from_formula` (the dummy columns of a categorical term form one
        group; ``FormulaModel.groups`` is the same as an array).
    unpenalized : list of int or str, optional
        Columns with a flat prior (not in any group).
    group_weights : array of float, optional
        ``m_g >= 0``, one per group in the order of the groups (the sorted integer labels, or
        the order of the lists; for ``"terms"``, the formula's terms): ``lam_g = m_g /
        scale``. Default ``sqrt(p_g)``. ``m_g = 0``: an unpenalized group (its columns get a
        flat prior; with ``l1_scale`` only the L1 part).
    l1_scale : float, optional
        ``> 0``: the Laplace scale of the within-group L1 part (the sparse group lasso).
        Default None: no L1 part (the group lasso). ``l1_scale -> inf`` is the group lasso;
        ``scale -> inf`` (or all ``group_weights = 0``) is ``Laplace(l1_scale)`` on the
        grouped columns.

    Notes
    -----
    Gibbs sampling uses the hierarchy of Kyung et al. (2010) with the noise scale removed:
    ``w_g | tau_g^2 ~ N(0, tau_g^2 I)``, ``tau_g^2 ~ Gamma((p_g + 1) / 2, rate lam_g^2 / 2)``,
    whose marginal is exactly the density above (``int N(w; 0, t I) Gamma(t; (k + 1) / 2,
    lam^2 / 2) dt ∝ exp(-lam ||w||)``), and ``1 / tau_g^2 | w_g ~ InverseGaussian(lam_g /
    ||w_g||, lam_g^2)``. Kyung et al. put ``sigma^2 tau_g^2`` in the conditional variance:
    their marginal is ``exp(-lam ||w_g|| / sigma)``, i.e. this prior with ``scale`` relative to
    sigma; this prior is not relative to sigma (like :class:`Laplace`). With ``l1_scale``
    each coefficient also has ``w_j | t_j ~ N(0, t_j)``, ``t_j ~ Exp(rate a^2 / 2)``, so that
    ``w_j``'s conditional prior precision is ``1 / tau_g^2 + 1 / t_j`` and ``1 / t_j | w_j ~
    InverseGaussian(a / |w_j|, a^2)``: the product of the two scale mixtures, whose marginal
    is exactly the sparse-group density.
    """

    _params = ("scale", "groups", "group_weights", "l1_scale")
    separable = False
    #: ``bayesreg fit DATA --prior group-laplace --scale S --groups "a,b,c;d,e"`` (column names;
    #: an unlisted column is a group of its own): ``bayesreg.cli._common.parse_groups``
    cli_options = {"scale": "scale", "groups": "groups", "l1_scale": "l1_scale"}
    cli_required = ("scale", "groups")

    def __init__(self, scale: float, groups: Any, unpenalized: Any = None,
                 group_weights: Any = None, l1_scale: float | None = None) -> None:
        self.scale = check_scale(scale, "GroupLaplace.scale", allow_array=False)
        self.l1_scale = (None if l1_scale is None
                         else check_scale(l1_scale, "GroupLaplace.l1_scale", allow_array=False))
        self.group_weights = self._check_weights(group_weights)
        self._init_groups(groups, unpenalized)
        self._check_n_weights()

    @staticmethod
    def _check_weights(group_weights) -> tuple[float, ...] | None:
        if group_weights is None:
            return None
        try:
            m = np.array(group_weights, dtype=float).ravel()
        except (TypeError, ValueError) as exc:
            raise BayesregTypeError(f"GroupLaplace.group_weights must be an array of numbers "
                                    f"(one per group), got {group_weights!r}.") from exc
        if m.size == 0 or not np.all(np.isfinite(m)) or np.any(m < 0):
            raise ParameterError(f"GroupLaplace.group_weights must be finite and >= 0 (0: an "
                                 f"unpenalized group), one per group, got {group_weights!r}.")
        return tuple(float(x) for x in m)  # a tuple: not mistaken for a per-column array

    def _n_groups(self) -> int | None:
        if isinstance(self.groups, np.ndarray):
            return int(self.groups.max()) + 1
        if isinstance(self.groups, dict):
            return max(self.groups.values()) + 1
        return None  # "terms": known when the formula is built

    def _check_n_weights(self) -> None:
        G = self._n_groups()
        if self.group_weights is not None and G is not None and len(self.group_weights) != G:
            raise ParameterError(
                f"GroupLaplace.group_weights has {len(self.group_weights)} entries but there "
                f"are {G} groups: give one weight per group, in the order of the groups.")

    def _copy(self, **changes) -> GroupLaplace:
        out = object.__new__(GroupLaplace)  # the groups are validated already
        out.scale, out.groups = self.scale, self.groups
        out.group_weights, out.l1_scale = self.group_weights, self.l1_scale
        for k, v in changes.items():
            setattr(out, k, v)
        out._check_n_weights()
        return out

    def bind_features(self, feature_names, term_groups=None) -> GroupLaplace:
        """This prior with its groups as column labels, given the design's column names (and,
        for ``groups="terms"``, the term index of every column: ``FormulaModel.groups``)."""
        labels = self.bound_labels(feature_names, term_groups)
        return self if labels is None else self._copy(groups=labels)

    def _penalty(self, labels: np.ndarray) -> GroupLassoPenalty:
        """The penalty of the resolved ``labels``: ``lam_g = m_g / scale``; groups of weight 0
        without an L1 part become unpenalized columns (label -1, the groups renumbered)."""
        sizes = np.bincount(labels[labels >= 0])
        m = np.sqrt(sizes) if self.group_weights is None else np.array(self.group_weights)
        grouped = labels >= 0
        l1 = None
        if self.l1_scale is not None:
            l1 = np.where(grouped, 1.0 / self.l1_scale, 0.0)
        elif np.any(m == 0):
            keep = m > 0
            new = np.cumsum(keep) - 1
            labels = np.where(grouped & keep[np.maximum(labels, 0)], new[np.maximum(labels, 0)], -1)
            m = m[keep]
        return GroupLassoPenalty(labels, m / self.scale, l1)

    # -- density face -----------------------------------------------------------------
    def logpdf(self, w: np.ndarray) -> np.ndarray:
        """Per coefficient: its group's log density divided equally among the group's members
        (the sum over coefficients is the exact joint log density; 0 for unpenalized ones)."""
        w = np.asarray(w, dtype=float)
        return self.joint_logpdf(w[None, :], per_coef=True)[0]

    def joint_logpdf(self, W, sigma=None, per_coef: bool = False, **hyper):
        W = np.asarray(W, dtype=float)
        pen = self._penalty(self._labels(W.shape[-1]))
        labels = pen.labels
        pos = labels >= 0
        onehot = np.zeros((W.shape[-1], pen.n_groups))
        onehot[np.flatnonzero(pos), labels[pos]] = 1.0
        norms = np.sqrt((W * W) @ onehot)  # (..., G)
        logp_g = -pen.lam * norms - pen.log_z()
        if pen.has_l1:
            logp_g = logp_g - (np.abs(W) * pen.l1) @ onehot
        if not per_coef:
            return logp_g.sum(axis=-1)
        share = np.where(pos, 1.0 / np.maximum(pen.sizes[np.maximum(labels, 0)], 1), 0.0)
        return (logp_g @ onehot.T) * share

    # -- penalty face -----------------------------------------------------------------
    def as_penalty(self, n_coef: int) -> GroupLassoPenalty:
        return self._penalty(self._labels(n_coef))

    def with_strength(self, c: float) -> GroupLaplace:
        """The prior with ``c`` times the penalty (``scale / c``, ``l1_scale / c``)."""
        l1 = (None if self.l1_scale is None
              else check_scale(self.l1_scale / c, "GroupLaplace.l1_scale", allow_array=False))
        return self._copy(scale=check_scale(self.scale / c, "GroupLaplace.scale",
                                            allow_array=False), l1_scale=l1)

    @property
    def path_scale(self):
        return self.scale

    # -- PyMC face ----------------------------------------------------------------------
    def to_pymc(self, name, dims=None, shape=None, sigma=None):
        """A flat vector ``name`` plus ``pm.Potential(name + "_group_laplace", logp)`` with the
        exact log density (the norm written so that its gradient at ``w_g = 0`` is 0, a
        subgradient, instead of NaN; the L1 part's ``|w_j|`` has gradient 0 at 0)."""
        import pymc as pm
        import pytensor.tensor as pt

        size = {"dims": dims} if dims is not None else {"shape": shape}
        coef = pm.Flat(name, **size)
        pen = self._penalty(self.groups if self.resolved else self._labels(-1))
        labels = pen.labels
        pos = labels >= 0
        onehot = np.zeros((labels.shape[0], pen.n_groups))
        onehot[np.flatnonzero(pos), labels[pos]] = 1.0
        sq = pt.dot(coef * coef, onehot)
        safe = pt.sqrt(pt.switch(sq > 0, sq, 1.0))
        norms = pt.switch(sq > 0, safe, 0.0)
        logp = -pt.sum(pen.lam * norms) - float(pen.log_normalizer())
        if pen.has_l1:
            logp = logp - pt.sum(pen.l1 * pt.abs(coef))
        pm.Potential(f"{name}_group_laplace", logp)
        return coef

    # -- Gibbs face ---------------------------------------------------------------------
    def gibbs_face(self, n_coef: int) -> GibbsFace:
        pen = self._penalty(self._labels(n_coef))
        params = np.concatenate([[float(n_coef), float(pen.n_groups)], pen.labels.astype(float),
                                 pen.lam, pen.sizes.astype(float), pen.l1])
        return GibbsFace(params=params, n_latent=pen.n_groups + n_coef, init=_group_init,
                         update=_group_update, sigma_terms=_group_sigma_terms,
                         record=_group_record)

    # -- contract tests, persistence ---------------------------------------------------
    @classmethod
    def examples(cls):
        # a group of two and a group of one; weighted; sparse group
        return [cls(0.4, np.array([0, 0, 1])),
                cls(0.4, np.array([0, 0, 1]), group_weights=[0.5, 2.0], l1_scale=0.8)]

    def to_dict(self) -> dict[str, Any]:
        out = {"type": type(self).__name__, "scale": self.scale, "groups": self._groups_to_dict()}
        if self.group_weights is not None:
            out["group_weights"] = list(self.group_weights)
        if self.l1_scale is not None:
            out["l1_scale"] = self.l1_scale
        return out

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        if self.scale != other.scale or self.l1_scale != other.l1_scale:
            return False
        return self.group_weights == other.group_weights and self._same_groups(other)

    __hash__ = Prior.__hash__

    def __repr__(self) -> str:
        g = self._groups_repr()
        extra = ""
        if self.group_weights is not None:
            extra += f", group_weights=<{len(self.group_weights)} weights>"
        if self.l1_scale is not None:
            extra += f", l1_scale={self.l1_scale:.6g}"
        return f"GroupLaplace(scale={self.scale:.6g}, groups=<{g}>{extra})"

