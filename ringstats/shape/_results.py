"""Typed results of the plateau test: :class:`PlateauResult`, :class:`PlateauTable` and the
frozen sub-results they hold (spline test, breakpoint, equivalence test, ceiling, the data
that were fitted). Plotting reads these public fields and methods only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from .._kernels.regression import rcs_basis
from .._kernels.results import ResultMixin, Summary
from ._record import Record
from ._segmented import ConcaveFit, DaviesTest

__all__ = ["PlateauResult", "PlateauTable", "SplineTest", "Breakpoint", "EquivalenceTest",
           "Ceiling", "PlateauData", "CEILING_WARN"]

#: Share of the outcome at its maximum above which summaries warn about a ceiling.
CEILING_WARN = 0.15


@dataclass(frozen=True)
class SplineTest(Record):
    """Restricted-cubic-spline fit and its nonlinearity test.

    ``f``, ``df1``, ``df2`` and ``p_val``: classical F test that the nonlinear terms are
    zero (``anova(linear, spline)`` in R; used by the verdict); ``wald_p``: the same
    hypothesis as a Wald F test with the ``wald_cov_type`` covariance; AICs of both fits;
    ``beta`` and ``cov``: coefficients ``[1, x, covariates, spline terms]`` and their
    covariance (None when the spline has no nonlinear term).
    """

    _title: ClassVar[str] = "Spline nonlinearity test"
    knots: np.ndarray
    f: float = np.nan
    df1: int = 0
    df2: float = np.nan
    p_val: float = np.nan
    wald_p: float = np.nan
    wald_cov_type: str = "HC3"
    aic_spline: float = np.nan
    aic_linear: float = np.nan
    beta: np.ndarray | None = field(default=None, repr=False)
    cov: np.ndarray | None = field(default=None, repr=False)


@dataclass(frozen=True)
class Breakpoint(Record):
    """The segmented fit behind a verdict: breakpoint, its intervals, the slope change.

    ``psi`` (breakpoint, driver units), ``psi_se`` (delta method), ``psi_ci_low`` /
    ``psi_ci_high`` (method ``psi_ci_method``; ``psi_ci_open`` flags a profile set reaching
    the edge of the candidate range), ``psi_delta_ci_low`` / ``psi_delta_ci_high``
    (R ``segmented``'s interval), ``slope_change`` with its se and CI, ``range`` (candidate
    range set by ``trim``), ``psi_at_edge`` (the breakpoint sits at its edge),
    ``psi_scale*`` (breakpoint and CI in the items' scale points for latent scores; NaN
    otherwise), ``median_change`` / ``median_change_se`` (slope change at the driver's
    median, for the "linear" rule) and ``plateau_change`` (the slope change that would
    bring the linear slope down to the sesoi); ``beta``: ``[1, x, covariates, hinge]``.
    """

    _title: ClassVar[str] = "Segmented fit"
    psi: float
    psi_se: float
    psi_ci_low: float
    psi_ci_high: float
    psi_ci_method: str
    psi_ci_open: bool
    psi_delta_ci_low: float
    psi_delta_ci_high: float
    slope_change: float
    slope_change_se: float
    slope_change_ci_low: float
    slope_change_ci_high: float
    df_resid: int
    range: tuple[float, float]
    psi_at_edge: bool
    median_change: float
    median_change_se: float
    plateau_change: float
    psi_scale: float = np.nan
    psi_scale_ci_low: float = np.nan
    psi_scale_ci_high: float = np.nan
    beta: np.ndarray | None = field(default=None, repr=False)


@dataclass(frozen=True)
class EquivalenceTest(Record):
    """Two one-sided tests (TOST) of the slope above the breakpoint against the sesoi.

    ``sesoi`` (absolute, outcome units per driver unit; with a relative bound
    ``sesoi_ratio`` times the left slope), ``method`` ("delta" or "bootstrap").
    Upper side, H0: right slope >= bound: ``contrast`` (right - bound at the estimated
    breakpoint) with its delta-method ``contrast_se``, ``contrast_bc`` (bootstrap
    bias-corrected), ``contrast_upper`` (upper one-sided 1 - alpha bound), ``p_val``.
    Lower side, H0: right slope <= -bound: ``lower_contrast`` (right + bound),
    ``lower_contrast_se``, ``p_lower``. ``p_tost``: the larger of the two; the slope is
    shown to lie within +/- sesoi when ``p_tost < alpha`` (Schuirmann 1987; Lakens 2017).
    ``n_boot_ok``: bootstrap replicates used.
    """

    _title: ClassVar[str] = "Equivalence test of the slope above the breakpoint"
    sesoi: float
    sesoi_ratio: float
    method: str
    contrast: float
    contrast_se: float
    contrast_bc: float
    contrast_upper: float
    p_val: float
    lower_contrast: float
    lower_contrast_se: float
    p_lower: float
    p_tost: float
    n_boot_ok: int


@dataclass(frozen=True)
class Ceiling(Record):
    """Share of the outcome at its maximum and minimum in the rows used."""

    _title: ClassVar[str] = "Outcome floor and ceiling"
    max: float
    share_at_max: float
    min: float
    share_at_min: float


@dataclass(frozen=True)
class PlateauData:
    """The complete cases a plateau test was fitted to.

    ``x`` (driver), ``y`` (outcome), ``Z`` (covariates, n x k), their names and the
    covariance type of the fit.
    """

    x: np.ndarray = field(repr=False)
    y: np.ndarray = field(repr=False)
    Z: np.ndarray = field(repr=False)
    covariates: tuple[str, ...] = ()
    cov_type: str = "HC3"


@dataclass(frozen=True)
class PlateauResult(ResultMixin):
    """Plateau test of one driver (:func:`ringstats.shape.plateau`).

    Attributes
    ----------
    driver, outcome : str
    verdict : str
        One of :data:`ringstats.shape.VERDICTS`.
    reason : str
        The rule that gave the verdict, in words.
    n : int
        Complete cases used.
    linear : pandas.DataFrame
        OLS coefficients of the linear fit (estimate, se (``cov_type``), t, p_val, ci_low,
        ci_high).
    spline : SplineTest
    segmented : Breakpoint
    slopes : pandas.DataFrame
        Rows ``left`` and ``right``: estimate, se, ci_low, ci_high, p_val (H0: slope 0).
    davies : DaviesTest
    equivalence : EquivalenceTest
    n_needed : float
        Approximate n at which the deciding interval would be narrow enough (see Notes
        of :func:`ringstats.shape.plateau`).
    ci, alpha : float
    covariates : tuple of str
    concave : ConcaveFit or None
        Monotone-concave fit when requested.
    scores : str or None
        How a spec's driver was scored ("latent" or "mean"); None for a data column.
    ceiling : Ceiling
    design : PlateauData
        The complete cases fitted (for :func:`ringstats.shape.marginal_effects` and plots).
    """

    driver: str
    outcome: str
    verdict: str
    reason: str
    n: int
    linear: pd.DataFrame
    spline: SplineTest
    segmented: Breakpoint
    slopes: pd.DataFrame
    davies: DaviesTest
    equivalence: EquivalenceTest
    n_needed: float
    ci: float
    alpha: float
    covariates: tuple
    ceiling: Ceiling
    design: PlateauData = field(repr=False)
    concave: ConcaveFit | None = None
    scores: str | None = None

    # numbers -------------------------------------------------------------------------
    def key_numbers(self) -> dict[str, Any]:
        """One flat row of the numbers behind the verdict."""
        s, g = self.slopes, self.segmented
        return {
            "verdict": self.verdict,
            "n": self.n,
            "breakpoint": g.psi,
            "bp_ci_low": g.psi_ci_low,
            "bp_ci_high": g.psi_ci_high,
            "bp_at_edge": bool(g.psi_at_edge),
            "bp_scale": g.psi_scale,
            "bp_scale_ci_low": g.psi_scale_ci_low,
            "bp_scale_ci_high": g.psi_scale_ci_high,
            "slope_left": s.loc["left", "estimate"],
            "slope_right": s.loc["right", "estimate"],
            "right_ci_low": s.loc["right", "ci_low"],
            "right_ci_high": s.loc["right", "ci_high"],
            "sesoi": self.equivalence.sesoi,
            "p_davies": self.davies.p_val,
            "p_nonlinear": self.spline.p_val,
            "p_equiv": self.equivalence.p_tost,
            "n_needed": self.n_needed,
            "share_at_max": self.ceiling.share_at_max,
        }

    def to_frame(self) -> pd.DataFrame:
        """One tidy row: driver, outcome and :meth:`key_numbers`."""
        return pd.DataFrame([{"driver": self.driver, "outcome": self.outcome,
                              **self.key_numbers()}])

    # curves for plots ------------------------------------------------------------------
    def _covariate_effects(self) -> np.ndarray:
        k = self.design.Z.shape[1]
        b = self.spline.beta
        if b is None:
            b = self.linear["estimate"].to_numpy()
        return np.asarray(b[2:2 + k], dtype=float)

    def points(self) -> pd.DataFrame:
        """The fitted cases: ``x``, ``y`` and ``y_adjusted``, the outcome minus the
        covariates' linear effects (spline fit) at their means, on the scale of the curves."""
        d = self.design
        y_adj = d.y - (d.Z - d.Z.mean(axis=0)) @ self._covariate_effects() if d.Z.shape[1] \
            else d.y.copy()
        return pd.DataFrame({"x": d.x, "y": d.y, "y_adjusted": y_adj})

    def _grid(self, grid: int) -> tuple[np.ndarray, np.ndarray]:
        d = self.design
        g = np.linspace(d.x.min(), d.x.max(), grid)
        zbar = d.Z.mean(axis=0) if d.Z.shape[1] else np.empty(0)
        return g, np.tile(zbar, (grid, 1))

    def spline_curve(self, grid: int = 100, ci: float | None = None) -> pd.DataFrame:
        """Fitted spline curve (covariates at their means) with a pointwise CI."""
        g, zb = self._grid(grid)
        b, V = self.spline.beta, self.spline.cov
        if b is None:
            b, V = self.linear["estimate"].to_numpy(), None
            G = np.column_stack([np.ones(grid), g, zb])
        else:
            G = np.column_stack([np.ones(grid), g, zb, rcs_basis(g, self.spline.knots)])
        est = G @ b
        se = np.sqrt(np.einsum("ij,jk,ik->i", G, V, G)) if V is not None else np.zeros(grid)
        zq = stats.norm.ppf(0.5 + (self.ci if ci is None else ci) / 2)
        return pd.DataFrame({"x": g, "estimate": est, "ci_low": est - zq * se,
                             "ci_high": est + zq * se})

    def segmented_curve(self, grid: int = 100) -> pd.DataFrame:
        """Fitted broken line (covariates at their means)."""
        g, zb = self._grid(grid)
        G = np.column_stack([np.ones(grid), g, zb, np.maximum(g - self.segmented.psi, 0)])
        return pd.DataFrame({"x": g, "estimate": G @ self.segmented.beta})

    # text ------------------------------------------------------------------------------
    def summary(self) -> Summary:
        g, eq = self.segmented, self.equivalence
        s = Summary(f"Plateau test: {self.outcome} on {self.driver} (n = {self.n:,})")
        s.add_dict({"verdict": self.verdict, "reason": self.reason,
                    "approx. n needed to decide": _fmt_n(self.n_needed),
                    f"share of {self.outcome} at its maximum":
                    f"{self.ceiling.share_at_max:.1%}"}, "Verdict")
        bp = {}
        if np.isfinite(g.psi_scale):
            bp = {"breakpoint in scale points": f"{g.psi_scale:.3f} "
                  f"[{g.psi_scale_ci_low:.3f}, {g.psi_scale_ci_high:.3f}]"}
        s.add_dict({"breakpoint": g.psi, **bp, "breakpoint se (delta)": g.psi_se,
                    f"breakpoint {self.ci:.0%} CI ({g.psi_ci_method})":
                    f"[{g.psi_ci_low:.3f}, {g.psi_ci_high:.3f}]",
                    "Davies p (k=10)": self.davies.p_val,
                    "spline nonlinearity p": self.spline.p_val,
                    "sesoi (per driver unit)": eq.sesoi,
                    "p (right slope < sesoi)": eq.p_val,
                    "p (right slope > -sesoi)": eq.p_lower,
                    "TOST p (|right slope| < sesoi)": eq.p_tost}, "Tests")
        s.add_table(self.slopes, "Slopes below (left) and above (right) the breakpoint")
        s.add_table(self.linear, "Linear fit (OLS)")
        if self.covariates:
            s.add_note(f"adjusted for: {', '.join(self.covariates)}")
        if self.scores == "latent":
            s.add_note("driver on the latent-trait metric (EAP scores, SD units); the breakpoint "
                       "is also given in scale points (expected score at the breakpoint).")
        if self.ceiling.share_at_max > CEILING_WARN:
            s.add_note(ceiling_note(self.outcome, self.ceiling.share_at_max))
        if g.psi_at_edge:
            s.add_note("the breakpoint sits at the edge of the candidate range (`trim`): the "
                       "best fit bends closer to the end of the data, so the slopes describe "
                       "the extreme tail against the rest, not a threshold.")
        if eq.method == "bootstrap":
            s.add_note(f"equivalence test: basic bootstrap over {eq.n_boot_ok} resamples, "
                       "breakpoint re-estimated in each (bias-corrected for the breakpoint "
                       "search).")
        return s


