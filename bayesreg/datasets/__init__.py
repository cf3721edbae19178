"""Bundled data sets (shipped as package data: no network access needed).

* :func:`load_diabetes` -- Efron, Hastie, Johnstone & Tibshirani (2004), 442 patients x 10
  baseline variables, target = disease progression one year after baseline.
* :func:`load_prostate` -- Stamey et al. (1989) prostate cancer data as used in Hastie,
  Tibshirani & Friedman, *The Elements of Statistical Learning* (ESL), Tables 3.1-3.3:
  97 men x 8 predictors, response ``lpsa``, with ESL's train/test split.
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pandas as pd

from .._errors import BayesregTypeError, ParameterError

__all__ = ["load_diabetes", "load_prostate", "DIABETES_COLUMNS", "PROSTATE_COLUMNS"]

#: Meaning of the diabetes columns (raw units, as in Efron et al. 2004).
DIABETES_COLUMNS: dict[str, str] = {
    "age": "age in years",
    "sex": "sex, coded 1 or 2 (the coding of the original data)",
    "bmi": "body mass index (kg/m^2)",
    "bp": "average blood pressure (mm Hg)",
    "s1": "tc, total serum cholesterol (mg/dl)",
    "s2": "ldl, low-density lipoproteins (mg/dl)",
    "s3": "hdl, high-density lipoproteins (mg/dl)",
    "s4": "tch, total cholesterol / HDL",
    "s5": "ltg, log of serum triglycerides level",
    "s6": "glu, blood sugar level (mg/dl)",
    "target": "quantitative measure of disease progression one year after baseline",
}

#: Meaning of the prostate columns (ESL Table 3.1).
PROSTATE_COLUMNS: dict[str, str] = {
    "lcavol": "log cancer volume",
    "lweight": "log prostate weight",
    "age": "age in years",
    "lbph": "log of the amount of benign prostatic hyperplasia",
    "svi": "seminal vesicle invasion (0/1)",
    "lcp": "log of capsular penetration",
    "gleason": "Gleason score",
    "pgg45": "percent of Gleason scores 4 or 5",
    "lpsa": "log of prostate-specific antigen (the response)",
    "train": "True for the 67 rows of ESL's training set, False for the 30 test rows",
}


def _read(name: str) -> pd.DataFrame:
    with resources.files(__name__).joinpath("data", name).open("r") as fh:
        return pd.read_csv(fh)


def _check_bool(v, name: str) -> bool:
    if not isinstance(v, (bool, np.bool_)):
        raise BayesregTypeError(f"{name} must be True or False, got {v!r}.")
    return bool(v)


def load_diabetes(*, return_X_y: bool = False, standardize: bool = False):
    """The diabetes data of Efron et al. (2004), "Least Angle Regression", in raw units.

    442 patients, 10 baseline predictors (columns described in :data:`DIABETES_COLUMNS`:
    ``age, sex, bmi, bp, s1..s6``) and the response ``target``, a quantitative measure of disease
    progression one year after baseline (range 25-346). The values are those of
    ``sklearn.datasets.load_diabetes(scaled=False)`` (source:
    https://www4.stat.ncsu.edu/~boos/var.select/diabetes.html), shipped with bayesreg.

    Parameters
    ----------
    return_X_y : bool, default False
        False: one DataFrame with the 10 predictors and a ``"target"`` column.
        True: the tuple ``(X, y)``: DataFrame of predictors and Series ``y`` named ``"target"``.
    standardize : bool, default False
        Center each predictor and divide it by its population standard deviation
        (``(x - mean) / std(ddof=0)``), so that coefficient priors have a common scale. The
        target is never transformed. (scikit-learn's default ``scaled=True`` copy equals the
        standardized predictors divided by ``sqrt(442)``.)

    Returns
    -------
    pandas.DataFrame, or (pandas.DataFrame, pandas.Series)
    """
    return_X_y = _check_bool(return_X_y, "return_X_y")
    standardize = _check_bool(standardize, "standardize")
    df = _read("diabetes.csv").astype(float)
    X, y = df.drop(columns="target"), df["target"]
    if standardize:
        X = (X - X.mean()) / X.std(ddof=0)
    if return_X_y:
        return X, y
    return pd.concat([X, y], axis=1)


def load_prostate(*, return_X_y: bool = False, standardize: bool = False,
                  split: str | None = None):
    """The prostate cancer data (Stamey et al. 1989) as used in ESL, Section 3.2.1.

    97 men about to undergo radical prostatectomy; 8 clinical predictors
    ``lcavol, lweight, age, lbph, svi, lcp, gleason, pgg45`` (see :data:`PROSTATE_COLUMNS`), the
    response ``lpsa`` (log prostate-specific antigen) and ESL's random split into 67 training and
    30 test rows (column ``train``). Source: the ``prostate.data`` file distributed with ESL
    (https://hastie.su.domains/ElemStatLearn/), shipped with bayesreg.

    Parameters
    ----------
    return_X_y : bool, default False
        False: one DataFrame with the predictors, ``lpsa`` and ``train`` (bool).
        True: ``(X, y)``, the predictors and the Series ``lpsa`` (the ``train`` column dropped).
    standardize : bool, default False
        Standardize the predictors as ESL does for Tables 3.2/3.3: center by the mean and divide
        by the sample standard deviation (``ddof=1``), both computed on **all 97 rows**, before
        any split. Least squares on the standardized training rows then reproduces ESL Table 3.2
        (intercept 2.46, lcavol 0.68, ...). The response is never transformed.
    split : {None, "train", "test"}, default None
        Return all rows, or only ESL's training (67) or test (30) rows.

    Returns
    -------
    pandas.DataFrame, or (pandas.DataFrame, pandas.Series)
    """
    return_X_y = _check_bool(return_X_y, "return_X_y")
    standardize = _check_bool(standardize, "standardize")
    if split not in (None, "train", "test"):
        raise ParameterError(f"split must be None, 'train' or 'test', got {split!r}.")
    raw = _read("prostate.csv")
    predictors = [c for c in PROSTATE_COLUMNS if c not in ("lpsa", "train")]
    X = raw[predictors].astype(float)
    if standardize:
        X = (X - X.mean()) / X.std(ddof=1)
    df = X.assign(lpsa=raw["lpsa"].astype(float), train=raw["train"].astype(str).eq("T"))
    df.index = pd.RangeIndex(len(df))
    if split is not None:
        df = df[df["train"] == (split == "train")].reset_index(drop=True)
    if return_X_y:
        return df[predictors], df["lpsa"]
    return df
