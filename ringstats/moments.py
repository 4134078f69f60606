"""Moments of truth: does the weight of a ring depend on the kind of contact?

Three tools for the claim that a minority of contacts -- emotional or complex moments
such as a lost card, a cancelled flight, a complaint -- decide loyalty:

* :func:`moderation` -- OLS with HC3 standard errors of an outcome on ring (or construct)
  scores, a moderator and their products; interaction tests with a Holm adjustment across
  drivers, simple slopes (Aiken & West 1991) and, for a continuous moderator, the
  Johnson-Neyman region of significance (Johnson & Neyman 1936; Bauer & Curran 2005).
* :func:`moment_share` -- how much of the ring-driven variation in loyalty sits in the
  emotional moments, next to their share of contacts, with a bootstrap interval.
* :func:`recovery_paradox` -- outcome after no failure, a recovered failure and an
  unrecovered failure (McCollough, Berry & Yadav 2000; De Matos, Henrique & Rossi 2007).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.multitest import multipletests

from ._design import clean_for
from ._kernels.bootstrap import one_blas_thread, percentile_interval
from ._kernels.progress import progress_iter
from ._kernels.results import ResultMixin, Summary
from ._kernels.validation import (
    check_bool,
    check_columns,
    check_dataframe,
    check_int,
    check_numeric,
    check_option,
    check_probability,
    check_real,
    check_seed,
)
from .errors import InsufficientDataError, RingstatsError
from .measurement._scores import mean_scores, ring_scores
from .spec import RingSpec

__all__ = [
    "moderation",
    "moment_share",
    "recovery_paradox",
    "ModerationResult",
    "MomentShareResult",
    "RecoveryResult",
]

_RING_TOKENS = ("ring1", "ring2", "ring3")


# ----------------------------------------------------------------------------------------
# helpers
# ----------------------------------------------------------------------------------------
def _resolve_drivers(data: pd.DataFrame, drivers: Sequence[str] | str | None,
                     spec: RingSpec | None) -> tuple[pd.DataFrame, dict[str, int] | None]:
    """Driver columns (ring scores, construct scores or data columns) and their rings."""
    if spec is not None and not isinstance(spec, RingSpec):
        raise RingstatsError(f"`spec` must be a RingSpec or None; got {type(spec).__name__}.")
    if drivers is None:
        if spec is None:
            raise RingstatsError(
                "give `drivers` (a list of columns) or `spec` (a RingSpec); got neither.")
        X = ring_scores(data, spec=spec)
        return X, {c: int(c[-1]) for c in X.columns}
    if isinstance(drivers, str):
        drivers = [drivers]
    names = list(drivers)
    if not names:
        raise RingstatsError("`drivers` must name at least one driver; got an empty list.")
    if spec is not None and set(names) <= set(_RING_TOKENS) and not set(names) & set(data.columns):
        X = ring_scores(data, spec=spec)[names]
        return X, {c: int(c[-1]) for c in names}
    if spec is not None and set(names) <= set(spec.construct_names):
        X = mean_scores(data, spec=spec.subset(names))[names]
        return X, {c: spec.ring_of(c) for c in names}
    names = check_columns(data, names, "drivers")
    check_numeric(data, names, "drivers")
    return data[names].astype(float), None


def _moderator(data: pd.DataFrame, moderator: str) -> tuple[str, pd.Series, tuple | None]:
    """Return kind ('binary'/'continuous'), the numeric moderator and (reference, focal)."""
    if not isinstance(moderator, str):
        raise RingstatsError(f"`moderator` must be a column name; got {moderator!r}.")
    check_columns(data, [moderator], "moderator")
    col = data[moderator]
    if isinstance(col.dtype, pd.CategoricalDtype):
        levels = [c for c in col.cat.categories if (col == c).any()]
    elif pd.api.types.is_bool_dtype(col):
        levels = [v for v in (False, True) if (col == v).any()]
    elif pd.api.types.is_numeric_dtype(col):
        uniq = np.sort(col.dropna().unique())
        if len(uniq) > 2:
            return "continuous", col.astype(float), None
        levels = list(uniq)
    else:
        levels = sorted(col.dropna().unique(), key=str)
    if len(levels) < 2:
        raise InsufficientDataError(
            f"`moderator` must have two levels (or be continuous); column {moderator!r} has "
            f"{len(levels)} level(s): {', '.join(map(repr, levels))}.")
    if len(levels) > 2:
        raise RingstatsError(
            f"`moderator` must be binary or continuous; column {moderator!r} has {len(levels)} "
            f"levels: {', '.join(map(repr, levels[:6]))}. Recode it to two levels.")
    ref, focal = levels
    m = pd.Series(np.where(col.isna(), np.nan, (col == focal).astype(float)), index=data.index)
    return "binary", m, (ref, focal)


def _covariate_frame(data: pd.DataFrame, covariates: Sequence[str] | str | None) -> pd.DataFrame:
    if covariates is None:
        return pd.DataFrame(index=data.index)
    if isinstance(covariates, str):
        covariates = [covariates]
    cols = check_columns(data, list(covariates), "covariates")
    parts = []
    for c in cols:
        s = data[c]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            parts.append(s.astype(float).rename(c))
        else:
            dm = pd.get_dummies(s, prefix=c, drop_first=True, dtype=float)
            dm[s.isna().to_numpy()] = np.nan
            parts.append(dm)
    return pd.concat(parts, axis=1)


def _tcrit(ci: float, df: float) -> float:
    return float(stats.t.ppf(0.5 + ci / 2, df))


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


def _fit_ols(y: np.ndarray, X: pd.DataFrame) -> Any:
    rank = np.linalg.matrix_rank(X.to_numpy())
    if rank < X.shape[1]:
        raise RingstatsError(
            f"singular design: the {X.shape[1]} model terms ({', '.join(X.columns)}) have rank "
            f"{rank}; some drivers or covariates are constant or exact combinations of others.")
    return sm.OLS(y, X).fit(cov_type="HC3")


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
    params = pd.Series(fit.params, index=design.columns)
    V = pd.DataFrame(fit.cov_params(), index=design.columns, columns=design.columns)
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
        moderator_mean=mmean, moderator_sd=msd, centered=center, r2=float(fit.rsquared), n=n,
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


# ----------------------------------------------------------------------------------------
# moment share
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MomentShareResult(ResultMixin):
    """Result of :func:`moment_share`.

    Attributes
    ----------
    table : DataFrame
        Rows ``share`` (share of the ring-driven sum of squares that falls in the focal
        moments), ``baseline_share`` (the same with one common slope for all moments),
        ``contact_share`` (share of contacts), ``excess`` (share - baseline_share) and
        ``slope_ratio_sq`` (squared ratio of focal to reference slope, single ring only):
        estimate, ci_low, ci_high (percentile bootstrap).
    ring : int or str
    level : object
        The focal moment level.
    moderation : ModerationResult
        The model the contributions come from.
    boot : DataFrame
        Bootstrap replicates.
    n, n_boot : int
    ci : float
    """

    table: pd.DataFrame
    ring: Any
    level: Any
    moderation: ModerationResult
    boot: pd.DataFrame
    n: int
    n_boot: int
    ci: float

    def summary(self) -> Summary:
        s = Summary(f"Share of ring-{self.ring} driven loyalty variation in {self.level!r} "
                    f"moments (n = {self.n:,}, {self.n_boot} bootstrap replicates)")
        s.add_table(self.table)
        s.add_note("share = sum over focal-moment customers of the squared ring contribution "
                   "b(m)*(x - mean x), divided by the sum over all customers; compare with "
                   "baseline_share (same with one common slope) and contact_share.")
        return s


def _share_stats(y: np.ndarray, X: np.ndarray, m: np.ndarray, cols: list[int]) -> np.ndarray:
    """share, baseline, contact share, excess, slope ratio^2 for one (re)sample."""
    n, p = X.shape
    Xc = X - X.mean(axis=0)
    one = np.ones((n, 1))
    full = np.column_stack([one, Xc, m, Xc * m[:, None]])
    beta = np.linalg.lstsq(full, y, rcond=None)[0]
    b = beta[1:1 + p]
    d = beta[2 + p:2 + 2 * p]
    contrib = Xc[:, cols] * (b[cols] + np.outer(m, d[cols]))
    c = contrib.sum(axis=1)
    common = np.column_stack([one, Xc, m])
    bc = np.linalg.lstsq(common, y, rcond=None)[0][1:1 + p]
    c0 = Xc[:, cols] @ bc[cols]
    foc = m == 1
    share = (c[foc] ** 2).sum() / (c ** 2).sum()
    base = (c0[foc] ** 2).sum() / (c0 ** 2).sum()
    ratio = ((b[cols[0]] + d[cols[0]]) / b[cols[0]]) ** 2 if len(cols) == 1 else np.nan
    return np.array([share, base, foc.mean(), share - base, ratio])


_SHARE_ROWS = ["share", "baseline_share", "contact_share", "excess", "slope_ratio_sq"]


def moment_share(
    data: pd.DataFrame,
    *,
    spec: RingSpec,
    outcome: str | None = None,
    moment: str | None = None,
    ring: int | str = 3,
    level: Any = None,
    n_boot: int = 1000,
    seed: int | None = None,
    ci: float = 0.95,
    progress: bool | None = None,
) -> MomentShareResult:
    """Share of the ring-driven variation in loyalty that lies in the emotional moments.

    Parameters
    ----------
    data : DataFrame
        Customers, cleaned by ``spec.validate``.
    spec : RingSpec
        Ring scores are the drivers; ``spec.ltr`` and ``spec.moment`` are the defaults.
    outcome, moment : str, optional
        Outcome and binary moment columns (default ``spec.ltr``, ``spec.moment``).
    ring : {1, 2, 3, "all"}, default 3
        Whose contribution is decomposed; ``"all"`` sums the three ring contributions.
    level : optional
        The focal moment level (default: the non-reference level, e.g. ``"emotional"``).
    n_boot : int, default 1000
        Bootstrap replicates (customers resampled with replacement).
    seed : int, optional
    ci : float, default 0.95
    progress : bool, optional
        Progress bar (None: automatic).

    Returns
    -------
    MomentShareResult

    Notes
    -----
    **Definition.** Fit the moderation model of :func:`moderation` (all three ring scores,
    centred at the pooled mean, the moment and the ring x moment products; OLS). The ring-*r*
    contribution of customer *i* is :math:`c_i = \\hat\\beta_r(m_i)(x_{ri} - \\bar x_r)`: how
    far the model moves this customer's predicted loyalty away from the average because of
    ring *r*, with the slope of the customer's own moment. The **share** decided in focal
    moments is :math:`\\sum_{i \\in F} c_i^2 / \\sum_i c_i^2`, a sum-of-squares (variance)
    decomposition of the ring-driven part of predicted loyalty. Under *no* moderation the
    same quantity with one common slope, the **baseline share**, equals the focal moments'
    share of the ring's own spread, :math:`\\sum_F (x - \\bar x)^2 / \\sum (x - \\bar x)^2`,
    which is close to the **contact share** when the ring scores are distributed alike in
    both moments. The **excess** (share - baseline) is the part due to the moment changing
    the slope; for one ring, share/(1 - share) divided by baseline/(1 - baseline) equals
    :math:`(\\beta_F / \\beta_R)^2` exactly. Percentile bootstrap intervals resample customers.

    **Limits.** It is a model-based, descriptive split: linear within moment, attenuated by
    the measurement error of mean scores, blind to cross-terms between rings and to team
    clustering (the customer bootstrap ignores it), and it says where variation in predicted
    loyalty sits, not what would happen if emotional moments were handled better. A share
    of 0.5 with a contact share of 0.2 reads "20% of contacts carry half of the ring-3-driven
    loyalty differences" -- nothing more.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=2000, seed=1)
    >>> d = w.spec.validate(w.customers)
    >>> res = moment_share(d, spec=w.spec, n_boot=50, seed=1)
    >>> list(res.table.index)[:3]
    ['share', 'baseline_share', 'contact_share']
    """
    if not isinstance(spec, RingSpec):
        raise RingstatsError(f"`spec` must be a RingSpec; got {type(spec).__name__}.")
    data = clean_for(data, spec, outcome=outcome or spec.ltr, linear="moment_share")
    ring = check_option(ring, "ring", (1, 2, 3, "all"))
    n_boot = check_int(n_boot, "n_boot", min_value=1)
    seed = check_seed(seed)
    ci = check_probability(ci, "ci")
    if outcome is None:
        if spec.ltr is None:
            raise RingstatsError("`outcome` must be a column name (the spec names no LTR); got None.")
        outcome = spec.ltr
    if moment is None:
        if spec.moment is None:
            raise RingstatsError("`moment` must be a column name (the spec names no moment); got None.")
        moment = spec.moment
    res = moderation(data, outcome=outcome, moderator=moment, spec=spec, ci=ci)
    if res.kind != "binary":
        raise RingstatsError(f"`moment` must be a binary column; {moment!r} is continuous.")
    focal = res.levels[1] if level is None else check_option(level, "level", res.levels)
    X = ring_scores(data, spec=spec)
    frame = pd.concat([data[outcome].astype(float).rename("__y"), X,
                       (data[moment] == focal).astype(float).where(data[moment].notna())
                       .rename("__m")], axis=1).dropna()
    y = frame["__y"].to_numpy()
    Xa = frame[list(X.columns)].to_numpy()
    m = frame["__m"].to_numpy()
    cols = [0, 1, 2] if ring == "all" else [list(X.columns).index(f"ring{ring}")]
    est = _share_stats(y, Xa, m, cols)
    rng = np.random.default_rng(seed)
    n = len(y)
    boot = np.empty((n_boot, len(_SHARE_ROWS)))
    with one_blas_thread():
        for b in progress_iter(range(n_boot), total=n_boot, desc="moment_share bootstrap",
                               enabled=progress):
            idx = rng.integers(0, n, n)
            boot[b] = _share_stats(y[idx], Xa[idx], m[idx], cols)
    lo, hi = percentile_interval(boot, ci)
    table = pd.DataFrame({"estimate": est, "ci_low": lo, "ci_high": hi},
                         index=pd.Index(_SHARE_ROWS, name="statistic"))
    if ring == "all":
        table = table.drop(index="slope_ratio_sq")
    return MomentShareResult(table=table, ring=ring, level=focal, moderation=res,
                             boot=pd.DataFrame(boot, columns=_SHARE_ROWS), n=n, n_boot=n_boot,
                             ci=ci)


# ----------------------------------------------------------------------------------------
# service failure and recovery
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RecoveryResult(ResultMixin):
    """Result of :func:`recovery_paradox`.

    Attributes
    ----------
    groups : DataFrame
        ``no_failure``, ``recovered``, ``not_recovered``: n, mean, sd, se, ci_low, ci_high.
    contrasts : DataFrame
        Welch differences ``recovered - no_failure`` (the paradox), ``recovered -
        not_recovered`` (value of recovery), ``not_recovered - no_failure`` (cost of an
        unrecovered failure): estimate, se, df, t, p_val, p_holm, ci_low, ci_high; with a
        ``margin`` also ``p_equivalence`` (TOST) for the paradox row.
    verdict : str
    outcome : str
    margin : float or None
    ci : float
    """

    groups: pd.DataFrame
    contrasts: pd.DataFrame
    verdict: str
    outcome: str
    margin: float | None
    ci: float

    def summary(self) -> Summary:
        s = Summary(f"Service failure and recovery: {self.outcome}")
        s.add_table(self.groups, "Group means")
        s.add_table(self.contrasts, "Contrasts (Welch; Holm across the three)")
        s.add_note(self.verdict)
        return s


def _binary01(data: pd.DataFrame, col: str, param: str) -> pd.Series:
    check_columns(data, [col], param)
    s = data[col]
    if pd.api.types.is_bool_dtype(s):
        return s.astype(float)
    if not pd.api.types.is_numeric_dtype(s):
        raise RingstatsError(f"`{param}` must name a 0/1 column; {col!r} has dtype {s.dtype}.")
    vals = set(pd.unique(s.dropna()))
    if not vals <= {0, 1}:
        raise RingstatsError(
            f"`{param}` must name a 0/1 column; {col!r} has values {sorted(vals)[:6]}.")
    return s.astype(float)


def recovery_paradox(
    data: pd.DataFrame,
    *,
    outcome: str,
    failure: str = "failure",
    recovered: str = "recovered",
    ci: float = 0.95,
    margin: float | None = None,
) -> RecoveryResult:
    """Compare the outcome after no failure, a recovered failure and an unrecovered failure.

    Parameters
    ----------
    data : DataFrame
    outcome : str
        Numeric outcome (e.g. ``"sat"`` or ``"ltr"``).
    failure, recovered : str
        0/1 columns; ``recovered`` may be 1 only where ``failure`` is 1.
    ci : float, default 0.95
    margin : float, optional
        Smallest difference that matters (outcome units). With it, the paradox contrast is
        also tested for equivalence (TOST, Lakens 2017), so "no difference" can be claimed
        rather than merely "not shown".

    Returns
    -------
    RecoveryResult

    Notes
    -----
    The *service recovery paradox* is the claim that customers whose failure was recovered
    end up more satisfied or loyal than customers without a failure (McCollough, Berry &
    Yadav 2000, who found little support for it). It is supported when the recovered group's
    mean is significantly *above* the no-failure mean. De Matos, Henrique & Rossi (2007)
    found it, in a meta-analysis, on satisfaction but not on repurchase intention, word of
    mouth or image. Differences are Welch t tests with Welch-Satterthwaite df; the three
    contrasts are Holm-adjusted. In survey data recovered customers are a selected group
    (who complains, which failures are fixable), so a difference is not the effect of
    recovering; only the simulated worlds assign recovery at random.

    References
    ----------
    McCollough, M. A., Berry, L. L. & Yadav, M. S. (2000). An empirical investigation of
    customer satisfaction after service failure and recovery. *Journal of Service Research*
    3(2), 121-137. De Matos, C. A., Henrique, J. L. & Rossi, C. A. V. (2007). Service
    recovery paradox: a meta-analysis. *Journal of Service Research* 10(1), 60-77.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=3000, seed=1)
    >>> res = recovery_paradox(w.customers, outcome="sat")
    >>> list(res.groups.index)
    ['no_failure', 'recovered', 'not_recovered']
    """
    check_dataframe(data)
    ci = check_probability(ci, "ci")
    if not isinstance(outcome, str):
        raise RingstatsError(f"`outcome` must be a column name; got {outcome!r}.")
    check_columns(data, [outcome], "outcome")
    check_numeric(data, [outcome], "outcome")
    if margin is not None:
        margin = check_real(margin, "margin", min_value=0, inclusive=False)
    f = _binary01(data, failure, "failure")
    r = _binary01(data, recovered, "recovered")
    bad = (r == 1) & (f == 0)
    if bad.any():
        raise RingstatsError(
            f"`recovered` must be 0 where `failure` is 0; {int(bad.sum())} row(s) have "
            f"{recovered}=1 and {failure}=0.")
    y = data[outcome].astype(float)
    ok = y.notna() & f.notna() & (r.notna() | (f == 0))
    groups = {"no_failure": y[ok & (f == 0)], "recovered": y[ok & (f == 1) & (r == 1)],
              "not_recovered": y[ok & (f == 1) & (r == 0)]}
    small = [k for k, v in groups.items() if len(v) < 2]
    if small:
        raise InsufficientDataError(
            f"`data` must have at least 2 customers in each group; too few in: {', '.join(small)} "
            f"(counts: {', '.join(f'{k}={len(v)}' for k, v in groups.items())}).")
    rows = []
    for k, v in groups.items():
        nn, mu, sd = len(v), float(v.mean()), float(v.std())
        se = sd / np.sqrt(nn)
        tc = _tcrit(ci, nn - 1)
        rows.append({"group": k, "n": nn, "mean": mu, "sd": sd, "se": se,
                     "ci_low": mu - tc * se, "ci_high": mu + tc * se})
    gt = pd.DataFrame(rows).set_index("group")
    crow = []
    for name, a, b in (("recovered - no_failure", "recovered", "no_failure"),
                       ("recovered - not_recovered", "recovered", "not_recovered"),
                       ("not_recovered - no_failure", "not_recovered", "no_failure")):
        va, vb = gt.loc[a, "se"] ** 2, gt.loc[b, "se"] ** 2
        est = gt.loc[a, "mean"] - gt.loc[b, "mean"]
        se = float(np.sqrt(va + vb))
        dfw = (va + vb) ** 2 / (va ** 2 / (gt.loc[a, "n"] - 1) + vb ** 2 / (gt.loc[b, "n"] - 1))
        t = est / se
        tc = _tcrit(ci, dfw)
        row = {"contrast": name, "estimate": est, "se": se, "df": dfw, "t": t,
               "p_val": 2 * stats.t.sf(abs(t), dfw), "ci_low": est - tc * se,
               "ci_high": est + tc * se}
        if margin is not None:
            p1 = stats.t.sf((est + margin) / se, dfw)
            p2 = stats.t.cdf((est - margin) / se, dfw)
            row["p_equivalence"] = max(p1, p2) if name == "recovered - no_failure" else np.nan
        crow.append(row)
    ct = pd.DataFrame(crow).set_index("contrast")
    ct.insert(ct.columns.get_loc("p_val") + 1, "p_holm",
              multipletests(ct["p_val"].to_numpy(), method="holm")[1])
    par = ct.loc["recovered - no_failure"]
    rec = ct.loc["recovered - not_recovered"]
    lev = f"{100 * ci:.0f}%"
    if par["p_holm"] < 1 - ci and par["estimate"] > 0:
        v = (f"Paradox supported on {outcome}: recovered customers score {par['estimate']:.2f} "
             f"above customers without a failure ({lev} CI {par['ci_low']:.2f} to "
             f"{par['ci_high']:.2f}).")
    elif par["p_holm"] < 1 - ci:
        v = (f"No paradox on {outcome}: recovered customers stay {-par['estimate']:.2f} below "
             f"customers without a failure ({lev} CI {par['ci_low']:.2f} to {par['ci_high']:.2f}); "
             "recovery does not fully undo the failure.")
    else:
        v = (f"No paradox shown on {outcome}: recovered vs no failure differ by "
             f"{par['estimate']:.2f} ({lev} CI {par['ci_low']:.2f} to {par['ci_high']:.2f}).")
        if margin is not None:
            v += (" Equivalent within the margin." if par["p_equivalence"] < 1 - ci
                  else " Equivalence within the margin is not shown either.")
        else:
            v += " Not significant is not 'equal': give `margin` for an equivalence test."
    if rec["p_holm"] < 1 - ci and rec["estimate"] > 0:
        v += f" Recovery pays: +{rec['estimate']:.2f} against an unrecovered failure."
    else:
        v += " Recovered and unrecovered failures are not clearly different."
    v += " Observational data: who gets recovered is not random."
    return RecoveryResult(groups=gt, contrasts=ct, verdict=v, outcome=outcome, margin=margin,
                          ci=ci)
