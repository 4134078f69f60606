"""Moderation: does a ring's slope depend on the moment (simple slopes, Johnson-Neyman)?"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from .._design import clean_for
from .._kernels.results import ResultMixin, Summary
from .._kernels.validation import (
    check_bool,
    check_columns,
    check_int,
    check_numeric,
    check_probability,
)
from ..errors import InsufficientDataError, RingstatsError
from ..spec import RingSpec
from ._inputs import _covariate_frame, _fit_ols, _moderator, _resolve_drivers, _tcrit


# ----------------------------------------------------------------------------------------
# moderation
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ModerationResult(ResultMixin):
    """Result of :func:`moderation`.

    Attributes
    ----------
    outcome, moderator : str
    kind : {"binary", "continuous"}
        How the moderator entered the model.
    levels : tuple or None
        ``(reference, focal)`` for a binary moderator: the focal level is coded 1.
    drivers : tuple of str
    rings : dict or None
        Driver -> ring (1, 2, 3) when the drivers are ring or construct scores.
    coefficients : DataFrame
        Every model term: estimate, se, t, p_val, ci_low, ci_high (HC3).
    interactions : DataFrame
        One row per driver: the driver x moderator term with its CI, ``p_val`` and
        ``p_holm`` (Holm adjustment across the drivers).
    simple_slopes : DataFrame
        Slope of each driver at each moderator level (binary) or at mean - 1 SD, mean and
        mean + 1 SD (continuous): estimate, se, t, p_val, ci_low, ci_high.
    johnson_neyman : DataFrame or None
        Continuous moderator only: per driver the roots of the Johnson-Neyman quadratic
        (``jn_low``, ``jn_high``, on the moderator's own scale) and the significant region
        within the observed moderator range (text and ``share_significant``).
    slope_curve : DataFrame or None
        Continuous moderator only: conditional slope with pointwise CI on a grid over the
        observed moderator range (for :func:`~ringstats._plot_moments.plot_johnson_neyman`).
    params : Series
    cov : DataFrame
        Estimates and their HC3 covariance (for predictions).
    driver_stats : DataFrame
        Mean, SD, min and max of each driver (before centring).
    moderator_mean, moderator_sd : float
    centered : bool
    r2 : float
    n : int
    df_resid : float
    ci : float
    """

    outcome: str
    moderator: str
    kind: str
    levels: tuple | None
    drivers: tuple
    rings: dict | None
    coefficients: pd.DataFrame
    interactions: pd.DataFrame
    simple_slopes: pd.DataFrame
    johnson_neyman: pd.DataFrame | None
    slope_curve: pd.DataFrame | None
    params: pd.Series
    cov: pd.DataFrame
    driver_stats: pd.DataFrame
    moderator_mean: float
    moderator_sd: float
    centered: bool
    r2: float
    n: int
    df_resid: float
    ci: float

    def _mod_code(self, value: Any) -> float:
        """Moderator value on the model's scale."""
        if self.kind == "binary":
            if value in (0, 1) and value not in self.levels:
                return float(value)
            if value not in self.levels:
                raise RingstatsError(
                    f"`level` must be one of {{{', '.join(map(repr, self.levels))}}}; "
                    f"got {value!r}.")
            return float(self.levels.index(value))
        v = float(value)
        return v - self.moderator_mean if self.centered else v

    def predict_lines(self, driver: str, *, n_points: int = 50) -> pd.DataFrame:
        """Predicted outcome over the driver's observed range at each moderator level.

        Other drivers are held at their means and covariates at the model's reference
        (their mean contribution is folded into the intercept only when ``centered``).
        Returns columns ``level``, ``x`` (driver, original scale), ``estimate``, ``ci_low``,
        ``ci_high`` (pointwise, HC3).
        """
        if driver not in self.drivers:
            raise RingstatsError(
                f"`driver` must be one of {{{', '.join(map(repr, self.drivers))}}}; got {driver!r}.")
        n_points = check_int(n_points, "n_points", min_value=2)
        st = self.driver_stats.loc[driver]
        xs = np.linspace(st["min"], st["max"], n_points)
        xc = xs - st["mean"] if self.centered else xs
        if self.kind == "binary":
            levels = list(self.levels)
            codes = [0.0, 1.0]
        else:
            levels = ["mean - 1 SD", "mean", "mean + 1 SD"]
            mm = 0.0 if self.centered else self.moderator_mean
            codes = [mm - self.moderator_sd, mm, mm + self.moderator_sd]
        names = list(self.params.index)
        V = self.cov.to_numpy()
        b = self.params.to_numpy()
        tc = _tcrit(self.ci, self.df_resid)
        out = []
        for lev, m in zip(levels, codes, strict=True):
            L = np.zeros((n_points, len(names)))
            L[:, names.index("const")] = 1.0
            for d in self.drivers:
                if d != driver and not self.centered:
                    L[:, names.index(d)] = self.driver_stats.loc[d, "mean"]
                    L[:, names.index(_int_name(d, self))] = self.driver_stats.loc[d, "mean"] * m
            L[:, names.index(driver)] = xc
            L[:, names.index(self._mod_term)] = m
            L[:, names.index(_int_name(driver, self))] = xc * m
            est = L @ b
            se = np.sqrt(np.einsum("ij,jk,ik->i", L, V, L))
            out.append(pd.DataFrame({"level": lev, "x": xs, "estimate": est,
                                     "ci_low": est - tc * se, "ci_high": est + tc * se}))
        return pd.concat(out, ignore_index=True)

    @property
    def _mod_term(self) -> str:
        return _mod_name(self.moderator, self.kind, self.levels)

    def summary(self) -> Summary:
        lev = (f"{self.levels[1]!r} = 1, reference {self.levels[0]!r} = 0"
               if self.kind == "binary" else "continuous" + (", centred" if self.centered else ""))
        s = Summary(f"Moderation of {self.outcome} by {self.moderator} ({lev}); "
                    f"OLS, HC3 SEs, n = {self.n:,}, R² = {self.r2:.3f}")
        s.add_table(self.interactions, "Interaction terms (Holm across drivers)")
        s.add_table(self.simple_slopes, "Simple slopes")
        if self.johnson_neyman is not None:
            s.add_table(self.johnson_neyman, "Johnson-Neyman regions")
        s.add_note("An interaction is a difference between slopes in this sample's model; it is "
                   "an association, not a causal effect of the moment.")
        return s


def _mod_name(moderator: str, kind: str, levels: tuple | None) -> str:
    return f"{moderator}[{levels[1]}]" if kind == "binary" else moderator


def _int_name(driver: str, res: Any) -> str:
    return f"{driver}:{res._mod_term}"


def moderation(
    data: pd.DataFrame,
    *,
    outcome: str,
    moderator: str,
    drivers: Sequence[str] | str | None = None,
    spec: RingSpec | None = None,
    covariates: Sequence[str] | str | None = None,
    ci: float = 0.95,
    center: bool = True,
) -> ModerationResult:
    """Does the slope of each ring depend on the moderator (e.g. routine vs emotional moment)?

    Parameters
    ----------
    data : DataFrame
        One row per customer, cleaned by ``spec.validate``.
    outcome : str
        Numeric outcome column (e.g. ``"ltr"``).
    moderator : str
        A binary column (categorical, bool, strings or 0/1) or a continuous numeric column.
        For a binary moderator the *first* level is the reference (coded 0): the first
        category of a pandas Categorical (``moment``: ``"routine"``), ``False`` for bool,
        the smaller value for 0/1, otherwise the alphabetically first value.
    drivers : list of str, optional
        Driver columns; ``"ring1"``..``"ring3"`` (ring scores), construct names of ``spec``
        (construct mean scores) or numeric columns of ``data``. Default with ``spec``: the
        three ring scores.
    spec : RingSpec, optional
    covariates : list of str, optional
        Extra columns entered as main effects (categorical ones as dummies).
    ci : float, default 0.95
    center : bool, default True
        Mean-centre the drivers (and a continuous moderator) so that the main effects are
        slopes at the average; simple slopes and interaction tests do not change.

    Returns
    -------
    ModerationResult

    Notes
    -----
    The model is :math:`y = b_0 + \\sum_k b_k x_k + c\\,m + \\sum_k d_k x_k m + \\text{covariates}`,
    fitted by OLS with HC3 covariance (statsmodels ``cov_type="HC3"``; t reference with the
    residual df). The slope of driver *k* at moderator value *m* is :math:`b_k + d_k m` with
    variance :math:`V_{bb} + 2m V_{bd} + m^2 V_{dd}` (Aiken & West 1991, ch. 2). For a
    continuous moderator the Johnson-Neyman bounds solve
    :math:`(b_k + d_k m)^2 = t^2 (V_{bb} + 2m V_{bd} + m^2 V_{dd})`, a quadratic in *m*
    (Johnson & Neyman 1936; Bauer & Curran 2005, eqs. 8-10); regions are reported only within
    the observed moderator range. Holm (1979) adjusts the interaction p-values across drivers.
    With ring mean scores the slopes are attenuated by measurement error; so are their
    differences.

    References
    ----------
    Aiken, L. S. & West, S. G. (1991). *Multiple regression: testing and interpreting
    interactions*. Sage. Bauer, D. J. & Curran, P. J. (2005). Probing interactions in fixed and
    multilevel regression. *Multivariate Behavioral Research* 40(3), 373-400. Johnson, P. O. &
    Neyman, J. (1936). Tests of certain linear hypotheses and their application to some
    educational problems. *Statistical Research Memoirs* 1, 57-93.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=2000, seed=1)
    >>> d = w.spec.validate(w.customers)
    >>> res = moderation(d, outcome="ltr", moderator="moment", spec=w.spec)
    >>> res.levels
    ('routine', 'emotional')
    >>> list(res.interactions.index)
    ['ring1', 'ring2', 'ring3']
    """
    if not isinstance(outcome, str):
        raise RingstatsError(f"`outcome` must be a column name; got {outcome!r}.")
    data = clean_for(data, spec, outcome=outcome, linear="moderation")
    ci = check_probability(ci, "ci")
    center = check_bool(center, "center")
    check_columns(data, [outcome], "outcome")
    check_numeric(data, [outcome], "outcome")
    X, rings = _resolve_drivers(data, drivers, spec)
    if moderator in X.columns or moderator == outcome:
        raise RingstatsError(
            f"`moderator` must differ from the outcome and the drivers; got {moderator!r}.")
    kind, m, levels = _moderator(data, moderator)
    C = _covariate_frame(data, covariates)
    frame = pd.concat([data[outcome].astype(float).rename("__y"), X, m.rename("__m"), C], axis=1)
    frame = frame.dropna()
    if kind == "binary":
        counts = frame["__m"].value_counts()
        if len(counts) < 2:
            raise InsufficientDataError(
                f"`moderator` must have two levels among complete rows; only {levels[int(counts.index[0])]!r} "
                "is left after dropping missing values.")
    names = list(X.columns)
    n = len(frame)
    if n < 2 * len(names) + 3 + C.shape[1]:
        raise InsufficientDataError(
            f"`data` must have more complete rows than model terms; got {n} complete rows for "
            f"{2 * len(names) + 2 + C.shape[1]} terms.")
    dstats = pd.DataFrame({"mean": frame[names].mean(), "sd": frame[names].std(),
                           "min": frame[names].min(), "max": frame[names].max()})
    dstats.index.name = "driver"
    mmean = float(frame["__m"].mean())
    msd = float(frame["__m"].std())
    Xc = frame[names] - dstats["mean"] if center else frame[names]
    mc = frame["__m"] - mmean if (center and kind == "continuous") else frame["__m"]
    mod_term = _mod_name(moderator, kind, levels)
    design = pd.DataFrame({"const": 1.0}, index=frame.index)
    design = pd.concat([design, Xc, mc.rename(mod_term)], axis=1)
    for c in names:
        design[f"{c}:{mod_term}"] = Xc[c] * mc
    for c in C.columns:
        design[c] = frame[c]
    fit = _fit_ols(frame["__y"].to_numpy(), design)
    params = pd.Series(fit.beta, index=design.columns)
    V = pd.DataFrame(fit.cov, index=design.columns, columns=design.columns)
    df = float(fit.df_resid)
    tc = _tcrit(ci, df)
    se = np.sqrt(np.diag(V))
    tval = params.to_numpy() / se
    coef = pd.DataFrame({"estimate": params.to_numpy(), "se": se, "t": tval,
                         "p_val": 2 * stats.t.sf(np.abs(tval), df),
                         "ci_low": params.to_numpy() - tc * se,
                         "ci_high": params.to_numpy() + tc * se}, index=design.columns)
    coef.index.name = "term"
    inter = coef.loc[[f"{c}:{mod_term}" for c in names]].copy()
    inter.insert(0, "term", inter.index)
    inter.index = pd.Index(names, name="driver")
    inter["p_holm"] = multipletests(inter["p_val"].to_numpy(), method="holm")[1]
    if rings is not None:
        inter.insert(0, "ring", [rings[c] for c in names])

    # simple slopes
    if kind == "binary":
        points = [(levels[0], 0.0), (levels[1], 1.0)]
    else:
        base = 0.0 if center else mmean
        points = [("mean - 1 SD", base - msd), ("mean", base), ("mean + 1 SD", base + msd)]
    rows = []
    for c in names:
        ib = f"{c}:{mod_term}"
        for lab, mv in points:
            est = params[c] + params[ib] * mv
            var = V.loc[c, c] + 2 * mv * V.loc[c, ib] + mv * mv * V.loc[ib, ib]
            s_ = float(np.sqrt(var))
            rows.append({"driver": c, "level": lab,
                         "moderator_value": mv + (mmean if (center and kind == "continuous") else 0.0)
                         if kind == "continuous" else mv,
                         "estimate": est, "se": s_, "t": est / s_,
                         "p_val": 2 * stats.t.sf(abs(est / s_), df),
                         "ci_low": est - tc * s_, "ci_high": est + tc * s_})
    slopes = pd.DataFrame(rows).set_index(["driver", "level"])

    jn = curve = None
    if kind == "continuous":
        lo, hi = float(frame["__m"].min()), float(frame["__m"].max())
        shift = mmean if center else 0.0
        jrows, crows = [], []
        grid = np.linspace(lo, hi, 101)
        for c in names:
            ib = f"{c}:{mod_term}"
            b, d = params[c], params[ib]
            vbb, vbd, vdd = V.loc[c, c], V.loc[c, ib], V.loc[ib, ib]
            jrows.append({"driver": c, **_johnson_neyman(b, d, vbb, vbd, vdd, tc, lo - shift,
                                                          hi - shift, shift)})
            gm = grid - shift
            est = b + d * gm
            s_ = np.sqrt(vbb + 2 * gm * vbd + gm * gm * vdd)
            crows.append(pd.DataFrame({"driver": c, "moderator_value": grid, "estimate": est,
                                       "ci_low": est - tc * s_, "ci_high": est + tc * s_,
                                       "significant": np.abs(est / s_) > tc}))
        jn = pd.DataFrame(jrows).set_index("driver")
        curve = pd.concat(crows, ignore_index=True)

    return ModerationResult(
        outcome=outcome, moderator=moderator, kind=kind, levels=levels, drivers=tuple(names),
        rings=rings, coefficients=coef, interactions=inter, simple_slopes=slopes,
        johnson_neyman=jn, slope_curve=curve, params=params, cov=V, driver_stats=dstats,
        moderator_mean=mmean, moderator_sd=msd, centered=center, r2=float(fit.r2), n=n,
        df_resid=df, ci=ci)


def _johnson_neyman(b: float, d: float, vbb: float, vbd: float, vdd: float, tc: float,
                    lo: float, hi: float, shift: float) -> dict[str, Any]:
    """Roots of (b + d m)^2 - t^2 (vbb + 2 m vbd + m^2 vdd) = 0 and the significant part
    of [lo, hi] (all on the model's scale; reported shifted back by ``shift``)."""
    qa = d * d - tc * tc * vdd
    qb = 2 * (b * d - tc * tc * vbd)
    qc = b * b - tc * tc * vbb
    roots: list[float] = []
    if abs(qa) > 1e-14:
        disc = qb * qb - 4 * qa * qc
        if disc >= 0:
            r = np.sort([(-qb - np.sqrt(disc)) / (2 * qa), (-qb + np.sqrt(disc)) / (2 * qa)])
            roots = [float(r[0]), float(r[1])]
    elif abs(qb) > 1e-14:
        roots = [float(-qc / qb)]

    def sig(mv: float) -> bool:
        return qa * mv * mv + qb * mv + qc > 0

    cuts = [lo] + [r for r in roots if lo < r < hi] + [hi]
    regions = []
    total = 0.0
    for a, z in zip(cuts[:-1], cuts[1:], strict=True):
        if z > a and sig((a + z) / 2):
            regions.append(f"[{a + shift:.3g}, {z + shift:.3g}]")
            total += z - a
    return {"jn_low": roots[0] + shift if roots else np.nan,
            "jn_high": roots[-1] + shift if len(roots) > 1 else np.nan,
            "observed_min": lo + shift, "observed_max": hi + shift,
            "significant_region": " and ".join(regions) if regions else "none",
            "share_significant": total / (hi - lo) if hi > lo else np.nan}
