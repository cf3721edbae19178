"""Posterior shrinkage factors and the effective number of non-zero coefficients.

Piironen & Vehtari (2017, "Sparsity information and regularization in the horseshoe and other
shrinkage priors", section 3.1): for a Gaussian likelihood with noise sd sigma, n rows, and
column j of X with (population) variance ``s_j^2``, the conditional posterior mean of ``w_j``
given the prior's hyperparameters is, for uncorrelated columns, ``(1 - kappa_j)`` times the
least-squares estimate, with the shrinkage factor

    kappa_j = 1 / (1 + n sigma^-2 s_j^2 v_j)          (v_j: the conditional prior variance of
                                                       w_j, e.g. tau^2 lambda_j^2 [sigma^2])

(0: no shrinkage, 1: shrunk to zero), and ``m_eff = sum_j (1 - kappa_j)`` is the effective
number of non-zero coefficients. Evaluated at every posterior draw of the hyperparameters (and
of sigma, when it is estimated) they have posterior distributions. For a likelihood without a
noise scale (Bernoulli, Poisson, ...) ``sigma^-2`` is Piironen & Vehtari's pseudo-precision:
the Fisher information of one observation at the intercept-only model (``mu (1 - mu)`` for
Bernoulli, ``mu`` for Poisson), the likelihood's ``curvature`` face at ``null_eta``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .._errors import NotSupportedError
from ._common import SAMPLE_DIMS, has_group, posterior

__all__ = ["shrinkage_factors", "ShrinkageFactors"]


@dataclass
class ShrinkageFactors:
    """Posterior draws of the shrinkage factors and of m_eff.

    Attributes
    ----------
    kappa : ndarray, shape (chains, draws, p)
    m_eff : ndarray, shape (chains, draws)
        ``sum_j (1 - kappa_j)`` per draw.
    names : list of str
        The coefficients' labels.
    n : int
    precision_rule : str
        Where ``sigma^-2`` came from (posterior sigma draws, the fixed sigma, or the
        pseudo-precision of a likelihood without a noise scale).
    precision : float
        The posterior mean of ``sigma^-2`` used (or the fixed / pseudo value).
    """

    kappa: np.ndarray
    m_eff: np.ndarray
    names: list
    n: int
    precision_rule: str
    precision: float = float("nan")

    @property
    def kappa_mean(self) -> np.ndarray:
        return self.kappa.mean(axis=(0, 1))

    def m_eff_summary(self, hdi_prob: float = 0.94) -> dict[str, float]:
        """``mean``, ``sd``, ``median`` and the equal-tailed interval of mass ``hdi_prob``
        (``low``, ``high``) of the posterior of m_eff."""
        d = self.m_eff.ravel()
        a = 0.5 * (1.0 - hdi_prob)
        lo, med, hi = np.quantile(d, [a, 0.5, 1.0 - a])
        return {"mean": float(d.mean()), "sd": float(d.std()), "median": float(med),
                "low": float(lo), "high": float(hi), "prob": float(hdi_prob)}

    def to_frame(self):
        """One row per coefficient: ``kappa_mean``, ``kappa_median``, ``kappa_low`` and
        ``kappa_high`` (5% / 95% quantiles)."""
        import pandas as pd

        k = self.kappa.reshape(-1, self.kappa.shape[-1])
        q = np.quantile(k, [0.05, 0.5, 0.95], axis=0)
        return pd.DataFrame({"kappa_mean": k.mean(axis=0), "kappa_median": q[1],
                             "kappa_low": q[0], "kappa_high": q[2]},
                            index=pd.Index(self.names, name="param"))

    def __str__(self) -> str:
        s = self.m_eff_summary()
        return (f"posterior m_eff (effective number of non-zero coefficients, of "
                f"{self.kappa.shape[-1]}): mean {s['mean']:.3g}, median {s['median']:.3g}, "
                f"{s['prob']:.0%} interval [{s['low']:.3g}, {s['high']:.3g}] "
                f"(sigma^-2: {self.precision_rule})")

    __repr__ = __str__


def _draws(ds, name: str) -> np.ndarray:
    return np.asarray(ds[name].transpose(*SAMPLE_DIMS, ...).values, dtype=float)


def shrinkage_factors(idata: Any, X: Any = None, y: Any = None, *, prior: Any = None,
                      likelihood: Any = None, x_sd: Any = None) -> ShrinkageFactors:
    """The posterior of the shrinkage factors ``kappa_j`` and of ``m_eff`` (module docstring).

    ``kappa_j = 1 / (1 + n sigma^-2 s_j^2 v_j)`` at every draw, ``v_j`` the prior's conditional
    variance of ``w_j`` given the drawn hyperparameters (``Prior.conditional_variance``: the
    horseshoe family, R2D2, spike-and-slab), ``s_j`` the population sd of column j, ``n`` the
    number of rows; ``m_eff = sum_j (1 - kappa_j)``.

    Parameters
    ----------
    idata : xarray.DataTree
        ``model.sample`` output: the posterior has the prior's hyperparameters (``tau``,
        ``lambda``, ...) and ``sigma`` when estimated; ``constant_data["x_sd"]`` and
        ``observed_data["y"]`` give ``s_j`` and ``n`` when ``X`` / ``y`` are not passed.
    X, y : array-like, optional
        The data (for ``s_j``, ``n`` and a pseudo-precision).
    prior, likelihood : optional
        Default: the model stored in the DataTree's ``bayesreg_model`` attribute.
    x_sd : array of shape (p,), optional
        The column sds (instead of ``X``).

    Returns
    -------
    ShrinkageFactors

    Raises
    ------
    NotSupportedError
        The prior has no conditional variance (e.g. Laplace, whose mixing variances are not
        stored), a hyperparameter is missing from the posterior, or ``n`` / ``s_j`` /
        ``sigma`` cannot be found.
    """
    from ..spec import ModelSpec
    from ._common import coef_draws, feature_labels

    ds = posterior(idata)
    if prior is None or likelihood is None:
        try:
            spec = ModelSpec.from_idata(idata)
        except Exception as exc:
            raise NotSupportedError("shrinkage_factors needs the model: pass prior= and "
                                    "likelihood= (the DataTree has no bayesreg_model attribute)."
                                    ) from exc
        prior = spec.prior if prior is None else prior
        likelihood = spec.likelihood if likelihood is None else likelihood
    names = feature_labels(idata, None)
    p = coef_draws(idata).sizes.get("feature", len(names))
    hyper_names = tuple(getattr(prior, "hyper_names", ()))
    missing = [h for h in hyper_names if h not in ds.data_vars]
    if not hyper_names or missing:
        raise NotSupportedError(
            f"{type(prior).__name__}: no shrinkage factors (they need the posterior draws of the "
            f"prior's hyperparameters{', missing: ' + ', '.join(missing) if missing else ''}; "
            "defined for the shrinkage priors: Horseshoe, HorseshoePlus, RegularizedHorseshoe, "
            "R2D2, SpikeAndSlab).")
    if y is None and has_group(idata, "observed_data") and "y" in idata["observed_data"]:
        y = np.asarray(idata["observed_data"]["y"].values, dtype=float)
    if x_sd is None and X is not None:
        from ..samplers.datatree import column_sd

        x_sd = column_sd(X)
    if x_sd is None and has_group(idata, "constant_data") and \
            "x_sd" in idata["constant_data"].data_vars:
        x_sd = np.asarray(idata["constant_data"]["x_sd"].values, dtype=float)
    if x_sd is None or np.shape(x_sd) != (p,):
        raise NotSupportedError("shrinkage_factors needs sd(x_j): pass X=... or x_sd=... (the "
                                "constant_data['x_sd'] that model.sample stores).")
    if y is not None:
        n = int(np.shape(y)[0])
    elif X is not None:
        n = int(np.shape(X)[0])
    else:
        raise NotSupportedError("shrinkage_factors needs n: pass y=... (or keep the "
                                "observed_data group that model.sample writes).")
    hyper = {h: _draws(ds, h) for h in hyper_names}
    sigma = None
    if "sigma" in ds.data_vars:
        sigma = _draws(ds, "sigma")
        prec, rule = 1.0 / sigma ** 2, "posterior draws of sigma"
    elif getattr(likelihood, "has_noise_scale", False) and getattr(likelihood, "sigma", None):
        sigma = float(likelihood.sigma)
        prec, rule = 1.0 / sigma ** 2, f"the fixed sigma = {sigma:g}"
    else:
        if y is None:
            raise NotSupportedError("shrinkage_factors needs y for the pseudo-precision of a "
                                    "likelihood without a noise scale.")
        yv = np.asarray(y, dtype=float)
        sw = np.ones(n)
        fit_intercept = "intercept" in ds.data_vars
        eta0 = np.full(n, likelihood.null_eta(yv, sw, fit_intercept))
        prec = float(np.mean(likelihood.curvature(yv, eta0, sw)))
        rule = (f"pseudo-precision {prec:.4g}, the Fisher information per observation at the "
                "intercept-only model")
    chains, draws = next(iter(hyper.values())).shape[:2]
    sig = np.broadcast_to(np.asarray(1.0 if sigma is None else sigma, dtype=float),
                          (chains, draws))
    v = np.broadcast_to(prior.conditional_variance(hyper, sig), (chains, draws, p))
    prec = np.asarray(prec, dtype=float)
    prec = prec[..., None] if prec.ndim else prec
    kappa = 1.0 / (1.0 + n * prec * np.asarray(x_sd, dtype=float) ** 2 * v)
    return ShrinkageFactors(kappa=kappa, m_eff=np.sum(1.0 - kappa, axis=-1), names=list(names),
                            n=n, precision_rule=rule, precision=float(np.mean(prec)))
