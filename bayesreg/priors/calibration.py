"""Calibrating a shrinkage prior before seeing y: the prior's implied effective number of
non-zero coefficients, and its marginal density next to Normal and Laplace.

Piironen & Vehtari (2017, "Sparsity information and regularization in the horseshoe and other
shrinkage priors", section 3.3): for a Gaussian likelihood with noise sd sigma and n rows whose
columns have variance ``s_j^2`` (1 for standardized X, used here), the posterior mean of a
coefficient with conditional prior variance ``v_j`` is shrunk toward 0 by the factor

    kappa_j = 1 / (1 + n s_j^2 v_j / sigma^2),

and ``m_eff = sum_j (1 - kappa_j)`` is the effective number of non-zero coefficients. Its
prior distribution follows from prior draws of the ``v_j`` (:meth:`Prior.draw_variances`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._errors import NotSupportedError
from .._validation import check_int, check_positive_number, seed_sequence

__all__ = ["effective_nonzero", "EffectiveNonzero", "plot_prior_density"]

QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass
class EffectiveNonzero:
    """Prior draws of ``m_eff`` (``draws``, shape ``(n_draws,)``) and of the shrinkage factors
    ``kappa`` (``(n_draws, p)``), for the stated ``n``, ``p`` and ``sigma``."""

    draws: np.ndarray
    kappa: np.ndarray
    n: int
    p: int
    sigma: float
    prior: object

    @property
    def mean(self) -> float:
        return float(self.draws.mean())

    def quantiles(self, q=QUANTILES) -> dict[float, float]:
        return {float(k): float(v) for k, v in zip(q, np.quantile(self.draws, q), strict=True)}

    def __str__(self) -> str:
        qs = "  ".join(f"q{int(100 * k):02d}={v:.3g}" for k, v in self.quantiles().items())
        return (f"prior m_eff of {self.prior!r} for n={self.n}, p={self.p}, sigma={self.sigma:g} "
                f"({self.draws.size} draws): mean={self.mean:.3g}  {qs}")

    __repr__ = __str__


def effective_nonzero(prior, n: int, p: int, sigma: float = 1.0, draws: int = 4000,
                      random_seed=None, verbose: bool = True) -> EffectiveNonzero:
    """The prior distribution of the effective number of non-zero coefficients.

    ``m_eff = sum_j (1 - kappa_j)``, ``kappa_j = 1 / (1 + n v_j / sigma^2)`` with ``v_j`` the
    conditional prior variance of ``w_j`` (``tau^2 lambda_j^2 [sigma^2]`` for the horseshoe;
    Piironen & Vehtari 2017 with ``s_j^2 = 1``, i.e. standardized columns of X). The prior is
    first bound to the data size (``prior.bind_data(n, p, sigma)``, e.g. a regularized
    horseshoe's ``expected_nonzero``).

    Parameters
    ----------
    prior : Prior
        A prior with prior draws of its conditional variances (:meth:`Prior.draw_variances`:
        the shrinkage priors, spike-and-slab).
    n, p : int
        Rows and coefficients of the intended data.
    sigma : float, default 1
        The noise sd (its value matters only for priors that are not relative to sigma).
    draws : int, default 4000
        Monte Carlo draws from the prior.
    random_seed : int or None
    verbose : bool, default True
        Print the mean and the 5/25/50/75/95 % quantiles.

    Returns
    -------
    EffectiveNonzero
        ``.draws`` (m_eff per prior draw), ``.kappa``, ``.mean``, ``.quantiles()``.
    """
    n = check_int(n, "n", 1)
    p = check_int(p, "p", 1)
    draws = check_int(draws, "draws", 1)
    sigma = check_positive_number(sigma, "sigma")
    bound = prior.bind_data(n, p, sigma)
    rng = np.random.default_rng(seed_sequence(random_seed))
    v = bound.draw_variances(p, draws, rng, sigma)
    if v is None:
        raise NotSupportedError(
            f"{type(prior).__name__} is not a Gaussian scale mixture with prior draws of its "
            "variances (Prior.draw_variances): m_eff is defined for the shrinkage priors "
            "(Horseshoe, RegularizedHorseshoe, HorseshoePlus, R2D2, SpikeAndSlab).")
    kappa = 1.0 / (1.0 + n * v / sigma ** 2)
    res = EffectiveNonzero(np.sum(1.0 - kappa, axis=-1), kappa, n, p, sigma, prior)
    if verbose:
        print(res)
    return res


def plot_prior_density(prior, p: int = 1, sigma: float = 1.0, draws: int = 20000, xlim=3.0,
                       ax=None, random_seed=0, n: int | None = None):
    """Plot the marginal prior density of one coefficient next to Normal and Laplace.

    The marginal density ``p(w_1) = E[N(w_1; 0, v_1)]`` is the average of the Normal
    densities over prior draws of the conditional variance (:meth:`Prior.draw_variances`; a
    spike-and-slab's atom at 0 is drawn as a bar of height ``1 - pi``, not in the curve). The
    Normal and the Laplace have the prior's variance ``E[v_1]`` when it is finite; for the
    horseshoe family (infinite variance) they have its median ``|w_1|`` instead (stated in the
    legend). ``n`` binds data-dependent defaults (``bind_data(n, p, sigma)``).

    Returns the matplotlib ``Axes`` (matplotlib is imported here, never at ``import bayesreg``).
    """
    import matplotlib.pyplot as plt

    from .._errors import ParameterError

    prior = prior.bind_data(n, p, sigma) if n is not None else prior
    rng = np.random.default_rng(seed_sequence(random_seed))
    v = prior.draw_variances(p, draws, rng, sigma)
    if v is None:
        raise NotSupportedError(f"{type(prior).__name__} has no prior variance draws to plot.")
    if not np.isfinite(xlim) or xlim <= 0:
        raise ParameterError(f"xlim must be a finite number > 0, got {xlim!r}.")
    v1 = v[:, 0]
    pos = v1 > 0
    x = np.linspace(-xlim, xlim, 801)
    x = x[x != 0.0]
    vv = v1[pos][:, None]
    dens = (np.exp(-0.5 * x * x / vv) / np.sqrt(2 * np.pi * vv)).sum(axis=0) / v1.size
    finite_var = getattr(prior, "finite_variance", True)
    if finite_var:
        var = float(v1.mean())
        sd, b, how = np.sqrt(var), np.sqrt(var / 2.0), "equal variance"
    else:
        wdraw = np.sqrt(v1) * rng.standard_normal(v1.size)
        med = float(np.median(np.abs(wdraw)))
        sd, b, how = med / 0.6744897501960817, med / np.log(2.0), "equal median |w|"
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    ax.plot(x, dens, label=f"{type(prior).__name__} (marginal)", lw=2)
    ax.plot(x, np.exp(-0.5 * (x / sd) ** 2) / (sd * np.sqrt(2 * np.pi)), "--",
            label=f"Normal ({how})")
    ax.plot(x, np.exp(-np.abs(x) / b) / (2 * b), ":", label=f"Laplace ({how})")
    if not pos.all():
        ax.vlines(0.0, 0.0, 1.0 - pos.mean(), colors="k", lw=3, label="atom at 0 (mass)")
    ax.set_xlabel("w")
    ax.set_ylabel("prior density")
    ax.set_ylim(0.0, 1.5 / (2 * b))  # the spike of the horseshoe family is cut off
    ax.legend()
    return ax
