"""Formulas and categorical data: a model stated as ``"y ~ x1 + C(region) + x1:C(region)"``.

The design matrix is formulaic's own (``formulaic.model_matrix``: numeric columns, categorical
expansion with treatment contrasts, interactions, ``bs(...)`` splines, ``center(...)``, ...), with
one change: formulaic's ``Intercept`` column is dropped and becomes the model's flat-prior
intercept (``fit_intercept=True``); a formula without intercept (``y ~ 0 + x`` or ``y ~ x - 1``)
gives ``fit_intercept=False``. Every other column is a coefficient under the prior, named as
formulaic names it (``C(region)[T.b]``).

The columns one formula term expands into (the dummies of ``C(region)``, the basis of a spline)
form one **group**: :attr:`FormulaModel.terms` and :attr:`FormulaModel.groups`, used by
``GroupLaplace(scale, groups="terms")`` (or ``groups=formula_model.groups``): the group lasso
then shrinks a categorical term's dummies together. New data go through the same design (the
same levels, the same spline knots):
:meth:`FormulaModel.design`; a categorical level not seen in the fitted data is an error, not a
silent all-zero row. Requires the optional ``formulaic`` package (``pip install
bayesreg[formula]``).
"""

from __future__ import annotations

import warnings
from typing import Any, NamedTuple

import numpy as np

from ._errors import BayesregTypeError, DataError, NotSupportedError

__all__ = ["FormulaModel", "FormulaDesign", "formula_design", "from_formula"]


def _formulaic():
    try:
        import formulaic
    except ImportError as exc:  # pragma: no cover - formulaic is in the test extras
        raise NotSupportedError(
            "formulas need the optional package formulaic: pip install 'bayesreg[formula]' "
            "(or pip install formulaic).") from exc
    return formulaic


def _materialize(fn, what: str):
    """Run formulaic, turning its warnings about unseen levels and its errors into DataError."""
    formulaic = _formulaic()
    from formulaic.errors import FormulaicError

    with warnings.catch_warnings():
        warnings.simplefilter("error", formulaic.errors.DataMismatchWarning)
        try:
            return fn()
        except formulaic.errors.DataMismatchWarning as w:
            raise DataError(f"{what}: {w} Only the levels of the data the model was built on "
                            "can be predicted: map the new levels to known ones (or refit with "
                            "them).") from None
        except (FormulaicError, KeyError, ValueError, TypeError, NameError) as exc:
            if isinstance(exc, DataError):
                raise
            raise DataError(f"{what}: {type(exc).__name__}: {exc}") from None


class FormulaModel:
    """A :class:`~bayesreg.Model` together with the design a formula builds from a data frame.

    Made by :meth:`bayesreg.Model.from_formula`. The model is the ordinary one
    (``log p(coef, intercept | y) = sum_i log p(y_i | intercept + x_i coef) + sum_j log p(coef_j)``
    with ``x_i`` the formula's row ``i`` without formulaic's ``Intercept`` column); the
    methods below are the model's, with ``X`` and ``y`` taken from the formula.

    Attributes
    ----------
    model : bayesreg.Model
    formula : str
    X : pandas.DataFrame
        The design (formulaic's model matrix without ``Intercept``), columns named by formulaic.
    y : numpy.ndarray
    terms : dict of str -> list of str
        Each right-hand-side term (intercept excluded) and the columns it expands into.
    groups : numpy.ndarray of int, shape (n_columns,)
        The term index of every column (0, 1, ... in the order of :attr:`terms`).
    """

    def __init__(self, model, formula: str, design: FormulaDesign):
        self.model = model
        self.formula = formula
        self._spec = design.spec
        self.X = design.X
        self.y = design.y
        self.terms = design.terms
        self.groups = design.groups

    @property
    def feature_names(self) -> list[str]:
        """The coefficient names (the design's columns)."""
        return [str(c) for c in self.X.columns]

    def design(self, data) -> Any:
        """The design of new rows ``data`` (a data frame with the formula's right-hand-side
        variables), through the fitted formula's spec: the same columns, levels and
        transforms. Raises :class:`~bayesreg.DataError` for a categorical level the model was
        not built on, or a missing variable."""
        _check_frame(data, "data")
        mm = _materialize(lambda: self._spec.get_model_matrix(data, na_action="raise"),
                          "the new data do not fit the formula's design")
        return mm.drop(columns=[c for c in mm.columns if c == "Intercept"])

    # -- the model's entry points, X and y from the formula --------------------------------
    def map(self, **kwargs):
        """:meth:`bayesreg.Model.map` on the formula's design: the posterior mode."""
        return self.model.map(self.X, self.y, **kwargs)

    def map_path(self, **kwargs):
        """:meth:`bayesreg.Model.map_path` on the formula's design."""
        return self.model.map_path(self.X, self.y, **kwargs)

    def sample(self, **kwargs):
        """:meth:`bayesreg.Model.sample` on the formula's design: the full posterior."""
        return self.model.sample(self.X, self.y, **kwargs)

    def crosscheck(self, **kwargs):
        """:meth:`bayesreg.Model.crosscheck` on the formula's design."""
        return self.model.crosscheck(self.X, self.y, **kwargs)

    def predict(self, fit, data):
        """``E[y | data]`` at the mode ``fit`` (:meth:`MAPResult.predict` on :meth:`design`)."""
        return fit.predict(self.design(data))

    def predict_posterior(self, idata, data, **kwargs):
        """:meth:`bayesreg.Model.predict_posterior` on :meth:`design` ``(data)``."""
        return self.model.predict_posterior(idata, self.design(data), **kwargs)

    def __repr__(self) -> str:
        return (f"FormulaModel({self.formula!r}, {self.model!r}, n={len(self.y)}, "
                f"columns={self.X.shape[1]}, terms={len(self.terms)})")


