"""Net Promoter Score statistics: estimate, intervals, tests, segments and sample size.

The Net Promoter Score (NPS) is a **vendor statistic** (Reichheld 2003, "The one number you
need to grow", *Harvard Business Review* 81(12); Bain & Company, Satmetrix). It is reported
here because customer programmes use it, not because it is a better loyalty measure: the
peer-reviewed comparisons (Keiningham et al. 2007; van Doorn, Leeflang & Tijs 2013) find it no
better than mean satisfaction. Every function therefore also reports the mean
likelihood-to-recommend (LTR) with its t interval.

Coding (0-10 LTR): promoters 9-10, passives 7-8, detractors 0-6;
``NPS = 100 * (share of promoters - share of detractors)``, on the -100..100 scale.

Sampling variance (multinomial; cybaea 2016 and the worked example of Market Strategies):
``Var(NPS/100) = (p + d - (p - d)^2) / n``. The adjusted-Wald interval of Rocks (2016,
"Interval estimation for the net promoter score", *The American Statistician* 70(4),
arXiv:1601.07235) adds 3/4 to the promoter and detractor counts and 3 to n (so 3/2 to the
passives) before using the Wald formula; it keeps close to nominal coverage at small n.
Lewis & Sauro (MeasuringU, "Evaluating NPS confidence intervals with real-world data", 2021)
describe the same adjustment and confirm its performance on real data; our own coverage
study is ``benchmarks/coverage_nps.py``.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._kernels.bootstrap import percentile_interval
from ._kernels.results import ResultMixin, Summary, as_result
from ._kernels.validation import (
    check_bool,
    check_columns,
    check_dataframe,
    check_int,
    check_option,
    check_probability,
    check_real,
    check_seed,
    renamed,
)
from .errors import InsufficientDataError, RingstatsError, RingstatsWarning

__all__ = [
    "nps",
    "nps_test",
    "nps_by",
    "nps_sample_size",
    "NPSResult",
    "NPSTestResult",
]

METHODS = ("adjusted_wald", "wald", "bootstrap")
P_ADJUST = ("holm", "bonferroni", "fdr_bh", "none")
#: Below this (effective) sample size a warning says the normal approximation is rough.
SMALL_N = 30
_PROMOTER = (9, 10)
_DETRACTOR = (0, 1, 2, 3, 4, 5, 6)


# ----------------------------------------------------------------------------------------
# input handling
# ----------------------------------------------------------------------------------------
@dataclass
class _Scores:
    ltr: np.ndarray  # raw values (float), NaN removed
    score: np.ndarray  # +1 promoter, 0 passive, -1 detractor
    w: np.ndarray | None  # weights or None
    index: pd.Index  # row labels kept (for pairing)
    standard: bool
    n_missing: int
    name: str


def _as_series(data: Any, ltr: Any, param: str = "data") -> tuple[pd.Series, pd.DataFrame | None]:
    """Return the LTR column as a float Series, plus the frame it came from (or None)."""
    if isinstance(data, pd.DataFrame):
        check_dataframe(data, param)
        if isinstance(ltr, str):
            check_columns(data, [ltr], "outcome")
            col = data[ltr]
        else:
            raise RingstatsError(
                f"`outcome` must be a column name of `{param}` when `{param}` is a DataFrame; "
                f"got {type(ltr).__name__}."
            )
        frame = data
    elif isinstance(data, pd.Series):
        col, frame = data, None
    elif isinstance(data, (np.ndarray, list, tuple)):
        arr = np.asarray(data)
        if arr.ndim != 1:
            raise RingstatsError(f"`{param}` must be one-dimensional; got shape {arr.shape}.")
        col, frame = pd.Series(arr, name="ltr"), None
    else:
        raise RingstatsError(
            f"`{param}` must be a DataFrame (with an `ltr` column), a Series or a 1-D array; "
            f"got {type(data).__name__}."
        )
    if not (pd.api.types.is_numeric_dtype(col) or col.dtype == object):
        raise RingstatsError(f"`{param}` LTR values must be numeric; got dtype {col.dtype}.")
    try:
        values = pd.to_numeric(col, errors="raise").astype(float)
    except (ValueError, TypeError):
        raise RingstatsError(
            f"`{param}` LTR values must be numeric; got non-numeric values such as "
            f"{list(col[pd.to_numeric(col, errors='coerce').isna() & col.notna()].unique()[:5])}."
        ) from None
    return values, frame


def _check_scale(scale: Any) -> dict[str, set[float]] | None:
    if scale is None:
        return None
    if not isinstance(scale, Mapping) or not {"promoter", "detractor"} <= set(scale):
        raise RingstatsError(
            "`scale` must be None or a dict with keys 'promoter' and 'detractor' (and optionally "
            f"'passive'), each a list of scale values; got {scale!r}."
        )
    extra = set(scale) - {"promoter", "detractor", "passive"}
    if extra:
        raise RingstatsError(
            f"`scale` keys must be 'promoter', 'detractor' and optionally 'passive'; got extra "
            f"key(s) {sorted(extra)}."
        )
    out: dict[str, set[float]] = {}
    for key, vals in scale.items():
        if isinstance(vals, (str, bytes)) or not isinstance(vals, (Sequence, set, np.ndarray)):
            raise RingstatsError(f"`scale['{key}']` must be a list of values; got {vals!r}.")
        try:
            out[key] = {float(v) for v in vals}
        except (TypeError, ValueError):
            raise RingstatsError(f"`scale['{key}']` must hold numbers; got {vals!r}.") from None
        if not out[key]:
            raise RingstatsError(f"`scale['{key}']` must not be empty.")
    keys = list(out)
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            both = out[a] & out[b]
            if both:
                raise RingstatsError(
                    f"`scale` puts value(s) {sorted(both)} in both '{a}' and '{b}'."
                )
    return out


def _prepare(data: Any, ltr: Any, weights: Any, scale: Any, param: str = "data",
             min_n: int = 2) -> _Scores:
    values, frame = _as_series(data, ltr, param)
    mapping = _check_scale(scale)
    w = None
    if weights is not None:
        if isinstance(weights, str):
            if frame is None:
                raise RingstatsError(
                    "`weights` given as a column name needs `data` to be a DataFrame."
                )
            check_columns(frame, [weights], "weights")
            w_all = pd.to_numeric(frame[weights], errors="coerce").to_numpy(float)
        else:
            w_all = np.asarray(weights, dtype=float).ravel()
            if w_all.shape[0] != len(values):
                raise RingstatsError(
                    f"`weights` must have one value per row ({len(values)}); got {w_all.shape[0]}."
                )
        if np.any(~np.isfinite(w_all) & ~np.isnan(w_all)) or np.any(w_all[~np.isnan(w_all)] < 0):
            raise RingstatsError("`weights` must be finite and non-negative.")
        w = w_all
    keep = values.notna().to_numpy().copy()
    if w is not None:
        keep &= ~np.isnan(w)
    n_missing = int((~keep).sum())
    v = values.to_numpy(float)[keep]
    idx = values.index[keep]
    if w is not None:
        w = w[keep]
    name = str(values.name) if values.name is not None else "ltr"
    if mapping is None:
        bad = np.unique(v[(v < 0) | (v > 10)])
        if bad.size:
            raise RingstatsError(
                f"`{param}` LTR values must lie in 0..10 for a standard NPS; got "
                f"{_fmt_vals(bad)}. For another scale pass an explicit "
                "`scale={'promoter': [...], 'detractor': [...]}` mapping."
            )
        nonint = np.unique(v[v != np.round(v)])
        if nonint.size:
            raise RingstatsError(
                f"`{param}` LTR values must be whole numbers 0..10; got non-integer value(s) "
                f"{_fmt_vals(nonint)}."
            )
        score = np.where(v >= 9, 1.0, np.where(v <= 6, -1.0, 0.0))
        standard = True
    else:
        prom = np.isin(v, list(mapping["promoter"]))
        detr = np.isin(v, list(mapping["detractor"]))
        if "passive" in mapping:
            known = prom | detr | np.isin(v, list(mapping["passive"]))
            bad = np.unique(v[~known])
            if bad.size:
                raise RingstatsError(
                    f"`{param}` holds value(s) {_fmt_vals(bad)} that `scale` assigns to no group."
                )
        score = np.where(prom, 1.0, np.where(detr, -1.0, 0.0))
        standard = False
        warnings.warn(
            "A custom `scale` mapping was used: the result is not a standard 0-10 Net Promoter "
            "Score and must not be compared with NPS benchmarks.",
            RingstatsWarning,
            stacklevel=3,
        )
    n_eff = len(v) if w is None else _kish(w)
    if len(v) < min_n or n_eff < min_n:
        raise InsufficientDataError(
            f"`{param}` has {len(v)} non-missing LTR answer(s) (effective n {n_eff:.1f}); at least "
            f"{min_n} are needed for an NPS interval."
        )
    if w is not None and w.sum() <= 0:
        raise RingstatsError("`weights` must not all be zero.")
    return _Scores(v, score, w, idx, standard, n_missing, name)


def _resolve_rule(data: Any, spec: Any, ltr: str | None, scale: Any, param: str = "data"
                  ) -> tuple[Any, str, Any, tuple[str, ...]]:
    """Apply the spec to the LTR column: (cleaned data, column, scale mapping, notes).

    The one place where NPS learns its rule. With a spec, the LTR column goes through the
    spec's cleaning (missing codes, scale check); a 0-10 outcome gets the standard rule, any
    other scale only the rule the spec declares (``nps: {promoters, detractors}``), and the
    result is then labelled non-standard. Without a rule on a non-0-10 scale, a refusal that
    names the fix.
    """
    if spec is None:
        return data, "ltr" if ltr is None else ltr, scale, ()
    from ._design import checked_frame
    from .spec import RingSpec

    if not isinstance(spec, RingSpec):
        raise RingstatsError(f"`spec` must be a RingSpec or None; got {type(spec).__name__}.")
    od = spec.outcome_spec(ltr)
    if od is None:
        raise RingstatsError(
            f"`outcome` {ltr!r} is not an outcome of the spec (its LTR column is {spec.ltr!r})."
        )
    if od.kind == "binary":
        raise RingstatsError(f"NPS needs a rating outcome; `{od.column}` is declared binary.")
    frame = checked_frame(data, param) if isinstance(data, pd.DataFrame) else data
    if isinstance(frame, pd.DataFrame):
        check_columns(frame, [od.column], "outcome")
        frame = spec.clean(frame, [od.column])
    if scale is not None:
        return frame, od.column, scale, ()
    rule = od.nps_rule
    sc = od.scale
    if rule is None:
        rng = f"{sc.min}..{sc.max}" if sc is not None else "an undeclared"
        raise RingstatsError(
            f"`{od.column}` is on a {rng} scale: the Net Promoter Score is defined on 0-10. "
            f"Declare an explicit rule in the spec (`outcomes: {{{od.name}: {{column: "
            f"{od.column}, scale: {{min: ..., max: ...}}, nps: {{promoters: [...], "
            "detractors: [...]}}}`) or pass `scale={'promoter': [...], 'detractor': [...]}`; "
            "the result is then labelled as a non-standard NPS."
        )
    if od.nps_standard:
        return frame, od.column, None, ()
    note = (f"Non-standard NPS: rule from the spec ({rule.describe()}) on the "
            f"{sc.min if sc else '?'}..{sc.max if sc else '?'} scale of `{od.column}`; not "
            "comparable with 0-10 NPS benchmarks.")
    return frame, od.column, rule.as_mapping(), (note,)


def _warn_if_short_scale(s: _Scores, param: str) -> None:
    """Without a spec, a 0-10 item whose answers never exceed 7 is suspicious: say so."""
    if s.standard and len(s.ltr) >= 30 and s.ltr.max() <= 7:
        warnings.warn(
            f"`{param}`: no answer above {s.ltr.max():g} among {len(s.ltr)}: is this really a "
            "0-10 likelihood-to-recommend item? On another scale, pass `spec=` with the "
            "outcome's scale and NPS rule, or `scale={'promoter': [...], 'detractor': [...]}`.",
            RingstatsWarning, stacklevel=3)


def _fmt_vals(vals: np.ndarray, limit: int = 8) -> str:
    shown = [f"{x:g}" for x in vals[:limit]]
    return "[" + ", ".join(shown) + (", ..." if vals.size > limit else "") + "]"


def _sorted_levels(col: pd.Series) -> list[Any]:
    vals = list(col.dropna().unique())
    try:
        return sorted(vals)
    except TypeError:
        return sorted(vals, key=str)


def _kish(w: np.ndarray) -> float:
    """Kish (1965) effective sample size (sum w)^2 / sum w^2."""
    s2 = float(np.sum(w**2))
    return float(np.sum(w) ** 2 / s2) if s2 > 0 else 0.0


def _shares(s: _Scores) -> tuple[float, float, float]:
    """Weighted (or plain) shares of promoters, passives, detractors."""
    w = np.ones_like(s.score) if s.w is None else s.w
    tot = w.sum()
    p = float(w[s.score == 1].sum() / tot)
    d = float(w[s.score == -1].sum() / tot)
    return p, 1.0 - p - d, d


def _var1(p: float, d: float, n: float) -> float:
    """Multinomial variance of p - d (proportion scale)."""
    return max(p + d - (p - d) ** 2, 0.0) / n


def _adjusted(p: float, d: float, n: float) -> tuple[float, float, float]:
    """Rocks (2016) adjusted-Wald: add 3/4 to promoter and detractor counts and 3 to n."""
    n_t = n + 3.0
    p_t = (p * n + 0.75) / n_t
    d_t = (d * n + 0.75) / n_t
    return p_t, d_t, n_t


# ----------------------------------------------------------------------------------------
# one sample
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NPSResult(ResultMixin):
    """Net Promoter Score (vendor statistic) with its interval and the mean LTR.

    Shares (``promoters``, ``passives``, ``detractors``) are percentages; ``nps``, ``se``,
    ``ci_low`` and ``ci_high`` are on the -100..100 scale.
    """

    nps: float
    se: float
    ci_low: float
    ci_high: float
    promoters: float
    passives: float
    detractors: float
    n: int
    n_eff: float
    n_missing: int
    counts: pd.Series
    mean_ltr: float
    mean_se: float
    mean_ci_low: float
    mean_ci_high: float
    ci: float
    method: str
    weighted: bool
    standard: bool
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_frame(self) -> pd.DataFrame:
        """One-row tidy table (estimate columns as in :func:`nps_by`)."""
        return pd.DataFrame([{
            "n": self.n, "promoters": self.promoters, "passives": self.passives,
            "detractors": self.detractors, "nps": self.nps, "se": self.se,
            "ci_low": self.ci_low, "ci_high": self.ci_high, "mean_ltr": self.mean_ltr,
            "mean_ci_low": self.mean_ci_low, "mean_ci_high": self.mean_ci_high,
        }])

    def summary(self) -> Summary:
        s = Summary("Net Promoter Score (vendor statistic: Bain & Company / Reichheld 2003)")
        lvl = f"{100 * self.ci:g}%"
        s.add_dict({
            "NPS": self.nps, "SE": self.se, f"{lvl} CI low": self.ci_low,
            f"{lvl} CI high": self.ci_high, "method": self.method,
            "promoters %": self.promoters, "passives %": self.passives,
            "detractors %": self.detractors, "n": self.n,
            "effective n": self.n_eff, "missing": self.n_missing,
        }, "NPS", float_format="{:.2f}")
        s.add_dict({"mean LTR": self.mean_ltr, "SE": self.mean_se,
                    f"{lvl} CI low (t)": self.mean_ci_low, f"{lvl} CI high (t)": self.mean_ci_high},
                   "Mean likelihood to recommend", float_format="{:.3f}")
        if not self.standard and not any(n.startswith("Non-standard NPS") for n in self.notes):
            s.add_note("Custom scale mapping: not a standard 0-10 NPS.")
        for note in self.notes:
            s.add_note(note)
        return s


def _mean_ci(s: _Scores, ci: float) -> tuple[float, float, float, float]:
    v = s.ltr
    if s.w is None:
        m = float(v.mean())
        n = len(v)
        sd = float(v.std(ddof=1)) if n > 1 else np.nan
        se = sd / np.sqrt(n)
        df = n - 1
    else:
        w = s.w / s.w.sum()
        m = float(np.sum(w * v))
        n = _kish(s.w)
        var = float(np.sum(w * (v - m) ** 2)) * n / max(n - 1, 1e-12)
        se = np.sqrt(var / n)
        df = max(n - 1, 1)
    t = stats.t.ppf(0.5 + ci / 2, df)
    return m, se, m - t * se, m + t * se


def _nps_core(s: _Scores, ci: float, method: str, n_boot: int, rng: np.random.Generator
              ) -> tuple[float, float, float, float, list[str]]:
    """Return (nps, se, lo, hi) on the proportion scale plus notes."""
    p, _, d = _shares(s)
    n = float(len(s.score)) if s.w is None else _kish(s.w)
    z = stats.norm.ppf(0.5 + ci / 2)
    est = p - d
    notes: list[str] = []
    if method == "wald":
        se = np.sqrt(_var1(p, d, n))
        lo, hi = est - z * se, est + z * se
    elif method == "adjusted_wald":
        p_t, d_t, n_t = _adjusted(p, d, n)
        se = np.sqrt(_var1(p_t, d_t, n_t))
        centre = p_t - d_t
        lo, hi = centre - z * se, centre + z * se
    else:  # bootstrap percentile
        m = len(s.score)
        if s.w is None:
            counts = rng.multinomial(m, [p, 1 - p - d, d], size=n_boot)
            boot = (counts[:, 0] - counts[:, 2]) / m
        else:
            boot = np.empty(n_boot)
            for b0 in range(0, n_boot, 200):
                b1 = min(n_boot, b0 + 200)
                idx = rng.integers(0, m, size=(b1 - b0, m))
                ww = s.w[idx]
                boot[b0:b1] = np.sum(ww * s.score[idx], axis=1) / ww.sum(axis=1)
        se = float(np.std(boot, ddof=1))
        lo, hi = percentile_interval(boot, ci)
    if p + d == 0 or p == 1 or d == 1:
        group = "passives" if p + d == 0 else ("promoters" if p == 1 else "detractors")
        msg = (f"All answers are {group}: the sampling variance of the NPS is estimated as 0. "
               + ("The adjusted-Wald interval (Rocks 2016) stays informative."
                  if method == "adjusted_wald"
                  else "The interval has zero width; use method='adjusted_wald'."))
        warnings.warn(msg, RingstatsWarning, stacklevel=3)
        notes.append(msg)
    if n < SMALL_N:
        msg = (f"Small sample (effective n = {n:.0f} < {SMALL_N}): the interval is a rough "
               "normal approximation.")
        warnings.warn(msg, RingstatsWarning, stacklevel=3)
        notes.append(msg)
    lo, hi = max(float(lo), -1.0), min(float(hi), 1.0)
    return float(est), float(se), lo, hi, notes


def _check_common(ci: Any, method: Any, n_boot: Any, seed: Any) -> tuple[float, str, int]:
    ci = check_probability(ci, "ci")
    method = check_option(method, "method", METHODS)
    n_boot = check_int(n_boot, "n_boot", min_value=100)
    check_seed(seed)
    return ci, method, n_boot


@renamed(ltr="outcome")
def nps(
    data: pd.DataFrame | pd.Series | np.ndarray | Sequence[float],
    *,
    outcome: str | None = None,
    weights: str | np.ndarray | None = None,
    ci: float = 0.95,
    method: str = "adjusted_wald",
    n_boot: int = 2000,
    seed: int | None = None,
    scale: Mapping[str, Sequence[float]] | None = None,
    spec: Any = None,
) -> NPSResult:
    """Net Promoter Score with a confidence interval (vendor statistic).

    The NPS is a vendor statistic (Bain & Company; Reichheld 2003): promoters (LTR 9-10)
    minus detractors (0-6), in percentage points. The mean LTR with its t interval is
    reported alongside because the trichotomy discards information.

    Parameters
    ----------
    data : DataFrame, Series or 1-D array
        Answers to the 0-10 likelihood-to-recommend question. Missing values (NaN) are dropped.
    outcome : str, optional
        Column of ``data`` holding LTR when ``data`` is a DataFrame (default ``"ltr"``, or
        the spec's LTR outcome). Formerly ``ltr=`` (deprecated alias, one release).
    weights : str or array, optional
        Survey weights (column name or array aligned with ``data``). Shares are weighted and
        the interval uses Kish's effective sample size ``(sum w)^2 / sum w^2``.
    ci : float, default 0.95
        Confidence level.
    method : {"adjusted_wald", "wald", "bootstrap"}
        ``"wald"``: ``est +/- z * sqrt((p + d - (p - d)^2) / n)``. ``"adjusted_wald"`` (default;
        Rocks 2016): the same formula after adding 3/4 to the promoter and detractor counts and
        3 to n; the interval is centred on the adjusted estimate. ``"bootstrap"``: percentile
        interval of ``n_boot`` resamples.
    n_boot : int, default 2000
        Bootstrap resamples (``method="bootstrap"`` only).
    seed : int, optional
        Seed of the bootstrap.
    scale : dict, optional
        For a scale other than 0-10: ``{"promoter": [...], "detractor": [...]}`` (optionally
        ``"passive": [...]``, then every value must be listed). Emits a
        :class:`~ringstats.errors.RingstatsWarning`: the result is not a standard NPS.
    spec : RingSpec, optional
        Takes the LTR column's scale, missing codes and NPS rule from the spec: the standard
        rule on a 0-10 outcome; on any other scale only an explicit ``nps:`` rule, and the
        result is labelled non-standard. Without a rule on a non-0-10 scale: an error.

    Returns
    -------
    NPSResult
        ``nps``, ``se``, ``ci_low``, ``ci_high`` (-100..100), shares in percent, ``n``,
        ``n_eff``, ``counts``, ``mean_ltr`` with ``mean_se``, ``mean_ci_low``, ``mean_ci_high``.

    Raises
    ------
    RingstatsError
        LTR values outside 0..10 (without ``scale``) or non-integer values; the message lists them.
    InsufficientDataError
        Fewer than 2 answers.

    Notes
    -----
    Variance of the difference of two multinomial proportions:
    ``Var(p_hat - d_hat) = (p + d - (p - d)^2) / n`` (equivalently the variance of the
    +1/0/-1 score divided by n). Worked example: 40% promoters, 20% detractors, n = 500 gives
    NPS 20 +/- 6.6 (Wald, 95%). Intervals are clipped to [-100, 100].

    Degenerate samples (all answers in one group) have an estimated variance of 0: a
    RingstatsWarning is raised; the Wald and bootstrap intervals then have zero width, the
    adjusted-Wald interval does not. Fewer than 30 (effective) answers also warn.

    References
    ----------
    Reichheld, F. F. (2003). The one number you need to grow. *HBR* 81(12), 46-54.
    Rocks, B. (2016). Interval estimation for the net promoter score. *The American
    Statistician* 70(4), 365-372. arXiv:1601.07235.

    Examples
    --------
    >>> import numpy as np
    >>> ltr = np.repeat([10, 8, 3], [200, 200, 100])
    >>> res = nps(ltr, method="wald")
    >>> round(res.nps, 1), round(res.ci_high - res.nps, 1)
    (20.0, 6.6)
    """
    ltr = outcome
    ci, method, n_boot = _check_common(ci, method, n_boot, seed)
    data, ltr, scale, rule_notes = _resolve_rule(data, spec, ltr, scale)
    s = _prepare(data, ltr, weights, scale)
    if spec is None and scale is None:
        _warn_if_short_scale(s, "data")
    rng = np.random.default_rng(seed)
    est, se, lo, hi, notes = _nps_core(s, ci, method, n_boot, rng)
    notes = list(rule_notes) + list(notes)
    p, q, d = _shares(s)
    m, mse, mlo, mhi = _mean_ci(s, ci)
    counts = pd.Series(
        [int((s.score == 1).sum()), int((s.score == 0).sum()), int((s.score == -1).sum())],
        index=pd.Index(["promoter", "passive", "detractor"], name="group"), name="count",
    )
    return NPSResult(
        nps=100 * est, se=100 * se, ci_low=100 * lo, ci_high=100 * hi,
        promoters=100 * p, passives=100 * q, detractors=100 * d,
        n=len(s.score), n_eff=float(len(s.score) if s.w is None else _kish(s.w)),
        n_missing=s.n_missing, counts=counts, mean_ltr=m, mean_se=mse, mean_ci_low=mlo,
        mean_ci_high=mhi, ci=ci, method=method, weighted=s.w is not None, standard=s.standard,
        notes=tuple(notes),
    )


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
    from statsmodels.stats.multitest import multipletests

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
    pv = out["p_val"].to_numpy(float)
    if p_adjust == "none":
        out["p_adj"] = pv
    else:
        ok = np.isfinite(pv)
        adj = np.full_like(pv, np.nan)
        if ok.any():
            adj[ok] = multipletests(pv[ok], method=p_adjust)[1]
        out["p_adj"] = adj
    out.attrs["standard"] = scale is None
    title = "NPS" if scale is None else "Non-standard NPS"
    how = "each vs the rest" if compare == "rest" else "pairwise"
    return as_result(out, f"{title} by {by} ({how}, {p_adjust}-adjusted)", rule_notes)


# ----------------------------------------------------------------------------------------
# sample size
# ----------------------------------------------------------------------------------------
def nps_sample_size(
    *,
    delta: float,
    promoters: float = 0.4,
    detractors: float = 0.2,
    power: float = 0.8,
    alpha: float = 0.05,
    ratio: float = 1.0,
    paired: bool = False,
    rho: float | None = None,
) -> pd.Series:
    """Respondents needed to detect a change of ``delta`` NPS points (vendor statistic).

    Parameters
    ----------
    delta : float
        Difference to detect, in NPS points (e.g. 10).
    promoters, detractors : float
        Baseline shares (proportions) of promoters and detractors; the same variance is
        assumed in both groups/waves.
    power : float, default 0.8
    alpha : float, default 0.05
        Two-sided significance level.
    ratio : float, default 1.0
        ``n_b / n_a`` for unequal groups (independent samples).
    paired : bool, default False
        Panel design: the same respondents in both waves.
    rho : float, optional
        Required when ``paired=True``: correlation of a respondent's +1/0/-1 scores between
        the two waves.

    Returns
    -------
    Series
        ``n_a``, ``n_b``, ``total`` (integers, rounded up), plus the inputs ``delta``,
        ``variance`` (of the +1/0/-1 score) and ``z_sum``.

    Notes
    -----
    Independent samples (Lewis & Sauro, MeasuringU): with ``V = p + d - (p - d)^2`` and
    ``Z = z_{1-alpha/2} + z_{power}``, ``n_a = Z^2 V (1 + 1/ratio) / Delta^2 - 3`` (the -3
    undoes the adjusted-Wald +3), ``n_b = ratio * n_a``. For ``ratio = 1`` this is
    ``n = s^2 Z^2 / Delta^2 - 3`` with ``s^2 = 2V``. Paired: ``n = Z^2 2V(1 - rho) / Delta^2``.
    Results are rounded up; the evidence table (e.g. 876 per wave for 40/20 and a 10-point
    change) rounds to the nearest integer, so values can differ by one.

    Examples
    --------
    >>> int(nps_sample_size(delta=10)["n_a"])
    877
    """
    delta = check_real(delta, "delta", min_value=0, inclusive=False)
    if delta > 200:
        raise RingstatsError(f"`delta` is in NPS points and must be <= 200; got {delta}.")
    p = check_real(promoters, "promoters", min_value=0, max_value=1)
    d = check_real(detractors, "detractors", min_value=0, max_value=1)
    if p + d > 1:
        raise RingstatsError(
            f"`promoters` + `detractors` must be <= 1; got {p} + {d} = {p + d:g}."
        )
    power = check_probability(power, "power")
    alpha = check_probability(alpha, "alpha")
    ratio = check_real(ratio, "ratio", min_value=0, inclusive=False)
    paired = check_bool(paired, "paired")
    var = p + d - (p - d) ** 2
    if var <= 0:
        raise RingstatsError(
            "The baseline shares give a score variance of 0 (all respondents in one group); "
            "choose shares strictly inside (0, 1)."
        )
    zs = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    dd = delta / 100.0
    if paired:
        if rho is None:
            raise RingstatsError("`rho` is required when `paired=True` (correlation of "
                                 "the +1/0/-1 scores between waves).")
        rho = check_real(rho, "rho", min_value=-1, max_value=1, inclusive=False)
        if ratio != 1.0:
            raise RingstatsError("`ratio` must be 1 when `paired=True`.")
        n_a = int(np.ceil(zs**2 * 2 * var * (1 - rho) / dd**2))
        n_b = n_a
        total = n_a
    else:
        n_a = int(max(np.ceil(zs**2 * var * (1 + 1 / ratio) / dd**2 - 3), 2))
        n_b = int(np.ceil(ratio * n_a))
        total = n_a + n_b
    return as_result(pd.Series({"n_a": n_a, "n_b": n_b, "total": total, "delta": delta,
                                "variance": var, "z_sum": zs}, name="nps_sample_size",
                               dtype=object), "NPS sample size (two-sample z-test)")
