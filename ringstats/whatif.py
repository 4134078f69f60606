"""What if a ring's scores moved? Predicted LTR and NPS under shifts of one ring.

:func:`what_if` fits the outcome (LTR, 0-10) on the three ring scores, shifts one
ring's scores by a given amount (clipped to the response scale), and predicts the
mean LTR and the NPS, with bootstrap confidence intervals, for each shift and ring.
It is a model-based scenario, not a causal forecast: it assumes the fitted curve is
the causal response and that the other rings stay where they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._kernels.progress import progress_iter
from ._kernels.regression import harrell_knots, ols, rcs_basis
from ._kernels.results import ResultMixin, Summary
from ._kernels.validation import (
    check_columns,
    check_dataframe,
    check_int,
    check_numeric,
    check_option,
    check_probability,
    check_seed,
)
from .errors import InsufficientDataError, RingstatsError
from .measurement._scores import ring_scores
from .spec import RingSpec

__all__ = ["what_if", "WhatIfResult"]

MODELS = ("spline", "linear")
UNITS = ("points", "sd")


@dataclass(frozen=True)
class WhatIfResult(ResultMixin):
    """Predicted outcome under shifts of one ring at a time.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per ring x shift: ``ring``, ``shift``, ``shift_points`` (in scale points),
        ``mean_ltr``, ``nps``, ``promoters``, ``detractors`` and ``delta_mean_ltr``,
        ``delta_nps`` (change from shift 0), each with ``_ci_low``/``_ci_high``
        (percentile bootstrap).
    model, unit, outcome : str
    n, n_boot : int
    ci : float
    observed : dict
        Observed mean LTR and NPS of the data used.
    """

    table: pd.DataFrame
    model: str
    unit: str
    outcome: str
    n: int
    n_boot: int
    ci: float
    observed: dict

    def summary(self) -> Summary:
        s = Summary(f"What if: {self.outcome} under ring-score shifts ({self.model} model, "
                    f"n = {self.n:,}, {self.n_boot} bootstrap replicates)")
        cols = ["ring", "shift", "mean_ltr", "nps", "delta_nps", "delta_nps_ci_low",
                "delta_nps_ci_high"]
        s.add_table(self.table[cols].set_index(["ring", "shift"]), "Predictions")
        s.add_dict(self.observed, "Observed")
        s.add_note("model-based scenario: assumes the fitted curve is causal and the other "
                   "rings stay fixed; NPS from predictions plus the empirical residuals.")
        return s


def _design(S: np.ndarray, knots: list[np.ndarray] | None) -> np.ndarray:
    cols = [np.ones(S.shape[0])]
    for j in range(S.shape[1]):
        cols.append(S[:, j])
        if knots is not None:
            cols.append(rcs_basis(S[:, j], knots[j]))
    return np.column_stack(cols)


def _shares(pred: np.ndarray, resid_sorted: np.ndarray) -> tuple[float, float]:
    """Promoter and detractor shares of round(pred_i + e_j) over all pairs (i, j).

    round(v) >= 9 iff v >= 8.5 and round(v) <= 6 iff v < 6.5 (clipping to 0-10 does not
    change either), so each share is a count of residuals beyond a threshold, found by
    binary search: exact over the n x n pairs in O(n log n).
    """
    m = resid_sorted.size
    n_prom = m - np.searchsorted(resid_sorted, 8.5 - pred, side="left")
    n_det = np.searchsorted(resid_sorted, 6.5 - pred, side="left")
    return float(n_prom.mean() / m), float(n_det.mean() / m)


def _predict_all(S: np.ndarray, y: np.ndarray, *, model: str, n_knots: int, ring_idx: list[int],
                 shifts_pts: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Array (len(ring_idx), len(shifts), 4): mean_ltr, nps, promoters, detractors."""
    knots = [harrell_knots(S[:, j], n_knots) for j in range(S.shape[1])] if model == "spline" \
        else None
    X = _design(S, knots)
    fit = ols(X, y, "nonrobust")
    res = np.sort(fit.resid)
    out = np.empty((len(ring_idx), shifts_pts.shape[1], 4))
    for a, j in enumerate(ring_idx):
        for b in range(shifts_pts.shape[1]):
            S2 = S.copy()
            S2[:, j] = np.clip(S[:, j] + shifts_pts[a, b], lo[j], hi[j])
            pred = _design(S2, knots) @ fit.beta
            prom, det = _shares(pred, res)
            out[a, b] = (np.clip(pred, 0, 10).mean(), 100 * (prom - det), prom, det)
    return out


