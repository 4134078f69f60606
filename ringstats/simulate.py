"""A three-ring world simulator with known ground truth.

Every later method in ringstats proves on these worlds that it recovers the
truth when it is there and does not invent it when it is not. The generator
follows the ground-truth table in section (b) of the project's evidence review
(``shared/research/evidence-and-methods.md``); the anchor for each parameter is
given in :data:`PARAMETER_SOURCES`.

Model
-----
For customer *i* in team *j*:

* Ring latents ``R1, R2, R3 ~ N(0, 1)`` with correlations .5 (R1-R2), .4
  (R1-R3), .5 (R2-R3). A share of the variance of R2 and R3 (0.20) lies
  between teams; the team parts of R2 and R3 are driven by the team's employee
  engagement and meaning with strength ``gamma`` (Harter et al. 2002; Whitman
  et al. 2010: unit-level rho about .3).
* Two constructs per ring, ``eta = sqrt(0.8) R + sqrt(0.2) u``; each measured by
  3-4 five-point items with standardised loadings drawn once per world from
  U(.70, .90) and skewed thresholds (-1.8, -1.0, -0.2, 0.8).
* Latent loyalty ``y* = f1(R1) + f2(R2) + f3(R3) + moment terms + failure terms
  + segment shift + e``, ``e ~ N(0, 0.62^2)``; ``f_r`` is piecewise linear with
  known knots and slopes (base: hinge at 0 with slopes .30 then .08 (R1) and
  .10 (R2); R3 linear .22 (Mittal et al. 1998; Anderson & Mittal 2000)).
* Emotional or complex moments (share 0.20) double the R3 slope (+.22) and add
  a penalty of .15 per unit of negative R2 (McKinsey 2006 [vendor]).
* ``LTR = clip(round(7.9 + 1.9 z(y*) + shift), 0, 10)`` with a US-like shift 0
  or a Dutch-like shift -0.45 (SurveyMonkey [vendor]); ``z`` standardises with
  the population mean and SD of ``y*`` (computed once per parameter set by a
  fixed-seed Monte Carlo, so the mapping does not depend on ``n``).
* Behaviour: ``logit P(repurchase) = 0.8 + 0.8 z + 0.5 max(z - 0.5, 0)`` for
  80% of customers and a flat ``0.8`` for the 20% unresponsive (Mittal &
  Kamakura 2001).
* 8% of customers meet a service failure (-0.40 on y*); 60% of those are
  recovered (+0.40 on y*, restoring intention) and recovery raises
  satisfaction by a further 0.30 (recovery paradox on satisfaction only, De
  Matos et al. 2007).

Everything is drawn from one ``numpy.random.Generator(PCG64(seed))`` in a fixed
order, so the same seed gives identical data on any machine.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from ._kernels.results import ResultMixin, Summary
from ._kernels.shapley import all_subset_r2, shapley_from_r2
from ._kernels.validation import check_int, check_seed
from .errors import RingstatsError
from .spec import RingSpec

__all__ = ["draw", "write_parquet", "WORLDS", "world_params", "GroundTruth", "SimulatedWorld", "PARAMETER_SOURCES"]

CONSTRUCTS: dict[str, tuple[int, tuple[str, ...]]] = {
    "product": (1, ("prod1", "prod2", "prod3", "prod4")),
    "value": (1, ("val1", "val2", "val3")),
    "speed": (2, ("spd1", "spd2", "spd3")),
    "ease": (2, ("ease1", "ease2", "ease3", "ease4")),
    "seen": (3, ("seen1", "seen2", "seen3", "seen4")),
    "trust": (3, ("trust1", "trust2", "trust3")),
}
CONSTRUCT_LABELS = {
    "product": "The product does what I need",
    "value": "Value for money",
    "speed": "Speed of service",
    "ease": "Ease of getting things done",
    "seen": "Feeling seen and understood",
    "trust": "Trust and reassurance",
}
LOYALTY_ITEMS = ("loy1", "loy2", "loy3")
EMPLOYEE_ITEMS = {"engagement": ("eng1", "eng2", "eng3"), "meaning": ("mean1", "mean2", "mean3")}
REVERSE_KEYED = ("ease4",)

BASE: dict[str, Any] = {
    "n_teams": 120,
    "ring_corr": {"12": 0.5, "13": 0.4, "23": 0.5},
    "team_share": {1: 0.0, 2: 0.16, 3: 0.16},
    "team_corr_23": 0.5,
    "construct_corr": 0.8,
    "loading_range": (0.70, 0.90),
    "thresholds": (-1.8, -1.0, -0.2, 0.8),
    "slopes": {1: (0.30, 0.08), 2: (0.30, 0.10), 3: (0.22,)},
    "knots": {1: (0.0,), 2: (0.0,), 3: ()},
    "moment_share": 0.20,
    "moment_ring3_extra": 0.22,
    "moment_ring2_penalty": 0.15,
    "noise_sd": 0.62,
    "ltr_center": 7.9,
    "ltr_scale": 1.9,
    "ltr_shift": 0.0,
    "sat_center": 7.6,
    "sat_scale": 1.8,
    "loyalty_loading": 0.85,
    "behaviour_intercept": 0.8,
    "behaviour_slope": 0.8,
    "behaviour_hinge_slope": 0.5,
    "behaviour_hinge": 0.5,
    "behaviour_unresponsive": 0.20,
    "gamma": 0.45,
    "employees_per_team": 8,
    "employee_icc": 0.35,
    "engagement_meaning_corr": 0.7,
    "employee_loading": 0.80,
    "employee_thresholds": (-1.6, -0.8, 0.0, 0.9),
    "failure_rate": 0.08,
    "recovery_rate": 0.60,
    "failure_effect": -0.40,
    "recovery_effect": 0.40,
    "recovery_satisfaction_bonus": 0.30,
    "business_share": 0.30,
    "business_shift": -0.15,
    "human_share_routine": 0.30,
    "human_share_emotional": 0.70,
    "missing_rate": 0.01,
    "missing_code": -99,
    "structure_seed": 23,
}

#: Where each parameter comes from (see the evidence review, section (b)).
PARAMETER_SOURCES: dict[str, str] = {
    "ring_corr": "assumption [unverified]; gives observed scale correlations .30-.39",
    "team_share": "unit-level work (Harter 2002; Whitman 2010); ICC(1) of LTR .02-.05",
    "loading_range": "AVE >= .5 (Fornell & Larcker 1981); alpha .77-.83",
    "thresholds": "pile-up near the top of satisfaction scales [unverified]",
    "slopes/knots": "Mittal, Ross & Baldasare 1998; Anderson & Mittal 2000; Dong et al. 2011",
    "moment_*": "McKinsey 2006 moments of truth [vendor]; Brown & Lam 2008",
    "noise_sd": "R^2 of LTR on three scales .33-.40 (Curtis et al. 2011)",
    "ltr_*": "US industry NPS -6 to +30 (XM Institute [vendor]); NL shift (SurveyMonkey [vendor])",
    "behaviour_*": "Mittal & Kamakura 2001",
    "gamma": "Harter et al. 2002 rho .32-.33; Whitman et al. 2010 rho .34",
    "failure/recovery": "De Matos, Henrique & Rossi 2007",
}

_HINGE_R12 = {"slopes": {1: (0.30, 0.08), 2: (0.30, 0.10)}, "knots": {1: (0.0,), 2: (0.0,)}}
WORLDS: dict[str, dict[str, Any]] = {
    "base": {},
    "linear": {"slopes": {1: (0.20,), 2: (0.20,)}, "knots": {1: (), 2: ()}},
    "no_ring3": {"slopes": {3: (0.0,)}, "moment_ring3_extra": 0.0},
    "no_moments": {"moment_ring3_extra": 0.0, "moment_ring2_penalty": 0.0},
    "no_linkage": {"gamma": 0.0},
    "convex": {"slopes": {1: (0.08, 0.30), 2: (0.10, 0.30)}, "knots": {1: (0.0,), 2: (0.0,)}},
    "inverse_s": {"slopes": {1: (0.30, 0.05, 0.30), 2: (0.30, 0.05, 0.30)},
                  "knots": {1: (-0.8, 0.8), 2: (-0.8, 0.8)}},
    "inverted_u": {"slopes": {1: (0.30, -0.30), 2: (0.30, -0.30)},
                   "knots": {1: (0.0,), 2: (0.0,)}},
    "u_shape": {"slopes": {1: (-0.30, 0.30), 2: (-0.30, 0.30)}, "knots": {1: (0.0,), 2: (0.0,)}},
    "dutch": {"ltr_shift": -0.45},
    "null": {"slopes": {1: (0.20,), 2: (0.20,), 3: (0.20,)}, "knots": {1: (), 2: (), 3: ()},
             "moment_ring3_extra": 0.0, "moment_ring2_penalty": 0.0, "gamma": 0.0},
}
WORLD_DESCRIPTIONS: dict[str, str] = {
    "base": "rings 1 and 2 hinge-plateau at 0, ring 3 linear, moments and linkage on",
    "linear": "rings 1 and 2 linear (no plateau)",
    "no_ring3": "ring 3 has no effect on loyalty",
    "no_moments": "no moment-of-truth interaction",
    "no_linkage": "employee engagement and meaning do not drive team effects",
    "convex": "rings 1 and 2 convex (slope increases above 0)",
    "inverse_s": "rings 1 and 2 inverse-S (flat middle, steep ends)",
    "inverted_u": "rings 1 and 2 rise, then decline above 0 (inverted U)",
    "u_shape": "rings 1 and 2 fall, then rise above 0 (U shape)",
    "dutch": "base with Dutch-like scale use (LTR shift -0.45)",
    "null": "combined null: all rings linear 0.20, no moments, no linkage",
}


def world_params(world: str = "base", **overrides: Any) -> dict[str, Any]:
    """Return the full parameter dict of a named world with ``overrides`` applied.

    Dict-valued parameters (``slopes``, ``knots``, ``team_share``, ``ring_corr``)
    are merged key by key, so ``slopes={3: (0.35,)}`` changes ring 3 only.
    """
    if world not in WORLDS:
        raise RingstatsError(
            f"`world` must be one of {{{', '.join(map(repr, WORLDS))}}}; got {world!r}."
        )
    params = copy.deepcopy(BASE)
    for src in (WORLDS[world], overrides):
        for key, value in src.items():
            if key not in BASE:
                raise RingstatsError(
                    f"unknown simulator parameter `{key}`; allowed: {', '.join(sorted(BASE))}."
                )
            if isinstance(BASE[key], dict):
                if not isinstance(value, dict):
                    raise RingstatsError(f"`{key}` must be a dict; got {value!r}.")
                merged = dict(params[key])
                merged.update(value)
                params[key] = merged
            else:
                params[key] = value
    _check_params(params)
    return params


def _check_params(p: dict[str, Any]) -> None:
    for r in (1, 2, 3):
        s, k = tuple(p["slopes"][r]), tuple(p["knots"][r])
        if len(s) != len(k) + 1:
            raise RingstatsError(
                f"ring {r}: `slopes` needs one more entry than `knots`; got slopes={s}, knots={k}."
            )
        if list(k) != sorted(k):
            raise RingstatsError(f"ring {r}: `knots` must be increasing; got {k}.")
    for key in ("moment_share", "failure_rate", "recovery_rate", "business_share",
                "behaviour_unresponsive", "missing_rate", "human_share_routine",
                "human_share_emotional"):
        if not 0 <= p[key] <= 1:
            raise RingstatsError(f"`{key}` must be between 0 and 1; got {p[key]!r}.")
    lo, hi = p["loading_range"]
    if not 0 < lo <= hi < 1:
        raise RingstatsError(f"`loading_range` must satisfy 0 < low <= high < 1; got {(lo, hi)}.")
    for r, s in p["team_share"].items():
        if not 0 <= s < 1:
            raise RingstatsError(f"`team_share[{r}]` must be in [0, 1); got {s!r}.")
    if not 0 <= abs(p["gamma"]) <= 1:
        raise RingstatsError(f"`gamma` must be between -1 and 1; got {p['gamma']!r}.")
    if p["noise_sd"] <= 0:
        raise RingstatsError(f"`noise_sd` must be positive; got {p['noise_sd']!r}.")
    check_int(p["n_teams"], "n_teams", min_value=1)
    check_int(p["employees_per_team"], "employees_per_team", min_value=1)


def piecewise(slopes: tuple[float, ...], knots: tuple[float, ...]) -> Callable[[Any], np.ndarray]:
    """Continuous piecewise-linear curve through 0 at z = 0 with the given slopes and knots."""
    s = np.asarray(slopes, dtype=float)
    k = np.asarray(knots, dtype=float)

    def f(z: Any) -> np.ndarray:
        z = np.asarray(z, dtype=float)
        out = s[0] * z
        for j, knot in enumerate(k):
            d = s[j + 1] - s[j]
            out = out + d * (np.maximum(z - knot, 0.0) - max(-knot, 0.0))
        return out

    f.slopes = tuple(slopes)  # type: ignore[attr-defined]
    f.knots = tuple(knots)  # type: ignore[attr-defined]
    return f


# ---------------------------------------------------------------------------
# Ground truth and result containers
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class GroundTruth(ResultMixin):
    """What the simulator knows and analyses must recover.

    Attributes
    ----------
    world : str
    params : dict
        Every generator parameter.
    loadings : pandas.Series
        True standardised loading of each construct item (ease4 on its
        reverse-keyed scale, so after ``spec.validate`` it is positive).
    latent_corr : pandas.DataFrame
        True correlations of the ring latents R1, R2, R3.
    construct_corr : pandas.DataFrame
        True correlations of the six construct latents.
    latent : pandas.DataFrame
        Per customer: R1, R2, R3, each construct latent, ``y_star`` (latent
        loyalty) and ``sat_star``; aligned with the customer table.
    team : pandas.DataFrame
        Per team: true ``engagement`` and ``meaning`` (standardised) and the team
        parts of R2 and R3.
    curves : dict
        Ring -> callable giving the contribution of ring latent z to ``y_star``
        (routine moments; emotional moments add ``moment_effects``).
    breakpoints, slopes : dict
        Ring -> knots and slopes of the piecewise-linear curve.
    moment_effects : dict
        ``ring3_extra`` (added R3 slope) and ``ring2_penalty`` (per unit of
        negative R2) in emotional moments.
    gamma : float
        Strength of the employee -> team-effect link.
    population_nps, population_promoters, population_detractors : float
        Population values (fixed-seed Monte Carlo of 2**19 customers; Monte
        Carlo SE of the NPS about 0.13 points).
    ring_shares : pandas.Series
        Population share of each ring in the linearly explained variance of
        ``y_star`` (Shapley decomposition of R^2 on the ring latents).
    ring_shares_ltr : pandas.Series
        The same for the observed 0-10 LTR instead of ``y_star``: the target of a
        driver analysis of LTR on error-free ring measures. LTR's rounding and its
        ceiling at 10 narrow the gaps between the rings (base: .29 / .34 / .37
        against .28 / .34 / .38 on ``y_star``).
    y_mean, y_sd : float
        Population moments of ``y_star`` used in the LTR mapping.
    """

    world: str
    params: dict
    loadings: pd.Series
    latent_corr: pd.DataFrame
    construct_corr: pd.DataFrame
    latent: pd.DataFrame
    team: pd.DataFrame
    curves: dict
    breakpoints: dict
    slopes: dict
    moment_effects: dict
    gamma: float
    population_nps: float
    population_promoters: float
    population_detractors: float
    ring_shares: pd.Series
    y_mean: float
    y_sd: float
    ring_shares_ltr: pd.Series

    def ltr_of(self, y_star: Any, shift: float | None = None) -> np.ndarray:
        """Map latent loyalty to the 0-10 LTR scale exactly as the generator does."""
        p = self.params
        sh = p["ltr_shift"] if shift is None else shift
        z = (np.asarray(y_star, dtype=float) - self.y_mean) / self.y_sd
        return np.clip(np.round(p["ltr_center"] + p["ltr_scale"] * z + sh), 0, 10)

    def summary(self) -> Summary:
        s = Summary(f"Ground truth of the '{self.world}' world")
        rows = []
        for r in (1, 2, 3):
            rows.append({"ring": r, "knots": str(tuple(self.breakpoints[r])),
                         "slopes": str(tuple(self.slopes[r])),
                         "population_share": float(self.ring_shares[r]),
                         "population_share_ltr": float(self.ring_shares_ltr[r])})
        s.add_table(pd.DataFrame(rows).set_index("ring"), "Driver -> latent loyalty curves")
        s.add_dict({"population NPS": self.population_nps,
                    "promoters": self.population_promoters,
                    "detractors": self.population_detractors,
                    "gamma (employee link)": self.gamma,
                    "moment: extra ring-3 slope": self.moment_effects["ring3_extra"],
                    "moment: ring-2 penalty": self.moment_effects["ring2_penalty"]},
                   "Population values")
        s.add_table(self.latent_corr, "Latent ring correlations")
        return s


@dataclass(frozen=True)
class SimulatedWorld(ResultMixin):
    """One draw: ``customers, employees, spec, truth = draw(...)`` unpacks it."""

    world: str
    customers: pd.DataFrame
    employees: pd.DataFrame
    spec: RingSpec
    truth: GroundTruth

    def __iter__(self) -> Iterator[Any]:
        return iter((self.customers, self.employees, self.spec, self.truth))

    def summary(self) -> Summary:
        c = self.customers
        s = Summary(f"Simulated '{self.world}' world: {len(c):,} customers, "
                    f"{c['team'].nunique()} teams, {len(self.employees):,} employees")
        s.add_note(WORLD_DESCRIPTIONS.get(self.world, "custom world"))
        ltr = c["ltr"]
        s.add_dict({"mean LTR": float(ltr.mean()),
                    "NPS (sample)": float(100 * ((ltr >= 9).mean() - (ltr <= 6).mean())),
                    "NPS (population)": self.truth.population_nps,
                    "share emotional moments": float((c["moment"] == "emotional").mean())},
                   "Outcomes")
        return s


# ---------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------


def _ring_cov(p: dict[str, Any]) -> np.ndarray:
    rc = p["ring_corr"]
    return np.array([[1, rc["12"], rc["13"]], [rc["12"], 1, rc["23"]], [rc["13"], rc["23"], 1]],
                    dtype=float)


def _within_cov(p: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """Covariances of the team part (C_T) and the individual part (C_W) of the ring latents,
    chosen so that the total correlation matrix is exactly ``ring_corr``."""
    P = _ring_cov(p)
    s = np.array([p["team_share"][r] for r in (1, 2, 3)], dtype=float)
    CT = np.eye(3)
    CT[1, 2] = CT[2, 1] = p["team_corr_23"]
    S = np.sqrt(s)
    D = np.sqrt(1 - s)
    CW = (P - np.outer(S, S) * CT) / np.outer(D, D)
    np.fill_diagonal(CW, 1.0)
    if np.linalg.eigvalsh(CW).min() <= 0:
        raise RingstatsError(
            "`ring_corr`, `team_share` and `team_corr_23` imply a non-positive-definite "
            "within-team correlation matrix; choose less extreme values."
        )
    return CT, CW


def _true_loadings(p: dict[str, Any]) -> pd.Series:
    rng = np.random.default_rng(p["structure_seed"])
    lo, hi = p["loading_range"]
    items = [i for _, (_, its) in CONSTRUCTS.items() for i in its]
    return pd.Series(rng.uniform(lo, hi, size=len(items)), index=items, name="loading")


def _cut(latent: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Ordinal categories 1..K+1 from a latent variable and K thresholds (vectorised)."""
    return (np.searchsorted(thresholds, latent) + 1).astype(np.int8)


