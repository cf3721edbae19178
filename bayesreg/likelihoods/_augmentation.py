"""Data-augmentation Gibbs faces: a likelihood as a Gaussian mixture in per-row latents.

A likelihood declares ``gibbs_augmentation(y, sw)`` when, given per-row latent variables
``u_i``, its joint density in the linear predictor is Gaussian::

    p(y_i, u_i | eta_i, free) ∝ N(z_i; eta_i, 1 / v_i) x (factors free of eta_i)

with a working response ``z_i`` and a precision ``v_i`` that depend on ``u_i`` and the free
parameters only. The Gibbs sampler (:mod:`bayesreg.samplers.gibbs`) then draws the
coefficients from the Gaussian conditional of every prior's Gibbs face with the pseudo-data
``(z, v)`` (sigma = 1 in the coefficient step: the noise scale is in ``v``), and the latents and
free parameters from the likelihood's own conditionals:

* :class:`~bayesreg.StudentT`: ``u_i = lambda_i ~ Gamma(nu/2, nu/2)``,
  ``y_i | lambda_i ~ N(eta_i, sigma^2 / lambda_i)``: ``z = y``, ``v = lambda / sigma^2``;
* :class:`~bayesreg.Bernoulli`, :class:`~bayesreg.Binomial`, :class:`~bayesreg.NegativeBinomial`:
  Polya-gamma (Polson, Scott & Windle 2013): ``u_i = omega_i ~ PG(b_i, eta_i - offset_i)``,
  ``b_i = sw_i n_i``, ``kappa_i = sw_i (y_i - n_i / 2)``: ``z = kappa / omega + offset``,
  ``v = omega`` (:func:`polya_gamma_face`; the negative binomial has ``n_i = y_i + r`` and
  ``offset = log r``, ``r = 1 / alpha``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .._errors import NotSupportedError

__all__ = ["AugmentedGibbsFace", "polya_gamma_face", "random_polyagamma"]


class AugmentedGibbsFace(NamedTuple):
    """A likelihood's data-augmentation conditionals (plain Python callables, y and sw bound).

    Attributes
    ----------
    free_names : tuple of str
        The free parameters the face draws (``lik.free_params``).
    start : ``(eta, rng) -> (latent, free)``
        Starting latents and free-parameter values (``free``: a dict by name).
    working : ``(latent, free) -> (z, v)``
        The Gaussian pseudo-data of the module docstring (``v >= 0``; 0 for rows without weight).
    update_latent : ``(eta, free, rng) -> latent``
        An exact draw of the latents given the linear predictor.
    update_free : ``(eta, latent, free, sig_terms, rng) -> free``
        A draw of the free parameters given eta and the latents (``sig_terms``: a prior's
        share of the sigma conditional, see :class:`~bayesreg.priors.GibbsFace`).
    noise_scale : ``(free) -> float``
        The sigma the prior's conditionals are given (1.0 without a noise scale).
    """

    free_names: tuple[str, ...]
    start: Callable[..., Any]
    working: Callable[..., Any]
    update_latent: Callable[..., Any]
    update_free: Callable[..., Any]
    noise_scale: Callable[..., Any]


#: Where each of polyagamma 2.0's samplers matches the PG(h, z) moments (checked against the
#: closed-form mean and variance, 4e3-2e5 draws per cell, h from 1e-3 to 1e5, |z| to 1000): the
#: saddle-point sampler for ``h >= 6`` and ``|z| <= 20`` (its draws are far off from |z| ~ 25 when
#: h >= 24); Devroye's (integer h) for ``|z| <= 100`` (off beyond ~300); the alternate sampler for
#: ``h < 1`` at every z and for any h at ``|z| >= 5`` (it drifts for h > 1 at small z; its cost
#: grows like h). The package's default "hybrid" uses a normal approximation above h = 50 and
#: refuses h < 1e-4.
PG_SADDLE_MIN_H, PG_SADDLE_MAX_Z, PG_ALTERNATE_MIN_H = 6.0, 20.0, 1e-3
#: above this h and beyond PG_SADDLE_MAX_Z the draw is the normal approximation with the exact
#: mean and variance (the skewness of PG(h, z) is that of PG(1, z) over sqrt(h): < 0.03 there)
PG_NORMAL_MIN_H = 1e4
_PG_TERMS = 200


def _pg_moments(h, z):
    """Mean and variance of PG(h, z): ``h tanh(z/2) / (2z)``, ``h (sinh z - z) / (4 z^3
    cosh^2(z/2))`` (limits ``h / 4``, ``h / 24`` at z = 0)."""
    z = np.abs(z)
    small = z < 1e-4
    zz = np.where(small, 1.0, z)
    mean = np.where(small, h / 4.0, h * np.tanh(zz / 2) / (2 * zz))
    big = zz > 700.0
    var_core = np.where(big, 4.0 / zz**3,
                        (np.sinh(np.minimum(zz, 700.0)) - zz)
                        / (zz**3 * np.cosh(np.minimum(zz, 700.0) / 2) ** 2))
    var = np.where(small, h / 24.0, h * var_core / 4.0)
    return mean, var


def _pg_series(h, z, rng):
    """PG(h, z) = sum_k g_k / (2 pi^2 (k - 1/2)^2 + z^2 / 2), g_k ~ Gamma(h, 1) (Polson, Scott &
    Windle 2013, eq. 1): the first ``_PG_TERMS`` terms drawn, the rest by their mean (for the
    tiny shapes h < PG_ALTERNATE_MIN_H polyagamma refuses; the omitted terms' variance is
    < 1e-7 h)."""
    k = np.arange(1, _PG_TERMS + 1) - 0.5
    c = 2 * np.pi**2 * k**2 + 0.5 * z[:, None] ** 2
    g = rng.gamma(h[:, None], 1.0, size=c.shape)
    head = (g / c).sum(axis=1)
    mean, _ = _pg_moments(h, z)
    return head + np.maximum(mean - h * (1.0 / c).sum(axis=1), 0.0)


def random_polyagamma(b: np.ndarray, z: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draws ``omega_i ~ PG(b_i, z_i)`` (``b_i > 0``), one per entry, each by a sampler of the
    ``polyagamma`` package inside the region where it was checked (see ``PG_*`` above):
    saddle-point rejection for ``b >= 6, |z| <= 20``; the alternate sampler for ``|z| > 20``
    (``b > 1e4`` there: the normal approximation with the exact moments); otherwise (``b < 6``)
    ``floor(b)`` by Devroye's sampler plus ``b - floor(b)`` by the alternate sampler (PG(b1 + b2,
    z) is the sum of independent PG(b1, z) and PG(b2, z)), a fractional part below 1e-3 by the
    Gamma series. ``E[omega] = b tanh(z / 2) / (2 z)``."""
    try:
        from polyagamma import random_polyagamma as rpg
    except ImportError as e:  # pragma: no cover - polyagamma is a dependency of the sampler
        raise NotSupportedError(
            "sampler='gibbs' for a logit-link likelihood needs the polyagamma package: "
            "pip install polyagamma (or use sampler='nutpie').") from e
    b = np.asarray(b, dtype=float)
    z = np.abs(np.asarray(z, dtype=float))
    out = np.zeros(b.shape)

    def put(mask, h, zz, method):
        if mask.any():
            return rpg(h[mask], zz[mask], method=method, random_state=rng)
        return 0.0

    saddle = (b >= PG_SADDLE_MIN_H) & (z <= PG_SADDLE_MAX_Z)
    out[saddle] = put(saddle, b, z, "saddle")
    normal = (b > PG_NORMAL_MIN_H) & (z > PG_SADDLE_MAX_Z)
    if normal.any():
        m, v = _pg_moments(b[normal], z[normal])
        out[normal] = np.maximum(m + np.sqrt(v) * rng.standard_normal(m.shape), 1e-300)
    alt = (z > PG_SADDLE_MAX_Z) & (b >= PG_ALTERNATE_MIN_H) & ~normal
    out[alt] = put(alt, b, z, "alternate")
    rest = ~(saddle | normal | alt)  # b < 6 and |z| <= 20, or a tiny b
    if rest.any():
        br, zr = b[rest], z[rest]
        m = np.floor(br)
        f = br - m
        part = np.zeros(br.shape)
        dev = m >= 1.0
        part[dev] = put(dev, m, zr, "devroye")
        fa = f >= PG_ALTERNATE_MIN_H
        part[fa] += put(fa, f, zr, "alternate")
        fs = (f > 0.0) & ~fa
        if fs.any():
            part[fs] += _pg_series(f[fs], zr[fs], rng)
        out[rest] = part
    return out


