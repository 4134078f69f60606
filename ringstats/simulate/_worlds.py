"""The simulator's worlds: parameters, their sources and their checks."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from .._kernels.validation import check_int
from ..errors import RingstatsError

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
