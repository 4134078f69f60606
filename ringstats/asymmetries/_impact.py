"""Impact-asymmetry (Mikulic & Prebezac 2008): reward, penalty, RIOCS, SGP, DGP and IA with
bootstrap intervals, a CI-aware classification and a cut-off sensitivity grid.

A driver gets a category only when IA is defined and the driver has an effect: a penalty or
reward with the unexpected sign and an interval excluding 0 leaves IA undefined ("none (wrong
sign)"), and a driver whose penalty and reward intervals both include 0 gets "not
significant". The IA interval
is formed on the angle of (reward, -penalty), a continuous statistic that a sign change in
a replicate does not clip, and mapped back to [-1, 1], so it reaches a bound when the
bootstrap says the bound is plausible instead of collapsing onto it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from .._kernels.bootstrap import (
    CI_METHODS,
    bootstrap_interval,
    one_blas_thread,
    spawn_seeds,
)
from .._kernels.progress import progress_iter
from .._kernels.regression import ols
from .._kernels.results import ResultMixin, Summary
from .._kernels.validation import (
    check_int,
    check_option,
    check_probability,
    check_real,
    check_seed,
)
from ..errors import InsufficientDataError, RingstatsError, RingstatsWarning
from ..spec import RingSpec
from ._prepare import MIN_CELL, _default_cuts, _Drivers, _dummies, _per_driver, _prepare

__all__ = ["impact_asymmetry", "IAResult"]

_BATCH = 100
#: Delete-a-group jackknife groups for the BCa acceleration.
_JACK_GROUPS = 200
NO_SIGN = "none (wrong sign)"
NO_EFFECT = "not significant"


# ----------------------------------------------------------------------------------------
# statistics
# ----------------------------------------------------------------------------------------
def _ia_from_beta(beta: np.ndarray, k: int) -> dict[str, np.ndarray]:
    """Penalty, reward, RIOCS, SGP, DGP, IA and the angle from dummy coefficients (last axis).

    A coefficient with the unexpected sign counts as no impact in RIOCS, SGP, DGP and IA
    (the caller refuses IA when that sign is significant). ``angle`` is
    ``atan2(reward, -penalty)`` on (-3pi/4, 5pi/4]: IA = tan(angle - pi/4) with the angle
    clipped to [0, pi/2], and the angle is continuous through a sign change.
    """
    pen = beta[..., 1::2][..., :k]
    rew = beta[..., 2::2][..., :k]
    r_pos = np.maximum(rew, 0.0)
    p_abs = np.maximum(-pen, 0.0)
    riocs = r_pos + p_abs
    with np.errstate(invalid="ignore", divide="ignore"):
        sgp = np.where(riocs > 0, r_pos / riocs, np.nan)
        dgp = np.where(riocs > 0, p_abs / riocs, np.nan)
    ang = np.arctan2(rew, -pen)
    ang = np.where(ang < -0.75 * np.pi, ang + 2 * np.pi, ang)
    return {"penalty": pen, "reward": rew, "riocs": riocs, "sgp": sgp, "dgp": dgp,
            "ia": sgp - dgp, "angle": ang, "riocs_raw": rew - pen}


def _ia_of_angle(a: np.ndarray | float) -> np.ndarray:
    """IA of an angle, with angles beyond [0, pi/2] (a wrong-sign component) at the bound."""
    a = np.asarray(a, dtype=float)
    return np.where(a >= np.pi / 2, 1.0, np.where(a <= 0, -1.0, np.tan(a - np.pi / 4)))


def _classify(ia_lo: float, ia_hi: float, threshold: float) -> str:
    if ia_hi < -threshold:
        return "basic"
    if ia_lo > threshold:
        return "excitement"
    if ia_lo > -threshold and ia_hi < threshold:
        return "performance"
    return "unclear"


def _classify_point(ia: float, threshold: float) -> str | None:
    if not np.isfinite(ia):
        return None
    if ia < -threshold:
        return "basic"
    if ia > threshold:
        return "excitement"
    return "performance"


def _sign_note(pen: float, rew: float, pen_ci: tuple[float, float],
               rew_ci: tuple[float, float]) -> tuple[bool, str]:
    """(IA defined, note) from the signs of penalty and reward and their intervals."""
    bad, zeroed = [], []
    if pen > 0:
        (bad if pen_ci[0] > 0 else zeroed).append(f"penalty {pen:+.3g}")
    if rew < 0:
        (bad if rew_ci[1] < 0 else zeroed).append(f"reward {rew:+.3g}")
    if bad:
        return False, ("IA undefined: " + " and ".join(bad)
                       + " with the other sign, interval excluding 0")
    if len(zeroed) == 2:
        return False, "IA undefined: penalty and reward both have the other sign"
    if zeroed:
        return True, (f"{zeroed[0]} has the other sign but its interval includes 0: "
                      "counted as 0")
    return True, ""


# ----------------------------------------------------------------------------------------
# result
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class IAResult(ResultMixin):
    """Impact-asymmetry analysis: per-driver table, class, sensitivity grid and stability.

    ``table["cls"]`` is the category (None when the driver gets none) and
    ``table["label"]`` the category or the reason there is none; ``table["note"]`` says why
    IA is undefined or that its interval reaches a bound.
    """

    table: pd.DataFrame
    sensitivity: pd.DataFrame
    stability: pd.DataFrame
    threshold: float
    n: int
    n_boot: int
    ci: float
    outcome: str
    has_rings: bool
    ci_method: str = "bca"

    def summary(self) -> Summary:
        s = Summary(f"Impact-asymmetry on {self.outcome} (n = {self.n}, {self.n_boot} bootstraps)")
        cols = [c for c in ["ring", "penalty", "reward", "riocs", "ia", "ia_ci_low", "ia_ci_high",
                            "label", "cls_point"] if c in self.table.columns]
        s.add_table(self.table[cols], "Reward, penalty, range of impact and IA")
        s.add_table(self.stability, "Cut-off sensitivity: share of grid cells with the main "
                    "point label (HC3 t tests for significance in each cell)")
        none = self.table[self.table["cls"].isna()]
        if len(none):
            s.add_note("No category: " + "; ".join(
                f"{name} {row['label']} ({row['note']})" if row["note"] else f"{name} {row['label']}"
                for name, row in none.iterrows()) + ".")
        bound = self.table[self.table["cls"].notna() & (self.table["note"] != "")]
        for name, row in bound.iterrows():
            s.add_note(f"{name}: {row['note']}.")
        method = "BCa" if self.ci_method == "bca" else "percentile"
        s.add_note(f"Classes (threshold {self.threshold:g}): basic when the whole {100*self.ci:g}% "
                   "CI of IA is below -threshold, excitement when above +threshold, performance "
                   "when inside (-threshold, threshold), otherwise unclear. A class needs IA "
                   "defined (no coefficient with the other sign and an interval excluding 0; one "
                   "whose interval includes 0 counts as 0) and a penalty or reward interval "
                   f"excluding 0. IA intervals: {method} on the angle of (reward, -penalty), "
                   "mapped to [-1, 1].")
        return s


# ----------------------------------------------------------------------------------------
# computation
# ----------------------------------------------------------------------------------------
def _boot_betas(X: np.ndarray, y: np.ndarray, n_boot: int, seed: int | None,
                progress: bool | None) -> tuple[np.ndarray, int]:
    """Case-resampling bootstrap coefficients via multinomial weights and batched normal
    equations (one BLAS thread)."""
    rng = np.random.default_rng(seed)
    n, p = X.shape
    out = np.empty((n_boot, p))
    n_bad = 0
    batches = range(0, n_boot, _BATCH)
    with one_blas_thread():
        for b0 in progress_iter(batches, total=len(batches), desc="impact-asymmetry bootstrap",
                                enabled=progress):
            b1 = min(n_boot, b0 + _BATCH)
            W = rng.multinomial(n, np.full(n, 1.0 / n), size=b1 - b0).astype(float)
            out[b0:b1], bad = _weighted_betas(X, y, W)
            n_bad += bad
    return out, n_bad


def _weighted_betas(X: np.ndarray, y: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, int]:
    A = W[:, :, None] * X[None, :, :]
    XtWX = np.matmul(A.transpose(0, 2, 1), X)
    XtWy = np.matmul(A.transpose(0, 2, 1), y)
    try:
        return np.linalg.solve(XtWX, XtWy[..., None])[..., 0], 0
    except np.linalg.LinAlgError:
        return np.stack([np.linalg.lstsq(XtWX[i], XtWy[i], rcond=None)[0]
                         for i in range(len(W))]), 1


def _jack_betas(X: np.ndarray, y: np.ndarray, seed: int | None) -> np.ndarray:
    """Delete-a-group jackknife coefficients (at most ``_JACK_GROUPS`` random groups)."""
    n = len(y)
    g = min(n, _JACK_GROUPS)
    rng = np.random.default_rng(spawn_seeds(seed, 1)[0])
    gid = rng.permutation(np.arange(n) % g)
    out = []
    with one_blas_thread():
        for s in range(0, g, _BATCH):
            gs = np.arange(s, min(s + _BATCH, g))
            W = (gid[None, :] != gs[:, None]).astype(float)
            out.append(_weighted_betas(X, y, W)[0])
    return np.concatenate(out, axis=0)


def _driver_rows(d: _Drivers, names: list[str], est: dict, boots: dict, jack: dict | None,
                 low_c: dict, high_c: dict, counts: dict, threshold: float, ci: float,
                 ci_method: str) -> list[dict[str, Any]]:
    rows = []
    for j, c in enumerate(names):
        row: dict[str, Any] = {"ring": d.ring.get(c) if d.ring else np.nan,
                               "low": low_c[c], "high": high_c[c],
                               "n_low": counts[c][0], "n_high": counts[c][1]}
        for key in ("penalty", "reward", "riocs", "sgp", "dgp", "ia"):
            row[key] = float(est[key][j])
        for key, stat in (("penalty", "penalty"), ("reward", "reward"), ("riocs", "riocs_raw"),
                          ("angle", "angle")):
            lo_, hi_ = bootstrap_interval(
                boots[stat][:, j], ci, method=ci_method, est=np.array([est[stat][j]]),
                jack=None if jack is None else jack[stat][:, [j]])
            row[f"{key}_ci_low"], row[f"{key}_ci_high"] = float(lo_[0]), float(hi_[0])
        sign_ok = bool(row["penalty"] <= 0 and row["reward"] >= 0)
        defined, note = _sign_note(row["penalty"], row["reward"],
                                   (row["penalty_ci_low"], row["penalty_ci_high"]),
                                   (row["reward_ci_low"], row["reward_ci_high"]))
        effect = bool(row["penalty_ci_high"] < 0 or row["reward_ci_low"] > 0)
        ang = boots["angle"][:, j]
        below, above = float(np.mean(ang < 0)), float(np.mean(ang > np.pi / 2))
        row["sign_ok"], row["significant"] = sign_ok, effect
        row["ia_at_bound"] = below + above
        a_lo, a_hi = row.pop("angle_ci_low"), row.pop("angle_ci_high")
        row["riocs_ci_low"] = max(row["riocs_ci_low"], 0.0)
        if defined:
            row["ia_ci_low"] = float(_ia_of_angle(a_lo))
            row["ia_ci_high"] = float(_ia_of_angle(a_hi))
            if below + above > (1 - ci) / 2:
                sides = " and ".join(f"{100 * v:.0f}% at {b}" for v, b in
                                     ((below, "-1"), (above, "+1")) if v >= 0.005)
                note = "; ".join(x for x in (note, (
                    f"bootstrap replicates pile on the bound of IA ({sides}: a component with "
                    "the other sign), so the interval reaches the bound")) if x)
        else:
            for key in ("ia", "sgp", "dgp", "riocs", "riocs_ci_low", "riocs_ci_high",
                        "ia_ci_low", "ia_ci_high"):
                row[key] = np.nan
        if not defined:
            row["cls"], row["label"], row["cls_point"] = None, NO_SIGN, None
        elif not effect:
            row["cls"], row["label"], row["cls_point"] = None, NO_EFFECT, None
            note = "; ".join(x for x in (
                f"the {100 * ci:g}% intervals of penalty and reward both include 0", note) if x)
        else:
            row["cls"] = _classify(row["ia_ci_low"], row["ia_ci_high"], threshold)
            row["label"] = row["cls"]
            row["cls_point"] = _classify_point(row["ia"], threshold)
        row["note"] = note
        rows.append(row)
    return rows


def _grid_values(lo: float, hi: float, centre: float, which: str) -> list[float]:
    """Three cut-offs around the one used, an eighth of the scale range apart, inside it."""
    step = (hi - lo) / 8
    vals = [centre - step, centre, centre + step]
    if which == "low":
        return [v for v in vals if lo <= v < hi]
    return [v for v in vals if lo < v <= hi]


def _sensitivity(d: _Drivers, names: list[str], low_c: dict, high_c: dict, threshold: float,
                 ci: float) -> pd.DataFrame:
    """Point classes over a 3 x 3 grid of cut-offs centred on the ones used.

    In each cell every driver takes the cell's cut-offs; a driver whose groups would be too
    small there keeps its main cut-offs and is not reported for that cell. Significance in a
    cell: HC3 t test of penalty < 0 or reward > 0 at the level ``ci``.
    """
    k = len(names)
    lows = {c: _grid_values(d.lo[c], d.hi[c], low_c[c], "low") for c in names}
    highs = {c: _grid_values(d.lo[c], d.hi[c], high_c[c], "high") for c in names}
    rows = []
    for i in range(3):
        for jj in range(3):
            lc, hc, used = {}, {}, []
            for c in names:
                cand = (lows[c][i] if i < len(lows[c]) else None,
                        highs[c][jj] if jj < len(highs[c]) else None)
                ok = cand[0] is not None and cand[1] is not None and cand[0] < cand[1]
                if ok:
                    x = d.X[c].to_numpy(float)
                    nl, nh = int((x <= cand[0]).sum()), int((x >= cand[1]).sum())
                    ok = min(nl, nh, len(x) - nl - nh) >= MIN_CELL
                lc[c], hc[c] = cand if ok else (low_c[c], high_c[c])
                if ok:
                    used.append(c)
            if not used:
                continue
            try:
                Xg, _ = _dummies(d, lc, hc)
                fit = ols(Xg, d.y, "HC3")
            except InsufficientDataError:
                continue
            eg = _ia_from_beta(fit.beta, k)
            se = np.sqrt(np.diag(fit.cov))
            crit = stats.t.ppf(0.5 + ci / 2, fit.df_resid)
            for j, c in enumerate(names):
                if c not in used:
                    continue
                tp = float(eg["penalty"][j]) / se[1 + 2 * j]
                tr = float(eg["reward"][j]) / se[2 + 2 * j]
                defined = not (tp > crit or tr < -crit or (tp > 0 and tr < 0))
                sig = tp < -crit or tr > crit
                ia = float(eg["ia"][j]) if defined else np.nan
                cls = _classify_point(ia, threshold) if defined and sig else None
                rows.append({"driver": c, "low": lc[c], "high": hc[c], "ia": ia,
                             "cls_point": cls,
                             "label": cls if cls else (NO_SIGN if not defined else NO_EFFECT)})
    return pd.DataFrame(rows, columns=["driver", "low", "high", "ia", "cls_point", "label"])


def _stability(table: pd.DataFrame, sens: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    stab = []
    for c in names:
        sub = sens[sens["driver"] == c]
        cp = table.loc[c, "cls_point"]
        main = cp if isinstance(cp, str) else table.loc[c, "label"]
        stab.append({"driver": c, "label_point": main, "n_cells": len(sub),
                     "share_same": float((sub["label"] == main).mean()) if len(sub) else np.nan,
                     "n_classes": int(sub["label"].nunique()) if len(sub) else 0})
    return pd.DataFrame(stab, columns=["driver", "label_point", "n_cells", "share_same",
                                       "n_classes"]).set_index("driver")


# ----------------------------------------------------------------------------------------
# public function
# ----------------------------------------------------------------------------------------
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
    ci_method: str = "bca",
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
        Case-resampling bootstrap replicates.
    ci : float, default 0.95
    ci_method : {"bca", "percentile"}, default "bca"
        Interval of penalty, reward, RIOCS and IA: BCa (Efron 1987, acceleration from a
        delete-a-group jackknife with 200 groups) or percentile.
    seed : int, optional
    sensitivity : bool, default True
        Also refit (point estimates) over a 3 x 3 grid of low/high cut-offs centred on the
        ones used (given or default).
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
        ``significant``, ``ia_at_bound`` (share of replicates with IA at -1 or +1), ``cls``
        (CI-aware category or None), ``label`` (the category or why there is none),
        ``cls_point`` (category of the point estimate or None) and ``note``.
        ``sensitivity``: one row per driver and grid cell (``low, high, ia, cls_point,
        label``). ``stability``: per driver the share of grid cells with the main label and
        the number of distinct labels.

    Notes
    -----
    Definitions (Mikulic & Prebezac 2008, *Managing Service Quality*): with reward ``rho``
    and penalty ``pi`` from the dummy regression of :func:`asymmetry`,
    ``RIOCS = rho + |pi|`` (range of impact on customer satisfaction),
    ``SGP = rho / RIOCS`` (satisfaction-generating potential),
    ``DGP = |pi| / RIOCS`` (dissatisfaction-generating potential) and
    ``IA = SGP - DGP`` in [-1, 1] (+1 pure satisfier, -1 pure dissatisfier, 0 hybrid).

    *When there is no category.* IA assumes ``pi <= 0`` and ``rho >= 0``. A coefficient
    with the other sign whose interval excludes 0 makes IA undefined: ``ia``, ``riocs``,
    ``sgp``, ``dgp`` and their intervals are NaN, ``label`` is ``"none (wrong sign)"`` and
    ``note`` names the coefficient (the raw penalty and reward and their intervals stay in the
    table). A coefficient with the other sign whose interval includes 0 is counted as 0 (the
    practice of zeroing non-significant coefficients), which puts IA at -1 or +1; ``note``
    says so and ``sign_ok`` is False. A driver whose penalty interval and reward interval
    both include 0 has no demonstrated effect: ``label`` is ``"not significant"``. Neither
    kind gets a category (``cls`` and ``cls_point`` None). Refusing IA for every negative
    point estimate of a true zero would refuse a category to about half of all pure basic
    and pure excitement factors, whose other component is zero.

    *CI-aware rule*: ``basic`` if the upper CI bound of IA is below ``-threshold``,
    ``excitement`` if the lower bound is above ``threshold``, ``performance`` if the whole
    interval lies inside ``(-threshold, threshold)``, else ``unclear``.

    *The interval at the bounds.* IA = tan(phi - pi/4) with phi = atan2(rho, -pi), the angle
    of (reward, -penalty). phi is continuous when a replicate's coefficient changes sign
    (it leaves [0, pi/2]), whereas IA would pile up at -1 or +1 and a percentile or BCa
    interval of those ties would collapse onto the bound. The interval is formed on phi and
    mapped to IA with phi clipped to [0, pi/2]; ``ia_at_bound`` gives the share of replicates
    beyond the bound and ``note`` flags it when it exceeds (1 - ci) / 2, that is when the
    interval reaches the bound.

    Albayrak & Caber (2013) show that classes depend on cut-offs and coding; the sensitivity
    grid reports how often the label changes, with significance per cell from HC3 t tests.

    Examples
    --------
    >>> from ringstats.simulate import draw
    >>> w = draw("base", n=2000, seed=1)
    >>> res = impact_asymmetry(w.spec.validate(w.customers), outcome="ltr", spec=w.spec,
    ...                        n_boot=100, seed=1)
    >>> res.table.loc["product", "label"] in {"basic", "performance", "excitement", "unclear",
    ...                                       "none (wrong sign)", "not significant"}
    True
    """
    # argument prelude (to be replaced by the design resolver)
    ci = check_probability(ci, "ci")
    n_boot = check_int(n_boot, "n_boot", min_value=50)
    check_option(ci_method, "ci_method", CI_METHODS)
    seed = check_seed(seed)
    threshold = check_real(threshold, "threshold", min_value=0, max_value=1, inclusive=False)
    if not isinstance(sensitivity, bool):
        raise RingstatsError(f"`sensitivity` must be True or False; got {sensitivity!r}.")
    d = _prepare(data, outcome, drivers, spec, analysis="impact_asymmetry")
    names = list(d.X.columns)
    if rings is not None:
        if not isinstance(rings, Mapping) or set(rings) != set(names) or any(
                r not in (1, 2, 3) for r in rings.values()):
            raise RingstatsError(
                f"`rings` must map every driver {names} to 1, 2 or 3; got {rings!r}."
            )
        d.ring = {c: int(rings[c]) for c in names}
    dl, dh = _default_cuts(d)
    low_c = _per_driver(low, names, "low", dl)
    high_c = _per_driver(high, names, "high", dh)
    return _impact(d, names, low_c, high_c, threshold=threshold, n_boot=n_boot, ci=ci,
                   ci_method=ci_method, seed=seed, sensitivity=sensitivity, progress=progress)