def _latent_block(rng: np.random.Generator, p: dict[str, Any], n: int,
                  team: np.ndarray) -> dict[str, np.ndarray]:
    """Team culture, ring latents, moments, failures, y* and sat* for n customers."""
    J = p["n_teams"]
    CT, CW = _within_cov(p)
    # team level: engagement E and meaning M (corr rho_EM), team parts of R2 and R3
    rho_em = p["engagement_meaning_corr"]
    z_e = rng.standard_normal(J)
    z_m = rho_em * z_e + np.sqrt(1 - rho_em**2) * rng.standard_normal(J)
    g = float(p["gamma"])
    rho_t = CT[1, 2]
    rho_v = (rho_t - g * g * rho_em) / (1 - g * g) if g * g < 1 else 0.0
    if abs(rho_v) > 1:
        raise RingstatsError("`gamma` and `team_corr_23` are incompatible; lower `gamma`.")
    v2 = rng.standard_normal(J)
    v3 = rho_v * v2 + np.sqrt(max(1 - rho_v**2, 0.0)) * rng.standard_normal(J)
    t1 = rng.standard_normal(J)
    t2 = g * z_e + np.sqrt(1 - g * g) * v2
    t3 = g * z_m + np.sqrt(1 - g * g) * v3
    T = np.column_stack([t1, t2, t3])
    # individual level
    L = np.linalg.cholesky(CW)
    W = rng.standard_normal((n, 3)) @ L.T
    s = np.array([p["team_share"][r] for r in (1, 2, 3)])
    R = np.sqrt(s) * T[team] + np.sqrt(1 - s) * W
    cc = p["construct_corr"]
    U = rng.standard_normal((n, 6))
    eta = np.sqrt(cc) * np.repeat(R, 2, axis=1) + np.sqrt(1 - cc) * U
    emotional = rng.random(n) < p["moment_share"]
    failure = rng.random(n) < p["failure_rate"]
    recovered = failure & (rng.random(n) < p["recovery_rate"])
    business = rng.random(n) < p["business_share"]
    human_p = np.where(emotional, p["human_share_emotional"], p["human_share_routine"])
    human = rng.random(n) < human_p
    noise = rng.standard_normal(n) * p["noise_sd"]
    y = np.zeros(n)
    for r in (1, 2, 3):
        y += piecewise(p["slopes"][r], p["knots"][r])(R[:, r - 1])
    y += emotional * (p["moment_ring3_extra"] * R[:, 2]
                      + p["moment_ring2_penalty"] * np.minimum(R[:, 1], 0.0))
    y += failure * p["failure_effect"] + recovered * p["recovery_effect"]
    y += business * p["business_shift"]
    y += noise
    sat = y + recovered * p["recovery_satisfaction_bonus"]
    return {"R": R, "eta": eta, "emotional": emotional, "failure": failure,
            "recovered": recovered, "business": business, "human": human, "y": y, "sat": sat,
            "engagement": z_e, "meaning": z_m, "T": T}


