"""One NPS with its interval (vendor statistic) and the mean LTR."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._kernels.bootstrap import percentile_interval
from .._kernels.dispatch import dispatch, is_moments
from .._kernels.results import ResultMixin, Summary
from .._kernels.validation import (
    check_int,
    check_option,
    check_probability,
    check_seed,
    renamed,
)
from ..errors import RingstatsWarning
from ._input import METHODS, SMALL_N, _kish, _prepare, _resolve_rule, _Scores, _warn_if_short_scale


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
    if is_moments(data):
        return dispatch("nps", data, ltr=ltr, weights=weights, ci=ci, method=method, n_boot=n_boot,
                        seed=seed, scale=scale, spec=spec)
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
