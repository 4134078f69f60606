"""Fit-statistic kernels shared by the EFA and CFA estimators (no pandas, no validation)."""

from __future__ import annotations

import math

from scipy import optimize, special

__all__ = ["noncentrality_ci", "rmsea_ci"]


def _noncentrality(chisq: float, df: float, prob: float) -> float:
    """The noncentrality ``lam >= 0`` with ``P(X <= chisq) = prob`` for X ~ chi2(df, lam), or 0
    when even the central distribution puts less than ``prob`` below ``chisq``.

    The CDF falls monotonically in ``lam``; the root is bracketed from the normal
    approximation (mean ``df + lam``, variance ``2 (df + 2 lam)``), widened by doubling when
    needed, and found by Brent's method on :func:`scipy.special.chndtr` (a few dozen CDF
    evaluations in all, against 200 bisection steps before).
    """
    if special.chdtr(df, chisq) < prob:
        return 0.0

    def f(lam: float) -> float:
        return float(special.chndtr(chisq, df, lam)) - prob

    # upper end: the CDF at lam = chisq - df + 4 sd is about Phi(-4) for any target in
    # (1e-4, 1 - 1e-4); doubled until the sign changes
    hi = max(chisq - df + 4.0 * math.sqrt(2.0 * (df + 2.0 * max(chisq, 1.0))), 1.0)
    while f(hi) > 0:
        hi *= 2.0
    return float(optimize.brentq(f, 0.0, hi, xtol=1e-10, rtol=1e-14))


def noncentrality_ci(chisq: float, df: float, level: float = 0.90) -> tuple[float, float]:
    """Two-sided ``level`` confidence interval of the chi-square noncentrality parameter.

    Lower end: the ``lam`` at which ``chisq`` is the ``(1 + level) / 2`` quantile; upper end:
    the ``lam`` at which it is the ``(1 - level) / 2`` quantile (Browne & Cudeck 1993;
    Steiger & Lind 1980).
    """
    a = (1.0 - level) / 2.0
    return _noncentrality(chisq, df, 1.0 - a), _noncentrality(chisq, df, a)


def rmsea_ci(chisq: float, df: float, n: float, level: float = 0.90) -> tuple[float, float]:
    """RMSEA confidence interval ``sqrt(lam / (df * n))`` from :func:`noncentrality_ci`.

    ``n`` is the caller's sample-size convention: lavaan divides by N, psych by N - 1, so
    :func:`ringstats.measurement.cfa` passes ``n`` and :func:`ringstats.measurement.efa`
    passes ``n - 1``.

    Examples
    --------
    >>> lo, hi = rmsea_ci(1808.943, 185, 2799)     # psych::fa on bfi, 5 factors
    >>> round(lo, 4), round(hi, 4)
    (0.0537, 0.0584)
    """
    lam_lo, lam_hi = noncentrality_ci(chisq, df, level)
    return math.sqrt(lam_lo / (df * n)), math.sqrt(lam_hi / (df * n))
