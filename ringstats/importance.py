"""Driver analysis: which constructs and which rings move the outcome.

Exact Shapley / LMG decomposition of R^2 (general dominance), dominance
designations, Johnson relative weights (for comparison only), standardised
regression with robust standard errors, and :func:`drivers`, the main entry:
construct- and ring-level importance with bootstrap confidence intervals,
pairwise ring differences and rank reproducibility, for a continuous, a
top-box (promoter) or an ordinal outcome.

The numerical core lives in :mod:`ringstats._kernels.shapley`: the R^2 of all
2**p subsets of predictors comes from one vectorised Schur-complement
recursion over the correlation matrix, so bootstrap replicates are batched;
:func:`shapley` streams the subsets in blocks (exact up to 26 drivers in flat
memory) and beyond that samples orderings in antithetic pairs with a Monte
Carlo standard error.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from ._design import resolve
from ._kernels import shapley as core
from ._kernels.bootstrap import (
    bca_interval,
    one_blas_thread,
    percentile_interval,
    run_replicates,
    spawn_seeds,
)
from ._kernels.dispatch import dispatch, is_moments
from ._kernels.linalg import damped_newton
from ._kernels.regression import logit
from ._kernels.results import ResultMixin, Summary, as_result
from ._kernels.validation import (
    check_bool,
    check_int,
    check_option,
    check_probability,
    check_seed,
)
from .errors import RingstatsError
from .spec import RING_LABELS, RingSpec

__all__ = [
    "regression",
    "shapley",
    "dominance",
    "relative_weights",
    "drivers",
    "RegressionResult",
    "DominanceResult",
    "DriverResult",
]

KINDS = ("continuous", "binary", "ordinal")
SHAPLEY_METHODS = ("auto", "exact", "sampled")
CI_METHODS = ("bca", "percentile")
#: Most drivers for the exact subset enumeration of a binary or ordinal model
#: (2**p model fits per estimate).
MAX_GLM_DRIVERS = 8
_BATCH = 100  # bootstrap replicates per job (fixed, so results do not depend on n_jobs)


# ----------------------------------------------------------------------------------------
# input preparation
# ----------------------------------------------------------------------------------------
@dataclass
class _Prepared:
    X: np.ndarray  # (n, p) drivers
    y: np.ndarray  # (n,) outcome on its own scale
    w: np.ndarray | None  # (n,) weights or None
    names: list[str]
    ring: dict[str, int] | None  # driver -> ring (construct drivers only)
    outcome: str
    n: int
    design: Any = None  # the resolved ringstats._design.Design


def _prepare(
    data: pd.DataFrame,
    *,
    outcome: str | None,
    drivers: Sequence[str] | None,
    spec: RingSpec | None,
    weights: Any,
    exact: bool = True,
    scores: str = "mean",
    kind: str | None = None,
    analysis: str = "driver importance",
    linear_only: bool = False,
) -> _Prepared:
    """Resolve the input through the one data path (:func:`ringstats._design.resolve`),
    then the checks of the decompositions: size, constant and collinear drivers."""
    d = resolve(data, spec=spec, outcome=outcome, drivers=drivers, scores=scores,
                weights=weights, kind=kind, analysis=analysis)
    if linear_only and d.kind == "binary":
        raise RingstatsError(
            f"`outcome` {d.outcome!r} is binary ({d.outcome_label}): this is a linear "
            "decomposition. Use `ringstats.drivers` or `ringstats.dominance` (logistic "
            "model), or declare the outcome continuous for a linear probability model."
        )
    names, X = d.names, d.X
    p = len(names)
    if exact and p > core.MAX_EXACT:
        raise RingstatsError(
            f"`drivers` has {p} variables; the exact decomposition handles at most {core.MAX_EXACT} "
            "(2**p subsets). Combine related drivers with `groups=` (group Shapley) or score "
            "them into constructs with `spec=`."
        )
    w = d.w
    sd = np.sqrt(np.diag(core.weighted_cov(X, w)))
    const = [names[j] for j in range(p) if not sd[j] > 1e-12 * max(1.0, np.abs(X[:, j]).max())]
    if const:
        raise RingstatsError(f"`drivers` must vary; constant in the complete rows: {', '.join(const)}.")
    corr = core.cov_to_corr(core.weighted_cov(X, w))
    if p > 1:
        ev = np.linalg.eigvalsh(corr)
        if ev[0] < 1e-10:
            raise RingstatsError(
                "`drivers` are perfectly collinear (singular correlation matrix, smallest "
                f"eigenvalue {ev[0]:.2e}); drop or combine redundant drivers."
            )
    return _Prepared(X, d.raw_y, w, names, d.rings, d.outcome, d.n, d)


def _corr_matrix(prep: _Prepared) -> np.ndarray:
    Z = np.column_stack([prep.X, prep.y])
    cov = core.weighted_cov(Z, prep.w)
    if not cov[-1, -1] > 0:
        raise RingstatsError(f"`outcome` {prep.outcome!r} must vary; it is constant.")
    return core.cov_to_corr(cov)


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
    import statsmodels.api as sm

    check_bool(standardize, "standardize")
    check_option(cov_type, "cov_type", ("HC3", "HC0", "HC1", "HC2", "nonrobust"))
    ci = check_probability(ci, "ci")
    prep = _prepare(data, outcome=outcome, drivers=drivers, spec=spec, weights=weights,
                    linear_only=True)
    X, y, w = prep.X, prep.y, prep.w
    if standardize:
        ww = np.ones(prep.n) if w is None else w
        mx = ww @ X / ww.sum()
        my = ww @ y / ww.sum()
        sx = np.sqrt(ww @ (X - mx) ** 2 / ww.sum())
        sy = np.sqrt(ww @ (y - my) ** 2 / ww.sum())
        X = (X - mx) / sx
        y = (y - my) / sy
    exog = sm.add_constant(X, has_constant="add")
    model = sm.OLS(y, exog) if w is None else sm.WLS(y, exog, weights=w)
    fit = model.fit(cov_type=cov_type)
    conf = np.asarray(fit.conf_int(alpha=1 - ci))
    corr = core.cov_to_corr(core.weighted_cov(prep.X, w))
    vif = np.diag(np.linalg.inv(corr)) if len(prep.names) > 1 else np.ones(1)
    coef = pd.DataFrame(
        {
            "estimate": fit.params[1:],
            "se": fit.bse[1:],
            "t": fit.tvalues[1:],
            "p_val": fit.pvalues[1:],
            "ci_low": conf[1:, 0],
            "ci_high": conf[1:, 1],
            "vif": vif,
        },
        index=pd.Index(prep.names, name="driver"),
    )
    if prep.ring is not None:
        coef.insert(0, "ring", [prep.ring[c] for c in prep.names])
    return RegressionResult(coef, float(fit.rsquared), float(fit.rsquared_adj), prep.n,
                            prep.outcome, standardize, cov_type)


# ----------------------------------------------------------------------------------------
# Shapley / LMG, dominance, relative weights
# ----------------------------------------------------------------------------------------
def _check_groups(groups: Any, names: list[str]) -> tuple[list[str], list[int]]:
    if not isinstance(groups, Mapping) or not groups:
        raise RingstatsError(
            f"`groups` must be a non-empty dict of group name -> list of drivers; got {groups!r}."
        )
    seen: dict[str, str] = {}
    masks = []
    for g, members in groups.items():
        if isinstance(members, str):
            members = [members]
        mask = 0
        for m in members:
            if m not in names:
                raise RingstatsError(f"`groups` entry {g!r} names {m!r}, which is not a driver.")
            if m in seen:
                raise RingstatsError(f"`groups`: driver {m!r} is in both {seen[m]!r} and {g!r}.")
            seen[m] = str(g)
            mask |= 1 << names.index(m)
        if mask == 0:
            raise RingstatsError(f"`groups` entry {g!r} is empty.")
        masks.append(mask)
    left = [m for m in names if m not in seen]
    if left:
        raise RingstatsError(f"`groups` must cover every driver; not in any group: {', '.join(left)}.")
    if len(masks) > 16:
        raise RingstatsError(f"`groups` must have at most 16 groups; got {len(masks)}.")
    return [str(g) for g in groups], masks


def _rank(values: np.ndarray) -> np.ndarray:
    """Rank 1 = largest (ties get the smaller rank by order of appearance)."""
    order = np.argsort(-values, kind="stable", axis=-1)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(1, values.shape[-1] + 1), axis=-1)
    return ranks


def _importance_frame(values: np.ndarray, r2: float, names: list[str], index_name: str,
                      ring: Mapping[str, int] | None = None) -> pd.DataFrame:
    out = pd.DataFrame(
        {"estimate": values, "share": values / r2 if r2 > 0 else np.nan, "rank": _rank(values)},
        index=pd.Index(names, name=index_name),
    )
    if ring is not None:
        out.insert(0, "ring", [ring[c] for c in names])
    return out


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


# ----------------------------------------------------------------------------------------
# binary and ordinal models: weighted maximum likelihood by Newton's method
# ----------------------------------------------------------------------------------------
def _logit_ll(y: np.ndarray, X: np.ndarray, w: np.ndarray, tol: float = 1e-10,
              max_iter: int = 100) -> float:
    """Weighted log-likelihood at the MLE of a logistic regression (intercept added;
    the fit is the regression kernel's :func:`~ringstats._kernels.regression.logit`)."""
    A = np.column_stack([np.ones(len(y)), X])
    beta = logit(A, y, w, tol=tol, max_iter=max_iter)
    eta = A @ beta
    return float(w @ (y * eta - np.logaddexp(0, eta)))


def _ordinal_ll(y: np.ndarray, X: np.ndarray, w: np.ndarray, K: int, tol: float = 1e-10,
                max_iter: int = 100) -> float:
    """Weighted log-likelihood at the MLE of a cumulative-logit (proportional odds) model.

    ``y`` holds category codes 0..K-1 (all present). Same model as statsmodels
    ``OrderedModel(distr="logit")``; Newton's method with analytic derivatives
    (the log-likelihood is concave in thresholds and slopes, Pratt 1981).
    """
    n, p = X.shape
    q = K - 1
    yi = y.astype(np.int64)
    top, bot = yi < q, yi > 0
    Ea = np.zeros((n, q))
    Ea[np.flatnonzero(top), yi[top]] = 1.0
    Ec = np.zeros((n, q))
    Ec[np.flatnonzero(bot), yi[bot] - 1] = 1.0
    A = np.column_stack([Ea, -X])
    C = np.column_stack([Ec, -X])
    cum = np.cumsum(np.bincount(yi, weights=w, minlength=K))[:-1] / w.sum()
    theta0 = np.log(cum / (1 - cum))
    par = np.concatenate([theta0, np.zeros(p)])

    def parts(par: np.ndarray):
        th = np.concatenate([[-np.inf], par[:q], [np.inf]])
        eta = X @ par[q:] if p else np.zeros(n)
        a, c = th[yi + 1] - eta, th[yi] - eta
        Fa, Fc = special.expit(a), special.expit(c)
        prob = Fa - Fc
        return a, c, Fa, Fc, prob

    def ll(par: np.ndarray) -> float:
        if q > 1 and np.any(np.diff(par[:q]) <= 0):
            return -np.inf
        *_, prob = parts(par)
        if np.any(prob <= 0):
            return -np.inf
        return float(w @ np.log(prob))

    def step(par: np.ndarray) -> np.ndarray:
        a, c, Fa, Fc, prob = parts(par)
        fa, fc = Fa * (1 - Fa), Fc * (1 - Fc)
        u, lo = fa / prob, fc / prob
        ga, gc = fa * (1 - 2 * Fa) / prob, fc * (1 - 2 * Fc) / prob
        g = A.T @ (w * u) - C.T @ (w * lo)
        haa, hcc, hac = ga - u**2, -gc - lo**2, u * lo
        H = (A * (w * haa)[:, None]).T @ A + (C * (w * hcc)[:, None]).T @ C
        M = (A * (w * hac)[:, None]).T @ C
        return -np.linalg.solve(H + M + M.T, g)

    _, cur = damped_newton(ll, step, par, tol=tol, max_iter=max_iter,
                           what="ordinal (cumulative logit) model")
    return cur


def _check_glm_size(kind: str, p: int) -> None:
    if p > MAX_GLM_DRIVERS:
        raise RingstatsError(
            f"kind={kind!r} fits 2**p models per estimate and accepts at most {MAX_GLM_DRIVERS} "
            f"constructs or drivers; got {p}. Use `spec.subset([...])` or kind='continuous'."
        )


def _glm_subset_r2(kind: str, X: np.ndarray, y: np.ndarray, w: np.ndarray, K: int,
                   sets: np.ndarray | None = None) -> np.ndarray:
    """McFadden pseudo-R^2 of the model on each predictor subset (bit masks)."""
    p = X.shape[1]
    if sets is None:
        sets = np.arange(2**p)
    if kind == "binary":
        ybar = w @ y / w.sum()
        ll0 = float(w.sum() * (ybar * np.log(ybar) + (1 - ybar) * np.log(1 - ybar)))
    else:
        pk = np.bincount(y.astype(np.int64), weights=w, minlength=K) / w.sum()
        ll0 = float(w.sum() * (pk[pk > 0] @ np.log(pk[pk > 0])))
    out = np.zeros(len(sets))
    for k, s in enumerate(sets):
        if s == 0:
            continue
        cols = [j for j in range(p) if s >> j & 1]
        Xs = X[:, cols]
        llk = _logit_ll(y, Xs, w) if kind == "binary" else _ordinal_ll(y, Xs, w, K)
        out[k] = 1.0 - llk / ll0
    return out


# ----------------------------------------------------------------------------------------
# drivers(): construct and ring importance with bootstrap inference
# ----------------------------------------------------------------------------------------
_PAIRS = ((3, 2), (3, 1), (2, 1))


@dataclass
class _Layout:
    p: int
    rings: list[int]  # rings present, ascending
    ring_sets: np.ndarray  # predictor mask of every coalition of rings (2**g,)
    pairs: list[tuple[int, int]]

    @property
    def size(self) -> int:
        return self.p + 2 * len(self.rings) + len(self.pairs) + 1


def _stats_from_r2(r2: np.ndarray, lay: _Layout) -> np.ndarray:
    """Statistic vector per row of all-subset (pseudo-)R^2 values, shape (B, 2**p):
    [construct LMG (p) | ring Shapley (g) | ring share (g) | share differences | R^2]."""
    lmg, _ = core.shapley_from_r2(r2, lay.p)
    full = r2[:, -1]
    ring_val = core.group_shapley(r2[:, lay.ring_sets], len(lay.rings))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = ring_val / full[:, None]
    pos = {r: i for i, r in enumerate(lay.rings)}
    diffs = [share[:, pos[a]] - share[:, pos[b]] for a, b in lay.pairs]
    cols = [lmg, ring_val, share] + ([np.column_stack(diffs)] if diffs else []) + [full[:, None]]
    return np.concatenate(cols, axis=1)


def _cont_r2(Z: np.ndarray, W: np.ndarray) -> np.ndarray:
    """All-subset R^2 for each row of frequency x survey weights ``W`` (B, n)."""
    sw = W.sum(axis=1)
    mu = W @ Z / sw[:, None]
    S2 = np.einsum("bn,ni,nj->bij", W, Z, Z, optimize=True) / sw[:, None, None]
    cov = S2 - mu[:, :, None] * mu[:, None, :]
    return core.all_subset_r2(core.cov_to_corr(cov))


def _batch_stats(kind: str, X: np.ndarray, y: np.ndarray, w: np.ndarray, K: int, lay: _Layout,
                 W: np.ndarray) -> np.ndarray:
    """Statistic vectors for a batch of row weightings ``W`` (B, n)."""
    if kind == "continuous":
        Z = np.column_stack([X, y])
        Z = Z - (w @ Z) / w.sum()
        p = lay.p
        peak = max(2 ** (k + 1) * (p - k) ** 2 for k in range(p))  # floats per matrix
        chunk = int(max(1, min(W.shape[0], 4_000_000 // peak)))
        out = []
        for s in range(0, W.shape[0], chunk):
            out.append(_stats_from_r2(_cont_r2(Z, W[s:s + chunk]), lay))
        return np.concatenate(out, axis=0)
    rows = []
    for b in range(W.shape[0]):
        keep = W[b] > 0
        yk = y[keep]
        if kind == "binary" and (yk.min() == yk.max()):
            rows.append(np.full(lay.size, np.nan))
            continue
        Kb = K
        if kind == "ordinal":
            present = np.unique(yk)
            yk = np.searchsorted(present, yk).astype(float)
            Kb = len(present)
        r2 = _glm_subset_r2(kind, X[keep], yk, W[b][keep], Kb)
        rows.append(_stats_from_r2(r2[None], lay)[0])
    return np.vstack(rows)


def _boot_job(kind, X, y, w, K, lay, seed_seq, size) -> np.ndarray:
    rng = np.random.default_rng(seed_seq)
    n = len(y)
    W = np.empty((size, n))
    for b in range(size):
        W[b] = np.bincount(rng.integers(0, n, n), minlength=n) * w
    return _batch_stats(kind, X, y, w, K, lay, W)


def _jackknife(kind, X, y, w, K, lay, n_groups: int, rng) -> np.ndarray:
    """Leave-one-out (or delete-a-group, ``n_groups`` < n) estimates for BCa acceleration."""
    n = len(y)
    if n_groups >= n:
        gid = np.arange(n)
        n_groups = n
    else:
        gid = rng.permutation(np.arange(n) % n_groups)
    out = []
    step = 200
    for s in range(0, n_groups, step):
        gs = np.arange(s, min(s + step, n_groups))
        W = np.repeat(w[None], len(gs), axis=0)
        W[gid[None, :] == gs[:, None]] = 0.0
        out.append(_batch_stats(kind, X, y, w, K, lay, W))
    return np.concatenate(out, axis=0)


def _ci(boot: np.ndarray, est: np.ndarray, jack: np.ndarray | None, ci: float,
        method: str) -> tuple[np.ndarray, np.ndarray]:
    """Percentile or BCa (Efron 1987) intervals, column-wise (the bootstrap kernel)."""
    return bca_interval(boot, est, jack if method == "bca" else None, ci)


@dataclass(frozen=True)
class DriverResult(ResultMixin):
    """Construct- and ring-level driver importance (see :func:`drivers`).

    Attributes
    ----------
    constructs : DataFrame
        Index construct: ring, estimate (Shapley contribution to the (pseudo-)R^2),
        ci_low, ci_high, share (estimate / R^2), rank, rank_repro (share of
        bootstrap replicates giving the same rank).
    rings : DataFrame
        Index ring (1, 2, 3): label, estimate (group Shapley value), share
        (estimate / R^2: share of explainable variance), ci_low, ci_high (for
        the share), rank, rank_repro.
    differences : DataFrame
        Index "ring3 - ring2", "ring3 - ring1", "ring2 - ring1": difference of
        ring shares with ci_low, ci_high.
    ranks : DataFrame
        Tidy: level ("construct"/"ring"), name, rank, rank_repro, rank_ci_low,
        rank_ci_high (bootstrap percentile interval of the rank).
    r2, r2_ci_low, r2_ci_high : float
        Fit of the full model: R^2 (continuous) or McFadden pseudo-R^2.
    measure, kind, outcome : str
    n, n_boot : int
    ci : float
    ci_method : str
    boot : DataFrame
        Bootstrap replicates of every statistic (columns named as in the tables).
    scores : str
        Scoring of the constructs ("mean" or "latent").
    """

    constructs: pd.DataFrame
    rings: pd.DataFrame
    differences: pd.DataFrame
    ranks: pd.DataFrame
    r2: float
    r2_ci_low: float
    r2_ci_high: float
    measure: str
    kind: str
    outcome: str
    n: int
    n_boot: int
    ci: float
    ci_method: str
    boot: pd.DataFrame
    scores: str = "mean"
    model: str = "linear model (OLS)"
    outcome_label: str = ""
    notes: tuple[str, ...] = ()

    def summary(self) -> Summary:
        pct = f"{100 * self.ci:g}%"
        s = Summary(
            f"Driver importance: {self.outcome} ({self.kind}: {self.model}; Shapley "
            f"decomposition of {self.measure})"
        )
        s.add_dict({self.measure: self.r2, f"{pct} CI low": self.r2_ci_low,
                    f"{pct} CI high": self.r2_ci_high, "n": self.n, "bootstrap replicates":
                    self.n_boot}, "Fit")
        s.add_table(self.constructs, "Constructs (estimate in units of the fit measure)")
        s.add_table(self.rings, "Rings (share of explained fit; CI for the share)")
        if len(self.differences):
            s.add_table(self.differences, "Differences in ring share")
        if self.n_boot:
            s.add_note(f"{pct} {self.ci_method.upper() if self.ci_method == 'bca' else 'percentile'}"
                       f" bootstrap intervals from {self.n_boot} replicates (rows resampled, "
                       "weights carried); rank_repro = share of replicates with the same rank.")
        else:
            s.add_note("n_boot = 0: point estimates only.")
        if self.scores == "latent":
            s.add_note("Constructs scored as latent-trait (EAP) scores of a one-factor "
                       "normal-ogive model; the measurement model is estimated once and the "
                       "bootstrap resamples the scores (two-step).")
        if self.outcome_label:
            s.add_note(f"Outcome modelled: {self.outcome_label}.")
        for note in self.notes:
            s.add_note(note)
        return s


def drivers(
    data: pd.DataFrame,
    *,
    spec: RingSpec,
    outcome: str | None = None,
    kind: str | None = None,
    weights: Any = None,
    scores: str = "mean",
    n_boot: int = 1000,
    ci: float = 0.95,
    ci_method: str = "bca",
    seed: int | None = None,
    n_jobs: int = 1,
    progress: bool | None = None,
) -> DriverResult:
    """Construct- and ring-level driver importance with bootstrap inference.

    Parameters
    ----------
    data : DataFrame
        Survey data cleaned with ``spec.validate``.
    spec : RingSpec
        Constructs are the drivers (scored as ``scores`` says); their rings form the
        ring-level groups.
    outcome : str, optional
        Outcome column; default ``spec.ltr``.
    kind : {"continuous", "binary", "ordinal"}, default "continuous"
        ``"continuous"``: linear model, Shapley decomposition of R^2 (LMG).
        ``"binary"``: logistic model of promoter (outcome >= 9 on the 0-10 scale,
        or the outcome itself when it is 0/1), decomposition of McFadden's
        pseudo-R^2. ``"ordinal"``: cumulative-logit model of the outcome
        categories (statsmodels ``OrderedModel(distr="logit")``'s model),
        decomposition of McFadden's pseudo-R^2. Binary and ordinal need
        2**p model fits per estimate, so they accept at most 8 constructs.
    weights : str or array-like, optional
        Survey weights (column or values): weighted covariance (continuous) or
        weighted likelihood (binary, ordinal); bootstrap replicates resample
        rows and carry their weights.
    scores : {"mean", "latent"}, default "mean"
        How constructs are scored. ``"mean"``: item means in scale points
        (:func:`ringstats.mean_scores`, the classic key-driver analysis).
        ``"latent"``: EAP scores of a one-factor normal-ogive model per construct
        (:func:`ringstats.latent_scores`), which undo the ceiling of skewed items; on the
        simulator they recover the ring order of the latent truth at smaller n (Notes).
    n_boot : int, default 1000
        Bootstrap replicates (0 = point estimates only).
    ci : float, default 0.95
    ci_method : {"bca", "percentile"}, default "bca"
        BCa intervals (Efron 1987) use a jackknife for the acceleration:
        leave-one-out up to 1,000 rows (continuous) or 25 rows (binary/ordinal),
        otherwise delete-a-group jackknife with that many random groups, which
        estimates the same acceleration.
    seed : int, optional
    n_jobs : int, default 1
        Parallel jobs (joblib) over batches of 100 replicates; results do not
        depend on ``n_jobs``.
    progress : bool, optional
        Progress bar (None: automatic).

    Returns
    -------
    DriverResult
        ``.constructs``, ``.rings``, ``.differences``, ``.ranks`` tidy tables and
        ``.summary()``.

    Notes
    -----
    Construct importance is the Shapley value of each construct in the
    (pseudo-)R^2 game (LMG; Lindeman, Merenda & Gold 1980; Grömping 2007).
    Ring importance is the Shapley value of each ring with its constructs
    entering together (three players; relaimpo's ``groups=``), reported as a
    share of the explained fit. Bootstrap intervals, differences and rank
    frequencies follow relaimpo's ``booteval.relimp`` (Grömping 2006).
    For binary and ordinal outcomes McFadden's pseudo-R^2,
    1 - logL(model)/logL(intercepts only), is decomposed: it is a proportional
    reduction in deviance, it never falls when a driver is added, and it is
    the measure Azen & Traxel (2009, *J. Educational and Behavioral
    Statistics* 34:319-347) found to behave best for dominance analysis
    in logistic regression (Nagelkerke's rescaling and Estrella's measure
    give similar orderings but no additive deviance interpretation). The same
    measure for both kinds keeps binary and ordinal results comparable.

    *Construct scores and recovery.* Mean scores of skewed items pile up in the top
    categories and hide part of an effect that lies at high trait values; EAP scores
    (``scores="latent"``) undo that ceiling. On the simulator's ``base`` world
    (``benchmarks/results/recovery_drivers.md``, 100 seeds per n) the population shares of
    the ring latents in LTR are .289/.343/.368; the point estimates reproduce the order
    1 < 2 < 3 in 56%, 77%, 87% and 95% of samples of 2,000, 5,000, 10,000 and 20,000
    customers with latent scores (45%, 71%, 70% and 87% with mean scores), and the 95% BCa
    intervals of the shares and their differences cover the truth in 92-97% at n = 5,000.
    Rings 2 and 3 differ by .025 there, so a sample of a few thousand can rank them only
    by chance; read the interval of the difference, not the ranks. The measurement model
    of ``scores="latent"`` is fitted once, unweighted; the weights and the bootstrap act
    on the driver regression given the scores (two-step).

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=500, seed=1)
    >>> res = drivers(w.spec.validate(w.customers), spec=w.spec, n_boot=50, seed=1)
    >>> list(res.rings.index)
    [1, 2, 3]
    """
    if is_moments(data):
        return dispatch("drivers", data, spec=spec, outcome=outcome, kind=kind, weights=weights,
                        scores=scores, n_boot=n_boot, ci=ci, ci_method=ci_method, seed=seed,
                        n_jobs=n_jobs, progress=progress)
    if not isinstance(spec, RingSpec):
        raise RingstatsError(f"`spec` must be a RingSpec; got {type(spec).__name__}.")
    if kind is not None:
        check_option(kind, "kind", KINDS)
    n_boot = check_int(n_boot, "n_boot", min_value=0)
    ci = check_probability(ci, "ci")
    check_option(ci_method, "ci_method", CI_METHODS)
    seed = check_seed(seed)
    n_jobs = check_int(n_jobs, "n_jobs", min_value=-1)
    if n_jobs == 0:
        raise RingstatsError("`n_jobs` must be a positive integer or -1; got 0.")
    prep = _prepare(data, outcome=outcome, drivers=None, spec=spec, weights=weights,
                    scores=scores, kind=kind)
    kind = prep.design.kind
    p = len(prep.names)
    if kind != "continuous":
        _check_glm_size(kind, p)
    y, K = prep.design.y, prep.design.K
    X = prep.X
    w = np.ones(prep.n) if prep.w is None else prep.w
    lay = _driver_layout(prep.names, prep.ring)
    if kind == "continuous":
        _corr_matrix(prep)  # checks the outcome varies
    est = _batch_stats(kind, X, y, w, K, lay, w[None])[0]

    ss = np.random.SeedSequence(seed)
    boot = np.empty((0, lay.size))
    jack = None
    if n_boot:
        sizes = [min(_BATCH, n_boot - s) for s in range(0, n_boot, _BATCH)]
        children = spawn_seeds(ss, len(sizes) + 1)
        args = [(kind, X, y, w, K, lay, children[i], sizes[i]) for i in range(len(sizes))]
        parts = run_replicates(_boot_job, args, n_jobs=n_jobs, progress=progress,
                               desc="bootstrap")
        boot = np.concatenate(parts, axis=0)
        if ci_method == "bca":
            n_groups = 1000 if kind == "continuous" else 25
            with one_blas_thread():
                jack = _jackknife(kind, X, y, w, K, lay, min(n_groups, prep.n),
                                  np.random.default_rng(children[-1]))
        lo, hi = _ci(boot, est, jack, ci, ci_method)
    else:
        lo = hi = np.full(lay.size, np.nan)
    return _driver_result(prep.names, prep.ring, lay, est, boot, lo, hi, n_boot=n_boot, ci=ci,
                          ci_method=ci_method, kind=kind, outcome=prep.outcome, n=prep.n,
                          scores=scores, model=prep.design.model,
                          outcome_label=prep.design.outcome_label, notes=prep.design.notes)


def _driver_layout(names: list[str], ring: dict[str, int]) -> _Layout:
    p = len(names)
    rings = sorted({ring[c] for c in names})
    masks = [sum(1 << j for j, c in enumerate(names) if ring[c] == r) for r in rings]
    return _Layout(p, rings, core.group_masks_to_sets(masks),
                   [(a, b) for a, b in _PAIRS if a in rings and b in rings])


def _driver_result(names: list[str], ring: dict[str, int], lay: _Layout, est: np.ndarray,
                   boot: np.ndarray, lo: np.ndarray, hi: np.ndarray, *, n_boot: int, ci: float,
                   ci_method: str, kind: str, outcome: str, n: int, scores: str,
                   model: Any, outcome_label: Any, notes: Any) -> DriverResult:
    """Tables of a driver analysis from its estimates and replicates (shared with the
    survey-moments path)."""
    p, rings = lay.p, lay.rings
    g = len(rings)
    i_lmg, i_rv, i_sh = slice(0, p), slice(p, p + g), slice(p + g, p + 2 * g)
    i_d = slice(p + 2 * g, p + 2 * g + len(lay.pairs))
    dnames = [f"ring{a} - ring{b}" for a, b in lay.pairs]
    r2 = float(est[-1])

    cons = pd.DataFrame(
        {"ring": [ring[c] for c in names], "estimate": est[i_lmg], "ci_low": lo[i_lmg],
         "ci_high": hi[i_lmg], "share": est[i_lmg] / r2, "rank": _rank(est[i_lmg])},
        index=pd.Index(names, name="construct"),
    )
    ring_tab = pd.DataFrame(
        {"label": [RING_LABELS.get(r, f"Ring {r}") for r in rings], "estimate": est[i_rv],
         "share": est[i_sh], "ci_low": lo[i_sh], "ci_high": hi[i_sh], "rank": _rank(est[i_sh])},
        index=pd.Index(rings, name="ring"),
    )
    diff = pd.DataFrame({"estimate": est[i_d], "ci_low": lo[i_d], "ci_high": hi[i_d]},
                        index=pd.Index(dnames, name="difference"))
    rank_rows = []
    for level, sl, labels, tab in (("construct", i_lmg, names, cons), ("ring", i_sh, rings, ring_tab)):
        r_hat = _rank(est[sl])
        if n_boot:
            bb = boot[:, sl]
            ok = np.isfinite(bb).all(axis=1)
            rb = _rank(bb[ok])
            repro = (rb == r_hat[None]).mean(axis=0)
            rlo, rhi = percentile_interval(rb, ci)
        else:
            repro = rlo = rhi = np.full(len(labels), np.nan)
        tab["rank_repro"] = repro
        for k, lab in enumerate(labels):
            rank_rows.append({"level": level, "name": str(lab) if level == "construct" else f"ring{lab}",
                              "rank": int(r_hat[k]), "rank_repro": float(repro[k]),
                              "rank_ci_low": float(rlo[k]), "rank_ci_high": float(rhi[k])})
    ranks = pd.DataFrame(rank_rows)
    boot_cols = (names + [f"ring{r}_value" for r in rings] + [f"ring{r}_share" for r in rings]
                 + dnames + ["r2"])
    return DriverResult(
        constructs=cons, rings=ring_tab, differences=diff, ranks=ranks, r2=r2,
        r2_ci_low=float(lo[-1]), r2_ci_high=float(hi[-1]),
        measure="R2" if kind == "continuous" else "McFadden pseudo-R2", kind=kind,
        outcome=outcome, n=n, n_boot=n_boot, ci=ci, ci_method=ci_method,
        boot=pd.DataFrame(boot, columns=boot_cols), scores=scores,
        model=model, outcome_label=outcome_label, notes=notes,
    )
