"""Drivers, Shapley, regression and NPS from survey moments.

Driver importance of a continuous outcome depends on the rows only through the
covariance matrix of the construct scores and the outcome (every subset R^2 is a
function of it), so the drivers block of :class:`SurveyMoments` (complete rows of the
construct mean scores and LTR, weighted) gives the in-memory point estimates. Intervals
come from the Poisson(1)-multiplier replicates accumulated by :func:`summarize`
(percentile intervals; BCa would need a jackknife over rows). NPS and its intervals need
only the LTR counts per group.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._kernels import shapley as core
from .._kernels.dispatch import needs_rows
from .._kernels.results import as_result
from .._kernels.validation import check_bool, check_int, check_option, check_probability
from ..errors import InsufficientDataError, RingstatsError, RingstatsWarning
from ..netpromoter._input import adjust_p
from ..spec import RingSpec
from ._moments import GroupMoments, SurveyMoments

__all__ = ["drivers", "shapley", "regression", "nps", "nps_by"]


# ------------------------------------------------------------------------------ drivers block

#: Public analyses this module runs from moments (registered by the package facade).
ANALYSES = ('drivers', 'shapley', 'regression', 'nps', 'nps_by')

def _check_drivers_call(m: SurveyMoments, name: str, spec: Any, outcome: Any, weights: Any,
                        drivers: Any = None) -> tuple[list[str], dict[str, int] | None]:
    lay = m.layout
    if weights is not None:
        raise RingstatsError(
            f"`weights` must be None when `data` is a SurveyMoments; give `weights=` to "
            f"summarize (these moments are {'weighted by ' + repr(lay.weights) if lay.weights else 'unweighted'}).")
    if outcome is not None and outcome != lay.outcome:
        raise RingstatsError(
            f"`outcome` must be the spec's LTR column {lay.outcome!r} when `data` is a "
            f"SurveyMoments (its drivers block holds the construct scores and LTR); got "
            f"{outcome!r}.")
    if lay.outcome is None:
        raise RingstatsError("the summarised spec names no LTR outcome; drivers from moments "
                             "need `outcomes.ltr`.")
    if spec is not None and not isinstance(spec, RingSpec):
        raise RingstatsError(f"`spec` must be a RingSpec or None; got {type(spec).__name__}.")
    sp = spec if spec is not None else m.spec
    if [(c.name, c.items) for c in sp.constructs] != [(c.name, c.items) for c in m.spec.constructs]:
        raise RingstatsError(
            f"`spec` must have the constructs the moments were summarised with "
            f"({', '.join(lay.constructs)}): the drivers block holds the rows complete on "
            "all of them. Summarize again with the spec you want to analyse.")
    names = list(lay.constructs)
    if drivers is not None:
        dl = [drivers] if isinstance(drivers, str) else list(drivers)
        if dl != names:
            raise RingstatsError(
                f"`drivers` must be None (all constructs) when `data` is a SurveyMoments; got "
                f"{dl!r}. Summarize with a spec of just these constructs to analyse them.")
    return names, {c: sp.ring_of(c) for c in names}


def _corr(m: SurveyMoments, names: list[str]) -> tuple[np.ndarray, np.ndarray, int]:
    """Correlation and covariance (ddof 0) of [constructs, LTR] and the complete rows."""
    b = m.total().scores
    p = len(names)
    n = b.n
    if n < p + 2:
        raise InsufficientDataError(
            f"`data` must have at least {p + 2} complete rows (number of drivers + 2) for {p} "
            f"driver(s); got {n}.")
    cov = b.cp / b.w
    sd = np.sqrt(np.diag(cov))
    scale = np.maximum(1.0, np.abs(b.mean))
    const = [names[j] for j in range(p) if not sd[j] > 1e-12 * scale[j]]
    if const:
        raise RingstatsError(f"`drivers` must vary; constant in the complete rows: "
                             f"{', '.join(const)}.")
    if not cov[-1, -1] > 0:
        raise RingstatsError(f"`outcome` {m.layout.outcome!r} must vary; it is constant.")
    corr = core.cov_to_corr(cov)
    if p > 1 and np.linalg.eigvalsh(corr[:p, :p])[0] < 1e-10:
        raise RingstatsError("`drivers` are perfectly collinear (singular correlation matrix); "
                             "drop or combine redundant drivers.")
    return corr, cov, n


def drivers(m: SurveyMoments, *, spec: RingSpec, outcome: str | None = None,
            kind: str | None = None, weights: Any = None, scores: str = "mean",
            n_boot: int = 1000, ci: float = 0.95, ci_method: str = "bca",
            seed: int | None = None, n_jobs: int = 1, progress: bool | None = None) -> Any:
    from ..importance import _drivers as imp_d
    from ..importance import _inputs as imp_i

    del seed, n_jobs, progress
    if kind is not None:
        check_option(kind, "kind", imp_i.KINDS)
    n_boot = check_int(n_boot, "n_boot", min_value=0)
    ci = check_probability(ci, "ci")
    check_option(ci_method, "ci_method", imp_i.CI_METHODS)
    if scores != "mean":
        raise needs_rows("drivers", "scores='latent' computes each row's EAP score")
    names, ring = _check_drivers_call(m, "drivers", spec, outcome, weights)
    from .._design import MODEL_NAMES, outcome_spec, resolve_kind

    od = outcome_spec(m.spec, m.layout.outcome)
    ltr = m.total().ltr[0]
    support = (m.layout.ltr_min + np.flatnonzero(ltr)).astype(float)
    kind = resolve_kind(kind, od, support, declared=m.spec.outcome_spec(od.column) is not None)
    if kind != "continuous":
        raise needs_rows("drivers", f"kind={kind!r} fits a likelihood model to the rows; "
                                    "moments give kind='continuous'")
    corr, _, n = _corr(m, names)
    lay = imp_d._driver_layout(names, ring)
    est = imp_d._stats_from_r2(core.all_subset_r2(corr)[None], lay)[0]
    b = min(n_boot, m.n_rep)
    boot = np.empty((0, lay.size))
    if b:
        reps = _total_reps(m)
        covs = reps.cp[:b] / reps.w[:b, None, None]
        boot = imp_d._stats_from_r2(core.all_subset_r2(core.cov_to_corr(covs)), lay)
        lo, hi = imp_d._ci(boot, est, None, ci, "percentile")
    else:
        lo = hi = np.full(lay.size, np.nan)
    return imp_d._driver_result(names, ring, lay, est, boot, lo, hi, n_boot=b, ci=ci,
                              ci_method="percentile", kind=kind, outcome=m.layout.outcome,
                              n=n, scores=scores, model=MODEL_NAMES[kind],
                              outcome_label=f"{od.column} (continuous)",
                              notes=("Intervals: percentile, from the Poisson(1)-multiplier "
                                     "bootstrap replicates accumulated by summarize.",)
                              if b else ())


def _total_reps(m: SurveyMoments) -> Any:
    reps = m.total().rep_scores
    if reps is None:
        raise RingstatsError("these moments hold no bootstrap replicates; summarize with "
                             "`n_boot=`.")
    return reps


def shapley(m: SurveyMoments, *, outcome: str | None = None, drivers: Any = None,
            spec: RingSpec | None = None, groups: Any = None, weights: Any = None,
            method: str = "auto", n_perm: int = 4000, seed: int | None = None) -> Any:
    from types import SimpleNamespace

    from .._kernels.validation import check_seed
    from ..importance import _inputs as imp_i
    from ..importance import _linear as imp_l

    check_option(method, "method", imp_i.SHAPLEY_METHODS)
    check_int(n_perm, "n_perm", min_value=2)
    check_seed(seed)
    names, ring = _check_drivers_call(m, "shapley", spec, outcome, weights, drivers)
    corr, _, _ = _corr(m, names)
    prep = SimpleNamespace(names=names, ring=ring, outcome=m.layout.outcome,
                           design=SimpleNamespace(notes=()))
    return imp_l._shapley_from_corr(corr, prep, groups, method, n_perm, seed)


def regression(m: SurveyMoments, *, outcome: str | None = None, drivers: Any = None,
               spec: RingSpec | None = None, weights: Any = None, standardize: bool = True,
               cov_type: str = "HC3", ci: float = 0.95) -> Any:
    """OLS/WLS with classical standard errors from the drivers block (cov_type='nonrobust')."""
    from ..importance import _linear as imp_l

    check_bool(standardize, "standardize")
    check_option(cov_type, "cov_type", ("HC3", "HC0", "HC1", "HC2", "nonrobust"))
    ci = check_probability(ci, "ci")
    if cov_type != "nonrobust":
        raise needs_rows("regression", f"cov_type={cov_type!r} (heteroskedasticity-robust) "
                                       "needs each row's residual; use cov_type='nonrobust' "
                                       "with moments")
    names, ring = _check_drivers_call(m, "regression", spec, outcome, weights, drivers)
    corr, cov, n = _corr(m, names)
    p = len(names)
    sxx, sxy, syy = cov[:p, :p], cov[:p, p], cov[p, p]
    beta = np.linalg.solve(sxx, sxy)
    w = m.total().scores.w
    rss = (syy - sxy @ beta) * w
    dfr = n - p - 1
    sigma2 = rss / dfr
    se = np.sqrt(np.diag(np.linalg.inv(sxx * w)) * sigma2)
    if standardize:
        f = np.sqrt(np.diag(sxx)) / np.sqrt(syy)
        beta, se = beta * f, se * f
    r2 = 1.0 - rss / (syy * w)
    tval = beta / se
    pval = 2 * stats.t.sf(np.abs(tval), dfr)
    q = stats.t.ppf(0.5 + ci / 2, dfr)
    vif = np.diag(np.linalg.inv(corr[:p, :p])) if p > 1 else np.ones(1)
    coef = pd.DataFrame({"estimate": beta, "se": se, "t": tval, "p_val": pval,
                         "ci_low": beta - q * se, "ci_high": beta + q * se, "vif": vif},
                        index=pd.Index(names, name="driver"))
    coef.insert(0, "ring", [ring[c] for c in names])
    adj = 1 - (1 - r2) * (n - 1) / dfr
    return imp_l.RegressionResult(coef, float(r2), float(adj), n, m.layout.outcome, standardize,
                                cov_type)


# ------------------------------------------------------------------------------ NPS
def _groups(ltr: np.ndarray, lo: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    vals = np.arange(lo, lo + ltr.shape[-1])
    return vals >= 9, (vals >= 7) & (vals <= 8), vals <= 6


def _scores_like(g: GroupMoments, m: SurveyMoments) -> tuple[float, float, float, float]:
    """(promoter share, detractor share, n, effective n) of one group."""
    prom, _, det = _groups(g.ltr, m.layout.ltr_min)
    cnt, ws, w2 = g.ltr
    n = float(cnt.sum())
    tot = ws.sum()
    p = float(ws[prom].sum() / tot)
    d = float(ws[det].sum() / tot)
    neff = n if not m.weighted else float(ws.sum() ** 2 / w2.sum())
    return p, d, n, neff


def _check_nps(m: SurveyMoments, ltr: str | None, weights: Any, scale: Any = None,
               spec: Any = None) -> None:
    if spec is not None and spec != m.spec:
        raise RingstatsError("`spec` must be None or the spec the moments were summarised "
                             "with when `data` is a SurveyMoments.")
    if m.layout.outcome is None or (ltr is not None and ltr != m.layout.outcome):
        raise RingstatsError(f"`ltr` must be the spec's LTR column {m.layout.outcome!r} when "
                             f"`data` is a SurveyMoments; got {ltr!r}.")
    if weights is not None:
        raise RingstatsError("`weights` must be None when `data` is a SurveyMoments; give "
                             "`weights=` to summarize.")
    if scale is not None:
        raise RingstatsError("`scale` must be None when `data` is a SurveyMoments: the counts "
                             "are of the spec's 0-10 LTR scale.")
    od = m.spec.outcome_spec(m.layout.outcome) if hasattr(m.spec, "outcome_spec") else None
    rule = getattr(od, "nps_rule", None)
    if rule is not None and (set(rule.promoters) != {9.0, 10.0}
                             or set(rule.detractors) != set(map(float, range(7)))):
        raise RingstatsError("the spec declares its own NPS rule for the LTR outcome; NPS from "
                             "moments supports the standard 0-10 rule only (draw a sample).")
    if (m.layout.ltr_min, m.layout.ltr_max) != (0, 10):
        raise RingstatsError("a standard NPS needs LTR on 0..10; the spec's LTR scale is "
                             f"{m.layout.ltr_min}..{m.layout.ltr_max}.")


def _nps_group(m: SurveyMoments, g: GroupMoments, ci: float, method: str, n_boot: int,
               param: str = "data", min_n: int = 2) -> Any:
    from ..netpromoter import _compare as N

    p, d, n, neff = _scores_like(g, m)
    if n < min_n or neff < min_n:
        raise InsufficientDataError(
            f"`{param}` has {int(n)} non-missing LTR answer(s) (effective n {neff:.1f}); at "
            f"least {min_n} are needed for an NPS interval.")
    z = stats.norm.ppf(0.5 + ci / 2)
    est = p - d
    notes: list[str] = []
    if method == "wald":
        se = np.sqrt(N._var1(p, d, neff))
        lo, hi = est - z * se, est + z * se
    elif method == "adjusted_wald":
        p_t, d_t, n_t = N._adjusted(p, d, neff)
        se = np.sqrt(N._var1(p_t, d_t, n_t))
        lo, hi = (p_t - d_t) - z * se, (p_t - d_t) + z * se
    else:
        if g.rep_ltr is None:
            raise RingstatsError("method='bootstrap' from moments uses the multiplier "
                                 "replicates; summarize with `n_boot=`.")
        b = min(n_boot, g.rep_ltr.shape[0])
        prom, _, det = _groups(g.rep_ltr, m.layout.ltr_min)
        r = g.rep_ltr[:b]
        boot = (r[:, prom].sum(axis=1) - r[:, det].sum(axis=1)) / r.sum(axis=1)
        se = float(np.std(boot, ddof=1))
        lo, hi = np.quantile(boot, [0.5 - ci / 2, 0.5 + ci / 2])
        notes.append(f"Poisson(1)-multiplier bootstrap, {b} replicates accumulated by "
                     "summarize (percentile interval).")
    if p + d == 0 or p == 1 or d == 1:
        grp = "passives" if p + d == 0 else ("promoters" if p == 1 else "detractors")
        msg = f"All answers are {grp}: the sampling variance of the NPS is estimated as 0."
        warnings.warn(msg, RingstatsWarning, stacklevel=4)
        notes.append(msg)
    if neff < N.SMALL_N:
        msg = (f"Small sample (effective n = {neff:.0f} < {N.SMALL_N}): the interval is a rough "
               "normal approximation.")
        warnings.warn(msg, RingstatsWarning, stacklevel=4)
        notes.append(msg)
    return float(est), float(se), max(float(lo), -1.0), min(float(hi), 1.0), notes, p, d, n, neff


def _mean_ltr(m: SurveyMoments, g: GroupMoments, ci: float) -> tuple[float, ...]:
    cnt, ws, w2 = g.ltr
    v = np.arange(m.layout.ltr_min, m.layout.ltr_max + 1, dtype=float)
    if not m.weighted:
        n = cnt.sum()
        mu = float(cnt @ v / n)
        sd = float(np.sqrt(cnt @ (v - mu) ** 2 / (n - 1))) if n > 1 else np.nan
        se, df = sd / np.sqrt(n), n - 1
    else:
        mu = float(ws @ v / ws.sum())
        n = ws.sum() ** 2 / w2.sum()
        var = float(ws @ (v - mu) ** 2 / ws.sum()) * n / max(n - 1, 1e-12)
        se, df = np.sqrt(var / n), max(n - 1, 1)
    t = stats.t.ppf(0.5 + ci / 2, df)
    return mu, se, mu - t * se, mu + t * se


def nps(m: SurveyMoments, *, ltr: str | None = None, weights: Any = None, ci: float = 0.95,
        method: str = "adjusted_wald", n_boot: int = 2000, seed: int | None = None,
        scale: Any = None, spec: Any = None) -> Any:
    from ..netpromoter import _compare as N

    del seed
    ci, method, n_boot = N._check_common(ci, method, n_boot, None)
    _check_nps(m, ltr, weights, scale, spec)
    g = m.total()
    est, se, lo, hi, notes, p, d, n, neff = _nps_group(m, g, ci, method, n_boot)
    mu, mse, mlo, mhi = _mean_ltr(m, g, ci)
    prom, pas, det = _groups(g.ltr, m.layout.ltr_min)
    counts = pd.Series([int(g.ltr[0][prom].sum()), int(g.ltr[0][pas].sum()),
                        int(g.ltr[0][det].sum())],
                       index=pd.Index(["promoter", "passive", "detractor"], name="group"),
                       name="count")
    from ..netpromoter._one import NPSResult

    return NPSResult(
        nps=100 * est, se=100 * se, ci_low=100 * lo, ci_high=100 * hi, promoters=100 * p,
        passives=100 * (1 - p - d), detractors=100 * d, n=int(n), n_eff=float(neff),
        n_missing=int(g.ltr_missing), counts=counts, mean_ltr=mu, mean_se=mse,
        mean_ci_low=mlo, mean_ci_high=mhi, ci=ci, method=method, weighted=m.weighted,
        standard=True, notes=tuple(notes))


def nps_by(m: SurveyMoments, *, by: str, ltr: str | None = None, weights: Any = None,
           ci: float = 0.95, method: str = "adjusted_wald", p_adjust: str = "holm",
           compare: str = "rest", min_n: int = 2, scale: Any = None, spec: Any = None
           ) -> pd.DataFrame:

    from ..netpromoter import _compare as N

    m._pos(by)  # `by` must be one of the group columns
    _check_nps(m, ltr, weights, scale, spec)
    check_option(method, "method", ("adjusted_wald", "wald"))
    check_option(p_adjust, "p_adjust", N.P_ADJUST)
    check_option(compare, "compare", ("rest", "pairwise"))
    ci = check_probability(ci, "ci")
    min_n = check_int(min_n, "min_n", min_value=2)
    levels = m.levels(by)
    if len(levels) < 2:
        raise InsufficientDataError(f"`by` column {by!r} must have at least 2 segments; got "
                                    f"{len(levels)}.")
    z_crit = stats.norm.ppf(0.5 + ci / 2)

    def var_for(g: GroupMoments, param: str) -> tuple[float, float]:
        p, d, n, neff = _scores_like(g, m)
        if n < min_n or neff < min_n:
            raise InsufficientDataError(
                f"Segment: `{param}` has {int(n)} non-missing LTR answer(s); at least {min_n} "
                "are needed.")
        if method == "adjusted_wald":
            p, d, neff = N._adjusted(p, d, neff)
        return p - d, N._var1(p, d, neff)

    rows, small = [], 0
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RingstatsWarning)
        for lev in levels:
            g = m.group(lev, by)
            var_for(g, f"data[{by}=={lev!r}]")
            est, se, lo, hi, _, p, d, n, _ = _nps_group(m, g, ci, method, 0,
                                                        f"data[{by}=={lev!r}]", min_n)
            mu = _mean_ltr(m, g, ci)[0]
            rows.append({"n": int(n), "promoters": 100 * p, "passives": 100 * (1 - p - d),
                         "detractors": 100 * d, "nps": 100 * est, "se": 100 * se,
                         "ci_low": 100 * lo, "ci_high": 100 * hi, "mean_ltr": mu})
    small = [c for c in caught if "Small sample" in str(c.message)]
    if small:
        warnings.warn(f"{len(small)} segment(s) have an effective n below {N.SMALL_N}: their "
                      "intervals are rough normal approximations (and mostly noise).",
                      RingstatsWarning, stacklevel=3)
    for wmsg in {str(c.message) for c in caught if "Small sample" not in str(c.message)}:
        warnings.warn(wmsg, RingstatsWarning, stacklevel=3)
    table = pd.DataFrame(rows, index=pd.Index(levels, name=by))

    def test(a: tuple[float, float], b: tuple[float, float]) -> tuple[float, ...]:
        se = np.sqrt(a[1] + b[1])
        d = b[0] - a[0]
        zz = d / se if se > 0 else np.nan
        pv = 2 * stats.norm.sf(abs(zz)) if np.isfinite(zz) else np.nan
        return 100 * d, 100 * se, 100 * (d - z_crit * se), 100 * (d + z_crit * se), zz, pv

    if compare == "rest":
        res = []
        for lev in levels:
            d, se, _, _, zz, pv = test(var_for(m.rest(lev, by), "rest"),
                                        var_for(m.group(lev, by), by))
            res.append((d, se, zz, pv))
        arr = np.array(res, dtype=float)
        table["diff_vs_rest"], table["diff_se"], table["z"], table["p_val"] = arr.T
        out = table
    else:
        res = []
        for i, la in enumerate(levels):
            for lb in levels[i + 1:]:
                d, se, lo, hi, zz, pv = test(var_for(m.group(la, by), by),
                                         var_for(m.group(lb, by), by))
                res.append({"group_a": la, "group_b": lb, "difference": d, "se": se,
                            "ci_low": lo, "ci_high": hi, "z": zz, "p_val": pv})
        out = pd.DataFrame(res)
    out["p_adj"] = adjust_p(out["p_val"].to_numpy(float), p_adjust)
    out.attrs["standard"] = True
    how = "each vs the rest" if compare == "rest" else "pairwise"
    return as_result(out, f"NPS by {by} ({how}, {p_adjust}-adjusted; from survey moments)", ())


def nps_ci_from_replicates(m: SurveyMoments, level: Any = None, by: str | None = None,
                           ci: float = 0.95) -> tuple[float, float]:
    """Percentile interval (-100..100) of the NPS of a group (or the total) from the
    multiplier replicates."""
    g = m.total() if level is None else m.group(level, by)
    res = _nps_group(m, g, ci, "bootstrap", m.n_rep)
    return 100 * res[2], 100 * res[3]