def _check_frame(data, name: str) -> None:
    if not (hasattr(data, "columns") and hasattr(data, "__getitem__")):
        raise BayesregTypeError(f"{name} must be a data frame (pandas), got "
                                f"{type(data).__name__}: formulas name its columns.")


class FormulaDesign(NamedTuple):
    """The design a formula builds from a data frame (:func:`formula_design`).

    Attributes
    ----------
    X : pandas.DataFrame
        formulaic's model matrix without its ``Intercept`` column, columns named by formulaic.
    y : numpy.ndarray
        The response (the formula's left-hand side).
    response : str
        The name of the response column (formulaic's name of the left-hand side).
    terms : dict of str -> list of str
        Each right-hand-side term (intercept excluded) and the columns it expands into.
    groups : numpy.ndarray of int, shape (n_columns,)
        The term index of every column of ``X`` (0, 1, ... in the order of ``terms``).
    fit_intercept : bool
        Whether the formula has an intercept (the model's flat-prior intercept).
    spec : formulaic.ModelSpec
        The right-hand side's spec (new data go through it).
    """

    X: Any
    y: np.ndarray
    response: str
    terms: dict
    groups: np.ndarray
    fit_intercept: bool
    spec: Any


def formula_design(formula: str, data) -> FormulaDesign:
    """The design matrix, response and term groups of ``formula`` on ``data`` (the module
    docstring: formulaic's model matrix, its ``Intercept`` column dropped and turned into
    ``fit_intercept``). Used by :func:`from_formula` and the command line's ``--formula``.

    Raises
    ------
    BayesregTypeError
        ``formula`` is not a string with ``~``, or ``data`` is not a data frame.
    DataError
        The formula does not fit the data (unknown variable, missing values: formulaic's
        message is quoted), or it has no left-hand side, or several response columns.
    """
    if not isinstance(formula, str) or "~" not in formula:
        raise BayesregTypeError(f"formula must be a string 'y ~ x1 + ...', got {formula!r}.")
    _check_frame(data, "data")
    formulaic = _formulaic()
    mm = _materialize(lambda: formulaic.model_matrix(formula, data, na_action="raise"),
                      f"formula {formula!r} does not fit the data")
    lhs, rhs = mm.lhs, mm.rhs
    if lhs.shape[1] != 1:
        raise DataError(f"formula {formula!r} must have one response column on the left of "
                        f"'~', got {lhs.shape[1]} ({list(lhs.columns)}).")
    y = np.asarray(lhs.iloc[:, 0], dtype=float)
    spec = rhs.model_spec
    terms: dict[str, list[str]] = {}
    has_intercept = False
    for st in spec.structure:
        if str(st.term) == "1":
            has_intercept = True
            continue
        terms[str(st.term)] = [str(c) for c in st.columns]
    X = rhs.drop(columns=["Intercept"]) if has_intercept else rhs
    lookup = {c: k for k, cols in enumerate(terms.values()) for c in cols}
    groups = np.array([lookup[str(c)] for c in X.columns], dtype=np.int64)
    return FormulaDesign(X, y, str(lhs.columns[0]), terms, groups, has_intercept, spec)


def from_formula(formula: str, data, likelihood=None, prior=None) -> FormulaModel:
    """Build a :class:`FormulaModel` from a formula and a data frame (see the module docstring).

    Parameters
    ----------
    formula : str
        ``"y ~ x1 + x2 + C(region)"`` in formulaic's grammar (Wilkinson formulas: ``a:b``
        interaction, ``a*b`` = ``a + b + a:b``, ``C(x)`` categorical, ``bs(x, df=4)``
        B-spline, ``0 +`` or ``- 1`` no intercept).
    data : pandas.DataFrame
    likelihood : Likelihood, default Gaussian()
    prior : Prior
        The prior on every coefficient (every design column).

    Returns
    -------
    FormulaModel
        ``.model`` (likelihood + prior, ``fit_intercept`` from the formula), ``.X`` (formulaic's
        design without its ``Intercept`` column), ``.y``, ``.terms`` / ``.groups``.

    Raises
    ------
    DataError
        The formula does not fit the data (unknown variable, missing values: formulaic's
        message is quoted), or it has no left-hand side, or several response columns.
    """
    from .likelihoods import Gaussian
    from .model import Model

    if prior is None:
        raise BayesregTypeError("prior is required: the prior on every coefficient, e.g. "
                                "prior=br.Normal(1.0) or br.Laplace(0.5).")
    design = formula_design(formula, data)
    # a prior that refers to columns by name or by term (GroupLaplace(groups="terms")) binds
    # them to this design's columns here
    prior = prior.bind_features([str(c) for c in design.X.columns], design.groups)
    model = Model(Gaussian() if likelihood is None else likelihood, prior,
                  fit_intercept=design.fit_intercept)
    return FormulaModel(model, formula, design)
