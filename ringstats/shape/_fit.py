"""Fitting one plateau test: the linear, spline and segmented fits, the equivalence test
and the verdict, each a small function of checked arrays and a typed
:class:`PlateauOptions`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from .._kernels.regression import OLSFit, harrell_knots, ols, rcs_basis
from .._kernels.validation import (
    check_bool,
    check_int,
    check_option,
    check_probability,
    check_real,
    check_seed,
)
from ..errors import InsufficientDataError, RingstatsError
from ._data import DriverData
from ._results import Breakpoint, Ceiling, PlateauData, PlateauResult, SplineTest
from ._segmented import (
    BP_CI_METHODS,
    COV_TYPES,
    MIN_DISTINCT,
    SegmentedFit,
    boot_segmented,
    breakpoint_interval,
    concave_fit,
    davies_test,
    segmented_fit,
)
from ._verdict import (
    EQUIV_METHODS,
    Evidence,
    bootstrap_equivalence,
    decide,
    delta_equivalence,
    n_needed,
)

__all__ = ["PlateauOptions", "plateau_options", "fit_plateau", "DEFAULT_SESOI_RATIO"]

#: Default smallest effect of interest, as a ratio: a plateau means the slope above the
#: breakpoint is less than half the slope below it (in absolute value).
DEFAULT_SESOI_RATIO = 0.5


@dataclass(frozen=True)
class PlateauOptions:
    """Checked options of a plateau test (see :func:`ringstats.shape.plateau`)."""

    sesoi: float | None = None
    sesoi_ratio: float = DEFAULT_SESOI_RATIO
    ci: float = 0.95
    n_knots: int = 4
    alpha: float = 0.05
    concave: bool = False
    cov_type: str = "HC3"
    bp_ci: str = "bootstrap"
    equivalence: str = "delta"
    trim: float = 0.10
    n_boot: int = 200
    seed: int | None = None


def plateau_options(*, sesoi: object = None, sesoi_ratio: object = DEFAULT_SESOI_RATIO,
                    ci: object = 0.95, n_knots: object = 4, alpha: object = 0.05,
                    concave: object = False, cov_type: object = "HC3",
                    bp_ci: object = "bootstrap", equivalence: object = "delta",
                    trim: object = 0.10, n_boot: object = 200,
                    seed: object = None) -> PlateauOptions:
    """Check every option once at the public boundary and return them typed."""
    if sesoi is not None:
        sesoi = check_real(sesoi, "sesoi", min_value=0.0, inclusive=False)
    if isinstance(sesoi_ratio, bool) or not isinstance(sesoi_ratio, (int, float)) or not (
            0 < sesoi_ratio < 1):
        raise RingstatsError(
            f"`sesoi_ratio` must be a number strictly between 0 and 1; got {sesoi_ratio!r}."
        )
    ci = check_probability(ci, "ci")
    alpha = check_probability(alpha, "alpha")
    if alpha >= 0.5:
        raise RingstatsError(f"`alpha` must be below 0.5; got {alpha}.")
    check_option(cov_type, "cov_type", COV_TYPES)
    check_option(bp_ci, "bp_ci", BP_CI_METHODS)
    check_option(equivalence, "equivalence", EQUIV_METHODS)
    return PlateauOptions(
        sesoi=sesoi, sesoi_ratio=float(sesoi_ratio), ci=ci,
        n_knots=check_int(n_knots, "n_knots", min_value=3, max_value=7), alpha=alpha,
        concave=check_bool(concave, "concave"), cov_type=str(cov_type), bp_ci=str(bp_ci),
        equivalence=str(equivalence), trim=check_real(trim, "trim", min_value=0.0,
                                                      max_value=0.4),
        n_boot=check_int(n_boot, "n_boot", min_value=20), seed=check_seed(seed))


# ----------------------------------------------------------------------------------------
def _check_size(d: DriverData) -> None:
    k = np.unique(d.x).size
    if k < MIN_DISTINCT:
        raise InsufficientDataError(
            f"`{d.driver}`: a breakpoint needs a driver with at least {MIN_DISTINCT} distinct "
            f"values; got {k}."
        )
    if d.x.size < 20:
        raise InsufficientDataError(f"`{d.driver}`: a plateau test needs at least 20 complete "
                                    f"rows; got {d.x.size}.")


def _coef_table(est: np.ndarray, se: np.ndarray, df: int, ci: float, index: pd.Index
                ) -> pd.DataFrame:
    tq = stats.t.ppf(0.5 + ci / 2, df)
    t = est / se
    return pd.DataFrame({"estimate": est, "se": se, "t": t,
                         "p_val": 2 * stats.t.sf(np.abs(t), df),
                         "ci_low": est - tq * se, "ci_high": est + tq * se}, index=index)


def _linear(d: DriverData, o: PlateauOptions) -> tuple[np.ndarray, OLSFit, pd.DataFrame]:
    """(a) OLS of the outcome on the driver and covariates."""
    Xl = np.column_stack([np.ones(d.x.size), d.x, d.Z])
    lin = ols(Xl, d.y, o.cov_type)
    names = pd.Index(["intercept", d.driver, *d.covariates], name="term")
    return Xl, lin, _coef_table(lin.beta, np.sqrt(np.diag(lin.cov)), lin.df_resid, o.ci, names)


def _spline(d: DriverData, Xl: np.ndarray, lin: OLSFit, o: PlateauOptions) -> SplineTest:
    """(b) Restricted cubic spline and the F test that its nonlinear terms are zero."""
    n = d.x.size
    knots = harrell_knots(d.x, o.n_knots)
    B = rcs_basis(d.x, knots)
    aic_lin = n * np.log(lin.rss / n) + 2 * (Xl.shape[1] + 1)
    if B.shape[1] < 1:
        return SplineTest(knots=knots, aic_linear=aic_lin, wald_cov_type=o.cov_type)
    Xs = np.column_stack([Xl, B])
    sp = ols(Xs, d.y, o.cov_type)
    q = B.shape[1]
    f = ((lin.rss - sp.rss) / q) / (sp.rss / sp.df_resid)
    bnl = sp.beta[-q:]
    W = float(bnl @ np.linalg.solve(sp.cov[-q:, -q:], bnl))
    return SplineTest(knots=knots, f=float(f), df1=q, df2=sp.df_resid,
                      p_val=float(stats.f.sf(f, q, sp.df_resid)),
                      wald_p=float(stats.f.sf(W / q, q, sp.df_resid)), wald_cov_type=o.cov_type,
                      aic_spline=n * np.log(sp.rss / n) + 2 * (Xs.shape[1] + 1),
                      aic_linear=aic_lin, beta=sp.beta, cov=sp.cov)


def _slopes(seg: SegmentedFit, ci: float) -> pd.DataFrame:
    """Left and right slopes with CIs and p-values (``segmented::slope``)."""
    fit = seg.fit
    c_left = np.zeros(fit.beta.size)
    c_left[1] = 1
    c_right = c_left.copy()
    c_right[-1] = 1
    tq = stats.t.ppf(0.5 + ci / 2, seg.df_resid)
    rows = {}
    for lab, c in (("left", c_left), ("right", c_right)):
        est = float(c @ fit.beta)
        se = float(np.sqrt(c @ fit.cov @ c))
        rows[lab] = {"estimate": est, "se": se, "ci_low": est - tq * se, "ci_high": est + tq * se,
                     "p_val": float(2 * stats.t.sf(abs(est / se), fit.df_resid))}
    out = pd.DataFrame(rows).T
    out.index.name = "segment"
    return out


def _median_change(d: DriverData, Xl: np.ndarray, o: PlateauOptions) -> tuple[float, float]:
    """Slope change at a pre-specified breakpoint (the driver's median): the estimated
    breakpoint of a straight line drifts to the edges, where the change is poorly
    determined, so informativeness is judged here."""
    med = float(np.median(d.x))
    if np.sum(d.x > med) < 5:
        med = float(np.mean(d.x))
    hin = ols(np.column_stack([Xl, np.maximum(d.x - med, 0.0)]), d.y, o.cov_type)
    return float(hin.beta[-1]), float(np.sqrt(hin.cov[-1, -1]))


def _plateau_change(lin_slope: float, o: PlateauOptions) -> float:
    """The slope change that would bring the linear slope down to the sesoi."""
    if o.sesoi is None:
        return -(1 - o.sesoi_ratio) * max(lin_slope, 0.0)
    return -(max(lin_slope, 0.0) - o.sesoi)


def _breakpoint(d: DriverData, Xl: np.ndarray, seg: SegmentedFit, o: PlateauOptions,
                seed: int | None, boot: tuple[np.ndarray, np.ndarray] | None,
                lin_slope: float) -> Breakpoint:
    """(c) The breakpoint with its interval, the slope change, the scale mapping."""
    fit = seg.fit
    tq = stats.t.ppf(0.5 + o.ci / 2, seg.df_resid)
    bci = breakpoint_interval(d.x, d.y, d.Z, seg, psi=None, method=o.bp_ci, ci=o.ci,
                              n_boot=o.n_boot, seed=seed, boot=boot)
    chg, chg_se = float(fit.beta[-1]), float(np.sqrt(fit.cov[-1, -1]))
    lo, hi = seg.range
    tol = 1e-6 * max(1.0, hi - lo)
    scale = (np.nan, np.nan, np.nan)
    if d.to_scale is not None:  # the breakpoint and its interval in the items' scale points
        scale = tuple(float(v) for v in d.to_scale([seg.psi, bci.ci_low, bci.ci_high]))
    m_chg, m_se = _median_change(d, Xl, o)
    return Breakpoint(
        psi=seg.psi, psi_se=seg.psi_se, psi_ci_low=bci.ci_low, psi_ci_high=bci.ci_high,
        psi_ci_method=o.bp_ci, psi_ci_open=bci.open,
        psi_delta_ci_low=seg.psi - tq * seg.psi_se, psi_delta_ci_high=seg.psi + tq * seg.psi_se,
        slope_change=chg, slope_change_se=chg_se, slope_change_ci_low=chg - tq * chg_se,
        slope_change_ci_high=chg + tq * chg_se, df_resid=seg.df_resid, range=seg.range,
        psi_at_edge=bool(seg.psi - lo < tol or hi - seg.psi < tol), median_change=m_chg,
        median_change_se=m_se, plateau_change=_plateau_change(lin_slope, o),
        psi_scale=scale[0], psi_scale_ci_low=scale[1], psi_scale_ci_high=scale[2],
        beta=fit.beta)


def _evidence(*, davies_p: float, slopes: pd.DataFrame, bp: Breakpoint, spline: SplineTest,
              linear: pd.DataFrame, driver: str, p_tost: float, df: int,
              alpha: float) -> Evidence:
    t1 = stats.t.ppf(1 - alpha, df)
    left, right = slopes.loc["left"], slopes.loc["right"]
    lin = linear.loc[driver]
    # the lower bound of the slope change at the pre-specified median breakpoint (free of
    # the optimism of the searched breakpoint) decides "increasing" and informativeness
    m_low = bp.median_change - t1 * bp.median_change_se
    return Evidence(
        kink=davies_p < alpha,
        left_pos=left["estimate"] - t1 * left["se"] > 0,
        left_neg=left["estimate"] + t1 * left["se"] < 0,
        right_pos=right["estimate"] - t1 * right["se"] > 0,
        right_neg=right["estimate"] + t1 * right["se"] < 0,
        change_neg=bp.slope_change + t1 * bp.slope_change_se < 0,
        change_pos=m_low > 0,
        nonlinear=bool(np.isfinite(spline.p_val) and spline.p_val < alpha),
        linear_pos=lin["estimate"] - t1 * lin["se"] > 0,
        informative=bp.plateau_change < 0 and m_low > bp.plateau_change,
        equivalent=bool(p_tost < alpha), p_tost=p_tost)


def fit_plateau(d: DriverData, o: PlateauOptions, *, seed: int | None = None) -> PlateauResult:
    """The plateau test of one driver on checked arrays (``seed`` overrides ``o.seed``)."""
    _check_size(d)
    seed = o.seed if seed is None else seed
    n = d.x.size
    Xl, lin, linear = _linear(d, o)
    spline = _spline(d, Xl, lin, o)
    seg = segmented_fit(d.x, d.y, d.Z, cov_type=o.cov_type,
                        min_side=max(5, int(np.ceil(o.trim * n))))
    boot = None
    if o.bp_ci == "bootstrap" or o.equivalence == "bootstrap":
        lo, hi = seg.range
        boot = boot_segmented(d.x, d.y, Xl, lo, hi, o.n_boot, seed, seg.min_side)
    lin_slope = float(linear.loc[d.driver, "estimate"])
    bp = _breakpoint(d, Xl, seg, o, seed, boot, lin_slope)
    slopes = _slopes(seg, o.ci)
    dav = davies_test(d.x, d.y, d.Z if d.Z.shape[1] else None, k=10)
    kw = dict(sesoi=o.sesoi, sesoi_ratio=o.sesoi_ratio, alpha=o.alpha)
    eq = (delta_equivalence(seg.fit.beta, seg.fit.cov, seg.fit.df_resid, **kw)
          if o.equivalence == "delta" else
          bootstrap_equivalence(seg.fit.beta, seg.fit.cov, boot[1], n_boot=o.n_boot, **kw))
    ev = _evidence(davies_p=dav.p_val, slopes=slopes, bp=bp, spline=spline, linear=linear,
                   driver=d.driver, p_tost=eq.p_tost, df=seg.fit.df_resid, alpha=o.alpha)
    verdict, reason = decide(ev)
    need = n_needed(verdict, n, eq=eq, df=seg.fit.df_resid, alpha=o.alpha,
                    right=float(slopes.loc["right", "estimate"]),
                    right_se=float(slopes.loc["right", "se"]), median_change=bp.median_change,
                    median_change_se=bp.median_change_se, plateau_change=bp.plateau_change)
    y = d.y
    return PlateauResult(
        driver=d.driver, outcome=d.outcome, verdict=verdict, reason=reason, n=n,
        linear=linear, spline=spline, segmented=bp, slopes=slopes, davies=dav, equivalence=eq,
        n_needed=need, ci=o.ci, alpha=o.alpha, covariates=d.covariates,
        ceiling=Ceiling(max=float(y.max()), share_at_max=float(np.mean(y == y.max())),
                        min=float(y.min()), share_at_min=float(np.mean(y == y.min()))),
        design=PlateauData(x=d.x, y=d.y, Z=d.Z, covariates=d.covariates, cov_type=o.cov_type),
        concave=concave_fit(d.x, d.y, d.Z) if o.concave else None, scores=d.scores)
