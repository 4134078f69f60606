"""Two NPS values compared (samples, segments, waves) and NPS per segment."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._kernels.bootstrap import percentile_interval
from .._kernels.dispatch import dispatch, is_moments
from .._kernels.results import ResultMixin, Summary, as_result
from .._kernels.validation import (
    check_bool,
    check_columns,
    check_dataframe,
    check_int,
    check_option,
    check_probability,
    renamed,
)
from ..errors import InsufficientDataError, RingstatsError, RingstatsWarning
from ._input import (
    P_ADJUST,
    SMALL_N,
    _kish,
    _prepare,
    _resolve_rule,
    _Scores,
    _sorted_levels,
    adjust_p,
)
from ._one import _adjusted, _check_common, _shares, _var1, nps


# ----------------------------------------------------------------------------------------
# two samples / two waves
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NPSTestResult(ResultMixin):
    """Difference of two NPS values (b minus a), its interval and z-test."""

    groups: pd.DataFrame
    difference: float
    se: float
    ci_low: float
    ci_high: float
    z: float
    p_val: float
    ci: float
    method: str
    paired: bool
    transitions: pd.DataFrame | None = None

    def summary(self) -> Summary:
        kind = "paired waves" if self.paired else "independent samples"
        s = Summary(f"NPS difference ({kind}; vendor statistic)")
        s.add_table(self.groups, "Groups", float_format="{:.2f}")
        lvl = f"{100 * self.ci:g}%"
        s.add_dict({"difference (b - a)": self.difference, "SE": self.se,
                    f"{lvl} CI low": self.ci_low, f"{lvl} CI high": self.ci_high,
                    "z": self.z, "p_val": self.p_val, "method": self.method},
                   "Test", float_format="{:.3f}")
        if self.transitions is not None:
            s.add_table(self.transitions, "Transitions (rows: wave a, columns: wave b)",
                        float_format="{:.0f}")
        return s


def _var_for(s: _Scores, method: str) -> tuple[float, float]:
    """(estimate, variance) on the proportion scale for a method (adjusted or plain Wald)."""
    p, _, d = _shares(s)
    n = float(len(s.score)) if s.w is None else _kish(s.w)
    if method == "adjusted_wald":
        p, d, n = _adjusted(p, d, n)
    return p - d, _var1(p, d, n)


def _boot_mean(s: _Scores, n_boot: int, rng: np.random.Generator) -> np.ndarray:
    m = len(s.score)
    out = np.empty(n_boot)
    w = np.ones(m) if s.w is None else s.w
    for b0 in range(0, n_boot, 200):
        b1 = min(n_boot, b0 + 200)
        idx = rng.integers(0, m, size=(b1 - b0, m))
        ww = w[idx]
        out[b0:b1] = np.sum(ww * s.score[idx], axis=1) / ww.sum(axis=1)
    return out


@renamed(ltr="outcome")
def nps_test(
    a: pd.DataFrame | pd.Series | np.ndarray,
    b: pd.DataFrame | pd.Series | np.ndarray | None = None,
    *,
    outcome: str | None = None,
    by: str | None = None,
    paired: bool = False,
    weights: str | None = None,
    ci: float = 0.95,
    method: str | None = None,
    n_boot: int = 2000,
    seed: int | None = None,
    scale: Mapping[str, Sequence[float]] | None = None,
    spec: Any = None,
) -> NPSTestResult:
    """Compare two NPS values (vendor statistic): two samples, two segments or two waves.

    Parameters
    ----------
    a, b : DataFrame, Series or array
        The two samples (difference reported as ``b - a``). Alternatively pass one DataFrame
        as ``a`` with ``by`` naming a column with exactly two groups (difference: second
        group in sorted order minus first).
    outcome : str, optional
        LTR column when the inputs are DataFrames (default ``"ltr"`` or the spec's).
        Formerly ``ltr=`` (deprecated alias).
    by : str, optional
        Grouping column of ``a`` (then ``b`` must be None).
    paired : bool, default False
        ``True`` for a panel: the same respondents answered both waves. ``a`` and ``b`` are
        aligned by index (Series/DataFrames) or by position (arrays); only respondents with
        both answers are used.
    weights : str, optional
        Weight column (independent samples only).
    ci : float, default 0.95
    method : {"adjusted_wald", "wald", "bootstrap"}, optional
        Default ``"adjusted_wald"`` for independent samples and ``"wald"`` for paired data
        (the adjusted-Wald correction is defined for one multinomial sample only).
    n_boot, seed : bootstrap settings.
    scale, spec :
        The NPS rule, as in :func:`nps` (a non-0-10 outcome needs one).

    Returns
    -------
    NPSTestResult
        ``groups`` (per group n, nps, se), ``difference``, ``se``, ``ci_low``, ``ci_high``,
        ``z``, ``p_val`` (two-sided), and for paired data the 3 x 3 ``transitions`` table.

    Notes
    -----
    Independent samples (MeasuringU, Sauro & Lewis): ``z = (NPS_b - NPS_a) / sqrt(V_a + V_b)``
    with the adjusted-Wald variances; the interval is centred on the difference of adjusted
    estimates. Paired waves: each respondent moves between the three groups; the nine
    transition shares form one multinomial sample and the change in NPS is the mean of the
    per-respondent change in the +1/0/-1 score, so its variance is
    ``Var(score_b - score_a) / n`` (the delta method on the transition multinomial gives the
    same value). Bootstrap: percentile interval; z and p use the bootstrap SE.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=500, seed=1)
    >>> res = nps_test(w.customers, by="segment")
    >>> bool(res.ci_low < res.difference < res.ci_high)
    True
    """
    ltr = outcome
    paired = check_bool(paired, "paired")
    if method is None:
        method = "wald" if paired else "adjusted_wald"
    ci, method, n_boot = _check_common(ci, method, n_boot, seed)
    if paired and method == "adjusted_wald":
        raise RingstatsError(
            "`method` must be 'wald' or 'bootstrap' when `paired=True`; got 'adjusted_wald' "
            "(the adjusted-Wald correction is defined for one multinomial sample)."
        )
    labels = ("a", "b")
    a, ltr_a, scale_a, _ = _resolve_rule(a, spec, ltr, scale, "a")
    if b is not None:
        b, _, _, _ = _resolve_rule(b, spec, ltr, scale, "b")
    ltr, scale = ltr_a, scale_a
    if by is not None:
        if b is not None:
            raise RingstatsError("Pass either `b` or `by`, not both.")
        if paired:
            raise RingstatsError("`paired=True` needs two aligned samples `a` and `b`, not `by`.")
        frame = check_dataframe(a, "a")
        check_columns(frame, [by], "by")
        levels = _sorted_levels(frame[by])
        if len(levels) != 2:
            raise RingstatsError(
                f"`by` must name a column with exactly 2 groups for nps_test (use nps_by for "
                f"more); got {len(levels)}: {levels[:6]}."
            )
        a, b = frame[frame[by] == levels[0]], frame[frame[by] == levels[1]]
        labels = (str(levels[0]), str(levels[1]))
    elif b is None:
        raise RingstatsError("`b` is required unless `by` names a two-group column of `a`.")
    rng = np.random.default_rng(seed)
    z_crit = stats.norm.ppf(0.5 + ci / 2)
    transitions = None
    if not paired:
        sa = _prepare(a, ltr, weights, scale, "a")
        sb = _prepare(b, ltr, weights, scale, "b")
        if method == "bootstrap":
            ba, bb = _boot_mean(sa, n_boot, rng), _boot_mean(sb, n_boot, rng)
            diff_boot = bb - ba
            diff = _shares(sb)[0] - _shares(sb)[2] - (_shares(sa)[0] - _shares(sa)[2])
            se = float(np.std(diff_boot, ddof=1))
            lo, hi = percentile_interval(diff_boot, ci)
            z = diff / se if se > 0 else np.nan
        else:
            ea, va = _var_for(sa, method)
            eb, vb = _var_for(sb, method)
            se = float(np.sqrt(va + vb))
            centre = eb - ea
            lo, hi = centre - z_crit * se, centre + z_crit * se
            z = centre / se if se > 0 else np.nan
            diff = _shares(sb)[0] - _shares(sb)[2] - (_shares(sa)[0] - _shares(sa)[2])
        groups = pd.DataFrame({
            "n": [len(sa.score), len(sb.score)],
            "nps": [100 * (_shares(s)[0] - _shares(s)[2]) for s in (sa, sb)],
            "se": [100 * np.sqrt(_var_for(s, "adjusted_wald" if method == "adjusted_wald"
                                          else "wald")[1]) for s in (sa, sb)],
        }, index=pd.Index(list(labels), name="group"))
    else:
        if weights is not None:
            raise RingstatsError("`weights` is not supported with `paired=True`.")
        sa = _prepare(a, ltr, None, scale, "a", min_n=1)
        sb = _prepare(b, ltr, None, scale, "b", min_n=1)
        if isinstance(a, (pd.Series, pd.DataFrame)) and isinstance(b, (pd.Series, pd.DataFrame)):
            ca = pd.Series(sa.score, index=sa.index)
            cb = pd.Series(sb.score, index=sb.index)
            if ca.index.has_duplicates or cb.index.has_duplicates:
                raise RingstatsError("Paired samples need unique index labels (respondent ids).")
            common = ca.index.intersection(cb.index)
            xa, xb = ca.loc[common].to_numpy(), cb.loc[common].to_numpy()
        else:
            if len(a) != len(b):
                raise RingstatsError(
                    f"Paired arrays must have the same length; got {len(a)} and {len(b)}."
                )
            va_ = pd.to_numeric(pd.Series(np.asarray(a, dtype=float)))
            vb_ = pd.to_numeric(pd.Series(np.asarray(b, dtype=float)))
            ok = va_.notna() & vb_.notna()
            xa = pd.Series(sa.score, index=va_.index[va_.notna()]).loc[ok[ok].index].to_numpy()
            xb = pd.Series(sb.score, index=vb_.index[vb_.notna()]).loc[ok[ok].index].to_numpy()
        n = len(xa)
        if n < 2:
            raise InsufficientDataError(
                f"Paired samples share {n} respondent(s) with both answers; at least 2 needed."
            )
        delta = xb - xa
        diff = float(delta.mean())
        if method == "bootstrap":
            idx = rng.integers(0, n, size=(n_boot, n))
            boot = delta[idx].mean(axis=1)
            se = float(np.std(boot, ddof=1))
            lo, hi = percentile_interval(boot, ci)
        else:
            se = float(np.sqrt(np.var(delta, ddof=0) / n))
            lo, hi = diff - z_crit * se, diff + z_crit * se
        z = diff / se if se > 0 else np.nan
        names = ["promoter", "passive", "detractor"]
        code = {1.0: "promoter", 0.0: "passive", -1.0: "detractor"}
        transitions = pd.crosstab(
            pd.Categorical([code[v] for v in xa], categories=names),
            pd.Categorical([code[v] for v in xb], categories=names), dropna=False,
        )
        transitions.index.name, transitions.columns.name = "wave_a", "wave_b"
        groups = pd.DataFrame({
            "n": [n, n], "nps": [100 * xa.mean(), 100 * xb.mean()],
            "se": [100 * np.sqrt(_var1((xa == 1).mean(), (xa == -1).mean(), n)),
                   100 * np.sqrt(_var1((xb == 1).mean(), (xb == -1).mean(), n))],
        }, index=pd.Index(list(labels), name="group"))
        if se == 0:
            warnings.warn("No respondent changed group: the paired variance is 0.",
                          RingstatsWarning, stacklevel=2)
    p_val = float(2 * stats.norm.sf(abs(z))) if np.isfinite(z) else np.nan
    return NPSTestResult(
        groups=groups, difference=100 * float(diff), se=100 * float(se),
        ci_low=100 * float(lo), ci_high=100 * float(hi), z=float(z), p_val=p_val, ci=ci,
        method=method, paired=paired, transitions=transitions,
    )


# ----------------------------------------------------------------------------------------
# segments
# ----------------------------------------------------------------------------------------
@renamed(ltr="outcome")
def nps_by(
    data: pd.DataFrame,
    *,
    by: str,
    outcome: str | None = None,
    weights: str | None = None,
    ci: float = 0.95,
    method: str = "adjusted_wald",
    p_adjust: str = "holm",
    compare: str = "rest",
    min_n: int = 2,
    scale: Mapping[str, Sequence[float]] | None = None,
    spec: Any = None,
) -> pd.DataFrame:
    """NPS (vendor statistic) per segment with multiplicity-adjusted tests.

    Parameters
    ----------
    data : DataFrame
    by : str
        Segment column.
    outcome : str, optional
        LTR column (default ``"ltr"`` or the spec's). Formerly ``ltr=`` (deprecated alias).
    weights : str, optional
        Weight column (Kish effective n per segment).
    ci : float, default 0.95
    method : {"adjusted_wald", "wald"}
        Interval and test variance (bootstrap is not offered per segment).
    p_adjust : {"holm", "bonferroni", "fdr_bh", "none"}, default "holm"
        Multiplicity correction (statsmodels ``multipletests``; Holm 1979).
    compare : {"rest", "pairwise"}, default "rest"
        ``"rest"``: each segment against all other respondents pooled (one row per segment).
        ``"pairwise"``: every pair of segments (one row per pair).
    min_n : int, default 2
        Segments with fewer answers raise InsufficientDataError.
    scale, spec :
        The NPS rule, as in :func:`nps` (a non-0-10 outcome needs one); a non-standard
        rule is recorded in ``DataFrame.attrs["notes"]``.

    Returns
    -------
    DataFrame
        ``compare="rest"``: index = segments; columns ``n, promoters, passives, detractors,
        nps, se, ci_low, ci_high, mean_ltr, diff_vs_rest, diff_se, z, p_val, p_adj``.
        ``compare="pairwise"``: columns ``group_a, group_b, difference (b - a), se, ci_low,
        ci_high, z, p_val, p_adj``.

    Notes
    -----
    Each test is the two-sample z-test of :func:`nps_test`. Segment-vs-rest tests share
    respondents across rows, so they are not independent; Holm's step-down procedure is valid
    under any dependence.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=500, seed=1)
    >>> tab = nps_by(w.customers, by="segment")
    >>> list(tab.columns[:4])
    ['n', 'promoters', 'passives', 'detractors']
    """
    ltr = outcome
    if is_moments(data):
        return dispatch("nps_by", data, by=by, ltr=ltr, weights=weights, ci=ci, method=method,
                        p_adjust=p_adjust, compare=compare, min_n=min_n, scale=scale, spec=spec)

    frame, ltr, scale, rule_notes = _resolve_rule(check_dataframe(data), spec, ltr, scale)
    check_columns(frame, [by], "by")
    check_option(method, "method", ("adjusted_wald", "wald"))
    check_option(p_adjust, "p_adjust", P_ADJUST)
    check_option(compare, "compare", ("rest", "pairwise"))
    ci = check_probability(ci, "ci")
    min_n = check_int(min_n, "min_n", min_value=2)
    levels = _sorted_levels(frame[by])
    if len(levels) < 2:
        raise InsufficientDataError(
            f"`by` column {by!r} must have at least 2 segments; got {len(levels)}."
        )
    z_crit = stats.norm.ppf(0.5 + ci / 2)
    scores: dict[Any, _Scores] = {}
    for lev in levels:
        try:
            scores[lev] = _prepare(frame[frame[by] == lev], ltr, weights, scale,
                                   f"data[{by}=={lev!r}]", min_n=min_n)
        except InsufficientDataError as exc:
            raise InsufficientDataError(f"Segment {lev!r} of `by`: {exc}") from None
    rows = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RingstatsWarning)
        for lev in levels:
            r = nps(frame[frame[by] == lev], ltr=ltr, weights=weights, ci=ci, method=method)
            rows.append({"n": r.n, "promoters": r.promoters, "passives": r.passives,
                         "detractors": r.detractors, "nps": r.nps, "se": r.se,
                         "ci_low": r.ci_low, "ci_high": r.ci_high, "mean_ltr": r.mean_ltr})
    small = [c for c in caught if "Small sample" in str(c.message)]
    other = {str(c.message) for c in caught if "Small sample" not in str(c.message)}
    if small:
        warnings.warn(f"{len(small)} segment(s) have an effective n below {SMALL_N}: their "
                      "intervals are rough normal approximations (and mostly noise).",
                      RingstatsWarning, stacklevel=2)
    for wmsg in other:
        warnings.warn(wmsg, RingstatsWarning, stacklevel=2)
    table = pd.DataFrame(rows, index=pd.Index(levels, name=by))

    def _test(s1: _Scores, s2: _Scores) -> tuple[float, ...]:
        e1, v1 = _var_for(s1, method)
        e2, v2 = _var_for(s2, method)
        se = np.sqrt(v1 + v2)
        d = e2 - e1
        z = d / se if se > 0 else np.nan
        p = 2 * stats.norm.sf(abs(z)) if np.isfinite(z) else np.nan
        return 100 * d, 100 * se, 100 * (d - z_crit * se), 100 * (d + z_crit * se), z, p

    if compare == "rest":
        res = []
        for lev in levels:
            rest = _prepare(frame[frame[by] != lev], ltr, weights, scale, "rest", min_n=min_n)
            d, se, _, _, z, p = _test(rest, scores[lev])
            res.append((d, se, z, p))
        arr = np.array(res, dtype=float)
        table["diff_vs_rest"], table["diff_se"], table["z"], table["p_val"] = arr.T
        out = table
    else:
        res = []
        for i, la in enumerate(levels):
            for lb in levels[i + 1:]:
                d, se, lo, hi, z, p = _test(scores[la], scores[lb])
                res.append({"group_a": la, "group_b": lb, "difference": d, "se": se,
                            "ci_low": lo, "ci_high": hi, "z": z, "p_val": p})
        out = pd.DataFrame(res)
    out["p_adj"] = adjust_p(out["p_val"].to_numpy(float), p_adjust)
    out.attrs["standard"] = scale is None
    title = "NPS" if scale is None else "Non-standard NPS"
    how = "each vs the rest" if compare == "rest" else "pairwise"
    return as_result(out, f"{title} by {by} ({how}, {p_adjust}-adjusted)", rule_notes)
