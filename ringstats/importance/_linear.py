"""Regression, Shapley/LMG, dominance analysis and relative weights of a linear model."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._kernels import shapley as core
from .._kernels.dispatch import dispatch, is_moments
from .._kernels.regression import ols
from .._kernels.results import ResultMixin, Summary, as_result
from .._kernels.validation import (
    check_bool,
    check_int,
    check_option,
    check_probability,
    check_seed,
)
from ..errors import RingstatsError
from ..spec import RingSpec
from ._glm import _check_glm_size, _glm_subset_r2
from ._inputs import (
    KINDS,
    SHAPLEY_METHODS,
    _check_groups,
    _corr_matrix,
    _importance_frame,
    _prepare,
    _Prepared,
)


# ----------------------------------------------------------------------------------------
# regression
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RegressionResult(ResultMixin):
    """Linear driver regression (see :func:`regression`).

    Attributes
    ----------
    coefficients : DataFrame
        One row per driver: estimate, se, t, p_val, ci_low, ci_high, vif.
    r2, adj_r2 : float
    n : int
    outcome : str
    standardize : bool
    cov_type : str
    """

    coefficients: pd.DataFrame
    r2: float
    adj_r2: float
    n: int
    outcome: str
    standardize: bool
    cov_type: str

    def summary(self) -> Summary:
        kind = "standardised" if self.standardize else "raw"
        s = Summary(f"Driver regression of {self.outcome} ({kind} coefficients, {self.cov_type} SEs)")
        s.add_table(self.coefficients, "Coefficients")
        s.add_dict({"R2": self.r2, "adj. R2": self.adj_r2, "n": self.n}, "Fit")
        return s


def regression(
    data: pd.DataFrame,
    *,
    outcome: str | None = None,
    drivers: Sequence[str] | None = None,
    spec: RingSpec | None = None,
    weights: Any = None,
    standardize: bool = True,
    cov_type: str = "HC3",
    ci: float = 0.95,
) -> RegressionResult:
    """Linear regression of the outcome on the drivers with robust standard errors.

    Parameters
    ----------
    data : DataFrame
        Survey data (cleaned with ``spec.validate`` when a spec is used).
    outcome : str, optional
        Outcome column; defaults to ``spec.ltr``.
    drivers : list of str, optional
        Driver columns. When omitted, the construct mean scores of ``spec``
        (:func:`ringstats._scores.mean_scores`) are the drivers.
    spec : RingSpec, optional
    weights : str or array-like, optional
        Survey weights (column name or one value per row): weighted least
        squares, weighted means and SDs for the standardisation.
    standardize : bool, default True
        Standardise drivers and outcome (weighted z-scores) so the coefficients
        are standardised betas; otherwise raw coefficients (intercept dropped
        from the table).
    cov_type : {"HC3", "HC0", "HC1", "HC2", "nonrobust"}, default "HC3"
        Covariance of the estimates (statsmodels ``cov_type``); HC3 follows
        Long & Ervin (2000).
    ci : float, default 0.95

    Returns
    -------
    RegressionResult
        ``coefficients`` (estimate, se, t, p_val, ci_low, ci_high, vif), ``r2``,
        ``adj_r2``, ``n``.

    Notes
    -----
    Fitted with ``statsmodels.OLS`` / ``WLS``; VIF_j is the j-th diagonal
    element of the inverse (weighted) correlation matrix of the drivers.
    Rows with a missing driver, outcome or weight are dropped (listwise).

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=500, seed=1)
    >>> res = regression(w.spec.validate(w.customers), spec=w.spec)
    >>> list(res.coefficients.columns)[:3]
    ['ring', 'estimate', 'se']
    """
    if is_moments(data):
        return dispatch("regression", data, outcome=outcome, drivers=drivers, spec=spec,
                        weights=weights, standardize=standardize, cov_type=cov_type, ci=ci)
    check_bool(standardize, "standardize")
    check_option(cov_type, "cov_type", ("HC3", "HC0", "HC1", "HC2", "nonrobust"))
    ci = check_probability(ci, "ci")
    prep = _prepare(data, outcome=outcome, drivers=drivers, spec=spec, weights=weights,
                    linear_only=True)
    X, y, w = prep.X, prep.y, prep.w
    ww = np.ones(prep.n) if w is None else w
    if standardize:
        mx = ww @ X / ww.sum()
        my = ww @ y / ww.sum()
        sx = np.sqrt(ww @ (X - mx) ** 2 / ww.sum())
        sy = np.sqrt(ww @ (y - my) ** 2 / ww.sum())
        X = (X - mx) / sx
        y = (y - my) / sy
    # weighted least squares as OLS on the whitened data (sqrt(w) rows), the regression
    # kernel's QR fit and HC covariances (statsmodels WLS gives the same numbers)
    sw = np.sqrt(ww)
    exog = np.column_stack([np.ones(prep.n), X])
    fit = ols(exog * sw[:, None], y * sw, cov_type=cov_type)
    se = np.sqrt(np.diag(fit.cov))
    stat = fit.beta / se
    if cov_type == "nonrobust":  # t inference; HC covariances use the normal (statsmodels)
        dist = stats.t(fit.df_resid)
    else:
        dist = stats.norm()
    pval = 2 * dist.sf(np.abs(stat))
    half = dist.ppf(0.5 + ci / 2) * se
    conf = np.column_stack([fit.beta - half, fit.beta + half])
    ybar = ww @ y / ww.sum()
    r2 = 1.0 - fit.rss / float(ww @ (y - ybar) ** 2)
    r2_adj = 1.0 - (1.0 - r2) * (prep.n - 1) / fit.df_resid
    corr = core.cov_to_corr(core.weighted_cov(prep.X, w))
    vif = np.diag(np.linalg.inv(corr)) if len(prep.names) > 1 else np.ones(1)
    coef = pd.DataFrame(
        {
            "estimate": fit.beta[1:],
            "se": se[1:],
            "t": stat[1:],
            "p_val": pval[1:],
            "ci_low": conf[1:, 0],
            "ci_high": conf[1:, 1],
            "vif": vif,
        },
        index=pd.Index(prep.names, name="driver"),
    )
    if prep.ring is not None:
        coef.insert(0, "ring", [prep.ring[c] for c in prep.names])
    return RegressionResult(coef, float(r2), float(r2_adj), prep.n,
                            prep.outcome, standardize, cov_type)


def shapley(
    data: pd.DataFrame,
    *,
    outcome: str | None = None,
    drivers: Sequence[str] | None = None,
    spec: RingSpec | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    weights: Any = None,
    method: str = "auto",
    n_perm: int = 4000,
    seed: int | None = None,
) -> pd.DataFrame:
    """Shapley decomposition of R^2 (LMG; general dominance): exact, or sampled beyond 26.

    Parameters
    ----------
    data : DataFrame
    outcome : str, optional
        Outcome column (default ``spec.ltr``).
    drivers : list of str, optional
        Driver columns; default the construct mean scores of ``spec``.
    spec : RingSpec, optional
    groups : dict, optional
        Group name -> list of drivers (every driver in exactly one group):
        Shapley values of the groups as players (relaimpo ``groups=``).
    weights : str or array-like, optional
        Survey weights; R^2 of each subset from the weighted covariance matrix.
    method : {"auto", "exact", "sampled"}, default "auto"
        ``"exact"`` enumerates all 2**p subsets (at most 26 drivers); ``"sampled"``
        estimates the Shapley values from ``n_perm`` random orderings of the drivers in
        antithetic pairs, with a Monte Carlo standard error per driver; ``"auto"`` is exact
        up to 26 drivers and sampled beyond, with a note in ``.attrs["note"]``. Group
        (``groups=``) values are always exact.
    n_perm : int, default 4000
        Orderings for the sampled estimate (``n_perm / 2`` antithetic pairs).
    seed : int, optional
        Seed of the sampled estimate.

    Returns
    -------
    DataFrame
        Indexed by driver (or group): ``estimate`` (contribution to R^2),
        ``share`` (estimate / R^2), ``rank`` (1 = largest); ``ring`` first when
        the drivers are constructs of a spec; sampled estimates add ``mc_se``, their
        Monte Carlo standard error. ``estimate`` sums to the full R^2 (stored in
        ``.attrs["r2"]``); ``.attrs["method"]`` is ``"exact"`` or ``"sampled"``.

    Notes
    -----
    LMG_j = (1/p) sum_{k=0}^{p-1} mean_{size(S)=k, j not in S} [R^2(S+j) - R^2(S)]
    (Lindeman, Merenda & Gold 1980; Grömping 2007, *Am. Statistician* 61:139),
    the Shapley value of the R^2 game and Azen & Budescu's (2003) general
    dominance. Matches relaimpo ``calc.relimp(type="lmg")`` and pingouin
    ``linear_regression(relimp=True)``. All 2**p subset R^2 values come from a
    vectorised Schur-complement recursion on the correlation matrix, streamed in
    blocks and reduced with the Shapley weights as they come (26 drivers: 2**26
    subsets in a few hundred MB). The sampled estimate averages each driver's
    R^2 increment over random orderings paired with their reverses (antithetic
    sampling; Castro, Gomez & Tejada 2009; Mitchell et al. 2022); every ordering's
    increments sum to R^2, so the estimates do too.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=500, seed=1)
    >>> imp = shapley(w.spec.validate(w.customers), spec=w.spec)
    >>> bool(abs(imp["estimate"].sum() - imp.attrs["r2"]) < 1e-12)
    True
    """
    if is_moments(data):
        return dispatch("shapley", data, outcome=outcome, drivers=drivers, spec=spec,
                        groups=groups, weights=weights, method=method, n_perm=n_perm,
                        seed=seed)
    check_option(method, "method", SHAPLEY_METHODS)
    check_int(n_perm, "n_perm", min_value=2)
    check_seed(seed)
    prep = _prepare(data, outcome=outcome, drivers=drivers, spec=spec, weights=weights,
                    linear_only=True, exact=False)
    return _shapley_from_corr(_corr_matrix(prep), prep, groups, method, n_perm, seed)


def _shapley_from_corr(corr: np.ndarray, prep: Any, groups: Any, method: str, n_perm: int,
                       seed: int | None) -> pd.DataFrame:
    """Shapley table from the correlation matrix of [drivers, outcome] (shared with the
    survey-moments path; ``prep`` needs ``names``, ``ring``, ``outcome``, ``design.notes``)."""
    p = len(prep.names)
    if groups is None:
        out = _driver_shapley(corr, prep, method, n_perm, seed)
        notes = prep.design.notes + ((out.attrs["note"],) if out.attrs.get("note") else ())
        return as_result(out, f"Shapley decomposition of R2 (LMG): {prep.outcome}", notes)
    gnames, masks = _check_groups(groups, prep.names)
    g = len(masks)
    sets = core.group_masks_to_sets(masks)
    if p <= core.MAX_EXACT and p <= 16:
        v = core.all_subset_r2(corr)[sets]
    else:
        v = core.r2_of_sets(corr, [np.flatnonzero([(s >> j) & 1 for j in range(p)]) for s in sets])
    val = core.group_shapley(v, g)
    out = _importance_frame(val, float(v[-1]), gnames, "group")
    out.insert(0, "drivers", [", ".join(n for j, n in enumerate(prep.names) if m >> j & 1)
                              for m in masks])
    out.attrs["r2"] = float(v[-1])
    return as_result(out, f"Group Shapley decomposition of R2: {prep.outcome}", prep.design.notes)


def _driver_shapley(corr: np.ndarray, prep: _Prepared, method: str, n_perm: int,
                    seed: int | None) -> pd.DataFrame:
    """Driver-level Shapley values: exact (streamed LMG) or sampled (antithetic orderings)."""
    p = len(prep.names)
    limit = core.MAX_EXACT_LMG
    if method == "exact" and p > limit:
        raise RingstatsError(
            f"`drivers` has {p} variables; the exact decomposition handles at most {limit} "
            "(2**p subsets). Use method='sampled' (or 'auto'), combine related drivers with "
            "`groups=` (group Shapley) or score them into constructs with `spec=`."
        )
    note = None
    if method == "sampled" or (method == "auto" and p > limit):
        val, se = core.shapley_sampled(corr, n_perm, seed)
        r2 = float(np.sum(val))
        out = _importance_frame(val, r2, prep.names, "driver", prep.ring)
        out["mc_se"] = se
        n_used = 2 * max(2, -(-n_perm // 2))
        note = (f"Shapley values sampled from {n_used} orderings of the {p} drivers in "
                f"antithetic pairs (seed {seed}); `mc_se` is the Monte Carlo standard error"
                + (f"; exact enumeration stops at {limit} drivers." if method == "auto"
                   else "."))
        out.attrs.update(r2=r2, method="sampled", n_perm=n_used, note=note)
        return out
    lmg, r2 = core.lmg_exact(corr)
    out = _importance_frame(lmg, r2, prep.names, "driver", prep.ring)
    out.attrs.update(r2=r2, method="exact")
    return out


@dataclass(frozen=True)
class DominanceResult(ResultMixin):
    """Dominance analysis (see :func:`dominance`).

    Attributes
    ----------
    general : DataFrame
        Per driver: estimate (general dominance = LMG), share, rank.
    conditional : DataFrame
        Drivers x subset size k = 0..p-1: mean R^2 increase from adding the
        driver to subsets of k other drivers (Azen & Budescu 2003, Table 3).
    pairs : DataFrame
        One row per pair (driver_a, driver_b): ``complete``, ``conditional`` and
        ``general`` each name the dominating driver, or "undetermined".
    complete_matrix, conditional_matrix : DataFrame
        +1 when the row driver dominates the column driver, -1 the reverse, 0 not
        established.
    r2 : float
        Fit of the full model (R^2 or McFadden pseudo-R^2, see ``measure``).
    n : int
    measure : str
    """

    general: pd.DataFrame
    conditional: pd.DataFrame
    pairs: pd.DataFrame
    complete_matrix: pd.DataFrame
    conditional_matrix: pd.DataFrame
    r2: float
    n: int
    measure: str = "R2"

    def summary(self) -> Summary:
        s = Summary(f"Dominance analysis ({self.measure} = {self.r2:.4f}, n = {self.n})")
        s.add_table(self.general, "General dominance (= LMG / Shapley)")
        s.add_table(self.conditional, "Conditional dominance statistics by subset size")
        s.add_table(self.pairs, "Pairwise designations")
        return s


def dominance(
    data: pd.DataFrame,
    *,
    outcome: str | None = None,
    drivers: Sequence[str] | None = None,
    spec: RingSpec | None = None,
    kind: str | None = None,
    weights: Any = None,
) -> DominanceResult:
    """Dominance analysis: general, conditional and complete dominance.

    Parameters
    ----------
    data, outcome, drivers, spec, weights
        As in :func:`shapley`.
    kind : {"continuous", "binary", "ordinal"}, default "continuous"
        Outcome model and fit measure: R^2 of a linear model, or McFadden's
        pseudo-R^2 of a logistic model of promoter (outcome >= 9, or a 0/1
        outcome) or of a cumulative-logit model of the outcome categories, as
        in :func:`drivers` (at most 8 drivers for these two; Azen & Traxel 2009).

    Returns
    -------
    DominanceResult

    Notes
    -----
    Budescu (1993); Azen & Budescu (2003), *Psychological Methods* 8:129-148.
    Driver i *completely* dominates j when it adds more R^2 than j to every
    subset of the other drivers (including the empty one); *conditionally*
    when its average added R^2 is larger at every subset size; *generally*
    when its overall average (LMG) is larger. Complete implies conditional
    implies general. Matches R ``dominanceanalysis::dominanceAnalysis`` and
    ``domir``. Ties within 1e-12 count as undetermined.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=500, seed=1)
    >>> dom = dominance(w.spec.validate(w.customers), spec=w.spec)
    >>> dom.conditional.shape
    (6, 6)
    """
    if kind is not None:
        check_option(kind, "kind", KINDS)
    prep = _prepare(data, outcome=outcome, drivers=drivers, spec=spec, weights=weights,
                    kind=kind, analysis="dominance analysis")
    kind = prep.design.kind
    p = len(prep.names)
    if kind == "continuous":
        r2 = core.all_subset_r2(_corr_matrix(prep))
    else:
        _check_glm_size(kind, p)
        y, K = prep.design.y, prep.design.K
        w = np.ones(prep.n) if prep.w is None else prep.w
        r2 = _glm_subset_r2(kind, prep.X, y, w, K)
    lmg, cond = core.shapley_from_r2(r2, p)
    names = prep.names
    general = _importance_frame(lmg, float(r2[-1]), names, "driver", prep.ring)
    conditional = pd.DataFrame(cond, index=pd.Index(names, name="driver"),
                               columns=pd.Index([f"k={k}" for k in range(p)], name="subset_size"))
    D_c = core.complete_dominance(r2, p)
    D_k = core.conditional_dominance(cond)
    rows = []
    for i, j in combinations(range(p), 2):
        def who(D: np.ndarray, i: int = i, j: int = j) -> str:
            return names[i] if D[i, j] == 1 else names[j] if D[i, j] == -1 else "undetermined"

        diff = lmg[i] - lmg[j]
        gen = names[i] if diff > 1e-12 else names[j] if diff < -1e-12 else "undetermined"
        rows.append({"driver_a": names[i], "driver_b": names[j], "complete": who(D_c),
                     "conditional": who(D_k), "general": gen})
    pairs = pd.DataFrame(rows, columns=["driver_a", "driver_b", "complete", "conditional", "general"])
    idx = pd.Index(names, name="driver")
    return DominanceResult(
        general, conditional, pairs,
        pd.DataFrame(D_c, index=idx, columns=names), pd.DataFrame(D_k, index=idx, columns=names),
        float(r2[-1]), prep.n, "R2" if kind == "continuous" else "McFadden pseudo-R2",
    )


def relative_weights(
    data: pd.DataFrame,
    *,
    outcome: str | None = None,
    drivers: Sequence[str] | None = None,
    spec: RingSpec | None = None,
    weights: Any = None,
) -> pd.DataFrame:
    """Johnson's (2000) relative weights -- for comparison with Shapley/LMG only.

    Parameters
    ----------
    data, outcome, drivers, spec, weights
        As in :func:`shapley`.

    Returns
    -------
    DataFrame
        Per driver: ``estimate`` (raw relative weight, sums to R^2), ``share``,
        ``rank``.

    Notes
    -----
    With R_xx = V L V', Lambda = V L^{1/2} V' (the correlations between the
    drivers and their closest orthogonal counterparts), beta* = Lambda^{-1} r_xy
    and epsilon_j = sum_k Lambda_jk^2 beta*_k^2 (Johnson 2000, *Multivariate
    Behavioral Research* 35:1-19). This is the default "relative importance"
    of several commercial survey tools.

    **Caution.** Tonidandel & LeBreton (2015, *J. Business and Psychology* 30:
    207-216) provide significance tests for it, but Thomas, Zumbo, Kwan &
    Schweitzer (2014, *Multivariate Behavioral Research* 49:329-338) show the
    method is theoretically flawed -- the orthogonal-proxy step distributes
    importance in ways not justified by the regression and can disagree with
    general dominance -- and recommend against using it. ringstats reports it
    only to compare with :func:`shapley`, whose values are the primary ones.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=500, seed=1)
    >>> rw = relative_weights(w.spec.validate(w.customers), spec=w.spec)
    >>> bool(abs(rw["share"].sum() - 1) < 1e-9)
    True
    """
    prep = _prepare(data, outcome=outcome, drivers=drivers, spec=spec, weights=weights,
                    linear_only=True)
    corr = _corr_matrix(prep)
    Rxx, rxy = corr[:-1, :-1], corr[:-1, -1]
    vals, vecs = np.linalg.eigh(Rxx)
    lam = vecs @ np.diag(np.sqrt(vals)) @ vecs.T
    beta_star = np.linalg.solve(lam, rxy)
    eps = (lam**2) @ (beta_star**2)
    r2 = float(rxy @ np.linalg.solve(Rxx, rxy))
    out = _importance_frame(eps, r2, prep.names, "driver", prep.ring)
    out.attrs["r2"] = r2
    return as_result(out, f"Relative weights (Johnson 2000): {prep.outcome}", prep.design.notes)
