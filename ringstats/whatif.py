"""What if a ring's scores moved? Predicted LTR and NPS (or the share of a binary outcome)
under shifts of one ring.

:func:`what_if` fits the outcome on the three ring scores, shifts one ring's scores by a
given amount (clipped to the response scale) and predicts the outcome's distribution, with
bootstrap confidence intervals, for each shift and ring. For a 0-10 likelihood to recommend
it reports the mean LTR and the NPS; for a binary outcome the predicted share of the
positive class. Predictions are calibrated: with no shift they reproduce the observed mean
LTR and NPS (or share) exactly. It is a model-based scenario, not a causal forecast: it
assumes the fitted curve is the causal response and that the other rings stay where they
are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from ._design import (
    clean_for,
    indistinct_pairs,
    numeric_frame,
    outcome_spec,
    outcome_vector,
    resolve_kind,
    warn_indistinct,
)
from ._kernels.bootstrap import one_blas_thread, percentile_interval
from ._kernels.progress import progress_iter
from ._kernels.regression import harrell_knots, logit, ols, rcs_basis
from ._kernels.results import ResultMixin, Summary
from ._kernels.validation import (
    check_int,
    check_option,
    check_probability,
    check_seed,
)
from .errors import ConvergenceError, InsufficientDataError, RingstatsError
from .measurement._scores import ring_scores
from .spec import RingSpec

__all__ = ["what_if", "WhatIfResult"]

MODELS = ("spline", "linear")
UNITS = ("points", "sd")
KINDS = ("continuous", "binary")
_LTR_NAMES = ["mean_ltr", "nps", "promoters", "detractors"]
_BIN_NAMES = ["share"]


@dataclass(frozen=True)
class WhatIfResult(ResultMixin):
    """Predicted outcome under shifts of one ring at a time.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per ring x shift: ``ring``, ``shift``, ``shift_points`` (in scale points)
        and, for a 0-10 outcome (``kind="continuous"``), ``mean_ltr``, ``nps``,
        ``promoters``, ``detractors`` and ``delta_mean_ltr``, ``delta_nps`` (change from
        shift 0); for a binary outcome ``share`` (predicted share of the positive class,
        0-1) and ``delta_share``. Each with ``_ci_low``/``_ci_high`` (percentile bootstrap).
    model, unit, outcome : str
    n, n_boot : int
    ci : float
    observed : dict
        Observed mean LTR and NPS (or share of the positive class) of the data used.
    kind : str
        ``"continuous"`` (LTR scale, NPS) or ``"binary"`` (probability scale).
    notes : list of str
    """

    table: pd.DataFrame
    model: str
    unit: str
    outcome: str
    n: int
    n_boot: int
    ci: float
    observed: dict
    kind: str = "continuous"
    notes: list = field(default_factory=list)

    def summary(self) -> Summary:
        s = Summary(f"What if: {self.outcome} under ring-score shifts ({self.model} model, "
                    f"n = {self.n:,}, {self.n_boot} bootstrap replicates)")
        if self.kind == "binary":
            cols = ["ring", "shift", "share", "share_ci_low", "share_ci_high", "delta_share",
                    "delta_share_ci_low", "delta_share_ci_high"]
        else:
            cols = ["ring", "shift", "mean_ltr", "nps", "delta_nps", "delta_nps_ci_low",
                    "delta_nps_ci_high"]
        s.add_table(self.table[cols].set_index(["ring", "shift"]), "Predictions")
        s.add_dict(self.observed, "Observed")
        if self.kind == "binary":
            s.add_note("model-based scenario: assumes the fitted curve is causal and the other "
                       "rings stay fixed; share = mean predicted probability of a logistic "
                       "model (equals the observed share at shift 0).")
        else:
            s.add_note("model-based scenario: assumes the fitted curve is causal and the other "
                       "rings stay fixed; each respondent keeps their own residual (answer = "
                       "observed answer + predicted change, rounded and clipped to the "
                       "scale), so shift 0 reproduces the observed mean and NPS.")
        for note in self.notes:
            s.add_note(note)
        return s


# ----------------------------------------------------------------------------------------
# computation
# ----------------------------------------------------------------------------------------
def _design(S: np.ndarray, knots: list[np.ndarray] | None) -> np.ndarray:
    cols = [np.ones(S.shape[0])]
    for j in range(S.shape[1]):
        cols.append(S[:, j])
        if knots is not None:
            cols.append(rcs_basis(S[:, j], knots[j]))
    return np.column_stack(cols)


def _ltr_parts(c: np.ndarray, lo: float, hi: float, integer: bool,
               promoters: Sequence[float] = (9, 10),
               detractors: Sequence[float] = (0, 1, 2, 3, 4, 5, 6)) -> tuple[float, ...]:
    """Mean, promoter and detractor shares of answers ``c`` on the scale [lo, hi].

    ``integer``: the answer is ``round(c + u)`` with ``u`` uniform on (-1/2, 1/2) (the
    answer's position inside its rounding cell), so it is ``floor(c)`` with probability
    ``1 - frac(c)`` and ``floor(c) + 1`` with probability ``frac(c)``; the expectations are
    exact, and ``c`` equal to an observed whole answer returns that answer. Promoters and
    detractors are the answers in ``promoters`` and ``detractors`` (the NPS rule).
    """
    if integer:
        f = np.floor(c)
        r = c - f
        v0, v1 = np.clip(f, lo, hi), np.clip(f + 1, lo, hi)
        mean = (1 - r) * v0 + r * v1
        prom = (1 - r) * np.isin(v0, promoters) + r * np.isin(v1, promoters)
        det = (1 - r) * np.isin(v0, detractors) + r * np.isin(v1, detractors)
    else:
        v = np.clip(c, lo, hi)
        mean, prom, det = v, np.isin(v, promoters), np.isin(v, detractors)
    return float(mean.mean()), float(np.mean(prom)), float(np.mean(det))


def _predict_all(S: np.ndarray, y: np.ndarray, *, kind: str, model: str, n_knots: int,
                 ring_idx: list[int], shifts_pts: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                 y_lo: float, y_hi: float, integer: bool,
                 promoters: Sequence[float] | None = None,
                 detractors: Sequence[float] | None = None) -> np.ndarray:
    """Array (len(ring_idx), len(shifts), m): mean_ltr, nps, promoters, detractors
    (continuous) or share (binary)."""
    knots = [harrell_knots(S[:, j], n_knots) for j in range(S.shape[1])] if model == "spline" \
        else None
    X = _design(S, knots)
    if kind == "binary":
        beta = logit(X, y)
    else:
        beta = ols(X, y, "nonrobust").beta
        fitted = X @ beta
    out = np.empty((len(ring_idx), shifts_pts.shape[1], 1 if kind == "binary" else 4))
    for a, j in enumerate(ring_idx):
        for b in range(shifts_pts.shape[1]):
            S2 = S.copy()
            S2[:, j] = np.clip(S[:, j] + shifts_pts[a, b], lo[j], hi[j])
            eta = _design(S2, knots) @ beta
            if kind == "binary":
                out[a, b, 0] = float(special.expit(eta).mean())
            else:
                # counterfactual answer: own answer plus the predicted change (own residual)
                mean, prom, det = _ltr_parts(y + (eta - fitted), y_lo, y_hi, integer,
                                             promoters or (), detractors or ())
                out[a, b] = (mean, 100 * (prom - det), prom, det)
    return out


# ----------------------------------------------------------------------------------------
# argument prelude (to be replaced by the design resolver)
# ----------------------------------------------------------------------------------------
@dataclass
class _Design:
    S: np.ndarray
    y: np.ndarray
    kind: str
    rings: list[int]
    ring_idx: list[int]
    sh: np.ndarray
    shifts_pts: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    y_lo: float
    y_hi: float
    integer: bool
    promoters: tuple[float, ...] | None
    detractors: tuple[float, ...] | None
    outcome: str
    label: str
    notes: list[str]


def _resolve(data: Any, spec: Any, outcome: Any, ring: Any, shifts: Any, unit: Any,
             kind: Any) -> _Design:
    """Checked input of :func:`what_if` through the one data path (``ringstats._design``):
    the spec's scales and missing codes, the outcome's kind, scale and NPS rule."""
    if not isinstance(spec, RingSpec):
        raise RingstatsError(f"`spec` must be a RingSpec; got {type(spec).__name__}.")
    od = outcome_spec(spec, outcome)
    declared = spec.outcome_spec(od.column) is not None
    frame = clean_for(data, spec, outcome=od.column)
    check_option(unit, "unit", UNITS)
    if kind is not None:
        check_option(kind, "kind", KINDS)
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
    notes: list[str] = list(warn_indistinct(
        indistinct_pairs(frame, spec, list(spec.construct_names)), analysis="what_if"))
    rs = ring_scores(frame, spec=spec)
    cols = [f"ring{r}" for r in rings_all]
    yraw = numeric_frame(frame, [od.column], role="outcome")[od.column]
    d = pd.concat([rs[cols], yraw], axis=1).dropna()
    if len(d) < 50:
        raise InsufficientDataError(f"`data` must have at least 50 complete rows; got {len(d)}.")
    y = d[od.column].to_numpy(dtype=float)
    binary01 = set(np.unique(y)) <= {0.0, 1.0}
    if kind is None:
        kind = resolve_kind(None, od, y, declared=declared)
        if kind == "continuous" and binary01:  # a declared rating holding only 0 and 1
            kind = "binary"
    if kind == "ordinal":
        kind = "continuous"
        notes.append("ordinal outcome: the linear model with each respondent's own residual, "
                      "rounded to the categories.")
    if kind == "continuous" and binary01:
        raise RingstatsError(f"`outcome` {od.column!r} holds only 0 and 1: use kind='binary' "
                             "(probability scale); an NPS of a 0/1 outcome is meaningless.")
    if od.scale is not None:
        y_lo, y_hi = float(od.scale.min), float(od.scale.max)
    else:
        y_lo, y_hi = float(y.min()), float(y.max())
    label = od.column
    promoters = detractors = None
    if kind == "binary":
        y, _, label = outcome_vector(y, od, "binary")
        notes.append(f"positive class: {label}.")
    else:
        rule = od.nps_rule
        if rule is None:
            notes.append(f"NPS not computed: {od.column} has no NPS rule (the standard rule "
                         "needs a 0-10 scale; declare `nps: {promoters: [...], detractors: "
                         "[...]}` in the spec for another scale).")
        else:
            promoters, detractors = rule.promoters, rule.detractors
            if not od.nps_standard:
                notes.append(f"non-standard NPS ({od.column} promoters "
                             f"{', '.join(f'{v:g}' for v in promoters)}, detractors "
                             f"{', '.join(f'{v:g}' for v in detractors)}): not comparable "
                             "with NPS benchmarks.")
    S = d[cols].to_numpy()
    lo = np.array([min(spec.scale_of(i).min for c in spec.rings[r] for i in spec.construct(c).items)
                   for r in rings_all], dtype=float)
    hi = np.array([max(spec.scale_of(i).max for c in spec.rings[r] for i in spec.construct(c).items)
                   for r in rings_all], dtype=float)
    ring_idx = [rings_all.index(r) for r in rings]
    sd = S.std(axis=0, ddof=1)
    shifts_pts = np.array([sh * (sd[j] if unit == "sd" else 1.0) for j in ring_idx])
    integer = bool(np.all(y == np.round(y)))
    if kind == "continuous" and promoters is not None and not integer:
        notes.append(f"NPS not computed: {od.column} holds values between the answer "
                     "categories.")
        promoters = detractors = None
    return _Design(S, y, kind, rings, ring_idx, sh, shifts_pts, lo, hi, y_lo, y_hi, integer,
                   promoters, detractors, od.column, label, notes)


# ----------------------------------------------------------------------------------------
# public function
# ----------------------------------------------------------------------------------------
def what_if(
    data: pd.DataFrame,
    *,
    spec: RingSpec,
    outcome: str | None = None,
    ring: int | Sequence[int] | None = None,
    shifts: Sequence[float] = (-0.5, -0.25, 0.0, 0.25, 0.5),
    unit: str = "points",
    model: str = "spline",
    kind: str | None = None,
    n_knots: int = 4,
    n_boot: int = 200,
    ci: float = 0.95,
    seed: int | None = None,
    progress: bool | None = None,
) -> WhatIfResult:
    """Predicted mean LTR and NPS (or share of a binary outcome) when one ring's scores
    shift, with bootstrap CIs.

    Parameters
    ----------
    data : pandas.DataFrame
        Survey data cleaned by ``spec.validate``.
    spec : RingSpec
        Ring scores come from :func:`ringstats._scores.ring_scores`.
    outcome : str, optional
        Outcome column; default the spec's LTR (0-10, or the spec's LTR scale).
    ring : int or list of int, optional
        Ring(s) to shift one at a time; default every ring of the spec.
    shifts : sequence of float
        Shifts of the ring score, in scale points (``unit="points"``) or in standard
        deviations of that ring score (``unit="sd"``). 0 is always added (the reference).
    unit : {"points", "sd"}
    model : {"spline", "linear"}
        Outcome model on the three ring scores, each entered as a restricted cubic spline
        with ``n_knots`` knots at Harrell's quantiles ("spline") or linearly: OLS for a
        0-10 outcome, logistic regression for a binary one.
    kind : {"continuous", "binary"}, optional
        ``"continuous"``: the 0-10 LTR, reported as mean LTR and NPS. ``"binary"``: a 0/1
        outcome (or promoter, LTR >= 9, of a 0-10 LTR), reported as the predicted share of
        the positive class. Default: binary when the outcome holds only 0 and 1.
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
    ``clip(score + s, scale min, scale max)``; the other rings are kept.

    *0-10 outcome.* Each respondent keeps their own residual: the counterfactual answer is
    ``y_i + (f(x_i') - f(x_i))``, the observed answer plus the model's predicted change
    (the abduction-action-prediction counterfactual of an additive-noise model; Pearl 2009,
    ch. 7), rounded to the scale with a uniform position inside the rounding cell and clipped
    to the scale. The predicted mean LTR, promoter share (9-10) and detractor share (0-6)
    are exact expectations over that rounding, so shift 0 returns the observed mean LTR and
    NPS exactly, and the ceiling (a 10 cannot rise) and the spread of real answers are kept
    without assuming homoscedastic residuals. (Pairing every prediction with every residual,
    the smearing estimate of Duan 1983 used before, assumes the residual distribution is
    the same at every prediction; with a ceiling it is not, and that estimate missed the
    observed NPS by several points at shift 0.)

    *Binary outcome.* A logistic model; the predicted share is the mean predicted
    probability, which at shift 0 equals the observed share (the score equation of the
    intercept).

    Intervals are percentile bootstrap intervals (Efron & Tibshirani 1993); ``delta_*``
    columns are changes from shift 0 within each replicate. Replicates run with one BLAS
    thread.

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
    check_option(model, "model", MODELS)
    n_knots = check_int(n_knots, "n_knots", min_value=3, max_value=7)
    n_boot = check_int(n_boot, "n_boot", min_value=0)
    ci = check_probability(ci, "ci")
    seed = check_seed(seed)
    dz = _resolve(data, spec, outcome, ring, shifts, unit, kind)
    return _what_if(dz, model=model, n_knots=n_knots, n_boot=n_boot, ci=ci, seed=seed,
                    unit=unit, progress=progress)


def _what_if(dz: _Design, *, model: str, n_knots: int, n_boot: int, ci: float,
             seed: int | None, unit: str, progress: bool | None) -> WhatIfResult:
    kw = dict(kind=dz.kind, model=model, n_knots=n_knots, ring_idx=dz.ring_idx,
              shifts_pts=dz.shifts_pts, lo=dz.lo, hi=dz.hi, y_lo=dz.y_lo, y_hi=dz.y_hi,
              integer=dz.integer, promoters=dz.promoters, detractors=dz.detractors)
    S, y = dz.S, dz.y
    est = _predict_all(S, y, **kw)
    i0 = int(np.flatnonzero(dz.sh == 0.0)[0])
    rng = np.random.default_rng(seed)
    n = len(y)
    boots = []
    with one_blas_thread():
        for _ in progress_iter(range(n_boot), total=n_boot, desc="what-if bootstrap",
                               enabled=progress):
            idx = rng.integers(0, n, n)
            try:
                boots.append(_predict_all(S[idx], y[idx], **kw))
            except (InsufficientDataError, ConvergenceError):
                continue
    B = np.array(boots) if boots else None
    binary = dz.kind == "binary"
    names = _BIN_NAMES if binary else _LTR_NAMES
    deltas = ((0, "share"),) if binary else ((0, "mean_ltr"), (1, "nps"))
    rows = []
    for ai, r in enumerate(dz.rings):
        for bi, s in enumerate(dz.sh):
            row: dict[str, Any] = {"ring": r, "shift": float(s),
                                   "shift_points": float(dz.shifts_pts[ai, bi])}
            for k, nm in enumerate(names):
                row[nm] = est[ai, bi, k]
                lo_, hi_ = (percentile_interval(B[:, ai, bi, k], ci) if B is not None
                            else (np.nan, np.nan))
                row[f"{nm}_ci_low"], row[f"{nm}_ci_high"] = lo_, hi_
            for k, nm in deltas:
                row[f"delta_{nm}"] = est[ai, bi, k] - est[ai, i0, k]
                lo_, hi_ = (percentile_interval(B[:, ai, bi, k] - B[:, ai, i0, k], ci)
                            if B is not None else (np.nan, np.nan))
                row[f"delta_{nm}_ci_low"], row[f"delta_{nm}_ci_high"] = lo_, hi_
            rows.append(row)
    table = pd.DataFrame(rows)
    if binary:
        observed = {"share positive": float(y.mean())}
    else:
        observed = {"mean LTR": float(y.mean()), "NPS": float("nan")}
        if dz.promoters is not None:
            observed["NPS"] = float(100 * (np.isin(y, dz.promoters).mean()
                                           - np.isin(y, dz.detractors).mean()))
        else:
            nps_cols = [c for c in table.columns
                        if c.startswith(("nps", "delta_nps", "promoters", "detractors"))]
            table[nps_cols] = np.nan
    return WhatIfResult(table=table, model=model, unit=unit, outcome=dz.outcome, n=n,
                        n_boot=len(boots), ci=ci, observed=observed, kind=dz.kind,
                        notes=list(dz.notes))
