"""Measurement analyses from survey moments: reliability, CFA, HTMT, polychoric, EFA.

Each function takes the same options as its in-memory namesake and hands the moments'
covariance, correlation or tables to the same estimator kernel, so the results are the
in-memory ones (to rounding) on the same rows. Listwise deletion from moments means
"rows complete on every construct item of the spec" (the complete-case block); when an
analysis asks for a subset of items on which more rows are complete, that cannot be
recovered from the moments and a clear error says so.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from .._kernels.dispatch import needs_rows
from .._kernels.validation import check_bool, check_int, check_option, check_probability
from ..errors import InsufficientDataError, RingstatsError, RingstatsWarning
from ..measurement._validity import htmt_items, htmt_membership
from ..spec import RingSpec, blocks_of
from ._moments import SurveyMoments

__all__ = ["reliability", "cfa", "htmt", "polychoric", "efa", "kmo", "bartlett"]



#: Public analyses this module runs from moments (registered by the package facade).
ANALYSES = ('cfa', 'reliability', 'htmt', 'polychoric', 'efa', 'kmo', 'bartlett')

def _index(m: SurveyMoments, items: list[str], where: str = "variables") -> np.ndarray:
    names = list(getattr(m.layout, where))
    missing = [i for i in items if i not in names]
    if missing:
        raise RingstatsError(
            f"`spec` names item(s) the moments do not hold: {', '.join(missing)}; summarize "
            "with a spec that includes them.")
    return np.array([names.index(i) for i in items], dtype=int)


def listwise_cov(m: SurveyMoments, items: list[str]) -> tuple[np.ndarray, np.ndarray, int]:
    """(mean, centred cross-products, n) of the rows complete on ``items``."""
    t = m.total()
    ix = _index(m, items, "items")
    for c, cix in enumerate(m.layout.construct_index):  # one construct: its own block
        if t.construct_blocks and sorted(cix) == sorted(ix):
            b = t.construct_blocks[c]
            pos = [cix.index(i) for i in ix]
            return b.mean[pos], b.cp[np.ix_(pos, pos)], int(b.n)
    n_cc = t.items.n
    if len(items) < len(m.layout.items):
        pv = _index(m, items)
        if not np.any(t.pairs.n[pv, pv] == n_cc):
            raise RingstatsError(
                "`nan_policy='listwise'` from moments uses the rows complete on every "
                f"construct item of the spec ({n_cc:,}), or on the items of one construct; on "
                f"the {len(items)} items asked for more rows are complete, and moments cannot "
                "single them out. Use "
                "nan_policy='pairwise', or summarize with a spec of just these constructs "
                "(`spec.subset([...])`).")
    return t.items.mean[ix], t.items.cp[np.ix_(ix, ix)], int(n_cc)


def _check_constant(m: SurveyMoments, items: list[str], ss: np.ndarray, nobs: np.ndarray,
                    name: str) -> None:
    for j, it in enumerate(items):
        if nobs[j] < 2 or not ss[j] > 0:
            raise InsufficientDataError(
                f"item `{it}` ({name}) is constant or has fewer than two answers in the "
                "moments; its variance is zero.")


# ------------------------------------------------------------------------------ CFA
def cfa(m: SurveyMoments, *, spec: Any, nan_policy: str = "listwise", std_lv: bool = False,
        information: str = "expected", ci: float = 0.95, estimator: str = "auto") -> Any:
    from ..measurement._cfa import _fit as C

    blocks = C._blocks_from(spec)
    check_option(estimator, "estimator", ("auto", "ML", "WLSMV"))
    if estimator == "WLSMV":
        raise needs_rows("cfa", "estimator='WLSMV' needs the asymptotic covariance of the "
                                "polychorics, which takes each row's answers to all items "
                                "(pairwise tables are not enough); use estimator='ML' with "
                                "moments (estimator='auto' is ML here)")
    check_option(nan_policy, "nan_policy", C._NAN_POLICIES)
    check_option(information, "information", C._INFORMATION)
    check_bool(std_lv, "std_lv")
    check_probability(ci, "ci")
    if nan_policy == "fiml":
        raise needs_rows("cfa", "nan_policy='fiml' sums each row's likelihood; use "
                                "'listwise' or 'pairwise' with moments")
    notes = C._check_blocks(blocks)
    st = C._Structure.build(blocks, std_lv)
    items = list(st.items)
    p = st.p
    t = m.total()
    pv = _index(m, items)
    _check_constant(m, items, np.diag(t.pairs.ss)[pv], np.diag(t.pairs.n)[pv], "cfa")
    if estimator == "auto" and nan_policy == "listwise" and _few_categories(m, items):
        notes.append("fitted by ML from survey moments: in memory estimator='auto' would fit "
                     "these items (at most 5 categories) as ordinal by WLSMV, which needs the "
                     "rows; the ML fit equals cfa(data, estimator='ML').")
    if nan_policy == "listwise":
        mean, cp, n = listwise_cov(m, items)
        if n <= p:
            raise InsufficientDataError(
                f"fewer complete rows ({n}) than items ({p}); a covariance-based CFA needs "
                "more rows than items. Use nan_policy='pairwise', or collect more data.")
        s = cp / n
    else:
        npair = t.pairs.n[np.ix_(pv, pv)]
        n = int(npair.min())
        if n <= p:
            raise InsufficientDataError(
                f"fewer pairwise-complete rows ({n}) than items ({p}); collect more data.")
        s = t.pairs.cp[np.ix_(pv, pv)] / npair
        mean = t.pairs.mean[pv, pv]
    return C._cfa_from_cov(st, s, mean, n, nan_policy, information, blocks, notes, ci)


def _few_categories(m: SurveyMoments, items: list[str]) -> bool:
    """Whether every item has at most 5 observed values (in memory, 'auto' means WLSMV)."""
    from ..measurement._wls._fit_ord import MAX_AUTO_CATEGORIES

    lay = m.layout
    for it in items:
        i = lay.items.index(it)
        if lay.tables:
            off = lay.item_offsets
            seen = int(np.count_nonzero(np.diag(m.total().tables)[off[i]:off[i + 1]]))
        else:
            seen = int(lay.item_levels[i])
        if seen > MAX_AUTO_CATEGORIES:
            return False
    return True


# ------------------------------------------------------------------------------ reliability
def reliability(m: SurveyMoments, *, spec: Any, ci: float = 0.95,
                nan_policy: str = "pairwise") -> Any:
    from ..measurement import _reliability as R

    blocks = blocks_of(spec)
    check_probability(ci, "ci")
    check_option(nan_policy, "nan_policy", R._NAN_POLICIES)
    t = m.total()
    cnames = list(m.layout.constructs)
    notes: list[str] = []
    rows, item_rows = [], []
    for name, its in blocks.items():
        k = len(its)
        row: dict[str, object] = {"construct": name}
        if isinstance(spec, RingSpec):
            row["ring"] = spec.ring_of(name)
        row["n_items"] = k
        pv = _index(m, its)
        if nan_policy == "listwise":
            mean, cp, n = listwise_cov(m, its)
            nobs = np.full(k, n)
            sd = np.sqrt(np.diag(cp) / (n - 1))
            c = cp / (n - 1)
        else:
            nobs = t.pairs.n[pv, pv]
            mean = t.pairs.mean[pv, pv]
            c = t.pairs.cov()[np.ix_(pv, pv)]
            sd = np.sqrt(np.diag(c))
            if name in cnames and list(m.layout.spec.construct(name).items) == list(its):
                n = int(t.answered[cnames.index(name)])
            elif k < 2:
                n = int(nobs[0])
            else:
                raise RingstatsError(
                    f"construct `{name}` is not a construct of the summarised spec; reliability "
                    "from moments needs the spec given to summarize (or a subset of it).")
        ss = np.diag(t.pairs.ss)[pv] if nan_policy == "pairwise" else np.diag(cp)
        if k < 2:
            _check_constant(m, its, ss, nobs, f"construct `{name}`")
            notes.append(f"construct `{name}` has one item: alpha, omega, CR and AVE are "
                         "undefined (NaN).")
            row.update(n=int(nobs[0]), alpha=np.nan, alpha_ci_low=np.nan,
                       alpha_ci_high=np.nan, std_alpha=np.nan, omega_total=np.nan)
            rows.append(row)
            item_rows.append({"item": its[0], "construct": name, "r_drop": np.nan,
                              "alpha_if_deleted": np.nan, "mean": float(mean[0]),
                              "sd": float(sd[0])})
            continue
        if n <= k:
            raise InsufficientDataError(
                f"construct `{name}` has {n} usable rows for {k} items; reliability needs "
                "more rows than items.")
        for j, it in enumerate(its):
            if nobs[j] < 2 or not ss[j] > 0:
                raise InsufficientDataError(
                    f"item `{it}` (construct `{name}`) is constant or has fewer than two "
                    "answers; its variance is zero and reliability is undefined. Drop or fix "
                    "the item.")
        if not np.all(np.isfinite(c)):
            raise InsufficientDataError(
                f"some items of construct `{name}` are never answered together; their "
                "covariance is undefined.")
        a = R._alpha_from_cov(c)
        lo, hi = R._feldt(a, n, k, ci)
        if k >= 3:
            om = R._omega_total(c)
        else:
            om = np.nan
            notes.append(f"construct `{name}` has two items: omega total (one-factor model) "
                         "and alpha-if-item-deleted are undefined (NaN).")
        row.update(n=n, alpha=a, alpha_ci_low=lo, alpha_ci_high=hi, std_alpha=R._std_alpha(c),
                   omega_total=om)
        rows.append(row)
        r_drop, a_drop = R._item_stats(c)
        for i, it in enumerate(its):
            item_rows.append({"item": it, "construct": name, "r_drop": r_drop[i],
                              "alpha_if_deleted": a_drop[i], "mean": float(mean[i]),
                              "sd": float(sd[i])})
    table = pd.DataFrame(rows).set_index("construct")
    items_df = pd.DataFrame(item_rows).set_index("item")
    cr, ave, lam = R._cr_ave(m, blocks, nan_policy, notes)
    table["cr"] = [cr.get(nm, np.nan) for nm in table.index]
    table["ave"] = [ave.get(nm, np.nan) for nm in table.index]
    table["sqrt_ave"] = np.sqrt(table["ave"])
    items_df["std_loading"] = [lam.get(it, np.nan) for it in items_df.index]
    for nt in notes:
        warnings.warn(nt, RingstatsWarning, stacklevel=3)
    return R.ReliabilityResult(table=table, items=items_df, ci=float(ci),
                               nan_policy=nan_policy, notes=tuple(notes))


# ------------------------------------------------------------------------------ HTMT
def htmt(m: SurveyMoments, *, spec: Any, version: int = 1, n_boot: int = 0, ci: float = 0.95,
         seed: int | None = None, nan_policy: str = "listwise", absolute: bool = True,
         progress: bool | None = None) -> Any:
    from ..measurement import _validity as V

    del seed, progress
    blocks = blocks_of(spec)
    version = check_option(version, "version", (1, 2))
    n_boot = check_int(n_boot, "n_boot", min_value=0)
    check_probability(ci, "ci")
    check_option(nan_policy, "nan_policy", V._NAN_POLICIES)
    check_bool(absolute, "absolute")
    if n_boot:
        raise needs_rows("htmt", "a bootstrap of HTMT, a non-linear statistic, resamples rows; "
                                 "use n_boot=0 with moments")
    names, items = htmt_items(blocks)
    t = m.total()
    pv = _index(m, items)
    if nan_policy == "listwise":
        _, cp, n = listwise_cov(m, items)
        ss, nobs = np.diag(cp), np.full(len(items), n)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = cp / np.sqrt(np.outer(ss, ss))
    else:
        n = t.rows
        ss, nobs = np.diag(t.pairs.ss)[pv], np.diag(t.pairs.n)[pv]
        r = t.pairs.corr()[np.ix_(pv, pv)]
    if n < 3:
        raise InsufficientDataError(f"HTMT needs at least 3 usable rows; got {n}.")
    for j, it in enumerate(items):
        if nobs[j] < 2 or not ss[j] > 0:
            raise InsufficientDataError(f"item `{it}` is constant (or nearly unanswered); its "
                                        "correlations are undefined.")
    memb, notes = htmt_membership(blocks, names, items)
    offd = r[~np.eye(len(items), dtype=bool)]
    if version == 2 and np.any((np.abs(offd) if absolute else offd) <= 0):
        notes.append("HTMT2 needs positive correlations (geometric means); some are zero or "
                     "negative, so some values are NaN. Consider absolute=True.")
    est = V._htmt_from_corr(r[None], memb, version, absolute)[0]
    k = len(names)
    ia, ib = np.triu_indices(k, 1)
    vals = est[ia, ib]
    pairs = pd.DataFrame({
        "construct_a": [names[i] for i in ia], "construct_b": [names[j] for j in ib],
        "htmt": vals, "ci_low": np.full(ia.size, np.nan), "ci_high": np.full(ia.size, np.nan),
        "above_085": vals > 0.85, "above_090": vals > 0.90,
    })
    if isinstance(spec, RingSpec):
        pairs.insert(2, "ring_a", [spec.ring_of(names[i]) for i in ia])
        pairs.insert(3, "ring_b", [spec.ring_of(names[j]) for j in ib])
    for nt in notes:
        warnings.warn(nt, RingstatsWarning, stacklevel=3)
    return V.HTMTResult(matrix=pd.DataFrame(est, index=names, columns=names), pairs=pairs,
                        version=int(version), n=int(n), n_boot=0, ci=float(ci),
                        boot_failed=0, notes=tuple(notes))


# ------------------------------------------------------------------------------ polychoric
def _item_cols(m: SurveyMoments, items: Any, spec: Any) -> list[str]:
    if items is not None and spec is not None:
        raise RingstatsError("give either `items` or `spec`, not both; got both.")
    if items is not None:
        cols = [items] if isinstance(items, str) else list(items)
    elif spec is not None:
        cols = [i for its in blocks_of(spec).values() for i in its]
    else:
        cols = list(m.layout.items)
    _index(m, cols, "items")
    return cols


def polychoric(m: SurveyMoments, *, items: Any = None, spec: Any = None, correct: float = 0.5,
               smooth: bool = True, nan_policy: str = "pairwise", max_categories: int = 20
               ) -> Any:
    from .._kernels.validation import check_real
    from ..measurement import _correlation as P

    cols = _item_cols(m, items, spec)
    if len(cols) < 2:
        raise RingstatsError(f"`items` must name at least two columns; got {cols!r}.")
    check_real(correct, "correct", min_value=0.0)
    check_bool(smooth, "smooth")
    check_option(nan_policy, "nan_policy", P._NAN_POLICIES)
    check_int(max_categories, "max_categories", min_value=2)
    lay, t = m.layout, m.total()
    if not lay.tables:
        raise RingstatsError("these moments hold no contingency tables; summarize with "
                             "`tables=True` for polychoric correlations.")
    if nan_policy == "listwise" and t.items.n != t.rows:
        raise needs_rows("polychoric", "nan_policy='listwise' needs the tables of the rows "
                                       "complete on every item; the moments hold pairwise "
                                       "tables (use nan_policy='pairwise')")
    ix = [lay.items.index(c) for c in cols]
    off = lay.item_offsets

    def block(i: int, j: int) -> np.ndarray:
        return t.tables[off[i]:off[i + 1], off[j]:off[j + 1]]

    vals = []
    for c, i in zip(cols, ix, strict=True):
        v = lay.item_min[i] + np.flatnonzero(np.diag(block(i, i)))
        if v.size == 0:
            raise InsufficientDataError(f"item `{c}` has no observed values.")
        if v.size < 2:
            raise InsufficientDataError(
                f"item `{c}` has a single observed category ({v[0]:g}); a polychoric "
                "correlation is undefined. Drop the item.")
        vals.append(v)
    lo = min(v.min() for v in vals)
    k = int(max(v.max() for v in vals) - lo + 1)
    if k > max_categories:
        raise RingstatsError(
            f"polychoric correlations are meant for items with at most {max_categories} "
            f"categories; the items span {k} values. Use method='pearson' or recode.")
    p = len(cols)
    cnt = np.zeros((p, k, p, k))
    def sel(i: int) -> tuple[np.ndarray, np.ndarray]:
        v = lay.item_min[i] + np.arange(lay.item_levels[i])
        keep = (v >= lo) & (v < lo + k)
        return np.flatnonzero(keep), (v[keep] - lo).astype(int)

    for a, ia in enumerate(ix):
        sa, ta = sel(ia)
        cnt[a, ta, a, ta] = np.diag(block(ia, ia))[sa]
        for b, ib in enumerate(ix):
            if b <= a:
                continue
            sb, tb = sel(ib)
            tab = block(ia, ib)[np.ix_(sa, sb)]
            cnt[a, ta[:, None], b, tb[None, :]] = tab
            cnt[b, tb[:, None], a, ta[None, :]] = tab.T
    maxes = np.array([v.max() - lo for v in vals])
    return P._polychoric_from_counts(cnt, cols, maxes, correct, smooth)


# ------------------------------------------------------------------------------ EFA
def _pearson(m: SurveyMoments, cols: list[str], nan_policy: str
             ) -> tuple[np.ndarray, int, np.ndarray]:
    """Pearson correlations of ``cols``, the n of psych's test statistics (pairwise: rows
    with any of the items answered; listwise: complete rows) and the sums of squares, with
    the checks of the in-memory ``_correlate``."""
    t, p = m.total(), len(cols)
    pv = _index(m, cols)
    if nan_policy == "listwise":
        _, cp, n = listwise_cov(m, cols)
        ss = np.diag(cp)
        with np.errstate(invalid="ignore", divide="ignore"):
            r = cp / np.sqrt(np.outer(ss, ss))
    else:
        nobs = np.diag(t.pairs.n)[pv]
        if len(cols) == len(m.layout.items) or nobs.max() == t.answered_any:
            n = int(t.answered_any if len(cols) == len(m.layout.items) else nobs.max())
        else:
            raise RingstatsError(
                "with nan_policy='pairwise' the factor-analytic statistics use n = rows "
                "with any of the items answered (psych); for this subset of items the moments cannot count them. "
                "Use all the spec's items, or nan_policy='listwise'.")
        ss = np.diag(t.pairs.ss)[pv]
        r = t.pairs.corr()[np.ix_(pv, pv)]
    if n <= p:
        raise InsufficientDataError(
            f"fewer rows ({n}) than items ({p}); factor analysis needs more "
            f"{'complete ' if nan_policy == 'listwise' else ''}rows than items.")
    bad = [c for c, v in zip(cols, ss, strict=True) if not v > 0]
    if bad:
        raise InsufficientDataError(
            f"item(s) with zero variance (constant or all missing): {', '.join(bad)}; a "
            "correlation matrix cannot be formed. Drop them from `items`/`spec`.")
    return r, n, ss


def efa(m: SurveyMoments, *, items: Any = None, spec: Any = None, n_factors: int | None = None,
        method: str = "minres", rotation: str | None = "oblimin", correlation: str = "pearson",
        nan_policy: str = "pairwise", seed: int | None = None) -> Any:
    from ..measurement import _efa as E

    del seed
    cols = _item_cols(m, items, spec)
    check_option(method, "method", E._METHODS)
    check_option(rotation, "rotation", E._ROTATIONS)
    check_option(correlation, "correlation", E._CORRELATIONS)
    check_option(nan_policy, "nan_policy", E._NAN_POLICIES)
    p = len(cols)
    kmax = E._max_factors(p, method)
    if n_factors is None:
        raise needs_rows("efa", "n_factors=None runs a parallel analysis on simulated and "
                                "resampled data sets of the survey's size; give n_factors=")
    check_int(n_factors, "n_factors", min_value=1)
    if n_factors > kmax:
        raise RingstatsError(
            f"`n_factors` must be at most {kmax} for {p} items with method={method!r} "
            f"(the model needs non-negative degrees of freedom); got {n_factors}.")
    r, n, _ = _pearson(m, cols, nan_policy)
    if correlation == "polychoric":
        r = polychoric(m, items=cols, nan_policy=nan_policy).rho.to_numpy(dtype=float)
    else:
        r = r.copy()
        r.flat[:: p + 1] = 1.0
    if not np.all(np.isfinite(r)):
        raise InsufficientDataError(
            "the correlation matrix has undefined entries (an item pair without joint answers).")
    notes: list[str] = []
    r, smoothed = E._smooth(r)
    if smoothed:
        msg = ("the correlation matrix was not positive definite and was smoothed "
               "(eigenvalues floored, as psych::cor.smooth).")
        warnings.warn(msg, RingstatsWarning, stacklevel=3)
        notes.append(msg)
    return E._efa_from_corr(r, n, notes, cols, int(n_factors), method=method,
                            rotation=rotation, correlation=correlation, nan_policy=nan_policy,
                            pa=None)


# ------------------------------------------------------------------------------ KMO, Bartlett
def kmo(m: SurveyMoments, *, items: Any = None, spec: Any = None,
        nan_policy: str = "pairwise") -> Any:
    from ..measurement import _efa as E

    cols = _item_cols(m, items, spec)
    check_option(nan_policy, "nan_policy", E._NAN_POLICIES)
    r, n, _ = _pearson(m, cols, nan_policy)
    return E._kmo_from_corr(_unit_smoothed(r), n, cols)


def bartlett(m: SurveyMoments, *, items: Any = None, spec: Any = None,
             nan_policy: str = "pairwise") -> Any:
    from ..measurement import _efa as E

    cols = _item_cols(m, items, spec)
    check_option(nan_policy, "nan_policy", E._NAN_POLICIES)
    r, n, _ = _pearson(m, cols, nan_policy)
    return E._bartlett_from_corr(_unit_smoothed(r), n)


def _unit_smoothed(r: np.ndarray) -> np.ndarray:
    """Unit diagonal and psych's smoothing when not positive definite, as ``_correlate``."""
    from ..measurement import _efa as E

    r = r.copy()
    r.flat[:: r.shape[0] + 1] = 1.0
    if not np.all(np.isfinite(r)):
        raise InsufficientDataError(
            "the correlation matrix has undefined entries (an item pair without joint answers).")
    r, smoothed = E._smooth(r)
    if smoothed:
        warnings.warn("the correlation matrix was not positive definite and was smoothed "
                      "(eigenvalues floored, as psych::cor.smooth).", RingstatsWarning,
                      stacklevel=4)
    return r