def _params_key(p: dict[str, Any]) -> str:
    return json.dumps(p, sort_keys=True, default=str)


@lru_cache(maxsize=32)
def _population(key: str) -> dict[str, Any]:
    """Population moments of y* and sat*, NPS and ring shares by fixed-seed Monte Carlo."""
    p = json.loads(key)
    # json turns int dict keys into strings; restore them
    for k in ("slopes", "knots", "team_share"):
        p[k] = {int(r): tuple(v) if isinstance(v, list) else v for r, v in p[k].items()}
    n = 2**19
    rng = np.random.default_rng(987654321)
    team = rng.integers(0, p["n_teams"], n)
    b = _latent_block(rng, p, n, team)
    y, sat = b["y"], b["sat"]
    y_mean, y_sd = float(y.mean()), float(y.std())
    z = (y - y_mean) / y_sd
    ltr = np.clip(np.round(p["ltr_center"] + p["ltr_scale"] * z + p["ltr_shift"]), 0, 10)
    prom, det = float((ltr >= 9).mean()), float((ltr <= 6).mean())
    # Shapley shares of the three ring latents in the OLS R^2 of y* and of LTR
    return {"y_mean": y_mean, "y_sd": y_sd, "sat_mean": float(sat.mean()),
            "sat_sd": float(sat.std()), "promoters": prom, "detractors": det,
            "nps": 100 * (prom - det), "ring_shares": _latent_shares(b["R"], y),
            "ring_shares_ltr": _latent_shares(b["R"], ltr)}


