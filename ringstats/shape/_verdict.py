"""The plateau decision: equivalence tests of the upper slope, the verdict rules and the
rough sample size needed to decide.

Verdicts are named by the shape they establish (all tests at level ``alpha``, one-sided
bounds at 1 - alpha; every shape verdict needs a significant Davies kink test):

- ``plateau``: left slope > 0 and the right slope shown within +/- sesoi by two one-sided
  tests (TOST; Schuirmann 1987, Lakens 2017): it neither rises nor falls by more than the
  smallest effect of interest;
- ``decline``: left slope > 0 and right slope significantly negative (inverted U);
- ``dip``: left slope significantly negative, right slope significantly positive (U shape);
- ``diminishing``: slope change significantly negative, right slope still significantly
  positive;
- ``increasing``: slope change significantly positive, right slope significantly positive,
  left slope not significantly negative (convex);
- ``linear``: no kink, no spline nonlinearity, positive slope, and a plateau-sized slope
  change excluded;
- ``inconclusive``: everything else.

The order above is the order of the rules: a slope shown within the bounds is a plateau
even when it is also significantly (but negligibly) negative or positive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from ._results import EquivalenceTest

__all__ = ["VERDICTS", "EQUIV_METHODS", "Evidence", "decide", "n_needed",
           "delta_equivalence", "bootstrap_equivalence", "boot_equivalence"]

VERDICTS = ("plateau", "diminishing", "decline", "dip", "linear", "increasing", "inconclusive")
EQUIV_METHODS = ("bootstrap", "delta")
DECIDED = frozenset(VERDICTS) - {"inconclusive"}


@dataclass(frozen=True)
class Evidence:
    """The test outcomes a verdict is decided from (all at level ``alpha``)."""

    kink: bool  # Davies p < alpha
    left_pos: bool  # lower one-sided bound of the left slope > 0
    left_neg: bool  # upper one-sided bound of the left slope < 0
    right_pos: bool
    right_neg: bool
    change_neg: bool  # slope change significantly negative
    change_pos: bool  # slope change at the driver's median significantly positive
    nonlinear: bool  # spline nonlinearity p < alpha
    linear_pos: bool  # linear slope significantly positive
    informative: bool  # a plateau-sized change is excluded at the median
    equivalent: bool  # TOST p < alpha
    p_tost: float


def decide(e: Evidence) -> tuple[str, str]:
    """Verdict and its reason from the evidence (rules in the module docstring)."""
    if e.kink and e.left_pos and e.equivalent:
        tail = ("; it is significantly negative, a decline smaller than the sesoi"
                if e.right_neg else "")
        return "plateau", ("kink significant, left slope > 0, right slope shown within "
                           "+/- the sesoi (two one-sided tests)" + tail)
    if e.kink and e.left_pos and e.right_neg:
        return "decline", ("kink significant, left slope > 0, right slope significantly "
                           "negative: the curve turns down after the kink (inverted U)")
    if e.kink and e.left_neg and e.right_pos:
        return "dip", ("kink significant, left slope significantly negative, right slope "
                       "significantly positive: the curve falls, then rises (U shape)")
    if e.kink and e.change_neg and e.right_pos:
        return "diminishing", ("kink significant, slope drops but stays significantly "
                               "positive above the breakpoint")
    if e.kink and e.change_pos and e.right_pos and not e.left_neg:
        return "increasing", ("kink significant, slope increases above the breakpoint and "
                              "is significantly positive there")
    if not e.kink and not e.nonlinear and e.linear_pos and e.informative:
        return "linear", ("no kink, no spline nonlinearity, slope > 0 and a plateau-sized "
                          "slope change excluded")
    return "inconclusive", _inconclusive_reason(e)


def _inconclusive_reason(e: Evidence) -> str:
    if e.kink:
        if e.left_neg:
            return ("kink significant, slope significantly negative below the kink and not "
                    "shown positive above it")
        return (f"kink significant but the right slope is neither shown within +/- the sesoi "
                f"(TOST p = {e.p_tost:.3f}) nor shown positive or negative")
    if e.nonlinear:
        return "spline nonlinearity significant but no significant kink"
    if not e.linear_pos:
        return "no significant positive slope"
    if not e.informative:
        return "no kink found, but the data cannot exclude a plateau-sized change"
    return "no rule applied"


def n_needed(verdict: str, n: int, *, eq: EquivalenceTest, df: int, alpha: float,
             right: float, right_se: float, median_change: float, median_change_se: float,
             plateau_change: float) -> float:
    """Approximate n at which the deciding interval would be narrow enough.

    ``n * (h / d)^2`` with ``h`` the half-width of the deciding interval and ``d`` the
    distance of its estimate from the bound (see the Notes of ``plateau``); NaN when an
    inconclusive verdict's interval is already narrow enough (another rule fails), inf
    when the estimate is on the wrong side.
    """
    t1 = stats.t.ppf(1 - alpha, df)
    cest = eq.contrast_bc if eq.method == "bootstrap" else eq.contrast
    hw = eq.contrast_upper - cest
    if verdict == "diminishing" and cest < 0:
        # the open question is the plateau: n at which the equivalence contrast would be
        # significant
        out = max(float(n), n * (hw / abs(cest)) ** 2)
    elif verdict in DECIDED:
        out = float(n)
    elif cest < 0 and median_change < 0:
        # plateau route: the kink (slope change at the median, two-sided) and both sides of
        # the equivalence test must become significant; when the right slope is below the
        # lower bound the route is the decline's (right slope shown negative)
        t2 = stats.t.ppf(1 - alpha / 2, df)
        kink = (t2 * median_change_se / abs(median_change)) ** 2
        if eq.lower_contrast > 0:
            lower = (t1 * eq.lower_contrast_se / eq.lower_contrast) ** 2
            out = n * max((hw / abs(cest)) ** 2, lower, kink)
        elif right < 0:
            out = n * max((t1 * right_se / abs(right)) ** 2, kink)
        else:
            out = float("inf")
    elif plateau_change < 0 and median_change > plateau_change:
        out = n * (t1 * median_change_se / (median_change - plateau_change)) ** 2
    else:
        out = float("inf")
    if verdict == "inconclusive" and out <= n:
        # the deciding interval is already narrow enough; another rule fails (for example a
        # significant spline nonlinearity without a significant kink): more data of the
        # same kind is not what is missing
        out = float("nan")
    return out


def _contrasts(beta: np.ndarray, cov: np.ndarray, *, sesoi: float | None,
               sesoi_ratio: float) -> tuple[float, float, float, float, float]:
    """Upper contrast (right - bound) and lower contrast (right + bound) with their
    delta-method SEs, and the absolute sesoi. ``beta`` = [1, x, Z..., hinge]."""
    p = beta.size
    c_left = np.zeros(p)
    c_left[1] = 1.0
    c_right = c_left.copy()
    c_right[-1] = 1.0
    if sesoi is None:
        up, lo, shift = c_right - sesoi_ratio * c_left, c_right + sesoi_ratio * c_left, 0.0
        sesoi_abs = sesoi_ratio * max(float(beta[1]), 0.0)
    else:
        up = lo = c_right
        shift = sesoi_abs = float(sesoi)
    c_est = float(up @ beta) - shift
    d_est = float(lo @ beta) + shift
    return (c_est, float(np.sqrt(up @ cov @ up)), d_est, float(np.sqrt(lo @ cov @ lo)),
            sesoi_abs)


def delta_equivalence(beta: np.ndarray, cov: np.ndarray, df: int, *, sesoi: float | None,
                      sesoi_ratio: float, alpha: float) -> EquivalenceTest:
    """TOST with the delta-method SE of R ``segmented::slope`` (it carries the breakpoint's
    uncertainty): ``p_upper = P(T <= c / se_c)``, ``p_lower = P(T >= d / se_d)`` with
    ``c = right - bound`` and ``d = right + bound`` (relative bound: ``ratio * left``, whose
    uncertainty stays in the SE)."""
    c_est, c_se, d_est, d_se, sesoi_abs = _contrasts(beta, cov, sesoi=sesoi,
                                                     sesoi_ratio=sesoi_ratio)
    t1 = stats.t.ppf(1 - alpha, df)
    p_up = float(stats.t.cdf(c_est / c_se, df))
    p_lo = float(stats.t.sf(d_est / d_se, df)) if sesoi_abs > 0 else 1.0
    return EquivalenceTest(
        sesoi=sesoi_abs, sesoi_ratio=sesoi_ratio if sesoi is None else np.nan, method="delta",
        contrast=c_est, contrast_se=c_se, contrast_bc=np.nan, contrast_upper=c_est + t1 * c_se,
        p_val=p_up, lower_contrast=d_est, lower_contrast_se=d_se, p_lower=p_lo,
        p_tost=max(p_up, p_lo), n_boot_ok=0)


def bootstrap_equivalence(beta: np.ndarray, cov: np.ndarray, coef: np.ndarray, *,
                          sesoi: float | None, sesoi_ratio: float, alpha: float,
                          n_boot: int) -> EquivalenceTest:
    """TOST by the basic bootstrap over replicates that searched the breakpoint again
    (:func:`boot_equivalence`); point contrasts and SEs reported as in the delta test."""
    c_est, c_se, d_est, d_se, sesoi_abs = _contrasts(beta, cov, sesoi=sesoi,
                                                     sesoi_ratio=sesoi_ratio)
    c_bc, upper, p_up, p_lo, _, n_ok = boot_equivalence(
        coef, float(beta[1]), float(beta[-1]), sesoi=sesoi, sesoi_ratio=sesoi_ratio,
        alpha=alpha, n_boot=n_boot)
    if not sesoi_abs > 0 and np.isfinite(p_lo):
        p_lo = 1.0
    return EquivalenceTest(
        sesoi=sesoi_abs, sesoi_ratio=sesoi_ratio if sesoi is None else np.nan,
        method="bootstrap", contrast=c_est, contrast_se=c_se, contrast_bc=c_bc,
        contrast_upper=upper, p_val=p_up, lower_contrast=d_est, lower_contrast_se=d_se,
        p_lower=p_lo, p_tost=max(p_up, p_lo), n_boot_ok=n_ok)


def boot_equivalence(coef: np.ndarray, left: float, change: float, *, sesoi: float | None,
                     sesoi_ratio: float, alpha: float, n_boot: int
                     ) -> tuple[float, float, float, float, float, int]:
    """Basic-bootstrap test that the right slope lies within the bounds.

    ``coef`` holds the replicates' left slope and slope change, each at the replicate's own
    least-squares breakpoint, so the breakpoint search is part of what is resampled. With
    ``c = right - bound`` (relative: ``right - ratio * left``) the basic bootstrap
    (Davison & Hinkley 1997, eq. 5.6) gives the upper bound ``2 c_hat - q_alpha(c*)``, the
    bias-corrected estimate ``2 c_hat - mean(c*)`` and the p-value
    ``P*(c* <= 2 c_hat)`` of H0: c >= 0. The lower side of the TOST uses
    ``d = right + bound`` the same way. Returns (c_bc, upper, p_upper, p_lower, p_tost,
    n_ok); NaN p-values when fewer than 90% of the replicates found a breakpoint.
    """
    ok = np.isfinite(coef).all(axis=1)
    lb, cb = coef[ok, 0], coef[ok, 1]
    rb, r_hat = lb + cb, left + change
    if sesoi is None:
        c_b, c_hat = rb - sesoi_ratio * lb, r_hat - sesoi_ratio * left
        d_b, d_hat = rb + sesoi_ratio * lb, r_hat + sesoi_ratio * left
    else:
        c_b, c_hat = rb - sesoi, r_hat - sesoi
        d_b, d_hat = rb + sesoi, r_hat + sesoi
    n_ok = int(ok.sum())
    if n_ok < 0.9 * n_boot:
        nan = float("nan")
        return nan, nan, nan, nan, nan, n_ok
    c_bc = float(2 * c_hat - c_b.mean())
    upper = float(2 * c_hat - np.quantile(c_b, alpha))
    p = float(np.mean(c_b <= 2 * c_hat))
    p_low = float(np.mean(d_b >= 2 * d_hat))
    return c_bc, upper, p, p_low, max(p, p_low), n_ok
