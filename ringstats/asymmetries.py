"""Asymmetric effects of attribute performance: split coding, PRCA, impact-asymmetry, Kano.

The three-ring argument says that the functional rings (1 and 2) behave like *basic*
factors: poor performance costs a lot, good performance earns little. This module gives the
standard tools to check that claim and to see how fragile the answer is:

* :func:`asymmetry` -- split coding around a neutral point with ``beta-`` and ``beta+`` per
  driver in one regression and a Wald test of ``beta- = beta+`` (Mittal, Ross & Baldasare
  1998), plus penalty-reward contrast analysis (PRCA; Brandt 1987) with low/high dummies.
* :func:`impact_asymmetry` -- reward and penalty from the dummy regression, the range of
  impact and the impact-asymmetry index (Mikulic & Prebezac 2008) with bootstrap intervals,
  a CI-aware basic / performance / excitement classification and a cut-off sensitivity grid
  (Albayrak & Caber 2013 show that classes change with cut-offs).
* :func:`kano` -- the Kano questionnaire (Kano et al. 1984) with the standard evaluation table
  and Berger et al.'s (1993) Better/Worse coefficients.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from ._kernels.progress import progress_iter
from ._kernels.regression import ols
from ._kernels.results import ResultMixin, Summary
from ._kernels.validation import (
    check_columns,
    check_dataframe,
    check_int,
    check_numeric,
    check_probability,
    check_real,
    check_seed,
)
from .errors import InsufficientDataError, RingstatsError, RingstatsWarning
from .measurement._scores import mean_scores
from .spec import RingSpec, blocks_of

__all__ = [
    "asymmetry",
    "impact_asymmetry",
    "kano",
    "AsymmetryResult",
    "IAResult",
    "KanoResult",
    "KANO_TABLE",
]

#: Fewest respondents a low or high dummy group may hold.
MIN_CELL = 10
_BATCH = 100


# ----------------------------------------------------------------------------------------
# shared preparation
# ----------------------------------------------------------------------------------------
@dataclass
class _Drivers:
    X: pd.DataFrame  # drivers, complete cases
    y: np.ndarray
    lo: dict[str, float]  # scale minimum per driver
    hi: dict[str, float]  # scale maximum per driver
    ring: dict[str, int] | None
    outcome: str


def _prepare(data: Any, outcome: Any, drivers: Any, spec: Any) -> _Drivers:
    frame = check_dataframe(data)
    if not isinstance(outcome, str):
        raise RingstatsError(f"`outcome` must be a column name; got {type(outcome).__name__}.")
    check_columns(frame, [outcome], "outcome")
    check_numeric(frame, [outcome], "outcome")
    ring: dict[str, int] | None = None
    lo: dict[str, float] = {}
    hi: dict[str, float] = {}
    if drivers is None and spec is None:
        raise RingstatsError("Give `drivers` (a list of columns) or `spec` (constructs); got neither.")
    if drivers is not None:
        cols = check_columns(frame, drivers, "drivers")
        if outcome in cols:
            raise RingstatsError(f"`drivers` must not include the outcome {outcome!r}.")
        check_numeric(frame, cols, "drivers")
        X = frame[cols].astype(float)
        if isinstance(spec, RingSpec):
            imap = spec.item_map()
            cnames = set(spec.construct_names)
            ring = {}
            for c in cols:
                if c in imap:
                    ring[c] = spec.ring_of(imap[c])
                    sc = spec.scale_of(c)
                    lo[c], hi[c] = float(sc.min), float(sc.max)
                elif c in cnames:
                    ring[c] = spec.ring_of(c)
                    sc = spec.scale_of(spec.construct(c).items[0])
                    lo[c], hi[c] = float(sc.min), float(sc.max)
            if len(ring) != len(cols):
                ring = None
    else:
        blocks = blocks_of(spec)
        X = mean_scores(frame, spec=spec)
        if isinstance(spec, RingSpec):
            ring = {c.name: c.ring for c in spec.constructs}
            for c in spec.constructs:
                sc = spec.scale_of(c.items[0])
                lo[c.name], hi[c.name] = float(sc.min), float(sc.max)
        X = X[list(blocks)]
    for c in X.columns:
        if c not in lo:
            lo[c], hi[c] = float(X[c].min()), float(X[c].max())
            if not hi[c] > lo[c]:
                raise InsufficientDataError(f"Driver {c!r} is constant; it cannot be analysed.")
    y = pd.to_numeric(frame[outcome], errors="coerce").astype(float)
    ok = X.notna().all(axis=1) & y.notna()
    X, yv = X.loc[ok], y.loc[ok].to_numpy(float)
    if len(yv) < 3 * X.shape[1] + 10:
        raise InsufficientDataError(
            f"`data` has {len(yv)} complete rows for {X.shape[1]} drivers; at least "
            f"{3 * X.shape[1] + 10} are needed."
        )
    return _Drivers(X, yv, lo, hi, ring, outcome)


def _per_driver(value: Any, names: Sequence[str], param: str, default: dict[str, float]
                ) -> dict[str, float]:
    if value is None:
        return dict(default)
    if isinstance(value, Mapping):
        unknown = [k for k in value if k not in names]
        if unknown:
            raise RingstatsError(f"`{param}` names unknown driver(s) {unknown}; drivers are "
                                 f"{list(names)}.")
        out = dict(default)
        for k, v in value.items():
            out[k] = check_real(v, f"{param}[{k!r}]")
        return out
    v = check_real(value, param)
    return {c: v for c in names}


def _dummies(d: _Drivers, low: dict[str, float], high: dict[str, float]
             ) -> tuple[np.ndarray, dict[str, tuple[int, int]]]:
    cols = [np.ones(len(d.y))]
    counts = {}
    for c in d.X.columns:
        x = d.X[c].to_numpy(float)
        if not low[c] < high[c]:
            raise RingstatsError(
                f"For driver {c!r} the low cut-off ({low[c]:g}) must be below the high cut-off "
                f"({high[c]:g})."
            )
        dl, dh = (x <= low[c]).astype(float), (x >= high[c]).astype(float)
        nl, nh = int(dl.sum()), int(dh.sum())
        if nl < MIN_CELL or nh < MIN_CELL or len(x) - nl - nh < MIN_CELL:
            raise InsufficientDataError(
                f"Driver {c!r}: the low group (<= {low[c]:g}) has {nl}, the high group "
                f"(>= {high[c]:g}) {nh} and the middle {len(x) - nl - nh} respondents; each "
                f"needs at least {MIN_CELL}. Change `low`/`high`."
            )
        cols += [dl, dh]
        counts[c] = (nl, nh)
    return np.column_stack(cols), counts


def _default_cuts(d: _Drivers, frac: float = 0.25) -> tuple[dict[str, float], dict[str, float]]:
    low = {c: d.lo[c] + frac * (d.hi[c] - d.lo[c]) for c in d.X.columns}
    high = {c: d.hi[c] - frac * (d.hi[c] - d.lo[c]) for c in d.X.columns}
    return low, high


# ----------------------------------------------------------------------------------------
# split coding and PRCA
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class AsymmetryResult(ResultMixin):
    """Split-coding slopes (``split``) and PRCA penalties/rewards (``prca``) per driver."""

    split: pd.DataFrame
    prca: pd.DataFrame
    r2_split: float
    r2_prca: float
    n: int
    outcome: str
    ci: float

    def summary(self) -> Summary:
        s = Summary(f"Asymmetry of driver effects on {self.outcome} (n = {self.n})")
        s.add_table(self.split, f"Split coding around the neutral point (R2 = {self.r2_split:.3f});"
                    " diff = beta_neg - beta_pos")
        s.add_table(self.prca, f"Penalty-reward contrasts (R2 = {self.r2_prca:.3f}); "
                    "asym = reward + penalty")
        s.add_note("Mittal, Ross & Baldasare (1998) split coding; Brandt (1987) PRCA. A positive "
                   "diff (negative asym) means losses weigh more than gains (basic factor).")
        return s


def asymmetry(
    data: pd.DataFrame,
    *,
    outcome: str,
    drivers: Sequence[str] | None = None,
    spec: RingSpec | Mapping[str, Sequence[str]] | None = None,
    neutral: float | Mapping[str, float] | None = None,
    low: float | Mapping[str, float] | None = None,
    high: float | Mapping[str, float] | None = None,
    ci: float = 0.95,
) -> AsymmetryResult:
    """Test whether drivers act asymmetrically: split coding and penalty-reward contrasts.

    Parameters
    ----------
    data : DataFrame
        Cleaned data (``spec.validate`` first when the data come with missing codes).
    outcome : str
        Outcome column (e.g. ``"sat"`` or ``"ltr"``).
    drivers : list of str, optional
        Driver columns. Without it, ``spec`` gives construct mean scores as drivers.
    spec : RingSpec or dict, optional
        Constructs (mean scores, :func:`ringstats._scores.mean_scores`) and their scales/rings.
    neutral : float or dict, optional
        Neutral point per driver; default the scale midpoint (from the spec, otherwise the
        midpoint of the observed range).
    low, high : float or dict, optional
        PRCA cut-offs: ``D_low = 1`` if ``x <= low``, ``D_high = 1`` if ``x >= high``, the
        middle is the reference. Default: a quarter of the scale range in from each end
        (2 and 4 on a 1-5 scale). Brandt's top-box variant is ``high=5``.
    ci : float, default 0.95

    Returns
    -------
    AsymmetryResult
        ``split``: per driver ``ring, neutral, beta_neg, se_neg, beta_pos, se_pos, diff, diff_se,
        ci_low, ci_high, t, p_val, n_below, n_above`` (diff = beta_neg - beta_pos; H0: 0).
        ``prca``: per driver ``ring, low, high, n_low, n_high, penalty, penalty_se, reward,
        reward_se, asym, asym_se, ci_low, ci_high, t, p_val`` (asym = reward + penalty; H0: 0).

    Notes
    -----
    Split coding (Mittal, Ross & Baldasare 1998): ``x- = min(x - m, 0)``,
    ``x+ = max(x - m, 0)``; all drivers' ``x-`` and ``x+`` enter one OLS regression, and
    ``beta- = beta+`` is tested with the t statistic of the contrast (classical OLS covariance;
    equals the 1-df Wald F). PRCA (Brandt 1987; Matzler & Sauerwein 2002):
    ``y = b0 + sum_k (pi_k D_low,k + rho_k D_high,k) + e``; penalty ``pi_k`` (expected
    negative), reward ``rho_k``; H0 ``rho_k + pi_k = 0``. With correlated drivers the
    coefficients are partial effects and can be unstable; see :func:`impact_asymmetry` for
    bootstrap intervals and the cut-off sensitivity.

    References
    ----------
    Mittal, V., Ross, W. T., & Baldasare, P. M. (1998). The asymmetric impact of negative and
    positive attribute-level performance. *Journal of Marketing* 62(1), 33-47.
    Brandt, D. R. (1987). A procedure for identifying value-enhancing service components using
    customer satisfaction survey data. In Surprenant (ed.), *Add Value to Your Service*, AMA.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=2000, seed=1)
    >>> res = asymmetry(w.spec.validate(w.customers), outcome="ltr", spec=w.spec)
    >>> list(res.split.index)
    ['product', 'value', 'speed', 'ease', 'seen', 'trust']
    """
    ci = check_probability(ci, "ci")
    d = _prepare(data, outcome, drivers, spec)
    names = list(d.X.columns)
    mid = {c: (d.lo[c] + d.hi[c]) / 2 for c in names}
    m = _per_driver(neutral, names, "neutral", mid)
    dl, dh = _default_cuts(d)
    low_c = _per_driver(low, names, "low", dl)
    high_c = _per_driver(high, names, "high", dh)
    tcrit = None
    # split coding
    cols = [np.ones(len(d.y))]
    nb, na = {}, {}
    for c in names:
        x = d.X[c].to_numpy(float) - m[c]
        nb[c], na[c] = int((x < 0).sum()), int((x > 0).sum())
        if nb[c] < MIN_CELL or na[c] < MIN_CELL:
            raise InsufficientDataError(
                f"Driver {c!r}: {nb[c]} respondents below and {na[c]} above the neutral point "
                f"{m[c]:g}; each side needs at least {MIN_CELL}. Change `neutral`."
            )
        cols += [np.minimum(x, 0), np.maximum(x, 0)]
    Xs = np.column_stack(cols)
    fit = ols(Xs, d.y)
    beta, cov, r2s, df = fit.beta, fit.cov, fit.r2, fit.df_resid
    tcrit = stats.t.ppf(0.5 + ci / 2, df)
    rows = []
    for j, c in enumerate(names):
        i_n, i_p = 1 + 2 * j, 2 + 2 * j
        diff = beta[i_n] - beta[i_p]
        se = np.sqrt(cov[i_n, i_n] + cov[i_p, i_p] - 2 * cov[i_n, i_p])
        t = diff / se
        rows.append({
            "ring": d.ring.get(c) if d.ring else np.nan, "neutral": m[c],
            "beta_neg": beta[i_n], "se_neg": np.sqrt(cov[i_n, i_n]),
            "beta_pos": beta[i_p], "se_pos": np.sqrt(cov[i_p, i_p]),
            "diff": diff, "diff_se": se, "ci_low": diff - tcrit * se, "ci_high": diff + tcrit * se,
            "t": t, "p_val": 2 * stats.t.sf(abs(t), df), "n_below": nb[c], "n_above": na[c],
        })
    split = pd.DataFrame(rows, index=pd.Index(names, name="driver"))
    # PRCA
    Xd, counts = _dummies(d, low_c, high_c)
    fit = ols(Xd, d.y)
    beta, cov, r2p, df = fit.beta, fit.cov, fit.r2, fit.df_resid
    tcrit = stats.t.ppf(0.5 + ci / 2, df)
    rows = []
    for j, c in enumerate(names):
        i_l, i_h = 1 + 2 * j, 2 + 2 * j
        asym = beta[i_h] + beta[i_l]
        se = np.sqrt(cov[i_l, i_l] + cov[i_h, i_h] + 2 * cov[i_l, i_h])
        t = asym / se
        rows.append({
            "ring": d.ring.get(c) if d.ring else np.nan, "low": low_c[c], "high": high_c[c],
            "n_low": counts[c][0], "n_high": counts[c][1],
            "penalty": beta[i_l], "penalty_se": np.sqrt(cov[i_l, i_l]),
            "reward": beta[i_h], "reward_se": np.sqrt(cov[i_h, i_h]),
            "asym": asym, "asym_se": se, "ci_low": asym - tcrit * se, "ci_high": asym + tcrit * se,
            "t": t, "p_val": 2 * stats.t.sf(abs(t), df),
        })
    prca = pd.DataFrame(rows, index=pd.Index(names, name="driver"))
    if d.ring is None:
        split = split.drop(columns="ring")
        prca = prca.drop(columns="ring")
    return AsymmetryResult(split=split, prca=prca, r2_split=r2s, r2_prca=r2p, n=len(d.y),
                           outcome=d.outcome, ci=ci)


# ----------------------------------------------------------------------------------------
# impact-asymmetry
# ----------------------------------------------------------------------------------------
def _ia_from_beta(beta: np.ndarray, k: int) -> dict[str, np.ndarray]:
    """Penalty, reward, RIOCS, SGP, DGP, IA from dummy coefficients (last axis)."""
    pen = beta[..., 1::2][..., :k]
    rew = beta[..., 2::2][..., :k]
    # a coefficient with the unexpected sign counts as no impact (documented in Notes)
    r_pos = np.maximum(rew, 0.0)
    p_abs = np.maximum(-pen, 0.0)
    riocs = r_pos + p_abs
    with np.errstate(invalid="ignore", divide="ignore"):
        sgp = np.where(riocs > 0, r_pos / riocs, np.nan)
        dgp = np.where(riocs > 0, p_abs / riocs, np.nan)
    return {"penalty": pen, "reward": rew, "riocs": riocs, "sgp": sgp, "dgp": dgp,
            "ia": sgp - dgp}


def _classify(ia_lo: float, ia_hi: float, threshold: float) -> str:
    if ia_hi < -threshold:
        return "basic"
    if ia_lo > threshold:
        return "excitement"
    if ia_lo > -threshold and ia_hi < threshold:
        return "performance"
    return "unclear"


def _classify_point(ia: float, threshold: float) -> str:
    if not np.isfinite(ia):
        return "unclear"
    if ia < -threshold:
        return "basic"
    if ia > threshold:
        return "excitement"
    return "performance"


@dataclass(frozen=True)
class IAResult(ResultMixin):
    """Impact-asymmetry analysis: per-driver table, class, sensitivity grid and stability."""

    table: pd.DataFrame
    sensitivity: pd.DataFrame
    stability: pd.DataFrame
    threshold: float
    n: int
    n_boot: int
    ci: float
    outcome: str
    has_rings: bool

    def summary(self) -> Summary:
        s = Summary(f"Impact-asymmetry on {self.outcome} (n = {self.n}, {self.n_boot} bootstraps)")
        cols = [c for c in ["ring", "penalty", "reward", "riocs", "ia", "ia_ci_low", "ia_ci_high",
                            "cls", "cls_point"] if c in self.table.columns]
        s.add_table(self.table[cols], "Reward, penalty, range of impact and IA")
        s.add_table(self.stability, "Cut-off sensitivity: share of grid cells with the main class")
        s.add_note(f"Classes (threshold {self.threshold:g}): basic when the whole {100*self.ci:g}% "
                   "CI of IA is below -threshold, excitement when above +threshold, performance "
                   "when inside (-threshold, threshold), otherwise unclear.")
        return s


def _grid_values(lo: float, hi: float, which: str) -> list[float]:
    r = hi - lo
    if which == "low":
        return [lo + f * r for f in (0.125, 0.25, 0.375)]
    return [hi - f * r for f in (0.375, 0.25, 0.125)]


def impact_asymmetry(
    data: pd.DataFrame,
    *,
    outcome: str,
    drivers: Sequence[str] | None = None,
    spec: RingSpec | Mapping[str, Sequence[str]] | None = None,
    low: float | Mapping[str, float] | None = None,
    high: float | Mapping[str, float] | None = None,
    threshold: float = 0.2,
    n_boot: int = 1000,
    ci: float = 0.95,
    seed: int | None = None,
    sensitivity: bool = True,
    rings: Mapping[str, int] | None = None,
    progress: bool | None = None,
) -> IAResult:
    """Impact-asymmetry analysis with bootstrap intervals and a cut-off sensitivity grid.

    Parameters
    ----------
    data : DataFrame
    outcome : str
    drivers : list of str, optional
    spec : RingSpec or dict, optional
        Constructs as drivers (mean scores); gives rings for colouring the plot.
    low, high : float or dict, optional
        Dummy cut-offs as in :func:`asymmetry` (default: a quarter of the range in from each
        end of the scale; 2 and 4 on 1-5).
    threshold : float, default 0.2
        ``|IA|`` beyond which a factor is called basic (IA < -threshold) or excitement
        (IA > threshold). The 0.2 default is a convention of applied IA studies, not a
        statistical constant; pre-register it.
    n_boot : int, default 1000
        Case-resampling bootstrap replicates (percentile intervals).
    ci : float, default 0.95
    seed : int, optional
    sensitivity : bool, default True
        Also refit (point estimates) over a 3 x 3 grid of low/high cut-offs.
    rings : dict, optional
        Ring (1, 2 or 3) of each driver, e.g. for ring scores as drivers; overrides the rings
        taken from ``spec`` and colours the plot.
    progress : bool, optional
        Progress bar (None: automatic).

    Returns
    -------
    IAResult
        ``table`` per driver: ``ring, low, high, n_low, n_high, penalty, reward, riocs, sgp,
        dgp, ia`` with ``*_ci_low/_ci_high`` for penalty, reward, riocs and ia, ``sign_ok``,
        ``cls`` (CI-aware class) and ``cls_point`` (class of the point estimate).
        ``sensitivity``: one row per driver and grid cell (``low, high, ia, cls_point``).
        ``stability``: per driver the share of grid cells whose point class equals the main
        point class, and the number of distinct classes.

    Notes
    -----
    Definitions (Mikulic & Prebezac 2008, *Managing Service Quality*): with reward ``rho``
    and penalty ``pi`` from the dummy regression of :func:`asymmetry`,
    ``RIOCS = rho + |pi|`` (range of impact on customer satisfaction),
    ``SGP = rho / RIOCS`` (satisfaction-generating potential),
    ``DGP = |pi| / RIOCS`` (dissatisfaction-generating potential) and
    ``IA = SGP - DGP`` in [-1, 1] (+1 pure satisfier, -1 pure dissatisfier, 0 hybrid).

    CI-aware rule: ``basic`` if the upper CI bound of IA is below ``-threshold``,
    ``excitement`` if the lower bound is above ``threshold``, ``performance`` if the whole
    interval lies inside ``(-threshold, threshold)``, else ``unclear``. IA assumes a
    non-positive penalty and a non-negative reward; a coefficient with the other sign is
    counted as zero impact before RIOCS, SGP and DGP are formed (in the point estimate and
    in every bootstrap replicate), and ``sign_ok`` is False for that driver (the raw
    ``penalty`` and ``reward`` are reported). If both have the wrong sign, IA is undefined
    and the class ``unclear``. Albayrak & Caber (2013) show that classes depend on cut-offs and
    coding; the sensitivity grid reports how often the point class changes.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=2000, seed=1)
    >>> res = impact_asymmetry(w.spec.validate(w.customers), outcome="ltr", spec=w.spec,
    ...                        n_boot=100, seed=1)
    >>> res.table.loc["product", "cls"] in {"basic", "performance", "excitement", "unclear"}
    True
    """
    ci = check_probability(ci, "ci")
    n_boot = check_int(n_boot, "n_boot", min_value=50)
    seed = check_seed(seed)
    threshold = check_real(threshold, "threshold", min_value=0, max_value=1, inclusive=False)
    if not isinstance(sensitivity, bool):
        raise RingstatsError(f"`sensitivity` must be True or False; got {sensitivity!r}.")
    d = _prepare(data, outcome, drivers, spec)
    names = list(d.X.columns)
    if rings is not None:
        if not isinstance(rings, Mapping) or set(rings) != set(names) or any(
                r not in (1, 2, 3) for r in rings.values()):
            raise RingstatsError(
                f"`rings` must map every driver {names} to 1, 2 or 3; got {rings!r}."
            )
        d.ring = {c: int(rings[c]) for c in names}
    k = len(names)
    dl, dh = _default_cuts(d)
    low_c = _per_driver(low, names, "low", dl)
    high_c = _per_driver(high, names, "high", dh)
    X, counts = _dummies(d, low_c, high_c)
    beta = ols(X, d.y).beta
    est = _ia_from_beta(beta, k)
    # bootstrap (case resampling via multinomial weights, batched normal equations)
    rng = np.random.default_rng(seed)
    n = len(d.y)
    boots = {key: np.empty((n_boot, k)) for key in ("penalty", "reward", "riocs", "ia")}
    n_bad = 0
    batches = range(0, n_boot, _BATCH)
    for b0 in progress_iter(batches, total=len(batches), desc="impact-asymmetry bootstrap",
                            enabled=progress):
        b1 = min(n_boot, b0 + _BATCH)
        W = rng.multinomial(n, np.full(n, 1.0 / n), size=b1 - b0).astype(float)
        A = W[:, :, None] * X[None, :, :]
        XtWX = np.matmul(A.transpose(0, 2, 1), X)
        XtWy = np.matmul(A.transpose(0, 2, 1), d.y)
        try:
            bb = np.linalg.solve(XtWX, XtWy[..., None])[..., 0]
        except np.linalg.LinAlgError:
            bb = np.stack([np.linalg.lstsq(XtWX[i], XtWy[i], rcond=None)[0]
                           for i in range(b1 - b0)])
            n_bad += 1
        ib = _ia_from_beta(bb, k)
        for key in boots:
            boots[key][b0:b1] = ib[key]
    if n_bad:
        warnings.warn(f"{n_bad} bootstrap batch(es) had a singular design (an empty dummy "
                      "group); least squares was used.", RingstatsWarning, stacklevel=2)
    a = (1 - ci) / 2
    rows = []
    for j, c in enumerate(names):
        row: dict[str, Any] = {"ring": d.ring.get(c) if d.ring else np.nan,
                               "low": low_c[c], "high": high_c[c],
                               "n_low": counts[c][0], "n_high": counts[c][1]}
        for key in ("penalty", "reward", "riocs", "sgp", "dgp", "ia"):
            row[key] = float(est[key][j])
        for key in ("penalty", "reward", "riocs", "ia"):
            vals = boots[key][:, j]
            vals = vals[np.isfinite(vals)]
            lo_, hi_ = np.quantile(vals, [a, 1 - a]) if vals.size else (np.nan, np.nan)
            row[f"{key}_ci_low"], row[f"{key}_ci_high"] = float(lo_), float(hi_)
        row["sign_ok"] = bool(row["penalty"] <= 0 and row["reward"] >= 0)
        row["cls"] = (_classify(row["ia_ci_low"], row["ia_ci_high"], threshold)
                      if np.isfinite(row["ia"]) else "unclear")
        row["cls_point"] = _classify_point(row["ia"], threshold)
        rows.append(row)
    table = pd.DataFrame(rows, index=pd.Index(names, name="driver"))
    if d.ring is None:
        table = table.drop(columns="ring")
    # sensitivity grid (point estimates)
    sens_rows = []
    if sensitivity:
        lows = {c: _grid_values(d.lo[c], d.hi[c], "low") for c in names}
        highs = {c: _grid_values(d.lo[c], d.hi[c], "high") for c in names}
        for i in range(3):
            for jj in range(3):
                lc = {c: lows[c][i] for c in names}
                hc = {c: highs[c][jj] for c in names}
                try:
                    Xg, _ = _dummies(d, lc, hc)
                    bg = ols(Xg, d.y).beta
                except InsufficientDataError:
                    continue
                eg = _ia_from_beta(bg, k)
                for j, c in enumerate(names):
                    ia = float(eg["ia"][j])
                    sens_rows.append({"driver": c, "low": lc[c], "high": hc[c], "ia": ia,
                                      "cls_point": _classify_point(ia, threshold)})
    sens = pd.DataFrame(sens_rows, columns=["driver", "low", "high", "ia", "cls_point"])
    stab = []
    for c in names:
        sub = sens[sens["driver"] == c]
        main = table.loc[c, "cls_point"]
        stab.append({"driver": c, "cls_point": main, "n_cells": len(sub),
                     "share_same": float((sub["cls_point"] == main).mean()) if len(sub) else np.nan,
                     "n_classes": int(sub["cls_point"].nunique()) if len(sub) else 0})
    stability = pd.DataFrame(stab).set_index("driver")
    return IAResult(table=table, sensitivity=sens, stability=stability, threshold=threshold,
                    n=n, n_boot=n_boot, ci=ci, outcome=d.outcome, has_rings=d.ring is not None)


# ----------------------------------------------------------------------------------------
# Kano
# ----------------------------------------------------------------------------------------
ANSWERS = ("like", "expect", "neutral", "live_with", "dislike")
#: Kano evaluation table (Kano et al. 1984; Berger et al. 1993): rows = functional answer,
#: columns = dysfunctional answer, both in the order of ``ANSWERS``.
KANO_TABLE = pd.DataFrame(
    [["Q", "A", "A", "A", "O"],
     ["R", "I", "I", "I", "M"],
     ["R", "I", "I", "I", "M"],
     ["R", "I", "I", "I", "M"],
     ["R", "R", "R", "R", "Q"]],
    index=pd.Index(ANSWERS, name="functional"), columns=pd.Index(ANSWERS, name="dysfunctional"),
)
CLASSES = ("A", "O", "M", "I", "R", "Q")
CLASS_NAMES = {"A": "attractive", "O": "one-dimensional", "M": "must-be", "I": "indifferent",
               "R": "reverse", "Q": "questionable"}


@dataclass(frozen=True)
class KanoResult(ResultMixin):
    """Kano classification: per-respondent classes, counts and Better/Worse per feature."""

    classes: pd.DataFrame
    table: pd.DataFrame

    def summary(self) -> Summary:
        s = Summary("Kano questionnaire evaluation")
        s.add_table(self.table, "Class counts, majority category and Better/Worse")
        s.add_note("A attractive, O one-dimensional, M must-be, I indifferent, R reverse, "
                   "Q questionable (Kano et al. 1984). Better = (A+O)/(A+O+M+I), "
                   "Worse = -(O+M)/(A+O+M+I) (Berger et al. 1993).")
        return s


def _answer_map(answers: Any) -> dict[Any, str]:
    if answers is None:
        return {1: "like", 2: "expect", 3: "neutral", 4: "live_with", 5: "dislike",
                **{a: a for a in ANSWERS}}
    if isinstance(answers, Mapping):
        bad = sorted({str(v) for v in answers.values() if v not in ANSWERS})
        if bad:
            raise RingstatsError(f"`answers` must map codes to {list(ANSWERS)}; got {bad}.")
        return dict(answers)
    if isinstance(answers, Sequence) and not isinstance(answers, str) and len(answers) == 5:
        return dict(zip(answers, ANSWERS, strict=True))
    raise RingstatsError(
        "`answers` must be None, a dict code -> one of "
        f"{list(ANSWERS)}, or a list of the 5 codes in that order; got {answers!r}."
    )


def kano(
    data: pd.DataFrame,
    *,
    functional: Sequence[str] | Mapping[str, str],
    dysfunctional: Sequence[str] | Mapping[str, str],
    answers: Mapping[Any, str] | Sequence[Any] | None = None,
) -> KanoResult:
    """Evaluate a Kano questionnaire: A/O/M/I/R/Q per respondent and feature, Better/Worse.

    Parameters
    ----------
    data : DataFrame
        One row per respondent.
    functional, dysfunctional : list of str or dict
        Columns with the answers to the functional ("if the feature is present") and
        dysfunctional ("if it is absent") question, in the same feature order. A dict maps
        feature name -> column (same keys in both); with lists the feature is named by the
        functional column.
    answers : dict or list, optional
        How the data code the five answers. Default: 1 = like, 2 = expect (must be),
        3 = neutral, 4 = live with, 5 = dislike, and the strings ``"like"``, ``"expect"``,
        ``"neutral"``, ``"live_with"``, ``"dislike"``. A list gives the five codes in that
        order. Missing answers (NaN) give a missing class.

    Returns
    -------
    KanoResult
        ``classes``: respondents x features (A, O, M, I, R, Q or missing). ``table`` per
        feature: counts ``A, O, M, I, R, Q``, ``n``, ``category`` (most frequent class, ties
        joined with "/"), ``better``, ``worse``.

    Raises
    ------
    RingstatsError
        An answer outside the coded set; the message names the feature and the bad values.

    Notes
    -----
    Evaluation table: see :data:`KANO_TABLE` (Kano, Seraku, Takahashi & Tsuji 1984; Berger et
    al. 1993). ``Better = (A + O) / (A + O + M + I)``, ``Worse = -(O + M) / (A + O + M + I)``
    (Berger et al. 1993). Classes are known to drift over a product's life (attractive ->
    one-dimensional -> must-be).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"f": [1, 2, 1], "d": [5, 5, 3]})
    >>> kano(df, functional=["f"], dysfunctional=["d"]).table["category"].iloc[0]
    'A/M/O'
    """
    frame = check_dataframe(data)
    if isinstance(functional, Mapping) != isinstance(dysfunctional, Mapping):
        raise RingstatsError("`functional` and `dysfunctional` must both be lists or both dicts.")
    if isinstance(functional, Mapping):
        if list(functional) != list(dysfunctional):
            raise RingstatsError("`functional` and `dysfunctional` must have the same feature "
                                 f"keys in the same order; got {list(functional)} and "
                                 f"{list(dysfunctional)}.")
        feats = [str(k) for k in functional]
        fcols = check_columns(frame, list(functional.values()), "functional")
        dcols = check_columns(frame, list(dysfunctional.values()), "dysfunctional")
    else:
        fcols = check_columns(frame, functional, "functional")
        dcols = check_columns(frame, dysfunctional, "dysfunctional")
        if len(fcols) != len(dcols):
            raise RingstatsError(f"`functional` and `dysfunctional` must have the same length; "
                                 f"got {len(fcols)} and {len(dcols)}.")
        feats = list(fcols)
    amap = _answer_map(answers)
    classes = {}
    for feat, fc, dc in zip(feats, fcols, dcols, strict=True):
        coded = []
        for col, role in ((fc, "functional"), (dc, "dysfunctional")):
            raw = frame[col]
            mapped = raw.map(lambda v: amap.get(v, amap.get(_num(v), None)) if pd.notna(v) else np.nan)
            bad = raw[raw.notna() & mapped.isna()].unique()
            if len(bad):
                raise RingstatsError(
                    f"Feature {feat!r} ({role} column {col!r}) has answers outside the coded set: "
                    f"{[_num(b) for b in bad][:8]}. Allowed: {sorted(map(str, amap))}."
                )
            coded.append(mapped)
        f_ans, d_ans = coded
        cls = [KANO_TABLE.loc[a, b] if isinstance(a, str) and isinstance(b, str) else np.nan
               for a, b in zip(f_ans, d_ans, strict=True)]
        classes[feat] = pd.Series(cls, index=frame.index, dtype=object)
    cdf = pd.DataFrame(classes)
    rows = []
    for feat in feats:
        cnt = cdf[feat].value_counts().reindex(list(CLASSES), fill_value=0)
        tot = int(cnt.sum())
        base = cnt["A"] + cnt["O"] + cnt["M"] + cnt["I"]
        if tot:
            top = cnt[cnt == cnt.max()].index.tolist()
            category = "/".join(sorted(top))
        else:
            category = "none"
        row = {c: int(cnt[c]) for c in CLASSES}
        row.update({"n": tot, "category": category,
                    "better": (cnt["A"] + cnt["O"]) / base if base else np.nan,
                    "worse": -(cnt["O"] + cnt["M"]) / base if base else np.nan})
        rows.append(row)
    table = pd.DataFrame(rows, index=pd.Index(feats, name="feature"))
    return KanoResult(classes=cdf, table=table)


def _num(v: Any) -> Any:
    """Map 1.0 -> 1 so float-coded answers match integer codes."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return v
    return int(f) if f.is_integer() else f