def _impact(d: _Drivers, names: list[str], low_c: dict, high_c: dict, *, threshold: float,
            n_boot: int, ci: float, ci_method: str, seed: int | None, sensitivity: bool,
            progress: bool | None) -> IAResult:
    k = len(names)
    X, counts = _dummies(d, low_c, high_c)
    est = _ia_from_beta(ols(X, d.y).beta, k)
    bb, n_bad = _boot_betas(X, d.y, n_boot, seed, progress)
    if n_bad:
        warnings.warn(f"{n_bad} bootstrap batch(es) had a singular design (an empty dummy "
                      "group); least squares was used.", RingstatsWarning, stacklevel=3)
    boots = _ia_from_beta(bb, k)
    jack = _ia_from_beta(_jack_betas(X, d.y, seed), k) if ci_method == "bca" else None
    rows = _driver_rows(d, names, est, boots, jack, low_c, high_c, counts, threshold, ci,
                        ci_method)
    table = pd.DataFrame(rows, index=pd.Index(names, name="driver"))
    if d.ring is None:
        table = table.drop(columns="ring")
    sens = (_sensitivity(d, names, low_c, high_c, threshold, ci) if sensitivity else
            pd.DataFrame(columns=["driver", "low", "high", "ia", "cls_point", "label"]))
    return IAResult(table=table, sensitivity=sens, stability=_stability(table, sens, names),
                    threshold=threshold, n=len(d.y), n_boot=n_boot, ci=ci, outcome=d.outcome,
                    has_rings=d.ring is not None, ci_method=ci_method)