def _latent_shares(R: np.ndarray, y: np.ndarray) -> list[float]:
    """Shapley shares of the ring latents in the linear R^2 of ``y`` (exact, 3 players)."""
    C = np.corrcoef(np.column_stack([R, y]), rowvar=False)
    shap, _ = shapley_from_r2(all_subset_r2(C), 3)
    return (shap / shap.sum()).tolist()


def _spec(p: dict[str, Any], world: str) -> RingSpec:
    return RingSpec.from_dict({
        "name": f"simulated_{world}",
        "scales": {"likert5": {"min": 1, "max": 5}},
        "default_scale": "likert5",
        "constructs": {
            name: {"ring": ring, "items": list(items), "label": CONSTRUCT_LABELS[name]}
            for name, (ring, items) in CONSTRUCTS.items()
        },
        "outcomes": {"ltr": "ltr", "loyalty": list(LOYALTY_ITEMS), "behaviour": "repurchase"},
        "missing_codes": [p["missing_code"]],
        "reverse_keyed": list(REVERSE_KEYED),
        "segment": "segment",
        "moment": "moment",
        "team": "team",
    })


def draw(world: str = "base", *, n: int = 7200, seed: int | None = 0,
         **overrides: Any) -> SimulatedWorld:
    """Draw customers and employees from a named three-ring world.

    Parameters
    ----------
    world : str
        One of ``base``, ``linear``, ``no_ring3``, ``no_moments``,
        ``no_linkage``, ``convex``, ``inverse_s``, ``inverted_u``, ``u_shape``,
        ``dutch``, ``null``
        (see :data:`WORLD_DESCRIPTIONS`).
    n : int
        Number of customers (spread at random over ``n_teams`` teams).
    seed : int
        Seed of the PCG64 generator; the same seed gives identical data on any
        machine.
    **overrides
        Any generator parameter (see :func:`world_params`), for example
        ``gamma=0.3``, ``moment_share=0.35`` or ``slopes={3: (0.35,)}``.

    Returns
    -------
    SimulatedWorld
        ``customers``, ``employees``, ``spec`` (a :class:`RingSpec`) and
        ``truth`` (a :class:`GroundTruth`); unpacks as a 4-tuple.

    Examples
    --------
    >>> import ringstats as rs
    >>> customers, employees, spec, truth = rs.draw("base", n=1000, seed=1)
    >>> customers.shape[0], round(truth.population_nps) in range(5, 30)
    (1000, True)
    >>> clean = spec.validate(customers)   # -99 codes to NaN, ease4 reversed
    """
    n = check_int(n, "n", min_value=1)
    seed = check_seed(seed)
    p = world_params(world, **overrides)
    pop = _population(_params_key(p))
    rng = np.random.default_rng(seed)
    J = p["n_teams"]
    team = rng.integers(0, J, n)
    b = _latent_block(rng, p, n, team)
    lam = _true_loadings(p)
    thr = np.asarray(p["thresholds"], dtype=float)
    cols: dict[str, Any] = {
        "customer_id": np.arange(1, n + 1, dtype=np.int64),
        "team": (team + 1).astype(np.int32),
        "segment": pd.Categorical(np.where(b["business"], "business", "private"),
                                  categories=["private", "business"]),
        "moment": pd.Categorical(np.where(b["emotional"], "emotional", "routine"),
                                 categories=["routine", "emotional"]),
        "channel": pd.Categorical(np.where(b["human"], "human", "digital"),
                                  categories=["digital", "human"]),
        "failure": b["failure"].astype(np.int8),
        "recovered": b["recovered"].astype(np.int8),
    }
    item_names = []
    for k, (_name, (_, items)) in enumerate(CONSTRUCTS.items()):
        eta = b["eta"][:, k]
        for item in items:
            lk = lam[item]
            x = lk * eta + np.sqrt(1 - lk * lk) * rng.standard_normal(n)
            cat = _cut(x, thr)
            if item in REVERSE_KEYED:
                cat = (6 - cat).astype(np.int8)
            cols[item] = cat
            item_names.append(item)
    z = (b["y"] - pop["y_mean"]) / pop["y_sd"]
    cols["ltr"] = np.clip(np.round(p["ltr_center"] + p["ltr_scale"] * z + p["ltr_shift"]),
                          0, 10).astype(np.int8)
    ll = p["loyalty_loading"]
    for item in LOYALTY_ITEMS:
        cols[item] = _cut(ll * z + np.sqrt(1 - ll * ll) * rng.standard_normal(n), thr)
    responsive = rng.random(n) >= p["behaviour_unresponsive"]
    eta_b = p["behaviour_intercept"] + responsive * (
        p["behaviour_slope"] * z
        + p["behaviour_hinge_slope"] * np.maximum(z - p["behaviour_hinge"], 0.0))
    cols["repurchase"] = (rng.random(n) < expit(eta_b)).astype(np.int8)
    zs = (b["sat"] - pop["sat_mean"]) / pop["sat_sd"]
    cols["sat"] = np.clip(np.round(p["sat_center"] + p["sat_scale"] * zs + p["ltr_shift"]),
                          0, 10).astype(np.int8)
    # item nonresponse coded with the missing code
    if p["missing_rate"] > 0:
        for item in item_names + list(LOYALTY_ITEMS):
            miss = rng.random(n) < p["missing_rate"]
            arr = cols[item].copy()
            arr[miss] = p["missing_code"]
            cols[item] = arr
    customers = pd.DataFrame(cols)

    # employee survey
    m = p["employees_per_team"]
    e_team = np.repeat(np.arange(J), m)
    icc = p["employee_icc"]
    el = p["employee_loading"]
    ethr = np.asarray(p["employee_thresholds"], dtype=float)
    emp: dict[str, Any] = {"team": (e_team + 1).astype(np.int32),
                           "employee_id": np.arange(1, J * m + 1, dtype=np.int64)}
    for latent_name, team_values in (("engagement", b["engagement"]), ("meaning", b["meaning"])):
        e = np.sqrt(icc) * team_values[e_team] + np.sqrt(1 - icc) * rng.standard_normal(J * m)
        for item in EMPLOYEE_ITEMS[latent_name]:
            emp[item] = _cut(el * e + np.sqrt(1 - el * el) * rng.standard_normal(J * m), ethr)
    employees = pd.DataFrame(emp)

    # ground truth
    latent = pd.DataFrame(b["R"], columns=["R1", "R2", "R3"])
    for k, name in enumerate(CONSTRUCTS):
        latent[name] = b["eta"][:, k]
    latent["y_star"] = b["y"]
    latent["sat_star"] = b["sat"]
    s = np.array([p["team_share"][r] for r in (1, 2, 3)])
    team_df = pd.DataFrame({
        "team": np.arange(1, J + 1, dtype=np.int32),
        "engagement": b["engagement"], "meaning": b["meaning"],
        "effect_R1": np.sqrt(s[0]) * b["T"][:, 0],
        "effect_R2": np.sqrt(s[1]) * b["T"][:, 1],
        "effect_R3": np.sqrt(s[2]) * b["T"][:, 2],
    })
    P = _ring_cov(p)
    ring_names = ["R1", "R2", "R3"]
    cc = p["construct_corr"]
    names = list(CONSTRUCTS)
    rings = [CONSTRUCTS[c][0] for c in names]
    ccm = np.array([[1.0 if a == b_ else (cc if ra == rb else cc * P[ra - 1, rb - 1])
                     for b_, rb in zip(names, rings, strict=True)]
                    for a, ra in zip(names, rings, strict=True)])
    truth = GroundTruth(
        world=world,
        params=p,
        loadings=lam,
        latent_corr=pd.DataFrame(P, index=ring_names, columns=ring_names),
        construct_corr=pd.DataFrame(ccm, index=names, columns=names),
        latent=latent,
        team=team_df,
        curves={r: piecewise(p["slopes"][r], p["knots"][r]) for r in (1, 2, 3)},
        breakpoints={r: tuple(p["knots"][r]) for r in (1, 2, 3)},
        slopes={r: tuple(p["slopes"][r]) for r in (1, 2, 3)},
        moment_effects={"ring3_extra": p["moment_ring3_extra"],
                        "ring2_penalty": p["moment_ring2_penalty"]},
        gamma=float(p["gamma"]),
        population_nps=pop["nps"],
        population_promoters=pop["promoters"],
        population_detractors=pop["detractors"],
        ring_shares=pd.Series(pop["ring_shares"], index=[1, 2, 3], name="ring_share"),
        y_mean=pop["y_mean"],
        y_sd=pop["y_sd"],
        ring_shares_ltr=pd.Series(pop["ring_shares_ltr"], index=[1, 2, 3],
                                  name="ring_share_ltr"),
    )
    return SimulatedWorld(world=world, customers=customers, employees=employees,
                          spec=_spec(p, world), truth=truth)