@dataclass(frozen=True)
class PlateauTable(ResultMixin):
    """Verdicts for every construct and ring of a spec (:func:`ringstats.shape.plateau_table`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per ring and construct (index ``name``): level, ring and
        :meth:`PlateauResult.key_numbers`.
    results : dict
        Name -> :class:`PlateauResult`.
    outcome : str
    notes : tuple of str
        Flags of the data, such as constructs that cannot be told apart (HTMT >= .90).
    """

    table: pd.DataFrame
    results: dict
    outcome: str
    notes: tuple[str, ...] = ()

    def __getitem__(self, key: str) -> PlateauResult:
        return self.results[key]

    def to_frame(self) -> pd.DataFrame:
        """The verdict table as a tidy frame (``name`` as a column)."""
        return self.table.reset_index()

    def summary(self) -> Summary:
        s = Summary(f"Plateau verdicts for {self.outcome} (n = {int(self.table['n'].max()):,})")
        cols = ["level", "ring", "verdict", "breakpoint", "bp_ci_low", "bp_ci_high",
                "slope_left", "slope_right", "right_ci_high", "sesoi", "p_davies",
                "p_nonlinear", "p_equiv"]
        s.add_table(self.table[cols], "Verdict per ring and construct")
        latent = any(r.scores == "latent" for r in self.results.values())
        if latent:
            s.add_table(self.table[["bp_scale", "bp_scale_ci_low", "bp_scale_ci_high"]],
                        "Breakpoint in scale points (expected score at the breakpoint)")
        s.add_table(self.table[["n", "n_needed"]].astype(float), "Sample size",
                    float_format="{:,.0f}")
        s.add_note("plateau: Davies kink test significant, left slope > 0 and the right slope "
                   "shown within +/- sesoi (TOST, p_equiv); decline: right slope significantly "
                   "negative (inverted U); dip: left slope significantly negative, right "
                   "significantly positive (U shape); covariates: the other rings' scores.")
        if latent:
            s.add_note("drivers on the latent-trait metric (EAP scores, SD units); slopes are "
                       "outcome units per SD of the trait.")
        top = float(self.table["share_at_max"].max())
        if top > CEILING_WARN:
            s.add_note(ceiling_note(self.outcome, top))
        for note in self.notes:
            s.add_note(note)
        edge = list(self.table.index[self.table["bp_at_edge"]])
        if edge:
            s.add_note(f"breakpoint at the edge of the candidate range (`trim`) for "
                       f"{', '.join(edge)}: the slopes contrast the extreme tail with the "
                       "rest.")
        return s


def ceiling_note(outcome: str, share: float) -> str:
    return (f"ceiling: {share:.0%} of {outcome} at its maximum; every curve flattens at the "
            "top when many answers cannot go higher, so a plateau here may be the scale's, "
            "not the driver's (see plateau Notes).")


def _fmt_n(v: float) -> str:
    if np.isnan(v):
        return "not a sample-size question (see the reason)"
    if not np.isfinite(v):
        return "not reachable (estimate on the wrong side)"
    return f"{v:,.0f}"
