"""Ground truth of a world: population covariances, loadings, latent shares and the latent draw."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from .._kernels.results import ResultMixin, Summary
from .._kernels.shapley import all_subset_r2, shapley_from_r2
from ..errors import RingstatsError
from ..spec import RingSpec
from ._worlds import CONSTRUCTS, WORLD_DESCRIPTIONS, piecewise


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