def write_parquet(world: str, path: str | Path, *, n: int, seed: int | None = 0,
                  chunk_size: int = 500_000, **overrides: Any) -> SimulatedWorld:
    """Write ``n`` simulated customers to one Parquet file, ``chunk_size`` at a time.

    Memory stays at one chunk: chunk ``k`` is ``draw(world, n=chunk_size, seed=s_k)`` with
    ``s_k`` from ``SeedSequence([seed, k])``, customer ids continued and team ids offset by
    ``k * n_teams`` (each chunk brings its own teams, whose effects it draws). Needs
    pyarrow (``ringstats[scale]``).

    Returns
    -------
    SimulatedWorld
        The first chunk's world (its ``spec`` and ``truth`` hold for the whole file).

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "big.parquet"
    >>> w = write_parquet("base", out, n=2500, seed=1, chunk_size=1000)
    >>> len(pd.read_parquet(out)), int(pd.read_parquet(out)["customer_id"].max())
    (2500, 2500)
    """
    n = check_int(n, "n", min_value=1)
    chunk_size = check_int(chunk_size, "chunk_size", min_value=1)
    seed = check_seed(seed)
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        from .errors import MissingExtraError

        raise MissingExtraError("write_parquet needs pyarrow; install ringstats[scale].") from None
    n_teams = world_params(world, **overrides)["n_teams"]
    first = None
    writer = None
    try:
        for k, start in enumerate(range(0, n, chunk_size)):
            size = min(chunk_size, n - start)
            s_k = int(np.random.SeedSequence([0 if seed is None else seed, k])
                      .generate_state(1)[0])
            w = draw(world, n=size, seed=s_k, **overrides)
            cust = w.customers.copy()
            cust["customer_id"] += start
            cust["team"] += k * n_teams
            table = pa.Table.from_pandas(cust, preserve_index=False)
            if writer is None:
                first = w
                writer = pq.ParquetWriter(str(path), table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()
    assert first is not None
    return first