def polya_gamma_face(y: np.ndarray, sw: np.ndarray, trials: Any, offset: Any = 0.0, *,
                     free_names: tuple[str, ...] = (), start_free: Callable[..., Any] | None = None,
                     update_free: Callable[..., Any] | None = None) -> AugmentedGibbsFace:
    """The Polya-gamma augmentation of a likelihood ``prod_i [e^(y_i psi_i) / (1 +
    e^psi_i)^n_i]^sw_i`` in ``psi_i = eta_i - offset_i`` (Polson, Scott & Windle 2013): with
    ``b = sw n`` and ``kappa = sw (y - n / 2)``,
    ``e^(kappa psi) / ... = 2^-b e^(kappa psi) E_{omega ~ PG(b, 0)}[exp(-omega psi^2 / 2)]``, so
    ``omega | eta ~ PG(b, psi)`` and ``eta`` sees the Gaussian pseudo-data
    ``N(z; eta, 1 / omega)`` with ``z = kappa / omega + offset``.

    * :class:`~bayesreg.Bernoulli`: ``n = 1``, ``offset = 0``;
    * :class:`~bayesreg.Binomial`: ``n = trials``, ``offset = 0``;
    * :class:`~bayesreg.NegativeBinomial` (Zhou, Li, Dunson & Carin 2012; Polson, Scott & Windle
      2013 sec. 3): ``n = y + r``, ``offset = log r`` (``r = 1 / alpha``), i.e. ``b = sw (y + r)``,
      ``kappa = sw (y - r) / 2``.

    Parameters
    ----------
    y, sw : arrays, shape (n,)
        Responses and prior weights.
    trials, offset : array-like, or ``(free) -> array``
        ``n_i`` and ``offset_i``, fixed or functions of the free-parameter dict.
    free_names : tuple of str
        The likelihood's free parameters (``lik.free_params``).
    start_free : ``(eta, rng) -> free``, optional
        Their starting values (default ``{}``).
    update_free : ``(eta, free, rng) -> free``, optional
        A draw of them given ``eta`` that leaves ``p(free | eta)`` invariant (the latents
        marginalized: the sampler redraws ``omega`` given the new values right after, which makes
        the pair an exact draw of ``(free, omega) | eta``).
    """
    y = np.asarray(y, dtype=float)
    sw = np.asarray(sw, dtype=float)

    def _get(v, free):
        return np.broadcast_to(np.asarray(v(free) if callable(v) else v, dtype=float), y.shape)

    def coefs(free):
        b = sw * _get(trials, free)
        return b, sw * y - 0.5 * b, _get(offset, free)

    def update_latent(eta, free, rng):
        b, _, off = coefs(free)
        live = b > 0
        om = np.zeros(y.shape)
        om[live] = random_polyagamma(b[live], (np.asarray(eta, dtype=float) - off)[live], rng)
        return np.maximum(om, 1e-300, where=live, out=om)

    def start(eta, rng):
        free = start_free(eta, rng) if start_free is not None else {}
        return update_latent(eta, free, rng), free

    def working(latent, free):
        b, kappa, off = coefs(free)
        live = b > 0
        z = np.array(off, dtype=float)
        z[live] += kappa[live] / latent[live]
        return z, np.where(live, latent, 0.0)

    def free_step(eta, latent, free, sig_terms, rng):
        return update_free(eta, free, rng) if update_free is not None else free

    return AugmentedGibbsFace(tuple(free_names), start, working, update_latent, free_step,
                              lambda free: 1.0)