def what_if(
    data: pd.DataFrame,
    *,
    spec: RingSpec,
    outcome: str | None = None,
    ring: int | Sequence[int] | None = None,
    shifts: Sequence[float] = (-0.5, -0.25, 0.0, 0.25, 0.5),
    unit: str = "points",
    model: str = "spline",
    n_knots: int = 4,
    n_boot: int = 200,
    ci: float = 0.95,
    seed: int | None = None,
    progress: bool | None = None,
) -> WhatIfResult:
    """Predicted mean LTR and NPS when one ring's scores shift, with bootstrap CIs.

    Parameters
    ----------
    data : pandas.DataFrame
        Survey data cleaned by ``spec.validate``.
    spec : RingSpec
        Ring scores come from :func:`ringstats._scores.ring_scores`.
    outcome : str, optional
        LTR column (0-10); default the spec's LTR.
    ring : int or list of int, optional
        Ring(s) to shift one at a time; default every ring of the spec.
    shifts : sequence of float
        Shifts of the ring score, in scale points (``unit="points"``) or in standard
        deviations of that ring score (``unit="sd"``). 0 is always added (the reference).
    unit : {"points", "sd"}
    model : {"spline", "linear"}
        Outcome model: OLS on the three ring scores, each entered as a restricted cubic
        spline with ``n_knots`` knots at Harrell's quantiles ("spline") or linearly.
    n_knots : int
    n_boot : int
        Bootstrap replicates (rows resampled, model refitted, predictions redone).
    ci : float
        Level of the percentile intervals.
    seed : int, optional
    progress : bool, optional
        Progress bar over the bootstrap (None: automatic).

    Returns
    -------
    WhatIfResult

    Notes
    -----
    For a shift ``s`` of ring ``r`` each respondent's ring-``r`` score becomes
    ``clip(score + s, scale min, scale max)``; the other rings are kept. The predicted
    **mean LTR** is the mean of the (0-10 clipped) predictions. The predicted **NPS**
    treats each respondent's LTR as ``round(prediction + e)`` with ``e`` drawn from the
    empirical distribution of the model's residuals (a smearing estimate, Duan 1983):
    the promoter share is the share of all (respondent, residual) pairs with
    ``prediction + e >= 8.5`` (rounds to 9 or 10), the detractor share those below 6.5.
    This keeps the ceiling and the spread of real answers and assumes homoscedastic
    residuals. Intervals are percentile bootstrap intervals (Efron & Tibshirani 1993);
    ``delta_*`` columns are changes from shift 0 within each replicate.

    Examples
    --------
    >>> import ringstats as rs
    >>> from ringstats.whatif import what_if
    >>> w = rs.draw("base", n=1000, seed=1)
    >>> res = what_if(w.spec.validate(w.customers), spec=w.spec, ring=3, shifts=[0.5],
    ...               n_boot=20, seed=1, progress=False)
    >>> float(res.table.query("shift == 0.5")["delta_nps"].iloc[0]) > 0
    True
    """
    check_dataframe(data)
    if not isinstance(spec, RingSpec):
        raise RingstatsError(f"`spec` must be a RingSpec; got {type(spec).__name__}.")
    if outcome is None:
        if spec.ltr is None:
            raise RingstatsError("`outcome` must be a column name; got None (and no spec LTR).")
        outcome = spec.ltr
    check_columns(data, [outcome], "outcome")
    check_numeric(data, [outcome], "outcome")
    check_option(model, "model", MODELS)
    check_option(unit, "unit", UNITS)
    n_knots = check_int(n_knots, "n_knots", min_value=3, max_value=7)
    n_boot = check_int(n_boot, "n_boot", min_value=0)
    ci = check_probability(ci, "ci")
    seed = check_seed(seed)
    rings_all = [r for r in sorted(spec.rings) if spec.rings[r]]
    if ring is None:
        rings = rings_all
    else:
        rings = [ring] if not isinstance(ring, Sequence) else list(ring)
        for r in rings:
            check_option(r, "ring", rings_all)
    try:
        sh = np.asarray(shifts, dtype=float).ravel()
    except (TypeError, ValueError):
        raise RingstatsError(f"`shifts` must be a list of numbers; got {shifts!r}.") from None
    if sh.size == 0 or not np.all(np.isfinite(sh)):
        raise RingstatsError(f"`shifts` must be a non-empty list of finite numbers; got "
                             f"{list(shifts)!r}.")
    sh = np.unique(np.r_[sh, 0.0])
    rs = ring_scores(data, spec=spec)
    cols = [f"ring{r}" for r in rings_all]
    d = pd.concat([rs[cols], data[outcome].astype(float)], axis=1).dropna()
    if len(d) < 50:
        raise InsufficientDataError(f"`data` must have at least 50 complete rows; got {len(d)}.")
    y = d[outcome].to_numpy()
    if y.min() < 0 or y.max() > 10:
        raise RingstatsError(f"`outcome` must be on the 0-10 LTR scale; got values from "
                             f"{y.min():g} to {y.max():g}.")
    S = d[cols].to_numpy()
    lo = np.array([min(spec.scale_of(i).min for c in spec.rings[r] for i in spec.construct(c).items)
                   for r in rings_all], dtype=float)
    hi = np.array([max(spec.scale_of(i).max for c in spec.rings[r] for i in spec.construct(c).items)
                   for r in rings_all], dtype=float)
    ring_idx = [rings_all.index(r) for r in rings]
    sd = S.std(axis=0, ddof=1)
    shifts_pts = np.array([sh * (sd[j] if unit == "sd" else 1.0) for j in ring_idx])
    kw = dict(model=model, n_knots=n_knots, ring_idx=ring_idx, shifts_pts=shifts_pts,
              lo=lo, hi=hi)
    est = _predict_all(S, y, **kw)
    i0 = int(np.flatnonzero(sh == 0.0)[0])
    rng = np.random.default_rng(seed)
    n = len(y)
    boots = []
    for _ in progress_iter(range(n_boot), total=n_boot, desc="what-if bootstrap",
                           enabled=progress):
        idx = rng.integers(0, n, n)
        try:
            boots.append(_predict_all(S[idx], y[idx], **kw))
        except InsufficientDataError:
            continue
    a = (1 - ci) / 2
    rows = []
    B = np.array(boots) if boots else None
    names = ["mean_ltr", "nps", "promoters", "detractors"]
    for ai, r in enumerate(rings):
        for bi, s in enumerate(sh):
            row: dict[str, Any] = {"ring": r, "shift": float(s),
                                   "shift_points": float(shifts_pts[ai, bi])}
            for k, nm in enumerate(names):
                row[nm] = est[ai, bi, k]
                if B is not None:
                    lo_, hi_ = np.quantile(B[:, ai, bi, k], [a, 1 - a])
                else:
                    lo_ = hi_ = np.nan
                row[f"{nm}_ci_low"], row[f"{nm}_ci_high"] = lo_, hi_
            for k, nm in ((0, "mean_ltr"), (1, "nps")):
                row[f"delta_{nm}"] = est[ai, bi, k] - est[ai, i0, k]
                if B is not None:
                    dd = B[:, ai, bi, k] - B[:, ai, i0, k]
                    lo_, hi_ = np.quantile(dd, [a, 1 - a])
                else:
                    lo_ = hi_ = np.nan
                row[f"delta_{nm}_ci_low"], row[f"delta_{nm}_ci_high"] = lo_, hi_
            rows.append(row)
    table = pd.DataFrame(rows)
    observed = {"mean LTR": float(y.mean()),
                "NPS": float(100 * ((y >= 9).mean() - (y <= 6).mean()))}
    return WhatIfResult(table=table, model=model, unit=unit, outcome=outcome, n=n,
                        n_boot=len(boots), ci=ci, observed=observed)
